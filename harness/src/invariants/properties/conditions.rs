//! Properties 14–16: condition operators — `…IfExists`, the set operators on an empty or
//! missing key, and negated operators against their positive twins.

use crate::case::TestRequest;
use crate::decision::Decision;
use crate::gen::{Choices as _, Input, RngChoices};
use crate::policy::{
    self, BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue, Effect,
    OneOrMany, OperatorFamily, Policy, PolicySet, ValueType, Version,
};
use crate::request::{Lookup, PrincipalKind, Request};

use super::super::transform::{
    all_statements, all_statements_mut, everyone, plain_statement, valid, with_set,
};
use super::super::{Decider, Violation};
use super::relation::{attempt, decide, evidence, fail, knob_rng, parsed_requests, same, Stop};

/// A condition key no request ever carries.
const NO_KEY: &str = "iamharness:absent";

/// How a key is found across all the requests of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// Single-valued in every request.
    Single,
    /// Missing in every request.
    Missing,
    /// Anything else.
    Mixed,
}

/// How `key` is found across `requests`.
fn presence(key: &str, requests: &[Request]) -> Presence {
    if requests
        .iter()
        .all(|request| matches!(request.context.get(key), Lookup::Single(_)))
    {
        Presence::Single
    } else if requests
        .iter()
        .all(|request| request.context.get(key) == Lookup::Missing)
    {
        Presence::Missing
    } else {
        Presence::Mixed
    }
}

/// Moves `entry` into the block of `operator` in `blocks` (made if absent); false when that
/// block already tests the same key (a JSON object cannot hold it twice).
fn add_entry(
    blocks: &mut Vec<Condition>,
    operator: ConditionOperator,
    entry: ConditionEntry,
) -> bool {
    match blocks.iter_mut().find(|block| block.operator == operator) {
        Some(block) => {
            if block
                .entries
                .iter()
                .any(|existing| existing.key.eq_ignore_ascii_case(&entry.key))
            {
                return false;
            }
            block.entries.push(entry);
        }
        None => blocks.push(Condition {
            operator,
            entries: vec![entry],
        }),
    }
    true
}

/// What property 14 does with one condition entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfExistsRewrite {
    /// Leave it.
    Keep,
    /// Move it to the twin operator (`…IfExists` added or removed): the key is present.
    Twin,
    /// Drop it: `…IfExists` on a missing key is true.
    Drop,
}

/// Rewrites the condition blocks of one statement for property 14; true when changed.
fn rewrite_if_exists(
    blocks: &mut Vec<Condition>,
    requests: &[Request],
    rng: &mut RngChoices,
) -> bool {
    let mut changed = false;
    let mut block_at = 0;
    while block_at < blocks.len() {
        let Some(block) = blocks.get(block_at) else {
            break;
        };
        let operator = block.operator;
        if operator.qualifier.is_some() || operator.base == BaseOperator::Null {
            block_at += 1;
            continue;
        }
        let twin = ConditionOperator {
            if_exists: !operator.if_exists,
            ..operator
        };
        let mut entry_at = 0;
        while let Some(entry) = blocks
            .get(block_at)
            .and_then(|block| block.entries.get(entry_at))
            .cloned()
        {
            let rewrite = match (operator.if_exists, presence(&entry.key, requests)) {
                // …IfExists on a present key ≡ the plain operator (and back).
                (_, Presence::Single) if rng.below(2) == 0 => IfExistsRewrite::Twin,
                // …IfExists on a missing key is true: the entry can go.
                (true, Presence::Missing) => IfExistsRewrite::Drop,
                _ => IfExistsRewrite::Keep,
            };
            let taken = match rewrite {
                IfExistsRewrite::Twin | IfExistsRewrite::Drop => blocks
                    .get_mut(block_at)
                    .map(|block| block.entries.remove(entry_at)),
                IfExistsRewrite::Keep => None,
            };
            match (rewrite, taken) {
                (IfExistsRewrite::Twin, Some(entry)) => {
                    if add_entry(blocks, twin, entry.clone()) {
                        changed = true;
                    } else if let Some(block) = blocks.get_mut(block_at) {
                        block.entries.insert(entry_at, entry);
                        entry_at += 1;
                    }
                }
                (IfExistsRewrite::Drop, Some(_)) => changed = true,
                _ => entry_at += 1,
            }
        }
        if blocks
            .get(block_at)
            .is_some_and(|block| block.entries.is_empty())
        {
            blocks.remove(block_at);
        } else {
            block_at += 1;
        }
    }
    changed
}

/// Property 14: `…IfExists` on a key present (single-valued) in every request equals the plain
/// operator, and on a key missing from every request is true (the entry can be dropped).
/// Entries under `ForAllValues:`/`ForAnyValue:` are left alone (semantics §7.14).
pub fn if_exists<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 14);
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, _, statement) in all_statements_mut(&mut set) {
            if let Some(blocks) = &mut statement.condition {
                changed |= rewrite_if_exists(blocks, &requests, &mut rng);
                if blocks.is_empty() {
                    statement.condition = None;
                }
            }
        }
        if !changed || !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let rewritten = with_set(input, set);
        same(
            engine,
            "if-exists",
            ("original", input),
            ("rewritten", &rewritten),
        )
    })
}

/// A condition that never holds: `Null` false on a key no request carries.
fn never() -> Vec<Condition> {
    vec![Condition {
        operator: ConditionOperator {
            qualifier: None,
            base: BaseOperator::Null,
            if_exists: false,
        },
        entries: vec![ConditionEntry {
            key: NO_KEY.to_owned(),
            values: OneOrMany::One(ConditionValue {
                text: "false".into(),
                json_type: ValueType::String,
            }),
        }],
    }]
}

/// Property 15: With a key made empty (`[]`) or missing in every request, a `ForAllValues:` entry on it
/// holds (it can be dropped) and a `ForAnyValue:` entry does not (its statement never applies).
/// Entries with `IfExists` or under `Null` are left alone (semantics §7.14).
pub fn set_operators_empty<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = knob_rng(input, 15);
        let mut keys: Vec<String> = Vec::new();
        for statement in all_statements(&input.set) {
            for block in statement.condition.iter().flatten() {
                let operator = block.operator;
                if operator.qualifier.is_some()
                    && !operator.if_exists
                    && operator.base != BaseOperator::Null
                {
                    for entry in &block.entries {
                        if !keys.iter().any(|key| key.eq_ignore_ascii_case(&entry.key)) {
                            keys.push(entry.key.clone());
                        }
                    }
                }
            }
        }
        let key = keys.get(rng.below(keys.len())).cloned().ok_or(Stop::Skip)?;
        let make_empty = rng.below(2) == 0;
        let mut emptied = input.clone();
        for written in &mut emptied.requests {
            written
                .context
                .retain(|name, _| !name.eq_ignore_ascii_case(&key));
            // `null` keeps a key the engine would derive (aws:PrincipalAccount…) missing.
            let value = if make_empty {
                serde_json::Value::Array(Vec::new())
            } else {
                serde_json::Value::Null
            };
            written.context.insert(key.clone(), value);
        }
        let requests = parsed_requests(&emptied)?;
        let mut set = emptied.set.clone();
        for (_, _, statement) in all_statements_mut(&mut set) {
            let Some(blocks) = &mut statement.condition else {
                continue;
            };
            let mut never_applies = false;
            for block in blocks.iter_mut() {
                let operator = block.operator;
                if operator.qualifier.is_none()
                    || operator.if_exists
                    || operator.base == BaseOperator::Null
                {
                    continue;
                }
                let before = block.entries.len();
                block
                    .entries
                    .retain(|entry| !entry.key.eq_ignore_ascii_case(&key));
                if block.entries.len() != before
                    && operator.qualifier == Some(policy::SetQualifier::ForAnyValue)
                {
                    never_applies = true;
                }
            }
            blocks.retain(|block| !block.entries.is_empty());
            if never_applies {
                statement.condition = Some(never());
            } else if blocks.is_empty() {
                statement.condition = None;
            }
        }
        if !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let simplified = with_set(&emptied, set);
        let label = if make_empty {
            "key-empty"
        } else {
            "key-missing"
        };
        same(
            engine,
            "set-operators-empty",
            (label, &emptied),
            ("simplified", &simplified),
        )
    })
}

/// True when a request value can be compared by `family` without a type error (so that the
/// positive and the negated operator are both defined, semantics §7.10–7.11).
fn well_typed(family: OperatorFamily, value: &str) -> bool {
    match family {
        OperatorFamily::String | OperatorFamily::Arn => true,
        OperatorFamily::Numeric => value.parse::<f64>().is_ok_and(f64::is_finite),
        OperatorFamily::Ip => value.parse::<std::net::IpAddr>().is_ok(),
        OperatorFamily::Date => {
            value.parse::<i64>().is_ok()
                || (value.len() == 20 && value.ends_with('Z') && value.get(4..5) == Some("-"))
        }
        _ => false,
    }
}

/// Property 16: On a key present and single-valued, a negated operator (`StringNotLike`, `NotIpAddress`,
/// …) is the negation of its positive twin: a probe statement allowing everything under the
/// negated condition, and one under the positive condition, allow exactly one of the two for
/// every request (the probe is put in an identity policy and, with `Principal: "*"`, in the
/// resource policy, so that every caller kind and cross-account requests are covered).
pub fn negated_operators<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "negated-operators";
    attempt(|| {
        let mut rng = knob_rng(input, 16);
        let mut found: Vec<(Option<Version>, ConditionOperator, ConditionEntry)> = Vec::new();
        for (_, policy) in input.set.slots() {
            for statement in policy.statements() {
                for block in statement.condition.iter().flatten() {
                    let operator = block.operator;
                    if operator.base.is_negated() && operator.qualifier.is_none() {
                        for entry in &block.entries {
                            found.push((policy.version, operator, entry.clone()));
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return Err(Stop::Skip);
        }
        let (version, operator, entry) = found.swap_remove(rng.below(found.len()));
        let family = operator.base.family();
        // The requests where the probes decide on the condition alone.
        let kept: Vec<TestRequest> = input
            .requests
            .iter()
            .filter(|written| {
                let Ok(request) = written.to_request() else {
                    return false;
                };
                let single = match request.context.get(&entry.key) {
                    Lookup::Single(value) => well_typed(family, value),
                    _ => false,
                };
                single
                    && !matches!(
                        request.principal_kind,
                        PrincipalKind::Root | PrincipalKind::FederatedUser
                    )
            })
            .cloned()
            .collect();
        if kept.is_empty() {
            return Err(Stop::Skip);
        }
        let probe = |base: BaseOperator| {
            let condition = vec![Condition {
                operator: ConditionOperator { base, ..operator },
                entries: vec![entry.clone()],
            }];
            let mut statement = plain_statement(Effect::Allow, "*", "*");
            statement.condition = Some(condition);
            let identity = Policy {
                version,
                id: None,
                statement: OneOrMany::Many(vec![statement.clone()]),
            };
            statement.principal = everyone();
            let resource = Policy {
                version,
                id: None,
                statement: OneOrMany::Many(vec![statement]),
            };
            Input::new(
                PolicySet {
                    identity: vec![identity],
                    resource: Some(resource),
                    ..PolicySet::default()
                },
                kept.clone(),
                input.knobs,
            )
        };
        let negated = probe(operator.base);
        let positive = probe(operator.base.positive());
        let negated_decisions = decide(engine, &negated, NAME, "negated-probe")?;
        let positive_decisions = decide(engine, &positive, NAME, "positive-probe")?;
        for (i, (negated_decision, positive_decision)) in negated_decisions
            .iter()
            .zip(&positive_decisions)
            .enumerate()
        {
            let exactly_one =
                (*negated_decision == Decision::Allow) != (*positive_decision == Decision::Allow);
            if !exactly_one {
                return Err(fail(
                    NAME,
                    format!(
                        "request {i}: `{}` decided {negated_decision} and its positive twin `{}` decided {positive_decision} on key `{}`; exactly one should allow",
                        operator,
                        ConditionOperator { base: operator.base.positive(), ..operator },
                        entry.key
                    ),
                    vec![
                        evidence("negated-probe", &negated, &negated_decisions),
                        evidence("positive-probe", &positive, &positive_decisions),
                    ],
                ));
            }
        }
        Ok(())
    })
}
