//! `iam-harness props`: run the metamorphic properties (docs/design.md §5) against an engine on
//! generated inputs, in parallel on every core, shrinking failures to minimal regression cases.
//! A run in which the engine decided nothing (`--cases 0`, or an engine that skips every
//! input) checked nothing: exit 2, never "18 of 18 properties held".

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Args;

use super::output::{error, outln, Out};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::{from_spec, EngineSpecError, Evaluator};
use crate::gen::{Input, Settings};
use crate::invariants::run::{decision_mix, run, RunConfig};
use crate::invariants::{show, Decider, FastReference, Halt, Property, PROPERTIES};

/// Arguments of `iam-harness props`.
#[derive(Debug, Args)]
pub struct PropsArgs {
    /// The engine: `reference` (default), `reference-generic`, or any spec `run` accepts.
    #[arg(long, default_value = "reference")]
    engine: String,
    /// Generated inputs per property.
    #[arg(long, default_value_t = 2000)]
    cases: u64,
    /// The seed: the same seed gives the same inputs and the same report.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run only this property (name or number; repeatable). Default: all 22.
    #[arg(long)]
    property: Vec<String>,
    /// Print the decision mix of the generators (over `--cases` inputs) and exit.
    #[arg(long)]
    stats: bool,
    /// Where regression cases are written.
    #[arg(long, default_value = "corpus/regressions")]
    regressions: PathBuf,
    /// Do not write regression cases.
    #[arg(long)]
    no_write: bool,
    /// Decide the reference through case files (JSON) instead of its in-memory fast path.
    #[arg(long)]
    via_cases: bool,
    /// List the properties and exit.
    #[arg(long)]
    list: bool,
}

/// An engine from the command line, as a [`Decider`].
struct Boxed(Box<dyn Evaluator>);

impl Decider for Boxed {
    fn name(&self) -> String {
        self.0.info().name
    }

    fn decide(&self, input: &Input) -> Result<Vec<Decision>, Halt> {
        Decider::decide(&*self.0, input)
    }
}

/// An engine counting the inputs it decided (skipped and errored ones not counted).
struct Counting<'a> {
    engine: &'a dyn Decider,
    decided: AtomicU64,
}

impl Decider for Counting<'_> {
    fn name(&self) -> String {
        self.engine.name()
    }

    fn decide(&self, input: &Input) -> Result<Vec<Decision>, Halt> {
        let decisions = self.engine.decide(input)?;
        self.decided.fetch_add(1, Ordering::Relaxed);
        Ok(decisions)
    }
}

fn decider(spec: &str, via_cases: bool) -> Result<Box<dyn Decider>, EngineSpecError> {
    match spec {
        "reference" if !via_cases => Ok(Box::new(FastReference(ReferenceEvaluator::new()))),
        "reference-generic" if !via_cases => Ok(Box::new(FastReference(
            ReferenceEvaluator::without_special_rules(),
        ))),
        other => from_spec(other).map(|e| Box::new(Boxed(e)) as Box<dyn Decider>),
    }
}

/// Runs `iam-harness props`.
pub fn props(args: &PropsArgs) -> u8 {
    let mut out = Out::new();
    if args.list {
        for p in PROPERTIES.iter() {
            outln!(out, "{:>2} {:<26} {}", p.number, p.name, p.summary);
        }
        return out.finish(EXIT_OK);
    }
    let engine = match decider(&args.engine, args.via_cases) {
        Ok(engine) => engine,
        Err(message) => {
            error(message);
            return EXIT_USAGE;
        }
    };
    let mut properties: Vec<&'static Property> = Vec::new();
    for name in &args.property {
        match Property::find(name) {
            Some(p) => properties.push(p),
            None => {
                let known: Vec<&str> = PROPERTIES.iter().map(|p| p.name).collect();
                error(format_args!(
                    "unknown property `{name}` (known: {})",
                    known.join(", ")
                ));
                return EXIT_USAGE;
            }
        }
    }
    if properties.is_empty() {
        properties = PROPERTIES.iter().collect();
    }
    let settings = Settings::default();
    if args.stats {
        let mix = decision_mix(&*engine, &settings, args.seed, args.cases);
        outln!(out, "engine `{}`, seed {}: {mix}", engine.name(), args.seed);
        return out.finish(EXIT_OK);
    }
    let config = RunConfig {
        cases: args.cases,
        seed: args.seed,
        properties,
        settings,
        regressions: (!args.no_write).then(|| args.regressions.clone()),
        progress: true,
        ..RunConfig::default()
    };
    outln!(
        out,
        "iam-harness props: engine `{}`, {} properties × {} cases, seed {}, {} threads",
        engine.name(),
        config.properties.len(),
        config.cases,
        config.seed,
        rayon::current_num_threads()
    );
    let counting = Counting {
        engine: &*engine,
        decided: AtomicU64::new(0),
    };
    let report = run(&counting, &config);
    for failure in &report.failures {
        let p = failure.property;
        outln!(
            out,
            "FAIL {:>2} {}: {}",
            p.number,
            p.name,
            failure.violation.message
        );
        for e in &failure.violation.evidence {
            outln!(out, "  {} input: decisions {}", e.label, show(&e.decisions));
        }
        match (&failure.regression, &failure.write_error) {
            (Some(path), _) => outln!(out, "  regression case written: {}", path.display()),
            (None, Some(error)) => outln!(out, "  could not write the regression case: {error}"),
            (None, None) => {}
        }
    }
    // The mix goes through `counting` too: properties of `compare` may need no decision of the
    // engine, and an engine that decides nothing at all is still caught.
    let mix = decision_mix(
        &counting,
        &config.settings,
        config.seed,
        config.cases.min(20_000),
    );
    outln!(out, "decision mix: {mix}");
    outln!(
        out,
        "{} of {} properties held; {} checks in {:.2} s ({:.0} cases/s)",
        config.properties.len() - report.failures.len(),
        config.properties.len(),
        report.checked,
        report.elapsed.as_secs_f64(),
        report.throughput()
    );
    let code = if !report.failures.is_empty() {
        EXIT_FAILED
    } else if report.checked == 0 || counting.decided.load(Ordering::Relaxed) == 0 {
        error(format_args!(
            "nothing was checked: {} checks, and the engine decided none of the inputs (not even the decision mix's)",
            report.checked
        ));
        EXIT_USAGE
    } else {
        EXIT_OK
    };
    out.finish(code)
}
