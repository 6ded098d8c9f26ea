//! `noteplate/render`: the preview page of an open document, through the protocol. The page is
//! the one `noteplate export --to html` writes (its details are tested in `interop::html`); these
//! tests check that the server renders the current, unsaved text with its findings and version,
//! and refuses documents that are not open.

mod lsp;

use lsp::client::*;
use serde_json::json;

const URI: &str = "file:///render/follow-up.note";

/// 97140 without a response section; an include the preview names but does not inline.
const TEMPLATE: &str = "---
template: Follow-up <script>alert(1)</script>
codes: 97140-GP
---
Date of service: {{date_of_service:date}}

## Medical necessity
Skilled care is needed for {{impairment}}; goal: ***.

## Technique
- {joint mobilization|myofascial release} to {{region:region}}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
@include shared/signature.note
";

fn render(server: &mut Server, uri: &str) -> serde_json::Value {
    server.result("noteplate/render", json!({"textDocument": {"uri": uri}}))
}

#[test]
fn renders_the_open_document_with_its_findings() {
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let mut doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    let result = render(&mut server, URI);
    assert_eq!(result["version"], 1);
    let html = result["html"].as_str().expect("html is a string");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Follow-up &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert!(!html.contains("<script"), "{html}");
    for heading in ["Medical necessity", "Technique", "Time"] {
        assert!(
            html.contains(&format!(
                ">{heading} <span class=\"badge\">required</span></h2>"
            )) || html.contains(&format!(">{heading}</h2>")),
            "{heading} missing: {html}"
        );
    }
    assert!(html.contains("<input type=\"date\" id=\"field-date_of_service\""));
    assert!(html.contains("<select id=\"choice-1\""));
    assert!(html.contains("<textarea id=\"text-1\""));
    // The findings the diagnostics carry, with severity and line: the missing response (line 3).
    assert!(
        html.contains("<h2 id=\"findings-title\">Findings"),
        "{html}"
    );
    assert!(
        html.contains("<li class=\"error\"><span class=\"severity\">error</span>: `97140` needs the patient&#39;s response"),
        "{html}"
    );
    assert!(html.contains("(line 3)</span>"));
    // The include is a note naming the fragment.
    assert!(
        html.contains("<code>shared/signature.note</code>"),
        "{html}"
    );

    // An unsaved edit that adds the response: the next render shows it, with the new version,
    // and the finding is gone.
    let at = doc.find("## Time");
    doc.version = 2;
    let change = doc.edit(
        at,
        at,
        "## Response\nTolerated treatment {well|poorly}.\n\n",
    );
    server.did_change(&doc, vec![change]);
    let result = render(&mut server, URI);
    assert_eq!(result["version"], 2);
    let html = result["html"].as_str().expect("html");
    assert!(
        html.contains(">Response <span class=\"badge\">required</span></h2>"),
        "{html}"
    );
    assert!(!html.contains("needs the patient&#39;s response"), "{html}");
    let response = html.find(">Response ").unwrap();
    assert!(html.find(">Technique ").unwrap() < response && response < html.find(">Time").unwrap());

    server.shutdown_and_exit();
    server.assert_no_panic();
}

#[test]
fn a_document_that_is_not_open_is_an_error_that_says_so() {
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let response = server.request(
        "noteplate/render",
        json!({"textDocument": {"uri": "file:///render/closed.note"}}),
    );
    let message = response["error"]["message"].as_str().expect("an error");
    assert!(message.contains("is not open"), "{message}");
    // Malformed params: an error, and the server stays up.
    let response = server.request("noteplate/render", json!({"textDocument": {}}));
    assert!(response.get("error").is_some(), "{response}");
    let doc = Doc::new(URI, "## A\nx\n", server.encoding);
    server.open(&doc);
    let result = render(&mut server, URI);
    assert!(
        result["html"]
            .as_str()
            .unwrap()
            .contains("<h2 id=\"section-1-a\">A</h2>")
    );
    server.shutdown_and_exit();
    server.assert_no_panic();
}
