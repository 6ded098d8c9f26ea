//! Document synchronisation and how diagnostics reach the client: pushed with the document's
//! version, cleared on close, or pulled (`textDocument/diagnostic`) with nothing pushed.

mod lsp;

use std::time::Duration;

use lsp::client::*;
use serde_json::{Value, json};

/// A 97140 template without a response section (`missing-response` on `97140-GP`, line 3).
const MISSING_RESPONSE: &str = "---
template: Manual therapy follow-up
codes: 97140-GP
payer: medicare
type: daily
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|thrust manipulation} to {{region:region}}, grade {I|II|III|IV|V}
- {soft tissue mobilization|trigger point release} to {{soft_tissue_region:region}}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
Total treatment minutes: {{total_minutes:minutes}}
";

const RESPONSE: &str = "## Response\nTolerated treatment {well|with mild soreness}; pain {{pain_after:number}}/10 after.\n\n";

const URI: &str = "file:///sync/follow-up.note";

fn missing_response(diagnostics: &Value) -> Vec<Value> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-response")
        .cloned()
        .collect()
}

#[test]
fn open_change_close_with_pushed_diagnostics() {
    // Default debounce (100 ms): the published version still matches each change.
    let mut server = Server::start(&[], Value::Null);
    assert!(
        server.initialize_result["capabilities"]
            .get("diagnosticProvider")
            .is_none_or(Value::is_null),
        "a push client gets no diagnosticProvider"
    );
    let mut doc = Doc::new(URI, MISSING_RESPONSE, server.encoding);
    server.open(&doc);

    let published = server.diagnostics(URI, Some(1));
    let found = missing_response(&published["diagnostics"]);
    assert_eq!(found.len(), 1, "{published:#}");
    let finding = &found[0];
    assert_eq!(finding["severity"], 1, "missing-response is an error");
    assert_eq!(finding["source"], "noteplate");
    // On the `codes:` item.
    assert_eq!(finding["range"], doc.range_of("97140-GP"));
    assert_eq!(finding["range"]["start"]["line"], 2);
    assert!(finding["message"].as_str().unwrap().contains("Response"));

    // Incremental change: insert the response section before `## Time`.
    let at = doc.find("## Time");
    let change = doc.edit(at, at, RESPONSE);
    doc.version = 2;
    server.did_change(&doc, vec![change]);
    let published = server.diagnostics(URI, Some(2));
    assert_eq!(published["version"], 2);
    assert!(
        missing_response(&published["diagnostics"]).is_empty(),
        "{published:#}"
    );
    assert_eq!(server.document_text(URI), (2, doc.text.clone()));

    // Take it out again in two steps (one notification, two changes): back it comes.
    let start = doc.find("## Response");
    let middle = start + "## Response\n".len();
    let end = start + RESPONSE.len();
    let second = doc.edit(middle, end, "");
    let first = doc.edit(start, middle, "");
    doc.version = 3;
    server.did_change(&doc, vec![second, first]);
    let published = server.diagnostics(URI, Some(3));
    assert_eq!(missing_response(&published["diagnostics"]).len(), 1);
    assert_eq!(doc.text, MISSING_RESPONSE);

    // A full-text change (no range) replaces the document.
    doc.text = MISSING_RESPONSE.replace("## Time", &format!("{RESPONSE}## Time"));
    doc.version = 4;
    server.did_change(&doc, vec![json!({"text": doc.text})]);
    let published = server.diagnostics(URI, Some(4));
    assert!(missing_response(&published["diagnostics"]).is_empty());

    server.close(URI);
    let cleared = server.expect("empty diagnostics after close", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == URI
            && m["params"]["diagnostics"] == json!([])
    });
    assert!(cleared["params"]["version"].is_null() || cleared["params"]["version"] == 4);
    // The document is gone from the server.
    let response = server.request(
        "noteplate/documentText",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(response.get("error").is_some(), "{response}");

    server.shutdown_and_exit();
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));
    server.assert_no_panic();
}

#[test]
fn a_burst_of_changes_publishes_the_last_version() {
    let mut server = Server::start(&["utf-8"], json!({"debounceMs": 50}));
    let mut doc = Doc::new(URI, MISSING_RESPONSE, server.encoding);
    server.open(&doc);
    // Type the response section one character at a time, without waiting.
    let mut at = doc.find("## Time");
    for ch in RESPONSE.chars() {
        let change = doc.edit(at, at, &ch.to_string());
        at += ch.len_utf8();
        doc.version += 1;
        server.did_change(&doc, vec![change]);
    }
    let last = doc.version;
    let published = server.diagnostics(URI, Some(last));
    assert!(missing_response(&published["diagnostics"]).is_empty());
    assert_eq!(server.document_text(URI), (last, doc.text.clone()));
    // Nothing published for the last version ever shows the old finding; nothing newer exists.
    let later = server.drain(Duration::from_millis(300));
    for message in later {
        if message["method"] == "textDocument/publishDiagnostics" {
            assert!(message["params"]["version"].as_i64().unwrap() <= last);
        }
    }
}

/// A client that pulls (and can be asked to re-pull after a settings change).
fn pull_capabilities() -> Value {
    merge(
        capabilities(&[]),
        json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": false, "relatedDocumentSupport": false}},
            "workspace": {"diagnostics": {"refreshSupport": true}}
        }),
    )
}

fn pull(server: &mut Server, uri: &str) -> Value {
    let report = server.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full", "{report:#}");
    report["items"].clone()
}

fn assert_nothing_pushed(messages: &[Value]) {
    for message in messages {
        assert_ne!(
            message["method"], "textDocument/publishDiagnostics",
            "a pull client was sent {message:#}"
        );
    }
}

#[test]
fn pull_clients_get_a_diagnostic_provider_and_no_pushes() {
    let mut server = Server::spawn(&[]);
    let result = server.initialize(pull_capabilities(), json!({"debounceMs": 0}));
    let provider = &result["capabilities"]["diagnosticProvider"];
    // A template's findings depend on its fragments; workspace diagnostics only when asked for
    // (`workspaceDiagnostics: "workspace"`, tests/lsp_workspace.rs).
    assert_eq!(provider["interFileDependencies"], true, "{result:#}");
    assert_eq!(provider["workspaceDiagnostics"], false);

    let mut doc = Doc::new(URI, MISSING_RESPONSE, server.encoding);
    server.open(&doc);
    let items = pull(&mut server, URI);
    let found = missing_response(&items);
    assert_eq!(found.len(), 1, "{items:#}");
    assert_eq!(found[0]["range"], doc.range_of("97140-GP"));

    let at = doc.find("## Time");
    let change = doc.edit(at, at, RESPONSE);
    doc.version += 1;
    server.did_change(&doc, vec![change]);
    let items = pull(&mut server, URI);
    assert!(missing_response(&items).is_empty(), "{items:#}");

    // A document that is not open has nothing to report (and is no error).
    let items = pull(&mut server, "file:///sync/never-opened.note");
    assert_eq!(items, json!([]));

    server.close(URI);
    // Give any (wrong) push time to arrive, then check none did, also not on close.
    let id = server.send_request(
        "noteplate/documentText",
        Some(json!({"textDocument": {"uri": "file:///x"}})),
    );
    server.response(id);
    assert_nothing_pushed(&server.drain(Duration::from_millis(500)));
    server.assert_no_panic();
}

#[test]
fn diagnostic_mode_setting_overrides_the_capability() {
    // A pull-capable client told to use push: no provider, pushes.
    let mut server = Server::spawn(&[]);
    let result = server.initialize(
        pull_capabilities(),
        json!({"debounceMs": 0, "diagnosticMode": "push"}),
    );
    assert!(
        result["capabilities"]
            .get("diagnosticProvider")
            .is_none_or(Value::is_null)
    );
    let doc = Doc::new(URI, MISSING_RESPONSE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    assert_eq!(missing_response(&published["diagnostics"]).len(), 1);
    drop(server);

    // A client without the capability told to pull: provider, no pushes.
    let mut server = Server::spawn(&[]);
    let result = server.initialize(
        capabilities(&[]),
        json!({"debounceMs": 0, "diagnosticMode": "pull"}),
    );
    assert!(result["capabilities"]["diagnosticProvider"].is_object());
    server.open(&doc);
    assert_eq!(missing_response(&pull(&mut server, URI)).len(), 1);
    assert_nothing_pushed(&server.drain(Duration::from_millis(500)));
}
