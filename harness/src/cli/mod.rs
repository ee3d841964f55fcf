//! The `iam-harness` command line: one file per subcommand, each with its `…Args` and a function
//! returning the exit status. `main.rs` only dispatches.
//!
//! Exit statuses: 0 success; 1 a test failed or errored; 2 the command could not run (bad
//! arguments, unreadable input).

mod eval;
mod props;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::engine::reference::ReferenceEvaluator;
use crate::engine::Evaluator;

/// Exit status when every test passed.
pub const EXIT_OK: u8 = 0;
/// Exit status when a test failed or errored.
pub const EXIT_FAILED: u8 = 1;
/// Exit status when the command could not run.
pub const EXIT_USAGE: u8 = 2;

/// The conformance corpus, property-testing harness and fuzzing kit for AWS IAM policy engines.
#[derive(Debug, Parser)]
#[command(name = "iam-harness", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide one request against policy files and explain the decision.
    Eval(Box<eval::EvalArgs>),
    /// Run case files (default: corpus/ and scenarios/) against an engine.
    Run(run::RunArgs),
    /// Check the metamorphic properties on generated inputs; shrink and record failures.
    Props(Box<props::PropsArgs>),
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Eval(args) => eval::eval(&args),
        Command::Run(args) => run::run(&args),
        Command::Props(args) => props::props(&args),
    };
    ExitCode::from(code)
}

/// Builds the engine named on the command line: `reference` (the default) or
/// `reference-generic` (without the fixed service rules of IAM-SPEC §8).
pub fn engine_from_spec(spec: &str) -> Result<Box<dyn Evaluator>, String> {
    match spec {
        "reference" => Ok(Box::new(ReferenceEvaluator::new())),
        "reference-generic" => Ok(Box::new(ReferenceEvaluator::without_special_rules())),
        other => Err(format!(
            "unknown engine `{other}` (known: `reference`, `reference-generic`)"
        )),
    }
}
