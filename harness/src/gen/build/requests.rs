//! Requests aimed at the generated statements: an action and a resource they name, with context.

use super::*;

/// The action of a request: one a statement matches, most of the time.
pub(super) fn request_action(g: &mut G<'_>, w: &World, statements: &[&Statement]) -> Focus {
    let fallback = w.focus.first().copied().unwrap_or(Focus {
        svc: &FALLBACK,
        action: "GetObject",
        shape: 255,
    });
    let focus_pick = |g: &mut G<'_>| g.pick(&w.focus).unwrap_or(fallback);
    if g.chance(22) {
        if g.chance(50) {
            let f = focus_pick(g);
            if let Some((action, shape)) = g.pick(f.svc.actions) {
                return Focus {
                    svc: f.svc,
                    action,
                    shape,
                };
            }
        }
        return focus_pick(g);
    }
    let Some(st) = g.pick(statements) else {
        return focus_pick(g);
    };
    if st.action.negated {
        return focus_pick(g);
    }
    let Some(pattern) = g.pick(
        st.action
            .patterns
            .as_slice()
            .iter()
            .collect::<Vec<_>>()
            .as_slice(),
    ) else {
        return focus_pick(g);
    };
    let focus_hits: Vec<Focus> = w
        .focus
        .iter()
        .copied()
        .filter(|f| action_hit(pattern, f.svc.prefix, f.action))
        .collect();
    if !focus_hits.is_empty() && g.chance(75) {
        return g.pick(&focus_hits).unwrap_or(fallback);
    }
    if pattern == "*" {
        return focus_pick(g);
    }
    let all: Vec<(&'static Service, &'static str, u8)> = catalogue::matching(pattern).collect();
    match g.pick(&all) {
        Some((svc, action, shape)) => Focus { svc, action, shape },
        None => focus_pick(g),
    }
}

/// True when an action pattern matches `prefix:name` (without building the string when the
/// pattern's service is literal).
pub(super) fn action_hit(pattern: &str, prefix: &str, name: &str) -> bool {
    match pattern.split_once(':') {
        Some((p, n)) if !p.contains(['*', '?']) => {
            p.eq_ignore_ascii_case(prefix) && crate::glob::action_matches(n, name)
        }
        _ => crate::glob::action_matches(pattern, &format!("{prefix}:{name}")),
    }
}

pub(super) fn request_for(g: &mut G<'_>, w: &mut World, statements: &[&Statement]) -> TestRequest {
    let mut f = request_action(g, w, statements);
    let fresh = g.chance(15);
    let resource = resource_for(g, w, f.svc, f.shape, fresh);
    if g.chance(12) {
        // A mutation: a sibling action of the same service.
        if let Some((action, shape)) = g.pick(f.svc.actions) {
            f = Focus {
                svc: f.svc,
                action,
                shape,
            };
        }
    }
    let has_account = crate::request::arn_account(&resource).is_some();
    let resource_account = (!has_account && w.resource_account != w.account && resource != "*"
        || resource == "*" && g.chance(30))
    .then(|| w.resource_account.to_owned());
    let mut context = serde_json::Map::new();
    for key in w.keys.clone() {
        let state = g.weighted(&[55, 25, 15, 5]);
        let value = match (state, &key.hit) {
            (0, Some(_)) if key.derived => continue,
            (0, Some(hit)) => val_json(hit),
            (0, None) | (2, _) => {
                if key.derived {
                    serde_json::Value::Null
                } else {
                    continue;
                }
            }
            (1, _) => val_json(&key.miss),
            _ => {
                if key.ty.is_multi() {
                    serde_json::Value::Array(Vec::new())
                } else {
                    serde_json::Value::Null
                }
            }
        };
        context.insert(key.name.clone(), value);
    }
    TestRequest {
        principal: w.principal.clone(),
        principal_account: None,
        action: format!("{}:{}", f.svc.prefix, f.action),
        resource,
        resource_account,
        context,
        session_issuer: None,
    }
}
