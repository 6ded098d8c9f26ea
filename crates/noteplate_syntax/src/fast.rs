//! Hand-written transcriptions of the line rules of `grammar/note.pest` that make up almost
//! every line of a template: `inline` content, `heading`, and the front matter's `fm_entry` and
//! `code_item`.
//!
//! **One contract**: each function either reads its line cleanly, giving exactly what its pest
//! rule and the conversion in `grammar.rs` give, or bails (`None` / `false`) and the caller
//! parses the line with pest. Nothing here writes a syntax error or a partial result: pest alone
//! decides what is wrong with a line and how it recovers. A bail is always allowed (it only costs
//! time); the tests at the bottom check on random lines that a clean reading is pest's reading,
//! and that the fast path bails only where pest reports a mistake.
//!
//! Why: pest spends most of its time on bookkeeping (a parser state with several vectors per
//! call, call tracking, error positions, a token queue), which on short lines is far more than
//! the parse itself. These functions make one pass over the bytes and allocate only what the tree
//! keeps. `benches/throughput.rs` (`parse_without_fast_path`) measures what that buys; see
//! `docs/performance.md`.

use super::grammar::push_text;
use super::tree::{Attribute, Choice, Field, Heading, Inline, Span};

/// Reads inline content into `items` (absolute spans from `base`) exactly as the `inline` rule
/// and its conversion in `grammar.rs` do (text runs, fields, choices, wildcards and escapes), and
/// returns `true`; or returns `false` at the first mistake (a malformed or unclosed field, an
/// unclosed choice, a stray `}`), leaving in `items` whatever it pushed so far for the caller to
/// drop.
pub(super) fn inline(text: &str, base: usize, items: &mut Vec<Inline>) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        items.push(Inline::Text(Span::new(base, base)));
        return true;
    }
    let mut text_start = 0; // where the pending `text` run began
    let mut at = 0;
    // Where the next `***` starts, searched again once passed (a choice option may hold one).
    let wildcards = &*WILDCARDS;
    let mut next_wildcard = None::<usize>;
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
        let (item, end) = match bytes[at] {
            b'{' if bytes.get(at + 1) == Some(&b'{') => match field(bytes, at, base) {
                Some(found) => found,
                None => return false, // malformed or unclosed field: pest's to report
            },
            b'{' => match choice(bytes, at, base) {
                Some(found) => found,
                None => return false, // unclosed choice
            },
            b'}' => return false, // stray `}`
            b'*' if bytes[at..].starts_with(b"***") => (
                Inline::Wildcard(Span::new(base + at, base + at + 3)),
                at + 3,
            ),
            b'\\' if matches!(bytes.get(at + 1), Some(b'{' | b'}' | b'*' | b'|' | b'\\')) => {
                (Inline::Escape(Span::new(base + at, base + at + 2)), at + 2)
            }
            _ => {
                at += 1;
                continue;
            }
        };
        if text_start < at {
            push_text(items, Span::new(base + text_start, base + at));
        }
        items.push(item);
        at = end;
        text_start = end;
    }
    if text_start < bytes.len() {
        push_text(items, Span::new(base + text_start, base + bytes.len()));
    }
    true
}

/// Finds `***`; built once (building a searcher per line cost more than most lines' scan).
static WILDCARDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"***"));

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
        .is_some_and(|&byte| crate::is_field_name_start(byte))
    {
        return None;
    }
    cursor += 1;
    while bytes
        .get(cursor)
        .is_some_and(|&byte| crate::is_field_name_byte(byte))
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
/// then an optional `{#kind}`. `None` (a bail) when the line does not start like a heading (the
/// scanner only sends lines that do) or has neither a title nor a `{#kind}` (pest reports that).
pub(super) fn heading(text: &str, base: usize) -> Option<Heading> {
    let bytes = text.as_bytes();
    let level = usize::from(super::lines::heading_level(text)?);
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
    } else if attribute.is_some() {
        Span::empty(base + level)
    } else {
        return None;
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
        parse_codes, parse_entry_with_pest, parse_heading_with_pest, parse_inline_with_pest,
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

    /// The contract on one line: the fast path reads it exactly as pest does, or bails; and it
    /// bails only where pest reports a mistake (a bail on a clean line would be correct but
    /// slow).
    fn check_inline(text: &str) {
        if text.is_empty() {
            // Never parsed (blank pieces are skipped); kept as the old plain-text path had it.
            return;
        }
        let base = 7;
        let earlier = Inline::Wildcard(Span::new(0, 3)); // an earlier piece of the line
        let mut expected_items = vec![earlier.clone()];
        let mut expected_errors = Vec::new();
        parse_inline_with_pest(text, base, &mut expected_items, &mut expected_errors);
        let mut items = vec![earlier];
        if inline(text, base, &mut items) {
            assert_eq!(items, expected_items, "{text:?}");
            assert!(
                expected_errors.is_empty(),
                "{text:?}: read cleanly, but pest reports {expected_errors:?}"
            );
        } else {
            assert!(
                !expected_errors.is_empty(),
                "{text:?}: bailed on a clean line"
            );
        }
    }

    fn check_heading(text: &str) {
        let mut errors = Vec::new();
        let expected = parse_heading_with_pest(text, 5, &mut errors);
        match heading(text, 5) {
            Some(fast) => {
                assert_eq!(fast, expected, "{text:?}");
                assert!(
                    errors.is_empty(),
                    "{text:?}: read cleanly, but pest reports {errors:?}"
                );
            }
            // A bail: the scanner never sends a line that is not a heading line; on one that is,
            // only where pest reports the missing title.
            None => assert!(
                crate::heading_level(text).is_none() || !errors.is_empty(),
                "{text:?}: bailed on a clean heading"
            ),
        }
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

        /// The contract on whole documents: parsing with the fast path gives what pest alone
        /// gives, tree and errors.
        #[test]
        fn documents_match_pest_alone(lines in proptest::collection::vec(
            (proptest::sample::select(&["", "# ", "## ", "####### ", "---", "codes: ", "type:", "@include ", "- "][..]), line()),
            0..12,
        ), breaks in proptest::sample::select(&["\n", "\r\n", "\r"][..])) {
            let text: String = lines
                .iter()
                .map(|(start, rest)| format!("{start}{rest}"))
                .collect::<Vec<_>>()
                .join(breaks);
            prop_assert_eq!(crate::parse(&text), crate::parse_without_fast_path(&text));
        }

        /// The memo's contract: documents parsed one after another through one memo (small, so
        /// that it also starts over) give exactly what parsing each alone gives, tree and errors,
        /// with their lines (drawn from a few, so they repeat at other offsets, after comments and
        /// under other headings) remembered from the documents before.
        #[test]
        fn documents_through_a_memo_match_parsing_alone(
            pool in proptest::collection::vec(line(), 1..6),
            documents in proptest::collection::vec(proptest::collection::vec(
                (proptest::sample::select(&["", "# ", "## ", "<!-- c -->", "x <!-- c -->", "- ", "---"][..]), any::<prop::sample::Index>()),
                0..10,
            ), 1..5),
            limit in 1usize..8,
        ) {
            let mut memo = crate::LineMemo::with_limit(limit);
            for document in &documents {
                let text: String = document
                    .iter()
                    .map(|(start, line)| format!("{start}{}\n", line.get(&pool)))
                    .collect();
                prop_assert_eq!(crate::parse_with_memo(&text, &mut memo), crate::parse(&text));
                prop_assert!(memo.len() <= limit);
            }
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
            Some(found) => {
                assert_eq!(Some(found), expected, "{text:?}");
                assert!(errors.is_empty(), "{text:?}");
            }
            None => assert!(expected.is_none() && !errors.is_empty(), "{text:?}"),
        }
    }

    fn check_codes(text: &str) {
        let mut expected_errors = Vec::new();
        let expected = parse_codes(text, 3, &mut expected_errors, false);
        let mut errors = Vec::new();
        let found = parse_codes(text, 3, &mut errors, true);
        assert_eq!(found, expected, "{text:?}");
        assert_eq!(errors, expected_errors, "{text:?}");
        // Item by item: a clean reading is pest's, and a bail only where pest reports a mistake.
        for piece in text.split(',') {
            let item = piece.trim();
            if item.is_empty() {
                continue;
            }
            let mut item_errors = Vec::new();
            let by_pest = parse_codes(item, 0, &mut item_errors, false);
            match code_item(item, 0) {
                Some((code, modifiers)) => {
                    assert!(item_errors.is_empty(), "{item:?}");
                    assert_eq!(
                        (by_pest[0].code, &by_pest[0].modifiers),
                        (code, &modifiers),
                        "{item:?}"
                    );
                }
                None => assert!(!item_errors.is_empty(), "{item:?}: bailed on a clean code"),
            }
        }
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
