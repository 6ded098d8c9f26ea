//! Cross-file navigation through the real binary over stdio (issue 11): `textDocument/rename` and
//! `textDocument/references` of a field used in 500 workspace files (goal: rename under 200 ms),
//! with the server reading the workspace as it does for every request (`State::workspace_files`).
//! Run with `cargo bench --bench lsp_navigate`; `NOTEPLATE_BENCH_QUICK=1` (or running it without
//! `--bench`, as `cargo test --benches` does) takes 5 samples instead of 30. Prints a table and
//! exits non-zero only if the server misbehaves, never because a goal is missed.

#[path = "../tests/lsp/client.rs"]
#[allow(dead_code)]
mod client;

use std::time::{Duration, Instant};

use client::{Doc, Server, capabilities, merge};
use serde_json::{Value, json};

/// A daily-note template of about 40 lines using `{{pain_score:number}}` twice, and other fields.
fn template(seed: usize) -> String {
    format!(
        "---
template: Generated visit {seed}
codes: 97140-GP, 97110-GP
payer: medicare
---
## Medical necessity
Skilled care is needed for {{{{impairment}}}} limiting {{{{functional_limitation}}}}; goal: ***.

## Technique
- {{joint mobilization|soft tissue mobilization}} to {{{{region:region}}}}, grade {{I|II|III|IV}}
- Patient position: {{prone|supine|side-lying}}; rotation {{{{rotation:number}}}}° ± 5°
<!-- Region {seed}: document the direction of the glide. -->

## Therapeutic exercise
- {{{{exercise}}}}: {{{{sets:number}}}} x {{{{reps:number}}}}; cued for ***

## Response
Pain {{{{pain_score:number}}}}/10 before; tolerated {{well|with mild soreness|poorly}}. ***
Pain after treatment: {{{{pain_score:number}}}}/10 (goal {{{{goal_{seed}:number}}}}).

## Time
Date of service: {{{{date_of_service:date}}}}
Total timed-code minutes: {{{{timed_minutes:minutes}}}}
Total treatment minutes: {{{{total_minutes:minutes}}}}

## Signature
{{{{clinician_name}}}}, {{PT|PTA}}, {{{{signed_on:date}}}}
"
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], *samples.last().unwrap())
}

fn main() {
    let quick = std::env::var_os("NOTEPLATE_BENCH_QUICK").is_some()
        || !std::env::args().any(|arg| arg == "--bench");
    let samples = if quick { 5 } else { 30 };
    let files = 500;
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    for index in 0..files {
        let folder = root.join(format!("clinic-{}", index % 10));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("visit-{index}.note")), template(index)).unwrap();
    }
    let root_uri = format!("file://{}", root.display());
    let mut server = Server::spawn(&[]);
    let caps = merge(
        capabilities(&[]),
        json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}),
    );
    server.initialize_result = server.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root_uri,
            "workspaceFolders": [{"uri": root_uri, "name": "bench"}],
            "capabilities": caps,
            "initializationOptions": {"debounceMs": 0},
        }),
    );
    server.notify("initialized", json!({}));
    let path = root.join("clinic-0/visit-0.note");
    let doc = Doc::new(
        &format!("file://{}", path.display()),
        &template(0),
        server.encoding,
    );
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(1));
    let at = json!({"textDocument": doc.ident(), "position": doc.pos_at("pain_score", 3)});

    println!(
        "noteplate lsp navigation ({} binary: {}), {files} files using the field, {samples} samples\n",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        client::binary()
    );
    let mut rename = Vec::new();
    for sample in 0..samples {
        let mut params = at.clone();
        params["newName"] = json!(format!("pain_level_{sample}"));
        let started = Instant::now();
        let edit = server.result("textDocument/rename", params);
        rename.push(started.elapsed());
        let changed = edit["documentChanges"].as_array().map_or(0, Vec::len);
        assert_eq!(
            changed,
            files,
            "every file is edited: {}",
            &edit.to_string()[..200.min(edit.to_string().len())]
        );
    }
    let mut references = Vec::new();
    for _ in 0..samples {
        let mut params = at.clone();
        params["context"] = json!({"includeDeclaration": true});
        let started = Instant::now();
        let found: Value = server.result("textDocument/references", params);
        references.push(started.elapsed());
        assert_eq!(found.as_array().map_or(0, Vec::len), files * 2);
    }
    let (rename_median, rename_max) = median(rename);
    let (references_median, references_max) = median(references);
    println!("| Request | Median | Max | Goal |\n|---|---|---|---|");
    println!(
        "| rename, {files} files | {:.1} ms | {:.1} ms | < 200 ms: {} |",
        ms(rename_median),
        ms(rename_max),
        if ms(rename_median) < 200.0 {
            "met"
        } else {
            "missed"
        }
    );
    println!(
        "| references, {files} files | {:.1} ms | {:.1} ms | |",
        ms(references_median),
        ms(references_max)
    );
    server.shutdown_and_exit();
}
