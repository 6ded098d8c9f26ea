//! Report formats for `check`. Each format writes the ordered file reports to a writer; `human`
//! alone may colour its output. Machine formats put 1-based lines and columns counted in Unicode
//! characters (see [`position`]).

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::collections::BTreeMap;
use std::io::Write;

use codespan_reporting::term::termcolor;

use super::check::FileReport;
use super::{Color, Format};
use crate::analysis::Diagnostic;
use crate::line_index::LineIndex;
use crate::rulepack::RulePack;

/// 1-based (line, column) of a diagnostic's start and end, columns in characters.
pub struct Position {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn position(index: &LineIndex, text: &str, diagnostic: &Diagnostic) -> Position {
    let (start_line, start_column) = index.line_column(text, diagnostic.span.start);
    let (end_line, end_column) = index.line_column(text, diagnostic.span.end);
    Position {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

/// Whether `format` writes each file's part on its own, so it can be formatted in parallel, as
/// each file is analysed ([`render`]). SARIF, JUnit and GitLab put every file in one document
/// whose shape depends on all of them; they are written at the end.
pub fn renders_per_file(format: Format) -> bool {
    matches!(format, Format::Human | Format::Json | Format::Github)
}

/// One file's part of the report in a format [`renders_per_file`] (nothing in the others): the
/// writers put the parts together in input order. `colored`: human output with colour codes
/// ([`colors_stdout`]). `None` when rendering failed (a bug): the writer renders the file again
/// and reports the error.
pub fn render(format: Format, report: &FileReport, colored: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        Format::Human => {
            let mut buffer = if colored {
                termcolor::Buffer::ansi()
            } else {
                termcolor::Buffer::no_color()
            };
            human::render_file(report, &mut buffer).ok()?;
            out = buffer.into_inner();
        }
        Format::Json => json::render(report, &mut out),
        Format::Github => github::render(report, &mut out),
        Format::Sarif | Format::Junit | Format::Gitlab => return None,
    }
    Some(out)
}

/// The colour choice for human output on standard output (or standard error): `--color`, whether
/// the stream is a terminal, and `NO_COLOR`.
fn color_choice(color: Color, to_stderr: bool) -> termcolor::ColorChoice {
    use std::io::IsTerminal;
    let terminal = if to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    match color {
        Color::Always => termcolor::ColorChoice::Always,
        Color::Never => termcolor::ColorChoice::Never,
        Color::Auto if terminal && std::env::var_os("NO_COLOR").is_none() => {
            termcolor::ColorChoice::Auto
        }
        Color::Auto => termcolor::ColorChoice::Never,
    }
}

/// Whether human output on standard output gets colour codes (as [`write_stdout`] would write
/// them), so parts rendered early colour the same way.
pub fn colors_stdout(color: Color) -> bool {
    use termcolor::WriteColor;
    termcolor::BufferWriter::stdout(color_choice(color, false))
        .buffer()
        .supports_color()
}

pub fn write(
    format: Format,
    color: Color,
    reports: &[FileReport],
    pack: &RulePack,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => {
            let _ = color; // files are never coloured
            human::write(reports, &mut termcolor::NoColor::new(out))
        }
        Format::Json => json::write(reports, out),
        Format::Github => github::write(reports, out),
        Format::Sarif => sarif::write(reports, pack, out),
        Format::Junit => junit::write(reports, out),
        Format::Gitlab => gitlab::write(reports, out),
    }
}

pub fn write_stdout(
    format: Format,
    color: Color,
    reports: &[FileReport],
    pack: &RulePack,
    to_stderr: bool,
) -> std::io::Result<()> {
    if format == Format::Human {
        let choice = color_choice(color, to_stderr);
        // Buffered: a line-buffered stream would make a system call per line of the report.
        let mut stream = if to_stderr {
            termcolor::BufferedStandardStream::stderr(choice)
        } else {
            termcolor::BufferedStandardStream::stdout(choice)
        };
        return human::write(reports, &mut stream);
    }
    // One buffered writer over the locked stream (standard output alone is line-buffered).
    if to_stderr {
        let mut buffered = std::io::BufWriter::with_capacity(BUFFER, std::io::stderr().lock());
        write(format, color, reports, pack, &mut buffered)?;
        return buffered.flush();
    }
    let mut stdout = std::io::stdout().lock();
    // Standard output is line-buffered: every block written to it is searched backwards for its
    // last line break, and a JSON report is one line (13 MB for 10,000 templates: 15 M
    // instructions on the main thread, after every worker is done). The report goes to the same
    // file through a duplicate of its descriptor instead, with the stream locked and flushed.
    #[cfg(unix)]
    if let Some(file) = duplicate(&stdout) {
        stdout.flush()?;
        let mut buffered = std::io::BufWriter::with_capacity(BUFFER, file);
        write(format, color, reports, pack, &mut buffered)?;
        return buffered.flush();
    }
    let mut buffered = std::io::BufWriter::with_capacity(BUFFER, stdout);
    write(format, color, reports, pack, &mut buffered)?;
    buffered.flush()
}

/// Standard output's descriptor, duplicated, as a file written without line buffering. `None`
/// when it cannot be duplicated (standard output closed: the stream then discards what is
/// written, as before).
#[cfg(unix)]
fn duplicate(stdout: &std::io::StdoutLock<'_>) -> Option<std::fs::File> {
    use std::os::fd::AsFd;
    let owned = stdout.as_fd().try_clone_to_owned().ok()?;
    Some(std::fs::File::from(owned))
}

/// The report writer's buffer: large enough that writing the report costs few system calls.
const BUFFER: usize = 256 * 1024;

/// `--statistics`: findings per rule, most frequent first. To stdout after a human report, to
/// stderr otherwise (so machine-readable output stays parseable).
pub fn statistics(reports: &[FileReport], to_stdout: bool) {
    let mut counts: BTreeMap<(&str, &'static str), usize> = BTreeMap::new();
    for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
        *counts
            .entry((diagnostic.rule.as_str(), diagnostic.severity.as_str()))
            .or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut text = String::new();
    for ((rule, severity), count) in rows {
        text.push_str(&format!("{count:>6}  {rule:<28} {severity}\n"));
    }
    if text.is_empty() {
        text.push_str("     0  (no findings)\n");
    }
    if to_stdout {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
}
