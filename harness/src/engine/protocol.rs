//! The engine protocol of docs/design.md §4 on the wire: its messages as serde types and the line
//! reader and writer, shared by the harness's side ([`process`](super::process)) and the engine's
//! side (`iam-harness serve`), so both speak exactly one format.
//!
//! ```text
//! → {"cmd":"start","protocol":1}
//! ← {"ready":true,"engine":{"name":"…","version":"…"},"features":["*"]}
//! → {"cmd":"evaluate","seq":1,"case":{…}}
//! ← {"seq":1,"results":[{"decision":"allow"},{"skipped":"…"},{"errored":{"message":"…"}}]}
//! → {"cmd":"stop"}
//! ```
//!
//! One JSON message per line, at most [`MAX_LINE_BYTES`] long. The schemas of every message are
//! in `schema/protocol/`. Engines are read leniently: an `errored` may be a bare string and an
//! explanation of another shape is kept as text; what the harness writes always has the
//! schemas' shape.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Write};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::engine::{EngineInfo, Outcome};

use crate::decision::{Decision, Explanation};

/// The protocol version this crate speaks (the `protocol` field of `start`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest message line either side reads, without its line ending: 64 MiB. A case or an
/// answer is a few KiB, so a longer line is a fault (a runaway engine or a broken stream), and
/// it is refused rather than buffered without limit.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// How much of a bad line is quoted in an error message, in characters.
const EXCERPT_CHARS: usize = 200;

/// The first [`EXCERPT_CHARS`] characters of `line`, with `…` when it goes on.
pub(crate) fn excerpt(line: &str) -> String {
    let mut chars = line.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// A request, harness → engine. `C` is the case: a [`Case`](crate::case::Case) where the
/// harness writes it, the case's raw text where an engine reads it.
#[derive(Debug, Serialize)]
#[serde(tag = "cmd", rename_all = "lowercase")]
pub enum Request<C> {
    /// The first line after the program starts (and after every restart).
    Start {
        /// The protocol version, [`PROTOCOL_VERSION`].
        protocol: u32,
    },
    /// Decide every test of a case.
    Evaluate {
        /// The request's number, echoed by the answer.
        seq: u64,
        /// The case, exactly as in a case file.
        case: C,
    },
    /// The end of the session.
    Stop,
}

/// A request line an engine cannot serve, with the `seq` to answer it under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    /// The line's `seq`, when one can be found in it.
    pub seq: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl RequestError {
    /// The error for a request line longer than `limit` bytes, of which `start` is the
    /// beginning (where its `seq` is looked for).
    pub fn too_long(start: &str, limit: usize) -> Self {
        RequestError {
            seq: scan_seq(start),
            message: format!("request too long: a line longer than {limit} bytes"),
        }
    }

    /// The error answer to send for it.
    pub fn answer(&self) -> Answer {
        Answer::errored(self.seq, &self.message)
    }
}

/// A request line read loosely, so that errors can name the `seq`.
#[derive(Deserialize)]
struct LooseRequest<'a> {
    cmd: Option<String>,
    seq: Option<Value>,
    protocol: Option<Value>,
    #[serde(borrow)]
    case: Option<&'a RawValue>,
}

/// Finds `"seq": <digits>` in a line that is not valid JSON, so its error can still be matched.
fn scan_seq(line: &str) -> Option<u64> {
    let (_, after) = line.split_once("\"seq\"")?;
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

impl<'a> Request<&'a RawValue> {
    /// Reads one request line as an engine does. A `start` must name [`PROTOCOL_VERSION`]; an
    /// `evaluate` needs a `seq` and a `case` (which is not loaded here).
    pub fn parse(line: &'a str) -> Result<Self, RequestError> {
        let request: LooseRequest<'a> = serde_json::from_str(line).map_err(|e| RequestError {
            seq: scan_seq(line),
            message: format!("malformed request: {e}"),
        })?;
        let seq = request.seq.as_ref().and_then(Value::as_u64);
        let error = |message: String| RequestError { seq, message };
        match request.cmd.as_deref() {
            Some("start") => match request.protocol.as_ref().and_then(Value::as_u64) {
                Some(version) if version == u64::from(PROTOCOL_VERSION) => Ok(Request::Start {
                    protocol: PROTOCOL_VERSION,
                }),
                _ => Err(error(format!(
                    "unsupported protocol `{}` (this server speaks {PROTOCOL_VERSION})",
                    request.protocol.unwrap_or(Value::Null)
                ))),
            },
            Some("stop") => Ok(Request::Stop),
            Some("evaluate") => {
                let Some(seq) = seq else {
                    return Err(error(
                        "`evaluate` needs a non-negative integer `seq`".into(),
                    ));
                };
                let Some(case) = request.case else {
                    return Err(error("`evaluate` needs a `case`".into()));
                };
                Ok(Request::Evaluate { seq, case })
            }
            Some(other) => Err(error(format!(
                "unknown cmd `{other}` (known: start, evaluate, stop)"
            ))),
            None => Err(error("the request has no `cmd`".into())),
        }
    }
}

/// The answer to `start`, engine → harness: who the engine is and which features it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// Always `true` from a working engine.
    pub ready: bool,
    /// Who the engine is.
    pub engine: ReadyEngine,
    /// Claimed features (see [`EngineInfo::features`]).
    pub features: Vec<String>,
}

/// The `engine` object of [`Ready`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyEngine {
    /// Engine name.
    pub name: String,
    /// Engine version.
    pub version: String,
    /// Implementation language.
    #[serde(default)]
    pub language: String,
    /// Where to read about it.
    #[serde(default)]
    pub homepage: String,
}

impl From<EngineInfo> for Ready {
    fn from(info: EngineInfo) -> Self {
        Ready {
            ready: true,
            engine: ReadyEngine {
                name: info.name,
                version: info.version,
                language: info.language,
                homepage: info.homepage,
            },
            features: info.features,
        }
    }
}

impl From<Ready> for EngineInfo {
    fn from(ready: Ready) -> Self {
        EngineInfo {
            name: ready.engine.name,
            version: ready.engine.version,
            language: ready.engine.language,
            homepage: ready.engine.homepage,
            features: ready.features,
        }
    }
}

/// An answer, engine → harness: to `evaluate` request `seq`, or an error answer to any line
/// (`seq` is `null` when it is unknown). It carries exactly one of `results`, `skipped` and
/// `errored`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The request's `seq`.
    pub seq: Option<u64>,
    /// One result per test of the case, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<TestResult>>,
    /// The whole case is skipped, for this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The whole request failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errored: Option<ErrorMessage>,
}

impl Answer {
    /// The answer to `evaluate` request `seq`: one result per outcome, in order.
    pub fn results(seq: u64, outcomes: Vec<Outcome>) -> Self {
        Answer {
            seq: Some(seq),
            results: Some(outcomes.into_iter().map(TestResult::from).collect()),
            skipped: None,
            errored: None,
        }
    }

    /// An answer saying request `seq` failed as a whole.
    pub fn errored(seq: Option<u64>, message: &str) -> Self {
        Answer {
            seq,
            results: None,
            skipped: None,
            errored: Some(ErrorMessage(message.to_owned())),
        }
    }
}

/// One test's result in an [`Answer`]: exactly one of `decision` (with an optional
/// `explanation`), `skipped` and `errored`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    /// The decision's name (kept as text so that an unknown one errors this test only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Cow<'static, str>>,
    /// Why, when the engine explains itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<WireExplanation>,
    /// The engine cannot express this test, for this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The engine failed on this test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errored: Option<ErrorMessage>,
}

impl From<Outcome> for TestResult {
    fn from(outcome: Outcome) -> Self {
        let empty = TestResult {
            decision: None,
            explanation: None,
            skipped: None,
            errored: None,
        };
        match outcome {
            Outcome::Decided {
                decision,
                explanation,
            } => TestResult {
                decision: Some(Cow::Borrowed(decision.as_str())),
                explanation: explanation.map(WireExplanation),
                ..empty
            },
            Outcome::Skipped(reason) => TestResult {
                skipped: Some(reason),
                ..empty
            },
            Outcome::Errored(message) => TestResult {
                errored: Some(ErrorMessage(message)),
                ..empty
            },
        }
    }
}

/// The decision named `text`, if it is one.
fn parse_decision(text: &str) -> Option<Decision> {
    [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
        Decision::Invalid,
    ]
    .into_iter()
    .find(|decision| decision.as_str() == text)
}

impl TestResult {
    /// The outcome this result of test number `index` says; a result that is not of the
    /// protocol's shape is an error of that test.
    pub fn into_outcome(self, index: usize) -> Outcome {
        match (self.decision, self.skipped, self.errored) {
            (Some(decision), None, None) => match parse_decision(&decision) {
                Some(decision) => Outcome::Decided {
                    decision,
                    explanation: self.explanation.map(|explanation| explanation.0),
                },
                None => Outcome::Errored(format!(
                    "result {index}: unknown decision `{}` (known: allow, explicit_deny, implicit_deny, invalid)",
                    excerpt(&decision)
                )),
            },
            (None, Some(reason), None) => Outcome::Skipped(reason),
            (None, None, Some(errored)) => Outcome::Errored(errored.0),
            _ => Outcome::Errored(format!(
                "result {index}: needs exactly one of `decision`, `skipped`, `errored`"
            )),
        }
    }
}

/// An `errored` value: written as `{"message":"…"}`; read from that, from a bare string, or
/// from any other JSON (kept as its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMessage(pub String);

impl Serialize for ErrorMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Message<'a> {
            message: &'a str,
        }
        Message { message: &self.0 }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ErrorMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(ErrorMessage(match Value::deserialize(deserializer)? {
            Value::String(message) => message,
            other => other
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| other.to_string(), str::to_owned),
        }))
    }
}

/// An explanation on the wire: written in the harness's shape ([`Explanation`]); read from that
/// shape, or from anything else kept as text in [`Explanation::reason`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WireExplanation(pub Explanation);

impl<'de> Deserialize<'de> for WireExplanation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let explanation = match value {
            Value::String(reason) => Explanation {
                reason,
                ..Explanation::default()
            },
            other => Explanation::deserialize(&other).unwrap_or_else(|_| Explanation {
                reason: other.to_string(),
                ..Explanation::default()
            }),
        };
        Ok(WireExplanation(explanation))
    }
}

/// `message` as one protocol line: compact JSON and a `\n`.
///
/// Policies keep their exact text, which may span lines. In JSON a raw line break can only be
/// whitespace between tokens (inside strings it is escaped), so turning it into a space keeps
/// every document's meaning and the message on one line.
pub fn encode_line(message: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(message)?;
    for byte in &mut line {
        if matches!(*byte, b'\n' | b'\r') {
            *byte = b' ';
        }
    }
    line.push(b'\n');
    Ok(line)
}

/// Writes `message` as one line and flushes. The protocol's messages serialise infallibly
/// (plain structs, string keys); should one fail regardless, an error answer takes its place,
/// keeping the promise of one answer line per request.
pub fn write_line(output: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let line = encode_line(message).unwrap_or_else(|e| {
        // Keep only characters that need no JSON escaping.
        let reason: String = e
            .to_string()
            .chars()
            .filter(|c| c.is_alphanumeric() || " :,.`".contains(*c))
            .collect();
        format!(
            "{{\"seq\":null,\"errored\":{{\"message\":\"cannot encode the answer: {reason}\"}}}}\n"
        )
        .into_bytes()
    });
    output.write_all(&line)?;
    output.flush()
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// A line, now in the buffer without its line ending.
    Line,
    /// A line longer than the limit; the buffer holds its first `limit` bytes and the rest is
    /// still unread (see [`skip_line`]).
    TooLong,
    /// The end of the input.
    End,
}

/// Reads one line into `line` (cleared first), reading at most `limit` bytes of it, and strips
/// its line ending (`\n` or `\r\n`). A last line without a line ending counts.
pub fn read_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> io::Result<LineRead> {
    line.clear();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = input.by_ref().take(cap).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(LineRead::End);
    }
    if line.last() != Some(&b'\n') && read > limit {
        line.truncate(limit);
        return Ok(LineRead::TooLong);
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(LineRead::Line)
}

/// Reads and drops the rest of the current line (through its `\n`), keeping nothing of it.
pub fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&byte| byte == b'\n') {
            Some(end) => {
                input.consume(end + 1);
                return Ok(());
            }
            None => {
                let all = buffer.len();
                input.consume(all);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(r#"{"seq": 12, oops"#, Some(12))]
    #[case(r#"{"cmd":"evaluate","seq":7,"case":"#, Some(7))]
    #[case(r#"{"seq":"x"}"#, None)]
    #[case("garbage", None)]
    fn seq_is_recovered_from_broken_lines(#[case] line: &str, #[case] seq: Option<u64>) {
        assert_eq!(scan_seq(line), seq);
    }

    #[test]
    fn requests_are_written_in_protocol_order() {
        let start = encode_line(&Request::<()>::Start {
            protocol: PROTOCOL_VERSION,
        })
        .unwrap();
        assert_eq!(start, b"{\"cmd\":\"start\",\"protocol\":1}\n");
        assert_eq!(
            encode_line(&Request::<()>::Stop).unwrap(),
            b"{\"cmd\":\"stop\"}\n"
        );
        let case = RawValue::from_string("{\"id\":\n\"x\"}".into()).unwrap();
        let evaluate = encode_line(&Request::Evaluate { seq: 4, case }).unwrap();
        assert_eq!(
            evaluate,
            b"{\"cmd\":\"evaluate\",\"seq\":4,\"case\":{\"id\": \"x\"}}\n"
        );
        let text = std::str::from_utf8(&evaluate).unwrap();
        assert!(matches!(
            Request::parse(text),
            Ok(Request::Evaluate { seq: 4, case }) if case.get() == "{\"id\": \"x\"}"
        ));
    }

    #[test]
    fn answers_are_written_in_the_schemas_shape() {
        let outcomes = vec![
            Outcome::Decided {
                decision: Decision::Allow,
                explanation: None,
            },
            Outcome::Skipped("s".into()),
            Outcome::Errored("e".into()),
        ];
        assert_eq!(
            serde_json::to_string(&Answer::results(2, outcomes)).unwrap(),
            r#"{"seq":2,"results":[{"decision":"allow"},{"skipped":"s"},{"errored":{"message":"e"}}]}"#
        );
        assert_eq!(
            serde_json::to_string(&Answer::errored(None, "boom")).unwrap(),
            r#"{"seq":null,"errored":{"message":"boom"}}"#
        );
        let info = EngineInfo {
            name: "n".into(),
            version: "1".into(),
            language: String::new(),
            homepage: String::new(),
            features: vec!["*".into()],
        };
        let ready = Ready::from(info.clone());
        assert_eq!(
            serde_json::to_string(&ready).unwrap(),
            r#"{"ready":true,"engine":{"name":"n","version":"1","language":"","homepage":""},"features":["*"]}"#
        );
        assert_eq!(EngineInfo::from(ready), info);
    }

    #[test]
    fn engines_are_read_leniently() {
        let result: TestResult =
            serde_json::from_str(r#"{"decision":"allow","explanation":{"why":1}}"#).unwrap();
        assert_eq!(
            result.into_outcome(0),
            Outcome::Decided {
                decision: Decision::Allow,
                explanation: Some(Explanation {
                    reason: r#"{"why":1}"#.into(),
                    ..Explanation::default()
                })
            }
        );
        let result: TestResult = serde_json::from_str(r#"{"errored":"bare"}"#).unwrap();
        assert_eq!(result.into_outcome(0), Outcome::Errored("bare".into()));
        let result: TestResult = serde_json::from_str(r#"{"errored":{"code":3}}"#).unwrap();
        assert_eq!(
            result.into_outcome(0),
            Outcome::Errored(r#"{"code":3}"#.into())
        );
        let result: TestResult =
            serde_json::from_str(r#"{"decision":"allow","explanation":null}"#).unwrap();
        assert_eq!(result.into_outcome(0).decision(), Some(Decision::Allow));
    }

    #[test]
    fn lines_are_bounded_and_the_rest_can_be_skipped() {
        let mut input: &[u8] = b"short\r\n0123456789abcdef\nnext\nlast";
        let mut line = Vec::new();
        assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), LineRead::Line);
        assert_eq!(line, b"short");
        assert_eq!(
            read_line(&mut input, &mut line, 8).unwrap(),
            LineRead::TooLong
        );
        assert_eq!(line, b"01234567");
        skip_line(&mut input).unwrap();
        assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), LineRead::Line);
        assert_eq!(line, b"next");
        assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), LineRead::Line);
        assert_eq!(line, b"last");
        assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), LineRead::End);
        // Exactly the limit, line ending not counted.
        let mut input: &[u8] = b"12345678\n";
        assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), LineRead::Line);
        assert_eq!(line, b"12345678");
    }

    #[test]
    fn an_unencodable_message_still_writes_one_error_line() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let mut out = Vec::new();
        write_line(&mut out, &map).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with('\n') && text.matches('\n').count() == 1,
            "{text}"
        );
        let answer: Answer = serde_json::from_str(&text).unwrap();
        assert_eq!(answer.seq, None);
        assert!(answer
            .errored
            .unwrap()
            .0
            .starts_with("cannot encode the answer"));
    }
}
