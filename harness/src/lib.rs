//! # iam-harness
//!
//! The conformance corpus, property-testing harness and fuzzing kit for AWS IAM policy engines.
//!
//! Modules, lowest layer first; data flows one way, down this list: sources → worlds and cases →
//! runner → engines → reports (`tests/layers.rs` checks there is no import cycle between sibling
//! modules).
//!
//! - [`glob`] and [`arn`]: IAM wildcard matching; ARN parsing (the only place ARNs are split).
//! - [`managed`]: the AWS managed policies embedded (default versions, with the snapshot date).
//! - [`catalogue`]: the Service Authorization Reference embedded (services, actions, resource
//!   types, condition key types).
//! - [`policy`]: the policy language — model, strict parser, validation, printer, condition
//!   values, the `${…}` tokenizer, and [`policy::PolicySet`] with its one walk over slots.
//! - [`decision`]: what an engine answers — [`Decision`] and its explanation.
//! - [`request`]: the request an engine decides.
//! - [`case`]: the case file format; [`scenario`]: scenario worlds compiled into cases;
//!   [`files`]: reading input files (regular files only); [`load`]: reading either kind of
//!   case file, each parsed once.
//! - [`world`]: worlds loaded from account dumps, Terraform plans, CloudFormation templates and
//!   scenario files, with the origin of every policy.
//! - [`engine`]: the [`engine::Evaluator`] trait, [`engine::from_spec`], the reference
//!   evaluator (the oracle, following `docs/semantics.md`) and the process engine.
//! - [`gen`]: proptest strategies and `Arbitrary` generators of realistic policies and requests.
//! - [`invariants`]: the metamorphic properties every engine must satisfy, and their runner.
//! - [`runner`]: the suite run (files streamed through a bounded pipeline to sinks, known
//!   failures applied); [`lint`]: case checks; [`diff`]: differential runs across engines.
//! - [`report`]: the renderings of results; [`fuzzing`]: the checks behind the fuzz targets in
//!   `fuzz/`, replayed by `cargo test`.
//! - [`parsers`]: fuzzing other people's ARN and wildcard parsers through the parser protocol.
//! - [`compare`]: what a new policy document grants that the old one does not, each finding a
//!   request the reference evaluator confirms; [`profiles`]: service-need profiles of service
//!   roles, checked against a scenario's role.
//! - [`expect`]: expectation files (platform teams' regression suites: `can`, `cannot`, `only`,
//!   `at-most`, `profile`) checked against a world loaded from dumps, plans or templates.
//! - [`cli`]: the `iam-harness` command line: argument parsing and printing only.
#![deny(missing_docs)]

pub mod arn;
pub mod case;
pub mod catalogue;
pub mod cli;
pub mod compare;
pub mod decision;
pub mod diff;
pub mod engine;
pub mod expect;
pub mod files;
pub mod fuzzing;
pub mod gen;
pub mod glob;
pub mod invariants;
pub mod lint;
pub mod load;
pub mod managed;
pub mod parsers;
pub mod policy;
pub mod profiles;
pub mod report;
pub mod request;
pub mod runner;
pub mod scenario;
pub mod world;

/// The corpus this build was made with: "N cases, HASH" (the case files under `corpus/` and a
/// hash of their paths and contents, computed by `build.rs`), or "no corpus" when built without
/// one. `--version` and the badges name it.
pub const CORPUS_REVISION: &str = env!("IAM_HARNESS_CORPUS_REVISION");

pub use case::Case;
pub use decision::Decision;
pub use engine::{Evaluator, Outcome};
pub use policy::{Policy, PolicyKind};
pub use request::Request;
