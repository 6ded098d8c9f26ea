//! Modifiers: `missing-modifier` (two declared codes form a pair from the pack's pair table and
//! the side that must carry its modifier, 59/X{EPSU} or an E/M visit's 25, does not; severity
//! follows the pair's confidence, so low-confidence pairs are only `info`) and
//! `missing-therapy-modifier` (a payer profile that wants GP/GO/GN on therapy codes, R12).

use super::Context;
use crate::analysis::semantics::DeclaredCode;
use crate::analysis::{Diagnostic, Edit, Fix, Related};
use crate::rulepack::RuleId;
use crate::rulepack::{Confidence, ModifierRole, PairSide, Severity};
use crate::syntax::Span;

fn add_modifier_fix(code: &DeclaredCode, modifier: &str) -> Fix {
    Fix {
        title: format!("Add -{modifier} to {}", code.code),
        edits: vec![Edit {
            span: Span::empty(code.span.end),
            new_text: format!("-{modifier}"),
        }],
        safe: false,
    }
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let codes = &context.semantics.codes;
    routine_distinct_modifier(context, out);
    for pair in &context.pack.pairs {
        if pair.indicator != 1 {
            continue;
        }
        let first = codes.iter().find(|c| pair.first.contains(&c.code));
        let second = codes.iter().find(|c| pair.second.contains(&c.code));
        let (Some(first), Some(second)) = (first, second) else {
            continue;
        };
        let (carrier, other) = if pair.modifier_on == PairSide::First {
            (first, second)
        } else {
            (second, first)
        };
        if carrier.modifiers.iter().any(|m| pair.modifiers.contains(m)) {
            continue;
        }
        let preferred = &pair.modifiers[0];
        let mut diagnostic = context.diagnostic(
            RuleId::MissingModifier,
            carrier.span,
            format!(
                "`{}` billed with `{}` needs {} on `{}`: {} (confidence: {:?})",
                carrier.code,
                other.code,
                pair.modifiers
                    .iter()
                    .map(|m| format!("-{m}"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                carrier.code,
                pair.condition,
                pair.confidence
            )
            .replace(
                "(confidence: Low)",
                "(low confidence: verify against the current NCCI table)",
            )
            .replace("(confidence: Medium)", "(medium confidence)")
            .replace("(confidence: High)", ""),
        );
        diagnostic.message = diagnostic.message.trim_end().to_string();
        diagnostic.severity = match pair.confidence {
            Confidence::High => Severity::Error,
            Confidence::Medium => Severity::Warning,
            Confidence::Low => Severity::Info,
        }
        .min(diagnostic.severity.max(Severity::Info));
        diagnostic.related.push(Related {
            span: other.span,
            message: format!("`{}` is declared here", other.code),
        });
        diagnostic.fix = Some(add_modifier_fix(carrier, preferred));
        out.push(diagnostic);
    }

    therapy_modifiers(context, out);
}

/// `routine-59`: every declared code (two or more) carries 59 or X{EPSU}. The modifier says one
/// service was distinct from another; printed on every line of a template it is applied by
/// routine, which payers audit (payer-rules.md 3.3, [S70] [S74] [S71]).
fn routine_distinct_modifier(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let codes = &context.semantics.codes;
    let distinct = |code: &DeclaredCode| {
        code.modifiers
            .iter()
            .any(|m| context.pack.modifier_is(m, ModifierRole::Distinct))
    };
    if codes.len() < 2 || !codes.iter().all(distinct) {
        return;
    }
    let mut diagnostic = context.diagnostic(
        RuleId::Routine59,
        codes[0].span,
        "every code of this template carries 59 or an X modifier; the modifier belongs only on the code that is really separate from another one that day, so leave it to the clinician per visit",
    );
    for code in &codes[1..] {
        diagnostic.related.push(Related {
            span: code.span,
            message: format!("`{}` carries one too", code.code),
        });
    }
    out.push(diagnostic);
}

fn therapy_modifiers(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let codes = &context.semantics.codes;
    let Some(profile) = context
        .semantics
        .payer
        .as_deref()
        .and_then(|p| context.pack.payer(p))
    else {
        return;
    };
    if !profile.therapy_modifiers {
        return;
    }
    // "GP (physical therapy), GO (occupational) or GN (speech)", from the modifier table.
    let therapy: Vec<String> = context
        .pack
        .modifiers_with(ModifierRole::Therapy)
        .map(|m| format!("{} ({})", m.modifier, m.discipline))
        .collect();
    let therapy_list = match therapy.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => therapy.concat(),
    };
    let preferred = context.pack.modifiers_with(ModifierRole::Therapy).next();
    for code in codes {
        let Some(known) = context.pack.code(&code.code) else {
            continue;
        };
        if !known.therapy
            || code
                .modifiers
                .iter()
                .any(|m| context.pack.modifier_is(m, ModifierRole::Therapy))
        {
            continue;
        }
        let mut diagnostic = context.diagnostic(
            RuleId::MissingTherapyModifier,
            code.span,
            format!(
                "under the {} profile every therapy line needs {}; add one to `{}`",
                profile.name, therapy_list, code.code
            ),
        );
        diagnostic.fix = preferred.map(|modifier| add_modifier_fix(code, &modifier.modifier));
        out.push(diagnostic);
    }
}
