//! A run split into 4 shards (`run --shard I/4 --json`) and joined with `report merge` equals the
//! unsplit run joined the same way, result for result; and each shard runs only its part.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: a failure is the test failing"
)]

use std::path::Path;
use std::process::Command;

fn harness(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(args)
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn results(stream: &str) -> Vec<String> {
    stream
        .lines()
        .filter(|l| l.contains(r#""type":"result""#))
        .map(str::to_owned)
        .collect()
}

#[test]
fn four_shards_merged_equal_the_unsplit_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.jsonl");
    std::fs::write(&whole, harness(&["run", "--json", "corpus"])).unwrap();
    let mut files = Vec::new();
    let mut total = 0;
    for i in 1..=4 {
        let stream = harness(&["run", "--json", "--shard", &format!("{i}/4"), "corpus"]);
        let count = results(&stream).len();
        assert!(count > 0, "shard {i}/4 is empty");
        total += count;
        let file = dir.path().join(format!("shard-{i}.jsonl"));
        std::fs::write(&file, stream).unwrap();
        files.push(file.display().to_string());
    }
    let unsplit = harness(&["report", "merge", &whole.display().to_string()]);
    let mut args = vec!["report", "merge"];
    args.extend(files.iter().map(String::as_str));
    let merged = harness(&args);
    assert_eq!(results(&unsplit).len(), total);
    assert_eq!(results(&merged), results(&unsplit));
    assert_eq!(merged.lines().last(), unsplit.lines().last(), "summaries");
    // The same shard twice is not a run: refused.
    let twice = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args(["report", "merge", &files[0], &files[0]])
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2));
}
