//! Batch validation of a folder and folder-to-folder diff.

use crate::common::bpt;
use bpt::{broken, sample, template, writer};
use std::path::Path;

fn write_sample(dir: &Path, name: &str, file: &str) {
    let layout = template::builtin_cached("ma-bpt-2013").unwrap();
    let v = sample::generate(&sample::profile(name).unwrap(), layout);
    let b = writer::write_form(layout, &v, &writer::WriteOptions::default()).unwrap();
    std::fs::write(dir.join(file), b).unwrap();
}

#[test]
fn folder_with_valid_broken_and_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_sample(d, "hmo-mapd-2013", "a-hmo.xlsx");
    write_sample(d, "lppo-2013", "b-lppo.xlsx");
    let layout = template::builtin_cached("ma-bpt-2013").unwrap();
    let twin = broken::twins()
        .into_iter()
        .find(|t| t.rule == "A004")
        .unwrap();
    let (v, _) = broken::make(&twin).unwrap();
    std::fs::write(
        d.join("c-broken.xlsx"),
        writer::write_form(layout, &v, &writer::WriteOptions::default()).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("d-notes.xlsx"), b"not a workbook").unwrap();
    std::fs::write(d.join("readme.txt"), b"ignored: not a workbook extension").unwrap();

    let summary = tempfile::tempdir().unwrap();
    let csv = summary.path().join("summary.csv");
    let (code, out, err) = bpt(&[
        "validate",
        d.to_str().unwrap(),
        "--summary",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        code, 2,
        "an unreadable file makes the exit status 2: {out}{err}"
    );
    // The text report ends with the summary table.
    assert!(out.contains("plan_bid") && out.contains("H"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4, "{text}");
    let status: Vec<&str> = rows.iter().map(|r| &r[9]).collect();
    assert_eq!(status, ["ok", "ok", "errors", "unreadable"], "{text}");
    assert_eq!(&rows[0][2], "HMO");
    assert_eq!(&rows[1][2], "LPPO");
    for r in &rows[..3] {
        let bid: f64 = r[3].parse().unwrap();
        let bench: f64 = r[4].parse().unwrap();
        assert!(bid > 500.0 && bench > 500.0, "{r:?}");
    }
    assert!(
        rows[2][7].parse::<u32>().unwrap() >= 1,
        "broken twin has errors"
    );
    assert_eq!(&rows[3][3], "", "no figures for an unreadable file");

    let json = summary.path().join("summary.json");
    let (_, _, _) = bpt(&[
        "validate",
        d.to_str().unwrap(),
        "--summary",
        json.to_str().unwrap(),
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 4);
    assert_eq!(doc[3]["status"], "unreadable");
    assert_eq!(doc[0]["errors"], 0);

    // Without the unreadable file the broken twin decides the status.
    std::fs::remove_file(d.join("d-notes.xlsx")).unwrap();
    let (code, _, _) = bpt(&["validate", d.to_str().unwrap()]);
    assert_eq!(code, 1);
    // A glob.
    let pattern = format!("{}/a-*.xlsx", d.display());
    let (code, out, _) = bpt(&["validate", &pattern]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("a-hmo.xlsx") && !out.contains("b-lppo"),
        "{out}"
    );
}

#[test]
fn diff_of_two_folders_pairs_bids() {
    let old = tempfile::tempdir().unwrap();
    let new = tempfile::tempdir().unwrap();
    write_sample(old.path(), "hmo-mapd-2013", "hmo.xlsx");
    write_sample(old.path(), "lppo-2013", "ppo.xlsx");
    write_sample(new.path(), "hmo-mapd-2013", "renamed-hmo.xlsx");
    write_sample(new.path(), "dsnp-2013", "dsnp.xlsx");
    let (code, out, err) = bpt(&[
        "diff",
        old.path().to_str().unwrap(),
        new.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("unchanged"), "{out}");
    assert!(out.contains("only in"), "{out}");
    assert!(out.contains("1 pair(s) compared, 0 changed"), "{out}");
}
