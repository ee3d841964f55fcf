//! Runs case files through the `aws-iam` crate's offline evaluator and prints the JSON Lines
//! report stream (header, one line per test, summary):
//! `cargo run -p iam-harness-aws-iam -- corpus/`.

use std::path::PathBuf;
use std::process::ExitCode;

use iam_harness::engine::Evaluator;
use iam_harness::load::load_path;
use iam_harness::report::JsonLines;
use iam_harness::runner::{load_error_result, run_cases, Summary, TestResult};
use iam_harness_aws_iam::AwsIam;

fn main() -> ExitCode {
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("corpus"));
    }
    // aws-iam panics on some inputs; the adapter catches each panic and reports it as an error
    // of that test, so the default hook's message on stderr would only be noise.
    std::panic::set_hook(Box::new(|_| {}));
    let engine = AwsIam;
    let info = engine.info();
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for path in &paths {
        let (loaded, errs) = load_path(path);
        cases.extend(loaded);
        errors.extend(errs);
    }
    let mut out = JsonLines::new(std::io::stdout().lock());
    let mut io_failed = out.header(std::slice::from_ref(&info)).is_err();
    let mut summary = Summary::default();
    {
        let mut emit = |result: TestResult| {
            summary.add(&result);
            io_failed |= out.result(&result).is_err();
        };
        for error in &errors {
            emit(load_error_result(&info.name, error));
        }
        run_cases(&engine, &cases, true, &mut emit);
    }
    io_failed |= out.summary(&summary).is_err();
    if io_failed {
        eprintln!("error: cannot write the report to stdout");
        return ExitCode::from(2);
    }
    // Failures of a third-party engine are the report's content, not an error of this program.
    ExitCode::SUCCESS
}
