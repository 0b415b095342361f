//! The evaluator against LibreOffice on edited bids, live: the cases where
//! the removed hand-written engine and the workbook's own formulas disagreed
//! (the documented corrections in CHANGELOG.md). Each edit is written into a
//! fresh form, recalculated by LibreOffice, and every calculated cell
//! compared with the evaluator.

use crate::common;

use bpt::form::Evaluation;
use bpt::reader;
use bpt::value::Value;
use common::oracle::{self, agrees, form_of};

struct Edit {
    name: &'static str,
    sample: &'static str,
    set: Vec<(String, Value)>,
    /// A field the removed hand-written engine got wrong on this edit (the
    /// evaluator must agree with LibreOffice there).
    old_wrong_at: &'static str,
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn edits() -> Vec<Edit> {
    let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    let professional = layout
        .fields
        .iter()
        .find(|f| {
            f.id.starts_with("ws3.cost_sharing.category[")
                && f.value.as_deref() == Some("Professional")
        })
        .expect("a Professional row")
        .id
        .clone();
    vec![
        Edit {
            name: "blank-contract-and-segment",
            sample: "hmo-mapd-2013.xlsx",
            set: vec![
                ("ws1.general.contract_number".into(), Value::Empty),
                ("ws1.general.segment_id".into(), Value::Empty),
            ],
            old_wrong_at: "ws2.general.segment_id",
        },
        Edit {
            name: "rppo-plan-type-trailing-space",
            sample: "rppo-region13-2013.xlsx",
            set: vec![("ws1.general.plan_type".into(), text("RPPO "))],
            old_wrong_at: "ws5.savings.rebate",
        },
        Edit {
            name: "low-trailing-space",
            sample: "hmo-mapd-2013.xlsx",
            set: vec![
                ("ws5.quality.star_rating".into(), Value::Number(3.into())),
                ("ws5.quality.new_low".into(), text("Low ")),
            ],
            old_wrong_at: "ws5.quality.rebate_pct",
        },
        Edit {
            name: "professional-trailing-space",
            sample: "hmo-mapd-2013.xlsx",
            set: vec![(professional, text("Professional "))],
            old_wrong_at: "ws4.all.mc_net[i]",
        },
        Edit {
            name: "star-rating-typed-as-text",
            sample: "hmo-mapd-2013.xlsx",
            set: vec![("ws5.quality.star_rating".into(), text("four"))],
            old_wrong_at: "ws5.quality.rebate_pct",
        },
    ]
}

#[test]
fn evaluator_agrees_with_libreoffice_on_edited_bids_where_the_old_engine_did_not() {
    if !common::soffice_required() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for e in edits() {
        let bid = reader::read_bid(&oracle::root().join("sample-bids").join(e.sample))
            .expect("read sample");
        // The samples overwrite no `default` cell: their cached values are
        // the formulas' results before the edit, so they are dropped (the
        // formulas decide, in LibreOffice as in both engines).
        let overrides = bpt::app::default_overrides(&bid);
        let mut values = bid.values.clone();
        for f in &bid.layout.fields {
            if f.role == bpt::template::Role::Default && !overrides.contains(&f.id) {
                values.set(f.id.clone(), Value::Empty);
            }
        }
        for (id, v) in &e.set {
            assert!(bid.layout.field(id).is_some(), "{}: no field {id}", e.name);
            values.set(id.clone(), v.clone());
        }
        let lo = oracle::libreoffice_recalc(bid.layout, &values, overrides, dir.path(), e.name);
        let form = form_of(bid.layout);
        let ev = Evaluation::from_values(form, &values);
        for (id, cell) in &lo {
            let ours = ev.value(form.id(id).expect("id"));
            if !agrees(bid.layout, id, cell, &ours) {
                failures.push(format!(
                    "{}: {id}: LibreOffice {cell:?}, evaluator {ours:?}",
                    e.name
                ));
            }
        }
        assert!(
            lo.iter().any(|(id, _)| id == e.old_wrong_at),
            "{}: LibreOffice did not recalculate {}",
            e.name,
            e.old_wrong_at
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
