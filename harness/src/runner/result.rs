//! What a run produces: the status of each test, its [`TestResult`] as reports write it, and
//! the [`Summary`] of a run.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decision::{Decision, Explanation};

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
    /// The case's features (shared by the results of one case).
    pub features: Arc<[String]>,
    /// True for cases tagged `ambiguous` (semantics §7): a difference there is reported apart.
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
