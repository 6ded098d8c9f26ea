//! Lifecycle and exit codes: `shutdown` then `exit` exits 0; `exit` alone, or the input ending
//! without `exit`, exits 1; and the process ends after `exit` even when the client keeps stdin
//! open. Every wait has a deadline (`TIMEOUT`), so a server that hangs fails the test.

mod lsp;

use lsp::client::*;
use serde_json::{Value, json};

fn started() -> Server {
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(
        "file:///lifecycle/a.note",
        "## Technique\n- MFR\n",
        server.encoding,
    );
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(1));
    server
}

fn exit_code(server: &mut Server) -> Option<i32> {
    let status = server
        .wait_exit(TIMEOUT)
        .unwrap_or_else(|| panic!("the server did not exit\nstderr:\n{}", server.stderr()));
    status.code()
}

#[test]
fn shutdown_then_exit_exits_0_with_stdin_still_open() {
    let mut server = started();
    let response = server.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    assert!(response.get("error").is_none());
    server.notify("exit", Value::Null);
    // stdin stays open: the client never closes it.
    assert_eq!(exit_code(&mut server), Some(0));
    server.assert_no_panic();
}

#[test]
fn shutdown_then_exit_then_stdin_closed_exits_0() {
    let mut server = started();
    server.shutdown_and_exit();
    server.close_stdin();
    assert_eq!(exit_code(&mut server), Some(0));
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut server = started();
    let response = server.request("shutdown", Value::Null);
    assert!(response.get("error").is_none());
    let response = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///lifecycle/a.note"}, "position": {"line": 1, "character": 3}}),
    );
    assert_eq!(response["error"]["code"], -32600, "{response}");
    server.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut server), Some(0));
}

#[test]
fn exit_without_shutdown_exits_1_with_stdin_still_open() {
    let mut server = started();
    server.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut server), Some(1));
    server.assert_no_panic();
}

#[test]
fn exit_before_initialize_exits_1() {
    let mut server = Server::spawn(&[]);
    server.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut server), Some(1));
}

#[test]
fn stdin_closed_without_exit_exits_1() {
    let mut server = started();
    server.close_stdin();
    assert_eq!(exit_code(&mut server), Some(1));
    server.assert_no_panic();
}

#[test]
fn stdin_closed_after_shutdown_without_exit_exits_0() {
    // The protocol leaves this open; the server ends, and reports the shutdown it received.
    let mut server = started();
    let response = server.request("shutdown", Value::Null);
    assert!(response.get("error").is_none());
    server.close_stdin();
    assert_eq!(exit_code(&mut server), Some(0));
}

#[test]
fn stdin_closed_before_initialize_exits_1() {
    let mut server = Server::spawn(&[]);
    server.close_stdin();
    assert_eq!(exit_code(&mut server), Some(1));
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut server = Server::spawn(&[]);
    let response = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.note"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["error"]["code"], -32002, "{response}");
    server.initialize(capabilities(&[]), Value::Null);
    // A second initialize is an error, and the server carries on.
    let response = server.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(response.get("error").is_some(), "{response}");
    server.shutdown_and_exit();
    assert_eq!(exit_code(&mut server), Some(0));
}
