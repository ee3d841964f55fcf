//! What an engine answers for one request: a [`Decision`] and, when the engine explains itself,
//! the [`Explanation`] naming the statements that decided it. A leaf module: cases, engines,
//! generators and reports all use these types, and they use nothing of the crate.

use serde::{Deserialize, Serialize};

/// A decision, or the verdict that a policy of the case is invalid (for tests that say
/// `"expect": "invalid"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A matching `Deny` statement applies (semantics §1.9).
    ExplicitDeny,
    /// No `Deny` applies, but the conditions for an allow are not met.
    ImplicitDeny,
    /// A policy of the case is rejected by the parser or by validation for its kind.
    Invalid,
}

impl Decision {
    /// The decision's name as written in case files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
            Decision::Invalid => "invalid",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRef {
    /// Which policy: `identity[0]`, `resource`, `boundary`, `session[0]`, `scp[1][0]`, `rcp[0][0]`.
    pub policy: String,
    /// Index of the statement inside the policy.
    pub statement: usize,
    /// The statement's `Sid`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
}

/// Why an engine decided what it decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One sentence naming the rule of the decision flow that settled it.
    pub reason: String,
    /// The id of that rule in the semantics document, e.g. `§1.3 step 1` (empty when the engine
    /// does not say).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
    /// The AWS documentation page the rule rests on (empty when the engine does not say).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub documentation: String,
    /// The statements that decided the outcome (the matching denies for an explicit deny; the
    /// allows that granted it for an allow).
    #[serde(default)]
    pub decided_by: Vec<StatementRef>,
    /// Notes on what else was found (statements that could not be evaluated, unresolved
    /// variables, caps that did not allow).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
