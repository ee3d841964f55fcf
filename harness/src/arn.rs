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
/// A parsed ARN (PLACEHOLDER, replaced by the wt-glob branch).
pub struct Arn<'a> {
    /// The service field.
    pub service: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

/// Why text is not an ARN (PLACEHOLDER).
#[derive(Debug)]
pub struct ArnError;

impl<'a> Arn<'a> {
    /// Parses an ARN (PLACEHOLDER).
    pub fn parse(text: &'a str) -> Result<Arn<'a>, ArnError> {
        let mut f = text.splitn(6, ':');
        let (_, _, service, _, _, resource) =
            (f.next(), f.next(), f.next(), f.next(), f.next(), f.next());
        match (service, resource) {
            (Some(service), Some(resource)) => Ok(Arn { service, resource }),
            _ => Err(ArnError),
        }
    }
}
