//! Property 18: a cross-account request needs the allow of both accounts.

use crate::gen::Input;
use crate::request::{PrincipalKind, Request};

use super::super::transform::with_set;
use super::super::{Decider, Violation};
use super::relation::{attempt, is_iam_caller, not_allowed, parsed_requests, Stop};

/// Property 18: A cross-account request needs both sides' allow: without the resource policy it is not
/// allowed, and (for IAM callers other than a root user, who needs no identity policy) without
/// the caller's identity policies it is not allowed either (semantics §1.6).
pub fn cross_account<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "cross-account";
    attempt(|| {
        let requests = parsed_requests(input)?;
        if !requests.iter().any(Request::is_cross_account) {
            return Err(Stop::Skip);
        }
        let mut no_resource = input.set.clone();
        no_resource.resource = None;
        let no_resource = with_set(input, no_resource);
        let cross = |i: usize| requests.get(i).is_some_and(Request::is_cross_account);
        not_allowed(
            engine,
            NAME,
            ("without-resource-policy", &no_resource),
            "a cross-account request needs the resource account's allow",
            &cross,
        )?;
        let mut no_identity = input.set.clone();
        no_identity.identity = Vec::new();
        let no_identity = with_set(input, no_identity);
        let cross_iam = |i: usize| {
            requests.get(i).is_some_and(|request| {
                request.is_cross_account()
                    && is_iam_caller(request.principal_kind)
                    && request.principal_kind != PrincipalKind::Root
            })
        };
        not_allowed(
            engine,
            NAME,
            ("without-identity-policies", &no_identity),
            "a cross-account request needs the caller's account to allow it",
            &cross_iam,
        )
    })
}
