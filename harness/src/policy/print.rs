//! The policy printer: the model back to JSON, so that `parse(&to_string(&p)) == Ok(p)` for
//! every policy `p` that [`super::parse`] returns.
//!
//! What is reproduced: single value vs array, statement object vs array, the order of
//! principal types, of condition operators and of condition keys, and the JSON type of each
//! condition value. Keys come in the canonical order `Version`, `Id`, `Statement` and `Sid`,
//! `Effect`, `Principal`|`NotPrincipal`, `Action`|`NotAction`, `Resource`|`NotResource`,
//! `Condition` (the order in which they were written is not kept: it means nothing, semantics §2.1).
//!
//! A hand-built model can hold what no parsed policy holds; the printer still gives valid JSON:
//! two entries with the same principal type, operator or condition key are merged (the last
//! wins, as a JSON object cannot repeat a key), and a [`ValueType::Number`] or
//! [`ValueType::Bool`] value whose text is not a JSON number or boolean is printed as a string.

use serde_json::{Map, Value};

use super::model::*;

/// The policy as a JSON value, keys in the canonical order (serde_json's `preserve_order`).
pub fn to_json(policy: &Policy) -> Value {
    let mut object = Map::new();
    if let Some(version) = policy.version {
        object.insert("Version".into(), string(version.as_str()));
    }
    if let Some(id) = &policy.id {
        object.insert("Id".into(), string(id));
    }
    let statement = match &policy.statement {
        OneOrMany::One(statement) => statement_json(statement),
        OneOrMany::Many(statements) => {
            Value::Array(statements.iter().map(statement_json).collect())
        }
    };
    object.insert("Statement".into(), statement);
    Value::Object(object)
}

/// The policy as compact JSON text.
pub fn to_string(policy: &Policy) -> String {
    to_json(policy).to_string()
}

/// The policy as indented JSON text (two spaces).
pub fn to_string_pretty(policy: &Policy) -> String {
    format!("{:#}", to_json(policy))
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn statement_json(statement: &Statement) -> Value {
    let mut object = Map::new();
    if let Some(sid) = &statement.sid {
        object.insert("Sid".into(), string(sid));
    }
    object.insert("Effect".into(), string(statement.effect.as_str()));
    if let Some(principal) = &statement.principal {
        let key = if principal.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        object.insert(key.into(), principal_json(&principal.value));
    }
    let action = &statement.action;
    let key = if action.negated {
        "NotAction"
    } else {
        "Action"
    };
    object.insert(key.into(), strings_json(&action.patterns));
    if let Some(resource) = &statement.resource {
        let key = if resource.negated {
            "NotResource"
        } else {
            "Resource"
        };
        object.insert(key.into(), strings_json(&resource.patterns));
    }
    if let Some(conditions) = &statement.condition {
        let blocks = conditions
            .iter()
            .map(|condition| {
                let entries = condition
                    .entries
                    .iter()
                    .map(|entry| (entry.key.clone(), values_json(&entry.values)))
                    .collect();
                (condition.operator.to_string(), Value::Object(entries))
            })
            .collect();
        object.insert("Condition".into(), Value::Object(blocks));
    }
    Value::Object(object)
}

fn principal_json(principal: &Principal) -> Value {
    match principal {
        Principal::Wildcard => string("*"),
        Principal::Map(map) => Value::Object(
            map.iter()
                .map(|(kind, values)| (kind.as_str().to_owned(), strings_json(values)))
                .collect(),
        ),
    }
}

fn strings_json(values: &OneOrMany<String>) -> Value {
    match values {
        OneOrMany::One(value) => string(value),
        OneOrMany::Many(values) => Value::Array(values.iter().map(|value| string(value)).collect()),
    }
}

fn values_json(values: &OneOrMany<ConditionValue>) -> Value {
    match values {
        OneOrMany::One(value) => value_json(value),
        OneOrMany::Many(values) => Value::Array(values.iter().map(value_json).collect()),
    }
}

fn value_json(value: &ConditionValue) -> Value {
    match value.json_type {
        ValueType::Number => match value.text.parse::<serde_json::Number>() {
            Ok(number) => Value::Number(number),
            Err(_) => string(&value.text),
        },
        ValueType::Bool => match value.text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => string(other),
        },
        ValueType::String => string(&value.text),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    #[test]
    fn prints_canonical_key_order_and_forms() {
        let text = r#"{"Statement":[{"Condition":{"StringLike":{"b:k":["x"],"a:k":"y"},"Bool":{"c:k":true}},"Resource":["r"],"NotAction":"s3:*","Principal":{"Service":"s","AWS":["1"]},"Effect":"Deny","Sid":"S"}],"Id":"i","Version":"2012-10-17"}"#;
        let policy = parse(text).unwrap();
        assert_eq!(
            to_string(&policy),
            r#"{"Version":"2012-10-17","Id":"i","Statement":[{"Sid":"S","Effect":"Deny","Principal":{"Service":"s","AWS":["1"]},"NotAction":"s3:*","Resource":["r"],"Condition":{"StringLike":{"b:k":["x"],"a:k":"y"},"Bool":{"c:k":true}}}]}"#
        );
    }

    #[test]
    fn prints_numbers_and_booleans_unquoted() {
        let policy = parse(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":{"NumericEquals":{"a:b":[1,"1",2.5,false]}}}}"#,
        )
        .unwrap();
        assert_eq!(
            to_string(&policy),
            r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":{"NumericEquals":{"a:b":[1,"1",2.5,false]}}}}"#
        );
    }

    #[test]
    fn pretty_printing_indents() {
        let policy = parse(r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#).unwrap();
        assert_eq!(
            to_string_pretty(&policy),
            "{\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"*\"\n  }\n}"
        );
    }

    #[test]
    fn hand_built_values_that_are_not_json_numbers_print_as_strings() {
        let value = ConditionValue {
            text: "12abc".into(),
            json_type: ValueType::Number,
        };
        assert_eq!(value_json(&value), Value::String("12abc".into()));
        let value = ConditionValue {
            text: "TRUE".into(),
            json_type: ValueType::Bool,
        };
        assert_eq!(value_json(&value), Value::String("TRUE".into()));
    }

    // ---- generators for the round trip ----

    fn text() -> BoxedStrategy<String> {
        prop_oneof![
            3 => "[a-zA-Z0-9:/*?.-]{0,12}",
            1 => "\\PC{0,8}",
            1 => "[\\x00-\\x1f\"\\\\/${}]{0,4}",
        ]
        .boxed()
    }

    fn one_or_many<T: std::fmt::Debug + Clone + 'static>(
        item: BoxedStrategy<T>,
    ) -> impl Strategy<Value = OneOrMany<T>> {
        prop_oneof![
            item.clone().prop_map(OneOrMany::One),
            prop::collection::vec(item, 0..4).prop_map(OneOrMany::Many),
        ]
    }

    /// A condition value whose text is what the parser gives back for its JSON type.
    fn condition_value() -> BoxedStrategy<ConditionValue> {
        let string = text().prop_map(|text| ConditionValue {
            text,
            json_type: ValueType::String,
        });
        let integer = any::<i64>().prop_map(|n| n.to_string());
        let unsigned = any::<u64>().prop_map(|n| n.to_string());
        let float = (-1.0e12f64..1.0e12).prop_map(|f| {
            serde_json::Number::from_f64(f)
                .map(|n| n.to_string())
                .unwrap_or_else(|| "0".into())
        });
        let number = prop_oneof![integer, unsigned, float].prop_map(|text| ConditionValue {
            text,
            json_type: ValueType::Number,
        });
        let boolean = any::<bool>().prop_map(|b| ConditionValue {
            text: b.to_string(),
            json_type: ValueType::Bool,
        });
        prop_oneof![3 => string, 1 => number, 1 => boolean].boxed()
    }

    fn operator() -> impl Strategy<Value = ConditionOperator> {
        (
            prop::sample::select(BaseOperator::ALL.to_vec()),
            prop::option::of(prop_oneof![
                Just(SetQualifier::ForAllValues),
                Just(SetQualifier::ForAnyValue)
            ]),
            any::<bool>(),
        )
            .prop_map(|(base, qualifier, if_exists)| ConditionOperator {
                qualifier,
                base,
                if_exists: if_exists && base != BaseOperator::Null,
            })
    }

    /// Keeps the first item of each key, as a parsed policy can never repeat a JSON key.
    fn dedup_by<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
        let mut seen = std::collections::HashSet::new();
        items.into_iter().filter(|i| seen.insert(key(i))).collect()
    }

    fn conditions() -> impl Strategy<Value = Vec<Condition>> {
        let entry = (text(), one_or_many(condition_value()))
            .prop_map(|(key, values)| ConditionEntry { key, values });
        let condition =
            (operator(), prop::collection::vec(entry, 0..3)).prop_map(|(operator, entries)| {
                Condition {
                    operator,
                    entries: dedup_by(entries, |e| e.key.clone()),
                }
            });
        prop::collection::vec(condition, 0..4)
            .prop_map(|conditions| dedup_by(conditions, |c| c.operator.to_string()))
    }

    fn principal() -> impl Strategy<Value = Principal> {
        let types = vec![
            PrincipalType::Aws,
            PrincipalType::Service,
            PrincipalType::Federated,
            PrincipalType::CanonicalUser,
        ];
        let map = (subsequence(types, 0..=4).prop_shuffle())
            .prop_flat_map(|types| {
                let n = types.len();
                (Just(types), prop::collection::vec(one_or_many(text()), n))
            })
            .prop_map(|(types, values)| Principal::Map(types.into_iter().zip(values).collect()));
        prop_oneof![Just(Principal::Wildcard), map]
    }

    fn statement() -> BoxedStrategy<Statement> {
        (
            prop::option::of(text()),
            prop_oneof![Just(Effect::Allow), Just(Effect::Deny)],
            prop::option::of((any::<bool>(), principal())),
            (any::<bool>(), one_or_many(action())),
            prop::option::of((any::<bool>(), one_or_many(text()))),
            prop::option::of(conditions()),
        )
            .prop_map(
                |(sid, effect, principal, action, resource, condition)| Statement {
                    sid,
                    effect,
                    principal: principal.map(|(negated, value)| PrincipalClause { negated, value }),
                    action: ActionClause {
                        negated: action.0,
                        patterns: action.1,
                    },
                    resource: resource
                        .map(|(negated, patterns)| ResourceClause { negated, patterns }),
                    condition,
                },
            )
            .boxed()
    }

    /// Any action the parser accepts: `*` or `service:Name`.
    fn action() -> BoxedStrategy<String> {
        prop_oneof![Just("*".to_owned()), "[a-z0-9-]{1,6}:[A-Za-z0-9*?]{1,6}"].boxed()
    }

    /// Any policy the parser can return.
    fn policy() -> impl Strategy<Value = Policy> {
        (
            prop::option::of(prop_oneof![
                Just(Version::V2012_10_17),
                Just(Version::V2008_10_17)
            ]),
            prop::option::of(text()),
            one_or_many(statement()),
        )
            .prop_map(|(version, id, statement)| Policy {
                version,
                id,
                statement,
            })
    }

    proptest! {
        #[test]
        fn print_then_parse_gives_the_same_policy(policy in policy()) {
            let compact = to_string(&policy);
            prop_assert_eq!(parse(&compact), Ok(policy.clone()), "{}", compact);
            let pretty = to_string_pretty(&policy);
            prop_assert_eq!(parse(&pretty), Ok(policy), "{}", pretty);
        }
    }
}
