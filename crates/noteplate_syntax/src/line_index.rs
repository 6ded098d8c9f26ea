//! Byte offsets to (line, column) and back, with the line breaks LSP uses (`\n`, `\r\n`, `\r`).
//! Used by the CLI for its 1-based line and character columns; the language server keeps its own
//! rope and converts there.

/// Characters are counted from checkpoints this many bytes apart, so a column costs at most this
/// many byte reads however long the line (a 100 KB line with 50,000 findings stays linear).
const CHECKPOINT: usize = 256;

/// Start offsets of every line of a text, and character counts at fixed byte checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
    /// The text is ASCII: a column is a byte count, and `chars_before` is empty.
    ascii: bool,
    /// `chars_before[k]`: characters in the first `k * CHECKPOINT` bytes (not kept for ASCII).
    chars_before: Vec<usize>,
}

/// The top bit of each byte of a word, and the lowest bit.
const TOP: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// Characters in a byte range of UTF-8: the bytes that are not continuation bytes (any range, also
/// one that cuts a character, counts the characters that start inside it).
fn chars_in(bytes: &[u8]) -> usize {
    // Eight bytes at a time: a continuation byte is `10xxxxxx`, so its top bit is set and the
    // next one clear; those top bits, moved to the bottom of each byte, are summed by one
    // multiplication (at most 8 per word, so no byte of the sum overflows).
    let mut words = bytes.chunks_exact(8);
    let mut continuation = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let marks = (word & !(word << 1) & TOP) >> 7;
        continuation += (marks.wrapping_mul(ONES) >> 56) as usize;
    }
    continuation += words
        .remainder()
        .iter()
        .filter(|&&byte| byte & 0xC0 == 0x80)
        .count();
    bytes.len() - continuation
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Line breaks are found with `memchr2` (many bytes at a time; `check` builds an index
        // for every file with a finding, so this runs over most of the corpus).
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 2);
        starts.push(0);
        // A line starts after `\n`, after `\r` not followed by `\n`, and after `\r\n`.
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if breaks_line(bytes, at) {
                starts.push(at + 1);
            }
        }
        // In ASCII text a character is a byte, so no checkpoints are needed (most templates).
        let ascii = text.is_ascii();
        let mut chars_before = Vec::new();
        if !ascii {
            chars_before.reserve(bytes.len() / CHECKPOINT + 1);
            let mut count = 0;
            chars_before.push(0);
            for chunk in bytes.chunks_exact(CHECKPOINT) {
                count += chars_in(chunk);
                chars_before.push(count);
            }
        }
        LineIndex {
            starts,
            len: text.len(),
            ascii,
            chars_before,
        }
    }

    /// Characters before byte `offset` (a char boundary inside the indexed text).
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let checkpoint = offset / CHECKPOINT;
        self.chars_before[checkpoint] + chars_in(&text.as_bytes()[checkpoint * CHECKPOINT..offset])
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
        if text.len() != self.len {
            // Not the text this index was built from: count directly.
            let column = text.get(start..offset).map_or(0, |s| s.chars().count());
            return (line + 1, column + 1);
        }
        let column = self.chars_to(text, offset) - self.chars_to(text, start);
        (line + 1, column + 1)
    }
}

/// [`LineIndex::line_column`] of each of `offsets` in `text`, without building an index: one
/// pass over the text up to the last offset. For a caller with a few offsets into a text it
/// reads once (`check`'s report: a handful of findings per template, where building the index
/// read every byte of the file for each; the line breaks are found with `memchr2` and only the
/// bytes between a line's start and an offset are counted). Linear in the text and the number
/// of offsets, in any order, however long the lines.
pub fn line_columns(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    // Each offset as `line_column` reads it, with its place in `offsets`, in text order.
    let mut order: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .map(|(slot, &offset)| (floor_char_boundary(text, offset), slot))
        .collect();
    order.sort_unstable();
    let mut found = vec![(0, 0); offsets.len()];
    // Lines started before `scanned` (zero-based: the line of `scanned`), where the last one
    // starts, and the characters from there to `counted`.
    let (mut line, mut line_start, mut scanned) = (0, 0, 0);
    let (mut counted, mut chars) = (0, 0);
    // Without a `\r` every break is a `\n`: they are counted many bytes at a time (`memchr`'s
    // count) instead of visited one by one.
    let only_newlines = memchr::memchr(b'\r', bytes).is_none();
    for (offset, slot) in order {
        let between = &bytes[scanned..offset];
        if only_newlines {
            line += memchr::memchr_iter(b'\n', between).count();
            if let Some(at) = memchr::memrchr(b'\n', between) {
                line_start = scanned + at + 1;
            }
        } else {
            // A line starts after `\n`, after `\r` not followed by `\n`, and after `\r\n`:
            // the start `at + 1` is at or before `offset` when the break is before it.
            for at in memchr::memchr2_iter(b'\n', b'\r', between) {
                let at = scanned + at;
                if breaks_line(bytes, at) {
                    line += 1;
                    line_start = at + 1;
                }
            }
        }
        scanned = offset;
        if counted < line_start {
            (counted, chars) = (line_start, 0);
        }
        chars += chars_in(&bytes[counted..offset]);
        counted = offset;
        found[slot] = (line + 1, chars + 1);
    }
    found
}

/// Whether the `\n` or `\r` at `at` ends a line: a `\n` does, and a `\r` not followed by `\n`
/// (the `\r` of `\r\n` does not; its `\n` does).
fn breaks_line(bytes: &[u8], at: usize) -> bool {
    bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n')
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

    /// The word-at-a-time count is the byte-by-byte one, for every byte value at every place
    /// in a word and for any length (also ranges that cut characters).
    #[test]
    fn chars_in_counts_what_a_byte_loop_counts() {
        let naive = |bytes: &[u8]| bytes.iter().filter(|&&byte| byte & 0xC0 != 0x80).count();
        for byte in 0..=255u8 {
            for place in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[place] = byte;
                assert_eq!(chars_in(&bytes), naive(&bytes), "{byte:#x} at {place}");
            }
        }
        let text = "aé€😀\u{80}x".repeat(9);
        for start in 0..text.len() {
            for end in start..text.len() {
                let bytes = &text.as_bytes()[start..end];
                assert_eq!(chars_in(bytes), naive(bytes), "{start}..{end}");
            }
        }
    }

    /// `line_columns` gives what the index gives, for offsets in any order (repeated, past the
    /// end, inside characters), on texts with every kind of line break and of every width.
    #[test]
    fn line_columns_match_the_index() {
        let with_returns = ["a", "é", "€", "😀", "\n", "\r\n", "\r", "\r\r\n\n", "x y"];
        let newlines_only = ["a", "é", "€", "😀", "\n", "\n\n", "x y"];
        let mut seed = 5u64;
        let mut next = |below: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % below
        };
        for (length, pieces) in (0..120)
            .map(|length| (length, &with_returns[..]))
            .chain((0..120).map(|length| (length, &newlines_only[..])))
        {
            let mut text = String::new();
            for _ in 0..length {
                text.push_str(pieces[next(pieces.len())]);
            }
            let index = LineIndex::new(&text);
            let offsets: Vec<usize> = (0..next(12)).map(|_| next(text.len() + 4)).collect();
            let expected: Vec<(usize, usize)> = offsets
                .iter()
                .map(|&offset| index.line_column(&text, offset))
                .collect();
            assert_eq!(
                line_columns(&text, &offsets),
                expected,
                "{text:?} {offsets:?}"
            );
            // Every offset at once, backwards.
            let all: Vec<usize> = (0..=text.len() + 1).rev().collect();
            let expected: Vec<(usize, usize)> = all
                .iter()
                .map(|&offset| index.line_column(&text, offset))
                .collect();
            assert_eq!(line_columns(&text, &all), expected, "{text:?}");
        }
    }

    /// Line starts agree with the scanner's lines (`line_spans`, a separate reading of the same
    /// breaks), with breaks of every kind on both sides of the blocks `memchr2` reads.
    #[test]
    fn line_starts_match_the_scanner() {
        let pieces = ["a", "é", "\n", "\r\n", "\r", "0123456789abcde", "\r\r\n\n"];
        let mut seed = 11u64;
        for length in 0..200 {
            let mut text = String::new();
            for _ in 0..length {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let index = LineIndex::new(&text);
            let mut expected: Vec<usize> =
                crate::line_spans(&text).map(|span| span.start).collect();
            // The scanner has no line after a final break (nor for the empty text); the index does.
            if text.is_empty() || text.ends_with(['\n', '\r']) {
                expected.push(text.len());
            }
            let starts: Vec<usize> = (0..index.line_count())
                .map(|line| index.line_start(line))
                .collect();
            assert_eq!(starts, expected, "{text:?}");
        }
    }

    /// The checkpointed count (and, for ASCII text, the byte count) agrees with counting the
    /// line's characters, on long lines of mixed widths with every kind of line break, at every
    /// char boundary.
    #[test]
    fn checkpointed_columns_match_counting() {
        let mixed = ["a", "é", "€", "😀", "{{", "\n", "\r\n", "\r", "x y"];
        let ascii = ["a", "{{", "\n", "\r\n", "\r", "x y", "\t"];
        let mut seed = 7u64;
        for (round, pieces) in std::iter::repeat_n(&mixed[..], 20)
            .chain(std::iter::repeat_n(&ascii[..], 10))
            .enumerate()
        {
            let mut text = String::new();
            for _ in 0..900 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let index = LineIndex::new(&text);
            assert_eq!(index.ascii, round >= 20, "{round}");
            for offset in (0..=text.len()).filter(|&offset| text.is_char_boundary(offset)) {
                let line = index.line_of(offset);
                let start = index.line_start(line);
                let expected = (line + 1, text[start..offset].chars().count() + 1);
                assert_eq!(
                    index.line_column(&text, offset),
                    expected,
                    "offset {offset}"
                );
            }
        }
    }
}
