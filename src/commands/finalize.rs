//! `bpt finalize`: the HPMS upload copy of a bid.

use super::pipeline::bid_id;
use super::render::json_or_err;
use super::{FINDINGS, OK, Outcome, UNREADABLE};
use crate::reader;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// `bpt finalize FILE -o OUT [--backup] [--force] [--record FILE] [--format json]`.
pub fn finalize(
    path: &Path,
    out: &Path,
    force: bool,
    backup: bool,
    tolerance: Decimal,
    record: Option<&Path>,
    json: bool,
) -> Outcome {
    use crate::finalize::Finalized;
    if let Err(e) = crate::edit::check_extension(path, out) {
        return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
    }
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    // Text from the workbook is shown shortened, with visible escapes.
    use crate::sanitize::{path as shown_path, visible};
    let who = crate::sanitize::echo(&bid_id(&bid).display());
    match crate::finalize::finalize(&bid, tolerance, path) {
        Err(e) => Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        Ok(Finalized::Blocked(blockers)) => {
            let mut s = format!(
                "bpt: {} ({who}) cannot be finalized: {} error(s) stand\n",
                shown_path(path),
                blockers.len()
            );
            for b in &blockers {
                let f = &b.finding;
                let loc = if f.cell.is_empty() {
                    visible(&f.sheet).into_owned()
                } else {
                    format!("{}!{}", visible(&f.sheet), visible(&f.cell))
                };
                s.push_str(&format!(
                    "  {} {loc}: {}{}\n",
                    f.rule,
                    visible(&f.message),
                    if b.cms_check {
                        " [the CMS form's finalization check]"
                    } else {
                        ""
                    }
                ));
            }
            s.push_str("nothing was written\n");
            Outcome {
                stdout: String::new(),
                stderr: s,
                code: FINDINGS,
            }
        }
        Ok(Finalized::Done {
            edited,
            changes,
            left,
            remaining,
        }) => {
            let guard = crate::writer::SaveGuard::new(force).protect(path.to_path_buf());
            // Every check before any write: a refused command leaves no
            // backup and no record.
            if let Err(e) = guard.check(out) {
                return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
            }
            if let Some(rec) = record {
                if rec == out {
                    return Outcome::err(
                        "bpt: --record must name a file other than the output\n".into(),
                        UNREADABLE,
                    );
                }
                if let Err(e) = guard.check(rec) {
                    return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
                }
            }
            let mut s = String::new();
            let backup = match backup {
                false => None,
                true => match prepare_backup(path, out) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        return Outcome::err(
                            format!("bpt: backup failed: {e}; nothing was written\n"),
                            UNREADABLE,
                        );
                    }
                },
            };
            if let Some((dest, original)) = &backup {
                let bguard = crate::writer::SaveGuard::new(false)
                    .protect(path.to_path_buf())
                    .protect(out.to_path_buf());
                if let Err(e) = crate::writer::save_atomic(original, dest, &bguard) {
                    return Outcome::err(
                        format!("bpt: backup failed: {e}; nothing was written\n"),
                        UNREADABLE,
                    );
                }
                s.push_str(&format!("backup: {}\n", shown_path(dest)));
            }
            if let Err(e) = crate::writer::save_atomic(&edited.bytes, out, &guard) {
                // Nothing was finalized: the backup made for this run goes too.
                if let Some((dest, _)) = &backup {
                    let _ = std::fs::remove_file(dest);
                }
                return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
            }
            s.push_str(&format!(
                "finalized {} ({who}) → {}\n",
                shown_path(path),
                shown_path(out)
            ));
            for c in &changes {
                if c.sheet.is_empty() {
                    s.push_str(&format!("  {}\n", visible(&c.what)));
                } else {
                    s.push_str(&format!("  {}: {}\n", visible(&c.sheet), visible(&c.what)));
                }
            }
            if !remaining.is_empty() {
                s.push_str(&format!(
                    "  {} warning/info finding(s) remain (bpt validate lists them)\n",
                    remaining.len()
                ));
            }
            if !left.is_empty() {
                s.push_str("not done (the output is not ready for upload until you do it):\n");
                for c in &left {
                    s.push_str(&format!("  {}: {}\n", visible(&c.sheet), visible(&c.what)));
                }
            }
            s.push_str("edits:\n");
            s.push_str(&edited.text());
            let mut j = edited.json(path, out);
            j["changes"] = serde_json::to_value(&changes).unwrap_or_default();
            j["remaining_findings"] = serde_json::json!(remaining.len());
            j["not_done"] = serde_json::to_value(&left).unwrap_or_default();
            let j = json_or_err(&j);
            if let Some(rec) = record {
                let is_json = rec
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let body = if is_json { j.clone() } else { s.clone() };
                let guard = crate::writer::SaveGuard::new(force)
                    .protect(path.to_path_buf())
                    .protect(out.to_path_buf());
                if let Err(e) = crate::writer::save_atomic(body.as_bytes(), rec, &guard) {
                    return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
                }
            }
            // Something finalization asks was left to the user: exit 1.
            let code = if left.is_empty() { OK } else { FINDINGS };
            Outcome::out(if json { j } else { s }, code)
        }
    }
}

/// Where `finalize --backup` keeps the copy of the input and the bytes to
/// copy: `STEM.YYYYMMDD-HHMMSS.backup.EXT` beside the output, or
/// `STEM.YYYYMMDD-HHMMSS-N.backup.EXT` when that name is taken (folder and
/// glob expansion skip these names). Checked like every output: never an
/// existing file, never the input or the output.
fn prepare_backup(path: &Path, out: &Path) -> Result<(PathBuf, Vec<u8>), String> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let stem = path.file_stem().and_then(|x| x.to_str()).unwrap_or("bid");
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
    let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("xlsx");
    // Two runs in one second: the second backup takes `…-HHMMSS-2…`, and
    // so on (never an existing file's name).
    let at = |name: &str| dir.map_or(PathBuf::from(name), |d| d.join(name));
    let dest = (1..=999u32)
        .map(|n| match n {
            1 => at(&format!("{stem}.{stamp}.backup.{ext}")),
            n => at(&format!("{stem}.{stamp}-{n}.backup.{ext}")),
        })
        .find(|d| std::fs::symlink_metadata(d).is_err())
        .unwrap_or_else(|| at(&format!("{stem}.{stamp}.backup.{ext}")));
    if out.file_name() == dest.file_name() {
        return Err(format!(
            "{} is the name the backup would take",
            out.display()
        ));
    }
    crate::writer::SaveGuard::new(false)
        .protect(path.to_path_buf())
        .check(&dest)
        .map_err(|e| e.to_string())?;
    let original =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok((dest, original))
}
