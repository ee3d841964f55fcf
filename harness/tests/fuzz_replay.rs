//! Replays every committed fuzz input — the seed corpora in `fuzz/corpus/<target>/` and the
//! crash and disagreement inputs kept in `fuzz/regressions/<target>/` — through the same check
//! the fuzz target runs (`iam_harness::fuzzing`), so that a plain `cargo test` keeps every bug
//! the fuzzer found fixed, without libFuzzer or a nightly toolchain.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};

use iam_harness::fuzzing::{check_for, TARGETS};
use rstest::rstest;
use walkdir::WalkDir;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every file under `fuzz/<kind>/<target>/`, sorted.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    if !dir.exists() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = WalkDir::new(&dir)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|path| path.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[rstest]
fn replays_seeds_and_regressions(
    #[values(
        "arn_parse",
        "glob_match",
        "action_match",
        "resource_match",
        "policy_parse",
        "condition_values",
        "eval_properties",
        "loaders"
    )]
    target: &str,
) {
    let check = check_for(target).unwrap_or_else(|| panic!("no check for `{target}`"));
    let seeds = inputs("corpus", target);
    assert!(
        seeds.len() >= 3,
        "fuzz/corpus/{target}/ should hold a few seeds, found {}",
        seeds.len()
    );
    let mut failures = Vec::new();
    for path in seeds.iter().chain(&inputs("regressions", target)) {
        let data = std::fs::read(path).unwrap();
        if let Err(violation) = check(&data) {
            failures.push(format!("{}: {violation}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A directory named after no target would silently never be replayed.
#[test]
fn every_input_directory_names_a_target() {
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if !entry.file_type().unwrap().is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(target, _)| *target == name),
                "fuzz/{kind}/{name}/ is not a fuzz target: {:?}",
                TARGETS.map(|(target, _)| target)
            );
        }
    }
}
