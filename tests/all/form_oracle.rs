//! The evaluator (`bpt::form`) against two oracles, on every shipped sample
//! and broken twin:
//!
//! * LibreOffice's recalculation of each, committed in `tests/oracle/`
//!   (regenerate with `cargo test --test oracle_regenerate -- --ignored`):
//!   every calculated cell must agree, with or without `soffice`;
//! * the workbook's own formulas through `bpt recalc` and `bpt diff`.

use crate::common;

use bpt::form::Evaluation;
use bpt::reader;
use bpt::value::Value;
use common::oracle::{self, agrees, form_of};

#[test]
fn evaluator_agrees_with_libreoffice_on_every_calculated_cell_of_every_sample() {
    let mut failures = Vec::new();
    let mut cells = 0usize;
    for rel in oracle::samples() {
        let bid = reader::read_bid(&oracle::root().join(&rel)).expect("read sample");
        let o = oracle::load(&rel);
        assert_eq!(o.template, bid.layout.form.id, "{}", rel.display());
        let form = form_of(bid.layout);
        let ev = Evaluation::from_values(form, &bid.values);
        let calculated: Vec<_> = bid
            .layout
            .fields
            .iter()
            .filter(|f| f.role.is_calculated())
            .collect();
        assert_eq!(
            o.cells.len(),
            calculated.len(),
            "{}: the oracle is stale (regenerate it)",
            rel.display()
        );
        for f in calculated {
            let lo = o
                .cells
                .get(&f.id)
                .unwrap_or_else(|| panic!("{}: {} missing from the oracle", rel.display(), f.id));
            let ours = ev.value(form.id(&f.id).expect("id"));
            cells += 1;
            if !agrees(bid.layout, &f.id, lo, &ours) {
                failures.push(format!(
                    "{}: {} {}: LibreOffice {lo:?}, evaluator {ours:?} — {}",
                    rel.display(),
                    f.address(),
                    f.id,
                    f.formula_src.as_deref().unwrap_or("")
                ));
            }
        }
    }
    assert!(cells > 100_000, "only {cells} cells compared");
    assert!(
        failures.is_empty(),
        "{} of {cells} calculated cells disagree with LibreOffice:\n{}",
        failures.len(),
        failures[..failures.len().min(60)].join("\n")
    );
}

/// `bpt recalc` and `bpt diff FILE` evaluate the workbook's own formulas:
/// a plan type typed `"RPPO "` is not the RPPO of the formulas (Excel does
/// not trim), so the rebate is the workbook's $30.21 (the removed
/// hand-written engine gave $20.94), and a workbook whose cached values are its formulas' results
/// shows no difference.
#[test]
fn recalc_and_diff_evaluate_the_workbook_formulas() {
    let bid = reader::read_bid(&oracle::root().join("sample-bids/rppo-region13-2013.xlsx"))
        .expect("read sample");
    let layout = bid.layout;
    let form = form_of(layout);
    let mut v = bid.values.clone();
    for f in layout
        .fields
        .iter()
        .filter(|f| f.role == bpt::template::Role::Default)
    {
        v.set(f.id.clone(), Value::Empty);
    }
    v.set("ws1.general.plan_type", Value::Text("RPPO ".into()));
    let ev = Evaluation::from_values(form, &v);
    for f in layout.fields.iter().filter(|f| f.role.is_calculated()) {
        v.set(f.id.clone(), ev.value(form.id(&f.id).expect("id")));
    }
    let bytes = bpt::writer::write_form(layout, &v, &Default::default()).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("rppo-space.xlsx");
    std::fs::write(&p, bytes).expect("write");
    let path = p.to_str().unwrap();

    let (code, out, err) = common::bpt(&["recalc", path, "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["ws5.savings.rebate"], "30.21");
    assert_eq!(j["ws5.savings.savings"], "42.16");
    assert_eq!(j["ws6.allocation.unallocated"], "9.27");
    assert_eq!(j["ws2.general.plan_type"], "RPPO ");

    let (code, out, err) = common::bpt(&["diff", path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("every calculated cell matches"), "{out}");

    // `validate` judges the workbook's own figures: its rebate is the
    // formulas' $30.21, and no calculated cell is reported as a mismatch.
    let (_, out, err) = common::bpt(&["validate", path, "--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&out).expect(&err);
    let file = &j["files"][0];
    assert_eq!(file["figures"]["rebate"], "30.21", "{out}");
    let v003: Vec<&serde_json::Value> = file["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "V003")
        .collect();
    assert_eq!(v003, Vec::<&serde_json::Value>::new());
}
