//! Incremental re-parsing (`syntax::reparse`) is exactly a full parse: random sequences of edits
//! on the example and real-world templates (typing, deleting, line breaks of every kind, and the
//! edits that must fall back to a full parse: comment markers, headings, includes, front matter),
//! each re-parsed from the previous step's tree, give the tree and errors `syntax::parse` gives.
//! And one keystroke re-parses one line, counted with `work::parsed_lines`, never timed.

use std::path::Path;
use std::sync::OnceLock;

use noteplate::syntax::{self, TextEdit};
use proptest::prelude::*;

/// The example and real-world templates.
fn templates() -> &'static [String] {
    static TEMPLATES: OnceLock<Vec<String>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for folder in ["examples", "tests/realworld"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "note"))
                .collect();
            paths.sort();
            texts.extend(
                paths
                    .iter()
                    .map(|path| std::fs::read_to_string(path).unwrap()),
            );
        }
        assert!(texts.len() > 20);
        texts
    })
}

/// What gets typed: ordinary text, the syntax's sharp edges, every line break, multi-byte text.
const SNIPPETS: &[&str] = &[
    "x",
    "x",
    "x",
    " ",
    "e",
    "\n",
    "\r\n",
    "\r",
    "# ",
    "## Response\n",
    "{",
    "}",
    "{{",
    "}}",
    "|",
    "{a|b}",
    "{{f:date}}",
    "{{f:number}}",
    "***",
    "\\{",
    ":",
    "- ",
    "<!--",
    "-->",
    "<!-- c -->",
    "---",
    "---\n",
    "@include a.note\n",
    "type: daily\n",
    "é",
    "😀",
    "\u{feff}",
    "",
];

/// `at` moved back to a char boundary of `text`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One random edit of the property tests: where (a fraction of the text's length), how many
/// bytes it removes there, and which of the `SNIPPETS` it types.
type Edit = (f64, usize, usize);

/// Edits that remove fewer than `removed` bytes each.
fn edit(removed: usize) -> impl Strategy<Value = Edit> {
    (0.0f64..1.0, 0usize..removed, 0usize..SNIPPETS.len())
}

/// A template to edit, by a random index.
fn template(index: usize) -> String {
    let templates = templates();
    templates[index % templates.len()].clone()
}

/// Makes `edit` in `text` (at char boundaries) and says what changed, as an editor would.
fn apply(text: &mut String, (place, removed, snippet): Edit) -> TextEdit {
    let start = boundary(text, (place * text.len() as f64) as usize);
    let end = boundary(text, start + removed);
    let inserted = SNIPPETS[snippet];
    text.replace_range(start..end, inserted);
    TextEdit::replace(start..end, inserted.len())
}

/// A template of about 8,000 lines (2,000 regions of one section) and the place of a keystroke
/// in its 1,001st region.
fn large_template() -> (String, usize) {
    let block = "### Region\n- {joint mobilization|myofascial release} to {{region:region}}\n<!-- glide -->\n- Pain {{before:number}}/10; tolerated {well|poorly}. ***\n";
    let text = format!(
        "---\ntemplate: T\ncodes: 97140\n---\n## Technique\n{}## Response\nTolerated.\n",
        block.repeat(2_000)
    );
    let at = text.match_indices("; tolerated").nth(1_000).unwrap().0 + 2;
    (text, at)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reparsing_after_random_edits_is_a_full_parse(
        index in 0usize..1000,
        edits in prop::collection::vec(edit(12), 1..16),
    ) {
        let mut text = template(index);
        let mut parse = syntax::parse(&text);
        for edit in edits {
            let mut next = text.clone();
            let change = apply(&mut next, edit);
            parse = syntax::reparse(&text, parse, &next, change);
            prop_assert_eq!(&parse, &syntax::parse(&next));
            text = next;
        }
    }

    /// Edits in heading lines (typing in a title re-parses the heading alone while the heading
    /// keeps its level), each re-parsed from the previous step's tree.
    #[test]
    fn reparsing_after_edits_in_headings_is_a_full_parse(
        index in 0usize..1000,
        edits in prop::collection::vec((0usize..1000, 0.0f64..1.0, 0usize..4, 0usize..SNIPPETS.len()), 1..12),
    ) {
        let mut text = template(index);
        let mut parse = syntax::parse(&text);
        for (heading, place, removed, snippet) in edits {
            let headings: Vec<(usize, usize)> = syntax::line_spans(&text)
                .filter(|line| text[line.start..line.end].starts_with('#'))
                .map(|line| (line.start, line.end))
                .collect();
            let Some(&(start, end)) = headings.get(heading % headings.len().max(1)) else {
                break;
            };
            let at = boundary(&text, start + (place * (end - start + 1) as f64) as usize);
            let until = boundary(&text, (at + removed).min(end));
            let mut next = text.clone();
            // Mostly ordinary typing, sometimes one of the sharp snippets.
            let inserted = if snippet % 3 == 0 { SNIPPETS[snippet] } else { "x" };
            next.replace_range(at..until, inserted);
            let change = TextEdit::replace(at..until, inserted.len());
            parse = syntax::reparse(&text, parse, &next, change);
            prop_assert_eq!(&parse, &syntax::parse(&next));
            text = next;
        }
    }

    /// Several edits composed into one (as the server does between two analyses).
    #[test]
    fn reparsing_after_composed_edits_is_a_full_parse(
        index in 0usize..1000,
        edits in prop::collection::vec(edit(6), 1..6),
    ) {
        let text = template(index);
        let mut current = text.clone();
        let mut composed = TextEdit::NONE;
        for edit in edits {
            composed = composed.then(apply(&mut current, edit));
        }
        let reparsed = syntax::reparse(&text, syntax::parse(&text), &current, composed);
        prop_assert_eq!(&reparsed, &syntax::parse(&current));
    }
}

#[test]
fn a_keystroke_in_a_large_template_reparses_one_line() {
    let (text, at) = large_template();
    let mut typed = text.clone();
    typed.insert(at, 'x');
    noteplate::work::reset();
    let full = syntax::parse(&text);
    let full_lines = noteplate::work::parsed_lines();
    noteplate::work::reset();
    let reparsed = syntax::reparse(&text, full.clone(), &typed, TextEdit::replace(at..at, 1));
    assert_eq!(noteplate::work::parsed_lines(), 1);
    assert!(full_lines > 8_000, "{full_lines}");
    assert_eq!(reparsed, syntax::parse(&typed));
    // And back.
    noteplate::work::reset();
    let back = syntax::reparse(&typed, reparsed, &text, TextEdit::replace(at..at + 1, 0));
    assert_eq!(noteplate::work::parsed_lines(), 1);
    assert_eq!(back, full);
}

#[test]
fn a_keystroke_in_a_heading_of_a_large_template_reparses_that_heading() {
    let (text, at) = large_template();
    // The end of the title of the region heading before the keystroke's place.
    let title_end = text[..at].rfind("### Region").unwrap() + "### Region".len();
    let mut typed = text.clone();
    typed.insert(title_end, 's');
    let full = syntax::parse(&text);
    noteplate::work::reset();
    let reparsed = syntax::reparse(
        &text,
        full.clone(),
        &typed,
        TextEdit::replace(title_end..title_end, 1),
    );
    assert_eq!(noteplate::work::parsed_lines(), 1);
    assert_eq!(reparsed, syntax::parse(&typed));
    // A heading of another level changes the tree: everything is parsed again, and agrees.
    let mut deeper = text.clone();
    deeper.insert(title_end - "Region".len() - 1, '#');
    noteplate::work::reset();
    let change = TextEdit::replace(title_end - 7..title_end - 7, 1);
    let reparsed = syntax::reparse(&text, full, &deeper, change);
    assert!(noteplate::work::parsed_lines() > 8_000);
    assert_eq!(reparsed, syntax::parse(&deeper));
}

/// One memo kept across the analyses of successive versions (as the language server's analysis
/// thread keeps one) never changes what an analysis finds: random edits of the example and
/// real-world templates, each version analysed with the kept memo and with a fresh one, give the
/// same semantic model and diagnostics. The memo remembers facts per line and per part of the
/// document (`analysis/parts.rs`).
mod analysis_memo {
    use super::*;
    use noteplate::analysis::{Input, Memo, Settings, analyze};
    use noteplate::rulepack::RulePack;

    fn pack() -> &'static RulePack {
        static PACK: OnceLock<RulePack> = OnceLock::new();
        PACK.get_or_init(RulePack::embedded)
    }

    /// `text` analysed with the kept memo gives the semantic model and diagnostics of a fresh
    /// analysis.
    fn kept_is_fresh(text: &str, kept: &mut Memo) -> Result<(), TestCaseError> {
        let settings = Settings::default();
        let input = Input::new(text, pack(), &settings);
        let remembered = analyze(input, syntax::parse(text), kept);
        let fresh = analyze(input, syntax::parse(text), &mut Memo::new());
        prop_assert_eq!(&remembered.semantics, &fresh.semantics);
        prop_assert_eq!(&remembered.diagnostics, &fresh.diagnostics);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The memo told nothing: every part is looked up by its text.
        #[test]
        fn an_analysis_with_a_kept_memo_is_a_fresh_analysis(
            index in 0usize..1000,
            edits in prop::collection::vec(edit(12), 1..12),
        ) {
            let mut text = template(index);
            let mut kept = Memo::new();
            kept_is_fresh(&text, &mut kept)?;
            for edit in edits {
                apply(&mut text, edit);
                kept_is_fresh(&text, &mut kept)?;
            }
        }

        /// The language server's path: the memo is told which text each analysis is of and the
        /// edits since the last one analysed (`Memo::expect_text`; several edits composed when
        /// versions were skipped), so parts outside the edit are taken from the last analysis by
        /// position. The same semantic model and diagnostics as a fresh analysis; and a wrong
        /// previous name (another document's text analysed in between) is ignored.
        #[test]
        fn parts_taken_by_position_after_an_edit_are_a_fresh_analysis(
            index in 0usize..1000,
            steps in prop::collection::vec((edit(12), any::<bool>(), 0u8..8), 1..12),
        ) {
            let mut text = template(index);
            let mut kept = Memo::new();
            let mut name = 1u64;
            kept.expect_text(name, None);
            kept_is_fresh(&text, &mut kept)?;
            let mut analysed = name;
            let mut since = TextEdit::NONE;
            for (edit, analyse, other) in steps {
                since = since.then(apply(&mut text, edit));
                name += 1;
                if !analyse {
                    continue;
                }
                if other == 0 {
                    // Another text analysed with the memo in between, under its own name.
                    kept.expect_text(u64::MAX - name, None);
                    kept_is_fresh(&template(index + 1), &mut kept)?;
                }
                kept.expect_text(name, Some((analysed, since)));
                kept_is_fresh(&text, &mut kept)?;
                analysed = name;
                since = TextEdit::NONE;
            }
        }
    }

    /// Lines whose only comments lie wholly inside them (a trailing `<!-- note -->`) are
    /// remembered by their text like lines without comments: the same line met first in other
    /// places (another section title, a signature section, the preamble, after a comment that
    /// runs into it) gives what a fresh analysis gives.
    #[test]
    fn lines_with_their_own_comments_remembered_are_fresh() {
        let lines = [
            "Date: *** <!-- today -->",
            "Date of service: {{dos:date}} <!-- a --> <!-- b -->",
            "<!-- x --> Minutes: {{minutes:number}} <!-- y -->",
            "Signed: {{therapist}} <!-- credentials -->",
            "Patient tolerated treatment well. <!-- confirm wording -->",
        ];
        let places = [
            "{line}\n",
            "# Daily Note\n## Date of service\n{line}\n",
            "---\ntype: daily\ncodes: 97110\n---\n# Visit\n## Treatment\n{line}\n## Signature\n{line}\n",
            "## Assessment\n<!-- runs\ninto --> {line}\n{line}\n",
            "## Plan\nFrequency: 2x/week\n{line}\n",
        ];
        let mut kept = Memo::new();
        for line in lines {
            for place in places {
                let text = place.replace("{line}", line);
                kept_is_fresh(&text, &mut kept).unwrap();
            }
        }
        for place in places.iter().rev() {
            let text = lines
                .iter()
                .map(|line| place.replace("{line}", line))
                .collect::<String>();
            kept_is_fresh(&text, &mut kept).unwrap();
        }
    }

    /// What rules remember per distinct line (`rules::LineAnswers`: whether a response line is
    /// open-ended, whether a line captures a body region, the words of a line's date inputs for
    /// a note type's own dates) is the same wherever the line stands: each line met first in one
    /// template, then in others (after a comment that runs into it, in another note type, with
    /// and without the codes that bring in the rules), analysed with the kept memo, gives what a
    /// fresh analysis gives. The templates are chosen so that each rule both speaks and stays
    /// silent somewhere.
    #[test]
    fn rule_answers_remembered_per_line_are_fresh() {
        let lines = [
            "Response: tolerated well",
            "Response: {well|poorly}",
            "Response: pain improved since last visit",
            "Patient response: ________",
            "Region: {cervical|lumbar}",
            "Treated {{area}} with soft tissue mobilization",
            "Discharge date: {{d:date}}",
            ": {{when:date}} Discharge date: {{d:date}}",
            "<!-- c --> Date of discharge: *** <!-- d -->",
        ];
        let places = [
            "---\ntype: daily\ncodes: 97140\n---\n## Treatment\n{line}\n## Patient response\n{line}\n",
            "---\ntype: discharge\ncodes: 97110, 97140\n---\n# Discharge summary\n{line}\n## Response\n<!-- runs\ninto --> {line}\n",
            "---\ntype: discharge\n---\n## Plan\n{line}\n## Signature\nSigned: {{therapist}}\n",
            "{line}\n",
        ];
        let mut kept = Memo::new();
        let mut spoken: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        let mut check = |text: &str, kept: &mut Memo| {
            kept_is_fresh(text, kept).unwrap();
            let settings = Settings::default();
            let fresh = analyze(
                Input::new(text, pack(), &settings),
                syntax::parse(text),
                &mut Memo::new(),
            );
            for rule in ["canned-response", "missing-region", "missing-date"] {
                let counts = spoken.entry(rule).or_default();
                if fresh.diagnostics.iter().any(|d| d.rule.as_str() == rule) {
                    counts.0 += 1;
                } else {
                    counts.1 += 1;
                }
            }
        };
        for line in lines {
            for place in places {
                check(&place.replace("{line}", line), &mut kept);
            }
        }
        for place in places.iter().rev() {
            let text = lines
                .iter()
                .map(|line| place.replace("{line}", line))
                .collect::<String>();
            check(&text, &mut kept);
        }
        for (rule, (with, without)) in spoken {
            assert!(
                with > 0 && without > 0,
                "{rule}: {with} with, {without} without"
            );
        }
    }

    /// A keystroke in a section of a large template works out that section's lines again and
    /// no other (the rest is remembered per part): counted with `work::analysed_lines`.
    #[test]
    fn a_keystroke_analyses_the_edited_section_only() {
        let (text, at) = large_template();
        let settings = Settings::default();
        let mut memo = Memo::new();
        noteplate::work::reset();
        let first = analyze(
            Input::new(&text, pack(), &settings),
            syntax::parse(&text),
            &mut memo,
        );
        // Every part is worked out once (the 2,000 regions are one part text, remembered).
        let cold = noteplate::work::analysed_lines();
        assert_eq!(cold, 3);
        let mut typed = text.clone();
        typed.insert(at, 'x');
        noteplate::work::reset();
        let after = analyze(
            Input::new(&typed, pack(), &settings),
            syntax::parse(&typed),
            &mut memo,
        );
        // The edited region's two content lines, nothing else.
        assert_eq!(noteplate::work::analysed_lines(), 2);
        let fresh = analyze(
            Input::new(&typed, pack(), &settings),
            syntax::parse(&typed),
            &mut Memo::new(),
        );
        assert_eq!(after.diagnostics, fresh.diagnostics);
        assert_eq!(after.semantics, fresh.semantics);
        // Every part was looked up by its text (the memo was not told what changed).
        assert!(noteplate::work::part_lookups() > 2_000);
        // And back: every part is remembered.
        noteplate::work::reset();
        let back = analyze(
            Input::new(&text, pack(), &settings),
            syntax::parse(&text),
            &mut memo,
        );
        assert_eq!(noteplate::work::analysed_lines(), 0);
        assert_eq!(back.diagnostics, first.diagnostics);
    }

    /// Told the edit since the last text analysed (as the language server tells it), the memo
    /// takes every part outside the edit from the last analysis by position: only the edited
    /// part is looked up by its text, and its two lines are worked out again.
    #[test]
    fn a_keystroke_after_a_named_text_looks_up_the_edited_part_only() {
        let (text, at) = large_template();
        let settings = Settings::default();
        let mut memo = Memo::new();
        memo.expect_text(1, None);
        analyze(
            Input::new(&text, pack(), &settings),
            syntax::parse(&text),
            &mut memo,
        );
        let mut typed = text.clone();
        typed.insert(at, 'x');
        noteplate::work::reset();
        memo.expect_text(2, Some((1, TextEdit::replace(at..at, 1))));
        let after = analyze(
            Input::new(&typed, pack(), &settings),
            syntax::parse(&typed),
            &mut memo,
        );
        assert_eq!(noteplate::work::part_lookups(), 1);
        assert_eq!(noteplate::work::analysed_lines(), 2);
        let fresh = analyze(
            Input::new(&typed, pack(), &settings),
            syntax::parse(&typed),
            &mut Memo::new(),
        );
        assert_eq!(after.diagnostics, fresh.diagnostics);
        assert_eq!(after.semantics, fresh.semantics);
        // A name the memo does not know (another text was analysed last): every part by text.
        noteplate::work::reset();
        memo.expect_text(4, Some((3, TextEdit::replace(at..at + 1, 0))));
        let back = analyze(
            Input::new(&text, pack(), &settings),
            syntax::parse(&text),
            &mut memo,
        );
        assert!(noteplate::work::part_lookups() > 2_000);
        assert_eq!(back.semantics, fresh_semantics(&text, &settings));
    }

    fn fresh_semantics(text: &str, settings: &Settings) -> noteplate::analysis::Semantics {
        analyze(
            Input::new(text, pack(), settings),
            syntax::parse(text),
            &mut Memo::new(),
        )
        .semantics
    }

    /// Memos that share lines (`Memo::share_lines`, what `noteplate check`'s workers do) give
    /// what fresh analyses give, on one thread and on two at once; and a line one memo recognised
    /// another takes from the shared memo instead of recognising it again (counted with
    /// `work::recognised_lines`).
    #[test]
    fn memos_that_share_lines_give_fresh_analyses() {
        use noteplate::analysis::SharedLines;
        let settings = Settings::default();
        let fresh = |text: &str| {
            analyze(
                Input::new(text, pack(), &settings),
                syntax::parse(text),
                &mut Memo::new(),
            )
        };
        let shared = SharedLines::default();
        let worker = || {
            let mut memo = Memo::new();
            memo.remember_at_least(131_072);
            memo.remember_parts(false);
            memo.share_lines(&shared);
            memo
        };
        // One thread: the first memo recognises the template's lines, the second takes them all.
        let text = template(0);
        let (mut first, mut second) = (worker(), worker());
        noteplate::work::reset();
        kept_is_fresh(&text, &mut first).unwrap();
        let recognised = noteplate::work::recognised_lines();
        noteplate::work::reset();
        let taken = analyze(
            Input::new(&text, pack(), &settings),
            syntax::parse(&text),
            &mut second,
        );
        assert!(recognised > 0);
        assert_eq!(noteplate::work::recognised_lines(), 0);
        let plain = fresh(&text);
        assert_eq!(taken.semantics, plain.semantics);
        assert_eq!(taken.diagnostics, plain.diagnostics);
        // Two threads at once, through every template in opposite orders (so each meets lines
        // the other recognised, and lines both recognise at the same time).
        let texts = templates();
        std::thread::scope(|scope| {
            for reversed in [false, true] {
                let (worker, fresh) = (&worker, &fresh);
                scope.spawn(move || {
                    let mut memo = worker();
                    let order: Vec<&String> = if reversed {
                        texts.iter().rev().collect()
                    } else {
                        texts.iter().collect()
                    };
                    for text in order {
                        let kept = analyze(
                            Input::new(text, pack(), &Settings::default()),
                            syntax::parse(text),
                            &mut memo,
                        );
                        let plain = fresh(text);
                        assert_eq!(kept.semantics, plain.semantics);
                        assert_eq!(kept.diagnostics, plain.diagnostics);
                    }
                });
            }
        });
    }
}
