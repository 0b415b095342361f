//! Cell edits on one worksheet part, streamed: the XML is read once and
//! copied through; only the edited `<c>` elements (and the rows that gain a
//! cell) are written anew. Every other byte of the part is kept.

use super::xml::{self, Toks, esc, raw_attrs, start_tag, unesc};
use crate::cellref::CellRef;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

/// A cell value as stored in the sheet XML.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// No value.
    Empty,
    /// A number, as the exact decimal text written in `<v>`.
    Number(String),
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// An error value (`#DIV/0!`).
    Error(String),
    /// A shared-string index (resolved by the package before it is shown).
    #[serde(skip)]
    Shared(usize),
}

impl Scalar {
    /// A number from an exact decimal.
    pub fn number(d: Decimal) -> Scalar {
        Scalar::Number(d.normalize().to_string())
    }

    /// Whether two scalars hold the same value: numbers are equal when
    /// they are the same decimal (`10` and `10.0`) or the same binary
    /// double, which is all a spreadsheet keeps of a stored number (so a
    /// difference in the 20th digit is no change).
    pub fn same(&self, other: &Scalar) -> bool {
        match (self, other) {
            (Scalar::Number(a), Scalar::Number(b)) => {
                a == b
                    || match (parse_num(a), parse_num(b)) {
                        (Some(x), Some(y)) => x == y,
                        _ => false,
                    }
                    || match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                        (Ok(x), Ok(y)) => x == y,
                        _ => false,
                    }
            }
            (a, b) => a == b,
        }
    }

    /// The value shown in an edit list (`(blank)` for none).
    pub fn shown(&self) -> String {
        match self {
            Scalar::Empty => "(blank)".into(),
            Scalar::Number(n) => n.clone(),
            Scalar::Text(t) | Scalar::Error(t) => t.clone(),
            Scalar::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Scalar::Shared(i) => format!("(shared string {i})"),
        }
    }
}

fn parse_num(s: &str) -> Option<Decimal> {
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .ok()
}

/// What to do with a cell's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Keep the formula, set its cached result. A cell without a formula is
    /// left alone.
    Cached(Scalar),
    /// A constant (any formula removed). Text is written inline
    /// (`t="inlineStr"`), so the shared-string table is not touched.
    Value(Scalar),
    /// Remove the cell (content and style).
    Remove,
}

/// One cell's edit: its content, its style (a `cellXfs` index), or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CellEdit {
    /// New content, or `None` to keep it.
    pub content: Option<Content>,
    /// New style index, or `None` to keep it.
    pub style: Option<u32>,
}

/// A cell as it was before an edit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OldCell {
    /// Whether the cell element existed.
    pub existed: bool,
    /// Its formula text (`(shared)` for a shared-formula dependent).
    pub formula: Option<String>,
    /// Its value (the cached result of a formula).
    pub value: Option<Scalar>,
    /// Its style index (0 when absent).
    pub style: u32,
}

impl OldCell {
    /// The value, `Empty` when none.
    pub fn scalar(&self) -> Scalar {
        self.value.clone().unwrap_or(Scalar::Empty)
    }
}

/// The outcome of one cell's edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The cell.
    pub cell: CellRef,
    /// What it held.
    pub old: OldCell,
    /// Whether anything in the part changed for it.
    pub changed: bool,
}

/// A parsed `<c>` element.
struct CellXml {
    attrs: Vec<(String, String)>,
    /// Raw `<f>` element, if any.
    f_raw: Option<Vec<u8>>,
    /// Whether `<f>` is a shared-formula master (has `ref`).
    f_shared_master: bool,
    /// Raw other children (`extLst`), kept.
    rest: Vec<u8>,
    /// Everything between the start tag and `</c>`, as it was.
    inner: Vec<u8>,
    old: OldCell,
}

fn parse_cell(raw: &[u8], start: &BytesStart<'_>, empty: bool) -> Result<CellXml, String> {
    let attrs = raw_attrs(start);
    let t = xml::attr(start, "t").unwrap_or_default();
    let style = xml::attr(start, "s")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut c = CellXml {
        attrs,
        f_raw: None,
        f_shared_master: false,
        rest: Vec::new(),
        inner: Vec::new(),
        old: OldCell {
            existed: true,
            style,
            ..OldCell::default()
        },
    };
    if empty {
        return Ok(c);
    }
    let mut toks = Toks::new(raw);
    let open_end = toks.next_tok()?.map_or(0, |t| t.end); // <c>
    let close_c = raw.iter().rposition(|b| *b == b'<').unwrap_or(raw.len());
    c.inner = raw[open_end.min(close_c)..close_c].to_vec();
    let mut v_text: Option<String> = None;
    let mut is_text: Option<String> = None;
    while let Some(tok) = toks.next_tok()? {
        match &tok.ev {
            Event::Start(e) | Event::Empty(e) => {
                let is_empty = matches!(tok.ev, Event::Empty(_));
                let name = e.local_name().into_inner().as_bytes().to_vec();
                let end = if is_empty {
                    tok.end
                } else {
                    toks.skip_element()?
                };
                let close = if is_empty {
                    tok.end
                } else {
                    raw[..end].iter().rposition(|b| *b == b'<').unwrap_or(end)
                };
                match name.as_slice() {
                    b"f" => {
                        c.f_shared_master = xml::attr(e, "ref").is_some()
                            && xml::attr(e, "t").as_deref() == Some("shared");
                        let text = unesc(&raw[tok.end.min(close)..close]);
                        c.old.formula = Some(if text.is_empty() {
                            "(shared)".into()
                        } else {
                            text
                        });
                        c.f_raw = Some(raw[tok.start..end].to_vec());
                    }
                    b"v" => v_text = Some(unesc(&raw[tok.end.min(close)..close])),
                    b"is" => is_text = Some(xml::string_item_text(&raw[tok.start..end])?),
                    _ => c.rest.extend_from_slice(&raw[tok.start..end]),
                }
            }
            _ => {}
        }
    }
    c.old.value = match (t.as_str(), v_text, is_text) {
        ("inlineStr", _, Some(s)) => Some(Scalar::Text(s)),
        (_, None, _) => None,
        ("s", Some(v), _) => Some(match v.trim().parse() {
            Ok(i) => Scalar::Shared(i),
            Err(_) => Scalar::Text(v),
        }),
        ("str" | "inlineStr" | "d", Some(v), _) => Some(Scalar::Text(v)),
        ("b", Some(v), _) => Some(Scalar::Bool(v.trim() == "1")),
        ("e", Some(v), _) => Some(Scalar::Error(v)),
        (_, Some(v), _) => Some(Scalar::Number(v)),
    };
    Ok(c)
}

/// The `<v>`/`<is>` children and `t` for a value.
fn value_xml(v: &Scalar, inline: bool) -> (Option<&'static str>, String) {
    match v {
        Scalar::Empty => (None, String::new()),
        Scalar::Number(n) => (None, format!("<v>{}</v>", esc(n))),
        Scalar::Text(s) if inline => (
            Some("inlineStr"),
            format!("<is><t xml:space=\"preserve\">{}</t></is>", esc(s)),
        ),
        Scalar::Text(s) => (Some("str"), format!("<v>{}</v>", esc(s))),
        Scalar::Bool(b) => (Some("b"), format!("<v>{}</v>", u8::from(*b))),
        Scalar::Error(e) => (Some("e"), format!("<v>{}</v>", esc(e))),
        Scalar::Shared(i) => (Some("s"), format!("<v>{i}</v>")),
    }
}

fn cell_xml(
    mut attrs: Vec<(String, String)>,
    t: Option<&str>,
    style: Option<u32>,
    inner: &[u8],
) -> Vec<u8> {
    attrs.retain(|(k, _)| k != "t");
    if let Some(s) = style {
        if s == 0 {
            attrs.retain(|(k, _)| k != "s");
        } else {
            xml::set_attr(&mut attrs, "s", &s.to_string());
        }
    }
    if let Some(t) = t {
        attrs.push(("t".into(), t.into()));
    }
    if inner.is_empty() {
        return start_tag("c", &attrs, true).into_bytes();
    }
    let mut out = start_tag("c", &attrs, false).into_bytes();
    out.extend_from_slice(inner);
    out.extend_from_slice(b"</c>");
    out
}

/// The new XML of an existing cell, or `None` to drop it; `changed` says
/// whether it differs.
fn edit_existing(c: CellXml, e: &CellEdit) -> (Option<Vec<u8>>, bool) {
    let style_changed = e.style.is_some_and(|s| s != c.old.style);
    let old_v = c.old.scalar();
    match &e.content {
        Some(Content::Remove) => (None, true),
        Some(Content::Cached(v)) if c.f_raw.is_some() => {
            if old_v.same(v) && !style_changed {
                return (None, false);
            }
            let (t, vx) = value_xml(v, false);
            let mut inner = c.f_raw.clone().unwrap_or_default();
            inner.extend_from_slice(vx.as_bytes());
            inner.extend_from_slice(&c.rest);
            (Some(cell_xml(c.attrs, t, e.style, &inner)), true)
        }
        Some(Content::Value(v)) => {
            if c.f_raw.is_none() && old_v.same(v) && !style_changed {
                return (None, false);
            }
            let (t, vx) = value_xml(v, true);
            let mut inner = vx.into_bytes();
            inner.extend_from_slice(&c.rest);
            (Some(cell_xml(c.attrs, t, e.style, &inner)), true)
        }
        // Style only (or a cached value for a cell without a formula).
        _ => {
            if !style_changed {
                return (None, false);
            }
            // Keep every child as it was; only the start tag changes.
            let t = c.attrs.iter().find(|(k, _)| k == "t").map(|a| a.1.clone());
            let inner = c.inner.clone();
            (Some(cell_xml(c.attrs, t.as_deref(), e.style, &inner)), true)
        }
    }
}

/// XML for a cell that does not exist yet, or `None` when the edit adds
/// nothing (a cached value or removal of a missing cell).
fn new_cell(cell: CellRef, e: &CellEdit) -> Option<Vec<u8>> {
    let attrs = vec![("r".to_string(), cell.to_string())];
    match &e.content {
        Some(Content::Value(v)) => {
            let (t, vx) = value_xml(v, true);
            if vx.is_empty() && e.style.is_none_or(|s| s == 0) {
                return None;
            }
            Some(cell_xml(attrs, t, e.style, vx.as_bytes()))
        }
        Some(Content::Cached(_)) | Some(Content::Remove) => None,
        None => e
            .style
            .filter(|s| *s != 0)
            .map(|s| cell_xml(attrs, None, Some(s), b"")),
    }
}

fn row_number(e: &BytesStart<'_>, prev: u32) -> u32 {
    xml::attr(e, "r")
        .and_then(|r| r.trim().parse::<u32>().ok())
        .filter(|r| *r >= 1)
        .map_or(prev.wrapping_add(1), |r| r - 1)
}

fn cell_ref(e: &BytesStart<'_>, row: u32, prev: Option<u16>) -> Result<CellRef, String> {
    match xml::attr(e, "r") {
        Some(r) => CellRef::parse(&r).ok_or_else(|| format!("bad cell reference `{r}`")),
        None => Ok(CellRef::new(row, prev.map_or(0, |c| c.saturating_add(1)))),
    }
}

/// Applies `edits` to the worksheet XML; every cell in `clear_rows`
/// (zero-based inclusive ranges) is removed too, and so is every merged
/// range and data-validation range wholly inside them (one partly outside
/// stays). Returns the new XML and
/// what each edited cell held.
pub(crate) fn edit_sheet(
    xml: &[u8],
    edits: &BTreeMap<CellRef, CellEdit>,
    clear_rows: &[(u32, u32)],
) -> Result<(Vec<u8>, Vec<Applied>), String> {
    let cleared = |row: u32| clear_rows.iter().any(|(a, b)| (*a..=*b).contains(&row));
    let remove = CellEdit {
        content: Some(Content::Remove),
        style: None,
    };
    let mut pending: BTreeMap<u32, BTreeMap<u16, &CellEdit>> = BTreeMap::new();
    for (c, e) in edits {
        pending.entry(c.row).or_default().insert(c.col, e);
    }
    let mut out: Vec<u8> = Vec::with_capacity(xml.len() + 1024);
    let mut copied = 0usize;
    let mut applied = Vec::new();
    let mut toks = Toks::new(xml);
    let mut in_data = false;
    let mut row: Option<u32> = None;
    let mut prev_row: u32 = u32::MAX; // so the first implicit row is 0
    let mut prev_col: Option<u16> = None;
    let mut row_ops: BTreeMap<u16, &CellEdit> = BTreeMap::new();
    let mut saw_data = false;
    let shared = shared_groups(xml)?;
    let dropped = |c: CellRef| cleared(c.row) || edits.get(&c).is_some_and(op_drops_formula);
    let mut block: Option<Block> = None;

    // New rows (with their new cells) for every pending row before `limit`.
    let new_rows = |pending: &mut BTreeMap<u32, BTreeMap<u16, &CellEdit>>,
                    limit: Option<u32>,
                    applied: &mut Vec<Applied>|
     -> Vec<u8> {
        let mut s = Vec::new();
        let keys: Vec<u32> = pending
            .keys()
            .copied()
            .filter(|r| limit.is_none_or(|l| *r < l))
            .collect();
        for r in keys {
            let ops = pending.remove(&r).unwrap_or_default();
            let mut cells = Vec::new();
            for (col, e) in ops {
                let cell = CellRef::new(r, col);
                let x = new_cell(cell, e);
                applied.push(Applied {
                    cell,
                    old: OldCell::default(),
                    changed: x.is_some(),
                });
                if let Some(x) = x {
                    cells.extend(x);
                }
            }
            if !cells.is_empty() {
                s.extend(format!("<row r=\"{}\">", r + 1).into_bytes());
                s.extend(cells);
                s.extend_from_slice(b"</row>");
            }
        }
        s
    };
    let new_cells = |ops: &mut BTreeMap<u16, &CellEdit>,
                     row: u32,
                     limit: Option<u16>,
                     applied: &mut Vec<Applied>|
     -> Vec<u8> {
        let mut s = Vec::new();
        let cols: Vec<u16> = ops
            .keys()
            .copied()
            .filter(|c| limit.is_none_or(|l| *c < l))
            .collect();
        for col in cols {
            let Some(e) = ops.remove(&col) else { continue };
            let cell = CellRef::new(row, col);
            let x = new_cell(cell, e);
            applied.push(Applied {
                cell,
                old: OldCell::default(),
                changed: x.is_some(),
            });
            if let Some(x) = x {
                s.extend(x);
            }
        }
        s
    };

    while let Some(t) = toks.next_tok()? {
        let (e, empty) = match &t.ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        let name = match &t.ev {
            Event::End(x) => x.local_name().into_inner().as_bytes().to_vec(),
            _ => e.as_ref().map(xml::local).unwrap_or_default(),
        };
        match (&t.ev, name.as_slice()) {
            (Event::Start(_), b"sheetData") => {
                in_data = true;
                saw_data = true;
            }
            (Event::Empty(_), b"sheetData") => {
                saw_data = true;
                out.extend_from_slice(&xml[copied..t.start]);
                let raw = &xml[t.start..t.end];
                let open = raw.strip_suffix(b"/>").unwrap_or(raw);
                out.extend_from_slice(open.trim_ascii_end());
                out.push(b'>');
                out.extend(new_rows(&mut pending, None, &mut applied));
                out.extend_from_slice(b"</sheetData>");
                copied = t.end;
            }
            (Event::End(_), b"sheetData") => {
                in_data = false;
                out.extend_from_slice(&xml[copied..t.start]);
                out.extend(new_rows(&mut pending, None, &mut applied));
                copied = t.start;
            }
            (Event::Start(_) | Event::Empty(_), b"row") if in_data && row.is_none() => {
                let e = e.as_ref().ok_or("row")?;
                let r = row_number(e, prev_row);
                prev_row = r;
                out.extend_from_slice(&xml[copied..t.start]);
                out.extend(new_rows(&mut pending, Some(r), &mut applied));
                copied = t.start;
                row_ops = pending.remove(&r).unwrap_or_default();
                prev_col = None;
                if empty {
                    if !row_ops.is_empty() {
                        let cells = new_cells(&mut row_ops, r, None, &mut applied);
                        if !cells.is_empty() {
                            let raw = &xml[t.start..t.end];
                            let open = raw.strip_suffix(b"/>").unwrap_or(raw);
                            out.extend_from_slice(open.trim_ascii_end());
                            out.push(b'>');
                            out.extend(cells);
                            out.extend_from_slice(b"</row>");
                            copied = t.end;
                        }
                    }
                } else {
                    row = Some(r);
                }
            }
            (Event::End(_), b"row") if in_data => {
                if let Some(r) = row.take()
                    && !row_ops.is_empty()
                {
                    out.extend_from_slice(&xml[copied..t.start]);
                    out.extend(new_cells(&mut row_ops, r, None, &mut applied));
                    copied = t.start;
                }
            }
            // Merged ranges and validations wholly inside cleared rows go
            // with the rows' cells (a removed section leaves no empty
            // merged heading, no prompt on a deleted field).
            (Event::Start(_), b"mergeCells" | b"dataValidations")
                if !in_data && !clear_rows.is_empty() && block.is_none() =>
            {
                let e = e.as_ref().ok_or("block")?;
                block = Some(Block {
                    start: t.start,
                    attrs: raw_attrs(e),
                    name: String::from_utf8_lossy(&name).into_owned(),
                    kept: Vec::new(),
                    count: 0,
                    dropped: false,
                });
            }
            (Event::Start(_) | Event::Empty(_), b"mergeCell" | b"dataValidation")
                if block.is_some() =>
            {
                let e = e.as_ref().ok_or("block item")?;
                let end = if empty { t.end } else { toks.skip_element()? };
                let key = if name.as_slice() == b"mergeCell" {
                    "ref"
                } else {
                    "sqref"
                };
                let refs = xml::attr(e, key).unwrap_or_default();
                let (keep, gone): (Vec<&str>, Vec<&str>) = refs
                    .split_ascii_whitespace()
                    .partition(|r| !within(r, clear_rows));
                if let Some(b) = block.as_mut() {
                    if gone.is_empty() {
                        b.kept.extend_from_slice(&xml[t.start..end]);
                        b.count = b.count.saturating_add(1);
                    } else {
                        b.dropped = true;
                        if !keep.is_empty() {
                            let mut attrs = raw_attrs(e);
                            xml::set_attr(&mut attrs, key, &esc(&keep.join(" ")));
                            let local = String::from_utf8_lossy(&name).into_owned();
                            let tag = raw_tag_name(&xml[t.start..t.end]).unwrap_or(local);
                            b.kept.extend(start_tag(&tag, &attrs, empty).into_bytes());
                            b.kept.extend_from_slice(&xml[t.end..end]);
                            b.count = b.count.saturating_add(1);
                        }
                    }
                }
            }
            (Event::End(_), b"mergeCells" | b"dataValidations") if block.is_some() => {
                if let Some(b) = block.take()
                    && b.dropped
                {
                    out.extend_from_slice(&xml[copied..b.start]);
                    if b.count > 0 {
                        let mut attrs = b.attrs;
                        if attrs.iter().any(|(k, _)| k == "count") {
                            xml::set_attr(&mut attrs, "count", &b.count.to_string());
                        }
                        let tag = raw_tag_name(&xml[b.start..]).unwrap_or(b.name);
                        out.extend(start_tag(&tag, &attrs, false).into_bytes());
                        out.extend(b.kept);
                        out.extend(format!("</{tag}>").into_bytes());
                    }
                    copied = t.end;
                }
            }
            (Event::Start(_) | Event::Empty(_), b"c") if row.is_some() => {
                let r = row.unwrap_or(0);
                let e = e.as_ref().ok_or("c")?;
                let cell = cell_ref(e, r, prev_col)?;
                if cell.row != r {
                    return Err(format!("cell {cell} is in row {}", r + 1));
                }
                prev_col = Some(cell.col);
                let cell_end = if empty { t.end } else { toks.skip_element()? };
                if row_ops.keys().next().is_some_and(|c| *c < cell.col) {
                    out.extend_from_slice(&xml[copied..t.start]);
                    out.extend(new_cells(&mut row_ops, r, Some(cell.col), &mut applied));
                    copied = t.start;
                }
                let op =
                    row_ops
                        .remove(&cell.col)
                        .or(if cleared(r) { Some(&remove) } else { None });
                if let Some(op) = op {
                    let c = parse_cell(&xml[t.start..cell_end], e, empty)?;
                    if c.f_shared_master
                        && op_drops_formula(op)
                        && shared
                            .iter()
                            .find(|g| g.contains(&cell))
                            .is_some_and(|g| g.iter().any(|d| !dropped(*d)))
                    {
                        return Err(format!(
                            "cell {cell} holds a shared formula that other cells use and keep; it cannot be replaced alone"
                        ));
                    }
                    let old = c.old.clone();
                    let (new, changed) = edit_existing(c, op);
                    if changed {
                        out.extend_from_slice(&xml[copied..t.start]);
                        if let Some(n) = new {
                            out.extend(n);
                        }
                        copied = cell_end;
                    }
                    applied.push(Applied { cell, old, changed });
                }
            }
            _ => {}
        }
    }
    if !saw_data {
        return Err("the worksheet has no <sheetData>".into());
    }
    out.extend_from_slice(&xml[copied..]);
    applied.sort_by_key(|a| a.cell);
    Ok((out, applied))
}

/// A `<mergeCells>` or `<dataValidations>` element being filtered: its
/// start, attributes, the items kept and whether any was dropped.
struct Block {
    start: usize,
    attrs: Vec<(String, String)>,
    name: String,
    kept: Vec<u8>,
    count: usize,
    dropped: bool,
}

/// The tag name (with any prefix) of the start tag at the head of `raw`.
fn raw_tag_name(raw: &[u8]) -> Option<String> {
    let rest = raw.strip_prefix(b"<")?;
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Whether the range `r` (`B63:R63`, `C65`) lies wholly inside the rows
/// `clear_rows` (zero-based inclusive ranges) cover; a range that does not
/// parse is kept.
fn within(r: &str, clear_rows: &[(u32, u32)]) -> bool {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    let (Some(a), Some(b)) = (CellRef::parse(a), CellRef::parse(b)) else {
        return false;
    };
    let (first, last) = (a.row.min(b.row), a.row.max(b.row));
    let mut row = first;
    loop {
        let Some(&(_, end)) = clear_rows.iter().find(|(x, y)| (*x..=*y).contains(&row)) else {
            return false;
        };
        if end >= last {
            return true;
        }
        row = end.saturating_add(1);
    }
}

/// The cells of each shared-formula group (`<f t="shared" si=…>`).
fn shared_groups(xml: &[u8]) -> Result<Vec<Vec<CellRef>>, String> {
    if !xml.windows(8).any(|w| w == b"\"shared\"") {
        return Ok(Vec::new());
    }
    let mut groups: BTreeMap<String, Vec<CellRef>> = BTreeMap::new();
    let mut toks = Toks::new(xml);
    let mut row: u32 = u32::MAX;
    let mut prev_col: Option<u16> = None;
    let mut cell: Option<CellRef> = None;
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev {
            match e.local_name().into_inner().as_bytes() {
                b"row" => {
                    row = row_number(e, row);
                    prev_col = None;
                }
                b"c" => {
                    let c = cell_ref(e, row, prev_col)?;
                    prev_col = Some(c.col);
                    cell = Some(c);
                }
                b"f" if xml::attr(e, "t").as_deref() == Some("shared") => {
                    if let (Some(si), Some(c)) = (xml::attr(e, "si"), cell) {
                        groups.entry(si).or_default().push(c);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(groups.into_values().collect())
}

fn op_drops_formula(e: &CellEdit) -> bool {
    matches!(e.content, Some(Content::Value(_)) | Some(Content::Remove))
}

/// The style index of each cell in `cells` (0 for a missing cell).
pub(crate) fn cell_styles(xml: &[u8], cells: &[CellRef]) -> Result<BTreeMap<CellRef, u32>, String> {
    let mut want: BTreeMap<CellRef, u32> = cells.iter().map(|c| (*c, 0)).collect();
    let mut toks = Toks::new(xml);
    let mut row: u32 = u32::MAX;
    let mut prev_col: Option<u16> = None;
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev {
            match e.local_name().into_inner().as_bytes() {
                b"row" => {
                    row = row_number(e, row);
                    prev_col = None;
                }
                b"c" => {
                    let c = cell_ref(e, row, prev_col)?;
                    prev_col = Some(c.col);
                    if let Some(s) = want.get_mut(&c) {
                        *s = xml::attr(e, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(want)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> CellRef {
        CellRef::parse(s).unwrap()
    }

    const SHEET: &str = r#"<?xml version="1.0"?><worksheet xmlns="m"><sheetData><row r="2" spans="1:3" ht="20"><c r="A2" s="3"><f>B2*2</f><v>4</v></c><c r="C2" t="s"><v>0</v></c></row><row r="5"><c r="B5" s="1" t="inlineStr"><is><t>old</t></is></c></row><row r="7" ht="9"/></sheetData><mergeCells count="1"><mergeCell ref="A9:B9"/></mergeCells></worksheet>"#;

    fn edit(edits: &[(&str, CellEdit)], clear: &[(u32, u32)]) -> (String, Vec<Applied>) {
        let m: BTreeMap<CellRef, CellEdit> = edits.iter().map(|(k, e)| (c(k), e.clone())).collect();
        let (x, a) = edit_sheet(SHEET.as_bytes(), &m, clear).unwrap();
        (String::from_utf8(x).unwrap(), a)
    }

    fn content(c: Content) -> CellEdit {
        CellEdit {
            content: Some(c),
            style: None,
        }
    }

    #[test]
    fn sets_a_cached_value_and_keeps_the_formula_and_style() {
        let (x, a) = edit(
            &[("A2", content(Content::Cached(Scalar::Number("4.5".into()))))],
            &[],
        );
        assert_eq!(
            x,
            SHEET.replace(
                r#"<c r="A2" s="3"><f>B2*2</f><v>4</v></c>"#,
                r#"<c r="A2" s="3"><f>B2*2</f><v>4.5</v></c>"#
            )
        );
        assert_eq!(a[0].old.formula.as_deref(), Some("B2*2"));
        assert_eq!(a[0].old.value, Some(Scalar::Number("4".into())));
        assert!(a[0].changed);
    }

    #[test]
    fn an_equal_value_is_no_change() {
        let (x, a) = edit(
            &[(
                "A2",
                content(Content::Cached(Scalar::Number("4.000".into()))),
            )],
            &[],
        );
        assert_eq!(x, SHEET);
        assert!(!a[0].changed);
        // a cached value for a cell without a formula changes nothing
        let (x, a) = edit(
            &[("B5", content(Content::Cached(Scalar::Number("1".into()))))],
            &[],
        );
        assert_eq!(x, SHEET);
        assert!(!a[0].changed);
    }

    #[test]
    fn text_cached_results_are_str_and_constants_inline() {
        let (x, _) = edit(
            &[
                ("A2", content(Content::Cached(Scalar::Text("a&b".into())))),
                ("B5", content(Content::Value(Scalar::Text("new".into())))),
            ],
            &[],
        );
        assert!(
            x.contains(r#"<c r="A2" s="3" t="str"><f>B2*2</f><v>a&amp;b</v></c>"#),
            "{x}"
        );
        assert!(
            x.contains(
                r#"<c r="B5" s="1" t="inlineStr"><is><t xml:space="preserve">new</t></is></c>"#
            ),
            "{x}"
        );
    }

    #[test]
    fn a_value_replaces_the_formula() {
        let (x, a) = edit(
            &[("A2", content(Content::Value(Scalar::Number("4".into()))))],
            &[],
        );
        assert!(x.contains(r#"<c r="A2" s="3"><v>4</v></c>"#), "{x}");
        assert!(a[0].changed, "the formula went, so it changed");
    }

    #[test]
    fn inserts_cells_and_rows_in_order() {
        let (x, a) = edit(
            &[
                ("B2", content(Content::Value(Scalar::Number("1".into())))),
                ("D2", content(Content::Value(Scalar::Number("2".into())))),
                ("A1", content(Content::Value(Scalar::Text("t".into())))),
                ("A7", content(Content::Value(Scalar::Number("3".into())))),
                ("A9", content(Content::Value(Scalar::Number("9".into())))),
            ],
            &[],
        );
        assert!(x.contains(r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">t</t></is></c></row><row r="2""#), "{x}");
        assert!(x.contains(r#"<v>4</v></c><c r="B2"><v>1</v></c><c r="C2" t="s"><v>0</v></c><c r="D2"><v>2</v></c></row>"#), "{x}");
        assert!(
            x.contains(r#"<row r="7" ht="9"><c r="A7"><v>3</v></c></row>"#),
            "{x}"
        );
        assert!(
            x.contains(r#"<row r="9"><c r="A9"><v>9</v></c></row></sheetData>"#),
            "{x}"
        );
        assert_eq!(a.len(), 5);
        assert!(a.iter().all(|a| a.changed && !a.old.existed));
    }

    #[test]
    fn style_only_keeps_content() {
        let (x, a) = edit(
            &[(
                "C2",
                CellEdit {
                    content: None,
                    style: Some(7),
                },
            )],
            &[],
        );
        assert!(x.contains(r#"<c r="C2" s="7" t="s"><v>0</v></c>"#), "{x}");
        assert_eq!(a[0].old.value, Some(Scalar::Shared(0)));
    }

    #[test]
    fn clears_rows_and_removes_cells() {
        let (x, a) = edit(&[("C2", content(Content::Remove))], &[(4, 4)]);
        assert!(x.contains(r#"<v>4</v></c></row><row r="5"></row>"#), "{x}");
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].old.value, Some(Scalar::Text("old".into())));
    }

    #[test]
    fn drops_merges_and_validations_wholly_inside_cleared_rows() {
        let x = r#"<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><t>SECTION V</t></is></c></row><row r="4"><c r="C4"><v>1</v></c></row></sheetData><mergeCells count="3"><mergeCell ref="B1:R1"/><mergeCell ref="B3:R3"/><mergeCell ref="B2:C3"/></mergeCells><dataValidations count="2"><dataValidation type="textLength" sqref="C4:C5 D9"><formula1>0</formula1></dataValidation><dataValidation sqref="C3:C4"/></dataValidations><pageMargins/></worksheet>"#;
        let (out, a) = edit_sheet(x.as_bytes(), &BTreeMap::new(), &[(2, 4)]).unwrap();
        let out = String::from_utf8(out).unwrap();
        // B3:R3 lies in the cleared rows; B1:R1 outside and B2:C3 only partly.
        assert!(
            out.contains(r#"<mergeCells count="2"><mergeCell ref="B1:R1"/><mergeCell ref="B2:C3"/></mergeCells>"#),
            "{out}"
        );
        // C4:C5 goes, D9 stays; C3:C4 goes whole.
        assert!(
            out.contains(r#"<dataValidations count="1"><dataValidation type="textLength" sqref="D9"><formula1>0</formula1></dataValidation></dataValidations><pageMargins/>"#),
            "{out}"
        );
        assert_eq!(a.len(), 2);
        // Every merge inside: the element goes (an empty one is not valid).
        let y = r#"<worksheet><sheetData><row r="3"><c r="B3"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="B3:R3"/></mergeCells><pageMargins/></worksheet>"#;
        let (out, _) = edit_sheet(y.as_bytes(), &BTreeMap::new(), &[(0, 1), (2, 2)]).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("</sheetData><pageMargins/>"), "{out}");
        // Nothing cleared: the part is copied byte for byte.
        let (out, _) = edit_sheet(y.as_bytes(), &BTreeMap::new(), &[(5, 9)]).unwrap();
        assert_eq!(out, y.as_bytes());
        assert!(within("B3:R5", &[(2, 2), (3, 4)]));
        assert!(!within("B3:R6", &[(2, 2), (3, 4)]));
        assert!(!within("A:A", &[(0, 9)]));
    }

    #[test]
    fn refuses_to_drop_a_shared_formula_master() {
        let x = r#"<worksheet><sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>1</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/><v>1</v></c></row></sheetData></worksheet>"#;
        let mut m = BTreeMap::new();
        m.insert(c("A1"), content(Content::Value(Scalar::Number("1".into()))));
        assert!(edit_sheet(x.as_bytes(), &m, &[]).is_err());
        // ...unless the whole group goes
        m.insert(c("A2"), content(Content::Value(Scalar::Number("1".into()))));
        assert!(edit_sheet(x.as_bytes(), &m, &[]).is_ok());
        // the cached value of a dependent can be set
        let mut m = BTreeMap::new();
        m.insert(
            c("A2"),
            content(Content::Cached(Scalar::Number("2".into()))),
        );
        let (out, a) = edit_sheet(x.as_bytes(), &m, &[]).unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains(r#"<c r="A2"><f t="shared" si="0"/><v>2</v></c>"#)
        );
        assert_eq!(a[0].old.formula.as_deref(), Some("(shared)"));
    }

    #[test]
    fn reads_styles() {
        let s = cell_styles(SHEET.as_bytes(), &[c("A2"), c("B5"), c("Z9")]).unwrap();
        assert_eq!((s[&c("A2")], s[&c("B5")], s[&c("Z9")]), (3, 1, 0));
    }
}
