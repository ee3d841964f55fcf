//! ARNs (PLACEHOLDER: replaced wholesale by the `wt-glob` branch).
use crate::glob::{matches, matches_escaped, CaseSensitivity};

/// True when a `Resource` pattern matches a resource ARN (IAM-SPEC §3.2). `escaped`: the pattern
/// came from variable substitution and `\x` means a literal `x`.
pub fn resource_matches(pattern: &str, resource: &str, escaped: bool) -> bool {
    if escaped {
        matches_escaped(pattern, resource, CaseSensitivity::Sensitive)
    } else {
        matches(pattern, resource, CaseSensitivity::Sensitive)
    }
}

/// True when an `ArnLike`/`ArnEquals` pattern matches an ARN value (per segment, IAM-SPEC §4.4).
pub fn arn_like(pattern: &str, value: &str, escaped: bool) -> bool {
    resource_matches(pattern, value, escaped)
}
