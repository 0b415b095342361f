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

fn addr(sheet: &str, here: &str, a: String) -> String {
    if sheet == here {
        a
    } else {
        format!("{}!{a}", quote_sheet(sheet))
    }
}

/// A sheet name as a formula writes it: quoted (`'MA Base'`) unless it is
/// a plain name of letters, digits and underscores not starting with a digit.
pub(crate) fn quote_sheet(sheet: &str) -> String {
    let plain = sheet
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && sheet.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

fn resolve(ctx: &Ctx<'_>, src: &str, here: &str, row_key: Option<&str>) -> Result<String, String> {
    let mut out = String::with_capacity(src.len() + 16);
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| "unclosed `{`".to_string())?;
        let inner = after[..close].trim();
        out.push_str(&placeholder(ctx, inner, here, row_key)?);
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
    ctx: &Ctx<'_>,
    inner: &str,
    here: &str,
    row_key: Option<&str>,
) -> Result<String, String> {
    if let Some(&(sheet, cell)) = ctx.fields.get(inner) {
        return Ok(addr(sheet, here, cell.absolute()));
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
        let a = CellRef::new(r1, *col).absolute();
        let b = CellRef::new(r2, *col).absolute();
        return Ok(addr(&t.sheet, here, format!("{a}:{b}")));
    }
    if let Some((t, col)) = ctx.columns.get(inner) {
        let key = row_key.ok_or_else(|| {
            format!(
                "`{{{inner}}}` names a column; outside a table give a row, e.g. `{{{inner}[a]}}`"
            )
        })?;
        let r = row_of(ctx, t, key)
            .ok_or_else(|| format!("`{{{inner}}}`: table {} has no row `{key}`", t.id))?;
        return Ok(addr(&t.sheet, here, CellRef::new(r, *col).absolute()));
    }
    Err(format!(
        "`{{{inner}}}`: no field or table column with that id"
    ))
}
