//! Where a cursor is: which line, which sections hold it, inside the front matter, a heading line
//! or a comment. Read from the parse tree of the text the cursor is in, so headings, the front
//! matter and comments mean exactly what they mean to the parser and the rules; only the line up
//! to the cursor (`before`) is looked at as text, for what is being typed.

use crate::line_index::floor_char_boundary;
use crate::syntax::{Comment, Parse, line_start};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineContext<'a> {
    /// Byte offset where the cursor's line starts.
    pub line_start: usize,
    /// The line from its start up to the cursor.
    pub before: &'a str,
    /// The cursor's offset (moved back to a character boundary).
    pub offset: usize,
    /// Whether the cursor is inside the front matter block (after its opening `---`, before its
    /// closing one; an unclosed block runs to the first heading).
    pub in_front_matter: bool,
    /// The section whose heading line holds the cursor, when the cursor is past its `#` marks.
    pub heading_line: Option<usize>,
    /// The sections whose bodies hold the cursor's line, innermost first (indices into the
    /// parse's `sections`, and so into `Semantics::sections`).
    pub sections: Vec<usize>,
    /// The comment whose text (between `<!--` and `-->`) holds the cursor, if any.
    pub comment: Option<Comment>,
}

/// The context of `offset` in `text`, from `parse`, the parse of `text`.
pub fn line_context<'a>(text: &'a str, parse: &Parse, offset: usize) -> LineContext<'a> {
    let document = &parse.document;
    let offset = floor_char_boundary(text, offset);
    let line_start = line_start(text, offset);
    let before = &text[line_start..offset];

    let in_front_matter = document.front_matter.as_ref().is_some_and(|front_matter| {
        line_start > front_matter.span.start
            && match front_matter.close {
                Some(close) => line_start < close,
                None => document
                    .sections
                    .first()
                    .is_none_or(|first| line_start < first.heading.span.start),
            }
    });
    let heading_line = document.sections.iter().position(|section| {
        let heading = &section.heading;
        offset >= heading.span.start + usize::from(heading.level) && offset <= heading.span.end
    });
    // Sections open at the cursor's line: their heading is above it and they end after it (or
    // run to the end of the text). In document order they nest, outermost first.
    let mut sections: Vec<usize> = document
        .sections
        .iter()
        .enumerate()
        .filter(|(_, section)| {
            section.heading.span.start < line_start
                && (line_start < section.end || section.end == text.len())
        })
        .map(|(index, _)| index)
        .collect();
    sections.reverse();
    let comment = document
        .comments
        .iter()
        .find(|comment| comment.body.touches(offset))
        .cloned();
    LineContext {
        line_start,
        before,
        offset,
        in_front_matter,
        heading_line,
        sections,
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

    fn context(text: &str, offset: usize) -> LineContext<'_> {
        line_context(text, &crate::syntax::parse(text), offset)
    }

    #[test]
    fn finds_front_matter_and_sections() {
        let text = "---\ncodes: 97140\n---\n# T\n## Technique\n### Joint\n- jo";
        assert!(context(text, 12).in_front_matter);
        let found = context(text, text.len());
        assert!(!found.in_front_matter);
        let parse = crate::syntax::parse(text);
        let titles: Vec<&str> = found
            .sections
            .iter()
            .map(|&index| parse.document.sections[index].heading.title.text(text))
            .collect();
        assert_eq!(titles, ["Joint", "Technique", "T"]);
        assert_eq!(found.before, "- jo");
        // A sibling closes a section; a higher level closes both.
        let text = "# T\n## A\n## B\nx\n# U\ny";
        let parse = crate::syntax::parse(text);
        let titles = |offset| -> Vec<&str> {
            line_context(text, &parse, offset)
                .sections
                .iter()
                .map(|&index| parse.document.sections[index].heading.title.text(text))
                .collect()
        };
        assert_eq!(titles(text.find('x').unwrap()), ["B", "T"]);
        assert_eq!(titles(text.len()), ["U"]);
    }

    /// The front matter is the parser's: after a header comment there is none (docs/language.md).
    #[test]
    fn front_matter_is_the_parsers() {
        let text = "<!-- header -->\n---\ncodes: 97140\n---\n";
        assert!(!context(text, text.find("codes").unwrap()).in_front_matter);
        // Unclosed: it runs to the first heading.
        let text = "---\ncodes: 97140\npay\n## Technique\n";
        assert!(context(text, text.find("pay").unwrap() + 3).in_front_matter);
        assert!(!context(text, text.len()).in_front_matter);
    }

    #[test]
    fn heading_lines_and_attributes() {
        let text = "## Why {#nec\n#hashtag\n";
        assert_eq!(context(text, 5).heading_line, Some(0));
        assert_eq!(context(text, 1).heading_line, None, "inside the marks");
        assert_eq!(context(text, text.find("hash").unwrap()).heading_line, None);
        assert_eq!(kind_attribute("## Why {#"), Some(9));
        assert_eq!(kind_attribute("## Why {#nec"), Some(9));
        assert_eq!(kind_attribute("## Why {#nec} more"), None);
    }

    #[test]
    fn fields_comments_and_words() {
        assert_eq!(open_field("- {{jo"), Some(2));
        assert_eq!(open_field("- {{jo}} "), None);
        let text = "a <!-- b\nc --> d";
        assert!(context(text, 10).comment.is_some());
        assert!(context(text, 1).comment.is_none());
        assert!(context(text, text.len()).comment.is_none());
        assert!(context("<!-- open", 9).comment.is_some());
        assert_eq!(word_end("myofascial x", 6, char::is_alphanumeric), 10);
    }
}
