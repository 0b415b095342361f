//! Hostile input on the reading side (issue 13, classes 1, 5 and 6): extreme
//! and impossible cell values, lying counts in the package parts and
//! oversized parts. Every case is made by code from a valid sample bid, run
//! through each command that reads a bid, and must end with exit 0, 1 or 2,
//! the exact message, no panic and in bounded time; values `bpt` cannot
//! take exactly are reported and written back as the cell held them.

use crate::common::{bpt_env, bpt_run as bpt};
use bpt::sample;
use bpt::template;
use bpt::value::{Value, Values};
use bpt::writer::{self, WriteOptions};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample_bytes(edit: impl FnOnce(&mut Values)) -> Vec<u8> {
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let p = sample::profile("hmo-mapd-2013").expect("profile");
    let mut v = sample::generate(&p, &layout);
    edit(&mut v);
    writer::write_form(&layout, &v, &WriteOptions::default()).expect("write")
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Rewrites the entries of a zip archive through `f(name, content)`.
fn rezip(bytes: &[u8], f: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let d = f(&name, data);
        w.start_file(name, opts).unwrap();
        w.write_all(&d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// One entry of a zip archive, as text.
fn entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut e = z.by_name(name).unwrap();
    let mut s = String::new();
    e.read_to_string(&mut s).unwrap();
    s
}

/// The part and cell of a field of the MA form (`xl/worksheets/sheet1.xml`, `D23`).
fn place(id: &str) -> (String, String) {
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let f = layout.field(id).unwrap();
    let n = layout
        .sheets
        .iter()
        .position(|s| s.name == f.sheet)
        .unwrap()
        + 1;
    (format!("xl/worksheets/sheet{n}.xml"), f.cell.to_string())
}

/// The XML of one cell (`<c r="D23" …>…</c>` or `<c r="D23" …/>`).
fn cell_xml<'a>(sheet: &'a str, cell: &str) -> &'a str {
    let start = sheet
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let rest = &sheet[start..];
    let open_end = rest.find('>').unwrap();
    if rest[..open_end].ends_with('/') {
        &rest[..=open_end]
    } else {
        &rest[..rest.find("</c>").unwrap() + 4]
    }
}

/// The value of an attribute in a start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

/// The `<v>` text of a cell.
fn v_of(c: &str) -> Option<&str> {
    let a = c.find("<v>")? + 3;
    Some(&c[a..a + c[a..].find("</v>")?])
}

/// The sample bid, written once per test process.
fn good() -> &'static [u8] {
    static GOOD: OnceLock<Vec<u8>> = OnceLock::new();
    GOOD.get_or_init(|| sample_bytes(|_| {}))
}

/// A copy of the sample whose field `id` holds the raw number `v` (the
/// `<v>` text), in style `style` when given (else the cell's own).
fn with_number(id: &str, v: &str, style: Option<&str>) -> Vec<u8> {
    with_numbers(&[(id, v)], style)
}

/// [`with_number`] for several fields at once.
fn with_numbers(cells: &[(&str, &str)], style: Option<&str>) -> Vec<u8> {
    let places: Vec<(String, String, &str)> = cells
        .iter()
        .map(|(id, v)| {
            let (part, cell) = place(id);
            (part, cell, *v)
        })
        .collect();
    rezip(good(), |n, d| {
        let mine: Vec<_> = places.iter().filter(|p| p.0 == n).collect();
        if mine.is_empty() {
            return d;
        }
        let mut sheet = String::from_utf8(d).unwrap();
        for (_, cell, v) in mine {
            let old = cell_xml(&sheet, cell).to_string();
            let s = style
                .map(str::to_string)
                .or_else(|| attr(&old, "s").map(str::to_string));
            let s = s.map(|s| format!(" s=\"{s}\"")).unwrap_or_default();
            let new = format!("<c r=\"{cell}\"{s}><v>{v}</v></c>");
            sheet = sheet.replacen(&old, &new, 1);
        }
        sheet.into_bytes()
    })
}

/// The part holding a sheet (`WS1` → `xl/worksheets/sheet1.xml`), from the
/// workbook's relationships: outputs may put other sheets first.
fn part_of(bytes: &[u8], sheet: &str) -> String {
    let wb = entry(bytes, "xl/workbook.xml");
    let at = wb.find(&format!("<sheet name=\"{sheet}\"")).unwrap();
    let tag = &wb[at..at + wb[at..].find("/>").unwrap()];
    let rid = attr(tag, "r:id").unwrap();
    let rels = entry(bytes, "xl/_rels/workbook.xml.rels");
    let at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let start = rels[..at].rfind('<').unwrap();
    let tag = &rels[start..start + rels[start..].find("/>").unwrap()];
    format!(
        "xl/{}",
        attr(tag, "Target").unwrap().trim_start_matches("/xl/")
    )
}

/// The style index of a date cell of the sample (a date number format).
fn date_style() -> String {
    let (part, cell) = place("ws1.base_period.incurred_from");
    let sheet = entry(good(), &part);
    attr(cell_xml(&sheet, &cell), "s").unwrap().to_string()
}

/// The one finding on `id` of validating `path` is V002 "LABEL holds
/// `FOUND`, not EXPECTED" (exit 1); the findings computed from the invalid
/// input are grouped under it (root cause), so the message may end by
/// counting them.
fn assert_one_v002(path: &Path, id: &str, label: &str, found: &str, expected: &str, v: &str) {
    let (code, mut f) = findings_on(path, id);
    assert_eq!(code, 1, "{v}");
    let head = format!("{label} holds `{found}`, not {expected}");
    assert_eq!(f.len(), 1, "{v}: {f:?}");
    let rest = f[0][3].strip_prefix(&head).map(str::to_string);
    match rest.as_deref() {
        Some("") => {}
        Some(r) => assert!(
            r.starts_with("; ") && r.contains(" finding(s) computed from it left out ("),
            "{v}: {r}"
        ),
        None => panic!("{v}: {}", f[0][3]),
    }
    f[0][3] = head;
    assert_eq!(
        f,
        vec![[
            "V002".to_string(),
            found.to_string(),
            expected.to_string(),
            format!("{label} holds `{found}`, not {expected}"),
        ]],
        "{v}"
    );
}

/// The findings of `validate --format json` on the field `id`: (rule,
/// found, expected, message).
fn findings_on(path: &Path, id: &str) -> (i32, Vec<[String; 4]>) {
    let r = bpt(&["validate", s(path), "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{e}: {}{}", r.out, r.err));
    let all = doc["files"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        r.code,
        all.iter()
            .filter(|f| f["field"] == id)
            .map(|f| {
                [
                    s(&f["rule"]),
                    s(&f["found"]),
                    s(&f["expected"]),
                    s(&f["message"]),
                ]
            })
            .collect(),
    )
}

/// Runs every command that reads a bid on `p` (a bid with an invalid value
/// in field `id`), then [`written_back`].
fn every_command(dir: &Path, p: &Path, id: &str, want: f64) {
    let (_, cell) = place(id);
    let r = bpt(&["read", s(p)]);
    assert_eq!(r.code, 0, "read: {}", r.err);
    let r = bpt(&["read", s(p), "--json"]);
    assert_eq!(r.code, 0, "read --json: {}", r.err);
    for fmt in ["text", "json", "sarif", "junit", "csv"] {
        let r = bpt(&["validate", s(p), "--format", fmt]);
        assert_eq!(r.code, 1, "validate --format {fmt}: {}", r.err);
    }
    let r = bpt(&["diff", s(p)]);
    assert!(r.code <= 1, "diff: {}", r.err);
    let good = put(dir, "good.xlsx", good());
    let r = bpt(&["diff", s(&good), s(p)]);
    assert_eq!(r.code, 1, "diff two: {}{}", r.out, r.err);
    assert!(r.out.contains(&cell), "diff names the cell: {}", r.out);
    let r = bpt(&["recalc", s(p)]);
    assert_eq!(r.code, 0, "recalc: {}", r.err);
    // An invalid value is an error finding: finalize refuses, naming it.
    let fin = dir.join("final.xlsx");
    let r = bpt(&["finalize", s(p), "-o", s(&fin)]);
    assert_eq!(r.code, 1, "finalize: {}{}", r.out, r.err);
    assert!(
        (r.out.clone() + &r.err).contains(&cell),
        "finalize names {cell}: {}{}",
        r.out,
        r.err
    );
    assert!(!fin.exists());
    written_back(dir, p, id, want);
}

/// `recalc -o` and `annotate` write a workbook whose cell for `id` holds a
/// number (not text) equal bit for bit to `want`.
fn written_back(dir: &Path, p: &Path, id: &str, want: f64) {
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let f = layout.field(id).unwrap();
    let cell = f.cell.to_string();
    for (cmd, out) in [
        ("recalc", "recalc-out.xlsx"),
        ("annotate", "annotated.xlsx"),
    ] {
        let o = dir.join(out);
        let _ = std::fs::remove_file(&o);
        let r = bpt(&[cmd, s(p), "-o", s(&o)]);
        assert!(r.code <= 1, "{cmd} -o: {}", r.err);
        let bytes = std::fs::read(&o).unwrap();
        let sheet = entry(&bytes, &part_of(&bytes, &f.sheet));
        let c = cell_xml(&sheet, &cell);
        assert_eq!(attr(c, "t"), None, "{cmd}: {cell} written as text: {c}");
        let got: f64 = v_of(c).unwrap_or_else(|| panic!("{c}")).parse().unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{cmd}: {c}");
    }
}

#[test]
fn huge_and_impossible_date_serials_are_findings_kept_as_found() {
    let dir = tempfile::tempdir().unwrap();
    let id = "ws1.base_period.paid_through";
    let range = "a date from 1900-01-01 to 9999-12-31 (Excel date serials 1 to 2958465)";
    let label = "Paid Through";
    for (v, found, expected) in [
        ("-1e16", "-10000000000000000", range),
        ("1E+16", "10000000000000000", range),
        ("-1", "-1", range),
        ("1.7976931348623157E+308", "1.7976931348623157E+308", range),
        (
            "60",
            "1900-02-29",
            "a date that exists (serial 60 is Excel's 29 February 1900, a day that never was)",
        ),
        (
            "40999.75",
            "2012-03-31 18:00:00",
            "a date without a time of day",
        ),
    ] {
        let p = put(dir.path(), "date.xlsx", &with_number(id, v, None));
        assert_one_v002(&p, id, label, found, expected, v);
        if v == "-1e16" {
            every_command(dir.path(), &p, id, v.parse().unwrap());
        } else if ["60", "40999.75"].contains(&v) {
            written_back(dir.path(), &p, id, v.parse().unwrap());
        }
    }
}

#[test]
fn the_same_extremes_in_every_other_kind_of_cell_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let ds = date_style();
    for v in ["-1e16", "1E+308", "NaN", "-inf"] {
        let cells: Vec<(&str, &str)> = [
            "ws1.general.plan_name",
            "ws1.general.plan_id",
            "ws1.base.net_pmpm[a]",
            "ws1.base_period.mm_total",
            "ws4.margin.w_o",
        ]
        .iter()
        .map(|id| (*id, v))
        .collect();
        let p = put(
            dir.path(),
            "x.xlsx",
            &with_numbers(&cells, Some(ds.as_str())),
        );
        for args in [
            vec!["read", s(&p)],
            vec!["validate", s(&p)],
            vec!["diff", s(&p)],
        ] {
            let r = bpt(&args);
            assert!(r.code <= 1, "{v} {args:?}: {}", r.err);
        }
    }
}

#[test]
fn numbers_decimal_cannot_hold_are_reported_and_written_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let id = "ws1.base.net_pmpm[a]";
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let label = layout.field(id).unwrap().label.clone();
    // At most 80 characters, so that messages quote it whole.
    let expected = "a dollar amount (number) of at most 28 decimals and magnitude below 7.9E+28";
    for (v, found) in [
        ("1E+308", "1E+308"),
        ("1.2345678901234568E-15", "1.2345678901234568E-15"),
        ("-8e28", "-8E+28"),
    ] {
        let p = put(dir.path(), "num.xlsx", &with_number(id, v, None));
        assert_one_v002(&p, id, &label, found, expected, v);
        if v == "1E+308" {
            every_command(dir.path(), &p, id, v.parse().unwrap());
        } else if v != "-8e28" {
            written_back(dir.path(), &p, id, v.parse().unwrap());
        }
    }
}

#[test]
fn a_date_styled_number_in_a_money_cell_comes_back_as_that_number() {
    let dir = tempfile::tempdir().unwrap();
    let id = "ws1.base.net_pmpm[a]";
    let p = put(
        dir.path(),
        "styled.xlsx",
        &with_number(id, "245.5", Some(date_style().as_str())),
    );
    let (code, f) = findings_on(&p, id);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0][0], "V002");
    assert_eq!(f[0][1], "1900-09-01 12:00:00");
    written_back(dir.path(), &p, id, 245.5);
}

#[test]
fn text_in_a_date_cell_that_is_no_excel_date_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let id = "ws1.base_period.paid_through";
    let (part, cell) = place(id);
    for t in ["1899-12-31", "1900-02-29", "2012-02-30", "soon"] {
        let b = sample_bytes(|v| v.set(id, Value::Text(t.into())));
        let p = put(dir.path(), "text-date.xlsx", &b);
        let (code, f) = findings_on(&p, id);
        assert_eq!(code, 1, "{t}");
        assert_eq!(
            f,
            vec![[
                "V002".to_string(),
                t.to_string(),
                "a date".to_string(),
                format!("Paid Through holds `{t}`, not a date"),
            ]]
        );
        let o = dir.path().join("out.xlsx");
        let _ = std::fs::remove_file(&o);
        let r = bpt(&["recalc", s(&p), "-o", s(&o)]);
        assert_eq!(r.code, 0, "{}", r.err);
        let out = std::fs::read(&o).unwrap();
        let c = cell_xml(&entry(&out, &part), &cell).to_string();
        assert_eq!(attr(&c, "t"), Some("s"), "{t} stays text: {c}");
        let idx: usize = v_of(&c).unwrap().parse().unwrap();
        let sst = entry(&out, "xl/sharedStrings.xml");
        let si = sst.split("<si>").nth(idx + 1).unwrap();
        assert!(si.starts_with(&format!("<t>{t}</t>")), "{si}");
    }
    // A text date inside Excel's range is read as that date: no finding.
    let b = sample_bytes(|v| v.set(id, Value::Text("3/31/2012".into())));
    let p = put(dir.path(), "ok.xlsx", &b);
    assert_eq!(findings_on(&p, id).1, Vec::<[String; 4]>::new());
}

/// The message every command gives for a workbook that breaks a limit.
fn refused(p: &Path, why: &str) -> String {
    format!(
        "{}: not a readable workbook (.xlsx, .xlsm, .xlsb, .xls or .ods): {why}",
        p.display()
    )
}

/// Every command that reads a bid exits 2 on `p` with `msg`.
fn all_refuse(dir: &Path, p: &Path, msg: &str, env: &[(&str, &str)]) {
    let good = put(dir, "good.xlsx", good());
    let out = dir.join("out.xlsx");
    let runs: Vec<Vec<&str>> = vec![
        vec!["read", s(p)],
        vec!["validate", s(p)],
        vec!["validate", s(p), "--format", "json"],
        vec!["diff", s(p)],
        vec!["diff", s(&good), s(p)],
        vec!["recalc", s(p)],
        vec!["recalc", s(p), "-o", s(&out)],
        vec!["annotate", s(p), "-o", s(&out)],
        vec!["finalize", s(p), "-o", s(&out)],
    ];
    for args in runs {
        let r = bpt_env(&args, env);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
        let all = r.out.clone() + &r.err;
        let shown = if args.contains(&"json") {
            serde_json::to_string(msg)
                .unwrap()
                .trim_matches('"')
                .to_string()
        } else {
            msg.to_string()
        };
        assert!(all.contains(&shown), "{args:?}: want {shown}\n got {all}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

/// The sample with `sharedStrings.xml` passed through `f`.
fn with_sst(f: impl Fn(String) -> String) -> Vec<u8> {
    rezip(good(), |n, d| {
        if n == "xl/sharedStrings.xml" {
            f(String::from_utf8(d).unwrap()).into_bytes()
        } else {
            d
        }
    })
}

/// `<sst … uniqueCount="N">` with N replaced.
fn unique_count(x: &str, n: &str) -> String {
    let at = x.find("uniqueCount=\"").unwrap() + 13;
    let end = at + x[at..].find('"').unwrap();
    format!("{}{n}{}", &x[..at], &x[end..])
}

#[test]
fn lying_unique_count_is_never_trusted_for_memory() {
    let dir = tempfile::tempdir().unwrap();
    for n in [
        "1000000000000",
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
    ] {
        let p = put(dir.path(), "count.xlsx", &with_sst(|x| unique_count(&x, n)));
        // Read as the valid bid it otherwise is, by every command.
        let r = bpt(&["read", s(&p)]);
        assert_eq!(r.code, 0, "{n}: {}", r.err);
        assert!(r.out.contains("H3456-001-000"), "{}", r.out);
        if n == "1000000000000" || n == "18446744073709551615" {
            let r = bpt(&["validate", s(&p)]);
            assert_eq!(r.code, 0, "{n}: {}{}", r.out, r.err);
            let r = bpt(&["diff", s(&p)]);
            assert_eq!(r.code, 0, "{n}: {}{}", r.out, r.err);
            let r = bpt(&["diff", s(&put(dir.path(), "good.xlsx", good())), s(&p)]);
            assert_eq!(r.code, 0, "{n}: {}{}", r.out, r.err);
            let r = bpt(&["recalc", s(&p)]);
            assert_eq!(r.code, 0, "{n}: {}", r.err);
            for cmd in ["recalc", "annotate", "finalize"] {
                let o = dir.path().join(format!("{cmd}.xlsx"));
                let _ = std::fs::remove_file(&o);
                let r = bpt(&[cmd, s(&p), "-o", s(&o)]);
                assert_eq!(r.code, 0, "{cmd} {n}: {}{}", r.out, r.err);
                assert!(o.exists());
            }
        }
    }
    // Also where the part is not where Excel puts it, in a namespaced `<x:sst>`.
    let p = put(
        dir.path(),
        "ns.xlsx",
        &with_sst(|x| {
            unique_count(&x, "1000000000000")
                .replacen("<sst xmlns=", "<x:sst xmlns:x=", 1)
                .replace("<si>", "<x:si>")
                .replace("</si>", "</x:si>")
                .replace("<t>", "<x:t>")
                .replace("<t xml:space=\"preserve\">", "<x:t xml:space=\"preserve\">")
                .replace("</t>", "</x:t>")
                .replace("</sst>", "</x:sst>")
        }),
    );
    let r = bpt(&["read", s(&p)]);
    assert_eq!(r.code, 0, "{}", r.err);
}

#[test]
fn shared_string_count_and_size_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 300,000 strings in a small file: over the default 200,000.
    let many = with_sst(|x| {
        let extra = "<si><t>x</t></si>".repeat(300_000);
        x.replacen("</sst>", &format!("{extra}</sst>"), 1)
    });
    assert!(many.len() < 1 << 20, "{}", many.len());
    let p = put(dir.path(), "many.xlsx", &many);
    let msg = refused(
        &p,
        "`xl/sharedStrings.xml` holds more than 200000 shared strings, the limit \
         (BPT_MAX_SHARED_STRINGS); a damaged or hostile workbook. Raise \
         BPT_MAX_SHARED_STRINGS if it is genuine",
    );
    all_refuse(dir.path(), &p, &msg, &[]);
    // The override.
    let r = bpt_env(&["read", s(&p)], &[("BPT_MAX_SHARED_STRINGS", "400000")]);
    assert_eq!(r.code, 0, "{}", r.err);
    let r = bpt_env(
        &["read", s(&put(dir.path(), "the-good.xlsx", good()))],
        &[("BPT_MAX_SHARED_STRINGS", "100")],
    );
    assert_eq!(r.code, 2);
    assert!(r.err.contains("more than 100 shared strings"), "{}", r.err);

    // One 40 MiB string (the organization name): over the default 32 MiB.
    let huge = with_sst(|x| x.replacen("<si><t>", &format!("<si><t>{}", "A".repeat(40 << 20)), 1));
    let p = put(dir.path(), "huge.xlsx", &huge);
    let msg = refused(
        &p,
        "`xl/sharedStrings.xml` holds more than 32 MiB of shared-string text, the limit \
         (BPT_MAX_SHARED_STRING_BYTES); a damaged or hostile workbook. Raise \
         BPT_MAX_SHARED_STRING_BYTES if it is genuine",
    );
    let r = bpt(&["validate", s(&p)]);
    assert_eq!(r.code, 2);
    assert!(
        (r.out.clone() + &r.err).contains(&msg),
        "{}{}",
        r.out,
        r.err
    );
    let r = bpt_env(
        &["read", s(&put(dir.path(), "the-good.xlsx", good()))],
        &[("BPT_MAX_SHARED_STRING_BYTES", "1K")],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("more than 1 KiB of shared-string text"),
        "{}",
        r.err
    );
}

#[test]
fn style_counts_and_xml_depth_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 70,000 cell formats: over the default 65,536.
    let styles = rezip(good(), |n, d| {
        if n != "xl/styles.xml" {
            return d;
        }
        let x = String::from_utf8(d).unwrap();
        let xf = "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
            .repeat(70_000);
        x.replacen("</cellXfs>", &format!("{xf}</cellXfs>"), 1)
            .into_bytes()
    });
    let p = put(dir.path(), "styles.xlsx", &styles);
    let msg = refused(
        &p,
        "`xl/styles.xml` holds more than 65536 cell formats (xf), the limit \
         (BPT_MAX_STYLES); a damaged or hostile workbook. Raise BPT_MAX_STYLES if it is \
         genuine",
    );
    all_refuse(dir.path(), &p, &msg, &[]);
    let r = bpt_env(&["read", s(&p)], &[("BPT_MAX_STYLES", "100000")]);
    assert_eq!(r.code, 0, "{}", r.err);
    let r = bpt_env(
        &["read", s(&put(dir.path(), "the-good.xlsx", good()))],
        &[("BPT_MAX_STYLES", "3")],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("`xl/styles.xml` holds more than 3 "),
        "{}",
        r.err
    );

    // 10,000 nested elements inside a shared string, and in the workbook part.
    for part in ["xl/sharedStrings.xml", "xl/workbook.xml"] {
        let deep = rezip(good(), |n, d| {
            if n != part {
                return d;
            }
            let x = String::from_utf8(d).unwrap();
            let nest = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
            let at = x.rfind("</").unwrap();
            format!("{}{nest}{}", &x[..at], &x[at..]).into_bytes()
        });
        let p = put(dir.path(), "deep.xlsx", &deep);
        let msg = refused(
            &p,
            &format!(
                "`{part}` nests its XML elements more than 128 deep, the limit \
                 (BPT_MAX_XML_DEPTH); a damaged or hostile workbook. Raise BPT_MAX_XML_DEPTH \
                 if it is genuine"
            ),
        );
        if part == "xl/workbook.xml" {
            all_refuse(dir.path(), &p, &msg, &[]);
        } else {
            let r = bpt(&["read", s(&p)]);
            assert_eq!(r.code, 2);
            assert!(r.err.contains(&msg), "{}", r.err);
        }
    }
    let r = bpt_env(
        &["read", s(&put(dir.path(), "the-good.xlsx", good()))],
        &[("BPT_MAX_XML_DEPTH", "3")],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("nests its XML elements more than 3 deep"),
        "{}",
        r.err
    );
}

#[cfg(unix)]
#[test]
fn files_are_read_with_a_cap_whatever_their_size_says() {
    let dir = tempfile::tempdir().unwrap();
    // A kernel pseudo-file reports size 0 but holds more.
    let link = dir.path().join("status.xlsx");
    std::os::unix::fs::symlink("/proc/self/status", &link).unwrap();
    let r = bpt_env(&["read", s(&link)], &[("BPT_MAX_FILE_BYTES", "64")]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.err.trim_end(),
        format!(
            "bpt: {}: not a readable workbook (.xlsx, .xlsm, .xlsb, .xls or .ods): the file \
             reports 0 bytes but holds more when read, more than the limit of 64 bytes \
             (BPT_MAX_FILE_BYTES)",
            link.display()
        )
    );
    // A device (endless) and a FIFO (would block): never opened.
    let zero = dir.path().join("zero.xlsx");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.path().join("fifo.xlsx");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success());
    let mut special = vec![zero];
    if ok.unwrap_or(false) {
        special.push(fifo);
    }
    for p in special {
        let msg = refused(&p, "not a regular file (a device, FIFO or socket)");
        all_refuse(dir.path(), &p, &msg, &[]);
    }
}

/// An `.xls` compound file whose Workbook stream holds a BOF, a
/// `DIMENSIONS` record claiming rows 1 to 4,294,967,295 and an EOF:
/// calamine would reserve room for every one of those cells.
fn xls_claiming_four_billion_rows() -> Vec<u8> {
    let mut stream = Vec::new();
    let mut record = |typ: u16, data: &[u8]| {
        stream.extend_from_slice(&typ.to_le_bytes());
        stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
        stream.extend_from_slice(data);
    };
    record(
        0x0809,
        &[0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let mut dims = Vec::new();
    dims.extend_from_slice(&0u32.to_le_bytes());
    dims.extend_from_slice(&u32::MAX.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    dims.extend_from_slice(&200u16.to_le_bytes());
    dims.extend_from_slice(&[0, 0]);
    record(0x0200, &dims);
    record(0x000A, &[]);
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cfb.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    cfb.flush().unwrap();
    cfb.into_inner().into_inner()
}

#[test]
fn xls_sheet_dimensions_are_checked_before_anything_is_sized_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = put(dir.path(), "huge.xls", &xls_claiming_four_billion_rows());
    let msg = refused(
        &p,
        "a sheet declares rows 1 to 4294967295 and columns 1 to 200, which no .xls sheet can \
         have (at most 65536 rows and 256 columns); a damaged or hostile workbook. Open it in \
         Excel and save it as .xlsx",
    );
    let good = put(dir.path(), "good.xlsx", good());
    for args in [
        vec!["read", s(&p)],
        vec!["validate", s(&p)],
        vec!["diff", s(&p)],
        vec!["diff", s(&good), s(&p)],
        vec!["recalc", s(&p)],
    ] {
        let r = bpt(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
        assert!(
            (r.out.clone() + &r.err).contains(&msg),
            "{args:?}: {}{}",
            r.out,
            r.err
        );
    }
}

/// The sample with a formula (and a value) at the last cell of the grid,
/// XFD1048576, of its first sheet: a valid workbook whose every sheet
/// range from A1 would hold 17 billion cells.
fn with_last_cell_filled() -> Vec<u8> {
    rezip(good(), |name, data| {
        if name != "xl/worksheets/sheet1.xml" {
            return data;
        }
        String::from_utf8(data)
            .unwrap()
            .replace(
                "</sheetData>",
                r#"<row r="1048576"><c r="XFD1048576"><f>1+1</f><v>2</v></c></row></sheetData>"#,
            )
            .into_bytes()
    })
}

#[test]
fn a_cell_at_the_end_of_the_grid_is_read_without_sizing_the_sheet_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = put(dir.path(), "last-cell.xlsx", &with_last_cell_filled());
    let good = put(dir.path(), "good.xlsx", good());
    // Formulas are streamed like values (calamine's whole formula range
    // asked for 412 GB and aborted the process).
    let r = bpt(&["diff", "--formulas", s(&p)]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(
            "every calculated cell holds the ma-bpt-2013 formula (on this workbook's cells)"
        ),
        "{}",
        r.out
    );
    let r = bpt(&["validate", s(&p)]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(r.out.contains("0 error(s)"), "{}", r.out);
    let r = bpt(&["diff", s(&good), s(&p)]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
}
