//! Step one of parsing: JSON text to a raw tree that keeps key order and duplicate keys.
//!
//! `serde_json::Value` cannot be used here: it silently keeps only the last of two equal keys,
//! and IAM forbids duplicates (semantics §2.1), so the tree is an object as a list of pairs.
//! serde_json does the lexing: syntax errors carry a line and column, and its recursion limit
//! (128 levels) turns very deep nesting into an error instead of a stack overflow.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::PolicyError;

/// A JSON value as written: objects keep their pairs in order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it (integers exactly, other numbers as `f64`).
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: its key/value pairs in written order, duplicates kept.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What kind of JSON value this is, for messages (`expected a string, found an array`).
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Reads `text` into the raw tree; a syntax error (including nesting deeper than serde_json's
/// recursion limit) is reported at path `line L column C`.
pub(super) fn from_str(text: &str) -> Result<Json, PolicyError> {
    serde_json::from_str(text).map_err(|error| {
        let full = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        PolicyError {
            path: format!("line {} column {}", error.line(), error.column()),
            message: format!("invalid json: {message}"),
        }
    })
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// Builds a [`Json`] from whatever serde_json reads.
struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom(format!("number `{v}` is not finite")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            pairs.push((key, value));
        }
        Ok(Json::Object(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_duplicates() {
        let tree = from_str(r#"{"b": 1, "a": [true, null, "x"], "b": -2.5}"#).unwrap();
        assert_eq!(
            tree,
            Json::Object(vec![
                ("b".into(), Json::Number(1u64.into())),
                (
                    "a".into(),
                    Json::Array(vec![Json::Bool(true), Json::Null, Json::String("x".into())])
                ),
                (
                    "b".into(),
                    Json::Number(serde_json::Number::from_f64(-2.5).unwrap())
                ),
            ])
        );
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = from_str("{\n  \"a\": [1,\n}").unwrap_err();
        assert_eq!(err.path, "line 3 column 1");
        assert!(err.message.starts_with("invalid json: "), "{}", err.message);
        assert!(!err.message.contains("at line"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let arrays = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = from_str(&arrays).unwrap_err();
        assert!(err.message.contains("recursion limit"), "{}", err.message);
        let objects = r#"{"a":"#.repeat(10_000) + "1" + &"}".repeat(10_000);
        let err = from_str(&objects).unwrap_err();
        assert!(err.message.contains("recursion limit"), "{}", err.message);
    }
}
