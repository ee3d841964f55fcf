//! The suite run end to end, as `iam-harness run` does it: case files listed, read, parsed,
//! checked, evaluated by the reference evaluator and judged, the results handed to a sink that
//! discards them. Three corpora of generated case files (the shape of
//! `scripts/bench_vs_moto.py`: two identity policies, requests varying action, resource and
//! caller) are written to a temporary folder:
//!
//! - `a_2000_files_x_100`: 200,000 tests, the corpus `scripts/bench-vs-moto.sh` times;
//! - `b_400_files_x_100`: 40,000 tests in small cases;
//! - `c_1_file_x_40000`: the same number of tests in one case, which must not take more than
//!   twice as long as `b`.
//!
//! The allocator is the binary's, so the figures are those of the command.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up on fixed, valid inputs"
)]

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::runner::{run_suite, Discard, KnownFailures};
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNT: &str = "111122223333";
const ACTIONS: [&str; 5] = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:DeleteObject",
    "ec2:RunInstances",
];

/// The decision the generated policies give (their wildcards are trailing `*` only).
fn expected(bucket: &str, user: &str, action: &str, resource: &str) -> &'static str {
    if action.starts_with("s3:Delete") {
        return "explicit_deny";
    }
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let read = action == "s3:GetObject" || action.starts_with("s3:List");
    let in_bucket = resource == bucket_arn || resource.starts_with(&format!("{bucket_arn}/"));
    let team = resource.starts_with(&format!("{bucket_arn}/team/"));
    if (read && in_bucket) || (action == "s3:PutObject" && team && user == "alice") {
        "allow"
    } else {
        "implicit_deny"
    }
}

/// Case `index` with `tests` tests.
fn case(index: usize, tests: usize) -> Value {
    let bucket = format!("bucket-{index}");
    let policies = json!([
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
             "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]},
            {"Sid": "TeamWrite", "Effect": "Allow", "Action": "s3:PutObject",
             "Resource": format!("arn:aws:s3:::{bucket}/team/*"),
             "Condition": {"StringEquals": {"aws:username": "alice"}}}]},
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}
    ]);
    let tests: Vec<Value> = (0..tests)
        .map(|test| {
            let user = if test % 2 == 0 { "alice" } else { "bob" };
            let action = ACTIONS[(test / 2) % ACTIONS.len()];
            let resource = match (test / 10) % 4 {
                0 => format!("arn:aws:s3:::{bucket}/k{test}"),
                1 => format!("arn:aws:s3:::{bucket}/team/k{test}"),
                2 => format!("arn:aws:s3:::{bucket}"),
                _ => format!("arn:aws:s3:::other-{index}/k{test}"),
            };
            json!({
                "name": format!("t{test}"),
                "request": {"principal": format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
                            "action": action, "resource": resource, "resource_account": ACCOUNT},
                "expect": expected(&bucket, user, action, &resource),
            })
        })
        .collect();
    json!({
        "id": format!("bench/f{index:05}"),
        "description": "generated benchmark case",
        "features": ["identity", "explicit-deny", "implicit-deny", "action", "action:wildcard",
                     "resource", "arn:wildcard", "condition:StringEquals", "global-keys"],
        "source": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"],
        "policies": {"identity": policies},
        "tests": tests,
    })
}

/// Writes `files` case files of `tests` tests each under `root/name`.
fn corpus(root: &Path, name: &str, files: usize, tests: usize) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).expect("the temporary folder is writable");
    for index in 0..files {
        let text = case(index, tests).to_string();
        std::fs::write(folder.join(format!("f{index:05}.json")), text)
            .expect("the temporary folder is writable");
    }
    folder
}

fn suite_runs(c: &mut Criterion) {
    let root = tempfile::tempdir().expect("a temporary folder");
    let engine = ReferenceEvaluator::new();
    let known = KnownFailures::default();
    let mut group = c.benchmark_group("suite_run");
    group.sample_size(10);
    for (name, files, tests) in [
        ("a_2000_files_x_100", 2000, 100),
        ("b_400_files_x_100", 400, 100),
        ("c_1_file_x_40000", 1, 40_000),
    ] {
        let paths = [corpus(root.path(), name, files, tests)];
        group.throughput(Throughput::Elements((files * tests) as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let summary = run_suite(&engine, &paths, &known, &mut Discard)
                    .expect("discarding cannot fail");
                assert_eq!(summary.passed, files * tests, "{summary:?}");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, suite_runs);
criterion_main!(benches);
