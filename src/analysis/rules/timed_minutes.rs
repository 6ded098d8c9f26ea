//! Time documentation for timed codes: `missing-minutes` (a timed code is declared and the template
//! captures no minutes at all) and, for daily notes, `missing-total-minutes` (total timed-code
//! minutes and total treatment minutes, payer-rules.md R3, sources S7, S15).

use super::Context;
use super::required_sections::insert_section_fix;
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::normalize_phrase;
use crate::syntax::{Inline, Span};

/// A `{{name:minutes}}` field with the words around it, for telling totals apart.
struct MinutesField {
    /// Field name and the words before it on its line (back to the previous field), normalised.
    context: String,
}

/// Calls `visit` with each minutes field in document order until it returns `false`.
fn visit_minutes_fields(context: &Context<'_>, mut visit: impl FnMut(MinutesField) -> bool) {
    let text = context.text;
    for line in context.parse.document.lines() {
        // The words that label a field are those between the previous field and it.
        let mut label_start = line.span.start;
        for item in &line.items {
            let Inline::Field(field) = item else { continue };
            let label = Span::new(label_start, field.span.start);
            label_start = field.span.end;
            if field
                .ty
                .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("minutes"))
            {
                let field = MinutesField {
                    context: format!(
                        "{} {}",
                        normalize_phrase(&field.name.text(text).replace('_', " ")),
                        normalize_phrase(label.text(text))
                    ),
                };
                if !visit(field) {
                    return;
                }
            }
        }
    }
}

/// Adds the Time section, or appends `lines` (or, when empty, the section's skeleton) to the
/// existing one.
fn time_fix(context: &Context<'_>, lines: &[&str]) -> Option<Fix> {
    let time = context.pack.section("time")?;
    let document = &context.parse.document;
    let existing = context.semantics.sections_of_kind("time").next();
    Some(match existing {
        None => insert_section_fix(context, time),
        Some(index) => {
            let section = &document.sections[index];
            let at = section
                .lines
                .last()
                .map_or(section.heading.span.end, |line| line.span.end);
            let newline = context.line_break();
            Fix {
                title: "Add minute totals to the Time section".into(),
                edits: vec![Edit {
                    span: Span::empty(at),
                    new_text: if lines.is_empty() {
                        format!(
                            "{newline}{}",
                            time.skeleton.trim_end().replace('\n', newline)
                        )
                    } else {
                        lines
                            .iter()
                            .map(|line| format!("{newline}{line}"))
                            .collect()
                    },
                }],
                safe: true,
            }
        }
    })
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    let timed: Vec<usize> = semantics
        .codes
        .iter()
        .enumerate()
        .filter(|(_, declared)| {
            context
                .pack
                .code(&declared.code)
                .is_some_and(|code| code.timed)
        })
        .map(|(index, _)| index)
        .collect();
    let Some(&first_timed) = timed.first() else {
        return;
    };
    let anchor = semantics.codes[first_timed].span;
    let names: Vec<&str> = timed
        .iter()
        .map(|&i| semantics.codes[i].code.as_str())
        .collect();

    // One pass over the minutes fields, stopping as soon as the outcome is known (a long
    // template has hundreds): any field at all, and for daily notes the two totals.
    let daily = semantics.is_daily_note(context.pack);
    let mut any_field = false;
    let mut has_timed_total = false;
    let mut has_treatment_total = false;
    visit_minutes_fields(context, |f| {
        any_field = true;
        if !daily {
            return false;
        }
        // "timed + untimed" labels the treatment total, not the timed one.
        let says_timed = f.context.contains("timed") && !f.context.contains("untimed");
        has_timed_total |= f.context.contains("total") && says_timed;
        has_treatment_total |= f.context.contains("total")
            && !says_timed
            && ["treatment", "session", "visit", "time"]
                .iter()
                .any(|word| f.context.contains(word));
        !(has_timed_total && has_treatment_total)
    });

    if !any_field {
        let mut diagnostic = context.diagnostic(
            "missing-minutes",
            anchor,
            format!(
                "{} {} billed per 15 minutes, but the template captures no minutes; add a `{{{{name:minutes}}}}` field so the note shows the time that supports the units",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" }
            ),
        );
        diagnostic.fix = time_fix(context, &[]);
        out.push(diagnostic);
        return;
    }

    if !daily {
        return;
    }
    let mut missing = Vec::new();
    let mut lines = Vec::new();
    if !has_timed_total {
        missing.push("total timed-code minutes");
        lines.push("Total timed-code minutes: {{timed_minutes:minutes}}");
    }
    if !has_treatment_total {
        missing.push("total treatment minutes");
        lines.push("Total treatment minutes: {{total_minutes:minutes}}");
    }
    if missing.is_empty() {
        return;
    }
    let mut diagnostic = context.diagnostic(
        "missing-total-minutes",
        anchor,
        format!(
            "a daily treatment note must record {}; add {}",
            missing.join(" and "),
            lines
                .iter()
                .map(|line| format!("`{line}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    );
    diagnostic.fix = time_fix(context, &lines);
    out.push(diagnostic);
}
