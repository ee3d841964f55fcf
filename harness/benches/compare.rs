//! `iam-harness compare` on realistic inputs:
//!
//! - `policies_6kb`: two identity policies of about 6 KB each (fifteen statements over S3,
//!   DynamoDB, SQS, KMS, CloudWatch Logs, EC2 and IAM, with conditions on IP, tags, dates and
//!   MFA), the new one a widening of the old (`s3:GetObject` → `s3:Get*`, a Deny removed, a CIDR
//!   widened, a later end date);
//! - `worlds_200_roles`: two generated `get-account-authorization-details` dumps of 200 roles
//!   each (trust, inline and attached customer and AWS managed policies), loaded into worlds;
//!   the new one widens five roles' inline policies and one team policy attached to five more.
//!
//! The allocator is the binary's, so the figures are those of the command.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark set-up on fixed, valid inputs"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use iam_harness::compare::{compare, world::compare_worlds};
use iam_harness::world::{load_file, LoadOptions};
use iam_harness::PolicyKind;
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNT: &str = "111122223333";
const ROLES: usize = 200;

/// The 6 KB identity policy; `wide` is the widened version.
fn policy(wide: bool) -> Value {
    let mut statements = Vec::new();
    for team in 0..18 {
        statements.push(json!({"Sid": format!("ReadTeam{team}"), "Effect": "Allow",
            "Action": if wide { json!(["s3:Get*", "s3:ListBucket"]) } else { json!(["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]) },
            "Resource": [format!("arn:aws:s3:::team-{team}-data"), format!("arn:aws:s3:::team-{team}-data/*")],
            "Condition": {"IpAddress": {"aws:SourceIp": if wide { "10.0.0.0/8" } else { "10.20.0.0/16" }}}}));
    }
    statements.push(json!({"Sid": "Tables", "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"],
        "Resource": [format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"), format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/index/*")],
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "status", "total", "customer"]}}}));
    statements.push(json!({"Sid": "Queues", "Effect": "Allow",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:orders-*")}));
    statements.push(
        json!({"Sid": "Keys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/*"),
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}),
    );
    statements.push(json!({"Sid": "Logs", "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/orders/*")}));
    statements.push(json!({"Sid": "Instances", "Effect": "Allow",
        "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
        "Resource": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"),
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
            "DateLessThan": {"aws:CurrentTime": if wide { "2026-12-31T00:00:00Z" } else { "2026-06-30T00:00:00Z" }}}}));
    statements.push(json!({"Sid": "OwnPrefix", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
        "Resource": "arn:aws:s3:::home-bucket/${aws:username}/*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"s3:max-keys": "100"}}}));
    statements.push(json!({"Sid": "PassOwn", "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": format!("arn:aws:iam::{ACCOUNT}:role/orders-*"),
        "Condition": {"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]}}}));
    if !wide {
        statements.push(
            json!({"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*",
            "Resource": "arn:aws:s3:::team-0-data/secret/*"}),
        );
    }
    statements.push(json!({"Sid": "NoIamWrites", "Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*", "iam:PassRole"],
        "Resource": format!("arn:aws:iam::{ACCOUNT}:*"),
        "Condition": {"StringNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:role/admin-*")}}}));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Role `index`; `wide` widens its inline policy.
fn role(index: usize, wide: bool) -> Value {
    let team = index % 40;
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]});
    let write = if wide {
        json!(["s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"])
    } else {
        json!(["s3:PutObject", "s3:DeleteObject"])
    };
    let inline = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTeamData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion"],
         "Resource": [format!("arn:aws:s3:::team-{team}-data"), format!("arn:aws:s3:::team-{team}-data/*")]},
        {"Sid": "WriteOwnPrefix", "Effect": "Allow", "Action": write,
         "Resource": format!("arn:aws:s3:::team-{team}-data/service-{index}/*"),
         "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/svc/{index}:*")},
        {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"StringNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:role/admin-*")}}}]});
    json!({"Path": "/svc/", "RoleName": format!("service-{index}"), "RoleId": format!("AROA{index:016}"),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/svc/service-{index}"), "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": "service", "PolicyDocument": inline}],
        "AttachedManagedPolicies": [
            {"PolicyName": format!("team-{team}"), "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/team-{team}")},
            {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Tags": [{"Key": "team", "Value": format!("team-{team}")}], "RoleLastUsed": {}})
}

fn team_policy(team: usize, wide: bool) -> Value {
    let actions = if wide {
        json!(["sqs:*"])
    } else {
        json!(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"])
    };
    json!({"PolicyName": format!("team-{team}"), "PolicyId": format!("ANPA{team:016}"),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/team-{team}"), "Path": "/", "DefaultVersionId": "v1",
        "AttachmentCount": 5, "IsAttachable": true, "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Queue", "Effect": "Allow", "Action": actions,
         "Resource": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:team-{team}-*")},
        {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
         "Resource": format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/team-{team}")}]},
        "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2024-01-01T00:00:00Z"}]})
}

fn write_dump(path: &std::path::Path, wide: bool) {
    let dump = json!({"UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": (0..ROLES).map(|i| role(i, wide && i % 40 == 7)).collect::<Vec<_>>(),
        "Policies": (0..40).map(|t| team_policy(t, wide && t == 3)).collect::<Vec<_>>()});
    std::fs::write(path, dump.to_string()).expect("writes");
}

fn bench(c: &mut Criterion) {
    let parse = |v: Value| {
        iam_harness::policy::parse_as(&v.to_string(), PolicyKind::Identity).expect("valid")
    };
    let (old, new) = (parse(policy(false)), parse(policy(true)));
    eprintln!(
        "policies: {} and {} bytes",
        policy(false).to_string().len(),
        policy(true).to_string().len()
    );
    let found = compare(&old, &new, PolicyKind::Identity);
    eprintln!(
        "policies: {} findings, {} requests evaluated",
        found.new_access.len(),
        found.evaluated
    );
    assert!(!found.new_access.is_empty());
    let dir = tempfile::tempdir().expect("temp dir");
    let (old_path, new_path) = (dir.path().join("old.json"), dir.path().join("new.json"));
    write_dump(&old_path, false);
    write_dump(&new_path, true);
    let options = LoadOptions::default();
    let old_world = load_file(&old_path, &options).expect("loads");
    let new_world = load_file(&new_path, &options).expect("loads");
    let worlds = compare_worlds(&old_world, &new_world).expect("compares");
    eprintln!(
        "worlds: {} findings, {} principals, {} pairs and {} requests evaluated",
        worlds.new_access.len(),
        worlds.principals,
        worlds.pairs_evaluated,
        worlds.evaluated
    );
    assert!(!worlds.new_access.is_empty());
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    group.bench_function("policies_6kb", |b| {
        b.iter(|| compare(&old, &new, PolicyKind::Identity))
    });
    group.bench_function("worlds_200_roles", |b| {
        b.iter(|| compare_worlds(&old_world, &new_world).expect("compares"))
    });
    group.bench_function("worlds_200_roles_identical", |b| {
        b.iter(|| compare_worlds(&old_world, &old_world).expect("compares"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
