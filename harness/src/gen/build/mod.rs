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

mod conditions;
mod patterns;
mod policies;
mod requests;
mod world;

use conditions::*;
use patterns::*;
use policies::*;
use requests::*;
use world::*;

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
