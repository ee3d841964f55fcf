//! Names the corpus this build was made with: `IAM_HARNESS_CORPUS_REVISION` is "N cases,
//! HASH" — the number of case files under `../corpus` (its `.json` files but `features.json`
//! and `schema/`) and an FNV-1a hash (64-bit, 12 hex digits) of the paths and contents of all
//! its `.json` files, in path order. Needs no git (a `cargo install` from a
//! tarball has no `.git`); without a corpus beside the crate it is "no corpus".

use std::path::{Path, PathBuf};

fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            case_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn revision(corpus: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    case_files(corpus, &mut files)?;
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for file in &files {
        let relative = file.strip_prefix(corpus).unwrap_or(file);
        hash = fnv(
            hash,
            relative.to_string_lossy().replace('\\', "/").as_bytes(),
        );
        hash = fnv(hash, &[0]);
        hash = fnv(hash, &std::fs::read(file)?);
        hash = fnv(hash, &[0]);
    }
    let cases = files
        .iter()
        .filter_map(|f| f.strip_prefix(corpus).ok())
        .filter(|f| !f.starts_with("schema") && *f != Path::new("features.json"))
        .count();
    Ok(format!("{cases} cases, {:012x}", hash >> 16))
}

fn main() {
    let corpus = Path::new("../corpus");
    println!("cargo:rerun-if-changed=../corpus");
    println!("cargo:rerun-if-changed=build.rs");
    let text = if corpus.is_dir() {
        match revision(corpus) {
            Ok(text) => text,
            Err(error) => {
                println!("cargo:warning=cannot hash the corpus: {error}");
                "corpus unreadable".to_owned()
            }
        }
    } else {
        "no corpus".to_owned()
    };
    println!("cargo:rustc-env=IAM_HARNESS_CORPUS_REVISION={text}");
}
