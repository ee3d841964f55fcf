//! Rules outside the generic policy logic (IAM-SPEC §8): requests that AWS decides by a fixed
//! rule whatever the policies say. Kept in one named layer so that the reference evaluator can be
//! run with or without it ([`super::ReferenceEvaluator::without_special_rules`]).
//!
//! - `sts:GetCallerIdentity` is always allowed, even under an explicit Deny
//!   (<https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html>).
//! - IAM write actions on AWS managed policies (`arn:aws:iam::aws:policy/…`) are denied: customers
//!   cannot change them
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html>).
//! - Customers cannot edit the policies or trust of service-linked roles (path
//!   `/aws-service-role/`)
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html>).
//! - AWS managed KMS aliases (`alias/aws/…`) are reserved
//!   (<https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html>).
//!
//! A fixed denial has no Deny statement behind it, so it is labelled `implicit_deny`.

use crate::decision::Decision;
use crate::request::Request;

/// Which fixed rule settled a request, with the decision it imposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialRule {
    /// The decision the rule imposes.
    pub decision: Decision,
    /// The rule, as one sentence for the explanation.
    pub reason: &'static str,
}

const MANAGED_POLICY_WRITES: &[&str] = &[
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

const KMS_ALIAS_WRITES: &[&str] = &["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"];

fn action_in(action: &str, list: &[&str]) -> bool {
    list.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// The resource part of an ARN (after the fifth colon) when the ARN is of `service`.
fn resource_part<'a>(arn: &'a str, service: &str) -> Option<&'a str> {
    let mut fields = arn.splitn(6, ':');
    let (prefix, _partition, svc, _region, _account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    (prefix == "arn" && svc == service).then_some(resource)
}

/// The fixed rule that decides `request`, if any.
pub fn special_rule(request: &Request) -> Option<SpecialRule> {
    let action = request.action.as_str();
    if action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        return Some(SpecialRule {
            decision: Decision::Allow,
            reason: "sts:GetCallerIdentity needs no permission and cannot be denied (IAM-SPEC §8)",
        });
    }
    let iam_resource = resource_part(&request.resource, "iam");
    let is_managed_policy = iam_resource.is_some()
        && request
            .resource
            .split(':')
            .nth(4)
            .is_some_and(|account| account == "aws")
        && iam_resource.is_some_and(|r| r.starts_with("policy/"));
    if is_managed_policy && action_in(action, MANAGED_POLICY_WRITES) {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            reason: "AWS managed policies cannot be changed by customers (IAM-SPEC §8)",
        });
    }
    if iam_resource.is_some_and(|r| r.starts_with("role/aws-service-role/"))
        && action_in(action, SERVICE_LINKED_ROLE_EDITS)
    {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            reason: "the policies and trust of service-linked roles are defined by their service (IAM-SPEC §8)",
        });
    }
    if resource_part(&request.resource, "kms").is_some_and(|r| r.starts_with("alias/aws/"))
        && action_in(action, KMS_ALIAS_WRITES)
    {
        return Some(SpecialRule {
            decision: Decision::ImplicitDeny,
            reason: "AWS managed KMS aliases alias/aws/… are reserved (IAM-SPEC §8)",
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
    #[case("s3:GetObject", "arn:aws:s3:::b/k", None)]
    fn fixed_rules(#[case] action: &str, #[case] resource: &str, #[case] expect: Option<Decision>) {
        assert_eq!(
            special_rule(&req(action, resource)).map(|r| r.decision),
            expect
        );
    }
}
