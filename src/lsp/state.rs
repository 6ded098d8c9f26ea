//! Shared server state: open documents, negotiated encoding, settings and the rule pack. Every
//! lock here is held only for plain, synchronous work, never across an `.await`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;
use tower_lsp_server::ls_types as lsp;

use super::documents::{Documents, Snapshot};
use super::encoding::Encoding;
use super::settings::ClientSettings;
use crate::analysis;
use crate::rulepack::RulePack;

pub struct State {
    pub documents: Mutex<Documents>,
    pub encoding: Mutex<Encoding>,
    pub settings: Mutex<ClientSettings>,
    pub pack: Mutex<Arc<RulePack>>,
    pub shutdown_requested: AtomicBool,
    /// Diagnostics are pushed (`publishDiagnostics`) unless the client pulls them.
    pub push_diagnostics: AtomicBool,
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
        }
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
                    lock(&self.documents).open(document.uri, &document.text, document.version);
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
                }
            }
            "textDocument/didClose" => {
                if let Ok(params) = lsp::DidCloseTextDocumentParams::deserialize(params) {
                    lock(&self.documents).close(&params.text_document.uri);
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

    /// The analysis of the document's current version, computing it if needed.
    pub fn snapshot(&self, uri: &lsp::Uri) -> Option<Arc<Snapshot>> {
        let (rope, version) = {
            let documents = lock(&self.documents);
            let document = documents.get(uri)?;
            if let Some(analysis) = &document.analysis
                && analysis.version == document.version
            {
                return Some(analysis.clone());
            }
            (document.rope.clone(), document.version)
        };
        let snapshot = Arc::new(self.analyze(rope, version));
        let mut documents = lock(&self.documents);
        if let Some(document) = documents.get_mut(uri)
            && document.version == version
        {
            document.analysis = Some(snapshot.clone());
        }
        Some(snapshot)
    }

    pub fn analyze(&self, rope: ropey::Rope, version: i32) -> Snapshot {
        let text = rope.to_string();
        let pack = self.pack();
        let settings = lock(&self.settings).analysis_settings();
        let parse = crate::syntax::parse(&text);
        let (semantics, diagnostics) =
            analysis::analyze_with_semantics(&text, &parse, &pack, &settings);
        Snapshot {
            version,
            rope,
            text,
            parse,
            semantics,
            diagnostics,
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}
