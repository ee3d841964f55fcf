//! Rules outside the generic policy logic (semantics §8): requests that AWS decides by a fixed
//! rule whatever the policies say. Kept in one named layer so that the reference evaluator can be
//! run with or without it ([`super::ReferenceEvaluator::without_special_rules`]). Each rule's
//! documentation page is given by its [`Rule`].
//!
//! - `sts:GetCallerIdentity` is always allowed, even under an explicit Deny
//!   ([`Rule::CallerIdentity`]).
//! - IAM writes on AWS managed policies (`arn:aws:iam::aws:policy/…`), `iam:CreatePolicy` in
//!   that namespace included, are denied: customers cannot change them
//!   ([`Rule::ManagedPolicies`]). Reading them is generic logic (the namespace is no other
//!   account, [`Request::is_cross_account`]).
//! - Customers cannot edit the policies or trust of service-linked roles (path
//!   `/aws-service-role/`) or delete them with `iam:DeleteRole` ([`Rule::ServiceLinkedRoles`]).
//! - Roles under `/aws-reserved/` (IAM Identity Center's `AWSReservedSSO_…` roles) are managed by
//!   their service through its service-linked role: no other caller can modify, tag or delete
//!   them ([`Rule::ReservedRoles`]).
//! - AWS managed KMS aliases (`alias/aws/…`) are reserved ([`Rule::ManagedKmsAliases`]).
//!
//! A fixed denial has no Deny statement behind it, so it is labelled `implicit_deny`.

use super::rules::Rule;
use crate::decision::Decision;
use crate::request::Request;

/// Which fixed rule settled a request, with the decision it imposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialRule {
    /// The decision the rule imposes.
    pub decision: Decision,
    /// The rule, for the explanation's rule id and documentation page.
    pub rule: Rule,
    /// The rule, as one sentence for the explanation.
    pub reason: &'static str,
}

const MANAGED_POLICY_WRITES: &[&str] = &[
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

const SERVICE_LINKED_ROLE_EDITS: &[&str] = &[
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRole",
];

/// What IAM Identity Center alone may do to the roles it provisions (the IAM actions its
/// service-linked role policy `AWSSSOServiceRolePolicy` grants on `role/aws-reserved/sso…`, with
/// tagging and deletion).
const RESERVED_ROLE_EDITS: &[&str] = &[
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:DeleteRole",
];

const KMS_ALIAS_WRITES: &[&str] = &["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"];

fn action_in(action: &str, list: &[&str]) -> bool {
    list.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// The fixed rule that decides `request`, if any.
pub fn special_rule(request: &Request) -> Option<SpecialRule> {
    let action = request.action.as_str();
    if action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        return Some(SpecialRule {
            decision: Decision::Allow,
            rule: Rule::CallerIdentity,
            reason: "sts:GetCallerIdentity needs no permission and cannot be denied (semantics §8)",
        });
    }
    let resource = request.resource_arn()?;
    let iam_resource = Some(resource.resource).filter(|_| resource.service == "iam");
    let is_managed_policy =
        resource.account == "aws" && iam_resource.is_some_and(|r| r.starts_with("policy/"));
    if is_managed_policy && action_in(action, MANAGED_POLICY_WRITES) {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            rule: Rule::ManagedPolicies,
            reason: "AWS managed policies cannot be changed by customers (semantics §8)",
        });
    }
    // Only the path is tested, not `request::is_service_linked_role_arn`: the role here is the
    // resource, whose ARN carries its path, and every service-linked role lives under
    // `/aws-service-role/`. The name test of `is_service_linked_role_arn` is for role ARNs
    // rebuilt from a session ARN, which carry no path.
    if iam_resource.is_some_and(|r| r.starts_with("role/aws-service-role/"))
        && action_in(action, SERVICE_LINKED_ROLE_EDITS)
    {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            rule: Rule::ServiceLinkedRoles,
            reason: "the policies and trust of service-linked roles are defined by their service (semantics §8)",
        });
    }
    if iam_resource.is_some_and(|r| r.starts_with("role/aws-reserved/"))
        && action_in(action, RESERVED_ROLE_EDITS)
        && !request.is_service_linked_role()
    {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            rule: Rule::ReservedRoles,
            reason: "roles under /aws-reserved/ are managed by their service alone (semantics §8)",
        });
    }
    if resource.service == "kms"
        && resource.resource.starts_with("alias/aws/")
        && action_in(action, KMS_ALIAS_WRITES)
    {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            rule: Rule::ManagedKmsAliases,
            reason: "AWS managed KMS aliases alias/aws/… are reserved (semantics §8)",
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Context;
    use rstest::rstest;

    fn req(action: &str, resource: &str) -> Request {
        Request::new(
            "arn:aws:iam::111122223333:user/admin",
            None,
            action,
            resource,
            None,
            Context::new(),
        )
    }

    #[rstest]
    #[case("sts:GetCallerIdentity", "*", Some(Decision::Allow))]
    #[case("STS:getcalleridentity", "*", Some(Decision::Allow))]
    #[case(
        "iam:CreatePolicyVersion",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        Some(Decision::ImplicitDeny)
    )]
    #[case(
        "iam:CreatePolicyVersion",
        "arn:aws:iam::111122223333:policy/Mine",
        None
    )]
    #[case(
        "iam:AttachRolePolicy",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        None
    )]
    #[case("iam:UpdateAssumeRolePolicy", "arn:aws:iam::111122223333:role/aws-service-role/es.amazonaws.com/AWSServiceRoleForAmazonElasticsearchService", Some(Decision::ImplicitDeny))]
    #[case(
        "iam:UpdateAssumeRolePolicy",
        "arn:aws:iam::111122223333:role/app",
        None
    )]
    #[case(
        "kms:DeleteAlias",
        "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
        Some(Decision::ImplicitDeny)
    )]
    #[case(
        "kms:DeleteAlias",
        "arn:aws:kms:us-east-1:111122223333:alias/mine",
        None
    )]
    #[case(
        "iam:PutRolePolicy",
        "arn:aws:iam::111122223333:role/AWSServiceRoleForSupport",
        None
    )]
    #[case(
        "iam:CreatePolicy",
        "arn:aws:iam::aws:policy/Mine",
        Some(Decision::ImplicitDeny)
    )]
    #[case("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess", None)]
    #[case(
        "iam:AttachRolePolicy",
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
        Some(Decision::ImplicitDeny)
    )]
    #[case(
        "iam:TagRole",
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Read_0123456789abcdef",
        Some(Decision::ImplicitDeny)
    )]
    #[case(
        "iam:GetRole",
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
        None
    )]
    #[case("s3:GetObject", "arn:aws:s3:::b/k", None)]
    #[case("iam:DeletePolicy", "*", None)]
    fn fixed_rules(#[case] action: &str, #[case] resource: &str, #[case] expect: Option<Decision>) {
        assert_eq!(
            special_rule(&req(action, resource)).map(|r| r.decision),
            expect
        );
    }

    #[test]
    fn identity_centers_own_role_may_edit_its_reserved_roles() {
        let sso = Request::new(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSSO/sso",
            None,
            "iam:AttachRolePolicy",
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            None,
            Context::new(),
        );
        assert_eq!(special_rule(&sso), None);
    }
}
