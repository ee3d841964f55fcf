//! Reading the files a command is given (case files, policies, known-failures lists, JSON Lines
//! streams): only regular files are opened — the file type is checked first, since opening a
//! FIFO blocks until a writer comes and a device may never end —, a symbolic link is followed
//! to the regular file it points at, and a UTF-8 byte-order mark is skipped. And writing them:
//! reports atomically ([`write_atomic`]), new files under names never taken ([`create_unique`]).

use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

/// Why a file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Nothing exists at the path.
    #[error("no such file or folder")]
    Missing,
    /// A symbolic link whose target does not exist.
    #[error("a dangling symbolic link")]
    Dangling,
    /// Something other than a regular file: a folder, a FIFO, a device, a socket.
    #[error("not a regular file (a {0})")]
    NotRegular(&'static str),
    /// The file exists but cannot be read, or is not UTF-8 text.
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
}

/// What kind of thing a non-regular file type is, in words.
pub fn kind_name(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_dir() {
        "folder"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// The file type at `path`, symbolic links followed; a missing path and a dangling link are
/// told apart.
pub fn file_type(path: &Path) -> Result<FileType, ReadError> {
    match std::fs::metadata(path) {
        Ok(metadata) => Ok(metadata.file_type()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                Err(ReadError::Dangling)
            } else {
                Err(ReadError::Missing)
            }
        }
        Err(error) => Err(ReadError::Io(error)),
    }
}

/// `Ok` when `path` is (or links to) a regular file.
pub fn check_regular(path: &Path) -> Result<(), ReadError> {
    let file_type = file_type(path)?;
    if file_type.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular(kind_name(file_type)))
    }
}

/// The UTF-8 text of the regular file at `path`, without a leading byte-order mark.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    check_regular(path)?;
    let text = std::fs::read_to_string(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Creates a new file `stem.ext` in `dir` (made when missing), or `stem-2.ext`, `stem-3.ext`…
/// when that name is taken: an existing file is never overwritten, and two writers racing for
/// one name get two files (`create_new`). Returns the open file, its path and the stem used.
pub fn create_unique(
    dir: &Path,
    stem: &str,
    ext: &str,
) -> io::Result<(std::fs::File, PathBuf, String)> {
    std::fs::create_dir_all(dir)?;
    for n in 1u32.. {
        let stem = if n == 1 {
            stem.to_owned()
        } else {
            format!("{stem}-{n}")
        };
        let path = dir.join(format!("{stem}.{ext}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, path, stem)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "no free name for {stem}.{ext} in {}",
        dir.display()
    )))
}

/// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed over it,
/// so a reader never sees half a report and a failed write leaves the previous file whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (mut file, temp, _) = create_unique(dir, &format!(".{name}.partial"), "tmp")?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_never_overwrite_and_atomic_writes_replace_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (_, first, stem) = create_unique(dir.path(), "case", "json").unwrap();
        let (_, second, stem2) = create_unique(dir.path(), "case", "json").unwrap();
        assert_eq!((stem.as_str(), stem2.as_str()), ("case", "case-2"));
        assert_ne!(first, second);
        let report = dir.path().join("r.md");
        write_atomic(&report, b"old").unwrap();
        write_atomic(&report, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 3, "no temporary file is left: {left:?}");
        let missing = dir.path().join("no/such/folder/r.md");
        assert!(
            write_atomic(&missing.join("x"), b"x").is_ok(),
            "folders are made"
        );
    }

    #[test]
    fn reads_regular_files_only_and_skips_a_bom() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "\u{feff}{}").unwrap();
        assert_eq!(read_text(&file).unwrap(), "{}");
        assert!(matches!(
            read_text(dir.path()),
            Err(ReadError::NotRegular("folder"))
        ));
        assert!(matches!(
            read_text(&dir.path().join("missing")),
            Err(ReadError::Missing)
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
            assert!(matches!(read_text(&link), Err(ReadError::Dangling)));
            let good = dir.path().join("good.json");
            std::os::unix::fs::symlink(&file, &good).unwrap();
            assert_eq!(read_text(&good).unwrap(), "{}");
            assert!(matches!(
                read_text(Path::new("/dev/null")),
                Err(ReadError::NotRegular("character device"))
            ));
        }
    }
}
