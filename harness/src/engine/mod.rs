//! Engines: the [`Evaluator`] trait every engine implements (DESIGN.md §4), its outcomes, and the
//! built-in engines — [`reference`] (the oracle) and, for programs in other languages, the
//! subprocess protocol.

pub mod process;
pub mod protocol;
pub mod reference;

use serde::{Deserialize, Serialize};

use crate::case::Case;

/// A decision, or the verdict that a policy of the case is invalid (for tests that say
/// `"expect": "invalid"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A matching `Deny` statement applies (IAM-SPEC §1.9).
    ExplicitDeny,
    /// No `Deny` applies, but the conditions for an allow are not met.
    ImplicitDeny,
    /// A policy of the case is rejected by the parser or by validation for its kind.
    Invalid,
}

impl Decision {
    /// The decision's name as written in case files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
            Decision::Invalid => "invalid",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an engine is and which features it claims (cases needing others are skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// Engine name.
    pub name: String,
    /// Engine version.
    pub version: String,
    /// Implementation language.
    #[serde(default)]
    pub language: String,
    /// Where to read about it.
    #[serde(default)]
    pub homepage: String,
    /// Claimed features: names from `corpus/features.json`; `*` claims all, and `family:*`
    /// claims every feature of a family (e.g. `condition:*`).
    pub features: Vec<String>,
}

impl EngineInfo {
    /// True when the engine claims `feature`.
    pub fn claims(&self, feature: &str) -> bool {
        self.features.iter().any(|claim| {
            claim == "*"
                || claim == feature
                || claim
                    .strip_suffix('*')
                    .is_some_and(|prefix| prefix.ends_with(':') && feature.starts_with(prefix))
        })
    }

    /// The first feature of `features` the engine does not claim, if any. The tags `ambiguous`,
    /// `scenario` and `regression` say where a case comes from, not what it needs, so they need
    /// no claim.
    pub fn first_unclaimed<'a>(&self, features: &'a [String]) -> Option<&'a str> {
        const TAGS: [&str; 3] = ["ambiguous", "scenario", "regression"];
        features
            .iter()
            .map(String::as_str)
            .find(|f| !TAGS.contains(f) && !self.claims(f))
    }
}

/// One statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRef {
    /// Which policy: `identity[0]`, `resource`, `boundary`, `session[0]`, `scp[1][0]`, `rcp[0][0]`.
    pub policy: String,
    /// Index of the statement inside the policy.
    pub statement: usize,
    /// The statement's `Sid`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
}

/// Why an engine decided what it decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One sentence naming the rule of the decision flow that settled it.
    pub reason: String,
    /// The statements that decided the outcome (the matching denies for an explicit deny; the
    /// allows that granted it for an allow).
    #[serde(default)]
    pub decided_by: Vec<StatementRef>,
    /// Notes on what else was found (statements that could not be evaluated, unresolved
    /// variables, caps that did not allow).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What an engine says about one test of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The engine decided.
    Decided {
        /// The decision.
        decision: Decision,
        /// Why, when the engine explains itself.
        explanation: Option<Explanation>,
    },
    /// The engine cannot express this test (with the reason).
    Skipped(String),
    /// The engine failed on this test (with the message).
    Errored(String),
}

impl Outcome {
    /// The decision, when the engine decided.
    pub fn decision(&self) -> Option<Decision> {
        match self {
            Outcome::Decided { decision, .. } => Some(*decision),
            _ => None,
        }
    }
}

/// A policy engine under test. Implement this to test a Rust engine in-process; engines in other
/// languages speak the subprocess protocol instead (DESIGN.md §4).
pub trait Evaluator: Send + Sync {
    /// Name, version and claimed features.
    fn info(&self) -> EngineInfo;

    /// Decides every test of `case`, one [`Outcome`] per test, in order.
    fn evaluate(&self, case: &Case) -> Vec<Outcome>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_handle_wildcards_and_families() {
        let info = EngineInfo {
            name: "x".into(),
            version: "1".into(),
            language: String::new(),
            homepage: String::new(),
            features: vec!["condition:*".into(), "scp".into()],
        };
        assert!(info.claims("condition:StringLike"));
        assert!(info.claims("scp"));
        assert!(!info.claims("rcp"));
        assert!(!info.claims("conditions"));
        let feats = vec![
            "ambiguous".to_string(),
            "regression".into(),
            "scp".into(),
            "rcp".into(),
        ];
        assert_eq!(info.first_unclaimed(&feats), Some("rcp"));
    }
}
