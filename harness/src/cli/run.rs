//! `iam-harness run`: run case files against an engine and summarise.

use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::process::ProcessOptions;
use crate::engine::{from_spec_with, EngineSpecError, Evaluator};
use crate::report::text::TextReport;
use crate::report::JsonLines;
use crate::runner::{run_suite_sharded, KnownFailures, KnownFailuresError, Shard, Sink, Summary};

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
}

/// What `run` and `test` prepare from their arguments before running.
pub(super) struct Setup {
    engine: Box<dyn Evaluator>,
    paths: Vec<PathBuf>,
    known: KnownFailures,
}

impl Setup {
    /// Reads `--timeout` and `--known-failures`, starts the engine, and picks the paths (the
    /// default ones when none are given).
    pub(super) fn new(
        engine: &str,
        timeout: Option<f64>,
        known_failures: Option<&Path>,
        paths: &[PathBuf],
    ) -> Result<Setup, SetupError> {
        let options = process_options(timeout)?;
        let known = known_failures.map_or(Ok(KnownFailures::default()), KnownFailures::load)?;
        let engine = from_spec_with(engine, options)?;
        let paths = if paths.is_empty() {
            default_paths()
        } else {
            paths.to_vec()
        };
        if paths.is_empty() {
            return Err(SetupError::NoPaths);
        }
        Ok(Setup {
            engine,
            paths,
            known,
        })
    }

    /// The engine's name, version and features.
    pub(super) fn engine_info(&self) -> crate::engine::EngineInfo {
        self.engine.info()
    }

    /// Runs the cases of one shard of the suite into `sink`.
    pub(super) fn run_shard(&self, shard: Shard, sink: &mut dyn Sink) -> io::Result<Summary> {
        run_suite_sharded(self.engine.as_ref(), &self.paths, &self.known, shard, sink)
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

/// The exit status of a finished run.
pub(super) fn exit_status(summary: &Summary) -> u8 {
    if summary.ok() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// Runs `iam-harness run`.
pub fn run(args: &RunArgs) -> u8 {
    let setup = match Setup::new(
        &args.engine,
        args.timeout,
        args.known_failures.as_deref(),
        &args.paths,
    ) {
        Ok(setup) => setup,
        Err(error) => {
            eprintln!("error: {error}");
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
        Ok(summary) => exit_status(&summary),
        Err(_) => {
            eprintln!("error: could not write the results");
            EXIT_USAGE
        }
    }
}
