//! Outputs are edits of the user's own workbook (issue 15): on every
//! shipped sample, on a LibreOffice-resaved copy and on an `.xlsm`, each
//! with user content added by zip edits (a sheet with a formula, a note
//! and a hyperlink; notes, text, a formula and a custom fill and number
//! format on WS1; a defined name; a VBA part), `annotate`, `recalc -o`,
//! `finalize` and `reallocate -o`:
//!
//! - leave every part not named in their edit list byte-identical;
//! - keep every cell value, formula, note, hyperlink, fill and defined name
//!   of the original, as an independent reader (openpyxl) sees them,
//!   except exactly the cells their edit list names (no undeclared change,
//!   no declared change that is not there);
//! - write files LibreOffice opens (converted to PDF);
//! - `finalize` of the shipped samples gives exactly the form's sheets and
//!   re-validates clean.
//!
//! openpyxl is needed (`pip install openpyxl`; `.ci/run` installs it).

use crate::common::{self, bpt};
use regex::Regex;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-bids")
}

// ---------------------------------------------------------------- input

type Parts = Vec<(String, Vec<u8>)>;

fn unzip(bytes: &[u8]) -> Parts {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

fn rezip(parts: &Parts) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, d) in parts {
        w.start_file(n.as_str(), o).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn text(parts: &Parts, name: &str) -> String {
    String::from_utf8(
        parts
            .iter()
            .find(|p| p.0 == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
            .clone(),
    )
    .unwrap()
}

fn set(parts: &mut Parts, name: &str, data: String) {
    match parts.iter_mut().find(|p| p.0 == name) {
        Some(p) => p.1 = data.into_bytes(),
        None => parts.push((name.to_string(), data.into_bytes())),
    }
}

fn insert_before(s: &str, marker: &str, what: &str) -> String {
    let i = s.rfind(marker).unwrap_or_else(|| panic!("no {marker}"));
    format!("{}{what}{}", &s[..i], &s[i..])
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELNS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn vml(cells: &[(u32, u32)]) -> String {
    let mut s = String::from(
        r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="7"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#,
    );
    for (i, (r, c)) in cells.iter().enumerate() {
        s.push_str(&format!(r##"<v:shape id="_x0000_s{}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:150pt;height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1"><v:fill color2="#ffffe1"/><v:textbox/><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{}, 15, {}, 10, {}, 15, {}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>"##, 7169 + i, c + 1, r, c + 3, r + 4));
    }
    s.push_str("</xml>");
    s
}

/// The part of sheet `name`.
fn sheet_part(parts: &Parts, name: &str) -> String {
    let wb = text(parts, "xl/workbook.xml");
    let re = Regex::new(&format!(
        r#"<sheet\b[^>]*?\bname="{name}"[^>]*?\br:id="([^"]+)""#
    ))
    .unwrap();
    let rid = re.captures(&wb).unwrap()[1].to_string();
    let rels = text(parts, "xl/_rels/workbook.xml.rels");
    let re = Regex::new(r#"<Relationship\b[^>]*>"#).unwrap();
    let tag = re
        .find_iter(&rels)
        .map(|m| m.as_str())
        .find(|t| t.contains(&format!("Id=\"{rid}\"")))
        .unwrap();
    let target = Regex::new(r#"Target="([^"]+)""#)
        .unwrap()
        .captures(tag)
        .unwrap()[1]
        .to_string();
    target
        .strip_prefix('/')
        .map(str::to_string)
        .unwrap_or(format!("xl/{target}"))
}

/// The user content added to a bid (see the module docs). With `xlsm`, a
/// VBA project part is added and the workbook made macro-enabled.
fn enrich(bytes: &[u8], xlsm: bool) -> Vec<u8> {
    let mut p = unzip(bytes);
    // styles: a custom fill and number format, as one new cell format
    let mut st = text(&p, "xl/styles.xml");
    let bump = |s: &str, list: &str| -> (String, usize) {
        let re = Regex::new(&format!(r#"<{list} count="(\d+)""#)).unwrap();
        let n: usize = re.captures(s).unwrap()[1].parse().unwrap();
        (
            re.replace(s, format!(r#"<{list} count="{}""#, n + 1).as_str())
                .into_owned(),
            n,
        )
    };
    let (s1, fill) = bump(&st, "fills");
    st = insert_before(
        &s1,
        "</fills>",
        r#"<fill><patternFill patternType="solid"><fgColor rgb="FF00B050"/><bgColor indexed="64"/></patternFill></fill>"#,
    );
    if st.contains("<numFmts") {
        let (s2, _) = bump(&st, "numFmts");
        st = insert_before(
            &s2,
            "</numFmts>",
            r#"<numFmt numFmtId="300" formatCode="0.000%"/>"#,
        );
    } else {
        st = st.replacen(
            "<fonts",
            r#"<numFmts count="1"><numFmt numFmtId="300" formatCode="0.000%"/></numFmts><fonts"#,
            1,
        );
    }
    let (s3, xf) = bump(&st, "cellXfs");
    st = insert_before(
        &s3,
        "</cellXfs>",
        &format!(
            r#"<xf numFmtId="300" fontId="0" fillId="{fill}" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>"#
        ),
    );
    set(&mut p, "xl/styles.xml", st);

    // WS1: a row of user content below the form, two notes
    let ws1 = sheet_part(&p, "WS1");
    let mut s = text(&p, &ws1);
    let last: u32 = Regex::new(r#"<row r="(\d+)""#)
        .unwrap()
        .captures_iter(&s)
        .map(|c| c[1].parse().unwrap())
        .max()
        .unwrap();
    let r = last + 3;
    s = insert_before(
        &s,
        "</sheetData>",
        &format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Actuary's working note</t></is></c><c r="B{r}"><f>1+1</f><v>2</v></c><c r="C{r}" s="{xf}"><v>0.125</v></c></row>"#
        ),
    );
    let ws1_rels = {
        let (d, f) = ws1.rsplit_once('/').unwrap();
        format!("{d}/_rels/{f}.rels")
    };
    let legacy = format!(r#"<legacyDrawing xmlns:r="{RELNS}" r:id="rIdUserVml"/>"#);
    s = if s.contains("<tableParts") {
        insert_before(&s, "<tableParts", &legacy)
    } else if s.contains("<extLst") {
        insert_before(&s, "<extLst", &legacy)
    } else {
        insert_before(&s, "</worksheet>", &legacy)
    };
    set(&mut p, &ws1, s);
    let rels_items = r#"<Relationship Id="rIdUserCm" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../commentsUser1.xml"/><Relationship Id="rIdUserVml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlUser1.vml"/>"#;
    let rels = if p.iter().any(|x| x.0 == ws1_rels) {
        insert_before(&text(&p, &ws1_rels), "</Relationships>", rels_items)
    } else {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS}">{rels_items}</Relationships>"#
        )
    };
    set(&mut p, &ws1_rels, rels);
    set(
        &mut p,
        "xl/commentsUser1.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="{MAIN}"><authors><author>Actuary</author></authors><commentList><comment ref="D5" authorId="0"><text><t>Contract number confirmed with HPMS</t></text></comment><comment ref="A{r}" authorId="0"><text><r><t xml:space="preserve">Rich note</t></r></text></comment></commentList></comments>"#
        ),
    );
    set(
        &mut p,
        "xl/drawings/vmlUser1.vml",
        vml(&[(4, 3), (r - 1, 0)]),
    );

    // A user sheet with a formula, a note and an external hyperlink.
    set(
        &mut p,
        "xl/worksheets/sheetUser.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}" xmlns:r="{RELNS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Reviewer notes</t></is></c><c r="B1"><f>2*3</f><v>6</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>CMS guidance</t></is></c></row></sheetData><hyperlinks><hyperlink ref="A3" r:id="rIdLink"/></hyperlinks><legacyDrawing r:id="rIdVml"/></worksheet>"#
        ),
    );
    set(
        &mut p,
        "xl/worksheets/_rels/sheetUser.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS}"><Relationship Id="rIdLink" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.cms.gov/" TargetMode="External"/><Relationship Id="rIdCm" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../commentsUser2.xml"/><Relationship Id="rIdVml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlUser2.vml"/></Relationships>"#
        ),
    );
    set(
        &mut p,
        "xl/commentsUser2.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="{MAIN}"><authors><author>Reviewer</author></authors><commentList><comment ref="A1" authorId="0"><text><t>Check WS4 margins</t></text></comment></commentList></comments>"#
        ),
    );
    set(&mut p, "xl/drawings/vmlUser2.vml", vml(&[(0, 0)]));
    let mut wb = text(&p, "xl/workbook.xml");
    let max_id: u32 = Regex::new(r#"sheetId="(\d+)""#)
        .unwrap()
        .captures_iter(&wb)
        .map(|c| c[1].parse().unwrap())
        .max()
        .unwrap();
    wb = insert_before(
        &wb,
        "</sheets>",
        &format!(
            r#"<sheet name="Reviewer notes" sheetId="{}" r:id="rIdUserSheet"/>"#,
            max_id + 1
        ),
    );
    let name = r#"<definedName name="UserReviewTotal">'Reviewer notes'!$B$1</definedName>"#;
    wb = if wb.contains("<definedNames>") {
        wb.replacen("<definedNames>", &format!("<definedNames>{name}"), 1)
    } else {
        wb.replacen(
            "</sheets>",
            &format!("</sheets><definedNames>{name}</definedNames>"),
            1,
        )
    };
    set(&mut p, "xl/workbook.xml", wb);
    let mut rels = text(&p, "xl/_rels/workbook.xml.rels");
    rels = insert_before(
        &rels,
        "</Relationships>",
        r#"<Relationship Id="rIdUserSheet" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheetUser.xml"/>"#,
    );
    let mut ct = text(&p, "[Content_Types].xml");
    for (part, t) in [
        (
            "/xl/worksheets/sheetUser.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        ),
        (
            "/xl/commentsUser1.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
        ),
        (
            "/xl/commentsUser2.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
        ),
    ] {
        ct = insert_before(
            &ct,
            "</Types>",
            &format!(r#"<Override PartName="{part}" ContentType="{t}"/>"#),
        );
    }
    if !ct.contains(r#"Extension="vml""#) {
        ct = insert_before(
            &ct,
            "<Override",
            r#"<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>"#,
        );
    }
    if xlsm {
        ct = ct.replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        );
        ct = insert_before(
            &ct,
            "<Override",
            r#"<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>"#,
        );
        rels = insert_before(
            &rels,
            "</Relationships>",
            r#"<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>"#,
        );
        let vba: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        p.push(("xl/vbaProject.bin".into(), vba));
    }
    set(&mut p, "xl/_rels/workbook.xml.rels", rels);
    set(&mut p, "[Content_Types].xml", ct);
    rezip(&p)
}

// ---------------------------------------------------------------- checks

const DUMP: &str = r#"
import json, sys, datetime
import openpyxl
def r(v):
    if v is None: return None
    if isinstance(v, bool): return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)): return repr(float(v))
    if isinstance(v, (datetime.datetime, datetime.date)): return v.isoformat()
    return str(v)
out = {}
for path in sys.argv[1:]:
    f = openpyxl.load_workbook(path, data_only=False)
    v = openpyxl.load_workbook(path, data_only=True)
    d = {"sheets": f.sheetnames, "names": {}, "cells": {}, "comments": {}, "links": {}, "fills": {}, "formats": {}}
    for n in f.defined_names:
        d["names"][n] = f.defined_names[n].attr_text
    for ws in f.worksheets:
        wv = v[ws.title]
        for n in ws.defined_names:
            d["names"][ws.title + "/" + n] = ws.defined_names[n].attr_text
        for row in ws.iter_rows():
            for c in row:
                k = ws.title + "!" + c.coordinate
                if c.value is not None:
                    d["cells"][k] = [r(c.value), r(wv[c.coordinate].value)]
                if c.comment is not None:
                    d["comments"][k] = c.comment.text
                if c.hyperlink is not None:
                    d["links"][k] = str(c.hyperlink.target or c.hyperlink.location)
                if c.fill is not None and c.fill.fill_type:
                    d["fills"][k] = str(c.fill.fgColor.rgb)
                if c.number_format != "General":
                    d["formats"][k] = c.number_format
    out[path] = d
print(json.dumps(out))
"#;

fn dump(files: &[PathBuf]) -> BTreeMap<String, J> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("dump.py");
    std::fs::write(&script, DUMP).unwrap();
    let o = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .expect("python3");
    assert!(
        o.status.success(),
        "openpyxl dump failed (pip install openpyxl): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: BTreeMap<String, J> = serde_json::from_slice(&o.stdout).unwrap();
    v
}

/// An output and what its command said it did.
struct Run {
    what: String,
    input: PathBuf,
    output: PathBuf,
    edits: Vec<J>,
    parts: BTreeSet<String>,
    /// The sheets added, in the output's tab order (first first).
    added_sheets: Vec<String>,
}

fn run(what: &str, input: &Path, dir: &Path, extra: &[&str]) -> Run {
    let ext = input.extension().unwrap().to_str().unwrap();
    let stem = input.file_stem().unwrap().to_string_lossy();
    let output = dir.join(format!("{stem}-{what}.{ext}"));
    let (i, o) = (input.to_str().unwrap(), output.to_str().unwrap());
    let mut args: Vec<&str> = match what {
        "annotate" => vec!["annotate", i, "-o", o, "--format", "json"],
        "recalc" => vec!["recalc", i, "-o", o, "--format", "json"],
        "finalize" => vec!["finalize", i, "-o", o, "--format", "json"],
        "reallocate" => vec![
            "reallocate",
            i,
            "--part-d-basic-premium",
            "34.20",
            "-o",
            o,
            "--option",
            "2",
            "--json",
        ],
        _ => unreachable!(),
    };
    args.extend_from_slice(extra);
    let (code, out, err) = bpt(&args);
    assert_eq!(code, 0, "{what} {i}: {out}{err}");
    let mut j: J = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what} {i}: {e}: {out}"));
    if what == "reallocate" {
        j = j["written"].clone();
    }
    let edits = j["edits"].as_array().unwrap().clone();
    // listed in the output's tab order
    let added_sheets: Vec<String> = edits
        .iter()
        .filter(|e| e["what"] == "sheet_added")
        .map(|e| e["sheet"].as_str().unwrap().to_string())
        .collect();
    Run {
        what: what.into(),
        input: input.to_path_buf(),
        output,
        edits,
        parts: j["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect(),
        added_sheets,
    }
}

/// Every part not in the edit list is byte-identical (same compressed
/// bytes, copied raw); parts only in the output are listed.
fn check_parts(r: &Run) {
    let a = std::fs::read(&r.input).unwrap();
    let b = std::fs::read(&r.output).unwrap();
    let mut za = zip::ZipArchive::new(Cursor::new(&a)).unwrap();
    let mut zb = zip::ZipArchive::new(Cursor::new(&b)).unwrap();
    let names_b: BTreeSet<String> = zb.file_names().map(|n| n.unwrap().into_owned()).collect();
    let names_a: BTreeSet<String> = za.file_names().map(|n| n.unwrap().into_owned()).collect();
    for n in &names_a {
        if r.parts.contains(n) {
            continue;
        }
        assert!(names_b.contains(n), "{}: {n} lost", r.what);
        let (ca, sa) = {
            let f = za.by_name(n).unwrap();
            (f.crc32(), f.compressed_size())
        };
        let fb = zb.by_name(n).unwrap();
        assert_eq!(
            (fb.crc32(), fb.compressed_size()),
            (ca, sa),
            "{} {}: part {n} changed but is not in the edit list",
            r.what,
            r.input.display()
        );
    }
    for n in names_b.difference(&names_a) {
        assert!(r.parts.contains(n), "{}: {n} added but not listed", r.what);
    }
    for n in &r.parts {
        // each listed part really differs
        let same = names_a.contains(n) && names_b.contains(n) && {
            let mut x = Vec::new();
            za.by_name(n).unwrap().read_to_end(&mut x).unwrap();
            let mut y = Vec::new();
            zb.by_name(n).unwrap().read_to_end(&mut y).unwrap();
            x == y
        };
        assert!(!same, "{}: {n} listed as changed but is identical", r.what);
    }
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

fn same_value(out: Option<&str>, new: &str) -> bool {
    match (out, new) {
        (None, "(blank)" | "(removed)" | "") => true,
        (Some(""), "(blank)") => true,
        (Some(o), n) => match (num(o), num(n)) {
            (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
            _ => o == n,
        },
        _ => false,
    }
}

/// The independent reader's view: only the declared cells changed, and
/// each declared change is there.
fn check_cells(r: &Run, before: &J, after: &J) {
    let ctx = format!("{} {}", r.what, r.input.display());
    let added = &r.added_sheets;
    let mut sheets_b: Vec<J> = before["sheets"].as_array().unwrap().clone();
    for (i, s) in added.iter().enumerate() {
        sheets_b.insert(i, J::String(s.clone()));
    }
    assert_eq!(&J::Array(sheets_b), &after["sheets"], "{ctx}: sheets");
    assert_eq!(before["names"], after["names"], "{ctx}: defined names");
    let on_added = |k: &str| added.iter().any(|s| k.starts_with(&format!("{s}!")));
    let key = |e: &J| {
        format!(
            "{}!{}",
            e["sheet"].as_str().unwrap(),
            e["cell"].as_str().unwrap()
        )
    };
    let value_edits: BTreeMap<String, &J> = r
        .edits
        .iter()
        .filter(|e| {
            matches!(
                e["what"].as_str(),
                Some("value" | "cached_value" | "removed")
            )
        })
        .map(|e| (key(e), e))
        .collect();
    let by = |what: &str| -> BTreeMap<String, &J> {
        r.edits
            .iter()
            .filter(|e| e["what"] == what)
            .map(|e| (key(e), e))
            .collect()
    };
    let (notes, fills) = (by("note"), by("fill"));
    // values and formulas
    let (cb, ca) = (
        before["cells"].as_object().unwrap(),
        after["cells"].as_object().unwrap(),
    );
    let keys: BTreeSet<&String> = cb.keys().chain(ca.keys()).collect();
    for k in keys {
        if on_added(k) {
            continue;
        }
        let (x, y) = (cb.get(k.as_str()), ca.get(k.as_str()));
        match value_edits.get(k.as_str()) {
            None => assert_eq!(x, y, "{ctx}: {k} changed but is not in the edit list"),
            Some(e) => {
                assert!(
                    x != y || (e["what"] == "removed" && x.is_none()),
                    "{ctx}: {k} is in the edit list but did not change"
                );
                let cached = y.and_then(|v| v[1].as_str());
                let formula = y.and_then(|v| v[0].as_str());
                let new = e["new"].as_str().unwrap();
                assert!(
                    same_value(cached, new),
                    "{ctx}: {k} holds {cached:?}, the edit list says {new}"
                );
                match e["what"].as_str() {
                    Some("cached_value") => assert_eq!(
                        x.and_then(|v| v[0].as_str()),
                        formula,
                        "{ctx}: {k} formula not kept"
                    ),
                    Some("value") => assert!(
                        !formula.is_some_and(|f| f.starts_with('=')),
                        "{ctx}: {k} still a formula"
                    ),
                    _ => {}
                }
            }
        }
    }
    for (k, e) in &value_edits {
        // (a removed cell may have held only a format)
        assert!(
            e["what"] == "removed" || cb.contains_key(k.as_str()) || ca.contains_key(k.as_str()),
            "{ctx}: {k} is in the edit list but holds nothing before or after"
        );
    }
    // notes: every original note kept; new text only where declared
    let (nb, na) = (
        before["comments"].as_object().unwrap(),
        after["comments"].as_object().unwrap(),
    );
    for (k, t) in nb {
        let now = na
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{ctx}: note {k} lost"));
        let t = t.as_str().unwrap();
        match notes.get(k.as_str()) {
            None => assert_eq!(now, t, "{ctx}: note {k} changed"),
            Some(e) => {
                assert!(now.starts_with(t), "{ctx}: note {k} not kept: {now}");
                assert_eq!(now, e["new"].as_str().unwrap(), "{ctx}: note {k}");
            }
        }
    }
    for (k, t) in na {
        if on_added(k) || nb.contains_key(k) {
            continue;
        }
        let e = notes
            .get(k.as_str())
            .unwrap_or_else(|| panic!("{ctx}: undeclared note on {k}"));
        assert_eq!(t.as_str(), e["new"].as_str(), "{ctx}: note {k}");
    }
    for k in notes.keys() {
        assert!(
            na.contains_key(k.as_str()),
            "{ctx}: declared note on {k} missing"
        );
    }
    // hyperlinks, fills, number formats
    for (what, field) in [
        ("hyperlink", "links"),
        ("fill", "fills"),
        ("number format", "formats"),
    ] {
        let (b, a) = (
            before[field].as_object().unwrap(),
            after[field].as_object().unwrap(),
        );
        let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
        for k in keys {
            if on_added(k)
                || value_edits
                    .get(k.as_str())
                    .is_some_and(|e| e["what"] == "removed")
            {
                continue;
            }
            if field == "fills"
                && let Some(e) = fills.get(k.as_str())
            {
                let want = format!("FF{}", e["new"].as_str().unwrap().trim_start_matches('#'));
                assert_eq!(
                    a.get(k.as_str()).and_then(|v| v.as_str()),
                    Some(want.as_str()),
                    "{ctx}: fill of {k}"
                );
                continue;
            }
            assert_eq!(
                b.get(k.as_str()),
                a.get(k.as_str()),
                "{ctx}: {what} of {k} changed"
            );
        }
    }
}

fn opens_in_libreoffice(files: &[PathBuf], dir: &Path) {
    if !common::soffice_required() {
        return;
    }
    for f in files {
        let pdf = common::soffice_convert(f, &dir.join("pdf"), common::TO_PDF)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(
            std::fs::metadata(&pdf).unwrap().len() > 1000,
            "{}",
            f.display()
        );
    }
}

fn shipped() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    v.sort();
    v
}

fn check_all(runs: &[Run]) {
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    for r in runs {
        files.insert(r.input.clone());
        files.insert(r.output.clone());
    }
    let files: Vec<PathBuf> = files.into_iter().collect();
    let d = dump(&files);
    for r in runs {
        check_parts(r);
        let b = &d[&r.input.display().to_string()];
        let a = &d[&r.output.display().to_string()];
        check_cells(r, b, a);
    }
}

#[test]
fn every_shipped_sample_with_user_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for src in shipped() {
        let name = src.file_name().unwrap();
        let input = dir.path().join(name);
        std::fs::write(&input, enrich(&std::fs::read(&src).unwrap(), false)).unwrap();
        for what in ["annotate", "recalc", "finalize"] {
            runs.push(run(what, &input, dir.path(), &[]));
        }
    }
    // Findings on cells, one of them (WS1 D5) with the user's note.
    for b in ["f001-contract-number.xlsx", "m010-de-total-tolerance.xlsx"] {
        let input = dir.path().join(b);
        std::fs::write(
            &input,
            enrich(
                &std::fs::read(root().join("broken").join(b)).unwrap(),
                false,
            ),
        )
        .unwrap();
        let r = run("annotate", &input, dir.path(), &[]);
        assert!(r.edits.iter().any(|e| e["what"] == "fill"), "{b}: no fill");
        runs.push(r);
    }
    let f001 = runs
        .iter()
        .find(|r| r.input.ends_with("f001-contract-number.xlsx"))
        .unwrap();
    let note = f001
        .edits
        .iter()
        .find(|e| e["what"] == "note" && e["cell"] == "D5" && e["sheet"] == "WS1")
        .expect("a note on WS1!D5");
    assert!(
        note["new"]
            .as_str()
            .unwrap()
            .starts_with("Contract number confirmed with HPMS\n\n[F001]"),
        "{note}"
    );
    let hmo = dir.path().join("hmo-mapd-2013.xlsx");
    runs.push(run("reallocate", &hmo, dir.path(), &[]));
    check_all(&runs);
    // Finalize changes no part but the worksheets it edits.
    for r in runs.iter().filter(|r| r.what == "finalize") {
        assert!(
            r.parts.iter().all(|p| p.starts_with("xl/worksheets/sheet")),
            "{:?}",
            r.parts
        );
    }
    let picks: Vec<PathBuf> = runs
        .iter()
        .filter(|r| r.input == hmo || r.input.ends_with("f001-contract-number.xlsx"))
        .map(|r| r.output.clone())
        .collect();
    opens_in_libreoffice(&picks, dir.path());
}

#[test]
fn a_libreoffice_resaved_copy_and_an_xlsm() {
    if !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let resaved = common::soffice_convert(
        &root().join("hmo-mapd-2013.xlsx"),
        &dir.path().join("lo"),
        common::TO_XLSX,
    )
    .unwrap();
    let lo = dir.path().join("lo-hmo.xlsx");
    std::fs::write(&lo, enrich(&std::fs::read(&resaved).unwrap(), false)).unwrap();
    let xlsm = dir.path().join("hmo.xlsm");
    std::fs::write(
        &xlsm,
        enrich(
            &std::fs::read(root().join("hmo-mapd-2013.xlsx")).unwrap(),
            true,
        ),
    )
    .unwrap();
    let mut runs = Vec::new();
    for input in [&lo, &xlsm] {
        for what in ["annotate", "recalc", "finalize", "reallocate"] {
            runs.push(run(what, input, dir.path(), &[]));
        }
    }
    check_all(&runs);
    for r in runs.iter().filter(|r| r.input == xlsm) {
        assert_eq!(r.output.extension().unwrap(), "xlsm");
        assert!(!r.parts.contains("xl/vbaProject.bin"));
    }
    // An output name with another extension is refused.
    let (code, _, err) = bpt(&[
        "annotate",
        xlsm.to_str().unwrap(),
        "-o",
        dir.path().join("x.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("must have the input's extension .xlsm"),
        "{err}"
    );
    let outs: Vec<PathBuf> = runs.iter().map(|r| r.output.clone()).collect();
    opens_in_libreoffice(&outs, dir.path());
}

#[test]
fn finalized_samples_have_exactly_the_forms_sheets_and_validate_clean() {
    let dir = tempfile::tempdir().unwrap();
    let sheet_re = Regex::new(r#"<sheet\b[^>]*?\bname="([^"]+)""#).unwrap();
    for src in shipped() {
        let out = dir.path().join(src.file_name().unwrap());
        let record = dir.path().join("record.json");
        let _ = std::fs::remove_file(&record);
        let (code, o, e) = bpt(&[
            "finalize",
            src.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--record",
            record.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{o}{e}");
        assert!(
            o.contains("edits:") && !o.contains("Finalized sheet"),
            "{o}"
        );
        let rec: J = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
        assert!(rec["edits"].as_array().is_some_and(|a| !a.is_empty()));
        let sheets = |p: &Path| -> Vec<String> {
            let parts = unzip(&std::fs::read(p).unwrap());
            let wb = text(&parts, "xl/workbook.xml");
            sheet_re
                .captures_iter(&wb)
                .map(|c| c[1].to_string())
                .collect()
        };
        assert_eq!(sheets(&out), sheets(&src), "{}", src.display());
        let (code, o, _) = bpt(&["validate", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {o}", src.display());
        assert!(o.contains("no findings"), "{o}");
    }
}
