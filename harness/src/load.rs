//! Loading case files: a file holds one case or a scenario world that compiles into cases
//! ([`crate::scenario`]); a folder holds such files. Sits above both formats, so neither
//! depends on the other.

use std::path::{Path, PathBuf};

use crate::case::{Case, CaseError};

/// A case together with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    /// The file the case was read from.
    pub file: PathBuf,
    /// The case.
    pub case: Case,
}

/// Loads one file: a case, or a scenario world compiled into its cases
/// ([`crate::scenario`]).
pub fn load_file(path: &Path) -> Result<Vec<LoadedCase>, CaseError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CaseError {
        file: file.clone(),
        path: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    let probe: serde_json::Value = serde_json::from_str(&text).map_err(|e| CaseError {
        file: file.clone(),
        path: format!("line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let cases = if crate::scenario::is_scenario(&probe) {
        crate::scenario::Scenario::compile_json(&text, &file)?
    } else {
        vec![Case::from_json(&text, &file)?]
    };
    Ok(cases
        .into_iter()
        .map(|case| LoadedCase {
            file: path.to_owned(),
            case,
        })
        .collect())
}

/// Lists the `.json` case files under `path` (a file or a folder, recursively, sorted), leaving
/// out `schema/` folders and `features.json`.
pub fn case_files(path: &Path) -> Result<Vec<PathBuf>, CaseError> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    if !path.exists() {
        return Err(CaseError {
            file: path.display().to_string(),
            path: String::new(),
            message: "no such file or folder".into(),
        });
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| CaseError {
            file: path.display().to_string(),
            path: String::new(),
            message: e.to_string(),
        })?;
        let p = entry.path();
        let in_schema = p.components().any(|c| c.as_os_str() == "schema");
        let is_json = p.extension().is_some_and(|e| e == "json");
        let is_registry = p.file_name().is_some_and(|n| n == "features.json");
        if entry.file_type().is_file() && is_json && !in_schema && !is_registry {
            files.push(p.to_owned());
        }
    }
    Ok(files)
}

/// Loads every case under `path`, returning the cases read and the errors met (one bad file does
/// not stop the others).
pub fn load_path(path: &Path) -> (Vec<LoadedCase>, Vec<CaseError>) {
    match case_files(path) {
        Err(e) => (Vec::new(), vec![e]),
        Ok(files) => {
            let mut cases = Vec::new();
            let mut errors = Vec::new();
            for file in files {
                match load_file(&file) {
                    Ok(loaded) => cases.extend(loaded),
                    Err(e) => errors.push(e),
                }
            }
            (cases, errors)
        }
    }
}
