//! `iam-harness report engines`: runs the corpus through several engines and publishes, per
//! engine, its results by feature (Markdown + JSON) and one HTML page with the engines ×
//! features compliance matrix. Results of engines that run elsewhere (such as an in-process Rust
//! adapter) are read from their JSON Lines streams with `--from`. The published results are the
//! engines' own: known-failures lists are not applied here (they are for `run` and `test` in CI).
//! `report merge` joins the streams of a run's shards; `report diff` compares two runs
//! ([`crate::report::diff`]). Both read whole runs only: a stream cut short is an error naming
//! the file and the line where it ends.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::output::{error, outln, Out};
use super::run::check_paths;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::{from_spec, EngineInfo};
use crate::files::{read_text, write_atomic};
use crate::report::badge::{engine_badge, feature_badges, file_name};
use crate::report::html::{render, EngineResults};
use crate::report::markdown::{self, by_feature};
use crate::report::read_complete_stream;
use crate::runner::{run_suite, KnownFailures, Status, Summary, TestResult};

/// Arguments of `iam-harness report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    what: ReportKind,
}

#[derive(Debug, Subcommand)]
enum ReportKind {
    /// Publish the per-engine results and the compliance matrix.
    Engines(EnginesArgs),
    /// Join the JSON Lines streams of a run's shards (`--shard I/N`) into one stream on stdout.
    Merge(MergeArgs),
    /// Compare two runs' JSON Lines streams by (engine, case id, test name): newly failing,
    /// newly passing, changed decisions, added, removed. Exit 1 when something regressed.
    Diff(DiffArgs),
}

/// Arguments of `iam-harness report diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old run's JSON Lines stream (`run --json`, `test`, `report merge`).
    old: PathBuf,
    /// The new run's JSON Lines stream.
    new: PathBuf,
    /// Print one JSON object `{"changed", "added", "removed", "summary"}` instead of Markdown.
    #[arg(long)]
    json: bool,
}

fn read_run(file: &Path) -> Result<crate::report::Stream, String> {
    let text = read_text(file).map_err(|e| format!("{}: {e}", file.display()))?;
    read_complete_stream(&text).map_err(|e| format!("{}: {e}", file.display()))
}

fn diff_report(args: &DiffArgs, out: &mut Out) -> Result<u8, String> {
    let old = read_run(&args.old)?;
    let new = read_run(&args.new)?;
    let diff = crate::report::diff::diff(&old, &new).map_err(|(which, e)| {
        let file = if which == "old" { &args.old } else { &args.new };
        format!("{}: {e}", file.display())
    })?;
    if args.json {
        let json = serde_json::to_string(&diff)
            .map_err(|e| format!("cannot write the diff as JSON: {e}"))?;
        outln!(out, "{json}");
    } else {
        out.line(crate::report::diff::markdown(&diff).trim_end());
    }
    Ok(if diff.summary.regressions > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// Arguments of `iam-harness report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON Lines streams.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn merge_report(args: &MergeArgs) -> Result<(), String> {
    let mut streams = Vec::new();
    for file in &args.files {
        streams.push(read_run(file)?);
    }
    let merged = crate::report::merge::merge(streams).map_err(|e| e.to_string())?;
    let mut out = crate::report::JsonLines::new(std::io::BufWriter::new(std::io::stdout().lock()));
    let written = out.header(&merged.engines).and_then(|()| {
        for r in &merged.results {
            out.result(r)?;
        }
        out.summary(&crate::report::merge::summary(&merged.results))?;
        out.flush()
    });
    written.map_err(|e| format!("cannot write the merged stream: {e}"))
}

/// Arguments of `iam-harness report engines`.
#[derive(Debug, Args)]
pub struct EnginesArgs {
    /// Case files or folders (default: `corpus/`).
    paths: Vec<PathBuf>,
    /// An engine to run (repeatable): `reference`, `reference-generic`, `cmd:PROGRAM ARGS…`.
    #[arg(long = "engine")]
    engines: Vec<String>,
    /// A JSON Lines stream of results of another engine to include (repeatable).
    #[arg(long = "from", value_name = "FILE")]
    from: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "reports/engines")]
    out: PathBuf,
}

/// One engine's published results (`<engine>.json`).
#[derive(serde::Serialize)]
struct Published<'a> {
    engine: &'a EngineInfo,
    summary: Summary,
    by_feature: serde_json::Map<String, serde_json::Value>,
    failures: Vec<&'a TestResult>,
}

/// Writes one engine's reports under `out` as `<name>.json`, `<name>.md` and its badges, every
/// file atomically (a reader never sees half a report).
fn publish(
    out: &Path,
    name: &str,
    info: &EngineInfo,
    results: &[TestResult],
) -> Result<(), String> {
    let mut summary = Summary::default();
    for r in results {
        summary.add(r);
    }
    let by_feature: serde_json::Map<String, serde_json::Value> = by_feature(results)
        .into_iter()
        .map(|(f, c)| {
            (f, serde_json::json!({"pass": c.pass, "fail": c.fail, "skip": c.skip, "error": c.error}))
        })
        .collect();
    let failures: Vec<&TestResult> = results
        .iter()
        .filter(|r| !matches!(r.status, Status::Pass | Status::Skip))
        .collect();
    let published = Published {
        engine: info,
        summary,
        by_feature,
        failures,
    };
    let json = serde_json::to_string_pretty(&published)
        .map_err(|e| format!("{}: cannot write the results as JSON: {e}", info.name))?;
    let write = |path: PathBuf, text: String| {
        write_atomic(&path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(out.join(format!("{name}.json")), format!("{json}\n"))?;
    write(
        out.join(format!("{name}.md")),
        markdown::render(&info.name, results, &summary),
    )?;
    let badges = out.join("badges");
    let features = badges.join(name);
    std::fs::create_dir_all(&features).map_err(|e| format!("{}: {e}", features.display()))?;
    write(
        badges.join(format!("{name}.svg")),
        engine_badge(&info.name, results, crate::CORPUS_REVISION),
    )?;
    for (feature, svg) in feature_badges(results) {
        write(features.join(format!("{}.svg", file_name(&feature))), svg)?;
    }
    Ok(())
}

/// The file name of an engine's reports: its name cleaned for a file system, with `-2`, `-3`…
/// when another engine of the run already has it (`a/b` and `a:b` both clean to `a-b`), so no
/// engine's reports overwrite another's.
fn unique_name(engine: &str, taken: &mut BTreeSet<String>) -> String {
    let base = file_name(engine);
    let mut name = base.clone();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{base}-{n}");
    }
    name
}

/// The policies of every case the failing results name, pretty JSON by case id, read from the
/// results' files (a file that no longer loads is left out: its cases show no policies).
fn failing_policies(runs: &[(EngineInfo, Vec<TestResult>)]) -> BTreeMap<String, String> {
    let files: BTreeSet<&Path> = runs
        .iter()
        .flat_map(|(_, results)| results)
        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        .map(|r| r.file.as_path())
        .collect();
    let mut policies = BTreeMap::new();
    for file in files {
        for loaded in crate::load::load_file(file).unwrap_or_default() {
            let text = serde_json::to_value(&loaded.case.policies)
                .and_then(|value| serde_json::to_string_pretty(&value));
            if let Ok(text) = text {
                policies.insert(loaded.case.id, text);
            }
        }
    }
    policies
}

fn engines_report(args: &EnginesArgs, out: &mut Out) -> Result<(), String> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        args.paths.clone()
    };
    check_paths(&paths).map_err(|e| e.to_string())?;
    let specs = if args.engines.is_empty() && args.from.is_empty() {
        vec!["reference".to_owned()]
    } else {
        args.engines.clone()
    };
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let mut runs: Vec<(EngineInfo, Vec<TestResult>)> = Vec::new();
    for spec in &specs {
        let engine = from_spec(spec).map_err(|e| format!("engine `{spec}`: {e}"))?;
        let info = engine.info();
        let mut results = Vec::new();
        let summary = run_suite(
            engine.as_ref(),
            &paths,
            &KnownFailures::default(),
            &mut results,
        )
        .map_err(|e| format!("engine `{spec}`: {e}"))?;
        outln!(
            out,
            "{}: {} passed, {} failed, {} skipped, {} errored",
            info.name,
            summary.passed,
            summary.failed,
            summary.skipped,
            summary.errored
        );
        runs.push((info, results));
    }
    for file in &args.from {
        let text = read_text(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let stream = read_complete_stream(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let info = stream
            .engines
            .into_iter()
            .next()
            .ok_or_else(|| format!("{}: the stream names no engine", file.display()))?;
        runs.push((info, stream.results));
    }
    if runs.iter().all(|(_, results)| results.is_empty()) {
        return Err("nothing ran: no case found in the given paths".into());
    }
    let mut taken = BTreeSet::new();
    for (info, results) in &runs {
        publish(
            &args.out,
            &unique_name(&info.name, &mut taken),
            info,
            results,
        )?;
    }
    let engines: Vec<EngineResults<'_>> = runs
        .iter()
        .map(|(info, results)| EngineResults { info, results })
        .collect();
    let index = args.out.join("index.html");
    let policies = failing_policies(&runs);
    write_atomic(&index, render(&engines, &policies).as_bytes())
        .map_err(|e| format!("{}: {e}", index.display()))?;
    outln!(out, "wrote {}", index.display());
    Ok(())
}

/// Runs `iam-harness report`.
pub fn report(args: &ReportArgs) -> u8 {
    let mut out = Out::new();
    let done = match &args.what {
        ReportKind::Engines(engines) => engines_report(engines, &mut out).map(|()| EXIT_OK),
        ReportKind::Merge(merge) => merge_report(merge).map(|()| EXIT_OK),
        ReportKind::Diff(diff) => diff_report(diff, &mut out),
    };
    match done {
        Ok(code) => out.finish(code),
        Err(message) => {
            error(message);
            out.finish(EXIT_USAGE)
        }
    }
}
