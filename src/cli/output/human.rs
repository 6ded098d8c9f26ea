//! `--format human`: rustc-style snippets (via codespan-reporting) and a one-line summary. A
//! finding on a long line shows a window of the line around it ([`Excerpt`]), so the report
//! grows with the number of findings, not with findings times line length.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::{self, Files, SimpleFiles};
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::analysis::Diagnostic;
use crate::cli::check::FileReport;
use crate::line_index::{LineIndex, floor_char_boundary};
use crate::rulepack::Severity;

pub fn write(reports: &[FileReport], writer: &mut dyn WriteColor) -> std::io::Result<()> {
    let mut counts = [0usize; 4];
    let mut files_with_findings = 0;
    for report in reports {
        if report.diagnostics.is_empty() {
            continue;
        }
        files_with_findings += 1;
        for diagnostic in &report.diagnostics {
            counts[diagnostic.severity as usize] += 1;
        }
        match &report.rendered {
            Some(part) => writer.write_all(part)?,
            None => render_file(report, writer)?,
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

/// One file's findings as snippets (nothing for a file without findings). Formatted on the thread
/// that analysed the file, into a buffer that colours as the report will.
pub fn render_file(report: &FileReport, writer: &mut dyn WriteColor) -> std::io::Result<()> {
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    let config = term::Config::default();
    let mut files = SimpleFiles::new();
    let file = files.add(report.name.as_str(), report.text.as_str());
    let index = LineIndex::new(&report.text);
    let lone_cr = has_lone_cr(&report.text);
    for diagnostic in &report.diagnostics {
        let mut offsets = vec![diagnostic.span.start, diagnostic.span.end];
        for related in &diagnostic.related {
            offsets.extend([related.span.start, related.span.end]);
        }
        let excerpt = Excerpt::new(&report.name, &report.text, &index, &offsets, lone_cr);
        let emitted = match excerpt {
            Some(excerpt) => {
                let rendered = render(diagnostic, (), |offset| excerpt.map(&index, offset));
                term::emit(writer, &config, &excerpt, &rendered)
            }
            None => {
                let rendered = render(diagnostic, file, |offset| offset);
                term::emit(writer, &config, &files, &rendered)
            }
        };
        // Keep an IO error's kind: a closed pipe (`| head`) is not a failure to report.
        emitted.map_err(|error| match error {
            files::Error::Io(error) => error,
            other => std::io::Error::other(other),
        })?;
    }
    Ok(())
}

/// Whether `text` breaks a line with a `\r` not followed by `\n` (old Mac line endings).
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'))
}

/// One finding as a codespan report on `file`, its byte offsets passed through `map`.
fn render<Id: Copy>(diagnostic: &Diagnostic, file: Id, map: impl Fn(usize) -> usize) -> Report<Id> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Info => ReportSeverity::Note,
        Severity::Hint => ReportSeverity::Help,
    };
    let mut labels = vec![Label::primary(
        file,
        map(diagnostic.span.start)..map(diagnostic.span.end),
    )];
    for related in &diagnostic.related {
        labels.push(
            Label::secondary(file, map(related.span.start)..map(related.span.end))
                .with_message(&related.message),
        );
    }
    let mut notes = Vec::new();
    if let Some(fix) = &diagnostic.fix {
        notes.push(format!("fix available: {}", fix.title));
    }
    Report::new(severity)
        .with_code(diagnostic.rule.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Lines longer than this many bytes are shown as a window around the finding.
const LONG_LINE: usize = 160;
/// How much of a long line to show before the finding's position, in bytes (about).
const BEFORE: usize = 40;
/// The marker for text left out of a long line.
const ELLIPSIS: &str = "…";

/// The lines one finding's labels touch, long ones cut down to a window around the labels, as a
/// `codespan_reporting` file: line numbers and columns stay those of the real file. Built per
/// finding, in time proportional to what is shown, so a 100 KB line prints a few hundred bytes
/// per finding, not 100 KB.
struct Excerpt<'a> {
    name: &'a str,
    source: String,
    lines: Vec<ExcerptLine>,
}

struct ExcerptLine {
    /// Zero-based line in the real file.
    line: usize,
    /// The line (marker and window, no line break) in `source`.
    range: std::ops::Range<usize>,
    /// Where the window's text starts in `source` (after a leading marker).
    window_start: usize,
    /// The window in the real file.
    original: std::ops::Range<usize>,
    /// Characters of the real line before the window.
    chars_before: usize,
}

impl<'a> Excerpt<'a> {
    /// `None` when every line the labels touch is short: the whole file renders as it is.
    /// `always`: use an excerpt even when every line is short (for a text with lone `\r` line
    /// breaks, which codespan's own files do not count, so their lines and columns would be
    /// wrong).
    fn new(
        name: &'a str,
        text: &str,
        index: &LineIndex,
        offsets: &[usize],
        always: bool,
    ) -> Option<Excerpt<'a>> {
        let content_end = |line: usize| {
            let end = index.line_start(line + 1);
            let mut end = end.min(text.len());
            let bytes = text.as_bytes();
            if end > index.line_start(line) && bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > index.line_start(line) && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            end
        };
        let mut lines: Vec<usize> = offsets.iter().map(|&o| index.line_of(o)).collect();
        lines.sort_unstable();
        lines.dedup();
        // codespan also shows the one line between two shown lines that are two apart.
        let gaps = lines
            .windows(2)
            .filter(|pair| pair[1] == pair[0] + 2)
            .map(|pair| pair[0] + 1);
        if !always
            && lines
                .iter()
                .copied()
                .chain(gaps)
                .all(|line| content_end(line) - index.line_start(line) <= LONG_LINE)
        {
            return None;
        }
        let mut excerpt = Excerpt {
            name,
            source: String::new(),
            lines: Vec::with_capacity(lines.len()),
        };
        for line in lines {
            let start = index.line_start(line);
            let end = content_end(line);
            // Centre on the first label position on this line.
            let first = offsets
                .iter()
                .copied()
                .filter(|&o| o >= start && o <= end)
                .min()
                .unwrap_or(start);
            let (from, to) = if end - start <= LONG_LINE {
                (start, end)
            } else {
                let from = floor_char_boundary(text, first.saturating_sub(BEFORE).max(start));
                (
                    from,
                    floor_char_boundary(text, (from + LONG_LINE).min(end)).max(from),
                )
            };
            if !excerpt.source.is_empty() {
                excerpt.source.push('\n');
            }
            let line_start = excerpt.source.len();
            if from > start {
                excerpt.source.push_str(ELLIPSIS);
            }
            let window_start = excerpt.source.len();
            excerpt.source.push_str(&text[from..to]);
            if to < end {
                excerpt.source.push_str(ELLIPSIS);
            }
            excerpt.lines.push(ExcerptLine {
                line,
                range: line_start..excerpt.source.len(),
                window_start,
                original: from..to,
                // O(1) however long the line (the index counts from checkpoints).
                chars_before: index.line_column(text, from).1 - 1,
            });
        }
        Some(excerpt)
    }

    /// Where a byte offset of the real file is shown (clamped into its line's window).
    fn map(&self, index: &LineIndex, offset: usize) -> usize {
        let line = index.line_of(offset);
        let Some(shown) = self.lines.iter().find(|shown| shown.line == line) else {
            return 0;
        };
        let offset = offset.clamp(shown.original.start, shown.original.end);
        shown.window_start + (offset - shown.original.start)
    }

    fn shown_line(&self, byte: usize) -> usize {
        self.lines
            .partition_point(|shown| shown.range.start <= byte)
            .saturating_sub(1)
    }
}

impl Excerpt<'_> {
    /// The shown line with codespan's index, or the error codespan expects past the end.
    fn shown(&self, line_index: usize) -> Result<&ExcerptLine, files::Error> {
        self.lines
            .get(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.lines.len().saturating_sub(1),
            })
    }
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.source)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.shown_line(byte_index))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, files::Error> {
        self.shown(line_index).map(|shown| shown.line + 1)
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let shown = self.shown(line_index)?;
        let within = byte_index.clamp(shown.window_start, shown.range.end.max(shown.window_start));
        let within = self
            .source
            .get(shown.window_start..within)
            .map_or(0, |s| s.chars().count());
        Ok(shown.chars_before + within + 1)
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, files::Error> {
        let shown = self.shown(line_index)?;
        // Include the line break, as codespan's own files do.
        let end = if shown.range.end < self.source.len() {
            shown.range.end + 1
        } else {
            shown.range.end
        };
        Ok(shown.range.start..end)
    }
}

#[cfg(test)]
mod tests {
    use codespan_reporting::term::termcolor::NoColor;

    use super::*;
    use crate::analysis::Settings;

    fn render(text: &str) -> (String, usize) {
        let config = std::sync::Arc::new(crate::config::ProjectConfig::defaults(".".into()));
        let analysed = crate::pipeline::analyse(
            crate::pipeline::Contents::Bytes(text.as_bytes().to_vec()),
            crate::pipeline::IncludeBase::Unresolved,
            &config,
            &Settings::default(),
            &Default::default(),
        );
        let report = FileReport {
            name: "t.note".into(),
            path: None,
            include_base: None,
            text: analysed.text,
            diagnostics: analysed.analysis.diagnostics,
            unread: analysed.analysis.unread,
            original: None,
            config,
            rendered: None,
        };
        let mut out = NoColor::new(Vec::new());
        write(std::slice::from_ref(&report), &mut out)
            .unwrap_or_else(|error| panic!("{error} rendering {text:?}"));
        let rendered = String::from_utf8(out.into_inner()).expect("UTF-8");
        (rendered, report.diagnostics.len())
    }

    /// Long runs of syntax, multi-byte characters at the cut, every line break, comments and
    /// headings: rendering never fails, and no source line shown is longer than the window.
    #[test]
    fn long_lines_of_every_shape_render_within_the_window() {
        let pieces = [
            "{",
            "}",
            "{{",
            "}}",
            "é",
            "😀",
            " ",
            "word ",
            "\r\n",
            "\r",
            "\n",
            "\n## Response\n",
            "[",
            "|",
            "<!--",
            "-->",
            "***",
            "@include x.note\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..150 {
            let mut text = String::from("## Plan\n");
            while text.len() < 3_000 {
                let piece = pieces[next() % pieces.len()];
                let times = if piece.contains(['\r', '\n']) {
                    1
                } else {
                    1 + next() % 80
                };
                text.push_str(&piece.repeat(times));
            }
            let (rendered, findings) = render(&text);
            for line in rendered.lines().filter(|line| line.contains(" │ ")) {
                assert!(
                    line.chars().count() <= LONG_LINE + 20,
                    "{} chars shown: {line:?}\nfrom {text:?}",
                    line.chars().count()
                );
            }
            assert!(rendered.len() <= 200 + findings * 1_500, "{rendered}");
        }
    }

    #[test]
    fn lone_carriage_returns_are_line_breaks_in_snippets_too() {
        let (rendered, _) = render("## Plan\r{{broken\rmore text\r");
        assert!(rendered.contains("┌─ t.note:2:1"), "{rendered}");
        assert!(rendered.contains("2 │ {{broken\n"), "{rendered}");
        assert!(!rendered.contains('\r'), "{rendered:?}");
    }

    #[test]
    fn short_lines_render_exactly_as_before() {
        let (rendered, _) = render("## Plan\n{{broken\n");
        assert!(rendered.contains("┌─ t.note:2:1"), "{rendered}");
        assert!(rendered.contains("2 │ {{broken\n"), "{rendered}");
        assert!(!rendered.contains('…'), "{rendered}");
    }
}
