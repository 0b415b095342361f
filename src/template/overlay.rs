//! Layout overlays: a template file that `extends` a shipped template and
//! restates only *where* things are in someone else's workbook (CMS's own
//! BPT, a plan's house copy).
//!
//! An overlay names sheets (`WS1 = "MA Base"`), moves every cell of a sheet
//! or of one table by rows and columns, places a table's first row or a
//! column on a given letter, places single fields, declares extra columns
//! and fields the user's workbook has and the base form does not (kept,
//! read and reported, never used by a formula or a rule), and says how the
//! workbook is recognised (a version string in a cell, a sheet, a title).
//! Everything else — kinds, roles, formulas, rules, family facts — comes
//! from the base template: the overlay is applied to the base template's
//! file and the result resolved as usual, so every `{field.id}` placeholder
//! of a formula follows its field to the moved cell. See `docs/overlays.md`.
//!
//! ```
//! let text = r#"
//! extends = "ma-bpt-2013"
//! id = "my-layout"
//! [sheets]
//! WS1 = { name = "MA Base", rows = 2 }
//! [fields]
//! "ws1.general.contract_number" = "D5"
//! [[recognize]]
//! sheet = "MA Base"
//! cell = "A2"
//! pattern = "MA-2013.*"
//! "#;
//! let layout = bpt::template::Layout::from_toml(text).unwrap();
//! assert_eq!(layout.field("ws1.general.contract_number").unwrap().address(), "MA Base!D5");
//! assert_eq!(layout.field("ws1.base.net_pmpm[a]").unwrap().address(), "MA Base!D48");
//! ```

use super::schema::{ColumnSpec, FieldSpecRaw, TemplateFile};
use crate::cellref::{CellRef, col_name, parse_col};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An overlay file as written by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayFile {
    /// Id of the shipped template this overlay moves (`ma-bpt-2013`).
    pub extends: String,
    /// Id of the overlay (what `--template` and reports name).
    pub id: String,
    /// Human title (default: the base template's).
    #[serde(default)]
    pub title: Option<String>,
    /// Base sheet name → the workbook's sheet name, or a table of
    /// `name`, `rows`, `cols` (offsets applied to every cell of the sheet).
    #[serde(default)]
    pub sheets: BTreeMap<String, SheetOverlay>,
    /// Table id → where the table sits.
    #[serde(default)]
    pub tables: BTreeMap<String, TableOverlay>,
    /// Scalar field id → its cell (on its sheet).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Columns and fields the workbook has and the base form does not.
    #[serde(default, rename = "extra")]
    pub extras: Vec<ExtraSpec>,
    /// How the workbook is recognised: every rule must hold.
    #[serde(default)]
    pub recognize: Vec<Rule>,
}

/// A sheet's place: only its name, or a name and offsets.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SheetOverlay {
    /// `WS1 = "MA Base"`.
    Name(String),
    /// `WS1 = { name = "MA Base", rows = 2, cols = 1 }`.
    Full(SheetMove),
}

/// A sheet's name and the offsets of every cell on it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetMove {
    /// The workbook's name for the sheet (default: the base name).
    #[serde(default)]
    pub name: Option<String>,
    /// Rows every cell of the sheet moves down (negative: up).
    #[serde(default)]
    pub rows: i64,
    /// Columns every cell of the sheet moves right (negative: left).
    #[serde(default)]
    pub cols: i64,
}

impl SheetOverlay {
    fn parts(&self) -> (Option<&str>, i64, i64) {
        match self {
            SheetOverlay::Name(n) => (Some(n), 0, 0),
            SheetOverlay::Full(m) => (m.name.as_deref(), m.rows, m.cols),
        }
    }
}

/// Where a table sits; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableOverlay {
    /// Sheet row (1-based) of the first data row.
    #[serde(default)]
    pub first_row: Option<u32>,
    /// Rows the table moves (on top of its sheet's offset; ignored with
    /// `first_row`).
    #[serde(default)]
    pub rows: i64,
    /// Columns every column of the table moves (on top of its sheet's
    /// offset; a column in `columns` is placed where it says).
    #[serde(default)]
    pub cols: i64,
    /// Column id → Excel column letters.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Total line key → blank rows before it (overrides the base's `skip`).
    #[serde(default)]
    pub skip: BTreeMap<String, u32>,
}

/// An extra column of a table, or an extra scalar field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraSpec {
    /// Column id (with `table`) or full field id (with `sheet` and `cell`).
    pub id: String,
    /// The table the column belongs to.
    #[serde(default)]
    pub table: Option<String>,
    /// Column letters (with `table`).
    #[serde(default)]
    pub col: Option<String>,
    /// The base sheet name (with `cell`).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Cell (with `sheet`).
    #[serde(default)]
    pub cell: Option<String>,
    /// Header or label as the workbook shows it.
    #[serde(default)]
    pub label: String,
    /// Value kind (default `decimal`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Data rows that have the column (default: all).
    #[serde(default)]
    pub rows: Option<Vec<String>>,
}

/// One recognition rule.
///
/// - `sheet` alone: the workbook has that sheet;
/// - with `cell` and `pattern`: the cell's text matches the pattern (`*`
///   any run of characters, `?` one character, the rest literal, whole text);
/// - with `cell` and `contains`: the cell's text contains the words
///   (ignoring case);
/// - with `contains` alone: one of the sheet's first 10 rows holds them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The workbook's sheet name.
    pub sheet: String,
    /// Cell to look at.
    #[serde(default)]
    pub cell: Option<String>,
    /// Pattern the whole (trimmed) text must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Words the text must contain.
    #[serde(default)]
    pub contains: Option<String>,
}

/// What an overlay says about a resolved layout.
#[derive(Debug, Clone, Serialize)]
pub struct OverlayInfo {
    /// The base template's id.
    pub extends: String,
    /// Base sheet name → the workbook's sheet name, for every sheet.
    pub sheets: Vec<(String, String)>,
    /// Recognition rules.
    pub recognize: Vec<Rule>,
    /// Ids of the extra fields (read and reported only).
    pub extras: Vec<String>,
    /// Fields the overlay says nothing about (still at the base template's
    /// cell, on a sheet the overlay does not mention).
    pub unplaced: Vec<String>,
}

/// Whether a TOML text is an overlay (has a top-level `extends`).
pub fn is_overlay(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        extends: Option<toml::Value>,
    }
    toml::from_str::<Probe>(text).is_ok_and(|p| p.extends.is_some())
}

fn shift_row(row: u32, by: i64) -> Result<u32, String> {
    let r = i64::from(row)
        .checked_add(by)
        .filter(|r| (0..1_048_576).contains(r))
        .ok_or_else(|| {
            format!(
                "moving row {} by {by} leaves the sheet",
                row.saturating_add(1)
            )
        })?;
    u32::try_from(r).map_err(|e| e.to_string())
}

fn shift_col(col: u16, by: i64) -> Result<u16, String> {
    let c = i64::from(col)
        .checked_add(by)
        .filter(|c| (0..16_384).contains(c))
        .ok_or_else(|| format!("moving column {} by {by} leaves the sheet", col_name(col)))?;
    u16::try_from(c).map_err(|e| e.to_string())
}

fn shift_cell(cell: &str, rows: i64, cols: i64) -> Result<String, String> {
    let c = CellRef::parse(cell).ok_or_else(|| format!("bad cell `{cell}`"))?;
    Ok(CellRef::new(shift_row(c.row, rows)?, shift_col(c.col, cols)?).to_string())
}

/// Applies an overlay to its base template's file: the result is a plain
/// template file (resolved by [`super::Layout::resolve`]) and what the
/// overlay says about it.
pub fn apply(base: &TemplateFile, ov: &OverlayFile) -> Result<(TemplateFile, OverlayInfo), String> {
    let mut file = base.clone();
    if ov.id.trim().is_empty() {
        return Err("the overlay has no `id`".into());
    }
    for name in ov.sheets.keys() {
        if !base.sheets.iter().any(|s| &s.name == name) {
            return Err(format!(
                "[sheets]: `{name}` is not a sheet of {} (its sheets: {})",
                base.form.id,
                base.sheets
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let scalar_ids: BTreeSet<&str> = base
        .sheets
        .iter()
        .flat_map(|s| s.fields.iter().map(|f| f.id.as_str()))
        .collect();
    for id in ov.fields.keys() {
        if !scalar_ids.contains(id.as_str()) {
            return Err(format!(
                "[fields]: `{id}` is not a scalar field of {} (table cells move with \
                 [tables.\"<table id>\"])",
                base.form.id
            ));
        }
    }
    for (tid, t) in &ov.tables {
        let spec = base
            .sheets
            .iter()
            .flat_map(|s| s.tables.iter())
            .find(|x| &x.id == tid)
            .ok_or_else(|| format!("[tables]: `{tid}` is not a table of {}", base.form.id))?;
        for c in t.columns.keys() {
            if !spec.columns.iter().any(|x| &x.id == c) {
                return Err(format!("[tables.\"{tid}\"]: table has no column `{c}`"));
            }
        }
        for k in t.skip.keys() {
            if !spec.totals.iter().any(|x| &x.key == k) {
                return Err(format!("[tables.\"{tid}\"]: `{k}` is not a total line"));
            }
        }
    }
    file.form.id = ov.id.clone();
    if let Some(t) = &ov.title {
        file.form.title = t.clone();
    }
    file.form.source = format!("overlay of {} ({})", base.form.id, base.form.source);
    // The overlay's workbook has no bpt marker: recognition replaces it.
    file.form.marker.text = String::new();
    // Rows finalization deletes are rows of bpt's form: where they are in
    // the user's own workbook is worked out from the fields they hold, once
    // the overlay is resolved (see [`place_removals`]).
    if let Some(facts) = file.form.facts.as_mut() {
        facts.finalize.remove.clear();
    }
    let mut sheets = Vec::new();
    let mut unplaced = Vec::new();
    for sh in &mut file.sheets {
        let base_name = sh.name.clone();
        let stated = ov.sheets.get(&base_name);
        let (name, dr, dc) = stated.map(SheetOverlay::parts).unwrap_or((None, 0, 0));
        let ctx = |m: String| format!("sheet {base_name}: {m}");
        let new_name = name.unwrap_or(&base_name).to_string();
        if file.form.marker.sheet == base_name {
            file.form.marker.sheet = new_name.clone();
        }
        // Our form's decoration is not in the user's workbook.
        sh.texts.clear();
        sh.widths.clear();
        sh.freeze_rows = 0;
        sh.freeze_cols = 0;
        for f in &mut sh.fields {
            f.label_cell = None;
            // A workbook-level name of our form is not the user's.
            f.name = None;
            if let Some(cell) = ov.fields.get(&f.id) {
                CellRef::parse(cell)
                    .ok_or_else(|| ctx(format!("field {}: bad cell `{cell}`", f.id)))?;
                f.cell = cell.to_ascii_uppercase();
            } else {
                if stated.is_none() {
                    unplaced.push(f.id.clone());
                }
                f.cell =
                    shift_cell(&f.cell, dr, dc).map_err(|e| ctx(format!("field {}: {e}", f.id)))?;
            }
        }
        for t in &mut sh.tables {
            let to = ov.tables.get(&t.id);
            t.header_row = None;
            t.key_col = None;
            t.label_col = None;
            let tctx = |m: String| format!("table {}: {m}", t.id);
            match to.and_then(|x| x.first_row) {
                Some(0) => return Err(tctx("first_row is 1-based".into())),
                Some(r) => t.first_row = r,
                None => {
                    let by = dr
                        .checked_add(to.map_or(0, |x| x.rows))
                        .ok_or_else(|| tctx("row offset too large".into()))?;
                    t.first_row = shift_row(t.first_row.saturating_sub(1), by)
                        .map_err(tctx)?
                        .saturating_add(1);
                }
            }
            if let Some(to) = to {
                for tot in &mut t.totals {
                    if let Some(s) = to.skip.get(&tot.key) {
                        tot.skip = *s;
                    }
                }
            }
            let by = dc
                .checked_add(to.map_or(0, |x| x.cols))
                .ok_or_else(|| tctx("column offset too large".into()))?;
            for c in &mut t.columns {
                c.name = None;
                if let Some(col) = to.and_then(|x| x.columns.get(&c.id)) {
                    parse_col(col)
                        .ok_or_else(|| tctx(format!("column {}: bad column `{col}`", c.id)))?;
                    c.col = col.to_ascii_uppercase();
                } else {
                    let pc =
                        parse_col(&c.col).ok_or_else(|| tctx(format!("bad column `{}`", c.col)))?;
                    c.col = col_name(shift_col(pc, by).map_err(tctx)?);
                }
            }
            if stated.is_none() && to.is_none() {
                unplaced.push(format!("{}[*] (table)", t.id));
            }
        }
        sh.name = new_name.clone();
        sheets.push((base_name, new_name));
    }
    let mut extras = Vec::new();
    for x in &ov.extras {
        let kind = x.kind.clone().unwrap_or_else(|| "decimal".into());
        kind.parse::<super::Kind>()
            .map_err(|e| format!("extra `{}`: {e}", x.id))?;
        match (&x.table, &x.sheet) {
            (Some(tid), None) => {
                let col = x
                    .col
                    .clone()
                    .ok_or_else(|| format!("extra `{}`: a table column needs `col`", x.id))?;
                let t = file
                    .sheets
                    .iter_mut()
                    .flat_map(|s| s.tables.iter_mut())
                    .find(|t| &t.id == tid)
                    .ok_or_else(|| format!("extra `{}`: no table `{tid}`", x.id))?;
                if t.columns.iter().any(|c| c.id == x.id) {
                    return Err(format!(
                        "extra `{}`: table {tid} already has that column",
                        x.id
                    ));
                }
                extras.push(format!("{tid}.{}[*]", x.id));
                t.columns.push(ColumnSpec {
                    id: x.id.clone(),
                    col: col.to_ascii_uppercase(),
                    letter: None,
                    header: x.label.clone(),
                    kind,
                    role: "input".into(),
                    rows: x.rows.clone(),
                    formula: None,
                    totals: BTreeMap::new(),
                    row_roles: BTreeMap::new(),
                    row_formulas: BTreeMap::new(),
                    row_kinds: BTreeMap::new(),
                    row_values: BTreeMap::new(),
                    row_checks: BTreeMap::new(),
                    pattern: None,
                    choices: Vec::new(),
                    min: None,
                    max: None,
                    format: None,
                    value: None,
                    name: None,
                    note: Some("extra column of this workbook: read and reported only".into()),
                    checks: Default::default(),
                });
            }
            (None, Some(sheet)) => {
                let cell = x
                    .cell
                    .clone()
                    .ok_or_else(|| format!("extra `{}`: a field needs `cell`", x.id))?;
                let pos = sheets
                    .iter()
                    .position(|(b, _)| b == sheet)
                    .ok_or_else(|| format!("extra `{}`: `{sheet}` is not a base sheet", x.id))?;
                extras.push(x.id.clone());
                file.sheets[pos].fields.push(FieldSpecRaw {
                    id: x.id.clone(),
                    cell,
                    label: x.label.clone(),
                    label_cell: None,
                    line: String::new(),
                    spec: String::new(),
                    kind,
                    role: "input".into(),
                    pattern: None,
                    choices: Vec::new(),
                    min: None,
                    max: None,
                    format: None,
                    value: None,
                    formula: None,
                    required: false,
                    name: None,
                    note: Some("extra field of this workbook: read and reported only".into()),
                    checks: Default::default(),
                });
            }
            _ => {
                return Err(format!(
                    "extra `{}`: give `table` and `col`, or `sheet` and `cell`",
                    x.id
                ));
            }
        }
    }
    for r in &ov.recognize {
        if let Some(c) = &r.cell {
            CellRef::parse(c).ok_or_else(|| format!("[[recognize]]: bad cell `{c}`"))?;
        }
        if r.cell.is_some() && r.pattern.is_none() && r.contains.is_none() {
            return Err("[[recognize]]: a rule with `cell` needs `pattern` or `contains`".into());
        }
        if r.pattern.is_some() && r.cell.is_none() {
            return Err("[[recognize]]: `pattern` needs a `cell`".into());
        }
    }
    Ok((
        file,
        OverlayInfo {
            extends: ov.extends.clone(),
            sheets,
            recognize: ov.recognize.clone(),
            extras,
            unplaced,
        },
    ))
}

/// Where the sections finalization removes (`[form.facts.finalize]
/// remove`, rows of the base form) are in an overlay's workbook.
///
/// An overlay places cells, not rows; the rows are worked out from the
/// fields the section holds on the base form (on the MA BPT, WS6 Section V's
/// five working-model notes). They are removed only when that is safe:
///
/// - every field of the section moved by the same number of rows (the
///   section kept its shape), so its heading and text rows, which hold no
///   field, are where the same shift puts them;
/// - no other field of the form — an extra of the overlay included — sits
///   on those rows of the workbook.
///
/// Otherwise the section is kept, with the reason in
/// [`super::facts::Removed::refused`], and finalization reports it.
pub fn place_removals(base: &super::Layout, mapped: &super::Layout) -> Vec<super::facts::Removed> {
    let sheets = mapped
        .overlay
        .as_ref()
        .map(|o| o.sheets.as_slice())
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for r in &base.facts.remove {
        let name = sheets
            .iter()
            .find(|(b, _)| *b == r.sheet)
            .map_or_else(|| r.sheet.clone(), |x| x.1.clone());
        let rows = |a: u32, b: u32| format!("rows {}-{}", a.saturating_add(1), b.saturating_add(1));
        let refuse = |why: String| super::facts::Removed {
            sheet: name.clone(),
            first: r.first,
            last: r.last,
            label: r.label.clone(),
            refused: Some(why),
            own: None,
        };
        let inside: Vec<(&super::Field, &super::Field)> = base
            .fields
            .iter()
            .filter(|f| f.sheet == r.sheet && (r.first..=r.last).contains(&f.cell.row))
            .filter_map(|f| Some((f, mapped.field(&f.id)?)))
            .collect();
        let Some(&(f0, m0)) = inside.first() else {
            out.push(refuse(format!(
                "{} of {} {} hold no field, so where they are in this workbook is not known",
                rows(r.first, r.last),
                base.form.id,
                r.sheet
            )));
            continue;
        };
        let dr = i64::from(m0.cell.row) - i64::from(f0.cell.row);
        if let Some((f, m)) = inside
            .iter()
            .find(|(f, m)| m.sheet != name || i64::from(m.cell.row) - i64::from(f.cell.row) != dr)
        {
            out.push(refuse(format!(
                "its fields do not keep their rows of {} ({} is at {}, {} at {}), so its heading \
                 and text rows cannot be told",
                base.form.id,
                f0.id,
                m0.address(),
                f.id,
                m.address()
            )));
            continue;
        }
        let (Ok(first), Ok(last)) = (shift_row(r.first, dr), shift_row(r.last, dr)) else {
            out.push(refuse("its rows would leave the sheet".into()));
            continue;
        };
        let mine: BTreeSet<&str> = inside.iter().map(|(f, _)| f.id.as_str()).collect();
        let others: Vec<String> = mapped
            .fields
            .iter()
            .filter(|f| {
                f.sheet == name
                    && (first..=last).contains(&f.cell.row)
                    && !mine.contains(f.id.as_str())
            })
            .map(|f| format!("{} ({})", f.id, f.address()))
            .collect();
        if !others.is_empty() {
            let more = others.len().saturating_sub(3);
            let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
            out.push(refuse(format!(
                "{} of `{name}` also hold {}{}",
                rows(first, last),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more field(s)")
                } else {
                    String::new()
                }
            )));
            continue;
        }
        // What of the rows is the section besides its fields: the columns
        // its texts and fields take on the base, and the base's texts at
        // their cells, each moved as the fields moved (by every column
        // offset they moved by: a cell outside that move is not the
        // section's).
        let mut dcs: Vec<i64> = inside
            .iter()
            .map(|(f, m)| i64::from(m.cell.col) - i64::from(f.cell.col))
            .collect();
        dcs.sort_unstable();
        dcs.dedup();
        let texts: Vec<&super::Text> = base
            .sheets
            .iter()
            .filter(|s| s.name == r.sheet)
            .flat_map(|s| s.texts.iter())
            .filter(|t| (r.first..=r.last).contains(&t.cell.row))
            .collect();
        let base_cols: BTreeSet<u16> = texts
            .iter()
            .map(|t| t.cell.col)
            .chain(inside.iter().map(|(f, _)| f.cell.col))
            .collect();
        let mut own = super::facts::Own::default();
        for dc in &dcs {
            own.columns
                .extend(base_cols.iter().filter_map(|c| shift_col(*c, *dc).ok()));
            own.texts.extend(texts.iter().filter_map(|t| {
                let row = shift_row(t.cell.row, dr).ok()?;
                let col = shift_col(t.cell.col, *dc).ok()?;
                Some((CellRef::new(row, col), t.text.clone()))
            }));
        }
        own.columns.sort_unstable();
        own.columns.dedup();
        out.push(super::facts::Removed {
            sheet: name.clone(),
            first,
            last,
            label: r.label.clone(),
            refused: None,
            own: Some(own),
        });
    }
    out
}

/// Whether `text` matches a recognition pattern (`*` any run, `?` one
/// character, everything else literal and case-sensitive, whole text).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with one backtrack point per `*` (linear in practice).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        crate::template::Layout::from_toml(text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn overlays_name_what_they_cannot_place() {
        let head = "extends = \"ma-bpt-2013\"\nid = \"x\"\n";
        assert_eq!(
            err(&format!("{head}[sheets]\nWS9 = \"Nine\"\n")),
            "template x: [sheets]: `WS9` is not a sheet of ma-bpt-2013 (its sheets: WS1, WS2, \
             WS3, WS4, WS5, WS6, WS7)"
        );
        assert!(
            err(&format!(
                "{head}[fields]\n\"ws1.base.net_pmpm[a]\" = \"D5\"\n"
            ))
            .contains("`ws1.base.net_pmpm[a]` is not a scalar field of ma-bpt-2013")
        );
        assert_eq!(
            err(&format!(
                "{head}[tables.\"ws1.base\"]\ncolumns = {{ nope = \"C\" }}\n"
            )),
            "template x: [tables.\"ws1.base\"]: table has no column `nope`"
        );
        assert_eq!(
            err("extends = \"ma-bpt-1999\"\nid = \"x\"\n"),
            "template x: extends `ma-bpt-1999`, which is not a shipped template (shipped: \
             ma-bpt-2013, msa-bpt-2013)"
        );
        assert!(
            err(&format!("{head}[sheets]\nWS1 = {{ rows = -10 }}\n"))
                .contains("moving row 5 by -10 leaves the sheet")
        );
        // Two fields moved onto one cell.
        assert_eq!(
            err(&format!(
                "{head}[fields]\n\"ws1.general.plan_id\" = \"D5\"\n"
            )),
            "template x: WS1!D5 is used twice: by `ws1.general.contract_number` and by \
             `ws1.general.plan_id`"
        );
    }

    #[test]
    fn formulas_follow_moved_cells_and_quote_sheet_names() {
        let text = "extends = \"ma-bpt-2013\"\nid = \"x\"\n[sheets]\n\
                    WS1 = { name = \"MA Base\", rows = 2, cols = 1 }\n";
        let l = crate::template::Layout::from_toml(text).unwrap();
        assert_eq!(
            l.field("ws1.base.net_pmpm[s]").unwrap().formula.as_deref(),
            Some("SUM($E$48:$E$65)")
        );
        let ws2 = l.field("ws2.general.contract_number").unwrap();
        assert_eq!(ws2.formula.as_deref(), Some("'MA Base'!$E$7"));
        assert_eq!(l.base_id(), "ma-bpt-2013");
    }

    #[test]
    fn globs() {
        assert!(glob_match("MA-2013.*", "MA-2013.1"));
        assert!(glob_match("MA-2013.*", "MA-2013."));
        assert!(!glob_match("MA-2013.*", "MA-2014.beta"));
        assert!(glob_match("*2013*", "CMS BPT MA-2013.1"));
        assert!(glob_match("MA-201?.1", "MA-2011.1"));
        assert!(!glob_match("MA-2013", "MA-2013.1"));
    }
}
