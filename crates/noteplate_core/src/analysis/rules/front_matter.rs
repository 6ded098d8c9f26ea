//! Front-matter rules: `unknown-front-matter-key`, `unknown-payer`, `unknown-note-type`,
//! `unknown-code` and `duplicate-code`.

use super::{Context, replace};
use crate::analysis::{Diagnostic, Related, fuzzy};
use crate::rulepack::RuleId;
use crate::syntax::FRONT_MATTER_KEYS;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(front_matter) = &context.parse.document.front_matter else {
        return;
    };
    let text = context.text;
    for entry in &front_matter.entries {
        let key = entry.key.text(text);
        let lower = key.to_ascii_lowercase();
        if !FRONT_MATTER_KEYS.iter().any(|(known, _)| *known == lower) {
            let known = FRONT_MATTER_KEYS.iter().map(|(name, _)| *name);
            let mut diagnostic = context.diagnostic(
                RuleId::UnknownFrontMatterKey,
                entry.key,
                format!("unknown front-matter key `{key}`"),
            );
            match fuzzy::best(&lower, known.clone()) {
                Some(suggestion) => {
                    diagnostic
                        .message
                        .push_str(&format!("; did you mean `{suggestion}`?"));
                    diagnostic.fix = Some(replace(
                        format!("Rename to `{suggestion}`"),
                        entry.key,
                        suggestion,
                        false,
                    ));
                }
                None => diagnostic.message.push_str(&format!(
                    "; known keys are {}",
                    known
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            out.push(diagnostic);
            continue;
        }
        let value = entry.value.text(text).trim();
        match lower.as_str() {
            "payer" => {
                let payers: Vec<&str> = context
                    .pack
                    .payers
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                check_value(
                    context,
                    out,
                    RuleId::UnknownPayer,
                    "payer profile",
                    entry.value,
                    value,
                    &payers,
                )
            }
            // A value that names a type in words (`Initial Evaluation`) is understood.
            "type"
                if context
                    .semantics
                    .note_type
                    .as_deref()
                    .is_some_and(|id| context.pack.note_type(id).is_some()) => {}
            "type" => {
                let note_types: Vec<&str> = context
                    .pack
                    .note_types
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect();
                check_value(
                    context,
                    out,
                    RuleId::UnknownNoteType,
                    "note type",
                    entry.value,
                    value,
                    &note_types,
                )
            }
            _ => {}
        }
    }
    check_codes(context, out);
}

fn check_value(
    context: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    rule: RuleId,
    what: &str,
    span: crate::syntax::Span,
    value: &str,
    allowed: &[&str],
) {
    if value.is_empty()
        || allowed
            .iter()
            .any(|known| known.eq_ignore_ascii_case(value))
    {
        return;
    }
    let list = allowed
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    let mut diagnostic =
        context.diagnostic(rule, span, format!("unknown {what} `{value}`; use {list}"));
    if let Some(suggestion) = fuzzy::best(&value.to_ascii_lowercase(), allowed.iter().copied()) {
        diagnostic
            .message
            .push_str(&format!(" (did you mean `{suggestion}`?)"));
        diagnostic.fix = Some(replace(
            format!("Change to `{suggestion}`"),
            span,
            suggestion,
            false,
        ));
    }
    out.push(diagnostic);
}

fn check_codes(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let codes = &context.semantics.codes;
    // The first declaration of each code, so a duplicate is found in one lookup.
    let mut first_of: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    // The did-you-mean of each unknown code, looked for once per distinct code.
    let mut suggested: rustc_hash::FxHashMap<&str, Option<&str>> = rustc_hash::FxHashMap::default();
    for (index, declared) in codes.iter().enumerate() {
        crate::work::count(1);
        let first_index = *first_of.entry(declared.code.as_str()).or_insert(index);
        if first_index != index {
            let first = &codes[first_index];
            let mut diagnostic = context.diagnostic(
                RuleId::DuplicateCode,
                declared.span,
                format!(
                    "`{}` is declared twice; list each code once with all its modifiers",
                    declared.code
                ),
            );
            diagnostic.related.push(Related {
                span: first.span,
                message: "first declared here".into(),
            });
            out.push(diagnostic);
            continue;
        }
        if context.pack.code(&declared.code).is_none() {
            let known = context.pack.codes.iter().map(|code| code.code.as_str());
            let mut message = format!(
                "noteplate does not know code `{}`, so no documentation rules check it; add it to the project's rule pack or check for a typo",
                declared.code
            );
            let suggestion = *suggested
                .entry(declared.code.as_str())
                .or_insert_with(|| fuzzy::best(&declared.code, known));
            if let Some(suggestion) = suggestion {
                message.push_str(&format!(" (did you mean `{suggestion}`?)"));
            }
            out.push(context.diagnostic(RuleId::UnknownCode, declared.code_span, message));
        }
    }
}
