//! Near misses: for a request that is not allowed, the `Allow` statements that name it —
//! principal, action and resource all match — but whose condition fails, each with the first
//! failing key, its operator, the policy's values and what the request had (or that the key is
//! missing). This is what a person fixing a denial needs first ("the statement is there, the
//! `aws:SourceVpc` it wants is `vpc-1` and the request came from `vpc-2`"). It is computed only
//! on request ([`super::ReferenceEvaluator::with_near_misses`]) and never changes a decision.

use crate::policy::{Effect, PolicySet};
use crate::request::{Lookup, Request};

use super::condition::condition_entry_holds;
use super::statement::target_matches;

/// At most this many near misses are listed for one request.
const MAX_LISTED: usize = 5;

/// The near misses of `request` under `set`, one line each, in slot order.
pub fn near_misses(set: &PolicySet, request: &Request) -> Vec<String> {
    let mut found = Vec::new();
    let has_boundary = set.boundary.is_some();
    for (slot, policy) in set.slots() {
        for (index, statement) in policy.statements().iter().enumerate() {
            if statement.effect != Effect::Allow || found.len() == MAX_LISTED {
                continue;
            }
            let Some(conditions) = statement.condition.as_deref() else {
                continue;
            };
            if target_matches(statement, policy, request, has_boundary).is_none() {
                continue;
            }
            let failing = conditions.iter().find_map(|condition| {
                condition
                    .entries
                    .iter()
                    .find(|entry| {
                        !condition_entry_holds(
                            &condition.operator,
                            entry,
                            &request.context,
                            policy.has_variables(),
                        )
                    })
                    .map(|entry| (condition, entry))
            });
            let Some((condition, entry)) = failing else {
                continue;
            };
            let wanted: Vec<&str> = entry
                .values
                .as_slice()
                .iter()
                .map(|v| v.text.as_str())
                .collect();
            let had = match request.context.get(&entry.key) {
                Lookup::Missing => "the key is missing from the request".to_owned(),
                Lookup::Single(value) => format!("the request has `{value}`"),
                Lookup::Multi(values) => format!("the request has {values:?}"),
            };
            let sid = statement
                .sid
                .as_deref()
                .map(|sid| format!(" ({sid})"))
                .unwrap_or_default();
            found.push(format!(
                "near miss: {slot} statement {index}{sid} matches the action and resource, but \
                 its condition `{}` on `{}` wants {wanted:?}: {had}",
                condition.operator, entry.key
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::engine::reference::ReferenceEvaluator;
    use crate::{Case, Evaluator, Outcome};

    fn notes(engine: ReferenceEvaluator, context: &str) -> Vec<String> {
        let case: Case = serde_json::from_str(&format!(
            r#"{{"id":"near","policies":{{"identity":[{{"Version":"2012-10-17","Statement":[
              {{"Sid":"FromVpc","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
                "Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-1"}}}}}},
              {{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{{"Bool":{{"aws:SecureTransport":"true"}}}}}}]}}]}},
              "tests":[{{"name":"t","request":{{"principal":"arn:aws:iam::111122223333:user/a",
                "action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{context}}},"expect":"allow"}}]}}"#
        ))
        .expect("a valid case");
        match engine.evaluate(&case).pop() {
            Some(Outcome::Decided {
                explanation: Some(e),
                ..
            }) => e.notes,
            other => panic!("not decided: {other:?}"),
        }
    }

    #[test]
    fn a_denial_lists_the_statement_that_almost_matched_and_why() {
        let engine = ReferenceEvaluator::new().with_near_misses();
        let wrong = notes(engine, r#"{"aws:SourceVpc":"vpc-2"}"#);
        assert_eq!(
            wrong.len(),
            1,
            "the PutObject statement is no near miss: {wrong:?}"
        );
        assert!(
            wrong[0].contains("identity[0] statement 0 (FromVpc)"),
            "{}",
            wrong[0]
        );
        assert!(
            wrong[0].contains(
                "`StringEquals` on `aws:SourceVpc` wants [\"vpc-1\"]: the request has `vpc-2`"
            ),
            "{}",
            wrong[0]
        );
        let missing = notes(engine, "{}");
        assert!(
            missing[0].ends_with("the key is missing from the request"),
            "{}",
            missing[0]
        );
        assert!(
            notes(engine, r#"{"aws:SourceVpc":"vpc-1"}"#).is_empty(),
            "an allow has none"
        );
        assert!(
            notes(ReferenceEvaluator::new(), "{}").is_empty(),
            "runs leave them out"
        );
    }
}
