//! The reference evaluator: the built-in engine and the project's oracle. It follows the decision
//! flow of semantics §1 step by step; every choice where the documentation is ambiguous (semantics
//! §7) is written down here and in the README's "Semantics" section.
//!
//! # Shape
//!
//! Like a small authorizer: the facts of a request are gathered first, then one `match` decides.
//!
//! - `statement`: whether one statement applies (principal ∧ action ∧ resource ∧
//!   condition), with `principal`, `condition` and [`variables`] for the parts.
//! - `facts`: one walk over the policy set (`PolicySet::slots`) gathers the facts — which
//!   policies bind the caller, whether a `Deny` matched, the first SCP/RCP level without an
//!   `Allow`, the strongest resource-policy [`GrantKind`], whether identity, boundary and
//!   session policy allow, the fixed rule of `special` that fires — and, for an explanation,
//!   the matching statements. A plain [`ReferenceEvaluator::decide`] allocates nothing there.
//! - `decide`: one exhaustive `match` over the facts, one arm per rule below, in this order.
//! - `rules`: the rule each arm applies, with its id and its AWS documentation page, which
//!   every explanation carries.
//!
//! # Decision flow (semantics §1.3, §1.6)
//!
//! - Step 0: fixed rules outside the policy logic (semantics §8), unless turned off.
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
//! # Choices on the ambiguities of semantics §7
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
//! - semantics §8.6: a request whose resource is `*` holds the value `*`: only a `Resource` entry
//!   matching the text `*` applies, and `NotResource <ARN>` matches it.
//! - The case's `scp` levels are the SCPs of the principal's account and its `rcp` levels those of
//!   the resource's account. SCPs do not bind service principals, anonymous callers or
//!   service-linked roles; RCPs do not bind service-linked roles, and bind only requests to the
//!   services the RCP page lists (semantics §1.7.6).

pub mod budget;
pub mod condition;
mod decide;
mod facts;
mod near;
mod principal;
mod rules;
mod special;
mod statement;
pub mod variables;

use crate::case::Case;
use crate::decision::{Decision, Explanation};
use crate::engine::{EngineInfo, Evaluator, Outcome};
use crate::policy::PolicySet;
use crate::request::Request;

use decide::DecidedBy;
pub use principal::GrantKind;
use rules::Rule;

/// The built-in reference evaluator.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceEvaluator {
    special_rules: bool,
    /// How long deciding one test may take ([`budget`]); `None`: no limit.
    timeout: Option<std::time::Duration>,
    /// List the near misses of a request not allowed in its explanation's notes ([`near`]).
    near_misses: bool,
}

impl Default for ReferenceEvaluator {
    fn default() -> Self {
        Self::new()
    }
}

impl ReferenceEvaluator {
    /// The evaluator with every layer, including the fixed rules of semantics §8.
    pub fn new() -> Self {
        ReferenceEvaluator {
            special_rules: true,
            timeout: None,
            near_misses: false,
        }
    }

    /// The evaluator without the fixed service rules of semantics §8: the generic policy logic
    /// alone, to compare with engines that leave those rules out.
    pub fn without_special_rules() -> Self {
        ReferenceEvaluator {
            special_rules: false,
            timeout: None,
            near_misses: false,
        }
    }

    /// The same evaluator, listing in each explanation of a request it does not allow the
    /// `Allow` statements that matched on principal, action and resource but failed on a
    /// condition — for people reading a denial (`eval`, `check`); runs leave it off.
    pub fn with_near_misses(self) -> Self {
        ReferenceEvaluator {
            near_misses: true,
            ..self
        }
    }

    /// The same evaluator with a limit on the time one test may take (`--timeout`): a test past
    /// it errors instead of holding up the run (semantics §6.14).
    pub fn with_timeout(self, timeout: std::time::Duration) -> Self {
        ReferenceEvaluator {
            timeout: Some(timeout),
            ..self
        }
    }

    /// Decides one request against a policy set.
    pub fn decide(&self, set: &PolicySet, request: &Request) -> Decision {
        let (facts, _) = facts::gather(set, request, self.special_rules, false);
        decide::decide(&facts).decision
    }

    /// Decides one request and explains which statements of which policies decided it.
    pub fn explain(&self, set: &PolicySet, request: &Request) -> (Decision, Explanation) {
        let (facts, evidence) = facts::gather(set, request, self.special_rules, true);
        let verdict = decide::decide(&facts);
        let decided_by = match verdict.decided_by {
            DecidedBy::Nothing => Vec::new(),
            DecidedBy::Denies => evidence.denies.refs().collect(),
            DecidedBy::ResourceAllows => evidence.resource_allows.refs().collect(),
            DecidedBy::ResourceThenIdentityAllows => evidence
                .resource_allows
                .refs()
                .chain(evidence.identity_allows.refs())
                .collect(),
            DecidedBy::IdentityThenResourceAllows => evidence
                .identity_allows
                .refs()
                .chain(evidence.resource_allows.refs())
                .collect(),
        };
        let notes = if self.near_misses && verdict.decision != Decision::Allow {
            near::near_misses(set, request)
        } else {
            Vec::new()
        };
        let explanation = Explanation {
            reason: verdict.reason.to_string(),
            rule: verdict.rule.id().to_owned(),
            documentation: verdict.rule.documentation().to_owned(),
            decided_by,
            notes,
        };
        (verdict.decision, explanation)
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
                        rule: Rule::Validation.id().to_owned(),
                        documentation: Rule::Validation.documentation().to_owned(),
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
                budget::start(self.timeout);
                let (decision, explanation) = self.explain(set, &request);
                if let Some(exceeded) = budget::finish() {
                    return Outcome::Errored(exceeded.to_string());
                }
                Outcome::Decided {
                    decision,
                    explanation: Some(explanation),
                }
            })
            .collect()
    }
}
