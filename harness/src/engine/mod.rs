//! Engines: the [`Evaluator`] trait every engine implements (DESIGN.md §4), its outcomes, and the
//! built-in engines — [`reference`] (the oracle) and, for programs in other languages, the
//! subprocess protocol.

pub mod process;
pub mod protocol;
pub mod reference;

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::decision::{Decision, Explanation};

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
