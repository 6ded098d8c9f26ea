//! Whatever the input, parsing and analysis never panic, and what they report is usable: every
//! span (tree, syntax errors, diagnostics, related places, fix edits) lies inside the text on char
//! boundaries, fix edits do not overlap, and the text after applying any one fix parses and
//! analyses under the same invariants. The invariants live in `fuzz/invariants.rs`, shared with
//! the libFuzzer target `fuzz/fuzz_targets/parse_analyse.rs` (which needs nightly); this is the
//! stable stand-in that CI runs.
//!
//! Inputs: arbitrary strings and bytes; token soups built from the syntax's sharp edges (`{{`,
//! `}}`, `{`, `|`, `}`, `***`, `<!--`, `-->`, `---`, `#`, `\r\n`, lone `\r`, tabs, multi-byte
//! characters, emoji, BOM, ...); and realistic generated templates (`benches/generate`) with
//! random splices.
//!
//! A few seconds by default (8,192 cases per property, 2,048 mutated templates). More:
//! `NOTEPLATE_PROPTEST_CASES=500000 cargo test --release --test never_panics` (the count is per
//! property).

use std::sync::OnceLock;

use noteplate::analysis::Settings;
use noteplate::rulepack::RulePack;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

#[path = "../fuzz/invariants.rs"]
mod invariants;

#[path = "../benches/generate/mod.rs"]
mod generate;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::embedded)
}

/// Cases per property: `NOTEPLATE_PROPTEST_CASES`, or `default`.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("NOTEPLATE_PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        // Findings become named regression tests below rather than files in the tree.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    }
}

fn check(text: &str) {
    invariants::check_text(text, pack(), &Settings::default());
    invariants::check_bytes(text.as_bytes(), &Settings::default());
}

/// Pieces that open, close or break constructs, line breaks of every kind, and text that rules
/// look at (codes, technique names, minutes, headings with kinds).
const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{",
    "}",
    "|",
    "||",
    "***",
    "**",
    "*",
    "\\",
    "\\{",
    "\\}",
    "\\*",
    "\\|",
    "\\\\",
    "<!--",
    "-->",
    "<!-- note -->",
    "---",
    "---\n",
    "#",
    "##",
    "## ",
    "###### ",
    "####### ",
    "{#",
    "{#technique}",
    "{#response}",
    "{#nope}",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\t",
    " ",
    "  ",
    ":",
    ",",
    "-",
    "é",
    "°",
    "±",
    "µ",
    "–",
    "’",
    "日本",
    "😀",
    "👩‍⚕️",
    "\u{feff}",
    "\u{200b}",
    "\u{0}",
    "a",
    "text",
    "name",
    "_",
    "x.y",
    "{{name}}",
    "{{pain:number}}",
    "{{t:nubmer}}",
    "{{ a : b }}",
    "{{2x}}",
    "{a|b}",
    "{a||b}",
    "{only}",
    "{|}",
    "codes:",
    "codes: ",
    "payer: ",
    "type: ",
    "template: ",
    "medicare",
    "comercial",
    "daily",
    "97140",
    "97140-GP",
    "97110-GP",
    "97410",
    "G0283-GP-XS",
    "GP",
    "myofascial release",
    "myofacial release",
    "joint mobilization",
    "mobilisation",
    "Maitland",
    "STM",
    "manual therapy",
    "release",
    "traction",
    "15 min",
    "8 minutes",
    "1 unit",
    "units",
    "minutes",
    "Technique",
    "Response",
    "Medical necessity",
    "Time",
    "Signature",
    "date",
    "signed",
    "## Technique\n",
    "## Time\n",
    "## Response\n",
];

fn token_soup() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        8 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|ch| ch.to_string()),
        1 => "[a-zA-Z0-9 ]{1,12}",
    ];
    (proptest::collection::vec(fragment, 0..120), any::<bool>()).prop_map(|(pieces, front)| {
        let body = pieces.concat();
        if front {
            format!("---\ncodes: 97140-GP, 97110\npayer: medicare\n---\n{body}")
        } else {
            body
        }
    })
}

/// A generated template with a few random edits: a fragment inserted or a range removed at
/// random char boundaries (so lines, fields and comments get cut in every possible place).
fn mutated_template() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        0usize..40,
        proptest::sample::select(FRAGMENTS),
    );
    (any::<u64>(), proptest::collection::vec(edit, 0..8)).prop_map(|(seed, edits)| {
        let mut text = generate::template(seed);
        for (at, remove, insert) in edits {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(offset, _)| offset)
                .chain([text.len()])
                .collect();
            let start = boundaries[at.index(boundaries.len())];
            let end_index = boundaries.partition_point(|&offset| offset < start) + remove;
            let end = boundaries[end_index.min(boundaries.len() - 1)];
            text.replace_range(start..end, insert);
        }
        text
    })
}

proptest! {
    #![proptest_config(config(8192))]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn arbitrary_lines(lines in proptest::collection::vec(any::<String>(), 0..20)) {
        check(&lines.join("\n"));
    }

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        invariants::check_bytes(&bytes, &Settings::default());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            invariants::check_text(text, pack(), &Settings::default());
        }
    }

    #[test]
    fn token_soups(text in token_soup()) {
        check(&text);
    }
}

proptest! {
    // Each case is a ~3 KB template analysed once per fix; fewer cases keep the default run short.
    #![proptest_config(config(2048))]

    #[test]
    fn mutated_templates(text in mutated_template()) {
        check(&text);
    }
}

#[test]
fn generated_templates_hold_the_invariants() {
    for seed in 0..50 {
        check(&generate::template(seed));
    }
    check(&generate::document_lines(7, 2_000));
}

#[test]
fn sharp_edges() {
    for text in [
        "",
        "\u{feff}",
        "\u{feff}---\ncodes: 97140\n---\n",
        "---",
        "---\n",
        "---\r\n---\r\n",
        "---\rcodes: 97140\r---\r## Technique\r{a|b}",
        "<!--",
        "<!---->",
        "<!-- a\n-->b\n## x <!-- \n -->",
        "# \n##\n###### \n####### x",
        "{{",
        "}}",
        "{{}}",
        "{{a:}}",
        "{|",
        "\\",
        "a\\",
        "***\r\n***",
        "## Technique\n{myofacial release|}\n",
        "## Technique\n{|myofacial release}\n",
        "## Technique {#technique}\n{😀|}",
        "---\ncodes: 97140-GP, 97140-GP,\n---\n## Time\n15 min\n",
        "---\ncodes: 97140\n---\r\n## Technique\r\n",
    ] {
        check(text);
    }
}
