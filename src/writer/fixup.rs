//! A fix-up applied to the saved package: formula cells whose cached result
//! is *text that looks like something else*.
//!
//! rust_xlsxwriter types a formula's cached result by its content: a result
//! that parses as a number is stored as a number, `TRUE`/`FALSE` as a
//! boolean, `#N/A` and friends as errors. For a calculated text field that
//! holds `"001"` (a plan ID copied from WS1) that would store the number 1,
//! and a reader that sees only cached values would lose the leading zeros.
//! After saving, the cells listed here get `t="str"` and their text back.

use crate::cellref::CellRef;
use regex::Regex;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

/// A formula cell whose cached result must be stored as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextResult {
    /// Sheet name.
    pub sheet: String,
    /// Cell.
    pub cell: CellRef,
    /// The text result.
    pub text: String,
}

/// Whether rust_xlsxwriter would store `text`, given as a formula result,
/// as something other than a string.
pub(crate) fn needs_fix(text: &str) -> bool {
    text.parse::<f64>().is_ok()
        || matches!(
            text,
            "TRUE"
                | "FALSE"
                | "#DIV/0!"
                | "#N/A"
                | "#NAME?"
                | "#NULL!"
                | "#NUM!"
                | "#REF!"
                | "#VALUE!"
                | "#GETTING_DATA"
        )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Maps sheet names to their part (`xl/worksheets/sheet2.xml`).
fn sheet_parts(workbook_xml: &str, rels_xml: &str) -> Result<BTreeMap<String, String>, String> {
    let sheet_re =
        Regex::new(r#"<sheet name="([^"]*)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"/>"#)
            .map_err(|e| e.to_string())?;
    let rel_re = Regex::new(r#"<Relationship Id="(rId\d+)" Type="[^"]*" Target="([^"]*)"/>"#)
        .map_err(|e| e.to_string())?;
    let targets: BTreeMap<&str, &str> = rel_re
        .captures_iter(rels_xml)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())))
        .collect();
    let mut out = BTreeMap::new();
    for c in sheet_re.captures_iter(workbook_xml) {
        let (Some(name), Some(rid)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if let Some(t) = targets.get(rid.as_str()) {
            let part = t
                .strip_prefix('/')
                .map_or_else(|| format!("xl/{t}"), str::to_string);
            out.insert(unescape(name.as_str()), part);
        }
    }
    Ok(out)
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, String> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| format!("the package has no {name}: {e}"))?;
    let mut s = String::new();
    f.read_to_string(&mut s)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(s)
}

fn patch_sheet(xml: &str, part: &str, fixes: &[&TextResult]) -> Result<String, String> {
    let re = Regex::new(
        r#"<c r="([A-Z]+[0-9]+)"((?: s="\d+")?)(?: t="\w+")?>(<f>[^<]*</f>)<v>[^<]*</v></c>"#,
    )
    .map_err(|e| e.to_string())?;
    let wanted: BTreeMap<String, &TextResult> =
        fixes.iter().map(|f| (f.cell.to_string(), *f)).collect();
    let mut done = 0usize;
    let out = re.replace_all(xml, |c: &regex::Captures<'_>| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let Some(fix) = wanted.get(&c[1]) else {
            return whole.to_string();
        };
        done += 1;
        format!(
            r#"<c r="{}"{} t="str">{}<v>{}</v></c>"#,
            &c[1],
            &c[2],
            &c[3],
            escape(&fix.text)
        )
    });
    if done != wanted.len() {
        let missing: Vec<String> = fixes
            .iter()
            .filter(|f| !re.captures_iter(xml).any(|c| c[1] == f.cell.to_string()))
            .map(|f| format!("{}!{} (`{}`)", f.sheet, f.cell, f.text))
            .collect();
        return Err(format!(
            "{part}: no formula cell to give the text result: {}",
            missing.join(", ")
        ));
    }
    Ok(out.into_owned())
}

/// Rewrites the saved package so the listed cells hold text results.
/// Entries other than the patched worksheets are copied byte for byte.
pub(crate) fn apply(bytes: Vec<u8>, fixes: &[TextResult]) -> Result<Vec<u8>, String> {
    if fixes.is_empty() {
        return Ok(bytes);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
        .map_err(|e| format!("cannot reopen the saved package: {e}"))?;
    let parts = sheet_parts(
        &read_part(&mut zip, "xl/workbook.xml")?,
        &read_part(&mut zip, "xl/_rels/workbook.xml.rels")?,
    )?;
    let mut by_part: BTreeMap<&str, Vec<&TextResult>> = BTreeMap::new();
    for fix in fixes {
        let part = parts
            .get(&fix.sheet)
            .ok_or_else(|| format!("the package has no sheet `{}`", fix.sheet))?;
        by_part.entry(part.as_str()).or_default().push(fix);
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..zip.len() {
        let name = zip
            .by_index_raw(i)
            .map_err(|e| format!("cannot read package entry {i}: {e}"))?
            .name()
            .map_err(|e| format!("cannot read the name of package entry {i}: {e}"))?
            .to_string();
        if let Some(fixes) = by_part.get(name.as_str()) {
            let mut f = zip
                .by_index(i)
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            let mut xml = String::new();
            f.read_to_string(&mut xml)
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            let mut opts = SimpleFileOptions::default().compression_method(f.compression());
            if let Some(t) = f.last_modified() {
                opts = opts.last_modified_time(t);
            }
            drop(f);
            let xml = patch_sheet(&xml, &name, fixes)?;
            out.start_file(name.as_str(), opts)
                .and_then(|()| out.write_all(xml.as_bytes()).map_err(Into::into))
                .map_err(|e| format!("cannot write {name}: {e}"))?;
        } else {
            let f = zip
                .by_index_raw(i)
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            out.raw_copy_file(f)
                .map_err(|e| format!("cannot copy {name}: {e}"))?;
        }
    }
    out.finish()
        .map(Cursor::into_inner)
        .map_err(|e| format!("cannot finish the package: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_what_rust_xlsxwriter_would_retype() {
        for t in ["001", "1e5", "inf", "NaN", "TRUE", "#N/A", " 1"] {
            assert_eq!(needs_fix(t), t != " 1", "{t}");
        }
        for t in ["H1234", "Y", "", "true", "01-02"] {
            assert!(!needs_fix(t), "{t}");
        }
    }

    #[test]
    fn patches_one_formula_cell() {
        let xml = r#"<row r="7"><c r="D6" s="4"><f>A1</f><v>1</v></c><c r="D7" s="4"><f>WS1!$D$5</f><v>1</v></c><c r="D70"><f>B2</f><v>3</v></c></row>"#;
        let fix = TextResult {
            sheet: "S2".into(),
            cell: CellRef::parse("D7").unwrap(),
            text: "001&<".into(),
        };
        let out = patch_sheet(xml, "xl/worksheets/sheet2.xml", &[&fix]).unwrap();
        assert_eq!(
            out,
            r#"<row r="7"><c r="D6" s="4"><f>A1</f><v>1</v></c><c r="D7" s="4" t="str"><f>WS1!$D$5</f><v>001&amp;&lt;</v></c><c r="D70"><f>B2</f><v>3</v></c></row>"#
        );
        let missing = TextResult {
            cell: CellRef::parse("E1").unwrap(),
            ..fix
        };
        let e = patch_sheet(xml, "xl/worksheets/sheet2.xml", &[&missing]).unwrap_err();
        assert!(e.contains("S2!E1"), "{e}");
    }

    #[test]
    fn maps_sheet_names_to_parts() {
        let wb = r#"<sheets><sheet name="Findings" sheetId="1" r:id="rId1"/><sheet name="A &amp; B" sheetId="2" r:id="rId2"/><sheet name="Lists" sheetId="3" state="hidden" r:id="rId3"/></sheets>"#;
        let rels = r#"<Relationship Id="rId1" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://x/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://x/worksheet" Target="/xl/worksheets/sheet3.xml"/>"#;
        let m = sheet_parts(wb, rels).unwrap();
        assert_eq!(m["A & B"], "xl/worksheets/sheet2.xml");
        assert_eq!(m["Lists"], "xl/worksheets/sheet3.xml");
        assert_eq!(m.len(), 3);
    }
}
