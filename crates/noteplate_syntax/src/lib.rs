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
mod tree;
pub mod work;

pub use incremental::{TextEdit, reparse};
pub use lines::{
    heading_level, is_include_line, line_break, line_end, line_spans, line_start, parse,
    parse_without_fast_path,
};
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
