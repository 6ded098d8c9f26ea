//! `unknown-technique`: in a technique section, a choice option or phrase that looks like a
//! technique but is not in the lexicon, with the nearest lexicon name as a suggestion.
//!
//! "Looks like a technique" is decided from the lexicon itself: the last word of every technique
//! name ("release", "mobilization", "traction", ...) is a *head word*. A phrase of up to four
//! words ending in a head word (or a near-miss of one) is compared with the lexicon names of the
//! same length; an exact match is fine, a near miss is reported with the suggestion. A choice
//! option that contains a head word but matches nothing is reported without a suggestion.

use super::{Context, replace};
use crate::analysis::Diagnostic;
use crate::rulepack::RuleId;
use crate::syntax::Span;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // What each run says was worked out (or remembered) in `technique_runs.rs`.
    for run in context.technique_runs() {
        for miss in &run.facts.misses {
            let span = Span::new(
                run.span.start + miss.span.start,
                run.span.start + miss.span.end,
            );
            let mut diagnostic = context.diagnostic(
                RuleId::UnknownTechnique,
                span,
                format!(
                    "`{}` is not in the technique lexicon; did you mean `{}`?",
                    span.text(context.text),
                    miss.suggestion
                ),
            );
            diagnostic.fix = Some(replace(
                format!("Replace with `{}`", miss.suggestion),
                span,
                miss.suggestion.as_str(),
                false,
            ));
            out.push(diagnostic);
        }
        if run.facts.unknown_option {
            let written = run.span.text(context.text).trim();
            out.push(context.diagnostic(
                RuleId::UnknownTechnique,
                run.span,
                format!(
                    "`{written}` is not in the technique lexicon, so reviewers may not match it to a billing code; use a lexicon name or add it to the project's rule pack"
                ),
            ));
        }
    }
}
