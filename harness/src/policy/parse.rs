//! The strict policy parser (semantics §2, §6): structure only, the same for every policy kind.
//!
//! Step one ([`super::json`]) reads the text into a tree that keeps key order and duplicate
//! keys; step two, here, walks that tree into the [`super::model`] types and collects **every**
//! problem, each with the JSON path where it was found (`Statement[2].Condition.StringLike`,
//! `Statement.Effect` when `Statement` is a single object, `Version` at the top level,
//! `line L column C` for a syntax error).
//!
//! What is checked here:
//! - the top level is an object with only `Version`, `Id` and `Statement` (names are
//!   case-sensitive); `Statement` is required and is an object or an array of objects;
//! - a statement has only `Sid`, `Effect` (required, exactly `Allow` or `Deny`),
//!   `Principal`|`NotPrincipal`, `Action`|`NotAction` (exactly one required),
//!   `Resource`|`NotResource` and `Condition`, never both halves of a pair;
//! - no object anywhere has the same key twice;
//! - `Principal` is `"*"` or an object of `AWS`/`Service`/`Federated`/`CanonicalUser`, each a
//!   string or an array of strings; `Action` and `Resource` are a string or an array of strings;
//! - `Condition` maps known operator names to objects of key → value, a value being a string,
//!   number or boolean, or an array of those.
//!
//! Empty arrays (`"Action": []`, `"aws:SourceIp": []`) and an empty `"Statement": []` are
//! accepted, as semantics §7.17 leaves them open: an empty list matches nothing, so such a
//! statement never applies and such a policy grants and denies nothing.
//!
//! Numbers are read by serde_json: an integer keeps its spelling, any other number is kept as
//! the shortest text of its `f64` value (`1.50` is read as `1.5`, `1e3` as `1000.0`).

use super::json::{self, Json};
use super::model::*;
use super::{PolicyError, PolicyErrors};

/// The keys allowed at the top of a policy.
const POLICY_KEYS: [&str; 3] = ["Version", "Id", "Statement"];

/// The keys allowed in a statement.
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Parses policy text into the model (structure only; see [`super::validate`] for the rules
/// that depend on the policy kind). On failure every problem found is returned.
///
/// ```
/// use iam_harness::policy::{parse, Effect};
/// let policy = parse(r#"{"Version": "2012-10-17",
///     "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#)?;
/// assert_eq!(policy.statements()[0].effect, Effect::Allow);
///
/// let errors = parse(r#"{"Statement": [{"Effect": "allow", "Action": "s3:*", "Action": "*"}]}"#)
///     .unwrap_err();
/// assert_eq!(errors.0.len(), 2);
/// assert_eq!(errors.0[0].path, "Statement[0].Action");
/// assert_eq!(errors.0[1].path, "Statement[0].Effect");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(text: &str) -> Result<Policy, PolicyErrors> {
    let tree = json::from_str(text).map_err(|error| PolicyErrors(vec![error]))?;
    let mut errors = Errors::default();
    let policy = policy(&mut errors, &tree);
    match policy {
        Some(policy) if errors.0.is_empty() => Ok(policy),
        _ => {
            if errors.0.is_empty() {
                // Every path that yields no policy records why; this keeps the promise that
                // an error list is never empty even if that ever changes.
                errors.push("", "the policy could not be read");
            }
            Err(PolicyErrors(errors.0))
        }
    }
}

/// The problems found so far.
#[derive(Default)]
struct Errors(Vec<PolicyError>);

impl Errors {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(PolicyError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// Records that `json` is not of the `expected` shape.
    fn wrong_type(&mut self, path: &str, expected: &str, json: &Json) {
        self.push(path, format!("expected {expected}, found {}", json.kind()));
    }
}

/// `path.key`, or `key` at the top level.
fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[index]`.
fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// The pairs of an object without repeats: the first occurrence of each key is kept and every
/// later one is reported as a duplicate (semantics §2.1).
fn unique_fields<'a>(
    errors: &mut Errors,
    path: &str,
    pairs: &'a [(String, Json)],
) -> Vec<(&'a str, &'a Json)> {
    // A set rather than a scan of `fields`: an object may have very many keys (fuzzing).
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    let mut fields: Vec<(&str, &Json)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if seen.insert(key.as_str()) {
            fields.push((key, value));
        } else {
            errors.push(&child(path, key), format!("duplicate key `{key}`"));
        }
    }
    fields
}

/// Reports a key that is not allowed here, with a hint when only its case is wrong.
fn unknown_key(errors: &mut Errors, path: &str, key: &str, known: &[&str]) {
    let hint = known.iter().find(|name| name.eq_ignore_ascii_case(key));
    let message = match hint {
        Some(name) => {
            format!("unknown element `{key}` (element names are case-sensitive: `{name}`)")
        }
        None => format!("unknown element `{key}`"),
    };
    errors.push(&child(path, key), message);
}

fn policy(errors: &mut Errors, tree: &Json) -> Option<Policy> {
    let Json::Object(pairs) = tree else {
        errors.wrong_type("", "the policy to be an object", tree);
        return None;
    };
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    let mut ok = true;
    for (key, value) in unique_fields(errors, "", pairs) {
        match key {
            "Version" => {
                version = self::version(errors, value);
                ok &= version.is_some();
            }
            "Id" => {
                id = string(errors, "Id", value);
                ok &= id.is_some();
            }
            "Statement" => {
                statement = statements(errors, value);
                ok &= statement.is_some();
            }
            other => unknown_key(errors, "", other, &POLICY_KEYS),
        }
    }
    if !pairs.iter().any(|(key, _)| key == "Statement") {
        errors.push("", "missing required element `Statement`");
    }
    if !ok {
        return None;
    }
    Some(Policy {
        version,
        id,
        statement: statement?,
    })
}

fn version(errors: &mut Errors, json: &Json) -> Option<Version> {
    match json {
        Json::String(text) if text == "2012-10-17" => Some(Version::V2012_10_17),
        Json::String(text) if text == "2008-10-17" => Some(Version::V2008_10_17),
        Json::String(text) => {
            errors.push(
                "Version",
                format!("expected `2012-10-17` or `2008-10-17`, found `{text}`"),
            );
            None
        }
        other => {
            errors.wrong_type("Version", "`2012-10-17` or `2008-10-17`", other);
            None
        }
    }
}

fn string(errors: &mut Errors, path: &str, json: &Json) -> Option<String> {
    match json {
        Json::String(text) => Some(text.clone()),
        other => {
            errors.wrong_type(path, "a string", other);
            None
        }
    }
}

fn statements(errors: &mut Errors, json: &Json) -> Option<OneOrMany<Statement>> {
    match json {
        Json::Object(_) => statement(errors, "Statement", json).map(OneOrMany::One),
        Json::Array(items) => {
            let mut statements = Vec::with_capacity(items.len());
            let mut ok = true;
            for (index, json) in items.iter().enumerate() {
                match statement(errors, &item("Statement", index), json) {
                    Some(statement) => statements.push(statement),
                    None => ok = false,
                }
            }
            ok.then_some(OneOrMany::Many(statements))
        }
        other => {
            errors.wrong_type("Statement", "an object or an array of objects", other);
            None
        }
    }
}

/// The value of a `Foo`/`NotFoo` pair: which half was written and its value.
struct Half<'a> {
    negated: bool,
    path: String,
    json: &'a Json,
}

/// Picks the half of a pair that was written; both halves is an error (semantics §2.1), and
/// then the negated value is still checked so that its own problems are reported too.
fn pair<'a>(
    errors: &mut Errors,
    path: &str,
    (name, positive): (&str, Option<&'a Json>),
    (not_name, negative): (&str, Option<&'a Json>),
    check_negative: impl FnOnce(&mut Errors, &str, &Json),
) -> Option<Half<'a>> {
    match (positive, negative) {
        (Some(json), None) => Some(Half {
            negated: false,
            path: child(path, name),
            json,
        }),
        (None, Some(json)) => Some(Half {
            negated: true,
            path: child(path, not_name),
            json,
        }),
        (Some(json), Some(negative)) => {
            errors.push(
                path,
                format!("`{name}` and `{not_name}` cannot both appear in one statement"),
            );
            check_negative(errors, &child(path, not_name), negative);
            Some(Half {
                negated: false,
                path: child(path, name),
                json,
            })
        }
        (None, None) => None,
    }
}

fn statement(errors: &mut Errors, path: &str, json: &Json) -> Option<Statement> {
    let Json::Object(pairs) = json else {
        errors.wrong_type(path, "a statement object", json);
        return None;
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut not_principal = None;
    let mut action = None;
    let mut not_action = None;
    let mut resource = None;
    let mut not_resource = None;
    let mut condition = None;
    for (key, value) in unique_fields(errors, path, pairs) {
        let slot = match key {
            "Sid" => &mut sid,
            "Effect" => &mut effect,
            "Principal" => &mut principal,
            "NotPrincipal" => &mut not_principal,
            "Action" => &mut action,
            "NotAction" => &mut not_action,
            "Resource" => &mut resource,
            "NotResource" => &mut not_resource,
            "Condition" => &mut condition,
            other => {
                unknown_key(errors, path, other, &STATEMENT_KEYS);
                continue;
            }
        };
        *slot = Some(value);
    }

    let mut ok = true;
    let sid = match sid {
        Some(json) => {
            let sid = string(errors, &child(path, "Sid"), json);
            ok &= sid.is_some();
            sid
        }
        None => None,
    };

    let effect = match effect {
        Some(json) => self::effect(errors, &child(path, "Effect"), json),
        None => {
            errors.push(path, "missing required element `Effect`");
            None
        }
    };

    let principal = match pair(
        errors,
        path,
        ("Principal", principal),
        ("NotPrincipal", not_principal),
        |errors, path, json| {
            self::principal(errors, path, json);
        },
    ) {
        Some(half) => {
            let value = self::principal(errors, &half.path, half.json);
            ok &= value.is_some();
            value.map(|value| PrincipalClause {
                negated: half.negated,
                value,
            })
        }
        None => None,
    };

    let action = match pair(
        errors,
        path,
        ("Action", action),
        ("NotAction", not_action),
        |errors, path, json| {
            strings(errors, path, json);
        },
    ) {
        Some(half) => strings(errors, &half.path, half.json).map(|patterns| {
            check_actions(errors, &half.path, &patterns);
            ActionClause {
                negated: half.negated,
                patterns,
            }
        }),
        None => {
            errors.push(path, "missing required element `Action` or `NotAction`");
            None
        }
    };

    let resource = match pair(
        errors,
        path,
        ("Resource", resource),
        ("NotResource", not_resource),
        |errors, path, json| {
            strings(errors, path, json);
        },
    ) {
        Some(half) => {
            let patterns = strings(errors, &half.path, half.json);
            ok &= patterns.is_some();
            patterns.map(|patterns| ResourceClause {
                negated: half.negated,
                patterns,
            })
        }
        None => None,
    };

    let condition = match condition {
        Some(json) => {
            let condition = conditions(errors, &child(path, "Condition"), json);
            ok &= condition.is_some();
            condition
        }
        None => None,
    };

    if !ok {
        return None;
    }
    Some(Statement {
        sid,
        effect: effect?,
        principal,
        action: action?,
        resource,
        condition,
    })
}

fn effect(errors: &mut Errors, path: &str, json: &Json) -> Option<Effect> {
    match json {
        Json::String(text) if text == "Allow" => Some(Effect::Allow),
        Json::String(text) if text == "Deny" => Some(Effect::Deny),
        Json::String(text) => {
            errors.push(path, format!("expected `Allow` or `Deny`, found `{text}`"));
            None
        }
        other => {
            errors.wrong_type(path, "`Allow` or `Deny`", other);
            None
        }
    }
}

/// A string or an array of strings, keeping the form.
/// Every action except `*` names its service: `service:Name`, neither part empty (semantics
/// §2.7; IAM rejects a bare name with "Actions/Conditions must be prefaced by a vendor"). A rule
/// of every policy kind, so it is checked while parsing, beside the other errors of the
/// statement.
fn check_actions(errors: &mut Errors, path: &str, patterns: &OneOrMany<String>) {
    let paths_and_patterns: Vec<(String, &String)> = match patterns {
        OneOrMany::One(pattern) => vec![(path.to_owned(), pattern)],
        OneOrMany::Many(list) => list
            .iter()
            .enumerate()
            .map(|(index, pattern)| (item(path, index), pattern))
            .collect(),
    };
    for (pattern_path, pattern) in paths_and_patterns {
        let prefixed = pattern
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
        if pattern != "*" && !prefixed {
            errors.push(
                &pattern_path,
                format!("action `{pattern}` must be `*` or `service:ActionName`"),
            );
        }
    }
}

fn strings(errors: &mut Errors, path: &str, json: &Json) -> Option<OneOrMany<String>> {
    match json {
        Json::String(text) => Some(OneOrMany::One(text.clone())),
        Json::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut ok = true;
            for (index, json) in items.iter().enumerate() {
                match json {
                    Json::String(text) => values.push(text.clone()),
                    other => {
                        errors.wrong_type(&item(path, index), "a string", other);
                        ok = false;
                    }
                }
            }
            ok.then_some(OneOrMany::Many(values))
        }
        other => {
            errors.wrong_type(path, "a string or an array of strings", other);
            None
        }
    }
}

fn principal_type(name: &str) -> Option<PrincipalType> {
    [
        PrincipalType::Aws,
        PrincipalType::Service,
        PrincipalType::Federated,
        PrincipalType::CanonicalUser,
    ]
    .into_iter()
    .find(|kind| kind.as_str() == name)
}

fn principal(errors: &mut Errors, path: &str, json: &Json) -> Option<Principal> {
    match json {
        Json::String(text) if text == "*" => Some(Principal::Wildcard),
        Json::String(text) => {
            errors.push(
                path,
                format!("expected `*` or an object of principal types, found `{text}`"),
            );
            None
        }
        Json::Object(pairs) => {
            let mut map = Vec::with_capacity(pairs.len());
            let mut ok = true;
            for (key, value) in unique_fields(errors, path, pairs) {
                let Some(kind) = principal_type(key) else {
                    errors.push(
                        &child(path, key),
                        format!(
                            "unknown principal type `{key}` (expected `AWS`, `Service`, \
                             `Federated` or `CanonicalUser`)"
                        ),
                    );
                    ok = false;
                    continue;
                };
                match strings(errors, &child(path, key), value) {
                    Some(values) => map.push((kind, values)),
                    None => ok = false,
                }
            }
            ok.then_some(Principal::Map(map))
        }
        other => {
            errors.wrong_type(path, "`*` or an object of principal types", other);
            None
        }
    }
}

fn conditions(errors: &mut Errors, path: &str, json: &Json) -> Option<Vec<Condition>> {
    let Json::Object(pairs) = json else {
        errors.wrong_type(path, "an object of condition operators", json);
        return None;
    };
    let mut conditions = Vec::with_capacity(pairs.len());
    let mut ok = true;
    for (name, block) in unique_fields(errors, path, pairs) {
        let block_path = child(path, name);
        let operator = match name.parse::<ConditionOperator>() {
            Ok(operator) => Some(operator),
            Err(unknown) => {
                errors.push(&block_path, unknown.to_string());
                None
            }
        };
        let entries = entries(errors, &block_path, block);
        match (operator, entries) {
            (Some(operator), Some(entries)) => conditions.push(Condition { operator, entries }),
            _ => ok = false,
        }
    }
    ok.then_some(conditions)
}

fn entries(errors: &mut Errors, path: &str, json: &Json) -> Option<Vec<ConditionEntry>> {
    let Json::Object(pairs) = json else {
        errors.wrong_type(path, "an object of condition keys", json);
        return None;
    };
    let mut entries = Vec::with_capacity(pairs.len());
    let mut ok = true;
    for (key, values) in unique_fields(errors, path, pairs) {
        let values_path = child(path, key);
        let values = match values {
            Json::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (index, json) in items.iter().enumerate() {
                    match scalar(errors, &item(&values_path, index), json) {
                        Some(value) => values.push(value),
                        None => ok = false,
                    }
                }
                Some(OneOrMany::Many(values))
            }
            json => scalar(errors, &values_path, json).map(OneOrMany::One),
        };
        match values {
            Some(values) => entries.push(ConditionEntry {
                key: key.to_owned(),
                values,
            }),
            None => ok = false,
        }
    }
    ok.then_some(entries)
}

/// One condition value: a string, a number (its JSON text) or a boolean.
fn scalar(errors: &mut Errors, path: &str, json: &Json) -> Option<ConditionValue> {
    let (text, json_type) = match json {
        Json::String(text) => (text.clone(), ValueType::String),
        Json::Number(number) => (number.to_string(), ValueType::Number),
        Json::Bool(value) => (value.to_string(), ValueType::Bool),
        other => {
            errors.wrong_type(path, "a string, number or boolean", other);
            return None;
        }
    };
    Some(ConditionValue { text, json_type })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn value(text: &str, json_type: ValueType) -> ConditionValue {
        ConditionValue {
            text: text.into(),
            json_type,
        }
    }

    #[test]
    fn parses_every_element_and_keeps_forms() {
        let policy = parse(
            r#"{
              "Version": "2012-10-17",
              "Id": "pol-1",
              "Statement": [
                {"Sid": "A1", "Effect": "Deny",
                 "NotPrincipal": {"Service": ["b.amazonaws.com"], "AWS": "123456789012"},
                 "NotAction": ["s3:Get*"], "NotResource": "arn:aws:s3:::b/*",
                 "Condition": {
                   "NumericLessThan": {"s3:max-keys": 10, "x:y": [1.5, "2"]},
                   "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": []},
                   "Bool": {"aws:SecureTransport": false}
                 }},
                {"Effect": "Allow", "Principal": "*", "Action": "*"}
              ]
            }"#,
        )
        .unwrap();
        assert_eq!(policy.version, Some(Version::V2012_10_17));
        assert_eq!(policy.id.as_deref(), Some("pol-1"));
        let OneOrMany::Many(statements) = &policy.statement else {
            panic!("statement form lost")
        };
        let first = &statements[0];
        assert_eq!(first.sid.as_deref(), Some("A1"));
        assert_eq!(first.effect, Effect::Deny);
        assert_eq!(
            first.principal,
            Some(PrincipalClause {
                negated: true,
                value: Principal::Map(vec![
                    (
                        PrincipalType::Service,
                        OneOrMany::Many(vec!["b.amazonaws.com".into()])
                    ),
                    (PrincipalType::Aws, OneOrMany::One("123456789012".into())),
                ]),
            })
        );
        assert_eq!(
            first.action,
            ActionClause {
                negated: true,
                patterns: OneOrMany::Many(vec!["s3:Get*".into()])
            }
        );
        assert_eq!(
            first.resource,
            Some(ResourceClause {
                negated: true,
                patterns: OneOrMany::One("arn:aws:s3:::b/*".into())
            })
        );
        let conditions = first.condition.as_ref().unwrap();
        assert_eq!(conditions.len(), 3);
        assert_eq!(conditions[0].operator.base, BaseOperator::NumericLessThan);
        assert_eq!(
            conditions[0].entries,
            vec![
                ConditionEntry {
                    key: "s3:max-keys".into(),
                    values: OneOrMany::One(value("10", ValueType::Number)),
                },
                ConditionEntry {
                    key: "x:y".into(),
                    values: OneOrMany::Many(vec![
                        value("1.5", ValueType::Number),
                        value("2", ValueType::String)
                    ]),
                },
            ]
        );
        assert_eq!(
            conditions[1].operator,
            ConditionOperator {
                qualifier: Some(SetQualifier::ForAnyValue),
                base: BaseOperator::StringLike,
                if_exists: true
            }
        );
        assert_eq!(conditions[1].entries[0].values, OneOrMany::Many(vec![]));
        assert_eq!(
            conditions[2].entries[0].values,
            OneOrMany::One(value("false", ValueType::Bool))
        );
        let second = &statements[1];
        assert_eq!(
            second.principal,
            Some(PrincipalClause {
                negated: false,
                value: Principal::Wildcard
            })
        );
        assert_eq!(second.action.patterns, OneOrMany::One("*".into()));
        assert_eq!(second.resource, None);
        assert_eq!(second.condition, None);
    }

    #[test]
    fn single_statement_object_and_empty_lists() {
        let policy =
            parse(r#"{"Statement": {"Effect": "Allow", "Action": [], "Resource": []}}"#).unwrap();
        assert_eq!(policy.version, None);
        let OneOrMany::One(statement) = &policy.statement else {
            panic!("statement form lost")
        };
        assert!(statement.action.patterns.is_empty());
        assert_eq!(
            statement.resource.as_ref().unwrap().patterns,
            OneOrMany::Many(vec![])
        );
        let empty = parse(r#"{"Statement": [], "Version": "2008-10-17"}"#).unwrap();
        assert_eq!(empty.statement, OneOrMany::Many(vec![]));
        assert_eq!(empty.version, Some(Version::V2008_10_17));
        let no_conditions =
            parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {}}}"#).unwrap();
        assert_eq!(no_conditions.statements()[0].condition, Some(vec![]));
    }

    #[rstest]
    #[case::not_json("{", "line 1 column 1", "invalid json")]
    #[case::trailing(r#"{"Statement": []} x"#, "line 1 column 19", "trailing characters")]
    #[case::empty_text("", "line 1 column 0", "invalid json")]
    #[case::nested_too_deep(&("[".repeat(10_000) + &"]".repeat(10_000)), "line 1 column 128", "recursion limit")]
    #[case::top_not_object(
        r#"[{"Effect": "Allow"}]"#,
        "",
        "expected the policy to be an object, found an array"
    )]
    #[case::missing_statement(
        r#"{"Version": "2012-10-17"}"#,
        "",
        "missing required element `Statement`"
    )]
    #[case::unknown_top_key(r#"{"Statement": [], "Foo": 1}"#, "Foo", "unknown element `Foo`")]
    #[case::miscased_top_key(r#"{"statement": []}"#, "statement", "case-sensitive: `Statement`")]
    #[case::duplicate_top_key(
        r#"{"Statement": [], "Statement": []}"#,
        "Statement",
        "duplicate key `Statement`"
    )]
    #[case::bad_version(
        r#"{"Version": "2012-10-18", "Statement": []}"#,
        "Version",
        "found `2012-10-18`"
    )]
    #[case::version_number(r#"{"Version": 2012, "Statement": []}"#, "Version", "found a number")]
    #[case::id_not_string(
        r#"{"Id": ["a"], "Statement": []}"#,
        "Id",
        "expected a string, found an array"
    )]
    #[case::statement_string(
        r#"{"Statement": "x"}"#,
        "Statement",
        "expected an object or an array of objects, found a string"
    )]
    #[case::statement_item_not_object(
        r#"{"Statement": [1]}"#,
        "Statement[0]",
        "expected a statement object, found a number"
    )]
    #[case::missing_effect(
        r#"{"Statement": [{"Action": "*"}]}"#,
        "Statement[0]",
        "missing required element `Effect`"
    )]
    #[case::bad_effect(
        r#"{"Statement": {"Effect": "allow", "Action": "*"}}"#,
        "Statement.Effect",
        "expected `Allow` or `Deny`, found `allow`"
    )]
    #[case::effect_bool(
        r#"{"Statement": {"Effect": true, "Action": "*"}}"#,
        "Statement.Effect",
        "found a boolean"
    )]
    #[case::missing_action(
        r#"{"Statement": [{"Effect": "Allow"}]}"#,
        "Statement[0]",
        "missing required element `Action` or `NotAction`"
    )]
    #[case::both_actions(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}]}"#,
        "Statement[0]",
        "`Action` and `NotAction` cannot both appear"
    )]
    #[case::both_resources(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}]}"#, "Statement[0]", "`Resource` and `NotResource`")]
    #[case::both_principals(r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Principal": "*", "NotPrincipal": "*"}]}"#, "Statement[0]", "`Principal` and `NotPrincipal`")]
    #[case::unknown_statement_key(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resources": "*"}]}"#,
        "Statement[0].Resources",
        "unknown element `Resources`"
    )]
    #[case::miscased_statement_key(r#"{"Statement": [{"Effect": "Allow", "action": "*"}, {"Effect": "Allow", "Action": "*"}]}"#, "Statement[0].action", "case-sensitive: `Action`")]
    #[case::duplicate_effect(
        r#"{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*"}]}"#,
        "Statement[0].Effect",
        "duplicate key `Effect`"
    )]
    #[case::sid_number(
        r#"{"Statement": [{"Sid": 1, "Effect": "Allow", "Action": "*"}]}"#,
        "Statement[0].Sid",
        "expected a string, found a number"
    )]
    #[case::action_object(
        r#"{"Statement": [{"Effect": "Allow", "Action": {}}]}"#,
        "Statement[0].Action",
        "expected a string or an array of strings, found an object"
    )]
    #[case::action_item_number(
        r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:*", 3]}]}"#,
        "Statement[0].Action[1]",
        "expected a string, found a number"
    )]
    #[case::resource_null(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": null}]}"#,
        "Statement[0].Resource",
        "found null"
    )]
    #[case::principal_bare_string(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "123456789012"}]}"#,
        "Statement[0].Principal",
        "expected `*` or an object of principal types, found `123456789012`"
    )]
    #[case::principal_unknown_type(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"Aws": "*"}}]}"#,
        "Statement[0].Principal.Aws",
        "unknown principal type `Aws`"
    )]
    #[case::principal_duplicate_type(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"AWS": "1", "AWS": "2"}}]}"#, "Statement[0].Principal.AWS", "duplicate key `AWS`")]
    #[case::principal_value_number(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"AWS": 123}}]}"#,
        "Statement[0].Principal.AWS",
        "found a number"
    )]
    #[case::principal_array(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": ["*"]}]}"#,
        "Statement[0].Principal",
        "found an array"
    )]
    #[case::condition_array(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": []}]}"#,
        "Statement[0].Condition",
        "expected an object of condition operators, found an array"
    )]
    #[case::unknown_operator(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEqual": {"a:b": "c"}}}]}"#, "Statement[0].Condition.StringEqual", "unknown condition operator `StringEqual`")]
    #[case::null_if_exists(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"NullIfExists": {"a:b": "true"}}}]}"#, "Statement[0].Condition.NullIfExists", "unknown condition operator `NullIfExists`")]
    #[case::operator_block_string(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": "a"}}]}"#,
        "Statement[0].Condition.StringLike",
        "expected an object of condition keys, found a string"
    )]
    #[case::null_condition_value(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": {"aws:SourceIp": null}}}]}"#, "Statement[0].Condition.StringLike.aws:SourceIp", "expected a string, number or boolean, found null")]
    #[case::object_condition_value(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": {"a:b": {}}}}]}"#, "Statement[0].Condition.StringLike.a:b", "found an object")]
    #[case::nested_condition_array(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": {"a:b": ["x", ["y"]]}}}]}"#, "Statement[0].Condition.StringLike.a:b[1]", "found an array")]
    #[case::duplicate_operator(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"Bool": {"a:b": true}, "Bool": {"a:c": true}}}]}"#, "Statement[0].Condition.Bool", "duplicate key `Bool`")]
    #[case::duplicate_condition_key(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"Bool": {"a:b": true, "a:b": false}}}]}"#, "Statement[0].Condition.Bool.a:b", "duplicate key `a:b`")]
    fn parse_errors(#[case] text: &str, #[case] path: &str, #[case] fragment: &str) {
        let errors = parse(text).unwrap_err().0;
        assert!(
            errors
                .iter()
                .any(|e| e.path == path && e.message.contains(fragment)),
            "wanted `{path}` with `{fragment}`, got {errors:?}"
        );
    }

    #[test]
    fn collects_every_error() {
        let errors = parse(
            r#"{"Version": "1", "Extra": 1, "Statement": [
                 {"Effect": "Maybe", "Action": 1},
                 {"Effect": "Allow", "Action": "*", "Condition": {"Nope": {"a": "b"}, "Bool": {"c": null}}},
                 {"Effect": "Allow"}
               ]}"#,
        )
        .unwrap_err()
        .0;
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "Version",
                "Extra",
                "Statement[0].Effect",
                "Statement[0].Action",
                "Statement[1].Condition.Nope",
                "Statement[1].Condition.Bool.c",
                "Statement[2]",
            ]
        );
    }

    #[test]
    fn numbers_and_booleans_keep_their_json_text() {
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NumericEquals":
                {"a:b": [0, -7, 18446744073709551615, 2.25, 1e3, true]}}}}"#,
        )
        .unwrap();
        let values = &policy.statements()[0].condition.as_ref().unwrap()[0].entries[0].values;
        let texts: Vec<(&str, ValueType)> = values
            .iter()
            .map(|v| (v.text.as_str(), v.json_type))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("0", ValueType::Number),
                ("-7", ValueType::Number),
                ("18446744073709551615", ValueType::Number),
                ("2.25", ValueType::Number),
                ("1000.0", ValueType::Number),
                ("true", ValueType::Bool),
            ]
        );
    }
}
