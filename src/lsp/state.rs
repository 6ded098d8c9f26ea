//! Shared server state: open documents, negotiated encoding, settings and the rule pack. Every
//! lock here is held only for plain, synchronous work, never across an `.await`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;
use tower_lsp_server::ls_types as lsp;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::documents::{Documents, Revision, Snapshot};
use super::encoding::Encoding;
use super::settings::ClientSettings;
use super::worker::Worker;
use crate::analysis::{self, Settings};
use crate::config::{ConfigError, ProjectConfig, Resolver};
use crate::fragments;
use crate::pipeline::{self, Contents, IncludeBase};
use crate::rulepack::RulePack;

/// An analysis panicked (a bug); the server stays up and says so in its log.
#[derive(Debug)]
pub struct AnalysisPanicked;

pub struct State {
    pub documents: Mutex<Documents>,
    pub encoding: Mutex<Encoding>,
    pub settings: Mutex<ClientSettings>,
    pub pack: Mutex<Arc<RulePack>>,
    pub shutdown_requested: AtomicBool,
    /// Diagnostics are pushed (`publishDiagnostics`) unless the client pulls them.
    pub push_diagnostics: AtomicBool,
    /// Project configuration files, found by walking up from each document.
    pub resolver: Resolver,
    /// The last configuration that loaded for each document folder; used while a config file
    /// has an error, so one typo never switches the project back to defaults.
    pub last_good: Mutex<HashMap<PathBuf, Arc<ProjectConfig>>>,
    /// Configuration files we published an error for (to clear it once fixed).
    pub config_errors_shown: Mutex<HashSet<PathBuf>>,
    /// The defaults for documents that are not files (`untitled:`), shared by all of them.
    untitled: Arc<ProjectConfig>,
    /// Folders whose documents get the defaults (no configuration file applies). Outside any
    /// repository the resolver builds fresh defaults, each with its own copy of the rule pack
    /// (~200 KB), on every call: per keystroke, and retained per open document (1,000 such
    /// documents took 260 MB instead of 100 MB). Forgotten, like the resolver's own cache, when
    /// configuration files change (`forget_configurations`).
    defaults: Mutex<HashMap<PathBuf, Arc<ProjectConfig>>>,
    /// Fragments already analysed (by real path, content and configuration), so a fragment
    /// included many times, or by many open documents, is analysed once while it is unchanged.
    pub fragments: fragments::FragmentCache,
    /// For each document folder, the files its configuration was decided by (the configuration
    /// files read, and the places one could appear between the folder and the project root) as
    /// they were when it was read. Re-checked before every analysis (`restat_config`), so a
    /// configuration edit is seen without the client's file watchers (Neovim on Linux has none).
    config_stamps: Mutex<HashMap<PathBuf, Vec<Watched>>>,
    /// Set when `restat_config` found a configuration file changed: the server then re-checks
    /// the other open documents (`Backend::schedule` takes it).
    pub config_changed: AtomicBool,
    /// The last semantic tokens sent for each open document, with their result id, for
    /// `semanticTokens/full/delta`.
    pub semantic_tokens: Mutex<HashMap<lsp::Uri, (String, Vec<lsp::SemanticToken>)>>,
    /// The next semantic tokens result id.
    pub semantic_ids: std::sync::atomic::AtomicU64,
    /// The client answers `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: AtomicBool,
    /// What the last `textDocument/diagnostic` answered for each open document (pull clients),
    /// so a fragment change asks them to pull again only when an includer's findings changed.
    pub pulled: Mutex<HashMap<lsp::Uri, Vec<lsp::Diagnostic>>>,
    /// The thread every analysis runs on (`worker.rs`).
    pub worker: Worker,
    /// Held while diagnostics for a document are checked and sent, and while a close sends its
    /// empty list, so an analysis that finishes as the document closes can never publish after
    /// the close cleared its diagnostics.
    pub publishing: tokio::sync::Mutex<()>,
    /// The workspace folders' roots (`initialize`'s `workspaceFolders`, else its `rootUri`).
    pub roots: Mutex<Vec<PathBuf>>,
    /// Client settings per workspace folder (`workspace/configuration` with its `scopeUri`); a
    /// document in none of them gets `settings`.
    pub folder_settings: Mutex<super::settings::FolderSettings>,
    /// The workspace index: files, include graph, closed files' findings (`workspace.rs`).
    pub index: Mutex<super::workspace::Index>,
    /// The folders under the workspace roots as last walked, to find new templates by listing
    /// only the folders that changed (`workspace.rs`). Held while walking, off the protocol task.
    pub walk: Mutex<super::workspace::Walk>,
    /// Open documents whose re-check (a fragment they include changed) is waiting for the
    /// debounce delay, so a burst of fragment edits re-checks each includer once.
    pub recheck_pending: Mutex<HashSet<lsp::Uri>>,
    /// The queue of the thread that writes to the client (`transport::write_output`), set once
    /// the transport is up. `publishDiagnostics` goes straight to it (`publish_diagnostics`).
    pub output: std::sync::OnceLock<super::transport::Outgoing>,
    /// The client handle, set when `initialize` is answered: from then on a `didChange` is
    /// scheduled for analysis as it is read (`server::schedule_on_arrival`).
    pub client: std::sync::OnceLock<tower_lsp_server::Client>,
}

/// Locks a mutex even if a panicking handler poisoned it: the data is plain and still usable.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    pub fn new() -> State {
        State {
            documents: Mutex::new(Documents::default()),
            encoding: Mutex::new(Encoding::Utf16),
            settings: Mutex::new(ClientSettings::default()),
            pack: Mutex::new(Arc::new(RulePack::embedded())),
            shutdown_requested: AtomicBool::new(false),
            push_diagnostics: AtomicBool::new(true),
            resolver: Resolver::new(None, false),
            last_good: Mutex::new(HashMap::new()),
            config_errors_shown: Mutex::new(HashSet::new()),
            untitled: Arc::new(ProjectConfig::defaults(PathBuf::from("."))),
            defaults: Mutex::new(HashMap::new()),
            fragments: fragments::FragmentCache::new(),
            config_stamps: Mutex::new(HashMap::new()),
            config_changed: AtomicBool::new(false),
            diagnostic_refresh: AtomicBool::new(false),
            pulled: Mutex::new(HashMap::new()),
            semantic_tokens: Mutex::new(HashMap::new()),
            semantic_ids: std::sync::atomic::AtomicU64::new(1),
            worker: Worker::start(),
            publishing: tokio::sync::Mutex::new(()),
            roots: Mutex::new(Vec::new()),
            folder_settings: Mutex::new(Default::default()),
            index: Mutex::new(Default::default()),
            walk: Mutex::new(Default::default()),
            recheck_pending: Mutex::new(HashSet::new()),
            output: std::sync::OnceLock::new(),
            client: std::sync::OnceLock::new(),
        }
    }

    /// Sends `textDocument/publishDiagnostics` straight to the output thread, serialised once
    /// from the protocol types: through tower-lsp-server's `Client` it was built as a
    /// `serde_json::Value` tree, dropped, written to an in-memory pipe and read back from it by
    /// another task (two more thread hand-offs per keystroke). Every publish goes this way, so
    /// publishes keep the order they are sent in (a close's empty list is never overtaken by
    /// the publish of a reopened document). Without a transport (unit tests) nothing is sent.
    pub fn publish_diagnostics(
        &self,
        uri: lsp::Uri,
        diagnostics: Vec<lsp::Diagnostic>,
        version: Option<i32>,
    ) {
        let Some(output) = self.output.get() else {
            return;
        };
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        if let Some(frame) = super::transport::notification(
            <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD,
            &params,
        ) {
            // Fails only after the output thread ended (the client is gone): nothing to tell.
            let _ = output.send(Some(frame));
        }
    }

    /// After configuration files changed: find every document's configuration again.
    pub fn forget_configurations(&self) {
        self.resolver.clear();
        lock(&self.defaults).clear();
        self.fragments.clear();
        lock(&self.config_stamps).clear();
    }

    /// Before an analysis: stats what `folder`'s configuration was decided by (a few `stat`
    /// calls, no reading: each configuration file read, and each folder where a closer one could
    /// appear, whose own files are looked at only when the folder changed) and, when a file
    /// appeared, disappeared or changed length or modification time since it was read, forgets
    /// every configuration so it is read again, and sets `config_changed`. Returns whether it did.
    pub fn restat_config(&self, folder: &Path) -> bool {
        let changed = lock(&self.config_stamps)
            .get_mut(folder)
            .is_some_and(|watched| watched.iter_mut().any(Watched::changed));
        if changed {
            self.forget_configurations();
            self.config_changed.store(true, Ordering::SeqCst);
        }
        changed
    }

    /// Remembers what `folder`'s configuration (or its error) was decided by, unless known.
    fn remember_config_files(&self, folder: &Path, result: Result<&ProjectConfig, &ConfigError>) {
        if lock(&self.config_stamps).contains_key(folder) {
            return;
        }
        let (read, closest): (Vec<PathBuf>, Option<PathBuf>) = match result {
            Ok(config) => (config.files.clone(), config.files.first().cloned()),
            Err(error) => (vec![error.path.clone()], Some(error.path.clone())),
        };
        let stop = closest.as_deref().and_then(Path::parent);
        let mut watched: Vec<Watched> = read
            .into_iter()
            .map(|path| {
                let stamp = FileStamp::of(&path);
                Watched::File(path, stamp)
            })
            .collect();
        // Where a closer configuration file could appear: every folder from the document's up
        // to the closest configuration file's, or to the repository root (a folder with `.git`).
        for dir in folder.ancestors() {
            if Some(dir) == stop {
                break;
            }
            watched.push(Watched::folder(dir));
            if stop.is_none() && dir.join(".git").exists() {
                break;
            }
        }
        lock(&self.config_stamps).insert(folder.to_path_buf(), watched);
    }

    pub fn encoding(&self) -> Encoding {
        *lock(&self.encoding)
    }

    pub fn pack(&self) -> Arc<RulePack> {
        lock(&self.pack).clone()
    }

    pub fn pushes(&self) -> bool {
        self.push_diagnostics.load(Ordering::SeqCst)
    }

    /// Applies text synchronisation messages the moment they are read, in arrival order.
    /// Anything malformed is ignored: notifications have no reply.
    pub fn inspect(&self, message: &serde_json::Value) {
        let Some(method) = message.get("method").and_then(|m| m.as_str()) else {
            return;
        };
        let Some(params) = message.get("params") else {
            return;
        };
        let result = catch_unwind(AssertUnwindSafe(|| match method {
            "textDocument/didOpen" => {
                if let Ok(params) = lsp::DidOpenTextDocumentParams::deserialize(params) {
                    let document = params.text_document;
                    let uri = document.uri.clone();
                    lock(&self.documents).open(document.uri, &document.text, document.version);
                    self.index_opened(&uri);
                    self.overlay(&uri);
                }
            }
            "textDocument/didChange" => {
                if let Ok(params) = lsp::DidChangeTextDocumentParams::deserialize(params) {
                    let encoding = self.encoding();
                    lock(&self.documents).change(
                        &params.text_document.uri,
                        params.text_document.version,
                        &params.content_changes,
                        encoding,
                    );
                    self.overlay(&params.text_document.uri);
                }
            }
            "textDocument/didClose" => {
                if let Ok(params) = lsp::DidCloseTextDocumentParams::deserialize(params) {
                    lock(&self.documents).close(&params.text_document.uri);
                    self.index_closed(&params.text_document.uri);
                }
            }
            _ => {}
        }));
        if result.is_err() {
            eprintln!(
                "noteplate: internal error while applying `{method}`; the document may need reopening"
            );
        }
    }

    /// Fragment reads of the open document's path give its buffer (a rope clone: no copy until
    /// a fragment read asks for the text).
    fn overlay(&self, uri: &lsp::Uri) {
        let Some(path) = self.open_path(uri) else {
            return;
        };
        let Some(rope) = lock(&self.documents).get(uri).map(|d| d.rope.clone()) else {
            return;
        };
        self.fragments
            .set_overlay(path, Arc::new(move || rope.to_string()));
    }

    /// The analysis of the document's current revision: the last one if it is current, else
    /// computed on the analysis thread (after any analysis already queued there, which may well
    /// be this very revision's). `None` for a document that is not open.
    pub async fn current_snapshot(self: &Arc<Self>, uri: &lsp::Uri) -> Option<Arc<Snapshot>> {
        if let Some(analysis) = self.stored_snapshot(uri)? {
            return Some(analysis);
        }
        match self.analyse_on_worker(uri, None).await {
            Ok(snapshot) => snapshot,
            Err(AnalysisPanicked) => {
                // The request gets no answer rather than a stale one; stderr is the client's log.
                eprintln!("noteplate: internal error analysing {}", uri.as_str());
                None
            }
        }
    }

    /// On the analysis thread, in turn: the analysis of the document's current revision,
    /// computed and stored unless one is stored already. With `only`, nothing is done (`None`)
    /// unless the document is still at that revision when the job's turn comes: a newer change
    /// scheduled its own analysis. The analysis it replaces (a whole syntax tree: milliseconds to
    /// free on a big document) is freed on a blocking thread, away from the analysis thread and
    /// every lock.
    pub async fn analyse_on_worker(
        self: &Arc<Self>,
        uri: &lsp::Uri,
        only: Option<Revision>,
    ) -> Result<Option<Arc<Snapshot>>, AnalysisPanicked> {
        self.analyse_on_worker_then(uri, only, |_, snapshot| snapshot)
            .await
    }

    /// As [`State::analyse_on_worker`], then `then` on the analysis thread with the analysis,
    /// before the answer goes back (a publish from there saves the hand-off back to the protocol
    /// task). The job is queued at once, not when the future is first polled.
    pub fn analyse_on_worker_then<T, F>(
        self: &Arc<Self>,
        uri: &lsp::Uri,
        only: Option<Revision>,
        then: F,
    ) -> impl Future<Output = Result<Option<T>, AnalysisPanicked>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&Arc<State>, Arc<Snapshot>) -> T + Send + 'static,
    {
        let state = self.clone();
        let uri = uri.clone();
        let job = self.worker.run(move |memo| {
            if let Some(revision) = only
                && lock(&state.documents)
                    .get(&uri)
                    .is_none_or(|document| document.revision() != revision)
            {
                return None;
            }
            let (snapshot, replaced) = state.snapshot(&uri, memo)?;
            Some((then(&state, snapshot), replaced))
        });
        async move {
            let Some((outcome, replaced)) = job.await.ok_or(AnalysisPanicked)? else {
                return Ok(None);
            };
            if let Some(replaced) = replaced {
                tokio::task::spawn_blocking(move || drop(replaced));
            }
            Ok(Some(outcome))
        }
    }

    /// After a scheduled analysis of `revision`, on the analysis thread: publishes its
    /// diagnostics (with the client pushing) and does what the protocol task did after it
    /// (the include edges of the index, clearing configuration errors that were fixed), unless
    /// the configuration is broken or changed, which need the protocol task (messages to the
    /// client, re-checking the other documents); then gives the analysis back (`Some`). The
    /// diagnostics are published only if `revision` is still the document's, checked under the
    /// lock a close publishes under.
    pub(super) fn publish_on_worker(
        &self,
        uri: &lsp::Uri,
        revision: Revision,
        snapshot: Arc<Snapshot>,
    ) -> Option<Arc<Snapshot>> {
        if snapshot.config_error.is_some() || self.config_changed.load(Ordering::SeqCst) {
            return Some(snapshot);
        }
        if self.pushes() {
            let encoding = self.encoding();
            let diagnostics =
                super::convert::diagnostics(uri, &snapshot.rope, encoding, &snapshot.diagnostics);
            let _publishing = self.publishing.blocking_lock();
            let current = lock(&self.documents)
                .get(uri)
                .is_some_and(|document| document.revision() == revision);
            if current {
                self.publish_diagnostics(uri.clone(), diagnostics, Some(revision.version));
            }
        }
        self.index_analysed(uri, &snapshot);
        self.clear_fixed_config_errors(&snapshot);
        None
    }

    /// The configuration files whose error was shown and that loaded for `snapshot`: their
    /// diagnostics are cleared.
    pub(super) fn clear_fixed_config_errors(&self, snapshot: &Snapshot) {
        let fixed: Vec<PathBuf> = {
            let mut shown = lock(&self.config_errors_shown);
            let fixed: Vec<_> = snapshot
                .config
                .files
                .iter()
                .filter(|f| shown.contains(*f))
                .cloned()
                .collect();
            for file in &fixed {
                shown.remove(file);
            }
            fixed
        };
        for file in fixed {
            if let Some(uri) = lsp::Uri::from_file_path(&file) {
                self.publish_diagnostics(uri, Vec::new(), None);
            }
        }
    }

    /// The stored analysis if it is of the document's current revision; `None` for a document
    /// that is not open.
    fn stored_snapshot(&self, uri: &lsp::Uri) -> Option<Option<Arc<Snapshot>>> {
        let documents = lock(&self.documents);
        let document = documents.get(uri)?;
        Some(
            document
                .analysis
                .clone()
                .filter(|analysis| analysis.revision == document.revision()),
        )
    }

    /// The analysis of the document's current revision, computing and storing it on this thread
    /// if needed (re-parsing only the lines edited since the last analysis), with what is left of
    /// the analysis it replaced.
    #[allow(clippy::type_complexity)]
    pub(super) fn snapshot(
        &self,
        uri: &lsp::Uri,
        memo: &mut analysis::Memo,
    ) -> Option<(Arc<Snapshot>, Option<Box<dyn Send>>)> {
        if let Some(analysis) = self.stored_snapshot(uri)? {
            return Some((analysis, None));
        }
        let (rope, revision, previous, edit) = {
            let mut documents = lock(&self.documents);
            let document = documents.get_mut(uri)?;
            let (previous, edit) = document.take_previous();
            (document.rope.clone(), document.revision(), previous, edit)
        };
        let (snapshot, replaced) = self.analyze(uri, rope, revision, previous, edit, memo);
        let snapshot = Arc::new(snapshot);
        let mut documents = lock(&self.documents);
        // Kept even if the document changed meanwhile: it is the newest analysis, and the next
        // one re-parses from it.
        if let Some(document) = documents.get_mut(uri)
            && document.opened == revision.opened
        {
            document.analysis = Some(snapshot.clone());
        }
        Some((snapshot, replaced))
    }

    /// The project configuration for a document, and the configuration error if its files are
    /// broken (then the last good configuration for that folder is returned).
    pub fn project_config(&self, uri: &lsp::Uri) -> (Arc<ProjectConfig>, Option<ConfigError>) {
        let Some(path) = file_path(uri) else {
            return (self.untitled.clone(), None);
        };
        let folder = path.parent().map(PathBuf::from).unwrap_or_default();
        self.restat_config(&folder);
        if let Some(config) = lock(&self.defaults).get(&folder) {
            return (config.clone(), None);
        }
        let resolved = self.resolver.for_file(&path);
        self.remember_config_files(&folder, resolved.as_deref());
        match resolved {
            Ok(config) => {
                if config.files.is_empty() {
                    lock(&self.defaults).insert(folder.clone(), config.clone());
                }
                lock(&self.last_good).insert(folder, config.clone());
                (config, None)
            }
            Err(error) => {
                let fallback = lock(&self.last_good)
                    .get(&folder)
                    .cloned()
                    .unwrap_or_else(|| Arc::new(ProjectConfig::defaults(folder.clone())));
                (fallback, Some(error))
            }
        }
    }

    /// Project settings with the editor's settings on top (editor wins): those of the workspace
    /// folder holding `path`, else the global ones.
    pub(super) fn merged_settings(&self, path: Option<&Path>, project: &Settings) -> Settings {
        let client = path
            .and_then(|path| lock(&self.folder_settings).for_path(path))
            .unwrap_or_else(|| lock(&self.settings).analysis_settings());
        let mut settings = project.clone();
        settings.disabled_rules.extend(client.disabled_rules);
        settings
            .severity_overrides
            .extend(client.severity_overrides);
        if client.default_payer.is_some() {
            settings.default_payer = client.default_payer;
        }
        settings
    }

    /// Analyses one revision through the pipeline, re-parsing from the `previous` analysis when
    /// the `edit` since its text is known, with `memo` (the analysis thread's). A document over
    /// the project's `max-file-size` is not analysed (not even copied out of its rope): it gets
    /// one `file-too-large` finding (under the same settings as any other), and the handlers do no
    /// work for it (`Snapshot::too_large`). Also returns what is left of `previous`, to be freed
    /// elsewhere.
    #[allow(clippy::type_complexity)]
    pub fn analyze(
        &self,
        uri: &lsp::Uri,
        rope: ropey::Rope,
        revision: Revision,
        previous: Option<Arc<Snapshot>>,
        edit: Option<crate::syntax::TextEdit>,
        memo: &mut analysis::Memo,
    ) -> (Snapshot, Option<Box<dyn Send>>) {
        let (config, config_error) = self.project_config(uri);
        let path = file_path(uri);
        let settings = self.merged_settings(path.as_deref(), &config.settings);
        let base = match &path {
            Some(path) => IncludeBase::File(path),
            None => IncludeBase::NotAFile {
                scheme: uri.scheme().as_str(),
            },
        };
        // One allocation of the right size, chunk by chunk (`to_string` goes through the
        // formatter and grows the string step by step: twice the copying on a large document).
        let text = || {
            let mut text = String::with_capacity(rope.len_bytes());
            rope.chunks().for_each(|chunk| text.push_str(chunk));
            text
        };
        let contents = Contents::Held {
            len: rope.len_bytes() as u64,
            text: &text,
        };
        // The memo's parts are named by revision: parts outside the edit since the previous
        // analysis are taken from it by position (as the tree is re-parsed from its tree).
        let since = match (&previous, edit) {
            (Some(previous), Some(edit)) if !previous.too_large => {
                Some((previous.revision.name(), edit))
            }
            _ => None,
        };
        memo.expect_text(revision.name(), since);
        let mut replaced = None;
        let parse = |text: &str| {
            let (parse, leftover) = super::documents::parse_after(text, previous, edit);
            replaced = leftover;
            parse
        };
        let analysed = pipeline::analyse_with(
            contents,
            base,
            &config,
            &settings,
            &self.fragments,
            parse,
            Some(&mut *memo),
        );
        // Read by the analysis; withdrawn in case the pipeline did not run one.
        memo.forget_edit();
        let too_large = matches!(
            analysed.analysis.unread,
            Some(analysis::Unread::TooLarge { .. })
        );
        let includes = analysed
            .includes
            .items
            .iter()
            .filter_map(|item| match &item.outcome {
                analysis::IncludeOutcome::Found { file, .. } => Some((item.span, file.clone())),
                _ => None,
            })
            .collect();
        let analysis = analysed.analysis;
        let snapshot = Snapshot {
            revision,
            rope,
            text: analysed.text,
            parse: analysis.parse,
            semantics: analysis.semantics,
            diagnostics: analysis.diagnostics,
            config,
            config_error,
            too_large,
            includes,
        };
        (snapshot, replaced)
    }
}

/// What `stat` says about a file, enough to notice an edit: its length and modification time,
/// or that it does not exist. (An edit that keeps both is missed; editors' saves change the time.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStamp {
    Missing,
    /// Exists but cannot be followed (a broken link): reported when read.
    Unreadable,
    Present {
        len: u64,
        modified: Option<std::time::SystemTime>,
    },
}

impl FileStamp {
    pub fn of(path: &Path) -> FileStamp {
        match std::fs::metadata(path) {
            Ok(metadata) => FileStamp::Present {
                len: metadata.len(),
                modified: metadata.modified().ok(),
            },
            Err(_) if std::fs::symlink_metadata(path).is_ok() => FileStamp::Unreadable,
            Err(_) => FileStamp::Missing,
        }
    }
}

/// Something a folder's configuration depends on.
#[derive(Debug)]
enum Watched {
    /// A configuration file that was read.
    File(PathBuf, FileStamp),
    /// A folder where a configuration file could appear, with its modification time: its
    /// configuration file names are stat'ed only when that changed (a file was created, deleted
    /// or renamed in it, e.g. an editor's swap file).
    Folder {
        dir: PathBuf,
        modified: Option<std::time::SystemTime>,
        files: Vec<(PathBuf, FileStamp)>,
    },
}

impl Watched {
    fn folder(dir: &Path) -> Watched {
        Watched::Folder {
            modified: modified(dir),
            files: crate::config::FILE_NAMES
                .iter()
                .map(|name| {
                    let path = dir.join(name);
                    let stamp = FileStamp::of(&path);
                    (path, stamp)
                })
                .collect(),
            dir: dir.to_path_buf(),
        }
    }

    /// Whether it changed since it was stamped (a folder that changed but whose configuration
    /// files did not is stamped again).
    fn changed(&mut self) -> bool {
        match self {
            Watched::File(path, stamp) => FileStamp::of(path) != *stamp,
            Watched::Folder {
                dir,
                modified: stamp,
                files,
            } => {
                let now = modified(dir);
                if now == *stamp && now.is_some() {
                    return false;
                }
                *stamp = now;
                files
                    .iter()
                    .any(|(path, stamp)| FileStamp::of(path) != *stamp)
            }
        }
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// The path of a `file:` URI; `None` for every other scheme (`untitled:`, `vscode-vfs:`, `git:`
/// ...), whose path is not a file on this machine even when it looks like one, and for a path
/// that is not absolute.
pub fn file_path(uri: &lsp::Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    path.is_absolute().then_some(path)
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}
