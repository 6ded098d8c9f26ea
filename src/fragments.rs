//! `@include` resolution: reads fragment files, keeps them inside the project root, detects
//! cycles, and analyses each fragment so its sections count toward the including template and its
//! findings are summarised at the include line. Reads files; the analysis it feeds stays pure.
//!
//! Each fragment is analysed once per [`FragmentCache`] (the CLI keeps one per run, the language
//! server one per server state), keyed by its canonical real path, its content and the
//! configuration it is analysed with, so a fragment included many times (each level of a chain
//! including the next twice) costs one analysis, not one per path through the include graph.
//! Two budgets bound what one template can pull in: [`MAX_INCLUDE_DEPTH`] levels of nesting, and
//! `max-file-size` bytes for the template with every fragment it includes (counted as often as
//! they are included); an `@include` past either is reported (`include-budget`) and not read.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::analysis::{IncludeOutcome, IncludeResult, Includes, Settings};
use crate::config::ProjectConfig;
use crate::files::{self, ReadError};
use crate::rulepack::{RulePack, Severity};
use crate::syntax::Parse;

/// How many `@include` levels a template may nest (the template's own includes are level 1).
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// What one fragment's analysis found, as far as it does not depend on who includes it.
#[derive(Debug, Clone)]
struct Analysed {
    /// `Ok((kinds, errors, warnings, first))`, or `Err(message)` when it leads into a cycle.
    outcome: Result<(Vec<String>, usize, usize, Option<String>), String>,
    /// Bytes of the fragment and everything it includes (as often as included), as far as counted.
    bytes: u64,
    /// The depth it was analysed at, when the depth budget cut something off below it: then the
    /// result holds only at that depth.
    cut_at_depth: Option<usize>,
}

#[derive(Debug)]
struct Entry {
    text: String,
    pack: Arc<RulePack>,
    settings: Settings,
    root: PathBuf,
    include_roots: Vec<PathBuf>,
    max_file_size: u64,
    analysed: Analysed,
}

impl Entry {
    fn fits(&self, text: &str, config: &ProjectConfig, depth: usize) -> bool {
        self.text == text
            && Arc::ptr_eq(&self.pack, &config.pack)
            && self.settings == config.settings
            && self.root == config.root
            && self.include_roots == config.include_roots
            && self.max_file_size == config.max_file_size
            && self.analysed.cut_at_depth.is_none_or(|at| at == depth)
    }
}

/// Fragments already analysed, keyed by canonical real path (then content and configuration).
/// Owned by the caller: one per CLI run, one per language-server state. Safe to share between
/// threads; a fragment two threads analyse at once may be analysed twice, never wrongly.
#[derive(Default)]
pub struct FragmentCache {
    entries: Mutex<HashMap<PathBuf, Vec<Entry>>>,
    analyses: AtomicU64,
    /// Texts that win over the file on disk, by canonical real path: the language server's open
    /// buffers (unsaved edits included). Each gives its current text when called.
    overlay: Mutex<HashMap<PathBuf, Overlay>>,
}

/// The current text of a file held elsewhere (an editor's buffer), produced only when read.
pub type Overlay = Arc<dyn Fn() -> String + Send + Sync>;

impl std::fmt::Debug for FragmentCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FragmentCache")
            .field("analyses", &self.analyses)
            .finish_non_exhaustive()
    }
}

impl FragmentCache {
    pub fn new() -> FragmentCache {
        FragmentCache::default()
    }

    /// How many fragment analyses this cache has run (cache hits not counted). Tests use it to
    /// prove that adversarial include graphs cost bounded work.
    pub fn analyses(&self) -> u64 {
        self.analyses.load(Ordering::Relaxed)
    }

    /// The real paths of the fragments analysed so far (the CLI refuses `-o` onto one).
    pub fn paths(&self) -> Vec<PathBuf> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.keys().cloned().collect()
    }

    /// Forgets every fragment (configuration changed: the old packs need not stay alive).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// From now on the fragment at `real` (a canonical path) reads as `text` gives it, not as
    /// the file on disk: an open editor buffer.
    pub fn set_overlay(&self, real: PathBuf, text: Overlay) {
        self.overlay
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(real, text);
    }

    /// The fragment at `real` reads from disk again (its buffer was closed).
    pub fn remove_overlay(&self, real: &Path) {
        self.overlay
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(real);
    }

    fn overlay_text(&self, real: &Path) -> Option<String> {
        let text = self
            .overlay
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(real)
            .cloned()?;
        Some(text())
    }

    /// Forgets what the fragment at `real` gave: a fragment it includes changed (an entry is
    /// keyed by the fragment's own text, not by the texts of what it includes).
    pub fn forget(&self, real: &Path) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(real);
    }

    fn get(
        &self,
        real: &Path,
        text: &str,
        config: &ProjectConfig,
        depth: usize,
    ) -> Option<Analysed> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(real)?
            .iter()
            .find(|entry| entry.fits(text, config, depth))
            .map(|entry| entry.analysed.clone())
    }

    fn put(&self, real: &Path, text: String, config: &ProjectConfig, analysed: Analysed) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let list = entries.entry(real.to_path_buf()).or_default();
        // A file whose content changed (the server keeps running while fragments are edited):
        // forget what the old content gave.
        list.retain(|entry| entry.text == text);
        list.push(Entry {
            text,
            pack: config.pack.clone(),
            settings: config.settings.clone(),
            root: config.root.clone(),
            include_roots: config.include_roots.clone(),
            max_file_size: config.max_file_size,
            analysed,
        });
    }
}

/// Resolves every `@include` of a template at `path`, analysing each fragment at most once per
/// `cache`.
pub fn resolve(
    path: &Path,
    text: &str,
    parse: &Parse,
    config: &ProjectConfig,
    cache: &FragmentCache,
) -> Includes {
    let own = canonical(path);
    resolve_with_stack(path, text, parse, config, cache, &mut vec![own]).0
}

/// The canonical real path of `path` (links resolved), else its absolute lexical form: the key
/// fragments are known by.
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Joins and removes `.`/`..` lexically (no file system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Where an include path written in `from` points, if it is allowed to be read.
pub fn target(from: &Path, written: &str) -> PathBuf {
    let base = from.parent().unwrap_or(Path::new("."));
    normalize(&std::path::absolute(base.join(written)).unwrap_or_else(|_| base.join(written)))
}

/// Where the include `written` in the file at `from` leads: the canonical path of an existing
/// fragment inside the project root or one of the `include-roots`, or why it may not be read
/// (`NotFound`, `OutsideRoot`). The one definition of resolving an include path: the analysis and
/// `noteplate export` (which inlines fragments) both use it.
pub fn locate(
    from: &Path,
    written: &str,
    config: &ProjectConfig,
) -> Result<PathBuf, IncludeOutcome> {
    let lexical = target(from, written);
    if !lexical.exists() {
        return Err(IncludeOutcome::NotFound(format!(
            "`{written}` does not exist (looked for {}); paths are relative to this file",
            lexical.display()
        )));
    }
    let real = canonical(&lexical);
    if !inside_roots(&real, config) {
        return Err(IncludeOutcome::OutsideRoot(format!(
            "`{written}` resolves to {}, outside the project root {}; keep fragments inside the project (or add the folder to `include-roots`)",
            real.display(),
            config.root.display()
        )));
    }
    Ok(real)
}

fn inside_roots(file: &Path, config: &ProjectConfig) -> bool {
    std::iter::once(&config.root)
        .chain(&config.include_roots)
        .any(|root| file.starts_with(canonical(root)))
}

/// The includes of one file, with the bytes of the file and everything it includes (as far as
/// counted) and the depth the depth budget cut at, if it did.
fn resolve_with_stack(
    path: &Path,
    text: &str,
    parse: &Parse,
    config: &ProjectConfig,
    cache: &FragmentCache,
    stack: &mut Vec<PathBuf>,
) -> (Includes, u64, Option<usize>) {
    let mut includes = Includes::default();
    let mut bytes = text.len() as u64;
    let mut cut = None;
    let depth = stack.len();
    let limit = config.max_file_size;
    for include in &parse.document.includes {
        let written = include.path.text(text);
        let outcome = if depth > MAX_INCLUDE_DEPTH {
            cut = Some(depth);
            IncludeOutcome::Budget(format!(
                "`{written}` is nested more than {MAX_INCLUDE_DEPTH} includes deep, so it was not read; include fragments from fewer levels"
            ))
        } else if bytes > limit {
            IncludeOutcome::Budget(format!(
                "`{written}` was not read: this file with the fragments it includes comes to more than {limit} bytes (max-file-size, counting a fragment each time it is included); include fewer or smaller fragments"
            ))
        } else {
            match locate(path, written, config) {
                Err(outcome) => outcome,
                Ok(real) if stack.contains(&real) => IncludeOutcome::Cycle(format!(
                    "`{written}` includes a file that is already being included ({}); remove one of the `@include` lines",
                    real.display()
                )),
                Ok(real) => match fragment(&real, written, config, cache, stack) {
                    Ok(analysed) => {
                        bytes = bytes.saturating_add(analysed.bytes);
                        cut = cut.or(analysed.cut_at_depth.map(|_| depth));
                        match analysed.outcome {
                            Err(message) => IncludeOutcome::Cycle(format!(
                                "`{written}` leads back into itself: {message}"
                            )),
                            // Like a cycle: a chain too deep further down fails here too.
                            Ok(_) if analysed.cut_at_depth.is_some() => {
                                IncludeOutcome::Budget(format!(
                                    "`{written}` includes fragments that include fragments more than {MAX_INCLUDE_DEPTH} levels deep; the deepest were not read; include fragments from fewer levels"
                                ))
                            }
                            Ok(_) if bytes > limit => IncludeOutcome::Budget(format!(
                                "`{written}` was not counted: with it, this file and the fragments it includes come to more than {limit} bytes (max-file-size, counting a fragment each time it is included); include fewer or smaller fragments"
                            )),
                            Ok((kinds, errors, warnings, first)) => IncludeOutcome::Found {
                                file: real,
                                kinds,
                                errors,
                                warnings,
                                first,
                            },
                        }
                    }
                    Err(outcome) => outcome,
                },
            }
        };
        includes.items.push(IncludeResult {
            span: include.path,
            line: include.span,
            outcome,
        });
    }
    (includes, bytes, cut)
}

/// The text of the fragment at `real` (a path from [`locate`]): only a regular file, at most
/// `max-file-size` bytes, in UTF-8; otherwise why not (`NotFound` with a message saying what to do).
pub fn read_fragment(
    real: &Path,
    written: &str,
    config: &ProjectConfig,
) -> Result<String, IncludeOutcome> {
    // Only a regular file, and never more than max-file-size: a FIFO would block the run (or the
    // language server's analysis thread) forever, a device or a huge file would exhaust memory.
    match files::read_regular(real, config.max_file_size).map(String::from_utf8) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(_)) => Err(IncludeOutcome::NotFound(format!(
            "`{written}` is not valid UTF-8; re-save it as UTF-8"
        ))),
        Err(ReadError::NotRegular(kind)) => Err(IncludeOutcome::NotFound(format!(
            "`{written}` is {kind}, not a regular file; include a fragment file"
        ))),
        Err(ReadError::TooLarge { limit, size }) => Err(too_large(written, limit, size)),
        Err(error) => Err(IncludeOutcome::NotFound(format!(
            "cannot read `{written}`: {error}"
        ))),
    }
}

fn too_large(written: &str, limit: u64, size: Option<u64>) -> IncludeOutcome {
    let size = size.map_or_else(
        || format!("more than {limit} bytes"),
        |size| format!("{size} bytes"),
    );
    IncludeOutcome::NotFound(format!(
        "`{written}` is {size}, over the configured max-file-size of {limit} bytes, so it was not read; raise `max-file-size` in noteplate.toml to include it"
    ))
}

/// Reads and analyses the fragment at `real` (or takes what `cache` knows of it). `Err` is an
/// outcome that needs no analysis (unreadable, not UTF-8, too large).
fn fragment(
    real: &Path,
    written: &str,
    config: &ProjectConfig,
    cache: &FragmentCache,
    stack: &mut Vec<PathBuf>,
) -> Result<Analysed, IncludeOutcome> {
    // An open editor buffer wins over the file on disk (under the same size limit).
    let text = match cache.overlay_text(real) {
        Some(text) if text.len() as u64 > config.max_file_size => {
            return Err(too_large(
                written,
                config.max_file_size,
                Some(text.len() as u64),
            ));
        }
        Some(text) => text,
        None => read_fragment(real, written, config)?,
    };
    let depth = stack.len();
    if let Some(analysed) = cache.get(real, &text, config, depth) {
        return Ok(analysed);
    }
    cache.analyses.fetch_add(1, Ordering::Relaxed);
    // The fragment goes through the pipeline like any template, its own includes resolved on the
    // stack of fragments being included.
    let (mut bytes, mut cut) = (0, None);
    let fragment = crate::pipeline::run(
        text,
        None,
        &config.pack,
        &config.settings,
        crate::syntax::parse,
        None,
        |text, parse| {
            stack.push(real.to_path_buf());
            let (nested, nested_bytes, nested_cut) =
                resolve_with_stack(real, text, parse, config, cache, stack);
            stack.pop();
            (bytes, cut) = (nested_bytes, nested_cut);
            nested
        },
    );
    // A cycle further down is this include's cycle too: report it here, where it fails the check.
    let cycle = fragment
        .includes
        .items
        .iter()
        .find_map(|item| match &item.outcome {
            IncludeOutcome::Cycle(message) => Some(message.clone()),
            _ => None,
        });
    let diagnostics = &fragment.analysis.diagnostics;
    let outcome = match cycle {
        Some(message) => Err(message),
        None => Ok((
            fragment.analysis.semantics.kinds_present(),
            diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count(),
            diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
                .or_else(|| diagnostics.iter().find(|d| d.severity == Severity::Warning))
                .map(|d| format!("{}: {}", d.rule, d.message)),
        )),
    };
    let analysed = Analysed {
        outcome,
        bytes,
        // Looked up at `depth` (before this file went on the stack).
        cut_at_depth: cut.map(|_| depth),
    };
    cache.put(real, fragment.text, config, analysed.clone());
    Ok(analysed)
}
