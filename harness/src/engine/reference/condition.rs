//! Condition evaluation (semantics §4): whether a statement's `Condition` holds for a request
//! context.
//!
//! # Logic
//!
//! - Several operator blocks: AND. Several keys under one operator: AND (§4.1).
//! - Several policy values for one key: a positive operator holds when the request value
//!   matches *any* of them (OR); a negated operator (`StringNotEquals`, `NotIpAddress`,
//!   `ArnNotLike`, …) holds when it matches *none* of them (NOR). A negated operator is always
//!   the exact negation of its positive twin on a single value.
//! - Missing key (§4.3): positive operator false, negated operator true, any `…IfExists` true.
//!   With the key present, `…IfExists` is exactly the operator without it.
//!
//! # Comparing one request value with one policy value
//!
//! - **String**: `StringEquals` exact and case-sensitive; `StringEqualsIgnoreCase` compares the
//!   Unicode lower-case mappings (`char::to_lowercase`) without allocating; `StringLike` is a
//!   case-sensitive glob (`*` any run, `?` one character) of the policy value. The *request*
//!   value is always literal: a `*` in it matches only a `*` in the pattern or a wildcard
//!   (semantics §7.16).
//! - **Numeric**: exact decimal comparison ([`crate::policy::values::parse_number`]); request value on the
//!   left (`NumericLessThan` holds when request < policy). A request value that is not a number
//!   matches no policy value, so the positive operators are false and `NumericNotEquals` is true
//!   (semantics §7.11). The same applies to an invalid policy value (validation rejects those).
//! - **Date**: instants compared ([`crate::policy::values::parse_date`]); a request value that is not a
//!   date matches nothing (semantics §7.10). `aws:EpochTime` works under both Date and Numeric
//!   operators, since epoch seconds are both a date and a number.
//! - **Bool**: policy and request values `true`/`false`, ignoring case; anything else matches
//!   nothing. Variables are not substituted (semantics §7.1).
//! - **BinaryEquals**: the policy value and the request value are both base 64
//!   ([`crate::policy::values::decode_base64`]) — request binary values are given base-64 encoded in the
//!   request context — and the decoded bytes are compared, so `QQ==` equals `QQ`.
//! - **IP**: the request address lies within the policy network (a bare policy address is
//!   `/32` or `/128`); a request value that is not a bare address matches nothing.
//! - **ARN**: [`crate::arn::arn_like`], segment by segment, case-sensitive; `ArnEquals` ≡
//!   `ArnLike` and `ArnNotEquals` ≡ `ArnNotLike`.
//! - **Null**: a policy value `true` holds when the key is missing, `false` when it is present.
//!   The set qualifier is ignored. A key given as JSON null is missing; a present multivalued key
//!   with no values and a single-valued key holding the empty string are *present*
//!   (semantics §7.13). Several policy values: any may match.
//!
//! # Policy variables (semantics §5)
//!
//! Substituted only when the policy's version enables them (`variables_enabled`) and only in
//! String and ARN operators. `StringEquals`-type operators use the substituted text as is;
//! `StringLike` and the ARN operators use it as a pattern in which characters produced by escapes
//! (`${*}`) and by substituted values are literal. A value whose variable cannot be resolved is
//! null and matches no request value: positive operators do not match it, negated operators do.
//!
//! # Multivalued keys and set qualifiers (semantics §4.5)
//!
//! R is the set of request values. A single-valued key is the one-element set {value}, so
//! `ForAnyValue:` and `ForAllValues:` also work on single-valued keys (semantics §7.12); under
//! `ForAllValues:` only, a single-valued key holding the empty string is the empty set (the
//! "null data set" of §4.3, semantics §7.13).
//!
//! | operator | holds when | R missing | R empty |
//! |---|---|---|---|
//! | `ForAllValues:` positive | every r matches some policy value | true | true |
//! | `ForAllValues:` negated | no r matches any policy value | true | true |
//! | `ForAnyValue:` positive | some r matches some policy value | false | false |
//! | `ForAnyValue:` negated | some r matches no policy value | false | false |
//! | plain positive, multivalued key | some r matches some policy value | false | false |
//! | plain negated, multivalued key | no r matches any policy value | true | true |
//!
//! - A multivalued key under a plain operator (semantics §7.12) reads like `ForAnyValue:` for a
//!   positive operator and its exact negation for a negated one, so `StringNotEquals` stays the
//!   negation of `StringEquals` whatever the key holds.
//! - `IfExists` with a set qualifier (semantics §7.14): a missing key makes the condition true
//!   (`IfExists` wins, so `ForAnyValue:…IfExists` is true on a missing key); a present key, even
//!   an empty set, is evaluated as without `IfExists`.
//!
//! # Cost
//!
//! Nothing allocates on the common path (no variables, single-valued keys, non-binary
//! operators): values are parsed into borrowed forms, and case-insensitive comparison walks the
//! characters. Substituting a variable and decoding base 64 allocate.

use super::budget;
use std::borrow::Cow;
use std::cmp::Ordering;

use crate::arn::arn_like;
use crate::engine::reference::variables::{substitute, Mode, Substituted};
use crate::glob::{matches, matches_escaped, CaseSensitivity};
use crate::policy::model::{
    BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue, SetQualifier,
};
use crate::policy::values::{
    decode_base64, parse_bool, parse_date, parse_ip_addr, parse_ip_network, parse_number,
};
use crate::request::{Context, ContextScalar, Lookup};

/// True when every block of `conditions` holds (all operators AND, all keys AND).
/// `variables_enabled`: the policy's `Version` is `2012-10-17`.
pub fn conditions_hold(conditions: &[Condition], ctx: &Context, variables_enabled: bool) -> bool {
    conditions.iter().all(|condition| {
        condition
            .entries
            .iter()
            .all(|entry| condition_entry_holds(&condition.operator, entry, ctx, variables_enabled))
    })
}

/// True when one key of one operator block holds: `"op": {"key": values}` (rules in the module
/// docs).
pub fn condition_entry_holds(
    op: &ConditionOperator,
    entry: &ConditionEntry,
    ctx: &Context,
    variables_enabled: bool,
) -> bool {
    let lookup = ctx.get(&entry.key);
    let values = entry.values.as_slice();
    if op.base == BaseOperator::Null {
        let missing = lookup == Lookup::Missing;
        return values
            .iter()
            .any(|value| parse_bool(&value.text) == Some(missing));
    }
    let negated = op.base.is_negated();
    let positive = op.base.positive();
    // Whether one request value satisfies the operator: it matches some policy value, or for a
    // negated operator none.
    let satisfied = |request: &str| {
        any_value_matches(positive, values, request, ctx, variables_enabled) != negated
    };
    let (single, multi): (Option<&str>, &[ContextScalar]) = match lookup {
        Lookup::Missing => {
            return op.if_exists
                || match op.qualifier {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => negated,
                };
        }
        Lookup::Single(value) => (Some(value), &[]),
        Lookup::Multi(values) => (None, values),
    };
    match op.qualifier {
        Some(SetQualifier::ForAllValues) => {
            // An empty string as a single value is the null data set (semantics §4.3, §7.13).
            let single = single.filter(|value| !value.is_empty());
            single
                .into_iter()
                .chain(multi.iter().map(String::as_str))
                .all(satisfied)
        }
        Some(SetQualifier::ForAnyValue) => single
            .into_iter()
            .chain(multi.iter().map(String::as_str))
            .any(satisfied),
        None => match single {
            Some(value) => satisfied(value),
            // Plain operator on a multivalued key (semantics §7.12): the positive reading is
            // "some request value matches", and a negated operator is its exact negation.
            None => {
                multi
                    .iter()
                    .any(|r| any_value_matches(positive, values, r, ctx, variables_enabled))
                    != negated
            }
        },
    }
}

/// True when `request` matches at least one of the policy `values` under the positive operator
/// `base`.
fn any_value_matches(
    base: BaseOperator,
    values: &[ConditionValue],
    request: &str,
    ctx: &Context,
    variables_enabled: bool,
) -> bool {
    values
        .iter()
        .any(|value| value_matches(base, &value.text, request, ctx, variables_enabled))
}

/// True when one request value matches one policy value under the positive operator `base`
/// (negated operators are evaluated through their positive twin).
pub fn value_matches(
    base: BaseOperator,
    policy: &str,
    request: &str,
    ctx: &Context,
    variables_enabled: bool,
) -> bool {
    if budget::stopped() {
        return false;
    }
    use BaseOperator::*;
    let base = base.positive();
    let pattern_mode = matches!(base, StringLike | ArnEquals | ArnLike);
    let (policy, escaped): (Cow<'_, str>, bool) = if variables_enabled && base.takes_variables() {
        let mode = if pattern_mode {
            Mode::Pattern
        } else {
            Mode::Literal
        };
        match substitute(policy, ctx, mode) {
            Substituted::Text(text) => (text, true),
            // An unresolved variable makes the value null: it matches nothing (semantics §5).
            Substituted::Unresolved => return false,
        }
    } else {
        (Cow::Borrowed(policy), false)
    };
    let policy: &str = &policy;
    match base {
        StringEquals => policy == request,
        StringEqualsIgnoreCase => eq_ignore_case(policy, request),
        StringLike => {
            if escaped {
                matches_escaped(policy, request, CaseSensitivity::Sensitive)
            } else {
                matches(policy, request, CaseSensitivity::Sensitive)
            }
        }
        NumericEquals => compare_numbers(policy, request) == Some(Ordering::Equal),
        NumericLessThan => compare_numbers(policy, request) == Some(Ordering::Less),
        NumericLessThanEquals => matches!(
            compare_numbers(policy, request),
            Some(Ordering::Less | Ordering::Equal)
        ),
        NumericGreaterThan => compare_numbers(policy, request) == Some(Ordering::Greater),
        NumericGreaterThanEquals => matches!(
            compare_numbers(policy, request),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        DateEquals => compare_dates(policy, request) == Some(Ordering::Equal),
        DateLessThan => compare_dates(policy, request) == Some(Ordering::Less),
        DateLessThanEquals => matches!(
            compare_dates(policy, request),
            Some(Ordering::Less | Ordering::Equal)
        ),
        DateGreaterThan => compare_dates(policy, request) == Some(Ordering::Greater),
        DateGreaterThanEquals => matches!(
            compare_dates(policy, request),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Bool => parse_bool(policy).is_some_and(|p| parse_bool(request) == Some(p)),
        // Allocation: both sides are decoded to compare bytes (binary keys are rare).
        BinaryEquals => {
            decode_base64(policy).is_some_and(|p| decode_base64(request).is_some_and(|r| r == p))
        }
        IpAddress => parse_ip_network(policy)
            .is_some_and(|net| parse_ip_addr(request).is_some_and(|addr| net.contains(&addr))),
        ArnEquals | ArnLike => arn_like(policy, request, escaped),
        // `positive()` never returns a negated operator; Null is decided by the caller, and a
        // Null value compared on its own means nothing.
        StringNotEquals
        | StringNotEqualsIgnoreCase
        | StringNotLike
        | NumericNotEquals
        | DateNotEquals
        | NotIpAddress
        | ArnNotEquals
        | ArnNotLike
        | Null => false,
    }
}

/// The order of the request value relative to the policy value, when both are numbers.
fn compare_numbers(policy: &str, request: &str) -> Option<Ordering> {
    Some(parse_number(request)?.cmp(&parse_number(policy)?))
}

/// The order of the request instant relative to the policy instant, when both are dates.
fn compare_dates(policy: &str, request: &str) -> Option<Ordering> {
    Some(parse_date(request)?.cmp(&parse_date(policy)?))
}

/// Equality ignoring case, Unicode-aware (through `char::to_lowercase`), without allocating.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::{OneOrMany, ValueType};
    use crate::request::ContextEntry;
    use rstest::rstest;
    use BaseOperator::*;

    /// A request-context value for key `k` in the tables.
    #[derive(Clone, Copy)]
    enum R<'a> {
        Missing,
        One(&'a str),
        Many(&'a [&'a str]),
    }

    fn context(r: R<'_>) -> Context {
        let mut ctx = Context::new();
        ctx.insert("aws:username", ContextEntry::Single("alice".into()));
        ctx.insert(
            "aws:PrincipalTag/Team",
            ContextEntry::Single("blue*".into()),
        );
        ctx.insert(
            "aws:TagKeys",
            ContextEntry::Multi(vec!["x".into(), "y".into()]),
        );
        match r {
            R::Missing => {}
            R::One(v) => ctx.insert("k", ContextEntry::Single(v.into())),
            R::Many(vs) => ctx.insert(
                "k",
                ContextEntry::Multi(vs.iter().map(|v| v.to_string()).collect()),
            ),
        }
        ctx
    }

    fn entry(key: &str, values: &[&str]) -> ConditionEntry {
        ConditionEntry {
            key: key.into(),
            values: OneOrMany::Many(
                values
                    .iter()
                    .map(|v| ConditionValue {
                        text: v.to_string(),
                        json_type: ValueType::String,
                    })
                    .collect(),
            ),
        }
    }

    fn operator(
        qualifier: Option<SetQualifier>,
        base: BaseOperator,
        if_exists: bool,
    ) -> ConditionOperator {
        ConditionOperator {
            qualifier,
            base,
            if_exists,
        }
    }

    /// Evaluates `"<op>": {"k": values}` (operator written as in a policy) with variables on.
    fn eval(op: &str, values: &[&str], r: R<'_>) -> bool {
        eval_with(op, values, r, true)
    }

    fn eval_with(op: &str, values: &[&str], r: R<'_>, variables: bool) -> bool {
        let op: ConditionOperator = op.parse().unwrap();
        condition_entry_holds(&op, &entry("K", values), &context(r), variables)
    }

    /// Every base operator but Null, through its positive form: `policy` is matched by `hit`, not
    /// by `miss`, and `other` is a second policy value matched by neither.
    #[rstest]
    #[case(StringEquals, "alice", "alice", "Alice", "bob")]
    #[case(StringEqualsIgnoreCase, "ÄLICE", "älice", "alicex", "bob")]
    #[case(StringLike, "home/*/f?le", "home/a/b/file", "home/a/b/fiile", "x*")]
    #[case(NumericEquals, "10", "10.00", "9.99", "11")]
    #[case(NumericLessThan, "10", "9.99", "10", "1")]
    #[case(NumericLessThanEquals, "10", "10.0", "10.000001", "1")]
    #[case(NumericGreaterThan, "0.1", "0.10000000000000001", "0.1", "5")]
    #[case(NumericGreaterThanEquals, "-0", "0", "-0.001", "5")]
    #[case(
        DateEquals,
        "2024-01-01T00:00:00Z",
        "2024",
        "2024-01-01T00:00:01Z",
        "1999"
    )]
    #[case(
        DateLessThan,
        "2024-01-01",
        "2023-12-31T23:59:59Z",
        "1704067200",
        "1999"
    )]
    #[case(DateLessThanEquals, "2024-01-01", "1704067200", "1704067201", "1999")]
    #[case(
        DateGreaterThan,
        "2024-03-15T12:30:00+01:00",
        "2024-03-15T11:30:01Z",
        "2024-03-15T11:30:00Z",
        "2099"
    )]
    #[case(
        DateGreaterThanEquals,
        "2024-03",
        "2024-03-01T00:00Z",
        "2024-02-29T23:59:59.999Z",
        "2099"
    )]
    #[case(Bool, "true", "TRUE", "false", "maybe")]
    #[case(BinaryEquals, "QUJD", "QUJD", "QUJE", "QQ==")]
    #[case(
        IpAddress,
        "203.0.113.0/24",
        "203.0.113.77",
        "203.0.114.1",
        "10.0.0.0/8"
    )]
    #[case(
        ArnEquals,
        "arn:aws:iam::*:role/app-*",
        "arn:aws:iam::111122223333:role/app-x",
        "arn:aws:iam::111122223333:user/app-x",
        "arn:aws:s3:::bucket"
    )]
    #[case(
        ArnLike,
        "arn:aws:iam::*:role/app-*",
        "arn:aws:iam::111122223333:role/app-x",
        "arn:aws:iam::111122223333:user/app-x",
        "arn:aws:s3:::bucket"
    )]
    fn every_operator(
        #[case] positive: BaseOperator,
        #[case] policy: &str,
        #[case] hit: &str,
        #[case] miss: &str,
        #[case] other: &str,
    ) {
        use SetQualifier::{ForAllValues, ForAnyValue};
        let twins = std::iter::once(positive).chain(positive.negated());
        for base in twins {
            let neg = base.is_negated();
            let holds = |q: Option<SetQualifier>, if_exists: bool, values: &[&str], r: R<'_>| {
                condition_entry_holds(
                    &operator(q, base, if_exists),
                    &entry("k", values),
                    &context(r),
                    true,
                )
            };
            let name = base.as_str();
            // Single value: match, non-match; the negated twin is the exact negation.
            assert_eq!(
                holds(None, false, &[policy], R::One(hit)),
                !neg,
                "{name} hit"
            );
            assert_eq!(
                holds(None, false, &[policy], R::One(miss)),
                neg,
                "{name} miss"
            );
            // Several values: OR for positive, NOR for negated.
            assert_eq!(
                holds(None, false, &[other, policy], R::One(hit)),
                !neg,
                "{name} or"
            );
            assert_eq!(
                holds(None, false, &[other, policy], R::One(miss)),
                neg,
                "{name} nor"
            );
            // Missing key, and IfExists.
            assert_eq!(
                holds(None, false, &[policy], R::Missing),
                neg,
                "{name} missing"
            );
            assert!(
                holds(None, true, &[policy], R::Missing),
                "{name}IfExists missing"
            );
            assert_eq!(
                holds(None, true, &[policy], R::One(hit)),
                !neg,
                "{name}IfExists hit"
            );
            assert_eq!(
                holds(None, true, &[policy], R::One(miss)),
                neg,
                "{name}IfExists miss"
            );
            // Set qualifiers.
            let mixed = R::Many(&[miss, hit]);
            let hits = R::Many(&[hit, hit]);
            let misses = R::Many(&[miss]);
            let empty = R::Many(&[]);
            let all = Some(ForAllValues);
            let any = Some(ForAnyValue);
            assert!(
                !holds(all, false, &[policy], mixed),
                "ForAllValues:{name} mixed"
            );
            assert_eq!(
                holds(all, false, &[policy], hits),
                !neg,
                "ForAllValues:{name} hits"
            );
            assert_eq!(
                holds(all, false, &[policy], misses),
                neg,
                "ForAllValues:{name} misses"
            );
            assert!(
                holds(all, false, &[policy], empty),
                "ForAllValues:{name} empty"
            );
            assert!(
                holds(all, false, &[policy], R::Missing),
                "ForAllValues:{name} missing"
            );
            assert!(
                holds(any, false, &[policy], mixed),
                "ForAnyValue:{name} mixed"
            );
            assert_eq!(
                holds(any, false, &[policy], hits),
                !neg,
                "ForAnyValue:{name} hits"
            );
            assert_eq!(
                holds(any, false, &[policy], misses),
                neg,
                "ForAnyValue:{name} misses"
            );
            assert!(
                !holds(any, false, &[policy], empty),
                "ForAnyValue:{name} empty"
            );
            assert!(
                !holds(any, false, &[policy], R::Missing),
                "ForAnyValue:{name} missing"
            );
            assert!(
                holds(any, true, &[policy], R::Missing),
                "ForAnyValue:{name}IfExists"
            );
            assert!(
                !holds(any, true, &[policy], empty),
                "ForAnyValue:{name}IfExists empty"
            );
            assert!(
                holds(all, true, &[policy], R::Missing),
                "ForAllValues:{name}IfExists"
            );
            // A single-valued key is a one-element set.
            assert_eq!(
                holds(any, false, &[policy], R::One(hit)),
                !neg,
                "{name} any single"
            );
            assert_eq!(
                holds(all, false, &[policy], R::One(miss)),
                neg,
                "{name} all single"
            );
            // Plain operator on a multivalued key: any request value (negated: none).
            assert_eq!(
                holds(None, false, &[policy], mixed),
                !neg,
                "{name} plain mixed"
            );
            assert_eq!(
                holds(None, false, &[policy], misses),
                neg,
                "{name} plain misses"
            );
            assert_eq!(
                holds(None, false, &[policy], empty),
                neg,
                "{name} plain empty"
            );
            assert_eq!(
                holds(None, true, &[policy], empty),
                neg,
                "{name}IfExists empty"
            );
        }
    }

    #[test]
    fn every_base_operator_is_covered() {
        // The table above names each positive operator; their negated twins and Null (tested
        // below) complete the 27.
        let positives = [
            StringEquals,
            StringEqualsIgnoreCase,
            StringLike,
            NumericEquals,
            NumericLessThan,
            NumericLessThanEquals,
            NumericGreaterThan,
            NumericGreaterThanEquals,
            DateEquals,
            DateLessThan,
            DateLessThanEquals,
            DateGreaterThan,
            DateGreaterThanEquals,
            Bool,
            BinaryEquals,
            IpAddress,
            ArnEquals,
            ArnLike,
        ];
        let mut covered: Vec<BaseOperator> = positives
            .iter()
            .flat_map(|p| std::iter::once(*p).chain(p.negated()))
            .collect();
        covered.push(Null);
        for base in BaseOperator::ALL {
            assert!(covered.contains(&base), "{}", base.as_str());
        }
        assert_eq!(covered.len(), BaseOperator::ALL.len());
    }

    #[rstest]
    #[case("Null", &["true"], R::Missing, true)]
    #[case("Null", &["true"], R::One("x"), false)]
    #[case("Null", &["false"], R::Missing, false)]
    #[case("Null", &["false"], R::One("x"), true)]
    #[case("Null", &["TRUE"], R::Missing, true)]
    #[case("Null", &["true"], R::One(""), false)]
    #[case("Null", &["false"], R::One(""), true)]
    #[case("Null", &["true"], R::Many(&[]), false)]
    #[case("Null", &["false"], R::Many(&[]), true)]
    #[case("Null", &["true", "false"], R::Missing, true)]
    #[case("Null", &["true", "false"], R::One("x"), true)]
    #[case("Null", &["maybe"], R::Missing, false)]
    #[case("Null", &["maybe"], R::One("x"), false)]
    #[case("ForAllValues:Null", &["true"], R::Missing, true)]
    #[case("ForAllValues:Null", &["false"], R::Missing, false)]
    #[case("ForAnyValue:Null", &["true"], R::Missing, true)]
    #[case("ForAnyValue:Null", &["false"], R::Many(&["a"]), true)]
    fn null(#[case] op: &str, #[case] values: &[&str], #[case] r: R<'_>, #[case] expected: bool) {
        assert_eq!(eval(op, values, r), expected);
    }

    #[test]
    fn null_entry_in_context_is_missing() {
        let mut ctx = Context::new();
        ctx.insert("k", ContextEntry::Null);
        let op: ConditionOperator = "Null".parse().unwrap();
        assert!(condition_entry_holds(
            &op,
            &entry("k", &["true"]),
            &ctx,
            true
        ));
        let op: ConditionOperator = "StringNotEquals".parse().unwrap();
        assert!(condition_entry_holds(&op, &entry("k", &["a"]), &ctx, true));
    }

    #[rstest]
    // Every W3C form on the policy side, against the same instant written in full.
    #[case("DateEquals", "2024", "2024-01-01T00:00:00Z", true)]
    #[case("DateEquals", "2024-06", "2024-06-01T00:00:00Z", true)]
    #[case("DateEquals", "2024-06-15", "2024-06-15T00:00:00Z", true)]
    #[case("DateEquals", "2024-06-15T10:20Z", "2024-06-15T10:20:00Z", true)]
    #[case("DateEquals", "2024-06-15T10:20:30Z", "2024-06-15T10:20:30.000Z", true)]
    #[case(
        "DateEquals",
        "2024-06-15T10:20:30.25Z",
        "2024-06-15T10:20:30.250Z",
        true
    )]
    #[case(
        "DateEquals",
        "2024-06-15T10:20:30.25Z",
        "2024-06-15T10:20:30.251Z",
        false
    )]
    #[case(
        "DateEquals",
        "2024-06-15T12:20:30+02:00",
        "2024-06-15T10:20:30Z",
        true
    )]
    #[case(
        "DateEquals",
        "2024-06-15T05:50:30-04:30",
        "2024-06-15T10:20:30Z",
        true
    )]
    // Epoch seconds on either side.
    #[case("DateEquals", "1718446830", "2024-06-15T10:20:30Z", true)]
    #[case("DateEquals", "2024-06-15T10:20:30Z", "1718446830", true)]
    #[case("DateLessThan", "2024-06-15T10:20:30Z", "1718446829.5", true)]
    #[case("DateGreaterThan", "0", "-1", false)]
    #[case("DateGreaterThan", "-1", "0", true)]
    // Four digits are a year, not epoch seconds.
    #[case("DateGreaterThan", "2000", "1999-12-31T23:59:59Z", false)]
    // A request value that is not a date matches nothing.
    #[case("DateLessThan", "2024", "yesterday", false)]
    #[case("DateNotEquals", "2024", "yesterday", true)]
    #[case("DateGreaterThanEquals", "2024", "2024-02-30", false)]
    fn dates(
        #[case] op: &str,
        #[case] policy: &str,
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, &[policy], R::One(request)), expected);
    }

    #[test]
    fn epoch_time_works_with_numeric_and_date_operators() {
        let mut ctx = Context::new();
        ctx.insert("aws:EpochTime", ContextEntry::Single("1718446830".into()));
        let numeric: ConditionOperator = "NumericLessThan".parse().unwrap();
        let date: ConditionOperator = "DateLessThan".parse().unwrap();
        let e = entry("aws:epochtime", &["1718446831"]);
        assert!(condition_entry_holds(&numeric, &e, &ctx, true));
        assert!(condition_entry_holds(&date, &e, &ctx, true));
        let e = entry("aws:EpochTime", &["2024-06-15T10:20:31Z"]);
        assert!(condition_entry_holds(&date, &e, &ctx, true));
        // A date is not a number.
        assert!(!condition_entry_holds(&numeric, &e, &ctx, true));
    }

    #[rstest]
    #[case("NumericEquals", "0.3", "0.30000000000000004", false)]
    #[case("NumericEquals", "0.1", "0.10", true)]
    #[case("NumericEquals", "-0", "0", true)]
    #[case("NumericEquals", "+5", "5", true)]
    #[case("NumericEquals", "007", "7", true)]
    #[case("NumericEquals", "9007199254740993", "9007199254740992", false)]
    #[case("NumericGreaterThan", "9.99", "10", true)]
    #[case("NumericLessThan", "9.99", "10", false)]
    #[case("NumericLessThan", "-1.5", "-1.25", false)]
    #[case("NumericLessThan", "-1.25", "-1.5", true)]
    #[case("NumericLessThanEquals", "0.1", "0.1000000000000000000001", false)]
    #[case("NumericGreaterThanEquals", "1e3", "1000", false)]
    #[case("NumericEquals", "1000", "1e3", false)]
    #[case("NumericNotEquals", "1000", "1e3", true)]
    #[case("NumericLessThan", "10", "ten", false)]
    #[case("NumericNotEquals", "10", "", true)]
    fn numbers(
        #[case] op: &str,
        #[case] policy: &str,
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, &[policy], R::One(request)), expected);
    }

    #[rstest]
    #[case("IpAddress", &["203.0.113.0/24"], "203.0.113.255", true)]
    #[case("IpAddress", &["203.0.113.0/24"], "203.0.112.255", false)]
    #[case("IpAddress", &["203.0.113.9"], "203.0.113.9", true)]
    #[case("IpAddress", &["203.0.113.9"], "203.0.113.10", false)]
    #[case("IpAddress", &["2001:db8::/32"], "2001:db8:ffff::1", true)]
    #[case("IpAddress", &["2001:db8::/32"], "2001:db9::1", false)]
    #[case("IpAddress", &["2001:db8::7"], "2001:DB8::7", true)]
    #[case("IpAddress", &["0.0.0.0/0"], "2001:db8::1", false)]
    #[case("IpAddress", &["10.0.0.0/8", "2001:db8::/32"], "2001:db8::1", true)]
    #[case("IpAddress", &["10.0.0.0/8"], "not-an-ip", false)]
    #[case("IpAddress", &["10.0.0.0/8"], "10.0.0.0/24", false)]
    #[case("NotIpAddress", &["10.0.0.0/8", "192.168.0.0/16"], "192.168.1.1", false)]
    #[case("NotIpAddress", &["10.0.0.0/8", "192.168.0.0/16"], "172.16.0.1", true)]
    #[case("NotIpAddress", &["10.0.0.0/8"], "not-an-ip", true)]
    fn ip(
        #[case] op: &str,
        #[case] values: &[&str],
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, values, R::One(request)), expected);
    }

    #[rstest]
    #[case("BinaryEquals", "QUJD", "QUJD", true)]
    #[case("BinaryEquals", "QQ==", "QQ", true)]
    #[case("BinaryEquals", "QQ", "QQ==", true)]
    #[case("BinaryEquals", "QUJD", "QUJE", false)]
    #[case("BinaryEquals", "QUJD", "ABC", false)]
    #[case("BinaryEquals", "not base64!", "not base64!", false)]
    #[case("Bool", "false", "False", true)]
    #[case("Bool", "true", "1", false)]
    #[case("Bool", "yes", "yes", false)]
    #[case("StringEqualsIgnoreCase", "Straße", "STRAßE", true)]
    #[case("StringEqualsIgnoreCase", "ΣΊΣΥΦΟΣ", "σίσυφοσ", true)]
    #[case("StringEqualsIgnoreCase", "abc", "abcd", false)]
    #[case("StringNotEqualsIgnoreCase", "ABC", "abc", false)]
    #[case("StringEquals", "abc", "ABC", false)]
    #[case("StringLike", "ABC*", "abcd", false)]
    // The request value is literal (§7.16): its `*` is an ordinary character.
    #[case("StringLike", "a*", "a*", true)]
    #[case("StringLike", "a?c", "a*c", true)]
    #[case("StringEquals", "a*", "abc", false)]
    #[case("StringLike", "a\\b*", "a\\bc", true)]
    #[case("StringLike", "a\\*", "a\\xyz", true)]
    #[case("StringLike", "a\\*", "a*", false)]
    #[case("StringNotLike", "*.jpg", "photo.png", true)]
    #[case("StringNotLike", "*.jpg", "photo.jpg", false)]
    #[case("StringLike", "", "", true)]
    #[case("StringLike", "*", "", true)]
    #[case("StringLike", "?", "", false)]
    fn scalar_values(
        #[case] op: &str,
        #[case] policy: &str,
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, &[policy], R::One(request)), expected);
        assert_eq!(eval_with(op, &[policy], R::One(request), false), expected);
    }

    #[rstest]
    #[case("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", true)]
    #[case("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a", false)]
    #[case("arn:aws:s3:::bucket/*", "arn:aws-cn:s3:::bucket/a", false)]
    #[case(
        "arn:aws:ec2:*:111122223333:instance/*",
        "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
        true
    )]
    #[case(
        "arn:aws:ec2:us-*:111122223333:instance/*",
        "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
        false
    )]
    #[case(
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws:ec2:eu-west-1:444455556666:instance/i-1",
        true
    )]
    #[case(
        "arn:aws:ec2:*:1111222233??:instance/*",
        "arn:aws:ec2:eu-west-1:111122223344:instance/i-1",
        true
    )]
    #[case(
        "arn:aws:ec2:*:1111222233??:instance/*",
        "arn:aws:ec2:eu-west-1:111122224444:instance/i-1",
        false
    )]
    #[case(
        "arn:aws:iam::111122223333:role/Admin",
        "arn:aws:iam::111122223333:role/admin",
        false
    )]
    #[case(
        "arn:aws:iam::111122223333:role/Admin",
        "arn:aws:iam::111122223333:role/Admin",
        true
    )]
    #[case(
        "arn:aws:iam::111122223333:role/Admin",
        "arn:aws:sts::111122223333:role/Admin",
        false
    )]
    fn arns(#[case] policy: &str, #[case] request: &str, #[case] expected: bool) {
        for op in ["ArnLike", "ArnEquals"] {
            assert_eq!(eval(op, &[policy], R::One(request)), expected, "{op}");
        }
        for op in ["ArnNotLike", "ArnNotEquals"] {
            assert_eq!(eval(op, &[policy], R::One(request)), !expected, "{op}");
        }
    }

    #[rstest]
    #[case("StringEquals", &["home/${aws:username}"], "home/alice", true)]
    #[case("StringEquals", &["home/${AWS:UserName}"], "home/alice", true)]
    #[case("StringEquals", &["home/${aws:username}"], "home/bob", false)]
    #[case("StringLike", &["home/${aws:username}/*"], "home/alice/docs/x", true)]
    #[case("StringLike", &["home/${aws:username}/*"], "home/bob/docs/x", false)]
    #[case("StringEqualsIgnoreCase", &["HOME/${aws:username}"], "home/ALICE", true)]
    // A default is used only when the key is missing.
    #[case("StringEquals", &["${aws:PrincipalTag/dept, 'none'}"], "none", true)]
    #[case("StringEquals", &["${aws:username, 'none'}"], "none", false)]
    #[case("StringEquals", &["${aws:username, 'none'}"], "alice", true)]
    // `${*}` is a literal star, and a substituted value's `*` is literal too.
    #[case("StringLike", &["file${*}"], "file*", true)]
    #[case("StringLike", &["file${*}"], "fileX", false)]
    #[case("StringLike", &["file*"], "fileX", true)]
    #[case("StringLike", &["${aws:PrincipalTag/team}"], "blue*", true)]
    #[case("StringLike", &["${aws:PrincipalTag/team}"], "blue-green", false)]
    #[case("StringLike", &["${aws:PrincipalTag/team}*"], "blue*-green", true)]
    #[case("StringEquals", &["a${?}b${$}"], "a?b$", true)]
    // An unresolved variable is null: positive operators miss, negated ones match.
    #[case("StringEquals", &["${aws:PrincipalTag/dept}"], "", false)]
    #[case("StringEquals", &["${aws:PrincipalTag/dept}"], "${aws:PrincipalTag/dept}", false)]
    #[case("StringNotEquals", &["${aws:PrincipalTag/dept}"], "anything", true)]
    #[case("StringLike", &["${aws:PrincipalTag/dept}*"], "x", false)]
    #[case("StringNotLike", &["${aws:PrincipalTag/dept}*"], "x", true)]
    #[case("StringEquals", &["${aws:PrincipalTag/dept}", "x"], "x", true)]
    #[case("StringNotEquals", &["${aws:PrincipalTag/dept}", "x"], "x", false)]
    // A multivalued key is not a variable.
    #[case("StringEquals", &["${aws:TagKeys}"], "x", false)]
    #[case("StringNotEquals", &["${aws:TagKeys}"], "x", true)]
    #[case("StringEquals", &["${aws:TagKeys, 'd'}"], "d", true)]
    // ARN operators take variables as patterns.
    #[case("ArnLike", &["arn:aws:iam::*:user/${aws:username}"], "arn:aws:iam::111122223333:user/alice", true)]
    #[case("ArnEquals", &["arn:aws:iam::*:user/${aws:username}"], "arn:aws:iam::111122223333:user/bob", false)]
    #[case("ArnNotLike", &["arn:aws:iam::*:user/${aws:nobody}"], "arn:aws:iam::111122223333:user/bob", true)]
    // Other families do not substitute.
    #[case("NumericEquals", &["${aws:username}"], "5", false)]
    #[case("Bool", &["${aws:username}"], "true", false)]
    // A malformed variable is literal text.
    #[case("StringEquals", &["${aws:username"], "${aws:username", true)]
    fn variables(
        #[case] op: &str,
        #[case] values: &[&str],
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, values, R::One(request)), expected);
    }

    #[rstest]
    #[case("StringEquals", "${aws:username}", "${aws:username}", true)]
    #[case("StringEquals", "${aws:username}", "alice", false)]
    #[case("StringNotEquals", "${aws:username}", "alice", true)]
    #[case("StringLike", "${aws:username}*", "${aws:username}-x", true)]
    #[case("StringLike", "file${*}", "file${*}", true)]
    #[case("StringLike", "file${*}", "file*", false)]
    #[case(
        "ArnLike",
        "arn:aws:iam::*:user/${aws:username}",
        "arn:aws:iam::1:user/alice",
        false
    )]
    fn variables_disabled_are_literal(
        #[case] op: &str,
        #[case] policy: &str,
        #[case] request: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(eval_with(op, &[policy], R::One(request), false), expected);
    }

    #[rstest]
    // ForAllValues: an empty single value is the null data set; ForAnyValue reads it as a value.
    #[case("ForAllValues:StringEquals", &["a"], R::One(""), true)]
    #[case("ForAnyValue:StringEquals", &["a"], R::One(""), false)]
    #[case("ForAnyValue:StringEquals", &[""], R::One(""), true)]
    #[case("StringEquals", &[""], R::One(""), true)]
    #[case("StringNotEquals", &["a"], R::One(""), true)]
    // R ⊆ P.
    #[case("ForAllValues:StringEquals", &["a", "b", "c"], R::Many(&["a", "c"]), true)]
    #[case("ForAllValues:StringEquals", &["a", "b"], R::Many(&["a", "c"]), false)]
    #[case("ForAllValues:StringLike", &["a*", "c*"], R::Many(&["ab", "cd"]), true)]
    // No r in P.
    #[case("ForAllValues:StringNotEquals", &["a", "b"], R::Many(&["c", "d"]), true)]
    #[case("ForAllValues:StringNotEquals", &["a", "b"], R::Many(&["c", "b"]), false)]
    // Some r in P; some r outside P.
    #[case("ForAnyValue:StringEquals", &["a", "b"], R::Many(&["c", "b"]), true)]
    #[case("ForAnyValue:StringNotEquals", &["a", "b"], R::Many(&["a", "b"]), false)]
    #[case("ForAnyValue:StringNotEquals", &["a", "b"], R::Many(&["a", "z"]), true)]
    #[case("ForAnyValue:StringNotEqualsIfExists", &["a"], R::Missing, true)]
    #[case("ForAllValues:StringNotEqualsIfExists", &["a"], R::Many(&["a"]), false)]
    #[case("ForAnyValue:NumericLessThan", &["10"], R::Many(&["11", "x", "9"]), true)]
    #[case("ForAllValues:NumericLessThan", &["10"], R::Many(&["1", "x"]), false)]
    #[case("ForAllValues:Bool", &["true"], R::Many(&["true", "TRUE"]), true)]
    #[case("ForAnyValue:IpAddress", &["10.0.0.0/8"], R::Many(&["192.0.2.1", "10.1.1.1"]), true)]
    fn set_qualifiers(
        #[case] op: &str,
        #[case] values: &[&str],
        #[case] r: R<'_>,
        #[case] expected: bool,
    ) {
        assert_eq!(eval(op, values, r), expected);
    }

    #[test]
    fn blocks_and_keys_combine_with_and() {
        let mut ctx = Context::new();
        ctx.insert("aws:SourceIp", ContextEntry::Single("10.1.2.3".into()));
        ctx.insert("s3:prefix", ContextEntry::Single("home/alice/".into()));
        ctx.insert("aws:username", ContextEntry::Single("alice".into()));
        let block = |op: &str, entries: Vec<ConditionEntry>| Condition {
            operator: op.parse().unwrap(),
            entries,
        };
        let ip = block("IpAddress", vec![entry("aws:sourceip", &["10.0.0.0/8"])]);
        let prefix = block(
            "StringLike",
            vec![
                entry("s3:prefix", &["home/${aws:username}/*"]),
                entry("aws:username", &["al*"]),
            ],
        );
        assert!(conditions_hold(&[ip.clone(), prefix.clone()], &ctx, true));
        assert!(conditions_hold(&[], &ctx, true));
        // Variables off: the `${…}` is literal and the prefix no longer matches.
        assert!(!conditions_hold(&[ip.clone(), prefix], &ctx, false));
        let wrong_key = block(
            "StringLike",
            vec![
                entry("s3:prefix", &["home/*"]),
                entry("aws:username", &["bob"]),
            ],
        );
        assert!(!conditions_hold(&[ip.clone(), wrong_key], &ctx, true));
        let wrong_block = block("NotIpAddress", vec![entry("aws:SourceIp", &["10.0.0.0/8"])]);
        assert!(!conditions_hold(&[ip, wrong_block], &ctx, true));
    }

    #[rstest]
    #[case("abc", "ABC", true)]
    #[case("ÀÉÎ", "àéî", true)]
    #[case("İ", "i̇", true)]
    #[case("a", "á", false)]
    #[case("ab", "a", false)]
    #[case("", "", true)]
    fn ignore_case(#[case] a: &str, #[case] b: &str, #[case] equal: bool) {
        assert_eq!(eq_ignore_case(a, b), equal);
        assert_eq!(eq_ignore_case(b, a), equal);
    }
}
