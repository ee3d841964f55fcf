//! `iam-harness test`: the command a team puts in CI. Runs scenario and case files, prints every
//! failure, and writes the reports — results.jsonl, summary.json, report.md, junit.xml — to
//! `reports/latest/` or where `--report DIR` says.

use std::io::{self, Stdout};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{error, outln, output_failed, Out, Tolerant};
use super::run::{exit_status, Setup};
use super::EXIT_USAGE;
use crate::engine::EngineInfo;
use crate::report::text::TextReport;
use crate::report::{junit, markdown, JsonLines};
use crate::runner::{Fanout, KnownFailure, Shard, Sink, Summary, TestResult};

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
    /// Run only shard I of N (by case id); `report merge` joins the shards' `results.jsonl`.
    #[arg(long, value_name = "I/N", default_value_t = Shard::ALL)]
    shard: Shard,
}

/// A report that cannot be written.
#[derive(Debug, thiserror::Error)]
enum ReportError {
    /// A file or folder cannot be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The JUnit document cannot be rendered.
    #[error(transparent)]
    Junit(#[from] quick_junit::SerializeError),
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| ReportError::Write { path, source }
    };
    crate::files::write_atomic(path, bytes).map_err(failed(path))
}

/// What a run leaves for its reports.
struct Run<'a> {
    info: &'a EngineInfo,
    results: &'a [TestResult],
    summary: &'a Summary,
    /// Known failures that matched no test.
    stale: &'a [KnownFailure],
}

fn write_reports(args: &TestArgs, run: &Run<'_>) -> Result<(), ReportError> {
    let Run {
        info,
        results,
        summary,
        stale,
    } = *run;
    let dir = &args.report;
    let mut lines = JsonLines::new(Vec::new());
    let in_memory = |source| ReportError::Write {
        path: dir.join("results.jsonl"),
        source,
    };
    lines
        .header(std::slice::from_ref(info))
        .map_err(in_memory)?;
    for result in results {
        lines.result(result).map_err(in_memory)?;
    }
    lines.summary(summary).map_err(in_memory)?;
    write(&dir.join("results.jsonl"), &lines.into_inner())?;
    let summary_json = serde_json::json!({
        "engine": info, "summary": summary, "stale_known_failures": stale,
    });
    write(
        &dir.join("summary.json"),
        format!("{summary_json:#}\n").as_bytes(),
    )?;
    write(
        &dir.join("report.md"),
        markdown::render(&info.name, results, summary).as_bytes(),
    )?;
    let xml = junit::render(&info.name, results)?;
    write(&dir.join("junit.xml"), xml.as_bytes())?;
    if let Some(path) = &args.junit {
        write(path, xml.as_bytes())?;
    }
    Ok(())
}

/// The text report under a progress bar of the files done (drawn on a terminal only): the bar
/// steps aside while a problem is printed, and is cleared before the summary.
struct Progress {
    bar: ProgressBar,
    text: TextReport<Stdout>,
}

impl Sink for Progress {
    fn start(&mut self, engine: &EngineInfo, files: usize) -> io::Result<()> {
        self.bar.set_length(files as u64);
        self.text.start(engine, files)
    }

    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        let text = &mut self.text;
        self.bar.suspend(|| text.result(result))
    }

    fn file_done(&mut self) -> io::Result<()> {
        self.bar.inc(1);
        self.text.file_done()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.bar.finish_and_clear();
        self.text.finish(summary)
    }
}

/// Runs `iam-harness test`. The reports are written even when standard output is gone (a
/// closed pipe, a full disk): that is said last, with exit status 2.
pub fn test(args: &TestArgs) -> u8 {
    let setup = match Setup::new(
        &args.engine,
        args.timeout,
        args.known_failures.as_deref(),
        &args.paths,
        std::slice::from_ref(&args.report),
    ) {
        Ok(setup) => setup,
        Err(problem) => {
            error(problem);
            return EXIT_USAGE;
        }
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {msg}") {
        bar.set_style(style);
    }
    let mut progress = Progress {
        bar,
        text: TextReport::new(io::stdout()),
    };
    let mut printed = Tolerant::new(&mut progress);
    let mut results: Vec<TestResult> = Vec::new();
    let run = setup.run_shard(args.shard, &mut Fanout(vec![&mut printed, &mut results]));
    let printing = printed.failed();
    let (summary, stale) = match run {
        Ok(run) => run,
        Err(failure) => return output_failed(&failure),
    };
    let info = setup.engine_info();
    let run = Run {
        info: &info,
        results: &results,
        summary: &summary,
        stale: &stale,
    };
    if let Err(message) = write_reports(args, &run) {
        error(format_args!("cannot write the reports: {message}"));
        return EXIT_USAGE;
    }
    if let Some(failure) = printing {
        return output_failed(&failure);
    }
    let mut out = Out::new();
    outln!(out, "reports written to {}", args.report.display());
    let code = exit_status(&summary);
    out.finish(code)
}
