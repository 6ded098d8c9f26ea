//! Reader for plain-text forms (`noteplate import --from text`): a form typed or pasted from a
//! word processor. `Label: ____` blanks (three or more underscores) become fields named after
//! their label, typed from the rule pack's element words (a date, minutes, units); check boxes
//! and radio buttons (`[ ] a  [ ] b`, `( ) a ( ) b`, `[x]`, `☐`) become choices; a line in
//! capitals or a short line ending in a colon becomes a heading. Everything else is text.
//!
//! The helpers here (line splitting, Word clean-up, heading lines, check-box choices, field
//! types) are shared with the SmartPhrase and Markdown readers, so each idea has one definition.

use std::collections::HashMap;

use super::model::{Block, Heading, Piece, Template, field_name};
use super::{ImportError, Imported, Unmapped};
use crate::rulepack::RulePack;
use crate::rulepack::{contains_any, contains_phrase, normalize_phrase};

/// Reads a plain-text form into a template. Never fails: any text is a form of some sort.
pub fn import(input: &str) -> Result<Imported, ImportError> {
    let pack = RulePack::embedded_shared();
    let mut reader = Reader::new(&pack);
    let lines = split_lines(input);
    let mut at = 0;
    while at < lines.len() {
        let (number, raw) = &lines[at];
        let line = clean(raw);
        // A run of lines that each hold one check box is one choice (a vertical check list).
        let run = lines[at..]
            .iter()
            .take_while(|(_, next)| single_box(&clean(next)).is_some())
            .count();
        if run >= 2 {
            let options: Vec<String> = lines[at..at + run]
                .iter()
                .filter_map(|(_, next)| single_box(&clean(next)))
                .collect();
            reader
                .blocks
                .push(Block::Line(vec![Piece::Choice(options)]));
            at += run;
            continue;
        }
        at += 1;
        if line.is_empty() {
            reader.blocks.push(Block::Blank);
            continue;
        }
        if let Some(title) = heading_title(&line) {
            reader.heading(title);
            continue;
        }
        if single_box(&line).is_some() {
            reader.unmapped.push(Unmapped {
                line: *number,
                what: "a single check box (no other options to choose from); kept as text"
                    .to_string(),
            });
            reader.blocks.push(Block::Comment(
                "imported: a single check box, kept as text".to_string(),
            ));
            reader.blocks.push(Block::Line(vec![Piece::Text(line)]));
            continue;
        }
        let pieces = reader.scan(&line);
        reader.blocks.push(Block::Line(pieces));
    }
    Ok(reader.finish())
}

/// Shared state of the text readers: the blocks so far, the places kept as text, the current
/// heading (a label for a blank without one) and the field names used (a second `Name: ____`
/// gets `name_2`).
pub(crate) struct Reader<'p> {
    pub pack: &'p RulePack,
    pub blocks: Vec<Block>,
    pub unmapped: Vec<Unmapped>,
    title: String,
    names: HashMap<String, usize>,
}

impl<'p> Reader<'p> {
    pub fn new(pack: &'p RulePack) -> Reader<'p> {
        Reader {
            pack,
            blocks: Vec::new(),
            unmapped: Vec::new(),
            title: String::new(),
            names: HashMap::new(),
        }
    }

    /// A level-2 heading (imported forms have one level of sections).
    pub fn heading(&mut self, title: String) {
        self.title = title.clone();
        self.blocks.push(Block::Heading(Heading {
            level: 2,
            title,
            kind: None,
            explicit: false,
            required: false,
        }));
    }

    /// A new field name for `label` (unique in the template: `pain`, `pain_2`, ...).
    pub fn fresh_name(&mut self, label: &str) -> String {
        let base = field_name(label);
        let count = self.names.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}_{count}")
        }
    }

    /// The pieces of one line of a text form: blanks become fields, check boxes choices.
    pub fn scan(&mut self, line: &str) -> Vec<Piece> {
        let mut pieces = Vec::new();
        match box_choice(line) {
            Some((before, options, after)) => {
                self.blanks(&before, &mut pieces);
                pieces.push(Piece::Choice(options));
                self.blanks(&after, &mut pieces);
            }
            None => self.blanks(line, &mut pieces),
        }
        pieces
    }

    /// Splits `text` at `____` blanks, each a field named after the words before it.
    pub fn blanks(&mut self, text: &str, pieces: &mut Vec<Piece>) {
        let mut rest = text;
        let mut last_label: Option<String> = None;
        while let Some((start, end)) = find_blank(rest) {
            let before = &rest[..start];
            let label = label_before(before);
            let label = if !label.is_empty() {
                label
            } else if let Some(previous) = last_label.clone() {
                // `Blood pressure: ____ / ____`: the second blank belongs to the same label.
                previous
            } else {
                self.title.clone()
            };
            last_label = Some(label.clone());
            let ty = field_type(self.pack, &label);
            let name = self.fresh_name(&label);
            push_text(pieces, before);
            pieces.push(Piece::Field { name, ty });
            rest = &rest[end..];
        }
        push_text(pieces, rest);
    }

    pub fn finish(self) -> Imported {
        Imported {
            template: Template {
                meta: Default::default(),
                blocks: self.blocks,
            },
            unmapped: self.unmapped,
        }
    }
}

/// The path of an `@include path` line the readers keep as an include: one `.note` can write
/// back (not empty, opening no comment); otherwise the line stays text.
pub(crate) fn include_path(path: &str) -> Option<String> {
    let path = path.trim();
    (!path.is_empty() && !path.contains("<!--")).then(|| path.to_string())
}

/// Appends text to the pieces (merged with text before it); empty text is left out.
pub(crate) fn push_text(pieces: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Text(last)) = pieces.last_mut() {
        last.push_str(text);
    } else {
        pieces.push(Piece::Text(text.to_string()));
    }
}

/// The lines of `input` with their 1-based numbers: `\n`, `\r\n` and a lone `\r` end a line (as
/// in `.note`), and a form feed (a page break pasted from a word processor) ends one too.
pub(crate) fn split_lines(input: &str) -> Vec<(usize, String)> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut lines = Vec::new();
    let mut number = 1;
    for line in input.split('\n') {
        let mut parts = line.split('\r').peekable();
        while let Some(part) = parts.next() {
            // `\r\n`: the `\r` ends the line the `\n` ends.
            if part.is_empty() && parts.peek().is_none() && line.ends_with('\r') {
                break;
            }
            for page in part.split('\u{c}') {
                lines.push((number, page.to_string()));
            }
            number += 1;
        }
    }
    // The text after the last line break is a line only if it is not empty.
    if lines.last().is_some_and(|(_, last)| last.is_empty()) {
        lines.pop();
    }
    lines
}

/// Undoes what a word processor does to pasted text: non-breaking and other odd spaces become
/// spaces, and a run of white space one space, or two when it holds a tab or two or more spaces
/// (the gap between a form's columns, which ends a check-box option); curly quotes straight ones; a bullet (`•`, `▪`, the
/// Symbol-font bullet ``) `- `; zero-width characters are removed; the line is trimmed.
pub(crate) fn clean(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // 0: no white space pending; 1: one space; 2: a wide gap (a tab or two or more spaces), the
    // column separator of a form, kept as two spaces.
    let mut space = 0u8;
    for original in line.chars() {
        let c = match original {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            '•' | '▪' | '\u{f0b7}' | '\u{f0a7}' | '◦' | '‣' | '⁃' => '-',
            c if c.is_whitespace() || c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            space = if space > 0 || matches!(original, '\t' | '\u{c}') {
                2
            } else {
                1
            };
            continue;
        }
        if space > 0 && !out.is_empty() {
            out.push_str(if space == 2 { "  " } else { " " });
        }
        space = 0;
        out.push(c);
    }
    // A bullet, glued to its text (`•Hot pack`) or after a tab, reads as a list item.
    if let Some(rest) = out.strip_prefix('-')
        && !rest.trim_start().is_empty()
        && line
            .trim_start()
            .starts_with(['•', '▪', '\u{f0b7}', '\u{f0a7}', '◦', '‣', '⁃'])
    {
        return format!("- {}", rest.trim_start());
    }
    out
}

/// The title of a line that is a section title: in capitals (`SUBJECTIVE`, `PT DAILY NOTE:`), or
/// a short line ending in a colon (`Assessment:`), with no blank, box, field or wildcard in it.
/// A list item (`- Hot pack:`) or a sentence is not a title.
pub(crate) fn heading_title(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty()
        || line.starts_with(['-', '*', '+', '#', '>', '@', '(', '['])
        || line.contains("***")
        || line.contains("__")
        || line.contains(['{', '}', '|', '☐', '☑', '☒', '□', '○', '◯'])
    {
        return None;
    }
    let colon = line.ends_with(':');
    let title = line.trim_end_matches(':').trim();
    if title.is_empty() || title.contains(':') || title.ends_with(['.', ',', ';', '?', '!']) {
        return None;
    }
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    let words = title.split_whitespace().count();
    let length = title.chars().filter(|c| !c.is_whitespace()).count();
    // Mostly letters: `BP 120/80` is a measurement, not a title.
    let capitals = letters.len() >= 3
        && letters.len() * 2 >= length
        && letters.iter().all(|c| !c.is_lowercase())
        && words <= 10
        && length <= 80;
    let short = colon && !letters.is_empty() && words <= 6 && length <= 60;
    (capitals || short).then(|| title.to_string())
}

/// Whether a line is a title in capitals followed by a colon and more text (`SUBJECTIVE: Patient
/// reports ***`) and the title names a section kind the rule pack knows: then the title is a
/// heading and the rest a line. Other `LABEL: text` lines (`BP: 120/80`) stay labelled lines.
pub(crate) fn split_title<'l>(pack: &RulePack, line: &'l str) -> Option<(String, &'l str)> {
    let (label, rest) = line.split_once(':')?;
    let rest = rest.trim();
    let label = label.trim();
    if rest.is_empty() || heading_title(label).is_none() || label.chars().any(char::is_lowercase) {
        return None;
    }
    pack.match_heading(label)?;
    Some((label.to_string(), rest))
}

/// The words before a blank that name it: the text after the last box, colon-separated label or
/// sentence end, without a trailing colon (`Pain (0-10):` is `Pain (0-10)`).
pub(crate) fn label_before(before: &str) -> String {
    let trimmed = before
        .trim_end()
        .trim_end_matches([':', '=', '-', '#'])
        .trim_end();
    // Only the last label of `Date: ____ Time: ____`.
    let start = trimmed
        .rfind(['.', ';', ',', ':', ')', ']', '_', '–', '—'])
        .filter(|&at| {
            // `Pain (0-10)` keeps its parenthesis.
            !(trimmed[at..].starts_with(')') && trimmed[..at].contains('('))
        })
        .map_or(0, |at| {
            at + trimmed[at..].chars().next().map_or(1, char::len_utf8)
        });
    let start = trimmed[start..]
        .rfind("  ")
        .map_or(start, |gap| start + gap);
    let label = trimmed[start..]
        .trim()
        .trim_start_matches(['-', '*', '+'])
        .trim();
    if label.chars().any(char::is_alphanumeric) {
        label.to_string()
    } else {
        String::new()
    }
}

/// The first blank of `text` (three or more underscores): the one definition the analysis
/// reads too (`analysis::inputs`), so a blank the importer makes a field is a place to write
/// for the linter.
pub(crate) use crate::analysis::inputs::find_blank;

/// The field type a label means, from the rule pack's element words: a date (`date_words`,
/// unless the label is a date of birth or similar only by `not_date_of_service`: a date is a date
/// whatever it dates), minutes (`minutes`), a number of units (`units`), a body region
/// (`region_labels`). Anything else is text (no type).
pub(crate) fn field_type(pack: &RulePack, label: &str) -> Option<String> {
    let words = normalize_phrase(label);
    let elements = &pack.elements;
    if words.is_empty() {
        return None;
    }
    let ty = if elements
        .date_words
        .iter()
        .any(|word| contains_phrase(&words, word))
    {
        "date"
    } else if contains_any(&words, &elements.minutes) {
        "minutes"
    } else if elements.says_units(&words) {
        "number"
    } else if contains_any(&words, &elements.region_labels) {
        "region"
    } else {
        return None;
    };
    Some(ty.to_string())
}

use crate::analysis::inputs::box_at;

/// The options of two or more boxes on one line (`Tolerated: [ ] well [ ] poorly`), with the
/// text before the first box and the text after the last option (past a column gap): the run
/// of boxes the analysis reads as a pick list (`analysis::inputs::box_run`).
pub(crate) fn box_choice(line: &str) -> Option<(String, Vec<String>, String)> {
    let run = crate::analysis::inputs::box_run(line)?;
    let options = run
        .options
        .iter()
        .map(|&(start, end)| line[start..end].to_string())
        .collect();
    Some((
        line[..run.start].to_string(),
        options,
        line[run.end..].to_string(),
    ))
}

/// The option of a line that is one box and its text (`[ ] Hot pack`), if it is one.
pub(crate) fn single_box(line: &str) -> Option<String> {
    let line = line.trim_start_matches(['-', '*', ' ']);
    let length = box_at(line)?;
    let option = line[length..].trim();
    (box_choice(line).is_none() && !option.is_empty() && box_at(option).is_none())
        .then(|| option.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<Block> {
        import(text).unwrap().template.blocks
    }

    fn field(name: &str, ty: Option<&str>) -> Piece {
        Piece::Field {
            name: name.into(),
            ty: ty.map(Into::into),
        }
    }

    #[test]
    fn blanks_become_fields_named_and_typed_by_their_label() {
        assert_eq!(
            blocks("Date of service: ______   Treatment time (min): ____\nPatient goal: ___\n"),
            vec![
                Block::Line(vec![
                    Piece::Text("Date of service: ".into()),
                    field("date_of_service", Some("date")),
                    Piece::Text("  Treatment time (min): ".into()),
                    field("treatment_time_min", Some("minutes")),
                ]),
                Block::Line(vec![
                    Piece::Text("Patient goal: ".into()),
                    field("patient_goal", None)
                ]),
            ]
        );
        // The same label twice gets two fields; `__init__` is not a blank.
        let twice = blocks("Notes: ____\nNotes: ____\n__init__\n");
        assert_eq!(
            twice[1],
            Block::Line(vec![Piece::Text("Notes: ".into()), field("notes_2", None)])
        );
        assert_eq!(twice[2], Block::Line(vec![Piece::Text("__init__".into())]));
    }

    #[test]
    fn a_blank_without_a_label_is_named_after_its_section() {
        assert_eq!(
            blocks("ASSESSMENT\n______\n"),
            vec![
                Block::Heading(Heading {
                    level: 2,
                    title: "ASSESSMENT".into(),
                    kind: None,
                    explicit: false,
                    required: false
                }),
                Block::Line(vec![field("assessment", None)]),
            ]
        );
    }

    #[test]
    fn boxes_on_a_line_and_boxes_in_a_column_become_choices() {
        assert_eq!(
            blocks("Tolerance: [ ] good  [x] fair  [ ] poor\n( ) PT ( ) PTA\n☐ Hot pack\n☐ Ice\n"),
            vec![
                Block::Line(vec![
                    Piece::Text("Tolerance: ".into()),
                    Piece::Choice(vec!["good".into(), "fair".into(), "poor".into()]),
                ]),
                Block::Line(vec![Piece::Choice(vec!["PT".into(), "PTA".into()])]),
                Block::Line(vec![Piece::Choice(vec!["Hot pack".into(), "Ice".into()])]),
            ]
        );
        // One box alone is kept as text and reported.
        let imported = import("Intro\n[ ] HEP reviewed\n").unwrap();
        assert_eq!(imported.unmapped.len(), 1);
        assert_eq!(imported.unmapped[0].line, 2);
        assert!(matches!(
            imported.template.blocks.last(),
            Some(Block::Line(pieces)) if pieces == &vec![Piece::Text("[ ] HEP reviewed".into())]
        ));
        // `f(x)` is not a radio button.
        assert_eq!(
            blocks("f(x) and g(x)\n"),
            vec![Block::Line(vec![Piece::Text("f(x) and g(x)".into())])]
        );
    }

    #[test]
    fn headings_are_lines_in_capitals_or_short_lines_ending_in_a_colon() {
        for (line, title) in [
            ("SUBJECTIVE", Some("SUBJECTIVE")),
            ("PT DAILY NOTE:", Some("PT DAILY NOTE")),
            ("Assessment:", Some("Assessment")),
            ("Plan", None),
            (
                "The patient was instructed in the following exercises today:",
                None,
            ),
            ("- Hot pack:", None),
            ("Pain: ____", None),
            ("BP 120/80", None),
            ("3", None),
        ] {
            assert_eq!(heading_title(line).as_deref(), title, "{line}");
        }
    }

    #[test]
    fn word_pasted_text_is_cleaned() {
        let text = "\u{feff}PT\u{a0}DAILY NOTE\r\n\u{201c}Tolerated\u{201d}\twell \u{2013} ok\r\n\u{2022}\tHot pack\u{c}Page 2\rLast";
        let lines: Vec<String> = split_lines(text)
            .into_iter()
            .map(|(_, l)| clean(&l))
            .collect();
        assert_eq!(
            lines,
            vec![
                "PT DAILY NOTE",
                "\"Tolerated\"  well \u{2013} ok",
                "- Hot pack",
                "Page 2",
                "Last"
            ]
        );
        let numbers: Vec<usize> = split_lines("a\r\nb\rc\n\nd\n")
            .iter()
            .map(|l| l.0)
            .collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn field_types_come_from_the_rule_pack_words() {
        let pack = RulePack::embedded();
        for (label, ty) in [
            ("Date of birth", Some("date")),
            ("Visit date", Some("date")),
            ("Total treatment minutes", Some("minutes")),
            ("Units", Some("number")),
            ("Body region", Some("region")),
            ("Comments", None),
        ] {
            assert_eq!(field_type(&pack, label).as_deref(), ty, "{label}");
        }
    }
}
