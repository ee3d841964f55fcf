//! Principal clauses, statements, documents and whole policy sets (with SCP/RCP levels).

use super::*;

pub(super) fn principal_clause(g: &mut G<'_>, w: &World, effect: Effect) -> PrincipalClause {
    let aws = |v: Vec<String>| {
        let values = match <[String; 1]>::try_from(v) {
            Ok([one]) => OneOrMany::One(one),
            Err(many) => OneOrMany::Many(many),
        };
        Principal::Map(vec![(PrincipalType::Aws, values)])
    };
    let caller = match w.kind {
        PrincipalKind::Service => {
            return PrincipalClause {
                negated: false,
                value: if g.chance(70) {
                    Principal::Map(vec![(
                        PrincipalType::Service,
                        OneOrMany::One(w.principal.clone()),
                    )])
                } else {
                    Principal::Wildcard
                },
            }
        }
        PrincipalKind::Anonymous => {
            return PrincipalClause {
                negated: false,
                value: Principal::Wildcard,
            }
        }
        _ => w.principal.clone(),
    };
    let role = crate::request::role_arn_of_session(&w.principal).unwrap_or_else(|| caller.clone());
    if effect == Effect::Deny && !w.no_not_principal && g.chance(10) {
        let exempt = if g.chance(50) {
            vec![caller]
        } else {
            vec![format!("arn:aws:iam::{}:root", w.account), caller]
        };
        return PrincipalClause {
            negated: true,
            value: aws(exempt),
        };
    }
    let value = match g.weighted(&[20, 20, 12, 8, 10, 8, 10, 5, 7]) {
        0 => Principal::Wildcard,
        1 => aws(vec![caller]),
        2 => aws(vec![w.account.to_owned()]),
        3 => aws(vec![format!("arn:aws:iam::{}:root", w.account)]),
        4 => aws(vec![role]),
        5 => aws(vec![ACCOUNTS[2].to_owned()]),
        6 => Principal::Map(vec![(
            PrincipalType::Service,
            OneOrMany::One(g.word(&SERVICE_PRINCIPALS).to_owned()),
        )]),
        7 => aws(vec!["*".to_owned()]),
        _ => aws(vec![caller, format!("arn:aws:iam::{}:root", ACCOUNTS[2])]),
    };
    PrincipalClause {
        negated: false,
        value,
    }
}

pub(super) fn one_or_many<T>(g: &mut G<'_>, items: Vec<T>) -> OneOrMany<T> {
    if items.len() == 1 && g.chance(50) {
        let mut items = items;
        if let Some(item) = items.pop() {
            return OneOrMany::One(item);
        }
        return OneOrMany::Many(items);
    }
    OneOrMany::Many(items)
}

/// One statement of a policy of `kind`.
pub(super) fn statement_in(
    g: &mut G<'_>,
    w: &mut World,
    kind: PolicyKind,
    effect: Effect,
    variables: bool,
    index: usize,
) -> Statement {
    let rcp = kind == PolicyKind::Rcp;
    let principal = match kind {
        PolicyKind::Resource | PolicyKind::Trust => Some(principal_clause(g, w, effect)),
        PolicyKind::Rcp => Some(PrincipalClause {
            negated: false,
            value: Principal::Wildcard,
        }),
        _ => None,
    };
    let negated_action = !rcp && g.chance(8);
    let n = g.range(1, g.s.max_values.clamp(1, 3));
    let mut patterns: Vec<String> = Vec::new();
    let mut targets: Vec<Focus> = Vec::new();
    for _ in 0..n {
        let (p, f) = action_pattern(g, w, rcp);
        if !patterns.contains(&p) {
            patterns.push(p);
        }
        if let Some(f) = f {
            targets.push(f);
        }
    }
    let action = ActionClause {
        negated: negated_action,
        patterns: one_or_many(g, patterns),
    };
    let scp_allow = kind == PolicyKind::Scp && effect == Effect::Allow;
    let resource = if matches!(kind, PolicyKind::Resource | PolicyKind::Trust) && g.chance(20) {
        None
    } else if scp_allow {
        Some(ResourceClause {
            negated: false,
            patterns: OneOrMany::One("*".into()),
        })
    } else {
        let negated = g.chance(6);
        let n = g.range(1, 2);
        let mut patterns: Vec<String> = Vec::new();
        for i in 0..n {
            let concrete = match targets.get(i).or(targets.first()).copied() {
                Some(f) => {
                    let fresh = g.chance(10);
                    resource_for(g, w, f.svc, f.shape, fresh)
                }
                None => "*".into(),
            };
            let p = resource_pattern(g, w, &concrete, variables);
            if !patterns.contains(&p) {
                patterns.push(p);
            }
        }
        Some(ResourceClause {
            negated,
            patterns: one_or_many(g, patterns),
        })
    };
    let percent = if rcp { 50 } else { 35 };
    let condition = conditions(g, w, variables, percent);
    let sid = g
        .chance(25)
        .then(|| format!("Stmt{index}{}", g.word(&["A", "Read", "X9"])));
    Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
    }
}

pub(super) fn version(g: &mut G<'_>, kind: PolicyKind) -> Option<Version> {
    if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
        return Some(Version::V2012_10_17);
    }
    match g.weighted(&[92, 4, 4]) {
        0 => Some(Version::V2012_10_17),
        1 => Some(Version::V2008_10_17),
        _ => None,
    }
}

pub(super) fn wrap(g: &mut G<'_>, version: Option<Version>, statements: Vec<Statement>) -> Policy {
    let id = g.chance(8).then(|| "PolicyId1".to_owned());
    let statement = if statements.len() == 1 && g.chance(30) {
        let mut statements = statements;
        match statements.pop() {
            Some(s) => OneOrMany::One(s),
            None => OneOrMany::Many(statements),
        }
    } else {
        OneOrMany::Many(statements)
    };
    Policy {
        version,
        id,
        statement,
    }
}

/// A document of `kind` with up to `max` statements, each a Deny with `deny` % probability.
pub(super) fn document(
    g: &mut G<'_>,
    w: &mut World,
    kind: PolicyKind,
    max: usize,
    deny: usize,
) -> Policy {
    let version = version(g, kind);
    let variables = version == Some(Version::V2012_10_17);
    let n = g.range(1, max.max(1));
    let statements = (0..n)
        .map(|i| {
            let effect = if kind == PolicyKind::Rcp || g.chance(deny) {
                Effect::Deny
            } else {
                Effect::Allow
            };
            statement_in(g, w, kind, effect, variables, i)
        })
        .collect();
    wrap(g, version, statements)
}

pub(super) fn full_access(g: &mut G<'_>, rcp: bool) -> Policy {
    let statement = Statement {
        sid: (!rcp && g.chance(30)).then(|| "FullAWSAccess".to_owned()),
        effect: Effect::Allow,
        principal: rcp.then_some(PrincipalClause {
            negated: false,
            value: Principal::Wildcard,
        }),
        action: ActionClause {
            negated: false,
            patterns: OneOrMany::One("*".into()),
        },
        resource: Some(ResourceClause {
            negated: false,
            patterns: OneOrMany::One("*".into()),
        }),
        condition: None,
    };
    wrap(g, Some(Version::V2012_10_17), vec![statement])
}

/// An SCP allow-list: the focus services (or focus action patterns) on `*`.
pub(super) fn allow_list(g: &mut G<'_>, w: &World) -> Policy {
    let mut patterns: Vec<String> = Vec::new();
    for f in &w.focus {
        let p = if g.chance(60) {
            format!("{}:*", f.svc.prefix)
        } else {
            format!("{}:{}", f.svc.prefix, f.action)
        };
        if !patterns.contains(&p) && !g.chance(15) {
            patterns.push(p);
        }
    }
    if patterns.is_empty() {
        patterns.push("s3:*".into());
    }
    let statement = Statement {
        sid: None,
        effect: Effect::Allow,
        principal: None,
        action: ActionClause {
            negated: false,
            patterns: OneOrMany::Many(patterns),
        },
        resource: Some(ResourceClause {
            negated: false,
            patterns: OneOrMany::One("*".into()),
        }),
        condition: None,
    };
    wrap(g, Some(Version::V2012_10_17), vec![statement])
}

pub(super) fn org_levels(g: &mut G<'_>, w: &mut World, rcp: bool) -> Vec<Vec<Policy>> {
    let n = g.range(1, g.s.max_levels.max(1));
    (0..n)
        .map(|level| {
            let mut docs = Vec::new();
            if rcp {
                if !g.chance(8) {
                    docs.push(full_access(g, true));
                }
                if g.chance(45) {
                    docs.push(document(g, w, PolicyKind::Rcp, 2, 100));
                }
            } else {
                if level == 0 || !g.chance(35) {
                    docs.push(full_access(g, false));
                } else {
                    docs.push(allow_list(g, w));
                }
                if g.chance(35) {
                    docs.push(document(g, w, PolicyKind::Scp, 2, 80));
                }
            }
            docs
        })
        .collect()
}

pub(super) fn is_iam_caller(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Service | PrincipalKind::Anonymous)
}

pub(super) fn set_for(g: &mut G<'_>, w: &mut World) -> PolicySet {
    let s = g.s;
    let mut set = PolicySet::default();
    let iam = is_iam_caller(w.kind);
    if g.chance(if iam { 92 } else { 10 }) {
        let n = g.range(1, s.max_identity_policies.max(1));
        for _ in 0..n {
            set.identity
                .push(document(g, w, PolicyKind::Identity, s.max_statements, 22));
        }
    }
    let cross = w.account != w.resource_account;
    if g.chance(if !iam || cross { 80 } else { 35 }) {
        set.resource = Some(document(
            g,
            w,
            PolicyKind::Resource,
            s.max_statements.min(3),
            25,
        ));
    }
    if iam && w.kind != PrincipalKind::Root && g.chance(18) {
        set.boundary = Some(document(g, w, PolicyKind::Boundary, 2, 10));
    }
    let session_kind = matches!(
        w.kind,
        PrincipalKind::AssumedRole | PrincipalKind::Role | PrincipalKind::FederatedUser
    );
    let session_pct = if w.kind == PrincipalKind::FederatedUser {
        75
    } else {
        25
    };
    if session_kind && g.chance(session_pct) {
        set.session.push(document(g, w, PolicyKind::Session, 2, 10));
    }
    if g.chance(22) {
        set.scp = Some(org_levels(g, w, false));
    }
    if g.chance(14) {
        set.rcp = Some(org_levels(g, w, true));
    }
    set
}

pub(super) fn all_statements(set: &PolicySet) -> Vec<&Statement> {
    set.slots()
        .flat_map(|(_, policy)| policy.statements().iter())
        .collect()
}
