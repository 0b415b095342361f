//! Resolution of `{id}` placeholders in template formulas to cell addresses.

use super::{Layout, Table};
use crate::cellref::CellRef;
use rustc_hash::FxHashMap;

struct Ctx<'a> {
    fields: FxHashMap<&'a str, (&'a str, CellRef)>,
    columns: FxHashMap<String, (&'a Table, u16)>,
    /// Row of each (table id, row key), data and total rows.
    rows: FxHashMap<(&'a str, &'a str), u32>,
}

/// Resolves the formula of every field in place.
pub(super) fn resolve_all(layout: &mut Layout) -> Result<(), String> {
    let resolved: Vec<Option<String>> = {
        let mut ctx = Ctx {
            fields: FxHashMap::default(),
            columns: FxHashMap::default(),
            rows: FxHashMap::default(),
        };
        for f in &layout.fields {
            ctx.fields.insert(f.id.as_str(), (f.sheet.as_str(), f.cell));
        }
        for t in layout.tables.values() {
            for r in t.rows.iter().chain(t.totals.iter()) {
                ctx.rows.entry((t.id.as_str(), r.0.as_str())).or_insert(r.2);
            }
            for (cid, col, _, _) in &t.columns {
                ctx.columns.insert(format!("{}.{}", t.id, cid), (t, *col));
            }
        }
        layout
            .fields
            .iter()
            .map(|f| {
                f.formula_src
                    .as_deref()
                    .map(|src| {
                        let row = f.table.as_ref().map(|t| t.row.as_str());
                        resolve(&ctx, src, &f.sheet, row)
                            .map_err(|e| format!("field {}: formula `{src}`: {e}", f.id))
                    })
                    .transpose()
            })
            .collect::<Result<_, _>>()?
    };
    for (f, r) in layout.fields.iter_mut().zip(resolved) {
        f.formula = r;
    }
    Ok(())
}

/// Appends `a` as written on sheet `here`: `'Other sheet'!` before it when
/// it lies on another sheet.
fn push_addr(out: &mut String, sheet: &str, here: &str, a: impl FnOnce(&mut String)) {
    if sheet != here {
        push_quoted_sheet(out, sheet);
        out.push('!');
    }
    a(out);
}

/// Appends a sheet name as a formula writes it: quoted (`'MA Base'`) unless
/// it is a plain name of letters, digits and underscores not starting with a
/// digit.
fn push_quoted_sheet(out: &mut String, sheet: &str) {
    if is_plain_sheet(sheet) {
        out.push_str(sheet);
    } else {
        out.push('\'');
        out.push_str(&sheet.replace('\'', "''"));
        out.push('\'');
    }
}

fn is_plain_sheet(sheet: &str) -> bool {
    sheet
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && sheet.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn resolve(ctx: &Ctx<'_>, src: &str, here: &str, row_key: Option<&str>) -> Result<String, String> {
    let mut out = String::with_capacity(src.len() + 16);
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| "unclosed `{`".to_string())?;
        let inner = after[..close].trim();
        placeholder(&mut out, ctx, inner, here, row_key)?;
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("stray `}`".into());
    }
    out.push_str(rest);
    Ok(out)
}

fn row_of(ctx: &Ctx<'_>, t: &Table, key: &str) -> Option<u32> {
    ctx.rows.get(&(t.id.as_str(), key)).copied()
}

fn placeholder(
    out: &mut String,
    ctx: &Ctx<'_>,
    inner: &str,
    here: &str,
    row_key: Option<&str>,
) -> Result<(), String> {
    if let Some(&(sheet, cell)) = ctx.fields.get(inner) {
        push_addr(out, sheet, here, |o| cell.push_absolute(o));
        return Ok(());
    }
    if let Some((base, spec)) = inner.strip_suffix(']').and_then(|s| s.split_once('[')) {
        let (t, col) = ctx
            .columns
            .get(base)
            .ok_or_else(|| format!("`{{{inner}}}`: no table column `{base}`"))?;
        let (r1, r2) = if spec == "*" {
            let first = t.rows.first().ok_or("empty table")?.2;
            let last = t.rows.last().ok_or("empty table")?.2;
            (first, last)
        } else if let Some((a, b)) = spec.split_once(':') {
            let ra = row_of(ctx, t, a).ok_or_else(|| format!("`{{{inner}}}`: no row `{a}`"))?;
            let rb = row_of(ctx, t, b).ok_or_else(|| format!("`{{{inner}}}`: no row `{b}`"))?;
            if rb < ra {
                return Err(format!("`{{{inner}}}`: range runs backwards"));
            }
            (ra, rb)
        } else {
            return Err(format!("`{{{inner}}}`: no field with that id"));
        };
        push_addr(out, &t.sheet, here, |o| {
            CellRef::new(r1, *col).push_absolute(o);
            o.push(':');
            CellRef::new(r2, *col).push_absolute(o);
        });
        return Ok(());
    }
    if let Some((t, col)) = ctx.columns.get(inner) {
        let key = row_key.ok_or_else(|| {
            format!(
                "`{{{inner}}}` names a column; outside a table give a row, e.g. `{{{inner}[a]}}`"
            )
        })?;
        let r = row_of(ctx, t, key)
            .ok_or_else(|| format!("`{{{inner}}}`: table {} has no row `{key}`", t.id))?;
        push_addr(out, &t.sheet, here, |o| {
            CellRef::new(r, *col).push_absolute(o)
        });
        return Ok(());
    }
    Err(format!(
        "`{{{inner}}}`: no field or table column with that id"
    ))
}
