//! Two Rust ARN parsers from crates.io wired in-process to the harness's
//! [`Parser`](iam_harness::parsers::Parser) trait, the way `adapters/aws-iam` wires an engine to
//! the `Evaluator` trait: [`AwsArn`] (`aws-arn`'s `ResourceName: FromStr`) and [`Scratchstack`]
//! (`scratchstack-arn`'s `Arn: FromStr`). Both only parse ARNs, so they claim `parse_arn`; every
//! `match` question is answered [`Answer::Unsupported`].
//!
//! The adapters only translate: a field the crate leaves out (`None`) is reported as the empty
//! string, which is how the ARN text itself spells an omitted field, and a panic inside the crate
//! becomes [`Answer::Error`] for that input alone.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use iam_harness::parsers::{Answer, ArnAnswer, Input, Parser, ParserInfo};

/// The exact `aws-arn` version this adapter is built against (pinned in `Cargo.toml`).
pub const AWS_ARN_VERSION: &str = "0.3.1";
/// The exact `scratchstack-arn` version this adapter is built against (pinned in `Cargo.toml`).
pub const SCRATCHSTACK_ARN_VERSION: &str = "0.4.9";

/// Runs `parse` on the input of a `parse_arn` question, turning a panic into an error answer;
/// any other question is unsupported.
fn answer_parse(input: &Input, parse: impl Fn(&str) -> Answer) -> Answer {
    match input {
        Input::ParseArn { input } => catch_unwind(AssertUnwindSafe(|| parse(input)))
            .unwrap_or_else(|_| Answer::Error("the parser panicked".to_owned())),
        Input::Match { .. } => Answer::Unsupported("the crate has no policy matchers".to_owned()),
    }
}

/// The answer for parsed fields.
fn arn_answer(
    partition: &str,
    service: &str,
    region: &str,
    account: &str,
    resource: &str,
) -> Answer {
    Answer::Arn(ArnAnswer {
        partition: Some(partition.to_owned()),
        service: Some(service.to_owned()),
        region: Some(region.to_owned()),
        account: Some(account.to_owned()),
        resource: Some(resource.to_owned()),
        ..ArnAnswer::default()
    })
}

/// The [`aws-arn`](https://crates.io/crates/aws-arn) crate's `ResourceName` parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct AwsArn;

impl Parser for AwsArn {
    fn info(&self) -> ParserInfo {
        ParserInfo {
            name: "aws-arn".to_owned(),
            version: AWS_ARN_VERSION.to_owned(),
            language: "Rust".to_owned(),
            homepage: "https://crates.io/crates/aws-arn".to_owned(),
        }
    }

    fn supports(&self) -> Vec<String> {
        vec!["parse_arn".to_owned()]
    }

    fn answer(&self, input: &Input) -> Answer {
        answer_parse(input, |text| match aws_arn::ResourceName::from_str(text) {
            Ok(arn) => arn_answer(
                &arn.partition.map(|p| p.to_string()).unwrap_or_default(),
                &arn.service.to_string(),
                &arn.region.map(|r| r.to_string()).unwrap_or_default(),
                &arn.account_id.map(|a| a.to_string()).unwrap_or_default(),
                &arn.resource.to_string(),
            ),
            Err(error) => Answer::Invalid(error.to_string()),
        })
    }
}

/// The [`scratchstack-arn`](https://crates.io/crates/scratchstack-arn) crate's `Arn` parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct Scratchstack;

impl Parser for Scratchstack {
    fn info(&self) -> ParserInfo {
        ParserInfo {
            name: "scratchstack-arn".to_owned(),
            version: SCRATCHSTACK_ARN_VERSION.to_owned(),
            language: "Rust".to_owned(),
            homepage: "https://crates.io/crates/scratchstack-arn".to_owned(),
        }
    }

    fn supports(&self) -> Vec<String> {
        vec!["parse_arn".to_owned()]
    }

    fn answer(&self, input: &Input) -> Answer {
        answer_parse(input, |text| match scratchstack_arn::Arn::from_str(text) {
            Ok(arn) => arn_answer(
                arn.partition(),
                arn.service(),
                arn.region(),
                arn.account_id(),
                arn.resource(),
            ),
            Err(error) => Answer::Invalid(error.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(parser: &dyn Parser, text: &str) -> Answer {
        parser.answer(&Input::ParseArn {
            input: text.to_owned(),
        })
    }

    #[test]
    fn both_parse_a_documented_arn_into_its_fields() {
        let text = "arn:aws:iam::123456789012:user/johndoe";
        for parser in [&AwsArn as &dyn Parser, &Scratchstack] {
            assert_eq!(
                parse(parser, text),
                arn_answer("aws", "iam", "", "123456789012", "user/johndoe"),
                "{}",
                parser.info().name
            );
        }
    }

    #[test]
    fn both_reject_text_that_is_not_an_arn_and_skip_matching() {
        for parser in [&AwsArn as &dyn Parser, &Scratchstack] {
            assert!(matches!(parse(parser, "not-an-arn"), Answer::Invalid(_)));
            let question = Input::Match {
                kind: iam_harness::parsers::MatchKind::Action,
                pattern: "s3:*".to_owned(),
                value: "s3:GetObject".to_owned(),
            };
            assert!(matches!(parser.answer(&question), Answer::Unsupported(_)));
        }
    }

    #[test]
    fn aws_arn_rejects_the_documented_managed_policy_arn() {
        // The finding reported upstream: account `aws` is how AWS managed policies are named.
        let text = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        assert!(matches!(parse(&AwsArn, text), Answer::Invalid(_)));
        assert!(matches!(parse(&Scratchstack, text), Answer::Arn(_)));
    }

    /// A parser with a planted bug: the resource is cut at its first `:`.
    struct CutAtColon;

    impl Parser for CutAtColon {
        fn info(&self) -> ParserInfo {
            ParserInfo {
                name: "planted".to_owned(),
                ..ParserInfo::default()
            }
        }
        fn supports(&self) -> Vec<String> {
            vec!["parse_arn".to_owned()]
        }
        fn answer(&self, input: &Input) -> Answer {
            answer_parse(input, |text| {
                let fields: Vec<&str> = text.splitn(6, ':').collect();
                match fields.as_slice() {
                    ["arn", partition, service, region, account, resource]
                        if !partition.is_empty() && !service.is_empty() && !resource.is_empty() =>
                    {
                        let cut = resource.split(':').next().unwrap_or_default();
                        arn_answer(partition, service, region, account, cut)
                    }
                    _ => Answer::Invalid("not an ARN".to_owned()),
                }
            })
        }
    }

    #[test]
    fn an_in_process_parser_with_a_planted_bug_is_caught_with_a_minimal_input() {
        use iam_harness::parsers::generate::{generated, load_corpus};
        use iam_harness::parsers::known::KnownDifferences;
        use iam_harness::parsers::run::run_parser;
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../corpus-parsers");
        let corpus = load_corpus(std::path::Path::new(root)).unwrap();
        let run = run_parser(
            &CutAtColon,
            &corpus,
            &generated(1, 300),
            &KnownDifferences::default(),
            200,
        );
        let cut = run
            .findings
            .iter()
            .find(|f| f.root_cause.contains("resource-cut-at-colon"))
            .expect("the planted bug is a root cause of its own");
        let Input::ParseArn { input } = &cut.input else {
            panic!("a parse_arn finding")
        };
        assert!(input.len() <= "arn:a:b:::c:d".len(), "not minimal: {input}");
        assert!(run.summary.unknown_root_causes >= 1);
    }
}
