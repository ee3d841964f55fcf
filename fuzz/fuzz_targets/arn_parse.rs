//! Fuzz target `arn_parse`.
//!
//! Bytes (read as UTF-8, invalid sequences replaced) are given to `Arn::parse`, which must never
//! panic. A parsed ARN prints back to exactly its text and re-parses to an equal ARN (borrowed
//! and owned); its required fields are non-empty; its resource splits into type and ID around the
//! first `/` or `:`. A rejected text is rejected for the right reason.
//!
//! Input: the whole input is the text (`arn:aws:s3:::bucket/key`).
//!
//! The check lives in `iam_harness::fuzzing::check_arn_parse`, which `cargo test` also runs over
//! `fuzz/corpus/arn_parse/` and `fuzz/regressions/arn_parse/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_arn_parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_arn_parse(data) {
        panic!("{violation}");
    }
});
