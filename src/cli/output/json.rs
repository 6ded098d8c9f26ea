//! `--format json`: `{"version":1,"files":N,"diagnostics":[{"path","rule","severity","message",
//! "range":{"start":{"line","column"},"end":{"line","column"}}}]}`; lines and columns are 1-based,
//! columns count Unicode characters.

use std::io::Write;

use crate::cli::check::FileReport;
use crate::line_index::line_columns;

/// One file's findings: the JSON objects of its diagnostics, comma-separated (nothing for a file
/// without findings). Formatted on the thread that analysed the file, straight into `out`: byte
/// for byte what serde_json writes for `{"path","rule","severity","message","range":{"start":
/// {"line","column"},"end":{..}}}` (the tests compare), without a map entry or string copy per
/// field. The path is escaped once per file.
pub fn render(report: &FileReport, out: &mut Vec<u8>) {
    if report.diagnostics.is_empty() {
        return;
    }
    // The lines and columns of every finding's start and end, in one pass over the text up to
    // the last of them (no index of every line: a template has a handful of findings).
    let offsets: Vec<usize> = report
        .diagnostics
        .iter()
        .flat_map(|diagnostic| [diagnostic.span.start, diagnostic.span.end])
        .collect();
    let positions = line_columns(&report.text, &offsets);
    let mut path = Vec::with_capacity(report.name.len() + 2);
    escape_into(&report.name, &mut path);
    // Room for every object at once (the fixed text of one is under 120 bytes), so the buffer
    // is not grown and copied several times per file.
    out.reserve(
        report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.message.len() + path.len() + 160)
            .sum(),
    );
    for (n, (diagnostic, ends)) in report
        .diagnostics
        .iter()
        .zip(positions.chunks_exact(2))
        .enumerate()
    {
        if n > 0 {
            out.push(b',');
        }
        let (start_line, start_column) = ends[0];
        let (end_line, end_column) = ends[1];
        out.extend_from_slice(b"{\"path\":");
        out.extend_from_slice(&path);
        out.extend_from_slice(b",\"rule\":");
        name_into(diagnostic.rule.as_str(), out);
        out.extend_from_slice(b",\"severity\":");
        name_into(diagnostic.severity.as_str(), out);
        out.extend_from_slice(b",\"message\":");
        escape_into(&diagnostic.message, out);
        out.extend_from_slice(b",\"range\":{\"start\":{\"line\":");
        number_into(start_line, out);
        out.extend_from_slice(b",\"column\":");
        number_into(start_column, out);
        out.extend_from_slice(b"},\"end\":{\"line\":");
        number_into(end_line, out);
        out.extend_from_slice(b",\"column\":");
        number_into(end_column, out);
        out.extend_from_slice(b"}}}");
    }
}

/// A rule id or a severity as a JSON string: lower-case ASCII letters, digits and hyphens need no
/// escape, so the name is copied between quotes after one test of its bytes (for these short
/// names `escape_into`'s word-by-word reading cost about 240 instructions each, two per
/// finding); anything else goes through `escape_into`.
fn name_into(name: &str, out: &mut Vec<u8>) {
    if name
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    {
        out.reserve(name.len() + 2);
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.push(b'"');
    } else {
        escape_into(name, out);
    }
}

/// `text` as a JSON string, quoted, escaped as serde_json escapes: `"` and `\\`, and the control
/// characters below U+0020 (`\b`, `\t`, `\n`, `\f`, `\r`, the others as `\u00xx` in lower-case
/// hex). Everything else, U+007F and all non-ASCII included, is written as it is.
fn escape_into(text: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut from = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Thirty-two bytes at a time while none needs escaping (the messages are long and rarely
        // need any): a test of every byte with no early exit, which the compiler turns into a
        // few vector instructions.
        if let Some(chunk) = bytes.get(at..at + 32)
            && chunk.iter().fold(0u8, |any, &byte| {
                any | u8::from(byte < 0x20) | u8::from(byte == b'"') | u8::from(byte == b'\\')
            }) == 0
        {
            at += 32;
            continue;
        }
        // Eight bytes at a time while none needs escaping (none below `\x20`, none `"` or `\\`:
        // the word tests are exact for whether there is one).
        if let Some(word) = bytes.get(at..at + 8) {
            let value = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !has_byte_below(value, 0x20)
                && !has_zero_byte(value ^ (ONES * u64::from(b'"')))
                && !has_zero_byte(value ^ (ONES * u64::from(b'\\')))
            {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        at += 1;
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0x00..=0x1F => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(byte >> 4) as usize],
                HEX[(byte & 0xF) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..at - 1]);
        out.extend_from_slice(escape);
        from = at;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const TOP: u64 = 0x8080_8080_8080_8080;

/// Whether a byte of `word` is below `limit` (at most 0x80).
fn has_byte_below(word: u64, limit: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & TOP != 0
}

/// Whether a byte of `word` is zero.
fn has_zero_byte(word: u64) -> bool {
    has_byte_below(word, 1)
}

/// `value` in decimal.
fn number_into(mut value: usize, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The reference: what serde_json writes for one diagnostic.
    #[derive(Serialize)]
    struct JsonDiagnostic<'a> {
        path: &'a str,
        rule: &'a str,
        severity: &'a str,
        message: &'a str,
        range: Range,
    }

    #[derive(Serialize)]
    struct Range {
        start: Position,
        end: Position,
    }

    #[derive(Serialize)]
    struct Position {
        line: usize,
        column: usize,
    }

    fn by_serde(text: &str) -> Vec<u8> {
        serde_json::to_vec(text).unwrap()
    }

    fn by_us(text: &str) -> Vec<u8> {
        let mut out = b"x".to_vec();
        escape_into(text, &mut out);
        out.remove(0);
        out
    }

    /// Every character below U+0100, and some beyond, alone, between others and at every place
    /// of a longer text, escape as serde_json escapes them.
    #[test]
    fn strings_escape_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u32..0x100)
            .chain([0x2028, 0x2029, 0xFEFF, 0x1F600])
            .filter_map(char::from_u32)
            .flat_map(|ch| {
                // Also at every place of the eight-byte words and the 32-byte runs the writer
                // passes over.
                let placed =
                    (0..70).map(move |n| format!("{}{ch}{}", "x".repeat(n), "yz".repeat(20)));
                [ch.to_string(), format!("a{ch}b{ch}"), format!("{ch}{ch}")]
                    .into_iter()
                    .chain(placed)
            })
            .collect();
        texts.push(String::new());
        texts.push("C:\\notes\\\"knee\".note\r\n\u{7f}é".to_string());
        for text in texts {
            assert_eq!(
                String::from_utf8(by_us(&text)).unwrap(),
                String::from_utf8(by_serde(&text)).unwrap(),
                "{text:?}"
            );
        }
    }

    /// Every rule id and severity, and names that do need escaping, are written as serde_json
    /// writes them.
    #[test]
    fn names_are_written_as_serde_json_writes_them() {
        use crate::rulepack::{RuleId, Severity};
        let severities = [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Hint,
        ];
        let names = RuleId::ALL
            .iter()
            .map(|id| id.as_str())
            .chain(severities.iter().map(|severity| severity.as_str()))
            .chain(["", "a\"b", "Upper-Case", "tab\there", "é-rule", "x\\y"]);
        for name in names {
            let mut out = Vec::new();
            name_into(name, &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(by_serde(name)).unwrap()
            );
        }
    }

    #[test]
    fn numbers_are_decimal() {
        for value in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut out = Vec::new();
            number_into(value, &mut out);
            assert_eq!(out, value.to_string().into_bytes());
        }
    }

    /// A whole object as serde_json serialises the same fields.
    #[test]
    fn an_object_is_what_serde_json_writes() {
        let text = "é\t\"x\\";
        let mut ours = Vec::new();
        ours.extend_from_slice(b"{\"path\":");
        escape_into(text, &mut ours);
        ours.extend_from_slice(b",\"rule\":");
        escape_into("syntax-error", &mut ours);
        ours.extend_from_slice(b",\"severity\":");
        escape_into("error", &mut ours);
        ours.extend_from_slice(b",\"message\":");
        escape_into(text, &mut ours);
        ours.extend_from_slice(b",\"range\":{\"start\":{\"line\":");
        number_into(3, &mut ours);
        ours.extend_from_slice(b",\"column\":");
        number_into(14, &mut ours);
        ours.extend_from_slice(b"},\"end\":{\"line\":");
        number_into(1_000, &mut ours);
        ours.extend_from_slice(b",\"column\":");
        number_into(1, &mut ours);
        ours.extend_from_slice(b"}}}");
        let reference = serde_json::to_vec(&JsonDiagnostic {
            path: text,
            rule: "syntax-error",
            severity: "error",
            message: text,
            range: Range {
                start: Position {
                    line: 3,
                    column: 14,
                },
                end: Position {
                    line: 1_000,
                    column: 1,
                },
            },
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(reference).unwrap()
        );
    }
}
