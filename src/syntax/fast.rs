//! Hand-written fast paths for the two line rules that make up almost every line of a template:
//! `inline` content without mistakes and `heading`. They are byte-level transcriptions of the
//! rules in `grammar/note.pest` and must give exactly what the pest rules give; the tests at the
//! bottom check that against pest on random lines.
//!
//! The grammar stays the authority: [`inline`] gives up (returns `false`) on anything the grammar
//! reports as a mistake (an unclosed or malformed field, an unclosed choice, a stray `}`), and
//! those lines go to pest, which builds the error tokens. Pest spends most of its time on
//! bookkeeping (call tracking, error positions, a token queue per line); the hand-written scan
//! does one pass over the bytes and allocates only what the tree keeps.

use super::tree::{Attribute, Choice, Field, Heading, Inline, Span};

/// Parses inline content that holds no mistakes into `items` (absolute spans from `base`), as the
/// `inline` rule does. Returns `false`, leaving `items` as it was, when the text holds anything
/// the grammar turns into a syntax error.
pub(super) fn inline(text: &str, base: usize, items: &mut Vec<Inline>) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        items.push(Inline::Text(Span::new(base, base)));
        return true;
    }
    let before = items.len();
    let mut text_start = 0; // where the pending `text` run began
    let mut at = 0;
    while at < bytes.len() {
        let (item, end) = match bytes[at] {
            b'{' if bytes.get(at + 1) == Some(&b'{') => match field(bytes, at, base) {
                Some(found) => found,
                None => {
                    items.truncate(before);
                    return false;
                }
            },
            b'{' => match choice(bytes, at, base) {
                Some(found) => found,
                None => {
                    items.truncate(before);
                    return false;
                }
            },
            b'}' => {
                items.truncate(before);
                return false;
            }
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
            items.push(Inline::Text(Span::new(base + text_start, base + at)));
        }
        items.push(item);
        at = end;
        text_start = end;
    }
    if text_start < bytes.len() {
        items.push(Inline::Text(Span::new(
            base + text_start,
            base + bytes.len(),
        )));
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::grammar::{parse_heading_with_pest, parse_inline_with_pest};
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
        let mut expected_items = Vec::new();
        let mut errors = Vec::new();
        parse_inline_with_pest(text, base, &mut expected_items, &mut errors);
        let mut items = vec![Inline::Wildcard(Span::new(0, 3))]; // must stay untouched
        if inline(text, base, &mut items) {
            assert_eq!(&items[1..], &expected_items[..], "{text:?}");
            assert!(
                errors.is_empty(),
                "fast path accepted a line with errors: {text:?}"
            );
        } else {
            assert_eq!(items.len(), 1, "{text:?}");
            assert!(
                !errors.is_empty(),
                "fast path gave up on a clean line: {text:?}"
            );
        }
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
    }
}
