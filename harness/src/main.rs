//! The `iam-harness` command line; see [`iam_harness::cli`].
fn main() -> std::process::ExitCode {
    iam_harness::cli::main()
}
