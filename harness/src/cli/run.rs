//! `iam-harness run`: run case files against an engine and summarise.

use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::output::{error, output_failed, warning};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::process::ProcessOptions;
use crate::engine::{from_spec_with, EngineSpecError, Evaluator};
use crate::files::{file_type, kind_name, ReadError};
use crate::load::case_files;
use crate::report::text::TextReport;
use crate::report::JsonLines;
use crate::runner::{
    run_listed, Fanout, KnownFailure, KnownFailures, KnownFailuresError, KnownUse, Shard, Sink,
    Summary,
};

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
    /// Run only shard I of N (by case id); `report merge` joins the shards' `--json` streams.
    #[arg(long, value_name = "I/N", default_value_t = Shard::ALL)]
    shard: Shard,
}

/// The paths to run when none are given.
pub fn default_paths() -> Vec<PathBuf> {
    ["corpus", "scenarios"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}

/// Why a run cannot start.
#[derive(Debug, thiserror::Error)]
pub(super) enum SetupError {
    /// `--timeout` is not a positive number of seconds.
    #[error("`--timeout {0}` is not a positive number of seconds")]
    Timeout(f64),
    /// The `--known-failures` file cannot be used.
    #[error(transparent)]
    KnownFailures(#[from] KnownFailuresError),
    /// `--engine` names no engine, or its program does not start.
    #[error(transparent)]
    Engine(#[from] EngineSpecError),
    /// No paths, and neither `corpus/` nor `scenarios/` here.
    #[error("no case paths given and no corpus/ or scenarios/ here")]
    NoPaths,
    /// A given path is neither a file nor a folder that can be read.
    #[error("{}: {reason}", path.display())]
    Path {
        /// The path as given.
        path: PathBuf,
        /// Why it cannot be read.
        reason: ReadError,
    },
}

/// Checks that every path given to a command is a regular file or a folder (after following
/// links): a missing path, a FIFO or a device is an error before anything runs.
pub(super) fn check_paths(paths: &[PathBuf]) -> Result<(), SetupError> {
    for path in paths {
        let failed = |reason| SetupError::Path {
            path: path.clone(),
            reason,
        };
        match file_type(path) {
            Err(reason) => return Err(failed(reason)),
            Ok(kind) if !kind.is_file() && !kind.is_dir() => {
                return Err(failed(ReadError::NotRegular(kind_name(kind))))
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// What `run` and `test` prepare from their arguments before running.
pub(super) struct Setup {
    engine: Box<dyn Evaluator>,
    paths: Vec<PathBuf>,
    /// Folders whose files are never read as cases (`test`'s own report folder).
    exclude: Vec<PathBuf>,
    known: KnownFailures,
}

impl Setup {
    /// Reads `--timeout` and `--known-failures`, picks and checks the paths (the default ones
    /// when none are given), and starts the engine. Files under `exclude` are not run.
    pub(super) fn new(
        engine: &str,
        timeout: Option<f64>,
        known_failures: Option<&Path>,
        paths: &[PathBuf],
        exclude: &[PathBuf],
    ) -> Result<Setup, SetupError> {
        let options = process_options(timeout)?;
        let known = known_failures.map_or(Ok(KnownFailures::default()), KnownFailures::load)?;
        let paths = if paths.is_empty() {
            default_paths()
        } else {
            paths.to_vec()
        };
        if paths.is_empty() {
            return Err(SetupError::NoPaths);
        }
        check_paths(&paths)?;
        let engine = from_spec_with(engine, options)?;
        Ok(Setup {
            engine,
            paths,
            exclude: exclude.to_vec(),
            known,
        })
    }

    /// The engine's name, version and features.
    pub(super) fn engine_info(&self) -> crate::engine::EngineInfo {
        self.engine.info()
    }

    /// Runs the cases of one shard of the suite into `sink`; warns of the known failures
    /// that matched no test, and returns them with the summary.
    pub(super) fn run_shard(
        &self,
        shard: Shard,
        sink: &mut dyn Sink,
    ) -> io::Result<(Summary, Vec<KnownFailure>)> {
        let listed = case_files(&self.paths, &self.exclude);
        let mut used = KnownUse::new(&self.known);
        let summary = run_listed(
            self.engine.as_ref(),
            listed,
            &self.known,
            shard,
            &mut Fanout(vec![sink, &mut used]),
        )?;
        let stale: Vec<KnownFailure> = used.unmatched(shard).into_iter().cloned().collect();
        for known in &stale {
            let test = known
                .test
                .as_deref()
                .map_or_else(String::new, |test| format!(" › {test}"));
            warning(format_args!(
                "known failure `{}{test}` matches no test of this run: remove it or fix its name",
                known.case
            ));
        }
        Ok((summary, stale))
    }
}

/// Process options from a `--timeout SECS` argument.
fn process_options(timeout: Option<f64>) -> Result<ProcessOptions, SetupError> {
    let mut options = ProcessOptions::default();
    if let Some(seconds) = timeout {
        match Duration::try_from_secs_f64(seconds) {
            Ok(timeout) if !timeout.is_zero() => options.request_timeout = timeout,
            _ => return Err(SetupError::Timeout(seconds)),
        }
    }
    Ok(options)
}

/// The exit status of a finished run: 1 when a test failed or errored, 2 (with the reason)
/// when no test was checked — no case found, or every test skipped.
pub(super) fn exit_status(summary: &Summary) -> u8 {
    if !summary.ok() {
        return EXIT_FAILED;
    }
    if summary.passed > 0 {
        return EXIT_OK;
    }
    if summary.skipped > 0 {
        error(format_args!(
            "nothing was checked: all {} tests were skipped (features the engine does not claim, or skipped by it)",
            summary.skipped
        ));
    } else {
        error("nothing ran: no case found in the given paths");
    }
    EXIT_USAGE
}

/// Runs `iam-harness run`.
pub fn run(args: &RunArgs) -> u8 {
    let setup = match Setup::new(
        &args.engine,
        args.timeout,
        args.known_failures.as_deref(),
        &args.paths,
        &[],
    ) {
        Ok(setup) => setup,
        Err(problem) => {
            error(problem);
            return EXIT_USAGE;
        }
    };
    let written = if args.json {
        setup.run_shard(
            args.shard,
            &mut JsonLines::new(BufWriter::new(io::stdout().lock())),
        )
    } else {
        setup.run_shard(args.shard, &mut TextReport::new(io::stdout().lock()))
    };
    match written {
        Ok((summary, _)) => exit_status(&summary),
        Err(failure) => output_failed(&failure),
    }
}
