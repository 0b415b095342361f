//! How the workbooks print: the blank MA form, an annotated and a finalized
//! sample converted to PDF by LibreOffice (`soffice --headless --convert-to
//! pdf`), their page counts checked, and every section heading shown whole
//! (its merged range, computed from the template, is wide enough for its
//! text or its row wraps it; and its text is in the PDF), and every page
//! readable at 100 % (its body text printed at 64 % or more, measured in
//! the PDF). Skipped with `BPT_SKIP_LIBREOFFICE=1`.

use crate::common;

use bpt::template;
use bpt::writer::print::{self, heading_spans};
use std::io::Read;
use std::path::Path;

fn skip() -> bool {
    if std::env::var("BPT_SKIP_LIBREOFFICE").as_deref() == Ok("1") {
        eprintln!("skipped: BPT_SKIP_LIBREOFFICE=1");
        return true;
    }
    !common::soffice_required()
}

/// Pages of a PDF LibreOffice wrote (its page objects are not compressed).
fn pages(pdf: &Path) -> usize {
    let b = std::fs::read(pdf).unwrap();
    let needle = b"/Type/Page";
    b.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && !w[needle.len()].is_ascii_alphabetic())
        .count()
}

/// The scale each page of a PDF prints at, from the height of its most
/// common text (the form's 11-point body text): `(page, sheet, scale)`.
/// `None` when LibreOffice did not use Carlito, the font metric-compatible
/// with Excel's Calibri (`fonts-crosextra-carlito`; `.ci/run` installs it):
/// with a wider substitute the columns are wider than in Excel and the
/// scale says nothing about how Excel prints.
fn page_scales(pdf: &Path) -> Option<Vec<(usize, String, f64)>> {
    let bytes = std::fs::read(pdf).unwrap();
    if !bytes.windows(7).any(|w| w == b"Carlito") {
        eprintln!("note: LibreOffice did not print with Carlito; print scales not checked");
        return None;
    }
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox", pdf.to_str().unwrap(), "-"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let word =
        regex::Regex::new(r#"yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<"#).unwrap();
    let mut pages = Vec::new();
    for (i, page) in text.split("<page ").skip(1).enumerate() {
        let mut counts: std::collections::BTreeMap<u32, usize> = Default::default();
        let mut sheet = String::new();
        for c in word.captures_iter(page) {
            let h: f64 = c[2].parse::<f64>().unwrap() - c[1].parse::<f64>().unwrap();
            // Tenths of a point.
            *counts.entry((h * 10.0).round() as u32).or_default() += 1;
            if c[3].starts_with("WS") || &c[3] == "Findings" || &c[3] == "Bid" {
                sheet = c[3].to_string();
            }
        }
        let Some((h, _)) = counts.iter().max_by_key(|(_, n)| **n) else {
            continue;
        };
        // Carlito's ascent + descent: 1.221 em (11-point text at 100 % is a
        // 13.4-point box).
        pages.push((i + 1, sheet, f64::from(*h) / 10.0 / (1.221 * 11.0)));
    }
    Some(pages)
}

/// Every page prints at `min` or more (11-point text at 7 points or more).
fn assert_readable(pdf: &Path, what: &str, min: f64) {
    let Some(pages) = page_scales(pdf) else {
        return;
    };
    assert!(!pages.is_empty(), "{what}: no text in the PDF");
    let small: Vec<String> = pages
        .iter()
        .filter(|(_, _, s)| *s < min)
        .map(|(p, sheet, s)| format!("page {p} ({sheet}) at {:.0} %", s * 100.0))
        .collect();
    assert!(
        small.is_empty(),
        "{what}: pages print too small: {}",
        small.join(", ")
    );
}

fn merged_ranges(xlsx: &Path, sheet_index: usize) -> String {
    let f = std::fs::File::open(xlsx).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut s = String::new();
    z.by_name(&format!("xl/worksheets/sheet{sheet_index}.xml"))
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn the_blank_ma_form_prints_in_at_most_40_pages_with_whole_headings() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("blank.xlsx");
    let (code, _, err) = common::bpt(&["template", "ma-bpt-2013", "-o", xlsx.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let layout = template::builtin("ma-bpt-2013").unwrap();
    for (i, sheet) in layout.sheets.iter().enumerate() {
        let xml = merged_ranges(&xlsx, i + 1);
        // Landscape Legal, fit to one page wide, at a readable scale.
        assert!(
            xml.contains(r#"<pageSetup paperSize="5" fitToHeight="0" orientation="landscape""#),
            "{}: page setup {:?}",
            sheet.name,
            xml.find("<pageSetup")
                .map(|i| &xml[i..(i + 120).min(xml.len())])
        );
        let scale = print::Geometry::of(&layout, sheet).print_scale();
        assert!(
            scale >= print::MIN_PRINT_SCALE,
            "{} prints at {:.0} %",
            sheet.name,
            scale * 100.0
        );
        for (row, first, last, text) in heading_spans(&layout, sheet) {
            let g = print::Geometry::of(&layout, sheet);
            let width = g.span_width(first, last);
            let fits = print::text_width(&text, true, 11.0) <= width;
            let range = format!(
                "{}{}:{}{}",
                bpt::cellref::col_name(first),
                row + 1,
                bpt::cellref::col_name(last),
                row + 1
            );
            assert!(
                last == first || xml.contains(&format!("<mergeCell ref=\"{range}\"/>")),
                "{}: heading `{text}` is not merged across {range}",
                sheet.name
            );
            if !fits {
                // Too long even for the form's width: its row is grown and it wraps.
                assert!(
                    xml.contains(&format!("<row r=\"{}\"", row + 1))
                        && xml.contains("customHeight=\"1\""),
                    "{}: heading `{text}` ({width:.1} wide) neither fits nor wraps",
                    sheet.name
                );
            }
        }
    }
    let pdf = common::soffice_convert(&xlsx, dir.path(), "pdf").unwrap();
    let n = pages(&pdf);
    assert!(
        (7..=40).contains(&n),
        "the blank MA form prints as {n} pages"
    );
    // Readable at 100 %: every page at 64 % or more (the template's 65 %
    // less LibreOffice's rounding of column widths).
    assert_readable(&pdf, "the blank MA form", 0.64);
    // Every heading is printed whole.
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if let Ok(text) = text {
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for sheet in &layout.sheets {
            for (_, _, _, heading) in heading_spans(&layout, sheet) {
                let h: String = heading.split_whitespace().collect::<Vec<_>>().join(" ");
                // Wrapped headings break across lines: check the first words.
                let head: String = h.split(' ').take(4).collect::<Vec<_>>().join(" ");
                assert!(
                    flat.contains(&head),
                    "{}: `{head}` not in the PDF",
                    sheet.name
                );
            }
        }
        assert!(flat.contains("Page 1 of"), "no page footer");
    }
}

#[test]
fn an_annotated_and_a_finalized_sample_print() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let annotated = dir.path().join("annotated.xlsx");
    // A twin with findings, so the Findings sheet has its table.
    let (code, _, err) = common::bpt(&[
        "annotate",
        "sample-bids/broken/m010-de-total-tolerance.xlsx",
        "-o",
        annotated.to_str().unwrap(),
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let finalized = dir.path().join("final.xlsx");
    let (code, out, err) = common::bpt(&[
        "finalize",
        "sample-bids/hmo-mapd-2013.xlsx",
        "-o",
        finalized.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let a_pdf = common::soffice_convert(&annotated, &dir.path().join("a"), "pdf").unwrap();
    let f_pdf = common::soffice_convert(&finalized, &dir.path().join("f"), "pdf").unwrap();
    assert_readable(&a_pdf, "the annotated sample", 0.64);
    assert_readable(&f_pdf, "the finalized sample", 0.64);
    let (a, f) = (pages(&a_pdf), pages(&f_pdf));
    // The form's pages, plus the Findings sheet's for the annotated copy.
    assert!(
        (7..=45).contains(&a),
        "the annotated sample prints as {a} pages"
    );
    assert!(
        (7..=40).contains(&f),
        "the finalized sample prints as {f} pages"
    );
}
