//! Runs properties as proptests on all cores, shrinks failures, writes regression cases, and
//! measures the decision mix of the generators.
//!
//! The inputs are split into chunks; each chunk draws from a proptest [`TestRunner`] with a
//! ChaCha RNG seeded from (seed, chunk), so a run is reproducible from its seed. When a property
//! fails, the input's proptest value tree (the choice vector behind it, see [`crate::gen`]) is
//! shrunk to a minimal failing input; the failure of the lowest failing chunk is the one
//! reported (later chunks skip a property a lower chunk already broke), which keeps the report
//! deterministic.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use proptest::strategy::{Strategy as _, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use rayon::prelude::*;

use super::{Decider, Evidence, Property, Violation};
use crate::case::Case;
use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::gen::{input_strategy, Input, RngChoices, Settings};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Generated inputs per property.
    pub cases: u64,
    /// The seed every RNG is derived from.
    pub seed: u64,
    /// The properties to run.
    pub properties: Vec<&'static Property>,
    /// Generator sizes.
    pub settings: Settings,
    /// Where to write regression cases (`None`: do not write).
    pub regressions: Option<PathBuf>,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Most shrinking steps per failure.
    pub max_shrink_iters: u32,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            cases: 1000,
            seed: 1,
            properties: super::PROPERTIES.iter().collect(),
            settings: Settings::default(),
            regressions: None,
            progress: false,
            max_shrink_iters: 4096,
        }
    }
}

/// A property that failed, with its minimal counterexample.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The property.
    pub property: &'static Property,
    /// The violation on the minimal input.
    pub violation: Violation,
    /// The minimal input proptest shrank to.
    pub minimal: Input,
    /// The regression case written, if any.
    pub regression: Option<PathBuf>,
    /// Why the regression case could not be written, if it could not.
    pub write_error: Option<String>,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Property checks made (each on one generated input), shrinking excluded.
    pub checked: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// The failures, one per failing property, in property order.
    pub failures: Vec<Failure>,
}

impl Report {
    /// Property checks per second.
    pub fn throughput(&self) -> f64 {
        self.checked as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn chunk_seed(seed: u64, property: u8, chunk: usize) -> [u8; 32] {
    let mut rng = RngChoices::new(
        seed ^ (u64::from(property) << 40) ^ (chunk as u64).wrapping_mul(0xA24B_AED4_963E_E407),
    );
    let mut bytes = [0u8; 32];
    for part in bytes.chunks_mut(8) {
        part.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    bytes
}

/// How many chunks the inputs are split into: a function of the case count only (never of the
/// number of threads), so that a seed gives the same inputs on every machine.
fn chunks_for(cases: u64) -> usize {
    usize::try_from((cases / 64).clamp(1, 64)).unwrap_or(1)
}

/// Shrinks a failing value tree for one property, proptest's way: simplify while the property
/// still fails, complicate when it passes. Returns the minimal failing input.
pub(crate) fn shrink(
    tree: &mut dyn ValueTree<Value = Input>,
    fails: &dyn Fn(&Input) -> bool,
    max_iters: u32,
) -> Input {
    let mut minimal = tree.current();
    if !tree.simplify() {
        return minimal;
    }
    for _ in 0..max_iters {
        let candidate = tree.current();
        if fails(&candidate) {
            minimal = candidate;
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    minimal
}

/// Runs `config.properties` against `engine`.
///
/// The inputs are split into chunks run in parallel; each chunk draws its inputs from a
/// proptest [`TestRunner`] with its own ChaCha seed, and checks every property on every input
/// (so generation is paid once for all properties). A property that fails is shrunk on the
/// input's value tree and no longer checked in that chunk; drawing inputs never depends on
/// which checks ran, so the report is the same for a seed whatever the timing.
pub fn run(engine: &dyn Decider, config: &RunConfig) -> Report {
    let start = Instant::now();
    let props = &config.properties;
    let chunks = chunks_for(config.cases);
    let total = config.cases * props.len() as u64;
    let bar = if config.progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} checks ({per_sec}, eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let first_failed: Vec<AtomicUsize> =
        props.iter().map(|_| AtomicUsize::new(usize::MAX)).collect();
    let checked = AtomicU64::new(0);
    let strategy = input_strategy(config.settings);
    let results: Vec<(usize, usize, Violation, Input)> = (0..chunks)
        .into_par_iter()
        .flat_map_iter(|c| {
            let share =
                config.cases / chunks as u64 + u64::from((c as u64) < config.cases % chunks as u64);
            let proptest_config = ProptestConfig {
                cases: u32::try_from(share).unwrap_or(u32::MAX),
                failure_persistence: None,
                ..ProptestConfig::default()
            };
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &chunk_seed(config.seed, 0, c));
            let mut runner = TestRunner::new_with_rng(proptest_config, rng);
            let mut failed_here = vec![false; props.len()];
            let mut found = Vec::new();
            let mut local = 0u64;
            for _ in 0..share {
                let Ok(mut tree) = strategy.new_tree(&mut runner) else {
                    break;
                };
                let input = tree.current();
                let mut checks = 0u64;
                for (p, property) in props.iter().enumerate() {
                    let lower_failed = first_failed
                        .get(p)
                        .is_some_and(|f| f.load(Ordering::Relaxed) < c);
                    if failed_here.get(p).copied().unwrap_or(true) || lower_failed {
                        continue;
                    }
                    checks += 1;
                    if (property.check)(engine, &input).is_ok() {
                        continue;
                    }
                    if let Some(flag) = failed_here.get_mut(p) {
                        *flag = true;
                    }
                    if let Some(f) = first_failed.get(p) {
                        f.fetch_min(c, Ordering::Relaxed);
                    }
                    let fails = |i: &Input| (property.check)(engine, i).is_err();
                    let minimal = shrink(&mut tree, &fails, config.max_shrink_iters);
                    let violation = match (property.check)(engine, &minimal) {
                        Err(v) => v,
                        // The engine passed on the rerun: it is not deterministic.
                        Ok(()) => Violation {
                            property: property.name,
                            message: "the property failed, then held when the minimal input was checked again (the engine is not deterministic)".into(),
                            evidence: vec![Evidence {
                                label: "minimal".into(),
                                input: minimal.clone(),
                                decisions: Vec::new(),
                            }],
                        },
                    };
                    found.push((p, c, violation, minimal));
                    // The tree was shrunk: draw the next input afresh.
                    break;
                }
                local += checks;
                bar.inc(checks);
            }
            checked.fetch_add(local, Ordering::Relaxed);
            found
        })
        .collect();
    bar.finish_and_clear();
    let engine_name = engine.name();
    let mut failures = Vec::new();
    for (p, property) in props.iter().enumerate() {
        let lowest = results
            .iter()
            .filter(|(q, ..)| *q == p)
            .min_by_key(|(_, c, ..)| *c);
        if let Some((_, _, violation, minimal)) = lowest {
            let mut failure = Failure {
                property,
                violation: violation.clone(),
                minimal: minimal.clone(),
                regression: None,
                write_error: None,
            };
            if let Some(dir) = &config.regressions {
                let case = regression_case(property, violation, &engine_name);
                match write_regression(dir, &case) {
                    Ok(path) => failure.regression = Some(path),
                    Err(e) => failure.write_error = Some(e.to_string()),
                }
            }
            failures.push(failure);
        }
    }
    Report {
        checked: checked.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
        failures,
    }
}

fn slug(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(40).collect()
}

/// The policies and tests of a case as compact JSON, the text its stable id hashes.
#[expect(
    clippy::expect_used,
    reason = "policies and tests serialise without fail: string keys, and raw values checked when made"
)]
fn stable_text(case: &Case) -> String {
    serde_json::to_string(&case.policies).expect("policies serialise")
        + &serde_json::to_string(&case.tests).expect("tests serialise")
}

/// FNV-1a, for stable short ids.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The regression case of a violation: the evidence input on which the engine differs from the
/// reference evaluator (the first one if none differs; evidence the reference cannot decide
/// cannot give expected decisions and is passed over), with the reference's decisions as the
/// expected ones, the feature `regression`, the property's documentation page as source, and a
/// description naming the property and the engine.
pub fn regression_case(property: &Property, violation: &Violation, engine: &str) -> Case {
    let reference = ReferenceEvaluator::new();
    let decided: Vec<(&Evidence, Vec<Decision>)> = violation
        .evidence
        .iter()
        .filter_map(|e| Some((e, Decider::decide(&reference, &e.input).ok()?)))
        .collect();
    let chosen = decided
        .iter()
        .find(|(e, r)| *r != e.decisions)
        .or(decided.first());
    let (label, input, expected) = match chosen {
        Some((e, r)) => (e.label.as_str(), e.input.clone(), r.clone()),
        None => (
            "none",
            Input::new(Default::default(), Vec::new(), 0),
            Vec::new(),
        ),
    };
    let mut case = input.to_case("", &expected);
    let body = stable_text(&case);
    let stem = format!(
        "{}-{}-{:08x}",
        property.name,
        slug(engine),
        fnv(&body) as u32
    );
    case.id = format!("regressions/{stem}");
    case.description = format!(
        "property {} `{}` ({}) broken by engine `{engine}`: {}. This is the `{label}` input of the minimised counterexample; each test expects the reference evaluator's decision",
        property.number, property.name, property.summary, violation.message
    );
    case.features = vec!["regression".to_owned()];
    case.source = vec![property.source.to_owned()];
    case
}

/// Writes `case` under `dir` as `<last part of its id>.json` — or `<…>-2.json` and so on when
/// that file exists (an earlier run's case is never overwritten; the id follows the file name)
/// — and returns the path. The same case written again is the same file.
pub fn write_regression(dir: &Path, case: &Case) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let (head, name) = case.id.rsplit_once('/').unwrap_or(("", case.id.as_str()));
    let text = case.to_json_pretty() + "\n";
    let same_name = dir.join(format!("{name}.json"));
    if std::fs::read_to_string(&same_name).is_ok_and(|old| old == text) {
        return Ok(same_name);
    }
    let (mut file, path, stem) = crate::files::create_unique(dir, name, "json")?;
    let mut case = case.clone();
    case.id = if head.is_empty() {
        stem
    } else {
        format!("{head}/{stem}")
    };
    file.write_all((case.to_json_pretty() + "\n").as_bytes())?;
    Ok(path)
}

/// How the decisions of generated requests split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mix {
    /// Allowed requests.
    pub allow: u64,
    /// Explicitly denied requests.
    pub explicit_deny: u64,
    /// Implicitly denied requests.
    pub implicit_deny: u64,
    /// Requests against a policy the engine found invalid.
    pub invalid: u64,
    /// Requests the engine skipped or errored on.
    pub undecided: u64,
}

impl Mix {
    /// Every request counted.
    pub fn total(&self) -> u64 {
        self.allow + self.explicit_deny + self.implicit_deny + self.invalid + self.undecided
    }

    /// `count` as a percentage of the total.
    pub fn percent(&self, count: u64) -> f64 {
        100.0 * count as f64 / self.total().max(1) as f64
    }

    fn add(mut self, other: Mix) -> Mix {
        self.allow += other.allow;
        self.explicit_deny += other.explicit_deny;
        self.implicit_deny += other.implicit_deny;
        self.invalid += other.invalid;
        self.undecided += other.undecided;
        self
    }
}

impl std::fmt::Display for Mix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: allow {:.1} %, explicit_deny {:.1} %, implicit_deny {:.1} %, invalid {:.1} %, undecided {:.1} %",
            self.total(),
            self.percent(self.allow),
            self.percent(self.explicit_deny),
            self.percent(self.implicit_deny),
            self.percent(self.invalid),
            self.percent(self.undecided)
        )
    }
}

/// The generated input number `index` of a stats run with `seed`.
pub fn stats_input(seed: u64, index: u64, settings: &Settings) -> Input {
    Input::build(
        &mut RngChoices::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ index),
        settings,
    )
}

/// The decision mix `engine` gives on `inputs` generated inputs (in parallel).
pub fn decision_mix(engine: &dyn Decider, settings: &Settings, seed: u64, inputs: u64) -> Mix {
    (0..inputs)
        .into_par_iter()
        .map(|i| {
            let input = stats_input(seed, i, settings);
            let mut mix = Mix::default();
            match engine.decide(&input) {
                Ok(decisions) => {
                    for d in decisions {
                        match d {
                            Decision::Allow => mix.allow += 1,
                            Decision::ExplicitDeny => mix.explicit_deny += 1,
                            Decision::ImplicitDeny => mix.implicit_deny += 1,
                            Decision::Invalid => mix.invalid += 1,
                        }
                    }
                }
                Err(_) => mix.undecided += input.requests.len() as u64,
            }
            mix
        })
        .reduce(Mix::default, Mix::add)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(expect: &str) -> Case {
        let text = format!(
            r#"{{"id":"regressions/diff/seed7-0","policies":{{}},"tests":[{{"name":"t",
            "request":{{"principal":"*","action":"s3:GetObject","resource":"*"}},"expect":"{expect}"}}]}}"#
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn a_regression_never_overwrites_another_and_its_id_follows_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_regression(dir.path(), &case("allow")).unwrap();
        assert_eq!(
            write_regression(dir.path(), &case("allow")).unwrap(),
            first,
            "same case, same file"
        );
        let second = write_regression(dir.path(), &case("implicit_deny")).unwrap();
        assert_eq!(second.file_name().unwrap(), "seed7-0-2.json");
        let written: Case =
            serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap();
        assert_eq!(written.id, "regressions/diff/seed7-0-2");
        let kept: Case = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
        assert_eq!(
            kept.tests[0].expect,
            crate::Decision::Allow,
            "the first run's case is intact"
        );
    }
}
