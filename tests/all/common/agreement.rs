//! The template's Excel formulas against the Rust engine, through
//! LibreOffice: shared by the MA and MSA agreement tests.
//!
//! Each bid's inputs are written into the form with every calculated cell
//! holding a deliberately wrong cached value; LibreOffice Calc headless
//! recalculates on load and saves; the recalculated values are read back and
//! every calculated cell compared with the engine (rounded cells exactly,
//! others within 1e-6). Not one stale value may survive.

use bpt::diff;
use bpt::reader;
use bpt::template::{Kind, Layout, Role};
use bpt::value::{Value, Values};
use bpt::writer::{self, WriteOptions};
use rust_decimal_macros::dec;

/// A cached value no formula of the form produces.
const STALE: rust_decimal::Decimal = dec!(-987654.25);

fn stale_inputs(layout: &Layout, full: &Values) -> Values {
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

/// Checks every bid (name, complete values) of one form; panics listing
/// every disagreement.
pub fn check(layout: &Layout, bids: Vec<(String, Values)>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for (name, full) in bids {
        let inputs = stale_inputs(layout, &full);
        let bytes = writer::write_form(layout, &inputs, &WriteOptions::default())
            .unwrap_or_else(|e| panic!("{}: write: {e}", name));
        let src = dir.path().join(format!("{}-in.xlsx", name));
        std::fs::write(&src, bytes).expect("write input");
        let outdir = dir.path().join(format!("{}-lo", name));
        std::fs::create_dir_all(&outdir).expect("outdir");
        let converted = super::soffice_convert(&src, &outdir, super::TO_XLSX)
            .unwrap_or_else(|e| panic!("{}: LibreOffice: {e}", name));
        let bid = reader::read_bid(&converted)
            .unwrap_or_else(|e| panic!("{}: reading LibreOffice's output: {e}", name));
        let engine = bpt::form::recalc(&bpt::form::compiled(layout).expect("compile"), &inputs);
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
            name
        );
        let mismatches = diff::compare_calc(
            layout,
            &bid.values,
            &engine.values,
            Some(&engine.pre_round),
            diff::DEFAULT_TOLERANCE,
        );
        for m in mismatches {
            let f = layout.field(&m.field).expect("field");
            failures.push(format!(
                "{}: {}!{} {} — LibreOffice {} vs engine {}{} — formula {}",
                name,
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
