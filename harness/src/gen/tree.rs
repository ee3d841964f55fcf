//! The proptest side of the generators: a [`Strategy`] that draws a vector of choice words and
//! builds a value from it, and a [`ValueTree`] that shrinks the words the way Hypothesis does —
//! zeroing blocks of words (halving block sizes down to single words), then halving words — so
//! every step moves choices toward 0, the simplest option of every builder.

use std::fmt;

use proptest::prelude::Rng as _;
use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use super::{Builder, Settings, WordChoices};

/// Builds values from a vector of choice words (see the module docs of [`crate::gen`]).
pub struct ChoiceStrategy<T> {
    settings: Settings,
    builder: Builder<T>,
}

impl<T> ChoiceStrategy<T> {
    /// A strategy building with `builder` at `settings`.
    pub fn new(settings: Settings, builder: Builder<T>) -> Self {
        ChoiceStrategy { settings, builder }
    }
}

impl<T> Clone for ChoiceStrategy<T> {
    fn clone(&self) -> Self {
        ChoiceStrategy {
            settings: self.settings,
            builder: self.builder,
        }
    }
}

impl<T> fmt::Debug for ChoiceStrategy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChoiceStrategy")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> Strategy for ChoiceStrategy<T> {
    type Tree = ChoiceTree<T>;
    type Value = T;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let rng = runner.rng();
        let max = self.settings.choices.max(2);
        let min = max / 2;
        let span = u64::try_from(max - min + 1).unwrap_or(1);
        let len = min + usize::try_from(u64::from(rng.next_u32()) % span).unwrap_or(0);
        let words: Vec<u32> = (0..len).map(|_| rng.next_u32()).collect();
        Ok(ChoiceTree {
            builder: self.builder,
            settings: self.settings,
            accepted: words.clone(),
            candidate: words,
            block: len.next_power_of_two().max(1),
            at: 0,
            halving: false,
        })
    }
}

/// The shrinking state over a vector of choice words.
pub struct ChoiceTree<T> {
    builder: Builder<T>,
    settings: Settings,
    /// The simplest words known to fail.
    accepted: Vec<u32>,
    /// The words being tried.
    candidate: Vec<u32>,
    /// The size of the blocks being zeroed.
    block: usize,
    /// Where the next block (or word to halve) starts.
    at: usize,
    /// True once block zeroing is done and words are halved one by one.
    halving: bool,
}

impl<T> fmt::Debug for ChoiceTree<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChoiceTree")
            .field("words", &self.candidate.len())
            .field("block", &self.block)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl<T> ChoiceTree<T> {
    /// Moves `candidate` to the next simplification of `accepted`; false when there is none.
    fn next_candidate(&mut self) -> bool {
        let len = self.accepted.len();
        while !self.halving {
            while self.at < len {
                let end = (self.at + self.block).min(len);
                let range = self.at..end;
                self.at = end;
                // `at < end <= len`, so the block is always there.
                let nonzero = self
                    .accepted
                    .get(range.clone())
                    .is_some_and(|block| block.iter().any(|w| *w != 0));
                if nonzero {
                    self.candidate.clone_from(&self.accepted);
                    if let Some(words) = self.candidate.get_mut(range) {
                        words.fill(0);
                    }
                    return true;
                }
            }
            if self.block <= 1 {
                self.halving = true;
            } else {
                self.block /= 2;
            }
            self.at = 0;
        }
        while self.at < len {
            let i = self.at;
            self.at += 1;
            let word = self.accepted.get(i).copied().unwrap_or(0);
            if word > 1 {
                self.candidate.clone_from(&self.accepted);
                if let Some(w) = self.candidate.get_mut(i) {
                    *w = word / 2;
                }
                // Halving a word that still fails is tried again from the same place.
                self.at = i;
                return true;
            }
        }
        false
    }
}

impl<T: fmt::Debug> ValueTree for ChoiceTree<T> {
    type Value = T;

    fn current(&self) -> T {
        (self.builder)(&mut WordChoices::new(&self.candidate), &self.settings)
    }

    /// The current candidate failed: keep it, and try something simpler.
    fn simplify(&mut self) -> bool {
        self.accepted.clone_from(&self.candidate);
        self.next_candidate()
    }

    /// The current candidate passed: drop it, and try the next simplification of the last
    /// failing words.
    fn complicate(&mut self) -> bool {
        if self.halving && self.at > 0 {
            // A halved word that passed is left alone.
            self.at += 1;
        }
        self.candidate.clone_from(&self.accepted);
        self.next_candidate()
    }
}
