//! Keeps citations of `docs/semantics.md` true: every `semantics §ID` written in the repository
//! (code, tests, corpus, scenarios, adapters, schemas, README) must name a section or a rule of
//! that document, and the document's Rule index must agree with its text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex_lite::Regex;
use walkdir::WalkDir;

/// The folders and files whose citations are checked, relative to the repository root.
const CITING_PATHS: &[&str] = &[
    "harness/src",
    "harness/tests",
    "harness/benches",
    "corpus",
    "scenarios",
    "adapters",
    "schema",
    "README.md",
    "fuzz/src",
    "fuzz/fuzz_targets",
];

/// Folders never walked: build output and installed third-party code.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".venv"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What the document defines: the Rule index rows (id, URL), the heading numbers and the ids
/// shown in bold in the text.
struct Document {
    index: Vec<(String, String)>,
    headings: BTreeSet<String>,
    bold_ids: BTreeSet<String>,
}

fn document() -> Result<Document, String> {
    let path = repo_root().join("docs/semantics.md");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path:?}: {e}"))?;
    let heading = Regex::new(r"^#{1,6} (\d+(?:\.\d+)*)\.? ").map_err(|e| e.to_string())?;
    let bold = Regex::new(r"\*\*(§\d[^*]*)\*\*").map_err(|e| e.to_string())?;
    let (body, index_part) = text
        .split_once("\n## Rule index")
        .ok_or("docs/semantics.md has no `## Rule index` section")?;
    let mut index = Vec::new();
    for line in index_part.lines().filter(|line| line.starts_with("| §")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, id, _, url, _] = cells.as_slice() else {
            return Err(format!("Rule index row without exactly 3 columns: {line}"));
        };
        index.push((id.to_string(), url.to_string()));
    }
    let headings = body
        .lines()
        .filter_map(|line| heading.captures(line)?.get(1))
        .map(|number| format!("§{}", number.as_str()))
        .collect();
    let bold_ids = bold
        .captures_iter(body)
        .filter_map(|caps| Some(caps.get(1)?.as_str().to_owned()))
        .collect();
    Ok(Document {
        index,
        headings,
        bold_ids,
    })
}

/// Every line of every readable text file under [`CITING_PATHS`], with its place
/// (`path:line`, the path relative to the repository root).
fn citing_lines() -> Vec<(String, String)> {
    let root = repo_root();
    let starts = CITING_PATHS
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.exists());
    let entries = starts.flat_map(|start| {
        WalkDir::new(start).into_iter().filter_entry(|entry| {
            !(entry.file_type().is_dir() && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d))
        })
    });
    let mut lines = Vec::new();
    for entry in entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        // Binary files (fuzz seeds and the like) are not text and cite nothing.
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let file = entry
            .path()
            .strip_prefix(&root)
            .unwrap_or(entry.path())
            .display();
        for (number, line) in text.lines().enumerate() {
            lines.push((format!("{file}:{}", number + 1), line.to_owned()));
        }
    }
    lines
}

#[test]
fn rule_index_agrees_with_the_text() {
    let doc = document().unwrap();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (id, url) in &doc.index {
        if !seen.insert(id.as_str()) {
            problems.push(format!("{id}: listed twice in the Rule index"));
        }
        if !url.starts_with("https://docs.aws.amazon.com/") {
            problems.push(format!("{id}: `{url}` is not an AWS documentation URL"));
        }
        if !doc.headings.contains(id) && !doc.bold_ids.contains(id) {
            problems.push(format!("{id}: in the Rule index but not in the text"));
        }
    }
    let missing = doc
        .headings
        .iter()
        .filter(|id| *id != "§0")
        .chain(&doc.bold_ids);
    for id in missing.filter(|id| !seen.contains(id.as_str())) {
        problems.push(format!("{id}: in the text but not in the Rule index"));
    }
    assert!(
        problems.is_empty(),
        "docs/semantics.md:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_citation_names_an_existing_rule() {
    let doc = document().unwrap();
    let known: BTreeSet<&str> = doc
        .index
        .iter()
        .map(|(id, _)| id.as_str())
        .chain(doc.headings.iter().map(String::as_str))
        .collect();
    // `§` as written, or as the `\u00a7` escape of JSON files; then `step N` or `row N`.
    let citation =
        Regex::new(r"semantics (?:§|\\u00[aA]7)(\d+(?:\.\d+)*(?: (?:step|row) \d+[a-z]?)?)")
            .unwrap();
    let mut unknown = Vec::new();
    for (place, line) in citing_lines() {
        for caps in citation.captures_iter(&line) {
            let id = format!("§{}", &caps[1]);
            if !known.contains(id.as_str()) {
                unknown.push(format!("{place}: semantics {id}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "citations of ids that docs/semantics.md does not define:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn no_file_cites_the_old_source_document() {
    // Built from two halves so that this file does not match itself.
    let old_name = concat!("IAM", "-SPEC");
    let hits: Vec<String> = citing_lines()
        .into_iter()
        .filter(|(_, line)| line.contains(old_name))
        .map(|(place, _)| place)
        .collect();
    assert!(
        hits.is_empty(),
        "cite `semantics §ID` (docs/semantics.md) instead of {old_name}:\n{}",
        hits.join("\n")
    );
}
