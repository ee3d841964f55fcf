//! Runs case files through the `aws-iam` crate's offline evaluator and prints the JSON Lines
//! report stream (header, one line per test, summary):
//! `cargo run -p iam-harness-aws-iam -- corpus/`. The run is the library's
//! ([`iam_harness::runner::run_suite`]); this program only picks the engine and the output.

use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use iam_harness::report::JsonLines;
use iam_harness::runner::{run_suite, KnownFailures};
use iam_harness_aws_iam::AwsIam;

fn main() -> ExitCode {
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("corpus"));
    }
    // aws-iam panics on some inputs; the adapter catches each panic and reports it as an error
    // of that test, so the default hook's message on stderr would only be noise.
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = JsonLines::new(BufWriter::new(std::io::stdout().lock()));
    // The published results are the engine's own: no known-failures list applies here.
    if run_suite(&AwsIam, &paths, &KnownFailures::default(), &mut out).is_err() {
        eprintln!("error: cannot write the report to stdout");
        return ExitCode::from(2);
    }
    // Failures of a third-party engine are the report's content, not an error of this program.
    ExitCode::SUCCESS
}
