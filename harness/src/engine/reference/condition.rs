//! Condition evaluation (IAM-SPEC §4): whether a statement's `Condition` holds for a request
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
//!   (IAM-SPEC §7.16).
//! - **Numeric**: exact decimal comparison ([`crate::values::parse_number`]); request value on the
//!   left (`NumericLessThan` holds when request < policy). A request value that is not a number
//!   matches no policy value, so the positive operators are false and `NumericNotEquals` is true
//!   (IAM-SPEC §7.11). The same applies to an invalid policy value (validation rejects those).
//! - **Date**: instants compared ([`crate::values::parse_date`]); a request value that is not a
//!   date matches nothing (IAM-SPEC §7.10). `aws:EpochTime` works under both Date and Numeric
//!   operators, since epoch seconds are both a date and a number.
//! - **Bool**: policy and request values `true`/`false`, ignoring case; anything else matches
//!   nothing. Variables are not substituted (IAM-SPEC §7.1).
//! - **BinaryEquals**: the policy value and the request value are both base 64
//!   ([`crate::values::decode_base64`]) — request binary values are given base-64 encoded in the
//!   request context — and the decoded bytes are compared, so `QQ==` equals `QQ`.
//! - **IP**: the request address lies within the policy network (a bare policy address is
//!   `/32` or `/128`); a request value that is not a bare address matches nothing.
//! - **ARN**: [`crate::arn::arn_like`], segment by segment, case-sensitive; `ArnEquals` ≡
//!   `ArnLike` and `ArnNotEquals` ≡ `ArnNotLike`.
//! - **Null**: a policy value `true` holds when the key is missing, `false` when it is present.
//!   The set qualifier is ignored. A key given as JSON null is missing; a present multivalued key
//!   with no values and a single-valued key holding the empty string are *present*
//!   (IAM-SPEC §7.13). Several policy values: any may match.
//!
//! # Policy variables (IAM-SPEC §5)
//!
//! Substituted only when the policy's version enables them (`variables_enabled`) and only in
//! String and ARN operators. `StringEquals`-type operators use the substituted text as is;
//! `StringLike` and the ARN operators use it as a pattern in which characters produced by escapes
//! (`${*}`) and by substituted values are literal. A value whose variable cannot be resolved is
//! null and matches no request value: positive operators do not match it, negated operators do.
//!
//! # Multivalued keys and set qualifiers (IAM-SPEC §4.5)
//!
//! R is the set of request values. A single-valued key is the one-element set {value}, so
//! `ForAnyValue:` and `ForAllValues:` also work on single-valued keys (IAM-SPEC §7.12); under
//! `ForAllValues:` only, a single-valued key holding the empty string is the empty set (the
//! "null data set" of §4.3, IAM-SPEC §7.13).
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
//! - A multivalued key under a plain operator (IAM-SPEC §7.12) reads like `ForAnyValue:` for a
//!   positive operator and its exact negation for a negated one, so `StringNotEquals` stays the
//!   negation of `StringEquals` whatever the key holds.
//! - `IfExists` with a set qualifier (IAM-SPEC §7.14): a missing key makes the condition true
//!   (`IfExists` wins, so `ForAnyValue:…IfExists` is true on a missing key); a present key, even
//!   an empty set, is evaluated as without `IfExists`.
//!
//! # Cost
//!
//! Nothing allocates on the common path (no variables, single-valued keys, non-binary
//! operators): values are parsed into borrowed forms, and case-insensitive comparison walks the
//! characters. Substituting a variable and decoding base 64 allocate.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::arn::arn_like;
use crate::engine::reference::variables::{substitute, Mode, Substituted};
use crate::glob::{matches, matches_escaped, CaseSensitivity};
use crate::policy::model::{
    BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue, SetQualifier,
};
use crate::request::{Context, ContextScalar, Lookup};
use crate::values::{
    decode_base64, parse_bool, parse_date, parse_ip_addr, parse_ip_network, parse_number,
};

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
            // An empty string as a single value is the null data set (IAM-SPEC §4.3, §7.13).
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
            // Plain operator on a multivalued key (IAM-SPEC §7.12): the positive reading is
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
            // An unresolved variable makes the value null: it matches nothing (IAM-SPEC §5).
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
