//! `report diff` on two runs that differ in a known way: between the runs one case's expectation
//! is changed (the test now fails), one case is deleted and one added. The diff lists exactly
//! those differences, in Markdown and as JSON, exits 1 for the regression and 0 when the runs
//! agree; a truncated stream is an error (exit 2) naming the file and the line.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: a failure is the test failing"
)]

use std::path::Path;
use std::process::{Command, Output};

fn harness(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn case(id: &str, action: &str, expect: &str) -> String {
    format!(
        r#"{{"id":"diff/{id}","features":["identity","action"],
        "source":["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"],
        "policies":{{"identity":[{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}]}}]}},
        "tests":[{{"name":"{action}","request":{{"principal":"arn:aws:iam::111122223333:user/a",
          "action":"{action}","resource":"arn:aws:s3:::b/k"}},"expect":"{expect}"}}]}}"#
    )
}

fn write_case(dir: &Path, id: &str, action: &str, expect: &str) {
    std::fs::write(
        dir.join("corpus/diff").join(format!("{id}.json")),
        case(id, action, expect),
    )
    .unwrap();
}

fn run(dir: &Path, name: &str) -> String {
    let output = harness(dir, &["run", "--json", "corpus"]);
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(dir.join(name), &output.stdout).unwrap();
    name.to_owned()
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} › {}",
                e["case"].as_str().unwrap(),
                e["test"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn lists_exactly_the_known_differences() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::create_dir_all(dir.join("corpus/diff")).unwrap();
    write_case(dir, "kept", "s3:GetObject", "allow");
    write_case(dir, "edited", "s3:GetObject", "allow");
    write_case(dir, "deleted", "s3:PutObject", "implicit_deny");
    write_case(dir, "denied", "s3:DeleteObject", "implicit_deny");
    let old = run(dir, "old.jsonl");

    write_case(dir, "edited", "s3:GetObject", "explicit_deny");
    std::fs::remove_file(dir.join("corpus/diff/deleted.json")).unwrap();
    write_case(dir, "added", "s3:ListBucket", "implicit_deny");
    let new = run(dir, "new.jsonl");

    let json = harness(dir, &["report", "diff", &old, &new, "--json"]);
    assert_eq!(json.status.code(), Some(1), "a regression exits 1");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(ids(&value["changed"]), ["diff/edited › s3:GetObject"]);
    assert_eq!(ids(&value["added"]), ["diff/added › s3:ListBucket"]);
    assert_eq!(ids(&value["removed"]), ["diff/deleted › s3:PutObject"]);
    let changed = &value["changed"][0];
    assert_eq!(changed["engine"], "reference");
    assert_eq!(changed["kind"], "newly_failing");
    assert_eq!(changed["old"]["status"], "pass");
    assert_eq!(changed["new"]["status"], "fail");
    assert_eq!(changed["old"]["expect"], "allow");
    assert_eq!(changed["new"]["expect"], "explicit_deny");
    assert_eq!(changed["new"]["got"], "allow");
    assert_eq!(value["added"][0]["new"]["status"], "pass");
    assert!(value["added"][0]["old"].is_null());
    assert_eq!(value["removed"][0]["old"]["got"], "implicit_deny");
    let summary = &value["summary"];
    assert_eq!(summary["regressions"], 1);
    assert_eq!(summary["newly_failing"], 1);
    assert_eq!(summary["newly_passing"], 0);
    assert_eq!(summary["decisions_changed"], 0);
    assert_eq!(
        (summary["added"].clone(), summary["removed"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(summary["old"]["passed"], 4);
    assert_eq!(summary["new"]["failed"], 1);

    let markdown = harness(dir, &["report", "diff", &old, &new]);
    assert_eq!(markdown.status.code(), Some(1));
    let text = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        text.contains("**1 regressions** (1 newly failing, 0 added failing)"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| reference |"))
        .collect();
    assert_eq!(
        rows,
        [
            "| reference | diff/edited | s3:GetObject | pass (expected allow, got allow) | fail (expected explicit_deny, got allow) |",
            "| reference | diff/added | s3:ListBucket | — | pass (expected implicit_deny, got implicit_deny) |",
            "| reference | diff/deleted | s3:PutObject | pass (expected implicit_deny, got implicit_deny) | — |",
        ],
        "{text}"
    );
    for section in [
        "## Newly failing (regressions) (1)",
        "## Added (1)",
        "## Removed (1)",
    ] {
        assert!(text.contains(section), "{section}: {text}");
    }
    assert!(!text.contains("## Newly passing"), "{text}");

    // Backwards: the edit heals, the deleted case is back (added) and the new one gone; no
    // regression, exit 0.
    let back = harness(dir, &["report", "diff", &new, &old, "--json"]);
    assert_eq!(back.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(value["changed"][0]["kind"], "newly_passing");
    assert_eq!(ids(&value["added"]), ["diff/deleted › s3:PutObject"]);
    let same = harness(dir, &["report", "diff", &old, &old]);
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8(same.stdout)
        .unwrap()
        .contains("No test changed."));
}

#[test]
fn a_truncated_stream_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::create_dir_all(dir.join("corpus/diff")).unwrap();
    for id in ["one", "two", "three"] {
        write_case(dir, id, "s3:GetObject", "allow");
    }
    let whole = run(dir, "whole.jsonl");
    let text = std::fs::read_to_string(dir.join(&whole)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "header, three results, summary");
    // Cut at a line break: the summary line is missing.
    std::fs::write(dir.join("cut.jsonl"), lines[..3].join("\n") + "\n").unwrap();
    // Cut inside a line.
    let half = &lines[2][..lines[2].len() / 2];
    std::fs::write(
        dir.join("half.jsonl"),
        format!("{}\n{}\n{half}", lines[0], lines[1]),
    )
    .unwrap();
    for (file, line) in [("cut.jsonl", 3), ("half.jsonl", 3)] {
        let output = harness(dir, &["report", "diff", &whole, file]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{file}: line {line}:")),
            "{file}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{file}");
    }
    let output = harness(dir, &["report", "diff", "cut.jsonl", &whole, "--json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("without its summary line"));
}
