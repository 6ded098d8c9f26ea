//! `syntax-error`: what the grammar rejected, as the parser described it.

use super::Context;
use crate::analysis::Diagnostic;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for error in &context.parse.errors {
        out.push(context.diagnostic("syntax-error", error.span, error.message.clone()));
    }
}
