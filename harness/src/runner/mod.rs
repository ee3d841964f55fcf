//! Running cases against an engine: the suite run the command line, the adapters and the
//! benchmarks share.
//!
//! [`run_suite`] takes paths, an engine (`&dyn Evaluator`), the engine's known failures and a
//! [`Sink`]: it lists the case files, loads and evaluates them in a bounded pipeline on all
//! cores (one case at a time for an engine that may not be called in parallel), and hands every
//! [`TestResult`] to the sink as soon as its file is done, in file order, so the output is the
//! same from run to run and memory does not grow with the corpus.
//!
//! - [`judge`](run_case): one case through the engine, each outcome compared with its
//!   expectation — pass, fail, skip (unclaimed feature, engine skipped it, or an ambiguous case
//!   where the engine differs) or error.
//! - [`KnownFailures`]: an engine's listed failures, reported apart.
//! - [`Sink`]: where results go (the JSON Lines stream and the text report in
//!   [`crate::report`], a `Vec` for reports that need the whole run, [`Discard`]).

mod judge;
mod known;
mod pipeline;
mod result;
mod shard;
mod sink;

pub use judge::{load_error_result, run_case};
pub use known::{KnownFailure, KnownFailures, KnownFailuresError, KnownUse};
pub use pipeline::{run_cases, run_listed, run_suite, run_suite_sharded};
pub use result::{Status, Summary, TestResult};
pub use shard::{Shard, ShardError};
pub use sink::{Discard, Fanout, Sink};
