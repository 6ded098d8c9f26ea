//! Project configuration (`noteplate.toml`) as users meet it: discovery (closest file wins,
//! stopping at a repository root), `extend`, `--config`, `--isolated`, what each key changes in
//! the findings, `noteplate config`, and errors that name `file:line:column` and exit 2.
//! See docs/configuration.md.

mod support;

use std::path::Path;
use support::*;

use noteplate::config::Resolver;
use noteplate::rulepack::{RuleId, Severity};
use serde_json::Value;

// ------------------------------------------------------------------------------------ helpers

/// `check --format json` in `dir`; returns (exit code, [(path, rule, line)]).
fn check(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, u64)>) {
    let (code, findings) = check_json(dir, args);
    let findings = findings
        .into_iter()
        .map(|(path, rule, line, _)| (path, rule, line))
        .collect();
    (code, findings)
}

/// The rules reported for `path`, sorted, without duplicates.
fn rules_for(findings: &[(String, String, u64)], path: &str) -> Vec<String> {
    let mut rules: Vec<String> = findings
        .iter()
        .filter(|(p, _, _)| p == path)
        .map(|(_, rule, _)| rule.clone())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

fn has(findings: &[(String, String, u64)], path: &str, rule: &str) -> bool {
    findings.iter().any(|(p, r, _)| p == path && r == rule)
}

/// Triggers exactly three warnings, one per rule, so a configuration's effect is easy to see:
/// `unknown-front-matter-key` (line 3), `unknown-code` (line 4), `unknown-technique` (line 8).
const THREE_WARNINGS: &str = "---
template: Three warnings
paywer: medicare
codes: X1234
---

## Technique
- {rib mobilization|soft tissue mobilization}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

const KEY: &str = "unknown-front-matter-key";
const CODE: &str = "unknown-code";
const TECHNIQUE: &str = "unknown-technique";

fn id(rule: &str) -> RuleId {
    rule.parse().expect("a rule id")
}

fn disabling(rule: &str) -> String {
    format!("[rules]\ndisable = [\"{rule}\"]\n")
}

// ---------------------------------------------------------------------------------- discovery

#[test]
fn closest_configuration_wins_across_three_levels() {
    let dir = repo();
    let root = dir.path();
    write(root, "noteplate.toml", disabling(CODE));
    write(root, "a/.noteplate.toml", disabling(KEY));
    write(root, "a/b/noteplate.toml", disabling(TECHNIQUE));
    for template in ["t.note", "a/t.note", "a/b/t.note", "a/b/c/t.note"] {
        write(root, template, THREE_WARNINGS);
    }
    let (exit, findings) = check(root, &["."]);
    assert_eq!(exit, 0, "{findings:?}");
    // Each file gets exactly the closest configuration: the others are not merged in.
    assert_eq!(rules_for(&findings, "t.note"), [KEY, TECHNIQUE]);
    assert_eq!(rules_for(&findings, "a/t.note"), [CODE, TECHNIQUE]);
    assert_eq!(rules_for(&findings, "a/b/t.note"), [CODE, KEY]);
    // A folder without a file of its own uses the closest one above it.
    assert_eq!(rules_for(&findings, "a/b/c/t.note"), [CODE, KEY]);

    // The library resolves the same files.
    let resolver = Resolver::new(None, false);
    let config = resolver.for_file(&root.join("a/b/c/t.note")).unwrap();
    assert_eq!(config.files.len(), 1);
    assert!(
        config.files[0].ends_with("a/b/noteplate.toml"),
        "{:?}",
        config.files
    );
    assert!(config.settings.disabled_rules.contains(&id(TECHNIQUE)));
    assert!(!config.settings.disabled_rules.contains(&id(CODE)));
    let config = resolver.for_file(&root.join("a/t.note")).unwrap();
    assert!(
        config.files[0].ends_with("a/.noteplate.toml"),
        "{:?}",
        config.files
    );
}

#[test]
fn noteplate_toml_is_preferred_over_dot_noteplate_toml_in_one_folder() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", disabling(CODE));
    write(dir.path(), ".noteplate.toml", disabling(KEY));
    write(dir.path(), "t.note", THREE_WARNINGS);
    let (_, findings) = check(dir.path(), &["t.note"]);
    assert_eq!(rules_for(&findings, "t.note"), [KEY, TECHNIQUE]);
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let dir = temp();
    let outer = dir.path();
    // Above the repository: must not apply inside it.
    write(outer, "noteplate.toml", disabling(CODE));
    std::fs::create_dir_all(outer.join("repo/.git")).unwrap();
    write(outer, "repo/templates/t.note", THREE_WARNINGS);
    // Not a repository: the configuration above applies.
    write(outer, "plain/templates/t.note", THREE_WARNINGS);

    let (_, findings) = check(outer, &["repo", "plain"]);
    assert_eq!(
        rules_for(&findings, "repo/templates/t.note"),
        [CODE, KEY, TECHNIQUE]
    );
    assert_eq!(
        rules_for(&findings, "plain/templates/t.note"),
        [KEY, TECHNIQUE]
    );

    // The repository root (not the template's folder) is the project root for @include.
    let config = Resolver::new(None, false)
        .for_file(&outer.join("repo/templates/t.note"))
        .unwrap();
    assert!(config.files.is_empty(), "{:?}", config.files);
    assert_eq!(
        config.root.canonicalize().unwrap(),
        outer.join("repo").canonicalize().unwrap()
    );
}

#[test]
fn stdin_filename_decides_where_configuration_is_looked_up() {
    let dir = repo();
    write(dir.path(), "sub/noteplate.toml", disabling(TECHNIQUE));
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "sub/new.note",
            "-",
        ],
        THREE_WARNINGS.as_bytes(),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&TECHNIQUE), "{rules:?}");
    assert!(rules.contains(&CODE), "{rules:?}");
}

// ------------------------------------------------------------------------------------- extend

const BASE: &str = r#"payer = "medicare"

[rules]
disable = ["unknown-code"]
severity = { unknown-technique = "error", unknown-front-matter-key = "info" }
"#;

const CHILD: &str = r#"extend = "../shared/base.toml"
payer = "commercial"

[rules]
disable = ["conflicting-field-type"]
severity = { unknown-technique = "hint" }
"#;

#[test]
fn extend_inherits_and_overrides() {
    let dir = repo();
    write(dir.path(), "shared/base.toml", BASE);
    write(dir.path(), "clinic/noteplate.toml", CHILD);
    let config = Resolver::new(None, false)
        .for_file(&dir.path().join("clinic/t.note"))
        .unwrap();
    // payer: the child's value replaces the parent's.
    assert_eq!(config.settings.default_payer.as_deref(), Some("commercial"));
    // rules.disable: both lists apply.
    assert!(
        config
            .settings
            .disabled_rules
            .contains(&RuleId::UnknownCode)
    );
    assert!(
        config
            .settings
            .disabled_rules
            .contains(&RuleId::ConflictingFieldType)
    );
    // rules.severity: merged per rule, the child winning where both set one.
    assert_eq!(
        config
            .settings
            .severity_overrides
            .get(&RuleId::UnknownTechnique),
        Some(&Severity::Hint)
    );
    assert_eq!(
        config
            .settings
            .severity_overrides
            .get(&RuleId::UnknownFrontMatterKey),
        Some(&Severity::Info)
    );
    // Closest first.
    assert_eq!(config.files.len(), 2);
    assert!(config.files[0].ends_with("clinic/noteplate.toml"));
    assert!(config.files[1].ends_with("shared/base.toml"));
    // The closest file's folder is the project root, even though the parent lives elsewhere.
    assert_eq!(
        config.root.canonicalize().unwrap(),
        dir.path().join("clinic").canonicalize().unwrap()
    );

    // The same through the binary.
    write(dir.path(), "clinic/t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "--format", "json", "clinic/t.note"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let severities: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        severities.contains(&(TECHNIQUE.into(), "hint".into())),
        "{severities:?}"
    );
    assert!(
        severities.contains(&(KEY.into(), "info".into())),
        "{severities:?}"
    );
    assert!(
        !severities.iter().any(|(rule, _)| rule == CODE),
        "{severities:?}"
    );
}

#[test]
fn payer_from_configuration_applies_to_templates_without_payer() {
    let dir = repo();
    write(dir.path(), "shared/base.toml", BASE);
    write(
        dir.path(),
        "medicare/noteplate.toml",
        "extend = \"../shared/base.toml\"\n",
    );
    write(dir.path(), "clinic/noteplate.toml", CHILD);
    // 97140 without a therapy modifier: Medicare wants GP/GO/GN, commercial payers do not.
    let template = "---
template: Modifier
codes: 97140
type: evaluation
---

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    write(dir.path(), "medicare/t.note", template);
    write(dir.path(), "clinic/t.note", template);
    let (_, findings) = check(dir.path(), &["medicare/t.note", "clinic/t.note"]);
    assert!(
        has(&findings, "medicare/t.note", "missing-therapy-modifier"),
        "{findings:?}"
    );
    assert!(
        !has(&findings, "clinic/t.note", "missing-therapy-modifier"),
        "{findings:?}"
    );
    // The template's own `payer:` wins over the configuration.
    write(
        dir.path(),
        "clinic/own.note",
        template.replace("type: evaluation", "type: evaluation\npayer: medicare"),
    );
    let (_, findings) = check(dir.path(), &["clinic/own.note"]);
    assert!(
        has(&findings, "clinic/own.note", "missing-therapy-modifier"),
        "{findings:?}"
    );
}

#[test]
fn extend_lists_of_techniques_and_codes_merge_item_by_item() {
    let dir = repo();
    write(
        dir.path(),
        "base.toml",
        r#"
[[technique]]
name = "rib mobilization"
description = "Mobilization of the costovertebral joints."
code = "97140"
billing = "manual-therapy"

[[code]]
code = "X1234"
summary = "In-house code"
timed = false
requires = ["necessity"]
"#,
    );
    write(
        dir.path(),
        "noteplate.toml",
        r#"extend = "base.toml"

[[code]]
code = "X1234"
summary = "In-house code, redefined"
timed = false
requires = ["response"]
"#,
    );
    write(dir.path(), "t.note", THREE_WARNINGS);
    let (_, findings) = check(dir.path(), &["t.note"]);
    // The parent's technique is kept ...
    assert!(!has(&findings, "t.note", TECHNIQUE), "{findings:?}");
    // ... and the child's code replaced the parent's code with the same number.
    assert!(!has(&findings, "t.note", CODE), "{findings:?}");
    assert!(has(&findings, "t.note", "missing-response"), "{findings:?}");
    assert!(
        !has(&findings, "t.note", "missing-necessity"),
        "{findings:?}"
    );
}

// ------------------------------------------------------------------------ --config, --isolated

#[test]
fn explicit_config_is_used_for_every_file_instead_of_discovery() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", disabling(CODE));
    write(dir.path(), "sub/noteplate.toml", disabling(KEY));
    write(dir.path(), "ci/strict.toml", disabling(TECHNIQUE));
    write(dir.path(), "t.note", THREE_WARNINGS);
    write(dir.path(), "sub/t.note", THREE_WARNINGS);
    let (_, findings) = check(
        dir.path(),
        &["--config", "ci/strict.toml", "t.note", "sub/t.note"],
    );
    assert_eq!(rules_for(&findings, "t.note"), [CODE, KEY]);
    assert_eq!(rules_for(&findings, "sub/t.note"), [CODE, KEY]);
}

#[test]
fn explicit_config_that_does_not_exist_exits_2() {
    let dir = repo();
    write(dir.path(), "t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "--config", "nope.toml", "t.note"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("nope.toml"), "{}", stderr(&output));
}

#[test]
fn isolated_ignores_configuration_files_even_broken_ones() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", disabling(CODE));
    write(dir.path(), "t.note", THREE_WARNINGS);
    let (_, findings) = check(dir.path(), &["--isolated", "t.note"]);
    assert_eq!(rules_for(&findings, "t.note"), [CODE, KEY, TECHNIQUE]);

    write(dir.path(), "noteplate.toml", "this is not toml\n");
    let (exit, findings) = check(dir.path(), &["--isolated", "t.note"]);
    assert_eq!(exit, 0);
    assert_eq!(rules_for(&findings, "t.note"), [CODE, KEY, TECHNIQUE]);
}

#[test]
fn config_and_isolated_together_are_a_usage_error() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "");
    write(dir.path(), "t.note", THREE_WARNINGS);
    let output = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--config",
            "noteplate.toml",
            "t.note",
        ],
    );
    assert_eq!(code(&output), 2);
}

// ------------------------------------------------------------------- what each key changes

#[test]
fn aliases_make_a_custom_heading_count() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "[sections.aliases]\nnecessity = [\"Why we treat\"]\nresponse = [\"How it went\"]\n",
    );
    write(
        dir.path(),
        "t.note",
        "---
template: Aliases
codes: 97140-GP
---

## WHY WE TREAT:
Skilled care is needed for {{impairment}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}

## How it went
Pain {{pain_after:number}}/10, {better|same|worse} than last visit.

## Time
Total timed-code minutes: {{timed_minutes:minutes}}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
",
    );
    let (_, with) = check(dir.path(), &["t.note"]);
    assert!(!has(&with, "t.note", "missing-necessity"), "{with:?}");
    assert!(!has(&with, "t.note", "missing-response"), "{with:?}");
    let (_, without) = check(dir.path(), &["--isolated", "t.note"]);
    assert!(has(&without, "t.note", "missing-necessity"), "{without:?}");
    assert!(has(&without, "t.note", "missing-response"), "{without:?}");
}

#[test]
fn a_custom_technique_stops_unknown_technique() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        r#"[[technique]]
name = "rib mobilization"
abbreviations = ["RM"]
synonyms = ["costal mobilization"]
description = "Mobilization of the costovertebral joints."
code = "97140"
billing = "manual-therapy"
"#,
    );
    write(
        dir.path(),
        "t.note",
        "---
template: Techniques
---

## Technique
- {rib mobilization|RM|costal mobilization|tendon mobilization}

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
",
    );
    let (_, with) = check(dir.path(), &["t.note"]);
    let unknown: Vec<_> = with.iter().filter(|(_, r, _)| r == TECHNIQUE).collect();
    // Only the technique that is still unknown is reported.
    assert_eq!(unknown.len(), 1, "{with:?}");
    let (_, without) = check(dir.path(), &["--isolated", "t.note"]);
    let unknown = without.iter().filter(|(_, r, _)| r == TECHNIQUE).count();
    assert!(unknown >= 2, "{without:?}");
}

#[test]
fn a_custom_code_stops_unknown_code_and_brings_its_requirements() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        r#"[[code]]
code = "X1234"
summary = "In-house manual therapy code"
timed = true
requires = ["necessity", "response"]
recommends = ["goals"]
"#,
    );
    write(
        dir.path(),
        "t.note",
        "---
template: Custom code
codes: X1234
---

## Medical necessity
Skilled care is needed for {{impairment}}.

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
",
    );
    let (exit, with) = check(dir.path(), &["t.note"]);
    assert!(!has(&with, "t.note", CODE), "{with:?}");
    assert!(has(&with, "t.note", "missing-response"), "{with:?}");
    assert!(has(&with, "t.note", "missing-goals"), "{with:?}");
    assert!(!has(&with, "t.note", "missing-necessity"), "{with:?}");
    // The requirement is reported at the code in the front matter, as for built-in codes.
    assert!(
        with.contains(&("t.note".into(), "missing-response".into(), 3)),
        "{with:?}"
    );
    assert_eq!(exit, 1, "a required section is an error");

    let (exit, without) = check(dir.path(), &["--isolated", "t.note"]);
    assert!(has(&without, "t.note", CODE), "{without:?}");
    assert!(!has(&without, "t.note", "missing-response"), "{without:?}");
    assert_eq!(exit, 0);
}

#[test]
fn severity_and_disable_change_the_exit_code() {
    let dir = repo();
    write(dir.path(), "t.note", THREE_WARNINGS);
    assert_eq!(check(dir.path(), &["t.note"]).0, 0);
    write(
        dir.path(),
        "noteplate.toml",
        "[rules]\nseverity = { unknown-code = \"error\" }\n",
    );
    assert_eq!(check(dir.path(), &["t.note"]).0, 1);
    write(
        dir.path(),
        "noteplate.toml",
        "[rules]\ndisable = [\"unknown-code\"]\nseverity = { unknown-code = \"error\" }\n",
    );
    assert_eq!(check(dir.path(), &["t.note"]).0, 0);
}

#[test]
fn max_file_size_reports_instead_of_analysing() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "max-file-size = 16\n");
    write(dir.path(), "big.note", THREE_WARNINGS);
    write(dir.path(), "small.note", "## Plan\n***\n");
    let (_, findings) = check(dir.path(), &["big.note", "small.note"]);
    assert_eq!(rules_for(&findings, "big.note"), ["file-too-large"]);
    assert!(findings.contains(&("big.note".into(), "file-too-large".into(), 1)));
    assert!(
        rules_for(&findings, "small.note").is_empty(),
        "{findings:?}"
    );
}

/// `file-too-large` and `invalid-utf8` are ordinary rules: the project's severity overrides and
/// `disable` apply to them (they once were built outside the analysis and skipped both).
#[test]
fn environment_findings_follow_the_rules_settings() {
    let dir = repo();
    write(dir.path(), "big.note", THREE_WARNINGS);
    std::fs::write(dir.path().join("latin1.note"), b"## Plan\n45\xb0 right\n").unwrap();
    let args = ["big.note", "latin1.note"];
    write(dir.path(), "noteplate.toml", "max-file-size = 64\n");
    let (exit, findings) = check(dir.path(), &args);
    assert_eq!(rules_for(&findings, "big.note"), ["file-too-large"]);
    assert_eq!(rules_for(&findings, "latin1.note"), ["invalid-utf8"]);
    assert_eq!(exit, 1, "invalid-utf8 is an error by default");
    let severities = |dir: &Path| {
        let output = run(dir, &["check", "--format", "json", args[0], args[1]]);
        let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
        let mut severities: Vec<(String, String)> = report["diagnostics"]
            .as_array()
            .expect("a diagnostics array")
            .iter()
            .map(|d| {
                let field = |name: &str| d[name].as_str().unwrap_or_default().to_string();
                (field("rule"), field("severity"))
            })
            .collect();
        severities.sort();
        (code(&output), severities)
    };
    write(
        dir.path(),
        "noteplate.toml",
        "max-file-size = 64\n[rules]\nseverity = { file-too-large = \"error\", invalid-utf8 = \"info\" }\n",
    );
    let (exit, found) = severities(dir.path());
    assert_eq!(
        found,
        [
            ("file-too-large".to_string(), "error".to_string()),
            ("invalid-utf8".to_string(), "info".to_string())
        ]
    );
    assert_eq!(exit, 1, "file-too-large raised to an error fails the check");
    write(
        dir.path(),
        "noteplate.toml",
        "max-file-size = 64\n[rules]\ndisable = [\"file-too-large\", \"invalid-utf8\"]\n",
    );
    let (exit, findings) = check(dir.path(), &args);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(exit, 0);
}

#[test]
fn schema_directive_comment_is_accepted() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "#:schema ./docs/noteplate.schema.json\n[rules]\ndisable = [\"unknown-code\"]\n",
    );
    write(dir.path(), "t.note", THREE_WARNINGS);
    let (exit, findings) = check(dir.path(), &["t.note"]);
    assert_eq!(exit, 0);
    assert_eq!(rules_for(&findings, "t.note"), [KEY, TECHNIQUE]);
}

// --------------------------------------------------------------------------- noteplate config

#[test]
fn config_command_prints_each_value_with_its_origin() {
    let dir = repo();
    write(dir.path(), "shared/base.toml", BASE);
    write(dir.path(), "clinic/noteplate.toml", CHILD);
    let output = run(dir.path(), &["config", "clinic"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let line_with = |needle: &str| {
        text.lines()
            .find(|line| line.starts_with(needle))
            .unwrap_or_else(|| panic!("no line starting with {needle:?} in:\n{text}"))
            .to_string()
    };
    assert!(
        line_with("payer = commercial").ends_with("clinic/noteplate.toml:2"),
        "{text}"
    );
    assert!(
        line_with("rules.disable = unknown-code").ends_with("shared/base.toml:4"),
        "{text}"
    );
    assert!(
        line_with("rules.disable = conflicting-field-type").ends_with("clinic/noteplate.toml:5"),
        "{text}"
    );
    assert!(
        line_with("rules.severity.unknown-technique = hint").ends_with("clinic/noteplate.toml:6"),
        "{text}"
    );
    assert!(
        line_with("max-file-size = 10485760").ends_with("# default"),
        "{text}"
    );

    let output = run(dir.path(), &["config", "--isolated", "clinic"]);
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output).contains("no configuration file applies"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn config_schema_is_json_with_every_key() {
    let dir = repo();
    let output = run(dir.path(), &["config", "--schema"]);
    assert_eq!(code(&output), 0);
    let schema: Value = serde_json::from_slice(&output.stdout).expect("the schema is JSON");
    let properties = schema["properties"].as_object().expect("properties");
    for key in [
        "extend",
        "payer",
        "rules",
        "sections",
        "technique",
        "code",
        "include-roots",
        "max-file-size",
    ] {
        assert!(properties.contains_key(key), "schema lacks `{key}`");
    }
    // docs/configuration.md points editors at the checked-in copy; it must match the binary.
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/noteplate.schema.json");
    let text = std::fs::read_to_string(&checked_in).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; generate it with `noteplate config --schema > docs/noteplate.schema.json`",
            checked_in.display()
        )
    });
    assert_eq!(
        text,
        stdout(&output),
        "docs/noteplate.schema.json is stale: run `noteplate config --schema > docs/noteplate.schema.json`"
    );
}

// ------------------------------------------------------------------------------ bad configs

/// Each kind of mistake: (what, file text, `line:column` expected, words the message has).
const BAD: &[(&str, &str, &str, &str)] = &[
    (
        "TOML syntax",
        "payer = \"medicare\"\n[rules\n",
        "2:7",
        "expected `]`",
    ),
    (
        "unknown key",
        "payer = \"medicare\"\npayr = \"medicare\"\n",
        "2:1",
        "unknown field `payr`",
    ),
    (
        "unknown key in a table",
        "[rules]\ndisabled = []\n",
        "2:1",
        "unknown field `disabled`",
    ),
    (
        "wrong type",
        "max-file-size = \"big\"\n",
        "1:17",
        "invalid type",
    ),
    (
        "unknown rule in disable",
        "[rules]\ndisable = [\"missing-tim\"]\n",
        "2:12",
        "did you mean `missing-time`?",
    ),
    (
        "unknown severity",
        "[rules]\nseverity = { missing-time = \"fatal\" }\n",
        "2:29",
        "unknown variant `fatal`",
    ),
    (
        "include root that is not a folder",
        "include-roots = [\".\", \"shraed\"]\n",
        "1:23",
        "include root `shraed` is not a folder",
    ),
    (
        "unknown rule in severity",
        "[rules]\nseverity = { missing-tme = \"error\" }\n",
        "2:14",
        "unknown rule `missing-tme`",
    ),
    (
        "unknown payer",
        "\npayer = \"medicaid\"\n",
        "2:9",
        "unknown payer profile `medicaid`",
    ),
    (
        "unknown section kind",
        "[sections.aliases]\nnecesity = [\"Why\"]\n",
        "2:12",
        "unknown section kind `necesity`",
    ),
    (
        "extend names no file",
        "extend = \"nope.toml\"\n",
        "1:10",
        "which does not exist",
    ),
    (
        "technique without a required field",
        "payer = \"medicare\"\n\n[[technique]]\nname = \"x\"\ncode = \"97140\"\nbilling = \"manual-therapy\"\n",
        "3:1",
        "missing field `description`",
    ),
    (
        "unknown billing",
        "[[technique]]\nname = \"x\"\ndescription = \"d\"\ncode = \"97140\"\nbilling = \"manual\"\n",
        "5:11",
        "unknown variant `manual`",
    ),
    (
        "max-file-size 0 would check nothing",
        "max-file-size = 0\n",
        "1:17",
        "at least 1",
    ),
    (
        "a byte order mark does not shift positions",
        "\u{feff}payr = \"medicare\"\n",
        "1:1",
        "unknown field `payr`",
    ),
];

#[test]
fn a_config_saved_with_a_byte_order_mark_loads() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        format!("\u{feff}{}", disabling(CODE)),
    );
    write(dir.path(), "t.note", THREE_WARNINGS);
    let (code, findings) = check(dir.path(), &["t.note"]);
    assert_eq!(code, 0);
    assert_eq!(rules_for(&findings, "t.note"), [KEY, TECHNIQUE]);
}

#[test]
fn a_folder_named_noteplate_toml_is_a_configuration_error_not_skipped() {
    let dir = repo();
    // The parent's configuration must not apply silently in place of the broken one.
    write(dir.path(), "noteplate.toml", disabling(CODE));
    std::fs::create_dir_all(dir.path().join("clinic/noteplate.toml")).unwrap();
    write(dir.path(), "clinic/t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "clinic/t.note"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("clinic/noteplate.toml") && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn each_kind_of_bad_config_exits_2_with_file_line_column() {
    for (what, text, position, words) in BAD {
        let dir = repo();
        write(dir.path(), "noteplate.toml", text);
        write(dir.path(), "t.note", THREE_WARNINGS);
        let output = run(dir.path(), &["check", "t.note"]);
        let err = stderr(&output);
        assert_eq!(code(&output), 2, "{what}: {err}");
        assert!(
            err.contains(&format!("noteplate.toml:{position}")),
            "{what}: expected noteplate.toml:{position} in {err}"
        );
        assert!(err.contains(words), "{what}: expected {words:?} in {err}");
        assert!(err.starts_with("error: "), "{what}: {err}");
        // No report is printed for a run whose configuration is broken.
        assert!(
            !stdout(&output).contains("t.note"),
            "{what}: {}",
            stdout(&output)
        );
        // `noteplate config` says the same.
        let output = run(dir.path(), &["config", "t.note"]);
        assert_eq!(code(&output), 2, "{what}");
        assert!(
            stderr(&output).contains(&format!("noteplate.toml:{position}")),
            "{what}"
        );
    }
}

#[test]
fn extend_cycle_is_reported_in_the_file_that_closes_it() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "extend = \"a.toml\"\n");
    write(dir.path(), "a.toml", "\nextend = \"noteplate.toml\"\n");
    write(dir.path(), "t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "t.note"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(err.contains("a.toml:2:10: `extend` makes a cycle"), "{err}");
}

#[test]
fn an_error_in_an_extended_file_names_that_file() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "extend = \"shared/base.toml\"\n",
    );
    write(
        dir.path(),
        "shared/base.toml",
        "[rules]\ndisable = [\"nope\"]\n",
    );
    write(dir.path(), "t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "t.note"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("base.toml:2:12: unknown rule `nope`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_config_is_reported_once_for_many_templates() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "payr = 1\n");
    for name in ["a.note", "b.note", "c/d.note"] {
        write(dir.path(), name, THREE_WARNINGS);
    }
    let output = run(dir.path(), &["check", "."]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output).matches("unknown field `payr`").count(),
        1,
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_config_wins_over_findings_and_exit_zero() {
    let dir = repo();
    write(dir.path(), "ok/t.note", THREE_WARNINGS);
    write(dir.path(), "broken/noteplate.toml", "[rules\n");
    write(dir.path(), "broken/t.note", THREE_WARNINGS);
    let output = run(dir.path(), &["check", "--exit-zero", "ok", "broken"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}

// ------------------------------ regressions, and suspected bugs in src (ignored until fixed)

#[test]
fn a_custom_code_requiring_an_unknown_section_kind_is_a_config_error() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "[[code]]\ncode = \"X1234\"\nsummary = \"s\"\ntimed = false\nrequires = [\"respons\"]\n",
    );
    write(
        dir.path(),
        "t.note",
        "---\ncodes: X1234\n---\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    let output = run(dir.path(), &["check", "t.note"]);
    // Today: exit 0 and no finding at all, so the typo silently requires nothing.
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    assert!(
        stderr(&output).contains("noteplate.toml:"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("respons"), "{}", stderr(&output));
}

// ------------------------------------------------------------------ docs/configuration.md

fn configuration_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn every_toml_example_in_the_docs_loads() {
    let blocks = fenced_blocks(&configuration_md(), "toml");
    assert!(
        blocks.len() >= 10,
        "found only {} toml blocks",
        blocks.len()
    );
    for block in blocks {
        let dir = repo();
        // An `extend` example needs the file it names, an `include-roots` one its folders.
        for line in block.lines() {
            if let Some(target) = line.strip_prefix("extend = ") {
                let target = target.trim().trim_matches('"');
                write(&dir.path().join("a/b"), target, "");
            }
            if let Some(roots) = line.strip_prefix("include-roots = ") {
                for root in roots.trim_matches(['[', ']']).split(',') {
                    let root = root.trim().trim_matches('"');
                    std::fs::create_dir_all(dir.path().join("a/b").join(root)).unwrap();
                }
            }
        }
        write(dir.path(), "a/b/noteplate.toml", &block);
        let output = run(dir.path(), &["config", "a/b"]);
        assert_eq!(
            code(&output),
            0,
            "this example from docs/configuration.md does not load:\n{block}\n{}",
            stderr(&output)
        );
    }
}

#[test]
fn the_docs_name_every_key_and_field() {
    let docs = configuration_md();
    let schema: Value =
        serde_json::from_str(&noteplate::config::json_schema()).expect("schema is JSON");
    let mut keys: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for definition in [
        "Technique",
        "Code",
        "TechniqueNeed",
        "RuleOptions",
        "SectionOptions",
    ] {
        let properties = schema["$defs"][definition]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema has no $defs.{definition}"));
        keys.extend(properties.keys().cloned());
    }
    // Named as code: `key`, `[table.key]`, `rules.key`, or `key = ...` inside an example.
    let documented = |key: &str| {
        docs.match_indices(key).any(|(at, _)| {
            let before = docs[..at].chars().next_back();
            let after = &docs[at + key.len()..];
            matches!(before, Some('`' | '.' | '[' | '\n'))
                && (after.starts_with('`') || after.starts_with(']') || after.starts_with(" ="))
        })
    };
    for key in keys {
        assert!(
            documented(&key),
            "docs/configuration.md does not document `{key}`"
        );
    }
}

/// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, spaces
/// to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut anchors = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            anchors.push(slug(line.trim_start_matches('#')));
        }
    }
    anchors
}

#[test]
fn links_in_the_configuration_ci_suppression_and_fragment_docs_resolve() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for page in [
        "configuration.md",
        "ci.md",
        "suppressions.md",
        "fragments.md",
    ] {
        let text = std::fs::read_to_string(docs.join(page)).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').expect("a closed link");
            let target = &rest[..end];
            rest = &rest[end..];
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() { page } else { file };
            let path = docs.join(file);
            assert!(
                path.exists(),
                "{page}: link to {target}: {} does not exist",
                path.display()
            );
            if !anchor.is_empty() {
                let headings = anchors(&std::fs::read_to_string(&path).unwrap());
                assert!(
                    headings.iter().any(|h| h == anchor),
                    "{page}: link to {target}: no such heading (have {headings:?})"
                );
            }
        }
    }
}

#[test]
fn a_custom_code_requiring_a_kind_no_rule_reports_is_a_config_error() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "[[code]]\ncode = \"X1234\"\nsummary = \"s\"\ntimed = false\nrecommends = [\"subjective\"]\n",
    );
    write(dir.path(), "t.note", "---\ncodes: X1234\n---\n");
    let output = run(dir.path(), &["check", "t.note"]);
    // Before rule ids were typed this reported `missing-subjective`, a rule with no entry in the
    // pack that configuration could neither disable nor re-grade.
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let error = stderr(&output);
    assert!(error.contains("noteplate.toml:1:1"), "{error}");
    assert!(
        error.contains("section kind `subjective`, which no rule reports as missing"),
        "{error}"
    );
    assert!(error.contains("use one of history, findings"), "{error}");
}

#[test]
fn a_technique_need_with_an_unknown_rule_is_a_config_error() {
    let dir = repo();
    write(
        dir.path(),
        "noteplate.toml",
        "[[technique]]\nname = \"zebra glide\"\ndescription = \"d\"\ncode = \"97140\"\nbilling = \"manual-therapy\"\n\n[[technique.needs]]\nrule = \"technique-need\"\nwhat = \"w\"\nany_of = [\"w\"]\n",
    );
    write(dir.path(), "t.note", "---\ncodes: 97140\n---\n");
    let output = run(dir.path(), &["check", "t.note"]);
    // Before, any string was accepted and the findings carried that id as a warning.
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let error = stderr(&output);
    assert!(error.contains("noteplate.toml:8"), "{error}");
    assert!(
        error.contains("unknown rule `technique-need`; run `noteplate rules`"),
        "{error}"
    );
}
