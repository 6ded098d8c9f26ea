//! `noteplate_syntax`, the syntax layer: text in, typed tree with byte spans out. Parsing never fails: it returns the tree and
//! the syntax errors it found, and every line is parsed on its own so that one error never hides
//! the rest of the document.
//!
//! Owns: the pest grammar binding (`grammar.rs`), hand-written fast paths for its busiest line
//! rules (`fast.rs`: each reads a line cleanly or bails to pest, which alone writes syntax errors;
//! checked against pest by tests), the line scanner (`lines.rs`) and the tree types (`tree.rs`).
//! Also the two text utilities every layer above shares: byte offsets to lines and columns
//! (`line_index.rs`) and the work counter tests read (`work.rs`). Must not know about the rule
//! pack, diagnostics, files, or any protocol.

mod fast;
mod grammar;
mod incremental;
pub mod line_index;
mod lines;
mod memo;
mod tree;
pub mod work;

pub use incremental::{TextEdit, reparse};
pub use lines::{
    heading_level, is_include_line, line_break, line_end, line_spans, line_start, parse,
    parse_with_memo, parse_without_fast_path,
};
pub use memo::LineMemo;
pub use tree::*;

/// The result of parsing: a tree and what was wrong with the text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parse {
    pub document: Document,
    pub errors: Vec<SyntaxError>,
}

/// Field types the language knows. `{{name}}` without a type is `text`.
pub const FIELD_TYPES: &[(&str, &str)] = &[
    ("text", "free text the clinician writes"),
    ("number", "a number, e.g. a pain rating"),
    ("minutes", "minutes of a timed service"),
    ("date", "a calendar date, e.g. the date of service"),
    (
        "region",
        "a body region, e.g. cervical spine or left shoulder",
    ),
    ("technique", "a manual-therapy technique from the lexicon"),
];

/// Whether `byte` may start a field name (`field_name` in `grammar/note.pest`: an ASCII letter
/// or `_`).
pub fn is_field_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

/// Whether `byte` may continue a field name (`field_name`: ASCII letters, digits, `_`, `-`, `.`).
pub fn is_field_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

/// Whether `name` is a whole field name as the grammar reads one (`field_name`): the one rule
/// the fast path reads fields with and a rename checks a new name against.
pub fn is_field_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes
        .first()
        .is_some_and(|&first| is_field_name_start(first))
        && bytes[1..].iter().all(|&byte| is_field_name_byte(byte))
}

/// The known field type `written` names (case-insensitively), as listed in [`FIELD_TYPES`];
/// `None` for a type the language does not know.
pub fn known_field_type(written: &str) -> Option<&'static str> {
    FIELD_TYPES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(written))
        .map(|(known, _)| *known)
}

/// Front-matter keys the language knows, with what each means.
pub const FRONT_MATTER_KEYS: &[(&str, &str)] = &[
    ("template", "the template's name, shown to authors"),
    (
        "codes",
        "billing codes this template documents, with modifiers: `97140-GP, 97110-GP`",
    ),
    (
        "payer",
        "payer profile for the rules: `medicare` or `commercial`",
    ),
    ("version", "the template's own version, free text"),
    (
        "type",
        "note type: `daily`, `evaluation`, `progress`, `discharge` or `plan-of-care`",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_field_name` says yes exactly when the grammar (pest, without the fast path) reads
    /// `{{name}}` as a field with that whole name.
    #[test]
    fn is_field_name_agrees_with_the_grammar() {
        for name in [
            "pain",
            "_x",
            "a.b-c_9",
            "Pain2",
            "9pain",
            "-x",
            ".x",
            "pain level",
            "päin",
            "",
            "a:b",
            "a}",
            "a{",
            "x\u{301}",
        ] {
            let text = format!("{{{{{name}}}}}\n");
            let parse = parse_without_fast_path(&text);
            let grammar = parse.errors.is_empty()
                && parse.document.preamble.first().is_some_and(|line| {
                    matches!(&line.items[..], [Inline::Field(field)]
                        if field.name.text(&text) == name && field.ty.is_none())
                });
            assert_eq!(is_field_name(name), grammar, "{name:?}");
        }
    }

    #[test]
    fn known_field_types_are_case_insensitive() {
        assert_eq!(known_field_type("Minutes"), Some("minutes"));
        assert_eq!(known_field_type("minute"), None);
    }
}
