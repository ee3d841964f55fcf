//! What a policy change newly grants: `iam-harness compare` decides, offline, whether a new
//! policy document allows a request the old one does not, and proves every finding with a
//! witness — a request in the case-file format that the reference evaluator
//! ([`ReferenceEvaluator`]) denies under the old document and allows under the new.
//!
//! # How a document is placed
//!
//! The compared document fills its kind's slot of a [`PolicySet`]; the other slots a decision
//! needs hold an allow-all, so that the compared document is what decides (semantics §1.3):
//! an identity policy alone; a boundary with an allow-all identity policy; an SCP (one level)
//! and an RCP (one level) with an allow-all identity policy; a resource policy alone, the
//! caller in another account, so that the resource policy's grant is what counts only where it
//! names the caller (a same-account identity allow-all would mask it).
//!
//! # Whole worlds, and checks
//!
//! [`world::compare_worlds`] compares two worlds (two dumps, plans or templates: base branch
//! and pull request) principal by principal, each request compiled through the world as
//! `eval --from` compiles it; [`check`] answers Access Analyzer's `CheckAccessNotGranted` and
//! `CheckNoPublicAccess` questions with witnesses, and says where its meaning differs.
//!
//! # What is exact, and where the abstraction can miss a difference
//!
//! Requests are drawn from the finite abstraction of [`abstraction`]: every catalogue action
//! (grouped into classes of actions matched by the same patterns, so one evaluation stands for
//! the class, and every member is then confirmed one by one), fresh actions for what the
//! catalogue lacks, resource instances from the patterns of both sides and a fresh ARN, and
//! condition-key values from the literals of both sides. Every finding is confirmed by the
//! evaluator before it is reported, so a finding is never invented; the abstraction can only
//! miss one:
//!
//! - contexts are combined key by key from a base (all keys missing, or all at one value);
//!   a difference needing two keys at two chosen non-base values at once can be missed;
//! - dates get neighbours one second and one day either side of each literal, and numbers ±1:
//!   a difference inside a gap narrower than that (fractional seconds, numbers between
//!   integers), or between two literals farther apart than the neighbours reach, can be missed;
//! - multivalued keys get the empty set, each literal alone, each literal with one fresh
//!   value, and the first two literals: a difference needing three or more literals at once,
//!   or two literals other than the first two, can be missed;
//! - resources are not filtered by each action's resource types (a witness may pair an action
//!   with an ARN of a type it does not take; the evaluator matches ARNs as text, so the finding
//!   is still a real difference of the policies, but may be one no API call can make), and a
//!   resource whose text needs two different wildcard fillings at once is not generated;
//! - the principal is one IAM user (`alice`) of account 111122223333, or for resource policies
//!   one of the principals named plus an anonymous caller and a fresh account.

pub mod abstraction;
pub mod check;
pub mod world;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::case::TestRequest;
use crate::decision::{Decision, StatementRef};
use crate::engine::reference::ReferenceEvaluator;
use crate::policy::{Effect, Policy, PolicyKind, PolicySet, Principal};
use crate::request::Request;

use abstraction::{ActionClass, KeyValue, KeyValues};
use rayon::prelude::*;

/// The account the compared principal lives in.
const ACCOUNT: &str = "111122223333";

/// The principal requests are made as (outside resource policies): an IAM user of [`ACCOUNT`].
pub const PRINCIPAL: &str = "arn:aws:iam::111122223333:user/alice";

/// One new access: a class of requests the new document allows and the old one does not.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The witness, in the case-file request format.
    pub request: TestRequest,
    /// Every action of the witness's class confirmed newly allowed on the same resource and
    /// context.
    pub actions: Vec<String>,
    /// The statements that decided the old side (a deny, or none for an implicit deny).
    pub old_statements: Vec<StatementRef>,
    /// The statements that allow it on the new side.
    pub new_statements: Vec<StatementRef>,
    /// The class in words: `s3:GetObjectAcl, s3:GetObjectTagging, … on arn:aws:s3:::b/x`.
    pub summary: String,
}

/// The result of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The kind of the compared documents.
    pub kind: &'static str,
    /// Every new access found, one per action class and resource.
    pub new_access: Vec<Finding>,
    /// How many requests were evaluated on each side.
    pub evaluated: usize,
}

/// Puts a document of `kind` into a policy set with allow-alls around it (see the module docs).
pub fn place(policy: &Policy, kind: PolicyKind) -> PolicySet {
    let allow_all = allow_all();
    let mut set = PolicySet::default();
    match kind {
        PolicyKind::Identity | PolicyKind::Session | PolicyKind::Trust => {
            set.identity = vec![policy.clone()]
        }
        PolicyKind::Resource => set.resource = Some(policy.clone()),
        PolicyKind::Boundary => {
            set.identity = vec![allow_all];
            set.boundary = Some(policy.clone());
        }
        PolicyKind::Scp => {
            set.identity = vec![allow_all];
            set.scp = Some(vec![vec![policy.clone()]]);
        }
        PolicyKind::Rcp => {
            set.identity = vec![allow_all];
            set.rcp = Some(vec![vec![policy.clone()]]);
        }
    }
    set
}

fn allow_all() -> Policy {
    use crate::policy::{ActionClause, OneOrMany, ResourceClause, Statement, Version};
    Policy {
        version: Some(Version::V2012_10_17),
        id: None,
        statement: OneOrMany::One(Statement {
            sid: None,
            effect: Effect::Allow,
            principal: None,
            action: ActionClause {
                negated: false,
                patterns: OneOrMany::One("*".to_owned()),
            },
            resource: Some(ResourceClause {
                negated: false,
                patterns: OneOrMany::One("*".to_owned()),
            }),
            condition: None,
        }),
    }
}

/// The principals requests are made as: for resource policies every AWS principal named, an
/// anonymous caller and a fresh account's user; else the user `alice`.
fn principals(policies: &[&Policy], kind: PolicyKind) -> Vec<String> {
    if kind != PolicyKind::Resource {
        return vec![PRINCIPAL.to_owned()];
    }
    let mut out = vec![
        "*".to_owned(),
        "arn:aws:iam::444455556666:user/iamharnessfresh".to_owned(),
    ];
    for clause in policies
        .iter()
        .flat_map(|p| p.statements())
        .filter_map(|s| s.principal.as_ref())
    {
        if let Principal::Map(entries) = &clause.value {
            for (_, values) in entries {
                for value in values.iter().filter(|v| v.starts_with("arn:")) {
                    out.push(value.replace('*', "x"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The contexts to try: all keys missing, then each key at each of its values (others
/// missing), then all keys at once at their first present value.
fn contexts(keys: &BTreeMap<String, KeyValues>) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let mut out = vec![serde_json::Map::new()];
    for (key, values) in keys {
        for value in values.iter().flatten() {
            let mut map = serde_json::Map::new();
            map.insert(key.clone(), value.to_json());
            out.push(map);
        }
    }
    let all: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .filter_map(|(k, v)| {
            v.iter()
                .flatten()
                .find(|v| matches!(v, KeyValue::One(one) if one != abstraction::FRESH_VALUE))
                .map(|v| (k.clone(), v.to_json()))
        })
        .collect();
    if all.len() > 1 {
        out.push(all);
    }
    out
}

/// A case-file request as the comparison writes its witnesses (an S3 resource is placed in
/// the caller's account, which its ARN does not name).
pub fn request_for(
    principal: &str,
    action: &str,
    resource: &str,
    context: &serde_json::Map<String, serde_json::Value>,
) -> TestRequest {
    let resource_account = resource
        .starts_with("arn:aws:s3:::")
        .then(|| ACCOUNT.to_owned());
    TestRequest {
        principal: principal.to_owned(),
        principal_account: None,
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_account,
        context: context.clone(),
        session_issuer: None,
    }
}

/// The evaluator's decisions on both sides, for a request.
fn decide(
    evaluator: &ReferenceEvaluator,
    old: &PolicySet,
    new: &PolicySet,
    request: &Request,
) -> bool {
    evaluator.decide(new, request) == Decision::Allow
        && evaluator.decide(old, request) != Decision::Allow
}

/// Compares two documents of `kind`: every class of requests the new allows and the old does
/// not, each with a confirmed witness.
pub fn compare(old: &Policy, new: &Policy, kind: PolicyKind) -> Comparison {
    compare_with(old, new, kind, &[])
}

/// [`compare`] over an abstraction that the patterns and literals of `extra` refine too (a
/// check's listed actions and resources).
pub fn compare_with(old: &Policy, new: &Policy, kind: PolicyKind, extra: &[&Policy]) -> Comparison {
    let evaluator = ReferenceEvaluator::new();
    let (old_set, new_set) = (place(old, kind), place(new, kind));
    let mut both = vec![old, new];
    both.extend(extra);
    let classes = abstraction::action_classes(&both);
    let resources = abstraction::resources(&both);
    let contexts = contexts(&abstraction::context_values(&both));
    let principals = principals(&both, kind);
    let pairs: Vec<(&ActionClass, &String)> = classes
        .iter()
        .flat_map(|class| resources.iter().map(move |resource| (class, resource)))
        .collect();
    let found: Vec<(usize, Option<Finding>)> = pairs
        .par_iter()
        .map(|&(class, resource)| {
            let Some(representative) = class.actions.first() else {
                return (0, None);
            };
            if !may_allow(&[new], representative, resource) {
                return (0, None);
            }
            let mut evaluated = 0;
            let witness = principals.iter().find_map(|principal| {
                contexts.iter().find_map(|context| {
                    let written = request_for(principal, representative, resource, context);
                    let request = written.to_request().ok()?;
                    evaluated += 1;
                    decide(&evaluator, &old_set, &new_set, &request).then_some((written, request))
                })
            });
            let Some((written, request)) = witness else {
                return (evaluated, None);
            };
            let actions: Vec<String> = class
                .actions
                .iter()
                .filter(|action| {
                    let mut other = request.clone();
                    action.as_ref().clone_into(&mut other.action);
                    evaluated += 1;
                    decide(&evaluator, &old_set, &new_set, &other)
                })
                .map(|action| action.clone().into_owned())
                .collect();
            let old_statements = evaluator.explain(&old_set, &request).1.decided_by;
            let new_statements = evaluator.explain(&new_set, &request).1.decided_by;
            let finding = Finding {
                summary: summary(&actions, resource),
                request: written,
                actions,
                old_statements,
                new_statements,
            };
            (evaluated, Some(finding))
        })
        .collect();
    Comparison {
        kind: kind.as_str(),
        evaluated: found.iter().map(|(n, _)| n).sum(),
        new_access: found.into_iter().filter_map(|(_, f)| f).collect(),
    }
}

/// True when an `Allow` statement of `policies` can match `action` on `resource`, conditions
/// and principals aside (a pattern with a policy variable is taken to match): when none can,
/// no request of the pair is allowed by a set whose allow must come from these policies.
pub fn may_allow(policies: &[&Policy], action: &str, resource: &str) -> bool {
    policies
        .iter()
        .flat_map(|p| p.statements())
        .filter(|s| s.effect == Effect::Allow)
        .any(|s| {
            let action_ok = s.action.negated
                != s.action
                    .patterns
                    .iter()
                    .any(|p| crate::glob::action_matches(p, action));
            let resource_ok = s.resource.as_ref().is_none_or(|clause| {
                clause.patterns.iter().any(|p| p.contains("${"))
                    || clause.negated
                        != clause.patterns.iter().any(|p| {
                            crate::glob::matches(
                                p,
                                resource,
                                crate::glob::CaseSensitivity::Sensitive,
                            )
                        })
            });
            action_ok && resource_ok
        })
}

/// `a, b, c, … (N actions) on resource`.
fn summary(actions: &[String], resource: &str) -> String {
    let shown: Vec<&str> = actions.iter().take(3).map(String::as_str).collect();
    let more = if actions.len() > 3 {
        format!(", … ({} actions)", actions.len())
    } else {
        String::new()
    };
    format!("{}{more} on {resource}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(statements: &str) -> Policy {
        crate::policy::parse_as(
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
            PolicyKind::Identity,
        )
        .unwrap()
    }

    const GET: &str = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#;

    #[test]
    fn same_policy_finds_nothing() {
        assert!(compare(&p(GET), &p(GET), PolicyKind::Identity)
            .new_access
            .is_empty());
    }

    #[test]
    fn widening_lists_every_new_get_action() {
        let wide = r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}"#;
        let found = compare(&p(GET), &p(wide), PolicyKind::Identity);
        let expected: Vec<String> = crate::catalogue::catalogue()
            .matching("s3:Get*")
            .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
            .filter(|a| a != "s3:GetObject")
            .collect();
        let listed: Vec<&String> = found.new_access.iter().flat_map(|f| &f.actions).collect();
        for action in &expected {
            assert!(listed.contains(&action), "{action} missing");
        }
        assert!(!listed.iter().any(|a| *a == "s3:GetObject"));
    }

    #[test]
    fn removed_deny_and_widened_cidr_are_found() {
        let deny =
            r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret/*"}"#;
        let found = compare(&p(&format!("{GET},{deny}")), &p(GET), PolicyKind::Identity);
        assert!(found
            .new_access
            .iter()
            .any(|f| f.request.resource.starts_with("arn:aws:s3:::b/secret/")));
        let ip = |cidr: &str| {
            p(&format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}}}"#
            ))
        };
        let found = compare(&ip("10.0.0.0/24"), &ip("10.0.0.0/16"), PolicyKind::Identity);
        assert!(!found.new_access.is_empty());
        let narrowed = compare(&ip("10.0.0.0/16"), &ip("10.0.0.0/24"), PolicyKind::Identity);
        assert!(narrowed.new_access.is_empty());
    }

    fn condition(operator: &str, key: &str, values: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"{operator}":{{"{key}":{values}}}}}}}"#
        )
    }

    #[test]
    fn later_date_widening_is_found_by_date_neighbours() {
        let before = condition(
            "DateLessThan",
            "aws:CurrentTime",
            r#""2025-01-01T00:00:00Z""#,
        );
        let after = condition(
            "DateGreaterThan",
            "aws:CurrentTime",
            r#""2025-01-01T00:00:00Z""#,
        );
        let found = compare(
            &p(&before),
            &p(&format!("{before},{after}")),
            PolicyKind::Identity,
        );
        let first = found.new_access.first().expect("the later date is new");
        let value = first
            .request
            .context
            .get("aws:currenttime")
            .and_then(|v| v.as_str());
        let later = value
            .and_then(|v| v.parse::<i64>().ok())
            .expect("epoch seconds");
        assert!(later > 1_735_689_600, "{value:?}");
    }

    #[test]
    fn for_all_values_widening_is_found_by_sets() {
        let all = condition("ForAllValues:StringEquals", "aws:TagKeys", r#"["a"]"#);
        let any = condition("ForAnyValue:StringEquals", "aws:TagKeys", r#"["a"]"#);
        let found = compare(&p(&all), &p(&any), PolicyKind::Identity);
        let first = found.new_access.first().expect("{a, fresh} is new");
        let value = first.request.context.get("aws:tagkeys");
        assert_eq!(
            value,
            Some(&serde_json::json!(["a", abstraction::FRESH_VALUE]))
        );
    }

    #[test]
    fn boundary_and_scp_decide_when_placed() {
        let wide = r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#;
        for kind in [PolicyKind::Boundary, PolicyKind::Scp] {
            let found = compare(&p(GET), &p(wide), kind);
            assert!(!found.new_access.is_empty(), "{kind:?}");
        }
    }
}
