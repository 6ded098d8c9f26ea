//! What a technique section offers: `vague-technique` (only generic wording such as "manual
//! therapy", R6), `billed-elsewhere` (a technique usually billed under another code offered under
//! 97140, R15) and `technique-needs` (what a technique requires the template to capture, e.g.
//! limb measurements for manual lymphatic drainage, R16, or a grade for joint mobilization).

use super::Context;
use crate::analysis::mentions::{LazyNormalized, find_phrase};
use crate::analysis::parts::TechniqueFacts;
use crate::analysis::{Diagnostic, Related};
use crate::rulepack::RuleId;
use crate::rulepack::{Billing, Treatment, normalize_phrase};
use crate::syntax::Inline;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let document = &context.parse.document;
    let sections = context.sections_of_kind_nested("technique");
    // The content lines of the technique sections, in order (not collected: a long template has
    // tens of thousands).
    let lines = || {
        sections
            .iter()
            .flat_map(|&index| document.sections[index].lines.iter())
    };
    let Some(first_line) = lines().next() else {
        return;
    };
    let pack = context.pack;
    let text = context.text;
    // What each technique part's wording says, in document order.
    let facts: Vec<(usize, &TechniqueFacts)> = sections
        .iter()
        .map(|&index| {
            let part = context.parts.section(index);
            (part.start, part.technique(text, pack, &context.lexicon))
        })
        .collect();
    // Every technique named, in document order: (technique index, span, generic wording).
    let mentions = || {
        facts.iter().flat_map(|&(start, facts)| {
            facts
                .mentions
                .iter()
                .map(move |&(technique, span, vague)| (technique, span.shifted(start), vague))
        })
    };
    // A `{{x:technique}}` field draws its values from the lexicon, so it is specific too.
    let technique_field = facts.iter().any(|(_, facts)| facts.technique_field);
    let manual_therapy = context
        .semantics
        .declared_treatment(pack, Treatment::ManualTherapy);
    let bills_manual_therapy = manual_therapy.is_some();

    // vague-technique (97140 only): generic wording and no specific technique at all.
    // A named technique is specific even if billed elsewhere (that has its own rule), unless the
    // name written is itself generic ("massage" names Swedish massage, but says nothing).
    let specific = technique_field || mentions().any(|(_, _, vague)| !vague);
    let vague = bills_manual_therapy && !specific;
    let vague_phrase = if vague {
        find_phrase(text, lines(), &pack.vague)
    } else {
        None
    };
    // missing-technique (97140 only): a technique section that names no technique, has no
    // generic wording either and leaves no room to write one (a `***` or a field), while no line
    // of the template names one: the section is there in name only ("## Manual therapy" over a
    // minutes line).
    let room_to_write = lines()
        .flat_map(|line| &line.items)
        .any(|item| matches!(item, Inline::Wildcard(_) | Inline::Field(_)));
    let named_elsewhere = context
        .semantics
        .elements
        .iter()
        .any(|element| &*element.kind == "technique");
    if vague && vague_phrase.is_none() && !room_to_write && !named_elsewhere {
        let anchor = manual_therapy.map_or(first_line.span, |code| code.span);
        out.push(context.diagnostic(
            RuleId::MissingTechnique,
            anchor,
            format!(
                "manual therapy ({}) needs the specific technique used, and the technique section names none; offer named techniques such as joint mobilization or myofascial release",
                manual_therapy.map_or("", |code| code.code.as_str())
            ),
        ));
    }
    if let Some(span) = vague_phrase {
        out.push(context.diagnostic(
            RuleId::VagueTechnique,
            span,
            format!(
                "`{}` does not say which technique was used; reviewers deny manual therapy without a specific technique, so offer named techniques such as joint mobilization, soft tissue mobilization or myofascial release",
                span.text(text)
            ),
        ));
    }

    // billed-elsewhere: only meaningful when the template bills manual therapy.
    if bills_manual_therapy {
        for (technique_index, span, _) in mentions() {
            let technique = &pack.techniques[technique_index];
            if technique.billing != Billing::Elsewhere {
                continue;
            }
            out.push(context.diagnostic(
                RuleId::BilledElsewhere,
                span,
                format!(
                    "{} is usually billed as {}, not as manual therapy ({}); document it under that code or remove it from this section. {}",
                    technique.name,
                    technique.code,
                    manual_therapy.map_or("", |code| code.code.as_str()),
                    technique.note
                ),
            ));
        }
    }

    // technique-needs: each need once per technique, on its first mention.
    // Needs are met by wording anywhere: text, headings, field names (`limb_girth`).
    // The text is normalised lazily, only as far as a search needs (`LazyNormalized`), each
    // distinct line once across analyses (the lexicon's memo).
    let mut whole_text = LazyNormalized::new(text, Some(&context.lexicon.normal_lines));
    // Techniques whose needs were looked at (on their first mention): a long template names the
    // same few techniques thousands of times.
    let mut seen = vec![false; pack.techniques.len()];
    for (technique_index, span, _) in mentions() {
        if std::mem::replace(&mut seen[technique_index], true) {
            continue;
        }
        let technique = &pack.techniques[technique_index];
        for need in &technique.needs {
            let phrases: Vec<String> = need
                .any_of
                .iter()
                .map(|phrase| format!(" {} ", normalize_phrase(phrase)))
                .collect();
            if whole_text.contains_any(&phrases) {
                continue;
            }
            let mut diagnostic = context.diagnostic(
                need.rule,
                span,
                format!(
                    "{} is offered, so the template should also capture {}",
                    technique.name, need.what
                ),
            );
            if let Some(severity) = need.severity {
                diagnostic.severity = severity;
            }
            if !technique.note.is_empty() {
                diagnostic.related.push(Related {
                    span,
                    message: technique.note.clone(),
                });
            }
            out.push(diagnostic);
        }
    }
}
