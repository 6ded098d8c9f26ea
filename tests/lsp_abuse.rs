//! Protocol abuse: the attacks of issue 14 replayed against the real binary over stdio. Broken
//! framing (an invalid byte in a header line, a wrong or missing `Content-Length`, a header line
//! hundreds of megabytes long, a body over the limit) is answered with `-32700` and the server
//! resynchronises on the next header; `$/` requests get `-32601`; a lone surrogate in an edit
//! does not desynchronise the document; `max-file-size` applies to open documents; `@include` is
//! read only for `file:` documents, and links and definitions only point at includes the server
//! accepted; huge `debounceMs` values are clamped and bad settings are named. Every wait has a
//! deadline (`lsp::client::TIMEOUT` or shorter).

mod lsp;

use std::time::Duration;

use lsp::client::*;
use serde_json::{Value, json};

const URI: &str = "file:///abuse/a.note";
const TEXT: &str = "## Technique\n- 45° 😀 myofascial release\n";

fn started() -> (Server, Doc) {
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEXT, server.encoding);
    server.open(&doc);
    server.diagnostics(URI, Some(1));
    (server, doc)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn request_bytes(id: i64) -> Vec<u8> {
    frame(
        json!({"jsonrpc": "2.0", "id": id, "method": "noteplate/documentText",
               "params": {"textDocument": {"uri": URI}}})
        .to_string()
        .as_bytes(),
    )
}

/// Sends `garbage` immediately followed by a valid request with `id`; the request must be
/// answered, and the garbage must have been answered with a `-32700` (id null).
fn survives(server: &mut Server, what: &str, garbage: &[u8], id: i64) {
    let mut bytes = garbage.to_vec();
    bytes.extend_from_slice(&request_bytes(id));
    assert!(
        server.send_raw(&bytes),
        "{what}: the server closed its input"
    );
    let response = server.expect(&format!("the answer after {what}"), |m| {
        m.get("method").is_none() && m["id"] == id
    });
    assert_eq!(response["result"]["text"], TEXT, "{what}: {response}");
    let error = server.expect(&format!("a parse error for {what}"), |m| {
        m.get("method").is_none() && m["id"].is_null() && m["error"]["code"] == -32700
    });
    assert!(error["error"]["message"].is_string(), "{what}: {error}");
}

#[test]
fn an_invalid_byte_in_a_header_line_is_answered_and_skipped() {
    let (mut server, _doc) = started();
    survives(
        &mut server,
        "an invalid byte",
        b"Content-Type: \xff\r\n",
        9001,
    );
    survives(&mut server, "a lone invalid byte line", b"\xfe\r\n", 9002);
    survives(
        &mut server,
        "an invalid byte after the length",
        b"Content-Length: 9\r\nX: \xff\r\n\r\n{\"id\": 1}",
        9003,
    );
    server.assert_no_panic();
    server.shutdown_and_exit();
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));
}

#[test]
fn a_wrong_or_missing_content_length_costs_only_that_frame() {
    let (mut server, _doc) = started();
    let body = br#"{"jsonrpc":"2.0","id":77,"method":"shutdown"}"#;
    // Too small: the rest of the body runs into the next header.
    let mut short = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    short.extend_from_slice(body);
    survives(&mut server, "a length too small", &short, 9101);
    // Too large: the body swallows the start of the next frame.
    let mut long = format!("Content-Length: {}\r\n\r\n", body.len() + 25).into_bytes();
    long.extend_from_slice(body);
    survives(&mut server, "a length too large", &long, 9102);
    // Missing, with a body.
    let mut missing = b"Content-Type: application/vscode-jsonrpc\r\n\r\n".to_vec();
    missing.extend_from_slice(body);
    survives(&mut server, "a missing length", &missing, 9103);
    // Not a number, and absurdly large.
    survives(
        &mut server,
        "a length that is not a number",
        b"Content-Length: -5\r\n\r\n{}",
        9104,
    );
    survives(
        &mut server,
        "a huge length",
        b"Content-Length: 18446744073709551615\r\n\r\n{}",
        9105,
    );
    // A body above the limit is refused without being buffered, then the next frame is read.
    let mut over = format!("Content-Length: {}\r\n\r\n", 64 * 1024 * 1024 + 1).into_bytes();
    over.extend(std::iter::repeat_n(b' ', 1024));
    survives(&mut server, "a body over the limit", &over, 9106);
    // The request inside the broken frames was never run.
    let response = server.request(
        "noteplate/documentText",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    server.assert_no_panic();
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_huge_header_line_is_not_buffered() {
    let (mut server, _doc) = started();
    // 64 MB with no line break, written from a thread (the pipe fills up), then a valid request.
    let line = {
        let mut line = b"X-Long: ".to_vec();
        line.extend(std::iter::repeat_n(b'a', 64 * 1024 * 1024));
        line
    };
    let before = vm_hwm_kib(server.pid());
    survives(&mut server, "a 64 MB header line", &line, 9201);
    if let (Some(before), Some(after)) = (before, vm_hwm_kib(server.pid())) {
        assert!(
            after < before + 16 * 1024,
            "peak memory grew from {before} KiB to {after} KiB: the line was buffered"
        );
    }
    server.assert_no_panic();
}

#[test]
fn dollar_requests_get_method_not_found_and_dollar_notifications_are_ignored() {
    let (mut server, doc) = started();
    let response = server.request("$/noSuchRequest", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let id = server.send_request("$/cancelRequest", Some(json!({"id": 1})));
    let response = server.response(id);
    assert_eq!(response["error"]["code"], -32601, "{response}");
    server.notify("$/setTrace", json!({"value": "off"}));
    server.notify("$/noSuchNotification", json!({}));
    assert_eq!(server.document_text(URI), (doc.version, doc.text.clone()));
    server.assert_no_panic();
}

/// A `didChange` written by hand, so the text can hold a lone surrogate escape.
fn raw_change(uri: &str, version: i64, line: u32, character: u32, escaped_text: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":{version}}},"contentChanges":[{{"range":{{"start":{{"line":{line},"character":{character}}},"end":{{"line":{line},"character":{character}}}}},"text":"{escaped_text}"}}]}}}}"#
    );
    frame(body.as_bytes())
}

#[test]
fn a_lone_surrogate_in_an_edit_becomes_u_fffd_and_later_edits_stay_in_place() {
    for encodings in [&[][..], &["utf-8"][..]] {
        let mut server = Server::spawn(&[]);
        server.initialize(capabilities(encodings), json!({"debounceMs": 0}));
        let uri = "file:///abuse/surrogate.note";
        let mut doc = Doc::new(uri, "abc\nxyz\n", server.encoding);
        server.open(&doc);
        // The client inserts a lone high surrogate after `a` (one UTF-16 unit; three bytes in
        // the WTF-8 a UTF-8 client would count), then `Z` after `b` and `!` after `x`.
        server.send_raw(&raw_change(uri, 2, 0, 1, "\\ud800"));
        let after_b = if server.encoding == Encoding::Utf8 {
            5
        } else {
            3
        };
        server.send_raw(&raw_change(uri, 3, 0, after_b, "Z"));
        server.send_raw(&raw_change(uri, 4, 1, 1, "!"));
        // And a lone low surrogate with a real pair beside it.
        server.send_raw(&raw_change(uri, 5, 1, 0, "\\udc00\\ud83d\\ude00"));
        doc.text = "a\u{FFFD}bZc\n\u{FFFD}😀x!yz\n".to_string();
        doc.version = 5;
        assert_eq!(
            server.document_text(uri),
            (doc.version, doc.text.clone()),
            "{encodings:?}\nstderr:\n{}",
            server.stderr()
        );
        // Nothing was answered with a parse error.
        let errors: Vec<Value> = server
            .drain(Duration::from_millis(200))
            .into_iter()
            .filter(|m| m.get("error").is_some())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        server.assert_no_panic();
    }
}

fn rules(published: &Value) -> Vec<String> {
    rule_ids(&published["diagnostics"])
}

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn max_file_size_applies_to_open_documents() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("noteplate.toml"), "max-file-size = 200\n").unwrap();
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    let small_uri = file_uri(&dir.path().join("small.note"));
    let big_uri = file_uri(&dir.path().join("big.note"));
    let small = Doc::new(
        &small_uri,
        "## Technique\n- {{minutes:minutes}} myofascial release\n",
        server.encoding,
    );
    let big_text = format!(
        "## Technique\n- myofascial release\n{}\n",
        "- {{x}} ***\n".repeat(20)
    );
    assert!(big_text.len() > 200 && big_text.len() < 400);
    let mut big = Doc::new(&big_uri, &big_text, server.encoding);
    server.open(&small);
    server.open(&big);
    let published = server.diagnostics(&small_uri, Some(1));
    assert!(
        !rules(&published).contains(&"file-too-large".to_string()),
        "{published}"
    );
    let published = server.diagnostics(&big_uri, Some(1));
    assert_eq!(rules(&published), ["file-too-large"], "{published}");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("200"), "{message}");
    // No analysis work for it: no tokens, symbols, folds, hovers or completions.
    let tokens = server.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": big.ident()}),
    );
    assert!(
        tokens.is_null() || tokens["data"].as_array().is_some_and(Vec::is_empty),
        "{tokens}"
    );
    let symbols = server.result(
        "textDocument/documentSymbol",
        json!({"textDocument": big.ident()}),
    );
    assert!(
        symbols.is_null() || symbols.as_array().is_some_and(Vec::is_empty),
        "{symbols}"
    );
    let completion = server.result(
        "textDocument/completion",
        json!({"textDocument": big.ident(), "position": {"line": 1, "character": 2}}),
    );
    assert!(
        completion.is_null() || labels(&completion).is_empty(),
        "{completion}"
    );
    // Cut under the limit, it is analysed again.
    big.version += 1;
    server.did_change(
        &big,
        vec![json!({"text": "## Technique\n- myofascial release\n"})],
    );
    let published = server.diagnostics(&big_uri, Some(2));
    assert!(
        !rules(&published).contains(&"file-too-large".to_string()),
        "{published}"
    );
    server.assert_no_panic();
}

#[test]
fn includes_are_not_read_for_documents_that_are_not_files() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("frag.note"),
        "## Response\nTolerated well. ***\n",
    )
    .unwrap();
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    for uri in [
        "untitled:Untitled-1".to_string(),
        format!("untitled:{}/new.note", dir.path().display()),
        format!("vscode-vfs://github{}/new.note", dir.path().display()),
    ] {
        for include in [
            "/etc/passwd",
            "frag.note",
            &format!("{}/frag.note", dir.path().display()),
        ] {
            let doc = Doc::new(
                &uri,
                &format!("## Technique\n- myofascial release\n@include {include}\n"),
                server.encoding,
            );
            server.open(&doc);
            let published = server.diagnostics(&uri, Some(1));
            let found: Vec<&Value> = published["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["code"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("include-"))
                })
                .collect();
            assert_eq!(found.len(), 1, "{uri} {include}: {published}");
            assert_eq!(
                found[0]["code"], "include-not-found",
                "{uri} {include}: {published}"
            );
            let message = found[0]["message"].as_str().unwrap();
            assert!(message.contains("not a file"), "{uri} {include}: {message}");
            let links = server.result(
                "textDocument/documentLink",
                json!({"textDocument": doc.ident()}),
            );
            assert!(
                links.as_array().is_none_or(Vec::is_empty),
                "{uri} {include}: {links}"
            );
            let definition = server.result(
                "textDocument/definition",
                json!({"textDocument": doc.ident(), "position": doc.pos_at("@include", 10)}),
            );
            assert!(definition.is_null(), "{uri} {include}: {definition}");
            server.close(&uri);
        }
    }
    server.assert_no_panic();
}

#[test]
fn links_and_definitions_only_for_includes_the_server_accepted() {
    let outer = tempfile::tempdir().expect("temporary folder");
    let project = outer.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("noteplate.toml"), "").unwrap();
    std::fs::write(
        outer.path().join("outside.note"),
        "## Response\nTolerated.\n",
    )
    .unwrap();
    std::fs::write(project.join("inside.note"), "## Response\nTolerated.\n").unwrap();
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    let uri = file_uri(&project.join("visit.note"));
    let doc = Doc::new(
        &uri,
        "## Technique\n- myofascial release\n@include ../outside.note\n@include inside.note\n",
        server.encoding,
    );
    server.open(&doc);
    let published = server.diagnostics(&uri, Some(1));
    assert!(
        rules(&published).contains(&"include-outside-root".to_string()),
        "{published}"
    );
    let links = server.result(
        "textDocument/documentLink",
        json!({"textDocument": doc.ident()}),
    );
    let targets: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 1, "{links}");
    assert!(targets[0].ends_with("/project/inside.note"), "{links}");
    let definition = server.result(
        "textDocument/definition",
        json!({"textDocument": doc.ident(), "position": doc.pos_at("../outside", 3)}),
    );
    assert!(definition.is_null(), "{definition}");
    let definition = server.result(
        "textDocument/definition",
        json!({"textDocument": doc.ident(), "position": doc.pos_at("inside.note", 3)}),
    );
    assert!(
        definition["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/project/inside.note")),
        "{definition}"
    );
    server.assert_no_panic();
}

fn show_or_log(server: &mut Server, needle: &str) -> Value {
    server.expect(&format!("a warning naming {needle}"), |m| {
        (m["method"] == "window/showMessage" || m["method"] == "window/logMessage")
            && m["params"]["message"]
                .as_str()
                .is_some_and(|t| t.contains(needle))
    })
}

#[test]
fn huge_debounce_is_clamped_and_bad_initialization_options_are_named() {
    let mut server = Server::spawn(&[]);
    server.initialize(
        capabilities(&[]),
        json!({"debounceMs": 100_000_000_000u64, "payer": 5, "diagnosticMode": "sometimes"}),
    );
    show_or_log(&mut server, "debounceMs");
    show_or_log(&mut server, "`payer`");
    show_or_log(&mut server, "`diagnosticMode`");
    let doc = Doc::new(URI, TEXT, server.encoding);
    server.open(&doc);
    let published = server.recv_within(Duration::from_secs(10), |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == URI
    });
    assert!(
        published.is_some(),
        "no diagnostics within 10 s: the debounce was not clamped"
    );

    // Through pushed settings too.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"noteplate": {"debounceMs": 1e300, "disabledRules": "all"}}}),
    );
    show_or_log(&mut server, "`debounceMs`");
    show_or_log(&mut server, "`disabledRules`");
    server.assert_no_panic();
}
