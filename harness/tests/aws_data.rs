//! Every AWS managed policy and every example policy AWS has accepted, of the optional data set
//! beside the checkout (see `shared_data`), through every policy kind it is documented for, *evaluated* by the reference
//! engine as a case holds it: none may come out `invalid`. Each test is skipped, with a note,
//! when its data file is absent.
//!
//! - AWS managed policies are identity policies no customer quota binds (the quota page,
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>): marked
//!   `aws_managed`, each evaluates as an identity policy and as a permissions boundary; those
//!   that fit the customer managed policy quota (6,144 characters) validate as a customer's
//!   boundary too, and those over it do not.
//! - Examples AWS has stored: the policies of a real account (cloudsplaining's
//!   GetAccountAuthorizationDetails output: customer managed, inline and trust policies) and
//!   AWS's own published SCPs, RCPs and VPC endpoint policies validate as their kind.

use iam_harness::case::{Case, Policies, Test, TestRequest};
use iam_harness::decision::Decision;
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::engine::{Evaluator, Outcome};
use iam_harness::policy::{parse, validate, validate_from, Origin, PolicyKind};
use serde::Deserialize;
use serde_json::value::RawValue;

mod shared_data;

use shared_data::{read, Managed, EXAMPLES, MANAGED};

/// A case whose principal holds `policies`, with one request on `resource`.
fn case(policies: Policies, action: &str, resource: &str) -> Case {
    Case {
        id: "aws-data".into(),
        description: String::new(),
        features: Vec::new(),
        source: Vec::new(),
        policies,
        tests: vec![Test {
            name: "t".into(),
            request: TestRequest {
                principal: "arn:aws:sts::111122223333:assumed-role/app/s".into(),
                principal_account: None,
                action: action.into(),
                resource: resource.into(),
                resource_account: None,
                context: serde_json::Map::new(),
                session_issuer: None,
            },
            expect: Decision::Allow,
        }],
    }
}

/// The reference engine's decision on the one test of `case`.
#[expect(
    clippy::panic,
    reason = "a test helper: an undecided case fails the test"
)]
fn decide(case: &Case) -> Decision {
    match ReferenceEvaluator::new().evaluate(case).into_iter().next() {
        Some(Outcome::Decided { decision, .. }) => decision,
        other => panic!("{}: not decided: {other:?}", case.id),
    }
}

#[test]
fn every_managed_policy_evaluates_as_identity_policy_and_boundary() {
    let Some(data) = read(MANAGED) else { return };
    let policies: Vec<Managed> = serde_json::from_str(&data).unwrap();
    assert_eq!(policies.len(), 1_594);
    let mut over_customer_quota = Vec::new();
    for managed in &policies {
        let text = managed.document.get();
        let policy = parse(text).unwrap_or_else(|e| panic!("{}: {e}", managed.name));
        for kind in [PolicyKind::Identity, PolicyKind::Boundary] {
            let result = validate_from(&policy, kind, Origin::AwsManaged, text);
            assert_eq!(result, Ok(()), "{} as {}", managed.name, kind.as_str());
        }
        if validate(&policy, PolicyKind::Boundary, text).is_err() {
            over_customer_quota.push(managed.name.as_str());
        }
        let identity = Policies {
            identity: Some(vec![managed.document.clone()]),
            aws_managed: vec!["identity[0]".into()],
            ..Policies::default()
        };
        let decision = decide(&case(identity, "s3:GetObject", "arn:aws:s3:::b/k"));
        assert_ne!(decision, Decision::Invalid, "{} as identity", managed.name);
        let allow_all = RawValue::from_string(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
                .to_owned(),
        )
        .unwrap();
        let bounded = Policies {
            identity: Some(vec![allow_all]),
            boundary: Some(managed.document.clone()),
            aws_managed: vec!["boundary".into()],
            ..Policies::default()
        };
        let decision = decide(&case(bounded, "ec2:DescribeInstances", "*"));
        assert_ne!(decision, Decision::Invalid, "{} as boundary", managed.name);
    }
    // ReadOnlyAccess is one of those over every customer quota, and evaluates.
    assert!(over_customer_quota.contains(&"ReadOnlyAccess"));
    let read_only = policies
        .iter()
        .find(|m| m.name == "ReadOnlyAccess")
        .unwrap();
    let marked = Policies {
        identity: Some(vec![read_only.document.clone()]),
        aws_managed: vec!["identity[0]".into()],
        ..Policies::default()
    };
    assert_eq!(
        decide(&case(marked.clone(), "ec2:DescribeInstances", "*")),
        Decision::Allow
    );
    assert_eq!(
        decide(&case(marked, "s3:DeleteBucket", "arn:aws:s3:::b")),
        Decision::ImplicitDeny
    );
    // Unmarked, the same document is held to the customer's identity quota.
    let unmarked = Policies {
        identity: Some(vec![read_only.document.clone()]),
        ..Policies::default()
    };
    assert_eq!(
        decide(&case(unmarked, "ec2:DescribeInstances", "*")),
        Decision::Invalid
    );
    eprintln!(
        "managed policies: {} evaluated; {} over the customer managed policy quota",
        policies.len(),
        over_customer_quota.len()
    );
}

/// One example policy: `raw` is the original file text when the policy was its own file.
#[derive(Deserialize)]
struct Example {
    source: String,
    id: String,
    kind: String,
    document: Option<Box<RawValue>>,
    raw: Option<String>,
}

/// The policy kind of an example AWS has stored or published, by its source and kind.
fn accepted_kind(source: &str, kind: &str) -> Option<PolicyKind> {
    match (source, kind) {
        ("cloudsplaining", "customer-managed" | "inline") => Some(PolicyKind::Identity),
        ("cloudsplaining", "trust") => Some(PolicyKind::Trust),
        ("aws-scp-examples" | "aws-data-perimeter", "scp") => Some(PolicyKind::Scp),
        ("aws-data-perimeter", "rcp") => Some(PolicyKind::Rcp),
        ("aws-data-perimeter", "vpc-endpoint") => Some(PolicyKind::Resource),
        _ => None,
    }
}

/// True for a policy template: it holds a `<placeholder>` inside a string.
fn is_template(text: &str) -> bool {
    text.split("\"<").skip(1).any(|rest| {
        rest.split_once('"')
            .is_some_and(|(inside, _)| inside.ends_with('>'))
    }) || text.contains(":<my-")
}

#[test]
fn every_example_aws_accepted_validates_as_its_kind() {
    let Some(data) = read(EXAMPLES) else { return };
    let examples: Vec<Example> = serde_json::from_str(&data).unwrap();
    let (mut checked, mut templates) = (0, 0);
    let mut rejected = Vec::new();
    for example in &examples {
        let Some(kind) = accepted_kind(&example.source, &example.kind) else {
            continue;
        };
        // SCPs and RCPs count every character and the console strips whitespace before saving,
        // so they are checked as the compact document; IAM policies as written.
        let compact = matches!(kind, PolicyKind::Scp | PolicyKind::Rcp);
        let text = match (&example.raw, &example.document) {
            (_, Some(document)) if compact => document.get(),
            (Some(raw), _) => raw.as_str(),
            (None, Some(document)) => document.get(),
            (None, None) => continue,
        };
        // A template with placeholders (`<my-org-id>`, `<my-corporate-cidr>`, `<action>`) is
        // not what AWS stores: it is filled in first.
        if is_template(text) {
            templates += 1;
            continue;
        }
        checked += 1;
        let result = parse(text).and_then(|policy| validate(&policy, kind, text));
        if let Err(errors) = result {
            rejected.push(format!("{} ({}): {errors}", example.id, kind.as_str()));
        }
    }
    eprintln!("examples AWS accepted: {checked} validated, {templates} templates left out");
    assert!(checked > 150, "{checked}");
    assert!(rejected.is_empty(), "{}", rejected.join("\n"));
}
