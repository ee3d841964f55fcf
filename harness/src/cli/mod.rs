//! The `iam-harness` command line: one file per subcommand, each with its `…Args` and a function
//! returning the exit status. `main.rs` only dispatches. The commands parse their arguments and
//! print; the work is the library's (engines from [`crate::engine::from_spec`], runs from
//! [`crate::runner::run_suite`], renderings from [`crate::report`]).
//!
//! Exit statuses, the same for every command ([`EXIT_STATUSES`], printed by `--help`): 0
//! success; 1 a test failed or errored; 2 the command could not run — including when nothing
//! ran. What is printed, and what happens when it cannot be, is [`output`]'s policy.

mod check;
mod compare;
mod diff;
mod eval;
mod lint;
pub mod parsers;
mod props;
mod report;
mod run;
mod serve;
mod shell;
mod test;

/// What the commands print, and what happens when they cannot: one policy for all.
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status when every test passed.
pub const EXIT_OK: u8 = 0;
/// Exit status when a test failed or errored.
pub const EXIT_FAILED: u8 = 1;
/// Exit status when the command could not run.
pub const EXIT_USAGE: u8 = 2;

/// The exit statuses of every command, as `--help` shows them.
pub const EXIT_STATUSES: &str = "\
Exit status (every command):
  0  everything checked passed (compare: no new access; lint: no problem; check: every
     expectation holds)
  1  a test failed or errored (check: an expectation is violated; diff: a disagreement or an engine error; props: a property
     failed; lint: a problem; compare: new access; parsers: an unexplained disagreement)
  2  the command could not run: bad arguments; a path that is missing or not a regular file
     or folder; an invalid policy (eval decides nothing); nothing ran (no case found, every
     test skipped, no check made, `--cases 0`); an engine or parser that never answered;
     standard output closed or full";

/// What `--version` prints after the name: the harness version and the corpus revision.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (corpus: ",
    env!("IAM_HARNESS_CORPUS_REVISION"),
    ")"
);

/// The conformance corpus, property-testing harness and fuzzing kit for AWS IAM policy engines.
#[derive(Debug, Parser)]
#[command(name = "iam-harness", version = VERSION, about, after_help = EXIT_STATUSES)]
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
    /// Compare engines on the corpus and on generated inputs; shrink and record disagreements.
    Diff(Box<diff::DiffArgs>),
    /// Reports: `report engines` (the compliance matrix), `report merge` (join shards), `report
    /// diff` (two runs compared by stable id).
    Report(report::ReportArgs),
    /// Check case and scenario files: ids, features, sources, parsing, duplicates.
    Lint(lint::LintArgs),
    /// Run scenario and case files and write reports (JSON, Markdown, JUnit): for CI.
    Test(test::TestArgs),
    /// Serve the reference evaluator over the engine protocol on stdin/stdout (docs/design.md §4).
    Serve(serve::ServeArgs),
    /// Check the metamorphic properties on generated inputs; shrink and record failures.
    Props(Box<props::PropsArgs>),
    /// Fuzz an ARN and wildcard parser (schema/parser-protocol/) against the documented rules.
    Parsers(Box<parsers::ParsersArgs>),
    /// What a new policy document grants that the old one does not, each with a witness.
    Compare(compare::CompareArgs),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff).
    Man(shell::ManArgs),
    /// Check expectation files (can, cannot, only, at-most, profile) against dumps, plans, templates.
    Check(Box<check::CheckArgs>),
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Eval(args) => eval::eval(&args),
        Command::Run(args) => run::run(&args),
        Command::Lint(args) => lint::lint_command(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Report(args) => report::report(&args),
        Command::Test(args) => test::test(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Props(args) => props::props(&args),
        Command::Parsers(args) => parsers::parsers(&args),
        Command::Compare(args) => compare::compare_command(&args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man(args) => shell::man(&args),
        Command::Check(args) => check::check(&args),
    };
    ExitCode::from(code)
}
