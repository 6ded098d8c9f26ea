//! `@include` findings: `include-not-found`, `include-outside-root`, `include-cycle`,
//! `include-budget` (nested too deep, or too many bytes with everything included), and
//! `include-findings` (the fragment's own findings, summarised at the include line; they are
//! reported in full when the fragment itself is checked or opened).

use super::Context;
use crate::analysis::{Diagnostic, IncludeOutcome};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for item in &context.includes.items {
        let diagnostic = match &item.outcome {
            IncludeOutcome::NotFound(message) => {
                context.diagnostic("include-not-found", item.span, message.clone())
            }
            IncludeOutcome::OutsideRoot(message) => {
                context.diagnostic("include-outside-root", item.span, message.clone())
            }
            IncludeOutcome::Cycle(message) => {
                context.diagnostic("include-cycle", item.span, message.clone())
            }
            IncludeOutcome::Budget(message) => {
                context.diagnostic("include-budget", item.span, message.clone())
            }
            IncludeOutcome::Found {
                errors,
                warnings,
                first,
                ..
            } if errors + warnings > 0 => context.diagnostic(
                    "include-findings",
                    item.span,
                    format!(
                        "the included fragment has {errors} error(s) and {warnings} warning(s); open it to fix them{}",
                        first.as_ref().map(|f| format!(" (first: {f})")).unwrap_or_default()
                    ),
                ),
            IncludeOutcome::Found { .. } => continue,
        };
        out.push(diagnostic);
    }
}
