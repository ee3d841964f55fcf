//! Helpers the properties use to rewrite inputs: editing statements, building the statements
//! and policies they add, shuffling, validating the result, and re-serialising JSON with
//! another key order and whitespace. Walks over all the policies of a set are
//! [`PolicySet::slots`] / [`PolicySet::slots_mut`].

use serde_json::Value;

use crate::gen::Choices as _;
use crate::gen::{Input, RngChoices};
use crate::policy::{
    self, ActionClause, Effect, OneOrMany, Policy, PolicyKind, PolicySet, Principal,
    PrincipalClause, ResourceClause, Statement, Version,
};
use crate::request::Request;

/// An action no request ever carries.
pub const NO_ACTION: &str = "iamharness:NoSuchAction";

/// The values of a single-or-array field, mutable.
pub fn values_mut<T>(values: &mut OneOrMany<T>) -> &mut [T] {
    match values {
        OneOrMany::One(value) => std::slice::from_mut(value),
        OneOrMany::Many(list) => list,
    }
}

/// The statements of a policy, mutable.
pub fn statements_mut(policy: &mut Policy) -> &mut [Statement] {
    values_mut(&mut policy.statement)
}

/// Every statement of every policy of `set`, mutable, with the kind of its policy and whether
/// that policy substitutes variables.
pub fn all_statements_mut(set: &mut PolicySet) -> Vec<(PolicyKind, bool, &mut Statement)> {
    let mut out = Vec::new();
    for (slot, policy) in set.slots_mut() {
        let variables = policy.has_variables();
        for statement in statements_mut(policy) {
            out.push((slot.kind(), variables, statement));
        }
    }
    out
}

/// Every statement of every policy of `set`.
pub fn all_statements(set: &PolicySet) -> impl Iterator<Item = &Statement> + '_ {
    set.slots().flat_map(|(_, policy)| policy.statements())
}

/// Appends a statement to a policy (turning a single statement into an array).
pub fn push_statement(policy: &mut Policy, statement: Statement) {
    let old = std::mem::replace(&mut policy.statement, OneOrMany::Many(Vec::new()));
    let mut list = match old {
        OneOrMany::One(existing) => vec![existing],
        OneOrMany::Many(list) => list,
    };
    list.push(statement);
    policy.statement = OneOrMany::Many(list);
}

/// A policy of these statements, version 2012-10-17.
pub fn policy_of(statements: Vec<Statement>) -> Policy {
    Policy {
        version: Some(Version::V2012_10_17),
        id: None,
        statement: OneOrMany::Many(statements),
    }
}

/// A policy of one statement, version 2012-10-17.
pub fn single(statement: Statement) -> Policy {
    policy_of(vec![statement])
}

/// A single-string value.
pub fn one(text: &str) -> OneOrMany<String> {
    OneOrMany::One(text.to_owned())
}

/// A statement with no principal and no condition, on one action and one resource.
pub fn plain_statement(effect: Effect, action: &str, resource: &str) -> Statement {
    Statement {
        sid: None,
        effect,
        principal: None,
        action: ActionClause {
            negated: false,
            patterns: one(action),
        },
        resource: Some(ResourceClause {
            negated: false,
            patterns: one(resource),
        }),
        condition: None,
    }
}

/// `Principal: "*"`, for statements of resource policies and RCPs.
pub fn everyone() -> Option<PrincipalClause> {
    Some(PrincipalClause {
        negated: false,
        value: Principal::Wildcard,
    })
}

/// The service prefix of an action (`s3` in `s3:GetObject`).
pub fn service_of(action: &str) -> &str {
    action
        .split_once(':')
        .map_or(action, |(service, _)| service)
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
    let all_valid = set.slots().all(|(slot, policy)| {
        policy::validate(policy, slot.kind(), &policy::to_string(policy)).is_ok()
    });
    let trust_ok = match &set.resource {
        Some(policy) if requests.iter().any(Request::is_trust_request) => {
            policy::validate(policy, PolicyKind::Trust, &policy::to_string(policy)).is_ok()
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
            for (i, (key, member)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                newline(style, depth + 1, out);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(colon);
                write_value(member, rng, style, depth + 1, out);
            }
            if !map.is_empty() {
                newline(style, depth, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                newline(style, depth + 1, out);
                write_value(item, rng, style, depth + 1, out);
            }
            if !items.is_empty() {
                newline(style, depth, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
