//! `iam-harness compare`: what a new policy document grants that the old one does not (see
//! [`crate::compare`]). Exit 0 nothing new, 1 new access, 2 bad input.

use std::path::{Path, PathBuf};

use clap::Args;

use super::output::{error, outln, Out};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::compare::compare;
use crate::files::{read_text, ReadError};
use crate::policy::{parse_as, Policy, PolicyKind};

/// Arguments of `iam-harness compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The old policy document.
    #[arg(long)]
    old: PathBuf,
    /// The new policy document.
    #[arg(long)]
    new: PathBuf,
    /// The documents' kind: identity, resource, boundary, scp, rcp.
    #[arg(long, default_value = "identity")]
    kind: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

fn kind_of(name: &str) -> Option<PolicyKind> {
    [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Boundary,
        PolicyKind::Scp,
        PolicyKind::Rcp,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
}

/// Why a side of the comparison could not be read.
#[derive(Debug, thiserror::Error)]
enum SideError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io { file: String, source: ReadError },
    /// The file is not a valid policy of the kind (the message names the path inside it).
    #[error("{file}: {source}")]
    Policy {
        file: String,
        source: crate::policy::PolicyErrors,
    },
}

fn read(path: &Path, kind: PolicyKind) -> Result<Policy, SideError> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|source| SideError::Io {
        file: file.clone(),
        source,
    })?;
    parse_as(&text, kind).map_err(|source| SideError::Policy { file, source })
}

/// Runs `iam-harness compare`.
pub fn compare_command(args: &CompareArgs) -> u8 {
    let Some(kind) = kind_of(&args.kind) else {
        error(format_args!(
            "--kind `{}`: expected identity, resource, boundary, scp or rcp",
            args.kind
        ));
        return EXIT_USAGE;
    };
    let (old, new) = match (read(&args.old, kind), read(&args.new, kind)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            error(e);
            return EXIT_USAGE;
        }
    };
    let result = compare(&old, &new, kind);
    let mut out = Out::new();
    if args.json {
        match serde_json::to_string_pretty(&result) {
            Ok(text) => outln!(out, "{text}"),
            Err(e) => {
                error(format_args!("cannot write the comparison as JSON: {e}"));
                return EXIT_USAGE;
            }
        }
    } else {
        for finding in &result.new_access {
            outln!(out, "new: {}", finding.summary);
        }
        outln!(out, "{} new access findings", result.new_access.len());
    }
    out.finish(if result.new_access.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}
