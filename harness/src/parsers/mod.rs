//! Fuzzing other people's ARN and wildcard parsers (issue 12): the parser protocol
//! (`schema/parser-protocol/`), the documented rules as the oracle, generated inputs, shrinking,
//! root-cause grouping and known differences.
//!
//! - [`Parser`] is the one interface a parser is driven through (the
//!   [`Evaluator`](crate::engine::Evaluator) pattern): [`client::ProcessParser`] speaks the
//!   protocol to a program over stdin/stdout, reusing the engine client's child process layer
//!   (timeouts, restarts, process groups, bounded lines).
//! - [`oracle`] answers every input by the documented rules — [`crate::arn::Arn::parse`] for
//!   ARNs (semantics §3.1), [`crate::glob`] and [`crate::arn`] for the matchers (semantics §3.2,
//!   §3.3, §4.3, §4.4) — and names the root cause of a disagreement.
//! - [`generate`] reads the parser corpus (`corpus-parsers/`) and generates inputs from the
//!   embedded Service Authorization Reference; [`shrink`] minimises a disagreement keeping its
//!   root cause; [`known`] reads an adapter's known-differences list; [`run`] ties them
//!   together.

pub mod client;
pub mod generate;
pub mod known;
pub mod oracle;
pub mod render;
pub mod run;
pub mod shrink;

use serde::{Deserialize, Serialize};

/// One question put to a parser.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Input {
    /// Parse this text as an ARN.
    ParseArn {
        /// The text.
        input: String,
    },
    /// Does `pattern` match `value` under the rules of `kind`?
    Match {
        /// Which matcher.
        kind: MatchKind,
        /// The policy's pattern.
        pattern: String,
        /// The request's value.
        value: String,
    },
}

impl Input {
    /// The protocol command's name (`parse_arn`, `match`).
    pub fn cmd(&self) -> &'static str {
        match self {
            Input::ParseArn { .. } => "parse_arn",
            Input::Match { .. } => "match",
        }
    }
}

/// The matchers of the protocol's `match` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// An `Action` pattern against an action (semantics §3.3): case-insensitive glob.
    Action,
    /// A `Resource` pattern against a resource (semantics §3.2).
    Resource,
    /// The `StringLike` operator (semantics §4.3): case-sensitive glob.
    StringLike,
    /// The `ArnLike` operator (semantics §4.4).
    ArnLike,
}

impl MatchKind {
    /// Every kind, in protocol order.
    pub const ALL: [MatchKind; 4] = [
        MatchKind::Action,
        MatchKind::Resource,
        MatchKind::StringLike,
        MatchKind::ArnLike,
    ];

    /// The protocol's name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Action => "action",
            MatchKind::Resource => "resource",
            MatchKind::StringLike => "string_like",
            MatchKind::ArnLike => "arn_like",
        }
    }
}

/// The fields of a parsed ARN as a parser reports them; `None` is a field the parser did not
/// produce (left out, or `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArnAnswer {
    /// The partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The service namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Everything after the fifth colon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The resource up to its first `/` or `:`, for parsers that split it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The resource after its first `/` or `:`, for parsers that split it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

/// A parser's answer to one [`Input`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The fields of the ARN.
    Arn(ArnAnswer),
    /// The parser rejects the input; why.
    Invalid(String),
    /// The answer to `match`.
    Matched(bool),
    /// The parser does not implement this command or kind (the input is skipped).
    Unsupported(String),
    /// The parser failed on this input (its own exception, or a protocol fault: a timeout, a
    /// crash, garbage); what happened.
    Error(String),
}

/// Who a parser is, from its `ready` message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParserInfo {
    /// Its name (`arnparse`).
    #[serde(default)]
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// Its language.
    #[serde(default)]
    pub language: String,
    /// Its homepage.
    #[serde(default)]
    pub homepage: String,
}

/// A parser under test: the harness asks, it answers. Implemented by [`client::ProcessParser`]
/// for programs and directly by in-process parsers. One failed question costs that question
/// only: an implementation turns every fault into [`Answer::Error`].
pub trait Parser {
    /// Who the parser is.
    fn info(&self) -> ParserInfo;
    /// The commands it claims (`parse_arn`, `match`, `match:<kind>`).
    fn supports(&self) -> Vec<String>;
    /// Its answer to one input.
    fn answer(&self, input: &Input) -> Answer;
}
