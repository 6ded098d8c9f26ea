//! 5,000 random incremental edits sent back to back (no waiting, debounce 0): inserts, deletes
//! and replacements with multi-byte characters (`°µ±é😀`) and `\n`, `\r\n` and lone `\r` line
//! breaks, at positions the client computes in the negotiated encoding from its own copy of the
//! text. Afterwards the server's text must equal the client's byte for byte, with the last
//! version, its diagnostics must be those of that text, and nothing may have panicked.

mod lsp;

use lsp::client::*;
use noteplate::analysis::{Settings, analyze_text};
use noteplate::rulepack::RulePack;
use serde_json::{Value, json};

const EDITS: usize = 5_000;

/// xorshift64: tiny, seeded, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const PIECES: &[&str] = &[
    "a",
    "b",
    "x",
    " ",
    " ",
    "°",
    "µ",
    "±",
    "é",
    "😀",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "|",
    "## ",
    "- ",
    "---\n",
    "myofascial release",
    "{{m:minutes}}",
    "{a|b}",
    "***",
    "97140",
    "°µ±é😀",
];

/// A random offset that is a valid LSP position in `text` (a character boundary, not between
/// the `\r` and `\n` of a line break).
fn random_offset(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !is_position(text, at) {
        at -= 1;
    }
    at
}

fn random_insert(rng: &mut Rng) -> String {
    let pieces = 1 + rng.below(4);
    (0..pieces)
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

/// One random content change, applied to `doc` (the client's copy).
fn random_change(rng: &mut Rng, doc: &mut Doc) -> Value {
    let long = doc.text.len() > 6_000;
    let kind = rng.below(100);
    if kind < 1 {
        // Rarely, a full-text replacement (of an edited copy).
        let at = random_offset(rng, &doc.text);
        doc.text.insert_str(at, &random_insert(rng));
        return json!({"text": doc.text});
    }
    let start = random_offset(rng, &doc.text);
    let deleting = if long { kind < 70 } else { kind < 35 };
    let inserting = !deleting || rng.chance(30);
    let end = if deleting {
        let mut end = (start + 1 + rng.below(12)).min(doc.text.len());
        while !is_position(&doc.text, end) {
            end += 1;
        }
        end
    } else {
        start
    };
    let new_text = if inserting {
        random_insert(rng)
    } else {
        String::new()
    };
    doc.edit(start, end, &new_text)
}

fn stress(encodings: &[&str], expected: Encoding, seed: u64, initial: &str) {
    let mut server = Server::start(encodings, json!({"debounceMs": 0}));
    assert_eq!(server.encoding, expected);
    let mut doc = Doc::new("file:///stress/template.note", initial, server.encoding);
    server.open(&doc);
    let mut rng = Rng(seed);
    for _ in 0..EDITS {
        let changes = 1 + usize::from(rng.chance(15)) + usize::from(rng.chance(5));
        let changes: Vec<Value> = (0..changes)
            .map(|_| random_change(&mut rng, &mut doc))
            .collect();
        doc.version += 1;
        server.did_change(&doc, changes);
    }
    assert_ne!(doc.text, initial);
    println!(
        "{EDITS} edits: {} bytes, {} lines, {} non-ASCII characters, {} CR",
        doc.text.len(),
        line_starts(&doc.text).len(),
        doc.text.chars().filter(|c| !c.is_ascii()).count(),
        doc.text.matches('\r').count()
    );
    let (version, text) = server.document_text(&doc.uri);
    assert_eq!(version, doc.version, "the last version");
    if text != doc.text {
        let common = text
            .bytes()
            .zip(doc.text.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        panic!(
            "server and client texts differ from byte {common} (server {} bytes, client {} bytes)\nserver: {:?}\nclient: {:?}",
            text.len(),
            doc.text.len(),
            &text[common.saturating_sub(40).min(text.len())..(common + 40).min(text.len())],
            &doc.text
                [common.saturating_sub(40).min(doc.text.len())..(common + 40).min(doc.text.len())],
        );
    }

    // The last version is analysed and published, with the findings of exactly this text.
    let published = server.diagnostics(&doc.uri, Some(doc.version));
    let expected = analyze_text(&doc.text, &RulePack::embedded(), &Settings::default());
    let mut want: Vec<(String, Value)> = expected
        .diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), doc.range(d.span.start, d.span.end)))
        .collect();
    let mut got: Vec<(String, Value)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"].clone()))
        .collect();
    want.sort_by_key(|(rule, range)| (rule.clone(), range.to_string()));
    got.sort_by_key(|(rule, range)| (rule.clone(), range.to_string()));
    assert_eq!(got, want);

    server.shutdown_and_exit();
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));
    server.assert_no_panic();
}

const TEMPLATE: &str = "---
template: Manual therapy °µ± visit
codes: 97140-GP, 97110-GP
payer: medicare
---
## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}; goal: ***.

## Technique
- {joint mobilization|myofascial release} to {{region:region}} 😀 ± 5°
- soft tissue mobilization é
";

#[test]
fn five_thousand_random_edits_utf16() {
    stress(
        &["utf-16"],
        Encoding::Utf16,
        0x9E37_79B9_7F4A_7C15,
        TEMPLATE,
    );
}

#[test]
fn five_thousand_random_edits_utf8() {
    stress(
        &["utf-8", "utf-16"],
        Encoding::Utf8,
        0xD1B5_4A32_D192_ED03,
        TEMPLATE,
    );
}

#[test]
fn five_thousand_random_edits_crlf_document_utf16() {
    let crlf = TEMPLATE.replace('\n', "\r\n");
    stress(&[], Encoding::Utf16, 0x2545_F491_4F6C_DD1D, &crlf);
}
