//! Properties 12–13: caps only narrow — a permissions boundary, a session policy, an SCP or an
//! RCP hierarchy never grants, and a cap that allows nothing leaves nothing allowed.

use crate::gen::{Choices as _, Input, RngChoices};
use crate::policy::{Effect, Policy, ResourceClause, Statement};
use crate::request::PrincipalKind;

use super::super::transform::{
    everyone, one, plain_statement, policy_of, service_of, single, valid, with_set, NO_ACTION,
};
use super::super::{Decider, Violation};
use super::relation::{
    attempt, is_iam_caller, knob_rng, narrower, not_allowed, parsed_requests, Stop,
};

/// A cap built from the input: some of its identity-side statements (principals dropped) and
/// sometimes an Allow of a request's whole service.
fn cap_from(input: &Input, rng: &mut RngChoices) -> Policy {
    let mut statements: Vec<Statement> = input
        .set
        .identity
        .iter()
        .chain(input.set.session.iter())
        .chain(input.set.boundary.iter())
        .flat_map(|policy| policy.statements().iter().cloned())
        .filter(|_| rng.below(3) > 0)
        .map(|mut statement| {
            statement.sid = None;
            statement.principal = None;
            if statement.resource.is_none() {
                statement.resource = Some(ResourceClause {
                    negated: false,
                    patterns: one("*"),
                });
            }
            statement
        })
        .take(3)
        .collect();
    if statements.is_empty() || rng.below(2) == 0 {
        if let Some(written) = input.requests.get(rng.below(input.requests.len())) {
            let service = service_of(&written.action);
            statements.push(plain_statement(Effect::Allow, &format!("{service}:*"), "*"));
        }
    }
    policy_of(statements)
}

/// Property 12: A permissions boundary or a session policy can only narrow identity-based access (with
/// the resource policy taken away, so that only identity-based access is in play): a request
/// allowed under the cap is allowed without it, an explicit deny without it stays one; and a cap
/// that allows nothing leaves no IAM caller (but the root user) allowed.
pub fn boundary_session_narrow<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    const NAME: &str = "boundary-session-narrow";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 12);
        let mut base = input.set.clone();
        base.resource = None;
        let session_callers = requests.iter().all(|request| {
            matches!(
                request.principal_kind,
                PrincipalKind::AssumedRole | PrincipalKind::Role
            )
        });
        let use_session = session_callers && rng.below(2) == 0;
        let cap = if use_session {
            input.set.session.first().cloned()
        } else {
            input.set.boundary.clone()
        }
        .filter(|_| rng.below(3) > 0)
        .unwrap_or_else(|| cap_from(input, &mut rng));
        let nothing = single(plain_statement(Effect::Allow, NO_ACTION, "*"));
        let (mut without, mut with, mut with_nothing) = (base.clone(), base.clone(), base);
        if use_session {
            without.session = Vec::new();
            with.session = vec![cap];
            with_nothing.session = vec![nothing];
        } else {
            without.boundary = None;
            with.boundary = Some(cap);
            with_nothing.boundary = Some(nothing);
        }
        if !valid(&with, &requests) || !valid(&without, &requests) {
            return Err(Stop::Skip);
        }
        let label = if use_session {
            "session policy"
        } else {
            "boundary"
        };
        let without = with_set(input, without);
        let with = with_set(input, with);
        let with_nothing = with_set(input, with_nothing);
        let capped = |i: usize| {
            requests.get(i).is_some_and(|request| {
                is_iam_caller(request.principal_kind)
                    && request.principal_kind != PrincipalKind::Root
            })
        };
        narrower(
            engine,
            NAME,
            (&format!("without-{label}"), &without),
            (&format!("with-{label}"), &with),
            &|_| true,
        )?;
        not_allowed(
            engine,
            NAME,
            (&format!("{label}-allowing-nothing"), &with_nothing),
            &format!("its {label} allows nothing and no resource policy grants"),
            &capped,
        )
    })
}

/// The SCP (or RCP) levels to add when the input has none.
fn org_from(input: &Input, rng: &mut RngChoices, rcp: bool) -> Vec<Vec<Policy>> {
    let full = if rcp {
        let mut allow_all = plain_statement(Effect::Allow, "*", "*");
        allow_all.principal = everyone();
        single(allow_all)
    } else {
        single(plain_statement(Effect::Allow, "*", "*"))
    };
    let mut levels = vec![vec![full.clone()]];
    if let Some(written) = input.requests.get(rng.below(input.requests.len())) {
        let service = service_of(&written.action).to_owned();
        if rcp {
            let mut deny = plain_statement(Effect::Deny, &format!("{service}:*"), "*");
            deny.principal = everyone();
            levels.push(vec![full, single(deny)]);
        } else {
            levels.push(vec![single(plain_statement(
                Effect::Allow,
                &format!("{service}:*"),
                "*",
            ))]);
        }
    }
    if rng.below(2) == 0 {
        levels.truncate(1);
    }
    levels
}

/// Property 13: An SCP (or RCP) hierarchy can only narrow: a request allowed with it is allowed without
/// it, an explicit deny without it stays one; and a hierarchy with a level (beyond the first)
/// that allows nothing leaves no caller it binds allowed (semantics §1.7).
pub fn scp_narrow<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "scp-narrow";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 13);
        let rcp = rng.below(3) == 0;
        let existing = if rcp { &input.set.rcp } else { &input.set.scp };
        let levels = match existing {
            Some(levels) if rng.below(3) > 0 => levels.clone(),
            _ => org_from(input, &mut rng, rcp),
        };
        let nothing_level = if rcp {
            let mut deny = plain_statement(Effect::Deny, NO_ACTION, "*");
            deny.principal = everyone();
            vec![single(deny)]
        } else {
            vec![single(plain_statement(Effect::Allow, NO_ACTION, "*"))]
        };
        let mut blocked = levels.clone();
        if blocked.is_empty() {
            blocked.push(vec![single(plain_statement(Effect::Allow, "*", "*"))]);
        }
        let at = 1 + rng.below(blocked.len());
        blocked.insert(at.min(blocked.len()), nothing_level);
        let (mut without, mut with, mut with_blocked) =
            (input.set.clone(), input.set.clone(), input.set.clone());
        let (slot_without, slot_with, slot_blocked) = if rcp {
            (&mut without.rcp, &mut with.rcp, &mut with_blocked.rcp)
        } else {
            (&mut without.scp, &mut with.scp, &mut with_blocked.scp)
        };
        *slot_without = None;
        *slot_with = Some(levels);
        *slot_blocked = Some(blocked);
        if !valid(&with, &requests) || !valid(&with_blocked, &requests) {
            return Err(Stop::Skip);
        }
        let label = if rcp { "rcp" } else { "scp" };
        let without = with_set(input, without);
        let with = with_set(input, with);
        let with_blocked = with_set(input, with_blocked);
        narrower(
            engine,
            NAME,
            (&format!("without-{label}"), &without),
            (&format!("with-{label}"), &with),
            &|_| true,
        )?;
        let bound = |i: usize| {
            requests.get(i).is_some_and(|request| {
                (if rcp {
                    request.is_bound_by_rcps_of_its_service()
                } else {
                    is_iam_caller(request.principal_kind)
                }) && !request.is_service_linked_role()
            })
        };
        not_allowed(
            engine,
            NAME,
            (&format!("{label}-level-allowing-nothing"), &with_blocked),
            &format!("one {label} level allows nothing (an Allow is needed at every level)"),
            &bound,
        )
    })
}
