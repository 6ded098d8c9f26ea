//! Cross-file navigation through the protocol (issue 11, item 3): references, document highlight,
//! prepareRename and rename of `{{field}}` names across the workspace (refused on a type
//! collision), references to a fragment and its "included by" code lens, `willRenameFiles`
//! rewriting `@include` paths, workspace symbols, and settings per workspace folder.

mod lsp;

use std::path::{Path, PathBuf};

use lsp::client::*;
use serde_json::{Value, json};

/// Non-ASCII text before the field on its line: positions must be counted in UTF-16.
const VISIT: &str = "---
template: Knee visit
codes: 97140-GP
---
## Response
😀 Pain °: {{pain:number}}/10, again {{ pain }} <!-- {{pain}} in a comment -->
Elsewhere: painful

@include shared/sig.note
";

const OTHER: &str = "## Response
Pain after: {{pain:number}} and {{score:minutes}}
";

const THIRD: &str = "## Plan
{{plan}}
@include ../shared/sig.note
";

const SIG: &str = "## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A repository with two templates mentioning `pain`, one in a subfolder, and a fragment two of
/// them include.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("visit.note"), VISIT).unwrap();
    std::fs::write(root.join("other.note"), OTHER).unwrap();
    std::fs::write(root.join("sub/third.note"), THIRD).unwrap();
    std::fs::write(root.join("shared/sig.note"), SIG).unwrap();
    (dir, root)
}

/// A server for the workspace folders `roots`, with `extra` client capabilities.
fn start(roots: &[&Path], extra: Value) -> Server {
    let mut server = Server::spawn(&[]);
    let folders: Vec<Value> = roots
        .iter()
        .map(|root| json!({"uri": uri(root), "name": root.file_name().unwrap().to_string_lossy()}))
        .collect();
    let result = server.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(roots[0]),
            "workspaceFolders": folders,
            "capabilities": merge(capabilities(&[]), extra),
            "initializationOptions": {"debounceMs": 0},
        }),
    );
    server.initialize_result = result;
    server.notify("initialized", json!({}));
    server
}

fn document_changes() -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true}}})
}

fn open(server: &mut Server, path: &Path, text: &str, version: i64) -> Doc {
    let mut doc = Doc::new(&uri(path), text, server.encoding);
    doc.version = version;
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(version));
    doc
}

fn at(doc: &Doc, needle: &str, delta: usize) -> Value {
    json!({"textDocument": doc.ident(), "position": doc.pos_at(needle, delta)})
}

/// (file name, text covered) of each location, sorted.
fn covered(locations: &Value, texts: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = locations
        .as_array()
        .expect("locations")
        .iter()
        .map(|location| {
            let location_uri = location["uri"].as_str().unwrap();
            let (name, text) = texts
                .iter()
                .find(|(name, _)| location_uri.ends_with(&format!("/{name}")))
                .unwrap_or_else(|| panic!("unexpected file {location_uri}"));
            let doc = Doc::new(location_uri, text, Encoding::Utf16);
            (
                name.to_string(),
                doc.text_of(&location["range"]).to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

const TEXTS: &[(&str, &str)] = &[
    ("visit.note", VISIT),
    ("other.note", OTHER),
    ("sub/third.note", THIRD),
    ("shared/sig.note", SIG),
];

#[test]
fn references_and_highlights_of_a_field_across_files_in_utf16() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({}));
    let visit = open(&mut server, &root.join("visit.note"), VISIT, 1);
    let request = |delta| {
        let mut params = at(&visit, "pain:number", delta);
        params["context"] = json!({"includeDeclaration": true});
        params
    };
    let found = server.result("textDocument/references", request(2));
    assert_eq!(
        covered(&found, TEXTS),
        [
            ("other.note".to_string(), "pain".to_string()),
            ("visit.note".to_string(), "pain".to_string()),
            ("visit.note".to_string(), "pain".to_string()),
        ],
        "{found:#}"
    );
    // Exact UTF-16 positions: the emoji counts two units, `°` one (2 + 1 + 4 + 1 + 1 + 1 + 1 + 2).
    let in_visit: Vec<&Value> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|location| location["uri"] == visit.uri)
        .map(|location| &location["range"])
        .collect();
    let start = visit.find("pain:number");
    assert_eq!(*in_visit[0], visit.range(start, start + 4));
    assert_eq!(in_visit[0]["start"], json!({"line": 5, "character": 13}));
    // On the type, on plain text: nothing.
    let on_type = server.result("textDocument/references", request(6));
    assert_eq!(on_type, Value::Null);
    let mut on_text = at(&visit, "painful", 1);
    on_text["context"] = json!({"includeDeclaration": true});
    assert_eq!(
        server.result("textDocument/references", on_text),
        Value::Null
    );

    let highlights = server.result("textDocument/documentHighlight", at(&visit, "pain }}", 0));
    let ranges: Vec<&str> = highlights
        .as_array()
        .unwrap()
        .iter()
        .map(|highlight| visit.text_of(&highlight["range"]))
        .collect();
    assert_eq!(ranges, ["pain", "pain"], "{highlights:#}");
    assert_eq!(
        server.result("textDocument/documentHighlight", at(&visit, "Elsewhere", 0)),
        Value::Null
    );
}

#[test]
fn rename_a_field_across_files_with_versions_keeping_types() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], document_changes());
    let mut visit = open(&mut server, &root.join("visit.note"), VISIT, 7);

    let prepared = server.result("textDocument/prepareRename", at(&visit, "pain }}", 2));
    assert_eq!(prepared["placeholder"], "pain");
    assert_eq!(visit.text_of(&prepared["range"]), "pain");
    assert_eq!(
        server.result("textDocument/prepareRename", at(&visit, "Elsewhere", 2)),
        Value::Null
    );

    let mut params = at(&visit, "pain:number", 0);
    params["newName"] = json!("pain_level");
    let edit = server.result("textDocument/rename", params);
    assert!(edit.get("changes").is_none(), "{edit:#}");
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    assert_eq!(changes.len(), 2, "{edit:#}");
    for change in changes {
        let target = change["textDocument"]["uri"].as_str().unwrap();
        let edits = change["edits"].as_array().unwrap();
        if target == visit.uri {
            // Open: the version the edit was computed for.
            assert_eq!(change["textDocument"]["version"], 7);
            visit.apply(edits);
        } else {
            assert!(target.ends_with("/other.note"), "{target}");
            assert_eq!(change["textDocument"]["version"], Value::Null);
            let other = apply_edits(OTHER, edits, server.encoding);
            assert_eq!(
                other,
                "## Response\nPain after: {{pain_level:number}} and {{score:minutes}}\n"
            );
        }
    }
    assert!(
        visit
            .text
            .contains("😀 Pain °: {{pain_level:number}}/10, again {{ pain_level }}"),
        "{}",
        visit.text
    );
    // The comment is not a field.
    assert!(visit.text.contains("<!-- {{pain}} in a comment -->"));
    server.shutdown_and_exit();
}

#[test]
fn rename_is_refused_on_a_type_collision_or_a_bad_name_and_falls_back_to_changes() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({}));
    let visit = open(&mut server, &root.join("visit.note"), VISIT, 1);

    let mut params = at(&visit, "pain:number", 0);
    params["newName"] = json!("score");
    let refused = server.request("textDocument/rename", params.clone());
    let error = &refused["error"];
    assert_eq!(error["code"], -32803, "{refused:#}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("other.note")
            && message.contains("`minutes`")
            && message.contains("`number`"),
        "{message}"
    );

    params["newName"] = json!("9 lives");
    let refused = server.request("textDocument/rename", params.clone());
    assert_eq!(refused["error"]["code"], -32602, "{refused:#}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a field name"),
        "{refused:#}"
    );

    // Without documentChanges support: `changes`, keyed by URI.
    params["newName"] = json!("pain2");
    let edit = server.result("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 2, "{edit:#}");
    assert_eq!(changes[&visit.uri].as_array().unwrap().len(), 2);

    // Not on a field: nothing to rename.
    let mut elsewhere = at(&visit, "Elsewhere", 0);
    elsewhere["newName"] = json!("x");
    assert_eq!(server.result("textDocument/rename", elsewhere), Value::Null);
}

/// The `@include`s of `shared/sig.note` in the workspace: (file, path text).
fn sig_includers() -> [(String, String); 2] {
    [
        ("sub/third.note".into(), "../shared/sig.note".into()),
        ("visit.note".into(), "shared/sig.note".into()),
    ]
}

#[test]
fn references_and_lens_for_a_fragment() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({}));
    let visit = open(&mut server, &root.join("visit.note"), VISIT, 1);
    let mut params = at(&visit, "shared/sig.note", 3);
    params["context"] = json!({"includeDeclaration": true});
    let found = server.result("textDocument/references", params);
    let expected = sig_includers();
    assert_eq!(covered(&found, TEXTS), expected, "{found:#}");

    let sig = open(&mut server, &root.join("shared/sig.note"), SIG, 1);
    let mut params = at(&sig, "Signature", 2);
    params["context"] = json!({"includeDeclaration": true});
    let from_fragment = server.result("textDocument/references", params);
    assert_eq!(covered(&from_fragment, TEXTS), expected);

    let lenses = server.result(
        "textDocument/codeLens",
        json!({"textDocument": sig.ident()}),
    );
    let lenses = lenses.as_array().expect("lenses");
    assert_eq!(lenses.len(), 1, "{lenses:#?}");
    let command = &lenses[0]["command"];
    assert_eq!(command["title"], "included by 2 templates");
    assert_eq!(command["command"], "noteplate.showReferences");
    assert_eq!(command["arguments"][0], sig.uri);
    assert_eq!(command["arguments"][1], json!({"line": 0, "character": 0}));
    assert_eq!(covered(&command["arguments"][2], TEXTS), expected);
    // A template of its own gets no lens.
    let none = server.result(
        "textDocument/codeLens",
        json!({"textDocument": visit.ident()}),
    );
    assert_eq!(none, Value::Null);
}

/// Once the workspace index is built, references to a fragment parse only the includers its
/// include graph names: the same answer as the walk before it (and no lock held twice).
#[test]
fn references_to_a_fragment_after_indexing_come_from_the_include_graph() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({"window": {"workDoneProgress": true}}));
    server.expect("the end of the indexing progress", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let sig = open(&mut server, &root.join("shared/sig.note"), SIG, 1);
    let mut params = at(&sig, "Signature", 2);
    params["context"] = json!({"includeDeclaration": true});
    let found = server.result("textDocument/references", params);
    let expected = sig_includers();
    assert_eq!(covered(&found, TEXTS), expected, "{found:#}");
    let lenses = server.result(
        "textDocument/codeLens",
        json!({"textDocument": sig.ident()}),
    );
    assert_eq!(lenses[0]["command"]["title"], "included by 2 templates");
}

#[test]
fn will_rename_files_rewrites_include_paths() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({}));
    let advertised = &server.initialize_result["capabilities"]["workspace"]["fileOperations"]["willRename"]
        ["filters"];
    assert_eq!(
        advertised[0]["pattern"]["glob"], "**/*.note",
        "{advertised:#}"
    );
    assert_eq!(advertised[1]["pattern"]["matches"], "folder");

    // A folder: every include into it.
    let edit = server.result(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&root.join("shared")), "newUri": uri(&root.join("common"))}]}),
    );
    let changes = edit["changes"].as_object().expect("changes");
    let rewritten = |name: &str, text: &str| {
        let edits = changes[&uri(&root.join(name))].as_array().unwrap().clone();
        apply_edits(text, &edits, Encoding::Utf16)
    };
    assert_eq!(changes.len(), 2, "{edit:#}");
    assert!(rewritten("visit.note", VISIT).contains("\n@include common/sig.note\n"));
    assert!(rewritten("sub/third.note", THIRD).contains("\n@include ../common/sig.note\n"));

    // The fragment itself, into a new folder.
    let edit = server.result(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&root.join("shared/sig.note")), "newUri": uri(&root.join("sub/signature.note"))}]}),
    );
    let changes = edit["changes"].as_object().expect("changes");
    let edits = changes[&uri(&root.join("sub/third.note"))]
        .as_array()
        .unwrap()
        .clone();
    assert!(apply_edits(THIRD, &edits, Encoding::Utf16).contains("\n@include signature.note\n"));
    let edits = changes[&uri(&root.join("visit.note"))]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        apply_edits(VISIT, &edits, Encoding::Utf16).contains("\n@include sub/signature.note\n")
    );

    // An includer moving: its relative path changes, the fragment stays.
    let edit = server.result(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&root.join("sub/third.note")), "newUri": uri(&root.join("third.note"))}]}),
    );
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 1, "{edit:#}");
    let edits = changes[&uri(&root.join("sub/third.note"))]
        .as_array()
        .unwrap()
        .clone();
    assert!(apply_edits(THIRD, &edits, Encoding::Utf16).contains("\n@include shared/sig.note\n"));

    // A file nobody includes: nothing to do.
    let edit = server.result(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&root.join("other.note")), "newUri": uri(&root.join("renamed.note"))}]}),
    );
    assert_eq!(edit, Value::Null);
}

#[test]
fn workspace_symbols_find_templates_sections_and_fields() {
    let (_dir, root) = workspace();
    let mut server = start(&[&root], json!({}));
    let symbols = server.result("workspace/symbol", json!({"query": "kneevis"}));
    let symbols = symbols.as_array().unwrap();
    assert_eq!(symbols.len(), 1, "{symbols:#?}");
    assert_eq!(symbols[0]["name"], "Knee visit");
    assert_eq!(symbols[0]["kind"], 1); // File

    let fields = server.result("workspace/symbol", json!({"query": "PAIN"}));
    let mut found: Vec<(String, String)> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| {
            (
                symbol["location"]["uri"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                symbol["containerName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("other.note".to_string(), "other.note · number".to_string()),
            ("visit.note".to_string(), "Knee visit · number".to_string()),
        ]
    );
    let sections = server.result("workspace/symbol", json!({"query": "signat"}));
    let section = sections
        .as_array()
        .unwrap()
        .iter()
        .find(|symbol| symbol["kind"] == 3)
        .expect("the Signature section");
    assert_eq!(section["name"], "Signature");
    assert_eq!(section["containerName"], "sig.note · signature");
    let all = server.result("workspace/symbol", json!({"query": ""}));
    assert!(all.as_array().unwrap().len() >= 10, "{all:#}");
}

#[test]
fn each_workspace_folder_uses_its_own_settings() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let base = dir.path().canonicalize().unwrap();
    let (a, b) = (base.join("a"), base.join("b"));
    for folder in [&a, &b] {
        std::fs::create_dir_all(folder.join(".git")).unwrap();
    }
    let text = "---\ntemplate: Daily note\n---\n## Plan\nContinue.\n";
    let mut server = Server::spawn(&[]);
    server.scoped_configuration.lock().unwrap().insert(
        uri(&b),
        json!({"disabledRules": ["missing-signature"], "payer": "medicre", "debounceMs": 0}),
    );
    *server.configuration.lock().unwrap() = json!({"debounceMs": 0});
    let result = server.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "workspaceFolders": [{"uri": uri(&a), "name": "a"}, {"uri": uri(&b), "name": "b"}],
            "capabilities": merge(capabilities(&[]), json!({"workspace": {"configuration": true}})),
        }),
    );
    server.initialize_result = result;
    server.notify("initialized", json!({}));
    let asked = server.server_request("workspace/configuration");
    let scopes: Vec<&Value> = asked["params"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["scopeUri"])
        .collect();
    assert_eq!(scopes, [&Value::Null, &json!(uri(&a)), &json!(uri(&b))]);
    // The invalid setting of folder b is reported, naming the folder.
    let warning = server.expect("a warning about folder b's payer", |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"].as_str().is_some_and(|text| {
                text.contains("medicre") && text.contains(&b.display().to_string())
            })
    });
    assert_eq!(warning["params"]["type"], 2);

    for folder in [&a, &b] {
        std::fs::write(folder.join("note.note"), text).unwrap();
        let doc = Doc::new(&uri(&folder.join("note.note")), text, server.encoding);
        server.open(&doc);
    }
    let signature_flagged = |server: &mut Server, folder: &Path, wanted: bool| {
        let target = uri(&folder.join("note.note"));
        server.expect(
            &format!("diagnostics for {target} with missing-signature {wanted}"),
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == target
                    && rule_ids(&m["params"]["diagnostics"])
                        .contains(&"missing-signature".to_string())
                        == wanted
            },
        );
    };
    signature_flagged(&mut server, &a, true);
    signature_flagged(&mut server, &b, false);
}
