//! FHIR R4 Questionnaire JSON to the template model.

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};

use super::{
    CPT_SYSTEM, FIELD_TYPE_EXTENSION, INCLUDE_EXTENSION, MODIFIERS_EXTENSION, NOTE_TYPE_EXTENSION,
    PAYER_EXTENSION, PLACEHOLDER_EXTENSION, SECTION_KIND_SYSTEM, UNIT_EXTENSION,
    UNIT_OPTION_EXTENSION, WILDCARD_EXTENSION,
};
use crate::interop::model::{Block, Heading, Meta, Piece, Template, field_name};
use crate::interop::{ImportError, Imported, Unmapped, position};
use crate::syntax::FIELD_TYPES;

/// Items nest at most this deep. serde_json already refuses JSON nested deeper than 128 levels
/// (an item level is two: its object and its `item` array), so this only bounds the reader's
/// own recursion explicitly.
const MAX_ITEM_DEPTH: usize = 64;

/// Field names made from long question texts are cut at a word boundary near this length.
const MAX_NAME_LEN: usize = 40;

/// Reads a FHIR R4 Questionnaire (JSON) into a template. Invalid JSON, another resource, and
/// an STU3 or R5 Questionnaire are errors with the position to look at.
pub fn import(input: &str) -> Result<Imported, ImportError> {
    let value: Value = serde_json::from_str(input).map_err(|error| json_error(input, &error))?;
    let Value::Object(root) = &value else {
        return Err(ImportError {
            line: 1,
            column: 1,
            message: "the JSON is not an object: a FHIR Questionnaire is one JSON object with \
                      \"resourceType\": \"Questionnaire\""
                .to_string(),
        });
    };
    match root.get("resourceType") {
        Some(Value::String(kind)) if kind == "Questionnaire" => {}
        Some(Value::String(kind)) => {
            let (line, column) = key_position(input, "resourceType");
            let hint = if kind == "Bundle" {
                "; take the Questionnaire out of the Bundle's `entry` and import that"
            } else {
                "; import a resource with \"resourceType\": \"Questionnaire\""
            };
            return Err(ImportError {
                line,
                column,
                message: format!("this is a FHIR {kind}, not a Questionnaire{hint}"),
            });
        }
        _ => {
            return Err(ImportError {
                line: 1,
                column: 1,
                message: "this JSON has no \"resourceType\", so it is not a FHIR resource; \
                          import a FHIR R4 Questionnaire"
                    .to_string(),
            });
        }
    }
    check_r4(input, root)?;
    let mut reader = Reader {
        root,
        lines: link_id_lines(input),
        blocks: Vec::new(),
        unmapped: Vec::new(),
        names: FxHashSet::default(),
        next_number: FxHashMap::default(),
    };
    let meta = reader.meta();
    reader.items(array(root, "item"), 0, 1);
    Ok(Imported {
        template: Template {
            meta,
            blocks: reader.blocks,
        },
        unmapped: reader.unmapped,
    })
}

/// serde_json's error, at its position (columns in characters, not bytes), in an author's words.
fn json_error(input: &str, error: &serde_json::Error) -> ImportError {
    let line = error.line().max(1);
    let text = error.to_string();
    let reason = text
        .rfind(" at line ")
        .map_or(text.as_str(), |at| &text[..at]);
    let line_text = input.split('\n').nth(line - 1).unwrap_or("");
    let mut byte = error.column().saturating_sub(1).min(line_text.len());
    while !line_text.is_char_boundary(byte) {
        byte -= 1;
    }
    let column = line_text[..byte].chars().count() + 1;
    let message = if reason.contains("recursion limit") {
        "the JSON nests deeper than 128 levels, more than any Questionnaire needs; \
         flatten its items"
            .to_string()
    } else {
        format!("invalid JSON: {reason}; fix the JSON and import again")
    };
    ImportError {
        line,
        column,
        message,
    }
}

/// Where `"key":` first appears in the input (1:1 if nowhere).
fn key_position(input: &str, key: &str) -> (usize, usize) {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(at) = input[from..].find(&needle) {
        let at = from + at;
        let rest = input[at + needle.len()..].trim_start();
        if rest.starts_with(':') {
            return position(input, at);
        }
        from = at + needle.len();
    }
    (1, 1)
}

/// Where `"type": "value"` first appears in the input.
fn type_position(input: &str, value: &str) -> (usize, usize) {
    let needle = "\"type\"";
    let mut from = 0;
    while let Some(at) = input[from..].find(needle) {
        let at = from + at;
        let rest = input[at + needle.len()..].trim_start();
        if let Some(rest) = rest.strip_prefix(':')
            && rest.trim_start().starts_with(&format!("\"{value}\""))
        {
            return position(input, at);
        }
        from = at + needle.len();
    }
    (1, 1)
}

/// Refuses STU3 and R5 Questionnaires, which spell items differently, saying what gave them away.
fn check_r4(input: &str, root: &Map<String, Value>) -> Result<(), ImportError> {
    let refuse = |(line, column): (usize, usize), message: String| {
        Err(ImportError {
            line,
            column,
            message,
        })
    };
    for key in [
        "versionAlgorithmString",
        "versionAlgorithmCoding",
        "copyrightLabel",
    ] {
        if root.contains_key(key) {
            return refuse(
                key_position(input, key),
                format!(
                    "this Questionnaire is FHIR R5, not R4: `{key}` is an R5 element; \
                     export it from its tool as R4"
                ),
            );
        }
    }
    let mut stack: Vec<(&Value, usize)> = array(root, "item").iter().map(|i| (i, 1)).collect();
    while let Some((item, depth)) = stack.pop() {
        let Value::Object(item) = item else { continue };
        if depth > MAX_ITEM_DEPTH {
            let link = string(item, "linkId").unwrap_or("?");
            return refuse(
                key_position(input, "item"),
                format!(
                    "items nest deeper than {MAX_ITEM_DEPTH} levels (at item \"{link}\"); \
                     no form needs that many: flatten the Questionnaire"
                ),
            );
        }
        let link = string(item, "linkId").unwrap_or("?");
        if let Some(kind @ ("coding" | "question")) = string(item, "type") {
            return refuse(
                type_position(input, kind),
                format!(
                    "this Questionnaire is FHIR R5, not R4: item \"{link}\" has type \
                         \"{kind}\"{}; export it from its tool as R4",
                    if kind == "coding" {
                        " (R4 spells it \"choice\")"
                    } else {
                        ""
                    }
                ),
            );
        }
        for key in ["answerConstraint", "disabledDisplay"] {
            if item.contains_key(key) {
                return refuse(
                    key_position(input, key),
                    format!(
                        "this Questionnaire is FHIR R5, not R4: item \"{link}\" has `{key}`; \
                         export it from its tool as R4"
                    ),
                );
            }
        }
        for key in ["option", "options"] {
            if item.contains_key(key) {
                return refuse(
                    key_position(input, key),
                    format!(
                        "this Questionnaire is FHIR STU3, not R4: item \"{link}\" has `{key}` \
                         (R4 has `answerOption` and `answerValueSet`); convert it to R4"
                    ),
                );
            }
        }
        if let Some(key) = item
            .keys()
            .find(|key| key.len() > "initial".len() && key.starts_with("initial"))
        {
            return refuse(
                key_position(input, key),
                format!(
                    "this Questionnaire is FHIR STU3, not R4: item \"{link}\" has `{key}` \
                     (R4 has `initial` with `value[x]`); convert it to R4"
                ),
            );
        }
        stack.extend(array(item, "item").iter().map(|child| (child, depth + 1)));
    }
    Ok(())
}

/// The line of each `linkId` in the input (its first occurrence), found in one pass over the
/// text, since the parsed JSON keeps no positions.
fn link_id_lines(input: &str) -> FxHashMap<String, usize> {
    let mut lines = FxHashMap::default();
    let needle = "\"linkId\"";
    let (mut from, mut counted, mut line) = (0, 0, 1);
    while let Some(at) = input[from..].find(needle) {
        let at = from + at;
        from = at + needle.len();
        let rest = input[from..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        // The string up to its closing quote, then unescaped by serde_json.
        let mut end = None;
        let mut escaped = false;
        for (offset, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(offset);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let quoted = &input[input.len() - rest.len() - 1..input.len() - rest.len() + end + 1];
        line += memchr::memchr_iter(b'\n', &input.as_bytes()[counted..at]).count();
        counted = at;
        if let Ok(link) = serde_json::from_str::<String>(quoted) {
            lines.entry(link).or_insert(line);
        }
    }
    lines
}

fn array<'a>(object: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    match object.get(key) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn string<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match object.get(key) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// The value of the first extension with `url`, e.g. `valueString`'s string.
fn extension<'a>(object: &'a Map<String, Value>, url: &'a str) -> Option<&'a Value> {
    extensions(object, move |candidate| candidate == url).next()
}

/// The values of the extensions whose url passes `matches`.
fn extensions<'a>(
    object: &'a Map<String, Value>,
    matches: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = &'a Value> + 'a {
    array(object, "extension").iter().filter_map(move |ext| {
        let ext = ext.as_object()?;
        if !matches(string(ext, "url")?) {
            return None;
        }
        ext.iter()
            .find(|(key, _)| key.starts_with("value"))
            .map(|(_, value)| value)
    })
}

fn flag(object: &Map<String, Value>, url: &str) -> bool {
    matches!(extension(object, url), Some(Value::Bool(true)))
}

/// One line of text from a JSON string (line breaks become spaces).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value (answer, initial value, enableWhen answer) as an author would write it.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => one_line(text),
        Value::Number(number) => number.to_string(),
        Value::Bool(yes) => if *yes { "yes" } else { "no" }.to_string(),
        Value::Object(object) => {
            // A Coding, a Quantity or a Reference.
            let text = ["display", "code", "reference"]
                .iter()
                .find_map(|key| string(object, key))
                .map(one_line);
            match (object.get("value"), string(object, "unit")) {
                (Some(number), Some(unit)) => format!("{} {}", show(number), one_line(unit)),
                (Some(number), None) => show(number),
                _ => text.unwrap_or_default(),
            }
        }
        Value::Array(_) | Value::Null => String::new(),
    }
}

/// A `value[x]` of an answerOption, initial or enableWhen (`answer[x]`) entry.
fn value_of<'a>(object: &'a Map<String, Value>, prefix: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.len() > prefix.len() && key.starts_with(prefix))
        .map(|(_, value)| value)
}

/// A unit from a Coding or a Quantity: its code when UCUM's `min`, else what an author reads.
struct Unit {
    code: Option<String>,
    shown: String,
}

impl Unit {
    fn from(value: &Value) -> Option<Unit> {
        let object = value.as_object()?;
        let code = string(object, "code").map(str::to_string);
        let shown = ["display", "unit", "code"]
            .iter()
            .find_map(|key| string(object, key))
            .map(one_line)?;
        Some(Unit { code, shown })
    }

    /// A UCUM annotation that spells a date format, `{mm/dd/yyyy}`: LOINC gives some dates as
    /// numbers with such a unit (76423-3 "Date of first visit" in the physical therapy panel
    /// 76453-0), where the clinician writes a date.
    fn is_date_format(&self) -> bool {
        let text = self.code.as_deref().unwrap_or(&self.shown);
        let Some(format) = text
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
        else {
            return false;
        };
        let format = format.to_ascii_lowercase();
        ["dd", "mm", "yy"].iter().all(|part| format.contains(part))
            && format
                .bytes()
                .all(|b| matches!(b, b'd' | b'm' | b'y' | b'/' | b'-' | b'.' | b' '))
    }

    fn is_minutes(&self) -> bool {
        let shown = self.shown.to_ascii_lowercase();
        self.code.as_deref() == Some("min")
            || matches!(shown.as_str(), "min" | "minute" | "minutes")
    }
}

struct Reader<'a> {
    root: &'a Map<String, Value>,
    lines: FxHashMap<String, usize>,
    blocks: Vec<Block>,
    unmapped: Vec<Unmapped>,
    /// Field names given so far, so that each imported question gets its own.
    names: FxHashSet<String>,
    next_number: FxHashMap<String, usize>,
}

/// What a question item becomes.
enum Answer {
    /// A field, choice or wildcard, with text after it (a unit).
    Piece(Piece, Option<String>),
    /// No `.note` equivalent: the label stays as text, with this note.
    Text(String),
}

impl Reader<'_> {
    fn meta(&mut self) -> Meta {
        let root = self.root;
        let mut meta = Meta {
            title: string(root, "title")
                .or_else(|| string(root, "name"))
                .map(one_line),
            version: string(root, "version").map(one_line),
            payer: extension(root, PAYER_EXTENSION)
                .and_then(Value::as_str)
                .map(one_line),
            note_type: extension(root, NOTE_TYPE_EXTENSION)
                .and_then(Value::as_str)
                .map(one_line),
            codes: Vec::new(),
        };
        for coding in array(root, "code") {
            let Some(coding) = coding.as_object() else {
                continue;
            };
            let Some(code) = string(coding, "code").map(str::trim) else {
                continue;
            };
            let system = string(coding, "system");
            if system == Some(CPT_SYSTEM) || (system.is_none() && looks_like_cpt(code)) {
                match extension(coding, MODIFIERS_EXTENSION).and_then(Value::as_str) {
                    Some(modifiers) if !modifiers.trim().is_empty() => {
                        meta.codes.push(format!("{code}-{}", modifiers.trim()))
                    }
                    _ => meta.codes.push(code.to_string()),
                }
            } else {
                let display = string(coding, "display")
                    .map(|display| format!(" ({})", one_line(display)))
                    .unwrap_or_default();
                self.blocks.push(Block::Comment(format!(
                    "FHIR Questionnaire code: {} {code}{display}",
                    system.unwrap_or("(no system)")
                )));
            }
        }
        for (key, label) in [("description", "Description"), ("copyright", "Copyright")] {
            if let Some(text) = string(root, key) {
                self.blocks
                    .push(Block::Comment(format!("{label}: {}", one_line(text))));
            }
        }
        meta
    }

    /// Maps `items` in order: `depth` counts the groups around them (their headings' level),
    /// `parent_line` is the line used for an item without a linkId.
    fn items(&mut self, items: &[Value], depth: usize, parent_line: usize) {
        for item in items {
            let Value::Object(item) = item else {
                self.note(
                    parent_line,
                    "an item that is not a JSON object was left out".to_string(),
                );
                continue;
            };
            let link = string(item, "linkId").unwrap_or("");
            let line = self.lines.get(link).copied().unwrap_or(parent_line);
            let label = label(item);
            let kind = string(item, "type").unwrap_or("");
            let children = array(item, "item");
            let notes = notes(item);
            let deeper = depth < MAX_ITEM_DEPTH;
            match kind {
                "group" => {
                    let kind = array(item, "code").iter().find_map(|coding| {
                        let coding = coding.as_object()?;
                        (string(coding, "system")? == SECTION_KIND_SYSTEM)
                            .then(|| string(coding, "code").map(str::to_string))
                            .flatten()
                    });
                    self.blocks.push(Block::Heading(Heading {
                        level: (depth + 2).min(6) as u8,
                        title: if label.is_empty() {
                            "Section".to_string()
                        } else {
                            label.clone()
                        },
                        explicit: kind.is_some(),
                        kind,
                        required: false,
                    }));
                    self.notes(line, &label, notes);
                    if deeper {
                        self.items(children, depth + 1, line);
                    }
                    continue;
                }
                "display" => {
                    self.notes(line, &label, notes);
                    if flag(item, PLACEHOLDER_EXTENSION) {
                    } else if let Some(path) =
                        extension(item, INCLUDE_EXTENSION).and_then(Value::as_str)
                    {
                        self.blocks.push(Block::Include(path.to_string()));
                    } else if !label.is_empty() {
                        self.blocks.push(Block::Line(vec![Piece::Text(label)]));
                    }
                }
                _ => {
                    let answer = self.answer(item, kind, &label);
                    self.notes(line, &label, notes);
                    // `Label:` gets its colon from the line written below.
                    let label = label.trim_end_matches(':').trim_end().to_string();
                    let shown = if label.is_empty() {
                        link.to_string()
                    } else {
                        label.clone()
                    };
                    match answer {
                        Answer::Piece(piece, after) => {
                            // `Label: input`, or `Label? input` for a question.
                            let sep = if shown.ends_with('?') { " " } else { ": " };
                            let mut pieces = vec![Piece::Text(format!("{shown}{sep}")), piece];
                            pieces.extend(after.map(|after| Piece::Text(format!(" {after}"))));
                            self.blocks.push(Block::Line(pieces));
                        }
                        Answer::Text(note) => {
                            self.note_on(line, &shown, note);
                            self.blocks.push(Block::Line(vec![Piece::Text(shown)]));
                        }
                    }
                }
            }
            // Items under a question or a display item are lines after it.
            if deeper {
                self.items(children, depth, line);
            }
        }
    }

    fn note(&mut self, line: usize, what: String) {
        self.blocks.push(Block::Comment(format!("FHIR: {what}")));
        self.unmapped.push(Unmapped { line, what });
    }

    fn note_on(&mut self, line: usize, label: &str, note: String) {
        let what = if label.is_empty() {
            note
        } else {
            format!("\"{label}\": {note}")
        };
        self.note(line, what);
    }

    fn notes(&mut self, line: usize, label: &str, notes: Vec<String>) {
        for note in notes {
            self.note_on(line, label, note);
        }
    }

    /// The field, choice or wildcard a question item becomes.
    fn answer(&mut self, item: &Map<String, Value>, kind: &str, label: &str) -> Answer {
        let declared = extension(item, FIELD_TYPE_EXTENSION)
            .and_then(Value::as_str)
            // A type the language knows, or one the template misspelt (kept, so that
            // `check` still reports it): a word of letters, digits and `_`.
            .filter(|ty| {
                FIELD_TYPES.iter().any(|(known, _)| known == ty)
                    || (!ty.is_empty()
                        && ty.len() <= 40
                        && ty.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            });
        let field = |reader: &mut Self, ty: Option<&str>| {
            let ty = declared.or(ty).filter(|ty| *ty != "text");
            Piece::Field {
                name: reader.name(item, label, declared.is_some()),
                ty: ty.map(str::to_string),
            }
        };
        match kind {
            "integer" | "decimal" | "quantity" => {
                let units = units(item);
                if !units.is_empty() && units.iter().all(Unit::is_minutes) {
                    return Answer::Piece(field(self, Some("minutes")), None);
                }
                if !units.is_empty() && units.iter().all(Unit::is_date_format) {
                    return Answer::Piece(field(self, Some("date")), None);
                }
                let after = (!units.is_empty() && declared.is_none()).then(|| {
                    units
                        .iter()
                        .map(|unit| unit.shown.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                });
                Answer::Piece(field(self, Some("number")), after)
            }
            "date" | "dateTime" => Answer::Piece(field(self, Some("date")), None),
            "string" | "text" | "time" => {
                if flag(item, WILDCARD_EXTENSION) {
                    Answer::Piece(Piece::Wildcard, None)
                } else {
                    Answer::Piece(field(self, None), None)
                }
            }
            "boolean" => Answer::Piece(Piece::Choice(vec!["yes".into(), "no".into()]), None),
            "choice" | "open-choice" => {
                let options = self.options(item);
                if let Some(options) = options.filter(|options| !options.is_empty()) {
                    return Answer::Piece(Piece::Choice(options), None);
                }
                let piece = field(self, None);
                let why = match string(item, "answerValueSet") {
                    Some(set) => format!(
                        "its answers come from the value set {set}, which is not in the file; \
                         kept as a text field"
                    ),
                    // LHC-Forms writes `[{"valueCoding": {}}]` for a LOINC answer list it
                    // leaves out (52829-9 "Place of service").
                    None if !array(item, "answerOption").is_empty() => {
                        "its answer options have no value (the answer list is not in the file); \
                         kept as a text field"
                            .into()
                    }
                    None => "a choice item without answer options; kept as a text field".into(),
                };
                let line = self
                    .lines
                    .get(string(item, "linkId").unwrap_or(""))
                    .copied();
                self.note_on(line.unwrap_or(1), label, why);
                Answer::Piece(piece, None)
            }
            "attachment" | "reference" | "url" => Answer::Text(format!(
                "a `{kind}` item has no .note field type; kept as text"
            )),
            "" => Answer::Text("an item without a type; kept as text".to_string()),
            other => Answer::Text(format!(
                "item type `{other}` is not a FHIR R4 question type noteplate knows; kept as text"
            )),
        }
    }

    /// The options of a choice item: its answerOptions, or the concepts of the contained value
    /// set it names. `None` when the value set is not in the file.
    fn options(&self, item: &Map<String, Value>) -> Option<Vec<String>> {
        let mut options = Vec::new();
        for option in array(item, "answerOption") {
            if let Some(shown) = option
                .as_object()
                .and_then(|option| value_of(option, "value"))
                .map(show)
                .filter(|shown| !shown.is_empty())
            {
                options.push(shown);
            }
        }
        if !options.is_empty() {
            return Some(options);
        }
        let id = string(item, "answerValueSet")?.strip_prefix('#')?;
        let set = array(self.root, "contained").iter().find_map(|resource| {
            let resource = resource.as_object()?;
            (string(resource, "resourceType") == Some("ValueSet")
                && string(resource, "id") == Some(id))
            .then_some(resource)
        })?;
        let concept = |value: &Value| {
            let object = value.as_object()?;
            ["display", "code"]
                .iter()
                .find_map(|key| string(object, key))
                .map(one_line)
                .filter(|shown| !shown.is_empty())
        };
        if let Some(Value::Object(expansion)) = set.get("expansion") {
            // `contains` nests; walk it without recursion.
            let mut stack: Vec<&Value> = array(expansion, "contains").iter().rev().collect();
            while let Some(entry) = stack.pop() {
                options.extend(concept(entry));
                if let Some(entry) = entry.as_object() {
                    stack.extend(array(entry, "contains").iter().rev());
                }
            }
        }
        if options.is_empty()
            && let Some(Value::Object(compose)) = set.get("compose")
        {
            for include in array(compose, "include") {
                if let Some(include) = include.as_object() {
                    options.extend(array(include, "concept").iter().filter_map(concept));
                }
            }
        }
        Some(options)
    }

    /// A field name for a question: from noteplate's own export, the last segment of its
    /// linkId (`technique/region`); otherwise made from its label (linkIds of other tools are
    /// often codes such as `/8302-2`), unique in the template.
    fn name(&mut self, item: &Map<String, Value>, label: &str, from_noteplate: bool) -> String {
        let link = string(item, "linkId").unwrap_or("");
        let segment = link.rsplit('/').next().unwrap_or("");
        let base = if from_noteplate && !segment.is_empty() {
            // The exporter makes a repeated field's linkId unique with `-2`, `-3`...
            let segment = segment
                .rsplit_once('-')
                .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .map_or(segment, |(name, _)| name);
            field_name(segment)
        } else {
            field_name(label)
        };
        if from_noteplate {
            self.names.insert(base.clone());
            return base;
        }
        let base = shorten(&base);
        // The next number to try per name, so that many questions with one label cost one
        // lookup each, not one per earlier question.
        let next = self.next_number.entry(base.clone()).or_insert(2);
        let mut name = base.clone();
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{next}");
            *next += 1;
        }
        name
    }
}

/// A long name cut after the last whole word within [`MAX_NAME_LEN`].
fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_string();
    }
    let cut = name[..=MAX_NAME_LEN]
        .rfind('_')
        .filter(|&at| at > 0)
        .unwrap_or(MAX_NAME_LEN);
    name[..cut].to_string()
}

/// What an author reads for an item: its prefix and text, else its linkId.
fn label(item: &Map<String, Value>) -> String {
    let text = string(item, "text").map(one_line).unwrap_or_default();
    let text = match string(item, "prefix").map(one_line) {
        Some(prefix) if !prefix.is_empty() && !text.is_empty() => format!("{prefix} {text}"),
        Some(prefix) if !prefix.is_empty() => prefix,
        _ => text,
    };
    if text.is_empty() {
        string(item, "linkId").map(one_line).unwrap_or_default()
    } else {
        text
    }
}

/// The units of a number or quantity item: `questionnaire-unit`, `questionnaire-unitOption`s,
/// else the unit of its initial quantity.
fn units(item: &Map<String, Value>) -> Vec<Unit> {
    let mut units: Vec<Unit> = extensions(item, |url| {
        url == UNIT_EXTENSION || url == UNIT_OPTION_EXTENSION
    })
    .filter_map(Unit::from)
    .collect();
    if units.is_empty() {
        units.extend(
            array(item, "initial")
                .iter()
                .filter_map(|initial| initial.as_object()?.get("valueQuantity"))
                .filter_map(Unit::from)
                .take(1),
        );
    }
    units
}

/// What an item has that `.note` cannot say, each in an author's words.
fn notes(item: &Map<String, Value>) -> Vec<String> {
    let mut notes = Vec::new();
    let conditions: Vec<String> = array(item, "enableWhen")
        .iter()
        .filter_map(Value::as_object)
        .map(|condition| {
            let question = string(condition, "question").unwrap_or("?");
            let operator = string(condition, "operator").unwrap_or("=");
            let answer = value_of(condition, "answer").map(show).unwrap_or_default();
            format!("{question} {operator} {answer}")
                .trim_end()
                .to_string()
        })
        .collect();
    if !conditions.is_empty() {
        let joiner = if string(item, "enableBehavior") == Some("any") {
            " or "
        } else {
            " and "
        };
        notes.push(format!(
            "enableWhen: shown only when {}; .note has no conditions",
            conditions.join(joiner)
        ));
    }
    for (suffix, what) in [
        ("calculatedExpression", "calculated as"),
        ("initialExpression", "filled in from"),
        ("enableWhenExpression", "shown only when"),
    ] {
        for value in extensions(item, |url| url.ends_with(suffix)) {
            let expression = value
                .as_object()
                .and_then(|value| string(value, "expression"))
                .map(one_line)
                .unwrap_or_default();
            notes.push(format!(
                "{suffix}: {what} `{expression}`; .note fields are filled by the clinician"
            ));
        }
    }
    if item.get("repeats") == Some(&Value::Bool(true)) {
        notes.push("repeats: may be answered more than once; .note asks once".to_string());
    }
    if item.get("readOnly") == Some(&Value::Bool(true)) {
        notes.push("readOnly: the form shows it read-only".to_string());
    }
    if string(item, "type") == Some("open-choice") {
        notes.push(
            "open-choice: answers other than the listed ones are allowed; .note choices are closed"
                .to_string(),
        );
    }
    let initial: Vec<String> = array(item, "initial")
        .iter()
        .filter_map(|initial| value_of(initial.as_object()?, "value"))
        // A quantity without a value only picks the unit the form starts with.
        .filter(|value| {
            !value
                .as_object()
                .is_some_and(|q| !q.contains_key("value") && q.contains_key("code"))
        })
        .map(show)
        .filter(|shown| !shown.is_empty())
        .collect();
    if !initial.is_empty() {
        notes.push(format!(
            "initial: answered {} unless changed; .note fields start empty",
            initial.join(", ")
        ));
    }
    notes
}

/// A CPT code as written without a system: five characters, four digits and a digit or F, T
/// or U (Category II and III codes), e.g. `97140`, `0552T`.
fn looks_like_cpt(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 5
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && matches!(bytes[4], b'0'..=b'9' | b'F' | b'T' | b'U')
}
