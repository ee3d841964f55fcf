//! The policies in force for one request, by the slot each fills, and the one walk over them.
//!
//! Every part of the harness that looks at "all the policies of a case" (the evaluator, the
//! generators, the properties, the lint, the differential runs) walks them through
//! [`PolicySet::slots`], so the order and the labels (`identity[0]`, `scp[1][0]`…) are defined
//! once.

use std::fmt;

use super::{Policy, PolicyKind};

/// The policies of one case, parsed and validated by kind: what an evaluator decides against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySet {
    /// Identity-based policies of the caller.
    pub identity: Vec<Policy>,
    /// The resource-based policy.
    pub resource: Option<Policy>,
    /// The caller's permissions boundary.
    pub boundary: Option<Policy>,
    /// Session policies (empty: none was passed).
    pub session: Vec<Policy>,
    /// SCP levels of the principal's account, root first (`None`: not in an organization).
    pub scp: Option<Vec<Vec<Policy>>>,
    /// RCP levels of the resource's account, root first (`None`: not in an organization).
    pub rcp: Option<Vec<Vec<Policy>>>,
}

/// Which slot of a [`PolicySet`] a policy fills; its [`Display`](fmt::Display) is the label used
/// in explanations and error messages (`identity[0]`, `resource`, `scp[1][0]`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The `n`th identity-based policy.
    Identity(usize),
    /// The resource-based policy.
    Resource,
    /// The permissions boundary.
    Boundary,
    /// The `n`th session policy.
    Session(usize),
    /// SCP document `document` of hierarchy level `level` (root first).
    Scp {
        /// Hierarchy level, root first.
        level: usize,
        /// Document within the level.
        document: usize,
    },
    /// RCP document `document` of hierarchy level `level` (root first).
    Rcp {
        /// Hierarchy level, root first.
        level: usize,
        /// Document within the level.
        document: usize,
    },
}

impl Slot {
    /// The policy kind a document in this slot is validated as (a resource policy on a role is
    /// validated again as a trust policy when the request assumes the role).
    pub fn kind(self) -> PolicyKind {
        match self {
            Slot::Identity(_) => PolicyKind::Identity,
            Slot::Resource => PolicyKind::Resource,
            Slot::Boundary => PolicyKind::Boundary,
            Slot::Session(_) => PolicyKind::Session,
            Slot::Scp { .. } => PolicyKind::Scp,
            Slot::Rcp { .. } => PolicyKind::Rcp,
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slot::Identity(i) => write!(f, "identity[{i}]"),
            Slot::Resource => f.write_str("resource"),
            Slot::Boundary => f.write_str("boundary"),
            Slot::Session(i) => write!(f, "session[{i}]"),
            Slot::Scp { level, document } => write!(f, "scp[{level}][{document}]"),
            Slot::Rcp { level, document } => write!(f, "rcp[{level}][{document}]"),
        }
    }
}

/// The documents of an SCP or RCP hierarchy with their slots, level by level.
fn levels<'a>(
    levels: &'a Option<Vec<Vec<Policy>>>,
    slot: fn(usize, usize) -> Slot,
) -> impl Iterator<Item = (Slot, &'a Policy)> + 'a {
    levels
        .iter()
        .flatten()
        .enumerate()
        .flat_map(move |(level, docs)| {
            docs.iter()
                .enumerate()
                .map(move |(document, policy)| (slot(level, document), policy))
        })
}

impl PolicySet {
    /// Every policy with its slot, in a fixed order: identity, resource, boundary, session,
    /// SCP levels, RCP levels.
    pub fn slots(&self) -> impl Iterator<Item = (Slot, &Policy)> + '_ {
        let identity = self
            .identity
            .iter()
            .enumerate()
            .map(|(i, p)| (Slot::Identity(i), p));
        let resource = self.resource.iter().map(|p| (Slot::Resource, p));
        let boundary = self.boundary.iter().map(|p| (Slot::Boundary, p));
        let session = self
            .session
            .iter()
            .enumerate()
            .map(|(i, p)| (Slot::Session(i), p));
        identity
            .chain(resource)
            .chain(boundary)
            .chain(session)
            .chain(levels(&self.scp, |level, document| Slot::Scp {
                level,
                document,
            }))
            .chain(levels(&self.rcp, |level, document| Slot::Rcp {
                level,
                document,
            }))
    }

    /// Every policy mutably with its slot, in the order of [`PolicySet::slots`] (for
    /// transformations that rewrite all documents alike).
    pub fn slots_mut(&mut self) -> impl Iterator<Item = (Slot, &mut Policy)> + '_ {
        let identity = self
            .identity
            .iter_mut()
            .enumerate()
            .map(|(i, p)| (Slot::Identity(i), p));
        let resource = self.resource.iter_mut().map(|p| (Slot::Resource, p));
        let boundary = self.boundary.iter_mut().map(|p| (Slot::Boundary, p));
        let session = self
            .session
            .iter_mut()
            .enumerate()
            .map(|(i, p)| (Slot::Session(i), p));
        let scp = self
            .scp
            .iter_mut()
            .flatten()
            .enumerate()
            .flat_map(|(level, docs)| {
                docs.iter_mut()
                    .enumerate()
                    .map(move |(document, p)| (Slot::Scp { level, document }, p))
            });
        let rcp = self
            .rcp
            .iter_mut()
            .flatten()
            .enumerate()
            .flat_map(|(level, docs)| {
                docs.iter_mut()
                    .enumerate()
                    .map(move |(document, p)| (Slot::Rcp { level, document }, p))
            });
        identity
            .chain(resource)
            .chain(boundary)
            .chain(session)
            .chain(scp)
            .chain(rcp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        crate::policy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap()
    }

    #[test]
    fn slots_walk_every_policy_in_order_with_labels() {
        let set = PolicySet {
            identity: vec![policy(), policy()],
            resource: Some(policy()),
            boundary: Some(policy()),
            session: vec![policy()],
            scp: Some(vec![vec![policy()], vec![policy(), policy()]]),
            rcp: Some(vec![vec![policy()]]),
        };
        let labels: Vec<String> = set.slots().map(|(slot, _)| slot.to_string()).collect();
        assert_eq!(
            labels,
            [
                "identity[0]",
                "identity[1]",
                "resource",
                "boundary",
                "session[0]",
                "scp[0][0]",
                "scp[1][0]",
                "scp[1][1]",
                "rcp[0][0]"
            ]
        );
        let mut copy = set.clone();
        let mutable: Vec<Slot> = copy.slots_mut().map(|(slot, _)| slot).collect();
        let shared: Vec<Slot> = set.slots().map(|(slot, _)| slot).collect();
        assert_eq!(mutable, shared);
        assert_eq!(
            Slot::Scp {
                level: 0,
                document: 0
            }
            .kind(),
            PolicyKind::Scp
        );
    }
}
