//! Size limits by policy kind and origin (semantics §6.12, the choice on §7.20), in characters
//! (Unicode scalar values), as the quota page states them:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>.
//!
//! - IAM kinds do not count JSON whitespace outside string literals ("IAM doesn't count white
//!   space when calculating the size of a policy"): Identity 10,240 (the largest a customer's
//!   identity policy can be, the aggregate inline limit of a role; customer managed policies are
//!   capped at 6,144), Boundary 6,144 (a managed policy), Session 2,048, Trust 4,096 (the raised
//!   maximum; the default is 2,048).
//! - Scp and Rcp: 5,120, counting every character of the text as given.
//! - Resource: no limit here (each service has its own).
//! - An **AWS managed policy** ([`Origin::AwsManaged`]) is bound by none of these: the quotas
//!   limit what a customer writes (inline policies, customer managed policies), and AWS writes
//!   larger ones (`ReadOnlyAccess`, `ViewOnlyAccess`, `SecurityAudit`… are over 10,240) that
//!   every account can attach.

use super::{PolicyError, PolicyKind};

/// Who wrote a policy, which decides the quota its size is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Origin {
    /// Written by the customer (inline, customer managed, passed with a request, an SCP…): the
    /// quota of its kind applies.
    #[default]
    Customer,
    /// An AWS managed policy (`arn:aws:iam::aws:policy/…`): no customer quota binds it.
    AwsManaged,
}

/// The size limit of a kind written by `origin`, and whether JSON whitespace counts toward it.
fn size_limit(kind: PolicyKind, origin: Origin) -> Option<(usize, bool)> {
    if origin == Origin::AwsManaged {
        return None;
    }
    match kind {
        PolicyKind::Identity => Some((10_240, false)),
        PolicyKind::Boundary => Some((6_144, false)),
        PolicyKind::Session => Some((2_048, false)),
        PolicyKind::Trust => Some((4_096, false)),
        PolicyKind::Scp | PolicyKind::Rcp => Some((5_120, true)),
        PolicyKind::Resource => None,
    }
}

/// The number of characters of `text` that are not JSON whitespace outside string literals.
fn count_without_whitespace(text: &str) -> usize {
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            count += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            count += 1;
            in_string = c == '"';
        }
    }
    count
}

/// The error for a policy `text` of `kind` written by `origin` that is over its quota, if it is.
pub fn check_size(kind: PolicyKind, origin: Origin, text: &str) -> Option<PolicyError> {
    let (limit, whitespace_counts) = size_limit(kind, origin)?;
    let size = if whitespace_counts {
        text.chars().count()
    } else {
        count_without_whitespace(text)
    };
    let counted = if whitespace_counts {
        "every character counted"
    } else {
        "whitespace not counted"
    };
    (size > limit).then(|| PolicyError {
        path: String::new(),
        message: format!(
            "policy size {size} characters ({counted}) is over the {} limit of {limit}",
            kind.as_str()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use PolicyKind::*;

    /// A statement of `n` characters' padding inside a string (every padding character counts).
    fn padded(padding: usize, whitespace: usize) -> String {
        format!(
            r#"{{"Version":"2012-10-17",{}"Statement":{{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{"a:b":"{}"}}}}}}}}"#,
            " ".repeat(whitespace),
            "x".repeat(padding)
        )
    }

    #[rstest]
    #[case::identity(Identity, 10_240, false)]
    #[case::boundary(Boundary, 6_144, false)]
    #[case::session(Session, 2_048, false)]
    #[case::trust(Trust, 4_096, false)]
    #[case::scp(Scp, 5_120, true)]
    #[case::rcp(Rcp, 5_120, true)]
    fn size_limits(
        #[case] kind: PolicyKind,
        #[case] limit: usize,
        #[case] whitespace_counts: bool,
    ) {
        let base = padded(0, 0).chars().count();
        let at_limit = padded(limit - base, 0);
        assert_eq!(at_limit.chars().count(), limit);
        assert_eq!(check_size(kind, Origin::Customer, &at_limit), None);
        let over = padded(limit - base + 1, 0);
        let error = check_size(kind, Origin::Customer, &over).unwrap();
        assert_eq!(error.path, "");
        assert!(error.message.contains(&format!("{}", limit + 1)), "{error}");
        assert!(
            error.message.contains(&format!("limit of {limit}")),
            "{error}"
        );
        // An AWS managed policy is bound by no customer quota.
        assert_eq!(check_size(kind, Origin::AwsManaged, &over), None);
        // Whitespace outside strings counts only for SCPs and RCPs.
        let spaced = padded(limit - base, 10);
        assert_eq!(
            check_size(kind, Origin::Customer, &spaced).is_some(),
            whitespace_counts
        );
    }

    #[test]
    fn resource_policies_have_no_size_limit() {
        let text = "x".repeat(100_000);
        assert_eq!(check_size(Resource, Origin::Customer, &text), None);
    }

    #[rstest]
    #[case::plain(r#"{"a": [1, 2]}"#, 11)]
    #[case::spaces_in_string(r#"{"a b": " "}"#, 11)]
    #[case::escaped_quote(r#"{ "a\" b" : 1 }"#, 11)]
    #[case::unicode("{\n\t\"é\": \"ü\"\r\n}", 9)]
    fn whitespace_counting(#[case] text: &str, #[case] count: usize) {
        assert_eq!(count_without_whitespace(text), count);
    }
}
