//! Comparing values: a bid's submitted calculated cells against `bpt`'s
//! recomputed ones ([`compare_calc`]), and two bids field by field
//! ([`compare_bids`]).
//!
//! Cells the instructions round (their formula is `ROUND(…, n)`) must match
//! exactly. Other calculated cells match within a tolerance, because Excel
//! computes in binary floating point and `bpt` in exact decimals: the default
//! [`DEFAULT_TOLERANCE`] (1e-6 absolute) is far above Excel's representation
//! error on amounts of this size (about 1e-13) and far below a cent.
//!
//! Every arithmetic on the numbers compared is checked (the crate-wide
//! `clippy::arithmetic_side_effects` lint is denied here): a difference too
//! large for an exact decimal (beyond ±7.9e28) is reported as a difference
//! without its amount, never a panic.

#![deny(clippy::arithmetic_side_effects)]

use crate::template::{Field, Layout};
use crate::value::{Value, Values};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use std::collections::BTreeMap;

/// Default tolerance for unrounded calculated cells.
pub const DEFAULT_TOLERANCE: Decimal = dec!(0.000001);

/// The number of decimals a calculated field is rounded to, when its formula
/// is `ROUND(…, n)` at the top level.
///
/// ```
/// let layout = bpt::template::builtin("ma-bpt-2013").unwrap();
/// let f = layout.field("ws5.bid.plan_bid").unwrap();
/// assert_eq!(bpt::diff::rounding_dp(f), Some(2));
/// ```
pub fn rounding_dp(f: &Field) -> Option<u32> {
    let src = f.formula_src.as_deref()?.trim();
    let inner = src.strip_prefix("ROUND(")?.strip_suffix(')')?;
    // The last top-level comma separates the digits argument.
    let mut depth = 0i32;
    let mut split = None;
    for (i, ch) in inner.char_indices() {
        match ch {
            '(' => depth = depth.saturating_add(1),
            ')' => {
                depth = depth.saturating_sub(1);
                if depth < 0 {
                    return None; // `ROUND(a) + (b)`: not a top-level ROUND.
                }
            }
            ',' if depth == 0 => split = Some(i),
            _ => {}
        }
    }
    inner.get(split?..)?.get(1..)?.trim().parse().ok()
}

/// A calculated cell whose submitted value differs from `bpt`'s.
#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    /// Field id.
    pub field: String,
    /// Sheet.
    pub sheet: String,
    /// Cell.
    pub cell: String,
    /// Label.
    pub label: String,
    /// As submitted.
    pub submitted: Value,
    /// As recomputed.
    pub recomputed: Value,
    /// submitted − recomputed, when both are numbers (and the difference is
    /// within the range of exact decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Decimal>,
    /// Decimals the instructions round this cell to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded_to: Option<u32>,
    /// Explanation, e.g. a rounding-boundary case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Whether `raw` lies on (or within 1e-9 of) the midpoint between two
/// values rounded to `dp` decimals — where Excel's binary arithmetic may round
/// the other way. A value too large to scale by 10^`dp` is on no boundary.
///
/// ```
/// use rust_decimal::Decimal;
/// assert!(bpt::diff::on_rounding_boundary(rust_decimal_macros::dec!(0.125), 2));
/// assert!(!bpt::diff::on_rounding_boundary(Decimal::MAX, 2));
/// ```
pub fn on_rounding_boundary(raw: Decimal, dp: u32) -> bool {
    let scale = Decimal::from(10u64.pow(dp.min(18)));
    let Some(x) = raw.checked_mul(scale).map(|x| x.abs()) else {
        return false;
    };
    // x ≥ trunc(x) ≥ 0, so the fraction is in [0, 1) and nothing below
    // can overflow; the checked forms only keep the lint honest.
    let frac = x.checked_sub(x.trunc()).unwrap_or_default();
    let off = frac.checked_sub(dec!(0.5)).unwrap_or_default().abs();
    dec!(0.000000001)
        .checked_mul(scale)
        .is_some_and(|eps| off <= eps)
}

/// `a − b`, or `None` when the difference is beyond what a `Decimal` holds.
pub fn difference(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_sub(b)
}

/// Whether `a` and `b` differ by more than `tolerance`; a difference too
/// large for a `Decimal` is more than any tolerance.
///
/// ```
/// use rust_decimal::Decimal;
/// use rust_decimal_macros::dec;
/// assert!(!bpt::diff::beyond(dec!(1.0000001), dec!(1), dec!(0.000001)));
/// assert!(bpt::diff::beyond(Decimal::MAX, Decimal::MIN, dec!(0.000001)));
/// ```
pub fn beyond(a: Decimal, b: Decimal, tolerance: Decimal) -> bool {
    difference(a, b).is_none_or(|d| d.abs() > tolerance)
}

/// Compares every calculated field's submitted value with the recomputed one.
/// `pre_round` holds the unrounded values of rounded fields (from
/// [`crate::form::Recalc::pre_round`]) to explain boundary cases.
pub fn compare_calc(
    layout: &Layout,
    submitted: &Values,
    recomputed: &Values,
    pre_round: Option<&BTreeMap<String, Decimal>>,
    tolerance: Decimal,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for f in layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let s = submitted.get(&f.id);
        let r = recomputed.get(&f.id);
        // A `default` cell the actuary overwrote is an override, not a mismatch.
        if f.role == crate::template::Role::Default {
            continue;
        }
        let dp = rounding_dp(f);
        let (matches, difference) = match (s, r) {
            (Value::Number(a), Value::Number(b)) => {
                let d = difference(*a, *b);
                let ok = if dp.is_some() {
                    a == b
                } else {
                    !beyond(*a, *b, tolerance)
                };
                (ok, d)
            }
            (Value::Text(a), Value::Text(b)) => (a.trim() == b.trim(), None),
            (Value::Empty, Value::Empty) => (true, None),
            (Value::Date(a), Value::Date(b)) => (a == b, None),
            _ => (false, None),
        };
        if matches {
            continue;
        }
        let note = match (dp, difference, pre_round.and_then(|m| m.get(&f.id))) {
            (Some(dp), Some(d), Some(raw)) if on_rounding_boundary(*raw, dp) => Some(format!(
                "the unrounded value {} sits on a rounding boundary: Excel's binary \
                 floating point rounds it the other way (difference {})",
                raw.normalize(),
                d.normalize()
            )),
            (_, _, _) if s.is_empty() => Some(
                "the cell is blank: the workbook was not recalculated, or its formula was deleted"
                    .into(),
            ),
            (_, _, _) if s.as_invalid().is_some() => Some("the cell holds an error value".into()),
            (_, None, _) if s.as_num().is_some() && r.as_num().is_some() => {
                Some("the difference is beyond the range of exact decimals (±7.9e28)".into())
            }
            _ => None,
        };
        out.push(Mismatch {
            field: f.id.clone(),
            sheet: f.sheet.clone(),
            cell: f.cell.to_string(),
            label: f.label.clone(),
            submitted: s.clone(),
            recomputed: r.clone(),
            difference,
            rounded_to: dp,
            note,
        });
    }
    out
}

/// A field whose value differs between two bids.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Field id (in the new bid, for a row matched by its identity).
    pub field: String,
    /// Sheet.
    pub sheet: String,
    /// Cell (in the new bid; in the old one for a row only the old bid has).
    pub cell: String,
    /// Label.
    pub label: String,
    /// Whether the field is an input (else CMS-populated or calculated).
    pub role: crate::template::Role,
    /// Value in the first bid.
    pub old: Value,
    /// Value in the second bid.
    pub new: Value,
    /// new − old, when both are numbers (and the difference is within the
    /// range of exact decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Decimal>,
    /// For a row of a table whose rows are entries (the county table): the
    /// value that identifies the row (its county code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// The cell in the old bid, when the row moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_cell: Option<String>,
}

/// How two bids are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BidDiffOptions {
    /// Numbers that differ by no more than this are the same (a workbook
    /// saved by another spreadsheet program carries binary floating-point
    /// noise of about 1e-15).
    pub tolerance: Decimal,
    /// Only the fields the plan enters (role `input`).
    pub inputs_only: bool,
}

fn same(a: &Value, b: &Value, tolerance: Decimal) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => !beyond(*x, *y, tolerance),
        (Value::Text(x), Value::Text(y)) => x.trim() == y.trim(),
        _ => a == b,
    }
}

fn change(f: &Field, a: &Value, b: &Value) -> Change {
    Change {
        field: f.id.clone(),
        sheet: f.sheet.clone(),
        cell: f.cell.to_string(),
        label: f.label.clone(),
        role: f.role,
        old: a.clone(),
        new: b.clone(),
        difference: match (a, b) {
            (Value::Number(x), Value::Number(y)) => difference(*y, *x),
            _ => None,
        },
        row: None,
        old_cell: None,
    }
}

/// Every field whose value differs between two bids of the same form, in
/// template order. Numbers compare exactly.
pub fn compare_bids(layout: &Layout, old: &Values, new: &Values) -> Vec<Change> {
    compare_bids_with(layout, old, new, &BidDiffOptions::default())
}

/// The data rows of a table whose rows are entries, by the value of its
/// identity column: identity → row key. `None` when a value repeats (the
/// rows are then compared by position).
fn rows_by_identity(
    table: &crate::template::Table,
    column: &str,
    values: &Values,
) -> Option<BTreeMap<String, String>> {
    let mut by = BTreeMap::new();
    for key in table.row_keys() {
        let id = format!("{}.{column}[{key}]", table.id);
        let v = match values.get(&id) {
            Value::Empty => continue,
            Value::Number(d) => d.normalize().to_string(),
            o => o.display().trim().to_string(),
        };
        if v.is_empty() {
            continue;
        }
        if by.insert(v, key.to_string()).is_some() {
            return None;
        }
    }
    Some(by)
}

/// A table whose rows are matched by identity: identity → row key in each bid.
struct Keyed<'a> {
    table: &'a crate::template::Table,
    old_rows: BTreeMap<String, String>,
    new_rows: BTreeMap<String, String>,
}

/// Every field whose value differs between two bids of the same form:
/// numbers within `opts.tolerance` are the same; the rows of a table whose
/// template names a `row_identity` column (the county table) are matched
/// by that column's value, so sorting or inserting rows is no change; with
/// `inputs_only`, only the plan's inputs. Fields in template order, then
/// each such table's rows in order of their identity.
pub fn compare_bids_with(
    layout: &Layout,
    old: &Values,
    new: &Values,
    opts: &BidDiffOptions,
) -> Vec<Change> {
    let wanted = |f: &Field| !opts.inputs_only || f.role == crate::template::Role::Input;
    // Tables compared by row identity, when neither bid repeats one.
    let mut keyed: BTreeMap<&str, Keyed> = BTreeMap::new();
    for t in layout.tables.values() {
        let Some(col) = t.row_identity.as_deref() else {
            continue;
        };
        if let (Some(a), Some(b)) = (rows_by_identity(t, col, old), rows_by_identity(t, col, new)) {
            keyed.insert(
                t.id.as_str(),
                Keyed {
                    table: t,
                    old_rows: a,
                    new_rows: b,
                },
            );
        }
    }
    let in_keyed = |f: &Field| {
        f.table
            .as_ref()
            .is_some_and(|p| !p.total && keyed.contains_key(p.table.as_str()))
    };
    // Each keyed table's changes, in order of the rows' identity.
    let mut by_table: BTreeMap<&str, Vec<Change>> = BTreeMap::new();
    for (tid, k) in &keyed {
        let (t, a_rows, b_rows) = (k.table, &k.old_rows, &k.new_rows);
        let out = by_table.entry(tid).or_default();
        let mut ids: Vec<&String> = a_rows.keys().chain(b_rows.keys()).collect();
        ids.sort();
        ids.dedup();
        for ident in ids {
            let (ra, rb) = (a_rows.get(ident), b_rows.get(ident));
            for (col, _, _, header) in &t.columns {
                let fa = ra.and_then(|r| layout.field(&format!("{}.{col}[{r}]", t.id)));
                let fb = rb.and_then(|r| layout.field(&format!("{}.{col}[{r}]", t.id)));
                let Some(f) = fb.or(fa) else {
                    continue;
                };
                if !wanted(f) {
                    continue;
                }
                let empty = Value::Empty;
                let va = fa.map_or(&empty, |f| old.get(&f.id));
                let vb = fb.map_or(&empty, |f| new.get(&f.id));
                if same(va, vb, opts.tolerance) {
                    continue;
                }
                let mut c = change(f, va, vb);
                c.label = format!("{} {ident} – {header}", t.label);
                c.row = Some(ident.clone());
                if let (Some(fa), Some(_)) = (fa, fb)
                    && fa.cell != f.cell
                {
                    c.old_cell = Some(fa.cell.to_string());
                }
                out.push(c);
            }
        }
    }
    // Template order; a keyed table's changes where its first field is.
    let mut out = Vec::new();
    for f in &layout.fields {
        if in_keyed(f) {
            if let Some(p) = &f.table
                && let Some(c) = by_table.remove(p.table.as_str())
            {
                out.extend(c);
            }
            continue;
        }
        if !wanted(f) {
            continue;
        }
        let (a, b) = (old.get(&f.id), new.get(&f.id));
        if !same(a, b, opts.tolerance) {
            out.push(change(f, a, b));
        }
    }
    out
}

/// The decimals an Excel number format shows (`#,##0.00` → 2, `0.0%` → 1
/// with `percent`), or `None` for `General`, text or an empty format.
///
/// ```
/// assert_eq!(bpt::diff::format_decimals("#,##0.00"), Some((2, false)));
/// assert_eq!(bpt::diff::format_decimals("0.0%"), Some((1, true)));
/// assert_eq!(bpt::diff::format_decimals("#,##0"), Some((0, false)));
/// assert_eq!(bpt::diff::format_decimals("General"), None);
/// ```
pub fn format_decimals(format: &str) -> Option<(u32, bool)> {
    let first = format.split(';').next()?.trim();
    if !first.contains(['0', '#']) {
        return None;
    }
    let percent = first.contains('%');
    let dp = match first.find('.') {
        Some(i) => first
            .get(i.checked_add(1)?..)?
            .chars()
            .take_while(|c| matches!(c, '0' | '#'))
            .count(),
        None => 0,
    };
    Some((u32::try_from(dp).ok()?, percent))
}

/// A number shown as its cell shows it: at the decimals of the field's
/// number format (a percentage format as a percentage), or of its top-level
/// `ROUND`, half away from zero as Excel; otherwise in full.
pub fn at_precision(f: &Field, d: Decimal) -> String {
    match format_decimals(&f.format) {
        Some((dp, true)) => match d.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("{}%", fixed(p, dp)),
            None => d.normalize().to_string(),
        },
        Some((dp, false)) => fixed(d, dp),
        None => match rounding_dp(f) {
            Some(dp) => fixed(d, dp),
            None => d.normalize().to_string(),
        },
    }
}

/// `d` rounded half away from zero to `dp` decimals and written with
/// exactly that many. Padded by hand: rust_decimal's `{:.N}` formats into a
/// 32-byte buffer and panics ("insufficient capacity") for a 29-digit
/// number shown with decimals.
pub fn fixed(d: Decimal, dp: u32) -> String {
    use rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let mut s = d
        .round_dp_with_strategy(dp, MidpointAwayFromZero)
        .to_string();
    let have = s
        .find('.')
        .map_or(0, |i| s.len().saturating_sub(i).saturating_sub(1));
    let want = usize::try_from(dp).unwrap_or(usize::MAX).min(28);
    if want > have {
        if have == 0 {
            s.push('.');
        }
        s.extend(std::iter::repeat_n('0', want.saturating_sub(have)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_for_any_magnitude() {
        assert_eq!(fixed(dec!(12.345), 2), "12.35");
        assert_eq!(fixed(dec!(-12.345), 2), "-12.35");
        assert_eq!(fixed(dec!(5), 2), "5.00");
        assert_eq!(fixed(dec!(0.5), 0), "1");
        assert_eq!(fixed(dec!(1.5), 3), "1.500");
        // 29 digits with two decimals: rust_decimal's `{:.2}` panics here.
        assert_eq!(fixed(Decimal::MAX, 2), "79228162514264337593543950335.00");
        assert_eq!(
            fixed(Decimal::MIN, 4),
            "-79228162514264337593543950335.0000"
        );
    }

    #[test]
    fn boundary_detection() {
        assert!(on_rounding_boundary(dec!(12.345), 2));
        assert!(on_rounding_boundary(dec!(-0.05), 1));
        assert!(!on_rounding_boundary(dec!(12.3449), 2));
        assert!(!on_rounding_boundary(dec!(12.34), 2));
    }

    #[test]
    fn rounding_dp_reads_top_level_round_only() {
        let mk = |src: &str| {
            let mut f = crate::template::builtin("ma-bpt-2013")
                .ok()
                .and_then(|l| l.fields.first().cloned());
            if let Some(f) = f.as_mut() {
                f.formula_src = Some(src.to_string());
            }
            f
        };
        if let Some(f) = mk("ROUND(MAX({a}-{b},0),2)") {
            assert_eq!(rounding_dp(&f), Some(2));
        }
        if let Some(f) = mk("ROUND({a},1)+ROUND({b},1)") {
            assert_eq!(rounding_dp(&f), None);
        }
        if let Some(f) = mk("{a}*2") {
            assert_eq!(rounding_dp(&f), None);
        }
    }
}
