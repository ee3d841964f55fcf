//! `iam-harness serve`: the reference evaluator as an engine program speaking the protocol of
//! DESIGN.md §4 on stdin/stdout — the protocol's own test partner, and a way to drive the
//! reference evaluator from another language.
//!
//! One answer line per request line, flushed at once. `start` gets `ready`; `evaluate` gets one
//! result per test, each with its explanation; `stop` or the end of input ends the server. Blank
//! lines are ignored. A line that cannot be served — not JSON, an unknown `cmd`, a case that does
//! not load, an unsupported protocol version — gets `{"seq":…,"errored":{"message":…}}`, with
//! the `seq` of the line when one can be found in it (else `null`), and the server goes on.

use std::io::{BufRead, Write};

use clap::Args;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{EXIT_OK, EXIT_USAGE};
use crate::case::Case;
use crate::engine::process::{errored_message, ready_message, results_message, PROTOCOL_VERSION};
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::Evaluator;

/// Arguments of `iam-harness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve the evaluator without the fixed service rules of IAM-SPEC §8 (`reference-generic`).
    #[arg(long)]
    generic: bool,
}

/// A request line, read loosely so that errors can name the `seq`.
#[derive(Deserialize)]
struct Request<'a> {
    cmd: Option<String>,
    seq: Option<Value>,
    protocol: Option<Value>,
    #[serde(borrow)]
    case: Option<&'a RawValue>,
}

/// What to do after a line.
enum Next {
    /// Write this answer line (without its newline).
    Answer(String),
    Ignore,
    Stop,
}

/// Finds `"seq": <digits>` in a line that is not valid JSON, so its error can still be matched.
fn scan_seq(line: &str) -> Option<u64> {
    let (_, after) = line.split_once("\"seq\"")?;
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Serialises an answer. The answer types serialise infallibly (plain structs, string keys);
/// the fallback keeps the protocol's one-answer-per-line promise regardless.
fn line(answer: &impl serde::Serialize) -> String {
    serde_json::to_string(answer).unwrap_or_else(|e| {
        // Keep only characters that need no JSON escaping.
        let reason: String = e
            .to_string()
            .chars()
            .filter(|c| c.is_alphanumeric() || " :,.`".contains(*c))
            .collect();
        format!(r#"{{"seq":null,"errored":{{"message":"cannot encode the answer: {reason}"}}}}"#)
    })
}

/// Answers one request line.
fn serve_line(engine: &dyn Evaluator, text: &str) -> Next {
    if text.trim().is_empty() {
        return Next::Ignore;
    }
    let request: Request<'_> = match serde_json::from_str(text) {
        Ok(request) => request,
        Err(e) => {
            return Next::Answer(line(&errored_message(
                scan_seq(text),
                &format!("malformed request: {e}"),
            )))
        }
    };
    let seq = request.seq.as_ref().and_then(Value::as_u64);
    let errored = |message: String| Next::Answer(line(&errored_message(seq, &message)));
    match request.cmd.as_deref() {
        Some("start") => match request.protocol.as_ref().and_then(Value::as_u64) {
            Some(p) if p == u64::from(PROTOCOL_VERSION) => {
                Next::Answer(line(&ready_message(&engine.info())))
            }
            _ => errored(format!(
                "unsupported protocol `{}` (this server speaks {PROTOCOL_VERSION})",
                request.protocol.unwrap_or(Value::Null)
            )),
        },
        Some("stop") => Next::Stop,
        Some("evaluate") => {
            let Some(seq) = seq else {
                return errored("`evaluate` needs a non-negative integer `seq`".into());
            };
            let Some(case) = request.case else {
                return errored("`evaluate` needs a `case`".into());
            };
            match Case::from_json(case.get(), &format!("seq {seq}")) {
                Ok(case) => Next::Answer(line(&results_message(seq, &engine.evaluate(&case)))),
                Err(e) => errored(format!("invalid case: {e}")),
            }
        }
        Some(other) => errored(format!(
            "unknown cmd `{other}` (known: start, evaluate, stop)"
        )),
        None => errored("the request has no `cmd`".into()),
    }
}

/// Serves requests from `input`, writing answers to `output`, until `stop` or end of input.
pub fn serve_stream(
    engine: &dyn Evaluator,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    let mut input = input;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        match serve_line(engine, &text) {
            Next::Ignore => {}
            Next::Stop => return Ok(()),
            Next::Answer(answer) => {
                output.write_all(answer.as_bytes())?;
                output.write_all(b"\n")?;
                output.flush()?;
            }
        }
    }
}

/// Runs `iam-harness serve`.
pub fn serve(args: &ServeArgs) -> u8 {
    let engine = if args.generic {
        ReferenceEvaluator::without_special_rules()
    } else {
        ReferenceEvaluator::new()
    };
    match serve_stream(&engine, std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
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

    fn transcript(input: &str) -> Vec<Value> {
        let mut out = Vec::new();
        serve_stream(&ReferenceEvaluator::new(), input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn bad_lines_get_errors_and_the_server_goes_on() {
        let answers = transcript(concat!(
            "{\"cmd\":\"start\",\"protocol\":1}\n",
            "\n",
            "not json\n",
            "{\"cmd\":\"evaluate\",\"seq\":4,\"case\":{\"id\":\"x\"}}\n",
            "{\"cmd\":\"dance\",\"seq\":5}\n",
            "{\"cmd\":\"start\",\"protocol\":2}\n",
            "{\"cmd\":\"evaluate\",\"case\":{}}\n",
            "{\"cmd\":\"stop\"}\n",
            "{\"cmd\":\"start\",\"protocol\":1}\n",
        ));
        assert_eq!(answers.len(), 6, "{answers:?}");
        assert_eq!(answers[0]["ready"], true);
        assert_eq!(answers[0]["features"], serde_json::json!(["*"]));
        assert_eq!(answers[1]["seq"], Value::Null);
        assert!(answers[1]["errored"]["message"]
            .as_str()
            .unwrap()
            .starts_with("malformed request"));
        assert_eq!(answers[2]["seq"], 4);
        assert!(answers[2]["errored"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid case"));
        assert_eq!(answers[3]["seq"], 5);
        assert!(answers[3]["errored"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown cmd `dance`"));
        assert!(answers[4]["errored"]["message"]
            .as_str()
            .unwrap()
            .contains("unsupported protocol `2`"));
        assert!(answers[5]["errored"]["message"]
            .as_str()
            .unwrap()
            .contains("needs a non-negative integer `seq`"));
    }
}
