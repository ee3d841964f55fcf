//! The text report `iam-harness run` and `test` print: every failure and error as it comes, with
//! its expectation, decision and explanation, then the engine and the summary line. Text from
//! the case files and the engine is shown with its control characters escaped
//! ([`printable`]).

use std::io::{self, Write};

use crate::decision::Explanation;
use crate::engine::EngineInfo;
use crate::runner::{Sink, Status, Summary, TestResult};

use super::escape::printable;

/// Writes one failed or errored result: what and where, the expectation and the decision, the
/// message (each of its lines indented) and the explanation.
pub fn write_problem(out: &mut dyn Write, result: &TestResult) -> io::Result<()> {
    let label = match result.status {
        Status::Fail => "FAIL",
        _ => "ERROR",
    };
    let file = result.file.display().to_string();
    if result.test.is_empty() {
        writeln!(out, "{label} {}", printable(&file))?;
    } else {
        writeln!(
            out,
            "{label} {} › {}  ({})",
            printable(&result.case),
            printable(&result.test),
            printable(&file)
        )?;
    }
    if let Some(expect) = result.expect {
        let got = result.got.map_or("-", |decision| decision.as_str());
        writeln!(out, "  expected: {expect}  got: {got}")?;
    }
    if let Some(message) = &result.message {
        for line in message.lines() {
            writeln!(out, "  {}", printable(line))?;
        }
    }
    if let Some(explanation) = &result.explanation {
        write_explanation(out, explanation)?;
    }
    Ok(())
}

/// Writes an explanation: the rule that decided, the deciding statements, the notes.
pub fn write_explanation(out: &mut dyn Write, explanation: &Explanation) -> io::Result<()> {
    writeln!(out, "  why: {}", printable(&explanation.reason))?;
    match (
        printable(&explanation.rule),
        printable(&explanation.documentation),
    ) {
        (rule, page) if rule.is_empty() && page.is_empty() => {}
        (rule, page) if page.is_empty() => writeln!(out, "  rule: {rule}")?,
        (rule, page) if rule.is_empty() => writeln!(out, "  rule: {page}")?,
        (rule, page) => writeln!(out, "  rule: {rule}, see {page}")?,
    }
    for statement in &explanation.decided_by {
        let sid = statement
            .sid
            .as_deref()
            .map_or_else(String::new, |sid| format!(" ({})", printable(sid)));
        writeln!(
            out,
            "  decided by: {} statement {}{sid} {}",
            printable(&statement.policy),
            statement.statement,
            statement.effect
        )?;
    }
    for note in &explanation.notes {
        writeln!(out, "  note: {}", printable(note))?;
    }
    Ok(())
}

/// Writes the summary line.
pub fn write_summary(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    writeln!(
        out,
        "{} passed, {} failed, {} skipped, {} errored ({} ambiguous differences reported apart)",
        summary.passed,
        summary.failed,
        summary.skipped,
        summary.errored,
        summary.ambiguous_differences
    )
}

/// The text report as a [`Sink`]: problems as they come, then `engine NAME VERSION` and the
/// summary line.
pub struct TextReport<W: Write> {
    out: W,
    engine: Option<EngineInfo>,
}

impl<W: Write> TextReport<W> {
    /// A report writing to `out`.
    pub fn new(out: W) -> Self {
        TextReport { out, engine: None }
    }
}

impl<W: Write> Sink for TextReport<W> {
    fn start(&mut self, engine: &EngineInfo, _files: usize) -> io::Result<()> {
        self.engine = Some(engine.clone());
        Ok(())
    }

    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        if matches!(result.status, Status::Fail | Status::Error) {
            write_problem(&mut self.out, result)?;
        }
        Ok(())
    }

    fn file_done(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if let Some(engine) = &self.engine {
            writeln!(
                self.out,
                "engine {} {}",
                printable(&engine.name),
                printable(&engine.version)
            )?;
        }
        write_summary(&mut self.out, summary)?;
        self.out.flush()
    }
}
