//! Properties 1–4: determinism, the default deny, deny dominance and allow monotonicity.

use crate::decision::Decision;
use crate::gen::{Choices as _, Input, RngChoices};
use crate::policy::{
    Condition, Effect, Policy, PolicyKind, PolicySet, Principal, PrincipalClause, PrincipalType,
    Statement,
};
use crate::request::{PrincipalKind, Request};

use super::super::transform::{
    all_statements, everyone, one, plain_statement, policy_of, push_statement, service_of, valid,
    with_set,
};
use super::super::{Decider, Violation};
use super::relation::{
    attempt, decide, evidence, fail, finish, is_iam_caller, knob_rng, narrower, parsed_requests,
    same, Stop,
};

/// Property 1: Determinism: deciding the same input twice gives the same decisions.
pub fn determinism<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    finish(same(
        engine,
        "determinism",
        ("first", input),
        ("repeated", input),
    ))
}

/// Property 2: An empty policy set gives implicit deny to every caller but the root user (who has full
/// access to their own account, semantics §1.3 step 3a).
pub fn empty_set_implicit_deny<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    const NAME: &str = "empty-set-implicit-deny";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let empty = with_set(input, PolicySet::default());
        let got = decide(engine, &empty, NAME, "empty-set")?;
        for (i, (request, decision)) in requests.iter().zip(&got).enumerate() {
            if request.principal_kind != PrincipalKind::Root && *decision != Decision::ImplicitDeny
            {
                return Err(fail(
                    NAME,
                    format!(
                        "request {i} decided {decision} with no policy at all, expected implicit_deny"
                    ),
                    vec![evidence("empty-set", &empty, &got)],
                ));
            }
        }
        Ok(())
    })
}

/// The kinds of policy whose statements apply to every request of `requests` in `set` (the
/// places a statement can be added to reach them all); `allow` leaves out the caps a new Allow
/// would only narrow when they are absent.
fn kinds_applying(set: &PolicySet, requests: &[Request], allow: bool) -> Vec<PolicyKind> {
    let all = |test: &dyn Fn(&Request) -> bool| requests.iter().all(test);
    let mut kinds = vec![PolicyKind::Resource];
    if all(&|request| is_iam_caller(request.principal_kind)) {
        kinds.push(PolicyKind::Identity);
        if set.boundary.is_some() {
            kinds.push(PolicyKind::Boundary);
        }
        if !all(&Request::is_service_linked_role) && (!allow || set.scp.is_some()) {
            kinds.push(PolicyKind::Scp);
        }
    }
    if !set.session.is_empty()
        && all(&|request| {
            matches!(
                request.principal_kind,
                PrincipalKind::AssumedRole | PrincipalKind::Role | PrincipalKind::FederatedUser
            )
        })
    {
        kinds.push(PolicyKind::Session);
    }
    if !allow
        && !requests.iter().any(Request::is_service_linked_role)
        && all(&Request::is_bound_by_rcps_of_its_service)
    {
        kinds.push(PolicyKind::Rcp);
    }
    kinds
}

/// Puts `statements` into the policies of `kind` in `set`, into an existing document or a new
/// one (a trust policy is the resource policy).
fn place(set: &mut PolicySet, kind: PolicyKind, statements: Vec<Statement>, rng: &mut RngChoices) {
    let into = |policy: &mut Policy, statements: Vec<Statement>| {
        for statement in statements {
            push_statement(policy, statement);
        }
    };
    match kind {
        PolicyKind::Identity => {
            let count = set.identity.len();
            let at = rng.below(count + 1);
            match set.identity.get_mut(at) {
                Some(policy) => into(policy, statements),
                None => set.identity.push(policy_of(statements)),
            }
        }
        PolicyKind::Resource | PolicyKind::Trust => match &mut set.resource {
            Some(policy) => into(policy, statements),
            None => set.resource = Some(policy_of(statements)),
        },
        PolicyKind::Boundary => {
            if let Some(policy) = &mut set.boundary {
                into(policy, statements);
            }
        }
        PolicyKind::Session => {
            let at = rng.below(set.session.len());
            if let Some(policy) = set.session.get_mut(at) {
                into(policy, statements);
            }
        }
        PolicyKind::Scp | PolicyKind::Rcp => {
            let levels = if kind == PolicyKind::Scp {
                &mut set.scp
            } else {
                &mut set.rcp
            };
            let levels = levels.get_or_insert_with(Vec::new);
            if levels.is_empty() {
                levels.push(Vec::new());
            }
            let level_at = rng.below(levels.len());
            if let Some(level) = levels.get_mut(level_at) {
                let document_at = rng.below(level.len() + 1);
                match level.get_mut(document_at) {
                    Some(policy) if rng.below(2) == 0 => into(policy, statements),
                    _ => level.push(policy_of(statements)),
                }
            }
        }
    }
}

/// Property 3: Adding a Deny statement that matches a request (its exact action and resource, placed in
/// any policy that applies to the caller) makes the decision an explicit deny.
pub fn matching_deny<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "matching-deny";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 3);
        let kinds = kinds_applying(&input.set, &requests, false);
        let kind = kinds
            .get(rng.below(kinds.len()))
            .copied()
            .ok_or(Stop::Skip)?;
        let principal = matches!(kind, PolicyKind::Resource | PolicyKind::Rcp);
        let statements = input
            .requests
            .iter()
            .map(|written| {
                let mut statement =
                    plain_statement(Effect::Deny, &written.action, &written.resource);
                if principal {
                    statement.principal = everyone();
                }
                statement
            })
            .collect();
        let mut set = input.set.clone();
        place(&mut set, kind, statements, &mut rng);
        if !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let denied = with_set(input, set);
        let got = decide(engine, &denied, NAME, "with-deny")?;
        if let Some(i) = got.iter().position(|d| *d != Decision::ExplicitDeny) {
            return Err(fail(
                NAME,
                format!(
                    "request {i} decided {} after a matching Deny was added to the {kind:?} policies, expected explicit_deny",
                    got.get(i).map(|d| d.as_str()).unwrap_or("-")
                ),
                vec![evidence("with-deny", &denied, &got)],
            ));
        }
        Ok(())
    })
}

/// Property 4: Adding an Allow statement (built from a request: its action or service, its resource or
/// `*`, sometimes a condition copied from the input) to any policy never turns an allow into a
/// deny and never lifts an explicit deny.
pub fn allow_monotone<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "allow-monotone";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 4);
        let kinds = kinds_applying(&input.set, &requests, true);
        let kind = kinds
            .get(rng.below(kinds.len()))
            .copied()
            .ok_or(Stop::Skip)?;
        let written = input
            .requests
            .get(rng.below(input.requests.len()))
            .ok_or(Stop::Skip)?;
        let service = service_of(&written.action);
        let action = match rng.below(3) {
            0 => written.action.clone(),
            1 => format!("{service}:*"),
            _ => "*".to_owned(),
        };
        let resource = if rng.below(2) == 0 {
            written.resource.as_str()
        } else {
            "*"
        };
        let mut statement = plain_statement(Effect::Allow, &action, resource);
        if kind == PolicyKind::Resource {
            statement.principal = match rng.below(3) {
                0 => everyone(),
                1 if written.principal.starts_with("arn:") => Some(PrincipalClause {
                    negated: false,
                    value: Principal::Map(vec![(PrincipalType::Aws, one(&written.principal))]),
                }),
                _ => Some(PrincipalClause {
                    negated: false,
                    value: Principal::Map(vec![(
                        PrincipalType::Aws,
                        one(requests
                            .first()
                            .and_then(|request| request.principal_account.as_deref())
                            .unwrap_or("111122223333")),
                    )]),
                }),
            };
        }
        if rng.below(3) == 0 {
            let conditions: Vec<Vec<Condition>> = all_statements(&input.set)
                .filter_map(|existing| existing.condition.clone())
                .collect();
            statement.condition = conditions.get(rng.below(conditions.len())).cloned();
        }
        let mut set = input.set.clone();
        place(&mut set, kind, vec![statement], &mut rng);
        if !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        let widened = with_set(input, set);
        narrower(
            engine,
            NAME,
            ("with-allow", &widened),
            ("original", input),
            &|_| true,
        )
    })
}
