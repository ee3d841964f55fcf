//! The loader target: `loaders`.

use super::{ensure, Violation};
use crate::load::parse_document;

/// The file name the loader is given, which every error must carry.
const FILE: &str = "fuzz.json";

/// `loaders`: the whole input is the text of a case file. [`parse_document`] (a case checked,
/// or a scenario compiled into its cases) never panics; an error names the file and says what
/// is wrong; a success is at least one case, each with an id and at least one test.
pub fn check_loaders(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "loaders";
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    check_world(text)?;
    match parse_document(text, FILE) {
        Err(errors) => {
            for error in errors.iter() {
                ensure(
                    error.file == FILE && !error.message.is_empty(),
                    TARGET,
                    || format!("{text:?}: an error without its file or reason: {error:?}"),
                )?;
            }
            Ok(())
        }
        Ok(cases) => {
            ensure(!cases.is_empty(), TARGET, || {
                format!("{text:?} loaded as no case at all")
            })?;
            for case in &cases {
                ensure(
                    !case.id.is_empty() && !case.tests.is_empty(),
                    TARGET,
                    || format!("{text:?} loaded a case without an id or tests: {case:?}"),
                )?;
            }
            Ok(())
        }
    }
}

/// The same text as a world source (account dump, Terraform, CloudFormation, scenario): never
/// a panic; each error names the file and a reason; what loads names its file, and so does
/// every skipped item.
fn check_world(text: &str) -> Result<(), Violation> {
    const TARGET: &str = "loaders";
    match crate::world::load_text(text, FILE, &crate::world::LoadOptions::default()) {
        Err(errors) => {
            ensure(!errors.is_empty(), TARGET, || {
                format!("{text:?}: refused without a reason")
            })?;
            for error in &errors {
                ensure(
                    error.file == FILE && !error.message.is_empty(),
                    TARGET,
                    || format!("{text:?}: a world error without its file or reason: {error:?}"),
                )?;
            }
            Ok(())
        }
        Ok(world) => {
            ensure(world.files == [FILE], TARGET, || {
                format!(
                    "{text:?}: the world does not name its file: {:?}",
                    world.files
                )
            })?;
            for skipped in &world.skipped {
                ensure(
                    skipped.file == FILE && !skipped.reason.is_empty(),
                    TARGET,
                    || format!("{text:?}: a skipped item without its file or reason: {skipped:?}"),
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(r#"{"id":"a","tests":[{"name":"t","request":{"principal":"*","action":"s3:GetObject","resource":"*"},"expect":"implicit_deny"}]}"#)]
    #[case(r#"{"scenario":"w","accounts":{},"principals":{},"expectations":[]}"#)]
    #[case(r#"{"id":"","tests":[]}"#)]
    #[case("\u{feff}{}")]
    #[case("[")]
    fn loader_check_passes(#[case] text: &str) {
        assert_eq!(check_loaders(text.as_bytes()), Ok(()));
    }
}
