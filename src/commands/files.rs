//! File policy of the commands: which files a folder or glob stands for
//! (skipping lock files and `bpt`'s own backups), and saving outputs under
//! the one output policy of [`crate::writer::save_atomic`].

use super::{Outcome, UNREADABLE};
use std::path::{Path, PathBuf};

/// Whether a file name is one of `bpt`'s own backups
/// (`NAME.YYYYMMDD-HHMMSS.backup.EXT`, written by `finalize --backup`),
/// which folder and glob expansion skip.
///
/// ```
/// assert!(bpt::app::is_bpt_backup("bid.20261201-093000.backup.xlsx"));
/// assert!(!bpt::app::is_bpt_backup("bid.xlsx"));
/// ```
pub fn is_bpt_backup(name: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\.[0-9]{8}-[0-9]{6}(-[0-9]+)?\.backup\.[A-Za-z]+$").ok()
    });
    RE.as_ref().is_some_and(|re| re.is_match(name))
}

/// Whether a file found in a folder or by a glob is one `bpt` leaves out:
/// an Excel lock file (`~$…`) or a `bpt` backup.
pub(crate) fn is_skipped_name(f: &Path) -> bool {
    f.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("~$") || is_bpt_backup(n))
}

/// Whether a file found in a folder is a workbook to check: a workbook
/// extension, and not a lock file or backup.
pub(crate) fn is_workbook_name(f: &Path) -> bool {
    !is_skipped_name(f)
        && f.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&x.to_ascii_lowercase().as_str())
        })
}

/// The files a glob pattern names, walking from its literal leading
/// directories without following directory symlinks (so a link loop
/// cannot hang the walk or repeat files). `*`, `?` and `[…]` stay within
/// one path component and do not match a leading dot; `**` matches any
/// number of directories. `None` when the pattern is not a valid glob.
pub(crate) fn glob_files(pattern: &str) -> Option<Vec<PathBuf>> {
    let mut base = PathBuf::new();
    let mut rest: Vec<String> = Vec::new();
    let mut deep = false;
    for c in Path::new(pattern).components() {
        let s = c.as_os_str().to_string_lossy();
        if rest.is_empty() && !s.contains(['*', '?', '[']) {
            base.push(c);
        } else {
            deep |= s.contains("**");
            rest.push(s.into_owned());
        }
    }
    if rest.is_empty() {
        return None;
    }
    let pat = glob::Pattern::new(&rest.join("/")).ok()?;
    let opts = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let root = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base.clone()
    };
    let mut walk = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .min_depth(1);
    if !deep {
        walk = walk.max_depth(rest.len());
    }
    let mut found: Vec<PathBuf> = walk
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let t = e.file_type();
            t.is_file() || (t.is_symlink() && e.path().is_file())
        })
        .filter(|e| {
            e.path()
                .strip_prefix(&root)
                .is_ok_and(|rel| pat.matches_path_with(rel, opts))
        })
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap_or(e.path());
            base.join(rel)
        })
        .filter(|f| !is_skipped_name(f))
        .collect();
    found.sort();
    Some(found)
}

/// Expands the paths given on the command line: a directory stands for the
/// workbooks in it (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`, not
/// recursively, skipping `~$` lock files and `bpt`'s own backups), in name
/// order; a glob the shell did not expand (quoted, or on Windows) is
/// expanded without following directory symlinks. Each file appears once
/// however often and however it was named (the same device and inode on
/// Unix, the same canonical path elsewhere): the first name given is kept.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    expand(paths, false).files
}

/// What the paths of a command line stand for ([`expand`]).
#[derive(Debug, Clone, Default)]
pub struct Expanded {
    /// The files, each once.
    pub files: Vec<PathBuf>,
    /// Folders given whose subfolders were not searched, with how many
    /// subfolders each has (hidden ones not counted).
    pub unsearched: Vec<(PathBuf, usize)>,
}

impl Expanded {
    /// The note that names the folders whose subfolders were not searched
    /// (empty when there are none).
    pub fn note(&self) -> String {
        self.unsearched
            .iter()
            .map(|(d, n)| {
                format!(
                    "bpt: note: {} has {n} subfolder(s) that were not searched (--recursive searches them)\n",
                    crate::sanitize::path(d)
                )
            })
            .collect()
    }
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The workbooks in a folder ([`is_workbook_name`]), in name order; with
/// `recursive`, in its subfolders too (not hidden ones, not through
/// directory symlinks).
fn folder_workbooks(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name();
    if !recursive {
        walk = walk.max_depth(1);
    }
    walk.into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && is_hidden(e.path())))
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|f| f.is_file() && is_workbook_name(f))
        .collect()
}

/// [`expand_paths`], with folders searched in their subfolders too when
/// `recursive`; otherwise the folders that have subfolders are named in
/// [`Expanded::unsearched`].
pub fn expand(paths: &[PathBuf], recursive: bool) -> Expanded {
    let mut listed = Vec::new();
    let mut unsearched = Vec::new();
    for p in paths {
        if p.is_dir() {
            listed.extend(folder_workbooks(p, recursive));
            if !recursive {
                let subfolders = std::fs::read_dir(p)
                    .map(|rd| {
                        rd.filter_map(Result::ok)
                            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                            .filter(|e| !is_hidden(&e.path()))
                            .count()
                    })
                    .unwrap_or(0);
                if subfolders > 0 {
                    unsearched.push((p.clone(), subfolders));
                }
            }
        } else if !p.exists()
            && let Some(pattern) = p.to_str().filter(|s| s.contains(['*', '?', '[']))
        {
            match glob_files(pattern) {
                Some(found) if !found.is_empty() => listed.extend(found),
                // Nothing matched: the pattern is reported as not found.
                _ => listed.push(p.clone()),
            }
        } else {
            listed.push(p.clone());
        }
    }
    let mut seen_files = std::collections::HashSet::new();
    let mut seen_names = std::collections::HashSet::new();
    let files = listed
        .into_iter()
        .filter(|p| match crate::writer::file_identity(p) {
            Some(id) => seen_files.insert(id),
            None => seen_names.insert(p.clone()),
        })
        .collect();
    Expanded { files, unsearched }
}

/// Writes a text file (a summary, a report given with `-o`) under the one
/// output policy of [`crate::writer::save_atomic`].
pub fn write_text_atomic(
    path: &Path,
    text: &str,
    guard: &crate::writer::SaveGuard,
) -> Result<(), crate::writer::WriteError> {
    crate::writer::save_atomic(text.as_bytes(), path, guard)
}

/// Saves an edited workbook (never over the input; `--force` to replace).
pub(crate) fn save_edited(
    ed: &crate::edit::Edited,
    input: &Path,
    out: &Path,
    force: bool,
) -> Result<(), Outcome> {
    let guard = crate::writer::SaveGuard::new(force).protect(input.to_path_buf());
    crate::writer::save_atomic(&ed.bytes, out, &guard)
        .map_err(|e| Outcome::err(format!("bpt: {e}\n"), UNREADABLE))
}
