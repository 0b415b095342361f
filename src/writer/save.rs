//! The one output policy for every file `bpt` writes (workbooks, `--summary`
//! files, backups, reports written with `-o`):
//!
//! - never over an input of the command, however it is named (the same
//!   path spelled differently, a hard link, a symlink): compared by device
//!   and inode on Unix, by canonical path elsewhere;
//! - never over an existing file unless `--force` was given;
//! - never over anything but a regular file, even with `--force`: a
//!   symlink, directory, FIFO or device node is refused;
//! - permissions of a normal new file (`0666` less the umask, typically
//!   `0644`); a file replaced with `--force` keeps its mode;
//! - atomic: the bytes go to a hidden temporary file beside the output
//!   (`.NAME.XXXXXX.tmp`), flushed to disk, then renamed into place; on any
//!   error, and on SIGINT/SIGTERM/SIGHUP once [`install_signal_cleanup`] ran,
//!   the temporary file is removed.
//!
//! Callers hand over the finished bytes: `save_atomic(&bytes, out, &guard)`.
//! A command that writes more than one file (`finalize --backup`) checks
//! every destination with [`SaveGuard::check`] before writing any.

use super::WriteError;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What [`save_atomic`] must protect.
#[derive(Debug, Clone, Default)]
pub struct SaveGuard {
    /// The files the command reads, none of which may be overwritten
    /// (compared by canonical path and, on Unix, by device and inode, so a
    /// hard link or symlink to one is refused too).
    pub inputs: Vec<PathBuf>,
    /// Replace an existing regular output file (never an input, never a
    /// non-regular file).
    pub force: bool,
}

impl SaveGuard {
    /// A guard that protects nothing and replaces existing files only when
    /// `force` is set.
    pub fn new(force: bool) -> Self {
        SaveGuard {
            inputs: Vec::new(),
            force,
        }
    }

    /// A guard that protects `input` and refuses to replace existing files.
    pub fn protecting(input: impl Into<PathBuf>) -> Self {
        SaveGuard::new(false).protect(input)
    }

    /// Also protects `input`.
    pub fn protect(mut self, input: impl Into<PathBuf>) -> Self {
        self.inputs.push(input.into());
        self
    }

    /// Also protects every path of `inputs`.
    pub fn protect_all<P: Into<PathBuf>>(mut self, inputs: impl IntoIterator<Item = P>) -> Self {
        self.inputs.extend(inputs.into_iter().map(Into::into));
        self
    }

    /// Whether `out` may be written under this guard, without writing
    /// anything. Returns the metadata of the regular file `out` replaces,
    /// if any. [`save_atomic`] runs the same check.
    pub fn check(&self, out: &Path) -> Result<Option<fs::Metadata>, WriteError> {
        if out.file_name().is_none() {
            return Err(WriteError::Io {
                path: out.to_path_buf(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the output path does not name a file",
                ),
            });
        }
        let link_meta = match fs::symlink_metadata(out) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(WriteError::Io {
                    path: out.to_path_buf(),
                    source: e,
                });
            }
        };
        if let Some(input) = self.inputs.iter().find(|i| same_file(out, i)) {
            return Err(WriteError::WouldOverwriteInput {
                out: out.to_path_buf(),
                input: input.clone(),
            });
        }
        if let Some(kind) = not_regular(&link_meta) {
            return Err(WriteError::NotRegular {
                path: out.to_path_buf(),
                kind,
            });
        }
        if !self.force {
            return Err(WriteError::Exists {
                path: out.to_path_buf(),
            });
        }
        Ok(Some(link_meta))
    }
}

/// What a non-regular file is, for the refusal message.
fn not_regular(m: &fs::Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Test-only hook: with `BPT_TEST_PAUSE_BEFORE_RENAME=MILLIS` set, every
/// save sleeps that long after its temporary file is written and before
/// the rename, so a test can signal the process mid-write
/// (`tests/all/hostile_outputs.rs`). Not for normal use.
const PAUSE_ENV: &str = "BPT_TEST_PAUSE_BEFORE_RENAME";

/// Writes `bytes` to `out` under the output policy of this module:
/// atomically, through a temporary file in the same directory that is
/// flushed to disk and renamed over `out`. On any error the temporary file
/// is removed and `out` is untouched.
///
/// Refuses with [`WriteError::WouldOverwriteInput`] when `out` is one of
/// `guard.inputs`, with [`WriteError::NotRegular`] when `out` is a symlink,
/// directory, FIFO or device (even with `force`), and with
/// [`WriteError::Exists`] when `out` exists and `guard.force` is false.
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
    let existing = guard.check(out)?;
    let file_name = out.file_name().unwrap_or_default();
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A missing output directory is created (like `-o reports/x.xlsx`).
    fs::create_dir_all(dir).map_err(io_err)?;
    let prefix = format!(".{}.", file_name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(p) = new_file_permissions() {
        builder.permissions(p);
    }
    // Created and registered under the lock, so a signal either finds the
    // temporary file registered or finds none. `_live` is declared first so
    // it is dropped last: the path is forgotten only once the file is gone
    // (removed on error, or renamed).
    let (_live, mut tmp) = {
        let mut live = live_temps();
        let tmp = builder.tempfile_in(dir).map_err(io_err)?;
        live.push(tmp.path().to_path_buf());
        (Live(tmp.path().to_path_buf()), tmp)
    };
    if let Some(m) = &existing {
        keep_mode(tmp.as_file(), m).map_err(io_err)?;
    }
    tmp.write_all(bytes).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    if let Some(ms) = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
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

/// The temporary files being written now (removed by the signal handler).
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temps() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered temporary path, forgotten on drop.
struct Live(PathBuf);

impl Drop for Live {
    fn drop(&mut self) {
        let mut live = live_temps();
        if let Some(i) = live.iter().position(|p| *p == self.0) {
            live.swap_remove(i);
        }
    }
}

/// Removes every temporary file being written and keeps the registry
/// locked, so no new one is started: for a process about to end.
fn remove_live_temps_for_exit() {
    let live = live_temps();
    for p in live.iter() {
        let _ = fs::remove_file(p);
    }
    std::mem::forget(live);
}

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the
/// temporary files of saves in progress, then end the process as the
/// signal would have (the shell sees 130 for Ctrl-C, 143 for SIGTERM).
/// Call once, at the start of `main`. Outputs already renamed into place
/// are complete; no partial output or hidden temporary file is left.
#[cfg(unix)]
pub fn install_signal_cleanup() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("bpt-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_live_temps_for_exit();
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// On systems without Unix signals there is nothing to install.
#[cfg(not(unix))]
pub fn install_signal_cleanup() -> io::Result<()> {
    Ok(())
}

/// Read/write for everyone, less the umask (what a plain `File::create` gives).
#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}

/// Gives the replacement the mode of the file it replaces (not filtered by
/// the umask, which only applies to new files).
#[cfg(unix)]
fn keep_mode(f: &fs::File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(fs::Permissions::from_mode(old.permissions().mode() & 0o777))
}

#[cfg(not(unix))]
fn keep_mode(f: &fs::File, old: &fs::Metadata) -> io::Result<()> {
    f.set_permissions(old.permissions())
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

/// The identity of an existing file: device and inode on Unix, the
/// canonical path elsewhere. `None` when the file does not exist.
#[cfg(unix)]
pub fn file_identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// The identity of an existing file: device and inode on Unix, the
/// canonical path elsewhere. `None` when the file does not exist.
#[cfg(not(unix))]
pub fn file_identity(p: &Path) -> Option<PathBuf> {
    fs::canonicalize(p).ok()
}

/// Whether `a` and `b` are the same existing file: the same path after
/// resolving symlinks and `..`, or (Unix) the same inode on the same device.
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ca), Ok(cb)) = (fs::canonicalize(a), fs::canonicalize(b))
        && ca == cb
    {
        return true;
    }
    match (file_identity(a), file_identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}
