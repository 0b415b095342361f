//! Notes (legacy comments) on cells: the comments part and the VML drawing
//! that Excel and LibreOffice need to show them.

use super::xml::{self, esc, find_element, splice, tag_at};
use crate::cellref::CellRef;
use quick_xml::events::Event;
use regex::Regex;

/// A new comments part holding no comment yet.
pub(crate) const EMPTY_COMMENTS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<comments xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><authors></authors><commentList></commentList></comments>";

/// A new VML drawing for notes, with the note shape type, `idmap` `id`.
pub(crate) fn empty_vml(id: u32) -> String {
    format!(
        "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{id}\"/></o:shapelayout>{}</xml>",
        SHAPETYPE
    )
}

const SHAPETYPE: &str = "<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>";

/// The text of a comment's `<text>` element as runs: the author line in
/// bold is not added (the note reads as the text).
fn text_xml(text: &str) -> String {
    format!(
        "<text><r><rPr><sz val=\"9\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr><t xml:space=\"preserve\">{}</t></r></text>",
        esc(text)
    )
}

/// What happened to one note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteApplied {
    /// The cell.
    pub cell: CellRef,
    /// The note the cell had (kept; the new text was appended), if any.
    pub old: Option<String>,
}

/// The new comments XML, what each cell had, and the cells that need a new
/// VML shape.
pub(crate) type CommentsEdit = (Vec<u8>, Vec<NoteApplied>, Vec<CellRef>);

/// Adds `notes` to a comments part: appended to a cell's existing comment
/// (after a blank line), or as a new comment by `author`. Returns the new
/// XML, what each cell had, and the cells that need a new VML shape.
pub(crate) fn add_comments(
    comments: &[u8],
    notes: &[(CellRef, String)],
    author: &str,
) -> Result<CommentsEdit, String> {
    let mut x = comments.to_vec();
    // The author's index, added when absent.
    let (a_start, a_inner, a_inner_end, a_end) =
        find_element(&x, b"authors")?.ok_or("the comments part has no <authors>")?;
    let mut authors = Vec::new();
    {
        let mut toks = xml::Toks::new(&x[a_inner..a_inner_end]);
        while let Some(t) = toks.next_tok()? {
            if let Event::Start(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"author"
            {
                let s = t.end;
                let end = toks.skip_element()?;
                let close = x[a_inner..a_inner + end]
                    .iter()
                    .rposition(|b| *b == b'<')
                    .unwrap_or(end);
                authors.push(xml::unesc(&x[a_inner + s..a_inner + close]));
            } else if let Event::Empty(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"author"
            {
                authors.push(String::new());
            }
        }
    }
    let author_id = match authors.iter().position(|a| a == author) {
        Some(i) => i,
        None => {
            let item = format!("<author>{}</author>", esc(author));
            if a_inner == a_end {
                // <authors/>
                let (tag, _, _) = tag_at(&x, a_start)?;
                let q = String::from_utf8_lossy(tag.name().into_inner().as_bytes()).into_owned();
                x = splice(&x, a_start, a_end, format!("<{q}>{item}</{q}>").as_bytes());
            } else {
                x = splice(&x, a_inner_end, a_inner_end, item.as_bytes());
            }
            authors.len()
        }
    };
    let mut applied = Vec::new();
    let mut new_shapes = Vec::new();
    let mut fresh = String::new();
    for (cell, text) in notes {
        // An existing comment on the cell?
        let existing = find_comment(&x, *cell)?;
        match existing {
            Some((start, end)) => {
                let raw = x[start..end].to_vec();
                let old = xml::string_item_text(&raw)?;
                let (t_start, t_inner, t_inner_end, _) =
                    find_element(&raw, b"text")?.ok_or("a comment has no <text>")?;
                let _ = t_start;
                let add = format!(
                    "<r><rPr><sz val=\"9\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr><t xml:space=\"preserve\">{}</t></r>",
                    esc(&format!("\n\n{text}"))
                );
                // A plain <t> cannot be followed by runs: it becomes a run.
                let inner = &raw[t_inner..t_inner_end];
                let mut new_inner = Vec::new();
                let trimmed = inner.trim_ascii_start();
                if trimmed.starts_with(b"<t>") || trimmed.starts_with(b"<t ") {
                    if let Some((s, _, _, e)) = find_element(inner, b"t")? {
                        new_inner.extend_from_slice(&inner[..s]);
                        new_inner.extend_from_slice(b"<r>");
                        new_inner.extend_from_slice(&inner[s..e]);
                        new_inner.extend_from_slice(b"</r>");
                        new_inner.extend_from_slice(&inner[e..]);
                    } else {
                        new_inner.extend_from_slice(inner);
                    }
                } else {
                    new_inner.extend_from_slice(inner);
                }
                // before any phonetic runs
                let cut = find_element(&new_inner, b"rPh")?.map_or(new_inner.len(), |r| r.0);
                new_inner.splice(cut..cut, add.bytes());
                let new_raw = splice(&raw, t_inner, t_inner_end, &new_inner);
                x = splice(&x, start, end, &new_raw);
                applied.push(NoteApplied {
                    cell: *cell,
                    old: Some(old),
                });
            }
            None => {
                fresh.push_str(&format!(
                    "<comment ref=\"{cell}\" authorId=\"{author_id}\">{}</comment>",
                    text_xml(text)
                ));
                applied.push(NoteApplied {
                    cell: *cell,
                    old: None,
                });
                new_shapes.push(*cell);
            }
        }
    }
    if !fresh.is_empty() {
        let (l_start, _, l_inner_end, l_end) =
            find_element(&x, b"commentList")?.ok_or("the comments part has no <commentList>")?;
        if l_inner_end == l_end {
            let (tag, _, _) = tag_at(&x, l_start)?;
            let q = String::from_utf8_lossy(tag.name().into_inner().as_bytes()).into_owned();
            x = splice(&x, l_start, l_end, format!("<{q}>{fresh}</{q}>").as_bytes());
        } else {
            x = splice(&x, l_inner_end, l_inner_end, fresh.as_bytes());
        }
    }
    Ok((x, applied, new_shapes))
}

/// Byte range of the `<comment>` on `cell`.
fn find_comment(x: &[u8], cell: CellRef) -> Result<Option<(usize, usize)>, String> {
    let mut toks = xml::Toks::new(x);
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev
            && e.local_name().into_inner().as_bytes() == b"comment"
        {
            let is_start = matches!(t.ev, Event::Start(_));
            let here = xml::attr(e, "ref").and_then(|r| CellRef::parse(&r)) == Some(cell);
            let end = if is_start {
                toks.skip_element()?
            } else {
                t.end
            };
            if here {
                return Ok(Some((t.start, end)));
            }
        }
    }
    Ok(None)
}

/// Where a note's box goes and how big it is: the VML anchor (columns and
/// rows with pixel offsets, which Excel lays the box out by) and the size
/// in points (the shape's style, which LibreOffice reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoteBox {
    /// `LeftColumn, LeftOffset, TopRow, TopOffset, RightColumn,
    /// RightOffset, BottomRow, BottomOffset`.
    pub anchor: [u32; 8],
    /// Width and height in points.
    pub size_pt: (u32, u32),
}

/// Average advance of a character of the notes' font (Tahoma 9 pt) in
/// pixels, its line height, and the box's inner margins.
const CHAR_PX: u32 = 6;
const LINE_PX: u32 = 15;
const PAD_PX: u32 = 14;
/// The box's width in pixels: the longest line's, between these.
const MIN_W: u32 = 150;
const MAX_W: u32 = 420;
const MIN_H: u32 = 40;
const MAX_H: u32 = 640;

/// A note box's size in pixels for `text`: as wide as its longest line
/// (within [`MIN_W`]..[`MAX_W`]), as tall as its lines once wrapped at
/// that width.
pub(crate) fn text_box_px(text: &str) -> (u32, u32) {
    let longest = text
        .lines()
        .map(|l| u32::try_from(l.chars().count()).unwrap_or(u32::MAX))
        .max()
        .unwrap_or(0);
    let w = longest
        .saturating_mul(CHAR_PX)
        .saturating_add(PAD_PX)
        .clamp(MIN_W, MAX_W);
    let per_line = (w.saturating_sub(PAD_PX) / CHAR_PX).max(1);
    let lines: u32 = text
        .split('\n')
        .map(|l| {
            let n = u32::try_from(l.chars().count()).unwrap_or(u32::MAX);
            n.div_ceil(per_line).max(1)
        })
        .fold(0u32, |a, b| a.saturating_add(b));
    let h = lines
        .saturating_mul(LINE_PX)
        .saturating_add(PAD_PX)
        .clamp(MIN_H, MAX_H);
    (w, h)
}

/// A sheet's column widths and row heights in pixels (Excel's default
/// font: a character of width is 7 pixels, a point 4/3 of a pixel), read
/// from its `<sheetFormatPr>`, `<cols>` and `<row ht>`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Geometry {
    default_col: u32,
    default_row: u32,
    /// (first, last) zero-based columns and their width.
    cols: Vec<(u32, u32, u32)>,
    rows: std::collections::BTreeMap<u32, u32>,
}

fn width_px(chars: f64) -> u32 {
    // Excel: trunc(((256 * w + trunc(128 / 7)) / 256) * 7)
    let px = ((256.0 * chars + 18.0) / 256.0 * 7.0).trunc();
    if px.is_finite() && px > 0.0 {
        px.min(4096.0) as u32
    } else {
        0
    }
}

fn pt_px(pt: f64) -> u32 {
    let px = (pt * 4.0 / 3.0).round();
    if px.is_finite() && px > 0.0 {
        px.min(4096.0) as u32
    } else {
        0
    }
}

impl Geometry {
    /// The geometry of worksheet XML `x` (defaults where it says nothing).
    pub(crate) fn of_sheet(x: &[u8]) -> Geometry {
        let mut g = Geometry {
            default_col: 64,
            default_row: 20,
            ..Geometry::default()
        };
        let mut toks = xml::Toks::new(x);
        let num = |e: &quick_xml::events::BytesStart<'_>, k: &str| {
            xml::attr(e, k).and_then(|v| v.trim().parse::<f64>().ok())
        };
        while let Ok(Some(t)) = toks.next_tok() {
            let (Event::Start(e) | Event::Empty(e)) = &t.ev else {
                continue;
            };
            match e.local_name().into_inner().as_bytes() {
                b"sheetFormatPr" => {
                    if let Some(w) = num(e, "defaultColWidth") {
                        g.default_col = width_px(w);
                    } else if let Some(b) = num(e, "baseColWidth") {
                        g.default_col = width_px(b + 0.71);
                    }
                    if let Some(h) = num(e, "defaultRowHeight") {
                        g.default_row = pt_px(h);
                    }
                }
                b"col" => {
                    let (Some(min), Some(max)) = (num(e, "min"), num(e, "max")) else {
                        continue;
                    };
                    let hidden = xml::attr(e, "hidden").is_some_and(|v| v == "1" || v == "true");
                    let w = if hidden {
                        0
                    } else {
                        num(e, "width").map_or(g.default_col, width_px)
                    };
                    if min >= 1.0 && max >= min && max <= 16384.0 {
                        g.cols.push((min as u32 - 1, max as u32 - 1, w));
                    }
                }
                b"row" => {
                    if let (Some(r), Some(h)) = (num(e, "r"), num(e, "ht"))
                        && (1.0..=1_048_576.0).contains(&r)
                    {
                        let hidden =
                            xml::attr(e, "hidden").is_some_and(|v| v == "1" || v == "true");
                        g.rows
                            .insert(r as u32 - 1, if hidden { 0 } else { pt_px(h) });
                    }
                    // the cells are not needed
                    if matches!(t.ev, Event::Start(_)) && toks.skip_element().is_err() {
                        break;
                    }
                }
                b"sheetData" | b"worksheet" | b"cols" => {}
                _ => {
                    if matches!(t.ev, Event::Start(_)) && toks.skip_element().is_err() {
                        break;
                    }
                }
            }
        }
        g
    }

    fn col_px(&self, c: u32) -> u32 {
        self.cols
            .iter()
            .rev()
            .find(|(a, b, _)| (*a..=*b).contains(&c))
            .map_or(self.default_col, |x| x.2)
    }

    fn row_px(&self, r: u32) -> u32 {
        self.rows.get(&r).copied().unwrap_or(self.default_row)
    }

    /// The box for a note of `text` on `cell`: its top left a column to
    /// the right and a little above the cell (as Excel places one), as
    /// large as the text needs.
    pub(crate) fn note_box(&self, cell: CellRef, text: &str) -> NoteBox {
        let (w, h) = text_box_px(text);
        let (c1, x1) = (u32::from(cell.col).saturating_add(1), 15u32);
        let (r1, y1) = (cell.row.saturating_sub(1), 10u32);
        // walk right and down until the box's width and height are used
        let (mut c, mut left) = (c1, x1.saturating_add(w));
        let mut guard = 0u32;
        while left >= self.col_px(c).max(1) && guard < 16384 {
            left = left.saturating_sub(self.col_px(c));
            c = c.saturating_add(1);
            guard = guard.saturating_add(1);
        }
        let (mut r, mut down) = (r1, y1.saturating_add(h));
        guard = 0;
        while down >= self.row_px(r).max(1) && guard < 4096 {
            down = down.saturating_sub(self.row_px(r));
            r = r.saturating_add(1);
            guard = guard.saturating_add(1);
        }
        NoteBox {
            anchor: [c1, x1, r1, y1, c, left, r, down],
            size_pt: (w.saturating_mul(3) / 4, h.saturating_mul(3) / 4),
        }
    }
}

/// Adds a hidden note shape for each cell to a VML drawing (which Excel
/// writes as loose HTML-like XML, so it is edited as text), each box sized
/// to its note.
pub(crate) fn add_shapes(vml: &str, cells: &[(CellRef, NoteBox)]) -> Result<String, String> {
    if cells.is_empty() {
        return Ok(vml.to_string());
    }
    let close = vml.rfind("</xml>").ok_or("the VML drawing has no </xml>")?;
    let ids = Regex::new(r"_x0000_s(\d+)").map_err(|e| e.to_string())?;
    let idmap = Regex::new(r#"<o:idmap[^>]*data="(\d+)"#).map_err(|e| e.to_string())?;
    let block = idmap
        .captures(vml)
        .and_then(|c| c[1].parse::<u32>().ok())
        .unwrap_or(1);
    let next = ids
        .captures_iter(vml)
        .filter_map(|c| c[1].parse::<u32>().ok())
        .max()
        .map_or(block.saturating_mul(1024).saturating_add(1), |m| {
            m.saturating_add(1)
        });
    let mut s = String::new();
    if !vml.contains("_x0000_t202") {
        s.push_str(SHAPETYPE);
    }
    for (k, (c, b)) in cells.iter().enumerate() {
        let next = next.saturating_add(u32::try_from(k).unwrap_or(0));
        let (row, col) = (c.row, u32::from(c.col));
        let a = b.anchor;
        s.push_str(&format!(
            "<v:shape id=\"_x0000_s{next}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:80pt;margin-top:2pt;width:{w}pt;height:{h}pt;z-index:{z};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{}, {}, {}, {}, {}, {}, {}, {}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>",
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
            w = b.size_pt.0,
            h = b.size_pt.1,
            z = next % 1024,
        ));
    }
    let mut out = vml[..close].to_string();
    out.push_str(&s);
    out.push_str(&vml[close..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> CellRef {
        CellRef::parse(s).unwrap()
    }

    #[test]
    fn adds_new_comments_and_appends_to_existing_ones() {
        let x = r#"<comments xmlns="m"><authors><author>Ann</author></authors><commentList><comment ref="B2" authorId="0"><text><t>keep me</t></text></comment></commentList></comments>"#;
        let (out, applied, shapes) = add_comments(
            x.as_bytes(),
            &[
                (c("B2"), "[F001] error".into()),
                (c("C3"), "new & <x>".into()),
            ],
            "bpt",
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("<authors><author>Ann</author><author>bpt</author></authors>"),
            "{out}"
        );
        assert!(out.contains("<text><r><t>keep me</t></r><r>"), "{out}");
        assert!(out.contains("\n\n[F001] error</t></r></text>"), "{out}");
        assert!(out.contains(r#"<comment ref="C3" authorId="1">"#), "{out}");
        assert!(out.contains("new &amp; &lt;x&gt;"), "{out}");
        assert_eq!(applied[0].old.as_deref(), Some("keep me"));
        assert_eq!(applied[1].old, None);
        assert_eq!(shapes, vec![c("C3")]);
    }

    #[test]
    fn new_parts_take_comments() {
        let (out, _, shapes) =
            add_comments(EMPTY_COMMENTS.as_bytes(), &[(c("A1"), "x".into())], "bpt").unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<authors><author>bpt</author></authors><commentList><comment ref=\"A1\" authorId=\"0\">"), "{out}");
        let g = Geometry::of_sheet(b"<worksheet/>");
        let boxes: Vec<(CellRef, NoteBox)> =
            shapes.iter().map(|c| (*c, g.note_box(*c, "x"))).collect();
        let vml = add_shapes(&empty_vml(3), &boxes).unwrap();
        assert!(vml.contains("_x0000_s3073"), "{vml}");
        assert!(
            vml.contains("<x:Row>0</x:Row><x:Column>0</x:Column>"),
            "{vml}"
        );
        let more = add_shapes(&vml, &[(c("B2"), g.note_box(c("B2"), "y"))]).unwrap();
        assert!(more.contains("_x0000_s3074"), "{more}");
        assert_eq!(more.matches("_x0000_t202\" coordsize").count(), 1);
    }

    #[test]
    fn a_note_box_is_as_large_as_its_text() {
        // one short line: the narrowest box, two lines' height at most
        assert_eq!(text_box_px("[F001] error"), (MIN_W, MIN_H));
        // a long line wraps at the widest box
        let long = "x".repeat(200);
        let (w, h) = text_box_px(&long);
        assert_eq!(w, MAX_W);
        let per = (MAX_W - PAD_PX) / CHAR_PX;
        assert_eq!(h, 200u32.div_ceil(per) * LINE_PX + PAD_PX);
        // more lines, a taller box
        let five = "a line of a note\n".repeat(5);
        assert_eq!(text_box_px(&five).1, 5 * LINE_PX + PAD_PX + LINE_PX);
        // the box spans the sheet's real columns and rows
        let g = Geometry::of_sheet(
            br#"<worksheet><sheetFormatPr defaultRowHeight="15"/><cols><col min="2" max="3" width="40" customWidth="1"/></cols><sheetData><row r="4" ht="30" customHeight="1"/></sheetData></worksheet>"#,
        );
        assert_eq!(g.col_px(1), 280);
        assert_eq!(g.col_px(0), 64);
        assert_eq!(g.row_px(3), 40);
        let b = g.note_box(c("A5"), "short");
        // from B (15 px in) to 165 px: still in column B
        assert_eq!(b.anchor, [1, 15, 3, 10, 1, 165, 4, 10]);
        assert_eq!(b.size_pt, (112, 30));
    }
}
