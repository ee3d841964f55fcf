//! The binary against hostile input and hostile surroundings, one test per class: output cut
//! off (closed pipe, full disk), file names that are not UTF-8, FIFOs and devices, runs where
//! nothing ran, missing paths, odd files (BOM, symlinks, upper-case `.JSON`, a file given
//! twice), control characters, stale known failures. Each asserts the exit status and the
//! message, and that nothing was lost.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SOURCE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-harness"))
}

/// Waits for `child` at most 60 s (a hang fails the test instead of blocking it).
fn finish(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the command hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs the binary in `dir` with `args`, stdin closed, within the time limit.
fn run(dir: &Path, args: &[&str]) -> Output {
    let child = harness()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child)
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A case with `tests` tests named `t0` …, each expecting `expect` for `s3:GetObject` under a
/// policy allowing it on `bucket/*`.
fn case(id: &str, test: &str, tests: usize, expect: &str) -> String {
    let tests: Vec<String> = (0..tests)
        .map(|i| {
            format!(
                r#"{{"name":{name},"request":{{"principal":"arn:aws:iam::111122223333:user/a",
                "action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k{i}",
                "resource_account":"111122223333"}},"expect":"{expect}"}}"#,
                name = serde_json::to_string(&format!("{test}{i}")).unwrap()
            )
        })
        .collect();
    format!(
        r#"{{"id":{id},"description":"d","features":["identity"],"source":["{SOURCE}"],
        "policies":{{"identity":[{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}]}}]}},"tests":[{}]}}"#,
        tests.join(","),
        id = serde_json::to_string(id).unwrap()
    )
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

/// An engine speaking the protocol that skips (`skip`), errors (`error`) or crashes with
/// terminal escapes on stderr (`crash`) on every case; its `cmd:` spec.
fn engine(dir: &Path, mode: &str) -> String {
    let script = write(
        &dir.join("engine.py"),
        r#"import json, sys
mode = sys.argv[1]
while True:
    line = sys.stdin.readline()
    if not line:
        break
    m = json.loads(line)
    if m["cmd"] == "start":
        print(json.dumps({"ready": True, "engine": {"name": "hostile", "version": "0",
              "language": "Python"}, "features": ["*"]}), flush=True)
    elif m["cmd"] == "stop":
        break
    elif mode == "skip":
        print(json.dumps({"seq": m["seq"], "skipped": "not supported"}), flush=True)
    elif mode == "error":
        print(json.dumps({"seq": m["seq"], "errored": {"message": "cannot"}}), flush=True)
    else:
        sys.stderr.write("\x1b[2J\x1b[31mboom\r\n")
        sys.stderr.flush()
        sys.exit(7)
"#,
    );
    format!("cmd:python3 {} {mode}", script.display())
}

#[test]
fn a_closed_pipe_ends_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("c/big.json"),
        &case("big", "t", 3000, "allow"),
    );
    let mut child = harness()
        .args(["run", "--json", "c"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    lines.read_line(&mut first).unwrap();
    assert!(first.contains(r#""type":"header""#), "{first}");
    drop(lines);
    let out = finish(child);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        err.trim(),
        "error: standard output was closed before the command finished; the rest is not printed"
    );
}

#[test]
fn test_writes_its_reports_before_saying_its_output_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("c/bad.json"),
        &case("bad", "t", 3, "implicit_deny"),
    );
    let mut child = harness()
        .args(["test", "--report", "out", "c"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = finish(child);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("standard output was closed"), "{err}");
    for report in ["results.jsonl", "summary.json", "report.md", "junit.xml"] {
        assert!(dir.path().join("out").join(report).is_file(), "{report}");
    }
    let summary = std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["summary"]["failed"], 3, "every result kept");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("c/a.json"), &case("a", "t", 1, "allow"));
    let features = write(
        &dir.path().join("features.json"),
        r#"{"features":{"identity":{"meaning":"m"}}}"#,
    );
    for args in [
        vec![
            "lint",
            "--root",
            "c",
            "--features",
            features.to_str().unwrap(),
            "c",
        ],
        vec!["run", "c"],
        vec!["props", "--list"],
    ] {
        let child = harness()
            .args(&args)
            .current_dir(dir.path())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = finish(child);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_written_lossily_and_loses_nothing() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad\xff.json");
    write(
        &dir.path().join("c").join(name),
        &case("bad", "t", 2, "implicit_deny"),
    );
    write(
        &dir.path().join("c/good.json"),
        &case("good", "t", 2, "allow"),
    );
    let out = run(dir.path(), &["run", "--json", "c"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is whole JSON"))
        .collect();
    let results: Vec<&serde_json::Value> = lines.iter().filter(|l| l["type"] == "result").collect();
    assert_eq!(results.len(), 4, "no record lost or spliced");
    assert!(results.iter().any(|r| r["file"] == "c/bad\u{FFFD}.json"));
    let out = run(dir.path(), &["report", "engines", "c", "--out", "pub"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let published = std::fs::read_to_string(dir.path().join("pub/reference.json")).unwrap();
    assert!(published.contains("bad\u{FFFD}.json"), "{published}");
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("c/a.json"), &case("a", "t", 1, "allow"));
    let made = Command::new("mkfifo")
        .arg(dir.path().join("fifo.json"))
        .arg(dir.path().join("c/inside.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = run(dir.path(), &["run", "fifo.json"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "error: fifo.json: not a regular file (a FIFO)"
    );
    let out = run(dir.path(), &["run", "--known-failures", "fifo.json", "c"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("fifo.json: not a regular file (a FIFO)"));
    let out = run(dir.path(), &["run", "c"]);
    assert_eq!(
        code(&out),
        1,
        "the FIFO in the folder is an error, the rest runs"
    );
    let text = stdout(&out);
    assert!(
        text.contains("c/inside.json: not a regular file (a FIFO)"),
        "{text}"
    );
    assert!(
        text.contains("1 passed, 0 failed, 0 skipped, 1 errored"),
        "{text}"
    );
    let out = run(dir.path(), &["run", "/dev/null"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "error: /dev/null: not a regular file (a character device)"
    );
}

#[test]
fn a_run_where_nothing_ran_is_not_green() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = run(dir.path(), &["run", "empty"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("nothing ran: no case found"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["lint", "empty"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    write(&dir.path().join("c/a.json"), &case("a", "t", 2, "allow"));
    let skip = engine(dir.path(), "skip");
    let out = run(dir.path(), &["run", "--engine", &skip, "c"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("nothing was checked: all 2 tests were skipped"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["props", "--cases", "0", "--no-write"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("nothing was checked"),
        "{}",
        stderr(&out)
    );
    let out = run(
        dir.path(),
        &[
            "props",
            "--engine",
            &skip,
            "--cases",
            "3",
            "--property",
            "1",
            "--no-write",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the engine decided none"),
        "{}",
        stderr(&out)
    );
    let error = engine(dir.path(), "error");
    let out = run(
        dir.path(),
        &["diff", "--engine", "reference", "--engine", &error, "c"],
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("decided no test (2 errored"),
        "{}",
        stderr(&out)
    );
    write(
        &dir.path().join("w/world.json"),
        &format!(
            r#"{{"scenario":"w","description":"d","source":["{SOURCE}"],
            "accounts":{{"a":{{"id":"111122223333"}}}},"principals":{{"anon":{{"anonymous":true}}}},
            "expectations":[]}}"#
        ),
    );
    let out = run(dir.path(), &["run", "w"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("expectations: the scenario has no expectations"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_path_exits_2_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("features.json"),
        r#"{"features":{"identity":{"meaning":"m"}}}"#,
    );
    for args in [
        vec!["run", "missing"],
        vec!["test", "missing"],
        vec!["lint", "--features", "features.json", "missing"],
        vec![
            "diff",
            "--engine",
            "reference",
            "--engine",
            "reference-generic",
            "missing",
        ],
        vec!["report", "engines", "missing"],
        vec!["compare", "--old", "missing", "--new", "missing"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(
            stderr(&out).contains("missing: no such file or folder"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn eval_reads_an_arn_as_an_arn_and_refuses_an_invalid_policy() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("p.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let request = [
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--action",
        "s3:GetObject",
    ];
    let mut args = vec!["eval", "--identity", "p.json"];
    args.extend(request);
    args.extend(["--resource", "arn:aws:s3:::b/config.json"]);
    let out = run(dir.path(), &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("allow"), "{}", stdout(&out));
    write(
        &dir.path().join("bad.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
    );
    let mut args = vec!["eval", "--identity", "bad.json"];
    args.extend(request);
    args.extend(["--resource", "*"]);
    let out = run(dir.path(), &args);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).starts_with("invalid"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("a policy is invalid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn odd_but_readable_files_are_read_once_and_never_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("schema/corpus");
    write(&root.join("UPPER.JSON"), &case("upper", "t", 1, "allow"));
    let bom = format!("\u{feff}{}", case("bom", "t", 1, "allow"));
    write(&root.join("bom.json"), &bom);
    write(&root.join("schema/skipped.json"), "not a case");
    let out = run(
        dir.path(),
        &["run", "schema/corpus", "schema/corpus/bom.json"],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("2 passed, 0 failed"),
        "the user's own `schema` folder is not skipped, its `schema/` is, the BOM file \
         given twice counts once: {}",
        stdout(&out)
    );
    write(&root.join("broken.json"), "{\"id\": }");
    let out = run(dir.path(), &["run", "schema/corpus/broken.json"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1);
    assert_eq!(text.matches("line 1 column").count(), 1, "{text}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("bom.json"), root.join("link.json")).unwrap();
        std::os::unix::fs::symlink(root.join("gone.json"), root.join("dangling.json")).unwrap();
        std::fs::remove_file(root.join("broken.json")).unwrap();
        let out = run(dir.path(), &["run", "schema/corpus"]);
        let text = stdout(&out);
        assert_eq!(code(&out), 1);
        assert!(
            text.contains("dangling.json: a dangling symbolic link"),
            "{text}"
        );
        assert!(
            text.contains("2 passed, 0 failed, 0 skipped, 1 errored"),
            "{text}"
        );
    }
}

#[test]
fn control_characters_are_escaped_in_the_terminal_and_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("c/a.json"),
        &case("evil\u{1b}[2J", "name\r\u{7}", 1, "implicit_deny"),
    );
    let out = run(dir.path(), &["test", "--report", "out", "c"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains("FAIL evil\\u{1b}[2J › name\\r\\u{7}0"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    let markdown = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        markdown.contains("### `evil\\u{1b}[2J` › name\\r\\u{7}0"),
        "{markdown}"
    );
    assert!(!markdown.contains('\u{1b}'), "{markdown}");
    write(&dir.path().join("d/a.json"), &case("a", "t", 1, "allow"));
    let crash = engine(dir.path(), "crash");
    let out = run(dir.path(), &["run", "--engine", &crash, "d"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1);
    assert!(text.contains("\\u{1b}[2J\\u{1b}[31mboom"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn stale_known_failures_are_warned_of_and_listed_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("c/a.json"), &case("a", "t", 1, "allow"));
    write(
        &dir.path().join("known.json"),
        r#"[{"case":"renamed","test":null,"reason":"r"}]"#,
    );
    let out = run(
        dir.path(),
        &[
            "test",
            "--known-failures",
            "known.json",
            "--report",
            "c/out",
            "c",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: known failure `renamed` matches no test of this run"),
        "{}",
        stderr(&out)
    );
    let summary = std::fs::read_to_string(dir.path().join("c/out/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["stale_known_failures"][0]["case"], "renamed");
    let again = run(
        dir.path(),
        &[
            "test",
            "--known-failures",
            "known.json",
            "--report",
            "c/out",
            "c",
        ],
    );
    assert_eq!(
        code(&again),
        0,
        "its own summary.json is not read as a case"
    );
    assert!(stdout(&again).contains("1 passed, 0 failed, 0 skipped, 0 errored"));
}

/// The results of a `run --json` stream: (case id, status, reason) per result line.
fn results(out: &Output) -> Vec<(String, String, String)> {
    stdout(out)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["type"] == "result")
        .map(|v| {
            let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
            (text("case"), text("status"), v.to_string())
        })
        .collect()
}

#[test]
fn a_substitution_bomb_errors_its_test_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // 380 variables fit the 6,144-character quota; a 3 MB user name would make 1 GB of text.
    let resource = "${aws:username}".repeat(380);
    let name = "a".repeat(3 << 20);
    let bomb = format!(
        r#"{{"id":"bomb","description":"d","features":["identity"],"source":["{SOURCE}"],
        "policies":{{"identity":[{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{resource}"}}]}}]}},
        "tests":[{{"name":"t","request":{{"principal":"arn:aws:iam::111122223333:user/a",
        "action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
        "context":{{"aws:username":"{name}"}}}},"expect":"implicit_deny"}}]}}"#
    );
    write(&dir.path().join("cases/bomb.json"), &bomb);
    write(
        &dir.path().join("cases/fine.json"),
        &case("fine", "t", 2, "allow"),
    );
    let out = run(dir.path(), &["run", "cases", "--json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = results(&out);
    let bomb: Vec<_> = found.iter().filter(|r| r.0 == "bomb").collect();
    assert_eq!(bomb.len(), 1, "{found:?}");
    assert_eq!(bomb[0].1, "error");
    assert!(
        bomb[0].2.contains("more than 1048576 bytes"),
        "{}",
        bomb[0].2
    );
    let fine = found
        .iter()
        .filter(|r| r.0 == "fine" && r.1 == "pass")
        .count();
    assert_eq!(fine, 2, "the other case's results are kept: {found:?}");
}

#[test]
fn the_built_in_engine_honours_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 × 20,000 pattern comparisons: minutes of work; the AWS managed origin lifts the
    // size quota so the policy is valid.
    let values: Vec<String> = (0..20_000).map(|i| format!("v{i}*x")).collect();
    let request: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let slow = format!(
        r#"{{"id":"slow","description":"d","features":["identity"],"source":["{SOURCE}"],
        "policies":{{"identity":[{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",
        "Action":"s3:GetObject","Resource":"*","Condition":{{"ForAnyValue:StringLike":
        {{"aws:TagKeys":{}}}}}}}]}}],"aws_managed":["identity[0]"]}},
        "tests":[{{"name":"t","request":{{"principal":"arn:aws:iam::111122223333:user/a",
        "action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
        "context":{{"aws:TagKeys":{}}}}},"expect":"implicit_deny"}}]}}"#,
        serde_json::to_string(&values).unwrap(),
        serde_json::to_string(&request).unwrap()
    );
    write(&dir.path().join("cases/slow.json"), &slow);
    let started = Instant::now();
    let out = run(dir.path(), &["run", "cases", "--json", "--timeout", "0.5"]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the timeout bounds the run"
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = results(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "error");
    assert!(
        found[0].2.contains("longer than the timeout of 0.5 s"),
        "{}",
        found[0].2
    );
}
