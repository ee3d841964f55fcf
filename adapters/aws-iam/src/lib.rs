//! The [`aws-iam`](https://crates.io/crates/aws-iam) crate's offline evaluator
//! (`aws_iam::offline`, feature `offline_eval`) wired to the harness's [`Evaluator`] trait, so the
//! harness runs it in-process.
//!
//! The crate evaluates a list of identity-style policies against a request made of an action, a
//! resource and an environment of condition keys. It knows nothing of resource policies,
//! boundaries, session policies, SCPs or RCPs, so cases carrying any of those are skipped.
//!
//! Its result is two-valued (`Allow` or `Deny(source, message)`) and it never reads a statement's
//! `Effect`, so it cannot report an explicit deny: every `Deny` maps to
//! [`Decision::ImplicitDeny`], with the crate's own reason in the explanation. A policy the
//! crate's parser rejects maps to [`Decision::Invalid`]. The adapter only translates; it never
//! corrects the engine.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use aws_iam::model::{ConditionValue, Policy, QString};
use aws_iam::offline::{evaluate_all, Environment, EvaluationResult, Request as AwsRequest};
use iam_harness::case::{policy_text, Case, Policies, Test};
use iam_harness::decision::{Decision, Explanation};
use iam_harness::engine::{EngineInfo, Evaluator, Outcome};
use iam_harness::request::ContextEntry;

/// The exact `aws-iam` version this adapter is built against (pinned in `Cargo.toml`).
pub const ENGINE_VERSION: &str = "0.2.2";

/// The features claimed, and why, are listed in this crate's README: only what the crate's
/// offline evaluator implements (even where it implements it wrongly).
pub const FEATURES: &[&str] = &[
    "identity",
    "implicit-deny",
    "action",
    "action:wildcard",
    "not-action",
    "resource",
    "not-resource",
    "arn:wildcard",
    "condition:logic",
    "condition:StringEquals",
    "condition:StringNotEquals",
    "condition:StringEqualsIgnoreCase",
    "condition:StringNotEqualsIgnoreCase",
    "condition:IfExists",
    "condition:ForAllValues",
    "condition:ForAnyValue",
    "missing-key",
    "variables",
    "global-keys",
    "parse",
];

/// The `aws-iam` crate's offline evaluator as an [`Evaluator`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsIam;

impl Evaluator for AwsIam {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: "aws-iam".to_owned(),
            version: ENGINE_VERSION.to_owned(),
            language: "Rust".to_owned(),
            homepage: "https://crates.io/crates/aws-iam".to_owned(),
            features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    fn evaluate(&self, case: &Case) -> Vec<Outcome> {
        let tests = case.tests.len();
        if let Some(reason) = unsupported_policies(&case.policies) {
            return vec![Outcome::Skipped(reason); tests];
        }
        let policies = match parse_identity(&case.policies) {
            Ok(policies) => policies,
            Err(reason) => {
                let outcome = Outcome::Decided {
                    decision: Decision::Invalid,
                    explanation: Some(Explanation {
                        reason,
                        ..Explanation::default()
                    }),
                };
                return vec![outcome; tests];
            }
        };
        let refs: Vec<&Policy> = policies.iter().collect();
        case.tests.iter().map(|t| evaluate_test(&refs, t)).collect()
    }
}

/// Names the first policy kind of the case the crate cannot evaluate.
fn unsupported_policies(policies: &Policies) -> Option<String> {
    let levels_used = |levels: &Option<Vec<Vec<_>>>| {
        levels
            .as_ref()
            .is_some_and(|l| l.iter().any(|level| !level.is_empty()))
    };
    let kind = if policies.resource.is_some() {
        "resource"
    } else if policies.boundary.is_some() {
        "boundary"
    } else if policies.session.as_ref().is_some_and(|s| !s.is_empty()) {
        "session"
    } else if levels_used(&policies.scp) {
        "scp"
    } else if levels_used(&policies.rcp) {
        "rcp"
    } else {
        return None;
    };
    Some(format!(
        "aws-iam evaluates identity policies only; the case has a `{kind}` policy"
    ))
}

/// The message of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Parses the identity policies with the crate's own parser; the error names the policy.
fn parse_identity(policies: &Policies) -> Result<Vec<Policy>, String> {
    let Some(identity) = &policies.identity else {
        return Ok(Vec::new());
    };
    identity
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let text = policy_text(raw).map_err(|e| format!("identity[{i}]: {e}"))?;
            match catch_unwind(|| aws_iam::io::read_from_string(&text)) {
                Ok(Ok(policy)) => Ok(policy),
                Ok(Err(e)) => Err(format!("identity[{i}]: aws-iam rejects the policy: {e:?}")),
                Err(payload) => Err(format!(
                    "identity[{i}]: aws-iam's parser panicked: {}",
                    panic_message(payload.as_ref())
                )),
            }
        })
        .collect()
}

/// Builds the crate's environment from the request context (with the derived global keys).
/// The crate has no multivalued values: such a key makes the test unrepresentable.
#[expect(
    clippy::result_large_err,
    reason = "the error is the test's outcome itself, built at most once per test"
)]
fn environment(test: &Test) -> Result<Environment, Outcome> {
    let request = test
        .request
        .to_request()
        .map_err(|error| Outcome::Errored(error.to_string()))?;
    let mut environment = Environment::new();
    for (key, entry) in request.context.entries() {
        let value = match entry {
            ContextEntry::Null => continue,
            ContextEntry::Single(value) => value,
            ContextEntry::Multi(_) => {
                return Err(Outcome::Skipped(format!(
                    "aws-iam has no multivalued context values (key `{key}`)"
                )))
            }
        };
        // A key the crate cannot name (e.g. `aws:RequestTag/a:b`) can never be referenced by a
        // policy it parsed, so leaving it out changes nothing.
        if let Ok(name) = QString::from_str(key) {
            environment.insert(name, ConditionValue::String(value.clone()));
        }
    }
    Ok(environment)
}

/// Decides one test.
fn evaluate_test(policies: &[&Policy], test: &Test) -> Outcome {
    let environment = match environment(test) {
        Ok(environment) => environment,
        Err(outcome) => return outcome,
    };
    let action = match QString::from_str(&test.request.action) {
        Ok(action) => action,
        Err(e) => {
            return Outcome::Errored(format!(
                "aws-iam cannot read the action `{}`: {e:?}",
                test.request.action
            ))
        }
    };
    let request = AwsRequest {
        request_id: None,
        principal: None,
        action,
        resource: test.request.resource.clone(),
        environment,
    };
    match catch_unwind(AssertUnwindSafe(|| evaluate_all(&request, policies))) {
        Ok(Ok(EvaluationResult::Allow)) => Outcome::Decided {
            decision: Decision::Allow,
            explanation: None,
        },
        Ok(Ok(deny @ EvaluationResult::Deny(..))) => Outcome::Decided {
            decision: Decision::ImplicitDeny,
            explanation: Some(Explanation {
                reason: deny.to_string(),
                ..Explanation::default()
            }),
        },
        Ok(Err(e)) => Outcome::Errored(format!("aws-iam evaluation error: {e:?}")),
        Err(payload) => Outcome::Errored(format!(
            "aws-iam panicked: {}",
            panic_message(payload.as_ref())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn case(policies: &str, action: &str, resource: &str, context: &str) -> Case {
        let text = format!(
            r#"{{"id":"t","policies":{policies},"tests":[{{"name":"a","request":{{
            "principal":"arn:aws:iam::111122223333:user/alice","action":"{action}",
            "resource":"{resource}","context":{context}}},"expect":"allow"}}]}}"#
        );
        Case::from_json(&text, "<test>").expect("test case parses")
    }

    fn allow(statement: &str) -> String {
        format!(r#"{{"identity":[{{"Version":"2012-10-17","Statement":[{statement}]}}]}}"#)
    }

    fn decide(c: &Case) -> Outcome {
        let mut outcomes = AwsIam.evaluate(c);
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    #[rstest]
    #[case::match_allows(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"}"#,
        "s3:GetObject",
        Decision::Allow
    )]
    #[case::other_action(
        r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/k"}"#,
        "s3:GetObject",
        Decision::ImplicitDeny
    )]
    #[case::trailing_star(
        r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}"#,
        "s3:GetObject",
        Decision::Allow
    )]
    // The crate never reads `Effect`: a matching Deny statement allows. Recorded here so a fixed
    // release of the crate shows up as a failing test of the adapter.
    #[case::effect_ignored(
        r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"}"#,
        "s3:GetObject",
        Decision::Allow
    )]
    fn decides_like_the_crate(
        #[case] statement: &str,
        #[case] action: &str,
        #[case] expected: Decision,
    ) {
        let c = case(&allow(statement), action, "arn:aws:s3:::b/k", "{}");
        assert_eq!(decide(&c).decision(), Some(expected));
    }

    #[test]
    fn condition_sees_derived_global_keys() {
        let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k",
            "Condition":{"StringEquals":{"aws:username":"alice"}}}"#;
        let c = case(&allow(statement), "s3:GetObject", "arn:aws:s3:::b/k", "{}");
        assert_eq!(decide(&c).decision(), Some(Decision::Allow));
        let statement = statement.replace("alice", "bob");
        let c = case(&allow(&statement), "s3:GetObject", "arn:aws:s3:::b/k", "{}");
        assert_eq!(decide(&c).decision(), Some(Decision::ImplicitDeny));
    }

    #[test]
    fn unparsable_policy_is_invalid() {
        let c = case(
            r#"{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}]}"#,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "{}",
        );
        assert_eq!(decide(&c).decision(), Some(Decision::Invalid));
    }

    #[test]
    fn other_policy_kinds_are_skipped() {
        let c = case(
            r#"{"identity":[],"boundary":{"Version":"2012-10-17","Statement":[]}}"#,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "{}",
        );
        assert!(matches!(decide(&c), Outcome::Skipped(reason) if reason.contains("boundary")));
    }

    #[test]
    fn multivalued_context_is_skipped() {
        let statement = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
        let c = case(
            &allow(statement),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            r#"{"aws:TagKeys":["a","b"]}"#,
        );
        assert!(matches!(decide(&c), Outcome::Skipped(_)));
    }

    #[test]
    fn resource_star_panics_in_the_crate_and_is_reported_as_an_error() {
        // aws-iam 0.2.2 reads `"Resource": "*"` as a one-element list and indexes past the end of
        // the pattern's (empty) ARN split.
        let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
        let c = case(&allow(statement), "s3:GetObject", "arn:aws:s3:::b/k", "{}");
        assert!(matches!(decide(&c), Outcome::Errored(m) if m.contains("panicked")));
    }

    #[test]
    fn a_panic_in_the_crate_is_an_error_not_a_crash() {
        // aws-iam 0.2.2 slices out of bounds on resource ARNs with more than six `:` fields.
        let statement = r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:ecs:us-east-1:111122223333:task-definition/a:1"}"#;
        let c = case(
            &allow(statement),
            "ecs:RunTask",
            "arn:aws:ecs:us-east-1:111122223333:task-definition/a:1",
            "{}",
        );
        assert!(matches!(decide(&c), Outcome::Errored(m) if m.contains("panicked")));
    }
}
