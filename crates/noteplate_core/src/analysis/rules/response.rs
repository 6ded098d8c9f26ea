//! `canned-response`: the patient's response is only pre-written wording or a tick box, with no
//! measure and no comparison with an earlier visit (payer-rules.md 1.3 and 4.3, [S7] [S15]
//! [S43]). Reviewers read "tolerated treatment well" as no response at all. The wording that
//! makes a response more than canned is data (`response_measures` in `rulepack/notes.toml`).

use super::Context;
use crate::analysis::Diagnostic;
use crate::rulepack::RuleId;
use crate::rulepack::{contains_any, normalize_phrase};
use crate::syntax::{Inline, Line, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    if !semantics.is_note() {
        return;
    }
    let mut lines = context.lines_of_kind("response");
    let document = &context.parse.document;
    // A labelled response line inside another section counts with the line itself.
    let mut anchor = semantics
        .sections_of_kind("response")
        .next()
        .map(|index| document.sections[index].heading.span);
    // Lines looked up by position in the element's part (`Parts::line_in`); lines taken by start.
    let mut taken: rustc_hash::FxHashSet<usize> = lines.iter().map(|l| l.span.start).collect();
    for element in semantics.elements.iter().filter(|e| e.kind == "response") {
        anchor.get_or_insert(element.span);
        if let Some(line) = context.parts.line_in(element.section, element.span.start)
            && element.span.end <= line.span.end
            && taken.insert(line.span.start)
        {
            lines.push(line);
        }
    }
    let Some(anchor) = anchor else { return };
    if lines.is_empty() || lines.iter().any(|line| open_ended(context, line)) {
        return;
    }
    out.push(context.diagnostic(
        RuleId::CannedResponse,
        anchor,
        "the patient's response is only pre-written wording; give the clinician room to record a measure (pain, range, distance) or a comparison with the last visit",
    ));
}

/// Whether a line lets the clinician write something of their own or names a measure: a field
/// that is not a pick from a list, a wildcard, or measure and comparison words in its text or
/// options.
fn open_ended(context: &Context<'_>, line: &Line) -> bool {
    let text = context.text;
    let measures = &context.pack.elements.response_measures;
    let says = |span: Span| contains_any(&normalize_phrase(span.text(text)), measures);
    line.items.iter().any(|item| match item {
        Inline::Field(_) | Inline::Wildcard(_) => true,
        Inline::Choice(choice) => choice.options.iter().any(|&option| says(option)),
        Inline::Text(span) => says(*span),
        Inline::Escape(_) => false,
    })
}
