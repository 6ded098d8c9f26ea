//! `missing-region` (payer-rules.md R7, R10; sources S39, S41, S42, S52): a template declaring
//! 97140 must capture the body region treated with a `{{name:region}}` field. A warning on its
//! own; an error when a chiropractic manipulation code (98940-98943) is declared too, because
//! manual therapy is then payable only for a different region, which the technique section must
//! capture separately.

use super::Context;
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::Severity;
use crate::syntax::{Inline, Line, Span};

const MANUAL_THERAPY: &str = "97140";
const MANIPULATION: &[&str] = &["98940", "98941", "98942", "98943"];

fn has_region_field<'a>(text: &str, lines: impl IntoIterator<Item = &'a Line>) -> bool {
    lines.into_iter().any(|line| {
        line.items.iter().any(|item| {
            matches!(item, Inline::Field(field) if field.ty.is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("region")))
        })
    })
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    let Some(manual) = semantics.codes.iter().find(|c| c.code == MANUAL_THERAPY) else {
        return;
    };
    let manipulation = semantics
        .codes
        .iter()
        .find(|c| MANIPULATION.contains(&c.code.as_str()));
    let technique_lines = context.technique_lines();
    let (found, message) = match manipulation {
        Some(cmt) => (
            has_region_field(context.text, technique_lines.iter().copied()),
            format!(
                "with `{}` declared, 97140 is payable only for a region that was not manipulated; capture that region in the technique section with a `{{{{manual_therapy_region:region}}}}` field",
                cmt.code
            ),
        ),
        None => (
            has_region_field(context.text, context.parse.document.lines()),
            "97140 notes should name the body region treated; add a `{{region:region}}` field (e.g. in the technique section)".to_string(),
        ),
    };
    if found {
        return;
    }
    let mut diagnostic = context.diagnostic("missing-region", manual.span, message);
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
