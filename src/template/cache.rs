//! The user's cache of the shipped templates, resolved and compiled.
//!
//! Resolving a shipped template from its TOML (24,086 fields for the MA
//! form) and compiling its [`Form`] (6,337 formulas) was most of what a
//! one-shot `bpt validate` cost. So the first process that does both writes
//! the result to `$XDG_CACHE_HOME/bpt/` (`~/.cache/bpt/` when that is not
//! set), and later processes read it back instead:
//! `<template id>-<key>.bin`, where the key is a hash of the `bpt` version,
//! the template's TOML text and the source code that decides what a
//! resolved template and a compiled form hold (the files of
//! `src/template/` and `src/form/` that build them, and `Cargo.lock`). A
//! change to any of them is a new key, so a cache is never used by a build
//! it was not written for; the file of an older key is removed when a new
//! one is written.
//!
//! The cache can only make a command faster, never change what it does:
//!
//! * a file that is missing, unreadable, larger than 256 MiB, not a regular
//!   file, writable by others or owned by another user, of another key or
//!   whose checksum (CRC-32 of its contents) does not match is ignored and
//!   the template built from its TOML, as is one that does not decode or
//!   whose contents fail a check (every field id of a formula in range,
//!   [`crate::form::snapshot`]);
//! * writing it is best effort (any failure is silent), atomic (a
//!   temporary file renamed, [`crate::writer::save_atomic`]), and only into
//!   that directory, created private to the user;
//! * it is written only when the template's `[form]` head alone gives the
//!   same identity and family facts as the whole file (those two are read
//!   from the head when the cache is used).
//!
//! `BPT_NO_CACHE=1` turns it off. Overlays and template files given by
//! path are always resolved from their text.

use super::{
    BUILTIN, BUILTIN_LAYOUTS, Checks, Field, FormInfo, Kind, Layout, Role, Sheet, Table, TablePos,
    Text, facts, schema,
};
use crate::cellref::CellRef;
use crate::form::Form;
use crate::form::snapshot::{Reader, Writer};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

/// The first bytes of a cache file (the format's version).
const MAGIC: &[u8; 8] = b"bpt-tpl2";

/// Largest cache file read.
const MAX_BYTES: u64 = 256 << 20;

/// The source files whose code decides what a cache file holds: any change
/// to one of them is a new key.
const SOURCES: &[&str] = &[
    include_str!("mod.rs"),
    include_str!("cache.rs"),
    include_str!("facts.rs"),
    include_str!("formula.rs"),
    include_str!("schema.rs"),
    include_str!("../form/mod.rs"),
    include_str!("../form/parser.rs"),
    include_str!("../form/lexer.rs"),
    include_str!("../form/value.rs"),
    include_str!("../form/snapshot.rs"),
    include_str!("../cellref.rs"),
    include_str!("../../Cargo.lock"),
];

/// What the process knows about the cache of each shipped template.
enum State {
    /// Nothing (not asked for, or already dealt with).
    Idle,
    /// The layout was read from the cache; these bytes hold the compiled
    /// form from this offset.
    Loaded(Vec<u8>, usize),
    /// The layout was built from its TOML: the cache is written once the
    /// form is compiled.
    Built,
}

static STATE: [Mutex<State>; BUILTIN.len()] = [const { Mutex::new(State::Idle) }; BUILTIN.len()];

fn state(i: usize) -> std::sync::MutexGuard<'static, State> {
    STATE[i].lock().unwrap_or_else(|e| e.into_inner())
}

/// The cache directory, if there is one to use.
fn dir() -> Option<PathBuf> {
    if std::env::var_os("BPT_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    // The XDG base directory rule: a relative XDG_CACHE_HOME is ignored.
    let base = match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    base.is_absolute().then(|| base.join("bpt"))
}

/// The key of shipped template `i` for this build.
fn key(i: usize) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let (id, text) = BUILTIN[i];
    for part in [env!("CARGO_PKG_VERSION"), id, text]
        .iter()
        .chain(SOURCES.iter())
    {
        h.write_usize(part.len());
        h.write(part.as_bytes());
    }
    h.finish()
}

fn file_name(i: usize, key: u64) -> String {
    format!("{}-{key:016x}.bin", BUILTIN[i].0)
}

/// Whether a cache file or directory is the user's own and nobody else
/// can write it.
fn trusted(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The process's own user owns `/proc/self`.
        let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
        meta.mode() & 0o022 == 0 && me.is_none_or(|u| u == meta.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

fn trusted_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && trusted(&m))
}

/// Shipped template `i` from the cache, when it holds it for this build.
pub(super) fn load(i: usize) -> Option<Layout> {
    let dir = dir()?;
    let key = key(i);
    let path = dir.join(file_name(i, key));
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES || !trusted(&meta) || !trusted_dir(&dir) {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    let (layout_bytes, form_at) = contents(&bytes, key)?;
    let layout = decode_layout(layout_bytes, i)?;
    *state(i) = State::Loaded(bytes, form_at);
    Some(layout)
}

/// The layout bytes of a cache file and where its form bytes start, when
/// its head and checksum are right.
fn contents(bytes: &[u8], key: u64) -> Option<(&[u8], usize)> {
    let head = bytes.get(..28)?;
    let u64_at = |a: usize| head.get(a..a + 8)?.try_into().ok().map(u64::from_le_bytes);
    if head.get(..8)? != MAGIC || u64_at(8)? != key {
        return None;
    }
    let crc = u32::from_le_bytes(head.get(16..20)?.try_into().ok()?);
    let layout_len = usize::try_from(u64_at(20)?).ok()?;
    let payload = bytes.get(28..)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    let layout = payload.get(..layout_len)?;
    Some((layout, 28usize.checked_add(layout_len)?))
}

/// Notes that shipped template `i` was built from its TOML (the cache is
/// written once its form is compiled, [`compiled`]).
pub(super) fn built(i: usize) {
    *state(i) = State::Built;
}

/// Which shipped template `layout` is (the process's resolved one itself).
fn builtin_index(layout: &Layout) -> Option<usize> {
    (0..BUILTIN.len()).find(|&i| {
        BUILTIN_LAYOUTS[i]
            .get()
            .and_then(|r| r.as_ref().ok())
            .is_some_and(|l| std::ptr::eq(l, layout))
    })
}

/// The compiled form of a shipped template read from the cache (`None`
/// for any other layout, or when the cache's form does not decode: then
/// the cache is written again once the form is compiled).
pub(crate) fn form_of(layout: &Layout) -> Option<Form> {
    let i = builtin_index(layout)?;
    let mut st = state(i);
    // Only a read-back form is taken (a `Built` state stays for `compiled`).
    if !matches!(*st, State::Loaded(..)) {
        return None;
    }
    let State::Loaded(bytes, at) = std::mem::replace(&mut *st, State::Idle) else {
        return None;
    };
    let form = bytes
        .get(at..)
        .and_then(|b| crate::form::snapshot::decode(b, layout));
    if form.is_none() {
        *st = State::Built;
    }
    form
}

/// Writes the cache of a shipped template built from its TOML, now that
/// its form is compiled (nothing for any other layout).
pub(crate) fn compiled(layout: &Layout, form: &Form) {
    let Some(i) = builtin_index(layout) else {
        return;
    };
    if !matches!(std::mem::replace(&mut *state(i), State::Idle), State::Built) {
        return;
    }
    let _ = store(i, layout, form);
}

fn store(i: usize, layout: &Layout, form: &Form) -> Option<()> {
    let dir = dir()?;
    let layout_bytes = encode_layout(layout, i)?;
    let form_bytes = crate::form::snapshot::encode(form)?;
    let mut payload = layout_bytes;
    let layout_len = payload.len() as u64;
    payload.extend_from_slice(&form_bytes);
    let key = key(i);
    let mut bytes = Vec::with_capacity(payload.len() + 28);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&key.to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&layout_len.to_le_bytes());
    bytes.extend_from_slice(&payload);
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).ok()?;
    if !trusted_dir(&dir) {
        return None;
    }
    let name = file_name(i, key);
    let guard = crate::writer::SaveGuard::new(true);
    crate::writer::save_atomic(&bytes, &dir.join(&name), &guard).ok()?;
    // The files of other keys of this template (older builds) go.
    let prefix = format!("{}-", BUILTIN[i].0);
    for entry in std::fs::read_dir(&dir).ok()?.flatten() {
        let n = entry.file_name();
        let Some(n) = n.to_str() else { continue };
        if n != name
            && n.strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(".bin"))
                .is_some_and(|k| k.len() == 16 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Some(())
}

/// The `[form]` head of shipped template `i`.
fn head(i: usize) -> Option<schema::FormSpec> {
    #[derive(Deserialize)]
    struct Head {
        form: schema::FormSpec,
    }
    toml::from_str::<Head>(super::form_head(BUILTIN[i].1))
        .ok()
        .map(|h| h.form)
}

#[derive(Serialize, Deserialize)]
struct LayoutSnap<'a> {
    sheets: Vec<SheetSnap>,
    tables: Vec<TableSnap>,
    /// Every distinct string of the fields, once, end to end: a field names
    /// its strings by their number ([`Str`]). The fields follow the
    /// snapshot, in this module's own encoding ([`write_field`]). One text is checked for UTF-8
    /// once, where a `String` per string was a check and a copy each (most
    /// of what reading the cache back cost, BENCHMARKS.md), and the strings
    /// many fields share (sheet, spec, format, note, formula source, table
    /// and column) are stored once.
    #[serde(borrow)]
    text: &'a str,
    /// Where each string ends in `text`.
    ends: Vec<u32>,
}

/// A string of [`LayoutSnap::text`], by number.
type Str = u32;

/// The strings of the fields being written, each once.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
    numbers: rustc_hash::FxHashMap<String, Str>,
}

impl Strings {
    fn of(&mut self, s: &str) -> Str {
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        self.text.push_str(s);
        let n = self.ends.len() as Str;
        // A text past 4 GiB would not fit the numbers: `encode_layout`
        // refuses it (`u32::try_from` of its length).
        self.ends.push(self.text.len() as u32);
        self.numbers.insert(s.to_owned(), n);
        n
    }
}

#[derive(Serialize, Deserialize)]
struct SheetSnap {
    name: String,
    title: String,
    freeze_rows: u32,
    freeze_cols: u16,
    widths: Vec<(u16, f64)>,
    /// Cell, text, style.
    texts: Vec<((u32, u16), String, String)>,
    tables: Vec<String>,
    print_columns: Option<(u16, u16)>,
}

#[derive(Serialize, Deserialize)]
struct TableSnap {
    id: String,
    label: String,
    line: String,
    sheet: String,
    header_row: Option<u32>,
    rows: Vec<(String, String, u32)>,
    totals: Vec<(String, String, u32)>,
    columns: Vec<(String, u16, String, String)>,
    key_col: Option<u16>,
    label_col: Option<u16>,
    row_identity: Option<String>,
}

/// The kinds and roles by their code in the encoding (one missing here is
/// a layout that is not cached, never a wrong one).
const KINDS: [Kind; 9] = [
    Kind::Text,
    Kind::Code,
    Kind::Choice,
    Kind::Integer,
    Kind::Decimal,
    Kind::Factor,
    Kind::Percent,
    Kind::Money,
    Kind::Date,
];
const ROLES: [Role; 4] = [Role::Input, Role::Cms, Role::Calc, Role::Default];

/// The bytes of a shipped template's layout, or `None` when its head does
/// not give the identity and facts the whole file gave (then the cache
/// could not give them back).
fn encode_layout(layout: &Layout, i: usize) -> Option<Vec<u8>> {
    let Layout {
        form,
        sheets,
        tables,
        fields,
        overlay,
        facts,
        index: _,
    } = layout;
    let spec = head(i)?;
    if overlay.is_some()
        || json(&FormInfo::of(&spec).ok()?) != json(form)
        || json(&facts::resolve(spec.facts.as_ref(), layout).ok()?) != json(facts)
    {
        return None;
    }
    let mut strings = Strings::default();
    let mut w = Writer::default();
    w.len(fields.len());
    for f in fields {
        write_field(&mut w, f, &mut strings)?;
    }
    u32::try_from(strings.text.len()).ok()?;
    let snap = LayoutSnap {
        sheets: sheets.iter().map(sheet_snap).collect(),
        tables: tables.values().map(table_snap).collect(),
        text: &strings.text,
        ends: strings.ends,
    };
    let mut bytes = postcard::to_allocvec(&snap).ok()?;
    bytes.extend_from_slice(&w.0);
    Some(bytes)
}

/// A value's JSON form, to compare two.
fn json<T: Serialize>(t: &T) -> Option<String> {
    serde_json::to_string(t).ok()
}

fn sheet_snap(s: &Sheet) -> SheetSnap {
    let Sheet {
        name,
        title,
        freeze_rows,
        freeze_cols,
        widths,
        texts,
        tables,
        print_columns,
    } = s;
    SheetSnap {
        name: name.clone(),
        title: title.clone(),
        freeze_rows: *freeze_rows,
        freeze_cols: *freeze_cols,
        widths: widths.clone(),
        texts: texts
            .iter()
            .map(|Text { cell, text, style }| ((cell.row, cell.col), text.clone(), style.clone()))
            .collect(),
        tables: tables.clone(),
        print_columns: *print_columns,
    }
}

fn table_snap(t: &Table) -> TableSnap {
    let Table {
        id,
        label,
        line,
        sheet,
        header_row,
        rows,
        totals,
        columns,
        key_col,
        label_col,
        row_identity,
    } = t;
    TableSnap {
        id: id.clone(),
        label: label.clone(),
        line: line.clone(),
        sheet: sheet.clone(),
        header_row: *header_row,
        rows: rows.clone(),
        totals: totals.clone(),
        columns: columns.clone(),
        key_col: *key_col,
        label_col: *label_col,
        row_identity: row_identity.clone(),
    }
}

/// Flags of a field in the encoding.
const REQUIRED: u8 = 1;
const NONZERO: u8 = 2;
const IN_TABLE: u8 = 4;
const TOTAL: u8 = 8;

/// Writes a field: its strings by number (an optional one as 0 or its
/// number + 1), its kind and role by code.
fn write_field(w: &mut Writer, f: &Field, s: &mut Strings) -> Option<()> {
    let Field {
        id,
        sheet,
        cell,
        label,
        line,
        spec,
        kind,
        role,
        // Compiled again from its source.
        pattern: _,
        pattern_src,
        choices,
        min,
        max,
        format,
        value,
        formula_src,
        formula,
        required,
        name,
        note,
        table,
        checks,
    } = f;
    let Checks {
        by_plan_type,
        required_when,
        nonzero,
        nonzero_iff,
        positive_when_any,
    } = checks;
    for t in [id, sheet] {
        put(w, s, t);
    }
    w.var(cell.row.into());
    w.var(cell.col.into());
    for t in [label, line, spec, format] {
        put(w, s, t);
    }
    w.u8(u8::try_from(KINDS.iter().position(|k| k == kind)?).ok()?);
    w.u8(u8::try_from(ROLES.iter().position(|r| r == role)?).ok()?);
    let mut flags = 0;
    if *required {
        flags |= REQUIRED;
    }
    if *nonzero {
        flags |= NONZERO;
    }
    if let Some(t) = table {
        flags |= IN_TABLE;
        if t.total {
            flags |= TOTAL;
        }
    }
    w.u8(flags);
    let min = min.map(|d| d.to_string());
    let max = max.map(|d| d.to_string());
    for t in [
        pattern_src,
        &min,
        &max,
        value,
        formula_src,
        formula,
        name,
        note,
        required_when,
        nonzero_iff,
    ] {
        match t {
            None => w.var(0),
            Some(t) => w.var(u128::from(s.of(t)) + 1),
        }
    }
    if let Some(t) = table {
        for t in [&t.table, &t.column, &t.row] {
            put(w, s, t);
        }
    }
    for list in [choices, positive_when_any] {
        w.len(list.len());
        for t in list {
            put(w, s, t);
        }
    }
    w.len(by_plan_type.len());
    for (a, b) in by_plan_type {
        put(w, s, a);
        put(w, s, b);
    }
    Some(())
}

/// Writes a string by its number.
fn put(w: &mut Writer, s: &mut Strings, t: &str) {
    w.var(s.of(t).into());
}

/// A string of the layout (the empty one without a call to the allocator).
#[inline(always)]
fn own(t: &str) -> String {
    if t.is_empty() {
        String::new()
    } else {
        t.to_owned()
    }
}

/// The string of `strs` whose number is next in `r`, owned.
#[inline(always)]
fn string(r: &mut Reader<'_>, strs: &[&str]) -> Option<String> {
    Some(own(strs.get(r.index()?)?))
}

/// A field written by [`write_field`], its strings from `strs`.
fn read_field<'t>(
    r: &mut Reader<'_>,
    strs: &[&'t str],
    patterns: &mut rustc_hash::FxHashMap<&'t str, regex::Regex>,
) -> Option<Field> {
    let s = |r: &mut Reader<'_>| string(r, strs);
    let list = |r: &mut Reader<'_>| -> Option<Vec<String>> {
        match r.count()? {
            0 => Some(Vec::new()),
            k => (0..k).map(|_| s(r)).collect(),
        }
    };
    let id = s(r)?;
    let sheet = s(r)?;
    let cell = CellRef::new(r.u32()?, u16::try_from(r.var()?).ok()?);
    let label = s(r)?;
    let line = s(r)?;
    let spec = s(r)?;
    let format = s(r)?;
    let kind = *KINDS.get(usize::from(r.u8()?))?;
    let role = *ROLES.get(usize::from(r.u8()?))?;
    let flags = r.u8()?;
    if flags & !(REQUIRED | NONZERO | IN_TABLE | TOTAL) != 0 {
        return None;
    }
    let mut opt = [None::<&'t str>; 10];
    for o in &mut opt {
        *o = match r.index()? {
            0 => None,
            k => Some(*strs.get(k - 1)?),
        };
    }
    let [
        pattern_src,
        min,
        max,
        value,
        formula_src,
        formula,
        name,
        note,
        required_when,
        nonzero_iff,
    ] = opt;
    let pattern = match pattern_src {
        None => None,
        Some(p) => match patterns.get(p) {
            Some(r) => Some(r.clone()),
            None => {
                let re = regex::Regex::new(p).ok()?;
                patterns.insert(p, re.clone());
                Some(re)
            }
        },
    };
    let dec = |t: Option<&str>| -> Option<Option<Decimal>> {
        t.map(|t| Decimal::from_str(t).ok())
            .map_or(Some(None), |d| d.map(Some))
    };
    let table = if flags & IN_TABLE != 0 {
        Some(TablePos {
            table: s(r)?,
            column: s(r)?,
            row: s(r)?,
            total: flags & TOTAL != 0,
        })
    } else if flags & TOTAL != 0 {
        return None;
    } else {
        None
    };
    let choices = list(r)?;
    let positive_when_any = list(r)?;
    let by_plan_type = match r.count()? {
        0 => Vec::new(),
        k => (0..k)
            .map(|_| Some((s(r)?, s(r)?)))
            .collect::<Option<_>>()?,
    };
    let own_opt = |t: Option<&str>| t.map(own);
    Some(Field {
        id,
        sheet,
        cell,
        label,
        line,
        spec,
        kind,
        role,
        pattern,
        pattern_src: own_opt(pattern_src),
        choices,
        min: dec(min)?,
        max: dec(max)?,
        format,
        value: own_opt(value),
        formula_src: own_opt(formula_src),
        formula: own_opt(formula),
        required: flags & REQUIRED != 0,
        name: own_opt(name),
        note: own_opt(note),
        table,
        checks: Checks {
            by_plan_type,
            required_when: own_opt(required_when),
            nonzero: flags & NONZERO != 0,
            nonzero_iff: own_opt(nonzero_iff),
            positive_when_any,
        },
    })
}

/// Shipped template `i`'s layout from [`encode_layout`]'s bytes, its
/// identity and facts from its `[form]` head.
fn decode_layout(bytes: &[u8], i: usize) -> Option<Layout> {
    let (snap, field_bytes): (LayoutSnap, _) = postcard::take_from_bytes(bytes).ok()?;
    let spec = head(i)?;
    let form = FormInfo::of(&spec).ok()?;
    if form.id != BUILTIN[i].0 {
        return None;
    }
    let sheets = snap
        .sheets
        .into_iter()
        .map(|s| Sheet {
            name: s.name,
            title: s.title,
            freeze_rows: s.freeze_rows,
            freeze_cols: s.freeze_cols,
            widths: s.widths,
            texts: s
                .texts
                .into_iter()
                .map(|((row, col), text, style)| Text {
                    cell: CellRef::new(row, col),
                    text,
                    style,
                })
                .collect(),
            tables: s.tables,
            print_columns: s.print_columns,
        })
        .collect();
    let tables = snap
        .tables
        .into_iter()
        .map(|t| {
            (
                t.id.clone(),
                Table {
                    id: t.id,
                    label: t.label,
                    line: t.line,
                    sheet: t.sheet,
                    header_row: t.header_row,
                    rows: t.rows,
                    totals: t.totals,
                    columns: t.columns,
                    key_col: t.key_col,
                    label_col: t.label_col,
                    row_identity: t.row_identity,
                },
            )
        })
        .collect();
    // The strings, each checked to lie on character boundaries of the text
    // (postcard checked it is UTF-8).
    let mut strs: Vec<&str> = Vec::with_capacity(snap.ends.len());
    let mut start = 0usize;
    for &end in &snap.ends {
        let end = end as usize;
        strs.push(snap.text.get(start..end)?);
        start = end;
    }
    let mut r = Reader(field_bytes);
    let n = r.count()?;
    // A pattern is compiled once and shared by the fields that have it.
    let mut patterns: rustc_hash::FxHashMap<&str, regex::Regex> = Default::default();
    let mut index: rustc_hash::FxHashMap<String, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        let f = read_field(&mut r, &strs, &mut patterns)?;
        if index.insert(f.id.clone(), fields.len()).is_some() {
            return None;
        }
        fields.push(f);
    }
    if !r.0.is_empty() {
        return None;
    }
    let mut layout = Layout {
        form,
        sheets,
        tables,
        fields,
        overlay: None,
        facts: Default::default(),
        index,
    };
    layout.facts = facts::resolve(spec.facts.as_ref(), &layout).ok()?;
    Some(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a layout holds, to compare two (its JSON form, with the
    /// patterns and the index, which the JSON leaves out).
    fn parts(l: &Layout) -> String {
        let patterns: Vec<Option<&str>> = l
            .fields
            .iter()
            .map(|f| f.pattern.as_ref().map(regex::Regex::as_str))
            .collect();
        let mut index: Vec<_> = l.index.iter().collect();
        index.sort();
        format!(
            "{}\n{patterns:?}\n{index:?}",
            serde_json::to_string(l).unwrap()
        )
    }

    #[test]
    fn a_shipped_layout_reads_back_as_built() {
        for (i, (id, text)) in BUILTIN.iter().enumerate() {
            let built = Layout::from_toml(text).unwrap();
            let bytes = encode_layout(&built, i).unwrap();
            let back = decode_layout(&bytes, i).unwrap();
            assert_eq!(parts(&back), parts(&built), "{id}");
        }
    }

    #[test]
    fn a_file_of_another_key_or_damaged_is_ignored() {
        let payload = b"layout+form".to_vec();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&7u64.to_le_bytes());
        file.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        file.extend_from_slice(&6u64.to_le_bytes());
        file.extend_from_slice(&payload);
        assert_eq!(contents(&file, 7), Some((&b"layout"[..], 34)));
        assert_eq!(contents(&file, 8), None, "another key");
        let mut bad = file.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(contents(&bad, 7), None, "checksum");
        assert_eq!(contents(&file[..20], 7), None, "cut short");
        let mut long = file.clone();
        long[20..28].copy_from_slice(&99u64.to_le_bytes());
        assert_eq!(contents(&long, 7), None, "layout longer than the file");
        // Bytes that are not a layout do not decode.
        assert!(decode_layout(b"layout", 0).is_none());
    }

    #[test]
    fn the_key_follows_the_template_text() {
        assert_ne!(key(0), key(1));
        assert_eq!(key(0), key(0));
    }
}
