//! `unknown-technique`: in a technique section, a choice option or phrase that looks like a
//! technique but is not in the lexicon, with the nearest lexicon name as a suggestion.
//!
//! "Looks like a technique" is decided from the lexicon itself: the last word of every technique
//! name ("release", "mobilization", "traction", ...) is a *head word*. A phrase of up to four
//! words ending in a head word (or a near-miss of one) is compared with the lexicon names of the
//! same length; an exact match is fine, a near miss is reported with the suggestion. A choice
//! option that contains a head word but matches nothing is reported without a suggestion.

use super::{Context, placed};
use crate::analysis::Diagnostic;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // What each run says was worked out (or remembered) in `technique_runs.rs`, and the findings
    // per part in `parts.rs`.
    for part in context.technique_parts() {
        let facts = part.technique(context.text, context.pack, &context.lexicon);
        out.extend(
            facts
                .findings
                .iter()
                .map(|finding| placed(part, context.pack, finding)),
        );
    }
}
