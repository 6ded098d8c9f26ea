//! `noteplate fmt`: rewrite templates in the canonical layout (`ide::format`), or with `--check`
//! only say which would change (a unified diff each, exit 1). Files are found as `check` finds
//! them (`inputs`), read as `check` reads them (`files`: regular files only, at most
//! `max-file-size`), formatted in parallel, and written back one by one through the writer
//! `check --fix` uses (`fix::replace_file`: a new file beside the target renamed over it).
//!
//! A file is never written when it could not be read as text, when it is a symbolic link (the
//! link's target may be outside the folder given), read-only or hard-linked, or changed while
//! noteplate ran; each of those is an error (exit 2) that says what to do, and the file stays as
//! it was. Standard input (`-`) is written, formatted, to standard output.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;

use super::fix::{self, Purpose, Replaced};
use super::inputs::{self, Input};
use super::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE};
use crate::config::Resolver;
use crate::files::ReadError;
use crate::ide;
use crate::syntax;

#[derive(Debug, Clone, Args)]
pub struct FmtArgs {
    /// Files and folders to format (folders are searched for `*.note`, honouring .gitignore);
    /// `-` formats standard input to standard output. Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Write nothing: print a unified diff for each file that is not formatted, and exit 1 if
    /// there is one.
    #[arg(long)]
    pub check: bool,
    /// Name to show for standard input (`-`); also where its configuration is looked up.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Use this configuration file for every input instead of searching for one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files: built-in defaults only.
    #[arg(long)]
    pub isolated: bool,
}

const FORMATTING: Purpose = Purpose {
    doing: "formatting",
    by_hand: "`noteplate fmt --check` shows the changes to make by hand",
};

/// One input, read and formatted.
enum Outcome {
    /// Already in the canonical layout.
    Unchanged,
    /// Not `--check`: the bytes as read (to tell whether the file changed meanwhile) and the
    /// formatted text to write.
    Changed {
        original: Vec<u8>,
        formatted: String,
    },
    /// `--check`: the unified diff of a file that would change, made on the worker thread.
    Diff(String),
    /// Standard input, which is always written back (formatted) unless checking.
    Stdin { text: String, formatted: String },
    /// Not formatted; the message says why and what to do.
    Trouble(String),
}

pub fn run(args: &FmtArgs) -> u8 {
    let collected = match inputs::collect(&args.paths, args.stdin_filename.as_deref()) {
        Ok(collected) => collected,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let stdin_inputs = collected
        .inputs
        .iter()
        .filter(|input| matches!(input, Input::Stdin { .. }))
        .count();
    if stdin_inputs > 1 {
        eprintln!("error: `-` is given {stdin_inputs} times; standard input can be read once");
        return EXIT_TROUBLE;
    }
    let mut troubles = collected.problems.len();
    for message in &collected.problems {
        eprintln!("error: {message}");
    }
    let resolver = Resolver::new(args.config.clone(), args.isolated);
    let outcomes: Vec<Outcome> = collected
        .inputs
        .par_iter()
        .map(|input| format_input(input, &resolver, args.check))
        .collect();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut changed = 0;
    let mut written = 0;
    for (input, outcome) in collected.inputs.iter().zip(outcomes) {
        let name = input.display_name();
        let (original, formatted) = match outcome {
            Outcome::Unchanged => continue,
            Outcome::Diff(diff) => {
                changed += 1;
                if write_out(&mut out, diff.as_bytes()).is_err() {
                    return EXIT_TROUBLE;
                }
                continue;
            }
            Outcome::Stdin { text, formatted } => {
                let bytes = if !args.check {
                    formatted.into_bytes()
                } else if text != formatted {
                    changed += 1;
                    fix::unified_diff(&name, &text, &formatted).into_bytes()
                } else {
                    continue;
                };
                if write_out(&mut out, &bytes).is_err() {
                    return EXIT_TROUBLE;
                }
                continue;
            }
            Outcome::Trouble(message) => {
                let _ = out.flush();
                eprintln!("error: {message}");
                troubles += 1;
                continue;
            }
            Outcome::Changed {
                original,
                formatted,
            } => (original, formatted),
        };
        changed += 1;
        let Some(path) = input.file() else {
            continue;
        };
        let _ = out.flush();
        if let Err(message) = refuse_link(path, &name) {
            eprintln!("error: {message}");
            troubles += 1;
            continue;
        }
        let limit = original.len() as u64;
        match fix::replace_file(path, &name, Some(&original), &formatted, limit, &FORMATTING) {
            Replaced::Written => written += 1,
            Replaced::Refused(message) | Replaced::Failed(message) => {
                eprintln!("error: {message}");
                troubles += 1;
            }
        }
    }
    if let Err(error) = out.flush() {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {error}");
        }
        return EXIT_TROUBLE;
    }
    drop(out);
    if !args.check && written > 0 {
        eprintln!(
            "{written} file{} formatted",
            if written == 1 { "" } else { "s" }
        );
    }
    if troubles > 0 {
        EXIT_TROUBLE
    } else if args.check && changed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Writes to standard output (buffered; flushed at the end); a closed pipe ends the output
/// quietly, other errors are reported.
fn write_out(out: &mut impl Write, bytes: &[u8]) -> Result<(), ()> {
    match out.write_all(bytes) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Err(()),
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            Err(())
        }
    }
}

/// A symbolic link named on the command line is read through but never written through: its
/// target can be anywhere.
fn refuse_link(path: &Path, name: &str) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            let target = std::fs::canonicalize(path)
                .map(|target| format!(" `{}`", target.display()))
                .unwrap_or_default();
            Err(format!(
                "{name} is a symbolic link; noteplate fmt does not write through links: format \
                 its target{target} instead"
            ))
        }
        _ => Ok(()),
    }
}

fn format_input(input: &Input, resolver: &Resolver, check: bool) -> Outcome {
    let name = input.display_name();
    let location = match input {
        Input::File(path) | Input::Found(path) => path.clone(),
        Input::Stdin { name } => PathBuf::from(name),
    };
    let config = match resolver.for_file(&location) {
        Ok(config) => config,
        Err(error) => return Outcome::Trouble(error.to_string()),
    };
    let read = input.read(config.max_file_size);
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge { limit, size }) => {
            let size = size.map_or(String::new(), |size| format!(" ({size} bytes)"));
            return Outcome::Trouble(format!(
                "{name} is larger than max-file-size{size}, {limit} bytes; it was not formatted \
                 (raise `max-file-size` in noteplate.toml to format it)"
            ));
        }
        Err(error) => {
            return Outcome::Trouble(match input {
                Input::File(path) | Input::Found(path) => {
                    format!("cannot read `{}`: {error}", path.display())
                }
                Input::Stdin { .. } => format!("cannot read standard input: {error}"),
            });
        }
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let (line, column) = position(&bytes[..at]);
            return Outcome::Trouble(format!(
                "{name}:{line}:{column}: not UTF-8 (byte {at}); it was not formatted: save it as \
                 UTF-8 (`noteplate check` reports the same)"
            ));
        }
    };
    let formatted = ide::format::format(text, &syntax::parse(text));
    if let Input::Stdin { .. } = input {
        return Outcome::Stdin {
            text: text.to_string(),
            formatted,
        };
    }
    if formatted == text {
        return Outcome::Unchanged;
    }
    if check {
        return Outcome::Diff(fix::unified_diff(&name, text, &formatted));
    }
    Outcome::Changed {
        original: bytes,
        formatted,
    }
}

/// 1-based line and column (in characters) just after `valid`, which is valid UTF-8.
fn position(valid: &[u8]) -> (usize, usize) {
    let text = std::str::from_utf8(valid).unwrap_or_default();
    let line_start = syntax::line_start(text, text.len());
    let line = syntax::line_spans(&text[..line_start]).count() + 1;
    (line, text[line_start..].chars().count() + 1)
}
