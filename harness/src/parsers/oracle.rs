//! The documented rules as the oracle of the parser fuzzer, and the root cause of a
//! disagreement.
//!
//! - `parse_arn`: [`Arn::parse`] (semantics §3.1.1, §3.1.2): `arn:PARTITION:SERVICE:REGION:
//!   ACCOUNT:RESOURCE`, the resource everything after the fifth colon, `:` and `/` included;
//!   partition, service and resource non-empty.
//! - `match`: [`action_matches`] for `action` (§3.3.1, case-insensitive), [`resource_matches`]
//!   for `resource` (§3.2), a case-sensitive [`matches`] for `string_like` (§4.4.1) and
//!   [`arn_like`] for `arn_like` (§4.4.7).
//!
//! A root cause is a stable id naming *how* the answers differ: for an ARN, which field and in
//! what way (`resource-cut-at-colon`, `region-differs`, `accepts-invalid:empty-service`); for a
//! match, the simpler reading of the pattern that explains the parser's answer (`prefix`,
//! `case`, `question-mark-literal`, `exact`, `whole-string-glob`, `completion`). Shrinking keeps
//! the root cause, so grouping by it groups by bug.

use super::{Answer, ArnAnswer, Input, MatchKind};
use crate::arn::{arn_like, resource_matches, Arn, ArnError};
use crate::glob::{action_matches, matches, CaseSensitivity};

/// What the documentation says the answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A valid ARN with these fields.
    Arn(ArnAnswer),
    /// Not an ARN, for this reason (the [`ArnError`] message).
    Invalid(String),
    /// The match's result.
    Matched(bool),
}

impl Expected {
    /// As the protocol's answer, for printing.
    pub fn to_answer(&self) -> Answer {
        match self {
            Expected::Arn(fields) => Answer::Arn(fields.clone()),
            Expected::Invalid(why) => Answer::Invalid(why.clone()),
            Expected::Matched(b) => Answer::Matched(*b),
        }
    }
}

/// The documented fields of a valid ARN, every field present.
pub fn documented_fields(arn: &Arn<'_>) -> ArnAnswer {
    ArnAnswer {
        partition: Some(arn.partition.into()),
        service: Some(arn.service.into()),
        region: Some(arn.region.into()),
        account: Some(arn.account.into()),
        resource: Some(arn.resource.into()),
        resource_type: arn.resource_type().map(Into::into),
        resource_id: arn.resource_id().map(Into::into),
    }
}

/// The documented answer to `input`.
pub fn expected(input: &Input) -> Expected {
    match input {
        Input::ParseArn { input } => match Arn::parse(input) {
            Ok(arn) => Expected::Arn(documented_fields(&arn)),
            Err(e) => Expected::Invalid(e.to_string()),
        },
        Input::Match {
            kind,
            pattern,
            value,
        } => Expected::Matched(documented_match(*kind, pattern, value)),
    }
}

/// The documented result of one match.
pub fn documented_match(kind: MatchKind, pattern: &str, value: &str) -> bool {
    match kind {
        MatchKind::Action => action_matches(pattern, value),
        MatchKind::Resource => resource_matches(pattern, value, false),
        MatchKind::StringLike => matches(pattern, value, CaseSensitivity::Sensitive),
        MatchKind::ArnLike => arn_like(pattern, value, false),
    }
}

/// The root cause of the disagreement between the documented answer and the parser's, or
/// `None` when they agree (or the parser does not support the input).
pub fn root_cause(input: &Input, expected: &Expected, got: &Answer) -> Option<String> {
    match (input, expected, got) {
        (_, _, Answer::Unsupported(_)) => None,
        (_, _, Answer::Error(why)) if why.starts_with("protocol fault: ") => {
            Some(format!("{}:fault", input.cmd()))
        }
        (Input::ParseArn { input }, Expected::Arn(want), got) => valid_arn_cause(input, want, got),
        (Input::ParseArn { input }, Expected::Invalid(_), got) => invalid_arn_cause(input, got),
        (
            Input::Match {
                kind,
                pattern,
                value,
            },
            Expected::Matched(want),
            got,
        ) => match got {
            Answer::Matched(g) if g == want => None,
            Answer::Matched(g) => Some(format!(
                "{}:{}:{}",
                kind.name(),
                match_feature(*kind, pattern, value, *g),
                if *g { "matches" } else { "does-not-match" }
            )),
            Answer::Error(_) => Some(format!("{}:error", kind.name())),
            _ => Some(format!("{}:wrong-answer-shape", kind.name())),
        },
        _ => Some(format!("{}:wrong-answer-shape", input.cmd())),
    }
}

/// The first documented feature of a valid ARN, for naming what a parser chokes on.
fn arn_feature(text: &str) -> &'static str {
    let Ok(arn) = Arn::parse(text) else {
        return "invalid";
    };
    let features: [(bool, &'static str); 9] = [
        (!arn.has_known_partition(), "unknown-partition"),
        (arn.resource.contains(':'), "colon-in-resource"),
        (arn.region.is_empty(), "empty-region"),
        (arn.account.is_empty(), "empty-account"),
        (!text.is_ascii(), "non-ascii"),
        (text.contains(char::is_whitespace), "whitespace"),
        (text.contains(['*', '?']), "wildcard-characters"),
        (text.contains("${"), "variable"),
        (arn.resource.contains('/'), "slash-in-resource"),
    ];
    features
        .iter()
        .find(|(present, _)| *present)
        .map_or("plain", |(_, name)| *name)
}

fn valid_arn_cause(text: &str, want: &ArnAnswer, got: &Answer) -> Option<String> {
    let got = match got {
        Answer::Arn(got) => got,
        Answer::Invalid(_) => {
            return Some(format!("parse_arn:rejects-valid:{}", arn_feature(text)))
        }
        Answer::Error(_) => return Some(format!("parse_arn:error-on-valid:{}", arn_feature(text))),
        _ => return Some("parse_arn:wrong-answer-shape".into()),
    };
    let mut causes = Vec::new();
    let fields = [
        ("partition", &want.partition, &got.partition),
        ("service", &want.service, &got.service),
        ("region", &want.region, &got.region),
        ("account", &want.account, &got.account),
        ("resource", &want.resource, &got.resource),
    ];
    for (name, want, got) in fields {
        if let (Some(want), Some(got)) = (want, got) {
            if want != got {
                causes.push(field_cause(name, want, got));
            }
        }
    }
    if got.resource.is_none() {
        match (&got.resource_type, &got.resource_id) {
            (None, None) => causes.push("resource-missing".into()),
            (kind, id) => {
                if kind.is_some() && *kind != want.resource_type {
                    causes.push("resource-type-differs".into());
                }
                if id.is_some() && *id != want.resource_id {
                    causes.push("resource-id-differs".into());
                }
            }
        }
    }
    (!causes.is_empty()).then(|| format!("parse_arn:{}", causes.join("+")))
}

/// How one field differs.
fn field_cause(name: &str, want: &str, got: &str) -> String {
    let how = if got.is_empty() {
        "empty"
    } else if let Some(rest) = want.strip_prefix(got) {
        match rest.chars().next() {
            Some(':') => "cut-at-colon",
            Some('/') => "cut-at-slash",
            _ => "truncated",
        }
    } else if got.eq_ignore_ascii_case(want) {
        "case-changed"
    } else if got.trim() == want.trim() {
        "whitespace-trimmed"
    } else {
        "differs"
    };
    format!("{name}-{how}")
}

fn invalid_arn_cause(text: &str, got: &Answer) -> Option<String> {
    let error = match Arn::parse(text) {
        Err(e) => e,
        Ok(_) => return Some("parse_arn:wrong-answer-shape".into()),
    };
    let reason = match error {
        ArnError::MissingPrefix { .. } if text.to_ascii_lowercase().starts_with("arn:") => {
            "prefix-case"
        }
        ArnError::MissingPrefix { .. } => "missing-prefix",
        ArnError::TooFewFields { .. } => "too-few-fields",
        ArnError::EmptyField { field, .. } => match field {
            "partition" => "empty-partition",
            "service" => "empty-service",
            _ => "empty-resource",
        },
    };
    match got {
        Answer::Invalid(_) => None,
        Answer::Arn(_) => Some(format!("parse_arn:accepts-invalid:{reason}")),
        Answer::Error(_) => Some(format!("parse_arn:error-on-invalid:{reason}")),
        _ => Some("parse_arn:wrong-answer-shape".into()),
    }
}

/// The simpler reading of `pattern` that gives the parser's answer `got` where the documented
/// one does not.
fn match_feature(kind: MatchKind, pattern: &str, value: &str, got: bool) -> &'static str {
    let documented_case = match kind {
        MatchKind::Action => CaseSensitivity::Insensitive,
        _ => CaseSensitivity::Sensitive,
    };
    let flipped = match documented_case {
        CaseSensitivity::Insensitive => CaseSensitivity::Sensitive,
        CaseSensitivity::Sensitive => CaseSensitivity::Insensitive,
    };
    let fold = |s: &str| match documented_case {
        CaseSensitivity::Insensitive => s.to_lowercase(),
        CaseSensitivity::Sensitive => s.to_owned(),
    };
    let literal_question = pattern.replace('?', "\u{0}");
    let readings: [(&'static str, bool); 7] = [
        ("exact", fold(pattern) == fold(value)),
        (
            "prefix",
            fold(value).starts_with(fold(pattern).trim_end_matches('*')),
        ),
        ("case", {
            let p = if matches!(kind, MatchKind::Action) && pattern == "*" {
                "*"
            } else {
                pattern
            };
            matches(p, value, flipped)
        }),
        (
            "question-mark-literal",
            matches(
                &literal_question,
                &value.replace('?', "\u{0}"),
                documented_case,
            ),
        ),
        (
            "whole-string-glob",
            matches(pattern, value, documented_case),
        ),
        ("completion", resource_matches(pattern, value, false)),
        (
            "star-stays-in-segment",
            segment_glob(pattern, value, documented_case),
        ),
    ];
    let documented = documented_match(kind, pattern, value);
    readings
        .iter()
        .find(|(_, answer)| *answer == got && *answer != documented)
        .map_or("other", |(name, _)| *name)
}

/// A glob where `*` and `?` never cross `:` or `/` (each segment matched on its own): the
/// reading of path-style matchers.
fn segment_glob(pattern: &str, value: &str, case: CaseSensitivity) -> bool {
    let separators = |c: char| c == ':' || c == '/';
    let pattern_separators: Vec<char> = pattern.chars().filter(|c| separators(*c)).collect();
    let value_separators: Vec<char> = value.chars().filter(|c| separators(*c)).collect();
    pattern_separators == value_separators
        && pattern
            .split(separators)
            .zip(value.split(separators))
            .all(|(p, v)| matches(p, v, case))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(text: &str) -> Input {
        Input::ParseArn { input: text.into() }
    }

    fn answer(resource: &str) -> Answer {
        Answer::Arn(ArnAnswer {
            partition: Some("aws".into()),
            service: Some("lambda".into()),
            region: Some("us-east-1".into()),
            account: Some("123456789012".into()),
            resource: Some(resource.into()),
            ..ArnAnswer::default()
        })
    }

    #[test]
    fn resource_cut_at_colon_is_named() {
        let input = arn("arn:aws:lambda:us-east-1:123456789012:function:f");
        let want = expected(&input);
        assert_eq!(root_cause(&input, &want, &answer("function:f")), None);
        assert_eq!(
            root_cause(&input, &want, &answer("function")).as_deref(),
            Some("parse_arn:resource-cut-at-colon")
        );
        assert_eq!(
            root_cause(&input, &want, &Answer::Invalid("no".into())).as_deref(),
            Some("parse_arn:rejects-valid:colon-in-resource")
        );
    }

    #[test]
    fn invalid_arns_are_named_by_their_flaw() {
        let input = arn("arn:aws::us-east-1:1:r");
        let want = expected(&input);
        assert_eq!(
            root_cause(&input, &want, &answer("r")).as_deref(),
            Some("parse_arn:accepts-invalid:empty-service")
        );
        assert_eq!(
            root_cause(&input, &want, &Answer::Invalid("x".into())),
            None
        );
    }

    #[test]
    fn prefix_reading_of_an_action_pattern_is_named() {
        let input = Input::Match {
            kind: MatchKind::Action,
            pattern: "s3:Get".into(),
            value: "s3:GetObject".into(),
        };
        let want = expected(&input);
        assert_eq!(want, Expected::Matched(false));
        assert_eq!(
            root_cause(&input, &want, &Answer::Matched(true)).as_deref(),
            Some("action:prefix:matches")
        );
        let input = Input::Match {
            kind: MatchKind::StringLike,
            pattern: "Abc".into(),
            value: "abc".into(),
        };
        assert_eq!(
            root_cause(&input, &expected(&input), &Answer::Matched(true)).as_deref(),
            Some("string_like:case:matches")
        );
    }
}
