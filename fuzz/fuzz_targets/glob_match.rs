//! Fuzz target `glob_match`.
//!
//! Differential: `glob::matches` and `glob::matches_escaped` against a regex oracle (`regex-lite`) built from
//! the pattern (`*` → `.*`, `?` → `.`, all else escaped, `(?s)`). Case-insensitive matching is
//! compared after mapping pattern literals and text to their simple lowercase, and, for ASCII
//! input only, also against the engine's `(?i)` (which is no oracle for case outside
//! ASCII). Plus: a case-sensitive match is a case-insensitive one, and without a
//! backslash both syntaxes agree.
//!
//! Input: flag byte (bit 0: case-insensitive), pattern, `0xFF`, text.
//!
//! The check lives in `iam_harness::fuzzing::check_glob_match`, which `cargo test` also runs over
//! `fuzz/corpus/glob_match/` and `fuzz/regressions/glob_match/` (harness/tests/fuzz_replay.rs).
#![no_main]

use iam_harness::fuzzing::check_glob_match;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = check_glob_match(data) {
        panic!("{violation}");
    }
});
