//! Scenario worlds (docs/design.md §3): accounts with their SCPs and RCPs, principals with their
//! identity policies, trust policy and boundary, resources with their resource policies, and a
//! list of expectations written by name ("role X may do Y on Z, because …"). Each expectation
//! compiles into one [`Case`](crate::case::Case), so every engine only ever sees cases.
//!
//! ```json
//! {
//!   "scenario": "vpc-flow-logs",
//!   "description": "VPC Flow Logs publishing to CloudWatch Logs through an IAM role",
//!   "source": ["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html"],
//!   "accounts": { "prod": { "id": "111122223333" } },
//!   "principals": {
//!     "flow-logs-role": { "account": "prod", "role": "flowlogsRole",
//!                         "identity": [ { "Version": "2012-10-17", "Statement": [] } ],
//!                         "trust": { "Version": "2012-10-17", "Statement": [] } },
//!     "flow-logs-service": { "service": "vpc-flow-logs.amazonaws.com" }
//!   },
//!   "resources": { "log-group": { "account": "prod",
//!                  "arn": "arn:aws:logs:us-east-1:111122223333:log-group:vpc-flow-logs" } },
//!   "expectations": [
//!     { "name": "role writes log events", "principal": "flow-logs-role",
//!       "action": "logs:PutLogEvents", "resource": "log-group", "expect": "allow",
//!       "why": "the role's policy grants the five logs: actions flow logs need" }
//!   ]
//! }
//! ```
//!
//! - A principal is exactly one of: `role` (a role name, optionally with `path`; it calls as a
//!   role session `arn:aws:sts::ACCT:assumed-role/NAME/SESSION` with `aws:PrincipalArn` set to the
//!   role ARN), `user` (an IAM user name, optionally with `path`), `root` (`true`: the account's
//!   root user), `service` (a service principal) or `anonymous` (`true`).
//! - `resource` in an expectation names a resource of the world, or a role principal (then its
//!   ARN is the resource and, for `sts:AssumeRole*`, its `trust` policy is the resource policy),
//!   or is a literal ARN or `*`.
//! - The SCPs are those of the principal's account, the RCPs those of the resource's account.
//! - A compiled case carries `scenario`, the expectation's `features`, and the features its
//!   policies and accounts imply (see `derived_features`), so an engine skips what it cannot do.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::case::PolicyText;
use crate::decision::Decision;

mod compile;
mod named;

/// An account of the world.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account ID.
    pub id: String,
    /// SCP levels, root first (each a list of documents).
    #[serde(default)]
    pub scp: Option<Vec<Vec<PolicyText>>>,
    /// RCP levels, root first (each a list of documents).
    #[serde(default)]
    pub rcp: Option<Vec<Vec<PolicyText>>>,
}

/// A principal of the world (exactly one of `role`, `user`, `root`, `service`, `anonymous`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// The account name (a key of `accounts`).
    #[serde(default)]
    pub account: Option<String>,
    /// An IAM role name.
    #[serde(default)]
    pub role: Option<String>,
    /// An IAM user name.
    #[serde(default)]
    pub user: Option<String>,
    /// The IAM path of the user or role (default `/`).
    #[serde(default)]
    pub path: Option<String>,
    /// The account's root user.
    #[serde(default)]
    pub root: bool,
    /// A service principal such as `ec2.amazonaws.com`.
    #[serde(default)]
    pub service: Option<String>,
    /// An unsigned caller.
    #[serde(default)]
    pub anonymous: bool,
    /// The role session name (default `session`).
    #[serde(default)]
    pub session_name: Option<String>,
    /// Identity-based policies.
    #[serde(default)]
    pub identity: Vec<PolicyText>,
    /// The permissions boundary.
    #[serde(default)]
    pub boundary: Option<PolicyText>,
    /// The role's trust policy.
    #[serde(default)]
    pub trust: Option<PolicyText>,
    /// Session policies passed when the role was assumed.
    #[serde(default)]
    pub session_policies: Vec<PolicyText>,
    /// The slots (`identity[N]`, `boundary`) holding an AWS managed policy pasted as a document
    /// (an account dump carries them so), which no customer size quota binds; a policy named by
    /// its AWS managed ARN is marked without this.
    #[serde(default)]
    pub aws_managed: Vec<String>,
    /// The IAM user's or role's tags: each request it makes carries them as
    /// `aws:PrincipalTag/KEY`, unless the expectation's context sets that key (semantics §9.8).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A resource of the world.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// The account name (a key of `accounts`).
    pub account: String,
    /// The resource ARN.
    pub arn: String,
    /// Its resource-based policy.
    #[serde(default)]
    pub policy: Option<PolicyText>,
}

/// One expectation: a principal may (or may not) do an action on a resource, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Short name, unique in the scenario.
    pub name: String,
    /// The principal's name.
    pub principal: String,
    /// The action.
    pub action: String,
    /// A resource name, a role principal's name, a literal ARN or `*`.
    pub resource: String,
    /// Extra context keys.
    #[serde(default)]
    pub context: serde_json::Map<String, serde_json::Value>,
    /// The expected decision.
    pub expect: Decision,
    /// One sentence: why this must (not) be allowed.
    pub why: String,
    /// Extra features of this expectation (besides `scenario`).
    #[serde(default)]
    pub features: Vec<String>,
}

/// A scenario world.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name: cases are `scenario/<name>/<expectation>`.
    pub scenario: String,
    /// What real setup the world models.
    #[serde(default)]
    pub description: String,
    /// AWS documentation of the setup.
    #[serde(default)]
    pub source: Vec<String>,
    /// Accounts by name.
    pub accounts: BTreeMap<String, Account>,
    /// Principals by name.
    pub principals: BTreeMap<String, Principal>,
    /// Resources by name.
    #[serde(default)]
    pub resources: BTreeMap<String, Resource>,
    /// What must and must not be allowed.
    pub expectations: Vec<Expectation>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseErrorKind;

    const WORLD: &str = r#"{
      "scenario": "Demo World", "source": ["https://docs.aws.amazon.com/x"],
      "accounts": {"prod": {"id": "111122223333"}},
      "principals": {
        "app": {"account": "prod", "role": "app", "path": "/svc/",
                "identity": [{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}],
                "trust": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}},
        "ec2": {"service": "ec2.amazonaws.com"}
      },
      "resources": {"bucket": {"account": "prod", "arn": "arn:aws:s3:::b/k"}},
      "expectations": [
        {"name": "App reads", "principal": "app", "action": "s3:GetObject", "resource": "bucket", "expect": "allow", "why": "granted"},
        {"name": "EC2 assumes", "principal": "ec2", "action": "sts:AssumeRole", "resource": "app", "expect": "allow", "why": "trusted"}
      ]
    }"#;

    #[test]
    fn compiles_expectations_to_cases() {
        let cases = Scenario::compile_json(WORLD, "w.json").unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].id, "scenario/demo-world/app-reads");
        let req = &cases[0].tests[0].request;
        assert_eq!(
            req.principal,
            "arn:aws:sts::111122223333:assumed-role/app/session"
        );
        assert_eq!(req.resource_account.as_deref(), Some("111122223333"));
        assert_eq!(
            req.context.get("aws:PrincipalArn").and_then(|v| v.as_str()),
            Some("arn:aws:iam::111122223333:role/svc/app")
        );
        assert!(cases[0].policies.resource.is_none());
        let assume = &cases[1];
        assert_eq!(
            assume.tests[0].request.resource,
            "arn:aws:iam::111122223333:role/svc/app"
        );
        assert!(
            assume.policies.resource.is_some(),
            "the trust policy is the resource policy"
        );
        assert!(
            assume.policies.identity.is_none(),
            "a service has no identity policies"
        );
    }

    #[test]
    fn features_follow_the_compiled_policies() {
        let cases = Scenario::compile_json(WORLD, "w.json").unwrap();
        assert_eq!(cases[0].features, ["scenario", "identity"]);
        assert_eq!(
            cases[1].features,
            ["scenario", "trust-policy", "service-principal"]
        );
        let world = WORLD
            .replace(
                r#""accounts": {"prod": {"id": "111122223333"}}"#,
                r#""accounts": {"prod": {"id": "111122223333", "scp": [[{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}],[{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}]]},
                                "other": {"id": "444455556666"}}"#,
            )
            .replace(
                r#""bucket": {"account": "prod""#,
                r#""bucket": {"account": "other""#,
            )
            .replace(
                r#""expect": "allow", "why": "granted"}"#,
                r#""expect": "implicit_deny", "why": "no bucket policy", "features": ["identity"]}"#,
            );
        let cases = Scenario::compile_json(&world, "w.json").unwrap();
        assert_eq!(
            cases[0].features,
            ["scenario", "identity", "scp", "scp:levels", "cross-account"],
            "listed features are kept once, derived ones added"
        );
        assert_eq!(
            cases[1].features,
            ["scenario", "trust-policy", "service-principal"],
            "SCPs do not bind a service principal"
        );
    }

    #[test]
    fn bad_references_name_the_place_and_the_choices() {
        let bad = WORLD.replace("\"principal\": \"ec2\"", "\"principal\": \"ec3\"");
        let e = Scenario::compile_json(&bad, "w.json").unwrap_err();
        let e = e.first();
        assert_eq!(e.path, "expectations[1].principal");
        assert!(
            e.message
                .contains("unknown principal `ec3` (known: app, ec2)"),
            "{e}"
        );
        let bad = WORLD.replace("\"resource\": \"bucket\"", "\"resource\": \"bucket2\"");
        let e = Scenario::compile_json(&bad, "w.json").unwrap_err();
        let e = e.first();
        assert_eq!(e.path, "expectations[0].resource");
        assert!(e.message.contains("unknown resource `bucket2`"), "{e}");
        let bad = WORLD.replace(
            "\"account\": \"prod\", \"arn\"",
            "\"account\": \"dev\", \"arn\"",
        );
        let e = Scenario::compile_json(&bad, "w.json").unwrap_err();
        let e = e.first();
        assert_eq!(e.path, "resources.bucket.account");
        let bad = WORLD.replace("\"why\": \"trusted\"", "\"because\": \"trusted\"");
        assert!(Scenario::compile_json(&bad, "w.json").is_err());
    }

    #[test]
    fn every_bad_reference_is_reported_once() {
        let bad = WORLD
            .replace("\"principal\": \"ec2\"", "\"principal\": \"ec3\"")
            .replace("\"resource\": \"bucket\"", "\"resource\": \"bucket2\"")
            .replace("\"path\": \"/svc/\"", "\"path\": \"svc\"")
            .replace("\"EC2 assumes\"", "\"App reads!\"");
        let errors = Scenario::compile_json(&bad, "w.json").unwrap_err();
        let found: Vec<(CaseErrorKind, &str)> =
            errors.iter().map(|e| (e.kind, e.path.as_str())).collect();
        assert_eq!(
            found,
            [
                (CaseErrorKind::BadPrincipal, "principals.app"),
                (CaseErrorKind::BadReference, "expectations[0].resource"),
                (CaseErrorKind::DuplicateName, "expectations[1].name"),
            ],
            "{errors}"
        );
        let bad = WORLD
            .replace("\"principal\": \"ec2\"", "\"principal\": \"ec3\"")
            .replace("\"resource\": \"bucket\"", "\"resource\": \"bucket2\"");
        let errors = Scenario::compile_json(&bad, "w.json").unwrap_err();
        let found: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            found,
            ["expectations[0].resource", "expectations[1].principal"]
        );
    }
}
