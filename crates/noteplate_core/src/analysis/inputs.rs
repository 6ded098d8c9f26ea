//! The inputs of a line: where the clinician writes or picks. The language's own inputs are
//! fields (`{{name}}`), choices (`{a|b}`) and wildcards (`***`); a paper form's places to write,
//! kept as text by a translator, are inputs too: a **blank** of three or more underscores
//! (`Date: ________`) is a place to write, like `***`, and a **run of check boxes** on one line
//! (`[ ] Ice [ ] Heat`, `[x]`, `☐`, `□`, radio buttons `( )`) is a pick list, like `{Ice|Heat}`.
//! A reviewer reads them the same way on the form. One definition, shared with the text and
//! Markdown importers (`interop/plain.rs`), which turn them into fields and choices.

use std::borrow::Cow;

use crate::syntax::{Field, Inline, Line, Span};

/// One input of a line, in line order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Input<'l> {
    /// `{{name:type}}`.
    Field(&'l Field),
    /// A place to write with no name: `***`, or a blank of underscores in text.
    Blank(Span),
    /// A pick list, `{a|b}` or a run of check boxes in text: its span and its options.
    Choice(Span, Cow<'l, [Span]>),
}

impl Input<'_> {
    pub fn span(&self) -> Span {
        match self {
            Input::Field(field) => field.span,
            Input::Blank(span) | Input::Choice(span, _) => *span,
        }
    }
}

/// Every input of `line` (of `text`), in order: its fields, choices and wildcards, and the
/// blanks and check-box runs inside its text.
pub(crate) fn inputs<'l>(text: &'l str, line: &'l Line) -> Inputs<'l> {
    Inputs {
        text,
        items: line.items.iter(),
        pending: Vec::new().into_iter(),
    }
}

/// The iterator of [`inputs`]. Labels, dates and minutes are all looked for through it, many
/// times per line, so it is a plain loop over the items rather than a chain of adapters.
pub(crate) struct Inputs<'l> {
    text: &'l str,
    items: std::slice::Iter<'l, Inline>,
    /// The inputs found in the last text item and not handed out yet: text has inputs of its own
    /// only where a form's blanks or boxes were kept (rarely: no allocation otherwise).
    pending: std::vec::IntoIter<Input<'l>>,
}

impl<'l> Iterator for Inputs<'l> {
    type Item = Input<'l>;

    fn next(&mut self) -> Option<Input<'l>> {
        if let Some(input) = self.pending.next() {
            return Some(input);
        }
        loop {
            match self.items.next()? {
                Inline::Field(field) => return Some(Input::Field(field)),
                Inline::Choice(choice) => {
                    let options = Cow::Borrowed(choice.options.as_slice());
                    return Some(Input::Choice(choice.span, options));
                }
                Inline::Wildcard(span) => return Some(Input::Blank(*span)),
                Inline::Escape(_) => {}
                Inline::Text(span) => {
                    let span = *span;
                    let at = |range: (usize, usize)| {
                        Span::new(span.start + range.0, span.start + range.1)
                    };
                    let mut found = Vec::new();
                    in_text(span.text(self.text), |input| {
                        found.push(match input {
                            TextInput::Blank(range) => Input::Blank(at(range)),
                            TextInput::Boxes(range, options) => {
                                Input::Choice(at(range), options.into_iter().map(at).collect())
                            }
                        })
                    });
                    if !found.is_empty() {
                        self.pending = found.into_iter();
                        return self.pending.next();
                    }
                }
            }
        }
    }
}

/// The places to write and pick lists inside a piece of text, in order (byte ranges).
enum TextInput {
    Blank((usize, usize)),
    /// A run of check boxes and its options.
    Boxes((usize, usize), Vec<(usize, usize)>),
}

/// Calls `each` with the blanks and the check-box run of `text`, in order (a blank inside an
/// option, `[ ] Other ____`, belongs to the option).
fn in_text(text: &str, mut each: impl FnMut(TextInput)) {
    if !may_hold_inputs(text) {
        return;
    }
    let mut run = box_run(text).map(|run| {
        let end = run.pick_end(text);
        let options: Vec<(usize, usize)> = run
            .options
            .iter()
            .filter_map(|&(start, option_end)| {
                // An option after the pick list's end is the next input's label.
                let option_end = option_end.min(end);
                let trimmed = text.get(start..option_end)?.trim_end().len();
                (trimmed > 0).then_some((start, start + trimmed))
            })
            .collect();
        ((run.start, end), options)
    });
    let (run_start, run_end) = run.as_ref().map_or((text.len(), text.len()), |run| run.0);
    let mut from = 0;
    while let Some((start, end)) = find_blank(&text[from..]).map(|(s, e)| (from + s, from + e)) {
        if start >= run_start && start < run_end {
            from = run_end;
            continue;
        }
        if start >= run_end
            && let Some((range, options)) = run.take()
        {
            each(TextInput::Boxes(range, options));
        }
        each(TextInput::Blank((start, end)));
        from = end;
    }
    if let Some((range, options)) = run {
        each(TextInput::Boxes(range, options));
    }
}

/// Whether `text` has something that could begin a blank or a box: `___`, `[` or `(` before a
/// box mark's second byte, or a box glyph. Most text has neither (text is read for its inputs
/// whenever a label, a date or minutes are looked for in it), and one pass over its bytes with no
/// decoding says so; parentheses and brackets in prose ("(minutes)", "[L]") rarely pass.
fn may_hold_inputs(text: &str) -> bool {
    let bytes = text.as_bytes();
    // First the bytes any of them starts with, sixteen at a time: the test of a block has no
    // early exit, so the compiler makes it a few vector instructions (a byte-by-byte `any` was
    // about 40 M instructions of `check` on the generated corpus).
    let starts = |byte: u8| matches!(byte, b'_' | b'[' | b'(' | 0xE2);
    let mut blocks = bytes.chunks_exact(16);
    let any_start = blocks.by_ref().any(|block| {
        block
            .iter()
            .fold(false, |found, &byte| found | starts(byte))
    }) || blocks.remainder().iter().any(|&byte| starts(byte));
    any_start && starts_a_mark(text)
}

/// The quick test's second look, at each byte: whether `text` has `___`, `[` or `(` before a box
/// mark's second byte, or a box glyph.
fn starts_a_mark(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| match byte {
        b'_' => bytes.get(at + 1..at + 3) == Some(b"__"),
        b'[' | b'(' => matches!(
            bytes.get(at + 1),
            Some(b' ' | b'x' | b'X' | b']' | b')' | 0xE2)
        ),
        // Every box glyph starts with 0xE2, as do dashes and curly quotes.
        0xE2 => text.get(at..).is_some_and(|rest| box_at(rest).is_some()),
        _ => false,
    })
}

/// A run of two or more check boxes on one line, with their options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BoxRun {
    /// Where the first box starts.
    pub start: usize,
    /// Each option's text (trimmed of spaces and separators), in order; at least two.
    pub options: Vec<(usize, usize)>,
    /// Where the run ends: the end of the text, or the column gap (two spaces) after the last
    /// option (`[ ] a  [ ] b  Other: ____`).
    pub end: usize,
    /// Where the last box ends.
    pub last_box: usize,
}

impl BoxRun {
    /// Where the pick list ends for the words after it: after its last option, unless a colon
    /// follows the last box, whose word labels the input after the pick list, as it would after
    /// `{Ice|Heat}`: `[ ] Ice [ ] Heat Time: ***` ends after "Heat", `[ ] LLPS x 10 min Other:
    /// ***` after "min", `[ ] Ultrasound Dosage (15 min): ***` after "Ultrasound" (the word
    /// before the colon, with a parenthesis right after it).
    fn pick_end(&self, text: &str) -> usize {
        let last = &text[self.last_box..self.end];
        let Some(colon) = last.find(':') else {
            return self.end;
        };
        let mut before = last[..colon].trim_end();
        if before.ends_with(')')
            && let Some(open) = before.rfind('(')
        {
            before = before[..open].trim_end();
        }
        let word = before.rfind(char::is_whitespace).map_or(0, |space| {
            space + before[space..].chars().next().map_or(1, char::len_utf8)
        });
        self.last_box + word
    }
}

/// A check box or radio button at the start of `text`: its length in bytes.
pub(crate) fn box_at(text: &str) -> Option<usize> {
    for mark in [
        "[ ]", "[x]", "[X]", "[✓]", "[✔]", "( )", "(x)", "(X)", "(•)", "()", "[]",
    ] {
        if text.starts_with(mark) {
            return Some(mark.len());
        }
    }
    let c = text.chars().next()?;
    matches!(
        c,
        '☐' | '☑' | '☒' | '□' | '■' | '○' | '◯' | '●' | '◉' | '⬜' | '❏'
    )
    .then(|| c.len_utf8())
}

/// The run of two or more boxes on one line (`Tolerated: [ ] well [ ] poorly`), if there is one
/// with at least two options. A box is a box only at the start or after a space or a colon
/// (`f(x)` is not).
pub(crate) fn box_run(line: &str) -> Option<BoxRun> {
    let mut boxes = Vec::new();
    let mut at = 0;
    while at < line.len() {
        if let Some(length) = box_at(&line[at..]) {
            let after_space = at == 0 || line[..at].ends_with([' ', ':']);
            if after_space {
                boxes.push((at, at + length));
                at += length;
                continue;
            }
        }
        at += line[at..].chars().next().map_or(1, char::len_utf8);
    }
    if boxes.len() < 2 {
        return None;
    }
    let mut options = Vec::new();
    let mut end = line.len();
    for (index, &(_, box_end)) in boxes.iter().enumerate() {
        let until = boxes.get(index + 1).map_or_else(
            // The last option ends at a column gap: `[ ] a  [ ] b  Other: ____`.
            || {
                let lead = line[box_end..].len() - line[box_end..].trim_start().len();
                line[box_end..]
                    .trim_start()
                    .find("  ")
                    .map_or(line.len(), |gap| box_end + lead + gap)
            },
            |next| next.0,
        );
        if index + 1 == boxes.len() {
            end = until;
        }
        let option = &line[box_end..until];
        let trimmed = option.trim().trim_end_matches([',', ';', '/']).trim();
        if !trimmed.is_empty() {
            let start = box_end + (option.len() - option.trim_start().len());
            options.push((start, start + trimmed.len()));
        }
    }
    (options.len() >= 2).then(|| BoxRun {
        start: boxes[0].0,
        options,
        end,
        last_box: boxes[boxes.len() - 1].1,
    })
}

/// The first blank of `text`, a run of three or more underscores (not inside a word, as in
/// `__init__`): its byte range.
pub(crate) fn find_blank(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = text[from..].find("___") {
        let start = from + at;
        let end = start
            + text[start..]
                .bytes()
                .take_while(|&byte| byte == b'_')
                .count();
        let glued = text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        if !glued {
            return Some((start, end));
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What text is made of in the property below: marks (every box mark and glyph `box_at`
    /// knows, underscores, and prose brackets and dashes), each followed by some filler.
    const MARKS: &[&str] = &[
        "[ ]", "[x]", "[X]", "[✓]", "[✔]", "( )", "(x)", "(X)", "(•)", "()", "[]", "☐", "☑", "☒",
        "□", "■", "○", "◯", "●", "◉", "⬜", "❏", "_", "__", "___", "(min)", "[L]", "—", "’", "(",
        "[", "",
    ];
    const FILLERS: &[&str] = &["", " ", "  ", " a ", "Ice", ":", ": ", ", ", "/", "x"];

    /// `cases` random cases, no failure files written into the source tree.
    fn config(cases: u32) -> proptest::prelude::ProptestConfig {
        proptest::prelude::ProptestConfig {
            cases,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..proptest::prelude::ProptestConfig::default()
        }
    }

    proptest::proptest! {
        #![proptest_config(config(4_000))]

        /// The quick test never turns away text in which the full search finds a blank or a run
        /// of boxes.
        #[test]
        fn the_quick_test_keeps_every_text_with_inputs(
            picks in proptest::collection::vec((0..MARKS.len(), 0..FILLERS.len()), 0..8)
        ) {
            let text: String = picks
                .iter()
                .flat_map(|&(mark, filler)| [MARKS[mark], FILLERS[filler]])
                .collect();
            if !may_hold_inputs(&text) {
                proptest::prop_assert!(find_blank(&text).is_none(), "{text:?}");
                proptest::prop_assert!(box_run(&text).is_none(), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(config(2_000))]

        /// The quick test's first look, sixteen bytes at a time, answers as a look at every
        /// byte would, whatever the length of the text and wherever the byte is.
        #[test]
        fn the_quick_test_reads_blocks_as_bytes(
            text in "[a-z (\\[_☐—]{0,70}"
        ) {
            let bytes = text.as_bytes();
            let any_start = bytes
                .iter()
                .any(|&byte| matches!(byte, b'_' | b'[' | b'(' | 0xE2));
            let plain = any_start && starts_a_mark(&text);
            proptest::prop_assert_eq!(may_hold_inputs(&text), plain, "{:?}", text);
        }
    }

    #[test]
    fn prose_with_brackets_and_dashes_is_turned_away_and_forms_are_not() {
        assert!(!may_hold_inputs(
            "Therapeutic exercise (minutes) [L] – see above’s note"
        ));
        assert!(may_hold_inputs("Date: ________"));
        assert!(may_hold_inputs("Tolerated: ☐ well ☐ poorly"));
        assert!(may_hold_inputs("[x] Ice [ ] Heat"));
    }
}
