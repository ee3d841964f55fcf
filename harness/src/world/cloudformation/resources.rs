//! The resources of a template that bear policies, turned into the world's principals and
//! resources: roles, users (with their groups' policies), the standalone policy types that
//! attach to them, and the resource policies of buckets, queues, topics and KMS keys. Other
//! resources with a known ARN (a named bucket, log group, table…) enter as resources without a
//! policy; the rest are listed as skipped.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::case::PolicyText;
use crate::managed;
use crate::scenario::Principal;

use super::super::{Origin, Skipped, World, WorldError};
use super::attributes;
use super::intrinsics::{Fail, Resolved, Template};

/// One created resource: its logical id, resolved type/name/path, and raw properties.
pub(super) struct Entry<'t> {
    pub(super) logical: &'t str,
    pub(super) named: Resolved,
    pub(super) props: Option<&'t Value>,
}

/// A policy with its origin.
type Placed = (PolicyText, Origin);

/// What building collects: the world, problems and the file.
pub(super) struct Builder<'a, 't> {
    pub(super) t: &'a Template<'t>,
    pub(super) file: &'a str,
    pub(super) world: &'a mut World,
    pub(super) problems: &'a mut Vec<WorldError>,
    pub(super) entries: Vec<Entry<'t>>,
}

/// Adds the template's resources to `world`; problems go to `problems`.
pub(super) fn build(
    t: &Template<'_>,
    file: &str,
    world: &mut World,
    problems: &mut Vec<WorldError>,
) {
    let mut b = Builder {
        t,
        file,
        world,
        problems,
        entries: Vec::new(),
    };
    for (logical, resource) in t.resources {
        let at = format!("Resources.{logical}");
        if let Some(condition) = resource.get("Condition").and_then(Value::as_str) {
            match t.condition(condition, &at) {
                Ok(true) => {}
                Ok(false) => {
                    b.skip(
                        &at,
                        format!("not created: its condition `{condition}` is false"),
                    );
                    continue;
                }
                Err(fail) => {
                    b.fail(fail);
                    continue;
                }
            }
        }
        match t.named(logical, &at, 0) {
            Ok(named) => b.entries.push(Entry {
                logical,
                named,
                props: resource.get("Properties"),
            }),
            Err(fail) => b.fail(fail),
        }
    }
    b.run();
}

impl<'t> Builder<'_, 't> {
    pub(super) fn skip(&mut self, location: &str, reason: String) {
        self.world.skipped.push(Skipped {
            file: self.file.to_owned(),
            location: location.to_owned(),
            reason,
        });
    }

    /// Records a failure: a template error is a problem, an unknown value is skipped.
    pub(super) fn fail(&mut self, fail: Fail) {
        match fail {
            Fail::Invalid { at, reason } => {
                self.problems.push(WorldError::new(self.file, at, reason))
            }
            Fail::Unknown { at, reason } => self.skip(&at, format!("left out: {reason}")),
        }
    }

    pub(super) fn origin(&self, location: String, name: &str) -> Origin {
        Origin {
            file: self.file.to_owned(),
            location,
            name: name.to_owned(),
        }
    }

    fn run(&mut self) {
        let mut attached: BTreeMap<usize, Vec<Placed>> = BTreeMap::new();
        let mut memberships: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for index in 0..self.entries.len() {
            self.standalone(index, &mut attached, &mut memberships);
        }
        let group_indices: Vec<usize> = (0..self.entries.len())
            .filter(|i| self.ty(*i) == "AWS::IAM::Group")
            .collect();
        let mut groups = BTreeMap::new();
        for i in group_indices {
            let policies = self.identity_policies(i, &mut attached);
            groups.insert(i, policies);
        }
        for index in 0..self.entries.len() {
            let ty = self.ty(index).to_owned();
            match ty.as_str() {
                "AWS::IAM::Role" | "AWS::IAM::User" => {
                    self.principal(index, &mut attached, &groups, &memberships)
                }
                "AWS::IAM::Group"
                | "AWS::IAM::Policy"
                | "AWS::IAM::ManagedPolicy"
                | "AWS::IAM::RolePolicy"
                | "AWS::IAM::UserPolicy"
                | "AWS::IAM::GroupPolicy"
                | "AWS::IAM::UserToGroupAddition" => {}
                "AWS::S3::BucketPolicy"
                | "AWS::SQS::QueuePolicy"
                | "AWS::SNS::TopicPolicy"
                | "AWS::KMS::Key" => self.resource_policy(index),
                _ => self.plain(index),
            }
        }
    }

    pub(super) fn ty(&self, index: usize) -> &str {
        self.entries.get(index).map_or("", |e| e.named.ty.as_str())
    }

    pub(super) fn at(&self, index: usize, key: &str) -> String {
        let logical = self.entries.get(index).map_or("", |e| e.logical);
        format!("Resources.{logical}.Properties.{key}")
    }

    pub(super) fn prop(&self, index: usize, key: &str) -> Option<&'t Value> {
        self.entries.get(index)?.props?.get(key)
    }

    /// A policy document (an object, or its JSON text) with every intrinsic resolved.
    pub(super) fn document(&self, raw: Option<&Value>, at: &str) -> Result<PolicyText, Fail> {
        let bad = |reason: String| Fail::Invalid {
            at: at.to_owned(),
            reason,
        };
        let raw = raw.ok_or_else(|| bad("missing".into()))?;
        let text = match self.t.resolve_some(raw, at)? {
            object @ Value::Object(_) => object.to_string(),
            Value::String(text) => {
                serde_json::from_str::<Value>(&text)
                    .ok()
                    .filter(Value::is_object)
                    .ok_or_else(
                        || bad("a policy document string must hold a JSON object".into()),
                    )?;
                text
            }
            _ => return Err(bad("a policy document is an object".into())),
        };
        quoted(&text).map_err(bad)
    }

    /// The entries a list property names (`Roles`, `Users`, `Groups`) of type `ty`: by
    /// `Ref` to the logical id, or by resolved name. Names outside the template are skipped.
    fn targets(&mut self, index: usize, key: &str, ty: &str) -> Vec<usize> {
        let at = self.at(index, key);
        let items: Vec<&Value> = match self.prop(index, key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let here = format!("{at}[{i}]");
            if let Some(found) = self.find_target(item, &here, ty) {
                out.push(found);
            }
        }
        out
    }

    fn find_target(&mut self, item: &Value, at: &str, ty: &str) -> Option<usize> {
        if let Some(logical) = item.get("Ref").and_then(Value::as_str) {
            if let Some(i) = self
                .entries
                .iter()
                .position(|e| e.logical == logical && e.named.ty == ty)
            {
                return Some(i);
            }
        }
        let name = match self.t.resolve(item, at) {
            Ok(Some(v)) => v.as_str().map(str::to_owned)?,
            Ok(None) => return None,
            Err(fail) => {
                self.fail(fail);
                return None;
            }
        };
        let found = self
            .entries
            .iter()
            .position(|e| e.named.ty == ty && e.named.name.as_deref() == Some(name.as_str()));
        if found.is_none() {
            self.skip(
                at,
                format!(
                    "`{name}` is not created by this template: its policies are not in the world"
                ),
            );
        }
        found
    }

    /// The standalone policy resources: attached to their roles, users and groups.
    fn standalone(
        &mut self,
        index: usize,
        attached: &mut BTreeMap<usize, Vec<Placed>>,
        memberships: &mut BTreeMap<usize, Vec<usize>>,
    ) {
        let ty = self.ty(index).to_owned();
        let logical = self.entries.get(index).map_or("", |e| e.logical);
        let lists: &[(&str, &str)] = match ty.as_str() {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => &[
                ("Roles", "AWS::IAM::Role"),
                ("Users", "AWS::IAM::User"),
                ("Groups", "AWS::IAM::Group"),
            ],
            "AWS::IAM::RolePolicy" => &[("RoleName", "AWS::IAM::Role")],
            "AWS::IAM::UserPolicy" => &[("UserName", "AWS::IAM::User")],
            "AWS::IAM::GroupPolicy" => &[("GroupName", "AWS::IAM::Group")],
            "AWS::IAM::UserToGroupAddition" => {
                let groups = self.targets(index, "GroupName", "AWS::IAM::Group");
                for user in self.targets(index, "Users", "AWS::IAM::User") {
                    memberships.entry(user).or_default().extend(&groups);
                }
                return;
            }
            _ => return,
        };
        let at = self.at(index, "PolicyDocument");
        let name = match (ty.as_str(), self.prop(index, "PolicyName")) {
            ("AWS::IAM::ManagedPolicy", _) => self
                .t
                .named(logical, &at, 0)
                .ok()
                .and_then(|n| attributes::reference(&n.as_named(logical), &self.t.env).ok())
                .unwrap_or_else(|| logical.to_owned()),
            (_, Some(raw)) => self
                .t
                .resolve_text(raw, &self.at(index, "PolicyName"))
                .unwrap_or_else(|_| logical.to_owned()),
            (_, None) => logical.to_owned(),
        };
        let mut owners = Vec::new();
        for (key, owner_ty) in lists {
            owners.extend(self.targets(index, key, owner_ty));
        }
        if owners.is_empty() {
            return;
        }
        match self.document(self.prop(index, "PolicyDocument"), &at) {
            Ok(doc) => {
                let origin = self.origin(at, &name);
                for owner in owners {
                    attached
                        .entry(owner)
                        .or_default()
                        .push((doc.clone(), origin.clone()));
                }
            }
            Err(fail) => self.fail(fail),
        }
    }

    /// A role's, user's or group's own policies: inline `Policies`, `ManagedPolicyArns`, then
    /// the standalone policies attached to it.
    fn identity_policies(
        &mut self,
        index: usize,
        attached: &mut BTreeMap<usize, Vec<Placed>>,
    ) -> Vec<Placed> {
        let mut out = Vec::new();
        if let Some(Value::Array(inline)) = self.prop(index, "Policies") {
            for (i, policy) in inline.iter().enumerate() {
                let place = self.at(index, &format!("Policies[{i}]"));
                let name = match policy.get("PolicyName") {
                    Some(raw) => match self.t.resolve_text(raw, &format!("{place}.PolicyName")) {
                        Ok(name) => name,
                        Err(fail) => {
                            self.fail(fail);
                            continue;
                        }
                    },
                    None => place.clone(),
                };
                let at = format!("{place}.PolicyDocument");
                match self.document(policy.get("PolicyDocument"), &at) {
                    Ok(doc) => out.push((doc, self.origin(at, &name))),
                    Err(fail) => self.fail(fail),
                }
            }
        }
        if let Some(Value::Array(arns)) = self.prop(index, "ManagedPolicyArns") {
            for (i, raw) in arns.iter().enumerate() {
                let at = self.at(index, &format!("ManagedPolicyArns[{i}]"));
                if let Some(placed) = self.managed(raw, &at) {
                    out.push(placed);
                }
            }
        }
        out.extend(attached.remove(&index).unwrap_or_default());
        out
    }

    /// A managed policy named by ARN (or `Ref` to one of the template's): the template's own
    /// document, else an AWS managed policy ARN the snapshot resolves at compile time.
    fn managed(&mut self, raw: &Value, at: &str) -> Option<Placed> {
        let own = |b: &Self, i: usize| {
            let logical = b.entries.get(i).map_or("", |e| e.logical);
            let place = b.at(i, "PolicyDocument");
            b.document(b.prop(i, "PolicyDocument"), &place)
                .map(|doc| (doc, b.origin(place, logical)))
        };
        let by_ref = raw.get("Ref").and_then(Value::as_str).and_then(|logical| {
            self.entries
                .iter()
                .position(|e| e.logical == logical && e.named.ty == "AWS::IAM::ManagedPolicy")
        });
        let found = if let Some(i) = by_ref {
            own(self, i)
        } else {
            match self.t.resolve_text(raw, at) {
                Err(fail) => Err(fail),
                Ok(arn) => {
                    let mine = self.entries.iter().position(|e| {
                        e.named.ty == "AWS::IAM::ManagedPolicy"
                            && attributes::reference(&e.named.as_named(e.logical), &self.t.env)
                                .is_ok_and(|a| a == arn)
                    });
                    match mine {
                        Some(i) => own(self, i),
                        None if managed::is_aws_managed_arn(&arn) => quoted(&arn)
                            .map(|doc| (doc, self.origin(at.to_owned(), &arn)))
                            .map_err(|reason| Fail::Invalid {
                                at: at.to_owned(),
                                reason,
                            }),
                        None => Err(Fail::Unknown {
                            at: at.to_owned(),
                            reason: format!(
                                "the customer managed policy `{arn}` is not defined in this \
                                 template, so its document is unknown"
                            ),
                        }),
                    }
                }
            }
        };
        found.map_err(|fail| self.fail(fail)).ok()
    }

    /// A role's or user's `Tags`, every intrinsic resolved; one that cannot be is reported.
    fn tags(&mut self, index: usize) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(Value::Array(list)) = self.prop(index, "Tags") else {
            return out;
        };
        for (i, tag) in list.iter().enumerate() {
            let at = format!("{}[{i}]", self.at(index, "Tags"));
            let (Some(key), Some(value)) = (tag.get("Key"), tag.get("Value")) else {
                self.skip(&at, "a tag without `Key` and `Value` is left out".into());
                continue;
            };
            match (
                self.t.resolve_text(key, &at),
                self.t.resolve_text(value, &at),
            ) {
                (Ok(key), Ok(value)) => {
                    out.insert(key, value);
                }
                (Err(fail), _) | (_, Err(fail)) => self.fail(fail),
            }
        }
        out
    }

    /// A role or user: its key, policies, boundary and (for a role) trust policy.
    fn principal(
        &mut self,
        index: usize,
        attached: &mut BTreeMap<usize, Vec<Placed>>,
        groups: &BTreeMap<usize, Vec<Placed>>,
        memberships: &BTreeMap<usize, Vec<usize>>,
    ) {
        let Some(entry) = self.entries.get(index) else {
            return;
        };
        let (logical, is_role) = (entry.logical, entry.named.ty == "AWS::IAM::Role");
        let path = entry.named.path.clone();
        let given = entry.named.name.clone();
        let account = self.t.env.account.to_owned();
        let kind = if is_role { "role" } else { "user" };
        let (key, name) = match &given {
            Some(name) => (
                format!(
                    "arn:{}:iam::{account}:{kind}{path}{name}",
                    self.t.env.partition
                ),
                name.clone(),
            ),
            None => {
                let key = format!("logical:{logical}");
                let property = if is_role { "RoleName" } else { "UserName" };
                self.skip(
                    &format!("Resources.{logical}"),
                    format!(
                        "sets no {property}: CloudFormation generates the name at deployment; \
                         the {kind} is in the world as `{key}`, named `{logical}` in requests, \
                         and what names its ARN is left out"
                    ),
                );
                (key, logical.to_owned())
            }
        };
        let mut identity = self.identity_policies(index, attached);
        if !is_role {
            let mut member_of = self.targets(index, "Groups", "AWS::IAM::Group");
            member_of.extend(memberships.get(&index).into_iter().flatten());
            for group in member_of {
                let group_name = self.entries.get(group).map_or("", |e| e.logical);
                for (doc, origin) in groups.get(&group).into_iter().flatten() {
                    let mut origin = origin.clone();
                    origin.name = format!("{} (group {group_name})", origin.name);
                    identity.push((doc.clone(), origin));
                }
            }
        }
        let boundary = match self.prop(index, "PermissionsBoundary") {
            Some(raw) => {
                let at = self.at(index, "PermissionsBoundary");
                match self.managed(raw, &at) {
                    Some(found) => Some(found),
                    None => {
                        self.skip(
                            &format!("Resources.{logical}"),
                            format!("left out: the permissions boundary of the {kind} is unknown"),
                        );
                        return;
                    }
                }
            }
            None => None,
        };
        let trust = if is_role {
            let at = self.at(index, "AssumeRolePolicyDocument");
            match self.document(self.prop(index, "AssumeRolePolicyDocument"), &at) {
                Ok(doc) => Some((doc, self.origin(at, "trust policy"))),
                Err(fail) => {
                    self.fail(fail);
                    None
                }
            }
        } else {
            None
        };
        let tags = self.tags(index);
        let (identity, identity_origins): (Vec<_>, Vec<_>) = identity.into_iter().unzip();
        let (boundary, boundary_origin) = boundary.unzip();
        let (trust, trust_origin) = trust.unzip();
        let principal = Principal {
            account: Some(account),
            role: is_role.then(|| name.clone()),
            user: (!is_role).then_some(name),
            path: Some(path),
            identity,
            boundary,
            trust,
            tags,
            ..Principal::default()
        };
        self.world.add_principal(
            key,
            principal,
            identity_origins,
            boundary_origin,
            trust_origin,
        );
    }
}

/// `text` as a policy (a JSON string holding the document's text or an ARN).
fn quoted(text: &str) -> Result<PolicyText, String> {
    let quoted = serde_json::to_string(text).map_err(|e| e.to_string())?;
    RawValue::from_string(quoted).map_err(|e| e.to_string())
}
