//! The policy parser, validator and printer against real documents: the 1,594 AWS managed
//! policies and the public example policies of the optional data set beside the checkout (see `shared_data`).
//! Each test is skipped, with a note, when its data file is absent.

use std::collections::BTreeMap;

use iam_harness::policy::{parse, to_string, to_string_pretty, validate, PolicyKind};
use serde::Deserialize;
use serde_json::value::RawValue;

mod shared_data;

use shared_data::{read, Managed, EXAMPLES, MANAGED};

#[test]
fn every_managed_policy_parses_validates_and_round_trips() {
    let Some(data) = read(MANAGED) else { return };
    let policies: Vec<Managed> = serde_json::from_str(&data).unwrap();
    assert_eq!(policies.len(), 1_594);
    let mut over_size = Vec::new();
    for managed in &policies {
        let text = managed.document.get();
        let policy = parse(text).unwrap_or_else(|e| panic!("{}: {e}", managed.name));
        if let Err(errors) = validate(&policy, PolicyKind::Identity, text) {
            let (size, other): (Vec<_>, Vec<_>) = errors
                .0
                .into_iter()
                .partition(|e| e.path.is_empty() && e.message.starts_with("policy size"));
            assert!(other.is_empty(), "{}: {other:?}", managed.name);
            assert_eq!(size.len(), 1, "{}", managed.name);
            over_size.push(managed.name.as_str());
        }
        let printed = to_string(&policy);
        assert_eq!(parse(&printed).as_ref(), Ok(&policy), "{}", managed.name);
        assert_eq!(
            parse(&to_string_pretty(&policy)).as_ref(),
            Ok(&policy),
            "{}",
            managed.name
        );
        // The data was re-serialised compactly with key order kept, and the printer keeps
        // every form, so a document already in canonical key order prints back identically.
        let reparsed: serde_json::Value = serde_json::from_str(text).unwrap();
        let printed_value: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(reparsed, printed_value, "{}", managed.name);
    }
    eprintln!(
        "managed policies: {} parsed, {} over the identity size limit: {over_size:?}",
        policies.len(),
        over_size.len()
    );
    assert!(over_size.len() < 100, "{}", over_size.len());
}

/// One example policy: `raw` is the original file text when the policy was its own file.
#[derive(Deserialize)]
struct Example {
    id: String,
    kind: String,
    document: Option<Box<RawValue>>,
    raw: Option<String>,
}

/// The policy kind an example's `kind` names, where it names one.
fn policy_kind(kind: &str) -> Option<PolicyKind> {
    match kind {
        "scp" => Some(PolicyKind::Scp),
        "rcp" => Some(PolicyKind::Rcp),
        "trust" => Some(PolicyKind::Trust),
        "customer-managed" | "inline" => Some(PolicyKind::Identity),
        "vpc-endpoint" => Some(PolicyKind::Resource),
        _ => None,
    }
}

#[test]
fn example_policies_parse() {
    let Some(data) = read(EXAMPLES) else { return };
    let examples: Vec<Example> = serde_json::from_str(&data).unwrap();
    let mut parsed = 0;
    let mut failed = Vec::new();
    // kind → (validated, rejected)
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for example in &examples {
        // The original text where there is one (it may be malformed), else the document.
        let text = match (&example.raw, &example.document) {
            (Some(raw), _) => raw.as_str(),
            (None, Some(document)) => document.get(),
            (None, None) => continue,
        };
        match parse(text) {
            Ok(policy) => {
                parsed += 1;
                assert_eq!(
                    parse(&to_string(&policy)),
                    Ok(policy.clone()),
                    "{}",
                    example.id
                );
                if let Some(kind) = policy_kind(&example.kind) {
                    let entry = by_kind.entry(example.kind.as_str()).or_default();
                    match validate(&policy, kind, text) {
                        Ok(()) => entry.0 += 1,
                        Err(errors) => {
                            entry.1 += 1;
                            eprintln!("{} ({}): {errors}", example.id, example.kind);
                        }
                    }
                }
            }
            Err(errors) => {
                eprintln!("{} ({}): {errors}", example.id, example.kind);
                failed.push((example.kind.as_str(), example.id.as_str()));
            }
        }
    }
    eprintln!(
        "example policies: {} records, {parsed} parsed, {} failed: {failed:?}; \
         validation (valid, rejected) by kind: {by_kind:?}",
        examples.len(),
        failed.len()
    );
    assert!(
        failed.iter().any(|(kind, _)| *kind == "scp-invalid-json"),
        "the malformed scp must not parse"
    );
    assert!(parsed > 900, "{parsed}");
}
