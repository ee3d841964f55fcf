//! Fuzz target `resource_match`.
//!
//! Differential: `arn::resource_matches` (semantics §3.2 as implemented: `*`; non-ARN patterns
//! glob the whole string; ARN patterns completed with `*`, fields one to five globbed per field,
//! the resource part over the remainder) and `arn::arn_like` (six fields, no completion) against
//! one anchored regex per pattern whose field wildcards cannot cross `:`.
//!
//! Input: flag byte (bit 0: the pattern uses `\` escapes), pattern, `0xFF`, resource.
//!
//! The check lives in `iam_harness::fuzzing::check_resource_match`, which `cargo test` also runs over
//! `fuzz/corpus/resource_match/` and `fuzz/regressions/resource_match/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_resource_match;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_resource_match(data) {
        panic!("{violation}");
    }
});
