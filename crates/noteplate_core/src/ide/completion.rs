//! Context-aware completion: technique names in technique sections (and in choices or
//! `{{x:technique}}` lines), section titles after `#`, section kinds after `{#`, front-matter keys
//! and values, billing codes after `codes:` and modifiers after a code's `-`, field types after
//! `{{name:`, and rule ids in suppression comments. Nothing in field names, other comments, or after
//! a label's `:`. Every edit replaces the whole word under the cursor, not only what precedes it.

use crate::analysis::semantics::{Semantics, line_label};
use crate::rulepack::{Billing, RulePack, normalize_phrase};
use crate::syntax::{
    FIELD_TYPES, FRONT_MATTER_KEYS, Inline, Line, Parse, Span, is_include_line, line_end,
};

use super::context::{LineContext, kind_attribute, line_context, open_field, word_end};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Technique,
    Section,
    FrontMatterKey,
    Value,
    Code,
    Modifier,
    FieldType,
    SectionKind,
    Rule,
    /// A `.note` file after `@include`.
    File,
    /// A folder after `@include` (its items end with `/`).
    Folder,
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
    /// The range the item replaces: the whole word under the cursor (what the author has typed of
    /// it and the rest of that word).
    pub replace: Span,
    /// What the client filters on (an abbreviation such as `MFR` when that is what was typed).
    pub filter_text: String,
    /// Sorts before other items when smaller.
    pub sort_text: String,
}

/// The completions at `offset` of `text`, whose parse and semantic model are `parse` and
/// `semantics` (the analysis of exactly this text: where the cursor is comes from the tree).
pub fn complete(
    text: &str,
    offset: usize,
    parse: &Parse,
    semantics: &Semantics,
    pack: &RulePack,
) -> Vec<CompletionItem> {
    let context = line_context(text, parse, offset);
    if let Some(comment) = &context.comment {
        return suppression_rules(text, &context, comment.body.start, pack);
    }
    if context.in_front_matter {
        return front_matter(text, &context, pack);
    }
    if include_path_at(text, parse, offset).is_some() {
        return Vec::new(); // paths: the language server lists the files (`include_paths`)
    }
    if let Some(open) = open_field(context.before) {
        return field_type(text, &context, open);
    }
    if let Some(heading) = context.heading_line {
        if let Some(start) = kind_attribute(context.before) {
            return section_kinds(text, &context, start, pack);
        }
        return section_titles(text, &context, heading, parse, semantics, pack);
    }
    // A technique section as the rules see it: its kind (from the title or `{#technique}`), or a
    // kind its combined title also names, on the cursor's section or one around it.
    let in_technique_section = context.sections.iter().any(|&index| {
        semantics.sections.get(index).is_some_and(|section| {
            section.kind.as_deref() == Some("technique")
                || section.also.iter().any(|kind| kind == "technique")
        })
    });
    let line = parse
        .document
        .lines()
        .find(|line| line.span.touches(context.offset));
    let technique_field_line = line.is_some_and(|line| {
        line.items.iter().any(|item| {
            matches!(item, Inline::Field(field) if field.ty.is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("technique")))
        })
    });
    let in_choice = choice_start(context.before).is_some();
    // After a label (`Region: `) comes its value, not a technique, unless the label names
    // techniques (`Techniques used: `); a choice lists techniques.
    if (in_technique_section && (in_choice || !after_label(text, line, semantics, context.offset)))
        || (technique_field_line && in_choice)
    {
        return techniques(text, &context, pack);
    }
    Vec::new()
}

/// Where the cursor is in an `@include` path, for completing it from the file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludePath {
    /// The folder part typed before the cursor (`shared/` of `shared/resp`), relative to the
    /// document's folder; empty for the document's folder itself.
    pub folder: String,
    /// What the chosen name replaces: the path's last part, up to the end of the path.
    pub replace: Span,
}

/// The `@include` path the cursor is in (also just after `@include `, before any path): an
/// include line of the parse (the one definition, [`is_include_line`]), outside comments and the
/// front matter.
pub fn include_path_at(text: &str, parse: &Parse, offset: usize) -> Option<IncludePath> {
    let context = line_context(text, parse, offset);
    if context.comment.is_some() || context.in_front_matter {
        return None;
    }
    let line_text = &text[context.line_start..line_end(text, context.offset)];
    if !is_include_line(line_text) {
        return None;
    }
    let keyword_end = context.line_start + "@include".len();
    let written = parse
        .document
        .includes
        .iter()
        .find(|include| include.span.touches(context.offset))
        .map(|include| include.path);
    let path_start = written.map_or_else(
        || {
            let rest = &text[keyword_end..line_end(text, context.offset)];
            keyword_end + (rest.len() - rest.trim_start().len())
        },
        |path| path.start,
    );
    if context.offset < path_start {
        return None; // on `@include` itself
    }
    let path_end = written.map_or(context.offset, |path| path.end.max(context.offset));
    let typed = &text[path_start..context.offset];
    let folder_length = typed.rfind('/').map_or(0, |slash| slash + 1);
    Some(IncludePath {
        folder: typed[..folder_length].to_string(),
        replace: Span::new(path_start + folder_length, path_end),
    })
}

/// Items for an `@include` path from the entries of its folder, each (name, is a folder), as
/// the caller read them: folders (ending in `/`, to go on typing) and `.note` files, hidden ones
/// left out, sorted by name.
pub fn include_paths(at: &IncludePath, entries: &[(String, bool)]) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = entries
        .iter()
        .filter(|(name, folder)| !name.starts_with('.') && (*folder || name.ends_with(".note")))
        .map(|(name, folder)| {
            let label = if *folder {
                format!("{name}/")
            } else {
                name.clone()
            };
            CompletionItem {
                kind: if *folder {
                    CompletionKind::Folder
                } else {
                    CompletionKind::File
                },
                detail: format!("{}{label}", at.folder),
                documentation: if *folder {
                    "A folder; its fragments come next.".to_string()
                } else {
                    "A fragment: its sections count as this template's.".to_string()
                },
                insert_text: label.clone(),
                replace: at.replace,
                filter_text: label.clone(),
                sort_text: format!("{}{name}", if *folder { 1 } else { 0 }),
                label,
            }
        })
        .collect();
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    items
}

/// Characters of a technique, kind, key or rule id: what "the word under the cursor" spans.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_')
}

/// Whether `offset` is in the value after a label's `:` on `line` (`Region: `, `- {{x}}: `), read
/// from the parse tree: the line's label as the semantic model reads it ([`line_label`]), or a
/// `:` earlier in the text item holding the cursor after a field. Not when the label names
/// techniques (`Techniques used: `): the semantic model says so with a `technique` element there.
fn after_label(text: &str, line: Option<&Line>, semantics: &Semantics, offset: usize) -> bool {
    let Some(line) = line else {
        return false; // a blank line
    };
    if let Some(label) = line_label(text, line)
        && text[label.end..].starts_with(':')
        && offset > label.end
    {
        return !semantics
            .elements
            .iter()
            .any(|element| element.span == label && &*element.kind == "technique");
    }
    line.items.iter().any(|item| {
        matches!(item, Inline::Text(span)
            if span.start > line.span.start
                && span.start < offset
                && offset <= span.end
                && text[span.start..offset].contains(':'))
    })
}

/// Rule ids after a suppression directive (`<!-- noteplate-disable-next-line unk`); nothing
/// elsewhere in a comment.
fn suppression_rules(
    text: &str,
    context: &LineContext<'_>,
    body_start: usize,
    pack: &RulePack,
) -> Vec<CompletionItem> {
    let body = &text[body_start..context.offset];
    let trimmed = body.trim_start();
    let Some(word_length) = trimmed.find(char::is_whitespace) else {
        return Vec::new();
    };
    if !crate::analysis::suppressions::is_directive(&trimmed[..word_length]) {
        return Vec::new();
    }
    let rules_start = context.offset - trimmed.len() + word_length;
    let rules = &text[rules_start..context.offset];
    if rules.contains("--") {
        return Vec::new(); // the reason, in prose
    }
    let item_start = rules.rfind(',').map_or(0, |index| index + 1);
    let item = &rules[item_start..];
    let start = rules_start + item_start + (item.len() - item.trim_start().len());
    let replace = Span::new(start, word_end(text, context.offset, is_word));
    pack.rules
        .iter()
        .enumerate()
        .map(|(index, rule)| CompletionItem {
            label: rule.id.to_string(),
            kind: CompletionKind::Rule,
            detail: rule.summary.clone(),
            documentation: rule.explanation.clone(),
            insert_text: rule.id.to_string(),
            replace,
            filter_text: rule.id.to_string(),
            sort_text: format!("{index:03}"),
        })
        .collect()
}

/// Section kinds inside a heading's `{#`, closing the brace when it is missing.
fn section_kinds(
    text: &str,
    context: &LineContext<'_>,
    start: usize,
    pack: &RulePack,
) -> Vec<CompletionItem> {
    let end = word_end(text, context.offset, is_word);
    let close = if text[end..].starts_with('}') {
        ""
    } else {
        "}"
    };
    let replace = Span::new(context.line_start + start, end);
    pack.sections
        .iter()
        .enumerate()
        .map(|(index, section)| CompletionItem {
            label: section.kind.clone(),
            kind: CompletionKind::SectionKind,
            detail: section.description.clone(),
            documentation: format!(
                "Makes this heading a `{}` section (what noteplate inserts as \"{}\"), whatever its title.",
                section.kind, section.title
            ),
            insert_text: format!("{}{close}", section.kind),
            replace,
            filter_text: section.kind.clone(),
            sort_text: format!("{index:03}"),
        })
        .collect()
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

fn techniques(text: &str, context: &LineContext<'_>, pack: &RulePack) -> Vec<CompletionItem> {
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
    let replace = Span::new(
        context.line_start + start + leading,
        word_end(text, context.offset, is_word),
    );
    let mut items = Vec::new();
    let manual_therapy = pack
        .manual_therapy_code()
        .map_or("", |code| code.code.as_str());
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
                Billing::Elsewhere => {
                    format!("usually billed as {}, not {manual_therapy}", technique.code)
                }
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

/// Section titles on the heading line of section `heading`, after its `#` marks.
fn section_titles(
    text: &str,
    context: &LineContext<'_>,
    heading: usize,
    parse: &Parse,
    semantics: &Semantics,
    pack: &RulePack,
) -> Vec<CompletionItem> {
    let marker_end = parse.document.sections[heading].heading.span.start
        + usize::from(parse.document.sections[heading].heading.level);
    let after_marker = &text[marker_end..context.offset];
    let leading = after_marker.len() - after_marker.trim_start().len();
    let replace = Span::new(
        marker_end + leading,
        word_end(text, context.offset, char::is_alphanumeric),
    );
    let prefix = if leading == 0 { " " } else { "" };
    // Kinds the declared codes need and the template lacks come first.
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

fn front_matter(text: &str, context: &LineContext<'_>, pack: &RulePack) -> Vec<CompletionItem> {
    let Some(colon) = context.before.find(':') else {
        let leading = context.before.len() - context.before.trim_start().len();
        let end = word_end(text, context.offset, is_word);
        let replace = Span::new(context.line_start + leading, end);
        let has_colon = text[end..line_end(text, end)].trim_start().starts_with(':');
        return FRONT_MATTER_KEYS
            .iter()
            .enumerate()
            .map(|(index, (key, meaning))| CompletionItem {
                label: key.to_string(),
                kind: CompletionKind::FrontMatterKey,
                detail: meaning.to_string(),
                documentation: meaning.to_string(),
                insert_text: if has_colon {
                    key.to_string()
                } else {
                    format!("{key}: ")
                },
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
    let item_start = context.line_start + colon + 1 + item_start + leading;
    if key == "codes"
        && let Some(dash) = item.rfind('-')
    {
        return modifiers(text, context, item_start + dash - leading + 1, pack);
    }
    // A code ends at its first modifier's `-`.
    let end = if key == "codes" {
        word_end(text, context.offset, char::is_alphanumeric)
    } else {
        word_end(text, context.offset, is_word)
    };
    let replace = Span::new(item_start, end);
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

/// Modifiers after a code's `-` (`97140-GP-`), from the pack; `start` is just after the `-`.
fn modifiers(
    text: &str,
    context: &LineContext<'_>,
    start: usize,
    pack: &RulePack,
) -> Vec<CompletionItem> {
    let replace = Span::new(start, word_end(text, context.offset, char::is_alphanumeric));
    pack.modifiers
        .iter()
        .enumerate()
        .map(|(index, modifier)| CompletionItem {
            label: modifier.modifier.clone(),
            kind: CompletionKind::Modifier,
            detail: modifier.summary.clone(),
            documentation: modifier.summary.clone(),
            insert_text: modifier.modifier.clone(),
            replace,
            filter_text: modifier.modifier.clone(),
            sort_text: format!("{index:03}"),
        })
        .collect()
}

/// Field types after `{{name:`; nothing in the name itself (`open` is where `{{` is in the line).
fn field_type(text: &str, context: &LineContext<'_>, open: usize) -> Vec<CompletionItem> {
    let inside = &context.before[open + 2..];
    let Some(colon) = inside.find(':') else {
        return Vec::new();
    };
    let typed = &inside[colon + 1..];
    let leading = typed.len() - typed.trim_start().len();
    let start = context.line_start + open + 2 + colon + 1 + leading;
    let end = word_end(text, context.offset, |c| c.is_alphanumeric() || c == '_');
    FIELD_TYPES
        .iter()
        .enumerate()
        .map(|(index, (name, meaning))| CompletionItem {
            label: name.to_string(),
            kind: CompletionKind::FieldType,
            detail: meaning.to_string(),
            documentation: meaning.to_string(),
            insert_text: name.to_string(),
            replace: Span::new(start, end),
            filter_text: name.to_string(),
            sort_text: format!("{index:03}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Settings;

    /// `complete` on `text` with its own parse and semantics, as the language server calls it.
    fn complete_at(text: &str, offset: usize) -> Vec<CompletionItem> {
        let pack = RulePack::embedded();
        let parse = crate::syntax::parse(text);
        let semantics = Semantics::new(text, &parse.document, &pack, &Settings::default());
        complete(text, offset, &parse, &semantics, &pack)
    }

    fn labels(text: &str) -> Vec<String> {
        let offset = text.find("$0").expect("cursor");
        let text = text.replacen("$0", "", 1);
        complete_at(&text, offset)
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    /// Every item offered at `$0`: (label, the text its edit replaces, its new text).
    fn edits(text: &str) -> Vec<(String, String, String)> {
        let offset = text.find("$0").expect("cursor");
        let text = text.replacen("$0", "", 1);
        complete_at(&text, offset)
            .into_iter()
            .map(|item| {
                (
                    item.label,
                    item.replace.text(&text).to_string(),
                    item.insert_text,
                )
            })
            .collect()
    }

    /// The edit of the item labelled `label`, applied to the text (cursor marker removed).
    fn accept(text: &str, label: &str) -> String {
        let offset = text.find("$0").expect("cursor");
        let mut text = text.replacen("$0", "", 1);
        let item = complete_at(&text, offset)
            .into_iter()
            .find(|item| item.label == label)
            .unwrap_or_else(|| panic!("{label} not offered"));
        text.replace_range(item.replace.start..item.replace.end, &item.insert_text);
        text
    }

    #[test]
    fn kinds_after_a_heading_attribute() {
        let found = labels("## Why {#$0");
        for kind in ["necessity", "technique", "response"] {
            assert!(found.iter().any(|l| l == kind), "{kind} missing: {found:?}");
        }
        assert!(
            !found.iter().any(|l| l == "Time"),
            "a title offered: {found:?}"
        );
        // The title stays; the kind goes after `{#` and the brace is closed.
        assert_eq!(accept("## Why {#$0", "necessity"), "## Why {#necessity}");
        assert_eq!(
            accept("## Why {#nec$0\n", "necessity"),
            "## Why {#necessity}\n"
        );
        // With the brace already there, the whole kind is replaced and no brace added.
        assert_eq!(accept("## Why {#re$0sp}", "response"), "## Why {#response}");
        assert!(
            edits("## Why {#nec$0")
                .iter()
                .all(|(_, replaced, _)| replaced == "nec")
        );
    }

    #[test]
    fn nothing_in_field_names() {
        assert!(labels("## Technique\n- {{jo$0").is_empty());
        assert!(labels("## Technique\n- {{$0").is_empty());
        assert!(labels("## Technique\n- {{joint$0}} to").is_empty());
        assert_eq!(
            edits("## Technique\n- {{region:re$0gi}}")
                .into_iter()
                .find(|(label, _, _)| label == "region"),
            Some(("region".into(), "regi".into(), "region".into()))
        );
    }

    #[test]
    fn nothing_in_comments_but_rule_ids_in_suppressions() {
        assert!(labels("## Technique\n- <!-- jo$0 -->").is_empty());
        assert!(labels("## Technique\n<!--\n  follow-up $0\n-->\n").is_empty());
        assert!(labels("## Technique\n<!-- unclosed $0").is_empty());
        let found = labels("## Technique\n<!-- noteplate-disable-next-line unk$0 -->\n- MFR");
        assert!(
            found.contains(&"unknown-technique".to_string()),
            "{found:?}"
        );
        assert!(
            !found.contains(&"myofascial release".to_string()),
            "{found:?}"
        );
        assert_eq!(
            accept(
                "<!-- noteplate-disable missing-response, vague$0 -->",
                "vague-technique"
            ),
            "<!-- noteplate-disable missing-response, vague-technique -->"
        );
        // The reason after `--` is prose.
        assert!(labels("<!-- noteplate-disable-file missing-time -- why $0 -->").is_empty());
    }

    #[test]
    fn no_techniques_after_a_label() {
        assert!(labels("## Technique\nRegion: $0").is_empty());
        assert!(labels("## Technique\n- Grade: jo$0").is_empty());
        // A choice after a label still lists techniques.
        assert!(labels("## Technique\nTechnique: {$0").contains(&"joint mobilization".to_string()));
        // After a field and its `:` (`- {{exercise}}: `), the value.
        assert!(labels("## Technique\n- {{exercise}}: jo$0").is_empty());
        // A label that names techniques is followed by technique text.
        assert!(
            labels("## Technique\nTechniques used: jo$0")
                .contains(&"joint mobilization".to_string()),
            "{:?}",
            labels("## Technique\nTechniques used: jo$0")
        );
        // A `{{x:technique}}` line offers techniques in a choice outside technique sections.
        assert!(
            labels("## Treatment\n- {{t:technique}} or {jo$0")
                .contains(&"joint mobilization".to_string())
        );
    }

    #[test]
    fn edits_replace_the_whole_word() {
        assert_eq!(
            accept("## Technique\n- myofas$0cial", "myofascial release"),
            "## Technique\n- myofascial release"
        );
        assert_eq!(
            accept(
                "## Technique\n- {joint mobilization|myo$0fascial} to",
                "myofascial release"
            ),
            "## Technique\n- {joint mobilization|myofascial release} to"
        );
        assert_eq!(
            accept("---\ncodes: 971$0, 97110\n---\n", "97140"),
            "---\ncodes: 97140, 97110\n---\n"
        );
        assert_eq!(
            accept("---\ncodes: 971$0-GP\n---\n", "97140"),
            "---\ncodes: 97140-GP\n---\n"
        );
        assert_eq!(
            accept("---\npay$0er\n---\n", "payer"),
            "---\npayer: \n---\n"
        );
    }

    #[test]
    fn modifiers_after_a_code() {
        let found = edits("---\ncodes: 97140-$0\n---\n");
        let labels: Vec<&str> = found.iter().map(|(label, _, _)| label.as_str()).collect();
        for modifier in [
            "GP", "GO", "GN", "CQ", "CO", "59", "XS", "XE", "XP", "XU", "KX",
        ] {
            assert!(labels.contains(&modifier), "{modifier} missing: {labels:?}");
        }
        assert!(found.iter().all(|(_, replaced, _)| replaced.is_empty()));
        assert_eq!(
            accept("---\ncodes: 97140-GP, 97530-x$0\n---\n", "XU"),
            "---\ncodes: 97140-GP, 97530-XU\n---\n"
        );
        assert_eq!(
            accept("---\ncodes: 97140-GP-$0\n---\n", "XS"),
            "---\ncodes: 97140-GP-XS\n---\n"
        );
        let item = complete_at("---\ncodes: 97140-\n---\n", 17)
            .into_iter()
            .find(|item| item.label == "GP")
            .expect("GP");
        assert!(!item.detail.is_empty());
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

    /// Whether the cursor is in a technique section is the semantic model's answer, the one the
    /// rules use: completion used to recognise titles itself and read `{#kind}` only on the
    /// nearest heading, so a subsection of a `{#technique}` section got no techniques.
    #[test]
    fn technique_sections_as_the_rules_see_them() {
        let found = labels("## Session A {#technique}\n### Spine\n- $0");
        assert!(
            found.contains(&"joint mobilization".to_string()),
            "{found:?}"
        );
        assert!(labels("## Session A\n### Spine\n- $0").is_empty());
        // A header comment before `---`: no front matter (docs/language.md), so no keys.
        assert!(labels("<!-- header -->\n---\ntem$0\n---\n").is_empty());
    }

    #[test]
    fn no_techniques_outside_technique_sections() {
        assert!(labels("## Response\n- $0").is_empty());
    }

    #[test]
    fn include_paths_from_the_folder_entries() {
        let at = |text: &str| {
            let offset = text.find("$0").expect("cursor");
            let text = text.replacen("$0", "", 1);
            let parse = crate::syntax::parse(&text);
            include_path_at(&text, &parse, offset)
                .map(|found| (found.folder, found.replace.text(&text).to_string()))
        };
        assert_eq!(
            at("## T\n@include $0"),
            Some((String::new(), String::new()))
        );
        assert_eq!(
            at("## T\n@include shared/re$0sp.note\n"),
            Some(("shared/".to_string(), "resp.note".to_string()))
        );
        assert_eq!(at("## T\n@incl$0ude x.note"), None, "on the keyword");
        assert_eq!(at("<!-- @include $0 -->"), None, "in a comment");
        assert_eq!(at("---\n@include $0\n---\n"), None, "in the front matter");
        assert_eq!(at("## T\nsee @include $0"), None, "not at the line start");
        // No technique names there either.
        assert!(labels("## Technique\n@include jo$0").is_empty());
        let found = include_paths(
            &IncludePath {
                folder: "shared/".into(),
                replace: Span::empty(0),
            },
            &[
                ("response.note".into(), false),
                ("notes.txt".into(), false),
                (".hidden.note".into(), false),
                ("more".into(), true),
                ("a.note".into(), false),
            ],
        );
        let labels: Vec<&str> = found.iter().map(|item| item.label.as_str()).collect();
        assert_eq!(labels, ["a.note", "response.note", "more/"]);
    }

    #[test]
    fn codes_keys_types_and_titles() {
        assert!(labels("---\ncodes: 97140, 971$0\n---\n").contains(&"97110".to_string()));
        assert!(labels("---\ntem$0\n---\n").contains(&"template".to_string()));
        assert!(labels("## Technique\n{{x:$0").contains(&"minutes".to_string()));
        // Editors order by `sort_text`: the kinds the codes need and the template lacks first,
        // in the pack's order.
        let text = "---\ncodes: 97140\n---\n## ";
        let mut items = complete_at(text, text.len());
        items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        let first: Vec<&str> = items.iter().take(3).map(|i| i.label.as_str()).collect();
        assert_eq!(first, ["Medical necessity", "Technique", "Response"]);
    }
}
