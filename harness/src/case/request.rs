//! A request as written in a case file turned into the [`Request`] an engine decides, validated
//! like a policy: every problem is found by [`TestRequest::problems`] without converting, and
//! [`TestRequest::to_request`] refuses a request that has one.
//!
//! - The principal is an ARN of a kind the harness knows (`:root`, `:user/`, `:role/`,
//!   `:assumed-role/`, `:federated-user/`), a service principal (`*.amazonaws.com`) or `*`.
//! - The action names its service: `service:Name`, neither part empty (IAM's own rule for policies,
//!   "Actions/Conditions must be prefaced by a vendor").
//! - The resource is `*` or an ARN.
//! - A context value is `null`, a scalar or a list of scalars; a global key whose type the
//!   catalogue documents as numeric, date, boolean or IP address holds values of that type.

use crate::arn::Arn;
use crate::catalogue::{catalogue, KeyType};
use crate::policy::values;
use crate::request::{Context, ContextEntry, PrincipalKind, Request};

use super::error::{ContextProblem, RequestError, RequestProblem};
use super::TestRequest;

impl TestRequest {
    /// Turns the written request into a [`Request`], deriving the global keys. The error is the
    /// first of [`TestRequest::problems`].
    pub fn to_request(&self) -> Result<Request, RequestError> {
        if let Some(problem) = self.problems().next() {
            return Err(problem);
        }
        let mut context = Context::new();
        for (key, value) in &self.context {
            context.insert(key.clone(), context_entry(value));
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

    /// Every problem of the written request, each with the field it is in, in the order of the
    /// fields — the check [`TestRequest::to_request`] makes, without building the request.
    pub fn problems(&self) -> impl Iterator<Item = RequestError> + '_ {
        let field = |field: &str, problem| RequestError {
            field: field.to_owned(),
            problem,
        };
        let principal = (!is_known_principal(&self.principal)).then(|| {
            field(
                "principal",
                RequestProblem::Principal(self.principal.clone()),
            )
        });
        let action = (!is_service_action(&self.action))
            .then(|| field("action", RequestProblem::Action(self.action.clone())));
        let resource = (self.resource != "*" && Arn::parse(&self.resource).is_err())
            .then(|| field("resource", RequestProblem::Resource(self.resource.clone())));
        let context = self.context.iter().filter_map(move |(key, value)| {
            context_problem(key, value).map(|problem| RequestError {
                field: format!("context.{key}"),
                problem,
            })
        });
        principal
            .into_iter()
            .chain(action)
            .chain(resource)
            .chain(context)
    }
}

/// The web identity providers a `Federated` principal names besides IAM's SAML and OIDC
/// providers (the Principal element page, "Web identity session principals").
const WEB_IDENTITY_PROVIDERS: &[&str] = &[
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// True for a principal of a kind the harness knows ([`PrincipalKind`]), or a federated identity
/// provider (an IAM `saml-provider/` or `oidc-provider/` ARN, a web identity provider) that a
/// `Federated` principal names.
fn is_known_principal(principal: &str) -> bool {
    if PrincipalKind::of(principal) != PrincipalKind::Other {
        return true;
    }
    let provider = Arn::parse(principal).is_ok_and(|arn| {
        arn.service == "iam"
            && (arn.resource.starts_with("saml-provider/")
                || arn.resource.starts_with("oidc-provider/"))
    });
    provider || WEB_IDENTITY_PROVIDERS.contains(&principal)
}

/// True for `service:Name` with both parts non-empty.
fn is_service_action(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty())
}

/// True for the values a condition key holds one of: strings, numbers, booleans.
fn is_scalar(value: &serde_json::Value) -> bool {
    matches!(
        value,
        serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_)
    )
}

/// What is wrong with the written value of context key `key`, if anything: the one rule of what
/// a context holds (`null`, a scalar, or a list of scalars), then the documented type of a
/// global key.
fn context_problem(key: &str, value: &serde_json::Value) -> Option<RequestProblem> {
    match value {
        serde_json::Value::Object(_) => {
            return Some(RequestProblem::Context(ContextProblem::Object));
        }
        serde_json::Value::Array(items) if !items.iter().all(is_scalar) => {
            return Some(RequestProblem::Context(ContextProblem::NestedInList));
        }
        _ => {}
    }
    let key_type = global_key_type(key)?;
    let texts: Vec<String> = match value {
        serde_json::Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        single => scalar_text(single).into_iter().collect(),
    };
    let wrong = texts.into_iter().find(|text| !holds_type(key_type, text))?;
    Some(RequestProblem::ContextType {
        value: wrong,
        expected: type_name(key_type),
    })
}

/// The documented type of a global condition key (`aws:…`), when the catalogue knows it.
fn global_key_type(key: &str) -> Option<KeyType> {
    let global = key
        .split_once(':')
        .is_some_and(|(prefix, _)| prefix.eq_ignore_ascii_case("aws"));
    global.then(|| catalogue().key_type(key)).flatten()
}

/// True when `text` is a value of `key_type`; strings (and binary data) hold any text.
fn holds_type(key_type: KeyType, text: &str) -> bool {
    match key_type {
        KeyType::Num => values::parse_number(text).is_some(),
        KeyType::Date => values::parse_date(text).is_some(),
        KeyType::Bool => values::parse_bool(text).is_some(),
        KeyType::Ip => values::parse_ip_network(text).is_some(),
        // ARN values are not checked: how a value with fewer than six fields compares is an
        // ambiguity of its own (semantics §7.9), which cases must be able to ask.
        KeyType::Arn | KeyType::ArnList | KeyType::Str | KeyType::StrList | KeyType::Binary => true,
    }
}

/// The type as a message names it.
fn type_name(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::Num => "a number",
        KeyType::Date => "a date (W3C or epoch seconds)",
        KeyType::Bool => "`true` or `false`",
        KeyType::Ip => "an IP address or CIDR block",
        KeyType::Arn | KeyType::ArnList | KeyType::Str | KeyType::StrList | KeyType::Binary => {
            "a string"
        }
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

/// The entry of a value [`context_problem`] accepted.
fn context_entry(value: &serde_json::Value) -> ContextEntry {
    match value {
        // Every item is a scalar (checked), so none is left out.
        serde_json::Value::Array(items) => {
            ContextEntry::Multi(items.iter().filter_map(scalar_text).collect())
        }
        // A scalar, or `null`: a key that stays missing.
        single => scalar_text(single).map_or(ContextEntry::Null, ContextEntry::Single),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn request(principal: &str, action: &str, resource: &str) -> TestRequest {
        TestRequest {
            principal: principal.into(),
            principal_account: None,
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context: serde_json::Map::new(),
            session_issuer: None,
        }
    }

    #[rstest]
    #[case("notanarn", "s3:GetObject", "*", &["principal"])]
    #[case("arn:aws:iam::111122223333:group/g", "s3:GetObject", "*", &["principal"])]
    #[case("arn:aws:iam::111122223333:user/a", "s3Get", "*", &["action"])]
    #[case("arn:aws:iam::111122223333:user/a", "s3:", "*", &["action"])]
    #[case("arn:aws:iam::111122223333:user/a", "s3:GetObject", "bucket/key", &["resource"])]
    #[case("notanarn", "GetObject", "b", &["principal", "action", "resource"])]
    #[case("arn:aws:iam::111122223333:user/a", "s3:GetObject", "arn:aws:s3:::b/k", &[])]
    #[case("ec2.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::111122223333:role/r", &[])]
    #[case("*", "s3:GetObject", "*", &[])]
    #[case("arn:aws:iam::111122223333:saml-provider/Idp", "sts:AssumeRoleWithSAML", "*", &[])]
    #[case("accounts.google.com", "sts:AssumeRoleWithWebIdentity", "*", &[])]
    fn every_bad_field_is_named(
        #[case] principal: &str,
        #[case] action: &str,
        #[case] resource: &str,
        #[case] fields: &[&str],
    ) {
        let written = request(principal, action, resource);
        let found: Vec<String> = written.problems().map(|p| p.field).collect();
        assert_eq!(found, fields);
        assert_eq!(written.to_request().is_ok(), fields.is_empty());
    }

    #[rstest]
    #[case("aws:MultiFactorAuthAge", serde_json::json!("ten"), false)]
    #[case("aws:MultiFactorAuthAge", serde_json::json!(10), true)]
    #[case("aws:SecureTransport", serde_json::json!("yes"), false)]
    #[case("aws:SecureTransport", serde_json::json!(true), true)]
    #[case("aws:SourceIp", serde_json::json!("10.0.0.1"), true)]
    #[case("aws:SourceIp", serde_json::json!("ten.0.0.1"), false)]
    #[case("aws:CurrentTime", serde_json::json!("2024-01-31T12:00:00Z"), true)]
    #[case("aws:CurrentTime", serde_json::json!("noon"), false)]
    #[case("aws:username", serde_json::json!(42), true)]
    #[case("s3:prefix", serde_json::json!("anything"), true)]
    fn global_keys_hold_their_documented_type(
        #[case] key: &str,
        #[case] value: serde_json::Value,
        #[case] ok: bool,
    ) {
        let mut written = request("arn:aws:iam::111122223333:user/a", "s3:GetObject", "*");
        written.context.insert(key.into(), value);
        let problems: Vec<RequestError> = written.problems().collect();
        assert_eq!(problems.is_empty(), ok, "{problems:?}");
        if let Some(problem) = problems.first() {
            assert_eq!(problem.path(), format!("request.context.{key}"));
        }
    }
}
