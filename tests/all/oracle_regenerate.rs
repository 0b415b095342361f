//! Regenerates the committed LibreOffice oracle (`tests/oracle/*.json`):
//!
//! ```text
//! cargo test --test oracle_regenerate -- --ignored
//! ```
//!
//! Each shipped sample's entered values (and any `default` cell the actuary
//! overwrote) are written into a fresh form whose calculated cells hold a
//! deliberately wrong cached value; LibreOffice Calc headless recalculates on
//! load and saves; every calculated cell is read back and written to JSON.
//! Not one stale value may survive. Run it after changing a template's
//! formulas or a sample, and commit the result.

use crate::common;

use bpt::{app, reader};
use common::oracle::{self, Oracle};

#[test]
#[ignore = "needs soffice; regenerates tests/oracle"]
fn regenerate_the_libreoffice_oracle() {
    assert!(common::soffice_path().is_some(), "soffice is not on PATH");
    let version = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let only = std::env::var("BPT_ORACLE_ONLY").ok();
    let dir = tempfile::tempdir().expect("tempdir");
    for rel in oracle::samples() {
        if let Some(o) = &only
            && !rel.to_string_lossy().contains(o.as_str())
        {
            continue;
        }
        let bid = reader::read_bid(&oracle::root().join(&rel)).expect("read sample");
        let stem = rel.file_stem().unwrap().to_string_lossy().to_string();
        let cells = oracle::libreoffice_recalc(
            bid.layout,
            &bid.values,
            app::default_overrides(&bid),
            dir.path(),
            &stem,
        );
        let o = Oracle {
            sample: rel.to_string_lossy().replace('\\', "/"),
            template: bid.layout.form.id.clone(),
            engine: version.clone(),
            cells,
        };
        let path = oracle::path_for(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
        std::fs::write(&path, oracle::to_json(&o)).expect("write");
        eprintln!("wrote {}", path.display());
    }
}
