//! Open documents: text in a rope, the client's version, and the last analysis. Edits are applied
//! here, synchronously and in the order they arrived (see `transport.rs`), so concurrency in the
//! request handlers can never reorder them.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::encoding::{self, Encoding};
use crate::analysis::{Diagnostic, Semantics};
use crate::syntax::{Parse, TextEdit};

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
    /// The edits made since the text of a revision, as one edit; `None` when unknown (a change
    /// that replaces the whole text). The next analysis re-parses only the lines they touched if
    /// `analysis` is of that revision ([`Document::take_previous`]).
    pub edits: Option<(Revision, TextEdit)>,
}

impl Revision {
    /// One number per revision (its opening and version), the name the analysis memo remembers
    /// its parts by (`analysis::Memo::expect_text`).
    pub fn name(self) -> u64 {
        (self.opened << 32) ^ u64::from(self.version as u32)
    }
}

impl Document {
    pub fn revision(&self) -> Revision {
        Revision {
            opened: self.opened,
            version: self.version,
        }
    }

    /// For the analysis of the current revision, about to start: the last analysis (taken out,
    /// it is being replaced) with the edits made since its text, when they are known. From now
    /// on edits are counted from the current revision.
    pub fn take_previous(&mut self) -> (Option<Arc<Snapshot>>, Option<TextEdit>) {
        let previous = self.analysis.take();
        let edit = match (&previous, self.edits) {
            (Some(previous), Some((since, edit))) if previous.revision == since => Some(edit),
            _ => None,
        };
        self.edits = Some((self.revision(), TextEdit::NONE));
        (previous, edit)
    }
}

/// The parse of `text` (the current revision's), from the previous analysis and the edits since
/// its text where it can (`syntax::reparse`: only the edited lines are parsed again), with what is
/// left of the previous analysis, to be freed away from the analysis thread.
pub fn parse_after(
    text: &str,
    previous: Option<Arc<Snapshot>>,
    edit: Option<TextEdit>,
) -> (Parse, Option<Box<dyn Send>>) {
    let Some(previous) = previous else {
        return (crate::syntax::parse(text), None);
    };
    let edit = match edit {
        Some(edit) if !previous.too_large => edit,
        _ => return (crate::syntax::parse(text), Some(Box::new(previous))),
    };
    match Arc::try_unwrap(previous) {
        // Nothing else holds it (the usual case): its tree is reused in place.
        Ok(mut previous) => {
            let old = std::mem::take(&mut previous.parse);
            let parse = crate::syntax::reparse(&previous.text, old, text, edit);
            (parse, Some(Box::new(previous)))
        }
        // A request still reads it: reuse a copy.
        Err(previous) => {
            let parse = crate::syntax::reparse(&previous.text, previous.parse.clone(), text, edit);
            (parse, Some(Box::new(previous)))
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
                edits: None,
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
                None => {
                    document.rope = Rope::from_str(&change.text);
                    document.edits = None;
                }
                Some(range) => {
                    let span = encoding::span(&document.rope, range, encoding);
                    let start = document.rope.byte_to_char(span.start);
                    let end = document.rope.byte_to_char(span.end);
                    document.rope.remove(start..end);
                    document.rope.insert(start, &change.text);
                    let edit = TextEdit::replace(span.start..span.end, change.text.len());
                    document.edits = document
                        .edits
                        .map(|(since, edits)| (since, edits.then(edit)));
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

    /// The server's path (edits applied to the rope, the tree re-parsed from the last analysis,
    /// one memo for all analyses, some versions never analysed) gives what a from-scratch
    /// analysis of the same text gives: the same tree, errors, semantic model and diagnostics.
    mod incremental {
        use super::super::super::state::{State, lock};
        use super::*;
        use crate::analysis::Memo;
        use proptest::prelude::*;

        const TEMPLATES: &[&str] = &[
            include_str!("../../examples/manual-therapy-visit.note"),
            include_str!("../../examples/soap-daily-note.note"),
            include_str!("../../examples/syntax-recovery.note"),
            include_str!("../../examples/typos-with-fixes.note"),
            include_str!("../../examples/evaluation-97162.note"),
            include_str!("../../tests/realworld/apta-pt-daily-documentation-of-a-visit.note"),
            include_str!("../../tests/realworld/deemsys-chiro-daily-soap-notes.note"),
        ];

        const SNIPPETS: &[&str] = &[
            "x",
            "x",
            " ",
            "\n",
            "\r\n",
            "# ",
            "## Response\n",
            "{",
            "}",
            "{{",
            "}}",
            "|",
            "{well|poorly}",
            "{{minutes:minutes}}",
            "***",
            ":",
            "- ",
            "<!--",
            "-->",
            "<!-- noteplate-disable-next-line -->",
            "---\n",
            "codes: 97110\n",
            "Tolerated ",
            "myofascial release",
            "Date of service: ",
            "é",
            "😀",
            "",
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            #[test]
            fn incremental_analysis_is_a_fresh_analysis(
                template in 0..TEMPLATES.len(),
                edits in prop::collection::vec(
                    (0.0f64..1.0, 0usize..10, 0..SNIPPETS.len(), any::<bool>()),
                    1..12,
                ),
            ) {
                let state = State::new();
                let uri: Uri = "untitled:incremental.note".parse().unwrap();
                let encoding = Encoding::Utf16;
                lock(&state.documents).open(uri.clone(), TEMPLATES[template], 1);
                let mut memo = Memo::new();
                state.snapshot(&uri, &mut memo);
                for (version, (place, removed, snippet, analyse)) in (2..).zip(edits) {
                    {
                        let mut documents = lock(&state.documents);
                        let rope = documents.get(&uri).unwrap().rope.clone();
                        let text = rope.to_string();
                        let mut start = (place * text.len() as f64) as usize;
                        while !text.is_char_boundary(start) {
                            start -= 1;
                        }
                        let mut end = (start + removed).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        let range = encoding::range(&rope, crate::syntax::Span::new(start, end), encoding);
                        let change = Change {
                            range: Some(range),
                            range_length: None,
                            text: SNIPPETS[snippet].to_string(),
                        };
                        documents.change(&uri, version, &[change], encoding);
                    }
                    if !analyse {
                        continue;
                    }
                    let (incremental, _) = state.snapshot(&uri, &mut memo).unwrap();
                    let (rope, revision) = {
                        let documents = lock(&state.documents);
                        let document = documents.get(&uri).unwrap();
                        (document.rope.clone(), document.revision())
                    };
                    let (fresh, _) =
                        state.analyze(&uri, rope, revision, None, None, &mut Memo::new());
                    prop_assert_eq!(&incremental.text, &fresh.text);
                    prop_assert_eq!(&incremental.parse, &fresh.parse);
                    prop_assert_eq!(&incremental.semantics, &fresh.semantics);
                    prop_assert_eq!(&incremental.diagnostics, &fresh.diagnostics);
                }
            }
        }

        #[test]
        fn a_keystroke_reparses_the_line_it_changed() {
            let state = State::new();
            let uri: Uri = "untitled:big.note".parse().unwrap();
            let text = format!(
                "---\ntemplate: T\ncodes: 97140\n---\n## Technique\n{}## Response\nTolerated.\n",
                "- {joint mobilization|myofascial release} to {{region:region}}\n".repeat(3_000)
            );
            lock(&state.documents).open(uri.clone(), &text, 1);
            let mut memo = Memo::new();
            crate::work::reset();
            state.snapshot(&uri, &mut memo);
            assert!(crate::work::parsed_lines() > 3_000);
            let change = Change {
                range: Some(tower_lsp_server::ls_types::Range {
                    start: tower_lsp_server::ls_types::Position {
                        line: 1_000,
                        character: 3,
                    },
                    end: tower_lsp_server::ls_types::Position {
                        line: 1_000,
                        character: 3,
                    },
                }),
                range_length: None,
                text: "x".to_string(),
            };
            lock(&state.documents).change(&uri, 2, &[change], Encoding::Utf16);
            crate::work::reset();
            let (snapshot, _) = state.snapshot(&uri, &mut memo).unwrap();
            assert_eq!(crate::work::parsed_lines(), 1);
            assert_eq!(snapshot.parse, crate::syntax::parse(&snapshot.text));
        }

        type Change = tower_lsp_server::ls_types::TextDocumentContentChangeEvent;
    }
}
