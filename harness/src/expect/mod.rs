//! Expectations: platform teams' regression suites for their own policies, checked against a
//! [`World`](crate::world::World) loaded from their sources (`iam-harness check`).
//!
//! An expectation file (YAML or JSON, [`file`]) lists rules — `can`, `cannot`, `only`,
//! `at-most`, `profile` — each with the `why` shown when it breaks. Each rule becomes requests
//! (one principal × action × resource each; selectors such as `{role: "ci-*"}` choose world
//! principals by name), the requests sharing their policies are tests of one case, the world is
//! compiled once ([`crate::scenario::Scenario::compile`]) and the cases are decided in parallel
//! by an [`Evaluator`](crate::engine::Evaluator). `at-most` probes every catalogue action the
//! principal's policies may allow ([`probe`]); `profile` is
//! [`Profile::check`](crate::profiles::Profile::check). Unknown actions and condition keys, in
//! the expectations or the world's policies, are warnings ([`scan`]).

pub mod file;
mod plan;
pub mod probe;
mod run;
pub mod scan;

pub use file::{load, load_text, parse_text, ExpectError, Expectation, Rule};
pub use run::{check, CheckOptions};
