//! The embedded service catalogue: a compact, real subset of the seed services (service prefix,
//! a sample of about 25 actions each with the resource type it acts on, resource ARN templates,
//! and typed condition keys), plus the global `aws:` condition keys.
//!
//! The table lives in `catalogue/data.rs`, a fixed sample of [`crate::catalogue`] (the whole
//! embedded reference), kept small so generated inputs stay readable. Property 10
//! (rewriting a wildcard action into the actions it matches) expands patterns against it, so
//! every action the generators put in a request comes from this table.

mod data;

use crate::glob;
pub use data::{GLOBAL_KEYS, SERVICES};

pub use crate::catalogue::KeyType;

/// One service of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The service prefix (`s3`).
    pub prefix: &'static str,
    /// Action names with the index into [`Service::resources`] of the resource type they act
    /// on, or 255 for an action without resource-level permissions (`Resource: "*"`).
    pub actions: &'static [(&'static str, u8)],
    /// Resource types: name and ARN template (`arn:${Partition}:s3:::${BucketName}`).
    pub resources: &'static [(&'static str, &'static str)],
    /// Service-specific condition keys with their types (tag keys keep the `${TagKey}` or
    /// `<key>` placeholder).
    pub keys: &'static [(&'static str, KeyType)],
}

impl Service {
    /// The ARN template of the resource type `action` acts on (`None`: the action takes `*`).
    pub fn resource_of(&self, index: u8) -> Option<&'static str> {
        self.resources.get(usize::from(index)).map(|(_, arn)| *arn)
    }
}

/// The service with this prefix.
pub fn service(prefix: &str) -> Option<&'static Service> {
    SERVICES
        .iter()
        .find(|s| s.prefix.eq_ignore_ascii_case(prefix))
}

/// Every action of the catalogue, `service:Name`.
pub fn all_actions() -> impl Iterator<Item = String> {
    SERVICES.iter().flat_map(|s| {
        s.actions
            .iter()
            .map(move |(name, _)| format!("{}:{name}", s.prefix))
    })
}

/// True when `action` (`service:Name`, any case) is in the catalogue.
pub fn contains_action(action: &str) -> bool {
    let Some((prefix, name)) = action.split_once(':') else {
        return false;
    };
    service(prefix).is_some_and(|s| s.actions.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
}

/// The catalogue actions an action pattern (`s3:Get*`, `*`, `iam:?etRole`) matches, compared
/// case-insensitively as IAM does (semantics §3.3): service, action name and resource type
/// index, without allocating.
pub fn matching(pattern: &str) -> impl Iterator<Item = (&'static Service, &'static str, u8)> + '_ {
    // A pattern with a literal service prefix is matched on the action name alone.
    let literal = pattern
        .split_once(':')
        .filter(|(prefix, _)| !prefix.contains(['*', '?']));
    SERVICES
        .iter()
        .filter(move |s| literal.is_none_or(|(prefix, _)| s.prefix.eq_ignore_ascii_case(prefix)))
        .flat_map(move |s| {
            s.actions.iter().filter_map(move |(name, shape)| {
                let hit = match literal {
                    Some((_, name_pattern)) => glob::action_matches(name_pattern, name),
                    None => glob::action_matches(pattern, &format!("{}:{name}", s.prefix)),
                };
                hit.then_some((s, *name, *shape))
            })
        })
}

/// The catalogue actions an action pattern matches, as `service:Name` (used by property 10).
pub fn actions_matching(pattern: &str) -> Vec<String> {
    matching(pattern)
        .map(|(s, name, _)| format!("{}:{name}", s.prefix))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_every_seed_service_with_real_names() {
        for prefix in [
            "s3",
            "logs",
            "ec2",
            "ecs",
            "ecr",
            "iam",
            "sts",
            "kms",
            "lambda",
            "firehose",
            "dynamodb",
            "sqs",
            "sns",
            "apigateway",
            "cloudformation",
            "events",
            "config",
            "es",
            "elasticache",
            "elasticloadbalancing",
            "batch",
            "iot",
        ] {
            let s = service(prefix).unwrap();
            assert!(!s.actions.is_empty(), "{prefix}");
            for (_, shape) in s.actions {
                assert!(*shape == 255 || usize::from(*shape) < s.resources.len());
            }
        }
        assert!(contains_action("s3:GetObject"));
        assert!(contains_action("S3:getobject"));
        assert!(!contains_action("sts:GetCallerIdentity"));
        assert!(GLOBAL_KEYS
            .iter()
            .any(|(k, t)| *k == "aws:SourceIp" && *t == KeyType::Ip));
    }

    #[test]
    fn is_a_sample_of_the_whole_catalogue() {
        let whole = crate::catalogue::catalogue();
        for s in SERVICES {
            let full = whole.service(s.prefix).unwrap();
            for (name, shape) in s.actions {
                let action = full
                    .action(name)
                    .unwrap_or_else(|| panic!("{}:{name}", s.prefix));
                if let Some(arn) = s.resource_of(*shape) {
                    assert!(
                        full.resource_types.iter().any(|r| r.arn_format == arn),
                        "{}:{name} acts on {arn}",
                        s.prefix
                    );
                    assert!(!action.resource_types.is_empty(), "{}:{name}", s.prefix);
                }
            }
            for (key, ty) in s.keys {
                assert_eq!(whole.key_type(key), Some(*ty), "{key}");
            }
        }
        for (key, ty) in GLOBAL_KEYS {
            assert_eq!(whole.key_type(key), Some(*ty), "{key}");
        }
    }

    #[test]
    fn expands_wildcards_case_insensitively() {
        let got = actions_matching("S3:GetObj*");
        assert!(got.contains(&"s3:GetObject".to_string()), "{got:?}");
        assert!(got.iter().all(|a| a.starts_with("s3:GetObj")));
        assert_eq!(actions_matching("*").len(), all_actions().count());
        assert!(actions_matching("nosuch:*").is_empty());
    }
}
