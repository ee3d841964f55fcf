//! The reference evaluator: the built-in engine and the project's oracle. It follows the decision
//! flow of IAM-SPEC §1 step by step; every choice where the documentation is ambiguous (IAM-SPEC
//! §7) is written down here and in the README's "Semantics" section.
//!
//! # Decision flow (IAM-SPEC §1.3, §1.6)
//!
//! - Step 0: fixed rules outside the policy logic (IAM-SPEC §8), unless turned off.
//! - Step 1: any matching `Deny` in any policy that applies → `explicit_deny`.
//! - Step 2: RCPs (of the resource's account) without an `Allow` at every level → `implicit_deny`.
//! - Step 3: SCPs (of the principal's account) without an `Allow` at every level → `implicit_deny`.
//! - Step 3a: the root user of the resource's account → `allow`.
//! - Step 4, same account: a resource-based `Allow` that names the caller directly → `allow`; one that
//!   names the role (or the federating user) → `allow` if boundary and session policy allow; one
//!   that names the account → no shortcut. Role trust policies and KMS key policies must allow.
//! - Steps 5–7: identity `Allow`, then the boundary, then the session policy must all allow.
//!
//! Cross-account: the resource policy must name the caller (any form) **and** the caller's own
//! account must allow (identity ∧ boundary ∧ session); an explicit deny on either side wins.
//!
//! # Choices on the ambiguities of IAM-SPEC §7
//!
//! - §7.2: `Principal: "*"` grants directly (not capped by boundary or session policy), with or
//!   without an `aws:PrincipalArn` condition.
//! - §7.3: an account principal in the same account needs an identity `Allow` as well, for
//!   resource policies, trust policies and key policies alike.
//! - §7.4: "no Allow in SCP/RCP" is labelled `implicit_deny`.
//! - §7.5: a federated-user session without a session policy is implicitly denied.
//! - §7.6: `NotPrincipal` exempts the caller's own ARN, a role session's role ARN, or `"*"`; an
//!   account ARN exempts only the root user.
//! - §7.15: a `Resource`/`NotResource` entry holding an unresolved variable matches nothing;
//!   variables before the fifth colon of an ARN are literal text.
//! - §7.22: `{"AWS": "*"}` is the same as `"*"`, for every caller.
//! - §7.23: a role ARN in `Principal` is compared with `aws:PrincipalArn` (which may carry a path).
//! - IAM-SPEC §8 last row: a request whose resource is `*` matches every `Resource` and
//!   `NotResource` element (the patterns may intersect), as iam-simulate does.
//! - The case's `scp` levels are the SCPs of the principal's account and its `rcp` levels those of
//!   the resource's account. SCPs do not bind service principals, anonymous callers or
//!   service-linked roles; RCPs do not bind service-linked roles.

pub mod condition;
mod principal;
mod special;
pub mod variables;

use crate::arn;
use crate::case::Case;
use crate::decision::{Decision, Explanation, StatementRef};
use crate::engine::{EngineInfo, Evaluator, Outcome};
use crate::glob;
use crate::policy::{Effect, Policy, PolicySet, Slot, Statement};
use crate::request::{PrincipalKind, Request};

pub use principal::GrantKind;
use variables::{Mode, Substituted};

/// Matching statements of one kind; the list is only kept when an explanation is wanted, so a
/// plain decision allocates nothing here.
struct Hits<'p> {
    explain: bool,
    found: bool,
    list: Vec<(Slot, usize, &'p Statement)>,
}

impl<'p> Hits<'p> {
    fn new(explain: bool) -> Self {
        Hits {
            explain,
            found: false,
            list: Vec::new(),
        }
    }

    fn push(&mut self, source: Slot, index: usize, statement: &'p Statement) {
        self.found = true;
        if self.explain {
            self.list.push((source, index, statement));
        }
    }

    fn refs(&self) -> Vec<StatementRef> {
        self.list
            .iter()
            .map(|(source, index, st)| StatementRef {
                policy: source.to_string(),
                statement: *index,
                sid: st.sid.clone(),
                effect: st.effect.as_str().to_owned(),
            })
            .collect()
    }
}

/// True when one `Resource`/`NotResource` pattern matches the request's resource.
fn resource_pattern_matches(pattern: &str, request: &Request, variables: bool) -> bool {
    if request.resource == "*" {
        return true;
    }
    if !(variables && pattern.contains("${")) {
        return arn::resource_matches(pattern, &request.resource, false);
    }
    // Variables are substituted only in the resource part, after the fifth colon (IAM-SPEC
    // §3.2); the head stays literal policy text, where only a backslash needs escaping.
    let (head, tail) = match pattern.starts_with("arn:") {
        true => match pattern.match_indices(':').nth(4) {
            Some((i, _)) => pattern.split_at(i + 1),
            None => ("", pattern),
        },
        false => ("", pattern),
    };
    match variables::substitute(tail, &request.context, Mode::Pattern) {
        Substituted::Unresolved => false,
        Substituted::Text(tail) => {
            let full = format!("{}{}", head.replace('\\', "\\\\"), tail);
            arn::resource_matches(&full, &request.resource, true)
        }
    }
}

/// Principal ∧ action ∧ resource ∧ condition for one statement; the grant kind when it applies.
fn statement_applies(
    statement: &Statement,
    policy: &Policy,
    request: &Request,
    has_boundary: bool,
) -> Option<GrantKind> {
    let action = &statement.action;
    let action_hit = action
        .patterns
        .iter()
        .any(|p| glob::action_matches(p, &request.action));
    if action_hit == action.negated {
        return None;
    }
    if let Some(resource) = &statement.resource {
        let hit = resource
            .patterns
            .iter()
            .any(|p| resource_pattern_matches(p, request, policy.has_variables()));
        if hit == resource.negated {
            return None;
        }
    }
    let grant = principal::statement_principal(statement, request, has_boundary)?;
    let conditions = statement.condition.as_deref().unwrap_or(&[]);
    condition::conditions_hold(conditions, &request.context, policy.has_variables())
        .then_some(grant)
}

/// Records in `hits` the statements of `effect` in `policy` that apply; returns the strongest
/// grant kind among them.
fn scan<'p>(
    source: Slot,
    policy: &'p Policy,
    effect: Effect,
    request: &Request,
    has_boundary: bool,
    hits: &mut Hits<'p>,
) -> Option<GrantKind> {
    let mut best = None;
    for (index, statement) in policy.statements().iter().enumerate() {
        if statement.effect != effect {
            continue;
        }
        if let Some(kind) = statement_applies(statement, policy, request, has_boundary) {
            hits.push(source, index, statement);
            best = best.max(Some(kind));
        }
    }
    best
}

/// The first level (root first) of an SCP/RCP hierarchy with no applicable `Allow`, if any.
fn level_without_allow(levels: &[Vec<Policy>], request: &Request) -> Option<usize> {
    levels.iter().position(|docs| {
        !docs.iter().any(|doc| {
            doc.statements().iter().any(|st| {
                st.effect == Effect::Allow && statement_applies(st, doc, request, false).is_some()
            })
        })
    })
}

/// The built-in reference evaluator.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceEvaluator {
    special_rules: bool,
}

impl Default for ReferenceEvaluator {
    fn default() -> Self {
        Self::new()
    }
}

impl ReferenceEvaluator {
    /// The evaluator with every layer, including the fixed rules of IAM-SPEC §8.
    pub fn new() -> Self {
        ReferenceEvaluator {
            special_rules: true,
        }
    }

    /// The evaluator without the fixed service rules of IAM-SPEC §8: the generic policy logic
    /// alone, to compare with engines that leave those rules out.
    pub fn without_special_rules() -> Self {
        ReferenceEvaluator {
            special_rules: false,
        }
    }

    /// Decides one request against a policy set.
    pub fn decide(&self, set: &PolicySet, request: &Request) -> Decision {
        self.run(set, request, false).0
    }

    /// Decides one request and explains which statements of which policies decided it.
    pub fn explain(&self, set: &PolicySet, request: &Request) -> (Decision, Explanation) {
        self.run(set, request, true)
    }

    fn run(&self, set: &PolicySet, request: &Request, explain: bool) -> (Decision, Explanation) {
        let done = |decision: Decision, reason: &str, decided_by: Vec<StatementRef>| {
            let explanation = if explain {
                Explanation {
                    reason: reason.to_owned(),
                    decided_by,
                    notes: Vec::new(),
                }
            } else {
                Explanation::default()
            };
            (decision, explanation)
        };

        // 0. Fixed rules outside the policy logic (IAM-SPEC §8). A fixed allow wins over
        // everything; a fixed denial is applied after step 1, so that a matching Deny statement
        // still labels the decision `explicit_deny`.
        let fixed = self
            .special_rules
            .then(|| special::special_rule(request))
            .flatten();
        if let Some(rule) = fixed.filter(|r| r.decision == Decision::Allow) {
            return done(rule.decision, rule.reason, Vec::new());
        }

        let kind = request.principal_kind;
        // Identity policies, boundaries and session policies belong to IAM principals; services
        // and anonymous callers have none (IAM-SPEC §8).
        let caller_is_iam = !matches!(kind, PrincipalKind::Service | PrincipalKind::Anonymous);
        let slr = request.is_service_linked_role();
        let is_session = kind.is_session() || kind == PrincipalKind::Role;
        let has_boundary = caller_is_iam && set.boundary.is_some();
        let session_applies = is_session && !set.session.is_empty();
        let scp_levels = set.scp.as_deref().filter(|_| caller_is_iam && !slr);
        let rcp_levels = set.rcp.as_deref().filter(|_| !slr);
        let identity: &[Policy] = if caller_is_iam { &set.identity } else { &[] };
        let boundary = set.boundary.as_ref().filter(|_| has_boundary);
        let session: &[Policy] = if session_applies { &set.session } else { &[] };

        // 1. Explicit deny anywhere (IAM-SPEC §1.3 step 1).
        let mut denies = Hits::new(explain);
        for (i, p) in identity.iter().enumerate() {
            scan(
                Slot::Identity(i),
                p,
                Effect::Deny,
                request,
                has_boundary,
                &mut denies,
            );
        }
        if let Some(p) = &set.resource {
            scan(
                Slot::Resource,
                p,
                Effect::Deny,
                request,
                has_boundary,
                &mut denies,
            );
        }
        if let Some(p) = boundary {
            scan(
                Slot::Boundary,
                p,
                Effect::Deny,
                request,
                has_boundary,
                &mut denies,
            );
        }
        for (i, p) in session.iter().enumerate() {
            scan(
                Slot::Session(i),
                p,
                Effect::Deny,
                request,
                has_boundary,
                &mut denies,
            );
        }
        for (levels, source) in [
            (
                scp_levels,
                (|level, document| Slot::Scp { level, document }) as fn(usize, usize) -> Slot,
            ),
            (
                rcp_levels,
                (|level, document| Slot::Rcp { level, document }) as fn(usize, usize) -> Slot,
            ),
        ] {
            for (l, docs) in levels.into_iter().flatten().enumerate() {
                for (d, p) in docs.iter().enumerate() {
                    scan(
                        source(l, d),
                        p,
                        Effect::Deny,
                        request,
                        has_boundary,
                        &mut denies,
                    );
                }
            }
        }
        if denies.found {
            return done(
                Decision::ExplicitDeny,
                "a Deny statement matches the request (IAM-SPEC §1.3 step 1)",
                denies.refs(),
            );
        }

        if let Some(rule) = fixed {
            return done(rule.decision, rule.reason, Vec::new());
        }

        // 2. RCPs: an Allow at every level (IAM-SPEC §1.3 step 2, §1.7).
        if let Some(levels) = rcp_levels {
            if let Some(level) = level_without_allow(levels, request) {
                let reason =
                    format!("no RCP allows the request at level {level} (IAM-SPEC §1.3 step 2)");
                return done(Decision::ImplicitDeny, &reason, Vec::new());
            }
        }
        // 3. SCPs: an Allow at every level (IAM-SPEC §1.3 step 3, §1.7).
        if let Some(levels) = scp_levels {
            if let Some(level) = level_without_allow(levels, request) {
                let reason =
                    format!("no SCP allows the request at level {level} (IAM-SPEC §1.3 step 3)");
                return done(Decision::ImplicitDeny, &reason, Vec::new());
            }
        }

        let cross_account = request.is_cross_account();
        // 3a. The root user of the resource's account (IAM-SPEC §1.3 step 3a).
        if kind == PrincipalKind::Root && !cross_account {
            return done(
                Decision::Allow,
                "the root user of the resource's account has full access (IAM-SPEC §1.3 step 3a)",
                Vec::new(),
            );
        }

        // The allows of each policy type.
        let mut resource_hits = Hits::new(explain);
        let grant = set.resource.as_ref().and_then(|p| {
            scan(
                Slot::Resource,
                p,
                Effect::Allow,
                request,
                has_boundary,
                &mut resource_hits,
            )
        });
        let mut identity_hits = Hits::new(explain);
        for (i, p) in identity.iter().enumerate() {
            scan(
                Slot::Identity(i),
                p,
                Effect::Allow,
                request,
                has_boundary,
                &mut identity_hits,
            );
        }
        let mut boundary_hits = Hits::new(false);
        let boundary_ok = match boundary {
            None => true,
            Some(p) => {
                scan(
                    Slot::Boundary,
                    p,
                    Effect::Allow,
                    request,
                    has_boundary,
                    &mut boundary_hits,
                );
                boundary_hits.found
            }
        };
        let mut session_hits = Hits::new(false);
        for (i, p) in session.iter().enumerate() {
            scan(
                Slot::Session(i),
                p,
                Effect::Allow,
                request,
                has_boundary,
                &mut session_hits,
            );
        }
        // IAM-SPEC §1.3 step 7: without a session policy a role session keeps the role's
        // permissions, a federated-user session has none (the choice on §7.5).
        let session_ok = match (is_session, session_applies) {
            (false, _) => true,
            (true, true) => session_hits.found,
            (true, false) => kind != PrincipalKind::FederatedUser,
        };
        let identity_allows = kind == PrincipalKind::Root || identity_hits.found;

        if cross_account {
            // IAM-SPEC §1.6: both the trusting and the trusted account must allow.
            return match (grant.is_some(), identity_allows, boundary_ok && session_ok) {
                (true, true, true) => done(
                    Decision::Allow,
                    "cross-account: the resource policy names the caller and the caller's account allows (IAM-SPEC §1.6)",
                    [resource_hits.refs(), identity_hits.refs()].concat(),
                ),
                (false, _, _) => done(
                    Decision::ImplicitDeny,
                    "cross-account: no resource-based Allow names the caller (IAM-SPEC §1.6)",
                    Vec::new(),
                ),
                (true, false, _) => done(
                    Decision::ImplicitDeny,
                    "cross-account: the caller's identity policies do not allow the request (IAM-SPEC §1.6)",
                    Vec::new(),
                ),
                (true, true, false) => done(
                    Decision::ImplicitDeny,
                    "cross-account: the caller's boundary or session policy does not allow the request (IAM-SPEC §1.6)",
                    Vec::new(),
                ),
            };
        }

        // 4. Resource-based policy, same account (IAM-SPEC §1.3 step 4, §1.4).
        match grant {
            Some(GrantKind::Direct) => {
                return done(
                    Decision::Allow,
                    "a resource-based Allow names the caller directly (IAM-SPEC §1.4)",
                    resource_hits.refs(),
                );
            }
            Some(GrantKind::Capped) if boundary_ok && session_ok => {
                return done(
                    Decision::Allow,
                    "a resource-based Allow names the caller's role or federating user, and boundary and session policy allow (IAM-SPEC §1.4)",
                    resource_hits.refs(),
                );
            }
            Some(GrantKind::Capped | GrantKind::Account) | None => {}
        }
        if grant.is_none() && (request.is_trust_request() || request.is_key_policy_request()) {
            return done(
                Decision::ImplicitDeny,
                "role trust policies and KMS key policies must themselves allow the caller (IAM-SPEC §1.8)",
                Vec::new(),
            );
        }

        // 5–7. Identity, boundary, session (IAM-SPEC §1.3 steps 5–7).
        match (identity_allows, boundary_ok, session_ok) {
            (false, _, _) => done(
                Decision::ImplicitDeny,
                "no identity-based Allow matches the request (IAM-SPEC §1.3 step 5)",
                Vec::new(),
            ),
            (true, false, _) => done(
                Decision::ImplicitDeny,
                "the permissions boundary does not allow the request (IAM-SPEC §1.3 step 6)",
                Vec::new(),
            ),
            (true, true, false) => done(
                Decision::ImplicitDeny,
                "the session has no session-policy Allow for the request (IAM-SPEC §1.3 step 7)",
                Vec::new(),
            ),
            (true, true, true) => done(
                Decision::Allow,
                "identity-based Allow, not capped by boundary or session policy (IAM-SPEC §1.3)",
                [identity_hits.refs(), resource_hits.refs()].concat(),
            ),
        }
    }
}

impl Evaluator for ReferenceEvaluator {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: if self.special_rules {
                "reference".into()
            } else {
                "reference-generic".into()
            },
            version: env!("CARGO_PKG_VERSION").into(),
            language: "Rust".into(),
            homepage: "https://github.com/iam-harness/iam-harness".into(),
            features: vec!["*".into()],
        }
    }

    fn evaluate(&self, case: &Case) -> Vec<Outcome> {
        let set = case.policy_set();
        case.tests
            .iter()
            .map(|test| {
                let invalid = |errors: Vec<String>| Outcome::Decided {
                    decision: Decision::Invalid,
                    explanation: Some(Explanation {
                        reason: "a policy is invalid".into(),
                        decided_by: Vec::new(),
                        notes: errors,
                    }),
                };
                let set = match &set {
                    Ok(set) => set,
                    Err(errors) => return invalid(errors.clone()),
                };
                let request = match test.request.to_request() {
                    Ok(r) => r,
                    Err(error) => return Outcome::Errored(error.to_string()),
                };
                if let Err(errors) = case.check_trust(&request) {
                    return invalid(errors);
                }
                let (decision, explanation) = self.explain(set, &request);
                Outcome::Decided {
                    decision,
                    explanation: Some(explanation),
                }
            })
            .collect()
    }
}
