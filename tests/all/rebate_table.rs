//! The CY2013 rebate percentage and QBP percentage (WS5 Sec V lines 1–3)
//! against the table of the instructions ("Affordable Care Act and Quality
//! Bonus Payment Demonstration", lines 174–205 of the seed): every row, the
//! 3.0-star exceptions, and the low-enrollment contract and the new contract
//! under a new parent organization whose star rating CMS leaves blank —
//! they "received three stars for QBP purposes".
//!
//! Each case is the shipped HMO sample with the star rating, new/low
//! indicator and plan type edited, evaluated by the template's formulas
//! (`bpt::form`, what `bpt validate` uses); it must agree with the table.

use bpt::form::{self, Evaluation};
use bpt::sample;
use bpt::template;
use bpt::value::{Value, Values};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const NEW_PARENT: &str = "New contract under new parent org";
const NEW_EXISTING: &str = "New contract under existing parent org";

/// The HMO sample's entered values with the quality inputs replaced.
fn inputs(star: Option<Decimal>, new_low: &str, plan_type: &str) -> Values {
    let layout = template::builtin_cached("ma-bpt-2013").unwrap();
    let p = sample::profile("hmo-mapd-2013").unwrap();
    let mut v = layout.entered_values(&sample::generate(&p, layout));
    v.set(
        "ws5.quality.star_rating",
        star.map_or(Value::Empty, Value::Number),
    );
    v.set(
        "ws5.quality.new_low",
        if new_low.is_empty() {
            Value::Empty
        } else {
            Value::Text(new_low.into())
        },
    );
    v.set("ws1.general.plan_type", Value::Text(plan_type.into()));
    v
}

/// (rebate %, QBP %, rebate PMPM) by the template's formulas.
fn both(v: &Values) -> [(Decimal, Decimal, Decimal); 1] {
    let layout = template::builtin_cached("ma-bpt-2013").unwrap();
    let f = form::cached(layout).unwrap();
    let new = Evaluation::from_values(f, v).calculated();
    let pick = |x: &Values| {
        let n = |id: &str| x.num(id).unwrap_or_else(|| panic!("{id} is not a number"));
        (
            n("ws5.quality.rebate_pct").round_dp(6),
            n("ws5.quality.qbp_pct"),
            n("ws5.savings.rebate"),
        )
    };
    [pick(&new)]
}

#[test]
fn every_row_of_the_instructions_table() {
    let hi = dec!(0.733333);
    let mid = dec!(0.716667);
    let lo = dec!(0.666667);
    // star rating, new/low indicator, plan type → rebate %, QBP %
    let rows: &[(Option<Decimal>, &str, &str, Decimal, Decimal)] = &[
        (Some(dec!(5.0)), "", "HMO", hi, dec!(0.05)),
        (Some(dec!(4.5)), "", "HMO", hi, dec!(0.04)),
        (Some(dec!(4.0)), "", "HMO", mid, dec!(0.04)),
        (Some(dec!(3.5)), "", "HMO", mid, dec!(0.035)),
        (Some(dec!(3.0)), "", "HMO", lo, dec!(0.03)),
        (Some(dec!(2.5)), "", "HMO", lo, dec!(0)),
        // 3.0 stars, except for: …
        (Some(dec!(3.0)), "Low", "HMO", hi, dec!(0.03)),
        (Some(dec!(3.0)), NEW_PARENT, "HMO", mid, dec!(0.03)),
        (Some(dec!(3.0)), "", "ED PFFS", mid, dec!(0.03)),
        // … and the same two contracts with the rating CMS leaves blank:
        // "received three stars for QBP purposes".
        (None, "Low", "HMO", hi, dec!(0.03)),
        (None, NEW_PARENT, "HMO", mid, dec!(0.03)),
        (None, "low", "HMO", hi, dec!(0.03)),
        // A new contract under an existing parent organization has the
        // parent's average rating; blank, it is below 3.0 (R007 reports it).
        (None, NEW_EXISTING, "HMO", lo, dec!(0)),
        (None, "", "HMO", lo, dec!(0)),
        // An entered rating is the rating, whatever the indicator.
        (Some(dec!(4.5)), "Low", "HMO", hi, dec!(0.04)),
        (Some(dec!(2.5)), "Low", "HMO", lo, dec!(0)),
    ];
    let mut bad = Vec::new();
    for &(star, new_low, pt, rebate, qbp) in rows {
        for (engine, (r, q, _)) in ["template"].iter().zip(both(&inputs(star, new_low, pt))) {
            if (r, q) != (rebate, qbp) {
                bad.push(format!(
                    "{engine}: star {star:?}, `{new_low}`, {pt}: rebate {r}, QBP {q}; \
                     the table says {rebate}, {qbp}"
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The shipped HMO sample's savings priced as a low-enrollment contract with
/// a blank rating: 73⅓ % of the savings, $71.34 (66⅔ % would be $64.85).
#[test]
fn low_enrollment_with_a_blank_rating_on_the_hmo_sample() {
    for (r, q, rebate) in both(&inputs(None, "Low", "HMO")) {
        assert_eq!((r, q, rebate), (dec!(0.733333), dec!(0.03), dec!(71.34)));
    }
    for (_, _, rebate) in both(&inputs(Some(dec!(3.0)), "", "HMO")) {
        assert_eq!(rebate, dec!(64.85));
    }
}
