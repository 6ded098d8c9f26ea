//! The `noteplate` binary as CI and scripts use it: exit codes, the JSON report's exact shape,
//! standard input, folder walking, stable ordering, and the `rules` / `explain` commands.

mod support;

use support::*;

use noteplate::rulepack::{RuleId, RulePack};
use serde_json::Value;

const CLEAN: &str = "---
template: Manual therapy visit
codes: 97140-GP
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}

## Response
Tolerated {well|with mild soreness}; pain {{pain_after:number}}/10 after.

## Time
Total timed-code minutes: {{timed_minutes:minutes}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

/// `missing-response` (an error).
const ERROR: &str = "---
template: Manual therapy visit
codes: 97140-GP
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

/// Only warnings: `unknown-front-matter-key` and `unknown-technique`.
const WARNINGS: &str = "---
template: Manual therapy visit
paywer: medicare
---

## Technique
- {soft tissue mobilization|myofacial release}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

/// (path, rule) of every diagnostic in a JSON report.
fn findings(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------- exit codes

#[test]
fn clean_file_exits_0() {
    let dir = temp();
    write(dir.path(), "clean.note", CLEAN);
    let output = run(dir.path(), &["check", "clean.note"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(
        stdout(&output).contains("0 errors, 0 warnings"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn error_finding_exits_1() {
    let dir = temp();
    write(dir.path(), "error.note", ERROR);
    let output = run(dir.path(), &["check", "error.note"]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("error[missing-response]"), "{text}");
    assert!(text.contains("error.note:3:8"), "{text}");
}

#[test]
fn some_files_with_errors_exit_1() {
    let dir = temp();
    write(dir.path(), "a-clean.note", CLEAN);
    write(dir.path(), "b-error.note", ERROR);
    write(dir.path(), "c-warnings.note", WARNINGS);
    let output = run(
        dir.path(),
        &["check", "a-clean.note", "b-error.note", "c-warnings.note"],
    );
    assert_eq!(code(&output), 1);
    let output = run(dir.path(), &["check", "."]);
    assert_eq!(code(&output), 1);
}

#[test]
fn only_warnings_exit_0() {
    let dir = temp();
    write(dir.path(), "warnings.note", WARNINGS);
    let output = run(dir.path(), &["check", "--format", "json", "warnings.note"]);
    assert_eq!(code(&output), 0);
    let report = json(&output);
    let severities: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["warning", "warning"]);
}

#[test]
fn missing_path_exits_2_even_with_errors_elsewhere() {
    let dir = temp();
    write(dir.path(), "error.note", ERROR);
    let output = run(dir.path(), &["check", "does-not-exist.note"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("does-not-exist.note"),
        "{}",
        stderr(&output)
    );
    let output = run(dir.path(), &["check", "error.note", "does-not-exist.note"]);
    assert_eq!(code(&output), 2);
}

#[test]
fn unknown_flag_and_bad_values_exit_2() {
    let dir = temp();
    write(dir.path(), "clean.note", CLEAN);
    for args in [
        &["check", "--no-such-flag", "clean.note"][..],
        &["check", "--format", "xml", "clean.note"],
        &["no-such-command"],
        &[],
    ] {
        let output = run(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let dir = temp();
    for args in [&["--help"][..], &["--version"], &["check", "--help"]] {
        let output = run(dir.path(), args);
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(!stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn invalid_utf8_is_a_finding_not_a_crash() {
    let dir = temp();
    // "Cervical rotation 45° right" saved as Windows-1252: ° is the single byte 0xB0.
    write(
        dir.path(),
        "latin1.note",
        b"---\ntemplate: Cervical\n---\n\n## Findings\nCervical rotation 45\xb0 right\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    let output = run(dir.path(), &["check", "--format", "json", "latin1.note"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["rule"], "invalid-utf8");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["range"]["start"]["line"], 6);
    assert_eq!(diagnostic["range"]["start"]["column"], 21);
    assert!(
        diagnostic["message"].as_str().unwrap().contains("0xB0"),
        "{diagnostic}"
    );

    // The human format shows it too, and still exits 1.
    let output = run(dir.path(), &["check", "latin1.note"]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("invalid-utf8"),
        "{}",
        stdout(&output)
    );
}

// ------------------------------------------------------------------------------- JSON schema

/// Checks that `value` is an object with exactly `keys`.
fn assert_keys(value: &Value, keys: &[&str]) {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"));
    let mut actual: Vec<&str> = object.keys().map(String::as_str).collect();
    actual.sort_unstable();
    let mut expected = keys.to_vec();
    expected.sort_unstable();
    assert_eq!(actual, expected, "keys of {value}");
}

fn assert_position(value: &Value) {
    assert_keys(value, &["line", "column"]);
    for key in ["line", "column"] {
        let number = value[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} in {value}"));
        assert!(number >= 1, "positions are 1-based: {value}");
    }
}

#[test]
fn json_report_has_exactly_the_documented_shape() {
    let dir = temp();
    write(dir.path(), "error.note", ERROR);
    write(dir.path(), "warnings.note", WARNINGS);
    write(dir.path(), "clean.note", CLEAN);
    let output = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "error.note",
            "warnings.note",
            "clean.note",
        ],
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "one JSON document on one line");
    let report = json(&output);
    assert_keys(&report, &["version", "files", "diagnostics"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["files"], 3);
    let diagnostics = report["diagnostics"].as_array().expect("an array");
    assert_eq!(diagnostics.len(), 3);
    for diagnostic in diagnostics {
        assert_keys(
            diagnostic,
            &["path", "rule", "severity", "message", "range"],
        );
        for key in ["path", "rule", "severity", "message"] {
            assert!(diagnostic[key].is_string(), "{key} in {diagnostic}");
        }
        assert!(
            ["error", "warning", "info", "hint"]
                .contains(&diagnostic["severity"].as_str().unwrap())
        );
        assert_keys(&diagnostic["range"], &["start", "end"]);
        assert_position(&diagnostic["range"]["start"]);
        assert_position(&diagnostic["range"]["end"]);
    }
    assert_eq!(
        diagnostics[0],
        serde_json::json!({
            "path": "error.note",
            "rule": "missing-response",
            "severity": "error",
            "message": "`97140` needs the patient's response to treatment (tolerance and measurable change), and the template has no place for it; add a \"Response\" section",
            "range": {"start": {"line": 3, "column": 8}, "end": {"line": 3, "column": 16}},
        })
    );
    assert_eq!(
        findings(&report),
        [
            ("error.note".into(), "missing-response".into()),
            ("warnings.note".into(), "unknown-front-matter-key".into()),
            ("warnings.note".into(), "unknown-technique".into()),
        ]
    );
}

#[test]
fn json_report_without_findings() {
    let dir = temp();
    write(dir.path(), "clean.note", CLEAN);
    let output = run(dir.path(), &["check", "--format", "json", "clean.note"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({"version": 1, "files": 1, "diagnostics": []})
    );
}

#[test]
fn json_columns_count_characters_on_non_ascii_lines() {
    let dir = temp();
    // Before the field type: `°` and `±` (2 bytes each), `µ` (2), `ë`/`è` (2), an emoji (4).
    let text = "---\ntemplate: Zoë\n---\n\n## Findings\nZoë Lefèvre 45° ± 5° µg 🦴 {{a:nubmer}}\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n";
    write(dir.path(), "unicode.note", text);
    let output = run(dir.path(), &["check", "--format", "json", "unicode.note"]);
    let report = json(&output);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "unknown-field-type");
    let line = text.lines().nth(5).unwrap();
    let byte = line.find("nubmer").unwrap();
    let column = line[..byte].chars().count() + 1;
    assert_eq!(column, 31);
    assert_ne!(column, byte + 1, "the line must have multi-byte characters");
    assert_eq!(
        diagnostic["range"],
        serde_json::json!({"start": {"line": 6, "column": 31}, "end": {"line": 6, "column": 37}})
    );
}

#[test]
fn json_lines_follow_crlf_and_lone_cr() {
    let dir = temp();
    let lf = "---\ntemplate: Breaks\n---\n\n## Response\nPain {{p:nubmer}}/10\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n";
    write(dir.path(), "crlf.note", lf.replace('\n', "\r\n"));
    write(dir.path(), "cr.note", lf.replace('\n', "\r"));
    let output = run(
        dir.path(),
        &["check", "--format", "json", "crlf.note", "cr.note"],
    );
    let report = json(&output);
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        assert_eq!(
            diagnostic["range"],
            serde_json::json!({"start": {"line": 6, "column": 10}, "end": {"line": 6, "column": 16}}),
            "{diagnostic}"
        );
    }
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 2);
}

/// The CI formats carry the same findings and the same exit code as the default one.
#[test]
fn every_format_has_the_same_exit_code_and_parses() {
    let dir = temp();
    write(dir.path(), "error.note", ERROR);
    write(dir.path(), "clean.note", CLEAN);
    for (file, expected) in [("error.note", 1), ("clean.note", 0)] {
        for format in ["human", "json", "github", "sarif", "junit", "gitlab"] {
            let output = run(dir.path(), &["check", "--format", format, file]);
            assert_eq!(code(&output), expected, "{format} on {file}");
            let text = stdout(&output);
            match format {
                "json" | "sarif" | "gitlab" => {
                    let _: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|error| panic!("{format} is not JSON ({error}): {text}"));
                }
                "junit" => assert!(text.starts_with("<?xml"), "{text}"),
                _ => {}
            }
            if expected == 1 {
                assert!(text.contains("missing-response"), "{format}: {text}");
            }
        }
    }
    let output = run(dir.path(), &["check", "--format", "github", "error.note"]);
    assert!(
        stdout(&output).starts_with("::error file=error.note,line=3,col=8,"),
        "{}",
        stdout(&output)
    );
}

// ------------------------------------------------------------------------------- stdin

#[test]
fn stdin_with_dash() {
    let dir = temp();
    let output = run_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        ERROR.as_bytes(),
    );
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["files"], 1);
    assert_eq!(
        findings(&report),
        [("<stdin>".into(), "missing-response".into())]
    );

    let output = run_stdin(dir.path(), &["check", "-"], CLEAN.as_bytes());
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn stdin_filename_names_the_input() {
    let dir = temp();
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "templates/visit.note",
            "-",
        ],
        WARNINGS.as_bytes(),
    );
    assert_eq!(code(&output), 0);
    let report = json(&output);
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        assert_eq!(diagnostic["path"], "templates/visit.note");
    }
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 2);

    // Human output names it too.
    let output = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "templates/visit.note", "-"],
        ERROR.as_bytes(),
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("templates/visit.note:3:8"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn stdin_invalid_utf8() {
    let dir = temp();
    let output = run_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        b"## Findings\n\xff\n",
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        findings(&json(&output)),
        [("<stdin>".into(), "invalid-utf8".into())]
    );
}

// ------------------------------------------------------------------------------- folders

#[test]
fn folders_are_walked_recursively_for_note_files_only() {
    let dir = temp();
    write(dir.path(), "top.note", ERROR);
    write(dir.path(), "a/b/c/deep.note", ERROR);
    write(dir.path(), "a/readme.md", "# not a template");
    write(dir.path(), "a/template.txt", ERROR);
    write(dir.path(), "a/note", ERROR); // no extension
    write(dir.path(), "a/x.note.bak", ERROR);
    let output = run(dir.path(), &["check", "--format", "json", "."]);
    let report = json(&output);
    assert_eq!(report["files"], 2, "{report}");
    let paths: Vec<String> = findings(&report)
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let normalised: Vec<String> = paths.iter().map(|p| p.replace('\\', "/")).collect();
    assert_eq!(normalised, ["./a/b/c/deep.note", "./top.note"]);
}

#[test]
fn folders_honour_gitignore_without_a_git_repository() {
    let dir = temp();
    write(dir.path(), ".gitignore", "ignored/\nskip-*.note\n");
    write(dir.path(), "kept.note", ERROR);
    write(dir.path(), "skip-me.note", ERROR);
    write(dir.path(), "ignored/hidden.note", ERROR);
    write(dir.path(), "sub/.gitignore", "local.note\n");
    write(dir.path(), "sub/local.note", ERROR);
    write(dir.path(), "sub/other.note", ERROR);
    let output = run(dir.path(), &["check", "--format", "json", "."]);
    let report = json(&output);
    let paths: Vec<String> = findings(&report)
        .into_iter()
        .map(|(path, _)| path.replace('\\', "/"))
        .collect();
    assert_eq!(paths, ["./kept.note", "./sub/other.note"]);
    assert_eq!(report["files"], 2);

    // A file named on the command line is checked even if ignored.
    let output = run(dir.path(), &["check", "--format", "json", "skip-me.note"]);
    assert_eq!(json(&output)["files"], 1);
}

/// Like ripgrep, folder walks skip hidden files and folders; named explicitly, they are checked.
#[test]
fn hidden_files_and_folders_are_skipped_when_walking() {
    let dir = temp();
    write(dir.path(), "visible.note", ERROR);
    write(dir.path(), ".hidden.note", ERROR);
    write(dir.path(), ".drafts/draft.note", ERROR);
    let output = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(json(&output)["files"], 1);
    let output = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            ".hidden.note",
            ".drafts/draft.note",
        ],
    );
    assert_eq!(json(&output)["files"], 2);
}

#[test]
fn no_arguments_checks_the_current_folder() {
    let dir = temp();
    write(dir.path(), "one.note", ERROR);
    write(dir.path(), "sub/two.note", CLEAN);
    let output = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&output), 1);
    assert_eq!(json(&output)["files"], 2);
}

#[test]
fn empty_folder_is_clean() {
    let dir = temp();
    let output = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({"version": 1, "files": 0, "diagnostics": []})
    );
}

#[test]
fn output_order_is_stable_and_sorted_by_path() {
    let dir = temp();
    // Names created in an order unlike their sorted order, with several files per folder.
    let names = [
        "zeta.note",
        "alpha.note",
        "m/b.note",
        "m/a.note",
        "B.note",
        "m/n/z.note",
        "beta.note",
        "m/c.note",
        "0.note",
        "é.note",
    ];
    for name in names {
        write(dir.path(), name, ERROR);
    }
    let first = run(dir.path(), &["check", "--format", "json", "."]);
    let paths: Vec<String> = findings(&json(&first))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "paths are reported in sorted order");
    assert_eq!(paths.len(), names.len());
    for _ in 0..5 {
        let again = run(dir.path(), &["check", "--format", "json", "."]);
        assert_eq!(stdout(&again), stdout(&first), "same bytes on every run");
    }
    let human = run(dir.path(), &["check", "."]);
    for _ in 0..3 {
        assert_eq!(stdout(&run(dir.path(), &["check", "."])), stdout(&human));
    }
}

#[test]
fn explicit_arguments_keep_their_order() {
    let dir = temp();
    write(dir.path(), "b.note", ERROR);
    write(dir.path(), "a.note", ERROR);
    let output = run(
        dir.path(),
        &["check", "--format", "json", "b.note", "a.note"],
    );
    let paths: Vec<String> = findings(&json(&output))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(paths, ["b.note", "a.note"]);
}

// ------------------------------------------------------------------------------- rules, explain

#[test]
fn rules_lists_every_rule_id_with_its_severity() {
    let dir = temp();
    let output = run(dir.path(), &["rules"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    let pack = RulePack::embedded();
    assert_eq!(text.lines().count(), pack.rules.len(), "{text}");
    for rule in &pack.rules {
        let line = text
            .lines()
            .find(|line| line.split_whitespace().next() == Some(rule.id.as_str()))
            .unwrap_or_else(|| panic!("`noteplate rules` does not list {}", rule.id));
        assert!(line.contains(rule.severity.as_str()), "{line}");
    }
}

#[test]
fn rules_markdown_prints_the_generated_docs() {
    let dir = temp();
    let output = run(dir.path(), &["rules", "--markdown"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        noteplate::cli::rules_markdown(&RulePack::embedded())
    );
}

#[test]
fn explain_prints_the_rule_docs() {
    let dir = temp();
    let output = run(dir.path(), &["explain", "missing-response"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    let pack = RulePack::embedded();
    let rule = pack.rule(RuleId::MissingResponse).unwrap();
    assert!(text.starts_with("## `missing-response`"), "{text}");
    assert!(text.contains("Default severity: **error**"), "{text}");
    assert!(text.contains(rule.summary.trim()), "{text}");
    assert!(text.contains(rule.explanation.trim()), "{text}");
    assert!(text.contains(rule.bad.trim_end()), "{text}");
    assert!(text.contains(rule.good.trim_end()), "{text}");
}

#[test]
fn explain_unknown_rule_exits_2_with_did_you_mean() {
    let dir = temp();
    let output = run(dir.path(), &["explain", "no-such-rule"]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).is_empty());
    let message = stderr(&output);
    assert!(message.contains("no-such-rule"), "{message}");
    assert!(message.contains("noteplate rules"), "{message}");

    let output = run(dir.path(), &["explain", "missing-respons"]);
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(
        message.contains("Did you mean `missing-response`?"),
        "{message}"
    );

    let output = run(dir.path(), &["explain", "unknown-tecnique"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("Did you mean `unknown-technique`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn files_over_max_file_size_are_reported_not_analysed() {
    let dir = temp();
    write(dir.path(), "noteplate.toml", "max-file-size = 10\n");
    write(dir.path(), "big.note", "## Response\n{broken\n");
    let output = run(dir.path(), &["check", "--format", "json", "big.note"]);
    let report = json(&output);
    assert_eq!(
        findings(&report),
        vec![("big.note".to_string(), "file-too-large".to_string())]
    );
    assert_eq!(
        code(&output),
        0,
        "file-too-large is a warning: {}",
        stderr(&output)
    );
}
