//! Decisions per second of the reference evaluator: (a) a small identity policy, (b) a
//! 50-statement policy with wildcards and conditions, (c) a full stack (SCP levels + RCP +
//! boundary + session + resource policy). Policies are parsed once, as an engine would cache them.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "benchmark set-up on fixed, valid inputs"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::policy::PolicySet;
use iam_harness::policy::{parse, parse_as, Policy, PolicyKind};
use iam_harness::request::{Context, ContextEntry, Request};
use std::hint::black_box;

/// Parses a benchmark policy; the 50-statement one is over the identity size limit on purpose
/// (a stress test of evaluation, not of validation), so only the kinds' size rule is waived.
fn policy(text: &str, kind: PolicyKind) -> Policy {
    match parse_as(text, kind) {
        Ok(p) => p,
        Err(e) if e.0.iter().all(|err| err.message.starts_with("policy size")) => {
            parse(text).expect("benchmark policies parse")
        }
        Err(e) => panic!("benchmark policy is invalid: {e}"),
    }
}

fn small() -> (PolicySet, Request) {
    let set = PolicySet {
        identity: vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]}]}"#,
            PolicyKind::Identity,
        )],
        ..PolicySet::default()
    };
    let request = Request::new(
        "arn:aws:iam::111122223333:user/alice",
        None,
        "s3:GetObject",
        "arn:aws:s3:::bucket/photos/cat.jpg",
        Some("111122223333".into()),
        Context::new(),
    );
    (set, request)
}

fn fifty_statements() -> String {
    let services = [
        "s3", "ec2", "logs", "dynamodb", "sqs", "kms", "lambda", "iam", "sns", "ecr",
    ];
    let statements: Vec<String> = (0..50)
        .map(|i| {
            let svc = services[i % services.len()];
            format!(
                r#"{{"Sid":"S{i}","Effect":"{}","Action":["{svc}:Get*","{svc}:Describe*","{svc}:List?{i}*"],"Resource":"arn:aws:{svc}:us-east-1:111122223333:thing-{i}/*","Condition":{{"StringLike":{{"aws:PrincipalTag/team":["team-{i}*","ops"]}},"IpAddress":{{"aws:SourceIp":["10.{i}.0.0/16","192.0.2.0/24"]}},"Bool":{{"aws:SecureTransport":"true"}}}}}}"#,
                if i % 7 == 0 { "Deny" } else { "Allow" }
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn context() -> Context {
    let mut ctx = Context::new();
    ctx.insert(
        "aws:PrincipalTag/team",
        ContextEntry::Single("team-42-blue".into()),
    );
    ctx.insert("aws:SourceIp", ContextEntry::Single("10.42.3.4".into()));
    ctx.insert("aws:SecureTransport", ContextEntry::Single("true".into()));
    ctx
}

fn large() -> (PolicySet, Request) {
    let set = PolicySet {
        identity: vec![policy(&fifty_statements(), PolicyKind::Identity)],
        ..PolicySet::default()
    };
    let request = Request::new(
        "arn:aws:iam::111122223333:user/alice",
        None,
        "ecr:GetDownloadUrlForLayer",
        "arn:aws:ecr:us-east-1:111122223333:thing-49/repo/layer",
        None,
        context(),
    );
    (set, request)
}

fn full_stack() -> (PolicySet, Request) {
    let allow_all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let scp_ou = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","kms:*","logs:*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;
    let rcp_full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
    let rcp_perimeter = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}"#;
    let set = PolicySet {
        identity: vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/home/${aws:PrincipalTag/team}/*"}]}"#,
            PolicyKind::Identity,
        )],
        resource: Some(policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
            PolicyKind::Resource,
        )),
        boundary: Some(policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","logs:*"],"Resource":"*"}]}"#,
            PolicyKind::Boundary,
        )),
        session: vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::bucket/*"}]}"#,
            PolicyKind::Session,
        )],
        scp: Some(vec![
            vec![policy(allow_all, PolicyKind::Scp)],
            vec![policy(scp_ou, PolicyKind::Scp)],
            vec![policy(allow_all, PolicyKind::Scp)],
        ]),
        rcp: Some(vec![
            vec![
                policy(rcp_full, PolicyKind::Rcp),
                policy(rcp_perimeter, PolicyKind::Rcp),
            ],
            vec![policy(rcp_full, PolicyKind::Rcp)],
        ]),
    };
    let mut ctx = context();
    ctx.insert(
        "aws:PrincipalOrgID",
        ContextEntry::Single("o-abc123".into()),
    );
    let request = Request::new(
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        None,
        "s3:GetObject",
        "arn:aws:s3:::bucket/home/team-42-blue/report.csv",
        Some("111122223333".into()),
        ctx,
    );
    (set, request)
}

fn decisions(c: &mut Criterion) {
    let engine = ReferenceEvaluator::new();
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(1));
    for (name, (set, request)) in [
        ("a_small_identity", small()),
        ("b_50_statements", large()),
        ("c_full_stack", full_stack()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| engine.decide(black_box(&set), black_box(&request)))
        });
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
