//! `plan-without-frequency`: an evaluation or progress report whose plan of care states no
//! frequency or no duration (payer-rules.md 1.4, [S16] [S17] [S19] [S95]). Which note types need
//! them is data (`plan_frequency` in `rulepack/notes.toml`), and so are the words that show each.

use super::Context;
use super::required_sections::{note_anchor, note_type_phrase};
use crate::analysis::Diagnostic;
use crate::analysis::semantics::is_title_line;
use crate::rulepack::RuleId;
use crate::rulepack::{contains_any, contains_any_not_before};
use crate::syntax::{Line, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    let Some(note_type) = context.note_type() else {
        return;
    };
    if !note_type.plan_frequency {
        return;
    }
    let document = &context.parse.document;
    let text = context.text;
    // The plan: its heading, else a labelled plan line; a note that is itself a plan of care
    // (needs no plan section) anchors at the note. Otherwise `missing-plan` speaks.
    let anchor = semantics
        .sections_of_kind("plan")
        .next()
        .map(|index| document.sections[index].heading.span)
        .or_else(|| {
            semantics
                .elements
                .iter()
                .find(|element| &*element.kind == "plan")
                .map(|element| element.span)
        })
        .or_else(|| {
            (!note_type.requires.iter().any(|kind| kind == "plan")).then(|| note_anchor(context))
        });
    let Some(anchor) = anchor else { return };
    // Frequency and duration count in the plan's own lines (its sections and labelled plan
    // lines), and in a label or field name anywhere that says frequency or duration (forms put
    // `Frequency & Duration:` under the goals or in a header).
    let elements = &context.pack.elements;
    let mut plan_words = String::new();
    // The plan elements once, in document order, and walked together with the lines: a line is
    // a plan line when an element lies inside it (lines x elements was the largest cost of a
    // keystroke on a long template).
    let mut plan_elements: Vec<Span> = semantics
        .elements
        .iter()
        .filter(|element| &*element.kind == "plan")
        .map(|element| element.span)
        .collect();
    plan_elements.sort_by_key(|span| span.start);
    let mut next = 0;
    let plan_lines = context
        .lines_of_kind("plan")
        .into_iter()
        .chain(document.lines().filter(move |line| {
            while plan_elements
                .get(next)
                .is_some_and(|span| span.start < line.span.start)
            {
                next += 1;
            }
            plan_elements[next..]
                .iter()
                .take_while(|span| span.start <= line.span.end)
                .any(|span| span.end <= line.span.end)
        }));
    let parts = context.parts;
    // A plan title line (`Plan:` alone, its inputs below) titles the lines right below it: they
    // are the plan's lines too.
    let titled: Vec<&Line> = semantics
        .elements
        .iter()
        .filter(|element| &*element.kind == "plan")
        .filter_map(|element| {
            parts
                .line_in(element.section, element.span.start)
                .filter(|line| is_title_line(text, line, element.span))
        })
        .collect();
    let below = titled.iter().flat_map(|line| parts.block_under(text, line));
    // Whether the plan words hold a token of the rate notation: asked of each line's words once
    // (`PlanLine::states_notation`), not of all of a template's plan words each time.
    let mut notation = false;
    for line in plan_lines.chain(below) {
        let plan = parts.plan_of(text, line, context.pack);
        if plan.symptoms {
            continue;
        }
        plan_words.push(' ');
        plan_words.push_str(plan.words(text, line));
        notation = notation || plan.states_notation(text, line, context.pack);
    }
    // Words are only ever added after these, and a phrase found stays found: a plan that already
    // states both needs no look at the labels.
    // "Sessions" and "days" are durations ("12 sessions", "for 14 days") unless a rate follows
    // ("2 sessions per week", "3 days a week": that is the frequency).
    // A token of the home-health notation ("2w3": twice a week for three weeks) states both.
    let states_duration = |words: &str, notation: bool| {
        contains_any_not_before(words, &elements.duration, &elements.rate_words) || notation
    };
    // "Daily" names the activities in "daily activities" and "activities of daily living" (goals
    // a plan of care holds), not how often the patient is seen.
    let states_frequency = |words: &str, notation: bool| {
        contains_any_not_before(words, &elements.frequency, &elements.not_rate_before) || notation
    };
    // What the plan's own lines state, kept for the look at the labels below: the plan words are
    // searched again there only if a rate line adds to them.
    let plan_frequency = states_frequency(&plan_words, notation);
    let plan_duration = plan_frequency.then(|| states_duration(&plan_words, notation));
    if plan_frequency && plan_duration == Some(true) {
        return;
    }
    let plan_words_before = plan_words.len();
    let mut label_words = String::new();
    // What each line adds is remembered with the line (`parts::PlanLine`): its label normalised
    // once for both questions, and its field names as words.
    for (line, plan) in parts.plan_lines(text, context.pack) {
        if plan.symptoms {
            continue;
        }
        // A `Frequency:` line's own wording and options count as the plan's.
        if plan.rate_label {
            plan_words.push(' ');
            plan_words.push_str(plan.words(text, line));
            notation = notation || plan.states_notation(text, line, context.pack);
        }
        label_words.push_str(&plan.label_words);
    }
    let added = plan_words.len() != plan_words_before;
    let frequency = if added {
        states_frequency(&plan_words, notation)
    } else {
        plan_frequency
    } || contains_any(&label_words, &elements.frequency_labels);
    let duration = match plan_duration {
        Some(known) if !added => known,
        _ => states_duration(&plan_words, notation),
    } || contains_any(&label_words, &elements.duration_labels);
    if frequency && duration {
        return;
    }
    let what = match (frequency, duration) {
        (false, false) => "frequency and duration",
        (false, true) => "frequency",
        _ => "duration",
    };
    // A plan of care on its own is the plan: "this plan of care", not "the plan of care in a plan
    // of care".
    let plan = if note_type.requires.iter().any(|kind| kind == "plan") {
        let who = note_type_phrase(context).unwrap_or_else(|| "this note".to_string());
        format!("the plan of care in {who}")
    } else {
        format!("this {}", note_type.title.to_lowercase())
    };
    out.push(context.diagnostic(
        RuleId::PlanWithoutFrequency,
        anchor,
        format!(
            "{plan} must state how often and for how long the patient will be seen; add a place for the {what} (for example 2 times a week for 6 weeks)"
        ),
    ));
}

/// Whether normalised words hold a token of the frequency notation that states how often and
/// for how long at once: a number, one of `notation` and a number ("2w3").
pub(crate) fn states_rate_notation(words: &str, notation: &[String]) -> bool {
    let number = |digits: &str| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    // Such a token begins and ends with a digit, so only those few are split at each letter:
    // setting up a search per token and letter was a third of the plan rule on a corpus (the
    // rule reads all of a template's plan words).
    let digit_ends = |token: &&str| {
        let bytes = token.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_digit)
            && bytes.last().is_some_and(u8::is_ascii_digit)
    };
    words.split_whitespace().filter(digit_ends).any(|token| {
        notation.iter().any(|letter| {
            token
                .split_once(letter.as_str())
                .is_some_and(|(count, weeks)| number(count) && number(weeks))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::states_rate_notation;
    use proptest::prelude::*;

    /// The definition: some whitespace-separated token is a number, one of `notation` and a
    /// number (split at the letter's first place in it).
    fn plain(words: &str, notation: &[String]) -> bool {
        let number =
            |digits: &str| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        words.split_whitespace().any(|token| {
            notation.iter().any(|letter| {
                token
                    .split_once(letter.as_str())
                    .is_some_and(|(count, weeks)| number(count) && number(weeks))
            })
        })
    }

    proptest! {
        /// Words of digits, notation letters and others (`2w3`, `w3`, `2w`, `2ww3`, `12x`, `é2w3`,
        /// tabs and doubled spaces), with notations that include an empty one, a digit and two
        /// letters: skipping the tokens that do not begin and end with a digit changes nothing.
        #[test]
        fn rate_notation_matches_its_definition(
            words in "[0-9wxé \t]{0,24}",
            notation in proptest::collection::vec("(w|x|ww|1|)", 0..3),
        ) {
            prop_assert_eq!(states_rate_notation(&words, &notation), plain(&words, &notation));
        }

        /// The rule asks each line's words (`PlanLine::states_notation`) instead of the
        /// template's plan words, which are the lines' words each after a space: the same answer.
        #[test]
        fn rate_notation_of_joined_words_is_that_of_some_line(
            lines in proptest::collection::vec("[0-9wxé \t]{0,12}", 0..5),
        ) {
            let notation = vec!["w".to_string(), "x".to_string()];
            let joined: String = lines.iter().map(|line| format!(" {line}")).collect();
            prop_assert_eq!(
                states_rate_notation(&joined, &notation),
                lines.iter().any(|line| states_rate_notation(line, &notation))
            );
        }
    }

    #[test]
    fn rate_notation_examples() {
        let w = vec!["w".to_string()];
        assert!(states_rate_notation("frequency 2w3 and 1w1", &w));
        assert!(!states_rate_notation("frequency 2w and w3 2x3", &w));
        assert!(!states_rate_notation("", &w));
    }
}
