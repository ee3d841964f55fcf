//! The shape of the code, checked: no import cycle between modules, and no file of `harness/src`
//! longer than one can read in one sitting.
//!
//! Dependencies are read from the source: every `crate::…`, `super::…` and `self::…` path outside
//! comments. An edge between a module and one of its ancestors does not count (a `mod.rs` may
//! re-export its children, and children may use what their parent defines); every other edge is
//! lifted to the two sibling modules under the lowest common ancestor, and each such set of
//! siblings must be acyclic.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test over the source tree: an unreadable tree should fail it loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines of code (not blank, not comments) a file may have before its tests.
const MAX_CODE_LINES: usize = 600;

fn src_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file with its module path (`gen::build`, `engine`, the crate root is empty).
fn modules() -> Vec<(Vec<String>, String)> {
    let root = src_root();
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&root).unwrap().with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        out.push((parts, std::fs::read_to_string(path).unwrap()));
    }
    out
}

/// The code of a file without its comments (line comments, doc comments).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .filter(|line| !line.trim().is_empty())
}

/// The module paths a file refers to outside its tests, resolved against the known modules.
fn references(own: &[String], text: &str, known: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
    for line in code_lines(before_tests) {
        for (start, _) in line
            .match_indices("crate::")
            .chain(line.match_indices("super::"))
        {
            let before = line[..start].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let tail = &line[start..];
            let path: Vec<&str> = tail
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut resolved: Vec<String> = match path.first() {
                Some(&"crate") => Vec::new(),
                Some(&"super") => own
                    .get(..own.len().saturating_sub(1))
                    .unwrap_or(&[])
                    .to_vec(),
                _ => continue,
            };
            for segment in path.iter().skip(1) {
                if *segment == "super" {
                    resolved.pop();
                    continue;
                }
                let mut next = resolved.clone();
                next.push((*segment).to_owned());
                if known.contains(&next) {
                    resolved = next;
                } else {
                    break;
                }
            }
            if resolved != own {
                found.insert(resolved);
            }
        }
    }
    found
}

fn cycle_in(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_cycle_between_modules() {
    let files = modules();
    let known: BTreeSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    // One graph of sibling modules per parent module.
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (module, text) in &files {
        for target in references(module, text, &known) {
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            let (Some(from), Some(to)) = (module.get(common), target.get(common)) else {
                continue; // one is an ancestor of the other
            };
            let parent = module[..common].to_vec();
            graphs
                .entry(parent)
                .or_default()
                .entry(from.clone())
                .or_default()
                .insert(to.clone());
        }
    }
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(parent, graph)| {
            cycle_in(graph).map(|cycle| {
                let scope = if parent.is_empty() {
                    "crate".to_owned()
                } else {
                    parent.join("::")
                };
                format!("in {scope}: {}", cycle.join(" → "))
            })
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn every_file_reads_in_one_sitting() {
    let root = src_root();
    let mut long = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        if text.lines().take(3).any(|l| l.contains("@generated")) {
            continue;
        }
        let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
        let count = code_lines(before_tests).count();
        if count > MAX_CODE_LINES {
            long.push(format!(
                "{} has {count} lines of code before its tests",
                path.display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_CODE_LINES} lines:\n{}",
        long.join("\n")
    );
}
