//! A CloudFormation template (JSON, or YAML with the short-form tags) as a world (semantics §9): the roles,
//! users and groups it creates with their inline, attached and standalone policies, and the
//! resource policies of buckets, queues, topics and keys, every intrinsic function evaluated
//! for the account, region and parameters given on the command line.
//!
//! - Parameters take their `--parameter Name=Value`, else their `Default`; one with neither is
//!   an error where it is used. `CommaDelimitedList` and `List<…>` values split on commas.
//!   `AWS::StackName` is `stack` unless `--parameter AWS::StackName=…` says otherwise.
//! - Resources whose `Condition` is false are not created; `Fn::If` picks its branch.
//! - A value CloudFormation only knows after deployment (a generated name, `Fn::ImportValue`,
//!   `Fn::GetAZs`, a key ID) is never guessed: the policy holding it is left out and listed in
//!   [`World::skipped`] with the logical id and the path. A role or user without a name
//!   property still enters the world, under the key `logical:LogicalId` and named by its
//!   logical id in requests (listed in `skipped` too); so does a KMS key, whose ID is always
//!   generated (its ARN ends in `key/LogicalId`).

mod attributes;
mod conditions;
mod intrinsics;
mod resource_policies;
mod resources;
mod yaml;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{LoadOptions, Skipped, World, WorldError};
use attributes::Env;
use intrinsics::{Fail, Template};

pub(super) use yaml::parse as parse_yaml;

/// Whether `value` looks like a CloudFormation template.
pub(super) fn is_template(object: &Map<String, Value>) -> bool {
    object.contains_key("AWSTemplateFormatVersion")
        || object.get("Resources").is_some_and(Value::is_object)
}

/// Loads a template (already parsed) named `file` in messages.
pub(super) fn load(
    template: &Value,
    file: &str,
    options: &LoadOptions,
) -> Result<World, Vec<WorldError>> {
    let empty = Map::new();
    let section = |key: &str| -> Result<&Map<String, Value>, WorldError> {
        match template.get(key) {
            None | Some(Value::Null) => Ok(&empty),
            Some(Value::Object(map)) => Ok(map),
            Some(_) => Err(WorldError::new(file, key, "expected an object")),
        }
    };
    let sections = ["Parameters", "Mappings", "Conditions", "Resources"].map(section);
    let mut problems: Vec<WorldError> = sections
        .iter()
        .filter_map(|s| s.as_ref().err().cloned())
        .collect();
    let [Ok(declared), Ok(mappings), Ok(conditions), Ok(resources)] = sections else {
        return Err(problems);
    };
    let region = options.region();
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    let url_suffix = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let stack_name = options
        .parameters
        .get("AWS::StackName")
        .map_or("stack", String::as_str);
    let parameters = parameters(declared, options, file, &mut problems);
    let template_view = Template {
        parameters,
        mappings,
        conditions,
        resources,
        env: Env {
            account: options.account(),
            region,
            partition,
            url_suffix,
        },
        stack_name,
    };
    let mut world = World::default();
    if let Some(transform) = template.get("Transform") {
        world.skipped.push(Skipped {
            file: file.to_owned(),
            location: "Transform".into(),
            reason: format!(
                "the template is transformed at deployment ({transform}); what the transform \
                 adds is not in the world"
            ),
        });
    }
    resources::build(&template_view, file, &mut world, &mut problems);
    if problems.is_empty() {
        Ok(world)
    } else {
        Err(problems)
    }
}

/// The value of every declared parameter: `--parameter`, else `Default`, split for list types.
fn parameters(
    declared: &Map<String, Value>,
    options: &LoadOptions,
    file: &str,
    problems: &mut Vec<WorldError>,
) -> BTreeMap<String, Result<Value, Fail>> {
    let mut out = BTreeMap::new();
    for (name, spec) in declared {
        let at = format!("Parameters.{name}");
        let ty = spec.get("Type").and_then(Value::as_str).unwrap_or("String");
        let ssm = ty.starts_with("AWS::SSM::Parameter::Value<");
        let list = ty == "CommaDelimitedList"
            || ty.starts_with("List<")
            || ty.contains("<List<")
            || ty.contains("<CommaDelimitedList>");
        let given = options.parameters.get(name).cloned();
        let default = spec.get("Default").and_then(|d| match d {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        });
        let value = match (given, default) {
            (Some(text), _) => Ok(text),
            (None, Some(_)) if ssm => Err(Fail::Unknown {
                at: at.clone(),
                reason: format!(
                    "the parameter `{name}` ({ty}) is read from SSM Parameter Store at \
                     deployment: give `--parameter {name}=VALUE`"
                ),
            }),
            (None, Some(text)) => Ok(text),
            (None, None) => Err(Fail::Invalid {
                at: at.clone(),
                reason: format!(
                    "the parameter `{name}` has no value: give `--parameter {name}=VALUE` or a \
                     `Default`"
                ),
            }),
        };
        if let (Ok(text), Some(Value::Array(allowed))) = (&value, spec.get("AllowedValues")) {
            let ok = allowed
                .iter()
                .any(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned) == *text);
            if !ok && !list {
                problems.push(WorldError::new(
                    file,
                    at.clone(),
                    format!("`{text}` is not one of the parameter's AllowedValues"),
                ));
            }
        }
        let value = value.map(|text| {
            if list {
                Value::Array(text.split(',').map(Value::from).collect())
            } else {
                Value::String(text)
            }
        });
        out.insert(name.clone(), value);
    }
    out
}
