//! The decision: one exhaustive `match` over the [`Facts`] of a request. The arms are tried in
//! the order of the decision flow (semantics §1.3), so the first that fits wins; each names the
//! [`Rule`] it applies, the sentence of the explanation, and which statements decided.

use std::fmt;

use super::facts::{Accounts, Caller, Facts};
use super::principal::GrantKind;
use super::rules::Rule;
use super::special::SpecialRule;
use crate::decision::Decision;

/// The sentence an explanation gives as its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A fixed sentence.
    Text(&'static str),
    /// A sentence that names an SCP/RCP level: `{text} {level} {citation}`, written only when an
    /// explanation is wanted.
    AtLevel {
        /// The sentence up to the level.
        text: &'static str,
        /// The level, root first.
        level: usize,
        /// The citation after the level.
        citation: &'static str,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Text(text) => f.write_str(text),
            Reason::AtLevel {
                text,
                level,
                citation,
            } => write!(f, "{text} {level} {citation}"),
        }
    }
}

/// Which matching statements an explanation names as having decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// None: an implicit deny or a fixed rule has no statement behind it.
    Nothing,
    /// The matching `Deny` statements.
    Denies,
    /// The resource-based `Allow` statements.
    ResourceAllows,
    /// The resource-based, then the identity-based `Allow` statements.
    ResourceThenIdentityAllows,
    /// The identity-based, then the resource-based `Allow` statements.
    IdentityThenResourceAllows,
}

/// What the decision arm that fits the facts says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The decision.
    pub decision: Decision,
    /// The rule that settled it.
    pub rule: Rule,
    /// The sentence for the explanation.
    pub reason: Reason,
    /// The statements the explanation names.
    pub decided_by: DecidedBy,
}

const fn verdict(
    decision: Decision,
    rule: Rule,
    reason: &'static str,
    decided_by: DecidedBy,
) -> Verdict {
    Verdict {
        decision,
        rule,
        reason: Reason::Text(reason),
        decided_by,
    }
}

/// The verdict of a fixed rule of semantics §8.
const fn fixed(rule: SpecialRule) -> Verdict {
    verdict(rule.decision, rule.rule, rule.reason, DecidedBy::Nothing)
}

/// Decides a request from its facts.
pub fn decide(facts: &Facts) -> Verdict {
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};
    match *facts {
        // semantics §8: a fixed allow wins over everything, an explicit Deny included.
        Facts {
            fixed:
                Some(
                    rule @ SpecialRule {
                        decision: Allow, ..
                    },
                ),
            ..
        } => fixed(rule),
        // semantics §1.3 step 1: any matching Deny in a policy that binds the caller.
        Facts { denied: true, .. } => verdict(
            ExplicitDeny,
            Rule::ExplicitDeny,
            "a Deny statement matches the request (semantics §1.3 step 1)",
            DecidedBy::Denies,
        ),
        // semantics §8: a fixed denial, applied after step 1 so that a matching Deny statement
        // still labels the decision `explicit_deny`.
        Facts {
            fixed: Some(rule), ..
        } => fixed(rule),
        // semantics §1.3 step 2, §1.7: RCPs need an Allow at every level.
        Facts {
            rcp_level_without_allow: Some(level),
            ..
        } => Verdict {
            decision: ImplicitDeny,
            rule: Rule::ResourceControlPolicies,
            reason: Reason::AtLevel {
                text: "no RCP allows the request at level",
                level,
                citation: "(semantics §1.3 step 2)",
            },
            decided_by: DecidedBy::Nothing,
        },
        // semantics §1.3 step 3, §1.7: SCPs need an Allow at every level.
        Facts {
            scp_level_without_allow: Some(level),
            ..
        } => Verdict {
            decision: ImplicitDeny,
            rule: Rule::ServiceControlPolicies,
            reason: Reason::AtLevel {
                text: "no SCP allows the request at level",
                level,
                citation: "(semantics §1.3 step 3)",
            },
            decided_by: DecidedBy::Nothing,
        },
        // semantics §1.3 step 3a: the root user of the resource's account.
        Facts {
            caller: Caller::Root,
            accounts: Accounts::Same,
            ..
        } => verdict(
            Allow,
            Rule::RootUser,
            "the root user of the resource's account has full access (semantics §1.3 step 3a)",
            DecidedBy::Nothing,
        ),
        // semantics §1.6: across accounts the resource policy must name the caller…
        Facts {
            accounts: Accounts::Cross,
            grant: None,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::CrossAccount,
            "cross-account: no resource-based Allow names the caller (semantics §1.6)",
            DecidedBy::Nothing,
        ),
        // semantics §1.6: … and the caller's own account must allow: identity …
        Facts {
            accounts: Accounts::Cross,
            grant: Some(_),
            identity_allows: false,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::CrossAccount,
            "cross-account: the caller's identity policies do not allow the request (semantics §1.6)",
            DecidedBy::Nothing,
        ),
        // semantics §1.6: … with the boundary and the session policy …
        Facts {
            accounts: Accounts::Cross,
            grant: Some(_),
            identity_allows: true,
            boundary_allows: false,
            ..
        }
        | Facts {
            accounts: Accounts::Cross,
            grant: Some(_),
            identity_allows: true,
            session_allows: false,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::CrossAccount,
            "cross-account: the caller's boundary or session policy does not allow the request (semantics §1.6)",
            DecidedBy::Nothing,
        ),
        // semantics §1.6: … then both accounts allow.
        Facts {
            accounts: Accounts::Cross,
            grant: Some(_),
            identity_allows: true,
            boundary_allows: true,
            session_allows: true,
            ..
        } => verdict(
            Allow,
            Rule::CrossAccount,
            "cross-account: the resource policy names the caller and the caller's account allows (semantics §1.6)",
            DecidedBy::ResourceThenIdentityAllows,
        ),
        // semantics §1.3 step 4, §1.4: same account, a resource-based Allow naming the caller
        // directly is not capped.
        Facts {
            accounts: Accounts::Same,
            grant: Some(GrantKind::Direct),
            ..
        } => verdict(
            Allow,
            Rule::ResourceBasedGrant,
            "a resource-based Allow names the caller directly (semantics §1.4)",
            DecidedBy::ResourceAllows,
        ),
        // semantics §1.4: one naming the caller's role or federating user is capped by the
        // boundary and the session policy (when they do not allow, steps 5–7 decide).
        Facts {
            accounts: Accounts::Same,
            grant: Some(GrantKind::Capped),
            boundary_allows: true,
            session_allows: true,
            ..
        } => verdict(
            Allow,
            Rule::ResourceBasedGrant,
            "a resource-based Allow names the caller's role or federating user, and boundary and session policy allow (semantics §1.4)",
            DecidedBy::ResourceAllows,
        ),
        // semantics §1.8: a role trust policy or KMS key policy that grants nothing denies, even
        // when the identity policies allow (one naming only the account leaves it to them).
        Facts {
            accounts: Accounts::Same,
            grant: None,
            resource_must_allow: true,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::TrustAndKeyPolicies,
            "role trust policies and KMS key policies must themselves allow the caller (semantics §1.8)",
            DecidedBy::Nothing,
        ),
        // semantics §1.3 step 5: an identity-based Allow is needed.
        Facts {
            accounts: Accounts::Same,
            identity_allows: false,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::IdentityPolicies,
            "no identity-based Allow matches the request (semantics §1.3 step 5)",
            DecidedBy::Nothing,
        ),
        // semantics §1.3 step 6: the permissions boundary must allow.
        Facts {
            accounts: Accounts::Same,
            identity_allows: true,
            boundary_allows: false,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::PermissionsBoundary,
            "the permissions boundary does not allow the request (semantics §1.3 step 6)",
            DecidedBy::Nothing,
        ),
        // semantics §1.3 step 7: a session's session policy must allow.
        Facts {
            accounts: Accounts::Same,
            identity_allows: true,
            boundary_allows: true,
            session_allows: false,
            ..
        } => verdict(
            ImplicitDeny,
            Rule::SessionPolicies,
            "the session has no session-policy Allow for the request (semantics §1.3 step 7)",
            DecidedBy::Nothing,
        ),
        // semantics §1.3 steps 5–7: identity, boundary and session policy all allow.
        Facts {
            accounts: Accounts::Same,
            identity_allows: true,
            boundary_allows: true,
            session_allows: true,
            ..
        } => verdict(
            Allow,
            Rule::IdentityBoundarySession,
            "identity-based Allow, not capped by boundary or session policy (semantics §1.3)",
            DecidedBy::IdentityThenResourceAllows,
        ),
    }
}
