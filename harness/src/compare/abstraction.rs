//! The finite abstraction [`super::compare`] decides over: action classes, resource instances
//! and context instances that the patterns and condition literals of both sides induce.
//!
//! - Actions: every catalogue action, grouped by the set of action patterns of either side that
//!   match it (semantics §3.3); one representative per group, plus a fresh action per service
//!   a pattern names and one of a fresh service, for what the catalogue does not cover.
//! - Resources: every resource pattern's literal instance (each `*` and `?` filled with a
//!   letter), its fresh instance (each wildcard filled with a fresh value), each variable bound
//!   to the principal's value and to a fresh one, plus one fresh ARN.
//! - Context: per condition key, the key missing, each literal, a fresh string, numeric
//!   neighbours (±1), date neighbours (one second and one day either side, as epoch seconds),
//!   the network address of a CIDR and the address just past it; for a key under a set
//!   qualifier also the sets: empty, each literal alone, each literal with a fresh value, and
//!   the first two literals together.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::catalogue::catalogue;
use crate::glob;
use crate::policy::values::parse_date;
use crate::policy::variables::{pieces, Piece};
use crate::policy::{OperatorFamily, Policy};

/// An action class: the catalogue actions matched by exactly the same patterns.
#[derive(Debug, Clone)]
pub struct ActionClass {
    /// Every action of the class (`service:Name`), catalogue spelling; fresh actions too.
    pub actions: Vec<Cow<'static, str>>,
}

/// Every action pattern written in the policies (`Action` and `NotAction` alike).
fn action_patterns<'a>(policies: &[&'a Policy]) -> Vec<&'a str> {
    let mut patterns: Vec<&str> = policies
        .iter()
        .flat_map(|p| p.statements())
        .flat_map(|s| s.action.patterns.iter().map(String::as_str))
        .collect();
    patterns.sort_unstable();
    patterns.dedup();
    patterns
}

/// Every catalogue action as `service:Name`, by service prefix: built once, so a comparison
/// only borrows them.
fn catalogue_actions() -> &'static [(String, Vec<String>)] {
    static NAMES: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut by_service: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (service, action) in catalogue().actions() {
            by_service
                .entry(&service.prefix)
                .or_default()
                .push(format!("{}:{}", service.prefix, action.name));
        }
        by_service
            .into_iter()
            .map(|(prefix, names)| (prefix.to_owned(), names))
            .collect()
    })
}

/// True when `pattern` can match an action of the service `prefix`: its own prefix is that one
/// (case-insensitively) or holds a wildcard.
fn may_match_service(pattern: &str, prefix: &str) -> bool {
    match pattern.split_once(':') {
        Some((own, _)) => own.contains(['*', '?']) || own.eq_ignore_ascii_case(prefix),
        None => pattern.contains(['*', '?']),
    }
}

/// The action classes of the policies (see the module docs). Only the patterns that can match
/// a service are tried on its actions, so a comparison costs little more than the services its
/// patterns name.
pub fn action_classes(policies: &[&Policy]) -> Vec<ActionClass> {
    let patterns = action_patterns(policies);
    let mut classes: BTreeMap<Vec<bool>, Vec<Cow<'static, str>>> = BTreeMap::new();
    for (prefix, names) in catalogue_actions() {
        let mask: Vec<bool> = patterns
            .iter()
            .map(|p| may_match_service(p, prefix))
            .collect();
        if !mask.contains(&true) {
            let members = classes.entry(vec![false; patterns.len()]).or_default();
            members.extend(names.iter().map(|n| Cow::Borrowed(n.as_str())));
            continue;
        }
        for name in names {
            let signature = patterns
                .iter()
                .zip(&mask)
                .map(|(p, &may)| may && glob::action_matches(p, name))
                .collect();
            classes
                .entry(signature)
                .or_default()
                .push(Cow::Borrowed(name.as_str()));
        }
    }
    let mut add = |action: String| {
        let signature = patterns
            .iter()
            .map(|p| glob::action_matches(p, &action))
            .collect();
        classes
            .entry(signature)
            .or_default()
            .push(Cow::Owned(action));
    };
    let mut prefixes: Vec<String> = patterns
        .iter()
        .filter_map(|p| p.split_once(':'))
        .map(|(prefix, _)| prefix.to_ascii_lowercase())
        .filter(|prefix| !prefix.contains(['*', '?']))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    for prefix in prefixes {
        add(format!("{prefix}:IamHarnessFreshAction"));
    }
    // An action a policy names literally that the catalogue lacks (a newer action, or a typo
    // that still matches itself) is a class member too.
    for pattern in &patterns {
        let literal = !pattern.contains(['*', '?']) && pattern.contains(':');
        if literal && catalogue().action(pattern).is_none() {
            add((*pattern).to_owned());
        }
    }
    add("iamharnessfresh:FreshAction".to_owned());
    classes
        .into_values()
        .map(|actions| ActionClass { actions })
        .collect()
}

/// A pattern's instance: wildcards filled with `fill`, variables bound by `bind`.
fn instance(pattern: &str, fill: &str, bind: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for piece in pieces(pattern) {
        match piece {
            Piece::Text(text) => {
                for c in text.chars() {
                    match c {
                        '*' | '?' => out.push_str(fill),
                        other => out.push(other),
                    }
                }
            }
            Piece::Escape { character, .. } => out.push(character),
            Piece::Variable { key, .. } => out.push_str(&bind(key)),
        }
    }
    out
}

/// The value a variable takes when bound: the principal's user name for `aws:username`,
/// else a value named after the key.
pub fn bound_value(key: &str) -> String {
    if key.eq_ignore_ascii_case("aws:username") {
        PRINCIPAL_NAME.to_owned()
    } else {
        format!("bound-{}", key.replace([':', '/'], "-")).to_ascii_lowercase()
    }
}

/// The user name of the principal the requests are made as.
pub const PRINCIPAL_NAME: &str = "alice";

/// The resource instances of the policies (see the module docs).
pub fn resources(policies: &[&Policy]) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in policies
        .iter()
        .flat_map(|p| p.statements())
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| r.patterns.iter())
    {
        if pattern == "*" {
            continue;
        }
        out.push(instance(pattern, "x", &bound_value));
        out.push(instance(pattern, "iamharnessfresh", &|_| {
            "iamharnessfresh".to_owned()
        }));
    }
    out.push("arn:aws:iamharnessfresh:us-east-1:111122223333:fresh/fresh".to_owned());
    out.sort();
    out.dedup();
    out
}

/// One value a condition key takes in a request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyValue {
    /// A single value.
    One(String),
    /// A multivalued key's set of values (for `ForAllValues:` and `ForAnyValue:` keys).
    Set(Vec<String>),
}

impl KeyValue {
    /// The value as a request's context holds it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            KeyValue::One(v) => serde_json::Value::String(v.clone()),
            KeyValue::Set(vs) => vs.iter().cloned().map(serde_json::Value::String).collect(),
        }
    }
}

/// The instances of one condition key: `None` is the key missing.
pub type KeyValues = Vec<Option<KeyValue>>;

/// The fresh value of a condition key: equal to no literal.
pub const FRESH_VALUE: &str = "iamharnessfresh";

/// The values each condition key takes (see the module docs), keyed by the key as written first.
pub fn context_values(policies: &[&Policy]) -> BTreeMap<String, KeyValues> {
    let mut keys: BTreeMap<String, KeyValues> = BTreeMap::new();
    for condition in policies
        .iter()
        .flat_map(|p| p.statements())
        .flat_map(|s| s.condition.iter().flatten())
    {
        let family = condition.operator.base.family();
        let multivalued = condition.operator.qualifier.is_some();
        for entry in &condition.entries {
            let values = keys
                .entry(entry.key.to_ascii_lowercase())
                .or_insert_with(|| vec![None, Some(KeyValue::One(FRESH_VALUE.to_owned()))]);
            let literals: Vec<String> = entry
                .values
                .iter()
                .map(|value| instance(&value.text, "x", &bound_value))
                .collect();
            for literal in &literals {
                values.extend(
                    neighbours(family, literal)
                        .into_iter()
                        .map(|n| Some(KeyValue::One(n))),
                );
                values.push(Some(KeyValue::One(literal.clone())));
            }
            if multivalued {
                values.extend(sets(&literals).into_iter().map(|s| Some(KeyValue::Set(s))));
            }
            values.sort();
            values.dedup();
        }
    }
    keys
}

/// The sets a multivalued key takes: empty, each literal alone, the first two literals, each
/// literal with a fresh value.
fn sets(literals: &[String]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for literal in literals {
        out.push(vec![literal.clone()]);
        out.push(vec![literal.clone(), FRESH_VALUE.to_owned()]);
    }
    if let [first, second, ..] = literals {
        out.push(vec![first.clone(), second.clone()]);
    }
    out
}

/// The neighbours of a literal under its operator family: ±1 for numbers, one second and one
/// day either side for dates (as epoch seconds), the network address and the address just past
/// the block for a CIDR, `true`/`false` for booleans.
fn neighbours(family: OperatorFamily, literal: &str) -> Vec<String> {
    match family {
        OperatorFamily::Numeric => literal
            .parse::<f64>()
            .map(|n| vec![format!("{}", n - 1.0), format!("{}", n + 1.0)])
            .unwrap_or_default(),
        OperatorFamily::Date => parse_date(literal)
            .map(|at| {
                let s = at.seconds();
                [-86_400, -1, 1, 86_400]
                    .iter()
                    .filter_map(|d| s.checked_add(*d))
                    .map(|n| n.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        OperatorFamily::Bool => vec!["true".to_owned(), "false".to_owned()],
        OperatorFamily::Ip => cidr_edges(literal),
        _ => Vec::new(),
    }
}

/// For an IPv4 CIDR `a.b.c.d/n`: its first address and the first address past it.
fn cidr_edges(literal: &str) -> Vec<String> {
    let (address, bits) = literal.split_once('/').unwrap_or((literal, "32"));
    let (Ok(address), Ok(bits)) = (address.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>())
    else {
        return Vec::new();
    };
    if bits > 32 {
        return Vec::new();
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    let first = u32::from(address) & mask;
    let past = first.wrapping_add(!mask).wrapping_add(1);
    vec![
        std::net::Ipv4Addr::from(first).to_string(),
        std::net::Ipv4Addr::from(past).to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        crate::policy::parse_as(text, crate::policy::PolicyKind::Identity).unwrap()
    }

    #[test]
    fn classes_split_by_pattern() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":"*"}]}"#,
        );
        let classes = action_classes(&[&p]);
        let get = classes
            .iter()
            .find(|c| c.actions.iter().any(|a| a == "s3:GetObjectAcl"))
            .unwrap();
        assert!(!get.actions.iter().any(|a| a == "s3:GetObject"));
        assert!(get.actions.iter().any(|a| a == "s3:GetBucketPolicy"));
    }

    #[test]
    fn cidr_edges_are_inside_and_just_outside() {
        assert_eq!(cidr_edges("10.0.0.0/24"), ["10.0.0.0", "10.0.1.0"]);
    }

    #[test]
    fn resources_fill_wildcards_and_variables() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#,
        );
        let r = resources(&[&p]);
        assert!(r.contains(&"arn:aws:s3:::b/alice/x".to_owned()), "{r:?}");
        assert!(r.contains(&"arn:aws:s3:::b/iamharnessfresh/iamharnessfresh".to_owned()));
    }
}
