//! Reading filled bid workbooks: recognise the form by its version marker,
//! check its sheets, and take every field of the template out of its cell as
//! a typed [`Value`].
//!
//! Every format calamine reads goes through the same path (`.xlsx`, `.xlsm`,
//! `.xlsb`, `.xls`, `.ods`). Both entered and calculated cells are read; a
//! calculated cell holds the result Excel (or LibreOffice) cached when the
//! workbook was last saved.
//!
//! ```no_run
//! let bid = bpt::reader::read_bid(std::path::Path::new("bid.xlsx"))?;
//! println!("{} fields from a {} form", bid.values.len(), bid.layout.form.id);
//! # Ok::<(), bpt::reader::ReadError>(())
//! ```

use crate::template::{self, Field, Kind, Layout};
use crate::value::{Invalid, Original, Value, Values};
use calamine::{
    Data, ExcelDateTime, ExcelDateTimeType, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx,
    open_workbook_auto_from_rs, open_workbook_from_rs,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

/// Process exit code for "could not read".
pub const EXIT_COULD_NOT_READ: i32 = 2;

/// A bid read from a workbook.
#[derive(Debug, Clone)]
pub struct Bid {
    /// Where it was read from (for bytes, the name given).
    pub path: PathBuf,
    /// The template the workbook was recognised as.
    pub layout: &'static Layout,
    /// That template compiled ([`crate::form::cached`]): a bid is only read
    /// when its template's formulas compile.
    pub form: &'static crate::form::Form,
    /// Every non-blank field of the template, by field id.
    pub values: Values,
}

/// Where a workbook comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A file on disk.
    Path(&'a Path),
    /// Workbook bytes already in memory; `name` stands for the file in
    /// messages and selects the format by its extension.
    Bytes {
        /// File name used in messages (`bid.xlsx`).
        name: &'a str,
        /// The workbook file's content.
        bytes: &'a [u8],
    },
}

impl<'a> Source<'a> {
    /// The path messages name and the workbook's bytes (read from disk
    /// with the size cap, or borrowed).
    fn load(self) -> Result<(PathBuf, Cow<'a, [u8]>), ReadError> {
        Ok(match self {
            Source::Path(p) => (p.to_path_buf(), Cow::Owned(load(p)?)),
            Source::Bytes { name, bytes } => (PathBuf::from(name), Cow::Borrowed(bytes)),
        })
    }
}

impl<'a> From<&'a Path> for Source<'a> {
    fn from(p: &'a Path) -> Self {
        Source::Path(p)
    }
}

/// Why a workbook could not be read. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path does not exist.
    #[error("{}: no such file", .path.display())]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The path is a directory (or something else that is not a file).
    #[error("{}: is a directory, not a workbook file", .path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("{}: cannot read the file: {source}", .path.display())]
    Io {
        /// The path given.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Not a workbook calamine can open: not a zip, damaged, empty, or an
    /// unsupported format.
    #[error(
        "{}: not a readable workbook (.xlsx, .xlsm, .xlsb, .xls or .ods): {message}",
        .path.display()
    )]
    NotAWorkbook {
        /// The file.
        path: PathBuf,
        /// What calamine (or the size check) said.
        message: String,
    },
    /// A workbook, but not a bpt form: no version marker.
    #[error(
        "{}: not a bpt bid form: {detail}; a workbook made with `bpt template` holds its version \
         marker (`bpt:<form>:v<N>`) there. Sheets found: {}",
        .path.display(), list(.sheets)
    )]
    UnknownForm {
        /// The file.
        path: PathBuf,
        /// What was found where the marker should be.
        detail: String,
        /// The workbook's sheet names.
        sheets: Vec<String>,
    },
    /// A bpt marker naming a template or version this build does not know.
    #[error(
        "{}: unknown template version `{found}` in {cell}; this bpt reads {}",
        .path.display(), list(.supported)
    )]
    UnknownVersion {
        /// The file.
        path: PathBuf,
        /// Marker cell (`WS1!A1`).
        cell: String,
        /// The marker text found.
        found: String,
        /// The markers this build supports.
        supported: Vec<String>,
    },
    /// A sheet of the template is not in the workbook.
    #[error(
        "{}: sheet `{sheet}` of form {form} is missing. Sheets found: {}{}",
        .path.display(), list(.found), renamed_hint(.unknown)
    )]
    MissingSheet {
        /// The file.
        path: PathBuf,
        /// Template id.
        form: String,
        /// The missing sheet.
        sheet: String,
        /// The workbook's sheet names.
        found: Vec<String>,
        /// Sheets of the workbook that are not sheets of the form.
        unknown: Vec<String>,
    },
    /// A sheet exists but its content could not be read.
    #[error("{}: sheet `{sheet}` cannot be read: {message}", .path.display())]
    BadSheet {
        /// The file.
        path: PathBuf,
        /// The sheet.
        sheet: String,
        /// What calamine said.
        message: String,
    },
    /// The workbook's marker names a shipped template that does not load.
    #[error(
        "{}: the workbook is a {template} form, but that template does not load: {message}",
        .path.display()
    )]
    Template {
        /// The file.
        path: PathBuf,
        /// Template id.
        template: String,
        /// The template error.
        message: String,
    },
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn renamed_hint(unknown: &[String]) -> String {
    if unknown.is_empty() {
        String::new()
    } else {
        format!(
            " (renamed? {} {})",
            list(unknown),
            if unknown.len() == 1 {
                "is not a sheet of the form"
            } else {
                "are not sheets of the form"
            }
        )
    }
}

impl ReadError {
    /// The process exit code for this error: 2, "could not read".
    pub fn exit_code(&self) -> i32 {
        EXIT_COULD_NOT_READ
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotFound { path }
            | ReadError::NotAFile { path }
            | ReadError::Io { path, .. }
            | ReadError::NotAWorkbook { path, .. }
            | ReadError::UnknownForm { path, .. }
            | ReadError::UnknownVersion { path, .. }
            | ReadError::MissingSheet { path, .. }
            | ReadError::BadSheet { path, .. }
            | ReadError::Template { path, .. } => path,
        }
    }
}

/// Reads a bid workbook from disk, recognising which shipped template it is.
pub fn read_bid(path: &Path) -> Result<Bid, ReadError> {
    let bytes = load(path)?;
    read_builtin(path, &bytes)
}

/// Reads a bid workbook from memory (`name` stands for the file in messages
/// and its extension selects the format).
pub fn read_bid_bytes(name: &str, bytes: &[u8]) -> Result<Bid, ReadError> {
    read_builtin(Path::new(name), bytes)
}

/// Reads a workbook against a given layout (a template that is not shipped,
/// e.g. a test fixture). The workbook must carry that layout's marker, or
/// for an overlay meet its recognition rules (an overlay without rules
/// takes any workbook that has its sheets).
pub fn read_with_layout(src: Source<'_>, layout: &Layout) -> Result<Values, ReadError> {
    let (path, bytes) = src.load()?;
    let mut book = Book::open(&path, &bytes, Some(layout))?;
    if let Some(ov) = &layout.overlay {
        if ov.recognize.is_empty() {
            return read_fields(&mut book, layout);
        }
        if let Some(why) = recognize(&mut book, layout)? {
            return Err(ReadError::UnknownForm {
                path: path.clone(),
                detail: format!("overlay `{}`: {why}", layout.form.id),
                sheets: book.names.clone(),
            });
        }
        return read_fields(&mut book, layout);
    }
    let marker = Marker {
        id: &layout.form.id,
        sheet: &layout.form.marker_sheet,
        cell: (layout.form.marker_cell.row, layout.form.marker_cell.col),
        cell_name: layout.form.marker_cell.to_string(),
        text: &layout.form.marker_text,
    };
    identify(&mut book, std::slice::from_ref(&marker))?;
    read_fields(&mut book, layout)
}

/// Every non-blank cell of every sheet (inside the area a shipped form can
/// occupy), for `bpt template map`: texts as shown, numbers and dates as
/// numbers, in sheet order.
pub fn raw_sheets(src: Source<'_>) -> Result<Vec<template::map::RawSheet>, ReadError> {
    use template::map::{RawCell, RawSheet};
    let (path, bytes) = src.load()?;
    let mut book = Book::open(&path, &bytes, None)?;
    let mut out = Vec::new();
    for name in book.names.clone() {
        let cells = book.range(&name)?;
        let mut list: Vec<(crate::cellref::CellRef, RawCell)> = cells
            .map
            .iter()
            .filter_map(|(&(r, c), d)| {
                let col = u16::try_from(c).ok()?;
                let cell = match d {
                    Data::Empty => return None,
                    Data::String(s) => RawCell::Text(s.clone()),
                    Data::Float(f) => RawCell::Number(plain_number(*f)),
                    Data::Int(i) => RawCell::Number(i.to_string()),
                    Data::Bool(b) => RawCell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
                    Data::DateTime(d) => RawCell::Number(plain_number(d.as_f64())),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Text(s.clone()),
                    Data::Error(e) => RawCell::Error(format!("{e}")),
                };
                Some((crate::cellref::CellRef::new(r, col), cell))
            })
            .collect();
        list.sort_by_key(|(c, _)| (c.row, c.col));
        out.push(RawSheet { name, cells: list });
    }
    Ok(out)
}

/// A number as plain decimal text (`1234.5`), or Excel's scientific form
/// when it has no exact decimal.
fn plain_number(f: f64) -> String {
    f64_to_decimal(f).map_or_else(|| number_text(f), |d| d.normalize().to_string())
}

/// The formula each calculated field's cell holds in the workbook (without
/// the leading `=`; `None`: the cell holds a constant or nothing), for the
/// bid's own layout, by field id in template order.
pub fn read_formulas(bid: &Bid) -> Result<Vec<(String, Option<String>)>, ReadError> {
    let bytes = load(&bid.path)?;
    let mut book = Book::open(&bid.path, &bytes, Some(bid.layout))?;
    let mut by_sheet: HashMap<String, rustc_hash::FxHashMap<(u32, u32), String>> = HashMap::new();
    let (max_r, max_c) = bound_of(bid.layout);
    for s in &bid.layout.sheets {
        if !book.has_sheet(&s.name) {
            continue;
        }
        let cells = book.formulas(&s.name, (max_r, max_c))?;
        by_sheet.insert(s.name.clone(), cells);
    }
    Ok(bid
        .layout
        .fields
        .iter()
        .filter(|f| f.role.is_calculated())
        .map(|f| {
            let got = by_sheet
                .get(&f.sheet)
                .and_then(|m| m.get(&(f.cell.row, u32::from(f.cell.col))))
                .map(|s| s.strip_prefix('=').unwrap_or(s).to_string());
            (f.id.clone(), got)
        })
        .collect())
}

/// A formula reduced for comparison: no `$`, no spaces outside string
/// literals, upper case outside string literals, no leading `=`.
pub fn formula_key(f: &str) -> String {
    let f = f.trim();
    let f = f.strip_prefix('=').unwrap_or(f);
    let mut out = String::with_capacity(f.len());
    let mut in_str = false;
    for ch in f.chars() {
        if ch == '"' {
            in_str = !in_str;
            out.push(ch);
        } else if in_str {
            out.push(ch);
        } else if ch != '$' && !ch.is_whitespace() {
            out.extend(ch.to_uppercase());
        }
    }
    out
}

/// Reads a file into memory, turning the usual failures into [`ReadError`]s.
///
/// Only regular files are opened (a FIFO or device would block or never
/// end), and the file is read with a cap of `BPT_MAX_FILE_BYTES` whatever
/// size the file system reports: a kernel pseudo-file reports 0 bytes.
fn load(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            ReadError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let not_regular = || ReadError::NotAWorkbook {
        path: path.to_path_buf(),
        message: "not a regular file (a device, FIFO or socket)".into(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ReadError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_file() {
        return Err(not_regular());
    }
    let limits = crate::limits::Limits::from_env();
    let too_big = |size: String| ReadError::NotAWorkbook {
        path: path.to_path_buf(),
        message: format!(
            "the file {size}, more than the limit of {} (BPT_MAX_FILE_BYTES)",
            crate::limits::human(limits.max_file_bytes)
        ),
    };
    if meta.len() > limits.max_file_bytes {
        return Err(too_big(format!("is {} bytes", meta.len())));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The file opened may not be the one looked at (it was replaced).
    if !file.metadata().map_err(io)?.is_file() {
        return Err(not_regular());
    }
    let cap = limits.max_file_bytes;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, cap.saturating_add(1)),
        &mut bytes,
    )
    .map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_big(format!(
            "reports {} bytes but holds more when read",
            meta.len()
        )));
    }
    Ok(bytes)
}

/// The templates a workbook is matched against besides the shipped ones,
/// and a template forced on every workbook (`--template`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Templates {
    /// Used for every workbook without recognition (its sheets must exist).
    pub forced: Option<&'static Layout>,
    /// Overlays tried, in order, after the shipped templates' markers.
    pub overlays: &'static [&'static Layout],
}

static TEMPLATES: std::sync::RwLock<Templates> = std::sync::RwLock::new(Templates {
    forced: None,
    overlays: &[],
});

/// Sets the templates [`read_bid`] uses for the rest of the process (the
/// command line does this once, from `--template` and `bpt.toml`).
pub fn set_templates(t: Templates) {
    if let Ok(mut g) = TEMPLATES.write() {
        *g = t;
    }
}

/// The templates set by [`set_templates`].
pub fn templates() -> Templates {
    TEMPLATES.read().map(|g| *g).unwrap_or_default()
}

fn read_builtin(path: &Path, bytes: &[u8]) -> Result<Bid, ReadError> {
    let config = templates();
    let mut book = Book::open(path, bytes, config.forced)?;
    let layout = match config.forced {
        Some(l) => l,
        None => {
            let markers = builtin_markers();
            let found: Vec<Marker<'_>> = markers.iter().map(BuiltinMarker::as_marker).collect();
            match identify(&mut book, &found) {
                Ok(id) => template::builtin_cached(id).map_err(|e| ReadError::Template {
                    path: path.to_path_buf(),
                    template: id.to_string(),
                    message: e.to_string(),
                })?,
                Err(ReadError::UnknownForm {
                    path,
                    detail,
                    sheets,
                }) if !config.overlays.is_empty() => {
                    let mut tried = vec![format!("shipped templates: {detail}")];
                    let mut hit = None;
                    for l in config.overlays {
                        match recognize(&mut book, l)? {
                            None => {
                                hit = Some(*l);
                                break;
                            }
                            Some(why) => tried.push(format!("overlay `{}`: {why}", l.form.id)),
                        }
                    }
                    match hit {
                        Some(l) => l,
                        None => {
                            return Err(ReadError::UnknownForm {
                                path,
                                detail: tried.join("; "),
                                sheets,
                            });
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
    };
    let form = crate::form::cached(layout).map_err(|message| ReadError::Template {
        path: path.to_path_buf(),
        template: layout.form.id.clone(),
        message,
    })?;
    let values = read_fields(&mut book, layout)?;
    Ok(Bid {
        path: path.to_path_buf(),
        layout,
        form,
        values,
    })
}

/// The marker of a shipped template, taken from the head of its TOML only,
/// so that a workbook is recognised even while a template is broken.
struct BuiltinMarker {
    id: String,
    sheet: String,
    cell: (u32, u16),
    cell_name: String,
    text: String,
}

impl BuiltinMarker {
    fn as_marker(&self) -> Marker<'_> {
        Marker {
            id: &self.id,
            sheet: &self.sheet,
            cell: self.cell,
            cell_name: self.cell_name.clone(),
            text: &self.text,
        }
    }
}

fn builtin_markers() -> &'static [BuiltinMarker] {
    #[derive(serde::Deserialize)]
    struct Head {
        form: HeadForm,
    }
    #[derive(serde::Deserialize)]
    struct HeadForm {
        id: String,
        marker: template::schema::MarkerSpec,
    }
    static MARKERS: OnceLock<Vec<BuiltinMarker>> = OnceLock::new();
    MARKERS.get_or_init(|| {
        template::BUILTIN
            .iter()
            .filter_map(|(_, text)| {
                // Only the `[form…]` tables at the top are parsed (the whole
                // file when the marker is not among them): parsing both
                // templates in full cost a start-up 4 % of a `bpt validate`.
                let head: Head = toml::from_str(template::form_head(text))
                    .or_else(|_| toml::from_str(text))
                    .ok()?;
                let cell = crate::cellref::CellRef::parse(&head.form.marker.cell)?;
                Some(BuiltinMarker {
                    id: head.form.id,
                    sheet: head.form.marker.sheet,
                    cell: (cell.row, cell.col),
                    cell_name: cell.to_string(),
                    text: head.form.marker.text,
                })
            })
            .collect()
    })
}

/// A marker to look for.
struct Marker<'a> {
    id: &'a str,
    sheet: &'a str,
    cell: (u32, u16),
    cell_name: String,
    text: &'a str,
}

/// Streams the cells of sheet `$name` from a calamine workbook with a cell
/// reader (`.xlsx` and `.xlsb`, whose readers are different types), with
/// `$next` (`next_cell` for values, `next_formula` for formulas), running
/// `$keep` with `$at` (row, column) and `$v` (the value) for each inside
/// the bound.
macro_rules! stream_cells {
    ($book:expr, $name:expr, $bad:expr, $next:ident, $bound:expr, |$at:ident, $v:ident| $keep:expr) => {{
        let (max_r, max_c) = $bound;
        let mut rd = $book
            .worksheet_cells_reader($name)
            .map_err(|e| $bad(e.to_string()))?;
        while let Some(c) = rd.$next().map_err(|e| $bad(e.to_string()))? {
            let $at = c.get_position();
            if $at.0 <= max_r && $at.1 <= max_c {
                let $v = c.get_value();
                $keep;
            }
        }
    }};
}

/// Calls `keep` with each cell of a whole-sheet `range` inside `bound`
/// (row, column), by its position on the sheet.
fn each_in_bound<T: calamine::CellType>(
    range: &Range<T>,
    (max_r, max_c): (u32, u32),
    mut keep: impl FnMut((u32, u32), &T),
) {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, row) in range.rows().enumerate() {
        let r = r0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        if r > max_r {
            break;
        }
        for (c, v) in row.iter().enumerate() {
            let c = c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
            if c > max_c {
                break;
            }
            keep((r, c), v);
        }
    }
}

/// An open workbook with its sheet ranges read at most once each.
struct Book<'a> {
    path: &'a Path,
    sheets: Sheets<Cursor<Cow<'a, [u8]>>>,
    names: Vec<String>,
    ranges: HashMap<String, Cells>,
    /// Last row and column any form reads: cells beyond are never loaded.
    bound: (u32, u32),
}

/// The cells of one sheet that lie inside the forms' bounding box, kept
/// sparse: a hostile sheet with a cell at XFD1048576 costs nothing.
#[derive(Default)]
struct Cells {
    map: rustc_hash::FxHashMap<(u32, u32), Data>,
}

impl Cells {
    fn get_value(&self, at: (u32, u32)) -> Option<&Data> {
        self.map.get(&at)
    }
}

/// Rows and columns (zero-based, inclusive) read before the form is known.
const INITIAL_BOUND: (u32, u32) = (2047, 63);

/// The last row and column (zero-based) that `layout` reads.
fn bound_of(l: &Layout) -> (u32, u32) {
    let mut b = (l.form.marker_cell.row, u32::from(l.form.marker_cell.col));
    for f in &l.fields {
        b.0 = b.0.max(f.cell.row);
        b.1 = b.1.max(u32::from(f.cell.col));
    }
    b
}

impl<'a> Book<'a> {
    fn open(
        path: &'a Path,
        bytes: &'a [u8],
        extra: Option<&Layout>,
    ) -> Result<Book<'a>, ReadError> {
        let not_wb = |message: String| ReadError::NotAWorkbook {
            path: path.to_path_buf(),
            message,
        };
        if bytes.is_empty() {
            return Err(not_wb("the file is empty (0 bytes)".into()));
        }
        let limits = crate::limits::Limits::from_env();
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(not_wb(format!(
                "{} bytes, more than the limit of {} (BPT_MAX_FILE_BYTES)",
                bytes.len(),
                crate::limits::human(limits.max_file_bytes)
            )));
        }
        crate::limits::check_xls(bytes, &limits).map_err(not_wb)?;
        // A package whose declared counts cannot be trusted is read from
        // the repaired copy the check returns.
        let package = match crate::limits::check_package(bytes, &limits).map_err(not_wb)? {
            Some(repaired) => Cow::Owned(repaired),
            None => Cow::Borrowed(bytes),
        };
        let sheets =
            open_sheets(path, package).map_err(|e| not_wb(explain_open_error(bytes, e)))?;
        let names = sheets.sheet_names();
        Ok(Book {
            path,
            sheets,
            names,
            ranges: HashMap::new(),
            // Until the form is known, a generous area that holds every
            // shipped form (so the marker sheet is read once); widened
            // for a larger form once it is identified.
            bound: extra.map_or(INITIAL_BOUND, bound_of),
        })
    }

    /// Widens the area read to include `b` (row, column); sheets already
    /// read with a smaller area are read again when next asked for.
    fn widen(&mut self, b: (u32, u32)) {
        if b.0 > self.bound.0 || b.1 > self.bound.1 {
            self.bound = (self.bound.0.max(b.0), self.bound.1.max(b.1));
            self.ranges.clear();
        }
    }

    fn has_sheet(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The cells of a sheet that exists (inside the bound), read once.
    /// `.xlsx`/`.xlsm`/`.xlsb` sheets are streamed cell by cell; other
    /// formats are read whole by calamine and then trimmed.
    fn range(&mut self, name: &str) -> Result<&Cells, ReadError> {
        if !self.ranges.contains_key(name) {
            let bad = |message: String| ReadError::BadSheet {
                path: self.path.to_path_buf(),
                sheet: name.to_string(),
                message,
            };
            let mut cells = Cells::default();
            match &mut self.sheets {
                // Streamed: calamine's whole-sheet range of a sheet with
                // cells at A1 and XFD1048576 would allocate 17 billion cells.
                Sheets::Xlsx(x) => stream_cells!(x, name, bad, next_cell, self.bound, |at, v| {
                    cells.map.insert(at, Data::from(v.clone()))
                }),
                Sheets::Xlsb(x) => stream_cells!(x, name, bad, next_cell, self.bound, |at, v| {
                    cells.map.insert(at, Data::from(v.clone()))
                }),
                other => {
                    let range: Range<Data> = other
                        .worksheet_range(name)
                        .map_err(|e| bad(e.to_string()))?;
                    each_in_bound(&range, self.bound, |at, d| {
                        if !matches!(d, Data::Empty) {
                            cells.map.insert(at, d.clone());
                        }
                    });
                }
            }
            self.ranges.insert(name.to_string(), cells);
        }
        self.ranges.get(name).ok_or_else(|| ReadError::BadSheet {
            path: self.path.to_path_buf(),
            sheet: name.to_string(),
            message: "sheet vanished while reading".into(),
        })
    }

    /// The formulas of a sheet that exists, by (row, column) inside
    /// `bound`. `.xlsx`/`.xlsm`/`.xlsb` sheets are streamed: calamine's
    /// whole-sheet formula range of a sheet with formulas at A1 and
    /// XFD1048576 would ask for 412 GB.
    fn formulas(
        &mut self,
        name: &str,
        bound: (u32, u32),
    ) -> Result<rustc_hash::FxHashMap<(u32, u32), String>, ReadError> {
        let bad = |message: String| ReadError::BadSheet {
            path: self.path.to_path_buf(),
            sheet: name.to_string(),
            message,
        };
        let mut cells = rustc_hash::FxHashMap::default();
        let keep = |cells: &mut rustc_hash::FxHashMap<(u32, u32), String>, at, f: &String| {
            if !f.is_empty() {
                cells.insert(at, f.clone());
            }
        };
        match &mut self.sheets {
            Sheets::Xlsx(x) => {
                stream_cells!(x, name, bad, next_formula, bound, |at, f| keep(
                    &mut cells, at, f
                ))
            }
            Sheets::Xlsb(x) => {
                stream_cells!(x, name, bad, next_formula, bound, |at, f| keep(
                    &mut cells, at, f
                ))
            }
            other => {
                let range = other
                    .worksheet_formula(name)
                    .map_err(|e| bad(e.to_string()))?;
                each_in_bound(&range, bound, |at, f| keep(&mut cells, at, f));
            }
        }
        Ok(cells)
    }
}

/// Says what calamine's refusal most likely means.
fn explain_open_error(bytes: &[u8], e: calamine::Error) -> String {
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(&CFB) && (has(&utf16("EncryptionInfo")) || has(&utf16("EncryptedPackage")))
    {
        return "the workbook is password-protected (encrypted); save an unprotected copy and \
                validate that"
            .into();
    }
    if bytes.starts_with(b"PK") {
        return format!(
            "a zip archive, but not a readable spreadsheet ({e}); truncated or damaged?"
        );
    }
    if !bytes.starts_with(&CFB) {
        // Say what the file looks like, never what it holds: the path may
        // name a file whose content is nobody's business (`/proc/self/environ`).
        return format!("not a spreadsheet file ({}): {e}", looks_like(bytes));
    }
    e.to_string()
}

/// Whether bytes read as UTF-8 text without control characters (other
/// than line ends and tabs); a character cut at the end does not count.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// What a file that is not a spreadsheet seems to be, from its first bytes.
fn looks_like(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(512)];
    let text = head.trim_ascii_start();
    if bytes.is_empty() {
        "it is empty"
    } else if head.starts_with(b"%PDF") {
        "it is a PDF document"
    } else if text.starts_with(b"<") {
        "it looks like an HTML or XML file; if it was exported from a spreadsheet, save it as .xlsx"
    } else if is_text(head) {
        "it looks like a text file (CSV?); save the workbook as .xlsx"
    } else {
        "it has no zip or OLE signature"
    }
}

/// Opens the bytes as the format the extension names; when that fails, tries
/// every format before giving up with the first error (the more telling one).
fn open_sheets<'a>(
    path: &Path,
    bytes: Cow<'a, [u8]>,
) -> Result<Sheets<Cursor<Cow<'a, [u8]>>>, calamine::Error> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let rs = Cursor::new(bytes.clone());
    let first: Result<Sheets<_>, calamine::Error> = match ext.as_deref() {
        Some("xlsx" | "xlsm" | "xltx" | "xltm" | "xlam") => open_workbook_from_rs::<Xlsx<_>, _>(rs)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
        Some("xlsb") => open_workbook_from_rs::<Xlsb<_>, _>(rs)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::Xlsb),
        Some("xls" | "xla") => open_workbook_from_rs::<Xls<_>, _>(rs)
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        Some("ods") => open_workbook_from_rs::<Ods<_>, _>(rs)
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
        _ => return open_workbook_auto_from_rs(Cursor::new(bytes)),
    };
    match first {
        Ok(s) => Ok(s),
        Err(e) => open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| e),
    }
}

/// Checks an overlay's recognition rules on the workbook: `None` when
/// every rule holds, otherwise what was found and what was expected
/// ("sheet `MA Base` found; version cell A2 holds `MA-2014.beta`,
/// expected `MA-2013.*`").
fn recognize(book: &mut Book<'_>, layout: &Layout) -> Result<Option<String>, ReadError> {
    let Some(ov) = &layout.overlay else {
        return Ok(Some("not an overlay (no recognition rules)".into()));
    };
    if ov.recognize.is_empty() {
        return Ok(Some(
            "the overlay has no [[recognize]] rules (give it with --template)".into(),
        ));
    }
    let mut said = Vec::new();
    for r in &ov.recognize {
        if !book.has_sheet(&r.sheet) {
            said.push(format!("there is no sheet `{}`", r.sheet));
            return Ok(Some(said.join("; ")));
        }
        if !said
            .iter()
            .any(|s| s == &format!("sheet `{}` found", r.sheet))
        {
            said.push(format!("sheet `{}` found", r.sheet));
        }
        let what = if r.pattern.is_some() {
            "version cell"
        } else {
            "cell"
        };
        match (&r.cell, &r.pattern, &r.contains) {
            (None, _, None) => {}
            (Some(c), pattern, contains) => {
                let Some(cell) = crate::cellref::CellRef::parse(c) else {
                    return Ok(Some(format!("bad cell `{c}` in the overlay")));
                };
                let at = (cell.row, u32::from(cell.col));
                book.widen(at);
                let text = book
                    .range(&r.sheet)?
                    .get_value(at)
                    .map(|d| raw(d).trim().to_string())
                    .unwrap_or_default();
                let ok = pattern
                    .as_deref()
                    .is_none_or(|p| template::overlay::glob_match(p, &text))
                    && contains
                        .as_deref()
                        .is_none_or(|w| text.to_lowercase().contains(&w.to_lowercase()));
                if !ok {
                    let held = if text.is_empty() {
                        "is empty".to_string()
                    } else {
                        format!("holds `{}`", shorten(&text))
                    };
                    let expected = match (pattern, contains) {
                        (Some(p), _) => format!("`{p}`"),
                        (None, Some(w)) => format!("text containing `{w}`"),
                        (None, None) => String::new(),
                    };
                    said.push(format!("{what} {c} {held}, expected {expected}"));
                    return Ok(Some(said.join("; ")));
                }
            }
            (None, _, Some(words)) => {
                let lw = words.to_lowercase();
                let found = book
                    .range(&r.sheet)?
                    .map
                    .iter()
                    .any(|((row, _), d)| *row < 10 && raw(d).to_lowercase().contains(&lw));
                if !found {
                    said.push(format!(
                        "no cell of the first 10 rows of `{}` holds `{words}`",
                        r.sheet
                    ));
                    return Ok(Some(said.join("; ")));
                }
            }
        }
    }
    Ok(None)
}

/// Finds which marker the workbook carries; returns the template id.
fn identify<'m>(book: &mut Book<'_>, markers: &[Marker<'m>]) -> Result<&'m str, ReadError> {
    let mut details = Vec::new();
    let mut bpt_found: Option<(String, String)> = None;
    let mut seen: Vec<(&str, (u32, u16))> = Vec::new();
    for m in markers {
        if seen.contains(&(m.sheet, m.cell)) {
            continue;
        }
        seen.push((m.sheet, m.cell));
        let where_ = format!("{}!{}", m.sheet, m.cell_name);
        if !book.has_sheet(m.sheet) {
            details.push(format!("there is no sheet `{}`", m.sheet));
            continue;
        }
        book.widen((m.cell.0, u32::from(m.cell.1)));
        let range = book.range(m.sheet)?;
        let text = match range.get_value((m.cell.0, u32::from(m.cell.1))) {
            Some(Data::String(s)) => s.trim().to_string(),
            Some(Data::Empty) | None => {
                details.push(format!("{where_} is empty"));
                continue;
            }
            Some(other) => {
                details.push(format!("{where_} holds `{}`", shorten(&raw(other))));
                continue;
            }
        };
        if let Some(hit) = markers
            .iter()
            .find(|k| k.sheet == m.sheet && k.cell == m.cell && k.text == text)
        {
            return Ok(hit.id);
        }
        if text.to_ascii_lowercase().starts_with("bpt:") {
            bpt_found.get_or_insert((where_, text));
        } else {
            details.push(format!("{where_} holds `{}`", shorten(&text)));
        }
    }
    if let Some((cell, found)) = bpt_found {
        return Err(ReadError::UnknownVersion {
            path: book.path.to_path_buf(),
            cell,
            found,
            supported: markers.iter().map(|m| m.text.to_string()).collect(),
        });
    }
    if details.is_empty() {
        details.push("no template to recognise it by".into());
    }
    Err(ReadError::UnknownForm {
        path: book.path.to_path_buf(),
        detail: details.join("; "),
        sheets: book.names.clone(),
    })
}

fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// Checks the sheets and reads every field of the layout.
fn read_fields(book: &mut Book<'_>, layout: &Layout) -> Result<Values, ReadError> {
    book.widen(bound_of(layout));
    let unknown: Vec<String> = book
        .names
        .iter()
        .filter(|n| !layout.sheets.iter().any(|s| &s.name == *n))
        .cloned()
        .collect();
    for s in &layout.sheets {
        if !book.has_sheet(&s.name) {
            return Err(ReadError::MissingSheet {
                path: book.path.to_path_buf(),
                form: layout.form.id.clone(),
                sheet: s.name.clone(),
                found: book.names.clone(),
                unknown,
            });
        }
    }
    for s in &layout.sheets {
        book.range(&s.name)?;
    }
    let mut values = Values::with_capacity(layout.fields.len());
    let mut current: Option<(&str, &Cells)> = None;
    for f in &layout.fields {
        let range = match current {
            Some((name, r)) if name == f.sheet => r,
            _ => {
                let Some(r) = book.ranges.get(&f.sheet) else {
                    continue;
                };
                current = Some((&f.sheet, r));
                r
            }
        };
        let Some(data) = range.get_value((f.cell.row, u32::from(f.cell.col))) else {
            continue;
        };
        let v = cell_value(data, f);
        if !v.is_empty() {
            values.set(f.id.clone(), v);
        }
    }
    Ok(values)
}

/// Converts one cell's content to the [`Value`] its field expects.
///
/// Numbers become exact decimals through their shortest round-trip form
/// (the cell `0.1` reads as `0.1`, not `0.1000000000000000055…`); blank and
/// whitespace-only cells are [`Value::Empty`]; anything that is not what the
/// field's kind expects is [`Value::Invalid`] with the sheet, cell and raw
/// content — and, when the cell held a number or a boolean, that
/// [`Original`] content, so that writing the bid back keeps the cell as it
/// was. Nothing is silently changed:
///
/// - a number a [`Decimal`] cannot hold exactly (`1e308`, or
///   `1.2345678901234568E-15` with more than 28 decimal places) is invalid,
///   never rounded;
/// - date cells follow Excel's 1900 date system exactly (see
///   [`excel_serial`]): serial 60 (Excel's 29 February 1900, a day that did
///   not exist), serials outside 1 ..= 2958465 (1900-01-01 ..= 9999-12-31)
///   and a date with a time of day are invalid, keeping the serial; text in
///   a date cell is a date only when it spells one in that range
///   (`2012-02-29`, `2/29/2012`), otherwise it is invalid and stays text.
pub fn cell_value(data: &Data, field: &Field) -> Value {
    let plain = |raw: String, original: Option<Original>| {
        invalid(field, raw, field.kind.expected().to_string(), original)
    };
    match data {
        Data::Empty => return Value::Empty,
        Data::String(s) if s.trim().is_empty() => return Value::Empty,
        Data::Error(e) => return plain(e.to_string(), None),
        _ => {}
    }
    match field.kind {
        Kind::Integer | Kind::Decimal | Kind::Factor | Kind::Percent | Kind::Money => {
            let d = match data {
                Data::Int(i) => Decimal::from(*i),
                Data::Float(f) => match f64_to_decimal(*f) {
                    Some(d) => d,
                    None => return inexact(field, *f),
                },
                other => return plain(raw(other), original_of(other)),
            };
            if field.kind == Kind::Integer && !d.fract().is_zero() {
                return plain(d.normalize().to_string(), original_of(data));
            }
            Value::Number(d)
        }
        // A code typed as a number (`1` for plan ID `001`, `36010` for a
        // county) stays a number, so the format rules can say so: the
        // instructions require these as text with their leading zeros.
        Kind::Code => match data {
            Data::Int(i) => Value::Number(Decimal::from(*i)),
            Data::Float(f) => match f64_to_decimal(*f) {
                Some(d) => Value::Number(d),
                None => inexact(field, *f),
            },
            Data::String(s) => Value::Text(s.clone()),
            Data::Bool(b) => Value::Text(bool_text(*b).to_string()),
            other => plain(raw(other), original_of(other)),
        },
        Kind::Text | Kind::Choice => match data {
            Data::String(s) => Value::Text(s.clone()),
            Data::Int(i) => Value::Text(i.to_string()),
            Data::Float(f) => match f64_to_decimal(*f) {
                Some(d) => Value::Text(d.normalize().to_string()),
                None => inexact(field, *f),
            },
            Data::Bool(b) => Value::Text(bool_text(*b).to_string()),
            other => plain(raw(other), original_of(other)),
        },
        Kind::Date => date_value(data, field),
    }
}

fn invalid(field: &Field, raw: String, expected: String, original: Option<Original>) -> Value {
    Value::Invalid(Invalid {
        sheet: field.sheet.clone(),
        cell: field.cell.to_string(),
        raw,
        expected,
        original,
    })
}

/// A number `bpt` cannot hold exactly: invalid, keeping the number.
fn inexact(field: &Field, f: f64) -> Value {
    invalid(
        field,
        number_text(f),
        format!(
            "{} of at most 28 decimals and magnitude below 7.9E+28",
            field.kind.expected()
        ),
        Some(Original::Number(f)),
    )
}

/// The typed content of a cell that is not text, kept for writing back.
fn original_of(data: &Data) -> Option<Original> {
    match data {
        Data::Float(f) => Some(Original::Number(*f)),
        // `i64` beyond 2^53 has no exact `f64`: keep its text instead.
        Data::Int(i) if i.unsigned_abs() <= 1 << 53 => Some(Original::Number(*i as f64)),
        Data::DateTime(dt) if dt.is_duration() => Some(Original::Number(dt.as_f64())),
        Data::DateTime(dt) => Some(Original::DateSerial(dt.as_f64())),
        Data::DateTimeIso(s) => iso_serial(s).map(Original::DateSerial),
        Data::Bool(b) => Some(Original::Bool(*b)),
        _ => None,
    }
}

/// A date cell's value.
fn date_value(data: &Data, field: &Field) -> Value {
    let serial = match data {
        Data::DateTime(dt) if dt.is_duration() => {
            return invalid(
                field,
                datetime_raw(dt),
                field.kind.expected().to_string(),
                original_of(data),
            );
        }
        Data::DateTime(dt) => serial_1900(dt),
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::DateTimeIso(s) => match iso_serial(s) {
            Some(serial) => serial,
            None => return invalid(field, s.clone(), DATE_RANGE.to_string(), None),
        },
        Data::String(s) => {
            return match parse_date_text(s) {
                Some(d) => Value::Date(d),
                None => invalid(field, s.clone(), field.kind.expected().to_string(), None),
            };
        }
        other => {
            return invalid(
                field,
                raw(other),
                field.kind.expected().to_string(),
                original_of(other),
            );
        }
    };
    let keep = Some(Original::DateSerial(serial));
    match excel_serial(serial) {
        Serial::Date(d) => Value::Date(d),
        Serial::DateTime(dt) => invalid(
            field,
            datetime_text(dt),
            "a date without a time of day".into(),
            keep,
        ),
        Serial::LeapDay => invalid(
            field,
            "1900-02-29".into(),
            "a date that exists (serial 60 is Excel's 29 February 1900, a day that never was)"
                .into(),
            keep,
        ),
        Serial::OutOfRange => invalid(field, num_raw(serial), DATE_RANGE.to_string(), keep),
    }
}

const DATE_RANGE: &str = "a date from 1900-01-01 to 9999-12-31 (Excel date serials 1 to 2958465)";

fn bool_text(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// The raw content of a cell as a person would recognise it.
fn raw(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => num_raw(*f),
        Data::String(s) => s.clone(),
        Data::Bool(b) => bool_text(*b).to_string(),
        Data::DateTime(dt) => datetime_raw(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as a person reads it: plain decimal digits when a [`Decimal`]
/// holds it exactly, else [`number_text`].
fn num_raw(f: f64) -> String {
    match f64_to_decimal(f) {
        Some(d) => d.normalize().to_string(),
        None => number_text(f),
    }
}

/// A number in the scientific form Excel shows for numbers it cannot show
/// in full (`1E+308`, `1.2345678901234568E-15`); shortest round trip, so
/// the text gives back the same `f64`.
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let s = format!("{f:E}");
    match s.split_once('E') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}E+{e}"),
        _ => s,
    }
}

fn datetime_raw(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let secs = (dt.as_f64() * 86_400.0).round();
        if secs.is_finite() && secs.abs() < 1e12 {
            let s = secs as i64;
            let sign = if s < 0 { "-" } else { "" };
            let s = s.abs();
            return format!("{sign}{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
        }
        return number_text(dt.as_f64());
    }
    match excel_serial(serial_1900(dt)) {
        Serial::Date(d) => d.format("%Y-%m-%d").to_string(),
        Serial::DateTime(d) => datetime_text(d),
        Serial::LeapDay => "1900-02-29".into(),
        Serial::OutOfRange => num_raw(dt.as_f64()),
    }
}

fn datetime_text(d: NaiveDateTime) -> String {
    if d.nanosecond() == 0 {
        d.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        d.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
    }
}

/// The serial of a date-styled cell in the 1900 date system (a workbook
/// saved with the 1904 system counts from 1904-01-01, serial 1462).
fn serial_1900(dt: &ExcelDateTime) -> f64 {
    // calamine keeps the 1904 flag private; equality tells it.
    let kind = if dt.is_duration() {
        ExcelDateTimeType::TimeDelta
    } else {
        ExcelDateTimeType::DateTime
    };
    if *dt == ExcelDateTime::new(dt.as_f64(), kind, true) {
        dt.as_f64() + 1462.0
    } else {
        dt.as_f64()
    }
}

/// An `f64` cell value as an exact decimal, through its shortest round-trip
/// decimal form (`0.1` → `0.1`). `None` for NaN, infinities, magnitudes
/// beyond `Decimal`'s range and numbers that need more than its 28 decimal
/// places (`1e-30`, `1.2345678901234568e-15`): only a decimal that gives
/// back the very same `f64` is returned, so nothing is rounded.
pub fn f64_to_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(Decimal::ZERO);
    }
    if f.abs() >= 7.9e28 {
        return None;
    }
    let mut s = String::with_capacity(24);
    let _ = write!(s, "{f}");
    let d = Decimal::from_str(&s).ok().or_else(|| {
        s.clear();
        let _ = write!(s, "{f:e}");
        Decimal::from_scientific(&s).ok()
    })?;
    // `Decimal` rounds digits beyond its 28 decimal places away: exact only
    // when its text gives back `f`.
    s.clear();
    let _ = write!(s, "{d}");
    (s.parse::<f64>().ok() == Some(f)).then_some(d)
}

/// What a serial number means in Excel's 1900 date system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    /// A whole serial from 1 (1900-01-01) to 2958465 (9999-12-31), not 60.
    Date(NaiveDate),
    /// A serial with a fraction: a date and a time of day (to the
    /// millisecond, as Excel shows it).
    DateTime(NaiveDateTime),
    /// Serial 60 (with or without a time): Excel's 29 February 1900, a day
    /// that did not exist — Excel counts 1900 as a leap year, as Lotus 1-2-3
    /// did. No calendar date stands for it.
    LeapDay,
    /// Below 1, from 2958466 on, NaN or infinite: no date.
    OutOfRange,
}

/// Reads an Excel serial in the 1900 date system exactly: serials 1–59 are
/// 1900-01-01 to 1900-02-28, 60 is Excel's fictitious 29 February 1900, and
/// from 61 (1900-03-01) on each serial is one day. Range-checked before any
/// conversion, so no serial can overflow.
///
/// ```
/// use bpt::reader::{excel_serial, Serial};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(excel_serial(59.0), Serial::Date(d(1900, 2, 28)));
/// assert_eq!(excel_serial(60.0), Serial::LeapDay);
/// assert_eq!(excel_serial(61.0), Serial::Date(d(1900, 3, 1)));
/// assert_eq!(
///     excel_serial(40909.5),
///     Serial::DateTime(d(2012, 1, 1).and_hms_opt(12, 0, 0).unwrap())
/// );
/// assert_eq!(excel_serial(-1e16), Serial::OutOfRange);
/// ```
pub fn excel_serial(serial: f64) -> Serial {
    if !(1.0..2_958_466.0).contains(&serial) {
        return Serial::OutOfRange;
    }
    let day = serial.floor();
    let frac = serial - day;
    // In range: 1 ..= 2958465.
    let day = day as i64;
    if day == 60 {
        return Serial::LeapDay;
    }
    let (epoch, offset) = if day < 60 {
        (NaiveDate::from_ymd_opt(1899, 12, 31), day)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30), day)
    };
    let Some(date) = epoch.and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(offset)))
    else {
        return Serial::OutOfRange;
    };
    if frac == 0.0 {
        return Serial::Date(date);
    }
    // frac is in (0, 1): at most 86,400,000 ms, shown to the millisecond.
    let ms = ((frac * 86_400_000.0).round() as u32).min(86_399_999);
    match NaiveTime::from_num_seconds_from_midnight_opt(ms / 1000, (ms % 1000) * 1_000_000) {
        Some(t) => Serial::DateTime(date.and_time(t)),
        None => Serial::OutOfRange,
    }
}

/// An Excel serial date (1900 date system) as a date: `None` unless the
/// serial is a whole day from 1 (1900-01-01) to 2958465 (9999-12-31) other
/// than 60 (see [`excel_serial`]).
pub fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    match excel_serial(serial) {
        Serial::Date(d) => Some(d),
        _ => None,
    }
}

/// The 1900-system serial of a date (1900-01-01 ..= 9999-12-31), the
/// inverse of [`excel_serial`]: `None` for any other date.
///
/// ```
/// use chrono::NaiveDate;
/// use bpt::reader::day_serial;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(day_serial(d(1900, 1, 1)), Some(1));
/// assert_eq!(day_serial(d(1900, 2, 28)), Some(59)); // 60 is Excel's 29 Feb 1900
/// assert_eq!(day_serial(d(1900, 3, 1)), Some(61));
/// assert_eq!(day_serial(d(2011, 1, 1)), Some(40544));
/// assert_eq!(day_serial(d(9999, 12, 31)), Some(2958465));
/// assert_eq!(day_serial(d(1899, 12, 31)), None);
/// ```
pub fn day_serial(d: NaiveDate) -> Option<i64> {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1)?;
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?;
    if d < first || d > last {
        return None;
    }
    let march = NaiveDate::from_ymd_opt(1900, 3, 1)?;
    let epoch = if d < march {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    Some(d.signed_duration_since(epoch).num_days())
}

/// [`day_serial`] as the float calamine's cells carry.
fn date_serial(d: NaiveDate) -> Option<f64> {
    // At most 2958465: exact in an f64.
    day_serial(d).map(|n| n as f64)
}

/// The serial of an ISO date or date-time (`2012-01-01`,
/// `2012-01-01T12:00:00`, as `.ods` files store them).
fn iso_serial(s: &str) -> Option<f64> {
    let s = s.trim();
    let dt = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN)))
        .ok()?;
    let day = date_serial(dt.date())?;
    let secs = f64::from(dt.time().num_seconds_from_midnight());
    let nanos = f64::from(dt.time().nanosecond());
    Some(day + (secs + nanos / 1e9) / 86_400.0)
}

/// Parses a date typed as text: `2012-02-29` or `2/29/2012`, from
/// 1900-01-01 to 9999-12-31 (what an Excel date cell can hold).
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%m/%d/%Y"))
        .ok()
        .filter(|d| date_serial(*d).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_markers_come_from_the_form_head_alone() {
        // What the head gives is what the whole template says.
        let ms = builtin_markers();
        assert_eq!(ms.len(), template::BUILTIN.len());
        for ((id, text), m) in template::BUILTIN.iter().zip(ms) {
            let head = template::form_head(text);
            assert!(
                head.len() < text.len() / 10,
                "{id}: head of {} bytes",
                head.len()
            );
            let l = template::builtin_cached(id).unwrap();
            assert_eq!(m.id, *id);
            assert_eq!(m.sheet, l.form.marker_sheet);
            assert_eq!(m.cell, (l.form.marker_cell.row, l.form.marker_cell.col));
            assert_eq!(m.text, l.form.marker_text);
        }
        assert_eq!(
            template::form_head("[form]\na = 1\n[form.x]\nb = 2\n[[sheet]]\n"),
            "[form]\na = 1\n[form.x]\nb = 2\n"
        );
    }
    use calamine::CellErrorType;
    use rust_decimal_macros::dec;

    fn field(kind: Kind) -> Field {
        let toml = format!(
            r#"
[form]
id = "t"
family = "ma"
title = "T"
contract_year = 2013
[form.marker]
sheet = "S"
cell = "A1"
text = "bpt:t:v1"
[[sheet]]
name = "S"
[[sheet.field]]
id = "x"
cell = "D5"
label = "X"
kind = "{kind}"
role = "input"
{extra}
"#,
            extra = match kind {
                Kind::Code => "pattern = \"^.*$\"",
                Kind::Choice => "choices = [\"A\"]",
                _ => "",
            }
        );
        let l = Layout::from_toml(&toml).unwrap();
        l.field("x").unwrap().clone()
    }

    fn inv(v: &Value) -> &Invalid {
        v.as_invalid()
            .unwrap_or_else(|| panic!("not invalid: {v:?}"))
    }

    #[test]
    fn numbers_round_trip_exactly() {
        let f = field(Kind::Money);
        for (x, d) in [
            (0.1, dec!(0.1)),
            (1234.5, dec!(1234.5)),
            (0.7333333333333333, dec!(0.7333333333333333)),
            (1e-7, dec!(0.0000001)),
            (123456789.12, dec!(123456789.12)),
            (-2.8, dec!(-2.8)),
            (-0.0, dec!(0)),
        ] {
            assert_eq!(cell_value(&Data::Float(x), &f), Value::Number(d), "{x}");
        }
        assert_eq!(cell_value(&Data::Int(-7), &f), Value::Number(dec!(-7)));
        assert_eq!(f64_to_decimal(f64::NAN), None);
        assert_eq!(f64_to_decimal(1e300), None);
        let v = cell_value(&Data::Float(f64::INFINITY), &f);
        assert_eq!(inv(&v).raw, "inf");
        assert_eq!(
            f64_to_decimal(1e28),
            Some(dec!(10000000000000000000000000000))
        );
        assert_eq!(
            f64_to_decimal(1e-28),
            Some(dec!(0.0000000000000000000000000001))
        );
    }

    #[test]
    fn numbers_decimal_cannot_hold_are_invalid_and_kept() {
        let f = field(Kind::Money);
        for (x, raw) in [
            (1e308, "1E+308"),
            (-7.9e28, "-7.9E+28"),
            (1.2345678901234568e-15, "1.2345678901234568E-15"),
            (1e-30, "1E-30"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        ] {
            assert_eq!(f64_to_decimal(x), None, "{x}");
            let v = cell_value(&Data::Float(x), &f);
            let i = inv(&v);
            assert_eq!(i.raw, raw);
            assert_eq!(
                i.expected,
                "a dollar amount (number) of at most 28 decimals and magnitude below 7.9E+28"
            );
            assert_eq!(i.original, Some(Original::Number(x)));
            assert_eq!(
                raw.parse::<f64>().unwrap(),
                x,
                "raw text gives the number back"
            );
        }
        for k in [Kind::Code, Kind::Text] {
            let v = cell_value(&Data::Float(1e308), &field(k));
            assert_eq!(inv(&v).raw, "1E+308");
            assert_eq!(inv(&v).original, Some(Original::Number(1e308)));
        }
        // Non-number content keeps its type for writing back.
        let v = cell_value(&Data::Bool(true), &f);
        assert_eq!(inv(&v).original, Some(Original::Bool(true)));
        let v = cell_value(&Data::String("12".into()), &f);
        assert_eq!(inv(&v).original, None);
        let dt = ExcelDateTime::new(40909.0, ExcelDateTimeType::DateTime, false);
        let v = cell_value(&Data::DateTime(dt), &f);
        assert_eq!(inv(&v).original, Some(Original::DateSerial(40909.0)));
        let v = cell_value(&Data::Float(2013.5), &field(Kind::Integer));
        assert_eq!(inv(&v).original, Some(Original::Number(2013.5)));
    }

    #[test]
    fn dates_follow_excel_1900_system_exactly() {
        let f = field(Kind::Date);
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let styled =
            |x: f64| Data::DateTime(ExcelDateTime::new(x, ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_value(&styled(59.0), &f), Value::Date(d(1900, 2, 28)));
        assert_eq!(cell_value(&styled(61.0), &f), Value::Date(d(1900, 3, 1)));
        assert_eq!(
            cell_value(&styled(2958465.0), &f),
            Value::Date(d(9999, 12, 31))
        );
        // Serial 60: Excel's 29 February 1900.
        let v = cell_value(&styled(60.0), &f);
        assert_eq!(inv(&v).raw, "1900-02-29");
        assert_eq!(
            inv(&v).expected,
            "a date that exists (serial 60 is Excel's 29 February 1900, a day that never was)"
        );
        assert_eq!(inv(&v).original, Some(Original::DateSerial(60.0)));
        // A time of day is kept, never dropped.
        let v = cell_value(&styled(40909.5), &f);
        assert_eq!(inv(&v).raw, "2012-01-01 12:00:00");
        assert_eq!(inv(&v).expected, "a date without a time of day");
        assert_eq!(inv(&v).original, Some(Original::DateSerial(40909.5)));
        let v = cell_value(&Data::Float(40909.0 + 1.0 / 86_400_000.0), &f);
        assert_eq!(inv(&v).raw, "2012-01-01 00:00:00.001");
        // Impossible serials, however extreme: invalid, kept, no panic.
        for (x, raw) in [
            (-1.0, "-1"),
            (0.0, "0"),
            (0.5, "0.5"),
            (2958466.0, "2958466"),
            (-1e16, "-10000000000000000"),
            (1e16, "10000000000000000"),
            (f64::MAX, "1.7976931348623157E+308"),
            (f64::MIN, "-1.7976931348623157E+308"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "NaN"),
        ] {
            for data in [styled(x), Data::Float(x)] {
                let v = cell_value(&data, &f);
                assert_eq!(inv(&v).raw, raw, "{x}");
                assert_eq!(inv(&v).expected, DATE_RANGE);
                assert_eq!(inv(&v).original, Some(Original::DateSerial(x)), "{x}");
            }
            // The same serial in any other field: no panic either.
            let _ = cell_value(&styled(x), &field(Kind::Money));
            let _ = cell_value(&styled(x), &field(Kind::Text));
        }
        // A 1904-system workbook counts from 1904-01-01.
        let dt = ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(
            cell_value(&Data::DateTime(dt), &f),
            Value::Date(d(1904, 1, 1))
        );
        // Text that is no Excel date stays text, invalid.
        for t in ["1899-12-31", "1900-02-29", "10000-01-01", "0000-01-01"] {
            let v = cell_value(&Data::String(t.into()), &f);
            assert_eq!(inv(&v).raw, t);
            assert_eq!(inv(&v).original, None);
        }
        // .ods date-times.
        let v = cell_value(&Data::DateTimeIso("2012-01-01T12:00:00".into()), &f);
        assert_eq!(inv(&v).raw, "2012-01-01 12:00:00");
        assert_eq!(inv(&v).original, Some(Original::DateSerial(40909.5)));
        assert_eq!(
            cell_value(&Data::DateTimeIso("1900-02-28".into()), &f),
            Value::Date(d(1900, 2, 28))
        );
    }

    #[test]
    fn numeric_kinds_reject_what_is_not_a_number() {
        let f = field(Kind::Money);
        let v = cell_value(&Data::String("abc".into()), &f);
        let i = inv(&v);
        assert_eq!(
            (i.sheet.as_str(), i.cell.as_str(), i.raw.as_str()),
            ("S", "D5", "abc")
        );
        assert_eq!(i.expected, "a dollar amount (number)");
        assert_eq!(cell_value(&Data::String("  ".into()), &f), Value::Empty);
        assert_eq!(cell_value(&Data::String(String::new()), &f), Value::Empty);
        let v = cell_value(&Data::Error(CellErrorType::Div0), &f);
        assert_eq!(inv(&v).raw, "#DIV/0!");
        let v = cell_value(&Data::Error(CellErrorType::NA), &f);
        assert_eq!(inv(&v).raw, "#N/A");
        let v = cell_value(&Data::Bool(true), &f);
        assert_eq!(inv(&v).raw, "TRUE");
        let dt = ExcelDateTime::new(40909.0, ExcelDateTimeType::DateTime, false);
        let v = cell_value(&Data::DateTime(dt), &f);
        assert_eq!(inv(&v).raw, "2012-01-01");
        let v = cell_value(&Data::DateTimeIso("2012-01-01".into()), &f);
        assert_eq!(inv(&v).raw, "2012-01-01");
        let f = field(Kind::Integer);
        assert_eq!(
            cell_value(&Data::Float(2013.0), &f),
            Value::Number(dec!(2013))
        );
        let v = cell_value(&Data::Float(2013.5), &f);
        assert_eq!(inv(&v).raw, "2013.5");
        assert_eq!(inv(&v).expected, "a whole number");
    }

    #[test]
    fn codes_typed_as_numbers_stay_numbers() {
        // So F002/F014 can say "entered as a number": plan ID `1` for `001`.
        let f = field(Kind::Code);
        assert_eq!(cell_value(&Data::Float(1.0), &f), Value::Number(dec!(1)));
        assert_eq!(
            cell_value(&Data::Int(36010), &f),
            Value::Number(dec!(36010))
        );
        assert_eq!(
            cell_value(&Data::String("001".into()), &f),
            Value::Text("001".into())
        );
    }

    #[test]
    fn text_kinds_take_numbers_as_their_shortest_text() {
        for k in [Kind::Text, Kind::Code, Kind::Choice] {
            let f = field(k);
            if k != Kind::Code {
                assert_eq!(cell_value(&Data::Float(1.0), &f), Value::Text("1".into()));
                assert_eq!(cell_value(&Data::Int(800), &f), Value::Text("800".into()));
                assert_eq!(cell_value(&Data::Float(0.1), &f), Value::Text("0.1".into()));
            }
            assert_eq!(
                cell_value(&Data::String(" H1234 ".into()), &f),
                Value::Text(" H1234 ".into())
            );
            assert_eq!(
                cell_value(&Data::Bool(false), &f),
                Value::Text("FALSE".into())
            );
            let dt = ExcelDateTime::new(40909.5, ExcelDateTimeType::DateTime, false);
            let v = cell_value(&Data::DateTime(dt), &f);
            assert_eq!(inv(&v).raw, "2012-01-01 12:00:00");
            assert_eq!(inv(&v).expected, k.expected());
            let v = cell_value(&Data::Error(CellErrorType::Ref), &f);
            assert_eq!(inv(&v).raw, "#REF!");
        }
    }

    #[test]
    fn dates_from_every_representation() {
        let f = field(Kind::Date);
        let d = NaiveDate::from_ymd_opt(2011, 12, 31).unwrap();
        let dt = ExcelDateTime::new(40908.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_value(&Data::DateTime(dt), &f), Value::Date(d));
        let dt = ExcelDateTime::new(39446.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(cell_value(&Data::DateTime(dt), &f), Value::Date(d));
        assert_eq!(cell_value(&Data::Float(40908.0), &f), Value::Date(d));
        assert_eq!(cell_value(&Data::Int(40908), &f), Value::Date(d));
        assert_eq!(
            cell_value(&Data::DateTimeIso("2011-12-31T00:00:00".into()), &f),
            Value::Date(d)
        );
        for s in ["2011-12-31", "12/31/2011", " 12/31/2011 "] {
            assert_eq!(cell_value(&Data::String(s.into()), &f), Value::Date(d));
        }
        assert_eq!(
            cell_value(&Data::String("1/1/2011".into()), &f),
            Value::Date(NaiveDate::from_ymd_opt(2011, 1, 1).unwrap())
        );
        assert_eq!(serial_to_date(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(serial_to_date(1.0), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(serial_to_date(0.0), None);
        assert_eq!(serial_to_date(-5.0), None);
        assert_eq!(serial_to_date(60.0), None);
        assert_eq!(serial_to_date(40909.5), None);
        for bad in [
            Data::String("31.12.2011".into()),
            Data::String("2011-02-30".into()),
            Data::Float(-1.0),
            Data::Bool(true),
            Data::Error(CellErrorType::Value),
            Data::DateTime(ExcelDateTime::new(0.5, ExcelDateTimeType::TimeDelta, false)),
        ] {
            let v = cell_value(&bad, &f);
            assert!(inv(&v).expected.starts_with("a date"), "{bad:?}");
        }
        let v = cell_value(
            &Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false)),
            &f,
        );
        assert_eq!(inv(&v).raw, "36:00:00");
    }

    #[test]
    fn errors_name_the_file_and_exit_2() {
        let e = ReadError::MissingSheet {
            path: "bids/a.xlsx".into(),
            form: "ma-bpt-2013".into(),
            sheet: "WS3".into(),
            found: vec!["WS1".into(), "WS2".into(), "Cost sharing".into()],
            unknown: vec!["Cost sharing".into()],
        };
        let m = e.to_string();
        assert!(m.starts_with("bids/a.xlsx: sheet `WS3`"), "{m}");
        assert!(m.contains("renamed? `Cost sharing` is not a sheet"), "{m}");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.path(), Path::new("bids/a.xlsx"));
    }

    #[test]
    fn a_file_that_is_not_a_spreadsheet_is_described_not_echoed() {
        assert_eq!(looks_like(b""), "it is empty");
        assert_eq!(looks_like(b"%PDF-1.7 secret"), "it is a PDF document");
        assert!(looks_like(b"  <html><body>").starts_with("it looks like an HTML or XML file"));
        // An environment dump reads as text; none of it reaches the message.
        let env = b"PATH=/usr/bin\0HOME=/root\0";
        assert_eq!(looks_like(env), "it has no zip or OLE signature");
        let csv = "Contract,Plan\nH1234,001\n".repeat(40);
        assert_eq!(
            looks_like(&csv.as_bytes()[..csv.len().min(600)]),
            "it looks like a text file (CSV?); save the workbook as .xlsx"
        );
        // A character cut by the 512-byte window is still text.
        let mut e = "é".repeat(300).into_bytes();
        e.truncate(511);
        assert!(looks_like(&e).starts_with("it looks like a text file"));
    }
}
