//! `noteplate import --from smartphrase|text|markdown` and `noteplate export --to
//! smartphrase|markdown` (docs/interop.md): snapshots of the real inputs under tests/interop/
//! (sources in tests/interop/SOURCES.md), the command line (standard input, `-o`, `--report`,
//! input that is not UTF-8, `-o` onto a symbolic link), fragments inlined on export, and a
//! property test that no reader panics and every import is a template that parses cleanly.

mod support;

use std::path::Path;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::interop::{self, Imported};
use noteplate::rulepack::RulePack;
use proptest::prelude::*;
use support::*;

type Reader = fn(&str) -> Result<Imported, interop::ImportError>;

const READERS: [(&str, Reader); 3] = [
    ("smartphrase", interop::smartphrase::import),
    ("text", interop::plain::import),
    ("markdown", interop::markdown::import),
];

/// The syntax errors of an imported template (there must be none).
fn syntax_errors(note: &str) -> Vec<String> {
    let pack = RulePack::embedded();
    analyze_text(note, &pack, &Settings::default())
        .diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == "syntax-error")
        .map(|d| d.message.clone())
        .collect()
}

fn repo_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Each real input, imported: the `.note` text, the places kept as text, and the template
/// written back out in the same format.
#[test]
fn real_inputs_import_as_snapshotted() {
    let mut seen = 0;
    for (format, reader) in READERS {
        let dir = repo_path(&format!("tests/interop/{format}"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("the inputs folder")
            .flatten()
            .map(|entry| entry.path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("UTF-8 input");
            let imported = reader(&text).expect("the readers never fail on text");
            let note = imported.template.to_note();
            assert_eq!(
                syntax_errors(&note),
                Vec::<String>::new(),
                "{}",
                file.display()
            );
            let mut shown = format!("{note}\n--- kept as text ---\n");
            for place in &imported.unmapped {
                shown.push_str(&format!("line {}: {}\n", place.line, place.what));
            }
            let written = match format {
                "smartphrase" => interop::smartphrase::export(&imported.template),
                "markdown" => interop::markdown::export(&imported.template),
                _ => interop::smartphrase::export(&imported.template),
            }
            .expect("the writers take any imported template");
            shown.push_str("--- exported again ---\n");
            shown.push_str(&written);
            let name = format!("{format}__{}", file.file_stem().unwrap().to_string_lossy());
            insta::assert_snapshot!(name, shown);
            seen += 1;
        }
    }
    assert!(seen >= 5, "the real inputs are missing ({seen} found)");
}

/// The sources of the inputs are recorded, one row per file.
#[test]
fn every_input_has_a_source() {
    let sources = std::fs::read_to_string(repo_path("tests/interop/SOURCES.md")).unwrap();
    for (format, _) in READERS {
        for entry in std::fs::read_dir(repo_path(&format!("tests/interop/{format}")))
            .unwrap()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                sources.contains(&format!("`{format}/{name}`")),
                "tests/interop/SOURCES.md does not list {format}/{name}"
            );
        }
    }
}

#[test]
fn import_reads_standard_input_and_writes_stdout() {
    let dir = temp();
    let output = run_stdin(
        dir.path(),
        &["import", "--from", "smartphrase"],
        b"SUBJECTIVE: Patient reports ***\nTolerated {Response:12345:: well|with mild soreness}\n",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "## SUBJECTIVE\nPatient reports ***\nTolerated {well|with mild soreness}\n"
    );
    // `-` is standard input too.
    let output = run_stdin(
        dir.path(),
        &["import", "--from", "text", "-"],
        b"Goal: ____\n",
    );
    assert_eq!(stdout(&output), "Goal: {{goal}}\n");
}

#[test]
fn import_writes_the_output_file_and_reports_what_it_kept_as_text() {
    let dir = temp();
    write(
        dir.path(),
        "phrase.txt",
        "Seen @TODAY@ by @ME@, sex @SEX@\nPain {Pain:301100}\n",
    );
    let output = run(
        dir.path(),
        &[
            "import",
            "--from",
            "smartphrase",
            "phrase.txt",
            "-o",
            "out.note",
            "--report",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "the template goes to the file");
    let written = std::fs::read_to_string(dir.path().join("out.note")).unwrap();
    assert!(
        written.contains("Seen {{today:date}} by {{me}}, sex {{sex}}"),
        "{written}"
    );
    assert!(written.contains("Pain {{pain}}"), "{written}");
    let report = stderr(&output);
    assert!(report.contains("phrase.txt:1: SmartLink @SEX@"), "{report}");
    assert!(
        report.contains("phrase.txt:2: SmartList {Pain:301100} has no options"),
        "{report}"
    );
    // Without --report the places are only in the template's comments.
    let output = run(
        dir.path(),
        &[
            "import",
            "--from",
            "smartphrase",
            "phrase.txt",
            "-o",
            "again.note",
        ],
    );
    assert!(
        !stderr(&output).contains("SmartLink"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_of_text_that_is_not_utf8_writes_nothing_and_exits_2() {
    let dir = temp();
    write(
        dir.path(),
        "form.txt",
        b"Pain: ____\n45\xb0 flexion\n".as_slice(),
    );
    for format in ["smartphrase", "text", "markdown"] {
        let output = run(
            dir.path(),
            &["import", "--from", format, "form.txt", "-o", "out.note"],
        );
        assert_eq!(code(&output), 2, "{format}");
        assert!(
            stderr(&output).contains("form.txt:2:3: the input is not UTF-8 (byte 0xB0)"),
            "{}",
            stderr(&output)
        );
        assert!(
            !dir.path().join("out.note").exists(),
            "{format} wrote a file"
        );
    }
    let output = run_stdin(dir.path(), &["import", "--from", "text"], b"\xff");
    assert_eq!((code(&output), stdout(&output)), (2, String::new()));
}

#[cfg(unix)]
#[test]
fn output_onto_a_symbolic_link_writes_the_link_target_only() {
    let dir = temp();
    let outside = temp();
    let target = outside.path().join("target.note");
    std::fs::write(&target, "old\n").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("link.note")).unwrap();
    let output = run_stdin(
        dir.path(),
        &["import", "--from", "text", "-o", "link.note"],
        b"Goal: ____\n",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // The documented rule: an existing file is replaced, a link's target rather than the link.
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "Goal: {{goal}}\n"
    );
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.note"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    // A dangling link is never written through: nothing appears where it points.
    let missing = outside.path().join("missing.note");
    std::os::unix::fs::symlink(&missing, dir.path().join("dangling.note")).unwrap();
    let output = run_stdin(
        dir.path(),
        &["import", "--from", "text", "-o", "dangling.note"],
        b"Goal: ____\n",
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(!missing.exists(), "written through a dangling link");
}

/// A project with a template that includes a fragment (which includes the template back) and
/// a file outside the project root.
fn project() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = temp();
    let outside = temp();
    write(dir.path(), "noteplate.toml", "");
    write(
        dir.path(),
        "shared/signature.note",
        "## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n",
    );
    write(
        dir.path(),
        "shared/loop.note",
        "## Loop section\nLoop text\n@include loop.note\n",
    );
    write(outside.path(), "secret.note", "## Secret section\nSECRET\n");
    let escape = outside.path().join("secret.note");
    write(
        dir.path(),
        "visit.note",
        format!(
            "---\ntemplate: Visit\ncodes: 97140-GP\n---\n## Technique\n- {{joint mobilization|myofascial release}} to {{{{region:region}}}}\n@include shared/signature.note\n@include shared/loop.note\n@include {}\n",
            escape.display()
        ),
    );
    (dir, outside)
}

#[test]
fn export_inlines_fragments_stops_cycles_and_stays_in_the_root() {
    let (dir, _outside) = project();
    let output = run(dir.path(), &["export", "--to", "markdown", "visit.note"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let markdown = stdout(&output);
    // The fragment's section is in the export, not the include line.
    assert!(
        markdown.contains("## Signature\n\n`{{clinician_name}}`, `{PT|PTA}`"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("@include shared/signature.note"),
        "{markdown}"
    );
    // The cycle is read once, then stopped with a comment.
    assert_eq!(markdown.matches("## Loop section").count(), 1, "{markdown}");
    assert!(
        markdown.contains(
            "<!-- not inlined: `loop.note` includes a file that is already being included"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("<!-- @include loop.note -->"),
        "{markdown}"
    );
    // The include that leaves the project root is not read.
    assert!(!markdown.contains("SECRET"), "{markdown}");
    assert!(markdown.contains("outside the project root"), "{markdown}");
    let output = run(dir.path(), &["export", "--to", "smartphrase", "visit.note"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let phrase = stdout(&output);
    assert!(phrase.contains("SIGNATURE:\n***, {Choice:"), "{phrase}");
    assert!(!phrase.contains("SECRET"), "{phrase}");
}

#[test]
fn export_to_smartphrase_and_back_keeps_sections_and_choices() {
    let (dir, _outside) = project();
    let output = run(
        dir.path(),
        &[
            "export",
            "--to",
            "smartphrase",
            "visit.note",
            "-o",
            "visit.txt",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = run(
        dir.path(),
        &["import", "--from", "smartphrase", "visit.txt"],
    );
    let note = stdout(&output);
    assert!(
        note.contains("## TECHNIQUE\n- {joint mobilization|myofascial release} to ***"),
        "{note}"
    );
    assert!(note.contains("## SIGNATURE\n***, {PT|PTA}, ***"), "{note}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No reader panics on any text, and what it makes parses without a syntax error.
    #[test]
    fn readers_never_panic_and_always_make_a_clean_template(
        text in proptest::collection::vec(
            prop_oneof![
                Just("***".to_string()),
                Just("{".to_string()),
                Just("}".to_string()),
                Just("|".to_string()),
                Just("::".to_string()),
                Just("\"".to_string()),
                Just("@".to_string()),
                Just("____".to_string()),
                Just("[ ] ".to_string()),
                Just("( ) ".to_string()),
                Just("☐".to_string()),
                Just("\n".to_string()),
                Just("\r".to_string()),
                Just("\u{c}".to_string()),
                Just("\t".to_string()),
                Just("# ".to_string()),
                Just("- ".to_string()),
                Just("`".to_string()),
                Just("<!--".to_string()),
                Just("-->".to_string()),
                Just("---\n".to_string()),
                Just("{{".to_string()),
                Just("}}".to_string()),
                Just(":".to_string()),
                Just("\\".to_string()),
                Just("SUBJECTIVE".to_string()),
                Just("@include ".to_string()),
                "[a-zA-Z0-9 ]{0,6}",
                any::<char>().prop_map(String::from),
            ],
            0..40,
        ).prop_map(|parts| parts.concat())
    ) {
        for (format, reader) in READERS {
            let imported = reader(&text).expect("the readers never fail on text");
            let note = imported.template.to_note();
            let errors = syntax_errors(&note);
            prop_assert!(errors.is_empty(), "{format} of {text:?} made {note:?}: {errors:?}");
            interop::smartphrase::export(&imported.template).expect("smartphrase writer");
            interop::markdown::export(&imported.template).expect("markdown writer");
        }
    }
}
