//! Any external program as an [`Evaluator`]: the engine protocol of docs/design.md §4
//! ([`protocol`](crate::engine::protocol)) over the program's stdin and stdout, one JSON message
//! per line.
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
//!   output, a line that is not JSON, a `seq` that is not the request's nor an earlier one's, a
//!   line longer than [`MAX_LINE_BYTES`](crate::engine::protocol::MAX_LINE_BYTES), a broken
//!   pipe — kill the program; it is started again (replaying `start`) for the next case. Faults
//!   in a well-framed answer — the wrong number of results, an answer of the wrong shape — error
//!   the case and keep the program.
//! - Restarts are capped ([`ProcessOptions::max_restarts`]); past the cap every further case
//!   errors at once with `engine gave up after N restarts`.
//! - Blank lines on stdout are ignored (some runtimes print an extra newline). An answer whose
//!   `seq` is an earlier request's (an engine that answered twice) is stale: it is dropped and
//!   counted ([`ProcessEngine::stale_answers`]), never taken for the answer in flight; so are
//!   lines that arrive while no request is in flight. An engine found dead between two cases is
//!   restarted before the next case is sent, so that case is not lost.
//! - Each program runs in a process group of its own (on Unix), and killing it kills the whole
//!   group: a wrapper script's children die with it instead of running on. An engine counts as
//!   exited when the program itself exits, even while a child it left holds its output open.
//!   (So a Ctrl-C at the terminal reaches the harness but not the engine; the engine sees its
//!   input close and is expected to exit on that, as the protocol asks.)
//! - Dropping the engine sends `stop`, closes its stdin, waits briefly, then kills what is left
//!   of the group.

pub(crate) mod child;
mod client;
mod error;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

pub use error::{ProcessError, ProcessErrorKind};

use crate::case::Case;
use crate::engine::{EngineInfo, Evaluator, Outcome};
use client::{Launch, Session};

/// How many bytes of the engine's stderr are kept for error messages.
pub const STDERR_TAIL_BYTES: usize = 4096;

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

/// An engine program speaking the protocol of docs/design.md §4, as an [`Evaluator`]. Cases are
/// evaluated one at a time (the program is one process); see the module docs for how faults
/// are handled.
pub struct ProcessEngine {
    launch: Launch,
    info: EngineInfo,
    session: Mutex<Session>,
}

impl std::fmt::Debug for ProcessEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessEngine")
            .field("command", &self.launch.command)
            .field("options", &self.launch.options)
            .field("info", &self.info)
            .finish_non_exhaustive()
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
        let launch = Launch { command, options };
        let (session, info) = Session::start(&launch)?;
        Ok(ProcessEngine {
            launch,
            info,
            session: Mutex::new(session),
        })
    }

    /// The program and its arguments.
    pub fn command(&self) -> &[String] {
        &self.launch.command
    }

    /// How many times the program has been started again after a fault.
    pub fn restarts(&self) -> u32 {
        self.session().restarts()
    }

    /// How many answer lines were dropped as stale: answers to an earlier request (an engine
    /// that answered twice) and lines written while no request was in flight.
    pub fn stale_answers(&self) -> u64 {
        self.session().stale_answers()
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Evaluator for ProcessEngine {
    fn info(&self) -> EngineInfo {
        self.info.clone()
    }

    fn evaluate(&self, case: &Case) -> Vec<Outcome> {
        match self.session().evaluate(&self.launch, case) {
            Ok(outcomes) => outcomes,
            Err(error) => vec![Outcome::Errored(error.to_string()); case.tests.len()],
        }
    }

    /// One program answers one case at a time: calls from several threads would only wait.
    fn supports_parallel_calls(&self) -> bool {
        false
    }
}

/// Splits a command line into program and arguments like a POSIX shell would, but without a
/// shell (the `shlex` crate's rules): words are separated by blanks; `'…'` quotes literally;
/// `"…"` quotes with `\"`, `\\`, `` \` `` and `\$` as escapes; outside quotes `\` escapes the
/// next character; a word starting with `#` begins a comment. No variables, globs or
/// redirections.
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
    let words = shlex::split(line)
        .ok_or_else(|| format!("cannot split `{line}`: an unclosed quote or a trailing `\\`"))?;
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
    #[case("a 'b", "unclosed quote")]
    #[case("a \"b", "unclosed quote")]
    #[case("a \"b\\", "unclosed quote")]
    #[case("a\\", "trailing")]
    fn rejects_bad_command_lines(#[case] line: &str, #[case] fragment: &str) {
        let error = split_command_line(line).unwrap_err();
        assert!(error.contains(fragment), "{error}");
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
