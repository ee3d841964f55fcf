//! Deciding a plan: the world compiled once, its cases evaluated in parallel (in slices, so a
//! large case spreads over the cores), each answer judged against what its request must be
//! decided as, and every violation given its deciding statements by the sources their policies
//! came from.

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::case::{Case, Test};
use crate::decision::{Decision, Explanation};
use crate::engine::{Evaluator, Outcome};
use crate::managed;
use crate::report::check::{
    CheckReport, CheckRequest, CheckResult, CheckStatus, Deciding, SkippedSource, Source, Violation,
};
use crate::scenario;
use crate::world::{Origin, World};

use super::file::{ExpectError, Expectation};
use super::plan::{plan, Plan, Probe, Want};
use super::scan::scan;

/// Tests per slice of a case given to the engine at once.
const SLICE: usize = 256;

/// What a check needs besides the world and the expectations.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The region of the ARNs `at-most` probes with.
    pub region: String,
}

/// Decides every expectation in `world` with `engine`. Bad expectations (a principal that is no
/// principal, a selector that matches nothing) and a world that does not compile are errors.
pub fn check(
    mut world: World,
    expectations: &[Expectation],
    engine: &dyn Evaluator,
    options: &CheckOptions,
) -> Result<CheckReport, Vec<ExpectError>> {
    let scanned = scan(&world);
    let plan = plan(&mut world, &scanned, expectations, &options.region)?;
    let cases = compile(&mut world, &plan)?;
    let answers = evaluate(&cases, &plan, engine);
    let mut results: Vec<Judged> = plan.units.iter().map(|_| Judged::default()).collect();
    for (index, (outcome, seconds)) in answers.into_iter().enumerate() {
        let (Some(probe), Some(outcome)) = (plan.probes.get(index), outcome) else {
            continue;
        };
        let Some(judged) = results.get_mut(probe.unit) else {
            continue;
        };
        judged.requests += 1;
        judged.seconds += seconds;
        let aws_managed = cases
            .get(probe.group)
            .map(|c| c.policies.aws_managed.as_slice())
            .unwrap_or_default();
        match judge(&world, probe, &outcome, aws_managed) {
            Judgement::Holds => {}
            Judgement::Violated(v) => judged.violations.push(*v),
            Judgement::Error(e) => judged.errors.push(e),
        }
    }
    profiles(&world, &plan, expectations, &mut results);
    let mut warnings = scanned.warnings;
    warnings.extend(plan.warnings.iter().cloned());
    let skipped = world
        .skipped
        .iter()
        .map(|s| SkippedSource {
            file: s.file.clone(),
            location: s.location.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    let out = plan
        .units
        .iter()
        .zip(results)
        .filter_map(|(unit, judged)| {
            let e = expectations.get(unit.expectation)?;
            let status = if !judged.errors.is_empty() {
                CheckStatus::Error
            } else if judged.violations.is_empty() {
                CheckStatus::Pass
            } else {
                CheckStatus::Fail
            };
            Some(CheckResult {
                file: e.file.clone(),
                path: e.path.clone(),
                name: e.name.clone(),
                kind: e.rule.kind().to_owned(),
                principal: unit.principal.clone(),
                why: e.why.clone(),
                status,
                requests: judged.requests,
                seconds: judged.seconds,
                violations: judged.violations,
                errors: judged.errors,
            })
        })
        .collect();
    Ok(CheckReport::new(out, warnings, skipped))
}

#[derive(Debug, Default)]
struct Judged {
    requests: usize,
    seconds: f64,
    violations: Vec<Violation>,
    errors: Vec<String>,
}

/// The world's cases, one per group, compiled in one call.
fn compile(world: &mut World, plan: &Plan) -> Result<Vec<Case>, Vec<ExpectError>> {
    world.scenario.expectations = plan
        .groups
        .iter()
        .enumerate()
        .map(|(index, group)| scenario::Expectation {
            name: format!("g{index}"),
            principal: group.principal.clone(),
            action: group.action.clone(),
            resource: group.resource.clone(),
            context: serde_json::Map::new(),
            expect: Decision::Allow,
            why: String::new(),
            features: Vec::new(),
        })
        .collect();
    let files = world.files.join(", ");
    let compiled = world.scenario.compile(&files);
    world.scenario.expectations.clear();
    compiled.map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                let path = e.path.clone();
                // `principals.KEY.identity[0]`: the policy's own origin, when the world has it.
                let origin = path.strip_prefix("principals.").and_then(|rest| {
                    let (owner, slot) = rest.rsplit_once('.')?;
                    world.origins.get(&World::origin_key(owner, slot))
                });
                match origin {
                    Some(o) => ExpectError::new(&o.file, &o.location, e.message.clone()),
                    None => ExpectError::new(&files, path, e.message.clone()),
                }
            })
            .collect()
    })
}

/// Every probe's outcome (in probe order) with its share of the time its slice took.
fn evaluate(cases: &[Case], plan: &Plan, engine: &dyn Evaluator) -> Vec<(Option<Outcome>, f64)> {
    let mut by_group: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, probe) in plan.probes.iter().enumerate() {
        by_group.entry(probe.group).or_default().push(index);
    }
    let mut slices = Vec::new();
    for (group, probes) in &by_group {
        for chunk in probes.chunks(SLICE) {
            slices.push((*group, chunk.to_vec()));
        }
    }
    let run = |(group, probes): &(usize, Vec<usize>)| {
        let Some(base) = cases.get(*group) else {
            return Vec::new();
        };
        let Some(template) = base.tests.first() else {
            return Vec::new();
        };
        let tests = probes
            .iter()
            .filter_map(|i| plan.probes.get(*i))
            .map(|p| {
                test_for(
                    template,
                    p,
                    plan.groups.get(*group).is_some_and(|g| g.resource == "*"),
                )
            })
            .collect();
        let case = Case {
            id: base.id.clone(),
            description: base.description.clone(),
            features: base.features.clone(),
            source: Vec::new(),
            policies: base.policies.clone(),
            tests,
        };
        let started = Instant::now();
        let outcomes = engine.evaluate(&case);
        let share = started.elapsed().as_secs_f64() / probes.len().max(1) as f64;
        probes
            .iter()
            .copied()
            .zip(outcomes)
            .map(|(i, o)| (i, o, share))
            .collect::<Vec<_>>()
    };
    let answered: Vec<Vec<(usize, Outcome, f64)>> = if engine.supports_parallel_calls() {
        slices.par_iter().map(run).collect()
    } else {
        slices.iter().map(run).collect()
    };
    let mut out: Vec<(Option<Outcome>, f64)> = plan.probes.iter().map(|_| (None, 0.0)).collect();
    for (index, outcome, share) in answered.into_iter().flatten() {
        if let Some(slot) = out.get_mut(index) {
            *slot = (Some(outcome), share);
        }
    }
    out
}

/// The test of one probe: the group's compiled request with the probe's action, context and
/// (for an ARN the world does not hold, `literal`) resource (the caller's `aws:PrincipalArn` kept).
fn test_for(template: &Test, probe: &Probe, literal: bool) -> Test {
    let mut request = template.request.clone();
    request.action.clone_from(&probe.action);
    if literal {
        request.resource.clone_from(&probe.resource);
    }
    let mut context = probe.context.clone();
    if let Some(arn) = template.request.context.get("aws:PrincipalArn") {
        context
            .entry("aws:PrincipalArn")
            .or_insert_with(|| arn.clone());
    }
    request.context = context;
    Test {
        name: probe.action.clone(),
        request,
        expect: Decision::Allow,
    }
}

enum Judgement {
    Holds,
    Violated(Box<Violation>),
    Error(String),
}

fn judge(world: &World, probe: &Probe, outcome: &Outcome, aws_managed: &[String]) -> Judgement {
    let request = CheckRequest {
        principal: probe.label.clone(),
        action: probe.action.clone(),
        resource: probe.resource.clone(),
        context: probe.context.clone(),
    };
    let (decision, explanation) = match outcome {
        Outcome::Decided {
            decision: Decision::Invalid,
            explanation,
        } => {
            let notes = explanation
                .as_ref()
                .map(|e| e.notes.join("; "))
                .unwrap_or_default();
            let origins = world.case_origins(&probe.principal, &probe.target, &probe.action);
            let placed = place_notes(&notes, &origins);
            return Judgement::Error(format!("a policy is invalid: {placed}"));
        }
        Outcome::Decided {
            decision,
            explanation,
        } => (*decision, explanation.clone().unwrap_or_default()),
        Outcome::Skipped(why) => return Judgement::Error(format!("skipped by the engine: {why}")),
        Outcome::Errored(why) => return Judgement::Error(format!("engine error: {why}")),
    };
    let allowed = decision == Decision::Allow;
    let fixed_rule = explanation.rule.starts_with("§8");
    let violated = match probe.want {
        Want::Allow => !allowed,
        Want::Deny => allowed,
        Want::NotGranted => allowed && !fixed_rule,
    };
    if !violated {
        return Judgement::Holds;
    }
    Judgement::Violated(Box::new(violation(
        world,
        probe,
        request,
        decision,
        &explanation,
        aws_managed,
    )))
}

/// Each `slot: message` note with the slot's source put in front.
fn place_notes(notes: &str, origins: &BTreeMap<String, &Origin>) -> String {
    notes
        .split("; ")
        .map(|note| {
            let slot = note.split(':').next().unwrap_or_default().trim();
            match origins.get(slot) {
                Some(o) => format!("{} {} ({}): {note}", o.file, o.location, o.name),
                None => note.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn source(origin: &Origin) -> Source {
    Source {
        file: origin.file.clone(),
        location: origin.location.clone(),
        name: origin.name.clone(),
    }
}

fn violation(
    world: &World,
    probe: &Probe,
    request: CheckRequest,
    decision: Decision,
    explanation: &Explanation,
    aws_managed: &[String],
) -> Violation {
    let origins = world.case_origins(&probe.principal, &probe.target, &probe.action);
    let decided_by: Vec<Deciding> = explanation
        .decided_by
        .iter()
        .map(|s| Deciding {
            policy: s.policy.clone(),
            statement: s.statement,
            sid: s.sid.clone(),
            effect: s.effect.clone(),
            source: origins.get(&s.policy).map(|o| source(o)),
            snapshot: aws_managed
                .contains(&s.policy)
                .then(|| managed::snapshot().date.clone()),
        })
        .collect();
    let sources = if decided_by.is_empty() {
        origins.values().map(|o| source(o)).collect()
    } else {
        Vec::new()
    };
    Violation {
        request: Some(request),
        expected: if probe.want == Want::Allow {
            "allow"
        } else {
            "deny"
        }
        .to_owned(),
        got: decision.as_str().to_owned(),
        reason: explanation.reason.clone(),
        decided_by,
        sources,
        near_misses: explanation
            .notes
            .iter()
            .filter_map(|note| {
                let slot = note.strip_prefix("near miss: ")?.split(' ').next()?;
                Some(match origins.get(slot) {
                    Some(o) => format!("{note} — {} {} ({})", o.file, o.location, o.name),
                    None => note.clone(),
                })
            })
            .collect(),
    }
}

/// Checks every profile rule (in parallel), each finding a violation located at the role's
/// identity policies (a missing or excess grant) or its trust policy.
fn profiles(world: &World, plan: &Plan, expectations: &[Expectation], results: &mut [Judged]) {
    let found: Vec<(usize, Judged)> = plan
        .units
        .par_iter()
        .enumerate()
        .filter_map(|(index, unit)| {
            let (name, role) = unit.profile.as_ref()?;
            let e = expectations.get(unit.expectation)?;
            let profile = crate::profiles::profile(name)?;
            let started = Instant::now();
            let mut judged = Judged {
                requests: 1,
                ..Judged::default()
            };
            let origins = world.case_origins(role, role, "iam:GetRole");
            let identity: Vec<Source> = origins.values().map(|o| source(o)).collect();
            let trust: Vec<Source> = world
                .origins
                .get(&World::origin_key(role, "trust"))
                .map(source)
                .into_iter()
                .collect();
            let finding = |got: &str, reason: String, sources: &[Source]| Violation {
                request: None,
                expected: format!("profile {name}"),
                got: got.to_owned(),
                reason,
                decided_by: Vec::new(),
                sources: sources.to_vec(),
                near_misses: Vec::new(),
            };
            match profile.check(&world.scenario, role, &e.file) {
                Ok(report) => {
                    for m in &report.missing {
                        judged.violations.push(Violation {
                            request: Some(CheckRequest {
                                principal: role.clone(),
                                action: m.action.clone(),
                                resource: m.resource.clone(),
                                context: serde_json::Map::new(),
                            }),
                            ..finding(
                                m.decision.as_str(),
                                format!("missing grant: {}", m.fails),
                                &identity,
                            )
                        });
                    }
                    for t in &report.trust {
                        judged
                            .violations
                            .push(finding("trust", t.to_string(), &trust));
                    }
                    for action in &report.excess {
                        judged.violations.push(Violation {
                            request: Some(CheckRequest {
                                principal: role.clone(),
                                action: action.clone(),
                                resource: "*".to_owned(),
                                context: serde_json::Map::new(),
                            }),
                            ..finding(
                                "allow",
                                "excess: the profile neither needs nor tolerates this action"
                                    .into(),
                                &identity,
                            )
                        });
                    }
                }
                Err(error) => judged.errors.push(error.to_string()),
            }
            judged.seconds = started.elapsed().as_secs_f64();
            Some((index, judged))
        })
        .collect();
    for (index, judged) in found {
        if let Some(slot) = results.get_mut(index) {
            *slot = judged;
        }
    }
}
