//! Re-parsing after an edit: only the lines the edit touched are parsed again; the rest of the
//! previous tree is kept, its spans after the edit shifted. The result is always exactly
//! `parse(new_text)` (a property test checks it on random edits of real templates).
//!
//! The grammar is applied one line at a time, and only comments and the front matter span lines,
//! so the lines an edit touched can be parsed on their own when the edit leaves everything that
//! spans lines alone. Whenever it might not (a comment marker in or around the edited lines, the
//! edited lines in or before the front matter, a heading or `@include` line among the old or new
//! lines, line breaks that join across the edit's edges, an edit that does not describe the two
//! texts), the whole text is parsed again. One exception: a heading line edited alone that stays a
//! heading of the same level leaves the section tree as it was, so only that heading is parsed
//! again (typing in a heading's title).

use super::Parse;
use super::grammar::parse_heading;
use super::grammar::parse_inline;
use super::lines::{LineIter, heading_level, is_include_line, uncommented_pieces_into};
use super::tree::{Heading, Inline, Line, Span, SyntaxError};

/// One change from an old text to a new one: bytes `start..old_end` of the old text became bytes
/// `start..new_end` of the new text; everything before and after is the same in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextEdit {
    /// The text was not changed.
    pub const NONE: TextEdit = TextEdit {
        start: 0,
        old_end: 0,
        new_end: 0,
    };

    /// Replacing `old` (a range of the old text) with `inserted_len` bytes.
    pub fn replace(old: std::ops::Range<usize>, inserted_len: usize) -> TextEdit {
        TextEdit {
            start: old.start,
            old_end: old.end.max(old.start),
            new_end: old.start + inserted_len,
        }
    }

    /// This edit followed by `next` (whose offsets are in this edit's new text), as one edit from
    /// this edit's old text to `next`'s new text.
    pub fn then(self, next: TextEdit) -> TextEdit {
        if self == TextEdit::NONE {
            return next;
        }
        if next == TextEdit::NONE {
            return self;
        }
        let start = self.start.min(next.start);
        // The changed region in the intermediate text, then mapped back to the old text (after
        // `self.new_end`, offsets in the two texts differ by a constant) and on to the new one.
        let middle_end = self.new_end.max(next.old_end);
        let old_end = (middle_end + self.old_end).saturating_sub(self.new_end);
        let new_end = (middle_end + next.new_end).saturating_sub(next.old_end);
        TextEdit {
            start,
            old_end: old_end.max(start),
            new_end: new_end.max(start),
        }
    }
}

/// The parse of `new_text`, given the parse of `old_text` and the edit between them: the lines the
/// edit touched are parsed again and the rest of `old` is kept. Exactly `parse(new_text)` when
/// `old` is the parse of `old_text`; an edit that does not describe the two texts costs a full
/// parse, never a wrong tree.
pub fn reparse(old_text: &str, old: Parse, new_text: &str, edit: TextEdit) -> Parse {
    if old_text == new_text && old.document.len == old_text.len() {
        return old;
    }
    match plan(old_text, &old, new_text, edit) {
        Some(plan) => apply(old, new_text, plan),
        None => super::parse(new_text),
    }
}

/// What an incremental re-parse replaces: old bytes `start..old_end` (whole lines) became new
/// bytes `start..new_end`, whose lines parse to `lines` and `errors`.
struct Plan {
    start: usize,
    old_end: usize,
    new_end: usize,
    lines: Vec<Line>,
    errors: Vec<SyntaxError>,
    /// The section whose own lines these are (`None`: the preamble).
    section: Option<usize>,
    /// The new heading of `section`, when its heading line alone was edited (then `lines` is
    /// empty).
    heading: Option<Heading>,
}

/// Whether `at` is where a line starts (or the end of the text), as `LineIter` splits lines.
fn is_line_start(text: &[u8], at: usize) -> bool {
    at == 0
        || at >= text.len()
        || text[at - 1] == b'\n'
        || (text[at - 1] == b'\r' && text[at] != b'\n')
}

/// Checks that the edited lines can be parsed on their own and parses them; `None` when a full
/// parse is needed.
fn plan(old_text: &str, old: &Parse, new_text: &str, edit: TextEdit) -> Option<Plan> {
    let (old_bytes, new_bytes) = (old_text.as_bytes(), new_text.as_bytes());
    let document = &old.document;
    // The edit must describe the two texts and the parse the old one.
    if document.len != old_text.len()
        || edit.start > edit.old_end
        || edit.start > edit.new_end
        || edit.old_end > old_text.len()
        || edit.new_end > new_text.len()
        || old_text.len() - edit.old_end != new_text.len() - edit.new_end
        || old_bytes[..edit.start] != new_bytes[..edit.start]
        || old_bytes[edit.old_end..] != new_bytes[edit.new_end..]
    {
        return None;
    }
    // Whole lines: from the start of the line the edit starts in to the end of the line (with its
    // break) it ends in, and those must be line starts in both texts.
    let start = old_bytes[..edit.start]
        .iter()
        .rposition(|&byte| byte == b'\n' || byte == b'\r')
        .map_or(0, |found| found + 1);
    let old_end = match memchr::memchr2(b'\n', b'\r', &old_bytes[edit.old_end..]) {
        Some(found) => {
            let at = edit.old_end + found;
            if old_bytes[at] == b'\r' && old_bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
        None => old_text.len(),
    };
    let new_end = old_end - edit.old_end + edit.new_end;
    if start == 0
        || !is_line_start(old_bytes, start)
        || !is_line_start(new_bytes, start)
        || !is_line_start(old_bytes, old_end)
        || !is_line_start(new_bytes, new_end)
    {
        return None;
    }
    // The front matter ends before the edited lines and is closed (an open one ends at the first
    // line that is not an entry, and any later `---` could close it); without front matter,
    // some content comes before them (otherwise they might open one).
    match &document.front_matter {
        Some(front_matter) => {
            if front_matter.close.is_none() || start <= front_matter.span.end {
                return None;
            }
        }
        None => {
            let mut lines = LineIter::new(new_text);
            let (mut cursor, mut pieces) = (0, Vec::new());
            loop {
                let line = lines.next()?;
                if line.start >= start {
                    return None;
                }
                uncommented_pieces_into(line, &document.comments, &mut cursor, &mut pieces);
                if pieces.iter().any(|piece| {
                    !piece
                        .text(new_text)
                        .trim_start_matches('\u{feff}')
                        .trim()
                        .is_empty()
                }) {
                    break;
                }
            }
        }
    }
    // No comment in or across the old lines, no comment marker in the new ones.
    let comments = &document.comments;
    let first = comments.partition_point(|comment| comment.span.end <= start);
    if comments
        .get(first)
        .is_some_and(|comment| comment.span.start < old_end)
    {
        return None;
    }
    let new_lines_text = &new_text[start..new_end];
    if new_lines_text.contains("<!--") || new_lines_text.contains("-->") {
        return None;
    }
    // No heading or include among the old lines; the section they belong to.
    let sections = &document.sections;
    let before = sections.partition_point(|section| section.heading.span.start < start);
    if sections
        .get(before)
        .is_some_and(|section| section.heading.span.start < old_end)
    {
        return heading_alone(
            old_bytes, document, new_text, start, old_end, new_end, before,
        );
    }
    let includes = &document.includes;
    let include = includes.partition_point(|include| include.span.start < start);
    if includes
        .get(include)
        .is_some_and(|include| include.span.start < old_end)
    {
        return None;
    }
    // The new lines: content only (a heading or an include changes the structure).
    let mut lines = Vec::new();
    let mut errors: Vec<SyntaxError> = Vec::new();
    let mut items = Vec::new();
    for line in LineIter::starting_at(new_text, start) {
        if line.start >= new_end {
            break;
        }
        crate::work::count_parsed_line();
        let line_text = line.text(new_text);
        if line_text.is_empty() {
            continue;
        }
        if heading_level(line_text).is_some() || is_include_line(line_text) {
            return None;
        }
        if line_text.trim().is_empty() {
            continue;
        }
        parse_inline(line_text, line.start, &mut items, &mut errors, true);
        if !items.is_empty() {
            #[allow(clippy::drain_collect)]
            lines.push(Line {
                span: line,
                items: items.drain(..).collect(),
            });
        }
    }
    errors.sort_by_key(|error| error.span.start);
    Some(Plan {
        start,
        old_end,
        new_end,
        lines,
        errors,
        section: before.checked_sub(1),
        heading: None,
    })
}

/// The plan when the old lines `start..old_end` reach into the heading of section `index`: the
/// new heading if that heading's line alone was edited (no comment or include in or around it,
/// checked by the caller) and the new line is a heading of the same level. Only the heading's own
/// spans change then: the sections' nesting and where they end depend on the levels alone.
fn heading_alone(
    old_bytes: &[u8],
    document: &super::tree::Document,
    new_text: &str,
    start: usize,
    old_end: usize,
    new_end: usize,
    index: usize,
) -> Option<Plan> {
    let section = &document.sections[index];
    // The old lines are the heading's line, alone.
    let old_lines = &old_bytes[start..old_end];
    let one_old_line = match memchr::memchr2(b'\n', b'\r', old_lines) {
        Some(at) => old_lines[at + 1..].is_empty() || old_lines[at..] == *b"\r\n",
        None => true,
    };
    if section.heading.span.start != start
        || !one_old_line
        || document
            .includes
            .iter()
            .any(|include| include.span.start < old_end && include.span.end >= start)
    {
        return None;
    }
    // The new lines: one line, a heading of the same level.
    let mut lines = LineIter::starting_at(new_text, start);
    let line = lines.next()?;
    if lines.next().is_some_and(|next| next.start < new_end) || line.end > new_end {
        return None;
    }
    let line_text = line.text(new_text);
    if heading_level(line_text) != Some(section.heading.level) {
        return None;
    }
    crate::work::count_parsed_line();
    let mut errors = Vec::new();
    let heading = parse_heading(line_text, line.start, &mut errors, true);
    errors.sort_by_key(|error| error.span.start);
    Some(Plan {
        start,
        old_end,
        new_end,
        lines: Vec::new(),
        errors,
        section: Some(index),
        heading: Some(heading),
    })
}

/// Puts the plan's lines in place of the old ones and shifts everything after them.
///
/// Everything after the edited lines starts at or after `old_end` (the plan checked that no
/// heading, comment or include is among the old lines), so it moves by the same amount without a
/// test per span: the one pass over the rest of the tree is kept as cheap as it can be.
fn apply(mut old: Parse, new_text: &str, plan: Plan) -> Parse {
    let Plan {
        start,
        old_end,
        new_end,
        lines,
        errors,
        section,
        heading,
    } = plan;
    // What is added to every offset after the edit (wrapping: a deletion adds "minus" its
    // length, and no offset after the edit is smaller than the edit's end).
    let delta = new_end.wrapping_sub(old_end);
    let shift = |offset: &mut usize| {
        if *offset >= old_end {
            *offset = offset.wrapping_add(delta);
        }
    };
    let shift_span = |span: &mut Span| {
        if span.start >= old_end {
            span.start = span.start.wrapping_add(delta);
            span.end = span.end.wrapping_add(delta);
        }
    };
    let document = &mut old.document;
    let old_len = document.len;
    if let (Some(heading), Some(index)) = (heading, section) {
        // Before the edit's end: not shifted below.
        document.sections[index].heading = heading;
    }
    // Replace the old lines of the edited container, then shift the lines after them.
    let container = match section {
        Some(index) => &mut document.sections[index].lines,
        None => &mut document.preamble,
    };
    let first = container.partition_point(|line| line.span.start < start);
    let last = container.partition_point(|line| line.span.start < old_end);
    let added = lines.len();
    container.splice(first..last, lines);
    move_lines(&mut container[first + added..], delta);
    let later_sections = match section {
        Some(index) => {
            shift(&mut document.sections[index].end);
            index + 1
        }
        None => 0,
    };
    for later in &mut document.sections[later_sections..] {
        let heading = &mut later.heading;
        move_span(&mut heading.span, delta);
        move_span(&mut heading.title, delta);
        if let Some(attribute) = &mut heading.attribute {
            move_span(&mut attribute.span, delta);
            move_span(&mut attribute.kind, delta);
        }
        later.end = later.end.wrapping_add(delta);
        move_lines(&mut later.lines, delta);
    }
    // Sections before the edited one end at or before it, except those it is nested in.
    if let Some(index) = section {
        for earlier in &mut document.sections[..index] {
            shift(&mut earlier.end);
        }
    }
    let comments = &mut document.comments;
    let after = comments.partition_point(|comment| comment.span.start < old_end);
    for comment in &mut comments[after..] {
        move_span(&mut comment.span, delta);
        move_span(&mut comment.body, delta);
    }
    let includes = &mut document.includes;
    let after = includes.partition_point(|include| include.span.start < old_end);
    for include in &mut includes[after..] {
        move_span(&mut include.span, delta);
        move_span(&mut include.path, delta);
    }
    document.len = new_text.len();
    // Errors: the old lines' errors replaced by the new lines', the later ones shifted. The
    // last line has no break, so its errors may start at its end.
    let at_end = old_end == old_len;
    let in_old_lines =
        |error: &SyntaxError| error.span.start >= start && (error.span.start < old_end || at_end);
    let first_error = old.errors.partition_point(|error| error.span.start < start);
    let last_error = first_error
        + old.errors[first_error..]
            .iter()
            .take_while(|error| in_old_lines(error))
            .count();
    let added = errors.len();
    old.errors.splice(first_error..last_error, errors);
    for error in &mut old.errors[first_error + added..] {
        shift_span(&mut error.span);
    }
    old
}

/// Adds `delta` (wrapping) to both ends of `span`.
fn move_span(span: &mut Span, delta: usize) {
    span.start = span.start.wrapping_add(delta);
    span.end = span.end.wrapping_add(delta);
}

/// Adds `delta` to every span of `lines`, all of which lie after the edit.
fn move_lines(lines: &mut [Line], delta: usize) {
    for line in lines {
        move_span(&mut line.span, delta);
        for item in &mut line.items {
            match item {
                Inline::Text(span) | Inline::Escape(span) | Inline::Wildcard(span) => {
                    move_span(span, delta)
                }
                Inline::Field(field) => {
                    move_span(&mut field.span, delta);
                    move_span(&mut field.name, delta);
                    if let Some(ty) = &mut field.ty {
                        move_span(ty, delta);
                    }
                }
                Inline::Choice(choice) => {
                    move_span(&mut choice.span, delta);
                    for option in &mut choice.options {
                        move_span(option, delta);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn edit(text: &str, range: std::ops::Range<usize>, inserted: &str) -> (String, TextEdit) {
        let mut new = text.to_string();
        new.replace_range(range.clone(), inserted);
        (new, TextEdit::replace(range, inserted.len()))
    }

    /// Re-parses after the edit, checks the result against a full parse and returns how many
    /// lines each parsed: (incremental, full).
    fn check(text: &str, range: std::ops::Range<usize>, inserted: &str) -> (u64, u64) {
        let (new, change) = edit(text, range, inserted);
        let old = parse(text);
        crate::work::reset();
        let reparsed = reparse(text, old, &new, change);
        let incremental = crate::work::parsed_lines();
        crate::work::reset();
        let full = parse(&new);
        let full_lines = crate::work::parsed_lines();
        assert_eq!(reparsed, full, "{new:?}");
        (incremental, full_lines)
    }

    const TEMPLATE: &str = "---\ntemplate: T\ncodes: 97140\n---\n# Title\nIntro {{a}}\n\n## Technique\n- {joint mobilization|myofascial release} to {{region:region}}\n- Position: {prone|supine}\n<!-- a note -->\n## Response\nTolerated {well|poorly}. ***\n";

    #[test]
    fn typing_in_a_line_reparses_that_line_only() {
        let at = TEMPLATE.find("Position").unwrap();
        // A full parse of the template parses its 9 lines after the front matter.
        assert_eq!(check(TEMPLATE, at..at, "x"), (1, 9));
        assert_eq!(check(TEMPLATE, at..at + 1, ""), (1, 9));
        // Typing a brace: an error on that line, found again.
        let brace = TEMPLATE.find("to {{region").unwrap() + 3;
        assert_eq!(check(TEMPLATE, brace..brace + 1, ""), (1, 9));
        // A new line in the middle.
        let line = TEMPLATE.find("- Position").unwrap();
        assert_eq!(check(TEMPLATE, line..line, "new {{field}}\n"), (2, 10));
    }

    #[test]
    fn typing_in_a_heading_reparses_that_heading_only() {
        let title = TEMPLATE.find("Technique").unwrap();
        // Typing, deleting and replacing in the title, an attribute, the end of the line.
        assert_eq!(check(TEMPLATE, title..title, "x"), (1, 9));
        assert_eq!(check(TEMPLATE, title..title + 1, ""), (1, 9));
        assert_eq!(
            check(TEMPLATE, title + 9..title + 9, " {.technique}"),
            (1, 9)
        );
        let top = TEMPLATE.find("# Title").unwrap() + 2;
        assert_eq!(check(TEMPLATE, top..top + 5, "Daily note"), (1, 9));
        // The last line, without a line break.
        let text = "intro\n## A\nx\n## Last";
        let end = text.len();
        assert_eq!(check(text, end..end, "er"), (1, 4));
        // Another level, a heading no more, a second line, the line break: the tree changes.
        for (range, inserted) in [
            (title - 3..title - 3, "#"),
            (title - 3..title - 2, ""),
            (title - 3..title - 1, ""),
            (title..title, "x\nmore"),
            (title + 9..title + 10, ""),
        ] {
            let (incremental, full) = check(TEMPLATE, range, inserted);
            assert!(incremental >= full, "{inserted:?}");
        }
    }

    #[test]
    fn structural_edits_parse_everything_again_and_agree() {
        let at = TEMPLATE.find("- Position").unwrap();
        // A heading, an include, a comment marker, the front matter: a full parse.
        for inserted in ["# ", "@include x.note\n", "<!-- ", "-->"] {
            let (incremental, full) = check(TEMPLATE, at..at, inserted);
            assert!(incremental >= full, "{inserted}");
        }
        let codes = TEMPLATE.find("97140").unwrap();
        let (incremental, full) = check(TEMPLATE, codes..codes, "9");
        assert_eq!(incremental, full);
        // Edits everywhere agree with a full parse.
        for start in 0..TEMPLATE.len() {
            if TEMPLATE.is_char_boundary(start) {
                check(TEMPLATE, start..start, "x");
                check(TEMPLATE, start..start, "\n");
                check(TEMPLATE, start..start, "\r");
                if TEMPLATE.is_char_boundary(start + 1) && start < TEMPLATE.len() {
                    check(TEMPLATE, start..start + 1, "");
                }
            }
        }
    }

    #[test]
    fn everything_after_the_edit_moves_by_its_length() {
        // Later comments, includes, syntax errors, sections (with attributes) and lines of the
        // edited section, moved forward and back by insertions and deletions of several bytes,
        // some of them multi-byte characters.
        let text = "intro {{a}}\nmore\n## A {#technique}\none {x|y} {{b:region}} ***\ntwo \\{ {{c}\n<!-- c -->\n@include part.note\n### B\nthree {p|q}\nfour {{d:number}} }\n## C\nfive\n";
        let at = text.find("one").unwrap();
        for (range, inserted) in [
            (at..at, "x"),
            (at..at, "ééé {z|w} "),
            (at..at + 3, ""),
            (at + 1..at + 3, "\u{1F600}"),
            (at..at + 4, "{{new}} "),
        ] {
            let (incremental, full) = check(text, range.clone(), inserted);
            assert_eq!(incremental, 1, "{range:?} {inserted:?}");
            assert!(full > 1);
        }
        // In the preamble, before every section.
        let more = text.find("more").unwrap();
        assert_eq!(check(text, more..more + 4, "{a|b} more").0, 1);
        // In the last line.
        let five = text.find("five").unwrap();
        assert_eq!(check(text, five..five + 4, "").0, 1);
    }

    #[test]
    fn a_wrong_edit_costs_a_full_parse_not_a_wrong_tree() {
        let (new, _) = edit(TEMPLATE, 40..40, "x");
        let wrong = TextEdit::replace(60..60, 1);
        assert_eq!(reparse(TEMPLATE, parse(TEMPLATE), &new, wrong), parse(&new));
        let wrong = TextEdit::replace(60..90, 1);
        assert_eq!(reparse(TEMPLATE, parse(TEMPLATE), &new, wrong), parse(&new));
        // A parse of another text.
        assert_eq!(
            reparse(TEMPLATE, parse("other"), &new, TextEdit::replace(40..40, 1)),
            parse(&new)
        );
    }

    #[test]
    fn edits_compose() {
        let text = "abcdefghij";
        let (middle, first) = edit(text, 2..4, "XYZ");
        let (last, second) = edit(&middle, 6..8, "");
        let both = first.then(second);
        let mut direct = text.to_string();
        direct.replace_range(both.start..both.old_end, &last[both.start..both.new_end]);
        assert_eq!(direct, last);
        let (last, second) = edit(&middle, 0..1, "QQ");
        let both = first.then(second);
        let mut direct = text.to_string();
        direct.replace_range(both.start..both.old_end, &last[both.start..both.new_end]);
        assert_eq!(direct, last);
    }
}
