//! Reports. Every run is one JSON Lines stream (DESIGN.md §6): a header line, one line per test
//! result, and a summary footer; the other renderings are made from that stream.

pub mod html;
pub mod junit;
pub mod markdown;

use std::io::Write;

use serde::Serialize;
use serde_json::json;

use crate::engine::EngineInfo;
use crate::runner::{Summary, TestResult};

/// Writes the JSON Lines stream of a run, one line at a time, flushing each line so a consumer
/// (or a crash) never loses a result already obtained.
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    /// A stream writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    fn line(&mut self, value: &impl Serialize) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
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

/// A run read back from its JSON Lines stream: the engines of the header and every result line.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// The engines named in the header.
    pub engines: Vec<EngineInfo>,
    /// The results, in order.
    pub results: Vec<TestResult>,
}

/// Reads a JSON Lines stream written by [`JsonLines`]; errors name the line and the reason.
pub fn read_stream(text: &str) -> Result<Stream, String> {
    let mut stream = Stream::default();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        match value.get("type").and_then(|t| t.as_str()) {
            Some("header") => {
                let engines = value.get("engines").cloned().unwrap_or_default();
                stream.engines = serde_json::from_value(engines)
                    .map_err(|e| format!("line {}: header: {e}", i + 1))?;
            }
            Some("result") => stream.results.push(
                serde_json::from_value(value)
                    .map_err(|e| format!("line {}: result: {e}", i + 1))?,
            ),
            Some("summary") => {}
            other => return Err(format!("line {}: unknown line type {other:?}", i + 1)),
        }
    }
    Ok(stream)
}
