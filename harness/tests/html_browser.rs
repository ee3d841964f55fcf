//! The compliance matrix opened in a real browser: `iam-harness report engines` writes the page,
//! headless Chromium renders it, and the rendered DOM must hold the matrix with the right cells.
//! The drill-down (a red cell's link opens its failing cases, with the case's policies) and the
//! badges (an SVG that parses and renders) are checked in the same browser.
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
    let page = format!("file://{}", out.join("index.html").display());
    let dom = dump_dom(&browser, profile.path(), &page);
    assert!(dom.contains(r#"<table id="matrix">"#), "{dom}");
    assert!(
        dom.contains("<th>reference</th><th>reference-generic</th>"),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<td class="good">1 / 0 / 0 / 0</td>"#),
        "{dom}"
    );
    let anchor = "fail-reference-generic-special-get-caller-identity";
    assert!(
        dom.contains(&format!(r##"<a href="#{anchor}">0 / 1 / 0 / 0</a>"##)),
        "{dom}"
    );
    assert!(
        dom.contains(&format!(r#"<details id="{anchor}">"#)),
        "closed until clicked: {dom}"
    );
    // The red cell's link: the script opens the failing cases, which show the case's policies.
    let clicked = dump_dom(&browser, profile.path(), &format!("{page}#{anchor}"));
    assert!(
        clicked.contains(&format!(r#"<details id="{anchor}" open="">"#)),
        "{clicked}"
    );
    assert!(
        clicked.contains("expected <b>allow</b>, got <b>explicit_deny</b>"),
        "{clicked}"
    );
    assert!(
        clicked.contains(r#""Effect": "Deny""#),
        "the case's policies: {clicked}"
    );
    assert!(
        dom.contains(r#"<img class="badge" src="badges/reference-generic.svg""#),
        "{dom}"
    );

    // The badges: the SVG parses (Chromium shows an XML error page otherwise) and renders.
    for badge in [
        "reference-generic.svg",
        "reference/special-get-caller-identity.svg",
    ] {
        let file = out.join("badges").join(badge);
        let svg = dump_dom(
            &browser,
            profile.path(),
            &format!("file://{}", file.display()),
        );
        assert!(
            svg.contains("<svg") && svg.contains("<title>"),
            "{badge}: {svg}"
        );
        assert!(
            !svg.contains("parsererror"),
            "{badge} does not parse: {svg}"
        );
    }
    let shot = dir.path().join("badge.png");
    let status = chromium_command(&browser, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=420,40")
        .arg(format!(
            "file://{}",
            out.join("badges/reference-generic.svg").display()
        ))
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 500,
        "{} bytes",
        png.len()
    );
}

fn chromium_command(browser: &std::path::Path, profile: &std::path::Path) -> Command {
    let mut command = Command::new(browser);
    command
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
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn dump_dom(browser: &std::path::Path, profile: &std::path::Path, url: &str) -> String {
    let output = chromium_command(browser, profile)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}
