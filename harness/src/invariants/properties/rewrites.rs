//! Properties 5–9 and 11: rewritings that mean the same policy — reordering, splitting
//! `Action` lists, single values for one-element arrays, the case of action names, `Sid`s, and
//! JSON formatting.

use crate::case::{policy_from_value, Policies, PolicyText};
use crate::gen::{Choices as _, Input, RngChoices};
use crate::policy::{
    self, OneOrMany, Policy, PolicyKind, PolicySet, Principal, PrincipalClause, Slot,
};

use super::super::transform::{
    all_statements_mut, reformat, shuffle, statements_mut, valid, values_mut, with_set, Style,
};
use super::super::{Decider, Violation};
use super::relation::{attempt, decide, evidence, fail, knob_rng, parsed_requests, same, Stop};

/// Property 5: Shuffling the statements of every policy, the identity and session policies, and the
/// documents of every SCP/RCP level changes no decision.
pub fn order_independence<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = knob_rng(input, 5);
        let mut set = input.set.clone();
        for (_, policy) in set.slots_mut() {
            if let OneOrMany::Many(list) = &mut policy.statement {
                shuffle(list, &mut rng);
            }
        }
        shuffle(&mut set.identity, &mut rng);
        shuffle(&mut set.session, &mut rng);
        for level in set.scp.iter_mut().chain(set.rcp.iter_mut()).flatten() {
            shuffle(level, &mut rng);
        }
        let shuffled = with_set(input, set);
        same(
            engine,
            "order-independence",
            ("original", input),
            ("reordered", &shuffled),
        )
    })
}

/// Property 6: Splitting a statement with `Action: [a, b, …]` into one statement per action (the rest
/// copied) changes no decision.
pub fn action_split<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, policy) in set.slots_mut() {
            let old = std::mem::replace(&mut policy.statement, OneOrMany::Many(Vec::new()));
            let was_one = matches!(old, OneOrMany::One(_));
            let mut out = Vec::new();
            for statement in match old {
                OneOrMany::One(statement) => vec![statement],
                OneOrMany::Many(list) => list,
            } {
                if statement.action.negated || statement.action.patterns.len() < 2 {
                    out.push(statement);
                    continue;
                }
                changed = true;
                for (i, pattern) in statement.action.patterns.iter().enumerate() {
                    let mut part = statement.clone();
                    part.action.patterns = OneOrMany::Many(vec![pattern.clone()]);
                    if i > 0 {
                        part.sid = None;
                    }
                    out.push(part);
                }
            }
            policy.statement = match (was_one, out.len()) {
                (true, 1) => match out.pop() {
                    Some(statement) => OneOrMany::One(statement),
                    None => OneOrMany::Many(out),
                },
                _ => OneOrMany::Many(out),
            };
        }
        if !changed || !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let split = with_set(input, set);
        same(
            engine,
            "action-split",
            ("original", input),
            ("split", &split),
        )
    })
}

/// Writes a single value as a one-element array or a one-element array as a single value, when
/// `flip`.
fn toggle<T: Clone>(values: &mut OneOrMany<T>, flip: bool) {
    if !flip {
        return;
    }
    let next = match values {
        OneOrMany::One(value) => OneOrMany::Many(vec![value.clone()]),
        OneOrMany::Many(list) if list.len() == 1 => match list.first() {
            Some(value) => OneOrMany::One(value.clone()),
            None => return,
        },
        OneOrMany::Many(_) => return,
    };
    *values = next;
}

/// Property 7: Writing a one-element array as a single value, or the reverse (statements, actions,
/// resources, principals and condition values), changes no decision. The rewritten input is
/// given to the engine as text, so its parser sees both forms.
pub fn single_vs_array<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = knob_rng(input, 7);
        let mut set = input.set.clone();
        for (_, policy) in set.slots_mut() {
            toggle(&mut policy.statement, rng.below(2) == 0);
            for statement in statements_mut(policy) {
                toggle(&mut statement.action.patterns, rng.below(2) == 0);
                if let Some(resource) = &mut statement.resource {
                    toggle(&mut resource.patterns, rng.below(2) == 0);
                }
                if let Some(PrincipalClause {
                    value: Principal::Map(map),
                    ..
                }) = &mut statement.principal
                {
                    for (_, values) in map.iter_mut() {
                        toggle(values, rng.below(2) == 0);
                    }
                }
                for block in statement.condition.iter_mut().flatten() {
                    for entry in &mut block.entries {
                        toggle(&mut entry.values, rng.below(2) == 0);
                    }
                }
            }
        }
        let mut toggled = with_set(input, set);
        toggled.texts = Some(Box::new(crate::gen::policies_of(&toggled.set)));
        same(
            engine,
            "single-vs-array",
            ("original", input),
            ("toggled", &toggled),
        )
    })
}

/// `text` with each ASCII letter in upper or lower case, as `rng` chooses.
fn flip_case(text: &str, rng: &mut RngChoices) -> String {
    text.chars()
        .map(|c| match rng.below(2) {
            0 => c.to_ascii_uppercase(),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Property 8: Changing the case of the letters of request actions and of action patterns changes no
/// decision.
pub fn action_case<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = knob_rng(input, 8);
        let mut set = input.set.clone();
        for (_, _, statement) in all_statements_mut(&mut set) {
            for pattern in values_mut(&mut statement.action.patterns) {
                *pattern = flip_case(pattern, &mut rng);
            }
        }
        let mut recased = with_set(input, set);
        for written in &mut recased.requests {
            written.action = flip_case(&written.action, &mut rng);
        }
        same(
            engine,
            "action-case",
            ("original", input),
            ("recased", &recased),
        )
    })
}

/// Property 9: Adding, removing or renaming `Sid`s changes no decision.
pub fn sid_irrelevant<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 9);
        let mut set = input.set.clone();
        for (_, policy) in set.slots_mut() {
            for (i, statement) in statements_mut(policy).iter_mut().enumerate() {
                match rng.below(3) {
                    0 => statement.sid = None,
                    1 => statement.sid = Some(format!("Generated{i}x{}", rng.below(1000))),
                    _ => {}
                }
            }
        }
        if !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let renamed = with_set(input, set);
        same(
            engine,
            "sid-irrelevant",
            ("original", input),
            ("re-sided", &renamed),
        )
    })
}

/// The case-file policies of `set` with each text made by `text` (called in the order of
/// [`PolicySet::slots`]).
fn policies_with(set: &PolicySet, text: &mut dyn FnMut(PolicyKind, &Policy) -> String) -> Policies {
    let empty_levels = |levels: &Vec<Vec<Policy>>| levels.iter().map(|_| Vec::new()).collect();
    let mut out = Policies {
        identity: None,
        resource: None,
        boundary: None,
        session: None,
        scp: set.scp.as_ref().map(empty_levels),
        rcp: set.rcp.as_ref().map(empty_levels),
        aws_managed: Vec::new(),
    };
    for (slot, policy) in set.slots() {
        let raw: PolicyText = serde_json::value::RawValue::from_string(text(slot.kind(), policy))
            .unwrap_or_else(|_| policy_from_value(&policy::to_json(policy)));
        match slot {
            Slot::Identity(_) => out.identity.get_or_insert_with(Vec::new).push(raw),
            Slot::Resource => out.resource = Some(raw),
            Slot::Boundary => out.boundary = Some(raw),
            Slot::Session(_) => out.session.get_or_insert_with(Vec::new).push(raw),
            Slot::Scp { level, .. } | Slot::Rcp { level, .. } => {
                let levels = match slot {
                    Slot::Scp { .. } => &mut out.scp,
                    _ => &mut out.rcp,
                };
                if let Some(documents) = levels.as_mut().and_then(|levels| levels.get_mut(level)) {
                    documents.push(raw);
                }
            }
        }
    }
    out
}

/// `policy` with its condition blocks, condition keys and principal types sorted: the orders a
/// JSON object's key order decides, which mean nothing.
fn normalized(policy: &Policy) -> Policy {
    let mut policy = policy.clone();
    for statement in statements_mut(&mut policy) {
        for blocks in statement.condition.iter_mut() {
            blocks.sort_by_key(|block| block.operator.to_string());
            for block in blocks.iter_mut() {
                block.entries.sort_by(|x, y| x.key.cmp(&y.key));
            }
        }
        if let Some(PrincipalClause {
            value: Principal::Map(map),
            ..
        }) = &mut statement.principal
        {
            map.sort_by_key(|(principal_type, _)| principal_type.as_str());
        }
    }
    policy
}

/// Property 11: Re-serialising every policy with another key order and other whitespace changes no
/// decision; and for every policy, parse(print(p)) = p and parse(reformatted) = p.
pub fn formatting<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "formatting";
    attempt(|| {
        let mut rng = knob_rng(input, 11);
        let styles = [
            Style::Compact,
            Style::Spaced,
            Style::Indented("  "),
            Style::Indented("\t"),
        ];
        let style = styles
            .get(rng.below(styles.len()))
            .copied()
            .unwrap_or(Style::Compact);
        let mut problem: Option<String> = None;
        let texts = policies_with(&input.set, &mut |kind, policy| {
            let printed = policy::to_string(policy);
            if policy::parse(&printed).as_ref() != Ok(policy) && problem.is_none() {
                problem = Some(format!("parse(print(p)) is not p for `{printed}`"));
            }
            let value = policy::to_json(policy);
            let mut text = reformat(&value, &mut rng, style);
            if policy::validate(policy, kind, &text).is_err() {
                text = reformat(&value, &mut rng, Style::Compact);
            }
            let reparsed = policy::parse(&text).map(|parsed| normalized(&parsed));
            if reparsed != Ok(normalized(policy)) && problem.is_none() {
                problem = Some(format!(
                    "the reformatted text `{text}` does not parse to the same policy"
                ));
            }
            text
        });
        let mut reformatted = input.clone();
        reformatted.texts = Some(Box::new(texts));
        if let Some(message) = problem {
            let got = decide(engine, input, NAME, "original")?;
            return Err(fail(NAME, message, vec![evidence("original", input, &got)]));
        }
        same(
            engine,
            NAME,
            ("original", input),
            ("reformatted", &reformatted),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::policies_of;

    fn policy() -> Policy {
        policy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap()
    }

    #[test]
    fn policies_with_keeps_the_shape_of_the_set() {
        let set = PolicySet {
            identity: vec![policy(), policy()],
            resource: Some(policy()),
            boundary: None,
            session: vec![policy()],
            scp: Some(vec![vec![], vec![policy(), policy()]]),
            rcp: Some(Vec::new()),
        };
        let mut kinds = Vec::new();
        let texts = policies_with(&set, &mut |kind, written| {
            kinds.push(kind);
            policy::to_string(written)
        });
        assert_eq!(
            serde_json::to_value(&texts).unwrap(),
            serde_json::to_value(policies_of(&set)).unwrap()
        );
        let expected: Vec<PolicyKind> = set.slots().map(|(slot, _)| slot.kind()).collect();
        assert_eq!(kinds, expected);
    }
}
