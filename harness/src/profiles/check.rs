//! Checking one role of a world against a [`Profile`]: the needs become expectations of a
//! probe copy of the world (compiled by [`Scenario::compile`], so SCPs, boundaries and paths
//! apply exactly as for any scenario), decided by the reference evaluator; then every action
//! of the catalogue the role allows beyond its needs and tolerances is excess.

use std::collections::HashSet;

use crate::case::{CaseErrors, RequestError};
use crate::catalogue::catalogue;
use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::scenario::{Account, Expectation, Principal, Scenario};

use super::Profile;

/// The account the probe uses for a foreign caller and a foreign confused-deputy source.
const FOREIGN_ACCOUNT: &str = "999999999999";
/// Names the probe adds to the world (a world's own names never start with `~`).
const FOREIGN: &str = "~profile-foreign";
const SERVICE: &str = "~profile-service";
const OTHER_SERVICE: &str = "~profile-other-service";
const FOREIGN_ROOT: &str = "~profile-foreign-root";

/// Why a profile could not be checked against a role.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The name is not a role principal of the world.
    #[error("`{role}` is not a role of the world (roles: {known})")]
    NotARole {
        /// The name asked for.
        role: String,
        /// The world's role principals, comma-separated.
        known: String,
    },
    /// The probe world did not compile (a bad policy or reference in the world).
    #[error("{0}")]
    World(CaseErrors),
    /// A policy of the world did not parse.
    #[error("{file}: policies of role `{role}`: {}", errors.join("; "))]
    Policy {
        /// The world's file.
        file: String,
        /// The role.
        role: String,
        /// Each problem.
        errors: Vec<String>,
    },
    /// A context value of the profile cannot be a condition value.
    #[error("profile context: {0}")]
    Context(#[from] RequestError),
}

/// A needed action the role is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGrant {
    /// The action.
    pub action: String,
    /// The resource it was asked on.
    pub resource: String,
    /// What the reference evaluator decided instead of `allow`.
    pub decision: Decision,
    /// What fails in the service without it.
    pub fails: String,
}

/// A problem of the role's trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustProblem {
    /// The profile's service cannot assume the role.
    ServiceCannotAssume {
        /// The service principal.
        service: String,
        /// The decision.
        decision: Decision,
    },
    /// The service may assume the role on behalf of another account: the trust lacks the
    /// confused-deputy condition AWS recommends (these keys).
    NoConfusedDeputyCondition {
        /// The recommended keys.
        keys: Vec<String>,
    },
    /// A principal other than the profile's service may assume the role.
    OtherPrincipal {
        /// That principal.
        principal: String,
    },
}

impl std::fmt::Display for TrustProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrustProblem::ServiceCannotAssume { service, decision } => write!(
                f,
                "{service} cannot assume the role (sts:AssumeRole: {})",
                decision.as_str()
            ),
            TrustProblem::NoConfusedDeputyCondition { keys } => write!(
                f,
                "the service may assume the role for another account: the trust policy lacks a confused-deputy condition on {}",
                keys.join(", ")
            ),
            TrustProblem::OtherPrincipal { principal } => {
                write!(f, "over-broad trust: {principal} may assume the role")
            }
        }
    }
}

/// The result of checking a role against a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileReport {
    /// The profile's name.
    pub profile: String,
    /// The role's name in the world.
    pub role: String,
    /// Needed actions not allowed.
    pub missing: Vec<MissingGrant>,
    /// Trust-policy problems.
    pub trust: Vec<TrustProblem>,
    /// Catalogue actions allowed on `*` that the profile neither needs nor tolerates.
    pub excess: Vec<String>,
}

impl ProfileReport {
    /// True when the role grants what the service needs, trusts only the service (with the
    /// confused-deputy condition where recommended) and allows nothing more.
    pub fn holds(&self) -> bool {
        self.missing.is_empty() && self.trust.is_empty() && self.excess.is_empty()
    }
}

/// What a probe expectation tests.
enum Probe {
    Need { fails: String },
    ServiceAssumes,
    ForeignSource,
    Other(String),
}

impl Profile {
    /// Checks the role principal `role` of `world` (read from `file`, for messages) against
    /// this profile.
    pub fn check(
        &self,
        world: &Scenario,
        role: &str,
        file: &str,
    ) -> Result<ProfileReport, ProfileError> {
        let principal = world
            .principals
            .get(role)
            .filter(|p| p.role.is_some())
            .ok_or_else(|| ProfileError::NotARole {
                role: role.to_string(),
                known: world
                    .principals
                    .iter()
                    .filter(|(_, p)| p.role.is_some())
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let account = principal
            .account
            .as_ref()
            .and_then(|a| world.accounts.get(a))
            .map_or(String::new(), |a| a.id.clone());
        let (probe, probes) = self.probe_world(world, role, &account);
        let cases = probe.compile(file).map_err(ProfileError::World)?;
        let evaluator = ReferenceEvaluator::new();
        let mut report = ProfileReport {
            profile: self.profile.clone(),
            role: role.to_string(),
            missing: Vec::new(),
            trust: Vec::new(),
            excess: Vec::new(),
        };
        let mut identity_side = None;
        for (case, (expectation, kind)) in cases.iter().zip(probe.expectations.iter().zip(probes)) {
            let set = case.policy_set().map_err(|errors| ProfileError::Policy {
                file: file.to_string(),
                role: role.to_string(),
                errors,
            })?;
            let Some(test) = case.tests.first() else {
                continue;
            };
            let decision = evaluator.decide(&set, &test.request.to_request()?);
            let allowed = decision == Decision::Allow;
            match kind {
                Probe::Need { fails } => {
                    // A need without a resource asks whether the role can act on *some*
                    // resource: the request's `*` is a value (semantics §8.6), so the world's
                    // own resources are asked too.
                    let on_some_resource = || {
                        world.resources.values().any(|resource| {
                            let mut asked = test.request.clone();
                            asked.resource.clone_from(&resource.arn);
                            asked.resource_account = None;
                            asked
                                .to_request()
                                .is_ok_and(|r| evaluator.decide(&set, &r) == Decision::Allow)
                        })
                    };
                    let allowed = allowed || (expectation.resource == "*" && on_some_resource());
                    if !allowed {
                        report.missing.push(MissingGrant {
                            action: expectation.action.clone(),
                            resource: expectation.resource.clone(),
                            decision,
                            fails,
                        });
                    }
                    if identity_side.is_none() {
                        identity_side = Some((set, test.request.clone()));
                    }
                }
                Probe::ServiceAssumes if !allowed => {
                    report.trust.push(TrustProblem::ServiceCannotAssume {
                        service: self.service.clone(),
                        decision,
                    });
                }
                Probe::ForeignSource if allowed => {
                    report.trust.push(TrustProblem::NoConfusedDeputyCondition {
                        keys: self.confused_deputy.keys().cloned().collect(),
                    });
                }
                Probe::Other(principal) if allowed => {
                    report
                        .trust
                        .push(TrustProblem::OtherPrincipal { principal });
                }
                _ => {}
            }
        }
        if let Some((set, mut request)) = identity_side {
            let known: HashSet<String> = self
                .needed_actions()
                .map(str::to_ascii_lowercase)
                .chain(self.tolerates.iter().flat_map(|pattern| {
                    catalogue()
                        .matching(pattern)
                        .map(|(s, a)| format!("{}:{}", s.prefix, a.name).to_ascii_lowercase())
                }))
                .collect();
            request.resource = "*".to_string();
            // What the caller may do with no policy of its own (semantics §8: fixed service
            // rules such as sts:GetCallerIdentity) is not the role's excess.
            let mut bare = set.clone();
            bare.identity.clear();
            bare.session.clear();
            for (service, action) in catalogue().actions() {
                let name = format!("{}:{}", service.prefix, action.name);
                if known.contains(&name.to_ascii_lowercase()) {
                    continue;
                }
                request.action.clone_from(&name);
                let asked = request.to_request()?;
                if evaluator.decide(&set, &asked) == Decision::Allow
                    && evaluator.decide(&bare, &asked) != Decision::Allow
                {
                    report.excess.push(name);
                }
            }
        }
        Ok(report)
    }

    /// A copy of `world` whose expectations are this profile's probes of `role`, with the
    /// principals the trust probes need.
    fn probe_world(&self, world: &Scenario, role: &str, account: &str) -> (Scenario, Vec<Probe>) {
        let mut probe = world.clone();
        probe.expectations.clear();
        probe.accounts.insert(
            FOREIGN.to_string(),
            Account {
                id: FOREIGN_ACCOUNT.to_string(),
                scp: None,
                rcp: None,
            },
        );
        let other_service = if self.service == "ec2.amazonaws.com" {
            "lambda.amazonaws.com"
        } else {
            "ec2.amazonaws.com"
        };
        let service = |name: &str| Principal {
            service: Some(name.to_string()),
            ..Principal::default()
        };
        probe
            .principals
            .insert(SERVICE.to_string(), service(&self.service));
        probe
            .principals
            .insert(OTHER_SERVICE.to_string(), service(other_service));
        probe.principals.insert(
            FOREIGN_ROOT.to_string(),
            Principal {
                account: Some(FOREIGN.to_string()),
                root: true,
                ..Principal::default()
            },
        );
        let mut probes = Vec::new();
        let mut add = |principal: &str,
                       action: &str,
                       resource: String,
                       context: serde_json::Map<String, serde_json::Value>,
                       kind: Probe| {
            probe.expectations.push(Expectation {
                name: format!("probe {} {principal} {action}", probes.len()),
                principal: principal.to_string(),
                action: action.to_string(),
                resource,
                context,
                expect: Decision::Allow,
                why: self.description.clone(),
                features: Vec::new(),
            });
            probes.push(kind);
        };
        for need in &self.needs {
            let resource = need
                .resource
                .as_deref()
                .map_or("*".to_string(), |r| r.replace("${account}", account));
            for action in &need.actions {
                add(
                    role,
                    action,
                    resource.clone(),
                    serde_json::Map::new(),
                    Probe::Need {
                        fails: need.fails.clone(),
                    },
                );
            }
        }
        let assume = "sts:AssumeRole";
        add(
            SERVICE,
            assume,
            role.to_string(),
            self.deputy_context(account),
            Probe::ServiceAssumes,
        );
        if !self.confused_deputy.is_empty() {
            add(
                SERVICE,
                assume,
                role.to_string(),
                self.deputy_context(FOREIGN_ACCOUNT),
                Probe::ForeignSource,
            );
        }
        add(
            OTHER_SERVICE,
            assume,
            role.to_string(),
            serde_json::Map::new(),
            Probe::Other(other_service.to_string()),
        );
        add(
            FOREIGN_ROOT,
            assume,
            role.to_string(),
            serde_json::Map::new(),
            Probe::Other(format!("arn:aws:iam::{FOREIGN_ACCOUNT}:root")),
        );
        (probe, probes)
    }

    /// The context the service sends when it assumes the role from `account`: the
    /// confused-deputy keys and the others it sends, with their values for `account`.
    fn deputy_context(&self, account: &str) -> serde_json::Map<String, serde_json::Value> {
        self.sends
            .iter()
            .chain(&self.confused_deputy)
            .map(|(key, value)| {
                let value = match value {
                    serde_json::Value::String(s) => {
                        serde_json::Value::String(s.replace("${account}", account))
                    }
                    other => other.clone(),
                };
                (key.clone(), value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::profile;
    use super::*;

    fn world(file: &str) -> Scenario {
        let path = format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn check(world: &Scenario, role: &str, name: &str) -> ProfileReport {
        profile(name).unwrap().check(world, role, "w.json").unwrap()
    }

    /// Each scenario's service role meets its profile: every need granted, the trust admits
    /// the service (with the confused-deputy keys where the profile has them) and no one else.
    #[test]
    fn scenario_roles_agree_with_their_profiles() {
        let pairs = [
            ("vpc-flow-logs.json", "flow-logs-role", "vpc-flow-logs"),
            (
                "kinesis-firehose-s3.json",
                "s3-delivery-role",
                "firehose-s3",
            ),
            (
                "ecs-fargate-task-roles.json",
                "execution-role",
                "ecs-task-execution",
            ),
            (
                "ecs-on-ec2.json",
                "ecs-instance-role",
                "ecs-container-instance",
            ),
            ("lambda-execution-roles.json", "basic-role", "lambda-basic"),
            ("lambda-execution-roles.json", "vpc-role", "lambda-vpc"),
            (
                "api-gateway-cloudwatch-logs.json",
                "logs-role",
                "api-gateway-logging",
            ),
            (
                "cloudwatch-agent-instance-role.json",
                "agent-server-role",
                "cloudwatch-agent",
            ),
            (
                "ec2-s3-readonly.json",
                "download-server",
                "ec2-s3-read-only",
            ),
        ];
        for (file, role, name) in pairs {
            let report = check(&world(file), role, name);
            assert!(
                report.missing.is_empty(),
                "{file} {role}: {:?}",
                report.missing
            );
            assert!(report.trust.is_empty(), "{file} {role}: {:?}", report.trust);
            if name == "ec2-s3-read-only" {
                // The scenario grants s3:Get* and s3:List*: a real widening the check reports.
                assert!(!report.excess.is_empty());
                let widened = |a: &String| a.starts_with("s3:Get") || a.starts_with("s3:List");
                assert!(report.excess.iter().all(widened), "{:?}", report.excess);
            } else {
                assert!(
                    report.excess.is_empty(),
                    "{file} {role}: {:?}",
                    report.excess
                );
            }
        }
    }

    #[test]
    fn a_widened_role_with_a_loose_trust_fails_each_way() {
        let mut w = world("vpc-flow-logs.json");
        let role = w.principals.get_mut("flow-logs-role").unwrap();
        role.identity = vec![crate::case::policy_from_value(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Resource": "*",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                           "logs:DescribeLogStreams", "dynamodb:*"]}]
        }))];
        role.trust = Some(crate::case::policy_from_value(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com",
                              "AWS": "arn:aws:iam::999999999999:root"}}]
        })));
        let report = check(&w, "flow-logs-role", "vpc-flow-logs");
        assert!(!report.holds());
        assert_eq!(report.missing.len(), 1, "{:?}", report.missing);
        assert_eq!(report.missing[0].action, "logs:PutLogEvents");
        assert_eq!(report.missing[0].decision, Decision::ImplicitDeny);
        assert!(report.excess.iter().any(|a| a == "dynamodb:GetItem"));
        assert_eq!(
            report.excess.len(),
            catalogue().matching("dynamodb:*").count(),
            "{:?}",
            report.excess
        );
        assert_eq!(
            report.trust,
            [
                TrustProblem::NoConfusedDeputyCondition {
                    keys: vec!["aws:SourceAccount".into(), "aws:SourceArn".into()]
                },
                TrustProblem::OtherPrincipal {
                    principal: "arn:aws:iam::999999999999:root".into()
                },
            ]
        );
    }

    #[test]
    fn a_name_that_is_not_a_role_is_an_error() {
        let w = world("vpc-flow-logs.json");
        let e = profile("vpc-flow-logs")
            .unwrap()
            .check(&w, "nobody", "w.json")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`nobody` is not a role of the world (roles: flow-logs-role)"
        );
    }
}
