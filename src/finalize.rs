//! Finalization for HPMS upload: what the CMS form's "finalize" does, done
//! in the open.
//!
//! [`finalize`] refuses while any error-level finding stands (each is a
//! [`Blocker`] with its rule id and cell). Otherwise it builds the finalized
//! workbook:
//!
//! - WS6 Section V (working-model text) is removed, heading and all;
//! - WS5 Section VI county rows are sorted in descending order of county
//!   code (the row travels whole: code, member months, risk, ratebook, AE
//!   and FFS data), then recomputed;
//! - every calculated cell holds its value instead of its formula;
//! - a `Finalized` sheet and the returned [`Change`] list record what was
//!   changed.

#![deny(clippy::arithmetic_side_effects)]

use crate::calc;
use crate::reader::Bid;
use crate::rules::{self, Ctx, Finding, Selection, Severity};
use crate::template::{Layout, Role};
use crate::value::{Value, Values};
use crate::writer::{self, ExtraSheet, WriteOptions};
use rust_decimal::Decimal;
use serde::Serialize;

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
        /// The `.xlsx` bytes.
        bytes: Vec<u8>,
        /// What was changed.
        changes: Vec<Change>,
        /// Warnings and infos that remain (not blockers).
        remaining: Vec<Finding>,
    },
}

/// Finalizes a bid (see the module docs). `tolerance` is the tolerance for
/// unrounded calculated cells used by the V003 check.
pub fn finalize(bid: &Bid, tolerance: Decimal) -> Result<Finalized, writer::WriteError> {
    let layout = bid.layout;
    let r = calc::recalc(layout, &bid.values);
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
    let moved = sort_counties(layout, &mut inputs);
    if moved > 0 {
        let county_sheet = layout
            .fields
            .iter()
            .find(|f| f.id.ends_with(".county.code[1]") || f.id == "ws5.county.code[1]")
            .map(|f| f.id.clone())
            .unwrap_or_default();
        changes.push(Change {
            sheet: sheet_of(layout, &county_sheet),
            what: format!(
                "county-level rows sorted in descending order of county code ({moved} row(s) moved)"
            ),
        });
    }
    let mut omit = Vec::new();
    let notes: Vec<&crate::template::Field> = layout
        .fields
        .iter()
        .filter(|f| f.id.contains("working_model."))
        .collect();
    if let (Some(first), Some(last)) = (
        notes.iter().map(|f| f.cell.row).min(),
        notes.iter().map(|f| f.cell.row).max(),
    ) {
        let sheet = notes[0].sheet.clone();
        // The Section V heading: the nearest "SECTION V" text above the notes.
        let head = layout
            .sheets
            .iter()
            .find(|s| s.name == sheet)
            .and_then(|s| {
                s.texts
                    .iter()
                    .filter(|t| t.cell.row <= first && t.text.to_uppercase().contains("SECTION V"))
                    .map(|t| t.cell.row)
                    .max()
            })
            .unwrap_or(first);
        let filled = notes
            .iter()
            .filter(|f| !inputs.get(&f.id).is_empty())
            .count();
        for f in &notes {
            inputs.set(f.id.clone(), Value::Empty);
        }
        omit.push((sheet.clone(), head, last));
        changes.push(Change {
            sheet,
            what: format!(
                "Section V (working-model text) removed: rows {}-{}, {filled} note(s) deleted",
                head.saturating_add(1),
                last.saturating_add(1)
            ),
        });
    }
    let recalced = calc::recalc(layout, &inputs);
    let mut out = inputs.clone();
    let mut calc_cells = 0usize;
    for f in &layout.fields {
        if f.role == Role::Calc || (f.role == Role::Default && inputs.get(&f.id).is_empty()) {
            let v = recalced.values.get(&f.id).clone();
            if !v.is_empty() {
                calc_cells = calc_cells.saturating_add(1);
            }
            out.set(f.id.clone(), v);
        }
    }
    for (id, _) in bid.values.iter() {
        if id.contains("working_model.") {
            out.set(id.to_string(), Value::Empty);
        }
    }
    changes.push(Change {
        sheet: String::new(),
        what: format!("{calc_cells} calculated cell(s) written as values instead of formulas"),
    });
    let opts = WriteOptions {
        values_only: true,
        omit_rows: omit,
        first_sheets: vec![ExtraSheet {
            name: "Finalized".into(),
            title: format!("Finalized by bpt {}", env!("CARGO_PKG_VERSION")),
            header: vec!["Sheet".into(), "Change".into()],
            rows: changes
                .iter()
                .map(|c| vec![c.sheet.clone(), c.what.clone()])
                .collect(),
            widths: vec![12.0, 100.0],
        }],
        ..WriteOptions::default()
    };
    let bytes = writer::write_form(layout, &out, &opts)?;
    Ok(Finalized::Done {
        bytes,
        changes,
        remaining,
    })
}

fn sheet_of(layout: &Layout, id: &str) -> String {
    layout
        .field(id)
        .map(|f| f.sheet.clone())
        .unwrap_or_default()
}

/// Sorts the entered county rows by code, descending; blank rows go last.
/// Returns how many rows changed place.
fn sort_counties(layout: &Layout, inputs: &mut Values) -> usize {
    // The form's county table: `ws5.county` on the MA BPT, `msa.ws3.county`
    // on the MSA BPT — the table whose id ends in `.county`.
    let Some(table) = layout
        .tables
        .values()
        .filter(|t| t.id.ends_with(".county"))
        .min_by_key(|t| t.id.clone())
    else {
        return 0;
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
    let code_at = entered.iter().position(|c| *c == "code");
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
            (false, false) => cb.cmp(&ca).then(a.cmp(b)),
        }
    });
    let mut moved = 0usize;
    for (dst, src) in order.iter().enumerate() {
        if dst != *src && rows[*src].iter().any(|v| !v.is_empty()) {
            moved = moved.saturating_add(1);
        }
        for (i, c) in entered.iter().enumerate() {
            inputs.set(format!("{tid}.{c}[{}]", keys[dst]), rows[*src][i].clone());
        }
    }
    moved
}
