//! `report diff`: two runs compared by stable id — (engine, case id, test name) — to show what
//! changed between them: tests newly failing, newly passing, whose status or decision or
//! expectation changed, added and removed. A regression is a test that now fails or errors and
//! did not before, or an added test that fails or errors; a removed test is listed, never a
//! regression (removing a case is a corpus change, reviewed as such).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::decision::Decision;
use crate::runner::{Status, Summary, TestResult};

use super::escape::printable;
use super::jsonl::Stream;

/// What one run said of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Side {
    /// pass, fail, skip or error.
    pub status: Status,
    /// The expected decision.
    pub expect: Option<Decision>,
    /// The engine's decision.
    pub got: Option<Decision>,
}

impl Side {
    fn of(result: &TestResult) -> Side {
        Side {
            status: result.status,
            expect: result.expect,
            got: result.got,
        }
    }

    fn failing(self) -> bool {
        matches!(self.status, Status::Fail | Status::Error)
    }
}

/// How a test present in both runs changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// It fails or errors now and did not before: a regression.
    NewlyFailing,
    /// It passes now and failed or errored before.
    NewlyPassing,
    /// Another change of status (pass ↔ skip, fail ↔ error, skip → pass).
    Status,
    /// Same status, another decision.
    Decision,
    /// Same status and decision, another expected decision (the case was edited).
    Expectation,
}

impl ChangeKind {
    fn between(old: Side, new: Side) -> Option<ChangeKind> {
        if new.failing() && !old.failing() {
            Some(ChangeKind::NewlyFailing)
        } else if old.failing() && new.status == Status::Pass {
            Some(ChangeKind::NewlyPassing)
        } else if old.status != new.status {
            Some(ChangeKind::Status)
        } else if old.got != new.got {
            Some(ChangeKind::Decision)
        } else if old.expect != new.expect {
            Some(ChangeKind::Expectation)
        } else {
            None
        }
    }

    fn title(self) -> &'static str {
        match self {
            ChangeKind::NewlyFailing => "Newly failing (regressions)",
            ChangeKind::NewlyPassing => "Newly passing",
            ChangeKind::Status => "Other status changes",
            ChangeKind::Decision => "Changed decisions",
            ChangeKind::Expectation => "Changed expectations",
        }
    }

    const ALL: [ChangeKind; 5] = [
        ChangeKind::NewlyFailing,
        ChangeKind::NewlyPassing,
        ChangeKind::Status,
        ChangeKind::Decision,
        ChangeKind::Expectation,
    ];
}

/// One test in the diff: its stable id and what each run said (`old` is absent for an added
/// test, `new` for a removed one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The engine.
    pub engine: String,
    /// The case id.
    pub case: String,
    /// The test's name.
    pub test: String,
    /// How it changed (for tests in both runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChangeKind>,
    /// What the old run said.
    pub old: Option<Side>,
    /// What the new run said.
    pub new: Option<Side>,
}

/// The counts of a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// The old run's counts.
    pub old: Summary,
    /// The new run's counts.
    pub new: Summary,
    /// Tests that fail or error now and did not before.
    pub newly_failing: usize,
    /// Tests that pass now and failed or errored before.
    pub newly_passing: usize,
    /// Other status changes.
    pub status_changed: usize,
    /// Same status, another decision.
    pub decisions_changed: usize,
    /// Same status and decision, another expectation.
    pub expectations_changed: usize,
    /// Tests only in the new run.
    pub added: usize,
    /// Of the added tests, those that fail or error.
    pub added_failing: usize,
    /// Tests only in the old run.
    pub removed: usize,
    /// Newly failing plus added failing: the diff is a regression when this is not 0.
    pub regressions: usize,
}

/// Two runs compared: see the module comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunDiff {
    /// Tests in both runs that changed, by stable id.
    pub changed: Vec<Entry>,
    /// Tests only in the new run.
    pub added: Vec<Entry>,
    /// Tests only in the old run.
    pub removed: Vec<Entry>,
    /// The counts.
    pub summary: DiffSummary,
}

/// A test twice in one stream: the stream is no single run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("engine `{engine}`, case `{case}`, test `{test}` is in the stream more than once")]
pub struct DuplicateTest {
    /// The engine.
    pub engine: String,
    /// The case id.
    pub case: String,
    /// The test's name.
    pub test: String,
}

type Key<'a> = (&'a str, &'a str, &'a str);

fn by_id(stream: &Stream) -> Result<(BTreeMap<Key<'_>, Side>, Summary), DuplicateTest> {
    let mut map = BTreeMap::new();
    let mut summary = Summary::default();
    for r in &stream.results {
        summary.add(r);
        let key = (r.engine.as_str(), r.case.as_str(), r.test.as_str());
        if map.insert(key, Side::of(r)).is_some() {
            return Err(DuplicateTest {
                engine: r.engine.clone(),
                case: r.case.clone(),
                test: r.test.clone(),
            });
        }
    }
    Ok((map, summary))
}

fn entry((engine, case, test): Key<'_>, old: Option<Side>, new: Option<Side>) -> Entry {
    Entry {
        engine: engine.to_owned(),
        case: case.to_owned(),
        test: test.to_owned(),
        kind: None,
        old,
        new,
    }
}

/// Compares two runs; an error names the stream (`"old"` or `"new"`) holding a test twice.
pub fn diff(old: &Stream, new: &Stream) -> Result<RunDiff, (&'static str, DuplicateTest)> {
    let (old_map, old_summary) = by_id(old).map_err(|e| ("old", e))?;
    let (new_map, new_summary) = by_id(new).map_err(|e| ("new", e))?;
    let mut out = RunDiff::default();
    let s = &mut out.summary;
    s.old = old_summary;
    s.new = new_summary;
    for (&key, &before) in &old_map {
        let Some(&after) = new_map.get(&key) else {
            out.removed.push(entry(key, Some(before), None));
            continue;
        };
        let Some(kind) = ChangeKind::between(before, after) else {
            continue;
        };
        match kind {
            ChangeKind::NewlyFailing => s.newly_failing += 1,
            ChangeKind::NewlyPassing => s.newly_passing += 1,
            ChangeKind::Status => s.status_changed += 1,
            ChangeKind::Decision => s.decisions_changed += 1,
            ChangeKind::Expectation => s.expectations_changed += 1,
        }
        out.changed.push(Entry {
            kind: Some(kind),
            ..entry(key, Some(before), Some(after))
        });
    }
    for (&key, &after) in &new_map {
        if !old_map.contains_key(&key) {
            s.added_failing += usize::from(after.failing());
            out.added.push(entry(key, None, Some(after)));
        }
    }
    s.added = out.added.len();
    s.removed = out.removed.len();
    s.regressions = s.newly_failing + s.added_failing;
    Ok(out)
}

/// Text for a Markdown table cell: control characters escaped, `|` and `` ` `` escaped.
fn cell(text: &str) -> String {
    printable(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
}

fn side(side: Option<Side>) -> String {
    side.map_or_else(
        || "—".to_owned(),
        |s| {
            let name = |d: Option<Decision>| d.map_or("-", Decision::as_str);
            format!(
                "{} (expected {}, got {})",
                s.status.as_str(),
                name(s.expect),
                name(s.got)
            )
        },
    )
}

fn table(out: &mut String, title: &str, entries: &[&Entry]) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {title} ({})\n", entries.len());
    let _ = writeln!(out, "| engine | case | test | old | new |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for e in entries {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&e.engine),
            cell(&e.case),
            cell(&e.test),
            side(e.old),
            side(e.new)
        );
    }
}

/// The diff as Markdown: a summary line, then one table per kind of change, added, removed.
pub fn markdown(diff: &RunDiff) -> String {
    let s = &diff.summary;
    let mut out = String::from("# iam-harness run diff\n\n");
    let _ = writeln!(
        out,
        "**{} regressions** ({} newly failing, {} added failing); {} newly passing, {} other status changes, {} changed decisions, {} changed expectations, {} added, {} removed.",
        s.regressions,
        s.newly_failing,
        s.added_failing,
        s.newly_passing,
        s.status_changed,
        s.decisions_changed,
        s.expectations_changed,
        s.added,
        s.removed
    );
    let _ = writeln!(
        out,
        "\n| run | passed | failed | skipped | errored |\n|---|---:|---:|---:|---:|\n| old | {} | {} | {} | {} |\n| new | {} | {} | {} | {} |",
        s.old.passed, s.old.failed, s.old.skipped, s.old.errored,
        s.new.passed, s.new.failed, s.new.skipped, s.new.errored
    );
    for kind in ChangeKind::ALL {
        let entries: Vec<&Entry> = diff
            .changed
            .iter()
            .filter(|e| e.kind == Some(kind))
            .collect();
        table(&mut out, kind.title(), &entries);
    }
    table(&mut out, "Added", &diff.added.iter().collect::<Vec<_>>());
    table(
        &mut out,
        "Removed",
        &diff.removed.iter().collect::<Vec<_>>(),
    );
    if diff.changed.is_empty() && diff.added.is_empty() && diff.removed.is_empty() {
        out.push_str("\nNo test changed.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(case: &str, test: &str, status: Status, got: Decision) -> TestResult {
        TestResult {
            engine: "e".into(),
            case: case.into(),
            file: format!("{case}.json").into(),
            test: test.into(),
            expect: Some(Decision::Allow),
            got: Some(got),
            status,
            features: vec![].into(),
            ambiguous: false,
            message: None,
            explanation: None,
        }
    }

    fn stream(results: Vec<TestResult>) -> Stream {
        Stream {
            engines: vec![],
            results,
        }
    }

    #[test]
    fn classifies_every_kind_of_change() {
        use Decision::{Allow, ExplicitDeny, ImplicitDeny};
        use Status::{Error, Fail, Pass, Skip};
        let old = stream(vec![
            result("a", "same", Pass, Allow),
            result("a", "breaks", Pass, Allow),
            result("a", "heals", Fail, ImplicitDeny),
            result("b", "other deny", Fail, ImplicitDeny),
            result("b", "skipped", Pass, Allow),
            result("b", "gone", Pass, Allow),
            result("c", "errs", Fail, ImplicitDeny),
        ]);
        let new = stream(vec![
            result("a", "same", Pass, Allow),
            result("a", "breaks", Error, Allow),
            result("a", "heals", Pass, Allow),
            result("b", "other deny", Fail, ExplicitDeny),
            result("b", "skipped", Skip, Allow),
            result("c", "errs", Error, ImplicitDeny),
            result("d", "new ok", Pass, Allow),
            result("d", "new bad", Fail, ImplicitDeny),
        ]);
        let d = diff(&old, &new).unwrap();
        let kinds: Vec<(&str, Option<ChangeKind>)> = d
            .changed
            .iter()
            .map(|e| (e.test.as_str(), e.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("breaks", Some(ChangeKind::NewlyFailing)),
                ("heals", Some(ChangeKind::NewlyPassing)),
                ("other deny", Some(ChangeKind::Decision)),
                ("skipped", Some(ChangeKind::Status)),
                ("errs", Some(ChangeKind::Status)),
            ]
        );
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.added.len(), 2);
        assert_eq!(d.summary.regressions, 2);
        let md = markdown(&d);
        assert!(md.contains("## Newly failing (regressions) (1)"), "{md}");
        assert!(md.contains("| e | a | breaks | pass (expected allow, got allow) | error (expected allow, got allow) |"), "{md}");
        let dup = stream(vec![
            result("a", "x", Pass, Allow),
            result("a", "x", Pass, Allow),
        ]);
        assert_eq!(diff(&dup, &new).unwrap_err().0, "old");
        assert!(markdown(&diff(&new, &new).unwrap()).contains("No test changed."));
    }

    #[test]
    fn an_edited_expectation_is_a_change() {
        let old = stream(vec![result("a", "t", Status::Pass, Decision::Allow)]);
        let mut edited = result("a", "t", Status::Pass, Decision::Allow);
        edited.expect = None;
        let d = diff(&old, &stream(vec![edited])).unwrap();
        assert_eq!(
            d.changed.first().and_then(|e| e.kind),
            Some(ChangeKind::Expectation)
        );
        assert_eq!(cell("a|b`c"), "a\\|b\\`c");
    }
}
