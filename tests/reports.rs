//! Reports and the annotated workbook on the shipped samples: snapshots of
//! the text and JSON reports, nothing lost by `annotate`, and LibreOffice
//! opening the annotated copy.

mod common;

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

fn bpt(args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bpt"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
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
