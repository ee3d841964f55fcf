//! The HTML compliance matrix: engines × features, each cell the pass / fail / skip / error
//! counts of that engine on the cases of that feature. A red cell drills down: it links to (and
//! a few lines of inline script open) the list of its failing tests further down the page, each
//! test a `<details>` with expected and got, the engine's message and the case's policies. The
//! engines' badges (`badges/`, [`super::badge`]) are shown and linked. One static page with no
//! external asset, so it opens from the file system; every text from cases and engines is
//! escaped ([`markup`]).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::badge::file_name;
use super::escape::markup as escape;
use super::markdown::{by_feature, Counts};
use crate::engine::EngineInfo;
use crate::runner::{Status, TestResult};

/// One engine's results, as the matrix shows them.
pub struct EngineResults<'a> {
    /// Who the engine is.
    pub info: &'a EngineInfo,
    /// Its results on the corpus.
    pub results: &'a [TestResult],
}

fn anchor(engine: &str, feature: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    };
    format!("fail-{}-{}", clean(engine), clean(feature))
}

fn cell_class(c: &Counts) -> &'static str {
    if c.fail + c.error > 0 {
        "bad"
    } else if c.pass > 0 {
        "good"
    } else {
        "skip"
    }
}

/// Opens the `<details>` the address names (a red cell's link), and those around it.
const OPEN_TARGET: &str = "<script>function openTarget(){var e=document.getElementById(decodeURIComponent(location.hash.slice(1)));for(;e;e=e.parentElement){if(e.tagName==='DETAILS'){e.open=true;}}}window.addEventListener('hashchange',openTarget);window.addEventListener('DOMContentLoaded',openTarget);</script>";

/// Renders the matrix page; `policies` maps case ids to their policies (JSON) for the
/// drill-down (a case missing there shows none).
pub fn render(engines: &[EngineResults<'_>], policies: &BTreeMap<String, String>) -> String {
    let tables: Vec<BTreeMap<String, Counts>> =
        engines.iter().map(|e| by_feature(e.results)).collect();
    let mut features: Vec<&String> = tables.iter().flat_map(|t| t.keys()).collect();
    features.sort();
    features.dedup();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>iam-harness compliance matrix</title>\n<style>\nbody{{font-family:system-ui,sans-serif;margin:2em;color:#222}}\ntable{{border-collapse:collapse;font-size:14px}}\nth,td{{border:1px solid #ccc;padding:4px 8px;text-align:center}}\nth.f,td.f{{text-align:left;font-family:monospace}}\ntd.good{{background:#d8f5d0}}td.bad{{background:#f8d0d0}}td.skip{{background:#eee;color:#777}}\ncaption{{text-align:left;font-weight:bold;margin-bottom:.5em}}\ndetails{{margin:.3em 0}}summary{{cursor:pointer}}pre{{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}}\nimg.badge{{vertical-align:middle;margin-right:.5em}}\n</style>\n{OPEN_TARGET}</head><body>\n<h1>iam-harness compliance matrix</h1>\n<p>Each cell: passed / failed / skipped / errored tests of the engine on the cases of that feature. Ambiguous cases (semantics §7) where an engine differs count as skipped. Click a red cell for its failing cases (expected, got, the case's policies). Badges: pass rate on non-ambiguous cases (skipped tests not counted). The ARN and wildcard parsers have <a href=\"../parsers/index.html\">a page of their own</a>.</p>"
    );
    let _ = writeln!(out, "<h2>Engines</h2>\n<ul>");
    for e in engines {
        let total = e.results.iter().fold(Counts::default(), |mut c, r| {
            match r.status {
                Status::Pass => c.pass += 1,
                Status::Fail => c.fail += 1,
                Status::Skip => c.skip += 1,
                Status::Error => c.error += 1,
            }
            c
        });
        let badge = format!("badges/{}.svg", file_name(&e.info.name));
        let _ = writeln!(
            out,
            "<li><a href=\"{badge}\"><img class=\"badge\" src=\"{badge}\" alt=\"{} badge\"></a><b>{}</b> {} ({}) — {} passed, {} failed, {} skipped, {} errored</li>",
            escape(&e.info.name),
            escape(&e.info.name),
            escape(&e.info.version),
            escape(&e.info.language),
            total.pass,
            total.fail,
            total.skip,
            total.error
        );
    }
    let _ = writeln!(out, "</ul>");
    let _ = writeln!(
        out,
        "<table id=\"matrix\"><caption>engines × features</caption>\n<thead><tr><th class=\"f\">feature</th>"
    );
    for e in engines {
        let _ = write!(out, "<th>{}</th>", escape(&e.info.name));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for feature in &features {
        let _ = write!(out, "<tr><td class=\"f\">{}</td>", escape(feature));
        for (e, table) in engines.iter().zip(&tables) {
            // A feature none of this engine's results carry: zero tests of it, all counts 0.
            let c = table.get(*feature).copied().unwrap_or_default();
            let text = format!("{} / {} / {} / {}", c.pass, c.fail, c.skip, c.error);
            if c.fail + c.error > 0 {
                let _ = write!(
                    out,
                    "<td class=\"bad\"><a href=\"#{}\">{text}</a></td>",
                    anchor(&e.info.name, feature)
                );
            } else {
                let _ = write!(out, "<td class=\"{}\">{text}</td>", cell_class(&c));
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table>\n<h2>Failing cases</h2>");
    for (e, table) in engines.iter().zip(&tables) {
        for (feature, c) in table {
            if c.fail + c.error > 0 {
                failing(&mut out, e, feature, c, policies);
            }
        }
    }
    let _ = writeln!(out, "<h2>Badges</h2>");
    for (e, table) in engines.iter().zip(&tables) {
        let engine = file_name(&e.info.name);
        let _ = writeln!(
            out,
            "<details><summary>{}: {} feature badges</summary><p>",
            escape(&e.info.name),
            table.len()
        );
        for feature in table.keys() {
            let badge = format!("badges/{engine}/{}.svg", file_name(feature));
            let _ = writeln!(
                out,
                "<a href=\"{badge}\"><img class=\"badge\" src=\"{badge}\" alt=\"{}\"></a>",
                escape(feature)
            );
        }
        let _ = writeln!(out, "</p></details>");
    }
    let _ = writeln!(out, "</body></html>");
    out
}

/// The failing tests of one engine on one feature: a `<details>` the red cell opens, one
/// `<details>` per test inside.
fn failing(
    out: &mut String,
    e: &EngineResults<'_>,
    feature: &str,
    c: &Counts,
    policies: &BTreeMap<String, String>,
) {
    let _ = writeln!(
        out,
        "<details id=\"{}\"><summary><b>{}</b> — <code>{}</code>: {} failed, {} errored</summary>\n<ul>",
        anchor(&e.info.name, feature),
        escape(&e.info.name),
        escape(feature),
        c.fail,
        c.error
    );
    for r in e.results.iter().filter(|r| {
        matches!(r.status, Status::Fail | Status::Error) && r.features.iter().any(|f| f == feature)
    }) {
        let got = r.got.map(|d| d.as_str()).unwrap_or("-");
        let expect = r.expect.map(|x| x.as_str()).unwrap_or("-");
        let detail = r
            .message
            .as_deref()
            .map_or_else(String::new, |m| format!(" — {}", escape(m)));
        let _ = writeln!(
            out,
            "<li><details><summary><code>{}</code> › {}: expected <b>{expect}</b>, got <b>{got}</b>{detail}</summary>\n<p>file <code>{}</code></p>",
            escape(&r.case),
            escape(&r.test),
            escape(&r.file.display().to_string())
        );
        match policies.get(&r.case) {
            Some(text) => {
                let _ = writeln!(out, "<pre>{}</pre>", escape_lines(text));
            }
            None => {
                let _ = writeln!(out, "<p>(the case's policies are not available)</p>");
            }
        }
        let _ = writeln!(out, "</details></li>");
    }
    let _ = writeln!(out, "</ul></details>");
}

/// [`escape`] line by line, keeping the line breaks (for `<pre>`).
fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}
