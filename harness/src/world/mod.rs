//! Worlds loaded from where policies live: an account's authorization details, a Terraform plan
//! or state, a CloudFormation template, or a scenario file. Each loader turns its file into one
//! [`World`] — the accounts, principals and resources of a [`Scenario`] with no expectations, so
//! a world compiles into cases exactly as a scenario does — plus where every policy came from
//! ([`Origin`]) and what was left out ([`Skipped`]). Worlds of several files merge.
//!
//! Keys: accounts by their 12-digit ID, roles and users by their ARN, service principals by
//! name, resources by ARN (scenario files keep their own names). AWS managed policies that a
//! source names only by ARN stay ARNs in the world; compiling resolves them from the embedded
//! snapshot ([`crate::managed`]).

mod cloudformation;
mod dump;
mod lookup;
mod terraform;

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::path::Path;

use crate::case::PolicyText;
use crate::files::{read_text, ReadError};
use crate::scenario::{Account, Principal, Resource, Scenario};

pub use lookup::{LookupError, Target};

/// Where one policy of a world came from, for messages a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file it was read from.
    pub file: String,
    /// Where in the file: a JSON path in a dump, a Terraform resource address, a
    /// CloudFormation logical id and the path below it.
    pub location: String,
    /// The policy's own name (an inline policy's name, a managed policy's ARN, `trust policy`).
    pub name: String,
}

/// Something a loader read but did not put in the world, and why: an unsupported resource type,
/// or a value only known after apply or deployment. Listed, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// Where in the file (address, logical id, JSON path).
    pub location: String,
    /// Why it was left out.
    pub reason: String,
}

/// A problem that stops a file from loading: the file, the place inside it and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if location.is_empty() { String::new() } else { format!("{location}: ") })]
pub struct WorldError {
    /// The file.
    pub file: String,
    /// Where in the file (JSON path, resource address, logical id); empty for the whole file.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl WorldError {
    /// A problem at `location` of `file`.
    pub fn new(file: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        WorldError {
            file: file.to_owned(),
            location: location.into(),
            message: message.into(),
        }
    }
}

/// What the loaders need from the command line for sources that do not say it.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The account ID of a plan or template (`--account`; default `123456789012`).
    pub account: Option<String>,
    /// The region of a plan or template (`--region`; default `us-east-1`).
    pub region: Option<String>,
    /// Template parameters given as `--parameter Name=Value`.
    pub parameters: BTreeMap<String, String>,
}

impl LoadOptions {
    /// The account of a source that does not say it.
    pub fn account(&self) -> &str {
        self.account.as_deref().unwrap_or("123456789012")
    }

    /// The region of a source that does not say it.
    pub fn region(&self) -> &str {
        self.region.as_deref().unwrap_or("us-east-1")
    }
}

/// The accounts, principals and resources of one or more sources, with the origin of every
/// policy and the list of what was skipped.
#[derive(Debug, Clone)]
pub struct World {
    /// The world as a scenario without expectations.
    pub scenario: Scenario,
    /// The origin of each policy, by [`World::origin_key`].
    pub origins: BTreeMap<String, Origin>,
    /// What the loaders left out.
    pub skipped: Vec<Skipped>,
    /// The files the world was loaded from.
    pub files: Vec<String>,
}

impl Default for World {
    fn default() -> Self {
        World {
            scenario: Scenario {
                scenario: "world".into(),
                description: String::new(),
                source: Vec::new(),
                accounts: BTreeMap::new(),
                principals: BTreeMap::new(),
                resources: BTreeMap::new(),
                expectations: Vec::new(),
            },
            origins: BTreeMap::new(),
            skipped: Vec::new(),
            files: Vec::new(),
        }
    }
}

/// The kinds of source a file can be, told apart by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `aws iam get-account-authorization-details` output.
    AuthorizationDetails,
    /// An iam-harness scenario file.
    Scenario,
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
    /// `terraform show -json` output of a plan or a state.
    Terraform,
}

/// The kind of a JSON source, by its top-level keys; `None` when it is none of them.
pub fn detect(value: &serde_json::Value) -> Option<SourceKind> {
    let object = value.as_object()?;
    let has = |key: &str| object.contains_key(key);
    if has("UserDetailList") || has("RoleDetailList") || has("GroupDetailList") {
        Some(SourceKind::AuthorizationDetails)
    } else if has("format_version")
        && (has("planned_values") || has("values") || has("configuration"))
    {
        Some(SourceKind::Terraform)
    } else if has("scenario") && has("principals") {
        Some(SourceKind::Scenario)
    } else if cloudformation::is_template(object) {
        Some(SourceKind::CloudFormation)
    } else {
        None
    }
}

/// Loads one file into a world, telling its kind from its content.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<World, Vec<WorldError>> {
    let file = path.display().to_string();
    let text =
        read_text(path).map_err(|e: ReadError| vec![WorldError::new(&file, "", e.to_string())])?;
    load_text(&text, &file, options)
}

/// Loads the text of one source file (named `file` in messages) into a world.
pub fn load_text(text: &str, file: &str, options: &LoadOptions) -> Result<World, Vec<WorldError>> {
    let yaml_name = [".yaml", ".yml", ".template"]
        .iter()
        .any(|end| file.to_ascii_lowercase().ends_with(end));
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) if yaml_name || !text.trim_start().starts_with(['{', '[']) => {
            cloudformation::parse_yaml(text, file).map_err(|e| vec![e])?
        }
        Err(e) => {
            return Err(vec![WorldError::new(
                file,
                format!("line {}, column {}", e.line(), e.column()),
                format!("not JSON: {e}"),
            )])
        }
    };
    let mut world = match detect(&value) {
        Some(SourceKind::AuthorizationDetails) => dump::load(&value, file)?,
        Some(SourceKind::Scenario) => scenario_world(text, file)?,
        Some(SourceKind::CloudFormation) => cloudformation::load(&value, file, options)?,
        Some(SourceKind::Terraform) => terraform::load(&value, file, options)?,
        None => {
            return Err(vec![WorldError::new(
                file,
                "",
                "not a source iam-harness reads: expected the output of `aws iam \
                 get-account-authorization-details`, `terraform show -json`, a CloudFormation \
                 template or a scenario file",
            )])
        }
    };
    world.files.push(file.to_owned());
    Ok(world)
}

/// Loads and merges every file, reporting the problems of all of them.
pub fn load_all(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
) -> Result<World, Vec<WorldError>> {
    let mut world = World::default();
    let mut problems = Vec::new();
    for path in paths {
        match load_file(path.as_ref(), options) {
            Ok(loaded) => {
                if let Err(mut clash) = world.merge(loaded) {
                    problems.append(&mut clash);
                }
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(world)
    } else {
        Err(problems)
    }
}

/// A scenario file as a world: its accounts, principals and resources under their own names.
fn scenario_world(text: &str, file: &str) -> Result<World, Vec<WorldError>> {
    let mut scenario: Scenario = serde_json::from_str(text).map_err(|e| {
        vec![WorldError::new(
            file,
            format!("line {}", e.line()),
            e.to_string(),
        )]
    })?;
    scenario.expectations.clear();
    let mut world = World {
        scenario,
        ..World::default()
    };
    for (name, principal) in &world.scenario.principals {
        for (index, _) in principal.identity.iter().enumerate() {
            let location = format!("principals.{name}.identity[{index}]");
            world.origins.insert(
                World::origin_key(name, &format!("identity[{index}]")),
                Origin {
                    file: file.to_owned(),
                    location: location.clone(),
                    name: location,
                },
            );
        }
    }
    Ok(world)
}

impl World {
    /// The key of a policy's origin: the principal or resource key and the policy's slot as a
    /// compiled case labels it (`identity[0]`, `boundary`, `trust`, `policy`, `scp[0][1]`).
    pub fn origin_key(owner: &str, slot: &str) -> String {
        format!("{owner}#{slot}")
    }

    /// The account with this ID, created (with no SCPs or RCPs) when the world has none.
    pub fn account(&mut self, id: &str) -> &mut Account {
        self.scenario
            .accounts
            .entry(id.to_owned())
            .or_insert_with(|| Account {
                id: id.to_owned(),
                scp: None,
                rcp: None,
            })
    }

    /// Adds a principal under `key` with the origins of its identity policies (in order), its
    /// boundary and its trust policy; the principal's account is created when missing.
    pub fn add_principal(
        &mut self,
        key: String,
        principal: Principal,
        identity: Vec<Origin>,
        boundary: Option<Origin>,
        trust: Option<Origin>,
    ) {
        if let Some(account) = principal.account.clone() {
            self.account(&account);
        }
        for (index, origin) in identity.into_iter().enumerate() {
            self.origins.insert(
                Self::origin_key(&key, &format!("identity[{index}]")),
                origin,
            );
        }
        if let Some(origin) = boundary {
            self.origins
                .insert(Self::origin_key(&key, "boundary"), origin);
        }
        if let Some(origin) = trust {
            self.origins.insert(Self::origin_key(&key, "trust"), origin);
        }
        self.scenario.principals.insert(key, principal);
    }

    /// Adds a resource under its ARN, in `account`, with its resource-based policy.
    pub fn add_resource(&mut self, arn: &str, account: &str, policy: Option<(PolicyText, Origin)>) {
        self.account(account);
        let (policy, origin) = policy.unzip();
        if let Some(origin) = origin {
            self.origins.insert(Self::origin_key(arn, "policy"), origin);
        }
        self.scenario.resources.insert(
            arn.to_owned(),
            Resource {
                account: account.to_owned(),
                arn: arn.to_owned(),
                policy,
            },
        );
    }

    /// Merges `other` into this world. A principal, resource or account policy defined by both
    /// is a clash, reported with both files; nothing is overwritten.
    pub fn merge(&mut self, other: World) -> Result<(), Vec<WorldError>> {
        let here = self.files.join(", ");
        let there = other.files.join(", ");
        let clash = |what: &str, key: &str| {
            WorldError::new(
                &there,
                key,
                format!("{what} `{key}` is also defined by {here}"),
            )
        };
        let mut problems = Vec::new();
        for (key, account) in other.scenario.accounts {
            // A scenario world names its accounts: keep the other world's ID under its key.
            let mine = self
                .scenario
                .accounts
                .entry(key.clone())
                .or_insert_with(|| Account {
                    id: account.id.clone(),
                    scp: None,
                    rcp: None,
                });
            for (name, theirs, ours) in [
                ("the SCPs of account", account.scp, &mut mine.scp),
                ("the RCPs of account", account.rcp, &mut mine.rcp),
            ] {
                match (theirs, ours.is_some()) {
                    (Some(_), true) => problems.push(clash(name, &key)),
                    (Some(levels), false) => *ours = Some(levels),
                    (None, _) => {}
                }
            }
        }
        for (key, principal) in other.scenario.principals {
            match self.scenario.principals.entry(key) {
                Entry::Occupied(taken) => problems.push(clash("principal", taken.key())),
                Entry::Vacant(free) => {
                    free.insert(principal);
                }
            }
        }
        for (key, resource) in other.scenario.resources {
            match self.scenario.resources.entry(key) {
                Entry::Occupied(taken) => problems.push(clash("resource", taken.key())),
                Entry::Vacant(free) => {
                    free.insert(resource);
                }
            }
        }
        for (key, origin) in other.origins {
            self.origins.entry(key).or_insert(origin);
        }
        self.skipped.extend(other.skipped);
        self.files.extend(other.files);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

impl World {
    /// The origin of every policy a case compiled from this world carries, by the case's slot
    /// label (`identity[0]`, `boundary`, `resource`, `scp[0][1]`), for the request of the
    /// principal `principal` on the resource `target` with `action` (a role's trust policy is
    /// the resource policy of `sts:AssumeRole*`).
    pub fn case_origins(
        &self,
        principal: &str,
        target: &str,
        action: &str,
    ) -> BTreeMap<String, &Origin> {
        let mut out = BTreeMap::new();
        let prefix = format!("{principal}#");
        for (key, origin) in self.origins.range(prefix.clone()..format!("{principal}$")) {
            if let Some(slot) = key.strip_prefix(&prefix) {
                if slot != "trust" {
                    out.insert(slot.to_owned(), origin);
                }
            }
        }
        let assume = action.to_ascii_lowercase().starts_with("sts:assumerole");
        let resource_slot = if self.scenario.resources.contains_key(target) {
            Some("policy")
        } else if assume {
            Some("trust")
        } else {
            None
        };
        if let Some(origin) =
            resource_slot.and_then(|slot| self.origins.get(&Self::origin_key(target, slot)))
        {
            out.insert("resource".to_owned(), origin);
        }
        let account_of = |key: &str| {
            self.scenario
                .principals
                .get(key)
                .and_then(|p| p.account.clone())
                .or_else(|| self.scenario.resources.get(key).map(|r| r.account.clone()))
        };
        for (kind, owner) in [("scp", principal), ("rcp", target)] {
            let Some(account) = account_of(owner) else {
                continue;
            };
            let prefix = format!("{account}#{kind}[");
            for (key, origin) in self
                .origins
                .range(prefix.clone()..format!("{account}#{kind}\\"))
            {
                if let Some(slot) = key.strip_prefix(&format!("{account}#")) {
                    out.insert(slot.to_owned(), origin);
                }
            }
        }
        out
    }
}
