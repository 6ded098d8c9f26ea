//! Position encoding: the server negotiates UTF-8 when the client offers it and UTF-16 otherwise,
//! and every range it sends (diagnostics, hover, completion edits) and every range it receives
//! (didChange) is counted in that encoding. The lines under test have `°`, `µ`, `±` (two bytes,
//! one UTF-16 unit) and `😀` (four bytes, two UTF-16 units) before the target, so a server that
//! mixes up encodings gets every column here wrong.

mod lsp;

use lsp::client::*;
use noteplate::analysis::{Settings, analyze_text};
use noteplate::rulepack::RulePack;
use serde_json::{Value, json};

const TEMPLATE: &str = "---
template: Encoding °µ± 😀 check
codes: 97140-GP
payer: medicare
---
## Medical necessity
Skilled care (± 😀) for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- 45° µg ± 5 😀 myofascial release 😀 to {{region:region}}, {{dose:nubmer}} °µ±
- 😀 °µ± 😀 myofacial release to the neck
- °µ± 😀, MFR

## Response
Pain ± {{pain_after:number}}/10 😀; tolerated {well||poorly}.

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
";

const URI: &str = "file:///encoding/template.note";

fn start(capabilities: Value) -> (Server, Doc) {
    let mut server = Server::spawn(&[]);
    server.initialize(capabilities, json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    (server, doc)
}

/// Every diagnostic's range is the library's byte span converted by the client, independently.
fn check_diagnostic_ranges(server: &mut Server, doc: &Doc) -> Vec<Value> {
    let published = server.diagnostics(URI, Some(doc.version));
    let diagnostics = published["diagnostics"].as_array().unwrap().clone();
    let expected = analyze_text(&doc.text, &RulePack::embedded(), &Settings::default());
    let mut want: Vec<(String, Value)> = expected
        .diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), doc.range(d.span.start, d.span.end)))
        .collect();
    let mut got: Vec<(String, Value)> = diagnostics
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"].clone()))
        .collect();
    want.sort_by_key(|(rule, range)| (rule.clone(), range.to_string()));
    got.sort_by_key(|(rule, range)| (rule.clone(), range.to_string()));
    assert_eq!(got, want, "diagnostic ranges in {:?}", doc.encoding);
    diagnostics
}

/// The findings this test is about, on the non-ASCII lines, cover the right text.
fn check_findings_on_non_ascii_lines(diagnostics: &[Value], doc: &Doc) {
    let find = |rule: &str| {
        diagnostics
            .iter()
            .find(|d| d["code"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {diagnostics:#?}"))
    };
    let field_type = find("unknown-field-type");
    assert!(
        doc.text_of(&field_type["range"]).contains("nubmer"),
        "{field_type}"
    );
    let technique = find("unknown-technique");
    assert!(
        doc.text_of(&technique["range"]).contains("myofacial"),
        "{technique}"
    );
    let empty = find("empty-choice-option");
    assert!(
        doc.text_of(&empty["range"]).contains("||")
            || doc.text_of(&empty["range"]).is_empty()
            || doc.text_of(&empty["range"]).contains('{')
    );

    // The columns really differ between encodings on these lines (guards the test itself).
    let start = doc.find("{{dose:nubmer}}");
    let (_, utf8) = position(&doc.text, start, Encoding::Utf8);
    let (_, utf16) = position(&doc.text, start, Encoding::Utf16);
    assert_ne!(utf8, utf16);
}

fn check_hover_ranges(server: &mut Server, doc: &Doc) {
    let hover = |server: &mut Server, needle: &str, delta: usize| {
        server.result(
            "textDocument/hover",
            json!({"textDocument": doc.ident(), "position": doc.pos_at(needle, delta)}),
        )
    };
    let technique = hover(server, "myofascial release 😀", 4);
    assert_eq!(technique["range"], doc.range_of("myofascial release"));
    assert!(
        technique["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("**myofascial release**")
    );

    // Position inside the abbreviation after `°µ± 😀, `.
    let abbreviation = hover(server, "MFR", 1);
    assert_eq!(abbreviation["range"], doc.range_of("MFR"));

    let minutes = hover(server, "{{timed_minutes", 3);
    assert_eq!(minutes["range"], doc.range_of("{{timed_minutes:minutes}}"));

    let field_after_emoji = hover(server, "{{pain_after:number}}", 3);
    // Not a minutes field and not a technique: nothing to say, and no error.
    assert!(field_after_emoji.is_null(), "{field_after_emoji}");
}

fn check_completion_range(server: &mut Server, doc: &Doc) {
    let cursor = doc.find("MFR") + 3;
    let completion = server.result(
        "textDocument/completion",
        json!({"textDocument": doc.ident(), "position": doc.pos(cursor)}),
    );
    let items = completion_items(&completion);
    let item = items
        .iter()
        .find(|item| item["label"] == "myofascial release")
        .unwrap_or_else(|| panic!("no myofascial release in {completion:#}"));
    assert_eq!(item["textEdit"]["range"], doc.range_of("MFR"));
}

/// An edit at a position after multi-byte characters lands where the client meant it.
fn check_incoming_edit(server: &mut Server, doc: &mut Doc) {
    let start = doc.find("nubmer");
    let change = doc.edit(start, start + "nubmer".len(), "number");
    doc.version += 1;
    server.did_change(doc, vec![change]);
    let published = server.diagnostics(URI, Some(doc.version));
    assert!(
        !rule_ids(&published["diagnostics"]).contains(&"unknown-field-type".to_string()),
        "{published:#}"
    );
    // Insert an emoji and a degree sign after the emoji on the MFR line, then delete one `±`.
    let at = doc.find("😀, MFR") + "😀".len();
    let change1 = doc.edit(at, at, "😀°");
    let minus = doc.find("°µ± 😀😀°, MFR") + "°µ".len();
    let change2 = doc.edit(minus, minus + "±".len(), "");
    doc.version += 1;
    server.did_change(doc, vec![change1, change2]);
    let (version, text) = server.document_text(URI);
    assert_eq!(version, doc.version);
    assert_eq!(text, doc.text);
    check_diagnostic_ranges(server, doc);
}

fn run_all(capabilities: Value, expected: Encoding) {
    let (mut server, mut doc) = start(capabilities);
    assert_eq!(server.encoding, expected);
    assert_eq!(
        server.initialize_result["capabilities"]["positionEncoding"],
        expected.name()
    );
    let diagnostics = check_diagnostic_ranges(&mut server, &doc);
    check_findings_on_non_ascii_lines(&diagnostics, &doc);
    check_hover_ranges(&mut server, &doc);
    check_completion_range(&mut server, &doc);
    check_incoming_edit(&mut server, &mut doc);
    server.shutdown_and_exit();
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));
    server.assert_no_panic();
}

#[test]
fn utf16_when_the_client_offers_no_encodings() {
    run_all(capabilities(&[]), Encoding::Utf16);
}

#[test]
fn utf16_when_the_client_offers_only_utf16() {
    run_all(capabilities(&["utf-16"]), Encoding::Utf16);
}

#[test]
fn utf16_when_the_client_offers_only_utf32() {
    run_all(capabilities(&["utf-32"]), Encoding::Utf16);
}

#[test]
fn utf8_when_the_client_offers_it() {
    run_all(capabilities(&["utf-16", "utf-8"]), Encoding::Utf8);
    run_all(capabilities(&["utf-8"]), Encoding::Utf8);
}

/// The client's own position arithmetic, which every test above relies on.
#[test]
fn client_positions_round_trip() {
    let text = "a😀b\r\n°µ± x\rlast\n";
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        for at in 0..=text.len() {
            if !is_position(text, at) {
                continue;
            }
            let (line, character) = position(text, at, encoding);
            assert_eq!(offset(text, line, character, encoding), at);
        }
    }
    assert_eq!(position(text, 5, Encoding::Utf16), (0, 3));
    assert_eq!(position(text, 5, Encoding::Utf8), (0, 5));
    assert_eq!(offset(text, 0, 99, Encoding::Utf16), 6);
    assert_eq!(offset(text, 9, 0, Encoding::Utf16), text.len());
    assert_eq!(line_starts(text), vec![0, 8, 17, 22]);
}
