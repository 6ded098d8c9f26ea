//! Replays every input saved under `fuzz/regressions/<target>/` through the same target body the
//! AFL++ fuzzers run (`fuzz/targets.rs`), so a crash found once stays fixed. Also runs each target
//! on its seeds (`fuzz/seeds/<target>/`, also the fuzzers' starting corpus), so the target bodies themselves are exercised on every `cargo test`.

#[path = "../fuzz/invariants.rs"]
mod invariants;
#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

/// Runs `run` on every file of `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`.
fn replay(target: &str, run: fn(&[u8])) {
    let mut count = 0;
    for folder in ["seeds", "regressions"] {
        count += replay_folder(&Path::new("fuzz").join(folder).join(target), target, run);
    }
    assert!(count > 0, "{target}: no seeds and no regression inputs");
}

fn replay_folder(folder: &Path, target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    if !dir.exists() {
        return 0;
    }
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && path.file_name().is_some_and(|name| name != "README.md"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails again", path.display());
        count += 1;
    }
    count
}

#[test]
fn parse_analyse_regressions() {
    replay("parse_analyse", targets::parse_analyse);
}

#[test]
fn fix_regressions() {
    replay("fix", targets::fix);
}

#[test]
fn config_regressions() {
    replay("config", targets::config);
}

#[test]
fn framing_regressions() {
    replay("framing", targets::framing);
}
