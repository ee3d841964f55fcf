//! The `iam-harness` command line; see [`iam_harness::cli`].

/// A run allocates many small, short-lived values on every core (requests, results, lines) and
/// frees them on another thread; mimalloc does that several times faster than the system
/// allocator, and the run is bound by it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    iam_harness::cli::main()
}
