//! Hostile text in reports: formula triggers in CSV, control characters in
//! text outputs, XML and URI well-formedness, bounded echoes, visible and
//! checked configuration, and a closed standard output. Every input is made
//! here by code from a valid sample bid.

use crate::common::{bpt_in, bpt_run as bpt};
use bpt::sample;
use bpt::template;
use bpt::value::{Value, Values};
use bpt::writer::{self, WriteOptions};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The sample bid with edits, as workbook bytes.
fn sample_bytes(edit: impl FnOnce(&mut Values)) -> Vec<u8> {
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let p = sample::profile("hmo-mapd-2013").expect("profile");
    let mut v = sample::generate(&p, &layout);
    edit(&mut v);
    writer::write_form(&layout, &v, &WriteOptions::default()).expect("write")
}

/// Rewrites `from` into `to` in every text entry of the archive (shared
/// strings, sheets): how raw `_xHHHH_` escapes get into a cell.
fn rezip_replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut hit = false;
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if let Ok(s) = String::from_utf8(data.clone())
            && s.contains(from)
        {
            hit = true;
            data = s.replace(from, to).into_bytes();
        }
        w.start_file(name, opts).unwrap();
        w.write_all(&data).unwrap();
    }
    assert!(hit, "no entry holds {from}");
    w.finish().unwrap().into_inner()
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A bid whose contract number and organization name hold `raw` (written
/// into the cell's XML as is, so `_xHHHH_` escapes are decoded by the
/// reader).
fn hostile_bid(dir: &Path, name: &str, raw: &str) -> PathBuf {
    let b = sample_bytes(|v| {
        v.set("ws1.general.contract_number", text("ZQMARKQZ"));
        v.set("ws1.general.organization_name", text("ZQMARKQZ"));
    });
    put(dir, name, &rezip_replace(&b, "ZQMARKQZ", raw))
}

/// Raw cell XML: ESC, BEL, CR, LF, DEL and a C1 control as `_xHHHH_`
/// escapes, with a forged report line after the line break.
const CONTROLS: &str =
    "_x001B_[31mRED_x0007__x000D__x000A_error[F001] WS1!D5: forged_x007F__x009B_";
/// What every text output shows for [`CONTROLS`].
const CONTROLS_SHOWN: &str = "\\x1b[31mRED\\x07\\r\\nerror[F001] WS1!D5: forged\\x7f\\u{9b}";

/// No raw control character (C0 but LF, DEL, C1) in a text output.
fn assert_no_controls(what: &str, s: &str) {
    for c in s.chars() {
        assert!(
            c == '\n' || !(c.is_control()),
            "{what}: raw control U+{:04X} in\n{s}",
            c as u32
        );
    }
    assert!(
        !s.lines()
            .any(|l| l.trim_start().starts_with("error[F001] WS1!D5: forged")),
        "{what}: a forged line\n{s}"
    );
}

fn csv_rows(s: &str) -> Vec<csv::StringRecord> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(s.as_bytes());
    r.records().map(|x| x.expect("well-formed CSV")).collect()
}

#[test]
fn csv_report_and_summary_neutralise_formula_triggers() {
    let dir = tempfile::tempdir().unwrap();
    for (raw, cell) in [
        (
            "=HYPERLINK(&quot;http://x/&quot;,&quot;c&quot;)",
            "'=HYPERLINK(\"http://x/\",\"c\")",
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        // Leading TAB and CR are trimmed from a contract number; a file
        // name keeps them (below).
        ("_x0009_=1+1", "'=1+1"),
    ] {
        let p = hostile_bid(dir.path(), "inj.xlsx", raw);
        let summary = dir.path().join("summary.csv");
        let _ = std::fs::remove_file(&summary);
        let r = bpt(&[
            "validate",
            p.to_str().unwrap(),
            "--format",
            "csv",
            "--summary",
            summary.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{raw}: {}", r.err);
        let rows = csv_rows(&r.out);
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            [
                "path", "contract", "plan", "segment", "rule", "severity", "sheet", "cell",
                "field", "message", "found", "expected"
            ]
        );
        let f001 = rows.iter().find(|r| &r[4] == "F001").expect("F001 row");
        assert_eq!(&f001[0], p.to_str().unwrap());
        assert_eq!(&f001[1], cell, "{raw}");
        // bpt's own numbers-as-text stay as they are.
        assert_eq!((&f001[2], &f001[3]), ("001", "000"));
        assert_eq!(&f001[10], cell, "{raw}");
        for row in &rows {
            assert_eq!(row.len(), 12);
            for c in row.iter() {
                assert!(
                    !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{raw}: live cell {c:?}"
                );
            }
        }
        let s = std::fs::read_to_string(&summary).unwrap();
        let rows = csv_rows(&s);
        assert_eq!(&rows[0][1], "bid");
        assert_eq!(rows[1][1].to_string(), format!("{cell}-001-000"), "{raw}");
        assert_eq!(&rows[1][3], "787.91");
        assert_eq!(&rows[1][9], "errors");
    }
    // Paths are text from outside too: every trigger in a file name.
    for name in [
        "=x.xlsx",
        "+x.xlsx",
        "-x.xlsx",
        "@x.xlsx",
        "\t=x.xlsx",
        "\r=x.xlsx",
    ] {
        put(dir.path(), name, b"not a workbook");
        let r = bpt_in(
            Some(dir.path()),
            &["validate", "--format", "csv", "--", name],
        );
        assert_eq!(r.code, 2);
        let rows = csv_rows(&r.out);
        let shown = format!("'{}", name.replace('\t', "\\t").replace('\r', "\\r"));
        assert_eq!(rows[1][0], shown);
        assert_eq!(&rows[1][5], "error");
    }
}

/// The first numeric input of the sample, and its value.
fn numeric_input(v: &Values) -> (String, rust_decimal::Decimal) {
    let layout = template::builtin("ma-bpt-2013").unwrap();
    layout
        .fields
        .iter()
        .filter(|f| f.role == template::Role::Input)
        .find_map(|f| v.num(&f.id).map(|d| (f.id.clone(), d)))
        .expect("a numeric input")
}

#[test]
fn diff_csvs_are_written_by_a_csv_writer_and_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let (old_dir, new_dir) = (dir.path().join("june"), dir.path().join("sept"));
    std::fs::create_dir_all(&old_dir).unwrap();
    std::fs::create_dir_all(&new_dir).unwrap();
    let mut field = String::new();
    let old = put(&old_dir, "bid.xlsx", &sample_bytes(|_| {}));
    let new = put(
        &new_dir,
        "bid.xlsx",
        &sample_bytes(|v| {
            let (id, d) = numeric_input(v);
            v.set_num(&id, d - rust_decimal::Decimal::new(1250, 2));
            field = id;
            v.set(
                "ws1.general.organization_name",
                text("=1+1\nsecond line, \"quoted\""),
            );
        }),
    );
    let check = |out: &str, lead: usize| {
        let rows = csv_rows(out);
        let width = rows[0].len();
        assert_eq!(width, 9 + lead); // ... difference, row, old_cell
        assert!(rows.iter().all(|r| r.len() == width), "{out}");
        if lead == 1 {
            assert_eq!(&rows[0][0], "bid");
            assert!(rows[1..].iter().all(|r| &r[0] == "H3456-001-000"));
        }
        let org = rows
            .iter()
            .find(|r| &r[lead] == "ws1.general.organization_name")
            .expect("organization row");
        assert_eq!(&org[lead + 4], "Buckeye Health Plan of Ohio, Inc.");
        assert_eq!(&org[lead + 5], "'=1+1\\nsecond line, \"quoted\"");
        let num = rows.iter().find(|r| r[lead] == field).expect("number row");
        // A difference bpt computes stays a number.
        assert_eq!(&num[lead + 6], "-12.5");
    };
    let r = bpt(&[
        "diff",
        old_dir.to_str().unwrap(),
        new_dir.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.err);
    check(&r.out, 1);
    let r = bpt(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.err);
    check(&r.out, 0);
}

#[test]
fn control_characters_are_visible_in_every_text_output() {
    let dir = tempfile::tempdir().unwrap();
    let p = hostile_bid(dir.path(), "ctl.xlsx", CONTROLS);
    let good = put(dir.path(), "good.xlsx", &sample_bytes(|_| {}));
    let ps = p.to_str().unwrap();

    let r = bpt(&["validate", ps]);
    assert_eq!(r.code, 1);
    assert_no_controls("validate", &r.out);
    assert!(r.out.contains(&format!(
        "  error[F001] WS1!D5: `{CONTROLS_SHOWN}` is not H, R or E and four digits\n"
    )));
    assert!(r.out.contains(&format!(
        "     found: {CONTROLS_SHOWN}   expected: H, R or E and four digits\n"
    )));
    assert!(
        r.out
            .starts_with(&format!("{ps} ({CONTROLS_SHOWN}-001-000)\n"))
    );

    let r = bpt(&["read", ps]);
    assert_eq!(r.code, 0);
    assert_no_controls("read", &r.out);
    assert!(
        r.out.contains(&format!("\n  {CONTROLS_SHOWN} / ")),
        "{}",
        r.out
    );

    let r = bpt(&["recalc", ps]);
    assert_eq!(r.code, 0);
    assert_no_controls("recalc", &r.out);
    assert!(r.out.contains(CONTROLS_SHOWN), "{}", r.out);

    let r = bpt(&["diff", good.to_str().unwrap(), ps]);
    assert_eq!(r.code, 1);
    assert_no_controls("diff", &r.out);
    assert!(r.out.contains(&format!(
        "[input] Contract Number (ws1.general.contract_number): H3456 → {CONTROLS_SHOWN}\n"
    )));

    let out = dir.path().join("final.xlsx");
    let r = bpt(&["finalize", ps, "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_no_controls("finalize", &r.err);
    assert!(r.err.contains(&format!(
        "  F001 WS1!D5: `{CONTROLS_SHOWN}` is not H, R or E and four digits"
    )));
    assert!(!out.exists());

    // An error message naming a file whose name holds an escape sequence.
    let odd = put(dir.path(), "bad\x1b[2J\n.xlsx", b"not a workbook");
    let r = bpt(&["read", odd.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_no_controls("read error", &r.err);
    assert!(r.err.contains("bad\\x1b[2J\\n.xlsx"), "{}", r.err);
    assert_eq!(r.err.lines().count(), 1, "{}", r.err);
    let r = bpt(&["validate", odd.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_no_controls("validate error", &r.out);
    assert!(
        r.out.contains("bad\\x1b[2J\\n.xlsx: could not read: "),
        "{}",
        r.out
    );
}

/// Parses XML with roxmltree (which checks well-formedness, the XML 1.0
/// character set included); every attribute as (name, value), in order.
fn well_formed(xml: &str) -> Vec<(String, String)> {
    let doc =
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"));
    doc.descendants()
        .flat_map(|n| {
            n.attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn junit_and_sarif_are_well_formed_for_any_text() {
    let dir = tempfile::tempdir().unwrap();
    let raw = "_xFFFE__xFFFF__x0001_&lt;/failure&gt;&amp;&quot;'_x001B_";
    let p = hostile_bid(dir.path(), "nonchar.xlsx", raw);
    let r = bpt(&["validate", p.to_str().unwrap(), "--format", "junit"]);
    assert_eq!(r.code, 1);
    for c in ['\u{fffe}', '\u{ffff}', '\u{1}', '\u{1b}'] {
        assert!(!r.out.contains(c), "raw U+{:04X}", c as u32);
    }
    let attrs = well_formed(&r.out);
    let msg = attrs
        .iter()
        .find(|(k, v)| k == "message" && v.contains("is not H, R or E"))
        .expect("F001 failure");
    assert_eq!(
        msg.1,
        "`\\u{fffe}\\u{ffff}\\x01</failure>&\"'\\x1b` is not H, R or E and four digits"
    );

    let r = bpt(&["validate", p.to_str().unwrap(), "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let f001 = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ruleId"] == "F001")
        .unwrap();
    assert_eq!(
        f001["message"]["text"],
        "`\\u{fffe}\\u{ffff}\\x01</failure>&\"'\\x1b` is not H, R or E and four digits \
         (found: \\u{fffe}\\u{ffff}\\x01</failure>&\"'\\x1b; expected: H, R or E and four digits)"
    );
    // JSON keeps the exact value (JSON escapes control characters itself).
    let r = bpt(&["validate", p.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    let found = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "F001")
        .unwrap()["found"]
        .clone();
    assert_eq!(found, "\u{fffe}\u{ffff}\u{1}</failure>&\"'\u{1b}");
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(d.join("June bids")).unwrap();
    put(&d.join("June bids"), "my bid #1?.xlsx", b"these are notes");
    let uri = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).expect("SARIF");
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let r = bpt_in(
        Some(&d),
        &["validate", "June bids/my bid #1?.xlsx", "--format", "sarif"],
    );
    assert_eq!(r.code, 2);
    assert_eq!(uri(&r.out), "June%20bids/my%20bid%20%231%3F.xlsx");
    let abs = d.join("June bids/my bid #1?.xlsx");
    let r = bpt(&["validate", abs.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(
        uri(&r.out),
        format!(
            "file://{}/June%20bids/my%20bid%20%231%3F.xlsx",
            d.to_str().unwrap()
        )
    );
}

#[test]
fn huge_cell_text_is_shortened_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let n = 300_000;
    let p = hostile_bid(dir.path(), "huge.xlsx", &"Z".repeat(n));
    let z80 = "Z".repeat(80);
    let r = bpt(&["validate", p.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.out.len() < 20_000, "text report of {} bytes", r.out.len());
    assert!(r.out.contains(&format!(
        "  error[F001] WS1!D5: `{z80}… ({} more characters)` is not H, R or E and four digits\n",
        n - 80
    )));
    assert!(r.out.contains(&format!(
        "     found: {z80}… ({} more characters)   expected: H, R or E and four digits\n",
        n - 80
    )));
    assert!(r.out.contains(&format!(
        "Organization Name holds Buckeye Health Plan of Ohio, Inc. but the instructions' arithmetic gives {z80}… ({} more characters)\n",
        n - 80
    )));
    let r = bpt(&["validate", p.to_str().unwrap(), "--format", "json"]);
    assert!(
        r.out.len() < 200_000,
        "JSON report of {} bytes",
        r.out.len()
    );
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let f = &v["files"][0]["findings"][0];
    assert_eq!(f["rule"], "F001");
    assert_eq!(
        f["found"],
        format!("{}… ({} more characters)", "Z".repeat(4096), n - 4096)
    );
    // Measured against the same report of the clean sample: a SARIF report
    // describes every rule of the registry (about 190 kB), whatever the bid.
    let clean = put(dir.path(), "clean.xlsx", &sample_bytes(|_| {}));
    for fmt in ["csv", "sarif", "junit"] {
        let base = bpt(&["validate", clean.to_str().unwrap(), "--format", fmt])
            .out
            .len();
        let r = bpt(&["validate", p.to_str().unwrap(), "--format", fmt]);
        assert!(
            r.out.len() < base + 200_000,
            "{fmt} report of {} bytes ({base} for the clean sample)",
            r.out.len()
        );
    }
}

/// A folder tree: `top/bpt.toml` (ignoring the D rules, tolerance 0.001)
/// and `top/bids/bid.xlsx`.
fn configured_tree(top: &Path) -> PathBuf {
    std::fs::write(
        top.join("bpt.toml"),
        "[validate]\nignore = [\" d \"]\ntolerance = \"0.001\"\n",
    )
    .unwrap();
    let bids = top.join("bids");
    std::fs::create_dir_all(&bids).unwrap();
    put(&bids, "bid.xlsx", &sample_bytes(|_| {}));
    bids
}

fn d_rules() -> Vec<&'static str> {
    bpt::rules::registry()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| id.starts_with('D'))
        .collect()
}

#[test]
fn every_report_names_the_config_and_the_rules_it_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    std::fs::create_dir(top.join(".git")).unwrap();
    let bids = configured_tree(&top);
    let toml = top.join("bpt.toml").display().to_string();
    let run = |args: &[&str]| bpt_in(Some(&bids), args);

    let r = run(&["validate", "bid.xlsx", "--ignore", "R011"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(
        r.out
            .lines()
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>(),
        [
            format!("config: {toml}"),
            "tolerance: 0.001".to_string(),
            format!("rules off (bpt.toml ignore `D`): {}", d_rules().join(", ")),
            "rules off (--ignore `R011`): R011".to_string(),
        ]
    );

    let r = run(&["validate", "bid.xlsx", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["config"]["file"], toml.as_str());
    assert_eq!(v["config"]["tolerance"], "0.001");
    assert_eq!(
        v["config"]["rules_off"][0],
        serde_json::json!({"rule": "D001", "by": "bpt.toml ignore `D`"})
    );
    assert_eq!(
        v["config"]["rules_off"].as_array().unwrap().len(),
        d_rules().len()
    );

    let r = run(&["validate", "bid.xlsx", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    assert_eq!(inv["properties"]["configFile"], toml.as_str());
    let o = &inv["ruleConfigurationOverrides"][0];
    assert_eq!(o["descriptor"]["id"], "D001");
    assert_eq!(o["configuration"]["enabled"], false);
    let idx = o["descriptor"]["index"].as_u64().unwrap() as usize;
    assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][idx]["id"], "D001");

    let r = run(&["validate", "bid.xlsx", "--format", "junit"]);
    let attrs = well_formed(&r.out);
    let prop = |name: &str| {
        let i = attrs
            .iter()
            .position(|(k, v)| k == "name" && v == name)
            .unwrap();
        attrs[i + 1].1.clone()
    };
    assert_eq!(prop("bpt.config"), toml);
    assert_eq!(prop("bpt.tolerance"), "0.001");
    assert_eq!(prop("bpt.rules_off"), d_rules().join(" "));

    // --select replaces the file's select; the report says how many it left off.
    let r = run(&["validate", "bid.xlsx", "--select", " F006"]);
    let total = bpt::rules::registry().len();
    assert!(r.out.contains(&format!(
        "rules off (not in --select `F006`): {} rule(s)\n",
        total - 1 - d_rules().len()
    )));
}

#[test]
fn config_discovery_stops_at_the_repository_home_and_shared_folders() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    // Above a repository: not loaded.
    let bids = configured_tree(&top);
    std::fs::create_dir(bids.join(".git")).unwrap();
    let r = bpt_in(Some(&bids), &["validate", "bid.xlsx"]);
    assert!(!r.out.contains("config:"), "{}", r.out);
    assert!(r.out.starts_with("bid.xlsx (H3456-001-000): no findings"));
    std::fs::remove_dir(bids.join(".git")).unwrap();
    // Above the home directory: not loaded.
    let mut c = Command::new(env!("CARGO_BIN_EXE_bpt"));
    let out = c
        .args(["validate", "bid.xlsx"])
        .current_dir(&bids)
        .env("HOME", &bids)
        .output()
        .unwrap();
    assert!(
        out.stdout
            .starts_with(b"bid.xlsx (H3456-001-000): no findings")
    );
    // Otherwise found (the temporary folder above is world-writable: the
    // search ends there).
    let r = bpt_in(Some(&bids), &["validate", "bid.xlsx"]);
    assert!(r.out.starts_with("config: "), "{}", r.out);
    // In a world-writable folder: not loaded.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&top, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let r = bpt_in(Some(&bids), &["validate", "bid.xlsx"]);
        std::fs::set_permissions(&top, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(!r.out.contains("config:"), "{}", r.out);
    }
}

#[test]
fn the_loaded_config_is_an_input_the_summary_never_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    let bids = configured_tree(&top);
    let config = top.join("bpt.toml");
    let before = std::fs::read(&config).unwrap();
    for force in [false, true] {
        let mut args = vec!["validate", "bid.xlsx", "--summary", "../bpt.toml"];
        if force {
            args.push("--force");
        }
        let r = bpt_in(Some(&bids), &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
        assert_eq!(
            r.err,
            format!(
                "bpt: not writing the summary: refusing to write ../bpt.toml: it is the input \
                 configuration {}; nothing was validated\n",
                config.display()
            ),
            "{args:?}"
        );
        assert_eq!(std::fs::read(&config).unwrap(), before);
    }
}

#[test]
fn select_ignore_and_tolerance_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = hostile_bid(dir.path(), "f001.xlsx", "XYZ");
    let ps = p.to_str().unwrap();
    let r = bpt(&["validate", ps, "--select", " F001 ,f002"]);
    assert_eq!(r.code, 1);
    assert!(
        r.out
            .contains("error[F001] WS1!D5: `XYZ` is not H, R or E and four digits")
    );
    assert!(!r.out.contains("[V003]"));
    for (args, msg) in [
        (
            vec!["--select", "F999"],
            "bpt: --select: `F999` is neither a rule id nor a rule family (`bpt rules` lists them)\n",
        ),
        (
            vec!["--ignore", "D,ZZ"],
            "bpt: --ignore: `ZZ` is neither a rule id nor a rule family (`bpt rules` lists them)\n",
        ),
        (
            vec!["--select", "F001,"],
            "bpt: --select: an empty rule id\n",
        ),
        (
            vec!["--tolerance=-1"],
            "bpt: --tolerance -1 is negative; it must be ≥ 0\n",
        ),
    ] {
        let mut a = vec!["validate", ps];
        a.extend(&args);
        let r = bpt(&a);
        assert_eq!(
            (r.code, r.err.as_str(), r.out.as_str()),
            (2, msg, ""),
            "{args:?}"
        );
    }
    let r = bpt(&["diff", ps, "--tolerance=-0.5"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (2, "bpt: --tolerance -0.5 is negative; it must be ≥ 0\n")
    );
    let out = dir.path().join("final.xlsx");
    let r = bpt(&[
        "finalize",
        ps,
        "-o",
        out.to_str().unwrap(),
        "--tolerance=-1",
    ]);
    assert_eq!(r.code, 2);
    assert!(!out.exists());
    // The same checks for bpt.toml.
    for (toml, msg) in [
        (
            "[validate]\nselect = [\"Q\"]\n",
            "select: `Q` is neither a rule id nor a rule family (`bpt rules` lists them)\n",
        ),
        (
            "[validate]\ntolerance = \"-1\"\n",
            "tolerance `-1` is negative; it must be ≥ 0\n",
        ),
    ] {
        let cfg = dir.path().join("bpt.toml");
        std::fs::write(&cfg, toml).unwrap();
        let r = bpt(&["validate", ps, "--config", cfg.to_str().unwrap()]);
        assert_eq!(r.code, 2);
        assert_eq!(r.err, format!("bpt: {}: {msg}", cfg.display()));
    }
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-bids/hmo-mapd-2013.xlsx"
    );
    for args in [
        vec!["rules"],
        vec!["rules", "--json"],
        vec!["explain", "M010"],
        vec!["template", "--list"],
        vec!["sample", "--list"],
        vec!["read", sample],
        vec!["read", sample, "--json"],
        vec!["recalc", sample],
        vec!["diff", sample],
        vec!["diff", sample, sample, "--format", "csv"],
        vec!["validate", sample],
        vec!["validate", sample, "--format", "json"],
        vec!["validate", sample, "--format", "junit"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_bpt"))
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}
