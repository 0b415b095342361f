//! A new worksheet written as XML (inline strings, so the shared-string
//! table is not touched).

use super::sheet::Scalar;
use super::xml::esc;
use crate::cellref::{CellRef, col_name};

/// One cell of a [`NewSheet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCell {
    /// The value (`Empty` for none).
    pub value: Scalar,
    /// Style index (`cellXfs`), 0 for the default.
    pub style: u32,
    /// An in-workbook link target (`'WS1'!D5`).
    pub link: Option<String>,
}

impl NewCell {
    /// A text cell.
    pub fn text(s: impl Into<String>, style: u32) -> NewCell {
        NewCell {
            value: Scalar::Text(s.into()),
            style,
            link: None,
        }
    }

    /// A number cell from its exact decimal text.
    pub fn number(n: impl Into<String>, style: u32) -> NewCell {
        NewCell {
            value: Scalar::Number(n.into()),
            style,
            link: None,
        }
    }

    /// An empty cell.
    pub fn empty() -> NewCell {
        NewCell {
            value: Scalar::Empty,
            style: 0,
            link: None,
        }
    }
}

/// A simple worksheet: rows of cells from A1, column widths, frozen header
/// rows, an autofilter and internal links.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewSheet {
    /// Tab name.
    pub name: String,
    /// Rows from row 1.
    pub rows: Vec<Vec<NewCell>>,
    /// Column widths in characters, from column A.
    pub widths: Vec<f64>,
    /// Rows frozen at the top.
    pub freeze_rows: u32,
    /// Autofilter over zero-based rows `first..=last`, columns `0..=last_col`.
    pub autofilter: Option<(u32, u32, u16)>,
    /// Print landscape, one page wide, with a "Page n of m" footer.
    pub print_landscape: bool,
    /// With `print_landscape`: one page tall too.
    pub one_page: bool,
    /// With `print_landscape`: Excel's `paperSize` (0: Letter).
    pub paper_size: u8,
    /// Row heights in points, by zero-based row (rows of wrapped text).
    pub heights: std::collections::BTreeMap<u32, f64>,
}

impl NewSheet {
    /// An empty sheet named `name`.
    pub fn new(name: impl Into<String>) -> NewSheet {
        NewSheet {
            name: name.into(),
            ..NewSheet::default()
        }
    }

    /// The worksheet part's XML.
    pub fn to_xml(&self) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">",
        );
        if self.print_landscape {
            s.push_str("<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
        }
        s.push_str("<sheetViews><sheetView workbookViewId=\"0\">");
        if self.freeze_rows > 0 {
            let top = CellRef::new(self.freeze_rows, 0);
            s.push_str(&format!(
                "<pane ySplit=\"{}\" topLeftCell=\"{top}\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"{top}\" sqref=\"{top}\"/>",
                self.freeze_rows
            ));
        }
        s.push_str("</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        if !self.widths.is_empty() {
            s.push_str("<cols>");
            for (i, w) in self.widths.iter().enumerate() {
                s.push_str(&format!(
                    "<col min=\"{n}\" max=\"{n}\" width=\"{w}\" customWidth=\"1\"/>",
                    n = i + 1
                ));
            }
            s.push_str("</cols>");
        }
        s.push_str("<sheetData>");
        let mut links = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r).unwrap_or(u32::MAX - 1);
            if row.iter().all(|c| c.value == Scalar::Empty && c.style == 0) {
                continue;
            }
            match self.heights.get(&r) {
                Some(h) => s.push_str(&format!(
                    "<row r=\"{}\" ht=\"{h}\" customHeight=\"1\">",
                    r + 1
                )),
                None => s.push_str(&format!("<row r=\"{}\">", r + 1)),
            }
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                let at = CellRef::new(r, col);
                let st = if cell.style == 0 {
                    String::new()
                } else {
                    format!(" s=\"{}\"", cell.style)
                };
                match &cell.value {
                    Scalar::Empty if cell.style == 0 => continue,
                    Scalar::Empty => s.push_str(&format!("<c r=\"{at}\"{st}/>")),
                    Scalar::Number(n) => s.push_str(&format!("<c r=\"{at}\"{st}><v>{}</v></c>", esc(n))),
                    other => s.push_str(&format!(
                        "<c r=\"{at}\"{st} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                        esc(&other.shown())
                    )),
                }
                if let Some(l) = &cell.link {
                    links.push((at, l.clone(), cell.value.shown()));
                }
            }
            s.push_str("</row>");
        }
        s.push_str("</sheetData>");
        if let Some((first, last, last_col)) = self.autofilter {
            s.push_str(&format!(
                "<autoFilter ref=\"{}:{}{}\"/>",
                CellRef::new(first, 0),
                col_name(last_col),
                last + 1
            ));
        }
        if !links.is_empty() {
            s.push_str("<hyperlinks>");
            for (at, loc, display) in links {
                s.push_str(&format!(
                    "<hyperlink ref=\"{at}\" location=\"{}\" display=\"{}\"/>",
                    esc(&loc),
                    esc(&display)
                ));
            }
            s.push_str("</hyperlinks>");
        }
        if self.print_landscape {
            s.push_str("<pageMargins left=\"0.4\" right=\"0.4\" top=\"0.5\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/><pageSetup paperSize=\"");
            s.push_str(&self.paper_size.max(1).to_string());
            s.push_str("\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"");
            s.push_str(if self.one_page { "1" } else { "0" });
            s.push_str("\"/><headerFooter><oddFooter>&amp;L&amp;8");
            s.push_str(&esc(&self.name.replace('&', "&&")));
            s.push_str("&amp;R&amp;8Page &amp;P of &amp;N</oddFooter></headerFooter></worksheet>");
        } else {
            s.push_str("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_inline_strings_links_and_panes() {
        let mut s = NewSheet::new("F");
        s.rows
            .push(vec![NewCell::text("a<b", 3), NewCell::number("2.5", 0)]);
        s.rows.push(vec![]);
        let mut l = NewCell::text("WS1!D5", 0);
        l.link = Some("'WS1'!D5".into());
        s.rows.push(vec![NewCell::empty(), l]);
        s.freeze_rows = 1;
        s.autofilter = Some((0, 2, 1));
        s.widths = vec![10.0];
        let x = s.to_xml();
        assert!(x.contains(r#"<row r="1"><c r="A1" s="3" t="inlineStr"><is><t xml:space="preserve">a&lt;b</t></is></c><c r="B1"><v>2.5</v></c></row><row r="3"><c r="B3" t="inlineStr">"#), "{x}");
        assert!(x.contains(r#"<autoFilter ref="A1:B3"/><hyperlinks><hyperlink ref="B3" location="&apos;WS1&apos;!D5" display="WS1!D5"/></hyperlinks>"#), "{x}");
        assert!(x.contains(r#"<pane ySplit="1" topLeftCell="A2""#), "{x}");
    }
}
