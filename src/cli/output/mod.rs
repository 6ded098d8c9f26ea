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
        use std::io::IsTerminal;
        let terminal = if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        let choice = match color {
            Color::Always => termcolor::ColorChoice::Always,
            Color::Never => termcolor::ColorChoice::Never,
            Color::Auto if terminal && std::env::var_os("NO_COLOR").is_none() => {
                termcolor::ColorChoice::Auto
            }
            Color::Auto => termcolor::ColorChoice::Never,
        };
        let stream = if to_stderr {
            termcolor::StandardStream::stderr(choice)
        } else {
            termcolor::StandardStream::stdout(choice)
        };
        let mut locked = stream.lock();
        return human::write(reports, &mut locked);
    }
    if to_stderr {
        let mut locked = std::io::stderr().lock();
        write(format, color, reports, pack, &mut locked)?;
        return locked.flush();
    }
    let stdout = std::io::stdout();
    let mut locked = stdout.lock();
    write(format, color, reports, pack, &mut locked)?;
    locked.flush()
}

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
