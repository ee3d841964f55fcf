//! Every corpus case file and every scenario file (`scenarios/`) is a test of its own against the reference
//! evaluator: a failing one names its file, its case and its test, with the explanation.
//! Cases tagged `ambiguous` record the reference evaluator's documented choice, so they must
//! pass too (that keeps the README's "Semantics" table and the evaluator in step).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::PathBuf;

use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::load::load_file;
use iam_harness::runner::{run_case, Status};
use iam_harness::Evaluator;
use rstest::rstest;

fn check(path: PathBuf) {
    let loaded = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!loaded.is_empty(), "{}: no case", path.display());
    let engine = ReferenceEvaluator::new();
    let info = engine.info();
    let mut problems = Vec::new();
    for case in &loaded {
        for result in run_case(&engine, &info, case) {
            let differs = result.status != Status::Pass;
            if differs {
                problems.push(format!(
                    "{} › {}: expected {:?}, got {:?} ({:?}) — {}",
                    result.case,
                    result.test,
                    result.expect,
                    result.got,
                    result.status,
                    result
                        .explanation
                        .map(|e| format!("{} {:?}", e.reason, e.notes))
                        .or(result.message)
                        .unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        path.display(),
        problems.join("\n")
    );
}

#[rstest]
fn corpus_case(
    #[files("../corpus/**/*.json")]
    #[exclude("features\\.json")]
    #[exclude("/schema/")]
    path: PathBuf,
) {
    check(path);
}

#[rstest]
fn scenario_file(#[files("../scenarios/**/*.json")] path: PathBuf) {
    check(path);
}
