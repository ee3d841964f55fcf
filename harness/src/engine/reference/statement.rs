//! Whether one statement applies to a request: principal ∧ action ∧ resource ∧ condition
//! (semantics §1.3 step 1), and, for a `Principal` that names the caller, how it names it.

use super::condition;
use super::principal::{self, GrantKind};
use super::variables::{self, Mode, Substituted};
use crate::arn;
use crate::glob;
use crate::policy::{Policy, Statement};
use crate::request::Request;

/// True when one `Resource`/`NotResource` pattern matches the request's resource. A request on
/// resource `*` (an action without resource-level permissions) holds the *value* `*`: only a
/// pattern that matches the literal text `*` (`"*"`, `"?"`, `"*?"`…) matches it, an ARN pattern
/// does not (semantics §8.6; the Resource element page says such actions need `"Resource": "*"`).
fn resource_pattern_matches(pattern: &str, request: &Request, variables: bool) -> bool {
    if !(variables && pattern.contains("${")) {
        return arn::resource_matches(pattern, &request.resource, false);
    }
    // Variables are substituted only in the resource part, after the fifth colon (semantics
    // §3.2); the head stays literal policy text, where only a backslash needs escaping.
    let (head, tail) = arn::split_resource_part(pattern).unwrap_or(("", pattern));
    match variables::substitute(tail, &request.context, Mode::Pattern) {
        Substituted::Unresolved => false,
        Substituted::Text(tail) => {
            // The substituted pattern is new text; built only for policies with variables.
            let full = format!("{}{}", head.replace('\\', "\\\\"), tail);
            arn::resource_matches(&full, &request.resource, true)
        }
    }
}

/// Principal ∧ action ∧ resource ∧ condition for one statement of `policy`; the grant kind when
/// it applies (`Direct` for a statement without a principal element).
///
/// `has_boundary`: the caller has a permissions boundary, for the `NotPrincipal` quirk of
/// semantics §2.6 (see [`principal::statement_principal`]).
pub fn statement_applies(
    statement: &Statement,
    policy: &Policy,
    request: &Request,
    has_boundary: bool,
) -> Option<GrantKind> {
    let grant = target_matches(statement, policy, request, has_boundary)?;
    let conditions = statement.condition.as_deref().unwrap_or(&[]);
    condition::conditions_hold(conditions, &request.context, policy.has_variables())
        .then_some(grant)
}

/// Principal ∧ action ∧ resource for one statement, its conditions left out: the grant kind
/// when the statement names this request (what a near miss is made of).
pub fn target_matches(
    statement: &Statement,
    policy: &Policy,
    request: &Request,
    has_boundary: bool,
) -> Option<GrantKind> {
    let action = &statement.action;
    let action_hit = action
        .patterns
        .iter()
        .any(|p| glob::action_matches(p, &request.action));
    if action_hit == action.negated {
        return None;
    }
    if let Some(resource) = &statement.resource {
        let hit = resource
            .patterns
            .iter()
            .any(|p| resource_pattern_matches(p, request, policy.has_variables()));
        if hit == resource.negated {
            return None;
        }
    }
    principal::statement_principal(statement, request, has_boundary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextEntry};
    use rstest::rstest;

    fn request(resource: &str) -> Request {
        let mut context = Context::new();
        context.insert("aws:PrincipalTag/team", ContextEntry::Single("blue".into()));
        Request::new(
            "arn:aws:iam::111122223333:user/alice",
            None,
            "s3:GetObject",
            resource,
            None,
            context,
        )
    }

    #[rstest]
    #[case(
        "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::b/blue/k",
        true
    )]
    #[case(
        "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::b/red/k",
        false
    )]
    // An unresolved variable matches nothing (semantics §7.15).
    #[case("arn:aws:s3:::b/${aws:PrincipalTag/dept}", "arn:aws:s3:::b/", false)]
    #[case("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/alice", true)]
    // Before the fifth colon a variable is literal text.
    #[case(
        "arn:aws:iam::${aws:PrincipalAccount}:user/x",
        "arn:aws:iam::111122223333:user/x",
        false
    )]
    // A substituted value is literal: its `*` is no wildcard.
    #[case("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true)]
    #[case("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/k", false)]
    // A request for resource `*` holds the value `*`: an ARN pattern does not match it.
    #[case("arn:aws:s3:::b/${aws:username}", "*", false)]
    #[case("arn:aws:s3:::b/*", "*", false)]
    #[case("*", "*", true)]
    #[case("?", "*", true)]
    fn resource_patterns_with_variables(
        #[case] pattern: &str,
        #[case] resource: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(
            resource_pattern_matches(pattern, &request(resource), true),
            expected
        );
    }

    #[test]
    fn without_variables_the_pattern_is_literal() {
        let pattern = "arn:aws:s3:::b/${aws:PrincipalTag/team}/*";
        assert!(!resource_pattern_matches(
            pattern,
            &request("arn:aws:s3:::b/blue/k"),
            false
        ));
        assert!(resource_pattern_matches(
            pattern,
            &request("arn:aws:s3:::b/${aws:PrincipalTag/team}/k"),
            false
        ));
    }
}
