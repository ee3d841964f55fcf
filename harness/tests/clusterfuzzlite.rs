//! `.clusterfuzzlite/build.sh`, run as ClusterFuzzLite runs it: `$SRC` a folder holding the
//! project as `$SRC/iam-harness`, `$OUT` an empty folder; every `[[bin]]` target of
//! `fuzz/Cargo.toml` must land in `$OUT` as a libFuzzer binary, with its seed corpus and
//! dictionary. The script builds with `CFLITE_BUILD=smoke` here (no sanitizer: the build
//! `fuzz/smoke.sh` makes, sharing its artifacts) unless `CFLITE_BUILD` is set otherwise.
//!
//! Needs cargo-fuzz and a nightly toolchain (or `RUSTC_BOOTSTRAP`); without cargo-fuzz the test
//! says it skipped, unless `IAM_HARNESS_REQUIRE_CARGO_FUZZ=1` (set by `.ci/run` once it has
//! installed cargo-fuzz), which turns a missing cargo-fuzz into a failure.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The `name` of every `[[bin]]` of `fuzz/Cargo.toml`.
fn targets(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin {
            if let Some(value) = line.strip_prefix("name") {
                let value = value.trim_start().trim_start_matches('=').trim();
                names.push(value.trim_matches('"').to_owned());
            }
        }
    }
    names
}

/// A command free of the variables `cargo test` sets for its tests (`CARGO`, `RUSTUP_TOOLCHAIN`
/// …), which would pin the stable toolchain inside the script's nightly cargo-fuzz build.
fn clean(mut command: Command) -> Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let cargo = name.starts_with("CARGO") && name != "CARGO_HOME";
        if cargo
            || matches!(
                name.as_str(),
                "RUSTUP_TOOLCHAIN" | "RUSTC" | "RUSTDOC" | "RUSTFLAGS" | "RUSTC_WRAPPER"
            )
        {
            command.env_remove(&name);
        }
    }
    command
}

#[test]
fn build_sh_puts_every_fuzz_target_in_out() {
    let root = root();
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    let expected = targets(&manifest);
    assert!(expected.len() >= 8, "{expected:?}");
    let has_fuzz = clean(Command::new("cargo"))
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        assert!(
            std::env::var_os("IAM_HARNESS_REQUIRE_CARGO_FUZZ").is_none(),
            "IAM_HARNESS_REQUIRE_CARGO_FUZZ is set but `cargo fuzz` does not run"
        );
        eprintln!("skipped: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)");
        return;
    }
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&root, src.path().join("iam-harness")).unwrap();
    let mut command = clean(Command::new("bash"));
    command
        .arg(root.join(".clusterfuzzlite/build.sh"))
        .env("SRC", src.path())
        .env("OUT", out.path())
        .current_dir(src.path());
    if std::env::var_os("CFLITE_BUILD").is_none() {
        command.env("CFLITE_BUILD", "smoke");
    }
    let started = std::time::Instant::now();
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "build.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("build.sh took {:?}", started.elapsed());
    for target in &expected {
        let binary = out.path().join(target);
        assert!(binary.is_file(), "{target} is not in $OUT");
        // A libFuzzer binary: runs its seed inputs and exits 0 (no input, -runs=0 runs none).
        let run = Command::new(&binary).arg("-runs=0").output().unwrap();
        assert!(
            run.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("libFuzzer"),
            "{target}"
        );
        if root.join("fuzz/corpus").join(target).is_dir() {
            let zip = out.path().join(format!("{target}_seed_corpus.zip"));
            assert!(
                zip.metadata().is_ok_and(|m| m.len() > 22),
                "{target}: no seed corpus"
            );
        }
        if root
            .join("fuzz/dict")
            .join(format!("{target}.dict"))
            .is_file()
        {
            assert!(
                out.path().join(format!("{target}.dict")).is_file(),
                "{target}: no dict"
            );
        }
    }
}
