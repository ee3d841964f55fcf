//! Action and resource patterns that must, or must not, match the world's actions and ARNs.

use super::*;

/// An action pattern pointing at a focus action, and that focus action.
pub(super) fn action_pattern(g: &mut G<'_>, w: &World, rcp: bool) -> (String, Option<Focus>) {
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
pub(super) fn arn_split(arn: &str) -> Option<(Vec<&str>, &str)> {
    let mut fields = arn.splitn(6, ':');
    let head: Vec<&str> = (0..5).filter_map(|_| fields.next()).collect();
    let tail = fields.next()?;
    (head.len() == 5).then_some((head, tail))
}

/// A `Resource` pattern that matches (or, for a fresh name, usually misses) `concrete`.
pub(super) fn resource_pattern(
    g: &mut G<'_>,
    w: &mut World,
    concrete: &str,
    variables: bool,
) -> String {
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
                Some(i) => join(&head, &format!("{}*", tail.split_at(i + 1).0)),
                None => {
                    let keep = g.below(tail.chars().count());
                    join(&head, &format!("{}*", char_prefix(tail, keep)))
                }
            }
        }
        3 => {
            // Everything after the first segment: `bucket/*` (a `*` that spans `/`).
            match tail.find(['/', ':']) {
                Some(i) => join(&head, &format!("{}*", tail.split_at(i + 1).0)),
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
            let segment = segments.get(i).copied().filter(|s| !s.is_empty());
            let tag = g.word(&TAGS);
            let key = format!("aws:PrincipalTag/{tag}");
            let Some(segment) = segment else {
                return concrete.to_owned();
            };
            if !register_exact(w, &key, KeyType::Str, segment) {
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
