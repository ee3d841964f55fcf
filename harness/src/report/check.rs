//! The results of `iam-harness check`: one [`CheckResult`] per expectation (per principal, for a
//! selector), each violation with its request, the expectation's `why`, and every deciding
//! statement by the source its policy came from. Rendered as text, JSON (one object
//! `{summary, results, warnings, skipped}`) and JUnit XML (one test suite per expectation file);
//! SARIF is [`super::sarif`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

use super::escape::printable;

/// Whether an expectation held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Every request it makes was decided as it says.
    Pass,
    /// A request was decided otherwise: a violation.
    Fail,
    /// A request could not be decided (an invalid policy, an engine error).
    Error,
}

/// Where a policy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file.
    pub file: String,
    /// The place inside it (dump JSON path, Terraform address, CloudFormation logical id).
    pub location: String,
    /// The policy's name.
    pub name: String,
}

/// One statement that decided a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// The policy's slot in the case (`identity[0]`, `resource`, `scp[0][1]`).
    pub policy: String,
    /// The statement's index in its policy.
    pub statement: usize,
    /// Its `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// Where the policy came from, when the world knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The date of the AWS managed policy snapshot the policy was taken from, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// The request a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRequest {
    /// The principal as the expectation names it.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The request context the expectation gave.
    pub context: serde_json::Map<String, serde_json::Value>,
}

/// One request decided against an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The request (none for a profile finding about the role as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<CheckRequest>,
    /// What the expectation needs: `allow` or `deny`.
    pub expected: String,
    /// What was decided (`allow`, `explicit_deny`, `implicit_deny`), or the finding.
    pub got: String,
    /// The rule of the decision, or the profile finding, in one sentence.
    pub reason: String,
    /// The statements that decided it.
    pub decided_by: Vec<Deciding>,
    /// Where to look when no statement decided (the policies the request was decided by).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// For a denial: the `Allow` statements that matched principal, action and resource but
    /// failed on a condition, each with the key, the operator, the values it wanted and what the
    /// request had, the policy's source in front.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<String>,
}

/// The result of one expectation (for one principal, when a selector chose several).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// The expectation file.
    pub file: String,
    /// The expectation's place in it (`expectations[2]`).
    pub path: String,
    /// The expectation's name.
    pub name: String,
    /// `can`, `cannot`, `only`, `at-most` or `profile`.
    pub kind: String,
    /// The principal a selector chose, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Why the expectation holds.
    pub why: String,
    /// Whether it held.
    pub status: CheckStatus,
    /// How many requests were decided for it.
    pub requests: usize,
    /// The time its requests took, in seconds (their share of the parallel evaluation).
    pub seconds: f64,
    /// The violations.
    pub violations: Vec<Violation>,
    /// Why requests could not be decided.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Something the sources left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedSource {
    /// The file.
    pub file: String,
    /// The place inside it.
    pub location: String,
    /// Why.
    pub reason: String,
}

/// The counts of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    /// Results (expectations, per principal for selectors).
    pub results: usize,
    /// Results that held.
    pub passed: usize,
    /// Results with a violation.
    pub failed: usize,
    /// Results with an error.
    pub errored: usize,
    /// Violations in all.
    pub violations: usize,
    /// Requests decided in all.
    pub requests: usize,
}

/// A whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The counts.
    pub summary: CheckSummary,
    /// Every result, in file order.
    pub results: Vec<CheckResult>,
    /// Unknown actions and condition keys, in expectations and in the world's policies.
    pub warnings: Vec<String>,
    /// What the sources' loaders left out.
    pub skipped: Vec<SkippedSource>,
}

impl CheckReport {
    /// A report of these results, counted.
    pub fn new(
        results: Vec<CheckResult>,
        warnings: Vec<String>,
        skipped: Vec<SkippedSource>,
    ) -> Self {
        let mut summary = CheckSummary {
            results: results.len(),
            ..CheckSummary::default()
        };
        for r in &results {
            match r.status {
                CheckStatus::Pass => summary.passed += 1,
                CheckStatus::Fail => summary.failed += 1,
                CheckStatus::Error => summary.errored += 1,
            }
            summary.violations += r.violations.len();
            summary.requests += r.requests;
        }
        CheckReport {
            summary,
            results,
            warnings,
            skipped,
        }
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The request in one line: `principal … action … resource … context {…}`.
pub fn request_line(r: &CheckRequest) -> String {
    let context = if r.context.is_empty() {
        String::new()
    } else {
        format!(" context {}", serde_json::Value::Object(r.context.clone()))
    };
    format!(
        "principal {} action {} on {}{context}",
        r.principal, r.action, r.resource
    )
}

/// One deciding statement in one line, with its source.
pub fn deciding_line(d: &Deciding) -> String {
    let sid = d
        .sid
        .as_deref()
        .map_or_else(String::new, |s| format!(" ({s})"));
    let source = d.source.as_ref().map_or_else(String::new, |s| {
        format!(" — {} {} ({})", s.file, s.location, s.name)
    });
    let snapshot = d.snapshot.as_ref().map_or_else(String::new, |date| {
        format!(" [AWS managed policy snapshot of {date}]")
    });
    format!(
        "{} statement {}{sid} {}{source}{snapshot}",
        d.policy, d.statement, d.effect
    )
}

/// The lines of one violation, for text and JUnit.
fn violation_lines(v: &Violation) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(request) = &v.request {
        lines.push(format!("request: {}", request_line(request)));
    }
    lines.push(format!(
        "expected {}, got {}: {}",
        v.expected, v.got, v.reason
    ));
    for d in &v.decided_by {
        lines.push(format!("decided by: {}", deciding_line(d)));
    }
    for near in &v.near_misses {
        lines.push(near.clone());
    }
    for s in &v.sources {
        lines.push(format!("policy: {} {} ({})", s.file, s.location, s.name));
    }
    lines
}

/// Writes the failed and errored results, then the warnings count and the summary line.
pub fn write_text(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    for r in report
        .results
        .iter()
        .filter(|r| r.status != CheckStatus::Pass)
    {
        let label = if r.status == CheckStatus::Fail {
            "FAIL"
        } else {
            "ERROR"
        };
        let who = r
            .principal
            .as_ref()
            .map_or_else(String::new, |p| format!(" [{p}]"));
        writeln!(
            out,
            "{label} {} {} › {}{who}",
            printable(&r.file),
            printable(&r.path),
            printable(&r.name)
        )?;
        writeln!(out, "  why: {}", printable(&r.why))?;
        for v in &r.violations {
            for (i, line) in violation_lines(v).iter().enumerate() {
                let indent = if i == 0 { "  - " } else { "    " };
                writeln!(out, "{indent}{}", printable(line))?;
            }
        }
        for e in &r.errors {
            writeln!(out, "  error: {}", printable(e))?;
        }
    }
    let s = &report.summary;
    writeln!(
        out,
        "{} expectations: {} held, {} violated, {} errored ({} violations, {} requests decided)",
        s.results, s.passed, s.failed, s.errored, s.violations, s.requests
    )
}

/// Renders the results as JUnit XML: one test suite per expectation file, one test case per
/// result, with its time.
pub fn render_junit(report: &CheckReport) -> Result<String, quick_junit::SerializeError> {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in &report.results {
        let suite = suites
            .entry(r.file.as_str())
            .or_insert_with(|| TestSuite::new(r.file.as_str()));
        let status = match r.status {
            CheckStatus::Pass => TestCaseStatus::success(),
            CheckStatus::Fail | CheckStatus::Error => {
                let kind = if r.status == CheckStatus::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(format!(
                    "{} violation(s), {} error(s): {}",
                    r.violations.len(),
                    r.errors.len(),
                    r.why
                ));
                let mut lines = vec![format!("why: {}", r.why)];
                for v in &r.violations {
                    lines.extend(violation_lines(v));
                }
                lines.extend(r.errors.iter().map(|e| format!("error: {e}")));
                s.set_description(lines.join("\n"));
                s
            }
        };
        let name = match &r.principal {
            Some(p) => format!("{} [{p}]", r.name),
            None => r.name.clone(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(format!("{}.{}", r.kind, r.path));
        case.set_time(std::time::Duration::from_secs_f64(r.seconds.max(0.0)));
        suite.add_test_case(case);
    }
    let mut junit = Report::new("iam-harness check");
    junit.add_test_suites(suites.into_values());
    junit.to_string()
}
