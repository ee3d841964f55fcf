//! An adapter's known differences (`adapters/parsers/<name>/known-differences.json`): root causes
//! the parser is known to disagree on, each saying who is right according to the documentation.
//! `iam-harness parsers` exits 0 when every remaining disagreement is one of them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::glob::{matches, CaseSensitivity};

/// Who is right about a known difference, according to the AWS documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// The documentation decides against the parser: a bug in the parser.
    Documentation,
    /// The parser's answer is also correct (the difference is one of representation).
    Parser,
    /// The documentation does not settle it.
    Ambiguous,
}

/// One known difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDifference {
    /// The root cause id, or a glob over ids (`parse_arn:rejects-valid:*`).
    pub root_cause: String,
    /// Who is right.
    pub right: Right,
    /// Why, citing the documentation.
    pub note: String,
}

/// A known-differences file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDifferences {
    /// The parser the file is about.
    #[serde(default)]
    pub parser: String,
    /// Its differences.
    pub differences: Vec<KnownDifference>,
}

/// Why a known-differences file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KnownError {
    /// It cannot be read.
    #[error("`{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: crate::files::ReadError,
    },
    /// It is not a known-differences file.
    #[error("`{}`: {reason}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why.
        reason: String,
    },
}

impl KnownDifferences {
    /// Reads a file.
    pub fn load(path: &Path) -> Result<KnownDifferences, KnownError> {
        let text = crate::files::read_text(path).map_err(|source| KnownError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| KnownError::Parse {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// The entry covering `root_cause`, if any.
    pub fn lookup(&self, root_cause: &str) -> Option<&KnownDifference> {
        self.differences
            .iter()
            .find(|d| matches(&d.root_cause, root_cause, CaseSensitivity::Sensitive))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_match_by_glob() {
        let known: KnownDifferences = serde_json::from_str(
            r#"{"differences":[{"root_cause":"parse_arn:rejects-valid:*","right":"documentation","note":"n"}]}"#,
        )
        .unwrap();
        assert!(known
            .lookup("parse_arn:rejects-valid:colon-in-resource")
            .is_some());
        assert!(known.lookup("action:prefix:matches").is_none());
        let bad = serde_json::from_str::<KnownDifferences>(
            r#"{"differences":[{"root_cause":"x","right":"nobody","note":""}]}"#,
        );
        assert!(bad.is_err());
    }
}
