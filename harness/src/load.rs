//! Loading case files: a file holds one case or a scenario world that compiles into cases
//! ([`crate::scenario`]); a folder holds such files. Sits above both formats, so neither
//! depends on the other.
//!
//! A file is parsed once: its top-level keys say which format it is as they are read (see
//! [`Document`]), so the text is never parsed into a generic JSON value first.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::case::{Case, CaseError, CaseErrorKind, CaseErrors};
use crate::files::{file_type, kind_name, read_text, ReadError};
use crate::scenario::Scenario;

/// A case together with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    /// The file the case was read from.
    pub file: PathBuf,
    /// The case.
    pub case: Case,
}

/// What a case file holds, told apart by its first top-level key that only one format has
/// (`id`, `features`, `policies`, `tests` for a case; `scenario`, `accounts`, `principals`,
/// `resources`, `expectations` for a scenario). Keys both formats have (`description`,
/// `source`) are kept until then; a file with neither kind of key, or with an unknown key
/// first, is read as a case, whose errors then name what is missing or unknown.
#[derive(Debug, Clone)]
pub enum Document {
    /// One case.
    Case(Case),
    /// A scenario world.
    Scenario(Scenario),
}

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Case,
    Scenario,
}

/// The format a top-level key belongs to only, if it does.
fn format_of(key: &str) -> Option<Format> {
    match key {
        "id" | "features" | "policies" | "tests" => Some(Format::Case),
        "scenario" | "accounts" | "principals" | "resources" | "expectations" => {
            Some(Format::Scenario)
        }
        _ => None,
    }
}

/// The value of a key both formats have, read before the format is known.
enum Shared {
    /// `description`.
    Text(String),
    /// `source`.
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a case or a scenario (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut shared = Vec::new();
        loop {
            let Some(key) = map.next_key::<String>()? else {
                return finish(Format::Case, shared, None, map);
            };
            let value = match key.as_str() {
                "description" => Shared::Text(map.next_value()?),
                "source" => Shared::List(map.next_value()?),
                other => {
                    let format = format_of(other).unwrap_or(Format::Case);
                    return finish(format, shared, Some(key), map);
                }
            };
            shared.push((key, value));
        }
    }
}

/// Reads the rest of the map as `format`, replaying the keys already read.
fn finish<'de, A: MapAccess<'de>>(
    format: Format,
    shared: Vec<(String, Shared)>,
    key: Option<String>,
    live: A,
) -> Result<Document, A::Error> {
    let replay = MapAccessDeserializer::new(Replay {
        shared: shared.into_iter(),
        value: None,
        key,
        live,
    });
    match format {
        Format::Case => Case::deserialize(replay).map(Document::Case),
        Format::Scenario => Scenario::deserialize(replay).map(Document::Scenario),
    }
}

/// A map that first gives back the shared entries read before the format was known, then the
/// key that decided it, then the rest of the file's map.
struct Replay<A> {
    shared: std::vec::IntoIter<(String, Shared)>,
    /// The value of the shared entry whose key was just given.
    value: Option<Shared>,
    /// The key that decided the format, not given yet.
    key: Option<String>,
    live: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.shared.next() {
            self.value = Some(value);
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
        match self.key.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.live.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            Some(Shared::Text(text)) => {
                seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(text))
            }
            Some(Shared::List(list)) => {
                seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(list))
            }
            None => self.live.next_value_seed(seed),
        }
    }
}

/// Parses a case file's text (once) and checks it: a case, or a scenario compiled into its
/// cases. `file` names the source in errors; every problem past a syntax or shape error is
/// reported. A scenario without expectations is an error: it would run nothing.
pub fn parse_document(text: &str, file: &str) -> Result<Vec<Case>, CaseErrors> {
    match serde_json::from_str(text).map_err(|e| CaseError::from_json(file, &e))? {
        Document::Case(case) => {
            case.check(file)?;
            Ok(vec![case])
        }
        Document::Scenario(scenario) => {
            let cases = scenario.compile(file)?;
            if cases.is_empty() {
                return Err(CaseError::new(
                    CaseErrorKind::NoTests,
                    file,
                    "expectations",
                    "the scenario has no expectations: nothing to run",
                )
                .into());
            }
            Ok(cases)
        }
    }
}

/// A problem reading the file or folder `path` (the whole file: no place inside it).
fn unreadable(path: &Path, message: impl Into<String>) -> CaseError {
    CaseError::new(
        CaseErrorKind::Unreadable,
        &path.display().to_string(),
        "",
        message,
    )
}

/// Loads one file: a case, or a scenario world compiled into its cases
/// ([`crate::scenario`]). Only a regular file is read ([`crate::files`]); a byte-order mark
/// is skipped.
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase>, CaseErrors> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|e| unreadable(path, e.to_string()))?;
    Ok(parse_document(&text, &file)?
        .into_iter()
        .map(|case| LoadedCase {
            file: path.to_owned(),
            case,
        })
        .collect())
}

/// One entry of a listing: a case file to read, or the problem standing in its place.
pub type Listed = Result<PathBuf, CaseError>;

/// True for a name ending in `.json`, in any case (`.JSON` too).
fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Lists the case files under each of `paths`, in order: a file as given; a folder's `.json`
/// files (any case of the extension) recursively, sorted, symbolic links followed, leaving out
/// `features.json` and the `schema/` folders of the folder's own layout (a `schema` folder
/// above it is the user's, not one to skip). A file met twice is listed the first time only;
/// files under one of `exclude` (such as a command's own report folder) are left out. What
/// cannot be listed — a missing path, a dangling link, a FIFO or device named `*.json` — is
/// an `Err` entry in its place, never skipped silently.
pub fn case_files(paths: &[PathBuf], exclude: &[PathBuf]) -> Vec<Listed> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|dir| std::fs::canonicalize(dir).ok())
        .collect();
    let mut seen = HashSet::new();
    let mut listed = Vec::new();
    for path in paths {
        for entry in list(path) {
            if let Ok(file) = &entry {
                let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
                if exclude.iter().any(|dir| canonical.starts_with(dir)) || !seen.insert(canonical) {
                    continue;
                }
            }
            listed.push(entry);
        }
    }
    listed
}

/// The entries of one path (see [`case_files`]).
fn list(path: &Path) -> Vec<Listed> {
    match file_type(path) {
        Err(error) => return vec![Err(unreadable(path, error.to_string()))],
        Ok(kind) if kind.is_file() => return vec![Ok(path.to_owned())],
        Ok(kind) if !kind.is_dir() => {
            let message = ReadError::NotRegular(kind_name(kind)).to_string();
            return vec![Err(unreadable(path, message))];
        }
        Ok(_) => {}
    }
    let mut entries = Vec::new();
    let walk = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let place = error.path().unwrap_or(path).to_owned();
                if error.loop_ancestor().is_some() || is_json(&place) || place == path {
                    let reason = match file_type(&place) {
                        Err(ReadError::Dangling) => ReadError::Dangling.to_string(),
                        _ => error.to_string(),
                    };
                    entries.push(Err(unreadable(&place, reason)));
                }
                continue;
            }
        };
        let p = entry.path();
        let relative = p.strip_prefix(path).unwrap_or(p);
        let in_schema = relative.components().any(|c| c.as_os_str() == "schema");
        let is_registry = p.file_name().is_some_and(|n| n == "features.json");
        if !is_json(p) || in_schema || is_registry || entry.file_type().is_dir() {
            continue;
        }
        if entry.file_type().is_file() {
            entries.push(Ok(p.to_owned()));
        } else {
            let message = ReadError::NotRegular(kind_name(entry.file_type())).to_string();
            entries.push(Err(unreadable(p, message)));
        }
    }
    entries
}

/// Loads every case under `paths` ([`case_files`]), returning the cases read and the errors
/// met (one bad file does not stop the others). This holds every case in memory: a run streams
/// its files instead ([`crate::runner::run_suite`]); this is for checks across cases, such as
/// [`crate::lint`].
pub fn load_paths(paths: &[PathBuf]) -> (Vec<LoadedCase>, Vec<CaseErrors>) {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for entry in case_files(paths, &[]) {
        match entry
            .map_err(CaseErrors::from)
            .and_then(|file| load_file(&file))
        {
            Ok(loaded) => cases.extend(loaded),
            Err(e) => errors.push(e),
        }
    }
    (cases, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"{"description": "d", "source": ["https://docs.aws.amazon.com/x"],
      "id": "x/y", "tests": [{"name": "t", "request": {"principal": "*", "action": "s3:GetObject",
      "resource": "*"}, "expect": "implicit_deny"}]}"#;

    const WORLD: &str = r#"{"description": "d", "source": ["https://docs.aws.amazon.com/x"],
      "scenario": "w", "accounts": {"a": {"id": "111122223333"}},
      "principals": {"anon": {"anonymous": true}},
      "expectations": [{"name": "e", "principal": "anon", "action": "s3:GetObject",
        "resource": "*", "expect": "implicit_deny", "why": "nothing grants it"}]}"#;

    #[test]
    fn the_first_distinguishing_key_picks_the_format() {
        let cases = parse_document(CASE, "c.json").unwrap();
        assert_eq!(cases[0].id, "x/y");
        assert_eq!(
            cases[0].description, "d",
            "a shared key read before `id` is kept"
        );
        assert_eq!(cases[0].source, ["https://docs.aws.amazon.com/x"]);
        let cases = parse_document(WORLD, "w.json").unwrap();
        assert_eq!(cases[0].id, "scenario/w/e");
        assert_eq!(cases[0].source, ["https://docs.aws.amazon.com/x"]);
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse_document(&CASE.replace("\"tests\"", "\"testz\""), "c.json").unwrap_err();
        assert_eq!(e.first().kind, CaseErrorKind::Shape);
        assert!(e.first().message.contains("unknown field `testz`"), "{e}");
        assert!(e.first().path.starts_with("line "), "{e}");
        let e = parse_document(&CASE.replace("\"d\"", "5"), "c.json").unwrap_err();
        assert!(e.first().message.contains("invalid type"), "{e}");
        let e = parse_document("[1]", "c.json").unwrap_err();
        assert!(e.first().message.contains("a case or a scenario"), "{e}");
        let e = parse_document(
            &WORLD.replace(
                "\"description\": \"d\", ",
                "\"description\": \"d\", \"description\": \"e\", ",
            ),
            "w.json",
        )
        .unwrap_err();
        assert!(
            e.first().message.contains("duplicate field `description`"),
            "{e}"
        );
        let e = parse_document(
            &WORLD.replace("\"principal\": \"anon\"", "\"principal\": \"nobody\""),
            "w.json",
        )
        .unwrap_err();
        assert_eq!(e.first().path, "expectations[0].principal");
    }

    #[test]
    fn listing_reads_each_file_once_and_skips_only_the_roots_own_schema() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("schema/corpus");
        for file in [
            "a.json",
            "B.JSON",
            "schema/s.json",
            "features.json",
            "out/r.json",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, CASE).unwrap();
        }
        let listed = case_files(
            &[root.clone(), root.join("a.json"), dir.path().join("nope")],
            &[root.join("out")],
        );
        let names: Vec<String> = listed
            .iter()
            .map(|entry| match entry {
                Ok(path) => path.strip_prefix(&root).unwrap().display().to_string(),
                Err(error) => error.to_string(),
            })
            .collect();
        let missing = format!(
            "{}: no such file or folder",
            dir.path().join("nope").display()
        );
        assert_eq!(names, ["B.JSON", "a.json", missing.as_str()]);
    }
}
