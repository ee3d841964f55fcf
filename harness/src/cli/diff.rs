//! `iam-harness diff`: runs the corpus (and generated inputs) through several engines, groups the
//! disagreements, shows which engines agree with the documented expectation, and writes shrunk
//! generated disagreements as case files (see [`crate::diff`]). A test an engine errors on is
//! counted and fails the command (exit 1) like a disagreement; an engine that decides no test
//! at all leaves nothing to compare (exit 2).

use std::path::PathBuf;

use clap::Args;

use super::output::{error, outln, Out};
use super::run::check_paths;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::diff::{corpus_disagreements, disagreement_case, generated_disagreements, group};
use crate::engine::{from_spec, Evaluator};
use crate::gen::Settings;
use crate::invariants::run::write_regression;
use crate::runner::{run_suite, KnownFailures};

/// Arguments of `iam-harness diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Case files or folders (default: `corpus/`).
    paths: Vec<PathBuf>,
    /// The engines to compare (at least two; put `reference` first to record its decisions).
    #[arg(long = "engine", required = true)]
    engines: Vec<String>,
    /// Generated inputs to compare the engines on as well (0: the corpus only).
    #[arg(long, default_value_t = 0)]
    cases: u64,
    /// The seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Most generated disagreements kept (one per distinct pattern of decisions).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Where shrunk generated disagreements are written as case files.
    #[arg(long, default_value = "corpus/regressions/diff")]
    out: PathBuf,
    /// Do not write case files.
    #[arg(long)]
    no_write: bool,
}

/// Runs `iam-harness diff`.
pub fn diff(args: &DiffArgs) -> u8 {
    if args.engines.len() < 2 {
        error("`diff` needs at least two `--engine`s");
        return EXIT_USAGE;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        args.paths.clone()
    };
    if let Err(problem) = check_paths(&paths) {
        error(problem);
        return EXIT_USAGE;
    }
    let mut engines = Vec::new();
    for spec in &args.engines {
        match from_spec(spec) {
            Ok(engine) => engines.push(engine),
            Err(problem) => {
                error(format_args!("engine `{spec}`: {problem}"));
                return EXIT_USAGE;
            }
        }
    }
    let mut out = Out::new();
    let mut errored = 0;
    let mut runs = Vec::new();
    for (spec, engine) in args.engines.iter().zip(&engines) {
        let mut results = Vec::new();
        let summary = match run_suite(
            engine.as_ref(),
            &paths,
            &KnownFailures::default(),
            &mut results,
        ) {
            Ok(summary) => summary,
            Err(problem) => {
                error(format_args!("engine `{spec}`: {problem}"));
                return EXIT_USAGE;
            }
        };
        if summary.passed + summary.failed == 0 {
            error(format_args!(
                "engine `{spec}` decided no test ({} errored, {} skipped): nothing to compare",
                summary.errored, summary.skipped
            ));
            return out.finish(EXIT_USAGE);
        }
        if summary.errored > 0 {
            outln!(
                out,
                "engine `{spec}`: {} tests errored (not compared)",
                summary.errored
            );
            errored += summary.errored;
        }
        runs.push((engine.info().name, results));
    }
    let disagreements = corpus_disagreements(&runs);
    outln!(
        out,
        "corpus: {} tests where the engines disagree",
        disagreements.len()
    );
    for (title, items) in group(&disagreements) {
        outln!(out, "\n== {title} ({} tests)", items.len());
        for d in items {
            let expect = d.expect.map(|e| e.as_str()).unwrap_or("-");
            let by_engine: Vec<String> = d
                .decisions
                .iter()
                .map(|(n, x)| format!("{n}={}", x.map(|x| x.as_str()).unwrap_or("-")))
                .collect();
            outln!(
                out,
                "  {} › {}: documented {expect}; {}",
                d.case,
                d.test,
                by_engine.join(" ")
            );
        }
    }
    let mut generated = 0;
    if args.cases > 0 {
        let refs: Vec<&dyn Evaluator> = engines.iter().map(|e| e.as_ref()).collect();
        let found = generated_disagreements(
            &refs,
            Settings::default(),
            args.seed,
            args.cases,
            args.limit,
        );
        generated = found.len();
        outln!(
            out,
            "\ngenerated: {} distinct disagreements in {} inputs (seed {})",
            found.len(),
            args.cases,
            args.seed
        );
        for (i, d) in found.iter().enumerate() {
            let case = disagreement_case(d, &format!("regressions/diff/seed{}-{i}", args.seed));
            outln!(out, "  {}", case.description);
            if !args.no_write {
                match write_regression(&args.out, &case) {
                    Ok(path) => outln!(out, "    written to {}", path.display()),
                    Err(e) => {
                        error(format_args!("cannot write to {}: {e}", args.out.display()));
                        return out.finish(EXIT_USAGE);
                    }
                }
            }
        }
    }
    out.finish(
        if disagreements.is_empty() && generated == 0 && errored == 0 {
            EXIT_OK
        } else {
            EXIT_FAILED
        },
    )
}
