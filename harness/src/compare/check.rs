//! The checks of `compare --check`, after IAM Access Analyzer's custom policy checks, answered
//! offline over the abstraction of [`super`] and proved with witnesses.
//!
//! - `access-not-granted`, after `CheckAccessNotGranted`: fails when the policy (or any
//!   principal of a world) is allowed any listed action — wildcards expanded over the
//!   catalogue — on any listed resource pattern, or, with no `--resources`, on any resource the
//!   abstraction generates (Access Analyzer: "at least one of the actions on any resource in
//!   the policy"). Where ours differs: Access Analyzer takes an identity or a resource policy
//!   (`policyType`), one access object, and also a resources-only form ("any action on at
//!   least one of the resources"), which we do not offer (`--actions` is required); we take
//!   every kind `compare` places (boundary, SCP, RCP too) and whole worlds. Its `FAIL` means
//!   the policy *might* allow some of the access; ours fails only on a request the reference
//!   evaluator allows, and lists every such class of requests.
//! - `no-public-access`, after `CheckNoPublicAccess`: fails when a resource policy allows an
//!   anonymous caller (`*`) or a principal of an unrelated account (`444455556666`, given an
//!   allow-all identity policy of its own in a world) any request. Where ours differs: Access
//!   Analyzer requires a `resourceType` from a fixed list (`AWS::S3::Bucket`,
//!   `AWS::IAM::AssumeRolePolicyDocument`, `AWS::KMS::Key`, …) and applies that service's own
//!   notion of public (conditions that restrict to an organization or a VPC count as not
//!   public); we decide any resource policy alike by evaluation, so a grant to `*` narrowed by
//!   a condition is public here exactly when some request of the abstraction meets the
//!   condition as an outsider. Its `FAIL` means *might* allow; ours always names the request.

use crate::glob::{self, CaseSensitivity};
use crate::policy::{parse_as, Policy, PolicyKind};
use crate::scenario::Principal;
use crate::world::World;

use super::world::{compare_worlds, WorldCompareError, WorldFinding, FRESH_CALLER};
use super::{compare_with, Finding};

/// What `--check access-not-granted` looks for.
#[derive(Debug, Clone)]
pub struct NotGranted {
    /// Action patterns (`s3:Get*`).
    pub actions: Vec<String>,
    /// Resource patterns; empty: every resource.
    pub resources: Vec<String>,
}

impl NotGranted {
    /// A policy allowing exactly the listed actions on the listed resources, so that the
    /// abstraction splits by them.
    fn as_policy(&self) -> Option<Policy> {
        let resources = if self.resources.is_empty() {
            vec!["*".to_owned()]
        } else {
            self.resources.clone()
        };
        let text = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": self.actions, "Resource": resources}]});
        parse_as(&text.to_string(), PolicyKind::Identity).ok()
    }

    fn action_listed(&self, action: &str) -> bool {
        self.actions.iter().any(|p| glob::action_matches(p, action))
    }

    fn resource_listed(&self, resource: &str) -> bool {
        self.resources.is_empty()
            || self
                .resources
                .iter()
                .any(|p| glob::matches(p, resource, CaseSensitivity::Sensitive))
    }

    /// Keeps the listed actions of a class found on a listed resource; the witness then takes
    /// the first of them (every member was confirmed at the same resource and context).
    fn keep(&self, actions: &mut Vec<String>, action: &mut String, resource: &str) -> bool {
        actions.retain(|a| self.action_listed(a));
        match actions.first() {
            Some(first) if self.resource_listed(resource) => {
                first.clone_into(action);
                true
            }
            _ => false,
        }
    }
}

/// A policy allowing nothing: the old side of a check.
fn nothing() -> Option<Policy> {
    parse_as(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        PolicyKind::Identity,
    )
    .ok()
}

/// Every listed request `policy` (of `kind`) allows.
pub fn access_not_granted(policy: &Policy, kind: PolicyKind, check: &NotGranted) -> Vec<Finding> {
    let (Some(old), Some(extra)) = (nothing(), check.as_policy()) else {
        return Vec::new();
    };
    let mut found = compare_with(&old, policy, kind, &[&extra]).new_access;
    found.retain_mut(|f| {
        let resource = f.request.resource.clone();
        let kept = check.keep(&mut f.actions, &mut f.request.action, &resource);
        f.summary = super::summary(&f.actions, &resource);
        kept
    });
    found
}

/// Every listed request any principal of `world` is allowed.
pub fn world_access_not_granted(
    world: &World,
    check: &NotGranted,
) -> Result<Vec<WorldFinding>, WorldCompareError> {
    let mut found = compare_worlds(&World::default(), world)?.new_access;
    found.retain_mut(|f| {
        let resource = f.request.resource.clone();
        let kept = check.keep(&mut f.actions, &mut f.request.action, &resource);
        f.summary = super::summary(&f.actions, &resource);
        f.new_principal = false;
        kept
    });
    Ok(found)
}

/// Every request a resource policy allows an anonymous caller or a caller of an unrelated
/// account (see the module docs).
pub fn no_public_access(policy: &Policy) -> Vec<Finding> {
    let Some(old) = nothing() else {
        return Vec::new();
    };
    let mut found = compare_with(&old, policy, PolicyKind::Resource, &[]).new_access;
    found.retain(|f| f.request.principal == "*" || f.request.principal == FRESH_CALLER);
    found
}

/// [`no_public_access`] for every resource policy of a world, the unrelated caller holding an
/// allow-all identity policy of its own.
pub fn world_no_public_access(world: &World) -> Result<Vec<WorldFinding>, WorldCompareError> {
    let with_caller = |mut world: World| -> World {
        let account = FRESH_CALLER
            .split(':')
            .nth(4)
            .unwrap_or("444455556666")
            .to_owned();
        world.account(&account);
        let allow_all = crate::case::policy_from_value(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}));
        world.scenario.principals.insert(
            FRESH_CALLER.to_owned(),
            Principal {
                account: Some(account),
                user: Some("iamharnessfresh".to_owned()),
                identity: vec![allow_all],
                ..Principal::default()
            },
        );
        world
    };
    let mut found = compare_worlds(&World::default(), &with_caller(world.clone()))?.new_access;
    found.retain(|f| {
        (f.principal == "*" || f.principal == FRESH_CALLER)
            && f.new_statements
                .iter()
                .any(|d| d.statement.policy == "resource")
    });
    for f in &mut found {
        f.new_principal = false;
    }
    Ok(found)
}
