//! `--fix` and `--diff`: apply the safe fixes of each report (repeatedly, as a fix can reveal
//! another), then write the file in place or print a unified diff. A file whose bytes changed
//! since it was read is left alone, and so is a read-only or hard-linked one. Writes go through
//! a new, uniquely named file created exclusively beside the target and renamed over it
//! ([`write_atomically`]), so a crash, a concurrent run or a planted link never leaves half a
//! template or writes anywhere else.

use std::io::Write;
use std::path::Path;

use super::check::FileReport;
use crate::analysis::{self, Edit};
use crate::fragments;
use crate::pipeline::Contents;

/// How many rounds of fixes to apply at most; each round re-analyses the fixed text.
const MAX_ROUNDS: usize = 5;

/// Applies non-overlapping edits (sorted by start) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        if edit.span.start < cursor || edit.span.end > text.len() {
            continue;
        }
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.new_text);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// Fixes every report; returns how many files could not be written.
/// `diff_to_stderr`: print diffs (and fixed stdin) on stderr, because stdout carries a
/// machine-readable report.
/// `fragment_cache` is the run's: a fragment the check analysed is not analysed again.
pub fn run(
    reports: &mut [FileReport],
    write: bool,
    diff_to_stderr: bool,
    fragment_cache: &fragments::FragmentCache,
) -> usize {
    let mut failures = 0;
    for report in reports.iter_mut() {
        // Text that was not read as it stands (not UTF-8, too large) has nothing to fix.
        if report.unread.is_some() {
            if report.path.is_none() && write {
                // stdin that cannot be fixed still comes back, byte for byte, as far as it was read.
                echo_stdin(
                    report.original.as_deref().unwrap_or_default(),
                    diff_to_stderr,
                );
            }
            continue;
        }
        let original_text = report.text.clone();
        let mut text = report.text.clone();
        let mut diagnostics = report.diagnostics.clone();
        for _ in 0..MAX_ROUNDS {
            let edits = analysis::safe_fix_edits(&diagnostics);
            if edits.is_empty() {
                break;
            }
            let fixed = apply_edits(&text, &edits);
            let after = super::check::analyse_file(
                Contents::Bytes(fixed.into_bytes()),
                report.include_base.as_deref(),
                &report.config,
                fragment_cache,
            );
            // Keep a round only if it made progress; a fix that cannot take (e.g. text added
            // inside an unclosed comment) must not grow the file round after round, nor past
            // max-file-size.
            if after.text == text
                || after.analysis.unread.is_some()
                || after.analysis.diagnostics.len() >= diagnostics.len()
            {
                break;
            }
            text = after.text;
            diagnostics = after.analysis.diagnostics;
        }
        if report.path.is_none() && write {
            // stdin: print the text, fixed or not, instead of writing anywhere (so
            // `check --fix - < in.note > out.note` always gives the whole template).
            echo_stdin(text.as_bytes(), diff_to_stderr);
            report.text = text;
            report.diagnostics = diagnostics;
            continue;
        }
        if text == original_text {
            continue;
        }
        if !write {
            print_diff(&report.name, &original_text, &text, diff_to_stderr);
            continue;
        }
        let Some(path) = &report.path else {
            continue;
        };
        match replace_file(
            path,
            &report.name,
            report.original.as_deref(),
            &text,
            report.config.max_file_size,
            &FIXING,
        ) {
            Replaced::Written => {}
            Replaced::Refused(message) => {
                eprintln!("warning: {message}");
                continue;
            }
            Replaced::Failed(message) => {
                eprintln!("error: {message}");
                failures += 1;
                continue;
            }
        }
        report.text = text;
        report.diagnostics = diagnostics;
    }
    failures
}

/// What a rewrite is for, in the words of its messages.
pub(super) struct Purpose {
    /// "fixing", "formatting".
    pub doing: &'static str,
    /// What to do instead when a file has several hard links.
    pub by_hand: &'static str,
}

const FIXING: Purpose = Purpose {
    doing: "fixing",
    by_hand: "`--diff` shows the fixes to apply by hand",
};

/// How [`replace_file`] went.
pub(super) enum Replaced {
    Written,
    /// Left alone on purpose (changed meanwhile, read-only, hard-linked); says why.
    Refused(String),
    /// The write failed; says why. The file is untouched.
    Failed(String),
}

/// Replaces the file at `path` with `text`, unless it changed since it was read as `original`
/// (`None`: not compared), is read-only, or has several hard links. Writes with
/// [`write_atomically`].
pub(super) fn replace_file(
    path: &Path,
    name: &str,
    original: Option<&[u8]>,
    text: &str,
    max_file_size: u64,
    purpose: &Purpose,
) -> Replaced {
    let doing = purpose.doing;
    if let Some(original) = original {
        match crate::files::read_regular(path, max_file_size) {
            Ok(current) if current == original => {}
            _ => {
                return Replaced::Refused(format!(
                    "{name} changed while noteplate ran; not {doing} it"
                ));
            }
        }
    }
    // The write replaces the file by renaming a new one over it, which the folder's
    // permissions allow even when the file's do not: honour a read-only file explicitly.
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Replaced::Refused(format!(
            "{name} is read-only; not {doing} it (make it writable to apply the changes)"
        ));
    }
    // Replacing the file would split its hard links: the other names would keep the old text
    // and nothing would say so. Writing in place could expose a partial file instead.
    if let Some(links) = hard_links(path) {
        return Replaced::Refused(format!(
            "{name} has {links} hard links; noteplate rewrites a file by replacing it, which would \
             leave the other names with the old text, so it is not {doing} it ({})",
            purpose.by_hand
        ));
    }
    match write_atomically(path, text) {
        Ok(()) => Replaced::Written,
        Err(error) => Replaced::Failed(format!("cannot write {name}: {error}")),
    }
}

/// Writes fixed standard input where the user reads it: stdout, or stderr when stdout carries a
/// machine-readable report.
fn echo_stdin(bytes: &[u8], to_stderr: bool) {
    let written = if to_stderr {
        std::io::stderr().lock().write_all(bytes)
    } else {
        std::io::stdout().lock().write_all(bytes)
    };
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the fixed standard input: {error}");
    }
}

/// How many names the file at `path` has, when more than one.
fn hard_links(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let links = std::fs::metadata(path).ok()?.nlink();
        (links > 1).then_some(links)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Replaces the file at `path` (a symbolic link's target, not the link) with `text`.
///
/// The text goes into a new file with a random name (`.NAME.XXXXXX.noteplate-fix`) created with
/// `O_CREAT | O_EXCL` in the target's folder, so a link or file planted under any name is never
/// opened, let alone written. The new file gets the target's permissions, and its owner and group
/// where the process may set them; it is flushed to disk and then renamed over the target, which
/// is atomic: a reader sees the old text or the new, never a mixture, and concurrent runs each
/// rename a complete file. On any error the new file is removed and the target is untouched.
pub(super) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let path = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&path)?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".noteplate-fix")
        .tempfile_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    let file = temporary.as_file();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Owner and group before the mode: changing them clears set-user-ID and set-group-ID.
        // Only root may give a file away; others may still set a group they belong to.
        if std::os::unix::fs::fchown(file, Some(metadata.uid()), Some(metadata.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(metadata.gid()));
        }
    }
    file.set_permissions(metadata.permissions())?;
    file.sync_all()?;
    temporary.persist(&path).map_err(|error| error.error)?;
    // Make the rename itself durable (best effort: not every system can sync a folder).
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// A unified diff of `before` and `after`, with `a/NAME` and `b/NAME` headers.
pub(super) fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

fn print_diff(name: &str, before: &str, after: &str, to_stderr: bool) {
    let rendered = unified_diff(name, before, after);
    if to_stderr {
        eprint!("{rendered}");
    } else {
        print!("{rendered}");
    }
}
