//! The written forms open in LibreOffice: the blank form of the fixture and
//! of every shipped template converts to PDF, and a filled fixture
//! recalculates in LibreOffice to the values worked out by hand.
//!
//! Needs `soffice` on PATH (package `libreoffice-calc-nogui`); fails
//! without it unless `BPT_SKIP_LIBREOFFICE=1`. The shipped-template test
//! needs the complete `ma-bpt-2013` template (it fails at `all_builtin()`
//! while the template parts are still unmerged).

use crate::common;

use bpt::template::Layout;
use bpt::value::{Value, Values};
use bpt::writer::{WriteOptions, write_form};
use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::Path;
use std::str::FromStr;

fn mini() -> Layout {
    Layout::from_toml(include_str!("../fixtures/mini-form.toml")).expect("the fixture resolves")
}

fn pdf_of(layout: &Layout, dir: &Path) {
    let bytes = write_form(layout, &Values::default(), &WriteOptions::default()).unwrap();
    let xlsx = dir.join(format!("{}.xlsx", layout.form.id));
    std::fs::write(&xlsx, &bytes).unwrap();
    let pdf = common::soffice_convert(&xlsx, &dir.join("pdf"), common::TO_PDF)
        .unwrap_or_else(|e| panic!("{}: {e}", layout.form.id));
    let head = std::fs::read(&pdf).unwrap();
    assert!(
        head.len() > 1000,
        "{}: PDF of {} bytes",
        layout.form.id,
        head.len()
    );
    assert_eq!(&head[..5], b"%PDF-", "{}", layout.form.id);
}

#[test]
fn mini_blank_form_converts_to_pdf() {
    if !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    pdf_of(&mini(), dir.path());
}

#[test]
fn builtin_blank_forms_convert_to_pdf() {
    if !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let layouts = bpt::template::all_builtin().expect(
        "the shipped templates resolve (they are complete once the template parts are merged)",
    );
    for l in &layouts {
        pdf_of(l, dir.path());
    }
}

fn num(d: &Data) -> Decimal {
    match d {
        Data::Float(x) => Decimal::from_str(&x.to_string()).unwrap(),
        Data::Int(x) => Decimal::from(*x),
        other => panic!("expected a number, found {other:?}"),
    }
}

#[test]
fn mini_filled_form_recalculates_in_libreoffice() {
    if !common::soffice_required() {
        return;
    }
    let l = mini();
    let mut v = Values::default();
    let text = |s: &str| Value::Text(s.into());
    v.set("s1.general.contract_number", text("H1234"));
    v.set("s1.general.plan_id", text("801"));
    v.set("s1.general.region_description", text("17 – Texas"));
    v.set_num("s1.general.completion_factor", dec!(0.98));
    v.set_num("s1.general.margin_pct", dec!(0.02));
    for (k, net, allowed) in [
        ("a", dec!(100.10), dec!(120.20)),
        ("b", dec!(50.05), dec!(60)),
        ("c", dec!(20), dec!(25.5)),
        ("r", dec!(-5.15), dec!(0)),
    ] {
        v.set_num(format!("s1.base.net_pmpm[{k}]"), net);
        v.set_num(format!("s1.base.allowed[{k}]"), allowed);
    }
    v.set_num("s1.base.util[a]", dec!(1000));
    v.set_num("s1.base.util[b]", dec!(0));
    v.set_num("s1.base.util[c]", dec!(250.5));
    v.set_num("s2.proj.trend", dec!(1.1));
    v.set_num("s2.county.mm[1]", dec!(100));
    v.set_num("s2.county.mm[2]", dec!(200));
    // A stale cached result, which LibreOffice must replace.
    v.set_num("s2.proj.projected", dec!(999));

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("filled.xlsx");
    std::fs::write(
        &input,
        write_form(&l, &v, &WriteOptions::default()).unwrap(),
    )
    .unwrap();
    let out = common::soffice_convert(&input, &dir.path().join("recalc"), common::TO_XLSX)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let s1 = book.worksheet_range("S1").unwrap();
    let s2 = book.worksheet_range("S2").unwrap();
    let at = |r: &calamine::Range<Data>, c: &str| {
        let c = bpt::cellref::CellRef::parse(c).unwrap();
        r.get_value((c.row, u32::from(c.col)))
            .cloned()
            .unwrap_or(Data::Empty)
    };
    // Section II totals and per-row formulas.
    assert_eq!(num(&at(&s1, "D26")), dec!(165));
    assert_eq!(num(&at(&s1, "D28")), dec!(170.15));
    assert_eq!(num(&at(&s1, "F26")), dec!(205.7));
    assert_eq!(num(&at(&s1, "G22")), dec!(20.1));
    assert_eq!(num(&at(&s1, "G26")), dec!(40.7));
    assert_eq!(num(&at(&s1, "H22")), dec!(1442.4));
    assert_eq!(num(&at(&s1, "H23")), dec!(0));
    assert_eq!(num(&at(&s1, "H24")), dec!(1221.56));
    assert_eq!(num(&at(&s1, "I23")), dec!(0.98));
    assert_eq!(num(&at(&s1, "L25")), dec!(5.15));
    let share = num(&at(&s1, "J22"));
    assert!(
        (share - dec!(0.6066666666666667)).abs() < dec!(0.000000000001),
        "{share}"
    );
    // Text formulas.
    assert_eq!(at(&s1, "D16"), Data::String("17 – Texas".into()));
    assert_eq!(at(&s1, "D17"), Data::String("Y".into()));
    assert_eq!(at(&s2, "D4"), Data::String("H1234".into()));
    assert_eq!(at(&s2, "D5"), Data::String("801".into()));
    // Cross-sheet projection and the default margin.
    assert_eq!(num(&at(&s2, "D6")), dec!(205.7));
    assert_eq!(num(&at(&s2, "D8")), dec!(226.27));
    assert_eq!(num(&at(&s2, "D9")), dec!(4.53));
    // County table with CMS rates (812.45 on row 1, 800.50 elsewhere).
    assert_eq!(num(&at(&s2, "H16")), dec!(81245));
    assert_eq!(num(&at(&s2, "H17")), dec!(160100));
    assert_eq!(num(&at(&s2, "F21")), dec!(300));
    assert_eq!(num(&at(&s2, "H21")), dec!(241345));
}
