//! # iam-harness
//!
//! The conformance corpus, property-testing harness and fuzzing kit for AWS IAM policy engines.
//!
//! - [`policy`]: the policy language — model, strict parser, validation, printer.
//! - [`arn`] and [`glob`]: ARN parsing and IAM wildcard matching.
//! - [`request`]: the request an engine decides; [`policy::values`]: condition values as operators read them.
//! - [`case`]: the case file format; [`scenario`]: scenario worlds compiled into cases.
//! - [`engine`]: the [`engine::Evaluator`] trait and the built-in engines.
//! - [`gen`]: proptest strategies and `Arbitrary` generators of realistic policies and requests.
//! - [`invariants`]: the metamorphic properties every engine must satisfy, and their runner.
//! - [`fuzzing`]: the checks behind the fuzz targets in `fuzz/`, replayed by `cargo test`.
//! - [`load`]: reading case and scenario files, each parsed once.
//! - [`runner`] and [`report`]: the suite run (files streamed through a bounded pipeline to
//!   sinks, known failures applied), and the renderings of its results.
//! - [`cli`]: the `iam-harness` command line.
#![deny(missing_docs)]

pub mod arn;
pub mod case;
pub mod cli;
pub mod decision;
pub mod diff;
pub mod engine;
pub mod fuzzing;
pub mod gen;
pub mod glob;
pub mod invariants;
pub mod lint;
pub mod load;
pub mod policy;
pub mod report;
pub mod request;
pub mod runner;
pub mod scenario;

pub use case::Case;
pub use decision::Decision;
pub use engine::{Evaluator, Outcome};
pub use policy::{Policy, PolicyKind};
pub use request::Request;
