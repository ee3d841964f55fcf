//! IAM policy documents: the model ([`model`]), a strict parser whose errors carry the JSON path
//! and the reason ([`parse`]), validation by policy kind ([`validate`]) with the size limits by kind and origin
//! ([`Origin`]),
//! a printer that round-trips ([`print`]), condition values as operators read them ([`values`]),
//! the set of policies in force for a request with the one walk over it ([`PolicySet`]), and the
//! grammar of `${…}` policy variables ([`variables`]).
//!
//! Parsing runs in two steps, like Cedar's: the JSON text is read into an order- and
//! duplicate-preserving tree, then that tree is checked and turned into the [`model`] types.

mod json;
pub mod model;
mod parse;
mod print;
mod set;
mod size;
mod validate;
pub mod values;
pub mod variables;

pub use model::*;
pub use parse::parse;
pub use print::{to_json, to_string, to_string_pretty};
pub use set::{PolicySet, Slot};
pub use size::Origin;
pub use validate::{validate, validate_from};

/// The kinds of policy, each with its own validity rules (semantics §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Identity-based policy of a user, group or role.
    Identity,
    /// Resource-based policy (bucket policy, key policy, queue policy…).
    Resource,
    /// Role trust policy (a resource-based policy on a role).
    Trust,
    /// Permissions boundary (a managed policy used as a cap).
    Boundary,
    /// Session policy passed to AssumeRole* or GetFederationToken.
    Session,
    /// Service control policy (AWS Organizations).
    Scp,
    /// Resource control policy (AWS Organizations).
    Rcp,
}

impl PolicyKind {
    /// The kind's name as used in messages and case files.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        }
    }
}

/// One problem found in a policy: where (a JSON path such as `Statement[2].Condition.StringLike`,
/// empty for the whole document, or `line L column C` for a syntax error) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct PolicyError {
    /// Where the problem is.
    pub path: String,
    /// What is wrong (lowercase, user input in backticks).
    pub message: String,
}

/// Every problem found in a policy (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl std::fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

/// Parses `text` and validates it as a policy of `kind`: the one call most users need.
pub fn parse_as(text: &str, kind: PolicyKind) -> Result<Policy, PolicyErrors> {
    parse_as_from(text, kind, Origin::Customer)
}

/// [`parse_as`] for a policy written by `origin` (an AWS managed policy has no size quota).
pub fn parse_as_from(text: &str, kind: PolicyKind, origin: Origin) -> Result<Policy, PolicyErrors> {
    let policy = parse(text)?;
    validate_from(&policy, kind, origin, text)?;
    Ok(policy)
}
