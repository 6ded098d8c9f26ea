//! A count of the steps that potentially long loops take (the parser's searches on a line,
//! suppressions, declared codes), per thread. Findings never depend on it; tests read it to prove that adversarial input
//! is analysed in bounded work without timing anything.

use std::cell::Cell;

thread_local! {
    static STEPS: Cell<u64> = const { Cell::new(0) };
    static PARSED_LINES: Cell<u64> = const { Cell::new(0) };
    static ANALYSED_LINES: Cell<u64> = const { Cell::new(0) };
    static PART_LOOKUPS: Cell<u64> = const { Cell::new(0) };
    static RECOGNISED_LINES: Cell<u64> = const { Cell::new(0) };
}

/// Records that the analysis recognised what a line shows from its text (`noteplate_core`'s
/// `parts::LineFacts`), rather than taking it from a memo (its own, or one shared with other
/// threads).
#[inline]
#[doc(hidden)]
pub fn count_recognised_line() {
    RECOGNISED_LINES.with(|cell| cell.set(cell.get().saturating_add(1)));
}

/// Lines recognised on this thread since the last [`reset`].
#[doc(hidden)]
pub fn recognised_lines() -> u64 {
    RECOGNISED_LINES.with(Cell::get)
}

/// Records that the analysis looked a part of the document up by its text (hashing it) in its
/// memo (`noteplate_core`'s `analysis/parts.rs`), rather than taking it from the last analysis by
/// position.
#[inline]
#[doc(hidden)]
pub fn count_part_lookup() {
    PART_LOOKUPS.with(|cell| cell.set(cell.get().saturating_add(1)));
}

/// Part lookups by text on this thread since the last [`reset`].
#[doc(hidden)]
pub fn part_lookups() -> u64 {
    PART_LOOKUPS.with(Cell::get)
}

/// Records that the analysis worked out what one content line shows (a line of a part of the
/// document it did not remember, `noteplate_core`'s `analysis/parts.rs`).
#[inline]
#[doc(hidden)]
pub fn count_analysed_line() {
    ANALYSED_LINES.with(|cell| cell.set(cell.get().saturating_add(1)));
}

/// Lines analysed on this thread since the last [`reset`].
#[doc(hidden)]
pub fn analysed_lines() -> u64 {
    ANALYSED_LINES.with(Cell::get)
}

/// Records that the line scanner parsed one line (a full parse counts every line, an
/// incremental one only the lines it re-parsed).
#[inline]
pub(crate) fn count_parsed_line() {
    PARSED_LINES.with(|cell| cell.set(cell.get().saturating_add(1)));
}

/// Lines parsed on this thread since the last [`reset`].
#[doc(hidden)]
pub fn parsed_lines() -> u64 {
    PARSED_LINES.with(Cell::get)
}

/// Records `steps` steps of work on this thread.
#[inline]
#[doc(hidden)]
pub fn count(steps: usize) {
    STEPS.with(|cell| cell.set(cell.get().saturating_add(steps as u64)));
}

/// Steps counted on this thread since the last [`reset`].
#[doc(hidden)]
pub fn steps() -> u64 {
    STEPS.with(Cell::get)
}

/// Starts counting from zero on this thread.
#[doc(hidden)]
pub fn reset() {
    STEPS.with(|cell| cell.set(0));
    PARSED_LINES.with(|cell| cell.set(0));
    ANALYSED_LINES.with(|cell| cell.set(0));
    PART_LOOKUPS.with(|cell| cell.set(0));
    RECOGNISED_LINES.with(|cell| cell.set(0));
}
