//! Fuzz target `policy_parse`.
//!
//! Bytes (read as UTF-8) are given to `policy::parse`: `Ok` or a non-empty error list, never a
//! panic; `policy::validate` never panics for any `PolicyKind`; a parsed policy prints (compact
//! and pretty) to text that parses back to the same policy and prints again identically.
//!
//! Input: the whole input is the policy text.
//!
//! The check lives in `iam_harness::fuzzing::check_policy_parse`, which `cargo test` also runs over
//! `fuzz/corpus/policy_parse/` and `fuzz/regressions/policy_parse/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_policy_parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_policy_parse(data) {
        panic!("{violation}");
    }
});
