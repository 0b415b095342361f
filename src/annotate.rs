//! The annotated workbook a reviewer opens in Excel.
//!
//! Every sheet and every cell value of the original is kept (the layout and
//! formats are re-created from the template, since calamine reads values, not
//! styles). Each cell with a finding is filled by its worst severity and
//! carries a note with the rule id, message and expected value; each
//! mismatched calculated cell's note shows submitted versus recomputed. A
//! first sheet `Findings` has a summary (counts by severity, the bid's key
//! figures) and one row per finding with a link to its cell, an autofilter
//! and a frozen header.

#![deny(clippy::arithmetic_side_effects)]

use crate::app::{KEY_FIGURES, bid_id};
use crate::calc::Recalc;
use crate::reader::Bid;
use crate::rules::{Finding, Severity};
use crate::value::Value;
use crate::writer::{self, CellDecoration, ExtraSheet, WriteError, WriteOptions};
use rust_xlsxwriter::{Color, Format, FormatBorder, Url};
use std::collections::{BTreeSet, HashMap};

/// Name of the first sheet.
pub const FINDINGS_SHEET: &str = "Findings";

/// Fill of a cell with an error finding.
pub const ERROR_FILL: Color = Color::RGB(0xF4B6B6);
/// Fill of a cell with a warning finding (and no error).
pub const WARNING_FILL: Color = Color::RGB(0xFFD98C);
/// Fill of a cell with only info findings.
pub const INFO_FILL: Color = Color::RGB(0xC9DAF8);

fn fill(s: Severity) -> Color {
    match s {
        Severity::Error => ERROR_FILL,
        Severity::Warning => WARNING_FILL,
        Severity::Info => INFO_FILL,
    }
}

/// Header of the findings table.
const HEADER: [&str; 9] = [
    "Severity", "Rule", "Cell", "Field", "Label", "Message", "Found", "Expected", "Sheet",
];

/// Writes the annotated workbook into bytes. `overrides` are the `default`
/// fields the actuary overwrote (kept as constants).
pub fn annotate(
    bid: &Bid,
    recalc: &Recalc,
    findings: &[Finding],
    overrides: &BTreeSet<String>,
) -> Result<Vec<u8>, WriteError> {
    let layout = bid.layout;
    // Notes and fills per field.
    let mut by_field: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings {
        if layout.field(&f.field).is_some() {
            by_field.entry(f.field.as_str()).or_default().push(f);
        }
    }
    let mut cell_style = HashMap::new();
    for (id, fs) in &by_field {
        let worst = fs
            .iter()
            .map(|f| f.severity)
            .min()
            .unwrap_or(Severity::Info);
        let mut note = String::new();
        for f in fs {
            note.push_str(&format!("[{}] {}: {}\n", f.rule, f.severity, f.message));
            if !f.expected.is_empty() {
                note.push_str(&format!("expected: {}\n", f.expected));
            }
        }
        let calculated = layout.field(id).is_some_and(|f| f.role.is_calculated());
        let (s, r) = (bid.values.get(id), recalc.values.get(id));
        if calculated && s != r {
            note.push_str(&format!(
                "submitted: {}  recomputed: {}\n",
                shown(s),
                shown(r)
            ));
        }
        cell_style.insert(
            id.to_string(),
            CellDecoration {
                fill: Some(fill(worst)),
                note: Some(note.trim_end().to_string()),
            },
        );
    }
    let opts = WriteOptions {
        default_overrides: overrides.clone(),
        cell_style,
        first_sheets: vec![ExtraSheet {
            name: FINDINGS_SHEET.to_string(),
            ..ExtraSheet::default()
        }],
        ..WriteOptions::default()
    };
    let mut wb = writer::build_workbook(layout, &bid.values, &opts)?;
    let ws = wb
        .worksheet_from_name(FINDINGS_SHEET)
        .map_err(|e| WriteError::Package(format!("findings sheet: {e}")))?;
    write_findings(ws, bid, recalc, findings)
        .map_err(|e| WriteError::Package(format!("findings sheet: {e}")))?;
    writer::finish_workbook(&mut wb, layout, &bid.values, &opts)
}

fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "(blank)".into(),
        o => o.display(),
    }
}

fn write_findings(
    ws: &mut rust_xlsxwriter::Worksheet,
    bid: &Bid,
    recalc: &Recalc,
    findings: &[Finding],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border_bottom(FormatBorder::Thin);
    let money = Format::new().set_num_format("$#,##0.00");
    let id = bid_id(bid);
    ws.write_string_with_format(
        0,
        0,
        format!(
            "Findings — {} — {}",
            id.display(),
            bid.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
        ),
        &title,
    )?;
    let count = |s| findings.iter().filter(|f| f.severity == s).count() as f64;
    let mut row = 2;
    for (label, s) in [
        ("Errors", Severity::Error),
        ("Warnings", Severity::Warning),
        ("Info", Severity::Info),
    ] {
        ws.write_string_with_format(row, 0, label, &bold)?;
        ws.write_number(row, 1, count(s))?;
        row = row.saturating_add(1);
    }
    row = row.saturating_add(1);
    ws.write_string_with_format(row, 0, "Key figure", &head)?;
    ws.write_string_with_format(row, 1, "Submitted", &head)?;
    ws.write_string_with_format(row, 2, "Recomputed", &head)?;
    row = row.saturating_add(1);
    for (label, fid) in KEY_FIGURES {
        ws.write_string(row, 0, *label)?;
        for (col, v) in [(1u16, bid.values.get(fid)), (2, recalc.values.get(fid))] {
            match v.as_num().and_then(|d| d.to_string().parse::<f64>().ok()) {
                Some(x) => ws.write_number_with_format(row, col, x, &money)?,
                None => ws.write_string(row, col, shown(v))?,
            };
        }
        row = row.saturating_add(1);
    }
    row = row.saturating_add(1);
    let header_row = row;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, *h, &head)?;
    }
    for (i, f) in findings.iter().enumerate() {
        let r = header_row
            .saturating_add(1)
            .saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        let sev = Format::new().set_background_color(fill(f.severity));
        ws.write_string_with_format(r, 0, f.severity.to_string(), &sev)?;
        ws.write_string(r, 1, f.rule)?;
        if f.cell.is_empty() {
            ws.write_string(r, 2, &f.sheet)?;
        } else {
            let target = format!("internal:'{}'!{}", f.sheet, f.cell);
            ws.write_url(
                r,
                2,
                Url::new(target).set_text(format!("{}!{}", f.sheet, f.cell)),
            )?;
        }
        ws.write_string(r, 3, &f.field)?;
        ws.write_string(r, 4, &f.label)?;
        ws.write_string(r, 5, &f.message)?;
        ws.write_string(r, 6, &f.found)?;
        ws.write_string(r, 7, &f.expected)?;
        ws.write_string(r, 8, &f.sheet)?;
    }
    let last = header_row.saturating_add(u32::try_from(findings.len()).unwrap_or(u32::MAX));
    let last_col = u16::try_from(HEADER.len().saturating_sub(1)).unwrap_or(u16::MAX);
    ws.autofilter(header_row, 0, last, last_col)?;
    ws.set_freeze_panes(header_row.saturating_add(1), 0)?;
    for (c, w) in [10.0, 7.0, 12.0, 34.0, 40.0, 80.0, 18.0, 24.0, 8.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_active(true);
    Ok(())
}
