//! The case file format (docs/design.md §3): cases, their tests and requests, and turning a case's
//! policies into a [`PolicySet`]. Reading files is [`crate::load`]'s job.
//!
//! A case is one set of policies and one or more tests against it. Policies are kept as the exact
//! JSON text of the file ([`RawValue`]) so that the strict policy parser sees duplicate keys and
//! so that engines in other languages receive the document byte for byte. A policy may also be
//! given as a JSON *string* holding the policy text, to test the parser on exact text.
//!
//! ```json
//! {
//!   "id": "condition/string/string-equals-match",
//!   "description": "StringEquals matches the exact value",
//!   "features": ["condition:StringEquals"],
//!   "source": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"],
//!   "policies": { "identity": [ { "Version": "2012-10-17", "Statement": [] } ] },
//!   "tests": [ { "name": "match", "request": { "principal": "arn:aws:iam::111122223333:user/alice",
//!     "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k" }, "expect": "allow" } ]
//! }
//! ```

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::decision::Decision;
use crate::policy::{self, Policy, PolicyKind, PolicySet, Slot};
use crate::request::Request;

mod error;
mod request;

pub use error::{
    CaseError, CaseErrorKind, CaseErrors, ContextProblem, PolicyTextError, RequestError,
    RequestProblem,
};

/// A policy as written in a case file: a JSON object (the document) or a JSON string holding the
/// document's text.
pub type PolicyText = Box<RawValue>;

/// One case: policies plus tests (docs/design.md §3).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable identifier; the file path under the corpus root mirrors it
    /// (e.g. `condition/string/string-like-star`).
    pub id: String,
    /// One sentence saying what the case checks.
    #[serde(default)]
    pub description: String,
    /// Feature names from `corpus/features.json`; `ambiguous` marks semantics §7 cases.
    #[serde(default)]
    pub features: Vec<String>,
    /// AWS documentation URLs that fix the expected decisions.
    #[serde(default)]
    pub source: Vec<String>,
    /// The policies in force.
    #[serde(default)]
    pub policies: Policies,
    /// The tests: requests with their expected decisions.
    pub tests: Vec<Test>,
}

/// The policies of a case, by type.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policies {
    /// Identity-based policies of the principal (any number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Vec<PolicyText>>,
    /// The resource-based policy (bucket policy, trust policy, key policy…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<PolicyText>,
    /// The principal's permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<PolicyText>,
    /// Session policies of a role or federated-user session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Vec<PolicyText>>,
    /// SCP hierarchy levels, root first, account last; each level a list of documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<Vec<Vec<PolicyText>>>,
    /// RCP hierarchy levels, root first, account last; each level a list of documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcp: Option<Vec<Vec<PolicyText>>>,
    /// The slots (`identity[0]`, `boundary`) whose document is an AWS managed policy, which no
    /// customer size quota binds ([`policy::Origin::AwsManaged`]); every other policy is the
    /// customer's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_managed: Vec<String>,
}

impl Policies {
    /// True when `label` names a slot of these policies that can hold an AWS managed policy: an
    /// identity policy `identity[N]` that exists, or the `boundary` when there is one.
    fn holds_managed_slot(&self, label: &str) -> bool {
        if label == "boundary" {
            return self.boundary.is_some();
        }
        let index = label
            .strip_prefix("identity[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok());
        index.is_some_and(|i| i < self.identity.as_ref().map_or(0, Vec::len))
    }
}

/// One test: a request and the expected decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    /// Short name, unique within the case.
    pub name: String,
    /// The request.
    pub request: TestRequest,
    /// The expected decision (`invalid`: a policy of the case must be rejected).
    pub expect: Decision,
}

/// A request as written in a case file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// The caller: an ARN, a service principal (`ec2.amazonaws.com`) or `*` (anonymous).
    pub principal: String,
    /// The caller's account, when the ARN does not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_account: Option<String>,
    /// The action, `service:Name`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The resource's account, when the ARN does not carry it (S3 ARNs never do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// Condition keys: strings, numbers, booleans, arrays of them, or `null` for a key that must
    /// stay missing (not derived).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub context: serde_json::Map<String, serde_json::Value>,
    /// For a federated-user session: the IAM user ARN that called GetFederationToken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_issuer: Option<String>,
}

/// The text of a policy given in a case: the document itself, or the text inside a JSON string.
pub fn policy_text(raw: &RawValue) -> Result<std::borrow::Cow<'_, str>, PolicyTextError> {
    let text = raw.get();
    if text.trim_start().starts_with('"') {
        serde_json::from_str::<String>(text)
            .map(std::borrow::Cow::Owned)
            .map_err(PolicyTextError)
    } else {
        Ok(std::borrow::Cow::Borrowed(text))
    }
}

/// Makes a [`PolicyText`] from a JSON value (used by generators and scenario compilation).
pub fn policy_from_value(value: &serde_json::Value) -> PolicyText {
    // Serialising a `Value` cannot fail and always yields valid JSON.
    RawValue::from_string(value.to_string()).unwrap_or_else(|_| empty_object())
}

fn empty_object() -> PolicyText {
    // `{}` is valid JSON; `RawValue::NULL` is the fallback that cannot fail.
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn parse_one(
    raw: &PolicyText,
    kind: PolicyKind,
    slot: Slot,
    aws_managed: &[String],
    errors: &mut Vec<String>,
) -> Option<Policy> {
    let text = match policy_text(raw) {
        Ok(text) => text,
        Err(e) => {
            errors.push(format!("{slot}: {e}"));
            return None;
        }
    };
    let label = slot.to_string();
    let origin = match aws_managed.contains(&label) {
        true => policy::Origin::AwsManaged,
        false => policy::Origin::Customer,
    };
    match policy::parse_as_from(&text, kind, origin) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.extend(e.0.into_iter().map(|err| format!("{slot}: {err}")));
            None
        }
    }
}

fn parse_levels(
    levels: &[Vec<PolicyText>],
    slot: fn(usize, usize) -> Slot,
    errors: &mut Vec<String>,
) -> Vec<Vec<Policy>> {
    levels
        .iter()
        .enumerate()
        .map(|(level, docs)| {
            docs.iter()
                .enumerate()
                .filter_map(|(document, raw)| {
                    let slot = slot(level, document);
                    parse_one(raw, slot.kind(), slot, &[], errors)
                })
                .collect()
        })
        .collect()
}

impl Case {
    /// Parses and validates every policy of the case by the kind of its slot. The resource
    /// policy is validated as a generic resource policy here, and as a trust policy per request
    /// in [`Case::check_trust`]. Every problem is collected; each names the slot (`identity[0]`,
    /// `scp[1][0]`…), the JSON path and the reason.
    pub fn policy_set(&self) -> Result<PolicySet, Vec<String>> {
        let p = &self.policies;
        let mut errors = Vec::new();
        let mut list = |docs: &Option<Vec<PolicyText>>, slot: fn(usize) -> Slot| -> Vec<Policy> {
            docs.iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, raw)| {
                    parse_one(raw, slot(i).kind(), slot(i), &p.aws_managed, &mut errors)
                })
                .collect()
        };
        let identity = list(&p.identity, Slot::Identity);
        let session = list(&p.session, Slot::Session);
        let resource = p
            .resource
            .as_ref()
            .and_then(|raw| parse_one(raw, PolicyKind::Resource, Slot::Resource, &[], &mut errors));
        let boundary = p.boundary.as_ref().and_then(|raw| {
            parse_one(
                raw,
                PolicyKind::Boundary,
                Slot::Boundary,
                &p.aws_managed,
                &mut errors,
            )
        });
        let scp = p.scp.as_ref().map(|levels| {
            parse_levels(
                levels,
                |level, document| Slot::Scp { level, document },
                &mut errors,
            )
        });
        let rcp = p.rcp.as_ref().map(|levels| {
            parse_levels(
                levels,
                |level, document| Slot::Rcp { level, document },
                &mut errors,
            )
        });
        if errors.is_empty() {
            Ok(PolicySet {
                identity,
                resource,
                boundary,
                session,
                scp,
                rcp,
            })
        } else {
            Err(errors)
        }
    }

    /// Validates the case's resource policy as a role trust policy when `request` assumes a role
    /// ([`Request::is_trust_request`]).
    pub fn check_trust(&self, request: &Request) -> Result<(), Vec<String>> {
        let Some(raw) = self.policies.resource.as_ref() else {
            return Ok(());
        };
        if !request.is_trust_request() {
            return Ok(());
        }
        let mut errors = Vec::new();
        let text = match policy_text(raw) {
            Ok(text) => text,
            Err(e) => return Err(vec![format!("resource (trust policy): {e}")]),
        };
        if let Err(e) = policy::parse_as(&text, PolicyKind::Trust) {
            errors.extend(
                e.0.into_iter()
                    .map(|err| format!("resource (trust policy): {err}")),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Parses a case from JSON text; `file` names the source in errors. A syntax or shape error
    /// stops the parse (serde reports the first); past it, every problem is collected.
    pub fn from_json(text: &str, file: &str) -> Result<Case, CaseErrors> {
        let case: Case = serde_json::from_str(text).map_err(|e| CaseError::from_json(file, &e))?;
        case.check(file)?;
        Ok(case)
    }

    /// Checks what serde cannot — a non-empty id, at least one test, unique test names, context
    /// values a condition key can hold — and reports every problem. Requests are checked, not
    /// converted: the engine converts each one once, when it decides it.
    pub fn check(&self, file: &str) -> Result<(), CaseErrors> {
        let mut problems = Vec::new();
        if self.id.trim().is_empty() {
            problems.push(CaseError::new(
                CaseErrorKind::EmptyId,
                file,
                "id",
                "the case id is empty",
            ));
        }
        if self.tests.is_empty() {
            problems.push(CaseError::new(
                CaseErrorKind::NoTests,
                file,
                "tests",
                "a case needs at least one test",
            ));
        }
        for (index, label) in self.policies.aws_managed.iter().enumerate() {
            if !self.policies.holds_managed_slot(label) {
                problems.push(CaseError::new(
                    CaseErrorKind::BadReference,
                    file,
                    format!("policies.aws_managed[{index}]"),
                    format!(
                        "`{label}` is not an identity policy (`identity[N]`) or the `boundary` of this case"
                    ),
                ));
            }
        }
        let mut names = HashSet::with_capacity(self.tests.len());
        for (index, test) in self.tests.iter().enumerate() {
            if !names.insert(test.name.as_str()) {
                problems.push(CaseError::new(
                    CaseErrorKind::DuplicateName,
                    file,
                    format!("tests[{index}].name"),
                    format!("duplicate test name `{}`", test.name),
                ));
            }
            for error in test.request.problems() {
                problems.push(CaseError::new(
                    error.kind(),
                    file,
                    format!("tests[{index}].{}", error.path()),
                    error.problem.to_string(),
                ));
            }
        }
        CaseErrors::check(problems)
    }

    /// Serialises the case as pretty JSON (policies keep their exact text).
    #[expect(
        clippy::expect_used,
        reason = "every map key is a string and every `RawValue` was checked JSON when it was made"
    )]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a case always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"{
      "id": "x/y", "features": ["f"], "source": ["https://docs.aws.amazon.com/x"],
      "policies": {"identity": [{"Version":"2012-10-17","Statement":[]}], "resource": "{\"a\":1}"},
      "tests": [{"name":"t","request":{"principal":"arn:aws:iam::111122223333:user/a",
        "action":"s3:GetObject","resource":"*","context":{"aws:TagKeys":["a",1,true],"k":null}},
        "expect":"allow"}]
    }"#;

    #[test]
    fn loads_and_keeps_policy_text() {
        let case = Case::from_json(CASE, "mem").unwrap();
        let identity = case.policies.identity.as_ref().unwrap();
        assert_eq!(
            identity[0].get(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        let resource = case.policies.resource.as_ref().unwrap();
        assert_eq!(policy_text(resource).unwrap(), r#"{"a":1}"#);
        let req = case.tests[0].request.to_request().unwrap();
        assert_eq!(
            req.context.get("aws:tagkeys"),
            crate::request::Lookup::Multi(&["a".to_string(), "1".into(), "true".into()])
        );
    }

    #[test]
    fn errors_name_the_place() {
        let bad = CASE.replace("\"k\":null", "\"k\":{\"x\":1}");
        let e = Case::from_json(&bad, "f.json").unwrap_err();
        let e = e.first();
        assert_eq!(e.path, "tests[0].request.context.k");
        let e = Case::from_json(&CASE.replace("\"expect\"", "\"expected\""), "f.json").unwrap_err();
        let e = e.first();
        assert!(e.message.contains("unknown field `expected`"), "{e}");
        assert!(e.path.starts_with("line "), "{e}");
        let e = Case::from_json("{", "f.json").unwrap_err();
        assert_eq!(e.first().file, "f.json");
        assert_eq!(e.first().kind, CaseErrorKind::Syntax);
    }

    #[test]
    fn every_problem_is_collected() {
        let bad = CASE
            .replace("\"id\": \"x/y\"", "\"id\": \" \"")
            .replace("\"k\":null", "\"k\":{\"x\":1},\"l\":[[1]]")
            .replace(
                "\"expect\":\"allow\"}]",
                "\"expect\":\"allow\"},{\"name\":\"t\",\"request\":{\"principal\":\"*\",\"action\":\"s3:GetObject\",\"resource\":\"*\"},\"expect\":\"allow\"}]",
            );
        let errors = Case::from_json(&bad, "f.json").unwrap_err();
        let found: Vec<(CaseErrorKind, &str)> =
            errors.iter().map(|e| (e.kind, e.path.as_str())).collect();
        assert_eq!(
            found,
            [
                (CaseErrorKind::EmptyId, "id"),
                (CaseErrorKind::BadContext, "tests[0].request.context.k"),
                (CaseErrorKind::BadContext, "tests[0].request.context.l"),
                (CaseErrorKind::DuplicateName, "tests[1].name"),
            ]
        );
        assert_eq!(errors.to_string().lines().count(), 4, "{errors}");
    }
}
