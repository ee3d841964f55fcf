//! A request as written in a case file turned into the [`Request`] an engine decides: the one
//! rule of what a context value may be, checked without converting ([`TestRequest::context_problems`])
//! or applied while converting ([`TestRequest::to_request`]).

use crate::request::{Context, ContextEntry, Request};

use super::error::{ContextProblem, RequestError};
use super::TestRequest;

impl TestRequest {
    /// Turns the written request into a [`Request`], deriving the global keys. The error names
    /// the first context key whose value no condition key can have.
    pub fn to_request(&self) -> Result<Request, RequestError> {
        let mut context = Context::new();
        for (key, value) in &self.context {
            let entry = context_entry(value).map_err(|problem| RequestError {
                key: key.clone(),
                problem,
            })?;
            context.insert(key.clone(), entry);
        }
        let mut request = Request::new(
            self.principal.clone(),
            self.principal_account.clone(),
            self.action.clone(),
            self.resource.clone(),
            self.resource_account.clone(),
            context,
        );
        request.session_issuer = self.session_issuer.clone();
        Ok(request)
    }

    /// Every context key whose value no condition key can have, with what is wrong — the check
    /// [`TestRequest::to_request`] makes, without building the request.
    pub fn context_problems(&self) -> impl Iterator<Item = RequestError> + '_ {
        self.context.iter().filter_map(|(key, value)| {
            context_problem(value).map(|problem| RequestError {
                key: key.clone(),
                problem,
            })
        })
    }
}

/// True for the values a condition key holds one of: strings, numbers, booleans.
fn is_scalar(value: &serde_json::Value) -> bool {
    matches!(
        value,
        serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_)
    )
}

/// What is wrong with a written context value, if anything: the one rule of what a context
/// holds (`null`, a scalar, or a list of scalars).
fn context_problem(value: &serde_json::Value) -> Option<ContextProblem> {
    match value {
        serde_json::Value::Object(_) => Some(ContextProblem::Object),
        serde_json::Value::Array(items) if !items.iter().all(is_scalar) => {
            Some(ContextProblem::NestedInList)
        }
        _ => None,
    }
}

/// A scalar's text: strings as they are, numbers and booleans as JSON writes them; `None` for
/// anything else.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn context_entry(value: &serde_json::Value) -> Result<ContextEntry, ContextProblem> {
    if let Some(problem) = context_problem(value) {
        return Err(problem);
    }
    Ok(match value {
        // Every item is a scalar (checked above), so none is left out.
        serde_json::Value::Array(items) => {
            ContextEntry::Multi(items.iter().filter_map(scalar_text).collect())
        }
        // A scalar, or `null` (objects were refused above): a key that stays missing.
        single => scalar_text(single).map_or(ContextEntry::Null, ContextEntry::Single),
    })
}
