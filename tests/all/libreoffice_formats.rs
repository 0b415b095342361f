//! A bid saved by LibreOffice as `.ods`, `.xls` or `.xlsx` is still read:
//! calamine reads those formats and the form is found by its marker and
//! sheet names. `.xlsb` (which LibreOffice cannot write) is covered by the
//! reader's format fallback and its clear message for unreadable files.

use crate::common::{self, bpt};
use bpt::{sample, template, writer};

#[test]
fn ods_and_xls_copies_are_read() {
    if !common::soffice_required() {
        return;
    }
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let p = sample::profile("hmo-mapd-2013").unwrap();
    let v = sample::generate(&p, &layout);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bid.xlsx");
    std::fs::write(
        &src,
        writer::write_form(&layout, &v, &writer::WriteOptions::default()).unwrap(),
    )
    .unwrap();
    for target in ["ods", "xls:\"MS Excel 97\""] {
        let out = common::soffice_convert(&src, &dir.path().join("conv"), target).unwrap();
        let (code, out_s, err) = bpt(&["read", out.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{target}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out_s).unwrap();
        let s = doc.to_string();
        assert!(
            s.contains("H") && s.contains(p.plan_name),
            "{target}: plan name not read"
        );
        // Validation runs to the end (LibreOffice may store some numbers
        // with binary noise, so findings are allowed; a crash is not).
        let (code, _, err) = bpt(&["validate", out.to_str().unwrap()]);
        assert!(code == 0 || code == 1, "{target}: {err}");
    }
}
