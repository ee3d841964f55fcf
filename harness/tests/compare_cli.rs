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
