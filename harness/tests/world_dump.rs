//! `eval --from` on an account's authorization details: URL-encoded documents, the default
//! policy version only, group policies, AWS managed policies named by ARN only (the embedded
//! snapshot), permissions boundaries, role sessions, and bad dumps refused with the place.
#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;

use rstest::rstest;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/world/dump/account.json")
}

/// Runs `eval --from FILE… ARGS --json`; the exit status and the printed JSON (or stderr).
fn eval(from: &[&Path], args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iam-harness"));
    command.arg("eval");
    for file in from {
        command.arg("--from").arg(file);
    }
    let out = command.args(args).arg("--json").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let value = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        value,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DEPLOY: &str = "arn:aws:iam::111122223333:user/deploy";
const AUDITOR: &str = "arn:aws:iam::111122223333:user/people/auditor";
const APP: &str = "arn:aws:sts::111122223333:assumed-role/app-api/task";
const ADMIN: &str = "arn:aws:iam::111122223333:role/ops/admin";

#[rstest]
#[case::group_inline_url_encoded(
    DEPLOY,
    "iam:PassRole",
    "arn:aws:iam::111122223333:role/app-api",
    "allow"
)]
#[case::group_policy_pattern_has_no_path(
    DEPLOY,
    "iam:PassRole",
    "arn:aws:iam::111122223333:role/ops/admin",
    "implicit_deny"
)]
#[case::group_attached_customer_managed(DEPLOY, "ecs:UpdateService", "*", "allow")]
#[case::user_inline_with_variable(
    DEPLOY,
    "iam:CreateAccessKey",
    "arn:aws:iam::111122223333:user/deploy",
    "allow"
)]
#[case::variable_is_the_caller(
    DEPLOY,
    "iam:CreateAccessKey",
    "arn:aws:iam::111122223333:user/people/auditor",
    "implicit_deny"
)]
#[case::default_version_only(APP, "s3:PutObject", "arn:aws:s3:::app-data/k", "implicit_deny")]
#[case::default_version_grants(APP, "s3:GetObject", "arn:aws:s3:::app-data/k", "allow")]
#[case::snapshot_policy_within_boundary(
    AUDITOR,
    "iam:GetRole",
    "arn:aws:iam::111122223333:role/app-api",
    "allow"
)]
#[case::snapshot_policy_outside_boundary(AUDITOR, "ec2:DescribeInstances", "*", "implicit_deny")]
#[case::inline_deny_beats_admin(ADMIN, "organizations:LeaveOrganization", "*", "explicit_deny")]
#[case::dump_managed_document(ADMIN, "s3:DeleteBucket", "arn:aws:s3:::app-data", "allow")]
#[case::principal_tag_from_the_dump(
    APP,
    "sqs:SendMessage",
    "arn:aws:sqs:us-east-1:111122223333:data-jobs",
    "allow"
)]
#[case::principal_tag_is_the_roles(
    APP,
    "sqs:SendMessage",
    "arn:aws:sqs:us-east-1:111122223333:web-jobs",
    "implicit_deny"
)]
#[case::trust_policy_for_the_service(
    "ecs-tasks.amazonaws.com",
    "sts:AssumeRole",
    "arn:aws:iam::111122223333:role/app-api",
    "allow"
)]
#[case::trust_policy_admits_no_other_service(
    "ec2.amazonaws.com",
    "sts:AssumeRole",
    "arn:aws:iam::111122223333:role/app-api",
    "implicit_deny"
)]
fn decides_the_dump(
    #[case] principal: &str,
    #[case] action: &str,
    #[case] resource: &str,
    #[case] expect: &str,
) {
    let (code, value, stderr) = eval(
        &[&fixture()],
        &[
            "--principal",
            principal,
            "--action",
            action,
            "--resource",
            resource,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(value["decision"], expect, "{value}");
}

#[test]
fn the_dump_decides_like_the_same_policies_written_out() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // The deploy user's policies by hand: its inline policy, then its group's.
    let own = write(
        "own.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"OwnKeys","Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}"#,
    );
    let pass = write(
        "pass.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"PassAppRoles","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-*"}]}"#,
    );
    let deploy = write(
        "deploy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Deploy","Effect":"Allow","Action":["ecs:UpdateService","ecs:RegisterTaskDefinition"],"Resource":"*"}]}"#,
    );
    for (action, resource) in [
        ("iam:PassRole", "arn:aws:iam::111122223333:role/app-web"),
        ("iam:CreateAccessKey", DEPLOY),
        ("ecs:RegisterTaskDefinition", "*"),
        ("s3:GetObject", "arn:aws:s3:::app-data/k"),
    ] {
        let request = [
            "--principal",
            DEPLOY,
            "--action",
            action,
            "--resource",
            resource,
        ];
        let (_, from_world, _) = eval(&[&fixture()], &request);
        let mut by_hand = Command::new(env!("CARGO_BIN_EXE_iam-harness"));
        by_hand.arg("eval").args(request).arg("--json");
        for file in [&own, &pass, &deploy] {
            by_hand.arg("--identity").arg(file);
        }
        let out = by_hand.output().unwrap();
        let by_hand: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            from_world["decision"], by_hand["decision"],
            "{action} {resource}"
        );
        assert_eq!(
            from_world["explanation"]["decided_by"], by_hand["explanation"]["decided_by"],
            "{action} {resource}: the same statements decide"
        );
    }
}

#[test]
fn a_context_tag_overrides_the_principals_own() {
    let (_, value, _) = eval(
        &[&fixture()],
        &[
            "--principal",
            APP,
            "--action",
            "sqs:SendMessage",
            "--resource",
            "arn:aws:sqs:us-east-1:111122223333:data-jobs",
            "--context",
            "aws:PrincipalTag/team=web",
        ],
    );
    assert_eq!(value["decision"], "implicit_deny", "{value}");
}

#[test]
fn every_policy_is_named_by_where_it_came_from() {
    let (_, value, _) = eval(
        &[&fixture()],
        &[
            "--principal",
            DEPLOY,
            "--action",
            "iam:PassRole",
            "--resource",
            "arn:aws:iam::111122223333:role/app-api",
        ],
    );
    let decided = &value["explanation"]["decided_by"][0];
    let slot = decided["policy"].as_str().unwrap();
    let origin = &value["policies"][slot];
    assert_eq!(origin["name"], "pass-app-roles", "{value}");
    assert_eq!(
        origin["location"],
        "GroupDetailList[0].GroupPolicyList[0] (group deployers)"
    );
    let (_, value, _) = eval(
        &[&fixture()],
        &[
            "--principal",
            AUDITOR,
            "--action",
            "iam:GetRole",
            "--resource",
            "*",
        ],
    );
    assert_eq!(
        value["aws_managed_snapshot"]["slots"],
        serde_json::json!(["identity[0]"]),
        "{value}"
    );
    assert_eq!(
        value["policies"]["identity[0]"]["name"],
        "arn:aws:iam::aws:policy/SecurityAudit"
    );
}

/// A copy of the fixture with `edit` applied, in a temp folder.
fn edited(dir: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let mut dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    edit(&mut dump);
    let path = dir.join(name);
    std::fs::write(&path, dump.to_string()).unwrap();
    path
}

#[test]
fn bad_dumps_are_refused_with_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let request = [
        "--principal",
        DEPLOY,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ];
    let no_default = edited(dir.path(), "no-default.json", |d| {
        d["Policies"][0]["DefaultVersionId"] = "v9".into();
    });
    let (code, _, stderr) = eval(&[&no_default], &request);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no-default.json: Policies[0].PolicyVersionList: no version `v9`"),
        "{stderr}"
    );
    let bad_doc = edited(dir.path(), "bad-doc.json", |d| {
        d["RoleDetailList"][0]["AssumeRolePolicyDocument"] = 7.into();
    });
    let (code, _, stderr) = eval(&[&bad_doc], &request);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("RoleDetailList[0].AssumeRolePolicyDocument"),
        "{stderr}"
    );
    let no_group = edited(dir.path(), "no-group.json", |d| {
        d["GroupDetailList"] = serde_json::json!([]);
    });
    let (code, _, stderr) = eval(&[&no_group], &request);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("UserDetailList[0].GroupList[0]: no group `deployers`"),
        "{stderr}"
    );
    let missing_customer = edited(dir.path(), "missing.json", |d| {
        d["Policies"].as_array_mut().unwrap().remove(1);
    });
    let (code, _, stderr) = eval(&[&missing_customer], &request);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "`arn:aws:iam::111122223333:policy/deploy` is not among the dump's `Policies`"
        ),
        "{stderr}"
    );
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{\"UserDetailList\": [").unwrap();
    let (code, _, stderr) = eval(&[&not_json], &request);
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.json: line 1, column"), "{stderr}");
    let unknown = dir.path().join("other.json");
    std::fs::write(&unknown, "{\"hello\": 1}").unwrap();
    let (code, _, stderr) = eval(&[&unknown], &request);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("other.json: not a source iam-harness reads"),
        "{stderr}"
    );
}

#[test]
fn two_sources_defining_one_principal_clash() {
    let (code, _, stderr) = eval(
        &[&fixture(), &fixture()],
        &[
            "--principal",
            DEPLOY,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("principal `{DEPLOY}` is also defined by")),
        "{stderr}"
    );
}

#[test]
fn a_principal_outside_the_world_has_only_resource_policies() {
    let (code, value, stderr) = eval(
        &[&fixture()],
        &[
            "--principal",
            "arn:aws:iam::444455556666:role/outsider",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ADMIN,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(value["decision"], "implicit_deny", "{value}");
    let (code, _, stderr) = eval(
        &[&fixture()],
        &[
            "--principal",
            "not a principal",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("names no principal"), "{stderr}");
}
