//! `bpt diff`: submitted versus recomputed values, or two bids (or two
//! folders of bids) compared.

use super::batch::isolated;
use super::files::expand;
use super::pipeline::{bid_id, recalc_bid};
use super::render::{csv_value, json_or_err, shown};
use super::{FINDINGS, OK, Outcome, UNREADABLE};
use crate::diff::{self, Change, Mismatch};
use crate::reader::{self, Bid};
use crate::template::Layout;
use crate::value::Value;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Output formats of `bpt diff` (the formats of every data command).
pub use super::render::DataFormat as DiffFormat;

/// `bpt diff FILE [--format] [--tolerance]`: submitted versus recomputed.
pub fn diff_calc(path: &Path, format: DiffFormat, tolerance: Decimal) -> Outcome {
    diff_calc_with(path, format, tolerance, false)
}

/// A calculated cell whose formula in the workbook is not the template's
/// (translated to the workbook's addresses), or holds no formula at all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FormulaChange {
    /// Field id.
    pub field: String,
    /// Sheet.
    pub sheet: String,
    /// Cell.
    pub cell: String,
    /// Label.
    pub label: String,
    /// The template's formula on the workbook's cells.
    pub expected: String,
    /// The workbook's formula (`None`: a constant or a blank).
    pub found: Option<String>,
}

/// The calculated cells whose formula differs from the template's.
pub fn formula_changes(bid: &reader::Bid) -> Result<Vec<FormulaChange>, reader::ReadError> {
    let found = reader::read_formulas(bid)?;
    let mut out = Vec::new();
    for (id, got) in found {
        let Some(f) = bid.layout.field(&id) else {
            continue;
        };
        let Some(expected) = f.formula.as_deref() else {
            continue;
        };
        let same = got
            .as_deref()
            .is_some_and(|g| reader::formula_key(g) == reader::formula_key(expected));
        // A `default` cell the actuary overwrote with a constant is allowed.
        if same || (f.role == crate::template::Role::Default && got.is_none()) {
            continue;
        }
        out.push(FormulaChange {
            field: id,
            sheet: f.sheet.clone(),
            cell: f.cell.to_string(),
            label: f.label.clone(),
            expected: expected.to_string(),
            found: got,
        });
    }
    Ok(out)
}

/// `bpt diff FILE [--formulas]`: with `formulas`, also every calculated
/// cell whose formula is not the template's.
pub fn diff_calc_with(
    path: &Path,
    format: DiffFormat,
    tolerance: Decimal,
    formulas: bool,
) -> Outcome {
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let r = recalc_bid(&bid);
    let m = diff::compare_calc(
        bid.layout,
        &bid.values,
        &r.values,
        Some(&r.pre_round),
        tolerance,
    );
    let changes = if formulas {
        match formula_changes(&bid) {
            Ok(c) => Some(c),
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
        }
    } else {
        None
    };
    let code = if m.is_empty() && changes.as_ref().is_none_or(Vec::is_empty) {
        OK
    } else {
        FINDINGS
    };
    let s = match format {
        DiffFormat::Json => {
            let mut doc = serde_json::json!({
                "path": path.display().to_string(),
                "tolerance": tolerance.normalize().to_string(),
                "mismatches": m,
            });
            if let Some(c) = &changes {
                doc["formulas"] = serde_json::to_value(c).unwrap_or_default();
            }
            json_or_err(&doc)
        }
        DiffFormat::Csv => {
            let mut o = mismatches_csv(&m);
            if let Some(c) = &changes {
                o.push('\n');
                o.push_str(&crate::sanitize::csv(
                    &["field", "sheet", "cell", "label", "expected", "found"],
                    c.iter().map(|x| {
                        [
                            x.field.clone(),
                            x.sheet.clone(),
                            x.cell.clone(),
                            x.label.clone(),
                            format!("={}", x.expected),
                            x.found
                                .as_ref()
                                .map(|f| format!("={f}"))
                                .unwrap_or_default(),
                        ]
                    }),
                ));
            }
            o
        }
        DiffFormat::Text => {
            let mut o = mismatches_text(path, &m, tolerance);
            if let Some(c) = &changes {
                o.push_str(&formulas_text(c, bid.layout));
            }
            o
        }
    };
    Outcome::out(s, code)
}

fn formulas_text(c: &[FormulaChange], layout: &crate::template::Layout) -> String {
    use crate::sanitize::{echo, visible as v};
    let base = layout.base_id();
    if c.is_empty() {
        return format!(
            "every calculated cell holds the {base} formula (on this workbook's cells)\n"
        );
    }
    let mut o = format!(
        "{} calculated cell(s) do not hold the {base} formula (on this workbook's cells):\n",
        c.len()
    );
    for x in c {
        o.push_str(&format!(
            "  {}!{:<6} {} ({})\n      expected ={}\n      found    {}\n",
            v(&x.sheet),
            v(&x.cell),
            v(&x.label),
            v(&x.field),
            echo(&x.expected),
            x.found
                .as_deref()
                .map_or("a constant (no formula)".to_string(), |f| format!(
                    "={}",
                    echo(f)
                ))
        ));
    }
    o
}

fn mismatches_text(path: &Path, m: &[Mismatch], tol: Decimal) -> String {
    use crate::sanitize::visible as v;
    let mut o = String::new();
    if m.is_empty() {
        o.push_str(&format!(
            "{}: every calculated cell matches (rounded cells exactly, others within {})\n",
            crate::sanitize::path(path),
            tol.normalize()
        ));
        return o;
    }
    o.push_str(&format!(
        "{}: {} calculated cell(s) differ from the instructions' arithmetic\n",
        crate::sanitize::path(path),
        m.len()
    ));
    for x in m {
        o.push_str(&format!(
            "  {}!{:<6} {} ({})\n      submitted {}   recomputed {}",
            v(&x.sheet),
            v(&x.cell),
            v(&x.label),
            v(&x.field),
            shown(&x.submitted),
            shown(&x.recomputed)
        ));
        if let Some(d) = x.difference {
            o.push_str(&format!("   difference {}", d.normalize()));
        }
        if let Some(dp) = x.rounded_to {
            o.push_str(&format!(
                "   (rounded to {dp} decimals: must match exactly)"
            ));
        }
        o.push('\n');
        if let Some(n) = &x.note {
            o.push_str(&format!("      note: {}\n", crate::sanitize::echo(n)));
        }
    }
    o
}

/// The columns of `bpt diff FILE --format csv`.
const MISMATCH_HEADER: [&str; 9] = [
    "field",
    "sheet",
    "cell",
    "label",
    "submitted",
    "recomputed",
    "difference",
    "rounded_to",
    "note",
];

fn mismatch_row(x: &Mismatch) -> [String; 9] {
    [
        x.field.clone(),
        x.sheet.clone(),
        x.cell.clone(),
        x.label.clone(),
        csv_value(&x.submitted),
        csv_value(&x.recomputed),
        x.difference
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
        x.rounded_to.map(|d| d.to_string()).unwrap_or_default(),
        x.note.clone().unwrap_or_default(),
    ]
}

fn mismatches_csv(m: &[Mismatch]) -> String {
    crate::sanitize::csv(&MISMATCH_HEADER, m.iter().map(mismatch_row))
}

/// `bpt diff OLD NEW`: every field that changed between two bids, numbers
/// compared exactly (see [`diff_bids_with`]).
pub fn diff_bids(old: &Path, new: &Path, format: DiffFormat) -> Outcome {
    diff_bids_with(old, new, format, &DiffOptions::default())
}

/// How `bpt diff OLD NEW` compares.
pub use crate::diff::BidDiffOptions as DiffOptions;

/// A key figure of two bids: label, field, old and new values.
#[derive(Debug, Clone, serde::Serialize)]
struct KeyFigure {
    label: String,
    field: String,
    old: Value,
    new: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    difference: Option<Decimal>,
}

/// The key figures of two bids of the form (the template's
/// `[form.facts] key_figures`, those either bid has).
fn key_figures(a: &Bid, b: &Bid) -> Vec<KeyFigure> {
    a.layout
        .facts
        .key_figures
        .iter()
        .filter(|k| !k.id.is_empty())
        .map(|k| {
            let (old, new) = (a.values.get(&k.id).clone(), b.values.get(&k.id).clone());
            let difference = match (&old, &new) {
                (Value::Number(x), Value::Number(y)) => diff::difference(*y, *x),
                _ => None,
            };
            KeyFigure {
                label: k.label.clone(),
                field: k.id.clone(),
                old,
                new,
                difference,
            }
        })
        .filter(|k| !(k.old.is_empty() && k.new.is_empty()))
        .collect()
}

/// A value as its cell shows it ([`diff::at_precision`]); when `other`
/// shows the same at that precision but differs, both in full.
fn shown_at(layout: &Layout, field: &str, v: &Value, other: &Value) -> String {
    let f = layout.field(field);
    match (v, other, f) {
        (Value::Number(d), o, Some(f)) => {
            let at = diff::at_precision(f, *d);
            let hides = matches!(o, Value::Number(e) if e != d && diff::at_precision(f, *e) == at);
            if hides { d.normalize().to_string() } else { at }
        }
        _ => shown(v),
    }
}

fn difference_at(layout: &Layout, field: &str, d: Decimal) -> String {
    match layout.field(field) {
        Some(f) => {
            let at = diff::at_precision(f, d);
            let zero = at
                .trim_start_matches(['-', '+'])
                .chars()
                .all(|c| matches!(c, '0' | '.' | '%'));
            if zero {
                format!("{:+}", d.normalize())
            } else if d.is_sign_negative() {
                at
            } else {
                format!("+{at}")
            }
        }
        None => format!("{:+}", d.normalize()),
    }
}

/// `bpt diff OLD NEW [--tolerance T] [--inputs-only]`: every field that
/// changed between two bids of the same form. Numbers within the tolerance
/// are the same; county rows are matched by county code (the template's
/// `row_identity`), not by position; the text report starts with the key
/// figures before → after and shows values at their cells' precision.
pub fn diff_bids_with(old: &Path, new: &Path, format: DiffFormat, opts: &DiffOptions) -> Outcome {
    if old.is_dir() && new.is_dir() {
        return diff_dirs_with(old, new, format, opts);
    }
    let a = match reader::read_bid(old) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let b = match reader::read_bid(new) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    if a.layout.base_id() != b.layout.base_id() {
        return Outcome::err(
            format!(
                "bpt: {} is a {} form but {} is a {} form: they cannot be compared field by field\n",
                old.display(),
                a.layout.form.id,
                new.display(),
                b.layout.form.id
            ),
            UNREADABLE,
        );
    }
    let mut changes = diff::compare_bids_with(a.layout, &a.values, &b.values, opts);
    // An overlay's extra cells are not fields of the other layout.
    changes.retain(|c| b.layout.field(&c.field).is_some());
    let figures = key_figures(&a, &b);
    let code = if changes.is_empty() { OK } else { FINDINGS };
    let s = match format {
        DiffFormat::Json => json_or_err(&serde_json::json!({
            "old": old.display().to_string(),
            "new": new.display().to_string(),
            "tolerance": opts.tolerance.normalize().to_string(),
            "inputs_only": opts.inputs_only,
            "key_figures": figures,
            "changes": changes,
        })),
        DiffFormat::Csv => changes_csv(&changes),
        DiffFormat::Text => {
            let mut o = figures_text(a.layout, &figures, opts.tolerance);
            o.push_str(&changes_text(a.layout, old, new, &changes, opts));
            o
        }
    };
    Outcome::out(s, code)
}

/// The key figures old → new; a figure that moved by no more than
/// `tolerance` (float noise from a resave) is shown at its cell's precision
/// as unchanged.
fn figures_text(layout: &Layout, figures: &[KeyFigure], tolerance: Decimal) -> String {
    use crate::sanitize::visible as v;
    if figures.is_empty() {
        return String::new();
    }
    let w = figures
        .iter()
        .map(|k| k.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut o = String::from("key figures (old → new):\n");
    for k in figures {
        let within = k.difference.is_some_and(|d| d.abs() <= tolerance);
        let same = within
            || (diff::difference(
                k.new.as_num().unwrap_or_default(),
                k.old.as_num().unwrap_or_default(),
            )
            .is_some_and(|d| d.is_zero())
                && k.old == k.new);
        let (old, new) = if within {
            (
                shown_at(layout, &k.field, &k.old, &k.old),
                shown_at(layout, &k.field, &k.new, &k.new),
            )
        } else {
            (
                shown_at(layout, &k.field, &k.old, &k.new),
                shown_at(layout, &k.field, &k.new, &k.old),
            )
        };
        o.push_str(&format!("  {:<w$}  {old} → {new}", v(&k.label)));
        match k.difference {
            Some(d) if !within && !d.is_zero() => {
                o.push_str(&format!(" ({})", difference_at(layout, &k.field, d)))
            }
            _ if same => o.push_str(" (unchanged)"),
            _ => {}
        }
        o.push('\n');
    }
    o.push('\n');
    o
}

/// One compared pair of `diff_dirs`: bid id, old file, new file, changes.
type PairDiff = (
    String,
    PathBuf,
    PathBuf,
    Result<(Vec<Change>, &'static Layout), String>,
);

/// `bpt diff OLD_DIR NEW_DIR`: pairs the bids of two folders by
/// contract-plan-segment and reports what changed in each pair (numbers
/// exactly; see [`diff_dirs_with`]).
pub fn diff_dirs(old: &Path, new: &Path, format: DiffFormat) -> Outcome {
    diff_dirs_with(old, new, format, &DiffOptions::default())
}

/// `bpt diff OLD_DIR NEW_DIR`: pairs the bids of two folders by
/// contract-plan-segment and reports what changed in each pair, and which
/// bids are only in one folder. Unreadable files are reported and skipped;
/// two files of one folder with the same bid are reported as such (the
/// later is compared); a folder's subfolders are not searched (a note says
/// so).
pub fn diff_dirs_with(old: &Path, new: &Path, format: DiffFormat, opts: &DiffOptions) -> Outcome {
    use rayon::prelude::*;
    use std::collections::BTreeMap;
    struct Side {
        by_id: BTreeMap<String, PathBuf>,
        unreadable: Vec<String>,
        duplicates: Vec<String>,
        note: String,
    }
    let scan = |dir: &Path| {
        let expanded = expand(&[dir.to_path_buf()], false);
        let note = expanded.note();
        let files = expanded.files;
        let read: Vec<(PathBuf, Result<String, String>)> = files
            .par_iter()
            .map(|p| {
                let r = isolated(|| {
                    reader::read_bid(p)
                        .map(|b| bid_id(&b).display())
                        .map_err(|e| e.to_string())
                })
                .and_then(|r| r);
                (p.clone(), r)
            })
            .collect();
        let mut side = Side {
            by_id: BTreeMap::new(),
            unreadable: Vec::new(),
            duplicates: Vec::new(),
            note,
        };
        for (p, r) in read {
            match r {
                Ok(id) => {
                    if let Some(prev) = side.by_id.insert(id.clone(), p.clone()) {
                        side.duplicates.push(format!(
                            "{}: same bid {id} as {}; compared only the later file",
                            prev.display(),
                            p.display()
                        ));
                    }
                }
                Err(e) => side.unreadable.push(e),
            }
        }
        side
    };
    let (a, b) = (scan(old), scan(new));
    let mut pairs = Vec::new();
    let mut only_old = Vec::new();
    let mut only_new = Vec::new();
    for (id, p) in &a.by_id {
        match b.by_id.get(id) {
            Some(q) => pairs.push((id.clone(), p.clone(), q.clone())),
            None => only_old.push((id.clone(), p.clone())),
        }
    }
    for (id, q) in &b.by_id {
        if !a.by_id.contains_key(id) {
            only_new.push((id.clone(), q.clone()));
        }
    }
    let results: Vec<PairDiff> = pairs
        .into_par_iter()
        .map(|(id, p, q)| {
            let r = isolated(|| {
                let x = reader::read_bid(&p).map_err(|e| e.to_string())?;
                let y = reader::read_bid(&q).map_err(|e| e.to_string())?;
                if x.layout.base_id() != y.layout.base_id() {
                    return Err(format!(
                        "{} is a {} form, {} a {} form",
                        p.display(),
                        x.layout.form.id,
                        q.display(),
                        y.layout.form.id
                    ));
                }
                Ok((
                    diff::compare_bids_with(x.layout, &x.values, &y.values, opts),
                    x.layout,
                ))
            })
            .and_then(|r| r);
            (id, p, q, r)
        })
        .collect();
    let changed = results
        .iter()
        .any(|r| r.3.as_ref().is_ok_and(|c| !c.0.is_empty()))
        || !only_old.is_empty()
        || !only_new.is_empty();
    let broken = !a.unreadable.is_empty()
        || !b.unreadable.is_empty()
        || results.iter().any(|r| r.3.is_err());
    let code = if broken {
        UNREADABLE
    } else if changed {
        FINDINGS
    } else {
        OK
    };
    let s = match format {
        DiffFormat::Json => json_or_err(&serde_json::json!({
            "old": old.display().to_string(),
            "new": new.display().to_string(),
            "pairs": results.iter().map(|(id, p, q, r)| serde_json::json!({
                "bid": id,
                "old": p.display().to_string(),
                "new": q.display().to_string(),
                "changes": r.as_ref().ok().map(|c| &c.0),
                "error": r.as_ref().err(),
            })).collect::<Vec<_>>(),
            "only_old": only_old.iter().map(|(id, p)| serde_json::json!({"bid": id, "path": p.display().to_string()})).collect::<Vec<_>>(),
            "only_new": only_new.iter().map(|(id, p)| serde_json::json!({"bid": id, "path": p.display().to_string()})).collect::<Vec<_>>(),
            "unreadable": a.unreadable.iter().chain(&b.unreadable).collect::<Vec<_>>(),
            "duplicates": a.duplicates.iter().chain(&b.duplicates).collect::<Vec<_>>(),
        })),
        DiffFormat::Csv => {
            // One table: the bid, then the columns of `diff OLD NEW`.
            let mut header = vec!["bid"];
            header.extend(CHANGE_HEADER);
            let rows = results.iter().flat_map(|(id, _, _, r)| {
                r.iter().flat_map(|c| &c.0).map(move |c| {
                    std::iter::once(id.clone())
                        .chain(change_row(c))
                        .collect::<Vec<String>>()
                })
            });
            crate::sanitize::csv(&header, rows)
        }
        DiffFormat::Text => {
            use crate::sanitize::{echo, path, visible};
            let mut o = String::new();
            for (id, p, q, r) in &results {
                let id = echo(id);
                match r {
                    Ok((c, _)) if c.is_empty() => o.push_str(&format!("{id}: unchanged\n")),
                    Ok((c, layout)) => {
                        o.push_str(&format!("── {id} ──\n"));
                        o.push_str(&changes_text(layout, p, q, c, opts));
                    }
                    Err(e) => o.push_str(&format!("{id}: could not compare: {}\n", visible(e))),
                }
            }
            for (id, p) in &only_old {
                o.push_str(&format!(
                    "{}: only in {} ({})\n",
                    echo(id),
                    path(old),
                    path(p)
                ));
            }
            for (id, q) in &only_new {
                o.push_str(&format!(
                    "{}: only in {} ({})\n",
                    echo(id),
                    path(new),
                    path(q)
                ));
            }
            for e in a.duplicates.iter().chain(&b.duplicates) {
                o.push_str(&format!("{}\n", visible(e)));
            }
            for e in a.unreadable.iter().chain(&b.unreadable) {
                o.push_str(&format!("could not read: {}\n", visible(e)));
            }
            o.push_str(&format!(
                "{} pair(s) compared, {} changed, {} only in {}, {} only in {}\n",
                results.len(),
                results
                    .iter()
                    .filter(|r| r.3.as_ref().is_ok_and(|c| !c.0.is_empty()))
                    .count(),
                only_old.len(),
                path(old),
                only_new.len(),
                path(new)
            ));
            o
        }
    };
    let mut o = Outcome::out(s, code);
    o.stderr = format!("{}{}", a.note, b.note);
    o
}

fn changes_text(
    layout: &Layout,
    old: &Path,
    new: &Path,
    c: &[Change],
    opts: &DiffOptions,
) -> String {
    use crate::sanitize::visible as v;
    let mut o = format!(
        "{} → {}: {} field(s) changed{}{}\n",
        crate::sanitize::path(old),
        crate::sanitize::path(new),
        c.len(),
        if opts.inputs_only {
            " (inputs only)"
        } else {
            ""
        },
        if opts.tolerance.is_zero() {
            String::new()
        } else {
            format!(
                " (numbers within {} are the same)",
                opts.tolerance.normalize()
            )
        }
    );
    let mut sheet = String::new();
    for x in c {
        if x.sheet != sheet {
            sheet = x.sheet.clone();
            o.push_str(&format!("  ── {} ──\n", v(&sheet)));
        }
        let role = match x.role {
            crate::template::Role::Input => "input",
            crate::template::Role::Cms => "cms",
            _ => "calc",
        };
        let cell = match &x.old_cell {
            Some(was) => format!("{} (was {})", v(&x.cell), v(was)),
            None => v(&x.cell).into_owned(),
        };
        o.push_str(&format!(
            "  {cell:<6} [{role}] {} ({}): {} → {}",
            v(&x.label),
            v(&x.field),
            shown_at(layout, &x.field, &x.old, &x.new),
            shown_at(layout, &x.field, &x.new, &x.old)
        ));
        if let Some(d) = x.difference {
            o.push_str(&format!(" ({})", difference_at(layout, &x.field, d)));
        }
        o.push('\n');
    }
    o
}

/// The columns of `bpt diff OLD NEW --format csv`.
const CHANGE_HEADER: [&str; 9] = [
    "field",
    "sheet",
    "cell",
    "label",
    "old",
    "new",
    "difference",
    "row",
    "old_cell",
];

fn change_row(x: &Change) -> [String; 9] {
    [
        x.field.clone(),
        x.sheet.clone(),
        x.cell.clone(),
        x.label.clone(),
        csv_value(&x.old),
        csv_value(&x.new),
        x.difference
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
        x.row.clone().unwrap_or_default(),
        x.old_cell.clone().unwrap_or_default(),
    ]
}

fn changes_csv(c: &[Change]) -> String {
    crate::sanitize::csv(&CHANGE_HEADER, c.iter().map(change_row))
}
