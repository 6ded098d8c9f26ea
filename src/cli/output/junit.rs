//! `--format junit`: JUnit XML for CI test-report views.
//!
//! ```xml
//! <testsuites name="noteplate" tests="2" failures="1" errors="0">
//!   <testsuite name="noteplate" tests="2" failures="1" errors="0" skipped="0">
//!     <testcase name="a.note" classname="noteplate">
//!       <failure type="missing-response" message="...">a.note:3:8 missing-response ...</failure>
//!     </testcase>
//!     <testcase name="b.note" classname="noteplate"/>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! One test case per checked file. Each error or warning is a `<failure>` whose text is
//! `path:line:col rule message`; info and hint findings are not failures and go, in the same
//! form, to the case's `<system-out>`. `tests` counts files and `failures` counts the files with
//! at least one failure (a test case fails once, however many `<failure>`s it holds).

use std::io::Write;

use crate::cli::check::FileReport;
use crate::line_index::LineIndex;
use crate::rulepack::Severity;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let is_failure = |severity: Severity| matches!(severity, Severity::Error | Severity::Warning);
    let tests = reports.len();
    let failures = reports
        .iter()
        .filter(|report| report.diagnostics.iter().any(|d| is_failure(d.severity)))
        .count();

    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"noteplate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    xml.push_str(&format!(
        "  <testsuite name=\"noteplate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    for report in reports {
        let name = escape_attribute(&report.name);
        if report.diagnostics.is_empty() {
            xml.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"noteplate\"/>\n"
            ));
            continue;
        }
        xml.push_str(&format!(
            "    <testcase name=\"{name}\" classname=\"noteplate\">\n"
        ));
        let index = LineIndex::new(&report.text);
        let mut system_out = String::new();
        for diagnostic in &report.diagnostics {
            let position = super::position(&index, &report.text, diagnostic);
            let line = format!(
                "{}:{}:{} {} {}",
                report.name,
                position.start_line,
                position.start_column,
                diagnostic.rule,
                diagnostic.message
            );
            if is_failure(diagnostic.severity) {
                xml.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    escape_attribute(diagnostic.rule.as_str()),
                    escape_attribute(&diagnostic.message),
                    escape_text(&line),
                ));
            } else {
                system_out.push_str(&line);
                system_out.push('\n');
            }
        }
        if !system_out.is_empty() {
            xml.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape_text(&system_out)
            ));
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())?;
    out.flush()
}

/// Character data: `&`, `<` and `>` (so `]]>` cannot appear), `\r` kept through
/// line-end normalisation, and characters XML 1.0 cannot hold replaced by U+FFFD.
fn escape_text(text: &str) -> String {
    escape(text, false)
}

/// An attribute value in double quotes: also both quotes, and tab and line breaks as character
/// references (a parser would turn them into spaces otherwise).
fn escape_attribute(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if allowed_in_xml(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production (tab, line feed and carriage return are handled before).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(escape_text("a<&>\"'b ]]>"), "a&lt;&amp;&gt;\"'b ]]&gt;");
        assert_eq!(
            escape_attribute("<&>\"'\n\t\r"),
            "&lt;&amp;&gt;&quot;&apos;&#10;&#9;&#13;"
        );
        assert_eq!(escape_text("bell\u{7}\u{FFFE}"), "bell\u{FFFD}\u{FFFD}");
    }
}
