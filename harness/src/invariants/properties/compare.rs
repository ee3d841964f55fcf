//! Properties 19–22: `compare` (what a policy change newly grants) against the evaluator. Each
//! takes the input's first identity policy `P`, builds a second document from it, and checks
//! what [`compare`] reports; every witness it gives is decided again by the engine under test,
//! which must deny it under the old document and allow it under the new (so these properties
//! also test an engine against the comparison's witnesses).

use crate::case::TestRequest;
use crate::compare::{compare, place, request_for, Comparison, PRINCIPAL};
use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::gen::{Choices as _, Input};
use crate::policy::{self, Effect, OneOrMany, Policy, PolicyKind, Statement};

use super::super::transform::{plain_statement, push_statement, statements_mut, values_mut};
use super::super::{Decider, Violation};
use super::relation::{attempt, decide, evidence, fail, knob_rng, Stop};

/// The input's first identity policy: the old side of every comparison here.
fn old_side(input: &Input) -> Result<&Policy, Stop> {
    input.set.identity.first().ok_or(Stop::Skip)
}

/// `policy` when it is still a valid identity policy, else a skip (the relation would be
/// compared with `invalid`).
fn still_valid(policy: Policy) -> Result<Policy, Stop> {
    let text = policy::to_string(&policy);
    match policy::validate(&policy, PolicyKind::Identity, &text) {
        Ok(()) => Ok(policy),
        Err(_) => Err(Stop::Skip),
    }
}

/// Compares `old` with `new` and confirms every witness through `engine`.
fn confirmed<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    old: &Policy,
    new: &Policy,
) -> Result<Comparison, Stop> {
    let comparison = compare(old, new, PolicyKind::Identity);
    if comparison.new_access.is_empty() {
        return Ok(comparison);
    }
    let witnesses: Vec<TestRequest> = comparison
        .new_access
        .iter()
        .map(|f| f.request.clone())
        .collect();
    let old_input = Input::new(place(old, PolicyKind::Identity), witnesses.clone(), 0);
    let new_input = Input::new(place(new, PolicyKind::Identity), witnesses, 0);
    let old_decisions = decide(engine, &old_input, property, "old")?;
    let new_decisions = decide(engine, &new_input, property, "new")?;
    for (i, (before, after)) in old_decisions.iter().zip(&new_decisions).enumerate() {
        if *before == Decision::Allow || *after != Decision::Allow {
            return Err(fail(
                property,
                format!("witness {i} of compare is not new access for the engine: old {before}, new {after}"),
                vec![
                    evidence("old", &old_input, &old_decisions),
                    evidence("new", &new_input, &new_decisions),
                ],
            ));
        }
    }
    Ok(comparison)
}

/// A violation when `compare(old, new)` reports anything.
fn nothing_new<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    old: &Policy,
    new: &Policy,
    what: &str,
) -> Result<(), Stop> {
    let comparison = confirmed(engine, property, old, new)?;
    match comparison.new_access.first() {
        None => Ok(()),
        Some(finding) => {
            let witness = Input::new(
                place(new, PolicyKind::Identity),
                vec![finding.request.clone()],
                0,
            );
            Err(fail(
                property,
                format!(
                    "{what}, yet compare reports new access: {}",
                    finding.summary
                ),
                vec![evidence("new side, witness", &witness, &[Decision::Allow])],
            ))
        }
    }
}

/// Property 19: comparing a policy with itself finds no new access.
pub fn compare_reflexive<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let p = old_side(input)?;
        nothing_new(
            engine,
            "compare-reflexive",
            p,
            p,
            "the two sides are one policy",
        )
    })
}

/// Property 20: adding a statement that grants action X on resource R finds X on R whenever the
/// evaluator says the addition grants it (X and R from the input's first request).
pub fn compare_finds_grant<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    const NAME: &str = "compare-finds-grant";
    attempt(|| {
        let p = old_side(input)?;
        let request = input.requests.first().ok_or(Stop::Skip)?;
        let (action, resource) = (&request.action, &request.resource);
        if action.contains(['*', '?']) || resource.contains(['*', '?', '$']) {
            return Err(Stop::Skip);
        }
        let mut q = p.clone();
        push_statement(&mut q, plain_statement(Effect::Allow, action, resource));
        let q = still_valid(q)?;
        let probe = request_for(PRINCIPAL, action, resource, &serde_json::Map::new());
        let parsed = probe.to_request().map_err(|_| Stop::Skip)?;
        let reference = ReferenceEvaluator::new();
        let granted = reference.decide(&place(p, PolicyKind::Identity), &parsed) != Decision::Allow
            && reference.decide(&place(&q, PolicyKind::Identity), &parsed) == Decision::Allow;
        let comparison = confirmed(engine, NAME, p, &q)?;
        if !granted {
            return Ok(());
        }
        let found = comparison.new_access.iter().any(|f| {
            f.request.resource == *resource
                && f.actions.iter().any(|a| a.eq_ignore_ascii_case(action))
        });
        if found {
            return Ok(());
        }
        let witness = Input::new(place(&q, PolicyKind::Identity), vec![probe], 0);
        Err(fail(
            NAME,
            format!(
                "the added statement grants {action} on {resource}, but compare does not report it"
            ),
            vec![evidence(
                "new side, the missed request",
                &witness,
                &[Decision::Allow],
            )],
        ))
    })
}

/// Narrows `p` one way the knobs choose: a `Deny` added for the input's first request, an
/// action dropped from an `Allow` list, or an `Allow` resource ending in `*` given a longer
/// literal prefix. `None` when the chosen way does not apply.
fn narrowed(p: &Policy, input: &Input) -> Option<Policy> {
    let mut rng = knob_rng(input, 21);
    let mut q = p.clone();
    match rng.below(3) {
        0 => {
            let request = input.requests.first()?;
            let deny = plain_statement(Effect::Deny, &request.action, &request.resource);
            push_statement(&mut q, deny);
        }
        1 => {
            let statement = statements_mut(&mut q).iter_mut().find(|s| {
                s.effect == Effect::Allow && !s.action.negated && s.action.patterns.len() > 1
            })?;
            let mut patterns: Vec<String> = statement.action.patterns.iter().cloned().collect();
            patterns.remove(rng.below(patterns.len()));
            statement.action.patterns = OneOrMany::Many(patterns);
        }
        _ => {
            let clause = statements_mut(&mut q)
                .iter_mut()
                .filter(|s| s.effect == Effect::Allow)
                .filter_map(|s| s.resource.as_mut())
                .find(|r| !r.negated && r.patterns.iter().any(|p| p.ends_with('*')))?;
            for pattern in values_mut(&mut clause.patterns) {
                if let Some(prefix) = pattern.strip_suffix('*') {
                    *pattern = format!("{prefix}narrowed*");
                }
            }
        }
    }
    Some(q)
}

/// Property 21: a narrowing of a policy (a `Deny` added, an allowed action dropped, an allowed
/// resource pattern made more specific) grants nothing new.
pub fn compare_narrowing<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let p = old_side(input)?;
        let q = still_valid(narrowed(p, input).ok_or(Stop::Skip)?)?;
        nothing_new(
            engine,
            "compare-narrowing",
            p,
            &q,
            "the new side only narrows the old",
        )
    })
}

/// Rewrites `p` without changing its meaning: statements reversed, every `Action` list split
/// into one statement per action, action names lower-cased, `Sid`s dropped.
fn rewritten(p: &Policy) -> Policy {
    let mut out: Vec<Statement> = Vec::new();
    for statement in p.statements().iter().rev() {
        let mut statement = statement.clone();
        statement.sid = None;
        for action in values_mut(&mut statement.action.patterns) {
            *action = action.to_ascii_lowercase();
        }
        let split = !statement.action.negated && statement.action.patterns.len() > 1;
        if split {
            for action in statement.action.patterns.iter() {
                let mut one = statement.clone();
                one.action.patterns = OneOrMany::One(action.clone());
                out.push(one);
            }
        } else {
            out.push(statement);
        }
    }
    Policy {
        statement: OneOrMany::Many(out),
        ..p.clone()
    }
}

/// Property 22: a rewrite that keeps the meaning (reordered, split, case-folded actions, no
/// `Sid`) grants nothing new in either direction.
pub fn compare_rewrites<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "compare-rewrites";
    attempt(|| {
        let p = old_side(input)?;
        let q = still_valid(rewritten(p))?;
        nothing_new(engine, NAME, p, &q, "the new side is a rewrite of the old")?;
        nothing_new(engine, NAME, &q, p, "the old side is a rewrite of the new")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(statements: &str) -> Policy {
        policy::parse_as(
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
            PolicyKind::Identity,
        )
        .unwrap()
    }

    #[test]
    fn rewriting_splits_reverses_and_folds() {
        let original = p(
            r#"{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"},
               {"Effect":"Deny","Action":"iam:*","Resource":"*"}"#,
        );
        let q = rewritten(&original);
        let statements = q.statements();
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0].effect, Effect::Deny);
        assert!(statements.iter().all(|s| s.sid.is_none()));
        assert_eq!(
            statements[1].action.patterns.iter().next().unwrap(),
            "s3:getobject"
        );
    }

    #[test]
    fn narrowing_a_resource_keeps_it_a_subset() {
        let original =
            p(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#);
        let input = Input::new(
            place(&original, PolicyKind::Identity),
            vec![request_for(
                PRINCIPAL,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &serde_json::Map::new(),
            )],
            2,
        );
        // Whichever way the knobs choose, the result grants nothing the original does not.
        for knobs in 0..12 {
            let input = Input {
                knobs,
                ..input.clone()
            };
            if let Some(q) = narrowed(&original, &input) {
                assert!(compare(&original, &q, PolicyKind::Identity)
                    .new_access
                    .is_empty());
            }
        }
    }
}
