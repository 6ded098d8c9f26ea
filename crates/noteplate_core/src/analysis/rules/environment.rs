//! `invalid-utf8` and `file-too-large`: what reading the file found, reported like any other rule
//! (the pack's severity, then `[rules]` settings). The faces read the bytes and say what stopped
//! them ([`Unread`]); when it is one of these, this is the only family that runs.

use super::Context;
use crate::analysis::{Diagnostic, Unread};
use crate::rulepack::RuleId;
use crate::syntax::Span;

pub(in crate::analysis) fn check(context: &Context<'_>, unread: Unread, out: &mut Vec<Diagnostic>) {
    match unread {
        Unread::InvalidUtf8 { valid_up_to, byte } => {
            // The text is a lossy copy whose valid prefix is exact, so the position is right;
            // the finding covers the replacement character(s) that follow.
            let text = context.text;
            let start = valid_up_to.min(text.len());
            let mut end = (start + 3).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            out.push(context.diagnostic(
                RuleId::InvalidUtf8,
                Span::new(start, end.max(start)),
                format!(
                    "this file is not valid UTF-8 (byte 0x{byte:02X} at offset {valid_up_to} cannot start a character); re-save it as UTF-8"
                ),
            ));
        }
        Unread::TooLarge { size, limit } => {
            let size = match size {
                Some(size) => format!("{size} bytes"),
                None => format!("more than {limit} bytes"),
            };
            out.push(context.diagnostic(
                RuleId::FileTooLarge,
                Span::empty(0),
                format!(
                    "this file is {size}, over the configured max-file-size of {limit} bytes, so it was not analysed; raise `max-file-size` in noteplate.toml to check it"
                ),
            ));
        }
    }
}
