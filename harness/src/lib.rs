//! # iam-harness
//!
//! The conformance corpus, property-testing harness and fuzzing kit for AWS IAM policy engines.
//!
//! - [`policy`]: the policy language — model, strict parser, validation, printer.
//! - [`arn`] and [`glob`]: ARN parsing and IAM wildcard matching.
//! - [`request`]: the request an engine decides.
//! - [`case`]: the case file format.
//! - [`engine`]: the [`engine::Evaluator`] trait and the built-in engines.
#![deny(missing_docs)]

pub mod arn;
pub mod case;
pub mod engine;
pub mod glob;
pub mod policy;
pub mod request;
pub mod values;

pub use case::{Case, Expect};
pub use engine::{Decision, Evaluator, Outcome};
pub use policy::{Policy, PolicyKind};
pub use request::Request;
