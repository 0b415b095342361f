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

/// Adds a hidden note shape for each cell to a VML drawing (which Excel
/// writes as loose HTML-like XML, so it is edited as text).
pub(crate) fn add_shapes(vml: &str, cells: &[CellRef]) -> Result<String, String> {
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
        .map_or(block.saturating_mul(1024).saturating_add(1), |m| m + 1);
    let mut s = String::new();
    if !vml.contains("_x0000_t202") {
        s.push_str(SHAPETYPE);
    }
    for (k, c) in cells.iter().enumerate() {
        let next = next + u32::try_from(k).unwrap_or(0);
        let (row, col) = (c.row, u32::from(c.col));
        s.push_str(&format!(
            "<v:shape id=\"_x0000_s{next}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;height:90pt;z-index:{z};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{c1}, 15, {r1}, 10, {c2}, 15, {r2}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>",
            z = next % 1024,
            c1 = col + 1,
            r1 = row.saturating_sub(1),
            c2 = col + 4,
            r2 = row + 5,
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
        let vml = add_shapes(&empty_vml(3), &shapes).unwrap();
        assert!(vml.contains("_x0000_s3073"), "{vml}");
        assert!(
            vml.contains("<x:Row>0</x:Row><x:Column>0</x:Column>"),
            "{vml}"
        );
        let more = add_shapes(&vml, &[c("B2")]).unwrap();
        assert!(more.contains("_x0000_s3074"), "{more}");
        assert_eq!(more.matches("_x0000_t202\" coordsize").count(), 1);
    }
}
