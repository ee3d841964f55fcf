//! The facts of one request: who calls, which fixed rule fires, and what one walk over the policy
//! set ([`PolicySet::slots`]) found — each statement that binds the caller evaluated at most once.
//! [`super::decide`] reads nothing else.
//!
//! The walk skips work that cannot change the decision: a policy that does not bind the caller,
//! an `Allow` once a `Deny` has matched (the deny decides whatever the allows say), an `Allow`
//! at an SCP/RCP level already allowed or after a level without one, and — when no explanation
//! is wanted — further allows of a kind that has already allowed, and everything after the
//! first matching `Deny`.

use super::principal::GrantKind;
use super::special::{self, SpecialRule};
use super::statement::statement_applies;
use crate::decision::StatementRef;
use crate::policy::{Effect, Policy, PolicySet, Slot, Statement};
use crate::request::{PrincipalKind, Request};

/// Who is calling, as far as it decides which policies bind the caller (semantics §1.2, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The root user of an account: it needs no identity policy, but SCPs and RCPs bind it.
    Root,
    /// A session of a service-linked role ([`Request::is_service_linked_role`]): neither SCPs
    /// nor RCPs bind it.
    ServiceLinkedRole,
    /// An AWS service or an anonymous caller: it has no identity policies, boundary or session
    /// policy, and SCPs do not bind it; RCPs do.
    ServiceOrAnonymous,
    /// Any other principal: an IAM user, a role or role session, a federated user, an ARN the
    /// harness does not recognise.
    IamPrincipal,
}

impl Caller {
    fn of(request: &Request) -> Caller {
        match request.principal_kind {
            PrincipalKind::Root => Caller::Root,
            PrincipalKind::Service | PrincipalKind::Anonymous => Caller::ServiceOrAnonymous,
            _ if request.is_service_linked_role() => Caller::ServiceLinkedRole,
            _ => Caller::IamPrincipal,
        }
    }

    /// True when identity-based policies and a permissions boundary can belong to the caller.
    fn has_identity_policies(self) -> bool {
        self != Caller::ServiceOrAnonymous
    }

    /// True when the SCPs of the principal's account bind the caller.
    fn is_bound_by_scps(self) -> bool {
        matches!(self, Caller::Root | Caller::IamPrincipal)
    }

    /// True when the RCPs of the resource's account bind the caller.
    fn is_bound_by_rcps(self) -> bool {
        self != Caller::ServiceLinkedRole
    }
}

/// Whether the principal and the resource belong to one account (semantics §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accounts {
    /// Same account, or an account unknown on one side.
    Same,
    /// Different accounts: both must allow.
    Cross,
}

/// Everything the decision reads about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The fixed rule of semantics §8 that settles the request, when that layer is on.
    pub fixed: Option<SpecialRule>,
    /// Who calls.
    pub caller: Caller,
    /// Same account or cross-account.
    pub accounts: Accounts,
    /// A role trust policy or a KMS key policy decides: it must allow the caller itself
    /// (semantics §1.8).
    pub resource_must_allow: bool,
    /// A `Deny` statement of a policy that binds the caller matches.
    pub denied: bool,
    /// The first RCP level (root first) without an applicable `Allow`; `None` when every level
    /// has one or no RCPs bind the caller.
    pub rcp_level_without_allow: Option<usize>,
    /// The first SCP level (root first) without an applicable `Allow`; `None` when every level
    /// has one or no SCPs bind the caller.
    pub scp_level_without_allow: Option<usize>,
    /// The strongest grant among the matching resource-based `Allow` statements.
    pub grant: Option<GrantKind>,
    /// The caller's identity side allows: an identity-based `Allow` matches, or the caller is
    /// the root user, who needs none.
    pub identity_allows: bool,
    /// No permissions boundary binds the caller, or it has a matching `Allow`.
    pub boundary_allows: bool,
    /// The caller is no session, or its session policy has a matching `Allow`, or it has no
    /// session policy and is a role session (a federated-user session without one has no
    /// permissions: semantics §1.3 step 7, the choice on §7.5).
    pub session_allows: bool,
}

/// Matching statements of one kind; the list is only kept when an explanation is wanted, so a
/// plain decision allocates nothing here.
#[derive(Debug)]
pub struct Hits<'p> {
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

    /// True while another match could still add something: always when explaining, else until
    /// the first match.
    fn wants_more(&self) -> bool {
        self.explain || !self.found
    }

    /// The statements found, as explanations name them.
    pub fn refs(&self) -> impl Iterator<Item = StatementRef> + '_ {
        self.list.iter().map(|(source, index, st)| StatementRef {
            policy: source.to_string(),
            statement: *index,
            sid: st.sid.clone(),
            effect: st.effect.as_str().to_owned(),
        })
    }
}

/// The statements behind the facts, for the explanation.
#[derive(Debug)]
pub struct Evidence<'p> {
    /// The matching `Deny` statements.
    pub denies: Hits<'p>,
    /// The matching `Allow` statements of the resource-based policy.
    pub resource_allows: Hits<'p>,
    /// The matching `Allow` statements of the identity-based policies.
    pub identity_allows: Hits<'p>,
}

/// Which levels of an SCP or RCP hierarchy have an applicable `Allow`, found while the walk visits
/// the levels in order, root first.
#[derive(Debug, Default)]
struct Levels {
    /// How many levels from the root on each have one.
    allowed: usize,
}

impl Levels {
    /// True when an `Allow` at `level` would count: every earlier level has one, this one has
    /// none yet.
    fn wants(&self, level: usize) -> bool {
        level == self.allowed
    }

    /// Records an applicable `Allow` at the level [`Levels::wants`] accepted.
    fn allow(&mut self) {
        self.allowed += 1;
    }

    /// The first level without an applicable `Allow` in a hierarchy of `levels` levels.
    fn first_without_allow(&self, levels: &[Vec<Policy>]) -> Option<usize> {
        (self.allowed < levels.len()).then_some(self.allowed)
    }
}

/// Gathers the facts of `request` against `set` in one walk; `special_rules`: consult the fixed
/// rules of semantics §8; `explain`: keep the matching statements.
pub fn gather<'p>(
    set: &'p PolicySet,
    request: &Request,
    special_rules: bool,
    explain: bool,
) -> (Facts, Evidence<'p>) {
    let caller = Caller::of(request);
    let kind = request.principal_kind;
    let is_session = kind.is_session() || kind == PrincipalKind::Role;
    let has_boundary = caller.has_identity_policies() && set.boundary.is_some();
    let bound_by_rcps = caller.is_bound_by_rcps() && request.is_bound_by_rcps_of_its_service();
    let binds = |slot: Slot| match slot {
        Slot::Resource => true,
        Slot::Identity(_) | Slot::Boundary => caller.has_identity_policies(),
        Slot::Session(_) => is_session,
        Slot::Scp { .. } => caller.is_bound_by_scps(),
        Slot::Rcp { .. } => bound_by_rcps,
    };

    let mut evidence = Evidence {
        denies: Hits::new(explain),
        resource_allows: Hits::new(explain),
        identity_allows: Hits::new(explain),
    };
    let mut grant = None;
    let mut boundary_allow = false;
    let mut session_allow = false;
    let (mut scp, mut rcp) = (Levels::default(), Levels::default());
    'walk: for (slot, policy) in set.slots().filter(|(slot, _)| binds(*slot)) {
        for (index, statement) in policy.statements().iter().enumerate() {
            let applies =
                |has_boundary| statement_applies(statement, policy, request, has_boundary);
            if statement.effect == Effect::Deny {
                if applies(has_boundary).is_some() {
                    evidence.denies.push(slot, index, statement);
                    if !explain {
                        break 'walk;
                    }
                }
                continue;
            }
            if evidence.denies.found {
                continue;
            }
            match slot {
                Slot::Identity(_) => {
                    if evidence.identity_allows.wants_more() && applies(has_boundary).is_some() {
                        evidence.identity_allows.push(slot, index, statement);
                    }
                }
                Slot::Resource => {
                    if explain || grant != Some(GrantKind::Direct) {
                        if let Some(kind) = applies(has_boundary) {
                            evidence.resource_allows.push(slot, index, statement);
                            grant = grant.max(Some(kind));
                        }
                    }
                }
                Slot::Boundary => {
                    boundary_allow = boundary_allow || applies(has_boundary).is_some();
                }
                Slot::Session(_) => {
                    session_allow = session_allow || applies(has_boundary).is_some();
                }
                // The NotPrincipal quirk of a boundary (semantics §2.6) is not applied to SCP and
                // RCP allows, which cannot carry NotPrincipal once validated.
                Slot::Scp { level, .. } => {
                    if scp.wants(level) && applies(false).is_some() {
                        scp.allow();
                    }
                }
                Slot::Rcp { level, .. } => {
                    if rcp.wants(level) && applies(false).is_some() {
                        rcp.allow();
                    }
                }
            }
        }
    }

    let facts = Facts {
        fixed: special_rules
            .then(|| special::special_rule(request))
            .flatten(),
        caller,
        accounts: match request.is_cross_account() {
            true => Accounts::Cross,
            false => Accounts::Same,
        },
        resource_must_allow: request.is_trust_request() || request.is_key_policy_request(),
        denied: evidence.denies.found,
        rcp_level_without_allow: set
            .rcp
            .as_deref()
            .filter(|_| bound_by_rcps)
            .and_then(|levels| rcp.first_without_allow(levels)),
        scp_level_without_allow: set
            .scp
            .as_deref()
            .filter(|_| caller.is_bound_by_scps())
            .and_then(|levels| scp.first_without_allow(levels)),
        grant,
        identity_allows: caller == Caller::Root || evidence.identity_allows.found,
        boundary_allows: !has_boundary || boundary_allow,
        session_allows: match (is_session, set.session.is_empty()) {
            (false, _) => true,
            (true, false) => session_allow,
            (true, true) => kind != PrincipalKind::FederatedUser,
        },
    };
    (facts, evidence)
}
