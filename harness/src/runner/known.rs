//! Known failures of an engine: a list of `{"case", "test", "reason", "issue"}` entries
//! (`adapters/<engine>/known-failures.json`). A listed test that fails is reported apart as a
//! known failure (skipped, with the reason); a listed test that now *passes* is reported as a
//! failure of the list, so that the list stays true; an entry that matches no test of a run
//! ([`KnownUse`]) is stale — its case was renamed or removed — and is reported too.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::{read_text, ReadError};

use super::result::{Status, TestResult};
use super::shard::Shard;
use super::sink::Sink;

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownFailure {
    /// The case id.
    pub case: String,
    /// The test's name; `null` for every test of the case.
    #[serde(default)]
    pub test: Option<String>,
    /// Why the engine fails it (who is right according to the documentation).
    pub reason: String,
    /// The engine's issue about it, if any.
    #[serde(default)]
    pub issue: Option<String>,
}

impl KnownFailure {
    /// True when the entry is about `result`'s test.
    fn covers(&self, result: &TestResult) -> bool {
        self.case == result.case && self.test.as_deref().is_none_or(|t| t == result.test)
    }
}

/// A list of known failures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownFailures(pub Vec<KnownFailure>);

/// A known-failures file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KnownFailuresError {
    /// The file cannot be read.
    #[error("{}: {source}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        source: ReadError,
    },
    /// The file is not a list of known failures.
    #[error("{}: {source}", file.display())]
    Malformed {
        /// The file.
        file: PathBuf,
        /// What serde found wrong (with its line and column).
        source: serde_json::Error,
    },
}

impl KnownFailures {
    /// Reads a known-failures file.
    pub fn load(path: &Path) -> Result<KnownFailures, KnownFailuresError> {
        let text = read_text(path).map_err(|source| KnownFailuresError::Unreadable {
            file: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text)
            .map(KnownFailures)
            .map_err(|source| KnownFailuresError::Malformed {
                file: path.to_owned(),
                source,
            })
    }

    fn find(&self, result: &TestResult) -> Option<&KnownFailure> {
        self.0.iter().find(|k| k.covers(result))
    }

    /// Applies the list to one result: a listed failure becomes a skip with the reason; a listed
    /// pass becomes a failure asking for the entry to be removed.
    pub fn apply(&self, mut result: TestResult) -> TestResult {
        let Some(known) = self.find(&result) else {
            return result;
        };
        let issue = known
            .issue
            .as_deref()
            .map_or_else(String::new, |issue| format!(" ({issue})"));
        match result.status {
            Status::Fail | Status::Error => {
                result.status = Status::Skip;
                result.message = Some(format!("known failure: {}{issue}", known.reason));
            }
            Status::Pass => {
                result.status = Status::Fail;
                result.message = Some(format!(
                    "listed as a known failure but now passes: remove it from the known-failures file ({})",
                    known.reason
                ));
            }
            Status::Skip => {}
        }
        result
    }
}

/// A sink noting which entries of a known-failures list matched a test of the run, so that the
/// stale ones can be reported at the end ([`KnownUse::unmatched`]).
pub struct KnownUse<'a> {
    known: &'a KnownFailures,
    used: Vec<bool>,
}

impl<'a> KnownUse<'a> {
    /// Nothing matched yet.
    pub fn new(known: &'a KnownFailures) -> KnownUse<'a> {
        KnownUse {
            known,
            used: vec![false; known.0.len()],
        }
    }

    /// The entries of cases in `shard` that matched no test of the run.
    pub fn unmatched(&self, shard: Shard) -> Vec<&'a KnownFailure> {
        self.known
            .0
            .iter()
            .zip(&self.used)
            .filter(|(known, used)| !**used && shard.contains(&known.case))
            .map(|(known, _)| known)
            .collect()
    }
}

impl Sink for KnownUse<'_> {
    fn result(&mut self, result: &TestResult) -> std::io::Result<()> {
        for (known, used) in self.known.0.iter().zip(&mut self.used) {
            *used |= known.covers(result);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Decision;
    use std::sync::Arc;

    fn result(case: &str, status: Status) -> TestResult {
        TestResult {
            engine: "e".into(),
            case: case.into(),
            file: "f.json".into(),
            test: "t".into(),
            expect: Some(Decision::Allow),
            got: Some(Decision::ImplicitDeny),
            status,
            features: Arc::default(),
            ambiguous: false,
            message: None,
            explanation: None,
        }
    }

    #[test]
    fn known_failures_are_skipped_and_fixed_ones_flagged() {
        let list: KnownFailures = KnownFailures(
            serde_json::from_str(
                r#"[{"case":"a","test":null,"reason":"r","issue":"https://x/1"},{"case":"b","test":"other","reason":"r2"}]"#,
            )
            .unwrap(),
        );
        let skipped = list.apply(result("a", Status::Fail));
        assert_eq!(skipped.status, Status::Skip);
        assert_eq!(
            skipped.message.as_deref(),
            Some("known failure: r (https://x/1)")
        );
        let flagged = list.apply(result("a", Status::Pass));
        assert_eq!(flagged.status, Status::Fail);
        assert!(flagged.message.unwrap().contains("now passes"));
        assert_eq!(
            list.apply(result("b", Status::Fail)).status,
            Status::Fail,
            "other test"
        );
        assert_eq!(list.apply(result("c", Status::Fail)).status, Status::Fail);
        let mut used = KnownUse::new(&list);
        used.result(&result("a", Status::Pass)).unwrap();
        let stale: Vec<&str> = used
            .unmatched(Shard::ALL)
            .iter()
            .map(|k| k.case.as_str())
            .collect();
        assert_eq!(stale, ["b"], "`b › other` matched no test");
    }
}
