//! The line scanner: finds comments (which may span lines), splits the text into lines with the
//! same line breaks as LSP (`\n`, `\r\n` and a lone `\r`), decides which grammar rule each line
//! gets, and groups lines into front matter, preamble and sections.

use memchr::memmem;

use super::Parse;
use super::grammar::{parse_codes, parse_entry, parse_heading, parse_include, parse_inline};
use super::tree::{
    Comment, Document, Entry, FrontMatter, Include, Line, Section, Span, SyntaxError,
};

/// Parses a whole document. Never fails and never panics, whatever the text.
pub fn parse(text: &str) -> Parse {
    let mut errors = Vec::new();
    let comments = find_comments(text, &mut errors);
    let mut document = Document {
        comments,
        len: text.len(),
        ..Document::default()
    };

    let mut lines = LineIter::new(text);
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut comment_cursor = 0;

    // Front matter: when the first line with content is `---` (blank lines and comments, such as
    // a header comment, may come before it).
    let mut pending = lines.next();
    let mut probe_cursor = 0;
    let mut probe = Vec::new();
    while let Some(line) = pending {
        uncommented_pieces_into(line, &document.comments, &mut probe_cursor, &mut probe);
        if probe.iter().any(|piece| {
            !piece
                .text(text)
                .trim_start_matches('\u{feff}')
                .trim()
                .is_empty()
        }) {
            break;
        }
        pending = lines.next();
    }
    if let Some(first) = pending
        && probe
            .first()
            .is_some_and(|piece| piece.start == first.start)
        && first.text(text).trim_start_matches('\u{feff}').trim_end() == "---"
    {
        document.front_matter = Some(parse_front_matter(
            text,
            first,
            &mut lines,
            &document.comments,
            &mut errors,
        ));
        pending = lines.next();
    }

    let mut section_stack: Vec<usize> = Vec::new();
    let mut pieces = Vec::new(); // reused for every line
    let mut items = Vec::new(); // likewise
    while let Some(line) = pending {
        pending = lines.next();
        crate::work::count_parsed_line();
        uncommented_pieces_into(line, &document.comments, &mut comment_cursor, &mut pieces);
        let Some(&first_piece) = pieces.first() else {
            continue;
        };
        // A byte-order mark is not part of the first line's content.
        let (line_start, first_piece) = if line.start == 0 && bom > 0 {
            (
                bom,
                Span::new(first_piece.start.max(bom), first_piece.end.max(bom)),
            )
        } else {
            (line.start, first_piece)
        };
        let first_text = first_piece.text(text);
        if first_piece.start == line_start && is_heading_line(first_text) {
            let heading = parse_heading(first_text, first_piece.start, &mut errors);
            // Close every open section of the same or a deeper level.
            while let Some(&open) = section_stack.last() {
                if document.sections[open].heading.level >= heading.level {
                    document.sections[open].end = line.start;
                    section_stack.pop();
                } else {
                    break;
                }
            }
            let index = document.sections.len();
            if let Some(&parent) = section_stack.last() {
                document.sections[parent].children.push(index);
            }
            document.sections.push(Section {
                heading,
                lines: Vec::new(),
                end: text.len(),
                children: Vec::new(),
            });
            section_stack.push(index);
            continue;
        }
        if first_piece.start == line_start && is_include_line(first_text) {
            if let Some(path) = parse_include(first_text, first_piece.start, &mut errors) {
                document.includes.push(Include { span: line, path });
            }
            continue;
        }
        items.clear();
        for piece in &pieces {
            let piece_text = piece.text(text);
            if piece_text.trim().is_empty() {
                continue;
            }
            parse_inline(piece_text, piece.start, &mut items, &mut errors);
        }
        if items.is_empty() {
            continue;
        }
        // One allocation of the exact size, instead of growing a fresh vector per line; `take`
        // would hand over the reused buffer's spare capacity instead.
        #[allow(clippy::drain_collect)]
        let content = Line {
            span: line,
            items: items.drain(..).collect(),
        };
        match document.sections.last_mut() {
            Some(section) => section.lines.push(content),
            None => document.preamble.push(content),
        }
    }
    errors.sort_by_key(|error| error.span.start);
    Parse { document, errors }
}

/// `@include` followed by white space or the end of the line.
pub(super) fn is_include_line(line: &str) -> bool {
    line.strip_prefix("@include")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// `#` to `######` followed by white space or the end of the line.
pub(super) fn is_heading_line(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&byte| byte == b'#').count();
    (1..=6).contains(&hashes) && matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t'))
}

fn parse_front_matter(
    text: &str,
    opening: Span,
    lines: &mut LineIter<'_>,
    comments: &[Comment],
    errors: &mut Vec<SyntaxError>,
) -> FrontMatter {
    let mut front_matter = FrontMatter {
        span: opening,
        entries: Vec::new(),
        close: None,
    };
    // Is there a closing `---` before the first heading? If not, the block ends at the first line
    // that is not `key: value`, so a forgotten `---` costs one error, not one per line.
    let closed = lines
        .clone()
        .map(|line| line.text(text))
        .take_while(|line| !is_heading_line(line))
        .any(|line| line.trim_end() == "---");
    while let Some(line) = lines.peek() {
        let line_text = line.text(text);
        if closed && line_text.trim_end() == "---" {
            lines.next();
            front_matter.close = Some(line.start);
            front_matter.span.end = line.end;
            return front_matter;
        }
        // Lines that hold only comments (e.g. suppressions) count as blank.
        let mut cursor = 0;
        let pieces = uncommented_pieces(line, comments, &mut cursor);
        let blank = pieces
            .iter()
            .all(|piece| piece.text(text).trim().is_empty());
        if !closed && !blank && !looks_like_entry(line_text) {
            break;
        }
        lines.next();
        front_matter.span.end = line.end;
        if blank {
            continue;
        }
        // A trailing comment is not part of the value.
        let entry = pieces
            .iter()
            .copied()
            .find(|piece| !piece.text(text).trim().is_empty())
            .unwrap_or(line);
        if let Some((key, value)) = parse_entry(entry.text(text), entry.start, errors) {
            let codes = if key.text(text).eq_ignore_ascii_case("codes") {
                parse_codes(value.text(text), value.start, errors)
            } else {
                Vec::new()
            };
            front_matter.entries.push(Entry {
                span: line,
                key,
                value,
                codes,
            });
        }
    }
    errors.push(SyntaxError {
        span: opening,
        message: "the front matter opened here is never closed; add a line containing only `---` after its last `key: value` line".to_string(),
    });
    front_matter
}

/// `word:` at the start of a line, the shape of a front-matter entry.
fn looks_like_entry(line: &str) -> bool {
    let trimmed = line.trim_start();
    let key_length = trimmed
        .bytes()
        .take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
        .count();
    key_length > 0 && trimmed[key_length..].trim_start().starts_with(':')
}

/// Every `<!-- ... -->` of `text`, as [`parse`] finds them, without the rest of the parse.
pub fn comments(text: &str) -> Vec<Comment> {
    find_comments(text, &mut Vec::new())
}

/// Finds every `<!-- ... -->`. An unclosed comment runs to the end of the text and is an error.
fn find_comments(text: &str, errors: &mut Vec<SyntaxError>) -> Vec<Comment> {
    let mut comments = Vec::new();
    let open = memmem::Finder::new("<!--");
    let close = memmem::Finder::new("-->");
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = open.find(&bytes[from..]) {
        let start = from + found;
        let body_start = start + 4;
        match close.find(&bytes[body_start..]) {
            Some(found_close) => {
                let body_end = body_start + found_close;
                comments.push(Comment {
                    span: Span::new(start, body_end + 3),
                    body: Span::new(body_start, body_end),
                    closed: true,
                });
                from = body_end + 3;
            }
            None => {
                comments.push(Comment {
                    span: Span::new(start, text.len()),
                    body: Span::new(body_start, text.len()),
                    closed: false,
                });
                errors.push(SyntaxError {
                    span: Span::new(start, body_start),
                    message: "this comment is never closed, so everything after it is ignored; close it with `-->`".to_string(),
                });
                break;
            }
        }
    }
    comments
}

/// The parts of `line` not covered by comments. `cursor` remembers the first comment that may
/// still matter, so the whole scan stays linear.
fn uncommented_pieces(line: Span, comments: &[Comment], cursor: &mut usize) -> Vec<Span> {
    let mut pieces = Vec::with_capacity(1);
    uncommented_pieces_into(line, comments, cursor, &mut pieces);
    pieces
}

/// [`uncommented_pieces`] into a buffer the caller reuses (cleared first).
pub(super) fn uncommented_pieces_into(
    line: Span,
    comments: &[Comment],
    cursor: &mut usize,
    pieces: &mut Vec<Span>,
) {
    pieces.clear();
    while *cursor < comments.len() && comments[*cursor].span.end <= line.start {
        *cursor += 1;
    }
    let mut start = line.start;
    let mut index = *cursor;
    while index < comments.len() && comments[index].span.start < line.end {
        let comment = comments[index].span;
        if comment.start > start {
            pieces.push(Span::new(start, comment.start));
        }
        start = start.max(comment.end);
        if comment.end > line.end {
            break;
        }
        index += 1;
    }
    if start < line.end {
        pieces.push(Span::new(start, line.end));
    }
}

/// Lines as LSP counts them. Each yielded span excludes the line break.
#[derive(Clone)]
pub(super) struct LineIter<'a> {
    bytes: &'a [u8],
    position: usize,
    peeked: Option<Option<Span>>,
}

impl<'a> LineIter<'a> {
    pub(super) fn new(text: &'a str) -> LineIter<'a> {
        LineIter::starting_at(text, 0)
    }

    /// The lines from `position`, which must be where a line starts.
    pub(super) fn starting_at(text: &'a str, position: usize) -> LineIter<'a> {
        LineIter {
            bytes: text.as_bytes(),
            position,
            peeked: None,
        }
    }

    fn peek(&mut self) -> Option<Span> {
        if self.peeked.is_none() {
            self.peeked = Some(self.advance());
        }
        self.peeked.flatten()
    }

    fn advance(&mut self) -> Option<Span> {
        if self.position >= self.bytes.len() {
            return None;
        }
        let start = self.position;
        match memchr::memchr2(b'\n', b'\r', &self.bytes[start..]) {
            Some(found) => {
                let end = start + found;
                let mut next = end + 1;
                if self.bytes[end] == b'\r' && self.bytes.get(next) == Some(&b'\n') {
                    next += 1;
                }
                self.position = next;
                Some(Span::new(start, end))
            }
            None => {
                self.position = self.bytes.len();
                Some(Span::new(start, self.bytes.len()))
            }
        }
    }
}

impl Iterator for LineIter<'_> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        match self.peeked.take() {
            Some(peeked) => peeked,
            None => self.advance(),
        }
    }
}
