//! The compliance matrix opened in a real browser: `iam-harness report engines` writes the page,
//! headless Chromium renders it, and the rendered DOM must hold the matrix with the right cells.
//! Runs when Chromium is installed (`/usr/bin/chromium` or `$CHROMIUM`); CI installs it and sets
//! `IAM_HARNESS_REQUIRE_BROWSER=1`, which turns a missing browser into a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

use std::path::PathBuf;
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let candidate = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    candidate.exists().then_some(candidate)
}

#[test]
fn the_matrix_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("IAM_HARNESS_REQUIRE_BROWSER").is_none(),
            "IAM_HARNESS_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus/special");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("gci.json"),
        r#"{"id":"special/gci","features":["special:get-caller-identity"],
        "source":["https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"],
        "policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}]},
        "tests":[{"name":"denied yet allowed","request":{"principal":"arn:aws:iam::111122223333:user/a",
          "action":"sts:GetCallerIdentity","resource":"*"},"expect":"allow"}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_iam-harness"))
        .args([
            "report",
            "engines",
            "corpus",
            "--engine",
            "reference",
            "--engine",
            "reference-generic",
            "--out",
        ])
        .arg(&out)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let profile = tempfile::tempdir().unwrap();
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", out.join("index.html").display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains(r#"<table id="matrix">"#), "{dom}");
    assert!(
        dom.contains("<th>reference</th><th>reference-generic</th>"),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<td class="good">1 / 0 / 0 / 0</td>"#),
        "{dom}"
    );
    assert!(
        dom.contains(
            r##"<a href="#fail-reference-generic-special-get-caller-identity">0 / 1 / 0 / 0</a>"##
        ),
        "{dom}"
    );
}
