//! The bodies of the fuzz targets, shared by the AFL++ binaries (`fuzz/src/bin/*.rs`) and by
//! `tests/fuzz_regressions.rs`, which replays every input saved under `fuzz/regressions/<target>/`
//! on every `cargo test`. Each target panics, naming the broken invariant, when one fails; a
//! fuzzer reports that as a crash.
//!
//! - `parse_analyse`: any bytes through the parser and every rule (`invariants::check_text`,
//!   `invariants::check_bytes`).
//! - `fix`: what `check --fix` does to a text, round by round: the safe edits chosen each round
//!   are sorted, disjoint, in bounds and on char boundaries; applying them changes only what they
//!   cover; every fixed text analyses under the same invariants.
//! - `config`: any bytes as a `noteplate.toml`: a configuration or an error with a message and a
//!   position inside the file, never a panic.
//! - `framing`: any bytes as the language server's input stream: the frame reader ends, every
//!   frame consumes input, bodies are never longer than the input, and a body re-encoded with
//!   `encode` reads back unchanged; a lone-surrogate repair keeps the body's length.

#![allow(dead_code)]

use std::sync::OnceLock;

use noteplate::analysis::{Settings, analyze_text, safe_fix_edits};
use noteplate::rulepack::RulePack;

use crate::invariants;

/// Rounds of fixes, as `check --fix` (`cli/fix.rs`) applies at most.
const FIX_ROUNDS: usize = 5;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::embedded)
}

pub fn parse_analyse(data: &[u8]) {
    let settings = Settings::default();
    if let Ok(text) = std::str::from_utf8(data) {
        invariants::check_text(text, pack(), &settings);
    }
    invariants::check_bytes(data, &settings);
}

pub fn fix(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let settings = Settings::default();
    let mut text = text.to_string();
    let mut analysis = analyze_text(&text, pack(), &settings);
    for _ in 0..FIX_ROUNDS {
        let edits = safe_fix_edits(&analysis.diagnostics);
        if edits.is_empty() {
            break;
        }
        for edit in &edits {
            invariants::check_span(&text, edit.span, "safe fix edit");
        }
        for pair in edits.windows(2) {
            assert!(
                pair[0].span.end <= pair[1].span.start,
                "safe fix edits overlap or are unsorted: {:?} then {:?}",
                pair[0].span,
                pair[1].span
            );
        }
        let fixed = noteplate::cli::apply_edits(&text, &edits);
        let removed: usize = edits.iter().map(|edit| edit.span.len()).sum();
        let inserted: usize = edits.iter().map(|edit| edit.new_text.len()).sum();
        assert_eq!(
            fixed.len(),
            text.len() - removed + inserted,
            "applying the safe edits changed text outside them"
        );
        if let (Some(first), Some(last)) = (edits.first(), edits.last()) {
            assert_eq!(
                &fixed[..first.span.start],
                &text[..first.span.start],
                "text before the first edit changed"
            );
            let tail = text.len() - last.span.end;
            assert_eq!(
                &fixed[fixed.len() - tail..],
                &text[last.span.end..],
                "text after the last edit changed"
            );
        }
        analysis = analyze_text(&fixed, pack(), &settings);
        invariants::check_analysis(&fixed, &analysis);
        text = fixed;
    }
}

pub fn config(data: &[u8]) {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temporary folder for the config target");
    }
    DIR.with(|dir| {
        let path = dir.path().join("noteplate.toml");
        std::fs::write(&path, data).expect("write the config under test");
        if let Err(error) = noteplate::config::load(&path) {
            let message = error.to_string();
            assert!(!message.is_empty(), "a config error without a message");
        }
    });
}

pub fn framing(data: &[u8]) {
    use noteplate::lsp::transport::{Frame, FrameReader, encode};
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime for the framing target");
    }
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let mut reader = FrameReader::new(data);
            let mut frames = 0usize;
            while let Some(frame) = reader
                .read_frame()
                .await
                .expect("reading a slice never fails")
            {
                frames += 1;
                assert!(
                    frames <= data.len() + 1,
                    "more frames than input bytes: the reader does not advance"
                );
                if let Frame::Body(body) = frame {
                    assert!(body.len() <= data.len(), "a body longer than the input");
                    if let Some(repaired) = noteplate::lsp::transport::repair_lone_surrogates(&body)
                    {
                        // Positions after the repair must stay where the client meant them.
                        assert_eq!(
                            repaired.len(),
                            body.len(),
                            "a surrogate repair changed the length"
                        );
                        assert!(!serde_json_ok(&body), "a body that parsed needed a repair");
                    }
                    let encoded = encode(&body);
                    let mut again = FrameReader::new(&encoded[..]);
                    match again
                        .read_frame()
                        .await
                        .expect("reading a slice never fails")
                    {
                        Some(Frame::Body(read)) => {
                            assert_eq!(read, body, "an encoded body reads back different")
                        }
                        Some(Frame::Bad(why)) => panic!("an encoded body reads back as bad: {why}"),
                        None => panic!("an encoded body reads back as nothing"),
                    }
                }
            }
        });
    });
}

fn serde_json_ok(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
}
