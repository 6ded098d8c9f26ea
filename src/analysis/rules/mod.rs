//! The rules, one file per family. Each family is a function that reads a [`Context`] and pushes
//! diagnostics; none of them knows about the others.

mod fields;
mod front_matter;
mod required_sections;
mod structure;
mod syntax_errors;
mod techniques;

use crate::rulepack::{RulePack, Severity};
use crate::syntax::{Parse, Span};

use super::{Diagnostic, Fix, Semantics};

pub(super) struct Context<'a> {
    pub text: &'a str,
    pub parse: &'a Parse,
    pub pack: &'a RulePack,
    pub semantics: &'a Semantics,
}

impl Context<'_> {
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
