//! `iam-harness eval`: decide one request against policy files and explain the decision. A
//! policy the engine rejects decides nothing: `invalid` is printed with the reason, and the
//! exit status is 2.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::output::{error, outln, Out};
use super::{EXIT_OK, EXIT_USAGE};
use crate::case::{Case, Policies, PolicyText, Test, TestRequest};
use crate::decision::Decision;
use crate::engine::{from_spec, EngineSpecError, Outcome};
use crate::files::{read_text, ReadError};
use crate::report::text::write_explanation;

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
}

/// Arguments of `iam-harness eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
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

/// Runs `iam-harness eval`.
pub fn eval(args: &EvalArgs) -> u8 {
    let result = build_case(args).and_then(|case| {
        let engine = from_spec(&args.engine)?;
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
            if args.json {
                outln!(
                    out,
                    "{}",
                    json!({ "decision": decision, "explanation": explanation })
                );
            } else {
                outln!(out, "{decision}");
                if let Some(e) = explanation {
                    let mut text = Vec::new();
                    // Writing into memory does not fail.
                    let _ = write_explanation(&mut text, &e);
                    out.line(String::from_utf8_lossy(text.trim_ascii_end()));
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
