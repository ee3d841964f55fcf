//! The properties of DESIGN.md §5, one documented function each, generic over the engine: any
//! [`Decider`] (every [`crate::Evaluator`] is one, so `determinism(&engine, &input)` works with
//! `engine: &dyn Evaluator`). Each returns `Ok(())` when the relation holds (or does not apply
//! to the input) and a [`Violation`] otherwise. Transformations that need randomness draw it
//! from the input's `knobs`, so a check is a pure function of its input.
//!
//! A transformation whose result would not validate for its policy kind (a size limit, a
//! duplicate `Sid`) is not applied: the relation would then be compared with `invalid`.

use crate::case::{policy_from_value, Policies, PolicyText, TestRequest};
use crate::decision::Decision;
use crate::gen::catalogue;
use crate::gen::{Choices as _, Input, RngChoices};
use crate::policy::PolicySet;
use crate::policy::{
    self, ActionClause, BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue,
    Effect, OneOrMany, OperatorFamily, Policy, PolicyKind, Principal, PrincipalClause,
    PrincipalType, ResourceClause, Statement, ValueType, Version,
};
use crate::request::{Lookup, PrincipalKind, Request};

use super::transform::{
    all_statements_mut, policies_mut, push_statement, reformat, shuffle, single, statements_mut,
    valid, with_set, Style,
};
use super::{show, Decider, Evidence, Halt, Violation};

/// A named property with its documentation.
#[derive(Clone, Copy)]
pub struct Property {
    /// Its number in DESIGN.md §5.
    pub number: u8,
    /// Its name (what `--property` takes).
    pub name: &'static str,
    /// One line saying what it checks.
    pub summary: &'static str,
    /// The AWS documentation page the relation follows from.
    pub source: &'static str,
    /// The check, over any engine.
    pub check: fn(&dyn Decider, &Input) -> Result<(), Violation>,
}

impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Property({} `{}`)", self.number, self.name)
    }
}

impl Property {
    /// The property named `name` (or numbered `name`).
    pub fn find(name: &str) -> Option<&'static Property> {
        PROPERTIES
            .iter()
            .find(|p| p.name == name || p.number.to_string() == name)
    }
}

const EVAL: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
const DA: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html";
const POL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html";
const ACT: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html";
const GRAM: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
const SID: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html";
const PB: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html";
const SCPEVAL: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html";
const OPS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const SVMV: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const VARS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
const XEVAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";

/// Every property of DESIGN.md §5, in order.
pub const PROPERTIES: [Property; 18] = [
    Property { number: 1, name: "determinism", summary: "the same input always gets the same decisions", source: EVAL, check: |d, i| determinism(d, i) },
    Property { number: 2, name: "empty-set-implicit-deny", summary: "an empty policy set gives implicit deny", source: DA, check: |d, i| empty_set_implicit_deny(d, i) },
    Property { number: 3, name: "matching-deny", summary: "adding a matching Deny gives explicit deny", source: DA, check: |d, i| matching_deny(d, i) },
    Property { number: 4, name: "allow-monotone", summary: "adding an Allow never turns Allow into a deny and never lifts an explicit deny", source: DA, check: |d, i| allow_monotone(d, i) },
    Property { number: 5, name: "order-independence", summary: "statement order and policy order do not matter", source: POL, check: |d, i| order_independence(d, i) },
    Property { number: 6, name: "action-split", summary: "splitting `Action: [a, b]` into two statements changes nothing", source: ACT, check: |d, i| action_split(d, i) },
    Property { number: 7, name: "single-vs-array", summary: "a single string is the same as a one-element array", source: GRAM, check: |d, i| single_vs_array(d, i) },
    Property { number: 8, name: "action-case", summary: "action names compare case-insensitively", source: ACT, check: |d, i| action_case(d, i) },
    Property { number: 9, name: "sid-irrelevant", summary: "a Sid changes nothing", source: SID, check: |d, i| sid_irrelevant(d, i) },
    Property { number: 10, name: "wildcard-expansion", summary: "rewriting a wildcard into the list of names it matches changes nothing", source: ACT, check: |d, i| wildcard_expansion(d, i) },
    Property { number: 11, name: "formatting", summary: "JSON formatting and key order change nothing; parse, print, parse is the identity", source: GRAM, check: |d, i| formatting(d, i) },
    Property { number: 12, name: "boundary-session-narrow", summary: "a boundary or a session policy can only narrow identity-based access", source: PB, check: |d, i| boundary_session_narrow(d, i) },
    Property { number: 13, name: "scp-narrow", summary: "an SCP (or RCP) can only narrow, and a level without an Allow denies", source: SCPEVAL, check: |d, i| scp_narrow(d, i) },
    Property { number: 14, name: "if-exists", summary: "…IfExists with the key present equals the plain operator, and with the key missing is true", source: OPS, check: |d, i| if_exists(d, i) },
    Property { number: 15, name: "set-operators-empty", summary: "ForAllValues on an empty set holds, ForAnyValue does not", source: SVMV, check: |d, i| set_operators_empty(d, i) },
    Property { number: 16, name: "negated-operators", summary: "a negated operator is the negation of its positive twin on a present single-valued key", source: OPS, check: |d, i| negated_operators(d, i) },
    Property { number: 17, name: "legacy-version", summary: "Version 2008-10-17 makes ${…} literal (and 2012-10-17 substitutes it)", source: VARS, check: |d, i| legacy_version(d, i) },
    Property { number: 18, name: "cross-account", summary: "a cross-account request needs both sides' allow", source: XEVAL, check: |d, i| cross_account(d, i) },
];

/// Why a check stopped early.
enum Stop {
    /// The relation does not apply (or the engine skipped): it holds vacuously.
    Skip,
    /// The relation is broken.
    Fail(Box<Violation>),
}

fn finish(result: Result<(), Stop>) -> Result<(), Violation> {
    match result {
        Ok(()) | Err(Stop::Skip) => Ok(()),
        Err(Stop::Fail(v)) => Err(*v),
    }
}

/// Runs a check body, turning a skip into a pass.
fn attempt(body: impl FnOnce() -> Result<(), Stop>) -> Result<(), Violation> {
    finish(body())
}

fn ev(label: &str, input: &Input, decisions: &[Decision]) -> Evidence {
    Evidence {
        label: label.to_owned(),
        input: input.clone(),
        decisions: decisions.to_vec(),
    }
}

fn fail(property: &'static str, message: String, evidence: Vec<Evidence>) -> Stop {
    Stop::Fail(Box::new(Violation {
        property,
        message,
        evidence,
    }))
}

/// Decides `input`, turning a skip into [`Stop::Skip`] and an error into a violation.
fn decide<D: Decider + ?Sized>(
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
            vec![ev(label, input, &decisions)],
        )),
        Err(Halt::Skipped(_)) => Err(Stop::Skip),
        Err(Halt::Errored(message)) => Err(fail(
            property,
            format!("the engine errored on the {label} input: {message}"),
            vec![ev(label, input, &[])],
        )),
    }
}

/// Decides `a` and `b` and checks that every request gets the same decision.
fn same<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (la, a): (&str, &Input),
    (lb, b): (&str, &Input),
) -> Result<(), Stop> {
    let x = decide(engine, a, property, la)?;
    let y = decide(engine, b, property, lb)?;
    if x != y {
        return Err(fail(
            property,
            format!(
                "the {la} input decided {} but the {lb} input {}",
                show(&x),
                show(&y)
            ),
            vec![ev(la, a, &x), ev(lb, b, &y)],
        ));
    }
    Ok(())
}

/// Checks "`b` is no more permissive than `a`" per request (for the requests `applies` keeps):
/// an Allow of `b` needs an Allow of `a`, an explicit deny of `a` stays one in `b`.
fn narrower<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (la, a): (&str, &Input),
    (lb, b): (&str, &Input),
    applies: &dyn Fn(usize) -> bool,
) -> Result<(), Stop> {
    let x = decide(engine, a, property, la)?;
    let y = decide(engine, b, property, lb)?;
    for (i, (da, db)) in x.iter().zip(&y).enumerate() {
        if !applies(i) {
            continue;
        }
        let widened = *db == Decision::Allow && *da != Decision::Allow;
        let lifted = *da == Decision::ExplicitDeny && *db != Decision::ExplicitDeny;
        if widened || lifted {
            return Err(fail(
                property,
                format!(
                    "request {i}: the {la} input decided {da} but the {lb} input (which may only be narrower) decided {db}"
                ),
                vec![ev(la, a, &x), ev(lb, b, &y)],
            ));
        }
    }
    Ok(())
}

/// Checks that every request `applies` keeps is not allowed in `input`.
fn not_allowed<D: Decider + ?Sized>(
    engine: &D,
    property: &'static str,
    (label, input): (&str, &Input),
    why: &str,
    applies: &dyn Fn(usize) -> bool,
) -> Result<(), Stop> {
    let x = decide(engine, input, property, label)?;
    if let Some(i) = (0..x.len()).find(|&i| applies(i) && x.get(i) == Some(&Decision::Allow)) {
        return Err(fail(
            property,
            format!("request {i} of the {label} input was allowed, but {why}"),
            vec![ev(label, input, &x)],
        ));
    }
    Ok(())
}

fn rng(input: &Input, salt: u64) -> RngChoices {
    RngChoices::new(input.knobs ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn requests(input: &Input) -> Result<Vec<Request>, Stop> {
    let parsed = input.parsed_requests();
    if parsed.len() == input.requests.len() {
        Ok(parsed)
    } else {
        Err(Stop::Skip)
    }
}

fn is_iam(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Service | PrincipalKind::Anonymous)
}

fn is_service_linked(request: &Request) -> bool {
    request.role_arn().is_some_and(|r| {
        r.contains(":role/aws-service-role/") || r.contains(":role/AWSServiceRoleFor")
    })
}

fn one(text: &str) -> OneOrMany<String> {
    OneOrMany::One(text.to_owned())
}

fn plain_statement(effect: Effect, action: &str, resource: &str) -> Statement {
    Statement {
        sid: None,
        effect,
        principal: None,
        action: ActionClause {
            negated: false,
            patterns: one(action),
        },
        resource: Some(ResourceClause {
            negated: false,
            patterns: one(resource),
        }),
        condition: None,
    }
}

fn everyone() -> Option<PrincipalClause> {
    Some(PrincipalClause {
        negated: false,
        value: Principal::Wildcard,
    })
}

/// An action no request ever carries.
const NO_ACTION: &str = "iamharness:NoSuchAction";
/// A condition key no request ever carries.
const NO_KEY: &str = "iamharness:absent";

// ---------------------------------------------------------------------------------------------
// 1–4: determinism, defaults, deny and allow

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
/// access to their own account, IAM-SPEC §1.3 step 3a).
pub fn empty_set_implicit_deny<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    const NAME: &str = "empty-set-implicit-deny";
    attempt(|| {
        let reqs = requests(input)?;
        let empty = with_set(input, PolicySet::default());
        let got = decide(engine, &empty, NAME, "empty-set")?;
        for (i, (r, d)) in reqs.iter().zip(&got).enumerate() {
            if r.principal_kind != PrincipalKind::Root && *d != Decision::ImplicitDeny {
                return Err(fail(
                    NAME,
                    format!(
                        "request {i} decided {d} with no policy at all, expected implicit_deny"
                    ),
                    vec![ev("empty-set", &empty, &got)],
                ));
            }
        }
        Ok(())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
}

/// The policy slots whose statements apply to every request of `reqs` in `set`.
fn slots_applying(set: &PolicySet, reqs: &[Request], allow: bool) -> Vec<Slot> {
    let all = |f: &dyn Fn(&Request) -> bool| reqs.iter().all(f);
    let mut slots = vec![Slot::Resource];
    if all(&|r| is_iam(r.principal_kind)) {
        slots.push(Slot::Identity);
        if set.boundary.is_some() {
            slots.push(Slot::Boundary);
        }
        if !all(&is_service_linked) && (!allow || set.scp.is_some()) {
            slots.push(Slot::Scp);
        }
    }
    if !set.session.is_empty()
        && all(&|r| {
            matches!(
                r.principal_kind,
                PrincipalKind::AssumedRole | PrincipalKind::Role | PrincipalKind::FederatedUser
            )
        })
    {
        slots.push(Slot::Session);
    }
    if !allow && !reqs.iter().any(is_service_linked) {
        slots.push(Slot::Rcp);
    }
    slots
}

/// Puts `statements` into the policy set at `slot`, into an existing document or a new one.
fn place(set: &mut PolicySet, slot: Slot, statements: Vec<Statement>, rng: &mut RngChoices) {
    let fresh = |statements: Vec<Statement>| Policy {
        version: Some(Version::V2012_10_17),
        id: None,
        statement: OneOrMany::Many(statements),
    };
    let into = |p: &mut Policy, statements: Vec<Statement>| {
        for s in statements {
            push_statement(p, s);
        }
    };
    match slot {
        Slot::Identity => {
            let n = set.identity.len();
            let i = rng.below(n + 1);
            match set.identity.get_mut(i) {
                Some(p) => into(p, statements),
                None => set.identity.push(fresh(statements)),
            }
        }
        Slot::Resource => match &mut set.resource {
            Some(p) => into(p, statements),
            None => set.resource = Some(fresh(statements)),
        },
        Slot::Boundary => {
            if let Some(p) = &mut set.boundary {
                into(p, statements);
            }
        }
        Slot::Session => {
            let i = rng.below(set.session.len());
            if let Some(p) = set.session.get_mut(i) {
                into(p, statements);
            }
        }
        Slot::Scp | Slot::Rcp => {
            let levels = if slot == Slot::Scp {
                &mut set.scp
            } else {
                &mut set.rcp
            };
            let levels = levels.get_or_insert_with(Vec::new);
            if levels.is_empty() {
                levels.push(Vec::new());
            }
            let l = rng.below(levels.len());
            if let Some(level) = levels.get_mut(l) {
                let d = rng.below(level.len() + 1);
                match level.get_mut(d) {
                    Some(p) if rng.below(2) == 0 => into(p, statements),
                    _ => level.push(fresh(statements)),
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
        let reqs = requests(input)?;
        let mut rng = rng(input, 3);
        let slots = slots_applying(&input.set, &reqs, false);
        let slot = slots
            .get(rng.below(slots.len()))
            .copied()
            .ok_or(Stop::Skip)?;
        let principal = matches!(slot, Slot::Resource | Slot::Rcp);
        let statements = input
            .requests
            .iter()
            .map(|r| {
                let mut s = plain_statement(Effect::Deny, &r.action, &r.resource);
                if principal {
                    s.principal = everyone();
                }
                s
            })
            .collect();
        let mut set = input.set.clone();
        place(&mut set, slot, statements, &mut rng);
        if !valid(&set, &reqs) {
            return Err(Stop::Skip);
        }
        let denied = with_set(input, set);
        let got = decide(engine, &denied, NAME, "with-deny")?;
        if let Some(i) = got.iter().position(|d| *d != Decision::ExplicitDeny) {
            return Err(fail(
                NAME,
                format!(
                    "request {i} decided {} after a matching Deny was added to the {slot:?} policies, expected explicit_deny",
                    got.get(i).map(|d| d.as_str()).unwrap_or("-")
                ),
                vec![ev("with-deny", &denied, &got)],
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
        let reqs = requests(input)?;
        let mut rng = rng(input, 4);
        let slots = slots_applying(&input.set, &reqs, true);
        let slot = slots
            .get(rng.below(slots.len()))
            .copied()
            .ok_or(Stop::Skip)?;
        let r = input
            .requests
            .get(rng.below(input.requests.len()))
            .ok_or(Stop::Skip)?;
        let service = r.action.split(':').next().unwrap_or("s3");
        let action = match rng.below(3) {
            0 => r.action.clone(),
            1 => format!("{service}:*"),
            _ => "*".to_owned(),
        };
        let resource = if rng.below(2) == 0 {
            r.resource.as_str()
        } else {
            "*"
        };
        let mut statement = plain_statement(Effect::Allow, &action, resource);
        if slot == Slot::Resource {
            statement.principal = match rng.below(3) {
                0 => everyone(),
                1 if r.principal.starts_with("arn:") => Some(PrincipalClause {
                    negated: false,
                    value: Principal::Map(vec![(PrincipalType::Aws, one(&r.principal))]),
                }),
                _ => Some(PrincipalClause {
                    negated: false,
                    value: Principal::Map(vec![(
                        PrincipalType::Aws,
                        one(reqs
                            .first()
                            .and_then(|r| r.principal_account.as_deref())
                            .unwrap_or("111122223333")),
                    )]),
                }),
            };
        }
        if rng.below(3) == 0 {
            let mut copy = input.set.clone();
            let conditions: Vec<Vec<Condition>> = all_statements_mut(&mut copy)
                .into_iter()
                .filter_map(|(_, _, s)| s.condition.clone())
                .collect();
            statement.condition = conditions.get(rng.below(conditions.len())).cloned();
        }
        let mut set = input.set.clone();
        place(&mut set, slot, vec![statement], &mut rng);
        if !valid(&set, &reqs) {
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

// ---------------------------------------------------------------------------------------------
// 5–11: equivalent rewritings

/// Property 5: Shuffling the statements of every policy, the identity and session policies, and the
/// documents of every SCP/RCP level changes no decision.
pub fn order_independence<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = rng(input, 5);
        let mut set = input.set.clone();
        for (_, p) in policies_mut(&mut set) {
            if let OneOrMany::Many(list) = &mut p.statement {
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
        let reqs = requests(input)?;
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, p) in policies_mut(&mut set) {
            let old = std::mem::replace(&mut p.statement, OneOrMany::Many(Vec::new()));
            let was_one = matches!(old, OneOrMany::One(_));
            let mut out = Vec::new();
            for s in match old {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(list) => list,
            } {
                if s.action.negated || s.action.patterns.len() < 2 {
                    out.push(s);
                    continue;
                }
                changed = true;
                for (i, pattern) in s.action.patterns.iter().enumerate() {
                    let mut part = s.clone();
                    part.action.patterns = OneOrMany::Many(vec![pattern.clone()]);
                    if i > 0 {
                        part.sid = None;
                    }
                    out.push(part);
                }
            }
            p.statement = match (was_one, out.len()) {
                (true, 1) => match out.pop() {
                    Some(s) => OneOrMany::One(s),
                    None => OneOrMany::Many(out),
                },
                _ => OneOrMany::Many(out),
            };
        }
        if !changed || !valid(&set, &reqs) {
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

fn toggle<T: Clone>(values: &mut OneOrMany<T>, flip: bool) {
    if !flip {
        return;
    }
    let next = match values {
        OneOrMany::One(v) => OneOrMany::Many(vec![v.clone()]),
        OneOrMany::Many(list) if list.len() == 1 => match list.first() {
            Some(v) => OneOrMany::One(v.clone()),
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
        let mut rng = rng(input, 7);
        let mut set = input.set.clone();
        for (_, p) in policies_mut(&mut set) {
            toggle(&mut p.statement, rng.below(2) == 0);
            for s in statements_mut(p) {
                toggle(&mut s.action.patterns, rng.below(2) == 0);
                if let Some(r) = &mut s.resource {
                    toggle(&mut r.patterns, rng.below(2) == 0);
                }
                if let Some(PrincipalClause {
                    value: Principal::Map(map),
                    ..
                }) = &mut s.principal
                {
                    for (_, values) in map.iter_mut() {
                        toggle(values, rng.below(2) == 0);
                    }
                }
                for block in s.condition.iter_mut().flatten() {
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
        let mut rng = rng(input, 8);
        let mut set = input.set.clone();
        for (_, _, s) in all_statements_mut(&mut set) {
            let patterns = match &mut s.action.patterns {
                OneOrMany::One(p) => std::slice::from_mut(p),
                OneOrMany::Many(list) => list.as_mut_slice(),
            };
            for p in patterns {
                *p = flip_case(p, &mut rng);
            }
        }
        let mut recased = with_set(input, set);
        for r in &mut recased.requests {
            r.action = flip_case(&r.action, &mut rng);
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
        let reqs = requests(input)?;
        let mut rng = rng(input, 9);
        let mut set = input.set.clone();
        for (_, p) in policies_mut(&mut set) {
            for (i, s) in statements_mut(p).iter_mut().enumerate() {
                match rng.below(3) {
                    0 => s.sid = None,
                    1 => s.sid = Some(format!("Generated{i}x{}", rng.below(1000))),
                    _ => {}
                }
            }
        }
        if !valid(&set, &reqs) {
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

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// A resource that no request names (the expansion of a pattern that matches none).
const NO_RESOURCE: &str = "arn:aws:s3:::iam-harness-no-such-bucket/none";

/// Rewrites the action patterns of `s` (see [`wildcard_expansion`]); true when changed.
fn expand_actions(s: &mut Statement, request_actions: &[String]) -> bool {
    if s.action.negated {
        // NotAction P ≡ Action [the request actions P does not match], for these requests.
        let kept: Vec<String> = request_actions
            .iter()
            .filter(|a| {
                !s.action
                    .patterns
                    .iter()
                    .any(|p| crate::glob::action_matches(p, a))
            })
            .cloned()
            .collect();
        let mut kept = if kept.is_empty() {
            vec![NO_ACTION.to_owned()]
        } else {
            kept
        };
        kept.dedup();
        s.action = ActionClause {
            negated: false,
            patterns: OneOrMany::Many(kept),
        };
        return true;
    }
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for p in s.action.patterns.iter() {
        let literal_service = p.split_once(':').is_some_and(|(svc, _)| !has_wildcard(svc));
        if has_wildcard(p) && literal_service {
            changed = true;
            let matched = catalogue::actions_matching(p);
            if matched.is_empty() {
                out.push(NO_ACTION.to_owned());
            }
            out.extend(matched);
        } else {
            out.push(p.clone());
        }
    }
    out.dedup();
    if changed {
        s.action.patterns = OneOrMany::Many(out);
    }
    changed
}

/// Rewrites the resource patterns of `s` into the request resources they match; true when
/// changed.
fn expand_resources(s: &mut Statement, variables: bool, request_resources: &[String]) -> bool {
    let Some(clause) = &mut s.resource else {
        return false;
    };
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for p in clause.patterns.iter() {
        if has_wildcard(p) && !(variables && p.contains("${")) {
            changed = true;
            let matched: Vec<String> = request_resources
                .iter()
                .filter(|r| crate::arn::resource_matches(p, r, false))
                .cloned()
                .collect();
            if matched.is_empty() {
                out.push(NO_RESOURCE.to_owned());
            }
            out.extend(matched);
        } else {
            out.push(p.clone());
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
        let reqs = requests(input)?;
        if !input
            .requests
            .iter()
            .all(|r| catalogue::contains_action(&r.action))
        {
            return Err(Stop::Skip);
        }
        let actions: Vec<String> = input.requests.iter().map(|r| r.action.clone()).collect();
        let resources: Vec<String> = input.requests.iter().map(|r| r.resource.clone()).collect();
        let resources_ok = resources
            .iter()
            .all(|r| r != "*" && !has_wildcard(r) && !r.contains('$'));
        let mut rng = rng(input, 10);
        // Try both rewrites, then each alone if the result is too big for a policy kind.
        let modes: &[(bool, bool)] = &[(true, true), (true, false), (false, true)];
        for &(do_actions, do_resources) in modes {
            let mut set = input.set.clone();
            let mut changed = false;
            for (kind, variables, s) in all_statements_mut(&mut set) {
                if rng.below(4) == 0 {
                    continue;
                }
                if do_actions && !(kind == PolicyKind::Rcp && s.action.negated) {
                    changed |= expand_actions(s, &actions);
                }
                if do_resources && resources_ok {
                    changed |= expand_resources(s, variables, &resources);
                }
            }
            if changed && valid(&set, &reqs) {
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

/// The case-file policies of `set` with each text made by `text`.
fn policies_with(set: &PolicySet, text: &mut dyn FnMut(PolicyKind, &Policy) -> String) -> Policies {
    let mut raw = |kind: PolicyKind, p: &Policy| -> PolicyText {
        serde_json::value::RawValue::from_string(text(kind, p))
            .unwrap_or_else(|_| policy_from_value(&policy::to_json(p)))
    };
    let list = |docs: &[Policy], kind, raw: &mut dyn FnMut(PolicyKind, &Policy) -> PolicyText| {
        docs.iter().map(|p| raw(kind, p)).collect::<Vec<_>>()
    };
    let identity =
        (!set.identity.is_empty()).then(|| list(&set.identity, PolicyKind::Identity, &mut raw));
    let resource = set.resource.as_ref().map(|p| raw(PolicyKind::Resource, p));
    let boundary = set.boundary.as_ref().map(|p| raw(PolicyKind::Boundary, p));
    let session =
        (!set.session.is_empty()).then(|| list(&set.session, PolicyKind::Session, &mut raw));
    let scp = set.scp.as_ref().map(|levels| {
        levels
            .iter()
            .map(|l| list(l, PolicyKind::Scp, &mut raw))
            .collect()
    });
    let rcp = set.rcp.as_ref().map(|levels| {
        levels
            .iter()
            .map(|l| list(l, PolicyKind::Rcp, &mut raw))
            .collect()
    });
    Policies {
        identity,
        resource,
        boundary,
        session,
        scp,
        rcp,
    }
}

/// `p` with its condition blocks, condition keys and principal types sorted: the orders a JSON
/// object's key order decides, which mean nothing.
fn normalized(p: &Policy) -> Policy {
    let mut p = p.clone();
    for s in statements_mut(&mut p) {
        for blocks in s.condition.iter_mut() {
            blocks.sort_by_key(|b| b.operator.to_string());
            for b in blocks.iter_mut() {
                b.entries.sort_by(|x, y| x.key.cmp(&y.key));
            }
        }
        if let Some(PrincipalClause {
            value: Principal::Map(map),
            ..
        }) = &mut s.principal
        {
            map.sort_by_key(|(t, _)| t.as_str());
        }
    }
    p
}

/// Property 11: Re-serialising every policy with another key order and other whitespace changes no
/// decision; and for every policy, parse(print(p)) = p and parse(reformatted) = p.
pub fn formatting<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "formatting";
    attempt(|| {
        let mut rng = rng(input, 11);
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
        let texts = policies_with(&input.set, &mut |kind, p| {
            let printed = policy::to_string(p);
            if policy::parse(&printed).as_ref() != Ok(p) && problem.is_none() {
                problem = Some(format!("parse(print(p)) is not p for `{printed}`"));
            }
            let value = policy::to_json(p);
            let mut text = reformat(&value, &mut rng, style);
            if policy::validate(p, kind, &text).is_err() {
                text = reformat(&value, &mut rng, Style::Compact);
            }
            let reparsed = policy::parse(&text).map(|q| normalized(&q));
            if reparsed != Ok(normalized(p)) && problem.is_none() {
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
            return Err(fail(NAME, message, vec![ev("original", input, &got)]));
        }
        same(
            engine,
            NAME,
            ("original", input),
            ("reformatted", &reformatted),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 12–13: caps only narrow

/// A cap built from the input: some of its identity-side statements (principals dropped) and
/// sometimes an Allow of a request's whole service.
fn cap_from(input: &Input, rng: &mut RngChoices) -> Policy {
    let mut statements: Vec<Statement> = input
        .set
        .identity
        .iter()
        .chain(input.set.session.iter())
        .chain(input.set.boundary.iter())
        .flat_map(|p| p.statements().iter().cloned())
        .filter(|_| rng.below(3) > 0)
        .map(|mut s| {
            s.sid = None;
            s.principal = None;
            if s.resource.is_none() {
                s.resource = Some(ResourceClause {
                    negated: false,
                    patterns: one("*"),
                });
            }
            s
        })
        .take(3)
        .collect();
    if statements.is_empty() || rng.below(2) == 0 {
        if let Some(r) = input.requests.get(rng.below(input.requests.len())) {
            let service = r.action.split(':').next().unwrap_or("s3");
            statements.push(plain_statement(Effect::Allow, &format!("{service}:*"), "*"));
        }
    }
    single_list(statements)
}

fn single_list(statements: Vec<Statement>) -> Policy {
    Policy {
        version: Some(Version::V2012_10_17),
        id: None,
        statement: OneOrMany::Many(statements),
    }
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
        let reqs = requests(input)?;
        let mut rng = rng(input, 12);
        let mut base = input.set.clone();
        base.resource = None;
        let session_callers = reqs.iter().all(|r| {
            matches!(
                r.principal_kind,
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
        if !valid(&with, &reqs) || !valid(&without, &reqs) {
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
            reqs.get(i).is_some_and(|r| {
                is_iam(r.principal_kind) && r.principal_kind != PrincipalKind::Root
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
        let mut s = plain_statement(Effect::Allow, "*", "*");
        s.principal = everyone();
        single(s)
    } else {
        single(plain_statement(Effect::Allow, "*", "*"))
    };
    let mut levels = vec![vec![full.clone()]];
    if let Some(r) = input.requests.get(rng.below(input.requests.len())) {
        let service = r.action.split(':').next().unwrap_or("s3").to_owned();
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
/// that allows nothing leaves no caller it binds allowed (IAM-SPEC §1.7).
pub fn scp_narrow<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "scp-narrow";
    attempt(|| {
        let reqs = requests(input)?;
        let mut rng = rng(input, 13);
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
        if !valid(&with, &reqs) || !valid(&with_blocked, &reqs) {
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
            reqs.get(i)
                .is_some_and(|r| (rcp || is_iam(r.principal_kind)) && !is_service_linked(r))
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

// ---------------------------------------------------------------------------------------------
// 14–17: condition operators and variables

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

fn presence(key: &str, reqs: &[Request]) -> Presence {
    if reqs
        .iter()
        .all(|r| matches!(r.context.get(key), Lookup::Single(_)))
    {
        Presence::Single
    } else if reqs.iter().all(|r| r.context.get(key) == Lookup::Missing) {
        Presence::Missing
    } else {
        Presence::Mixed
    }
}

/// Moves `entry` into the block of `op` in `blocks` (made if absent); false when that block
/// already tests the same key (a JSON object cannot hold it twice).
fn add_entry(blocks: &mut Vec<Condition>, op: ConditionOperator, entry: ConditionEntry) -> bool {
    match blocks.iter_mut().find(|b| b.operator == op) {
        Some(block) => {
            if block
                .entries
                .iter()
                .any(|e| e.key.eq_ignore_ascii_case(&entry.key))
            {
                return false;
            }
            block.entries.push(entry);
        }
        None => blocks.push(Condition {
            operator: op,
            entries: vec![entry],
        }),
    }
    true
}

/// Rewrites the condition blocks of one statement for property 14; true when changed.
fn rewrite_if_exists(blocks: &mut Vec<Condition>, reqs: &[Request], rng: &mut RngChoices) -> bool {
    let mut changed = false;
    let mut b = 0;
    while b < blocks.len() {
        let Some(block) = blocks.get(b) else { break };
        let op = block.operator;
        if op.qualifier.is_some() || op.base == BaseOperator::Null {
            b += 1;
            continue;
        }
        let twin = ConditionOperator {
            if_exists: !op.if_exists,
            ..op
        };
        let mut e = 0;
        while let Some(entry) = blocks.get(b).and_then(|bl| bl.entries.get(e)).cloned() {
            let p = presence(&entry.key, reqs);
            let action = match (op.if_exists, p) {
                // …IfExists on a present key ≡ the plain operator (and back).
                (_, Presence::Single) if rng.below(2) == 0 => 1,
                // …IfExists on a missing key is true: the entry can go.
                (true, Presence::Missing) => 2,
                _ => 0,
            };
            let taken = match action {
                1 | 2 => blocks.get_mut(b).map(|bl| bl.entries.remove(e)),
                _ => None,
            };
            match (action, taken) {
                (1, Some(entry)) => {
                    if add_entry(blocks, twin, entry.clone()) {
                        changed = true;
                    } else if let Some(bl) = blocks.get_mut(b) {
                        bl.entries.insert(e, entry);
                        e += 1;
                    }
                }
                (2, Some(_)) => changed = true,
                _ => e += 1,
            }
        }
        if blocks.get(b).is_some_and(|bl| bl.entries.is_empty()) {
            blocks.remove(b);
        } else {
            b += 1;
        }
    }
    changed
}

/// Property 14: `…IfExists` on a key present (single-valued) in every request equals the plain
/// operator, and on a key missing from every request is true (the entry can be dropped).
/// Entries under `ForAllValues:`/`ForAnyValue:` are left alone (IAM-SPEC §7.14).
pub fn if_exists<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    attempt(|| {
        let reqs = requests(input)?;
        let mut rng = rng(input, 14);
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, _, s) in all_statements_mut(&mut set) {
            if let Some(blocks) = &mut s.condition {
                changed |= rewrite_if_exists(blocks, &reqs, &mut rng);
                if blocks.is_empty() {
                    s.condition = None;
                }
            }
        }
        if !changed || !valid(&set, &reqs) {
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
/// Entries with `IfExists` or under `Null` are left alone (IAM-SPEC §7.14).
pub fn set_operators_empty<D: Decider + ?Sized>(
    engine: &D,
    input: &Input,
) -> Result<(), Violation> {
    attempt(|| {
        let mut rng = rng(input, 15);
        let mut keys: Vec<String> = Vec::new();
        let mut copy = input.set.clone();
        for (_, _, s) in all_statements_mut(&mut copy) {
            for block in s.condition.iter().flatten() {
                let op = block.operator;
                if op.qualifier.is_some() && !op.if_exists && op.base != BaseOperator::Null {
                    for e in &block.entries {
                        if !keys.iter().any(|k| k.eq_ignore_ascii_case(&e.key)) {
                            keys.push(e.key.clone());
                        }
                    }
                }
            }
        }
        let key = keys.get(rng.below(keys.len())).cloned().ok_or(Stop::Skip)?;
        let make_empty = rng.below(2) == 0;
        let mut emptied = input.clone();
        for r in &mut emptied.requests {
            r.context.retain(|k, _| !k.eq_ignore_ascii_case(&key));
            // `null` keeps a key the engine would derive (aws:PrincipalAccount…) missing.
            let value = if make_empty {
                serde_json::Value::Array(Vec::new())
            } else {
                serde_json::Value::Null
            };
            r.context.insert(key.clone(), value);
        }
        let reqs = requests(&emptied)?;
        let mut set = emptied.set.clone();
        for (_, _, s) in all_statements_mut(&mut set) {
            let Some(blocks) = &mut s.condition else {
                continue;
            };
            let mut never_applies = false;
            for block in blocks.iter_mut() {
                let op = block.operator;
                if op.qualifier.is_none() || op.if_exists || op.base == BaseOperator::Null {
                    continue;
                }
                let before = block.entries.len();
                block.entries.retain(|e| !e.key.eq_ignore_ascii_case(&key));
                if block.entries.len() != before
                    && op.qualifier == Some(policy::SetQualifier::ForAnyValue)
                {
                    never_applies = true;
                }
            }
            blocks.retain(|b| !b.entries.is_empty());
            if never_applies {
                s.condition = Some(never());
            } else if blocks.is_empty() {
                s.condition = None;
            }
        }
        if !valid(&set, &reqs) {
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
/// positive and the negated operator are both defined, IAM-SPEC §7.10–7.11).
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
        let mut rng = rng(input, 16);
        let mut found: Vec<(Option<Version>, ConditionOperator, ConditionEntry)> = Vec::new();
        for (_, _, p) in crate::gen::labelled(&input.set) {
            for s in p.statements() {
                for block in s.condition.iter().flatten() {
                    let op = block.operator;
                    if op.base.is_negated() && op.qualifier.is_none() {
                        for e in &block.entries {
                            found.push((p.version, op, e.clone()));
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return Err(Stop::Skip);
        }
        let (version, op, entry) = found.swap_remove(rng.below(found.len()));
        let family = op.base.family();
        // The requests where the probes decide on the condition alone.
        let kept: Vec<TestRequest> = input
            .requests
            .iter()
            .filter(|w| {
                let Ok(r) = w.to_request() else { return false };
                let single = match r.context.get(&entry.key) {
                    Lookup::Single(v) => well_typed(family, v),
                    _ => false,
                };
                single
                    && !matches!(
                        r.principal_kind,
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
                operator: ConditionOperator { base, ..op },
                entries: vec![entry.clone()],
            }];
            let mut s = plain_statement(Effect::Allow, "*", "*");
            s.condition = Some(condition);
            let identity = Policy {
                version,
                id: None,
                statement: OneOrMany::Many(vec![s.clone()]),
            };
            s.principal = everyone();
            let resource = Policy {
                version,
                id: None,
                statement: OneOrMany::Many(vec![s]),
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
        let negated = probe(op.base);
        let positive = probe(op.base.positive());
        let n = decide(engine, &negated, NAME, "negated-probe")?;
        let p = decide(engine, &positive, NAME, "positive-probe")?;
        for (i, (dn, dp)) in n.iter().zip(&p).enumerate() {
            let exactly_one = (*dn == Decision::Allow) != (*dp == Decision::Allow);
            if !exactly_one {
                return Err(fail(
                    NAME,
                    format!(
                        "request {i}: `{}` decided {dn} and its positive twin `{}` decided {dp} on key `{}`; exactly one should allow",
                        op,
                        ConditionOperator { base: op.base.positive(), ..op },
                        entry.key
                    ),
                    vec![ev("negated-probe", &negated, &n), ev("positive-probe", &positive, &p)],
                ));
            }
        }
        Ok(())
    })
}

/// A policy variable found in a text: its byte range, key and default value.
struct Var {
    start: usize,
    end: usize,
    key: String,
    default: Option<String>,
}

/// The policy variables of `text` (`${key}` or `${key, 'default'}`; the escapes `${*}`,
/// `${?}` and `${$}` are not variables).
fn variables_in(text: &str) -> Vec<Var> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find("${")) {
        let start = from + i;
        let Some(len) = text.get(start..).and_then(|t| t.find('}')) else {
            break;
        };
        let end = start + len + 1;
        let inner = text.get(start + 2..end - 1).unwrap_or_default();
        if !matches!(inner, "*" | "?" | "$") {
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => (
                    k.trim().to_owned(),
                    Some(d.trim().trim_matches('\'').to_owned()),
                ),
                None => (inner.trim().to_owned(), None),
            };
            out.push(Var {
                start,
                end,
                key,
                default,
            });
        }
        from = end;
    }
    out
}

/// Escapes text so that, substituted into a policy, it stands for itself.
fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    out
}

/// Applies `f` to every text of `s` where variables are substituted: the resource part of
/// `Resource`/`NotResource` patterns and the values of String and ARN condition operators.
fn edit_variable_texts(s: &mut Statement, f: &mut dyn FnMut(&str) -> Option<String>) -> bool {
    let mut changed = false;
    if let Some(r) = &mut s.resource {
        let patterns = match &mut r.patterns {
            OneOrMany::One(p) => std::slice::from_mut(p),
            OneOrMany::Many(list) => list.as_mut_slice(),
        };
        for p in patterns {
            let split = if p.starts_with("arn:") {
                p.match_indices(':').nth(4).map(|(i, _)| i + 1)
            } else {
                Some(0)
            };
            let Some(at) = split else { continue };
            let (head, tail) = p.split_at(at);
            if let Some(new_tail) = f(tail) {
                *p = format!("{head}{new_tail}");
                changed = true;
            }
        }
    }
    for block in s.condition.iter_mut().flatten() {
        if !block.operator.base.takes_variables() {
            continue;
        }
        for entry in &mut block.entries {
            let values = match &mut entry.values {
                OneOrMany::One(v) => std::slice::from_mut(v),
                OneOrMany::Many(list) => list.as_mut_slice(),
            };
            for v in values {
                if let Some(text) = f(&v.text) {
                    v.text = text;
                    changed = true;
                }
            }
        }
    }
    changed
}

/// Property 17: Under `Version 2008-10-17` a `${…}` is literal text: a 2012-10-17 policy switched to
/// 2008-10-17 decides like the same policy kept at 2012-10-17 with every `${` escaped as
/// `${$}{`. And under 2012-10-17 a variable is substituted: replacing `${key}` by the value the
/// key has in every request (escaped) changes nothing.
pub fn legacy_version<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "legacy-version";
    attempt(|| {
        let reqs = requests(input)?;
        let mut rng = rng(input, 17);
        if rng.below(2) == 0 {
            // Part 1: 2008 literal ≡ 2012 escaped.
            let (mut legacy, mut escaped) = (input.set.clone(), input.set.clone());
            let mut changed = false;
            for ((kind, a), (_, b)) in policies_mut(&mut legacy)
                .into_iter()
                .zip(policies_mut(&mut escaped))
            {
                if !a.has_variables() || matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
                    continue;
                }
                let mut touched = false;
                for s in statements_mut(b) {
                    touched |= edit_variable_texts(s, &mut |t| {
                        t.contains("${").then(|| t.replace("${", "${$}{"))
                    });
                }
                if touched {
                    a.version = Some(Version::V2008_10_17);
                    changed = true;
                }
            }
            if !changed || !valid(&legacy, &reqs) || !valid(&escaped, &reqs) {
                return Err(Stop::Skip);
            }
            return same(
                engine,
                NAME,
                ("version-2008", &with_set(input, legacy)),
                ("escaped-2012", &with_set(input, escaped)),
            );
        }
        // Part 2: a variable ≡ its value.
        let value_of = |var: &Var| -> Option<String> {
            let mut values = reqs.iter().map(|r| match r.context.get(&var.key) {
                Lookup::Single(v) => Some(v.to_owned()),
                Lookup::Missing => var.default.clone(),
                Lookup::Multi(_) => None,
            });
            let first = values.next()??;
            values
                .all(|v| v.as_deref() == Some(first.as_str()))
                .then_some(first)
        };
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, p) in policies_mut(&mut set) {
            if !p.has_variables() {
                continue;
            }
            for s in statements_mut(p) {
                changed |= edit_variable_texts(s, &mut |t| {
                    let vars = variables_in(t);
                    let mut out = String::new();
                    let mut last = 0;
                    let mut any = false;
                    for var in &vars {
                        if let Some(value) = value_of(var) {
                            out.push_str(t.get(last..var.start).unwrap_or_default());
                            out.push_str(&escape_literal(&value));
                            last = var.end;
                            any = true;
                        }
                    }
                    out.push_str(t.get(last..).unwrap_or_default());
                    any.then_some(out)
                });
            }
        }
        if !changed || !valid(&set, &reqs) {
            return Err(Stop::Skip);
        }
        same(
            engine,
            NAME,
            ("with-variables", input),
            ("substituted", &with_set(input, set)),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 18: cross-account

/// Property 18: A cross-account request needs both sides' allow: without the resource policy it is not
/// allowed, and (for IAM callers other than a root user, who needs no identity policy) without
/// the caller's identity policies it is not allowed either (IAM-SPEC §1.6).
pub fn cross_account<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "cross-account";
    attempt(|| {
        let reqs = requests(input)?;
        if !reqs.iter().any(Request::is_cross_account) {
            return Err(Stop::Skip);
        }
        let mut no_resource = input.set.clone();
        no_resource.resource = None;
        let no_resource = with_set(input, no_resource);
        let cross = |i: usize| reqs.get(i).is_some_and(Request::is_cross_account);
        not_allowed(
            engine,
            NAME,
            ("without-resource-policy", &no_resource),
            "a cross-account request needs the resource account's allow",
            &cross,
        )?;
        let mut no_identity = input.set.clone();
        no_identity.identity = Vec::new();
        let no_identity = with_set(input, no_identity);
        let cross_iam = |i: usize| {
            reqs.get(i).is_some_and(|r| {
                r.is_cross_account()
                    && is_iam(r.principal_kind)
                    && r.principal_kind != PrincipalKind::Root
            })
        };
        not_allowed(
            engine,
            NAME,
            ("without-identity-policies", &no_identity),
            "a cross-account request needs the caller's account to allow it",
            &cross_iam,
        )
    })
}
