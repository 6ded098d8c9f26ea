//! Time documentation for timed codes: `missing-minutes` (a timed code is declared and the template
//! captures no minutes at all) and, for daily notes, `missing-total-minutes` (total timed-code
//! minutes and total treatment minutes, payer-rules.md R3, sources S7, S15).

use super::Context;
use super::required_sections::insert_section_fix;
use crate::analysis::inputs::Input;
use crate::analysis::semantics::{field_words, line_label};
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::{PhraseNormalizer, contains_any, normalize_phrase};
use crate::rulepack::{RuleId, RulePack};
use crate::syntax::{Inline, Line, Span};

/// A `{{name:minutes}}` field with the words around it, for telling totals apart.
struct MinutesField<'m> {
    /// Field name and the words before it on its line (back to the previous field), normalised.
    context: &'m str,
}

/// Calls `visit` with each field that captures minutes, in document order, until it returns
/// `false`: fields typed `minutes`, and fields of other types whose label or name says minutes
/// (`Time spent (min): {{mt_time:number}}`; the words are `minutes` in `rulepack/notes.toml`).
/// Each part found its own (`parts.rs`, with [`line_minutes`]).
fn visit_minutes_fields(context: &Context<'_>, mut visit: impl FnMut(MinutesField<'_>) -> bool) {
    for part in context.parts.iter() {
        for field in &part.facts.minutes {
            if !visit(MinutesField { context: field }) {
                return;
            }
        }
    }
}

/// The contexts of the inputs of `line` that capture minutes, in order (none without an input:
/// only fields and blanks, `***` or underscores, capture minutes). `parts.rs` remembers them per distinct line
/// (`LineFacts`).
pub(crate) fn line_minutes(text: &str, line: &Line, pack: &RulePack) -> Vec<String> {
    // A line with no input but choices gives none: `minutes_fields` keeps fields and blanks
    // alone, so it needs no look at the inputs beforehand (`has_input`, a second pass).
    minutes_fields(text, pack, line)
}

/// What follows the third space from the end of `words` (all of them with fewer spaces). Found
/// byte by byte: a space is one byte, and the char searcher of `rmatch_indices`, set up per
/// label, cost more than the reading (this runs for each input of each distinct line).
fn last_three_words(words: &str) -> &str {
    words
        .bytes()
        .enumerate()
        .rev()
        .filter(|&(_, byte)| byte == b' ')
        .nth(2)
        .map_or(words, |(space, _)| &words[space + 1..])
}

/// The contexts (field name and label, normalised) of the inputs of `line` that capture minutes:
/// fields, and `***` blanks by their label or unit alone (`Duration (minutes): ***`,
/// `x *** min`), as a translator may write a form's blank either way.
fn minutes_fields(text: &str, pack: &RulePack, line: &Line) -> Vec<String> {
    let minutes_words = &pack.elements.minutes;
    // Each input (a field, or `None` for a blank) with its span and where its label starts:
    // after the previous input or choice, whose options are not the input's label
    // ("{Ice x 10 min|Heat} Other: {{other}}" labels it "Other").
    let mut inputs: Vec<(Option<&crate::syntax::Field>, Span, usize)> = Vec::new();
    let mut input_end = line.span.start;
    for input in crate::analysis::inputs::inputs(text, line) {
        match input {
            Input::Field(field) => {
                inputs.push((Some(field), field.span, input_end));
                input_end = field.span.end;
            }
            // `***`, or a blank of underscores (`Duration (minutes): ____`).
            Input::Blank(span) => {
                inputs.push((None, span, input_end));
                input_end = span.end;
            }
            Input::Choice(span, _) => input_end = span.end,
        }
    }
    let mut found = Vec::new();
    // The words before and after each input, normalised into the same two buffers for every
    // input (this runs on the first sight of each distinct line with an input).
    let normalised = |span: Span, out: &mut String| {
        out.clear();
        PhraseNormalizer::default().push(span.text(text), out);
    };
    let (mut label, mut after) = (String::new(), String::new());
    for (index, &(field, span, label_start)) in inputs.iter().enumerate() {
        // The words that label an input are those between the previous input or choice and it;
        // the words after it, up to the next input, may give its unit ("x {{t:number}} min").
        let next_start = inputs
            .get(index + 1)
            .map_or(line.span.end, |next| next.1.start);
        normalised(Span::new(label_start, span.start), &mut label);
        normalised(Span::new(span.end, next_start), &mut after);
        let name = field.map_or_else(String::new, |field| field_words(field.name.text(text)));
        let ty = field.and_then(|field| field.ty).map(|ty| ty.text(text));
        let typed_minutes = ty.is_some_and(|ty| ty.eq_ignore_ascii_case("minutes"));
        let typed_other = ty.is_some_and(|ty| {
            ["date", "region", "technique"]
                .iter()
                .any(|other| ty.eq_ignore_ascii_case(other))
        });
        // Its last three words (the label is normalised, so single spaces separate its words).
        let label_end = last_three_words(&label);
        let after_start = after.split(' ').next().unwrap_or_default();
        let says_minutes = || {
            !typed_other
                && (contains_any(&name, minutes_words)
                    || contains_any(label_end, minutes_words)
                    || contains_any(after_start, minutes_words))
        };
        if typed_minutes || says_minutes() {
            found.push(format!("{name} {label}"));
        }
    }
    found
}

/// Whether a label or field name anywhere says billed units.
fn captures_units(context: &Context<'_>) -> bool {
    let text = context.text;
    let elements = &context.pack.elements;
    context.parse.document.lines().any(|line| {
        line_label(text, line)
            .is_some_and(|label| elements.says_units(&normalize_phrase(label.text(text))))
            || line.items.iter().any(|item| {
                matches!(item, Inline::Field(field)
                    if elements.says_units(&field_words(field.name.text(text))))
            })
    })
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
    let elements = &context.pack.elements;
    let says = |words: &str, any: &[String]| any.iter().any(|word| words.contains(word.as_str()));
    let mut any_field = false;
    let mut has_timed_total = false;
    let mut has_treatment_total = false;
    visit_minutes_fields(context, |f| {
        any_field = true;
        if !daily {
            return false;
        }
        // "timed + untimed" labels the treatment total, not the timed one. The words are matched
        // as text, not as whole words.
        let says_timed =
            says(f.context, &elements.timed_totals) && !says(f.context, &elements.not_timed_totals);
        let says_total = says(f.context, &elements.totals);
        has_timed_total |= says_total && says_timed;
        has_treatment_total |= !says_timed
            && ((says_total && says(f.context, &elements.treatment_totals))
                || says(f.context, &elements.session_lengths));
        !(has_timed_total && has_treatment_total)
    });

    if !any_field && captures_units(context) {
        let mut diagnostic = context.diagnostic(
            RuleId::UnitsWithoutMinutes,
            anchor,
            format!(
                "{} {} billed per 15 minutes, and the template records units but not the minutes behind them; payers check units against documented minutes, so record the minutes",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" }
            ),
        );
        diagnostic.fix = time_fix(context, &[]);
        out.push(diagnostic);
        return;
    }
    if !any_field {
        let mut diagnostic = context.diagnostic(
            RuleId::MissingMinutes,
            anchor,
            format!(
                "{} {} billed per 15 minutes, and the template has no place for the minutes that support the units; add the treatment minutes",
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
    for (present, line) in [
        (has_timed_total, &elements.timed_total_line),
        (has_treatment_total, &elements.treatment_total_line),
    ] {
        if !present {
            // "Total timed-code minutes: {{...}}" is missing "total timed-code minutes".
            missing.push(line.split(':').next().unwrap_or(line).trim().to_lowercase());
            lines.push(line.as_str());
        }
    }
    if missing.is_empty() {
        return;
    }
    let mut diagnostic = context.diagnostic(
        RuleId::MissingTotalMinutes,
        anchor,
        format!(
            "a daily treatment note must record {}, so a reviewer can check the units billed; add a line for {}",
            missing.join(" and "),
            if missing.len() == 1 { "it" } else { "each" }
        ),
    );
    diagnostic.fix = time_fix(context, &lines);
    out.push(diagnostic);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The byte reading gives what `rmatch_indices(' ')` gave: what follows the third
        /// space from the end, whatever the words (spaces doubled, at the ends, non-ASCII).
        #[test]
        fn last_three_words_follow_the_third_space_from_the_end(words in "[a é1]{0,24}") {
            let by_chars = words
                .rmatch_indices(' ')
                .nth(2)
                .map_or(words.as_str(), |(space, _)| &words[space + 1..]);
            prop_assert_eq!(super::last_three_words(&words), by_chars);
        }
    }
}
