//! `--format github`: one GitHub Actions workflow command per finding, which the runner turns into
//! an annotation on the file and line:
//!
//! `::error file={path},line={l},col={c},endLine={el},endColumn={ec},title={rule}::{message}`
//!
//! `error` for errors, `warning` for warnings, `notice` for info and hints. Lines and columns are
//! 1-based, columns in characters. The path is as given, with forward slashes and without a
//! leading `./` (annotations only attach to repository-relative paths).
//!
//! Escaping follows the runner's parser: in the message `%`, `\r` and `\n` become `%25`, `%0D`
//! and `%0A`; property values also escape `:` and `,` as `%3A` and `%2C`.

use std::io::Write;

use crate::cli::check::FileReport;
use crate::line_index::LineIndex;
use crate::rulepack::Severity;

/// One file's workflow commands, a line each. Formatted on the thread that analysed the file.
pub fn render(report: &FileReport, out: &mut Vec<u8>) {
    if report.diagnostics.is_empty() {
        return;
    }
    let index = LineIndex::new(&report.text);
    let file = escape_property(&super::sarif::portable_path(&report.name));
    for diagnostic in &report.diagnostics {
        let position = super::position(&index, &report.text, diagnostic);
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        // Writing into memory cannot fail.
        let _ = writeln!(
            out,
            "::{command} file={file},line={},col={},endLine={},endColumn={},title={}::{}",
            position.start_line,
            position.start_column,
            position.end_line,
            position.end_column,
            escape_property(diagnostic.rule.as_str()),
            escape_data(&diagnostic.message),
        );
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut scratch = Vec::new();
    for report in reports {
        match &report.rendered {
            Some(part) => out.write_all(part)?,
            None => {
                scratch.clear();
                render(report, &mut scratch);
                out.write_all(&scratch)?;
            }
        }
    }
    out.flush()
}

/// The message of a workflow command.
fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A property value of a workflow command.
fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a,b:c%d\ne"), "a%2Cb%3Ac%25d%0Ae");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
