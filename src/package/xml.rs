//! Small helpers over quick-xml: events with their byte ranges, so edits
//! splice new bytes into the original text and leave every other byte as
//! it was.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// One event and the byte range `start..end` it covers in the input.
pub(crate) struct Tok<'a> {
    pub ev: Event<'a>,
    pub start: usize,
    pub end: usize,
}

/// A reader of `xml` that yields [`Tok`]s.
pub(crate) struct Toks<'a> {
    r: Reader<&'a [u8]>,
    done: bool,
}

impl<'a> Toks<'a> {
    pub fn new(xml: &'a [u8]) -> Self {
        let mut r = Reader::from_reader(xml);
        r.config_mut().check_end_names = true;
        Toks { r, done: false }
    }

    /// The next event, `None` at the end; an error names the byte offset.
    pub fn next_tok(&mut self) -> Result<Option<Tok<'a>>, String> {
        if self.done {
            return Ok(None);
        }
        let start = self.r.buffer_position() as usize;
        match self.r.read_event() {
            Ok(Event::Eof) => {
                self.done = true;
                Ok(None)
            }
            Ok(ev) => Ok(Some(Tok {
                ev,
                start,
                end: self.r.buffer_position() as usize,
            })),
            Err(e) => Err(format!(
                "malformed XML at byte {}: {e}",
                self.r.error_position()
            )),
        }
    }

    /// Skips to the end of the element whose start tag was just read and
    /// returns the offset just past its end tag.
    pub fn skip_element(&mut self) -> Result<usize, String> {
        let mut depth = 1usize;
        while let Some(t) = self.next_tok()? {
            match t.ev {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(t.end);
                    }
                }
                _ => {}
            }
        }
        Err("unexpected end of XML inside an element".into())
    }
}

/// The local name of a tag (`x:c` → `c`).
pub(crate) fn local(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().into_inner().as_bytes().to_vec()
}

/// The unescaped value of attribute `key` (matched on its local name when
/// `key` has no prefix).
pub(crate) fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    for a in e.attributes().with_checks(false).flatten() {
        let k = a.key.into_inner().as_bytes();
        let matches = k == key.as_bytes()
            || (!key.contains(':')
                && a.key.local_name().into_inner().as_bytes() == key.as_bytes()
                && {
                    // an unprefixed key asks for the unprefixed attribute only
                    !k.contains(&b':')
                });
        if matches {
            return Some(
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(Cow::into_owned)
                    .unwrap_or_else(|_| a.value.to_string()),
            );
        }
    }
    None
}

/// The attributes of a start tag as (key, raw escaped value), in order.
pub(crate) fn raw_attrs(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.into_inner().as_bytes()).into_owned(),
                a.value.replace('"', "&quot;"),
            )
        })
        .collect()
}

/// A start tag text `<name k="v"…>` (or `…/>` when `empty`).
pub(crate) fn start_tag(name: &str, attrs: &[(String, String)], empty: bool) -> String {
    let mut s = format!("<{name}");
    for (k, v) in attrs {
        s.push_str(&format!(" {k}=\"{v}\""));
    }
    s.push_str(if empty { "/>" } else { ">" });
    s
}

/// Sets (or adds) attribute `key` to the raw, already escaped `value`.
pub(crate) fn set_attr(attrs: &mut Vec<(String, String)>, key: &str, value: &str) {
    match attrs.iter_mut().find(|(k, _)| k == key) {
        Some(a) => a.1 = value.to_string(),
        None => attrs.push((key.to_string(), value.to_string())),
    }
}

/// XML text escaping (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn esc(s: &str) -> String {
    // Characters XML 1.0 cannot hold at all are dropped.
    let clean: String = s
        .chars()
        .filter(|c| matches!(*c, '\t' | '\n' | '\r') || *c >= ' ')
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// Unescapes raw element text (`a &amp; b` → `a & b`).
pub(crate) fn unesc(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    quick_xml::escape::unescape(&s)
        .map(Cow::into_owned)
        .unwrap_or_else(|_| s.into_owned())
}

/// The text of every `<t>` element in `xml` (a rich or plain string item),
/// leaving out phonetic runs (`<rPh>`).
pub(crate) fn string_item_text(xml: &[u8]) -> Result<String, String> {
    let mut toks = Toks::new(xml);
    let mut out = String::new();
    let mut in_rph = 0usize;
    while let Some(t) = toks.next_tok()? {
        match &t.ev {
            Event::Start(e) if e.local_name().into_inner().as_bytes() == b"rPh" => in_rph += 1,
            Event::End(e) if e.local_name().into_inner().as_bytes() == b"rPh" => {
                in_rph = in_rph.saturating_sub(1)
            }
            Event::Start(e) if e.local_name().into_inner().as_bytes() == b"t" && in_rph == 0 => {
                let s = t.end;
                let end = toks.skip_element()?;
                let close = xml[..end].iter().rposition(|b| *b == b'<').unwrap_or(end);
                out.push_str(&unesc(&xml[s..close]));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Byte range of the first element named `name` (local name) anywhere in
/// `xml`: `(start, inner_start, inner_end, end)`; for an empty element
/// `<x/>`, `inner_start == inner_end == end`.
pub(crate) fn find_element(
    xml: &[u8],
    name: &[u8],
) -> Result<Option<(usize, usize, usize, usize)>, String> {
    let mut toks = Toks::new(xml);
    while let Some(t) = toks.next_tok()? {
        match &t.ev {
            Event::Start(e) if e.local_name().into_inner().as_bytes() == name => {
                let inner = t.end;
                let end = toks.skip_element()?;
                let close = xml[..end].iter().rposition(|b| *b == b'<').unwrap_or(end);
                return Ok(Some((t.start, inner, close, end)));
            }
            Event::Empty(e) if e.local_name().into_inner().as_bytes() == name => {
                return Ok(Some((t.start, t.end, t.end, t.end)));
            }
            _ => {}
        }
    }
    Ok(None)
}

/// Replaces `xml[range]` with `with`.
pub(crate) fn splice(xml: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len() + with.len());
    out.extend_from_slice(&xml[..start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&xml[end..]);
    out
}

/// The start tag at `xml[start..]` parsed on its own (for re-writing its
/// attributes).
pub(crate) fn tag_at(xml: &[u8], start: usize) -> Result<(BytesStart<'_>, usize, bool), String> {
    let mut toks = Toks::new(&xml[start..]);
    match toks.next_tok()? {
        Some(Tok {
            ev: Event::Start(e),
            end,
            ..
        }) => Ok((e, start + end, false)),
        Some(Tok {
            ev: Event::Empty(e),
            end,
            ..
        }) => Ok((e, start + end, true)),
        _ => Err(format!("no start tag at byte {start}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_and_text() {
        let x = br#"<a><b k="1">x &amp; y</b><c/></a>"#;
        let (s, i, e, end) = find_element(x, b"b").unwrap().unwrap();
        assert_eq!(&x[s..end], br#"<b k="1">x &amp; y</b>"#);
        assert_eq!(unesc(&x[i..e]), "x & y");
        let (s, i, e, end) = find_element(x, b"c").unwrap().unwrap();
        assert_eq!((&x[s..end], i, e), (&b"<c/>"[..], end, end));
        assert!(find_element(x, b"d").unwrap().is_none());
    }

    #[test]
    fn reads_rich_text_without_phonetics() {
        let si = br#"<si><r><t>ab</t></r><r><rPr><b/></rPr><t xml:space="preserve"> c&lt;</t></r><rPh sb="0" eb="1"><t>zz</t></rPh></si>"#;
        assert_eq!(string_item_text(si).unwrap(), "ab c<");
    }

    #[test]
    fn escapes_and_drops_control_characters() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
