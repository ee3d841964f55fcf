//! One case through an engine: the engine's outcomes compared with the expectations, test by
//! test, into [`TestResult`]s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::{Case, CaseErrors, Test};
use crate::engine::{EngineInfo, Evaluator, Outcome};
use crate::load::LoadedCase;

use super::result::{Status, TestResult};

/// The result standing for a file that could not be read or run: its path in place of the case
/// id, no test name, and the message.
pub(super) fn file_error_result(engine: &str, file: &str, message: String) -> TestResult {
    TestResult {
        engine: engine.to_owned(),
        case: file.to_owned(),
        file: PathBuf::from(file),
        test: String::new(),
        expect: None,
        got: None,
        status: Status::Error,
        features: Arc::default(),
        ambiguous: false,
        message: Some(message),
        explanation: None,
    }
}

/// The result standing for a case file that could not be read: its message lists every
/// problem, one a line.
pub fn load_error_result(engine: &str, errors: &CaseErrors) -> TestResult {
    file_error_result(engine, errors.file(), errors.to_string())
}

/// What the results of one case share.
struct CaseHeader<'a> {
    info: &'a EngineInfo,
    file: &'a Path,
    case: &'a Case,
    features: Arc<[String]>,
    ambiguous: bool,
}

/// Compares one outcome with its test's expectation.
fn judge(header: &CaseHeader<'_>, test: &Test, outcome: Outcome) -> TestResult {
    let CaseHeader {
        info,
        file,
        case,
        ambiguous,
        ..
    } = *header;
    let mut result = TestResult {
        engine: info.name.clone(),
        case: case.id.clone(),
        // Lossy, so that every report can write it (a JSON string is UTF-8).
        file: PathBuf::from(file.to_string_lossy().into_owned()),
        test: test.name.clone(),
        expect: Some(test.expect),
        got: None,
        status: Status::Error,
        features: Arc::clone(&header.features),
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
            result.status = match (test.expect == decision, ambiguous) {
                (true, _) => Status::Pass,
                (false, false) => Status::Fail,
                (false, true) => {
                    result.message = Some(format!(
                        "ambiguous case (semantics §7): the engine decided `{decision}`, the corpus records the reference choice"
                    ));
                    Status::Skip
                }
            };
        }
    }
    result
}

/// The engine's outcomes for `case`, one per test: all skipped when the engine does not claim
/// a feature of the case, all errored when the engine answers the wrong number of outcomes.
fn outcomes(engine: &dyn Evaluator, info: &EngineInfo, case: &Case) -> Vec<Outcome> {
    let tests = case.tests.len();
    if let Some(feature) = info.first_unclaimed(&case.features) {
        let reason = format!("the engine does not claim feature `{feature}`");
        return vec![Outcome::Skipped(reason); tests];
    }
    let outcomes = engine.evaluate(case);
    if outcomes.len() == tests {
        return outcomes;
    }
    let message = format!(
        "the engine returned {} results for {tests} tests",
        outcomes.len()
    );
    vec![Outcome::Errored(message); tests]
}

/// Runs `case` (from `file`) through `engine` and judges every test, in order.
pub(super) fn judge_case(
    engine: &dyn Evaluator,
    info: &EngineInfo,
    file: &Path,
    case: &Case,
) -> Vec<TestResult> {
    let outcomes = outcomes(engine, info, case);
    let header = CaseHeader {
        info,
        file,
        case,
        features: case.features.as_slice().into(),
        ambiguous: case.features.iter().any(|f| f == "ambiguous"),
    };
    case.tests
        .iter()
        .zip(outcomes)
        .map(|(test, outcome)| judge(&header, test, outcome))
        .collect()
}

/// Runs one case through `engine`, honouring the features it claims.
pub fn run_case(engine: &dyn Evaluator, info: &EngineInfo, loaded: &LoadedCase) -> Vec<TestResult> {
    judge_case(engine, info, &loaded.file, &loaded.case)
}
