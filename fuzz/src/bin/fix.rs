//! AFL++ target `fix`: see `fuzz/targets.rs` for what it checks and fuzz/README.md for how to run it.

#[path = "../../invariants.rs"]
mod invariants;
#[path = "../../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::fix(data));
}
