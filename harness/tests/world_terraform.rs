//! Terraform worlds: `terraform show -json` plans and states loaded with
//! [`iam_harness::world::load_file`], requests built on them the way the CLI builds them, and
//! their decisions compared with those of the same policies written out by hand.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};

use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::scenario::{Expectation, Scenario};
use iam_harness::world::{detect, load_file, load_text, LoadOptions, SourceKind, World};
use iam_harness::{Decision, Evaluator};
use serde_json::{json, Value};

use Decision::{Allow, ExplicitDeny, ImplicitDeny};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/world/terraform")
        .join(name)
}

fn load(name: &str) -> World {
    load_file(&fixture(name), &LoadOptions::default()).unwrap()
}

/// One request: on the world (principal ARN, resource ARN) and on the hand-written scenario
/// (principal and resource names), with its context and the decision both must give.
struct Probe {
    principal: &'static str,
    by_hand: &'static str,
    action: &'static str,
    resource: &'static str,
    hand_resource: &'static str,
    context: Value,
    expect: Decision,
}

fn probe(
    principal: &'static str,
    by_hand: &'static str,
    action: &'static str,
    resource: &'static str,
    hand_resource: &'static str,
    context: Value,
    expect: Decision,
) -> Probe {
    Probe {
        principal,
        by_hand,
        action,
        resource,
        hand_resource,
        context,
        expect,
    }
}

fn decide_case(case: &iam_harness::Case) -> Decision {
    ReferenceEvaluator::new()
        .evaluate(case)
        .into_iter()
        .next()
        .and_then(|o| o.decision())
        .unwrap_or_else(|| panic!("{}: not decided", case.id))
}

/// The decision on the world, with the request built as the CLI builds it.
fn on_world(world: &World, file: &str, p: &Probe) -> Decision {
    let mut world = world.clone();
    let principal = world.principal_key(p.principal).unwrap();
    let target = world.target(p.resource);
    world.scenario.expectations.push(Expectation {
        name: "probe".into(),
        principal,
        action: p.action.into(),
        resource: target.as_str().to_owned(),
        context: p.context.as_object().cloned().unwrap_or_default(),
        expect: p.expect,
        why: "probe".into(),
        features: Vec::new(),
    });
    let cases = world.scenario.compile(file).unwrap();
    decide_case(&cases[0])
}

/// The decisions of the hand-written scenario, one per probe.
fn by_hand(mut scenario: Value, probes: &[Probe]) -> Vec<Decision> {
    let expectations: Vec<Value> = probes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({"name": format!("probe {i}"), "principal": p.by_hand, "action": p.action,
                   "resource": p.hand_resource, "context": p.context,
                   "expect": "allow", "why": "probe"})
        })
        .collect();
    scenario["expectations"] = Value::Array(expectations);
    let scenario: Scenario = serde_json::from_value(scenario).unwrap();
    let cases = scenario.compile("by-hand.json").unwrap();
    cases.iter().map(decide_case).collect()
}

fn check(world: &World, file: &str, hand: Value, probes: &[Probe]) {
    let hand = by_hand(hand, probes);
    for (p, hand) in probes.iter().zip(hand) {
        let got = on_world(world, file, p);
        let what = format!("{} {} {}", p.principal, p.action, p.resource);
        assert_eq!(got, p.expect, "world: {what}");
        assert_eq!(hand, p.expect, "by hand: {what}");
    }
}

const PROD: &str = "111122223333";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/ci/deploy";
const APP: &str = "arn:aws:iam::111122223333:role/app/app-api";
const BATCH: &str = "arn:aws:iam::111122223333:role/app/worker-batch";
const ALICE: &str = "arn:aws:iam::111122223333:user/people/alice";
const AUDIT: &str = "arn:aws:s3:::example-audit-logs";

fn allow(action: Value, resource: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

/// The plan fixture's policies, written out by hand.
fn plan_by_hand() -> Value {
    let full = allow(json!("*"), json!("*"));
    let guardrails = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]});
    let ecs_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let bucket = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::example-audit-logs/AWSLogs/111122223333/Config/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": PROD}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::example-audit-logs", "arn:aws:s3:::example-audit-logs/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    json!({
      "scenario": "plan by hand",
      "accounts": {"prod": {"id": PROD, "scp": [[full], [full, guardrails]]}},
      "principals": {
        "deploy": {"account": "prod", "role": "deploy", "path": "/ci/", "identity": [
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
             "Resource": "arn:aws:iam::111122223333:role/app/*",
             "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}]},
            allow(json!(["s3:PutObject", "s3:GetObject"]), json!("arn:aws:s3:::example-artifacts/*")),
            "arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        "app": {"account": "prod", "role": "app-api", "path": "/app/", "trust": ecs_trust, "identity": [
            "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
            allow(json!(["s3:GetObject", "s3:ListBucket"]),
                  json!(["arn:aws:s3:::example-artifacts", "arn:aws:s3:::example-artifacts/app/*"]))]},
        "batch": {"account": "prod", "role": "worker-batch", "path": "/app/", "identity": [
            allow(json!(["sqs:ReceiveMessage", "sqs:DeleteMessage"]),
                  json!("arn:aws:sqs:us-east-1:111122223333:batch-jobs"))]},
        "alice": {"account": "prod", "user": "alice", "path": "/people/", "identity": [
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-artifacts/*"},
              {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}]},
        "config": {"service": "config.amazonaws.com"},
        "ecs": {"service": "ecs-tasks.amazonaws.com"}
      },
      "resources": {"config-object": {"account": "prod",
          "arn": "arn:aws:s3:::example-audit-logs/AWSLogs/111122223333/Config/a.json", "policy": bucket}},
      "expectations": []
    })
}

#[test]
fn a_plan_decides_like_its_policies_written_by_hand() {
    let file = fixture("plan.json").display().to_string();
    let world = load("plan.json");
    let config_object = "arn:aws:s3:::example-audit-logs/AWSLogs/111122223333/Config/a.json";
    let delivery = |tls: bool| {
        json!({"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": PROD,
               "aws:SecureTransport": tls})
    };
    let probes = [
        probe(
            DEPLOY,
            "deploy",
            "iam:PassRole",
            APP,
            APP,
            json!({"iam:PassedToService": "ecs-tasks.amazonaws.com"}),
            Allow,
        ),
        probe(
            DEPLOY,
            "deploy",
            "iam:PassRole",
            APP,
            APP,
            json!({"iam:PassedToService": "lambda.amazonaws.com"}),
            ImplicitDeny,
        ),
        probe(
            DEPLOY,
            "deploy",
            "s3:PutObject",
            "arn:aws:s3:::example-artifacts/build.zip",
            "arn:aws:s3:::example-artifacts/build.zip",
            json!({}),
            Allow,
        ),
        probe(
            DEPLOY,
            "deploy",
            "s3:DeleteBucket",
            "arn:aws:s3:::example-artifacts",
            "arn:aws:s3:::example-artifacts",
            json!({}),
            ExplicitDeny,
        ),
        probe(
            DEPLOY,
            "deploy",
            "ec2:DescribeInstances",
            "*",
            "*",
            json!({}),
            Allow,
        ),
        probe(
            APP,
            "app",
            "s3:GetObject",
            "arn:aws:s3:::example-artifacts/app/config.json",
            "arn:aws:s3:::example-artifacts/app/config.json",
            json!({}),
            Allow,
        ),
        probe(
            APP,
            "app",
            "s3:PutObject",
            "arn:aws:s3:::example-artifacts/app/config.json",
            "arn:aws:s3:::example-artifacts/app/config.json",
            json!({}),
            ImplicitDeny,
        ),
        probe(
            APP,
            "app",
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app-api:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app-api:*",
            json!({}),
            Allow,
        ),
        probe(
            BATCH,
            "batch",
            "sqs:ReceiveMessage",
            "arn:aws:sqs:us-east-1:111122223333:batch-jobs",
            "arn:aws:sqs:us-east-1:111122223333:batch-jobs",
            json!({}),
            Allow,
        ),
        probe(
            BATCH,
            "batch",
            "sqs:ReceiveMessage",
            "arn:aws:sqs:us-east-1:111122223333:stream-jobs",
            "arn:aws:sqs:us-east-1:111122223333:stream-jobs",
            json!({}),
            ImplicitDeny,
        ),
        probe(
            ALICE,
            "alice",
            "s3:GetObject",
            "arn:aws:s3:::example-artifacts/x",
            "arn:aws:s3:::example-artifacts/x",
            json!({}),
            Allow,
        ),
        probe(
            ALICE,
            "alice",
            "s3:DeleteObject",
            "arn:aws:s3:::example-artifacts/x",
            "arn:aws:s3:::example-artifacts/x",
            json!({}),
            ExplicitDeny,
        ),
        probe(
            "config.amazonaws.com",
            "config",
            "s3:PutObject",
            config_object,
            "config-object",
            delivery(true),
            Allow,
        ),
        probe(
            "config.amazonaws.com",
            "config",
            "s3:PutObject",
            config_object,
            "config-object",
            delivery(false),
            ExplicitDeny,
        ),
        probe(
            "ecs-tasks.amazonaws.com",
            "ecs",
            "sts:AssumeRole",
            APP,
            "app",
            json!({}),
            Allow,
        ),
    ];
    check(&world, &file, plan_by_hand(), &probes);
}

#[test]
fn a_plan_keeps_origins_and_lists_what_it_left_out() {
    let world = load("plan.json");
    let keys: Vec<&str> = world
        .scenario
        .principals
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            APP,
            BATCH,
            "arn:aws:iam::111122223333:role/app/worker-stream",
            DEPLOY,
            ALICE
        ]
    );
    assert_eq!(world.scenario.resources.keys().collect::<Vec<_>>(), [AUDIT]);
    let origin = |owner: &str, slot: &str| {
        let o = &world.origins[&World::origin_key(owner, slot)];
        (o.location.as_str(), o.name.as_str())
    };
    assert_eq!(
        origin(DEPLOY, "identity[0]"),
        ("aws_iam_role.deploy.inline_policy[0]", "pass-app-roles")
    );
    assert_eq!(
        origin(DEPLOY, "identity[1]"),
        (
            "aws_iam_policy.deploy.policy",
            "arn:aws:iam::111122223333:policy/deploy-artifacts (attached by aws_iam_role_policy_attachment.deploy_artifacts.policy_arn)"
        )
    );
    assert_eq!(
        origin(APP, "trust"),
        (
            "module.app.aws_iam_role.this.assume_role_policy",
            "trust policy"
        )
    );
    assert_eq!(
        origin(ALICE, "identity[0]").1,
        "read-artifacts (group developers)"
    );
    assert_eq!(
        origin(AUDIT, "policy").0,
        "aws_s3_bucket_policy.audit.policy"
    );
    assert_eq!(origin(PROD, "scp[0][0]").1, "FullAWSAccess");
    assert_eq!(
        origin(PROD, "scp[1][1]").0,
        "aws_organizations_policy.guardrails.content"
    );
    let policy = world.scenario.principals[DEPLOY].identity[1].get();
    assert!(
        policy.starts_with(
            r#""{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"WriteArtifacts\""#
        ),
        "the exact text of the attribute, as a JSON string: {policy}"
    );
    let skipped: Vec<(&str, &str)> = world
        .skipped
        .iter()
        .map(|s| (s.location.as_str(), s.reason.as_str()))
        .collect();
    for (location, reason) in [
        (
            "aws_iam_role_policy_attachment.mystery.policy_arn",
            "policy_arn unknown until apply and its reference cannot be resolved",
        ),
        (
            "aws_kms_key.logs.arn",
            "arn unknown until apply: the resource cannot be keyed",
        ),
        (
            "aws_cloudwatch_log_group.app",
            "resource type `aws_cloudwatch_log_group` holds no policy iam-harness reads",
        ),
        (
            "module.app.data.aws_iam_policy_document.trust",
            "a data source: read only where a policy refers to its value",
        ),
    ] {
        assert!(
            skipped.contains(&(location, reason)),
            "{location}: {skipped:#?}"
        );
    }
    assert_eq!(skipped.len(), 4, "{skipped:#?}");
    assert!(world.skipped.iter().all(|s| s.file.ends_with("plan.json")));
}

const STORE: &str = "444455556666";
const READER: &str = "arn:aws:iam::444455556666:role/service/queue-reader";
const BOB: &str = "arn:aws:iam::444455556666:user/bob";
const QUEUE: &str = "arn:aws:sqs:eu-west-1:444455556666:jobs";
const KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn state_by_hand() -> Value {
    let rcp_full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let tls = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*",
        "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
    let reader = allow(
        json!([
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes"
        ]),
        json!(QUEUE),
    );
    json!({
      "scenario": "state by hand",
      "accounts": {"store": {"id": STORE, "rcp": [[rcp_full, tls], [rcp_full]]},
                   "partner": {"id": "777788889999"}},
      "principals": {
        "reader": {"account": "store", "role": "queue-reader", "path": "/service/",
                   "identity": [allow(json!("kms:Decrypt"), json!(KEY)), reader,
                                "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"],
                   "boundary": allow(json!(["sqs:*", "kms:Decrypt", "logs:*"]), json!("*"))},
        "bob": {"account": "store", "user": "bob", "identity": [reader, allow(json!("sqs:PurgeQueue"), json!(QUEUE))]},
        "partner": {"account": "partner", "root": true}
      },
      "resources": {
        "queue": {"account": "store", "arn": QUEUE, "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "sqs:SendMessage", "Resource": QUEUE}]}},
        "key": {"account": "store", "arn": KEY, "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": READER}, "Action": "kms:Decrypt", "Resource": "*"}]}}
      },
      "expectations": []
    })
}

#[test]
fn a_state_decides_like_its_policies_written_by_hand() {
    let file = fixture("state.json").display().to_string();
    let world = load("state.json");
    let tls = |on: bool| json!({"aws:SecureTransport": on});
    let probes = [
        probe(
            READER,
            "reader",
            "sqs:ReceiveMessage",
            QUEUE,
            "queue",
            tls(true),
            Allow,
        ),
        probe(
            READER,
            "reader",
            "sqs:ReceiveMessage",
            QUEUE,
            "queue",
            tls(false),
            ExplicitDeny,
        ),
        probe(
            READER,
            "reader",
            "sqs:PurgeQueue",
            QUEUE,
            "queue",
            tls(true),
            ImplicitDeny,
        ),
        probe(
            READER,
            "reader",
            "kms:Decrypt",
            KEY,
            "key",
            tls(true),
            Allow,
        ),
        probe(
            READER,
            "reader",
            "logs:PutLogEvents",
            "arn:aws:logs:eu-west-1:444455556666:log-group:/aws/lambda/reader:*",
            "arn:aws:logs:eu-west-1:444455556666:log-group:/aws/lambda/reader:*",
            tls(true),
            Allow,
        ),
        probe(
            READER,
            "reader",
            "s3:GetObject",
            "arn:aws:s3:::any/x",
            "arn:aws:s3:::any/x",
            tls(true),
            ImplicitDeny,
        ),
        probe(
            BOB,
            "bob",
            "sqs:PurgeQueue",
            QUEUE,
            "queue",
            tls(true),
            Allow,
        ),
        probe(
            BOB,
            "bob",
            "kms:Decrypt",
            KEY,
            "key",
            tls(true),
            ImplicitDeny,
        ),
        probe(
            "arn:aws:iam::777788889999:root",
            "partner",
            "sqs:SendMessage",
            QUEUE,
            "queue",
            tls(true),
            Allow,
        ),
        probe(
            "arn:aws:iam::777788889999:root",
            "partner",
            "sqs:SendMessage",
            QUEUE,
            "queue",
            tls(false),
            ExplicitDeny,
        ),
    ];
    check(&world, &file, state_by_hand(), &probes);
    assert_eq!(
        world.scenario.principals[READER].identity.len(),
        3,
        "a state lists a role's attachments in managed_policy_arns and inline_policy too: counted once"
    );
    let skipped: Vec<&str> = world.skipped.iter().map(|s| s.location.as_str()).collect();
    assert_eq!(skipped, ["aws_organizations_policy.tags"]);
}

#[test]
fn plans_and_states_are_told_apart_from_other_sources() {
    for name in ["plan.json", "state.json"] {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(detect(&value), Some(SourceKind::Terraform), "{name}");
    }
    assert_eq!(detect(&json!({"format_version": "1.0"})), None);
}

fn load_str(text: &str) -> Result<World, Vec<iam_harness::world::WorldError>> {
    load_text(text, "plan.json", &LoadOptions::default())
}

/// A small plan of one account: a role and what `extra` adds to its root module.
fn small_plan(extra: Value, changes: Value, config: Value) -> String {
    let mut resources = vec![
        json!({"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
        "values": {"name": "r", "path": "/", "arn": "arn:aws:iam::555566667777:role/r",
                   "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}}),
    ];
    resources.extend(extra.as_array().cloned().unwrap_or_default());
    json!({"format_version": "1.2", "terraform_version": "1.9.8",
           "planned_values": {"root_module": {"resources": resources}},
           "resource_changes": changes,
           "configuration": {"root_module": {"resources": config}}})
    .to_string()
}

#[test]
fn bad_input_names_the_file_the_address_and_the_reason() {
    let e = load_str("{\"format_version\": \"1.2\", \"planned_values\": {").unwrap_err();
    assert_eq!(e[0].file, "plan.json");
    assert!(e[0].location.starts_with("line 1"), "{e:?}");
    let broken = small_plan(
        json!([{"address": "module.m.aws_iam_role_policy.p[0]", "mode": "managed", "type": "aws_iam_role_policy", "name": "p",
                "index": 0, "values": {"role": "r", "name": "p", "policy": "{\"Version\": \"2012-10-17\", \"Statement\": ["}}]),
        json!([]),
        json!([]),
    );
    let e = load_str(&broken).unwrap_err();
    assert_eq!(e[0].location, "module.m.aws_iam_role_policy.p[0].policy");
    assert!(
        e[0].to_string().contains("not a JSON policy document"),
        "{}",
        e[0]
    );
    let e = load_str(r#"{"format_version": "2.0", "values": {"root_module": {}}}"#).unwrap_err();
    assert!(e[0].message.contains("not supported"), "{e:?}");
    let e = load_str(r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"type": "aws_iam_role"}]}}}"#)
        .unwrap_err();
    assert_eq!(
        e[0].location,
        "planned_values.root_module.resources[0].address"
    );
}

#[test]
fn attached_policy_arns_are_resolved_or_reported() {
    let attach = |arn: &str| {
        small_plan(
            json!([{"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment",
                    "name": "a", "values": {"role": "r", "policy_arn": arn}}]),
            json!([]),
            json!([]),
        )
    };
    let e = load_str(&attach("arn:aws:iam::555566667777:policy/elsewhere")).unwrap_err();
    assert_eq!(e[0].location, "aws_iam_role_policy_attachment.a.policy_arn");
    assert!(
        e[0].message.contains("not an aws_iam_policy of this file"),
        "{e:?}"
    );
    let world = load_str(&attach("arn:aws:iam::999999999999:policy/theirs")).unwrap();
    assert!(
        world.scenario.principals["arn:aws:iam::555566667777:role/r"]
            .identity
            .is_empty()
    );
    assert!(
        world.skipped[0]
            .reason
            .contains("a policy of account 999999999999"),
        "{:?}",
        world.skipped
    );
    let world = load_str(&attach("arn:aws:iam::aws:policy/ReadOnlyAccess")).unwrap();
    assert_eq!(
        world.scenario.principals["arn:aws:iam::555566667777:role/r"].identity[0].get(),
        "\"arn:aws:iam::aws:policy/ReadOnlyAccess\""
    );
}

#[test]
fn unknown_values_are_resolved_through_the_configuration_or_skipped() {
    let policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}";
    let plan = |references: Value| {
        small_plan(
            json!([
              {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
               "values": {"name": "p", "path": "/team/", "policy": policy}},
              {"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment",
               "name": "a", "values": {"role": "r"}},
              {"address": "aws_iam_role_policy.i", "mode": "managed", "type": "aws_iam_role_policy",
               "name": "i", "values": {"role": "r", "name": "i"}}]),
            json!([{"address": "aws_iam_policy.p", "change": {"after_unknown": {"arn": true, "id": true}}},
                   {"address": "aws_iam_role_policy_attachment.a", "change": {"after_unknown": {"policy_arn": true, "id": true}}},
                   {"address": "aws_iam_role_policy.i", "change": {"after_unknown": {"policy": true}}}]),
            json!([{"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment",
                    "name": "a", "expressions": {"policy_arn": {"references": references}}}]),
        )
    };
    let world = load_str(&plan(json!(["aws_iam_policy.p.arn", "aws_iam_policy.p"]))).unwrap();
    let role = "arn:aws:iam::555566667777:role/r";
    assert_eq!(world.scenario.principals[role].identity.len(), 1);
    assert_eq!(
        world.origins[&World::origin_key(role, "identity[0]")].name,
        "arn:aws:iam::555566667777:policy/team/p (attached by aws_iam_role_policy_attachment.a.policy_arn)",
        "the ARN computed from the policy's known path and name, in the account of the role's ARN"
    );
    assert_eq!(
        world
            .skipped
            .iter()
            .map(|s| (s.location.as_str(), s.reason.as_str()))
            .collect::<Vec<_>>(),
        [(
            "aws_iam_role_policy.i.policy",
            "policy unknown until apply and its reference cannot be resolved"
        )]
    );
    let world = load_str(&plan(json!(["var.policy_arn"]))).unwrap();
    assert!(world.scenario.principals[role].identity.is_empty());
    assert!(world.skipped.iter().any(|s| s.location
        == "aws_iam_role_policy_attachment.a.policy_arn"
        && s.reason == "policy_arn unknown until apply and its reference cannot be resolved"));
}

#[test]
fn the_account_and_region_of_a_plan_default_to_the_options() {
    let plan = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q", "values": {"name": "q"}}]}},
        "resource_changes": [{"address": "aws_sqs_queue.q", "change": {"after_unknown": {"arn": true, "url": true}}}]})
    .to_string();
    let options = LoadOptions {
        account: Some("210987654321".into()),
        region: Some("ap-south-1".into()),
        ..LoadOptions::default()
    };
    let world = load_text(&plan, "p.json", &options).unwrap();
    assert_eq!(
        world.scenario.resources.keys().collect::<Vec<_>>(),
        ["arn:aws:sqs:ap-south-1:210987654321:q"]
    );
    let world = load_text(&plan, "p.json", &LoadOptions::default()).unwrap();
    assert!(world
        .scenario
        .resources
        .contains_key("arn:aws:sqs:us-east-1:123456789012:q"));
}

#[test]
fn the_example_plan_loads_with_its_ci_role_app_roles_and_audit_bucket() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/terraform/plan.json");
    let file = path.display().to_string();
    let world = load_file(&path, &LoadOptions::default()).unwrap();
    let ci = "arn:aws:iam::123456789012:role/ci/github-deploy";
    let task = "arn:aws:iam::123456789012:role/app/shop-task";
    let execution = "arn:aws:iam::123456789012:role/app/shop-execution";
    let bucket = "arn:aws:s3:::example-audit-logs-123456789012";
    let keys: Vec<&str> = world
        .scenario
        .principals
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, [execution, task, ci]);
    assert_eq!(
        world.scenario.resources.keys().collect::<Vec<_>>(),
        [bucket]
    );
    let object = "arn:aws:s3:::example-audit-logs-123456789012/AWSLogs/123456789012/Config/x.json";
    let delivery = json!({"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "123456789012", "aws:SecureTransport": true});
    let ecs = json!({"iam:PassedToService": "ecs-tasks.amazonaws.com"});
    for (principal, action, resource, context, expect) in [
        (ci, "iam:PassRole", task, ecs.clone(), Allow),
        (ci, "iam:PassRole", execution, ecs, Allow),
        (
            ci,
            "iam:PassRole",
            task,
            json!({"iam:PassedToService": "lambda.amazonaws.com"}),
            ImplicitDeny,
        ),
        (ci, "iam:CreateRole", "*", json!({}), ImplicitDeny),
        (
            task,
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            json!({}),
            Allow,
        ),
        (
            execution,
            "ecr:GetAuthorizationToken",
            "*",
            json!({}),
            Allow,
        ),
        (
            "config.amazonaws.com",
            "s3:PutObject",
            object,
            delivery,
            Allow,
        ),
        (
            "config.amazonaws.com",
            "s3:DeleteObject",
            object,
            json!({"aws:SecureTransport": true}),
            ImplicitDeny,
        ),
    ] {
        let p = probe(principal, "", action, resource, "", context, expect);
        assert_eq!(
            on_world(&world, &file, &p),
            expect,
            "{principal} {action} {resource}"
        );
    }
    let skipped: Vec<&str> = world.skipped.iter().map(|s| s.location.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "aws_cloudwatch_log_group.shop",
            "data.aws_caller_identity.current",
            "data.aws_iam_policy_document.audit",
            "module.shop.data.aws_iam_policy_document.trust"
        ]
    );
}

#[test]
fn shared_attachments_legacy_bucket_policies_topics_and_ou_scps() {
    let doc = |s: Value| s.to_string();
    let sns = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}),
    );
    let bucket = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::555566667777:role/r"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::legacy-bucket/*"}]}),
    );
    let topic = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:555566667777:alerts"}]}),
    );
    let scp = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sns:DeleteTopic", "Resource": "*"}]}),
    );
    let r = |address: &str, kind: &str, values: Value| {
        let name = address.rsplit('.').next().unwrap();
        json!({"address": address, "mode": "managed", "type": kind, "name": name, "values": values})
    };
    let plan = small_plan(
        json!([
            r(
                "aws_iam_user.u",
                "aws_iam_user",
                json!({"name": "u", "path": "/", "arn": "arn:aws:iam::555566667777:user/u"})
            ),
            r(
                "aws_iam_policy.shared",
                "aws_iam_policy",
                json!({"name": "shared", "path": "/", "policy": sns,
              "arn": "arn:aws:iam::555566667777:policy/shared"})
            ),
            r(
                "aws_iam_policy_attachment.shared",
                "aws_iam_policy_attachment",
                json!({"name": "shared", "roles": ["r"],
              "users": ["u"], "groups": [], "policy_arn": "arn:aws:iam::555566667777:policy/shared"})
            ),
            r(
                "aws_s3_bucket.legacy",
                "aws_s3_bucket",
                json!({"bucket": "legacy-bucket", "policy": bucket})
            ),
            r(
                "aws_sns_topic.alerts",
                "aws_sns_topic",
                json!({"name": "alerts", "arn": "arn:aws:sns:us-east-1:555566667777:alerts"})
            ),
            r(
                "aws_sns_topic_policy.alerts",
                "aws_sns_topic_policy",
                json!({"arn": "arn:aws:sns:us-east-1:555566667777:alerts", "policy": topic})
            ),
            r(
                "aws_organizations_policy.deny",
                "aws_organizations_policy",
                json!({"id": "p-denysns", "type": "SERVICE_CONTROL_POLICY", "content": scp})
            ),
            r(
                "aws_organizations_policy_attachment.ou",
                "aws_organizations_policy_attachment",
                json!({"policy_id": "p-denysns", "target_id": "ou-ab12-cdef5678"})
            ),
            r(
                "aws_organizations_policy_attachment.full",
                "aws_organizations_policy_attachment",
                json!({"policy_id": "p-FullAWSAccess", "target_id": "r-ab12"})
            )
        ]),
        json!([]),
        json!([]),
    );
    let world = load_str(&plan).unwrap();
    assert!(world.skipped.is_empty(), "{:?}", world.skipped);
    let role = "arn:aws:iam::555566667777:role/r";
    let user = "arn:aws:iam::555566667777:user/u";
    let levels = world.scenario.accounts["555566667777"]
        .scp
        .as_ref()
        .unwrap();
    assert_eq!(
        levels.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 1],
        "root: FullAWSAccess and the OU's SCP; account: FullAWSAccess"
    );
    let alerts = "arn:aws:sns:us-east-1:555566667777:alerts";
    for (principal, action, resource, expect) in [
        (role, "sns:Publish", alerts, Allow),
        (user, "sns:Publish", alerts, Allow),
        (user, "sns:DeleteTopic", alerts, ExplicitDeny),
        ("events.amazonaws.com", "sns:Publish", alerts, Allow),
        (
            "events.amazonaws.com",
            "sns:DeleteTopic",
            alerts,
            ImplicitDeny,
        ),
        (role, "s3:GetObject", "arn:aws:s3:::legacy-bucket/k", Allow),
        (
            user,
            "s3:GetObject",
            "arn:aws:s3:::legacy-bucket/k",
            ImplicitDeny,
        ),
    ] {
        let p = probe(principal, "", action, resource, "", json!({}), expect);
        assert_eq!(
            on_world(&world, "plan.json", &p),
            expect,
            "{principal} {action} {resource}"
        );
    }
}

#[test]
fn a_module_variable_is_followed_to_the_caller() {
    let plan = json!({"format_version": "1.2", "terraform_version": "1.9.8",
      "planned_values": {"root_module": {
        "resources": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
          "values": {"name": "r", "path": "/", "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}}],
        "child_modules": [{"address": "module.m[\"blue\"]", "resources": [
          {"address": "module.m[\"blue\"].aws_iam_role_policy_attachment.a", "mode": "managed",
           "type": "aws_iam_role_policy_attachment", "name": "a",
           "values": {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}]}]}},
      "resource_changes": [
        {"address": "aws_iam_role.r", "change": {"after_unknown": {"arn": true, "id": true}}},
        {"address": "module.m[\"blue\"].aws_iam_role_policy_attachment.a", "change": {"after_unknown": {"role": true}}}],
      "configuration": {"root_module": {
        "resources": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "expressions": {}}],
        "module_calls": {"m": {"source": "./m", "for_each_expression": {"constant_value": ["blue"]},
          "expressions": {"role": {"references": ["aws_iam_role.r.id", "aws_iam_role.r"]}},
          "module": {"resources": [{"address": "aws_iam_role_policy_attachment.a", "mode": "managed",
            "type": "aws_iam_role_policy_attachment", "name": "a",
            "expressions": {"role": {"references": ["var.role"]}}}]}}}}}})
    .to_string();
    let options = LoadOptions {
        account: Some("210987654321".into()),
        ..LoadOptions::default()
    };
    let world = load_text(&plan, "plan.json", &options).unwrap();
    let role = "arn:aws:iam::210987654321:role/r";
    assert_eq!(
        world.scenario.principals[role].identity.len(),
        1,
        "{:?}",
        world.skipped
    );
    assert_eq!(
        world.origins[&World::origin_key(role, "identity[0]")].location,
        "module.m[\"blue\"].aws_iam_role_policy_attachment.a.policy_arn"
    );
}

#[test]
fn every_bad_policy_of_a_file_is_reported() {
    let bad = |address: &str| {
        json!({"address": address, "mode": "managed", "type": "aws_iam_role_policy_attachment",
               "name": address.rsplit('.').next().unwrap(), "values": {"role": "r", "policy_arn": "arn:aws:iam::555566667777:policy/missing"}})
    };
    let plan = small_plan(
        json!([bad("aws_iam_role_policy_attachment.a"), bad("aws_iam_role_policy_attachment.b"),
               {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
                "values": {"name": "p", "policy": "not json"}}]),
        json!([]),
        json!([]),
    );
    let e = load_str(&plan).unwrap_err();
    let locations: Vec<&str> = e.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            "aws_iam_policy.p.policy",
            "aws_iam_role_policy_attachment.a.policy_arn",
            "aws_iam_role_policy_attachment.b.policy_arn"
        ]
    );
}
