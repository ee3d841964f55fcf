//! Placeholder: the printer is being written.
use super::Policy;

/// The policy as a JSON value.
pub fn to_json(_policy: &Policy) -> serde_json::Value {
    serde_json::Value::Null
}

/// The policy as compact JSON text.
pub fn to_string(policy: &Policy) -> String {
    to_json(policy).to_string()
}

/// The policy as indented JSON text.
pub fn to_string_pretty(policy: &Policy) -> String {
    serde_json::to_string_pretty(&to_json(policy)).unwrap_or_default()
}
