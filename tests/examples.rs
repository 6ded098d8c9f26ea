//! Every template under `examples/` is analysed with the embedded rule pack and default settings,
//! and its findings are compared with a list written by hand: (rule id, 1-based line). When
//! behaviour changes on purpose, update the list here and the example's header comment together.

use std::path::Path;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::line_index::LineIndex;
use noteplate::rulepack::RulePack;

/// (file name, expected findings in reported order as (rule, 1-based line)).
const EXPECTED: &[(&str, &[(&str, usize)])] = &[
    ("manual-therapy-visit.note", &[]),
    ("missing-response.note", &[("missing-response", 3)]),
    ("soap-daily-note.note", &[]),
    ("chiropractic-visit.note", &[]),
    ("evaluation-97162.note", &[]),
    (
        "payer-chiropractic-pairing.note",
        &[("missing-modifier", 3), ("missing-region", 3)],
    ),
    ("payer-medicare-daily-note.note", &[]),
    (
        "typos-with-fixes.note",
        &[
            ("unknown-front-matter-key", 2),
            ("unknown-front-matter-key", 4),
            ("unknown-note-type", 5),
            ("unknown-technique", 24),
            ("unknown-technique", 25),
            ("unknown-section-kind", 27),
            ("unknown-field-type", 28),
            ("empty-choice-option", 28),
        ],
    ),
    (
        "syntax-recovery.note",
        &[
            ("missing-response", 3),
            ("syntax-error", 15),
            ("syntax-error", 16),
            ("single-option-choice", 17),
            ("syntax-error", 18),
            ("unknown-field-type", 22),
        ],
    ),
];

fn examples_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
}

fn read(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn findings(text: &str) -> Vec<(String, usize)> {
    let analysis = analyze_text(text, &RulePack::embedded(), &Settings::default());
    let index = LineIndex::new(text);
    analysis
        .diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), index.line_column(text, d.span.start).0))
        .collect()
}

#[test]
fn each_example_reports_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for (name, expected) in EXPECTED {
        let actual = findings(&read(name));
        let expected: Vec<(String, usize)> = expected
            .iter()
            .map(|(rule, line)| (rule.to_string(), *line))
            .collect();
        if actual != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_file_is_listed_and_has_a_header_comment() {
    let mut on_disk: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".note"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "examples/ and EXPECTED disagree");
    for name in &listed {
        let text = read(name);
        let analysis = analyze_text(&text, &RulePack::embedded(), &Settings::default());
        let comment = analysis
            .parse
            .document
            .comments
            .first()
            .unwrap_or_else(|| panic!("{name} has no header comment"));
        assert!(comment.closed, "{name}: header comment is not closed");
        assert!(
            comment.body.text(&text).trim().len() > 40,
            "{name}: header comment should say what the example shows"
        );
        // The comment comes right after the front matter, so it does not hide the front matter.
        let front_matter = analysis
            .parse
            .document
            .front_matter
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no front matter"));
        assert!(
            front_matter.close.is_some(),
            "{name}: front matter not closed"
        );
        assert!(comment.span.start >= front_matter.span.end, "{name}");
    }
}

#[test]
fn clean_examples_declare_codes_so_they_are_really_checked() {
    // A clean result is only meaningful when the template declares codes the pack knows.
    for (name, expected) in EXPECTED {
        if !expected.is_empty() {
            continue;
        }
        let text = read(name);
        let analysis = analyze_text(&text, &RulePack::embedded(), &Settings::default());
        let codes = &analysis
            .parse
            .document
            .front_matter
            .as_ref()
            .expect("front matter")
            .entries
            .iter()
            .find(|entry| entry.key.text(&text) == "codes")
            .unwrap_or_else(|| panic!("{name} declares no codes"))
            .codes;
        assert!(!codes.is_empty(), "{name} declares no codes");
    }
}

#[test]
fn typo_example_offers_a_fix_for_every_finding() {
    let text = read("typos-with-fixes.note");
    let analysis = analyze_text(&text, &RulePack::embedded(), &Settings::default());
    let titles: Vec<(&str, &str)> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.as_str(),
                d.fix.as_ref().map(|fix| fix.title.as_str()).unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("unknown-front-matter-key", "Rename to `template`"),
            ("unknown-front-matter-key", "Rename to `payer`"),
            ("unknown-note-type", "Change to `daily`"),
            ("unknown-technique", "Replace with `myofascial release`"),
            (
                "unknown-technique",
                "Replace with `soft tissue mobilization`"
            ),
            ("unknown-section-kind", "Change to `response`"),
            ("unknown-field-type", "Change to `number`"),
            ("empty-choice-option", "Remove the empty option"),
        ]
    );
}

#[test]
fn missing_response_fix_inserts_the_section_before_time() {
    let text = read("missing-response.note");
    let analysis = analyze_text(&text, &RulePack::embedded(), &Settings::default());
    let fix = analysis.diagnostics[0].fix.as_ref().expect("a fix");
    assert_eq!(fix.edits.len(), 1);
    let mut fixed = text.clone();
    let edit = &fix.edits[0];
    fixed.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    let response = fixed.find("## Response").expect("inserted heading");
    let time = fixed.find("## Time").expect("time heading");
    assert!(response < time, "inserted after Time:\n{fixed}");
    let again = analyze_text(&fixed, &RulePack::embedded(), &Settings::default());
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
}
