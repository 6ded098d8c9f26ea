//! `@include` resolution: reads fragment files, keeps them inside the project root, detects
//! cycles, and analyses each fragment so its sections count toward the including template and its
//! findings are summarised at the include line. Reads files; the analysis it feeds stays pure.

use std::path::{Component, Path, PathBuf};

use crate::analysis::{self, IncludeOutcome, IncludeResult, Includes};
use crate::config::ProjectConfig;
use crate::files::{self, ReadError};
use crate::rulepack::Severity;
use crate::syntax::{self, Parse};

/// Resolves every `@include` of a template at `path`.
pub fn resolve(path: &Path, text: &str, parse: &Parse, config: &ProjectConfig) -> Includes {
    let own = canonical(path);
    resolve_with_stack(path, text, parse, config, &mut vec![own])
}

fn canonical(path: &Path) -> PathBuf {
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

fn inside_roots(file: &Path, config: &ProjectConfig) -> bool {
    std::iter::once(&config.root)
        .chain(&config.include_roots)
        .any(|root| file.starts_with(canonical(root)))
}

fn resolve_with_stack(
    path: &Path,
    text: &str,
    parse: &Parse,
    config: &ProjectConfig,
    stack: &mut Vec<PathBuf>,
) -> Includes {
    let mut includes = Includes::default();
    for include in &parse.document.includes {
        let written = include.path.text(text);
        let lexical = target(path, written);
        let outcome = if !lexical.exists() {
            IncludeOutcome::NotFound(format!(
                "`{written}` does not exist (looked for {}); paths are relative to this file",
                lexical.display()
            ))
        } else {
            let real = canonical(&lexical);
            if !inside_roots(&real, config) {
                IncludeOutcome::OutsideRoot(format!(
                    "`{written}` resolves to {}, outside the project root {}; keep fragments inside the project (or add the folder to `include-roots`)",
                    real.display(),
                    config.root.display()
                ))
            } else if stack.contains(&real) {
                IncludeOutcome::Cycle(format!(
                    "`{written}` includes a file that is already being included ({}); remove one of the `@include` lines",
                    real.display()
                ))
            } else {
                analyse_fragment(&real, written, config, stack)
            }
        };
        includes.items.push(IncludeResult {
            span: include.path,
            line: include.span,
            outcome,
        });
    }
    includes
}

fn analyse_fragment(
    real: &Path,
    written: &str,
    config: &ProjectConfig,
    stack: &mut Vec<PathBuf>,
) -> IncludeOutcome {
    // Only a regular file, and never more than max-file-size: a FIFO would block the run (or the
    // language server's analysis thread) forever, a device or a huge file would exhaust memory.
    let text = match files::read_regular(real, config.max_file_size).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            return IncludeOutcome::NotFound(format!(
                "`{written}` is not valid UTF-8; re-save it as UTF-8"
            ));
        }
        Err(ReadError::NotRegular(kind)) => {
            return IncludeOutcome::NotFound(format!(
                "`{written}` is {kind}, not a regular file; include a fragment file"
            ));
        }
        Err(ReadError::TooLarge { limit, size }) => {
            let size = size.map_or_else(
                || format!("more than {limit} bytes"),
                |size| format!("{size} bytes"),
            );
            return IncludeOutcome::NotFound(format!(
                "`{written}` is {size}, over the configured max-file-size of {limit} bytes, so it was not read; raise `max-file-size` in noteplate.toml to include it"
            ));
        }
        Err(error) => return IncludeOutcome::NotFound(format!("cannot read `{written}`: {error}")),
    };
    let parse = syntax::parse(&text);
    stack.push(real.to_path_buf());
    let nested = resolve_with_stack(real, &text, &parse, config, stack);
    stack.pop();
    // A cycle further down is this include's cycle too: report it here, where it fails the check.
    if let Some(message) = nested.items.iter().find_map(|item| match &item.outcome {
        IncludeOutcome::Cycle(message) => Some(message.clone()),
        _ => None,
    }) {
        return IncludeOutcome::Cycle(format!("`{written}` leads back into itself: {message}"));
    }
    let (semantics, diagnostics) = analysis::analyze_with_semantics_and_includes(
        &text,
        &parse,
        &config.pack,
        &config.settings,
        &nested,
    );
    let kinds = semantics.kinds_present();
    IncludeOutcome::Found {
        file: real.to_path_buf(),
        kinds,
        errors: diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        warnings: diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        first: diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .or_else(|| diagnostics.iter().find(|d| d.severity == Severity::Warning))
            .map(|d| format!("{}: {}", d.rule, d.message)),
    }
}
