//! `canned-response`: the patient's response is only pre-written wording or a tick box, with no
//! measure and no comparison with an earlier visit (payer-rules.md 1.3 and 4.3, [S7] [S15]
//! [S43]). Reviewers read "tolerated treatment well" as no response at all. The wording that
//! makes a response more than canned is data (`response_measures` in `rulepack/notes.toml`).

use super::Context;
use crate::analysis::Diagnostic;
use crate::analysis::inputs::{Input, inputs};
use crate::analysis::semantics::{has_input, is_title_line, line_label};
use crate::rulepack::RuleId;
use crate::rulepack::{contains_any, normalize_phrase};
use crate::syntax::{Inline, Line, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    if !semantics.is_note() {
        return;
    }
    let document = &context.parse.document;
    let responses = semantics
        .elements
        .iter()
        .filter(|element| &*element.kind == "response");
    // The first response section's heading, else the first labelled response line.
    let Some(anchor) = semantics
        .sections_of_kind("response")
        .next()
        .map(|index| document.sections[index].heading.span)
        .or_else(|| responses.clone().next().map(|element| element.span))
    else {
        return;
    };
    // The response's lines: those of its sections, then each labelled response line inside
    // another section (looked up by position in the element's part, `Parts::line_in`). One that
    // is open-ended is enough; none at all is no finding either.
    let mut any = false;
    for line in context.lines_of_kind("response") {
        if open_ended(context, line) {
            return;
        }
        any = true;
    }
    for element in responses {
        if let Some(line) = context.parts.line_in(element.section, element.span.start)
            && element.span.end <= line.span.end
        {
            if open_ended(context, line) {
                return;
            }
            // A title line (`Response to treatment:` alone) holds no input of its own: the lines
            // right below it, up to a blank line, are the response.
            if titles_lines_below(context.text, line, element.span)
                && context
                    .parts
                    .block_under(context.text, line)
                    .any(|below| open_ended(context, below))
            {
                return;
            }
            // A prompt that names the response among other prompts (`- Pt response to exercise
            // (and tolerance)` in a list a guide ends with `***`) is answered in the writing place
            // its block ends with: a line that is nothing but an input. A fixed sentence followed
            // by other labelled lines stays canned.
            if !has_input(context.text, line)
                && context
                    .parts
                    .block_under(context.text, line)
                    .any(|below| only_input(context.text, below))
            {
                return;
            }
            any = true;
        }
    }
    if !any {
        return;
    }
    out.push(context.diagnostic(
        RuleId::CannedResponse,
        anchor,
        "the patient's response is only pre-written wording; give the clinician room to record a measure (pain, range, distance) or a comparison with the last visit",
    ));
}

/// Whether the response label `label` is the whole of `line` and so titles the lines below it, as
/// a heading does: a title line (`Response to treatment:` alone) or a short title without its
/// colon, as a table's column header is (`Performance / Comments` above rows that each end in a
/// place to write, in a feeding evaluation's interview; part t). A sentence is not a label
/// (`semantics::line_label`), so a pre-written "Tolerated treatment well." is no title.
fn titles_lines_below(text: &str, line: &Line, label: Span) -> bool {
    is_title_line(text, line, label)
        || (line_label(text, line) == Some(label)
            && label.start == line.span.start
            && line
                .items
                .iter()
                .all(|item| matches!(item, Inline::Text(_) | Inline::Escape(_)))
            && text[label.end..line.span.end].trim_end().is_empty())
}

/// Whether a line lets the clinician write something of their own or names a measure: a field
/// that is not a pick from a list, a wildcard, a blank of underscores, or measure and comparison
/// words in its text or options.
fn open_ended(context: &Context<'_>, line: &Line) -> bool {
    // The same response lines recur in template after template: each distinct one is read once.
    context.line_answer(
        line,
        |answers| &answers.open_ended,
        || line_open_ended(context, line),
    )
}

/// [`open_ended`], worked out.
fn line_open_ended(context: &Context<'_>, line: &Line) -> bool {
    let text = context.text;
    let measures = &context.pack.elements.response_measures;
    let says = |span: Span| contains_any(&normalize_phrase(span.text(text)), measures);
    line.items.iter().any(|item| match item {
        Inline::Field(_) | Inline::Wildcard(_) => true,
        Inline::Choice(choice) => choice.options.iter().any(|&option| says(option)),
        // A run of underscores is a paper form's blank to write in ("Response: ________").
        Inline::Text(span) => {
            says(*span) || crate::analysis::inputs::find_blank(span.text(text)).is_some()
        }
        Inline::Escape(_) => false,
    })
}

/// Whether a line is nothing but a place to write: fields and blanks (`***` or underscores) with
/// only spaces, or the list's bullet, around them (`***` or `- ***` on its own line under a list
/// of prompts).
fn only_input(text: &str, line: &Line) -> bool {
    let mut outside = String::new();
    let mut from = line.span.start;
    for input in inputs(text, line) {
        if matches!(input, Input::Choice(..)) {
            return false;
        }
        let span = input.span();
        outside.push_str(text.get(from..span.start).unwrap_or(""));
        from = span.end;
    }
    outside.push_str(text.get(from..line.span.end).unwrap_or(""));
    from != line.span.start && matches!(outside.trim(), "" | "-" | "*" | "+" | "•")
}
