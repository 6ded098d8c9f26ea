//! Daily treatment-note elements (payer-rules.md R1 and R5, sources S7, S15, S17): the date of
//! service (`missing-date`) and the signature with credentials (`missing-signature`). They apply
//! to daily notes: `type: daily`, or no `type:` under a payer profile whose notes are daily by
//! default (Medicare).

use super::Context;
use super::required_sections::insert_section_fix;
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::normalize_phrase;
use crate::syntax::{Inline, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    if !semantics.is_daily_note(context.pack) {
        return;
    }
    let text = context.text;
    let document = &context.parse.document;
    let anchor = anchor(context);
    let signature_sections: Vec<usize> = semantics.sections_of_kind("signature").collect();

    let mut has_date = false;
    // A signature field only matters without a signature section: treat it as found then.
    let mut has_signature_field = semantics.has_kind("signature");
    // Stops at the first field that settles both questions (a long template has thousands).
    'fields: for (section_index, lines) in std::iter::once((None, &document.preamble)).chain(
        document
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (Some(i), &s.lines)),
    ) {
        let in_signature = section_index.is_some_and(|i| signature_sections.contains(&i));
        for line in lines {
            for item in &line.items {
                let Inline::Field(field) = item else { continue };
                let is_date = field
                    .ty
                    .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("date"));
                // The name only matters for what is still unknown.
                let date_question = is_date && !in_signature && !has_date;
                if !date_question && has_signature_field {
                    continue;
                }
                let name = normalize_phrase(&field.name.text(text).replace('_', " "));
                if date_question && names_date_of_service(&name) {
                    has_date = true;
                }
                if !has_signature_field
                    && [
                        "sign",
                        "signature",
                        "credential",
                        "clinician",
                        "therapist",
                        "provider",
                    ]
                    .iter()
                    .any(|w| name.contains(w))
                {
                    has_signature_field = true;
                }
                if has_date && has_signature_field {
                    break 'fields;
                }
            }
        }
    }

    if !has_date {
        let mut diagnostic = context.diagnostic(
            "missing-date",
            anchor,
            "a daily treatment note must show the date of service; add a field such as `Date of service: {{date_of_service:date}}`",
        );
        let (at, prefix, suffix) = date_insertion(context);
        diagnostic.fix = Some(Fix {
            title: "Add a date-of-service field".into(),
            edits: vec![Edit {
                span: Span::empty(at),
                new_text: format!("{prefix}Date of service: {{{{date_of_service:date}}}}{suffix}"),
            }],
            safe: true,
        });
        out.push(diagnostic);
    }

    if !semantics.has_kind("signature") && !has_signature_field {
        let mut diagnostic = context.diagnostic(
            "missing-signature",
            anchor,
            "a daily treatment note must be signed by the clinician with credentials; add a \"Signature\" section with the clinician's name and credentials",
        );
        diagnostic.fix = context
            .pack
            .section("signature")
            .map(|kind| insert_section_fix(context, kind));
        out.push(diagnostic);
    }
}

/// Whether a date field's name means the date of service (not an onset or birth date).
fn names_date_of_service(name: &str) -> bool {
    name == "date"
        || [
            "service",
            "visit",
            "treatment",
            "session",
            "encounter",
            "dos",
            "today",
        ]
        .iter()
        .any(|word| name.split(' ').any(|part| part == *word))
}

/// Where daily-note findings sit: the `type:` entry, else `payer:`, else the first code, else
/// the start of the document.
fn anchor(context: &Context<'_>) -> Span {
    let text = context.text;
    if let Some(front_matter) = &context.parse.document.front_matter {
        for key in ["type", "payer"] {
            if let Some(entry) = front_matter.entry(text, key) {
                return entry.span;
            }
        }
    }
    context
        .semantics
        .codes
        .first()
        .map_or(Span::empty(0), |code| code.span)
}

/// After the first heading line when it is a level-1 title, else after the front matter, else
/// at the very start.
fn date_insertion(context: &Context<'_>) -> (usize, String, String) {
    let newline = context.line_break();
    let document = &context.parse.document;
    if let Some(first) = document.sections.first()
        && first.heading.level == 1
    {
        return (first.heading.span.end, newline.to_string(), String::new());
    }
    if let Some(front_matter) = &document.front_matter {
        return (front_matter.span.end, newline.to_string(), String::new());
    }
    (0, String::new(), newline.to_string())
}
