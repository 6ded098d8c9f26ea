//! `--format human`: rustc-style snippets (via codespan-reporting) and a one-line summary.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::cli::check::FileReport;
use crate::rulepack::Severity;

pub fn write(reports: &[FileReport], writer: &mut dyn WriteColor) -> std::io::Result<()> {
    let config = term::Config::default();
    let mut counts = [0usize; 4];
    let mut files_with_findings = 0;
    for report in reports {
        if report.diagnostics.is_empty() {
            continue;
        }
        files_with_findings += 1;
        let mut files = SimpleFiles::new();
        let file = files.add(report.name.as_str(), report.text.as_str());
        for diagnostic in &report.diagnostics {
            counts[diagnostic.severity as usize] += 1;
            let severity = match diagnostic.severity {
                Severity::Error => ReportSeverity::Error,
                Severity::Warning => ReportSeverity::Warning,
                Severity::Info => ReportSeverity::Note,
                Severity::Hint => ReportSeverity::Help,
            };
            let mut labels = vec![Label::primary(
                file,
                diagnostic.span.start..diagnostic.span.end,
            )];
            for related in &diagnostic.related {
                labels.push(
                    Label::secondary(file, related.span.start..related.span.end)
                        .with_message(&related.message),
                );
            }
            let mut notes = Vec::new();
            if let Some(fix) = &diagnostic.fix {
                notes.push(format!("fix available: {}", fix.title));
            }
            let rendered = Report::new(severity)
                .with_code(&diagnostic.rule)
                .with_message(&diagnostic.message)
                .with_labels(labels)
                .with_notes(notes);
            term::emit(writer, &config, &files, &rendered).map_err(std::io::Error::other)?;
        }
    }
    let [hints, infos, warnings, errors] = counts;
    let plural =
        |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    writeln!(
        writer,
        "noteplate: {}, {}, {} and {} in {} ({} with findings)",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "info"),
        plural(hints, "hint"),
        plural(reports.len(), "file"),
        files_with_findings,
    )?;
    writer.flush()
}
