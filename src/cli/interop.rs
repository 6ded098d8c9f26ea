//! `noteplate import` and `noteplate export`: templates in from other systems and out to them
//! (docs/interop.md). The readers and writers are pure (`noteplate_core::interop`); this face
//! reads the input, inlines `@include` fragments before exporting, writes the output (atomically
//! with `-o`, never through a link to outside the target) and checks what an import produced.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE};
use crate::analysis::{self, IncludeOutcome};
use crate::config::{ProjectConfig, Resolver};
use crate::files;
use crate::fragments::{self, FragmentCache};
use crate::interop::model::{Block, Template};
use crate::interop::{self, ExportError, ImportError, Imported};
use crate::pipeline::{self, Contents, IncludeBase};
use crate::rulepack::Severity;

/// Formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// Epic-style SmartPhrase text: `***` wildcards, `{Name:ID}` SmartLists, `@NAME@` SmartLinks.
    Smartphrase,
    /// A plain-text form: `Label: ____` blanks, `[ ] a  [ ] b` choices, headings in capitals.
    Text,
    /// A FHIR R4 Questionnaire (JSON).
    Fhir,
    /// Markdown with headings and lists.
    Markdown,
}

/// Formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// A FHIR R4 Questionnaire (JSON).
    Fhir,
    /// One self-contained HTML page that looks like the form a clinician fills in.
    Html,
    /// Epic-style SmartPhrase text, to paste into an EHR's phrase editor.
    Smartphrase,
    /// Markdown.
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The format of the input.
    #[arg(long, value_enum)]
    pub from: From,
    /// The file to import; `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
    /// Write the template to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List on standard error every place of the input kept as plain text because it has no
    /// `.note` equivalent.
    #[arg(long)]
    pub report: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: To,
    /// The template to export; `-` or nothing reads standard input (its `@include` lines are then
    /// resolved from the current folder).
    pub input: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `--to html`: list the template's findings at the top of the page.
    #[arg(long)]
    pub with_findings: bool,
}

/// Reads the input: a file (regular files only, at most `limit` bytes) or standard input.
fn read_input(input: Option<&Path>, limit: u64) -> Result<Vec<u8>, String> {
    match input {
        None => read_stdin(limit),
        Some(path) if path == Path::new("-") => read_stdin(limit),
        Some(path) => files::read_regular(path, limit)
            .map_err(|error| format!("cannot read {}: {error}", path.display())),
    }
}

fn read_stdin(limit: u64) -> Result<Vec<u8>, String> {
    files::read_capped(std::io::stdin().lock(), limit)
        .map_err(|error| format!("cannot read standard input: {error}"))
}

/// The input as UTF-8, or an error at the first bad byte.
fn decode(bytes: Vec<u8>, name: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let at = error.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&bytes[..at]);
        let (line, column) = interop::position(&text, at);
        format!(
            "{name}:{line}:{column}: the input is not UTF-8 (byte 0x{:02X}); save it as UTF-8 and import again",
            bytes[at]
        )
    })
}

fn display_name(input: Option<&Path>) -> String {
    match input {
        Some(path) if path != Path::new("-") => path.display().to_string(),
        _ => "<stdin>".to_string(),
    }
}

/// The configuration that applies at `probe` and the input read under its `max-file-size`, as
/// UTF-8; an error says what went wrong and where.
fn configured_input(
    probe: &Path,
    input: Option<&Path>,
    name: &str,
) -> Result<(std::sync::Arc<crate::config::ProjectConfig>, String), String> {
    let config = Resolver::new(None, false)
        .for_file(probe)
        .map_err(|error| error.to_string())?;
    let text = read_input(input, config.max_file_size).and_then(|bytes| decode(bytes, name))?;
    Ok((config, text))
}

pub fn import(args: &ImportArgs) -> u8 {
    let name = display_name(args.input.as_deref());
    let probe = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("imported.note"));
    let (config, text) = match configured_input(&probe, args.input.as_deref(), &name) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let read: Result<Imported, ImportError> = match args.from {
        From::Smartphrase => interop::smartphrase::import(&text),
        From::Text => interop::plain::import(&text),
        From::Fhir => interop::fhir::import(&text),
        From::Markdown => interop::markdown::import(&text),
    };
    let imported = match read {
        Ok(imported) => imported,
        Err(error) => {
            eprintln!("error: {name}:{error}");
            return EXIT_TROUBLE;
        }
    };
    let note = imported.template.to_note();
    if let Err(message) = write_output(args.output.as_deref(), &note) {
        eprintln!("error: {message}");
        return EXIT_TROUBLE;
    }
    if args.report {
        for place in &imported.unmapped {
            eprintln!("{name}:{}: {}", place.line, place.what);
        }
    }
    // What the imported template still lacks, as `check` would report it.
    let analysed = pipeline::analyse(
        Contents::Bytes(note.into_bytes()),
        match args.output.as_deref() {
            Some(path) => IncludeBase::File(path),
            None => IncludeBase::Unresolved,
        },
        &config,
        &config.settings,
        &FragmentCache::new(),
    );
    let mut errors = 0;
    let shown = args
        .output
        .as_deref()
        .map_or("<imported>".to_string(), |path| path.display().to_string());
    for diagnostic in &analysed.analysis.diagnostics {
        if diagnostic.severity == Severity::Error {
            errors += 1;
        }
        let (line, column) = interop::position(&analysed.text, diagnostic.span.start);
        eprintln!(
            "{shown}:{line}:{column}: {}[{}]: {}",
            diagnostic.severity.as_str(),
            diagnostic.rule.as_str(),
            diagnostic.message
        );
    }
    if errors > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

pub fn export(args: &ExportArgs) -> u8 {
    let name = display_name(args.input.as_deref());
    let base = match args.input.as_deref() {
        Some(path) if path != Path::new("-") => path.to_path_buf(),
        _ => PathBuf::from("template.note"),
    };
    let (config, text) = match configured_input(&base, args.input.as_deref(), &name) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let analysed = pipeline::analyse(
        Contents::Bytes(text.clone().into_bytes()),
        IncludeBase::File(&base),
        &config,
        &config.settings,
        &FragmentCache::new(),
    );
    let template = Template::from_analysis(&analysed.text, &analysed.analysis, &config.pack);
    let template = inline_includes(&base, template, &config);
    let findings: Vec<String> = if args.with_findings {
        analysed
            .analysis
            .diagnostics
            .iter()
            .map(|diagnostic| {
                let (line, _) = interop::position(&analysed.text, diagnostic.span.start);
                interop::html::finding(line, diagnostic.severity.as_str(), &diagnostic.message)
            })
            .collect()
    } else {
        Vec::new()
    };
    let written: Result<String, ExportError> = match args.to {
        To::Fhir => interop::fhir::export(&template),
        To::Html => interop::html::export(&template, &findings),
        To::Smartphrase => interop::smartphrase::export(&template),
        To::Markdown => interop::markdown::export(&template),
    };
    let written = match written {
        Ok(written) => written,
        Err(error) => {
            eprintln!("error: {name}: {error}");
            return EXIT_TROUBLE;
        }
    };
    match write_output(args.output.as_deref(), &written) {
        Ok(()) => EXIT_CLEAN,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_TROUBLE
        }
    }
}

/// Replaces each `@include` block with the blocks of the fragment it names, read with the rules
/// the analysis uses ([`fragments::locate`] and [`fragments::read_fragment`]: inside the project
/// root or an include root, regular files only, at most `max-file-size` bytes each and for the
/// template with all it includes, at most [`fragments::MAX_INCLUDE_DEPTH`] levels, no cycles). A
/// fragment's own includes are inlined from the fragment's folder. A fragment that cannot be read
/// stays an include block, after a comment saying why, so every writer shows it.
pub fn inline_includes(from: &Path, template: Template, config: &ProjectConfig) -> Template {
    let own = from
        .canonicalize()
        .unwrap_or_else(|_| std::path::absolute(from).unwrap_or_else(|_| from.to_path_buf()));
    let mut budget = Budget {
        bytes: 0,
        limit: config.max_file_size,
    };
    let blocks = inline_blocks(from, template.blocks, config, &mut vec![own], &mut budget);
    Template {
        meta: template.meta,
        blocks,
    }
}

/// Bytes of fragments read so far for one export (each time a fragment is included).
struct Budget {
    bytes: u64,
    limit: u64,
}

fn inline_blocks(
    from: &Path,
    blocks: Vec<Block>,
    config: &ProjectConfig,
    stack: &mut Vec<PathBuf>,
    budget: &mut Budget,
) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        let Block::Include(written) = block else {
            out.push(block);
            continue;
        };
        match fragment_blocks(from, &written, config, stack, budget) {
            Ok(blocks) => out.extend(blocks),
            Err(reason) => {
                out.push(Block::Comment(format!("not inlined: {reason}")));
                out.push(Block::Include(written));
            }
        }
    }
    out
}

/// The blocks of the fragment `written` in `from`, its own includes inlined, or why it was not read.
fn fragment_blocks(
    from: &Path,
    written: &str,
    config: &ProjectConfig,
    stack: &mut Vec<PathBuf>,
    budget: &mut Budget,
) -> Result<Vec<Block>, String> {
    let message = |outcome: IncludeOutcome| match outcome {
        IncludeOutcome::NotFound(message)
        | IncludeOutcome::OutsideRoot(message)
        | IncludeOutcome::Cycle(message)
        | IncludeOutcome::Budget(message) => message,
        IncludeOutcome::Found { .. } => format!("`{written}` could not be read"),
    };
    if stack.len() > fragments::MAX_INCLUDE_DEPTH {
        return Err(format!(
            "`{written}` is nested more than {} includes deep, so it was not read",
            fragments::MAX_INCLUDE_DEPTH
        ));
    }
    let real = fragments::locate(from, written, config).map_err(message)?;
    if stack.contains(&real) {
        return Err(format!(
            "`{written}` includes a file that is already being included ({})",
            real.display()
        ));
    }
    let text = fragments::read_fragment(&real, written, config).map_err(message)?;
    budget.bytes = budget.bytes.saturating_add(text.len() as u64);
    if budget.bytes > budget.limit {
        return Err(format!(
            "`{written}` was not read: the fragments of this template come to more than {} bytes (max-file-size)",
            budget.limit
        ));
    }
    let analysis = analysis::analyze_text(&text, &config.pack, &config.settings);
    let fragment = Template::from_analysis(&text, &analysis, &config.pack);
    stack.push(real.clone());
    let blocks = inline_blocks(&real, fragment.blocks, config, stack, budget);
    stack.pop();
    Ok(blocks)
}

/// Writes `text` to standard output, or to `path`: an existing file is replaced atomically (its
/// permissions kept, a link's target written, not the link); a new file is created exclusively.
fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|error| format!("cannot write to standard output: {error}"));
    };
    let result = match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => super::fix::write_atomically(path, text),
        Ok(metadata) => {
            return Err(format!(
                "cannot write {}: it is {}, not a file; give a file name with -o",
                path.display(),
                files::describe(&metadata.file_type())
            ));
        }
        Err(_) => create_new(path, text),
    };
    result.map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Creates `path` with `text`, never replacing what appears there meanwhile.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".noteplate-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    temporary
        .persist_noclobber(path)
        .map_err(|error| error.error)?;
    Ok(())
}
