//! Fuzz target `action_match`.
//!
//! Differential: `glob::action_matches` (IAM actions: `*`, or a case-insensitive glob over the
//! whole `service:Name`) against the regex oracles, and invariance under ASCII case changes.
//!
//! Input: a flag byte (unused), pattern, `0xFF`, action.
//!
//! The check lives in `iam_harness::fuzzing::check_action_match`, which `cargo test` also runs over
//! `fuzz/corpus/action_match/` and `fuzz/regressions/action_match/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_action_match;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_action_match(data) {
        panic!("{violation}");
    }
});
