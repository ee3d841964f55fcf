//! `iam-harness serve`: the reference evaluator as an engine program speaking the protocol of
//! docs/design.md §4 on stdin/stdout — the protocol's own test partner, and a way to drive the
//! reference evaluator from another language.
//!
//! One answer line per request line, flushed at once. `start` gets `ready`; `evaluate` gets one
//! result per test, each with its explanation; `stop` or the end of input ends the server. Blank
//! lines are ignored. A line that cannot be served — not JSON, an unknown `cmd`, a case that does
//! not load, an unsupported protocol version, a line longer than
//! [`MAX_LINE_BYTES`](crate::engine::protocol::MAX_LINE_BYTES) — gets
//! `{"seq":…,"errored":{"message":…}}`, with the `seq` of the line when one can be found in it
//! (else `null`), and the server goes on. The messages are those of
//! [`protocol`](crate::engine::protocol), shared with the harness's side.

use std::io::{BufRead, Write};

use clap::Args;

use super::{EXIT_OK, EXIT_USAGE};
use crate::case::Case;
use crate::engine::protocol::{
    read_line, skip_line, write_line, Answer, LineRead, Ready, Request, RequestError,
    MAX_LINE_BYTES,
};
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::Evaluator;

/// Arguments of `iam-harness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve the evaluator without the fixed service rules of semantics §8 (`reference-generic`).
    #[arg(long)]
    generic: bool,
}

/// What to do after a line.
enum Next {
    /// Write this `ready` message.
    Ready(Ready),
    /// Write this answer.
    Answer(Answer),
    Ignore,
    Stop,
}

/// Answers one request line.
fn serve_line(engine: &dyn Evaluator, text: &str) -> Next {
    if text.trim().is_empty() {
        return Next::Ignore;
    }
    let errored = |error: RequestError| Next::Answer(error.answer());
    match Request::parse(text) {
        Err(error) => errored(error),
        Ok(Request::Start { .. }) => Next::Ready(Ready::from(engine.info())),
        Ok(Request::Stop) => Next::Stop,
        Ok(Request::Evaluate { seq, case }) => {
            match Case::from_json(case.get(), &format!("seq {seq}")) {
                Ok(case) => Next::Answer(Answer::results(seq, engine.evaluate(&case))),
                Err(e) => errored(RequestError {
                    seq: Some(seq),
                    message: format!("invalid case: {e}"),
                }),
            }
        }
    }
}

/// Serves requests from `input`, writing answers to `output`, until `stop` or end of input.
pub fn serve_stream(
    engine: &dyn Evaluator,
    input: impl BufRead,
    output: impl Write,
) -> std::io::Result<()> {
    serve_bounded(engine, input, output, MAX_LINE_BYTES)
}

/// [`serve_stream`] with request lines of at most `limit` bytes: a longer one gets an error
/// answer (under its `seq` when the start of the line names one) and is skipped unread.
fn serve_bounded(
    engine: &dyn Evaluator,
    mut input: impl BufRead,
    mut output: impl Write,
    limit: usize,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    loop {
        let next = match read_line(&mut input, &mut line, limit)? {
            LineRead::End => return Ok(()),
            LineRead::TooLong => {
                skip_line(&mut input)?;
                let error = RequestError::too_long(&String::from_utf8_lossy(&line), limit);
                Next::Answer(error.answer())
            }
            LineRead::Line => serve_line(engine, &String::from_utf8_lossy(&line)),
        };
        match next {
            Next::Ignore => {}
            Next::Stop => return Ok(()),
            Next::Ready(ready) => write_line(&mut output, &ready)?,
            Next::Answer(answer) => write_line(&mut output, &answer)?,
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
            super::output::error(e);
            EXIT_USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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

    #[test]
    fn a_request_line_over_the_limit_is_refused_and_skipped() {
        let long = format!(
            "{{\"cmd\":\"evaluate\",\"seq\":3,\"case\":{{\"id\":\"{}\"}}}}\n",
            "x".repeat(200)
        );
        let input = format!("{long}{{\"cmd\":\"start\",\"protocol\":1}}\n");
        let mut out = Vec::new();
        serve_bounded(&ReferenceEvaluator::new(), input.as_bytes(), &mut out, 100).unwrap();
        let answers: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(answers.len(), 2, "{answers:?}");
        assert_eq!(answers[0]["seq"], 3);
        assert_eq!(
            answers[0]["errored"]["message"],
            "request too long: a line longer than 100 bytes"
        );
        assert_eq!(answers[1]["ready"], true);
    }
}
