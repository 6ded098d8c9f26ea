//! Markdown, in (`import --from markdown`) and out (`export --to markdown`). Parsed with
//! `pulldown-cmark` (CommonMark with tables, task lists, heading attributes and a YAML front
//! matter block), never by hand.
//!
//! Reading: ATX and setext headings are headings at their level (`## Response {#response}` keeps
//! its kind when the rule pack knows it); each line of a paragraph is a line; list items are lines
//! that keep their marker (`- `, `1. `, indented two spaces per level); a task list (`- [ ] a`,
//! `- [ ] b`) is one choice of its items; `[ ] a [ ] b` on a line is a choice, `Label: ____` a
//! field, as in a text form; code spans holding `.note` syntax (`` `{{pain:number}}` ``,
//! `` `***` ``, `` `{a|b}` ``) are that construct, other code spans and code blocks are text;
//! emphasis markers are dropped and their text kept; a link keeps its text and address; HTML
//! comments are comments; tables, images and other HTML are kept as text and reported. The front
//! matter's `template`/`title`, `codes`, `payer`, `type` and `version` become the template's.
//!
//! Writing: front matter as a YAML block, headings at their level (`{#kind}` when the kind was
//! written), lines as lines (a hard line break `\` between lines of text so they stay lines when
//! rendered), fields and wildcards as code spans (`` `{{pain_after:number}}` ``: a reader sees the
//! name and type, and the import reads them back), a choice that ends its line as `[ ] a [ ] b`
//! and one followed by more text as a code span `` `{a|b}` ``, comments as HTML comments.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::model::{Block, Meta, Piece, Template, field_name};
use super::plain::{self, Reader};
use super::{ExportError, ImportError, Imported, Unmapped};
use crate::rulepack::RulePack;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
}

/// What the reader is inside of.
#[derive(Default)]
struct State {
    /// The pieces of the line being read, if one is open.
    line: Option<Vec<Piece>>,
    /// The 1-based input line where the open line starts.
    line_number: usize,
    /// `Some(ordered start)` per open list.
    lists: Vec<Option<u64>>,
    /// The marker the next line of the current list item starts with.
    marker: Option<String>,
    /// The current item is a task (`- [ ] a`); its text is an option of `tasks`.
    task: bool,
    tasks: Vec<String>,
    tasks_line: usize,
    heading: Option<(u8, String, Option<String>)>,
    code_block: Option<String>,
    html_block: Option<(usize, String)>,
    table: bool,
    metadata: Option<String>,
    /// Links' destinations, innermost last.
    links: Vec<String>,
    /// Block nesting depth (for blank lines between top-level blocks).
    depth: usize,
    last_line: usize,
    /// Comments met inside a line, written after it.
    comments: Vec<String>,
}

/// Reads Markdown into a template. Never fails.
pub fn import(input: &str) -> Result<Imported, ImportError> {
    let pack = RulePack::embedded_shared();
    let mut reader = Reader::new(&pack);
    let mut meta = Meta::default();
    let mut state = State::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(input.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset).max(1);
    for (event, range) in Parser::new_ext(input, options()).into_offset_iter() {
        let number = line_of(range.start);
        match event {
            Event::Start(tag) => {
                if state.depth == 0 && is_block(&tag) {
                    if state.last_line > 0
                        && number > state.last_line + 1
                        && !matches!(reader.blocks.last(), Some(Block::Blank) | None)
                    {
                        reader.blocks.push(Block::Blank);
                    }
                    // A block's range may take in the blank lines after it.
                    let content = input[range.clone()].trim_end();
                    state.last_line = line_of(range.start + content.len().saturating_sub(1));
                }
                if is_block(&tag) {
                    state.depth += 1;
                }
                start(&mut reader, &mut state, tag, number);
            }
            Event::End(tag) => {
                if is_block_end(&tag) {
                    state.depth = state.depth.saturating_sub(1);
                }
                end(&mut reader, &mut state, &mut meta, tag, number);
            }
            Event::Text(text) => {
                if let Some(code) = &mut state.code_block {
                    code.push_str(&text);
                } else if let Some(yaml) = &mut state.metadata {
                    yaml.push_str(&text);
                } else if let Some((_, title, _)) = &mut state.heading {
                    title.push_str(&text);
                } else if let Some((_, html)) = &mut state.html_block {
                    html.push_str(&text);
                } else {
                    text_piece(&mut state, number, &text);
                }
            }
            Event::Code(code) => {
                if let Some((_, title, _)) = &mut state.heading {
                    title.push_str(&code);
                } else {
                    let piece = code_piece(&code);
                    push(&mut state, number, piece);
                }
            }
            Event::Html(html) => match &mut state.html_block {
                Some((_, block)) => block.push_str(&html),
                None => state.html_block = Some((number, html.to_string())),
            },
            Event::InlineHtml(html) => {
                let html = html.trim();
                if let Some(comment) = comment_text(html) {
                    state.comments.push(comment);
                } else if html.eq_ignore_ascii_case("<br>")
                    || html.eq_ignore_ascii_case("<br/>")
                    || html.eq_ignore_ascii_case("<br />")
                {
                    flush(&mut reader, &mut state);
                } else {
                    reader.unmapped.push(Unmapped {
                        line: number,
                        what: format!("inline HTML {html}; kept as text"),
                    });
                    push(&mut state, number, Piece::Text(html.to_string()));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, title, _)) = &mut state.heading {
                    title.push(' ');
                } else if state.line.is_some() {
                    flush(&mut reader, &mut state);
                    // The item goes on: its next line has no marker.
                    state.line = Some(Vec::new());
                    state.line_number = number + 1;
                }
            }
            Event::Rule => {
                flush(&mut reader, &mut state);
                if !matches!(reader.blocks.last(), Some(Block::Blank) | None) {
                    reader.blocks.push(Block::Blank);
                }
            }
            Event::TaskListMarker(_) => {
                state.task = true;
                state.marker = None;
                if let Some(line) = &mut state.line {
                    line.clear();
                }
            }
            Event::FootnoteReference(name) => {
                push(&mut state, number, Piece::Text(format!("[^{name}]")));
            }
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                push(&mut state, number, Piece::Text(math.to_string()));
            }
        }
    }
    flush(&mut reader, &mut state);
    flush_tasks(&mut reader, &mut state);
    while matches!(reader.blocks.last(), Some(Block::Blank)) {
        reader.blocks.pop();
    }
    let mut imported = reader.finish();
    imported.template.meta = meta;
    Ok(imported)
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn start(reader: &mut Reader<'_>, state: &mut State, tag: Tag<'_>, number: usize) {
    match tag {
        Tag::Heading { level, id, .. } => {
            flush(reader, state);
            flush_tasks(reader, state);
            let level = match level {
                HeadingLevel::H1 => 1,
                HeadingLevel::H2 => 2,
                HeadingLevel::H3 => 3,
                HeadingLevel::H4 => 4,
                HeadingLevel::H5 => 5,
                HeadingLevel::H6 => 6,
            };
            state.heading = Some((level, String::new(), id.map(|id| id.to_string())));
        }
        Tag::Paragraph if state.line.is_none() => {
            state.line = Some(Vec::new());
            state.line_number = number;
        }
        Tag::List(first) => {
            flush(reader, state);
            state.lists.push(first);
        }
        Tag::Item => {
            flush(reader, state);
            let depth = state.lists.len().saturating_sub(1);
            let marker = match state.lists.last_mut() {
                Some(Some(next)) => {
                    let marker = format!("{next}. ");
                    *next += 1;
                    marker
                }
                _ => "- ".to_string(),
            };
            state.marker = Some(format!("{}{marker}", "  ".repeat(depth)));
            state.task = false;
            state.line = Some(Vec::new());
            state.line_number = number;
        }
        Tag::CodeBlock(kind) => {
            flush(reader, state);
            if let CodeBlockKind::Fenced(info) = kind
                && !info.trim().is_empty()
            {
                reader.blocks.push(Block::Comment(format!(
                    "imported from Markdown: a code block ({})",
                    info.trim()
                )));
            }
            state.code_block = Some(String::new());
        }
        Tag::HtmlBlock => flush(reader, state),
        Tag::Table(_) => {
            flush(reader, state);
            state.table = true;
            reader.unmapped.push(Unmapped {
                line: number,
                what: "a table; each row kept as a line of text, cells separated by ` | `"
                    .to_string(),
            });
            reader.blocks.push(Block::Comment(
                "imported from Markdown: a table, kept as text".to_string(),
            ));
        }
        Tag::TableHead | Tag::TableRow => {
            state.line = Some(Vec::new());
            state.line_number = number;
        }
        Tag::TableCell => {
            if let Some(line) = &mut state.line
                && !line.is_empty()
            {
                plain::push_text(line, " | ");
            }
        }
        Tag::MetadataBlock(_) => state.metadata = Some(String::new()),
        Tag::Link { dest_url, .. } => state.links.push(dest_url.to_string()),
        Tag::Image { dest_url, .. } => {
            reader.unmapped.push(Unmapped {
                line: number,
                what: format!("an image ({dest_url}); its description kept as text"),
            });
            state.links.push(dest_url.to_string());
        }
        Tag::BlockQuote(_) | Tag::FootnoteDefinition(_) | Tag::DefinitionList => {
            flush(reader, state);
        }
        Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
            flush(reader, state);
            state.line = Some(Vec::new());
            state.line_number = number;
        }
        _ => {}
    }
}

fn end(reader: &mut Reader<'_>, state: &mut State, meta: &mut Meta, tag: TagEnd, number: usize) {
    match tag {
        TagEnd::Heading(_) => {
            if let Some((level, title, id)) = state.heading.take() {
                let title = title.trim().to_string();
                let kind = id.filter(|id| reader.pack.section(id).is_some());
                reader.heading(title.clone());
                if let Some(Block::Heading(heading)) = reader.blocks.last_mut() {
                    heading.level = level;
                    heading.explicit = kind.is_some();
                    heading.kind = kind;
                }
            }
        }
        TagEnd::Paragraph
        | TagEnd::TableHead
        | TagEnd::TableRow
        | TagEnd::DefinitionListTitle
        | TagEnd::DefinitionListDefinition => flush(reader, state),
        TagEnd::Item => {
            if state.task {
                let option = state
                    .line
                    .take()
                    .map(|pieces| text_of(&pieces))
                    .unwrap_or_default();
                if state.tasks.is_empty() {
                    state.tasks_line = state.line_number;
                }
                if !option.trim().is_empty() {
                    state.tasks.push(option.trim().to_string());
                }
                state.task = false;
            } else {
                flush(reader, state);
            }
            state.marker = None;
        }
        TagEnd::List(_) => {
            flush(reader, state);
            flush_tasks(reader, state);
            state.lists.pop();
        }
        TagEnd::CodeBlock => {
            let code = state.code_block.take().unwrap_or_default();
            for line in code.lines() {
                let line: String = line
                    .chars()
                    .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                    .collect();
                let mut pieces = Vec::new();
                plain::push_text(&mut pieces, &line);
                reader.blocks.push(Block::Line(pieces));
            }
        }
        TagEnd::HtmlBlock => {
            if let Some((line, html)) = state.html_block.take() {
                html_block(reader, line, &html);
            }
        }
        TagEnd::Table => {
            flush(reader, state);
            state.table = false;
        }
        TagEnd::MetadataBlock(_) => {
            let yaml = state.metadata.take().unwrap_or_default();
            front_matter(reader, meta, &yaml, number);
        }
        TagEnd::Link | TagEnd::Image => {
            if let Some(url) = state.links.pop() {
                let shown = state
                    .line
                    .as_ref()
                    .map(|line| text_of(line))
                    .unwrap_or_default();
                if !url.is_empty() && !shown.ends_with(url.as_str()) {
                    push(state, number, Piece::Text(format!(" ({url})")));
                }
            }
        }
        _ => {}
    }
}

/// Adds text to the open line (opening one if needed): blanks and check boxes as in a text
/// form, `{{name}}`-style fields and `***` as in `.note`.
fn text_piece(state: &mut State, number: usize, text: &str) {
    // Control characters (a form feed, a vertical tab) are spaces in a template.
    let text: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect();
    // One pass, left to right; each look-ahead stops at the next brace, so the work stays linear
    // in the text whatever it holds (`{{{{...` included).
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let found: Option<(Piece, usize)> = if rest.starts_with("***") {
            Some((Piece::Wildcard, 3))
        } else if let Some(inside) = rest.strip_prefix("{{") {
            // A field: `}}` before any other brace.
            inside
                .find(['{', '}'])
                .filter(|&close| inside[close..].starts_with("}}"))
                .and_then(|close| field_of(&inside[..close]).map(|field| (field, close + 4)))
        } else if let Some(inside) = rest.strip_prefix('{') {
            // A `.note` choice written in the text: `{PT|PTA}`.
            inside
                .find(['{', '}'])
                .filter(|&close| inside[close..].starts_with('}'))
                .and_then(|close| match code_piece(&rest[..close + 2]) {
                    choice @ Piece::Choice(_) => Some((choice, close + 2)),
                    _ => None,
                })
        } else {
            None
        };
        match found {
            Some((piece, length)) => {
                push(state, number, Piece::Text(text[plain_from..at].to_string()));
                push(state, number, piece);
                at += length;
                plain_from = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    push(state, number, Piece::Text(text[plain_from..].to_string()));
}

/// `name` or `name:type` as `.note` writes a field (the inside of `{{...}}`).
fn field_of(inside: &str) -> Option<Piece> {
    let (name, ty) = match inside.split_once(':') {
        Some((name, ty)) => (name.trim(), Some(ty.trim())),
        None => (inside.trim(), None),
    };
    let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let valid_type = ty.is_none_or(|ty| {
        ty.starts_with(|c: char| c.is_ascii_alphabetic())
            && ty
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    });
    (valid_name && valid_type).then(|| Piece::Field {
        name: name.to_string(),
        ty: ty.map(str::to_ascii_lowercase),
    })
}

/// A code span: `.note` syntax (a field, `***`, a choice) is that construct; other code is text.
fn code_piece(code: &str) -> Piece {
    let trimmed = code.trim();
    if trimmed == "***" {
        return Piece::Wildcard;
    }
    if let Some(inside) = trimmed
        .strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
        && let Some(field) = field_of(inside)
    {
        return field;
    }
    if let Some(inside) = trimmed
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        && !inside.contains(['{', '}'])
        && inside.contains('|')
    {
        let options: Vec<String> = inside
            .split('|')
            .map(|option| super::model::unescape(option.trim()))
            .collect();
        if options.iter().all(|option| !option.is_empty()) {
            return Piece::Choice(options);
        }
    }
    Piece::Text(code.to_string())
}

fn push(state: &mut State, number: usize, piece: Piece) {
    if let Piece::Text(text) = &piece
        && text.is_empty()
    {
        return;
    }
    let line = state.line.get_or_insert_with(Vec::new);
    if line.is_empty() {
        state.line_number = number;
        if let Some(marker) = &state.marker {
            plain::push_text(line, marker);
        }
    }
    match piece {
        Piece::Text(text) => plain::push_text(line, &text),
        other => line.push(other),
    }
}

fn text_of(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Wildcard => out.push_str("***"),
            Piece::Field { name, .. } => out.push_str(name),
            Piece::Choice(options) => out.push_str(&options.join("/")),
        }
    }
    out
}

/// Ends the open line: its text is read like a text form's (blanks, check boxes) and the line,
/// then any comments met inside it, are added.
fn flush(reader: &mut Reader<'_>, state: &mut State) {
    if let Some(pieces) = state.line.take() {
        if !state.task {
            let mut out = Vec::new();
            for piece in pieces {
                match piece {
                    Piece::Text(text) => out.extend(reader.scan(&text)),
                    other => out.push(other),
                }
            }
            // Neighbouring text pieces (a scan between two constructs) are one.
            let mut merged: Vec<Piece> = Vec::new();
            for piece in out {
                match piece {
                    Piece::Text(text) => plain::push_text(&mut merged, &text),
                    other => merged.push(other),
                }
            }
            let is_marker_only = matches!(merged.as_slice(), [Piece::Text(text)] if text.trim().is_empty())
                || merged.is_empty();
            if !is_marker_only {
                flush_tasks(reader, state);
                reader.blocks.push(Block::Line(merged));
            }
        } else {
            state.line = Some(pieces);
        }
    }
    for comment in state.comments.drain(..) {
        reader.blocks.push(comment_block(comment));
    }
}

/// A comment, or an include written as a comment by the Markdown writer.
fn comment_block(comment: String) -> Block {
    match comment
        .strip_prefix("@include ")
        .and_then(plain::include_path)
    {
        Some(path) => Block::Include(path),
        None => Block::Comment(comment),
    }
}

/// Ends a task list: two or more items are one choice; one item stays a line of text.
fn flush_tasks(reader: &mut Reader<'_>, state: &mut State) {
    let tasks = std::mem::take(&mut state.tasks);
    match tasks.len() {
        0 => {}
        1 => {
            reader.unmapped.push(Unmapped {
                line: state.tasks_line,
                what: "a task list of one item (no other options to choose from); kept as text"
                    .to_string(),
            });
            reader.blocks.push(Block::Line(vec![Piece::Text(format!(
                "- [ ] {}",
                tasks[0]
            ))]));
        }
        _ => reader.blocks.push(Block::Line(vec![Piece::Choice(tasks)])),
    }
}

/// The text of `<!-- text -->`, if `html` is exactly one comment.
fn comment_text(html: &str) -> Option<String> {
    let inside = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?;
    (!inside.contains("-->")).then(|| inside.trim().to_string())
}

fn html_block(reader: &mut Reader<'_>, line: usize, html: &str) {
    if let Some(comment) = comment_text(html) {
        reader.blocks.push(comment_block(comment));
        return;
    }
    reader.unmapped.push(Unmapped {
        line,
        what: "an HTML block; kept as text".to_string(),
    });
    reader.blocks.push(Block::Comment(
        "imported from Markdown: HTML, kept as text".to_string(),
    ));
    for text in html.lines().filter(|text| !text.trim().is_empty()) {
        reader
            .blocks
            .push(Block::Line(vec![Piece::Text(text.trim_end().to_string())]));
    }
}

/// Reads the `key: value` lines of a YAML front matter block into the template's front matter;
/// other keys are kept as a comment and reported.
fn front_matter(reader: &mut Reader<'_>, meta: &mut Meta, yaml: &str, line: usize) {
    for (offset, entry) in yaml.lines().enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let unquote = |value: &str| value.trim().trim_matches(['"', '\'']).to_string();
        let Some((key, value)) = entry.split_once(':') else {
            keep_yaml(reader, entry, line + 1 + offset);
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "template" | "title" => meta.title = Some(unquote(value)),
            "payer" => meta.payer = Some(unquote(value)),
            "type" => meta.note_type = Some(unquote(value)),
            "version" => meta.version = Some(unquote(value)),
            "codes" => meta.codes.extend(
                value
                    .trim()
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(unquote)
                    .filter(|code| !code.is_empty()),
            ),
            _ => keep_yaml(reader, entry, line + 1 + offset),
        }
    }
}

fn keep_yaml(reader: &mut Reader<'_>, entry: &str, line: usize) {
    reader.unmapped.push(Unmapped {
        line,
        what: format!(
            "front matter `{}` has no .note key; kept as a comment",
            entry.trim()
        ),
    });
    reader.blocks.push(Block::Comment(format!(
        "imported from Markdown front matter: {}",
        entry.trim()
    )));
}

/// Writes a template as Markdown (see the module documentation for the choices made).
pub fn export(template: &Template) -> Result<String, ExportError> {
    let mut out = String::new();
    let entries = template.meta.entries();
    if !entries.is_empty() {
        out.push_str("---\n");
        for (key, value) in entries {
            out.push_str(&format!("{key}: {}\n", yaml_value(&value)));
        }
        out.push_str("---\n\n");
    }
    let blocks = &template.blocks;
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Blank => {
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
            }
            Block::Heading(heading) => {
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                out.push_str(&"#".repeat(heading.level.clamp(1, 6) as usize));
                out.push(' ');
                let title = escape(heading.title.replace(['\n', '\r'], " ").trim());
                out.push_str(if title.is_empty() { "Section" } else { &title });
                if let (true, Some(kind)) = (heading.explicit, &heading.kind) {
                    out.push_str(&format!(" {{#{kind}}}"));
                }
                out.push_str("\n\n");
            }
            Block::Line(pieces) => {
                let text = line(pieces);
                out.push_str(&text);
                // A hard break keeps the next line of text a line of its own; a list item or a
                // block after it needs none.
                let next_is_text = matches!(blocks.get(index + 1), Some(Block::Line(next)) if !is_list_item(&line(next)));
                if next_is_text && !is_list_item(&text) && !text.is_empty() {
                    out.push('\\');
                }
                out.push('\n');
            }
            Block::Comment(text) => {
                out.push_str(&format!("<!-- {} -->\n", text.replace("-->", "-- >")));
            }
            Block::Include(path) => {
                out.push_str(&format!(
                    "<!-- @include {} -->\n",
                    path.replace("-->", "-- >")
                ));
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    Ok(out)
}

/// A YAML scalar: quoted when it could read as something else.
fn yaml_value(value: &str) -> String {
    let plain = value.chars().all(|c| {
        c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | ',' | '/' | '(' | ')' | '\'')
    }) && !value.starts_with(['-', ' ']);
    if plain {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn is_list_item(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with("- ")
        || text.starts_with("* ")
        || text.starts_with("+ ")
        || text.split_once(". ").is_some_and(|(number, _)| {
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        })
}

/// One line of Markdown: text escaped (a leading list marker kept), fields and wildcards as code
/// spans, choices as check boxes when they end the line and as code spans otherwise.
fn line(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(text) => {
                let text = text.replace(['\n', '\r'], " ");
                if index == 0 {
                    let body = text.trim_start();
                    let indent = &text[..text.len() - body.len()];
                    let marker_length = list_marker(body);
                    out.push_str(indent);
                    out.push_str(&body[..marker_length]);
                    out.push_str(&escape(&body[marker_length..]));
                } else {
                    out.push_str(&escape(&text));
                }
            }
            Piece::Wildcard => out.push_str("`***`"),
            Piece::Field { name, ty } => {
                let field = match ty {
                    Some(ty) => format!("{{{{{}:{ty}}}}}", field_name(name)),
                    None => format!("{{{{{}}}}}", field_name(name)),
                };
                out.push_str(&code_span(&field));
            }
            Piece::Choice(options) => {
                let last = pieces[index + 1..]
                    .iter()
                    .all(|piece| matches!(piece, Piece::Text(text) if text.trim().is_empty()));
                let options: Vec<String> = options
                    .iter()
                    .map(|option| option.replace(['\n', '\r'], " ").trim().to_string())
                    .filter(|option| !option.is_empty())
                    .collect();
                if last {
                    let boxes: Vec<String> = options
                        .iter()
                        .map(|option| format!("\\[ \\] {}", escape(option)))
                        .collect();
                    out.push_str(&boxes.join(" "));
                } else {
                    let escaped: Vec<String> = options
                        .iter()
                        .map(|option| super::model::escape_text(option))
                        .collect();
                    out.push_str(&code_span(&format!("{{{}}}", escaped.join("|"))));
                }
            }
        }
    }
    out
}

/// The length of a list marker (`- `, `1. `) at the start of `text`, or 0.
fn list_marker(text: &str) -> usize {
    if text.starts_with("- ") || text.starts_with("* ") || text.starts_with("+ ") {
        return 2;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) && text[digits..].starts_with(". ") {
        return digits + 2;
    }
    0
}

/// A code span around `code`, with enough backticks.
fn code_span(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

/// Escapes what Markdown would read as syntax inside a line of text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '{' | '}'
        ) || (at == 0 && matches!(c, '#' | '-' | '+' | '=' | '1'..='9'));
        if special && c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::model::Heading;

    fn blocks(text: &str) -> Vec<Block> {
        import(text).unwrap().template.blocks
    }

    fn heading(level: u8, title: &str) -> Block {
        Block::Heading(Heading {
            level,
            title: title.into(),
            kind: None,
            explicit: false,
            required: false,
        })
    }

    fn text(text: &str) -> Block {
        Block::Line(vec![Piece::Text(text.into())])
    }

    #[test]
    fn headings_paragraph_lines_and_lists() {
        assert_eq!(
            blocks(
                "# Visit\n\nIntro *with* **emphasis**\nsecond line\n\nSetext\n------\n- one\n- two\n  1. nested\n"
            ),
            vec![
                heading(1, "Visit"),
                Block::Blank,
                text("Intro with emphasis"),
                text("second line"),
                Block::Blank,
                heading(2, "Setext"),
                text("- one"),
                text("- two"),
                text("  1. nested"),
            ]
        );
    }

    #[test]
    fn task_lists_and_boxes_become_choices() {
        assert_eq!(
            blocks("- [ ] Hot pack\n- [x] Ice\n\nTolerated: [ ] well [ ] poorly\n"),
            vec![
                Block::Line(vec![Piece::Choice(vec!["Hot pack".into(), "Ice".into()])]),
                Block::Blank,
                Block::Line(vec![
                    Piece::Text("Tolerated: ".into()),
                    Piece::Choice(vec!["well".into(), "poorly".into()])
                ]),
            ]
        );
    }

    #[test]
    fn code_spans_with_note_syntax_are_constructs_and_fields_in_text_too() {
        assert_eq!(
            blocks("Pain `{{pain:number}}`/10, `***`, `{a|b}` `x+1` and {{visit_date:date}}\n"),
            vec![Block::Line(vec![
                Piece::Text("Pain ".into()),
                Piece::Field {
                    name: "pain".into(),
                    ty: Some("number".into())
                },
                Piece::Text("/10, ".into()),
                Piece::Wildcard,
                Piece::Text(", ".into()),
                Piece::Choice(vec!["a".into(), "b".into()]),
                Piece::Text(" x+1 and ".into()),
                Piece::Field {
                    name: "visit_date".into(),
                    ty: Some("date".into())
                },
            ])]
        );
    }

    #[test]
    fn comments_code_tables_html_and_front_matter() {
        let imported = import(
            "---\ntitle: Daily note\ncodes: [97140-GP, 97110]\nauthor: me\n---\n<!-- for authors -->\n\n```text\nraw {x}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>hi</div>\n\nSee [the guide](https://example.org/g).\n",
        )
        .unwrap();
        assert_eq!(imported.template.meta.title.as_deref(), Some("Daily note"));
        assert_eq!(imported.template.meta.codes, vec!["97140-GP", "97110"]);
        let blocks = &imported.template.blocks;
        assert!(blocks.contains(&Block::Comment("for authors".into())));
        assert!(blocks.contains(&text("raw {x}")));
        assert!(blocks.contains(&text("a | b")));
        assert!(blocks.contains(&text("1 | 2")));
        assert!(blocks.contains(&text("<div>hi</div>")));
        assert!(blocks.contains(&text("See the guide (https://example.org/g).")));
        let what: Vec<&str> = imported.unmapped.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(what.len(), 3, "{what:?}");
        assert!(what[0].contains("author"));
        assert!(what[1].contains("table"));
        assert!(what[2].contains("HTML"));
        let lines: Vec<usize> = imported.unmapped.iter().map(|u| u.line).collect();
        assert_eq!(lines, vec![4, 12, 16]);
    }

    #[test]
    fn heading_attributes_keep_known_kinds() {
        let blocks = blocks("## What we did {#technique}\n## Other {#anchor}\n");
        let Block::Heading(first) = &blocks[0] else {
            panic!()
        };
        assert_eq!(first.kind.as_deref(), Some("technique"));
        assert!(first.explicit);
        let Block::Heading(second) = &blocks[1] else {
            panic!()
        };
        assert_eq!(second.kind, None);
        assert_eq!(second.title, "Other");
    }

    fn normalise(template: &Template) -> Vec<Block> {
        template
            .blocks
            .iter()
            .filter(|block| !matches!(block, Block::Blank))
            .map(|block| match block {
                Block::Heading(heading) => Block::Heading(Heading {
                    required: false,
                    kind: heading.explicit.then(|| heading.kind.clone()).flatten(),
                    ..heading.clone()
                }),
                other => other.clone(),
            })
            .collect()
    }

    #[test]
    fn round_trip_keeps_everything_but_blank_runs() {
        let text = "---\ntemplate: Manual therapy visit\ncodes: 97140-GP\npayer: medicare\n---\nDate of service: {{date_of_service:date}}\n\n# Visit\n## Technique {#technique}\n- {joint mobilization|soft tissue mobilization} to {{region:region}}\n- Maitland grade {I|II|III|IV}, {{minutes:minutes}} minutes\n1. first [step] *with* stars_and_underscores <b> & `tick` \\{x\\}\n\n### Response\nTolerated {well|with mild soreness}; pain {{pain_after:number}}/10 after. ***\nSecond line # not a heading\n<!-- a comment -->\n@include shared/signature.note\n";
        let pack = RulePack::embedded();
        let analysis = crate::analysis::analyze_text(text, &pack, &Default::default());
        let template = Template::from_analysis(text, &analysis, &pack);
        let mut template = template;
        template.blocks.push(Block::Comment("a comment".into()));
        let exported = export(&template).unwrap();
        let back = import(&exported).unwrap();
        assert!(back.unmapped.is_empty(), "{:?}\n{exported}", back.unmapped);
        assert_eq!(back.template.meta, template.meta);
        assert_eq!(
            normalise(&back.template),
            normalise(&template),
            "{exported}"
        );
        assert_eq!(export(&back.template).unwrap(), exported);
    }
}
