//! Cases per second through the engine protocol: `iam-harness serve` driven as a `cmd:` engine
//! (one request line, one answer line per case), next to the same case decided in-process, so
//! the difference is the protocol's cost (JSON both ways, two pipes, three threads).
//!
//! Run briefly with `cargo bench --bench protocol -- --warm-up-time 1 --measurement-time 3`.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iam_harness::case::Case;
use iam_harness::engine::process::{ProcessEngine, ProcessOptions};
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::Evaluator;

/// A case of typical size: two identity statements, a boundary, three tests.
const CASE: &str = r#"{
  "id": "bench/protocol",
  "features": ["boundary"],
  "policies": {
    "identity": [{"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]},
      {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/secret/*"}]}],
    "boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
  },
  "tests": [
    {"name": "get", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/report.csv", "context": {"aws:SourceIp": "203.0.113.7"}}, "expect": "allow"},
    {"name": "secret", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/secret/key"}, "expect": "explicit_deny"},
    {"name": "put", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/x"}, "expect": "implicit_deny"}
  ]
}"#;

fn protocol(c: &mut Criterion) {
    let case = match Case::from_json(CASE, "<bench>") {
        Ok(case) => case,
        Err(e) => {
            eprintln!("skipped: the bench case does not load: {e}");
            return;
        }
    };
    let command = vec![
        env!("CARGO_BIN_EXE_iam-harness").to_owned(),
        "serve".to_owned(),
    ];
    let served = match ProcessEngine::spawn(command, ProcessOptions::default()) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("skipped: cannot start `iam-harness serve`: {e}");
            return;
        }
    };
    let in_process = ReferenceEvaluator::new();
    // A bench of errors would measure nothing: the engine must answer like the in-process one.
    let answer = served.evaluate(&case);
    if answer != in_process.evaluate(&case) {
        eprintln!("skipped: `iam-harness serve` answered {answer:?}");
        return;
    }
    let mut group = c.benchmark_group("protocol");
    group.throughput(Throughput::Elements(1));
    group.bench_function("serve_case", |b| {
        b.iter(|| black_box(served.evaluate(black_box(&case))))
    });
    group.bench_function("in_process_case", |b| {
        b.iter(|| black_box(in_process.evaluate(black_box(&case))))
    });
    group.finish();
}

criterion_group!(benches, protocol);
criterion_main!(benches);
