//! One read of every policy of a world before checking: the action patterns each principal's
//! identity policies allow (to skip principals that cannot be allowed an action, and to know
//! which catalogue actions an `at-most` rule must probe), the resource patterns they name (made
//! into concrete ARNs to probe), the principals the world's trust and resource policies name
//! (the candidates of `only`), and every action and condition key the catalogue does not know
//! (warnings: such a request is never allowed by a typo's accident, but the typo is shown).

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::case::{policy_text, PolicyText};
use crate::lint::unknown_names;
use crate::managed;
use crate::policy::{self, Effect, Policy, Principal as PolicyPrincipal, PrincipalType};
use crate::world::World;

/// What the identity policies of one principal allow, by pattern.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// The `Action` patterns of its `Allow` statements; `None` when some `Allow` uses
    /// `NotAction` or a policy could not be read (every action is then possible).
    pub actions: Option<Vec<String>>,
    /// The `Resource` patterns of its `Allow` statements.
    pub resources: Vec<String>,
}

impl Grants {
    /// False only when no `Allow` of the identity policies can match `action`.
    pub fn may_allow(&self, action: &str) -> bool {
        match &self.actions {
            None => true,
            Some(patterns) => patterns
                .iter()
                .any(|p| same_service(p, action) && crate::glob::action_matches(p, action)),
        }
    }
}

/// False when the pattern names a service (no wildcard before its `:`) other than the text's:
/// a cheap test before the wildcard match.
pub fn same_service(pattern: &str, text: &str) -> bool {
    match (pattern.split_once(':'), text.split_once(':')) {
        (Some((p, _)), Some((t, _))) if !p.contains(['*', '?']) => p.eq_ignore_ascii_case(t),
        _ => true,
    }
}

/// The facts of a world's policies.
#[derive(Debug, Default)]
pub struct Scan {
    /// The grants of each principal, by key.
    pub grants: BTreeMap<String, Grants>,
    /// The `Allow` action patterns of each resource policy, by resource key (`None`: any).
    pub resource_actions: BTreeMap<String, Option<Vec<String>>>,
    /// The principals named in `Principal` elements (services, account roots, IAM ARNs, `*`).
    pub named: BTreeSet<String>,
    /// Unknown actions and condition keys, each with the policy's origin.
    pub warnings: Vec<String>,
}

/// The document a world policy stands for: its own text, or an AWS managed policy's from the
/// snapshot. `None` for a text that cannot be read (the evaluation reports it).
fn document(raw: &PolicyText) -> Option<Policy> {
    let text = policy_text(raw).ok()?;
    let trimmed = text.trim();
    if trimmed.starts_with("arn:") {
        let found = managed::snapshot().get(trimmed)?;
        let text = policy_text(&found.document).ok()?;
        return policy::parse(&text).ok();
    }
    policy::parse(trimmed).ok()
}

/// True for policies whose unknown names are not the world's to fix (AWS managed ones).
fn is_aws_managed(raw: &PolicyText) -> bool {
    policy_text(raw).is_ok_and(|t| t.trim().starts_with(managed::ARN_PREFIX))
}

/// What one principal's identity policies allow, and their warnings.
fn grants_of(policies: &[PolicyText], place: &dyn Fn(usize) -> String) -> (Grants, Vec<String>) {
    let mut grants = Grants {
        actions: Some(Vec::new()),
        resources: Vec::new(),
    };
    let mut warnings = Vec::new();
    for (index, raw) in policies.iter().enumerate() {
        let Some(doc) = document(raw) else {
            grants.actions = None;
            continue;
        };
        if !is_aws_managed(raw) {
            unknown_names(&doc, &place(index), &mut warnings);
        }
        for statement in doc.statement.iter().filter(|s| s.effect == Effect::Allow) {
            match (&mut grants.actions, statement.action.negated) {
                (Some(list), false) => list.extend(statement.action.patterns.iter().cloned()),
                _ => grants.actions = None,
            }
            if let Some(resource) = statement.resource.as_ref().filter(|r| !r.negated) {
                grants.resources.extend(resource.patterns.iter().cloned());
            }
        }
    }
    (grants, warnings)
}

/// The principals a policy's `Principal` elements name, and its `Allow` action patterns.
fn named_in(policy: &Policy, named: &mut BTreeSet<String>) -> Option<Vec<String>> {
    let mut actions = Some(Vec::new());
    for statement in policy.statement.iter() {
        if statement.effect == Effect::Allow {
            match (&mut actions, statement.action.negated) {
                (Some(list), false) => list.extend(statement.action.patterns.iter().cloned()),
                _ => actions = None,
            }
        }
        let Some(clause) = &statement.principal else {
            continue;
        };
        match &clause.value {
            PolicyPrincipal::Wildcard => {
                named.insert("*".to_owned());
            }
            PolicyPrincipal::Map(entries) => {
                for (kind, values) in entries {
                    for value in values.iter() {
                        match kind {
                            PrincipalType::Service => {
                                named.insert(value.clone());
                            }
                            PrincipalType::Aws if value == "*" => {
                                named.insert("*".to_owned());
                            }
                            PrincipalType::Aws if value.len() == 12 => {
                                named.insert(format!("arn:aws:iam::{value}:root"));
                            }
                            PrincipalType::Aws if !value.contains('*') => {
                                named.insert(value.clone());
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    actions
}

/// Reads every policy of `world` once (principals in parallel).
pub fn scan(world: &World) -> Scan {
    let origin = |owner: &str, slot: &str| {
        world
            .origins
            .get(&World::origin_key(owner, slot))
            .map_or_else(
                || format!("{owner} {slot}"),
                |o| format!("{} {}", o.file, o.location),
            )
    };
    let per_principal: Vec<(String, Grants, Vec<String>, BTreeSet<String>)> = world
        .scenario
        .principals
        .par_iter()
        .map(|(key, principal)| {
            let place = |index: usize| origin(key, &format!("identity[{index}]"));
            let (grants, mut warnings) = grants_of(&principal.identity, &place);
            let mut named = BTreeSet::new();
            if let Some(trust) = principal.trust.as_ref().and_then(document) {
                named_in(&trust, &mut named);
                unknown_names(&trust, &origin(key, "trust"), &mut warnings);
            }
            if let Some(boundary) = principal.boundary.as_ref().filter(|b| !is_aws_managed(b)) {
                if let Some(doc) = document(boundary) {
                    unknown_names(&doc, &origin(key, "boundary"), &mut warnings);
                }
            }
            (key.clone(), grants, warnings, named)
        })
        .collect();
    let mut out = Scan::default();
    for (key, grants, mut warnings, mut named) in per_principal {
        out.grants.insert(key, grants);
        out.warnings.append(&mut warnings);
        out.named.append(&mut named);
    }
    for (key, resource) in &world.scenario.resources {
        let Some(doc) = resource.policy.as_ref().and_then(document) else {
            continue;
        };
        unknown_names(&doc, &origin(key, "policy"), &mut out.warnings);
        let actions = named_in(&doc, &mut out.named);
        out.resource_actions.insert(key.clone(), actions);
    }
    out
}
