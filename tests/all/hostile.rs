//! Hostile and damaged workbooks: every case gives a clear message or
//! finding, a non-zero exit, no panic, and finishes in bounded time.
//!
//! The corpus is made by code from a valid sample bid (see RELIABILITY.md).

use crate::common::{Run, bpt_env};
use bpt::sample;
use bpt::template;
use bpt::value::{Value, Values};
use bpt::writer::{self, ExtraSheet, WriteOptions};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

fn validate(path: &Path) -> Run {
    bpt_env(&["validate", path.to_str().unwrap()], &[])
}

fn sample_values() -> (template::Layout, Values) {
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let p = sample::profile("hmo-mapd-2013").expect("profile");
    let v = sample::generate(&p, &layout);
    (layout, v)
}

fn sample_bytes(edit: impl FnOnce(&mut Values), opts: WriteOptions) -> Vec<u8> {
    let (layout, mut v) = sample_values();
    edit(&mut v);
    writer::write_form(&layout, &v, &opts).expect("write")
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Rewrites the entries of a zip archive through `f(name, content)`; an
/// entry for which `f` returns `None` is dropped.
fn rezip(bytes: &[u8], f: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if let Some(d) = f(&name, data) {
            w.start_file(name, opts).unwrap();
            w.write_all(&d).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn replace_in(
    name: &str,
    want: &str,
    from: &str,
    to: &str,
) -> impl Fn(&str, Vec<u8>) -> Option<Vec<u8>> {
    let (want, from, to) = (want.to_string(), from.to_string(), to.to_string());
    move |n, d| {
        if n == want {
            let s = String::from_utf8(d).unwrap();
            assert!(s.contains(&from), "{n} lacks {from}");
            Some(s.replacen(&from, &to, 1).into_bytes())
        } else {
            let _ = name;
            Some(d)
        }
    }
}

#[test]
fn not_a_zip_empty_file_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    let p = put(
        dir.path(),
        "notes.xlsx",
        b"these are my notes, not a workbook\n",
    );
    let r = validate(&p);
    assert_eq!(r.code, 2);
    assert!(
        r.out.contains("not a spreadsheet") || r.err.contains("not a spreadsheet"),
        "{}{}",
        r.out,
        r.err
    );

    let p = put(dir.path(), "empty.xlsx", b"");
    let r = validate(&p);
    assert_eq!(r.code, 2);
    assert!(
        (r.out.clone() + &r.err).contains("empty"),
        "{}{}",
        r.out,
        r.err
    );

    let sub = dir.path().join("folder.xlsx");
    std::fs::create_dir(&sub).unwrap();
    let r = bpt_env(&["read", sub.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("folder.xlsx"), "{}", r.err);
}

#[test]
fn truncated_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    for cut in [good.len() / 2, good.len() - 100, 30] {
        let p = put(dir.path(), "cut.xlsx", &good[..cut]);
        let r = validate(&p);
        assert_eq!(r.code, 2, "cut at {cut}: {}{}", r.out, r.err);
        assert!((r.out.clone() + &r.err).contains("cut.xlsx"));
    }
}

#[test]
fn zip_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    // 64 MiB of spaces appended inside the first sheet: a few hundred KiB
    // compressed, refused under a 16 MiB limit.
    let bomb = rezip(&good, |n, mut d| {
        if n == "xl/worksheets/sheet1.xml" {
            d.extend(std::iter::repeat_n(b' ', 64 << 20));
        }
        Some(d)
    });
    assert!(bomb.len() < 2 << 20);
    let p = put(dir.path(), "bomb.xlsx", &bomb);
    let r = bpt_env(
        &["validate", p.to_str().unwrap()],
        &[("BPT_MAX_UNCOMPRESSED_BYTES", "16M")],
    );
    assert_eq!(r.code, 2);
    assert!(
        (r.out.clone() + &r.err).contains("zip bomb"),
        "{}{}",
        r.out,
        r.err
    );
    // And the file-size limit.
    let r = bpt_env(
        &["validate", p.to_str().unwrap()],
        &[("BPT_MAX_FILE_BYTES", "10K")],
    );
    assert_eq!(r.code, 2);
    assert!((r.out.clone() + &r.err).contains("BPT_MAX_FILE_BYTES"));
}

#[test]
fn encrypted_workbook() {
    // An OLE compound file holding the streams of an encrypted OOXML package.
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.extend(std::iter::repeat_n(0u8, 504));
    for s in ["EncryptionInfo", "EncryptedPackage"] {
        b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        b.extend([0u8; 32]);
    }
    let dir = tempfile::tempdir().unwrap();
    let p = put(dir.path(), "locked.xlsx", &b);
    let r = validate(&p);
    assert_eq!(r.code, 2);
    assert!(
        (r.out.clone() + &r.err).contains("password-protected"),
        "{}{}",
        r.out,
        r.err
    );
}

#[test]
fn missing_renamed_reordered_and_extra_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    // Missing: drop WS3 from the workbook's sheet list.
    let missing = rezip(&good, |n, d| {
        if n == "xl/workbook.xml" {
            let s = String::from_utf8(d).unwrap();
            let start = s.find("<sheet name=\"WS3\"").unwrap();
            let end = start + s[start..].find("/>").unwrap() + 2;
            Some(format!("{}{}", &s[..start], &s[end..]).into_bytes())
        } else {
            Some(d)
        }
    });
    let r = validate(&put(dir.path(), "missing.xlsx", &missing));
    assert_eq!(r.code, 2);
    assert!(
        (r.out.clone() + &r.err).contains("`WS3`"),
        "{}{}",
        r.out,
        r.err
    );

    let renamed = rezip(
        &good,
        replace_in("", "xl/workbook.xml", "name=\"WS5\"", "name=\"WS 5\""),
    );
    let r = validate(&put(dir.path(), "renamed.xlsx", &renamed));
    assert_eq!(r.code, 2);
    let all = r.out.clone() + &r.err;
    assert!(
        all.contains("WS5") && all.contains("WS 5") && all.contains("renamed?"),
        "{all}"
    );

    // Reordered: WS7 listed first. The form is found by sheet name: clean.
    let reordered = rezip(&good, |n, d| {
        if n == "xl/workbook.xml" {
            let s = String::from_utf8(d).unwrap();
            let start = s.find("<sheet name=\"WS7\"").unwrap();
            let end = start + s[start..].find("/>").unwrap() + 2;
            let ws7 = s[start..end].to_string();
            let without = format!("{}{}", &s[..start], &s[end..]);
            let at = without.find("<sheet ").unwrap();
            Some(format!("{}{ws7}{}", &without[..at], &without[at..]).into_bytes())
        } else {
            Some(d)
        }
    });
    let r = validate(&put(dir.path(), "reordered.xlsx", &reordered));
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);

    let extra = sample_bytes(
        |_| {},
        WriteOptions {
            first_sheets: vec![ExtraSheet {
                name: "My notes".into(),
                title: "scratch".into(),
                rows: vec![vec!["1".into(), "=1/0".into()]],
                ..ExtraSheet::default()
            }],
            ..WriteOptions::default()
        },
    );
    let r = validate(&put(dir.path(), "extra.xlsx", &extra));
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
}

#[test]
fn older_and_newer_template_versions() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    for v in ["v0", "v2"] {
        let b = rezip(
            &good,
            replace_in(
                "",
                "xl/sharedStrings.xml",
                "bpt:ma-bpt-2013:v1",
                &format!("bpt:ma-bpt-2013:{v}"),
            ),
        );
        let r = validate(&put(dir.path(), &format!("{v}.xlsx"), &b));
        assert_eq!(r.code, 2);
        let all = r.out.clone() + &r.err;
        assert!(
            all.contains(&format!("bpt:ma-bpt-2013:{v}")) && all.contains("bpt:ma-bpt-2013:v1"),
            "{all}"
        );
    }
}

#[test]
fn numbers_as_text_dates_booleans_long_strings_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let odd: &[(&str, Value)] = &[
        ("ws1.base.net_pmpm[a]", Value::Text("1,234.50".into())),
        ("ws1.base.allowed_pmpm[b]", Value::Text("$5".into())),
        ("ws2.allowed.credibility[a]", Value::Text("73.3%".into())),
        ("ws1.base_period.mm_total", Value::Text(" 12 ".into())),
        (
            "ws5.bid.msp",
            Value::Date(chrono::NaiveDate::from_ymd_opt(2013, 1, 5).unwrap()),
        ),
        ("ws1.general.plan_name", Value::Text("x".repeat(32_000))),
        ("ws5.quality.star_rating", Value::Text("TRUE".into())),
        (
            "ws6.premium.part_d_basic_before",
            Value::Text("#DIV/0!".into()),
        ),
        ("ws1.projection.util_trend[c]", Value::Text("#N/A".into())),
    ];
    let b = sample_bytes(
        |v| {
            for (id, val) in odd {
                v.set(*id, val.clone());
            }
        },
        WriteOptions::default(),
    );
    let p = put(dir.path(), "odd.xlsx", &b);
    let r = bpt_env(&["validate", p.to_str().unwrap(), "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    let doc: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    for id in [
        "ws5.bid.msp",
        "ws6.premium.part_d_basic_before",
        "ws1.projection.util_trend[c]",
    ] {
        assert!(
            findings.iter().any(|f| f["field"] == id),
            "no finding on {id}: {}",
            r.out
        );
    }
    // `bpt read` shows every value without failing.
    let r = bpt_env(&["read", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.err);
}

#[test]
fn far_cells_and_a_million_rows() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    // A cell at XFD1048576 (a dense read would need ~500 GB) and a million
    // filled rows below the form on WS2.
    let far = rezip(&good, |n, d| {
        if n == "xl/worksheets/sheet2.xml" {
            let s = String::from_utf8(d).unwrap();
            let mut rows = String::with_capacity(40 << 20);
            for r in 2000..1_002_000u32 {
                rows.push_str(&format!("<row r=\"{r}\"><c r=\"A{r}\"><v>1</v></c></row>"));
            }
            rows.push_str("<row r=\"1048576\"><c r=\"XFD1048576\"><v>7</v></c></row>");
            Some(
                s.replacen("</sheetData>", &format!("{rows}</sheetData>"), 1)
                    .into_bytes(),
            )
        } else {
            Some(d)
        }
    });
    let p = put(dir.path(), "far.xlsx", &far);
    let r = validate(&p);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
}

#[test]
fn merged_cells_over_input_fields() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample_bytes(|_| {}, WriteOptions::default());
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let f = layout.field("ws1.base.net_pmpm[a]").unwrap();
    let sheet_idx = layout
        .sheets
        .iter()
        .position(|s| s.name == f.sheet)
        .unwrap()
        + 1;
    let cell = f.cell.to_string();
    let merged = rezip(&good, |n, d| {
        if n == format!("xl/worksheets/sheet{sheet_idx}.xml") {
            let s = String::from_utf8(d).unwrap();
            let m =
                format!("<mergeCells count=\"1\"><mergeCell ref=\"{cell}:T200\"/></mergeCells>");
            Some(
                s.replacen("</sheetData>", &format!("</sheetData>{m}"), 1)
                    .into_bytes(),
            )
        } else {
            Some(d)
        }
    });
    let p = put(dir.path(), "merged.xlsx", &merged);
    let r = validate(&p);
    // The merge hides nothing from the reader: the bid still validates.
    assert!(r.code == 0 || r.code == 1, "{}{}", r.out, r.err);
}
