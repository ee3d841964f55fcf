//! `iam-harness run`: run case files against an engine and summarise.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::case::load_path;
use crate::engine::process::ProcessOptions;
use crate::report::JsonLines;
use crate::runner::{load_error_result, run_cases, Status, Summary, TestResult};

/// Arguments of `iam-harness run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Case files or folders (default: `corpus/` and `scenarios/` when present).
    paths: Vec<PathBuf>,
    /// The engine: `reference` (default), `reference-generic`, or `cmd:PROGRAM ARGS…` for an
    /// external program speaking the engine protocol.
    #[arg(long, default_value = "reference")]
    engine: String,
    /// Seconds a `cmd:` engine may take per case before the case errors (default 10).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Print JSON Lines: a header, one line per test, a summary footer.
    #[arg(long)]
    json: bool,
}

/// The paths to run when none are given.
pub fn default_paths() -> Vec<PathBuf> {
    ["corpus", "scenarios"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}

fn print_problem(result: &TestResult) {
    let label = match result.status {
        Status::Fail => "FAIL",
        _ => "ERROR",
    };
    println!(
        "{label} {} › {}  ({})",
        result.case,
        result.test,
        result.file.display()
    );
    if let Some(expect) = result.expect {
        let got = result.got.map(|d| d.as_str()).unwrap_or("-");
        println!("  expected: {}  got: {got}", expect.decision());
    }
    if let Some(message) = &result.message {
        println!("  {message}");
    }
    if let Some(e) = &result.explanation {
        println!("  why: {}", e.reason);
        for s in &e.decided_by {
            let sid = s
                .sid
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            println!(
                "  decided by: {} statement {}{sid} {}",
                s.policy, s.statement, s.effect
            );
        }
        for note in &e.notes {
            println!("  note: {note}");
        }
    }
}

/// Prints the human summary line.
pub fn print_summary(summary: &Summary) {
    println!(
        "{} passed, {} failed, {} skipped, {} errored ({} ambiguous differences reported apart)",
        summary.passed,
        summary.failed,
        summary.skipped,
        summary.errored,
        summary.ambiguous_differences
    );
}

/// Runs `iam-harness run`.
pub fn run(args: &RunArgs) -> u8 {
    let mut options = ProcessOptions::default();
    if let Some(seconds) = args.timeout {
        match Duration::try_from_secs_f64(seconds) {
            Ok(timeout) if !timeout.is_zero() => options.request_timeout = timeout,
            _ => {
                eprintln!("error: `--timeout {seconds}` is not a positive number of seconds");
                return EXIT_USAGE;
            }
        }
    }
    let engine = match super::engine_from_spec_with(&args.engine, options) {
        Ok(engine) => engine,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let paths = if args.paths.is_empty() {
        default_paths()
    } else {
        args.paths.clone()
    };
    if paths.is_empty() {
        eprintln!("error: no case paths given and no corpus/ or scenarios/ here");
        return EXIT_USAGE;
    }
    let info = engine.info();
    let mut cases = Vec::new();
    let mut load_errors = Vec::new();
    for path in &paths {
        let (loaded, errors) = load_path(path);
        cases.extend(loaded);
        load_errors.extend(errors);
    }
    let mut jsonl = args.json.then(|| JsonLines::new(std::io::stdout().lock()));
    let mut io_failed = false;
    if let Some(out) = jsonl.as_mut() {
        io_failed |= out.header(std::slice::from_ref(&info)).is_err();
    }
    let mut summary = Summary::default();
    {
        let mut emit = |result: TestResult| {
            summary.add(&result);
            match jsonl.as_mut() {
                Some(out) => io_failed |= out.result(&result).is_err(),
                None if matches!(result.status, Status::Fail | Status::Error) => {
                    print_problem(&result)
                }
                None => {}
            }
        };
        for error in &load_errors {
            emit(load_error_result(&info.name, error));
        }
        // A `cmd:` engine is one subprocess: one case at a time, results streamed as they come.
        let parallel = !super::is_process_spec(&args.engine);
        run_cases(engine.as_ref(), &cases, parallel, &mut emit);
    }
    match jsonl.as_mut() {
        Some(out) => io_failed |= out.summary(&summary).is_err(),
        None => {
            println!(
                "engine {} {}: {} cases",
                info.name,
                info.version,
                cases.len()
            );
            print_summary(&summary);
        }
    }
    if io_failed {
        eprintln!("error: could not write the results");
        return EXIT_USAGE;
    }
    if summary.ok() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
