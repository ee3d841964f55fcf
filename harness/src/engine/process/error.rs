//! What can go wrong talking to an engine program, and which faults cost the program its life.

use std::time::Duration;

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
    /// The answer carries a `seq` that is neither the request's nor an earlier request's (an
    /// earlier one's is a stale answer, dropped): the stream is out of sync.
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
    pub(crate) fn needs_restart(&self) -> bool {
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
    /// The last bytes (at most [`STDERR_TAIL_BYTES`](super::STDERR_TAIL_BYTES)) the program wrote to stderr, trimmed.
    pub stderr_tail: String,
}

impl ProcessError {
    pub(crate) fn new(kind: ProcessErrorKind) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
