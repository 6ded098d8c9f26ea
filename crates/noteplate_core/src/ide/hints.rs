//! Inlay hints: short notes the editor shows inside the text, where the author looks.
//!
//! - After a heading whose kind came from its title (an alias or a head word, not `{#kind}`) and
//!   whose title is not simply the kind's own title: the kinds it was matched to
//!   (`## A/P` -> `: assessment, plan`).
//! - After a `{{name:minutes}}` field: how its minutes become units under the template's payer
//!   profile (`pooled: 8+ min = 1 unit`), or that no declared code is timed.

use crate::analysis::Semantics;
use crate::analysis::semantics::KindReason;
use crate::rulepack::{RulePack, UnitMethod, normalize_phrase};
use crate::syntax::{Inline, Parse, Span};

use super::hover;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    /// The section kind a heading was matched to.
    SectionKind,
    /// How a minutes field turns into units.
    Units,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InlayHint {
    /// Where the hint goes (just after what it is about).
    pub offset: usize,
    pub label: String,
    /// Markdown shown when the pointer rests on the hint.
    pub tooltip: String,
    pub kind: HintKind,
}

/// The hints for what overlaps `range` of `text`, in document order.
pub fn inlay_hints(
    text: &str,
    parse: &Parse,
    semantics: &Semantics,
    pack: &RulePack,
    range: Span,
) -> Vec<InlayHint> {
    let overlaps = |span: Span| span.start <= range.end && range.start <= span.end;
    let mut hints = Vec::new();
    for (index, section) in parse.document.sections.iter().enumerate() {
        let heading = &section.heading;
        if !overlaps(heading.span) {
            continue;
        }
        let Some(info) = semantics.sections.get(index) else {
            continue;
        };
        let (Some(kind), KindReason::Alias(by) | KindReason::Word(by)) = (&info.kind, &info.reason)
        else {
            continue;
        };
        let title = normalize_phrase(heading.title.text(text));
        let own_title = pack
            .section(kind)
            .is_some_and(|section| normalize_phrase(&section.title) == title);
        if info.also.is_empty() && (own_title || title == normalize_phrase(kind)) {
            continue; // `## Technique` is a technique section: nothing to add
        }
        let kinds: Vec<&str> = std::iter::once(kind.as_str())
            .chain(info.also.iter().map(String::as_str))
            .collect();
        let how = match &info.reason {
            KindReason::Alias(_) => "the alias",
            _ => "the word",
        };
        hints.push(InlayHint {
            offset: heading.span.end,
            label: format!(": {}", kinds.join(", ")),
            tooltip: format!(
                "Recognised as {} by {how} \"{by}\"; write `{{#kind}}` after the title to say otherwise.",
                kinds
                    .iter()
                    .map(|kind| format!("`{kind}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            kind: HintKind::SectionKind,
        });
    }
    let declared_timed = semantics
        .codes
        .iter()
        .filter(|code| pack.code(&code.code).is_some_and(|known| known.timed))
        .count();
    for line in parse.document.lines() {
        if !overlaps(line.span) {
            continue;
        }
        for item in &line.items {
            let Inline::Field(field) = item else { continue };
            if !field
                .ty
                .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("minutes"))
            {
                continue;
            }
            let label = if !semantics.codes.is_empty() && declared_timed == 0 {
                "no timed code declared".to_string()
            } else {
                let how = match hover::payer_profile(semantics, pack).map(|p| p.unit_method) {
                    Some(UnitMethod::PerCode) => "per code",
                    _ => "pooled",
                };
                format!("{how}: 8+ min = 1 unit")
            };
            hints.push(InlayHint {
                offset: field.span.end,
                label,
                tooltip: hover::minutes_hover(field.span, semantics, pack).markdown,
                kind: HintKind::Units,
            });
        }
    }
    hints.sort_by_key(|hint| hint.offset);
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Settings;

    fn hints(text: &str) -> Vec<(String, String)> {
        let pack = RulePack::embedded();
        let parse = crate::syntax::parse(text);
        let semantics = Semantics::new(text, &parse.document, &pack, &Settings::default());
        inlay_hints(text, &parse, &semantics, &pack, Span::new(0, text.len()))
            .into_iter()
            .map(|hint| (text[..hint.offset].to_string(), hint.label))
            .collect()
    }

    #[test]
    fn alias_headings_show_the_kinds_they_were_matched_to() {
        let text = "## A/P\nx\n## Technique\ny\n## Plan {#response}\nz\n";
        let found = hints(text);
        assert_eq!(
            found,
            [("## A/P".to_string(), ": assessment, plan".to_string())]
        );
    }

    #[test]
    fn minutes_fields_show_how_units_are_counted() {
        let medicare =
            "---\ncodes: 97140\npayer: medicare\n---\n## Time\nTotal: {{t:minutes}} min\n";
        let found = hints(medicare);
        let field_end = medicare.find(" min\n").unwrap();
        assert!(
            found
                .iter()
                .any(|(before, label)| before.len() == field_end
                    && label == "pooled: 8+ min = 1 unit"),
            "{found:?}"
        );
        let commercial = medicare.replace("medicare", "commercial");
        assert!(
            hints(&commercial)
                .iter()
                .any(|(_, label)| label == "per code: 8+ min = 1 unit")
        );
        let untimed = "---\ncodes: 97161\n---\n## Time\n{{t:minutes}}\n";
        assert!(
            hints(untimed)
                .iter()
                .any(|(_, label)| label == "no timed code declared"),
            "{:?}",
            hints(untimed)
        );
        // Only minutes fields.
        assert!(hints("## Time\n{{t:number}} {{u}}\n").is_empty());
    }

    #[test]
    fn only_the_range_asked_for() {
        let text = "## A/P\n{{t:minutes}}\n";
        let pack = RulePack::embedded();
        let parse = crate::syntax::parse(text);
        let semantics = Semantics::new(text, &parse.document, &pack, &Settings::default());
        let second_line = text.find("{{").unwrap();
        let found = inlay_hints(
            text,
            &parse,
            &semantics,
            &pack,
            Span::new(second_line, text.len()),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, HintKind::Units);
    }
}
