//! Runs cases against an engine and turns each test's outcome into a [`TestResult`]: pass, fail,
//! skip (unclaimed feature, engine skipped it, or an ambiguous case where the engine differs) or
//! error. Results are handed to a sink as soon as a batch is done, in case order, so a report
//! streams and nothing already obtained is lost if a later case misbehaves.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::case::CaseError;
use crate::decision::{Decision, Explanation};
use crate::engine::{EngineInfo, Evaluator, Outcome};
use crate::load::LoadedCase;

/// The status of one test, as written in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The engine decided as expected.
    Pass,
    /// The engine decided otherwise.
    Fail,
    /// Not run or not counted (unclaimed feature, engine skipped, ambiguous difference).
    Skip,
    /// The engine failed, or the case could not be read.
    Error,
}

impl Status {
    /// The status as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// The result of one test of one case against one engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    /// The engine's name.
    pub engine: String,
    /// The case id (for a file that could not be read: its path).
    pub case: String,
    /// The file the case came from.
    pub file: PathBuf,
    /// The test's name.
    pub test: String,
    /// The expected decision (`None` when the case could not be read).
    pub expect: Option<Decision>,
    /// What the engine decided, if it decided.
    pub got: Option<Decision>,
    /// pass, fail, skip or error.
    pub status: Status,
    /// The case's features.
    pub features: Vec<String>,
    /// True for cases tagged `ambiguous` (IAM-SPEC §7): a difference there is reported apart.
    pub ambiguous: bool,
    /// Why a test was skipped or errored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The engine's explanation, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests skipped (including ambiguous differences).
    pub skipped: usize,
    /// Tests that errored (including unreadable case files).
    pub errored: usize,
    /// Of the skipped, the ambiguous cases where the engine differs from the recorded choice.
    pub ambiguous_differences: usize,
}

impl Summary {
    /// Adds one result.
    pub fn add(&mut self, result: &TestResult) {
        match result.status {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Skip => self.skipped += 1,
            Status::Error => self.errored += 1,
        }
        if result.ambiguous && result.status == Status::Skip && result.got.is_some() {
            self.ambiguous_differences += 1;
        }
    }

    /// True when nothing failed or errored.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// The result standing for a case file that could not be read.
pub fn load_error_result(engine: &str, error: &CaseError) -> TestResult {
    TestResult {
        engine: engine.to_owned(),
        case: error.file.clone(),
        file: PathBuf::from(&error.file),
        test: String::new(),
        expect: None,
        got: None,
        status: Status::Error,
        features: Vec::new(),
        ambiguous: false,
        message: Some(error.to_string()),
        explanation: None,
    }
}

/// Compares one outcome with its expectation.
fn judge(info: &EngineInfo, loaded: &LoadedCase, index: usize, outcome: Outcome) -> TestResult {
    let case = &loaded.case;
    let test = case.tests.get(index);
    let ambiguous = case.features.iter().any(|f| f == "ambiguous");
    let expect = test.map(|t| t.expect);
    let mut result = TestResult {
        engine: info.name.clone(),
        case: case.id.clone(),
        file: loaded.file.clone(),
        test: test.map(|t| t.name.clone()).unwrap_or_default(),
        expect,
        got: None,
        status: Status::Error,
        features: case.features.clone(),
        ambiguous,
        message: None,
        explanation: None,
    };
    match outcome {
        Outcome::Skipped(reason) => {
            result.status = Status::Skip;
            result.message = Some(reason);
        }
        Outcome::Errored(message) => result.message = Some(message),
        Outcome::Decided {
            decision,
            explanation,
        } => {
            result.got = Some(decision);
            result.explanation = explanation;
            let expected = expect;
            result.status = match (expected == Some(decision), ambiguous) {
                (true, _) => Status::Pass,
                (false, false) => Status::Fail,
                (false, true) => {
                    result.message = Some(format!(
                        "ambiguous case (IAM-SPEC §7): the engine decided `{decision}`, the corpus records the reference choice"
                    ));
                    Status::Skip
                }
            };
        }
    }
    result
}

/// Runs one case through `engine`, honouring the features it claims.
pub fn run_case(engine: &dyn Evaluator, info: &EngineInfo, loaded: &LoadedCase) -> Vec<TestResult> {
    let case = &loaded.case;
    if let Some(feature) = info.first_unclaimed(&case.features) {
        let reason = format!("the engine does not claim feature `{feature}`");
        return (0..case.tests.len())
            .map(|i| judge(info, loaded, i, Outcome::Skipped(reason.clone())))
            .collect();
    }
    let mut outcomes = engine.evaluate(case);
    if outcomes.len() != case.tests.len() {
        let message = format!(
            "the engine returned {} results for {} tests",
            outcomes.len(),
            case.tests.len()
        );
        outcomes = vec![Outcome::Errored(message); case.tests.len()];
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| judge(info, loaded, i, outcome))
        .collect()
}

/// How many cases are evaluated in parallel before their results are handed on.
const BATCH: usize = 64;

/// Runs `cases` through `engine`, calling `sink` with each result in case order. In-process
/// engines run a batch of cases in parallel; `parallel: false` keeps one case at a time (for
/// engines that are a single subprocess).
pub fn run_cases(
    engine: &dyn Evaluator,
    cases: &[LoadedCase],
    parallel: bool,
    sink: &mut dyn FnMut(TestResult),
) -> Summary {
    let info = engine.info();
    let mut summary = Summary::default();
    for batch in cases.chunks(if parallel { BATCH } else { 1 }) {
        let results: Vec<Vec<TestResult>> = if parallel {
            batch
                .par_iter()
                .map(|c| run_case(engine, &info, c))
                .collect()
        } else {
            batch.iter().map(|c| run_case(engine, &info, c)).collect()
        };
        for result in results.into_iter().flatten() {
            summary.add(&result);
            sink(result);
        }
    }
    summary
}
