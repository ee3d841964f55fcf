//! Reports. Every run is one JSON Lines stream (DESIGN.md §6): a header line, one line per test
//! result, and a summary footer; the other renderings are made from that stream, or from the
//! results of a run: [`text`] (what `run` and `test` print), [`markdown`], [`junit`], [`html`].

pub mod html;
pub mod junit;
pub mod markdown;
pub mod text;

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use crate::engine::EngineInfo;
use crate::runner::{Sink, Summary, TestResult};

/// Writes the JSON Lines stream of a run. Lines are written as they come and flushed as a
/// [`Sink`] after each file (and at the end), so a consumer sees every file's results as soon
/// as the file is done and a crash loses none already written; give it a buffered writer.
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    /// A stream writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    fn line(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    /// Flushes the lines written so far.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Gives back the writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The header: suite revision, engines and host.
    pub fn header(&mut self, engines: &[EngineInfo]) -> std::io::Result<()> {
        self.line(&json!({
            "type": "header",
            "harness": env!("CARGO_PKG_VERSION"),
            "engines": engines,
            "host": { "os": std::env::consts::OS, "arch": std::env::consts::ARCH },
        }))
    }

    /// One test result: `{"type":"result","engine":…,"case":…,"test":…,"expect":…,"got":…,"status":…}`.
    pub fn result(&mut self, result: &TestResult) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            #[serde(flatten)]
            result: &'a TestResult,
        }
        self.line(&Line {
            r#type: "result",
            result,
        })
    }

    /// The footer: `{"type":"summary","passed":…,"failed":…,"skipped":…,"errored":…}`.
    pub fn summary(&mut self, summary: &Summary) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            #[serde(flatten)]
            summary: &'a Summary,
        }
        self.line(&Line {
            r#type: "summary",
            summary,
        })
    }
}

/// A run's JSON Lines stream, written as the run goes.
impl<W: Write> Sink for JsonLines<W> {
    fn start(&mut self, engine: &EngineInfo, _files: usize) -> io::Result<()> {
        self.header(std::slice::from_ref(engine))?;
        self.flush()
    }

    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        JsonLines::result(self, result)
    }

    fn file_done(&mut self) -> io::Result<()> {
        self.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.summary(summary)?;
        self.flush()
    }
}

/// A run read back from its JSON Lines stream: the engines of the header and every result line.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// The engines named in the header.
    pub engines: Vec<EngineInfo>,
    /// The results, in order.
    pub results: Vec<TestResult>,
}

/// A line of a JSON Lines stream that cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct StreamError {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: StreamProblem,
}

/// What is wrong with a line of a JSON Lines stream.
#[derive(Debug, thiserror::Error)]
pub enum StreamProblem {
    /// The line is not JSON.
    #[error("{0}")]
    NotJson(serde_json::Error),
    /// The header names no engines.
    #[error("header: no `engines`")]
    NoEngines,
    /// The header's engines are malformed.
    #[error("header: {0}")]
    Header(serde_json::Error),
    /// A result line is malformed.
    #[error("result: {0}")]
    Result(serde_json::Error),
    /// The `type` of the line is none of `header`, `result`, `summary`.
    #[error("unknown line type {0:?}")]
    UnknownType(Option<String>),
}

/// Reads a JSON Lines stream written by [`JsonLines`]; errors name the line and the reason.
pub fn read_stream(text: &str) -> Result<Stream, StreamError> {
    let mut stream = Stream::default();
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let error = |problem| StreamError {
            line: index + 1,
            problem,
        };
        let mut value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| error(StreamProblem::NotJson(e)))?;
        match value.get("type").and_then(|t| t.as_str()) {
            Some("header") => {
                let engines = value
                    .get_mut("engines")
                    .map(serde_json::Value::take)
                    .ok_or_else(|| error(StreamProblem::NoEngines))?;
                stream.engines =
                    serde_json::from_value(engines).map_err(|e| error(StreamProblem::Header(e)))?;
            }
            Some("result") => stream
                .results
                .push(serde_json::from_value(value).map_err(|e| error(StreamProblem::Result(e)))?),
            Some("summary") => {}
            other => {
                return Err(error(StreamProblem::UnknownType(other.map(str::to_owned))));
            }
        }
    }
    Ok(stream)
}
