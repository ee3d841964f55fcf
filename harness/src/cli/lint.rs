//! `iam-harness lint`: checks case and scenario files (see [`crate::lint`]).

use std::path::PathBuf;

use clap::Args;

use super::output::{error, outln, warning, Out};
use super::run::check_paths;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::lint::{feature_counts, lint, unknown_name_warnings, Registry};
use crate::load::load_paths;

/// Arguments of `iam-harness lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Case and scenario files or folders (default: `corpus/` and `scenarios/`).
    paths: Vec<PathBuf>,
    /// The feature registry.
    #[arg(long, default_value = "corpus/features.json")]
    features: PathBuf,
    /// The folder case ids are relative to.
    #[arg(long, default_value = "corpus")]
    root: PathBuf,
    /// Fail when a registered feature has fewer than this many cases (0: do not check).
    #[arg(long, default_value_t = 0)]
    min_cases_per_feature: usize,
}

/// Runs `iam-harness lint`: exit 1 on a problem, 2 when there is nothing to check.
pub fn lint_command(args: &LintArgs) -> u8 {
    let registry = match Registry::load(&args.features) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return EXIT_USAGE;
        }
    };
    let paths = if args.paths.is_empty() {
        super::run::default_paths()
    } else {
        args.paths.clone()
    };
    if let Err(problem) = check_paths(&paths) {
        error(problem);
        return EXIT_USAGE;
    }
    let mut out = Out::new();
    let mut problems = 0usize;
    let (cases, errors) = load_paths(&paths);
    for problem in errors.into_iter().flatten() {
        outln!(out, "{problem}");
        problems += 1;
    }
    for finding in lint(&cases, &registry, &args.root) {
        outln!(out, "{finding}");
        problems += 1;
    }
    let unknown = unknown_name_warnings(&cases);
    for name in &unknown {
        warning(name);
    }
    if args.min_cases_per_feature > 0 {
        for (feature, n) in feature_counts(&cases, &registry) {
            if n < args.min_cases_per_feature && feature != "regression" {
                outln!(
                    out,
                    "feature `{feature}` has {n} cases (fewer than {})",
                    args.min_cases_per_feature
                );
                problems += 1;
            }
        }
    }
    outln!(
        out,
        "{} cases checked, {problems} problems, {} unknown names (warnings)",
        cases.len(),
        unknown.len()
    );
    let code = if problems > 0 {
        EXIT_FAILED
    } else if cases.is_empty() {
        error("nothing was checked: no case found in the given paths");
        EXIT_USAGE
    } else {
        EXIT_OK
    };
    out.finish(code)
}
