//! Generators: proptest strategies and [`arbitrary::Arbitrary`] implementations for ARNs,
//! actions, statements, conditions, whole policies, policy sets and requests, built from ONE
//! source of truth.
//!
//! # One source of truth: builders over a choice source
//!
//! Every builder in `build` takes its decisions from a [`Choices`] source — "give me a number
//! below `n`" — and nothing else. Three sources drive the same builders:
//!
//! - [`WordChoices`] reads a vector of `u32` words. The proptest strategies ([`ChoiceStrategy`])
//!   draw that vector from the test runner's RNG and build from it; their value tree
//!   ([`ChoiceTree`]) shrinks the words toward 0, in the style of Hypothesis: choice 0 is always
//!   the simplest option (the first service, no condition, Allow, a single statement…), and an
//!   exhausted source answers 0, so zeroing words shrinks the built value.
//! - [`UnstructuredChoices`] reads an [`arbitrary::Unstructured`] (fuzzers, `Arbitrary` impls).
//! - [`RngChoices`] is a small seeded PRNG, used by the properties to pick their
//!   transformations reproducibly and by `props --stats`.
//!
//! # Realistic by default
//!
//! Names come from the embedded [`catalogue`] (real service prefixes, actions, ARN templates and
//! condition keys of the seed services). An input first picks a caller, one or two focus
//! services with a few actions and concrete resources, then policies whose statements point at
//! those (exactly, or through `*`/`?` wildcards and policy variables), conditions over real keys
//! with every operator, and requests derived from the policies most of the time: a matched
//! action, a resource the pattern matches, the context keys the conditions read with values
//! that satisfy or just miss them, then a mutation now and then. The decision mix this gives is
//! measured by `iam-harness props --stats`.
//!
//! Sizes are set by one [`Settings`] struct.

mod build;
pub mod catalogue;
mod input;
mod tree;

use arbitrary::{Arbitrary, Unstructured};
use proptest::strategy::Strategy;

pub use build::{action_name, arn, condition, policy, policy_set, request, statement};
pub use input::{labelled, policies_of, Input};
pub use tree::{ChoiceStrategy, ChoiceTree};

use crate::policy::PolicySet;
use crate::policy::{Condition, Policy, PolicyKind, Statement};
use crate::request::Request;

/// The sizes of what the generators build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Most statements in one policy document.
    pub max_statements: usize,
    /// Most values under one condition key, or patterns in one `Action`/`Resource`.
    pub max_values: usize,
    /// Most SCP or RCP hierarchy levels.
    pub max_levels: usize,
    /// Most identity-based policies of the caller.
    pub max_identity_policies: usize,
    /// Most operator blocks in one statement's `Condition`.
    pub max_conditions: usize,
    /// Most tests (requests) in one input.
    pub max_requests: usize,
    /// Length of the choice vector the proptest strategies generate (enough for the sizes
    /// above; an exhausted vector answers 0, the simplest choice).
    pub choices: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_statements: 4,
            max_values: 3,
            max_levels: 3,
            max_identity_policies: 2,
            max_conditions: 2,
            max_requests: 3,
            choices: 384,
        }
    }
}

/// A source of decisions for the builders.
pub trait Choices {
    /// A number in `0..n` (callers pass `n ≥ 2`); 0 is the simplest choice, and a source that
    /// has run out answers 0.
    fn below(&mut self, n: usize) -> usize;
}

/// Choices read from a slice of words: word `w` picks `⌊w·n / 2³²⌋`, so smaller words pick
/// earlier (simpler) options and shrinking a word toward 0 simplifies the choice.
#[derive(Debug, Clone)]
pub struct WordChoices<'a> {
    words: std::slice::Iter<'a, u32>,
}

impl<'a> WordChoices<'a> {
    /// A source over `words`.
    pub fn new(words: &'a [u32]) -> Self {
        WordChoices {
            words: words.iter(),
        }
    }
}

impl Choices for WordChoices<'_> {
    fn below(&mut self, n: usize) -> usize {
        let word = self.words.next().copied().unwrap_or(0);
        let scaled = (u64::from(word) * n as u64) >> 32;
        usize::try_from(scaled).unwrap_or(0)
    }
}

/// Choices read from fuzzer bytes through [`Unstructured::int_in_range`].
#[derive(Debug)]
pub struct UnstructuredChoices<'u, 'a> {
    u: &'u mut Unstructured<'a>,
}

impl<'u, 'a> UnstructuredChoices<'u, 'a> {
    /// A source over `u`.
    pub fn new(u: &'u mut Unstructured<'a>) -> Self {
        UnstructuredChoices { u }
    }
}

impl Choices for UnstructuredChoices<'_, '_> {
    fn below(&mut self, n: usize) -> usize {
        self.u.int_in_range(0..=n.saturating_sub(1)).unwrap_or(0)
    }
}

/// Choices from a seeded SplitMix64 generator: reproducible, cheap, never exhausted.
#[derive(Debug, Clone)]
pub struct RngChoices {
    state: u64,
}

impl RngChoices {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        RngChoices { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Choices for RngChoices {
    fn below(&mut self, n: usize) -> usize {
        let scaled = (u128::from(self.next_u64()) * n as u128) >> 64;
        usize::try_from(scaled).unwrap_or(0)
    }
}

/// A builder: what each generated kind of value is made by.
pub type Builder<T> = fn(&mut dyn Choices, &Settings) -> T;

/// The proptest strategy of any builder: a vector of choice words built into a value, shrunk
/// by moving words toward 0 ([`ChoiceTree`]).
pub fn strategy<T: std::fmt::Debug + 'static>(
    settings: Settings,
    builder: Builder<T>,
) -> ChoiceStrategy<T> {
    ChoiceStrategy::new(settings, builder)
}

/// Builds one value with `builder` from fuzzer bytes (what the `Arbitrary` impls call).
pub fn from_unstructured<T>(u: &mut Unstructured<'_>, builder: Builder<T>) -> T {
    builder(&mut UnstructuredChoices::new(u), &Settings::default())
}

/// Whole inputs: a policy set and the requests to decide against it.
pub fn input_strategy(settings: Settings) -> impl Strategy<Value = Input> {
    strategy(settings, Input::build)
}

/// Policy sets of every level (identity, resource, boundary, session, SCP and RCP levels).
pub fn policy_set_strategy(settings: Settings) -> impl Strategy<Value = PolicySet> {
    strategy(settings, policy_set)
}

/// Identity-based policies (use [`policy`] with another kind through [`strategy`]).
pub fn policy_strategy(settings: Settings) -> impl Strategy<Value = Policy> {
    strategy(settings, |c, s| policy(c, s, PolicyKind::Identity))
}

/// Statements of identity-based policies.
pub fn statement_strategy(settings: Settings) -> impl Strategy<Value = Statement> {
    strategy(settings, statement)
}

/// Condition operator blocks over real keys, every operator.
pub fn condition_strategy(settings: Settings) -> impl Strategy<Value = Condition> {
    strategy(settings, condition)
}

/// Resource ARNs of the seed services.
pub fn arn_strategy() -> impl Strategy<Value = String> {
    strategy(Settings::default(), arn)
}

/// Action names (`service:Name`) and action patterns with wildcards.
pub fn action_strategy() -> impl Strategy<Value = String> {
    strategy(Settings::default(), action_name)
}

/// Requests (with their derived global keys).
pub fn request_strategy(settings: Settings) -> impl Strategy<Value = Request> {
    strategy(settings, request)
}

/// A resource ARN of a seed service, for `Arbitrary` users (`arbitrary::Arbitrary` cannot be
/// implemented on `String`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArnText(pub String);

/// An action name or action pattern, for `Arbitrary` users.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionText(pub String);

macro_rules! arbitrary_from_builder {
    ($ty:ty, $builder:expr) => {
        impl<'a> Arbitrary<'a> for $ty {
            fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
                Ok(from_unstructured(u, $builder))
            }
        }
    };
}

arbitrary_from_builder!(Input, Input::build);
arbitrary_from_builder!(PolicySet, policy_set);
arbitrary_from_builder!(Policy, |c, s| policy(c, s, PolicyKind::Identity));
arbitrary_from_builder!(Statement, statement);
arbitrary_from_builder!(Condition, condition);
arbitrary_from_builder!(Request, request);
arbitrary_from_builder!(ArnText, |c, s| ArnText(arn(c, s)));
arbitrary_from_builder!(ActionText, |c, s| ActionText(action_name(c, s)));

#[cfg(test)]
mod tests;
