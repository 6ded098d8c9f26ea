//! `--format gitlab`: GitLab Code Quality JSON, an array of
//! `{"description","check_name","fingerprint","severity","location":{"path","lines":{"begin","end"}}}`.
//!
//! Severity: error -> `major`, warning -> `minor`, info and hint -> `info`.
//!
//! The fingerprint identifies a finding across pipelines, so GitLab can tell new findings from
//! fixed ones in a merge request. It hashes the path, the rule, the text of the finding's first
//! line (not its line number, so editing above the finding keeps it) and how many findings with
//! the same path, rule and line text came before it (so duplicates stay distinct). The hash is
//! 128 bits of FNV-1a (two 64-bit passes with different offset bases), as 32 hex digits: stable
//! across platforms and releases, and written here rather than taken from a crate so that it
//! cannot change under us.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::cli::check::FileReport;
use crate::line_index::LineIndex;
use crate::rulepack::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let path = super::sarif::portable_path(&report.name);
        let prints = fingerprints(report, &index);
        for (diagnostic, fingerprint) in report.diagnostics.iter().zip(prints) {
            let position = super::position(&index, &report.text, diagnostic);
            issues.push(Issue {
                description: &diagnostic.message,
                check_name: diagnostic.rule.as_str(),
                fingerprint,
                severity: severity(diagnostic.severity),
                location: Location {
                    path: path.clone(),
                    lines: Lines {
                        begin: position.start_line,
                        end: position.end_line.max(position.start_line),
                    },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info | Severity::Hint => "info",
    }
}

/// One fingerprint per diagnostic of `report`, in the same order. Shared with SARIF's
/// `partialFingerprints`.
pub(super) fn fingerprints(report: &FileReport, index: &LineIndex) -> Vec<String> {
    let path = super::sarif::portable_path(&report.name);
    let mut seen: HashMap<(&str, &str), u64> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let line = line_text(&report.text, index, diagnostic.span.start);
            let occurrence = seen.entry((diagnostic.rule.as_str(), line)).or_insert(0);
            let fingerprint = fingerprint(&path, diagnostic.rule.as_str(), line, *occurrence);
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

/// The text of the line holding `offset`, without its line break and surrounding whitespace
/// (re-indenting a line keeps its findings).
fn line_text<'t>(text: &'t str, index: &LineIndex, offset: usize) -> &'t str {
    let line = index.line_of(offset.min(text.len()));
    let start = index.line_start(line);
    let end = index.line_start(line + 1).max(start);
    text.get(start..end).unwrap_or("").trim()
}

fn fingerprint(path: &str, rule: &str, line: &str, occurrence: u64) -> String {
    let fields: [&[u8]; 4] = [
        path.as_bytes(),
        rule.as_bytes(),
        line.as_bytes(),
        &occurrence.to_le_bytes(),
    ];
    let high = fnv1a(FNV_OFFSET, &fields);
    let low = fnv1a(FNV_OFFSET ^ 0x6e6f_7465_706c_6174, &fields); // "noteplat"
    format!("{high:016x}{low:016x}")
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over length-prefixed fields (so `("ab","c")` and `("a","bc")` differ).
fn fnv1a(basis: u64, fields: &[&[u8]]) -> u64 {
    let mut hash = basis;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    };
    for field in fields {
        feed(&(field.len() as u64).to_le_bytes());
        feed(field);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // Without length prefixes, FNV-1a 64 of "" and "a" (from the FNV reference).
        let plain = |bytes: &[u8]| {
            let mut hash = FNV_OFFSET;
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(FNV_PRIME);
            }
            hash
        };
        assert_eq!(plain(b""), 0xcbf29ce484222325);
        assert_eq!(plain(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(plain(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fingerprints_are_32_hex_digits_and_separate_fields() {
        let one = fingerprint("a.note", "rule", "line", 0);
        assert_eq!(one.len(), 32);
        assert!(one.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(one, fingerprint("a.note", "rule", "line", 1));
        assert_ne!(fingerprint("ab", "c", "", 0), fingerprint("a", "bc", "", 0));
        // Pinned: a change here would make every finding look new to GitLab.
        // Pinned: a change here would make every finding look new to GitLab.
        assert_eq!(one, "1452658add8c9440578c7eadf2c560ec");
    }
}
