//! The cache of the resolved shipped templates (`src/template/cache.rs`):
//! whatever state it is in — absent, written, damaged, emptied, not
//! writable, turned off — every command gives the same output.

use crate::common::{Run, bpt_env};
use std::path::{Path, PathBuf};

const BIDS: [&str; 2] = [
    "sample-bids/hmo-mapd-2013.xlsx",
    "sample-bids/msa-2013.xlsx",
];

/// `bpt validate` of an MA and an MSA bid with `home` as `$HOME` and the
/// cache under `cache` (`XDG_CACHE_HOME`), with more environment.
fn validate(home: &Path, cache: &Path, more: &[(&str, &str)]) -> Run {
    let mut env = vec![
        ("HOME", home.to_str().unwrap()),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
    ];
    env.extend_from_slice(more);
    let mut args = vec!["validate"];
    args.extend(BIDS);
    bpt_env(&args, &env)
}

/// The cache files, by name.
fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn the_cache_never_changes_what_a_command_does() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let cache = tmp.path().join("cache");
    let dir = cache.join("bpt");

    // Turned off: the reference, and nothing written.
    let reference = validate(&home, &cache, &[("BPT_NO_CACHE", "1")]);
    assert_eq!(reference.code, 0, "{}", reference.err);
    assert!(
        reference.out.contains("hmo-mapd-2013.xlsx"),
        "{}",
        reference.out
    );
    assert!(!cache.exists());

    // The first run writes one file per shipped template used, private
    // to the user; the second reads them.
    let first = validate(&home, &cache, &[]);
    let written = files(&dir);
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("ma-bpt-2013-") && names[0].ends_with(".bin"));
    assert!(names[1].starts_with("msa-bpt-2013-") && names[1].ends_with(".bin"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let bytes: Vec<Vec<u8>> = written
        .iter()
        .map(|(_, p)| std::fs::read(p).unwrap())
        .collect();
    let second = validate(&home, &cache, &[]);
    for r in [&first, &second] {
        assert_eq!(
            (r.code, &r.out, &r.err),
            (reference.code, &reference.out, &reference.err)
        );
    }

    // Damaged (a byte changed), then cut to nothing: ignored, and written
    // again as it was.
    let damages: [fn(&mut Vec<u8>); 2] = [
        |b| {
            let mid = b.len() / 2;
            b[mid] ^= 0x55;
        },
        |b| b.clear(),
    ];
    for damage in damages {
        for ((_, p), b) in written.iter().zip(&bytes) {
            let mut d = b.clone();
            damage(&mut d);
            std::fs::write(p, d).unwrap();
        }
        let r = validate(&home, &cache, &[]);
        assert_eq!((r.code, &r.out), (reference.code, &reference.out));
        for ((_, p), b) in written.iter().zip(&bytes) {
            assert!(std::fs::read(p).unwrap() == *b, "{} rewritten", p.display());
        }
    }

    // The file of another build's key is replaced by this build's.
    let (name, path) = &written[0];
    let old = dir.join(format!("ma-bpt-2013-{}.bin", "0".repeat(16)));
    std::fs::rename(path, &old).unwrap();
    let r = validate(&home, &cache, &[]);
    assert_eq!(r.out, reference.out);
    assert!(!old.exists());
    assert!(files(&dir).iter().any(|(n, _)| n == name));

    // A cache that cannot be written (XDG_CACHE_HOME is a file), or that
    // others may write: not used, and nothing fails.
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let r = validate(&home, &file, &[]);
    assert_eq!(
        (r.code, &r.out, &r.err),
        (reference.code, &reference.out, &reference.err)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (_, p) in files(&dir) {
            std::fs::remove_file(p).unwrap();
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let r = validate(&home, &cache, &[]);
        assert_eq!(r.out, reference.out);
        assert!(
            files(&dir).is_empty(),
            "nothing written where others can write"
        );
    }

    // A relative XDG_CACHE_HOME is ignored (the XDG rule): `~/.cache`.
    let r = validate(&home, Path::new("relative"), &[]);
    assert_eq!(r.out, reference.out);
    assert_eq!(files(&home.join(".cache").join("bpt")).len(), 2);
    assert!(!Path::new("relative").exists());
}
