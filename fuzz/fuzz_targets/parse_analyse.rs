//! Arbitrary bytes into the parser and every rule: through `analyze_text` when they are UTF-8
//! (with every fix applied and re-analysed), and always through the CLI's `check_bytes`.
//! Asserts the invariants in `fuzz/invariants.rs`; any panic is a finding.
//!
//! `cargo +nightly fuzz run parse_analyse` (from the repository root). Seed corpus: the
//! `examples/*.note` templates are a good start: `cargo +nightly fuzz run parse_analyse
//! fuzz/corpus/parse_analyse examples`.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use noteplate::analysis::Settings;
use noteplate::rulepack::RulePack;

#[path = "../invariants.rs"]
mod invariants;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::embedded)
}

fuzz_target!(|data: &[u8]| {
    let settings = Settings::default();
    if let Ok(text) = std::str::from_utf8(data) {
        invariants::check_text(text, pack(), &settings);
    }
    invariants::check_bytes(data, pack(), &settings);
});
