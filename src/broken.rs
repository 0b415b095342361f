//! Broken twins of the sample bids: for every rule family, a bid made from a
//! valid sample by one described edit, which triggers that rule and no error
//! unrelated to the edit (where the edit necessarily breaks a second rule,
//! the description names it).
//!
//! An edit to an input is followed by a recalculation, so every calculated
//! cell agrees with the edited inputs (no stray V003). Twins of the V family
//! edit a calculated cell after the recalculation, as a user typing over a
//! formula would.
//!
//! ```no_run
//! for t in bpt::broken::twins() {
//!     let (values, _layout) = bpt::broken::make(&t).unwrap();
//!     println!("{} ({}): {}", t.name, t.rule, t.description);
//! #   let _ = values;
//! }
//! ```

use crate::sample;
use crate::template::Layout;
use crate::value::{Invalid, Value, Values};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// One broken twin.
pub struct Twin {
    /// File stem under `sample-bids/broken/`.
    pub name: &'static str,
    /// The valid sample it is made from.
    pub base: &'static str,
    /// The rule it triggers.
    pub rule: &'static str,
    /// The edit, in words.
    pub description: &'static str,
    /// Edit applied to the inputs (then everything is recalculated).
    pub edit_inputs: fn(&mut Values),
    /// Edit applied after the recalculation (calculated cells typed over).
    pub edit_after: fn(&mut Values),
}

fn none(_: &mut Values) {}

fn text(v: &mut Values, id: &str, s: &str) {
    v.set(id, Value::Text(s.into()));
}

fn add(v: &mut Values, id: &str, d: Decimal) {
    let x = v.num(id).unwrap_or_default();
    v.set_num(id, x + d);
}

/// Every broken twin, in rule order.
pub fn twins() -> Vec<Twin> {
    vec![
        Twin {
            name: "a004-unallocated-rebate",
            base: "hmo-mapd-2013",
            rule: "A004",
            description: "WS6 Sec II C line 2 (other A/B mandatory supplemental benefits) lowered by $0.05: five cents of the MA rebate are left unallocated.",
            edit_inputs: |v| add(v, "ws6.rebate_input.other_supplemental", dec!(-0.05)),
            edit_after: none,
        },
        Twin {
            name: "a003-part-d-on-ma-only",
            base: "pffs-ma-only-2013",
            rule: "A003",
            description: "WS6 line 8a: a Part D supplemental premium of $5.00 entered on an MA-only PFFS plan.",
            edit_inputs: |v| v.set_num("ws6.premium.part_d_supp_before", dec!(5)),
            edit_after: none,
        },
        Twin {
            name: "c003-plans-in-base-total",
            base: "hmo-mapd-2013",
            rule: "C003",
            description: "WS1 Sec II line 5: the member months of the last plan in base lowered by 100, so the plans no longer add to line 2.",
            edit_inputs: |v| {
                let last = ["h", "g", "f", "e", "d", "c", "b", "a"]
                    .into_iter()
                    .find(|k| v.num(&format!("ws1.plans_in_base.mm[{k}]")).is_some())
                    .unwrap_or("a");
                add(v, &format!("ws1.plans_in_base.mm[{last}]"), dec!(-100));
            },
            edit_after: none,
        },
        Twin {
            name: "d003-manual-rate-undescribed",
            base: "new-plan-manual-2013",
            rule: "D003",
            description: "WS2 line u (manual rate description) cleared on a plan priced at 0 % credibility.",
            edit_inputs: |v| v.set("ws2.manual.description", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "d008-zero-cost-sharing-undescribed",
            base: "hmo-mapd-2013",
            rule: "D008",
            description: "WS3 line c1, column h: the in-network description of home health (`(6a) $0 home health`) cleared, as if a service category without cost sharing needed none; home health is priced on WS2.",
            edit_inputs: |v| v.set("ws3.cost_sharing.in_desc[c1]", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "f001-contract-number",
            base: "hmo-mapd-2013",
            rule: "F001",
            description: "WS1 line 1: contract number entered as `H123` (three digits).",
            edit_inputs: |v| text(v, "ws1.general.contract_number", "H123"),
            edit_after: none,
        },
        Twin {
            name: "f016-duplicate-county",
            base: "osb-many-counties-2013",
            rule: "F016",
            description: "WS5 Sec VI: the second county row's code changed to the first row's code.",
            edit_inputs: |v| {
                if let Some(Value::Text(c)) = Some(v.get("ws5.county.code[1]").clone()) {
                    text(v, "ws5.county.code[2]", &c);
                }
            },
            edit_after: none,
        },
        Twin {
            name: "f024-hmo-combined-oop",
            base: "hmo-mapd-2013",
            rule: "F024",
            description: "WS3 Sec II line 3: an HMO answers Yes to the combined OOP maximum, with the in-network maximum of $3,400 entered again as the combined amount (an HMO answers No).",
            edit_inputs: |v| {
                text(v, "ws3.oop.combined", "Yes");
                v.set_num("ws3.oop.combined_amount", dec!(3400));
            },
            edit_after: none,
        },
        Twin {
            name: "f025-paid-through-blank",
            base: "hmo-mapd-2013",
            rule: "F025",
            description: "WS1 Sec II line 1: the paid-through date left blank on a plan with 120,000 base period member months.",
            edit_inputs: |v| v.set("ws1.base_period.paid_through", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "m002-cob-cost-sharing",
            base: "hmo-mapd-2013",
            rule: "M002",
            description: "WS1 Sec III line r: net PMPM of COB/subrogation differs from its allowed PMPM by $0.40 (cost sharing on COB).",
            edit_inputs: |v| {
                let i = v.num("ws1.base.allowed_pmpm[r]").unwrap_or_default();
                v.set_num("ws1.base.net_pmpm[r]", i - dec!(0.40));
            },
            edit_after: none,
        },
        Twin {
            name: "m010-de-total-tolerance",
            base: "new-plan-manual-2013",
            rule: "M010",
            description: "WS2 line a, column k: the manual inpatient allowed PMPM raised by $60.00 without changing the non-DE#/DE# columns, so the blended total is $60 away from their weighted average (line a itself is then beyond its $0.05 tolerance: M011 too).",
            edit_inputs: |v| add(v, "ws2.allowed.man_allowed[a]", dec!(60)),
            edit_after: none,
        },
        Twin {
            name: "p005-no-plan-intention",
            base: "hmo-mapd-2013",
            rule: "P005",
            description: "WS6 R47 (plan intention for the target Part D basic premium) cleared on an MA-PD plan.",
            edit_inputs: |v| v.set("ws6.premium.plan_intention", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "r004-oon-blank",
            base: "hmopos-oon-2013",
            rule: "R004",
            description: "WS2 line i, column r (percentage out-of-network) left blank instead of a percentage.",
            edit_inputs: |v| v.set("ws2.allowed.oon_pct[i]", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "msa-h002-deductible-over-limit",
            base: "msa-2013",
            rule: "H002",
            description: "MSA WS1: the plan deductible entered as $10,600.01, above the CY2013 limit of $10,600 (intervals 6–10 then lie below the deductible yet still enter claims over it: H009 on each).",
            edit_inputs: |v| v.set_num("msa.ws1.general.deductible", dec!(10600.01)),
            edit_after: none,
        },
        Twin {
            name: "msa-h004-nbe-blank",
            base: "msa-2013",
            rule: "H004",
            description: "MSA WS4 line b (non-benefit expense) left blank to mean zero.",
            edit_inputs: |v| v.set("msa.ws4.summary.nbe", Value::Empty),
            edit_after: none,
        },
        Twin {
            name: "msa-h006-intervals-not-100",
            base: "msa-2013",
            rule: "H006",
            description: "MSA WS4: the first claim interval's share of member months raised by one point, so the shares add to 101 % (and the intervals' gross claims no longer add to WS2's total: H008).",
            edit_inputs: |v| add(v, "msa.ws4.claims.pct_mm[1]", dec!(0.01)),
            edit_after: none,
        },
        Twin {
            name: "v001-invalid-total-premium",
            base: "hmo-mapd-2013",
            rule: "V001",
            description: "WS6 Sec IIIC line 9 (total plan premium) holds #DIV/0! in place of its formula.",
            edit_inputs: none,
            edit_after: |v| {
                v.set(
                    "ws6.premium.total_plan_premium",
                    Value::Invalid(Invalid {
                        sheet: String::new(),
                        cell: String::new(),
                        raw: "#DIV/0!".into(),
                        expected: "a dollar amount".into(),
                        original: None,
                    }),
                )
            },
        },
        Twin {
            name: "v003-plan-bid-typed-over",
            base: "hmo-mapd-2013",
            rule: "V003",
            description: "WS5 line 7 (plan A/B bid) typed over with a value $1.00 above WS4's revenue requirement.",
            edit_inputs: none,
            edit_after: |v| add(v, "ws5.bid.plan_bid", dec!(1)),
        },
    ]
}

/// The values of a broken twin and the form they fill: the base sample's
/// entered values, the edit, a recalculation of every calculated cell, then
/// the after-edit. The base names an MA or an MSA sample.
pub fn make(t: &Twin) -> Result<(Values, &'static Layout), String> {
    let (layout, all) = if let Some(p) = sample::profile(t.base) {
        let l = crate::template::builtin_cached("ma-bpt-2013").map_err(|e| e.to_string())?;
        (l, sample::generate(&p, l))
    } else if let Some(p) = crate::msa_sample::profile(t.base) {
        let l = crate::template::builtin_cached("msa-bpt-2013").map_err(|e| e.to_string())?;
        (l, crate::msa_sample::generate(&p, l))
    } else {
        return Err(format!("no sample profile `{}`", t.base));
    };
    let mut inputs = layout.entered_values(&all);
    (t.edit_inputs)(&mut inputs);
    let mut out = sample::finish(layout, inputs);
    (t.edit_after)(&mut out);
    Ok((out, layout))
}
