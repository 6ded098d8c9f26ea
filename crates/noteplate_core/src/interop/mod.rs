//! `interop`: templates in and out (issue 13). Readers turn another format's text into a
//! [`model::Template`]; writers turn a template into another format's text. Both meet in the
//! model, so a reader never writes `.note` syntax itself and a writer never reads it: `.note`
//! text is made by [`model::Template::to_note`] and read by the parser, through
//! [`model::Template::from_analysis`].
//!
//! Pure, like the rest of the core: strings in, strings out. The CLI (`src/cli/interop.rs`) reads
//! files and standard input, inlines `@include` fragments and writes the result.

pub mod fhir;
pub mod html;
pub mod markdown;
pub mod model;
pub mod plain;
pub mod smartphrase;

use std::fmt;

/// What a reader made of its input: the template, and every place it could not map (kept in the
/// template as text with a comment saying so; `noteplate import --report` lists them).
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub template: model::Template,
    pub unmapped: Vec<Unmapped>,
}

/// One place of the input a reader kept as plain text because it has no `.note` equivalent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// 1-based line of the input (for JSON input: the line where the item starts).
    pub line: usize,
    /// What was there and what was done with it, in an author's words.
    pub what: String,
}

/// Input a reader cannot read at all: invalid JSON, a Questionnaire that is not FHIR R4, text
/// that is not UTF-8. Positions are 1-based; column counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ImportError {}

/// A writer's refusal: the template cannot be written in that format as it stands (for example
/// it has syntax errors). Says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub message: String,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExportError {}

/// The 1-based line and character column of byte `offset` in `text` (clamped to the text).
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}
