//! Fields and choices: `unknown-field-type`, `conflicting-field-type`, `empty-choice-option` and
//! `single-option-choice`.

use super::{Context, diagnostic as new_diagnostic, placed, replace};
use crate::analysis::lexicon::FxHashMap;
use crate::analysis::{Diagnostic, Related, fuzzy};
use crate::rulepack::{RuleId, RulePack};
use crate::syntax::{FIELD_TYPES, Inline, Line, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let pack = context.pack;
    // What each part found about its own fields and choices (`line_findings`), and its typed
    // fields for the check across the document.
    let typed_fields: usize = context
        .parts
        .iter()
        .map(|part| {
            out.extend(
                part.facts
                    .field_findings
                    .iter()
                    .map(|finding| placed(part, pack, finding)),
            );
            part.facts.typed_fields.len()
        })
        .sum();
    // field name -> (type, lower-cased; where it was first given that type). Sized up front: a
    // long template has thousands of typed fields, and growing the map step by step rehashed
    // every name several times.
    let mut types: FxHashMap<&str, (&str, Span)> = FxHashMap::default();
    types.reserve(typed_fields);
    for part in context.parts.iter() {
        for (name, ty, span) in &part.facts.typed_fields {
            let ty_span = span.shifted(part.start);
            let (first_ty, first_span) = *types.entry(name).or_insert((ty, ty_span));
            if first_ty != *ty {
                let mut diagnostic = context.diagnostic(
                    RuleId::ConflictingFieldType,
                    ty_span,
                    format!(
                        "field `{name}` is `{first_ty}` elsewhere but `{ty}` here; give each meaning its own name or use one type"
                    ),
                );
                diagnostic.related.push(Related {
                    span: first_span,
                    message: format!("`{name}` is `{first_ty}` here"),
                });
                out.push(diagnostic);
            }
        }
    }
}

/// What one line's fields and choices show on their own: `unknown-field-type`,
/// `single-option-choice` and `empty-choice-option` findings (into `findings`), and each field of
/// a known type as (name, type in lower case, span of the type) into `typed`.
pub(crate) fn line_findings(
    pack: &RulePack,
    text: &str,
    line: &Line,
    findings: &mut Vec<Diagnostic>,
    typed: &mut Vec<(Box<str>, &'static str, Span)>,
) {
    let out = findings;
    {
        for item in &line.items {
            match item {
                Inline::Field(field) => {
                    let Some(ty_span) = field.ty else { continue };
                    // The known type it names, in lower case (what `to_ascii_lowercase` gives).
                    let written = ty_span.text(text);
                    let Some(&(ty, _)) = FIELD_TYPES
                        .iter()
                        .find(|(known, _)| known.eq_ignore_ascii_case(written))
                    else {
                        let ty = written.to_ascii_lowercase();
                        let known = FIELD_TYPES.iter().map(|(name, _)| *name);
                        let mut diagnostic = new_diagnostic(
                            pack,
                            RuleId::UnknownFieldType,
                            ty_span,
                            format!(
                                "unknown field type `{}`; use one of {}",
                                ty_span.text(text),
                                known
                                    .clone()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                        if let Some(suggestion) = fuzzy::best(&ty, known) {
                            diagnostic.message = format!(
                                "unknown field type `{}`; did you mean `{suggestion}`?",
                                ty_span.text(text)
                            );
                            diagnostic.fix = Some(replace(
                                format!("Change to `{suggestion}`"),
                                ty_span,
                                suggestion,
                                false,
                            ));
                        }
                        out.push(diagnostic);
                        continue;
                    };
                    typed.push((field.name.text(text).into(), ty, ty_span));
                }
                Inline::Choice(choice) => {
                    if choice.options.len() < 2 {
                        let mut diagnostic = new_diagnostic(
                            pack,
                            RuleId::SingleOptionChoice,
                            choice.span,
                            "a choice needs two or more options separated by `|`; for literal braces write `\\{` and `\\}`",
                        );
                        let inner = choice.options.first().map(|o| o.text(text)).unwrap_or("");
                        diagnostic.fix = Some(replace(
                            "Write the braces literally",
                            choice.span,
                            format!("\\{{{inner}\\}}"),
                            false,
                        ));
                        out.push(diagnostic);
                        continue;
                    }
                    for (position, option) in choice.options.iter().enumerate() {
                        if !option.text(text).trim().is_empty() {
                            continue;
                        }
                        // Remove the empty option together with one adjacent `|`.
                        let removal = if position == 0 {
                            Span::new(option.start, option.end + 1)
                        } else {
                            Span::new(option.start - 1, option.end)
                        };
                        let mut diagnostic = new_diagnostic(
                            pack,
                            RuleId::EmptyChoiceOption,
                            if option.is_empty() {
                                Span::new(option.start.saturating_sub(1), option.end + 1)
                            } else {
                                *option
                            },
                            "this choice has an empty option; remove the extra `|` or write the option's text",
                        );
                        diagnostic.fix =
                            Some(replace("Remove the empty option", removal, "", true));
                        out.push(diagnostic);
                    }
                }
                _ => {}
            }
        }
    }
}
