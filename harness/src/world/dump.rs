//! `aws iam get-account-authorization-details` output as a world (semantics §9.1–§9.3): users (their inline and
//! attached policies, then those of every group they belong to), roles (trust policy, inline,
//! attached, permissions boundary, path), and managed policies, of which only the default
//! version counts. Documents come as JSON objects (what the AWS CLI prints) or as URL-encoded
//! strings (what the raw API returns); both are read. An AWS managed policy the dump does not
//! carry (the CLI's `--filter` can leave them out) is resolved from the embedded snapshot when
//! the world compiles.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::case::PolicyText;
use crate::managed;
use crate::scenario::Principal;

use super::{Origin, World, WorldError};

/// The managed policies of a dump, by ARN: their default version's document and where it is.
type Managed = BTreeMap<String, (PolicyText, String)>;

/// Loads a dump (already parsed) named `file` in messages.
pub(super) fn load(dump: &Value, file: &str) -> Result<World, Vec<WorldError>> {
    let mut problems = Vec::new();
    let mut world = World::default();
    let managed = managed_policies(dump, file, &mut problems);
    let groups = groups(dump, file, &managed, &mut problems);
    for (index, role) in list(dump, "RoleDetailList", file, &mut problems) {
        let at = format!("RoleDetailList[{index}]");
        if let Err(problem) =
            add_identity(&mut world, role, &at, file, &managed, &groups, Kind::Role)
        {
            problems.push(problem);
        }
    }
    for (index, user) in list(dump, "UserDetailList", file, &mut problems) {
        let at = format!("UserDetailList[{index}]");
        if let Err(problem) =
            add_identity(&mut world, user, &at, file, &managed, &groups, Kind::User)
        {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(world)
    } else {
        Err(problems)
    }
}

/// A role or a user.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    User,
}

/// The policies of one group, in order, with their origins.
type GroupPolicies = Vec<(PolicyText, Origin)>;

/// The entries of a top-level list, each with its index; a missing list is empty.
fn list<'a>(
    dump: &'a Value,
    key: &str,
    file: &str,
    problems: &mut Vec<WorldError>,
) -> Vec<(usize, &'a Value)> {
    match dump.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().enumerate().collect(),
        Some(_) => {
            problems.push(WorldError::new(file, key, "expected a list"));
            Vec::new()
        }
    }
}

/// A string field of an entry, or the problem naming it.
fn text<'a>(entry: &'a Value, key: &str, at: &str, file: &str) -> Result<&'a str, WorldError> {
    entry
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| WorldError::new(file, format!("{at}.{key}"), "missing or not a string"))
}

/// A policy document as a dump holds it (a JSON object, or its URL-encoded text) as the exact
/// text the policy parser reads.
fn document(value: Option<&Value>, at: &str, file: &str) -> Result<PolicyText, WorldError> {
    let bad = |message: String| WorldError::new(file, at, message);
    let text = match value {
        Some(object @ Value::Object(_)) => {
            serde_json::to_string(object).map_err(|e| bad(e.to_string()))?
        }
        Some(Value::String(encoded)) => percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|e| bad(format!("the URL-encoded document is not UTF-8: {e}")))?
            .into_owned(),
        Some(_) => {
            return Err(bad(
                "a policy document is a JSON object or a URL-encoded string".into(),
            ))
        }
        None => return Err(bad("missing".into())),
    };
    let quoted = serde_json::to_string(&text).map_err(|e| bad(e.to_string()))?;
    RawValue::from_string(quoted).map_err(|e| bad(e.to_string()))
}

/// Every managed policy of the dump by ARN, with its default version's document.
fn managed_policies(dump: &Value, file: &str, problems: &mut Vec<WorldError>) -> Managed {
    let mut found = Managed::new();
    for (index, policy) in list(dump, "Policies", file, problems) {
        let at = format!("Policies[{index}]");
        let result = (|| {
            let arn = text(policy, "Arn", &at, file)?;
            let default = text(policy, "DefaultVersionId", &at, file)?;
            let versions = policy
                .get("PolicyVersionList")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    WorldError::new(
                        file,
                        format!("{at}.PolicyVersionList"),
                        "missing or not a list",
                    )
                })?;
            let (v, version) = versions
                .iter()
                .enumerate()
                .find(|(_, v)| v.get("VersionId").and_then(Value::as_str) == Some(default))
                .ok_or_else(|| {
                    WorldError::new(
                        file,
                        format!("{at}.PolicyVersionList"),
                        format!("no version `{default}`, the default version"),
                    )
                })?;
            let place = format!("{at}.PolicyVersionList[{v}].Document");
            let doc = document(version.get("Document"), &place, file)?;
            Ok((arn.to_owned(), (doc, place)))
        })();
        match result {
            Ok((arn, entry)) => {
                found.insert(arn, entry);
            }
            Err(problem) => problems.push(problem),
        }
    }
    found
}

/// The policies of an entry: its inline list (`list_key`), then its attached managed policies.
fn policies_of(
    entry: &Value,
    list_key: &str,
    at: &str,
    file: &str,
    managed: &Managed,
) -> Result<Vec<(PolicyText, Origin)>, WorldError> {
    let mut out = Vec::new();
    for (i, inline) in entry
        .get(list_key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let place = format!("{at}.{list_key}[{i}]");
        let name = text(inline, "PolicyName", &place, file)?;
        let doc = document(
            inline.get("PolicyDocument"),
            &format!("{place}.PolicyDocument"),
            file,
        )?;
        out.push((doc, origin(file, place, name)));
    }
    let attached = entry
        .get("AttachedManagedPolicies")
        .and_then(Value::as_array);
    for (i, policy) in attached.into_iter().flatten().enumerate() {
        let place = format!("{at}.AttachedManagedPolicies[{i}]");
        let arn = text(policy, "PolicyArn", &place, file)?;
        out.push(attached_policy(arn, &place, file, managed)?);
    }
    Ok(out)
}

/// An attached managed policy: the dump's default version, else (for an AWS managed policy)
/// its ARN, which compiling resolves from the snapshot.
fn attached_policy(
    arn: &str,
    place: &str,
    file: &str,
    managed: &Managed,
) -> Result<(PolicyText, Origin), WorldError> {
    if let Some((doc, location)) = managed.get(arn) {
        return Ok((doc.clone(), origin(file, location.clone(), arn)));
    }
    if managed::is_aws_managed_arn(arn) {
        let quoted =
            serde_json::to_string(arn).map_err(|e| WorldError::new(file, place, e.to_string()))?;
        let doc = RawValue::from_string(quoted)
            .map_err(|e| WorldError::new(file, place, e.to_string()))?;
        return Ok((doc, origin(file, place.to_owned(), arn)));
    }
    Err(WorldError::new(
        file,
        place,
        format!("the customer managed policy `{arn}` is not among the dump's `Policies`"),
    ))
}

fn origin(file: &str, location: String, name: &str) -> Origin {
    Origin {
        file: file.to_owned(),
        location,
        name: name.to_owned(),
    }
}

/// Every group's policies (inline, then attached), by group name.
fn groups(
    dump: &Value,
    file: &str,
    managed: &Managed,
    problems: &mut Vec<WorldError>,
) -> BTreeMap<String, GroupPolicies> {
    let mut out = BTreeMap::new();
    for (index, group) in list(dump, "GroupDetailList", file, problems) {
        let at = format!("GroupDetailList[{index}]");
        let result = text(group, "GroupName", &at, file).and_then(|name| {
            Ok((
                name.to_owned(),
                policies_of(group, "GroupPolicyList", &at, file, managed)?,
            ))
        });
        match result {
            Ok((name, policies)) => {
                out.insert(name, policies);
            }
            Err(problem) => problems.push(problem),
        }
    }
    out
}

/// Adds one role or user of the dump to the world, under its ARN.
fn add_identity(
    world: &mut World,
    entry: &Value,
    at: &str,
    file: &str,
    managed: &Managed,
    groups: &BTreeMap<String, GroupPolicies>,
    kind: Kind,
) -> Result<(), WorldError> {
    let arn = text(entry, "Arn", at, file)?;
    let (name_key, list_key) = match kind {
        Kind::Role => ("RoleName", "RolePolicyList"),
        Kind::User => ("UserName", "UserPolicyList"),
    };
    let name = text(entry, name_key, at, file)?;
    let path = entry.get("Path").and_then(Value::as_str).unwrap_or("/");
    let account = crate::arn::Arn::parse(arn)
        .map(|a| a.account.to_owned())
        .map_err(|e| WorldError::new(file, format!("{at}.Arn"), e.to_string()))?;
    let mut policies = policies_of(entry, list_key, at, file, managed)?;
    if kind == Kind::User {
        for (i, group) in entry
            .get("GroupList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let group = group.as_str().unwrap_or_default();
            let found = groups.get(group).ok_or_else(|| {
                WorldError::new(
                    file,
                    format!("{at}.GroupList[{i}]"),
                    format!("no group `{group}` in `GroupDetailList`"),
                )
            })?;
            policies.extend(found.iter().map(|(doc, o)| {
                let mut o = o.clone();
                o.location = format!("{} (group {group})", o.location);
                (doc.clone(), o)
            }));
        }
    }
    let boundary = match entry
        .pointer("/PermissionsBoundary/PermissionsBoundaryArn")
        .and_then(Value::as_str)
    {
        Some(b) => Some(attached_policy(
            b,
            &format!("{at}.PermissionsBoundary"),
            file,
            managed,
        )?),
        None => None,
    };
    let trust = match kind {
        Kind::Role => {
            let place = format!("{at}.AssumeRolePolicyDocument");
            Some((
                document(entry.get("AssumeRolePolicyDocument"), &place, file)?,
                origin(file, place, "trust policy"),
            ))
        }
        Kind::User => None,
    };
    let mut aws_managed: Vec<String> = policies
        .iter()
        .enumerate()
        .filter(|(_, (_, o))| managed::is_aws_managed_arn(&o.name))
        .map(|(i, _)| format!("identity[{i}]"))
        .collect();
    if boundary
        .as_ref()
        .is_some_and(|(_, o)| managed::is_aws_managed_arn(&o.name))
    {
        aws_managed.push("boundary".into());
    }
    let (identity, identity_origins): (Vec<_>, Vec<_>) = policies.into_iter().unzip();
    let (boundary, boundary_origin) = boundary.unzip();
    let (trust, trust_origin) = trust.unzip();
    let principal = Principal {
        account: Some(account),
        role: (kind == Kind::Role).then(|| name.to_owned()),
        user: (kind == Kind::User).then(|| name.to_owned()),
        path: Some(path.to_owned()),
        identity,
        boundary,
        trust,
        aws_managed,
        tags: tags(entry),
        ..Principal::default()
    };
    world.add_principal(
        arn.to_owned(),
        principal,
        identity_origins,
        boundary_origin,
        trust_origin,
    );
    Ok(())
}

/// The `Tags` of a user or role (`[{"Key": …, "Value": …}]`).
fn tags(entry: &Value) -> BTreeMap<String, String> {
    let list = entry.get("Tags").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|tag| {
            let key = tag.get("Key")?.as_str()?;
            let value = tag.get("Value").and_then(Value::as_str).unwrap_or_default();
            Some((key.to_owned(), value.to_owned()))
        })
        .collect()
}
