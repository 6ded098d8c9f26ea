//! Fields and choices: `unknown-field-type`, `conflicting-field-type`, `empty-choice-option` and
//! `single-option-choice`.

use super::{Context, diagnostic as new_diagnostic, placed, replace};
use crate::analysis::lexicon::FxHashMap;
use crate::analysis::{Diagnostic, Related, fuzzy};
use crate::rulepack::{RuleId, RulePack};
use crate::syntax::{FIELD_TYPES, Inline, Line, Span};

use std::rc::Rc;

use crate::analysis::parts::{PartFacts, Parts};

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
    let mut conflicts = context.conflicts.borrow_mut();
    if !conflicts.still_hold(context.parts) {
        *conflicts = Conflicts::find(context.parts, typed_fields);
    }
    let part = |index: usize| {
        context
            .parts
            .iter()
            .nth(index)
            .expect("a part of this analysis")
    };
    for &((at_part, at), (first_part, first)) in &conflicts.found {
        let (at_part, first_part) = (part(at_part), part(first_part));
        let (name, ty, span) = &at_part.facts.typed_fields[at];
        let (_, first_ty, first_span) = &first_part.facts.typed_fields[first];
        let mut diagnostic = context.diagnostic(
            RuleId::ConflictingFieldType,
            span.shifted(at_part.start),
            format!(
                "field `{name}` is `{first_ty}` elsewhere but `{ty}` here; give each meaning its own name or use one type"
            ),
        );
        diagnostic.related.push(Related {
            span: first_span.shifted(first_part.start),
            message: format!("`{name}` is `{first_ty}` here"),
        });
        out.push(diagnostic);
    }
}

/// Where fields are given another type than the one they were first given: ((part, index into
/// its `typed_fields`), (part, index) of the first typing), in document order. Remembered with
/// the parts they were found in (`analysis::Memo`): they depend only on each part's field names
/// and types, not on where the parts are, so after a keystroke that changed no typed field they
/// are not looked for again across the whole document.
#[derive(Default)]
pub(crate) struct Conflicts {
    parts: Vec<Rc<PartFacts>>,
    found: Vec<((usize, usize), (usize, usize))>,
}

impl Conflicts {
    /// Whether these were found in parts with the same typed fields (names and types, in order).
    fn still_hold(&self, parts: &Parts<'_>) -> bool {
        let same = |a: &PartFacts, b: &PartFacts| {
            a.typed_fields.len() == b.typed_fields.len()
                && a.typed_fields
                    .iter()
                    .zip(&b.typed_fields)
                    .all(|((name, ty, _), (other, other_ty, _))| name == other && ty == other_ty)
        };
        self.parts.len() == parts.iter().len()
            && parts
                .iter()
                .zip(&self.parts)
                .all(|(part, known)| Rc::ptr_eq(&part.facts, known) || same(&part.facts, known))
    }

    fn find(parts: &Parts<'_>, typed_fields: usize) -> Conflicts {
        // field name -> (type, lower-cased; where it was first given that type). Sized up front:
        // a long template has thousands of typed fields, and growing the map step by step
        // rehashed every name several times.
        let mut types: FxHashMap<&str, (&str, (usize, usize))> = FxHashMap::default();
        types.reserve(typed_fields);
        let mut found = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            for (at, (name, ty, _)) in part.facts.typed_fields.iter().enumerate() {
                let (first_ty, first) = *types.entry(name).or_insert((ty, (index, at)));
                if first_ty != *ty {
                    found.push(((index, at), first));
                }
            }
        }
        Conflicts {
            parts: parts.iter().map(|part| part.facts.clone()).collect(),
            found,
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
    typed: &mut Vec<(std::sync::Arc<str>, &'static str, Span)>,
) {
    let out = findings;
    {
        for item in &line.items {
            match item {
                Inline::Field(field) => {
                    let Some(ty_span) = field.ty else { continue };
                    // The known type it names, in lower case (what `to_ascii_lowercase` gives).
                    let written = ty_span.text(text);
                    let Some(ty) = crate::syntax::known_field_type(written) else {
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
