//! `@include` fragments (docs/fragments.md): paths relative to the including file, the project
//! root and `include-roots`, symlinks, cycles, the `include-*` rules, and fragment sections
//! counting toward the including template's required sections.

mod support;

use std::path::Path;
use support::*;

use noteplate::analysis::{self, IncludeOutcome, Settings};
use noteplate::config::{ProjectConfig, Resolver};
use serde_json::Value;

// ------------------------------------------------------------------------------------ helpers

/// (rule, line) pairs reported for `path`.
fn at(findings: &[(String, String, u64, String)], path: &str) -> Vec<(String, u64)> {
    findings
        .iter()
        .filter(|f| f.0 == path)
        .map(|f| (f.1.clone(), f.2))
        .collect()
}

fn pair(rule: &str, line: u64) -> (String, u64) {
    (rule.to_string(), line)
}

/// A visit for 97140 whose Response section comes from a fragment (line 12).
const VISIT: &str = "---
template: Manual therapy visit
codes: 97140-GP
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}

@include ../shared/response.note

## Time
Total timed-code minutes: {{timed_minutes:minutes}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

const RESPONSE: &str = "## Response
Tolerated {well|with mild soreness}; pain {{pain_after:number}}/10 after.
";

/// A template that only includes things: the include lines are lines 1, 2, ...
fn includes(paths: &[&str]) -> String {
    paths
        .iter()
        .map(|path| format!("@include {path}\n"))
        .collect()
}

// ----------------------------------------------------------------- sections from fragments

#[test]
fn a_fragments_response_section_satisfies_missing_response() {
    let dir = repo();
    write(dir.path(), "templates/visit.note", VISIT);
    write(dir.path(), "shared/response.note", RESPONSE);
    let (exit, findings) = check_json(dir.path(), &["templates/visit.note"]);
    assert!(
        at(&findings, "templates/visit.note").is_empty(),
        "{findings:?}"
    );
    assert_eq!(exit, 0);
}

#[test]
fn without_the_fragment_the_section_is_missing() {
    let dir = repo();
    write(dir.path(), "templates/visit.note", VISIT);
    write(dir.path(), "shared/response.note", "## Plan\n***\n");
    let (exit, findings) = check_json(dir.path(), &["templates/visit.note"]);
    assert!(
        at(&findings, "templates/visit.note").contains(&pair("missing-response", 3)),
        "{findings:?}"
    );
    assert_eq!(exit, 1);
}

#[test]
fn the_resolver_reports_the_kinds_a_fragment_provides() {
    let dir = repo();
    write(dir.path(), "templates/visit.note", VISIT);
    write(dir.path(), "shared/response.note", RESPONSE);
    let path = dir.path().join("templates/visit.note");
    let config = Resolver::new(None, false).for_file(&path).unwrap();
    let parse = noteplate::syntax::parse(VISIT);
    let resolved =
        noteplate::fragments::resolve(&path, VISIT, &parse, &config, &Default::default());
    assert_eq!(resolved.items.len(), 1);
    match &resolved.items[0].outcome {
        IncludeOutcome::Found {
            kinds,
            errors,
            warnings,
            ..
        } => {
            assert_eq!(kinds, &["response".to_string()]);
            assert_eq!((*errors, *warnings), (0, 0));
        }
        other => panic!("expected the fragment to be found: {other:?}"),
    }
    assert_eq!(
        resolved.items[0].span.text(VISIT),
        "../shared/response.note"
    );
    // With the includes resolved, the include line itself is not a finding.
    let input = analysis::Input {
        includes: &resolved,
        ..analysis::Input::new(VISIT, &config.pack, &config.settings)
    };
    let diagnostics =
        analysis::with_thread_memo(|memo| analysis::analyze(input, parse, memo)).diagnostics;
    assert!(
        diagnostics
            .iter()
            .all(|d| !d.rule.as_str().starts_with("include-")),
        "{diagnostics:?}"
    );
}

#[test]
fn nested_fragments_resolve_relative_to_the_fragment_and_count() {
    let dir = repo();
    write(
        dir.path(),
        "templates/visit.note",
        VISIT.replace("../shared/response.note", "../shared/outcome.note"),
    );
    // outcome.note includes parts/response.note, relative to itself.
    write(
        dir.path(),
        "shared/outcome.note",
        "@include parts/response.note\n",
    );
    write(dir.path(), "shared/parts/response.note", RESPONSE);
    let (_, findings) = check_json(dir.path(), &["templates/visit.note"]);
    assert!(
        at(&findings, "templates/visit.note").is_empty(),
        "{findings:?}"
    );
}

#[test]
fn nested_fragments_resolve_relative_to_the_fragment() {
    let dir = repo();
    write(
        dir.path(),
        "templates/t.note",
        includes(&["../shared/outcome.note"]),
    );
    write(
        dir.path(),
        "shared/outcome.note",
        "@include parts/response.note\n",
    );
    write(dir.path(), "shared/parts/response.note", RESPONSE);
    let (_, findings) = check_json(dir.path(), &["templates/t.note"]);
    assert!(at(&findings, "templates/t.note").is_empty(), "{findings:?}");
    // Checked from another working folder, the paths still resolve against the files.
    let (_, findings) = check_json(&dir.path().join("shared"), &["../templates/t.note"]);
    assert!(findings.is_empty(), "{findings:?}");
}

// ----------------------------------------------------------------------- the include rules

#[test]
fn a_missing_file_is_include_not_found_on_its_line() {
    let dir = repo();
    write(
        dir.path(),
        "t.note",
        format!("## Plan\n***\n{}", includes(&["shared/nope.note"])),
    );
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-not-found", 3)]);
    assert!(
        findings[0].3.contains("shared/nope.note"),
        "{}",
        findings[0].3
    );
}

#[test]
fn a_folder_is_not_a_fragment() {
    let dir = repo();
    write(dir.path(), "shared/x.note", RESPONSE);
    write(dir.path(), "t.note", includes(&["shared"]));
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-not-found", 1)]);
}

#[test]
fn a_path_outside_the_root_is_include_outside_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("project/.git")).unwrap();
    write(dir.path(), "outside.note", RESPONSE);
    write(dir.path(), "project/t.note", includes(&["../outside.note"]));
    let (_, findings) = check_json(&dir.path().join("project"), &["t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-outside-root", 1)]);
    // Not read: an outside file's sections and findings do not count.
    assert!(findings[0].3.contains("include-roots"), "{}", findings[0].3);
}

#[test]
fn an_absolute_path_outside_the_root_is_include_outside_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("project/.git")).unwrap();
    write(dir.path(), "outside.note", RESPONSE);
    let absolute = dir.path().join("outside.note");
    write(
        dir.path(),
        "project/t.note",
        includes(&[absolute.to_str().unwrap()]),
    );
    let (_, findings) = check_json(&dir.path().join("project"), &["t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-outside-root", 1)]);
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_outside_the_root_is_include_outside_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("project/.git")).unwrap();
    std::fs::create_dir_all(dir.path().join("project/shared")).unwrap();
    write(dir.path(), "elsewhere/response.note", RESPONSE);
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere/response.note"),
        dir.path().join("project/shared/response.note"),
    )
    .unwrap();
    // A symlinked folder is caught too.
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere"),
        dir.path().join("project/linked"),
    )
    .unwrap();
    // A symlink that stays inside the root is fine.
    write(dir.path(), "project/real/plan.note", "## Plan\n***\n");
    std::os::unix::fs::symlink(
        dir.path().join("project/real/plan.note"),
        dir.path().join("project/shared/plan.note"),
    )
    .unwrap();
    write(
        dir.path(),
        "project/t.note",
        includes(&[
            "shared/response.note",
            "linked/response.note",
            "shared/plan.note",
        ]),
    );
    let (_, findings) = check_json(&dir.path().join("project"), &["t.note"]);
    assert_eq!(
        at(&findings, "t.note"),
        [
            pair("include-outside-root", 1),
            pair("include-outside-root", 2)
        ]
    );
}

#[test]
fn a_cycle_is_reported_without_hanging() {
    let dir = repo();
    write(
        dir.path(),
        "a.note",
        format!("## Plan\n***\n{}", includes(&["b.note"])),
    );
    write(
        dir.path(),
        "b.note",
        format!("## Goals\n***\n{}", includes(&["a.note"])),
    );
    write(dir.path(), "self.note", includes(&["self.note"]));
    let (exit, findings) = check_json(dir.path(), &["a.note", "b.note", "self.note"]);
    assert_ne!(exit, 2, "a cycle is a finding, not a crash: {findings:?}");
    // A file including itself: include-cycle on that line.
    assert_eq!(at(&findings, "self.note"), [pair("include-cycle", 1)]);
    // a -> b -> a: each file's include line reports the cycle (as include-cycle, or as the
    // summary of the fragment that closes it), naming include-cycle either way.
    for file in ["a.note", "b.note"] {
        let on_line_3: Vec<_> = findings
            .iter()
            .filter(|f| f.0 == file && f.2 == 3)
            .collect();
        assert_eq!(on_line_3.len(), 1, "{findings:?}");
        let (_, rule, _, message) = on_line_3[0];
        assert!(
            rule == "include-cycle"
                || (rule == "include-findings" && message.contains("include-cycle")),
            "{file}: {rule}: {message}"
        );
    }
}

#[test]
fn a_longer_cycle_terminates() {
    let dir = repo();
    write(dir.path(), "a.note", includes(&["b.note"]));
    write(dir.path(), "b.note", includes(&["c.note", "a.note"]));
    write(dir.path(), "c.note", includes(&["a.note", "b.note"]));
    let (exit, findings) = check_json(dir.path(), &["."]);
    assert_ne!(exit, 2, "{findings:?}");
}

#[test]
fn a_diamond_is_not_a_cycle() {
    let dir = repo();
    // t includes x and y; both include z. z is read twice but there is no cycle.
    write(dir.path(), "t.note", includes(&["x.note", "y.note"]));
    write(dir.path(), "x.note", includes(&["z.note"]));
    write(dir.path(), "y.note", includes(&["z.note"]));
    write(dir.path(), "z.note", "## Plan\n***\n");
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn fragment_findings_are_summarised_on_the_include_line() {
    let dir = repo();
    write(
        dir.path(),
        "templates/t.note",
        format!(
            "## Plan\n***\n\n{}",
            includes(&["../shared/bad.note", "../shared/good.note"])
        ),
    );
    write(
        dir.path(),
        "shared/bad.note",
        "## Response\nPain {{pain:nubmer}}/10; {well}\n",
    );
    write(dir.path(), "shared/good.note", RESPONSE);
    let (_, findings) = check_json(dir.path(), &["templates/t.note"]);
    // One summary, on the include line of the fragment that has findings; none of the fragment's
    // own findings appear in the including template.
    assert_eq!(
        at(&findings, "templates/t.note"),
        [pair("include-findings", 4)]
    );
    let message = &findings[0].3;
    assert!(message.contains("1 error(s)"), "{message}");
    assert!(message.contains("unknown-field-type"), "{message}");

    // Checked on its own, the fragment reports them in full.
    let (_, findings) = check_json(dir.path(), &["shared/bad.note"]);
    let rules: Vec<String> = findings.iter().map(|f| f.1.clone()).collect();
    assert!(
        rules.contains(&"unknown-field-type".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"single-option-choice".to_string()),
        "{rules:?}"
    );
}

#[test]
fn include_findings_can_be_suppressed_like_any_rule() {
    let dir = repo();
    write(
        dir.path(),
        "t.note",
        "<!-- noteplate-disable-next-line include-findings -- fixed upstream -->\n@include bad.note\n",
    );
    write(dir.path(), "bad.note", "## Response\n{{pain:nubmer}}\n");
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    if noteplate::rulepack::RulePack::embedded()
        .rule(noteplate::rulepack::RuleId::IncludeFindings)
        .is_some()
    {
        assert!(at(&findings, "t.note").is_empty(), "{findings:?}");
    } else {
        // Until rulepack/rules.toml documents the rule, the id is reported as unknown (but the
        // summary is suppressed all the same).
        assert_eq!(at(&findings, "t.note"), [pair("unused-suppression", 1)]);
    }
}

// -------------------------------------------------------------- project root, include-roots

#[test]
fn include_roots_allow_a_shared_folder() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    std::fs::create_dir_all(top.join("clinic/.git")).unwrap();
    write(top, "shared-fragments/plan.note", "## Plan\n***\n");
    write(top, "elsewhere/plan.note", "## Plan\n***\n");
    write(
        top,
        "clinic/templates/t.note",
        includes(&[
            "../../shared-fragments/plan.note",
            "../../elsewhere/plan.note",
        ]),
    );
    let clinic = top.join("clinic");
    let (_, before) = check_json(&clinic, &["templates/t.note"]);
    assert_eq!(
        at(&before, "templates/t.note"),
        [
            pair("include-outside-root", 1),
            pair("include-outside-root", 2)
        ]
    );

    // include-roots is relative to the configuration file.
    write(
        top,
        "clinic/noteplate.toml",
        "include-roots = [\"../shared-fragments\"]\n",
    );
    let (_, after) = check_json(&clinic, &["templates/t.note"]);
    assert_eq!(
        at(&after, "templates/t.note"),
        [pair("include-outside-root", 2)]
    );

    let config = Resolver::new(None, false)
        .for_file(&clinic.join("templates/t.note"))
        .unwrap();
    assert_eq!(config.include_roots.len(), 1);
    assert!(config.include_roots[0].ends_with("shared-fragments"));
}

#[test]
fn project_root_is_the_closest_config_folder() {
    let dir = repo();
    // The config in `clinic/` makes `clinic/` the root, even inside a larger repository.
    write(dir.path(), "clinic/noteplate.toml", "");
    write(dir.path(), "common/plan.note", "## Plan\n***\n");
    write(
        dir.path(),
        "clinic/t.note",
        includes(&["../common/plan.note"]),
    );
    write(
        dir.path(),
        "other/t.note",
        includes(&["../common/plan.note"]),
    );
    let (_, findings) = check_json(dir.path(), &["clinic/t.note", "other/t.note"]);
    assert_eq!(
        at(&findings, "clinic/t.note"),
        [pair("include-outside-root", 1)]
    );
    // Without a config file, the repository root is the root.
    assert!(at(&findings, "other/t.note").is_empty(), "{findings:?}");
}

#[test]
fn without_config_or_repository_the_templates_folder_is_the_root() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "common/plan.note", "## Plan\n***\n");
    write(
        dir.path(),
        "templates/t.note",
        includes(&["../common/plan.note"]),
    );
    write(
        dir.path(),
        "templates/u.note",
        includes(&["parts/plan.note"]),
    );
    write(dir.path(), "templates/parts/plan.note", "## Plan\n***\n");
    let (_, findings) = check_json(dir.path(), &["templates/t.note", "templates/u.note"]);
    assert_eq!(
        at(&findings, "templates/t.note"),
        [pair("include-outside-root", 1)]
    );
    assert!(at(&findings, "templates/u.note").is_empty(), "{findings:?}");
}

#[test]
fn the_library_resolves_against_the_root_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/plan.note", "## Plan\n***\n");
    let text = includes(&["../a/plan.note"]);
    write(dir.path(), "b/t.note", &text);
    let parse = noteplate::syntax::parse(&text);
    let path = dir.path().join("b/t.note");

    let narrow = ProjectConfig::defaults(dir.path().join("b"));
    let resolved =
        noteplate::fragments::resolve(&path, &text, &parse, &narrow, &Default::default());
    assert!(matches!(
        resolved.items[0].outcome,
        IncludeOutcome::OutsideRoot(_)
    ));

    let wide = ProjectConfig::defaults(dir.path().to_path_buf());
    let resolved = noteplate::fragments::resolve(&path, &text, &parse, &wide, &Default::default());
    assert!(matches!(
        resolved.items[0].outcome,
        IncludeOutcome::Found { .. }
    ));
    let settings = Settings::default();
    let input = analysis::Input {
        includes: &resolved,
        ..analysis::Input::new(&text, &wide.pack, &settings)
    };
    let diagnostics =
        analysis::with_thread_memo(|memo| analysis::analyze(input, parse, memo)).diagnostics;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

// ------------------------------ regressions, and suspected bugs in src (ignored until fixed)

#[test]
fn a_bare_config_file_name_still_confines_includes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("project/.git")).unwrap();
    write(dir.path(), "outside.note", RESPONSE);
    write(dir.path(), "project/ci.toml", "");
    write(dir.path(), "project/t.note", includes(&["../outside.note"]));
    let project = dir.path().join("project");
    let (_, findings) = check_json(&project, &["--config", "./ci.toml", "t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-outside-root", 1)]);
    let (_, findings) = check_json(&project, &["--config", "ci.toml", "t.note"]);
    assert_eq!(at(&findings, "t.note"), [pair("include-outside-root", 1)]);
}

#[test]
fn a_fragment_is_not_a_daily_note_of_its_own() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "payer = \"medicare\"\n");
    write(
        dir.path(),
        "shared/plan.note",
        "## Plan\nContinue plan of care.\n",
    );
    write(dir.path(), "t.note", includes(&["shared/plan.note"]));
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    // missing-date / missing-signature of the fragment must not be summarised at the include.
    assert!(
        !at(&findings, "t.note").contains(&pair("include-findings", 1)),
        "{findings:?}"
    );
}

#[test]
fn stdin_with_a_file_name_resolves_includes() {
    let dir = repo();
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "t.note",
            "-",
        ],
        includes(&["missing.note"]).as_bytes(),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["include-not-found"]);
}

// ---------------------------------------------------------------------- docs/fragments.md

fn fragments_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fragments.md");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn the_docs_describe_every_include_rule() {
    let docs = fragments_md();
    for rule in [
        "include-not-found",
        "include-outside-root",
        "include-cycle",
        "include-findings",
        "include-roots",
    ] {
        assert!(
            docs.contains(&format!("`{rule}`")),
            "docs/fragments.md lacks `{rule}`"
        );
    }
}

/// The opening example of docs/fragments.md: a template and `shared/response.note`.
fn docs_example(dir: &Path) {
    let blocks = fenced_blocks(&fragments_md(), "note");
    assert!(blocks.len() >= 2);
    assert!(
        blocks[0].contains("@include ../shared/response.note"),
        "{}",
        blocks[0]
    );
    write(dir, "templates/visit.note", &blocks[0]);
    write(dir, "shared/response.note", &blocks[1]);
}

#[test]
fn the_docs_example_resolves_its_include() {
    let dir = repo();
    docs_example(dir.path());
    let (_, findings) = check_json(
        dir.path(),
        &["templates/visit.note", "shared/response.note"],
    );
    assert!(
        findings.iter().all(|f| !f.1.starts_with("include-")),
        "{findings:?}"
    );
    assert!(
        at(&findings, "shared/response.note").is_empty(),
        "{findings:?}"
    );
}

#[test]
fn the_docs_example_is_clean() {
    let dir = repo();
    docs_example(dir.path());
    let (exit, findings) = check_json(dir.path(), &["templates/visit.note"]);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(exit, 0);
}

#[test]
fn a_two_file_cycle_fails_the_check() {
    let dir = repo();
    write(
        dir.path(),
        "a.note",
        format!("## Plan\n***\n{}", includes(&["b.note"])),
    );
    write(
        dir.path(),
        "b.note",
        format!("## Goals\n***\n{}", includes(&["a.note"])),
    );
    let (exit, findings) = check_json(dir.path(), &["."]);
    assert!(
        at(&findings, "a.note").contains(&pair("include-cycle", 3)),
        "{findings:?}"
    );
    assert!(
        at(&findings, "b.note").contains(&pair("include-cycle", 3)),
        "{findings:?}"
    );
    assert_eq!(exit, 1, "include-cycle is an error");
}
