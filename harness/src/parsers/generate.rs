//! Inputs for the parser fuzzer: the parser corpus (`corpus-parsers/`, doc-cited fixture files
//! any parser project can use as its test suite) and seeded generated inputs — realistic ARNs of
//! every resource type in the embedded Service Authorization Reference ([`catalogue`]), near
//! misses, every wildcard form, unicode, colons and slashes in resources, policy variables.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::oracle::{expected, Expected};
use super::{Input, MatchKind};
use crate::catalogue::{catalogue, ResourceType, Service};

/// The ARN format page of the IAM User Guide.
pub const ARN_FORMAT_DOC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html";
/// The Service Authorization Reference.
pub const SAR_DOC: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html";

/// One corpus case: an input, the documented answer, and where the documentation says so.
/// (`deny_unknown_fields` does not combine with the flattened input.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusCase {
    /// A stable id, unique in its file.
    pub id: String,
    /// The input.
    #[serde(flatten)]
    pub input: Input,
    /// The documented answer: `{"arn": {…}}` (every field), `{"invalid": true}` or
    /// `{"matched": …}`.
    pub expected: serde_json::Value,
    /// The AWS documentation page that decides it.
    pub source: String,
    /// Tags (`ambiguous` where the documentation does not settle it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A corpus file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusFile {
    /// What the file covers.
    pub description: String,
    /// Its cases.
    pub cases: Vec<CorpusCase>,
}

/// Why the corpus cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A file is not a corpus file.
    #[error("`{}`: {reason}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why (serde's message with line and column).
        reason: String,
    },
    /// A case's `expected` is not what the documented rules give.
    #[error("`{}`: case `{id}` expects {stated}, the documented rules give {documented}", path.display())]
    WrongExpectation {
        /// The file.
        path: PathBuf,
        /// The case.
        id: String,
        /// What the file says.
        stated: String,
        /// What the oracle says.
        documented: String,
    },
}

/// The `expected` value of a corpus case for a documented answer.
pub fn expectation(expected: &Expected) -> serde_json::Value {
    match expected {
        Expected::Arn(fields) => serde_json::json!({ "arn": fields }),
        Expected::Invalid(_) => serde_json::json!({ "invalid": true }),
        Expected::Matched(b) => serde_json::json!({ "matched": b }),
    }
}

/// Reads every `*.json` file under `root` (sorted), checking each case's `expected` against the
/// documented rules.
pub fn load_corpus(root: &Path) -> Result<Vec<CorpusCase>, CorpusError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| CorpusError::Read {
            path: e
                .path()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf),
            source: e.into(),
        })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "json") {
            files.push(entry.into_path());
        }
    }
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| CorpusError::Read {
            path: path.clone(),
            source,
        })?;
        let file: CorpusFile = serde_json::from_str(&text).map_err(|e| CorpusError::Parse {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        for case in file.cases {
            let documented = expectation(&expected(&case.input));
            if documented != case.expected {
                return Err(CorpusError::WrongExpectation {
                    path,
                    id: case.id,
                    stated: case.expected.to_string(),
                    documented: documented.to_string(),
                });
            }
            cases.push(case);
        }
    }
    Ok(cases)
}

/// A small seeded generator (SplitMix64): the same seed gives the same inputs everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % u64::try_from(n).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Values for the placeholders of an ARN format: realistic names, and the characters parsers
/// get wrong (colons, slashes, unicode, spaces, wildcards, variables).
const NAMES: [&str; 20] = [
    "example",
    "my-bucket",
    "prod/app/config",
    "a:b",
    "f:1",
    "path/to/object.jpg",
    "na\u{ef}ve",
    "\u{65e5}\u{672c}",
    "with space",
    "*",
    "obj?",
    "${aws:username}",
    "a//b",
    "trailing/",
    "UPPER",
    "1234",
    "x.y_z-w",
    "a:b:c/d",
    ":",
    "%2F",
];

const REGIONS: [&str; 5] = ["us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "*"];

/// Fills the `${…}` placeholders of an ARN format: `pick` chooses the value of each.
fn fill(format: &str, mut pick: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        match after.find('}') {
            Some(end) => {
                out.push_str(&pick(after.get(2..end).unwrap_or_default()));
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The documented example value of a placeholder, as in the reference's own examples.
fn documented_value(placeholder: &str) -> String {
    match placeholder {
        "Partition" => "aws".into(),
        "Region" => "us-east-1".into(),
        "Account" | "AccountId" => "123456789012".into(),
        other => format!("example-{}", other.to_ascii_lowercase()),
    }
}

/// Every resource type of every service, in catalogue order.
fn resource_types() -> impl Iterator<Item = (&'static Service, &'static ResourceType)> {
    catalogue()
        .services
        .iter()
        .flat_map(|s| s.resource_types.iter().map(move |r| (s, r)))
}

/// The corpus of the Service Authorization Reference: the documented ARN format of every
/// resource type filled with example values, and, for each service's first resource type, the
/// near-invalid forms (no resource, five fields, `ARN:` in capitals, empty service).
pub fn reference_corpus() -> CorpusFile {
    let mut cases = Vec::new();
    let mut case = |id: String, text: String, source: &str| {
        let input = Input::ParseArn { input: text };
        cases.push(CorpusCase {
            id,
            expected: expectation(&expected(&input)),
            input,
            source: source.into(),
            tags: Vec::new(),
        });
    };
    for service in &catalogue().services {
        for (index, rt) in service.resource_types.iter().enumerate() {
            let text = fill(&rt.arn_format, documented_value);
            let id = format!("{}/{}", service.prefix, rt.name);
            case(id.clone(), text.clone(), SAR_DOC);
            if index == 0 {
                let mut parts: Vec<&str> = text.splitn(6, ':').collect();
                let five = parts.get(..5).map(|p| p.join(":")).unwrap_or_default();
                case(
                    format!("{id}/no-resource"),
                    format!("{five}:"),
                    ARN_FORMAT_DOC,
                );
                case(format!("{id}/five-fields"), five.clone(), ARN_FORMAT_DOC);
                case(
                    format!("{id}/upper-prefix"),
                    text.replacen("arn:", "ARN:", 1),
                    ARN_FORMAT_DOC,
                );
                if let Some(service_part) = parts.get_mut(2) {
                    *service_part = "";
                }
                case(
                    format!("{id}/empty-service"),
                    parts.join(":"),
                    ARN_FORMAT_DOC,
                );
            }
        }
    }
    CorpusFile {
        description: format!(
            "The documented ARN format of every resource type in the Service Authorization \
             Reference ({}), filled with example values, and near-invalid forms of each \
             service's first resource type. Generated by `iam-harness parsers --write-corpus`.",
            catalogue().source
        ),
        cases,
    }
}

/// A realistic ARN: a random resource type's format with random placeholder values.
fn realistic_arn(rng: &mut Rng) -> String {
    let count = resource_types().count();
    let Some((_, rt)) = resource_types().nth(rng.below(count)) else {
        return "arn:aws:s3:::bucket/key".into();
    };
    fill(&rt.arn_format, |placeholder| match placeholder {
        "Partition" => rng
            .pick(&crate::arn::KNOWN_PARTITIONS)
            .map_or("aws", |p| p)
            .to_owned(),
        "Region" => rng.pick(&REGIONS).map_or("", |r| r).to_owned(),
        "Account" | "AccountId" => format!("{:012}", rng.next_u64() % 1_000_000_000_000),
        _ => rng.pick(&NAMES).map_or("x", |n| n).to_owned(),
    })
}

/// A near miss of an ARN: one edit that the documented rules may or may not accept.
fn near_miss(rng: &mut Rng, arn: &str) -> String {
    let chars: Vec<char> = arn.chars().collect();
    let at = rng.below(chars.len() + 1);
    let (head, tail) = chars.split_at(at.min(chars.len()));
    let head: String = head.iter().collect();
    let tail: String = tail.iter().collect();
    match rng.below(9) {
        0 => arn.replacen("arn:", "ARN:", 1),
        1 => format!("{head}{}", tail.replacen(':', "", 1)),
        2 => head,
        3 => format!(" {arn}"),
        4 => format!("{arn}\n"),
        5 => format!("{head}:{tail}"),
        6 => arn.replacen(':', "/", 1 + rng.below(5)),
        7 => {
            let mut parts: Vec<&str> = arn.splitn(6, ':').collect();
            let field = rng.below(parts.len());
            if let Some(part) = parts.get_mut(field) {
                *part = "";
            }
            parts.join(":")
        }
        _ => format!("{head}\u{2003}{tail}"),
    }
}

/// A wildcard pattern derived from `value`: the value itself, a prefix with or without `*`, a
/// `?` for one character, an infix `*`, a bare `*`, a case change, or an extra character.
fn wildcard_form(rng: &mut Rng, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let i = rng.below(n + 1);
    let j = (i + rng.below(n - i.min(n) + 1)).min(n);
    let slice = |a: usize, b: usize| {
        chars
            .get(a..b)
            .map(|c| c.iter().collect::<String>())
            .unwrap_or_default()
    };
    match rng.below(10) {
        0 => value.to_owned(),
        1 => format!("{}*", slice(0, i)),
        2 => slice(0, i),
        3 if i < n => format!("{}?{}", slice(0, i), slice(i + 1, n)),
        4 => format!("{}*{}", slice(0, i), slice(j, n)),
        5 => "*".into(),
        6 => value.to_uppercase(),
        7 => format!("{value}?"),
        8 => format!("{}*{}", slice(0, i).to_lowercase(), slice(j, n)),
        _ => format!("{}?*", slice(0, i)),
    }
}

/// A random action name from the catalogue.
fn random_action(rng: &mut Rng) -> String {
    let services = &catalogue().services;
    let Some(service) = rng.pick(services) else {
        return "s3:GetObject".into();
    };
    rng.pick(&service.actions).map_or_else(
        || format!("{}:*", service.prefix),
        |a| format!("{}:{}", service.prefix, a.name),
    )
}

/// `count` generated inputs from `seed`, cycling through the families: realistic ARNs, near
/// misses, and the four matchers with wildcard forms of realistic values.
pub fn generated(seed: u64, count: usize) -> Vec<Input> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| match i % 6 {
            0 => Input::ParseArn {
                input: realistic_arn(&mut rng),
            },
            1 => {
                let arn = realistic_arn(&mut rng);
                Input::ParseArn {
                    input: near_miss(&mut rng, &arn),
                }
            }
            family => {
                let (kind, value) = match family {
                    2 => (MatchKind::Action, random_action(&mut rng)),
                    3 => (MatchKind::Resource, realistic_arn(&mut rng)),
                    4 => (
                        MatchKind::StringLike,
                        rng.pick(&NAMES).map_or("x", |n| n).to_owned(),
                    ),
                    _ => (MatchKind::ArnLike, realistic_arn(&mut rng)),
                };
                let pattern = if rng.below(8) == 0 {
                    // A pattern of another value: mostly a non-match.
                    let other = realistic_arn(&mut rng);
                    wildcard_form(&mut rng, &other)
                } else {
                    wildcard_form(&mut rng, &value)
                };
                Input::Match {
                    kind,
                    pattern,
                    value,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_seeded_and_varied() {
        let a = generated(7, 300);
        assert_eq!(a, generated(7, 300));
        assert_ne!(a, generated(8, 300));
        let invalid = a
            .iter()
            .filter(|i| matches!(expected(i), Expected::Invalid(_)))
            .count();
        let matched = a
            .iter()
            .filter(|i| matches!(expected(i), Expected::Matched(true)))
            .count();
        let unmatched = a
            .iter()
            .filter(|i| matches!(expected(i), Expected::Matched(false)))
            .count();
        assert!(
            invalid > 10 && matched > 20 && unmatched > 20,
            "{invalid} {matched} {unmatched}"
        );
        assert!(a
            .iter()
            .any(|i| matches!(i, Input::ParseArn { input } if input.contains("${"))));
    }

    #[test]
    fn the_committed_corpus_is_the_documented_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus-parsers");
        let cases = load_corpus(&root).unwrap();
        assert!(cases.len() > 1000, "{}", cases.len());
        let text = std::fs::read_to_string(root.join("arns/service-authorization-reference.json"))
            .unwrap();
        let committed: CorpusFile = serde_json::from_str(&text).unwrap();
        assert_eq!(
            committed,
            reference_corpus(),
            "regenerate with `iam-harness parsers --write-corpus corpus-parsers`"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                documented_value
            ),
            "arn:aws:s3:::example-bucketname/example-objectname"
        );
        assert_eq!(fill("a${b", documented_value), "a${b");
    }
}
