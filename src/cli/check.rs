//! `noteplate check`: read every input, analyse in parallel, report in a stable order.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::inputs::{self, Input};
use super::output;
use super::{Color, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE, Format};
use crate::analysis::{self, Diagnostic, Settings};
use crate::rulepack::{RulePack, Severity};
use crate::syntax::Span;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files and folders to check (folders are searched for `*.note`, honouring .gitignore);
    /// `-` reads standard input. Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Name to report for standard input (`-`).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The findings for one input.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub name: String,
    /// The text as analysed (lossy for invalid UTF-8), for snippets and line numbers.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn run(args: &CheckArgs) -> u8 {
    let inputs = match inputs::collect(&args.paths, args.stdin_filename.as_deref()) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let pack = RulePack::embedded();
    let settings = Settings::default();
    let results: Vec<Result<FileReport, String>> = inputs
        .par_iter()
        .map(|input| check_input(input, &pack, &settings))
        .collect();

    let mut reports = Vec::with_capacity(results.len());
    let mut troubles = 0;
    for result in results {
        match result {
            Ok(report) => reports.push(report),
            Err(message) => {
                eprintln!("error: {message}");
                troubles += 1;
            }
        }
    }
    if let Err(error) = output::write(args.format, args.color, &reports) {
        // A closed pipe (e.g. `| head`) is not worth a message; anything else is.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {error}");
        }
        return EXIT_TROUBLE;
    }
    if troubles > 0 {
        EXIT_TROUBLE
    } else if reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn check_input(input: &Input, pack: &RulePack, settings: &Settings) -> Result<FileReport, String> {
    let name = input.display_name();
    let bytes = match input {
        Input::File(path) => std::fs::read(path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?,
        Input::Stdin { .. } => {
            let mut buffer = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buffer)
                .map_err(|error| format!("cannot read standard input: {error}"))?;
            buffer
        }
    };
    Ok(check_bytes(name, bytes, pack, settings))
}

/// Analyses raw bytes. Invalid UTF-8 is a finding at the first bad byte, not an error.
pub fn check_bytes(
    name: String,
    bytes: Vec<u8>,
    pack: &RulePack,
    settings: &Settings,
) -> FileReport {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let diagnostics = analysis::analyze_text(&text, pack, settings).diagnostics;
            FileReport {
                name,
                text,
                diagnostics,
            }
        }
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let bad_length = error.utf8_error().error_len().unwrap_or(1);
            let bytes = error.into_bytes();
            // Keep the valid prefix exact so the reported position is right; show the rest lossily.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let shown_end = (valid_up_to + 3).min(text.len());
            let diagnostic = Diagnostic {
                rule: "invalid-utf8".to_string(),
                severity: pack
                    .rule("invalid-utf8")
                    .map(|r| r.severity)
                    .unwrap_or(Severity::Error),
                message: format!(
                    "this file is not valid UTF-8 (byte 0x{:02X} at offset {valid_up_to} cannot start a character); re-save it as UTF-8",
                    bytes.get(valid_up_to).copied().unwrap_or(0)
                ),
                span: Span::new(
                    valid_up_to,
                    crate::line_index::floor_char_boundary(&text, shown_end).max(valid_up_to),
                ),
                fix: None,
                related: Vec::new(),
            };
            let _ = bad_length;
            let diagnostics = if settings.disabled_rules.contains("invalid-utf8") {
                Vec::new()
            } else {
                vec![diagnostic]
            };
            FileReport {
                name,
                text,
                diagnostics,
            }
        }
    }
}
