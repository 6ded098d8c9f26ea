//! noteplate and a peer language server side by side (issue 12): the same text, the same
//! one-character edits, measured alternately in one run so that the machine's load falls on both.
//!
//! The peer is harper-ls (a Rust prose linter on tower-lsp-server), given the template as
//! Markdown. `benches/peer-latency.sh` installs it into `target/peers/` and runs
//! `NOTEPLATE_BENCH_PEER=<harper-ls> cargo bench --bench lsp_latency`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::client::{Doc, Encoding, Server, TIMEOUT, capabilities};
use super::{Figures, summarize};

/// The peer's server, with how it wants document changes.
struct Peer {
    server: Server,
    /// `textDocumentSync.change`: 1 whole document, 2 incremental.
    full_sync: bool,
}

fn start_peer(program: &str) -> Peer {
    let mut server = Server::spawn_program(program, &["--stdio"], &[]);
    server.initialize(capabilities(&[]), Value::Null);
    let sync = &server.initialize_result["capabilities"]["textDocumentSync"];
    // A bare number or `{ "change": n }`.
    let change = sync
        .as_i64()
        .or_else(|| sync["change"].as_i64())
        .unwrap_or(1);
    Peer {
        server,
        full_sync: change != 2,
    }
}

/// Waits for the peer's next publishDiagnostics for `uri` (harper-ls sends no version, so
/// whatever arrived before the edit was drained first).
fn peer_diagnostics(peer: &mut Server, uri: &str) -> Value {
    peer.expect(
        &format!("publishDiagnostics for {uri} from the peer"),
        |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri,
    )["params"]
        .clone()
}

/// Both servers' didChange -> publishDiagnostics for the same `edits` one-character edits at
/// `at` in `text`, alternating noteplate and the peer. Returns (noteplate, peer) figures.
pub fn side_by_side(peer_program: &str, text: &str, at: usize, edits: usize) -> (Figures, Figures) {
    let mut ours = super::start();
    let mut doc = Doc::new("file:///bench/latency.note", text, ours.encoding);
    ours.open(&doc);
    ours.diagnostics(&doc.uri, Some(1));

    let mut peer = start_peer(peer_program);
    let mut peer_doc = Doc::new("file:///bench/latency.md", text, Encoding::Utf16);
    peer.server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {
            "uri": peer_doc.uri, "languageId": "markdown", "version": 1, "text": peer_doc.text
        }}),
    );
    peer_diagnostics(&mut peer.server, &peer_doc.uri);

    let mut our_samples = Vec::with_capacity(edits);
    let mut peer_samples = Vec::with_capacity(edits);
    for n in 0..edits {
        let (from, to, insert) = if n % 2 == 0 {
            (at, at, "x")
        } else {
            (at, at + 1, "")
        };

        let change = doc.edit(from, to, insert);
        doc.version += 1;
        let started = Instant::now();
        ours.did_change(&doc, vec![change]);
        ours.diagnostics(&doc.uri, Some(doc.version));
        our_samples.push(started.elapsed());

        let change = peer_doc.edit(from, to, insert);
        peer_doc.version += 1;
        let change = if peer.full_sync {
            json!({"text": peer_doc.text})
        } else {
            change
        };
        // Anything the peer published late belongs to an earlier edit.
        peer.server.drain(Duration::ZERO);
        let started = Instant::now();
        peer.server.did_change(&peer_doc, vec![change]);
        peer_diagnostics(&mut peer.server, &peer_doc.uri);
        peer_samples.push(started.elapsed());
    }
    for server in [&mut ours, &mut peer.server] {
        server.shutdown_and_exit();
        server.wait_exit(TIMEOUT);
    }
    ours.assert_no_panic();
    (summarize(our_samples), summarize(peer_samples))
}
