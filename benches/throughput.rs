//! Parse and parse+analyse throughput on generated templates (see `generate/mod.rs`).
//!
//! Run with `cargo bench --bench throughput`; divan prints time per iteration and, from the
//! `BytesCount` counter, throughput in MB/s. Sizes:
//! - `template_3kb`: 100 typical ~3 KB templates per iteration (what `noteplate check` sees);
//! - `lines_2k` / `lines_20k`: one 2,000-line / 20,000-line document (the language server's
//!   full re-parse+analyse budget is 5 ms / 25 ms);
//! - `mb_1`: one document of about 1 MB;
//! - `files`: the `*.note` files under `NOTEPLATE_BENCH_DIR` (default `examples/`), to measure or
//!   profile real templates: `NOTEPLATE_BENCH_DIR=some/file.note cargo bench --bench throughput
//!   -- files`;
//! - `realistic`: every template of `examples/` and `tests/realworld/` (real templates others
//!   wrote, translated faithfully).
//!
//! `parse_without_fast_path` is `parse` with every line read by pest alone: the two rows side by
//! side show what the hand-written fast path of `src/syntax/fast.rs` buys.
//!
//! Goals and results: `docs/performance.md`.

use std::sync::OnceLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use noteplate::analysis::{Input, Settings, analyze_text};
use noteplate::rulepack::RulePack;

mod generate;

fn main() {
    divan::main();
}

const SIZES: &[&str] = &[
    "template_3kb",
    "lines_2k",
    "lines_20k",
    "mb_1",
    "files",
    "realistic",
];

/// The documents of one size (one document, or 100 templates), generated once.
fn documents(size: &str) -> &'static [String] {
    static TEMPLATES: OnceLock<Vec<String>> = OnceLock::new();
    static LINES_2K: OnceLock<Vec<String>> = OnceLock::new();
    static LINES_20K: OnceLock<Vec<String>> = OnceLock::new();
    static MB_1: OnceLock<Vec<String>> = OnceLock::new();
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    static REALISTIC: OnceLock<Vec<String>> = OnceLock::new();
    match size {
        "template_3kb" => TEMPLATES.get_or_init(|| (0..100).map(generate::template).collect()),
        "lines_2k" => LINES_2K.get_or_init(|| vec![generate::document_lines(2, 2_000)]),
        "lines_20k" => LINES_20K.get_or_init(|| vec![generate::document_lines(20, 20_000)]),
        "mb_1" => MB_1.get_or_init(|| vec![generate::document_bytes(1, 1 << 20)]),
        "files" => FILES.get_or_init(|| {
            read_files(
                std::env::var_os("NOTEPLATE_BENCH_DIR")
                    .map(std::path::PathBuf::from)
                    .unwrap_or_else(|| manifest_path("examples")),
            )
        }),
        "realistic" => REALISTIC.get_or_init(|| {
            let mut all = read_files(manifest_path("examples"));
            all.extend(read_files(manifest_path("tests/realworld")));
            all
        }),
        other => panic!("unknown size {other}"),
    }
}

fn manifest_path(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The `*.note` files under `root` (a folder or one file), sorted by path.
fn read_files(root: std::path::PathBuf) -> Vec<String> {
    let mut paths = Vec::new();
    let mut pending = vec![root];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read the folder") {
                pending.push(entry.expect("read the folder").path());
            }
        } else if path
            .extension()
            .is_some_and(|extension| extension == "note")
        {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| {
            String::from_utf8_lossy(&std::fs::read(path).expect("read a file")).into_owned()
        })
        .collect()
}

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::embedded)
}

fn bytes(documents: &[String]) -> BytesCount {
    BytesCount::new(documents.iter().map(String::len).sum::<usize>())
}

/// `syntax::parse` only.
#[divan::bench(args = SIZES)]
fn parse(bencher: Bencher, size: &str) {
    let documents = documents(size);
    bencher
        .counter(bytes(documents))
        .counter(ItemsCount::new(documents.len()))
        .bench(|| {
            for text in documents {
                black_box(noteplate::syntax::parse(black_box(text)));
            }
        });
}

/// `parse` with every line read by pest alone (`syntax::parse_without_fast_path`): what the
/// fast path of `src/syntax/fast.rs` buys is this row over `parse`.
#[divan::bench(args = SIZES)]
fn parse_without_fast_path(bencher: Bencher, size: &str) {
    let documents = documents(size);
    bencher
        .counter(bytes(documents))
        .counter(ItemsCount::new(documents.len()))
        .bench(|| {
            for text in documents {
                black_box(noteplate::syntax::parse_without_fast_path(black_box(text)));
            }
        });
}

/// `analysis::analyze_text`: parse, semantics and every rule, as the CLI and the server run it.
#[divan::bench(args = SIZES)]
fn parse_analyse(bencher: Bencher, size: &str) {
    let documents = documents(size);
    let pack = pack();
    let settings = Settings::default();
    bencher
        .counter(bytes(documents))
        .counter(ItemsCount::new(documents.len()))
        .bench(|| analyse_all(documents, pack, &settings));
}

fn analyse_all(documents: &[String], pack: &RulePack, settings: &Settings) {
    for text in documents {
        black_box(analyze_text(black_box(text), pack, settings));
    }
}

/// `parse_analyse` with nothing remembered from earlier analyses (the per-run memo of
/// `analysis/technique_runs.rs` emptied before each sample): what `noteplate check` pays for a
/// file whose lines it has never seen. `parse_analyse` re-analyses the same text, as the language
/// server does after a keystroke.
#[divan::bench(args = SIZES)]
fn parse_analyse_cold(bencher: Bencher, size: &str) {
    let documents = documents(size);
    let pack = pack();
    let settings = Settings::default();
    bencher
        .counter(bytes(documents))
        .counter(ItemsCount::new(documents.len()))
        .with_inputs(noteplate::analysis::forget_remembered_runs)
        .bench_local_values(|()| analyse_all(documents, pack, &settings));
}

/// `analysis::analyze` over an existing parse: semantics and the rules alone.
#[divan::bench(args = SIZES)]
fn analyse_only(bencher: Bencher, size: &str) {
    let documents = documents(size);
    let parses: Vec<_> = documents
        .iter()
        .map(|text| noteplate::syntax::parse(text))
        .collect();
    let pack = pack();
    let settings = Settings::default();
    bencher
        .counter(bytes(documents))
        .counter(ItemsCount::new(documents.len()))
        .with_inputs(|| parses.clone())
        .bench_local_values(|parses| {
            // Returned, so freeing the analyses is not timed.
            documents
                .iter()
                .zip(parses)
                .map(|(text, parse)| {
                    noteplate::analysis::with_thread_memo(|memo| {
                        noteplate::analysis::analyze(
                            Input::new(black_box(text), pack, &settings),
                            parse,
                            memo,
                        )
                    })
                })
                .collect::<Vec<_>>()
        });
}
