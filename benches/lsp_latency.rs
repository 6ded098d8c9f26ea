//! Language-server latency and memory, measured through the real binary over stdio, as an editor
//! sees them. Run with `cargo bench --bench lsp_latency` (the bench profile builds the release
//! binary that `CARGO_BIN_EXE_noteplate` points to). Prints a table; exits non-zero only if the
//! server misbehaves, never because a goal is missed (goals are printed beside each figure).
//!
//! - diagnostics: a one-character `didChange` to the `publishDiagnostics` carrying that version,
//!   debounce 0, 200 edits (alternately typing and deleting a character), on a generated 2,000-
//!   and 20,000-line template (and a 40-line one: the protocol's own cost);
//! - completion: 200 `textDocument/completion` requests in a technique section;
//! - memory: VmRSS of the server with 1,000 open 10 KB documents, after all their diagnostics
//!   arrived.
//!
//! `NOTEPLATE_BENCH_QUICK=1` (or running it without `--bench`, as `cargo test --benches` does)
//! runs 20 edits/requests and 100 documents, a smoke test; `NOTEPLATE_BENCH_ONLY=diagnostics`,
//! `completion` or `memory` runs one part;
//! `NOTEPLATE_BENCH_WRITE_TEMPLATES=<folder>` only writes the two generated templates there (to
//! profile `noteplate check` on them).
//! `NOTEPLATE_BENCH_LINES=20000` runs the diagnostics rows of that size only (to profile one).
//! `NOTEPLATE_LSP_BINARY=<path>` measures another server binary with the same client (e.g. the
//! previous release, side by side in one session).

#[path = "../tests/lsp/client.rs"]
#[allow(dead_code)]
mod client;
mod peer;

use std::time::{Duration, Instant};

use client::{Doc, Server, TIMEOUT};
use serde_json::json;

/// A realistic daily-note template of about `lines` lines: front matter with 97140 and 97110,
/// the sections both codes need, and a technique section with one subsection per body region
/// (choices of techniques, typed fields, wildcards, a comment, some non-ASCII text). Clean: the
/// analysis reports nothing, as for a template in daily use.
fn template(lines: usize, seed: usize) -> String {
    let head = format!(
        "---
template: Generated daily note {seed}
codes: 97140-GP, 97110-GP
payer: medicare
type: daily
---
<!--
  Generated for the language-server latency benchmark.
-->

## Medical necessity
Skilled care is needed for {{{{impairment}}}} limiting {{{{functional_limitation}}}}; goal: ***.
Without skilled care the patient cannot progress the home program because ***.

## Technique
- 
"
    );
    let tail = "
## Therapeutic exercise
- {{exercise}}: {{sets:number}} x {{reps:number}}; cued for ***

## Response
Pain {{pain_before:number}}/10 before, {{pain_after:number}}/10 after.
Tolerated treatment {well|with mild soreness|poorly}. ***

## Time
Date of service: {{date_of_service:date}}
Manual therapy: {{mt_minutes:minutes}} min; therapeutic exercise: {{ex_minutes:minutes}} min
Total timed-code minutes: {{timed_minutes:minutes}}
Total treatment minutes: {{total_minutes:minutes}}

## Signature
{{clinician_name}}, {PT|PTA}, {{signed_on:date}}
";
    let mut out = head;
    let mut count = out.lines().count() + tail.lines().count();
    let mut region = 0;
    while count < lines {
        region += 1;
        let i = region;
        let block = format!(
            "
### Region {i}
- {{joint mobilization|mobilization with movement}} to {{{{region_{i}:region}}}}, grade {{I|II|III|IV}}
- {{soft tissue mobilization|myofascial release|trigger point release}} to {{{{tissue_{i}:region}}}}: ***
- Patient position: {{prone|supine|side-lying}}; rotation {{{{rotation_{i}:number}}}}° ± 5°
<!-- Document the direction of the glide for region {i}. -->
- Home exercise {{{{exercise_{i}}}}}: {{{{sets_{i}:number}}}} x {{{{reps_{i}:number}}}}; cued for ***
- Pain {{{{pain_before_{i}:number}}}}/10 before, {{{{pain_after_{i}:number}}}}/10 after; tolerated {{well|with mild soreness|poorly}}. ***
"
        );
        count += block.lines().count();
        out.push_str(&block);
    }
    out.push_str(tail);
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    median: Duration,
    p99: Duration,
    max: Duration,
}

fn summarize(mut samples: Vec<Duration>) -> Figures {
    samples.sort();
    Figures {
        median: percentile(&samples, 0.5),
        p99: percentile(&samples, 0.99),
        max: *samples.last().unwrap(),
    }
}

fn start() -> Server {
    // A UTF-16 client, like VS Code: the more expensive position encoding.
    Server::start(&[], json!({"debounceMs": 0}))
}

/// Where the benchmarks type: into a response line in a region subsection in the middle of the
/// document, or into the response section of a small template.
fn edit_point(text: &str, lines: usize) -> usize {
    match text.match_indices("; tolerated").nth(lines / 16) {
        Some((anchor, _)) => anchor + "; tolerated".len(),
        None => text.find("Tolerated treatment").expect("a response line") + "Tolerated".len(),
    }
}

/// didChange (one character) to publishDiagnostics with that version.
fn diagnostics_latency(lines: usize, edits: usize) -> (Figures, usize, usize) {
    let mut server = start();
    let text = template(lines, 0);
    let mut doc = Doc::new("file:///bench/latency.note", &text, server.encoding);
    server.open(&doc);
    let first = server.diagnostics(&doc.uri, Some(1));
    let findings = first["diagnostics"].as_array().map_or(0, Vec::len);
    let at = edit_point(&text, lines);
    let mut samples = Vec::with_capacity(edits);
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
    assert_eq!(
        server.document_text(&doc.uri),
        (doc.version, doc.text.clone())
    );
    server.shutdown_and_exit();
    server.wait_exit(TIMEOUT);
    server.assert_no_panic();
    (summarize(samples), text.len(), findings)
}

/// textDocument/completion on the empty list item of the technique section.
fn completion_latency(lines: usize, requests: usize) -> Figures {
    let mut server = start();
    let doc = Doc::new(
        "file:///bench/completion.note",
        &template(lines, 1),
        server.encoding,
    );
    server.open(&doc);
    server.diagnostics(&doc.uri, Some(1));
    let cursor = doc.find("## Technique\n- \n") + "## Technique\n- ".len();
    let position = doc.pos(cursor);
    let mut samples = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let result = server.result(
            "textDocument/completion",
            json!({"textDocument": doc.ident(), "position": position}),
        );
        samples.push(started.elapsed());
        assert!(
            client::labels(&result)
                .iter()
                .any(|l| l == "myofascial release")
        );
    }
    server.shutdown_and_exit();
    server.wait_exit(TIMEOUT);
    summarize(samples)
}

/// A number field of `/proc/PID/status` (`VmRSS` in KiB, `Threads`).
fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn rss_kib(pid: u32) -> u64 {
    proc_status(pid, "VmRSS")
}

/// VmRSS (KiB) idle and with `count` open documents of about 10 KB after all their diagnostics
/// arrived, the documents' average size, and the server's thread count then.
fn memory(count: usize) -> (u64, u64, usize, u64) {
    let mut server = start();
    let idle = rss_kib(server.pid());
    let mut bytes = 0;
    for n in 0..count {
        let text = template(165, n);
        bytes += text.len();
        let doc = Doc::new(
            &format!("file:///bench/memory/{n}.note"),
            &text,
            server.encoding,
        );
        server.open(&doc);
    }
    for n in 0..count {
        server.diagnostics(&format!("file:///bench/memory/{n}.note"), Some(1));
    }
    let loaded = rss_kib(server.pid());
    let threads = proc_status(server.pid(), "Threads");
    server.shutdown_and_exit();
    server.wait_exit(TIMEOUT);
    (idle, loaded, bytes / count, threads)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn main() {
    if let Some(folder) = std::env::var_os("NOTEPLATE_BENCH_WRITE_TEMPLATES") {
        // For profiling outside the server: `noteplate check <folder>/latency-2000.note`.
        for lines in [2_000, 20_000] {
            let path = std::path::Path::new(&folder).join(format!("latency-{lines}.note"));
            std::fs::write(&path, template(lines, 0)).expect("write template");
            println!("wrote {}", path.display());
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` does not and gets the smoke test.
    let quick = std::env::var_os("NOTEPLATE_BENCH_QUICK").is_some()
        || !std::env::args().any(|arg| arg == "--bench");
    let (edits, documents) = if quick { (20, 100) } else { (200, 1000) };
    println!(
        "noteplate lsp latency ({} binary: {})",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        client::binary()
    );
    println!(
        "{edits} samples each, debounce 0, UTF-16 client, wall-clock through the stdio pipes\n"
    );

    // `NOTEPLATE_BENCH_ONLY=diagnostics|completion|memory` runs one part.
    let only = std::env::var("NOTEPLATE_BENCH_ONLY").unwrap_or_default();
    let runs = |part: &str| only.is_empty() || only == part;
    // (lines, median goal, p99 goal); the 40-line template is the protocol's floor.
    // Issue 12's goals: median 0.5 ms and 3 ms, p99 within 3x of the median.
    let sizes = [
        (40usize, None, None),
        (2_000, Some(0.5), Some(1.5)),
        (20_000, Some(3.0), Some(9.0)),
    ];
    let goal = |figure: Duration, goal: Option<f64>| {
        goal.map_or(String::new(), |goal: f64| {
            format!(" [goal < {goal} ms: {}]", verdict(ms(figure) < goal))
        })
    };
    // `NOTEPLATE_BENCH_LINES=<n>`: only the diagnostics rows of that size.
    let only_lines: Option<usize> = std::env::var("NOTEPLATE_BENCH_LINES")
        .ok()
        .and_then(|lines| lines.parse().ok());
    let size_runs = |lines: usize| only_lines.is_none_or(|only| only == lines);
    for (lines, median_goal, p99_goal) in sizes
        .into_iter()
        .filter(|&(lines, _, _)| runs("diagnostics") && size_runs(lines))
    {
        let (figures, bytes, findings) = diagnostics_latency(lines, edits);
        println!(
            "didChange -> publishDiagnostics, {lines:>6} lines ({:>5} KB, {findings} findings): median {:>7.2} ms{}  p99 {:>7.2} ms{}  max {:>7.2} ms",
            bytes / 1024,
            ms(figures.median),
            goal(figures.median, median_goal),
            ms(figures.p99),
            goal(figures.p99, p99_goal),
            ms(figures.max),
        );
    }
    // `NOTEPLATE_BENCH_PEER=<harper-ls>`: the same edits on the same text through the peer,
    // alternately, in this run (`benches/peer-latency.sh`).
    if let Some(peer) = std::env::var_os("NOTEPLATE_BENCH_PEER").filter(|_| runs("diagnostics")) {
        let peer = peer.to_string_lossy();
        println!("\nside by side with {peer} (the same text as Markdown, full sync), alternating:");
        for (lines, median_goal, p99_factor) in [(2_000, 0.5, 3.0), (20_000, 3.0, 3.0)]
            .into_iter()
            .filter(|&(lines, _, _)| size_runs(lines))
        {
            let text = template(lines, 0);
            let (ours, theirs) = peer::side_by_side(&peer, &text, edit_point(&text, lines), edits);
            let ratio = ms(ours.median) / ms(theirs.median);
            println!(
                "{lines:>6} lines: noteplate median {:>6.2} ms p99 {:>6.2} ms | peer median {:>6.2} ms p99 {:>6.2} ms | ratio {ratio:.2} [goals: median < {median_goal} ms: {}, p99 <= {p99_factor}x median: {}, ratio <= 0.55: {}]",
                ms(ours.median),
                ms(ours.p99),
                ms(theirs.median),
                ms(theirs.p99),
                verdict(ms(ours.median) < median_goal),
                verdict(ms(ours.p99) <= p99_factor * ms(ours.median)),
                verdict(ratio <= 0.55),
            );
        }
    }
    for lines in [2_000, 20_000].into_iter().filter(|_| runs("completion")) {
        let figures = completion_latency(lines, edits);
        println!(
            "completion in a technique section, {lines:>6} lines: median {:>7.2} ms [goal < 5 ms: {}]  p99 {:>7.2} ms  max {:>7.2} ms",
            ms(figures.median),
            verdict(ms(figures.median) < 5.0),
            ms(figures.p99),
            ms(figures.max),
        );
    }
    if !runs("memory") {
        return;
    }
    let (idle, loaded, average, threads) = memory(documents);
    println!(
        "memory: VmRSS {:.1} MB with {documents} open documents of ~{:.1} KB after their diagnostics [goal < 150 MB: {}] (idle: {:.1} MB; {threads} threads)",
        loaded as f64 / 1024.0,
        average as f64 / 1024.0,
        verdict(loaded < 150 * 1024),
        idle as f64 / 1024.0,
    );
}
