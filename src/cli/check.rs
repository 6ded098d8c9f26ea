//! `noteplate check`: resolve configuration, read every input, analyse in parallel, optionally
//! fix, report in a stable order, and pick the exit code.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use rayon::prelude::*;

use super::inputs::{self, Input};
use super::output;
use super::{Color, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE, Format};
use crate::analysis::{Diagnostic, Unread};
use crate::config::{ProjectConfig, Resolver};
use crate::files::ReadError;
use crate::fragments;
use crate::pipeline::{self, Contents, IncludeBase};
use crate::rulepack::{RulePack, Severity};
use crate::syntax::{self, LineMemo};

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files and folders to check (folders are searched for `*.note`, honouring .gitignore);
    /// `-` reads standard input. Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Name to report for standard input (`-`); also where its configuration is looked up.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Use this configuration file for every input instead of searching for one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files: built-in defaults only.
    #[arg(long)]
    pub isolated: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when there are more than this many warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,
    /// Exit 0 even when there are error-level findings (usage, configuration and IO errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// After the report, print how many findings each rule produced.
    #[arg(long)]
    pub statistics: bool,
    /// Apply safe fixes in place (never to a file that changed while noteplate ran).
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the safe fixes as a unified diff instead of applying them.
    #[arg(long)]
    pub diff: bool,
}

/// The findings for one input.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub name: String,
    /// The file, when the input is one (not stdin).
    pub path: Option<PathBuf>,
    /// Where `@include` lines resolve from: the file, or `--stdin-filename` for standard input
    /// (`None`: standard input without a name, whose includes are not resolved).
    pub include_base: Option<PathBuf>,
    /// The text as analysed (lossy for invalid UTF-8, empty when too large), for snippets and
    /// line numbers.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the text was not analysed as it stands (not UTF-8, too large), when it was not.
    pub unread: Option<Unread>,
    /// The bytes as read, so `--fix` can tell whether the file changed meanwhile (kept only when
    /// fixing).
    pub original: Option<Vec<u8>>,
    pub config: Arc<ProjectConfig>,
    /// This file's part of the report, formatted as soon as it was analysed (formats that write
    /// each file on its own, when nothing will change the findings; see `output::render`).
    pub rendered: Option<Vec<u8>>,
}

pub fn run(args: &CheckArgs) -> u8 {
    // The embedded rule pack is read from its TOML on first use (15 M instructions), which was
    // the first configuration's lookup, after the walk: both on the main thread while the other
    // core had nothing to do. It is read on a thread of its own while the folders are walked
    // (whoever asks first waits for it; a panic there would only end that thread, and the
    // lookup would read it again and report it as before; a thread that cannot be made is
    // not needed).
    let _ = std::thread::Builder::new().spawn(RulePack::embedded_shared);
    let collected = match inputs::collect(&args.paths, args.stdin_filename.as_deref()) {
        Ok(collected) => collected,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let inputs = collected.inputs;
    let output = args.output.as_deref().and_then(FileIdentity::of);
    if let Some(output) = &output
        && let Some(input) = inputs.iter().find_map(|input| match input {
            Input::File(path) | Input::Found(path) => output.is(path).then_some(path),
            Input::Stdin { .. } => None,
        })
    {
        eprintln!(
            "error: -o/--output `{}` is one of the inputs (`{}`); writing the report there would \
             replace that template, so nothing was checked or written: name a file that is not \
             being checked (e.g. `-o noteplate-report.txt`)",
            output.path.display(),
            input.display()
        );
        return EXIT_TROUBLE;
    }
    let resolver = Resolver::new(args.config.clone(), args.isolated);
    let mut configs = Vec::with_capacity(inputs.len());
    let mut config_errors: Vec<String> = Vec::new();
    // The configuration depends on the file's folder alone, and a walk gives a folder's files
    // one after the other: the last folder's is taken again without asking the resolver (which
    // makes the path absolute and hashes it for each file).
    let mut last: Option<(PathBuf, Arc<ProjectConfig>)> = None;
    for input in &inputs {
        let location = match input {
            Input::File(path) | Input::Found(path) => path.clone(),
            Input::Stdin { name } => PathBuf::from(name),
        };
        let folder = location.parent();
        if let (Some(folder), Some((last_folder, config))) = (folder, &last)
            && !folder.as_os_str().is_empty()
            && folder.as_os_str() == last_folder.as_os_str()
        {
            configs.push(config.clone());
            continue;
        }
        match resolver.for_file(&location) {
            Ok(config) => {
                last = folder.map(|folder| (folder.to_path_buf(), config.clone()));
                configs.push(config);
            }
            Err(error) => {
                last = None;
                let message = error.to_string();
                if !config_errors.contains(&message) {
                    config_errors.push(message);
                }
            }
        }
    }
    if !config_errors.is_empty() {
        for message in config_errors {
            eprintln!("error: {message}");
        }
        return EXIT_TROUBLE;
    }
    // Nor a configuration file that applies (the next run would find the report there).
    if let Some(output) = &output
        && let Some(file) = configs
            .iter()
            .flat_map(|config| &config.files)
            .find(|file| output.is(file))
    {
        eprintln!(
            "error: -o/--output `{}` is the configuration file `{}`; writing the report there \
             would replace it, so nothing was checked or written: name another file (e.g. `-o \
             noteplate-report.txt`)",
            output.path.display(),
            file.display()
        );
        return EXIT_TROUBLE;
    }

    // One run, one analysis per fragment, however many templates include it how often.
    let fragment_cache = fragments::FragmentCache::new();
    // What one worker recognised in a line, the other takes instead of recognising it again.
    let shared_lines = crate::analysis::SharedLines::default();
    let fixing = args.fix || args.diff;
    // Unless fixes may change the findings, each file's part of the report is formatted on the
    // thread that analysed it, and its text is dropped there: what is kept until the report is
    // written is the findings and that part, not the templates.
    let render_early = !fixing && output::renders_per_file(args.format);
    // Human output to a file is never coloured; on standard output as the stream allows.
    let colored = args.output.is_none() && output::colors_stdout(args.color);
    let results: Vec<Result<FileReport, String>> = inputs
        .par_iter()
        .zip(configs.par_iter())
        .map(|(input, config)| {
            let mut report = check_input(
                input,
                config.clone(),
                &fragment_cache,
                &shared_lines,
                fixing,
            )?;
            if render_early {
                report.rendered = output::render(args.format, &report, colored);
                if report.rendered.is_some() {
                    report.text = String::new();
                }
            }
            Ok(report)
        })
        .collect();
    // Nor a fragment a template includes (found only now, by resolving the includes); nothing has
    // been written yet.
    if let Some(output) = &output
        && let Some(fragment) = fragment_cache
            .paths()
            .into_iter()
            .find(|path| output.is(path))
    {
        eprintln!(
            "error: -o/--output `{}` is the fragment `{}`, which a checked template includes; writing \
             the report there would replace it, so nothing was written: name another file (e.g. `-o \
             noteplate-report.txt`)",
            output.path.display(),
            fragment.display()
        );
        return EXIT_TROUBLE;
    }
    let mut reports = Vec::with_capacity(results.len());
    // What the walk could not read counts like a file that could not be read: reported, every
    // other file still checked, exit 2 at the end.
    let mut troubles = collected.problems.len();
    for message in &collected.problems {
        eprintln!("error: {message}");
    }
    for result in results {
        match result {
            Ok(report) => reports.push(report),
            Err(message) => {
                eprintln!("error: {message}");
                troubles += 1;
            }
        }
    }

    // `check --fix -`: the fixed template takes standard output, so a pipeline gets only the
    // template; the report goes to standard error (or to `-o`).
    let fixing_stdin = args.fix
        && args.output.is_none()
        && inputs
            .iter()
            .any(|input| matches!(input, Input::Stdin { .. }));
    if args.fix || args.diff {
        let machine_stdout = args.format != Format::Human && args.output.is_none();
        troubles += super::fix::run(
            &mut reports,
            args.fix,
            machine_stdout && !fixing_stdin,
            &fragment_cache,
        );
    }

    let pack = configs
        .first()
        .map(|c| c.pack.clone())
        .unwrap_or_else(|| Arc::new(RulePack::embedded()));
    let written = match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|file| {
                let mut file = std::io::BufWriter::with_capacity(256 * 1024, file);
                output::write(args.format, Color::Never, &reports, &pack, &mut file)?;
                file.flush()
            })
            .map_err(|error| {
                std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
            }),
        None => output::write_stdout(args.format, args.color, &reports, &pack, fixing_stdin),
    };
    if let Err(error) = written {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {error}");
        }
        return EXIT_TROUBLE;
    }
    if args.statistics {
        output::statistics(
            &reports,
            args.format == Format::Human && args.output.is_none() && !fixing_stdin,
        );
    }

    let all = || reports.iter().flat_map(|r| &r.diagnostics);
    let errors = all().filter(|d| d.severity == Severity::Error).count();
    let warnings = all().filter(|d| d.severity == Severity::Warning).count();
    // The process ends when `run` returns: freeing every report's findings one by one (about a
    // million allocations for 10,000 templates, 34 M instructions on the main thread after the
    // report is written) would only delay the exit. The memory goes back with the process.
    std::mem::forget(reports);
    if troubles > 0 {
        EXIT_TROUBLE
    } else if args.exit_zero {
        EXIT_CLEAN
    } else if errors > 0 {
        EXIT_FINDINGS
    } else if args.max_warnings.is_some_and(|max| warnings > max) {
        eprintln!(
            "error: {warnings} warnings exceed --max-warnings {}",
            args.max_warnings.unwrap_or(0)
        );
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// An existing file, to tell whether another path names it too: by device and inode where the
/// platform has them (so also through a link or a hard link), by canonical path otherwise.
struct FileIdentity<'a> {
    path: &'a Path,
    canonical: Option<PathBuf>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl<'a> FileIdentity<'a> {
    /// `None` when nothing exists at `path`.
    fn of(path: &'a Path) -> Option<FileIdentity<'a>> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(not(unix))]
        let _ = metadata;
        Some(FileIdentity {
            path,
            canonical: path.canonicalize().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (metadata.dev(), metadata.ino())
            },
        })
    }

    fn is(&self, other: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if std::fs::metadata(other).is_ok_and(|m| (m.dev(), m.ino()) == self.inode) {
                return true;
            }
        }
        self.canonical.is_some() && other.canonicalize().ok() == self.canonical
    }
}

/// Lines, labels and field names each worker remembers across templates (at most about 20 MB per
/// worker; 10,000 generated templates need about 80,000).
const BATCH_MEMO_ENTRIES: usize = 131_072;

fn check_input(
    input: &Input,
    config: Arc<ProjectConfig>,
    fragment_cache: &fragments::FragmentCache,
    shared_lines: &crate::analysis::SharedLines,
    keep_original: bool,
) -> Result<FileReport, String> {
    let name = input.display_name();
    // Only regular files, and never more than max-file-size (+1 byte to know it is more).
    let read = input.read(config.max_file_size);
    let path = input.file().map(Path::to_path_buf);
    let (contents, original) = match read {
        Ok(bytes) => {
            let original = keep_original.then(|| bytes.clone());
            (Contents::Bytes(bytes), original)
        }
        Err(ReadError::TooLarge { size, .. }) => (Contents::TooLarge { size }, None),
        Err(error) => {
            return Err(match &path {
                Some(path) => format!("cannot read `{}`: {error}", path.display()),
                None => format!("cannot read standard input: {error}"),
            });
        }
    };
    // Includes resolve relative to the file, or to `--stdin-filename` for standard input.
    let include_base = match input {
        Input::File(path) | Input::Found(path) => Some(path.clone()),
        Input::Stdin { name } if name != "<stdin>" => Some(PathBuf::from(name)),
        Input::Stdin { .. } => None,
    };
    // This worker's memo keeps the lines it recognised across the templates it checks (a library
    // repeats its rows, labels and fields from template to template), not just a few per line of
    // the current one.
    // Its sections differ from template to template, so they are not remembered by their text.
    // The lines it recognises it shares with the other workers (they meet the same lines).
    crate::analysis::with_thread_memo(|memo| {
        memo.remember_at_least(BATCH_MEMO_ENTRIES);
        memo.remember_parts(false);
        memo.share_lines(shared_lines);
    });
    let analysed = analyse_file(contents, include_base.as_deref(), &config, fragment_cache);
    Ok(FileReport {
        name,
        path,
        include_base,
        text: analysed.text,
        diagnostics: analysed.analysis.diagnostics,
        unread: analysed.analysis.unread,
        original,
        config,
        rendered: None,
    })
}

/// The pipeline with the project's settings, `@include` lines resolved from `include_base` (the
/// file, or `--stdin-filename`; `None`: not resolved): what `check` and every round of `--fix` run.
pub(super) fn analyse_file(
    contents: Contents<'_>,
    include_base: Option<&Path>,
    config: &ProjectConfig,
    fragment_cache: &fragments::FragmentCache,
) -> pipeline::Analysed {
    let base = match include_base {
        Some(path) => IncludeBase::File(path),
        None => IncludeBase::Unresolved,
    };
    pipeline::analyse_with(
        contents,
        base,
        config,
        &config.settings,
        fragment_cache,
        |text| LINE_MEMO.with_borrow_mut(|memo| syntax::parse_with_memo(text, memo)),
        None,
    )
}

thread_local! {
    /// This worker's memo of the lines it parsed: a library repeats its lines from template to
    /// template, so most are parsed once per worker (the parse is the same as without it).
    static LINE_MEMO: RefCell<LineMemo> = RefCell::new(LineMemo::default());
}
