//! `iam-harness run`: run case files against an engine and summarise.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::decision::Explanation;
use crate::engine::process::ProcessOptions;
use crate::engine::EngineInfo;
use crate::known::KnownFailures;
use crate::load::load_path;
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
    /// Known failures of the engine (`adapters/<engine>/known-failures.json`): listed failures
    /// are reported apart; a listed test that passes fails the run, so the list stays true.
    #[arg(long, value_name = "FILE")]
    known_failures: Option<PathBuf>,
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

pub(super) fn print_problem(result: &TestResult) {
    let label = match result.status {
        Status::Fail => "FAIL",
        _ => "ERROR",
    };
    if result.test.is_empty() {
        println!("{label} {}", result.file.display());
    } else {
        println!(
            "{label} {} › {}  ({})",
            result.case,
            result.test,
            result.file.display()
        );
    }
    if let Some(expect) = result.expect {
        let got = result.got.map(|d| d.as_str()).unwrap_or("-");
        println!("  expected: {}  got: {got}", expect);
    }
    if let Some(message) = &result.message {
        println!("  {message}");
    }
    if let Some(e) = &result.explanation {
        print_explanation(e);
    }
}

/// Prints an explanation: the rule that decided, the deciding statements, the notes.
pub(super) fn print_explanation(e: &Explanation) {
    println!("  why: {}", e.reason);
    match (e.rule.as_str(), e.documentation.as_str()) {
        ("", "") => {}
        (rule, "") | ("", rule) => println!("  rule: {rule}"),
        (rule, page) => println!("  rule: {rule}, see {page}"),
    }
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

/// What a suite run reports as it goes.
pub enum Event<'a> {
    /// The engine started; this many tests will follow.
    Start(&'a EngineInfo, usize),
    /// One result.
    Result(&'a TestResult),
}

/// Loads every case under `paths` and runs them through the engine named by `engine_spec`,
/// handing each event to `on_event` as it comes (unreadable files become error results).
/// Returns the engine's info and the summary, or a message when the run cannot start.
pub fn run_suite(
    paths: &[PathBuf],
    engine_spec: &str,
    options: ProcessOptions,
    known: &KnownFailures,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<(EngineInfo, Summary), String> {
    let engine = super::engine_from_spec_with(engine_spec, options)?;
    let paths = if paths.is_empty() {
        default_paths()
    } else {
        paths.to_vec()
    };
    if paths.is_empty() {
        return Err("no case paths given and no corpus/ or scenarios/ here".into());
    }
    let info = engine.info();
    let mut cases = Vec::new();
    let mut load_errors = Vec::new();
    for path in &paths {
        let (loaded, errors) = load_path(path);
        cases.extend(loaded);
        load_errors.extend(errors);
    }
    let tests = cases.iter().map(|c| c.case.tests.len()).sum::<usize>() + load_errors.len();
    on_event(Event::Start(&info, tests));
    let mut summary = Summary::default();
    let mut emit = |result: TestResult| {
        let result = known.apply(result);
        summary.add(&result);
        on_event(Event::Result(&result));
    };
    for error in &load_errors {
        emit(load_error_result(&info.name, error));
    }
    // A `cmd:` engine is one subprocess: one case at a time, results streamed as they come.
    let parallel = !super::is_process_spec(engine_spec);
    run_cases(engine.as_ref(), &cases, parallel, &mut emit);
    Ok((info, summary))
}

/// Process options from a `--timeout SECS` argument; an error message for a bad value.
pub fn process_options(timeout: Option<f64>) -> Result<ProcessOptions, String> {
    let mut options = ProcessOptions::default();
    if let Some(seconds) = timeout {
        match Duration::try_from_secs_f64(seconds) {
            Ok(timeout) if !timeout.is_zero() => options.request_timeout = timeout,
            _ => {
                return Err(format!(
                    "`--timeout {seconds}` is not a positive number of seconds"
                ))
            }
        }
    }
    Ok(options)
}

/// Reads the `--known-failures` file, if one was given.
pub fn known_failures(path: Option<&PathBuf>) -> Result<KnownFailures, String> {
    path.map_or(Ok(KnownFailures::default()), |p| KnownFailures::load(p))
}

/// Runs `iam-harness run`.
pub fn run(args: &RunArgs) -> u8 {
    let prepared = process_options(args.timeout)
        .and_then(|options| Ok((options, known_failures(args.known_failures.as_ref())?)));
    let (options, known) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let mut jsonl = args.json.then(|| JsonLines::new(std::io::stdout().lock()));
    let mut io_failed = false;
    let outcome = run_suite(
        &args.paths,
        &args.engine,
        options,
        &known,
        &mut |event| match (event, jsonl.as_mut()) {
            (Event::Start(info, _), Some(out)) => {
                io_failed |= out.header(std::slice::from_ref(info)).is_err()
            }
            (Event::Result(result), Some(out)) => io_failed |= out.result(result).is_err(),
            (Event::Result(result), None)
                if matches!(result.status, Status::Fail | Status::Error) =>
            {
                print_problem(result)
            }
            _ => {}
        },
    );
    let (info, summary) = match outcome {
        Ok(done) => done,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    match jsonl.as_mut() {
        Some(out) => io_failed |= out.summary(&summary).is_err(),
        None => {
            println!("engine {} {}", info.name, info.version);
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
