//! `missing-region` (payer-rules.md R7, R10; sources S39, S41, S42, S52): a template declaring
//! a manual therapy code (`treatment = "manual-therapy"` in codes.toml: 97140) must capture the
//! body region treated: a `{{name:region}}` field, a field or choice labelled region, area or
//! level, or choices, labels or headings naming body regions. A warning on its own; an error when
//! a manipulation code (`treatment = "manipulation"`: 98940-98943) is declared too, because
//! manual therapy is then payable only for a different region, which the technique section must
//! capture separately.

use super::Context;
use crate::analysis::semantics::line_label;
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::RuleId;
use crate::rulepack::{PhraseNormalizer, Severity, Treatment, contains_any, normalize_phrase};
use crate::syntax::{Inline, Line, Span};

/// Whether the lines capture a body region: a `region` field; a field, wildcard or choice whose
/// label says region, area, location or level; a choice option or a line label naming a region
/// ("Cervical:", `{neck|low back}`). The words are `region_labels` and `regions` in
/// `rulepack/notes.toml`.
fn captures_region<'a>(context: &Context<'_>, lines: impl IntoIterator<Item = &'a Line>) -> bool {
    // Each distinct line is read once (its text alone decides), however many templates hold it.
    lines.into_iter().any(|line| {
        context.line_answer(
            line,
            |answers| &answers.captures_region,
            || line_captures_region(context, line),
        )
    })
}

/// Whether one line captures a body region ([`captures_region`]).
fn line_captures_region(context: &Context<'_>, line: &Line) -> bool {
    let text = context.text;
    let elements = &context.pack.elements;
    // Each label and option is normalised into this one buffer.
    let buffer = std::cell::RefCell::new(String::new());
    let says = |span: Span, phrases: &[String]| {
        let mut words = buffer.borrow_mut();
        words.clear();
        PhraseNormalizer::default().push(span.text(text), &mut words);
        contains_any(&words, phrases)
    };
    let names_region = |span: Span| says(span, &elements.regions);
    if line_label(text, line).is_some_and(names_region) {
        return true;
    }
    let mut label_start = line.span.start;
    line.items.iter().any(|item| {
        let span = match item {
            Inline::Field(field) => {
                if field
                    .ty
                    .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("region"))
                {
                    return true;
                }
                field.span
            }
            Inline::Choice(choice) => {
                if choice.options.iter().any(|&option| names_region(option)) {
                    return true;
                }
                choice.span
            }
            Inline::Wildcard(span) => *span,
            _ => return false,
        };
        let label = Span::new(label_start, span.start);
        label_start = span.end;
        says(label, &elements.region_labels)
    })
}

/// Whether a heading names a body region (`## CERVICAL` over a grid of muscles).
fn heading_names_region(context: &Context<'_>) -> bool {
    context.parse.document.sections.iter().any(|section| {
        contains_any(
            &normalize_phrase(section.heading.title.text(context.text)),
            &context.pack.elements.regions,
        )
    })
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    let Some(manual) = semantics.declared_treatment(context.pack, Treatment::ManualTherapy) else {
        return;
    };
    let manipulation = semantics.declared_treatment(context.pack, Treatment::Manipulation);
    let (found, message) = match manipulation {
        Some(cmt) => (
            captures_region(context, context.technique_lines()),
            format!(
                "with `{}` declared, manual therapy ({}) is payable only for a body region that was not manipulated, and the technique section has no place for that region; add one",
                cmt.code, manual.code
            ),
        ),
        None => (
            captures_region(context, context.parse.document.lines())
                || heading_names_region(context),
            format!(
                "manual therapy ({}) notes must name the body region treated, and the template has no place for it; add a region line to the technique section",
                manual.code
            ),
        ),
    };
    if found {
        return;
    }
    let mut diagnostic = context.diagnostic(RuleId::MissingRegion, manual.span, message);
    if manipulation.is_some() {
        diagnostic.severity = Severity::Error;
    }
    // Offer to add a region line at the end of the first technique section.
    if let Some(index) = semantics.sections_of_kind("technique").next() {
        let section = &context.parse.document.sections[index];
        let at = section
            .lines
            .last()
            .map_or(section.heading.span.end, |line| line.span.end);
        let name = if manipulation.is_some() {
            "manual_therapy_region"
        } else {
            "region"
        };
        diagnostic.fix = Some(Fix {
            title: "Add a region field to the technique section".into(),
            edits: vec![Edit {
                span: Span::empty(at),
                new_text: format!(
                    "{}Region treated: {{{{{name}:region}}}}",
                    context.line_break()
                ),
            }],
            safe: true,
        });
    }
    out.push(diagnostic);
}
