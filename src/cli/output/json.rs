//! `--format json`: `{"version":1,"files":N,"diagnostics":[{"path","rule","severity","message",
//! "range":{"start":{"line","column"},"end":{"line","column"}}}]}`; lines and columns are 1-based,
//! columns count Unicode characters.

use std::io::Write;

use serde::Serialize;

use crate::cli::check::FileReport;
use crate::line_index::LineIndex;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    range: Range,
}

#[derive(Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

#[derive(Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut diagnostics = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        for diagnostic in &report.diagnostics {
            let (start_line, start_column) = index.line_column(&report.text, diagnostic.span.start);
            let (end_line, end_column) = index.line_column(&report.text, diagnostic.span.end);
            diagnostics.push(JsonDiagnostic {
                path: &report.name,
                rule: diagnostic.rule.as_str(),
                severity: diagnostic.severity.as_str(),
                message: &diagnostic.message,
                range: Range {
                    start: Position {
                        line: start_line,
                        column: start_column,
                    },
                    end: Position {
                        line: end_line,
                        column: end_column,
                    },
                },
            });
        }
    }
    let report = Report {
        version: 1,
        files: reports.len(),
        diagnostics,
    };
    serde_json::to_writer(&mut *out, &report)?;
    writeln!(out)
}
