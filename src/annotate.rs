//! The annotated workbook a reviewer opens in Excel: the user's own file
//! plus four kinds of edit, and nothing else.
//!
//! - a sheet `Findings` is added first in the tab order: a summary (counts
//!   by severity, the bid's key figures submitted and recomputed) and one
//!   row per finding with a link to its cell, an autofilter and a frozen
//!   header (the tab that was active stays active);
//! - a sheet `Bid summary` second: the key figures, the bid build-up and
//!   the rebate allocation as tables and two native Excel charts (see
//!   [`crate::summary`]);
//! - each cell with a finding gets a fill by its worst severity (a copy of
//!   the cell's own format with that fill, so its number format, border
//!   and protection stay);
//! - each such cell gets a note with the rule id, message and expected
//!   value, and for a mismatched calculated cell submitted versus
//!   recomputed. A note the cell already had is kept and the findings are
//!   appended after a blank line.
//!
//! Every other part of the package (other sheets, values, formulas, notes,
//! hyperlinks, defined names, the VBA project of an `.xlsm`) is copied
//! byte for byte; see [`crate::package`].

#![deny(clippy::arithmetic_side_effects)]

use crate::app::bid_id;
use crate::cellref::CellRef;
use crate::edit::{self, Edit, EditKind, Edited};
use crate::form::Recalc;
use crate::package::{CellEdit, NewCell, NewSheet, Scalar};
use crate::reader::Bid;
use crate::rules::{Finding, Severity};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Name of the first sheet.
pub const FINDINGS_SHEET: &str = "Findings";

/// Fill of a cell with an error finding (`0xRRGGBB`).
pub const ERROR_FILL: u32 = 0xF4B6B6;
/// Fill of a cell with a warning finding (and no error).
pub const WARNING_FILL: u32 = 0xFFD98C;
/// Fill of a cell with only info findings.
pub const INFO_FILL: u32 = 0xC9DAF8;

/// Author of the notes `bpt` adds.
pub const NOTE_AUTHOR: &str = "bpt";

fn fill(s: Severity) -> u32 {
    match s {
        Severity::Error => ERROR_FILL,
        Severity::Warning => WARNING_FILL,
        Severity::Info => INFO_FILL,
    }
}

/// Header of the findings table: the human label before the field id.
const HEADER: [&str; 11] = [
    "Severity", "Rule", "Count", "Sheet", "Cell", "Label", "Message", "Found", "Expected", "Field",
    "Citation",
];

/// Widest a column of the Findings sheet is sized to (characters).
const MAX_WIDTH: usize = 70;

/// The widest each column of the Findings sheet grows (in characters):
/// longer text wraps, its row grown, so the table prints one page wide on
/// Legal at about 69 % (the form's paper, [`crate::writer::print`]).
const MAX_WIDTHS: [f64; 11] = [
    22.0, 12.0, 12.0, 22.0, 24.0, 30.0, 46.0, 14.0, 16.0, 28.0, 30.0,
];

/// The annotated copy of the workbook at `path` (the file `bid` was read
/// from), with the list of edits.
pub fn annotate(
    bid: &Bid,
    recalc: &Recalc,
    findings: &[Finding],
    path: &Path,
) -> Result<Edited, String> {
    let layout = bid.layout;
    let mut p = edit::open(path)?;
    let perr = |e: crate::package::PackageError| e.to_string();
    // Notes and fills per cell, in field order.
    let mut by_field: BTreeMap<(String, CellRef), (String, Vec<&Finding>)> = BTreeMap::new();
    for f in findings {
        if let Some(field) = layout.field(&f.field) {
            by_field
                .entry((field.sheet.clone(), field.cell))
                .or_insert_with(|| (field.id.clone(), Vec::new()))
                .1
                .push(f);
        }
    }
    let mut edits: Vec<Edit> = Vec::new();
    // The Findings sheet first: its styles are appended to styles.xml.
    let sheet = findings_sheet(&mut p, bid, recalc, findings).map_err(perr)?;
    // The Bid summary second: added first, then the Findings before it.
    let summary_name = p.unique_sheet_name(crate::summary::SUMMARY_SHEET);
    let (summary, charts) =
        crate::summary::summary_sheet(&mut p, bid, recalc, &summary_name).map_err(perr)?;
    let summary_name = p.add_sheet_first(&summary).map_err(perr)?;
    p.add_charts(&summary_name, &summary, &charts)
        .map_err(perr)?;
    let name = p.add_sheet_first(&sheet).map_err(perr)?;
    edits.push(Edit {
        sheet: name,
        cell: String::new(),
        what: EditKind::SheetAdded,
        old: "(none)".into(),
        new: format!("{} finding(s), first in the tab order", findings.len()),
        old_formula: None,
        why: "the review summary".into(),
    });
    edits.push(Edit {
        sheet: summary_name,
        cell: String::new(),
        what: EditKind::SheetAdded,
        old: "(none)".into(),
        new: format!(
            "key figures, bid build-up and rebate allocation; {} chart(s); second in the tab order",
            charts.len()
        ),
        old_formula: None,
        why: "the figures a reviewer looks at first".into(),
    });
    let mut per_sheet: BTreeMap<String, Vec<(CellRef, String, Severity, String)>> = BTreeMap::new();
    for ((sheet, cell), (id, fs)) in &by_field {
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
        let rules: Vec<&str> = fs.iter().map(|f| f.rule).collect();
        per_sheet.entry(sheet.clone()).or_default().push((
            *cell,
            note.trim_end().to_string(),
            worst,
            rules.join(", "),
        ));
    }
    for (sheet, cells) in &per_sheet {
        let refs: Vec<CellRef> = cells.iter().map(|c| c.0).collect();
        let styles = p.cell_styles(sheet, &refs).map_err(perr)?;
        let mut cell_edits = BTreeMap::new();
        for (cell, _, worst, _) in cells {
            let base = styles.get(cell).copied().unwrap_or(0);
            let xf = p.fill_style(base, fill(*worst)).map_err(perr)?;
            cell_edits.insert(
                *cell,
                CellEdit {
                    content: None,
                    style: Some(xf),
                },
            );
        }
        let applied = p.edit_cells(sheet, &cell_edits, &[]).map_err(perr)?;
        let notes: Vec<(CellRef, String)> =
            cells.iter().map(|(c, n, _, _)| (*c, n.clone())).collect();
        let noted = p.add_notes(sheet, &notes, NOTE_AUTHOR).map_err(perr)?;
        for (cell, note, worst, rules) in cells {
            if applied.iter().any(|a| a.cell == *cell && a.changed) {
                edits.push(Edit {
                    sheet: sheet.clone(),
                    cell: cell.to_string(),
                    what: EditKind::Fill,
                    old: format!("format {}", styles.get(cell).copied().unwrap_or(0)),
                    new: format!("#{:06X}", fill(*worst)),
                    old_formula: None,
                    why: format!("worst finding: {worst} ({rules})"),
                });
            }
            let old = noted
                .iter()
                .find(|n| n.cell == *cell)
                .and_then(|n| n.old.clone());
            edits.push(Edit {
                sheet: sheet.clone(),
                cell: cell.to_string(),
                what: EditKind::Note,
                old: old.clone().unwrap_or_else(|| "(no note)".into()),
                new: match &old {
                    Some(o) => format!("{o}\n\n{note}"),
                    None => note.clone(),
                },
                old_formula: None,
                why: format!(
                    "{rules}{}",
                    if old.is_some() {
                        " (appended to the existing note)"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
    edit::finish(p, edits).map_err(|e| e.to_string())
}

fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "(blank)".into(),
        o => o.display(),
    }
}

/// Findings with the same rule, sheet, message, found and expected value:
/// one row of the Findings sheet with a count, linked to its first cell.
struct Group<'a> {
    first: &'a Finding,
    cells: Vec<&'a str>,
}

/// The findings grouped (see [`Group`]) and sorted by severity, then sheet
/// in workbook order, then cell (row, then column).
fn grouped<'a>(layout: &crate::template::Layout, findings: &'a [Finding]) -> Vec<Group<'a>> {
    let sheet_at = |name: &str| {
        layout
            .sheets
            .iter()
            .position(|s| s.name == name)
            .unwrap_or(usize::MAX)
    };
    let cell_at = |c: &str| CellRef::parse(c).map(|c| (c.row, c.col));
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        (a.severity, sheet_at(&a.sheet), cell_at(&a.cell), a.rule).cmp(&(
            b.severity,
            sheet_at(&b.sheet),
            cell_at(&b.cell),
            b.rule,
        ))
    });
    let mut groups: Vec<Group<'a>> = Vec::new();
    let mut index: BTreeMap<(&str, &str, &str, &str, &str), usize> = BTreeMap::new();
    for f in sorted {
        let key = (
            f.rule,
            f.sheet.as_str(),
            f.message.as_str(),
            f.found.as_str(),
            f.expected.as_str(),
        );
        match index.get(&key) {
            Some(&i) => groups[i].cells.push(f.cell.as_str()),
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    first: f,
                    cells: vec![f.cell.as_str()],
                });
            }
        }
    }
    groups
}

/// The Findings sheet, its styles added to the package: title and bid
/// identity, counts, the key figures, a tally per rule, then the findings
/// grouped and sorted (see [`grouped`]).
fn findings_sheet(
    p: &mut crate::package::Package,
    bid: &Bid,
    recalc: &Recalc,
    findings: &[Finding],
) -> Result<NewSheet, crate::package::PackageError> {
    let title = p.add_xf(Some(14), None, None)?;
    let bold = p.add_xf(Some(11), None, None)?;
    let head = p.add_xf(Some(11), Some(0xD9D9D9), None)?;
    let money = p.add_xf(None, None, Some("$#,##0.00"))?;
    let wrap = p.add_wrap_xf()?;
    let mut sev = BTreeMap::new();
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        sev.insert(s.to_string(), p.add_xf(None, Some(fill(s)), None)?);
    }
    let mut s = NewSheet::new(FINDINGS_SHEET);
    let id = bid_id(bid);
    let ident = &bid.layout.facts.identity;
    let text_of = |fid: &str| bid.values.text(fid).unwrap_or("").trim().to_string();
    s.rows.push(vec![NewCell::text(
        format!("Findings — {}", id.display()),
        title,
    )]);
    s.rows.push(vec![NewCell::text(
        format!(
            "{} / {} — {} {} — {}",
            text_of(&ident.organization),
            text_of(&ident.plan_name),
            bid.layout.form.title,
            bid.layout.form.contract_year,
            bid.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
        ),
        0,
    )]);
    s.rows.push(vec![]);
    for (label, sv) in [
        ("Errors", Severity::Error),
        ("Warnings", Severity::Warning),
        ("Info", Severity::Info),
    ] {
        let n = findings.iter().filter(|f| f.severity == sv).count();
        s.rows.push(vec![
            NewCell::text(label, bold),
            NewCell::number(n.to_string(), 0),
        ]);
    }
    s.rows.push(vec![]);
    s.rows.push(vec![
        NewCell::text("Key figure", head),
        NewCell::text("Submitted", head),
        NewCell::text("Recomputed", head),
    ]);
    for k in &bid.layout.facts.key_figures {
        let (label, fid) = (&k.label, &k.id);
        let mut row = vec![NewCell::text(label.clone(), 0)];
        for v in [bid.values.get(fid), recalc.values.get(fid)] {
            row.push(match v.as_num() {
                Some(d) => NewCell::number(Scalar::number(d).shown(), money),
                None => NewCell::text(shown(v), 0),
            });
        }
        s.rows.push(row);
    }
    // The tally per rule, in severity then rule order.
    s.rows.push(vec![]);
    s.rows.push(
        ["Rule", "Severity", "Count", "Blocks finalization", "Name"]
            .iter()
            .map(|h| NewCell::text(*h, head))
            .collect(),
    );
    let mut tally: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for f in findings {
        let n = tally.entry((f.severity, f.rule)).or_insert(0);
        *n = n.saturating_add(1);
    }
    for ((sv, rule), n) in &tally {
        let st = sev.get(&sv.to_string()).copied().unwrap_or(0);
        s.rows.push(vec![
            NewCell::text(*rule, 0),
            NewCell::text(sv.to_string(), st),
            NewCell::number(n.to_string(), 0),
            // `bpt finalize` refuses while any error stands.
            NewCell::text(if *sv == Severity::Error { "yes" } else { "no" }, 0),
            NewCell::text(crate::rules::rule(rule).map_or("", |r| r.name), 0),
        ]);
    }
    s.rows.push(vec![]);
    let header_row = u32::try_from(s.rows.len()).unwrap_or(0);
    s.rows
        .push(HEADER.iter().map(|h| NewCell::text(*h, head)).collect());
    let groups = grouped(bid.layout, findings);
    for g in &groups {
        let f = g.first;
        let sv = sev.get(&f.severity.to_string()).copied().unwrap_or(0);
        let cells = {
            let shown: Vec<&str> = g.cells.iter().copied().filter(|c| !c.is_empty()).collect();
            match shown.len() {
                0 => String::new(),
                1..=3 => shown.join(", "),
                n => format!(
                    "{}, … ({} more)",
                    shown[..3].join(", "),
                    n.saturating_sub(3)
                ),
            }
        };
        let mut cell = NewCell::text(cells, 0);
        if !f.cell.is_empty() {
            cell.link = Some(format!("'{}'!{}", f.sheet.replace('\'', "''"), f.cell));
        }
        s.rows.push(vec![
            NewCell::text(f.severity.to_string(), sv),
            NewCell::text(f.rule, 0),
            NewCell::number(g.cells.len().to_string(), 0),
            NewCell::text(f.sheet.clone(), 0),
            cell,
            NewCell::text(f.label.clone(), 0),
            NewCell::text(f.message.clone(), 0),
            NewCell::text(f.found.clone(), 0),
            NewCell::text(f.expected.clone(), 0),
            NewCell::text(f.field.clone(), 0),
            NewCell::text(crate::rules::rule(f.rule).map_or("", |r| r.source), 0),
        ]);
    }
    let last = header_row.saturating_add(u32::try_from(groups.len()).unwrap_or(0));
    let last_col = u16::try_from(HEADER.len().saturating_sub(1)).unwrap_or(u16::MAX);
    s.autofilter = Some((header_row, last, last_col));
    s.freeze_rows = header_row.saturating_add(1);
    // Columns sized to their content (the title rows overflow), capped.
    let mut widths = vec![0usize; HEADER.len()];
    for (r, row) in s.rows.iter().enumerate() {
        if r < 2 {
            continue;
        }
        for (c, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell.value.shown().chars().count());
            }
        }
    }
    s.widths = widths
        .iter()
        .zip(MAX_WIDTHS)
        .map(|(w, max)| {
            let w = u32::try_from((*w).clamp(6, MAX_WIDTH)).unwrap_or(6);
            (f64::from(w) * 1.1 + 2.0).min(max)
        })
        .collect();
    // Text wider than its column wraps there, its row grown to hold it.
    use crate::writer::print;
    let mut tops: BTreeMap<u32, u32> = BTreeMap::new();
    for (r, row) in s.rows.iter_mut().enumerate().skip(2) {
        let mut lines = 1u32;
        for (c, cell) in row.iter_mut().enumerate() {
            let (Some(w), Scalar::Text(t)) = (s.widths.get(c), &cell.value) else {
                continue;
            };
            if cell.style == 0 && print::text_width(t, false, 11.0) > *w {
                cell.style = wrap;
                lines = lines.max(print::lines(t, false, 11.0, *w));
            }
        }
        if lines > 1 {
            // The row's other cells at the top, level with the wrapped text.
            for cell in row.iter_mut().filter(|c| c.style != wrap) {
                let top = match tops.get(&cell.style) {
                    Some(t) => *t,
                    None => {
                        let t = p.add_top_xf(cell.style)?;
                        tops.insert(cell.style, t);
                        t
                    }
                };
                cell.style = top;
            }
            let r = u32::try_from(r).unwrap_or(u32::MAX);
            s.heights.insert(r, f64::from(lines) * print::LINE_HEIGHT);
        }
    }
    s.print_landscape = true;
    s.paper_size = print::PAPER_SIZE;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        rule: &'static str,
        severity: Severity,
        sheet: &str,
        cell: &str,
        msg: &str,
    ) -> Finding {
        Finding {
            rule,
            severity,
            sheet: sheet.into(),
            cell: cell.into(),
            field: String::new(),
            label: String::new(),
            message: msg.into(),
            found: String::new(),
            expected: String::new(),
        }
    }

    #[test]
    fn findings_are_sorted_by_severity_sheet_and_cell_and_repeats_grouped() {
        let layout = crate::template::builtin_cached("ma-bpt-2013").unwrap();
        let fs = vec![
            finding("R002", Severity::Warning, "WS1", "D10", "blank"),
            finding("M010", Severity::Error, "WS5", "B40", "too far"),
            finding("R002", Severity::Warning, "WS1", "D9", "blank"),
            finding("F001", Severity::Error, "WS1", "D5", "bad"),
            finding("M010", Severity::Error, "WS2", "AA3", "too far"),
            finding("V003", Severity::Info, "WS1", "D5", "x"),
            finding("M010", Severity::Error, "WS2", "C30", "too far"),
        ];
        let g = grouped(layout, &fs);
        let rows: Vec<(&str, String)> = g
            .iter()
            .map(|g| (g.first.rule, g.cells.join(" ")))
            .collect();
        assert_eq!(
            rows,
            [
                ("F001", "D5".to_string()),
                ("M010", "AA3 C30".to_string()),
                ("M010", "B40".to_string()),
                ("R002", "D9 D10".to_string()),
                ("V003", "D5".to_string()),
            ]
        );
    }
}
