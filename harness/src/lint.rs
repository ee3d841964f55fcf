//! Checks a corpus for the mistakes that make a conformance suite lie: ids that do not match their
//! file, unregistered features, missing or non-AWS sources, policies that do not parse in a case
//! that does not expect `invalid`, and duplicate cases (same policies and requests).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::case::{Case, CaseError, CaseErrorKind};
use crate::catalogue::catalogue;
use crate::decision::Decision;
use crate::load::LoadedCase;
use crate::policy::Policy;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub file: PathBuf,
    /// The case id.
    pub case: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: `{}`: {}",
            self.file.display(),
            self.case,
            self.message
        )
    }
}

/// The feature registry (`corpus/features.json`): feature name → meaning and spec section.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    features: BTreeMap<String, serde_json::Value>,
}

impl Registry {
    /// Reads the registry file.
    pub fn load(path: &Path) -> Result<Registry, CaseError> {
        let file = path.display().to_string();
        let err = |kind, message: String| CaseError::new(kind, &file, "features", message);
        let text = crate::files::read_text(path)
            .map_err(|e| err(CaseErrorKind::Unreadable, e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| err(CaseErrorKind::Syntax, e.to_string()))?;
        let features = value
            .get("features")
            .and_then(|f| f.as_object())
            .ok_or_else(|| err(CaseErrorKind::Shape, "expected an object `features`".into()))?;
        Ok(Registry {
            features: features
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// True when `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.features.contains_key(name)
    }

    /// The registered names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.features.keys().map(String::as_str)
    }
}

/// True for a documentation URL the corpus accepts as a source.
fn is_aws_doc(url: &str) -> bool {
    url.starts_with("https://docs.aws.amazon.com/")
        || url.starts_with("https://github.com/awsdocs/")
}

/// The id a case file at `file` must have, given the corpus root.
fn expected_id(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?.with_extension("");
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// What two cases that duplicate each other share: their policies and requests, as JSON values
/// (so formatting does not hide a duplicate).
fn duplicate_key(case: &Case) -> Result<String, serde_json::Error> {
    let requests = case
        .tests
        .iter()
        .map(|t| serde_json::to_value(&t.request))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::json!([serde_json::to_value(&case.policies)?, requests]).to_string())
}

/// The unknown actions and condition keys of `policy`, as warnings naming `place`.
pub fn unknown_names(policy: &Policy, place: &str, out: &mut Vec<String>) {
    for (index, statement) in policy.statement.iter().enumerate() {
        for pattern in statement.action.patterns.iter() {
            if let Some(problem) = unknown_action(pattern) {
                out.push(format!("{place} statement {index}: {problem}"));
            }
        }
        for condition in statement.condition.iter().flatten() {
            for entry in &condition.entries {
                if !is_provider_key(&entry.key) && catalogue().key_type(&entry.key).is_none() {
                    out.push(format!(
                        "{place} statement {index}: condition key `{}` is not in the catalogue",
                        entry.key
                    ));
                }
            }
        }
    }
}

/// True for the keys of a web identity or SAML provider (`accounts.google.com:aud`,
/// `token.actions.githubusercontent.com:sub`, `saml:aud`): the provider's own names, which the
/// service catalogue does not list.
pub fn is_provider_key(key: &str) -> bool {
    key.split_once(':')
        .is_some_and(|(prefix, _)| prefix.contains('.') || prefix.eq_ignore_ascii_case("saml"))
}

/// Why an action or action pattern names nothing the catalogue knows, if it does not.
pub fn unknown_action(pattern: &str) -> Option<String> {
    if pattern == "*" {
        return None;
    }
    if pattern.contains(['*', '?']) {
        if catalogue().matching(pattern).next().is_none() {
            return Some(format!(
                "action pattern `{pattern}` matches no action of the catalogue"
            ));
        }
        return None;
    }
    catalogue()
        .action(pattern)
        .is_none()
        .then(|| format!("action `{pattern}` is not in the catalogue"))
}

/// The names of every case's policies that the catalogue does not know — actions, action
/// patterns matching no action, condition keys — as warnings naming the file, case and slot:
/// not errors (AWS accepts unknown names and they match nothing), but usually typos.
pub fn unknown_name_warnings(cases: &[LoadedCase]) -> Vec<String> {
    let mut out = Vec::new();
    for loaded in cases {
        let Ok(set) = loaded.case.policy_set() else {
            continue;
        };
        for (slot, policy) in set.slots() {
            let place = format!("{}: {}: {slot}", loaded.file.display(), loaded.case.id);
            unknown_names(policy, &place, &mut out);
        }
    }
    out
}

/// Lints loaded cases. `root` is the corpus root ids are relative to (cases compiled from
/// scenario files are exempt from the path rule: their ids come from the scenario).
pub fn lint(cases: &[LoadedCase], registry: &Registry, root: &Path) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut ids: HashMap<&str, &Path> = HashMap::new();
    let mut seen: HashMap<String, &str> = HashMap::new();
    for loaded in cases {
        let case = &loaded.case;
        let mut find = |message: String| {
            findings.push(Finding {
                file: loaded.file.clone(),
                case: case.id.clone(),
                message,
            })
        };
        let from_scenario = case.features.iter().any(|f| f == "scenario");
        if let Some(previous) = ids.insert(&case.id, &loaded.file) {
            find(format!("duplicate id, also in `{}`", previous.display()));
        }
        if !from_scenario {
            match expected_id(root, &loaded.file) {
                Some(id) if id == case.id => {}
                Some(id) => find(format!("the id must match the file path: expected `{id}`")),
                None => find(format!(
                    "the file is not under the corpus root `{}`",
                    root.display()
                )),
            }
        }
        if case.features.is_empty() {
            find("no features".into());
        }
        for f in &case.features {
            if !registry.contains(f) {
                find(format!("unregistered feature `{f}`"));
            }
        }
        if case.source.is_empty() {
            find("no `source`: cite the AWS documentation that fixes the answer".into());
        }
        for s in &case.source {
            if !is_aws_doc(s) {
                find(format!("source `{s}` is not AWS documentation"));
            }
        }
        let expects_invalid = case.tests.iter().any(|t| t.expect == Decision::Invalid);
        if let Err(errors) = case.policy_set() {
            if !expects_invalid {
                find(format!("a policy does not parse: {}", errors.join("; ")));
            }
        }
        match duplicate_key(case) {
            Ok(key) => {
                if let Some(other) = seen.insert(key, &case.id) {
                    find(format!(
                        "duplicate of case `{other}` (same policies and requests)"
                    ));
                }
            }
            Err(e) => find(format!("cannot compare with the other cases: {e}")),
        }
    }
    findings
}

/// How many cases name each registered feature (features with none are listed with 0).
pub fn feature_counts(cases: &[LoadedCase], registry: &Registry) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = registry.names().map(|n| (n.to_owned(), 0)).collect();
    for loaded in cases {
        for f in &loaded.case.features {
            *counts.entry(f.clone()).or_default() += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_catalogue_does_not_know_are_warnings_with_their_place() {
        let case: Case = serde_json::from_str(
            r#"{"id":"typos","policies":{"identity":[{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:GetObjectt","s3:Get*","sqs:Nothing*"],"Resource":"*",
               "Condition":{"IpAddress":{"aws:SourceIpp":"10.0.0.0/8"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}]},
              "tests":[{"name":"t","request":{"principal":"*","action":"s3:GetObject","resource":"*"},"expect":"implicit_deny"}]}"#,
        )
        .expect("a case");
        let loaded = LoadedCase {
            file: PathBuf::from("c.json"),
            case,
        };
        let warnings = unknown_name_warnings(&[loaded]);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0]
                .starts_with("c.json: typos: identity[0] statement 0: action `s3:GetObjectt`"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].contains("`sqs:Nothing*` matches no action"),
            "{}",
            warnings[1]
        );
        assert!(
            warnings[2].contains("condition key `aws:SourceIpp`"),
            "{}",
            warnings[2]
        );
    }
}
