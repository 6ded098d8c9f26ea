//! Where a cursor is: which line, which section above it, inside the front matter or a brace.
//! Computed from the text around the cursor only, so it is cheap on every keystroke and right
//! even when the last full analysis is a few keystrokes old.

use crate::line_index::floor_char_boundary;
use crate::syntax::{Comment, comments};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineContext<'a> {
    /// Byte offset where the cursor's line starts.
    pub line_start: usize,
    /// The line from its start up to the cursor.
    pub before: &'a str,
    /// The cursor's offset (moved back to a character boundary).
    pub offset: usize,
    /// Whether the cursor is inside the front matter block.
    pub in_front_matter: bool,
    /// The nearest heading line above the cursor (level, title text), if any.
    pub heading: Option<(u8, &'a str)>,
    /// All heading lines above the cursor, nearest first (for nested sections).
    pub headings_above: Vec<(u8, &'a str)>,
    /// The comment whose text (between `<!--` and `-->`) holds the cursor, if any.
    pub comment: Option<Comment>,
}

fn line_start_of(text: &str, offset: usize) -> usize {
    text[..offset]
        .rfind(['\n', '\r'])
        .map(|index| index + 1)
        .unwrap_or(0)
}

/// The heading (level, title) a line starts, if it is one.
pub fn heading_of(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|&byte| byte == b'#').count();
    if !(1..=6).contains(&hashes)
        || !matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t'))
    {
        return None;
    }
    let title = line[hashes..].trim();
    let title = match title.rfind("{#") {
        Some(index) if title.ends_with('}') => title[..index].trim_end(),
        _ => title,
    };
    Some((hashes as u8, title))
}

/// Where the front matter's closing `---` line starts (or, if never closed, the first heading or
/// the end of the text); `None` when the text has no front matter.
pub fn front_matter_end(text: &str) -> Option<usize> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut position = bom;
    let mut lines = text[bom..].split_inclusive(['\n', '\r']);
    let first = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    position += first.len();
    for line in lines {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim_end() == "---" || heading_of(content).is_some() {
            return Some(position);
        }
        position += line.len();
    }
    Some(text.len())
}

pub fn line_context(text: &str, offset: usize) -> LineContext<'_> {
    let offset = floor_char_boundary(text, offset);
    let line_start = line_start_of(text, offset);
    let before = &text[line_start..offset];

    let in_front_matter =
        front_matter_end(text).is_some_and(|end| line_start > 0 && line_start < end);
    let mut headings_above = Vec::new();
    if !in_front_matter {
        let mut end = line_start;
        let mut deepest = u8::MAX;
        while end > 0 {
            let start = line_start_of(text, end - 1);
            let line = text[start..end].trim_end_matches(['\n', '\r']);
            if let Some((level, title)) = heading_of(line)
                && level < deepest
            {
                headings_above.push((level, title));
                deepest = level;
                if level == 1 {
                    break;
                }
            }
            end = start;
        }
    }
    let comment = comments(text)
        .into_iter()
        .find(|comment| comment.body.touches(offset));
    LineContext {
        line_start,
        before,
        offset,
        in_front_matter,
        heading: headings_above.first().copied(),
        headings_above,
        comment,
    }
}

/// Where `{{` opens the field the cursor is in (an index into `before`), when `before` (a line up
/// to the cursor) ends inside a field.
pub fn open_field(before: &str) -> Option<usize> {
    let open = before.rfind("{{")?;
    (!before[open + 2..].contains("}}")).then_some(open)
}

/// Where the kind of a heading's `{#kind}` attribute starts (an index into `before`, just after
/// `{#`), when `before` (a heading line up to the cursor) ends inside that attribute.
pub fn kind_attribute(before: &str) -> Option<usize> {
    heading_of(before)?;
    let open = before.rfind("{#")?;
    let kind = &before[open + 2..];
    kind.bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_'))
        .then_some(open + 2)
}

/// Where the word the cursor is in ends: `offset` moved forward over the characters `is_word`
/// accepts. Completion edits replace up to here, so accepting inside a word leaves no tail.
pub fn word_end(text: &str, offset: usize, is_word: impl Fn(char) -> bool) -> usize {
    let rest = &text[offset..];
    offset + rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_front_matter_and_sections() {
        let text = "---\ncodes: 97140\n---\n# T\n## Technique\n### Joint\n- jo";
        let context = line_context(text, 12);
        assert!(context.in_front_matter);
        let context = line_context(text, text.len());
        assert!(!context.in_front_matter);
        assert_eq!(context.heading, Some((3, "Joint")));
        assert_eq!(
            context.headings_above,
            vec![(3, "Joint"), (2, "Technique"), (1, "T")]
        );
        assert_eq!(context.before, "- jo");
    }

    #[test]
    fn heading_attribute_is_not_part_of_the_title() {
        assert_eq!(heading_of("## Why {#necessity}"), Some((2, "Why")));
        assert_eq!(heading_of("#hashtag"), None);
        assert_eq!(kind_attribute("## Why {#"), Some(9));
        assert_eq!(kind_attribute("## Why {#nec"), Some(9));
        assert_eq!(kind_attribute("## Why {#nec} more"), None);
        assert_eq!(kind_attribute("Why {#"), None);
    }

    #[test]
    fn fields_comments_and_words() {
        assert_eq!(open_field("- {{jo"), Some(2));
        assert_eq!(open_field("- {{jo}} "), None);
        let text = "a <!-- b\nc --> d";
        assert!(line_context(text, 10).comment.is_some());
        assert!(line_context(text, 1).comment.is_none());
        assert!(line_context(text, text.len()).comment.is_none());
        assert!(line_context("<!-- open", 9).comment.is_some());
        assert_eq!(word_end("myofascial x", 6, char::is_alphanumeric), 10);
    }
}
