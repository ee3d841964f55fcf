//! Bounds on one decision of the reference evaluator (semantics §6.14): the text one policy value
//! may grow to by variable substitution, and the time one case may take. A policy under the
//! size quota can repeat `${aws:username}` hundreds of times, and a test can carry thousands of
//! condition values against thousands of request values; without bounds one such test asks for
//! gigabytes or minutes and takes the whole run down with it. A test that exceeds a bound is
//! errored with the reason, and the run goes on.
//!
//! The state is per thread, since one test is decided on one thread from start to end:
//! [`start`] before deciding, [`finish`] after; in between, substitution reports oversized text
//! through [`exceed`] and the condition evaluator asks [`stopped`] before each comparison (a
//! stopped decision answers "no match" everywhere, so it ends quickly).

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The longest text one policy value may become by substituting its variables: 1 MiB, far
/// above any value a real request carries (semantics §6.14).
pub const MAX_SUBSTITUTED_BYTES: usize = 1 << 20;

/// How often [`stopped`] reads the clock: once every this many comparisons.
const CLOCK_EVERY: u32 = 1024;

/// Which bound a decision exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// A policy value grew past [`MAX_SUBSTITUTED_BYTES`] by substitution.
    Substitution,
    /// The case took longer than its timeout.
    Time(Duration),
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Substitution => write!(
                f,
                "substituting the policy variables of one value would make more than \
                 {MAX_SUBSTITUTED_BYTES} bytes (semantics §6.14): the test is not decided"
            ),
            Exceeded::Time(limit) => write!(
                f,
                "deciding took longer than the timeout of {:.1} s (semantics §6.14): the test is not decided",
                limit.as_secs_f64()
            ),
        }
    }
}

thread_local! {
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
    static EXCEEDED: Cell<Option<Exceeded>> = const { Cell::new(None) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// Starts the bounds of one decision on this thread, with an optional time limit.
pub fn start(timeout: Option<Duration>) {
    DEADLINE.set(timeout.map(|limit| (Instant::now() + limit, limit)));
    EXCEEDED.set(None);
    TICKS.set(0);
}

/// Records that the decision in progress exceeded a bound (the first one counts).
pub fn exceed(kind: Exceeded) {
    if EXCEEDED.get().is_none() {
        EXCEEDED.set(Some(kind));
    }
}

/// True when the decision in progress exceeded a bound, reading the clock now and then.
pub fn stopped() -> bool {
    if EXCEEDED.get().is_some() {
        return true;
    }
    let ticks = TICKS.get().wrapping_add(1);
    TICKS.set(ticks);
    if ticks % CLOCK_EVERY == 0 {
        if let Some((deadline, limit)) = DEADLINE.get() {
            if Instant::now() >= deadline {
                exceed(Exceeded::Time(limit));
                return true;
            }
        }
    }
    false
}

/// Ends the bounds of the decision on this thread: the bound it exceeded, if any.
pub fn finish() -> Option<Exceeded> {
    DEADLINE.set(None);
    EXCEEDED.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_deadline_stops_the_decision_and_finish_resets() {
        start(Some(Duration::ZERO));
        let stopped_at = (0..CLOCK_EVERY * 2).find(|_| stopped());
        assert_eq!(stopped_at, Some(CLOCK_EVERY - 1));
        assert_eq!(finish(), Some(Exceeded::Time(Duration::ZERO)));
        start(None);
        assert!((0..CLOCK_EVERY * 2).all(|_| !stopped()));
        exceed(Exceeded::Substitution);
        exceed(Exceeded::Time(Duration::ZERO));
        assert!(stopped());
        assert_eq!(
            finish(),
            Some(Exceeded::Substitution),
            "the first bound counts"
        );
        assert_eq!(finish(), None);
    }
}
