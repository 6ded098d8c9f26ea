//! The template model to a FHIR R4 Questionnaire (JSON).

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::{
    CPT_SYSTEM, FIELD_TYPE_EXTENSION, INCLUDE_EXTENSION, MODIFIERS_EXTENSION, NOTE_TYPE_EXTENSION,
    PAYER_EXTENSION, PLACEHOLDER_EXTENSION, SECTION_KIND_SYSTEM, UCUM_SYSTEM,
    UNIT_OPTION_EXTENSION, URL_PREFIX, WILDCARD_EXTENSION,
};
use crate::interop::ExportError;
use crate::interop::model::{Block, Piece, Template, field_name};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Questionnaire {
    resource_type: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension>,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code: Vec<Coding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item: Vec<Item>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extension {
    url: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_boolean: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_coding: Option<Coding>,
}

impl Extension {
    fn string(url: &'static str, value: &str) -> Extension {
        Extension {
            url,
            value_string: Some(value.to_string()),
            value_boolean: None,
            value_coding: None,
        }
    }

    fn flag(url: &'static str) -> Extension {
        Extension {
            url,
            value_string: None,
            value_boolean: Some(true),
            value_coding: None,
        }
    }
}

#[derive(Serialize)]
struct Coding {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension>,
    system: &'static str,
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension>,
    link_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code: Vec<Coding>,
    text: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    required: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    answer_option: Vec<AnswerOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item: Vec<Item>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AnswerOption {
    value_string: String,
}

/// An open group: its heading level, the item, and the `linkId`s of its questions so far.
struct Group {
    level: u8,
    item: Item,
    texts: usize,
}

/// Writes `template` as a draft FHIR R4 Questionnaire, pretty-printed JSON ending with a line
/// break. Sections nest by heading level; each field, choice and wildcard is a question item
/// whose `linkId` is its section's and its own name (`technique/region`), so linkIds stay the
/// same when unrelated parts of the template change.
pub fn export(template: &Template) -> Result<String, ExportError> {
    let meta = &template.meta;
    let title = meta
        .title
        .as_deref()
        .map(one_line)
        .filter(|title| !title.is_empty());
    let mut extension = Vec::new();
    for (url, value) in [
        (PAYER_EXTENSION, &meta.payer),
        (NOTE_TYPE_EXTENSION, &meta.note_type),
    ] {
        if let Some(value) = value.as_deref().map(one_line).filter(|v| !v.is_empty()) {
            extension.push(Extension::string(url, &value));
        }
    }
    let code = meta
        .codes
        .iter()
        .filter_map(|written| {
            let written = written.trim();
            let (code, modifiers) = written.split_once('-').unwrap_or((written, ""));
            (!code.is_empty()).then(|| Coding {
                extension: if modifiers.is_empty() {
                    Vec::new()
                } else {
                    vec![Extension::string(MODIFIERS_EXTENSION, modifiers)]
                },
                system: CPT_SYSTEM,
                code: code.to_string(),
                display: None,
            })
        })
        .collect();
    let mut writer = Writer {
        link_ids: FxHashSet::default(),
        next_number: FxHashMap::default(),
        root: Vec::new(),
        open: Vec::new(),
        root_texts: 0,
    };
    for block in &template.blocks {
        writer.block(block);
    }
    while !writer.open.is_empty() {
        writer.close();
    }
    let questionnaire = Questionnaire {
        resource_type: "Questionnaire",
        extension,
        url: format!(
            "{URL_PREFIX}{}",
            kebab(title.as_deref().unwrap_or("template"))
        ),
        version: meta
            .version
            .as_deref()
            .map(one_line)
            .filter(|v| !v.is_empty()),
        name: title.as_deref().map(pascal),
        title,
        status: "draft",
        code,
        item: writer.root,
    };
    let mut json = serde_json::to_string_pretty(&questionnaire).map_err(|error| ExportError {
        message: format!("cannot write the Questionnaire as JSON: {error}"),
    })?;
    json.push('\n');
    Ok(json)
}

struct Writer {
    /// Every linkId given so far: they are unique in the whole Questionnaire.
    link_ids: FxHashSet<String>,
    next_number: FxHashMap<String, usize>,
    root: Vec<Item>,
    open: Vec<Group>,
    root_texts: usize,
}

impl Writer {
    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(heading) => {
                while self
                    .open
                    .last()
                    .is_some_and(|group| group.level >= heading.level)
                {
                    self.close();
                }
                let title = one_line(&heading.title);
                let title = if title.is_empty() {
                    "Section".to_string()
                } else {
                    title
                };
                let link_id = self.unique(field_name(&title));
                self.open.push(Group {
                    level: heading.level,
                    texts: 0,
                    item: Item {
                        extension: Vec::new(),
                        link_id,
                        code: heading
                            .kind
                            .iter()
                            .map(|kind| Coding {
                                extension: Vec::new(),
                                system: SECTION_KIND_SYSTEM,
                                code: kind.clone(),
                                display: None,
                            })
                            .collect(),
                        text: title,
                        kind: "group",
                        required: heading.required.then_some(true),
                        answer_option: Vec::new(),
                        item: Vec::new(),
                    },
                });
            }
            Block::Line(pieces) => self.line(pieces),
            Block::Include(path) => {
                let link_id = self.text_link_id();
                self.push(Item {
                    extension: vec![Extension::string(INCLUDE_EXTENSION, path)],
                    link_id,
                    code: Vec::new(),
                    text: format!("Included from {path} (not inlined)"),
                    kind: "display",
                    required: None,
                    answer_option: Vec::new(),
                    item: Vec::new(),
                });
            }
            Block::Blank | Block::Comment(_) => {}
        }
    }

    /// Closes the innermost group into its parent; an empty group gets a placeholder item,
    /// since FHIR requires a group to have items.
    fn close(&mut self) {
        let Some(mut group) = self.open.pop() else {
            return;
        };
        if group.item.item.is_empty() {
            let link_id = self.unique(format!("{}/empty", group.item.link_id));
            group.item.item.push(Item {
                extension: vec![Extension::flag(PLACEHOLDER_EXTENSION)],
                link_id,
                code: Vec::new(),
                text: "(empty section)".to_string(),
                kind: "display",
                required: None,
                answer_option: Vec::new(),
                item: Vec::new(),
            });
        }
        self.push(group.item);
    }

    fn push(&mut self, item: Item) {
        match self.open.last_mut() {
            Some(group) => group.item.item.push(item),
            None => self.root.push(item),
        }
    }

    fn unique(&mut self, base: String) -> String {
        // The next number to try per base: one lookup each, however often a name repeats.
        let next = self.next_number.entry(base.clone()).or_insert(2);
        let mut link_id = base.clone();
        while !self.link_ids.insert(link_id.clone()) {
            link_id = format!("{base}-{next}");
            *next += 1;
        }
        link_id
    }

    /// `section/name` (or `name` before the first section), made unique.
    fn question_link_id(&mut self, name: &str) -> String {
        let base = match self.open.last() {
            Some(group) => format!("{}/{name}", group.item.link_id),
            None => name.to_string(),
        };
        self.unique(base)
    }

    /// `section/text-N` for the section's Nth display item.
    fn text_link_id(&mut self) -> String {
        let base = match self.open.last_mut() {
            Some(group) => {
                group.texts += 1;
                format!("{}/text-{}", group.item.link_id, group.texts)
            }
            None => {
                self.root_texts += 1;
                format!("text-{}", self.root_texts)
            }
        };
        self.unique(base)
    }

    fn line(&mut self, pieces: &[Piece]) {
        let inputs: Vec<usize> = (0..pieces.len())
            .filter(|&at| !matches!(pieces[at], Piece::Text(_)))
            .collect();
        let text_between = |from: usize, to: usize| -> String {
            pieces[from..to]
                .iter()
                .filter_map(|piece| match piece {
                    Piece::Text(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect()
        };
        if inputs.is_empty() {
            let text = one_line(&text_between(0, pieces.len()));
            if !text.is_empty() {
                let link_id = self.text_link_id();
                self.push(display(link_id, text));
            }
            return;
        }
        let trailing = label_text(&text_between(inputs[inputs.len() - 1] + 1, pieces.len()));
        let single = inputs.len() == 1;
        let first_label = label_text(&text_between(0, inputs[0]));
        // A line that is more than `Label: input` keeps its words as a display item first.
        if !single || !trailing.is_empty() || first_label.is_empty() {
            let shown: String = pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => text.as_str(),
                    _ => "…",
                })
                .collect();
            let shown = one_line(&shown);
            let link_id = self.text_link_id();
            self.push(display(link_id, shown));
        }
        let mut previous = 0;
        for &at in &inputs {
            let before = label_text(&text_between(previous, at));
            previous = at + 1;
            let item = match &pieces[at] {
                Piece::Field { name, ty } => {
                    let name = field_name(name);
                    let ty = ty.as_deref().unwrap_or("text");
                    let text = if single && !before.is_empty() {
                        before
                    } else {
                        humanise(&name)
                    };
                    let mut extension = vec![Extension::string(FIELD_TYPE_EXTENSION, ty)];
                    let kind = match ty {
                        "number" => "decimal",
                        "date" => "date",
                        "minutes" => {
                            extension.push(Extension {
                                url: UNIT_OPTION_EXTENSION,
                                value_string: None,
                                value_boolean: None,
                                value_coding: Some(Coding {
                                    extension: Vec::new(),
                                    system: UCUM_SYSTEM,
                                    code: "min".to_string(),
                                    display: Some("minutes".to_string()),
                                }),
                            });
                            "quantity"
                        }
                        _ => "string",
                    };
                    question(self.question_link_id(&name), text, kind, extension)
                }
                Piece::Choice(options) => {
                    let text = if before.is_empty() {
                        "Choice".to_string()
                    } else {
                        before
                    };
                    let mut item = question(
                        self.question_link_id(&label_name(&text)),
                        text,
                        "choice",
                        Vec::new(),
                    );
                    item.answer_option = options
                        .iter()
                        .map(|option| one_line(option))
                        .filter(|option| !option.is_empty())
                        .map(|value_string| AnswerOption { value_string })
                        .collect();
                    if item.answer_option.is_empty() {
                        // `{}`: nothing to choose from; a text answer keeps the place.
                        item.kind = "string";
                    }
                    item
                }
                Piece::Wildcard => {
                    let text = if before.is_empty() {
                        "Details".to_string()
                    } else {
                        before
                    };
                    question(
                        self.question_link_id(&label_name(&text)),
                        text,
                        "text",
                        vec![Extension::flag(WILDCARD_EXTENSION)],
                    )
                }
                Piece::Text(_) => continue,
            };
            self.push(item);
        }
    }
}

fn question(link_id: String, text: String, kind: &'static str, extension: Vec<Extension>) -> Item {
    Item {
        extension,
        link_id,
        code: Vec::new(),
        text,
        kind,
        required: None,
        answer_option: Vec::new(),
        item: Vec::new(),
    }
}

fn display(link_id: String, text: String) -> Item {
    question(link_id, text, "display", Vec::new())
}

/// The words before an input as its label: list markers, punctuation and a trailing colon off,
/// the first letter in capitals (`- grade ` is `Grade`, `; goal: ` is `Goal`).
fn label_text(text: &str) -> String {
    let text = one_line(text);
    let text = text
        .trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '*' | '•' | ',' | ';' | '.' | ')' | '/')
        })
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '=' | '(' | '-'));
    capitalise(text)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A linkId name for a choice or wildcard from the words before it, cut after a whole word so
/// that linkIds stay short (FHIR asks for at most 255 characters).
fn label_name(label: &str) -> String {
    let name = field_name(label);
    if name.len() <= 48 {
        return name;
    }
    let cut = name[..=48].rfind('_').filter(|&at| at > 0).unwrap_or(48);
    name[..cut].to_string()
}

/// `mt_minutes` as `Mt minutes`.
fn humanise(name: &str) -> String {
    capitalise(&name.replace('_', " "))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ASCII words of `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// A computable name (FHIR's `name`, `[A-Z][A-Za-z0-9_]*`): the title's words in PascalCase.
fn pascal(title: &str) -> String {
    let mut name: String = words(title).map(capitalise).collect();
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert(0, 'T');
    }
    name.truncate(250);
    name
}

/// The title's words in lower case joined by `-`, for the URN (`template` if it has none).
fn kebab(title: &str) -> String {
    let name = words(title)
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-");
    if name.is_empty() {
        "template".to_string()
    } else {
        name
    }
}
