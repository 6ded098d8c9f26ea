//! The template model every reader and writer shares: front matter, then blocks in document
//! order. [`Template::to_note`] is the one place that writes `.note` syntax (escaping text so it
//! reads back as the same text); [`Template::from_analysis`] is the one place that reads a parsed
//! `.note` into the model, with each section's kind from the semantic model and whether the
//! template's codes and note type require it.

use crate::analysis::{Analysis, Semantics};
use crate::rulepack::RulePack;
use crate::syntax::{Inline, Line, Parse};

/// A template: what a clinician's form holds, independent of any format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    pub meta: Meta,
    pub blocks: Vec<Block>,
}

/// The front matter. Empty strings and lists are left out when written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// `template:`, the name authors see.
    pub title: Option<String>,
    /// `codes:` items as written, e.g. `97140-GP`.
    pub codes: Vec<String>,
    pub payer: Option<String>,
    /// `type:`, the note type.
    pub note_type: Option<String>,
    pub version: Option<String>,
}

/// One block of a template, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Heading),
    /// One line of content.
    Line(Vec<Piece>),
    /// A blank line (readers keep paragraph breaks; runs are written as one).
    Blank,
    /// An author's comment, never part of the note; readers use it to say what they could not map.
    Comment(String),
    /// `@include path`, as written. The CLI inlines fragments before a writer sees the template.
    Include(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    pub title: String,
    /// A section kind from the rule pack. Written as `{#kind}` by `to_note` only when
    /// `explicit`; [`Template::from_analysis`] fills it from the semantic model.
    pub kind: Option<String>,
    /// Whether `kind` was written as `{#kind}` (rather than recognised from the title).
    pub explicit: bool,
    /// The template's codes or note type require this section's kind (filled by `from_analysis`).
    pub required: bool,
}

/// Inline content of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (unescaped; `to_note` escapes what needs it).
    Text(String),
    /// `{{name}}` or `{{name:type}}`; `ty` is one of `syntax::FIELD_TYPES` (None is text).
    Field { name: String, ty: Option<String> },
    /// `{a|b|c}`: the options, unescaped.
    Choice(Vec<String>),
    /// `***`: free text the clinician types.
    Wildcard,
}

impl Meta {
    /// The front matter entries to write, in the canonical key order (`template`, `codes`,
    /// `payer`, `type`, `version`): each value on one line, empty ones left out. Every writer of a
    /// front matter block (`.note`, Markdown) takes its entries from here.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let codes = (!self.codes.is_empty()).then(|| self.codes.join(", "));
        [
            ("template", self.title.as_deref()),
            ("codes", codes.as_deref()),
            ("payer", self.payer.as_deref()),
            ("type", self.note_type.as_deref()),
            ("version", self.version.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| {
            let value = one_line(value?);
            (!value.is_empty()).then_some((key, value))
        })
        .collect()
    }
}

/// Writes `blocks` one per line, the spacing every line-based writer shares: a run of
/// [`Block::Blank`]s is one blank line, and a heading gets a blank line before it unless it
/// starts the output or follows one. `write` writes one block without its line break and
/// returns `false` for a block the format leaves out (nothing is written for it then).
pub(crate) fn write_lines(
    blocks: &[Block],
    out: &mut String,
    mut write: impl FnMut(&Block, &mut String) -> bool,
) {
    let mut blank = true;
    for block in blocks {
        match block {
            Block::Blank => {
                if !blank {
                    out.push('\n');
                    blank = true;
                }
                continue;
            }
            Block::Heading(_) if !blank && !out.is_empty() => out.push('\n'),
            _ => {}
        }
        if write(block, out) {
            out.push('\n');
            blank = false;
        }
    }
}

impl Template {
    /// The template as `.note` text, `\n` line breaks, ending with one. Text is escaped so that it
    /// parses back as the same text; field names are made valid with [`field_name`].
    pub fn to_note(&self) -> String {
        let mut out = String::new();
        let entries = self.meta.entries();
        if !entries.is_empty() {
            out.push_str("---\n");
            for (key, value) in entries {
                out.push_str(key);
                out.push_str(": ");
                out.push_str(&value);
                out.push('\n');
            }
            out.push_str("---\n");
        }
        write_lines(&self.blocks, &mut out, |block, out| {
            match block {
                Block::Blank => {}
                Block::Heading(heading) => {
                    out.push_str(&"#".repeat(heading.level.clamp(1, 6) as usize));
                    out.push(' ');
                    let title = escape_text(&one_line(&heading.title));
                    // A title that is only spaces would make `#` a text line.
                    out.push_str(if title.is_empty() { "Section" } else { &title });
                    if let (true, Some(kind)) = (heading.explicit, &heading.kind) {
                        out.push_str(" {#");
                        out.push_str(kind);
                        out.push('}');
                    }
                }
                Block::Line(pieces) => {
                    let line = line_text(pieces);
                    // A content line must not read as a heading, front matter or an include.
                    // (`---` after white space or a byte-order mark too: the scanner reads it as
                    // front matter.)
                    if line.starts_with('#')
                        || line
                            .trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
                            .starts_with("---")
                        || line.starts_with('@')
                    {
                        out.push('\\');
                    }
                    out.push_str(&line);
                }
                Block::Comment(text) => {
                    out.push_str("<!-- ");
                    out.push_str(&text.replace("-->", "--\u{200b}>"));
                    out.push_str(" -->");
                }
                Block::Include(path) => {
                    out.push_str("@include ");
                    out.push_str(&one_line(path));
                }
            }
            true
        });
        out
    }

    /// Reads a parsed `.note` text into the model: front matter, headings with the kind the
    /// semantic model gave them (and whether the template's codes or note type require it), lines
    /// with their fields, choices and wildcards, comments left out, `@include` lines kept.
    pub fn from_analysis(text: &str, analysis: &Analysis, pack: &RulePack) -> Template {
        Template::from_parts(text, &analysis.parse, &analysis.semantics, pack)
    }

    /// [`Template::from_analysis`] from the parse and the semantic model alone (what the language
    /// server keeps of an analysis).
    pub fn from_parts(
        text: &str,
        parse: &Parse,
        semantics: &Semantics,
        pack: &RulePack,
    ) -> Template {
        let document = &parse.document;
        let mut meta = Meta::default();
        if let Some(front) = &document.front_matter {
            for entry in &front.entries {
                let value = entry.value.text(text).to_string();
                match entry.key.text(text).to_ascii_lowercase().as_str() {
                    "template" => meta.title = Some(value),
                    "payer" => meta.payer = Some(value),
                    "type" => meta.note_type = Some(value),
                    "version" => meta.version = Some(value),
                    "codes" => meta.codes.extend(
                        entry
                            .codes
                            .iter()
                            .map(|code| code.span.text(text).to_string()),
                    ),
                    _ => {}
                }
            }
        }
        let required: Vec<String> = semantics
            .needed_kinds(pack)
            .into_iter()
            .filter(|needed| needed.required)
            .map(|needed| needed.kind.to_string())
            .collect();
        // Lines and includes in document order.
        let mut blocks = Vec::new();
        let mut includes = document.includes.iter().peekable();
        let mut push_lines = |blocks: &mut Vec<Block>, lines: &[Line], until: usize| {
            for line in lines {
                while let Some(include) =
                    includes.next_if(|include| include.span.start < line.span.start)
                {
                    blocks.push(Block::Include(include.path.text(text).to_string()));
                }
                blocks.push(Block::Line(pieces(text, line)));
            }
            while let Some(include) = includes.next_if(|include| include.span.start < until) {
                blocks.push(Block::Include(include.path.text(text).to_string()));
            }
        };
        let first_heading = document
            .sections
            .first()
            .map_or(document.len, |section| section.heading.span.start);
        push_lines(&mut blocks, &document.preamble, first_heading);
        for (index, section) in document.sections.iter().enumerate() {
            let heading = &section.heading;
            let kind = semantics
                .sections
                .get(index)
                .and_then(|info| info.kind.clone());
            blocks.push(Block::Heading(Heading {
                level: heading.level,
                title: unescape(heading.title.text(text)),
                required: kind.as_ref().is_some_and(|kind| required.contains(kind)),
                explicit: heading.attribute.is_some(),
                kind,
            }));
            let until = document
                .sections
                .get(index + 1)
                .map_or(document.len, |next| next.heading.span.start);
            push_lines(&mut blocks, &section.lines, until);
        }
        Template { meta, blocks }
    }
}

fn pieces(text: &str, line: &Line) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for item in &line.items {
        let piece = match item {
            Inline::Text(span) => Piece::Text(span.text(text).to_string()),
            Inline::Escape(span) => Piece::Text(span.text(text)[1..].to_string()),
            Inline::Wildcard(_) => Piece::Wildcard,
            Inline::Field(field) => Piece::Field {
                name: field.name.text(text).trim().to_string(),
                ty: field.ty.map(|ty| ty.text(text).trim().to_string()),
            },
            Inline::Choice(choice) => Piece::Choice(
                choice
                    .options
                    .iter()
                    .map(|option| unescape(option.text(text)))
                    .collect(),
            ),
        };
        // Neighbouring text (text, then an escape) is one piece.
        if let (Some(Piece::Text(last)), Piece::Text(next)) = (out.last_mut(), &piece) {
            last.push_str(next);
        } else {
            out.push(piece);
        }
    }
    out
}

/// Removes `.note` escapes: `\{` is `{`, and so on; other backslashes stay.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('{' | '}' | '*' | '|' | '\\')) {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes text so that `.note` reads it back as the same text: braces, bars, backslashes
/// before those, every `*`, and `<!--` (so no comment starts).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (at, &c) in chars.iter().enumerate() {
        match c {
            '{' | '}' | '|' | '*' => out.push('\\'),
            '\\' if matches!(chars.get(at + 1), Some('{' | '}' | '*' | '|' | '\\') | None) => {
                out.push('\\')
            }
            '<' if chars[at..].starts_with(&['<', '!', '-', '-']) => {
                out.push_str("<\u{200b}");
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A valid field name for `label`: lower-case ASCII words joined by `_`, starting with a letter
/// (`Pain (0-10)` is `pain_0_10`, `1st visit` is `f_1st_visit`, an empty label `field`).
pub fn field_name(label: &str) -> String {
    let mut name = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_string();
    match name.chars().next() {
        None => "field".to_string(),
        Some(first) if !first.is_ascii_alphabetic() => format!("f_{name}"),
        Some(_) => name,
    }
}

fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_text(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&escape_text(&one_line_keep_spaces(text))),
            Piece::Wildcard => out.push_str("***"),
            Piece::Field { name, ty } => {
                out.push_str("{{");
                out.push_str(&field_name(name));
                if let Some(ty) = ty {
                    out.push(':');
                    out.push_str(ty);
                }
                out.push_str("}}");
            }
            Piece::Choice(options) => {
                out.push('{');
                let options: Vec<String> = options
                    .iter()
                    .map(|option| escape_text(&one_line(option)))
                    .filter(|option| !option.is_empty())
                    .collect();
                out.push_str(&options.join("|"));
                out.push('}');
            }
        }
    }
    out
}

/// Line breaks inside a text piece become spaces; other spacing stays.
fn one_line_keep_spaces(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Settings, analyze_text};

    fn round_trip(text: &str) -> Template {
        let pack = RulePack::embedded();
        let analysis = analyze_text(text, &pack, &Settings::default());
        Template::from_analysis(text, &analysis, &pack)
    }

    #[test]
    fn a_template_reads_back_as_itself() {
        let text = "---\ntemplate: Visit\ncodes: 97140-GP\n---\nDate of service: {{dos:date}}\n\n## Technique\n- {joint mobilization|myofascial release} to {{region:region}} \\{x\\} ***\n\n## Response {#response}\nTolerated well.\n@include shared/signature.note\n";
        let template = round_trip(text);
        assert_eq!(template.meta.title.as_deref(), Some("Visit"));
        assert_eq!(template.meta.codes, vec!["97140-GP".to_string()]);
        let Block::Heading(technique) = &template.blocks[1] else {
            panic!("{:?}", template.blocks)
        };
        assert_eq!(technique.kind.as_deref(), Some("technique"));
        assert!(technique.required, "97140 requires a technique section");
        assert_eq!(
            template.blocks[2],
            Block::Line(vec![
                Piece::Text("- ".into()),
                Piece::Choice(vec![
                    "joint mobilization".into(),
                    "myofascial release".into()
                ]),
                Piece::Text(" to ".into()),
                Piece::Field {
                    name: "region".into(),
                    ty: Some("region".into())
                },
                Piece::Text(" {x} ".into()),
                Piece::Wildcard,
            ])
        );
        assert_eq!(
            template.blocks.last(),
            Some(&Block::Include("shared/signature.note".into()))
        );
        // Written and read again, the model is the same.
        let again = round_trip(&template.to_note());
        assert_eq!(again, template);
    }

    #[test]
    fn text_that_looks_like_syntax_stays_text() {
        let line = |text: &str| Template {
            meta: Meta::default(),
            blocks: vec![Block::Line(vec![Piece::Text(text.into())])],
        };
        let exact = line("not a heading {a|b} *** \\{ ** @x C:\\notes");
        assert_eq!(round_trip(&exact.to_note()).blocks, exact.blocks);
        // `.note` has no exact spelling for these; they stay one line of text, never a heading,
        // an include or a comment (the language keeps the backslash of `\#`).
        for text in [
            "# not a heading",
            "@include x.note",
            "a <!-- b --> c",
            "\u{feff}---",
        ] {
            let back = round_trip(&line(text).to_note());
            let [Block::Line(pieces)] = back.blocks.as_slice() else {
                panic!("{text:?} read back as {:?}", back.blocks)
            };
            assert!(matches!(pieces.as_slice(), [Piece::Text(_)]), "{pieces:?}");
        }
    }

    #[test]
    fn escaped_heading_titles_read_back_as_written() {
        let text = "## Plan \\{a\\|b\\} \\*\\*\\*\nText.\n";
        let template = round_trip(text);
        let Block::Heading(heading) = &template.blocks[0] else {
            panic!("{:?}", template.blocks)
        };
        assert_eq!(heading.title, "Plan {a|b} ***");
        assert_eq!(template.to_note(), text);
    }

    #[test]
    fn field_names_are_made_valid() {
        assert_eq!(field_name("Pain (0-10)"), "pain_0_10");
        assert_eq!(field_name("1st visit"), "f_1st_visit");
        assert_eq!(field_name("  "), "field");
        assert_eq!(field_name("Zoë's goal"), "zo_s_goal");
    }
}
