//! One policy for what the commands print.
//!
//! - Nothing in `cli/` uses `println!` or `eprintln!`, which panic when the stream is gone:
//!   standard output goes through [`Out`] (or a [`crate::runner::Sink`] whose errors the command
//!   handles), messages through [`error`] and [`warning`], which never fail.
//! - A closed pipe (`iam-harness run | head -1`) or a full disk ends the command quietly: the
//!   first failed write is kept, later ones are skipped, and the command ends with one line on
//!   standard error ([`output_failed`]) and exit status 2. A command that was asked for report
//!   files writes them before it looks at its standard output ([`Tolerant`]).
//! - Text meant for people has its control characters escaped
//!   ([`crate::report::escape::printable`]); JSON needs nothing (JSON strings escape them).

use std::fmt::Display;
use std::io::{self, Write};

use super::EXIT_USAGE;
use crate::engine::EngineInfo;
use crate::report::escape::printable_lines;
use crate::runner::{Sink, Summary, TestResult};

/// Writes `"{args}\n"` to an [`Out`]: `outln!(out, "{} cases", n)`.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {
        $out.line(format_args!($($arg)*))
    };
}
pub(super) use outln;

/// The command's standard output: a failed write is kept and every later write skipped, so a
/// command prints on without checking each line and learns at the end ([`Out::finish`]).
pub(super) struct Out {
    out: io::Stdout,
    failed: Option<io::Error>,
}

impl Out {
    /// Standard output.
    pub(super) fn new() -> Out {
        Out {
            out: io::stdout(),
            failed: None,
        }
    }

    /// Writes one line (or several, for text holding line breaks) with its control characters
    /// escaped.
    pub(super) fn line(&mut self, text: impl Display) {
        if self.failed.is_some() {
            return;
        }
        let text = text.to_string();
        let mut out = self.out.lock();
        let written = out
            .write_all(printable_lines(&text).as_bytes())
            .and_then(|()| out.write_all(b"\n"));
        if let Err(error) = written {
            self.failed = Some(error);
        }
    }

    /// `code`, or — when the output could not be written — the one-line message and 2.
    pub(super) fn finish(mut self, code: u8) -> u8 {
        if self.failed.is_none() {
            if let Err(error) = self.out.flush() {
                self.failed = Some(error);
            }
        }
        match &self.failed {
            None => code,
            Some(error) => output_failed(error),
        }
    }
}

/// Prints `error: MESSAGE` on standard error (control characters escaped); a failure to
/// print is ignored, there being nowhere left to say it.
pub(super) fn error(message: impl Display) {
    let _ = writeln!(
        io::stderr(),
        "error: {}",
        printable_lines(&message.to_string())
    );
}

/// Prints `warning: MESSAGE` on standard error, like [`error`].
pub(super) fn warning(message: impl Display) {
    let _ = writeln!(
        io::stderr(),
        "warning: {}",
        printable_lines(&message.to_string())
    );
}

/// Says in one line that standard output could not be written, and gives exit status 2.
pub(super) fn output_failed(failure: &io::Error) -> u8 {
    if failure.kind() == io::ErrorKind::BrokenPipe {
        error("standard output was closed before the command finished; the rest is not printed");
    } else {
        error(format_args!("cannot write to standard output: {failure}"));
    }
    EXIT_USAGE
}

/// A sink whose write errors do not stop the run: the first is kept (see [`Tolerant::failed`])
/// and the sink is not called again. For output printed beside reports that must be written
/// whatever happens to the terminal.
pub(super) struct Tolerant<'a> {
    sink: &'a mut dyn Sink,
    failed: Option<io::Error>,
}

impl<'a> Tolerant<'a> {
    /// `sink`, tolerated.
    pub(super) fn new(sink: &'a mut dyn Sink) -> Tolerant<'a> {
        Tolerant { sink, failed: None }
    }

    /// The first write error, if there was one.
    pub(super) fn failed(self) -> Option<io::Error> {
        self.failed
    }

    fn call(&mut self, write: impl FnOnce(&mut dyn Sink) -> io::Result<()>) -> io::Result<()> {
        if self.failed.is_none() {
            if let Err(error) = write(&mut *self.sink) {
                self.failed = Some(error);
            }
        }
        Ok(())
    }
}

impl Sink for Tolerant<'_> {
    fn start(&mut self, engine: &EngineInfo, files: usize) -> io::Result<()> {
        self.call(|sink| sink.start(engine, files))
    }

    fn result(&mut self, result: &TestResult) -> io::Result<()> {
        self.call(|sink| sink.result(result))
    }

    fn file_done(&mut self) -> io::Result<()> {
        self.call(|sink| sink.file_done())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.call(|sink| sink.finish(summary))
    }
}
