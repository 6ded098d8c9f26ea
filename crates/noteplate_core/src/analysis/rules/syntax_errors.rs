//! `syntax-error`: what the grammar rejected, as the parser described it.
//!
//! A line with more than [`PER_LINE`] errors gets its first `PER_LINE - 1` one by one and one
//! finding that counts the rest. A line of 100,000 `{` is 50,000 unclosed fields, and reporting each
//! helps no one (the first fix changes the rest); every line's first problems stay visible.

use super::Context;
use crate::analysis::Diagnostic;
use crate::rulepack::RuleId;

/// The most syntax-error findings one line gets.
pub(crate) const PER_LINE: usize = 8;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let bytes = context.text.as_bytes();
    let mut errors: Vec<_> = context.parse.errors.iter().collect();
    errors.sort_by_key(|error| error.span.start);
    let mut index = 0;
    while index < errors.len() {
        // The errors starting on the same line as this one.
        let mut end = index + 1;
        while end < errors.len() {
            let from = errors[end - 1].span.start.min(bytes.len());
            let to = errors[end].span.start.clamp(from, bytes.len());
            if memchr::memchr2(b'\n', b'\r', &bytes[from..to]).is_some() {
                break;
            }
            end += 1;
        }
        let line = &errors[index..end];
        let shown = if line.len() > PER_LINE {
            PER_LINE - 1
        } else {
            line.len()
        };
        for error in &line[..shown] {
            out.push(context.diagnostic(RuleId::SyntaxError, error.span, error.message.clone()));
        }
        if let Some(first_hidden) = line.get(shown) {
            let hidden = line.len() - shown;
            out.push(context.diagnostic(
                RuleId::SyntaxError,
                first_hidden.span,
                format!(
                    "{hidden} more syntax error{} on this line, not listed one by one; fix the ones \
                     before it first, which often removes the rest",
                    if hidden == 1 { "" } else { "s" }
                ),
            ));
        }
        index = end;
    }
}
