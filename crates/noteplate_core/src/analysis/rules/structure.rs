//! Section structure: `unknown-section-kind` (a `{#kind}` the pack lacks) and `duplicate-section`
//! (two sibling sections of one kind with the same title).

use std::collections::hash_map::Entry;

use super::{Context, replace};
use crate::analysis::lexicon::FxHashMap;
use crate::analysis::{Diagnostic, Related, fuzzy};
use crate::rulepack::RuleId;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let document = &context.parse.document;
    let text = context.text;
    for section in &document.sections {
        let Some(attribute) = &section.heading.attribute else {
            continue;
        };
        let kind = attribute.kind.text(text);
        // Kinds are almost always written in lower case already: no copy for those.
        let known = if kind.bytes().any(|byte| byte.is_ascii_uppercase()) {
            context.pack.section(&kind.to_ascii_lowercase()).is_some()
        } else {
            context.pack.section(kind).is_some()
        };
        if known {
            continue;
        }
        let kinds = context.pack.sections.iter().map(|s| s.kind.as_str());
        let mut diagnostic = context.diagnostic(
            RuleId::UnknownSectionKind,
            attribute.kind,
            format!(
                "unknown section kind `{kind}`; use one of {}",
                kinds
                    .clone()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        if let Some(suggestion) = fuzzy::best(&kind.to_ascii_lowercase(), kinds) {
            diagnostic.message =
                format!("unknown section kind `{kind}`; did you mean `{suggestion}`?");
            diagnostic.fix = Some(replace(
                format!("Change to `{suggestion}`"),
                attribute.kind,
                suggestion,
                false,
            ));
        }
        out.push(diagnostic);
    }

    let sections = &context.semantics.sections;
    let mut parents: Vec<Option<usize>> = vec![None; document.sections.len()];
    for (parent, section) in document.sections.iter().enumerate() {
        for &child in &section.children {
            if let Some(slot) = parents.get_mut(child) {
                *slot = Some(parent);
            }
        }
    }
    // (parent, level, title) -> the first section with them, so the scan stays linear.
    let mut firsts: FxHashMap<(Option<usize>, u8, &str), usize> = FxHashMap::default();
    for (index, info) in sections.iter().enumerate() {
        let Some(kind) = &info.kind else { continue };
        let level = document.sections[index].heading.level;
        // Only siblings (same level, same parent) duplicate each other: `## Cervical/### Technique`
        // and `## Lumbar/### Technique` are two regions, not a duplicate.
        // Only the same title twice is a duplicate: `Short-term goals` beside `Long-term goals`,
        // or `Therapeutic exercise` beside `Gait training`, are parts of one kind, not repeats.
        // The title normalised, remembered with the heading's kind (`SectionInfo::title_words`).
        let title = info.title_words.as_str();
        let first = match firsts.entry((parents[index], level, title)) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
        };
        if let Some(earlier) = first {
            let mut diagnostic = context.diagnostic(
                RuleId::DuplicateSection,
                document.sections[index].heading.span,
                format!(
                    "a \"{kind}\" section with this title already exists at this level; merge the two so reviewers find everything in one place",
                ),
            );
            diagnostic.related.push(Related {
                span: document.sections[earlier].heading.span,
                message: "the first one is here".into(),
            });
            out.push(diagnostic);
        }
    }
}
