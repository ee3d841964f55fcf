//! Whole worlds compared: every request the old world denies and the new one allows, for every
//! principal of the new world and every caller its resource policies admit (see
//! [`compare_worlds`]).
//!
//! A request is compiled through each world exactly as `eval --from` compiles it, so a witness
//! given to `iam-harness eval --from OLD` and `--from NEW` decides as reported. A (principal,
//! target) pair whose compiled policies and request are the same on both sides cannot decide
//! differently and is not evaluated; the rest are evaluated in parallel.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::case::{policy_text, Case, TestRequest};
use crate::decision::{Decision, StatementRef};
use crate::engine::reference::ReferenceEvaluator;
use crate::policy::{parse_as, Policy, PolicyKind, PolicySet, Principal as Named, PrincipalType};
use crate::scenario::Expectation;
use crate::world::{Origin, World};
use crate::{Evaluator, Outcome};

use super::abstraction::{self, ActionClass};

/// The action every pair is compiled with when the action does not matter (not a role's
/// `sts:AssumeRole*`, whose resource policy is the role's trust policy).
const PROBE: &str = "iamharnessprobe:Probe";

/// A caller of a fresh account, for resource policies that admit more than they name.
pub const FRESH_CALLER: &str = "arn:aws:iam::444455556666:user/iamharnessfresh";

/// A deciding statement and where its policy came from.
#[derive(Debug, Clone, Serialize)]
pub struct Decider {
    /// The statement.
    #[serde(flatten)]
    pub statement: StatementRef,
    /// The file, location and name of its policy, when the world knows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginOut>,
}

/// An [`Origin`] as the output writes it.
#[derive(Debug, Clone, Serialize)]
pub struct OriginOut {
    /// The file.
    pub file: String,
    /// Terraform address, CloudFormation logical id or JSON path.
    pub location: String,
    /// The policy's name.
    pub name: String,
}

impl From<&Origin> for OriginOut {
    fn from(o: &Origin) -> Self {
        OriginOut {
            file: o.file.clone(),
            location: o.location.clone(),
            name: o.name.clone(),
        }
    }
}

/// One new access of a world: a class of requests of one principal.
#[derive(Debug, Clone, Serialize)]
pub struct WorldFinding {
    /// The principal as `eval --from --principal` names it.
    pub principal: String,
    /// True when the principal exists only in the new world.
    pub new_principal: bool,
    /// The witness as `eval --from` takes it: principal, action, resource, context.
    pub request: TestRequest,
    /// Every action of the witness's class confirmed newly allowed.
    pub actions: Vec<String>,
    /// What decided the old side (empty: an implicit deny).
    pub old_statements: Vec<Decider>,
    /// What allows it on the new side.
    pub new_statements: Vec<Decider>,
    /// The class in words.
    pub summary: String,
}

/// The result of comparing two worlds.
#[derive(Debug, Clone, Serialize)]
pub struct WorldComparison {
    /// Every new access, by principal, action class and resource.
    pub new_access: Vec<WorldFinding>,
    /// How many principals were compared.
    pub principals: usize,
    /// How many (principal, target) pairs were evaluated (the rest are the same on both sides).
    pub pairs_evaluated: usize,
    /// How many requests were evaluated on each side.
    pub evaluated: usize,
}

/// Why two worlds cannot be compared.
#[derive(Debug, thiserror::Error)]
#[error("{side} world: {message}")]
pub struct WorldCompareError {
    /// `old` or `new`.
    pub side: &'static str,
    /// What went wrong.
    pub message: String,
}

/// The principals compared: every role and user of the new world, then every AWS principal and
/// service the resource policies of either world name, an anonymous caller and [`FRESH_CALLER`].
fn callers(old: &World, new: &World) -> Vec<String> {
    let mut out: BTreeSet<String> = new
        .scenario
        .principals
        .iter()
        .filter(|(_, p)| p.role.is_some() || p.user.is_some())
        .map(|(k, _)| k.clone())
        .collect();
    out.insert("*".to_owned());
    out.insert(FRESH_CALLER.to_owned());
    for policy in resource_policies(old).iter().chain(&resource_policies(new)) {
        for principal in policy
            .statements()
            .iter()
            .filter_map(|s| s.principal.as_ref())
        {
            let Named::Map(entries) = &principal.value else {
                continue;
            };
            for (kind, values) in entries {
                for value in values.iter().filter(|v| v.as_str() != "*") {
                    let named = value.replace(['*', '?'], "x");
                    match kind {
                        PrincipalType::Aws | PrincipalType::Service => {
                            out.insert(named);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Every resource policy and role trust policy of a world, parsed (unparsable ones are left
/// to the loaders' reports: they decide nothing here).
fn resource_policies(world: &World) -> Vec<Policy> {
    let texts = world
        .scenario
        .resources
        .values()
        .filter_map(|r| r.policy.as_ref())
        .map(|t| (t, PolicyKind::Resource))
        .chain(
            world
                .scenario
                .principals
                .values()
                .filter_map(|p| p.trust.as_ref())
                .map(|t| (t, PolicyKind::Trust)),
        );
    texts
        .filter_map(|(raw, kind)| parse_as(&policy_text(raw).ok()?, kind).ok())
        .collect()
}

/// One side: every pair compiled into a case, and each case's policy set.
struct Side {
    /// By pair index and variant (0: [`PROBE`], 1: `sts:AssumeRole`): the case and its set.
    cases: BTreeMap<(usize, usize), (Case, PolicySet)>,
}

/// The targets of a principal: the instances of its policies' resource patterns and every
/// resource and role of either world.
fn targets(policies: &[&Policy], old: &World, new: &World) -> Vec<String> {
    let mut out = abstraction::resources(policies);
    for world in [old, new] {
        out.extend(world.scenario.resources.keys().cloned());
        out.extend(
            world
                .scenario
                .principals
                .iter()
                .filter(|(_, p)| p.role.is_some())
                .map(|(k, _)| k.clone()),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// Compiles every pair in both variants through `world`; a pair whose principal the world
/// cannot name is left out (the side then denies it).
fn compile_side(
    mut world: World,
    pairs: &[(String, String)],
    side: &'static str,
) -> Result<Side, WorldCompareError> {
    let mut index = Vec::new();
    for (n, (principal, target)) in pairs.iter().enumerate() {
        let Ok(key) = world.principal_key(principal) else {
            continue;
        };
        let target = world.target(target).as_str().to_owned();
        for (variant, action) in [PROBE, "sts:AssumeRole"].into_iter().enumerate() {
            index.push((n, variant));
            world.scenario.expectations.push(Expectation {
                name: format!("pair {n} {variant}"),
                principal: key.clone(),
                action: action.to_owned(),
                resource: target.clone(),
                context: serde_json::Map::new(),
                expect: Decision::Allow,
                why: String::new(),
                features: Vec::new(),
            });
        }
    }
    let file = world.files.join(", ");
    let compiled = world
        .scenario
        .compile(&file)
        .map_err(|e| WorldCompareError {
            side,
            message: e.to_string(),
        })?;
    let cases = index
        .into_par_iter()
        .zip(compiled)
        .filter_map(|(at, case)| Some((at, (case.policy_set().ok()?, case))))
        .map(|(at, (set, case))| (at, (case, set)))
        .collect();
    Ok(Side { cases })
}

/// Everything that decides a compiled case: its policies and its request.
fn fingerprint(case: &Case) -> Option<String> {
    serde_json::to_string(&(&case.policies, &case.tests.first()?.request)).ok()
}

/// The policies a principal's requests can meet on one side.
fn bearing(side: &Side, pair: usize) -> impl Iterator<Item = &Policy> {
    (0..2)
        .filter_map(move |v| side.cases.get(&(pair, v)))
        .flat_map(|(_, set)| {
            set.identity
                .iter()
                .chain(&set.boundary)
                .chain(set.resource.iter())
                .chain(set.scp.iter().flatten().flatten())
                .chain(set.rcp.iter().flatten().flatten())
        })
}

/// A request of a compiled case with another action and extra context.
fn with(
    case: &Case,
    action: &str,
    context: &serde_json::Map<String, serde_json::Value>,
) -> Option<crate::request::Request> {
    let mut written = case.tests.first()?.request.clone();
    action.clone_into(&mut written.action);
    for (k, v) in context {
        written.context.insert(k.clone(), v.clone());
    }
    written.to_request().ok()
}

/// A witness's decision on one side and what decided it.
type Decided = (Decision, Vec<Decider>);

/// One candidate finding before confirmation.
struct Candidate {
    principal: String,
    target: String,
    actions: Vec<String>,
    context: serde_json::Map<String, serde_json::Value>,
}

/// Compares two worlds: see the module docs.
pub fn compare_worlds(old: &World, new: &World) -> Result<WorldComparison, WorldCompareError> {
    let callers = callers(old, new);
    // Base pairs: each caller on a resource of no account, for the policies bearing on it.
    let base: Vec<(String, String)> = callers
        .iter()
        .map(|c| (c.clone(), "arn:aws:iamharnessfresh:::base".into()))
        .collect();
    let (old_base, new_base) = rayon::join(
        || compile_side(old.clone(), &base, "old"),
        || compile_side(new.clone(), &base, "new"),
    );
    let (old_base, new_base) = (old_base?, new_base?);
    let shared: Vec<Policy> = resource_policies(old)
        .into_iter()
        .chain(resource_policies(new))
        .collect();
    let changed = |a: &Side, b: &Side, n: usize| {
        (0..2).any(|v| {
            let print = |s: &Side| s.cases.get(&(n, v)).and_then(|(c, _)| fingerprint(c));
            print(a) != print(b)
        })
    };
    let mut per_caller = Vec::new();
    let mut class_cache: HashMap<Vec<String>, Arc<Vec<ActionClass>>> = HashMap::new();
    let mut universe = BTreeSet::new();
    for n in 0..callers.len() {
        let mut policies: Vec<&Policy> =
            bearing(&old_base, n).chain(bearing(&new_base, n)).collect();
        policies.extend(&shared);
        let mut patterns: Vec<String> = policies
            .iter()
            .flat_map(|p| p.statements())
            .flat_map(|s| s.action.patterns.iter().cloned())
            .collect();
        patterns.sort();
        patterns.dedup();
        let classes = class_cache
            .entry(patterns)
            .or_insert_with(|| Arc::new(abstraction::action_classes(&policies)))
            .clone();
        let contexts = super::contexts(&abstraction::context_values(&policies));
        let targets = targets(&policies, old, new);
        universe.extend(targets.iter().cloned());
        per_caller.push((targets, classes, contexts, changed(&old_base, &new_base, n)));
    }
    // Which targets differ: each compiled for an anonymous caller, whose own policies are none.
    let universe: Vec<String> = universe.into_iter().collect();
    let probes: Vec<(String, String)> = universe.iter().map(|t| ("*".into(), t.clone())).collect();
    let (old_probe, new_probe) = rayon::join(
        || compile_side(old.clone(), &probes, "old"),
        || compile_side(new.clone(), &probes, "new"),
    );
    let (old_probe, new_probe) = (old_probe?, new_probe?);
    let changed_targets: BTreeSet<&str> = universe
        .iter()
        .enumerate()
        .filter(|&(n, _)| changed(&old_probe, &new_probe, n))
        .map(|(_, t)| t.as_str())
        .collect();
    let mut pairs = Vec::new();
    let mut abstractions = Vec::new();
    for (caller, (targets, classes, contexts, own_changed)) in callers.iter().zip(per_caller) {
        let first = pairs.len();
        for target in targets {
            if own_changed || changed_targets.contains(target.as_str()) {
                pairs.push((caller.clone(), target));
            }
        }
        abstractions.push((first..pairs.len(), classes, contexts));
    }
    let (old_side, new_side) = rayon::join(
        || compile_side(old.clone(), &pairs, "old"),
        || compile_side(new.clone(), &pairs, "new"),
    );
    let (old_side, new_side) = (old_side?, new_side?);
    let evaluator = ReferenceEvaluator::new();
    let work: Vec<(usize, usize)> = abstractions
        .iter()
        .enumerate()
        .flat_map(|(a, (range, _, _))| range.clone().map(move |p| (a, p)))
        .filter(|&(_, p)| {
            (0..2).any(|v| {
                let print = |s: &Side| s.cases.get(&(p, v)).and_then(|(c, _)| fingerprint(c));
                print(&new_side).is_some() && print(&old_side) != print(&new_side)
            })
        })
        .collect();
    let pairs_evaluated = work.len();
    let results: Vec<(usize, Vec<Candidate>)> = work
        .par_iter()
        .map(|&(a, p)| {
            let Some((_, classes, contexts)) = abstractions.get(a) else {
                return (0, Vec::new());
            };
            search_pair(
                &evaluator, &old_side, &new_side, p, &pairs, classes, contexts,
            )
        })
        .collect();
    let evaluated = results.iter().map(|(n, _)| n).sum();
    let candidates: Vec<Candidate> = results.into_iter().flat_map(|(_, c)| c).collect();
    let new_access = confirm(old, new, candidates)?;
    Ok(WorldComparison {
        new_access,
        principals: callers.len(),
        pairs_evaluated,
        evaluated,
    })
}

/// Searches one (principal, target) pair: per action class, the first context the old side
/// denies and the new allows, then every member of the class at that context.
fn search_pair(
    evaluator: &ReferenceEvaluator,
    old: &Side,
    new: &Side,
    pair: usize,
    pairs: &[(String, String)],
    classes: &[ActionClass],
    contexts: &[serde_json::Map<String, serde_json::Value>],
) -> (usize, Vec<Candidate>) {
    let mut evaluated = 0;
    let mut out = Vec::new();
    let Some((principal, target)) = pairs.get(pair) else {
        return (0, out);
    };
    let mut differs = |action: &str, context: &serde_json::Map<String, serde_json::Value>| {
        let variant = usize::from(action.to_ascii_lowercase().starts_with("sts:assumerole"));
        let Some((new_case, new_set)) = new.cases.get(&(pair, variant)) else {
            return false;
        };
        let Some(request) = with(new_case, action, context) else {
            return false;
        };
        evaluated += 1;
        if evaluator.decide(new_set, &request) != Decision::Allow {
            return false;
        }
        match old.cases.get(&(pair, variant)) {
            None => true,
            Some((old_case, old_set)) => with(old_case, action, context)
                .is_some_and(|r| evaluator.decide(old_set, &r) != Decision::Allow),
        }
    };
    let resource = new
        .cases
        .get(&(pair, 0))
        .and_then(|(case, _)| case.tests.first())
        .map_or(target.as_str(), |t| t.request.resource.as_str());
    let allowing: Vec<&Policy> = [0, 1]
        .iter()
        .filter_map(|v| new.cases.get(&(pair, *v)))
        .flat_map(|(_, set)| set.identity.iter().chain(&set.session).chain(&set.resource))
        .collect();
    for class in classes {
        let Some(representative) = class.actions.first() else {
            continue;
        };
        if !super::may_allow(&allowing, representative, resource) {
            continue;
        }
        let Some(context) = contexts.iter().find(|c| differs(representative, c)) else {
            continue;
        };
        let actions = class
            .actions
            .iter()
            .filter(|a| differs(a, context))
            .map(|a| a.clone().into_owned())
            .collect();
        out.push(Candidate {
            principal: principal.clone(),
            target: target.clone(),
            actions,
            context: context.clone(),
        });
    }
    (evaluated, out)
}

/// Compiles each candidate's witness through both worlds as `eval --from` does and keeps those
/// the old world denies and the new allows, with their deciding statements and origins.
fn confirm(
    old: &World,
    new: &World,
    candidates: Vec<Candidate>,
) -> Result<Vec<WorldFinding>, WorldCompareError> {
    let decide = |world: &World, side| -> Result<Vec<Option<Decided>>, _> {
        let mut world = world.clone();
        let mut keys = Vec::new();
        for (n, c) in candidates.iter().enumerate() {
            let Some(action) = c.actions.first() else {
                keys.push(None);
                continue;
            };
            let Ok(principal) = world.principal_key(&c.principal) else {
                keys.push(None);
                continue;
            };
            let target = world.target(&c.target).as_str().to_owned();
            keys.push(Some((principal.clone(), target.clone(), action.clone())));
            world.scenario.expectations.push(Expectation {
                name: format!("witness {n}"),
                principal,
                action: action.clone(),
                resource: target,
                context: c.context.clone(),
                expect: Decision::Allow,
                why: String::new(),
                features: Vec::new(),
            });
        }
        let file = world.files.join(", ");
        let mut cases = world
            .scenario
            .compile(&file)
            .map_err(|e| WorldCompareError {
                side,
                message: e.to_string(),
            })?
            .into_iter();
        let engine = ReferenceEvaluator::new();
        Ok(keys
            .into_iter()
            .map(|key| {
                let (principal, target, action) = key?;
                let case = cases.next()?;
                let origins = world.case_origins(&principal, &target, &action);
                match engine.evaluate(&case).into_iter().next()? {
                    Outcome::Decided {
                        decision,
                        explanation,
                    } => Some((
                        decision,
                        explanation
                            .map(|e| e.decided_by)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|statement| Decider {
                                origin: origins.get(&statement.policy).map(|o| (*o).into()),
                                statement,
                            })
                            .collect(),
                    )),
                    _ => None,
                }
            })
            .collect())
    };
    let (old_decisions, new_decisions) = (decide(old, "old")?, decide(new, "new")?);
    let mut out = Vec::new();
    for ((c, old_d), new_d) in candidates.into_iter().zip(old_decisions).zip(new_decisions) {
        let Some((Decision::Allow, new_statements)) = new_d else {
            continue;
        };
        let old_statements = match old_d {
            Some((Decision::Allow, _)) => continue,
            Some((_, statements)) => statements,
            None => Vec::new(),
        };
        let Some(action) = c.actions.first() else {
            continue;
        };
        out.push(WorldFinding {
            new_principal: !old.scenario.principals.contains_key(&c.principal)
                && new.scenario.principals.contains_key(&c.principal),
            request: TestRequest {
                principal: c.principal.clone(),
                principal_account: None,
                action: action.clone(),
                resource: c.target.clone(),
                resource_account: None,
                context: c.context,
                session_issuer: None,
            },
            summary: super::summary(&c.actions, &c.target),
            principal: c.principal,
            actions: c.actions,
            old_statements,
            new_statements,
        });
    }
    Ok(out)
}
