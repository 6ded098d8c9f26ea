//! Hover: what a technique name, a billing code, a heading or a minutes field means, and a rule id
//! in a suppression comment (the rule's documentation, as `noteplate explain` prints it).

use crate::analysis::Semantics;
use crate::analysis::semantics::KindReason;
use crate::analysis::{mentions, suppressions, units};
use crate::rulepack::{Billing, PayerProfile, RulePack, UnitMethod};
use crate::syntax::{Comment, Inline, Line, Parse, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub markdown: String,
    pub span: Span,
}

pub fn hover(
    text: &str,
    offset: usize,
    parse: &Parse,
    semantics: &Semantics,
    pack: &RulePack,
) -> Option<Hover> {
    let document = &parse.document;
    if let Some(comment) = document.comments.iter().find(|c| c.body.touches(offset)) {
        return rule_hover(text, comment, offset, pack);
    }
    if let Some(declared) = semantics
        .codes
        .iter()
        .find(|code| code.span.touches(offset))
    {
        return code_hover(declared, pack);
    }
    if let Some(index) = document
        .sections
        .iter()
        .position(|s| s.heading.span.touches(offset))
    {
        return Some(heading_hover(text, index, parse, semantics, pack));
    }
    let line = document.lines().find(|line| line.span.touches(offset))?;
    for item in &line.items {
        if let Inline::Field(field) = item
            && field.span.touches(offset)
            && field
                .ty
                .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("minutes"))
        {
            return Some(minutes_hover(field.span, semantics, pack));
        }
    }
    technique_hover(text, line, offset, pack)
}

fn code_hover(
    declared: &crate::analysis::semantics::DeclaredCode,
    pack: &RulePack,
) -> Option<Hover> {
    let code = pack.code(&declared.code)?;
    let mut markdown = format!(
        "**{}**: {}\n\n{}",
        code.code,
        code.summary,
        if code.timed {
            "Timed: billed per 15 minutes (8-minute rule)."
        } else {
            "Untimed: one unit per session."
        }
    );
    if !code.requires.is_empty() {
        markdown.push_str(&format!(
            "\n\nRequires sections: {}.",
            code.requires.join(", ")
        ));
    }
    if !code.recommends.is_empty() {
        markdown.push_str(&format!("\n\nRecommends: {}.", code.recommends.join(", ")));
    }
    if !code.documentation.is_empty() {
        markdown.push_str(&format!("\n\n{}", code.documentation));
    }
    if !declared.modifiers.is_empty() {
        markdown.push_str(&format!(
            "\n\nModifiers: {}.",
            declared.modifiers.join(", ")
        ));
    }
    Some(Hover {
        markdown,
        span: declared.span,
    })
}

fn heading_hover(
    text: &str,
    index: usize,
    parse: &Parse,
    semantics: &Semantics,
    pack: &RulePack,
) -> Hover {
    let heading = &parse.document.sections[index].heading;
    let info = &semantics.sections[index];
    let describe = |kind: &str| {
        pack.section(kind)
            .map(|s| s.description.as_str())
            .unwrap_or("")
            .to_string()
    };
    let also = if info.also.is_empty() {
        String::new()
    } else {
        format!(
            "\n\nThe title also counts as: {}.",
            info.also
                .iter()
                .map(|kind| format!("**{kind}**"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let markdown = match (&info.kind, &info.reason) {
        (Some(kind), KindReason::Attribute) => format!(
            "Section kind **{kind}**, set by the `{{#{kind}}}` attribute.\n\n{}{also}",
            describe(kind)
        ),
        (Some(kind), KindReason::Alias(alias)) => format!(
            "Section kind **{kind}**: the title (or a part of it) matches \"{alias}\" (case, punctuation, numbering and abbreviations are ignored).\n\n{}{also}",
            describe(kind)
        ),
        (Some(kind), KindReason::Word(word)) => format!(
            "Section kind **{kind}**: the main word of the title is \"{word}\". If that is wrong, set the kind with `{{#kind}}`.\n\n{}{also}",
            describe(kind)
        ),
        (None, _) if info.guess.is_some() => format!(
            "No section kind yet: \"{}\" contains a word of **{}**, but not as its main word. Add `{{#{}}}` if it is that section.",
            heading.title.text(text),
            info.guess.as_deref().unwrap_or_default(),
            info.guess.as_deref().unwrap_or_default(),
        ),
        _ => format!(
            "No section kind: \"{}\" matches no known title. Add `{{#kind}}` to the heading to give it one ({}).",
            heading.title.text(text),
            pack.sections
                .iter()
                .map(|s| format!("`{}`", s.kind))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Hover {
        markdown,
        span: heading.span,
    }
}

/// The documentation of the rule id at `offset` in a suppression comment.
fn rule_hover(text: &str, comment: &Comment, offset: usize, pack: &RulePack) -> Option<Hover> {
    let (id, span) = suppressions::rules_in_comment(text, comment)
        .into_iter()
        .find(|(_, span)| span.touches(offset))?;
    let rule = pack.rule(id.parse().ok()?)?;
    Some(Hover {
        markdown: rule.documentation(),
        span,
    })
}

/// The payer profile that decides the template's units: its own (`payer:` or the settings'
/// default), else the pack's first one.
pub(super) fn payer_profile<'p>(
    semantics: &Semantics,
    pack: &'p RulePack,
) -> Option<&'p PayerProfile> {
    semantics
        .payer
        .as_deref()
        .and_then(|payer| pack.payer(payer))
        .or_else(|| pack.payers.first())
}

/// How the template's payer profile (the pack's first one when it names none the pack knows)
/// turns minutes into units.
pub(super) fn minutes_hover(span: Span, semantics: &Semantics, pack: &RulePack) -> Hover {
    let profile = payer_profile(semantics, pack);
    let name = profile.map_or(String::new(), |profile| {
        let mut chars = profile.name.chars();
        chars.next().map_or(String::new(), |first| {
            first.to_uppercase().chain(chars).collect::<String>()
        })
    });
    let mut markdown = match profile.map(|profile| profile.unit_method) {
        Some(UnitMethod::PerCode) => format!(
            "Minutes of a timed code. {name} profile: each code is rounded on its own (8 minutes or more make a unit).\n\n",
        ),
        _ => format!(
            "Minutes of a timed code. {name} profile: the day's timed minutes are pooled, then turned into units:\n\n",
        ),
    };
    markdown.push_str("| Units | Minutes |\n|---|---|\n");
    for (units, first, last) in units::unit_table(6) {
        markdown.push_str(&format!("| {units} | {first}–{last} |\n"));
    }
    Hover { markdown, span }
}

/// The technique named at `offset`, recognised as the rules recognise it
/// ([`mentions::technique_mentions`]).
fn technique_hover(text: &str, line: &Line, offset: usize, pack: &RulePack) -> Option<Hover> {
    let mention = mentions::technique_mentions(text, line, pack)
        .into_iter()
        .find(|mention| mention.span.touches(offset))?;
    let (span, index) = (mention.span, mention.technique);
    let technique = &pack.techniques[index];
    let mut markdown = format!(
        "**{}**: {}\n\nUsually billed as {}.",
        technique.name, technique.description, technique.code
    );
    match technique.billing {
        Billing::ManualTherapy => {}
        Billing::Disputed => markdown.push_str(&format!("\n\n**Disputed:** {}", technique.note)),
        Billing::Elsewhere => {
            markdown.push_str(&format!("\n\n**Billed elsewhere:** {}", technique.note))
        }
    }
    if !technique.abbreviations.is_empty() {
        markdown.push_str(&format!(
            "\n\nAlso written: {}.",
            technique.abbreviations.join(", ")
        ));
    }
    Some(Hover { markdown, span })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Settings;

    fn hover_at(text: &str, needle: &str) -> Option<Hover> {
        let pack = RulePack::embedded();
        let parse = crate::syntax::parse(text);
        let semantics = Semantics::new(text, &parse.document, &pack, &Settings::default());
        hover(text, text.find(needle)? + 1, &parse, &semantics, &pack)
    }

    #[test]
    fn hovers_codes_techniques_and_headings() {
        let text = "---\ncodes: 97140-GP\n---\n## Technique\n- MFR and myofascial release to {{m:minutes}}\n";
        assert!(hover_at(text, "97140").unwrap().markdown.contains("Timed"));
        assert!(
            hover_at(text, "## Tech")
                .unwrap()
                .markdown
                .contains("**technique**")
        );
        let technique = hover_at(text, "fascial").unwrap();
        assert!(
            technique.markdown.starts_with("**myofascial release**"),
            "{}",
            technique.markdown
        );
        assert_eq!(technique.span.text(text), "myofascial release");
        assert!(
            hover_at(text, "MFR")
                .unwrap()
                .markdown
                .contains("myofascial")
        );
        assert!(
            hover_at(text, "{{m:")
                .unwrap()
                .markdown
                .contains("| 1 | 8–22 |")
        );
        // Neither the list marker nor a choice brace is part of the name.
        let text = "## Technique\n- {joint mobilization|MFR}\n- {soft tissue|joint} mobilization\n";
        let choice = hover_at(text, "joint").unwrap();
        assert_eq!(choice.span.text(text), "joint mobilization");
        assert_eq!(hover_at(text, "MFR").unwrap().span.text(text), "MFR");
        assert!(hover_at(text, "oint} mob").is_none_or(|h| !h.span.text(text).contains('}')));
    }

    #[test]
    fn rule_ids_in_suppression_comments_show_their_documentation() {
        let text = "<!-- noteplate-disable-next-line missing-time, vague-technique -- why -->\n## Technique\n- massage\n";
        let found = hover_at(text, "vague-technique").unwrap();
        assert_eq!(found.span.text(text), "vague-technique");
        assert!(
            found.markdown.starts_with("## `vague-technique`"),
            "{}",
            found.markdown
        );
        let first = hover_at(text, "missing-time").unwrap();
        assert_eq!(first.span.text(text), "missing-time");
        // Not the reason, not another comment, not an unknown id.
        assert_eq!(hover_at(text, "why"), None);
        assert_eq!(hover_at("<!-- vague-technique -->", "vague"), None);
        assert_eq!(hover_at("<!-- noteplate-disable nope -->", "nope"), None);
    }

    /// Hover recognises techniques exactly as the rules do: it used to name muscle energy
    /// technique for "met" in "Goals met", which the rules (abbreviations need two capitals) do
    /// not count.
    #[test]
    fn hover_names_only_what_the_rules_recognise() {
        let text =
            "## Technique\n- MET to {{region:region}}\nGoals met: {yes|no}\n- joint mobilisation\n";
        let met = hover_at(text, "MET").unwrap();
        assert!(
            met.markdown.starts_with("**muscle energy technique**"),
            "{}",
            met.markdown
        );
        assert_eq!(hover_at(text, "met:"), None);
        let british = hover_at(text, "mobilisation").unwrap();
        assert_eq!(british.span.text(text), "joint mobilisation");
    }

    #[test]
    fn heading_hovers_say_which_kind_and_why() {
        let text =
            "## P \u{2014} PLAN\n***\n## Goals met\n***\n## A/P\n***\n## Home exercise log\n***\n";
        let plan = hover_at(text, "P \u{2014}").unwrap().markdown;
        assert!(
            plan.contains("**plan**") && plan.contains("matches"),
            "{plan}"
        );
        let goals = hover_at(text, "Goals met").unwrap().markdown;
        assert!(
            goals.contains("**goals**") && goals.contains("main word"),
            "{goals}"
        );
        let both = hover_at(text, "A/P").unwrap().markdown;
        assert!(
            both.contains("**assessment**") && both.contains("**plan**"),
            "{both}"
        );
        let guess = hover_at(text, "Home exercise").unwrap().markdown;
        assert!(guess.contains("{#intervention}"), "{guess}");
    }
}
