//! Renderings of a [`ParserRun`]: JSON Lines for machines, text for the terminal, a Markdown
//! findings report (`reports/parsers/<parser>.md`), and the HTML parsers page over every
//! parser's JSON report.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::run::{Finding, ParserRun};
use super::Input;

/// The protocol fields of an input (`cmd` and `input`, or `kind`, `pattern`, `value`).
fn input_fields(input: &Input) -> Value {
    serde_json::to_value(input).unwrap_or(Value::Null)
}

/// The `disagreement` line of one finding.
pub fn disagreement_line(finding: &Finding) -> Value {
    let mut line = json!({
        "type": "disagreement",
        "root_cause": finding.root_cause,
    });
    if let (Some(line), Value::Object(fields)) =
        (line.as_object_mut(), input_fields(&finding.input))
    {
        line.extend(fields);
        line.insert("expected".into(), json!(finding.expected));
        line.insert("got".into(), json!(finding.got));
        line.insert("occurrences".into(), json!(finding.occurrences));
        line.insert(
            "known".into(),
            json!(finding.known.as_ref().map(|k| k.right)),
        );
        line.insert("documentation".into(), json!(finding.documentation));
    }
    line
}

/// The JSON Lines of a run: a header, one `disagreement` per root cause (its minimal input), a
/// summary.
pub fn json_lines(run: &ParserRun, seed: u64) -> Vec<Value> {
    let mut lines = vec![json!({
        "type": "header",
        "parser": run.parser,
        "supports": run.supports,
        "seed": seed,
    })];
    lines.extend(run.findings.iter().map(disagreement_line));
    let mut summary = json!({"type": "summary"});
    if let (Some(s), Value::Object(counts)) = (summary.as_object_mut(), json!(run.summary)) {
        s.extend(counts);
    }
    lines.push(summary);
    lines
}

/// A one-line description of an input.
pub fn describe(input: &Input) -> String {
    match input {
        Input::ParseArn { input } => format!("parse_arn {}", json!(input)),
        Input::Match {
            kind,
            pattern,
            value,
        } => format!("match {} {} {}", kind.name(), json!(pattern), json!(value)),
    }
}

/// The terminal rendering.
pub fn text(run: &ParserRun) -> String {
    let mut out = String::new();
    let p = &run.parser;
    let _ = writeln!(out, "parser {} {} ({})", p.name, p.version, p.language);
    for f in &run.findings {
        let status = f.known.as_ref().map_or_else(
            || "NEW".to_owned(),
            |k| format!("known, right: {:?}", k.right),
        );
        let _ = writeln!(
            out,
            "{} [{status}] ×{}\n  minimal: {}\n  expected {}  got {}\n  see {} ({})",
            f.root_cause,
            f.occurrences,
            describe(&f.input),
            json!(f.expected),
            json!(f.got),
            f.documentation.semantics,
            f.documentation.url
        );
    }
    let s = &run.summary;
    let _ = writeln!(
        out,
        "{} corpus + {} generated inputs: {} agreed, {} skipped, {} disagreed in {} root causes ({} not known)",
        s.corpus_inputs, s.generated_inputs, s.agreed, s.skipped, s.disagreements, s.root_causes, s.unknown_root_causes
    );
    out
}

/// The Markdown findings report of one parser.
pub fn markdown(run: &ParserRun, seed: u64, cases: usize) -> String {
    let mut out = String::new();
    let p = &run.parser;
    let s = &run.summary;
    let _ = writeln!(out, "# {} {}\n", p.name, p.version);
    let _ = writeln!(
        out,
        "{} parser, <{}>. Claims: `{}`. Run: the parser corpus (`corpus-parsers/`) and {cases} \
         generated inputs (seed {seed}) through `iam-harness parsers`, compared with the \
         documented rules (`docs/semantics.md`).\n",
        p.language,
        p.homepage,
        run.supports.join("`, `")
    );
    let _ = writeln!(
        out,
        "| inputs | agreed | skipped | disagreed | root causes | not known |\n|---|---|---|---|---|---|\n| {} | {} | {} | {} | {} | {} |\n",
        s.corpus_inputs + s.generated_inputs, s.agreed, s.skipped, s.disagreements, s.root_causes, s.unknown_root_causes
    );
    if run.findings.is_empty() {
        let _ = writeln!(out, "No disagreement with the documentation.");
    }
    for f in &run.findings {
        let _ = writeln!(out, "## `{}`\n", f.root_cause);
        let _ = writeln!(out, "- Minimal input: `{}`", describe(&f.input));
        let _ = writeln!(out, "- Documented answer: `{}`", json!(f.expected));
        let _ = writeln!(out, "- Parser's answer: `{}`", json!(f.got));
        let _ = writeln!(out, "- Inputs showing it: {}", f.occurrences);
        let _ = writeln!(
            out,
            "- Decided by: {} — <{}>",
            f.documentation.semantics, f.documentation.url
        );
        match &f.known {
            Some(k) => {
                let _ = writeln!(
                    out,
                    "- Known difference; right according to the documentation: **{:?}**. {}",
                    k.right, k.note
                );
            }
            None => {
                let _ = writeln!(out, "- Not in the known-differences list.");
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// The file name (without extension) of a parser's reports: its name with every character other
/// than a letter, digit, `-`, `_` or `.` turned into `-` (`@aws-sdk/util-arn-parser` →
/// `aws-sdk-util-arn-parser`).
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    stem.trim_matches('-').to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML parsers page over the JSON reports (`reports/parsers/*.json`, each a
/// [`ParserRun`] as JSON): one table row per parser, one list of root causes under it.
pub fn html_page(reports: &[Value]) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>iam-harness: parsers</title></head><body>\n<h1>ARN and wildcard parsers against the documented rules</h1>\n<p>Beside the <a href=\"../engines/index.html\">engines' compliance matrix</a>. Each parser's page lists its root causes with a minimal input and the documentation that decides it.</p>\n<table border=\"1\"><tr><th>parser</th><th>version</th><th>language</th><th>agreed</th><th>disagreed</th><th>root causes</th></tr>\n",
    );
    let field = |v: &Value, path: &[&str]| {
        path.iter()
            .try_fold(v, |v, k| v.get(k))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    for r in reports {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{name}.md\">{name}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&field(r, &["parser", "version"])),
            escape(&field(r, &["parser", "language"])),
            escape(&field(r, &["summary", "agreed"])),
            escape(&field(r, &["summary", "disagreements"])),
            escape(&field(r, &["summary", "root_causes"])),
            name = escape(&file_stem(&field(r, &["parser", "name"]))),
        );
    }
    out.push_str("</table>\n");
    for r in reports {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul>",
            escape(&field(r, &["parser", "name"]))
        );
        for f in r
            .get("findings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: <code>{}</code> — expected <code>{}</code>, got <code>{}</code> (<a href=\"{}\">{}</a>)</li>",
                escape(&field(f, &["root_cause"])),
                escape(&field(f, &["input"])),
                escape(&field(f, &["expected"])),
                escape(&field(f, &["got"])),
                escape(&field(f, &["documentation", "url"])),
                escape(&field(f, &["documentation", "semantics"])),
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body></html>\n");
    out
}
