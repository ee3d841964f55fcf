//! `terraform show -json` output as a world (semantics §9), of a plan (`planned_values`, with
//! `resource_changes[].change.after_unknown` and `configuration` for what is only known after
//! apply) or of a state (`values`). Resources nest in `child_modules`; every resource instance
//! keeps its address (`module.app.aws_iam_role.this[0]`) as the location of its policies.
//!
//! - IAM roles, users and groups with their inline policies, attachments and memberships; users
//!   get their groups' policies. Customer managed policies are the plan's `aws_iam_policy`
//!   resources (and `data.aws_iam_policy` sources); AWS managed ones stay ARNs.
//! - Resource policies of S3 buckets, KMS keys, SQS queues and SNS topics.
//! - Organizations SCPs and RCPs, with AWS's default `FullAWSAccess` / `RCPFullAWSAccess` made
//!   explicit at every level (see [`org`]).
//!
//! A value unknown until apply is followed through the configuration's references to the
//! resource it comes from, and its ARN computed from that resource's known attributes; what
//! cannot be resolved is listed in [`World::skipped`], as is every resource type and data
//! source that holds no policy iam-harness reads.

mod iam;
mod org;
mod refs;
mod resources;

use std::cell::RefCell;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::case::PolicyText;

use super::{LoadOptions, Origin, Skipped, World, WorldError};

/// Resource types this loader reads (managed resources; `data.aws_iam_policy_document` and
/// `data.aws_iam_policy` are read where something refers to them).
const SUPPORTED: &[&str] = &[
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_group_membership",
    "aws_iam_user_group_membership",
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_kms_key",
    "aws_sqs_queue",
    "aws_sqs_queue_policy",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_organizations_policy",
    "aws_organizations_policy_attachment",
];

/// One resource instance of the document.
pub(super) struct Instance<'a> {
    /// The full address (`module.app.aws_iam_role.this[0]`).
    address: String,
    /// The address of its module instance (`module.app`, empty for the root module).
    module: String,
    /// A data source (`mode: data`).
    data: bool,
    /// The resource type.
    kind: &'a str,
    /// The resource name in its module.
    name: &'a str,
    /// The `count` or `for_each` key.
    index: Option<&'a Value>,
    /// The known attribute values.
    values: Option<&'a Map<String, Value>>,
    /// `after_unknown` of its change, in a plan.
    unknown: Option<&'a Value>,
}

impl<'a> Instance<'a> {
    /// A known attribute (not null).
    fn get(&self, attr: &str) -> Option<&'a Value> {
        self.values?.get(attr).filter(|v| !v.is_null())
    }

    /// A known, non-empty string attribute.
    fn text(&self, attr: &str) -> Option<&'a str> {
        self.get(attr)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// True when the plan marks the attribute (or an element of it) unknown until apply.
    fn is_unknown(&self, attr: &str) -> bool {
        match self.unknown {
            Some(Value::Bool(true)) => true,
            Some(Value::Object(map)) => match map.get(attr) {
                Some(Value::Bool(b)) => *b,
                Some(Value::Array(items)) => items.iter().any(|v| v == &Value::Bool(true)),
                _ => false,
            },
            _ => false,
        }
    }
}

/// A parsed document: its resource instances and what every part of the loader needs.
pub(super) struct Doc<'a> {
    file: &'a str,
    /// The configuration's root module (plans only).
    config: Option<&'a Value>,
    instances: Vec<Instance<'a>>,
    /// The account of resources whose ARN does not say it.
    account: String,
    /// The region of resources whose ARN does not say it.
    region: String,
    skipped: RefCell<Vec<Skipped>>,
}

impl Doc<'_> {
    /// Lists `location` as left out, for `reason`.
    fn skip(&self, location: impl Into<String>, reason: impl Into<String>) {
        self.skipped.borrow_mut().push(Skipped {
            file: self.file.to_owned(),
            location: location.into(),
            reason: reason.into(),
        });
    }

    /// A problem at `location`.
    fn problem(&self, location: impl Into<String>, message: impl Into<String>) -> WorldError {
        WorldError::new(self.file, location, message)
    }

    /// An origin in this file.
    fn origin(&self, location: impl Into<String>, name: impl Into<String>) -> Origin {
        Origin {
            file: self.file.to_owned(),
            location: location.into(),
            name: name.into(),
        }
    }

    /// The instances of one resource type (managed resources only).
    fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = (usize, &'s Instance<'s>)> {
        self.instances
            .iter()
            .enumerate()
            .filter(move |(_, i)| !i.data && i.kind == kind)
    }

    /// The instance at `index`.
    fn at(&self, index: usize) -> Option<&Instance<'_>> {
        self.instances.get(index)
    }

    /// The address of the instance at `index`, for messages.
    fn address(&self, index: usize) -> &str {
        self.at(index).map_or("", |i| i.address.as_str())
    }

    /// The policy document in attribute `attr` of instance `index` (a JSON string, as
    /// `jsonencode` or `data.aws_iam_policy_document` writes it), as its exact text. `None`
    /// (and listed as skipped) when it is only known after apply; `None` when it is not set.
    fn policy(&self, index: usize, attr: &str) -> Result<Option<PolicyText>, WorldError> {
        let at = format!("{}.{attr}", self.address(index));
        match self.string(index, attr) {
            Some(refs::Found::Value(text)) => policy_text(&text).map(Some).map_err(|message| {
                self.problem(
                    at,
                    format!("the policy is not a JSON policy document: {message}"),
                )
            }),
            Some(refs::Found::Resource(from)) => {
                self.skip(
                    at,
                    format!(
                        "{attr} unknown until apply (it comes from `{}`, itself unknown)",
                        self.address(from)
                    ),
                );
                Ok(None)
            }
            None if self.at(index).is_some_and(|i| i.is_unknown(attr)) => {
                self.skip(
                    at,
                    format!("{attr} unknown until apply and its reference cannot be resolved"),
                );
                Ok(None)
            }
            None => Ok(None),
        }
    }
}

/// A policy document's text as a policy of the world: a JSON string holding the exact text.
fn policy_text(text: &str) -> Result<PolicyText, String> {
    let parsed: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if !parsed.is_object() {
        return Err("expected a JSON object".into());
    }
    let quoted = serde_json::to_string(text).map_err(|e| e.to_string())?;
    RawValue::from_string(quoted).map_err(|e| e.to_string())
}

/// An ARN string as a policy of the world (an AWS managed policy that compiling resolves).
fn arn_policy(arn: &str) -> Result<PolicyText, String> {
    let quoted = serde_json::to_string(arn).map_err(|e| e.to_string())?;
    RawValue::from_string(quoted).map_err(|e| e.to_string())
}

/// Loads a `terraform show -json` document (already parsed) named `file` in messages.
pub(super) fn load(
    value: &Value,
    file: &str,
    options: &LoadOptions,
) -> Result<World, Vec<WorldError>> {
    let doc = parse(value, file, options).map_err(|e| vec![e])?;
    let mut world = World::default();
    let mut problems = Vec::new();
    for instance in &doc.instances {
        if instance.data {
            doc.skip(
                &instance.address,
                "a data source: read only where a policy refers to its value",
            );
        } else if !SUPPORTED.contains(&instance.kind) {
            doc.skip(
                &instance.address,
                format!(
                    "resource type `{}` holds no policy iam-harness reads",
                    instance.kind
                ),
            );
        }
    }
    iam::load(&doc, &mut world, &mut problems);
    resources::load(&doc, &mut world, &mut problems);
    org::load(&doc, &mut world, &mut problems);
    world.skipped = doc.skipped.into_inner();
    if problems.is_empty() {
        Ok(world)
    } else {
        Err(problems)
    }
}

/// The resource instances of the document, with the account and region they live in.
fn parse<'a>(
    value: &'a Value,
    file: &'a str,
    options: &LoadOptions,
) -> Result<Doc<'a>, WorldError> {
    let version = value
        .get("format_version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if version.split('.').next() != Some("1") {
        return Err(WorldError::new(
            file,
            "format_version",
            format!("format version `{version}` is not supported (expected 1.x)"),
        ));
    }
    let unknowns = after_unknown(value);
    let mut instances = Vec::new();
    let plan = value.get("planned_values").is_some();
    if plan {
        let root = module_at(value, "/planned_values/root_module", file)?;
        collect(
            root,
            "planned_values.root_module",
            file,
            &unknowns,
            &mut instances,
        )?;
        if let Some(prior) = value.pointer("/prior_state/values/root_module") {
            let mut data = Vec::new();
            collect(
                prior,
                "prior_state.values.root_module",
                file,
                &unknowns,
                &mut data,
            )?;
            for instance in data {
                if instance.data && !instances.iter().any(|i| i.address == instance.address) {
                    instances.push(instance);
                }
            }
        }
    } else if value.get("values").is_some() {
        let root = module_at(value, "/values/root_module", file)?;
        collect(root, "values.root_module", file, &unknowns, &mut instances)?;
    }
    let config = value.pointer("/configuration/root_module");
    let region = value
        .pointer("/configuration/provider_config/aws/expressions/region/constant_value")
        .and_then(Value::as_str)
        .unwrap_or_else(|| options.region())
        .to_owned();
    let arns = || instances.iter().filter_map(|i| i.text("arn"));
    let account = arns()
        .filter(|arn| arn.starts_with("arn:aws:iam::"))
        .chain(arns())
        .find_map(|arn| {
            crate::arn::Arn::parse(arn)
                .ok()
                .map(|a| a.account)
                .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| options.account().to_owned());
    Ok(Doc {
        file,
        config,
        instances,
        account,
        region,
        skipped: RefCell::new(Vec::new()),
    })
}

/// The module object at `pointer`, which must be an object.
fn module_at<'a>(value: &'a Value, pointer: &str, file: &str) -> Result<&'a Value, WorldError> {
    value
        .pointer(pointer)
        .filter(|m| m.is_object())
        .ok_or_else(|| {
            WorldError::new(
                file,
                pointer.trim_start_matches('/').replace('/', "."),
                "missing or not an object",
            )
        })
}

/// `after_unknown` of every resource change, by address.
fn after_unknown(value: &Value) -> std::collections::HashMap<&str, &Value> {
    value
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|change| {
            Some((
                change.get("address")?.as_str()?,
                change.pointer("/change/after_unknown")?,
            ))
        })
        .collect()
}

/// The resources of `module` and of its child modules, recursively.
fn collect<'a>(
    module: &'a Value,
    at: &str,
    file: &str,
    unknowns: &std::collections::HashMap<&str, &'a Value>,
    out: &mut Vec<Instance<'a>>,
) -> Result<(), WorldError> {
    let module_address = module
        .get("address")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let list = |key: &str| -> Result<&'a [Value], WorldError> {
        match module.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(_) => Err(WorldError::new(
                file,
                format!("{at}.{key}"),
                "expected a list",
            )),
        }
    };
    for (n, resource) in list("resources")?.iter().enumerate() {
        let place = format!("{at}.resources[{n}]");
        let field = |key: &str| {
            resource.get(key).and_then(Value::as_str).ok_or_else(|| {
                WorldError::new(file, format!("{place}.{key}"), "missing or not a string")
            })
        };
        let address = field("address")?;
        let values = match resource.get("values") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                return Err(WorldError::new(
                    file,
                    address,
                    format!("{place}.values is not an object"),
                ))
            }
        };
        out.push(Instance {
            address: address.to_owned(),
            module: module_address.to_owned(),
            data: resource.get("mode").and_then(Value::as_str) == Some("data"),
            kind: field("type")?,
            name: field("name")?,
            index: resource.get("index"),
            values,
            unknown: unknowns.get(address).copied(),
        });
    }
    for (n, child) in list("child_modules")?.iter().enumerate() {
        collect(
            child,
            &format!("{at}.child_modules[{n}]"),
            file,
            unknowns,
            out,
        )?;
    }
    Ok(())
}
