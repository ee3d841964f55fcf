//! The parser targets: `arn_parse` and `policy_parse`.

use super::{ensure, Violation};
use crate::arn::{Arn, ArnError, OwnedArn};
use crate::policy::{self, PolicyKind};

/// Every policy kind, for validating a parsed policy as each.
const KINDS: [PolicyKind; 7] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Trust,
    PolicyKind::Boundary,
    PolicyKind::Session,
    PolicyKind::Scp,
    PolicyKind::Rcp,
];

/// `arn_parse`: the whole input is the text. [`Arn::parse`] never panics; a parsed ARN prints
/// back to exactly its text, re-parses to an equal ARN (borrowed and owned), has non-empty
/// partition, service and resource and no `:` in the first four fields, and splits its resource
/// into type and ID around the first `/` or `:`. An error names the right reason.
pub fn check_arn_parse(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "arn_parse";
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let arn = match Arn::parse(text) {
        Ok(arn) => arn,
        Err(error) => return check_arn_error(text, &error),
    };
    let printed = arn.to_string();
    ensure(printed == text, TARGET, || {
        format!("{text:?} parsed to {arn:?}, which prints as {printed:?}")
    })?;
    let again = Arn::parse(&printed);
    ensure(again == Ok(arn), TARGET, || {
        format!("{text:?} parsed to {arn:?}, its printed form re-parses to {again:?}")
    })?;
    let owned = printed.parse::<OwnedArn>();
    ensure(
        owned.as_ref().map(OwnedArn::as_arn) == Ok(arn),
        TARGET,
        || format!("{text:?}: OwnedArn parses to {owned:?}, not {arn:?}"),
    )?;
    ensure(
        !arn.partition.is_empty() && !arn.service.is_empty() && !arn.resource.is_empty(),
        TARGET,
        || format!("{text:?} parsed to {arn:?} with an empty required field"),
    )?;
    ensure(
        [arn.partition, arn.service, arn.region, arn.account]
            .iter()
            .all(|field| !field.contains(':')),
        TARGET,
        || format!("{text:?} parsed to {arn:?} with a `:` inside a field"),
    )?;
    let split = arn.resource_type().zip(arn.resource_id());
    let consistent = match split {
        None => !arn.resource.contains(['/', ':']),
        Some((kind, id)) => {
            !kind.contains(['/', ':'])
                && [format!("{kind}/{id}"), format!("{kind}:{id}")]
                    .contains(&arn.resource.to_owned())
        }
    };
    ensure(consistent, TARGET, || {
        format!("{text:?}: resource {:?} split into {split:?}", arn.resource)
    })
}

/// The error for a text that is not an ARN must give the right reason.
fn check_arn_error(text: &str, error: &ArnError) -> Result<(), Violation> {
    const TARGET: &str = "arn_parse";
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    let right = match error {
        ArnError::MissingPrefix { text: given } => given == text && !text.starts_with("arn:"),
        ArnError::TooFewFields { text: given, found } => {
            given == text
                && text.starts_with("arn:")
                && fields.len() < 6
                && *found == text.split(':').count()
        }
        ArnError::EmptyField { text: given, field } => {
            let index = match *field {
                "partition" => 1,
                "service" => 2,
                _ => 5,
            };
            given == text
                && text.starts_with("arn:")
                && fields.len() == 6
                && fields.get(index).is_some_and(|f| f.is_empty())
        }
    };
    ensure(right, TARGET, || {
        format!("{text:?} was rejected with {error:?}")
    })
}

/// `policy_parse`: the whole input is the text. [`policy::parse`] returns `Ok` or a non-empty
/// list of errors, never panics; [`policy::validate`] never panics for any [`PolicyKind`]; a
/// parsed policy prints (compact and pretty) to text that parses back to the same policy and
/// prints again identically.
pub fn check_policy_parse(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "policy_parse";
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let parsed = match policy::parse(text) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return ensure(!errors.0.is_empty(), TARGET, || {
                format!("{text:?} was rejected with no error")
            })
        }
    };
    for kind in KINDS {
        if let Err(errors) = policy::validate(&parsed, kind, text) {
            ensure(!errors.0.is_empty(), TARGET, || {
                format!("{text:?} was invalid as {} with no error", kind.as_str())
            })?;
        }
    }
    for (style, printed) in [
        ("compact", policy::to_string(&parsed)),
        ("pretty", policy::to_string_pretty(&parsed)),
    ] {
        let again = policy::parse(&printed);
        ensure(again.as_ref() == Ok(&parsed), TARGET, || {
            format!(
                "{text:?} parsed to {parsed:?}; its {style} print {printed:?} parses to {again:?}"
            )
        })?;
        if let Ok(again) = &again {
            let reprinted = policy::to_string(again);
            let first = policy::to_string(&parsed);
            ensure(reprinted == first, TARGET, || {
                format!("{text:?}: printing is not stable: {first:?} then {reprinted:?}")
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(b"arn:aws:s3:::bucket/key".as_slice())]
    #[case(b"arn:aws:lambda:us-east-1:123456789012:function:f:1".as_slice())]
    #[case(b"arn:aws:s3::".as_slice())]
    #[case(b"arn::s3:::b".as_slice())]
    #[case(b"arn:aws:s3:::".as_slice())]
    #[case(b"ARN:aws:s3:::b".as_slice())]
    #[case(b"arn:\xff:s3:::b".as_slice())]
    fn arn_check_passes(#[case] data: &[u8]) {
        assert_eq!(check_arn_parse(data), Ok(()));
    }

    #[rstest]
    #[case(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#
    )]
    #[case(r#"{"Statement":[{"Effect":"Deny","NotAction":["s3:*"],"NotResource":"arn:aws:s3:::b","Condition":{"NumericLessThan":{"s3:max-keys":10}}}]}"#)]
    #[case(r#"{"Statement":"#)]
    #[case("")]
    fn policy_check_passes(#[case] text: &str) {
        assert_eq!(check_policy_parse(text.as_bytes()), Ok(()));
    }
}
