//! ARNs: parsing, formatting, and the ARN-aware matching of `Resource`/`NotResource` and the
//! `ArnLike`/`ArnEquals` condition operators (semantics §3, §4.4).
//!
//! # Shape
//!
//! - An ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`: at least six colon-separated
//!   fields. The resource is everything after the fifth colon and may itself hold `:` and `/`.
//! - Partition, service and resource are non-empty; region and account may be empty
//!   (`arn:aws:s3:::bucket/key`, `arn:aws:iam::123456789012:user/alice`).
//! - [`Arn::resource_type`] and [`Arn::resource_id`] split the resource at its first `/` or `:`.
//!   ```
//!   use iam_harness::arn::Arn;
//!   let arn = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:f:1")?;
//!   assert_eq!(arn.resource, "function:f:1");
//!   assert_eq!(arn.resource_type(), Some("function"));
//!   assert_eq!(arn.resource_id(), Some("f:1"));
//!   assert_eq!(arn.to_string(), "arn:aws:lambda:us-east-1:123456789012:function:f:1");
//!   # Ok::<(), iam_harness::arn::ArnError>(())
//!   ```
//!
//! # `Resource` matching ([`resource_matches`], semantics §3.2)
//!
//! - The pattern `*` matches every resource, ARN or not.
//! - A pattern that does not start with `arn:` is a glob over the whole resource string.
//! - An ARN pattern is split into fields at its first five colons. An **incomplete** pattern
//!   (fewer than six fields) gets `*` for every missing field: `arn:aws:sqs` ≡
//!   `arn:aws:sqs:*:*:*`. A resource with fewer than six fields never matches an ARN pattern.
//! - Fields one to five (`arn`, partition, service, region, account) are each globbed against
//!   the same field of the resource, so a `*` or `?` there never crosses a `:` (semantics §7.7:
//!   the documented "a segment-final `*` may expand past `:`" is covered by completion, as
//!   `arn:aws:iam::*` completes to `arn:aws:iam::*:*`; we do not let a field's `*` run into the
//!   next field).
//!   ```
//!   use iam_harness::arn::resource_matches;
//!   assert!(resource_matches("arn:aws:sqs", "arn:aws:sqs:us-east-1:123456789012:q", false));
//!   assert!(resource_matches("arn:aws:iam::*", "arn:aws:iam::123456789012:user/a", false));
//!   assert!(!resource_matches("arn:aws:*:123456789012:*", "arn:aws:sqs:eu-west-1:123456789012:q", false));
//!   ```
//! - The sixth field (the resource part) is globbed against the whole remainder: there `*` spans
//!   `/` and `:`, `?` matches any one character including `/` and `:`, and `/` has no special
//!   meaning (consecutive or trailing `/` are ordinary).
//!   ```
//!   use iam_harness::arn::resource_matches;
//!   let p = "arn:aws:s3:::bucket/*/test/*";
//!   assert!(resource_matches(p, "arn:aws:s3:::bucket/1/2/test/3/object.jpg", false));
//!   assert!(resource_matches(p, "arn:aws:s3:::bucket//test/object.jpg", false));
//!   assert!(resource_matches(p, "arn:aws:s3:::bucket/1/test/", false));
//!   assert!(!resource_matches(p, "arn:aws:s3:::bucket/test/object.jpg", false));
//!   assert!(!resource_matches(p, "arn:aws:s3:::bucket/1-test/object.jpg", false));
//!   assert!(!resource_matches(p, "arn:aws:s3:::bucket/1/2/test.jpg", false));
//!   ```
//! - Every comparison is case-sensitive, in every field (semantics §7.8: AWS states it only for
//!   user and role names and the ARN operators; we apply it throughout).
//!   ```
//!   use iam_harness::arn::resource_matches;
//!   assert!(!resource_matches("arn:aws:iam::1:user/Alice", "arn:aws:iam::1:user/alice", false));
//!   assert!(!resource_matches("arn:AWS:s3:::b", "arn:aws:s3:::b", false));
//!   ```
//! - With `escaped` the pattern uses [`crate::glob::matches_escaped`] syntax (it came out of
//!   policy-variable substitution): `\*`, `\?` and `\\` are literal, and an escaped `\:` is not a
//!   field separator.
//!
//! # `ArnLike` / `ArnEquals` ([`arn_like`], semantics §4.4)
//!
//! - Both the pattern and the value must have six fields; there is no completion, so a pattern
//!   or value with fewer fields — the bare `*` included — never matches (semantics §7.9).
//! - Fields one to five are globbed per field, the sixth against the remainder, case-sensitively,
//!   exactly as for `Resource`.
//!   ```
//!   use iam_harness::arn::arn_like;
//!   assert!(arn_like("arn:aws:sns:*:123456789012:topic-?", "arn:aws:sns:eu-west-1:123456789012:topic-a", false));
//!   assert!(!arn_like("arn:aws:sns", "arn:aws:sns:eu-west-1:123456789012:t", false));
//!   assert!(!arn_like("*", "arn:aws:sns:eu-west-1:123456789012:t", false));
//!   ```
//!
//! # Forbidden wildcards ([`has_forbidden_wildcard`], semantics §6)
//!
//! - A wildcard in the `arn` prefix, the partition or the service of a `Resource` ARN is not
//!   allowed; validation reports it. A wildcard inside the resource type (`functi*:f`) is also
//!   disallowed by AWS but cannot be recognised without per-service knowledge, so it is not
//!   reported here.

use std::fmt;
use std::str::FromStr;

use crate::glob::{matches, matches_escaped, CaseSensitivity};

/// The partitions AWS documents, for validation and realistic generators.
pub const KNOWN_PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// True when `partition` is one of [`KNOWN_PARTITIONS`] (exact, case-sensitive).
pub fn is_known_partition(partition: &str) -> bool {
    KNOWN_PARTITIONS.contains(&partition)
}

/// A parsed ARN borrowing from its text: `arn:partition:service:region:account:resource`.
///
/// Values built by [`Arn::parse`] format back to exactly the text they were parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    /// The partition, e.g. `aws` or `aws-cn`; never empty.
    pub partition: &'a str,
    /// The service namespace, e.g. `s3` or `iam`; never empty.
    pub service: &'a str,
    /// The region, e.g. `us-east-1`; empty for global resources such as IAM and S3.
    pub region: &'a str,
    /// The account ID; empty for resources such as S3 buckets.
    pub account: &'a str,
    /// Everything after the fifth colon, e.g. `user/alice` or `function:f:1`; never empty.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses an ARN. The text must start with `arn:` and have at least six colon-separated
    /// fields, with non-empty partition, service and resource.
    pub fn parse(text: &'a str) -> Result<Self, ArnError> {
        let fields = ArnFields::locate(text)?;
        fields.of(text).ok_or_else(|| ArnError::MissingPrefix {
            text: text.to_owned(),
        })
    }

    /// The resource type: the resource up to its first `/` or `:` (`user` in `user/alice`),
    /// or `None` when the resource has neither (then the whole resource is the ID).
    pub fn resource_type(&self) -> Option<&'a str> {
        self.resource.split_once(['/', ':']).map(|(kind, _)| kind)
    }

    /// The resource ID: the resource after its first `/` or `:` (`alice` in `user/alice`,
    /// `path/alice` in `user/path/alice`), or `None` when the resource has neither.
    pub fn resource_id(&self) -> Option<&'a str> {
        self.resource.split_once(['/', ':']).map(|(_, id)| id)
    }

    /// True when the partition is one of [`KNOWN_PARTITIONS`].
    pub fn has_known_partition(&self) -> bool {
        is_known_partition(self.partition)
    }

    /// An owned copy, for storing past the lifetime of the text.
    pub fn into_owned(self) -> OwnedArn {
        OwnedArn {
            partition: self.partition.to_owned(),
            service: self.service.to_owned(),
            region: self.region.to_owned(),
            account: self.account.to_owned(),
            resource: self.resource.to_owned(),
        }
    }
}

/// Where the fields of an ARN lie in its text (byte offsets of its first five colons), so a
/// request splits its ARNs once and reads the fields later without scanning or allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArnFields {
    colons: [usize; 5],
}

impl ArnFields {
    /// Finds the fields of the ARN `text`, checking what [`Arn::parse`] checks.
    pub fn locate(text: &str) -> Result<ArnFields, ArnError> {
        if !text.starts_with("arn:") {
            return Err(ArnError::MissingPrefix {
                text: text.to_owned(),
            });
        }
        let mut colons = [0; 5];
        let mut found = 0;
        for (at, _) in text.match_indices(':').take(5) {
            if let Some(slot) = colons.get_mut(found) {
                *slot = at;
            }
            found += 1;
        }
        if found < 5 {
            return Err(ArnError::TooFewFields {
                text: text.to_owned(),
                found: found + 1,
            });
        }
        let fields = ArnFields { colons };
        let arn = fields.of(text).ok_or_else(|| ArnError::MissingPrefix {
            text: text.to_owned(),
        })?;
        let empty = |field: &'static str| ArnError::EmptyField {
            text: text.to_owned(),
            field,
        };
        if arn.partition.is_empty() {
            return Err(empty("partition"));
        }
        if arn.service.is_empty() {
            return Err(empty("service"));
        }
        if arn.resource.is_empty() {
            return Err(empty("resource"));
        }
        Ok(fields)
    }

    /// The ARN these offsets were found in, read from `text` (`None` when `text` is not the
    /// text they were located in).
    pub fn of(self, text: &str) -> Option<Arn<'_>> {
        let [c1, c2, c3, c4, c5] = self.colons;
        let bytes = text.as_bytes();
        if !self.colons.iter().all(|&at| bytes.get(at) == Some(&b':')) {
            return None;
        }
        Some(Arn {
            partition: text.get(c1 + 1..c2)?,
            service: text.get(c2 + 1..c3)?,
            region: text.get(c3 + 1..c4)?,
            account: text.get(c4 + 1..c5)?,
            resource: text.get(c5 + 1..)?,
        })
    }
}

/// Splits an ARN-shaped text, such as a `Resource` pattern, just after its fifth colon: the head
/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:` and the resource part. Unlike [`Arn::parse`] it checks
/// only the `arn:` prefix and the five colons, so fields may be empty or hold wildcards; `None`
/// when the text is not ARN-shaped. Every colon counts, even one inside `${…}`.
///
/// ```
/// use iam_harness::arn::split_resource_part;
/// assert_eq!(split_resource_part("arn:aws:s3:::b/*"), Some(("arn:aws:s3:::", "b/*")));
/// assert_eq!(split_resource_part("arn:aws:sqs"), None);
/// ```
pub fn split_resource_part(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with("arn:") {
        return None;
    }
    let (fifth_colon, _) = text.match_indices(':').nth(4)?;
    text.split_at_checked(fifth_colon + 1)
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// An [`Arn`] that owns its fields; parse one with `str::parse`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedArn {
    /// See [`Arn::partition`].
    pub partition: String,
    /// See [`Arn::service`].
    pub service: String,
    /// See [`Arn::region`].
    pub region: String,
    /// See [`Arn::account`].
    pub account: String,
    /// See [`Arn::resource`].
    pub resource: String,
}

impl OwnedArn {
    /// The borrowed view, for the accessors and matching.
    pub fn as_arn(&self) -> Arn<'_> {
        Arn {
            partition: &self.partition,
            service: &self.service,
            region: &self.region,
            account: &self.account,
            resource: &self.resource,
        }
    }
}

impl FromStr for OwnedArn {
    type Err = ArnError;

    fn from_str(text: &str) -> Result<Self, ArnError> {
        Arn::parse(text).map(Arn::into_owned)
    }
}

impl fmt::Display for OwnedArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_arn().fmt(f)
    }
}

/// Why a text is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnError {
    /// The text does not start with `arn:` (case-sensitive).
    #[error("`{text}` is not an ARN: it does not start with `arn:`")]
    MissingPrefix {
        /// The text given.
        text: String,
    },
    /// Fewer than six colon-separated fields.
    #[error("`{text}` has {found} colon-separated fields, an ARN needs at least 6")]
    TooFewFields {
        /// The text given.
        text: String,
        /// How many fields it has.
        found: usize,
    },
    /// The partition, service or resource is empty.
    #[error("`{text}` has an empty {field}")]
    EmptyField {
        /// The text given.
        text: String,
        /// `partition`, `service` or `resource`.
        field: &'static str,
    },
}

/// True when a `Resource`/`NotResource` pattern matches a resource (semantics §3.2; see the
/// [module docs](self)). `escaped`: the pattern came from variable substitution and `\x` means a
/// literal `x`. Allocates nothing.
pub fn resource_matches(pattern: &str, resource: &str, escaped: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.starts_with("arn:") {
        return glob(pattern, resource, escaped);
    }
    // Fast paths for the common shapes (a literal ARN, or a literal ARN prefix ending in `*`
    // inside the resource part): the result is the same as the field-by-field match, because
    // the literal part holds all five separators.
    if !escaped {
        let literal = |text: &str| !text.contains(['*', '?']);
        let complete = |text: &str| text.bytes().filter(|b| *b == b':').count() >= 5;
        if literal(pattern) && complete(pattern) {
            return pattern == resource;
        }
        if let Some(prefix) = pattern.strip_suffix('*') {
            if literal(prefix) && complete(prefix) {
                return resource.starts_with(prefix);
            }
        }
    }
    let value = Fields::split(resource, false);
    if !value.is_complete() {
        return false;
    }
    Fields::split(pattern, escaped)
        .completed()
        .matches(&value, escaped)
}

/// True when an `ArnLike`/`ArnEquals` pattern matches an ARN value: six fields each, compared
/// field by field, case-sensitively, with no completion (semantics §4.4, §7.9; see the
/// [module docs](self)). Allocates nothing.
pub fn arn_like(pattern: &str, value: &str, escaped: bool) -> bool {
    let pattern = Fields::split(pattern, escaped);
    let value = Fields::split(value, false);
    pattern.is_complete() && value.is_complete() && pattern.matches(&value, escaped)
}

/// Names the field of a `Resource` pattern that holds a wildcard AWS forbids (semantics §3.2,
/// §6): `"arn prefix"`, `"partition"` or `"service"`; `None` when there is none. A pattern
/// without a colon (`*`, `bucket*`) is not ARN-shaped and is never reported.
pub fn has_forbidden_wildcard(pattern: &str) -> Option<&'static str> {
    let fields = Fields::split(pattern, false);
    if fields.count < 2 {
        return None;
    }
    let wild = |field: &str| field.contains(['*', '?']);
    let [prefix, partition, service, ..] = fields.fields;
    if wild(prefix) {
        // Only a prefix that could stand for `arn` (`*`, `ar?`) makes the pattern an ARN.
        return matches(prefix, "arn", CaseSensitivity::Sensitive).then_some("arn prefix");
    }
    if prefix != "arn" {
        return None;
    }
    if wild(partition) {
        return Some("partition");
    }
    if fields.count >= 3 && wild(service) {
        return Some("service");
    }
    None
}

fn glob(pattern: &str, text: &str, escaped: bool) -> bool {
    if escaped {
        matches_escaped(pattern, text, CaseSensitivity::Sensitive)
    } else {
        matches(pattern, text, CaseSensitivity::Sensitive)
    }
}

/// A text split at its first five colons (not counting escaped `\:` when `escaped`).
struct Fields<'a> {
    /// The fields found, then `""` for the missing ones.
    fields: [&'a str; 6],
    /// How many fields the text has, from 1 to 6.
    count: usize,
}

impl<'a> Fields<'a> {
    // `start` and `at` come from `char_indices`: char boundaries within the text.
    fn split(text: &'a str, escaped: bool) -> Self {
        let mut fields = [""; 6];
        let mut count = 0;
        let mut start = 0;
        let mut chars = text.char_indices();
        while count < 5 {
            let Some((at, c)) = chars.next() else { break };
            match c {
                '\\' if escaped => {
                    chars.next();
                }
                ':' => {
                    if let Some(slot) = fields.get_mut(count) {
                        *slot = &text[start..at];
                    }
                    count += 1;
                    start = at + 1;
                }
                _ => {}
            }
        }
        if let Some(slot) = fields.get_mut(count) {
            *slot = &text[start..];
        }
        Self {
            fields,
            count: count + 1,
        }
    }

    fn is_complete(&self) -> bool {
        self.count == 6
    }

    /// The pattern with `*` for every missing field.
    fn completed(mut self) -> Self {
        for field in self.fields.iter_mut().skip(self.count) {
            *field = "*";
        }
        self.count = 6;
        self
    }

    /// Field-by-field glob of `self` (a pattern) against `value`.
    fn matches(&self, value: &Fields<'_>, escaped: bool) -> bool {
        self.fields
            .iter()
            .zip(value.fields.iter())
            .all(|(pattern, text)| glob(pattern, text, escaped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("arn:aws:s3:::bucket/key", "aws", "s3", "", "", "bucket/key")]
    #[case(
        "arn:aws:iam::123456789012:user/path/alice",
        "aws",
        "iam",
        "",
        "123456789012",
        "user/path/alice"
    )]
    #[case(
        "arn:aws-cn:lambda:cn-north-1:1:function:f:1",
        "aws-cn",
        "lambda",
        "cn-north-1",
        "1",
        "function:f:1"
    )]
    #[case("arn:x:y:::z", "x", "y", "", "", "z")]
    #[case("arn:aws:s3:::b/é:/", "aws", "s3", "", "", "b/é:/")]
    fn parses(
        #[case] text: &str,
        #[case] partition: &str,
        #[case] service: &str,
        #[case] region: &str,
        #[case] account: &str,
        #[case] resource: &str,
    ) {
        let arn = Arn::parse(text).unwrap();
        let expected = Arn {
            partition,
            service,
            region,
            account,
            resource,
        };
        assert_eq!(arn, expected);
        assert_eq!(arn.to_string(), text);
        let owned: OwnedArn = text.parse().unwrap();
        assert_eq!(owned.as_arn(), expected);
        assert_eq!(owned.to_string(), text);
    }

    #[rstest]
    #[case("", ArnError::MissingPrefix { text: String::new() })]
    #[case("ARN:aws:s3:::b", ArnError::MissingPrefix { text: "ARN:aws:s3:::b".into() })]
    #[case("*", ArnError::MissingPrefix { text: "*".into() })]
    #[case("arn:", ArnError::TooFewFields { text: "arn:".into(), found: 2 })]
    #[case("arn:aws:sqs", ArnError::TooFewFields { text: "arn:aws:sqs".into(), found: 3 })]
    #[case("arn:aws:s3::", ArnError::TooFewFields { text: "arn:aws:s3::".into(), found: 5 })]
    #[case("arn::s3:::b", ArnError::EmptyField { text: "arn::s3:::b".into(), field: "partition" })]
    #[case("arn:aws::::b", ArnError::EmptyField { text: "arn:aws::::b".into(), field: "service" })]
    #[case("arn:aws:s3:::", ArnError::EmptyField { text: "arn:aws:s3:::".into(), field: "resource" })]
    fn rejects(#[case] text: &str, #[case] expected: ArnError) {
        assert_eq!(Arn::parse(text), Err(expected));
    }

    #[rstest]
    #[case("arn:aws:s3:::b/k", Some(("arn:aws:s3:::", "b/k")))]
    #[case("arn:aws:lambda:r:1:function:f:1", Some(("arn:aws:lambda:r:1:", "function:f:1")))]
    #[case("arn:::::", Some(("arn:::::", "")))]
    #[case("arn:*:iam::${aws:x}", Some(("arn:*:iam::${aws:", "x}")))]
    #[case("arn:aws:s3::", None)]
    #[case("s3:a:b:c:d:e", None)]
    #[case("*", None)]
    fn splits_at_the_fifth_colon(#[case] text: &str, #[case] expected: Option<(&str, &str)>) {
        assert_eq!(split_resource_part(text), expected);
    }

    #[test]
    fn error_messages() {
        let err = |text| Arn::parse(text).unwrap_err().to_string();
        assert_eq!(
            err("s3:bucket"),
            "`s3:bucket` is not an ARN: it does not start with `arn:`"
        );
        assert_eq!(
            err("arn:aws:sqs"),
            "`arn:aws:sqs` has 3 colon-separated fields, an ARN needs at least 6"
        );
        assert_eq!(
            err("arn:aws:s3:::"),
            "`arn:aws:s3:::` has an empty resource"
        );
    }

    #[rstest]
    #[case("arn:aws:iam::1:user/alice", Some("user"), Some("alice"))]
    #[case("arn:aws:iam::1:user/a/b/alice", Some("user"), Some("a/b/alice"))]
    #[case("arn:aws:lambda:r:1:function:f:1", Some("function"), Some("f:1"))]
    #[case("arn:aws:sns:r:1:topic:/x", Some("topic"), Some("/x"))]
    #[case("arn:aws:s3:::bucket", None, None)]
    #[case("arn:aws:s3:::/key", Some(""), Some("key"))]
    fn resource_parts(#[case] text: &str, #[case] kind: Option<&str>, #[case] id: Option<&str>) {
        let arn = Arn::parse(text).unwrap();
        assert_eq!(arn.resource_type(), kind);
        assert_eq!(arn.resource_id(), id);
    }

    #[test]
    fn partitions() {
        for partition in KNOWN_PARTITIONS {
            assert!(is_known_partition(partition));
        }
        assert!(!is_known_partition("AWS"));
        assert!(!is_known_partition("aws-iso-z"));
        assert!(!is_known_partition(""));
        assert!(Arn::parse("arn:aws-eusc:s3:::b")
            .unwrap()
            .has_known_partition());
        assert!(!Arn::parse("arn:foo:s3:::b").unwrap().has_known_partition());
    }

    const S3: &str = "arn:aws:s3:::bucket/*/test/*";

    #[rstest]
    // semantics §3.2 worked examples
    #[case(S3, "arn:aws:s3:::bucket/1/2/test/3/object.jpg", true)]
    #[case(S3, "arn:aws:s3:::bucket//test/object.jpg", true)]
    #[case(S3, "arn:aws:s3:::bucket/1/test/", true)]
    #[case(S3, "arn:aws:s3:::bucket/test/object.jpg", false)]
    #[case(S3, "arn:aws:s3:::bucket/1-test/object.jpg", false)]
    #[case(S3, "arn:aws:s3:::bucket/1/2/test.jpg", false)]
    // `*` alone and non-ARN patterns
    #[case("*", "arn:aws:s3:::b", true)]
    #[case("*", "not-an-arn", true)]
    #[case("*", "", true)]
    #[case("*:s3:*", "arn:aws:s3:::b", true)]
    #[case("not-an-arn", "not-an-arn", true)]
    #[case("not-*", "not-an-arn", true)]
    #[case("bucket*", "arn:aws:s3:::bucket", false)]
    // completion of incomplete patterns
    #[case("arn:aws:sqs", "arn:aws:sqs:us-east-1:1:queue", true)]
    #[case("arn:aws:sqs", "arn:aws:sns:us-east-1:1:topic", false)]
    #[case("arn:aws:sqs:us-east-1", "arn:aws:sqs:us-east-1:1:q:x", true)]
    #[case("arn:aws:sqs:us-east-1", "arn:aws:sqs:eu-west-1:1:q", false)]
    #[case("arn:aws:iam::*", "arn:aws:iam::123:user/a", true)]
    #[case("arn:aws:iam::123", "arn:aws:iam::123:role/r", true)]
    #[case("arn:aws:iam::123", "arn:aws:iam::124:role/r", false)]
    #[case("arn:", "arn:aws:iam::123:role/r", false)] // an empty partition, then completion
    #[case("arn:aws:sqs", "arn:aws:sqs", false)] // the resource must have six fields
    #[case("arn:*", "arn:aws:s3::", false)]
    // fields 1–5 never cross `:`
    #[case("arn:aws:*:123:*", "arn:aws:sqs:eu-west-1:123:q", false)]
    #[case("arn:aws:s3:*::b", "arn:aws:s3:::b", true)]
    #[case("arn:aws:s3:?::b", "arn:aws:s3:::b", false)]
    #[case("arn:aws:iam::1?3:user/a", "arn:aws:iam::123:user/a", true)]
    #[case("arn:aws:iam::1?3:user/a", "arn:aws:iam::1:3:user/a", false)]
    // the resource part: `*` and `?` span `/` and `:`
    #[case(
        "arn:aws:lambda:*:*:function:*",
        "arn:aws:lambda:r:1:function:f:1",
        true
    )]
    #[case("arn:aws:lambda:*:*:function?f", "arn:aws:lambda:r:1:function:f", true)]
    #[case("arn:aws:s3:::b?k", "arn:aws:s3:::b/k", true)]
    #[case("arn:aws:s3:::b*", "arn:aws:s3:::b/k:v/w", true)]
    #[case("arn:aws:s3:::b", "arn:aws:s3:::b/", false)]
    #[case("arn:aws:s3:::*", "arn:aws:s3:::", true)]
    // case-sensitive everywhere (semantics §7.8)
    #[case("arn:aws:iam::1:user/Alice", "arn:aws:iam::1:user/alice", false)]
    #[case("arn:aws:S3:::b", "arn:aws:s3:::b", false)]
    #[case("arn:aws:s3:::B*", "arn:aws:s3:::b", false)]
    #[case("ARN:aws:s3:::b", "arn:aws:s3:::b", false)]
    fn resource_cases(#[case] pattern: &str, #[case] resource: &str, #[case] expected: bool) {
        assert_eq!(
            resource_matches(pattern, resource, false),
            expected,
            "{pattern} vs {resource}"
        );
        assert_eq!(oracle_resource(pattern, resource), expected);
    }

    #[rstest]
    #[case(r"arn:aws:s3:::team-\*/*", "arn:aws:s3:::team-*/x", true)]
    #[case(r"arn:aws:s3:::team-\*/*", "arn:aws:s3:::team-a/x", false)]
    #[case(r"arn:aws:s3:::a\?", "arn:aws:s3:::a?", true)]
    #[case(r"arn:aws:s3:::a\?", "arn:aws:s3:::ab", false)]
    #[case(r"arn:aws:s3:::a\\", r"arn:aws:s3:::a\", true)]
    // `\:` is not a separator: the region field is `x\:y`, which no region matches
    #[case(r"arn:aws:s3:x\:y::b", "arn:aws:s3:x:y::b", false)]
    // `\:` in the resource part is a literal colon
    #[case(r"arn:aws:s3:::a\:b", "arn:aws:s3:::a:b", true)]
    // `\\:` is a literal backslash then a real separator
    #[case(r"arn:aws:s3:x\\::1:b", r"arn:aws:s3:x\::1:b", true)]
    // incomplete escaped pattern: still completed
    #[case(r"arn:aws:s\3", "arn:aws:s3:r:1:b", true)]
    #[case(r"\*", "*", true)]
    #[case(r"\*", "x", false)]
    fn escaped_resource_cases(
        #[case] pattern: &str,
        #[case] resource: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(
            resource_matches(pattern, resource, true),
            expected,
            "{pattern} vs {resource}"
        );
    }

    #[rstest]
    #[case("arn:aws:sns:*:1:t", "arn:aws:sns:eu-west-1:1:t", true)]
    #[case("arn:aws:sns:*:1:t-?", "arn:aws:sns:eu-west-1:1:t-a", true)]
    #[case("arn:aws:iam::1:role/*", "arn:aws:iam::1:role/a/b:c", true)]
    #[case("arn:aws:iam::1:role/*", "arn:aws:iam::1:user/a", false)]
    #[case("arn:aws:iam::1:role/A", "arn:aws:iam::1:role/a", false)]
    #[case("arn:aws:*:1:role/a", "arn:aws:iam::1:role/a", false)]
    // no completion on either side (semantics §7.9)
    #[case("arn:aws:sns", "arn:aws:sns:r:1:t", false)]
    #[case("*", "arn:aws:sns:r:1:t", false)]
    #[case("arn:aws:sns:*:*:*", "arn:aws:sns", false)]
    #[case("arn:*:*:*:*:*", "arn:aws:sns:::", true)]
    #[case("x:*:*:*:*:*", "x:a:b:c:d:e", true)]
    fn arn_like_cases(#[case] pattern: &str, #[case] value: &str, #[case] expected: bool) {
        assert_eq!(
            arn_like(pattern, value, false),
            expected,
            "{pattern} vs {value}"
        );
    }

    #[test]
    fn arn_like_escaped() {
        assert!(arn_like(r"arn:aws:s3:::a\*", "arn:aws:s3:::a*", true));
        assert!(!arn_like(r"arn:aws:s3:::a\*", "arn:aws:s3:::ab", true));
        assert!(arn_like(r"arn:aws:s3:::a\*", "arn:aws:s3:::a\\x", false));
    }

    #[rstest]
    #[case("*", None)]
    #[case("bucket*", None)]
    #[case("arn:aws:s3:::bucket/*", None)]
    #[case("arn:aws:s3:*:*:*", None)]
    #[case("arn:aws:sqs", None)]
    #[case("arn:aws", None)]
    #[case("*:aws:s3:::b", Some("arn prefix"))]
    #[case("ar?:aws:s3:::b", Some("arn prefix"))]
    #[case("x*:aws:s3:::b", None)]
    #[case("arn:*:s3:::b", Some("partition"))]
    #[case("arn:aws*", Some("partition"))]
    #[case("arn:aws:s?:::b", Some("service"))]
    #[case("arn:aws:*", Some("service"))]
    #[case("arn:*:*:::b", Some("partition"))]
    fn forbidden_wildcards(#[case] pattern: &str, #[case] expected: Option<&str>) {
        assert_eq!(has_forbidden_wildcard(pattern), expected);
    }

    // ---- reference matcher: string completion, `splitn`, backtracking glob -------------------

    fn oracle_glob(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|skip| oracle_glob(rest, &t[skip..])),
            Some((&c, rest)) => match t.split_first() {
                Some((&d, t_rest)) => (c == '?' || c == d) && oracle_glob(rest, t_rest),
                None => false,
            },
        }
    }

    fn oracle_str(p: &str, t: &str) -> bool {
        let p: Vec<char> = p.chars().collect();
        let t: Vec<char> = t.chars().collect();
        oracle_glob(&p, &t)
    }

    fn oracle_resource(pattern: &str, resource: &str) -> bool {
        if pattern == "*" {
            return true;
        }
        if !pattern.starts_with("arn:") {
            return oracle_str(pattern, resource);
        }
        let mut pattern = pattern.to_owned();
        while pattern.matches(':').count() < 5 {
            pattern.push_str(":*");
        }
        let p: Vec<&str> = pattern.splitn(6, ':').collect();
        let r: Vec<&str> = resource.splitn(6, ':').collect();
        r.len() == 6 && p.iter().zip(&r).all(|(p, r)| oracle_str(p, r))
    }

    fn oracle_arn_like(pattern: &str, value: &str) -> bool {
        let p: Vec<&str> = pattern.splitn(6, ':').collect();
        let v: Vec<&str> = value.splitn(6, ':').collect();
        p.len() == 6 && v.len() == 6 && p.iter().zip(&v).all(|(p, v)| oracle_str(p, v))
    }

    fn field(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(choices).prop_map(str::to_owned)
    }

    fn chars(alphabet: &'static [char], max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..max)
            .prop_map(|cs| cs.into_iter().collect())
    }

    /// ARN-shaped resources, occasionally with too few fields.
    fn resource() -> impl Strategy<Value = String> {
        let full = (
            field(&["aws", "aws-cn", "a"]),
            field(&["s3", "iam", "sqs"]),
            field(&["", "us-east-1", "u"]),
            field(&["", "123", "1"]),
            chars(&['a', 'b', '/', ':', '.'], 10),
        )
            .prop_map(|(p, s, r, a, res)| format!("arn:{p}:{s}:{r}:{a}:{res}"));
        prop_oneof![
            8 => full,
            1 => field(&["arn:aws:s3", "arn:aws:iam::123", "bucket/key"]),
        ]
    }

    /// Resource patterns over the same vocabulary plus wildcards, sometimes incomplete.
    fn pattern() -> impl Strategy<Value = String> {
        let fields = (
            field(&["aws", "aws-cn", "a", "*", "a*", "?"]),
            field(&["s3", "iam", "sqs", "*", "s?"]),
            field(&["", "us-east-1", "u", "*", "?", "u*"]),
            field(&["", "123", "1", "*", "1*", "?"]),
            chars(&['a', 'b', '/', ':', '*', '?'], 8),
            1usize..=6,
        )
            .prop_map(|(p, s, r, a, res, keep)| {
                let all = ["arn".to_owned(), p, s, r, a, res];
                all[..keep].join(":")
            });
        prop_oneof![
            1 => Just("*".to_owned()),
            1 => chars(&['a', 'b', '/', ':', '*', '?'], 8),
            8 => fields,
        ]
    }

    /// Escapes every character of a literal so it matches only itself.
    fn escape(text: &str) -> String {
        text.chars()
            .flat_map(|c| match c {
                '*' | '?' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_format_parse(
            partition in "[a-z][a-z0-9-]{0,8}",
            service in "[a-z0-9*?-]{1,8}",
            region in "[a-z0-9-]{0,10}",
            account in "[0-9]{0,12}",
            resource in "[a-zA-Z0-9/:*?.é_-]{1,20}",
        ) {
            let text = format!("arn:{partition}:{service}:{region}:{account}:{resource}");
            let arn = Arn::parse(&text).unwrap();
            prop_assert_eq!(arn.partition, partition.as_str());
            prop_assert_eq!(arn.resource, resource.as_str());
            let formatted = arn.to_string();
            prop_assert_eq!(&formatted, &text);
            prop_assert_eq!(Arn::parse(&formatted).unwrap(), arn);
        }

        #[test]
        fn resource_matches_agrees_with_oracle(pattern in pattern(), resource in resource()) {
            prop_assert_eq!(
                resource_matches(&pattern, &resource, false),
                oracle_resource(&pattern, &resource)
            );
        }

        #[test]
        fn arn_like_agrees_with_oracle(pattern in pattern(), value in resource()) {
            prop_assert_eq!(arn_like(&pattern, &value, false), oracle_arn_like(&pattern, &value));
        }

        #[test]
        fn escaped_literal_matches_only_itself(
            a in resource().prop_filter("six fields", |a| a.matches(':').count() >= 5),
            b in resource(),
        ) {
            let literal = escape(&a);
            prop_assert!(resource_matches(&literal, &a, true));
            prop_assert_eq!(resource_matches(&literal, &b, true), a == b);
            prop_assert_eq!(arn_like(&literal, &b, true), a == b);
        }
    }
}
