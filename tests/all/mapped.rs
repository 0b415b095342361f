//! Everything on a mapped workbook: each foreign layout of
//! [`crate::overlays`] (made by code, filled with a shipped sample) read
//! with the overlay `bpt template map` *proposes* for it — never the
//! hand-written one — by every command: `read`, `validate`, `diff`
//! (submitted against recomputed, and `--formulas`), `annotate`, `recalc
//! -o` and `finalize`. Each result is compared with the same command on
//! the sample itself, on the cells the layout put the fields on (the
//! generator's layout is the ground truth), and every output must be the
//! user's own workbook edited: its sheet names, its texts and its extra
//! columns (Utilizers, Claims) kept.

use crate::common;
use crate::overlays::{FOREIGN, Foreign, make_full, summary};
use bpt::cellref::CellRef;
use bpt::template::Layout;
use bpt::template::map::RawCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A foreign workbook, the overlay `template map` proposed for it, and the
/// layout the generator wrote it with.
struct Mapped {
    dir: tempfile::TempDir,
    /// The sample its values come from.
    sample: PathBuf,
    /// `NAME.xlsx` in `dir`.
    wb: String,
    /// `proposed.toml` in `dir`.
    overlay: String,
    /// Where the generator put every field.
    truth: Layout,
}

fn foreign(name: &str, sample: &'static str) -> Foreign {
    let f = FOREIGN.iter().find(|f| f.name == name).expect("layout");
    Foreign {
        name: f.name,
        sample,
        version: f.version,
    }
}

/// Writes layout `name` filled with `sample` (`make_full`'s changes
/// applied) and maps it with `bpt template map`.
fn mapped_with(
    name: &str,
    sample: &'static str,
    layout: impl FnOnce(&mut Layout),
    values: impl FnOnce(&mut bpt::value::Values),
) -> Mapped {
    mapped_typed(name, sample, layout, values, &[])
}

/// [`mapped_with`], with cells of the user's own typed into the workbook
/// before it is mapped: (sheet, cell, value), no field of any layout.
fn mapped_typed(
    name: &str,
    sample: &'static str,
    layout: impl FnOnce(&mut Layout),
    values: impl FnOnce(&mut bpt::value::Values),
    typed: &[(&str, &str, bpt::package::Scalar)],
) -> Mapped {
    let f = foreign(name, sample);
    let dir = tempfile::tempdir().unwrap();
    let path = make_full(&f, dir.path(), layout, values);
    if !typed.is_empty() {
        let mut p = bpt::package::Package::open(std::fs::read(&path).unwrap()).unwrap();
        let mut by_sheet: BTreeMap<&str, BTreeMap<CellRef, bpt::package::CellEdit>> =
            BTreeMap::new();
        for (sheet, cell, v) in typed {
            by_sheet.entry(sheet).or_default().insert(
                CellRef::parse(cell).unwrap(),
                bpt::package::CellEdit {
                    content: Some(bpt::package::Content::Value(v.clone())),
                    style: None,
                },
            );
        }
        for (sheet, edits) in &by_sheet {
            p.edit_cells(sheet, edits, &[]).unwrap();
        }
        std::fs::write(&path, p.save().unwrap()).unwrap();
    }
    let wb = path.file_name().unwrap().to_str().unwrap().to_string();
    let (code, report, err): (i32, String, String) = common::bpt_in(
        Some(dir.path()),
        &[
            "template",
            "map",
            &wb,
            "--base",
            "ma-bpt-2013",
            "-o",
            "proposed.toml",
        ],
    )
    .into();
    assert_eq!(code, 0, "{name} with {sample}: {report}{err}");
    Mapped {
        dir,
        sample: root().join(sample),
        wb,
        overlay: "proposed.toml".into(),
        truth: crate::overlays::overlay(f.name),
    }
}

fn mapped(name: &str, sample: &'static str) -> Mapped {
    mapped_with(name, sample, |_| {}, |_| {})
}

impl Mapped {
    /// `bpt ARGS --template proposed.toml`, in the workbook's folder.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut a: Vec<&str> = args.to_vec();
        a.extend_from_slice(&["--template", &self.overlay]);
        common::bpt_in(Some(self.dir.path()), &a).into()
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    fn proposed(&self) -> Layout {
        Layout::from_toml(&std::fs::read_to_string(self.path(&self.overlay)).unwrap())
            .expect("the proposed overlay loads")
    }

    /// The truth's address of a base address (`WS5!E20` → `MA Benchmark!E20`).
    fn moved(&self, base_address: &str) -> String {
        let id = field_at(base(), base_address).unwrap_or_else(|| panic!("{base_address}"));
        self.truth.field(&id).unwrap().address()
    }
}

/// An address as `diff` prints it: `Sheet!Cell` with the cell padded to 6.
fn pad(address: &str) -> String {
    let (s, c) = address.rsplit_once('!').unwrap();
    format!("{s}!{c:<6}")
}

fn base() -> &'static Layout {
    bpt::template::builtin_cached("ma-bpt-2013").unwrap()
}

/// The field of `layout` at `Sheet!A1`.
fn field_at(layout: &Layout, address: &str) -> Option<String> {
    let (sheet, cell) = address.rsplit_once('!')?;
    let cell = CellRef::parse(cell)?;
    layout
        .fields
        .iter()
        .find(|f| f.sheet == sheet && f.cell == cell)
        .map(|f| f.id.clone())
}

/// Every non-blank cell of every sheet of a workbook, as shown.
fn cells(path: &Path) -> BTreeMap<String, BTreeMap<CellRef, String>> {
    bpt::reader::raw_sheets(bpt::reader::Source::Path(path))
        .expect("workbook reads")
        .into_iter()
        .map(|s| {
            let c = s
                .cells
                .into_iter()
                .map(|(c, v)| {
                    let t = match v {
                        RawCell::Text(t) | RawCell::Number(t) | RawCell::Error(t) => t,
                    };
                    (c, t)
                })
                .collect();
            (s.name, c)
        })
        .collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    bpt::reader::raw_sheets(bpt::reader::Source::Path(path))
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect()
}

/// Field id → (cell, value) of `read --json`, and its `extra` values.
fn read_json(json: &str) -> (BTreeMap<String, (String, String)>, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    let mut out = BTreeMap::new();
    for sh in v["sheets"].as_array().unwrap() {
        let sheet = sh["name"].as_str().unwrap();
        for sec in sh["sections"].as_array().unwrap() {
            for f in sec["fields"].as_array().unwrap() {
                out.insert(
                    f["id"].as_str().unwrap().to_string(),
                    (
                        format!("{sheet}!{}", f["cell"].as_str().unwrap_or("")),
                        f["value"].as_str().unwrap_or("").to_string(),
                    ),
                );
            }
        }
    }
    (out, v["extra"].clone())
}

/// The samples each layout is tried with: its own, one with every county
/// row and package filled, and one with a calculated cell typed over.
const SAMPLES: &[&str] = &[
    "sample-bids/osb-many-counties-2013.xlsx",
    "sample-bids/broken/v003-plan-bid-typed-over.xlsx",
];

/// Every placement `template map` proposes — the coverage report's and the
/// overlay's — is where the generator put the field; nothing is guessed: a
/// field the map cannot tell would be ambiguous (none is, on these
/// layouts), and every field is placed.
#[test]
fn template_map_places_every_field_where_the_layout_has_it() {
    for f in FOREIGN {
        for sample in std::iter::once(f.sample).chain(SAMPLES.iter().copied()) {
            let m = mapped(f.name, sample);
            let (_, json, _): (i32, String, String) = common::bpt_in(
                Some(m.dir.path()),
                &[
                    "template",
                    "map",
                    &m.wb,
                    "--base",
                    "ma-bpt-2013",
                    "--format",
                    "json",
                ],
            )
            .into();
            let v: serde_json::Value = serde_json::from_str(&json).expect("json");
            let proposed = m.proposed();
            let mut wrong = Vec::new();
            let mut unsure = Vec::new();
            for p in v["placements"].as_array().unwrap() {
                let id = p["id"].as_str().unwrap();
                let truth = m.truth.field(id).unwrap();
                match p["confidence"].as_str().unwrap() {
                    "certain" | "inferred" => {
                        let got = proposed.field(id).unwrap();
                        if p["cell"].as_str() != Some(truth.cell.to_string().as_str())
                            || got.address() != truth.address()
                        {
                            wrong.push(format!(
                                "{id}: proposed {} ({}: {}), is at {}",
                                got.address(),
                                p["confidence"],
                                p["why"],
                                truth.address()
                            ));
                        }
                    }
                    c => unsure.push(format!("{id} ({c})")),
                }
            }
            assert!(
                wrong.is_empty(),
                "{} with {sample}: {} field(s) misplaced:\n{}",
                f.name,
                wrong.len(),
                wrong.join("\n")
            );
            assert_eq!(unsure, Vec::<String>::new(), "{} with {sample}", f.name);
            // Every field of the layout, the extra columns' cells included.
            let want: BTreeMap<&str, String> = m
                .truth
                .fields
                .iter()
                .map(|x| (x.id.as_str(), x.address()))
                .collect();
            let got: BTreeMap<&str, String> = proposed
                .fields
                .iter()
                .map(|x| (x.id.as_str(), x.address()))
                .collect();
            assert!(want == got, "{} with {sample}: the layouts differ", f.name);
            assert_eq!(
                proposed.overlay.as_ref().unwrap().extras,
                m.truth.overlay.as_ref().unwrap().extras,
                "{}",
                f.name
            );
        }
    }
}

/// `read`: the sample's values, at the layout's cells, with the extra
/// column read and reported.
#[test]
fn read_on_a_mapped_workbook_gives_the_samples_values_on_its_cells() {
    for f in FOREIGN {
        let m = mapped(f.name, f.sample);
        let (c0, want, e0) = common::bpt(&["read", m.sample.to_str().unwrap(), "--json"]);
        let (c1, got, e1) = m.run(&["read", &m.wb, "--json"]);
        assert_eq!((c0, c1), (0, 0), "{e0}{e1}");
        let (want, _) = read_json(&want);
        let (got, extra) = read_json(&got);
        // The layout's extra column (`shifted` has none).
        let x = m.truth.overlay.as_ref().unwrap().extras.first().cloned();
        let prefix = x
            .as_deref()
            .and_then(|x| x.strip_suffix("[*]"))
            .unwrap_or("-");
        let ids = |m: &BTreeMap<String, (String, String)>| -> Vec<String> {
            m.keys()
                .filter(|k| !k.starts_with(prefix))
                .cloned()
                .collect()
        };
        assert_eq!(ids(&want), ids(&got), "{}", f.name);
        for (id, (_, value)) in &want {
            let (cell, v) = &got[id];
            assert_eq!(v, value, "{}: {id}", f.name);
            assert_eq!(
                *cell,
                m.truth.field(id).unwrap().address(),
                "{}: {id}",
                f.name
            );
        }
        // The extra column: 18 data rows, 100, 101, … as the generator wrote.
        let extra = extra.as_object().cloned().unwrap_or_default();
        let values: Vec<&str> = extra
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.as_str().unwrap())
            .collect();
        let n = if x.is_some() { 118 } else { 100 };
        let mut expect: Vec<String> = (100..n).map(|n| n.to_string()).collect();
        expect.sort();
        let mut values: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        values.sort();
        assert_eq!(values, expect, "{}: {prefix}", f.name);
    }
}

/// `validate`: the sample's findings, word for word, on the layout's cells;
/// the same key figures.
#[test]
fn validate_on_a_mapped_workbook_reports_the_samples_findings_on_its_cells() {
    for f in FOREIGN {
        let m = mapped(f.name, f.sample);
        let (c0, want, _) =
            common::bpt(&["validate", m.sample.to_str().unwrap(), "--format", "json"]);
        let (c1, got, e1) = m.run(&["validate", &m.wb, "--format", "json"]);
        assert_eq!(c0, c1, "{}: {e1}", f.name);
        assert_eq!(summary(&want).1, summary(&got).1, "{}: key figures", f.name);
        let findings = |json: &str, moved: bool| -> Vec<(String, String, String)> {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            v["files"][0]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    let field = x["field"].as_str().unwrap_or("");
                    let at = match (moved, field) {
                        (true, id) if !id.is_empty() => m.truth.field(id).unwrap().address(),
                        _ => format!(
                            "{}!{}",
                            x["sheet"].as_str().unwrap(),
                            x["cell"].as_str().unwrap()
                        ),
                    };
                    (
                        x["rule"].as_str().unwrap().to_string(),
                        at,
                        format!("{} ({})", x["message"].as_str().unwrap(), x["field"]),
                    )
                })
                .collect()
        };
        let want = findings(&want, true);
        assert_eq!(want, findings(&got, false), "{}", f.name);
    }
    // As printed, for the CMS-like layout.
    let m = mapped("cms-grid", FOREIGN[0].sample);
    let (code, out, _) = m.run(&["validate", &m.wb]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "  ── MA Base ──\n  error[C003] MA Base!L16: plans in base add to 119900 member \
             months, line 2 shows 120000\n     field: Plans in Base line b – Member Months \
             (ws1.plans_in_base.mm[b])\n"
        ),
        "{out}"
    );
}

/// `diff`: the submitted (cached) values against the base template's
/// formulas evaluated on the mapped cells — the typed-over plan bid of the
/// sample `v003`, on each layout's cell.
#[test]
fn diff_on_a_mapped_workbook_finds_the_typed_over_cell() {
    let sample = "sample-bids/broken/v003-plan-bid-typed-over.xlsx";
    for f in FOREIGN {
        let m = mapped(f.name, sample);
        let (code, out, err) = m.run(&["diff", &m.wb]);
        assert_eq!(code, 1, "{out}{err}");
        let at = pad(&m.moved("WS5!E20"));
        assert_eq!(
            out,
            format!(
                "{}: 1 calculated cell(s) differ from the instructions' arithmetic\n  \
                 {at} Plan A/B Bid (ws5.bid.plan_bid)\n      submitted 788.91   \
                 recomputed 787.91   difference 1   (rounded to 2 decimals: must match \
                 exactly)\n",
                m.wb
            ),
            "{}",
            f.name
        );
    }
}

/// `diff --formulas`: a formula changed and a formula overwritten by a
/// constant, reported against the base template's formula translated to
/// the layout's cells; an untouched workbook holds every formula.
#[test]
fn diff_formulas_on_a_mapped_workbook_reports_changed_and_overwritten_formulas() {
    for f in FOREIGN {
        let m = mapped(f.name, f.sample);
        let (code, out, err) = m.run(&["diff", &m.wb, "--formulas"]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.ends_with(
                "every calculated cell holds the ma-bpt-2013 formula (on this workbook's cells)\n"
            ),
            "{}: {out}",
            f.name
        );
        let truth = crate::overlays::overlay(f.name);
        let net = truth.field("ws1.base.net_pmpm[s]").unwrap();
        let total = truth.field("ws1.base_period.plans_total_mm").unwrap();
        let want_net = net.formula.clone().unwrap();
        let changed = format!("0+{want_net}");
        let want_total = total.formula.clone().unwrap();
        let m = mapped_with(
            f.name,
            f.sample,
            |l| {
                for fl in l.fields.iter_mut() {
                    if fl.id == "ws1.base.net_pmpm[s]" {
                        fl.formula = Some(changed.clone());
                    }
                    if fl.id == "ws1.base_period.plans_total_mm" {
                        fl.role = bpt::template::Role::Input;
                    }
                }
            },
            |_| {},
        );
        let (code, out, err) = m.run(&["diff", &m.wb, "--formulas"]);
        assert_eq!(code, 1, "{out}{err}");
        let (_, formulas) = out.split_once("do not hold").expect("formulas listed");
        let mut lines = [
            (
                total.address(),
                format!(
                    "Plans in Base – Total Member Months (ws1.base_period.plans_total_mm)\n      \
                     expected ={want_total}\n      found    a constant (no formula)\n"
                ),
            ),
            (
                net.address(),
                format!(
                    "Total Medical Expenses – Net PMPM (ws1.base.net_pmpm[s])\n      \
                     expected ={want_net}\n      found    ={changed}\n"
                ),
            ),
        ];
        lines.sort_by_key(|l| {
            let c = CellRef::parse(l.0.rsplit_once('!').unwrap().1).unwrap();
            (c.row, c.col)
        });
        let want: String = lines
            .iter()
            .map(|(a, rest)| format!("  {} {rest}", pad(a)))
            .collect();
        assert_eq!(
            formulas,
            format!(" the ma-bpt-2013 formula (on this workbook's cells):\n{want}"),
            "{}",
            f.name
        );
    }
}

/// (sheet, cell) → (before, after), as shown.
type Changes = BTreeMap<(String, CellRef), (String, String)>;

/// What a command changed in a workbook: sheet → cell → (before, after),
/// and the sheets added or removed.
fn changed(before: &Path, after: &Path) -> (Changes, Vec<String>) {
    let (a, b) = (cells(before), cells(after));
    let mut out = BTreeMap::new();
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut sheets = Vec::new();
    for n in names {
        let (Some(x), Some(y)) = (a.get(n), b.get(n)) else {
            sheets.push(n.clone());
            continue;
        };
        for c in x.keys().chain(y.keys()) {
            let (p, q) = (x.get(c).cloned(), y.get(c).cloned());
            if p != q {
                out.insert(
                    (n.clone(), *c),
                    (p.unwrap_or_default(), q.unwrap_or_default()),
                );
            }
        }
    }
    (out, sheets)
}

/// `annotate -o`: the findings marked on the user's own file — every cell
/// of every sheet as it was (texts, values, the extra column), the review
/// sheets added in front.
#[test]
fn annotate_on_a_mapped_workbook_marks_the_users_own_file() {
    for f in FOREIGN {
        let m = mapped(f.name, SAMPLES[1]);
        let (code, out, err) = m.run(&["annotate", &m.wb, "-o", "annotated.xlsx"]);
        assert_eq!(code, 0, "{out}{err}");
        let (c0, sample_out, _) = {
            let d = tempfile::tempdir().unwrap();
            let o = d.path().join("a.xlsx");
            common::bpt(&[
                "annotate",
                m.sample.to_str().unwrap(),
                "-o",
                o.to_str().unwrap(),
            ])
        };
        assert_eq!(c0, 0);
        // The notes: the sample's, on the layout's cells.
        let notes = |s: &str| -> Vec<(String, String)> {
            s.lines()
                .filter_map(|l| {
                    let i = l.find(" note ")?;
                    Some((l[..i].trim().to_string(), l[i..].trim().to_string()))
                })
                .collect()
        };
        let want: Vec<(String, String)> = notes(&sample_out)
            .into_iter()
            .map(|(at, rest)| (m.moved(&at), rest))
            .collect();
        assert!(!want.is_empty(), "{}: {sample_out}", f.name);
        assert_eq!(want, notes(&out), "{}: {out}", f.name);
        let (cells, sheets) = changed(&m.path(&m.wb), &m.path("annotated.xlsx"));
        assert_eq!(cells, BTreeMap::new(), "{}", f.name);
        assert_eq!(sheets, ["Bid summary", "Findings"], "{}", f.name);
        let mut names = sheet_names(&m.path(&m.wb));
        names.insert(0, "Bid summary".into());
        names.insert(0, "Findings".into());
        assert_eq!(sheet_names(&m.path("annotated.xlsx")), names, "{}", f.name);
    }
}

/// `recalc -o`: exactly the cells whose cached value is not bpt's are
/// rewritten — the sample's, on the layout's cells — and nothing else of
/// the user's file changes.
#[test]
fn recalc_on_a_mapped_workbook_rewrites_only_the_stale_cached_values() {
    let sample = "sample-bids/broken/v003-plan-bid-typed-over.xlsx";
    for f in FOREIGN {
        let m = mapped(f.name, sample);
        let (code, out, err) = m.run(&["recalc", &m.wb, "-o", "recalc.xlsx"]);
        assert_eq!(code, 0, "{out}{err}");
        let d = tempfile::tempdir().unwrap();
        let o = d.path().join("r.xlsx");
        let (c0, _, e0) = common::bpt(&[
            "recalc",
            m.sample.to_str().unwrap(),
            "-o",
            o.to_str().unwrap(),
        ]);
        assert_eq!(c0, 0, "{e0}");
        // Field id → (before, after), on the sample and on the layout.
        let ids = |layout: &Layout, ch: Changes| {
            ch.into_iter()
                .map(|((s, c), v)| {
                    (
                        field_at(layout, &format!("{s}!{c}")).unwrap_or_else(|| format!("{s}!{c}")),
                        v,
                    )
                })
                .collect::<BTreeMap<String, (String, String)>>()
        };
        let (want, ws) = changed(&m.sample, &o);
        let (got, gs) = changed(&m.path(&m.wb), &m.path("recalc.xlsx"));
        assert!(ws.is_empty() && gs.is_empty(), "{ws:?} {gs:?}");
        let want = ids(base(), want);
        let got = ids(&m.truth, got);
        assert_eq!(
            want.get("ws5.bid.plan_bid"),
            Some(&("788.91".to_string(), "787.91".to_string())),
            "{want:?}"
        );
        assert_eq!(want, got, "{}", f.name);
        assert!(
            out.contains(&format!(
                "  {} cached value 788.91 → 787.91",
                m.moved("WS5!E20")
            )),
            "{}: {out}",
            f.name
        );
    }
}

/// `finalize`: on each layout, what it does on bpt's own form — the county
/// rows sorted, WS6 Section V removed (found from where its five notes
/// are), every calculated cell a value — as edits of the user's own file:
/// its sheets, its texts outside Section V and its extra column kept.
#[test]
fn finalize_on_a_mapped_workbook_does_what_it_does_on_the_form() {
    let sample = SAMPLES[0];
    let d = tempfile::tempdir().unwrap();
    let ours = d.path().join("final.xlsx");
    let (c0, sample_out, e0) = common::bpt(&[
        "finalize",
        &root().join(sample).display().to_string(),
        "-o",
        ours.to_str().unwrap(),
    ]);
    assert_eq!(c0, 0, "{e0}");
    let report = |s: &str| -> Vec<String> {
        s.lines()
            .skip(1)
            .take_while(|l| *l != "edits:")
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        report(&sample_out),
        [
            "  WS5: county-level rows sorted in descending order of state-county code (160 row(s) moved)",
            "  WS6: Section V (working-model text) removed: rows 63-69, 1 entered cell(s) deleted",
            "  6319 calculated cell(s) written as values instead of formulas",
        ]
    );
    let (_, final_values, _) = common::bpt(&["read", ours.to_str().unwrap(), "--json"]);
    let (final_values, _) = read_json(&final_values);
    for (name, ws5, ws6, rows) in [
        ("cms-grid", "MA Benchmark", "MA Premium", "63-69"),
        ("shifted", "Worksheet 5", "Worksheet 6", "66-72"),
        ("inserted", "MA Benchmark", "MA Premium", "63-69"),
    ] {
        let m = mapped(name, sample);
        let (code, out, err) = m.run(&["finalize", &m.wb, "-o", "final.xlsx"]);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert_eq!(
            report(&out),
            [
                format!(
                    "  {ws5}: county-level rows sorted in descending order of state-county code (160 row(s) moved)"
                ),
                format!(
                    "  {ws6}: Section V (working-model text) removed: rows {rows}, 1 entered cell(s) deleted"
                ),
                "  6319 calculated cell(s) written as values instead of formulas".to_string(),
            ],
            "{name}"
        );
        // The finalized values are those of the sample finalized.
        let (_, got, _) = m.run(&["read", "final.xlsx", "--json"]);
        let (got, extra) = read_json(&got);
        for (id, (_, v)) in &final_values {
            assert_eq!(&got[id].1, v, "{name}: {id}");
        }
        let extras = if name == "shifted" { 0 } else { 18 };
        assert_eq!(
            extra.as_object().map_or(0, |o| o.len()),
            extras,
            "{name}: the extra column is kept"
        );
        // Only Section V's rows lost cells; no sheet came or went.
        let (ch, sheets) = changed(&m.path(&m.wb), &m.path("final.xlsx"));
        assert!(sheets.is_empty(), "{name}: {sheets:?}");
        let (a, b) = rows.split_once('-').unwrap();
        let sec: std::ops::RangeInclusive<u32> =
            a.parse::<u32>().unwrap() - 1..=b.parse::<u32>().unwrap() - 1;
        let before = cells(&m.path(&m.wb));
        let removed: Vec<String> = before[ws6]
            .iter()
            .filter(|(c, _)| sec.contains(&c.row))
            .map(|(c, t)| format!("{c}={t}"))
            .collect();
        // Heading, note, the five line numbers and note 1.
        assert_eq!(removed.len(), 8, "{name}: {removed:?}");
        assert!(
            removed[0].ends_with("=V. Working Model Text Box"),
            "{name}: {removed:?}"
        );
        for ((s, c), (old, new)) in &ch {
            if s == ws6 && sec.contains(&c.row) {
                assert_eq!(new, "", "{name}: {s}!{c}");
            } else {
                // Elsewhere: values the sort moved, formulas' values (the
                // same shown text), never a text of the form.
                let id = field_at(&m.truth, &format!("{s}!{c}"));
                assert!(
                    id.is_some(),
                    "{name}: {s}!{c} {old:?} → {new:?} is no field"
                );
            }
        }
        assert!(
            cells(&m.path("final.xlsx"))[ws6]
                .keys()
                .all(|c| !sec.contains(&c.row)),
            "{name}"
        );
    }
}

/// `finalize` on a layout whose Section V cannot be removed safely: the
/// rest is done, the section is kept, and the report says exactly what was
/// left and why (exit 1: the output is not ready for upload).
#[test]
fn finalize_keeps_a_section_it_cannot_place_and_says_why() {
    let sample = SAMPLES[0];
    // 1. Another field of the workbook on Section V's rows (an extra cell
    //    the overlay declares).
    let m = mapped("cms-grid", sample);
    let text = std::fs::read_to_string(m.path(&m.overlay)).unwrap()
        + "\n[[extra]]\nsheet = \"WS6\"\nid = \"ws6.extra.reviewer\"\ncell = \"H66\"\nkind = \"text\"\n";
    std::fs::write(m.path("extra.toml"), text).unwrap();
    let (code, out, err): (i32, String, String) = common::bpt_in(
        Some(m.dir.path()),
        &[
            "finalize",
            &m.wb,
            "-o",
            "final.xlsx",
            "--template",
            "extra.toml",
        ],
    )
    .into();
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "\n  6319 calculated cell(s) written as values instead of formulas\n\
             not done (the output is not ready for upload until you do it):\n  \
             MA Premium: Section V (working-model text) not removed: rows 63-69 of `MA Premium` \
             also hold ws6.extra.reviewer (MA Premium!H66); delete it from the finalized file \
             before upload\nedits:\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("MA Benchmark: county-level rows sorted"),
        "{out}"
    );
    let kept = |m: &Mapped| {
        cells(&m.path("final.xlsx"))["MA Premium"]
            .iter()
            .filter(|(c, _)| (62..=68).contains(&c.row) && c.col < 25)
            .count()
    };
    assert_eq!(kept(&m), 8, "Section V is still there");
    // 2. The notes not in their rows: note 5 placed far below.
    let text = std::fs::read_to_string(m.path(&m.overlay))
        .unwrap()
        .replacen(
            "[fields]\n",
            "[fields]\n\"ws6.working_model.note5\" = \"C80\"\n",
            1,
        );
    std::fs::write(m.path("moved.toml"), text).unwrap();
    let (code, out, err): (i32, String, String) = common::bpt_in(
        Some(m.dir.path()),
        &[
            "finalize",
            &m.wb,
            "-o",
            "final2.xlsx",
            "--template",
            "moved.toml",
        ],
    )
    .into();
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "  MA Premium: Section V (working-model text) not removed: its fields do not keep \
             their rows of ma-bpt-2013 (ws6.working_model.note1 is at MA Premium!C65, \
             ws6.working_model.note5 at MA Premium!C80), so its heading and text rows cannot \
             be told; delete it from the finalized file before upload\n"
        ),
        "{out}"
    );
    // 3. A formula on the rows that no overlay describes.
    let m = mapped_with(
        "cms-grid",
        sample,
        |l| {
            let mut extra = l
                .fields
                .iter()
                .find(|f| f.id == "ws6.premium.total_plan_premium")
                .unwrap()
                .clone();
            extra.id = "ws6.users.own".into();
            // Beyond the 16 cells right of a label the map looks at.
            extra.cell = CellRef::parse("Z67").unwrap();
            extra.formula = Some("1+1".into());
            l.fields.push(extra);
        },
        |_| {},
    );
    let (code, out, err) = m.run(&["finalize", &m.wb, "-o", "final.xlsx"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "  MA Premium: Section V (working-model text) not removed: MA Premium!Z67 on its \
             rows holds a formula, which is not the section's text; delete it from the \
             finalized file before upload\n"
        ),
        "{out}"
    );
    assert_eq!(kept(&m), 8, "Section V is still there");
}

/// `finalize` on a layout whose Section V rows also hold a plain value of
/// the user's that is no field — a reviewer's figure or remark typed
/// beside the notes (column M, outside the section's columns B-C): it is
/// not the section's heading or text, so the section is kept (nothing of
/// the user's is deleted unseen), the report names the cell and what it
/// holds, finalize exits 1, and the output still holds the value.
#[test]
fn finalize_keeps_a_section_whose_rows_hold_a_value_of_the_users() {
    let sample = SAMPLES[0];
    use bpt::package::Scalar;
    for (cell, value, shown, reason) in [
        (
            "M65",
            Scalar::Number("1234.5".into()),
            "1234.5",
            "MA Premium!M65 on its rows holds 1234.5",
        ),
        (
            "M64",
            Scalar::Text("Reviewer: recheck the Part B buydown against the filing memo".into()),
            "Reviewer: recheck the Part B buydown against the filing memo",
            "MA Premium!M64 on its rows holds \"Reviewer: recheck the Part B buydown aga…\"",
        ),
    ] {
        let m = mapped_typed(
            "cms-grid",
            sample,
            |_| {},
            |_| {},
            &[("MA Premium", cell, value)],
        );
        assert_eq!(
            cells(&m.path(&m.wb))["MA Premium"][&CellRef::parse(cell).unwrap()],
            shown,
            "{cell} is written"
        );
        let (code, out, err) = m.run(&["finalize", &m.wb, "-o", "final.xlsx"]);
        assert_eq!(code, 1, "{cell}: {out}{err}");
        assert!(
            out.contains(&format!(
                "\n  6319 calculated cell(s) written as values instead of formulas\n\
                 not done (the output is not ready for upload until you do it):\n  \
                 MA Premium: Section V (working-model text) not removed: {reason}, which is \
                 not the section's heading or text (only text in its columns B-C is); delete \
                 it from the finalized file before upload\nedits:\n"
            )),
            "{cell}: {out}"
        );
        assert!(
            out.contains("MA Benchmark: county-level rows sorted"),
            "{cell}: {out}"
        );
        let after = cells(&m.path("final.xlsx"));
        assert_eq!(
            after["MA Premium"][&CellRef::parse(cell).unwrap()],
            shown,
            "{cell}: the value is kept"
        );
        // The section is kept whole: heading, note, line numbers, note 1.
        assert_eq!(
            after["MA Premium"]
                .keys()
                .filter(|c| (62..=68).contains(&c.row) && c.col < 12)
                .count(),
            8,
            "{cell}: Section V is still there"
        );
    }
}

/// A blank field is not placed "certain" on an unrelated value far right
/// of its label: a remark typed in M66, beside WS6 Section V's blank note 2
/// (the first value within 16 cells right of its label "2" at B66), while
/// the section's one other value, note 1, sits right next to its label.
/// Note 2 stays at C66, inferred, and `finalize` keeps the section for
/// the remark instead of deleting it as note 2.
#[test]
fn template_map_does_not_take_a_far_value_for_a_blank_field() {
    let m = mapped_typed(
        "cms-grid",
        SAMPLES[0],
        |_| {},
        |_| {},
        &[(
            "MA Premium",
            "M66",
            bpt::package::Scalar::Text("see the filing memo".into()),
        )],
    );
    let proposed = std::fs::read_to_string(m.path(&m.overlay)).unwrap();
    let line: Vec<&str> = proposed
        .lines()
        .filter(|l| l.contains("ws6.working_model.note2"))
        .collect();
    assert_eq!(
        line,
        [
            "# ws6.working_model.note2 at the sheet's offset (inferred: blank cell right of \"2\" \
             at B66, at its section's label offset (the value at M66 sits further from its label \
             than the sheet's values do))"
        ],
        "{proposed}"
    );
    assert_eq!(
        m.proposed()
            .field("ws6.working_model.note2")
            .unwrap()
            .address(),
        "MA Premium!C66"
    );
    let (code, out, err) = m.run(&["finalize", &m.wb, "-o", "final.xlsx"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "  MA Premium: Section V (working-model text) not removed: MA Premium!M66 on its \
             rows holds \"see the filing memo\", which is not the section's heading or text \
             (only text in its columns B-C is); delete it from the finalized file before \
             upload\n"
        ),
        "{out}"
    );
    assert_eq!(
        cells(&m.path("final.xlsx"))["MA Premium"][&CellRef::parse("M66").unwrap()],
        "see the filing memo"
    );
}

/// A blank field the map cannot tell is ambiguous, with its candidates,
/// never guessed: WS4 Sections IV and V hold no value, and here the
/// sheet's other sections disagree on how far a value sits from its label
/// (Section III's labels stand two columns further left than elsewhere).
#[test]
fn template_map_calls_a_blank_field_ambiguous_when_the_sheet_disagrees() {
    let f = foreign("cms-grid", FOREIGN[0].sample);
    let dir = tempfile::tempdir().unwrap();
    make_full(
        &f,
        dir.path(),
        |l| {
            let s = l
                .sheets
                .iter_mut()
                .find(|s| s.name == "MA Pricing")
                .unwrap();
            // Section III of WS4: base rows 112-129, two rows down here.
            for t in s
                .texts
                .iter_mut()
                .filter(|t| (113..=130).contains(&t.cell.row))
            {
                t.cell = CellRef::new(t.cell.row, t.cell.col.saturating_sub(2));
            }
        },
        |_| {},
    );
    let (code, out, err): (i32, String, String) = common::bpt_in(
        Some(dir.path()),
        &["template", "map", "cms-grid.xlsx", "-o", "proposed.toml"],
    )
    .into();
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "ambiguous:\n  ws4.egwp.additional_pmpm: blank cell right of \"PMPM for Additional \
             (Unspecified) Mandatory Supplemental Benefits\" at E133; its section has no value \
             and the sheet's other sections keep their values at different distances from \
             their labels (candidates: MA Pricing!K133, MA Pricing!M133)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\n  ws4.medicaid.cost: blank cell right of"),
        "{out}"
    );
    assert!(
        out.contains("\n  ws4.medicaid.revenue: blank cell right of"),
        "{out}"
    );
    // The overlay still loads: the three are parked, and said to be.
    let text = std::fs::read_to_string(dir.path().join("proposed.toml")).unwrap();
    assert!(
        text.contains("\"ws4.egwp.additional_pmpm\" = ") && text.contains("ambiguous"),
        "{text}"
    );
    Layout::from_toml(&text).expect("the proposal loads");
}
