//! The evaluator (`bpt::form`) against two oracles, on every shipped sample
//! and broken twin:
//!
//! * LibreOffice's recalculation of each, committed in `tests/oracle/`
//!   (regenerate with `cargo test --test oracle_regenerate -- --ignored`):
//!   every calculated cell must agree, with or without `soffice`;
//! * the old hand-written engine (`bpt::calc`), which must agree on every
//!   calculated cell except where it is known to be wrong (listed below).

use crate::common;

use bpt::form::Evaluation;
use bpt::reader;
use bpt::template::Layout;
use bpt::value::Value;
use common::oracle::{self, agrees, form_of};
use rust_decimal::Decimal;

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

/// Far below a cent, far above rust_decimal's last digit on these amounts.
const LAST_PLACES: Decimal = rust_decimal_macros::dec!(0.000000000000000001);

/// Calculated cells where the old engine and the evaluator differ, as
/// `id: old vs new` lines.
fn engine_differences(layout: &Layout, values: &bpt::value::Values) -> Vec<String> {
    let form = form_of(layout);
    let old = bpt::calc::recalc(layout, values);
    let new = Evaluation::from_values(form, values);
    let mut out = Vec::new();
    for f in layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let id = form.id(&f.id).expect("id");
        let a = old.values.get(&f.id);
        let b = new.value(id);
        // The engines add and divide in different orders: rust_decimal's 28
        // significant digits may differ in the last place.
        let same = match (a, &b) {
            (Value::Number(x), Value::Number(y)) => (*x - *y).abs() <= LAST_PLACES,
            _ => *a == b,
        };
        if !same && known_old_engine_error(f, a, &b).is_none() {
            out.push(format!("{} {}: old {a:?} vs new {b:?}", f.address(), f.id));
        }
    }
    out
}

/// Where the old engine is known to be wrong (the workbook's formulas, in
/// LibreOffice and Excel, give the evaluator's value; see
/// `tests/form_libreoffice.rs` and CHANGELOG.md): why, or `None`.
fn known_old_engine_error(
    f: &bpt::template::Field,
    old: &Value,
    new: &Value,
) -> Option<&'static str> {
    let src = f.formula_src.as_deref().unwrap_or("").trim();
    let bare_reference =
        src.starts_with('{') && src.ends_with('}') && src.matches('{').count() == 1;
    let zero = matches!(new, Value::Number(d) if d.is_zero()) || *new == Value::Text("0".into());
    if bare_reference && old.is_empty() && zero {
        return Some("`=WS1!D5` of a blank cell is 0, not blank");
    }
    None
}

#[test]
fn evaluator_agrees_with_the_old_engine_on_every_sample_and_twin() {
    let mut failures = Vec::new();
    for rel in oracle::samples() {
        let bid = reader::read_bid(&oracle::root().join(&rel)).expect("read sample");
        for d in engine_differences(bid.layout, &bid.values) {
            failures.push(format!("{}: {d}", rel.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures[..failures.len().min(80)].join("\n")
    );
}

mod generated {
    use super::*;
    use bpt::{msa_sample, sample, template};
    use proptest::prelude::*;

    fn d(x: u32, scale: u32) -> Decimal {
        Decimal::new(i64::from(x), scale)
    }

    /// Clears the entered fields picked by `picks` (indices into the set
    /// entered fields, in id order).
    fn clear(layout: &Layout, v: &mut bpt::value::Values, picks: &[usize]) -> Vec<String> {
        let entered: Vec<String> = v
            .iter()
            .filter(|(id, _)| layout.field(id).is_some_and(|f| f.role.is_entered()))
            .map(|(id, _)| id.to_string())
            .collect();
        let mut cleared = Vec::new();
        for p in picks {
            let id = &entered[p % entered.len()];
            v.set(id.clone(), Value::Empty);
            cleared.push(id.clone());
        }
        cleared
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

        #[test]
        fn ma_bids(
            which in 0usize..12,
            mm in 2_000u32..400_000,
            cost in 800u32..1_250,
            risk in 800u32..1_400,
            star in 2u32..11,
            margin in 0u32..4_000,
            new_low in 0usize..4,
            picks in proptest::collection::vec(any::<usize>(), 0..6),
        ) {
            let layout = template::builtin_cached("ma-bpt-2013").unwrap();
            let profiles = sample::profiles();
            let mut p = profiles[which % profiles.len()].clone();
            p.projected_mm = Decimal::from(mm);
            p.cost_level = d(cost, 3);
            p.risk = d(risk, 3);
            p.star = (Decimal::from(star) / Decimal::TWO).max(Decimal::ONE);
            p.margin = d(margin, 2);
            p.new_low = ["", "Low", "New contract under new parent org", "new"][new_low];
            let mut v = sample::generate(&p, layout);
            let cleared = clear(layout, &mut v, &picks);
            let diffs = engine_differences(layout, &v);
            prop_assert!(diffs.is_empty(), "cleared {:?}:\n{}", cleared, diffs.join("\n"));
        }

        #[test]
        fn msa_bids(
            which in 0usize..4,
            mm in 2_000u32..400_000,
            cost in 800u32..1_250,
            risk in 800u32..1_400,
            margin in 0u32..4_000,
            picks in proptest::collection::vec(any::<usize>(), 0..6),
        ) {
            let layout = template::builtin_cached("msa-bpt-2013").unwrap();
            let profiles = msa_sample::profiles();
            let mut p = profiles[which % profiles.len()].clone();
            p.projected_mm = Decimal::from(mm);
            p.cost_level = d(cost, 3);
            p.risk = d(risk, 3);
            p.margin = d(margin, 2);
            let mut v = msa_sample::generate(&p, layout);
            let cleared = clear(layout, &mut v, &picks);
            let diffs = engine_differences(layout, &v);
            prop_assert!(diffs.is_empty(), "cleared {:?}:\n{}", cleared, diffs.join("\n"));
        }
    }
}

/// `bpt recalc` and `bpt diff FILE` evaluate the workbook's own formulas:
/// a plan type typed `"RPPO "` is not the RPPO of the formulas (Excel does
/// not trim), so the rebate is the workbook's $30.21, not the old engine's
/// $20.94, and a workbook whose cached values are its formulas' results
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
    assert_eq!(
        bpt::calc::recalc(layout, &v)
            .values
            .num("ws5.savings.rebate"),
        Some(rust_decimal_macros::dec!(20.94))
    );

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
