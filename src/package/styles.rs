//! Additions to `xl/styles.xml`: fills, fonts, number formats and cell
//! formats (`cellXfs`) appended at the end of their lists, so every
//! existing index keeps its meaning and every existing byte stays.

use super::xml::{self, find_element, raw_attrs, splice, start_tag, tag_at};
use quick_xml::events::Event;

/// Appends `item` to the list element `list` (e.g. `fills`), updating its
/// `count`; returns the new XML and the index of the new item.
fn append(styles: &[u8], list: &[u8], item: &str, child: &[u8]) -> Result<(Vec<u8>, u32), String> {
    let name = String::from_utf8_lossy(list).into_owned();
    let (start, inner_start, inner_end, end) =
        find_element(styles, list)?.ok_or_else(|| format!("styles.xml has no <{name}>"))?;
    let n = count_children(&styles[inner_start..inner_end], child)?;
    let (tag, tag_end, empty) = tag_at(styles, start)?;
    let mut attrs = raw_attrs(&tag);
    if attrs.iter().any(|(k, _)| k == "count") {
        xml::set_attr(&mut attrs, "count", &(n + 1).to_string());
    }
    let qname = String::from_utf8_lossy(tag.name().into_inner().as_bytes()).into_owned();
    let open = start_tag(&qname, &attrs, false);
    let out = if empty {
        let with = format!("{open}{item}</{qname}>");
        splice(styles, start, end, with.as_bytes())
    } else {
        // new start tag, old children, the item, old end tag
        let mut w = open.into_bytes();
        w.extend_from_slice(&styles[tag_end..inner_end]);
        w.extend_from_slice(item.as_bytes());
        w.extend_from_slice(&styles[inner_end..end]);
        splice(styles, start, end, &w)
    };
    Ok((out, n))
}

/// Number of direct children named `child`.
fn count_children(inner: &[u8], child: &[u8]) -> Result<u32, String> {
    let mut toks = xml::Toks::new(inner);
    let mut n = 0u32;
    let mut depth = 0usize;
    while let Some(t) = toks.next_tok()? {
        match &t.ev {
            Event::Start(e) => {
                if depth == 0 && e.local_name().into_inner().as_bytes() == child {
                    n += 1;
                }
                depth += 1;
            }
            Event::Empty(e) if depth == 0 && e.local_name().into_inner().as_bytes() == child => {
                n += 1
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(n)
}

/// The raw `index`-th direct child named `child` of `inner`.
fn nth_child(inner: &[u8], child: &[u8], index: u32) -> Result<Option<Vec<u8>>, String> {
    let mut toks = xml::Toks::new(inner);
    let mut n = 0u32;
    while let Some(t) = toks.next_tok()? {
        match &t.ev {
            Event::Start(e) | Event::Empty(e) => {
                let end = if matches!(t.ev, Event::Start(_)) {
                    toks.skip_element()?
                } else {
                    t.end
                };
                if e.local_name().into_inner().as_bytes() == child {
                    if n == index {
                        return Ok(Some(inner[t.start..end].to_vec()));
                    }
                    n += 1;
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// A solid fill of colour `rgb` (`0xRRGGBB`).
pub(crate) fn add_fill(styles: &[u8], rgb: u32) -> Result<(Vec<u8>, u32), String> {
    let item = format!(
        "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF{rgb:06X}\"/><bgColor indexed=\"64\"/></patternFill></fill>"
    );
    append(styles, b"fills", &item, b"fill")
}

/// A font given as its `<font>` element.
pub(crate) fn add_font(styles: &[u8], font: &str) -> Result<(Vec<u8>, u32), String> {
    append(styles, b"fonts", font, b"font")
}

/// A custom number format; returns its `numFmtId` (164 or above, above
/// every existing one).
pub(crate) fn add_num_fmt(styles: &[u8], code: &str) -> Result<(Vec<u8>, u32), String> {
    let mut max = 163u32;
    let mut toks = xml::Toks::new(styles);
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev
            && e.local_name().into_inner().as_bytes() == b"numFmt"
            && let Some(id) = xml::attr(e, "numFmtId").and_then(|v| v.parse::<u32>().ok())
        {
            max = max.max(id);
        }
    }
    let id = max + 1;
    let item = format!(
        "<numFmt numFmtId=\"{id}\" formatCode=\"{}\"/>",
        xml::esc(code)
    );
    if find_element(styles, b"numFmts")?.is_some() {
        return append(styles, b"numFmts", &item, b"numFmt").map(|(x, _)| (x, id));
    }
    // No custom formats yet: <numFmts> goes first in <styleSheet>.
    let (start, _, _, _) =
        find_element(styles, b"styleSheet")?.ok_or("styles.xml has no <styleSheet>")?;
    let (_, tag_end, _) = tag_at(styles, start)?;
    let with = format!("<numFmts count=\"1\">{item}</numFmts>");
    Ok((splice(styles, tag_end, tag_end, with.as_bytes()), id))
}

/// What a new cell format changes relative to its base.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct XfChange {
    pub fill: Option<u32>,
    pub font: Option<u32>,
    pub num_fmt: Option<u32>,
    /// Wrap text, aligned to the top (replaces the base's alignment).
    pub wrap: bool,
    /// Aligned to the top without wrapping (replaces the base's alignment;
    /// `wrap` wins when both are set).
    pub top: bool,
}

/// A new `cellXfs` entry: a copy of entry `base` (alignment, protection,
/// border kept) with `change` applied; returns its index.
pub(crate) fn add_xf(styles: &[u8], base: u32, change: XfChange) -> Result<(Vec<u8>, u32), String> {
    let (_, inner_start, inner_end, _) =
        find_element(styles, b"cellXfs")?.ok_or("styles.xml has no <cellXfs>")?;
    let inner = &styles[inner_start..inner_end];
    let raw = nth_child(inner, b"xf", base)?
        .or(nth_child(inner, b"xf", 0)?)
        .unwrap_or_else(|| {
            b"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>".to_vec()
        });
    let (tag, tag_end, empty) = tag_at(&raw, 0)?;
    let mut attrs = raw_attrs(&tag);
    for (key, apply, v) in [
        ("fillId", "applyFill", change.fill),
        ("fontId", "applyFont", change.font),
        ("numFmtId", "applyNumberFormat", change.num_fmt),
    ] {
        if let Some(v) = v {
            xml::set_attr(&mut attrs, key, &v.to_string());
            xml::set_attr(&mut attrs, apply, "1");
        }
    }
    let qname = String::from_utf8_lossy(tag.name().into_inner().as_bytes()).into_owned();
    let item = if change.wrap || change.top {
        xml::set_attr(&mut attrs, "applyAlignment", "1");
        // The base's children less its alignment, after the new one.
        let body = if empty {
            String::new()
        } else {
            let inner = String::from_utf8_lossy(&raw[tag_end..]).into_owned();
            let close = format!("</{qname}>");
            let inner = inner.strip_suffix(close.as_str()).unwrap_or(&inner);
            let re =
                regex::Regex::new(r"(?s)<(\w+:)?alignment\b[^>]*?(/>|>.*?</(\w+:)?alignment>)")
                    .map_err(|e| e.to_string())?;
            re.replace_all(inner, "").into_owned()
        };
        let wrap = if change.wrap { "wrapText=\"1\" " } else { "" };
        format!(
            "{}<alignment {wrap}vertical=\"top\"/>{body}</{qname}>",
            start_tag(&qname, &attrs, false)
        )
    } else {
        let mut item = start_tag(&qname, &attrs, empty);
        if !empty {
            item.push_str(&String::from_utf8_lossy(&raw[tag_end..]));
        }
        item
    };
    append(styles, b"cellXfs", &item, b"xf")
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = r#"<styleSheet xmlns="m"><fonts count="1"><font><sz val="11"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="4" fontId="0" fillId="0" borderId="1" xfId="0" applyAlignment="1"><alignment horizontal="center"/><protection locked="0"/></xf></cellXfs></styleSheet>"#;

    #[test]
    fn appends_a_fill_and_a_cloned_xf() {
        let (x, fill) = add_fill(S.as_bytes(), 0xF4B6B6).unwrap();
        assert_eq!(fill, 2);
        let (x, xf) = add_xf(
            &x,
            1,
            XfChange {
                fill: Some(fill),
                ..XfChange::default()
            },
        )
        .unwrap();
        assert_eq!(xf, 2);
        let x = String::from_utf8(x).unwrap();
        assert!(x.contains(r#"<fills count="3">"#), "{x}");
        assert!(x.contains(r#"<fgColor rgb="FFF4B6B6"/>"#), "{x}");
        assert!(x.contains(r#"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="4" fontId="0" fillId="0" borderId="1" xfId="0" applyAlignment="1"><alignment horizontal="center"/><protection locked="0"/></xf><xf numFmtId="4" fontId="0" fillId="2" borderId="1" xfId="0" applyAlignment="1" applyFill="1"><alignment horizontal="center"/><protection locked="0"/></xf></cellXfs>"#), "{x}");
    }

    #[test]
    fn a_wrapping_format_replaces_the_base_alignment() {
        let x = br#"<styleSheet><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="center"/><protection locked="0"/></xf></cellXfs></styleSheet>"#;
        let (x, xf) = add_xf(
            x,
            0,
            XfChange {
                wrap: true,
                ..XfChange::default()
            },
        )
        .unwrap();
        assert_eq!(xf, 1);
        let x = String::from_utf8(x).unwrap();
        assert!(x.contains(r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/><protection locked="0"/></xf></cellXfs>"#), "{x}");
    }

    #[test]
    fn a_top_format_keeps_the_base_but_its_alignment() {
        let x = br#"<styleSheet><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/></cellXfs></styleSheet>"#;
        let (x, xf) = add_xf(
            x,
            0,
            XfChange {
                top: true,
                ..XfChange::default()
            },
        )
        .unwrap();
        assert_eq!(xf, 1);
        let x = String::from_utf8(x).unwrap();
        assert!(x.contains(r#"<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1" applyAlignment="1"><alignment vertical="top"/></xf></cellXfs>"#), "{x}");
    }

    #[test]
    fn adds_number_formats_and_fonts() {
        let (x, id) = add_num_fmt(S.as_bytes(), "$#,##0.00").unwrap();
        assert_eq!(id, 164);
        let (x, id2) = add_num_fmt(&x, "0.0%").unwrap();
        assert_eq!(id2, 165);
        let (x, font) = add_font(&x, "<font><b/><sz val=\"11\"/></font>").unwrap();
        assert_eq!(font, 1);
        let x = String::from_utf8(x).unwrap();
        assert!(x.starts_with(r#"<styleSheet xmlns="m"><numFmts count="2"><numFmt numFmtId="164" formatCode="$#,##0.00"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts><fonts count="2">"#), "{x}");
    }
}
