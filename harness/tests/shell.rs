//! `--version` names the corpus revision; `completions` and `man` print what clap's companion
//! crates generate from the command line itself.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: a failure is the test failing"
)]

use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn version_names_the_corpus_revision() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let cases = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .filter(|e| {
            let relative = e.path().strip_prefix(&corpus).unwrap();
            !relative.starts_with("schema") && relative != Path::new("features.json")
        })
        .count();
    let text = stdout(&harness(&["--version"]));
    let prefix = format!(
        "iam-harness {} (corpus: {cases} cases, ",
        env!("CARGO_PKG_VERSION")
    );
    let hash = text
        .trim_end()
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text:?} does not begin with {prefix:?}"));
    assert_eq!(hash.len(), 12, "{text}");
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{text}");
    assert_eq!(
        iam_harness::CORPUS_REVISION,
        format!("{cases} cases, {hash}")
    );
}

#[test]
fn completions_cover_the_commands() {
    let bash = stdout(&harness(&["completions", "bash"]));
    assert!(bash.contains("complete -F _iam__harness"), "{bash}");
    assert!(
        bash.contains("iam__harness,eval)"),
        "the eval command: {bash}"
    );
    assert!(bash.contains("--known-failures"), "run's options: {bash}");
    let zsh = stdout(&harness(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef iam-harness"), "{zsh}");
    assert_eq!(harness(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff() {
    let page = stdout(&harness(&["man"]));
    let th = page
        .lines()
        .find(|l| l.starts_with(".TH"))
        .unwrap_or_default();
    assert!(th.starts_with(".TH iam-harness 1"), "{page}");
    assert!(th.contains(iam_harness::CORPUS_REVISION), "{th}");
    assert!(
        page.lines().all(|l| !l.is_empty()),
        "roff has no blank lines"
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section}: {page}");
    }
    assert!(page.contains("iam\\-harness\\-report(1)"), "{page}");
}
