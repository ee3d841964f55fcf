//! `iam-harness eval`: decide one request against policy files and explain the decision. A
//! policy the engine rejects decides nothing: `invalid` is printed with the reason, and the
//! exit status is 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::output::{error, outln, warning, Out};
use super::{EXIT_OK, EXIT_USAGE};
use crate::case::{Case, CaseErrors, Policies, PolicyText, Test, TestRequest};
use crate::decision::Decision;
use crate::engine::{from_spec_for_people, EngineSpecError, Outcome};
use crate::files::{read_text, ReadError};
use crate::report::text::write_explanation;
use crate::scenario::Expectation;
use crate::world::{load_all, LoadOptions, LookupError, Origin, World, WorldError};

/// Why `eval` cannot decide.
#[derive(Debug, thiserror::Error)]
enum EvalError {
    /// A policy file cannot be read.
    #[error("{}: {source}", path.display())]
    Unreadable { path: PathBuf, source: ReadError },
    /// A policy's text cannot be passed on as a JSON string.
    #[error(transparent)]
    Quoting(#[from] serde_json::Error),
    /// A `--context` argument without `=`.
    #[error("--context `{0}`: expected KEY=VALUE")]
    ContextNotKeyValue(String),
    /// A `--context` value starting with `[` (or `null`) that is not JSON.
    #[error("--context `{item}`: not a JSON array: {source}")]
    ContextNotJson {
        item: String,
        source: serde_json::Error,
    },
    /// No `--resource ARN`.
    #[error("--resource ARN is required (the resource the action is on)")]
    NoResource,
    /// `--engine` names no engine.
    #[error(transparent)]
    Engine(#[from] EngineSpecError),
    /// The engine answered nothing for the one test.
    #[error("the engine returned no result")]
    NoResult,
    /// A `--from` source does not load.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    World(Vec<WorldError>),
    /// `--principal` names no principal of the world.
    #[error("--principal: {0}")]
    Principal(#[from] LookupError),
    /// The request does not compile against the world.
    #[error("{0}")]
    Compile(#[from] CaseErrors),
    /// A `--parameter` argument without `=`.
    #[error("--parameter `{0}`: expected NAME=VALUE")]
    ParameterNotNameValue(String),
}

/// Arguments of `iam-harness eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Decide against the world of these sources instead of policy files (repeatable): an
    /// `aws iam get-account-authorization-details` dump, a `terraform show -json` plan or
    /// state, a CloudFormation template (JSON or YAML) or a scenario file.
    #[arg(long = "from", value_name = "FILE", conflicts_with_all = ["identity", "resource_policy", "boundary", "session", "scp", "rcp"])]
    from: Vec<PathBuf>,
    /// With `--from`: the account of sources that do not say it (plans, templates).
    #[arg(long, requires = "from")]
    account: Option<String>,
    /// With `--from`: the region of sources that do not say it (plans, templates).
    #[arg(long, requires = "from")]
    region: Option<String>,
    /// With `--from`: a CloudFormation template parameter, `Name=Value` (repeatable).
    #[arg(long = "parameter", value_name = "NAME=VALUE", requires = "from")]
    parameters: Vec<String>,
    /// Identity-based policy file (repeatable).
    #[arg(long = "identity", value_name = "FILE")]
    identity: Vec<PathBuf>,
    /// The resource-based policy file.
    #[arg(long = "resource-policy", value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// Permissions boundary file.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// Session policy file (repeatable).
    #[arg(long = "session", value_name = "FILE")]
    session: Vec<PathBuf>,
    /// One SCP level, root first (repeatable); several files of one level separated by commas.
    #[arg(long = "scp", value_name = "FILE[,FILE…]")]
    scp: Vec<String>,
    /// One RCP level, root first (repeatable); several files of one level separated by commas.
    #[arg(long = "rcp", value_name = "FILE[,FILE…]")]
    rcp: Vec<String>,
    /// The caller: an ARN, a service principal, or `*` for anonymous.
    #[arg(long)]
    principal: String,
    /// The caller's account, when the ARN does not carry it.
    #[arg(long)]
    principal_account: Option<String>,
    /// The action, `service:Name`.
    #[arg(long)]
    action: String,
    /// The resource ARN (or `*`); an existing file given here that is not an ARN is taken as
    /// the resource-based policy.
    #[arg(long = "resource", value_name = "ARN|FILE", num_args = 1)]
    resource: Vec<String>,
    /// The resource's account, when the ARN does not carry it (S3).
    #[arg(long)]
    resource_account: Option<String>,
    /// A context key: `key=value` (repeatable); a value starting with `[` is read as a JSON
    /// array (a multivalued key), `key=null` keeps a derivable key missing.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Print the decision and explanation as JSON.
    #[arg(long)]
    json: bool,
    /// Engine to ask (default: the reference evaluator).
    #[arg(long, default_value = "reference")]
    engine: String,
}

fn read_policy(path: &Path) -> Result<PolicyText, EvalError> {
    let text = read_text(path).map_err(|source| EvalError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    // Keep the exact text (duplicate keys must reach the parser); pass it as a JSON string.
    let quoted = serde_json::to_string(&text)?;
    Ok(serde_json::value::RawValue::from_string(quoted)?)
}

fn read_levels(levels: &[String]) -> Result<Option<Vec<Vec<PolicyText>>>, EvalError> {
    if levels.is_empty() {
        return Ok(None);
    }
    levels
        .iter()
        .map(|level| {
            level
                .split(',')
                .map(|f| read_policy(Path::new(f)))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn parse_context(
    items: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>, EvalError> {
    let mut map = serde_json::Map::new();
    for item in items {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| EvalError::ContextNotKeyValue(item.clone()))?;
        let value = if value.starts_with('[') || value == "null" {
            serde_json::from_str(value).map_err(|source| EvalError::ContextNotJson {
                item: item.clone(),
                source,
            })?
        } else {
            serde_json::Value::String(value.to_owned())
        };
        map.insert(key.to_owned(), value);
    }
    Ok(map)
}

fn build_case(args: &EvalArgs) -> Result<Case, EvalError> {
    let mut resource_arn = None;
    let mut resource_policy = args.resource_policy.clone();
    for value in &args.resource {
        let is_arn = value.starts_with("arn:") || value == "*";
        if !is_arn && (Path::new(value).exists() || value.ends_with(".json")) {
            // A missing `x.json` is a mistyped file name, reported as such when read.
            resource_policy = Some(PathBuf::from(value));
        } else {
            resource_arn = Some(value.clone());
        }
    }
    let resource = resource_arn.ok_or(EvalError::NoResource)?;
    let request = TestRequest {
        principal: args.principal.clone(),
        principal_account: args.principal_account.clone(),
        action: args.action.clone(),
        resource,
        resource_account: args.resource_account.clone(),
        context: parse_context(&args.context)?,
        session_issuer: None,
    };
    let list = |files: &[PathBuf]| -> Result<Option<Vec<PolicyText>>, EvalError> {
        if files.is_empty() {
            return Ok(None);
        }
        files
            .iter()
            .map(|f| read_policy(f))
            .collect::<Result<_, _>>()
            .map(Some)
    };
    Ok(Case {
        id: "eval".into(),
        description: String::new(),
        features: Vec::new(),
        source: Vec::new(),
        policies: Policies {
            identity: list(&args.identity)?,
            resource: resource_policy.as_deref().map(read_policy).transpose()?,
            boundary: args.boundary.as_deref().map(read_policy).transpose()?,
            session: list(&args.session)?,
            scp: read_levels(&args.scp)?,
            rcp: read_levels(&args.rcp)?,
            aws_managed: Vec::new(),
        },
        tests: vec![Test {
            name: "eval".into(),
            request,
            expect: crate::decision::Decision::Allow,
        }],
    })
}

/// A request decided against the world of `--from`: its case, the origin of each of its
/// policies by slot label, the slots whose AWS managed policy came from the embedded snapshot,
/// and what the loaders skipped.
struct WorldCase {
    case: Case,
    origins: BTreeMap<String, Origin>,
    from_snapshot: Vec<String>,
    skipped: Vec<String>,
}

fn load_options(args: &EvalArgs) -> Result<LoadOptions, EvalError> {
    let mut parameters = BTreeMap::new();
    for item in &args.parameters {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| EvalError::ParameterNotNameValue(item.clone()))?;
        parameters.insert(name.to_owned(), value.to_owned());
    }
    Ok(LoadOptions {
        account: args.account.clone(),
        region: args.region.clone(),
        parameters,
    })
}

/// The slots of the principal `key` of `world` holding an AWS managed policy named by ARN,
/// which compiling takes from the embedded snapshot.
fn snapshot_slots(world: &World, key: &str) -> Vec<String> {
    let named = |raw: &PolicyText| raw.get().starts_with("\"arn:");
    let Some(principal) = world.scenario.principals.get(key) else {
        return Vec::new();
    };
    let mut slots: Vec<String> = principal
        .identity
        .iter()
        .enumerate()
        .filter(|(_, raw)| named(raw))
        .map(|(i, _)| format!("identity[{i}]"))
        .collect();
    if principal.boundary.as_ref().is_some_and(named) {
        slots.push("boundary".into());
    }
    slots
}

fn world_case(args: &EvalArgs) -> Result<WorldCase, EvalError> {
    let mut world = load_all(&args.from, &load_options(args)?).map_err(EvalError::World)?;
    let principal = world.principal_key(&args.principal)?;
    let resource = args.resource.last().ok_or(EvalError::NoResource)?;
    let target = world.target(resource);
    world.scenario.expectations.push(Expectation {
        name: "eval".into(),
        principal: principal.clone(),
        action: args.action.clone(),
        resource: target.as_str().to_owned(),
        context: parse_context(&args.context)?,
        expect: Decision::Allow,
        why: String::new(),
        features: Vec::new(),
    });
    let file = world.files.join(", ");
    let mut case = world
        .scenario
        .compile(&file)?
        .pop()
        .ok_or(EvalError::NoResult)?;
    for test in &mut case.tests {
        if args.principal_account.is_some() {
            test.request
                .principal_account
                .clone_from(&args.principal_account);
        }
        if args.resource_account.is_some() {
            test.request
                .resource_account
                .clone_from(&args.resource_account);
        }
    }
    let origins = world
        .case_origins(&principal, target.as_str(), &args.action)
        .into_iter()
        .map(|(slot, origin)| (slot, origin.clone()))
        .collect();
    Ok(WorldCase {
        case,
        origins,
        from_snapshot: snapshot_slots(&world, &principal),
        skipped: world
            .skipped
            .iter()
            .map(|s| format!("{}: {}: skipped: {}", s.file, s.location, s.reason))
            .collect(),
    })
}

/// Runs `iam-harness eval`.
pub fn eval(args: &EvalArgs) -> u8 {
    if !args.from.is_empty() {
        return match world_case(args) {
            Ok(found) => {
                for skipped in &found.skipped {
                    warning(skipped);
                }
                decide(args, found.case, &found.origins, &found.from_snapshot)
            }
            Err(message) => {
                error(message);
                EXIT_USAGE
            }
        };
    }
    match build_case(args) {
        Ok(case) => decide(args, case, &BTreeMap::new(), &[]),
        Err(message) => {
            error(message);
            EXIT_USAGE
        }
    }
}

/// Asks the engine for the one request of `case` and prints the decision, its explanation and
/// where each policy came from (`origins`, by slot label; `from_snapshot`: the slots whose AWS
/// managed policy the embedded snapshot supplied).
fn decide(
    args: &EvalArgs,
    case: Case,
    origins: &BTreeMap<String, Origin>,
    from_snapshot: &[String],
) -> u8 {
    let result = from_spec_for_people(&args.engine)
        .map_err(EvalError::from)
        .and_then(|engine| {
            engine
                .evaluate(&case)
                .into_iter()
                .next()
                .ok_or(EvalError::NoResult)
        });
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(message) => {
            error(message);
            return EXIT_USAGE;
        }
    };
    let mut out = Out::new();
    match outcome {
        Outcome::Decided {
            decision,
            explanation,
        } => {
            let snapshot = &crate::managed::snapshot().date;
            if args.json {
                let mut value = serde_json::Map::new();
                value.insert("decision".into(), json!(decision));
                value.insert("explanation".into(), json!(explanation));
                if !origins.is_empty() {
                    let policies = origins
                        .iter()
                        .map(|(slot, o)| {
                            let from =
                                json!({"file": o.file, "location": o.location, "name": o.name});
                            (slot.clone(), from)
                        })
                        .collect();
                    value.insert("policies".into(), serde_json::Value::Object(policies));
                }
                if !from_snapshot.is_empty() {
                    let snapshot = json!({ "date": snapshot, "slots": from_snapshot });
                    value.insert("aws_managed_snapshot".into(), snapshot);
                }
                let value = serde_json::Value::Object(value);
                outln!(out, "{value}");
            } else {
                outln!(out, "{decision}");
                if let Some(e) = explanation {
                    let mut text = Vec::new();
                    // Writing into memory does not fail.
                    let _ = write_explanation(&mut text, &e);
                    out.line(String::from_utf8_lossy(text.trim_ascii_end()));
                }
                if !origins.is_empty() {
                    outln!(out, "policies:");
                    for (slot, o) in origins {
                        outln!(out, "  {slot}: {} — {} in {}", o.name, o.location, o.file);
                    }
                }
                if !from_snapshot.is_empty() {
                    outln!(
                        out,
                        "AWS managed policies from the embedded snapshot of {snapshot}: {}",
                        from_snapshot.join(", ")
                    );
                }
            }
            let code = if decision == Decision::Invalid {
                error("a policy is invalid: nothing was decided");
                EXIT_USAGE
            } else {
                EXIT_OK
            };
            out.finish(code)
        }
        Outcome::Skipped(reason) | Outcome::Errored(reason) => {
            error(reason);
            EXIT_USAGE
        }
    }
}
