//! The workspace: the templates of the client's workspace folders, as the server sees them (an
//! open document's unsaved text wins over the file on disk). Cross-file features (references,
//! rename, symbols, workspace diagnostics) read files only through [`State::workspace_files`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::state::{State, file_path, lock};

/// One template of the workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    pub uri: Uri,
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Open in the editor: `text` is the buffer's, which may be unsaved.
    pub open: bool,
}

impl State {
    /// The workspace folders' roots, as given in `initialize` (`workspaceFolders`, else `rootUri`).
    pub fn roots(&self) -> Vec<PathBuf> {
        lock(&self.roots).clone()
    }

    /// Every `.note` file under the workspace folders (ignore files honoured, files over the
    /// default `max-file-size` or not UTF-8 left out) and every open `file:` document, each once,
    /// the open buffer's text winning over the file on disk. Sorted by path.
    ///
    /// Reads the folders on every call: a first version that the workspace index replaces.
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
        let mut seen: HashSet<PathBuf> = files.iter().map(|file| file.path.clone()).collect();
        let limit = crate::config::DEFAULT_MAX_FILE_SIZE;
        for root in self.roots() {
            let mut problems = Vec::new();
            for path in crate::files::find_templates(&root, &mut problems) {
                if !seen.insert(path.clone()) {
                    continue;
                }
                let Ok(bytes) = crate::files::read_regular(&path, limit) else {
                    continue;
                };
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                let Some(uri) = Uri::from_file_path(&path) else {
                    continue;
                };
                files.push(WorkspaceFile {
                    uri,
                    path,
                    text: text.into(),
                    open: false,
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let files = state.workspace_files();
        let seen: Vec<(String, &str, bool)> = files
            .iter()
            .map(|file| {
                let name = file
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, &*file.text, file.open)
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("a.note".to_string(), "## Unsaved\n", true),
                ("b.note".to_string(), "## Other\n", false)
            ]
        );
    }
}
