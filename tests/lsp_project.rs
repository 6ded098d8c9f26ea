//! Project configuration through the language server: a `noteplate.toml` next to the template
//! applies (with the editor's settings on top), a file created or fixed later is picked up after
//! `workspace/didChangeWatchedFiles`, and a broken file is shown as a diagnostic in that file
//! while templates keep being checked.

mod lsp;

use std::path::Path;

use lsp::client::*;
use serde_json::{Value, json};

const TEMPLATE: &str = "---
template: Manual therapy follow-up
codes: 97140-GP
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|soft tissue mobilization} to {{region:region}}; pain {{pain:nubmer}}/10

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn has(published: &Value, rule: &str) -> bool {
    rule_ids(&published["diagnostics"])
        .iter()
        .any(|r| r == rule)
}

fn diagnostics_where(
    server: &mut Server,
    uri: &str,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    server.expect(what, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && wanted(&m["params"])
    })["params"]
        .clone()
}

fn watched_file_changed(server: &Server, path: &Path, kind: u8) {
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(path), "type": kind}]}),
    );
}

#[test]
fn a_project_file_applies_with_editor_settings_on_top() {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".git")).unwrap();
    std::fs::write(
        project.path().join("noteplate.toml"),
        "[rules]\ndisable = [\"missing-response\"]\n",
    )
    .unwrap();
    let template = project.path().join("visit.note");
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&uri(&template), TEMPLATE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(&doc.uri, Some(1));
    assert!(!has(&published, "missing-response"), "{published:#}");
    assert!(has(&published, "unknown-field-type"), "{published:#}");

    // The editor disables one more rule; the project's stays disabled.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"noteplate": {"debounceMs": 0, "disabledRules": ["unknown-field-type"]}}}),
    );
    let published = diagnostics_where(&mut server, &doc.uri, "without the editor's rule", |p| {
        !has(p, "unknown-field-type")
    });
    assert!(!has(&published, "missing-response"), "{published:#}");
    server.assert_no_panic();
}

/// A configuration file created after the template was first checked is used once the client
/// reports it, both inside a repository and in a folder with no repository above it.
#[test]
fn a_configuration_file_created_later_is_picked_up() {
    for in_repository in [true, false] {
        let project = tempfile::tempdir().unwrap();
        if in_repository {
            std::fs::create_dir(project.path().join(".git")).unwrap();
        }
        let template = project.path().join("visit.note");
        let mut server = Server::start(&[], json!({"debounceMs": 0}));
        let mut doc = Doc::new(&uri(&template), TEMPLATE, server.encoding);
        server.open(&doc);
        let published = server.diagnostics(&doc.uri, Some(1));
        assert!(has(&published, "missing-response"), "{published:#}");
        // A change re-analyses with the same (default) configuration.
        let at = doc.text.len();
        let change = doc.edit(at, at, "\n");
        doc.version += 1;
        server.did_change(&doc, vec![change]);
        assert!(has(
            &server.diagnostics(&doc.uri, Some(doc.version)),
            "missing-response"
        ));

        let config = project.path().join("noteplate.toml");
        std::fs::write(&config, "[rules]\ndisable = [\"missing-response\"]\n").unwrap();
        watched_file_changed(&server, &config, 1);
        diagnostics_where(&mut server, &doc.uri, "the project's rule off", |p| {
            !has(p, "missing-response")
        });

        std::fs::remove_file(&config).unwrap();
        watched_file_changed(&server, &config, 3);
        diagnostics_where(&mut server, &doc.uri, "the default again", |p| {
            has(p, "missing-response")
        });
        server.assert_no_panic();
    }
}

#[test]
fn a_broken_configuration_file_is_shown_in_that_file() {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".git")).unwrap();
    let config = project.path().join("noteplate.toml");
    std::fs::write(&config, "[rules]\ndisable = [\"missing-response\"]\n").unwrap();
    let template = project.path().join("visit.note");
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&uri(&template), TEMPLATE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(&doc.uri, Some(1));
    assert!(!has(&published, "missing-response"));

    // Half-typed: not TOML. The error is shown in the configuration file; the template keeps the
    // last configuration that loaded.
    std::fs::write(&config, "[rules\ndisable = [\"missing-response\"]\n").unwrap();
    watched_file_changed(&server, &config, 2);
    let shown = diagnostics_where(&mut server, &uri(&config), "the configuration error", |p| {
        !p["diagnostics"].as_array().unwrap().is_empty()
    });
    assert_eq!(shown["diagnostics"][0]["code"], "config-error", "{shown:#}");
    assert_eq!(
        shown["diagnostics"][0]["range"]["start"]["line"], 0,
        "{shown:#}"
    );
    let published = diagnostics_where(&mut server, &doc.uri, "re-analysis", |_| true);
    assert!(!has(&published, "missing-response"), "{published:#}");

    // Fixed: the error is cleared.
    std::fs::write(&config, "[rules]\ndisable = []\n").unwrap();
    watched_file_changed(&server, &config, 2);
    diagnostics_where(&mut server, &uri(&config), "the error cleared", |p| {
        p["diagnostics"] == json!([])
    });
    diagnostics_where(&mut server, &doc.uri, "missing-response back", |p| {
        has(p, "missing-response")
    });
    server.assert_no_panic();
}
