//! The annotated workbook's `Bid summary` sheet: its figures, its two
//! native charts (parts present, well-formed, referenced from the sheet
//! through the drawing, with content types), the user's parts left as
//! they were, and LibreOffice drawing the charts on the printed page.

use crate::common;
use bpt::reader;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-bids")
}

fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
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

fn text(p: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(p.get(name).unwrap_or_else(|| panic!("no {name}")).clone()).unwrap()
}

/// (Id, Type, Target) of a rels part.
fn rels(x: &str) -> Vec<(String, String, String)> {
    let d = roxmltree::Document::parse(x).unwrap();
    d.descendants()
        .filter(|n| n.has_tag_name("Relationship"))
        .map(|n| {
            (
                n.attribute("Id").unwrap().to_string(),
                n.attribute("Type")
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                n.attribute("Target").unwrap().to_string(),
            )
        })
        .collect()
}

fn annotate(sample: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{sample}-annotated.xlsx"));
    let (code, o, e) = common::bpt(&[
        "annotate",
        root().join(format!("{sample}.xlsx")).to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{o}{e}");
    out
}

/// The Bid summary's chart parts, reached from workbook.xml: every part
/// on the way well-formed and its content type declared.
fn charts_of(p: &BTreeMap<String, Vec<u8>>) -> (String, Vec<String>) {
    let wb = text(p, "xl/workbook.xml");
    let d = roxmltree::Document::parse(&wb).unwrap();
    let names: Vec<&str> = d
        .descendants()
        .filter(|n| n.has_tag_name("sheet"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(names[..3], ["Findings", "Bid summary", "WS1"]);
    let rid = d
        .descendants()
        .find(|n| n.has_tag_name("sheet") && n.attribute("name") == Some("Bid summary"))
        .unwrap()
        .attributes()
        .find(|a| a.name() == "id")
        .unwrap()
        .value()
        .to_string();
    let wrels = rels(&text(p, "xl/_rels/workbook.xml.rels"));
    let sheet = format!("xl/{}", wrels.iter().find(|r| r.0 == rid).unwrap().2);
    let sx = text(p, &sheet);
    roxmltree::Document::parse(&sx).unwrap();
    let srels_name = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels";
    let srels = rels(&text(p, &srels_name));
    assert_eq!(srels.len(), 1, "{srels:?}");
    let (drid, ty, target) = &srels[0];
    assert_eq!(ty, "drawing");
    assert!(
        sx.contains(&format!("r:id=\"{drid}\"/></worksheet>")) && sx.contains("<drawing "),
        "the sheet does not reference its drawing: {sx}"
    );
    let drawing = format!("xl/{}", target.trim_start_matches("../"));
    let dx = text(p, &drawing);
    let dd = roxmltree::Document::parse(&dx).unwrap();
    let drels_name = drawing.replace("drawings/", "drawings/_rels/") + ".rels";
    let drels = rels(&text(p, &drels_name));
    // every chart the drawing anchors is a relationship to a chart part
    let anchored: Vec<&str> = dd
        .descendants()
        .filter(|n| n.has_tag_name("chart"))
        .map(|n| n.attributes().find(|a| a.name() == "id").unwrap().value())
        .collect();
    let mut charts = Vec::new();
    for id in &anchored {
        let r = drels.iter().find(|r| r.0 == *id).unwrap();
        assert_eq!(r.1, "chart");
        let c = format!("xl/{}", r.2.trim_start_matches("../"));
        roxmltree::Document::parse(&text(p, &c)).unwrap();
        charts.push(c);
    }
    assert_eq!(anchored.len(), drels.len());
    let ct = text(p, "[Content_Types].xml");
    assert!(ct.contains(&format!(
        "<Override PartName=\"/{drawing}\" ContentType=\"application/vnd.openxmlformats-officedocument.drawing+xml\"/>"
    )));
    for c in &charts {
        assert!(ct.contains(&format!(
            "<Override PartName=\"/{c}\" ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"/>"
        )), "{c}: no content type");
    }
    (sheet, charts)
}

/// `x` with each of `items` removed once.
fn without(x: &str, items: &[String]) -> String {
    let mut x = x.to_string();
    for i in items {
        assert!(x.contains(i.as_str()), "{i} not in {x}");
        x = x.replacen(i.as_str(), "", 1);
    }
    x
}

#[test]
fn the_ma_bid_summary_has_its_figures_and_two_charts_and_edits_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("hmo-mapd-2013.xlsx");
    let before = parts(&std::fs::read(&src).unwrap());
    let out = annotate("hmo-mapd-2013", dir.path());
    let after = parts(&std::fs::read(&out).unwrap());
    let (sheet, charts) = charts_of(&after);
    assert_eq!(sheet, "xl/worksheets/sheet9.xml");
    assert_eq!(charts, ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]);
    // The user's parts: only the package's indexes and styles changed, and
    // those by additions alone.
    let changed: Vec<&String> = before
        .keys()
        .filter(|n| after.get(*n) != before.get(*n))
        .collect();
    assert_eq!(
        changed,
        [
            "[Content_Types].xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/workbook.xml"
        ]
    );
    let ct_added: Vec<String> = [
        ("worksheets/sheet9.xml", "spreadsheetml.worksheet"),
        ("worksheets/sheet10.xml", "spreadsheetml.worksheet"),
        ("drawings/drawing1.xml", "drawing"),
        ("charts/chart1.xml", "drawingml.chart"),
        ("charts/chart2.xml", "drawingml.chart"),
    ]
    .iter()
    .map(|(p, t)| {
        format!("<Override PartName=\"/xl/{p}\" ContentType=\"application/vnd.openxmlformats-officedocument.{t}+xml\"/>")
    })
    .collect();
    assert_eq!(
        without(&text(&after, "[Content_Types].xml"), &ct_added),
        text(&before, "[Content_Types].xml")
    );
    let new: Vec<&String> = after.keys().filter(|n| !before.contains_key(*n)).collect();
    assert_eq!(
        new,
        [
            "xl/charts/chart1.xml",
            "xl/charts/chart2.xml",
            "xl/drawings/_rels/drawing1.xml.rels",
            "xl/drawings/drawing1.xml",
            "xl/worksheets/_rels/sheet9.xml.rels",
            "xl/worksheets/sheet10.xml",
            "xl/worksheets/sheet9.xml",
        ]
    );
    // The build-up: a stacked column chart whose first series (the base)
    // is invisible, over the sheet's own cells.
    let c1 = text(&after, "xl/charts/chart1.xml");
    assert!(
        c1.contains("<c:barDir val=\"col\"/><c:grouping val=\"stacked\"/>"),
        "{c1}"
    );
    assert_eq!(c1.matches("<c:ser>").count(), 4);
    assert!(c1.contains("<c:f>'Bid summary'!$C$13:$C$20</c:f>"), "{c1}");
    assert!(c1.contains("<c:f>'Bid summary'!$A$13:$A$20</c:f>"), "{c1}");
    let base = &c1[c1.find("<c:ser>").unwrap()..c1.find("</c:ser>").unwrap()];
    assert!(base.contains("<a:noFill/>"), "{base}");
    let c2 = text(&after, "xl/charts/chart2.xml");
    assert!(c2.contains("<c:barDir val=\"bar\"/>"), "{c2}");
    assert!(c2.contains("<c:f>'Bid summary'!$B$23:$B$27</c:f>"), "{c2}");
    // The figures, as the sheet holds them.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let r = calamine::Reader::worksheet_range(&mut wb, "Bid summary").unwrap();
    let cell = |a: &str| {
        let c = bpt::cellref::CellRef::parse(a).unwrap();
        r.get_value((c.row, u32::from(c.col)))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell("A1"), "Bid summary — H3456-001-000");
    let bid = reader::read_bid(&src).unwrap();
    let num = |id: &str| bid.values.get(id).as_num().unwrap();
    let at = |a: &str| {
        let c = bpt::cellref::CellRef::parse(a).unwrap();
        calamine::DataType::as_f64(r.get_value((c.row, u32::from(c.col))).unwrap()).unwrap()
    };
    let same = |a: &str, d: rust_decimal::Decimal| {
        let want: f64 = d.to_string().parse().unwrap();
        assert!((at(a) - want).abs() < 1e-9, "{a}: {} is not {d}", at(a));
    };
    let (allowed, net) = (num("ws2.allowed.blend_allowed[s]"), num("ws4.all.net[u]"));
    assert_eq!(cell("A13"), "Allowed (total benefits)");
    same("B13", allowed);
    same("D13", allowed);
    assert_eq!(cell("C13"), "");
    // cost sharing floats from net medical up to allowed
    assert_eq!(cell("A14"), "Cost sharing");
    same("B14", net - allowed);
    same("C14", net);
    same("F14", allowed - net);
    assert_eq!((cell("D14"), cell("E14")), (String::new(), String::new()));
    // non-benefit expense rises from net medical
    assert_eq!(cell("A16"), "Non-benefit expense");
    same("C16", net);
    same("E16", num("ws4.nbe.v5_h"));
    assert_eq!(cell("A20"), "Benchmark");
    same("D20", num("ws5.bid.plan_benchmark"));
    assert_eq!(cell("A22"), "Rebate allocation");
    assert_eq!(cell("A23"), "Part B buy-down");
    same("B23", num("ws6.allocation.allocated[part_b]"));
    assert_eq!(cell("A28"), "Rebate allocated");
    same("B28", num("ws5.savings.rebate"));
}

#[test]
fn the_msa_bid_summary_has_the_build_up_chart_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = annotate("msa-2013", dir.path());
    let after = parts(&std::fs::read(&out).unwrap());
    let (_, charts) = charts_of(&after);
    assert_eq!(charts.len(), 1);
    let c = text(&after, &charts[0]);
    assert!(c.contains("<c:grouping val=\"stacked\"/>"), "{c}");
    assert!(c.contains("<c:v>Medical expenses</c:v>"), "{c}");
    assert!(c.contains("<c:v>Revenue requirement</c:v>"), "{c}");
}

/// Pixels of a binary PPM (`P6`) within 24 of `rgb` on each channel, and
/// the non-white ones.
fn pixels(ppm: &[u8], rgb: [u8; 3]) -> (usize, usize) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        let s = i;
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[s..i]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let data = &ppm[i + 1..];
    let (mut near, mut ink) = (0, 0);
    for p in data.chunks_exact(3) {
        if p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 24) {
            near += 1;
        }
        if p.iter().any(|v| *v < 235) {
            ink += 1;
        }
    }
    (near, ink)
}

#[test]
fn libreoffice_draws_the_summary_page_with_its_charts() {
    if std::env::var("BPT_SKIP_LIBREOFFICE").as_deref() == Ok("1") || !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = annotate("hmo-mapd-2013", dir.path());
    let pdf = common::soffice_convert(&out, &dir.path().join("pdf"), common::TO_PDF).unwrap();
    // The Findings sheet (no findings) is page 1, the summary page 2.
    let page = std::process::Command::new("pdftotext")
        .args(["-f", "2", "-l", "2", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&page.stdout);
    assert!(t.contains("Bid summary — H3456-001-000"), "{t}");
    assert!(
        t.contains("Bid build-up (PMPM)") && t.contains("Rebate allocation (PMPM)"),
        "{t}"
    );
    let prefix = dir.path().join("page");
    let o = std::process::Command::new("pdftoppm")
        .args(["-r", "50", "-f", "2", "-l", "2"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ppm = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ppm"))
        .expect("pdftoppm wrote no page");
    let img = std::fs::read(ppm).unwrap();
    // the total bars (navy) and the rebate bars (blue) are drawn
    let (navy, ink) = pixels(&img, [0x1F, 0x4E, 0x79]);
    let (blue, _) = pixels(&img, [0x2E, 0x75, 0xB6]);
    assert!(navy > 1500, "{navy} navy pixels");
    assert!(blue > 800, "{blue} blue pixels");
    assert!(ink > 10_000, "{ink} non-white pixels");
}
