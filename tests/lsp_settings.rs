//! Client settings (section `noteplate`): from `initializationOptions`, pushed with
//! `workspace/didChangeConfiguration`, or pulled with `workspace/configuration` when the client
//! supports it (after registering for configuration changes with `client/registerCapability`).

mod lsp;

use std::time::Duration;

use lsp::client::*;
use serde_json::{Value, json};

const TEMPLATE: &str = "---
template: Manual therapy follow-up
codes: 97140-GP
payer: medicare
type: daily
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|soft tissue mobilization} to {{region:region}}

## Time
Date of service: {{date_of_service:date}}
Total timed-code minutes: {{timed_minutes:minutes}}
Total treatment minutes: {{total_minutes:minutes}}

## Signature
{{clinician_name}}, PT, {{signed_on:date}}
";

const URI: &str = "file:///settings/follow-up.note";

fn has_missing_response(published: &Value) -> bool {
    rule_ids(&published["diagnostics"]).contains(&"missing-response".to_string())
}

/// The next publishDiagnostics for `URI` whose findings satisfy `wanted`.
fn wait_for(server: &mut Server, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    server.expect(what, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == URI
            && wanted(&m["params"])
    })["params"]
        .clone()
}

fn change_configuration(server: &Server, settings: Value) {
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings }),
    );
}

#[test]
fn pushed_settings_disable_and_reenable_a_rule() {
    // No workspace.configuration capability: the pushed object is used.
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    assert!(has_missing_response(&published), "{published:#}");

    change_configuration(
        &server,
        json!({"noteplate": {"disabledRules": ["missing-response"], "debounceMs": 0}}),
    );
    let published = wait_for(&mut server, "diagnostics without missing-response", |p| {
        !has_missing_response(p)
    });
    assert_eq!(published["version"], 1, "re-analysis of the same version");

    // Severity override instead: back, as a warning.
    change_configuration(
        &server,
        json!({"noteplate": {"severity": {"missing-response": "warning"}, "debounceMs": 0}}),
    );
    let published = wait_for(&mut server, "missing-response again", has_missing_response);
    let finding = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-response")
        .unwrap();
    assert_eq!(finding["severity"], 2, "{finding}");

    // The settings object without the `noteplate` wrapper is accepted too.
    change_configuration(&server, json!({"disabledRules": ["missing-response"]}));
    wait_for(&mut server, "diagnostics without missing-response", |p| {
        !has_missing_response(p)
    });
    server.assert_no_panic();
}

#[test]
fn initialization_options_apply_from_the_start() {
    let mut server = Server::start(
        &[],
        json!({"debounceMs": 0, "disabledRules": ["missing-response"]}),
    );
    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    assert!(!has_missing_response(&published), "{published:#}");
    // Some clients wrap them in the section name.
    let mut server = Server::start(
        &[],
        json!({"noteplate": {"debounceMs": 0, "disabledRules": ["missing-response"]}}),
    );
    server.open(&doc);
    let published = server.diagnostics(URI, Some(1));
    assert!(!has_missing_response(&published), "{published:#}");
}

#[test]
fn pulled_settings_when_the_client_supports_configuration() {
    let mut server = Server::spawn(&[]);
    *server.configuration.lock().unwrap() = json!({"debounceMs": 0});
    let caps = merge(
        capabilities(&[]),
        json!({"workspace": {
            "configuration": true,
            "didChangeConfiguration": {"dynamicRegistration": true}
        }}),
    );
    server.initialize(caps, json!({"debounceMs": 0}));

    // The server registers for configuration changes, then asks for the `noteplate` section.
    let registration = server.server_request("client/registerCapability");
    let registrations = registration["params"]["registrations"].as_array().unwrap();
    assert!(
        registrations
            .iter()
            .any(|r| r["method"] == "workspace/didChangeConfiguration"),
        "{registration:#}"
    );
    let request = server.server_request("workspace/configuration");
    assert_eq!(request["params"]["items"][0]["section"], "noteplate");

    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    let published = wait_for(&mut server, "missing-response", has_missing_response);
    assert_eq!(published["version"], 1);

    // The client's configuration changes; the notification carries nothing useful (as with
    // VS Code after registration) and even a stale pushed object loses to the pulled one.
    *server.configuration.lock().unwrap() =
        json!({"debounceMs": 0, "disabledRules": ["missing-response"]});
    change_configuration(&server, json!({"noteplate": {"disabledRules": []}}));
    server.server_request("workspace/configuration");
    wait_for(&mut server, "diagnostics without missing-response", |p| {
        !has_missing_response(p)
    });

    *server.configuration.lock().unwrap() = json!({"debounceMs": 0});
    change_configuration(&server, Value::Null);
    server.server_request("workspace/configuration");
    wait_for(&mut server, "missing-response back", has_missing_response);
    server.assert_no_panic();
}

#[test]
fn bad_settings_are_reported_and_defaults_used() {
    let mut server = Server::start(&[], json!({"debounceMs": 0}));
    let doc = Doc::new(URI, TEMPLATE, server.encoding);
    server.open(&doc);
    server.diagnostics(URI, Some(1));

    // A wrong type: a warning message, defaults in force (so the finding stays).
    change_configuration(&server, json!({"noteplate": {"debounceMs": "soon"}}));
    let message = server.expect("a warning about the settings", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(message["params"]["type"], 2, "{message}");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid"),
        "{message}"
    );
    let published = wait_for(&mut server, "re-analysis", |_| true);
    assert!(has_missing_response(&published));

    // An unknown rule id: named in the warning; the known one still applies.
    change_configuration(
        &server,
        json!({"noteplate": {"debounceMs": 0, "disabledRules": ["no-such-rule", "missing-response"]}}),
    );
    let message = server.expect("a warning naming the rule", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-rule"),
        "{message}"
    );
    wait_for(&mut server, "diagnostics without missing-response", |p| {
        !has_missing_response(p)
    });

    // The server still answers.
    let (version, text) = server.document_text(URI);
    assert_eq!((version, text.as_str()), (1, TEMPLATE));
    let _ = server.drain(Duration::from_millis(50));
    server.assert_no_panic();
}
