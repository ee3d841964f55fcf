//! Differential testing across engines: where do engines disagree, who agrees with the documented
//! expectation, and what is the smallest input that shows it.
//!
//! - On the corpus, the results of each engine are lined up test by test; a test where the
//!   engines that decided do not all decide alike is a disagreement. Disagreements are grouped by
//!   feature and by which engines agree with the expectation the documentation fixes.
//! - On generated inputs ([`crate::gen`]), every input is decided by every engine; an input on
//!   which they differ is shrunk (with the same shrinker as the properties) to a minimal input on
//!   which they still differ, and can be written as a case file holding each engine's decisions.

use std::collections::BTreeMap;

use proptest::strategy::{Strategy as _, ValueTree as _};
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};

use crate::case::Case;
use crate::decision::Decision;
use crate::engine::Evaluator;
use crate::gen::{input_strategy, Input, Settings};
use crate::invariants::run::shrink;
use crate::invariants::Decider;
use crate::runner::TestResult;

/// One corpus test on which engines disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The case id.
    pub case: String,
    /// The test name.
    pub test: String,
    /// The case's features.
    pub features: Vec<String>,
    /// The documented expectation.
    pub expect: Option<Decision>,
    /// Each engine's decision (`None`: skipped or errored), in engine order.
    pub decisions: Vec<(String, Option<Decision>)>,
}

impl Disagreement {
    /// The engines whose decision matches the documented expectation.
    pub fn agreeing_with_expectation(&self) -> Vec<&str> {
        self.decisions
            .iter()
            .filter(|(_, d)| d.is_some() && *d == self.expect)
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

/// Lines the engines' corpus results up and returns the tests where the deciding engines differ.
pub fn corpus_disagreements(runs: &[(String, Vec<TestResult>)]) -> Vec<Disagreement> {
    let mut table: BTreeMap<(String, String), Disagreement> = BTreeMap::new();
    for (index, (engine, results)) in runs.iter().enumerate() {
        for r in results {
            let entry = table
                .entry((r.case.clone(), r.test.clone()))
                .or_insert_with(|| Disagreement {
                    case: r.case.clone(),
                    test: r.test.clone(),
                    features: r.features.to_vec(),
                    expect: r.expect,
                    decisions: runs.iter().map(|(name, _)| (name.clone(), None)).collect(),
                });
            if let Some(slot) = entry.decisions.get_mut(index) {
                slot.1 = r.got.filter(|_| r.status != crate::runner::Status::Error);
                slot.0.clone_from(engine);
            }
        }
    }
    table
        .into_values()
        .filter(|d| {
            let mut decided = d.decisions.iter().filter_map(|(_, x)| *x);
            decided
                .next()
                .is_some_and(|first| decided.any(|x| x != first))
        })
        .collect()
}

/// Groups disagreements by their first feature and by the engines that agree with the documented
/// expectation, e.g. `condition:StringLike — agreeing with the documentation: reference`.
pub fn group(disagreements: &[Disagreement]) -> BTreeMap<String, Vec<&Disagreement>> {
    let mut groups: BTreeMap<String, Vec<&Disagreement>> = BTreeMap::new();
    for d in disagreements {
        let feature = d.features.first().map(String::as_str).unwrap_or("(none)");
        let agree = d.agreeing_with_expectation();
        let who = if agree.is_empty() {
            "none".to_owned()
        } else {
            agree.join(", ")
        };
        groups
            .entry(format!(
                "{feature} — agreeing with the documentation: {who}"
            ))
            .or_default()
            .push(d);
    }
    groups
}

/// A generated input on which engines disagree, shrunk.
#[derive(Debug, Clone)]
pub struct GeneratedDisagreement {
    /// The minimal input.
    pub input: Input,
    /// Each engine's decisions on it (`None`: the engine skipped or errored).
    pub decisions: Vec<(String, Option<Vec<Decision>>)>,
}

fn decide_all(engines: &[&dyn Evaluator], input: &Input) -> Vec<Option<Vec<Decision>>> {
    engines
        .iter()
        .map(|e| Decider::decide(*e, input).ok())
        .collect()
}

fn disagree(decisions: &[Option<Vec<Decision>>]) -> bool {
    let mut decided = decisions.iter().flatten();
    decided
        .next()
        .is_some_and(|first| decided.any(|d| d != first))
}

/// Decides `cases` generated inputs with every engine; each input on which they disagree is
/// shrunk. One disagreement is kept per distinct pattern of decisions, at most `limit`.
pub fn generated_disagreements(
    engines: &[&dyn Evaluator],
    settings: Settings,
    seed: u64,
    cases: u64,
    limit: usize,
) -> Vec<GeneratedDisagreement> {
    let mut bytes = [0u8; 32];
    for (i, b) in seed.to_le_bytes().iter().enumerate() {
        if let Some(slot) = bytes.get_mut(i) {
            *slot = *b;
        }
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), rng);
    let strategy = input_strategy(settings);
    let names: Vec<String> = engines.iter().map(|e| e.info().name).collect();
    let mut seen: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for _ in 0..cases {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        if !disagree(&decide_all(engines, &tree.current())) {
            continue;
        }
        let fails = |input: &Input| disagree(&decide_all(engines, input));
        let minimal = shrink(&mut tree, &fails, 4000);
        let decisions = decide_all(engines, &minimal);
        let pattern = format!("{decisions:?}");
        if seen.contains(&pattern) {
            continue;
        }
        seen.push(pattern);
        found.push(GeneratedDisagreement {
            input: minimal,
            decisions: names.iter().cloned().zip(decisions).collect(),
        });
        if found.len() >= limit {
            break;
        }
    }
    found
}

/// A generated disagreement as a case file: the decisions of the first engine that decided are
/// the recorded expectations (run `diff` with the reference evaluator first), and the
/// description lists every engine's decisions. A disagreement has at least two engines that
/// decided, so there is always one to record.
pub fn disagreement_case(d: &GeneratedDisagreement, id: &str) -> Case {
    let recorded = d
        .decisions
        .iter()
        .position(|(_, decisions)| decisions.is_some());
    let (recorder, expect) = match recorded.and_then(|index| d.decisions.get(index)) {
        Some((_, Some(decisions))) if recorded == Some(0) => {
            ("the first engine".to_owned(), decisions.clone())
        }
        Some((name, Some(decisions))) => (
            format!("`{name}`, the first engine that decided"),
            decisions.clone(),
        ),
        _ => ("no engine".to_owned(), Vec::new()),
    };
    let mut case = d.input.to_case(id, &expect);
    let by_engine: Vec<String> = d
        .decisions
        .iter()
        .map(|(name, x)| match x {
            Some(ds) => format!(
                "{name}: {}",
                ds.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
            ),
            None => format!("{name}: skipped or errored"),
        })
        .collect();
    case.description = format!(
        "engines disagree on a generated input (shrunk); expectations record {recorder} — {}",
        by_engine.join("; ")
    );
    case.features = vec!["regression".into()];
    case.source = vec![
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
            .into(),
    ];
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Status;

    fn result(case: &str, expect: Decision, got: Option<Decision>, status: Status) -> TestResult {
        TestResult {
            engine: String::new(),
            case: case.into(),
            file: "f.json".into(),
            test: "t".into(),
            expect: Some(expect),
            got,
            status,
            features: vec!["identity".into()].into(),
            ambiguous: false,
            message: None,
            explanation: None,
        }
    }

    #[test]
    fn finds_and_groups_disagreements() {
        use Decision::{Allow, ImplicitDeny};
        let a = vec![
            result("c1", Decision::Allow, Some(Allow), Status::Pass),
            result("c2", Decision::Allow, Some(Allow), Status::Pass),
            result("c3", Decision::Allow, Some(Allow), Status::Pass),
        ];
        let b = vec![
            result("c1", Decision::Allow, Some(Allow), Status::Pass),
            result("c2", Decision::Allow, Some(ImplicitDeny), Status::Fail),
            result("c3", Decision::Allow, None, Status::Skip),
        ];
        let runs = vec![("a".to_string(), a), ("b".to_string(), b)];
        let found = corpus_disagreements(&runs);
        assert_eq!(found.len(), 1, "a skip is not a disagreement");
        assert_eq!(found[0].case, "c2");
        assert_eq!(found[0].agreeing_with_expectation(), vec!["a"]);
        let groups = group(&found);
        assert!(groups.contains_key("identity — agreeing with the documentation: a"));
    }

    #[test]
    fn generated_disagreements_are_shrunk_and_replayable() {
        use crate::engine::reference::ReferenceEvaluator;
        let full = ReferenceEvaluator::new();
        let generic = ReferenceEvaluator::without_special_rules();
        let engines: Vec<&dyn Evaluator> = vec![&full, &full];
        assert!(generated_disagreements(&engines, Settings::default(), 7, 200, 5).is_empty());
        let engines: Vec<&dyn Evaluator> = vec![&full, &generic];
        // The two differ only on the fixed rules of semantics §8, which generated inputs may or
        // may not hit; whatever is found must still be a disagreement after shrinking.
        for d in generated_disagreements(&engines, Settings::default(), 7, 300, 5) {
            let case = disagreement_case(&d, "regressions/diff/x");
            assert_eq!(case.tests.len(), d.input.requests.len());
            assert!(disagree(&decide_all(&engines, &d.input)));
        }
    }
}
