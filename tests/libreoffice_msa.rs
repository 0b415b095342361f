//! The MSA template's Excel formulas and the Rust engine agree.
//!
//! As `libreoffice_recalc.rs` for the MA form, on the MSA BPT
//! (`msa-bpt-2013`, Appendix H). For every shipped MSA sample profile: write the bid's inputs into the form
//! with every calculated cell holding a deliberately wrong cached value,
//! have LibreOffice Calc headless recalculate it on load and save it, read
//! the recalculated values back, and compare every calculated cell with the
//! engine (rounded cells exactly, others within 1e-6). The stale cached
//! values prove LibreOffice really recalculated: not one may survive.

mod common;

use bpt::calc;
use bpt::diff;
use bpt::msa_sample;
use bpt::reader;
use bpt::template::{self, Kind, Role};
use bpt::value::{Value, Values};
use bpt::writer::{self, WriteOptions};
use rust_decimal_macros::dec;

/// A cached value no formula of the form produces.
const STALE: rust_decimal::Decimal = dec!(-987654.25);

fn stale_inputs(layout: &template::Layout, full: &Values) -> Values {
    let mut v = Values::default();
    for f in &layout.fields {
        if f.role.is_entered() {
            v.set(f.id.clone(), full.get(&f.id).clone());
        } else if f.role == Role::Calc {
            let stale = if f.kind.is_numeric() {
                Value::Number(STALE)
            } else if f.kind == Kind::Date {
                Value::Empty
            } else {
                Value::Text("stale".into())
            };
            v.set(f.id.clone(), stale);
        }
    }
    v
}

#[test]
fn msa_formulas_and_engine_agree_on_every_sample() {
    if !common::soffice_required() {
        return;
    }
    let layout = template::builtin("msa-bpt-2013").expect("template");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for p in msa_sample::profiles() {
        let full = msa_sample::generate(&p, &layout);
        let inputs = stale_inputs(&layout, &full);
        let bytes = writer::write_form(&layout, &inputs, &WriteOptions::default())
            .unwrap_or_else(|e| panic!("{}: write: {e}", p.name));
        let src = dir.path().join(format!("{}-in.xlsx", p.name));
        std::fs::write(&src, bytes).expect("write input");
        let outdir = dir.path().join(format!("{}-lo", p.name));
        std::fs::create_dir_all(&outdir).expect("outdir");
        let converted = common::soffice_convert(&src, &outdir, common::TO_XLSX)
            .unwrap_or_else(|e| panic!("{}: LibreOffice: {e}", p.name));
        let bid = reader::read_bid(&converted)
            .unwrap_or_else(|e| panic!("{}: reading LibreOffice's output: {e}", p.name));
        let engine = calc::recalc(&layout, &inputs);
        assert!(
            engine.stray.is_empty(),
            "{}: stray ids {:?}",
            p.name,
            engine.stray
        );
        let stale_left = layout
            .fields
            .iter()
            .filter(|f| f.role == Role::Calc)
            .filter(|f| {
                bid.values.num(&f.id) == Some(STALE) || bid.values.text(&f.id) == Some("stale")
            })
            .count();
        assert_eq!(
            stale_left, 0,
            "{}: LibreOffice did not recalculate every cell",
            p.name
        );
        let mismatches = diff::compare_calc(
            &layout,
            &bid.values,
            &engine.values,
            Some(&engine.pre_round),
            diff::DEFAULT_TOLERANCE,
        );
        for m in mismatches {
            let f = layout.field(&m.field).expect("field");
            failures.push(format!(
                "{}: {}!{} {} — LibreOffice {} vs engine {}{} — formula {}",
                p.name,
                m.sheet,
                m.cell,
                m.field,
                m.submitted.display(),
                m.recomputed.display(),
                m.note.map(|n| format!(" ({n})")).unwrap_or_default(),
                f.formula.as_deref().unwrap_or("")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} calculated cells disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
