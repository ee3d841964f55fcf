//! Fuzz target `loaders`.
//!
//! Bytes (read as UTF-8) are given to `load::parse_document`, the loader of case and scenario
//! files: never a panic; an error names the file and the reason; a loaded file is at least one
//! case, each with an id and a test.
//!
//! Input: the whole input is the file's text.
//!
//! The check lives in `iam_harness::fuzzing::check_loaders`, which `cargo test` also runs over
//! `fuzz/corpus/loaders/` and `fuzz/regressions/loaders/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_loaders;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_loaders(data) {
        panic!("{violation}");
    }
});
