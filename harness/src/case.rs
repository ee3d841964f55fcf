//! The case file format (DESIGN.md §3): cases, their tests and requests, and turning a case's
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
use crate::request::{Context, ContextEntry, Request};

/// A policy as written in a case file: a JSON object (the document) or a JSON string holding the
/// document's text.
pub type PolicyText = Box<RawValue>;

/// One case: policies plus tests (DESIGN.md §3).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable identifier; the file path under the corpus root mirrors it
    /// (e.g. `condition/string/string-like-star`).
    pub id: String,
    /// One sentence saying what the case checks.
    #[serde(default)]
    pub description: String,
    /// Feature names from `corpus/features.json`; `ambiguous` marks IAM-SPEC §7 cases.
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

/// What kind of problem a [`CaseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseErrorKind {
    /// The file or folder cannot be read (or does not exist).
    Unreadable,
    /// The text is not JSON.
    Syntax,
    /// The JSON is not a case or a scenario: a missing or unknown field, a value of the wrong
    /// type.
    Shape,
    /// The case id is empty.
    EmptyId,
    /// The case has no tests.
    NoTests,
    /// Two tests of a case (or two expectations of a scenario) have the same name.
    DuplicateName,
    /// A request's context holds a value no condition key can have.
    BadContext,
    /// A scenario refers to an account, principal or resource it does not define, or uses a
    /// principal that is not a role as a resource.
    BadReference,
    /// A scenario principal is not exactly one kind of caller, or lacks what its kind needs.
    BadPrincipal,
}

/// One problem of a case or case file: its kind, the file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct CaseError {
    /// What kind of problem it is.
    pub kind: CaseErrorKind,
    /// The file (or `<memory>`).
    pub file: String,
    /// Where in the file: a JSON path such as `tests[1].request.context.aws:TagKeys`, or
    /// `line 3 column 7` for a syntax error; empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl CaseError {
    /// A problem of `kind` in `file` at `path`.
    pub fn new(
        kind: CaseErrorKind,
        file: &str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> CaseError {
        CaseError {
            kind,
            file: file.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// The problem serde met reading `file`: a syntax error, or JSON of the wrong shape, placed
    /// by line and column (serde stops at the first).
    pub fn from_json(file: &str, error: &serde_json::Error) -> CaseError {
        let kind = match error.classify() {
            serde_json::error::Category::Io => CaseErrorKind::Unreadable,
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                CaseErrorKind::Syntax
            }
            serde_json::error::Category::Data => CaseErrorKind::Shape,
        };
        CaseError::new(
            kind,
            file,
            format!("line {} column {}", error.line(), error.column()),
            error.to_string(),
        )
    }
}

/// Every problem found in one case file (never empty), in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseErrors {
    /// The first problem (kept apart so the list cannot be empty).
    first: CaseError,
    /// The others.
    rest: Vec<CaseError>,
}

impl CaseErrors {
    /// The problems of `problems`, or `None` when there are none.
    pub fn collect(problems: Vec<CaseError>) -> Option<CaseErrors> {
        let mut problems = problems.into_iter();
        let first = problems.next()?;
        Some(CaseErrors {
            first,
            rest: problems.collect(),
        })
    }

    /// `Ok(())` when `problems` is empty, else every problem.
    pub fn check(problems: Vec<CaseError>) -> Result<(), CaseErrors> {
        CaseErrors::collect(problems).map_or(Ok(()), Err)
    }

    /// The first problem.
    pub fn first(&self) -> &CaseError {
        &self.first
    }

    /// Every problem, in order.
    pub fn iter(&self) -> impl Iterator<Item = &CaseError> {
        std::iter::once(&self.first).chain(&self.rest)
    }

    /// The file the (first) problem is in.
    pub fn file(&self) -> &str {
        &self.first.file
    }
}

impl From<CaseError> for CaseErrors {
    fn from(first: CaseError) -> CaseErrors {
        CaseErrors {
            first,
            rest: Vec::new(),
        }
    }
}

impl IntoIterator for CaseErrors {
    type Item = CaseError;
    type IntoIter = std::iter::Chain<std::iter::Once<CaseError>, std::vec::IntoIter<CaseError>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first).chain(self.rest)
    }
}

/// One problem a line, each as `file: path: message`.
impl std::fmt::Display for CaseErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first)?;
        for problem in &self.rest {
            write!(f, "\n{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseErrors {}

/// Why a context value of a written request cannot be a condition key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContextProblem {
    /// An object (a condition key holds a scalar or a list of scalars).
    #[error("a context value is a string, number, boolean, array or null")]
    Object,
    /// A list holding something other than strings, numbers and booleans.
    #[error("a multivalued key holds strings, numbers or booleans only")]
    NestedInList,
}

/// A written request that cannot become a [`Request`]: the context key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request.context.{key}: {problem}")]
pub struct RequestError {
    /// The context key as written.
    pub key: String,
    /// What is wrong with its value.
    pub problem: ContextProblem,
}

impl RequestError {
    /// The JSON path of the bad value inside its test: `request.context.KEY`.
    pub fn path(&self) -> String {
        format!("request.context.{}", self.key)
    }
}

impl TestRequest {
    /// Turns the written request into a [`Request`], deriving the global keys. The error names
    /// the first context key whose value no condition key can have.
    pub fn to_request(&self) -> Result<Request, RequestError> {
        let mut context = Context::new();
        for (key, value) in &self.context {
            let entry = context_entry(value).map_err(|problem| RequestError {
                key: key.clone(),
                problem,
            })?;
            context.insert(key.clone(), entry);
        }
        let mut request = Request::new(
            self.principal.clone(),
            self.principal_account.clone(),
            self.action.clone(),
            self.resource.clone(),
            self.resource_account.clone(),
            context,
        );
        request.session_issuer = self.session_issuer.clone();
        Ok(request)
    }

    /// Every context key whose value no condition key can have, with what is wrong — the check
    /// [`TestRequest::to_request`] makes, without building the request.
    pub fn context_problems(&self) -> impl Iterator<Item = RequestError> + '_ {
        self.context.iter().filter_map(|(key, value)| {
            context_problem(value).map(|problem| RequestError {
                key: key.clone(),
                problem,
            })
        })
    }
}

/// True for the values a condition key holds one of: strings, numbers, booleans.
fn is_scalar(value: &serde_json::Value) -> bool {
    matches!(
        value,
        serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_)
    )
}

/// What is wrong with a written context value, if anything: the one rule of what a context
/// holds (`null`, a scalar, or a list of scalars).
fn context_problem(value: &serde_json::Value) -> Option<ContextProblem> {
    match value {
        serde_json::Value::Object(_) => Some(ContextProblem::Object),
        serde_json::Value::Array(items) if !items.iter().all(is_scalar) => {
            Some(ContextProblem::NestedInList)
        }
        _ => None,
    }
}

/// A scalar's text: strings as they are, numbers and booleans as JSON writes them; `None` for
/// anything else.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn context_entry(value: &serde_json::Value) -> Result<ContextEntry, ContextProblem> {
    if let Some(problem) = context_problem(value) {
        return Err(problem);
    }
    Ok(match value {
        // Every item is a scalar (checked above), so none is left out.
        serde_json::Value::Array(items) => {
            ContextEntry::Multi(items.iter().filter_map(scalar_text).collect())
        }
        // A scalar, or `null` (objects were refused above): a key that stays missing.
        single => scalar_text(single).map_or(ContextEntry::Null, ContextEntry::Single),
    })
}

/// The text of a policy given in a case: the document itself, or the text inside a JSON string.
pub fn policy_text(raw: &RawValue) -> Result<std::borrow::Cow<'_, str>, String> {
    let text = raw.get();
    if text.trim_start().starts_with('"') {
        serde_json::from_str::<String>(text)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| format!("policy string is not valid JSON text: {e}"))
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
    errors: &mut Vec<String>,
) -> Option<Policy> {
    let text = match policy_text(raw) {
        Ok(text) => text,
        Err(e) => {
            errors.push(format!("{slot}: {e}"));
            return None;
        }
    };
    match policy::parse_as(&text, kind) {
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
                    parse_one(raw, slot.kind(), slot, errors)
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
                .filter_map(|(i, raw)| parse_one(raw, slot(i).kind(), slot(i), &mut errors))
                .collect()
        };
        let identity = list(&p.identity, Slot::Identity);
        let session = list(&p.session, Slot::Session);
        let resource = p
            .resource
            .as_ref()
            .and_then(|raw| parse_one(raw, PolicyKind::Resource, Slot::Resource, &mut errors));
        let boundary = p
            .boundary
            .as_ref()
            .and_then(|raw| parse_one(raw, PolicyKind::Boundary, Slot::Boundary, &mut errors));
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
            for error in test.request.context_problems() {
                problems.push(CaseError::new(
                    CaseErrorKind::BadContext,
                    file,
                    format!("tests[{index}].{}", error.path()),
                    error.problem.to_string(),
                ));
            }
        }
        CaseErrors::check(problems)
    }

    /// Serialises the case as pretty JSON (policies keep their exact text).
    pub fn to_json_pretty(&self) -> String {
        // Serialising cannot fail: every map key is a string and every `RawValue` was checked
        // JSON when it was made, so the empty fallback is never taken.
        serde_json::to_string_pretty(self).unwrap_or_default()
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
