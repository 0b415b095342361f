//! A team's defaults for `bpt validate`: a `bpt.toml` file.
//!
//! `bpt` looks for `bpt.toml` in the current directory and its parents (or
//! takes `--config FILE`). Command-line flags override the file. The search
//! stops at the first of: a directory holding `.git` (the repository
//! boundary, searched itself), the user's home directory (searched itself),
//! a world-writable directory (such as `/tmp`, not searched: anyone could
//! have put a `bpt.toml` there), and the filesystem root (never searched).
//! Every report names the file that was loaded.
//!
//! Rule ids and families in `select` and `ignore` are trimmed and checked
//! like the flags' (an unknown one is an error naming it); `tolerance` must
//! be a decimal number ≥ 0.
//!
//! ```toml
//! [validate]
//! ignore = ["R004", "D"]      # rule ids or family prefixes
//! select = []                 # empty = all rules
//! tolerance = "0.000001"      # for unrounded calculated cells
//!
//! [templates]
//! overlays = ["layouts/cms-2013.toml"]   # layout overlays (docs/overlays.md)
//! ```

use crate::rules::Selection;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The parsed config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[validate]` section.
    #[serde(default)]
    pub validate: ValidateConfig,
    /// `[templates]` section.
    #[serde(default)]
    pub templates: TemplatesConfig,
    /// Where the file was found.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `[templates]`: layout overlays a workbook is matched against (by their
/// recognition rules) when it carries no bpt marker.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesConfig {
    /// Overlay files, relative to the directory of `bpt.toml`.
    #[serde(default)]
    pub overlays: Vec<PathBuf>,
}

impl Config {
    /// The overlays of `[templates]`, loaded (paths relative to the file).
    pub fn template_overlays(&self) -> Result<Vec<&'static crate::template::Layout>, String> {
        let dir = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let shown = self
            .path
            .as_deref()
            .map(crate::sanitize::path)
            .unwrap_or_default();
        self.templates
            .overlays
            .iter()
            .map(|p| {
                crate::template::load_file(&dir.join(p))
                    .map_err(|e| format!("{shown}: [templates] overlays: {e}"))
            })
            .collect()
    }
}

/// `[validate]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateConfig {
    /// Rule ids or prefixes to run (empty = all).
    #[serde(default)]
    pub select: Vec<String>,
    /// Rule ids or prefixes never to run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Tolerance for unrounded calculated cells, as a decimal string.
    #[serde(default)]
    pub tolerance: Option<String>,
}

impl ValidateConfig {
    /// The tolerance, if the file sets a valid one (a decimal number ≥ 0).
    pub fn tolerance(&self) -> Result<Option<Decimal>, String> {
        self.tolerance
            .as_deref()
            .map(|t| {
                let shown = crate::sanitize::echo(t);
                match Decimal::from_str(t.trim()) {
                    Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                        Err(format!("tolerance `{shown}` is negative; it must be ≥ 0"))
                    }
                    Ok(d) => Ok(d),
                    Err(_) => Err(format!("tolerance `{shown}` is not a decimal number")),
                }
            })
            .transpose()
    }
}

/// Loads a config file.
pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read config: {e}", path.display()))?;
    let mut c: Config =
        toml::from_str(&text).map_err(|e| format!("{}: invalid config: {e}", path.display()))?;
    let shown = crate::sanitize::path(path);
    c.validate
        .tolerance()
        .map_err(|e| format!("{shown}: {e}"))?;
    c.validate.select = Selection::parse_entries(&c.validate.select, &format!("{shown}: select"))?;
    c.validate.ignore = Selection::parse_entries(&c.validate.ignore, &format!("{shown}: ignore"))?;
    c.path = Some(path.to_path_buf());
    Ok(c)
}

/// Finds `bpt.toml` in `start` or its parents and loads it; no file →
/// defaults. The search stops at the repository boundary or the home
/// directory (see the module docs): [`discover_within`] with `$HOME`.
pub fn discover(start: &Path) -> Result<Config, String> {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    discover_within(start, home.as_deref())
}

/// [`discover`] with the home directory given: searches `start` and its
/// parents, never the filesystem root nor a world-writable directory, and
/// stops after a directory holding `.git` or after `home`.
pub fn discover_within(start: &Path, home: Option<&Path>) -> Result<Config, String> {
    let same = |a: &Path, b: &Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    let mut dir = Some(start);
    while let Some(d) = dir {
        // The root is never searched (nor what lies above `start` when it is
        // relative and runs out), and a world-writable directory ends the
        // search unsearched.
        let Some(parent) = d.parent() else { break };
        if d.as_os_str().is_empty() || world_writable(d) {
            break;
        }
        let p = d.join("bpt.toml");
        if p.is_file() {
            return load(&p);
        }
        if d.join(".git").exists() || home.is_some_and(|h| same(d, h)) {
            break;
        }
        dir = Some(parent);
    }
    Ok(Config::default())
}

/// Whether anyone may create files in a directory (mode `o+w`).
#[cfg(unix)]
fn world_writable(d: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o002 != 0)
}

#[cfg(not(unix))]
fn world_writable(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_in_parent_and_parses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join("bpt.toml"),
            "[validate]\nignore = [\"D\"]\ntolerance = \"0.001\"\n",
        )
        .unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let c = discover_within(&sub, None).unwrap();
        assert_eq!(c.validate.ignore, vec!["D".to_string()]);
        assert_eq!(
            c.validate.tolerance().unwrap(),
            Some(Decimal::from_str("0.001").unwrap())
        );
    }

    #[test]
    fn rejects_unknown_keys_and_bad_tolerance() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bpt.toml");
        std::fs::write(&p, "[validate]\nignor = []\n").unwrap();
        assert!(load(&p).unwrap_err().contains("invalid config"));
        std::fs::write(&p, "[validate]\ntolerance = \"x\"\n").unwrap();
        assert!(load(&p).unwrap_err().contains("not a decimal"));
        std::fs::write(&p, "[validate]\ntolerance = \"-1\"\n").unwrap();
        assert!(
            load(&p)
                .unwrap_err()
                .ends_with("tolerance `-1` is negative; it must be ≥ 0")
        );
        std::fs::write(&p, "[validate]\nignore = [\"Q9\"]\n").unwrap();
        assert!(load(&p).unwrap_err().ends_with(
            "bpt.toml: ignore: `Q9` is neither a rule id nor a rule family (`bpt rules` lists them)"
        ));
        std::fs::write(&p, "[validate]\nselect = [\" f006 \"]\n").unwrap();
        assert_eq!(load(&p).unwrap().validate.select, vec!["F006".to_string()]);
    }

    #[test]
    fn discovery_stops_at_the_repository_and_home() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::write(top.join("bpt.toml"), "[validate]\nignore = [\"D\"]\n").unwrap();
        let repo = top.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a")).unwrap();
        assert!(
            discover_within(&repo.join("a"), None)
                .unwrap()
                .path
                .is_none()
        );
        let home = top.join("home");
        std::fs::create_dir_all(home.join("work")).unwrap();
        assert!(
            discover_within(&home.join("work"), Some(&home))
                .unwrap()
                .path
                .is_none()
        );
        // Without a boundary the file above is found.
        let other = top.join("other");
        std::fs::create_dir_all(&other).unwrap();
        assert_eq!(
            discover_within(&other, None).unwrap().path,
            Some(top.join("bpt.toml"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn world_writable_directories_end_the_search() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir_all(shared.join("me")).unwrap();
        std::fs::write(shared.join("bpt.toml"), "[validate]\nignore = [\"D\"]\n").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(
            discover_within(&shared.join("me"), None)
                .unwrap()
                .path
                .is_none()
        );
        assert!(discover_within(&shared, None).unwrap().path.is_none());
    }
}
