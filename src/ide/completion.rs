//! Context-aware completion: technique names in technique sections (and in choices or
//! `{{x:technique}}` lines), section titles after `#`, front-matter keys and values, billing codes
//! after `codes:`, and field types after `{{name:`.

use crate::analysis::Settings;
use crate::analysis::semantics::Semantics;
use crate::rulepack::{Billing, RulePack, normalize_phrase};
use crate::syntax::{FIELD_TYPES, FRONT_MATTER_KEYS, Span};

use super::context::{LineContext, heading_of, line_context};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Technique,
    Section,
    FrontMatterKey,
    Value,
    Code,
    FieldType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label.
    pub detail: String,
    /// Markdown shown when the item is selected.
    pub documentation: String,
    /// Text that replaces `replace`.
    pub insert_text: String,
    /// The range the item replaces: what the author has typed of it so far.
    pub replace: Span,
    /// What the client filters on (an abbreviation such as `MFR` when that is what was typed).
    pub filter_text: String,
    /// Sorts before other items when smaller.
    pub sort_text: String,
}

pub fn complete(
    text: &str,
    offset: usize,
    pack: &RulePack,
    settings: &Settings,
) -> Vec<CompletionItem> {
    let context = line_context(text, offset);
    if context.in_front_matter {
        return front_matter(&context, pack);
    }
    if let Some(items) = field_type(&context) {
        return items;
    }
    if context.before.starts_with('#') && heading_of(context.before).is_some() {
        return section_titles(text, &context, pack, settings);
    }
    let line_end = text[context.offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| context.offset + i);
    let whole_line = &text[context.line_start..line_end];
    let in_technique_section = context.headings_above.iter().any(|(_, title)| {
        pack.match_heading(title)
            .is_some_and(|found| found.section.kind == "technique")
    }) || context
        .heading
        .is_some_and(|(_, _)| heading_kind_attribute(text, &context) == Some("technique"));
    let technique_field_line = whole_line.contains(":technique}}");
    if in_technique_section || (technique_field_line && choice_start(context.before).is_some()) {
        return techniques(&context, pack);
    }
    Vec::new()
}

/// `{#kind}` on the nearest heading above, if any.
fn heading_kind_attribute<'a>(text: &'a str, context: &LineContext<'a>) -> Option<&'a str> {
    let (_, title) = context.heading?;
    let title_end = title.as_ptr() as usize - text.as_ptr() as usize + title.len();
    let rest = text[title_end..].split(['\n', '\r']).next()?.trim();
    rest.strip_prefix("{#")?.strip_suffix('}')
}

/// Start of the current choice option, when the cursor is inside `{...`.
fn choice_start(before: &str) -> Option<usize> {
    let open = before.rfind('{')?;
    if before[open..].contains('}')
        || before[..open].ends_with('{')
        || before[open + 1..].starts_with('{')
    {
        return None;
    }
    Some(
        before
            .rfind('|')
            .filter(|&bar| bar > open)
            .map_or(open + 1, |bar| bar + 1),
    )
}

fn techniques(context: &LineContext<'_>, pack: &RulePack) -> Vec<CompletionItem> {
    // What the author has typed of the technique: from the start of the choice option, or from
    // the start of the phrase (after a list marker or punctuation).
    let start = choice_start(context.before).unwrap_or_else(|| {
        context
            .before
            .rfind([',', ';', ':', '(', '-', '*', '{', '|'])
            .map_or(0, |index| index + 1)
    });
    let typed_raw = &context.before[start..];
    let leading = typed_raw.len() - typed_raw.trim_start().len();
    let typed = normalize_phrase(typed_raw);
    let replace = Span::new(context.line_start + start + leading, context.offset);
    let mut items = Vec::new();
    for (index, technique) in pack.techniques.iter().enumerate() {
        let names = std::iter::once(&technique.name)
            .chain(&technique.abbreviations)
            .chain(&technique.synonyms);
        let matched = names
            .into_iter()
            .find(|name| typed.is_empty() || normalize_phrase(name).starts_with(&typed));
        let Some(matched) = matched else { continue };
        let rank = match technique.billing {
            Billing::ManualTherapy => 0,
            Billing::Disputed => 1,
            Billing::Elsewhere => 2,
        };
        let mut documentation = technique.description.clone();
        if !technique.abbreviations.is_empty() {
            documentation.push_str(&format!(
                "\n\nAlso written: {}",
                technique.abbreviations.join(", ")
            ));
        }
        if !technique.note.is_empty() {
            documentation.push_str(&format!("\n\n**Billing:** {}", technique.note));
        }
        items.push(CompletionItem {
            label: technique.name.clone(),
            kind: CompletionKind::Technique,
            detail: match technique.billing {
                Billing::Elsewhere => format!("usually billed as {}, not 97140", technique.code),
                Billing::Disputed => format!("{} (payer-dependent)", technique.code),
                Billing::ManualTherapy => format!("{}: {}", technique.code, technique.description),
            },
            documentation,
            insert_text: technique.name.clone(),
            replace,
            filter_text: if typed.is_empty() {
                technique.name.clone()
            } else {
                matched.clone()
            },
            sort_text: format!("{rank}{index:03}"),
        });
    }
    items
}

fn section_titles(
    text: &str,
    context: &LineContext<'_>,
    pack: &RulePack,
    settings: &Settings,
) -> Vec<CompletionItem> {
    let hashes = context.before.bytes().take_while(|&b| b == b'#').count();
    let after_marker = &context.before[hashes..];
    let leading = after_marker.len() - after_marker.trim_start().len();
    let replace = Span::new(context.line_start + hashes + leading, context.offset);
    let prefix = if leading == 0 { " " } else { "" };
    // Kinds the declared codes need and the template lacks come first.
    let parse = crate::syntax::parse(text);
    let semantics = Semantics::new(text, &parse.document, pack, settings);
    let needed: Vec<&str> = semantics
        .needed_kinds(pack)
        .into_iter()
        .map(|need| need.kind)
        .collect();
    pack.sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let missing = needed.iter().any(|kind| *kind == section.kind)
                && !semantics.has_kind(&section.kind);
            CompletionItem {
                label: section.title.clone(),
                kind: CompletionKind::Section,
                detail: if missing {
                    format!("needed by the declared codes: {}", section.description)
                } else {
                    section.description.clone()
                },
                documentation: format!(
                    "Section kind `{}`. Headings matched to it: {}.",
                    section.kind,
                    section
                        .aliases
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                insert_text: format!("{prefix}{}", section.title),
                replace,
                filter_text: section.title.clone(),
                sort_text: format!("{}{index:03}", if missing { 0 } else { 1 }),
            }
        })
        .collect()
}

fn front_matter(context: &LineContext<'_>, pack: &RulePack) -> Vec<CompletionItem> {
    let Some(colon) = context.before.find(':') else {
        let leading = context.before.len() - context.before.trim_start().len();
        let replace = Span::new(context.line_start + leading, context.offset);
        return FRONT_MATTER_KEYS
            .iter()
            .enumerate()
            .map(|(index, (key, meaning))| CompletionItem {
                label: key.to_string(),
                kind: CompletionKind::FrontMatterKey,
                detail: meaning.to_string(),
                documentation: meaning.to_string(),
                insert_text: format!("{key}: "),
                replace,
                filter_text: key.to_string(),
                sort_text: format!("{index:03}"),
            })
            .collect();
    };
    let key = context.before[..colon].trim().to_ascii_lowercase();
    let value = &context.before[colon + 1..];
    let item_start = value.rfind(',').map_or(0, |index| index + 1);
    let item = &value[item_start..];
    let leading = item.len() - item.trim_start().len();
    let replace = Span::new(
        context.line_start + colon + 1 + item_start + leading,
        context.offset,
    );
    let values: Vec<(String, String, String)> = match key.as_str() {
        "codes" => pack
            .codes
            .iter()
            .map(|code| {
                let kind = if code.timed {
                    "timed, per 15 minutes"
                } else {
                    "untimed"
                };
                (
                    code.code.clone(),
                    code.summary.clone(),
                    format!("{} ({kind})\n\n{}", code.summary, code.documentation),
                )
            })
            .collect(),
        "payer" => pack
            .payers
            .iter()
            .map(|payer| {
                (
                    payer.name.clone(),
                    payer.description.clone(),
                    payer.description.clone(),
                )
            })
            .collect(),
        "type" => pack
            .note_types
            .iter()
            .map(|note_type| {
                let needs = if note_type.requires.is_empty() {
                    String::from("date of service and signature")
                } else {
                    format!(
                        "date of service, signature and {}",
                        note_type.requires.join(", ")
                    )
                };
                (
                    note_type.id.clone(),
                    note_type.title.clone(),
                    format!("{}: needs {needs}.", note_type.title),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let kind = if key == "codes" {
        CompletionKind::Code
    } else {
        CompletionKind::Value
    };
    values
        .into_iter()
        .enumerate()
        .map(|(index, (label, detail, documentation))| CompletionItem {
            insert_text: label.clone(),
            filter_text: label.clone(),
            label,
            kind,
            detail,
            documentation,
            replace,
            sort_text: format!("{index:03}"),
        })
        .collect()
}

fn field_type(context: &LineContext<'_>) -> Option<Vec<CompletionItem>> {
    let open = context.before.rfind("{{")?;
    let inside = &context.before[open + 2..];
    if inside.contains("}}") {
        return None;
    }
    let colon = inside.find(':')?;
    let typed = &inside[colon + 1..];
    let leading = typed.len() - typed.trim_start().len();
    let start = context.line_start + open + 2 + colon + 1 + leading;
    Some(
        FIELD_TYPES
            .iter()
            .enumerate()
            .map(|(index, (name, meaning))| CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::FieldType,
                detail: meaning.to_string(),
                documentation: meaning.to_string(),
                insert_text: name.to_string(),
                replace: Span::new(start, context.offset),
                filter_text: name.to_string(),
                sort_text: format!("{index:03}"),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let offset = text.find("$0").expect("cursor");
        let text = text.replacen("$0", "", 1);
        complete(&text, offset, &RulePack::embedded(), &Settings::default())
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    #[test]
    fn techniques_in_a_technique_section() {
        let found = labels("## Technique\n- $0");
        for name in [
            "joint mobilization",
            "soft tissue mobilization",
            "myofascial release",
            "manual traction",
            "muscle energy technique",
            "manual lymphatic drainage",
            "strain-counterstrain",
        ] {
            assert!(
                found.iter().any(|label| label == name),
                "{name} missing from {found:?}"
            );
        }
    }

    #[test]
    fn abbreviation_offers_the_full_name() {
        assert_eq!(labels("## Technique\n- MFR$0"), vec!["myofascial release"]);
        assert!(
            labels("## Technique\n- {joint mobilization|IAS$0}")
                .contains(&"instrument-assisted soft tissue mobilization".to_string())
        );
    }

    #[test]
    fn no_techniques_outside_technique_sections() {
        assert!(labels("## Response\n- $0").is_empty());
    }

    #[test]
    fn codes_keys_types_and_titles() {
        assert!(labels("---\ncodes: 97140, 971$0\n---\n").contains(&"97110".to_string()));
        assert!(labels("---\ntem$0\n---\n").contains(&"template".to_string()));
        assert!(labels("## Technique\n{{x:$0").contains(&"minutes".to_string()));
        // Editors order by `sort_text`: the kinds the codes need and the template lacks first,
        // in the pack's order.
        let text = "---\ncodes: 97140\n---\n## ";
        let mut items = complete(
            text,
            text.len(),
            &RulePack::embedded(),
            &Settings::default(),
        );
        items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        let first: Vec<&str> = items.iter().take(3).map(|i| i.label.as_str()).collect();
        assert_eq!(first, ["Medical necessity", "Technique", "Response"]);
    }
}
