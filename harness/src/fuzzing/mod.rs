//! The checks behind the fuzz targets: one function per target, taking the fuzzer's bytes and
//! returning a [`Violation`] when a property fails.
//!
//! The cargo-fuzz crate in `fuzz/` is a thin wrapper: each target calls one `check_*` function
//! here and panics on a violation. The same functions replay every committed seed and every
//! past crash (`fuzz/corpus/**`, `fuzz/regressions/**`) in `tests/fuzz_replay.rs`, so a bug the
//! fuzzer found stays fixed under a plain `cargo test`, without libFuzzer or a nightly toolchain.
//!
//! # Input format
//!
//! Every target but [`check_eval_properties`] reads its input the same way ([`split_input`]):
//! the first byte holds flags, and the rest is one or more texts separated by the byte `0xFF`
//! (which never occurs in UTF-8), each read as UTF-8 with invalid bytes replaced. So a seed such
//! as `0s3:Get*<FF>s3:GetObject` is easy to write by hand, and the fuzzer can still reach any
//! text.
//!
//! | target | flags | texts |
//! | --- | --- | --- |
//! | `arn_parse` | none: the whole input is the text | one |
//! | `glob_match` | bit 0: case-insensitive | pattern, text |
//! | `action_match` | none | pattern, action |
//! | `resource_match` | bit 0: escaped pattern | pattern, resource |
//! | `policy_parse` | none: the whole input is the text | one |
//! | `condition_values` | none | up to three values (the whole input also seeds numbers) |
//! | `loaders` | none: the whole input is a case or scenario file | one |
//! | `eval_properties` | none: the bytes drive [`crate::gen`]'s `Arbitrary` generators | — |
//!
//! # Oracles
//!
//! The matchers are checked against oracles built on `regex-lite` ([`glob_oracle`],
//! [`resource_oracle`], [`arn_like_oracle`]): a different algorithm from the same documented
//! rules, as cedar-spec checks Cedar's `like`. See each oracle for what it covers.
//!
//! # Fuzzing your own matcher
//!
//! The oracles are public so that a project can check its own wildcard or ARN matcher the same
//! way: in its own cargo-fuzz target, split the input with [`split_input`] (so the seeds in
//! `fuzz/corpus/glob_match/` and `fuzz/dict/glob_match.dict` apply unchanged) and compare with
//! the oracle. Here the crate's own matcher stands in for yours:
//!
//! ```
//! use iam_harness::fuzzing::{glob_oracle, split_input};
//! use iam_harness::glob::{matches, CaseSensitivity};
//!
//! /// The body of a `fuzz_target!(|data: &[u8]| …)`.
//! fn check(data: &[u8]) {
//!     let (_flags, texts) = split_input(data);
//!     let pattern = texts.first().map_or("", |t| t.as_ref());
//!     let text = texts.get(1).map_or("", |t| t.as_ref());
//!     let mine = matches(pattern, text, CaseSensitivity::Sensitive); // your matcher here
//!     if let Some(want) = glob_oracle(pattern, text, CaseSensitivity::Sensitive, false) {
//!         assert_eq!(mine, want, "pattern {pattern:?} text {text:?}");
//!     }
//! }
//! check(b"\x00s3:Get*\xffs3:GetObject");
//! ```

mod eval;
mod loading;
mod matching;
mod parsing;
mod values;

use std::borrow::Cow;

pub use eval::check_eval_properties;
pub use loading::check_loaders;
pub use matching::{
    arn_like_oracle, ascii_ci_glob_oracle, check_action_match, check_glob_match,
    check_resource_match, glob_oracle, resource_oracle,
};
pub use parsing::{check_arn_parse, check_policy_parse};
pub use values::check_condition_values;

/// A property that failed on a fuzz input: which target's check and what went wrong, with the
/// inputs involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{target}: {message}")]
pub struct Violation {
    /// The fuzz target whose check failed, e.g. `glob_match`.
    pub target: &'static str,
    /// What failed, with the inputs.
    pub message: String,
}

/// A check: fuzzer bytes in, `Err` when a property does not hold.
pub type Check = fn(&[u8]) -> Result<(), Violation>;

/// Every fuzz target by name, with its check: the fuzz crate and the replay test both use it.
pub const TARGETS: [(&str, Check); 8] = [
    ("arn_parse", check_arn_parse),
    ("glob_match", check_glob_match),
    ("action_match", check_action_match),
    ("resource_match", check_resource_match),
    ("policy_parse", check_policy_parse),
    ("condition_values", check_condition_values),
    ("eval_properties", check_eval_properties),
    ("loaders", check_loaders),
];

/// The check of the fuzz target `name`, or `None` for an unknown name.
pub fn check_for(name: &str) -> Option<Check> {
    TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .map(|&(_, check)| check)
}

/// Splits a fuzz input into its flag byte and its texts: the bytes after the first, split at
/// every `0xFF`, each read as UTF-8 with invalid sequences replaced by U+FFFD. An empty input
/// gives flags `0` and one empty text.
pub fn split_input(data: &[u8]) -> (u8, Vec<Cow<'_, str>>) {
    let (flags, rest) = match data.split_first() {
        Some((&flags, rest)) => (flags, rest),
        None => (0, data),
    };
    let texts = rest
        .split(|&b| b == 0xFF)
        .map(String::from_utf8_lossy)
        .collect();
    (flags, texts)
}

/// The text at `index`, or `""` when the input has fewer texts.
fn text_at<'a>(texts: &'a [Cow<'_, str>], index: usize) -> &'a str {
    texts.get(index).map_or("", |text| text.as_ref())
}

/// `Ok` when `holds`, else a violation of `target` with the message `message()` builds.
fn ensure(
    holds: bool,
    target: &'static str,
    message: impl FnOnce() -> String,
) -> Result<(), Violation> {
    if holds {
        Ok(())
    } else {
        Err(Violation {
            target,
            message: message(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_input_reads_flags_and_texts() {
        let (flags, texts) = split_input(b"1a*\xffabc\xff\xfe");
        assert_eq!(flags, b'1');
        assert_eq!(texts, ["a*", "abc", "\u{FFFD}"]);
        let (flags, texts) = split_input(b"");
        assert_eq!(flags, 0);
        assert_eq!(texts, [""]);
    }

    #[test]
    fn every_target_is_found_by_name() {
        for (name, _) in TARGETS {
            assert!(check_for(name).is_some(), "{name}");
        }
        assert!(check_for("nope").is_none());
    }
}
