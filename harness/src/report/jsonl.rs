//! The JSON Lines stream of a run (docs/design.md §6): a header line, one line per test result, a
//! summary footer — written as the run goes, and read back.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::engine::EngineInfo;
use crate::runner::{Sink, Summary, TestResult};

/// Writes the JSON Lines stream of a run. Lines are written as they come and flushed as a
/// [`Sink`] after each file (and at the end), so a consumer sees every file's results as soon
/// as the file is done and a crash loses none already written; give it a buffered writer.
pub struct JsonLines<W: Write> {
    out: W,
    /// The fields the previous result line shares with the results of its case, written.
    shared: Option<SharedFields>,
}

/// The fields every result of one case has alike — engine, case, file, features, ambiguous —
/// and their JSON, written once per case instead of once per line.
struct SharedFields {
    engine: String,
    case: String,
    file: PathBuf,
    features: Arc<[String]>,
    ambiguous: bool,
    /// `{"type":"result","engine":…,"case":…,"file":…`
    head: Vec<u8>,
    /// `,"features":[…],"ambiguous":…`
    tail: Vec<u8>,
}

impl SharedFields {
    fn of(result: &TestResult) -> serde_json::Result<SharedFields> {
        let mut head = br#"{"type":"result","engine":"#.to_vec();
        serde_json::to_writer(&mut head, &result.engine)?;
        head.extend_from_slice(br#","case":"#);
        serde_json::to_writer(&mut head, &result.case)?;
        head.extend_from_slice(br#","file":"#);
        serde_json::to_writer(&mut head, &result.file)?;
        let mut tail = br#","features":"#.to_vec();
        serde_json::to_writer(&mut tail, &result.features)?;
        tail.extend_from_slice(br#","ambiguous":"#);
        serde_json::to_writer(&mut tail, &result.ambiguous)?;
        Ok(SharedFields {
            engine: result.engine.clone(),
            case: result.case.clone(),
            file: result.file.clone(),
            features: Arc::clone(&result.features),
            ambiguous: result.ambiguous,
            head,
            tail,
        })
    }

    fn matches(&self, result: &TestResult) -> bool {
        self.case == result.case
            && self.engine == result.engine
            && self.file == result.file
            && self.ambiguous == result.ambiguous
            && (Arc::ptr_eq(&self.features, &result.features) || self.features == result.features)
    }
}

impl<W: Write> JsonLines<W> {
    /// A stream writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines { out, shared: None }
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

    /// One test result: `{"type":"result","engine":…,"case":…,"test":…,"expect":…,"got":…,"status":…}`,
    /// the fields of [`TestResult`] in their order, as serde writes them.
    pub fn result(&mut self, result: &TestResult) -> io::Result<()> {
        let shared = match self.shared.take() {
            Some(shared) if shared.matches(result) => shared,
            _ => SharedFields::of(result)?,
        };
        let out = &mut self.out;
        out.write_all(&shared.head)?;
        out.write_all(br#","test":"#)?;
        serde_json::to_writer(&mut *out, &result.test)?;
        out.write_all(br#","expect":"#)?;
        serde_json::to_writer(&mut *out, &result.expect)?;
        out.write_all(br#","got":"#)?;
        serde_json::to_writer(&mut *out, &result.got)?;
        out.write_all(br#","status":"#)?;
        serde_json::to_writer(&mut *out, &result.status)?;
        out.write_all(&shared.tail)?;
        if let Some(message) = &result.message {
            out.write_all(br#","message":"#)?;
            serde_json::to_writer(&mut *out, message)?;
        }
        if let Some(explanation) = &result.explanation {
            out.write_all(br#","explanation":"#)?;
            serde_json::to_writer(&mut *out, explanation)?;
        }
        out.write_all(b"}\n")?;
        self.shared = Some(shared);
        Ok(())
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
    /// A whole run's stream does not begin with its header.
    #[error("the stream does not begin with its header line")]
    NoHeader,
    /// A whole run's stream ends without its summary line.
    #[error("the stream ends here without its summary line: truncated")]
    Truncated,
    /// A line follows the summary line.
    #[error("a line after the summary line")]
    AfterSummary,
    /// The summary line is malformed.
    #[error("summary: {0}")]
    Summary(serde_json::Error),
    /// The summary counts other results than the stream holds: lines are missing.
    #[error(
        "the summary counts {summary} results but the stream holds {results}: lines are missing"
    )]
    SummaryCount {
        /// Results counted by the summary line.
        summary: usize,
        /// Result lines read.
        results: usize,
    },
}

/// Reads the JSON Lines stream of a whole run, written by [`JsonLines`]: it must begin with its
/// header and end with its summary line, whose counts add up to the result lines — a stream cut
/// short (a crashed run, a partial copy) or two streams joined are errors naming the line and
/// the reason.
pub fn read_complete_stream(text: &str) -> Result<Stream, StreamError> {
    let mut stream = Stream::default();
    let mut last_line = 0;
    let mut summary: Option<(usize, Summary)> = None;
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let error = |problem| StreamError {
            line: index + 1,
            problem,
        };
        if summary.is_some() {
            return Err(error(StreamProblem::AfterSummary));
        }
        let mut value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| error(StreamProblem::NotJson(e)))?;
        let kind = value.get("type").and_then(|t| t.as_str());
        if last_line == 0 && kind != Some("header") {
            return Err(error(StreamProblem::NoHeader));
        }
        last_line = index + 1;
        match kind {
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
            Some("summary") => {
                let counts = SummaryLine::deserialize(&value)
                    .map_err(|e| error(StreamProblem::Summary(e)))?;
                summary = Some((index + 1, counts.into()));
            }
            other => {
                return Err(error(StreamProblem::UnknownType(other.map(str::to_owned))));
            }
        }
    }
    let Some((line, counts)) = summary else {
        return Err(StreamError {
            line: last_line.max(1),
            problem: StreamProblem::Truncated,
        });
    };
    let total = counts.passed + counts.failed + counts.skipped + counts.errored;
    if total != stream.results.len() {
        return Err(StreamError {
            line,
            problem: StreamProblem::SummaryCount {
                summary: total,
                results: stream.results.len(),
            },
        });
    }
    Ok(stream)
}

/// The counts of a summary line, as read back.
#[derive(Deserialize)]
struct SummaryLine {
    passed: usize,
    failed: usize,
    skipped: usize,
    errored: usize,
}

impl From<SummaryLine> for Summary {
    fn from(line: SummaryLine) -> Summary {
        Summary {
            passed: line.passed,
            failed: line.failed,
            skipped: line.skipped,
            errored: line.errored,
            ..Summary::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, Explanation, StatementRef};
    use crate::runner::Status;

    /// The line as serde writes a result flattened under `"type":"result"`.
    fn serde_line(result: &TestResult) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            #[serde(flatten)]
            result: &'a TestResult,
        }
        let line = Line {
            r#type: "result",
            result,
        };
        serde_json::to_string(&line).unwrap() + "\n"
    }

    #[test]
    fn result_lines_are_what_serde_writes() {
        let features: Arc<[String]> = vec!["identity".to_string(), "a\"b".into()].into();
        let base = TestResult {
            engine: "reference".into(),
            case: "x/y".into(),
            file: "corpus/x/y.json".into(),
            test: "t \u{e9}\n".into(),
            expect: Some(Decision::Allow),
            got: Some(Decision::ImplicitDeny),
            status: Status::Fail,
            features: Arc::clone(&features),
            ambiguous: false,
            message: None,
            explanation: Some(Explanation {
                reason: "why".into(),
                decided_by: vec![StatementRef {
                    policy: "identity[0]".into(),
                    statement: 0,
                    sid: None,
                    effect: "Allow".into(),
                }],
                notes: vec!["n".into()],
                ..Explanation::default()
            }),
        };
        let results = [
            base.clone(),
            TestResult {
                test: "second".into(),
                message: Some("m".into()),
                explanation: None,
                ..base.clone()
            },
            TestResult {
                case: "other".into(),
                expect: None,
                got: None,
                status: Status::Error,
                features: vec![].into(),
                ambiguous: true,
                ..base.clone()
            },
            base,
        ];
        let mut lines = JsonLines::new(Vec::new());
        let mut expected = String::new();
        for result in &results {
            lines.result(result).unwrap();
            expected += &serde_line(result);
        }
        assert_eq!(String::from_utf8(lines.into_inner()).unwrap(), expected);
        let mut summary = Summary::default();
        for result in &results {
            summary.add(result);
        }
        let mut whole = JsonLines::new(Vec::new());
        whole.header(&[]).unwrap();
        for result in &results {
            whole.result(result).unwrap();
        }
        whole.summary(&summary).unwrap();
        let stream = String::from_utf8(whole.into_inner()).unwrap();
        let back = read_complete_stream(&stream).unwrap();
        assert_eq!(back.results, results);
        let cut = stream
            .lines()
            .take(results.len())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            read_complete_stream(&cut).is_err(),
            "a stream without its summary is refused"
        );
    }
}
