//! The Markdown rendering of a run: the summary, a per-feature table, and every failure with its
//! expectation, decision and explanation — what a pull-request comment or a CI summary shows.
//! Text from the case files and the engine is shown with its control characters escaped
//! ([`printable`]).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::runner::{Status, Summary, TestResult};

use super::escape::printable;

/// Pass / fail / skip / error counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Skipped.
    pub skip: usize,
    /// Errored.
    pub error: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Skip => self.skip += 1,
            Status::Error => self.error += 1,
        }
    }
}

/// Counts per feature (a test counts once for each feature of its case).
pub fn by_feature(results: &[TestResult]) -> BTreeMap<String, Counts> {
    let mut table: BTreeMap<String, Counts> = BTreeMap::new();
    for r in results {
        if r.features.is_empty() {
            table.entry("(none)".into()).or_default().add(r.status);
        }
        for f in r.features.iter() {
            table.entry(f.clone()).or_default().add(r.status);
        }
    }
    table
}

/// Renders a run as Markdown.
pub fn render(engine: &str, results: &[TestResult], summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# iam-harness results: `{}`\n", printable(engine));
    let _ = writeln!(
        out,
        "**{} passed, {} failed, {} skipped, {} errored** ({} ambiguous differences reported apart)\n",
        summary.passed, summary.failed, summary.skipped, summary.errored, summary.ambiguous_differences
    );
    let _ = writeln!(out, "## By feature\n");
    let _ = writeln!(out, "| feature | pass | fail | skip | error |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for (feature, c) in by_feature(results) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            printable(&feature),
            c.pass,
            c.fail,
            c.skip,
            c.error
        );
    }
    let problems: Vec<&TestResult> = results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n## Failures\n");
        for r in problems {
            let _ = writeln!(
                out,
                "### `{}` › {}\n",
                printable(&r.case),
                printable(&r.test)
            );
            let file = r.file.display().to_string();
            let _ = writeln!(out, "- file: `{}`", printable(&file));
            if let Some(expect) = r.expect {
                let got = r.got.map(|d| d.as_str()).unwrap_or("-");
                let _ = writeln!(out, "- expected `{}`, got `{got}`", expect);
            }
            if let Some(m) = &r.message {
                let _ = writeln!(out, "- {}", printable(m));
            }
            if let Some(e) = &r.explanation {
                let _ = writeln!(out, "- why: {}", printable(&e.reason));
                for s in &e.decided_by {
                    let _ = writeln!(
                        out,
                        "- decided by `{}` statement {} ({})",
                        printable(&s.policy),
                        s.statement,
                        s.effect
                    );
                }
            }
            let _ = writeln!(out);
        }
    }
    out
}
