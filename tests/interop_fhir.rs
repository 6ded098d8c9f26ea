//! FHIR R4 Questionnaire import and export on real inputs: every example and real-world
//! template survives export and import (same sections, kinds, fields, types and choices), every
//! question of the real Questionnaires in tests/interop/fhir survives import and export, and
//! snapshots of both directions. The CLI refuses bad input with exit 2 and writes nothing.
//! (tests/interop/run.sh validates the exports with fhir.resources and renders them in LHC-Forms.)

use std::path::{Path, PathBuf};
use std::process::Command;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::interop::fhir;
use noteplate::interop::model::{Block, Piece, Template, field_name, unescape};
use noteplate::rulepack::RulePack;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

fn template(text: &str) -> Template {
    let pack = RulePack::embedded();
    let analysis = analyze_text(text, &pack, &Settings::default());
    Template::from_analysis(text, &analysis, &pack)
}

/// What a round trip must keep: the front matter, and per section (title and kind, as the
/// analysis sees them) its fields (name and type), choices (options) and wildcards, in order.
fn normalised(template: &Template) -> Vec<String> {
    let meta = &template.meta;
    let mut out = vec![format!(
        "meta {:?} {:?} {:?} {:?} {:?}",
        meta.title, meta.codes, meta.payer, meta.note_type, meta.version
    )];
    for block in &template.blocks {
        match block {
            // Runs of spaces in a title become one (FHIR text is written on one line), and
            // escapes are read: `from_analysis` gives a title as written, `{{x}}` in it too,
            // and `to_note` escapes it as text (`\{\{x\}\}`), which reads the same.
            Block::Heading(heading) => out.push(format!(
                "section {:?} {:?}",
                unescape(&heading.title)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                heading.kind
            )),
            Block::Include(path) => out.push(format!("include {path}")),
            Block::Line(pieces) => {
                for piece in pieces {
                    match piece {
                        Piece::Text(_) => {}
                        Piece::Field { name, ty } => out.push(format!(
                            "field {} {}",
                            field_name(name),
                            ty.as_deref().unwrap_or("text")
                        )),
                        Piece::Choice(options) => out.push(format!(
                            "choice {:?}",
                            options
                                .iter()
                                .map(|option| option.trim())
                                .filter(|option| !option.is_empty())
                                .collect::<Vec<_>>()
                        )),
                        Piece::Wildcard => out.push("wildcard".to_string()),
                    }
                }
            }
            Block::Blank | Block::Comment(_) => {}
        }
    }
    out
}

#[test]
fn every_example_and_real_world_template_survives_export_and_import() {
    let mut paths = files("examples", "note");
    paths.extend(files("tests/realworld", "note"));
    assert!(paths.len() >= 40, "{} templates", paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let original = template(&text);
        let json = fhir::export(&original).unwrap();
        let imported =
            fhir::import(&json).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert!(
            imported.unmapped.is_empty(),
            "{}: {:?}",
            path.display(),
            imported.unmapped
        );
        // Through `.note` text and the analysis again, as `noteplate import` writes it.
        let back = template(&imported.template.to_note());
        assert_eq!(
            normalised(&back),
            normalised(&original),
            "{} changed in the round trip",
            path.display()
        );
    }
}

/// The question items (not groups or display items) of a Questionnaire, as (type, text).
fn questions(json: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = json["item"]
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .collect();
    while let Some(item) = stack.pop() {
        let kind = item["type"].as_str().unwrap_or("");
        if !matches!(kind, "group" | "display") {
            let text = item["text"].as_str().unwrap_or("");
            out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        stack.extend(item["item"].as_array().into_iter().flatten().rev());
    }
    out
}

#[test]
fn real_questionnaires_import_and_export_with_every_question() {
    let paths = files("tests/interop/fhir", "json");
    assert!(paths.len() >= 3, "{paths:?}");
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let imported = fhir::import(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
        let note = imported.template.to_note();
        let report: Vec<String> = imported
            .unmapped
            .iter()
            .map(|place| format!("{}: {}", place.line, place.what))
            .collect();
        insta::with_settings!({snapshot_path => "snapshots/interop", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(
                format!("fhir-import-{name}"),
                format!("{note}--- kept as text\n{}\n", report.join("\n"))
            );
        });
        let original: Value = serde_json::from_str(&text).unwrap();
        let exported: Value =
            serde_json::from_str(&fhir::export(&template(&note)).unwrap()).unwrap();
        assert_eq!(
            questions(&exported),
            questions(&original),
            "{name}: every question is kept, in order, with its text"
        );
    }
}

#[test]
fn example_exports_are_snapshotted() {
    for path in files("examples", "note") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let json = fhir::export(&template(&std::fs::read_to_string(&path).unwrap())).unwrap();
        insta::with_settings!({snapshot_path => "snapshots/interop", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("fhir-export-{name}"), json);
        });
    }
}

struct Run {
    code: Option<i32>,
    stderr: String,
}

fn noteplate(args: &[&str], dir: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_noteplate"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "noteplate-interop-fhir-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bad_input_exits_2_with_a_position_and_writes_nothing() {
    let dir = scratch("bad");
    let cases: [(&str, &[u8], &str); 5] = [
        ("invalid.json", b"{\n  \"resourceType\": \"Questionnaire\",\n  \"item\": [}\n", "invalid.json:3:12: invalid JSON"),
        ("patient.json", b"{\"resourceType\": \"Patient\"}", "patient.json:1:2: this is a FHIR Patient"),
        (
            "r5.json",
            b"{\"resourceType\": \"Questionnaire\",\n \"item\": [{\"linkId\": \"a\", \"type\": \"coding\"}]}",
            "r5.json:2:27: this Questionnaire is FHIR R5, not R4",
        ),
        (
            "stu3.json",
            b"{\"resourceType\": \"Questionnaire\",\n \"item\": [{\"linkId\": \"a\", \"type\": \"choice\",\n \"option\": []}]}",
            "stu3.json:3:2: this Questionnaire is FHIR STU3, not R4",
        ),
        ("latin1.json", b"{\"resourceType\": \"Questionnaire\", \"title\": \"caf\xe9\"}", "latin1.json:1:48: the input is not UTF-8"),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(dir.join(name), bytes).unwrap();
        let run = noteplate(&["import", "--from", "fhir", name, "-o", "out.note"], &dir);
        assert_eq!(run.code, Some(2), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert!(!dir.join("out.note").exists(), "{name}: nothing is written");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What docs/interop.md ("The pipeline") and tests/interop/run.sh append to the imported panel.
const PIPELINE_ADDITIONS: &str = "\n## Signature\nSigned: {{clinician}}, {{credentials}}\n";

/// The pipeline of docs/interop.md on a LOINC therapy panel, the physical therapy initial visit
/// panel (76453-0) as NLM's LHC-Forms exports it: import, check, export (run.sh validates).
#[test]
fn the_documented_pipeline_runs() {
    let dir = scratch("pipeline");
    let source = root().join("tests/interop/fhir/lhcforms-pt-initial-visit-76453-0.json");
    let run = noteplate(
        &[
            "import",
            "--from",
            "fhir",
            source.to_str().unwrap(),
            "-o",
            "t.note",
            "--report",
        ],
        &dir,
    );
    // The panel is an initial visit (an evaluation) with no place for a signature: exit 1.
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("lhcforms-pt-initial-visit-76453-0.json:"))
        .collect();
    assert_eq!(report.len(), 2, "{}", run.stderr);
    assert!(
        report[0].ends_with(
            ":16155: \"Place of service\": its answer options have no value (the answer list is not in the file); kept as a text field"
        ),
        "{}",
        run.stderr
    );
    assert!(
        report[1].contains(":16209: \"Primary Dx ICD code\""),
        "{}",
        run.stderr
    );
    let findings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("t.note:"))
        .collect();
    assert_eq!(findings.len(), 1, "{}", run.stderr);
    assert!(
        findings[0]
            .starts_with("t.note:2:1: error[missing-signature]: an evaluation must be signed"),
        "{}",
        run.stderr
    );
    let note = std::fs::read_to_string(dir.join("t.note")).unwrap();
    // "Date of first visit" (76423-3, a decimal with the unit {mm/dd/yyyy}) is a date, and the
    // date of service of an initial visit.
    assert!(
        note.contains("\nDate of first visit: {{date_of_first_visit:date}}\n"),
        "{note}"
    );
    // What docs/interop.md tells the author to add (a signature section) makes `check` clean.
    std::fs::write(dir.join("t.note"), format!("{note}{PIPELINE_ADDITIONS}")).unwrap();
    let run = noteplate(&["check", "t.note"], &dir);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = noteplate(
        &["export", "--to", "fhir", "t.note", "-o", "out.json"],
        &dir,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(json["title"], "Physical therapy initial visit panel");
    // The panel's 138 questions, in order and with their text, then the two fields the author
    // added.
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&source).unwrap()).unwrap();
    let mut expected = questions(&original);
    assert_eq!(expected.len(), 138, "{expected:?}");
    expected.extend(["Clinician", "Credentials"].map(String::from));
    assert_eq!(questions(&json), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}
