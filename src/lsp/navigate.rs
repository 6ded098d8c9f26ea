//! Cross-file navigation and refactoring (issue 11, item 3): references, document highlight,
//! prepare/rename of `{{field}}` names, references to a fragment (every `@include` of it), the
//! "included by N templates" code lens, `workspace/willRenameFiles` (rewrites `@include` paths to
//! moved fragments) and workspace symbols.
//!
//! Files come only from [`State::workspace_files`]; includes resolve only through
//! [`fragments::locate`]; every decision is `ide::navigate`'s. This module finds, converts and
//! runs the file work on a blocking thread, away from the protocol tasks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use serde_json::json;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use super::encoding::{self, Encoding};
use super::state::{State, file_path, lock};
use super::workspace::WorkspaceFile;
use crate::fragments;
use crate::ide::navigate::{self as nav, RenameError, SymbolKind as Kind};
use crate::syntax::{self, Parse, Span};

/// The client-side command the "included by" lens runs: arguments are the fragment's URI, the
/// lens's position and the includers' locations, in protocol shapes (`docs/lsp.md`). Editors map
/// it onto their own "show references" (VS Code: `editor.action.showReferences`).
pub const SHOW_REFERENCES: &str = "noteplate.showReferences";

/// The JSON-RPC code of a request that was valid but could not be carried out (LSP
/// `RequestFailed`): a rename refused because of a field type collision.
const REQUEST_FAILED: i64 = -32803;

/// Runs `work` on a blocking thread (it reads the workspace), a panic becoming an internal error.
async fn blocking<T: Send + 'static>(
    state: &Arc<State>,
    what: &'static str,
    work: impl FnOnce(&State) -> Result<T> + Send + 'static,
) -> Result<T> {
    let state = state.clone();
    match tokio::task::spawn_blocking(move || super::server::guarded(what, || work(&state))).await {
        Ok(result) => result?,
        Err(_) => Err(Error::internal_error()),
    }
}

/// The current document's text, parse and cursor offset; `None` when it is not open or over
/// max-file-size.
struct Cursor {
    uri: Uri,
    snapshot: Arc<super::documents::Snapshot>,
    offset: usize,
}

async fn cursor(state: &Arc<State>, position: &TextDocumentPositionParams) -> Option<Cursor> {
    let uri = position.text_document.uri.clone();
    let snapshot = state
        .current_snapshot(&uri)
        .await
        .filter(|s| !s.too_large)?;
    let offset = encoding::offset(&snapshot.rope, position.position, state.encoding());
    Some(Cursor {
        uri,
        snapshot,
        offset,
    })
}

/// The workspace's files, and the requesting document when it is not among them (an `untitled:`
/// buffer, a file outside the workspace folders).
fn files_with(state: &State, cursor: &Cursor) -> Vec<WorkspaceFile> {
    let mut files = state.workspace_files();
    if !files.iter().any(|file| file.uri == cursor.uri) {
        files.push(WorkspaceFile {
            uri: cursor.uri.clone(),
            path: file_path(&cursor.uri).unwrap_or_default(),
            text: cursor.snapshot.text.as_str().into(),
            open: true,
        });
    }
    files
}

/// Byte spans of one file as protocol ranges.
fn ranges(text: &str, spans: &[Span], encoding: Encoding) -> Vec<Range> {
    let rope = Rope::from_str(text);
    spans
        .iter()
        .map(|&span| encoding::range(&rope, span, encoding))
        .collect()
}

fn locations(uri: &Uri, text: &str, spans: &[Span], encoding: Encoding) -> Vec<Location> {
    ranges(text, spans, encoding)
        .into_iter()
        .map(|range| Location {
            uri: uri.clone(),
            range,
        })
        .collect()
}

/// The name of the field under the cursor, if it is on one.
fn field_name(cursor: &Cursor) -> Option<String> {
    let field = nav::field_at(&cursor.snapshot.parse, cursor.offset)?;
    Some(field.name.text(&cursor.snapshot.text).to_string())
}

/// The fragment the cursor asks about: the target of the `@include` path under it, or the
/// document itself when the cursor is on its first line.
fn fragment_at(cursor: &Cursor) -> Option<PathBuf> {
    let snapshot = &cursor.snapshot;
    if nav::include_at(&snapshot.parse, cursor.offset).is_some() {
        return snapshot
            .includes
            .iter()
            .find(|(span, _)| span.touches(cursor.offset))
            .map(|(_, target)| target.clone());
    }
    if nav::on_first_line(&snapshot.text, cursor.offset) {
        return real_path(&file_path(&cursor.uri)?);
    }
    None
}

fn real_path(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok()
}

/// `textDocument/references`: every occurrence of the field under the cursor in the workspace;
/// on an `@include` path or a file's first line, every `@include` of that fragment. `None`
/// elsewhere.
pub async fn references(
    state: &Arc<State>,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let Some(cursor) = cursor(state, &params.text_document_position).await else {
        return Ok(None);
    };
    blocking(state, "textDocument/references", move |state| {
        let encoding = state.encoding();
        if let Some(name) = field_name(&cursor) {
            let mut found = Vec::new();
            for file in files_with(state, &cursor) {
                if !nav::may_mention(&file.text, &name) {
                    continue;
                }
                let parse = syntax::parse(&file.text);
                let spans = nav::field_names(&file.text, &parse, &name);
                if !spans.is_empty() {
                    found.extend(locations(&file.uri, &file.text, &spans, encoding));
                }
            }
            return Ok(Some(found));
        }
        match fragment_at(&cursor) {
            Some(fragment) => Ok(Some(includers(state, &fragment, encoding))),
            None => Ok(None),
        }
    })
    .await
}

/// Every `@include` in the workspace that resolves (with [`fragments::locate`], under its own
/// file's configuration) to the fragment at `target` (a real path).
/// Once the workspace index is built, only the closed files its include graph names are parsed;
/// open documents are always read, from the editor's text: the graph may not have their latest
/// includes yet (it learns an open document's text after its analysis, which can come after the
/// index is ready), and there are few of them.
pub fn includers(state: &State, target: &Path, encoding: Encoding) -> Vec<Location> {
    let ready = lock(&state.index).ready;
    let indexed: Option<std::collections::HashSet<PathBuf>> =
        ready.then(|| state.includers(target).into_iter().collect());
    let mut found = Vec::new();
    for file in state.workspace_files() {
        if let Some(indexed) = &indexed
            && !file.open
            && !indexed.contains(&fragments::canonical(&file.path))
        {
            continue;
        }
        for_each_include(state, &file, |_, span, real| {
            if real == target {
                found.extend(locations(&file.uri, &file.text, &[span], encoding));
            }
        });
    }
    found
}

/// Calls `visit(parse, path span, real target)` for each `@include` of `file` that resolves.
fn for_each_include(
    state: &State,
    file: &WorkspaceFile,
    mut visit: impl FnMut(&Parse, Span, &Path),
) {
    if !file.text.contains("@include") || file.path.as_os_str().is_empty() {
        return;
    }
    let parse = syntax::parse(&file.text);
    if parse.document.includes.is_empty() {
        return;
    }
    let (config, _) = state.project_config(&file.uri);
    for include in &parse.document.includes {
        let written = include.path.text(&file.text);
        if let Ok(real) = fragments::locate(&file.path, written, &config) {
            visit(&parse, include.path, &real);
        }
    }
}

/// `textDocument/documentHighlight`: the field under the cursor, in this document.
pub async fn document_highlight(
    state: &Arc<State>,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let Some(cursor) = cursor(state, &params.text_document_position_params).await else {
        return Ok(None);
    };
    super::server::guarded("textDocument/documentHighlight", || {
        let name = field_name(&cursor)?;
        let snapshot = &cursor.snapshot;
        let spans = nav::field_names(&snapshot.text, &snapshot.parse, &name);
        let encoding = state.encoding();
        Some(
            spans
                .into_iter()
                .map(|span| DocumentHighlight {
                    range: encoding::range(&snapshot.rope, span, encoding),
                    kind: Some(DocumentHighlightKind::TEXT),
                })
                .collect(),
        )
    })
}

/// `textDocument/prepareRename`: the field name under the cursor (its range and the name as
/// placeholder); `None` anywhere else.
pub async fn prepare_rename(
    state: &Arc<State>,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(cursor) = cursor(state, &params).await else {
        return Ok(None);
    };
    super::server::guarded("textDocument/prepareRename", || {
        let snapshot = &cursor.snapshot;
        let field = nav::field_at(&snapshot.parse, cursor.offset)?;
        Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: encoding::range(&snapshot.rope, field.name, state.encoding()),
            placeholder: field.name.text(&snapshot.text).to_string(),
        })
    })
}

/// `textDocument/rename` of the field under the cursor in every workspace file; refused with a
/// message when the new name is not a field name or collides with a field of another type.
pub async fn rename(
    state: &Arc<State>,
    params: RenameParams,
    document_changes: bool,
) -> Result<Option<WorkspaceEdit>> {
    let Some(cursor) = cursor(state, &params.text_document_position).await else {
        return Ok(None);
    };
    let new = params.new_name;
    blocking(state, "textDocument/rename", move |state| {
        let Some(old) = field_name(&cursor) else {
            return Ok(None);
        };
        rename_in(
            state,
            &files_with(state, &cursor),
            &old,
            &new,
            document_changes,
        )
        .map(Some)
    })
    .await
}

/// The rename of field `old` to `new` across `files`, as a workspace edit.
pub fn rename_in(
    state: &State,
    files: &[WorkspaceFile],
    old: &str,
    new: &str,
    document_changes: bool,
) -> Result<WorkspaceEdit> {
    let candidates: Vec<&WorkspaceFile> = files
        .iter()
        .filter(|file| nav::may_mention(&file.text, old))
        .collect();
    let parses: Vec<Parse> = candidates
        .iter()
        .map(|file| syntax::parse(&file.text))
        .collect();
    let inputs: Vec<(&str, &Parse)> = candidates
        .iter()
        .zip(&parses)
        .map(|(file, parse)| (&*file.text, parse))
        .collect();
    let edits = nav::rename_field(&inputs, old, new).map_err(|refused| {
        let file = match &refused {
            RenameError::Collision { file, .. } => candidates
                .get(*file)
                .map(|file| shown_path(state, file))
                .unwrap_or_default(),
            RenameError::InvalidName(_) => String::new(),
        };
        Error {
            code: match refused {
                RenameError::InvalidName(_) => ErrorCode::InvalidParams,
                RenameError::Collision { .. } => ErrorCode::ServerError(REQUEST_FAILED),
            },
            message: refused.message(old, new, &file).into(),
            data: None,
        }
    })?;
    let encoding = state.encoding();
    let per_file = candidates
        .iter()
        .zip(edits)
        .filter(|(_, spans)| !spans.is_empty())
        .map(|(file, spans)| {
            let text_edits = ranges(&file.text, &spans, encoding)
                .into_iter()
                .map(|range| TextEdit {
                    range,
                    new_text: new.to_string(),
                })
                .collect();
            (*file, text_edits)
        })
        .collect();
    Ok(workspace_edit(state, per_file, document_changes))
}

/// Edits per file as a `WorkspaceEdit`: `documentChanges` (with the version of each open
/// document, `null` for the others) when the client supports them, else `changes`.
fn workspace_edit(
    state: &State,
    per_file: Vec<(&WorkspaceFile, Vec<TextEdit>)>,
    document_changes: bool,
) -> WorkspaceEdit {
    if !document_changes {
        return WorkspaceEdit {
            changes: Some(
                per_file
                    .into_iter()
                    .map(|(file, edits)| (file.uri.clone(), edits))
                    .collect::<HashMap<_, _>>(),
            ),
            ..Default::default()
        };
    }
    let documents = lock(&state.documents);
    let edits = per_file
        .into_iter()
        .map(|(file, edits)| TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: file.uri.clone(),
                version: documents
                    .get(&file.uri)
                    .filter(|_| file.open)
                    .map(|document| document.version),
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(edits)),
        ..Default::default()
    }
}

/// A file's path for a message: relative to the workspace folder holding it.
fn shown_path(state: &State, file: &WorkspaceFile) -> String {
    state
        .roots()
        .iter()
        .find_map(|root| file.path.strip_prefix(root).ok())
        .unwrap_or(&file.path)
        .display()
        .to_string()
}

/// `textDocument/codeLens`: on a fragment's first line (a file that is not a note of its own),
/// "included by N templates", running [`SHOW_REFERENCES`] with the includers.
pub async fn code_lens(
    state: &Arc<State>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let Some(snapshot) = state
        .current_snapshot(&uri)
        .await
        .filter(|s| !s.too_large && !s.semantics.is_note())
    else {
        return Ok(None);
    };
    let Some(target) = file_path(&uri).as_deref().and_then(real_path) else {
        return Ok(None);
    };
    blocking(state, "textDocument/codeLens", move |state| {
        let encoding = state.encoding();
        let found = includers(state, &target, encoding);
        let includers = {
            let mut files: Vec<&Uri> = found.iter().map(|location| &location.uri).collect();
            files.dedup();
            files.len()
        };
        let range = encoding::range(&snapshot.rope, nav::first_line(&snapshot.text), encoding);
        Ok(Some(vec![CodeLens {
            range,
            command: Some(Command {
                title: nav::included_by_title(includers),
                command: SHOW_REFERENCES.to_string(),
                arguments: Some(vec![json!(uri), json!(range.start), json!(found)]),
            }),
            data: None,
        }]))
    })
    .await
}

/// The file operations `workspace/willRenameFiles` is asked for: `.note` files and folders.
pub fn will_rename_filters() -> FileOperationRegistrationOptions {
    let filter = |glob: &str, matches| FileOperationFilter {
        scheme: Some("file".to_string()),
        pattern: FileOperationPattern {
            glob: glob.to_string(),
            matches: Some(matches),
            options: None,
        },
    };
    FileOperationRegistrationOptions {
        filters: vec![
            filter("**/*.note", FileOperationPatternKind::File),
            filter("**", FileOperationPatternKind::Folder),
        ],
    }
}

/// `workspace/willRenameFiles`: edits to every `@include` that points at a moved file (or into
/// a moved folder), or that sits in a moved file, so it points at the same fragment afterwards.
/// Edits are of the files at their old places (the client applies them before moving).
pub async fn will_rename_files(
    state: &Arc<State>,
    params: RenameFilesParams,
    document_changes: bool,
) -> Result<Option<WorkspaceEdit>> {
    blocking(state, "workspace/willRenameFiles", move |state| {
        // (old, new) real paths; the new place does not exist yet: its folder's real path.
        let moves: Vec<(PathBuf, PathBuf)> = params
            .files
            .iter()
            .filter_map(|rename| {
                let old = file_path(&rename.old_uri.parse().ok()?)?;
                let new = file_path(&rename.new_uri.parse().ok()?)?;
                let old = real_path(&old)?;
                let new = match (new.parent().and_then(real_path), new.file_name()) {
                    (Some(folder), Some(name)) => folder.join(name),
                    _ => new,
                };
                Some((old, new))
            })
            .collect();
        if moves.is_empty() {
            return Ok(None);
        }
        let after = |path: &Path| {
            moves
                .iter()
                .find_map(|(old, new)| nav::moved(path, old, new))
        };
        let encoding = state.encoding();
        let files = state.workspace_files();
        let mut per_file = Vec::new();
        for file in &files {
            let Some(real) = real_path(&file.path) else {
                continue;
            };
            let includer_moved = after(&real);
            let Some(folder_after) = includer_moved.as_deref().unwrap_or(&real).parent() else {
                continue;
            };
            let folder_after = folder_after.to_path_buf();
            let mut edits = Vec::new();
            for_each_include(state, file, |_, span, target| {
                let target_after = after(target);
                if includer_moved.is_none() && target_after.is_none() {
                    return;
                }
                let target_after = target_after.as_deref().unwrap_or(target);
                let Some(written) = nav::relative_include(&folder_after, target_after) else {
                    return;
                };
                if written != span.text(&file.text) {
                    edits.push((span, written));
                }
            });
            if edits.is_empty() {
                continue;
            }
            let spans: Vec<Span> = edits.iter().map(|(span, _)| *span).collect();
            let text_edits = ranges(&file.text, &spans, encoding)
                .into_iter()
                .zip(edits)
                .map(|(range, (_, new_text))| TextEdit { range, new_text })
                .collect();
            per_file.push((file, text_edits));
        }
        if per_file.is_empty() {
            return Ok(None);
        }
        Ok(Some(workspace_edit(state, per_file, document_changes)))
    })
    .await
}

/// `workspace/symbol`: templates, sections and fields of the workspace whose names match the
/// query (characters in order, ignoring case), at most [`nav::MAX_WORKSPACE_SYMBOLS`].
pub async fn symbols(
    state: &Arc<State>,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    blocking(state, "workspace/symbol", move |state| {
        let encoding = state.encoding();
        let mut packs: HashMap<PathBuf, Arc<crate::rulepack::RulePack>> = HashMap::new();
        let mut out = Vec::new();
        for file in state.workspace_files() {
            let left = nav::MAX_WORKSPACE_SYMBOLS - out.len();
            if left == 0 {
                break;
            }
            let folder = file
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let pack = packs
                .entry(folder)
                .or_insert_with(|| state.project_config(&file.uri).0.pack.clone())
                .clone();
            let parse = syntax::parse(&file.text);
            let name = file
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let found = nav::file_symbols(&file.text, &parse, &pack, &name, &params.query, left);
            if found.is_empty() {
                continue;
            }
            let spans: Vec<Span> = found.iter().map(|symbol| symbol.span).collect();
            for (symbol, range) in found.into_iter().zip(ranges(&file.text, &spans, encoding)) {
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name: symbol.name,
                    kind: match symbol.kind {
                        Kind::Template => SymbolKind::FILE,
                        Kind::Section => SymbolKind::NAMESPACE,
                        Kind::Field => SymbolKind::FIELD,
                    },
                    tags: None,
                    deprecated: None,
                    location: Location {
                        uri: file.uri.clone(),
                        range,
                    },
                    container_name: match (symbol.container, symbol.detail) {
                        (Some(container), Some(detail)) => Some(format!("{container} · {detail}")),
                        (container, detail) => container.or(detail),
                    },
                });
            }
        }
        Ok(Some(WorkspaceSymbolResponse::Flat(out)))
    })
    .await
}
