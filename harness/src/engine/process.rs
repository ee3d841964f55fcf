//! Any external program as an [`Evaluator`]: the engine protocol of DESIGN.md §4 over the
//! program's stdin and stdout, one JSON message per line.
//!
//! ```text
//! → {"cmd":"start","protocol":1}
//! ← {"ready":true,"engine":{"name":"…","version":"…"},"features":["*"]}
//! → {"cmd":"evaluate","seq":1,"case":{…}}
//! ← {"seq":1,"results":[{"decision":"allow"},{"skipped":"…"},{"errored":{"message":"…"}}]}
//! → {"cmd":"stop"}
//! ```
//!
//! The schemas of every message are in `schema/protocol/`.
//!
//! # Robustness
//!
//! One misbehaving engine never stops a run and never hangs it:
//!
//! - The program's stdout is read by a dedicated thread that feeds a channel, and its stdin is
//!   written by another, so every wait is bounded: [`ProcessOptions::start_timeout`] for the
//!   `ready` line, [`ProcessOptions::request_timeout`] for each answer, even when the engine stops
//!   reading its input.
//! - Its stderr is drained by a third thread into a ring buffer holding the last 4 KiB; every
//!   error message ends with that tail.
//! - Every failure turns into [`Outcome::Errored`] for every test of the case being evaluated,
//!   with a message saying what went wrong. Results already obtained are never touched.
//! - Faults that leave the line stream out of sync — a timeout, the engine exiting or closing its
//!   output, a line that is not JSON, a wrong `seq`, a line longer than 64 MiB, a broken pipe —
//!   kill the program; it is started again (replaying `start`) for the next case. Faults in a
//!   well-framed answer — the wrong number of results, an answer of the wrong shape — error the
//!   case and keep the program.
//! - Restarts are capped ([`ProcessOptions::max_restarts`]); past the cap every further case
//!   errors at once with `engine gave up after N restarts`.
//! - Blank lines on stdout are ignored (some runtimes print an extra newline); any other line is
//!   taken as the answer to the request in flight. Lines that arrive while no request is in
//!   flight are stray output and are dropped; an engine found dead between two cases is
//!   restarted before the next case is sent, so that case is not lost.
//! - Dropping the engine sends `stop`, closes its stdin, waits briefly, then kills it.
//!
//! Only the program itself is killed: a program that leaves children holding its pipes (a shell
//! script running the real engine in the background) may leave them running.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::Case;
use crate::decision::{Decision, Explanation};
use crate::engine::{EngineInfo, Evaluator, Outcome};

/// The protocol version this harness speaks (the `protocol` field of `start`).
pub const PROTOCOL_VERSION: u32 = 1;

/// How many bytes of the engine's stderr are kept for error messages.
pub const STDERR_TAIL_BYTES: usize = 4096;

/// The longest answer line accepted; a longer one is a fault (and not kept in memory).
const MAX_LINE_BYTES: u64 = 64 << 20;

/// How long a stopped engine gets to exit before it is killed.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// How long to wait for a dead engine's exit status and the end of its stderr.
const EXIT_GRACE: Duration = Duration::from_millis(300);

/// How much of a bad line is quoted in an error message, in characters.
const EXCERPT_CHARS: usize = 200;

/// Timeouts and the restart cap of a [`ProcessEngine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessOptions {
    /// How long one `evaluate` may take before the case errors and the engine is restarted.
    /// Default: 10 s.
    pub request_timeout: Duration,
    /// How long the engine may take to answer `start` with `ready`. Default: 10 s.
    pub start_timeout: Duration,
    /// How many times the engine is started again after a fault, over the engine's lifetime
    /// (one run). Default: 5.
    pub max_restarts: u32,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            request_timeout: Duration::from_secs(10),
            start_timeout: Duration::from_secs(10),
            max_restarts: 5,
        }
    }
}

/// What went wrong talking to an engine program.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessErrorKind {
    /// The command line names no program.
    #[error("the engine command is empty")]
    EmptyCommand,
    /// The program could not be started.
    #[error("cannot start `{program}`: {message}")]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's reason.
        message: String,
    },
    /// The first answer was not a `ready` message.
    #[error("the engine did not get ready: {message}")]
    NotReady {
        /// Why.
        message: String,
    },
    /// No answer in time.
    #[error("timed out: no answer within {:.1} s (the engine was killed)", .after.as_secs_f64())]
    Timeout {
        /// The timeout.
        after: Duration,
    },
    /// The engine closed its output (it exited or crashed).
    #[error("the engine exited without answering ({status})")]
    Exited {
        /// The exit status, or why it is unknown.
        status: String,
    },
    /// The answer line is not JSON.
    #[error("malformed answer (not JSON: {reason}): `{line}`")]
    Malformed {
        /// The JSON parser's message.
        reason: String,
        /// The start of the line.
        line: String,
    },
    /// The answer line is longer than the limit.
    #[error("malformed answer: a line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: u64,
    },
    /// The answer carries another `seq` than the request's: the stream is out of sync.
    #[error("wrong seq: expected {expected}, got {got}")]
    WrongSeq {
        /// The request's seq.
        expected: u64,
        /// What the answer carried (`none` when it carried none).
        got: String,
    },
    /// The answer has another number of results than the case has tests.
    #[error("wrong number of results: got {got} for {expected} tests")]
    WrongCount {
        /// The number of tests.
        expected: usize,
        /// The number of results.
        got: usize,
    },
    /// The answer is JSON with the right `seq` but not of the protocol's shape.
    #[error("answer of the wrong shape: {message}")]
    BadAnswer {
        /// What is wrong.
        message: String,
    },
    /// The request could not be written.
    #[error("cannot send to the engine: {message}")]
    Write {
        /// The operating system's reason (typically a broken pipe).
        message: String,
    },
    /// The engine's output could not be read.
    #[error("cannot read the engine's output: {message}")]
    Read {
        /// The operating system's reason.
        message: String,
    },
    /// The restart cap was reached earlier in the run.
    #[error("engine gave up after {restarts} restarts (last failure: {last})")]
    GaveUp {
        /// Restarts made.
        restarts: u32,
        /// The fault that used up the last restart.
        last: String,
    },
}

impl ProcessErrorKind {
    /// True when the fault leaves the line stream unusable, so the program must be restarted.
    fn needs_restart(&self) -> bool {
        !matches!(
            self,
            ProcessErrorKind::WrongCount { .. } | ProcessErrorKind::BadAnswer { .. }
        )
    }
}

/// An error talking to an engine program: what went wrong, and the tail of what the program
/// wrote to stderr at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessError {
    /// What went wrong.
    pub kind: ProcessErrorKind,
    /// The last bytes (at most [`STDERR_TAIL_BYTES`]) the program wrote to stderr, trimmed.
    pub stderr_tail: String,
}

impl ProcessError {
    fn new(kind: ProcessErrorKind) -> Self {
        ProcessError {
            kind,
            stderr_tail: String::new(),
        }
    }
}

impl std::fmt::Display for ProcessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)?;
        if !self.stderr_tail.is_empty() {
            write!(f, "; engine stderr (tail): {}", self.stderr_tail)?;
        }
        Ok(())
    }
}

impl std::error::Error for ProcessError {}

/// What the I/O threads report.
enum Event {
    /// One line of stdout, without its line ending.
    Line(String),
    /// A stdout line over the size limit.
    TooLong,
    /// stdout is closed.
    Eof,
    /// stdout could not be read.
    ReadFailed(String),
    /// stdin could not be written.
    WriteFailed(String),
}

/// One running engine program with its I/O threads.
struct Running {
    child: Child,
    /// Lines to write to the program's stdin; `None` once closed.
    requests: Option<Sender<Vec<u8>>>,
    events: Receiver<Event>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// Disconnected once the stderr thread is done.
    stderr_done: Receiver<()>,
    /// True once the program has been killed or has exited and been waited for.
    finished: bool,
}

fn read_stdout(stdout: ChildStdout, events: &Sender<Event>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = Vec::new();
        let event = match reader
            .by_ref()
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => Event::Eof,
            Ok(read) if line.last() != Some(&b'\n') && read as u64 > MAX_LINE_BYTES => {
                Event::TooLong
            }
            Ok(_) => {
                while matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                Event::Line(String::from_utf8_lossy(&line).into_owned())
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Event::ReadFailed(e.to_string()),
        };
        let last = !matches!(event, Event::Line(_));
        if events.send(event).is_err() || last {
            return;
        }
    }
}

fn read_stderr(mut stderr: ChildStderr, tail: &Mutex<VecDeque<u8>>) {
    let mut chunk = [0u8; 1024];
    loop {
        match stderr.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => {
                let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
                tail.extend(chunk.iter().take(n));
                let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
                tail.drain(..excess);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

fn write_stdin(mut stdin: ChildStdin, requests: &Receiver<Vec<u8>>, events: &Sender<Event>) {
    for bytes in requests {
        if let Err(e) = stdin.write_all(&bytes).and_then(|()| stdin.flush()) {
            // The reader may be gone too; nobody to tell then.
            let _ = events.send(Event::WriteFailed(e.to_string()));
            return;
        }
    }
    // Dropping `stdin` here closes the program's input.
}

/// The first [`EXCERPT_CHARS`] characters of `line`.
fn excerpt(line: &str) -> String {
    let mut chars = line.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// The `ready` message as engines send it.
#[derive(Deserialize)]
struct ReadyMessage {
    ready: bool,
    engine: ReadyEngine,
    features: Vec<String>,
}

#[derive(Deserialize)]
struct ReadyEngine {
    name: String,
    version: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    homepage: String,
}

impl Running {
    /// Starts `command`, replays `start` and waits for `ready`.
    fn start(
        command: &[String],
        options: &ProcessOptions,
    ) -> Result<(Running, EngineInfo), ProcessError> {
        let Some((program, args)) = command.split_first() else {
            return Err(ProcessError::new(ProcessErrorKind::EmptyCommand));
        };
        let spawn_error = |message: String| {
            ProcessError::new(ProcessErrorKind::Spawn {
                program: program.clone(),
                message,
            })
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error(e.to_string()))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(spawn_error("its standard streams are not available".into()));
        };
        let (event_tx, events) = mpsc::channel();
        let (request_tx, requests) = mpsc::channel::<Vec<u8>>();
        let (done_tx, stderr_done) = mpsc::channel::<()>();
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL_BYTES)));
        let writer_events = event_tx.clone();
        thread::spawn(move || read_stdout(stdout, &event_tx));
        thread::spawn(move || write_stdin(stdin, &requests, &writer_events));
        let stderr_tail = Arc::clone(&tail);
        thread::spawn(move || {
            read_stderr(stderr, &stderr_tail);
            drop(done_tx);
        });
        let mut running = Running {
            child,
            requests: Some(request_tx),
            events,
            stderr: tail,
            stderr_done,
            finished: false,
        };
        match running.handshake(options.start_timeout) {
            Ok(info) => Ok((running, info)),
            Err(kind) => Err(running.fail(kind)),
        }
    }

    fn handshake(&mut self, timeout: Duration) -> Result<EngineInfo, ProcessErrorKind> {
        self.send(format!("{{\"cmd\":\"start\",\"protocol\":{PROTOCOL_VERSION}}}\n").into_bytes())?;
        let line = self.next_line(Instant::now() + timeout, timeout)?;
        let not_ready = |message: String| ProcessErrorKind::NotReady { message };
        let ready: ReadyMessage = serde_json::from_str(&line).map_err(|e| {
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
        Ok(EngineInfo {
            name: ready.engine.name,
            version: ready.engine.version,
            language: ready.engine.language,
            homepage: ready.engine.homepage,
            features: ready.features,
        })
    }

    /// Queues one line for the program's stdin.
    fn send(&mut self, bytes: Vec<u8>) -> Result<(), ProcessErrorKind> {
        let closed = || ProcessErrorKind::Write {
            message: "the engine's input is closed".into(),
        };
        let requests = self.requests.as_ref().ok_or_else(closed)?;
        requests.send(bytes).map_err(|_| closed())
    }

    /// The next non-blank stdout line, waiting until `deadline`.
    fn next_line(
        &mut self,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<String, ProcessErrorKind> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Line(line)) if line.trim().is_empty() => {}
                Ok(Event::Line(line)) => return Ok(line),
                Ok(Event::TooLong) => {
                    return Err(ProcessErrorKind::LineTooLong {
                        limit: MAX_LINE_BYTES,
                    })
                }
                Ok(Event::ReadFailed(message)) => return Err(ProcessErrorKind::Read { message }),
                Ok(Event::WriteFailed(message)) => return Err(ProcessErrorKind::Write { message }),
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(ProcessErrorKind::Exited {
                        status: self.exit_status(),
                    })
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(ProcessErrorKind::Timeout { after: timeout })
                }
            }
        }
    }

    /// Drops stray output waiting from before the request; true when the program has died
    /// meanwhile (closed its output, or a write failed).
    fn died_while_idle(&mut self) -> bool {
        loop {
            match self.events.try_recv() {
                Ok(Event::Line(_)) => {}
                Ok(_) | Err(mpsc::TryRecvError::Disconnected) => return true,
                Err(mpsc::TryRecvError::Empty) => return false,
            }
        }
    }

    /// The program's exit status after it closed its output, waiting briefly for it.
    fn exit_status(&mut self) -> String {
        let until = Instant::now() + EXIT_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.finished = true;
                    return status.to_string();
                }
                Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
                Ok(None) => return "it closed its output but is still running".into(),
                Err(e) => return format!("exit status unknown: {e}"),
            }
        }
    }

    /// Kills the program (if still running) and reaps it.
    fn kill(&mut self) {
        self.requests = None;
        if !self.finished {
            let _ = self.child.kill();
            let _ = self.child.wait();
            self.finished = true;
        }
    }

    /// The stderr tail as text, trimmed; `settle` first waits briefly for the stderr thread to
    /// finish (once the program is dead) so that its last words are included.
    fn stderr_tail(&self, settle: bool) -> String {
        if settle {
            let _ = self.stderr_done.recv_timeout(EXIT_GRACE);
        }
        let tail = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        // The buffer may start inside a UTF-8 sequence: skip continuation bytes.
        let bytes: Vec<u8> = tail
            .iter()
            .copied()
            .skip_while(|b| b & 0xC0 == 0x80)
            .collect();
        String::from_utf8_lossy(&bytes).trim().to_owned()
    }

    /// Kills the program when `kind` requires it, and makes the error with the stderr tail.
    fn fail(&mut self, kind: ProcessErrorKind) -> ProcessError {
        let restart = kind.needs_restart();
        if restart {
            self.kill();
        }
        ProcessError {
            stderr_tail: self.stderr_tail(restart),
            kind,
        }
    }

    /// Sends `stop`, closes stdin, gives the program a moment, then kills it.
    fn stop(&mut self) {
        if self.finished {
            return;
        }
        let _ = self.send(b"{\"cmd\":\"stop\"}\n".to_vec());
        self.requests = None;
        let until = Instant::now() + STOP_GRACE;
        while Instant::now() < until {
            match self.child.try_wait() {
                Ok(Some(_)) => {
                    self.finished = true;
                    return;
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(_) => break,
            }
        }
        self.kill();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The mutable side of a [`ProcessEngine`].
struct State {
    running: Option<Running>,
    seq: u64,
    restarts: u32,
    last_fault: String,
}

/// An engine program speaking the protocol of DESIGN.md §4, as an [`Evaluator`]. Cases are
/// evaluated one at a time (the program is one process); see the module docs for how faults
/// are handled.
pub struct ProcessEngine {
    command: Vec<String>,
    options: ProcessOptions,
    info: EngineInfo,
    state: Mutex<State>,
}

impl std::fmt::Debug for ProcessEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessEngine")
            .field("command", &self.command)
            .field("options", &self.options)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The `evaluate` request.
#[derive(Serialize)]
struct EvaluateRequest<'a> {
    cmd: &'static str,
    seq: u64,
    case: &'a Case,
}

/// An answer to `evaluate`, once its `seq` is checked.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    results: Option<Vec<AnswerResult>>,
    #[serde(default)]
    skipped: Option<String>,
    #[serde(default)]
    errored: Option<Value>,
}

/// One test's result in an answer.
#[derive(Deserialize)]
struct AnswerResult {
    #[serde(default)]
    decision: Option<String>,
    #[serde(default)]
    explanation: Option<Value>,
    #[serde(default)]
    skipped: Option<String>,
    #[serde(default)]
    errored: Option<Value>,
}

/// The message of an `errored` value: `{"message":"…"}` (the protocol), or a bare string.
fn errored_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| other.to_string(), str::to_owned),
    }
}

/// An explanation as sent: the harness's shape is kept; anything else is passed on as text.
fn explanation_from(value: Value) -> Option<Explanation> {
    match value {
        Value::Null => None,
        Value::String(reason) => Some(Explanation {
            reason,
            ..Explanation::default()
        }),
        other => Some(
            serde_json::from_value::<Explanation>(other.clone()).unwrap_or_else(|_| Explanation {
                reason: other.to_string(),
                ..Explanation::default()
            }),
        ),
    }
}

fn parse_decision(text: &str) -> Option<Decision> {
    [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
        Decision::Invalid,
    ]
    .into_iter()
    .find(|d| d.as_str() == text)
}

fn result_outcome(index: usize, result: AnswerResult) -> Outcome {
    match (result.decision, result.skipped, result.errored) {
        (Some(decision), None, None) => match parse_decision(&decision) {
            Some(decision) => Outcome::Decided {
                decision,
                explanation: result.explanation.and_then(explanation_from),
            },
            None => Outcome::Errored(format!(
                "result {index}: unknown decision `{}` (known: allow, explicit_deny, implicit_deny, invalid)",
                excerpt(&decision)
            )),
        },
        (None, Some(reason), None) => Outcome::Skipped(reason),
        (None, None, Some(errored)) => Outcome::Errored(errored_text(&errored)),
        _ => Outcome::Errored(format!(
            "result {index}: needs exactly one of `decision`, `skipped`, `errored`"
        )),
    }
}

/// Reads one answer line for request `seq` of a case with `tests` tests.
fn parse_answer(line: &str, seq: u64, tests: usize) -> Result<Vec<Outcome>, ProcessErrorKind> {
    let value: Value = serde_json::from_str(line).map_err(|e| ProcessErrorKind::Malformed {
        reason: e.to_string(),
        line: excerpt(line),
    })?;
    let got = value.get("seq");
    if got.and_then(Value::as_u64) != Some(seq) {
        return Err(ProcessErrorKind::WrongSeq {
            expected: seq,
            got: got.map_or_else(|| "none".to_owned(), |v| excerpt(&v.to_string())),
        });
    }
    let bad = |message: String| ProcessErrorKind::BadAnswer { message };
    let answer: Answer = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    match (answer.results, answer.skipped, answer.errored) {
        (Some(results), None, None) => {
            if results.len() != tests {
                return Err(ProcessErrorKind::WrongCount {
                    expected: tests,
                    got: results.len(),
                });
            }
            Ok(results
                .into_iter()
                .enumerate()
                .map(|(i, r)| result_outcome(i, r))
                .collect())
        }
        (None, Some(reason), None) => Ok(vec![Outcome::Skipped(reason); tests]),
        (None, None, Some(errored)) => Ok(vec![Outcome::Errored(errored_text(&errored)); tests]),
        _ => Err(bad(
            "an answer carries exactly one of `results`, `skipped`, `errored`".into(),
        )),
    }
}

impl ProcessEngine {
    /// Starts `command` (program and arguments, no shell), sends `start` and waits for `ready`.
    /// Errors when the program cannot be started or does not get ready in time; the error
    /// carries the program's stderr tail.
    pub fn spawn(
        command: Vec<String>,
        options: ProcessOptions,
    ) -> Result<ProcessEngine, ProcessError> {
        let (running, info) = Running::start(&command, &options)?;
        Ok(ProcessEngine {
            command,
            options,
            info,
            state: Mutex::new(State {
                running: Some(running),
                seq: 0,
                restarts: 0,
                last_fault: String::new(),
            }),
        })
    }

    /// The program and its arguments.
    pub fn command(&self) -> &[String] {
        &self.command
    }

    /// How many times the program has been started again after a fault.
    pub fn restarts(&self) -> u32 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .restarts
    }

    /// Makes sure a live program is there, restarting it within the cap.
    fn ensure_running<'s>(&self, state: &'s mut State) -> Result<&'s mut Running, ProcessError> {
        if state.running.as_mut().is_some_and(Running::died_while_idle) {
            if let Some(mut dead) = state.running.take() {
                let status = dead.exit_status();
                dead.kill();
                state.last_fault = format!("the engine exited between cases ({status})");
            }
        }
        if state.running.is_none() {
            if state.restarts >= self.options.max_restarts {
                return Err(ProcessError::new(ProcessErrorKind::GaveUp {
                    restarts: state.restarts,
                    last: state.last_fault.clone(),
                }));
            }
            state.restarts += 1;
            match Running::start(&self.command, &self.options) {
                Ok((running, _info)) => state.running = Some(running),
                Err(e) => {
                    state.last_fault = e.kind.to_string();
                    return Err(e);
                }
            }
        }
        state.running.as_mut().ok_or_else(|| {
            ProcessError::new(ProcessErrorKind::NotReady {
                message: "the engine is not running".into(),
            })
        })
    }

    /// One request and its answer.
    fn exchange(&self, state: &mut State, case: &Case) -> Result<Vec<Outcome>, ProcessError> {
        state.seq += 1;
        let seq = state.seq;
        // One buffer per request: it is handed over to the writer thread.
        let mut line = serde_json::to_vec(&EvaluateRequest {
            cmd: "evaluate",
            seq,
            case,
        })
        .map_err(|e| {
            ProcessError::new(ProcessErrorKind::Write {
                message: format!("cannot encode the case: {e}"),
            })
        })?;
        // Policies keep their exact text, which may span lines. In JSON a raw line break can only
        // be whitespace between tokens (inside strings it is escaped), so turning it into a
        // space keeps every document's meaning and the message on one line.
        for byte in &mut line {
            if matches!(*byte, b'\n' | b'\r') {
                *byte = b' ';
            }
        }
        line.push(b'\n');
        let timeout = self.options.request_timeout;
        let running = self.ensure_running(state)?;
        let answer = running
            .send(line)
            .and_then(|()| running.next_line(Instant::now() + timeout, timeout))
            .and_then(|line| parse_answer(&line, seq, case.tests.len()));
        match answer {
            Ok(outcomes) => Ok(outcomes),
            Err(kind) => {
                let error = running.fail(kind);
                if error.kind.needs_restart() {
                    state.running = None;
                    state.last_fault = error.kind.to_string();
                }
                Err(error)
            }
        }
    }
}

impl Evaluator for ProcessEngine {
    fn info(&self) -> EngineInfo {
        self.info.clone()
    }

    fn evaluate(&self, case: &Case) -> Vec<Outcome> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match self.exchange(&mut state, case) {
            Ok(outcomes) => outcomes,
            Err(error) => vec![Outcome::Errored(error.to_string()); case.tests.len()],
        }
    }

    /// One program answers one case at a time: calls from several threads would only wait.
    fn supports_parallel_calls(&self) -> bool {
        false
    }
}

/// The `ready` message as `iam-harness serve` sends it (fields in protocol order).
#[derive(Serialize)]
struct ReadyOut<'a> {
    ready: bool,
    engine: EngineOut<'a>,
    features: &'a [String],
}

#[derive(Serialize)]
struct EngineOut<'a> {
    name: &'a str,
    version: &'a str,
    language: &'a str,
    homepage: &'a str,
}

/// One test's result as sent.
#[derive(Serialize)]
#[serde(untagged)]
enum ResultOut<'a> {
    Decided {
        decision: Decision,
        #[serde(skip_serializing_if = "Option::is_none")]
        explanation: Option<&'a Explanation>,
    },
    Skipped {
        skipped: &'a str,
    },
    Errored {
        errored: MessageOut<'a>,
    },
}

#[derive(Serialize)]
struct MessageOut<'a> {
    message: &'a str,
}

#[derive(Serialize)]
struct ResultsOut<'a> {
    seq: u64,
    results: Vec<ResultOut<'a>>,
}

#[derive(Serialize)]
struct ErroredOut<'a> {
    seq: Option<u64>,
    errored: MessageOut<'a>,
}

/// The `ready` message for an engine (what `iam-harness serve` answers to `start`).
pub fn ready_message(info: &EngineInfo) -> impl Serialize + '_ {
    ReadyOut {
        ready: true,
        engine: EngineOut {
            name: &info.name,
            version: &info.version,
            language: &info.language,
            homepage: &info.homepage,
        },
        features: &info.features,
    }
}

fn result_out(outcome: &Outcome) -> ResultOut<'_> {
    match outcome {
        Outcome::Decided {
            decision,
            explanation,
        } => ResultOut::Decided {
            decision: *decision,
            explanation: explanation.as_ref(),
        },
        Outcome::Skipped(reason) => ResultOut::Skipped { skipped: reason },
        Outcome::Errored(message) => ResultOut::Errored {
            errored: MessageOut { message },
        },
    }
}

/// The answer to `evaluate` request `seq`: one result per test, in order.
pub fn results_message(seq: u64, outcomes: &[Outcome]) -> impl Serialize + '_ {
    ResultsOut {
        seq,
        results: outcomes.iter().map(result_out).collect(),
    }
}

/// An answer saying request `seq` failed as a whole (`seq` is `null` when it is unknown).
pub fn errored_message(seq: Option<u64>, message: &str) -> impl Serialize + '_ {
    ErroredOut {
        seq,
        errored: MessageOut { message },
    }
}

/// Splits a command line into program and arguments, shell-like but without a shell: words are
/// separated by whitespace; `'…'` quotes literally; `"…"` quotes with `\"` and `\\` as escapes;
/// outside quotes `\` escapes the next character. No variables, globs or redirections.
///
/// ```
/// use iam_harness::engine::process::split_command_line;
/// assert_eq!(
///     split_command_line(r#"python3 'my engine.py' --name "a \"b\"""#).unwrap(),
///     ["python3", "my engine.py", "--name", "a \"b\""]
/// );
/// assert!(split_command_line("python3 'unclosed").is_err());
/// ```
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // True once the current word has begun (so `''` makes an empty word).
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed `'` in `{line}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unclosed `\"` in `{line}`")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed `\"` in `{line}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(format!("a trailing `\\` in `{line}`")),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("the engine command is empty".into());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("a b  c", &["a", "b", "c"])]
    #[case("  python3\tx.py ", &["python3", "x.py"])]
    #[case("a 'b c' d", &["a", "b c", "d"])]
    #[case(r#"a "b 'c' d""#, &["a", "b 'c' d"])]
    #[case(r#"a 'b "c" d'"#, &["a", "b \"c\" d"])]
    #[case(r#""a\"b\\c\n""#, &["a\"b\\c\\n"])]
    #[case(r"a\ b c", &["a b", "c"])]
    #[case("x'y'\"z\"", &["xyz"])]
    #[case("a '' b", &["a", "", "b"])]
    #[case(r"'a\b' c", &["a\\b", "c"])]
    fn splits_like_a_shell(#[case] line: &str, #[case] words: &[&str]) {
        assert_eq!(split_command_line(line).unwrap(), words);
    }

    #[rstest]
    #[case("", "empty")]
    #[case("   ", "empty")]
    #[case("a 'b", "unclosed `'`")]
    #[case("a \"b", "unclosed `\"`")]
    #[case("a \"b\\", "unclosed `\"`")]
    #[case("a\\", "trailing")]
    fn rejects_bad_command_lines(#[case] line: &str, #[case] fragment: &str) {
        let error = split_command_line(line).unwrap_err();
        assert!(error.contains(fragment), "{error}");
    }

    #[test]
    fn answers_are_checked() {
        let ok = parse_answer(
            r#"{"seq":3,"results":[{"decision":"allow"},{"skipped":"no"},{"errored":{"message":"boom"}},{"decision":"invalid","explanation":"bad policy"}]}"#,
            3,
            4,
        )
        .unwrap();
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
        let whole = parse_answer(r#"{"seq":1,"skipped":"no s3"}"#, 1, 2).unwrap();
        assert_eq!(whole, vec![Outcome::Skipped("no s3".into()); 2]);
        let bad = parse_answer(r#"{"seq":1,"results":[{"decision":"maybe"},{}]}"#, 1, 2).unwrap();
        assert!(matches!(&bad[0], Outcome::Errored(m) if m.contains("unknown decision `maybe`")));
        assert!(matches!(&bad[1], Outcome::Errored(m) if m.contains("exactly one of")));
    }

    #[test]
    fn only_stream_faults_restart() {
        assert!(ProcessErrorKind::Timeout {
            after: Duration::from_secs(1)
        }
        .needs_restart());
        assert!(ProcessErrorKind::WrongSeq {
            expected: 1,
            got: "2".into()
        }
        .needs_restart());
        assert!(!ProcessErrorKind::WrongCount {
            expected: 1,
            got: 2
        }
        .needs_restart());
    }

    #[test]
    fn messages_round_trip_through_the_parser() {
        let outcomes = vec![
            Outcome::Decided {
                decision: Decision::ExplicitDeny,
                explanation: Some(Explanation {
                    reason: "deny".into(),
                    decided_by: Vec::new(),
                    notes: vec!["n".into()],
                }),
            },
            Outcome::Decided {
                decision: Decision::ImplicitDeny,
                explanation: None,
            },
            Outcome::Skipped("s".into()),
            Outcome::Errored("e".into()),
        ];
        let line = serde_json::to_string(&results_message(9, &outcomes)).unwrap();
        assert_eq!(parse_answer(&line, 9, 4).unwrap(), outcomes);
    }

    #[test]
    fn spawn_errors_name_the_program() {
        let e = ProcessEngine::spawn(
            vec!["/nonexistent/engine-binary".into()],
            ProcessOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot start `/nonexistent/engine-binary`"),
            "{e}"
        );
        let e = ProcessEngine::spawn(Vec::new(), ProcessOptions::default()).unwrap_err();
        assert_eq!(e.kind, ProcessErrorKind::EmptyCommand);
    }
}
