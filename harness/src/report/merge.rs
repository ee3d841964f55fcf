//! `report merge`: the JSON Lines streams of a run's shards (`--shard I/N`) joined into the
//! stream of the whole run. Every (engine, case, test) may come from one shard only; the results
//! come out in one canonical order — by file, then case id, each case's tests in run order — so
//! merging the shards of a run gives what merging the unsplit run gives, result for result.

use std::collections::HashSet;

use crate::engine::EngineInfo;
use crate::runner::{Summary, TestResult};

use super::jsonl::Stream;

/// Why streams cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no streams to merge")]
    Empty,
    /// A stream's header names other engines than the first stream's.
    #[error("stream {index} is a run of {found:?}, the first of {expected:?}: shards of one run name the same engines")]
    Engines {
        /// The stream's position, from 1.
        index: usize,
        /// The first stream's engine names.
        expected: Vec<String>,
        /// This stream's engine names.
        found: Vec<String>,
    },
    /// One test is in two streams (or twice in one): the streams are not shards of one run.
    #[error("engine `{engine}`, case `{case}`, test `{test}` is in more than one stream")]
    Duplicate {
        /// The engine.
        engine: String,
        /// The case id.
        case: String,
        /// The test's name.
        test: String,
    },
}

fn names(engines: &[EngineInfo]) -> Vec<String> {
    engines.iter().map(|e| e.name.clone()).collect()
}

/// Joins `streams` (the shards of one run) into one stream; see the module comment.
pub fn merge(streams: Vec<Stream>) -> Result<Stream, MergeError> {
    let mut streams = streams.into_iter();
    let first = streams.next().ok_or(MergeError::Empty)?;
    let expected = names(&first.engines);
    let engines = first.engines;
    let mut results = first.results;
    for (index, stream) in streams.enumerate() {
        let found = names(&stream.engines);
        if found != expected {
            return Err(MergeError::Engines {
                index: index + 2,
                expected,
                found,
            });
        }
        results.extend(stream.results);
    }
    let mut seen = HashSet::new();
    for r in &results {
        if !seen.insert((r.engine.as_str(), r.case.as_str(), r.test.as_str())) {
            return Err(MergeError::Duplicate {
                engine: r.engine.clone(),
                case: r.case.clone(),
                test: r.test.clone(),
            });
        }
    }
    // Stable: a case's results come from one shard, in run order.
    results.sort_by(|a, b| (&a.file, &a.case).cmp(&(&b.file, &b.case)));
    Ok(Stream { engines, results })
}

/// The summary of merged results.
pub fn summary(results: &[TestResult]) -> Summary {
    let mut summary = Summary::default();
    for r in results {
        summary.add(r);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Decision;
    use crate::runner::Status;

    fn info(name: &str) -> EngineInfo {
        serde_json::from_value(serde_json::json!({"name": name, "version": "1", "features": []}))
            .unwrap()
    }

    fn result(file: &str, case: &str, test: &str) -> TestResult {
        TestResult {
            engine: "e".into(),
            case: case.into(),
            file: file.into(),
            test: test.into(),
            expect: Some(Decision::Allow),
            got: Some(Decision::Allow),
            status: Status::Pass,
            features: vec![].into(),
            ambiguous: false,
            message: None,
            explanation: None,
        }
    }

    #[test]
    fn merges_in_canonical_order_and_refuses_overlaps() {
        let a = Stream {
            engines: vec![info("e")],
            results: vec![result("b.json", "b", "2"), result("b.json", "b", "1")],
        };
        let b = Stream {
            engines: vec![info("e")],
            results: vec![result("a.json", "a", "1")],
        };
        let merged = merge(vec![a.clone(), b.clone()]).unwrap();
        let order: Vec<_> = merged.results.iter().map(|r| r.test.as_str()).collect();
        assert_eq!(order, ["1", "2", "1"]);
        assert_eq!(merged.results.first().map(|r| r.case.as_str()), Some("a"));
        assert_eq!(summary(&merged.results).passed, 3);
        assert!(matches!(
            merge(vec![a.clone(), a.clone()]),
            Err(MergeError::Duplicate { .. })
        ));
        let other = Stream {
            engines: vec![info("f")],
            ..b
        };
        assert!(matches!(
            merge(vec![a, other]),
            Err(MergeError::Engines { index: 2, .. })
        ));
        assert_eq!(merge(vec![]).err(), Some(MergeError::Empty));
    }
}
