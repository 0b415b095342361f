//! `bpt read`: a bid's values per worksheet.

use super::pipeline::bid_id;
use super::render::{DataFormat, json_or_err};
use super::{OK, Outcome};
use crate::reader::{self, Bid};
use crate::value::Value;
use std::path::Path;

/// The values of an overlay's extra cells (columns and fields the user's
/// workbook has and the base form does not), by field id.
pub fn extra_values(bid: &crate::reader::Bid) -> std::collections::BTreeMap<String, Value> {
    let Some(ov) = &bid.layout.overlay else {
        return Default::default();
    };
    bid.layout
        .fields
        .iter()
        .filter(|f| {
            ov.extras.iter().any(|x| match x.strip_suffix("[*]") {
                Some(prefix) => {
                    f.id.strip_prefix(prefix)
                        .is_some_and(|r| r.starts_with('['))
                }
                None => &f.id == x,
            })
        })
        .filter_map(|f| {
            let v = bid.values.get(&f.id);
            (!v.is_empty()).then(|| (f.id.clone(), v.clone()))
        })
        .collect()
}

/// The columns of `bpt read --format csv`: one row per field that holds a
/// value (an invalid cell shows its raw content and `invalid`).
const READ_HEADER: [&str; 7] = ["field", "sheet", "cell", "label", "role", "value", "status"];

/// `bpt read FILE [--format text|json|csv]`.
pub fn read(path: &Path, format: DataFormat) -> Outcome {
    let json = format == DataFormat::Json;
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    if json {
        let mut doc = serde_json::json!({
            "path": path.display().to_string(),
            "template": bid.layout.form.id,
            "bid": bid_id(&bid),
            "sheets": grouped(&bid),
        });
        // An overlay's extra cells (not part of the form) also by id.
        let extra = extra_values(&bid);
        if !extra.is_empty() {
            doc["extra"] = serde_json::json!(extra);
        }
        return Outcome::out(json_or_err(&doc), OK);
    }
    if format == DataFormat::Csv {
        let rows = bid.layout.fields.iter().filter_map(|f| {
            let v = bid.values.get(&f.id);
            let (value, status) = match v {
                Value::Empty => return None,
                Value::Invalid(i) => (i.raw.clone(), "invalid"),
                o => (o.display(), "ok"),
            };
            Some([
                f.id.clone(),
                f.sheet.clone(),
                f.cell.to_string(),
                f.label.clone(),
                serde_json::to_value(f.role)
                    .ok()
                    .and_then(|r| r.as_str().map(String::from))
                    .unwrap_or_default(),
                crate::sanitize::bound_value(value),
                status.to_string(),
            ])
        });
        return Outcome::out(crate::sanitize::csv(&READ_HEADER, rows), OK);
    }
    // Text from the workbook is shown shortened, with visible escapes.
    use crate::sanitize::echo;
    let mut o = String::new();
    let id = bid_id(&bid);
    o.push_str(&format!(
        "{}: {} ({} {})\n",
        crate::sanitize::path(path),
        echo(&id.display()),
        bid.layout.form.title,
        bid.layout.form.contract_year
    ));
    let ident = &bid.layout.facts.identity;
    o.push_str(&format!(
        "  {} / {}\n",
        echo(bid.values.text(&ident.organization).unwrap_or("")),
        echo(bid.values.text(&ident.plan_name).unwrap_or(""))
    ));
    let extra = extra_values(&bid);
    if !extra.is_empty() {
        o.push_str(&format!(
            "  extra cells of this layout (read and reported only): {} filled\n",
            extra.len()
        ));
    }
    let mut invalid = Vec::new();
    for sheet in &bid.layout.sheets {
        let fields: Vec<_> = bid.layout.fields_on(&sheet.name).collect();
        let inputs = fields.iter().filter(|f| f.role.is_entered()).count();
        let filled = fields
            .iter()
            .filter(|f| f.role.is_entered() && !bid.values.get(&f.id).is_empty())
            .count();
        let calc = fields.iter().filter(|f| f.role.is_calculated()).count();
        o.push_str(&format!(
            "  {:<4} {:>5} of {:>5} entered cells filled, {:>5} calculated cells\n",
            sheet.name, filled, inputs, calc
        ));
        for f in fields {
            if let Value::Invalid(i) = bid.values.get(&f.id) {
                invalid.push(format!(
                    "    {} {} ({}): {}!{}: found `{}`, expected {}\n",
                    f.address(),
                    f.label,
                    f.id,
                    echo(&i.sheet),
                    echo(&i.cell),
                    echo(&i.raw),
                    i.expected
                ));
            }
        }
    }
    let figures = &bid.layout.facts.key_figures;
    let w = figures
        .iter()
        .map(|k| k.label.chars().count())
        .max()
        .unwrap_or(0);
    for k in figures {
        let (label, id) = (&k.label, &k.id);
        if let Some(d) = bid.values.num(id) {
            o.push_str(&format!("  {label:<w$} {}\n", d.round_dp(2)));
        }
    }
    if invalid.is_empty() {
        o.push_str("  no invalid values\n");
    } else {
        o.push_str(&format!("  {} invalid value(s):\n", invalid.len()));
        for l in invalid {
            o.push_str(&l);
        }
    }
    o.push_str("  (--format json or csv for every field)\n");
    Outcome::out(o, OK)
}

/// One field in `bpt read --json`.
fn field_json(bid: &Bid, f: &crate::template::Field) -> serde_json::Value {
    serde_json::json!({
        "id": f.id,
        "cell": f.cell.to_string(),
        "label": f.label,
        "role": f.role,
        "value": bid.values.get(&f.id),
    })
}

/// A table row in `bpt read --json`: its key and its cells.
type Row = (String, Vec<serde_json::Value>);

/// A bid's fields grouped as its template lays them out: each sheet (in
/// form order) holds its sections — the scalar fields that share an id
/// prefix (`ws1.general`), in template order — and its tables, each row (in
/// the table's order, with its key and label) holding its cells by column.
/// Every field of the template appears once, blank ones as `null`.
fn grouped(bid: &Bid) -> serde_json::Value {
    use serde_json::{Value as J, json};
    let layout = bid.layout;
    let mut sheets = Vec::new();
    for sheet in &layout.sheets {
        // Sections in order of first appearance.
        let mut sections: Vec<(String, Vec<J>)> = Vec::new();
        // Table id -> row key -> cells, in order of first appearance.
        let mut cells: Vec<(String, Vec<Row>)> = Vec::new();
        for f in layout.fields_on(&sheet.name) {
            match &f.table {
                Some(t) => {
                    let at = match cells.iter().position(|(id, _)| *id == t.table) {
                        Some(i) => i,
                        None => {
                            cells.push((t.table.clone(), Vec::new()));
                            cells.len() - 1
                        }
                    };
                    let rows = &mut cells[at].1;
                    let r = match rows.iter().position(|(k, _)| *k == t.row) {
                        Some(i) => i,
                        None => {
                            rows.push((t.row.clone(), Vec::new()));
                            rows.len() - 1
                        }
                    };
                    let mut c = field_json(bid, f);
                    c["column"] = J::String(t.column.clone());
                    rows[r].1.push(c);
                }
                None => {
                    let section = f.id.rsplit_once('.').map_or("", |(s, _)| s);
                    let at = match sections.iter().position(|(id, _)| id == section) {
                        Some(i) => i,
                        None => {
                            sections.push((section.to_string(), Vec::new()));
                            sections.len() - 1
                        }
                    };
                    sections[at].1.push(field_json(bid, f));
                }
            }
        }
        let tables: Vec<J> = cells
            .into_iter()
            .map(|(id, mut rows)| {
                let table = layout.table(&id);
                // Rows in the table's own order; any other after them.
                let order = |k: &str| {
                    table
                        .and_then(|t| t.rows.iter().position(|(key, _, _)| key == k))
                        .unwrap_or(usize::MAX)
                };
                rows.sort_by_key(|(k, _)| order(k));
                let label = |k: &str| {
                    table
                        .and_then(|t| t.rows.iter().find(|(key, _, _)| key == k))
                        .map_or("", |(_, l, _)| l.as_str())
                        .to_string()
                };
                json!({
                    "id": id,
                    "label": table.map_or("", |t| t.label.as_str()),
                    "line": table.map_or("", |t| t.line.as_str()),
                    "rows": rows
                        .into_iter()
                        .map(|(k, c)| json!({"label": label(&k), "key": k, "cells": c}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        sheets.push(json!({
            "name": sheet.name,
            "title": sheet.title,
            "sections": sections
                .into_iter()
                .map(|(id, fields)| json!({"id": id, "fields": fields}))
                .collect::<Vec<_>>(),
            "tables": tables,
        }));
    }
    J::Array(sheets)
}
