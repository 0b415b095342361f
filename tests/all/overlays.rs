//! Foreign layouts, made by code from the shipped samples: each is a
//! workbook laid out the way a real CMS form differs from ours (sheets
//! renamed, Section I as a four-column grid with "1. Contract Number:"
//! labels, tables moved by rows and columns, an extra column inside
//! Section III, a version string instead of bpt's marker), filled with a
//! sample's values. With its hand-written overlay
//! (`tests/fixtures/overlays/`), each must validate with the same findings
//! and key figures as the sample itself, and every command must work on it.

use crate::common;
use bpt::cellref::CellRef;
use bpt::reader;
use bpt::template::{Layout, Text};
use bpt::value::{Value, Values};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Runs `bpt ARGS` in `dir`: (exit code, stdout, stderr).
fn bpt_at(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::bpt_in(Some(dir), args).into()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One foreign layout: its overlay, the sample it is filled with, and the
/// texts a real form shows (version string, titles, labels).
pub struct Foreign {
    /// Name (file stem of the overlay).
    pub name: &'static str,
    /// Sample workbook the values come from.
    pub sample: &'static str,
    /// Where the version string goes: (base sheet, cell, text).
    pub version: (&'static str, &'static str, &'static str),
}

pub const FOREIGN: &[Foreign] = &[
    Foreign {
        name: "cms-grid",
        sample: "sample-bids/broken/c003-plans-in-base-total.xlsx",
        version: ("WS1", "A2", "MA-2013.1"),
    },
    Foreign {
        name: "shifted",
        sample: "sample-bids/lppo-2013.xlsx",
        version: ("WS1", "B2", "CMS Bid Pricing Tool, version MA-2013.1"),
    },
    Foreign {
        name: "inserted",
        sample: "sample-bids/broken/m002-cob-cost-sharing.xlsx",
        version: ("WS1", "A1", "MA-2013.1"),
    },
];

pub fn overlay_path(name: &str) -> PathBuf {
    root().join(format!("tests/fixtures/overlays/{name}.toml"))
}

pub fn overlay(name: &str) -> Layout {
    let text = std::fs::read_to_string(overlay_path(name)).expect("overlay file");
    Layout::from_toml(&text).expect("overlay resolves")
}

/// Writes the foreign workbook of `f` into `dir` and returns its path.
pub fn make(f: &Foreign, dir: &Path) -> PathBuf {
    make_with(f, dir, |_| {})
}

/// [`make`], with the layout written changed first (a formula overwritten).
pub fn make_with(f: &Foreign, dir: &Path, change: impl FnOnce(&mut Layout)) -> PathBuf {
    make_full(f, dir, change, |_| {})
}

/// [`make_with`], with the sample's values changed too.
pub fn make_full(
    f: &Foreign,
    dir: &Path,
    change: impl FnOnce(&mut Layout),
    change_values: impl FnOnce(&mut Values),
) -> PathBuf {
    let sample = reader::read_bid(&root().join(f.sample)).expect("sample reads");
    let mut layout = overlay(f.name);
    let mut values: Values = sample.values.clone();
    change_values(&mut values);
    // Extra columns hold something of their own (read and reported only).
    if let Some(ov) = &layout.overlay {
        for x in &ov.extras {
            if let Some(prefix) = x.strip_suffix("[*]") {
                for (i, field) in layout
                    .fields
                    .iter()
                    .filter(|fl| {
                        fl.id.starts_with(prefix) && fl.id[prefix.len()..].starts_with('[')
                    })
                    .enumerate()
                {
                    values.set(
                        field.id.clone(),
                        Value::Number(Decimal::from(100 + i as i64)),
                    );
                }
            }
        }
    }
    let taken: std::collections::HashSet<(String, CellRef)> = layout
        .fields
        .iter()
        .map(|fl| (fl.sheet.clone(), fl.cell))
        .collect();
    let physical = |base: &str| -> String {
        layout
            .overlay
            .as_ref()
            .and_then(|o| o.sheets.iter().find(|(b, _)| b == base))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| base.to_string())
    };
    let mut texts: Vec<(String, CellRef, String)> = Vec::new();
    let (vs, vc, vt) = f.version;
    texts.push((physical(vs), CellRef::parse(vc).unwrap(), vt.to_string()));
    if f.name == "inserted" {
        texts.push((
            physical("WS1"),
            CellRef::parse("B2").unwrap(),
            "Worksheet 1 - MA Base Period Experience".into(),
        ));
    }
    texts.extend(real_form_texts(&layout, &taken, &texts));
    for (sheet, cell, text) in texts {
        assert!(
            !taken.contains(&(sheet.clone(), cell)),
            "{sheet}!{cell} is a field"
        );
        let s = layout
            .sheets
            .iter_mut()
            .find(|s| s.name == sheet)
            .expect("sheet");
        s.texts.push(Text {
            cell,
            text,
            style: "label".into(),
        });
    }
    // Sheet titles as CMS prints them.
    let base = bpt::template::builtin("ma-bpt-2013").unwrap();
    for (s, b) in layout.sheets.iter_mut().zip(base.sheets.iter()) {
        s.title = b.title.to_uppercase().replace('–', "-");
    }
    change(&mut layout);
    let opts = bpt::writer::WriteOptions {
        default_overrides: bpt::app::default_overrides(&sample),
        ..Default::default()
    };
    let bytes = bpt::writer::write_form(&layout, &values, &opts).expect("write foreign");
    let path = dir.join(format!("{}.xlsx", f.name));
    if let Some(keep) = std::env::var_os("BPT_KEEP_FOREIGN") {
        let _ = std::fs::write(Path::new(&keep).join(format!("{}.xlsx", f.name)), &bytes);
    }
    std::fs::write(&path, bytes).expect("save");
    path
}

/// The texts a real form shows around its cells — sheet titles, section
/// headings (`III. Base Period Data …`), line labels (`1. Contract
/// Number:`), row keys (`a.`) and labels, column letters (`(d)`) and headers
/// worded the way CMS abbreviates them — made from bpt's own form's texts
/// and carried to where the overlay moved the cells they stand by. Where a
/// text would land on a cell already used, it moves left (CMS's line
/// letters sit left of the labels when a column like Utilizers is inserted).
fn real_form_texts(
    layout: &Layout,
    taken: &std::collections::HashSet<(String, CellRef)>,
    fixed: &[(String, CellRef, String)],
) -> Vec<(String, CellRef, String)> {
    use bpt::template::map::decoration;
    use std::collections::{BTreeMap, HashSet};
    let base = bpt::template::builtin("ma-bpt-2013").unwrap();
    let mut out = Vec::new();
    let mut used: HashSet<(String, CellRef)> = taken.clone();
    for (s, c, _) in fixed {
        used.insert((s.clone(), *c));
    }
    for (bsheet, fsheet) in base.sheets.iter().zip(layout.sheets.iter()) {
        let fsn = fsheet.name.clone();
        // Base cell → foreign cell of every field on the sheet.
        let moved: Vec<(CellRef, CellRef)> = base
            .fields_on(&bsheet.name)
            .filter_map(|f| layout.field(&f.id).map(|m| (f.cell, m.cell)))
            .collect();
        let on_row: BTreeMap<u32, Vec<(CellRef, CellRef)>> =
            moved.iter().fold(BTreeMap::new(), |mut m, p| {
                m.entry(p.0.row).or_insert_with(Vec::new).push(*p);
                m
            });
        let place = |c: CellRef| -> Option<CellRef> {
            let sh = |p: (CellRef, CellRef), r: i64, k: i64| -> Option<CellRef> {
                let row = u32::try_from(i64::from(p.1.row) + r).ok()?;
                let col = u16::try_from(i64::from(p.1.col) + k).ok()?;
                Some(CellRef::new(row, col))
            };
            if let Some(v) = on_row.get(&c.row) {
                let p = *v
                    .iter()
                    .min_by_key(|p| (p.0.col.abs_diff(c.col), p.0.col < c.col))?;
                return sh(p, 0, i64::from(c.col) - i64::from(p.0.col));
            }
            let below = (1..=6).find_map(|k| on_row.get(&(c.row + k)))?;
            let g = *below.iter().min_by_key(|p| p.0.col.abs_diff(c.col))?;
            let dr = i64::from(c.row) - i64::from(g.0.row);
            if let Some(p) = moved
                .iter()
                .filter(|p| p.0.col == c.col && p.0.row > c.row && p.0.row <= c.row + 6)
                .min_by_key(|p| p.0.row)
            {
                let col = p.1.col;
                return sh(g, dr, 0).map(|x| CellRef::new(x.row, col));
            }
            sh(g, dr, i64::from(c.col) - i64::from(g.0.col))
        };
        let deco = decoration(&base, &bsheet.name);
        // Letters the sheet shows on their own row, just under a header.
        let letters: HashSet<(u32, u16, String)> = deco
            .iter()
            .filter(|d| d.table.is_none() && d.text.starts_with('(') && d.text.len() <= 4)
            .map(|d| (d.cell.row, d.cell.col, d.text.clone()))
            .collect();
        let skip: HashSet<CellRef> = deco
            .iter()
            .filter(|d| d.table.is_none() && d.style == "label")
            .filter(|d| {
                deco.iter().any(|n| {
                    n.cell.row == d.cell.row
                        && n.cell.col + 1 == d.cell.col
                        && n.table.is_none()
                        && is_line_number(&n.text)
                })
            })
            .map(|d| d.cell)
            .collect();
        let mut rows: BTreeMap<u32, Vec<(CellRef, String)>> = BTreeMap::new();
        for d in &deco {
            if skip.contains(&d.cell) {
                continue;
            }
            let text = if d.style == "section" {
                section_heading(&d.text)
            } else if d.style == "key" {
                format!("{}.", d.text)
            } else if d.style == "header" && d.table.is_some() {
                let (letter, words) =
                    match d.text.strip_prefix('(').and_then(|x| x.split_once(") ")) {
                        Some((l, w)) => (Some(format!("({l})")), w.to_string()),
                        None => (None, d.text.clone()),
                    };
                let words = abbreviate(&words);
                match letter {
                    Some(l)
                        if !(1..=2).any(|k| {
                            letters.contains(&(d.cell.row + k, d.cell.col, l.clone()))
                        }) =>
                    {
                        format!("{l} {words}")
                    }
                    _ => words,
                }
            } else if d.table.is_none() && is_line_number(&d.text) {
                match deco.iter().find(|n| {
                    n.cell.row == d.cell.row
                        && n.cell.col == d.cell.col + 1
                        && skip.contains(&n.cell)
                }) {
                    Some(label) => format!("{}. {}:", d.text, label.text),
                    None => format!("{}.", d.text),
                }
            } else {
                abbreviate(&d.text)
            };
            rows.entry(d.cell.row).or_default().push((d.cell, text));
        }
        // Extra columns' headers first, on their table's header row.
        if let Some(ov) = &layout.overlay {
            for x in &ov.extras {
                let Some(prefix) = x.strip_suffix("[*]") else {
                    continue;
                };
                let Some((tid, _)) = prefix.rsplit_once('.') else {
                    continue;
                };
                let (Some(bt), Some(first)) = (
                    base.table(tid),
                    layout
                        .fields
                        .iter()
                        .find(|fl| fl.id.starts_with(&format!("{prefix}["))),
                ) else {
                    continue;
                };
                if bt.sheet != bsheet.name {
                    continue;
                }
                let (Some(hr), Some(fr)) = (bt.header_row, bt.rows.first()) else {
                    continue;
                };
                let row = first.cell.row - (fr.2 - hr);
                let cell = CellRef::new(row, first.cell.col);
                if used.contains(&(fsn.clone(), cell)) {
                    continue;
                }
                used.insert((fsn.clone(), cell));
                out.push((
                    fsn.clone(),
                    cell,
                    first.label.rsplit(" – ").next().unwrap_or("").to_string(),
                ));
            }
        }
        for (_, mut texts) in rows {
            texts.sort_by_key(|t| std::cmp::Reverse(t.0.col));
            let mut limit: Option<u16> = None;
            for (c, text) in texts {
                let Some(mut at) = place(c) else { continue };
                if let Some(l) = limit
                    && at.col >= l
                {
                    let Some(x) = l.checked_sub(1) else { continue };
                    at = CellRef::new(at.row, x);
                }
                let mut tries = 0;
                while used.contains(&(fsn.clone(), at)) && tries < 3 && at.col > 0 {
                    at = CellRef::new(at.row, at.col - 1);
                    tries += 1;
                }
                if used.contains(&(fsn.clone(), at)) {
                    continue;
                }
                used.insert((fsn.clone(), at));
                limit = Some(at.col);
                out.push((fsn.clone(), at, text));
            }
        }
    }
    out
}

fn is_line_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit())
}

/// `SECTION III – BASE PERIOD DATA` → `III. Base Period Data`.
fn section_heading(s: &str) -> String {
    let s = s.strip_prefix("SECTION ").unwrap_or(s);
    let (num, rest) = s.split_once(" – ").unwrap_or(("", s));
    let words: Vec<String> = rest
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect();
    if num.is_empty() {
        words.join(" ")
    } else {
        format!("{num}. {}", words.join(" "))
    }
}

/// CMS's abbreviations in headers and labels.
fn abbreviate(s: &str) -> String {
    s.replace("Utilization", "Util")
        .replace("Average", "Avg")
        .replace("1,000", "1000")
        .replace("Subrogation", "Subrg.")
}

/// Findings (rule, field, severity) and key figures of `validate --format json`.
pub fn summary(json: &str) -> (Vec<(String, String, String)>, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    let file = &v["files"][0];
    let mut findings: Vec<(String, String, String)> = file["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["field"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    findings.sort();
    (findings, file["figures"].clone())
}

#[test]
fn each_foreign_layout_validates_like_its_sample() {
    let dir = tempfile::tempdir().unwrap();
    for f in FOREIGN {
        let wb = make(f, dir.path());
        let ov = overlay_path(f.name);
        let sample = root().join(f.sample);
        let (c0, want, e0) = bpt_at(
            dir.path(),
            &["validate", sample.to_str().unwrap(), "--format", "json"],
        );
        let (c1, got, e1) = bpt_at(
            dir.path(),
            &[
                "validate",
                wb.to_str().unwrap(),
                "--format",
                "json",
                "--template",
                ov.to_str().unwrap(),
            ],
        );
        assert_eq!(c0, c1, "{}: {e0} / {e1}", f.name);
        let (fw, gw) = (summary(&want), summary(&got));
        assert_eq!(fw.0, gw.0, "{}: findings", f.name);
        assert_eq!(fw.1, gw.1, "{}: key figures", f.name);
        assert!(!gw.1["plan_bid"].is_null(), "{}: {got}", f.name);
    }
}

#[test]
fn the_broken_samples_keep_their_findings_on_the_moved_cells() {
    let dir = tempfile::tempdir().unwrap();
    let f = &FOREIGN[0];
    let wb = make(f, dir.path());
    let ov = overlay_path(f.name);
    let (code, out, err) = bpt_at(
        dir.path(),
        &[
            "validate",
            wb.to_str().unwrap(),
            "--template",
            ov.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    // C003: on the plans-in-base table, moved to K15:L22 of `MA Base`.
    assert!(out.contains("C003"), "{out}");
    assert!(
        out.contains("error[C003] MA Base!L16: plans in base add to 119900 member months"),
        "{out}"
    );
}

#[test]
fn overlays_in_bpt_toml_recognise_workbooks_and_say_why_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let mut list = Vec::new();
    for f in FOREIGN {
        make(f, dir.path());
        list.push(format!("{:?}", overlay_path(f.name).display().to_string()));
    }
    std::fs::write(
        dir.path().join("bpt.toml"),
        format!("[templates]\noverlays = [{}]\n", list.join(", ")),
    )
    .unwrap();
    for f in FOREIGN {
        let (code, out, err) = bpt_at(dir.path(), &["read", &format!("{}.xlsx", f.name), "--json"]);
        assert_eq!(code, 0, "{}: {err}", f.name);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["template"], format!("{}-2013", f.name), "{}", f.name);
    }
    // A CY2014 draft: the version string does not match.
    let mut layout = overlay("cms-grid");
    let ws1 = layout
        .sheets
        .iter_mut()
        .find(|s| s.name == "MA Base")
        .unwrap();
    ws1.texts.push(Text {
        cell: CellRef::parse("A2").unwrap(),
        text: "MA-2014.beta".into(),
        style: "label".into(),
    });
    let bytes = bpt::writer::write_form(&layout, &Values::default(), &Default::default()).unwrap();
    std::fs::write(dir.path().join("draft.xlsx"), bytes).unwrap();
    let (code, _, err) = bpt_at(dir.path(), &["read", "draft.xlsx"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "overlay `cms-grid-2013`: sheet `MA Base` found; version cell A2 holds `MA-2014.beta`, \
             expected `MA-2013.*`"
        ),
        "{err}"
    );
    assert!(
        err.contains("shipped templates: there is no sheet `WS1`"),
        "{err}"
    );
    assert!(
        err.contains("overlay `shifted-2013`: there is no sheet `Worksheet 1`"),
        "{err}"
    );
}

#[test]
fn every_command_works_on_a_foreign_layout() {
    let dir = tempfile::tempdir().unwrap();
    let f = &FOREIGN[2];
    let wb = make(f, dir.path());
    let wbs = wb.to_str().unwrap();
    let ov = overlay_path(f.name);
    let ovs = ov.to_str().unwrap();
    let t = ["--template", ovs];
    let run = |args: &[&str]| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend_from_slice(&t);
        bpt_at(dir.path(), &a)
    };
    // read: the extra column is read and reported.
    let (code, out, err) = run(&["read", wbs, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ws1.base.claims[a]"), "{out}");
    // diff: the cached values are bpt's own, the formulas the template's
    // on the moved cells.
    let (code, out, err) = run(&["diff", wbs, "--formulas"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "every calculated cell holds the ma-bpt-2013 formula (on this workbook's cells)"
        ),
        "{out}"
    );
    // recalc -o, annotate, finalize edit the user's own file.
    let (code, out, err) = run(&["recalc", wbs, "-o", "recalc.xlsx"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&["annotate", wbs, "-o", "annotated.xlsx"]);
    assert!(code == 0 || code == 1, "{out}{err}");
    let a = reader::read_with_layout(
        reader::Source::Path(&dir.path().join("annotated.xlsx")),
        &overlay(f.name),
    )
    .expect("annotated copy reads with the overlay");
    assert_eq!(
        a.get("ws1.general.contract_number"),
        reader::read_with_layout(reader::Source::Path(&wb), &overlay(f.name))
            .unwrap()
            .get("ws1.general.contract_number")
    );
    let (code, out, err) = run(&["finalize", wbs, "-o", "final.xlsx"]);
    assert!(code == 0 || code == 1, "{out}{err}");
    for out in ["recalc.xlsx", "annotated.xlsx"] {
        assert!(dir.path().join(out).is_file(), "{out}");
    }
}

#[test]
fn template_check_lists_every_cell_claimed_twice() {
    let text = std::fs::read_to_string(overlay_path("inserted")).unwrap()
        + "\n[tables.\"ws6.allocation\"]\nrows = 1\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, text).unwrap();
    let (code, out, err) = bpt_at(dir.path(), &["template", "--check", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("1 cell(s) claimed twice"), "{err}");
    assert!(
        err.contains("MA Premium!G44 is used twice: by `ws6.allocation.allocated[7]` and by `ws6.allocation.unallocated`")
            || err.contains("MA Premium!G44 is used twice"),
        "{err}"
    );
    let (code, out, _) = bpt_at(
        dir.path(),
        &[
            "template",
            "--check",
            overlay_path("cms-grid").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("extra (read and reported only): ws1.base.utilizers[*]"),
        "{out}"
    );
    assert!(
        out.contains("recognised by: MA Base!A2 matches `MA-2013.*`"),
        "{out}"
    );
}

#[test]
fn diff_formulas_reports_formulas_changed_or_overwritten_on_the_mapped_cells() {
    let dir = tempfile::tempdir().unwrap();
    let f = &FOREIGN[0];
    let wb = make_with(f, dir.path(), |l| {
        for fl in l.fields.iter_mut() {
            if fl.id == "ws1.base.net_pmpm[s]" {
                fl.formula = Some("SUM(D27:D43)".into());
            }
            if fl.id == "ws1.base_period.plans_total_mm" {
                fl.role = bpt::template::Role::Input;
            }
        }
    });
    let ov = overlay_path(f.name);
    let (code, out, err) = bpt_at(
        dir.path(),
        &[
            "diff",
            wb.to_str().unwrap(),
            "--formulas",
            "--template",
            ov.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    let formulas = out
        .split_once("do not hold")
        .map(|x| x.1)
        .unwrap_or_default();
    assert_eq!(
        formulas,
        " the ma-bpt-2013 formula (on this workbook's cells):\n\
         \x20 MA Base!L23    Plans in Base – Total Member Months (ws1.base_period.plans_total_mm)\n\
         \x20     expected =SUM($L$15:$L$22)\n\
         \x20     found    a constant (no formula)\n\
         \x20 MA Base!D45    Total Medical Expenses – Net PMPM (ws1.base.net_pmpm[s])\n\
         \x20     expected =SUM($D$27:$D$44)\n\
         \x20     found    =SUM(D27:D43)\n"
    );
    assert!(
        out.starts_with(&format!("{}: every calculated cell matches", wb.display()))
            || out.contains("calculated cell(s) differ"),
        "{out}"
    );
}

#[test]
fn a_foreign_workbook_and_its_sample_differ_in_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let f = &FOREIGN[0];
    let wb = make(f, dir.path());
    std::fs::write(
        dir.path().join("bpt.toml"),
        format!(
            "[templates]\noverlays = [{:?}]\n",
            overlay_path(f.name).display().to_string()
        ),
    )
    .unwrap();
    let sample = root().join(f.sample);
    let (code, out, err) = bpt_at(
        dir.path(),
        &["diff", sample.to_str().unwrap(), wb.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}{err}");
}

/// `bpt template map` on each foreign layout: every field of the sample's
/// populated sections placed unaided (≥ 99 %), and the proposed overlay
/// reads the workbook with the findings and figures of the sample itself.
#[test]
fn template_map_proposes_an_overlay_that_validates_like_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    for f in FOREIGN {
        let wb = make(f, dir.path());
        let name = format!("{}.xlsx", f.name);
        let out = format!("mapped-{}.toml", f.name);
        let (code, text, err) = bpt_at(
            dir.path(),
            &[
                "template",
                "map",
                &name,
                "--base",
                "ma-bpt-2013",
                "-o",
                &out,
            ],
        );
        assert!(code == 0 || code == 1, "{}: {err}", f.name);
        insta::assert_snapshot!(format!("map_{}", f.name.replace('-', "_")), text);
        let (_, json, _) = bpt_at(
            dir.path(),
            &[
                "template",
                "map",
                &name,
                "--base",
                "ma-bpt-2013",
                "--format",
                "json",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let cov = &v["coverage"];
        let n = |c: &str, k: &str| cov[c][k].as_u64().unwrap_or(0);
        let placed = n("certain", "in_populated") + n("inferred", "in_populated");
        let total = placed + n("ambiguous", "in_populated") + n("not_found", "in_populated");
        assert!(
            placed * 100 >= total * 99,
            "{}: {placed} of {total} placed\n{text}",
            f.name
        );
        let sample = root().join(f.sample);
        let (c0, want, _) = bpt_at(
            dir.path(),
            &["validate", sample.to_str().unwrap(), "--format", "json"],
        );
        let (c1, got, e1) = bpt_at(
            dir.path(),
            &[
                "validate",
                wb.to_str().unwrap(),
                "--format",
                "json",
                "--template",
                &out,
            ],
        );
        assert_eq!(c0, c1, "{}: {e1}", f.name);
        let (fw, gw) = (summary(&want), summary(&got));
        assert_eq!(fw.0, gw.0, "{}: findings", f.name);
        assert_eq!(fw.1, gw.1, "{}: key figures", f.name);
        // The overlay recognises the workbook by itself (bpt.toml).
        let (code, _, err) = bpt_at(dir.path(), &["template", "--check", &out]);
        assert_eq!(code, 0, "{}: {err}", f.name);
    }
}
