//! The decision flow of the reference evaluator, rule by rule (semantics §1): every row of the
//! §1.4 resource-policy table, trust and key policies, boundaries, sessions, SCP and RCP levels,
//! the root user, anonymous callers and cross-account requests. Each row is one request against
//! a small policy set, with the decision the documentation fixes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::policy::PolicySet;
use iam_harness::policy::{parse_as, Policy, PolicyKind};
use iam_harness::request::{Context, ContextEntry, Request};
use iam_harness::Decision::{self, Allow, ExplicitDeny, ImplicitDeny};
use rstest::rstest;

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";
const USER: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const FED: &str = "arn:aws:sts::111122223333:federated-user/bob";
const ROOT: &str = "arn:aws:iam::111122223333:root";
const OBJ: &str = "arn:aws:s3:::bucket/key";

fn doc(kind: PolicyKind, statements: &str) -> Policy {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    parse_as(&text, kind).unwrap_or_else(|e| panic!("{text}: {e}"))
}

const ALLOW_GET: &str = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
const ALLOW_PUT: &str = r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#;
const DENY_GET: &str = r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}"#;
const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;

fn grant(principal: &str) -> Policy {
    doc(
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}"#
        ),
    )
}

fn request(principal: &str, resource_account: &str) -> Request {
    Request::new(
        principal,
        None,
        "s3:GetObject",
        OBJ,
        Some(resource_account.into()),
        Context::new(),
    )
}

fn decide(set: &PolicySet, req: &Request) -> Decision {
    ReferenceEvaluator::new().decide(set, req)
}

#[derive(Clone, Copy)]
enum Cap {
    None,
    Boundary,
    Session,
}

/// semantics §1.4: which caps limit a resource-based grant, row by row (same account).
#[rstest]
// IAM user ARN: identity and boundary implicit denies are ignored.
#[case::user_arn(
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    USER,
    Cap::Boundary,
    Allow
)]
#[case::user_arn_no_identity(
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    USER,
    Cap::None,
    Allow
)]
// Role ARN named, caller is a session of it: boundary and session policy limit.
#[case::role_arn_boundary(
    r#"{"AWS":"arn:aws:iam::111122223333:role/app"}"#,
    SESSION,
    Cap::Boundary,
    ImplicitDeny
)]
#[case::role_arn_session(
    r#"{"AWS":"arn:aws:iam::111122223333:role/app"}"#,
    SESSION,
    Cap::Session,
    ImplicitDeny
)]
#[case::role_arn_uncapped(
    r#"{"AWS":"arn:aws:iam::111122223333:role/app"}"#,
    SESSION,
    Cap::None,
    Allow
)]
// Role session ARN named: nothing limits it.
#[case::session_arn_boundary(
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"}"#,
    SESSION,
    Cap::Boundary,
    Allow
)]
#[case::session_arn_session(
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"}"#,
    SESSION,
    Cap::Session,
    Allow
)]
// Federated-user session ARN named: nothing limits it.
#[case::federated_session(
    r#"{"AWS":"arn:aws:sts::111122223333:federated-user/bob"}"#,
    FED,
    Cap::Session,
    Allow
)]
// "*" with an aws:PrincipalArn condition: not limited.
#[case::wildcard_principal_arn(r#""*""#, SESSION, Cap::Boundary, Allow)]
// The account: users still need identity grants.
#[case::account_id(r#"{"AWS":"111122223333"}"#, USER, Cap::None, ImplicitDeny)]
#[case::account_root_arn(
    r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    USER,
    Cap::None,
    ImplicitDeny
)]
fn resource_policy_rows(
    #[case] principal: &str,
    #[case] caller: &str,
    #[case] cap: Cap,
    #[case] expect: Decision,
) {
    let mut resource = grant(principal);
    if principal == r#""*""# {
        resource = doc(
            PolicyKind::Resource,
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}}"#,
        );
    }
    let mut set = PolicySet {
        resource: Some(resource),
        ..PolicySet::default()
    };
    match cap {
        Cap::None => {}
        Cap::Boundary => set.boundary = Some(doc(PolicyKind::Boundary, ALLOW_PUT)),
        Cap::Session => set.session = vec![doc(PolicyKind::Session, ALLOW_PUT)],
    }
    if caller == FED {
        set.identity = vec![doc(PolicyKind::Identity, ALLOW_GET)];
    }
    assert_eq!(decide(&set, &request(caller, ACCT)), expect);
}

#[test]
fn account_principal_with_identity_allow_allows() {
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_GET)],
        resource: Some(grant(r#"{"AWS":"111122223333"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(USER, ACCT)), Allow);
}

#[test]
fn explicit_deny_in_a_boundary_beats_a_session_grant() {
    let set = PolicySet {
        resource: Some(grant(
            r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"}"#,
        )),
        boundary: Some(doc(PolicyKind::Boundary, DENY_GET)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(SESSION, ACCT)), ExplicitDeny);
}

/// semantics §1.3 steps 5–7: identity ∧ boundary ∧ session.
#[rstest]
#[case::identity_only(USER, &[ALLOW_GET], None, None, Allow)]
#[case::no_policy(USER, &[], None, None, ImplicitDeny)]
#[case::deny_wins(USER, &[ALLOW_GET, DENY_GET], None, None, ExplicitDeny)]
#[case::boundary_allows(USER, &[ALLOW_GET], Some(ALLOW_ALL), None, Allow)]
#[case::boundary_caps(USER, &[ALLOW_GET], Some(ALLOW_PUT), None, ImplicitDeny)]
#[case::boundary_alone_grants_nothing(USER, &[], Some(ALLOW_ALL), None, ImplicitDeny)]
#[case::session_allows(SESSION, &[ALLOW_GET], None, Some(ALLOW_GET), Allow)]
#[case::session_caps(SESSION, &[ALLOW_GET], None, Some(ALLOW_PUT), ImplicitDeny)]
#[case::session_alone_grants_nothing(SESSION, &[], None, Some(ALLOW_ALL), ImplicitDeny)]
#[case::role_session_without_session_policy(SESSION, &[ALLOW_GET], None, None, Allow)]
#[case::federated_without_session_policy(FED, &[ALLOW_GET], None, None, ImplicitDeny)]
#[case::federated_with_session_policy(FED, &[ALLOW_GET], None, Some(ALLOW_GET), Allow)]
fn identity_boundary_session(
    #[case] caller: &str,
    #[case] identity: &[&str],
    #[case] boundary: Option<&str>,
    #[case] session: Option<&str>,
    #[case] expect: Decision,
) {
    let set = PolicySet {
        identity: identity
            .iter()
            .map(|s| doc(PolicyKind::Identity, s))
            .collect(),
        boundary: boundary.map(|s| doc(PolicyKind::Boundary, s)),
        session: session
            .iter()
            .map(|s| doc(PolicyKind::Session, s))
            .collect(),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(caller, ACCT)), expect);
}

/// semantics §1.7: an SCP Allow at every level; a Deny at any level.
#[rstest]
#[case::full_access_everywhere(vec![vec![ALLOW_ALL], vec![ALLOW_ALL], vec![ALLOW_ALL]], Allow)]
#[case::missing_at_ou(vec![vec![ALLOW_ALL], vec![ALLOW_PUT], vec![ALLOW_ALL]], ImplicitDeny)]
#[case::empty_level(vec![vec![ALLOW_ALL], vec![]], ImplicitDeny)]
#[case::union_at_one_level(vec![vec![ALLOW_ALL], vec![ALLOW_PUT, ALLOW_GET]], Allow)]
#[case::deny_at_root(vec![vec![ALLOW_ALL, DENY_GET], vec![ALLOW_ALL]], ExplicitDeny)]
fn scp_levels(#[case] levels: Vec<Vec<&str>>, #[case] expect: Decision) {
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_GET)],
        scp: Some(
            levels
                .iter()
                .map(|docs| docs.iter().map(|s| doc(PolicyKind::Scp, s)).collect())
                .collect(),
        ),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(USER, ACCT)), expect);
}

#[test]
fn scps_bind_the_root_user_who_is_otherwise_allowed() {
    let no_policies = PolicySet::default();
    assert_eq!(decide(&no_policies, &request(ROOT, ACCT)), Allow);
    let scp = PolicySet {
        scp: Some(vec![vec![doc(PolicyKind::Scp, ALLOW_PUT)]]),
        ..PolicySet::default()
    };
    assert_eq!(decide(&scp, &request(ROOT, ACCT)), ImplicitDeny);
}

#[test]
fn rcps_bind_callers_from_other_accounts() {
    const RCP_FULL: &str = r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#;
    const RCP_DENY: &str = r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalAccount":"111122223333"}}}"#;
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_GET)],
        resource: Some(grant(r#"{"AWS":"444455556666"}"#)),
        rcp: Some(vec![vec![
            doc(PolicyKind::Rcp, RCP_FULL),
            doc(PolicyKind::Rcp, RCP_DENY),
        ]]),
        ..PolicySet::default()
    };
    let outsider = Request::new(
        "arn:aws:iam::444455556666:user/eve",
        None,
        "s3:GetObject",
        OBJ,
        Some(ACCT.into()),
        Context::new(),
    );
    assert_eq!(decide(&set, &outsider), ExplicitDeny);
}

/// semantics §1.6: cross-account needs both sides.
#[rstest]
#[case::both(true, true, Allow)]
#[case::identity_only(true, false, ImplicitDeny)]
#[case::resource_only(false, true, ImplicitDeny)]
fn cross_account(#[case] identity: bool, #[case] resource: bool, #[case] expect: Decision) {
    let set = PolicySet {
        identity: if identity {
            vec![doc(PolicyKind::Identity, ALLOW_GET)]
        } else {
            vec![]
        },
        resource: resource.then(|| grant(r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(USER, OTHER)), expect);
}

#[test]
fn cross_account_boundary_still_caps_a_direct_grant() {
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_GET)],
        resource: Some(grant(r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#)),
        boundary: Some(doc(PolicyKind::Boundary, ALLOW_PUT)),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, &request(USER, ACCT)),
        Allow,
        "same account: ignored"
    );
    assert_eq!(
        decide(&set, &request(USER, OTHER)),
        ImplicitDeny,
        "cross-account: caps"
    );
}

/// semantics §1.8: trust policies and key policies must themselves allow.
#[test]
fn trust_policy_must_allow_the_caller() {
    let assume =
        |caller: &str| Request::new(caller, None, "sts:AssumeRole", ROLE, None, Context::new());
    let identity = doc(
        PolicyKind::Identity,
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}"#,
    );
    let trust = |principal: &str| {
        doc(
            PolicyKind::Trust,
            &format!(r#"{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}"#),
        )
    };
    let ec2 = PolicySet {
        resource: Some(trust(r#"{"Service":"ec2.amazonaws.com"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&ec2, &assume("ec2.amazonaws.com")), Allow);
    assert_eq!(decide(&ec2, &assume("lambda.amazonaws.com")), ImplicitDeny);
    let identity_only = PolicySet {
        identity: vec![identity.clone()],
        resource: Some(trust(r#"{"Service":"ec2.amazonaws.com"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&identity_only, &assume(USER)), ImplicitDeny);
    let account_trust = PolicySet {
        identity: vec![identity],
        resource: Some(trust(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&account_trust, &assume(USER)), Allow);
}

#[test]
fn key_policy_must_allow_the_caller() {
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let req = Request::new(USER, None, "kms:Decrypt", KEY, None, Context::new());
    let identity = doc(
        PolicyKind::Identity,
        r#"{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"#,
    );
    let key_policy = |principal: &str| {
        doc(
            PolicyKind::Resource,
            &format!(
                r#"{{"Effect":"Allow","Principal":{principal},"Action":"kms:*","Resource":"*"}}"#
            ),
        )
    };
    let no_key_allow = PolicySet {
        identity: vec![identity.clone()],
        ..PolicySet::default()
    };
    assert_eq!(decide(&no_key_allow, &req), ImplicitDeny);
    let root_enabled = PolicySet {
        identity: vec![identity],
        resource: Some(key_policy(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&root_enabled, &req), Allow);
    let root_only = PolicySet {
        resource: Some(key_policy(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&root_only, &req), ImplicitDeny);
    let named = PolicySet {
        resource: Some(key_policy(
            r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
        )),
        ..PolicySet::default()
    };
    assert_eq!(decide(&named, &req), Allow);
}

#[test]
fn anonymous_callers_need_a_public_resource_policy() {
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_ALL)],
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request("*", ACCT)), ImplicitDeny);
    let public = PolicySet {
        resource: Some(grant(r#""*""#)),
        ..PolicySet::default()
    };
    assert_eq!(decide(&public, &request("*", ACCT)), Allow);
}

#[test]
fn not_principal_boundary_quirk_and_exemptions() {
    let deny_others = doc(
        PolicyKind::Resource,
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"},
           {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#,
    );
    let set = PolicySet {
        resource: Some(deny_others.clone()),
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(USER, ACCT)), Allow, "alice is exempt");
    assert_eq!(
        decide(&set, &request("arn:aws:iam::111122223333:user/bob", ACCT)),
        ExplicitDeny
    );
    let bounded = PolicySet {
        resource: Some(deny_others),
        boundary: Some(doc(PolicyKind::Boundary, ALLOW_ALL)),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&bounded, &request(USER, ACCT)),
        ExplicitDeny,
        "boundary quirk"
    );
}

#[test]
fn derived_principal_arn_of_a_session_is_the_role() {
    let set = PolicySet {
        identity: vec![doc(
            PolicyKind::Identity,
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}}"#,
        )],
        ..PolicySet::default()
    };
    assert_eq!(decide(&set, &request(SESSION, ACCT)), Allow);
    let mut ctx = Context::new();
    ctx.insert("aws:PrincipalArn", ContextEntry::Null);
    let req = Request::new(SESSION, None, "s3:GetObject", OBJ, Some(ACCT.into()), ctx);
    assert_eq!(
        decide(&set, &req),
        ImplicitDeny,
        "null keeps the key missing"
    );
}

/// Explanations name the deciding rule, its AWS page and the statements that decided: every
/// matching Deny; the Allows that granted.
#[rstest]
#[case::deny(
    &[ALLOW_GET, DENY_GET, DENY_GET],
    None,
    None,
    ExplicitDeny,
    "§1.3 step 1",
    "reference_policies_evaluation-logic_policy-eval-denyallow.html",
    &["identity[0] 1", "identity[0] 2"]
)]
#[case::identity_allow(
    &[ALLOW_PUT, ALLOW_GET, ALLOW_ALL],
    None,
    None,
    Allow,
    "§1.3 steps 5–7",
    "reference_policies_evaluation-logic_policy-eval-denyallow.html",
    &["identity[0] 1", "identity[0] 2"]
)]
#[case::no_identity_allow(&[ALLOW_PUT], None, None, ImplicitDeny, "§1.3 step 5", "policy-eval-denyallow.html", &[])]
#[case::boundary(&[ALLOW_GET], Some(ALLOW_PUT), None, ImplicitDeny, "§1.3 step 6", "access_policies_boundaries.html", &[])]
#[case::scp(
    &[ALLOW_GET],
    None,
    Some(vec![vec![ALLOW_ALL], vec![ALLOW_PUT]]),
    ImplicitDeny,
    "§1.3 step 3",
    "orgs_manage_policies_scps_evaluation.html",
    &[]
)]
fn explanations_name_the_rule_and_its_page(
    #[case] identity: &[&str],
    #[case] boundary: Option<&str>,
    #[case] scp: Option<Vec<Vec<&str>>>,
    #[case] expect: Decision,
    #[case] rule: &str,
    #[case] page: &str,
    #[case] decided_by: &[&str],
) {
    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, &identity.join(","))],
        boundary: boundary.map(|s| doc(PolicyKind::Boundary, s)),
        scp: scp.map(|levels| {
            levels
                .iter()
                .map(|docs| docs.iter().map(|s| doc(PolicyKind::Scp, s)).collect())
                .collect()
        }),
        ..PolicySet::default()
    };
    let req = request(USER, ACCT);
    let (decision, explanation) = ReferenceEvaluator::new().explain(&set, &req);
    assert_eq!(decision, expect);
    assert_eq!(decide(&set, &req), expect, "decide and explain agree");
    assert_eq!(explanation.rule, rule);
    assert!(
        explanation
            .documentation
            .starts_with("https://docs.aws.amazon.com/")
            && explanation.documentation.ends_with(page),
        "{}",
        explanation.documentation
    );
    let statements: Vec<String> = explanation
        .decided_by
        .iter()
        .map(|s| format!("{} {}", s.policy, s.statement))
        .collect();
    assert_eq!(statements, decided_by);
}

#[test]
fn explanations_of_fixed_rules_and_cross_account_grants() {
    let engine = ReferenceEvaluator::new();
    let req = Request::new(
        USER,
        None,
        "sts:GetCallerIdentity",
        "*",
        None,
        Context::new(),
    );
    let deny_all = PolicySet {
        identity: vec![doc(
            PolicyKind::Identity,
            r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#,
        )],
        ..PolicySet::default()
    };
    let (decision, explanation) = engine.explain(&deny_all, &req);
    assert_eq!((decision, explanation.rule.as_str()), (Allow, "§8"));
    assert!(explanation
        .documentation
        .ends_with("API_GetCallerIdentity.html"));

    let set = PolicySet {
        identity: vec![doc(PolicyKind::Identity, ALLOW_GET)],
        resource: Some(grant(r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#)),
        ..PolicySet::default()
    };
    let (decision, explanation) = engine.explain(&set, &request(USER, OTHER));
    assert_eq!((decision, explanation.rule.as_str()), (Allow, "§1.6"));
    let policies: Vec<&str> = explanation
        .decided_by
        .iter()
        .map(|s| s.policy.as_str())
        .collect();
    assert_eq!(policies, ["resource", "identity[0]"]);
}
