//! The `bpt` binary end to end: exit statuses, messages, help.

use bpt::sample;
use bpt::template;
use bpt::value::Value;
use bpt::writer::{self, WriteOptions};
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bpt(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bpt"))
        .args(args)
        .output()
        .expect("run bpt");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample_file(dir: &Path, edit: impl FnOnce(&mut bpt::value::Values)) -> PathBuf {
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let p = sample::profile("hmo-mapd-2013").expect("profile");
    let mut v = sample::generate(&p, &layout);
    edit(&mut v);
    let bytes = writer::write_form(&layout, &v, &WriteOptions::default()).expect("write");
    let path = dir.join("bid.xlsx");
    std::fs::write(&path, bytes).expect("save");
    path
}

#[test]
fn help_is_useful() {
    let (code, out, _) = bpt(&["--help"]);
    assert_eq!(code, 0);
    for cmd in [
        "template",
        "read",
        "recalc",
        "diff",
        "validate",
        "rules",
        "explain",
        "annotate",
        "finalize",
        "reallocate",
        "sample",
    ] {
        assert!(out.contains(cmd), "--help lists {cmd}");
    }
    assert!(out.contains("Exit status"));
    for cmd in [
        "template", "read", "recalc", "diff", "validate", "annotate", "sample",
    ] {
        let (code, out, _) = bpt(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd} --help");
        assert!(out.contains("Example"), "{cmd} --help has examples:\n{out}");
        assert!(out.contains("Usage: bpt"), "{cmd} --help has usage");
    }
}

#[test]
fn template_list_and_blank_form() {
    let (code, out, _) = bpt(&["template", "--list"]);
    assert_eq!(code, 0);
    assert!(out.contains("ma-bpt-2013"));
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.xlsx");
    let b = blank.to_str().unwrap();
    let (code, out, err) = bpt(&["template", "ma-bpt-2013", "-o", b]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote"));
    // An existing output is not replaced without --force.
    let (code, _, err) = bpt(&["template", "ma-bpt-2013", "-o", b]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, _) = bpt(&["template", "ma-bpt-2013", "-o", b, "--force"]);
    assert_eq!(code, 0);
    // The blank form reads back as a bid with nothing entered.
    let (code, out, err) = bpt(&["read", b]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("WS1"));
    let (code, _, err) = bpt(&["template", "no-such-form", "-o", b]);
    assert_eq!(code, 2);
    assert!(err.contains("no template named"), "{err}");
}

#[test]
fn not_a_workbook_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.xlsx");
    std::fs::write(&p, "just some text, not a zip").unwrap();
    for cmd in ["read", "validate", "recalc", "diff"] {
        let (code, _, err) = bpt(&[cmd, p.to_str().unwrap()]);
        if cmd == "validate" {
            assert_eq!(code, 2, "{cmd}");
            continue;
        }
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("notes.xlsx"), "{cmd}: {err}");
    }
    let (code, out, _) = bpt(&["validate", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.contains("could not read"), "{out}");
}

#[test]
fn missing_and_renamed_sheets_exit_2_naming_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_file(dir.path(), |_| {});
    // Rename WS3 inside the package: workbook.xml holds the sheet names.
    let bytes = std::fs::read(&path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "xl/workbook.xml" {
            data = String::from_utf8(data)
                .unwrap()
                .replace("name=\"WS3\"", "name=\"Cost Sharing\"")
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    let renamed = dir.path().join("renamed.xlsx");
    std::fs::write(&renamed, out.finish().unwrap().into_inner()).unwrap();
    let (code, _, err) = bpt(&["read", renamed.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("WS3"), "{err}");
    assert!(err.contains("renamed.xlsx"), "{err}");
}

#[test]
fn text_and_errors_in_numeric_cells_name_sheet_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let cell = layout.field("ws1.base.net_pmpm[a]").unwrap().address();
    let path = sample_file(dir.path(), |v| {
        v.set(
            "ws1.base.net_pmpm[a]",
            Value::Invalid(bpt::value::Invalid {
                sheet: String::new(),
                cell: String::new(),
                raw: "245.1O".into(),
                expected: String::new(),
                original: None,
            }),
        );
        v.set("ws5.bid.msp", Value::Text("#DIV/0!".into()));
    });
    let p = path.to_str().unwrap();
    let (code, out, _) = bpt(&["read", p]);
    assert_eq!(code, 0);
    assert!(out.contains(&cell), "{out}");
    assert!(out.contains("245.1O"), "{out}");
    let (code, out, _) = bpt(&["validate", p, "--select", "V"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("V002"), "{out}");
    assert!(out.contains(&cell), "{out}");
}

#[test]
fn sample_validates_clean_and_diff_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_file(dir.path(), |_| {});
    let p = path.to_str().unwrap();
    let (code, out, _) = bpt(&["diff", p]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = bpt(&["validate", p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let errors: Vec<_> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "errors on the valid sample: {errors:#?}");
    assert_eq!(code, 0);
    assert_eq!(v["files"][0]["bid"]["contract"], "H3456");
}

#[test]
fn diff_reports_exactly_the_edited_calculated_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_file(dir.path(), |v| {
        v.set("ws5.bid.plan_bid", Value::Number(dec!(1.23)));
        v.set("ws1.base.cost_sharing[c]", Value::Number(dec!(99)));
    });
    let (code, out, _) = bpt(&["diff", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut ids: Vec<String> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["ws1.base.cost_sharing[c]", "ws5.bid.plan_bid"]);
}

#[test]
fn diff_two_bids_lists_changed_inputs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let old = sample_file(a.path(), |_| {});
    let new = sample_file(b.path(), |v| {
        v.set("ws4.margin.w_h", Value::Number(dec!(30)));
    });
    let (code, out, _) = bpt(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("ws4.margin.w_h"), "{out}");
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = bpt(&["rules", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().len() >= 40, "a real registry");
    let (code, out, _) = bpt(&["explain", "v003"]);
    assert_eq!(code, 0);
    assert!(out.contains("calculated-value-mismatch"));
    let (code, _, err) = bpt(&["explain", "Z999"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule"));
    // The resubmission checks of Appendix E are in the registry too.
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .filter(|id| id.starts_with("RR"))
        .collect();
    assert_eq!(ids.len(), 17, "{ids:?}");
    let (code, out, _) = bpt(&["explain", "RR05"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "RR05 (target-not-returned) — error\nsource: Appendix E Section II A-D, G, H (seed 3211-3356); Examples 1-6\n"
        ),
        "{out}"
    );
}

#[test]
fn reallocate_check_refuses_two_different_bids() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids");
    let hmo = root.join("hmo-mapd-2013.xlsx");
    let lppo = root.join("lppo-2013.xlsx");
    let (h, l) = (hmo.to_str().unwrap(), lppo.to_str().unwrap());
    let (code, out, err) = bpt(&["reallocate", "--check", h, l]);
    assert_eq!(code, 2, "{out}");
    assert!(err.starts_with(&format!("bpt: {h} is ")), "{err}");
    assert!(
        err.ends_with(
            "a resubmission is the same contract-plan-segment and plan type as its June bid\n"
        ),
        "{err}"
    );
    let (code, out, err) = bpt(&["reallocate", "--check", h, h]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("every change is one Appendix E permits\n"),
        "{out}"
    );
}

#[test]
fn annotate_refuses_the_input_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_file(dir.path(), |_| {});
    let p = path.to_str().unwrap();
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = bpt(&["annotate", p, "-o", p, "--force"]);
    assert_eq!(code, 2);
    assert!(err.contains("input"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "input untouched");
}

#[test]
fn reallocate_writes_a_resubmission_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let june = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids/hmo-mapd-2013.xlsx");
    let j = june.to_str().unwrap();
    let (code, out, err) = bpt(&["reallocate", j, "--part-d-basic-premium", "34.20"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Option 2") && out.contains("$19.20"), "{out}");
    let aug = dir.path().join("aug.xlsx");
    let a = aug.to_str().unwrap();
    let (code, _, err) = bpt(&[
        "reallocate",
        j,
        "--part-d-basic-premium",
        "34.20",
        "-o",
        a,
        "--option",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = bpt(&[
        "reallocate",
        "--check",
        j,
        a,
        "--part-d-basic-premium",
        "34.20",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = bpt(&["validate", a]);
    assert_eq!(code, 0, "{out}");
    // A changed target is not permitted.
    let p005 = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-bids/broken/p005-no-plan-intention.xlsx");
    let (code, out, _) = bpt(&["reallocate", "--check", j, p005.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RR03"), "{out}");
    let (code, _, err) = bpt(&["reallocate", j]);
    assert_eq!(code, 2);
    assert!(err.contains("--part-d-basic-premium"), "{err}");
}
