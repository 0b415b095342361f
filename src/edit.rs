//! What an output command changed in the user's workbook: the list of
//! edits (cell, old, new, why) and the package parts that differ.
//!
//! `annotate`, `recalc -o`, `finalize` and `reallocate -o` each open the
//! input with [`crate::package::Package`], make only their deliberate
//! edits, and return an [`Edited`]: the bytes, every edit, and the parts
//! that changed (every other part is byte-identical to the input).

use crate::cellref::CellRef;
use crate::package::{Applied, OldCell, Package, PackageError, Scalar};
use crate::template::{Field, Kind};
use crate::value::Value;
use serde::Serialize;
use std::path::Path;

/// What kind of change an [`Edit`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// A formula's cached result (the formula kept).
    CachedValue,
    /// A cell's content (a constant; a formula there is removed).
    Value,
    /// The cell was removed (content and format).
    Removed,
    /// The cell's fill.
    Fill,
    /// A note on the cell.
    Note,
    /// A sheet added.
    SheetAdded,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Sheet.
    pub sheet: String,
    /// Cell (`D5`), empty for a sheet-wide edit.
    pub cell: String,
    /// What changed.
    pub what: EditKind,
    /// The old value (or note, or fill).
    pub old: String,
    /// The new value.
    pub new: String,
    /// The cell's formula before (kept by a cached-value edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_formula: Option<String>,
    /// Why.
    pub why: String,
}

/// An edited workbook.
#[derive(Debug, Clone, Default)]
pub struct Edited {
    /// The package bytes.
    pub bytes: Vec<u8>,
    /// Every edit.
    pub edits: Vec<Edit>,
    /// The parts that differ from the input, sorted.
    pub parts: Vec<String>,
}

impl Edited {
    /// The edit list as text, one line per edit.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for e in &self.edits {
            let at = if e.cell.is_empty() {
                e.sheet.clone()
            } else {
                format!("{}!{}", e.sheet, e.cell)
            };
            let what = match e.what {
                EditKind::CachedValue => "cached value",
                EditKind::Value => "value",
                EditKind::Removed => "removed",
                EditKind::Fill => "fill",
                EditKind::Note => "note",
                EditKind::SheetAdded => "sheet added",
            };
            let formula = match (&e.old_formula, e.what) {
                (Some(f), EditKind::CachedValue) => format!(" (={f} kept)"),
                (Some(f), _) => format!(" (was ={f})"),
                _ => String::new(),
            };
            s.push_str(&format!(
                "  {at:<12} {what:<12} {} → {}{formula}  [{}]\n",
                one_line(&e.old),
                one_line(&e.new),
                e.why
            ));
        }
        s.push_str(&format!(
            "  parts changed: {}\n",
            if self.parts.is_empty() {
                "none".to_string()
            } else {
                self.parts.join(", ")
            }
        ));
        s
    }

    /// The edit list as JSON (`input`, `output`, `edits`, `parts`).
    pub fn json(&self, input: &Path, output: &Path) -> serde_json::Value {
        serde_json::json!({
            "input": input.display().to_string(),
            "output": output.display().to_string(),
            "edits": self.edits,
            "parts": self.parts,
        })
    }
}

fn one_line(s: &str) -> String {
    let t: String = s.replace('\n', " ⏎ ");
    let t = if t.chars().count() > 60 {
        format!("{}…", t.chars().take(59).collect::<String>())
    } else {
        t
    };
    // Other control characters (ESC, CR, …) as visible escapes.
    crate::sanitize::visible(&t).into_owned()
}

/// Refuses an output whose extension is not the input's (`.xlsx` stays
/// `.xlsx`, `.xlsm` stays `.xlsm`), or an input that is not an OOXML
/// package `bpt` can edit.
pub fn check_extension(input: &Path, out: &Path) -> Result<(), String> {
    let ext = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    };
    let (i, o) = (ext(input), ext(out));
    if !matches!(i.as_str(), "xlsx" | "xlsm") {
        return Err(format!(
            "{} is not an .xlsx or .xlsm workbook; bpt edits only those (save it as .xlsx first)",
            input.display()
        ));
    }
    if i != o {
        return Err(format!(
            "{} must have the input's extension .{i} (the output is an edit of {}, in its format)",
            out.display(),
            input.display()
        ));
    }
    Ok(())
}

/// Opens the input workbook for editing.
pub fn open(input: &Path) -> Result<Package, String> {
    let bytes =
        std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    Package::open(bytes).map_err(|e| format!("{}: {e}", input.display()))
}

/// Saves an edited package and lists its changed parts.
pub fn finish(mut p: Package, edits: Vec<Edit>) -> Result<Edited, PackageError> {
    let parts = p.changed_parts();
    let bytes = p.save()?;
    Ok(Edited {
        bytes,
        edits,
        parts,
    })
}

/// The cell content for field `f` holding `v`: codes as text, dates as
/// serial numbers, invalid content as its raw text.
pub fn scalar(f: &Field, v: &Value) -> Scalar {
    match v {
        Value::Empty => Scalar::Empty,
        Value::Number(d) if f.kind == Kind::Code => Scalar::Text(d.normalize().to_string()),
        Value::Number(d) => Scalar::number(*d),
        Value::Text(s) => Scalar::Text(s.clone()),
        Value::Date(d) => match crate::reader::day_serial(*d) {
            Some(n) => Scalar::Number(n.to_string()),
            None => Scalar::Text(d.format("%Y-%m-%d").to_string()),
        },
        Value::Invalid(i) => Scalar::Text(i.raw.clone()),
    }
}

/// An edit record from an applied cell edit.
pub fn record(
    sheet: &str,
    a: &Applied,
    what: EditKind,
    new: &Scalar,
    why: impl Into<String>,
) -> Edit {
    Edit {
        sheet: sheet.to_string(),
        cell: a.cell.to_string(),
        what,
        old: old_text(&a.old),
        new: if what == EditKind::Removed {
            "(removed)".into()
        } else {
            new.shown()
        },
        old_formula: a.old.formula.clone(),
        why: why.into(),
    }
}

/// The old content shown in an edit.
pub fn old_text(o: &OldCell) -> String {
    if !o.existed {
        return "(no cell)".into();
    }
    o.scalar().shown()
}

/// A cell reference of a field.
pub fn cell_of(f: &Field) -> CellRef {
    f.cell
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn output_keeps_the_input_format() {
        let p = Path::new;
        assert!(check_extension(p("a.xlsx"), p("b.xlsx")).is_ok());
        assert!(check_extension(p("a.XLSM"), p("out/b.xlsm")).is_ok());
        let e = check_extension(p("a.xlsm"), p("b.xlsx")).unwrap_err();
        assert!(e.contains("must have the input's extension .xlsm"), "{e}");
        assert!(check_extension(p("a.ods"), p("b.ods")).is_err());
    }

    #[test]
    fn dates_are_serials_both_sides_of_excels_leap_day() {
        let layout = crate::template::builtin_cached("ma-bpt-2013").unwrap();
        let f = layout.fields.iter().find(|f| f.kind == Kind::Date).unwrap();
        let s = |y, m, d| scalar(f, &Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(s(2011, 1, 1), Scalar::Number("40544".into()));
        assert_eq!(s(1900, 1, 15), Scalar::Number("15".into()));
        assert_eq!(s(1900, 3, 1), Scalar::Number("61".into()));
    }
}
