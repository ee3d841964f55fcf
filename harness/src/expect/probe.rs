//! The requests an `at-most` rule makes: every catalogue action the principal's policies may
//! allow and the rule does not, each on concrete resources. A request on `*` holds the value `*`
//! (semantics §8.6), which `Resource: arn:aws:s3:::b/*` does not match, so the probes are ARNs:
//! one per resource type of the action, built from the catalogue's ARN format with the
//! principal's account and the region; each resource of the world of that type; and each
//! `Resource` pattern of the principal's own `Allow` statements met with each resource type's
//! format (`log-group:/ecs/app:*` and `log-group:*:log-stream:*` meet in
//! `log-group:/ecs/app::log-stream:`). An action that acts on no resource type is asked on `*`.

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

/// A `Resource` pattern with its variables filled (`${aws:username}` by the user's name, any
/// other by a probe name) and its wildcards kept; `None` for `*` and other non-ARNs.
pub fn fill_variables(pattern: &str, user: Option<&str>) -> Option<String> {
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
    Some(out)
}

/// One element of a wildcard pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    One,
    Star,
}

fn tokens(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// The position after `pattern[at]` consumes `c`, if it can.
fn step(pattern: &[Tok], at: usize, c: char) -> Option<usize> {
    match pattern.get(at)? {
        Tok::Star => Some(at),
        Tok::One => Some(at + 1),
        Tok::Lit(x) if *x == c => Some(at + 1),
        Tok::Lit(_) => None,
    }
}

/// A text both wildcard patterns match (`*` any run, `?` one character, case-sensitive), found
/// by a breadth-first walk of their product; `None` when they share none.
pub fn intersect(a: &str, b: &str) -> Option<String> {
    let (a, b) = (tokens(a), tokens(b));
    let width = b.len() + 1;
    let mut previous: Vec<Option<(usize, Option<char>)>> = vec![None; (a.len() + 1) * width];
    let mut queue = std::collections::VecDeque::from([0usize]);
    let mut seen = vec![false; previous.len()];
    *seen.first_mut()? = true;
    while let Some(state) = queue.pop_front() {
        let (i, j) = (state / width, state % width);
        if i == a.len() && j == b.len() {
            let mut text = Vec::new();
            let mut at = state;
            while let Some(Some((from, c))) = previous.get(at) {
                text.extend(*c);
                at = *from;
            }
            return Some(text.into_iter().rev().collect());
        }
        let mut next = Vec::new();
        if a.get(i) == Some(&Tok::Star) {
            next.push(((i + 1) * width + j, None));
        }
        if b.get(j) == Some(&Tok::Star) {
            next.push((i * width + j + 1, None));
        }
        let mut chars = vec!['x'];
        for t in [a.get(i), b.get(j)].into_iter().flatten() {
            if let Tok::Lit(c) = t {
                chars.push(*c);
            }
        }
        for c in chars {
            if let (Some(ni), Some(nj)) = (step(&a, i, c), step(&b, j, c)) {
                next.push((ni * width + nj, Some(c)));
            }
        }
        for (to, c) in next {
            if let Some(flag) = seen.get_mut(to) {
                if !*flag {
                    *flag = true;
                    if let Some(slot) = previous.get_mut(to) {
                        *slot = Some((state, c));
                    }
                    queue.push_back(to);
                }
            }
        }
    }
    None
}

/// False when both ARN patterns name their service literally and the services differ.
fn same_service_part(a: &str, b: &str) -> bool {
    match (a.split(':').nth(2), b.split(':').nth(2)) {
        (Some(x), Some(y)) if !x.contains(['*', '?']) && !y.contains(['*', '?']) => x == y,
        _ => true,
    }
}

/// True when each of the first five `:`-separated parts of `arn` (partition, service, region,
/// account) matches the same part of `pattern`: a witness of two patterns is an ARN of the
/// pattern's type, not one whose parts slid across colons.
fn same_shape(pattern: &str, arn: &str) -> bool {
    let (p, a): (Vec<&str>, Vec<&str>) = (
        pattern.splitn(6, ':').collect(),
        arn.splitn(6, ':').collect(),
    );
    p.len() == 6
        && a.len() == 6
        && p.iter()
            .zip(&a)
            .take(5)
            .all(|(p, a)| matches(p, a, CaseSensitivity::Sensitive))
}

/// Where a resource type's pattern and a granted pattern meet, by the pair: remembered, since
/// many actions share a resource type.
pub type Meetings = std::collections::HashMap<(String, String), Option<String>>;

/// The resources to ask `action` on: `*` when it acts on no resource type; else per type its
/// concrete ARN, each of `known` (world resources) of that type, and for each of `patterns`
/// (the principal's `Resource` patterns) an ARN of that type it matches.
pub fn resources_for(
    service: &Service,
    action: &Action,
    account: &str,
    region: &str,
    known: &[String],
    patterns: &[String],
    met: &mut Meetings,
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
        for granted in patterns.iter().filter(|g| same_service_part(&pattern, g)) {
            let meeting = met
                .entry((pattern.clone(), granted.clone()))
                .or_insert_with(|| {
                    intersect(&pattern, granted).filter(|a| same_shape(&pattern, a))
                });
            if let Some(arn) = meeting.clone() {
                push(arn);
            }
        }
    }
    if out.is_empty() {
        out.push("*".to_owned());
    }
    out
}

/// Every catalogue action `allowed` may match (`None`: any) and `permitted` (the rule's
/// patterns) does not, as `service:Name` with its service and action, in catalogue order.
pub fn candidate_actions(
    allowed: Option<&[String]>,
    permitted: &[String],
) -> Vec<(String, &'static Service, &'static Action)> {
    let name = |s: &Service, a: &Action| format!("{}:{}", s.prefix, a.name);
    let mut found: Vec<(String, &'static Service, &'static Action)> = match allowed {
        None => catalogue()
            .actions()
            .map(|(s, a)| (name(s, a), s, a))
            .collect(),
        Some(patterns) => {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for pattern in patterns {
                let services: Vec<&'static Service> = match pattern.split_once(':') {
                    Some((prefix, _)) if !prefix.contains(['*', '?']) => {
                        catalogue().service(prefix).into_iter().collect()
                    }
                    _ => catalogue().services.iter().collect(),
                };
                for service in services {
                    for action in &service.actions {
                        let full = name(service, action);
                        if crate::glob::action_matches(pattern, &full) && seen.insert(full.clone())
                        {
                            out.push((full, service, action));
                        }
                    }
                }
            }
            out
        }
    };
    found.retain(|(full, _, _)| {
        !permitted
            .iter()
            .any(|p| crate::glob::action_matches(p, full))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_become_patterns_and_concrete_arns() {
        let format = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(format_pattern(format), "arn:*:s3:::*/*");
        assert_eq!(
            concrete(
                "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
                "111122223333",
                "eu-west-1"
            ),
            "arn:aws:logs:eu-west-1:111122223333:log-group:iam-harness-probe"
        );
        assert_eq!(
            fill_variables(
                "arn:aws:s3:::home/${aws:username}/${aws:userid}*",
                Some("deploy")
            )
            .as_deref(),
            Some("arn:aws:s3:::home/deploy/iam-harness-probe*")
        );
        assert_eq!(fill_variables("*", None), None);
    }

    #[test]
    fn two_patterns_meet_in_a_text_both_match() {
        let both = intersect("arn:*:s3:::*/*", "arn:aws:s3:::b/*").unwrap();
        assert!(
            matches("arn:*:s3:::*/*", &both, CaseSensitivity::Sensitive),
            "{both}"
        );
        assert!(
            matches("arn:aws:s3:::b/*", &both, CaseSensitivity::Sensitive),
            "{both}"
        );
        assert_eq!(intersect("arn:*:s3:::*", "arn:aws:iam::x"), None);
        let slid = intersect("arn:*:s3:::*", "arn:aws:iam::*").unwrap();
        assert!(!same_shape("arn:*:s3:::*", &slid), "{slid} is no S3 ARN");
        assert_eq!(intersect("a?c", "*b*").as_deref(), Some("abc"));
    }

    #[test]
    fn an_object_action_is_probed_on_an_object_arn() {
        let (service, action) = catalogue().action("s3:PutObject").unwrap();
        let found = resources_for(
            service,
            action,
            "111122223333",
            "us-east-1",
            &["arn:aws:s3:::b/k".into()],
            &[],
            &mut Meetings::new(),
        );
        assert!(
            found.contains(&"arn:aws:s3:::iam-harness-probe/iam-harness-probe".to_owned()),
            "{found:?}"
        );
        assert!(found.contains(&"arn:aws:s3:::b/k".to_owned()), "{found:?}");
        let (service, action) = catalogue().action("s3:ListAllMyBuckets").unwrap();
        assert_eq!(
            resources_for(service, action, "1", "r", &[], &[], &mut Meetings::new()),
            ["*"]
        );
        let (service, action) = catalogue().action("logs:PutLogEvents").unwrap();
        let granted = ["arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app-api:*".to_owned()];
        let found = resources_for(
            service,
            action,
            "111122223333",
            "us-east-1",
            &[],
            &granted,
            &mut Meetings::new(),
        );
        assert!(
            found.iter().any(|r| r
                .starts_with("arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app-api:")
                && r.contains(":log-stream:")),
            "a log-stream ARN inside the granted log group: {found:?}"
        );
    }
}
