//! `iam-harness compare`: what a new policy document (or world) grants that the old one does
//! not, and the `--check`s after Access Analyzer's (see [`crate::compare`]). Exit 0 nothing
//! new, 1 new access, 2 bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use super::output::{error, outln, warning, Out};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::compare::check::{self, NotGranted};
use crate::compare::world::{compare_worlds, Decider, WorldFinding};
use crate::compare::{compare, Finding};
use crate::files::{read_text, ReadError};
use crate::policy::{parse_as, Policy, PolicyKind};
use crate::world::{load_all, LoadOptions, World};

/// Arguments of `iam-harness compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The old policy document.
    #[arg(long, conflicts_with = "old_from")]
    old: Option<PathBuf>,
    /// The new policy document.
    #[arg(long, conflicts_with = "new_from")]
    new: Option<PathBuf>,
    /// The old world's sources (repeatable): a dump, a Terraform plan or state, a
    /// CloudFormation template or a scenario file.
    #[arg(long = "old-from", value_name = "FILE")]
    old_from: Vec<PathBuf>,
    /// The new world's sources (repeatable).
    #[arg(long = "new-from", value_name = "FILE")]
    new_from: Vec<PathBuf>,
    /// With worlds: the account of sources that do not say it (plans, templates).
    #[arg(long)]
    account: Option<String>,
    /// With worlds: the region of sources that do not say it.
    #[arg(long)]
    region: Option<String>,
    /// With worlds: a CloudFormation template parameter, `Name=Value` (repeatable).
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    parameters: Vec<String>,
    /// The documents' kind: identity, resource, boundary, scp, rcp (default: resource when a
    /// statement has a `Principal`, else identity).
    #[arg(long)]
    kind: Option<String>,
    /// Instead of comparing: `access-not-granted` (with `--actions`) or `no-public-access`, on
    /// `--new` or `--new-from`.
    #[arg(long, value_name = "CHECK")]
    check: Option<String>,
    /// For `access-not-granted`: action patterns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    actions: Vec<String>,
    /// For `access-not-granted`: resource patterns, comma-separated (default: every resource).
    #[arg(long, value_delimiter = ',')]
    resources: Vec<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

fn kind_of(name: &str) -> Option<PolicyKind> {
    [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Boundary,
        PolicyKind::Scp,
        PolicyKind::Rcp,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
}

/// Why a side of the comparison could not be read.
#[derive(Debug, thiserror::Error)]
enum SideError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io { file: String, source: ReadError },
    /// The file is not a valid policy of the kind (the message names the path inside it).
    #[error("{file}: {source}")]
    Policy {
        file: String,
        source: crate::policy::PolicyErrors,
    },
}

/// The kind a document is read as: `--kind`, else resource when a statement names a
/// `Principal` (or `NotPrincipal`), else identity.
fn infer_kind(text: &str) -> PolicyKind {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let statements = match value.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let names_principal = statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if names_principal {
        PolicyKind::Resource
    } else {
        PolicyKind::Identity
    }
}

fn read(path: &Path, kind: Option<PolicyKind>) -> Result<(Policy, PolicyKind), SideError> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|source| SideError::Io {
        file: file.clone(),
        source,
    })?;
    let kind = kind.unwrap_or_else(|| infer_kind(&text));
    parse_as(&text, kind)
        .map(|p| (p, kind))
        .map_err(|source| SideError::Policy { file, source })
}

fn load(paths: &[PathBuf], args: &CompareArgs) -> Result<World, String> {
    let mut parameters = BTreeMap::new();
    for item in &args.parameters {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| format!("--parameter `{item}`: expected Name=Value"))?;
        parameters.insert(name.to_owned(), value.to_owned());
    }
    let options = LoadOptions {
        account: args.account.clone(),
        region: args.region.clone(),
        parameters,
    };
    let world = load_all(paths, &options).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    for s in &world.skipped {
        warning(format_args!(
            "{}: {}: skipped: {}",
            s.file, s.location, s.reason
        ));
    }
    Ok(world)
}

/// What was found, either shape.
enum Found {
    Policies(&'static str, Vec<Finding>),
    Worlds(Vec<WorldFinding>),
}

fn run(args: &CompareArgs) -> Result<Found, String> {
    let kind = match &args.kind {
        Some(name) => Some(kind_of(name).ok_or_else(|| {
            format!("--kind `{name}`: expected identity, resource, boundary, scp or rcp")
        })?),
        None => None,
    };
    let worlds = !args.new_from.is_empty();
    let new_policy = || -> Result<(Policy, PolicyKind), String> {
        let path = args
            .new
            .as_ref()
            .ok_or("give --new FILE or --new-from FILE…")?;
        read(path, kind).map_err(|e| e.to_string())
    };
    match args.check.as_deref() {
        Some("access-not-granted") => {
            if args.actions.is_empty() {
                return Err("--check access-not-granted needs --actions A,…".into());
            }
            let listed = NotGranted {
                actions: args.actions.clone(),
                resources: args.resources.clone(),
            };
            if worlds {
                let world = load(&args.new_from, args)?;
                let found = check::world_access_not_granted(&world, &listed);
                return found.map(Found::Worlds).map_err(|e| e.to_string());
            }
            let (policy, kind) = new_policy()?;
            let found = check::access_not_granted(&policy, kind, &listed);
            Ok(Found::Policies(kind.as_str(), found))
        }
        Some("no-public-access") => {
            if worlds {
                let world = load(&args.new_from, args)?;
                let found = check::world_no_public_access(&world);
                return found.map(Found::Worlds).map_err(|e| e.to_string());
            }
            let (policy, kind) = new_policy()?;
            if kind != PolicyKind::Resource {
                return Err("--check no-public-access takes a resource policy".into());
            }
            Ok(Found::Policies(
                kind.as_str(),
                check::no_public_access(&policy),
            ))
        }
        Some(other) => Err(format!(
            "--check `{other}`: expected access-not-granted or no-public-access"
        )),
        None if worlds => {
            if args.old_from.is_empty() {
                return Err("--new-from needs --old-from".into());
            }
            let (old, new) = (load(&args.old_from, args)?, load(&args.new_from, args)?);
            let found = compare_worlds(&old, &new).map_err(|e| e.to_string())?;
            Ok(Found::Worlds(found.new_access))
        }
        None => {
            let old = args.old.as_ref().ok_or("give --old FILE and --new FILE")?;
            let (new, kind) = new_policy()?;
            let (old, _) = read(old, Some(kind)).map_err(|e| e.to_string())?;
            Ok(Found::Policies(
                kind.as_str(),
                compare(&old, &new, kind).new_access,
            ))
        }
    }
}

/// Findings grouped as a reviewer reads them: each set of newly allowed actions with every
/// resource it was found on, and the index of the first finding of the group (its witness).
fn grouped<'a>(
    findings: impl Iterator<Item = (&'a str, &'a [String])>,
) -> BTreeMap<Vec<&'a str>, (Vec<&'a str>, usize)> {
    let mut out: BTreeMap<Vec<&str>, (Vec<&str>, usize)> = BTreeMap::new();
    for (n, (resource, actions)) in findings.enumerate() {
        let key = actions.iter().map(String::as_str).collect();
        out.entry(key)
            .or_insert_with(|| (Vec::new(), n))
            .0
            .push(resource);
    }
    out
}

/// `a, b, c, … and N more`.
fn listed(items: &[&str], most: usize) -> String {
    let shown: Vec<&str> = items.iter().take(most).copied().collect();
    match items.len().checked_sub(most) {
        Some(more) if more > 0 => format!("{} and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}

fn print_group(
    out: &mut Out,
    indent: &str,
    groups: &BTreeMap<Vec<&str>, (Vec<&str>, usize)>,
    witness: &dyn Fn(&mut Out, usize),
) {
    for (actions, (resources, first)) in groups {
        outln!(
            out,
            "{indent}{} action(s): {}",
            actions.len(),
            listed(actions, 12)
        );
        outln!(out, "{indent}  on {}", listed(resources, 6));
        witness(out, *first);
    }
}

fn context_text(context: &serde_json::Map<String, serde_json::Value>) -> String {
    if context.is_empty() {
        String::new()
    } else {
        format!(
            " with context {}",
            serde_json::Value::Object(context.clone())
        )
    }
}

fn deciders(list: &[Decider]) -> String {
    if list.is_empty() {
        return "nothing (implicit deny)".into();
    }
    let shown: Vec<String> = list
        .iter()
        .map(|d| {
            let s = &d.statement;
            let name = s.sid.clone().unwrap_or_else(|| format!("#{}", s.statement));
            match &d.origin {
                Some(o) => format!(
                    "{} {name} of {} ({}: {})",
                    s.effect, o.name, o.file, o.location
                ),
                None => format!("{} {name} of {}", s.effect, s.policy),
            }
        })
        .collect();
    shown.join("; ")
}

fn print_worlds(out: &mut Out, found: &[WorldFinding]) {
    let mut by_principal: BTreeMap<(bool, &str), Vec<&WorldFinding>> = BTreeMap::new();
    for f in found {
        by_principal
            .entry((!f.new_principal, f.principal.as_str()))
            .or_default()
            .push(f);
    }
    for ((existing, principal), list) in &by_principal {
        let label = if *existing {
            ""
        } else {
            " (new principal: all of it is new)"
        };
        outln!(out, "{principal}{label}");
        let groups = grouped(
            list.iter()
                .map(|f| (f.request.resource.as_str(), &f.actions[..])),
        );
        print_group(out, "  ", &groups, &|out, n| {
            let Some(f) = list.get(n) else {
                return;
            };
            outln!(
                out,
                "    witness: {} on {}{}",
                f.request.action,
                f.request.resource,
                context_text(&f.request.context)
            );
            outln!(out, "      old: {}", deciders(&f.old_statements));
            outln!(out, "      new: {}", deciders(&f.new_statements));
        });
    }
}

/// Runs `iam-harness compare`.
pub fn compare_command(args: &CompareArgs) -> u8 {
    let found = match run(args) {
        Ok(found) => found,
        Err(message) => {
            error(message);
            return EXIT_USAGE;
        }
    };
    let mut out = Out::new();
    let count = match &found {
        Found::Policies(_, list) => list.len(),
        Found::Worlds(list) => list.len(),
    };
    if args.json {
        let value = match &found {
            Found::Policies(kind, list) => serde_json::json!({"kind": kind, "new_access": list}),
            Found::Worlds(list) => serde_json::json!({"new_access": list}),
        };
        outln!(out, "{value:#}");
    } else {
        match &found {
            Found::Policies(_, list) => {
                let groups = grouped(
                    list.iter()
                        .map(|f| (f.request.resource.as_str(), &f.actions[..])),
                );
                print_group(&mut out, "", &groups, &|out, n| {
                    let Some(f) = list.get(n) else {
                        return;
                    };
                    let r = &f.request;
                    let context = context_text(&r.context);
                    outln!(
                        out,
                        "  witness: {} as {} on {}{context}",
                        r.action,
                        r.principal,
                        r.resource
                    );
                });
            }
            Found::Worlds(list) => print_worlds(&mut out, list),
        }
        outln!(out, "{count} new access findings");
    }
    out.finish(if count == 0 { EXIT_OK } else { EXIT_FAILED })
}
