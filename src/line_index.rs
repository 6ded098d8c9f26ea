//! Byte offsets to (line, column) and back, with the line breaks LSP uses (`\n`, `\r\n`, `\r`).
//! Used by the CLI for its 1-based line and character columns; the language server keeps its own
//! rope and converts there.

/// Start offsets of every line of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut index = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[index..]) {
            let at = index + found;
            index = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(index);
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Zero-based line of a byte offset (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// One-based line and one-based column counted in Unicode scalar values.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line + 1, column + 1)
    }
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_like_lsp() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_column(text, 0), (1, 1));
        assert_eq!(index.line_column(text, 3), (2, 1));
        assert_eq!(index.line_column(text, 5), (3, 1));
        assert_eq!(index.line_column(text, 7), (4, 1));
        assert_eq!(index.line_column(text, 99), (4, 2));
    }

    #[test]
    fn columns_count_characters() {
        let text = "°µ± x";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, text.find('x').unwrap()), (1, 5));
        // Inside a multi-byte character: clamps back to its start.
        assert_eq!(index.line_column(text, 1), (1, 1));
    }
}
