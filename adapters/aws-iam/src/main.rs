//! Runs case files through the `aws-iam` crate's offline evaluator and prints the JSON Lines
//! report stream (header, one line per test, summary):
//! `cargo run -p iam-harness-aws-iam -- corpus/`. The run is the library's
//! ([`iam_harness::runner::run_suite`]); this program only picks the engine and the output.
//!
//! With `--known-failures FILE` first (as CI runs it), the file's entries are applied and the
//! exit status says whether the engine still fails exactly as listed: 1 for a new failure or a
//! stale entry, as `iam-harness run --known-failures` does for a process engine. Without it the
//! published results are the engine's own and failures are their content (exit 0).

use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use iam_harness::report::JsonLines;
use iam_harness::runner::{run_suite, KnownFailures};
use iam_harness_aws_iam::AwsIam;

fn main() -> ExitCode {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let known = if args
        .first()
        .is_some_and(|a| a.as_os_str() == "--known-failures")
    {
        let Some(file) = args.get(1).cloned() else {
            eprintln!("error: --known-failures needs a file");
            return ExitCode::from(2);
        };
        args.drain(..2);
        match KnownFailures::load(&file) {
            Ok(known) => Some(known),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    if args.is_empty() {
        args.push(PathBuf::from("corpus"));
    }
    // aws-iam panics on some inputs; the adapter catches each panic and reports it as an error
    // of that test, so the default hook's message on stderr would only be noise.
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = JsonLines::new(BufWriter::new(std::io::stdout().lock()));
    let list = known.clone().unwrap_or_default();
    let summary = match run_suite(&AwsIam, &args, &list, &mut out) {
        Ok(summary) => summary,
        Err(_) => {
            eprintln!("error: cannot write the report to stdout");
            return ExitCode::from(2);
        }
    };
    if known.is_some() && !summary.ok() {
        eprintln!(
            "aws-iam: {} failed, {} errored outside its known failures (or stale entries)",
            summary.failed, summary.errored
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
