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
pub(crate) fn inputs<'l>(text: &'l str, line: &'l Line) -> impl Iterator<Item = Input<'l>> + 'l {
    line.items.iter().flat_map(move |item| {
        // Text has its own inputs only where a form's blanks or boxes were kept (rarely: no
        // allocation otherwise).
        let mut in_words = Vec::new();
        let own = match item {
            Inline::Field(field) => Some(Input::Field(field)),
            Inline::Choice(choice) => Some(Input::Choice(
                choice.span,
                Cow::Borrowed(choice.options.as_slice()),
            )),
            Inline::Wildcard(span) => Some(Input::Blank(*span)),
            Inline::Escape(_) => None,
            Inline::Text(span) => {
                let at =
                    |range: (usize, usize)| Span::new(span.start + range.0, span.start + range.1);
                in_text(span.text(text), |input| {
                    in_words.push(match input {
                        TextInput::Blank(range) => Input::Blank(at(range)),
                        TextInput::Boxes(range, options) => {
                            Input::Choice(at(range), options.into_iter().map(at).collect())
                        }
                    })
                });
                None
            }
        };
        own.into_iter().chain(in_words)
    })
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
    // Most text has neither: one pass over the bytes says so (every box glyph starts with 0xE2).
    let maybe = text
        .bytes()
        .any(|byte| matches!(byte, b'_' | b'[' | b'(' | 0xE2));
    if !maybe {
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
