//! The harness's side of the protocol over one [`EngineProcess`]: the `start`/`ready` handshake
//! (replayed after every restart), one `evaluate` at a time with its answer matched by `seq`,
//! stale answers dropped, and the answer turned into outcomes.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::child::EngineProcess;
use super::{ProcessError, ProcessErrorKind, ProcessOptions};
use crate::case::Case;
use crate::engine::protocol::{
    encode_line, excerpt, Answer, Ready, Request, TestResult, PROTOCOL_VERSION,
};
use crate::engine::{EngineInfo, Outcome};

/// How to start the engine program; fixed for the engine's lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Launch {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Timeouts and the restart cap.
    pub options: ProcessOptions,
}

/// The mutable side of a [`ProcessEngine`](super::ProcessEngine): the live program, the last
/// request's `seq`, and what the faults so far have cost. Dropping it stops the program.
pub(super) struct Session {
    /// `None` after a fault that killed the program, until the next case restarts it.
    process: Option<EngineProcess>,
    seq: u64,
    restarts: u32,
    last_fault: String,
    stale_answers: u64,
}

/// How an answer line relates to the request in flight.
#[derive(Debug, PartialEq)]
enum Reply {
    /// The answer to it.
    Outcomes(Vec<Outcome>),
    /// An answer to an earlier request (the engine answered that one twice): dropped.
    Stale,
}

/// The message of a request that cannot be encoded.
fn encode_error(error: &serde_json::Error) -> ProcessErrorKind {
    ProcessErrorKind::Write {
        message: format!("cannot encode the request: {error}"),
    }
}

/// Sends `start` and waits for `ready`.
fn handshake(
    process: &mut EngineProcess,
    timeout: Duration,
) -> Result<EngineInfo, ProcessErrorKind> {
    let start = encode_line(&Request::<()>::Start {
        protocol: PROTOCOL_VERSION,
    })
    .map_err(|e| encode_error(&e))?;
    process.send(start)?;
    let line = process.next_line(Instant::now() + timeout, timeout)?;
    let not_ready = |message: String| ProcessErrorKind::NotReady { message };
    let ready: Ready = serde_json::from_str(&line).map_err(|e| {
        not_ready(format!(
            "expected a `ready` message, got `{}` ({e})",
            excerpt(&line)
        ))
    })?;
    if !ready.ready {
        return Err(not_ready(format!(
            "the engine answered `ready: false`: `{}`",
            excerpt(&line)
        )));
    }
    Ok(EngineInfo::from(ready))
}

/// Starts the program and shakes hands with it.
fn start_program(how: &Launch) -> Result<(EngineProcess, EngineInfo), ProcessError> {
    let mut process = EngineProcess::spawn(&how.command)?;
    match handshake(&mut process, how.options.start_timeout) {
        Ok(info) => Ok((process, info)),
        Err(kind) => Err(process.fail(kind)),
    }
}

/// Reads one answer line for request `seq` of a case with `tests` tests. An integer `seq`
/// below the request's is an earlier request's answer ([`Reply::Stale`]); any other `seq` but
/// the request's puts the stream out of sync.
fn parse_answer(line: &str, seq: u64, tests: usize) -> Result<Reply, ProcessErrorKind> {
    let value: Value = serde_json::from_str(line).map_err(|e| ProcessErrorKind::Malformed {
        reason: e.to_string(),
        line: excerpt(line),
    })?;
    let got = value.get("seq");
    match got.and_then(Value::as_u64) {
        Some(got) if got == seq => {}
        Some(got) if got < seq => return Ok(Reply::Stale),
        _ => {
            return Err(ProcessErrorKind::WrongSeq {
                expected: seq,
                got: got.map_or_else(|| "none".to_owned(), |v| excerpt(&v.to_string())),
            })
        }
    }
    let bad = |message: String| ProcessErrorKind::BadAnswer { message };
    let answer: Answer = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let outcomes = match (answer.results, answer.skipped, answer.errored) {
        (Some(results), None, None) => {
            if results.len() != tests {
                return Err(ProcessErrorKind::WrongCount {
                    expected: tests,
                    got: results.len(),
                });
            }
            results
                .into_iter()
                .enumerate()
                .map(|(index, result)| TestResult::into_outcome(result, index))
                .collect()
        }
        (None, Some(reason), None) => vec![Outcome::Skipped(reason); tests],
        (None, None, Some(errored)) => vec![Outcome::Errored(errored.0); tests],
        _ => {
            return Err(bad(
                "an answer carries exactly one of `results`, `skipped`, `errored`".into(),
            ))
        }
    };
    Ok(Reply::Outcomes(outcomes))
}

/// Waits until `deadline` for the answer to request `seq`, dropping stale answers and counting
/// them in `stale`.
fn await_answer(
    process: &mut EngineProcess,
    seq: u64,
    tests: usize,
    deadline: Instant,
    timeout: Duration,
    stale: &mut u64,
) -> Result<Vec<Outcome>, ProcessErrorKind> {
    loop {
        let line = process.next_line(deadline, timeout)?;
        match parse_answer(&line, seq, tests)? {
            Reply::Outcomes(outcomes) => return Ok(outcomes),
            Reply::Stale => *stale += 1,
        }
    }
}

impl Session {
    /// Starts the program; errors when it cannot be started or does not get ready in time.
    pub(super) fn start(how: &Launch) -> Result<(Session, EngineInfo), ProcessError> {
        let (process, info) = start_program(how)?;
        let session = Session {
            process: Some(process),
            seq: 0,
            restarts: 0,
            last_fault: String::new(),
            stale_answers: 0,
        };
        Ok((session, info))
    }

    /// How many times the program has been started again after a fault.
    pub(super) fn restarts(&self) -> u32 {
        self.restarts
    }

    /// How many answer lines were dropped because they came for an earlier request (an engine
    /// answering twice, or output arriving between cases).
    pub(super) fn stale_answers(&self) -> u64 {
        self.stale_answers
    }

    /// Makes sure a live program is there, restarting it within the cap.
    fn ensure_running(&mut self, how: &Launch) -> Result<&mut EngineProcess, ProcessError> {
        if let Some(process) = self.process.as_mut() {
            let idle = process.drain_idle();
            self.stale_answers += idle.lines;
            if idle.dead {
                if let Some(mut dead) = self.process.take() {
                    let status = dead.exit_status();
                    dead.kill();
                    self.last_fault = format!("the engine exited between cases ({status})");
                }
            }
        }
        if self.process.is_none() {
            if self.restarts >= how.options.max_restarts {
                return Err(ProcessError::new(ProcessErrorKind::GaveUp {
                    restarts: self.restarts,
                    last: self.last_fault.clone(),
                }));
            }
            self.restarts += 1;
            match start_program(how) {
                Ok((process, _info)) => self.process = Some(process),
                Err(e) => {
                    self.last_fault = e.kind.to_string();
                    return Err(e);
                }
            }
        }
        self.process.as_mut().ok_or_else(|| {
            ProcessError::new(ProcessErrorKind::NotReady {
                message: "the engine is not running".into(),
            })
        })
    }

    /// One `evaluate` request and its answer. A fault that leaves the stream out of sync kills
    /// the program, to be restarted for the next case.
    pub(super) fn evaluate(
        &mut self,
        how: &Launch,
        case: &Case,
    ) -> Result<Vec<Outcome>, ProcessError> {
        self.seq += 1;
        let seq = self.seq;
        // One buffer per request: it is handed over to the writer thread.
        let line = encode_line(&Request::Evaluate { seq, case })
            .map_err(|e| ProcessError::new(encode_error(&e)))?;
        let timeout = how.options.request_timeout;
        let mut stale = 0;
        let process = self.ensure_running(how)?;
        let answer = process.send(line).and_then(|()| {
            let deadline = Instant::now() + timeout;
            await_answer(
                process,
                seq,
                case.tests.len(),
                deadline,
                timeout,
                &mut stale,
            )
        });
        let result = match answer {
            Ok(outcomes) => Ok(outcomes),
            Err(kind) => {
                let error = process.fail(kind);
                if error.kind.needs_restart() {
                    self.process = None;
                    self.last_fault = error.kind.to_string();
                }
                Err(error)
            }
        };
        self.stale_answers += stale;
        result
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            match encode_line(&Request::<()>::Stop) {
                Ok(stop) => process.stop(stop),
                Err(_) => process.kill(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, Explanation};
    use crate::engine::protocol::Answer;

    fn outcomes(line: &str, seq: u64, tests: usize) -> Vec<Outcome> {
        match parse_answer(line, seq, tests).unwrap() {
            Reply::Outcomes(outcomes) => outcomes,
            Reply::Stale => panic!("stale: {line}"),
        }
    }

    #[test]
    fn answers_are_checked() {
        let ok = outcomes(
            r#"{"seq":3,"results":[{"decision":"allow"},{"skipped":"no"},{"errored":{"message":"boom"}},{"decision":"invalid","explanation":"bad policy"}]}"#,
            3,
            4,
        );
        assert_eq!(ok[0].decision(), Some(Decision::Allow));
        assert_eq!(ok[1], Outcome::Skipped("no".into()));
        assert_eq!(ok[2], Outcome::Errored("boom".into()));
        assert_eq!(
            ok[3],
            Outcome::Decided {
                decision: Decision::Invalid,
                explanation: Some(Explanation {
                    reason: "bad policy".into(),
                    ..Explanation::default()
                })
            }
        );
        let errs = [
            ("not json", 1, 1, "malformed"),
            (
                r#"{"seq":2,"results":[]}"#,
                1,
                1,
                "wrong seq: expected 1, got 2",
            ),
            (r#"{"results":[]}"#, 1, 1, "got none"),
            (r#"{"seq":-1,"results":[]}"#, 1, 1, "got -1"),
            (r#"{"seq":1,"results":[]}"#, 1, 1, "got 0 for 1 tests"),
            (r#"{"seq":1}"#, 1, 1, "exactly one of"),
            (
                r#"{"seq":1,"skipped":"x","errored":{}}"#,
                1,
                1,
                "exactly one",
            ),
            (r#"{"seq":1,"results":3}"#, 1, 1, "wrong shape"),
        ];
        for (line, seq, tests, fragment) in errs {
            let e = parse_answer(line, seq, tests).unwrap_err().to_string();
            assert!(e.contains(fragment), "{line}: {e}");
        }
        let whole = outcomes(r#"{"seq":1,"skipped":"no s3"}"#, 1, 2);
        assert_eq!(whole, vec![Outcome::Skipped("no s3".into()); 2]);
        let bad = outcomes(r#"{"seq":1,"results":[{"decision":"maybe"},{}]}"#, 1, 2);
        assert!(matches!(&bad[0], Outcome::Errored(m) if m.contains("unknown decision `maybe`")));
        assert!(matches!(&bad[1], Outcome::Errored(m) if m.contains("exactly one of")));
    }

    #[test]
    fn an_earlier_requests_answer_is_stale_never_this_ones() {
        let earlier = r#"{"seq":4,"results":[{"decision":"explicit_deny"}]}"#;
        assert_eq!(parse_answer(earlier, 5, 1).unwrap(), Reply::Stale);
        // Even when it is of the wrong shape: it is not this request's problem.
        assert_eq!(
            parse_answer(r#"{"seq":0,"results":3}"#, 5, 1).unwrap(),
            Reply::Stale
        );
    }

    #[test]
    fn messages_round_trip_through_the_parser() {
        let sent = vec![
            Outcome::Decided {
                decision: Decision::ExplicitDeny,
                explanation: Some(Explanation {
                    reason: "deny".into(),
                    decided_by: Vec::new(),
                    notes: vec!["n".into()],
                    ..Explanation::default()
                }),
            },
            Outcome::Decided {
                decision: Decision::ImplicitDeny,
                explanation: None,
            },
            Outcome::Skipped("s".into()),
            Outcome::Errored("e".into()),
        ];
        let line = serde_json::to_string(&Answer::results(9, sent.clone())).unwrap();
        assert_eq!(outcomes(&line, 9, 4), sent);
    }
}
