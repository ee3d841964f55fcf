//! The optional AWS data set beside the checkout (`../shared/data/`: the AWS managed policies
//! and public example policies), read only by the tests that check real documents; each such
//! test is skipped, with a note, when a file is absent.

use serde::Deserialize;
use serde_json::value::RawValue;

/// The AWS managed policies (name, document).
pub const MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/managed-policies.json"
);
/// The public example policies.
pub const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/example-policies.json"
);

/// The text of `path`, or `None` with a note when it cannot be read.
pub fn read(path: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!("note: skipping, cannot read {path}: {error}");
            None
        }
    }
}

/// One managed policy; `document` is kept as its compact JSON text, key order and forms intact.
#[derive(Deserialize)]
pub struct Managed {
    /// The policy's name.
    pub name: String,
    /// Its default version's document.
    pub document: Box<RawValue>,
}
