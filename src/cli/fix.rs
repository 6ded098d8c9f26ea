//! `--fix` and `--diff`: apply the safe fixes of each report (repeatedly, as a fix can reveal
//! another), then write the file in place or print a unified diff. A file whose bytes changed
//! since it was read is left alone; writes go through a temporary file and a rename, so a crash
//! never leaves half a template.

use std::io::Write;

use super::check::FileReport;
use crate::analysis::{self, Edit};
use crate::fragments;

/// How many rounds of fixes to apply at most; each round re-analyses the fixed text.
const MAX_ROUNDS: usize = 5;

/// Applies non-overlapping edits (sorted by start) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        if edit.span.start < cursor || edit.span.end > text.len() {
            continue;
        }
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.new_text);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// Fixes every report; returns how many files could not be written.
/// `diff_to_stderr`: print diffs (and fixed stdin) on stderr, because stdout carries a
/// machine-readable report.
pub fn run(reports: &mut [FileReport], write: bool, diff_to_stderr: bool) -> usize {
    let mut failures = 0;
    for report in reports.iter_mut() {
        if report
            .diagnostics
            .iter()
            .any(|d| d.rule == "invalid-utf8" || d.rule == "file-too-large")
        {
            continue;
        }
        let original_text = report.text.clone();
        let mut text = report.text.clone();
        let mut diagnostics = report.diagnostics.clone();
        for _ in 0..MAX_ROUNDS {
            let edits = analysis::safe_fix_edits(&diagnostics);
            if edits.is_empty() {
                break;
            }
            let fixed = apply_edits(&text, &edits);
            let after = reanalyse(report, &fixed);
            // Keep a round only if it made progress; a fix that cannot take (e.g. text added
            // inside an unclosed comment) must not grow the file round after round.
            if fixed == text || after.len() >= diagnostics.len() {
                break;
            }
            text = fixed;
            diagnostics = after;
        }
        if text == original_text {
            continue;
        }
        if !write {
            print_diff(&report.name, &original_text, &text, diff_to_stderr);
            continue;
        }
        let Some(path) = &report.path else {
            // stdin: print the fixed text instead of writing anywhere.
            if diff_to_stderr {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            report.text = text;
            report.diagnostics = diagnostics;
            continue;
        };
        match std::fs::read(path) {
            Ok(current) if Some(&current) == report.original.as_ref() => {}
            _ => {
                eprintln!(
                    "warning: {} changed while noteplate ran; not fixing it",
                    report.name
                );
                continue;
            }
        }
        // The write replaces the file by renaming a new one over it, which the folder's
        // permissions allow even when the file's do not: honour a read-only file explicitly.
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
            eprintln!(
                "warning: {} is read-only; not fixing it (make it writable to apply the fixes)",
                report.name
            );
            continue;
        }
        if let Err(error) = write_atomically(path, &text) {
            eprintln!("error: cannot write fixes to {}: {error}", report.name);
            failures += 1;
            continue;
        }
        report.text = text;
        report.diagnostics = diagnostics;
    }
    failures
}

fn reanalyse(report: &FileReport, text: &str) -> Vec<analysis::Diagnostic> {
    let config = &report.config;
    let parse = crate::syntax::parse(text);
    let includes = match &report.path {
        Some(path) if !parse.document.includes.is_empty() => {
            fragments::resolve(path, text, &parse, config)
        }
        _ => analysis::Includes::default(),
    };
    analysis::analyze_with(text, &parse, &config.pack, &config.settings, &includes)
}

fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    // Write through a symbolic link to its target, rather than replacing the link with a file.
    let path = &std::fs::canonicalize(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.noteplate-fix"));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, metadata.permissions());
    }
    std::fs::rename(&temporary, path)
}

fn print_diff(name: &str, before: &str, after: &str, to_stderr: bool) {
    let diff = similar::TextDiff::from_lines(before, after);
    let rendered = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if to_stderr {
        eprint!("{rendered}");
    } else {
        print!("{rendered}");
    }
}
