//! Fuzz target `condition_values`.
//!
//! The condition-value readers (`values::parse_number`, `parse_date`, `parse_ip_network`,
//! `parse_ip_addr`, `parse_bool`, `decode_base64`, `check_policy_value`) never panic and keep
//! their invariants: number order antisymmetric, transitive, consistent with the printed form and
//! with `f64` on short numbers; epoch strings read as `Instant::from_unix`; W3C dates as the `time`
//! crate computes them; CIDR containment by prefix bits; base 64 with a single spelling.
//!
//! Input: a flag byte (unused), then up to three values separated by `0xFF`; the whole input also
//! seeds structured values (epoch seconds, date fields, addresses, bytes).
//!
//! The check lives in `iam_harness::fuzzing::check_condition_values`, which `cargo test` also runs over
//! `fuzz/corpus/condition_values/` and `fuzz/regressions/condition_values/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_condition_values;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_condition_values(data) {
        panic!("{violation}");
    }
});
