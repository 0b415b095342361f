//! Cell formats of the written form: text styles, role shading, number
//! formats.

use super::{CMS_FILL, DEFAULT_FILL, INPUT_FILL};
use crate::template::{Field, Kind, Role};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, FormatPattern};

/// Grey of the thin borders around field cells.
const BORDER: Color = Color::RGB(0xA6A6A6);
/// Fill of section headings (white bold text on it).
const SECTION_FILL: Color = Color::RGB(0x1F4E79);
/// Fill of column headers.
const HEADER_FILL: Color = Color::RGB(0xD9E1F2);
/// Font colour of notes and the version marker.
const NOTE_FONT: Color = Color::RGB(0x595959);

/// The text styles a template may name (`docs/template-format.md`).
pub(crate) const TEXT_STYLES: &[&str] = &["title", "section", "header", "label", "note"];

/// The format of a static text of the given style; `None` for an unknown style.
pub(crate) fn text_format(style: &str) -> Option<Format> {
    let f = Format::new();
    Some(match style {
        "title" => f.set_bold().set_font_size(14),
        "section" => f
            .set_bold()
            .set_font_size(11)
            .set_font_color(Color::White)
            .set_pattern(FormatPattern::Solid)
            .set_background_color(SECTION_FILL),
        "header" => header_format(),
        "label" => f,
        "note" => f.set_italic().set_font_size(9).set_font_color(NOTE_FONT),
        _ => return None,
    })
}

/// Whether a text style is bold, and its point size.
pub(crate) fn text_metrics(style: &str) -> (bool, f64) {
    match style {
        "title" => (true, 14.0),
        "section" | "header" => (true, 11.0),
        "note" => (false, 9.0),
        _ => (false, 11.0),
    }
}

/// Column headers of tables.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_pattern(FormatPattern::Solid)
        .set_background_color(HEADER_FILL)
        .set_border(FormatBorder::Thin)
        .set_border_color(BORDER)
}

/// Row keys of tables (`a`, `b`, …).
pub(crate) fn key_format() -> Format {
    Format::new().set_align(FormatAlign::Center)
}

/// Labels of total rows.
pub(crate) fn total_label_format() -> Format {
    Format::new().set_bold()
}

/// The version marker.
pub(crate) fn marker_format() -> Format {
    Format::new().set_font_size(8).set_font_color(NOTE_FONT)
}

/// Header row of an extra (non-template) sheet.
pub(crate) fn extra_header_format() -> Format {
    Format::new()
        .set_bold()
        .set_pattern(FormatPattern::Solid)
        .set_background_color(HEADER_FILL)
        .set_border_bottom(FormatBorder::Thin)
}

/// How a field cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellUse {
    /// A typed value or blank entry cell.
    Entry,
    /// A formula.
    Formula,
}

/// The format of a field's cell: number format, borders, locking and the
/// role's shading (`fill` replaces the shading when given).
pub(crate) fn field_format(f: &Field, used: CellUse, fill: Option<Color>) -> Format {
    let mut fmt = Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(BORDER);
    let num = match (f.kind, used) {
        // A formula in a text-formatted cell turns into text when someone
        // edits it in Excel; calculated codes keep the General format.
        (Kind::Code, CellUse::Formula) => "General",
        (Kind::Code, CellUse::Entry) => "@",
        _ => f.format.as_str(),
    };
    if num == "@" {
        // Excel's built-in Text format.
        fmt = fmt.set_num_format_index(49);
    } else if !num.is_empty() && num != "General" {
        fmt = fmt.set_num_format(num);
    }
    let shade = match f.role {
        Role::Input => Some(INPUT_FILL),
        Role::Cms => Some(CMS_FILL),
        Role::Default => Some(DEFAULT_FILL),
        Role::Calc => None,
    };
    if let Some(c) = fill.or(shade) {
        fmt = fmt
            .set_pattern(FormatPattern::Solid)
            .set_background_color(c);
    }
    if f.role != Role::Calc {
        fmt = fmt.set_unlocked();
    }
    if f.table.as_ref().is_some_and(|t| t.total) {
        fmt = fmt.set_bold();
    }
    fmt
}

/// `fmt` with a date number format (for dates in fields of another kind).
pub(crate) fn with_date_format(fmt: &Format) -> Format {
    fmt.clone().set_num_format(Kind::Date.default_format())
}
