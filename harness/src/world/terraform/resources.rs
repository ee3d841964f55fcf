//! Resources with resource-based policies: S3 buckets (`aws_s3_bucket`, its `policy` in old
//! providers, and `aws_s3_bucket_policy`), KMS keys (`aws_kms_key`), SQS queues (`aws_sqs_queue`,
//! `aws_sqs_queue_policy`) and SNS topics (`aws_sns_topic`, `aws_sns_topic_policy`). Each is a
//! resource of the world under its ARN; a separate policy resource replaces the policy its
//! resource holds. A resource whose ARN is unknown until apply (a new KMS key) is listed as
//! skipped.

use crate::case::PolicyText;

use super::refs::Found;
use super::{Doc, Origin, World, WorldError};

/// The resource types holding their own policy, with the attribute their policy is in.
const HOLDERS: &[&str] = &[
    "aws_s3_bucket",
    "aws_kms_key",
    "aws_sqs_queue",
    "aws_sns_topic",
];

/// The separate policy resources: type, the attribute naming the resource, the type it names.
const POLICIES: &[(&str, &str, &str)] = &[
    ("aws_s3_bucket_policy", "bucket", "aws_s3_bucket"),
    ("aws_sqs_queue_policy", "queue_url", "aws_sqs_queue"),
    ("aws_sns_topic_policy", "arn", "aws_sns_topic"),
];

/// Adds the resources of `doc` to `world`.
pub(super) fn load(doc: &Doc<'_>, world: &mut World, problems: &mut Vec<WorldError>) {
    let mut pending = Vec::new();
    for kind in HOLDERS {
        for (index, _) in doc.of_kind(kind) {
            match holder(doc, world, index) {
                Ok(Some(unknown)) => pending.push(unknown),
                Ok(None) => {}
                Err(problem) => problems.push(problem),
            }
        }
    }
    for (kind, attr, target) in POLICIES {
        for (index, _) in doc.of_kind(kind) {
            if let Err(problem) = policy_resource(doc, world, index, attr, target) {
                problems.push(problem);
            }
        }
    }
    for (arn, at) in pending {
        if world
            .scenario
            .resources
            .get(&arn)
            .is_some_and(|r| r.policy.is_none())
        {
            doc.skip(
                at,
                "policy unknown until apply (a default or computed policy) and no policy resource sets it",
            );
        }
    }
}

/// The account an ARN names, else the document's.
fn account_of(doc: &Doc<'_>, arn: &str) -> String {
    crate::arn::Arn::parse(arn)
        .ok()
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        .unwrap_or(&doc.account)
        .to_owned()
}

/// A bucket, key, queue or topic with the policy it holds. When that policy is unknown until
/// apply, its ARN and place are returned: a separate policy resource may still set it.
fn holder(
    doc: &Doc<'_>,
    world: &mut World,
    index: usize,
) -> Result<Option<(String, String)>, WorldError> {
    let address = doc.address(index).to_owned();
    let Some(arn) = doc.computed(index, "arn") else {
        doc.skip(
            format!("{address}.arn"),
            "arn unknown until apply: the resource cannot be keyed",
        );
        return Ok(None);
    };
    if world.scenario.resources.contains_key(&arn) {
        return Err(doc.problem(&address, format!("a second resource with the ARN `{arn}`")));
    }
    let at = format!("{address}.policy");
    let policy = match doc.string(index, "policy") {
        Some(Found::Value(_)) => doc.policy(index, "policy")?,
        _ => None,
    };
    let unknown = policy.is_none() && doc.at(index).is_some_and(|i| i.is_unknown("policy"));
    let policy = policy.map(|p| (p, doc.origin(&at, format!("{arn} policy"))));
    world.add_resource(&arn, &account_of(doc, &arn), policy);
    Ok(unknown.then_some((arn, at)))
}

/// An `aws_s3_bucket_policy`, `aws_sqs_queue_policy` or `aws_sns_topic_policy`: the policy of
/// the resource its attribute `attr` names.
fn policy_resource(
    doc: &Doc<'_>,
    world: &mut World,
    index: usize,
    attr: &str,
    target: &str,
) -> Result<(), WorldError> {
    let address = doc.address(index).to_owned();
    let at = format!("{address}.{attr}");
    let arn = match doc.string(index, attr) {
        Some(Found::Value(value)) => arn_from(doc, target, &value),
        Some(Found::Resource(to)) => doc.computed(to, "arn"),
        None => None,
    };
    let Some(arn) = arn else {
        doc.skip(
            at,
            format!("{attr} unknown until apply and its reference cannot be resolved"),
        );
        return Ok(());
    };
    let Some(policy) = doc.policy(index, "policy")? else {
        return Ok(());
    };
    let origin = doc.origin(format!("{address}.policy"), format!("{arn} policy"));
    set_policy(world, &arn, &account_of(doc, &arn), policy, origin);
    Ok(())
}

/// The ARN a policy resource's attribute names: a bucket name, a queue URL or a topic ARN.
fn arn_from(doc: &Doc<'_>, target: &str, value: &str) -> Option<String> {
    match target {
        "aws_s3_bucket" => Some(if value.starts_with("arn:") {
            value.to_owned()
        } else {
            format!("arn:aws:s3:::{value}")
        }),
        "aws_sqs_queue" => {
            let rest = value.strip_prefix("https://")?;
            let mut parts = rest.split('/');
            let host = parts.next()?;
            let account = parts.next()?;
            let name = parts.next()?;
            let region = host
                .strip_prefix("sqs.")
                .and_then(|h| h.split('.').next())
                .unwrap_or(&doc.region);
            Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
        }
        _ => Some(value.to_owned()),
    }
}

/// Sets (or replaces) the policy of the resource `arn`, adding the resource when missing.
fn set_policy(world: &mut World, arn: &str, account: &str, policy: PolicyText, origin: Origin) {
    let account = world
        .scenario
        .resources
        .get(arn)
        .map_or_else(|| account.to_owned(), |r| r.account.clone());
    world.add_resource(arn, &account, Some((policy, origin)));
}
