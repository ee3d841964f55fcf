//! Runs the parser corpus and generated inputs through one of the in-process Rust ARN parsers
//! (`--parser aws-arn` or `--parser scratchstack-arn`) exactly as `iam-harness parsers` does for
//! a program: `cargo run -p iam-harness-rust-arn-parsers -- --parser aws-arn`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser as _, ValueEnum};
use iam_harness::cli::parsers::{run_in_process, RunOptions};
use iam_harness::parsers::Parser;
use iam_harness_rust_arn_parsers::{AwsArn, Scratchstack};

/// Which crate to run.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Crate {
    /// `aws-arn`'s `ResourceName`.
    AwsArn,
    /// `scratchstack-arn`'s `Arn`.
    ScratchstackArn,
}

/// Fuzz a Rust ARN parser in-process against the documented rules.
#[derive(Debug, clap::Parser)]
struct Args {
    /// The crate whose parser is run.
    #[arg(long, value_enum)]
    parser: Crate,
    #[command(flatten)]
    run: RunOptions,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    let (parser, dir): (&dyn Parser, &str) = match args.parser {
        Crate::AwsArn => (&AwsArn, "aws-arn"),
        Crate::ScratchstackArn => (&Scratchstack, "scratchstack-arn"),
    };
    // A panic inside the crate is that input's error answer; the hook's text would be noise.
    std::panic::set_hook(Box::new(|_| {}));
    if args.run.known.is_none() {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(dir)
            .join("known-differences.json");
        args.run.known = beside.is_file().then_some(beside);
    }
    ExitCode::from(run_in_process(parser, &args.run))
}
