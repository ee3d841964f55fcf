//! Engines: the [`Evaluator`] trait every engine implements (docs/design.md §4), its outcomes, the
//! built-in engines — [`reference`](mod@reference) (the oracle) and, for programs in other languages, the
//! subprocess protocol — and [`from_spec`], which builds one from a command line's `--engine`.

pub mod process;
pub mod protocol;
pub mod reference;

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::decision::{Decision, Explanation};
use process::{split_command_line, ProcessEngine, ProcessError, ProcessOptions};
use reference::ReferenceEvaluator;

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
/// languages speak the subprocess protocol instead (docs/design.md §4).
pub trait Evaluator: Send + Sync {
    /// Name, version and claimed features.
    fn info(&self) -> EngineInfo;

    /// Decides every test of `case`, one [`Outcome`] per test, in order.
    fn evaluate(&self, case: &Case) -> Vec<Outcome>;

    /// True when [`Evaluator::evaluate`] may be called from several threads at once to any
    /// benefit: the runner then evaluates cases on every core, and gives a large case in slices
    /// of its tests (so an answer must not depend on the other tests of the case). The default
    /// is `true`, since an engine is `Send + Sync` and an in-process engine decides each case on
    /// its own; an engine that serialises its calls — one subprocess answering one case at a
    /// time — answers `false`, and the runner then calls it from one thread, in case order.
    fn supports_parallel_calls(&self) -> bool {
        true
    }
}

/// The prefix of an engine spec naming an external program (`cmd:PROGRAM ARGS…`).
pub const CMD_PREFIX: &str = "cmd:";

/// Why an `--engine` spec names no engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineSpecError {
    /// Neither a built-in engine nor `cmd:…`.
    #[error("unknown engine `{0}` (known: `reference`, `reference-generic`, `cmd:PROGRAM ARGS…`)")]
    Unknown(String),
    /// The command line after `cmd:` does not split into words (an unclosed quote, no program).
    #[error("{0}")]
    BadCommand(String),
    /// The program could not be started, or did not get ready.
    #[error(transparent)]
    Start(#[from] ProcessError),
}

/// Builds the engine named on the command line: `reference` (the default),
/// `reference-generic` (without the fixed service rules of semantics §8), or `cmd:PROGRAM ARGS…`
/// (an external program speaking the engine protocol, started with default [`ProcessOptions`]).
pub fn from_spec(spec: &str) -> Result<Box<dyn Evaluator>, EngineSpecError> {
    from_spec_with(spec, ProcessOptions::default())
}

/// [`from_spec`] for decisions a person reads (`eval`, `check`): the reference engines also list
/// the near misses of a request they do not allow in the explanation's notes.
pub fn from_spec_for_people(spec: &str) -> Result<Box<dyn Evaluator>, EngineSpecError> {
    match spec {
        "reference" => Ok(Box::new(ReferenceEvaluator::new().with_near_misses())),
        "reference-generic" => Ok(Box::new(
            ReferenceEvaluator::without_special_rules().with_near_misses(),
        )),
        other => from_spec(other),
    }
}

/// [`from_spec`] with the timeouts and restart cap for `cmd:` engines. The command is split
/// with [`split_command_line`] (single and double quotes, no shell).
pub fn from_spec_with(
    spec: &str,
    options: ProcessOptions,
) -> Result<Box<dyn Evaluator>, EngineSpecError> {
    if let Some(command) = spec.strip_prefix(CMD_PREFIX) {
        let command = split_command_line(command).map_err(EngineSpecError::BadCommand)?;
        let engine = ProcessEngine::spawn(command, options)?;
        return Ok(Box::new(engine));
    }
    match spec {
        "reference" => Ok(Box::new(
            ReferenceEvaluator::new().with_timeout(options.request_timeout),
        )),
        "reference-generic" => Ok(Box::new(
            ReferenceEvaluator::without_special_rules().with_timeout(options.request_timeout),
        )),
        other => Err(EngineSpecError::Unknown(other.to_owned())),
    }
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

    #[test]
    fn specs_name_the_built_in_engines() {
        let reference = from_spec("reference").unwrap();
        assert_eq!(reference.info().name, "reference");
        assert!(reference.supports_parallel_calls());
        assert_eq!(
            from_spec("reference-generic").unwrap().info().name,
            "reference-generic"
        );
        let unknown = from_spec("nope").err().unwrap();
        assert!(matches!(unknown, EngineSpecError::Unknown(_)));
        assert!(unknown.to_string().starts_with("unknown engine `nope`"));
        assert!(matches!(
            from_spec("cmd:'unclosed").err().unwrap(),
            EngineSpecError::BadCommand(_)
        ));
    }
}
