//! Open documents: text in a rope, the client's version, and the last analysis. Edits are applied
//! here, synchronously and in the order they arrived (see `transport.rs`), so concurrency in the
//! request handlers can never reorder them.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::encoding::{self, Encoding};
use crate::analysis::{Diagnostic, Semantics};
use crate::syntax::Parse;

/// Which text of a document something is about: the client's version, and which opening of the
/// document it was (a document closed and opened again may start again at the same version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub opened: u64,
    pub version: i32,
}

/// An analysis of one version of a document; shared with handlers without copying.
#[derive(Debug)]
pub struct Snapshot {
    pub revision: Revision,
    pub rope: Rope,
    pub text: String,
    pub parse: Parse,
    pub semantics: Semantics,
    pub diagnostics: Vec<Diagnostic>,
    /// The configuration used (its pack is the one to use for hovers and completion).
    pub config: std::sync::Arc<crate::config::ProjectConfig>,
    /// Set when the project's configuration files are broken (the last good one was used).
    pub config_error: Option<crate::config::ConfigError>,
    /// The document is over `max-file-size`: not analysed (`text` is empty), and no request does
    /// any work for it.
    pub too_large: bool,
    /// The `@include` paths the analysis accepted and read (inside the project, found, a regular
    /// file), with the fragment's real path: the only ones links and definitions point at.
    pub includes: Vec<(crate::syntax::Span, std::path::PathBuf)>,
}

#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    /// Counts openings (see [`Revision`]).
    pub opened: u64,
    /// The latest analysis; may be for an older version.
    pub analysis: Option<Arc<Snapshot>>,
    /// The version an analysis has been scheduled for, so a burst of handlers schedules one.
    pub scheduled: Option<i32>,
}

impl Document {
    pub fn revision(&self) -> Revision {
        Revision {
            opened: self.opened,
            version: self.version,
        }
    }
}

#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
    openings: u64,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: &str, version: i32) {
        self.openings += 1;
        self.open.insert(
            uri,
            Document {
                rope: Rope::from_str(text),
                version,
                opened: self.openings,
                analysis: None,
                scheduled: None,
            },
        );
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.open.keys().cloned().collect()
    }

    /// Applies changes in order. Returns false (and changes nothing) for an unknown document; a
    /// change for a document never opened is ignored, as the protocol leaves nothing else to do.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> bool {
        let Some(document) = self.open.get_mut(uri) else {
            return false;
        };
        for change in changes {
            match change.range {
                None => document.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let span = encoding::span(&document.rope, range, encoding);
                    let start = document.rope.byte_to_char(span.start);
                    let end = document.rope.byte_to_char(span.end);
                    document.rope.remove(start..end);
                    document.rope.insert(start, &change.text);
                }
            }
        }
        document.version = version;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: start.0,
                    character: start.1,
                },
                end: Position {
                    line: end.0,
                    character: end.1,
                },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn reopening_at_the_same_version_is_another_revision() {
        let uri: Uri = "file:///a.note".parse().unwrap();
        let mut documents = Documents::default();
        documents.open(uri.clone(), "first text", 1);
        let first = documents.get(&uri).unwrap().revision();
        documents.close(&uri);
        documents.open(uri.clone(), "second text", 1);
        let second = documents.get(&uri).unwrap().revision();
        assert_eq!((first.version, second.version), (1, 1));
        // An analysis of the first text must never pass for one of the second.
        assert_ne!(first, second);
    }

    #[test]
    fn applies_incremental_changes_in_order() {
        let uri: Uri = "file:///a.note".parse().unwrap();
        let mut documents = Documents::default();
        documents.open(uri.clone(), "°µ\r\nline", 1);
        assert!(documents.change(
            &uri,
            2,
            &[change((0, 1), (0, 2), "X"), change((1, 0), (1, 0), "😀")],
            Encoding::Utf16
        ));
        assert_eq!(
            documents.get(&uri).unwrap().rope.to_string(),
            "°X\r\n😀line"
        );
        // Reversed range and far-out positions are clamped, not a panic.
        assert!(documents.change(&uri, 3, &[change((9, 9), (0, 0), "")], Encoding::Utf8));
        assert_eq!(documents.get(&uri).unwrap().rope.to_string(), "");
        let other: Uri = "file:///b.note".parse().unwrap();
        assert!(!documents.change(&other, 1, &[], Encoding::Utf8));
    }
}
