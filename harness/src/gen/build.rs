//! The builders: every generated value is made here, from a [`Choices`] source only.
//!
//! An input is built in this order: the caller ([`World`]), the focus (one or two services,
//! a few of their actions, a concrete resource for each), the policies (whose statements point
//! at the focus through exact names, wildcards and variables, and whose conditions register the
//! keys they read with a value that satisfies them and one that just misses), and last the
//! requests, derived from the statements and the registered keys.

use super::catalogue::{self, KeyType, Service, GLOBAL_KEYS, SERVICES};
use super::{Choices, Input, Settings};
use crate::case::TestRequest;
use crate::policy::PolicySet;
use crate::policy::{
    ActionClause, BaseOperator, Condition, ConditionEntry, ConditionOperator, ConditionValue,
    Effect, OneOrMany, OperatorFamily, Policy, PolicyKind, Principal, PrincipalClause,
    PrincipalType, ResourceClause, SetQualifier, Statement, ValueType, Version,
};
use crate::request::{Context, Lookup, PrincipalKind, Request};

/// The accounts of generated worlds: the caller's, a second one for cross-account requests,
/// and a third that is only ever named.
pub const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "777788889999"];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const USERS: [&str; 3] = ["alice", "division/bob", "carol"];
const ROLES: [&str; 3] = ["app-role", "deploy", "service/ReadOnly"];
const SESSIONS: [&str; 3] = ["s1", "i-0abc1234", "alice"];
const SERVICE_PRINCIPALS: [&str; 6] = [
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "logs.amazonaws.com",
    "firehose.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "config.amazonaws.com",
];
const WORDS: [&str; 6] = ["alpha", "prod", "dev", "alice", "team-a", "Beta"];
const TAGS: [&str; 4] = ["team", "env", "owner", "project"];
const TAG_VALUES: [&str; 5] = ["engineering", "finance", "alice", "prod", "dev"];
const IPS: [&str; 4] = ["203.0.113.7", "10.0.1.25", "192.0.2.44", "2001:db8::1"];
const OTHER_NETS: [&str; 3] = ["198.51.100.0/24", "10.99.0.0/16", "2001:db8:ffff::/48"];
/// 2024-01-01T12:00:00Z: generated dates are this plus a whole number of days.
const DATE_BASE: i64 = 1_704_110_400;

/// The service used when an input has no focus action (never, in practice).
static FALLBACK: Service = Service {
    prefix: "s3",
    actions: &[("GetObject", 255)],
    resources: &[],
    keys: &[],
};

/// The builder state: the choice source and the sizes.
struct G<'c> {
    c: &'c mut dyn Choices,
    s: Settings,
}

impl G<'_> {
    fn below(&mut self, n: usize) -> usize {
        if n < 2 {
            0
        } else {
            self.c.below(n).min(n - 1)
        }
    }

    /// True with `percent` % probability; choice 0 (the simplest) is always false.
    fn chance(&mut self, percent: usize) -> bool {
        percent > 0 && self.below(100) >= 100 - percent.min(100)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        let i = self.below(items.len());
        items.get(i).copied()
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        self.pick(items).unwrap_or("x")
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// An index chosen with the given weights (index 0 is the simplest).
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let total: usize = weights.iter().sum();
        let mut r = self.below(total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        0
    }

    fn bits(&mut self) -> u64 {
        let hi = self.below(1 << 32) as u64;
        let lo = self.below(1 << 32) as u64;
        (hi << 32) | lo
    }
}

/// A context value: one value or a set of values.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    One(String),
    Many(Vec<String>),
}

/// A condition key the policies read, with a value that satisfies the conditions written for
/// it (`hit`; `None`: the key is naturally missing) and one that just misses.
#[derive(Debug, Clone)]
struct Key {
    name: String,
    ty: KeyType,
    /// Derived by the engine from the principal (not written in the request on a hit).
    derived: bool,
    hit: Option<Val>,
    miss: Val,
}

/// One focus action: its service, name and resource type index (255: `*`).
#[derive(Debug, Clone, Copy)]
struct Focus {
    svc: &'static Service,
    action: &'static str,
    shape: u8,
}

/// Everything an input's parts refer to.
#[derive(Debug, Clone)]
struct World {
    principal: String,
    kind: PrincipalKind,
    account: &'static str,
    resource_account: &'static str,
    region: &'static str,
    focus: Vec<Focus>,
    resources: Vec<(&'static str, u8, String)>,
    keys: Vec<Key>,
    /// No `NotPrincipal` (a role trust policy may be in play).
    no_not_principal: bool,
}

fn principal_arn_of(kind: usize, g: &mut G<'_>, account: &str) -> (String, PrincipalKind) {
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

fn world(g: &mut G<'_>) -> World {
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
fn placeholder(g: &mut G<'_>, name: &str, w: &World) -> String {
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
fn fill(g: &mut G<'_>, w: &World, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or_default();
                out.push_str(&placeholder(g, name, w));
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(rest.get(start..).unwrap_or_default());
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The focus resource of a resource type (made on first use), or a fresh one (`fresh`), or
/// `*` for actions without resource-level permissions.
fn resource_for(
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

fn flip_case(g: &mut G<'_>, text: &str) -> String {
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
fn replace_char(text: &str, at: usize, with: char) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| if i == at { with } else { c })
        .collect()
}

fn char_prefix(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// An action pattern pointing at a focus action, and that focus action.
fn action_pattern(g: &mut G<'_>, w: &World, rcp: bool) -> (String, Option<Focus>) {
    let Some(f) = g.pick(&w.focus) else {
        return ("s3:GetObject".into(), None);
    };
    let exact = format!("{}:{}", f.svc.prefix, f.action);
    let choice = g.weighted(&[35, 8, 15, 12, 5, if rcp { 0 } else { 5 }, 15, 5]);
    let pattern = match choice {
        0 => exact,
        1 => flip_case(g, &exact),
        2 => {
            let keep = g.range(1, f.action.chars().count().saturating_sub(1).max(1));
            format!("{}:{}*", f.svc.prefix, char_prefix(f.action, keep))
        }
        3 => format!("{}:*", f.svc.prefix),
        4 => {
            let at = g.below(f.action.chars().count());
            format!("{}:{}", f.svc.prefix, replace_char(f.action, at, '?'))
        }
        5 => "*".to_owned(),
        6 => match g.pick(f.svc.actions) {
            Some((name, shape)) => {
                return (
                    format!("{}:{name}", f.svc.prefix),
                    Some(Focus {
                        svc: f.svc,
                        action: name,
                        shape,
                    }),
                )
            }
            None => exact,
        },
        _ => match g.pick(&w.focus) {
            Some(other) => {
                return (
                    format!("{}:{}", other.svc.prefix, other.action),
                    Some(other),
                );
            }
            None => exact,
        },
    };
    (pattern, Some(f))
}

/// Splits an ARN into its first five fields and the resource part.
fn arn_split(arn: &str) -> Option<(Vec<&str>, &str)> {
    let mut fields = arn.splitn(6, ':');
    let head: Vec<&str> = (0..5).filter_map(|_| fields.next()).collect();
    let tail = fields.next()?;
    (head.len() == 5).then_some((head, tail))
}

/// A `Resource` pattern that matches (or, for a fresh name, usually misses) `concrete`.
fn resource_pattern(g: &mut G<'_>, w: &mut World, concrete: &str, variables: bool) -> String {
    if concrete == "*" {
        return "*".into();
    }
    let Some((head, tail)) = arn_split(concrete) else {
        return concrete.to_owned();
    };
    let join = |head: &[&str], tail: &str| format!("{}:{tail}", head.join(":"));
    match g.weighted(&[30, 15, 20, 15, 8, 5, if variables { 7 } else { 0 }]) {
        0 => concrete.to_owned(),
        1 => "*".to_owned(),
        2 => {
            // The last segment (after the last `/` or `:`) becomes `*`.
            match tail.rfind(['/', ':']) {
                Some(i) => join(&head, &format!("{}*", tail.get(..=i).unwrap_or_default())),
                None => {
                    let keep = g.below(tail.chars().count());
                    join(&head, &format!("{}*", char_prefix(tail, keep)))
                }
            }
        }
        3 => {
            // Everything after the first segment: `bucket/*` (a `*` that spans `/`).
            match tail.find(['/', ':']) {
                Some(i) => join(&head, &format!("{}*", tail.get(..=i).unwrap_or_default())),
                None => join(&head, "*"),
            }
        }
        4 => {
            let mut head = head.clone();
            if let Some(region) = head.get_mut(3) {
                if !region.is_empty() {
                    *region = "*";
                }
            }
            if g.chance(50) {
                if let Some(account) = head.get_mut(4) {
                    if !account.is_empty() {
                        *account = "*";
                    }
                }
            }
            join(&head, tail)
        }
        5 => {
            let at = g.below(tail.chars().count());
            join(&head, &replace_char(tail, at, '?'))
        }
        _ => {
            // A segment of the resource part becomes a variable whose value the requests carry.
            let segments: Vec<&str> = tail.split('/').collect();
            let i = g.below(segments.len());
            let segment = segments.get(i).copied().unwrap_or_default();
            let tag = g.word(&TAGS);
            let key = format!("aws:PrincipalTag/{tag}");
            if segment.is_empty() || !register_exact(w, &key, KeyType::Str, segment) {
                return concrete.to_owned();
            }
            let var = if g.chance(25) {
                format!("${{{key}, '{segment}'}}")
            } else {
                format!("${{{key}}}")
            };
            let new_tail: Vec<String> = segments
                .iter()
                .enumerate()
                .map(|(j, s)| if j == i { var.clone() } else { (*s).to_owned() })
                .collect();
            join(&head, &new_tail.join("/"))
        }
    }
}

/// Registers `key` with the single value `value`; false when it is already registered with
/// another value.
fn register_exact(w: &mut World, key: &str, ty: KeyType, value: &str) -> bool {
    if let Some(k) = w.keys.iter().find(|k| k.name.eq_ignore_ascii_case(key)) {
        return k.hit == Some(Val::One(value.to_owned()));
    }
    w.keys.push(Key {
        name: key.to_owned(),
        ty,
        derived: false,
        hit: Some(Val::One(value.to_owned())),
        miss: Val::One(format!("{value}-other")),
    });
    true
}

fn date_text(day: i64, epoch: bool) -> String {
    let day = day.clamp(0, 27);
    if epoch {
        (DATE_BASE + day * 86_400).to_string()
    } else {
        format!("2024-01-{:02}T12:00:00Z", day + 1)
    }
}

fn date_day(text: &str) -> Option<i64> {
    if let Ok(t) = text.parse::<i64>() {
        return Some((t - DATE_BASE).div_euclid(86_400));
    }
    let day: i64 = text.strip_prefix("2024-01-")?.get(..2)?.parse().ok()?;
    Some(day - 1)
}

/// A value of a key's type.
fn value_of(g: &mut G<'_>, w: &World, name: &str, ty: KeyType) -> String {
    let lower = name.to_ascii_lowercase();
    match ty {
        KeyType::Str | KeyType::StrList => {
            if lower.contains("account") || lower.contains("owner") && !lower.contains("tag/") {
                g.word(&ACCOUNTS).into()
            } else if lower.contains("orgid") {
                g.word(&["o-a1b2c3d4e5", "o-zz99yy88xx"]).into()
            } else if lower.contains("orgpaths") {
                g.word(&[
                    "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
                    "o-a1b2c3d4e5/r-ab12/",
                ])
                .into()
            } else if lower.contains("region") {
                g.word(&REGIONS).into()
            } else if lower.contains("vpce") {
                g.word(&["vpce-1a2b3c4d", "vpce-9f8e7d6c"]).into()
            } else if lower.contains("tagkeys") {
                g.word(&TAGS).into()
            } else if lower.contains("tag/") {
                g.word(&TAG_VALUES).into()
            } else if lower.contains("calledvia") || lower.contains("servicename") {
                g.word(&SERVICE_PRINCIPALS).into()
            } else {
                g.word(&WORDS).into()
            }
        }
        KeyType::Num => g.range(0, 100).to_string(),
        KeyType::Date => {
            let day = g.range(1, 26) as i64;
            date_text(day, lower.contains("epoch"))
        }
        KeyType::Bool => g.word(&["true", "false"]).into(),
        KeyType::Ip => g.word(&IPS).into(),
        KeyType::Arn | KeyType::ArnList => {
            let arns: Vec<&String> = w.resources.iter().map(|(_, _, a)| a).collect();
            match g.pick(&arns) {
                Some(a) if a.as_str() != "*" && g.chance(70) => a.clone(),
                _ => format!("arn:aws:iam::{}:role/{}", w.account, g.word(&ROLES)),
            }
        }
        KeyType::Binary => g.word(&["YWxwaGE=", "cHJvZA=="]).into(),
    }
}

const DERIVED: [&str; 5] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:username",
    "aws:PrincipalServiceName",
];

/// The index of `name` in the registry, registering it (with values) if new.
fn key_index(g: &mut G<'_>, w: &mut World, name: &str, ty: KeyType) -> usize {
    if let Some(i) = w
        .keys
        .iter()
        .position(|k| k.name.eq_ignore_ascii_case(name))
    {
        return i;
    }
    let derived = DERIVED.iter().any(|d| d.eq_ignore_ascii_case(name));
    let hit = if derived {
        let request = Request::new(
            w.principal.clone(),
            None,
            "s3:GetObject",
            "*",
            None,
            Context::new(),
        );
        match request.context.get(name) {
            Lookup::Single(v) => Some(Val::One(v.to_owned())),
            _ => None,
        }
    } else if ty.is_multi() {
        let n = g.range(1, 3);
        let mut values: Vec<String> = Vec::new();
        for _ in 0..n {
            let v = value_of(g, w, name, ty);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        Some(Val::Many(values))
    } else {
        Some(Val::One(value_of(g, w, name, ty)))
    };
    let mut miss = value_of(g, w, name, ty);
    let hit_first = match &hit {
        Some(Val::One(v)) => Some(v.clone()),
        Some(Val::Many(v)) => v.first().cloned(),
        None => None,
    };
    if hit_first.as_deref() == Some(miss.as_str()) {
        miss = match ty {
            KeyType::Num => "1000".into(),
            KeyType::Date => date_text(27, name.to_ascii_lowercase().contains("epoch")),
            KeyType::Bool => if miss == "true" { "false" } else { "true" }.into(),
            KeyType::Ip => "198.51.100.9".into(),
            _ => format!("{miss}-other"),
        };
    }
    let miss = if ty.is_multi() {
        Val::Many(vec![miss])
    } else {
        Val::One(miss)
    };
    w.keys.push(Key {
        name: name.to_owned(),
        ty,
        derived,
        hit,
        miss,
    });
    w.keys.len() - 1
}

/// A real key name with its placeholder (`${TagKey}`, `<key>`, `tag-key`) filled in.
fn concrete_key(g: &mut G<'_>, name: &str) -> String {
    let tag = g.word(&TAGS);
    if let Some(i) = name.find("${").or_else(|| name.find('<')) {
        format!("{}{tag}", name.get(..i).unwrap_or_default())
    } else if let Some(prefix) = name.strip_suffix("tag-key") {
        format!("{prefix}{tag}")
    } else {
        name.to_owned()
    }
}

/// Picks a key (already registered, or new from the global or the focus services' keys),
/// optionally of one type.
fn pick_key(g: &mut G<'_>, w: &mut World, ty: Option<KeyType>) -> Option<usize> {
    let known: Vec<usize> = (0..w.keys.len())
        .filter(|&i| ty.is_none_or(|t| w.keys.get(i).is_some_and(|k| k.ty == t)))
        .collect();
    if !known.is_empty() && g.chance(35) {
        return g.pick(&known);
    }
    let mut pool: Vec<(&'static str, KeyType)> = GLOBAL_KEYS
        .iter()
        .copied()
        .filter(|(_, t)| ty.is_none_or(|want| *t == want))
        .collect();
    if g.chance(40) {
        let services: Vec<(&'static str, KeyType)> = w
            .focus
            .iter()
            .flat_map(|f| f.svc.keys.iter().copied())
            .filter(|(_, t)| ty.is_none_or(|want| *t == want))
            .collect();
        if !services.is_empty() {
            pool = services;
        }
    }
    let (name, key_ty) = g.pick(&pool)?;
    let name = concrete_key(g, name);
    Some(key_index(g, w, &name, key_ty))
}

fn bases_for(ty: KeyType) -> &'static [BaseOperator] {
    use BaseOperator::*;
    match ty {
        KeyType::Str => &[
            StringEquals,
            StringLike,
            StringNotEquals,
            StringEqualsIgnoreCase,
            StringNotLike,
            StringNotEqualsIgnoreCase,
            Null,
            BinaryEquals,
        ],
        KeyType::StrList => &[
            StringEquals,
            StringLike,
            StringNotEquals,
            StringNotLike,
            StringEqualsIgnoreCase,
            StringNotEqualsIgnoreCase,
            Null,
        ],
        KeyType::Num => &[
            NumericEquals,
            NumericLessThan,
            NumericGreaterThan,
            NumericLessThanEquals,
            NumericGreaterThanEquals,
            NumericNotEquals,
            Null,
        ],
        KeyType::Date => &[
            DateGreaterThan,
            DateLessThan,
            DateEquals,
            DateLessThanEquals,
            DateGreaterThanEquals,
            DateNotEquals,
            Null,
        ],
        KeyType::Bool => &[Bool, Null],
        KeyType::Ip => &[IpAddress, NotIpAddress, Null],
        KeyType::Arn => &[
            ArnLike,
            ArnEquals,
            ArnNotLike,
            ArnNotEquals,
            StringLike,
            StringEquals,
            Null,
        ],
        KeyType::ArnList => &[ArnLike, ArnEquals, ArnNotLike, ArnNotEquals, Null],
        KeyType::Binary => &[BinaryEquals],
    }
}

/// True when keys of `ty` can stand under `base`.
fn type_fits(ty: KeyType, base: BaseOperator) -> bool {
    bases_for(ty).contains(&base)
}

fn operator_for(g: &mut G<'_>, ty: KeyType) -> ConditionOperator {
    let base = g.pick(bases_for(ty)).unwrap_or(BaseOperator::StringEquals);
    let qualifier = if base == BaseOperator::Null {
        None
    } else if ty.is_multi() {
        if g.chance(5) {
            None
        } else if g.chance(50) {
            Some(SetQualifier::ForAllValues)
        } else {
            Some(SetQualifier::ForAnyValue)
        }
    } else if g.chance(4) {
        g.pick(&[SetQualifier::ForAllValues, SetQualifier::ForAnyValue])
    } else {
        None
    };
    let if_exists = base != BaseOperator::Null && g.chance(20);
    ConditionOperator {
        qualifier,
        base,
        if_exists,
    }
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

fn like_of(g: &mut G<'_>, h: &str) -> String {
    let n = h.chars().count();
    match g.weighted(&[30, 30, 15, 15, 10]) {
        0 => h.to_owned(),
        1 => format!("{}*", char_prefix(h, g.below(n.max(1)))),
        2 => format!("*{}", h.chars().skip(g.below(n.max(1))).collect::<String>()),
        3 if n > 0 => replace_char(h, g.below(n), '?'),
        _ => "*".to_owned(),
    }
}

fn arn_like_of(g: &mut G<'_>, h: &str) -> String {
    let Some((head, tail)) = arn_split(h) else {
        return h.to_owned();
    };
    match g.weighted(&[40, 20, 20, 20]) {
        1 => format!("{}:*", head.join(":")),
        2 => {
            let mut head = head;
            if let Some(a) = head.get_mut(4) {
                if !a.is_empty() {
                    *a = "*";
                }
            }
            format!("{}:{tail}", head.join(":"))
        }
        3 => match tail.rfind(['/', ':']) {
            Some(i) => format!("{}:{}*", head.join(":"), tail.get(..=i).unwrap_or_default()),
            None => format!("{}:*", head.join(":")),
        },
        _ => h.to_owned(),
    }
}

fn network_of(h: &str) -> String {
    match h {
        "203.0.113.7" => "203.0.113.0/24".into(),
        "10.0.1.25" => "10.0.0.0/16".into(),
        "2001:db8::1" => "2001:db8::/32".into(),
        other => other.into(),
    }
}

/// A policy value that makes the positive operator `base` hold for request value `h`.
fn matching(g: &mut G<'_>, base: BaseOperator, h: &str) -> String {
    use BaseOperator::*;
    let k = g.range(0, 5) as i64;
    let num = h.parse::<i64>().unwrap_or(0);
    let epoch = h.parse::<i64>().is_ok() || g.chance(30);
    let day = date_day(h).unwrap_or(10);
    match base {
        StringEquals | Bool => h.to_owned(),
        StringEqualsIgnoreCase => flip_case(g, h),
        StringLike => like_of(g, h),
        NumericEquals => num.to_string(),
        NumericLessThan => (num + 1 + k).to_string(),
        NumericLessThanEquals => (num + k).to_string(),
        NumericGreaterThan => (num - 1 - k).to_string(),
        NumericGreaterThanEquals => (num - k).to_string(),
        DateEquals => date_text(day, epoch),
        DateLessThan => date_text(day + 1 + k, epoch),
        DateLessThanEquals => date_text(day + k, epoch),
        DateGreaterThan => date_text(day - 1 - k, epoch),
        DateGreaterThanEquals => date_text(day - k, epoch),
        BinaryEquals => base64(h),
        IpAddress => network_of(h),
        ArnEquals | ArnLike => arn_like_of(g, h),
        _ => h.to_owned(),
    }
}

/// A policy value that makes the positive operator `base` fail for request value `h` (given the
/// key's near-miss value `miss`).
fn missing(g: &mut G<'_>, base: BaseOperator, h: &str, miss: &str) -> String {
    use BaseOperator::*;
    let k = g.range(0, 5) as i64;
    let num = h.parse::<i64>().unwrap_or(0);
    let epoch = h.parse::<i64>().is_ok();
    let day = date_day(h).unwrap_or(10);
    match base {
        Bool => if h == "true" { "false" } else { "true" }.into(),
        NumericEquals => (num + 7 + k).to_string(),
        NumericLessThan => (num - k).to_string(),
        NumericLessThanEquals => (num - 1 - k).to_string(),
        NumericGreaterThan => (num + k).to_string(),
        NumericGreaterThanEquals => (num + 1 + k).to_string(),
        DateEquals => date_text(day + 2 + k, epoch),
        DateLessThan => date_text(day - k, epoch),
        DateLessThanEquals => date_text(day - 1 - k, epoch),
        DateGreaterThan => date_text(day + k, epoch),
        DateGreaterThanEquals => date_text(day + 1 + k, epoch),
        BinaryEquals => base64(miss),
        IpAddress => g.word(&OTHER_NETS).into(),
        ArnEquals | ArnLike => miss.to_owned(),
        StringLike if g.chance(30) => format!("{}*", char_prefix(miss, 3)),
        _ => miss.to_owned(),
    }
}

fn first_of(v: &Val) -> Option<&str> {
    match v {
        Val::One(s) => Some(s),
        Val::Many(items) => items.first().map(String::as_str),
    }
}

fn typed(base: BaseOperator, text: String, g: &mut G<'_>) -> ConditionValue {
    let json_type = match base.family() {
        OperatorFamily::Numeric if g.chance(30) => ValueType::Number,
        OperatorFamily::Bool | OperatorFamily::Null if g.chance(50) => ValueType::Bool,
        _ => ValueType::String,
    };
    ConditionValue { text, json_type }
}

/// The values of one condition entry for key `k` under `op`.
fn entry_values(
    g: &mut G<'_>,
    w: &mut World,
    op: ConditionOperator,
    k: usize,
    variables: bool,
) -> OneOrMany<ConditionValue> {
    let Some(key) = w.keys.get(k).cloned() else {
        return OneOrMany::One(ConditionValue {
            text: "x".into(),
            json_type: ValueType::String,
        });
    };
    let base = op.base;
    let want_true = !g.chance(35);
    if base == BaseOperator::Null {
        let present = key.hit.is_some();
        let text = if want_true { !present } else { present };
        return OneOrMany::One(typed(base, text.to_string(), g));
    }
    let positive = base.positive();
    let want_match = want_true != base.is_negated();
    let miss = first_of(&key.miss).unwrap_or("x").to_owned();
    let hits: Vec<String> = match &key.hit {
        Some(Val::One(v)) => vec![v.clone()],
        Some(Val::Many(v)) => v.clone(),
        None => Vec::new(),
    };
    let n = g.range(1, g.s.max_values.max(1));
    let mut texts: Vec<String> = Vec::new();
    if want_match && !hits.is_empty() {
        if op.qualifier == Some(SetQualifier::ForAllValues) && !base.is_negated() {
            for h in &hits {
                texts.push(matching(g, positive, h));
            }
        } else {
            let h = g.pick(&hits.iter().map(String::as_str).collect::<Vec<_>>());
            texts.push(matching(g, positive, h.unwrap_or("x")));
        }
    }
    while texts.len() < n {
        let h = hits.first().map(String::as_str).unwrap_or(&miss).to_owned();
        texts.push(missing(g, positive, &h, &miss));
    }
    // A policy variable standing for the matching value (String and ARN operators only).
    if variables && positive.takes_variables() && want_match && g.chance(10) {
        if let (Some(h), Some(first)) = (hits.first(), texts.first_mut()) {
            if h == w.account {
                *first = "${aws:PrincipalAccount}".into();
            } else {
                let tag = g.word(&TAGS);
                let source = format!("aws:PrincipalTag/{tag}");
                if !source.eq_ignore_ascii_case(&key.name)
                    && register_exact(w, &source, KeyType::Str, h)
                {
                    *first = if g.chance(25) {
                        format!("${{{source}, 'none'}}")
                    } else {
                        format!("${{{source}}}")
                    };
                }
            }
        }
    }
    texts.dedup();
    let at = g.below(texts.len());
    if at > 0 {
        texts.swap(0, at);
    }
    let values: Vec<ConditionValue> = texts.into_iter().map(|t| typed(base, t, g)).collect();
    if values.len() == 1 && g.chance(50) {
        if let Some(v) = values.into_iter().next() {
            return OneOrMany::One(v);
        }
        return OneOrMany::Many(Vec::new());
    }
    OneOrMany::Many(values)
}

/// One operator block (not using any operator of `used`).
fn condition_block(
    g: &mut G<'_>,
    w: &mut World,
    variables: bool,
    used: &[ConditionOperator],
) -> Option<Condition> {
    let k = pick_key(g, w, None)?;
    let ty = w.keys.get(k)?.ty;
    let op = operator_for(g, ty);
    if used.contains(&op) {
        return None;
    }
    let mut keys = vec![k];
    if g.chance(20) {
        // A second key of a type that fits the same operator.
        let other_ty = match op.base.family() {
            OperatorFamily::String => g.pick(&[KeyType::Str, KeyType::Arn]),
            _ => Some(ty),
        };
        if let Some(k2) = pick_key(g, w, other_ty) {
            let fits = w.keys.get(k2).is_some_and(|key| type_fits(key.ty, op.base));
            let distinct = w.keys.get(k2).map(|a| &a.name) != w.keys.get(k).map(|b| &b.name);
            if fits && distinct {
                keys.push(k2);
            }
        }
    }
    let entries = keys
        .into_iter()
        .map(|k| ConditionEntry {
            key: w
                .keys
                .get(k)
                .map(|key| key.name.clone())
                .unwrap_or_default(),
            values: entry_values(g, w, op, k, variables),
        })
        .collect();
    Some(Condition {
        operator: op,
        entries,
    })
}

fn conditions(
    g: &mut G<'_>,
    w: &mut World,
    variables: bool,
    percent: usize,
) -> Option<Vec<Condition>> {
    if !g.chance(percent) {
        return None;
    }
    let n = g.range(1, g.s.max_conditions.max(1));
    let mut blocks: Vec<Condition> = Vec::new();
    for _ in 0..n {
        let used: Vec<ConditionOperator> = blocks.iter().map(|b| b.operator).collect();
        if let Some(block) = condition_block(g, w, variables, &used) {
            blocks.push(block);
        }
    }
    (!blocks.is_empty()).then_some(blocks)
}

fn principal_clause(g: &mut G<'_>, w: &World, effect: Effect) -> PrincipalClause {
    let aws = |v: Vec<String>| {
        let values = if v.len() == 1 {
            OneOrMany::One(v.into_iter().next().unwrap_or_default())
        } else {
            OneOrMany::Many(v)
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

fn one_or_many<T>(g: &mut G<'_>, items: Vec<T>) -> OneOrMany<T> {
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
fn statement_in(
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

fn version(g: &mut G<'_>, kind: PolicyKind) -> Option<Version> {
    if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
        return Some(Version::V2012_10_17);
    }
    match g.weighted(&[92, 4, 4]) {
        0 => Some(Version::V2012_10_17),
        1 => Some(Version::V2008_10_17),
        _ => None,
    }
}

fn wrap(g: &mut G<'_>, version: Option<Version>, statements: Vec<Statement>) -> Policy {
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
fn document(g: &mut G<'_>, w: &mut World, kind: PolicyKind, max: usize, deny: usize) -> Policy {
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

fn full_access(g: &mut G<'_>, rcp: bool) -> Policy {
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
fn allow_list(g: &mut G<'_>, w: &World) -> Policy {
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

fn org_levels(g: &mut G<'_>, w: &mut World, rcp: bool) -> Vec<Vec<Policy>> {
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

fn is_iam_caller(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Service | PrincipalKind::Anonymous)
}

fn set_for(g: &mut G<'_>, w: &mut World) -> PolicySet {
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

fn all_statements(set: &PolicySet) -> Vec<&Statement> {
    super::input::labelled(set)
        .into_iter()
        .flat_map(|(_, _, p)| p.statements().iter())
        .collect()
}

/// The action of a request: one a statement matches, most of the time.
fn request_action(g: &mut G<'_>, w: &World, statements: &[&Statement]) -> Focus {
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
fn action_hit(pattern: &str, prefix: &str, name: &str) -> bool {
    match pattern.split_once(':') {
        Some((p, n)) if !p.contains(['*', '?']) => {
            p.eq_ignore_ascii_case(prefix) && crate::glob::action_matches(n, name)
        }
        _ => crate::glob::action_matches(pattern, &format!("{prefix}:{name}")),
    }
}

fn request_for(g: &mut G<'_>, w: &mut World, statements: &[&Statement]) -> TestRequest {
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

fn val_json(v: &Val) -> serde_json::Value {
    match v {
        Val::One(s) => serde_json::Value::String(s.clone()),
        Val::Many(items) => serde_json::Value::Array(
            items
                .iter()
                .cloned()
                .map(serde_json::Value::String)
                .collect(),
        ),
    }
}

/// Builds a whole input.
pub fn input(c: &mut dyn Choices, s: &Settings) -> Input {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    let set = set_for(&mut g, &mut w);
    let statements = all_statements(&set);
    let n = g.range(1, s.max_requests.max(1));
    let requests = (0..n)
        .map(|_| request_for(&mut g, &mut w, &statements))
        .collect();
    let knobs = g.bits();
    Input::new(set, requests, knobs)
}

/// Builds a policy set of every level.
pub fn policy_set(c: &mut dyn Choices, s: &Settings) -> PolicySet {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    set_for(&mut g, &mut w)
}

/// Builds a policy of `kind` (a trust policy is a resource policy without `NotPrincipal`).
pub fn policy(c: &mut dyn Choices, s: &Settings, kind: PolicyKind) -> Policy {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    match kind {
        PolicyKind::Scp | PolicyKind::Rcp => {
            let levels = org_levels(&mut g, &mut w, kind == PolicyKind::Rcp);
            let mut docs = levels.into_iter().flatten().collect::<Vec<_>>();
            let i = g.below(docs.len());
            if i < docs.len() {
                docs.swap_remove(i)
            } else {
                full_access(&mut g, kind == PolicyKind::Rcp)
            }
        }
        PolicyKind::Trust => {
            w.no_not_principal = true;
            document(&mut g, &mut w, kind, s.max_statements, 20)
        }
        _ => document(&mut g, &mut w, kind, s.max_statements, 22),
    }
}

/// Builds a statement of an identity-based policy.
pub fn statement(c: &mut dyn Choices, s: &Settings) -> Statement {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    let effect = if g.chance(25) {
        Effect::Deny
    } else {
        Effect::Allow
    };
    statement_in(&mut g, &mut w, PolicyKind::Identity, effect, true, 0)
}

/// Builds a condition operator block over real keys.
pub fn condition(c: &mut dyn Choices, s: &Settings) -> Condition {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    condition_block(&mut g, &mut w, true, &[]).unwrap_or(Condition {
        operator: ConditionOperator {
            qualifier: None,
            base: BaseOperator::Bool,
            if_exists: false,
        },
        entries: vec![ConditionEntry {
            key: "aws:SecureTransport".into(),
            values: OneOrMany::One(ConditionValue {
                text: "true".into(),
                json_type: ValueType::Bool,
            }),
        }],
    })
}

/// Builds a resource ARN of a seed service (or a `Resource` pattern over one).
pub fn arn(c: &mut dyn Choices, s: &Settings) -> String {
    let mut g = G { c, s: *s };
    let mut w = world(&mut g);
    let concrete = w
        .resources
        .iter()
        .map(|(_, _, a)| a.clone())
        .find(|a| a != "*")
        .unwrap_or_else(|| format!("arn:aws:s3:::{}", g.word(&["app-data", "logs-archive"])));
    if g.chance(40) {
        resource_pattern(&mut g, &mut w, &concrete, true)
    } else {
        concrete
    }
}

/// Builds an action name or an action pattern with wildcards.
pub fn action_name(c: &mut dyn Choices, s: &Settings) -> String {
    let mut g = G { c, s: *s };
    let w = world(&mut g);
    action_pattern(&mut g, &w, false).0
}

/// Builds a request (its global keys derived).
pub fn request(c: &mut dyn Choices, s: &Settings) -> Request {
    let built = input(c, s);
    built
        .parsed_requests()
        .into_iter()
        .next()
        .unwrap_or_else(|| Request::new("*", None, "s3:GetObject", "*", None, Context::new()))
}
