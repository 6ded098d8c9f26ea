//! Hand-written transcriptions of the line rules of `grammar/note.pest` that make up almost
//! every line of a template: `inline` content, `heading`, and the front matter's `fm_entry` and
//! `code_item`. Each must give exactly what its pest rule (and the conversion in `grammar.rs`)
//! gives; the tests at the bottom check that against pest on random lines, pest being the
//! reference. The heading, entry and code paths only handle well-formed lines and leave the rest
//! to pest; `inline` also builds the error tokens (unclosed or malformed field, unclosed choice,
//! stray `}`), with the messages `grammar.rs` defines.
//!
//! Why: pest spends most of its time on bookkeeping (a parser state with several vectors per
//! call, call tracking, error positions, a token queue), which on short lines is far more than
//! the parse itself. These functions make one pass over the bytes and allocate only what the tree
//! keeps.

use super::grammar::{malformed_field, push_text, stray_close, unclosed_choice, unclosed_field};
use super::tree::{Attribute, Choice, Field, Heading, Inline, Span, SyntaxError};

/// Parses inline content into `items` (absolute spans from `base`) and its mistakes into
/// `errors`, exactly as the `inline` rule and its conversion in `grammar.rs` do: text runs,
/// fields, choices, wildcards and escapes, and for a malformed or unclosed field, an unclosed
/// choice or a stray `}` an error, with the braces kept as text.
pub(super) fn inline(
    text: &str,
    base: usize,
    items: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
) {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        items.push(Inline::Text(Span::new(base, base)));
        return;
    }
    let mut text_start = 0; // where the pending `text` run began
    let mut at = 0;
    // Where the next `***` starts, searched again once passed (a choice option may hold one).
    let wildcards = &*WILDCARDS;
    let mut next_wildcard = None::<usize>;
    // The next `}}` and `{{` after a failed field, kept like `next_wildcard`, so a line of many
    // unclosed `{{` is searched once, not once per `{{` (which was quadratic).
    let mut next_close = None::<usize>;
    let mut next_open = None::<usize>;
    while at < bytes.len() {
        // Skip text to the next byte that may start something else, with SIMD searches: `{`, `}`
        // and `\` directly, `*` only where `***` starts.
        if next_wildcard.is_none_or(|found| found < at) {
            next_wildcard = Some(
                wildcards
                    .find(&bytes[at..])
                    .map_or(bytes.len(), |found| at + found),
            );
        }
        let next_brace = memchr::memchr3(b'{', b'}', b'\\', &bytes[at..])
            .map_or(bytes.len(), |found| at + found);
        at = next_brace.min(next_wildcard.unwrap_or(bytes.len()));
        if at >= bytes.len() {
            break;
        }
        let (token, end) = match bytes[at] {
            b'{' if bytes.get(at + 1) == Some(&b'{') => match field(bytes, at, base) {
                Some((field, end)) => (Token::Item(field), end),
                // `malformed_field`: up to the first `}}` if no `{{` comes first; else
                // `unclosed_field`.
                None => {
                    let close = next_at(&mut next_close, bytes, at + 2, b"}}");
                    let reopen = next_at(&mut next_open, bytes, at + 2, b"{{");
                    if close < reopen && close < bytes.len() {
                        (Token::MalformedField, close + 2)
                    } else {
                        (Token::UnclosedField, at + 2)
                    }
                }
            },
            b'{' => match choice(bytes, at, base) {
                Some((choice, end)) => (Token::Item(choice), end),
                None => (Token::UnclosedChoice, at + 1),
            },
            b'}' => (Token::StrayClose, at + 1),
            b'*' if bytes[at..].starts_with(b"***") => (
                Token::Item(Inline::Wildcard(Span::new(base + at, base + at + 3))),
                at + 3,
            ),
            b'\\' if matches!(bytes.get(at + 1), Some(b'{' | b'}' | b'*' | b'|' | b'\\')) => (
                Token::Item(Inline::Escape(Span::new(base + at, base + at + 2))),
                at + 2,
            ),
            _ => {
                at += 1;
                continue;
            }
        };
        if text_start < at {
            push_text(items, Span::new(base + text_start, base + at));
        }
        let span = Span::new(base + at, base + end);
        match token {
            Token::Item(item) => items.push(item),
            mistake => {
                push_text(items, span);
                errors.push(match mistake {
                    Token::MalformedField => malformed_field(span, &text[at..end]),
                    Token::UnclosedField => unclosed_field(span),
                    Token::UnclosedChoice => unclosed_choice(span),
                    _ => stray_close(span),
                });
            }
        }
        at = end;
        text_start = end;
    }
    if text_start < bytes.len() {
        push_text(items, Span::new(base + text_start, base + bytes.len()));
    }
}

/// The first `needle` at or after `from` (`bytes.len()` if none), searching again only when the
/// remembered position lies before `from`: positions only grow along a line, so each search
/// covers new ground.
fn next_at(remembered: &mut Option<usize>, bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    match *remembered {
        Some(found) if found >= from => found,
        _ => {
            let found = memchr::memmem::find(&bytes[from.min(bytes.len())..], needle)
                .map_or(bytes.len(), |found| from + found);
            crate::work::count(found.saturating_sub(from) + 1);
            *remembered = Some(found);
            found
        }
    }
}

/// Finds `***`; built once (building a searcher per line cost more than most lines' scan).
static WILDCARDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"***"));

/// What starts at a special byte.
enum Token {
    Item(Inline),
    MalformedField,
    UnclosedField,
    UnclosedChoice,
    StrayClose,
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_space(bytes[at]) {
        at += 1;
    }
    at
}

/// `field` at `at` (which holds `{{`): `{{ name }}` or `{{ name : type }}`.
fn field(bytes: &[u8], at: usize, base: usize) -> Option<(Inline, usize)> {
    let mut cursor = skip_spaces(bytes, at + 2);
    let name_start = cursor;
    if !bytes
        .get(cursor)
        .is_some_and(|&byte| byte.is_ascii_alphabetic() || byte == b'_')
    {
        return None;
    }
    cursor += 1;
    while bytes
        .get(cursor)
        .is_some_and(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.'))
    {
        cursor += 1;
    }
    let name = Span::new(base + name_start, base + cursor);
    cursor = skip_spaces(bytes, cursor);
    let mut ty = None;
    if bytes.get(cursor) == Some(&b':') {
        cursor = skip_spaces(bytes, cursor + 1);
        let type_start = cursor;
        if !bytes.get(cursor).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        cursor += 1;
        while bytes
            .get(cursor)
            .is_some_and(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
        {
            cursor += 1;
        }
        ty = Some(Span::new(base + type_start, base + cursor));
        cursor = skip_spaces(bytes, cursor);
    }
    if !bytes[cursor..].starts_with(b"}}") {
        return None;
    }
    let end = cursor + 2;
    let span = Span::new(base + at, base + end);
    Some((Inline::Field(Field { span, name, ty }), end))
}

/// `choice` at `at` (which holds `{` not followed by `{`): `{a|b|c}`, options possibly empty.
fn choice(bytes: &[u8], at: usize, base: usize) -> Option<(Inline, usize)> {
    let mut options = Vec::new();
    let mut option_start = at + 1;
    let mut cursor = at + 1;
    loop {
        match bytes.get(cursor)? {
            b'|' => {
                options.push(Span::new(base + option_start, base + cursor));
                cursor += 1;
                option_start = cursor;
            }
            b'}' => {
                options.push(Span::new(base + option_start, base + cursor));
                let span = Span::new(base + at, base + cursor + 1);
                return Some((Inline::Choice(Choice { span, options }), cursor + 1));
            }
            b'{' => return None,
            // An escape is part of the option: `\|` and `\}` do not end it.
            b'\\'
                if matches!(
                    bytes.get(cursor + 1),
                    Some(b'{' | b'}' | b'*' | b'|' | b'\\')
                ) =>
            {
                cursor += 2
            }
            _ => cursor += 1,
        }
    }
}

/// A heading line as the `heading` rule reads it: `#`..`######`, then white space and the title,
/// then an optional `{#kind}`. `None` when the line does not start like a heading (the scanner
/// only sends lines that do). The title is `None` when there is none (the caller reports it).
pub(super) fn heading(text: &str, base: usize) -> Option<Heading> {
    let bytes = text.as_bytes();
    let level = bytes.iter().take_while(|&&byte| byte == b'#').count();
    if !(1..=6).contains(&level) || bytes.get(level).is_some_and(|&byte| !is_space(byte)) {
        return None;
    }
    // `rest` is what follows the marker and its white space, without trailing white space.
    let rest_start = skip_spaces(bytes, level);
    let mut rest_end = bytes.len();
    while rest_end > rest_start && is_space(bytes[rest_end - 1]) {
        rest_end -= 1;
    }
    let rest = &bytes[rest_start..rest_end];

    // A trailing `{#kind}` is the attribute; the title ends before the white space in front of it.
    let mut attribute = None;
    let mut title_end = rest_end;
    if rest.ends_with(b"}")
        && let Some(open) = memchr::memmem::rfind(rest, b"{#")
    {
        let kind = &rest[open + 2..rest.len() - 1];
        if !kind.is_empty()
            && kind
                .iter()
                .all(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
        {
            let open = rest_start + open;
            attribute = Some(Attribute {
                span: Span::new(base + open, base + rest_end),
                kind: Span::new(base + open + 2, base + rest_end - 1),
            });
            title_end = open;
            while title_end > rest_start && is_space(bytes[title_end - 1]) {
                title_end -= 1;
            }
        }
    }
    let title = if title_end > rest_start {
        Span::new(base + rest_start, base + title_end)
    } else {
        Span::empty(base + level)
    };
    Some(Heading {
        span: Span::new(base, base + bytes.len()),
        level: level as u8,
        title,
        attribute,
    })
}

/// A front-matter line as the `fm_entry` rule reads it: `key: value` with white space allowed
/// around the key and after the colon. Returns the key and the value without trailing white
/// space, or `None` when the line is not an entry (the caller lets pest say so).
pub(super) fn entry(text: &str, base: usize) -> Option<(Span, Span)> {
    let bytes = text.as_bytes();
    let key_start = skip_spaces(bytes, 0);
    if !bytes.get(key_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut cursor = key_start + 1;
    while bytes
        .get(cursor)
        .is_some_and(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
    {
        cursor += 1;
    }
    let key = Span::new(base + key_start, base + cursor);
    cursor = skip_spaces(bytes, cursor);
    if bytes.get(cursor) != Some(&b':') {
        return None;
    }
    let value_start = skip_spaces(bytes, cursor + 1);
    let value = text[value_start..].trim_end();
    Some((
        key,
        Span::new(base + value_start, base + value_start + value.len()),
    ))
}

/// One item of `codes:` as the `code_item` rule reads it: five ASCII letters or digits, then
/// `-` and two of them, any number of times. Returns the code and modifier spans, or `None` when
/// the item is not a code (the caller lets pest say so).
pub(super) fn code_item(item: &str, base: usize) -> Option<(Span, Vec<Span>)> {
    let bytes = item.as_bytes();
    if bytes.len() < 5 || !bytes[..5].iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let code = Span::new(base, base + 5);
    let mut modifiers = Vec::new();
    let mut cursor = 5;
    while cursor < bytes.len() {
        let modifier = bytes.get(cursor + 1..cursor + 3)?;
        if bytes[cursor] != b'-' || !modifier.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        modifiers.push(Span::new(base + cursor + 1, base + cursor + 3));
        cursor += 3;
    }
    Some((code, modifiers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::{
        parse_codes_with_pest, parse_entry_with_pest, parse_heading_with_pest,
        parse_inline_with_pest,
    };
    use proptest::prelude::*;

    /// Pieces that make and break every construct of a line.
    const PIECES: &[&str] = &[
        "{",
        "}",
        "{{",
        "}}",
        "|",
        "*",
        "**",
        "***",
        "\\",
        "\\{",
        "\\}",
        "\\*",
        "\\|",
        "\\\\",
        "\\a",
        ":",
        " ",
        "\t",
        "  ",
        "#",
        "##",
        "{#",
        "a",
        "Z",
        "_",
        "-",
        ".",
        "1",
        "x9",
        "name",
        "pain:number",
        "é",
        "°",
        "😀",
        "\u{feff}",
        "{#technique}",
        "{#a-b_1}",
        "{#}",
        "{# x}",
        "{{a}}",
        "{{ a : b }}",
        "{{a:}}",
        "{{1}}",
        "{a|b}",
        "{|}",
        "{a||b}",
        "{x}",
    ];

    fn line() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            6 => proptest::sample::select(PIECES).prop_map(str::to_string),
            1 => any::<char>().prop_map(|ch| ch.to_string()),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    fn check_inline(text: &str) {
        if text.is_empty() {
            // Never parsed (blank pieces are skipped); kept as the old plain-text path had it.
            return;
        }
        let base = 7;
        let mut expected_items = vec![Inline::Wildcard(Span::new(0, 3))]; // an earlier piece
        let mut expected_errors = Vec::new();
        parse_inline_with_pest(text, base, &mut expected_items, &mut expected_errors);
        let mut items = vec![Inline::Wildcard(Span::new(0, 3))];
        let mut errors = Vec::new();
        inline(text, base, &mut items, &mut errors);
        assert_eq!(items, expected_items, "{text:?}");
        assert_eq!(errors, expected_errors, "{text:?}");
    }

    fn check_heading(text: &str) {
        let Some(fast) = heading(text, 5) else {
            return;
        };
        let mut errors = Vec::new();
        let expected = parse_heading_with_pest(text, 5, &mut errors);
        assert_eq!(fast, expected, "{text:?}");
    }

    #[test]
    fn inline_examples_match_pest() {
        for text in [
            "",
            "plain",
            "a*b**c****d",
            "{{name}} and {{ pain : number }}, {a|b||c} ***",
            "\\{not a choice\\} \\\\ \\x",
            "{{a:}}",
            "{{",
            "{a",
            "a}",
            "{a{b}",
            "{",
            "é{{µ:°}}",
        ] {
            check_inline(text);
        }
    }

    #[test]
    fn heading_examples_match_pest() {
        for text in [
            "#",
            "# ",
            "## Title",
            "## Title {#kind}",
            "##\t{#kind} ",
            "## {#kind}{#other}",
            "## Title{#kind}",
            "## Title {#}",
            "## Title {# kind}",
            "## {#a} b",
            "###### Deep",
            "## Ünïcode {#x}\t",
        ] {
            check_heading(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2_000,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..ProptestConfig::default()
        })]

        #[test]
        fn inline_matches_pest(text in line()) {
            check_inline(&text);
        }

        #[test]
        fn heading_matches_pest(marker in "#{1,7}[ \t]?", text in line()) {
            check_heading(&format!("{marker}{text}"));
        }

        #[test]
        fn entry_matches_pest(text in "[ \t]{0,2}[a-zA-Z0-9_:-]{0,8}[ \t]{0,2}:?[ \t]{0,2}[a-z0-9 \t:,\u{a0}\u{3000}é-]{0,12}") {
            check_entry(&text);
        }

        #[test]
        fn code_items_match_pest(text in "[ ,]{0,2}[a-zA-Z0-9é]{3,6}(-[a-zA-Z0-9é]{0,3}){0,3}[ ,]{0,2}") {
            check_codes(&text);
        }
    }

    fn check_entry(text: &str) {
        let mut errors = Vec::new();
        let expected = parse_entry_with_pest(text, 3, &mut errors);
        match entry(text, 3) {
            Some(found) => assert_eq!(Some(found), expected, "{text:?}"),
            None => assert!(expected.is_none() && !errors.is_empty(), "{text:?}"),
        }
    }

    fn check_codes(text: &str) {
        let mut expected_errors = Vec::new();
        let expected = parse_codes_with_pest(text, 3, &mut expected_errors);
        let mut errors = Vec::new();
        let found = crate::grammar::parse_codes(text, 3, &mut errors);
        assert_eq!(found, expected, "{text:?}");
        assert_eq!(errors, expected_errors, "{text:?}");
    }

    #[test]
    fn entry_and_code_examples_match_pest() {
        for text in [
            "codes: 97140-GP, 97110",
            "  payer :medicare  ",
            "type:",
            "x-y_z:\tdaily\u{3000}",
            "1key: no",
            "key no colon",
            ": value",
            "template: Knee – phase 2",
        ] {
            check_entry(text);
        }
        for text in [
            "97140",
            "97140-GP-XS, G0283-GP",
            "97140-",
            "97140-G",
            "97140-GPX",
            "971400",
            "9714",
            "97140GP",
            ", ,97140 , ",
            "9714é",
        ] {
            check_codes(text);
        }
    }
}
