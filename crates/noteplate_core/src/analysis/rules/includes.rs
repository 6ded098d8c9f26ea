//! `@include` findings: `include-not-found`, `include-outside-root`, `include-cycle`,
//! `include-budget` (nested too deep, or too many bytes with everything included), and
//! `include-findings` (the fragment's own findings, summarised at the include line; they are
//! reported in full when the fragment itself is checked or opened).

use super::Context;
use crate::analysis::{Diagnostic, IncludeOutcome};
use crate::rulepack::RuleId;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for item in &context.includes.items {
        let diagnostic = match &item.outcome {
            IncludeOutcome::NotFound(message) => {
                context.diagnostic(RuleId::IncludeNotFound, item.span, message.clone())
            }
            IncludeOutcome::OutsideRoot(message) => {
                context.diagnostic(RuleId::IncludeOutsideRoot, item.span, message.clone())
            }
            IncludeOutcome::Cycle(message) => {
                context.diagnostic(RuleId::IncludeCycle, item.span, message.clone())
            }
            IncludeOutcome::Budget(message) => {
                context.diagnostic(RuleId::IncludeBudget, item.span, message.clone())
            }
            IncludeOutcome::Found {
                errors,
                warnings,
                first,
                ..
            } if errors + warnings > 0 => context.diagnostic(
                    RuleId::IncludeFindings,
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
