//! What every property does after rewriting its input: decide the inputs through the engine
//! and check the relation between the decisions (the same, no more permissive, not allowed),
//! stopping early when the relation does not apply.

use crate::decision::Decision;
use crate::gen::{Input, RngChoices};
use crate::request::{PrincipalKind, Request};

use super::super::{show, Decider, Evidence, Halt, Violation};

/// Why a check stopped early.
pub(super) enum Stop {
    /// The relation does not apply (or the engine skipped): it holds vacuously.
    Skip,
    /// The relation is broken.
    Fail(Box<Violation>),
}

/// The result of a check body: a skip is a pass.
pub(super) fn finish(result: Result<(), Stop>) -> Result<(), Violation> {
    match result {
        Ok(()) | Err(Stop::Skip) => Ok(()),
        Err(Stop::Fail(violation)) => Err(*violation),
    }
}

/// Runs a check body, turning a skip into a pass.
pub(super) fn attempt(body: impl FnOnce() -> Result<(), Stop>) -> Result<(), Violation> {
    finish(body())
}

/// One evaluated input for a violation's evidence.
pub(super) fn evidence(label: &str, input: &Input, decisions: &[Decision]) -> Evidence {
    Evidence {
        label: label.to_owned(),
        input: input.clone(),
        decisions: decisions.to_vec(),
    }
}

/// A broken relation.
pub(super) fn fail(property: &'static str, message: String, evidence: Vec<Evidence>) -> Stop {
    Stop::Fail(Box::new(Violation {
        property,
        message,
        evidence,
    }))
}

/// Decides `input`, turning a skip into [`Stop::Skip`] and an error into a violation.
pub(super) fn decide<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
    property: &'static str,
    label: &str,
) -> Result<Vec<Decision>, Stop> {
    match engine.decide(input) {
        Ok(decisions) if decisions.len() == input.requests.len() => Ok(decisions),
        Ok(decisions) => Err(fail(
            property,
            format!(
                "the engine gave {} decisions for the {} requests of the {label} input",
                decisions.len(),
                input.requests.len()
            ),
            vec![evidence(label, input, &decisions)],
        )),
        Err(Halt::Skipped(_)) => Err(Stop::Skip),
        Err(Halt::Errored(message)) => Err(fail(
            property,
            format!("the engine errored on the {label} input: {message}"),
            vec![evidence(label, input, &[])],
        )),
    }
}

/// Decides `first` and `second` and checks that every request gets the same decision.
pub(super) fn same<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (first_label, first): (&str, &Input),
    (second_label, second): (&str, &Input),
) -> Result<(), Stop> {
    let first_decisions = decide(engine, first, property, first_label)?;
    let second_decisions = decide(engine, second, property, second_label)?;
    if first_decisions != second_decisions {
        return Err(fail(
            property,
            format!(
                "the {first_label} input decided {} but the {second_label} input {}",
                show(&first_decisions),
                show(&second_decisions)
            ),
            vec![
                evidence(first_label, first, &first_decisions),
                evidence(second_label, second, &second_decisions),
            ],
        ));
    }
    Ok(())
}

/// Checks "`narrow` is no more permissive than `wide`" per request (for the requests `applies`
/// keeps): an Allow of `narrow` needs an Allow of `wide`, an explicit deny of `wide` stays one
/// in `narrow`.
pub(super) fn narrower<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (wide_label, wide): (&str, &Input),
    (narrow_label, narrow): (&str, &Input),
    applies: &dyn Fn(usize) -> bool,
) -> Result<(), Stop> {
    let wide_decisions = decide(engine, wide, property, wide_label)?;
    let narrow_decisions = decide(engine, narrow, property, narrow_label)?;
    for (i, (wide_decision, narrow_decision)) in
        wide_decisions.iter().zip(&narrow_decisions).enumerate()
    {
        if !applies(i) {
            continue;
        }
        let widened = *narrow_decision == Decision::Allow && *wide_decision != Decision::Allow;
        let lifted =
            *wide_decision == Decision::ExplicitDeny && *narrow_decision != Decision::ExplicitDeny;
        if widened || lifted {
            return Err(fail(
                property,
                format!(
                    "request {i}: the {wide_label} input decided {wide_decision} but the {narrow_label} input (which may only be narrower) decided {narrow_decision}"
                ),
                vec![
                    evidence(wide_label, wide, &wide_decisions),
                    evidence(narrow_label, narrow, &narrow_decisions),
                ],
            ));
        }
    }
    Ok(())
}

/// Checks that every request `applies` keeps is not allowed in `input`.
pub(super) fn not_allowed<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (label, input): (&str, &Input),
    why: &str,
    applies: &dyn Fn(usize) -> bool,
) -> Result<(), Stop> {
    let decisions = decide(engine, input, property, label)?;
    if let Some(i) =
        (0..decisions.len()).find(|&i| applies(i) && decisions.get(i) == Some(&Decision::Allow))
    {
        return Err(fail(
            property,
            format!("request {i} of the {label} input was allowed, but {why}"),
            vec![evidence(label, input, &decisions)],
        ));
    }
    Ok(())
}

/// The random choices of one property on `input`: drawn from the input's knobs, salted with
/// the property's number so that properties choose independently.
pub(super) fn knob_rng(input: &Input, salt: u64) -> RngChoices {
    RngChoices::new(input.knobs ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The requests of `input`, parsed; a skip when one does not parse.
pub(super) fn parsed_requests(input: &Input) -> Result<Vec<Request>, Stop> {
    let parsed = input.parsed_requests();
    if parsed.len() == input.requests.len() {
        Ok(parsed)
    } else {
        Err(Stop::Skip)
    }
}

/// True for callers that are IAM principals (not an AWS service, not anonymous): the callers
/// identity-based policies, boundaries and SCPs apply to.
pub(super) fn is_iam_caller(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Service | PrincipalKind::Anonymous)
}
