//! Validation by policy kind (semantics §6, §2.5–§2.8, §1.5): the rules that [`super::parse`]
//! cannot check because they depend on where the policy is used.
//!
//! Every problem is collected, each with its JSON path (`Statement[1].Principal.AWS[0]`, or
//! `Statement.Sid` when `Statement` is a single object).
//!
//! Rules by kind:
//! - **Identity, Boundary**: no `Principal`/`NotPrincipal`; `Resource` or `NotResource` in every
//!   statement. `Id` is accepted: the grammar says it must not be used in identity policies, but
//!   nothing says IAM rejects it (semantics §7.17).
//! - **Session**: as identity, and no incomplete ARN (an `arn:` pattern with fewer than six
//!   fields) in `Resource`/`NotResource` (semantics §1.5).
//! - **Resource**: `Principal` or `NotPrincipal` required; `Resource` optional, as it depends on
//!   the service (semantics §2.8).
//! - **Trust**: `Principal` required, `NotPrincipal` not allowed; `Resource` optional.
//! - **Scp**: `Version` required and `2012-10-17`; no `Principal`/`NotPrincipal`; `Resource` or
//!   `NotResource` required.
//! - **Rcp**: `Version` required and `2012-10-17`; `"Principal": "*"` required (the map form
//!   `{"AWS": "*"}` is not accepted); no `NotPrincipal`, no `NotAction`; `Action` must not contain
//!   a bare `"*"`; only `Deny` statements, except the shape of the AWS-managed
//!   `RCPFullAWSAccess` (`Allow`, `Principal` `*`, `Action` `*`, `Resource` `*`, no `Condition`),
//!   which must validate because it is attached everywhere; `Resource` or `NotResource` required.
//! - **Every kind**: `NotPrincipal` only with `Deny`; no partial wildcard in a principal value
//!   (a value containing `*` other than exactly `"*"`, for every principal type, semantics §2.6);
//!   no `"Service": "*"`; no wildcard in the `arn` prefix or the service field of a
//!   `Resource`/`NotResource` ARN; condition values of the right shape for their operator (see
//!   [`check_condition_value`]).
//! - **Every kind but Resource**: a `Sid` has only `A-Z a-z 0-9` and is unique in the policy
//!   (other services' resource policies allow more, semantics §2.4).
//!
//! Wildcards in the **partition** field (`arn:*:s3:::bucket`) are accepted although semantics
//! §3.2 lists them as not allowed: 145 resource patterns of AWS's own managed policies use
//! `arn:*:` (see `tests/policy_data.rs`), so IAM does accept them (semantics §7.7 leaves open
//! whether forbidden positions are errors or never match).
//!
//! Size limits by kind and origin are [`super::size`]'s.
//!
//! Character set: any UTF-8 text is accepted (semantics §7.18: QUOTA restricts policies to the
//! Latin-1 range, TYPES says UTF-8).

use std::collections::HashMap;

use super::model::*;
use super::size::{check_size, Origin};
use super::{PolicyError, PolicyErrors, PolicyKind};

/// Checks the rules of semantics §6 for a policy of `kind`, collecting every problem.
///
/// `text` is the policy's original text, used only for the size limit; pass the text `policy`
/// was parsed from.
///
/// ```
/// use iam_harness::policy::{parse, validate, PolicyKind};
/// let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
///     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}}"#;
/// let policy = parse(text)?;
/// assert!(validate(&policy, PolicyKind::Trust, text).is_ok());
/// let errors = validate(&policy, PolicyKind::Identity, text).unwrap_err();
/// assert_eq!(errors.0[0].path, "Statement.Principal");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(policy: &Policy, kind: PolicyKind, text: &str) -> Result<(), PolicyErrors> {
    validate_from(policy, kind, Origin::Customer, text)
}

/// [`validate`] for a policy written by `origin`: an AWS managed policy is held to no customer
/// size quota ([`super::size`]), every other rule is the same.
pub fn validate_from(
    policy: &Policy,
    kind: PolicyKind,
    origin: Origin,
    text: &str,
) -> Result<(), PolicyErrors> {
    let mut errors = Errors {
        kind,
        list: Vec::new(),
    };
    errors.version(policy);
    let mut sids: HashMap<&str, String> = HashMap::new();
    for (path, statement) in statement_paths(policy) {
        errors.statement(&path, statement);
        if kind != PolicyKind::Resource {
            if let Some(sid) = &statement.sid {
                let sid_path = format!("{path}.Sid");
                if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    errors.push(
                        &sid_path,
                        format!("sid `{sid}` may only contain `A-Z`, `a-z` and `0-9`"),
                    );
                }
                match sids.get(sid.as_str()) {
                    Some(first) => errors.push(
                        &sid_path,
                        format!("duplicate sid `{sid}` (first used at `{first}`)"),
                    ),
                    None => {
                        sids.insert(sid, path.clone());
                    }
                }
            }
        }
    }
    errors.list.extend(check_size(kind, origin, text));
    if errors.list.is_empty() {
        Ok(())
    } else {
        Err(PolicyErrors(errors.list))
    }
}

/// Each statement with its path: `Statement` for a single object, `Statement[i]` in an array.
fn statement_paths(policy: &Policy) -> Vec<(String, &Statement)> {
    match &policy.statement {
        OneOrMany::One(statement) => vec![("Statement".to_owned(), statement)],
        OneOrMany::Many(statements) => statements
            .iter()
            .enumerate()
            .map(|(index, statement)| (format!("Statement[{index}]"), statement))
            .collect(),
    }
}

/// Each value with its path: `base` for a single value, `base[i]` in an array.
fn value_paths<'a, T>(base: &str, values: &'a OneOrMany<T>) -> Vec<(String, &'a T)> {
    match values {
        OneOrMany::One(value) => vec![(base.to_owned(), value)],
        OneOrMany::Many(values) => values
            .iter()
            .enumerate()
            .map(|(index, value)| (format!("{base}[{index}]"), value))
            .collect(),
    }
}

/// The problems found so far, and the kind being checked.
struct Errors {
    kind: PolicyKind,
    list: Vec<PolicyError>,
}

impl Errors {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.list.push(PolicyError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    fn version(&mut self, policy: &Policy) {
        if !matches!(self.kind, PolicyKind::Scp | PolicyKind::Rcp) {
            return;
        }
        match policy.version {
            Some(Version::V2012_10_17) => {}
            Some(other) => self.push(
                "Version",
                format!(
                    "{} policies need `\"Version\": \"2012-10-17\"`, found `{}`",
                    self.kind(),
                    other.as_str()
                ),
            ),
            None => self.push(
                "",
                format!(
                    "missing required element `Version` ({} policies need `2012-10-17`)",
                    self.kind()
                ),
            ),
        }
    }

    fn statement(&mut self, path: &str, statement: &Statement) {
        self.principal(path, statement);
        self.resource(path, statement);
        if self.kind == PolicyKind::Rcp {
            self.rcp(path, statement);
        }
        if let Some(conditions) = &statement.condition {
            for condition in conditions {
                let operator = condition.operator.to_string();
                for entry in &condition.entries {
                    let base = format!("{path}.Condition.{operator}.{}", entry.key);
                    for (value_path, value) in value_paths(&base, &entry.values) {
                        if let Err(reason) =
                            check_condition_value(condition.operator.base, &value.text)
                        {
                            self.push(
                                &value_path,
                                format!(
                                    "invalid value `{}` for `{operator}`: {reason}",
                                    value.text
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn principal(&mut self, path: &str, statement: &Statement) {
        let element = match &statement.principal {
            Some(clause) if clause.negated => "NotPrincipal",
            _ => "Principal",
        };
        let element_path = format!("{path}.{element}");
        match (self.kind, &statement.principal) {
            (
                PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session | PolicyKind::Scp,
                Some(_),
            ) => self.push(
                &element_path,
                format!("`{element}` is not allowed in {} policies", self.kind()),
            ),
            (PolicyKind::Resource, None) => self.push(
                path,
                "missing required element `Principal` or `NotPrincipal` (required in resource \
                 policies)",
            ),
            (PolicyKind::Trust | PolicyKind::Rcp, None) => self.push(
                path,
                format!(
                    "missing required element `Principal` (required in {} policies)",
                    self.kind()
                ),
            ),
            (PolicyKind::Trust | PolicyKind::Rcp, Some(clause)) if clause.negated => self.push(
                &element_path,
                format!("`NotPrincipal` is not allowed in {} policies", self.kind()),
            ),
            (PolicyKind::Rcp, Some(clause)) if clause.value != Principal::Wildcard => {
                self.push(&element_path, "rcp policies need `\"Principal\": \"*\"`")
            }
            _ => {}
        }
        let Some(clause) = &statement.principal else {
            return;
        };
        if clause.negated && statement.effect != Effect::Deny {
            self.push(
                &element_path,
                "`NotPrincipal` is only allowed with `\"Effect\": \"Deny\"`",
            );
        }
        let Principal::Map(map) = &clause.value else {
            return;
        };
        for (principal_type, values) in map {
            let base = format!("{element_path}.{}", principal_type.as_str());
            for (value_path, value) in value_paths(&base, values) {
                if *principal_type == PrincipalType::Service && value == "*" {
                    self.push(&value_path, "`\"Service\": \"*\"` is not allowed");
                } else if value != "*" && value.contains('*') {
                    self.push(
                        &value_path,
                        format!(
                            "partial wildcard in principal `{value}` (`*` may only stand alone)"
                        ),
                    );
                }
            }
        }
    }

    fn resource(&mut self, path: &str, statement: &Statement) {
        let needs_resource = matches!(
            self.kind,
            PolicyKind::Identity
                | PolicyKind::Boundary
                | PolicyKind::Session
                | PolicyKind::Scp
                | PolicyKind::Rcp
        );
        let Some(clause) = &statement.resource else {
            if needs_resource {
                self.push(
                    path,
                    format!(
                        "missing required element `Resource` or `NotResource` (required in {} \
                         policies)",
                        self.kind()
                    ),
                );
            }
            return;
        };
        let element = if clause.negated {
            "NotResource"
        } else {
            "Resource"
        };
        let base = format!("{path}.{element}");
        for (pattern_path, pattern) in value_paths(&base, &clause.patterns) {
            if let Some(field) = forbidden_wildcard_field(pattern) {
                self.push(
                    &pattern_path,
                    format!("wildcard in the {field} of arn `{pattern}`"),
                );
            }
            if self.kind == PolicyKind::Session && pattern.starts_with("arn:") {
                let fields = arn_fields(pattern).len();
                if fields < 6 {
                    self.push(
                        &pattern_path,
                        format!(
                            "incomplete arn `{pattern}` ({fields} of 6 fields; session policies \
                             need complete arns)"
                        ),
                    );
                }
            }
        }
    }

    /// The RCP-only statement rules (semantics §2.5, §2.7, §1.7).
    fn rcp(&mut self, path: &str, statement: &Statement) {
        let only_star = |patterns: &OneOrMany<String>| {
            !patterns.is_empty() && patterns.iter().all(|pattern| pattern == "*")
        };
        let full_access = statement.effect == Effect::Allow
            && matches!(
                &statement.principal,
                Some(PrincipalClause {
                    negated: false,
                    value: Principal::Wildcard
                })
            )
            && !statement.action.negated
            && only_star(&statement.action.patterns)
            && statement
                .resource
                .as_ref()
                .is_some_and(|clause| !clause.negated && only_star(&clause.patterns))
            && statement.condition.is_none();
        if full_access {
            return;
        }
        if statement.effect == Effect::Allow {
            self.push(
                &format!("{path}.Effect"),
                "customer rcp statements may only use `\"Effect\": \"Deny\"` (only the \
                 `RCPFullAWSAccess` shape may allow)",
            );
        }
        let action = &statement.action;
        if action.negated {
            self.push(
                &format!("{path}.NotAction"),
                "`NotAction` is not allowed in rcp policies",
            );
        } else {
            for (pattern_path, pattern) in value_paths(&format!("{path}.Action"), &action.patterns)
            {
                if pattern == "*" {
                    self.push(
                        &pattern_path,
                        "rcp actions need a service prefix (bare `*` is not allowed)",
                    );
                }
            }
        }
    }
}

/// Splits an ARN pattern at its colons; a `${…}` policy variable is kept whole even when it
/// contains a colon (`${aws:username}`).
// `start` and `index` come from `char_indices`: char boundaries within the text.
fn arn_fields(pattern: &str) -> Vec<&str> {
    let mut fields = Vec::with_capacity(6);
    let mut start = 0;
    let mut in_variable = false;
    let mut previous = '\0';
    for (index, c) in pattern.char_indices() {
        match c {
            '{' if previous == '$' => in_variable = true,
            '}' if in_variable => in_variable = false,
            ':' if !in_variable => {
                fields.push(&pattern[start..index]);
                start = index + 1;
            }
            _ => {}
        }
        previous = c;
    }
    fields.push(&pattern[start..]);
    fields
}

/// The field of an ARN pattern that holds a wildcard where none is allowed: the `arn` prefix
/// or the service (semantics §3.2). A pattern without a colon (such as `*`) is not an ARN and
/// has none. The partition is not checked: AWS's own managed policies use `arn:*:`.
fn forbidden_wildcard_field(pattern: &str) -> Option<&'static str> {
    if !pattern.contains(':') {
        return None;
    }
    let fields = arn_fields(pattern);
    let has_wildcard = |index: usize| {
        fields
            .get(index)
            .is_some_and(|field| field.contains(['*', '?']))
    };
    if has_wildcard(0) {
        Some("`arn` prefix")
    } else if has_wildcard(2) {
        Some("service")
    } else {
        None
    }
}

/// Checks that a condition value is written as its operator needs (semantics §4.4), with the
/// same readers the evaluator uses ([`crate::policy::values::check_policy_value`]). Policy variables are
/// not expanded in the typed operators, so `${…}` fails those checks.
///
/// `Bool` is the exception: the operator page lists policy variables for it while the variables
/// page does not (semantics §7.1), so a `Bool` value holding `${…}` is accepted — and compared as
/// literal text, since this harness does not substitute variables in `Bool`.
fn check_condition_value(base: BaseOperator, text: &str) -> Result<(), String> {
    if base == BaseOperator::Bool && text.contains("${") {
        return Ok(());
    }
    crate::policy::values::check_policy_value(base, text)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use rstest::rstest;

    /// Validates `text` as `kind`, the text having to parse.
    fn check(text: &str, kind: PolicyKind) -> Result<(), Vec<PolicyError>> {
        let policy = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        validate(&policy, kind, text).map_err(|e| e.0)
    }

    use PolicyKind::*;

    const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    const BUCKET: &str = r#"{"Version":"2012-10-17","Id":"p","Statement":[{"Sid":"Read only, please","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    const SCP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#;
    const RCP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:*","sts:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#;
    const RCP_FULL_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

    #[rstest]
    #[case::identity(IDENTITY, Identity)]
    #[case::identity_as_boundary(IDENTITY, Boundary)]
    #[case::identity_as_session(IDENTITY, Session)]
    #[case::identity_as_scp(IDENTITY, Scp)]
    #[case::identity_with_id(
        r#"{"Id":"x","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        Identity
    )]
    #[case::incomplete_arn_in_identity(
        r#"{"Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs"}}"#,
        Identity
    )]
    #[case::partition_wildcard(
        r#"{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:*:ec2:*:*:vpc/*"}}"#,
        Identity
    )]
    #[case::variable_with_colon_in_session(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}"#, Session)]
    #[case::trust(TRUST, Trust)]
    #[case::trust_as_resource(TRUST, Resource)]
    #[case::bucket(BUCKET, Resource)]
    #[case::not_principal_deny_in_resource(r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}"#, Resource)]
    #[case::aws_star(
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*"}}"#,
        Resource
    )]
    #[case::scp(SCP, Scp)]
    #[case::scp_full_access(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        Scp
    )]
    #[case::rcp(RCP, Rcp)]
    #[case::rcp_full_access(RCP_FULL_ACCESS, Rcp)]
    #[case::rcp_full_access_arrays(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":["*"],"Resource":["*"]}}"#, Rcp)]
    #[case::typed_values(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
        "NumericLessThan":{"a:n":["10","-2.5",3,"+7"]},
        "DateGreaterThan":{"a:d":["2024","2024-02","2024-02-29","2024-02-29T10:00Z","2024-02-29T10:00:59+01:00","2024-02-29T10:00:59.123-05:30","1700000000",1700000000]},
        "Bool":{"a:b":["true","FALSE",true]},
        "Null":{"a:x":"True"},
        "IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.1","2001:db8::/32","::1"]},
        "BinaryEquals":{"a:y":["QmluYXJ5","QmluYXI=","QmluYXI"]},
        "ArnLike":{"a:z":"not an arn"}}}}"#, Identity)]
    #[case::empty_sid_lists(r#"{"Statement":[]}"#, Identity)]
    fn valid(#[case] text: &str, #[case] kind: PolicyKind) {
        assert_eq!(check(text, kind), Ok(()));
    }

    #[rstest]
    // Principal rules
    #[case::principal_in_identity(
        TRUST,
        Identity,
        "Statement[0].Principal",
        "`Principal` is not allowed in identity policies"
    )]
    #[case::principal_in_boundary(
        TRUST,
        Boundary,
        "Statement[0].Principal",
        "not allowed in boundary"
    )]
    #[case::principal_in_session(
        TRUST,
        Session,
        "Statement[0].Principal",
        "not allowed in session"
    )]
    #[case::principal_in_scp(TRUST, Scp, "Statement[0].Principal", "not allowed in scp")]
    #[case::not_principal_in_identity(
        r#"{"Statement":{"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"}}"#,
        Identity,
        "Statement.NotPrincipal",
        "`NotPrincipal` is not allowed in identity"
    )]
    #[case::resource_needs_principal(
        IDENTITY,
        Resource,
        "Statement[0]",
        "missing required element `Principal` or `NotPrincipal`"
    )]
    #[case::trust_needs_principal(
        IDENTITY,
        Trust,
        "Statement[0]",
        "missing required element `Principal`"
    )]
    #[case::trust_not_principal(
        r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"sts:AssumeRole"}}"#,
        Trust,
        "Statement.NotPrincipal",
        "not allowed in trust"
    )]
    #[case::not_principal_allow(
        r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"s3:*"}}"#,
        Resource,
        "Statement.NotPrincipal",
        "only allowed with `\"Effect\": \"Deny\"`"
    )]
    #[case::partial_wildcard_aws(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["1","arn:aws:iam::1:role/*"]},"Action":"s3:*"}}"#, Resource, "Statement.Principal.AWS[1]", "partial wildcard in principal `arn:aws:iam::1:role/*`")]
    #[case::partial_wildcard_service(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"}}"#, Trust, "Statement.Principal.Service", "partial wildcard")]
    #[case::service_star(
        r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"*"},"Action":"sts:AssumeRole"}}"#,
        Trust,
        "Statement.Principal.Service",
        "`\"Service\": \"*\"` is not allowed"
    )]
    // Resource rules
    #[case::identity_needs_resource(
        TRUST,
        Identity,
        "Statement[0]",
        "missing required element `Resource` or `NotResource` (required in identity"
    )]
    #[case::boundary_needs_resource(
        r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
        Boundary,
        "Statement",
        "required in boundary"
    )]
    #[case::session_needs_resource(
        r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
        Session,
        "Statement",
        "required in session"
    )]
    #[case::scp_needs_resource(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}"#,
        Scp,
        "Statement",
        "required in scp"
    )]
    #[case::rcp_needs_resource(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*"}}"#,
        Rcp,
        "Statement",
        "required in rcp"
    )]
    #[case::service_wildcard(
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":["*","arn:aws:s3*:::b"]}}"#,
        Identity,
        "Statement.Resource[1]",
        "wildcard in the service of arn `arn:aws:s3*:::b`"
    )]
    #[case::service_question_mark(
        r#"{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:?3:::b"}}"#,
        Identity,
        "Statement.NotResource",
        "wildcard in the service"
    )]
    #[case::prefix_wildcard(
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"a*:aws:s3:::b"}}"#,
        Identity,
        "Statement.Resource",
        "wildcard in the `arn` prefix"
    )]
    #[case::prefix_wildcard_in_resource_policy(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*:aws:s3:::b"}}"#, Resource, "Statement.Resource", "`arn` prefix")]
    #[case::session_incomplete_arn(
        r#"{"Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs"}}"#,
        Session,
        "Statement.Resource",
        "incomplete arn `arn:aws:sqs` (3 of 6 fields"
    )]
    // Sid rules
    #[case::sid_charset(
        r#"{"Statement":{"Sid":"a b","Effect":"Allow","Action":"*","Resource":"*"}}"#,
        Identity,
        "Statement.Sid",
        "sid `a b` may only contain"
    )]
    #[case::sid_charset_trust(
        r#"{"Statement":{"Sid":"a-b","Effect":"Allow","Principal":"*","Action":"*"}}"#,
        Trust,
        "Statement.Sid",
        "may only contain"
    )]
    #[case::sid_duplicate(r#"{"Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"S","Effect":"Deny","Action":"*","Resource":"*"}]}"#, Scp, "Statement[1].Sid", "duplicate sid `S` (first used at `Statement[0]`)")]
    // SCP / RCP document rules
    #[case::scp_needs_version(
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        Scp,
        "",
        "missing required element `Version` (scp"
    )]
    #[case::scp_old_version(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        Scp,
        "Version",
        "found `2008-10-17`"
    )]
    #[case::rcp_needs_version(
        r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
        Rcp,
        "",
        "missing required element `Version` (rcp"
    )]
    #[case::rcp_needs_principal(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}"#,
        Rcp,
        "Statement",
        "missing required element `Principal`"
    )]
    #[case::rcp_principal_map(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}"#, Rcp, "Statement.Principal", "rcp policies need `\"Principal\": \"*\"`")]
    #[case::rcp_not_principal(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*","Resource":"*"}}"#, Rcp, "Statement.NotPrincipal", "not allowed in rcp")]
    #[case::rcp_not_action(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}}"#, Rcp, "Statement.NotAction", "`NotAction` is not allowed in rcp")]
    #[case::rcp_bare_star(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":["s3:*","*"],"Resource":"*"}}"#, Rcp, "Statement.Action[1]", "bare `*` is not allowed")]
    #[case::rcp_allow(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#, Rcp, "Statement.Effect", "may only use `\"Effect\": \"Deny\"`")]
    #[case::rcp_full_access_with_condition(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{}}}"#, Rcp, "Statement.Effect", "may only use")]
    #[case::rcp_deny_star(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#, Rcp, "Statement.Action", "bare `*`")]
    // Condition values
    #[case::numeric_word(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a:n":"ten"}}}}"#, Identity, "Statement.Condition.NumericLessThan.a:n", "invalid value `ten` for `NumericLessThan`: expected a decimal number")]
    #[case::numeric_exponent(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEqualsIfExists":{"a:n":["1","1e3"]}}}}"#, Identity, "Statement.Condition.NumericEqualsIfExists.a:n[1]", "decimal number")]
    #[case::numeric_variable(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"a:n":"${aws:x}"}}}}"#, Identity, "Statement.Condition.NumericEquals.a:n", "decimal number")]
    #[case::date_bad_month(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-13-01"}}}}"#, Identity, "Statement.Condition.DateLessThan.aws:CurrentTime", "W3C date")]
    #[case::date_no_zone(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-01-01T10:00:00"}}}}"#, Identity, "Statement.Condition.DateLessThan.aws:CurrentTime", "W3C date")]
    #[case::bool_yes(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}"#, Identity, "Statement.Condition.Bool.aws:SecureTransport", "expected `true` or `false`")]
    #[case::null_number(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:Null":{"a:b":1}}}}"#, Identity, "Statement.Condition.ForAnyValue:Null.a:b", "expected `true` or `false`")]
    #[case::ip_bad(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.256"]}}}}"#, Identity, "Statement.Condition.NotIpAddress.aws:SourceIp[1]", "IPv4 or IPv6")]
    #[case::ip_bad_prefix(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}"#, Identity, "Statement.Condition.IpAddress.aws:SourceIp", "CIDR")]
    #[case::binary_bad(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"a:b":"not base64!"}}}}"#, Identity, "Statement.Condition.BinaryEquals.a:b", "expected base64")]
    fn invalid(
        #[case] text: &str,
        #[case] kind: PolicyKind,
        #[case] path: &str,
        #[case] fragment: &str,
    ) {
        let errors = check(text, kind).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.path == path && e.message.contains(fragment)),
            "wanted `{path}` with `{fragment}`, got {errors:?}"
        );
    }

    #[test]
    fn resource_policies_allow_any_sid() {
        assert_eq!(check(BUCKET, Resource), Ok(()));
        let errors = check(
            &BUCKET.replace(
                "\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:root\"]},",
                "",
            ),
            Identity,
        )
        .unwrap_err();
        assert!(
            errors.iter().any(|e| e.path == "Statement[0].Sid"),
            "{errors:?}"
        );
    }

    #[test]
    fn collects_every_error() {
        let text = r#"{"Statement":[{"Sid":"x-1","Effect":"Allow","Principal":"*","Action":"*"},{"Effect":"Allow","Action":"*","Resource":"arn:aws:*:::x","Condition":{"Bool":{"a:b":"1"}}}]}"#;
        let paths: Vec<String> = check(text, Identity)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            vec![
                "Statement[0].Principal",
                "Statement[0]",
                "Statement[0].Sid",
                "Statement[1].Resource",
                "Statement[1].Condition.Bool.a:b",
            ]
        );
    }

    #[rstest]
    #[case("arn:aws:s3:::b", 6)]
    #[case("arn:aws:s3:::b/${aws:username}", 6)]
    #[case("arn:aws:sqs", 3)]
    #[case("*", 1)]
    #[case("arn:aws:logs:r:1:log-group:g:log-stream:s", 9)]
    fn arn_field_counts(#[case] pattern: &str, #[case] fields: usize) {
        assert_eq!(arn_fields(pattern).len(), fields);
    }
}
