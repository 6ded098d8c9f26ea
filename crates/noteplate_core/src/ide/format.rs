//! `noteplate fmt` and the editor's "Format Document": one canonical layout of a `.note` file.
//!
//! The layout, rule by rule (docs/fmt.md has it for authors):
//! - front matter keys in the order of [`syntax::FRONT_MATTER_KEYS`], unknown keys after them in
//!   their own order, blank lines inside the block dropped (in a block without its closing `---`
//!   they follow the blank-line rules below); `key: value` with one space after
//!   the colon; `codes:` items separated by `, `, upper-cased (codes and modifiers are
//!   case-insensitive), empty items dropped (they are ignored);
//! - `#` marks followed by one space; one blank line before a heading (none at the start of the
//!   file) and one after it;
//! - `{{ name : type }}` written `{{name:type}}`, `{ a | b }` written `{a|b}`;
//! - no trailing spaces or tabs, at most one blank line in a row, no blank lines at the start or
//!   the end, exactly one final line break, every line break the file's own (the first outside comments, read with [`syntax::line_break`]).
//!
//! The invariant: formatting never changes what the text means. The property test
//! (`tests/format.rs`) checks it: the same sections, fields, choices, wildcards, includes,
//! comments and text, and the same findings, before and after. To keep it, whatever could
//! carry meaning is left byte for byte:
//! - a line that touches a comment (a comment on it, or a line inside a multi-line comment) is
//!   left as it is (a line break inside a comment too), and so are the blank lines after it: a
//!   `noteplate-disable-next-line` comment silences the line right after it;
//! - a line with a syntax error is left as it is, so text the parser rejected is not rewritten
//!   (the rest of the file is still formatted);
//! - front matter that holds a comment, a syntax error or no closing `---` is not reordered,
//!   and in front matter without its closing `---` a line of white space keeps it (an empty
//!   line would end the block);
//! - blank lines before a first `---` or a byte-order mark that is not on the first line stay
//!   (removing them would turn that block into front matter, or the mark from text into a
//!   byte-order mark), and an unclosed comment keeps the end of the file as
//!   it is (a final line break would become part of the comment);
//! - choice options that are blank, or whose trailing white space follows a `\` (removing it
//!   would make an escape), keep their white space.

use noteplate_syntax::{self as syntax, Choice, Field, Inline, Parse, Span};

/// The canonical layout of `text`, which `parse` must be the parse of. Idempotent:
/// `format(format(x)) == format(x)`.
pub fn format(text: &str, parse: &Parse) -> String {
    let (lines, newline) = classify(text, parse);
    assemble(&lines, newline)
}

/// The smallest single edit that turns `text` into `format(text, parse)`: the span of `text`
/// that differs and what replaces it, or `None` when the text is already formatted. Both ends
/// fall on character boundaries.
pub fn format_edit(text: &str, parse: &Parse) -> Option<(Span, String)> {
    let formatted = format(text, parse);
    if formatted == text {
        return None;
    }
    let old = text.as_bytes();
    let new = formatted.as_bytes();
    let mut prefix = old
        .iter()
        .zip(new)
        .take_while(|(left, right)| left == right)
        .count();
    while !text.is_char_boundary(prefix) || !formatted.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let mut suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(left, right)| left == right)
        .count();
    while !text.is_char_boundary(old.len() - suffix)
        || !formatted.is_char_boundary(new.len() - suffix)
    {
        suffix -= 1;
    }
    // Never start or end between the `\r` and the `\n` of a break: no editor position is there.
    let splits =
        |bytes: &[u8], at: usize| at > 0 && bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n');
    if splits(old, prefix) || splits(new, prefix) {
        prefix -= 1;
    }
    if splits(old, old.len() - suffix) || splits(new, new.len() - suffix) {
        suffix -= 1;
    }
    let span = Span::new(prefix, old.len() - suffix);
    Some((span, formatted[prefix..new.len() - suffix].to_string()))
}

/// What a physical line is, for the blank-line rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Heading,
    Other,
}

/// One physical line and what it becomes.
#[derive(Debug)]
struct Out<'a> {
    kind: Kind,
    /// The line's new text, without its break.
    text: std::borrow::Cow<'a, str>,
    /// The line's break as it is in the source ("" for a last line without one).
    source_break: &'a str,
    /// The break is inside a comment: it stays as it is.
    break_in_comment: bool,
    /// The line touches a suppression comment: the blank lines after it stay as they are.
    sticky: bool,
    /// The first line with content starts with `---` or a byte-order mark: the blank lines
    /// before it stay (see the module doc).
    dashes: bool,
}

fn trim_end(line: &str) -> &str {
    line.trim_end_matches([' ', '\t'])
}

fn trim(line: &str) -> &str {
    line.trim_matches([' ', '\t'])
}

/// The lines and the file's line break: the first one outside comments (a break inside a
/// comment is the comment's and stays, so it must not decide the others), else the first one.
fn classify<'a>(text: &'a str, parse: &Parse) -> (Vec<Out<'a>>, &'static str) {
    let mut newline = None;
    let document = &parse.document;
    let spans: Vec<Span> = syntax::line_spans(text).collect();
    let mut out = Vec::with_capacity(spans.len());

    // Comments and errors are in document order; walk them with the lines.
    let comments = &document.comments;
    let mut errors: Vec<Span> = parse.errors.iter().map(|error| error.span).collect();
    errors.sort_unstable();
    let mut comment_at = 0;
    let mut error_at = 0;

    // What starts where: headings, content lines, includes, front matter entries.
    let headings = document.sections.iter().map(|section| &section.heading);
    let mut headings = headings.peekable();
    let mut content = document.lines().peekable();
    let mut includes = document.includes.iter().peekable();

    let front_matter = document.front_matter.as_ref();
    let front_matter_end = front_matter.map_or(0, |block| block.span.end);
    let reorder = front_matter.is_some_and(|block| {
        block.close.is_some()
            && !comments
                .iter()
                .any(|comment| comment.span.start < block.span.end)
            && !errors
                .iter()
                .any(|error| error.start <= block.span.end && block.span.start <= error.end)
    });
    let mut first_content_seen = false;

    for (index, &line) in spans.iter().enumerate() {
        let next_start = spans.get(index + 1).map_or(text.len(), |next| next.start);
        let source_break = &text[line.end..next_start];
        let source = line.text(text);

        while comments
            .get(comment_at)
            .is_some_and(|comment| comment_end(comment, text) <= line.start)
        {
            comment_at += 1;
        }
        let touching = || {
            comments[comment_at..]
                .iter()
                .take_while(|comment| comment.span.start < next_start.max(line.end + 1))
                .filter(|comment| comment_end(comment, text) > line.start)
        };
        let touches = touching().next().is_some();
        let sticky = touching().any(|comment| is_directive(comment, text));
        let break_in_comment = comments[comment_at..]
            .iter()
            .take_while(|comment| comment.span.start < line.end.max(line.start + 1))
            .any(|comment| comment_end(comment, text) > line.end);
        if newline.is_none() && !break_in_comment && !source_break.is_empty() {
            newline = Some(syntax::line_break(source_break));
        }
        while errors
            .get(error_at)
            .is_some_and(|error| error.end < line.start)
        {
            error_at += 1;
        }
        let has_error = errors[error_at..]
            .iter()
            .take_while(|error| error.start <= line.end)
            .any(|error| error.end >= line.start);

        let mut item = Out {
            kind: Kind::Other,
            text: source.into(),
            source_break,
            break_in_comment,
            sticky,
            dashes: false,
        };
        let heading = skip_to(&mut headings, line.start, |heading| heading.span.start);
        let content_line = skip_to(&mut content, line.start, |content| content.span.start);
        let include = skip_to(&mut includes, line.start, |include| include.span.start);

        if line.start < front_matter_end || (line.start == 0 && front_matter.is_some()) {
            // Front matter: reordered as a whole below when it is clean; otherwise line by line.
            if reorder {
                continue;
            }
            if trim(source).is_empty() && !touches {
                // The parser skips blank lines in front matter, empty or not. In a closed block
                // they stay in it (between its `---` lines); in an unclosed one they are ordinary
                // blank lines (at most one in a row, none at the end), so that the last one,
                // which ends where the block ends, is treated like the others.
                item.text = "".into();
                if front_matter.is_some_and(|block| block.close.is_none()) {
                    item.kind = Kind::Blank;
                }
            } else if !touches && !has_error {
                if let Some(entry) = front_matter.and_then(|block| {
                    block
                        .entries
                        .iter()
                        .find(|entry| entry.span.start == line.start)
                }) {
                    item.text = format_entry(text, entry).into();
                } else if trim(source) == "---" || trim_end(source).ends_with("---") {
                    item.text = trim_end(source).into();
                }
            }
            out.push(item);
            continue;
        }

        let blank = trim(source).is_empty();
        if !first_content_seen && !blank {
            first_content_seen = true;
            // At the start of the file a byte-order mark is no longer text, and `---` opens
            // front matter: the blank lines before them stay.
            item.dashes = source.starts_with('\u{feff}') || trim(source).starts_with("---");
        }
        if touches {
            if !break_in_comment {
                let last_comment_end = comments[comment_at..]
                    .iter()
                    .take_while(|comment| comment.span.start < line.end.max(line.start + 1))
                    .map(|comment| comment_end(comment, text))
                    .max()
                    .unwrap_or(line.start);
                // Trailing white space after the last comment on the line is not in it.
                if last_comment_end <= line.end {
                    let keep = last_comment_end - line.start
                        + trim_end(&source[last_comment_end - line.start..]).len();
                    item.text = source[..keep].into();
                }
            }
            if heading.is_some() {
                item.kind = Kind::Heading;
            }
            out.push(item);
            continue;
        }
        if blank && heading.is_none() && content_line.is_none() && include.is_none() {
            item.kind = Kind::Blank;
            item.text = "".into();
            out.push(item);
            continue;
        }
        if let Some(heading) = heading {
            item.kind = Kind::Heading;
            if !has_error {
                item.text = format_heading(source, heading.level).into();
            }
        } else if has_error {
            // Left as it is.
        } else if include.is_some() {
            item.text = trim_end(source).into();
        } else if let Some(content_line) = content_line {
            item.text = format_content(text, line, content_line).into();
        }
        out.push(item);
    }

    if reorder && let Some(block) = front_matter {
        let mut entries: Vec<&syntax::Entry> = block.entries.iter().collect();
        entries.sort_by_key(|entry| key_rank(entry.key.text(text)));
        let bom = if text.starts_with('\u{feff}') {
            "\u{feff}"
        } else {
            ""
        };
        let made = |line: String| Out {
            kind: Kind::Other,
            text: line.into(),
            source_break: "",
            break_in_comment: false,
            sticky: false,
            dashes: false,
        };
        let mut head = Vec::with_capacity(entries.len() + 2 + out.len());
        head.push(made(format!("{bom}---")));
        head.extend(
            entries
                .into_iter()
                .map(|entry| made(format_entry(text, entry))),
        );
        head.push(made("---".to_string()));
        head.extend(out);
        out = head;
    }
    (out, newline.unwrap_or_else(|| syntax::line_break(text)))
}

/// A suppression comment (`<!-- noteplate-... -->`): its place relative to the next line matters.
fn is_directive(comment: &syntax::Comment, text: &str) -> bool {
    let body = comment.body.text(text).trim_start();
    body.get(..10)
        .is_some_and(|start| start.eq_ignore_ascii_case("noteplate-"))
}

/// Where a comment ends; an unclosed one runs past the end of the text.
fn comment_end(comment: &syntax::Comment, text: &str) -> usize {
    if comment.closed {
        comment.span.end
    } else {
        text.len() + 1
    }
}

/// Advances `items` past those starting before `at` and takes the one starting at `at`.
fn skip_to<'t, T: 't>(
    items: &mut std::iter::Peekable<impl Iterator<Item = &'t T>>,
    at: usize,
    start: impl Fn(&T) -> usize,
) -> Option<&'t T> {
    while items.peek().is_some_and(|item| start(item) < at) {
        items.next();
    }
    items.next_if(|item| start(item) == at)
}

fn key_rank(key: &str) -> usize {
    syntax::FRONT_MATTER_KEYS
        .iter()
        .position(|(known, _)| known.eq_ignore_ascii_case(key))
        .unwrap_or(syntax::FRONT_MATTER_KEYS.len())
}

fn format_entry(text: &str, entry: &syntax::Entry) -> String {
    let key = entry.key.text(text);
    let value = entry.value.text(text);
    let value = if key.eq_ignore_ascii_case("codes") {
        value
            .split(',')
            .map(trim)
            .filter(|item| !item.is_empty())
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        value.to_string()
    };
    if value.is_empty() {
        format!("{key}:")
    } else {
        format!("{key}: {value}")
    }
}

fn format_heading(source: &str, level: u8) -> String {
    let marks = usize::from(level);
    let rest = trim(source.get(marks..).unwrap_or(""));
    let marks = &source[..marks.min(source.len())];
    if rest.is_empty() {
        marks.to_string()
    } else {
        format!("{marks} {rest}")
    }
}

fn format_content(text: &str, line: Span, content: &syntax::Line) -> String {
    let mut out = String::with_capacity(line.len());
    let mut cursor = line.start;
    for item in &content.items {
        let span = item.span();
        if span.start < cursor || span.end > line.end {
            continue;
        }
        out.push_str(&text[cursor..span.start]);
        match item {
            Inline::Field(field) => format_field(text, field, &mut out),
            Inline::Choice(choice) => format_choice(text, choice, &mut out),
            _ => out.push_str(span.text(text)),
        }
        cursor = span.end;
    }
    out.push_str(&text[cursor.min(line.end)..line.end]);
    let kept = trim_end(&out).len();
    out.truncate(kept);
    out
}

fn format_field(text: &str, field: &Field, out: &mut String) {
    out.push_str("{{");
    out.push_str(field.name.text(text));
    if let Some(ty) = field.ty {
        out.push(':');
        out.push_str(ty.text(text));
    }
    out.push_str("}}");
}

fn format_choice(text: &str, choice: &Choice, out: &mut String) {
    out.push('{');
    for (index, option) in choice.options.iter().enumerate() {
        if index > 0 {
            out.push('|');
        }
        let option = option.text(text);
        let trimmed = trim(option);
        if trimmed.is_empty() {
            out.push_str(option);
        } else if trimmed.ends_with('\\') {
            out.push_str(option.trim_start_matches([' ', '\t']));
        } else {
            out.push_str(trimmed);
        }
    }
    out.push('}');
}

fn assemble(lines: &[Out<'_>], newline: &str) -> String {
    let mut out = String::with_capacity(lines.iter().map(|line| line.text.len() + 2).sum());
    let mut previous: Option<&Out<'_>> = None;
    let mut blanks: Vec<&Out<'_>> = Vec::new();
    let push = |out: &mut String, line: &Out<'_>| {
        out.push_str(&line.text);
        if line.break_in_comment {
            out.push_str(line.source_break);
        } else {
            out.push_str(newline);
        }
    };
    for line in lines {
        if line.kind == Kind::Blank {
            blanks.push(line);
            continue;
        }
        match previous {
            None if line.dashes => blanks.iter().for_each(|blank| push(&mut out, blank)),
            None => {}
            Some(before) if before.sticky || before.break_in_comment => {
                blanks.iter().for_each(|blank| push(&mut out, blank))
            }
            Some(before) => {
                let want = if before.kind == Kind::Heading || line.kind == Kind::Heading {
                    1
                } else {
                    blanks.len().min(1)
                };
                for _ in 0..want {
                    out.push_str(newline);
                }
            }
        }
        blanks.clear();
        push(&mut out, line);
        previous = Some(line);
    }
    match previous {
        Some(before) if before.sticky => {
            blanks.iter().for_each(|blank| push(&mut out, blank));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
