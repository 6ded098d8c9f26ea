//! The workspace model in the language server, end to end over stdio: the workspace folders are
//! indexed in the background (with `$/progress`), a fragment's unsaved buffer wins over the file
//! on disk, a change to a fragment re-checks every template that includes it (transitively), and
//! `noteplate.workspaceDiagnostics: "workspace"` reports the files that are not open (pulled with
//! `workspace/diagnostic`, or pushed). Files that must never hang or crash the index (a FIFO, a
//! symbolic link loop, a huge file, a file that is not UTF-8) sit in a workspace too.

mod lsp;

use std::path::Path;

use lsp::client::*;
use serde_json::{Value, json};

/// Needs the Response section, which its fragment gives.
const VISIT: &str = "---
codes: 97140
---
Date of service: {{date_of_service:date}}

## Medical necessity
Skilled care is needed for {{impairment}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}, {{minutes:minutes}} min

@include shared/response.note

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

const RESPONSE: &str = "## Response\nSee chart. ***\n";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A repository (configuration discovery stops at its root) holding `files`.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Starts the server on the folder `root` with `settings`, as a client that shows progress
/// (and, with `pull`, pulls diagnostics and answers refreshes); waits until the index is built.
fn start(root: &Path, settings: Value, pull: bool) -> Server {
    let mut server = Server::spawn(&[]);
    *server.configuration.lock().unwrap() = settings.clone();
    let mut caps = capabilities(&["utf-8"]);
    caps["window"]["workDoneProgress"] = json!(true);
    if pull {
        caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
        caps["workspace"] = json!({"diagnostics": {"refreshSupport": true}});
    }
    let result = server.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "templates"}],
            "capabilities": caps,
            "initializationOptions": settings,
        }),
    );
    server.encoding = match result["capabilities"]["positionEncoding"].as_str() {
        Some("utf-8") => Encoding::Utf8,
        _ => Encoding::Utf16,
    };
    server.initialize_result = result;
    server.notify("initialized", json!({}));
    server.expect("the end of the indexing progress", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    server
}

fn published(server: &mut Server, uri: &str, what: &str, wanted: impl Fn(&[String]) -> bool) {
    server.expect(what, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && wanted(&rule_ids(&m["params"]["diagnostics"]))
    });
}

/// Renames the open fragment's `## Response` heading to `## {title}`, unsaved.
fn retitle_response(server: &mut Server, doc: &mut Doc, title: &str) {
    let heading = doc.find("Response");
    let change = doc.edit(heading, heading + "Response".len(), title);
    doc.version += 1;
    server.did_change(doc, vec![change]);
}

fn has(rules: &[String], rule: &str) -> bool {
    rules.iter().any(|r| r == rule)
}

#[test]
fn an_unsaved_fragment_edit_changes_its_includers_findings() {
    let dir = workspace(&[("visit.note", VISIT), ("shared/response.note", RESPONSE)]);
    let root = dir.path();
    let mut server = start(root, json!({"debounceMs": 0}), false);
    let visit = uri(&root.join("visit.note"));
    server.open(&Doc::new(&visit, VISIT, server.encoding));
    let first = server.diagnostics(&visit, Some(1));
    assert!(
        !has(&rule_ids(&first["diagnostics"]), "missing-response"),
        "{first:#}"
    );

    // The fragment is opened and its heading changed, not saved.
    let fragment = uri(&root.join("shared/response.note"));
    let mut doc = Doc::new(&fragment, RESPONSE, server.encoding);
    server.open(&doc);
    retitle_response(&mut server, &mut doc, "Notes");
    published(
        &mut server,
        &visit,
        "the includer re-checked with the unsaved fragment",
        |rules| has(rules, "missing-response"),
    );

    // Undone in the buffer: the includer is clean again (still nothing saved).
    let heading = doc.find("Notes");
    let change = doc.edit(heading, heading + "Notes".len(), "Response");
    doc.version += 1;
    server.did_change(&doc, vec![change]);
    published(&mut server, &visit, "the includer clean again", |rules| {
        !has(rules, "missing-response")
    });

    // Closing the fragment with unsaved edits: the includer reads the disk again.
    retitle_response(&mut server, &mut doc, "Plan");
    published(
        &mut server,
        &visit,
        "the includer with the edited buffer",
        |rules| has(rules, "missing-response"),
    );
    server.close(&fragment);
    published(
        &mut server,
        &visit,
        "the includer with the fragment on disk",
        |rules| !has(rules, "missing-response"),
    );
    server.shutdown_and_exit();
    server.assert_no_panic();
}

#[test]
fn a_fragment_changed_on_disk_rechecks_includers_through_other_fragments() {
    let visit_text = VISIT.replace("shared/response.note", "shared/outer.note");
    let dir = workspace(&[
        ("visit.note", &visit_text),
        (
            "shared/outer.note",
            "<!-- shared blocks -->\n@include inner.note\n",
        ),
        ("shared/inner.note", RESPONSE),
    ]);
    let root = dir.path();
    let mut server = start(root, json!({"debounceMs": 0}), false);
    let visit = uri(&root.join("visit.note"));
    server.open(&Doc::new(&visit, &visit_text, server.encoding));
    let first = server.diagnostics(&visit, Some(1));
    assert!(
        !has(&rule_ids(&first["diagnostics"]), "missing-response"),
        "{first:#}"
    );

    // The inner fragment (neither it nor the one between is open) changes on disk.
    let inner = root.join("shared/inner.note");
    std::fs::write(&inner, "## Notes\nSee chart.\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&inner), "type": 2}]}),
    );
    published(
        &mut server,
        &visit,
        "the includer re-checked through outer.note",
        |rules| has(rules, "missing-response"),
    );
    server.shutdown_and_exit();
    server.assert_no_panic();
}

/// (uri, kind, resultId, rule ids) of each report of a `workspace/diagnostic` result.
fn reports(result: &Value) -> Vec<(String, String, String, Vec<String>)> {
    let mut reports: Vec<_> = result["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["uri"].as_str().unwrap().to_string(),
                item["kind"].as_str().unwrap().to_string(),
                item["resultId"].as_str().unwrap_or_default().to_string(),
                match &item["items"] {
                    Value::Null => Vec::new(),
                    items => rule_ids(items),
                },
            )
        })
        .collect();
    reports.sort();
    reports
}

#[test]
fn workspace_diagnostics_are_pulled_with_stable_result_ids() {
    let dir = workspace(&[
        ("a.note", VISIT),
        ("b.note", VISIT),
        ("open.note", VISIT),
        ("shared/response.note", RESPONSE),
    ]);
    let root = dir.path();
    let mut server = start(root, json!({"workspaceDiagnostics": "workspace"}), true);
    let caps = &server.initialize_result["capabilities"]["diagnosticProvider"];
    assert_eq!(caps["workspaceDiagnostics"], true, "{caps}");
    assert_eq!(caps["interFileDependencies"], true, "{caps}");
    let open = uri(&root.join("open.note"));
    server.open(&Doc::new(&open, VISIT, server.encoding));

    let first = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    let first = reports(&first);
    let (a, b, fragment) = (
        uri(&root.join("a.note")),
        uri(&root.join("b.note")),
        uri(&root.join("shared/response.note")),
    );
    // The closed files, fully; the open one comes from textDocument/diagnostic.
    let uris: Vec<&str> = first.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        uris,
        [a.as_str(), b.as_str(), fragment.as_str()],
        "{first:#?}"
    );
    assert!(
        first.iter().all(|r| r.1 == "full" && !r.2.is_empty()),
        "{first:#?}"
    );
    assert!(!has(&first[0].3, "missing-response"), "{first:#?}");

    // b.note changes on disk (no watcher event: the pull re-stats), a.note does not.
    std::fs::write(
        root.join("b.note"),
        VISIT.replace("@include shared/response.note\n", ""),
    )
    .unwrap();
    let previous: Vec<Value> = first
        .iter()
        .map(|r| json!({"uri": r.0, "value": r.2}))
        .collect();
    let second = server.result(
        "workspace/diagnostic",
        json!({"previousResultIds": previous}),
    );
    let second = reports(&second);
    assert_eq!(second[0].0, a);
    assert_eq!(second[0].1, "unchanged", "{second:#?}");
    assert_eq!(
        second[0].2, first[0].2,
        "the same result id while unchanged"
    );
    assert_eq!(second[1].0, b);
    assert_eq!(second[1].1, "full", "{second:#?}");
    assert_ne!(second[1].2, first[1].2, "a new result id for new findings");
    assert!(has(&second[1].3, "missing-response"), "{second:#?}");
    assert_eq!(second[2].1, "unchanged", "{second:#?}");

    // Back to open files only: nothing is reported for the workspace.
    *server.configuration.lock().unwrap() = json!({"workspaceDiagnostics": "openFiles"});
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"noteplate": {"workspaceDiagnostics": "openFiles"}}}),
    );
    let third = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    assert_eq!(third["items"], json!([]), "{third:#}");
    server.shutdown_and_exit();
    server.assert_no_panic();
}

/// How many `workspace/diagnostic/refresh` requests arrive until `what` does, and within a
/// short wait after it.
fn refreshes_until(server: &mut Server, what: &str, until: impl Fn(&Value) -> bool) -> usize {
    let is_refresh = |m: &Value| m["method"] == "workspace/diagnostic/refresh";
    let mut count = 0;
    loop {
        let message = server.expect(what, |m| is_refresh(m) || until(m));
        if is_refresh(&message) {
            count += 1;
        }
        if until(&message) {
            break;
        }
    }
    count
        + server
            .drain(std::time::Duration::from_millis(500))
            .iter()
            .filter(|m| is_refresh(m))
            .count()
}

#[test]
fn pull_clients_are_asked_to_pull_again_only_when_a_dependents_findings_changed() {
    let dir = workspace(&[
        ("visit.note", VISIT),
        ("open.note", VISIT),
        ("shared/response.note", RESPONSE),
    ]);
    let root = dir.path();
    let settings = json!({"debounceMs": 0, "workspaceDiagnostics": "workspace"});
    let mut server = start(root, settings, true);
    let open = uri(&root.join("open.note"));
    server.open(&Doc::new(&open, VISIT, server.encoding));
    let fragment = uri(&root.join("shared/response.note"));
    let mut doc = Doc::new(&fragment, RESPONSE, server.encoding);
    server.open(&doc);
    let first = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(!has(&reports(&first)[0].3, "missing-response"), "{first:#}");
    let pulled = server.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": open}}),
    );
    assert!(
        !has(&rule_ids(&pulled["items"]), "missing-response"),
        "{pulled:#}"
    );
    server.drain(std::time::Duration::from_millis(300));

    // Keystrokes in the fragment's text that change no includer's findings: no refresh, only
    // the reply to a request sent after them (the pull the client makes anyway).
    for typed in ["S", "o", " "] {
        let at = doc.find("chart");
        let change = doc.edit(at, at, typed);
        doc.version += 1;
        server.did_change(&doc, vec![change]);
    }
    let id = server.send_request(
        "textDocument/diagnostic",
        Some(json!({"textDocument": {"uri": open}})),
    );
    let quiet = refreshes_until(&mut server, "the pull's reply", |m| m["id"] == id);
    assert_eq!(quiet, 0, "a refresh for edits that changed no findings");

    // The heading renamed: the includers (open and closed) lose their Response section, once.
    retitle_response(&mut server, &mut doc, "Notes");
    let refreshed = refreshes_until(&mut server, "a refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    assert_eq!(refreshed, 1, "one refresh for one change of findings");
    let pulled = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(
        has(&reports(&pulled)[0].3, "missing-response"),
        "{pulled:#}"
    );
    server.shutdown_and_exit();
    server.assert_no_panic();

    // A client that pulls but declared no refresh support is never sent one.
    let mut server = Server::spawn(&[]);
    let mut caps = capabilities(&["utf-8"]);
    caps["window"]["workDoneProgress"] = json!(true);
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    server.result(
        "initialize",
        json!({
            "processId": null,
            "workspaceFolders": [{"uri": uri(root), "name": "templates"}],
            "capabilities": caps,
            "initializationOptions": {"debounceMs": 0, "diagnosticMode": "pull",
                                      "workspaceDiagnostics": "workspace"},
        }),
    );
    server.notify("initialized", json!({}));
    server.expect("the end of the indexing progress", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let mut doc = Doc::new(&fragment, RESPONSE, server.encoding);
    server.open(&doc);
    retitle_response(&mut server, &mut doc, "Notes");
    let id = server.send_request(
        "workspace/diagnostic",
        Some(json!({"previousResultIds": []})),
    );
    let none = refreshes_until(&mut server, "the pull's reply", |m| m["id"] == id);
    assert_eq!(none, 0, "a refresh to a client without refreshSupport");
    server.shutdown_and_exit();
    server.assert_no_panic();
}

#[test]
fn files_that_are_not_open_get_pushed_diagnostics_and_are_published_again_after_a_fragment_change()
{
    let broken = VISIT.replace("@include shared/response.note\n", "");
    let dir = workspace(&[
        ("visit.note", VISIT),
        ("other.note", VISIT),
        ("broken.note", &broken),
        ("shared/response.note", RESPONSE),
    ]);
    let root = dir.path();
    let mut server = start(
        root,
        json!({"workspaceDiagnostics": "workspace", "debounceMs": 0}),
        false,
    );
    let visit = uri(&root.join("visit.note"));
    // Published without a version (not open), with what the file on disk gives; clean files
    // that never had findings are not published.
    let broken_uri = uri(&root.join("broken.note"));
    let first = server.expect("pushed findings for a file that is not open", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == broken_uri
    });
    assert_eq!(first["params"].get("version"), None, "{first:#}");
    assert!(has(
        &rule_ids(&first["params"]["diagnostics"]),
        "missing-response"
    ));

    let fragment = root.join("shared/response.note");
    std::fs::write(&fragment, "## Notes\nSee chart.\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&fragment), "type": 2}]}),
    );
    published(
        &mut server,
        &visit,
        "the closed includer published again",
        |rules| has(rules, "missing-response"),
    );
    published(
        &mut server,
        &uri(&root.join("other.note")),
        "the other includer too",
        |rules| has(rules, "missing-response"),
    );

    // Closing a document publishes what its file on disk gives.
    let other = uri(&root.join("other.note"));
    let edited = VISIT.replace("## Signature", "## Sign");
    server.open(&Doc::new(&other, &edited, server.encoding));
    server.diagnostics(&other, Some(1));
    server.close(&other);
    published(
        &mut server,
        &other,
        "the closed file's findings from disk",
        |rules| has(rules, "missing-response"),
    );
    server.shutdown_and_exit();
    server.assert_no_panic();
}

#[cfg(unix)]
#[test]
fn a_fifo_a_link_loop_a_huge_file_and_bytes_that_are_not_utf8_neither_hang_nor_crash_the_index() {
    let dir = workspace(&[
        ("noteplate.toml", "max-file-size = 4000\n"),
        ("good.note", VISIT),
        ("shared/response.note", RESPONSE),
    ]);
    let root = dir.path();
    let status = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.note"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    std::os::unix::fs::symlink(root, root.join("shared/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("loop.note"), root.join("loop.note")).ok();
    std::fs::write(root.join("huge.note"), "## Response\n".repeat(1000)).unwrap();
    std::fs::write(root.join("latin1.note"), b"## R\xe9ponse\n").unwrap();

    let mut server = start(root, json!({"workspaceDiagnostics": "workspace"}), true);
    let result = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    let uris: Vec<String> = reports(&result).into_iter().map(|r| r.0).collect();
    assert_eq!(
        uris,
        [
            uri(&root.join("good.note")),
            uri(&root.join("shared/response.note"))
        ],
        "{result:#}"
    );
    // Still answering.
    let doc = Doc::new(&uri(&root.join("good.note")), VISIT, server.encoding);
    server.open(&doc);
    let report = server.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    assert_eq!(report["kind"], "full", "{report:#}");
    server.shutdown_and_exit();
    server.assert_no_panic();
}
