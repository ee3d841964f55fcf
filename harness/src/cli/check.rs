//! `iam-harness check EXPECTATIONS… --from SOURCE…`: platform teams' regression suites for their
//! own policies (see [`crate::expect`]). Exit 0 every expectation holds, 1 a violation, 2 bad
//! input (an unreadable or invalid expectation file or source, a policy that does not parse, an
//! engine that cannot decide). Skipped source entries and unknown names are warnings on
//! standard error; report files (`--junit`, `--sarif`) are written before standard output.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::output::{error, outln, warning, Out};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::from_spec_for_people;
use crate::expect::{self, CheckOptions};
use crate::report::check::{render_junit, write_text, CheckReport};
use crate::report::sarif;
use crate::world::{load_all, LoadOptions};

/// Arguments of `iam-harness check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Expectation files (YAML or JSON).
    #[arg(required = true, value_name = "EXPECTATIONS")]
    expectations: Vec<PathBuf>,
    /// Where the policies live: authorization-details dumps, Terraform plans or states,
    /// CloudFormation templates, scenario files (repeatable).
    #[arg(long = "from", required = true, num_args = 1.., value_name = "SOURCE")]
    from: Vec<PathBuf>,
    /// The account ID of sources that do not say it (default 123456789012).
    #[arg(long)]
    account: Option<String>,
    /// The region of sources that do not say it, and of `at-most` probes (default us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// A template parameter, `Name=Value` (repeatable).
    #[arg(long = "parameter", value_name = "K=V")]
    parameter: Vec<String>,
    /// Print one JSON object `{summary, results, warnings, skipped}`.
    #[arg(long)]
    json: bool,
    /// Write a JUnit XML report: one test suite per expectation file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a SARIF 2.1.0 log, each result located in the source of its policy.
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Engine to ask (default: the reference evaluator).
    #[arg(long, default_value = "reference")]
    engine: String,
}

/// Runs `iam-harness check`.
pub fn check(args: &CheckArgs) -> u8 {
    match run(args) {
        Ok(code) => code,
        Err(problems) => {
            for p in problems {
                error(p);
            }
            EXIT_USAGE
        }
    }
}

fn run(args: &CheckArgs) -> Result<u8, Vec<String>> {
    let strings = |e: Vec<expect::ExpectError>| -> Vec<String> {
        e.into_iter().map(|p| p.to_string()).collect()
    };
    let mut parameters = BTreeMap::new();
    for item in &args.parameter {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| vec![format!("--parameter `{item}`: expected Name=Value")])?;
        parameters.insert(k.to_owned(), v.to_owned());
    }
    let options = LoadOptions {
        account: args.account.clone(),
        region: args.region.clone(),
        parameters,
    };
    let mut expectations = Vec::new();
    let mut problems = Vec::new();
    for path in &args.expectations {
        match expect::load(path) {
            Ok(mut found) => expectations.append(&mut found),
            Err(found) => problems.extend(strings(found)),
        }
    }
    let world = load_all(&args.from, &options);
    let world = match world {
        Ok(world) if problems.is_empty() => world,
        Ok(_) => return Err(problems),
        Err(found) => {
            problems.extend(found.into_iter().map(|p| p.to_string()));
            return Err(problems);
        }
    };
    for s in &world.skipped {
        warning(format_args!(
            "{}: {}: skipped: {}",
            s.file, s.location, s.reason
        ));
    }
    let engine = from_spec_for_people(&args.engine).map_err(|e| vec![e.to_string()])?;
    let check_options = CheckOptions {
        region: options.region().to_owned(),
    };
    let report =
        expect::check(world, &expectations, engine.as_ref(), &check_options).map_err(strings)?;
    for w in &report.warnings {
        warning(w);
    }
    write_reports(args, &report)?;
    let mut out = Out::new();
    if args.json {
        outln!(out, "{}", report.to_json());
    } else {
        let mut text = Vec::new();
        // Writing into memory does not fail.
        let _ = write_text(&mut text, &report);
        out.line(String::from_utf8_lossy(text.trim_ascii_end()));
    }
    let code = if report.summary.errored > 0 {
        EXIT_USAGE
    } else if report.summary.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    Ok(out.finish(code))
}

fn write_reports(args: &CheckArgs, report: &CheckReport) -> Result<(), Vec<String>> {
    if let Some(path) = &args.junit {
        let xml = render_junit(report).map_err(|e| vec![format!("JUnit report: {e}")])?;
        std::fs::write(path, xml).map_err(|e| vec![format!("{}: {e}", path.display())])?;
    }
    if let Some(path) = &args.sarif {
        let text = serde_json::to_string_pretty(&sarif::render(report))
            .map_err(|e| vec![format!("SARIF report: {e}")])?;
        std::fs::write(path, text).map_err(|e| vec![format!("{}: {e}", path.display())])?;
    }
    Ok(())
}
