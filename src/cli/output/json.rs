//! `--format json`: `{"version":1,"files":N,"diagnostics":[{"path","rule","severity","message",
//! "range":{"start":{"line","column"},"end":{"line","column"}}}]}`; lines and columns are 1-based,
//! columns count Unicode characters.

use std::io::Write;

use serde::Serialize;

use crate::cli::check::FileReport;
use crate::line_index::LineIndex;

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

/// One file's findings: the JSON objects of its diagnostics, comma-separated (nothing for a file
/// without findings). Formatted on the thread that analysed the file.
pub fn render(report: &FileReport, out: &mut Vec<u8>) {
    if report.diagnostics.is_empty() {
        return;
    }
    let index = LineIndex::new(&report.text);
    for (n, diagnostic) in report.diagnostics.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let (start_line, start_column) = index.line_column(&report.text, diagnostic.span.start);
        let (end_line, end_column) = index.line_column(&report.text, diagnostic.span.end);
        let json = JsonDiagnostic {
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
        };
        // Serialising plain strings and numbers into memory cannot fail.
        let _ = serde_json::to_writer(&mut *out, &json);
    }
}

/// The whole report, each file's part as [`render`] formats it (or formatted here if it was not).
/// Byte for byte what serialising `{"version":1,"files":N,"diagnostics":[...]}` in one piece
/// gives, followed by a line break.
pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    write!(
        out,
        "{{\"version\":1,\"files\":{},\"diagnostics\":[",
        reports.len()
    )?;
    let mut scratch = Vec::new();
    let mut first = true;
    for report in reports {
        let part = match &report.rendered {
            Some(part) => part.as_slice(),
            None => {
                scratch.clear();
                render(report, &mut scratch);
                scratch.as_slice()
            }
        };
        if part.is_empty() {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(part)?;
    }
    out.write_all(b"]}\n")
}
