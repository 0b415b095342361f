//! Size limits that keep a hostile or damaged workbook from exhausting
//! memory or time.
//!
//! | limit | default | environment variable |
//! |---|---|---|
//! | input file size | 64 MiB | `BPT_MAX_FILE_BYTES` |
//! | total uncompressed size of a zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) | 512 MiB | `BPT_MAX_UNCOMPRESSED_BYTES` |
//! | entries in the zip archive | 10,000 | `BPT_MAX_ZIP_ENTRIES` |
//!
//! A real MA BPT is well under 5 MiB on disk and 50 MiB unpacked. Values are
//! bytes (suffixes `K`, `M`, `G` accepted: `BPT_MAX_FILE_BYTES=200M`).
//!
//! The uncompressed size is measured by inflating every entry into a counting
//! sink that stops at the limit, so an archive that lies about its sizes (a
//! zip bomb) is caught after at most the limit's worth of work.
//!
//! ```
//! let l = bpt::limits::Limits::default();
//! assert_eq!(l.max_file_bytes, 64 * 1024 * 1024);
//! assert!(bpt::limits::check_zip(b"not a zip", &l).is_ok()); // left to the reader
//! ```

use std::io::{Cursor, Read};

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip-based workbook, in bytes.
    pub max_uncompressed_bytes: u64,
    /// Most entries a zip-based workbook may hold.
    pub max_zip_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_uncompressed_bytes: 512 << 20,
            max_zip_entries: 10_000,
        }
    }
}

/// Parses `123`, `64K`, `200M`, `1G` (powers of 1024).
///
/// ```
/// assert_eq!(bpt::limits::parse_size("200M"), Some(200 << 20));
/// assert_eq!(bpt::limits::parse_size("x"), None);
/// ```
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1u64 << 10),
        'M' => (&s[..s.len() - 1], 1 << 20),
        'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

impl Limits {
    /// The defaults, overridden by the environment variables above.
    pub fn from_env() -> Limits {
        let mut l = Limits::default();
        let get = |k: &str| std::env::var(k).ok().and_then(|v| parse_size(&v));
        if let Some(v) = get("BPT_MAX_FILE_BYTES") {
            l.max_file_bytes = v;
        }
        if let Some(v) = get("BPT_MAX_UNCOMPRESSED_BYTES") {
            l.max_uncompressed_bytes = v;
        }
        if let Some(v) = get("BPT_MAX_ZIP_ENTRIES") {
            l.max_zip_entries = usize::try_from(v).unwrap_or(usize::MAX);
        }
        l
    }
}

/// Human size: `512 MiB`.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Checks a zip-based workbook against the limits. Bytes that are not a zip
/// archive pass (the reader reports them); a zip that breaks a limit or
/// cannot be inflated is an error message.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => return Err(format!("damaged zip archive: {e}")),
    };
    if zip.len() > limits.max_zip_entries {
        return Err(format!(
            "the archive holds {} entries, more than the limit of {} (BPT_MAX_ZIP_ENTRIES)",
            zip.len(),
            limits.max_zip_entries
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => return Err(format!("damaged zip entry {i}: {e}")),
        };
        let name = f
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {i}"));
        let declared = f.size();
        if total.saturating_add(declared) > limits.max_uncompressed_bytes {
            return Err(too_big(limits, &name));
        }
        loop {
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    total = total.saturating_add(n as u64);
                    if total > limits.max_uncompressed_bytes {
                        return Err(too_big(limits, &name));
                    }
                }
                Err(e) => return Err(format!("damaged zip entry `{name}`: {e}")),
            }
        }
    }
    Ok(())
}

fn too_big(limits: &Limits, name: &str) -> String {
    format!(
        "the workbook unpacks to more than {} (at `{name}`); a zip bomb or not a bid. \
         Raise BPT_MAX_UNCOMPRESSED_BYTES if it is genuine",
        human(limits.max_uncompressed_bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, d) in entries {
            w.start_file(*n, opts).unwrap();
            w.write_all(d).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn bomb_is_refused_and_small_zip_passes() {
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", vec![b'a'; 8 << 20])]);
        assert!(bomb.len() < 64 << 10, "compresses well: {}", bomb.len());
        let l = Limits {
            max_uncompressed_bytes: 1 << 20,
            ..Limits::default()
        };
        let e = check_zip(&bomb, &l).unwrap_err();
        assert!(e.contains("zip bomb"), "{e}");
        assert!(check_zip(&bomb, &Limits::default()).is_ok());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("64K"), Some(65536));
        assert_eq!(parse_size(" 10 "), Some(10));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size(""), None);
        assert_eq!(human(512 << 20), "512 MiB");
    }
}
