//! `iam-harness compare`: exit codes and the JSON witness shape.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code: a failure should stop the test"
)]

use std::process::Command;

fn write(dir: &std::path::Path, name: &str, statements: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
    )
    .unwrap();
    path
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .arg("compare")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn exit_codes_and_witness() {
    let dir = std::env::temp_dir().join(format!("compare-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = write(
        &dir,
        "old.json",
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let new = write(
        &dir,
        "new.json",
        r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let (code, out) = run(&[
        "--old".as_ref(),
        old.as_os_str(),
        "--new".as_ref(),
        new.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &json["new_access"][0]["request"];
    assert!(
        first["action"].as_str().unwrap().starts_with("s3:Get"),
        "{first}"
    );
    let (code, _) = run(&[
        "--old".as_ref(),
        old.as_os_str(),
        "--new".as_ref(),
        old.as_os_str(),
    ]);
    assert_eq!(code, 0);
    let (code, _) = run(&[
        "--old".as_ref(),
        old.as_os_str(),
        "--new".as_ref(),
        dir.join("missing.json").as_os_str(),
    ]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}

/// An authorization-details dump of two roles: `app` allowed `actions` on `data/*`, `other`
/// trusting `trusted`.
fn dump(
    dir: &std::path::Path,
    name: &str,
    actions: &[&str],
    trusted: serde_json::Value,
) -> std::path::PathBuf {
    let role = |name: &str, actions: serde_json::Value, trusted: &serde_json::Value| {
        serde_json::json!({"Path": "/", "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::111122223333:role/{name}"), "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}]},
            "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
            "RolePolicyList": [{"PolicyName": "app", "PolicyDocument": {"Version": "2012-10-17",
                "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": actions,
                    "Resource": "arn:aws:s3:::data/*"}]}}]})
    };
    let lambda = serde_json::json!({"Service": "lambda.amazonaws.com"});
    let value = serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [role("app", serde_json::json!(actions), &lambda),
            role("other", serde_json::json!(["s3:ListBucket"]), &trusted)]});
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

fn eval_decision(world: &std::path::Path, request: &serde_json::Value) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iam-harness"));
    command
        .arg("eval")
        .arg("--from")
        .arg(world)
        .args(["--principal", request["principal"].as_str().unwrap()])
        .args(["--action", request["action"].as_str().unwrap()])
        .args(["--resource", request["resource"].as_str().unwrap()])
        .arg("--json");
    for (key, value) in request["context"].as_object().into_iter().flatten() {
        command
            .arg("--context")
            .arg(format!("{key}={}", value.as_str().unwrap()));
    }
    let out = command.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["decision"].as_str().unwrap().to_owned()
}

#[test]
fn worlds_widened_role_is_found_and_confirmed_by_eval() {
    let dir = tempfile::tempdir().unwrap();
    let lambda = serde_json::json!({"Service": "lambda.amazonaws.com"});
    let old = dump(dir.path(), "old.json", &["s3:GetObject"], lambda.clone());
    let new = dump(
        dir.path(),
        "new.json",
        &["s3:GetObject", "s3:PutObject"],
        lambda,
    );
    let (code, out) = run(&[
        "--old-from".as_ref(),
        old.as_os_str(),
        "--new-from".as_ref(),
        new.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = json["new_access"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        let request = &finding["request"];
        assert_eq!(
            request["principal"], "arn:aws:iam::111122223333:role/app",
            "{finding}"
        );
        assert_eq!(
            finding["actions"],
            serde_json::json!(["s3:PutObject"]),
            "{finding}"
        );
        assert_eq!(
            finding["new_statements"][0]["origin"]["location"],
            "RoleDetailList[0].RolePolicyList[0]"
        );
        assert_eq!(eval_decision(&new, request), "allow", "{request}");
        assert_ne!(eval_decision(&old, request), "allow", "{request}");
    }
    let (code, out) = run(&[
        "--old-from".as_ref(),
        old.as_os_str(),
        "--new-from".as_ref(),
        old.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, _) = run(&[
        "--old-from".as_ref(),
        old.as_os_str(),
        "--new-from".as_ref(),
        dir.path().join("missing.json").as_os_str(),
    ]);
    assert_eq!(code, 2);
}

#[test]
fn worlds_new_principal_and_public_trust() {
    let dir = tempfile::tempdir().unwrap();
    let lambda = serde_json::json!({"Service": "lambda.amazonaws.com"});
    let old = dump(dir.path(), "old.json", &["s3:GetObject"], lambda);
    let public = dump(
        dir.path(),
        "public.json",
        &["s3:GetObject"],
        serde_json::json!({"AWS": "*"}),
    );
    let (code, out) = run(&[
        "--old-from".as_ref(),
        old.as_os_str(),
        "--new-from".as_ref(),
        public.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        json["new_access"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["request"]["principal"] == "*"
                && f["request"]["action"] == "sts:AssumeRole"
                && f["request"]["resource"] == "arn:aws:iam::111122223333:role/other"),
        "{json}"
    );
    for (world, expected) in [(&public, 1), (&old, 0)] {
        let (code, out) = run(&[
            "--check".as_ref(),
            "no-public-access".as_ref(),
            "--new-from".as_ref(),
            world.as_os_str(),
        ]);
        assert_eq!(code, expected, "{out}");
    }
    for (world, expected) in [(&public, 0), (&old, 0)] {
        let (code, out) = run(&[
            "--check".as_ref(),
            "access-not-granted".as_ref(),
            "--actions".as_ref(),
            "s3:Put*,iam:*".as_ref(),
            "--new-from".as_ref(),
            world.as_os_str(),
        ]);
        assert_eq!(code, expected, "{out}");
    }
    let (code, out) = run(&[
        "--check".as_ref(),
        "access-not-granted".as_ref(),
        "--actions".as_ref(),
        "s3:GetObject".as_ref(),
        "--new-from".as_ref(),
        old.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let request = &json["new_access"][0]["request"];
    assert_eq!(request["action"], "s3:GetObject");
    assert_eq!(eval_decision(&old, request), "allow");
}

#[test]
fn checks_on_documents_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let identity = write(
        dir.path(),
        "id.json",
        r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let check = |actions: &str, resources: Option<&str>| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--check".as_ref(),
            "access-not-granted".as_ref(),
            "--actions".as_ref(),
            actions.as_ref(),
            "--new".as_ref(),
            identity.as_os_str(),
            "--json".as_ref(),
        ];
        if let Some(resources) = resources {
            args.extend(["--resources".as_ref(), resources.as_ref()] as [&std::ffi::OsStr; 2]);
        }
        run(&args)
    };
    assert_eq!(check("s3:PutObject", None).0, 0);
    assert_eq!(check("s3:GetObject*", Some("arn:aws:s3:::other/*")).0, 0);
    let (code, out) = check("s3:GetObjectA*", Some("arn:aws:s3:::b/*"));
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = json["new_access"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["actions"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"s3:GetObjectAcl") && actions.contains(&"s3:GetObjectAttributes"),
        "{actions:?}"
    );
    assert!(
        actions.iter().all(|a| a.starts_with("s3:GetObjectA")),
        "{actions:?}"
    );
    let public = write(
        dir.path(),
        "public.json",
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let own = write(
        dir.path(),
        "own.json",
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let (code, out) = run(&[
        "--check".as_ref(),
        "no-public-access".as_ref(),
        "--new".as_ref(),
        public.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(r#""principal": "*""#), "{out}");
    let (code, out) = run(&[
        "--check".as_ref(),
        "no-public-access".as_ref(),
        "--new".as_ref(),
        own.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}");
    // --kind is inferred: a document naming a Principal is a resource policy.
    let (code, out) = run(&[
        "--old".as_ref(),
        own.as_os_str(),
        "--new".as_ref(),
        public.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(r#""kind": "resource""#), "{out}");
}
