//! End-to-end tests of the `iam-harness` binary: `run` over a small corpus (passing, and with a
//! deliberately wrong expectation), `run --json`, `test` reports, `eval`, and `lint`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

const ALLOW_GET: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}"#;

fn case(id: &str, expect: &str, action: &str) -> String {
    format!(
        r#"{{"id":"{id}","description":"d","features":["identity"],
        "source":["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"],
        "policies":{{"identity":[{ALLOW_GET}]}},
        "tests":[{{"name":"t","request":{{"principal":"arn:aws:iam::111122223333:user/alice",
          "action":"{action}","resource":"arn:aws:s3:::bucket/key","resource_account":"111122223333"}},
          "expect":"{expect}"}}]}}"#
    )
}

fn corpus(cases: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    for (id, text) in cases {
        let file = root.join(format!("{id}.json"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    std::fs::write(
        root.join("features.json"),
        r#"{"features":{"identity":{"meaning":"m","spec":"§1"}}}"#,
    )
    .unwrap();
    dir
}

#[test]
fn run_passes_and_summarises() {
    let dir = corpus(&[
        ("a/allow", case("a/allow", "allow", "s3:GetObject")),
        ("a/deny", case("a/deny", "implicit_deny", "s3:PutObject")),
    ]);
    let out = harness(&["run"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("2 passed, 0 failed, 0 skipped, 0 errored"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_expectation_fails_with_its_explanation() {
    let dir = corpus(&[("a/wrong", case("a/wrong", "implicit_deny", "s3:GetObject"))]);
    let out = harness(&["run"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL a/wrong › t"), "{stdout}");
    assert!(
        stdout.contains("expected: implicit_deny  got: allow"),
        "{stdout}"
    );
    assert!(
        stdout.contains("decided by: identity[0] statement 0 (Read) Allow"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn run_json_prints_one_line_per_test_and_a_footer() {
    let dir = corpus(&[
        ("a/allow", case("a/allow", "allow", "s3:GetObject")),
        ("a/wrong", case("a/wrong", "allow", "s3:PutObject")),
    ]);
    let out = harness(&["run", "--json", "corpus"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "header, two results, summary");
    assert_eq!(lines[0]["type"], "header");
    assert_eq!(lines[1]["type"], "result");
    assert_eq!(lines[1]["case"], "a/allow");
    assert_eq!(lines[1]["status"], "pass");
    assert_eq!(lines[2]["expect"], "allow");
    assert_eq!(lines[2]["got"], "implicit_deny");
    assert_eq!(lines[2]["status"], "fail");
    assert_eq!(lines[3]["type"], "summary");
    assert_eq!(lines[3]["passed"], 1);
    assert_eq!(lines[3]["failed"], 1);
}

#[test]
fn a_malformed_case_file_is_an_error_naming_the_file() {
    let dir = corpus(&[
        ("a/allow", case("a/allow", "allow", "s3:GetObject")),
        (
            "a/broken",
            "{\"id\": \"a/broken\", \"tests\": [".to_string(),
        ),
    ]);
    let out = harness(&["run"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("broken.json"), "{stdout}");
    assert!(
        stdout.contains("1 passed, 0 failed, 0 skipped, 1 errored"),
        "{stdout}"
    );
}

#[test]
fn test_writes_junit_markdown_and_summary() {
    let dir = corpus(&[
        ("a/allow", case("a/allow", "allow", "s3:GetObject")),
        ("a/wrong", case("a/wrong", "allow", "s3:PutObject")),
    ]);
    let out = harness(
        &["test", "corpus", "--report", "out", "--junit", "junit.xml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!(report.tests, 2);
    assert_eq!(report.failures, 1);
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(md.contains("| `identity` | 1 | 1 | 0 | 0 |"), "{md}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["summary"]["failed"], 1);
    assert!(dir.path().join("out/results.jsonl").exists());
}

#[test]
fn eval_decides_and_explains() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.json"), ALLOW_GET).unwrap();
    let base = [
        "eval",
        "--identity",
        "p.json",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--resource",
        "arn:aws:s3:::bucket/key",
        "--resource-account",
        "111122223333",
    ];
    let out = harness(
        &[&base[..], &["--action", "s3:GetObject"]].concat(),
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.starts_with("allow"), "{stdout}");
    let out = harness(
        &[&base[..], &["--action", "s3:PutObject", "--json"]].concat(),
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "implicit_deny");
    assert!(v["explanation"]["reason"]
        .as_str()
        .unwrap()
        .contains("identity"));
}

#[test]
fn eval_reports_an_invalid_policy_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let out = harness(
        &[
            "eval",
            "--identity",
            "p.json",
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("invalid"), "{stdout}");
    assert!(stdout.contains("Statement[0]"), "{stdout}");
    assert!(stdout.contains("duplicate"), "{stdout}");
}

#[test]
fn lint_flags_ids_features_and_sources() {
    let bad = case("a/elsewhere", "implicit_deny", "s3:PutObject")
        .replace("\"identity\"]", "\"unknown-feature\"]")
        .replace("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html", "https://example.com");
    let dir = corpus(&[
        ("a/good", case("a/good", "allow", "s3:GetObject")),
        ("a/bad", bad),
    ]);
    let out = harness(&["lint", "corpus"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("expected `a/bad`"), "{stdout}");
    assert!(
        stdout.contains("unregistered feature `unknown-feature`"),
        "{stdout}"
    );
    assert!(stdout.contains("is not AWS documentation"), "{stdout}");
    assert!(!stdout.contains("`a/good`"), "{stdout}");
}
