//! The rules an explanation of the reference evaluator can name: each with its id in the
//! semantics document (`§1.3 step 1`) and the AWS documentation page it rests on. This is the one
//! table of rule ids and pages: nothing else in the evaluator writes a documentation URL.

/// AWS's page "Determining whether a request is allowed or denied within an account".
const DENY_ALLOW: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html";
/// AWS's page on cross-account policy evaluation logic.
const CROSS_ACCOUNT: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";
/// AWS's page on permissions boundaries.
const BOUNDARIES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html";
/// AWS Organizations' page on how SCPs are evaluated.
const SCP_EVALUATION: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html";
/// AWS Organizations' page on how RCPs are evaluated.
const RCP_EVALUATION: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html";
/// AWS's policy grammar page, where the validity rules of policies are written.
const GRAMMAR: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
/// The STS API reference of `GetCallerIdentity`.
const GET_CALLER_IDENTITY: &str =
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html";
/// AWS's page on managed and inline policies.
const MANAGED_POLICIES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html";
/// AWS's page on service-linked roles.
const SERVICE_LINKED_ROLES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html";
/// IAM Identity Center's page on referencing permission sets: the roles it provisions under
/// `/aws-reserved/sso.amazonaws.com/` are managed by Identity Center.
const RESERVED_ROLES: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html";
/// The KMS developer guide's page on aliases.
const KMS_ALIASES: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html";

/// A rule of the decision flow that settles a request (the arms of the evaluator's decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A matching `Deny` in any policy that applies wins.
    ExplicitDeny,
    /// RCPs need an applicable `Allow` at every level of the resource's account.
    ResourceControlPolicies,
    /// SCPs need an applicable `Allow` at every level of the principal's account.
    ServiceControlPolicies,
    /// The root user of the resource's account has full access.
    RootUser,
    /// What a resource-based `Allow` grants in the same account, by how it names the caller.
    ResourceBasedGrant,
    /// Role trust policies and KMS key policies must allow the caller themselves.
    TrustAndKeyPolicies,
    /// Without a resource-based grant, an identity-based `Allow` is needed.
    IdentityPolicies,
    /// A permissions boundary caps the identity-based policies.
    PermissionsBoundary,
    /// A session policy caps a session; a federated-user session without one has no permissions.
    SessionPolicies,
    /// Identity, boundary and session policy all allow.
    IdentityBoundarySession,
    /// Across accounts, both the resource's and the caller's account must allow.
    CrossAccount,
    /// A policy that breaks the policy grammar or the rules of its kind is invalid.
    Validation,
    /// `sts:GetCallerIdentity` is always allowed.
    CallerIdentity,
    /// AWS managed policies cannot be changed by customers.
    ManagedPolicies,
    /// The policies and trust of service-linked roles are defined by their service.
    ServiceLinkedRoles,
    /// AWS managed KMS aliases (`alias/aws/…`) are reserved.
    ManagedKmsAliases,
    /// Roles under `/aws-reserved/` are managed by their service alone.
    ReservedRoles,
}

impl Rule {
    /// The rule's section in the semantics document, e.g. `§1.3 step 1`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::ExplicitDeny => "§1.3 step 1",
            Rule::ResourceControlPolicies => "§1.3 step 2",
            Rule::ServiceControlPolicies => "§1.3 step 3",
            Rule::RootUser => "§1.3 step 3a",
            Rule::ResourceBasedGrant => "§1.4",
            Rule::TrustAndKeyPolicies => "§1.8",
            Rule::IdentityPolicies => "§1.3 step 5",
            Rule::PermissionsBoundary => "§1.3 step 6",
            Rule::SessionPolicies => "§1.3 step 7",
            Rule::IdentityBoundarySession => "§1.3 steps 5–7",
            Rule::CrossAccount => "§1.6",
            Rule::Validation => "§6",
            Rule::CallerIdentity
            | Rule::ManagedPolicies
            | Rule::ServiceLinkedRoles
            | Rule::ManagedKmsAliases
            | Rule::ReservedRoles => "§8",
        }
    }

    /// The AWS documentation page the rule rests on.
    pub fn documentation(self) -> &'static str {
        match self {
            Rule::ExplicitDeny
            | Rule::RootUser
            | Rule::ResourceBasedGrant
            | Rule::TrustAndKeyPolicies
            | Rule::IdentityPolicies
            | Rule::SessionPolicies
            | Rule::IdentityBoundarySession => DENY_ALLOW,
            Rule::ResourceControlPolicies => RCP_EVALUATION,
            Rule::ServiceControlPolicies => SCP_EVALUATION,
            Rule::PermissionsBoundary => BOUNDARIES,
            Rule::CrossAccount => CROSS_ACCOUNT,
            Rule::Validation => GRAMMAR,
            Rule::CallerIdentity => GET_CALLER_IDENTITY,
            Rule::ManagedPolicies => MANAGED_POLICIES,
            Rule::ServiceLinkedRoles => SERVICE_LINKED_ROLES,
            Rule::ManagedKmsAliases => KMS_ALIASES,
            Rule::ReservedRoles => RESERVED_ROLES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_an_id_and_an_aws_page() {
        let rules = [
            Rule::ExplicitDeny,
            Rule::ResourceControlPolicies,
            Rule::ServiceControlPolicies,
            Rule::RootUser,
            Rule::ResourceBasedGrant,
            Rule::TrustAndKeyPolicies,
            Rule::IdentityPolicies,
            Rule::PermissionsBoundary,
            Rule::SessionPolicies,
            Rule::IdentityBoundarySession,
            Rule::CrossAccount,
            Rule::Validation,
            Rule::CallerIdentity,
            Rule::ManagedPolicies,
            Rule::ServiceLinkedRoles,
            Rule::ManagedKmsAliases,
            Rule::ReservedRoles,
        ];
        for rule in rules {
            assert!(rule.id().starts_with('§'), "{rule:?}");
            assert!(
                rule.documentation()
                    .starts_with("https://docs.aws.amazon.com/"),
                "{rule:?}"
            );
            assert!(rule.documentation().ends_with(".html"), "{rule:?}");
        }
        assert_eq!(Rule::ExplicitDeny.id(), "§1.3 step 1");
        assert_eq!(Rule::CrossAccount.documentation(), CROSS_ACCOUNT);
    }
}
