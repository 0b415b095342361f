//! Reports and the annotated workbook on the shipped samples: snapshots of
//! the text and JSON reports, nothing lost by `annotate`, and LibreOffice
//! opening the annotated copy.

use crate::common::{self, bpt};
use bpt::app::{self, ValidateOptions};
use bpt::report::{self, FileReport, Format};
use bpt::rules::Selection;
use bpt::{reader, sample};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-bids")
}

fn opts() -> ValidateOptions {
    ValidateOptions {
        selection: Selection::default(),
        tolerance: bpt::diff::DEFAULT_TOLERANCE,
    }
}

/// The report of a shipped file, with its path relative to `sample-bids/`.
fn report_of(rel: &str) -> FileReport {
    let mut r = app::validate_file(&root().join(rel), &opts());
    r.path = rel.to_string();
    r
}

#[test]
fn text_and_json_reports_of_samples() {
    let reports: Vec<FileReport> = [
        "hmo-mapd-2013.xlsx",
        "broken/a004-unallocated-rebate.xlsx",
        "broken/m010-de-total-tolerance.xlsx",
        "broken/v003-plan-bid-typed-over.xlsx",
        "msa-2013.xlsx",
    ]
    .iter()
    .map(|p| report_of(p))
    .collect();
    insta::assert_snapshot!("text_report", report::render(&reports, Format::Text));
    insta::assert_snapshot!("json_report", report::render(&reports, Format::Json));
    insta::assert_snapshot!("csv_report", report::render(&reports, Format::Csv));
}

fn annotate(src: &Path, dir: &Path) -> PathBuf {
    let out = dir.join(format!(
        "{}-annotated.xlsx",
        src.file_stem().unwrap().to_string_lossy()
    ));
    let (code, o, e) = bpt(&[
        "annotate",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{o}{e}");
    out
}

#[test]
fn annotate_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = sample::profiles()
        .iter()
        .map(|p| root().join(format!("{}.xlsx", p.name)))
        .collect();
    files.push(root().join("msa-2013.xlsx"));
    files.push(root().join("broken/v003-plan-bid-typed-over.xlsx"));
    files.push(root().join("broken/v001-invalid-total-premium.xlsx"));
    for src in files {
        let before = std::fs::read(&src).unwrap();
        let out = annotate(&src, dir.path());
        assert_eq!(std::fs::read(&src).unwrap(), before, "input modified");
        let orig = reader::read_bid(&src).unwrap();
        let back = reader::read_bid(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(orig.layout.form.id, back.layout.form.id);
        for f in &orig.layout.fields {
            assert_eq!(
                orig.values.get(&f.id),
                back.values.get(&f.id),
                "{}: {} ({}!{}) changed by annotate",
                src.display(),
                f.id,
                f.sheet,
                f.cell
            );
        }
    }
    // Writing over the input is refused.
    let src = root().join("hmo-mapd-2013.xlsx");
    let (code, _, e) = bpt(&[
        "annotate",
        src.to_str().unwrap(),
        "-o",
        src.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 2);
    assert!(e.contains("input"), "{e}");
}

#[test]
fn libreoffice_opens_an_annotated_workbook() {
    if !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = annotate(
        &root().join("broken/m010-de-total-tolerance.xlsx"),
        dir.path(),
    );
    let pdf = common::soffice_convert(&out, &dir.path().join("pdf"), common::TO_PDF).unwrap();
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);
}

/// The entered values of a bid, county rows as a sorted multiset (finalize
/// reorders them) and without the working-model notes (finalize removes them).
fn entered_values(bid: &bpt::reader::Bid, for_finalize: bool) -> Vec<String> {
    let layout = bid.layout;
    let mut plain = Vec::new();
    let mut rows: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in layout.fields.iter().filter(|f| f.role.is_entered()) {
        let v = bid.values.get(&f.id);
        if for_finalize && f.id.contains("working_model.") {
            continue;
        }
        match &f.table {
            Some(t) if for_finalize && t.table.ends_with(".county") => {
                if !v.is_empty() {
                    rows.entry(t.row.clone())
                        .or_default()
                        .push(format!("{}={v:?}", t.column));
                }
            }
            _ => plain.push(format!("{}={v:?}", f.id)),
        }
    }
    let mut county: Vec<String> = rows.into_values().map(|r| r.join(";")).collect();
    county.sort();
    plain.extend(county);
    plain
}

#[test]
fn recalc_and_finalize_keep_every_input_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = sample::profiles()
        .iter()
        .map(|p| root().join(format!("{}.xlsx", p.name)))
        .collect();
    files.extend(["msa-2013.xlsx", "msa-max-deductible-2013.xlsx"].map(|f| root().join(f)));
    for src in files {
        let orig = reader::read_bid(&src).unwrap();
        let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
        let r = dir.path().join(format!("{stem}-recalc.xlsx"));
        let (code, o, e) = bpt(&["recalc", src.to_str().unwrap(), "-o", r.to_str().unwrap()]);
        assert_eq!(code, 0, "{o}{e}");
        let back = reader::read_bid(&r).unwrap();
        assert_eq!(
            entered_values(&orig, false),
            entered_values(&back, false),
            "{stem}: recalc -o"
        );
        let f = dir.path().join(format!("{stem}-final.xlsx"));
        let (code, o, e) = bpt(&["finalize", src.to_str().unwrap(), "-o", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{o}{e}");
        let back = reader::read_bid(&f).unwrap();
        assert_eq!(
            entered_values(&orig, true),
            entered_values(&back, true),
            "{stem}: finalize"
        );
    }
}
