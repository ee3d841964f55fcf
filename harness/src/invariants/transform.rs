//! Helpers the properties use to rewrite inputs: walking every policy of a set with its kind,
//! editing statements, shuffling, validating the result, and re-serialising JSON with another
//! key order and whitespace.

use serde_json::Value;

use crate::gen::Choices as _;
use crate::gen::{Input, RngChoices};
use crate::policy::PolicySet;
use crate::policy::{self, OneOrMany, Policy, PolicyKind, Statement};
use crate::request::Request;

/// Every policy of `set`, mutable, with the kind it is validated as.
pub fn policies_mut(set: &mut PolicySet) -> Vec<(PolicyKind, &mut Policy)> {
    let mut out: Vec<(PolicyKind, &mut Policy)> = Vec::new();
    out.extend(set.identity.iter_mut().map(|p| (PolicyKind::Identity, p)));
    out.extend(set.resource.iter_mut().map(|p| (PolicyKind::Resource, p)));
    out.extend(set.boundary.iter_mut().map(|p| (PolicyKind::Boundary, p)));
    out.extend(set.session.iter_mut().map(|p| (PolicyKind::Session, p)));
    for (levels, kind) in [
        (&mut set.scp, PolicyKind::Scp),
        (&mut set.rcp, PolicyKind::Rcp),
    ] {
        for level in levels.iter_mut().flatten() {
            out.extend(level.iter_mut().map(|p| (kind, p)));
        }
    }
    out
}

/// The statements of a policy, mutable.
pub fn statements_mut(policy: &mut Policy) -> &mut [Statement] {
    match &mut policy.statement {
        OneOrMany::One(s) => std::slice::from_mut(s),
        OneOrMany::Many(list) => list,
    }
}

/// Every statement of every policy of `set`, mutable, with the kind of its policy and whether
/// that policy substitutes variables.
pub fn all_statements_mut(set: &mut PolicySet) -> Vec<(PolicyKind, bool, &mut Statement)> {
    let mut out = Vec::new();
    for (kind, p) in policies_mut(set) {
        let variables = p.has_variables();
        for s in statements_mut(p) {
            out.push((kind, variables, s));
        }
    }
    out
}

/// Appends a statement to a policy (turning a single statement into an array).
pub fn push_statement(policy: &mut Policy, statement: Statement) {
    let old = std::mem::replace(&mut policy.statement, OneOrMany::Many(Vec::new()));
    let mut list = match old {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(list) => list,
    };
    list.push(statement);
    policy.statement = OneOrMany::Many(list);
}

/// A policy of one statement, version 2012-10-17.
pub fn single(statement: Statement) -> Policy {
    Policy {
        version: Some(policy::Version::V2012_10_17),
        id: None,
        statement: OneOrMany::Many(vec![statement]),
    }
}

/// Shuffles `items` with `rng` (Fisher–Yates).
pub fn shuffle<T>(items: &mut [T], rng: &mut RngChoices) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

/// True when every policy of `set` is valid for its kind (and the resource policy is a valid
/// trust policy when a request assumes a role): a transformation that breaks validity is not
/// applied, since the relation would then compare against `invalid`.
pub fn valid(set: &PolicySet, requests: &[Request]) -> bool {
    let mut copy = set.clone();
    let all_valid = policies_mut(&mut copy)
        .into_iter()
        .all(|(kind, p)| policy::validate(p, kind, &policy::to_string(p)).is_ok());
    let trust_ok = match &set.resource {
        Some(p) if requests.iter().any(Request::is_trust_request) => {
            policy::validate(p, PolicyKind::Trust, &policy::to_string(p)).is_ok()
        }
        _ => true,
    };
    all_valid && trust_ok
}

/// `input` with another policy set (and no exact texts).
pub fn with_set(input: &Input, set: PolicySet) -> Input {
    Input::new(set, input.requests.clone(), input.knobs)
}

/// The whitespace styles [`reformat`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No whitespace at all.
    Compact,
    /// One space after `:` and `,`.
    Spaced,
    /// A newline and an indent per nesting level (tabs or spaces).
    Indented(&'static str),
}

/// Writes `value` as JSON with object keys in an order chosen by `rng` and the given style.
pub fn reformat(value: &Value, rng: &mut RngChoices, style: Style) -> String {
    let mut out = String::new();
    write_value(value, rng, style, 0, &mut out);
    out
}

fn newline(style: Style, depth: usize, out: &mut String) {
    if let Style::Indented(unit) = style {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

fn write_value(value: &Value, rng: &mut RngChoices, style: Style, depth: usize, out: &mut String) {
    let (colon, comma) = match style {
        Style::Compact => (":", ","),
        Style::Spaced => (": ", ", "),
        Style::Indented(_) => (": ", ","),
    };
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            shuffle(&mut entries, rng);
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                newline(style, depth + 1, out);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(colon);
                write_value(v, rng, style, depth + 1, out);
            }
            if !map.is_empty() {
                newline(style, depth, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                newline(style, depth + 1, out);
                write_value(v, rng, style, depth + 1, out);
            }
            if !items.is_empty() {
                newline(style, depth, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
