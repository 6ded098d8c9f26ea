//! Unit arithmetic for timed therapy codes (CPT codes billed "per 15 minutes") under a payer's
//! method.
//!
//! Owns: the 15-minute unit table, the two ways of turning minutes into billed units
//! ([`UnitMethod::TotalTime`] and [`UnitMethod::PerCode`]), the allocation of pooled units to
//! codes, and the plain sentences that explain each result. Everything here is pure arithmetic on
//! the minutes a caller passes in.
//! Must not touch: files, the terminal, LSP or other protocol types, or the rule pack. Which method
//! a payer uses, which codes are timed and where the minutes came from are decided by the caller.
//!
//! Methods (see `docs/units.md` for the sources):
//! - **Total time** (CMS 8-minute rule, Medicare Part B): the timed minutes of all codes are
//!   pooled and the pool is looked up in the 15-minute table (0-7 min = 0 units, 8-22 = 1,
//!   23-37 = 2, ...). Each code first gets one unit per full 15 minutes; the units still left go
//!   one at a time to the code with the most leftover minutes (minutes not yet covered by its
//!   units). A code that receives a unit has 15 minutes taken off its leftover, which may go
//!   negative.
//! - **Per code** (CPT midpoint, the commercial "rule of eights"): each code is rounded on its
//!   own with the same table and the results are added; minutes are never pooled.
//!
//! Tie-break (the sources are silent, payer-rules.md section 8 item 4): when two codes have the
//! same leftover minutes, the unit goes to the code with more total minutes, and if that is equal
//! too, to the code listed first. The first step extends CMS's own instruction for two short
//! services ("bill the one with more minutes"); the second keeps the result deterministic and under
//! the note author's control. The reasoning sentences say whenever a tie was broken, so a rule can
//! soften its message for that unit.
//!
//! Under total time a code can get a unit with fewer than 8 minutes of its own (7 + 7 minutes give
//! one unit); that is what CMS intends, and nothing here forbids it.
//!
//! Duplicate codes are merged: their minutes are added and the code keeps its first position. Codes
//! are compared exactly as given (no trimming or case folding).
//!
//! Arithmetic never overflows or panics for any `u32` input. Pools and unit counts are computed in
//! `u64`; a code's merged minutes and the reported totals saturate at `u32::MAX`. Units are always
//! computed from the exact pool, so per-code units add up to `total_units` as long as the exact
//! total fits in a `u32` (any 15 codes of any size do).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// Minutes in one unit of a timed code.
pub const MINUTES_PER_UNIT: u32 = 15;

/// The first minute that earns a unit: the midpoint of a 15-minute unit is passed at 8 minutes.
pub const MIDPOINT_MINUTES: u32 = 8;

/// The most rows [`unit_table`] returns: 96 units, the row holding a whole day (1,440 minutes).
pub const MAX_TABLE_UNITS: u32 = 96;

pub use crate::rulepack::UnitMethod;

/// The units one code receives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeUnits {
    /// The code exactly as given (e.g. `97140`).
    pub code: String,
    /// The code's timed minutes, after merging duplicates (saturating at `u32::MAX`).
    pub minutes: u32,
    /// Units billed for the code under the method used.
    pub units: u32,
}

/// The result of [`calculate`]: totals, units per code and the reasoning behind them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitBreakdown {
    /// All timed minutes added up (saturating at `u32::MAX`).
    pub total_minutes: u32,
    /// Units billed in total (saturating at `u32::MAX`).
    pub total_units: u32,
    /// One entry per distinct code, in the order of each code's first appearance in the input.
    pub codes: Vec<CodeUnits>,
    /// Human sentences explaining each step, in order.
    #[serde(skip)]
    pub reasoning: Vec<String>,
}

/// Units for a total of timed minutes by the 15-minute table
/// (0 below 8; 8-22 -> 1; 23-37 -> 2; ...).
#[must_use]
pub fn units_for_minutes(minutes: u32) -> u32 {
    saturate(units_for_pool(u64::from(minutes)))
}

/// Rows (units, first minute, last minute) of the table from 1 unit up to `max_units`, for hovers.
///
/// At most [`MAX_TABLE_UNITS`] rows are returned, so a careless argument cannot allocate gigabytes.
#[must_use]
pub fn unit_table(max_units: u32) -> Vec<(u32, u32, u32)> {
    (1..=max_units.min(MAX_TABLE_UNITS))
        .map(|units| {
            let (first, last) = table_row(u64::from(units));
            (units, saturate(first), saturate(last))
        })
        .collect()
}

/// Units per code and in total for timed `entries` (code, minutes) under `method`.
#[must_use]
pub fn calculate(method: UnitMethod, entries: &[(String, u32)]) -> UnitBreakdown {
    let mut reasoning = Vec::new();
    let codes = merge_duplicates(entries, &mut reasoning);
    match method {
        UnitMethod::TotalTime => total_time(codes, reasoning),
        UnitMethod::PerCode => per_code(codes, reasoning),
    }
}

/// A distinct code with its merged minutes.
struct MergedCode {
    code: String,
    minutes: u32,
}

/// Units for an exact pool of minutes: `floor((minutes + 7) / 15)`, which is 0 below 8 minutes.
fn units_for_pool(minutes: u64) -> u64 {
    minutes.saturating_add(u64::from(MINUTES_PER_UNIT - MIDPOINT_MINUTES))
        / u64::from(MINUTES_PER_UNIT)
}

/// First and last minute of the table row for `units` (the 0-unit row is 0-7).
fn table_row(units: u64) -> (u64, u64) {
    let half_below = u64::from(MINUTES_PER_UNIT - MIDPOINT_MINUTES);
    let centre = units.saturating_mul(u64::from(MINUTES_PER_UNIT));
    if units == 0 {
        (0, half_below)
    } else {
        (centre - half_below, centre.saturating_add(half_below))
    }
}

fn saturate(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn minutes_word(count: u64) -> &'static str {
    if count == 1 { "minute" } else { "minutes" }
}

fn plural_units(count: u64) -> &'static str {
    if count == 1 { "unit" } else { "units" }
}

/// Merges repeated codes into their first position, adding the minutes and saying so.
fn merge_duplicates(entries: &[(String, u32)], reasoning: &mut Vec<String>) -> Vec<MergedCode> {
    let mut merged: Vec<MergedCode> = Vec::new();
    let mut parts: Vec<Vec<u32>> = Vec::new();
    let mut position_of: HashMap<&str, usize> = HashMap::new();
    for (code, minutes) in entries {
        if let Some(&index) = position_of.get(code.as_str()) {
            merged[index].minutes = merged[index].minutes.saturating_add(*minutes);
            parts[index].push(*minutes);
        } else {
            position_of.insert(code.as_str(), merged.len());
            merged.push(MergedCode {
                code: code.clone(),
                minutes: *minutes,
            });
            parts.push(vec![*minutes]);
        }
    }
    for (merged_code, code_parts) in merged.iter().zip(&parts) {
        if code_parts.len() < 2 {
            continue;
        }
        let sum = code_parts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ");
        let exact: u64 = code_parts.iter().map(|part| u64::from(*part)).sum();
        let saturated_note = if exact > u64::from(u32::MAX) {
            format!(" (the exact sum {exact} is capped at {})", u32::MAX)
        } else {
            String::new()
        };
        reasoning.push(format!(
            "{code} is listed {times} times; its minutes are merged \
             ({sum} = {minutes} minutes{saturated_note}) and it is counted once, at its first \
             position.",
            code = merged_code.code,
            times = code_parts.len(),
            minutes = merged_code.minutes,
        ));
    }
    merged
}

/// A code waiting for one of the remaining units, ordered so the heap's maximum is the next winner.
#[derive(PartialEq, Eq)]
struct Candidate {
    /// Minutes not yet covered by the code's units; drops by 15 per unit and may go negative.
    leftover: i64,
    minutes: u32,
    index: usize,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.leftover
            .cmp(&other.leftover)
            .then(self.minutes.cmp(&other.minutes))
            // Listed earlier wins, so a smaller index is "greater".
            .then(other.index.cmp(&self.index))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn total_time(codes: Vec<MergedCode>, mut reasoning: Vec<String>) -> UnitBreakdown {
    reasoning.push(
        "Total-time method (CMS 8-minute rule): the timed minutes of all codes are pooled and \
         the pool sets the number of units."
            .to_string(),
    );
    if codes.is_empty() {
        reasoning.push(
            "No timed codes were given, so there are 0 timed minutes and 0 units.".to_string(),
        );
        return empty_breakdown(reasoning);
    }

    let pooled = codes.iter().fold(0u64, |sum, code| {
        sum.saturating_add(u64::from(code.minutes))
    });
    if let [only] = codes.as_slice() {
        reasoning.push(format!(
            "The only timed code, {}, gives a pool of {pooled} minutes.",
            only.code
        ));
    } else {
        let pool_text = codes
            .iter()
            .map(|code| format!("{} ({})", code.minutes, code.code))
            .collect::<Vec<_>>();
        reasoning.push(format!(
            "Pooled minutes: {} = {pooled} minutes.",
            pool_text.join(" + ")
        ));
    }

    let total_units = units_for_pool(pooled);
    reasoning.push(table_sentence(pooled, total_units, "The pool"));

    let mut units: Vec<u64> = Vec::with_capacity(codes.len());
    let mut heap = BinaryHeap::with_capacity(codes.len());
    for (index, code) in codes.iter().enumerate() {
        let full_blocks = code.minutes / MINUTES_PER_UNIT;
        let leftover = code.minutes % MINUTES_PER_UNIT;
        reasoning.push(format!(
            "{}: {} minutes hold {full_blocks} full 15-minute {}, leaving {leftover} leftover {}.",
            code.code,
            code.minutes,
            if full_blocks == 1 { "block" } else { "blocks" },
            minutes_word(u64::from(leftover)),
        ));
        units.push(u64::from(full_blocks));
        heap.push(Candidate {
            leftover: i64::from(leftover),
            minutes: code.minutes,
            index,
        });
    }

    let given_for_blocks: u64 = units.iter().sum();
    let remaining = total_units.saturating_sub(given_for_blocks);
    if remaining == 0 {
        reasoning.push(format!(
            "Full 15-minute blocks account for {given_for_blocks} {} and no unit remains to \
             hand out.",
            plural_units(given_for_blocks)
        ));
    } else {
        let rest = if remaining == 1 {
            "the remaining unit goes".to_string()
        } else {
            format!("the remaining {remaining} units go one at a time")
        };
        reasoning.push(format!(
            "Full 15-minute blocks account for {given_for_blocks} {}; {rest} to the code with \
             the most leftover minutes.",
            plural_units(given_for_blocks),
        ));
    }

    hand_out_remaining(&codes, &mut units, heap, remaining, &mut reasoning);

    let total_minutes = saturate(pooled);
    finish(codes, &units, total_minutes, pooled, reasoning)
}

/// Gives the `remaining` units one at a time to the heap's best candidate (most leftover minutes,
/// then most total minutes, then listed first), explaining each choice.
fn hand_out_remaining(
    codes: &[MergedCode],
    units: &mut [u64],
    mut heap: BinaryHeap<Candidate>,
    remaining: u64,
    reasoning: &mut Vec<String>,
) {
    for step in 1..=remaining {
        // The heap holds every code; it is empty only without codes, which returned above.
        let Some(mut winner) = heap.pop() else { break };
        let code = &codes[winner.index];
        let why = match heap.peek() {
            Some(runner_up) if runner_up.leftover == winner.leftover => {
                let runner_up_code = &codes[runner_up.index];
                let rule = if winner.minutes > runner_up.minutes {
                    format!(
                        "it has more total minutes ({} vs {})",
                        winner.minutes, runner_up.minutes
                    )
                } else {
                    "both have the same total minutes and it is listed first".to_string()
                };
                format!(
                    "it ties with {} at {} leftover {}; the tie is broken (noteplate's choice, \
                     the sources are silent) because {rule}",
                    runner_up_code.code,
                    winner.leftover,
                    minutes_word(winner.leftover.unsigned_abs())
                )
            }
            _ => format!("it has the most leftover minutes ({})", winner.leftover),
        };
        reasoning.push(format!(
            "Remaining unit {step} of {remaining} goes to {}: {why}.",
            code.code
        ));
        if code.minutes < MIDPOINT_MINUTES && units[winner.index] == 0 {
            reasoning.push(format!(
                "{} gets a unit with only {} {} of its own; under the total-time method the \
                 pooled minutes justify it.",
                code.code,
                code.minutes,
                minutes_word(u64::from(code.minutes))
            ));
        }
        units[winner.index] += 1;
        winner.leftover -= i64::from(MINUTES_PER_UNIT);
        heap.push(winner);
    }
}

fn per_code(codes: Vec<MergedCode>, mut reasoning: Vec<String>) -> UnitBreakdown {
    reasoning.push(
        "Per-code method (CPT midpoint, \"rule of eights\"): each code is rounded on its own at \
         8 minutes; minutes are not pooled."
            .to_string(),
    );
    if codes.is_empty() {
        reasoning.push(
            "No timed codes were given, so there are 0 timed minutes and 0 units.".to_string(),
        );
        return empty_breakdown(reasoning);
    }
    let mut units = Vec::with_capacity(codes.len());
    for code in &codes {
        let code_units = units_for_pool(u64::from(code.minutes));
        reasoning.push(table_sentence(
            u64::from(code.minutes),
            code_units,
            &code.code,
        ));
        units.push(code_units);
    }
    let pooled = codes.iter().fold(0u64, |sum, code| {
        sum.saturating_add(u64::from(code.minutes))
    });
    finish(codes, &units, saturate(pooled), pooled, reasoning)
}

/// "The pool: 40 minutes fall in the 38-52 row of the table: 3 units."
fn table_sentence(minutes: u64, units: u64, subject: &str) -> String {
    if units == 0 {
        return format!(
            "{subject}: {minutes} {} is below the 8-minute threshold, so 0 units.",
            minutes_word(minutes)
        );
    }
    let (first, last) = table_row(units);
    format!(
        "{subject}: {minutes} minutes fall in the {first}-{last} row of the 15-minute table: \
         {units} {}.",
        plural_units(units)
    )
}

fn empty_breakdown(reasoning: Vec<String>) -> UnitBreakdown {
    UnitBreakdown {
        total_minutes: 0,
        total_units: 0,
        codes: Vec::new(),
        reasoning,
    }
}

/// Builds the breakdown from per-code units and states the result (and any saturation).
fn finish(
    codes: Vec<MergedCode>,
    units: &[u64],
    total_minutes: u32,
    exact_minutes: u64,
    mut reasoning: Vec<String>,
) -> UnitBreakdown {
    let exact_units = units
        .iter()
        .fold(0u64, |sum, code_units| sum.saturating_add(*code_units));
    let parts = codes
        .iter()
        .zip(units)
        .map(|(code, code_units)| format!("{} x {code_units}", code.code))
        .collect::<Vec<_>>();
    reasoning.push(format!(
        "Result: {} = {exact_units} {} for {exact_minutes} timed minutes.",
        parts.join(", "),
        plural_units(exact_units)
    ));
    if exact_minutes > u64::from(u32::MAX) {
        reasoning.push(format!(
            "The minute total is reported as {}, the largest value it can hold; the units were \
             computed from the exact {exact_minutes} minutes.",
            u32::MAX
        ));
    }
    if exact_units > u64::from(u32::MAX) {
        reasoning.push(format!(
            "The unit total is reported as {}, the largest value it can hold; the exact total is \
             {exact_units} units.",
            u32::MAX
        ));
    }
    UnitBreakdown {
        total_minutes,
        total_units: saturate(exact_units),
        codes: codes
            .into_iter()
            .zip(units)
            .map(|(code, code_units)| CodeUnits {
                code: code.code,
                minutes: code.minutes,
                units: saturate(*code_units),
            })
            .collect(),
        reasoning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(list: &[(&str, u32)]) -> Vec<(String, u32)> {
        list.iter()
            .map(|(code, minutes)| (code.to_string(), *minutes))
            .collect()
    }

    /// Runs `method` on `input` and checks the total units and the units per code (in order).
    fn check(
        method: UnitMethod,
        input: &[(&str, u32)],
        total_units: u32,
        per_code: &[(&str, u32)],
    ) -> UnitBreakdown {
        let breakdown = calculate(method, &entries(input));
        let actual: Vec<(&str, u32)> = breakdown
            .codes
            .iter()
            .map(|code| (code.code.as_str(), code.units))
            .collect();
        assert_eq!(
            actual, per_code,
            "{method:?} {input:?}\n{:#?}",
            breakdown.reasoning
        );
        assert_eq!(
            breakdown.total_units, total_units,
            "{method:?} {input:?}\n{:#?}",
            breakdown.reasoning
        );
        breakdown
    }

    fn check_both(
        input: &[(&str, u32)],
        total_time: (u32, &[(&str, u32)]),
        per_code: (u32, &[(&str, u32)]),
    ) {
        check(UnitMethod::TotalTime, input, total_time.0, total_time.1);
        check(UnitMethod::PerCode, input, per_code.0, per_code.1);
    }

    fn mentions(breakdown: &UnitBreakdown, needle: &str) -> bool {
        breakdown
            .reasoning
            .iter()
            .any(|sentence| sentence.contains(needle))
    }

    #[test]
    fn table_boundaries() {
        let cases = [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (52, 3),
            (53, 4),
            (67, 4),
            (68, 5),
            (127, 8),
            (128, 9),
            (u32::MAX, 286_331_153),
        ];
        for (minutes, units) in cases {
            assert_eq!(units_for_minutes(minutes), units, "{minutes} minutes");
        }
    }

    #[test]
    fn unit_table_rows() {
        assert_eq!(unit_table(0), Vec::new());
        assert_eq!(
            unit_table(4),
            vec![(1, 8, 22), (2, 23, 37), (3, 38, 52), (4, 53, 67)]
        );
        assert_eq!(unit_table(8).last(), Some(&(8, 113, 127)));
        let capped = unit_table(u32::MAX);
        assert_eq!(capped.len(), MAX_TABLE_UNITS as usize);
        assert_eq!(capped.last(), Some(&(96, 1433, 1447)));
        for (units, first, last) in capped {
            assert_eq!(units_for_minutes(first - 1), units - 1);
            assert_eq!(units_for_minutes(first), units);
            assert_eq!(units_for_minutes(last), units);
            assert_eq!(units_for_minutes(last + 1), units + 1);
        }
    }

    #[test]
    fn table_row_saturates_at_the_top() {
        let top = u64::from(units_for_minutes(u32::MAX));
        let (first, last) = table_row(top);
        assert!(u32::try_from(first).is_ok() && u64::from(u32::MAX) <= last);
        assert_eq!(table_row(u64::MAX).1, u64::MAX);
        assert_eq!(table_row(0), (0, 7));
    }

    #[test]
    fn fixture_f1_seven_minutes() {
        check_both(&[("97140", 7)], (0, &[("97140", 0)]), (0, &[("97140", 0)]));
    }

    #[test]
    fn fixture_f2_eight_minutes() {
        check_both(&[("97140", 8)], (1, &[("97140", 1)]), (1, &[("97140", 1)]));
    }

    #[test]
    fn fixture_f3_22_and_23_minutes() {
        check_both(&[("97140", 22)], (1, &[("97140", 1)]), (1, &[("97140", 1)]));
        check_both(&[("97140", 23)], (2, &[("97140", 2)]), (2, &[("97140", 2)]));
    }

    #[test]
    fn fixture_f4_37_and_38_minutes() {
        check_both(&[("97140", 37)], (2, &[("97140", 2)]), (2, &[("97140", 2)]));
        check_both(&[("97140", 38)], (3, &[("97140", 3)]), (3, &[("97140", 3)]));
    }

    #[test]
    fn fixture_f5_33_plus_7() {
        check_both(
            &[("97110", 33), ("97140", 7)],
            (3, &[("97110", 2), ("97140", 1)]),
            (2, &[("97110", 2), ("97140", 0)]),
        );
        let breakdown = check(
            UnitMethod::TotalTime,
            &[("97110", 33), ("97140", 7)],
            3,
            &[("97110", 2), ("97140", 1)],
        );
        assert_eq!(breakdown.total_minutes, 40);
        assert!(mentions(
            &breakdown,
            "97140 gets a unit with only 7 minutes"
        ));
        assert!(mentions(&breakdown, "most leftover minutes (7)"));
        assert!(!mentions(&breakdown, "tie"));
    }

    #[test]
    fn fixture_f6_7_plus_7_tie_goes_to_first_listed() {
        check_both(
            &[("97110", 7), ("97140", 7)],
            (1, &[("97110", 1), ("97140", 0)]),
            (0, &[("97110", 0), ("97140", 0)]),
        );
        let breakdown = check(
            UnitMethod::TotalTime,
            &[("97140", 7), ("97110", 7)],
            1,
            &[("97140", 1), ("97110", 0)],
        );
        assert!(mentions(
            &breakdown,
            "ties with 97110 at 7 leftover minutes"
        ));
        assert!(mentions(&breakdown, "listed first"));
    }

    #[test]
    fn fixture_f7_10_plus_10() {
        check_both(
            &[("97140", 10), ("97530", 10)],
            (1, &[("97140", 1), ("97530", 0)]),
            (2, &[("97140", 1), ("97530", 1)]),
        );
    }

    #[test]
    fn fixture_f8_25_15_10_tie_goes_to_more_minutes() {
        let input = [("97110", 25), ("97140", 15), ("97112", 10)];
        check_both(
            &input,
            (3, &[("97110", 2), ("97140", 1), ("97112", 0)]),
            (4, &[("97110", 2), ("97140", 1), ("97112", 1)]),
        );
        let breakdown = check(
            UnitMethod::TotalTime,
            &input,
            3,
            &[("97110", 2), ("97140", 1), ("97112", 0)],
        );
        assert_eq!(breakdown.total_minutes, 50);
        assert!(mentions(
            &breakdown,
            "ties with 97112 at 10 leftover minutes"
        ));
        assert!(mentions(&breakdown, "more total minutes (25 vs 10)"));
        // Listing the shorter code first does not change the winner: minutes come before order.
        check(
            UnitMethod::TotalTime,
            &[("97112", 10), ("97140", 15), ("97110", 25)],
            3,
            &[("97112", 0), ("97140", 1), ("97110", 2)],
        );
    }

    #[test]
    fn fixture_f9_only_timed_minutes_count() {
        // The untimed evaluation's 20 minutes are not passed in: only the 35 timed minutes are.
        for method in [UnitMethod::TotalTime, UnitMethod::PerCode] {
            let breakdown = check(method, &[("97140", 35)], 2, &[("97140", 2)]);
            assert_eq!(breakdown.total_minutes, 35);
        }
    }

    #[test]
    fn tie_with_equal_minutes_goes_to_first_listed() {
        // 22 + 22 = 44 minutes -> 3 units; both have 7 leftover minutes and 22 total minutes.
        check(
            UnitMethod::TotalTime,
            &[("97140", 22), ("97110", 22)],
            3,
            &[("97140", 2), ("97110", 1)],
        );
        check(
            UnitMethod::TotalTime,
            &[("97110", 22), ("97140", 22)],
            3,
            &[("97110", 2), ("97140", 1)],
        );
    }

    #[test]
    fn larger_leftover_beats_more_minutes() {
        // 97110 has more minutes but only 3 leftover; 97140's 7 leftover wins.
        check(
            UnitMethod::TotalTime,
            &[("97110", 48), ("97140", 7)],
            4,
            &[("97110", 3), ("97140", 1)],
        );
    }

    #[test]
    fn three_short_codes_share_one_unit() {
        let breakdown = check(
            UnitMethod::TotalTime,
            &[("97112", 7), ("97110", 7), ("97140", 7)],
            1,
            &[("97112", 1), ("97110", 0), ("97140", 0)],
        );
        assert!(mentions(&breakdown, "listed first"));
    }

    #[test]
    fn every_remaining_unit_can_be_handed_out() {
        // 14 + 14 = 28 minutes -> 2 units, none from full blocks: each code gets one.
        check(
            UnitMethod::TotalTime,
            &[("97110", 14), ("97140", 14)],
            2,
            &[("97110", 1), ("97140", 1)],
        );
    }

    #[test]
    fn duplicates_are_merged_at_first_position() {
        let input = [("97110", 20), ("97140", 7), ("97110", 13)];
        let breakdown = check(
            UnitMethod::TotalTime,
            &input,
            3,
            &[("97110", 2), ("97140", 1)],
        );
        assert_eq!(breakdown.codes[0].minutes, 33);
        assert!(mentions(
            &breakdown,
            "97110 is listed 2 times; its minutes are merged (20 + 13 = 33 minutes)"
        ));
        // Per code, merging matters: 5 + 5 minutes of one code is 10 minutes, one unit.
        let breakdown = check(
            UnitMethod::PerCode,
            &[("97140", 5), ("97140", 5)],
            1,
            &[("97140", 1)],
        );
        assert_eq!(breakdown.codes[0].minutes, 10);
    }

    #[test]
    fn empty_input() {
        for method in [UnitMethod::TotalTime, UnitMethod::PerCode] {
            let breakdown = calculate(method, &[]);
            assert_eq!(breakdown.total_minutes, 0);
            assert_eq!(breakdown.total_units, 0);
            assert!(breakdown.codes.is_empty());
            assert!(mentions(&breakdown, "No timed codes"));
        }
    }

    #[test]
    fn zero_minutes() {
        check_both(&[("97140", 0)], (0, &[("97140", 0)]), (0, &[("97140", 0)]));
    }

    #[test]
    fn u32_max_minutes_do_not_overflow() {
        let top = units_for_minutes(u32::MAX);
        for method in [UnitMethod::TotalTime, UnitMethod::PerCode] {
            let breakdown = check(method, &[("97140", u32::MAX)], top, &[("97140", top)]);
            assert_eq!(breakdown.total_minutes, u32::MAX);

            // Two huge codes: minutes saturate, units come from the exact pool and still add up.
            let breakdown = calculate(
                method,
                &entries(&[("97110", u32::MAX), ("97140", u32::MAX)]),
            );
            assert_eq!(breakdown.total_minutes, u32::MAX);
            assert_eq!(breakdown.total_units, 2 * top);
            assert_eq!(
                breakdown.codes.iter().map(|code| code.units).sum::<u32>(),
                2 * top
            );
            assert!(mentions(
                &breakdown,
                "minute total is reported as 4294967295"
            ));

            // A duplicate of a huge code: the merged minutes saturate.
            let breakdown = calculate(
                method,
                &entries(&[("97140", u32::MAX), ("97140", u32::MAX)]),
            );
            assert_eq!(breakdown.codes.len(), 1);
            assert_eq!(breakdown.codes[0].minutes, u32::MAX);
            assert_eq!(breakdown.total_units, top);
        }
        // Enough huge codes for the exact unit total to pass u32::MAX: it saturates, no panic.
        let many: Vec<(String, u32)> = (0..40)
            .map(|index| (format!("C{index}"), u32::MAX))
            .collect();
        let breakdown = calculate(UnitMethod::TotalTime, &many);
        assert_eq!(breakdown.total_units, u32::MAX);
        assert_eq!(breakdown.total_minutes, u32::MAX);
        assert!(mentions(&breakdown, "unit total is reported as 4294967295"));
    }

    #[test]
    fn method_names_in_config_are_kebab_case() {
        assert_eq!(
            serde_json::to_string(&UnitMethod::TotalTime).unwrap(),
            "\"total-time\""
        );
        assert_eq!(
            serde_json::to_string(&UnitMethod::PerCode).unwrap(),
            "\"per-code\""
        );
        let parsed: UnitMethod = serde_json::from_str("\"per-code\"").unwrap();
        assert_eq!(parsed, UnitMethod::PerCode);
    }

    #[test]
    fn reasoning_is_not_serialized() {
        let breakdown = calculate(UnitMethod::TotalTime, &entries(&[("97140", 8)]));
        let json = serde_json::to_value(&breakdown).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "total_minutes": 8,
                "total_units": 1,
                "codes": [{ "code": "97140", "minutes": 8, "units": 1 }]
            })
        );
    }

    #[test]
    fn reasoning_reads_in_order() {
        let breakdown = calculate(
            UnitMethod::TotalTime,
            &entries(&[("97110", 33), ("97140", 7)]),
        );
        assert_eq!(
            breakdown.reasoning,
            vec![
                "Total-time method (CMS 8-minute rule): the timed minutes of all codes are pooled \
                 and the pool sets the number of units.",
                "Pooled minutes: 33 (97110) + 7 (97140) = 40 minutes.",
                "The pool: 40 minutes fall in the 38-52 row of the 15-minute table: 3 units.",
                "97110: 33 minutes hold 2 full 15-minute blocks, leaving 3 leftover minutes.",
                "97140: 7 minutes hold 0 full 15-minute blocks, leaving 7 leftover minutes.",
                "Full 15-minute blocks account for 2 units; the remaining unit goes to the code \
                 with the most leftover minutes.",
                "Remaining unit 1 of 1 goes to 97140: it has the most leftover minutes (7).",
                "97140 gets a unit with only 7 minutes of its own; under the total-time method the \
                 pooled minutes justify it.",
                "Result: 97110 x 2, 97140 x 1 = 3 units for 40 timed minutes.",
            ]
        );
    }

    fn minutes_strategy() -> impl Strategy<Value = u32> {
        prop_oneof![4 => 0u32..200, 1 => any::<u32>()]
    }

    fn entries_strategy() -> impl Strategy<Value = Vec<(String, u32)>> {
        let code = prop::sample::select(vec!["97110", "97112", "97116", "97140", "97530", "97535"]);
        // At most 12 entries: any 15 codes of any size keep the exact unit total inside u32.
        prop::collection::vec((code.prop_map(str::to_string), minutes_strategy()), 0..12)
    }

    /// Distinct codes in first-appearance order with their saturating merged minutes.
    fn merged(input: &[(String, u32)]) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for (code, minutes) in input {
            match out.iter_mut().find(|(existing, _)| existing == code) {
                Some((_, total)) => *total = total.saturating_add(*minutes),
                None => out.push((code.clone(), *minutes)),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn total_time_units_add_up(input in entries_strategy()) {
            let breakdown = calculate(UnitMethod::TotalTime, &input);
            let per_code_sum: u64 = breakdown.codes.iter().map(|code| u64::from(code.units)).sum();
            prop_assert_eq!(per_code_sum, u64::from(breakdown.total_units));

            let expected = merged(&input);
            let pooled: u64 = expected.iter().map(|(_, minutes)| u64::from(*minutes)).sum();
            prop_assert_eq!(u64::from(breakdown.total_units), (pooled + 7) / 15);
            prop_assert_eq!(breakdown.codes.len(), expected.len());
            for (code, (expected_code, expected_minutes)) in breakdown.codes.iter().zip(&expected) {
                prop_assert_eq!(&code.code, expected_code);
                prop_assert_eq!(code.minutes, *expected_minutes);
                // Full blocks are always billed, and no code gets more than one unit beyond them.
                let full = code.minutes / 15;
                prop_assert!(code.units == full || code.units == full + 1, "{:?}", code);
            }
        }

        #[test]
        fn per_code_units_follow_the_table(input in entries_strategy()) {
            let breakdown = calculate(UnitMethod::PerCode, &input);
            let expected = merged(&input);
            prop_assert_eq!(breakdown.codes.len(), expected.len());
            let mut sum = 0u64;
            for (code, (expected_code, expected_minutes)) in breakdown.codes.iter().zip(&expected) {
                prop_assert_eq!(&code.code, expected_code);
                prop_assert_eq!(code.minutes, *expected_minutes);
                prop_assert_eq!(code.units, units_for_minutes(code.minutes));
                sum += u64::from(code.units);
            }
            prop_assert_eq!(u64::from(breakdown.total_units), sum);
        }

        #[test]
        fn table_matches_closed_form(minutes in any::<u32>()) {
            let units = units_for_minutes(minutes);
            prop_assert_eq!(u64::from(units), (u64::from(minutes) + 7) / 15);
            if minutes < 8 {
                prop_assert_eq!(units, 0);
            }
        }
    }
}
