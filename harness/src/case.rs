//! The case file format (DESIGN.md §3) and its loader.
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

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::engine::Decision;
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

/// What a test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Allowed.
    Allow,
    /// Denied by a matching Deny statement.
    ExplicitDeny,
    /// Denied for want of an allow.
    ImplicitDeny,
    /// A policy of the case must be rejected as invalid.
    Invalid,
}

impl Expect {
    /// The decision that satisfies this expectation.
    pub fn decision(self) -> Decision {
        match self {
            Expect::Allow => Decision::Allow,
            Expect::ExplicitDeny => Decision::ExplicitDeny,
            Expect::ImplicitDeny => Decision::ImplicitDeny,
            Expect::Invalid => Decision::Invalid,
        }
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
    /// The expected decision.
    pub expect: Expect,
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

/// A malformed case or case file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct CaseError {
    /// The file (or `<memory>`).
    pub file: String,
    /// Where in the file: a JSON path such as `tests[1].request.context.aws:TagKeys`, or
    /// `line 3 column 7` for a syntax error.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl TestRequest {
    /// Turns the written request into a [`Request`], deriving the global keys. Errors name the
    /// offending context key.
    pub fn to_request(&self) -> Result<Request, (String, String)> {
        let mut context = Context::new();
        for (key, value) in &self.context {
            let entry = context_entry(value)
                .map_err(|message| (format!("request.context.{key}"), message))?;
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
}

fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn context_entry(value: &serde_json::Value) -> Result<ContextEntry, String> {
    match value {
        serde_json::Value::Null => Ok(ContextEntry::Null),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| {
                scalar_text(item).ok_or_else(|| {
                    "a multivalued key holds strings, numbers or booleans only".to_owned()
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(ContextEntry::Multi),
        serde_json::Value::Object(_) => {
            Err("a context value is a string, number, boolean, array or null".to_owned())
        }
        scalar => scalar_text(scalar)
            .map(ContextEntry::Single)
            .ok_or_else(|| "unsupported context value".to_owned()),
    }
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

impl Case {
    /// Parses a case from JSON text; `file` names the source in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Case, CaseError> {
        let case: Case = serde_json::from_str(text).map_err(|e| CaseError {
            file: file.to_owned(),
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        case.check(file)?;
        Ok(case)
    }

    /// Checks what serde cannot: non-empty id and tests, unique test names, valid contexts.
    fn check(&self, file: &str) -> Result<(), CaseError> {
        let err = |path: String, message: String| CaseError {
            file: file.to_owned(),
            path,
            message,
        };
        if self.id.trim().is_empty() {
            return Err(err("id".into(), "the case id is empty".into()));
        }
        if self.tests.is_empty() {
            return Err(err("tests".into(), "a case needs at least one test".into()));
        }
        for (i, test) in self.tests.iter().enumerate() {
            if self.tests.iter().take(i).any(|t| t.name == test.name) {
                return Err(err(
                    format!("tests[{i}].name"),
                    format!("duplicate test name `{}`", test.name),
                ));
            }
            test.request
                .to_request()
                .map_err(|(path, message)| err(format!("tests[{i}].{path}"), message))?;
        }
        Ok(())
    }

    /// Serialises the case as pretty JSON (policies keep their exact text).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A case together with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    /// The file the case was read from.
    pub file: PathBuf,
    /// The case.
    pub case: Case,
}

/// Loads one file: a case, or a scenario world compiled into its cases
/// ([`crate::scenario`]).
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase>, CaseError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CaseError {
        file: file.clone(),
        path: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    let probe: serde_json::Value = serde_json::from_str(&text).map_err(|e| CaseError {
        file: file.clone(),
        path: format!("line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let cases = if crate::scenario::is_scenario(&probe) {
        crate::scenario::Scenario::compile_json(&text, &file)?
    } else {
        vec![Case::from_json(&text, &file)?]
    };
    Ok(cases
        .into_iter()
        .map(|case| LoadedCase {
            file: path.to_owned(),
            case,
        })
        .collect())
}

/// Lists the `.json` case files under `path` (a file or a folder, recursively, sorted), leaving
/// out `schema/` folders and `features.json`.
pub fn case_files(path: &Path) -> Result<Vec<PathBuf>, CaseError> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    if !path.exists() {
        return Err(CaseError {
            file: path.display().to_string(),
            path: String::new(),
            message: "no such file or folder".into(),
        });
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| CaseError {
            file: path.display().to_string(),
            path: String::new(),
            message: e.to_string(),
        })?;
        let p = entry.path();
        let in_schema = p.components().any(|c| c.as_os_str() == "schema");
        let is_json = p.extension().is_some_and(|e| e == "json");
        let is_registry = p.file_name().is_some_and(|n| n == "features.json");
        if entry.file_type().is_file() && is_json && !in_schema && !is_registry {
            files.push(p.to_owned());
        }
    }
    Ok(files)
}

/// Loads every case under `path`, returning the cases read and the errors met (one bad file does
/// not stop the others).
pub fn load_path(path: &Path) -> (Vec<LoadedCase>, Vec<CaseError>) {
    match case_files(path) {
        Err(e) => (Vec::new(), vec![e]),
        Ok(files) => {
            let mut cases = Vec::new();
            let mut errors = Vec::new();
            for file in files {
                match load_file(&file) {
                    Ok(loaded) => cases.extend(loaded),
                    Err(e) => errors.push(e),
                }
            }
            (cases, errors)
        }
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
        assert_eq!(e.path, "tests[0].request.context.k");
        let e = Case::from_json(&CASE.replace("\"expect\"", "\"expected\""), "f.json").unwrap_err();
        assert!(e.message.contains("unknown field `expected`"), "{e}");
        assert!(e.path.starts_with("line "), "{e}");
        let e = Case::from_json("{", "f.json").unwrap_err();
        assert_eq!(e.file, "f.json");
    }
}
