//! The workspace index: the templates of the client's workspace folders as the server sees them
//! (an open document's unsaved text wins over the file on disk), with the include graph between
//! them and, for workspace diagnostics, the findings of the files that are not open.
//!
//! Invariants:
//! - Every path is canonical (`fragments::canonical`), as `fragments::locate` resolves includes,
//!   so an `@include` edge and the file it points at always meet.
//! - The forward edges of a file are those of its current text: the open buffer's while it is
//!   open (set after each analysis), the disk file's otherwise. An include that does not resolve
//!   is kept as the path it names, so a fragment created there later finds its includers.
//! - `includers` is exactly the reverse of the forward edges.
//! - A closed file's cached findings (`Cached`) are dropped whenever its text, anything it
//!   includes (transitively), the configuration or the editor's settings change; its result id is
//!   new each time they are computed, and stable while they are not.
//!
//! Cross-file features (references, rename, symbols, workspace diagnostics) read files only
//! through [`State::workspace_files`] and [`State::includers`].

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::state::{FileStamp, State, file_path, lock};
use crate::config::ProjectConfig;
use crate::fragments;
use crate::pipeline::{self, Contents, IncludeBase};

/// One template of the workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    pub uri: Uri,
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Open in the editor: `text` is the buffer's, which may be unsaved.
    pub open: bool,
}

/// A closed file's findings, as last computed, with their result id.
#[derive(Debug, Clone)]
pub struct Cached {
    pub id: String,
    pub items: Vec<lsp::Diagnostic>,
}

/// What the index keeps of one file on disk: its text (a few KB per template: 5,000 templates
/// stay far below the memory goal, and cross-file features need no disk read), what `stat` said
/// when it was read, and its include targets.
#[derive(Debug)]
struct Indexed {
    uri: Uri,
    /// The path as found under the workspace folder (the URI's); the key is the canonical one.
    path: PathBuf,
    stamp: FileStamp,
    text: Arc<str>,
    includes: Vec<PathBuf>,
    diagnostics: Option<Cached>,
    /// The findings last computed, kept while `diagnostics` waits to be computed again: the new
    /// ones keep their result id when they are the same, and count as unchanged (no refresh).
    stale: Option<Cached>,
}

impl Indexed {
    /// Its findings are to be computed again; the last ones are kept to compare with.
    fn forget_findings(&mut self) {
        if let Some(cached) = self.diagnostics.take() {
            self.stale = Some(cached);
        }
    }
}

#[derive(Debug, Default)]
pub struct Index {
    files: HashMap<PathBuf, Indexed>,
    /// Forward edges of the current text of each file (open or not).
    edges: HashMap<PathBuf, Vec<PathBuf>>,
    /// Fragment -> the files that include it directly.
    includers: HashMap<PathBuf, BTreeSet<PathBuf>>,
    /// The open `file:` documents' canonical paths.
    open: HashMap<Uri, PathBuf>,
    /// Set once the first indexing run finished.
    pub ready: bool,
    /// Counts indexing runs: a run that a newer one replaced drops its result.
    run: u64,
    next_id: u64,
    /// Closed files the server pushed findings for (to clear them when the setting goes back to
    /// `openFiles`).
    pub published: HashSet<Uri>,
    /// Files found under the workspace folders but left out (over `max-file-size`, not UTF-8,
    /// not regular), by the path found, with their stamp then: read again only once it changes.
    skipped: HashMap<PathBuf, FileStamp>,
}

impl Index {
    fn set_edges(&mut self, file: &Path, includes: Vec<PathBuf>) {
        if let Some(old) = self.edges.remove(file) {
            for target in old {
                if let Some(set) = self.includers.get_mut(&target) {
                    set.remove(file);
                    if set.is_empty() {
                        self.includers.remove(&target);
                    }
                }
            }
        }
        for target in &includes {
            self.includers
                .entry(target.clone())
                .or_default()
                .insert(file.to_path_buf());
        }
        self.edges.insert(file.to_path_buf(), includes);
    }

    fn is_open(&self, path: &Path) -> bool {
        self.open.values().any(|open| open == path)
    }

    fn insert(&mut self, key: PathBuf, indexed: Indexed) {
        if !self.is_open(&key) {
            self.set_edges(&key, indexed.includes.clone());
        }
        self.files.insert(key, indexed);
    }

    fn remove(&mut self, key: &Path) {
        self.files.remove(key);
        if !self.is_open(key) {
            self.set_edges(key, Vec::new());
            self.edges.remove(key);
        }
    }

    fn transitive_includers(&self, fragment: &Path) -> Vec<PathBuf> {
        let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
        let mut queue = vec![fragment.to_path_buf()];
        while let Some(next) = queue.pop() {
            for includer in self.includers.get(&next).into_iter().flatten() {
                if includer != fragment && seen.insert(includer.clone()) {
                    queue.push(includer.clone());
                }
            }
        }
        seen.into_iter().collect()
    }
}

/// The include targets of a text at `path`: where each `@include` resolves (`fragments::locate`,
/// the one resolution), or the path it names when it does not.
pub fn include_targets(
    path: &Path,
    text: &str,
    parse: &crate::syntax::Parse,
    config: &ProjectConfig,
) -> Vec<PathBuf> {
    parse
        .document
        .includes
        .iter()
        .map(|include| {
            let written = include.path.text(text);
            fragments::locate(path, written, config)
                .unwrap_or_else(|_| fragments::target(path, written))
        })
        .collect()
}

/// What the last walk saw under the workspace folders, folder by folder, so that looking for new
/// templates reads only the folders that changed: creating, deleting or renaming an entry changes
/// its folder's modification time. Each known folder costs one `stat`; only a folder whose time
/// changed (or is too recent to trust) is listed again, one level deep, and a new folder is
/// walked whole. (A file edited in place does not change its folder: that is the per-file re-stat
/// of `restat_index`. Ignore rules are those of `files::walk_templates`; an ignore file edited
/// in place is seen once its folder changes, or at the next full indexing.)
#[derive(Debug, Default)]
pub struct Walk {
    folders: HashMap<PathBuf, Folder>,
    /// Folders `stat`ed since the walk began (counted, for tests and benchmarks).
    pub stated: usize,
    /// Folders whose entries were read since the walk began.
    pub listed: usize,
}

/// One folder as last listed.
#[derive(Debug, Default)]
struct Folder {
    /// Its modification time when listed; `None` to list it again next time (unknown, or so
    /// recent that an entry created in the same clock tick would not change it).
    modified: Option<std::time::SystemTime>,
    folders: Vec<PathBuf>,
    templates: Vec<PathBuf>,
}

/// A folder time this close to the listing is not trusted: file systems keep times in coarse
/// ticks, and an entry created later in the same tick leaves the time as it was.
const RACY: std::time::Duration = std::time::Duration::from_secs(2);

fn trusted_time(dir: &Path) -> Option<std::time::SystemTime> {
    let modified = std::fs::metadata(dir).ok()?.modified().ok()?;
    let now = std::time::SystemTime::now();
    (now.duration_since(modified).ok()? >= RACY).then_some(modified)
}

impl Walk {
    /// Walks `root` whole, remembering every folder; returns its templates.
    pub fn walk(&mut self, root: &Path) -> Vec<PathBuf> {
        let mut problems = Vec::new();
        let mut seen: Vec<(PathBuf, Option<std::time::SystemTime>)> = Vec::new();
        let templates = crate::files::walk_templates(root, None, &mut problems, |dir, _| {
            seen.push((dir.to_path_buf(), trusted_time(dir)));
        });
        for problem in problems {
            eprintln!("noteplate: {problem}");
        }
        self.listed += seen.len();
        for (dir, modified) in &seen {
            if let Some(parent) = dir.parent()
                && dir != root
                && let Some(folder) = self.folders.get_mut(parent)
            {
                folder.folders.push(dir.clone());
            }
            self.folders.insert(
                dir.clone(),
                Folder {
                    modified: *modified,
                    ..Folder::default()
                },
            );
            // Folders come in walk order, parents first: a folder's parent is already known.
        }
        for template in &templates {
            if let Some(folder) = template.parent().and_then(|p| self.folders.get_mut(p)) {
                folder.templates.push(template.clone());
            }
        }
        templates
    }

    /// Brings what is known under `root` up to date, reading only the folders that changed.
    pub fn refresh(&mut self, root: &Path) {
        self.stated += 1;
        let Some(known) = self.folders.get(root) else {
            if root.is_dir() {
                self.walk(root);
            }
            return;
        };
        let now = std::fs::metadata(root).ok().and_then(|m| m.modified().ok());
        if now.is_none() {
            self.forget(root);
            return;
        }
        let unchanged = known.modified.is_some() && known.modified == now;
        let before = known.folders.clone();
        if unchanged {
            for folder in before {
                self.refresh(&folder);
            }
            return;
        }
        // Changed, or not trusted: its own entries again, one level deep.
        let modified = trusted_time(root);
        let mut problems = Vec::new();
        let mut folders = Vec::new();
        let templates = crate::files::walk_templates(root, Some(1), &mut problems, |dir, depth| {
            if depth == 1 {
                folders.push(dir.to_path_buf());
            }
        });
        self.listed += 1;
        for problem in problems {
            eprintln!("noteplate: {problem}");
        }
        let gone: Vec<PathBuf> = before
            .iter()
            .filter(|folder| !folders.contains(folder))
            .cloned()
            .collect();
        for folder in gone {
            self.forget(&folder);
        }
        self.folders.insert(
            root.to_path_buf(),
            Folder {
                modified,
                folders: folders.clone(),
                templates,
            },
        );
        for folder in folders {
            self.refresh(&folder);
        }
    }

    /// Forgets a folder and everything under it.
    fn forget(&mut self, dir: &Path) {
        self.folders.retain(|path, _| !path.starts_with(dir));
        if let Some(parent) = dir.parent().and_then(|p| self.folders.get_mut(p)) {
            parent.folders.retain(|folder| folder != dir);
        }
    }

    /// Every template known under the folders.
    pub fn templates(&self) -> impl Iterator<Item = &PathBuf> {
        self.folders
            .values()
            .flat_map(|folder| folder.templates.iter())
    }
}

/// A file read for the index, or `None` when it is left out: not a regular file, over its
/// project's `max-file-size`, not UTF-8, gone.
fn read_indexed(state: &State, path: &Path) -> Option<(PathBuf, Indexed)> {
    let uri = Uri::from_file_path(path)?;
    let stamp = FileStamp::of(path);
    let (config, _) = state.project_config(&uri);
    let bytes = crate::files::read_regular(path, config.max_file_size).ok()?;
    let text: Arc<str> = String::from_utf8(bytes).ok()?.into();
    let key = fragments::canonical(path);
    let parse = crate::syntax::parse(&text);
    let includes = include_targets(&key, &text, &parse, &config);
    Some((
        key,
        Indexed {
            uri,
            path: path.to_path_buf(),
            stamp,
            text,
            includes,
            diagnostics: None,
            stale: None,
        },
    ))
}

impl State {
    /// The workspace folders' roots, as given in `initialize` (`workspaceFolders`, else `rootUri`).
    pub fn roots(&self) -> Vec<PathBuf> {
        lock(&self.roots).clone()
    }

    /// Indexes the workspace folders' `.note` files (ignore files honoured; files over their
    /// project's `max-file-size` or not UTF-8 left out), replacing what was indexed. Blocking:
    /// run it off the protocol task. `progress(done, total)` is called now and then.
    pub fn index_folders(&self, mut progress: impl FnMut(usize, usize)) {
        let run = {
            let mut index = lock(&self.index);
            index.run += 1;
            index.run
        };
        let mut walk = Walk::default();
        let mut paths = Vec::new();
        for root in self.roots() {
            paths.extend(walk.walk(&root));
        }
        let total = paths.len();
        let mut files = Vec::with_capacity(total);
        let mut seen = HashSet::new();
        for (done, path) in paths.iter().enumerate() {
            if done % 250 == 0 {
                progress(done, total);
            }
            if let Some((key, indexed)) = read_indexed(self, path)
                && seen.insert(key.clone())
            {
                files.push((key, indexed));
            }
        }
        progress(total, total);
        let mut index = lock(&self.index);
        if index.run != run {
            return; // a newer run replaces this one
        }
        let old: Vec<PathBuf> = index.files.keys().cloned().collect();
        for key in old {
            index.remove(&key);
        }
        for (key, indexed) in files {
            index.insert(key, indexed);
        }
        index.ready = true;
        drop(index);
        let mut known = lock(&self.walk);
        walk.stated = known.stated;
        walk.listed += known.listed;
        *known = walk;
    }

    /// Whether the first indexing run finished.
    pub fn index_ready(&self) -> bool {
        lock(&self.index).ready
    }

    /// Notes where an open document is (by its canonical path), for the include graph and the
    /// fragment overlay; called as it opens.
    pub fn index_opened(&self, uri: &Uri) -> Option<PathBuf> {
        let path = fragments::canonical(&file_path(uri)?);
        lock(&self.index).open.insert(uri.clone(), path.clone());
        Some(path)
    }

    /// The canonical path of an open `file:` document.
    pub fn open_path(&self, uri: &Uri) -> Option<PathBuf> {
        lock(&self.index).open.get(uri).cloned()
    }

    /// After an analysis of an open document: its include edges are those of the analysed text.
    pub fn index_analysed(&self, uri: &Uri, snapshot: &super::documents::Snapshot) {
        let Some(path) = self.open_path(uri) else {
            return;
        };
        if snapshot.too_large {
            return;
        }
        let includes = include_targets(&path, &snapshot.text, &snapshot.parse, &snapshot.config);
        let mut index = lock(&self.index);
        if index.open.contains_key(uri) {
            index.set_edges(&path, includes);
        }
    }

    /// As an open document closes (in arrival order, before its handler runs): fragment reads
    /// see the disk again. Its index entry is read again by the handler (`reindex_file`), off the
    /// input task.
    pub fn index_closed(&self, uri: &Uri) -> Option<PathBuf> {
        let path = lock(&self.index).open.remove(uri)?;
        self.fragments.remove_overlay(&path);
        Some(path)
    }

    /// Reads one file again (a watched-file event, a close, a re-stat that saw it change): its
    /// entry, edges and cached findings follow the disk. Returns its canonical path.
    pub fn reindex_file(&self, path: &Path) -> PathBuf {
        let key = fragments::canonical(path);
        let inside = self.roots().iter().any(|root| path.starts_with(root))
            || lock(&self.index).files.contains_key(&key);
        let read = if inside && path.extension().is_some_and(|e| e == "note") {
            read_indexed(self, path)
        } else {
            None
        };
        let mut index = lock(&self.index);
        match read {
            Some((key, indexed)) => index.insert(key, indexed),
            None => index.remove(&key),
        }
        key
    }

    /// Stats every indexed file that is not open (no reading unless it changed) and reads the
    /// changed ones again: how files edited outside the editor are seen when the client has no
    /// file watchers. Returns the canonical paths that changed.
    pub fn restat_index(&self) -> Vec<PathBuf> {
        let candidates: Vec<(PathBuf, PathBuf, FileStamp)> = {
            let index = lock(&self.index);
            index
                .files
                .iter()
                .map(|(key, file)| (key.clone(), file.path.clone(), file.stamp))
                .collect()
        };
        let mut changed: Vec<PathBuf> = candidates
            .into_iter()
            .filter(|(_, path, stamp)| FileStamp::of(path) != *stamp)
            .map(|(_, path, _)| self.reindex_file(&path))
            .collect();
        changed.extend(self.index_new_files());
        changed
    }

    /// Reads the templates that appeared under the workspace folders since they were indexed (a
    /// file written by another program, whose watcher event has not come yet or never will: a
    /// rename must not miss it). Lists only the folders that changed since the last walk
    /// ([`Walk::refresh`]: a `stat` per folder), and reads only files the index does not know,
    /// and a left-out file again only when its stamp changed. Returns their canonical paths.
    fn index_new_files(&self) -> Vec<PathBuf> {
        let found: Vec<PathBuf> = {
            let mut walk = lock(&self.walk);
            for root in self.roots() {
                walk.refresh(&root);
            }
            walk.templates().cloned().collect()
        };
        let new: Vec<PathBuf> = {
            let index = lock(&self.index);
            let known: HashSet<&Path> = index
                .files
                .values()
                .map(|file| file.path.as_path())
                .chain(index.open.values().map(PathBuf::as_path))
                .collect();
            found
                .into_iter()
                .filter(|path| {
                    !known.contains(path.as_path())
                        && index
                            .skipped
                            .get(path)
                            .is_none_or(|stamp| FileStamp::of(path) != *stamp)
                })
                .collect()
        };
        let mut added = Vec::new();
        for path in new {
            let stamp = FileStamp::of(&path);
            match read_indexed(self, &path) {
                Some((key, indexed)) => {
                    let mut index = lock(&self.index);
                    index.skipped.remove(&path);
                    if !index.files.contains_key(&key) {
                        index.insert(key.clone(), indexed);
                        added.push(key);
                    }
                }
                None => {
                    lock(&self.index).skipped.insert(path, stamp);
                }
            }
        }
        added
    }

    /// The files that include `fragment` directly (canonical paths, sorted): templates and
    /// fragments, open or not.
    pub fn includers(&self, fragment: &Path) -> Vec<PathBuf> {
        let key = fragments::canonical(fragment);
        lock(&self.index)
            .includers
            .get(&key)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Everything that depends on `changed` (canonical): the files that include it, directly or
    /// through other fragments. Their cached fragment analyses and findings are forgotten; returns
    /// the open ones' URIs and the closed ones' canonical paths.
    pub fn invalidate_dependents(&self, changed: &[PathBuf]) -> (Vec<Uri>, Vec<PathBuf>) {
        let mut index = lock(&self.index);
        let mut dependents: BTreeSet<PathBuf> = BTreeSet::new();
        for path in changed {
            self.fragments.forget(path);
            dependents.extend(index.transitive_includers(path));
        }
        let mut open = Vec::new();
        let mut closed = Vec::new();
        for path in dependents {
            self.fragments.forget(&path);
            if let Some(file) = index.files.get_mut(&path) {
                file.forget_findings();
            }
            let uris: Vec<Uri> = index
                .open
                .iter()
                .filter(|(_, open)| **open == path)
                .map(|(uri, _)| uri.clone())
                .collect();
            if uris.is_empty() {
                if index.files.contains_key(&path) {
                    closed.push(path);
                }
            } else {
                open.extend(uris);
            }
        }
        for path in changed {
            if let Some(file) = index.files.get_mut(path) {
                file.forget_findings();
                if !index.is_open(path) && !closed.contains(path) {
                    closed.push(path.clone());
                }
            }
        }
        (open, closed)
    }

    /// Forgets every closed file's findings (the configuration or the settings changed).
    pub fn invalidate_all_findings(&self) {
        for file in lock(&self.index).files.values_mut() {
            file.forget_findings();
        }
    }

    /// The closed indexed files (canonical path, URI), sorted by path.
    pub fn closed_files(&self) -> Vec<(PathBuf, Uri)> {
        let index = lock(&self.index);
        let open: HashSet<&PathBuf> = index.open.values().collect();
        let mut files: Vec<(PathBuf, Uri)> = index
            .files
            .iter()
            .filter(|(key, _)| !open.contains(key))
            .map(|(key, file)| (key.clone(), file.uri.clone()))
            .collect();
        files.sort();
        files
    }

    /// The URI and cached findings of a file, if it is closed and they are current.
    pub fn closed_findings(&self, key: &Path) -> Option<(Uri, Cached)> {
        let index = lock(&self.index);
        if index.is_open(key) {
            return None;
        }
        let file = index.files.get(key)?;
        Some((file.uri.clone(), file.diagnostics.clone()?))
    }

    /// Whether the file (canonical path) is indexed.
    pub fn is_indexed(&self, key: &Path) -> bool {
        lock(&self.index).files.contains_key(key)
    }

    /// Computes and caches the findings of the closed files among `keys` that have none cached,
    /// on the analysis thread, a few files per job so keystroke analyses queued meanwhile run in
    /// between. Findings equal to the last ones computed for the file keep their result id.
    /// Returns how many files' findings differ from the last ones computed (a file computed for
    /// the first time counts), `None` if the analysis thread failed.
    pub async fn compute_findings(self: &Arc<Self>, keys: &[PathBuf]) -> Option<usize> {
        let mut computed = 0;
        for chunk in keys.chunks(16) {
            let state = self.clone();
            let chunk = chunk.to_vec();
            computed += self
                .worker
                .run(move |memo| {
                    let mut computed = 0;
                    for key in chunk {
                        let todo = {
                            let index = lock(&state.index);
                            if index.is_open(&key) {
                                continue;
                            }
                            match index.files.get(&key) {
                                Some(file) if file.diagnostics.is_none() => {
                                    (file.uri.clone(), file.path.clone(), file.text.clone())
                                }
                                _ => continue,
                            }
                        };
                        let (uri, path, text) = todo;
                        let items = state.analyse_closed(&uri, &path, &text, memo);
                        let mut index = lock(&state.index);
                        index.next_id += 1;
                        let fresh = format!("w{}", index.next_id);
                        if let Some(file) = index.files.get_mut(&key)
                            && Arc::ptr_eq(&file.text, &text)
                        {
                            let id = match file.stale.take() {
                                Some(stale) if stale.items == items => stale.id,
                                _ => {
                                    computed += 1;
                                    fresh
                                }
                            };
                            file.diagnostics = Some(Cached { id, items });
                        }
                    }
                    computed
                })
                .await?;
        }
        Some(computed)
    }

    /// The findings of a closed file's text, as the protocol's diagnostics.
    fn analyse_closed(
        &self,
        uri: &Uri,
        path: &Path,
        text: &str,
        memo: &mut crate::analysis::Memo,
    ) -> Vec<lsp::Diagnostic> {
        let (config, _) = self.project_config(uri);
        let settings = self.merged_settings(Some(path), &config.settings);
        let owned = || text.to_string();
        let analysed = pipeline::analyse_with(
            Contents::Held {
                len: text.len() as u64,
                text: &owned,
            },
            IncludeBase::File(path),
            &config,
            &settings,
            &self.fragments,
            crate::syntax::parse,
            Some(memo),
        );
        let rope = ropey::Rope::from_str(&analysed.text);
        let encoding = self.encoding();
        super::convert::diagnostics(uri, &rope, encoding, &analysed.analysis.diagnostics)
    }

    /// Every `.note` file under the workspace folders (ignore files honoured, files over their
    /// project's `max-file-size` or not UTF-8 left out) and every open `file:` document, each
    /// once, the open buffer's text winning over the file on disk. Sorted by path.
    ///
    /// From the index once it is built (files changed on disk since are read again first, found
    /// by `stat`); before that, by walking the folders.
    #[allow(dead_code)]
    pub fn workspace_files(&self) -> Vec<WorkspaceFile> {
        let mut files: Vec<WorkspaceFile> = {
            let documents = lock(&self.documents);
            documents
                .uris()
                .into_iter()
                .filter_map(|uri| {
                    let path = file_path(&uri)?;
                    let text: Arc<str> = documents.get(&uri)?.rope.to_string().into();
                    Some(WorkspaceFile {
                        uri,
                        path,
                        text,
                        open: true,
                    })
                })
                .collect()
        };
        let mut seen: HashSet<PathBuf> = files
            .iter()
            .map(|file| fragments::canonical(&file.path))
            .collect();
        if self.index_ready() {
            self.restat_index();
            let index = lock(&self.index);
            for (key, file) in &index.files {
                if seen.insert(key.clone()) {
                    files.push(WorkspaceFile {
                        uri: file.uri.clone(),
                        path: file.path.clone(),
                        text: file.text.clone(),
                        open: false,
                    });
                }
            }
        } else {
            for root in self.roots() {
                let mut problems = Vec::new();
                for path in crate::files::find_templates(&root, &mut problems) {
                    if let Some((key, file)) = read_indexed(self, &path)
                        && seen.insert(key)
                    {
                        files.push(WorkspaceFile {
                            uri: file.uri,
                            path: file.path,
                            text: file.text,
                            open: false,
                        });
                    }
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &[WorkspaceFile]) -> Vec<(String, String, bool)> {
        files
            .iter()
            .map(|file| {
                let name = file
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, file.text.to_string(), file.open)
            })
            .collect()
    }

    #[test]
    fn an_open_buffer_wins_over_the_file_on_disk_and_each_file_comes_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("a.note"), "## Saved\n").unwrap();
        std::fs::write(root.join("b.note"), "## Other\n").unwrap();
        std::fs::write(root.join("notes.txt"), "not a template").unwrap();
        let state = State::new();
        *lock(&state.roots) = vec![root.clone()];
        let uri = Uri::from_file_path(root.join("a.note")).unwrap();
        lock(&state.documents).open(uri, "## Unsaved\n", 1);
        let expected = [
            ("a.note".to_string(), "## Unsaved\n".to_string(), true),
            ("b.note".to_string(), "## Other\n".to_string(), false),
        ];
        // Before the index is built (a walk), and from the index.
        assert_eq!(names(&state.workspace_files()), expected);
        state.index_folders(|_, _| {});
        assert!(state.index_ready());
        assert_eq!(names(&state.workspace_files()), expected);
    }

    #[test]
    fn the_include_graph_follows_the_disk_and_reports_transitive_includers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::create_dir(root.join("shared")).unwrap();
        std::fs::write(root.join("visit.note"), "# V\n@include shared/outer.note\n").unwrap();
        std::fs::write(root.join("shared/outer.note"), "@include inner.note\n").unwrap();
        std::fs::write(root.join("shared/inner.note"), "## Response\nok\n").unwrap();
        std::fs::write(root.join("later.note"), "@include shared/missing.note\n").unwrap();
        let state = State::new();
        *lock(&state.roots) = vec![root.clone()];
        state.index_folders(|_, _| {});
        assert_eq!(
            state.includers(&root.join("shared/inner.note")),
            [root.join("shared/outer.note")]
        );
        let (open, closed) = state.invalidate_dependents(&[root.join("shared/inner.note")]);
        assert!(open.is_empty());
        // The closed dependents, then the changed file itself (closed: its findings are stale too).
        assert_eq!(
            closed,
            [
                root.join("shared/outer.note"),
                root.join("visit.note"),
                root.join("shared/inner.note")
            ]
        );
        // A fragment that does not exist yet still knows who names it.
        assert_eq!(
            state.includers(&root.join("shared/missing.note")),
            [root.join("later.note")]
        );
        // An edit on disk is seen by the re-stat.
        std::fs::write(root.join("visit.note"), "# V, longer, no includes\n").unwrap();
        assert_eq!(state.restat_index(), [root.join("visit.note")]);
        assert_eq!(
            state.includers(&root.join("shared/outer.note")),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn a_file_written_after_indexing_is_seen_without_a_watcher_event() {
        // A rename in code-server missed a file the test wrote just before it: the index was
        // built and the watcher event had not come yet.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join("a.note"), "Pain {{pain:number}}\n").unwrap();
        let state = State::new();
        *lock(&state.roots) = vec![root.clone()];
        state.index_folders(|_, _| {});
        std::fs::write(root.join("b.note"), "Pain after: {{pain:number}}\n").unwrap();
        std::fs::write(root.join("bytes.note"), b"\xff\xfe not UTF-8\n").unwrap();
        let files: Vec<String> = state
            .workspace_files()
            .iter()
            .map(|file| {
                file.path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(files, ["a.note", "b.note"]);
        // Found once: the next re-stat reports nothing new, and the file left out is not read
        // again while it is unchanged.
        assert_eq!(state.restat_index(), Vec::<PathBuf>::new());
        assert!(
            lock(&state.index)
                .skipped
                .contains_key(&root.join("bytes.note"))
        );
    }
    /// Sets a folder's modification time into the past, as if it had not changed for a while.
    fn age(dir: &Path) {
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::open(dir)
            .unwrap()
            .set_modified(past)
            .unwrap();
    }

    #[test]
    fn looking_for_new_templates_lists_only_the_folders_that_changed() {
        // 3 x 4 folders of templates, two levels deep.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        let mut folders = vec![root.clone(), root.join(".git")];
        for a in 0..3 {
            for b in 0..4 {
                let folder = root.join(format!("a{a}/b{b}"));
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join("t.note"), "## T\n").unwrap();
                folders.push(folder);
            }
            folders.push(root.join(format!("a{a}")));
        }
        for folder in &folders {
            age(folder);
        }
        let state = State::new();
        *lock(&state.roots) = vec![root.clone()];
        state.index_folders(|_, _| {});
        assert_eq!(state.workspace_files().len(), 12);
        let counts = |state: &State| {
            let walk = lock(&state.walk);
            (walk.stated, walk.listed)
        };
        // Nothing changed: one stat per folder (the root, `a*`, `a*/b*`; `.git` is not walked),
        // no folder listed.
        let (stated, listed) = counts(&state);
        assert_eq!(state.restat_index(), Vec::<PathBuf>::new());
        assert_eq!(counts(&state), (stated + 16, listed));
        // A new template deep down (its folder's time set back after, so the next walk trusts
        // it): its folder alone is listed, and the template is found.
        std::fs::write(root.join("a1/b2/new.note"), "## New\n").unwrap();
        age(&root.join("a1/b2"));
        let (stated, listed) = counts(&state);
        assert_eq!(state.restat_index(), [root.join("a1/b2/new.note")]);
        assert_eq!(counts(&state), (stated + 16, listed + 1));
        assert_eq!(state.restat_index(), Vec::<PathBuf>::new());
        assert_eq!(counts(&state), (stated + 32, listed + 1));
        // A new folder with a template: its parent is listed and the new folder walked.
        std::fs::create_dir(root.join("a2/b9")).unwrap();
        std::fs::write(root.join("a2/b9/deep.note"), "## Deep\n").unwrap();
        age(&root.join("a2/b9"));
        age(&root.join("a2"));
        let (stated, listed) = counts(&state);
        assert_eq!(state.restat_index(), [root.join("a2/b9/deep.note")]);
        assert_eq!(counts(&state), (stated + 17, listed + 2));
        // A folder removed: forgotten (not stat'ed again), its templates gone from the index
        // through their own stamps. The root changed just now: listed, and again until its time
        // is old enough to trust.
        std::fs::remove_dir_all(root.join("a0")).unwrap();
        let (stated, listed) = counts(&state);
        let changed = state.restat_index();
        assert_eq!(changed.len(), 4, "{changed:?}");
        assert_eq!(counts(&state), (stated + 1 + 2 + 9, listed + 1));
        assert_eq!(state.workspace_files().len(), 10);
    }
}
