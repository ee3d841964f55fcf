//! The JUnit XML rendering of a run, for CI systems: one test suite per file (as CI tools list
//! them), one test case per test, named by the test with the case id as its class; a failure
//! carries the expectation, the decision and the explanation.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::runner::{Status, TestResult};

fn detail(r: &TestResult) -> String {
    let mut lines = Vec::new();
    if let Some(expect) = r.expect {
        let got = r.got.map(|d| d.as_str()).unwrap_or("-");
        lines.push(format!("expected {}, got {got}", expect));
    }
    if let Some(m) = &r.message {
        lines.push(m.clone());
    }
    if let Some(e) = &r.explanation {
        lines.push(format!("why: {}", e.reason));
        for s in &e.decided_by {
            lines.push(format!(
                "decided by {} statement {} ({})",
                s.policy, s.statement, s.effect
            ));
        }
    }
    lines.push(format!("file: {}", r.file.display()));
    lines.join("\n")
}

/// Renders results as a JUnit XML document.
pub fn render(engine: &str, results: &[TestResult]) -> Result<String, quick_junit::SerializeError> {
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for r in results {
        let file = r.file.display().to_string();
        let suite = suites
            .entry(file)
            .or_insert_with_key(|file| TestSuite::new(file.as_str()));
        let status = match r.status {
            Status::Pass => TestCaseStatus::success(),
            Status::Skip => {
                let mut s = TestCaseStatus::skipped();
                if let Some(m) = &r.message {
                    s.set_message(m.as_str());
                }
                s
            }
            Status::Fail | Status::Error => {
                let kind = if r.status == Status::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                let summary = match (r.expect, r.got) {
                    (Some(e), Some(g)) => format!("expected {}, got {g}", e),
                    _ => r.message.clone().unwrap_or_else(|| "error".into()),
                };
                s.set_message(summary);
                s.set_description(detail(r));
                s
            }
        };
        let name = if r.test.is_empty() {
            r.case.as_str()
        } else {
            r.test.as_str()
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(r.case.as_str());
        suite.add_test_case(case);
    }
    let mut report = Report::new(format!("iam-harness ({engine})"));
    report.add_test_suites(suites.into_values());
    report.to_string()
}
