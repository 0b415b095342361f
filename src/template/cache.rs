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
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

/// The first bytes of a cache file (the format's version).
const MAGIC: &[u8; 8] = b"bpt-tpl1";

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
struct LayoutSnap {
    sheets: Vec<SheetSnap>,
    tables: Vec<TableSnap>,
    fields: Vec<FieldSnap>,
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

#[derive(Serialize, Deserialize)]
struct FieldSnap {
    id: String,
    sheet: String,
    cell: (u32, u16),
    label: String,
    line: String,
    spec: String,
    kind: Kind,
    role: Role,
    pattern_src: Option<String>,
    choices: Vec<String>,
    min: Option<String>,
    max: Option<String>,
    format: String,
    value: Option<String>,
    formula_src: Option<String>,
    formula: Option<String>,
    required: bool,
    name: Option<String>,
    note: Option<String>,
    /// Table, column, row, whether a total row.
    table: Option<(String, String, String, bool)>,
    by_plan_type: Vec<(String, String)>,
    required_when: Option<String>,
    nonzero: bool,
    nonzero_iff: Option<String>,
    positive_when_any: Vec<String>,
}

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
    let snap = LayoutSnap {
        sheets: sheets.iter().map(sheet_snap).collect(),
        tables: tables.values().map(table_snap).collect(),
        fields: fields.iter().map(field_snap).collect(),
    };
    postcard::to_allocvec(&snap).ok()
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

fn field_snap(f: &Field) -> FieldSnap {
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
    FieldSnap {
        id: id.clone(),
        sheet: sheet.clone(),
        cell: (cell.row, cell.col),
        label: label.clone(),
        line: line.clone(),
        spec: spec.clone(),
        kind: *kind,
        role: *role,
        pattern_src: pattern_src.clone(),
        choices: choices.clone(),
        min: min.map(|d| d.to_string()),
        max: max.map(|d| d.to_string()),
        format: format.clone(),
        value: value.clone(),
        formula_src: formula_src.clone(),
        formula: formula.clone(),
        required: *required,
        name: name.clone(),
        note: note.clone(),
        table: table.as_ref().map(
            |TablePos {
                 table,
                 column,
                 row,
                 total,
             }| (table.clone(), column.clone(), row.clone(), *total),
        ),
        by_plan_type: by_plan_type.clone(),
        required_when: required_when.clone(),
        nonzero: *nonzero,
        nonzero_iff: nonzero_iff.clone(),
        positive_when_any: positive_when_any.clone(),
    }
}

/// Shipped template `i`'s layout from [`encode_layout`]'s bytes, its
/// identity and facts from its `[form]` head.
fn decode_layout(bytes: &[u8], i: usize) -> Option<Layout> {
    let snap: LayoutSnap = postcard::from_bytes(bytes).ok()?;
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
    // A pattern is compiled once and shared by the fields that have it.
    let mut patterns: rustc_hash::FxHashMap<String, regex::Regex> = Default::default();
    let mut index: rustc_hash::FxHashMap<String, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(snap.fields.len(), Default::default());
    let mut fields = Vec::with_capacity(snap.fields.len());
    for f in snap.fields {
        let pattern = match &f.pattern_src {
            None => None,
            Some(p) => match patterns.get(p) {
                Some(r) => Some(r.clone()),
                None => {
                    let r = regex::Regex::new(p).ok()?;
                    patterns.insert(p.clone(), r.clone());
                    Some(r)
                }
            },
        };
        let dec = |s: Option<String>| -> Option<Option<Decimal>> {
            s.map(|s| Decimal::from_str(&s).ok())
                .map_or(Some(None), |d| d.map(Some))
        };
        if index.insert(f.id.clone(), fields.len()).is_some() {
            return None;
        }
        fields.push(Field {
            id: f.id,
            sheet: f.sheet,
            cell: CellRef::new(f.cell.0, f.cell.1),
            label: f.label,
            line: f.line,
            spec: f.spec,
            kind: f.kind,
            role: f.role,
            pattern,
            pattern_src: f.pattern_src,
            choices: f.choices,
            min: dec(f.min)?,
            max: dec(f.max)?,
            format: f.format,
            value: f.value,
            formula_src: f.formula_src,
            formula: f.formula,
            required: f.required,
            name: f.name,
            note: f.note,
            table: f.table.map(|(table, column, row, total)| TablePos {
                table,
                column,
                row,
                total,
            }),
            checks: Checks {
                by_plan_type: f.by_plan_type,
                required_when: f.required_when,
                nonzero: f.nonzero,
                nonzero_iff: f.nonzero_iff,
                positive_when_any: f.positive_when_any,
            },
        });
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
