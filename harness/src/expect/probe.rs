//! The requests an `at-most` rule makes: every catalogue action the principal's policies may
//! allow and the rule does not, each on concrete resources. A request on `*` holds the value `*`
//! (semantics §8.6), which `Resource: arn:aws:s3:::b/*` does not match, so the probes are ARNs:
//! one per resource type of the action, built from the catalogue's ARN format with the
//! principal's account and the region; each resource of the world of that type; and each
//! `Resource` pattern of the principal's own `Allow` statements made concrete (`role/app-*` →
//! `role/app-iam-harness-probe`). An action that acts on no resource type is asked on `*`.

use crate::catalogue::{catalogue, Action, Service};
use crate::glob::{matches, CaseSensitivity};

/// The text put for each `${…}` placeholder and wildcard of a probe ARN.
const FILL: &str = "iam-harness-probe";

/// A resource type's ARN format as a pattern (`arn:${Partition}:s3:::${BucketName}` →
/// `arn:*:s3:::*`).
pub fn format_pattern(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        out.push('*');
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A concrete ARN of a resource type's format.
pub fn concrete(format: &str, account: &str, region: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        let name = after.get(2..end.saturating_sub(1)).unwrap_or_default();
        out.push_str(match name {
            "Partition" => "aws",
            "Region" => region,
            "Account" => account,
            _ => FILL,
        });
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A `Resource` pattern made concrete: each variable and wildcard filled; `None` for `*` and
/// other non-ARNs.
pub fn instantiate(pattern: &str, user: Option<&str>) -> Option<String> {
    if !pattern.starts_with("arn:") {
        return None;
    }
    let mut text = pattern.to_owned();
    if let Some(user) = user {
        text = text.replace("${aws:username}", user);
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        out.push_str(FILL);
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    Some(out.replace('*', FILL).replace('?', "x"))
}

/// The resources to ask `action` on: `*` when it acts on no resource type; else per type its
/// concrete ARN, and each of `known` (world resources, concrete patterns) of that type.
pub fn resources_for(
    service: &Service,
    action: &Action,
    account: &str,
    region: &str,
    known: &[String],
) -> Vec<String> {
    if action.resource_types.is_empty() {
        return vec!["*".to_owned()];
    }
    let mut out: Vec<String> = Vec::new();
    for wanted in &action.resource_types {
        let Some(kind) = service.resource_type(&wanted.name) else {
            continue;
        };
        let pattern = format_pattern(&kind.arn_format);
        let mut push = |arn: String| {
            if !out.contains(&arn) {
                out.push(arn);
            }
        };
        push(concrete(&kind.arn_format, account, region));
        for arn in known {
            if matches(&pattern, arn, CaseSensitivity::Sensitive) {
                push(arn.clone());
            }
        }
    }
    if out.is_empty() {
        out.push("*".to_owned());
    }
    out
}

/// Every catalogue action `allowed` may match and `permitted` (the rule's patterns) does not,
/// as `service:Name` with its service and action.
pub fn candidate_actions<'a>(
    allowed: Option<&'a [String]>,
    permitted: &'a [String],
) -> impl Iterator<Item = (String, &'static Service, &'static Action)> + 'a {
    catalogue().actions().filter_map(move |(service, action)| {
        let name = format!("{}:{}", service.prefix, action.name);
        let may = allowed.is_none_or(|patterns| {
            patterns.iter().any(|p| crate::glob::action_matches(p, &name))
        });
        let permitted = permitted.iter().any(|p| crate::glob::action_matches(p, &name));
        (may && !permitted).then_some((name, service, action))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_become_patterns_and_concrete_arns() {
        let format = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(format_pattern(format), "arn:*:s3:::*/*");
        assert_eq!(
            concrete("arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}", "111122223333", "eu-west-1"),
            "arn:aws:logs:eu-west-1:111122223333:log-group:iam-harness-probe"
        );
        assert_eq!(
            instantiate("arn:aws:iam::111122223333:role/app-*", None).as_deref(),
            Some("arn:aws:iam::111122223333:role/app-iam-harness-probe")
        );
        assert_eq!(
            instantiate("arn:aws:s3:::home/${aws:username}/*", Some("deploy")).as_deref(),
            Some("arn:aws:s3:::home/deploy/iam-harness-probe")
        );
        assert_eq!(instantiate("*", None), None);
    }

    #[test]
    fn an_object_action_is_probed_on_an_object_arn() {
        let (service, action) = catalogue().action("s3:PutObject").unwrap();
        let found = resources_for(service, action, "111122223333", "us-east-1", &["arn:aws:s3:::b/k".into()]);
        assert!(found.contains(&"arn:aws:s3:::iam-harness-probe/iam-harness-probe".to_owned()), "{found:?}");
        assert!(found.contains(&"arn:aws:s3:::b/k".to_owned()), "{found:?}");
        let (service, action) = catalogue().action("s3:ListAllMyBuckets").unwrap();
        assert_eq!(resources_for(service, action, "1", "r", &[]), ["*"]);
    }
}
