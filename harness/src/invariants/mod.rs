//! Metamorphic properties (docs/design.md §5): relations every correct engine satisfies, so they
//! need no oracle. Each property is a named, documented function in [`properties`] that takes any
//! engine (a [`Decider`]: every [`Evaluator`] is one) and a generated [`Input`], applies its
//! transformation, decides both inputs through the engine and checks the relation between the
//! decisions. It returns `Ok(())` or a [`Violation`] naming the property and showing the inputs
//! and decisions involved.
//!
//! [`run`] drives every property as a proptest on all cores, shrinks a failure to a minimal
//! input and writes it as a regression case.
//!
//! # Engines: any `Evaluator`, and a fast path for the reference
//!
//! An [`Evaluator`] decides whole [`crate::Case`]s (JSON policy texts), so it is wrapped as a
//! [`Decider`] that turns each input into a case — a case holds every request of the input,
//! which amortises the per-case cost. [`FastReference`] decides the built-in reference
//! evaluator on the parsed policy set directly ([`ReferenceEvaluator::decide`]), skipping JSON,
//! unless the input carries exact texts (the formatting and single-value properties), which it
//! then parses like any engine would. Both give the same decisions (a test checks it).

pub mod properties;
pub mod run;
mod transform;

use std::fmt;

use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::{Evaluator, Outcome};
use crate::gen::Input;
use crate::policy::{self, PolicyKind};

pub use properties::{Property, PROPERTIES};

/// Why an engine gave no decision for an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// The engine skipped a test (an unsupported feature): the property is not checked.
    Skipped(String),
    /// The engine failed: reported as a violation.
    Errored(String),
}

/// Anything that decides every request of an [`Input`]: the form of engine the properties
/// use. Every [`Evaluator`] is a `Decider` (through [`Input::to_case`]).
pub trait Decider: Send + Sync {
    /// The engine's name, for reports and regression files.
    fn name(&self) -> String;

    /// One decision per request of `input`, in order.
    fn decide(&self, input: &Input) -> Result<Vec<Decision>, Halt>;
}

/// Decides an input through [`Evaluator::evaluate`] on the input as a case.
fn decide_as_case<E: Evaluator + ?Sized>(engine: &E, input: &Input) -> Result<Vec<Decision>, Halt> {
    let case = input.to_case("props/input", &[]);
    let outcomes = engine.evaluate(&case);
    if outcomes.len() != input.requests.len() {
        return Err(Halt::Errored(format!(
            "the engine returned {} results for {} tests",
            outcomes.len(),
            input.requests.len()
        )));
    }
    outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Decided { decision, .. } => Ok(decision),
            Outcome::Skipped(reason) => Err(Halt::Skipped(reason)),
            Outcome::Errored(message) => Err(Halt::Errored(message)),
        })
        .collect()
}

impl<E: Evaluator + ?Sized> Decider for E {
    fn name(&self) -> String {
        self.info().name
    }

    fn decide(&self, input: &Input) -> Result<Vec<Decision>, Halt> {
        decide_as_case(self, input)
    }
}

/// The reference evaluator deciding parsed policy sets directly (no JSON per input).
#[derive(Debug, Clone, Copy, Default)]
pub struct FastReference(pub ReferenceEvaluator);

impl Decider for FastReference {
    fn name(&self) -> String {
        self.0.info().name
    }

    fn decide(&self, input: &Input) -> Result<Vec<Decision>, Halt> {
        if input.texts.is_some() {
            return decide_as_case(&self.0, input);
        }
        input
            .requests
            .iter()
            .map(|written| {
                let request = written
                    .to_request()
                    .map_err(|error| Halt::Errored(error.to_string()))?;
                // A role's trust policy is validated as such when the request assumes the role,
                // as the reference does on cases.
                if let Some(resource) = &input.set.resource {
                    if request.is_trust_request()
                        && policy::validate(
                            resource,
                            PolicyKind::Trust,
                            &policy::to_string(resource),
                        )
                        .is_err()
                    {
                        return Ok(Decision::Invalid);
                    }
                }
                Ok(self.0.decide(&input.set, &request))
            })
            .collect()
    }
}

/// One input a property evaluated, with the engine's decisions.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// What the input is (`original`, `without the boundary`…).
    pub label: String,
    /// The input.
    pub input: Input,
    /// The engine's decisions, one per request.
    pub decisions: Vec<Decision>,
}

/// A property that does not hold: which, why, and the inputs with their decisions.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The property's name.
    pub property: &'static str,
    /// What went wrong, naming the decisions.
    pub message: String,
    /// The inputs evaluated, with the engine's decisions.
    pub evidence: Vec<Evidence>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "property `{}` violated: {}", self.property, self.message)
    }
}

impl std::error::Error for Violation {}

/// Formats a list of decisions as `[allow, implicit_deny]`.
pub fn show(decisions: &[Decision]) -> String {
    let names: Vec<&str> = decisions.iter().map(|d| d.as_str()).collect();
    format!("[{}]", names.join(", "))
}
