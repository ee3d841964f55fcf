//! Compiling a scenario world into cases: every principal and resource resolved once, each
//! expectation turned into one case with the features its policies and accounts imply, and
//! every problem of the world reported.

use std::collections::{BTreeMap, HashSet};

use crate::case::{
    Case, CaseError, CaseErrorKind, CaseErrors, Policies, PolicyText, Test, TestRequest,
};
use crate::request::Request;

use super::{named, Expectation, Principal, Scenario};

/// Lowercase words joined by `-`, for case ids.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The caller a principal stands for.
struct Caller {
    /// The principal as the request names it (an ARN, a service, or `*`).
    principal: String,
    /// The caller's account ID, when it has one.
    account: Option<String>,
    /// For a role: the role's ARN (the session's `aws:PrincipalArn`, and the resource when
    /// another principal assumes it).
    role_arn: Option<String>,
}

/// A world's principals and resources, each resolved once: what an expectation refers to. A
/// name that failed to resolve maps to `None` (its problems are already reported).
struct Resolved<'a> {
    /// The caller of each principal.
    callers: BTreeMap<&'a str, Option<Caller>>,
    /// The account ID of each resource.
    resource_accounts: BTreeMap<&'a str, Option<&'a str>>,
}

/// What an expectation's resource resolves to.
struct Target {
    arn: String,
    account: Option<String>,
    policy: Option<PolicyText>,
    rcp: Option<Vec<Vec<PolicyText>>>,
}

impl Scenario {
    /// Parses a scenario from JSON text and compiles it into cases; `file` names the source.
    pub fn compile_json(text: &str, file: &str) -> Result<Vec<Case>, CaseErrors> {
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|e| CaseError::from_json(file, &e))?;
        scenario.compile(file)
    }

    /// Compiles every expectation into a case. Every problem is reported — each bad principal
    /// and resource once, each bad expectation — naming the file, the JSON path of the bad
    /// reference and the names that would have been valid.
    pub fn compile(&self, file: &str) -> Result<Vec<Case>, CaseErrors> {
        let mut problems = Vec::new();
        let resolved = self.resolve(file, &mut problems);
        let mut slugs = HashSet::with_capacity(self.expectations.len());
        let mut cases = Vec::with_capacity(self.expectations.len());
        for (index, expectation) in self.expectations.iter().enumerate() {
            let name = slug(&expectation.name);
            if !slugs.insert(name.clone()) {
                problems.push(CaseError::new(
                    CaseErrorKind::DuplicateName,
                    file,
                    format!("expectations[{index}].name"),
                    format!("duplicate expectation name `{}`", expectation.name),
                ));
                continue;
            }
            let at = |field: &str| format!("expectations[{index}].{field}");
            match self.case(&resolved, expectation, &name, file, &at) {
                Ok(Some(case)) => cases.push(case),
                Ok(None) => {}
                Err(mut found) => problems.append(&mut found),
            }
        }
        CaseErrors::check(problems)?;
        Ok(cases)
    }

    /// Resolves every principal and resource once, reporting each one's problems.
    fn resolve(&self, file: &str, problems: &mut Vec<CaseError>) -> Resolved<'_> {
        let callers = self
            .principals
            .iter()
            .map(|(name, principal)| {
                let caller = self
                    .caller(name, principal, file)
                    .map_err(|mut found| problems.append(&mut found))
                    .ok();
                (name.as_str(), caller)
            })
            .collect();
        let resource_accounts = self
            .resources
            .iter()
            .map(|(name, resource)| {
                let path = format!("resources.{name}.account");
                let account = self
                    .account_id(&resource.account, &path, file)
                    .map_err(|problem| problems.push(problem))
                    .ok();
                (name.as_str(), account)
            })
            .collect();
        Resolved {
            callers,
            resource_accounts,
        }
    }

    fn account_id(&self, name: &str, path: &str, file: &str) -> Result<&str, CaseError> {
        self.accounts
            .get(name)
            .map(|a| a.id.as_str())
            .ok_or_else(|| {
                CaseError::new(
                    CaseErrorKind::BadReference,
                    file,
                    path,
                    format!(
                        "unknown account `{name}` (known: {})",
                        self.accounts.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            })
    }

    /// The caller principal `name` stands for, or every problem of its definition.
    fn caller(&self, name: &str, p: &Principal, file: &str) -> Result<Caller, Vec<CaseError>> {
        let path = format!("principals.{name}");
        let problem =
            |message: String| CaseError::new(CaseErrorKind::BadPrincipal, file, &path, message);
        let mut problems = Vec::new();
        let kinds = [
            p.role.is_some(),
            p.user.is_some(),
            p.root,
            p.service.is_some(),
            p.anonymous,
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            problems.push(problem(
                "a principal is exactly one of `role`, `user`, `root`, `service`, `anonymous`"
                    .into(),
            ));
        }
        let account = match &p.account {
            Some(a) => match self.account_id(a, &format!("{path}.account"), file) {
                Ok(id) => Some(id.to_owned()),
                Err(unknown) => {
                    problems.push(unknown);
                    None
                }
            },
            None => None,
        };
        let iam_path = p.path.as_deref().unwrap_or("/");
        if !(iam_path.starts_with('/') && iam_path.ends_with('/')) {
            problems.push(problem(format!(
                "the path `{iam_path}` must begin and end with `/`"
            )));
        }
        let needs_account = "a role, user or root principal needs `account`";
        if (p.role.is_some() || p.user.is_some() || p.root) && p.account.is_none() {
            problems.push(problem(needs_account.into()));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(service) = &p.service {
            return Ok(Caller {
                principal: service.clone(),
                role_arn: None,
                account,
            });
        }
        if p.anonymous {
            return Ok(Caller {
                principal: "*".into(),
                role_arn: None,
                account: None,
            });
        }
        // A role, a user or the root user, whose account the checks above resolved.
        let Some(acct) = account else {
            return Err(vec![problem(needs_account.into())]);
        };
        Ok(if let Some(role) = &p.role {
            let session = p.session_name.as_deref().unwrap_or("session");
            Caller {
                principal: format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}"),
                role_arn: Some(format!("arn:aws:iam::{acct}:role{iam_path}{role}")),
                account: Some(acct),
            }
        } else if let Some(user) = &p.user {
            Caller {
                principal: format!("arn:aws:iam::{acct}:user{iam_path}{user}"),
                role_arn: None,
                account: Some(acct),
            }
        } else {
            Caller {
                principal: format!("arn:aws:iam::{acct}:root"),
                role_arn: None,
                account: Some(acct),
            }
        })
    }

    /// What an expectation's `resource` names: a resource of the world, a role principal (its
    /// trust policy is the resource policy of `sts:AssumeRole*`), a literal ARN or `*`. `None`
    /// when it names a resource or principal whose problems are already reported.
    fn target(
        &self,
        resolved: &Resolved<'_>,
        expectation: &Expectation,
        file: &str,
        at: &dyn Fn(&str) -> String,
    ) -> Result<Option<Target>, CaseError> {
        let name = expectation.resource.as_str();
        let rcp_of = |account: Option<&String>| {
            account
                .and_then(|a| self.accounts.get(a))
                .and_then(|a| a.rcp.clone())
        };
        if let Some(resource) = self.resources.get(name) {
            let Some(Some(account)) = resolved.resource_accounts.get(name) else {
                return Ok(None);
            };
            return Ok(Some(Target {
                arn: resource.arn.clone(),
                account: Some((*account).to_owned()),
                policy: resource.policy.clone(),
                rcp: rcp_of(Some(&resource.account)),
            }));
        }
        // A world keys users by ARN and the anonymous caller by `*`: such a key as a resource
        // is that ARN, or the resource `*`, a literal.
        let named_principal = self
            .principals
            .get(name)
            .filter(|p| p.role.is_some() || !(name.starts_with("arn:") || name == "*"));
        if let Some(role) = named_principal {
            let Some(Some(caller)) = resolved.callers.get(name) else {
                return Ok(None);
            };
            let arn = caller.role_arn.clone().ok_or_else(|| {
                CaseError::new(
                    CaseErrorKind::BadReference,
                    file,
                    at("resource"),
                    format!("principal `{name}` is not a role, so it is not a resource"),
                )
            })?;
            let assume = expectation
                .action
                .to_ascii_lowercase()
                .starts_with("sts:assumerole");
            return Ok(Some(Target {
                arn,
                account: caller.account.clone(),
                policy: if assume { role.trust.clone() } else { None },
                rcp: rcp_of(role.account.as_ref()),
            }));
        }
        if name == "*" || name.starts_with("arn:") {
            return Ok(Some(Target {
                arn: name.to_owned(),
                account: None,
                policy: None,
                rcp: None,
            }));
        }
        let mut known: Vec<&str> = self.resources.keys().map(String::as_str).collect();
        known.extend(
            self.principals
                .iter()
                .filter(|(_, p)| p.role.is_some())
                .map(|(n, _)| n.as_str()),
        );
        Err(CaseError::new(
            CaseErrorKind::BadReference,
            file,
            at("resource"),
            format!(
                "unknown resource `{name}` (known: {}; or give an ARN or `*`)",
                known.join(", ")
            ),
        ))
    }

    /// The case one expectation compiles into; `None` when it refers to a principal or
    /// resource whose problems are already reported.
    fn case(
        &self,
        resolved: &Resolved<'_>,
        exp: &Expectation,
        name_slug: &str,
        file: &str,
        at: &dyn Fn(&str) -> String,
    ) -> Result<Option<Case>, Vec<CaseError>> {
        let principal = self.principals.get(&exp.principal).ok_or_else(|| {
            CaseError::new(
                CaseErrorKind::BadReference,
                file,
                at("principal"),
                format!(
                    "unknown principal `{}` (known: {})",
                    exp.principal,
                    self.principals
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        });
        let (principal, target) = match (principal, self.target(resolved, exp, file, at)) {
            (Ok(principal), Ok(target)) => (principal, target),
            (principal, target) => {
                return Err([principal.err(), target.err()]
                    .into_iter()
                    .flatten()
                    .collect())
            }
        };
        let (Some(Some(caller)), Some(target)) =
            (resolved.callers.get(exp.principal.as_str()), target)
        else {
            return Ok(None);
        };
        let mut context = exp.context.clone();
        if principal.role.is_some() || principal.user.is_some() {
            for (key, value) in &principal.tags {
                context
                    .entry(format!("aws:PrincipalTag/{key}"))
                    .or_insert_with(|| serde_json::Value::String(value.clone()));
            }
        }
        if let Some(role_arn) = &caller.role_arn {
            context
                .entry("aws:PrincipalArn")
                .or_insert_with(|| serde_json::Value::String(role_arn.clone()));
        }
        let scp = principal
            .account
            .as_ref()
            .and_then(|a| self.accounts.get(a))
            .and_then(|a| a.scp.clone())
            .filter(|_| principal.service.is_none() && !principal.anonymous);
        let non_empty = |v: &Vec<PolicyText>| (!v.is_empty()).then(|| v.clone());
        let mut policies = Policies {
            identity: non_empty(&principal.identity),
            resource: target.policy,
            boundary: principal.boundary.clone(),
            session: non_empty(&principal.session_policies),
            scp,
            rcp: target.rcp,
            aws_managed: Vec::new(),
        };
        named::resolve_policies(
            &mut policies,
            file,
            &format!("principals.{}", exp.principal),
            &format!("resources.{}", exp.resource),
            &principal.aws_managed,
        )?;
        let request = TestRequest {
            principal: caller.principal.clone(),
            principal_account: caller.account.clone(),
            action: exp.action.clone(),
            resource: target.arn,
            resource_account: target.account,
            context,
            session_issuer: None,
        };
        let mut features = vec!["scenario".to_owned()];
        features.extend(exp.features.iter().cloned());
        for derived in derived_features(&policies, &request, principal) {
            if !features.iter().any(|f| f == derived) {
                features.push(derived.to_owned());
            }
        }
        Ok(Some(Case {
            id: format!("scenario/{}/{name_slug}", slug(&self.scenario)),
            description: format!("{} — {}: {}", self.scenario, exp.name, exp.why),
            features,
            source: self.source.clone(),
            policies,
            tests: vec![Test {
                name: exp.name.clone(),
                request,
                expect: exp.expect,
            }],
        }))
    }
}

/// The features a compiled expectation needs whatever its author listed: one per kind of
/// policy it carries (SCP and RCP hierarchies of more than one level add `scp:levels` /
/// `rcp:levels`; a resource policy is a trust or key policy when the reference evaluator reads
/// the request so), `cross-account` when the two accounts differ, and the caller's kind when it
/// is the root user of the resource's account, a service or anonymous. An engine that does not
/// claim one of them then skips the case instead of failing it (docs/design.md §3).
fn derived_features(
    policies: &Policies,
    request: &TestRequest,
    principal: &Principal,
) -> Vec<&'static str> {
    // A request whose context does not convert errors when the case runs; it derives nothing.
    let evaluated = request.to_request().ok();
    let mut features = Vec::new();
    if policies.identity.is_some() {
        features.push("identity");
    }
    if policies.resource.is_some() {
        features.push(match &evaluated {
            Some(r) if r.is_trust_request() => "trust-policy",
            Some(r) if r.is_key_policy_request() => "key-policy",
            _ => "resource-policy",
        });
    }
    if policies.boundary.is_some() {
        features.push("boundary");
    }
    if policies.session.is_some() {
        features.push("session-policy");
    }
    for (levels, name, nested) in [
        (&policies.scp, "scp", "scp:levels"),
        (&policies.rcp, "rcp", "rcp:levels"),
    ] {
        if let Some(levels) = levels.as_ref().filter(|levels| !levels.is_empty()) {
            features.push(name);
            if levels.len() > 1 {
                features.push(nested);
            }
        }
    }
    let cross_account = evaluated.as_ref().is_some_and(Request::is_cross_account);
    if cross_account {
        features.push("cross-account");
    }
    if principal.root && !cross_account {
        features.push("root-user");
    }
    if principal.service.is_some() {
        features.push("service-principal");
    }
    if principal.anonymous {
        features.push("anonymous");
    }
    features
}
