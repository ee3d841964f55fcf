//! `iam-harness check`: the example suites against the example dump — the passing one exits 0,
//! the failing one exits 1 naming each request, its why and the policy's source; JSON lists
//! every violation; JUnit is well-formed; SARIF validates against the vendored SARIF 2.1.0
//! schema; bad inputs exit 2 naming the file, the place in it and the reason. The JSON Schema
//! checks run Python's `jsonschema` (`pip install jsonschema`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> PathBuf {
    root().join("examples/dump").join(name)
}

/// Runs `check` with `args`: (exit status, standard output, standard error).
fn check(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("check-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Validates `instance` (a JSON file) against `schema` with Python's jsonschema, by the
/// schema's own draft.
fn validate(schema: &Path, instance: &Path) {
    if !has_jsonschema() {
        return;
    }
    let (valid, errors) = schema_errors(schema, instance);
    assert!(
        valid,
        "{} does not validate against {}:\n{errors}",
        instance.display(),
        schema.display()
    );
}

/// Whether Python's jsonschema is there to validate with. CI installs it (`.ci/run`) and
/// must have it; elsewhere a test that needs it says so and checks the rest.
fn has_jsonschema() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI must install jsonschema (pip install jsonschema)"
    );
    if !found {
        eprintln!(
            "note: python3 has no jsonschema; `pip install jsonschema` runs the schema checks"
        );
    }
    found
}

/// Whether `instance` validates against `schema`, and the errors.
fn schema_errors(schema: &Path, instance: &Path) -> (bool, String) {
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  cls = jsonschema.validators.validator_for(schema)\n\
                  cls.check_schema(schema)\n\
                  errors = [f'{list(e.absolute_path)}: {e.message}' for e in cls(schema).iter_errors(json.load(open(sys.argv[2])))]\n\
                  print('\\n'.join(errors)); sys.exit(1 if errors else 0)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .arg(instance)
        .output()
        .expect("python3 runs (the schema checks need it, with `pip install jsonschema`)");
    let errors = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !errors.contains("Traceback") || errors.contains("ValidationError"),
        "the schema check could not run (needs `pip install jsonschema`): {errors}"
    );
    (out.status.success(), errors)
}

#[test]
fn the_passing_suite_holds() {
    let (code, out, err) = check(&[
        example("expectations.yaml").as_os_str(),
        "--from".as_ref(),
        example("authorization-details.json").as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("7 expectations: 7 held, 0 violated"), "{out}");
    assert!(!err.contains("not in the catalogue"), "{err}");
}

#[test]
fn the_failing_suite_names_requests_whys_and_sources() {
    let d = dir("failing");
    let (junit, sarif) = (d.join("junit.xml"), d.join("check.sarif"));
    let (code, out, err) = check(&[
        example("failing.yaml").as_os_str(),
        "--from".as_ref(),
        example("authorization-details.json").as_os_str(),
        "--junit".as_ref(),
        junit.as_os_str(),
        "--sarif".as_ref(),
        sarif.as_os_str(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    for needle in [
        "FAIL",
        "principal arn:aws:iam::111122223333:user/deploy action iam:PassRole on arn:aws:iam::111122223333:role/app-api",
        "why: role passing belongs to the platform team alone",
        "GroupDetailList[0].GroupPolicyList[0]",
        "(PassAppRoles)",
        "RoleDetailList[2].AttachedManagedPolicies[0]",
        "[AWS managed policy snapshot of ",
        "Policies[0].PolicyVersionList[0].Document",
        "vpc-flow-logs.amazonaws.com cannot assume the role",
        "6 expectations: 0 held, 6 violated",
    ] {
        assert!(out.contains(needle), "`{needle}` missing from:\n{out}");
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 1, "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 6, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 6, "{xml}");
    assert!(xml.contains("time=\""), "{xml}");
    assert_eq!(
        xml.matches('<').count(),
        xml.matches('>').count(),
        "balanced tags"
    );
    validate(&root().join("schema/vendor/sarif-2.1.0.json"), &sarif);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 6, "{results:?}");
    let located = results.iter().any(|r| {
        r["ruleId"] == "cannot"
            && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("GroupDetailList[0].GroupPolicyList[0]")
            && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("examples/dump/authorization-details.json")
    });
    assert!(located, "{results:?}");
    let kinds: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
}

#[test]
fn json_lists_every_violation() {
    let (code, out, err) = check(&[
        example("failing.yaml").as_os_str(),
        "--from".as_ref(),
        example("authorization-details.json").as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert!(results.iter().all(|r| r["status"] == "fail"), "{out}");
    let violations: usize = results
        .iter()
        .map(|r| r["violations"].as_array().unwrap().len())
        .sum();
    assert_eq!(json["summary"]["violations"], violations);
    assert!(violations >= 6);
    let kinds: Vec<&str> = results
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["can", "cannot", "cannot", "only", "at-most", "profile"]
    );
    let only = &results[3]["violations"][0];
    assert_eq!(
        only["request"]["principal"],
        "arn:aws:iam::111122223333:user/deploy"
    );
    assert!(only["decided_by"][0]["source"]["location"]
        .as_str()
        .unwrap()
        .starts_with("GroupDetailList[0].GroupPolicyList[0]"));
    let at_most: Vec<&str> = results[4]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["request"]["action"].as_str().unwrap())
        .collect();
    for action in ["s3:ListBucket", "logs:CreateLogStream", "logs:PutLogEvents"] {
        assert!(at_most.contains(&action), "{at_most:?}");
    }
    assert!(!at_most.contains(&"s3:GetObject"), "{at_most:?}");
}

#[test]
fn bad_inputs_exit_2_with_file_place_and_reason() {
    let d = dir("bad");
    let dump = example("authorization-details.json");
    let cases = [
        (
            "unknown.yaml",
            "expectations:\n  - cann: s3:GetObject\n    why: typo\n",
            "expectations[0]: unknown field `cann`",
        ),
        (
            "two.yaml",
            "expectations:\n  - can: s3:GetObject\n    cannot: s3:PutObject\n    principal: \"*\"\n    resource: \"*\"\n    why: both\n",
            "expectations[0]: an expectation has exactly one of",
        ),
        (
            "selector.yaml",
            "expectations:\n  - cannot: s3:GetObject\n    principal: {role: \"nobody-*\"}\n    resource: \"*\"\n    why: x\n",
            "expectations[0].principal: the selector {role: nobody-*} matches no principal",
        ),
        (
            "notyaml.yaml",
            "expectations: [\n",
            "not YAML",
        ),
        (
            "profile.yaml",
            "expectations:\n  - profile: vpc-flow-logs\n    role: arn:aws:iam::111122223333:role/missing\n    why: x\n",
            "expectations[0].role: `arn:aws:iam::111122223333:role/missing` is not a role of the world",
        ),
    ];
    for (name, text, needle) in cases {
        let file = d.join(name);
        std::fs::write(&file, text).unwrap();
        let (code, out, err) = check(&[file.as_os_str(), "--from".as_ref(), dump.as_os_str()]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains(&file.display().to_string()), "{name}: {err}");
        assert!(
            err.contains(needle),
            "{name}: `{needle}` missing from {err}"
        );
    }
    let source = d.join("source.json");
    std::fs::write(&source, r#"{"RoleDetailList": [{"RoleName": "x"}]}"#).unwrap();
    let (code, _, err) = check(&[
        example("expectations.yaml").as_os_str(),
        "--from".as_ref(),
        source.as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{}: RoleDetailList[0].Arn", source.display())),
        "{err}"
    );
    let missing = d.join("missing.yaml");
    let (code, _, err) = check(&[missing.as_os_str(), "--from".as_ref(), dump.as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

#[test]
fn only_asks_the_principals_the_world_policies_name() {
    let d = dir("only");
    let file = d.join("only.yaml");
    std::fs::write(
        &file,
        "expectations:\n  - only: [ecs-tasks.amazonaws.com]\n    action: sts:AssumeRole\n    resource: arn:aws:iam::111122223333:role/flow-logs\n    context: {aws:SourceAccount: \"111122223333\", aws:SourceArn: \"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1\"}\n    why: x\n",
    )
    .unwrap();
    let (code, out, err) = check(&[
        file.as_os_str(),
        "--from".as_ref(),
        example("authorization-details.json").as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let violations = json["results"][0]["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{out}");
    assert_eq!(
        violations[0]["request"]["principal"],
        "vpc-flow-logs.amazonaws.com"
    );
    assert_eq!(
        violations[0]["decided_by"][0]["source"]["location"],
        "RoleDetailList[1].AssumeRolePolicyDocument"
    );
}

#[test]
fn a_scenario_world_is_checked_by_its_own_names() {
    let d = dir("scenario");
    let file = d.join("scenario.yaml");
    std::fs::write(
        &file,
        "expectations:\n  - profile: vpc-flow-logs\n    role: flow-logs-role\n    why: x\n  - principal: {role: \"*\"}\n    at-most: [\"logs:*\"]\n    why: y\n  - only: [flow-logs-service]\n    action: sts:AssumeRole\n    resource: flow-logs-role\n    context: {aws:SourceAccount: \"111122223333\", aws:SourceArn: \"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1\"}\n    why: z\n",
    )
    .unwrap();
    let (code, out, err) = check(&[
        file.as_os_str(),
        "--from".as_ref(),
        root().join("scenarios/vpc-flow-logs.json").as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn unknown_actions_and_keys_are_warnings() {
    let d = dir("warn");
    let file = d.join("typo.yaml");
    std::fs::write(
        &file,
        "expectations:\n  - cannot: s3:GetObjekt\n    principal: arn:aws:iam::111122223333:user/deploy\n    resource: \"*\"\n    context: {aws:SourceIpp: 203.0.113.5}\n    why: typo\n",
    )
    .unwrap();
    let (code, out, err) = check(&[
        file.as_os_str(),
        "--from".as_ref(),
        example("authorization-details.json").as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("warning:") && err.contains("`s3:GetObjekt` is not in the catalogue"),
        "{err}"
    );
    assert!(
        err.contains("`aws:SourceIpp` is not in the catalogue"),
        "{err}"
    );
}

#[test]
fn every_example_validates_against_the_expectation_schema() {
    let d = dir("schema");
    let schema = root().join("schema/expectations.schema.json");
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("examples/dump")).unwrap() {
        let path = entry.unwrap().path();
        let is_suite = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !is_suite {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.display().to_string();
        iam_harness::expect::load_text(&text, &file).unwrap();
        let value = iam_harness::expect::parse_text(&text, &file).unwrap();
        let json = d.join(format!(
            "{}.json",
            path.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::write(&json, value.to_string()).unwrap();
        validate(&schema, &json);
        seen += 1;
    }
    assert!(seen >= 2, "the example suites");
    for (name, bad) in [
        (
            "typo",
            r#"{"expectations":[{"cann":"s3:GetObject","why":"x"}]}"#,
        ),
        (
            "two-kinds",
            r#"{"expectations":[{"can":"s3:GetObject","cannot":"s3:PutObject","principal":"*","resource":"*","why":"x"}]}"#,
        ),
        (
            "no-why",
            r#"{"expectations":[{"can":"s3:GetObject","principal":"*","resource":"*"}]}"#,
        ),
        (
            "selector",
            r#"{"expectations":[{"can":"s3:GetObject","principal":{"role":"a","user":"b"},"resource":"*","why":"x"}]}"#,
        ),
    ] {
        let json = d.join(format!("bad-{name}.json"));
        std::fs::write(&json, bad).unwrap();
        assert!(
            !has_jsonschema() || !schema_errors(&schema, &json).0,
            "the schema accepts {name}"
        );
        assert!(
            iam_harness::expect::load_text(bad, "bad.json").is_err(),
            "the model accepts {name}"
        );
    }
}

#[test]
fn a_denial_shows_the_statement_that_almost_matched() {
    let dir = dir("near-miss");
    let file = dir.join("near.yaml");
    std::fs::write(
        &file,
        "expectations:\n  - principal: arn:aws:iam::111122223333:user/deploy\n    can: iam:PassRole\n    resource: arn:aws:iam::111122223333:role/app-api\n    why: deploys pass the app role\n",
    )
    .unwrap();
    let dump = example("authorization-details.json");
    let (code, out, err) = check(&[file.as_os_str(), "--from".as_ref(), dump.as_os_str()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("near miss: identity[0] statement 0 (PassAppRoles)")
            && out.contains("`StringEquals` on `iam:PassedToService`")
            && out.contains("the key is missing from the request")
            && out.contains("GroupDetailList[0].GroupPolicyList[0]"),
        "{out}"
    );
}
