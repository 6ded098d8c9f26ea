//! Editor features through the protocol: completion, hover, code actions (quick fixes applied by
//! the client, then re-analysed), document symbols, folding ranges and semantic tokens.

mod lsp;

use lsp::client::*;
use serde_json::{Value, json};

/// A manual-therapy template with non-ASCII text, missing its response section.
const TEMPLATE: &str = "---
template: Manual therapy follow-up °µ±
codes: 97140-GP, 97110-GP
payer: medicare
type: daily
---
<!--
  Follow-up visit; ± 5° is fine.
-->

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|thrust manipulation} to {{region:region}}, grade {I|II|III|IV}
- 45° 😀 myofascial release to {{soft_tissue_region:region}}
- 
- {joint mobilization|
- MFR
- IASTM
- STM
- MWM

## Therapeutic exercise
- {{exercise_1}}: {{sets_1:number}} x {{reps_1:number}}
- 

## Time
Date of service: {{date_of_service:date}}
Total timed-code minutes: {{timed_minutes:minutes}}
Total treatment minutes: {{total_minutes:minutes}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";

const URI: &str = "file:///features/follow-up.note";

/// Manual-therapy techniques every completion in a technique section must offer.
const TECHNIQUES: &[&str] = &[
    "joint mobilization",
    "soft tissue mobilization",
    "myofascial release",
    "manual traction",
    "muscle energy technique",
    "manual lymphatic drainage",
    "strain-counterstrain",
];

/// A server with `TEMPLATE` open, and the diagnostics published for it.
fn start(encodings: &[&str]) -> (Server, Doc, Value) {
    let mut server = Server::start(encodings, json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    (server, doc, published["diagnostics"].clone())
}

fn complete(server: &mut Server, doc: &Doc, cursor: usize) -> Vec<Value> {
    let result = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    completion_items(&result)
}

fn assert_offers_techniques(items: &[Value]) {
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    for name in TECHNIQUES {
        assert!(labels.contains(name), "{name} missing from {labels:?}");
    }
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("trigger point release")
                || l.starts_with("trigger point therapy")),
        "no trigger point technique in {labels:?}"
    );
    for item in items {
        let detail = item["detail"].as_str().unwrap_or_default();
        assert!(!detail.is_empty(), "no detail: {item}");
        let documentation = &item["documentation"];
        let text = documentation["value"]
            .as_str()
            .or(documentation.as_str())
            .unwrap_or_default();
        assert!(!text.is_empty(), "no documentation: {item}");
    }
}

/// Each item's edit replaces exactly `start..cursor`.
fn assert_replaces(items: &[Value], doc: &Doc, start: usize, cursor: usize) {
    let want = doc.range(start, cursor);
    for item in items {
        assert_eq!(item["textEdit"]["range"], want, "{item}");
        assert_eq!(item["textEdit"]["newText"], item["label"], "{item}");
    }
}

#[test]
fn completes_technique_names() {
    for encodings in [&[][..], &["utf-8"][..]] {
        let (mut server, doc, _) = start(encodings);

        // On the empty list item in the technique section.
        let cursor = doc.find("- \n- {joint") + 2;
        let items = complete(&mut server, &doc, cursor);
        assert_offers_techniques(&items);
        assert_replaces(&items, &doc, cursor, cursor);

        // Inside a choice, after `|`.
        let cursor = doc.find("- {joint mobilization|\n") + "- {joint mobilization|".len();
        let items = complete(&mut server, &doc, cursor);
        assert_offers_techniques(&items);
        assert_replaces(&items, &doc, cursor, cursor);

        // Inside a choice with part of a name typed: `{joint mobilization|thr|ust`. The edit
        // replaces the whole word under the cursor.
        let start = doc.find("{joint mobilization|thrust") + "{joint mobilization|".len();
        let items = complete(&mut server, &doc, start + 3);
        let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
        assert!(
            !labels.contains(&"myofascial release"),
            "`thr` is not `myo`"
        );
        assert!(labels.contains(&"thrust manipulation"), "{labels:?}");
        assert_replaces(&items, &doc, start, start + "thrust".len());

        // Abbreviations typed on their own line offer the full name.
        for (abbreviation, name) in [
            ("MFR", "myofascial release"),
            ("IASTM", "instrument-assisted soft tissue mobilization"),
            ("STM", "soft tissue mobilization"),
            ("MWM", "mobilization with movement"),
        ] {
            let start = doc.find(&format!("- {abbreviation}\n")) + 2;
            let cursor = start + abbreviation.len();
            let items = complete(&mut server, &doc, cursor);
            let item = items
                .iter()
                .find(|item| item["label"] == name)
                .unwrap_or_else(|| panic!("{abbreviation}: no {name} in {items:#?}"));
            assert_eq!(item["filterText"], abbreviation, "{item}");
            assert!(item["detail"].as_str().is_some_and(|d| !d.is_empty()));
            assert_replaces(&items, &doc, start, cursor);
        }

        // No technique names outside technique sections.
        let cursor = doc.find("- \n\n## Time") + 2;
        let labels: Vec<String> = complete(&mut server, &doc, cursor)
            .iter()
            .map(|i| i["label"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(
            !labels.iter().any(|l| l == "myofascial release"),
            "{labels:?}"
        );
        server.assert_no_panic();
    }
}

#[test]
fn accepting_inside_a_word_replaces_the_whole_word() {
    for encodings in [&[][..], &["utf-8"][..]] {
        let mut server = Server::start(encodings, json!({"debounceMs": 0}));
        let text = "## Technique\n- {😀 traction|myofascial} to {{region:region}}\n- myofascial\n";
        let doc = Doc::new("file:///features/word.note", text, server.encoding);
        server.open(&doc);
        for (line, expected) in [
            (
                "myofascial}",
                "## Technique\n- {😀 traction|myofascial release} to {{region:region}}\n- myofascial\n",
            ),
            (
                "myofascial\n",
                "## Technique\n- {😀 traction|myofascial} to {{region:region}}\n- myofascial release\n",
            ),
        ] {
            let cursor = doc.find(line) + "myofas".len();
            let items = complete(&mut server, &doc, cursor);
            let item = items
                .iter()
                .find(|item| item["label"] == "myofascial release")
                .unwrap_or_else(|| panic!("not offered: {items:#?}"));
            let edited = apply_edits(text, &[item["textEdit"].clone()], doc.encoding);
            assert_eq!(edited, expected);
        }
        server.assert_no_panic();
    }
}

#[test]
fn completes_codes_and_section_titles() {
    let (mut server, doc, _) = start(&[]);
    let cursor = doc.find("97110-GP");
    let labels: Vec<String> = complete(&mut server, &doc, cursor + 3)
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect();
    assert!(labels.contains(&"97110".to_string()), "{labels:?}");
    let cursor = doc.find("## Technique") + 3;
    let items = complete(&mut server, &doc, cursor);
    // The response section the codes need and the template lacks is offered first.
    let mut sorted = items.clone();
    sorted.sort_by_key(|i| i["sortText"].as_str().unwrap_or_default().to_string());
    assert!(
        sorted
            .iter()
            .take(3)
            .any(|i| i["label"].as_str().is_some_and(|l| l.contains("Response"))),
        "{sorted:#?}"
    );
}

fn hover(server: &mut Server, doc: &Doc, needle: &str, delta: usize) -> Value {
    server.result(
        "textDocument/hover",
        json!({"textDocument": doc.ident(), "position": doc.pos_at(needle, delta)}),
    )
}

fn markdown(hover: &Value) -> String {
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    hover["contents"]["value"].as_str().unwrap().to_string()
}

#[test]
fn hovers_techniques_codes_and_headings() {
    let (mut server, doc, _) = start(&[]);

    let technique = hover(&mut server, &doc, "myofascial release", 5);
    assert!(markdown(&technique).contains("**myofascial release**"));
    assert!(markdown(&technique).contains("97140"));
    assert_eq!(technique["range"], doc.range_of("myofascial release"));

    let choice = hover(&mut server, &doc, "joint mobilization|thrust", 2);
    assert!(markdown(&choice).contains("**joint mobilization**"));
    assert_eq!(doc.text_of(&choice["range"]), "joint mobilization");

    let abbreviation = hover(&mut server, &doc, "IASTM", 2);
    assert!(markdown(&abbreviation).contains("instrument-assisted"));

    let code = hover(&mut server, &doc, "97140", 2);
    let text = markdown(&code);
    assert!(text.contains("97140"), "{text}");
    assert!(text.contains("Timed"), "{text}");
    assert!(doc.text_of(&code["range"]).starts_with("97140"));

    let heading = hover(&mut server, &doc, "## Technique", 4);
    assert!(markdown(&heading).contains("**technique**"));
    assert_eq!(doc.text_of(&heading["range"]), "## Technique");

    let heading = hover(&mut server, &doc, "## Therapeutic exercise", 4);
    assert!(markdown(&heading).contains("**intervention**"), "{heading}");

    let minutes = hover(&mut server, &doc, "{{timed_minutes", 4);
    assert!(markdown(&minutes).contains("| 1 | 8–22 |"));

    // Plain text: no hover, no error.
    let nothing = hover(&mut server, &doc, "Skilled care", 2);
    assert!(nothing.is_null(), "{nothing}");
    server.assert_no_panic();
}

fn code_actions(
    server: &mut Server,
    doc: &Doc,
    range: Value,
    diagnostics: Value,
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": diagnostics});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let result = server.result(
        "textDocument/codeAction",
        json!({"textDocument": doc.ident(), "range": range, "context": context}),
    );
    result.as_array().cloned().unwrap_or_default()
}

/// The action's edits for our document (`changes` or `documentChanges`).
fn edits_of(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(edits) = edit["changes"][uri].as_array() {
        return edits.clone();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["textDocument"]["uri"] == uri)
        .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Sends `edits` as incremental changes (last in the document first, so each range is valid
/// when the server applies it), as editors do, and applies them to the client's copy.
fn send_edits(server: &Server, doc: &mut Doc, edits: &[Value]) {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let (start, end) = span_of(&doc.text, &edit["range"], doc.encoding);
            (start, end, edit["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let expected = apply_edits(&doc.text, edits, doc.encoding);
    let changes: Vec<Value> = spans
        .iter()
        .map(|(start, end, text)| doc.edit(*start, *end, text))
        .collect();
    assert_eq!(
        doc.text, expected,
        "incremental and whole application agree"
    );
    doc.version += 1;
    server.did_change(doc, changes);
}

fn missing_findings(diagnostics: &Value) -> Vec<String> {
    rule_ids(diagnostics)
        .into_iter()
        .filter(|rule| rule.starts_with("missing-"))
        .collect()
}

#[test]
fn quick_fix_for_missing_response_is_applied_and_clears_it() {
    for encodings in [&[][..], &["utf-8"][..]] {
        let (mut server, mut doc, diagnostics) = start(encodings);
        let finding = diagnostics
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "missing-response")
            .unwrap_or_else(|| panic!("{diagnostics:#}"))
            .clone();
        assert_eq!(finding["range"], doc.range_of("97140-GP"));

        let actions = code_actions(
            &mut server,
            &doc,
            finding["range"].clone(),
            json!([finding]),
            Some(&["quickfix"]),
        );
        let fix = actions
            .iter()
            .find(|a| {
                a["title"].as_str().is_some_and(|t| t.contains("Response"))
                    && a["kind"] == "quickfix"
            })
            .unwrap_or_else(|| panic!("no Response fix in {actions:#?}"));
        assert_eq!(fix["diagnostics"][0]["code"], "missing-response");
        let edits = edits_of(fix, URI);
        assert!(!edits.is_empty());

        send_edits(&server, &mut doc, &edits);
        let published = server.diagnostics(URI, Some(doc.version));
        assert_eq!(
            missing_findings(&published["diagnostics"]),
            Vec::<String>::new(),
            "{published:#}"
        );
        assert!(doc.text.contains("## Response"));
        assert_eq!(server.document_text(URI), (doc.version, doc.text.clone()));

        // Nothing left to fix at that spot.
        let actions = code_actions(
            &mut server,
            &doc,
            doc.range_of("97140-GP"),
            json!([]),
            Some(&["quickfix"]),
        );
        assert!(
            !actions.iter().any(|a| a["title"]
                .as_str()
                .is_some_and(|t| t.contains("Add section"))),
            "{actions:#?}"
        );
        server.assert_no_panic();
    }
}

#[test]
fn fix_all_source_action() {
    let text = "---
tempalte: Manual therapy visit °µ±
codes: 97140-GP
paywer: medicare
type: daly
---
## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|soft tissue mobilization} to {{region:region}} 😀
- {{pain_after:nubmer}} and {well||poorly}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
";
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let mut doc = Doc::new(URI, text, server.encoding);
    server.open(&doc);
    let before = server.diagnostics(URI, Some(1))["diagnostics"].clone();
    assert!(missing_findings(&before).contains(&"missing-response".to_string()));

    let actions = code_actions(
        &mut server,
        &doc,
        doc.range(0, 0),
        json!([]),
        Some(&["source.fixAll.noteplate"]),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let action = &actions[0];
    assert_eq!(action["kind"], "source.fixAll.noteplate");
    let edits = edits_of(action, URI);
    assert!(!edits.is_empty());

    // `only: ["source"]` covers `source.fixAll.noteplate` too.
    let broad = code_actions(
        &mut server,
        &doc,
        doc.range(0, 0),
        json!([]),
        Some(&["source"]),
    );
    assert!(broad.iter().any(|a| a["kind"] == "source.fixAll.noteplate"));
    // And quick fixes are not source actions.
    assert!(broad.iter().all(|a| a["kind"] != "quickfix"), "{broad:#?}");

    send_edits(&server, &mut doc, &edits);
    let after = server.diagnostics(URI, Some(doc.version))["diagnostics"].clone();
    assert!(
        missing_findings(&after).is_empty(),
        "after fix-all: {after:#}\ntext:\n{}",
        doc.text
    );
    assert!(
        rule_ids(&after).len() < rule_ids(&before).len(),
        "before {before:#}\nafter {after:#}"
    );
    assert_eq!(server.document_text(URI), (doc.version, doc.text.clone()));

    // Applying it again changes nothing more: either no action, or edits that are a no-op.
    let again = code_actions(
        &mut server,
        &doc,
        doc.range(0, 0),
        json!([]),
        Some(&["source.fixAll.noteplate"]),
    );
    for action in again {
        let edits = edits_of(&action, URI);
        let missing_again = apply_edits(&doc.text, &edits, doc.encoding);
        assert!(
            missing_again.matches("## Response").count() <= 1,
            "fix-all added a second response section"
        );
    }
    server.assert_no_panic();
}

#[test]
fn document_symbols_folding_and_semantic_tokens() {
    let text = "---
template: SOAP °µ± 😀
codes: 97110-GP, 97140-GP
payer: medicare
type: daily
---
<!--
  A comment
  over lines.
-->

## S: Patient report {#subjective}
Patient reports ***; pain {{pain_today:number}}/10 ± 1.

## O: Treatment {#objective}

### Hands-on {#technique}
- 😀 {joint mobilization|mobilization with movement} to {{region:region}}

### Exercise {#intervention}
- {{exercise_1}}: {{sets_1:number}} x {{reps_1:number}} at {{load_1:number}} kg ± ***

## Response
Tolerated treatment {well|poorly}. ***
";
    for encodings in [&[][..], &["utf-8"][..]] {
        let mut server = Server::start(encodings, json!({"debounceMs": 0}));
        let doc = Doc::new(URI, text, server.encoding);
        server.open(&doc);

        // Outline: sections nested by level, kinds as detail.
        let symbols = server.result(
            "textDocument/documentSymbol",
            json!({"textDocument": doc.ident()}),
        );
        let symbols = symbols.as_array().unwrap();
        let names: Vec<&str> = symbols
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["S: Patient report", "O: Treatment", "Response"]);
        assert_eq!(symbols[0]["detail"], "subjective");
        assert_eq!(symbols[2]["detail"], "response");
        let children: Vec<&str> = symbols[1]["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(children, ["Hands-on", "Exercise"]);
        assert_eq!(symbols[1]["children"][0]["detail"], "technique");
        assert_eq!(
            symbols[1]["children"][0]["selectionRange"],
            doc.range_of("### Hands-on {#technique}")
        );
        // A section's range runs from its heading to its last line.
        let treatment = &symbols[1];
        let (start, end) = span_of(&doc.text, &treatment["range"], doc.encoding);
        assert!(doc.text[start..end].starts_with("## O: Treatment"));
        assert!(
            doc.text[start..end].ends_with("kg ± ***"),
            "{:?}",
            &doc.text[start..end]
        );
        for symbol in symbols {
            let (s, e) = span_of(&doc.text, &symbol["range"], doc.encoding);
            let (ss, se) = span_of(&doc.text, &symbol["selectionRange"], doc.encoding);
            assert!(s <= ss && se <= e, "selection inside range: {symbol}");
        }

        // Folding: front matter, the comment and the sections.
        let folds = server.result(
            "textDocument/foldingRange",
            json!({"textDocument": doc.ident()}),
        );
        let folds: Vec<(u64, u64, String)> = folds
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["startLine"].as_u64().unwrap(),
                    f["endLine"].as_u64().unwrap(),
                    f["kind"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert!(folds.contains(&(0, 5, "imports".into())), "{folds:?}");
        assert!(folds.contains(&(6, 9, "comment".into())), "{folds:?}");
        let line_of = |needle: &str| position(&doc.text, doc.find(needle), doc.encoding).0 as u64;
        assert!(
            folds.contains(&(
                line_of("## O: Treatment"),
                line_of("### Exercise") + 1,
                "region".into()
            )),
            "{folds:?}"
        );
        for (start, end, _) in &folds {
            assert!(start < end, "single-line folds are dropped");
        }

        // Semantic tokens: decode and look at the text each token covers.
        let legend =
            server.initialize_result["capabilities"]["semanticTokensProvider"]["legend"].clone();
        let types: Vec<String> = legend["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        let modifiers: Vec<String> = legend["tokenModifiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        let tokens = server.result(
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc.ident()}),
        );
        let data: Vec<u64> = tokens["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(data.len() % 5, 0);
        let (mut line, mut character) = (0u64, 0u64);
        let mut decoded: Vec<(String, String, u64)> = Vec::new();
        for chunk in data.chunks(5) {
            if chunk[0] > 0 {
                line += chunk[0];
                character = chunk[1];
            } else {
                character += chunk[1];
            }
            assert!(chunk[2] > 0, "empty token");
            let start = offset(&doc.text, line as u32, character as u32, doc.encoding);
            let end = offset(
                &doc.text,
                line as u32,
                (character + chunk[2]) as u32,
                doc.encoding,
            );
            assert_eq!(
                position(&doc.text, end, doc.encoding),
                (line as u32, (character + chunk[2]) as u32),
                "token ends inside a character or past its line"
            );
            decoded.push((
                types[chunk[3] as usize].clone(),
                doc.text[start..end].to_string(),
                chunk[4],
            ));
        }
        let has = |ty: &str, text: &str| decoded.iter().any(|(t, x, _)| t == ty && x == text);
        assert!(has("property", "codes"), "{decoded:?}");
        assert!(
            has("number", "97110-GP") || has("number", "97110"),
            "{decoded:?}"
        );
        assert!(has("comment", "<!--"), "{decoded:?}");
        assert!(has("type", "region"), "{decoded:?}");
        assert!(has("type", "number"), "{decoded:?}");
        assert!(
            has("choice", "{joint mobilization|mobilization with movement}"),
            "{decoded:?}"
        );
        assert!(has("wildcard", "***"), "{decoded:?}");
        let heading = decoded
            .iter()
            .find(|(t, x, _)| t == "heading" && x.starts_with("### Hands-on"))
            .unwrap_or_else(|| panic!("{decoded:?}"));
        let technique_bit = modifiers.iter().position(|m| m == "technique").unwrap();
        assert_eq!(heading.2, 1 << technique_bit);
        server.assert_no_panic();
    }
}

/// `textDocument/formatting`: the edits turn the document into what `noteplate fmt` writes, in
/// every position encoding (non-ASCII text before and inside the changed part), nothing for a
/// formatted document, and after a change the edits are for the new text.
#[test]
fn formatting_gives_the_canonical_layout() {
    let text = "---\r\npayer:medicare\r\ntemplate: Zoë °µ± 😀\r\n---\r\n## Response  \r\nPain 😀 {{ pain : number }}, tolerated { well | poorly }\t\r\n\r\n\r\n<!-- keep  \r\n  this -->\r\n##  Signature\r\n{{clinician_name}}";
    let expected = noteplate::ide::format::format(text, &noteplate::syntax::parse(text));
    assert!(expected.contains("{{pain:number}}") && expected.ends_with("}}\r\n"));
    for encodings in [&[][..], &["utf-8"][..]] {
        let mut server = Server::start(encodings, json!({"debounceMs": 0}));
        assert_eq!(
            server.initialize_result["capabilities"]["documentFormattingProvider"],
            true
        );
        let mut doc = Doc::new(URI, text, server.encoding);
        server.open(&doc);
        let edits = server.result(
            "textDocument/formatting",
            json!({"textDocument": doc.ident(), "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        let edits = edits.as_array().unwrap().clone();
        assert!(!edits.is_empty());
        let formatted = apply_edits(&doc.text, &edits, doc.encoding);
        assert_eq!(formatted, expected, "{encodings:?}");

        // Formatted already: no edits.
        let end = doc.text.len();
        doc.version += 1;
        server.did_change(
            &doc,
            vec![json!({"range": doc.range(0, end), "text": formatted})],
        );
        doc.text = formatted.clone();
        let edits = server.result(
            "textDocument/formatting",
            json!({"textDocument": doc.ident(), "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        assert_eq!(edits, json!([]));

        // A change, then formatting: the edit is computed on the changed text.
        let at = doc.find("tolerated");
        doc.version += 1;
        server.did_change(
            &doc,
            vec![json!({"range": doc.range(at, at), "text": "{ a | b }  "})],
        );
        doc.text.insert_str(at, "{ a | b }  ");
        let edits = server.result(
            "textDocument/formatting",
            json!({"textDocument": doc.ident(), "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        let formatted = apply_edits(&doc.text, edits.as_array().unwrap(), doc.encoding);
        assert!(
            formatted.contains("😀 {{pain:number}}, {a|b}  tolerated"),
            "{formatted}"
        );
        server.shutdown_and_exit();
        server.assert_no_panic();
    }
}
