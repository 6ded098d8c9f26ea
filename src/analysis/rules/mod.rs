//! The rules, one file per family. Each family is a function that reads a [`Context`] and pushes
//! diagnostics; none of them knows about the others.

mod code_pairs;
mod daily_note;
mod fields;
mod front_matter;
mod includes;
mod region;
mod required_sections;
mod structure;
mod syntax_errors;
mod technique_wording;
mod techniques;
mod timed_minutes;

use crate::rulepack::{RulePack, Severity};
use crate::syntax::{Parse, Span};

use super::{Diagnostic, Fix, Semantics};

pub(super) struct Context<'a> {
    pub text: &'a str,
    pub parse: &'a Parse,
    pub pack: &'a RulePack,
    pub semantics: &'a Semantics,
    pub includes: &'a super::Includes,
}

impl<'a> Context<'a> {
    /// A diagnostic for `rule` at its default severity from the pack.
    pub fn diagnostic(&self, rule: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        let severity = self
            .pack
            .rule(rule)
            .map(|info| info.severity)
            .unwrap_or(Severity::Warning);
        Diagnostic {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            span,
            fix: None,
            related: Vec::new(),
        }
    }

    /// Content lines of every technique section, including its subsections.
    pub fn technique_lines(&self) -> Vec<&'a crate::syntax::Line> {
        self.lines_of_kind("technique")
    }

    /// Content lines of every section of `kind`, including subsections.
    pub fn lines_of_kind(&self, kind: &str) -> Vec<&'a crate::syntax::Line> {
        let document = &self.parse.document;
        let mut indices: Vec<usize> = self.semantics.sections_of_kind(kind).collect();
        let mut cursor = 0;
        while cursor < indices.len() {
            for &child in &document.sections[indices[cursor]].children {
                if !indices.contains(&child) {
                    indices.push(child);
                }
            }
            cursor += 1;
        }
        indices.sort_unstable();
        indices
            .iter()
            .flat_map(|&index| document.sections[index].lines.iter())
            .collect()
    }

    /// The line break the document already uses, so inserted text matches it.
    pub fn line_break(&self) -> &'static str {
        match memchr::memchr2(b'\n', b'\r', self.text.as_bytes()) {
            Some(index) if self.text.as_bytes()[index] == b'\r' => {
                if self.text.as_bytes().get(index + 1) == Some(&b'\n') {
                    "\r\n"
                } else {
                    "\r"
                }
            }
            _ => "\n",
        }
    }
}

pub(super) fn run_all(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    syntax_errors::check(context, out);
    front_matter::check(context, out);
    required_sections::check(context, out);
    structure::check(context, out);
    fields::check(context, out);
    techniques::check(context, out);
    technique_wording::check(context, out);
    timed_minutes::check(context, out);
    daily_note::check(context, out);
    region::check(context, out);
    code_pairs::check(context, out);
    includes::check(context, out);
}

/// A fix that replaces `span` with `new_text`.
pub(super) fn replace(
    title: impl Into<String>,
    span: Span,
    new_text: impl Into<String>,
    safe: bool,
) -> Fix {
    Fix {
        title: title.into(),
        edits: vec![super::Edit {
            span,
            new_text: new_text.into(),
        }],
        safe,
    }
}
