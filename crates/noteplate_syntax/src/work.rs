//! A count of the steps that potentially long loops take (the parser's searches on a line,
//! suppressions, declared codes), per thread. Findings never depend on it; tests read it to prove that adversarial input
//! is analysed in bounded work without timing anything.

use std::cell::Cell;

thread_local! {
    static STEPS: Cell<u64> = const { Cell::new(0) };
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
}
