//! `files`: the one way noteplate reads a file or a stream. Only regular files are read, and
//! never more than a limit: at most `limit + 1` bytes are read whatever the metadata says, so a
//! file that grows, a `/proc` file that claims to be empty or an endless stream cannot exhaust
//! memory. A FIFO, device, socket or folder is refused before it is opened (and a name swapped
//! for one in between is opened without blocking and refused after), so nothing waits forever
//! for a writer. Also the one way templates are found in a folder (`find_templates`). Used by
//! `config`, `fragments`, the CLI and the language server; depends on nothing in the crate.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file; says what it is instead ("a folder", "a FIFO (named pipe)", ...).
    NotRegular(&'static str),
    /// Over the limit; `size` is the file's length when it is known (a regular file's metadata).
    TooLarge {
        limit: u64,
        size: Option<u64>,
    },
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(
                f,
                "it is {kind}, not a regular file (noteplate reads only regular files)"
            ),
            ReadError::TooLarge {
                limit,
                size: Some(size),
            } => write!(f, "it is {size} bytes, over the limit of {limit} bytes"),
            ReadError::TooLarge { limit, size: None } => {
                write!(f, "it is larger than the limit of {limit} bytes")
            }
            ReadError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> ReadError {
        ReadError::Io(error)
    }
}

/// What a file that is not a regular file is, in words.
pub fn describe(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Reads the regular file at `path` (following symbolic links), at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(describe(&metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(metadata.len()),
        });
    }
    let file = open_without_blocking(path)?;
    read_opened(file, limit)
}

/// [`read_regular`] for a file that a folder's walk ([`find_templates`]) found as a regular file
/// by its entry's type: opened without looking at the name first (one system call less per
/// template; a name swapped for a FIFO or a device since the walk is opened without blocking and
/// refused, as in [`read_regular`]). When it cannot be opened, [`read_regular`] says why, so the
/// error is the one it gives (a file that is both too large and unreadable is too large).
pub fn read_found(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    match open_without_blocking(path) {
        Ok(file) => read_opened(file, limit),
        Err(_) => read_regular(path, limit),
    }
}

/// Reads a file just opened: only when it is a regular file (the name may point at something
/// else by now), and never more than `limit` bytes.
fn read_opened(mut file: File, limit: u64) -> Result<Vec<u8>, ReadError> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(describe(&metadata.file_type())));
    }
    let len = metadata.len();
    if len > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(len),
        });
    }
    // A file whose metadata gives its length is read in one piece of that length, into room
    // for exactly that, without the read that only finds its end (10,000 system calls for
    // 10,000 templates): it is read as it was when its length was taken, as if anything
    // appended later came after the read. One shorter than that (cut meanwhile) or with no
    // length (a `/proc` file says 0) is read on to its end, still capped.
    if len > 0
        && let Ok(size) = usize::try_from(len)
    {
        let mut bytes = Vec::with_capacity(size.saturating_add(1));
        (&mut file).take(len).read_to_end(&mut bytes)?;
        if bytes.len() == size {
            return Ok(bytes);
        }
        let left = limit.saturating_add(1).saturating_sub(bytes.len() as u64);
        file.take(left).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge { limit, size: None });
        }
        return Ok(bytes);
    }
    read_capped_into(file, limit, 1)
}

/// Reads `reader` to its end, but never more than `limit + 1` bytes: more than `limit` is
/// [`ReadError::TooLarge`].
pub fn read_capped(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_capped_into(reader, limit, 0)
}

/// [`read_capped`] into a buffer made with room for `capacity` bytes.
fn read_capped_into(reader: impl Read, limit: u64, capacity: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, size: None });
    }
    Ok(bytes)
}

/// Opens for reading without waiting: opening a FIFO blocks until a writer comes, unless
/// `O_NONBLOCK` is given (which changes nothing for a regular file). `O_NOCTTY`: a terminal
/// device must never become the process's controlling terminal.
fn open_without_blocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// The `*.note` files under `root`, honouring `.gitignore` and `.ignore` files (also outside a
/// Git repository), in walk order. Only regular files are taken (links, FIFOs and devices are
/// skipped); what cannot be read (an unreadable subfolder, a broken ignore file) is added to
/// `problems`, one message each, and the walk goes on. The one template discovery: `check`, `fmt`
/// and the language server's workspace all use it.
pub fn find_templates(root: &Path, problems: &mut Vec<String>) -> Vec<std::path::PathBuf> {
    walk_templates(root, None, problems, |_, _| {})
}

/// The walk of [`find_templates`], at most `max_depth` folders deep (`Some(1)`: the folder's own
/// entries), calling `on_folder(path, depth)` for every folder it comes to (`root` at depth 0),
/// before that folder's entries are read. The language server's workspace walks changed folders
/// one level at a time with it (`lsp::workspace`).
pub fn walk_templates(
    root: &Path,
    max_depth: Option<usize>,
    problems: &mut Vec<String>,
    mut on_folder: impl FnMut(&Path, usize),
) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let walk = ignore::WalkBuilder::new(root)
        .require_git(false)
        .max_depth(max_depth)
        .build();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(format!(
                    "cannot read part of `{}`: {error}; the templates there were not checked (make the folder readable, or run noteplate on the other folders)",
                    root.display()
                ));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_some_and(|kind| kind.is_dir()) {
            on_folder(entry.path(), entry.depth());
            continue;
        }
        if kind.is_some_and(|kind| kind.is_file())
            && entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "note")
        {
            files.push(entry.into_path());
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.note");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_regular(&path, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&path, 4),
            Err(ReadError::TooLarge {
                limit: 4,
                size: Some(5)
            })
        ));
    }

    #[test]
    fn a_stream_is_read_at_most_one_byte_past_the_limit() {
        let mut endless = io::repeat(b'x');
        assert!(matches!(
            read_capped(&mut endless, 1000),
            Err(ReadError::TooLarge {
                limit: 1000,
                size: None
            })
        ));
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), b"abc");
    }

    #[test]
    fn a_found_file_is_read_as_a_named_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.note");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_found(&path, 5).unwrap(), b"12345");
        assert!(matches!(
            read_found(&path, 4),
            Err(ReadError::TooLarge {
                limit: 4,
                size: Some(5)
            })
        ));
        let empty = dir.path().join("empty.note");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(read_found(&empty, 5).unwrap(), b"");
        // Gone since the walk: the error `read_regular` gives.
        let gone = dir.path().join("gone.note");
        assert_eq!(
            read_found(&gone, 5).unwrap_err().to_string(),
            read_regular(&gone, 5).unwrap_err().to_string()
        );
        assert!(matches!(
            read_found(dir.path(), 100),
            Err(ReadError::NotRegular("a folder"))
        ));
    }

    /// A name the walk found as a regular file but that is a FIFO by the time it is read: refused
    /// at once, not waited on.
    #[cfg(unix)]
    #[test]
    fn a_found_name_that_is_now_a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.note");
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a valid NUL-terminated path.
        let made = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
        assert_eq!(made, 0, "mkfifo in a fresh temporary folder");
        assert!(matches!(
            read_found(&path, 100),
            Err(ReadError::NotRegular("a FIFO (named pipe)"))
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_shorter_than_its_length_said_is_read_to_its_end() {
        // A `/proc` file says it is empty and is not: read on to its end, capped.
        let path = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        let read = read_found(path, 1 << 20).unwrap();
        assert!(read.starts_with(b"Name:"), "{read:?}");
    }

    #[test]
    fn a_folder_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_regular(dir.path(), 100).unwrap_err();
        assert!(matches!(error, ReadError::NotRegular("a folder")));
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_that_claims_to_be_empty_is_not_read() {
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a character device"))
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_regular_file_whose_metadata_says_empty_is_still_capped() {
        // /proc files are regular and report length 0 whatever they hold.
        let path = Path::new("/proc/self/maps");
        if let Ok(bytes) = std::fs::read(path)
            && bytes.len() > 10
        {
            assert!(matches!(
                read_regular(path, 10),
                Err(ReadError::TooLarge { size: None, .. })
            ));
        }
    }
}
