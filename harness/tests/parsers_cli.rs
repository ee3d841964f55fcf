//! `iam-harness parsers` against planted-bug parsers (harness/tests/planted_parser.py): each bug
//! is caught with a minimal counterexample, a correct parser passes, and faults (garbage, wrong
//! seq, hang, crash) cost their input only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn planted(mode: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/planted_parser.py");
    format!("cmd:python3 {} {mode}", script.display())
}

fn python_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus-parsers")
}

/// Runs the command with `--json`; returns the exit code and the lines.
fn run(engine: &str, extra: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(["parsers", "--engine", engine, "--json", "--cases", "300"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (out.status.code().unwrap(), lines)
}

fn disagreements(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["type"] == "disagreement")
        .collect()
}

#[test]
fn a_resource_cut_at_its_first_colon_is_caught_minimally() {
    if !python_available() {
        eprintln!("skipped: python3 not available");
        return;
    }
    let corpus = corpus();
    let (code, lines) = run(
        &planted("cut-colon"),
        &["--corpus", corpus.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert_eq!(lines.first().unwrap()["type"], "header");
    assert_eq!(lines.last().unwrap()["type"], "summary");
    let found = disagreements(&lines);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = found[0];
    assert_eq!(d["root_cause"], "parse_arn:resource-cut-at-colon");
    assert_eq!(d["cmd"], "parse_arn");
    let input = d["input"].as_str().unwrap();
    assert!(input.len() <= 12, "not minimal: {input}");
    assert!(d["expected"]["arn"]["resource"]
        .as_str()
        .unwrap()
        .contains(':'));
    assert!(!d["got"]["arn"]["resource"].as_str().unwrap().contains(':'));
}

#[test]
fn an_action_pattern_read_as_a_prefix_is_caught_minimally() {
    if !python_available() {
        eprintln!("skipped: python3 not available");
        return;
    }
    let corpus = corpus();
    let (code, lines) = run(
        &planted("action-prefix"),
        &["--corpus", corpus.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let found = disagreements(&lines);
    assert!(!found.is_empty());
    assert!(found.iter().all(|d| d["kind"] == "action"), "{found:?}");
    let prefix = found
        .iter()
        .find(|d| d["root_cause"] == "action:prefix:matches")
        .expect("the prefix reading is named");
    assert!(
        prefix["pattern"].as_str().unwrap().len() + prefix["value"].as_str().unwrap().len() <= 3
    );
    assert_eq!(prefix["expected"]["matched"], false);
    assert_eq!(prefix["got"]["matched"], true);
}

#[test]
fn a_correct_parser_passes_and_known_differences_pass() {
    if !python_available() {
        eprintln!("skipped: python3 not available");
        return;
    }
    let corpus = corpus();
    let (code, lines) = run(&planted("correct"), &["--corpus", corpus.to_str().unwrap()]);
    assert_eq!(code, 0, "{lines:?}");
    assert!(disagreements(&lines).is_empty());
    let dir = tempfile_dir("known");
    let known = dir.join("known.json");
    std::fs::write(
        &known,
        r#"{"parser":"planted","differences":[{"root_cause":"parse_arn:resource-cut-at-*","right":"documentation","note":"planted"}]}"#,
    )
    .unwrap();
    let (code, lines) = run(
        &planted("cut-colon"),
        &[
            "--corpus",
            corpus.to_str().unwrap(),
            "--known",
            known.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(disagreements(&lines)[0]["known"], "documentation");
}

fn tempfile_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("iam-harness-parsers-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A corpus of two ARNs: one the fault triggers on, one it does not.
fn fault_corpus(word: &str) -> PathBuf {
    let dir = tempfile_dir(word);
    let file = format!(
        r#"{{"description":"faults","cases":[
            {{"id":"a","cmd":"parse_arn","input":"arn:aws:s3:::{word}","expected":{{"arn":{{"partition":"aws","service":"s3","region":"","account":"","resource":"{word}"}}}},"source":"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"}},
            {{"id":"b","cmd":"parse_arn","input":"arn:aws:s3:::b/k","expected":{{"arn":{{"partition":"aws","service":"s3","region":"","account":"","resource":"b/k","resource_type":"b","resource_id":"k"}}}},"source":"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"}}]}}"#
    );
    std::fs::write(dir.join("faults.json"), file).unwrap();
    dir
}

#[test]
fn faults_cost_their_input_only() {
    if !python_available() {
        eprintln!("skipped: python3 not available");
        return;
    }
    for (mode, word) in [
        ("hang", "hang"),
        ("crash", "crash"),
        ("garbage", "x"),
        ("wrong-seq", "x"),
    ] {
        let corpus = fault_corpus(word);
        let (code, lines) = run(
            &planted(mode),
            &[
                "--corpus",
                corpus.to_str().unwrap(),
                "--timeout",
                "1",
                "--max-restarts",
                "200",
            ],
        );
        assert_eq!(code, 1, "{mode}");
        let found = disagreements(&lines);
        assert!(
            found
                .iter()
                .all(|d| d["root_cause"] == "parse_arn:fault" || d["root_cause"] == "match:fault"),
            "{mode}: {found:?}"
        );
        assert!(!found.is_empty(), "{mode}");
        let summary = lines.last().unwrap();
        // Everything but the faulted inputs agreed.
        let agreed = summary["agreed"].as_u64().unwrap();
        let disagreed = summary["disagreements"].as_u64().unwrap();
        assert!(agreed > disagreed * 3, "{mode}: {summary}");
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(["parsers", "--engine", "reference"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cmd:PROGRAM"));
    let dir = tempfile_dir("bad-corpus");
    std::fs::write(dir.join("x.json"), "{").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args([
            "parsers",
            "--engine",
            "cmd:true",
            "--corpus",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.json"));
}
