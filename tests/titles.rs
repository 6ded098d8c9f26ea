//! Recognition on a bank of real section titles: `tests/data/real-titles.toml` holds headings and
//! labelled-line titles copied verbatim from public therapy documentation (PT, OT, SLP,
//! chiropractic), each labelled, before the recogniser was run on it, with the section kind a payer
//! reviewer would read it as (`none` when it is none of the pack's kinds). Each title goes through
//! the one recognition path the linter uses ([`Semantics`]): as a heading (`## Title`) or, when
//! the source used it on a line, as a label (`Title: {{x}}`).
//!
//! - right: the expected kind is among the kinds the title gets (a kind whose `counts_as` holds
//!   the expected kind counts: a SOAP `Objective` holds the findings);
//! - wrong: the title gets kinds, none of them the expected one (worse than unrecognised: it can
//!   hide a missing section or invent one); for a `none` title, any kind is wrong;
//! - unrecognised: no kind (a heading's low-confidence guess does not count, as in the linter);
//!   for a `none` title, no kind is right.
//!
//! The bank is harvested in batches (`batch`, 1 when absent), each with its own random 25%
//! `held_out` quarter that is not looked at while fixing recognition. It prints the score of each
//! batch's fixing part and held-out quarter (wrong kinds split into `none` titles given a kind and
//! one kind read as another), the score per kind (the held-out quarters of batches 2 and 3 only as
//! a whole), lists the wrong and unrecognised titles of the fixing parts (the held-out ones only
//! with `NOTEPLATE_TITLES_SHOW_HELD_OUT=1`), and fails below the goals set from the measured numbers
//! (docs/accuracy.md, "A bank of real section titles", "Title bank, batch 2" and "batch 3").

use std::collections::{BTreeMap, BTreeSet};

use noteplate::analysis::{Semantics, Settings};
use noteplate::rulepack::RulePack;
use serde::Deserialize;

/// Goals on batch 1 of the bank, the numbers measured after the batch-2 fixes (docs/accuracy.md,
/// "Title bank, batch 2"): no more wrong kinds, and no lower a right share (264 of 306, 0.863).
const WRONG_MAX: usize = 12;
const RECOGNISED_SHARE_MIN: f64 = 0.862;

/// Goals on batch 2 (docs/accuracy.md, "Title bank, batch 2" and "Title bank, batch 3"), for its
/// fixing part and its held-out quarter apart: at most this many wrong kinds, at least this many
/// right (after the batch-3 fixes: fixing part 135 right of 166, 8 wrong; held out 35 right of 56,
/// 9 wrong; first run 112/12 and 31/10).
const BATCH2_FIXING_WRONG_MAX: usize = 8;
const BATCH2_FIXING_RIGHT_MIN: usize = 135;
const BATCH2_HELD_OUT_WRONG_MAX: usize = 9;
const BATCH2_HELD_OUT_RIGHT_MIN: usize = 35;

/// Goals on batch 3 (docs/accuracy.md, "Title bank, batch 3"), measured after its fixes: fixing part
/// 206 right of 323, 24 wrong (first run 188/35); held out 68 right of 107, 6 wrong (first run 67/7).
const BATCH3_FIXING_WRONG_MAX: usize = 24;
const BATCH3_FIXING_RIGHT_MIN: usize = 206;
const BATCH3_HELD_OUT_WRONG_MAX: usize = 6;
const BATCH3_HELD_OUT_RIGHT_MIN: usize = 68;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bank {
    source: Vec<Source>,
    title: Vec<Title>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Source {
    id: String,
    title: String,
    publisher: String,
    address: String,
    licence: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Title {
    title: String,
    kind: String,
    /// `heading` or `label`.
    form: String,
    source: String,
    #[serde(default)]
    held_out: bool,
    /// Which harvest the title came from (1 when absent); each batch has its own held-out quarter.
    #[serde(default = "first_batch")]
    batch: u32,
}

fn first_batch() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Right,
    Wrong,
    Unrecognised,
}

/// The kinds `title` gets through the linter's recognition, as the source used it.
fn kinds_of(title: &Title, pack: &RulePack) -> Vec<String> {
    let settings = Settings::default();
    match title.form.as_str() {
        "heading" => {
            let text = format!("## {}\n***\n", title.title);
            let parse = noteplate::syntax::parse(&text);
            let semantics = Semantics::new(&text, &parse.document, pack, &settings);
            semantics
                .sections
                .first()
                .map(|info| info.kind.iter().chain(&info.also).cloned().collect())
                .unwrap_or_default()
        }
        "label" => {
            let label = title.title.trim_end();
            let line = if label.ends_with(':') {
                format!("{label} {{{{x}}}}\n")
            } else {
                format!("{label}: {{{{x}}}}\n")
            };
            let parse = noteplate::syntax::parse(&line);
            let semantics = Semantics::new(&line, &parse.document, pack, &settings);
            let mut kinds: Vec<String> = Vec::new();
            // Section kinds only: a label can also show a date of service or a region.
            for element in &semantics.elements {
                let is_section = pack.sections.iter().any(|s| *s.kind == *element.kind);
                if is_section && !kinds.iter().any(|k| **k == *element.kind) {
                    kinds.push(element.kind.to_string());
                }
            }
            kinds
        }
        other => panic!("{}: unknown form {other:?}", title.title),
    }
}

fn outcome(expected: &str, kinds: &[String], pack: &RulePack) -> Outcome {
    if expected == "none" {
        return if kinds.is_empty() {
            Outcome::Right
        } else {
            Outcome::Wrong
        };
    }
    if kinds.is_empty() {
        return Outcome::Unrecognised;
    }
    let holds = |kind: &String| {
        kind == expected
            || pack
                .sections
                .iter()
                .any(|s| s.kind == *kind && s.counts_as.iter().any(|c| c == expected))
    };
    if kinds.iter().any(holds) {
        Outcome::Right
    } else {
        Outcome::Wrong
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    right: usize,
    wrong: usize,
    unrecognised: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Right => self.right += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Unrecognised => self.unrecognised += 1,
        }
    }
    fn total(&self) -> usize {
        self.right + self.wrong + self.unrecognised
    }
}

fn load() -> Bank {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/real-titles.toml");
    let text = std::fs::read_to_string(path).expect("read the title bank");
    toml::from_str(&text).expect("parse the title bank")
}

#[test]
fn the_title_bank_is_well_formed() {
    let bank = load();
    let pack = RulePack::embedded();
    let sources: BTreeSet<&str> = bank.source.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(sources.len(), bank.source.len(), "duplicate source ids");
    let mut seen = BTreeSet::new();
    for title in &bank.title {
        assert!(
            sources.contains(title.source.as_str()),
            "{}: unknown source {}",
            title.title,
            title.source
        );
        assert!(
            title.kind == "none" || pack.sections.iter().any(|s| s.kind == title.kind),
            "{}: unknown kind {}",
            title.title,
            title.kind
        );
        assert!(
            seen.insert((title.title.as_str(), title.form.as_str())),
            "{} is in the bank twice",
            title.title
        );
    }
    // Every source gives at least one title.
    for source in &bank.source {
        assert!(
            bank.title.iter().any(|t| t.source == source.id),
            "{} gives no title",
            source.id
        );
    }
}

#[test]
fn real_titles_are_recognised_as_their_kind() {
    let bank = load();
    let pack = RulePack::embedded();
    let show_held_out = std::env::var_os("NOTEPLATE_TITLES_SHOW_HELD_OUT").is_some();
    // Per kind: batch 1 fixing part, batch 1 held out, batch 2 fixing part, batch 3 fixing part.
    // Later batches' held-out quarters are scored only as a whole, so that their per-kind results
    // are not read while fixing.
    let mut per_kind: BTreeMap<&str, [Tally; 4]> = BTreeMap::new();
    // (batch, held out) -> tally, and how many `none` titles were given a kind.
    let mut parts: BTreeMap<(u32, bool), (Tally, usize)> = BTreeMap::new();
    let mut listed = Vec::new();
    for title in &bank.title {
        let kinds = kinds_of(title, &pack);
        let outcome = outcome(&title.kind, &kinds, &pack);
        let column = match (title.batch, title.held_out) {
            (1, false) => Some(0),
            (1, true) => Some(1),
            (2, false) => Some(2),
            (3, false) => Some(3),
            _ => None,
        };
        if let Some(column) = column {
            per_kind.entry(title.kind.as_str()).or_default()[column].add(outcome);
        }
        let part = parts.entry((title.batch, title.held_out)).or_default();
        part.0.add(outcome);
        if title.kind == "none" && outcome == Outcome::Wrong {
            part.1 += 1;
        }
        if outcome != Outcome::Right && (!title.held_out || show_held_out) {
            listed.push(format!(
                "  batch {} {:<12} {:?} ({}, {}) expected {} got {:?}",
                title.batch,
                format!("{outcome:?}"),
                title.title,
                title.form,
                title.source,
                title.kind,
                kinds
            ));
        }
    }
    println!(
        "title bank: per kind (batch 1 fixing part | batch 1 held out | batch 2 fixing part | batch 3 fixing part): right / wrong / unrecognised"
    );
    for (kind, [fix, held, fix2, fix3]) in &per_kind {
        println!(
            "  {kind:<13} {:>3} / {:>2} / {:>2}   | {:>3} / {:>2} / {:>2}   | {:>3} / {:>2} / {:>2}   | {:>3} / {:>2} / {:>2}",
            fix.right,
            fix.wrong,
            fix.unrecognised,
            held.right,
            held.wrong,
            held.unrecognised,
            fix2.right,
            fix2.wrong,
            fix2.unrecognised,
            fix3.right,
            fix3.wrong,
            fix3.unrecognised
        );
    }
    let share = |tally: &Tally| tally.right as f64 / tally.total().max(1) as f64;
    let mut batches: BTreeMap<u32, Tally> = BTreeMap::new();
    // The held-out scores of batches 2 and 3 are printed only on request
    // (`NOTEPLATE_TITLES_SCORE_HELD_OUT=1`), to be read once after the fixes (docs/accuracy.md,
    // "Title bank, batch 2" and "batch 3").
    let score_held_out = std::env::var_os("NOTEPLATE_TITLES_SCORE_HELD_OUT").is_some();
    for ((batch, held_out), (tally, none)) in &parts {
        if *batch > 1 && *held_out && !score_held_out && !show_held_out {
            println!(
                "title bank, batch {batch}, held out: {} titles (score with NOTEPLATE_TITLES_SCORE_HELD_OUT=1)",
                tally.total()
            );
            let whole = batches.entry(*batch).or_default();
            whole.right += tally.right;
            whole.wrong += tally.wrong;
            whole.unrecognised += tally.unrecognised;
            continue;
        }
        let name = if *held_out { "held out" } else { "fixing part" };
        println!(
            "title bank, batch {batch}, {name}: {} titles, right {}, wrong {} (`none` titles given a kind: {none}; kind A read as kind B: {}), unrecognised {}; recognised share {:.3}",
            tally.total(),
            tally.right,
            tally.wrong,
            tally.wrong - none,
            tally.unrecognised,
            share(tally)
        );
        let whole = batches.entry(*batch).or_default();
        whole.right += tally.right;
        whole.wrong += tally.wrong;
        whole.unrecognised += tally.unrecognised;
    }
    for (batch, tally) in &batches {
        if *batch > 1 && !score_held_out && !show_held_out {
            continue;
        }
        println!(
            "title bank, batch {batch}, all: {} titles, right {}, wrong {}, unrecognised {}; recognised share {:.3}",
            tally.total(),
            tally.right,
            tally.wrong,
            tally.unrecognised,
            share(tally)
        );
    }
    for line in &listed {
        println!("{line}");
    }
    let first = batches.get(&1).copied().unwrap_or_default();
    assert!(
        first.wrong <= WRONG_MAX,
        "batch 1: {} titles get a wrong kind (goal: at most {WRONG_MAX})",
        first.wrong
    );
    assert!(
        share(&first) >= RECOGNISED_SHARE_MIN,
        "batch 1: recognised share {:.3} below the goal {RECOGNISED_SHARE_MIN}",
        share(&first)
    );
    for (batch, held_out, wrong_max, right_min) in [
        (2, false, BATCH2_FIXING_WRONG_MAX, BATCH2_FIXING_RIGHT_MIN),
        (
            2,
            true,
            BATCH2_HELD_OUT_WRONG_MAX,
            BATCH2_HELD_OUT_RIGHT_MIN,
        ),
        (3, false, BATCH3_FIXING_WRONG_MAX, BATCH3_FIXING_RIGHT_MIN),
        (
            3,
            true,
            BATCH3_HELD_OUT_WRONG_MAX,
            BATCH3_HELD_OUT_RIGHT_MIN,
        ),
    ] {
        let (tally, _) = parts.get(&(batch, held_out)).copied().unwrap_or_default();
        let name = if held_out { "held out" } else { "fixing part" };
        assert!(
            tally.wrong <= wrong_max,
            "batch {batch}, {name}: {} titles get a wrong kind (goal: at most {wrong_max})",
            tally.wrong
        );
        assert!(
            tally.right >= right_min,
            "batch {batch}, {name}: {} titles right (goal: at least {right_min})",
            tally.right
        );
    }
}
