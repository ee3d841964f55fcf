//! Matching the caller against a `Principal` / `NotPrincipal` element (semantics §2.6), and the
//! kind of grant a matching resource-policy `Allow` makes (the rows of the semantics §1.4 table).

use crate::arn::Arn;
use crate::policy::{Principal, PrincipalClause, PrincipalType, Statement};
use crate::request::{PrincipalKind, Request};

/// How a resource-based `Allow` named the caller: one row of the semantics §1.4 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GrantKind {
    /// The account (12-digit ID or `:root` ARN): no shortcut, identity must allow too (row 8).
    Account,
    /// The role ARN of the calling session, or the IAM user that created a federated session:
    /// capped by the boundary and the session policy (rows 2 and 5).
    Capped,
    /// Granted directly: the IAM user ARN, the session ARN, the federated-user session ARN,
    /// `"*"` with or without an `aws:PrincipalArn` condition, a service or federated principal
    /// (rows 1, 3, 4, 6, 7).
    Direct,
}

/// The account `value` names, if it names one: a 12-digit ID or `arn:PARTITION:iam::ACCT:root`.
fn account_of_value(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let arn = Arn::parse(value).ok()?;
    (arn.service == "iam" && arn.region.is_empty() && arn.resource == "root").then_some(arn.account)
}

/// The strongest grant an `AWS` principal value gives the caller, if it names the caller.
fn aws_value_grant(value: &str, request: &Request) -> Option<GrantKind> {
    if value == "*" {
        return Some(GrantKind::Direct);
    }
    if let Some(account) = account_of_value(value) {
        let callers_account = request.principal_account.as_deref() == Some(account);
        let is_account_principal = !matches!(
            request.principal_kind,
            PrincipalKind::Service | PrincipalKind::Anonymous
        );
        return (callers_account && is_account_principal).then_some(GrantKind::Account);
    }
    match request.principal_kind {
        PrincipalKind::User if value == request.principal => Some(GrantKind::Direct),
        PrincipalKind::AssumedRole | PrincipalKind::FederatedUser if value == request.principal => {
            Some(GrantKind::Direct)
        }
        PrincipalKind::AssumedRole | PrincipalKind::Role
            if request.role_arn().as_deref() == Some(value) =>
        {
            Some(GrantKind::Capped)
        }
        PrincipalKind::FederatedUser if request.session_issuer.as_deref() == Some(value) => {
            Some(GrantKind::Capped)
        }
        _ => None,
    }
}

/// The strongest grant a `Principal` value gives the caller, if it names the caller at all.
pub fn principal_grant(principal: &Principal, request: &Request) -> Option<GrantKind> {
    match principal {
        Principal::Wildcard => Some(GrantKind::Direct),
        Principal::Map(entries) => entries
            .iter()
            .flat_map(|(kind, values)| values.iter().map(move |v| (*kind, v.as_str())))
            .filter_map(|(kind, value)| match kind {
                PrincipalType::Aws => aws_value_grant(value, request),
                PrincipalType::Service
                | PrincipalType::Federated
                | PrincipalType::CanonicalUser => {
                    (value == request.principal).then_some(GrantKind::Direct)
                }
            })
            .max(),
    }
}

/// True when a `NotPrincipal` list exempts the caller (semantics §2.6; the choice on §7.6): the
/// list names the caller's own ARN, or for a role session its role ARN, or `"*"`. Naming only the
/// account exempts the root user alone.
fn not_principal_exempts(principal: &Principal, request: &Request) -> bool {
    match principal {
        Principal::Wildcard => true,
        Principal::Map(entries) => entries.iter().any(|(kind, values)| {
            values.iter().any(|value| match kind {
                PrincipalType::Aws => {
                    value == "*"
                        || *value == request.principal
                        || (request.principal_kind == PrincipalKind::AssumedRole
                            && request.role_arn().as_deref() == Some(value.as_str()))
                        || (request.principal_kind == PrincipalKind::Root
                            && account_of_value(value) == request.principal_account.as_deref())
                }
                _ => *value == request.principal,
            })
        }),
    }
}

/// Whether a statement's principal element applies to the caller: `Some(kind)` for a matching
/// `Principal` (the grant kind), `Some(Direct)` when there is no principal element (identity
/// policies, SCPs), and for `NotPrincipal` `Some(Direct)` when the caller is *not* exempted.
///
/// `has_boundary`: the documented quirk — a `Deny` with `NotPrincipal` always applies to an IAM
/// user or role session that has a permissions boundary (semantics §2.6). A federated-user
/// session counts as bounded when its issuing IAM user has one: the session's permissions are
/// those of that user (boundary included) intersected with its session policy (GetFederationToken
/// API reference), so the boundary that caps it also withholds the exemption.
pub fn statement_principal(
    statement: &Statement,
    request: &Request,
    has_boundary: bool,
) -> Option<GrantKind> {
    match &statement.principal {
        None => Some(GrantKind::Direct),
        Some(PrincipalClause {
            negated: false,
            value,
        }) => principal_grant(value, request),
        Some(PrincipalClause {
            negated: true,
            value,
        }) => {
            let bounded = has_boundary
                && matches!(
                    request.principal_kind,
                    PrincipalKind::User
                        | PrincipalKind::AssumedRole
                        | PrincipalKind::Role
                        | PrincipalKind::FederatedUser
                );
            (bounded || !not_principal_exempts(value, request)).then_some(GrantKind::Direct)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("111122223333", Some("111122223333"))]
    #[case("arn:aws:iam::111122223333:root", Some("111122223333"))]
    #[case("arn:aws-cn:iam::111122223333:root", Some("111122223333"))]
    #[case("arn:aws:iam::111122223333:user/root", None)]
    #[case("arn:aws:sts::111122223333:root", None)]
    #[case("arn:aws:iam:us-east-1:111122223333:root", None)]
    #[case("11112222333", None)]
    #[case("*", None)]
    fn accounts_named_by_a_principal_value(#[case] value: &str, #[case] expected: Option<&str>) {
        assert_eq!(account_of_value(value), expected);
    }
}
