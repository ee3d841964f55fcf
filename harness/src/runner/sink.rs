//! Where a run's results go. A [`Sink`] is told when the run starts, gets every result in
//! order, is told when each file is done (the moment to flush), and gets the summary at the end.
//! The JSON Lines stream and the text report are sinks of [`crate::report`]; a `Vec` collects
//! the whole run for reports that need it; [`Fanout`] feeds several sinks at once.

use std::io;

use crate::engine::EngineInfo;

use super::result::{Summary, TestResult};

/// A consumer of a run's results. An error stops the run: a result that cannot be written
/// makes the rest pointless.
pub trait Sink {
    /// The run starts on `engine`; `files` files (counting paths that cannot be listed) follow.
    fn start(&mut self, engine: &EngineInfo, files: usize) -> io::Result<()> {
        let _ = (engine, files);
        Ok(())
    }

    /// One result, in file order and, within a file, in case and test order.
    fn result(&mut self, result: &TestResult) -> io::Result<()>;

    /// Every result of one file has been given.
    fn file_done(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// The run is over; `summary` counts every result given.
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let _ = summary;
        Ok(())
    }
}

/// Drops every result (for benchmarks, and runs where only the summary matters).
#[derive(Debug, Clone, Copy, Default)]
pub struct Discard;

impl Sink for Discard {
    fn result(&mut self, _: &TestResult) -> io::Result<()> {
        Ok(())
    }
}

/// Keeps every result, for the reports that need the whole run (Markdown, JUnit, the engines
/// matrix, the differential comparison).
impl Sink for Vec<TestResult> {
    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        self.push(result.clone());
        Ok(())
    }
}

/// Several sinks fed in turn; the first error stops the run.
pub struct Fanout<'a>(pub Vec<&'a mut dyn Sink>);

impl Sink for Fanout<'_> {
    fn start(&mut self, engine: &EngineInfo, files: usize) -> io::Result<()> {
        self.0
            .iter_mut()
            .try_for_each(|sink| sink.start(engine, files))
    }

    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|sink| sink.result(result))
    }

    fn file_done(&mut self) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|sink| sink.file_done())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|sink| sink.finish(summary))
    }
}
