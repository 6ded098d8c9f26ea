//! Project features in the language server: the project's `noteplate.toml` (found from the
//! document's path, re-read on `workspace/didChangeWatchedFiles`, errors shown in the config file
//! while the last good configuration stays in use), "Disable RULE for this line/file" actions,
//! and `@include` navigation (definition and document links).

mod lsp;

use std::path::Path;

use lsp::client::*;
use serde_json::{Value, json};

const TEMPLATE: &str = "---
codes: 97140, 97110
---
## Medical necessity
Skilled care is needed for {{impairment}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}, {{minutes:minutes}} min

@include shared/response.note

Date of service: {{date_of_service:date}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(dir.path().join("shared")).unwrap();
    std::fs::write(
        dir.path().join("shared/response.note"),
        "## Response\nTolerated well. ***\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("visit.note"), TEMPLATE).unwrap();
    dir
}

fn published_for(
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

fn rules_of(published: &Value) -> Vec<String> {
    rule_ids(&published["diagnostics"])
}

#[test]
fn fragments_count_and_config_reload_changes_findings() {
    let dir = project();
    let visit = uri(&dir.path().join("visit.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, TEMPLATE, server.encoding);
    server.open(&doc);
    let first = server.diagnostics(&visit, Some(1));
    // The fragment supplies the Response section.
    assert!(
        !rules_of(&first).contains(&"missing-response".to_string()),
        "{first:#}"
    );
    assert!(
        rules_of(&first).contains(&"missing-intervention".to_string()),
        "{first:#}"
    );

    // A project config appears that disables missing-intervention: the server re-analyses.
    let config = dir.path().join("noteplate.toml");
    std::fs::write(&config, "[rules]\ndisable = [\"missing-intervention\"]\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    published_for(
        &mut server,
        &visit,
        "findings without missing-intervention",
        |p| !rules_of(p).contains(&"missing-intervention".to_string()),
    );

    // A broken config: an error diagnostic in the config file, and the last good one stays.
    std::fs::write(&config, "[rules]\ndisable = [\"missing-interventon\"]\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let error = published_for(
        &mut server,
        &uri(&config),
        "an error in noteplate.toml",
        |p| !p["diagnostics"].as_array().unwrap().is_empty(),
    );
    let diagnostic = &error["diagnostics"][0];
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("missing-intervention"),
        "{diagnostic}"
    );
    assert_eq!(diagnostic["range"]["start"]["line"], 1, "{diagnostic}");
    let again = published_for(
        &mut server,
        &visit,
        "re-analysis with the last good config",
        |_| true,
    );
    assert!(
        !rules_of(&again).contains(&"missing-intervention".to_string()),
        "{again:#}"
    );

    // Fixed again: the config file's diagnostic is cleared.
    std::fs::write(&config, "[rules]\ndisable = [\"missing-intervention\"]\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    published_for(
        &mut server,
        &uri(&config),
        "the config error cleared",
        |p| p["diagnostics"].as_array().unwrap().is_empty(),
    );
    server.assert_no_panic();
}

/// `file-too-large` in the server is an ordinary rule of the analysis: the project's
/// `max-file-size` decides when it fires, and its `[rules]` severity and `disable` apply to it.
#[test]
fn file_too_large_follows_the_project_configuration() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("noteplate.toml"),
        "max-file-size = 40\n[rules]\nseverity = { file-too-large = \"error\" }\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("quiet")).unwrap();
    std::fs::write(
        dir.path().join("quiet/noteplate.toml"),
        "max-file-size = 40\n[rules]\ndisable = [\"file-too-large\"]\n",
    )
    .unwrap();
    let text = "---\ncodes: 12345\n---\n## Plan\nContinue twice weekly. ***\n";
    assert!(text.len() > 40);
    // Analysed, the text would have findings of its own.
    let pack = noteplate::rulepack::RulePack::embedded();
    let settings = noteplate::analysis::Settings::default();
    let own = noteplate::analysis::analyze_text(text, &pack, &settings).diagnostics;
    assert!(
        own.iter().any(|d| d.rule.as_str() == "unknown-code"),
        "{own:?}"
    );
    let loud = uri(&dir.path().join("big.note"));
    let quiet = uri(&dir.path().join("quiet/big.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    server.open(&Doc::new(&loud, text, server.encoding));
    server.open(&Doc::new(&quiet, text, server.encoding));
    let published = server.diagnostics(&loud, Some(1));
    assert_eq!(rules_of(&published), ["file-too-large"], "{published:#}");
    assert_eq!(published["diagnostics"][0]["severity"], 1, "{published:#}");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("max-file-size of 40 bytes"), "{message}");
    // Disabled: no finding, and still nothing analysed (no missing-section findings either).
    let published = server.diagnostics(&quiet, Some(1));
    assert!(rules_of(&published).is_empty(), "{published:#}");
    server.assert_no_panic();
}

#[test]
fn disable_for_this_line_action_silences_the_finding() {
    let dir = project();
    let visit = uri(&dir.path().join("visit.note"));
    let mut server = Server::start(&["utf-8"], json!({"debounceMs": 0}));
    let mut doc = Doc::new(&visit, TEMPLATE, server.encoding);
    server.open(&doc);
    let first = server.diagnostics(&visit, Some(1));
    let finding = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-intervention")
        .cloned()
        .expect("missing-intervention");
    let actions = server.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": visit}, "range": finding["range"], "context": {"diagnostics": [finding]}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Disable missing-intervention for this line")
        .cloned()
        .unwrap_or_else(|| panic!("no disable action in {actions:#}"));
    let edits = action["edit"]["changes"][visit.as_str()]
        .as_array()
        .unwrap()
        .clone();
    let new_text = apply_edits(&doc.text, &edits, doc.encoding);
    assert!(
        new_text
            .contains("<!-- noteplate-disable-next-line missing-intervention -->\ncodes: 97140"),
        "{new_text}"
    );
    doc.version = 2;
    server.did_change(&doc, vec![json!({"text": new_text})]);
    let published = server.diagnostics(&visit, Some(2));
    let rules = rules_of(&published);
    assert!(
        !rules.contains(&"missing-intervention".to_string()),
        "{published:#}"
    );
    assert!(
        !rules.contains(&"unused-suppression".to_string()),
        "{published:#}"
    );
    assert!(
        !rules.contains(&"syntax-error".to_string()),
        "{published:#}"
    );
}

#[test]
fn include_paths_link_and_go_to_the_fragment() {
    let dir = project();
    let visit = uri(&dir.path().join("visit.note"));
    let fragment = uri(&dir.path().join("shared/response.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, TEMPLATE, server.encoding);
    server.open(&doc);
    server.diagnostics(&visit, Some(1));

    let links = server.result(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": visit}}),
    );
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:#?}");
    assert_eq!(links[0]["target"], fragment);
    assert_eq!(links[0]["range"], doc.range_of("shared/response.note"));

    let definition = server.result(
        "textDocument/definition",
        json!({"textDocument": {"uri": visit}, "position": doc.pos_at("shared/response.note", 3)}),
    );
    assert_eq!(definition["uri"], fragment, "{definition:#}");
    // Elsewhere there is nothing to go to.
    let nothing = server.result(
        "textDocument/definition",
        json!({"textDocument": {"uri": visit}, "position": doc.pos_at("Skilled", 1)}),
    );
    assert!(nothing.is_null(), "{nothing:#}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_noteplate_toml_is_a_config_error_and_never_blocks_the_server() {
    let dir = project();
    let config = dir.path().join("noteplate.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&config)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let visit = uri(&dir.path().join("visit.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, TEMPLATE, server.encoding);
    server.open(&doc);
    let error = published_for(
        &mut server,
        &uri(&config),
        "an error on the FIFO named noteplate.toml",
        |p| !p["diagnostics"].as_array().unwrap().is_empty(),
    );
    let message = error["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("not a regular file"), "{message}");
    // The template is still analysed, and the server still answers.
    server.diagnostics(&visit, Some(1));
    server.shutdown_and_exit();
    assert!(server.wait_exit(TIMEOUT).is_some());
    server.assert_no_panic();
}

#[test]
fn a_config_error_after_a_byte_order_mark_is_placed_as_editors_show_the_file() {
    let dir = project();
    let config = dir.path().join("noteplate.toml");
    std::fs::write(&config, "\u{feff}payr = \"medicare\"\n").unwrap();
    let visit = uri(&dir.path().join("visit.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, TEMPLATE, server.encoding);
    server.open(&doc);
    let error = published_for(
        &mut server,
        &uri(&config),
        "an error in noteplate.toml",
        |p| !p["diagnostics"].as_array().unwrap().is_empty(),
    );
    // Editors do not show the mark: `payr` starts at character 0.
    let range = &error["diagnostics"][0]["range"];
    assert_eq!(
        range["start"],
        json!({"line": 0, "character": 0}),
        "{error:#}"
    );
    assert_eq!(
        range["end"],
        json!({"line": 0, "character": 4}),
        "{error:#}"
    );
    server.assert_no_panic();
}

#[cfg(unix)]
#[test]
fn including_a_fifo_never_blocks_the_analysis_thread() {
    let dir = project();
    let fifo = dir.path().join("shared/pipe.note");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let text = TEMPLATE.replace("shared/response.note", "shared/pipe.note");
    let visit = uri(&dir.path().join("visit.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, &text, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(&visit, Some(1));
    let not_found = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "include-not-found")
        .unwrap_or_else(|| panic!("{published:#}"));
    assert!(
        not_found["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{not_found}"
    );
    server.shutdown_and_exit();
    assert!(server.wait_exit(TIMEOUT).is_some());
    server.assert_no_panic();
}

/// Issue 11: Neovim on Linux offers no file watchers, so the server re-stats the configuration
/// files before an analysis. A `noteplate.toml` created, then edited, with no
/// `didChangeWatchedFiles` at all, applies at the next edit, and the other open template in the
/// folder is checked again under it.
#[test]
fn config_edits_apply_without_file_watchers() {
    let dir = project();
    std::fs::write(dir.path().join("other.note"), TEMPLATE).unwrap();
    let visit = uri(&dir.path().join("visit.note"));
    let other = uri(&dir.path().join("other.note"));
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let mut doc = Doc::new(&visit, TEMPLATE, server.encoding);
    let other_doc = Doc::new(&other, TEMPLATE, server.encoding);
    server.open(&doc);
    let first = server.diagnostics(&visit, Some(1));
    server.open(&other_doc);
    server.diagnostics(&other, Some(1));
    let wanted = "missing-intervention".to_string();
    assert!(rules_of(&first).contains(&wanted), "{first:#}");

    // Created: the next edit's analysis reads it; the other open template follows.
    let config = dir.path().join("noteplate.toml");
    std::fs::write(&config, "[rules]\ndisable = [\"missing-intervention\"]\n").unwrap();
    let edit = |server: &mut Server, doc: &mut Doc, text: &str| {
        let at = doc.find("Skilled");
        let change = doc.edit(at, at, text);
        doc.version += 1;
        server.did_change(doc, vec![change]);
    };
    edit(&mut server, &mut doc, " ");
    let after = server.diagnostics(&visit, Some(2));
    assert!(!rules_of(&after).contains(&wanted), "{after:#}");
    published_for(&mut server, &other, "the other template re-checked", |p| {
        !rules_of(p).contains(&wanted)
    });

    // Edited (the rule enabled again): seen at the next edit too.
    std::fs::write(&config, "[rules]\ndisable = []\n").unwrap();
    edit(&mut server, &mut doc, " ");
    let enabled = server.diagnostics(&visit, Some(3));
    assert!(rules_of(&enabled).contains(&wanted), "{enabled:#}");
    published_for(
        &mut server,
        &other,
        "the other template re-checked again",
        |p| rules_of(p).contains(&wanted),
    );

    // Deleted: the defaults again, whatever they say (here: the same as the empty list).
    std::fs::write(&config, "[rules]\ndisable = [\"missing-intervention\"]\n").unwrap();
    edit(&mut server, &mut doc, " ");
    let disabled = server.diagnostics(&visit, Some(4));
    assert!(!rules_of(&disabled).contains(&wanted), "{disabled:#}");
    std::fs::remove_file(&config).unwrap();
    edit(&mut server, &mut doc, " ");
    let removed = server.diagnostics(&visit, Some(5));
    assert!(rules_of(&removed).contains(&wanted), "{removed:#}");
    server.assert_no_panic();
}

/// `@include` path completion lists the `.note` files and folders next to the template, then in
/// the folder typed so far, and the edit replaces only the path's last part.
#[test]
fn include_paths_are_completed_from_the_documents_folder() {
    let dir = project();
    std::fs::write(dir.path().join("shared/notes.txt"), "not a fragment").unwrap();
    std::fs::write(dir.path().join("shared/plan.note"), "## Plan\n***\n").unwrap();
    let visit = uri(&dir.path().join("visit.note"));
    let text = TEMPLATE.replace("@include shared/response.note", "@include shared/re");
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(&visit, &text, server.encoding);
    server.open(&doc);
    server.diagnostics(&visit, Some(1));
    let cursor = doc.find("shared/re") + "shared/re".len();
    let result = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    let items = completion_items(&result);
    let names: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(names, ["plan.note", "response.note"], "{result:#}");
    let response = items
        .iter()
        .find(|i| i["label"] == "response.note")
        .unwrap();
    assert_eq!(doc.text_of(&response["textEdit"]["range"]), "re");
    let edited = apply_edits(&doc.text, &[response["textEdit"].clone()], doc.encoding);
    assert!(
        edited.contains("\n@include shared/response.note\n"),
        "{edited}"
    );

    // Right after `@include `: the folder itself (a folder item ends with `/`).
    let text = TEMPLATE.replace("@include shared/response.note", "@include ");
    let doc = Doc::new(&visit, &text, server.encoding);
    server.close(&visit);
    server.open(&doc);
    let cursor = doc.find("@include ") + "@include ".len();
    let result = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    let names = labels(&result);
    assert!(names.contains(&"shared/".to_string()), "{names:?}");
    assert!(names.contains(&"visit.note".to_string()), "{names:?}");
    server.assert_no_panic();
}
