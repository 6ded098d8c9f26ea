//! One test per layout rule, and the cases where formatting must leave text alone.

use super::*;

fn fmt(text: &str) -> String {
    let formatted = format(text, &syntax::parse(text));
    let again = format(&formatted, &syntax::parse(&formatted));
    assert_eq!(again, formatted, "not idempotent on {text:?}");
    formatted
}

#[test]
fn front_matter_keys_in_canonical_order_unknown_keys_last() {
    let text = "---\nversion: 2\nzeta: 1\ncodes: 97140\n\ntemplate: T\nalpha: 2\npayer: medicare\n---\nx\n";
    assert_eq!(
        fmt(text),
        "---\ntemplate: T\ncodes: 97140\npayer: medicare\nversion: 2\nzeta: 1\nalpha: 2\n---\nx\n"
    );
}

#[test]
fn front_matter_spacing_and_codes_list() {
    let text =
        "---\ntemplate :  Manual  therapy \ncodes:97140-gp ,97110-Gp,,  g0283\npayer:\n---\n";
    assert_eq!(
        fmt(text),
        "---\ntemplate: Manual  therapy\ncodes: 97140-GP, 97110-GP, G0283\npayer:\n---\n"
    );
}

#[test]
fn front_matter_with_a_comment_or_an_error_is_not_reordered() {
    let text = "---\npayer:medicare\n<!-- noteplate-disable-next-line unknown-code -->\ncodes: 99999\n---\n";
    assert_eq!(
        fmt(text),
        "---\npayer: medicare\n<!-- noteplate-disable-next-line unknown-code -->\ncodes: 99999\n---\n"
    );
    let text = "---\npayer: medicare\ncodes: 9714 ,97110\n---\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn blank_lines_in_front_matter_without_its_close_are_blank_lines() {
    // Found by the property test, not idempotent: `---\n  ` gave `---\n\n`, then `---\n`, and
    // `---\n\n\n` gave `---\n\n`, then `---\n` (the last blank line ends where the block ends).
    assert_eq!(fmt("---\n  "), "---\n");
    assert_eq!(fmt("---\n\n"), "---\n");
    assert_eq!(fmt("---\n\n\n"), "---\n");
    assert_eq!(fmt("---\n \n\t\n"), "---\n");
    assert_eq!(
        fmt("---\ncodes: 97140\n\n\n \npayer: medicare\n\nText"),
        "---\ncodes: 97140\n\npayer: medicare\n\nText\n"
    );
}

#[test]
fn one_blank_line_around_headings_none_at_the_start() {
    let text = "\n\n# Title\ntext\n## A\n\n\n\n### B\nmore\n\n\n\nend";
    assert_eq!(
        fmt(text),
        "# Title\n\ntext\n\n## A\n\n### B\n\nmore\n\nend\n"
    );
}

#[test]
fn one_space_after_the_marks() {
    assert_eq!(
        fmt("##\tTechnique  {#technique}  \n"),
        "## Technique  {#technique}\n"
    );
    assert_eq!(fmt("##    Response\n"), "## Response\n");
    assert_eq!(fmt("##   {#response}\n"), "## {#response}\n");
    // Not headings: left alone.
    assert_eq!(fmt("#Technique\n  ## x\n"), "#Technique\n  ## x\n");
}

#[test]
fn trailing_white_space_and_final_break() {
    assert_eq!(fmt("a  \t\nb \n\n\n"), "a\nb\n");
    assert_eq!(fmt("a"), "a\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
}

#[test]
fn fields_and_choices_lose_their_padding() {
    assert_eq!(
        fmt("Pain {{ pain : number }} {{\tnote }} { well | with mild soreness |poorly }\n"),
        "Pain {{pain:number}} {{note}} {well|with mild soreness|poorly}\n"
    );
}

#[test]
fn choice_white_space_that_matters_stays() {
    // A blank option (reported as such) and a backslash before the space.
    assert_eq!(fmt("{a| |b}\n"), "{a| |b}\n");
    assert_eq!(fmt("{ C:\\ | b}\n"), "{C:\\ |b}\n");
}

#[test]
fn line_breaks_follow_the_first_one() {
    assert_eq!(
        fmt("## A\r\ntext  \r\n\r\n\r\n## B\r\n"),
        "## A\r\n\r\ntext\r\n\r\n## B\r\n"
    );
    assert_eq!(fmt("a\rb\nc"), "a\rb\rc\r");
}

#[test]
fn comments_stay_byte_for_byte() {
    let text = "a\n<!-- one  \n\n\n  two \r\n-->  \n## B <!-- {{ x }} -->  \n";
    assert_eq!(
        fmt(text),
        "a\n<!-- one  \n\n\n  two \r\n-->\n\n## B <!-- {{ x }} -->\n"
    );
    let inline = "Tolerated <!-- { a | b } -->  { well | poorly }  \n";
    assert_eq!(
        fmt(inline),
        "Tolerated <!-- { a | b } -->  { well | poorly }\n"
    );
}

#[test]
fn an_unclosed_comment_keeps_the_end_of_the_file() {
    let text = "x  \n<!-- draft  \n\n\n";
    assert_eq!(fmt(text), "x\n<!-- draft  \n\n\n");
    assert_eq!(fmt("x\n<!-- draft"), "x\n<!-- draft");
}

#[test]
fn blank_lines_after_a_suppression_stay() {
    let text = "a\n<!-- noteplate-disable-next-line single-option-choice -->\n\n\n## B\n{x}\n";
    assert_eq!(
        fmt(text),
        "a\n<!-- noteplate-disable-next-line single-option-choice -->\n\n\n## B\n\n{x}\n"
    );
    let text = "a\n<!-- noteplate-disable-next-line single-option-choice -->\n## B\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn lines_with_syntax_errors_stay() {
    let text = "to {{ region:region  \n{ a | b }   \n";
    assert_eq!(fmt(text), "to {{ region:region  \n{a|b}\n");
}

#[test]
fn escapes_wildcards_and_includes_stay() {
    let text = "\\{ a \\} *** \\*** C:\\notes  \n@include  shared/x.note  \n";
    assert_eq!(
        fmt(text),
        "\\{ a \\} *** \\*** C:\\notes\n@include  shared/x.note\n"
    );
}

#[test]
fn dashes_below_blank_lines_are_not_made_front_matter() {
    let text = "\n---\ncodes: 97140\n---\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn byte_order_mark_and_front_matter() {
    let text = "\u{feff}---  \r\ncodes: 97140\r\ntemplate: T\r\n---\r\n## A\r\n";
    assert_eq!(
        fmt(text),
        "\u{feff}---\r\ntemplate: T\r\ncodes: 97140\r\n---\r\n\r\n## A\r\n"
    );
}

#[test]
fn edit_is_the_smallest_span() {
    let text = "a é  \nb\n";
    let (span, new_text) = format_edit(text, &syntax::parse(text)).unwrap();
    assert_eq!((span, new_text.as_str()), (Span::new(4, 6), ""));
    assert_eq!(format_edit("a\n", &syntax::parse("a\n")), None);
}

#[test]
fn the_break_is_the_first_one_outside_comments() {
    assert_eq!(fmt("\n<!--\r\n-->"), "<!--\r\n-->\n");
    assert_eq!(fmt("<!--\r\n-->"), "<!--\r\n-->\r\n");
}

#[test]
fn edit_never_splits_a_crlf() {
    // The first break decides: `\r` then `\n` would differ right after a `\r`.
    for text in ["a\rb\r\nc\r", "x\r\n\r\n\r\ny\r\n", "a  \r\nb"] {
        let (span, new_text) = format_edit(text, &syntax::parse(text)).unwrap();
        let bytes = text.as_bytes();
        for at in [span.start, span.end] {
            assert!(
                !(at > 0 && bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n')),
                "{text:?} {span:?}"
            );
        }
        let edited = format!("{}{new_text}{}", &text[..span.start], &text[span.end..]);
        assert_eq!(edited, fmt(text));
    }
}
