//! CloudFormation templates as worlds: the decisions a world loaded from a template gives are
//! those of the same policies written out by hand, for the default parameters and for
//! overrides; values known only after deployment are listed, never guessed; bad templates
//! fail with the file and the place.

use std::path::{Path, PathBuf};

use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::scenario::{Expectation, Scenario};
use iam_harness::world::{load_file, load_text, LoadOptions, World};
use iam_harness::{Decision, Evaluator};

/// The helpers (in a `cfg(test)` module, where unwrapping is allowed).
#[cfg(test)]
mod support {
    use super::*;

    pub fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/world/cloudformation")
            .join(name)
    }

    pub fn load(name: &str, parameters: &[(&str, &str)]) -> World {
        let mut options = LoadOptions::default();
        for (k, v) in parameters {
            options.parameters.insert((*k).into(), (*v).into());
        }
        load_file(&fixture(name), &options).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The decision for one request against the world's scenario.
    pub fn decide(
        scenario: &mut Scenario,
        principal: &str,
        action: &str,
        resource: &str,
        context: &[(&str, &str)],
    ) -> Decision {
        scenario.expectations = vec![Expectation {
            name: "probe".into(),
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
            context: context
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect(),
            expect: Decision::Allow,
            why: "probe".into(),
            features: Vec::new(),
        }];
        let cases = scenario
            .compile("probe.json")
            .unwrap_or_else(|e| panic!("{e}"));
        let outcome = ReferenceEvaluator::new().evaluate(&cases[0]);
        outcome[0].decision().expect("decided")
    }

    /// The decision in a world loaded from a template, naming principal and resource by ARN.
    pub fn in_world(
        world: &mut World,
        principal: &str,
        action: &str,
        resource: &str,
        context: &[(&str, &str)],
    ) -> Decision {
        let principal = world.principal_key(principal).expect("a principal");
        let target = world.target(resource).as_str().to_owned();
        decide(&mut world.scenario, &principal, action, &target, context)
    }
}

use support::{decide, fixture, in_world, load};

/// A request and its expected decision: principal, action, resource, context, decision.
type Probe<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    Decision,
);

/// A probe of a loaded world and of the world written by hand: principal ARN, key by hand,
/// action, resource, resource by hand, context, decision.
type PairedProbe<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    Decision,
);

/// The app template's world for `Env=dev`, written out by hand.
const BY_HAND: &str = r#"{
  "scenario": "by-hand",
  "accounts": { "a": { "id": "123456789012" } },
  "principals": {
    "app": { "account": "a", "role": "stack-app", "path": "/app/",
      "identity": [
        { "Version": "2012-10-17", "Statement": [
          { "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::app-data-bucket/dev/*" },
          { "Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-aaa" } ] },
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" ],
      "trust": { "Version": "2012-10-17", "Statement": [
        { "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" } ] } },
    "alice": { "account": "a", "user": "alice",
      "identity": [ { "Statement": [ { "Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs-main" } ] } ] },
    "worker": { "account": "a", "role": "WorkerRole",
      "identity": [ { "Statement": [ { "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/app/dev:*" } ] } ] },
    "lambda": { "service": "lambda.amazonaws.com" }
  },
  "resources": {
    "object": { "account": "a", "arn": "arn:aws:s3:::app-data-bucket/dev/report.csv",
      "policy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "DenyDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::app-data-bucket/*" },
        { "Sid": "AppReads", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::123456789012:role/app/stack-app" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-data-bucket/*" } ] } },
    "queue": { "account": "a", "arn": "arn:aws:sqs:us-east-1:123456789012:jobs-main",
      "policy": { "Statement": [ { "Effect": "Deny", "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs-main",
                                   "Condition": { "Bool": { "aws:SecureTransport": "false" } } } ] } },
    "logs": { "account": "a", "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/dev:*" }
  },
  "expectations": []
}"#;

const APP: &str = "arn:aws:iam::123456789012:role/app/stack-app";
const OBJECT: &str = "arn:aws:s3:::app-data-bucket/dev/report.csv";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:jobs-main";
const LOGS: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/app/dev:*";

#[test]
fn yaml_template_decides_like_its_policies_written_by_hand() {
    let mut world = load("app.yaml", &[]);
    let mut by_hand: Scenario = serde_json::from_str(BY_HAND).unwrap();
    let probes: &[PairedProbe] = &[
        (
            APP,
            "app",
            "s3:GetObject",
            OBJECT,
            "object",
            &[],
            Decision::Allow,
        ),
        (
            APP,
            "app",
            "s3:PutObject",
            OBJECT,
            "object",
            &[],
            Decision::Allow,
        ),
        (
            APP,
            "app",
            "s3:PutObject",
            "arn:aws:s3:::app-data-bucket/prod/x",
            "arn:aws:s3:::app-data-bucket/prod/x",
            &[],
            Decision::ImplicitDeny,
        ),
        (
            APP,
            "app",
            "s3:DeleteObject",
            OBJECT,
            "object",
            &[],
            Decision::ExplicitDeny,
        ),
        (
            APP,
            "app",
            "logs:CreateLogStream",
            "*",
            "*",
            &[],
            Decision::Allow,
        ),
        (
            APP,
            "app",
            "ec2:DescribeSubnets",
            "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-aaa",
            "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-aaa",
            &[],
            Decision::Allow,
        ),
        (
            APP,
            "app",
            "iam:PassRole",
            "*",
            "*",
            &[],
            Decision::ImplicitDeny,
        ),
        (
            "lambda.amazonaws.com",
            "lambda",
            "sts:AssumeRole",
            APP,
            "app",
            &[],
            Decision::Allow,
        ),
        (
            "arn:aws:iam::123456789012:user/alice",
            "alice",
            "sqs:ReceiveMessage",
            QUEUE,
            "queue",
            &[("aws:SecureTransport", "true")],
            Decision::Allow,
        ),
        (
            "arn:aws:iam::123456789012:user/alice",
            "alice",
            "sqs:ReceiveMessage",
            QUEUE,
            "queue",
            &[("aws:SecureTransport", "false")],
            Decision::ExplicitDeny,
        ),
        (
            "logical:WorkerRole",
            "worker",
            "logs:PutLogEvents",
            LOGS,
            "logs",
            &[],
            Decision::Allow,
        ),
    ];
    for (arn, key, action, resource, hand_resource, context, expected) in probes {
        let got = in_world(&mut world, arn, action, resource, context);
        let hand = decide(&mut by_hand, key, action, hand_resource, context);
        assert_eq!(
            (got, hand),
            (*expected, *expected),
            "{arn} {action} {resource}"
        );
    }
    let origins = world.case_origins(APP, OBJECT, "s3:GetObject");
    let resource = origins.get("resource").expect("the bucket policy's origin");
    assert_eq!(
        resource.location,
        "Resources.DataBucketPolicy.Properties.PolicyDocument"
    );
    let first = origins
        .get("identity[0]")
        .expect("the inline policy's origin");
    assert_eq!(
        first.location,
        "Resources.AppRole.Properties.Policies[0].PolicyDocument"
    );
    assert_eq!(first.name, "write-data");
    assert!(first.file.ends_with("app.yaml"));
}

#[test]
fn generated_names_conditions_and_other_types_are_listed() {
    let world = load("app.yaml", &[]);
    let listed = |location: &str, needle: &str| {
        world
            .skipped
            .iter()
            .any(|s| s.location.starts_with(location) && s.reason.contains(needle))
    };
    assert!(
        listed(
            "Resources.PassWorker.Properties.PolicyDocument",
            "sets no RoleName"
        ),
        "{:#?}",
        world.skipped
    );
    assert!(listed("Resources.WorkerRole", "`logical:WorkerRole`"));
    assert!(listed(
        "Resources.ProdAuditRole",
        "condition `IsProd` is false"
    ));
    assert!(listed(
        "Resources.Box",
        "AWS::EC2::Instance: not a policy-bearing resource"
    ));
    assert!(!world
        .scenario
        .principals
        .contains_key("arn:aws:iam::123456789012:role/prod-audit"));
}

#[test]
fn parameters_and_pseudo_parameters_can_be_overridden() {
    let mut world = load(
        "app.yaml",
        &[
            ("Env", "prod"),
            ("BucketName", "other"),
            ("AWS::StackName", "live"),
        ],
    );
    let app = "arn:aws:iam::123456789012:role/app/live-app";
    assert_eq!(
        in_world(
            &mut world,
            app,
            "s3:PutObject",
            "arn:aws:s3:::other/prod/x",
            &[]
        ),
        Decision::Allow
    );
    assert_eq!(
        in_world(
            &mut world,
            app,
            "s3:DeleteObject",
            "arn:aws:s3:::elsewhere/x",
            &[]
        ),
        Decision::Allow,
        "Fn::If picked the prod branch"
    );
    assert_eq!(
        in_world(
            &mut world,
            app,
            "s3:DeleteObject",
            "arn:aws:s3:::other/x",
            &[]
        ),
        Decision::ExplicitDeny,
        "the bucket policy follows the bucket's new name"
    );
    assert!(world
        .scenario
        .principals
        .contains_key("arn:aws:iam::123456789012:role/prod-audit"));
    let mut options = LoadOptions {
        region: Some("eu-west-1".into()),
        account: Some("111122223333".into()),
        ..LoadOptions::default()
    };
    options.parameters.insert("Team".into(), "web".into());
    let mut world = load_file(&fixture("imports.json"), &options).unwrap();
    let deployer = "arn:aws:iam::111122223333:role/deployer";
    assert_eq!(
        in_world(
            &mut world,
            deployer,
            "s3:GetObject",
            "arn:aws:s3:::west-artifacts/web/x",
            &[]
        ),
        Decision::Allow,
        "Fn::Sub with a variable map from Fn::FindInMap on the region"
    );
    assert_eq!(
        in_world(
            &mut world,
            deployer,
            "s3:GetObject",
            "arn:aws:s3:::east-artifacts/web/x",
            &[]
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        in_world(
            &mut world,
            "codebuild.amazonaws.com",
            "sts:AssumeRole",
            deployer,
            &[]
        ),
        Decision::Allow,
        "a trust policy given as JSON text"
    );
    assert!(world.skipped.iter().any(|s| s.location
        == "Resources.Deployer.Properties.Policies[1].PolicyDocument.Statement[0].Resource.Fn::ImportValue"
        && s.reason.contains("another stack's export")));
    let key = "arn:aws:kms:eu-west-1:111122223333:key/Key";
    assert_eq!(
        in_world(
            &mut world,
            "arn:aws:iam::111122223333:user/ops",
            "kms:Decrypt",
            key,
            &[]
        ),
        Decision::ImplicitDeny,
        "the key policy delegates to IAM, and ops has no policy"
    );
    assert!(world.scenario.resources[key].policy.is_some());
}

#[test]
fn bad_templates_name_the_file_and_the_place() {
    let e = load_file(&fixture("bad.yaml"), &LoadOptions::default()).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(e[0].file.ends_with("bad.yaml"), "{e:?}");
    assert!(e[0].location.starts_with("line 5"), "{e:?}");
    let e = load_file(&fixture("imports.json"), &LoadOptions::default()).unwrap_err();
    assert!(
        e.iter().any(|e| e
            .location
            .contains("Resources.Deployer.Properties.Policies[0]")
            && e.message.contains("the parameter `Team` has no value")),
        "{e:?}"
    );
    let text =
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref Nope\n";
    let e = load_text(text, "t.yaml", &LoadOptions::default()).unwrap_err();
    assert_eq!(e[0].location, "Resources.R.Properties.RoleName.Ref");
    assert!(
        e[0].message.contains("no parameter or resource `Nope`"),
        "{e:?}"
    );
    let mut options = LoadOptions::default();
    options.parameters.insert("Env".into(), "staging".into());
    let e = load_file(&fixture("app.yaml"), &options).unwrap_err();
    assert!(e.iter().any(|e| e.location == "Parameters.Env"), "{e:?}");
    let cycle = "Resources:\n  A:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt B.Arn\n  B:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt A.Arn\n";
    let e = load_text(cycle, "c.yaml", &LoadOptions::default()).unwrap_err();
    assert!(e.iter().any(|e| e.message.contains("too deep")), "{e:?}");
}

#[test]
fn the_example_template_holds_the_lambda_firehose_world() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/cloudformation/template.yaml");
    let mut world = load_file(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let function = "arn:aws:iam::123456789012:role/service-role/dev-ingest-function";
    let delivery = "arn:aws:iam::123456789012:role/dev-firehose-delivery";
    let ops = "arn:aws:iam::123456789012:role/dev-ingest-ops";
    let stream = "arn:aws:firehose:us-east-1:123456789012:deliverystream/dev-ingest";
    let object = "arn:aws:s3:::123456789012-dev-archive/records/2026/part-1";
    for key in [function, delivery, ops] {
        assert!(world.scenario.principals.contains_key(key), "{key}");
    }
    for arn in [
        "arn:aws:s3:::123456789012-dev-archive",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/kinesisfirehose/dev-ingest:*",
        stream,
        "arn:aws:lambda:us-east-1:123456789012:function:dev-ingest",
    ] {
        assert!(world.scenario.resources.contains_key(arn), "{arn}");
    }
    let tls = [("aws:SecureTransport", "true")];
    let probes: &[Probe] = &[
        (
            function,
            "firehose:PutRecordBatch",
            stream,
            &[],
            Decision::Allow,
        ),
        (
            function,
            "ec2:CreateNetworkInterface",
            "*",
            &[],
            Decision::Allow,
        ),
        (
            function,
            "s3:PutObject",
            object,
            &tls,
            Decision::ExplicitDeny,
        ),
        (delivery, "s3:PutObject", object, &tls, Decision::Allow),
        (
            delivery,
            "s3:PutObject",
            object,
            &[("aws:SecureTransport", "false")],
            Decision::ExplicitDeny,
        ),
        (
            ops,
            "iam:PassRole",
            delivery,
            &[("iam:PassedToService", "firehose.amazonaws.com")],
            Decision::Allow,
        ),
        (
            ops,
            "iam:PassRole",
            delivery,
            &[("iam:PassedToService", "lambda.amazonaws.com")],
            Decision::ImplicitDeny,
        ),
        (ops, "s3:DeleteObject", object, &tls, Decision::ImplicitDeny),
        (
            "firehose.amazonaws.com",
            "sts:AssumeRole",
            delivery,
            &[("sts:ExternalId", "123456789012")],
            Decision::Allow,
        ),
        (
            "firehose.amazonaws.com",
            "sts:AssumeRole",
            delivery,
            &[],
            Decision::ImplicitDeny,
        ),
    ];
    for (principal, action, resource, context, expected) in probes {
        let got = in_world(&mut world, principal, action, resource, context);
        assert_eq!(
            got, *expected,
            "{principal} {action} {resource} {context:?}"
        );
    }
    let mut prod = load_file(&path, &{
        let mut o = LoadOptions::default();
        o.parameters.insert("Stage".into(), "prod".into());
        o
    })
    .unwrap();
    let object = "arn:aws:s3:::123456789012-prod-archive/records/x";
    assert_eq!(
        in_world(
            &mut prod,
            "arn:aws:iam::123456789012:role/prod-ingest-ops",
            "s3:DeleteObject",
            object,
            &tls
        ),
        Decision::Allow
    );
}

#[test]
fn templates_are_told_apart_by_content() {
    use iam_harness::world::{detect, SourceKind};
    let json = |text: &str| detect(&serde_json::from_str(text).unwrap());
    assert_eq!(
        json(r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#),
        Some(SourceKind::CloudFormation)
    );
    assert_eq!(
        json(r#"{"Resources": {}}"#),
        Some(SourceKind::CloudFormation)
    );
    assert_eq!(json(r#"{"Resources": []}"#), None);
    let world = load_text(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: b}\n",
        "t.template",
        &LoadOptions::default(),
    )
    .unwrap();
    assert!(world.scenario.resources.contains_key("arn:aws:s3:::b"));
    let e = load_text("{\"a\": ", "t.json", &LoadOptions::default()).unwrap_err();
    assert!(e[0].message.starts_with("not JSON"), "{e:?}");
}

#[test]
fn intrinsics_resolve_as_cloudformation_does() {
    let text = r#"
Parameters:
  Names: {Type: "List<String>", Default: "a,b,c"}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument: {Statement: []}
      Policies:
        - PolicyName: !Join ["-", !Ref Names]
          PolicyDocument:
            Statement:
              - Effect: Allow
                Sid: !Select [2, !Split ["/", "x/y/z"]]
                Action: s3:GetObject
                Resource: !Sub "arn:aws:s3:::${!Literal}/${AWS::URLSuffix}"
                NotResource: !Ref AWS::NoValue
                Condition:
                  StringEquals:
                    aws:RequestTag/b64: !Base64 hi
        - PolicyName: zones
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ec2:RunInstances, Resource: !Select [0, !GetAZs ""]}
"#;
    let world = load_text(text, "t.yaml", &LoadOptions::default()).unwrap();
    let role = &world.scenario.principals["arn:aws:iam::123456789012:role/r"];
    assert_eq!(
        role.identity.len(),
        1,
        "the policy with Fn::GetAZs is left out"
    );
    let doc: String = serde_json::from_str(role.identity[0].get()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"Statement": [{
            "Effect": "Allow", "Sid": "z", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::${Literal}/amazonaws.com",
            "Condition": {"StringEquals": {"aws:RequestTag/b64": "aGk="}}
        }]})
    );
    let origin = &world.origins["arn:aws:iam::123456789012:role/r#identity[0]"];
    assert_eq!(origin.name, "a-b-c");
    assert!(world.skipped.iter().any(|s| s.location
        == "Resources.R.Properties.Policies[1].PolicyDocument.Statement[0].Resource.Fn::Select[1].Fn::GetAZs"
        && s.reason.contains("availability zones")), "{:#?}", world.skipped);
}
