//! Turning expectations into requests. Each expectation becomes one or more results (one per
//! principal a selector chooses), each result a list of requests, each request a test of a
//! case. Requests that share their policies — the same principal, and the same resource policy
//! (none for an ARN the world does not hold) — share one case, so the world compiles into as
//! few cases as there are such pairs, in one [`crate::scenario::Scenario::compile`] call.

use std::collections::{BTreeSet, HashMap};

use crate::catalogue::catalogue;
use crate::glob::{matches, CaseSensitivity};
use crate::world::{Target, World};

use super::file::{ExpectError, Expectation, PrincipalSpec, Rule, Selector};
use super::probe;
use super::scan::Scan;
use crate::lint::unknown_action;

/// What a request must be decided as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// `allow`.
    Allow,
    /// Anything but `allow`.
    Deny,
    /// Anything but an `allow` granted by a policy (a fixed service rule of semantics §8, which
    /// lets every caller call `sts:GetCallerIdentity`, does not count).
    NotGranted,
}

/// One request.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The result it counts for.
    pub unit: usize,
    /// The case it is a test of.
    pub group: usize,
    /// The principal's key in the world.
    pub principal: String,
    /// The principal as the expectation names it.
    pub label: String,
    /// The action.
    pub action: String,
    /// The resource as asked.
    pub resource: String,
    /// The resource's key in the world, or the literal ARN.
    pub target: String,
    /// The request context.
    pub context: serde_json::Map<String, serde_json::Value>,
    /// What it must be decided as.
    pub want: Want,
}

/// The policies a case carries: a principal, and the resource of the world (or none).
#[derive(Debug, Clone)]
pub struct Group {
    /// The principal's key.
    pub principal: String,
    /// The world resource or role key, or `*` for ARNs the world does not hold.
    pub resource: String,
    /// The action the case compiles with (decides whether a role's trust policy applies).
    pub action: String,
}

/// One result: an expectation, for one principal when a selector chose several.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The expectation's index.
    pub expectation: usize,
    /// The principal a selector chose.
    pub principal: Option<String>,
    /// For a profile rule: the profile and the role's key.
    pub profile: Option<(String, String)>,
}

/// Every request of a check.
#[derive(Debug, Default)]
pub struct Plan {
    /// The results.
    pub units: Vec<Unit>,
    /// The cases.
    pub groups: Vec<Group>,
    /// The requests.
    pub probes: Vec<Probe>,
    /// Unknown actions and condition keys of the expectations.
    pub warnings: Vec<String>,
    index: HashMap<(String, String, bool), usize>,
}

/// Plans the requests of `expectations` in `world` (which gains the callers and object
/// resources they name).
pub fn plan(
    world: &mut World,
    scan: &Scan,
    expectations: &[Expectation],
    region: &str,
) -> Result<Plan, Vec<ExpectError>> {
    let original: BTreeSet<String> = world
        .scenario
        .principals
        .iter()
        .filter(|(_, p)| (p.role.is_some() || p.user.is_some()) && p.session_name.is_none())
        .map(|(k, _)| k.clone())
        .collect();
    let callers = world
        .scenario
        .principals
        .iter()
        .filter(|(_, p)| p.service.is_some() || p.root || p.anonymous)
        .map(|(k, _)| k.clone())
        .collect();
    let trusts = world
        .scenario
        .principals
        .iter()
        .filter(|(k, p)| p.role.is_some() && original.contains(*k))
        .filter_map(|(k, p)| Some((k.clone(), p.trust.as_ref()?.get().to_owned())))
        .collect();
    let mut planner = Planner {
        world,
        scan,
        original,
        region,
        plan: Plan::default(),
        targets: HashMap::new(),
        candidates: None,
        callers,
        trusts,
    };
    let mut problems = Vec::new();
    for (index, expectation) in expectations.iter().enumerate() {
        if let Err(problem) = planner.expectation(index, expectation) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(planner.plan)
    } else {
        Err(problems)
    }
}

struct Planner<'a> {
    world: &'a mut World,
    scan: &'a Scan,
    original: BTreeSet<String>,
    region: &'a str,
    plan: Plan,
    /// What each resource named so far resolved to.
    targets: HashMap<String, Target>,
    /// The principals an `only` rule asks (found once).
    candidates: Option<Vec<String>>,
    /// The world's services, roots and anonymous callers before planning.
    callers: Vec<String>,
    /// Each world role with the text of its trust policy.
    trusts: Vec<(String, String)>,
}

impl Planner<'_> {
    fn expectation(&mut self, index: usize, e: &Expectation) -> Result<(), ExpectError> {
        let problem = |field: &str, message: String| {
            ExpectError::new(&e.file, format!("{}.{field}", e.path), message)
        };
        match &e.rule {
            Rule::Can { principal, actions } | Rule::Cannot { principal, actions } => {
                let want = if matches!(e.rule, Rule::Can { .. }) {
                    Want::Allow
                } else {
                    Want::Deny
                };
                let actions = self.actions(actions, e);
                let selected = matches!(principal, PrincipalSpec::Select(_));
                for (key, label) in self.resolve(principal, e, "principal")? {
                    let unit = self.unit(index, selected.then(|| label.clone()), None);
                    for action in &actions {
                        for resource in &e.resources {
                            self.add(unit, &key, &label, action, resource, &e.context, want);
                        }
                    }
                }
            }
            Rule::Only {
                principals,
                actions,
            } => {
                let actions = self.actions(actions, e);
                let mut allowed = BTreeSet::new();
                for spec in principals {
                    for (key, _) in self.resolve(spec, e, "only")? {
                        allowed.insert(self.identity(&key));
                    }
                }
                let unit = self.unit(index, None, None);
                let candidates: Vec<String> = self
                    .candidates()
                    .into_iter()
                    .filter(|k| !allowed.contains(&self.identity(k)))
                    .collect();
                for key in &candidates {
                    for action in &actions {
                        for resource in &e.resources {
                            if self.may_be_allowed(key, action, resource) {
                                self.add(
                                    unit,
                                    key,
                                    key,
                                    action,
                                    resource,
                                    &e.context,
                                    Want::NotGranted,
                                );
                            }
                        }
                    }
                }
            }
            Rule::AtMost { principal, actions } => {
                let selected = matches!(principal, PrincipalSpec::Select(_));
                for pattern in actions {
                    if let Some(unknown) = unknown_action(pattern) {
                        self.warn(e, &unknown);
                    }
                }
                for (key, label) in self.resolve(principal, e, "principal")? {
                    let unit = self.unit(index, selected.then(|| label.clone()), None);
                    self.at_most(unit, &key, &label, actions, e);
                }
            }
            Rule::Profile { profile, role } => {
                let key = self
                    .world
                    .principal_key(role)
                    .ok()
                    .filter(|k| self.original.contains(k))
                    .filter(|k| {
                        self.world
                            .scenario
                            .principals
                            .get(k)
                            .is_some_and(|p| p.role.is_some())
                    })
                    .ok_or_else(|| {
                        problem("role", format!("`{role}` is not a role of the world"))
                    })?;
                self.unit(index, None, Some((profile.clone(), key)));
            }
        }
        Ok(())
    }

    /// Every principal of the world and every principal its policies name, found once.
    fn candidates(&mut self) -> Vec<String> {
        if let Some(found) = &self.candidates {
            return found.clone();
        }
        // The world's own callers (its roles and users, a scenario's services and roots), then
        // those its policies name; one key for each caller, whatever its names.
        let mut keys: Vec<String> = self.original.iter().cloned().collect();
        keys.extend(self.callers.iter().cloned());
        for named in &self.scan.named {
            if let Ok(key) = self.world.principal_key(named) {
                keys.push(key);
            }
        }
        let mut seen = BTreeSet::new();
        let found: Vec<String> = keys
            .into_iter()
            .filter(|k| seen.insert(self.identity(k)))
            .collect();
        self.candidates = Some(found.clone());
        found
    }

    /// Who a principal of the world is, whatever its key: a service by name, a role or user by
    /// account and name, a root user by account, `*` for an anonymous caller.
    fn identity(&self, key: &str) -> String {
        let Some(p) = self.world.scenario.principals.get(key) else {
            return key.to_owned();
        };
        let account = p
            .account
            .as_ref()
            .and_then(|a| self.world.scenario.accounts.get(a))
            .map_or("", |a| a.id.as_str());
        if let Some(service) = &p.service {
            format!("service {service}")
        } else if p.anonymous {
            "*".to_owned()
        } else if let Some(role) = &p.role {
            format!(
                "role {account} {role} {}",
                p.session_name.as_deref().unwrap_or("")
            )
        } else if let Some(user) = &p.user {
            format!("user {account} {user}")
        } else if p.root {
            format!("root {account}")
        } else {
            key.to_owned()
        }
    }

    /// What `resource` resolves to in the world, resolved once.
    fn target(&mut self, resource: &str) -> Target {
        if let Some(found) = self.targets.get(resource) {
            return found.clone();
        }
        let found = self.world.target(resource);
        self.targets.insert(resource.to_owned(), found.clone());
        found
    }

    fn warn(&mut self, e: &Expectation, message: &str) {
        self.plan
            .warnings
            .push(format!("{}: {}: {message}", e.file, e.path));
    }

    fn unit(
        &mut self,
        expectation: usize,
        principal: Option<String>,
        profile: Option<(String, String)>,
    ) -> usize {
        self.plan.units.push(Unit {
            expectation,
            principal,
            profile,
        });
        self.plan.units.len() - 1
    }

    /// The actions a list names: each pattern expanded against the catalogue; an unknown name
    /// (or a pattern matching nothing) is kept as written, with a warning.
    fn actions(&mut self, patterns: &[String], e: &Expectation) -> Vec<String> {
        let mut out = Vec::new();
        for pattern in patterns {
            if let Some(unknown) = unknown_action(pattern) {
                self.warn(e, &format!("{unknown}; asked as written"));
                out.push(pattern.clone());
            } else if pattern.contains(['*', '?']) {
                out.extend(
                    catalogue()
                        .matching(pattern)
                        .map(|(s, a)| format!("{}:{}", s.prefix, a.name)),
                );
            } else {
                out.push(pattern.clone());
            }
        }
        for key in e.context.keys() {
            if !crate::lint::is_provider_key(key) && catalogue().key_type(key).is_none() {
                self.warn(e, &format!("context key `{key}` is not in the catalogue"));
            }
        }
        out.dedup();
        out
    }

    /// The principals a spec names, each as (key, label).
    fn resolve(
        &mut self,
        spec: &PrincipalSpec,
        e: &Expectation,
        field: &str,
    ) -> Result<Vec<(String, String)>, ExpectError> {
        let problem =
            |message: String| ExpectError::new(&e.file, format!("{}.{field}", e.path), message);
        match spec {
            PrincipalSpec::Name(name) => {
                let normal = if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) {
                    format!("arn:aws:iam::{name}:root")
                } else {
                    name.clone()
                };
                let key = self
                    .world
                    .principal_key(&normal)
                    .map_err(|err| problem(err.to_string()))?;
                Ok(vec![(key, name.clone())])
            }
            PrincipalSpec::Select(selector) => {
                let found: Vec<(String, String)> = self
                    .original
                    .iter()
                    .filter(|key| {
                        self.world.scenario.principals.get(*key).is_some_and(|p| {
                            selects(selector, p.role.as_deref(), p.user.as_deref())
                        })
                    })
                    .map(|k| (k.clone(), k.clone()))
                    .collect();
                if found.is_empty() {
                    return Err(problem(format!(
                        "the selector {spec} matches no principal of the world ({} roles and users)",
                        self.original.len()
                    )));
                }
                Ok(found)
            }
        }
    }

    /// False when `key` cannot be allowed `action` on `resource`: its identity policies allow
    /// no matching action and no resource policy of the world applies.
    fn may_be_allowed(&mut self, key: &str, action: &str, resource: &str) -> bool {
        let Some(grants) = self.scan.grants.get(key) else {
            return true;
        };
        if grants.may_allow(action) {
            return true;
        }
        match self.target(resource) {
            Target::Literal(_) => false,
            Target::Key(k) => {
                let assume = action.to_ascii_lowercase().starts_with("sts:assumerole");
                self.world
                    .scenario
                    .resources
                    .get(&k)
                    .is_some_and(|r| r.policy.is_some())
                    || (assume
                        && self
                            .world
                            .scenario
                            .principals
                            .get(&k)
                            .is_some_and(|p| p.trust.is_some()))
            }
        }
    }

    fn at_most(
        &mut self,
        unit: usize,
        key: &str,
        label: &str,
        permitted: &[String],
        e: &Expectation,
    ) {
        let principal = self
            .world
            .scenario
            .principals
            .get(key)
            .cloned()
            .unwrap_or_default();
        let account = principal
            .account
            .as_ref()
            .and_then(|a| self.world.scenario.accounts.get(a))
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let grants = self.scan.grants.get(key).cloned().unwrap_or_default();
        let mut allowed = grants.actions.clone().filter(|_| !principal.root);
        for actions in self.scan.resource_actions.values() {
            match (&mut allowed, actions) {
                (Some(list), Some(more)) => list.extend(more.iter().cloned()),
                _ => allowed = None,
            }
        }
        if let Some(list) = allowed.as_mut() {
            list.push("sts:AssumeRole*".to_owned());
        }
        let known: Vec<String> = self.world.scenario.resources.keys().cloned().collect();
        let patterns: Vec<String> = grants
            .resources
            .iter()
            .filter_map(|p| probe::fill_variables(p, principal.user.as_deref()))
            .collect();
        // A trust policy admits a caller of its own account by naming it, `*`, or (when the
        // caller's identity policies may allow sts:AssumeRole) the account; `NotPrincipal`
        // admits everyone else.
        let via_account = !account.is_empty() && grants.may_allow("sts:AssumeRole");
        let roles: Vec<String> = self
            .trusts
            .iter()
            .filter(|(role, text)| {
                role != key
                    && (text.contains(key)
                        || text.contains("\\\"*\\\"")
                        || text.contains("\"*\"")
                        || text.contains("NotPrincipal")
                        || (via_account && text.contains(&account)))
            })
            .map(|(role, _)| role.clone())
            .collect();
        let mut asks = Vec::new();
        // Actions of one service acting on the same resource types get the same resources.
        let mut by_types: HashMap<(String, Vec<String>, bool), Vec<String>> = HashMap::new();
        let mut met = probe::Meetings::new();
        for (name, service, action) in probe::candidate_actions(allowed.as_deref(), permitted) {
            let assume = name.to_ascii_lowercase().starts_with("sts:assumerole");
            let types = action
                .resource_types
                .iter()
                .map(|t| t.name.clone())
                .collect();
            let resources = if !e.resources.is_empty() {
                e.resources.clone()
            } else {
                by_types
                    .entry((service.prefix.clone(), types, assume))
                    .or_insert_with(|| {
                        let mut with_roles = known.clone();
                        if assume {
                            with_roles.extend(roles.iter().cloned());
                        }
                        probe::resources_for(
                            service,
                            action,
                            &account,
                            self.region,
                            &with_roles,
                            &patterns,
                            &mut met,
                        )
                    })
                    .clone()
            };
            asks.extend(resources.into_iter().map(|r| (name.clone(), r)));
        }
        for (action, resource) in asks {
            self.add(
                unit,
                key,
                label,
                &action,
                &resource,
                &e.context,
                Want::NotGranted,
            );
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one request's fields")]
    fn add(
        &mut self,
        unit: usize,
        key: &str,
        label: &str,
        action: &str,
        resource: &str,
        context: &serde_json::Map<String, serde_json::Value>,
        want: Want,
    ) {
        let target = self.target(resource);
        let assume = action.to_ascii_lowercase().starts_with("sts:assumerole");
        let (slot, target_key) = match &target {
            Target::Key(k) => {
                let is_role = self
                    .world
                    .scenario
                    .principals
                    .get(k)
                    .is_some_and(|p| p.role.is_some());
                ((key.to_owned(), k.clone(), assume && is_role), k.clone())
            }
            Target::Literal(l) => ((key.to_owned(), "*".to_owned(), false), l.clone()),
        };
        let groups = &mut self.plan.groups;
        let group = *self.plan.index.entry(slot.clone()).or_insert_with(|| {
            groups.push(Group {
                principal: key.to_owned(),
                resource: slot.1.clone(),
                action: action.to_owned(),
            });
            groups.len() - 1
        });
        self.plan.probes.push(Probe {
            unit,
            group,
            principal: key.to_owned(),
            label: label.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            target: target_key,
            context: context.clone(),
            want,
        });
    }
}

/// True when a role or user of that name is what the selector chooses.
fn selects(selector: &Selector, role: Option<&str>, user: Option<&str>) -> bool {
    let glob = |pattern: &str, name: Option<&str>| {
        name.is_some_and(|n| matches(pattern, n, CaseSensitivity::Insensitive))
    };
    selector.any && (role.is_some() || user.is_some())
        || selector.role.as_deref().is_some_and(|p| glob(p, role))
        || selector.user.as_deref().is_some_and(|p| glob(p, user))
}
