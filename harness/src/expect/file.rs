//! The expectation file: YAML or JSON (one model), parsed strictly (every unknown field is an
//! error naming its place), then checked into [`Expectation`]s. Its JSON Schema is
//! `schema/expectations.schema.json`.

use serde::Deserialize;

use crate::files::read_text;

/// One value or a list of them (`can: s3:GetObject` or `can: [s3:GetObject, s3:PutObject]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// A list.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, whatever the form.
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

/// Principals of the world chosen by name: `{role: "ci-*"}`, `{user: "*"}`, `{any: true}`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// Roles whose name matches this IAM-style wildcard.
    #[serde(default)]
    pub role: Option<String>,
    /// Users whose name matches this IAM-style wildcard.
    #[serde(default)]
    pub user: Option<String>,
    /// Every role and user of the world.
    #[serde(default)]
    pub any: bool,
}

/// Who an expectation is about.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum PrincipalSpec {
    /// A role, user, root or assumed-role ARN, an account ID, a service principal, or `*`.
    Name(String),
    /// Principals of the world chosen by name.
    Select(Selector),
}

impl std::fmt::Display for PrincipalSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrincipalSpec::Name(name) => f.write_str(name),
            PrincipalSpec::Select(s) if s.any => f.write_str("{any: true}"),
            PrincipalSpec::Select(s) => match (&s.role, &s.user) {
                (Some(r), _) => write!(f, "{{role: {r}}}"),
                (_, Some(u)) => write!(f, "{{user: {u}}}"),
                _ => f.write_str("{}"),
            },
        }
    }
}

/// One list entry exactly as written; [`Entry::check`] turns it into an [`Expectation`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A name for reports (default: made from the statement).
    #[serde(default)]
    pub name: Option<String>,
    /// Why the rule holds: shown with every violation.
    pub why: String,
    /// The principal (`can`, `cannot`, `at-most`).
    #[serde(default)]
    pub principal: Option<PrincipalSpec>,
    /// Actions the principal must be allowed (wildcards expand against the catalogue).
    #[serde(default)]
    pub can: Option<OneOrMany>,
    /// Actions the principal must not be allowed.
    #[serde(default)]
    pub cannot: Option<OneOrMany>,
    /// The only principals allowed `action` on `resource`.
    #[serde(default)]
    pub only: Option<Vec<PrincipalSpec>>,
    /// The actions of an `only` rule.
    #[serde(default)]
    pub action: Option<OneOrMany>,
    /// Every action the principal may do: anything else of the catalogue it is allowed is a
    /// violation.
    #[serde(default, rename = "at-most")]
    pub at_most: Option<OneOrMany>,
    /// A service-need profile (`harness/data/profiles.json`) the role must meet.
    #[serde(default)]
    pub profile: Option<String>,
    /// The role of a `profile` rule.
    #[serde(default)]
    pub role: Option<String>,
    /// The resource ARN(s), or `*`.
    #[serde(default)]
    pub resource: Option<OneOrMany>,
    /// Extra request context keys.
    #[serde(default)]
    pub context: serde_json::Map<String, serde_json::Value>,
}

/// The file: a list of expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectationFile {
    /// The expectations, in order.
    pub expectations: Vec<serde_json::Value>,
}

/// What an expectation requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The principal is allowed every action on every resource.
    Can {
        /// Who.
        principal: PrincipalSpec,
        /// Action names or patterns.
        actions: Vec<String>,
    },
    /// The principal is allowed none of the actions on any of the resources.
    Cannot {
        /// Who.
        principal: PrincipalSpec,
        /// Action names or patterns.
        actions: Vec<String>,
    },
    /// No principal of the world but these is allowed the actions on the resources.
    Only {
        /// The principals allowed.
        principals: Vec<PrincipalSpec>,
        /// Action names or patterns.
        actions: Vec<String>,
    },
    /// The principal is allowed no action of the catalogue outside these patterns.
    AtMost {
        /// Who.
        principal: PrincipalSpec,
        /// The action patterns it may be allowed.
        actions: Vec<String>,
    },
    /// The role meets the service-need profile.
    Profile {
        /// The profile's name.
        profile: String,
        /// The role's ARN.
        role: String,
    },
}

impl Rule {
    /// The rule's kind as written in the file (`can`, `cannot`, `only`, `at-most`, `profile`).
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Can { .. } => "can",
            Rule::Cannot { .. } => "cannot",
            Rule::Only { .. } => "only",
            Rule::AtMost { .. } => "at-most",
            Rule::Profile { .. } => "profile",
        }
    }
}

/// One checked expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The file it came from.
    pub file: String,
    /// Its place in the file (`expectations[3]`).
    pub path: String,
    /// Its name.
    pub name: String,
    /// Why it holds.
    pub why: String,
    /// What it requires.
    pub rule: Rule,
    /// The resources (`at-most` without one: empty, probing the catalogue's resource types).
    pub resources: Vec<String>,
    /// Extra request context.
    pub context: serde_json::Map<String, serde_json::Value>,
}

/// A problem of an expectation file: the file, the place inside it and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ExpectError {
    /// The file.
    pub file: String,
    /// Where in it (`expectations[2].can`, `line 4, column 3`); empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ExpectError {
    /// A problem at `path` of `file`.
    pub fn new(file: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ExpectError {
            file: file.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Parses the text of an expectation file into a JSON value: JSON when it starts with `{`,
/// YAML otherwise. The one place the YAML parser is named.
pub fn parse_text(text: &str, file: &str) -> Result<serde_json::Value, ExpectError> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| {
            ExpectError::new(
                file,
                format!("line {}, column {}", e.line(), e.column()),
                format!("not JSON: {e}"),
            )
        });
    }
    serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        ExpectError::new(file, at, format!("not YAML: {e}"))
    })
}

/// Reads and checks one expectation file, reporting every problem.
pub fn load(path: &std::path::Path) -> Result<Vec<Expectation>, Vec<ExpectError>> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|e| vec![ExpectError::new(&file, "", e.to_string())])?;
    load_text(&text, &file)
}

/// Checks the text of one expectation file (named `file` in messages).
pub fn load_text(text: &str, file: &str) -> Result<Vec<Expectation>, Vec<ExpectError>> {
    let value = parse_text(text, file).map_err(|e| vec![e])?;
    let head: ExpectationFile = serde_json::from_value(value)
        .map_err(|e| vec![ExpectError::new(file, "", e.to_string())])?;
    if head.expectations.is_empty() {
        return Err(vec![ExpectError::new(
            file,
            "expectations",
            "no expectation: an empty suite checks nothing",
        )]);
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (index, item) in head.expectations.into_iter().enumerate() {
        let path = format!("expectations[{index}]");
        match serde_json::from_value::<Entry>(item) {
            Ok(entry) => match entry.check(file, &path) {
                Ok(expectation) => out.push(expectation),
                Err(problem) => problems.push(problem),
            },
            Err(e) => problems.push(ExpectError::new(file, path, e.to_string())),
        }
    }
    let mut names = std::collections::HashSet::new();
    for e in &out {
        if !names.insert(e.name.clone()) {
            problems.push(ExpectError::new(
                file,
                format!("{}.name", e.path),
                format!("duplicate expectation name `{}`", e.name),
            ));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

impl Entry {
    /// The expectation this entry states, or what is wrong with it.
    pub fn check(self, file: &str, path: &str) -> Result<Expectation, ExpectError> {
        let problem = |field: &str, message: String| {
            let at = if field.is_empty() {
                path.to_owned()
            } else {
                format!("{path}.{field}")
            };
            ExpectError::new(file, at, message)
        };
        let kinds = [
            self.can.is_some(),
            self.cannot.is_some(),
            self.only.is_some(),
            self.at_most.is_some(),
            self.profile.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(problem(
                "",
                "an expectation has exactly one of `can`, `cannot`, `only`, `at-most`, `profile`"
                    .into(),
            ));
        }
        let principal = |kind: &str| {
            let p = self.principal.clone().ok_or_else(|| {
                problem(
                    "principal",
                    format!("a `{kind}` expectation needs `principal`"),
                )
            })?;
            if let PrincipalSpec::Select(s) = &p {
                let set = [s.role.is_some(), s.user.is_some(), s.any];
                if set.iter().filter(|k| **k).count() != 1 {
                    return Err(problem(
                        "principal",
                        "a selector has exactly one of `role`, `user`, `any: true`".into(),
                    ));
                }
            }
            Ok(p)
        };
        let actions = |value: &Option<OneOrMany>, field: &str| {
            let list = value.as_ref().map(OneOrMany::values).unwrap_or_default();
            if list.is_empty() || list.iter().any(|a| !a.contains(':') && a != "*") {
                return Err(problem(
                    field,
                    "expected actions `service:Name` (wildcards allowed), at least one".into(),
                ));
            }
            Ok(list)
        };
        let unused = |field: &str, present: bool, kind: &str| {
            if present {
                Err(problem(
                    field,
                    format!("`{field}` has no meaning in a `{kind}` expectation"),
                ))
            } else {
                Ok(())
            }
        };
        let rule = if self.can.is_some() || self.cannot.is_some() {
            let kind = if self.can.is_some() { "can" } else { "cannot" };
            unused("action", self.action.is_some(), kind)?;
            unused("role", self.role.is_some(), kind)?;
            let principal = principal(kind)?;
            let list = actions(
                if kind == "can" {
                    &self.can
                } else {
                    &self.cannot
                },
                kind,
            )?;
            if kind == "can" {
                Rule::Can {
                    principal,
                    actions: list,
                }
            } else {
                Rule::Cannot {
                    principal,
                    actions: list,
                }
            }
        } else if let Some(principals) = &self.only {
            unused("principal", self.principal.is_some(), "only")?;
            unused("role", self.role.is_some(), "only")?;
            Rule::Only {
                principals: principals.clone(),
                actions: actions(&self.action, "action")?,
            }
        } else if self.at_most.is_some() {
            unused("action", self.action.is_some(), "at-most")?;
            unused("role", self.role.is_some(), "at-most")?;
            Rule::AtMost {
                principal: principal("at-most")?,
                actions: actions(&self.at_most, "at-most")?,
            }
        } else {
            unused("principal", self.principal.is_some(), "profile")?;
            unused("action", self.action.is_some(), "profile")?;
            unused("resource", self.resource.is_some(), "profile")?;
            let profile = self.profile.clone().unwrap_or_default();
            if crate::profiles::profile(&profile).is_none() {
                let known: Vec<&str> = crate::profiles::profiles()
                    .iter()
                    .map(|p| p.profile.as_str())
                    .collect();
                return Err(problem(
                    "profile",
                    format!("unknown profile `{profile}` (known: {})", known.join(", ")),
                ));
            }
            let role = self
                .role
                .clone()
                .ok_or_else(|| problem("role", "a `profile` expectation needs `role`".into()))?;
            Rule::Profile { profile, role }
        };
        let resources = self
            .resource
            .as_ref()
            .map(OneOrMany::values)
            .unwrap_or_default();
        let needs_resource = matches!(
            rule,
            Rule::Can { .. } | Rule::Cannot { .. } | Rule::Only { .. }
        );
        if needs_resource && resources.is_empty() {
            return Err(problem(
                "resource",
                format!(
                    "a `{}` expectation needs `resource` (an ARN or `*`)",
                    rule.kind()
                ),
            ));
        }
        if resources.iter().any(String::is_empty) {
            return Err(problem(
                "resource",
                "an empty resource: give an ARN or `*`".into(),
            ));
        }
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| default_name(&rule, &resources));
        Ok(Expectation {
            file: file.to_owned(),
            path: path.to_owned(),
            name,
            why: self.why,
            rule,
            resources,
            context: self.context,
        })
    }
}

/// A name made from the statement: `arn:…:user/deploy can iam:PassRole on arn:…`.
fn default_name(rule: &Rule, resources: &[String]) -> String {
    let on = if resources.is_empty() {
        String::new()
    } else {
        format!(" on {}", resources.join(", "))
    };
    match rule {
        Rule::Can { principal, actions } => format!("{principal} can {}{on}", actions.join(", ")),
        Rule::Cannot { principal, actions } => {
            format!("{principal} cannot {}{on}", actions.join(", "))
        }
        Rule::Only {
            principals,
            actions,
        } => format!(
            "only {} may {}{on}",
            principals
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            actions.join(", ")
        ),
        Rule::AtMost { principal, actions } => {
            format!("{principal} may do at most {}{on}", actions.join(", "))
        }
        Rule::Profile { profile, role } => format!("{role} meets profile {profile}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The fields serde accepts for `T`, read from its unknown-field error.
    fn fields<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
        let e = serde_json::from_str::<T>(r#"{"~unknown~": 1}"#)
            .unwrap_err()
            .to_string();
        let list = e
            .split("expected one of ")
            .nth(1)
            .or_else(|| e.split("expected ").nth(1))
            .unwrap();
        list.split(',')
            .map(|f| {
                f.trim()
                    .trim_matches(|c: char| c == '`' || c.is_whitespace())
                    .to_owned()
            })
            .map(|f| f.split('`').next().unwrap().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    }

    fn schema() -> serde_json::Value {
        let path = format!(
            "{}/../schema/expectations.schema.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn properties(at: &serde_json::Value) -> BTreeSet<String> {
        at["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn the_schema_names_every_field_the_model_accepts() {
        let schema = schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(properties(&schema), fields::<ExpectationFile>());
        assert_eq!(
            properties(&schema["$defs"]["expectation"]),
            fields::<Entry>()
        );
        assert_eq!(
            properties(&schema["$defs"]["selector"]),
            fields::<Selector>()
        );
        for def in ["expectation", "selector"] {
            assert_eq!(schema["$defs"][def]["additionalProperties"], false, "{def}");
        }
    }

    #[test]
    fn yaml_and_json_read_the_same() {
        let yaml = "expectations:\n  - principal: {role: \"ci-*\"}\n    cannot: [s3:DeleteBucket]\n    resource: arn:aws:s3:::b\n    why: evidence\n";
        let json = r#"{"expectations": [{"principal": {"role": "ci-*"}, "cannot": ["s3:DeleteBucket"], "resource": "arn:aws:s3:::b", "why": "evidence"}]}"#;
        let (a, b) = (load_text(yaml, "f").unwrap(), load_text(json, "f").unwrap());
        assert_eq!(a, b);
        assert_eq!(
            a[0].name,
            "{role: ci-*} cannot s3:DeleteBucket on arn:aws:s3:::b"
        );
        assert_eq!(a[0].rule.kind(), "cannot");
    }

    #[test]
    fn problems_name_the_place_and_the_reason() {
        let bad = "expectations:\n  - can: s3:GetObject\n    principal: \"*\"\n    why: x\n  - only: []\n    action: nope\n    resource: \"*\"\n    why: y\n  - profile: nope\n    role: r\n    why: z\n";
        let errors = load_text(bad, "suite.yaml").unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with(
                "suite.yaml: expectations[0].resource: a `can` expectation needs `resource`"
            ),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("suite.yaml: expectations[1].action: expected actions"),
            "{found:?}"
        );
        assert!(
            found[2].starts_with("suite.yaml: expectations[2].profile: unknown profile `nope`"),
            "{found:?}"
        );
        let empty = load_text("expectations: []", "e.yaml").unwrap_err();
        assert_eq!(empty[0].path, "expectations");
    }
}
