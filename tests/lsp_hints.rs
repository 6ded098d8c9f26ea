//! Issue 11 items 4 and 5 through the protocol: inlay hints (the kinds an alias heading was
//! matched to, how a minutes field becomes units), "Explain rule" actions and hovers on rule ids
//! in suppression comments, faded unused suppressions, and completion edits as
//! `InsertReplaceEdit` for clients that support them.

mod lsp;

use lsp::client::*;
use serde_json::{Value, json};

const URI: &str = "file:///hints/visit.note";

const TEXT: &str = "---
codes: 97140-GP, 97110-GP
payer: medicare
---
<!-- noteplate-disable-next-line missing-time -->
## A/P
Improving; continue plan. ***

## Technique
- myofascial release to {{region:region}} for {{mt_minutes:minutes}} min
- myofas

## Time
Total: {{timed_minutes:minutes}}
";

fn start(capabilities: Value) -> (Server, Doc) {
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities, json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEXT, server.encoding);
    server.open(&doc);
    server.diagnostics(URI, Some(1));
    (server, doc)
}

#[test]
fn inlay_hints_for_alias_headings_and_minutes_fields() {
    let (mut server, doc) = start(capabilities(&[]));
    assert_eq!(
        server.initialize_result["capabilities"]["inlayHintProvider"],
        true
    );
    let hints = server.result(
        "textDocument/inlayHint",
        json!({"textDocument": doc.ident(), "range": doc.range(0, doc.text.len())}),
    );
    let hints: Vec<(usize, String)> = hints
        .as_array()
        .expect("hints")
        .iter()
        .map(|hint| {
            let position = &hint["position"];
            let at = offset(
                &doc.text,
                position["line"].as_u64().unwrap() as u32,
                position["character"].as_u64().unwrap() as u32,
                doc.encoding,
            );
            (at, hint["label"].as_str().unwrap().to_string())
        })
        .collect();
    let heading_end = doc.find("## A/P") + "## A/P".len();
    assert!(
        hints.contains(&(heading_end, ": assessment, plan".to_string())),
        "{hints:?}"
    );
    let field_end = doc.find("{{mt_minutes:minutes}}") + "{{mt_minutes:minutes}}".len();
    assert!(
        hints.contains(&(field_end, "pooled: 8+ min = 1 unit".to_string())),
        "{hints:?}"
    );
    // `## Technique` and `## Time` are their kinds' own titles: no hint.
    assert_eq!(hints.len(), 3, "{hints:?}");
    // A range gets only what it overlaps.
    let time = doc.find("Total");
    let some = server.result(
        "textDocument/inlayHint",
        json!({"textDocument": doc.ident(), "range": doc.range(time, doc.text.len())}),
    );
    assert_eq!(some.as_array().unwrap().len(), 1, "{some}");
    server.assert_no_panic();
}

#[test]
fn explain_rule_and_faded_unused_suppressions() {
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities(&[]), json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEXT, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    let diagnostics = published["diagnostics"].as_array().unwrap();
    // The suppression suppresses nothing (the next line is a heading, not the finding).
    let unused = diagnostics
        .iter()
        .find(|d| d["code"] == "unused-suppression")
        .unwrap_or_else(|| panic!("{published:#}"));
    assert_eq!(unused["tags"], json!([1]), "{unused}");
    assert!(
        diagnostics
            .iter()
            .filter(|d| d["code"] != "unused-suppression")
            .all(|d| d.get("tags").is_none()),
        "{published:#}"
    );

    // "Explain rule" on a finding: a command, which the server carries out.
    let actions = server.result(
        "textDocument/codeAction",
        json!({
            "textDocument": doc.ident(),
            "range": doc.range(0, doc.text.len()),
            "context": {"diagnostics": []},
        }),
    );
    let explain = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Explain rule `"))
        })
        .unwrap_or_else(|| panic!("{actions:#}"))
        .clone();
    assert!(explain.get("edit").is_none(), "{explain}");
    let command = &explain["command"];
    assert_eq!(command["command"], "noteplate.explainRule");
    assert_eq!(
        server.initialize_result["capabilities"]["executeCommandProvider"]["commands"],
        json!(["noteplate.explainRule"])
    );
    let rule = command["arguments"][0].as_str().unwrap().to_string();
    let shown = server.result(
        "workspace/executeCommand",
        json!({"command": "noteplate.explainRule", "arguments": [rule]}),
    );
    let heading = format!("## `{rule}`");
    assert!(shown.as_str().unwrap().starts_with(&heading), "{shown}");
    let message = server.expect("the explanation shown", |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|text| text.starts_with("## `"))
    });
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&heading),
        "{message}"
    );
    // Same text as `noteplate explain`.
    let cli = std::process::Command::new(binary())
        .args(["explain", &rule])
        .output()
        .expect("noteplate explain");
    assert_eq!(
        String::from_utf8_lossy(&cli.stdout),
        shown.as_str().unwrap()
    );
    // An unknown rule is refused with a message saying what it takes.
    let refused = server.request(
        "workspace/executeCommand",
        json!({"command": "noteplate.explainRule", "arguments": ["no-such-rule"]}),
    );
    assert_eq!(refused["error"]["code"], -32602, "{refused}");

    // Hover on a rule id in a suppression comment: its documentation.
    let id = doc.find("missing-time");
    let hover = server.result(
        "textDocument/hover",
        json!({"textDocument": doc.ident(), "position": doc.pos(id + 3)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("## `missing-time`"),
        "{hover}"
    );
    assert_eq!(doc.text_of(&hover["range"]), "missing-time");
    server.assert_no_panic();
}

#[test]
fn completion_uses_insert_replace_edits_when_the_client_supports_them() {
    let insert_replace = merge(
        capabilities(&[]),
        json!({"textDocument": {"completion": {"completionItem": {"insertReplaceSupport": true}}}}),
    );
    let (mut server, doc) = start(insert_replace);
    // `myofas|cial` in the middle of a word: insert up to the cursor, replace the whole word.
    let word = doc.find("myofascial release to");
    let cursor = word + "myofas".len();
    let result = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    let item = completion_items(&result)
        .into_iter()
        .find(|i| i["label"] == "myofascial release")
        .expect("myofascial release offered");
    let edit = &item["textEdit"];
    assert_eq!(doc.text_of(&edit["insert"]), "myofas", "{edit}");
    assert_eq!(doc.text_of(&edit["replace"]), "myofascial", "{edit}");
    assert_eq!(edit["newText"], "myofascial release");
    assert!(edit.get("range").is_none(), "{edit}");
    server.assert_no_panic();

    // Without the capability: one TextEdit over the whole word.
    let (mut server, doc) = start(capabilities(&[]));
    let result = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    let item = completion_items(&result)
        .into_iter()
        .find(|i| i["label"] == "myofascial release")
        .expect("myofascial release offered");
    assert_eq!(doc.text_of(&item["textEdit"]["range"]), "myofascial");
    server.assert_no_panic();
}

/// Issue 11 item 5 through the protocol: kinds after `{#` (replacing only the kind typed), modifiers
/// after a code's `-`, rule ids in suppression comments, and no technique names in field names,
/// comments or the value after a label.
#[test]
fn completion_fixes_from_issue_11() {
    let text = "---
codes: 97140-
---
<!-- noteplate-disable-next-line vag -->
## Why {#nec
Skilled care. ***

## Technique
- {{jo
- <!-- jo -->
Region: jo
Techniques used: jo
- myofas
";
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(URI, text, server.encoding);
    server.open(&doc);
    server.diagnostics(URI, Some(1));
    let mut at = |needle: &str, delta: usize| -> Vec<Value> {
        let cursor = doc.find(needle) + delta;
        let result = server.result(
            "textDocument/completion",
            json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
        );
        completion_items(&result)
    };
    let accept = |items: &[Value], label: &str| -> String {
        let item = items
            .iter()
            .find(|i| i["label"] == label)
            .unwrap_or_else(|| panic!("{label} not offered: {items:?}"));
        apply_edits(text, &[item["textEdit"].clone()], Encoding::Utf16)
    };
    let names = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter_map(|i| i["label"].as_str().map(String::from))
            .collect()
    };

    // `## Why {#nec` + necessity: the title stays, the kind is completed and closed.
    let kinds = at("{#nec", 5);
    assert!(
        !names(&kinds).contains(&"Time".to_string()),
        "{:?}",
        names(&kinds)
    );
    assert!(accept(&kinds, "necessity").contains("\n## Why {#necessity}\n"));

    // `97140-` + GP.
    let modifiers = at("97140-", 6);
    for modifier in [
        "GP", "GO", "GN", "CQ", "CO", "59", "XS", "XE", "XP", "XU", "KX",
    ] {
        assert!(
            names(&modifiers).contains(&modifier.to_string()),
            "{modifier}"
        );
    }
    assert!(accept(&modifiers, "GP").contains("codes: 97140-GP\n"));

    // A rule id in a suppression comment.
    let rules = at("line vag", 8);
    assert!(accept(&rules, "vague-technique").contains("disable-next-line vague-technique -->"));

    // No technique names in a field name, a comment or after `Region: `; after a label that
    // names techniques, and at the start of a list item, yes.
    assert!(at("{{jo", 4).is_empty());
    assert!(at("<!-- jo", 7).is_empty());
    assert!(at("Region: jo", 10).is_empty());
    assert!(names(&at("used: jo", 8)).contains(&"joint mobilization".to_string()));
    let whole = at("- myofas", 8);
    assert!(accept(&whole, "myofascial release").contains("\n- myofascial release\n"));
    server.assert_no_panic();
}
