//! Finalization for HPMS upload: what the CMS form's "finalize" does, done
//! in the open.
//!
//! [`finalize`] refuses while any error-level finding stands (each is a
//! [`Blocker`] with its rule id and cell). Otherwise it edits a copy of the
//! user's workbook (see [`crate::package`]) and changes only this:
//!
//! - the sections the template's `[form.facts.finalize] remove` names (on
//!   the MA BPT WS6 Section V, working-model text) are removed, heading and
//!   all: every cell of their rows is deleted, and every merged range and
//!   data validation wholly inside them (the rows stay, empty, so no
//!   reference elsewhere moves);
//! - on a layout overlay's workbook (the user's own layout) the section's
//!   rows are worked out from where its fields are
//!   (`overlay::place_removals`), and they are removed only when every
//!   cell of them is demonstrably the section: one of its fields, blank,
//!   text in a column the section's texts and fields take on the base
//!   template (moved as its fields moved: columns B-C of WS6 Section V,
//!   where its heading, note, line numbers and notes are), or the base
//!   template's own text of that cell (a line number typed as a number).
//!   Anything else there — a formula, a number, a date, a boolean, or
//!   text in another column, such as a reviewer's figure or remark beside
//!   the notes — is the user's own, which the form's finalize was never
//!   asked to delete and which bpt cannot tell from the section by looking:
//!   the section is kept and reported as not done (naming the cells and
//!   what they hold), and the rest is finalized. Refusing costs the user
//!   one deletion by hand; removing would lose their data unseen. On the
//!   template's own layout the rows are the template's and all of them go.
//! - the rows of the table `[form.facts.finalize] sort` names (the county
//!   rows, WS5 Section VI on the MA BPT) are sorted by its column, in
//!   descending order of county code (the row's entered cells travel whole:
//!   code, member months, risk, ratebook, AE and FFS data; formats stay
//!   with the cells);
//! - every calculated cell holds its value (recomputed after the sort)
//!   instead of its formula (a default cell the actuary typed over is
//!   already a value and stays).
//!
//! Nothing is added: the record of changes (the returned [`Change`] summary
//! and the cell-by-cell edit list) is printed, and written to a separate
//! file on request, never into the upload copy. Every other part — other
//! sheets, notes, styles, defined names, a VBA project — is copied byte for
//! byte.

#![deny(clippy::arithmetic_side_effects)]

use crate::cellref::CellRef;
use crate::edit::{self, EditKind, Edited};
use crate::package::{CellEdit, Content};
use crate::reader::Bid;
use crate::rules::{self, Ctx, Finding, Selection, Severity};
use crate::template::{Layout, Role};
use crate::value::{Value, Values};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A finding that stops finalization.
#[derive(Debug, Clone, Serialize)]
pub struct Blocker {
    /// The finding.
    pub finding: Finding,
    /// Whether the CMS form's own finalization checks it (rather than only
    /// the instructions' text).
    pub cms_check: bool,
}

/// One thing finalization changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    /// Sheet.
    pub sheet: String,
    /// What changed.
    pub what: String,
}

/// The outcome of [`finalize`].
#[derive(Debug)]
pub enum Finalized {
    /// Error-level findings stand; nothing was written.
    Blocked(Vec<Blocker>),
    /// The finalized workbook and the record of changes.
    Done {
        /// The edited workbook and its edit list.
        edited: Edited,
        /// What was changed.
        changes: Vec<Change>,
        /// What finalization asks and was not done, and why (a section of a
        /// layout overlay's workbook that could not be removed safely): the
        /// output is not ready for upload until the user does it.
        left: Vec<Change>,
        /// Warnings and infos that remain (not blockers).
        remaining: Vec<Finding>,
    },
}

/// Finalizes the bid read from `path` (see the module docs). `tolerance` is
/// the tolerance for unrounded calculated cells used by the V003 check.
pub fn finalize(bid: &Bid, tolerance: Decimal, path: &Path) -> Result<Finalized, String> {
    let layout = bid.layout;
    let r = crate::form::recalc(bid.form, &bid.values);
    let findings = {
        let ctx = Ctx {
            layout,
            values: &bid.values,
            calc: &r.values,
            tolerance,
            defaults: Some(&r.defaults),
        };
        rules::check(&ctx, &Selection::default())
    };
    let (errors, remaining): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.severity == Severity::Error);
    if !errors.is_empty() {
        return Ok(Finalized::Blocked(
            errors
                .into_iter()
                .map(|f| Blocker {
                    cms_check: rules::rule(f.rule).is_some_and(|r| r.blocks_finalize),
                    finding: f,
                })
                .collect(),
        ));
    }
    let mut changes = Vec::new();
    // Entered values only; calculated cells are recomputed below.
    let mut inputs = Values::default();
    for f in &layout.fields {
        let keep =
            f.role.is_entered() || (f.role == Role::Default && !bid.values.get(&f.id).is_empty());
        if keep && !bid.values.get(&f.id).is_empty() {
            inputs.set(f.id.clone(), bid.values.get(&f.id).clone());
        }
    }
    let sorted = sort_counties(layout, &mut inputs);
    let moved = {
        let mut rows: Vec<&str> = sorted
            .iter()
            .filter_map(|id| id.rsplit_once('[').map(|(_, k)| k))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    };
    if let (true, Some(sort)) = (moved > 0, &layout.facts.sort) {
        let order = if sort.descending {
            "descending"
        } else {
            "ascending"
        };
        changes.push(Change {
            sheet: layout
                .table(&sort.table)
                .map(|t| t.sheet.clone())
                .unwrap_or_default(),
            what: format!(
                "{} sorted in {order} order of {} ({moved} row(s) moved)",
                sort.label,
                column_header(layout, &sort.table, &sort.column)
            ),
        });
    }
    // The sections the template's `[form.facts.finalize]` removes: every
    // cell of their rows is deleted, entered values included.
    let mut clear: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    let mut left = Vec::new();
    for sec in &layout.facts.remove {
        // In a layout overlay's workbook the rows were placed from the
        // section's fields (`overlay::place_removals`); a cell of them that
        // is no field is removed only when it is demonstrably the section
        // (`not_the_section`, see the module docs): otherwise the section
        // stays.
        let refused = match (&sec.refused, layout.overlay.is_some()) {
            (Some(why), _) => Some(why.clone()),
            (None, true) => not_the_section(layout, path, sec)?,
            (None, false) => None,
        };
        if let Some(why) = refused {
            left.push(Change {
                sheet: sec.sheet.clone(),
                what: format!(
                    "{} not removed: {why}; delete it from the finalized file before upload",
                    sec.label
                ),
            });
            continue;
        }
        let inside: Vec<&crate::template::Field> = layout
            .fields
            .iter()
            .filter(|f| f.sheet == sec.sheet && (sec.first..=sec.last).contains(&f.cell.row))
            .collect();
        let filled = inside
            .iter()
            .filter(|f| !inputs.get(&f.id).is_empty())
            .count();
        for f in &inside {
            inputs.set(f.id.clone(), Value::Empty);
        }
        clear
            .entry(sec.sheet.clone())
            .or_default()
            .push((sec.first, sec.last));
        changes.push(Change {
            sheet: sec.sheet.clone(),
            what: format!(
                "{} removed: rows {}-{}, {filled} entered cell(s) deleted",
                sec.label,
                sec.first.saturating_add(1),
                sec.last.saturating_add(1)
            ),
        });
    }
    let recalced = crate::form::recalc(bid.form, &inputs);
    let cleared = |sheet: &str, row: u32| {
        clear
            .get(sheet)
            .is_some_and(|v| v.iter().any(|(a, b)| (*a..=*b).contains(&row)))
    };
    // The cell edits, by sheet: moved county cells, and calculated cells
    // as values.
    let mut by_sheet: BTreeMap<String, BTreeMap<CellRef, (CellEdit, &'static str)>> =
        BTreeMap::new();
    for id in &sorted {
        if let Some(f) = layout.field(id) {
            by_sheet.entry(f.sheet.clone()).or_default().insert(
                f.cell,
                (
                    CellEdit {
                        content: Some(Content::Value(edit::scalar(f, inputs.get(id)))),
                        style: None,
                    },
                    "rows sorted as finalization requires",
                ),
            );
        }
    }
    for f in &layout.fields {
        if cleared(&f.sheet, f.cell.row) {
            continue;
        }
        if f.role == Role::Calc || (f.role == Role::Default && inputs.get(&f.id).is_empty()) {
            let v = recalced.values.get(&f.id);
            by_sheet.entry(f.sheet.clone()).or_default().insert(
                f.cell,
                (
                    CellEdit {
                        content: Some(Content::Value(edit::scalar(f, v))),
                        style: None,
                    },
                    "calculated cell written as its value",
                ),
            );
        }
    }
    let mut p = edit::open(path)?;
    let mut edits = Vec::new();
    let mut calc_cells = 0usize;
    let mut sheets: Vec<String> = by_sheet.keys().chain(clear.keys()).cloned().collect();
    sheets.sort();
    sheets.dedup();
    for sheet in &sheets {
        let empty = BTreeMap::new();
        let cells = by_sheet.get(sheet).unwrap_or(&empty);
        let plain: BTreeMap<CellRef, CellEdit> =
            cells.iter().map(|(c, (e, _))| (*c, e.clone())).collect();
        let rows = clear.get(sheet).cloned().unwrap_or_default();
        let applied = p
            .edit_cells(sheet, &plain, &rows)
            .map_err(|e| e.to_string())?;
        for a in applied.iter().filter(|a| a.changed) {
            match cells.get(&a.cell) {
                Some((e, why)) => {
                    let new = match &e.content {
                        Some(Content::Value(v)) => v.clone(),
                        _ => crate::package::Scalar::Empty,
                    };
                    if a.old.formula.is_some() {
                        calc_cells = calc_cells.saturating_add(1);
                    }
                    edits.push(edit::record(sheet, a, EditKind::Value, &new, *why));
                }
                None => edits.push(edit::record(
                    sheet,
                    a,
                    EditKind::Removed,
                    &crate::package::Scalar::Empty,
                    "the section is deleted from the finalized file",
                )),
            }
        }
    }
    changes.push(Change {
        sheet: String::new(),
        what: format!("{calc_cells} calculated cell(s) written as values instead of formulas"),
    });
    let edited = edit::finish(p, edits).map_err(|e| e.to_string())?;
    Ok(Finalized::Done {
        edited,
        changes,
        left,
        remaining,
    })
}

/// Why a section's rows in a layout overlay's workbook cannot be removed
/// for what they hold besides fields (`None`: nothing but the section;
/// fields of anything else there are refused by `overlay::place_removals`):
/// a cell holding a formula (the first), or every cell whose value is not
/// demonstrably the section's heading or text ([`section_own`]).
fn not_the_section(
    layout: &Layout,
    path: &Path,
    sec: &crate::template::facts::Removed,
) -> Result<Option<String>, String> {
    let mut probe = edit::open(path)?;
    let applied = probe
        .edit_cells(&sec.sheet, &BTreeMap::new(), &[(sec.first, sec.last)])
        .map_err(|e| e.to_string())?;
    let fields: std::collections::HashSet<CellRef> = layout
        .fields
        .iter()
        .filter(|f| f.sheet == sec.sheet)
        .map(|f| f.cell)
        .collect();
    let others: Vec<&crate::package::Applied> = applied
        .iter()
        .filter(|a| !fields.contains(&a.cell))
        .collect();
    if let Some(a) = others.iter().find(|a| a.old.formula.is_some()) {
        return Ok(Some(format!(
            "{}!{} on its rows holds a formula, which is not the section's text",
            sec.sheet, a.cell
        )));
    }
    let own = sec.own.clone().unwrap_or_default();
    let foreign: Vec<(String, String)> = others
        .iter()
        .filter_map(|a| {
            let v = a.old.value.as_ref()?;
            (!section_own(&own, a.cell, v)).then(|| (format!("{}!{}", sec.sheet, a.cell), shown(v)))
        })
        .collect();
    let cols = match (own.columns.first(), own.columns.last()) {
        (Some(a), Some(b)) if a == b => format!("column {}", crate::cellref::col_name(*a)),
        (Some(a), Some(b))
            if usize::from(b.saturating_sub(*a)) == own.columns.len().saturating_sub(1) =>
        {
            format!(
                "columns {}-{}",
                crate::cellref::col_name(*a),
                crate::cellref::col_name(*b)
            )
        }
        _ if own.columns.is_empty() => String::new(),
        _ => format!(
            "columns {}",
            own.columns
                .iter()
                .map(|c| crate::cellref::col_name(*c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let only = if cols.is_empty() {
        "no value there is".to_string()
    } else {
        format!("only text in its {cols} is")
    };
    Ok(match foreign.as_slice() {
        [] => None,
        [(cell, v)] => Some(format!(
            "{cell} on its rows holds {v}, which is not the section's heading or text ({only})"
        )),
        many => {
            let more = many.len().saturating_sub(3);
            let listed: Vec<String> = many
                .iter()
                .take(3)
                .map(|(cell, v)| format!("{cell} ({v})"))
                .collect();
            Some(format!(
                "{}{} on its rows hold values that are not the section's heading or text \
                 ({only})",
                listed.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ))
        }
    })
}

/// Whether value `v` at `cell` of a section's rows (a cell that is no
/// field) is the section's own: blank (nothing to lose), text in one of
/// the section's columns, or the base template's own text for that cell
/// (a line number typed as a number included).
fn section_own(
    own: &crate::template::facts::Own,
    cell: CellRef,
    v: &crate::package::Scalar,
) -> bool {
    use crate::package::Scalar;
    match v {
        Scalar::Empty => return true,
        Scalar::Text(t) if t.trim().is_empty() || own.columns.contains(&cell.col) => {
            return true;
        }
        _ => {}
    }
    own.texts.iter().any(|(c, t)| {
        *c == cell
            && match v {
                Scalar::Text(x) => x.trim() == t.trim(),
                Scalar::Number(n) => match (n.parse::<Decimal>(), t.trim().parse::<Decimal>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                },
                _ => false,
            }
    })
}

/// A cell's value as a report names it: text quoted and shortened to 40
/// characters, anything else as an edit list shows it
/// ([`Scalar::shown`](crate::package::Scalar::shown)).
fn shown(v: &crate::package::Scalar) -> String {
    match v {
        crate::package::Scalar::Text(t) => {
            let t = t.trim();
            let mut short: String = t.chars().take(40).collect();
            if short.len() < t.len() {
                short.push('…');
            }
            format!("\"{short}\"")
        }
        other => other.shown(),
    }
}

/// The header of a table's column, lower-cased for a sentence ("county
/// code"), or its id.
fn column_header(layout: &Layout, table: &str, column: &str) -> String {
    layout
        .table(table)
        .and_then(|t| t.columns.iter().find(|c| c.0 == column))
        .map(|c| c.3.to_lowercase())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| column.to_string())
}

/// Sorts the entered rows of the template's sorted table
/// (`[form.facts.finalize] sort`) by its sort column; blank rows go last.
/// Returns the ids of the entered cells whose value changed (one row
/// moved is several cells).
fn sort_counties(layout: &Layout, inputs: &mut Values) -> Vec<String> {
    let Some(sort) = &layout.facts.sort else {
        return Vec::new();
    };
    let Some(table) = layout.table(&sort.table) else {
        return Vec::new();
    };
    let tid = table.id.clone();
    let keys: Vec<String> = table.row_keys().map(str::to_string).collect();
    let cols: Vec<String> = table.columns.iter().map(|c| c.0.clone()).collect();
    let entered: Vec<&String> = cols
        .iter()
        .filter(|c| {
            layout
                .field(&format!("{tid}.{c}[{}]", keys.first().map_or("1", |k| k)))
                .is_some_and(|f| f.role.is_entered())
        })
        .collect();
    let rows: Vec<Vec<Value>> = keys
        .iter()
        .map(|k| {
            entered
                .iter()
                .map(|c| inputs.get(&format!("{tid}.{c}[{k}]")).clone())
                .collect()
        })
        .collect();
    let code_at = entered.iter().position(|c| **c == sort.column);
    let code = |r: &Vec<Value>| -> String {
        code_at
            .and_then(|i| match &r[i] {
                Value::Text(s) => Some(s.trim().to_string()),
                Value::Number(d) => Some(d.normalize().to_string()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|a, b| {
        let (ca, cb) = (code(&rows[*a]), code(&rows[*b]));
        match (ca.is_empty(), cb.is_empty()) {
            (true, true) => a.cmp(b),
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            // Codes are five digits: text order is numeric order.
            (false, false) if sort.descending => cb.cmp(&ca).then(a.cmp(b)),
            (false, false) => ca.cmp(&cb).then(a.cmp(b)),
        }
    });
    let mut changed = Vec::new();
    for (dst, src) in order.iter().enumerate() {
        for (i, c) in entered.iter().enumerate() {
            let id = format!("{tid}.{c}[{}]", keys[dst]);
            if rows[dst][i] != rows[*src][i] {
                changed.push(id.clone());
            }
            inputs.set(id, rows[*src][i].clone());
        }
    }
    changed
}
