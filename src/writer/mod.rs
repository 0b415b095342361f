//! Writing the form: the blank BPT workbook of a template, or a filled bid
//! from [`Values`].
//!
//! The workbook is laid out entirely from the [`Layout`]:
//!
//! - one worksheet per template sheet, in template order and named as in
//!   the template; the version marker at its cell; the sheet's `title` in
//!   row 1 (cell B1, or the next free cell of row 1 when B1 is taken;
//!   skipped when a static text of the sheet already reads the same);
//!   static texts in their style; table column headers on `header_row` as
//!   `(letter) header`; row keys in `key_col`; row labels (and total-line
//!   labels, bold) in `label_col`;
//! - field cells by role: `input` unlocked and shaded [`INPUT_FILL`],
//!   `cms` unlocked and shaded [`CMS_FILL`] holding the template `value`,
//!   `calc` locked holding `=formula`, `default` unlocked and shaded
//!   [`DEFAULT_FILL`] holding `=formula`; the field's number format; code
//!   fields as text (format `@`, values written as strings);
//! - data validations: a dropdown for every choice field (inline, or — when
//!   the list is over Excel's 255-character limit or an item holds a comma —
//!   a reference to a column of the hidden sheet [`LISTS_SHEET`], which is
//!   not a template sheet and which readers ignore); whole-number or decimal
//!   ranges for numeric fields with `min`/`max`; the field's `note` as the
//!   input message;
//! - every template sheet protected without a password (unlocked cells stay
//!   editable, columns and rows can be resized), workbook-scope defined
//!   names for fields with `name`, frozen panes, column widths;
//! - fixed document properties (creation time [`WriteOptions::created`]),
//!   so the same inputs always give byte-identical files.
//!
//! With `values` (a filled bid), entered fields (`input`, `cms`) hold their
//! value, typed: numbers as numbers, text as strings (codes always as
//! strings), dates as dates, invalid content as its raw text so nothing is
//! lost. A `cms` field without a value keeps the template's `value`.
//! Calculated fields always hold their formula; a value in `values` is
//! stored as the formula's cached result, which is what readers that do not
//! recalculate (calamine) see.
//!
//! **Default fields and overrides.** A `default` field holds its formula
//! unless its id is in [`WriteOptions::default_overrides`] *and* `values`
//! has a value for it: then the value is written as a constant, as the
//! actuary typed it over the formula. Listing every overwritten default
//! cell is up to the caller (the reader knows which cells held a constant).
//!
//! [`build_workbook`] returns the workbook before saving, so a later step
//! can add to it (the annotate step's `Findings` sheet, fills, notes).
//! [`WriteOptions`] carries the hooks for that: per-field fills and notes
//! ([`CellDecoration`]) and simple text sheets placed before the form
//! ([`ExtraSheet`]). Save such a workbook with [`finish_workbook`] (not
//! `Workbook::save_to_buffer`), which also keeps text results that look
//! like numbers as text.
//!
//! ```
//! use bpt::template::Layout;
//! use bpt::value::Values;
//! use bpt::writer::{write_form, WriteOptions};
//! let layout = Layout::from_toml(include_str!("../../tests/fixtures/mini-form.toml")).unwrap();
//! let bytes = write_form(&layout, &Values::default(), &WriteOptions::default()).unwrap();
//! assert_eq!(&bytes[..2], b"PK");
//! ```

mod fixup;
pub mod print;
mod save;
mod style;
mod validation;

pub use save::{SaveGuard, file_identity, install_signal_cleanup, save_atomic};

use crate::cellref::CellRef;
use crate::template::{Field, Kind, Layout, Role, Sheet};
use crate::value::{Original, Value, Values};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::Decimal;
pub use rust_xlsxwriter::Color;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Formula, Note, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;
use style::CellUse;

/// Shading of `input` cells (light yellow).
pub const INPUT_FILL: Color = Color::RGB(0xFFF2CC);
/// Shading of `cms` cells (light blue).
pub const CMS_FILL: Color = Color::RGB(0xDDEBF7);
/// Shading of `default` cells (light green).
pub const DEFAULT_FILL: Color = Color::RGB(0xE2EFDA);
/// Name of the hidden sheet holding dropdown lists too long to write inline.
/// Not a template sheet: readers ignore it.
pub const LISTS_SHEET: &str = "Lists";

/// Extra decoration of one field's cell (used by the annotate step).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellDecoration {
    /// Fill colour, replacing the role's shading.
    pub fill: Option<Color>,
    /// A note (comment) attached to the cell.
    pub note: Option<String>,
}

/// A plain text sheet written before the form's sheets (e.g. `Findings`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraSheet {
    /// Sheet name; must not clash with a template sheet or [`LISTS_SHEET`].
    pub name: String,
    /// Title in A1 (style `title`); when empty the header starts in row 1.
    pub title: String,
    /// Column headers (bold, shaded, frozen); may be empty.
    pub header: Vec<String>,
    /// Rows of text, written as strings (never as formulas).
    pub rows: Vec<Vec<String>>,
    /// Column widths in characters, from column A.
    pub widths: Vec<f64>,
}

/// How to write the form.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Creation time stamped in the document properties. Fixed by default
    /// (2013-01-01 00:00:00) so the same inputs give byte-identical files.
    pub created: NaiveDateTime,
    /// Ids of `default` fields whose value in `values` is written as a
    /// constant instead of the formula (the actuary overwrote it).
    pub default_overrides: BTreeSet<String>,
    /// Fills and notes by field id.
    pub cell_style: HashMap<String, CellDecoration>,
    /// Text sheets placed before the form's sheets, in order.
    pub first_sheets: Vec<ExtraSheet>,
    /// Write calculated cells as their values instead of formulas (a
    /// finalized workbook).
    pub values_only: bool,
    /// Row ranges left out entirely (texts, labels and fields): `(sheet,
    /// first row, last row)`, zero-based and inclusive.
    pub omit_rows: Vec<(String, u32, u32)>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            created: NaiveDate::from_ymd_opt(2013, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default(),
            default_overrides: BTreeSet::new(),
            cell_style: HashMap::new(),
            first_sheets: Vec::new(),
            values_only: false,
            omit_rows: Vec::new(),
        }
    }
}

/// How an input is named in a refusal: `bpt.toml` is the configuration,
/// anything else a workbook.
fn input_kind(input: &std::path::Path) -> &'static str {
    if input.file_name().is_some_and(|n| n == "bpt.toml") {
        "configuration"
    } else {
        "workbook"
    }
}

/// Why the form could not be written or saved.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The template holds something the writer cannot lay out.
    #[error("template {template}: {message}")]
    Template {
        /// Template id.
        template: String,
        /// What is wrong, naming the sheet and cell.
        message: String,
    },
    /// Values or options name a field the template does not have (or one
    /// of the wrong role).
    #[error("{what}: `{id}` {problem} in template {template}")]
    Field {
        /// Template id.
        template: String,
        /// The field id.
        id: String,
        /// Where the id came from (`values`, `cell_style`, …).
        what: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// rust_xlsxwriter refused something.
    #[error("cannot write {place}: {source}")]
    Xlsx {
        /// Sheet, cell and field concerned.
        place: String,
        /// The library's error.
        #[source]
        source: XlsxError,
    },
    /// The saved package could not be finished.
    #[error("cannot finish the workbook: {0}")]
    Package(String),
    /// The output is an input: a workbook, or the `bpt.toml` that was loaded.
    #[error("refusing to write {}: it is the input {} {}", out.display(), input_kind(input), input.display())]
    WouldOverwriteInput {
        /// The output path.
        out: PathBuf,
        /// The input path it resolves to.
        input: PathBuf,
    },
    /// The output is a symlink, directory, FIFO, device or socket, which
    /// `bpt` never replaces, even with `--force`.
    #[error(
        "refusing to write {}: it is {kind}, not a regular file (bpt never replaces one, even with --force)",
        path.display()
    )]
    NotRegular {
        /// The output path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The output exists and overwriting was not asked for.
    #[error("{} already exists (use --force to replace it)", path.display())]
    Exists {
        /// The output path.
        path: PathBuf,
    },
    /// A file-system error.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The output path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

fn xl(place: impl Into<String>) -> impl FnOnce(XlsxError) -> WriteError {
    let place = place.into();
    move |source| WriteError::Xlsx { place, source }
}

fn field_place(f: &Field) -> String {
    format!("{}!{} ({})", f.sheet, f.cell, f.id)
}

/// Lays out the form (filled with `values`, blank when `values` is empty)
/// and returns the workbook unsaved. Save it with [`finish_workbook`].
pub fn build_workbook(
    layout: &Layout,
    values: &Values,
    opts: &WriteOptions,
) -> Result<Workbook, WriteError> {
    check_ids(layout, values, opts)?;
    let tid = &layout.form.id;
    let mut wb = Workbook::new();
    wb.set_properties(&properties(layout, opts)?);
    for x in &opts.first_sheets {
        if x.name == LISTS_SHEET || layout.sheets.iter().any(|s| s.name == x.name) {
            return Err(WriteError::Template {
                template: tid.clone(),
                message: format!(
                    "extra sheet `{}` has the name of a sheet of the form",
                    x.name
                ),
            });
        }
        write_extra(wb.add_worksheet(), x)?;
    }
    let mut lists = validation::Lists::default();
    for sheet in &layout.sheets {
        if sheet.name == LISTS_SHEET {
            return Err(WriteError::Template {
                template: tid.clone(),
                message: format!("sheet `{LISTS_SHEET}` is reserved for dropdown lists"),
            });
        }
        write_sheet(wb.add_worksheet(), layout, sheet, values, opts, &mut lists)?;
    }
    if !lists.columns.is_empty() {
        write_lists(wb.add_worksheet(), &lists)?;
    }
    for f in &layout.fields {
        if let Some(name) = &f.name {
            let target = format!("={}!{}", sheet_ref(&f.sheet), f.cell.absolute());
            wb.define_name(name.as_str(), &target)
                .map_err(xl(format!("defined name `{name}` for {}", field_place(f))))?;
        }
    }
    Ok(wb)
}

/// Saves a workbook made by [`build_workbook`] (and possibly added to) into
/// bytes. Pass the same `layout`, `values` and `opts`: formula cells whose
/// cached result is text that rust_xlsxwriter would store as a number,
/// boolean or error (`"001"`, `"TRUE"`) get their text back.
pub fn finish_workbook(
    wb: &mut Workbook,
    layout: &Layout,
    values: &Values,
    opts: &WriteOptions,
) -> Result<Vec<u8>, WriteError> {
    let bytes = wb.save_to_buffer().map_err(xl("the workbook"))?;
    let fixes: Vec<fixup::TextResult> = layout
        .fields
        .iter()
        .filter(|f| writes_formula(f, values, opts))
        .filter_map(|f| match values.get(&f.id) {
            Value::Text(t) if fixup::needs_fix(t) => Some(fixup::TextResult {
                sheet: f.sheet.clone(),
                cell: f.cell,
                text: t.clone(),
            }),
            _ => None,
        })
        .collect();
    fixup::apply(bytes, &fixes).map_err(WriteError::Package)
}

/// Writes the form into bytes (an `.xlsx` package).
pub fn write_form(
    layout: &Layout,
    values: &Values,
    opts: &WriteOptions,
) -> Result<Vec<u8>, WriteError> {
    let mut wb = build_workbook(layout, values, opts)?;
    finish_workbook(&mut wb, layout, values, opts)
}

fn check_ids(layout: &Layout, values: &Values, opts: &WriteOptions) -> Result<(), WriteError> {
    let err = |what: &'static str, id: &str, problem: &str| WriteError::Field {
        template: layout.form.id.clone(),
        id: id.to_string(),
        what,
        problem: problem.to_string(),
    };
    for (id, _) in values.iter() {
        if layout.field(id).is_none() {
            return Err(err("values", id, "is not a field"));
        }
    }
    let mut styled: Vec<&String> = opts.cell_style.keys().collect();
    styled.sort();
    for id in styled {
        if layout.field(id).is_none() {
            return Err(err("cell_style", id, "is not a field"));
        }
    }
    for id in &opts.default_overrides {
        match layout.field(id) {
            None => return Err(err("default_overrides", id, "is not a field")),
            Some(f) if f.role != Role::Default => {
                return Err(err(
                    "default_overrides",
                    id,
                    "is not a field of role `default`",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn excel_datetime(dt: NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let d = dt.date();
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(0),
        d.month() as u8,
        d.day() as u8,
    )?
    .and_hms(dt.hour() as u16, dt.minute() as u8, dt.second())
}

fn properties(layout: &Layout, opts: &WriteOptions) -> Result<DocProperties, WriteError> {
    let created = excel_datetime(opts.created).map_err(xl(format!(
        "the document properties (creation time {})",
        opts.created
    )))?;
    Ok(DocProperties::new()
        .set_title(&layout.form.title)
        .set_subject(format!(
            "{} (contract year {})",
            layout.form.id, layout.form.contract_year
        ))
        .set_author("bpt")
        .set_comment(&layout.form.marker_text)
        .set_creation_datetime(&created))
}

/// `WS1`, or `'Sheet 1'` for names that need quoting in formulas.
fn sheet_ref(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// Whether the field's cell holds its formula (calc always; default unless overridden).
fn writes_formula(f: &Field, values: &Values, opts: &WriteOptions) -> bool {
    if opts.values_only {
        return false;
    }
    match f.role {
        Role::Calc => true,
        Role::Default => !opts.default_overrides.contains(&f.id) || values.get(&f.id).is_empty(),
        Role::Input | Role::Cms => false,
    }
}

/// A date as Excel stores it, if Excel can (years 1900–9999).
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let y = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
}

/// A decimal as the nearest `f64` (through its exact decimal text, so the
/// conversion is correctly rounded and `f64`'s shortest text gives it back).
fn dec_to_f64(d: Decimal) -> f64 {
    d.normalize().to_string().parse().unwrap_or(0.0)
}

/// The cached result written with a formula.
fn cached_result(v: &Value) -> Option<String> {
    match v {
        Value::Empty => None,
        Value::Number(d) => Some(d.normalize().to_string()),
        Value::Text(s) => Some(s.clone()),
        Value::Date(d) => Some(match excel_date(*d) {
            Some(x) => x.to_excel().to_string(),
            None => d.format("%Y-%m-%d").to_string(),
        }),
        Value::Invalid(i) => Some(match i.original {
            Some(Original::Number(x) | Original::DateSerial(x)) if x.is_finite() => number_xml(x),
            _ => i.raw.clone(),
        }),
    }
}

/// A number as the text of a cell's `<v>`: shortest round trip, in
/// scientific form when the plain form would be long (`1E308`, not 309
/// digits).
fn number_xml(x: f64) -> String {
    let plain = x.to_string();
    if plain.len() <= 24 {
        plain
    } else {
        format!("{x:E}")
    }
}

/// The template's pre-populated value of a field, typed by its kind.
fn template_value(f: &Field) -> Result<Value, String> {
    let Some(s) = f.value.as_deref() else {
        return Ok(Value::Empty);
    };
    let t = s.trim();
    if f.kind.is_numeric() {
        Decimal::from_str(t)
            .or_else(|_| Decimal::from_scientific(t))
            .map(Value::Number)
            .map_err(|_| {
                format!(
                    "{}: value `{s}` is not {}",
                    field_place(f),
                    f.kind.expected()
                )
            })
    } else if f.kind == Kind::Date {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(t, "%m/%d/%Y"))
            .map(Value::Date)
            .map_err(|_| format!("{}: value `{s}` is not a date (YYYY-MM-DD)", field_place(f)))
    } else {
        Ok(Value::Text(s.to_string()))
    }
}

fn write_value(ws: &mut Worksheet, f: &Field, v: &Value, fmt: &Format) -> Result<(), WriteError> {
    let (row, col) = (f.cell.row, f.cell.col);
    let r = match v {
        Value::Empty => ws.write_blank(row, col, fmt),
        Value::Number(d) if matches!(f.kind, Kind::Code) => {
            ws.write_string_with_format(row, col, d.normalize().to_string(), fmt)
        }
        Value::Number(d) => ws.write_number_with_format(row, col, dec_to_f64(*d), fmt),
        Value::Text(s) => ws.write_string_with_format(row, col, s, fmt),
        Value::Date(d) => match excel_date(*d) {
            Some(x) if f.kind == Kind::Date => ws.write_datetime_with_format(row, col, &x, fmt),
            Some(x) => ws.write_datetime_with_format(row, col, &x, &style::with_date_format(fmt)),
            None => ws.write_string_with_format(row, col, d.format("%Y-%m-%d").to_string(), fmt),
        },
        // Invalid content goes back as the cell held it: a number stays that
        // number (also a date-styled one, in a date format), a boolean a
        // boolean; text and error values as their text.
        Value::Invalid(i) => match i.original {
            Some(Original::Number(x)) if x.is_finite() => {
                ws.write_number_with_format(row, col, x, fmt)
            }
            Some(Original::DateSerial(x)) if x.is_finite() && f.kind == Kind::Date => {
                ws.write_number_with_format(row, col, x, fmt)
            }
            Some(Original::DateSerial(x)) if x.is_finite() => {
                ws.write_number_with_format(row, col, x, &style::with_date_format(fmt))
            }
            Some(Original::Bool(b)) => ws.write_boolean_with_format(row, col, b, fmt),
            _ => ws.write_string_with_format(row, col, &i.raw, fmt),
        },
    };
    r.map(|_| ()).map_err(xl(field_place(f)))
}

fn write_field(
    ws: &mut Worksheet,
    layout: &Layout,
    f: &Field,
    values: &Values,
    opts: &WriteOptions,
    wrap: bool,
) -> Result<(), WriteError> {
    let deco = opts.cell_style.get(&f.id);
    let fill = deco.and_then(|d| d.fill);
    let v = values.get(&f.id);
    if writes_formula(f, values, opts) {
        let formula = f.formula.as_deref().ok_or_else(|| WriteError::Template {
            template: layout.form.id.clone(),
            message: format!("{}: calculated field has no formula", field_place(f)),
        })?;
        let mut fm = Formula::new(format!("={formula}"));
        if let Some(r) = cached_result(v) {
            fm = fm.set_result(r);
        }
        let fmt = style::field_format(f, CellUse::Formula, fill);
        ws.write_formula_with_format(f.cell.row, f.cell.col, fm, &fmt)
            .map_err(xl(field_place(f)))?;
    } else {
        let fmt = style::field_format(f, CellUse::Entry, fill);
        let fmt = if wrap {
            fmt.set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top)
        } else {
            fmt
        };
        if v.is_empty() {
            let tv = template_value(f).map_err(|message| WriteError::Template {
                template: layout.form.id.clone(),
                message,
            })?;
            write_value(ws, f, &tv, &fmt)?;
        } else {
            write_value(ws, f, v, &fmt)?;
        }
    }
    if let Some(text) = deco.and_then(|d| d.note.as_deref()) {
        let note = Note::new(text).set_author("bpt").add_author_prefix(false);
        ws.insert_note(f.cell.row, f.cell.col, &note)
            .map_err(xl(format!("the note of {}", field_place(f))))?;
    }
    Ok(())
}

fn write_sheet(
    ws: &mut Worksheet,
    layout: &Layout,
    sheet: &Sheet,
    values: &Values,
    opts: &WriteOptions,
    lists: &mut validation::Lists,
) -> Result<(), WriteError> {
    let tid = &layout.form.id;
    let name = &sheet.name;
    let at = |c: CellRef| format!("{name}!{c}");
    ws.set_name(name.as_str())
        .map_err(xl(format!("sheet `{name}`")))?;
    // Formulas without a known result are stored with an empty cached
    // result rather than a misleading 0.
    ws.set_formula_result_default("");
    for (col, w) in &sheet.widths {
        ws.set_column_width(*col, *w)
            .map_err(xl(format!("sheet {name}: width of column {col}")))?;
    }
    if sheet.freeze_rows > 0 || sheet.freeze_cols > 0 {
        ws.set_freeze_panes(sheet.freeze_rows, sheet.freeze_cols)
            .map_err(xl(format!("sheet {name}: frozen panes")))?;
    }
    let mut used: HashSet<CellRef> = HashSet::new();
    // An overlay's layout has no marker (its workbook is recognised otherwise).
    if layout.form.marker_sheet == *name && !layout.form.marker_text.is_empty() {
        let c = layout.form.marker_cell;
        ws.write_string_with_format(
            c.row,
            c.col,
            &layout.form.marker_text,
            &style::marker_format(),
        )
        .map_err(xl(format!("{} (version marker)", at(c))))?;
        used.insert(c);
    }
    let omitted = |row: u32| {
        opts.omit_rows
            .iter()
            .any(|(s, a, b)| s == name && (*a..=*b).contains(&row))
    };
    let geo = print::Geometry::of(layout, sheet);
    let mut heights: BTreeMap<u32, f64> = BTreeMap::new();
    for t in &sheet.texts {
        if omitted(t.cell.row) {
            continue;
        }
        let fmt = style::text_format(&t.style).ok_or_else(|| WriteError::Template {
            template: tid.clone(),
            message: format!(
                "{}: text `{}` has style `{}`; expected one of {}",
                at(t.cell),
                t.text,
                t.style,
                style::TEXT_STYLES.join(", ")
            ),
        })?;
        let (bold, size) = style::text_metrics(&t.style);
        let end = geo.span_end(t.cell);
        let room = geo.span_width(t.cell.col, end);
        let fits = print::text_width(&t.text, bold, size) <= room;
        match t.style.as_str() {
            // Section headings span the form's width (merged), wrapping
            // when even that is too narrow.
            "section" if end > t.cell.col => {
                let fmt = if fits {
                    fmt
                } else {
                    grow(
                        &mut heights,
                        t.cell.row,
                        print::lines(&t.text, bold, size, room),
                        size,
                    );
                    fmt.set_text_wrap()
                        .set_align(rust_xlsxwriter::FormatAlign::Top)
                };
                ws.merge_range(t.cell.row, t.cell.col, t.cell.row, end, &t.text, &fmt)
                    .map_err(xl(at(t.cell)))?;
            }
            "title" => {
                ws.write_string_with_format(t.cell.row, t.cell.col, &t.text, &fmt)
                    .map_err(xl(at(t.cell)))?;
            }
            // Other texts overflow into free cells; where the next cell
            // is taken they wrap in their own column, the row grown to fit.
            _ => {
                let own = geo.width(t.cell.col);
                let wrap = t.style == "header" || !fits;
                let fmt = if wrap {
                    grow(
                        &mut heights,
                        t.cell.row,
                        print::lines(&t.text, bold, size, own),
                        size,
                    );
                    fmt.set_text_wrap()
                        .set_align(rust_xlsxwriter::FormatAlign::Top)
                } else {
                    fmt
                };
                ws.write_string_with_format(t.cell.row, t.cell.col, &t.text, &fmt)
                    .map_err(xl(at(t.cell)))?;
            }
        }
        used.insert(t.cell);
    }
    for tid_ in &sheet.tables {
        let Some(table) = layout.table(tid_) else {
            continue;
        };
        if let Some(hr) = table.header_row {
            for (_, col, letter, header) in &table.columns {
                let text = match (letter.is_empty(), header.is_empty()) {
                    (true, _) => header.clone(),
                    (false, true) => format!("({letter})"),
                    (false, false) => format!("({letter}) {header}"),
                };
                grow(
                    &mut heights,
                    hr,
                    print::lines(&text, true, 11.0, geo.width(*col)),
                    11.0,
                );
                ws.write_string_with_format(hr, *col, &text, &style::header_format())
                    .map_err(xl(format!(
                        "{} (header of {})",
                        at(CellRef::new(hr, *col)),
                        table.id
                    )))?;
                used.insert(CellRef::new(hr, *col));
            }
        }
        let rows = table.rows.iter().map(|r| (r, false));
        let totals = table.totals.iter().map(|r| (r, true));
        for ((key, label, row), total) in rows.chain(totals) {
            if let Some(kc) = table.key_col {
                ws.write_string_with_format(*row, kc, key, &style::key_format())
                    .map_err(xl(at(CellRef::new(*row, kc))))?;
                used.insert(CellRef::new(*row, kc));
            }
            if let Some(lc) = table.label_col
                && !label.is_empty()
            {
                let fmt = if total {
                    style::total_label_format()
                } else {
                    Format::new()
                };
                let cell = CellRef::new(*row, lc);
                let room = geo.span_width(lc, geo.span_end(cell));
                let fmt = if print::text_width(label, total, 11.0) > room {
                    grow(
                        &mut heights,
                        *row,
                        print::lines(label, total, 11.0, geo.width(lc)),
                        11.0,
                    );
                    fmt.set_text_wrap()
                        .set_align(rust_xlsxwriter::FormatAlign::Top)
                } else {
                    fmt
                };
                ws.write_string_with_format(*row, lc, label, &fmt)
                    .map_err(xl(at(CellRef::new(*row, lc))))?;
                used.insert(CellRef::new(*row, lc));
            }
        }
    }
    let mut checks = Vec::new();
    for f in layout.fields_on(name) {
        if omitted(f.cell.row) {
            continue;
        }
        // A choice wider than its cell wraps there (a cut "Premium amount
        // di" would not print whole), its row grown for the longest.
        let own = geo.width(f.cell.col);
        let lines = f
            .choices
            .iter()
            .map(|c| print::lines(c, false, 11.0, own))
            .max()
            .unwrap_or(1);
        let wrap = f.kind == Kind::Choice
            && f.choices
                .iter()
                .any(|c| print::text_width(c, false, 11.0) > own);
        if wrap {
            grow(&mut heights, f.cell.row, lines, 11.0);
        }
        write_field(ws, layout, f, values, opts, wrap)?;
        used.insert(f.cell);
        if let Some(spec) = validation::spec_for(f, lists, LISTS_SHEET) {
            checks.push((f.cell.row, f.cell.col, spec));
        }
    }
    if !sheet.title.is_empty() && !sheet.texts.iter().any(|t| t.text == sheet.title) {
        let free = (1u16..16_384)
            .map(|c| CellRef::new(0, c))
            .find(|c| !used.contains(c));
        if let Some(c) = free {
            ws.write_string_with_format(c.row, c.col, &sheet.title, &style_title())
                .map_err(xl(format!("{} (sheet title)", at(c))))?;
        }
    }
    for (r1, r2, col, spec) in validation::group(checks) {
        let place = if r1 == r2 {
            at(CellRef::new(r1, col))
        } else {
            format!("{}:{}", at(CellRef::new(r1, col)), CellRef::new(r2, col))
        };
        let dv = validation::build(&spec).map_err(xl(format!("the validation of {place}")))?;
        ws.add_data_validation(r1, col, r2, col, &dv)
            .map_err(xl(format!("the validation of {place}")))?;
    }
    for (row, h) in &heights {
        if !omitted(*row) {
            ws.set_row_height(*row, *h)
                .map_err(xl(format!("sheet {name}: height of row {}", row + 1)))?;
        }
    }
    page_setup(ws, layout, sheet, &geo)?;
    ws.protect_with_options(&protection());
    Ok(())
}

/// Grows row `row` to hold `lines` lines of `size`-point text.
fn grow(heights: &mut BTreeMap<u32, f64>, row: u32, lines: u32, size: f64) {
    if lines > 1 {
        let h = f64::from(lines) * print::LINE_HEIGHT * size.max(9.0) / 11.0 + 2.0;
        let e = heights.entry(row).or_insert(h);
        *e = e.max(h);
    }
}

/// Every sheet prints landscape on Legal ([`print::PAPER_SIZE`] says why),
/// one page wide, its form (or the template's `print_columns`) as the print
/// area, its title row repeated on every page, and a footer with the form
/// id, the sheet and "Page n of m" (as CMS's own form prints).
fn page_setup(
    ws: &mut Worksheet,
    layout: &Layout,
    sheet: &Sheet,
    geo: &print::Geometry,
) -> Result<(), WriteError> {
    let name = &sheet.name;
    ws.set_landscape();
    ws.set_paper_size(print::PAPER_SIZE);
    ws.set_margins(
        print::SIDE_MARGIN_IN,
        print::SIDE_MARGIN_IN,
        0.5,
        0.6,
        0.3,
        0.3,
    );
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    let (first, last) = geo.print_cols;
    ws.set_print_area(0, first, geo.last_row, last)
        .map_err(xl(format!("sheet {name}: print area")))?;
    ws.set_repeat_rows(0, 0)
        .map_err(xl(format!("sheet {name}: repeated rows")))?;
    // `&` starts a code in a header or footer: doubled in the id.
    ws.set_footer(format!(
        "&L&8{}&C&8&A&R&8Page &P of &N",
        layout.form.id.replace('&', "&&")
    ));
    Ok(())
}

fn style_title() -> Format {
    style::text_format("title").unwrap_or_default()
}

fn protection() -> ProtectionOptions {
    ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    }
}

fn write_lists(ws: &mut Worksheet, lists: &validation::Lists) -> Result<(), WriteError> {
    ws.set_name(LISTS_SHEET)
        .map_err(xl(format!("sheet `{LISTS_SHEET}`")))?;
    for (i, items) in lists.columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| WriteError::Package("too many lists".into()))?;
        for (r, item) in items.iter().enumerate() {
            let row = u32::try_from(r).map_err(|_| WriteError::Package("list too long".into()))?;
            ws.write_string(row, col, item)
                .map_err(xl(format!("{LISTS_SHEET}!{}", CellRef::new(row, col))))?;
        }
        let width = items.iter().map(|s| s.chars().count()).max().unwrap_or(8);
        ws.set_column_width(col, width.clamp(8, 80) as f64)
            .map_err(xl(format!("sheet {LISTS_SHEET}: column width")))?;
    }
    ws.set_hidden(true);
    ws.protect_with_options(&protection());
    Ok(())
}

fn write_extra(ws: &mut Worksheet, x: &ExtraSheet) -> Result<(), WriteError> {
    let name = &x.name;
    ws.set_name(name.as_str())
        .map_err(xl(format!("sheet `{name}`")))?;
    let mut row = 0u32;
    if !x.title.is_empty() {
        ws.write_string_with_format(0, 0, &x.title, &style_title())
            .map_err(xl(format!("{name}!A1")))?;
        row = 2;
    }
    if !x.header.is_empty() {
        for (c, h) in x.header.iter().enumerate() {
            let col =
                u16::try_from(c).map_err(|_| WriteError::Package("too many columns".into()))?;
            ws.write_string_with_format(row, col, h, &style::extra_header_format())
                .map_err(xl(format!("{name}!{}", CellRef::new(row, col))))?;
        }
        ws.set_freeze_panes(row + 1, 0)
            .map_err(xl(format!("sheet {name}: frozen panes")))?;
        row += 1;
    }
    for cells in &x.rows {
        for (c, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let col =
                u16::try_from(c).map_err(|_| WriteError::Package("too many columns".into()))?;
            ws.write_string(row, col, text)
                .map_err(xl(format!("{name}!{}", CellRef::new(row, col))))?;
        }
        row += 1;
    }
    for (c, w) in x.widths.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| WriteError::Package("too many columns".into()))?;
        ws.set_column_width(col, *w)
            .map_err(xl(format!("sheet {name}: width of column {c}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn quotes_sheet_names_only_when_needed() {
        assert_eq!(sheet_ref("WS1"), "WS1");
        assert_eq!(sheet_ref("My Sheet"), "'My Sheet'");
        assert_eq!(sheet_ref("O'Neil"), "'O''Neil'");
        assert_eq!(sheet_ref("1st"), "'1st'");
    }

    #[test]
    fn decimals_round_trip_through_f64_text() {
        for d in [
            dec!(812.45),
            dec!(0.0253),
            dec!(1.0000001),
            dec!(-12345678.9),
            dec!(0),
        ] {
            let f = dec_to_f64(d);
            assert_eq!(Decimal::from_str(&f.to_string()).unwrap(), d.normalize());
        }
    }

    #[test]
    fn cached_results_keep_exact_text() {
        assert_eq!(
            cached_result(&Value::Number(dec!(1.50))).as_deref(),
            Some("1.5")
        );
        assert_eq!(
            cached_result(&Value::Text("001".into())).as_deref(),
            Some("001")
        );
        let d = NaiveDate::from_ymd_opt(2011, 1, 1).unwrap();
        assert_eq!(cached_result(&Value::Date(d)).as_deref(), Some("40544"));
        assert_eq!(cached_result(&Value::Empty), None);
    }
}
