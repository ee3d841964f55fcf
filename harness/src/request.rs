//! The request an engine decides: who (principal), what (action), on what (resource), and the
//! request context (condition keys).
//!
//! - The principal's kind comes from its ARN (docs/design.md §3): `:user/`, `:role/`,
//!   `:assumed-role/`, `:federated-user/`, `:root`, a service principal `*.amazonaws.com`, or `*`
//!   (anonymous).
//! - Context keys are looked up case-insensitively (semantics §4.2); values keep their case.
//! - Global keys that follow from the request itself (`aws:PrincipalArn`, `aws:PrincipalAccount`,
//!   `aws:PrincipalType`, `aws:username`, `aws:userid` is *not* derived, `aws:ResourceAccount`)
//!   are derived by [`Request::new`] unless the caller gives them; a key given as null stays
//!   missing (docs/design.md §3).

use crate::arn::{Arn, ArnFields};

/// The kind of caller, derived from the principal ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The root user of an account: `arn:aws:iam::ACCT:root`.
    Root,
    /// An IAM user: `arn:aws:iam::ACCT:user/PATH/NAME`.
    User,
    /// An IAM role used directly (`arn:aws:iam::ACCT:role/NAME`); real callers are role sessions,
    /// but a case may name the role to mean "some session of it".
    Role,
    /// A role session: `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`.
    AssumedRole,
    /// A federated-user session from GetFederationToken: `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser,
    /// An AWS service principal such as `ec2.amazonaws.com`.
    Service,
    /// An unsigned request: principal `*`.
    Anonymous,
    /// Anything else (a principal ARN the harness does not recognise).
    Other,
}

impl PrincipalKind {
    /// Classifies a principal string (an ARN, a service principal or `*`).
    pub fn of(principal: &str) -> PrincipalKind {
        if principal == "*" || principal.eq_ignore_ascii_case("anonymous") {
            return PrincipalKind::Anonymous;
        }
        if !principal.starts_with("arn:") {
            if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
                return PrincipalKind::Service;
            }
            return PrincipalKind::Other;
        }
        let Ok(arn) = Arn::parse(principal) else {
            return PrincipalKind::Other;
        };
        let resource = arn.resource;
        match arn.service {
            "iam" if resource == "root" => PrincipalKind::Root,
            "iam" if resource.starts_with("user/") => PrincipalKind::User,
            "iam" if resource.starts_with("role/") => PrincipalKind::Role,
            "sts" if resource.starts_with("assumed-role/") => PrincipalKind::AssumedRole,
            "sts" if resource.starts_with("federated-user/") => PrincipalKind::FederatedUser,
            _ => PrincipalKind::Other,
        }
    }

    /// The value of `aws:PrincipalType` for this kind (semantics §5), if AWS defines one.
    pub fn principal_type(self) -> Option<&'static str> {
        match self {
            PrincipalKind::Root => Some("Account"),
            PrincipalKind::User => Some("User"),
            PrincipalKind::FederatedUser => Some("FederatedUser"),
            PrincipalKind::AssumedRole | PrincipalKind::Role => Some("AssumedRole"),
            PrincipalKind::Anonymous => Some("Anonymous"),
            PrincipalKind::Service | PrincipalKind::Other => None,
        }
    }

    /// True for temporary-credential sessions (role sessions and federated-user sessions).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
        )
    }
}

/// One value of a context key as the request carries it: always text, as AWS sends it
/// (numbers and booleans keep their JSON spelling, e.g. `"42"`, `"true"`).
pub type ContextScalar = String;

/// A context key's entry in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextEntry {
    /// Given as JSON `null`: the key is missing and must not be derived.
    Null,
    /// A single-valued key.
    Single(ContextScalar),
    /// A multivalued key (possibly empty).
    Multi(Vec<ContextScalar>),
}

/// What a condition sees when it looks a key up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The key is not in the request context.
    Missing,
    /// A single value.
    Single(&'a str),
    /// A multivalued key's values (possibly empty).
    Multi(&'a [ContextScalar]),
}

/// The request context: condition keys with their values, looked up case-insensitively.
///
/// Contexts are small (a dozen keys), so a vector scanned with `eq_ignore_ascii_case` beats a
/// map with lowercased keys and allocates nothing per lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, ContextEntry)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (replacing a key equal ignoring ASCII case).
    pub fn insert(&mut self, key: impl Into<String>, entry: ContextEntry) {
        let key = key.into();
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            Some(slot) => slot.1 = entry,
            None => self.entries.push((key, entry)),
        }
    }

    /// True when `key` was given at all (even as null).
    pub fn contains(&self, key: &str) -> bool {
        self.entries
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// Looks `key` up, ignoring ASCII case of the key name. A null entry reads as missing.
    pub fn get(&self, key: &str) -> Lookup<'_> {
        match self
            .entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            None | Some((_, ContextEntry::Null)) => Lookup::Missing,
            Some((_, ContextEntry::Single(v))) => Lookup::Single(v),
            Some((_, ContextEntry::Multi(v))) => Lookup::Multi(v),
        }
    }

    /// The entries in insertion order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ContextEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// A request to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The calling principal: an ARN, a service principal, or `*` for anonymous.
    pub principal: String,
    /// The principal's kind, derived from [`Request::principal`].
    pub principal_kind: PrincipalKind,
    /// The account the principal belongs to (from the case, else from the ARN).
    pub principal_account: Option<String>,
    /// The action, `service:Name`.
    pub action: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// The account that owns the resource (from the case, else from the ARN).
    pub resource_account: Option<String>,
    /// For a federated-user session, the IAM user that called GetFederationToken (optional
    /// extension of the case format, needed by one row of the semantics §1.4 table).
    pub session_issuer: Option<String>,
    /// The request context, with the derived global keys filled in.
    pub context: Context,
    /// Where the fields of [`Request::resource`] lie, when it is an ARN (see
    /// [`Request::resource_arn`]); kept in step with `resource` by [`Request::new`].
    resource_fields: Option<ArnFields>,
}

/// The account field of the ARNs of AWS managed policies (`arn:aws:iam::aws:policy/…`).
pub const AWS_NAMESPACE: &str = "aws";

/// The account segment (fifth field) of an ARN, if it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    Arn::parse(arn)
        .ok()
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
}

/// The role ARN behind a role-session ARN (`arn:aws:sts::A:assumed-role/R/S` →
/// `arn:aws:iam::A:role/R`). The session ARN carries no role path (semantics §7.23).
pub fn role_arn_of_session(session_arn: &str) -> Option<String> {
    let arn = Arn::parse(session_arn).ok()?;
    let rest = arn.resource.strip_prefix("assumed-role/")?;
    let role = rest.split('/').next()?;
    Some(format!(
        "arn:{}:iam::{}:role/{role}",
        arn.partition, arn.account
    ))
}

/// The service prefixes whose resources RCPs apply to: the list of the RCP page
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>,
/// "List of AWS services that support RCPs"): Amazon S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets
/// Manager, Amazon Cognito (user pools and identity pools), Amazon CloudWatch Logs, Amazon
/// DynamoDB, Amazon ECR and Amazon OpenSearch Serverless. A request to any other service is not
/// bound by RCPs (semantics §1.7).
const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-idp",
    "cognito-identity",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// True when RCPs apply to the service of `action` (see [`RCP_SERVICES`]).
fn rcps_apply_to(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(service, _)| RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service)))
}

/// True for the ARN of a service-linked role: a role under the `/aws-service-role/` path, or one
/// named `AWSServiceRoleFor…` (semantics §8).
pub fn is_service_linked_role_arn(role_arn: &str) -> bool {
    Arn::parse(role_arn).is_ok_and(|arn| {
        arn.service == "iam"
            && (arn.resource.starts_with("role/aws-service-role/")
                || arn.resource.starts_with("role/AWSServiceRoleFor"))
    })
}

impl Request {
    /// Builds a request and derives the global keys the case did not give (docs/design.md §3).
    pub fn new(
        principal: impl Into<String>,
        principal_account: Option<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
        resource_account: Option<String>,
        context: Context,
    ) -> Request {
        let principal = principal.into();
        let resource = resource.into();
        let principal_kind = PrincipalKind::of(&principal);
        let principal_account =
            principal_account.or_else(|| arn_account(&principal).map(str::to_owned));
        let resource_account =
            resource_account.or_else(|| arn_account(&resource).map(str::to_owned));
        let resource_fields = ArnFields::locate(&resource).ok();
        let mut request = Request {
            resource_fields,
            principal,
            principal_kind,
            principal_account,
            action: action.into(),
            resource,
            resource_account,
            session_issuer: None,
            context,
        };
        request.derive_global_keys();
        request
    }

    /// The ARN that `aws:PrincipalArn` holds for this principal (semantics §1.5): the role ARN for
    /// a role session, the principal's own ARN otherwise; none for services and anonymous.
    pub fn derived_principal_arn(&self) -> Option<String> {
        match self.principal_kind {
            PrincipalKind::AssumedRole => role_arn_of_session(&self.principal),
            PrincipalKind::Service | PrincipalKind::Anonymous => None,
            _ if self.principal.starts_with("arn:") => Some(self.principal.clone()),
            _ => None,
        }
    }

    /// The role ARN of a role session: `aws:PrincipalArn` when the case gives it (it may carry a
    /// path), else derived from the session ARN.
    pub fn role_arn(&self) -> Option<String> {
        match self.principal_kind {
            PrincipalKind::AssumedRole => match self.context.get("aws:PrincipalArn") {
                Lookup::Single(arn) => Some(arn.to_owned()),
                _ => role_arn_of_session(&self.principal),
            },
            PrincipalKind::Role => Some(self.principal.clone()),
            _ => None,
        }
    }

    fn derive_global_keys(&mut self) {
        let mut derived: Vec<(&str, String)> = Vec::new();
        if let Some(arn) = self.derived_principal_arn() {
            derived.push(("aws:PrincipalArn", arn));
        }
        if let Some(account) = &self.principal_account {
            if !matches!(
                self.principal_kind,
                PrincipalKind::Service | PrincipalKind::Anonymous
            ) {
                derived.push(("aws:PrincipalAccount", account.clone()));
            }
        }
        if let Some(kind) = self.principal_kind.principal_type() {
            derived.push(("aws:PrincipalType", kind.to_owned()));
        }
        if self.principal_kind == PrincipalKind::User {
            if let Some(name) = self.principal.rsplit('/').next() {
                derived.push(("aws:username", name.to_owned()));
            }
        }
        if self.principal_kind == PrincipalKind::Service {
            derived.push(("aws:PrincipalServiceName", self.principal.clone()));
        }
        if let Some(account) = &self.resource_account {
            derived.push(("aws:ResourceAccount", account.clone()));
        }
        for (key, value) in derived {
            if !self.context.contains(key) {
                self.context.insert(key, ContextEntry::Single(value));
            }
        }
    }

    /// True for `sts:AssumeRole*` (and the session-tagging actions checked with it) on an IAM
    /// role: the resource policy is then the role's trust policy, which must itself allow
    /// (semantics §1.8).
    pub fn is_trust_request(&self) -> bool {
        const TRUST_ACTIONS: &[&str] = &[
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            "sts:AssumeRoleWithWebIdentity",
            "sts:TagSession",
            "sts:SetSourceIdentity",
            "sts:SetContext",
        ];
        TRUST_ACTIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&self.action))
            && self
                .resource_arn()
                .is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"))
    }

    /// True when the resource is a KMS key, whose key policy must itself allow (semantics §1.8).
    pub fn is_key_policy_request(&self) -> bool {
        self.resource_arn()
            .is_some_and(|a| a.service == "kms" && a.resource.starts_with("key/"))
    }

    /// True when the caller is a session of a service-linked role (a role under the
    /// `/aws-service-role/` path, or named `AWSServiceRoleFor…`), which SCPs and RCPs do not bind
    /// (semantics §8).
    pub fn is_service_linked_role(&self) -> bool {
        self.principal_kind == PrincipalKind::AssumedRole
            && self
                .role_arn()
                .is_some_and(|role| is_service_linked_role_arn(&role))
    }

    /// The resource as an ARN, when it is one (split once, when the request was built; split
    /// again only if `resource` was changed since).
    pub fn resource_arn(&self) -> Option<Arn<'_>> {
        match self
            .resource_fields
            .and_then(|fields| fields.of(&self.resource))
        {
            Some(arn) => Some(arn),
            None => Arn::parse(&self.resource).ok(),
        }
    }

    /// True when the request's service is one RCPs apply to (the RCP page's list of services).
    pub fn is_bound_by_rcps_of_its_service(&self) -> bool {
        rcps_apply_to(&self.action)
    }

    /// True when the principal and the resource belong to different accounts (semantics §1.6).
    /// The `aws` namespace of AWS managed policies (`arn:aws:iam::aws:policy/…`) is no customer
    /// account: every account reads those policies under its own identity policies, so a request
    /// on them is never cross-account (semantics §8.2).
    pub fn is_cross_account(&self) -> bool {
        match (&self.principal_account, &self.resource_account) {
            (Some(_), Some(r)) if r == AWS_NAMESPACE => false,
            (Some(p), Some(r)) => p != r,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("arn:aws:iam::111122223333:root", PrincipalKind::Root)]
    #[case("arn:aws:iam::111122223333:user/division/alice", PrincipalKind::User)]
    #[case("arn:aws:iam::111122223333:role/app", PrincipalKind::Role)]
    #[case(
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        PrincipalKind::AssumedRole
    )]
    #[case(
        "arn:aws:sts::111122223333:federated-user/bob",
        PrincipalKind::FederatedUser
    )]
    #[case("ec2.amazonaws.com", PrincipalKind::Service)]
    #[case("*", PrincipalKind::Anonymous)]
    #[case("arn:aws:s3:::bucket", PrincipalKind::Other)]
    fn kinds(#[case] arn: &str, #[case] kind: PrincipalKind) {
        assert_eq!(PrincipalKind::of(arn), kind);
    }

    #[test]
    fn derives_global_keys_for_role_session() {
        let r = Request::new(
            "arn:aws:sts::111122223333:assumed-role/app/s1",
            None,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Some("444455556666".into()),
            Context::new(),
        );
        assert_eq!(
            r.context.get("AWS:PRINCIPALARN"),
            Lookup::Single("arn:aws:iam::111122223333:role/app")
        );
        assert_eq!(
            r.context.get("aws:PrincipalAccount"),
            Lookup::Single("111122223333")
        );
        assert_eq!(
            r.context.get("aws:PrincipalType"),
            Lookup::Single("AssumedRole")
        );
        assert_eq!(r.context.get("aws:username"), Lookup::Missing);
        assert_eq!(
            r.context.get("aws:ResourceAccount"),
            Lookup::Single("444455556666")
        );
        assert!(r.is_cross_account());
    }

    #[test]
    fn null_suppresses_derivation_and_given_value_wins() {
        let mut ctx = Context::new();
        ctx.insert("aws:username", ContextEntry::Null);
        ctx.insert("aws:PrincipalArn", ContextEntry::Single("custom".into()));
        let r = Request::new(
            "arn:aws:iam::111122223333:user/alice",
            None,
            "s3:GetObject",
            "*",
            None,
            ctx,
        );
        assert_eq!(r.context.get("aws:username"), Lookup::Missing);
        assert_eq!(r.context.get("aws:principalarn"), Lookup::Single("custom"));
        assert!(!r.is_cross_account());
    }
}
