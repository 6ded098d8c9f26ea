//! `--format sarif`: a SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF
//! viewers.
//!
//! - `tool.driver.rules` lists every rule of the pack (id, summary, explanation, the rule's
//!   documentation as Markdown help, default level), plus any rule a finding names that the pack
//!   does not describe, so every result has a `ruleIndex`.
//! - Levels: error -> `error`, warning -> `warning`, info and hint -> `note`.
//! - Regions are 1-based lines and columns; columns count Unicode characters, which the run
//!   declares with `columnKind: "unicodeCodePoints"`. End columns are exclusive, as SARIF wants.
//! - `artifactLocation.uri` is the path as given, as a relative URI reference (forward slashes,
//!   no leading `./`, percent-encoded); an absolute path becomes a `file://` URI.
//! - Related places become `relatedLocations`; fixes become `fixes` with `artifactChanges`
//!   (safe ones carry `"properties": {"safe": true}`, which `--fix` would apply).
//! - `partialFingerprints["noteplate/v1"]` is the same fingerprint as the GitLab format's.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::analysis::{Diagnostic, Fix};
use crate::cli::check::FileReport;
use crate::line_index::LineIndex;
use crate::rulepack::{RuleInfo, RulePack, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: HashMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    safe: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: OwnedText,
}

pub fn write(reports: &[FileReport], pack: &RulePack, out: &mut dyn Write) -> std::io::Result<()> {
    // Every rule of the pack, then (in order of first use) rules the pack does not describe.
    let mut rules: Vec<Descriptor<'_>> = pack.rules.iter().map(descriptor).collect();
    let mut rule_index: HashMap<&str, usize> = pack
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.id.as_str(), index))
        .collect();
    for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
        let rule = diagnostic.rule.as_str();
        if !rule_index.contains_key(rule) {
            rule_index.insert(rule, rules.len());
            rules.push(Descriptor {
                id: rule,
                short_description: None,
                full_description: None,
                help: None,
                default_configuration: None,
            });
        }
    }

    let uris: Vec<String> = reports.iter().map(|r| uri(&r.name)).collect();
    let mut results = Vec::new();
    for (report, uri) in reports.iter().zip(&uris) {
        let index = LineIndex::new(&report.text);
        let prints = super::gitlab::fingerprints(report, &index);
        for (diagnostic, fingerprint) in report.diagnostics.iter().zip(prints) {
            results.push(result(
                report,
                &index,
                uri,
                diagnostic,
                rule_index[diagnostic.rule.as_str()],
                fingerprint,
            ));
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "noteplate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn descriptor(rule: &RuleInfo) -> Descriptor<'_> {
    Descriptor {
        id: rule.id.as_str(),
        short_description: Some(Text {
            text: rule.summary.trim(),
        }),
        full_description: Some(Text {
            text: rule.explanation.trim(),
        }),
        help: Some(Help {
            text: rule.explanation.trim(),
            markdown: rule.documentation(),
        }),
        default_configuration: Some(Configuration {
            level: level(rule.severity),
        }),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn result<'a>(
    report: &'a FileReport,
    index: &LineIndex,
    uri: &'a str,
    diagnostic: &'a Diagnostic,
    rule_index: usize,
    fingerprint: String,
) -> SarifResult<'a> {
    let text = &report.text;
    let location =
        |id: Option<usize>, start: usize, end: usize, message: Option<&'a str>| Location {
            id,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
                region: region(index, text, start, end),
            },
            message: message.map(|text| Text { text }),
        };
    SarifResult {
        rule_id: diagnostic.rule.as_str(),
        rule_index,
        level: level(diagnostic.severity),
        message: Text {
            text: &diagnostic.message,
        },
        locations: [location(
            None,
            diagnostic.span.start,
            diagnostic.span.end,
            None,
        )],
        related_locations: diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| {
                location(
                    Some(id),
                    related.span.start,
                    related.span.end,
                    Some(&related.message),
                )
            })
            .collect(),
        partial_fingerprints: HashMap::from([("noteplate/v1", fingerprint)]),
        fixes: diagnostic
            .fix
            .iter()
            .map(|fix| sarif_fix(index, text, uri, fix))
            .collect(),
    }
}

fn sarif_fix<'a>(index: &LineIndex, text: &str, uri: &'a str, fix: &'a Fix) -> SarifFix<'a> {
    SarifFix {
        description: Text { text: &fix.title },
        artifact_changes: [ArtifactChange {
            artifact_location: ArtifactLocation { uri },
            replacements: fix
                .edits
                .iter()
                .map(|edit| Replacement {
                    deleted_region: region(index, text, edit.span.start, edit.span.end),
                    inserted_content: OwnedText {
                        text: edit.new_text.clone(),
                    },
                })
                .collect(),
        }],
        properties: FixProperties { safe: fix.safe },
    }
}

fn region(index: &LineIndex, text: &str, start: usize, end: usize) -> Region {
    let (start_line, start_column) = index.line_column(text, start);
    let (end_line, end_column) = index.line_column(text, end.max(start));
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

/// The path as given, portable: forward slashes on Windows, without leading `./`.
pub(super) fn portable_path(name: &str) -> String {
    let mut path = if cfg!(windows) {
        name.replace('\\', "/")
    } else {
        name.to_string()
    };
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/').to_string();
    }
    path
}

/// `artifactLocation.uri` for a reported path: a relative URI reference for a relative path,
/// a `file://` URI for an absolute one.
fn uri(name: &str) -> String {
    let path = portable_path(name);
    if std::path::Path::new(name).is_absolute() {
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}") // `C:/x` -> `/C:/x`
        };
        format!("file://{}", encode(&path, true))
    } else {
        encode(&path, false)
    }
}

/// Percent-encodes everything but unreserved characters, `/` and the sub-delimiters that are safe
/// in a path. `:` is encoded in relative references, where it would read as a scheme; `@` too.
fn encode(path: &str, absolute: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            )
            || (absolute && byte == b':');
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_references() {
        assert_eq!(uri("notes/daily visit.note"), "notes/daily%20visit.note");
        assert_eq!(uri("./notes/a.note"), "notes/a.note");
        assert_eq!(uri("a:b#c?d%.note"), "a%3Ab%23c%3Fd%25.note");
        assert_eq!(uri("Ü.note"), "%C3%9C.note");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        if cfg!(unix) {
            assert_eq!(uri("/tmp/x y.note"), "file:///tmp/x%20y.note");
        }
    }
}
