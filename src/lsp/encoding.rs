//! Positions at the protocol boundary: LSP (line, character) in the negotiated encoding to byte
//! offsets in a rope, and back. Everything inside the server is byte offsets; only this file
//! knows about UTF-16. Out-of-range positions are clamped, never a panic.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::syntax::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (cheapest for us), else UTF-16, which every client supports.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Length in bytes of `line`'s content, without its line break.
fn content_len(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut length = slice.len_bytes();
    let chars = slice.len_chars();
    if chars > 0 && matches!(slice.char(chars - 1), '\n' | '\r') {
        length -= 1;
        if chars > 1 && slice.char(chars - 1) == '\n' && slice.char(chars - 2) == '\r' {
            length -= 1;
        }
    }
    length
}

/// Byte offset of an LSP position. A line past the end maps to the end of the text; a character
/// past the end of its line maps to the end of that line; a position inside a character (a UTF-8
/// byte in the middle, half a surrogate pair) moves back to the character's start.
pub fn offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let content = content_len(rope, line);
    let column = position.character as usize;
    match encoding {
        Encoding::Utf8 => {
            let byte = line_start + column.min(content);
            // Move back to a character boundary.
            rope.char_to_byte(rope.byte_to_char(byte))
        }
        Encoding::Utf16 => {
            let slice = rope.byte_slice(line_start..line_start + content);
            let units = slice.len_utf16_cu();
            let char_in_line = slice.utf16_cu_to_char(column.min(units));
            line_start + slice.char_to_byte(char_in_line)
        }
    }
}

/// LSP position of a byte offset (clamped to the text, moved back to a character boundary).
/// Three lookups in the rope (the offset's chunk, its line, the line's start); the column is
/// counted in the chunk when the line starts there (the usual case), else through a slice.
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    // Chunks start and end at character boundaries.
    let mut in_chunk = offset - chunk_start;
    while !chunk.is_char_boundary(in_chunk) {
        in_chunk -= 1;
    }
    let offset = chunk_start + in_chunk;
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match encoding {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 if line_start >= chunk_start => chunk[line_start - chunk_start..in_chunk]
            .chars()
            .map(char::len_utf16)
            .sum(),
        Encoding::Utf16 => rope.byte_slice(line_start..offset).len_utf16_cu(),
    };
    Position {
        line: line as u32,
        character: character as u32,
    }
}

pub fn range(rope: &Rope, span: Span, encoding: Encoding) -> Range {
    Range {
        start: position(rope, span.start, encoding),
        end: position(rope, span.end, encoding),
    }
}

pub fn span(rope: &Rope, range: Range, encoding: Encoding) -> Span {
    let start = offset(rope, range.start, encoding);
    let end = offset(rope, range.end, encoding);
    Span::new(start.min(end), start.max(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_counts_surrogate_pairs() {
        let rope = Rope::from_str("a😀b\r\n°µ± x\rlast");
        // 😀 is 4 bytes, 2 UTF-16 units.
        assert_eq!(offset(&rope, pos(0, 3), Encoding::Utf16), 5);
        assert_eq!(position(&rope, 5, Encoding::Utf16), pos(0, 3));
        assert_eq!(position(&rope, 5, Encoding::Utf8), pos(0, 5));
        // Half a surrogate pair moves back to the emoji's start.
        assert_eq!(offset(&rope, pos(0, 2), Encoding::Utf16), 1);
        // `x` on line 1 after three 2-byte characters and a space.
        let x = "a😀b\r\n°µ± ".len();
        assert_eq!(offset(&rope, pos(1, 4), Encoding::Utf16), x);
        assert_eq!(offset(&rope, pos(1, 7), Encoding::Utf8), x);
        assert_eq!(position(&rope, x, Encoding::Utf16), pos(1, 4));
        // Lone CR ends a line.
        assert_eq!(
            position(&rope, rope.len_bytes(), Encoding::Utf16),
            pos(2, 4)
        );
    }

    /// The position as the rope's character and UTF-16 indexes give it, the reference for
    /// `position`'s shortcuts.
    fn reference_position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
        let offset = offset.min(rope.len_bytes());
        let char_index = rope.byte_to_char(offset);
        let line = rope.char_to_line(char_index);
        let line_start_char = rope.line_to_char(line);
        let character = match encoding {
            Encoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
            Encoding::Utf16 => {
                rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start_char)
            }
        };
        pos(line as u32, character as u32)
    }

    #[test]
    fn positions_agree_with_the_ropes_indexes_everywhere() {
        // Long lines that span chunks, every line break, multi-byte and astral characters.
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(
                [
                    "a",
                    "é",
                    "😀",
                    "\r\n",
                    "\n",
                    "\r",
                    "° ± µ",
                    "x".repeat(i % 97).as_str(),
                ][i % 8],
            );
            if i % 13 == 0 {
                text.push_str(&"long line 😀 ".repeat(200));
            }
        }
        let rope = Rope::from_str(&text);
        assert!(rope.chunks().count() > 4);
        for offset in 0..=text.len() + 2 {
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                assert_eq!(
                    position(&rope, offset, encoding),
                    reference_position(&rope, offset, encoding),
                    "{offset} {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let rope = Rope::from_str("ab\ncd");
        assert_eq!(offset(&rope, pos(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(&rope, pos(0, 99), Encoding::Utf8), 2);
        assert_eq!(offset(&rope, pos(99, 0), Encoding::Utf16), 5);
        assert_eq!(position(&rope, 999, Encoding::Utf8), pos(1, 2));
        // Inside a multi-byte character in UTF-8: back to its start.
        let rope = Rope::from_str("°x");
        assert_eq!(offset(&rope, pos(0, 1), Encoding::Utf8), 0);
        let empty = Rope::new();
        assert_eq!(offset(&empty, pos(3, 3), Encoding::Utf16), 0);
        assert_eq!(position(&empty, 3, Encoding::Utf16), pos(0, 0));
    }
}
