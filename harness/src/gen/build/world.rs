//! The generated world: accounts, principals, resources, and filling ARN templates from it.

use super::*;

pub(super) fn principal_arn_of(
    kind: usize,
    g: &mut G<'_>,
    account: &str,
) -> (String, PrincipalKind) {
    match kind {
        0 => (
            format!("arn:aws:iam::{account}:user/{}", g.word(&USERS)),
            PrincipalKind::User,
        ),
        1 => (
            format!(
                "arn:aws:sts::{account}:assumed-role/{}/{}",
                g.word(&["app-role", "deploy", "ReadOnly"]),
                g.word(&SESSIONS)
            ),
            PrincipalKind::AssumedRole,
        ),
        2 => (
            format!("arn:aws:iam::{account}:role/{}", g.word(&ROLES)),
            PrincipalKind::Role,
        ),
        3 => (
            format!(
                "arn:aws:sts::{account}:federated-user/{}",
                g.word(&USERS[..1])
            ),
            PrincipalKind::FederatedUser,
        ),
        4 => (format!("arn:aws:iam::{account}:root"), PrincipalKind::Root),
        5 => (
            g.word(&SERVICE_PRINCIPALS).to_owned(),
            PrincipalKind::Service,
        ),
        _ => ("*".to_owned(), PrincipalKind::Anonymous),
    }
}

pub(super) fn world(g: &mut G<'_>) -> World {
    let account = ACCOUNTS[0];
    let kind = g.weighted(&[30, 28, 6, 6, 4, 16, 10]);
    let (principal, kind) = principal_arn_of(kind, g, account);
    let resource_account = if g.chance(25) { ACCOUNTS[1] } else { account };
    let region = g.word(&REGIONS);
    let mut w = World {
        principal,
        kind,
        account,
        resource_account,
        region,
        focus: Vec::new(),
        resources: Vec::new(),
        keys: Vec::new(),
        no_not_principal: false,
    };
    let services = g.range(1, 2);
    let mut chosen: Vec<&'static Service> = Vec::new();
    for _ in 0..services {
        if let Some(svc) = SERVICES.get(g.below(SERVICES.len())) {
            if !chosen.iter().any(|c| c.prefix == svc.prefix) {
                chosen.push(svc);
            }
        }
    }
    let count = g.range(2, 4);
    for i in 0..count {
        let Some(svc) = chosen.get(i % chosen.len().max(1)).copied() else {
            break;
        };
        if let Some((action, shape)) = g.pick(svc.actions) {
            w.focus.push(Focus { svc, action, shape });
        }
    }
    w.no_not_principal = chosen.iter().any(|s| s.prefix == "sts");
    for f in w.focus.clone() {
        resource_for(g, &mut w, f.svc, f.shape, false);
    }
    w
}

/// The value of one `${Placeholder}` of an ARN template.
pub(super) fn placeholder(g: &mut G<'_>, name: &str, w: &World) -> String {
    let lower = name.to_ascii_lowercase();
    let pick = |g: &mut G<'_>, items: &[&'static str]| g.word(items).to_owned();
    if lower == "partition" {
        "aws".into()
    } else if lower == "region" {
        w.region.into()
    } else if lower == "account" {
        w.resource_account.into()
    } else if lower.contains("bucket") {
        pick(g, &["app-data", "logs-archive", "team-share"])
    } else if lower.contains("object") {
        pick(
            g,
            &[
                "report.csv",
                "home/alice/notes.txt",
                "2024/01/data.json",
                "img/a.png",
            ],
        )
    } else if lower.contains("rolename") {
        pick(g, &ROLES)
    } else if lower.contains("username") {
        pick(g, &USERS)
    } else if lower.contains("alias") {
        pick(g, &["app-key", "backup"])
    } else if lower.contains("keyid") {
        pick(
            g,
            &[
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "0987dcba-09fe-87dc-65ba-ab0987654321",
            ],
        )
    } else if lower.ends_with("id") || lower.contains("token") {
        pick(g, &["0abc1234", "1a2b3c4d", "f00dcafe"])
    } else {
        pick(g, &["app", "prod", "team-a", "orders"])
    }
}

/// Fills an ARN template.
pub(super) fn fill(g: &mut G<'_>, w: &World, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        match after.split_once('}') {
            Some((name, tail)) => {
                out.push_str(&placeholder(g, name, w));
                rest = tail;
            }
            None => {
                out.push_str("${");
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The focus resource of a resource type (made on first use), or a fresh one (`fresh`), or
/// `*` for actions without resource-level permissions.
pub(super) fn resource_for(
    g: &mut G<'_>,
    w: &mut World,
    svc: &'static Service,
    shape: u8,
    fresh: bool,
) -> String {
    let Some(template) = svc.resource_of(shape) else {
        return "*".to_owned();
    };
    if !fresh {
        if let Some((_, _, arn)) = w
            .resources
            .iter()
            .find(|(p, s, _)| *p == svc.prefix && *s == shape)
        {
            return arn.clone();
        }
    }
    let arn = fill(g, w, template);
    if !fresh {
        w.resources.push((svc.prefix, shape, arn.clone()));
    }
    arn
}

pub(super) fn flip_case(g: &mut G<'_>, text: &str) -> String {
    let salt = g.below(1 << 16);
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if (salt >> (i % 16)) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Replaces the character at char index `at` with `with`.
pub(super) fn replace_char(text: &str, at: usize, with: char) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| if i == at { with } else { c })
        .collect()
}

pub(super) fn char_prefix(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}
