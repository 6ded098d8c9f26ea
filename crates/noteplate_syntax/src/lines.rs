//! The line scanner: finds comments (which may span lines), splits the text into lines with the
//! same line breaks as LSP (`\n`, `\r\n` and a lone `\r`), decides which grammar rule each line
//! gets, and groups lines into front matter, preamble and sections.

use memchr::memmem;

use super::Parse;
use super::grammar::{parse_codes, parse_entry, parse_heading, parse_include, parse_inline};
use super::memo::LineMemo;
use super::tree::{
    Comment, Document, Entry, FrontMatter, Include, Inline, Line, Section, Span, SyntaxError,
};

/// Parses a whole document. Never fails and never panics, whatever the text.
pub fn parse(text: &str) -> Parse {
    parse_with(text, true, None)
}

/// [`parse`] through `memo`: exactly the same tree and errors, with the inline pieces of lines
/// read before (by this memo, in any document) taken from it instead of parsed again. For
/// parsing many documents that share lines, such as `check` over a template library.
pub fn parse_with_memo(text: &str, memo: &mut LineMemo) -> Parse {
    parse_with(text, true, Some(memo))
}

/// [`parse`] with every line read by pest alone, never by the fast path (`fast.rs`): the same
/// result, slower. For the benchmark that measures what the fast path buys, and for tests.
#[doc(hidden)]
pub fn parse_without_fast_path(text: &str) -> Parse {
    parse_with(text, false, None)
}

fn parse_with(text: &str, fast_path: bool, mut memo: Option<&mut LineMemo>) -> Parse {
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

    // Front matter: only when the very first line is `---` (after an optional byte-order mark;
    // docs/language.md). A blank line or a comment before it makes the block ordinary text.
    let mut pending = lines.next();
    if let Some(first) = pending
        && first.text(text).get(bom..).map(str::trim_end) == Some("---")
    {
        document.front_matter = Some(parse_front_matter(
            text,
            first,
            &mut lines,
            &document.comments,
            &mut errors,
            fast_path,
        ));
        pending = lines.next();
    }

    let mut section_stack: Vec<usize> = Vec::new();
    let mut pieces = Vec::new(); // reused for every line
    let mut items = Vec::new(); // likewise
    // The lines of the current part (the preamble, then each section), moved into it with one
    // allocation of the exact size when the next heading or the end comes, instead of growing
    // the part's vector line by line.
    let mut part_lines: Vec<Line> = Vec::new();
    // Whether a line with content came before (the front matter counts).
    let mut seen_content = document.front_matter.is_some();
    while let Some(line) = pending {
        pending = lines.next();
        crate::work::count_parsed_line();
        uncommented_pieces_into(line, &document.comments, &mut comment_cursor, &mut pieces);
        let Some(&first_piece) = pieces.first() else {
            continue;
        };
        if !seen_content
            && pieces
                .iter()
                .any(|piece| !piece.text(text).trim().is_empty())
        {
            seen_content = true;
            misplaced_front_matter(text, &pieces, &mut errors);
        }
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
            let heading = parse_heading(first_text, first_piece.start, &mut errors, fast_path);
            flush_lines(&mut document, &mut part_lines);
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
        let line_items = match (memo.as_deref_mut(), pieces.as_slice()) {
            // A line of one piece through the memo: its items come in a vector of their own.
            (Some(memo), [piece]) => {
                let piece_text = piece.text(text);
                if piece_text.trim().is_empty() {
                    continue;
                }
                memo.inline_alone(piece_text, piece.start, &mut errors)
            }
            (mut memo, _) => {
                items.clear();
                for piece in &pieces {
                    let piece_text = piece.text(text);
                    if piece_text.trim().is_empty() {
                        continue;
                    }
                    match memo.as_deref_mut() {
                        Some(memo) => memo.inline(piece_text, piece.start, &mut items, &mut errors),
                        None => parse_inline(
                            piece_text,
                            piece.start,
                            &mut items,
                            &mut errors,
                            fast_path,
                        ),
                    }
                }
                // One allocation of the exact size, instead of growing a fresh vector per line;
                // `take` would hand over the reused buffer's spare capacity instead.
                #[allow(clippy::drain_collect)]
                let line_items: Vec<Inline> = items.drain(..).collect();
                line_items
            }
        };
        if line_items.is_empty() {
            continue;
        }
        part_lines.push(Line {
            span: line,
            items: line_items,
        });
    }
    flush_lines(&mut document, &mut part_lines);
    errors.sort_by_key(|error| error.span.start);
    Parse { document, errors }
}

/// Moves the lines read since the last heading into the last section (the preamble before the
/// first), exactly sized.
fn flush_lines(document: &mut Document, lines: &mut Vec<Line>) {
    if lines.is_empty() {
        return;
    }
    #[allow(clippy::drain_collect)]
    let moved: Vec<Line> = lines.drain(..).collect();
    match document.sections.last_mut() {
        Some(section) => section.lines = moved,
        None => document.preamble = moved,
    }
}

/// `@include` followed by white space or the end of the line.
pub fn is_include_line(line: &str) -> bool {
    line.strip_prefix("@include")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// The level of the heading `line` starts, if it starts one: `#` to `######` at its very start,
/// followed by white space or the end of the line. The one definition of a heading line: the
/// scanner gives the grammar's `heading` rule exactly these lines, the fast path reads them, and
/// the editor features ask the parse tree, which was built with it.
pub fn heading_level(line: &str) -> Option<u8> {
    let hashes = line.bytes().take_while(|&byte| byte == b'#').count();
    ((1..=6).contains(&hashes) && matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t')))
        .then_some(hashes as u8)
}

fn is_heading_line(line: &str) -> bool {
    heading_level(line).is_some()
}

/// A document whose first line with content is `---`, but not on the very first line (a header
/// comment or a blank line above it): the author meant front matter, which is only recognised on
/// the first line, so its `codes:` and `payer:` would be silently ignored. Says so.
fn misplaced_front_matter(text: &str, pieces: &[Span], errors: &mut Vec<SyntaxError>) {
    let mut written = pieces
        .iter()
        .filter(|piece| !piece.text(text).trim().is_empty());
    let (Some(piece), None) = (written.next(), written.next()) else {
        return;
    };
    let written = piece.text(text);
    if written.trim() != "---" {
        return;
    }
    let start = piece.start + (written.len() - written.trim_start().len());
    errors.push(SyntaxError {
        span: Span::new(start, start + 3),
        message: "this `---` is not front matter, because front matter must start on the very first line; its `key: value` lines (codes, payer, type) are read as text. Move what is above it (a comment, blank lines) below the closing `---`".to_string(),
    });
}

fn parse_front_matter(
    text: &str,
    opening: Span,
    lines: &mut LineIter<'_>,
    comments: &[Comment],
    errors: &mut Vec<SyntaxError>,
    fast_path: bool,
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
        if let Some((key, value)) = parse_entry(entry.text(text), entry.start, errors, fast_path) {
            let codes = if key.text(text).eq_ignore_ascii_case("codes") {
                parse_codes(value.text(text), value.start, errors, fast_path)
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

/// Where the line holding `offset` starts: just after the line break before it (`\n`, `\r\n`
/// or a lone `\r`, as everywhere), or 0.
pub fn line_start(text: &str, offset: usize) -> usize {
    memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..offset.min(text.len())])
        .map_or(0, |found| found + 1)
}

/// Where the line holding `offset` ends: at its line break, or at the end of the text.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    memchr::memchr2(b'\n', b'\r', &text.as_bytes()[offset..])
        .map_or(text.len(), |found| offset + found)
}

/// The document's own line break: the first one it contains (`\n`, `\r\n` or `\r`), or `\n`
/// when it has none. Every fix and completion that inserts a line break inserts this one.
pub fn line_break(text: &str) -> &'static str {
    let bytes = text.as_bytes();
    match memchr::memchr2(b'\n', b'\r', bytes) {
        Some(index) if bytes[index] == b'\r' => {
            if bytes.get(index + 1) == Some(&b'\n') {
                "\r\n"
            } else {
                "\r"
            }
        }
        _ => "\n",
    }
}

/// The lines of `text` as LSP counts them (breaks `\n`, `\r\n` and a lone `\r`), each span
/// without its line break; the break is the text between one span's end and the next span's
/// start. No line after a final line break, and none for the empty text.
pub fn line_spans(text: &str) -> impl Iterator<Item = Span> + '_ {
    LineIter::new(text)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/language.md: front matter only when the very first line is `---` (after a BOM). The
    /// parser used to accept it after blank lines and comments too, while the editor features
    /// (completion's front-matter context) and the suppression quick fixes followed the docs.
    #[test]
    fn front_matter_only_on_the_first_line() {
        for text in [
            "---\ncodes: 97140\n---\n",
            "\u{feff}---  \r\ncodes: 97140\r\n---\r\n",
        ] {
            let parse = parse(text);
            let front_matter = parse.document.front_matter.expect("front matter");
            assert_eq!(front_matter.entries.len(), 1, "{text:?}");
        }
        // Below the first line it is text, and a syntax error says why, so that the codes it
        // declares are not ignored silently.
        for (text, at) in [
            ("<!-- header -->\n---\ncodes: 97140\n---\n", 16),
            ("\n---\ncodes: 97140\n---\n", 1),
            (" ---\ncodes: 97140\n---\n", 1),
            ("<!-- a --> \n\n  --- <!-- b -->\r\ncodes: 97140\n", 15),
        ] {
            let parse = parse(text);
            assert_eq!(parse.document.front_matter, None, "{text:?}");
            assert_eq!(parse.errors.len(), 1, "{text:?}: {:?}", parse.errors);
            assert_eq!(parse.errors[0].span, Span::new(at, at + 3), "{text:?}");
            assert!(parse.errors[0].message.contains("very first line"));
        }
        // A `---` further down, after other content, is a plain line (a separator).
        for text in [
            "Intro\n---\n",
            "---\ncodes: 97140\n---\n---\n",
            "## A\n---\n",
        ] {
            assert!(parse(text).errors.is_empty(), "{text:?}");
        }
    }

    /// One policy for inserted line breaks: the first break of the document. The suppression
    /// quick fixes used to insert `\r\n` whenever the text contained one anywhere, while the
    /// rules' fixes used the first break.
    #[test]
    fn the_documents_own_line_break() {
        assert_eq!(line_break("a\nb\r\nc"), "\n");
        assert_eq!(line_break("a\r\nb\nc"), "\r\n");
        assert_eq!(line_break("a\rb"), "\r");
        assert_eq!(line_break("a"), "\n");
        let text = "a\r\nbc\rd\ne";
        assert_eq!(line_start(text, 4), 3);
        assert_eq!(line_start(text, 3), 3);
        assert_eq!(line_start(text, 1), 0);
        assert_eq!(line_start(text, 7), 6);
        assert_eq!(line_end(text, 3), 5);
        assert_eq!(line_end(text, 8), 9);
        assert_eq!(line_end(text, 1), 1);
    }

    #[test]
    fn heading_lines() {
        assert_eq!(heading_level("## Title"), Some(2));
        assert_eq!(heading_level("#"), Some(1));
        assert_eq!(heading_level("######\tx"), Some(6));
        assert_eq!(heading_level("####### x"), None);
        assert_eq!(heading_level("#hashtag"), None);
        assert_eq!(heading_level(" # x"), None);
    }
}
