//! The report formats (`--format human|json|github|sarif|junit|gitlab`) and the `check` options
//! around them, end to end through the binary, mostly as insta snapshots.
//!
//! Every test copies `tests/cli_snapshots/fixtures/` (or writes its own files) into a temporary
//! folder holding an empty `.git` (so configuration discovery stops there), runs the binary in it
//! with relative paths and `--color never`, and replaces the temporary path by `[TMP]`, so the
//! snapshots under `tests/snapshots/formats__*.snap` are the same on every machine. After an
//! intended output change: `INSTA_UPDATE=always cargo test --test formats`, then review the diff.
//!
//! SARIF is validated against the official SARIF 2.1.0 JSON schema, vendored as
//! `tests/data/sarif-2.1.0-rtm.5.json` (see `tests/data/README.md`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use noteplate::rulepack::RulePack;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli_snapshots/fixtures");
const FORMATS: [&str; 6] = ["human", "json", "github", "sarif", "junit", "gitlab"];

/// A copy of a project in a temporary folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn empty() -> Project {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        Project { dir }
    }

    fn fixtures() -> Project {
        let project = Project::empty();
        copy_dir(Path::new(FIXTURES), project.path());
        project
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, contents: &str) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_noteplate"))
            .current_dir(self.path())
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        let mut temporary = vec![self.path().display().to_string()];
        if let Ok(canonical) = self.path().canonicalize() {
            temporary.push(canonical.display().to_string());
        }
        temporary.sort_by_key(|path| std::cmp::Reverse(path.len()));
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
            temporary,
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

struct Run {
    args: Vec<String>,
    code: i32,
    stdout: String,
    stderr: String,
    temporary: Vec<String>,
}

impl Run {
    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for path in &self.temporary {
            text = text.replace(path.as_str(), "[TMP]");
        }
        text
    }

    fn stdout(&self) -> String {
        self.redact(&self.stdout)
    }

    fn stderr(&self) -> String {
        self.redact(&self.stderr)
    }

    /// The command, its exit code, stdout and stderr, for a snapshot.
    fn transcript(&self) -> String {
        format!(
            "$ noteplate {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout(),
            self.stderr()
        )
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", self.stdout))
    }

    #[track_caller]
    fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            code,
            "unexpected exit code\n{}",
            self.transcript()
        );
        self
    }
}

fn check(project: &Project, format: &str, paths: &[&str]) -> Run {
    let mut args = vec!["check", "--color", "never", "--format", format];
    args.extend_from_slice(paths);
    project.run(&args)
}

// ------------------------------------------------------------------------------ every format

#[test]
fn format_human() {
    let run = check(&Project::fixtures(), "human", &[]);
    run.expect(1);
    insta::assert_snapshot!("human", run.transcript());
}

#[test]
fn format_json() {
    let run = check(&Project::fixtures(), "json", &[]);
    run.expect(1);
    let pretty = serde_json::to_string_pretty(&run.json()).unwrap();
    insta::assert_snapshot!("json", format!("{pretty}\n--- stderr\n{}", run.stderr()));
}

#[test]
fn format_github() {
    let run = check(&Project::fixtures(), "github", &[]);
    run.expect(1);
    insta::assert_snapshot!("github", run.transcript());
}

/// The SARIF log with the rule descriptors (the whole rule pack, long and owned by
/// `rulepack/rules.toml`, checked here to come first and in order) reduced to a placeholder,
/// and the version too.
fn sarif_for_snapshot(mut log: Value) -> String {
    let pack: Vec<String> = RulePack::embedded()
        .rules
        .iter()
        .map(|rule| rule.id.to_string())
        .collect();
    let driver = &mut log["runs"][0]["tool"]["driver"];
    let ids: Vec<String> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids[..pack.len()],
        pack[..],
        "the pack's rules come first, in order"
    );
    // Rules that findings name but the pack does not describe follow it.
    let mut shown = vec![Value::from("[every rule of the pack]")];
    shown.extend(ids[pack.len()..].iter().map(|id| Value::from(id.as_str())));
    driver["rules"] = Value::Array(shown);
    driver["version"] = "[VERSION]".into();
    driver["semanticVersion"] = "[VERSION]".into();
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn format_sarif() {
    let run = check(&Project::fixtures(), "sarif", &[]);
    run.expect(1);
    insta::assert_snapshot!(
        "sarif",
        format!(
            "{}\n--- stderr\n{}",
            sarif_for_snapshot(run.json()),
            run.stderr()
        )
    );
}

#[test]
fn format_junit() {
    let run = check(&Project::fixtures(), "junit", &[]);
    run.expect(1);
    insta::assert_snapshot!("junit", run.transcript());
}

#[test]
fn format_gitlab() {
    let run = check(&Project::fixtures(), "gitlab", &[]);
    run.expect(1);
    insta::assert_snapshot!("gitlab", run.transcript());
}

#[test]
fn every_format_on_a_clean_file() {
    let project = Project::fixtures();
    let mut out = String::new();
    for format in FORMATS {
        let run = check(&project, format, &["clean.note"]);
        run.expect(0);
        let stdout = if format == "sarif" {
            sarif_for_snapshot(run.json()) + "\n"
        } else {
            run.stdout()
        };
        out.push_str(&format!(
            "=== {format}\n{stdout}--- stderr\n{}",
            run.stderr()
        ));
    }
    insta::assert_snapshot!("clean", out);
}

/// Every format reports the same findings at the same places as the JSON format.
#[test]
fn formats_agree_on_positions() {
    let project = Project::fixtures();
    let json = check(&project, "json", &[]).json();
    // (path without ./, rule, start line, start column, end line, end column)
    let expected: Vec<(String, String, u64, u64, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let range = &d["range"];
            (
                d["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                d["rule"].as_str().unwrap().to_string(),
                range["start"]["line"].as_u64().unwrap(),
                range["start"]["column"].as_u64().unwrap(),
                range["end"]["line"].as_u64().unwrap(),
                range["end"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        expected.len() > 10,
        "the fixtures should have many findings"
    );

    let sarif = check(&project, "sarif", &[]).json();
    let from_sarif: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let location = &result["locations"][0]["physicalLocation"];
            let region = &location["region"];
            (
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .replace("%20", " "),
                result["ruleId"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
                region["endLine"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_sarif, expected);

    let github = check(&project, "github", &[]);
    let from_github: Vec<_> = github.stdout.lines().map(parse_github).collect();
    let expected_github: Vec<_> = expected
        .iter()
        .map(|(path, rule, l, c, el, ec)| {
            let mut properties = BTreeMap::new();
            properties.insert("file".to_string(), path.clone());
            properties.insert("line".to_string(), l.to_string());
            properties.insert("col".to_string(), c.to_string());
            properties.insert("endLine".to_string(), el.to_string());
            properties.insert("endColumn".to_string(), ec.to_string());
            properties.insert("title".to_string(), rule.clone());
            properties
        })
        .collect();
    assert_eq!(
        from_github
            .iter()
            .map(|(_, properties, _)| properties.clone())
            .collect::<Vec<_>>(),
        expected_github
    );

    let gitlab = check(&project, "gitlab", &[]).json();
    let from_gitlab: Vec<_> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            (
                issue["location"]["path"].as_str().unwrap().to_string(),
                issue["check_name"].as_str().unwrap().to_string(),
                issue["location"]["lines"]["begin"].as_u64().unwrap(),
                issue["location"]["lines"]["end"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected_gitlab: Vec<_> = expected
        .iter()
        .map(|(path, rule, l, _, el, _)| (path.clone(), rule.clone(), *l, *el))
        .collect();
    assert_eq!(from_gitlab, expected_gitlab);
}

// ----------------------------------------------------------------------------------- SARIF

/// The `language` pattern of the official schema (on `run` and `toolComponent`) has a stray `]`
/// that ECMA-262 tolerates but the validator's regex check rejects when it compiles the schema.
/// It is replaced in memory by the pattern evidently meant; noteplate never writes `language`.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";

fn replace_patterns(value: &mut Value, count: &mut usize) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "pattern" && child == BROKEN_LANGUAGE_PATTERN {
                    *child = LANGUAGE_PATTERN.into();
                    *count += 1;
                } else {
                    replace_patterns(child, count);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_patterns(item, count)),
        _ => {}
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(include_str!("data/sarif-2.1.0-rtm.5.json"))
        .expect("the vendored schema is JSON");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0-rtm.5 JSON Schema"
    );
    let mut replaced = 0;
    replace_patterns(&mut schema, &mut replaced);
    assert_eq!(replaced, 2, "only the two `language` patterns are touched");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles")
}

#[track_caller]
fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF log does not match the 2.1.0 schema:\n{}\n\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(log).unwrap()
    );
}

#[test]
fn sarif_matches_the_official_schema() {
    let validator = sarif_validator();
    let project = Project::fixtures();
    for paths in [&[][..], &["clean.note"][..]] {
        let log = check(&project, "sarif", paths).json();
        assert_valid_sarif(&validator, &log);
    }
    let escaping = escaping_project();
    let log = check(&escaping, "sarif", &["a,b:c.note"]).json();
    assert_valid_sarif(&validator, &log);
}

/// Findings of rules the pack does not describe (too large a file, an unused suppression) still
/// get a descriptor, so their `ruleIndex` is valid.
#[test]
fn sarif_describes_rules_outside_the_pack() {
    let project = Project::empty();
    project.write("big/noteplate.toml", "max-file-size = 10\n");
    project.write("big/huge.note", "---\ntemplate: Huge\n---\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n");
    project.write(
        "suppressed.note",
        "---\ntemplate: T\n---\n<!-- noteplate-disable-next-line missing-time -->\n## Notes\nText.\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    let log = check(&project, "sarif", &["big/huge.note", "suppressed.note"]).json();
    assert_valid_sarif(&sarif_validator(), &log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let pack = RulePack::embedded();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        if !pack
            .rules
            .iter()
            .any(|rule| rule.id.as_str() == result["ruleId"])
        {
            assert!(index >= pack.rules.len());
        }
    }
    let ids: Vec<&str> = rules[pack.rules.len()..]
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each extra rule is described once");
    assert!(
        results.iter().any(|r| r["ruleId"] == "file-too-large"),
        "{results:?}"
    );
}

#[test]
fn sarif_schema_check_catches_a_missing_required_property() {
    let validator = sarif_validator();
    let log = check(&Project::fixtures(), "sarif", &[]).json();
    assert_valid_sarif(&validator, &log);
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 5] = [
        ("version", |log| {
            log.as_object_mut().unwrap().remove("version");
        }),
        ("runs", |log| {
            log.as_object_mut().unwrap().remove("runs");
        }),
        ("tool.driver.name", |log| {
            log["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("result.message", |log| {
            log["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("rule id", |log| {
            log["runs"][0]["tool"]["driver"]["rules"][0]
                .as_object_mut()
                .unwrap()
                .remove("id");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = log.clone();
        breakage(&mut broken);
        assert!(
            !validator.is_valid(&broken),
            "the schema should reject a log without {what}"
        );
    }
    let mut wrong_level = log.clone();
    wrong_level["runs"][0]["results"][0]["level"] = "hint".into();
    assert!(
        !validator.is_valid(&wrong_level),
        "`hint` is no SARIF level"
    );
}

#[test]
fn sarif_rules_results_locations_and_fixes() {
    let project = Project::fixtures();
    let log = check(&project, "sarif", &[]).json();
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "noteplate");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));

    // Every rule of the pack, in pack order, fully described.
    let pack = RulePack::embedded();
    let rules = driver["rules"].as_array().unwrap();
    for (rule, info) in rules.iter().zip(&pack.rules) {
        assert_eq!(rule["id"], info.id.as_str());
        assert_eq!(rule["shortDescription"]["text"], info.summary.trim());
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains(&format!("`{}`", info.id))
        );
        let level = match info.severity.as_str() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{}", info.id);
    }
    assert!(rules.len() >= pack.rules.len());

    let results = run["results"].as_array().unwrap();
    let mut levels = HashSet::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at its rule"
        );
        levels.insert(result["level"].as_str().unwrap().to_string());
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let fingerprint = result["partialFingerprints"]["noteplate/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 32);
    }
    assert_eq!(
        levels,
        HashSet::from(["error".into(), "warning".into(), "note".into()]),
        "hint and info map to note"
    );

    // Paths: relative, forward slashes, no `./`, spaces percent-encoded.
    let uris: HashSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        HashSet::from(["errors.note", "nested/daily%20visit.note", "warnings.note"])
    );

    // Related places.
    let duplicate = results
        .iter()
        .find(|r| r["ruleId"] == "duplicate-section")
        .unwrap();
    let related = &duplicate["relatedLocations"][0];
    assert_eq!(related["message"]["text"], "the first one is here");
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 9);
    assert_eq!(
        duplicate["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );

    // Fixes: applying the replacement by line and character column gives the fixed line, past
    // the multi-byte `±°`.
    let text = project.read("errors.note");
    let typo = results
        .iter()
        .find(|r| {
            r["ruleId"] == "unknown-technique"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "errors.note"
        })
        .unwrap();
    let region = &typo["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(13), Some(6))
    );
    let fix = &typo["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "Replace with `myofascial release`"
    );
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "errors.note");
    let fixed = apply_replacements(&text, change["replacements"].as_array().unwrap());
    assert_eq!(
        fixed.lines().nth(12),
        Some("- ±° myofascial release, {single}")
    );

    // An insertion is an empty region; applying it adds the section.
    let missing = results
        .iter()
        .find(|r| {
            r["ruleId"] == "missing-response"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "errors.note"
        })
        .unwrap();
    let change = &missing["fixes"][0]["artifactChanges"][0];
    assert_eq!(missing["fixes"][0]["properties"]["safe"], true);
    let fixed = apply_replacements(&text, change["replacements"].as_array().unwrap());
    assert!(fixed.contains("\n## Response\n"), "{fixed}");
    assert!(fixed.starts_with(&text[..text.find("## Time").unwrap()]));
}

/// Applies SARIF replacements (1-based lines, columns in characters, LF text) in reverse order.
fn apply_replacements(text: &str, replacements: &[Value]) -> String {
    let offset = |line: u64, column: u64| -> usize {
        let mut start = 0;
        for _ in 1..line {
            start += text[start..].find('\n').unwrap() + 1;
        }
        text[start..]
            .char_indices()
            .nth(column as usize - 1)
            .map(|(i, _)| start + i)
            .unwrap_or(text.len())
    };
    let mut edits: Vec<(usize, usize, &str)> = replacements
        .iter()
        .map(|r| {
            let region = &r["deletedRegion"];
            let start = offset(
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            );
            let end = offset(
                region["endLine"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            );
            (start, end, r["insertedContent"]["text"].as_str().unwrap())
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

// -------------------------------------------------------------- escaping (github, junit)

/// A custom technique whose `needs.what` (copied into the message) holds markup, `%`, `:`, `,`
/// and line breaks, mentioned by a template whose file name holds `,` and `:`.
const ESCAPING_CONFIG: &str = r#"
[[technique]]
name = "cupping"
description = "Suction cups on the skin."
code = "97140"
billing = "manual-therapy"

[[technique.needs]]
rule = "technique-needs"
what = "cup sizes <&>\"' at 100%\r\nand the time: in minutes, per site"
any_of = ["cup size"]
severity = "warning"
"#;

const ESCAPING_MESSAGE: &str = "cupping is offered, so the template should also capture cup sizes <&>\"' at 100%\r\nand the time: in minutes, per site";

fn escaping_project() -> Project {
    let project = Project::empty();
    project.write("noteplate.toml", ESCAPING_CONFIG);
    project.write(
        "a,b:c.note",
        "---\ntemplate: Cupping\n---\n\n## Technique\n- cupping to {{region:region}}\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    project
}

/// (command, properties, message) of a workflow command line, unescaped the way the runner does.
fn parse_github(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
    let unescape_data = |text: &str| {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%")
    };
    let unescape_property = |text: &str| {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            (key.to_string(), unescape_property(value))
        })
        .collect();
    (command.to_string(), properties, unescape_data(message))
}

#[test]
fn github_escapes_properties_and_message() {
    let project = escaping_project();
    let run = check(&project, "github", &["a,b:c.note"]);
    run.expect(0);
    assert_eq!(
        run.stdout,
        "::warning file=a%2Cb%3Ac.note,line=6,col=3,endLine=6,endColumn=10,title=technique-needs::\
         cupping is offered, so the template should also capture cup sizes <&>\"' at 100%25%0D%0A\
         and the time: in minutes, per site\n"
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line per finding, line breaks escaped");
    let (command, properties, message) = parse_github(lines[0]);
    assert_eq!(command, "warning");
    assert_eq!(properties["file"], "a,b:c.note");
    assert_eq!(message, ESCAPING_MESSAGE);
}

#[test]
fn github_commands_per_severity() {
    let run = check(&Project::fixtures(), "github", &[]);
    let commands: BTreeMap<String, usize> = run
        .stdout
        .lines()
        .map(|line| parse_github(line).0)
        .fold(BTreeMap::new(), |mut counts, command| {
            *counts.entry(command).or_default() += 1;
            counts
        });
    // 8 errors, 5 warnings, 1 info and 1 hint in the fixtures.
    assert_eq!(
        commands,
        BTreeMap::from([
            ("error".to_string(), 8),
            ("warning".to_string(), 5),
            ("notice".to_string(), 2),
        ])
    );
}

// ----------------------------------------------------------------------------------- JUnit

/// One parsed `<testcase>`.
#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    /// (type, message, text)
    failures: Vec<(String, String, String)>,
    system_out: Option<String>,
}

/// A parsed JUnit report, as a consumer reads it (attribute values normalised, references
/// resolved); panics unless the XML is well-formed.
struct Junit {
    testsuites: BTreeMap<String, String>,
    testsuite: BTreeMap<String, String>,
    cases: Vec<Case>,
}

fn parse_junit(xml: &str) -> Junit {
    use quick_xml::events::{BytesStart, Event};
    let attributes = |element: &BytesStart<'_>| -> BTreeMap<String, String> {
        element
            .attributes()
            .map(|attribute| {
                let attribute = attribute.expect("a well-formed attribute");
                (
                    attribute.key.as_ref().to_string(),
                    attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("an escaped attribute value")
                        .into_owned(),
                )
            })
            .collect()
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut junit = Junit {
        testsuites: BTreeMap::new(),
        testsuite: BTreeMap::new(),
        cases: Vec::new(),
    };
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut failure = BTreeMap::new();
    let mut roots = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (element, empty) = match &event {
            Event::Start(element) => (Some(element), false),
            Event::Empty(element) => (Some(element), true),
            _ => (None, false),
        };
        if let Some(element) = element {
            let name = element.name().as_ref().to_string();
            let attrs = attributes(element);
            let parent = open.last().map(String::as_str);
            match (parent, name.as_str()) {
                (None, "testsuites") => {
                    roots += 1;
                    junit.testsuites = attrs;
                }
                (Some("testsuites"), "testsuite") => junit.testsuite = attrs,
                (Some("testsuite"), "testcase") => junit.cases.push(Case {
                    name: attrs["name"].clone(),
                    classname: attrs["classname"].clone(),
                    ..Case::default()
                }),
                (Some("testcase"), "failure") => failure = attrs,
                (Some("testcase"), "system-out") => {}
                (parent, other) => panic!("unexpected <{other}> in {parent:?}"),
            }
            text.clear();
            if !empty {
                open.push(name);
            }
            continue;
        }
        match event {
            Event::End(end) => {
                let name = end.name().as_ref().to_string();
                assert_eq!(open.pop().as_deref(), Some(name.as_str()));
                let case = junit.cases.last_mut();
                match name.as_str() {
                    "failure" => case.unwrap().failures.push((
                        failure["type"].clone(),
                        failure["message"].clone(),
                        std::mem::take(&mut text),
                    )),
                    "system-out" => case.unwrap().system_out = Some(std::mem::take(&mut text)),
                    _ => assert!(text.trim().is_empty(), "stray text {text:?}"),
                }
                text.clear();
            }
            Event::Text(content) => text.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => match reference.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => {
                    let name = reference.xml10_content();
                    text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("undefined entity &{name};")),
                    )
                }
            },
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(roots, 1);
    assert!(open.is_empty());
    junit
}

#[test]
fn junit_counts_and_cases() {
    let project = Project::fixtures();
    let run = check(&project, "junit", &[]);
    run.expect(1);
    let junit = parse_junit(&run.stdout);
    for attributes in [&junit.testsuites, &junit.testsuite] {
        assert_eq!(attributes["tests"], "4");
        assert_eq!(
            attributes["failures"], "3",
            "failing files, not failure elements"
        );
        assert_eq!(attributes["errors"], "0");
    }
    assert_eq!(junit.testsuite["name"], "noteplate");
    let names: Vec<&str> = junit.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "./clean.note",
            "./errors.note",
            "./nested/daily visit.note",
            "./warnings.note"
        ]
    );
    assert!(junit.cases.iter().all(|c| c.classname == "noteplate"));
    let clean = &junit.cases[0];
    assert!(clean.failures.is_empty() && clean.system_out.is_none());

    // errors.note: 3 errors and 2 warnings fail; the hint goes to system-out.
    let errors = &junit.cases[1];
    let types: Vec<&str> = errors.failures.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "missing-response",
            "missing-intervention",
            "missing-modifier",
            "duplicate-section",
            "unknown-technique"
        ]
    );
    let (_, message, text) = &errors.failures[4];
    assert_eq!(
        message,
        "`myofacial release` is not in the technique lexicon; did you mean `myofascial release`?"
    );
    assert_eq!(
        text,
        &format!("./errors.note:13:6 unknown-technique {message}")
    );
    let system_out = errors.system_out.as_deref().unwrap();
    assert!(
        system_out.starts_with("./errors.note:13:25 single-option-choice "),
        "{system_out}"
    );

    // warnings.note: the info finding is not a failure.
    let warnings = &junit.cases[3];
    assert_eq!(warnings.failures.len(), 2);
    assert!(
        warnings
            .system_out
            .as_deref()
            .unwrap()
            .contains(" technique-needs ")
    );

    // Info and hints alone do not fail a file.
    let project = Project::fixtures();
    project.write(
        "noteplate.toml",
        "[rules.severity]\nunknown-front-matter-key = \"info\"\nunknown-technique = \"hint\"\n",
    );
    let junit = parse_junit(
        &check(&project, "junit", &["warnings.note"])
            .expect(0)
            .stdout,
    );
    assert_eq!(junit.testsuite["failures"], "0");
    assert_eq!(junit.cases[0].failures.len(), 0);
    assert_eq!(
        junit.cases[0]
            .system_out
            .as_deref()
            .unwrap()
            .lines()
            .count(),
        3
    );
}

#[test]
fn junit_escapes_markup_quotes_and_line_breaks() {
    let project = escaping_project();
    project.write(
        "x<&>\"'.note",
        "---\ntemplate: Cupping\n---\n\n## Technique\n- cupping\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    let run = check(&project, "junit", &["a,b:c.note", "x<&>\"'.note"]);
    run.expect(0);
    assert!(
        run.stdout.contains("&lt;&amp;&gt;&quot;&apos;"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("&#13;&#10;"),
        "line breaks in attributes are references"
    );
    let junit = parse_junit(&run.stdout);
    assert_eq!(junit.cases[0].name, "a,b:c.note");
    assert_eq!(junit.cases[1].name, "x<&>\"'.note");
    let (rule, message, text) = &junit.cases[0].failures[0];
    assert_eq!(rule, "technique-needs");
    assert_eq!(
        message, ESCAPING_MESSAGE,
        "the attribute keeps \\r\\n exactly"
    );
    assert_eq!(
        text,
        &format!("a,b:c.note:6:3 technique-needs {ESCAPING_MESSAGE}")
    );
    assert!(
        junit.cases[1].failures[0]
            .2
            .starts_with("x<&>\"'.note:6:3 ")
    );
}

// ---------------------------------------------------------------------------------- GitLab

fn gitlab_issues(run: &Run) -> Vec<Value> {
    run.json().as_array().expect("a JSON array").clone()
}

#[test]
fn gitlab_issue_shape_and_severities() {
    let issues = gitlab_issues(check(&Project::fixtures(), "gitlab", &[]).expect(1));
    assert_eq!(issues.len(), 15);
    let mut severities = BTreeMap::new();
    for issue in &issues {
        let keys: Vec<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = keys;
        keys.sort();
        assert_eq!(
            keys,
            [
                "check_name",
                "description",
                "fingerprint",
                "location",
                "severity"
            ]
        );
        let fingerprint = issue["fingerprint"].as_str().unwrap();
        assert!(fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        let lines = &issue["location"]["lines"];
        assert!(lines["begin"].as_u64().unwrap() >= 1);
        assert!(lines["end"].as_u64() >= lines["begin"].as_u64());
        *severities
            .entry(issue["severity"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(
        severities,
        BTreeMap::from([
            ("major".to_string(), 8),
            ("minor".to_string(), 5),
            ("info".to_string(), 2)
        ])
    );
}

#[test]
fn gitlab_fingerprints_are_unique_and_stable() {
    let project = Project::fixtures();
    // Two identical findings on identical lines stay distinct.
    project.write(
        "twice.note",
        "---\ntemplate: Twice\n---\n\n## Technique\n- myofacial release\n- myofacial release\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    let first = gitlab_issues(&check(&project, "gitlab", &[]));
    let prints: Vec<&str> = first
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = prints.iter().copied().collect();
    assert_eq!(
        unique.len(),
        prints.len(),
        "fingerprints are unique: {prints:?}"
    );
    let twice: Vec<&Value> = first
        .iter()
        .filter(|i| i["location"]["path"] == "twice.note" && i["check_name"] == "unknown-technique")
        .collect();
    assert_eq!(twice.len(), 2);

    let second = gitlab_issues(&check(&project, "gitlab", &[]));
    assert_eq!(first, second, "the same input gives the same report");

    // The same file named differently on the command line keeps its fingerprints.
    let by_name = gitlab_issues(&check(&project, "gitlab", &["warnings.note"]));
    let in_folder: Vec<&Value> = first
        .iter()
        .filter(|i| i["location"]["path"] == "warnings.note")
        .collect();
    assert_eq!(by_name.iter().collect::<Vec<_>>(), in_folder);
}

#[test]
fn gitlab_fingerprints_survive_lines_added_above() {
    let project = Project::fixtures();
    let before = gitlab_issues(&check(&project, "gitlab", &["errors.note"]));
    let text = project.read("errors.note");
    // Three lines more above the sections: every finding below moves, none changes identity.
    let edited = text.replacen(
        "## Medical necessity",
        "<!-- reviewed -->\n\n\n## Medical necessity",
        1,
    );
    project.write("errors.note", &edited);
    let after = gitlab_issues(&check(&project, "gitlab", &["errors.note"]));
    assert_eq!(before.len(), after.len());
    let key = |issue: &Value| {
        (
            issue["check_name"].as_str().unwrap().to_string(),
            issue["description"].as_str().unwrap().to_string(),
            issue["fingerprint"].as_str().unwrap().to_string(),
        )
    };
    let mut moved = 0;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(key(old), key(new));
        if old["location"]["lines"]["begin"] != new["location"]["lines"]["begin"] {
            moved += 1;
        }
    }
    assert_eq!(moved, 3, "the findings in the body moved down");
}

// ------------------------------------------------------------------------------ exit codes

#[test]
fn exit_codes() {
    let project = Project::fixtures();
    project.write("broken.toml", "[rules\n");
    let cases: &[(&[&str], i32)] = &[
        (&["check", "clean.note"], 0),
        (&["check", "errors.note"], 1),
        (&["check", "warnings.note"], 0),
        (&["check", "--max-warnings", "2", "warnings.note"], 0),
        (&["check", "--max-warnings", "1", "warnings.note"], 1),
        (&["check", "--exit-zero", "errors.note"], 0),
        (
            &[
                "check",
                "--exit-zero",
                "--max-warnings",
                "0",
                "warnings.note",
            ],
            0,
        ),
        (&["check", "--format", "sarif", "errors.note"], 1),
        (&["check", "missing.note"], 2),
        (&["check", "errors.note", "missing.note"], 2),
        (&["check", "--exit-zero", "missing.note"], 2),
        (&["check", "--frobnicate", "clean.note"], 2),
        (&["check", "--format", "xml", "clean.note"], 2),
        (&["check", "--max-warnings", "many", "clean.note"], 2),
        (&["check", "--config", "broken.toml", "clean.note"], 2),
        (
            &[
                "check",
                "--exit-zero",
                "--config",
                "broken.toml",
                "errors.note",
            ],
            2,
        ),
        (&["check", "--config", "absent.toml", "clean.note"], 2),
    ];
    let mut table = String::new();
    for (args, expected) in cases {
        let run = project.run(args);
        run.expect(*expected);
        let stderr = run.stderr();
        table.push_str(&format!(
            "$ noteplate {}\n  exit {}{}\n",
            args.join(" "),
            run.code,
            stderr
                .lines()
                .next()
                .map(|line| format!("; stderr: {line}"))
                .unwrap_or_default()
        ));
    }
    insta::assert_snapshot!("exit_codes", table);
}

// --------------------------------------------------------------------- configuration errors

#[test]
fn configuration_errors_name_file_line_and_column() {
    let template = "---\ntemplate: T\n---\n\n## Notes\nText.\n\nDate of service: {{date_of_service:date}}\n\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n";
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "TOML syntax error",
            &[("noteplate.toml", "payer = \"medicare\"\n[rules\n")],
        ),
        (
            "unknown key",
            &[("noteplate.toml", "payer = \"medicare\"\ncolour = \"red\"\n")],
        ),
        (
            "wrong type",
            &[("noteplate.toml", "\nmax-file-size = \"big\"\n")],
        ),
        (
            "unknown rule in rules.disable",
            &[(
                "noteplate.toml",
                "[rules]\ndisable = [\"missing-time\", \"missing-respnse\"]\n",
            )],
        ),
        (
            "unknown rule in rules.severity",
            &[(
                "noteplate.toml",
                "[rules.severity]\nmissing-time = \"info\"\nmissing-respnse = \"warning\"\n",
            )],
        ),
        (
            "unknown severity",
            &[(
                "noteplate.toml",
                "[rules.severity]\nmissing-time = \"loud\"\n",
            )],
        ),
        (
            "extend to a missing file",
            &[("noteplate.toml", "extend = \"base.toml\"\n")],
        ),
        (
            "extend cycle",
            &[
                ("noteplate.toml", "extend = \"base.toml\"\n"),
                ("base.toml", "# base\nextend = \"noteplate.toml\"\n"),
            ],
        ),
        (
            "error in an extended file",
            &[
                ("noteplate.toml", "extend = \"shared/base.toml\"\n"),
                ("shared/base.toml", "[rules]\ndisable = [\"nope\"]\n"),
            ],
        ),
    ];
    let mut out = String::new();
    for (what, files) in cases {
        let project = Project::empty();
        project.write("t.note", template);
        for (name, contents) in *files {
            project.write(name, contents);
        }
        let run = project.run(&["check", "--color", "never", "t.note"]);
        run.expect(2);
        assert_eq!(
            run.stdout, "",
            "{what}: no report when the configuration is broken"
        );
        let stderr = run.stderr();
        let line = stderr.lines().next().unwrap_or_default();
        let located = line
            .strip_prefix("error: [TMP]/")
            .and_then(|rest| rest.split_once(": "))
            .map(|(place, _)| {
                let parts: Vec<&str> = place.rsplitn(3, ':').collect();
                parts.len() == 3
                    && parts[0].parse::<usize>().is_ok()
                    && parts[1].parse::<usize>().is_ok()
            })
            .unwrap_or(false);
        assert!(
            located,
            "{what}: `error: file:line:column: message` expected, got {stderr}"
        );
        out.push_str(&format!("## {what}\n{stderr}\n"));
    }
    insta::assert_snapshot!("config_errors", out);
}

// -------------------------------------------------------------------------------- options

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    for format in FORMATS {
        let project = Project::fixtures();
        let to_stdout = check(&project, format, &[]);
        let to_file = project.run(&[
            "check",
            "--color",
            "never",
            "--format",
            format,
            "--output",
            "report.out",
        ]);
        to_file.expect(1);
        assert_eq!(to_file.stdout, "", "{format}: nothing on stdout");
        assert_eq!(to_file.stderr, "", "{format}: nothing on stderr");
        let written = std::fs::read_to_string(project.path().join("report.out")).unwrap();
        assert_eq!(
            written, to_stdout.stdout,
            "{format}: the file holds the report"
        );
    }
    // An unwritable destination is an error (2), not a lost report.
    let project = Project::fixtures();
    let run = project.run(&[
        "check",
        "--output",
        "no/such/folder/report.json",
        "clean.note",
    ]);
    run.expect(2);
    assert!(
        run.stderr().contains("no/such/folder/report.json"),
        "{}",
        run.stderr()
    );
}

#[test]
fn statistics() {
    let project = Project::fixtures();
    let human = project.run(&[
        "check",
        "--color",
        "never",
        "--statistics",
        "--output",
        "report.txt",
    ]);
    let human_stdout = project.run(&["check", "--color", "never", "--statistics", "warnings.note"]);
    let json = project.run(&["check", "--format", "json", "--statistics"]);
    // Machine-readable stdout stays parseable: the table goes to stderr.
    json.json();
    let clean = project.run(&["check", "--statistics", "--format", "github", "clean.note"]);
    insta::assert_snapshot!(
        "statistics",
        [human, human_stdout, json, clean]
            .iter()
            .map(|run| {
                let mut transcript = run.transcript();
                if run.args.contains(&"json".to_string()) {
                    transcript = transcript.replace(&run.stdout, "[the JSON report]\n");
                }
                transcript
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn fix_rewrites_files_and_is_idempotent() {
    let project = Project::fixtures();
    let before = project.read("errors.note");
    let run = project.run(&[
        "check",
        "--color",
        "never",
        "--format",
        "json",
        "--fix",
        "errors.note",
    ]);
    // missing-modifier has no safe fix, so errors remain.
    run.expect(1);
    let after = project.read("errors.note");
    assert_ne!(before, after);
    let remaining: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    // (The technique typo's fix is a guess, not a safe fix: it stays.)
    for fixed in ["missing-response", "missing-intervention"] {
        assert!(
            !remaining.contains(&fixed.to_string()),
            "{fixed} was fixed: {remaining:?}"
        );
    }
    // The report after --fix is what a fresh check of the fixed file says.
    let fresh = project.run(&["check", "--format", "json", "errors.note"]);
    assert_eq!(run.json(), fresh.json());

    let again = project.run(&["check", "--format", "json", "--fix", "errors.note"]);
    assert_eq!(
        project.read("errors.note"),
        after,
        "a second --fix changes nothing"
    );
    assert_eq!(again.json(), run.json());
    assert!(
        std::fs::read_dir(project.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("noteplate-fix")),
        "no temporary file is left behind"
    );
    insta::assert_snapshot!("fixed_errors_note", after);
}

#[cfg(unix)]
#[test]
fn fix_leaves_a_read_only_file_alone() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::fixtures();
    let path = project.path().join("errors.note");
    let before = project.read("errors.note");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = project.run(&["check", "--color", "never", "--fix", "errors.note"]);
    assert_eq!(
        project.read("errors.note"),
        before,
        "the read-only file is unchanged"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // Its findings stay in the report (and so in the exit code); the skip is a warning.
    run.expect(1);
    assert!(
        run.stderr()
            .contains("warning: errors.note is read-only; not fixing it"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stdout.contains("error[missing-response]"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn fix_writes_through_a_symbolic_link() {
    let project = Project::fixtures();
    std::fs::create_dir(project.path().join("shared")).unwrap();
    std::fs::rename(
        project.path().join("errors.note"),
        project.path().join("shared/real.note"),
    )
    .unwrap();
    std::os::unix::fs::symlink("shared/real.note", project.path().join("errors.note")).unwrap();
    project.run(&["check", "--fix", "errors.note"]).expect(1);
    let link = std::fs::symlink_metadata(project.path().join("errors.note")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert!(
        project.read("shared/real.note").contains("## Response"),
        "its target was fixed"
    );
}

#[test]
fn fix_leaves_a_file_that_changed_meanwhile_alone() {
    // Named twice, the file is read twice; the first copy's fixes change it, so the second copy
    // sees a file that changed since it was read and must not write its (stale) fixes over it.
    let project = Project::fixtures();
    let run = project.run(&[
        "check",
        "--color",
        "never",
        "--fix",
        "errors.note",
        "errors.note",
    ]);
    assert!(
        run.stderr()
            .contains("warning: errors.note changed while noteplate ran; not fixing it"),
        "{}",
        run.stderr()
    );
    let once = Project::fixtures();
    once.run(&["check", "--fix", "errors.note"]);
    assert_eq!(project.read("errors.note"), once.read("errors.note"));
}

#[test]
fn diff_prints_the_fixes_and_changes_nothing() {
    let project = Project::fixtures();
    let before = project.read("errors.note");
    let run = project.run(&["check", "--color", "never", "--diff", "errors.note"]);
    run.expect(1);
    assert_eq!(project.read("errors.note"), before, "--diff writes nothing");
    assert!(
        run.stdout
            .starts_with("--- a/errors.note\n+++ b/errors.note\n@@ "),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("diff", run.transcript());

    // The diff is exactly what --fix would write.
    let fixed = Project::fixtures();
    fixed.run(&["check", "--fix", "errors.note"]);
    let diff = run.stdout.split("\nerror[").next().unwrap();
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| &l[1..])
        .collect();
    for line in added {
        assert!(fixed.read("errors.note").contains(line), "{line}");
    }
    let clean = project.run(&["check", "--diff", "clean.note"]);
    clean.expect(0);
    assert!(
        !clean.stdout.contains("---"),
        "no diff for a file without fixes"
    );
}

#[test]
fn isolated_ignores_configuration() {
    let project = Project::fixtures();
    project.write(
        "noteplate.toml",
        "[rules]\ndisable = [\"missing-response\"]\n",
    );
    let rules = |run: &Run| -> Vec<String> {
        run.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let configured = project.run(&["check", "--format", "json", "errors.note"]);
    assert!(!rules(&configured).contains(&"missing-response".to_string()));
    let isolated = project.run(&["check", "--format", "json", "--isolated", "errors.note"]);
    assert!(rules(&isolated).contains(&"missing-response".to_string()));
    // Even a broken configuration is ignored.
    project.write("noteplate.toml", "[rules\n");
    project
        .run(&["check", "--format", "json", "--isolated", "errors.note"])
        .expect(1);
    // --config and --isolated contradict each other.
    project
        .run(&[
            "check",
            "--isolated",
            "--config",
            "noteplate.toml",
            "errors.note",
        ])
        .expect(2);
}

#[test]
fn explicit_config_path() {
    let project = Project::fixtures();
    project.write(
        "ci/strict.toml",
        "[rules.severity]\nunknown-technique = \"error\"\nunknown-front-matter-key = \"error\"\n",
    );
    // warnings.note only has warnings under its own configuration...
    project.run(&["check", "warnings.note"]).expect(0);
    // ...and errors under the one named on the command line, which replaces the folder's
    // (so single-option-choice is a warning again, not the fixture's hint).
    let run = project.run(&[
        "check",
        "--format",
        "json",
        "--config",
        "ci/strict.toml",
        ".",
    ]);
    run.expect(1);
    let severity = |path: &str, rule: &str| -> Vec<String> {
        run.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == path && d["rule"] == rule)
            .map(|d| d["severity"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(severity("./warnings.note", "unknown-technique"), ["error"]);
    assert_eq!(
        severity("./warnings.note", "unknown-front-matter-key"),
        ["error"]
    );
    assert_eq!(
        severity("./errors.note", "single-option-choice"),
        ["warning"]
    );
}

// ------------------------------------------------------------------------ noteplate config

#[test]
fn config_command_shows_values_and_origins() {
    let project = Project::fixtures();
    project.write(
        "base.toml",
        "# shared settings\npayer = \"medicare\"\n\n[rules]\ndisable = [\"missing-time\"]\n",
    );
    project.write(
        "nested/noteplate.toml",
        "extend = \"../base.toml\"\nmax-file-size = 20000\n\n[rules.severity]\nmissing-region = \"info\"\n",
    );
    let folder = project.run(&["config", "nested"]);
    folder.expect(0);
    let file = project.run(&["config", "nested/daily visit.note"]);
    file.expect(0);
    assert_eq!(
        folder.stdout, file.stdout,
        "a folder and a template in it share one configuration"
    );
    let root = project.run(&["config"]);
    let isolated = project.run(&["config", "--isolated", "nested"]);
    let explicit = project.run(&["config", "--config", "base.toml", "nested"]);
    project.write("broken.toml", "payer = 3\n");
    let broken = project.run(&["config", "--config", "broken.toml"]);
    broken.expect(2);
    insta::assert_snapshot!(
        "config_command",
        [folder, root, isolated, explicit, broken]
            .iter()
            .map(Run::transcript)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn config_schema_matches_the_checked_in_file() {
    let run = Project::empty().run(&["config", "--schema"]);
    run.expect(0);
    let checked_in = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/noteplate.schema.json"),
    )
    .expect("docs/noteplate.schema.json exists");
    assert!(
        run.stdout == checked_in,
        "docs/noteplate.schema.json is out of date; regenerate it with\n\
         \x20   cargo run -q -- config --schema > docs/noteplate.schema.json"
    );
    let schema: Value = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    assert!(schema["properties"]["rules"].is_object());
}
