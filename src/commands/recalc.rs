//! `bpt recalc`: every calculated cell recomputed, or a recalculated copy.

use super::files::save_edited;
use super::pipeline::recalc_bid;
use super::render::{DataFormat, csv_value, edited_outcome, edits_csv};
use super::{OK, Outcome, UNREADABLE};
use crate::form::Recalc;
use crate::reader::{self, Bid};
use std::path::Path;

/// `bpt recalc FILE [-o OUT] [--format text|json|csv]`: every calculated
/// value, or with `-o` the edit list, in the format asked for.
pub fn recalc(path: &Path, format: DataFormat, output: Option<&Path>, force: bool) -> Outcome {
    let json = format == DataFormat::Json;
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let r = recalc_bid(&bid);
    if let Some(out) = output {
        if let Err(e) = crate::edit::check_extension(path, out) {
            return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
        }
        let ed = match recalc_package(&bid, &r, path) {
            Ok(x) => x,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        };
        if let Err(o) = save_edited(&ed, path, out, force) {
            return o;
        }
        if format == DataFormat::Csv {
            return Outcome::out(edits_csv(&ed), OK);
        }
        let n = ed.edits.len();
        return edited_outcome(
            &ed,
            path,
            out,
            json,
            format!(
                "wrote {}: {n} calculated cell(s) whose cached value differed now hold bpt's (formulas kept)\n",
                out.display()
            ),
        );
    }
    if json {
        return Outcome::out(
            serde_json::to_string_pretty(&r.values).unwrap_or_default() + "\n",
            OK,
        );
    }
    let calculated = bid
        .layout
        .fields
        .iter()
        .filter(|f| f.role.is_calculated() && !r.values.get(&f.id).is_empty());
    if format == DataFormat::Csv {
        let rows = calculated.map(|f| {
            [
                f.id.clone(),
                f.sheet.clone(),
                f.cell.to_string(),
                f.label.clone(),
                csv_value(r.values.get(&f.id)),
            ]
        });
        return Outcome::out(
            crate::sanitize::csv(&["field", "sheet", "cell", "label", "value"], rows),
            OK,
        );
    }
    let mut o = String::new();
    let mut sheet = "";
    for f in bid.layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let v = r.values.get(&f.id);
        if v.is_empty() {
            continue;
        }
        if f.sheet != sheet {
            sheet = &f.sheet;
            o.push_str(&format!("── {sheet} ──\n"));
        }
        o.push_str(&format!(
            "  {:<6} {:<44} {:>16}  {}\n",
            f.cell.to_string(),
            f.id,
            crate::sanitize::echo(&v.display()),
            f.label
        ));
    }
    Outcome::out(o, OK)
}

/// The input with every calculated cell's cached value set to `bpt`'s
/// (only where it differs; formulas kept; a cell whose formula the actuary
/// replaced with a constant is left alone).
pub fn recalc_package(bid: &Bid, r: &Recalc, path: &Path) -> Result<crate::edit::Edited, String> {
    use crate::package::{CellEdit, Content};
    use std::collections::BTreeMap;
    let mut p = crate::edit::open(path)?;
    let mut by_sheet: BTreeMap<&str, BTreeMap<crate::cellref::CellRef, CellEdit>> = BTreeMap::new();
    for f in bid.layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let v = r.values.get(&f.id);
        if v.is_empty() {
            continue; // bpt has no value: the workbook's stays
        }
        by_sheet.entry(f.sheet.as_str()).or_default().insert(
            f.cell,
            CellEdit {
                content: Some(Content::Cached(crate::edit::scalar(f, v))),
                style: None,
            },
        );
    }
    let mut edits = Vec::new();
    for (sheet, cells) in &by_sheet {
        let applied = p.edit_cells(sheet, cells, &[]).map_err(|e| e.to_string())?;
        for a in applied.iter().filter(|a| a.changed) {
            let new = match cells.get(&a.cell).and_then(|e| e.content.as_ref()) {
                Some(Content::Cached(v)) => v.clone(),
                _ => crate::package::Scalar::Empty,
            };
            edits.push(crate::edit::record(
                sheet,
                a,
                crate::edit::EditKind::CachedValue,
                &new,
                "recomputed by bpt",
            ));
        }
    }
    crate::edit::finish(p, edits).map_err(|e| e.to_string())
}
