//! Inline suppression comments (docs/suppressions.md): the four directives, reasons after `--`,
//! `unused-suppression` and its fix, unknown rule ids and misspelt directives, comments inside
//! the front matter, and the editor's "Disable RULE for this line/file" edits.

mod support;

use std::path::Path;
use support::*;

use noteplate::analysis::{self, Diagnostic, Edit, Settings, suppressions};
use noteplate::line_index::LineIndex;
use noteplate::rulepack::{RuleId, RulePack};

// ------------------------------------------------------------------------------------ helpers

const UNUSED: &str = "unused-suppression";
const TECHNIQUE: &str = "unknown-technique";

fn analyse(text: &str) -> Vec<Diagnostic> {
    analysis::analyze_text(text, &RulePack::embedded(), &Settings::default()).diagnostics
}

/// (rule, 1-based line) of every finding.
fn findings(text: &str) -> Vec<(String, usize)> {
    let index = LineIndex::new(text);
    analyse(text)
        .iter()
        .map(|d| (d.rule.to_string(), index.line_of(d.span.start) + 1))
        .collect()
}

/// Lines on which `rule` is reported.
fn lines_of(text: &str, rule: &str) -> Vec<usize> {
    findings(text)
        .into_iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, line)| line)
        .collect()
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    }
    out
}

/// One typo'd technique per line, lines 6 to 10 (each is `unknown-technique` on its own line).
fn technique_lines(comments: &[(usize, &str)]) -> String {
    let mut lines: Vec<String> = vec![
        "---".into(),
        "template: Suppressions".into(),
        "---".into(),
        String::new(),
        "## Technique".into(),
    ];
    for _ in 0..5 {
        lines.push("- {myofacial release|soft tissue mobilization}".into());
    }
    // Insert top-down so the given line numbers are those of the final file.
    let mut comments = comments.to_vec();
    comments.sort_by_key(|(line, _)| *line);
    for (line, comment) in comments {
        lines.insert(line - 1, comment.to_string());
    }
    lines.join("\n") + "\n"
}

#[test]
fn baseline_every_technique_line_is_reported() {
    let text = technique_lines(&[]);
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 7, 8, 9, 10]);
    assert!(lines_of(&text, UNUSED).is_empty());
}

// --------------------------------------------------------------------------- the four forms

#[test]
fn disable_next_line_suppresses_only_the_next_line() {
    let text = technique_lines(&[(7, "<!-- noteplate-disable-next-line unknown-technique -->")]);
    // The comment is line 7; line 8 is suppressed, its neighbours are not.
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 9, 10, 11]);
    assert!(lines_of(&text, UNUSED).is_empty(), "{:?}", findings(&text));
}

#[test]
fn disable_next_line_after_content_on_the_same_line_still_means_the_next_line() {
    let mut text = technique_lines(&[]);
    text = text.replacen(
        "soft tissue mobilization}\n",
        "soft tissue mobilization} <!-- noteplate-disable-next-line unknown-technique -->\n",
        1,
    );
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 8, 9, 10]);
}

#[test]
fn disable_enable_suppresses_between_the_comments() {
    let text = technique_lines(&[
        (7, "<!-- noteplate-disable unknown-technique -->"),
        (10, "<!-- noteplate-enable unknown-technique -->"),
    ]);
    // Lines 8 and 9 are inside; 6 before, 11 and 12 after.
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 11, 12]);
    assert!(lines_of(&text, UNUSED).is_empty(), "{:?}", findings(&text));
}

#[test]
fn disable_without_enable_runs_to_the_end_of_the_file() {
    let text = technique_lines(&[(8, "<!-- noteplate-disable unknown-technique -->")]);
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 7]);
}

#[test]
fn enable_only_re_enables_the_rules_it_names() {
    let text = "---
template: Two rules
---

## Technique
<!-- noteplate-disable unknown-technique, unknown-field-type -->
- {myofacial release|soft tissue mobilization} for {{minutes:minuets}}
<!-- noteplate-enable unknown-technique -->
- {myofacial release|soft tissue mobilization} for {{minutes2:minuets}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    assert_eq!(lines_of(text, TECHNIQUE), [9]);
    assert!(
        lines_of(text, "unknown-field-type").is_empty(),
        "{:?}",
        findings(text)
    );
}

#[test]
fn disable_file_suppresses_everywhere_including_the_front_matter() {
    let text = "---
template: Whole file
codes: 97140-GP
---
<!-- noteplate-disable-file missing-response, unknown-technique -->

## Medical necessity
Skilled care is needed for {{impairment}}.

## Technique
- {myofacial release|soft tissue mobilization} to {{region:region}}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    let found = findings(text);
    assert!(
        !found.iter().any(|(r, _)| r == "missing-response"),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == TECHNIQUE), "{found:?}");
    assert!(!found.iter().any(|(r, _)| r == UNUSED), "{found:?}");
    // Without the comment both are reported.
    let bare = text.replace(
        "<!-- noteplate-disable-file missing-response, unknown-technique -->\n",
        "",
    );
    assert_eq!(lines_of(&bare, "missing-response"), [3]);
    assert_eq!(lines_of(&bare, TECHNIQUE), [10]);
}

#[test]
fn a_suppression_only_silences_the_rules_it_names() {
    let text = "---
template: Other rules
---

## Technique
<!-- noteplate-disable-next-line unknown-field-type -->
- {myofacial release|soft tissue mobilization} for {{m:minuets}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    assert_eq!(lines_of(text, TECHNIQUE), [7]);
    assert!(lines_of(text, "unknown-field-type").is_empty());
}

// ------------------------------------------------------------------------------------ reasons

#[test]
fn text_after_double_dash_is_a_reason_not_rule_ids() {
    let text = technique_lines(&[(
        7,
        "<!-- noteplate-disable-next-line unknown-technique -- EHR spelling, see ticket 42, do not fix -->",
    )]);
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 9, 10, 11]);
    // "EHR spelling", "see ticket 42" and "do not fix" are not read as rule ids.
    assert!(lines_of(&text, UNUSED).is_empty(), "{:?}", findings(&text));
}

#[test]
fn several_rules_separated_by_commas() {
    let text = "---
template: Two rules
---

## Technique
<!-- noteplate-disable-next-line unknown-technique,unknown-field-type -- both known -->
- {myofacial release|soft tissue mobilization} for {{m:minuets}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    let found = findings(text);
    assert!(
        !found
            .iter()
            .any(|(r, _)| r == TECHNIQUE || r == "unknown-field-type"),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == UNUSED), "{found:?}");
}

#[test]
fn a_multi_line_comment_covers_the_line_after_it_ends() {
    let text = technique_lines(&[
        (7, "<!-- noteplate-disable-next-line unknown-technique --"),
        (8, "     the EHR keeps this spelling -->"),
    ]);
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 10, 11, 12]);
}

// ------------------------------------------------------------------------- unused-suppression

#[test]
fn unused_suppression_is_reported_with_a_fix_that_removes_the_comment() {
    let text = "---
template: Unused
---

## Plan
<!-- noteplate-disable-next-line unknown-technique -- was needed once -->
Continue plan of care.

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    let diagnostics = analyse(text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    let index = LineIndex::new(text);
    assert_eq!(index.line_of(unused[0].span.start) + 1, 6);
    // The finding points at the rule id in the comment.
    assert_eq!(unused[0].span.text(text), "unknown-technique");
    assert!(
        unused[0].message.contains("suppresses nothing"),
        "{}",
        unused[0].message
    );
    let fix = unused[0].fix.as_ref().expect("a fix");
    assert!(fix.safe);
    let fixed = apply(text, &fix.edits);
    assert_eq!(
        fixed,
        "---
template: Unused
---

## Plan
Continue plan of care.

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
"
    );
    assert!(findings(&fixed).iter().all(|(r, _)| r != UNUSED));
}

#[test]
fn unused_fix_keeps_other_content_on_the_line_and_crlf_line_breaks() {
    let text =
        "## Plan\r\nContinue. <!-- noteplate-disable-next-line unknown-technique -->\r\nDone.\r\n";
    let diagnostics = analyse(text);
    let unused = diagnostics
        .iter()
        .find(|d| d.rule.as_str() == UNUSED)
        .expect("reported");
    let fixed = apply(text, &unused.fix.as_ref().unwrap().edits);
    assert_eq!(fixed, "## Plan\r\nContinue. \r\nDone.\r\n");

    let text = "## Plan\r\n<!-- noteplate-disable-next-line unknown-technique -->\r\nDone.\r\n";
    let diagnostics = analyse(text);
    let unused = diagnostics
        .iter()
        .find(|d| d.rule.as_str() == UNUSED)
        .expect("reported");
    let fixed = apply(text, &unused.fix.as_ref().unwrap().edits);
    assert_eq!(fixed, "## Plan\r\nDone.\r\n");
}

#[test]
fn unused_rule_in_a_comment_naming_several_is_reported_without_a_fix() {
    let text = technique_lines(&[(
        7,
        "<!-- noteplate-disable-next-line unknown-technique, unknown-field-type -->",
    )]);
    let diagnostics = analyse(&text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    assert_eq!(unused[0].span.text(&text), "unknown-field-type");
    // Removing the comment would un-suppress unknown-technique, so there is no automatic fix.
    assert!(unused[0].fix.is_none());
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 9, 10, 11]);
}

#[test]
fn unused_block_and_file_suppressions_are_reported() {
    let text = "## Plan
<!-- noteplate-disable-file missing-time -->
<!-- noteplate-disable unknown-technique -->
Continue plan of care.
<!-- noteplate-enable unknown-technique -->
";
    let unused = lines_of(text, UNUSED);
    assert_eq!(unused, [2, 3], "{:?}", findings(text));
}

#[test]
fn enable_without_a_matching_disable_is_reported() {
    let text = "## Plan\nContinue.\n<!-- noteplate-enable unknown-technique -->\n";
    let diagnostics = analyse(text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1);
    assert!(
        unused[0].message.contains("never disabled"),
        "{}",
        unused[0].message
    );
}

#[test]
fn fix_removes_unused_suppressions_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let text =
        "## Plan\n<!-- noteplate-disable-next-line unknown-technique -->\nContinue plan of care.\n";
    std::fs::write(dir.path().join("t.note"), text).unwrap();

    let output = run(dir.path(), &["check", "--format", "json", "t.note"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<(&str, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rules, [(UNUSED, 2)]);

    let output = run(dir.path(), &["check", "--diff", "t.note"]);
    let diff = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        diff.contains("-<!-- noteplate-disable-next-line unknown-technique -->"),
        "{diff}"
    );

    let output = run(dir.path(), &["check", "--fix", "t.note"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.note")).unwrap(),
        "## Plan\nContinue plan of care.\n"
    );
}

// --------------------------------------------------------- unknown rules, misspelt directives

#[test]
fn unknown_rule_id_is_reported_with_a_suggestion_and_suppresses_nothing() {
    let text = technique_lines(&[(7, "<!-- noteplate-disable-next-line unknown-tecnique -->")]);
    let diagnostics = analyse(&text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    assert!(
        unused[0]
            .message
            .contains("unknown rule `unknown-tecnique`"),
        "{}",
        unused[0].message
    );
    assert!(
        unused[0]
            .message
            .contains("did you mean `unknown-technique`?"),
        "{}",
        unused[0].message
    );
    assert_eq!(unused[0].span.text(&text), "unknown-tecnique");
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 8, 9, 10, 11]);
}

#[test]
fn misspelt_directive_is_reported_with_a_suggestion() {
    let text = technique_lines(&[(7, "<!-- noteplate-disable-nextline unknown-technique -->")]);
    let diagnostics = analyse(&text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    assert!(
        unused[0]
            .message
            .contains("did you mean `noteplate-disable-next-line`?"),
        "{}",
        unused[0].message
    );
    assert_eq!(LineIndex::new(&text).line_of(unused[0].span.start) + 1, 7);
    // Nothing is suppressed by a directive noteplate does not know.
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 8, 9, 10, 11]);
}

#[test]
fn directive_without_rule_ids_is_reported() {
    let text = technique_lines(&[(7, "<!-- noteplate-disable-next-line -- no ids here -->")]);
    let diagnostics = analyse(&text);
    let unused: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    assert!(
        unused[0].message.contains("names no rule"),
        "{}",
        unused[0].message
    );
    assert_eq!(lines_of(&text, TECHNIQUE), [6, 8, 9, 10, 11]);
}

#[test]
fn ordinary_comments_are_not_directives() {
    let text = technique_lines(&[(7, "<!-- noteplate should not mind this comment -->")]);
    assert!(lines_of(&text, UNUSED).is_empty(), "{:?}", findings(&text));
}

// ------------------------------------------------------------------------------ front matter

#[test]
fn a_suppression_inside_the_front_matter_works() {
    let text = "---
template: Front matter
<!-- noteplate-disable-next-line unknown-front-matter-key -- the EHR export needs it -->
paywer: medicare
<!-- noteplate-disable-next-line missing-response -- the response is in the EHR's own form -->
codes: 97140-GP
paywer2: medicare
---

## Medical necessity
Skilled care is needed for {{impairment}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    let found = findings(text);
    // The comments did not end the front matter: `codes:` is still read ...
    assert!(!found.iter().any(|(r, _)| r == "syntax-error"), "{found:?}");
    assert!(
        !found.iter().any(|(r, _)| r == "missing-response"),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == UNUSED), "{found:?}");
    // ... and only the next line is covered: `paywer2` is still reported.
    assert_eq!(lines_of(text, "unknown-front-matter-key"), [7]);
    // Removing the second comment brings missing-response back (so the codes were read).
    let bare = text.replace(
        "<!-- noteplate-disable-next-line missing-response -- the response is in the EHR's own form -->\n",
        "",
    );
    assert_eq!(lines_of(&bare, "missing-response"), [5]);
}

// -------------------------------------------------------------------- editor quick actions

#[test]
fn disable_for_this_line_edit_suppresses_exactly_that_finding() {
    let text = technique_lines(&[]);
    let diagnostics = analyse(&text);
    let target = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == TECHNIQUE)
        .nth(2)
        .expect("line 8");
    let parse = noteplate::syntax::parse(&text);
    let edit =
        suppressions::disable_next_line(&text, &parse, target.span.start, RuleId::UnknownTechnique)
            .expect("an edit");
    let fixed = apply(&text, &[edit]);
    assert!(fixed.contains("<!-- noteplate-disable-next-line unknown-technique -->\n- {myofacial"));
    // The comment is now line 8 and the finding that was there is gone; the rest moved down.
    assert_eq!(lines_of(&fixed, TECHNIQUE), [6, 7, 10, 11]);
    assert!(lines_of(&fixed, UNUSED).is_empty());
}

#[test]
fn disable_for_this_line_keeps_indentation_and_works_in_the_front_matter() {
    let text = "---\ntemplate: T\n  paywer: medicare\n---\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n";
    let diagnostics = analyse(text);
    let target = diagnostics
        .iter()
        .find(|d| d.rule.as_str() == "unknown-front-matter-key")
        .expect("reported");
    let parse = noteplate::syntax::parse(text);
    let edit =
        suppressions::disable_next_line(text, &parse, target.span.start, target.rule).unwrap();
    let fixed = apply(text, &[edit]);
    assert_eq!(
        fixed,
        "---\ntemplate: T\n  <!-- noteplate-disable-next-line unknown-front-matter-key -->\n  paywer: medicare\n---\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n"
    );
    let found = findings(&fixed);
    assert!(
        found
            .iter()
            .all(|(r, _)| r != "unknown-front-matter-key" && r != UNUSED),
        "{found:?}"
    );
    // No such edit for the opening `---`: a comment above it would stop it being front matter.
    assert!(suppressions::disable_next_line(text, &parse, 0, RuleId::SyntaxError).is_none());
    // A first line that only starts with `---` opens no front matter: it is a line like any
    // other (this used to be decided on the text, apart from the parser).
    let text = "--- draft\n## Technique\n";
    let parse = noteplate::syntax::parse(text);
    assert!(suppressions::disable_next_line(text, &parse, 0, RuleId::SyntaxError).is_some());
}

/// The quick fixes insert the document's own line break (its first one), like every other fix;
/// they used to insert `\r\n` whenever one occurred anywhere.
#[test]
fn disable_edits_use_the_documents_first_line_break() {
    let text = "## Technique\n- {myofacial release|joint mobilization}\r\n";
    let parse = noteplate::syntax::parse(text);
    let edit = suppressions::disable_file(text, &parse, RuleId::UnknownTechnique);
    assert_eq!(
        edit.new_text,
        "<!-- noteplate-disable-file unknown-technique -->\n"
    );
    let edit = suppressions::disable_next_line(text, &parse, 14, RuleId::UnknownTechnique).unwrap();
    assert_eq!(
        edit.new_text,
        "<!-- noteplate-disable-next-line unknown-technique -->\n"
    );
}

#[test]
fn disable_for_this_file_edit_goes_after_the_front_matter() {
    let text = technique_lines(&[]);
    let parse = noteplate::syntax::parse(&text);
    let edit = suppressions::disable_file(&text, &parse, RuleId::UnknownTechnique);
    let fixed = apply(&text, &[edit]);
    assert!(
        fixed.starts_with("---\ntemplate: Suppressions\n---\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("<!-- noteplate-disable-file unknown-technique -->"),
        "{fixed}"
    );
    let found = findings(&fixed);
    assert!(
        found
            .iter()
            .all(|(r, _)| r != TECHNIQUE && r != UNUSED && r != "syntax-error"),
        "{found:?}"
    );
    // Every heading is still a heading.
    assert!(fixed.lines().any(|line| line == "## Technique"), "{fixed}");

    let text = "## Technique\n- {myofacial release|soft tissue mobilization}\n";
    let parse = noteplate::syntax::parse(text);
    let fixed = apply(
        text,
        &[suppressions::disable_file(
            text,
            &parse,
            RuleId::UnknownTechnique,
        )],
    );
    assert!(fixed.starts_with("<!-- noteplate-disable-file unknown-technique -->\n## Technique\n"));
    assert!(
        findings(&fixed)
            .iter()
            .all(|(r, _)| r != TECHNIQUE && r != UNUSED)
    );
}

// -------------------------------------------------------------------- docs/suppressions.md

#[test]
fn every_example_in_the_docs_suppresses_what_it_names() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/suppressions.md");
    let docs = std::fs::read_to_string(&path).unwrap();
    // The four directives are all documented.
    for directive in [
        "noteplate-disable-next-line",
        "noteplate-disable ",
        "noteplate-enable",
        "noteplate-disable-file",
    ] {
        assert!(
            docs.contains(directive),
            "docs/suppressions.md lacks {directive}"
        );
    }
    let blocks = fenced_blocks(&docs, "note");
    assert!(blocks.len() >= 5, "found only {} note blocks", blocks.len());
    for block in blocks {
        assert!(
            block.contains("noteplate-"),
            "an example without a suppression:\n{block}"
        );
        assert!(
            block.contains(" -- "),
            "an example without a reason:\n{block}"
        );
        if block.contains("@include") {
            // Needs the fragment on disk; tests/fragments.rs covers suppressing include-findings.
            continue;
        }
        let found = findings(&block);
        assert!(
            found
                .iter()
                .all(|(rule, _)| rule != UNUSED && rule != "syntax-error"),
            "this example from docs/suppressions.md has {found:?}:\n{block}"
        );
        // And each comment really silenced something: without the comments, more is reported.
        let bare: String = block
            .lines()
            .filter(|line| !line.trim_start().starts_with("<!-- noteplate-"))
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(
            findings(&bare).len() > found.len(),
            "the suppressions in this example silence nothing:\n{block}"
        );
    }
}

#[test]
fn unused_suppression_follows_the_project_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let text = "## Plan\n<!-- noteplate-disable-next-line unknown-technique -->\nContinue.\n";
    std::fs::write(dir.path().join("t.note"), text).unwrap();
    let rules = |dir: &Path| -> Vec<(String, String)> {
        let output = run(dir, &["check", "--format", "json", "t.note"]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    std::fs::write(
        dir.path().join("noteplate.toml"),
        "[rules]\nseverity = { unused-suppression = \"error\" }\n",
    )
    .unwrap();
    assert_eq!(
        rules(dir.path()),
        [(UNUSED.to_string(), "error".to_string())]
    );
    std::fs::write(
        dir.path().join("noteplate.toml"),
        "[rules]\ndisable = [\"unused-suppression\"]\n",
    )
    .unwrap();
    assert!(rules(dir.path()).is_empty());
}
