//! How the form looks on screen and on paper: the width of each sheet's
//! form, where a section heading spans, how many lines a text wraps to, and
//! the page setup every sheet gets.
//!
//! Widths are in Excel's column-width unit (the width of `0` in the default
//! 11-point Calibri); a text's width is estimated from its characters
//! (capitals and digits wider than lower case, bold wider still), on the
//! generous side, so a text that fits by the estimate fits on screen and in
//! LibreOffice's PDF.

use crate::cellref::CellRef;
use crate::template::{Layout, Sheet};
use std::collections::{BTreeMap, HashSet};

/// Excel's default column width.
pub const DEFAULT_WIDTH: f64 = 8.43;

/// Height of one line of 11-point text, in points.
pub const LINE_HEIGHT: f64 = 15.0;

/// The paper every form sheet prints on, landscape: US Legal (Excel's
/// `paperSize` 5), 14 × 8.5 inches. The forms are 230–300 characters wide
/// (17–22 columns of figures beside their labels): on Letter one page wide
/// they print at about 45–60 % (5–6.5-point text), and splitting them in
/// column chunks at a readable scale would take 50+ pages and part labels
/// from their cells. Legal keeps each worksheet one page wide at 65 % or
/// more, so the blank MA form prints in about 34 pages.
pub const PAPER_SIZE: u8 = 5;

/// Printable width of the paper (landscape, less the side margins), in inches.
pub const PRINT_WIDTH_IN: f64 = 14.0 - 2.0 * SIDE_MARGIN_IN;

/// Left and right margins, in inches.
pub const SIDE_MARGIN_IN: f64 = 0.4;

/// The smallest scale a form sheet may print at (fit to one page wide):
/// 11-point text prints at 7 points or more, readable at 100 %.
pub const MIN_PRINT_SCALE: f64 = 0.65;

/// Width in pixels (at 96 dpi, 100 %) of a column `w` characters wide,
/// as Excel draws it with its default 11-point Calibri (7-pixel digits and
/// 5 pixels of padding).
pub fn column_pixels(w: f64) -> f64 {
    (w * 7.0 + 5.0).trunc()
}

/// The estimated width of `text` in column-width units, at `size` points.
pub fn text_width(text: &str, bold: bool, size: f64) -> f64 {
    let w: f64 = text
        .chars()
        .map(|c| match c {
            ' ' | 'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | ':' | ';' | '\'' | '|' | '!'
            | '(' | ')' | '[' | ']' | '-' | '/' | 'I' => 0.55,
            'm' | 'w' | 'M' | 'W' | '%' | '@' | '–' | '—' | '#' => 1.45,
            c if c.is_ascii_uppercase() => 1.18,
            c if c.is_ascii_digit() => 1.0,
            _ => 0.95,
        })
        .sum();
    let w = if bold { w * 1.08 } else { w };
    // Cell padding (about a third of a character each side).
    w * size / 11.0 + 0.7
}

/// The lines `text` wraps to in a cell `width` wide (explicit line breaks
/// kept).
pub fn lines(text: &str, bold: bool, size: f64, width: f64) -> u32 {
    let usable = (width - 0.7).max(1.0);
    text.split('\n')
        .map(|para| {
            // Greedy word wrap by estimated width.
            let mut n = 1u32;
            let mut cur = 0.0f64;
            for word in para.split(' ') {
                let ww = text_width(word, bold, size) - 0.7;
                let sp = if cur > 0.0 {
                    text_width(" ", bold, size) - 0.7
                } else {
                    0.0
                };
                if cur > 0.0 && cur + sp + ww > usable {
                    n = n.saturating_add(1);
                    cur = ww;
                } else {
                    cur += sp + ww;
                }
                while cur > usable {
                    // A word longer than the cell breaks across lines.
                    n = n.saturating_add(1);
                    cur -= usable;
                }
            }
            n
        })
        .sum::<u32>()
        .max(1)
}

/// Where the form's cells are on one sheet.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// Column widths, from column A to the last column of the form.
    pub widths: Vec<f64>,
    /// Every cell the template writes (texts, fields, table headers, keys,
    /// labels, the version marker).
    pub occupied: HashSet<CellRef>,
    /// Last row of the form (zero-based).
    pub last_row: u32,
    /// Last column of the form (zero-based).
    pub last_col: u16,
    /// The columns printed (the template's `print_columns`, else the
    /// form's width).
    pub print_cols: (u16, u16),
}

impl Geometry {
    /// The geometry of `sheet` of `layout`.
    pub fn of(layout: &Layout, sheet: &Sheet) -> Geometry {
        let mut occupied: HashSet<CellRef> = HashSet::new();
        if layout.form.marker_sheet == sheet.name {
            occupied.insert(layout.form.marker_cell);
        }
        for t in &sheet.texts {
            occupied.insert(t.cell);
        }
        for f in layout.fields_on(&sheet.name) {
            occupied.insert(f.cell);
        }
        for tid in &sheet.tables {
            if let Some(t) = layout.table(tid) {
                if let Some(hr) = t.header_row {
                    for c in &t.columns {
                        occupied.insert(CellRef::new(hr, c.1));
                    }
                }
                for (_, label, row) in t.rows.iter().chain(t.totals.iter()) {
                    if let Some(k) = t.key_col {
                        occupied.insert(CellRef::new(*row, k));
                    }
                    if let (Some(l), false) = (t.label_col, label.is_empty()) {
                        occupied.insert(CellRef::new(*row, l));
                    }
                }
            }
        }
        // The form's width: its widest field, table column or set width
        // (texts overflow; they do not make the form wider).
        let last_col = occupied
            .iter()
            .filter(|c| !sheet.texts.iter().any(|t| t.cell == **c))
            .map(|c| c.col)
            .chain(sheet.widths.iter().map(|(c, _)| *c))
            .max()
            .unwrap_or(0);
        let last_row = occupied.iter().map(|c| c.row).max().unwrap_or(0);
        let set: BTreeMap<u16, f64> = sheet.widths.iter().copied().collect();
        let widths = (0..=last_col)
            .map(|c| set.get(&c).copied().unwrap_or(DEFAULT_WIDTH))
            .collect();
        Geometry {
            widths,
            occupied,
            last_row,
            last_col,
            print_cols: sheet.print_columns.unwrap_or((0, last_col)),
        }
    }

    /// The scale at which the print area fits one page wide (what Excel's
    /// and LibreOffice's fit-to-width choose), at most 1.
    pub fn print_scale(&self) -> f64 {
        let (first, last) = self.print_cols;
        let px: f64 = (first..=last).map(|c| column_pixels(self.width(c))).sum();
        if px <= 0.0 {
            return 1.0;
        }
        (PRINT_WIDTH_IN * 96.0 / px).min(1.0)
    }

    /// Width of a column.
    pub fn width(&self, col: u16) -> f64 {
        self.widths
            .get(usize::from(col))
            .copied()
            .unwrap_or(DEFAULT_WIDTH)
    }

    /// The last column a text at `cell` may use: the column before the
    /// next occupied cell of its row, or the form's last column.
    pub fn span_end(&self, cell: CellRef) -> u16 {
        let mut c = cell.col;
        while c < self.last_col && !self.occupied.contains(&CellRef::new(cell.row, c + 1)) {
            c += 1;
        }
        c
    }

    /// Width of columns `first..=last`.
    pub fn span_width(&self, first: u16, last: u16) -> f64 {
        (first..=last).map(|c| self.width(c)).sum()
    }
}

/// A section heading and the range it is merged across: `(row, first
/// column, last column, text)`, zero-based. The rendering test computes
/// the same from the template.
pub fn heading_spans(layout: &Layout, sheet: &Sheet) -> Vec<(u32, u16, u16, String)> {
    let g = Geometry::of(layout, sheet);
    sheet
        .texts
        .iter()
        .filter(|t| t.style == "section")
        .map(|t| (t.cell.row, t.cell.col, g.span_end(t.cell), t.text.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_form_sheet_prints_readably_one_page_wide() {
        for id in ["ma-bpt-2013", "msa-bpt-2013"] {
            let layout = crate::template::builtin(id).unwrap();
            for sheet in &layout.sheets {
                let scale = Geometry::of(&layout, sheet).print_scale();
                assert!(
                    scale >= MIN_PRINT_SCALE,
                    "{id} {} prints at {:.0} %",
                    sheet.name,
                    scale * 100.0
                );
            }
        }
        // WS5 leaves out the MSA code and name and its helper column.
        let layout = crate::template::builtin("ma-bpt-2013").unwrap();
        let ws5 = layout.sheets.iter().find(|s| s.name == "WS5").unwrap();
        assert_eq!(Geometry::of(&layout, ws5).print_cols, (0, 18));
    }
}
