//! Fuzz target `eval_properties`.
//!
//! The input bytes drive the generators (`iam_harness::gen::Input`'s `Arbitrary` impl: a
//! realistic policy set of every level and a few requests), and every metamorphic property of
//! `iam_harness::invariants::PROPERTIES` (determinism, matching deny, allow monotonicity, order
//! independence, boundary/session/SCP narrowing, …) must hold for the reference evaluator. The
//! properties are reused, not copied.
//!
//! Input: any bytes (they are choices, not text, so this target has no dictionary).
//!
//! The check lives in `iam_harness::fuzzing::check_eval_properties`, which `cargo test` also
//! runs over `fuzz/corpus/eval_properties/` and `fuzz/regressions/eval_properties/`
//! (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_eval_properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_eval_properties(data) {
        panic!("{violation}");
    }
});
