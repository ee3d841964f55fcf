//! Organizations policies: `aws_organizations_policy` (`type` `SERVICE_CONTROL_POLICY` or
//! `RESOURCE_CONTROL_POLICY`, `content`) attached by `aws_organizations_policy_attachment`
//! (`policy_id`, `target_id`).
//!
//! A plan does not describe the organization's tree, so each account of the world gets two
//! levels (semantics §1.7.1, §9.7): the **root** level, holding every policy attached to the
//! organization root (`r-…`) or to an OU (`ou-…`, applied to every account of the world), and
//! the **account** level, holding the policies attached to that account's ID. AWS attaches
//! `FullAWSAccess` (SCP, §1.7.3) and `RCPFullAWSAccess` (RCP, §1.7.4) at every level by default
//! and a plan cannot show that they were detached, so both levels also hold it: deny-list
//! policies then take effect, while an allow-list SCP restricts nothing. An attachment of
//! `p-FullAWSAccess` itself adds nothing. A world gets SCP (RCP) levels only when the file
//! attaches at least one SCP (RCP).

use std::collections::BTreeMap;

use crate::case::PolicyText;

use super::refs::Found;
use super::{policy_text, Doc, Origin, World, WorldError};

/// The SCP AWS attaches at every level by default.
const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The RCP AWS attaches at every level, which cannot be detached.
const RCP_FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// SCP or RCP.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scp,
    Rcp,
}

/// One Organizations policy of the document.
struct OrgPolicy {
    index: usize,
    id: Option<String>,
    kind: Kind,
    text: Option<PolicyText>,
}

/// The attached policies of one kind: at the root level, and by account.
#[derive(Default)]
struct Levels {
    root: Vec<(PolicyText, Origin)>,
    accounts: BTreeMap<String, Vec<(PolicyText, Origin)>>,
}

impl Levels {
    fn is_empty(&self) -> bool {
        self.root.is_empty() && self.accounts.is_empty()
    }
}

/// Where an attachment points.
enum Target {
    Root,
    Account(String),
}

/// Adds the SCP and RCP levels of `doc` to every account of `world`.
pub(super) fn load(doc: &Doc<'_>, world: &mut World, problems: &mut Vec<WorldError>) {
    let mut policies = Vec::new();
    for (index, instance) in doc.of_kind("aws_organizations_policy") {
        let kind = match instance.text("type").unwrap_or("SERVICE_CONTROL_POLICY") {
            "SERVICE_CONTROL_POLICY" => Kind::Scp,
            "RESOURCE_CONTROL_POLICY" => Kind::Rcp,
            other => {
                doc.skip(
                    &instance.address,
                    format!("a `{other}` policy takes no part in request evaluation"),
                );
                continue;
            }
        };
        match doc.policy(index, "content") {
            Ok(text) => policies.push(OrgPolicy {
                index,
                id: doc.computed(index, "id"),
                kind,
                text,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    let mut scp = Levels::default();
    let mut rcp = Levels::default();
    for (index, _) in doc.of_kind("aws_organizations_policy_attachment") {
        let Some((policy, target)) = attachment(doc, &policies, index) else {
            continue;
        };
        let Some(text) = policy.text.clone() else {
            doc.skip(
                doc.address(index),
                format!(
                    "the content of `{}` is unknown until apply",
                    doc.address(policy.index)
                ),
            );
            continue;
        };
        let location = format!("{}.content", doc.address(policy.index));
        let name = format!(
            "{} (attached by {})",
            policy.id.as_deref().unwrap_or(doc.address(policy.index)),
            doc.address(index)
        );
        let entry = (text, doc.origin(location, name));
        let levels = match policy.kind {
            Kind::Scp => &mut scp,
            Kind::Rcp => &mut rcp,
        };
        match target {
            Target::Root => levels.root.push(entry),
            Target::Account(id) => levels.accounts.entry(id).or_default().push(entry),
        }
    }
    if scp.is_empty() && rcp.is_empty() {
        return;
    }
    world.account(&doc.account);
    for id in scp.accounts.keys().chain(rcp.accounts.keys()) {
        world.account(id);
    }
    let ids: Vec<String> = world.scenario.accounts.keys().cloned().collect();
    for (kind, levels, full) in [
        ("scp", &scp, FULL_AWS_ACCESS),
        ("rcp", &rcp, RCP_FULL_AWS_ACCESS),
    ] {
        if levels.is_empty() {
            continue;
        }
        let Ok(full_text) = policy_text(full) else {
            continue;
        };
        let full_name = if kind == "scp" {
            "FullAWSAccess"
        } else {
            "RCPFullAWSAccess"
        };
        let full_origin = doc.origin(
            format!("{full_name} (attached by AWS at every level by default)"),
            full_name,
        );
        for id in &ids {
            let mut out = Vec::new();
            for (l, attached) in [
                levels.root.as_slice(),
                levels.accounts.get(id).map_or(&[][..], Vec::as_slice),
            ]
            .into_iter()
            .enumerate()
            {
                let mut level = vec![full_text.clone()];
                world.origins.insert(
                    World::origin_key(id, &format!("{kind}[{l}][0]")),
                    full_origin.clone(),
                );
                for (d, (text, origin)) in attached.iter().enumerate() {
                    level.push(text.clone());
                    world.origins.insert(
                        World::origin_key(id, &format!("{kind}[{l}][{}]", d + 1)),
                        origin.clone(),
                    );
                }
                out.push(level);
            }
            let account = world.account(id);
            if kind == "scp" {
                account.scp = Some(out);
            } else {
                account.rcp = Some(out);
            }
        }
    }
}

/// The policy and target of one attachment; `None` (listed as skipped) when either cannot be
/// told or the policy is `FullAWSAccess`.
fn attachment<'p>(
    doc: &Doc<'_>,
    policies: &'p [OrgPolicy],
    index: usize,
) -> Option<(&'p OrgPolicy, Target)> {
    let address = doc.address(index);
    let unresolved = |attr: &str| {
        doc.skip(
            format!("{address}.{attr}"),
            format!("{attr} unknown until apply and its reference cannot be resolved"),
        );
    };
    let Some(found) = doc.string(index, "policy_id") else {
        unresolved("policy_id");
        return None;
    };
    let policy = policies.iter().find(|p| match &found {
        Found::Value(id) => p.id.as_deref() == Some(id.as_str()),
        Found::Resource(to) => p.index == *to,
    });
    let Some(policy) = policy else {
        match &found {
            Found::Value(id) if id == "p-FullAWSAccess" => {}
            Found::Value(id) => doc.skip(
                format!("{address}.policy_id"),
                format!("`{id}` is not an SCP or RCP of this file"),
            ),
            Found::Resource(to) => doc.skip(
                format!("{address}.policy_id"),
                format!(
                    "`{}` is not an SCP or RCP iam-harness reads",
                    doc.address(*to)
                ),
            ),
        }
        return None;
    };
    let target = match doc.string(index, "target_id") {
        Some(Found::Value(id)) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
            Target::Account(id)
        }
        Some(Found::Value(id)) if id.starts_with("r-") || id.starts_with("ou-") => Target::Root,
        Some(Found::Resource(to))
            if doc.at(to).is_some_and(|i| {
                matches!(
                    i.kind,
                    "aws_organizations_organizational_unit" | "aws_organizations_organization"
                )
            }) =>
        {
            Target::Root
        }
        Some(Found::Value(id)) => {
            doc.skip(
                format!("{address}.target_id"),
                format!("`{id}` is neither an account ID, an OU nor a root"),
            );
            return None;
        }
        Some(Found::Resource(to)) => {
            doc.skip(
                format!("{address}.target_id"),
                format!(
                    "target_id unknown until apply (the ID of `{}`)",
                    doc.address(to)
                ),
            );
            return None;
        }
        None => {
            unresolved("target_id");
            return None;
        }
    };
    Some((policy, target))
}
