//! The CI integrations, run as their users run them: the pre-commit hook of
//! `.pre-commit-hooks.yaml` through pre-commit itself (from PyPI) on a small sample repository,
//! and the steps of the GitHub Action `action.yml` through bash, each once with expectations
//! that hold (exit 0) and once with expectations that fail (exit 1). pre-commit must be
//! installed (`pip install pre-commit`); where it is not, the pre-commit test says so and passes
//! only outside CI (`CI` unset) — CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// PATH with the folder of the binary under test first, so hooks and actions find it.
fn path_with_binary() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_iam-harness"))
        .parent()
        .unwrap()
        .to_owned();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A sample repository: the example dump and its two expectation files, committed.
fn sample_repo(dir: &Path) {
    let examples = repo_root().join("examples/dump");
    for name in [
        "authorization-details.json",
        "expectations.yaml",
        "failing.yaml",
    ] {
        std::fs::copy(examples.join(name), dir.join(name)).unwrap();
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "policies"]);
}

/// A git repository holding this project's hook definition and hook script, committed; its
/// commit.
fn hook_repo(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::copy(
        repo_root().join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("scripts/pre-commit-check.sh"),
        dir.join("scripts/pre-commit-check.sh"),
    )
    .unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "hooks"]);
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_pre_commit_hook_passes_and_fails_like_check() {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pre-commit (pip install pre-commit)"
        );
        eprintln!("note: pre-commit is not installed; `pip install pre-commit` runs this test");
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let hooks = temp.path().join("hooks");
    let sample = temp.path().join("sample");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::create_dir_all(&sample).unwrap();
    let rev = hook_repo(&hooks);
    sample_repo(&sample);
    let run = |expectations: &str| {
        let config = format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: iam-harness-check\n    args: [{expectations}, --from, authorization-details.json]\n",
            hooks.display()
        );
        std::fs::write(sample.join(".pre-commit-config.yaml"), config).unwrap();
        Command::new("pre-commit")
            .args(["run", "--all-files", "--color", "never"])
            .current_dir(&sample)
            .env("PATH", path_with_binary())
            .env("PRE_COMMIT_HOME", temp.path().join("cache"))
            .output()
            .unwrap()
    };
    let passing = run("expectations.yaml");
    assert_eq!(passing.status.code(), Some(0), "{}", text(&passing));
    assert!(
        text(&passing).contains("iam-harness check"),
        "{}",
        text(&passing)
    );
    let failing = run("failing.yaml");
    assert_eq!(failing.status.code(), Some(1), "{}", text(&failing));
    assert!(text(&failing).contains("Failed"), "{}", text(&failing));
}

/// The `run` scripts of `action.yml`'s steps, with each step's `env` names.
fn action_steps() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["expectations", "from"] {
        assert_eq!(action["inputs"][input]["required"], true, "{input}");
    }
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let env = step["env"]
                .as_object()
                .map(|e| e.keys().cloned().collect())
                .unwrap_or_default();
            (step["run"].as_str().unwrap().to_owned(), env)
        })
        .collect()
}

#[test]
fn the_github_action_steps_run_check_and_write_sarif() {
    let steps = action_steps();
    assert_eq!(steps.len(), 2, "install, then check");
    let temp = tempfile::tempdir().unwrap();
    sample_repo(temp.path());
    let output = temp.path().join("github-output");
    let run_steps = |expectations: &str| -> Output {
        let mut last = None;
        for (script, env) in &steps {
            let mut command = Command::new("bash");
            command
                .args(["-e", "-c", script])
                .current_dir(temp.path())
                .env("PATH", path_with_binary())
                .env("GITHUB_OUTPUT", &output);
            for name in env {
                let value = match name.as_str() {
                    "ACTION_PATH" => repo_root().display().to_string(),
                    "EXPECTATIONS" => expectations.to_owned(),
                    "FROM" => "authorization-details.json".to_owned(),
                    "ARGS" => String::new(),
                    "SARIF" => "results.sarif".to_owned(),
                    "JUNIT" => "junit.xml".to_owned(),
                    other => panic!("action.yml passes an env `{other}` this test does not know"),
                };
                command.env(name, value);
            }
            let out = command.output().unwrap();
            if !out.status.success() {
                return out;
            }
            last = Some(out);
        }
        last.unwrap()
    };
    let passing = run_steps("expectations.yaml");
    assert_eq!(passing.status.code(), Some(0), "{}", text(&passing));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(temp.path().join("results.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(temp.path().join("junit.xml").exists());
    assert!(std::fs::read_to_string(&output)
        .unwrap()
        .contains("sarif=results.sarif"));
    let failing = run_steps("failing.yaml");
    assert_eq!(failing.status.code(), Some(1), "{}", text(&failing));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(temp.path().join("results.sarif")).unwrap())
            .unwrap();
    assert!(
        !sarif["runs"][0]["results"].as_array().unwrap().is_empty(),
        "violations are results"
    );
}
