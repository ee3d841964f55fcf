//! One running engine program: spawning it in its own process group, the threads that feed its
//! stdin and read its stdout and stderr, bounded waits for its lines, the tail of its stderr,
//! and killing it with everything it started.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::{ProcessError, ProcessErrorKind, STDERR_TAIL_BYTES};
use crate::engine::protocol::{read_line, LineRead, MAX_LINE_BYTES};

/// How long a stopped engine gets to exit before it is killed.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// How long to wait for a dead engine's exit status, its last output and the end of its stderr.
const EXIT_GRACE: Duration = Duration::from_millis(300);

/// How often a wait for a line checks whether the program has exited. Its output may stay open
/// after it exits (a wrapper script's background child holds it), so its end is not enough.
const EXIT_POLL: Duration = Duration::from_millis(20);

/// What the I/O threads report.
enum Event {
    /// One line of stdout, without its line ending.
    Line(String),
    /// A stdout line over [`MAX_LINE_BYTES`].
    TooLong,
    /// stdout is closed.
    Eof,
    /// stdout could not be read.
    ReadFailed(String),
    /// stdin could not be written.
    WriteFailed(String),
}

/// What [`EngineProcess::drain_idle`] found.
pub(crate) struct IdleOutput {
    /// Non-blank lines the program wrote while no request was in flight (now dropped).
    pub lines: u64,
    /// True when the program has died meanwhile.
    pub dead: bool,
}

/// One running engine program with its I/O threads. Dropping it kills the program's process
/// group; [`EngineProcess::stop`] first asks it to exit.
pub(crate) struct EngineProcess {
    child: Child,
    /// Lines to write to the program's stdin; `None` once closed.
    requests: Option<Sender<Vec<u8>>>,
    events: Receiver<Event>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// Disconnected once the stderr thread is done.
    stderr_done: Receiver<()>,
    /// True once the program has been waited for (its exit status is known).
    reaped: bool,
    /// True once the program's process group has been killed.
    group_killed: bool,
}

fn read_stdout(stdout: ChildStdout, events: &Sender<Event>) {
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        let event = match read_line(&mut reader, &mut line, MAX_LINE_BYTES) {
            Ok(LineRead::Line) => Event::Line(String::from_utf8_lossy(&line).into_owned()),
            Ok(LineRead::TooLong) => Event::TooLong,
            Ok(LineRead::End) => Event::Eof,
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

/// Puts the program in a process group of its own, so that killing the group also ends what it
/// started (a wrapper script's engine, a helper in the background).
#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

/// Kills the process group that `child` leads (see [`own_process_group`]).
#[cfg(unix)]
fn kill_process_group(child: &Child) {
    use rustix::process::{Pid, Signal};
    // Fails only when the group is gone already.
    let _ = rustix::process::kill_process_group(Pid::from_child(child), Signal::KILL);
}

#[cfg(not(unix))]
fn kill_process_group(_child: &Child) {}

impl EngineProcess {
    /// Starts `command` (program and arguments, no shell) with piped standard streams.
    pub(crate) fn spawn(command: &[String]) -> Result<EngineProcess, ProcessError> {
        let Some((program, args)) = command.split_first() else {
            return Err(ProcessError::new(ProcessErrorKind::EmptyCommand));
        };
        let spawn_error = |message: String| {
            ProcessError::new(ProcessErrorKind::Spawn {
                program: program.clone(),
                message,
            })
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        own_process_group(&mut command);
        let mut child = command.spawn().map_err(|e| spawn_error(e.to_string()))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill_process_group(&child);
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
        Ok(EngineProcess {
            child,
            requests: Some(request_tx),
            events,
            stderr: tail,
            stderr_done,
            reaped: false,
            group_killed: false,
        })
    }

    /// Queues one line for the program's stdin.
    pub(crate) fn send(&mut self, bytes: Vec<u8>) -> Result<(), ProcessErrorKind> {
        let closed = || ProcessErrorKind::Write {
            message: "the engine's input is closed".into(),
        };
        let requests = self.requests.as_ref().ok_or_else(closed)?;
        requests.send(bytes).map_err(|_| closed())
    }

    /// The next non-blank stdout line, waiting until `deadline` (`timeout` is what the error
    /// says). When the program exits meanwhile, its process group is killed so that its output
    /// closes, and lines it wrote before are still delivered.
    pub(crate) fn next_line(
        &mut self,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<String, ProcessErrorKind> {
        // Once the program has exited: its status, and until when its last output may come.
        let mut exited: Option<(String, Instant)> = None;
        loop {
            let until = exited
                .as_ref()
                .map_or(deadline, |(_, grace_end)| *grace_end);
            let slice = until
                .saturating_duration_since(Instant::now())
                .min(EXIT_POLL);
            match self.events.recv_timeout(slice) {
                Ok(Event::Line(line)) if line.trim().is_empty() => {}
                Ok(Event::Line(line)) => return Ok(line),
                Ok(Event::TooLong) => {
                    return Err(ProcessErrorKind::LineTooLong {
                        limit: u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX),
                    })
                }
                Ok(Event::ReadFailed(message)) => return Err(ProcessErrorKind::Read { message }),
                Ok(Event::WriteFailed(message)) => return Err(ProcessErrorKind::Write { message }),
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    let status = match exited {
                        Some((status, _)) => status,
                        None => self.exit_status(),
                    };
                    return Err(ProcessErrorKind::Exited { status });
                }
                Err(RecvTimeoutError::Timeout) => match &exited {
                    Some((status, grace_end)) if Instant::now() >= *grace_end => {
                        return Err(ProcessErrorKind::Exited {
                            status: status.clone(),
                        })
                    }
                    Some(_) => {}
                    None => {
                        if let Some(status) = self.poll_exit() {
                            self.kill_group();
                            exited = Some((status, Instant::now() + EXIT_GRACE));
                        } else if Instant::now() >= deadline {
                            return Err(ProcessErrorKind::Timeout { after: timeout });
                        }
                    }
                },
            }
        }
    }

    /// Drops the output waiting from before a request, and tells whether the program has died
    /// meanwhile (exited, closed its output, or a write failed).
    pub(crate) fn drain_idle(&mut self) -> IdleOutput {
        let mut lines = 0;
        loop {
            match self.events.try_recv() {
                Ok(Event::Line(line)) => lines += u64::from(!line.trim().is_empty()),
                Ok(_) | Err(TryRecvError::Disconnected) => return IdleOutput { lines, dead: true },
                Err(TryRecvError::Empty) => {
                    let dead = self.poll_exit().is_some();
                    return IdleOutput { lines, dead };
                }
            }
        }
    }

    /// The exit status when the program has exited (reaping it), else `None`.
    fn poll_exit(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.reaped = true;
                Some(status.to_string())
            }
            Ok(None) | Err(_) => None,
        }
    }

    /// The program's exit status after it closed its output, waiting briefly for it.
    pub(crate) fn exit_status(&mut self) -> String {
        let until = Instant::now() + EXIT_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.reaped = true;
                    return status.to_string();
                }
                Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
                Ok(None) => return "it closed its output but is still running".into(),
                Err(e) => return format!("exit status unknown: {e}"),
            }
        }
    }

    /// Kills the program's process group, once.
    fn kill_group(&mut self) {
        if !self.group_killed {
            kill_process_group(&self.child);
            self.group_killed = true;
        }
    }

    /// Closes the program's input, kills its process group and reaps it.
    pub(crate) fn kill(&mut self) {
        self.requests = None;
        self.kill_group();
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
            self.reaped = true;
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
    pub(crate) fn fail(&mut self, kind: ProcessErrorKind) -> ProcessError {
        let restart = kind.needs_restart();
        if restart {
            self.kill();
        }
        ProcessError {
            stderr_tail: self.stderr_tail(restart),
            kind,
        }
    }

    /// Sends `farewell` (the protocol's `stop`), closes stdin, gives the program a moment to
    /// exit, then kills whatever is left of its process group.
    pub(crate) fn stop(&mut self, farewell: Vec<u8>) {
        if !self.reaped {
            let _ = self.send(farewell);
            self.requests = None;
            let until = Instant::now() + STOP_GRACE;
            while Instant::now() < until && self.poll_exit().is_none() {
                thread::sleep(Duration::from_millis(5));
            }
        }
        self.kill();
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
