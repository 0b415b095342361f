//! A team's defaults for `bpt validate`: a `bpt.toml` file.
//!
//! `bpt` looks for `bpt.toml` in the current directory and its parents (or
//! takes `--config FILE`). Command-line flags override the file.
//!
//! ```toml
//! [validate]
//! ignore = ["R004", "D"]      # rule ids or family prefixes
//! select = []                 # empty = all rules
//! tolerance = "0.000001"      # for unrounded calculated cells
//! ```

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
    /// Where the file was found.
    #[serde(skip)]
    pub path: Option<PathBuf>,
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
    /// The tolerance, if the file sets a valid one.
    pub fn tolerance(&self) -> Result<Option<Decimal>, String> {
        self.tolerance
            .as_deref()
            .map(|t| {
                Decimal::from_str(t.trim())
                    .map_err(|_| format!("tolerance `{t}` is not a decimal number"))
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
    c.validate
        .tolerance()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    c.path = Some(path.to_path_buf());
    Ok(c)
}

/// Finds `bpt.toml` in `start` or its parents and loads it; no file → defaults.
pub fn discover(start: &Path) -> Result<Config, String> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let p = d.join("bpt.toml");
        if p.is_file() {
            return load(&p);
        }
        dir = d.parent();
    }
    Ok(Config::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_in_parent_and_parses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bpt.toml"),
            "[validate]\nignore = [\"D\"]\ntolerance = \"0.001\"\n",
        )
        .unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let c = discover(&sub).unwrap();
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
    }
}
