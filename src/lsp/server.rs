//! The `LanguageServer` implementation: one method per protocol request or notification, each a
//! thin layer over `ide`/`analysis` plus conversion. Text edits were already applied by
//! `State::inspect` when these handlers run; handlers schedule analysis, or wait for the current
//! version's analysis from the analysis thread (`worker.rs`), never analyse themselves.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::encoding::{self, Encoding};
use super::navigate;
use super::settings::{ClientSettings, DiagnosticMode, WorkspaceDiagnostics};
use super::state::{State, lock};
use crate::ide;

/// The kind of the "fix all" action (`ide::actions` decides what it holds).
pub const FIX_ALL: &str = ide::actions::FIX_ALL;

pub struct Backend {
    client: Client,
    state: Arc<State>,
    /// Client capabilities that change what we do.
    caps: std::sync::Mutex<ClientCaps>,
    /// Problems with `initializationOptions`, shown once `initialized` arrives (a client need
    /// not show messages sent before it has the answer to `initialize`).
    init_problems: std::sync::Mutex<Vec<String>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct ClientCaps {
    configuration: bool,
    dynamic_configuration: bool,
    dynamic_watchers: bool,
    /// Completion edits may be `InsertReplaceEdit`s.
    insert_replace: bool,
    /// Workspace edits may be `documentChanges` (with versions).
    document_changes: bool,
    /// The client shows `$/progress` for tokens the server creates.
    work_done_progress: bool,
}

/// Runs `work`, turning a panic into a JSON-RPC internal error so the server stays up.
pub(super) fn guarded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Error {
            code: ErrorCode::InternalError,
            message: format!("noteplate: internal error in {what}: {detail}; the server is still running, please report this").into(),
            data: None,
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
    pub text_document: TextDocumentIdentifier,
}

#[derive(Debug, Serialize)]
pub struct DocumentText {
    pub version: i32,
    pub text: String,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Backend {
        Backend {
            client,
            state,
            caps: std::sync::Mutex::new(ClientCaps::default()),
            init_problems: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn caps(&self) -> ClientCaps {
        *lock(&self.caps)
    }

    async fn report<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(error) = &result {
            self.client
                .log_message(MessageType::ERROR, error.message.clone())
                .await;
        }
        result
    }

    /// Analyses the document's current version after the debounce delay (see [`schedule`]).
    fn schedule(&self, uri: Uri) {
        schedule(&self.state, &self.client, uri);
    }

    /// After settings or configuration changed: forget analyses and redo every open document.
    async fn reanalyse_all(&self) {
        reanalyse(&self.state, &self.client, None).await;
    }

    async fn apply_settings(&self, value: &serde_json::Value) {
        let (settings, problems) = ClientSettings::from_json(value);
        *lock(&self.state.settings) = settings;
        for problem in problems {
            self.client
                .show_message(MessageType::WARNING, problem)
                .await;
        }
    }

    /// Asks for the settings: the global ones, then each workspace folder's (`scopeUri`), used
    /// for the documents in that folder; a folder's invalid settings are reported like the
    /// global ones, naming the folder.
    async fn pull_settings(&self) {
        if !self.caps().configuration {
            return;
        }
        let roots = self.state.roots();
        let folders: Vec<(std::path::PathBuf, Uri)> = roots
            .into_iter()
            .filter_map(|root| {
                let uri = Uri::from_file_path(&root)?;
                Some((root, uri))
            })
            .collect();
        let items = std::iter::once(None)
            .chain(folders.iter().map(|(_, uri)| Some(uri.clone())))
            .map(|scope_uri| ConfigurationItem {
                scope_uri,
                section: Some("noteplate".to_string()),
            })
            .collect();
        let Ok(values) = self.client.configuration(items).await else {
            return;
        };
        let mut values = values.into_iter();
        let Some(global) = values.next() else {
            return;
        };
        let (settings, global_problems) = ClientSettings::from_json(&global);
        *lock(&self.state.settings) = settings;
        let mut problems = global_problems.clone();
        let mut per_folder = Vec::new();
        for ((root, _), value) in folders.into_iter().zip(values) {
            let (settings, found) = ClientSettings::from_json(&value);
            problems.extend(super::settings::folder_problems(
                &root,
                found,
                &global_problems,
            ));
            per_folder.push((root, settings));
        }
        *lock(&self.state.folder_settings) = super::settings::FolderSettings::new(per_folder);
        for problem in problems {
            self.client
                .show_message(MessageType::WARNING, problem)
                .await;
        }
    }

    fn encoding(&self) -> Encoding {
        self.state.encoding()
    }

    pub async fn document_text(&self, params: DocumentTextParams) -> Result<DocumentText> {
        let documents = lock(&self.state.documents);
        let document = documents.get(&params.text_document.uri).ok_or_else(|| {
            Error::invalid_params(format!("{} is not open", params.text_document.uri.as_str()))
        })?;
        Ok(DocumentText {
            version: document.version,
            text: document.rope.to_string(),
        })
    }

    /// The encoded semantic tokens of a document, of those overlapping `range` when given;
    /// `None` (no work) over max-file-size.
    fn semantic_tokens(
        &self,
        snapshot: Arc<super::documents::Snapshot>,
        range: Option<Range>,
    ) -> Option<Vec<SemanticToken>> {
        if snapshot.too_large {
            return None;
        }
        let encoding = self.encoding();
        let kinds: Vec<String> = snapshot
            .config
            .pack
            .sections
            .iter()
            .map(|s| s.kind.clone())
            .collect();
        let tokens = match range {
            Some(range) => ide::tokens::tokens_in(
                &snapshot.parse,
                &snapshot.semantics,
                &kinds,
                encoding::span(&snapshot.rope, range, encoding),
            ),
            None => ide::tokens::tokens(&snapshot.parse, &snapshot.semantics, &kinds),
        };
        Some(convert::semantic_tokens(
            &snapshot.rope,
            encoding,
            &tokens,
            range,
        ))
    }

    /// Keeps `data` as the document's last semantic tokens under a new result id, returned.
    fn remember_tokens(&self, uri: &Uri, data: &[SemanticToken]) -> String {
        let id = self
            .state
            .semantic_ids
            .fetch_add(1, Ordering::SeqCst)
            .to_string();
        lock(&self.state.semantic_tokens).insert(uri.clone(), (id.clone(), data.to_vec()));
        id
    }

    /// `noteplate/render`: the document's current text as the preview page (`render.rs`).
    pub async fn render(&self, params: DocumentTextParams) -> Result<super::render::Rendered> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.state.current_snapshot(&uri).await else {
            return Err(Error::invalid_params(format!(
                "{} is not open; open it before asking for its preview",
                uri.as_str()
            )));
        };
        let result = guarded("noteplate/render", || super::render::render(&snapshot));
        self.report(result).await
    }

    /// Test hook: panics inside a handler when `NOTEPLATE_TEST_PANIC=1`, to prove the guard.
    pub async fn debug_panic(&self) -> Result<()> {
        let result = guarded("noteplate/debugPanic", || {
            if std::env::var_os("NOTEPLATE_TEST_PANIC").is_some() {
                panic!("deliberate test panic");
            }
        });
        self.report(result).await
    }
}

/// A `didChange` as the transport reads it (after `State::inspect` applied it): its analysis is
/// scheduled at once, without waiting for tower-lsp-server to pass the notification through its
/// in-memory pipe to `did_change` (which then finds it scheduled and only looks at what includes
/// the document). Only between `initialize` and `shutdown`, when tower-lsp-server would call
/// `did_change` too.
pub(super) fn schedule_on_arrival(state: &Arc<State>, message: &serde_json::Value) {
    if message.get("method").and_then(|m| m.as_str()) != Some("textDocument/didChange")
        || state.shutdown_requested.load(Ordering::SeqCst)
    {
        return;
    }
    let Some(client) = state.client.get() else {
        return;
    };
    let Some(uri) = message
        .pointer("/params/textDocument/uri")
        .and_then(|uri| Uri::deserialize(uri).ok())
    else {
        return;
    };
    schedule(state, client, uri);
}

/// Analyses the document's current version after the debounce delay, off the protocol task,
/// and publishes the result with that version unless a newer version arrived meanwhile.
fn schedule(state: &Arc<State>, client: &Client, uri: Uri) {
    let revision = {
        let mut documents = lock(&state.documents);
        let Some(document) = documents.get_mut(&uri) else {
            return;
        };
        if document.scheduled == Some(document.version) {
            return;
        }
        document.scheduled = Some(document.version);
        document.revision()
    };
    let delay = lock(&state.settings)
        .debounce_ms
        .min(super::settings::MAX_DEBOUNCE_MS);
    // On the analysis thread, in turn; a job whose revision is stale by then does nothing
    // (a newer change scheduled its own analysis, after this one). A hover may already have
    // analysed this revision; then that analysis is used. The analysis thread publishes the
    // diagnostics itself (`State::publish_on_worker`) and gives the analysis back only when the
    // configuration needs the protocol task. Without a delay the job is queued right here, so a
    // keystroke reaches the analysis thread without waiting for a task to be scheduled.
    let analyse = move |state: &Arc<State>, uri: &Uri| {
        let publish_uri = uri.clone();
        state.analyse_on_worker_then(uri, Some(revision), move |state, snapshot| {
            state.publish_on_worker(&publish_uri, revision, snapshot)
        })
    };
    let queued = (delay == 0).then(|| analyse(state, &uri));
    let state = state.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let outcome = match queued {
            Some(queued) => queued.await,
            None => {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let stale = lock(&state.documents)
                    .get(&uri)
                    .is_none_or(|document| document.revision() != revision);
                if stale {
                    return; // closed, or a newer change scheduled its own analysis
                }
                analyse(&state, &uri).await
            }
        };
        let snapshot = match outcome {
            Ok(Some(Some(snapshot))) => snapshot,
            // Stale, or published on the analysis thread.
            Ok(Some(None) | None) => return,
            Err(_) => {
                client
                    .log_message(
                        MessageType::ERROR,
                        format!("noteplate: internal error analysing {}", uri.as_str()),
                    )
                    .await;
                return;
            }
        };
        state.index_analysed(&uri, &snapshot);
        show_config_status(&client, &state, &snapshot).await;
        // This analysis found a configuration file changed (`State::restat_config`) and used
        // the new configuration: the other open documents are checked again under it.
        if state.config_changed.swap(false, Ordering::SeqCst) {
            reanalyse(&state, &client, Some(&uri)).await;
        }
        if state.pushes() {
            let encoding = state.encoding();
            let diagnostics =
                convert::diagnostics(&uri, &snapshot.rope, encoding, &snapshot.diagnostics);
            // Not held while publishing: the next analysis reuses its tree in place when
            // nothing else holds it.
            drop(snapshot);
            // Publish only if this is still the document's version (not closed, not
            // edited since), checked under the lock a close publishes under.
            let _publishing = state.publishing.lock().await;
            let current = lock(&state.documents)
                .get(&uri)
                .is_some_and(|document| document.revision() == revision);
            if current {
                state.publish_diagnostics(uri, diagnostics, Some(revision.version));
            }
        }
    });
}

/// After settings or configuration changed: forget analyses and redo every open document but
/// `except` (which was just analysed under the new configuration).
async fn reanalyse(state: &Arc<State>, client: &Client, except: Option<&Uri>) {
    state.invalidate_all_findings();
    let uris = {
        let mut documents = lock(&state.documents);
        let mut uris = documents.uris();
        uris.retain(|uri| Some(uri) != except);
        for uri in &uris {
            if let Some(document) = documents.get_mut(uri) {
                document.analysis = None;
                document.scheduled = None;
            }
        }
        uris
    };
    if state.pushes() {
        for uri in uris {
            schedule(state, client, uri);
        }
        // The files that are not open: published again under the new settings, or cleared when
        // workspace diagnostics were turned off.
        if workspace_mode(state) {
            let keys = state
                .closed_files()
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            tokio::spawn(publish_closed(state.clone(), client.clone(), keys));
        } else {
            let published = std::mem::take(&mut lock(&state.index).published);
            let _publishing = state.publishing.lock().await;
            for uri in published {
                if lock(&state.documents).get(&uri).is_none() {
                    state.publish_diagnostics(uri, Vec::new(), None);
                }
            }
        }
    } else if state.diagnostic_refresh.load(Ordering::SeqCst) {
        let _ = client.workspace_diagnostic_refresh().await;
    }
}

/// Whether every template of the workspace gets diagnostics (`noteplate.workspaceDiagnostics`).
fn workspace_mode(state: &State) -> bool {
    lock(&state.settings).workspace_diagnostics == WorkspaceDiagnostics::Workspace
}

/// The text of the files `changed` (canonical paths) changed (an edit, a close, a file changed on
/// disk): every file that includes one of them, directly or through other fragments, is checked
/// again. Open ones after the debounce delay (a burst of edits re-checks each once), pushed or,
/// for clients that pull, refreshed; closed ones (and closed `changed` files) with workspace
/// diagnostics on, computed on the analysis thread and pushed, or refreshed for pull clients.
fn dependents_changed(state: &Arc<State>, client: &Client, changed: Vec<std::path::PathBuf>) {
    if changed.is_empty() {
        return;
    }
    let (open, closed) = state.invalidate_dependents(&changed);
    let open: Vec<Uri> = {
        let mut pending = lock(&state.recheck_pending);
        open.into_iter()
            .filter(|uri| pending.insert(uri.clone()))
            .collect()
    };
    let workspace = workspace_mode(state);
    if open.is_empty() && (closed.is_empty() || !workspace) {
        return;
    }
    let state = state.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let delay = lock(&state.settings)
            .debounce_ms
            .min(super::settings::MAX_DEBOUNCE_MS);
        if delay > 0 && !open.is_empty() {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        {
            let mut pending = lock(&state.recheck_pending);
            for uri in &open {
                pending.remove(uri);
            }
        }
        {
            let mut documents = lock(&state.documents);
            for uri in &open {
                if let Some(document) = documents.get_mut(uri) {
                    document.analysis = None;
                    document.scheduled = None;
                }
            }
        }
        if state.pushes() {
            for uri in open {
                schedule(&state, &client, uri);
            }
            if workspace && !closed.is_empty() {
                publish_closed(state.clone(), client.clone(), closed).await;
            }
        } else if state.diagnostic_refresh.load(Ordering::SeqCst) {
            // Pull clients are asked to pull again only when a dependent's findings changed (a
            // keystroke in a fragment mostly changes none): the open includers are analysed and
            // compared with what their last pull answered (one never pulled is pulled anyway),
            // the closed ones computed and compared with their last findings.
            let mut changed = false;
            let encoding = state.encoding();
            for uri in open {
                let Some(last) = lock(&state.pulled).get(&uri).cloned() else {
                    continue;
                };
                if let Ok(Some(new)) = state.analyse_on_worker(&uri, None).await {
                    let now = convert::diagnostics(&uri, &new.rope, encoding, &new.diagnostics);
                    changed |= now != last;
                }
            }
            if workspace && !closed.is_empty() {
                changed |= state.compute_findings(&closed).await.is_none_or(|n| n > 0);
            }
            if changed {
                let _ = client.workspace_diagnostic_refresh().await;
            }
        }
    });
}

/// Workspace diagnostics for clients that take pushes: computes the findings of the closed files
/// `keys` (on the analysis thread) and publishes each that has findings or had some published.
async fn publish_closed(state: Arc<State>, client: Client, keys: Vec<std::path::PathBuf>) {
    if state.compute_findings(&keys).await.is_none() {
        client
            .log_message(
                MessageType::ERROR,
                "noteplate: internal error computing workspace diagnostics",
            )
            .await;
        return;
    }
    for key in keys {
        let _publishing = state.publishing.lock().await;
        // Checked under the lock a close publishes under: a file opened meanwhile gets its own.
        let Some((uri, cached)) = state.closed_findings(&key) else {
            continue;
        };
        let was_published = lock(&state.index).published.contains(&uri);
        if cached.items.is_empty() && !was_published {
            continue;
        }
        if !workspace_mode(&state) {
            return;
        }
        lock(&state.index).published.insert(uri.clone());
        state.publish_diagnostics(uri, cached.items, None);
    }
}

/// Indexes the workspace folders in the background (`$/progress` when the client shows it),
/// then publishes (or refreshes) workspace diagnostics; afterwards, for clients without file
/// watchers, re-stats the indexed files now and then so edits made outside the editor are seen.
fn start_indexing(state: &Arc<State>, client: &Client, progress: bool, restat: bool) {
    let state = state.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let token = ProgressToken::String("noteplate/index".into());
        let ongoing = if progress
            && client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
        {
            Some(
                client
                    .progress(token, "noteplate: indexing templates")
                    .with_percentage(0)
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let indexer = state.clone();
        let job = tokio::task::spawn_blocking(move || {
            indexer.index_folders(|done, total| {
                let _ = sender.send((done, total));
            })
        });
        let mut total = 0;
        while let Some((done, all)) = receiver.recv().await {
            total = all;
            if let Some(ongoing) = &ongoing {
                let percent = (done * 100).checked_div(all).unwrap_or(100) as u32;
                ongoing
                    .report_with_message(format!("{done}/{all} files"), percent)
                    .await;
            }
        }
        let _ = job.await;
        if let Some(ongoing) = ongoing {
            ongoing
                .finish_with_message(format!("{total} files indexed"))
                .await;
        }
        if workspace_mode(&state) {
            if state.pushes() {
                let keys = state
                    .closed_files()
                    .into_iter()
                    .map(|(key, _)| key)
                    .collect();
                publish_closed(state.clone(), client.clone(), keys).await;
            } else if state.diagnostic_refresh.load(Ordering::SeqCst) {
                let _ = client.workspace_diagnostic_refresh().await;
            }
        }
        if !restat {
            return;
        }
        loop {
            tokio::time::sleep(RESTAT_INTERVAL).await;
            if state.shutdown_requested.load(Ordering::SeqCst) {
                return;
            }
            let restater = state.clone();
            if let Ok(changed) = tokio::task::spawn_blocking(move || restater.restat_index()).await
            {
                dependents_changed(&state, &client, changed);
            }
        }
    });
}

/// How often the indexed files are re-stat'ed when the client has no file watchers.
const RESTAT_INTERVAL: Duration = Duration::from_secs(3);

/// Shows a broken configuration file as a diagnostic in that file (and a message), or clears it
/// once the configuration loads again.
async fn show_config_status(client: &Client, state: &State, snapshot: &super::documents::Snapshot) {
    match &snapshot.config_error {
        Some(error) => publish_config_error(client, state, error).await,
        None => state.clear_fixed_config_errors(snapshot),
    }
}

async fn publish_config_error(client: &Client, state: &State, error: &crate::config::ConfigError) {
    let first_time = lock(&state.config_errors_shown).insert(error.path.clone());
    let Some(uri) = Uri::from_file_path(&error.path) else {
        return;
    };
    // Through the one reader: the "file" may be a folder or a FIFO named noteplate.toml (that is
    // the error), which must not block the server. Spans count after a byte order mark.
    let text = crate::files::read_regular(&error.path, crate::config::DEFAULT_MAX_FILE_SIZE)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let rope = ropey::Rope::from_str(text);
    let span = error
        .span
        .clone()
        .map_or(crate::syntax::Span::empty(0), |r| {
            crate::syntax::Span::new(r.start, r.end)
        });
    let diagnostic = Diagnostic {
        range: encoding::range(&rope, span, state.encoding()),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("config-error".into())),
        source: Some("noteplate".into()),
        message: format!(
            "{}; noteplate keeps using the last configuration that loaded",
            error.message
        ),
        ..Default::default()
    };
    state.publish_diagnostics(uri, vec![diagnostic], None);
    if first_time {
        client
            .show_message(MessageType::ERROR, format!("noteplate: {error}"))
            .await;
    }
}

/// Byte span of each `@include` path with the file it points to: only the includes the analysis
/// accepted and read, never one it refused (outside the project, not a file, in a document that
/// is not a file).
fn include_targets(
    snapshot: &super::documents::Snapshot,
) -> Vec<(crate::syntax::Span, std::path::PathBuf)> {
    snapshot.includes.clone()
}

/// Entries of the folder `typed` (a relative folder, e.g. `shared/`) under `base`, as (name, is
/// a folder), for `@include` completion: at most [`MAX_INCLUDE_ENTRIES`] read, so a huge folder
/// costs a bounded listing. Nothing for an absolute `typed` (includes are relative to the
/// document) or a folder that cannot be read.
fn include_folder_entries(base: &std::path::Path, typed: &str) -> Vec<(String, bool)> {
    if std::path::Path::new(typed).is_absolute() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(base.join(typed)) else {
        return Vec::new();
    };
    entries
        .take(MAX_INCLUDE_ENTRIES)
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            // Follows links, as reading the include would.
            let folder = std::fs::metadata(entry.path()).ok()?.is_dir();
            Some((name, folder))
        })
        .collect()
}

/// How many entries of a folder `@include` completion reads at most.
const MAX_INCLUDE_ENTRIES: usize = 500;

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let general = params.capabilities.general.as_ref();
        let encoding = Encoding::negotiate(general.and_then(|g| g.position_encodings.as_deref()));
        *lock(&self.state.encoding) = encoding;
        if let Some(options) = &params.initialization_options {
            let (settings, problems) = ClientSettings::from_json(options);
            *lock(&self.state.settings) = settings;
            *lock(&self.init_problems) = problems
                .into_iter()
                .map(|problem| format!("{problem} (in initializationOptions)"))
                .collect();
        }
        #[allow(deprecated)]
        let roots: Vec<std::path::PathBuf> = match &params.workspace_folders {
            Some(folders) => folders
                .iter()
                .filter_map(|folder| super::state::file_path(&folder.uri))
                .collect(),
            None => params
                .root_uri
                .iter()
                .filter_map(super::state::file_path)
                .collect(),
        };
        *lock(&self.state.roots) = roots;
        let workspace = params.capabilities.workspace.as_ref();
        let client_pulls = params
            .capabilities
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        let mode = lock(&self.state.settings).diagnostic_mode;
        let diagnostic_refresh = workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let pull = match mode {
            DiagnosticMode::Pull => true,
            DiagnosticMode::Push => false,
            // Pull only when the client can also be told to re-pull after a settings change
            // (Neovim 0.11 pulls but has no refresh support, so it gets pushes).
            DiagnosticMode::Auto => client_pulls && diagnostic_refresh,
        };
        self.state.push_diagnostics.store(!pull, Ordering::SeqCst);
        self.state
            .diagnostic_refresh
            .store(diagnostic_refresh, Ordering::SeqCst);
        *lock(&self.caps) = ClientCaps {
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            dynamic_configuration: workspace
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|c| c.dynamic_registration)
                .unwrap_or(false),
            dynamic_watchers: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|c| c.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            insert_replace: params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.insert_replace_support)
                .unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
        };
        let workspace_pull =
            lock(&self.state.settings).workspace_diagnostics == WorkspaceDiagnostics::Workspace;
        let pack = self.state.pack();
        let _ = self.state.client.set(self.client.clone());
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "noteplate".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        ["#", "{", "|", ":", ",", " ", "-"]
                            .map(String::from)
                            .to_vec(),
                    ),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL),
                        ]),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                definition_provider: Some(OneOf::Left(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![ide::actions::EXPLAIN_COMMAND.to_string()],
                    work_done_progress_options: Default::default(),
                }),
                document_formatting_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: None,
                    file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                        will_rename: Some(super::navigate::will_rename_filters()),
                        ..Default::default()
                    }),
                }),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: SemanticTokensLegend {
                                token_types: ide::tokens::TOKEN_TYPES
                                    .iter()
                                    .map(|t| SemanticTokenType::new(t))
                                    .collect(),
                                token_modifiers: pack
                                    .sections
                                    .iter()
                                    .map(|s| SemanticTokenModifier::from(s.kind.clone()))
                                    .collect(),
                            },
                            full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                            range: Some(true),
                            ..Default::default()
                        },
                    ),
                ),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("noteplate".into()),
                        inter_file_dependencies: true,
                        // Only when asked for at start-up: VS Code keeps a closed document's
                        // findings when the server pulls workspace diagnostics, expecting the
                        // workspace report to carry them.
                        workspace_diagnostics: workspace_pull,
                        ..Default::default()
                    })
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let problems = std::mem::take(&mut *lock(&self.init_problems));
        for problem in problems {
            self.client
                .show_message(MessageType::WARNING, problem)
                .await;
        }
        let caps = self.caps();
        let mut registrations = Vec::new();
        if caps.dynamic_configuration {
            registrations.push(Registration {
                id: "noteplate-configuration".into(),
                method: "workspace/didChangeConfiguration".into(),
                register_options: Some(serde_json::json!({ "section": "noteplate" })),
            });
        }
        if caps.dynamic_watchers {
            let watchers: Vec<FileSystemWatcher> =
                ["**/noteplate.toml", "**/.noteplate.toml", "**/*.note"]
                    .iter()
                    .map(|glob| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(glob.to_string()),
                        kind: None,
                    })
                    .collect();
            registrations.push(Registration {
                id: "noteplate-config-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            });
        }
        if !registrations.is_empty() {
            let _ = self.client.register_capability(registrations).await;
        }
        self.pull_settings().await;
        self.reanalyse_all().await;
        start_indexing(
            &self.state,
            &self.client,
            caps.work_done_progress,
            !caps.dynamic_watchers,
        );
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.schedule(params.text_document.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Its buffer is what fragment reads see now (`State::inspect`): what includes it, too.
        let path = self.state.open_path(&params.text_document.uri);
        self.schedule(params.text_document.uri);
        dependents_changed(&self.state, &self.client, path.into_iter().collect());
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        lock(&self.state.semantic_tokens).remove(&params.text_document.uri);
        lock(&self.state.pulled).remove(&params.text_document.uri);
        if self.state.pushes() {
            // The document is already gone from `documents` (closed in arrival order), so an
            // analysis that has not published yet will not; one publishing now finishes first.
            let _publishing = self.state.publishing.lock().await;
            self.state
                .publish_diagnostics(params.text_document.uri.clone(), Vec::new(), None);
        }
        // It reads from disk again (`State::inspect`), maybe without its unsaved edits: what
        // includes it is checked again, and with workspace diagnostics the file itself.
        if let Some(path) = super::state::file_path(&params.text_document.uri) {
            let state = self.state.clone();
            let key = tokio::task::spawn_blocking(move || state.reindex_file(&path)).await;
            if let Ok(key) = key
                && (self.state.is_indexed(&key) || !self.state.includers(&key).is_empty())
            {
                dependents_changed(&self.state, &self.client, vec![key]);
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients that register for this re-send nothing useful; pull when we can, else use the
        // pushed object.
        if self.caps().configuration {
            self.pull_settings().await;
        } else {
            self.apply_settings(&params.settings).await;
        }
        self.reanalyse_all().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let is_template = |uri: &Uri| {
            super::state::file_path(uri)
                .is_some_and(|path| path.extension().is_some_and(|e| e == "note"))
        };
        let (templates, configs): (Vec<_>, Vec<_>) = params
            .changes
            .into_iter()
            .partition(|change| is_template(&change.uri));
        if !templates.is_empty() {
            let state = self.state.clone();
            let paths: Vec<std::path::PathBuf> = templates
                .iter()
                .filter_map(|change| super::state::file_path(&change.uri))
                .collect();
            // Read on a blocking thread: a file may be slow to read.
            let changed = tokio::task::spawn_blocking(move || {
                paths
                    .iter()
                    .map(|path| state.reindex_file(path))
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            // A deleted file's pushed workspace findings are cleared.
            for change in &templates {
                let key = super::state::file_path(&change.uri)
                    .map(|path| crate::fragments::canonical(&path));
                if key.is_some_and(|key| !self.state.is_indexed(&key))
                    && lock(&self.state.index).published.remove(&change.uri)
                {
                    self.state
                        .publish_diagnostics(change.uri.clone(), Vec::new(), None);
                }
            }
            dependents_changed(&self.state, &self.client, changed);
        }
        if configs.is_empty() {
            return;
        }
        self.state.forget_configurations();
        for change in &configs {
            let Some(path) = super::state::file_path(&change.uri) else {
                continue;
            };
            if change.typ == FileChangeType::DELETED || !path.is_file() {
                continue;
            }
            match crate::config::load(&path) {
                Err(error) => publish_config_error(&self.client, &self.state, &error).await,
                Ok(_) => {
                    if lock(&self.state.config_errors_shown).remove(&path) {
                        self.state
                            .publish_diagnostics(change.uri.clone(), Vec::new(), None);
                    }
                }
            }
        }
        // Include targets may resolve differently (`include-roots`, the project root): indexed
        // again, in the background.
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || state.index_folders(|_, _| {}));
        self.reanalyse_all().await;
    }

    /// Workspace diagnostics for clients that pull: the findings of every indexed template that
    /// is not open (open ones come from `textDocument/diagnostic`), `unchanged` for each file
    /// whose result id the client already has. Nothing with `workspaceDiagnostics: "openFiles"`
    /// or before the index is built (the client is asked to pull again once it is).
    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let empty = WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport {
            items: Vec::new(),
        });
        if !workspace_mode(&self.state) || !self.state.index_ready() {
            return Ok(empty);
        }
        let state = self.state.clone();
        let changed = tokio::task::spawn_blocking(move || state.restat_index())
            .await
            .unwrap_or_default();
        dependents_changed(&self.state, &self.client, changed);
        let files = self.state.closed_files();
        let keys: Vec<_> = files.iter().map(|(key, _)| key.clone()).collect();
        if self.state.compute_findings(&keys).await.is_none() {
            return self
                .report(Err(Error::internal_error()))
                .await
                .map(|_: ()| empty);
        }
        let previous: std::collections::HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|previous| (previous.uri, previous.value))
            .collect();
        let mut reported = std::collections::HashSet::new();
        let mut items = Vec::new();
        for (key, _) in files {
            let Some((uri, cached)) = self.state.closed_findings(&key) else {
                continue;
            };
            reported.insert(uri.clone());
            if previous.get(&uri) == Some(&cached.id) {
                items.push(WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri,
                        version: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: cached.id,
                        },
                    },
                ));
            } else {
                items.push(WorkspaceDocumentDiagnosticReport::Full(
                    WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(cached.id),
                            items: cached.items,
                        },
                    },
                ));
            }
        }
        // Files the client has findings for that are gone (deleted, no longer a template): none.
        let open: std::collections::HashSet<Uri> =
            lock(&self.state.documents).uris().into_iter().collect();
        for uri in previous.into_keys() {
            if !reported.contains(&uri) && !open.contains(&uri) {
                items.push(WorkspaceDocumentDiagnosticReport::Full(
                    WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: None,
                            items: Vec::new(),
                        },
                    },
                ));
            }
        }
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let snapshot = self
            .state
            .current_snapshot(&position.text_document.uri)
            .await;
        let result = guarded("textDocument/definition", || {
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let offset = encoding::offset(&snapshot.rope, position.position, self.encoding());
            let (_, target) = include_targets(&snapshot)
                .into_iter()
                .find(|(span, _)| span.touches(offset))?;
            let target_uri = Uri::from_file_path(&target)?;
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: target_uri,
                range: Range::default(),
            }))
        });
        self.report(result).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/documentLink", || {
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let encoding = self.encoding();
            Some(
                include_targets(&snapshot)
                    .into_iter()
                    .filter_map(|(span, target)| {
                        Some(DocumentLink {
                            range: encoding::range(&snapshot.rope, span, encoding),
                            target: Some(Uri::from_file_path(&target)?),
                            tooltip: Some(format!("Open {}", target.display())),
                            data: None,
                        })
                    })
                    .collect(),
            )
        });
        self.report(result).await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let state = self.state.clone();
        let snapshot = self.state.current_snapshot(&uri).await;
        if snapshot.is_some() && state.config_changed.swap(false, Ordering::SeqCst) {
            // A configuration file changed: the other documents are pulled again.
            reanalyse(&state, &self.client, Some(&uri)).await;
        }
        let result = guarded("textDocument/diagnostic", || {
            let items: Vec<Diagnostic> = match snapshot {
                Some(snapshot) => {
                    let encoding = state.encoding();
                    convert::diagnostics(&uri, &snapshot.rope, encoding, &snapshot.diagnostics)
                }
                None => Vec::new(),
            };
            if lock(&state.documents).get(&uri).is_some() {
                lock(&state.pulled).insert(uri.clone(), items.clone());
            }
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                },
            ))
        });
        self.report(result).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        // The analysis of the document as it is now (the one its last change scheduled): where
        // the cursor is comes from its parse tree and semantic model.
        let snapshot = self
            .state
            .current_snapshot(&position.text_document.uri)
            .await;
        let result = guarded("textDocument/completion", || {
            // Over max-file-size: not analysed, not completed (bounded work for a huge document).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let encoding = self.encoding();
            let offset = encoding::offset(&snapshot.rope, position.position, encoding);
            let mut items = ide::completion::complete(
                &snapshot.text,
                offset,
                &snapshot.parse,
                &snapshot.semantics,
                &snapshot.config.pack,
            );
            // `@include` paths: the entries of the folder typed so far, next to the document.
            if let Some(at) =
                ide::completion::include_path_at(&snapshot.text, &snapshot.parse, offset)
                && let Some(path) = super::state::file_path(&position.text_document.uri)
                && let Some(folder) = path.parent()
            {
                let entries = include_folder_entries(folder, &at.folder);
                items.extend(ide::completion::include_paths(&at, &entries));
            }
            let insert_replace = self.caps().insert_replace;
            Some(CompletionResponse::List(CompletionList {
                is_incomplete: true,
                items: items
                    .iter()
                    .map(|item| {
                        convert::completion_item(
                            &snapshot.rope,
                            encoding,
                            item,
                            offset,
                            insert_replace,
                        )
                    })
                    .collect(),
            }))
        });
        self.report(result).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let snapshot = self
            .state
            .current_snapshot(&position.text_document.uri)
            .await;
        let result = guarded("textDocument/hover", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let encoding = self.encoding();
            let offset = encoding::offset(&snapshot.rope, position.position, encoding);
            let found = ide::hover::hover(
                &snapshot.text,
                offset,
                &snapshot.parse,
                &snapshot.semantics,
                &snapshot.config.pack,
            )?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: found.markdown,
                }),
                range: Some(encoding::range(&snapshot.rope, found.span, encoding)),
            })
        });
        self.report(result).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let snapshot = self.state.current_snapshot(&uri).await;
        let result = guarded("textDocument/codeAction", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let encoding = self.encoding();
            let range = encoding::span(&snapshot.rope, params.range, encoding);
            let only: Option<Vec<&str>> = params
                .context
                .only
                .as_ref()
                .map(|only| only.iter().map(|kind| kind.as_str()).collect());
            let actions = ide::actions::code_actions(
                &snapshot.text,
                &snapshot.parse,
                &snapshot.diagnostics,
                range,
                only.as_deref(),
            );
            Some(
                actions
                    .iter()
                    .map(|action| {
                        CodeActionOrCommand::CodeAction(convert::code_action(
                            &uri,
                            &snapshot.rope,
                            encoding,
                            action,
                            &snapshot.diagnostics,
                        ))
                    })
                    .collect(),
            )
        });
        self.report(result).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/documentSymbol", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let kinds: Vec<Option<String>> = snapshot
                .semantics
                .sections
                .iter()
                .map(|s| s.kind.clone())
                .collect();
            let symbols = ide::outline::symbols(&snapshot.text, &snapshot.parse, &kinds);
            let encoding = self.encoding();
            Some(DocumentSymbolResponse::Nested(
                symbols
                    .iter()
                    .map(|symbol| convert::document_symbol(&snapshot.rope, encoding, symbol))
                    .collect(),
            ))
        });
        self.report(result).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/foldingRange", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let folds = ide::outline::folding(&snapshot.text, &snapshot.parse);
            Some(convert::folding_ranges(
                &snapshot.rope,
                self.encoding(),
                &folds,
            ))
        });
        self.report(result).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/inlayHint", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let encoding = self.encoding();
            let range = encoding::span(&snapshot.rope, params.range, encoding);
            let hints = ide::hints::inlay_hints(
                &snapshot.text,
                &snapshot.parse,
                &snapshot.semantics,
                &snapshot.config.pack,
                range,
            );
            Some(
                hints
                    .iter()
                    .map(|hint| convert::inlay_hint(&snapshot.rope, encoding, hint))
                    .collect(),
            )
        });
        self.report(result).await
    }

    /// The whole document in the canonical layout (`ide::format`), as one edit of the part that
    /// changes; no edits when it is formatted already. The edit is computed from, and positioned
    /// in, the current version's own text (changes are applied before requests run).
    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/formatting", || {
            // Over max-file-size: no work at all (the one finding says why).
            let snapshot = snapshot.filter(|s| !s.too_large)?;
            let edit = ide::format::format_edit(&snapshot.text, &snapshot.parse);
            Some(convert::text_edits(
                &snapshot.rope,
                self.encoding(),
                edit.as_slice(),
            ))
        });
        self.report(result).await
    }

    /// `noteplate.explainRule` (the "Explain rule" action): shows the rule's documentation, as
    /// `noteplate explain` prints it, in a message, and returns it as Markdown.
    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != ide::actions::EXPLAIN_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`; this server runs `{}`",
                params.command,
                ide::actions::EXPLAIN_COMMAND
            )));
        }
        let id = params
            .arguments
            .first()
            .and_then(|argument| argument.as_str())
            .unwrap_or_default();
        let pack = self.state.pack();
        let Some(rule) = id.parse().ok().and_then(|id| pack.rule(id)) else {
            return Err(Error::invalid_params(format!(
                "`{}` takes a rule id (e.g. \"missing-time\"); got {:?}",
                ide::actions::EXPLAIN_COMMAND,
                params.arguments
            )));
        };
        let markdown = rule.documentation();
        self.client
            .show_message(MessageType::INFO, markdown.clone())
            .await;
        Ok(Some(serde_json::Value::String(markdown)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.report(navigate::references(&self.state, params).await)
            .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        self.report(navigate::document_highlight(&self.state, params).await)
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.report(navigate::prepare_rename(&self.state, params).await)
            .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let document_changes = self.caps().document_changes;
        self.report(navigate::rename(&self.state, params, document_changes).await)
            .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.report(navigate::code_lens(&self.state, params).await)
            .await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        let document_changes = self.caps().document_changes;
        self.report(navigate::will_rename_files(&self.state, params, document_changes).await)
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.report(navigate::symbols(&self.state, params).await)
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let snapshot = self.state.current_snapshot(&uri).await;
        let result = guarded("textDocument/semanticTokens/full", || {
            let data = self.semantic_tokens(snapshot?, None)?;
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: Some(self.remember_tokens(&uri, &data)),
                data,
            }))
        });
        self.report(result).await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let snapshot = self.state.current_snapshot(&uri).await;
        let result = guarded("textDocument/semanticTokens/full/delta", || {
            let data = self.semantic_tokens(snapshot?, None)?;
            let previous = lock(&self.state.semantic_tokens)
                .get(&uri)
                .filter(|(id, _)| *id == params.previous_result_id)
                .map(|(_, previous)| ide::tokens::delta(previous, &data));
            let result_id = Some(self.remember_tokens(&uri, &data));
            // An unknown previous id (another server run, a forgotten document): everything.
            let Some(change) = previous else {
                return Some(SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                    result_id,
                    data,
                }));
            };
            // Edits count integers (five per token) in the flat array.
            let edits = change
                .map(|change| SemanticTokensEdit {
                    start: (change.start * 5) as u32,
                    delete_count: (change.delete * 5) as u32,
                    data: Some(data[change.insert].to_vec()),
                })
                .into_iter()
                .collect();
            Some(SemanticTokensFullDeltaResult::TokensDelta(
                SemanticTokensDelta { result_id, edits },
            ))
        });
        self.report(result).await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let snapshot = self.state.current_snapshot(&params.text_document.uri).await;
        let result = guarded("textDocument/semanticTokens/range", || {
            let data = self.semantic_tokens(snapshot?, Some(params.range))?;
            Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        });
        self.report(result).await
    }
}
