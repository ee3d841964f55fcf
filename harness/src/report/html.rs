//! The HTML compliance matrix: engines × features, each cell the pass / fail / skip / error
//! counts of that engine on the cases of that feature, linking to the list of its failing cases
//! further down the page. One static page with no script and no external asset, so it opens from
//! the file system.

use std::collections::BTreeMap;
use std::fmt::Write;

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

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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

/// Renders the matrix page.
pub fn render(engines: &[EngineResults<'_>]) -> String {
    let tables: Vec<BTreeMap<String, Counts>> =
        engines.iter().map(|e| by_feature(e.results)).collect();
    let mut features: Vec<&String> = tables.iter().flat_map(|t| t.keys()).collect();
    features.sort();
    features.dedup();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>iam-harness compliance matrix</title>\n<style>\nbody{{font-family:system-ui,sans-serif;margin:2em;color:#222}}\ntable{{border-collapse:collapse;font-size:14px}}\nth,td{{border:1px solid #ccc;padding:4px 8px;text-align:center}}\nth.f,td.f{{text-align:left;font-family:monospace}}\ntd.good{{background:#d8f5d0}}td.bad{{background:#f8d0d0}}td.skip{{background:#eee;color:#777}}\ncaption{{text-align:left;font-weight:bold;margin-bottom:.5em}}\n</style></head><body>\n<h1>iam-harness compliance matrix</h1>\n<p>Each cell: passed / failed / skipped / errored tests of the engine on the cases of that feature. Ambiguous cases (semantics §7) where an engine differs count as skipped. Red cells link to their failing cases. The ARN and wildcard parsers have <a href=\"../parsers/index.html\">a page of their own</a>.</p>"
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
        let _ = writeln!(
            out,
            "<li><b>{}</b> {} ({}) — {} passed, {} failed, {} skipped, {} errored</li>",
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
            if c.fail + c.error == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "<h3 id=\"{}\">{} — <code>{}</code></h3>\n<ul>",
                anchor(&e.info.name, feature),
                escape(&e.info.name),
                escape(feature)
            );
            for r in e.results.iter().filter(|r| {
                matches!(r.status, Status::Fail | Status::Error)
                    && r.features.iter().any(|f| f == feature)
            }) {
                let got = r.got.map(|d| d.as_str()).unwrap_or("-");
                let expect = r.expect.map(|x| x.as_str()).unwrap_or("-");
                let detail = r
                    .message
                    .as_deref()
                    .map_or_else(String::new, |m| format!(" — {}", escape(m)));
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> › {}: expected <b>{expect}</b>, got <b>{got}</b>{detail} (<code>{}</code>)</li>",
                    escape(&r.case),
                    escape(&r.test),
                    escape(&r.file.display().to_string())
                );
            }
            let _ = writeln!(out, "</ul>");
        }
    }
    let _ = writeln!(out, "</body></html>");
    out
}
