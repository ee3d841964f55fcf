//! Property 10: a wildcard (or a `NotAction`) means the list of names it matches.

use crate::gen::{catalogue, Choices as _, Input};
use crate::policy::{ActionClause, OneOrMany, PolicyKind, Statement};

use super::super::transform::{all_statements_mut, valid, with_set, NO_ACTION};
use super::super::{Decider, Violation};
use super::relation::{attempt, knob_rng, parsed_requests, same, Stop};

/// A resource that no request names (the expansion of a pattern that matches none).
const NO_RESOURCE: &str = "arn:aws:s3:::iam-harness-no-such-bucket/none";

/// True when `text` holds a `*` or `?`.
fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// Rewrites the action patterns of `statement` (see [`wildcard_expansion`]); true when changed.
fn expand_actions(statement: &mut Statement, request_actions: &[String]) -> bool {
    if statement.action.negated {
        // NotAction P ≡ Action [the request actions P does not match], for these requests.
        let kept: Vec<String> = request_actions
            .iter()
            .filter(|action| {
                !statement
                    .action
                    .patterns
                    .iter()
                    .any(|pattern| crate::glob::action_matches(pattern, action))
            })
            .cloned()
            .collect();
        let mut kept = if kept.is_empty() {
            vec![NO_ACTION.to_owned()]
        } else {
            kept
        };
        kept.dedup();
        statement.action = ActionClause {
            negated: false,
            patterns: OneOrMany::Many(kept),
        };
        return true;
    }
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for pattern in statement.action.patterns.iter() {
        let literal_service = pattern
            .split_once(':')
            .is_some_and(|(service, _)| !has_wildcard(service));
        if has_wildcard(pattern) && literal_service {
            changed = true;
            let matched = catalogue::actions_matching(pattern);
            if matched.is_empty() {
                out.push(NO_ACTION.to_owned());
            }
            out.extend(matched);
        } else {
            out.push(pattern.clone());
        }
    }
    out.dedup();
    if changed {
        statement.action.patterns = OneOrMany::Many(out);
    }
    changed
}

/// Rewrites the resource patterns of `statement` into the request resources they match; true
/// when changed.
fn expand_resources(
    statement: &mut Statement,
    variables: bool,
    request_resources: &[String],
) -> bool {
    let Some(clause) = &mut statement.resource else {
        return false;
    };
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for pattern in clause.patterns.iter() {
        if has_wildcard(pattern) && !(variables && pattern.contains("${")) {
            changed = true;
            let matched: Vec<String> = request_resources
                .iter()
                .filter(|resource| crate::arn::resource_matches(pattern, resource, false))
                .cloned()
                .collect();
            if matched.is_empty() {
                out.push(NO_RESOURCE.to_owned());
            }
            out.extend(matched);
        } else {
            out.push(pattern.clone());
        }
    }
    out.sort();
    out.dedup();
    if changed {
        clause.patterns = OneOrMany::Many(out);
    }
    changed
}

/// Property 10: Rewriting a wildcard action pattern (`s3:Get*`) into the list of catalogue actions it
/// matches, a `NotAction` into the `Action` list of the request actions it lets through, and a
/// wildcard resource pattern into the request resources it matches, changes no decision. Sound
/// because every generated request action is in the catalogue (checked) and every request
/// resource is a concrete ARN; the matching used for the rewrite is the harness's own
/// [`crate::glob`] and [`crate::arn`], so this also compares the engine's matching with them.
pub fn wildcard_expansion<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let requests = parsed_requests(input)?;
        if !input
            .requests
            .iter()
            .all(|written| catalogue::contains_action(&written.action))
        {
            return Err(Stop::Skip);
        }
        let actions: Vec<String> = input
            .requests
            .iter()
            .map(|written| written.action.clone())
            .collect();
        let resources: Vec<String> = input
            .requests
            .iter()
            .map(|written| written.resource.clone())
            .collect();
        let resources_ok = resources
            .iter()
            .all(|resource| resource != "*" && !has_wildcard(resource) && !resource.contains('$'));
        let mut rng = knob_rng(input, 10);
        // Try both rewrites, then each alone if the result is too big for a policy kind.
        let modes: &[(bool, bool)] = &[(true, true), (true, false), (false, true)];
        for &(do_actions, do_resources) in modes {
            let mut set = input.set.clone();
            let mut changed = false;
            for (kind, variables, statement) in all_statements_mut(&mut set) {
                if rng.below(4) == 0 {
                    continue;
                }
                if do_actions && !(kind == PolicyKind::Rcp && statement.action.negated) {
                    changed |= expand_actions(statement, &actions);
                }
                if do_resources && resources_ok {
                    changed |= expand_resources(statement, variables, &resources);
                }
            }
            if changed && valid(&set, &requests) {
                let expanded = with_set(input, set);
                return same(
                    engine,
                    "wildcard-expansion",
                    ("original", input),
                    ("expanded", &expanded),
                );
            }
        }
        Err(Stop::Skip)
    })
}
