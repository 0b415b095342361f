//! The `bpt` binary end to end: exit statuses, messages, help.

use crate::common::bpt;
use bpt::sample;
use bpt::template;
use bpt::value::Value;
use bpt::writer::{self, WriteOptions};
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        // A LibreOffice resave's float noise on a key figure.
        let b = v.num("ws5.bid.plan_benchmark").unwrap();
        v.set(
            "ws5.bid.plan_benchmark",
            Value::Number(b + dec!(0.0000000000004)),
        );
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
    // The citation as every rule's: the instructions by section and page
    // (wrapped to the terminal's width).
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.starts_with(
            "RR05 (target-not-returned) — error source: MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II A–D, G, H and Examples 1–6 (pp. 103–109) "
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

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn sample_bid(name: &str) -> String {
    root()
        .join("sample-bids")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Every command's help has its examples one a line and its exit statuses.
#[test]
fn every_help_has_examples_on_lines_and_exit_codes() {
    for cmd in [
        "template",
        "read",
        "recalc",
        "diff",
        "validate",
        "finalize",
        "reallocate",
        "rules",
        "explain",
        "annotate",
        "sample",
    ] {
        let (code, out, _) = bpt(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd} --help");
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "Examples:" || *l == "Example:")
            .unwrap_or_else(|| panic!("{cmd} --help has an Examples: line:\n{out}"));
        let examples: Vec<&&str> = lines[at + 1..]
            .iter()
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(!examples.is_empty(), "{cmd}: {out}");
        for e in &examples {
            assert!(
                e.starts_with(&format!("  bpt {cmd}")) && e.matches(" bpt ").count() == 1,
                "{cmd}: one example a line: {e:?}"
            );
        }
        let exit = lines
            .iter()
            .find(|l| l.starts_with("Exit status: 0 "))
            .unwrap_or_else(|| panic!("{cmd} --help states its exit statuses:\n{out}"));
        assert!(exit.contains("; 2 "), "{cmd}: {exit}");
    }
}

#[test]
fn rules_by_family_and_severity_in_every_format() {
    let (code, out, _) = bpt(&[
        "rules",
        "--family",
        "M",
        "--severity",
        "error",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = bpt::rules::registry()
        .iter()
        .filter(|r| r.id.starts_with('M') && r.severity == bpt::rules::Severity::Error)
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, expected);
    assert!(ids.contains(&"M010") && !ids.contains(&"A005"), "{ids:?}");
    // --json is the alias of --format json.
    let (_, alias, _) = bpt(&["rules", "--family", "M", "--severity", "error", "--json"]);
    assert_eq!(alias, out);
    // README: `bpt rules --format json`.
    let (code, all, _) = bpt(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let n = serde_json::from_str::<serde_json::Value>(&all)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        n,
        bpt::rules::registry().len() + bpt::rules::resubmission_rules().len()
    );
    let (code, csv, _) = bpt(&["rules", "--family", "m,a", "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(
        csv.lines().next().unwrap(),
        "id,family,name,severity,blocks_finalize,source"
    );
    let m010 = csv.lines().find(|l| l.starts_with("M010,")).unwrap();
    assert!(
        m010.starts_with("M010,M,de-total-tolerance,error,true,"),
        "{m010}"
    );
    let (code, text, _) = bpt(&["rules", "--severity", "info"]);
    assert_eq!(code, 0);
    let info = bpt::rules::registry()
        .into_iter()
        .chain(bpt::rules::resubmission_rules())
        .filter(|r| r.severity == bpt::rules::Severity::Info)
        .count();
    assert_eq!(
        text.lines().last().unwrap(),
        format!("{info} rule(s); `bpt explain ID` explains one")
    );
    let (code, _, err) = bpt(&["rules", "--family", "Q"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("bpt: no rule family `Q` (families: A, C, D, F, H, M, P, R, V"),
        "{err}"
    );
}

#[test]
fn explain_takes_an_id_a_name_or_a_family_and_renders_markdown() {
    let (code, by_id, _) = bpt(&["explain", "M010"]);
    assert_eq!(code, 0);
    let (_, by_name, _) = bpt(&["explain", "de-total-tolerance"]);
    assert_eq!(by_id, by_name);
    let head: Vec<&str> = by_id.lines().take(7).collect();
    assert_eq!(
        head,
        [
            "M010 (de-total-tolerance) — error, blocks finalization",
            "source: MA BPT instructions CY2013, Worksheet 2, columns o, p, q (p. 45);",
            "Pricing Considerations, Dual-Eligible Beneficiaries (p. 16)",
            "passage: \"The BPT will finalize only if the total PMPM for all enrollees is",
            "within $0.50 (50 cents) of the weighted average of the non-DE# and DE# PMPMs.\"",
            "",
            "What it checks. The total allowed PMPM for all enrollees (WS2 line s, column o)",
        ]
    );
    assert!(by_id.lines().all(|l| l.chars().count() <= 80), "{by_id}");
    // A family: every rule of it, none of the Markdown left raw.
    let (code, fam, _) = bpt(&["explain", "m"]);
    assert_eq!(code, 0);
    let m_rules = bpt::rules::registry()
        .iter()
        .filter(|r| bpt::commands::rules::family(r.id) == "M")
        .count();
    assert_eq!(
        fam.lines()
            .filter(|l| l.starts_with('M') && l.contains(" — "))
            .count(),
        m_rules
    );
    for f in ["F", "C", "R", "M", "A", "P", "V", "D", "H"] {
        let (_, t, _) = bpt(&["explain", f]);
        assert!(!t.contains("**") && !t.contains('`'), "{f}: {t}");
    }
    let (code, j, _) = bpt(&["explain", "M010", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["name"], "de-total-tolerance");
    let (code, _, err) = bpt(&["explain", "Z999"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "bpt: no rule, rule name or family `Z999` (`bpt rules` lists them)\n"
    );
}

#[test]
fn validate_min_severity_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_file(dir.path(), |v| {
        v.set("ws1.base_period.description", Value::Empty);
    });
    let p = path.to_str().unwrap();
    let (code, out, _) = bpt(&["validate", p, "--quiet"]);
    assert_eq!(code, 0);
    assert_eq!(out, "1 file(s): 0 error(s), 1 warning(s), 0 info\n");
    let (code, out, _) = bpt(&["validate", p, "--quiet", "--min-severity", "error"]);
    assert_eq!(code, 0);
    assert_eq!(out, "1 file(s): 0 error(s), 0 warning(s), 0 info\n");
    let (code, out, _) = bpt(&[
        "validate",
        p,
        "--min-severity",
        "warning",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["D001"]);
    // Errors still set the exit status, whatever is shown.
    let broken = root().join("sample-bids/broken/msa-h002-deductible-over-limit.xlsx");
    let (code, out, _) = bpt(&["validate", broken.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn repeated_findings_are_grouped_in_the_text_report() {
    let broken = root().join("sample-bids/broken/msa-h002-deductible-over-limit.xlsx");
    let (code, out, _) = bpt(&["validate", broken.to_str().unwrap()]);
    assert_eq!(code, 1);
    let at = out
        .lines()
        .position(|l| l.starts_with("  error[H009] "))
        .unwrap_or_else(|| panic!("{out}"));
    let group: Vec<&str> = out.lines().skip(at).take(4).collect();
    assert_eq!(group[0], "  error[H009] ×5 on WS4: I25, I26, I27, I28, I29");
    assert!(group[1].starts_with("     first, WS4!I25: "), "{group:?}");
    assert_eq!(group[2], "     found: 1.88   expected: 0.00");
    assert_eq!(
        group[3],
        "     = hint: claims-over-deductible-entry — `bpt explain H009` says why; --format json lists each"
    );
    assert_eq!(out.matches("[H009]").count(), 1, "{out}");
    // Every finding is still in the JSON report.
    let (_, j, _) = bpt(&["validate", broken.to_str().unwrap(), "--format", "json"]);
    assert_eq!(j.matches("\"H009\"").count(), 5);
}

#[test]
fn diff_matches_county_rows_by_code_and_shows_key_figures_first() {
    let dir = tempfile::tempdir().unwrap();
    let june = sample_bid("hmo-mapd-2013.xlsx");
    let fin = dir.path().join("final.xlsx");
    let (code, _, err) = bpt(&["finalize", &june, "-o", fin.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Finalize sorts the county rows: no change to a county, only the
    // working-model note it removes.
    let (code, out, _) = bpt(&["diff", &june, fin.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "key figures (old → new):",
            "  Plan A/B bid          787.91 → 787.91 (unchanged)",
            "  Plan A/B benchmark    885.19 → 885.19 (unchanged)",
            "  MA rebate             71.34 → 71.34 (unchanged)",
            "  Basic member premium  0.00 → 0.00 (unchanged)",
            "  Total plan premium    81.30 → 81.30 (unchanged)",
            "",
        ]
    );
    assert!(
        lines[7].ends_with("final.xlsx: 1 field(s) changed (numbers within 0.000001 are the same)"),
        "{out}"
    );
    assert_eq!(lines[8], "  ── WS6 ──");
    assert!(
        lines[9].starts_with("  C65    [input] Working Model Note 1 (ws6.working_model.note1): ")
    );
    assert_eq!(lines.len(), 10, "{out}");
}

#[test]
fn diff_two_bids_tolerance_precision_and_inputs_only() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let old = sample_file(a.path(), |_| {});
    let new = sample_file(b.path(), |v| {
        // Binary floating-point noise on an input, a real change on another.
        let mm = v.num("ws5.bid.mm_non_de").unwrap();
        v.set("ws5.bid.mm_non_de", Value::Number(mm + dec!(0.0000001)));
        v.set("ws4.margin.w_h", Value::Number(dec!(30)));
    });
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let (code, out, _) = bpt(&["diff", o, n, "--inputs-only", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fields: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["ws4.margin.w_h"]);
    assert_eq!(v["key_figures"][0]["label"], "Plan A/B bid");
    // Tolerance 0: the noise is a change too.
    let (_, out, _) = bpt(&[
        "diff",
        o,
        n,
        "--inputs-only",
        "--tolerance",
        "0",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["changes"].as_array().unwrap().len(), 2, "{out}");
    // Without --inputs-only the calculated cells that follow are listed,
    // each at its cell's precision.
    let (_, out, _) = bpt(&["diff", o, n]);
    assert!(out.contains(" (ws4.margin.w_h): "), "{out}");
    // The key figure within the tolerance is unchanged, at its precision.
    let bench = out
        .lines()
        .find(|l| l.trim_start().starts_with("Plan A/B benchmark"))
        .unwrap();
    assert!(
        bench.ends_with(" (unchanged)") && !bench.contains("0000000"),
        "{bench}"
    );
    for l in out.lines().filter(|l| l.contains("[calc]")) {
        assert!(!l.contains("0000000"), "at the cell's precision: {l}");
    }
    let (code, _, err) = bpt(&["diff", o, "--inputs-only"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "bpt: --inputs-only compares two bids: give OLD and NEW\n"
    );
}

#[test]
fn folders_note_unsearched_subfolders_and_recursive_searches_them() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("june");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(sample_bid("hmo-mapd-2013.xlsx"), sub.join("bid.xlsx")).unwrap();
    std::fs::copy(sample_bid("lppo-2013.xlsx"), dir.path().join("lppo.xlsx")).unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = bpt(&["validate", d, "--quiet"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "1 file(s): 0 error(s), 0 warning(s), 0 info\n");
    assert_eq!(
        err,
        format!(
            "bpt: note: {d} has 1 subfolder(s) that were not searched (--recursive searches them)\n"
        )
    );
    let (code, out, err) = bpt(&["validate", d, "--quiet", "--recursive"]);
    assert_eq!(code, 0);
    assert_eq!(out, "2 file(s): 0 error(s), 0 warning(s), 0 info\n");
    assert_eq!(err, "");
}

#[test]
fn diff_folders_report_a_duplicate_bid_as_such_not_as_unreadable() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [a.path(), b.path()] {
        std::fs::copy(sample_bid("hmo-mapd-2013.xlsx"), d.join("one.xlsx")).unwrap();
    }
    std::fs::copy(sample_bid("hmo-mapd-2013.xlsx"), a.path().join("two.xlsx")).unwrap();
    let (code, out, _) = bpt(&[
        "diff",
        a.path().to_str().unwrap(),
        b.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("could not read"), "{out}");
    assert!(
        out.contains("one.xlsx: same bid H3456-001-000 as ")
            && out.contains("two.xlsx; compared only the later file"),
        "{out}"
    );
}

#[test]
fn sample_broken_list_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bpt"))
        .args(["sample", "--broken", "--list"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(s.lines().count(), bpt::broken::twins().len());
    assert!(
        s.lines().any(|l| l.starts_with("a004-unallocated-rebate ")
            && l.contains(" A004  from hmo-mapd-2013 ")),
        "{s}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn finalize_backups_of_one_second_do_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    let bid = dir.path().join("bid.xlsx");
    std::fs::copy(sample_bid("hmo-mapd-2013.xlsx"), &bid).unwrap();
    let out = dir.path().join("final.xlsx");
    let (b, o) = (bid.to_str().unwrap(), out.to_str().unwrap());
    let mut names = Vec::new();
    for _ in 0..3 {
        let (code, s, err) = bpt(&["finalize", b, "-o", o, "--backup", "--force"]);
        assert_eq!(code, 0, "{err}");
        let line = s
            .lines()
            .find(|l| l.starts_with("backup: "))
            .unwrap()
            .to_string();
        names.push(line);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3, "{names:?}");
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| bpt::app::is_bpt_backup(n))
        .count();
    assert_eq!(backups, 3);
}

#[test]
fn data_commands_print_csv() {
    let bid = sample_bid("hmo-mapd-2013.xlsx");
    let (code, out, _) = bpt(&["read", &bid, "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next().unwrap(),
        "field,sheet,cell,label,role,value,status"
    );
    assert!(
        out.lines()
            .any(|l| l == "ws1.general.contract_number,WS1,D5,Contract Number,input,H3456,ok"),
        "{}",
        &out[..400]
    );
    let (code, out, _) = bpt(&["recalc", &bid, "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().next().unwrap(), "field,sheet,cell,label,value");
    assert!(
        out.lines().any(|l| l.starts_with("ws5.bid.plan_bid,WS5,")),
        "{out}"
    );
    let (code, out, _) = bpt(&[
        "reallocate",
        &bid,
        "--part-d-basic-premium",
        "34.20",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next().unwrap(),
        "option,returns_to_target,target,reduce_cost_sharing,other_supplemental,part_b,part_d_basic,part_d_supplemental,unallocated,part_d_basic_premium,total_plan_premium,benefit_change"
    );
    assert!(out.lines().count() >= 2, "{out}");
    let (_, j1, _) = bpt(&["read", &bid, "--json"]);
    let (_, j2, _) = bpt(&["read", &bid, "--format", "json"]);
    assert_eq!(j1, j2);
    let (code, _, err) = bpt(&["read", &bid, "--json", "--format", "csv"]);
    assert_eq!(code, 2, "{err}");
}
