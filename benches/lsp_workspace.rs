//! The language server's workspace index, measured through the real binary over stdio. Run with
//! `cargo bench --bench lsp_workspace`. Prints a table with each goal beside its figure; exits
//! non-zero only if the server misbehaves, never because a goal is missed.
//!
//! A generated workspace of 5,000 templates (about 45 lines each) and 20 shared fragments; one
//! fragment, `shared/hot.note`, is included by 200 of the templates.
//! - indexing: `initialized` to the end of the indexing `$/progress`, cold (a new server each
//!   run), and the server's peak and current memory (VmHWM, VmRSS) once indexed;
//! - fragment edit: with `workspaceDiagnostics: "workspace"` (pushes), an edit of the open hot
//!   fragment that changes its includers' findings, to the 200th includer's publishDiagnostics;
//! - memory in `workspace` mode: a client that pulls, with `workspaceDiagnostics: "workspace"`,
//!   asks `workspace/diagnostic` once, so every closed file's findings are computed and cached;
//!   then the server's peak and current memory;
//! - cross-file request: `textDocument/references` on a field of an open template, which re-stats
//!   the indexed files and looks for new ones first; with the folders unchanged (a `stat` per
//!   folder), and with every folder's time set just before each request (every folder listed,
//!   which is what the walk did on every request before it skipped unchanged folders);
//! - keystroke: a one-character `didChange` in an open 2,000-line template to its
//!   publishDiagnostics, with the 5,000 files indexed and with no workspace folder.
//!
//! `NOTEPLATE_BENCH_QUICK=1` (or running it without `--bench`, as `cargo test --benches` does)
//! uses 500 templates and fewer samples: a smoke test.

#[path = "../tests/lsp/client.rs"]
#[allow(dead_code)]
mod client;

use std::path::Path;
use std::time::{Duration, Instant};

use client::{Doc, Server, TIMEOUT, capabilities};
use serde_json::{Value, json};

const FRAGMENTS: usize = 20;
const HOT_INCLUDERS: usize = 200;

fn template(n: usize, includes: &[String]) -> String {
    let mut text = format!(
        "---
template: Generated visit {n}
codes: 97140-GP, 97110-GP
payer: medicare
---
# Generated visit {n}
Date of service: {{{{date_of_service:date}}}}

## Medical necessity
Skilled care is needed for {{{{impairment}}}} limiting {{{{limitation_{n}}}}}; goal: ***.

## Technique
- {{joint mobilization|soft tissue mobilization|myofascial release}} to {{{{region:region}}}}
- Grade {{I|II|III|IV}}, {{{{mt_minutes:minutes}}}} minutes
<!-- region {n} -->

## Therapeutic exercise
- {{{{exercise}}}}: {{{{sets:number}}}} x {{{{reps:number}}}}; cued for ***

## Time
Total timed-code minutes: {{{{timed_minutes:minutes}}}}
Total treatment minutes: {{{{total_minutes:minutes}}}}

## Signature
{{{{clinician_name}}}}, {{PT|PTA}}, {{{{signed_on:date}}}}
"
    );
    for include in includes {
        text.push_str(&format!("@include {include}\n"));
    }
    text
}

const RESPONSE: &str =
    "## Response\nPain {{pain_after:number}}/10 after; tolerated {well|poorly}. ***\n";
const NOTES: &str = "## Notes\nSee chart. ***\n";

/// Writes the workspace: `count` templates, 20 fragments, the hot one included by 200.
fn generate(root: &Path, count: usize) {
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("shared/hot.note"), RESPONSE).unwrap();
    for k in 0..FRAGMENTS {
        std::fs::write(root.join(format!("shared/frag-{k}.note")), RESPONSE).unwrap();
    }
    for n in 0..count {
        let folder = root.join(format!("visits/{:02}", n % 50));
        std::fs::create_dir_all(&folder).unwrap();
        let include = if n < HOT_INCLUDERS {
            "../../shared/hot.note".to_string()
        } else {
            format!("../../shared/frag-{}.note", n % FRAGMENTS)
        };
        std::fs::write(
            folder.join(format!("visit-{n}.note")),
            template(n, &[include]),
        )
        .unwrap();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Starts a server (a client that shows progress) on `root` (none: no workspace folder) and
/// waits for the index; returns it with the time from `initialized` to the end of indexing.
fn start(root: Option<&Path>, settings: Value) -> (Server, Duration) {
    let mut server = Server::spawn(&[]);
    let mut caps = capabilities(&[]);
    caps["window"]["workDoneProgress"] = json!(true);
    let folders = root.map(|root| json!([{"uri": uri(root), "name": "bench"}]));
    server.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root.map(uri),
            "workspaceFolders": folders,
            "capabilities": caps,
            "initializationOptions": settings,
        }),
    );
    let started = Instant::now();
    server.notify("initialized", json!({}));
    server.expect("the end of indexing", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let elapsed = started.elapsed();
    server.drain(Duration::from_millis(50));
    (server, elapsed)
}

fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn stop(mut server: Server) {
    server.shutdown_and_exit();
    server.wait_exit(TIMEOUT);
    server.assert_no_panic();
}

/// The fragment edit: each edit switches the hot fragment between a Response section and none,
/// so every includer's findings change and each is published. Returns the time from the edit to
/// the last includer's publishDiagnostics.
fn fragment_edit(root: &Path, edits: usize) -> Vec<Duration> {
    let (mut server, _) = start(
        Some(root),
        json!({"debounceMs": 0, "workspaceDiagnostics": "workspace"}),
    );
    // Let the first publication of the workspace's findings finish.
    while server
        .recv_within(Duration::from_millis(500), |m| {
            m["method"] == "textDocument/publishDiagnostics"
        })
        .is_some()
    {}
    let hot = uri(&root.join("shared/hot.note"));
    let mut doc = Doc::new(&hot, RESPONSE, server.encoding);
    server.open(&doc);
    server.diagnostics(&hot, Some(1));
    let includer = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"]
                .as_str()
                .is_some_and(|u| u.contains("/visit-") && u != hot)
    };
    let mut samples = Vec::new();
    for n in 0..edits {
        let text = if n % 2 == 0 { NOTES } else { RESPONSE };
        doc.version += 1;
        let end = doc.text.len();
        let change = doc.edit(0, end, text);
        let started = Instant::now();
        server.did_change(&doc, vec![change]);
        for _ in 0..HOT_INCLUDERS {
            server.expect("an includer's diagnostics", includer);
        }
        samples.push(started.elapsed());
        server.drain(Duration::from_millis(20));
    }
    stop(server);
    samples
}

/// Memory with every closed file's findings cached: a pull client in `workspace` mode asks for
/// the workspace's diagnostics once. Returns (VmHWM, VmRSS) in kB and how many files reported.
fn workspace_memory(root: &Path) -> (u64, u64, usize) {
    let mut server = Server::spawn(&[]);
    let mut caps = capabilities(&[]);
    caps["window"]["workDoneProgress"] = json!(true);
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    server.result(
        "initialize",
        json!({
            "processId": null,
            "workspaceFolders": [{"uri": uri(root), "name": "bench"}],
            "capabilities": caps,
            "initializationOptions": {"debounceMs": 0, "workspaceDiagnostics": "workspace"},
        }),
    );
    server.notify("initialized", json!({}));
    server.expect("the end of indexing", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let report = server.result("workspace/diagnostic", json!({"previousResultIds": []}));
    let files = report["items"].as_array().map_or(0, Vec::len);
    let memory = (
        proc_status(server.pid(), "VmHWM"),
        proc_status(server.pid(), "VmRSS"),
    );
    stop(server);
    (memory.0, memory.1, files)
}

/// `textDocument/references` on a field of an open template (found in one file: the cost is the
/// re-stat and the look for new files), `samples` times; with `touch`, every folder's time is
/// set to now before each request, so every folder is listed again.
fn cross_file_request(root: &Path, samples: usize, touch: bool) -> Vec<Duration> {
    let (mut server, _) = start(Some(root), json!({"debounceMs": 0}));
    let path = root.join("visits/07/visit-4357.note");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = Doc::new(&uri(&path), &text, server.encoding);
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(1));
    let mut folders: Vec<std::path::PathBuf> =
        vec![root.to_path_buf(), root.join("shared"), root.join("visits")];
    for k in 0..50 {
        folders.push(root.join(format!("visits/{k:02}")));
    }
    // One request first: folders changed while generating are listed until they are 2 s old.
    std::thread::sleep(Duration::from_millis(2100));
    let position = doc.pos_at("limitation_4357", 3);
    let params = json!({"textDocument": doc.ident(), "position": position,
                        "context": {"includeDeclaration": true}});
    let found = server.result("textDocument/references", params.clone());
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let mut times = Vec::new();
    for _ in 0..samples {
        if touch {
            let now = std::time::SystemTime::now();
            for folder in &folders {
                std::fs::File::open(folder)
                    .and_then(|f| f.set_modified(now))
                    .unwrap();
            }
        }
        let started = Instant::now();
        server.result("textDocument/references", params.clone());
        times.push(started.elapsed());
    }
    stop(server);
    times
}

/// A 2,000-line template open beside the workspace (or alone): one-character edits to their
/// publishDiagnostics.
fn keystrokes(root: Option<&Path>, scratch: &Path, edits: usize) -> Duration {
    let (mut server, _) = start(root, json!({"debounceMs": 0}));
    let mut text = template(0, &[]);
    for n in 0..120 {
        text.push_str(&format!(
            "\n### Region {n}\n- {{joint mobilization|myofascial release}} to {{{{region_{n}:region}}}}: ***\n- Pain {{{{pain_{n}:number}}}}/10; tolerated {{well|poorly}}. ***\n"
        ));
        text.push_str(
            &"Free text line for the region, describing the glide and the response.\n".repeat(12),
        );
    }
    let path = scratch.join("latency.note");
    std::fs::write(&path, &text).unwrap();
    let mut doc = Doc::new(&uri(&path), &text, server.encoding);
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(1));
    let at = doc.find("describing the glide") + "describing".len();
    let mut samples = Vec::new();
    for n in 0..edits {
        let change = if n % 2 == 0 {
            doc.edit(at, at, "x")
        } else {
            doc.edit(at, at + 1, "")
        };
        doc.version += 1;
        let started = Instant::now();
        server.did_change(&doc, vec![change]);
        server.diagnostics(&doc.uri, Some(doc.version));
        samples.push(started.elapsed());
    }
    stop(server);
    median(samples)
}

fn main() {
    let quick = std::env::var_os("NOTEPLATE_BENCH_QUICK").is_some()
        || !std::env::args().any(|arg| arg == "--bench");
    let (count, runs, edits, keys) = if quick {
        (500, 1, 4, 20)
    } else {
        (5_000, 5, 11, 200)
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().join("workspace");
    generate(&root, count);
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    println!(
        "noteplate lsp workspace ({} binary), {count} templates + {} fragments",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        FRAGMENTS + 1
    );

    let mut cold = Vec::new();
    let mut memory = (0, 0);
    for _ in 0..runs {
        let (server, elapsed) = start(Some(&root), json!({"debounceMs": 0}));
        cold.push(elapsed);
        memory = (
            proc_status(server.pid(), "VmHWM"),
            proc_status(server.pid(), "VmRSS"),
        );
        stop(server);
    }
    let cold = median(cold);
    println!(
        "index {count} templates cold: median {:.0} ms of {runs} [goal < 2000 ms: {}]",
        ms(cold),
        verdict(ms(cold) < 2000.0)
    );
    println!(
        "memory once indexed: peak (VmHWM) {:.1} MB, now (VmRSS) {:.1} MB [goal < 200 MB: {}]",
        memory.0 as f64 / 1024.0,
        memory.1 as f64 / 1024.0,
        verdict(memory.0 < 200 * 1024)
    );

    let (peak, now, files) = workspace_memory(&root);
    println!(
        "memory in workspace mode, {files} closed files' findings cached: peak (VmHWM) {:.1} MB, now (VmRSS) {:.1} MB [goal < 200 MB: {}]",
        peak as f64 / 1024.0,
        now as f64 / 1024.0,
        verdict(peak < 200 * 1024)
    );

    if count >= 4358 {
        let requests = if quick { 5 } else { 30 };
        for (touch, what) in [(false, "folders unchanged"), (true, "every folder changed")] {
            let samples = cross_file_request(&root, requests, touch);
            let (median, max) = (median(samples.clone()), *samples.iter().max().unwrap());
            println!(
                "cross-file request (references) on {count} files, {what}: median {:.1} ms of {requests} (max {:.1} ms)",
                ms(median),
                ms(max)
            );
        }
    }

    let samples = fragment_edit(&root, edits);
    let edit = median(samples.clone());
    println!(
        "fragment edit -> {HOT_INCLUDERS} closed includers re-checked and published: median {:.1} ms of {edits} (max {:.1} ms) [goal < 300 ms: {}]",
        ms(edit),
        ms(*samples.iter().max().unwrap()),
        verdict(ms(edit) < 300.0)
    );

    let alone = keystrokes(None, &scratch, keys);
    let indexed = keystrokes(Some(&root), &scratch, keys);
    println!(
        "keystroke -> diagnostics, 2,000-line template: median {:.2} ms with {count} files indexed, {:.2} ms without [goal: not worse: {}]",
        ms(indexed),
        ms(alone),
        verdict(ms(indexed) <= ms(alone) * 1.1 + 0.05)
    );
}
