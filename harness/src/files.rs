//! Reading the files a command is given (case files, policies, known-failures lists, JSON Lines
//! streams): only regular files are opened — the file type is checked first, since opening a
//! FIFO blocks until a writer comes and a device may never end —, a symbolic link is followed
//! to the regular file it points at, and a UTF-8 byte-order mark is skipped.

use std::fs::FileType;
use std::io;
use std::path::Path;

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

#[cfg(test)]
mod tests {
    use super::*;

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
