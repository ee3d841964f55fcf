//! IAM roles, users and groups of a Terraform document, with their policies: inline
//! (`inline_policy` blocks, `aws_iam_role_policy` & co.), attached (`managed_policy_arns`,
//! `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`), boundaries and trust policies.
//! Users also get the policies of their groups (`aws_iam_group_membership`,
//! `aws_iam_user_group_membership`).
//!
//! An attached policy ARN is a customer managed policy of the document (an `aws_iam_policy` by
//! its known or computed ARN, or the one the configuration refers to, or a
//! `data.aws_iam_policy`), or an AWS managed policy (kept as its ARN). The ARN of a customer
//! managed policy of another account is listed as skipped (IAM attaches only policies of the
//! principal's own account, so it grants nothing); one of the same account that the document
//! does not hold is an error, since leaving it out would change decisions.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::case::PolicyText;
use crate::managed;
use crate::scenario::Principal;

use super::refs::Found;
use super::{arn_policy, policy_text, Doc, Origin, World, WorldError};

/// A role, a user or a group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    User,
    Group,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Group => "group",
        }
    }
}

/// One role, user or group being built.
struct Holder {
    kind: Kind,
    index: usize,
    arn: String,
    name: String,
    path: String,
    account: String,
    identity: Vec<(PolicyText, Origin)>,
    /// Inline policy names and attached policy keys already in `identity`.
    seen: BTreeSet<String>,
    boundary: Option<(PolicyText, Origin)>,
    trust: Option<(PolicyText, Origin)>,
    groups: Vec<usize>,
    /// The role's or user's tags (`tags_all`: with the provider's default tags).
    tags: BTreeMap<String, String>,
}

/// A customer managed policy of the document.
struct Managed {
    index: usize,
    arn: Option<String>,
    text: Option<PolicyText>,
}

/// The state of the IAM part of the load.
struct Iam<'d, 'a> {
    doc: &'d Doc<'a>,
    holders: Vec<Holder>,
    policies: Vec<Managed>,
}

/// Adds the roles and users of `doc` to `world`.
pub(super) fn load(doc: &Doc<'_>, world: &mut World, problems: &mut Vec<WorldError>) {
    let mut iam = Iam {
        doc,
        holders: Vec::new(),
        policies: Vec::new(),
    };
    let step = |problems: &mut Vec<WorldError>, result: Result<(), WorldError>| {
        if let Err(problem) = result {
            problems.push(problem);
        }
    };
    iam.managed_policies(problems);
    for (kind, type_name) in [
        (Kind::Role, "aws_iam_role"),
        (Kind::User, "aws_iam_user"),
        (Kind::Group, "aws_iam_group"),
    ] {
        let found: Vec<usize> = doc.of_kind(type_name).map(|(n, _)| n).collect();
        for index in found {
            step(problems, iam.holder(kind, index));
        }
    }
    for (kind, type_name, attr) in [
        (Kind::Role, "aws_iam_role_policy", "role"),
        (Kind::User, "aws_iam_user_policy", "user"),
        (Kind::Group, "aws_iam_group_policy", "group"),
    ] {
        let found: Vec<usize> = doc.of_kind(type_name).map(|(n, _)| n).collect();
        for index in found {
            step(problems, iam.inline_resource(kind, index, attr));
        }
    }
    let holders: Vec<usize> = (0..iam.holders.len()).collect();
    for holder in holders {
        step(problems, iam.own_policies(holder));
    }
    iam.attachments(problems);
    iam.memberships();
    iam.finish(world);
}

impl Iam<'_, '_> {
    /// Every `aws_iam_policy` resource and `data.aws_iam_policy` source.
    fn managed_policies(&mut self, problems: &mut Vec<WorldError>) {
        for (index, instance) in self.doc.instances.iter().enumerate() {
            if instance.kind != "aws_iam_policy" {
                continue;
            }
            let text = if instance.data {
                instance
                    .text("policy")
                    .map(|text| {
                        policy_text(text).map_err(|m| {
                            self.doc.problem(
                                format!("{}.policy", instance.address),
                                format!("the policy is not a JSON policy document: {m}"),
                            )
                        })
                    })
                    .transpose()
            } else {
                self.doc.policy(index, "policy")
            };
            match text {
                Ok(text) => self.policies.push(Managed {
                    index,
                    arn: self.doc.computed(index, "arn"),
                    text,
                }),
                Err(problem) => problems.push(problem),
            }
        }
    }

    /// A role, user or group of the document, without its policies yet.
    fn holder(&mut self, kind: Kind, index: usize) -> Result<(), WorldError> {
        let doc = self.doc;
        let address = doc.address(index).to_owned();
        let Some(name) = doc.computed(index, "name") else {
            doc.skip(
                format!("{address}.name"),
                "name unknown until apply (a name_prefix?): the principal cannot be keyed",
            );
            return Ok(());
        };
        let Some(arn) = doc.computed(index, "arn") else {
            doc.skip(format!("{address}.arn"), "arn unknown until apply");
            return Ok(());
        };
        let account = crate::arn::Arn::parse(&arn)
            .map(|a| a.account.to_owned())
            .map_err(|e| doc.problem(format!("{address}.arn"), e.to_string()))?;
        let path = doc
            .at(index)
            .and_then(|i| i.text("path"))
            .unwrap_or("/")
            .to_owned();
        let trust = match kind {
            Kind::Role => doc.policy(index, "assume_role_policy")?.map(|p| {
                (
                    p,
                    doc.origin(format!("{address}.assume_role_policy"), "trust policy"),
                )
            }),
            Kind::User | Kind::Group => None,
        };
        self.holders.push(Holder {
            kind,
            index,
            arn,
            name,
            path,
            account,
            identity: Vec::new(),
            seen: BTreeSet::new(),
            boundary: None,
            trust,
            groups: Vec::new(),
            tags: doc.at(index).map(tags).unwrap_or_default(),
        });
        Ok(())
    }

    /// The holder of `kind` that `found` names (by name or ARN, or the resource itself).
    fn find(&self, kind: Kind, found: &Found) -> Option<usize> {
        self.holders.iter().position(|h| {
            h.kind == kind
                && match found {
                    Found::Value(v) => &h.name == v || &h.arn == v,
                    Found::Resource(index) => h.index == *index,
                }
        })
    }

    /// The holder of `kind` that attribute `attr` of instance `index` names; `None` (listed as
    /// skipped) when it names none of the document.
    fn target(&self, kind: Kind, index: usize, attr: &str) -> Option<usize> {
        let doc = self.doc;
        let at = format!("{}.{attr}", doc.address(index));
        match doc.string(index, attr) {
            Some(found) => self.target_of(kind, &found, &at),
            None => {
                doc.skip(
                    at,
                    format!("{attr} unknown until apply and its reference cannot be resolved"),
                );
                None
            }
        }
    }

    /// The holder `found` names, or `None` listed as skipped at `at`.
    fn target_of(&self, kind: Kind, found: &Found, at: &str) -> Option<usize> {
        let holder = self.find(kind, found);
        if holder.is_none() {
            let what = match found {
                Found::Value(v) => format!("`{v}`"),
                Found::Resource(index) => format!("`{}`", self.doc.address(*index)),
            };
            self.doc.skip(
                at,
                format!(
                    "{what} is not a {} of this file that iam-harness could key",
                    kind.word()
                ),
            );
        }
        holder
    }

    /// Adds a policy to a holder's identity policies unless one with the same key is there.
    fn push(&mut self, holder: usize, key: String, policy: PolicyText, origin: Origin) {
        if let Some(h) = self.holders.get_mut(holder) {
            if h.seen.insert(key) {
                h.identity.push((policy, origin));
            }
        }
    }

    /// An `aws_iam_role_policy`, `aws_iam_user_policy` or `aws_iam_group_policy`.
    fn inline_resource(&mut self, kind: Kind, index: usize, attr: &str) -> Result<(), WorldError> {
        let doc = self.doc;
        let address = doc.address(index).to_owned();
        let Some(holder) = self.target(kind, index, attr) else {
            return Ok(());
        };
        let name = doc
            .computed(index, "name")
            .unwrap_or_else(|| address.clone());
        if let Some(policy) = doc.policy(index, "policy")? {
            let origin = doc.origin(format!("{address}.policy"), name.clone());
            self.push(holder, format!("inline:{name}"), policy, origin);
        }
        Ok(())
    }

    /// A role's `inline_policy` blocks and `managed_policy_arns`, and a role's or user's
    /// `permissions_boundary`.
    fn own_policies(&mut self, holder: usize) -> Result<(), WorldError> {
        let doc = self.doc;
        let Some((kind, index, account)) = self
            .holders
            .get(holder)
            .map(|h| (h.kind, h.index, h.account.clone()))
        else {
            return Ok(());
        };
        let address = doc.address(index).to_owned();
        let blocks = doc
            .at(index)
            .and_then(|i| i.get("inline_policy"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (n, block) in blocks.iter().enumerate() {
            let at = format!("{address}.inline_policy[{n}]");
            let name = block
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match block.get("policy").and_then(Value::as_str) {
                Some(text) if !text.is_empty() => {
                    let policy = policy_text(text).map_err(|m| {
                        doc.problem(
                            &at,
                            format!("the policy is not a JSON policy document: {m}"),
                        )
                    })?;
                    let origin = doc.origin(&at, name);
                    self.push(holder, format!("inline:{name}"), policy, origin);
                }
                _ if name.is_empty() => {}
                _ => doc.skip(&at, "policy unknown until apply"),
            }
        }
        if kind == Kind::Role {
            let (arns, unresolved) = doc.strings(index, "managed_policy_arns");
            if unresolved {
                doc.skip(
                    format!("{address}.managed_policy_arns"),
                    "managed_policy_arns unknown until apply and its references cannot be resolved",
                );
            }
            let at = format!("{address}.managed_policy_arns");
            for found in arns {
                if let Some((policy, origin, key)) = self.attached(&found, &account, &at)? {
                    self.push(holder, key, policy, origin);
                }
            }
        }
        if kind != Kind::Group {
            let at = format!("{address}.permissions_boundary");
            if let Some(found) = doc.string(index, "permissions_boundary") {
                let boundary = self.attached(&found, &account, &at)?;
                if let Some(h) = self.holders.get_mut(holder) {
                    h.boundary = boundary.map(|(p, o, _)| (p, o));
                }
            } else if doc
                .at(index)
                .is_some_and(|i| i.is_unknown("permissions_boundary"))
            {
                doc.skip(
                    at,
                    "permissions_boundary unknown until apply and its reference cannot be resolved",
                );
            }
        }
        Ok(())
    }

    /// The managed policy `found` names, for a principal of `account`, attached at `at`: its
    /// document, origin and key; `None` when skipped.
    fn attached(
        &self,
        found: &Found,
        account: &str,
        at: &str,
    ) -> Result<Option<(PolicyText, Origin, String)>, WorldError> {
        let doc = self.doc;
        let plan_policy = self.policies.iter().find(|p| match found {
            Found::Resource(index) => p.index == *index,
            Found::Value(arn) => p.arn.as_deref() == Some(arn.as_str()),
        });
        let aws_managed = match found {
            Found::Value(arn) if managed::is_aws_managed_arn(arn) => Some(arn),
            _ => None,
        };
        if let (Some(policy), None) = (plan_policy, aws_managed) {
            let location = doc.address(policy.index).to_owned();
            let name = policy.arn.clone().unwrap_or_else(|| location.clone());
            let Some(text) = policy.text.clone() else {
                doc.skip(
                    at,
                    format!("the policy of `{location}` is unknown until apply"),
                );
                return Ok(None);
            };
            let origin = doc.origin(
                format!("{location}.policy"),
                format!("{name} (attached by {at})"),
            );
            return Ok(Some((text, origin, format!("managed:{location}"))));
        }
        let Found::Value(arn) = found else {
            doc.skip(
                at,
                "the policy ARN is unknown until apply and names no policy of this file",
            );
            return Ok(None);
        };
        if managed::is_aws_managed_arn(arn) {
            let text = arn_policy(arn).map_err(|m| doc.problem(at, m))?;
            return Ok(Some((
                text,
                doc.origin(at, arn.clone()),
                format!("managed:{arn}"),
            )));
        }
        let owner = crate::arn::Arn::parse(arn)
            .map(|a| a.account.to_owned())
            .map_err(|e| doc.problem(at, format!("`{arn}` is not a policy ARN: {e}")))?;
        if owner != account {
            doc.skip(
                at,
                format!(
                    "`{arn}` is a policy of account {owner}, not of the principal's account {account}: IAM does not attach it"
                ),
            );
            return Ok(None);
        }
        Err(doc.problem(
            at,
            format!("the customer managed policy `{arn}` is not an aws_iam_policy of this file"),
        ))
    }

    /// The `aws_iam_*_policy_attachment` and `aws_iam_policy_attachment` resources.
    fn attachments(&mut self, problems: &mut Vec<WorldError>) {
        let doc = self.doc;
        let mut work: Vec<(usize, Kind, &str, bool)> = Vec::new();
        for (type_name, kind, attr) in [
            ("aws_iam_role_policy_attachment", Kind::Role, "role"),
            ("aws_iam_user_policy_attachment", Kind::User, "user"),
            ("aws_iam_group_policy_attachment", Kind::Group, "group"),
        ] {
            work.extend(doc.of_kind(type_name).map(|(n, _)| (n, kind, attr, false)));
        }
        for (n, _) in doc.of_kind("aws_iam_policy_attachment") {
            for (kind, attr) in [
                (Kind::Role, "roles"),
                (Kind::User, "users"),
                (Kind::Group, "groups"),
            ] {
                work.push((n, kind, attr, true));
            }
        }
        for (index, kind, attr, list) in work {
            let address = doc.address(index).to_owned();
            let targets: Vec<usize> = if list {
                let (found, unresolved) = doc.strings(index, attr);
                if unresolved {
                    doc.skip(
                        format!("{address}.{attr}"),
                        format!("{attr} unknown until apply and its references cannot be resolved"),
                    );
                }
                found
                    .iter()
                    .filter_map(|f| self.target_of(kind, f, &format!("{address}.{attr}")))
                    .collect()
            } else {
                self.target(kind, index, attr).into_iter().collect()
            };
            if targets.is_empty() {
                continue;
            }
            let at = format!("{address}.policy_arn");
            let Some(found) = doc.string(index, "policy_arn") else {
                doc.skip(
                    at,
                    "policy_arn unknown until apply and its reference cannot be resolved",
                );
                continue;
            };
            for holder in targets {
                let account = self
                    .holders
                    .get(holder)
                    .map(|h| h.account.clone())
                    .unwrap_or_default();
                match self.attached(&found, &account, &at) {
                    Ok(Some((policy, origin, key))) => self.push(holder, key, policy, origin),
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            }
        }
    }

    /// Group memberships, from both membership resources.
    fn memberships(&mut self) {
        let doc = self.doc;
        let mut pairs = Vec::new();
        for (index, _) in doc.of_kind("aws_iam_group_membership") {
            let address = doc.address(index);
            let Some(group) = self.target(Kind::Group, index, "group") else {
                continue;
            };
            let (users, unresolved) = doc.strings(index, "users");
            if unresolved {
                doc.skip(
                    format!("{address}.users"),
                    "users unknown until apply and their references cannot be resolved",
                );
            }
            for user in users {
                if let Some(user) = self.target_of(Kind::User, &user, &format!("{address}.users")) {
                    pairs.push((user, group));
                }
            }
        }
        for (index, _) in doc.of_kind("aws_iam_user_group_membership") {
            let address = doc.address(index);
            let Some(user) = self.target(Kind::User, index, "user") else {
                continue;
            };
            let (groups, unresolved) = doc.strings(index, "groups");
            if unresolved {
                doc.skip(
                    format!("{address}.groups"),
                    "groups unknown until apply and their references cannot be resolved",
                );
            }
            for group in groups {
                if let Some(group) =
                    self.target_of(Kind::Group, &group, &format!("{address}.groups"))
                {
                    pairs.push((user, group));
                }
            }
        }
        for (user, group) in pairs {
            if let Some(h) = self.holders.get_mut(user) {
                if !h.groups.contains(&group) {
                    h.groups.push(group);
                }
            }
        }
    }

    /// Adds every role and user (with its groups' policies) to the world.
    fn finish(self, world: &mut World) {
        for holder in &self.holders {
            if holder.kind == Kind::Group {
                continue;
            }
            let mut identity = holder.identity.clone();
            for group in holder.groups.iter().filter_map(|g| self.holders.get(*g)) {
                identity.extend(group.identity.iter().map(|(doc, origin)| {
                    let mut origin = origin.clone();
                    origin.name = format!("{} (group {})", origin.name, group.name);
                    (doc.clone(), origin)
                }));
            }
            let (identity, identity_origins): (Vec<_>, Vec<_>) = identity.into_iter().unzip();
            let (boundary, boundary_origin) = holder.boundary.clone().unzip();
            let (trust, trust_origin) = holder.trust.clone().unzip();
            let principal = Principal {
                account: Some(holder.account.clone()),
                role: (holder.kind == Kind::Role).then(|| holder.name.clone()),
                user: (holder.kind == Kind::User).then(|| holder.name.clone()),
                path: Some(holder.path.clone()),
                identity,
                boundary,
                trust,
                tags: holder.tags.clone(),
                ..Principal::default()
            };
            world.add_principal(
                holder.arn.clone(),
                principal,
                identity_origins,
                boundary_origin,
                trust_origin,
            );
        }
    }
}

/// A role's or user's tags: `tags_all` (which adds the provider's `default_tags`), else `tags`.
fn tags(instance: &super::Instance<'_>) -> BTreeMap<String, String> {
    let map = instance
        .get("tags_all")
        .or_else(|| instance.get("tags"))
        .and_then(serde_json::Value::as_object);
    map.into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}
