//! The corpus: small templates under `tests/corpus/`, one concern each, named for what they test.
//! Each file is checked exactly as `noteplate check` reads it (raw bytes, so invalid UTF-8 is a
//! finding) and the result is snapshotted with insta, one snapshot per file:
//!
//! ```text
//! LINE:COL-LINE:COL severity rule: message
//!   fix [safe|review]: title
//!     edit LINE:COL-LINE:COL "new text"
//!   related LINE:COL-LINE:COL: message
//! ```
//!
//! Lines and columns are 1-based; columns count characters (Unicode scalar values), as the JSON
//! output does. The input is printed above the findings with its line breaks made visible.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test corpus` (or `cargo insta
//! review`), then read every changed `.snap` before committing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use noteplate::analysis::{Diagnostic, Settings, analyze_text};
use noteplate::config::ProjectConfig;
use noteplate::line_index::LineIndex;
use noteplate::pipeline::{self, Contents, IncludeBase};
use noteplate::rulepack::{RuleId, RulePack, Severity};
use noteplate::syntax::Span;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Every corpus file, sorted by name.
fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "note"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A corpus file's text as analysed and its findings.
struct Report {
    text: String,
    diagnostics: Vec<Diagnostic>,
}

/// Checks a corpus file as `noteplate check` does with no configuration file: raw bytes through
/// the pipeline, `@include` lines resolved against `tests/corpus/` as the project root.
fn check(path: &Path) -> Report {
    let bytes = std::fs::read(path).expect("readable corpus file");
    let config = ProjectConfig::defaults(corpus_dir());
    let analysed = pipeline::analyse(
        Contents::Bytes(bytes),
        IncludeBase::File(path),
        &config,
        &config.settings,
        &noteplate::fragments::FragmentCache::new(),
    );
    Report {
        text: analysed.text,
        diagnostics: analysed.analysis.diagnostics,
    }
}

/// Messages about includes name absolute paths; keep snapshots independent of the checkout.
fn redact(message: &str) -> String {
    let mut message = message.to_string();
    let dir = corpus_dir();
    for root in [dir.canonicalize().ok(), Some(dir)].into_iter().flatten() {
        message = message.replace(&root.display().to_string(), "<corpus>");
        if let Some(parent) = root.parent().and_then(Path::parent) {
            message = message.replace(&parent.display().to_string(), "<repo>");
        }
    }
    message
}

fn position(index: &LineIndex, text: &str, span: Span) -> String {
    let (start_line, start_column) = index.line_column(text, span.start);
    let (end_line, end_column) = index.line_column(text, span.end);
    format!("{start_line}:{start_column}-{end_line}:{end_column}")
}

/// The input with line numbers and visible line breaks, so a reviewer can check positions.
fn render_input(text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for line in 0..index.line_count() {
        let start = index.line_start(line);
        let end = if line + 1 < index.line_count() {
            index.line_start(line + 1)
        } else {
            text.len()
        };
        let raw = &text[start..end];
        let (content, brk) = if let Some(content) = raw.strip_suffix("\r\n") {
            (content, "\\r\\n")
        } else if let Some(content) = raw.strip_suffix('\n') {
            (content, "\\n")
        } else if let Some(content) = raw.strip_suffix('\r') {
            (content, "\\r")
        } else {
            (raw, "")
        };
        if content.is_empty() && brk.is_empty() {
            continue;
        }
        let shown: String = content
            .chars()
            .map(|ch| match ch {
                '\t' => "→".to_string(),
                '\u{feff}' => "<BOM>".to_string(),
                '\u{fffd}' => "<U+FFFD>".to_string(),
                ch if ch.is_control() => ch.escape_unicode().to_string(),
                ch => ch.to_string(),
            })
            .collect();
        let _ = writeln!(out, "{:>3} | {shown}{brk}", line + 1);
    }
    out
}

fn render_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    if diagnostics.is_empty() {
        out.push_str("(no findings)\n");
    }
    for diagnostic in diagnostics {
        let _ = writeln!(
            out,
            "{} {} {}: {}",
            position(&index, text, diagnostic.span),
            diagnostic.severity.as_str(),
            diagnostic.rule,
            redact(&diagnostic.message)
        );
        if let Some(fix) = &diagnostic.fix {
            let safety = if fix.safe { "safe" } else { "review" };
            let _ = writeln!(out, "  fix [{safety}]: {}", fix.title);
            for edit in &fix.edits {
                let _ = writeln!(
                    out,
                    "    edit {} {:?}",
                    position(&index, text, edit.span),
                    edit.new_text
                );
            }
        }
        for related in &diagnostic.related {
            let _ = writeln!(
                out,
                "  related {}: {}",
                position(&index, text, related.span),
                redact(&related.message)
            );
        }
    }
    out
}

fn render(report: &Report) -> String {
    format!(
        "--- input\n{}--- findings\n{}",
        render_input(&report.text),
        render_diagnostics(&report.text, &report.diagnostics)
    )
}

#[test]
fn corpus_snapshots() {
    let files = corpus_files();
    assert!(
        files.len() >= 34,
        "the corpus should have at least 34 files"
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = stem(path);
        let rendered = render(&check(path));
        let mut settings = insta::Settings::clone_current();
        settings.set_input_file(path);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_snapshot_path("snapshots/corpus");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.clone(), rendered));
        }));
        if result.is_err() {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "snapshots differ: {failures:?}");
}

/// Every rule in the pack has a `rule-<id>-fires*.note` file that reports it and a
/// `rule-<id>-ok*.note` file that reports nothing at all.
#[test]
fn every_rule_fires_and_has_a_clean_counterpart() {
    let pack = RulePack::embedded();
    let files = corpus_files();
    let mut problems = Vec::new();
    for rule in &pack.rules {
        // Only a configured max-file-size triggers the first (tests/cli.rs covers it), and only a
        // project code that needs a `time` section the second (tests/config.rs covers it).
        if matches!(rule.id, RuleId::FileTooLarge | RuleId::MissingTime) {
            continue;
        }
        let fires: Vec<&PathBuf> = files
            .iter()
            .filter(|path| stem(path).starts_with(&format!("rule-{}-fires", rule.id)))
            .collect();
        let ok: Vec<&PathBuf> = files
            .iter()
            .filter(|path| stem(path).starts_with(&format!("rule-{}-ok", rule.id)))
            .collect();
        if fires.is_empty() || ok.is_empty() {
            problems.push(format!("{}: needs both a -fires and an -ok file", rule.id));
        }
        for path in fires {
            let report = check(path);
            if !report.diagnostics.iter().any(|d| d.rule == rule.id) {
                problems.push(format!("{}: does not report {}", stem(path), rule.id));
            }
        }
        for path in ok {
            let report = check(path);
            if !report.diagnostics.is_empty() {
                let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
                problems.push(format!(
                    "{}: expected no findings, got {rules:?}",
                    stem(path)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every rule reported anywhere in the corpus is documented in the pack (rule ids are typed, and
/// `rulepack::rule_id` checks the ids against `rules.toml` both ways; this checks the pack the
/// analysis reads).
#[test]
fn every_reported_rule_is_documented() {
    let pack = RulePack::embedded();
    let mut problems = Vec::new();
    for path in corpus_files() {
        for diagnostic in check(&path).diagnostics {
            if pack.rule(diagnostic.rule).is_none() {
                problems.push(format!(
                    "{}: `{}` is reported but has no [[rule]] in rules.toml",
                    stem(&path),
                    diagnostic.rule
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Recommended sections are reported as warnings, required ones as errors.
#[test]
fn recommended_sections_are_warnings() {
    for name in [
        "rule-missing-plan-fires-as-warning",
        "rule-missing-response-fires-as-warning",
    ] {
        let report = check(&corpus_dir().join(format!("{name}.note")));
        assert_eq!(report.diagnostics.len(), 1, "{name}");
        assert_eq!(report.diagnostics[0].severity, Severity::Warning, "{name}");
    }
}

/// Fixes known to be wrong today because of bugs in `src/` (reported, not yet fixed): the
/// (corpus file, rule) pairs whose fix does not resolve its finding. When one starts working,
/// the test fails so that the entry is removed.
const KNOWN_FIX_BUGS: &[(&str, &str)] = &[];

/// Applying a finding's fix makes that finding go away and introduces no syntax error. The
/// result is compared by rule: after the edit there is one finding fewer of the fixed rule.
#[test]
fn fixes_resolve_their_findings() {
    let pack = RulePack::embedded();
    let settings = Settings::default();
    let mut problems = Vec::new();
    let mut known_seen = Vec::new();
    let mut fixes = 0;
    for path in corpus_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // invalid UTF-8 has no fix
        };
        let name = stem(&path);
        if !noteplate::syntax::parse(&text).document.includes.is_empty() {
            continue; // findings depend on the fragments; see `corpus_snapshots`
        }
        let before = analyze_text(&text, &pack, &settings).diagnostics;
        let count = |diagnostics: &[Diagnostic], rule: RuleId| {
            diagnostics.iter().filter(|d| d.rule == rule).count()
        };
        for diagnostic in &before {
            let Some(fix) = &diagnostic.fix else { continue };
            fixes += 1;
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
            let mut fixed = text.clone();
            for edit in &edits {
                fixed.replace_range(edit.span.start..edit.span.end, &edit.new_text);
            }
            let after = analyze_text(&fixed, &pack, &settings).diagnostics;
            let mut wrong = Vec::new();
            if count(&after, diagnostic.rule) >= count(&before, diagnostic.rule) {
                wrong.push("the finding is still there");
            }
            if count(&after, RuleId::SyntaxError) > count(&before, RuleId::SyntaxError) {
                wrong.push("it introduces a syntax error");
            }
            let known = KNOWN_FIX_BUGS.contains(&(name.as_str(), diagnostic.rule.as_str()));
            if known {
                if !wrong.is_empty() {
                    known_seen.push((name.clone(), diagnostic.rule.to_string()));
                }
                continue;
            }
            if !wrong.is_empty() {
                problems.push(format!(
                    "{name} `{}` ({}): {}; text after the fix:\n{fixed}",
                    fix.title,
                    diagnostic.rule,
                    wrong.join(" and ")
                ));
            }
        }
    }
    for (name, rule) in KNOWN_FIX_BUGS {
        if !known_seen.iter().any(|(n, r)| n == name && r == rule) {
            problems.push(format!(
                "{name} ({rule}) is listed in KNOWN_FIX_BUGS but its fix works now: remove the entry"
            ));
        }
    }
    assert!(fixes > 10, "only {fixes} fixes in the corpus");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Findings come out sorted by position and every range lies inside the text on char
/// boundaries, for every corpus file.
#[test]
fn ranges_are_ordered_and_in_bounds() {
    for path in corpus_files() {
        let report = check(&path);
        let text = &report.text;
        let mut last = 0;
        for diagnostic in &report.diagnostics {
            let span = diagnostic.span;
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{path:?} {diagnostic:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{path:?} {diagnostic:?}"
            );
            assert!(span.start >= last, "{path:?}: findings out of order");
            last = span.start;
            let edits = diagnostic.fix.iter().flat_map(|fix| &fix.edits);
            for span in edits
                .map(|edit| edit.span)
                .chain(diagnostic.related.iter().map(|r| r.span))
            {
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{path:?} {diagnostic:?}"
                );
                assert!(
                    text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                    "{path:?} {diagnostic:?}"
                );
            }
        }
    }
}

/// The analysis remembers what each technique-section run says (per thread and rule pack), so a
/// re-analysis only works out the runs that changed. What it finds must not depend on what was
/// analysed before: each file checked on a fresh thread (nothing remembered) gives exactly what
/// it gives after every other corpus file, and itself, went through the same thread.
#[test]
fn findings_do_not_depend_on_what_was_analysed_before() {
    let files = corpus_files();
    let render_all = |files: &[PathBuf]| -> Vec<String> {
        files
            .iter()
            .map(|path| render_diagnostics_of(&check(path)))
            .collect()
    };
    // Warm: the whole corpus twice in reverse order, then forwards, on one thread.
    let mut reversed = files.clone();
    reversed.reverse();
    let warm = std::thread::spawn(move || {
        render_all(&reversed);
        let mut files = reversed;
        files.reverse();
        render_all(&files)
    })
    .join()
    .unwrap();
    for (path, warm) in files.iter().zip(&warm) {
        let owned = path.clone();
        let cold = std::thread::spawn(move || render_diagnostics_of(&check(&owned)))
            .join()
            .unwrap();
        assert_eq!(&cold, warm, "{}", stem(path));
    }
}

fn render_diagnostics_of(report: &Report) -> String {
    render_diagnostics(&report.text, &report.diagnostics)
}

/// The same run text means different things as plain text and as a choice option ("quantum
/// release" is an unknown technique only as an option), and the same words mean different things
/// with another rule pack: neither may leak from one analysis into the next.
#[test]
fn remembered_runs_keep_options_text_and_packs_apart() {
    let head = "---\ncodes: 97140\n---\n## Technique\n";
    let as_text = format!("{head}quantum release to the knee\n");
    let as_option = format!("{head}- {{quantum release to the knee|joint mobilization}}\n");
    let pack = RulePack::embedded();
    let mut other = pack.clone();
    let mut technique = other.techniques[0].clone();
    technique.name = "quantum release to the knee".to_string();
    technique.synonyms.clear();
    technique.abbreviations.clear();
    other.extend(Vec::new(), Vec::new(), vec![technique]);
    fn findings(text: &str, pack: &RulePack) -> Vec<String> {
        analyze_text(text, pack, &Settings::default())
            .diagnostics
            .iter()
            .map(|d| format!("{} {}..{}", d.rule, d.span.start, d.span.end))
            .collect()
    }
    let cold = |text: String, pack: RulePack| {
        std::thread::spawn(move || findings(&text, &pack))
            .join()
            .unwrap()
    };
    let expected = [
        cold(as_text.clone(), pack.clone()),
        cold(as_option.clone(), pack.clone()),
        cold(as_option.clone(), other.clone()),
    ];
    assert!(
        expected[1]
            .iter()
            .any(|f| f.starts_with("unknown-technique")),
        "{expected:?}"
    );
    assert_ne!(expected[0], expected[1]);
    assert_ne!(expected[1], expected[2]);
    for _ in 0..2 {
        assert_eq!(findings(&as_text, &pack), expected[0]);
        assert_eq!(findings(&as_option, &pack), expected[1]);
        assert_eq!(findings(&as_option, &other), expected[2]);
    }
}
