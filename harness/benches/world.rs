//! Loading a large account and checking many requests against it, as `eval --from` and `check`
//! do: a generated `get-account-authorization-details` dump of 2,000 roles (about 5 MB; each
//! with a trust policy, an inline policy and attached customer and AWS managed policies, half
//! of the documents URL-encoded as the raw API returns them) is
//!
//! - `load_5mb_dump`: read and turned into a world;
//! - `check_1000_requests`: 1,000 requests (role × action × resource) compiled through the
//!   world into cases in one pass and decided by the reference evaluator, in parallel.
//!
//! The allocator is the binary's, so the figures are those of the command.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up on fixed, valid inputs"
)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::world::{load_file, LoadOptions, World};
use iam_harness::{Decision, Evaluator, Outcome};
use rayon::prelude::*;
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNT: &str = "111122223333";
const ROLES: usize = 2_000;
const REQUESTS: usize = 1_000;

fn url_encoded(document: &Value) -> Value {
    let text = document.to_string();
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Value::String(out)
}

fn role(index: usize) -> Value {
    let team = index % 40;
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]});
    let inline = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTeamData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion"],
         "Resource": [format!("arn:aws:s3:::team-{team}-data"), format!("arn:aws:s3:::team-{team}-data/*")]},
        {"Sid": "WriteOwnPrefix", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": format!("arn:aws:s3:::team-{team}-data/service-{index}/*"),
         "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/svc/{index}:*")},
        {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"StringNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:role/admin-*")}}}]});
    let encode = |doc: Value| {
        if index % 2 == 0 {
            url_encoded(&doc)
        } else {
            doc
        }
    };
    json!({"Path": "/svc/", "RoleName": format!("service-{index}"), "RoleId": format!("AROA{index:016}"),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/svc/service-{index}"), "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": encode(trust), "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": "service", "PolicyDocument": encode(inline)}],
        "AttachedManagedPolicies": [
            {"PolicyName": format!("team-{team}"), "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/team-{team}")},
            {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Tags": [{"Key": "team", "Value": format!("team-{team}")}], "RoleLastUsed": {}})
}

fn team_policy(team: usize) -> Value {
    let version = |n: usize| {
        json!({"Document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
         "Resource": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:team-{team}-*")},
        {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
         "Resource": format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/team-{team}-v{n}")}]},
        "VersionId": format!("v{n}"), "IsDefaultVersion": n == 3, "CreateDate": "2024-01-01T00:00:00Z"})
    };
    json!({"PolicyName": format!("team-{team}"), "PolicyId": format!("ANPA{team:016}"),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/team-{team}"), "Path": "/", "DefaultVersionId": "v3",
        "AttachmentCount": 50, "IsAttachable": true, "PolicyVersionList": [version(1), version(2), version(3)]})
}

fn write_dump(path: &Path) {
    let dump = json!({"UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": (0..ROLES).map(role).collect::<Vec<_>>(),
        "Policies": (0..40).map(team_policy).collect::<Vec<_>>()});
    std::fs::write(
        path,
        serde_json::to_string_pretty(&dump).expect("serialises"),
    )
    .expect("writes");
}

/// Request `n`: a role, an action, a resource of its team or of another.
fn request(n: usize) -> (String, &'static str, String) {
    let index = (n * 7919) % ROLES;
    let team = if n % 3 == 0 {
        (index + 1) % 40
    } else {
        index % 40
    };
    let role = format!("arn:aws:iam::{ACCOUNT}:role/svc/service-{index}");
    let (action, resource) = match n % 5 {
        0 => (
            "s3:GetObject",
            format!("arn:aws:s3:::team-{team}-data/report.csv"),
        ),
        1 => (
            "s3:PutObject",
            format!("arn:aws:s3:::team-{team}-data/service-{index}/x"),
        ),
        2 => (
            "sqs:SendMessage",
            format!("arn:aws:sqs:us-east-1:{ACCOUNT}:team-{team}-jobs"),
        ),
        3 => (
            "iam:PassRole",
            format!("arn:aws:iam::{ACCOUNT}:role/svc/service-{index}"),
        ),
        _ => (
            "logs:PutLogEvents",
            format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/svc/{index}:log-stream:a"),
        ),
    };
    (role, action, resource)
}

/// Compiles every request through `world` and decides them; the number of allows.
fn check(mut world: World, file: &str) -> usize {
    for n in 0..REQUESTS {
        let (role, action, resource) = request(n);
        let principal = world.principal_key(&role).expect("a role of the dump");
        let target = world.target(&resource);
        world
            .scenario
            .expectations
            .push(iam_harness::scenario::Expectation {
                name: format!("request {n}"),
                principal,
                action: action.to_owned(),
                resource: target.as_str().to_owned(),
                context: serde_json::Map::new(),
                expect: Decision::Allow,
                why: String::new(),
                features: Vec::new(),
            });
    }
    let cases = world.scenario.compile(file).expect("compiles");
    let engine = ReferenceEvaluator::new();
    cases
        .par_iter()
        .filter(|case| {
            engine.evaluate(case).iter().any(|o| {
                matches!(
                    o,
                    Outcome::Decided {
                        decision: Decision::Allow,
                        ..
                    }
                )
            })
        })
        .count()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("authorization-details.json");
    write_dump(&path);
    let bytes = std::fs::metadata(&path).expect("written").len();
    eprintln!("dump: {ROLES} roles, {:.1} MB", bytes as f64 / 1e6);
    let options = LoadOptions::default();
    let world = load_file(&path, &options).expect("the dump loads");
    let file = path.display().to_string();
    let allowed = check(world.clone(), &file);
    eprintln!("{allowed} of {REQUESTS} requests allowed");
    assert!(
        allowed > REQUESTS / 5 && allowed < REQUESTS,
        "the requests exercise both outcomes"
    );
    let mut group = c.benchmark_group("world");
    group.sample_size(10);
    group.bench_function("load_5mb_dump", |b| {
        b.iter(|| load_file(&path, &options).expect("loads"));
    });
    group.bench_function("check_1000_requests", |b| {
        b.iter(|| check(world.clone(), &file));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
