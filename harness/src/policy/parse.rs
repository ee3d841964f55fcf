//! Placeholder: the strict parser is being written.
use super::{Policy, PolicyError, PolicyErrors};

/// Parses policy text into the model (structure only; see [`super::validate`] for kind rules).
pub fn parse(_text: &str) -> Result<Policy, PolicyErrors> {
    Err(PolicyErrors(vec![PolicyError {
        path: String::new(),
        message: "parser not written yet".into(),
    }]))
}
