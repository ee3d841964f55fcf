//! A parser program speaking the parser protocol (`schema/parser-protocol/`) over stdin and
//! stdout, as a [`Parser`]. The program runs through the engine client's child layer
//! ([`crate::engine::process`]): every wait is bounded, a timeout, crash, garbage line, line too
//! long or wrong `seq` kills the program, which is started again (replaying `start`) for the next
//! input, up to [`ProcessOptions::max_restarts`]. Answers to an earlier `seq` are dropped as
//! stale. One bad answer costs that input only: it becomes [`Answer::Error`].

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};

use super::{Answer, ArnAnswer, Input, Parser, ParserInfo};
use crate::engine::process::child::EngineProcess;
use crate::engine::process::{ProcessError, ProcessErrorKind, ProcessOptions};
use crate::engine::protocol::{encode_line, excerpt};

/// The protocol version the harness speaks.
pub const PARSER_PROTOCOL_VERSION: u64 = 1;

/// The `ready` message.
#[derive(Debug, Deserialize)]
struct Ready {
    ready: bool,
    #[serde(default)]
    parser: ParserInfo,
    #[serde(default)]
    supports: Vec<String>,
}

/// The live program and the counters of its faults.
struct Session {
    process: Option<EngineProcess>,
    seq: u64,
    restarts: u32,
    last_fault: String,
    stale: u64,
}

/// A parser program as a [`Parser`]; see the module docs.
pub struct ProcessParser {
    command: Vec<String>,
    options: ProcessOptions,
    info: ParserInfo,
    supports: Vec<String>,
    session: Mutex<Session>,
}

impl std::fmt::Debug for ProcessParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessParser")
            .field("command", &self.command)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Starts the program and waits for `ready`.
fn start(command: &[String], timeout: Duration) -> Result<(EngineProcess, Ready), ProcessError> {
    let mut process = EngineProcess::spawn(command)?;
    let handshake = |process: &mut EngineProcess| -> Result<Ready, ProcessErrorKind> {
        let line = encode_line(&json!({"cmd": "start", "protocol": PARSER_PROTOCOL_VERSION}))
            .map_err(|e| ProcessErrorKind::Write {
                message: e.to_string(),
            })?;
        process.send(line)?;
        let line = process.next_line(Instant::now() + timeout, timeout)?;
        let not_ready = |message: String| ProcessErrorKind::NotReady { message };
        let ready: Ready = serde_json::from_str(&line).map_err(|e| {
            not_ready(format!(
                "expected a `ready` message, got `{}` ({e})",
                excerpt(&line)
            ))
        })?;
        if !ready.ready {
            return Err(not_ready(format!("`ready: false`: `{}`", excerpt(&line))));
        }
        Ok(ready)
    };
    match handshake(&mut process) {
        Ok(ready) => Ok((process, ready)),
        Err(kind) => Err(process.fail(kind)),
    }
}

/// What one answer line is: the answer to `seq`, or a stale answer to an earlier request.
fn parse_answer(line: &str, seq: u64) -> Result<Option<Answer>, ProcessErrorKind> {
    let value: Value = serde_json::from_str(line).map_err(|e| ProcessErrorKind::Malformed {
        reason: e.to_string(),
        line: excerpt(line),
    })?;
    let got = value.get("seq");
    match got.and_then(Value::as_u64) {
        Some(got) if got == seq => {}
        Some(got) if got < seq => return Ok(None),
        _ => {
            return Err(ProcessErrorKind::WrongSeq {
                expected: seq,
                got: got.map_or_else(|| "none".to_owned(), |v| excerpt(&v.to_string())),
            })
        }
    }
    let bad = |message: String| ProcessErrorKind::BadAnswer { message };
    let field = |name: &str| value.get(name).filter(|v| !v.is_null());
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let answers = [
        field("arn").map(|v| {
            ArnAnswer::deserialize(v)
                .map(Answer::Arn)
                .map_err(|e| bad(format!("`arn`: {e}")))
        }),
        field("invalid").map(|v| {
            text(v)
                .map(Answer::Invalid)
                .ok_or_else(|| bad("`invalid` is not a string".into()))
        }),
        field("matched").map(|v| {
            v.as_bool()
                .map(Answer::Matched)
                .ok_or_else(|| bad("`matched` is not a boolean".into()))
        }),
        field("unsupported").map(|v| {
            text(v)
                .map(Answer::Unsupported)
                .ok_or_else(|| bad("`unsupported` is not a string".into()))
        }),
        field("error").map(|v| {
            text(v)
                .map(Answer::Error)
                .ok_or_else(|| bad("`error` is not a string".into()))
        }),
    ];
    let mut present = answers.into_iter().flatten();
    match (present.next(), present.next()) {
        (Some(answer), None) => answer.map(Some),
        _ => Err(bad(format!(
            "an answer carries exactly one of `arn`, `invalid`, `matched`, `unsupported`, `error`: `{}`",
            excerpt(line)
        ))),
    }
}

impl ProcessParser {
    /// Starts `command` (program and arguments, no shell), sends `start` and waits for `ready`.
    pub fn spawn(
        command: Vec<String>,
        options: ProcessOptions,
    ) -> Result<ProcessParser, ProcessError> {
        let (process, ready) = start(&command, options.start_timeout)?;
        Ok(ProcessParser {
            command,
            options,
            info: ready.parser,
            supports: ready.supports,
            session: Mutex::new(Session {
                process: Some(process),
                seq: 0,
                restarts: 0,
                last_fault: String::new(),
                stale: 0,
            }),
        })
    }

    /// How many times the program was started again after a fault.
    pub fn restarts(&self) -> u32 {
        self.lock().restarts
    }

    /// How many answer lines were dropped as stale.
    pub fn stale_answers(&self) -> u64 {
        self.lock().stale
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes sure a live program is there, restarting it within the cap.
    fn ensure_running<'s>(
        &self,
        session: &'s mut Session,
    ) -> Result<&'s mut EngineProcess, ProcessError> {
        if let Some(process) = session.process.as_mut() {
            let idle = process.drain_idle();
            session.stale += idle.lines;
            if idle.dead {
                if let Some(mut dead) = session.process.take() {
                    let status = dead.exit_status();
                    dead.kill();
                    session.last_fault = format!("the parser exited between inputs ({status})");
                }
            }
        }
        if session.process.is_none() {
            if session.restarts >= self.options.max_restarts {
                return Err(ProcessError::new(ProcessErrorKind::GaveUp {
                    restarts: session.restarts,
                    last: session.last_fault.clone(),
                }));
            }
            session.restarts += 1;
            match start(&self.command, self.options.start_timeout) {
                Ok((process, _)) => session.process = Some(process),
                Err(e) => {
                    session.last_fault = e.kind.to_string();
                    return Err(e);
                }
            }
        }
        session.process.as_mut().ok_or_else(|| {
            ProcessError::new(ProcessErrorKind::NotReady {
                message: "the parser is not running".into(),
            })
        })
    }

    fn ask(&self, input: &Input) -> Result<Answer, ProcessError> {
        let mut guard = self.lock();
        let session = &mut *guard;
        session.seq += 1;
        let seq = session.seq;
        let mut request = serde_json::to_value(input).map_err(|e| {
            ProcessError::new(ProcessErrorKind::Write {
                message: e.to_string(),
            })
        })?;
        if let Some(object) = request.as_object_mut() {
            object.insert("seq".into(), seq.into());
        }
        let line = encode_line(&request).map_err(|e| {
            ProcessError::new(ProcessErrorKind::Write {
                message: e.to_string(),
            })
        })?;
        let timeout = self.options.request_timeout;
        let mut stale = 0;
        let process = self.ensure_running(session)?;
        let answer = process.send(line).and_then(|()| {
            let deadline = Instant::now() + timeout;
            loop {
                let line = process.next_line(deadline, timeout)?;
                match parse_answer(&line, seq)? {
                    Some(answer) => return Ok(answer),
                    None => stale += 1,
                }
            }
        });
        let result = answer.map_err(|kind| process.fail(kind));
        if let Err(error) = &result {
            if error.kind.needs_restart() {
                session.process = None;
                session.last_fault = error.kind.to_string();
            }
        }
        session.stale += stale;
        result
    }
}

impl Parser for ProcessParser {
    fn info(&self) -> ParserInfo {
        self.info.clone()
    }

    fn supports(&self) -> Vec<String> {
        self.supports.clone()
    }

    fn answer(&self, input: &Input) -> Answer {
        self.ask(input)
            .unwrap_or_else(|e| Answer::Error(format!("protocol fault: {e}")))
    }
}

impl Drop for ProcessParser {
    fn drop(&mut self) {
        let session = self
            .session
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(mut process) = session.process.take() {
            if let Ok(stop) = encode_line(&json!({"cmd": "stop"})) {
                process.stop(stop);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_seq() {
        assert_eq!(
            parse_answer(r#"{"seq":3,"matched":true}"#, 3).unwrap(),
            Some(Answer::Matched(true))
        );
        assert_eq!(
            parse_answer(r#"{"seq":2,"matched":true}"#, 3).unwrap(),
            None
        );
        assert!(matches!(
            parse_answer(r#"{"seq":4,"matched":true}"#, 3),
            Err(ProcessErrorKind::WrongSeq { .. })
        ));
        assert!(matches!(
            parse_answer("garbage", 3),
            Err(ProcessErrorKind::Malformed { .. })
        ));
        assert!(matches!(
            parse_answer(r#"{"seq":3,"matched":true,"invalid":"x"}"#, 3),
            Err(ProcessErrorKind::BadAnswer { .. })
        ));
        assert_eq!(
            parse_answer(r#"{"seq":1,"arn":{"partition":"aws","region":null}}"#, 1).unwrap(),
            Some(Answer::Arn(ArnAnswer {
                partition: Some("aws".into()),
                ..ArnAnswer::default()
            }))
        );
    }
}
