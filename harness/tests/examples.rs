//! Every example under `examples/` is a suite that holds: `check` with its expectation file
//! (can, cannot, only, at-most and profile rules) against its source exits 0 and writes SARIF
//! 2.1.0, as the README walks a platform team through them.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

#[test]
fn every_example_suite_holds() {
    let suites = [
        ("dump", "authorization-details.json"),
        ("terraform", "plan.json"),
        ("cloudformation", "template.yaml"),
    ];
    let found: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for dir in &found {
        assert!(
            suites.iter().any(|(d, _)| d == dir),
            "examples/{dir} is not checked here"
        );
    }
    let temp = tempfile::tempdir().unwrap();
    for (dir, source) in suites {
        let folder = examples().join(dir);
        let expectations = std::fs::read_to_string(folder.join("expectations.yaml")).unwrap();
        for kind in ["can:", "cannot:", "only:", "at-most:", "profile:"] {
            assert!(expectations.contains(kind), "examples/{dir} uses `{kind}`");
        }
        let sarif = temp.path().join(format!("{dir}.sarif"));
        let out = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
            .arg("check")
            .arg(folder.join("expectations.yaml"))
            .arg("--from")
            .arg(folder.join(source))
            .arg("--sarif")
            .arg(&sarif)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "examples/{dir}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("0 violated"), "examples/{dir}: {text}");
        let sarif: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        assert_eq!(sarif["version"], "2.1.0", "examples/{dir}");
        assert_eq!(
            sarif["runs"][0]["results"].as_array().map(Vec::len),
            Some(0),
            "examples/{dir}"
        );
    }
}
