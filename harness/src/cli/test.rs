//! `iam-harness test`: the command a team puts in CI. Runs scenario and case files, prints every
//! failure, and writes the reports — results.jsonl, summary.json, report.md, junit.xml — to
//! `reports/latest/` or where `--report DIR` says.

use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::run::{known_failures, print_problem, print_summary, process_options, run_suite, Event};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::EngineInfo;
use crate::report::{junit, markdown, JsonLines};
use crate::runner::{Status, Summary, TestResult};

/// Arguments of `iam-harness test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Scenario and case files or folders (default: `corpus/` and `scenarios/` when present).
    paths: Vec<PathBuf>,
    /// The engine: `reference` (default), `reference-generic`, or `cmd:PROGRAM ARGS…`.
    #[arg(long, default_value = "reference")]
    engine: String,
    /// Folder for the reports.
    #[arg(long = "report", value_name = "DIR", default_value = "reports/latest")]
    report: PathBuf,
    /// Seconds a `cmd:` engine may take per case before the case errors (default 10).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Known failures of the engine: listed failures are reported apart; a listed test that
    /// passes fails the run.
    #[arg(long, value_name = "FILE")]
    known_failures: Option<PathBuf>,
    /// Also write the JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_reports(
    args: &TestArgs,
    info: &EngineInfo,
    results: &[TestResult],
    summary: &Summary,
) -> Result<(), String> {
    let dir = &args.report;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut lines = JsonLines::new(Vec::new());
    let io = |e: std::io::Error| e.to_string();
    lines.header(std::slice::from_ref(info)).map_err(io)?;
    for r in results {
        lines.result(r).map_err(io)?;
    }
    lines.summary(summary).map_err(io)?;
    write(
        &dir.join("results.jsonl"),
        &String::from_utf8_lossy(&lines.into_inner()),
    )?;
    let summary_json = serde_json::json!({ "engine": info, "summary": summary });
    write(&dir.join("summary.json"), &format!("{summary_json:#}\n"))?;
    write(
        &dir.join("report.md"),
        &markdown::render(&info.name, results, summary),
    )?;
    let xml = junit::render(&info.name, results).map_err(|e| e.to_string())?;
    write(&dir.join("junit.xml"), &xml)?;
    if let Some(path) = &args.junit {
        write(path, &xml)?;
    }
    Ok(())
}

/// Runs `iam-harness test`.
pub fn test(args: &TestArgs) -> u8 {
    let prepared = process_options(args.timeout)
        .and_then(|options| Ok((options, known_failures(args.known_failures.as_ref())?)));
    let (options, known) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} tests {msg}") {
        bar.set_style(style);
    }
    let mut results = Vec::new();
    let outcome = run_suite(
        &args.paths,
        &args.engine,
        options,
        &known,
        &mut |event| match event {
            Event::Start(_, tests) => bar.set_length(tests as u64),
            Event::Result(r) => {
                bar.inc(1);
                if matches!(r.status, Status::Fail | Status::Error) {
                    bar.suspend(|| print_problem(r));
                }
                results.push(r.clone());
            }
        },
    );
    bar.finish_and_clear();
    let (info, summary) = match outcome {
        Ok(done) => done,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    println!("engine {} {}", info.name, info.version);
    print_summary(&summary);
    if let Err(message) = write_reports(args, &info, &results, &summary) {
        eprintln!("error: cannot write the reports: {message}");
        return EXIT_USAGE;
    }
    println!("reports written to {}", args.report.display());
    if summary.ok() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
