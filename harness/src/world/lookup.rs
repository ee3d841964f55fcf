//! Naming principals and resources of a world the way a request names them: a role or user by
//! its ARN, a role session by its `assumed-role` ARN, the root user by `…:root` or the account
//! ID, a service principal by name, an anonymous caller by `*`, an object by its ARN under a
//! bucket of the world (semantics §9.5). A principal outside the world is added with no policies of its own (a
//! caller from another account, a service), so resource policies still decide for it.

use crate::arn::Arn;
use crate::scenario::{Principal, Resource};

use super::World;

/// Why a principal cannot be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Neither a key of the world, an IAM or STS ARN of a principal, a service, `*` nor an
    /// account ID.
    #[error("`{0}` names no principal: give a role, user or root ARN, an assumed-role ARN, a service principal (`config.amazonaws.com`), an account ID or `*`")]
    NotAPrincipal(String),
}

/// What an expectation's resource resolves to in a world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A key of the world's resources or role principals.
    Key(String),
    /// An ARN (or `*`) the world does not hold: no resource policy applies.
    Literal(String),
}

impl Target {
    /// The text an expectation's `resource` field takes for this target.
    pub fn as_str(&self) -> &str {
        match self {
            Target::Key(k) | Target::Literal(k) => k,
        }
    }
}

impl World {
    /// The key of the principal `name` names, adding it to the world when it is a caller the
    /// world does not hold (a role or user of another account, a service, the root user).
    pub fn principal_key(&mut self, name: &str) -> Result<String, LookupError> {
        if self.scenario.principals.contains_key(name) {
            return Ok(name.to_owned());
        }
        if let Some(role) = self.role_by_arn(name) {
            return Ok(role);
        }
        let not_a_principal = || LookupError::NotAPrincipal(name.to_owned());
        let principal = if name == "*" {
            Principal {
                anonymous: true,
                ..Principal::default()
            }
        } else if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) {
            root(name)
        } else if let Ok(arn) = Arn::parse(name) {
            match self.principal_of_arn(&arn) {
                Some(Ok(key)) => return Ok(key),
                Some(Err(principal)) => principal,
                None => return Err(not_a_principal()),
            }
        } else if name.contains('.') && !name.contains([':', '/', ' ']) {
            Principal {
                service: Some(name.to_owned()),
                ..Principal::default()
            }
        } else {
            return Err(not_a_principal());
        };
        let mut principal = principal;
        if let Some(id) = principal.account.take() {
            principal.account = Some(self.account_key(&id));
        }
        self.scenario.principals.insert(name.to_owned(), principal);
        Ok(name.to_owned())
    }

    /// For an IAM or STS principal ARN: `Ok(key)` of the world principal it names (a session of
    /// a world role is added as a principal of its own), or `Err(principal)` to add under the
    /// ARN; `None` when the ARN names no principal.
    fn principal_of_arn(&mut self, arn: &Arn<'_>) -> Option<Result<String, Principal>> {
        let account = arn.account.to_owned();
        match (arn.service, arn.resource.split_once('/')) {
            ("iam", None) if arn.resource == "root" => Some(Err(root(&account))),
            ("iam", Some(("role" | "user", rest))) => {
                let (path, name) = path_and_name(rest);
                let mut principal = Principal {
                    account: Some(account),
                    path: Some(path),
                    ..Principal::default()
                };
                if arn.resource.starts_with("role/") {
                    principal.role = Some(name.to_owned());
                } else {
                    principal.user = Some(name.to_owned());
                }
                Some(Err(principal))
            }
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/')?;
                let role_key = self
                    .scenario
                    .principals
                    .iter()
                    .find(|(_, p)| {
                        p.role.as_deref() == Some(role)
                            && p.account
                                .as_ref()
                                .and_then(|a| self.scenario.accounts.get(a))
                                .is_some_and(|a| a.id == arn.account)
                    })
                    .map(|(k, _)| k.clone());
                let key = format!("arn:aws:sts::{account}:assumed-role/{rest}");
                let found = role_key
                    .as_ref()
                    .and_then(|k| self.scenario.principals.get(k));
                let mut principal = match found {
                    Some(p) => p.clone(),
                    None => Principal {
                        account: Some(self.account_key(&account)),
                        role: Some(role.to_owned()),
                        ..Principal::default()
                    },
                };
                principal.session_name = Some(session.to_owned());
                if let Some(role_key) = role_key {
                    let copied: Vec<_> = self
                        .origins
                        .range(format!("{role_key}#")..format!("{role_key}$"))
                        .map(|(k, v)| (k.replacen(&role_key, &key, 1), v.clone()))
                        .collect();
                    self.origins.extend(copied);
                }
                self.scenario.principals.insert(key.clone(), principal);
                Some(Ok(key))
            }
            _ => None,
        }
    }

    /// The target an expectation's resource names: a resource or role of the world by ARN or
    /// key, an S3 object under a bucket of the world (added, with the bucket's policy and
    /// account), or a literal ARN.
    pub fn target(&mut self, arn: &str) -> Target {
        if self.scenario.resources.contains_key(arn)
            || self
                .scenario
                .principals
                .get(arn)
                .is_some_and(|p| p.role.is_some())
        {
            return Target::Key(arn.to_owned());
        }
        if let Some(role) = self.role_by_arn(arn) {
            return Target::Key(role);
        }
        if let Some((bucket, _key)) = arn
            .strip_prefix("arn:aws:s3:::")
            .and_then(|rest| rest.split_once('/'))
        {
            let bucket_arn = format!("arn:aws:s3:::{bucket}");
            if let Some(found) = self.scenario.resources.get(&bucket_arn).cloned() {
                if let Some(origin) = self
                    .origins
                    .get(&World::origin_key(&bucket_arn, "policy"))
                    .cloned()
                {
                    self.origins
                        .insert(World::origin_key(arn, "policy"), origin);
                }
                self.scenario.resources.insert(
                    arn.to_owned(),
                    Resource {
                        account: found.account,
                        arn: arn.to_owned(),
                        policy: found.policy,
                    },
                );
                return Target::Key(arn.to_owned());
            }
        }
        Target::Literal(arn.to_owned())
    }

    /// The key of the account with this ID (a scenario world names its accounts), created when
    /// the world has none.
    pub fn account_key(&mut self, id: &str) -> String {
        match self.scenario.accounts.iter().find(|(_, a)| a.id == id) {
            Some((key, _)) => key.clone(),
            None => {
                self.account(id);
                id.to_owned()
            }
        }
    }

    /// The key of the world role whose ARN is `arn` (scenario worlds key roles by name).
    fn role_by_arn(&self, arn: &str) -> Option<String> {
        let parsed = Arn::parse(arn).ok()?;
        let rest = parsed.resource.strip_prefix("role/")?;
        let (path, name) = path_and_name(rest);
        self.scenario
            .principals
            .iter()
            .find(|(_, p)| {
                p.role.as_deref() == Some(name)
                    && p.path.as_deref().unwrap_or("/") == path
                    && p.account
                        .as_ref()
                        .and_then(|a| self.scenario.accounts.get(a))
                        .is_some_and(|a| a.id == parsed.account)
            })
            .map(|(k, _)| k.clone())
    }
}

/// The IAM path and the name of what follows `role/` or `user/` in an ARN:
/// `svc/app` is (`/svc/`, `app`), `app` is (`/`, `app`).
fn path_and_name(rest: &str) -> (String, &str) {
    match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), rest),
    }
}

/// The root user of an account.
fn root(account: &str) -> Principal {
    Principal {
        account: Some(account.to_owned()),
        root: true,
        ..Principal::default()
    }
}
