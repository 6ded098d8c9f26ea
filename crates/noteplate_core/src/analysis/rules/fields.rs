//! Fields and choices: `unknown-field-type`, `conflicting-field-type`, `empty-choice-option` and
//! `single-option-choice`.

use super::{Context, replace};
use crate::analysis::lexicon::FxHashMap;
use crate::analysis::{Diagnostic, Related, fuzzy};
use crate::rulepack::RuleId;
use crate::syntax::{FIELD_TYPES, Inline, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let text = context.text;
    // field name -> (type as written, lower-cased; where it was first given that type)
    let mut types: FxHashMap<&str, (&str, Span)> = FxHashMap::default();
    // Sized up front: a long template has thousands of typed fields, and growing the map step by
    // step rehashed every name several times.
    let typed_fields = context
        .parse
        .document
        .lines()
        .flat_map(|line| &line.items)
        .filter(|item| matches!(item, Inline::Field(field) if field.ty.is_some()))
        .count();
    types.reserve(typed_fields);
    for line in context.parse.document.lines() {
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
                        let mut diagnostic = context.diagnostic(
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
                    let name = field.name.text(text);
                    let (first_ty, first_span) = *types.entry(name).or_insert((ty, ty_span));
                    if first_ty != ty {
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
                Inline::Choice(choice) => {
                    if choice.options.len() < 2 {
                        let mut diagnostic = context.diagnostic(
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
                        let mut diagnostic = context.diagnostic(
                            RuleId::EmptyChoiceOption,
                            if option.is_empty() { Span::new(option.start.saturating_sub(1), option.end + 1) } else { *option },
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
