//! Saving a written workbook safely: never over the input, never over an
//! existing file unless asked, never a half-written file.

use super::WriteError;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What [`save_atomic`] must protect.
#[derive(Debug, Clone, Default)]
pub struct SaveGuard {
    /// The workbook the output was made from, which must never be
    /// overwritten (compared by canonical path and, on Unix, by file
    /// identity, so a hard link or symlink to it is refused too).
    pub input: Option<PathBuf>,
    /// Replace an existing output file (never the input).
    pub force: bool,
}

impl SaveGuard {
    /// A guard that protects `input` and refuses to replace existing files.
    pub fn protecting(input: impl Into<PathBuf>) -> Self {
        SaveGuard {
            input: Some(input.into()),
            force: false,
        }
    }
}

/// Writes `bytes` to `out` atomically: into a temporary file in the same
/// directory, flushed to disk, then renamed over `out`. On any error the
/// temporary file is removed and `out` is untouched.
///
/// Refuses (with [`WriteError::WouldOverwriteInput`]) when `out` is the
/// guarded input file, and (with [`WriteError::Exists`]) when `out` exists
/// and `guard.force` is false.
///
/// ```
/// use bpt::writer::{save_atomic, SaveGuard};
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("bid.xlsx");
/// save_atomic(b"data", &out, &SaveGuard::default()).unwrap();
/// assert!(save_atomic(b"data", &out, &SaveGuard::default()).is_err());
/// ```
pub fn save_atomic(bytes: &[u8], out: &Path, guard: &SaveGuard) -> Result<(), WriteError> {
    let io_err = |source: io::Error| WriteError::Io {
        path: out.to_path_buf(),
        source,
    };
    let Some(file_name) = out.file_name() else {
        return Err(io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the output path does not name a file",
        )));
    };
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Some(input) = &guard.input
        && same_file(out, input)
    {
        return Err(WriteError::WouldOverwriteInput {
            out: out.to_path_buf(),
            input: input.clone(),
        });
    }
    let existing = match fs::metadata(out) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    if existing.is_some() && !guard.force {
        return Err(WriteError::Exists {
            path: out.to_path_buf(),
        });
    }
    // A missing output directory is created (like `-o reports/x.xlsx`).
    fs::create_dir_all(dir).map_err(io_err)?;
    let prefix = format!(".{}.", file_name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    let perms = match &existing {
        Some(m) if m.is_file() => Some(m.permissions()),
        _ => default_permissions(),
    };
    if let Some(p) = perms {
        builder.permissions(p);
    }
    // From here on the temporary file deletes itself if anything fails.
    let mut tmp = builder.tempfile_in(dir).map_err(io_err)?;
    tmp.write_all(bytes).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    let persisted = if guard.force {
        tmp.persist(out)
    } else {
        tmp.persist_noclobber(out)
    };
    match persisted {
        Ok(_) => {}
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists && !guard.force => {
            return Err(WriteError::Exists {
                path: out.to_path_buf(),
            });
        }
        Err(e) => return Err(io_err(e.error)),
    }
    sync_dir(dir);
    Ok(())
}

/// Read/write for everyone, less the umask (what a plain `File::create` gives).
#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}

/// Makes the rename durable (best effort: not every system can sync a directory).
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

/// The canonical form of a path that may not exist yet: its directory
/// canonicalized, joined with its file name.
fn canonical(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = fs::canonicalize(p) {
        return Some(c);
    }
    let name = p.file_name()?;
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(name))
}

/// Whether `a` and `b` are the same file: same path after resolving
/// symlinks and `..`, or (Unix) the same inode on the same device.
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    if let (Some(ca), Some(cb)) = (canonical(a), canonical(b))
        && ca == cb
    {
        return true;
    }
    same_inode(a, b)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(ma), Ok(mb)) => ma.dev() == mb.dev() && ma.ino() == mb.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_a: &Path, _b: &Path) -> bool {
    false
}
