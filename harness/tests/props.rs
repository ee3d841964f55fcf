//! Property tests: the reference evaluator passes every property (and its fast path agrees
//! with the case path); mutant engines — the reference evaluator with one deliberate bug each —
//! are each caught by a named property within a bounded number of cases; and a caught failure
//! is written as a minimal regression case that fails on the mutant and passes on the reference.

use std::collections::HashMap;
use std::sync::Mutex;

use iam_harness::case::{Case, TestRequest};
use iam_harness::decision::Decision;
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::engine::{EngineInfo, Evaluator, Outcome};
use iam_harness::gen::{policies_of, Input, RngChoices, Settings};
use iam_harness::glob::{self, CaseSensitivity};
use iam_harness::invariants::run::{decision_mix, run, RunConfig};
use iam_harness::invariants::{Decider, FastReference, Property, PROPERTIES};
use iam_harness::load::LoadedCase;
use iam_harness::policy::PolicySet;
use iam_harness::policy::{
    BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue, Effect, OneOrMany,
    Policy, SetQualifier, Statement, ValueType, Version,
};
use iam_harness::request::{Lookup, Request};
use iam_harness::runner::{run_cases, Status};
use rstest::rstest;

const NO_ACTION: &str = "iamharness:NoSuchAction";
const NO_RESOURCE: &str = "arn:aws:s3:::iam-harness-no-such-bucket/none";

/// The deliberate bugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bug {
    IgnoresDeny,
    FirstMatchDecides,
    CaseSensitiveActions,
    StarStopsAtSlash,
    IgnoresBoundary,
    IfExistsAsPlain,
    ForAllValuesFalseOnEmpty,
    NoVariables,
    FirstScpLevelOnly,
    NotActionAsAction,
    CrossAccountOneSide,
    Nondeterministic,
}

/// The reference evaluator with one bug: it rewrites the case (or one test's case) before
/// calling the reference, or post-processes the reference's answers.
struct Mutant {
    bug: Bug,
    reference: ReferenceEvaluator,
    seen: Mutex<HashMap<String, u32>>,
}

impl Mutant {
    fn new(bug: Bug) -> Self {
        Mutant {
            bug,
            reference: ReferenceEvaluator::new(),
            seen: Mutex::new(HashMap::new()),
        }
    }
}

fn statements_mut(p: &mut Policy) -> &mut [Statement] {
    match &mut p.statement {
        OneOrMany::One(s) => std::slice::from_mut(s),
        OneOrMany::Many(list) => list,
    }
}

fn all_policies(set: &mut PolicySet) -> Vec<&mut Policy> {
    let mut out: Vec<&mut Policy> = Vec::new();
    out.extend(set.identity.iter_mut());
    out.extend(set.resource.iter_mut());
    out.extend(set.boundary.iter_mut());
    out.extend(set.session.iter_mut());
    for levels in [&mut set.scp, &mut set.rcp] {
        for level in levels.iter_mut().flatten() {
            out.extend(level.iter_mut());
        }
    }
    out
}

fn for_each_statement(set: &mut PolicySet, mut f: impl FnMut(&mut Statement)) {
    for p in all_policies(set) {
        for s in statements_mut(p) {
            f(s);
        }
    }
}

fn patterns_mut(values: &mut OneOrMany<String>) -> &mut [String] {
    match values {
        OneOrMany::One(v) => std::slice::from_mut(v),
        OneOrMany::Many(list) => list,
    }
}

fn never() -> Vec<Condition> {
    vec![Condition {
        operator: ConditionOperator {
            qualifier: None,
            base: BaseOperator::Null,
            if_exists: false,
        },
        entries: vec![ConditionEntry {
            key: "iamharness:absent".into(),
            values: OneOrMany::One(ConditionValue {
                text: "false".into(),
                json_type: ValueType::String,
            }),
        }],
    }]
}

/// `*` that stops at `/` (the bug), `?` any one character.
fn star_stops_at_slash(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len())
            .take_while(|&i| i == 0 || t.get(i - 1) != Some(&'/'))
            .any(|i| star_stops_at_slash(rest, t.get(i..).unwrap_or_default())),
        Some(('?', rest)) => {
            !t.is_empty() && star_stops_at_slash(rest, t.get(1..).unwrap_or_default())
        }
        Some((c, rest)) => {
            t.first() == Some(c) && star_stops_at_slash(rest, t.get(1..).unwrap_or_default())
        }
    }
}

fn with_set(case: &Case, set: &PolicySet) -> Case {
    Case {
        policies: policies_of(set),
        ..case.clone()
    }
}

fn one_test(case: &Case, i: usize) -> Case {
    Case {
        tests: case.tests.get(i).cloned().into_iter().collect(),
        ..case.clone()
    }
}

fn first(outcomes: Vec<Outcome>) -> Outcome {
    outcomes
        .into_iter()
        .next()
        .unwrap_or(Outcome::Errored("no outcome".into()))
}

fn decided(d: Decision) -> Outcome {
    Outcome::Decided {
        decision: d,
        explanation: None,
    }
}

impl Mutant {
    /// Rewrites the whole policy set.
    fn rewrite_set(&self, case: &Case, f: impl FnOnce(&mut PolicySet)) -> Vec<Outcome> {
        match case.policy_set() {
            Ok(mut set) => {
                f(&mut set);
                self.reference.evaluate(&with_set(case, &set))
            }
            Err(_) => self.reference.evaluate(case),
        }
    }

    /// Rewrites the policy set per test, knowing the request.
    fn rewrite_per_test(&self, case: &Case, f: impl Fn(&mut PolicySet, &Request)) -> Vec<Outcome> {
        let Ok(set) = case.policy_set() else {
            return self.reference.evaluate(case);
        };
        (0..case.tests.len())
            .map(|i| {
                let single = one_test(case, i);
                let Some(Ok(request)) = single.tests.first().map(|t| t.request.to_request()) else {
                    return first(self.reference.evaluate(&single));
                };
                let mut set = set.clone();
                f(&mut set, &request);
                first(self.reference.evaluate(&with_set(&single, &set)))
            })
            .collect()
    }

    fn first_match(&self, case: &Case) -> Vec<Outcome> {
        let Ok(set) = case.policy_set() else {
            return self.reference.evaluate(case);
        };
        (0..case.tests.len())
            .map(|i| {
                let single = one_test(case, i);
                for p in &set.identity {
                    for s in p.statements() {
                        let probe = PolicySet {
                            identity: vec![Policy {
                                version: p.version,
                                id: None,
                                statement: OneOrMany::Many(vec![s.clone()]),
                            }],
                            ..PolicySet::default()
                        };
                        let got = first(self.reference.evaluate(&with_set(&single, &probe)));
                        let wanted = match s.effect {
                            Effect::Allow => Decision::Allow,
                            Effect::Deny => Decision::ExplicitDeny,
                        };
                        if got.decision() == Some(wanted) {
                            return got;
                        }
                    }
                }
                first(self.reference.evaluate(&single))
            })
            .collect()
    }

    fn cross_account_one_side(&self, case: &Case) -> Vec<Outcome> {
        let outcomes = self.reference.evaluate(case);
        outcomes
            .into_iter()
            .enumerate()
            .map(|(i, outcome)| {
                let Some(test) = case.tests.get(i) else {
                    return outcome;
                };
                let Ok(request) = test.request.to_request() else {
                    return outcome;
                };
                if !request.is_cross_account() || outcome.decision() != Some(Decision::ImplicitDeny)
                {
                    return outcome;
                }
                // Decide it as if the resource were in the caller's account.
                let mut written: TestRequest = test.request.clone();
                let resource_account = request.resource_account.clone().unwrap_or_default();
                written.resource_account = request.principal_account.clone();
                written
                    .context
                    .entry("aws:ResourceAccount".to_string())
                    .or_insert(serde_json::Value::String(resource_account));
                let mut single = one_test(case, i);
                if let Some(t) = single.tests.first_mut() {
                    t.request = written;
                }
                let same_account = first(self.reference.evaluate(&single));
                if same_account.decision() == Some(Decision::Allow) {
                    same_account
                } else {
                    outcome
                }
            })
            .collect()
    }
}

impl Evaluator for Mutant {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: format!("mutant-{:?}", self.bug),
            version: "0".into(),
            language: "Rust".into(),
            homepage: String::new(),
            features: vec!["*".into()],
        }
    }

    fn evaluate(&self, case: &Case) -> Vec<Outcome> {
        match self.bug {
            Bug::IgnoresDeny => self.rewrite_set(case, |set| {
                for_each_statement(set, |s| {
                    if s.effect == Effect::Deny {
                        s.action.negated = false;
                        s.action.patterns = OneOrMany::One(NO_ACTION.into());
                    }
                })
            }),
            Bug::FirstMatchDecides => self.first_match(case),
            Bug::CaseSensitiveActions => self.rewrite_per_test(case, |set, r| {
                for_each_statement(set, |s| {
                    for p in patterns_mut(&mut s.action.patterns) {
                        if glob::action_matches(p, &r.action)
                            && !glob::matches(p, &r.action, CaseSensitivity::Sensitive)
                        {
                            *p = NO_ACTION.into();
                        }
                    }
                })
            }),
            Bug::StarStopsAtSlash => self.rewrite_per_test(case, |set, r| {
                let text: Vec<char> = r.resource.chars().collect();
                for_each_statement(set, |s| {
                    if let Some(clause) = &mut s.resource {
                        for p in patterns_mut(&mut clause.patterns) {
                            let pattern: Vec<char> = p.chars().collect();
                            if r.resource != "*"
                                && !p.contains("${")
                                && iam_harness::arn::resource_matches(p, &r.resource, false)
                                && !star_stops_at_slash(&pattern, &text)
                            {
                                *p = NO_RESOURCE.into();
                            }
                        }
                    }
                })
            }),
            Bug::IgnoresBoundary => self.rewrite_set(case, |set| set.boundary = None),
            Bug::IfExistsAsPlain => self.rewrite_set(case, |set| {
                for_each_statement(set, |s| {
                    for block in s.condition.iter_mut().flatten() {
                        block.operator.if_exists = false;
                    }
                })
            }),
            Bug::ForAllValuesFalseOnEmpty => self.rewrite_per_test(case, |set, r| {
                for_each_statement(set, |s| {
                    let vacuous = s.condition.iter().flatten().any(|b| {
                        b.operator.qualifier == Some(SetQualifier::ForAllValues)
                            && b.entries.iter().any(|e| match r.context.get(&e.key) {
                                Lookup::Missing => true,
                                Lookup::Multi(v) => v.is_empty(),
                                Lookup::Single(_) => false,
                            })
                    });
                    if vacuous {
                        s.condition = Some(never());
                    }
                })
            }),
            Bug::NoVariables => self.rewrite_set(case, |set| {
                let org: Vec<*const Policy> = set
                    .scp
                    .iter()
                    .chain(set.rcp.iter())
                    .flatten()
                    .flatten()
                    .map(|p| p as *const Policy)
                    .collect();
                for p in all_policies(set) {
                    if p.version != Some(Version::V2012_10_17) {
                        continue;
                    }
                    if !org.contains(&(p as *const Policy)) {
                        p.version = Some(Version::V2008_10_17);
                        continue;
                    }
                    // SCPs and RCPs must stay 2012-10-17: escape their variables instead.
                    for s in statements_mut(p) {
                        if let Some(clause) = &mut s.resource {
                            for pat in patterns_mut(&mut clause.patterns) {
                                *pat = pat.replace("${", "${$}{");
                            }
                        }
                        for block in s.condition.iter_mut().flatten() {
                            for e in &mut block.entries {
                                let values = match &mut e.values {
                                    OneOrMany::One(v) => std::slice::from_mut(v),
                                    OneOrMany::Many(list) => list.as_mut_slice(),
                                };
                                for v in values {
                                    v.text = v.text.replace("${", "${$}{");
                                }
                            }
                        }
                    }
                }
            }),
            Bug::FirstScpLevelOnly => self.rewrite_set(case, |set| {
                if let Some(levels) = &mut set.scp {
                    levels.truncate(1);
                }
            }),
            Bug::NotActionAsAction => self.rewrite_set(case, |set| {
                for_each_statement(set, |s| s.action.negated = false)
            }),
            Bug::CrossAccountOneSide => self.cross_account_one_side(case),
            Bug::Nondeterministic => {
                let key = serde_json::to_string(&(&case.policies, &case.tests)).unwrap_or_default();
                let repeat = {
                    let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                    let n = seen.entry(key).or_insert(0);
                    *n += 1;
                    *n > 1
                };
                let mut outcomes = self.reference.evaluate(case);
                if repeat {
                    if let Some(o) = outcomes.first_mut() {
                        *o = decided(match o.decision() {
                            Some(Decision::Allow) => Decision::ImplicitDeny,
                            _ => Decision::Allow,
                        });
                    }
                }
                outcomes
            }
        }
    }
}

fn config(property: &str, cases: u64) -> RunConfig {
    RunConfig {
        cases,
        seed: 11,
        properties: Property::find(property).into_iter().collect(),
        max_shrink_iters: 400,
        ..RunConfig::default()
    }
}

#[rstest]
#[case(Bug::IgnoresDeny, "matching-deny")]
#[case(Bug::FirstMatchDecides, "order-independence")]
#[case(Bug::CaseSensitiveActions, "action-case")]
#[case(Bug::StarStopsAtSlash, "wildcard-expansion")]
#[case(Bug::IgnoresBoundary, "boundary-session-narrow")]
#[case(Bug::IfExistsAsPlain, "if-exists")]
#[case(Bug::ForAllValuesFalseOnEmpty, "set-operators-empty")]
#[case(Bug::NoVariables, "legacy-version")]
#[case(Bug::FirstScpLevelOnly, "scp-narrow")]
#[case(Bug::NotActionAsAction, "wildcard-expansion")]
#[case(Bug::CrossAccountOneSide, "cross-account")]
#[case(Bug::Nondeterministic, "determinism")]
fn mutant_is_caught(#[case] bug: Bug, #[case] property: &str) {
    let mutant = Mutant::new(bug);
    let report = run(&mutant, &config(property, 2000));
    let failure = report
        .failures
        .first()
        .unwrap_or_else(|| panic!("{bug:?} was not caught by `{property}` in 2000 cases"));
    assert_eq!(failure.property.name, property);
    assert_eq!(failure.violation.property, property);
    assert!(
        !failure.violation.evidence.is_empty(),
        "{}",
        failure.violation
    );
}

#[test]
fn caught_failure_is_written_as_a_minimal_regression_case() {
    let dir = tempfile::tempdir().unwrap();
    let mutant = Mutant::new(Bug::IgnoresDeny);
    let mut cfg = config("matching-deny", 2000);
    cfg.regressions = Some(dir.path().to_owned());
    let report = run(&mutant, &cfg);
    let failure = report.failures.first().expect("the mutant is caught");
    let path = failure
        .regression
        .clone()
        .expect("a regression case is written");
    let loaded = iam_harness::load::load_file(&path).unwrap().remove(0);
    let case = &loaded.case;
    assert!(case.features.contains(&"regression".to_string()));
    assert!(
        case.description.contains("matching-deny"),
        "{}",
        case.description
    );
    assert!(
        case.description.contains("mutant-IgnoresDeny"),
        "{}",
        case.description
    );
    assert_eq!(
        case.source,
        vec![Property::find("matching-deny").unwrap().source.to_string()]
    );
    assert!(case.id.starts_with("regressions/matching-deny-"));
    // Minimal: shrinking leaves a handful of statements and requests.
    let set = case.policy_set().unwrap();
    let statements: usize = set
        .identity
        .iter()
        .chain(set.resource.iter())
        .chain(set.boundary.iter())
        .chain(set.session.iter())
        .chain(set.scp.iter().flatten().flatten())
        .chain(set.rcp.iter().flatten().flatten())
        .map(|p| p.statements().len())
        .sum();
    assert!(
        statements <= 3,
        "{statements} statements:\n{}",
        case.to_json_pretty()
    );
    assert!(case.tests.len() <= 2, "{}", case.to_json_pretty());
    // Replayed: fails on the mutant, passes on the reference.
    let cases = vec![LoadedCase {
        file: path.clone(),
        case: case.clone(),
    }];
    let on_mutant = run_cases(&mutant, &cases, false, &mut |_| {});
    assert!(on_mutant.failed > 0, "{on_mutant:?}");
    let mut statuses = Vec::new();
    let on_reference = run_cases(&ReferenceEvaluator::new(), &cases, false, &mut |r| {
        statuses.push(r.status)
    });
    assert!(on_reference.ok(), "{on_reference:?}");
    assert!(statuses.iter().all(|s| *s == Status::Pass));
}

#[test]
fn a_run_is_reproducible_from_its_seed() {
    let once = |_: u8| {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config("order-independence", 1000);
        cfg.regressions = Some(dir.path().to_owned());
        let report = run(&Mutant::new(Bug::FirstMatchDecides), &cfg);
        let path = report
            .failures
            .first()
            .and_then(|f| f.regression.clone())
            .unwrap();
        std::fs::read_to_string(path).unwrap()
    };
    assert_eq!(once(0), once(1));
}

#[test]
fn fast_path_agrees_with_cases() {
    let fast = FastReference(ReferenceEvaluator::new());
    let slow = ReferenceEvaluator::new();
    for seed in 0..500 {
        let input = Input::build(&mut RngChoices::new(seed), &Settings::default());
        assert_eq!(
            fast.decide(&input),
            Decider::decide(&slow, &input),
            "seed {seed}"
        );
    }
}

#[test]
fn reference_passes_every_property() {
    let config = RunConfig {
        cases: 3000,
        seed: 7,
        ..RunConfig::default()
    };
    let report = run(&FastReference(ReferenceEvaluator::new()), &config);
    let failures: Vec<String> = report
        .failures
        .iter()
        .map(|f| f.violation.to_string())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(report.checked >= 3000 * 18);
}

#[test]
fn reference_passes_through_cases_too() {
    let config = RunConfig {
        cases: 300,
        seed: 8,
        ..RunConfig::default()
    };
    let report = run(&ReferenceEvaluator::new(), &config);
    assert!(
        report.failures.is_empty(),
        "{:?}",
        report.failures.first().map(|f| f.violation.to_string())
    );
}

#[test]
fn default_generator_gives_a_mixed_decision_mix() {
    let mix = decision_mix(
        &FastReference(ReferenceEvaluator::new()),
        &Settings::default(),
        1,
        4000,
    );
    assert!(mix.percent(mix.allow) >= 25.0, "{mix}");
    assert!(mix.percent(mix.explicit_deny) >= 15.0, "{mix}");
    assert!(mix.percent(mix.implicit_deny) >= 15.0, "{mix}");
    assert_eq!(mix.invalid + mix.undecided, 0, "{mix}");
}

#[test]
fn every_property_is_registered_by_name() {
    assert_eq!(PROPERTIES.len(), 22);
    for (i, p) in PROPERTIES.iter().enumerate() {
        assert_eq!(usize::from(p.number), i + 1);
        assert_eq!(Property::find(p.name).map(|q| q.number), Some(p.number));
        assert!(p.source.starts_with("https://docs.aws.amazon.com/"));
    }
}
