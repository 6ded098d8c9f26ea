//! Bad input never takes the server down: broken frames and non-JSON get `-32700`, JSON that is
//! not a JSON-RPC message gets `-32600`, unknown methods `-32601`, wrong parameters `-32602`;
//! positions past the end are clamped; edits to documents never opened are ignored; a panic in a
//! handler becomes an error response. After each, the server still answers.

mod lsp;

use lsp::client::*;
use serde_json::{Value, json};

const URI: &str = "file:///malformed/a.note";
const TEXT: &str = "---
codes: 97140-GP
---
## Technique
- 45° 😀 myofascial release
";

fn started(env: &[(&str, &str)]) -> (Server, Doc) {
    let mut server = Server::spawn(env);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEXT, server.encoding);
    server.open(&doc);
    server.diagnostics(URI, Some(1));
    (server, doc)
}

/// The server answers a request and still has the document as the client does.
fn assert_alive(server: &mut Server, doc: &Doc) {
    assert_eq!(
        server.document_text(URI),
        (doc.version, doc.text.clone()),
        "stderr:\n{}",
        server.stderr()
    );
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The next error response with `id: null`.
fn null_id_error(server: &mut Server) -> Value {
    server.expect("an error response with a null id", |m| {
        m.get("method").is_none() && m["id"].is_null() && m.get("error").is_some()
    })
}

#[test]
fn invalid_json_gets_a_parse_error_and_the_server_keeps_reading() {
    let (mut server, doc) = started(&[]);
    for body in [
        &b"{not json"[..],
        b"",
        b"{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ",
        b"\xff\xfe{\"jsonrpc\":\"2.0\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x\",\"params\":\"\xff\"}",
    ] {
        server.send_raw(&frame(body));
        let error = null_id_error(&mut server);
        assert_eq!(error["error"]["code"], -32700, "{error}");
        assert_alive(&mut server, &doc);
    }
    server.assert_no_panic();
}

#[test]
fn frames_without_content_length_are_refused() {
    let (mut server, doc) = started(&[]);
    // Headers but no Content-Length.
    server.send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n");
    let error = null_id_error(&mut server);
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_alive(&mut server, &doc);

    // A Content-Length that is not a number.
    server.send_raw(b"Content-Length: twelve\r\n\r\n");
    let error = null_id_error(&mut server);
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_alive(&mut server, &doc);

    // A body sent with no header at all, then a blank line: refused, and the next frame is read.
    server.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":900,\"method\":\"shutdown\"}\r\n\r\n");
    let error = null_id_error(&mut server);
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_alive(&mut server, &doc);

    // Stray blank lines between frames are skipped.
    server.send_raw(b"\r\n\r\n");
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}

#[test]
fn json_that_is_not_a_jsonrpc_message_is_an_invalid_request() {
    let (mut server, doc) = started(&[]);
    for body in [
        json!([]),
        json!([{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}]),
        json!(42),
        json!("hello"),
        json!({"foo": 1}),
        json!({"jsonrpc": "1.0", "id": 800, "method": "textDocument/hover"}),
        json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover"}),
        json!({"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover"}),
        json!({"jsonrpc": "2.0", "id": 801, "method": 12}),
    ] {
        server.send_raw(&frame(body.to_string().as_bytes()));
        let error = server.expect(&format!("an error for {body}"), |m| {
            m.get("method").is_none()
                && m.get("error").is_some()
                && (m["id"].is_null() || m["id"] == 800 || m["id"] == 801)
        });
        assert_eq!(error["error"]["code"], -32600, "{body}: {error}");
        assert_alive(&mut server, &doc);
    }
    server.assert_no_panic();
}

#[test]
fn unknown_methods() {
    let (mut server, doc) = started(&[]);
    let response = server.request("noteplate/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let response = server.request("textDocument/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // Unknown notifications (with or without `$/`) are ignored without a reply.
    server.notify("noteplate/noSuchNotification", json!({}));
    server.notify("$/noSuchNotification", json!({}));
    server.notify("$/cancelRequest", json!({"id": 12345}));
    // A response to a request the server never sent is ignored.
    server.send(&json!({"jsonrpc": "2.0", "id": 424242, "result": null}));
    server.send(&json!({"jsonrpc": "2.0", "id": "abc", "error": {"code": -1, "message": "x"}}));
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}

#[test]
fn wrong_parameter_types_are_errors_not_crashes() {
    let (mut server, doc) = started(&[]);
    for (method, params) in [
        (
            "textDocument/hover",
            json!({"textDocument": 5, "position": "here"}),
        ),
        ("textDocument/hover", json!({"textDocument": {"uri": URI}})),
        (
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}),
        ),
        ("textDocument/completion", json!([1, 2, 3])),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": null, "context": {}}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": 17}}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": "not a uri"}}),
        ),
        ("textDocument/semanticTokens/full", json!("text")),
        ("textDocument/foldingRange", Value::Null),
        ("textDocument/diagnostic", json!({})),
        ("noteplate/documentText", json!({"textDocument": {}})),
        ("noteplate/documentText", json!(null)),
        ("noteplate/debugPanic", json!({"unexpected": true})),
    ] {
        let response = server.request(method, params.clone());
        let code = response["error"]["code"].as_i64();
        assert!(
            matches!(code, Some(-32602 | -32600 | -32700)),
            "{method} {params}: {response}"
        );
        assert_alive(&mut server, &doc);
    }
    server.assert_no_panic();
}

#[test]
fn notifications_with_wrong_parameters_are_ignored() {
    let (mut server, doc) = started(&[]);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "text": 5}}),
    );
    server.notify("textDocument/didOpen", json!("nope"));
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 9}, "contentChanges": "all of it"}),
    );
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 9}, "contentChanges": [{"range": {"start": 1}, "text": "x"}]}),
    );
    server.notify("textDocument/didClose", json!({"textDocument": 1}));
    server.notify("workspace/didChangeConfiguration", json!([]));
    server.notify("initialized", json!(7));
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}

#[test]
fn positions_past_the_end_are_clamped() {
    let (mut server, mut doc) = started(&[]);
    let far = json!({"line": 100_000, "character": 100_000});
    let far_on_line = json!({"line": 4, "character": 100_000});
    for position in [&far, &far_on_line] {
        let response = server.request(
            "textDocument/completion",
            json!({"textDocument": doc.ident(), "position": position}),
        );
        assert!(response.get("error").is_none(), "{response}");
        let response = server.request(
            "textDocument/hover",
            json!({"textDocument": doc.ident(), "position": position}),
        );
        assert!(response.get("error").is_none(), "{response}");
        let response = server.request(
            "textDocument/codeAction",
            json!({"textDocument": doc.ident(), "range": {"start": position, "end": far}, "context": {"diagnostics": []}}),
        );
        assert!(response.get("error").is_none(), "{response}");
    }
    // Reversed range.
    let response = server.request(
        "textDocument/codeAction",
        json!({"textDocument": doc.ident(), "range": {"start": far, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    // Completion past the end of the last (empty) line, in the technique section, is clamped
    // to that line and offers techniques.
    let response = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": {"line": 5, "character": 999}}),
    );
    assert!(
        labels(&response).contains(&"myofascial release".to_string()),
        "{response}"
    );

    // An edit past the end lands at the end of the text; one past a line's end at that line's end.
    let change = json!({"range": {"start": far, "end": far}, "text": "X"});
    doc.text.push('X');
    doc.version += 1;
    server.did_change(&doc, vec![change]);
    assert_alive(&mut server, &doc);
    let change = json!({"range": {"start": {"line": 3, "character": 999}, "end": {"line": 3, "character": 999}}, "text": "!"});
    let at = doc.find("## Technique") + "## Technique".len();
    doc.text.insert(at, '!');
    doc.version += 1;
    server.did_change(&doc, vec![change]);
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}

#[test]
fn changes_to_documents_never_opened_are_ignored() {
    let (mut server, doc) = started(&[]);
    let other = "file:///malformed/never-opened.note";
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": other, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}],
        }),
    );
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": other, "version": 3}, "contentChanges": [{"text": "whole"}]}),
    );
    server.close(other);
    let response = server.request(
        "noteplate/documentText",
        json!({"textDocument": {"uri": other}}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let hover = server.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": other}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.is_null());
    let completion = server.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": other}, "position": {"line": 0, "character": 0}}),
    );
    assert!(completion.get("error").is_none(), "{completion}");
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}

#[test]
fn a_panicking_handler_returns_an_error_and_the_server_keeps_answering() {
    let (mut server, doc) = started(&[("NOTEPLATE_TEST_PANIC", "1")]);
    for _ in 0..3 {
        let id = server.send_request("noteplate/debugPanic", None);
        let response = server.response(id);
        assert_eq!(response["error"]["code"], -32603, "{response}");
        assert!(
            response["error"]["message"]
                .as_str()
                .unwrap()
                .contains("internal error"),
            "{response}"
        );
        assert_alive(&mut server, &doc);
    }
    // Other handlers still work after the panics (no poisoned state).
    let hover = server.result(
        "textDocument/hover",
        json!({"textDocument": doc.ident(), "position": doc.pos_at("myofascial", 2)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("myofascial")
    );
    server.shutdown_and_exit();
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));
}

#[test]
fn debug_panic_without_the_variable_does_nothing() {
    let (mut server, doc) = started(&[]);
    let id = server.send_request("noteplate/debugPanic", None);
    let response = server.response(id);
    assert!(response.get("error").is_none(), "{response}");
    assert_alive(&mut server, &doc);
    server.assert_no_panic();
}
