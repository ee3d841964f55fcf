//! Reports. Every run is one JSON Lines stream (docs/design.md §6): a header line, one line per
//! test result, and a summary footer; the other renderings are made from that stream, or from the
//! results of a run: [`text`] (what `run` and `test` print), [`markdown`], [`junit`], [`html`]; the results
//! of `check`: [`check`] (text, JSON, JUnit) and [`sarif`].

pub mod badge;
pub mod check;
pub mod diff;
pub mod escape;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod sarif;
pub mod text;

mod jsonl;

pub use jsonl::{read_complete_stream, JsonLines, Stream, StreamError, StreamProblem};
