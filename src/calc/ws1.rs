//! WS1: base period experience and projection assumptions (instructions
//! lines 997–1344).
//!
//! Every value here is the template's formula for the cell, in exact
//! decimals: blanks count as zero, PMPMs and percentages are 0 when their
//! divisor is 0, nothing is rounded (the instructions round nothing on WS1).
use super::{Engine, div0, mul};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// The 26 MA regions of the regional PPO program, as the instructions list
/// them (WS1 Sec I line 10, lines 1086–1118); region `01` is index 0.
pub(crate) const MA_REGIONS: [&str; 26] = [
    "Northern New England (New Hampshire and Maine)",
    "Central New England (Connecticut, Massachusetts, Rhode Island, and Vermont)",
    "New York",
    "New Jersey",
    "Mid-Atlantic (Delaware, District of Columbia, and Maryland)",
    "Pennsylvania and West Virginia",
    "North Carolina and Virginia",
    "Georgia and South Carolina",
    "Florida",
    "Alabama and Tennessee",
    "Michigan",
    "Ohio",
    "Indiana and Kentucky",
    "Illinois and Wisconsin",
    "Arkansas and Missouri",
    "Louisiana and Mississippi",
    "Texas",
    "Kansas and Oklahoma",
    "Upper Midwest and Northern Plains (Iowa, Minnesota, Montana, Nebraska, North Dakota, South Dakota, and Wyoming)",
    "Colorado and New Mexico",
    "Arizona",
    "Nevada",
    "Northwest (Idaho, Oregon, Utah, and Washington)",
    "California",
    "Hawaii",
    "Alaska",
];

/// Excel's `VALUE(text)` for the plain numbers a Section I code holds
/// (`"01"`, `"800"`, `" 7 "`); `None` where Excel gives `#VALUE!`.
fn excel_value(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() || t.contains('_') {
        return None;
    }
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

/// Region name for a region number: the template's
/// `IF(r="","",IFERROR(CHOOSE(VALUE(r),…),""))`. CHOOSE truncates its index.
pub(crate) fn region_name(region: &str) -> &'static str {
    let Some(v) = excel_value(region) else {
        return "";
    };
    let i = v.trunc();
    if i < Decimal::ONE || i > Decimal::from(26) {
        return "";
    }
    i.to_usize()
        .and_then(|n| MA_REGIONS.get(n.wrapping_sub(1)))
        .copied()
        .unwrap_or("")
}

/// EGWP indicator for a plan ID: `IF(id="","",IF(IFERROR(VALUE(id),0)>=800,"Y","N"))`.
pub(crate) fn egwp(plan_id: &str) -> &'static str {
    if plan_id.is_empty() {
        return "";
    }
    match excel_value(plan_id) {
        Some(v) if v >= Decimal::from(800) => "Y",
        _ => "N",
    }
}

/// Sum of a column over the given row keys of a table (`SUM(range)`).
pub(super) fn sum_rows(e: &Engine<'_>, column: &str, keys: &[String]) -> Decimal {
    keys.iter().fold(Decimal::ZERO, |acc, k| {
        acc.saturating_add(e.get(&format!("{column}[{k}]")))
    })
}

/// Data rows `a` through `k` (the Medicare-covered lines, total line t).
pub(super) fn through_k(keys: &[String]) -> Vec<String> {
    match keys.iter().position(|k| k == "k") {
        Some(i) => keys[..=i].to_vec(),
        None => keys.to_vec(),
    }
}

/// Section I display fields: region name (line 13) and EGWP (line 15).
pub(super) fn general(e: &mut Engine<'_>) {
    let region = e.text("ws1.general.ma_region");
    e.set_text("ws1.general.region_name", region_name(&region));
    let plan_id = e.text("ws1.general.plan_id");
    e.set_text("ws1.general.egwp", egwp(&plan_id));
}

/// Sections II, III and VI.
pub(super) fn calc(e: &mut Engine<'_>) {
    base_period(e);
    base_data(e);
    summary(e);
}

/// Sec II: DE# member months and risk score (lines 2–3), line 5 total.
fn base_period(e: &mut Engine<'_>) {
    let mm_total = e.input("ws1.base_period.mm_total");
    let mm_non_de = e.input("ws1.base_period.mm_non_de");
    let mm_de = mm_total.saturating_sub(mm_non_de);
    e.set("ws1.base_period.mm_de", mm_de);
    let risk_total = e.input("ws1.base_period.risk_total");
    let risk_non_de = e.input("ws1.base_period.risk_non_de");
    let risk_de = div0(
        mul(risk_total, mm_total).saturating_sub(mul(risk_non_de, mm_non_de)),
        mm_de,
    );
    e.set("ws1.base_period.risk_de", risk_de);
    let plans = e.rows("ws1.plans_in_base");
    let total = sum_rows(e, "ws1.plans_in_base.mm", &plans);
    e.set("ws1.base_period.plans_total_mm", total);
}

/// Sec III: cost sharing (e), utilization type (f), average cost (h), lines s and t.
fn base_data(e: &mut Engine<'_>) {
    let keys = e.rows("ws1.base");
    for k in &keys {
        let net = e.input(&format!("ws1.base.net_pmpm[{k}]"));
        let allowed = e.input(&format!("ws1.base.allowed_pmpm[{k}]"));
        e.set(
            &format!("ws1.base.cost_sharing[{k}]"),
            allowed.saturating_sub(net),
        );
        let ut = format!("ws1.base.util_type[{k}]");
        if e.has(&ut) {
            let t = e.text(&format!("ws2.allowed.util_type[{k}]"));
            e.set_text(&ut, t);
        }
        let avg = format!("ws1.base.avg_cost[{k}]");
        if e.has(&avg) {
            let util = e.input(&format!("ws1.base.util_per_1000[{k}]"));
            e.set(&avg, div0(mul(allowed, Decimal::from(12000)), util));
        }
    }
    let covered = through_k(&keys);
    for c in ["net_pmpm", "cost_sharing", "allowed_pmpm"] {
        let col = format!("ws1.base.{c}");
        let s = sum_rows(e, &col, &keys);
        e.set(&format!("{col}[s]"), s);
        let t = sum_rows(e, &col, &covered);
        e.set(&format!("{col}[t]"), t);
    }
}

/// Sec VI: line 3, line 5 "all other", the total column and lines 6–9.
fn summary(e: &mut Engine<'_>) {
    for c in ["esrd", "hospice", "other"] {
        let rev = e
            .get(&format!("ws1.summary.{c}[cms_revenue]"))
            .saturating_add(e.get(&format!("ws1.summary.{c}[premium_revenue]")));
        e.set(&format!("ws1.summary.{c}[total_revenue]"), rev);
    }
    let mm = e.input("ws1.base_period.mm_total");
    e.set("ws1.summary.other[member_months]", mm);
    for line in e.rows("ws1.summary") {
        let t = ["esrd", "hospice", "other"]
            .iter()
            .fold(Decimal::ZERO, |acc, c| {
                acc.saturating_add(e.get(&format!("ws1.summary.{c}[{line}]")))
            });
        e.set(&format!("ws1.summary.total[{line}]"), t);
    }
    let revenue = e.get("ws1.summary.total[total_revenue]");
    let medical = e.get("ws1.summary.total[net_medical]");
    let months = e.get("ws1.summary.total[member_months]");
    let nbe = [
        "nbe_marketing",
        "nbe_direct_admin",
        "nbe_indirect_admin",
        "nbe_reinsurance",
    ]
    .iter()
    .fold(Decimal::ZERO, |acc, id| {
        acc.saturating_add(e.input(&format!("ws1.summary.{id}")))
    });
    e.set("ws1.summary.nbe_total", nbe);
    let gain = revenue.saturating_sub(medical).saturating_sub(nbe);
    e.set("ws1.summary.gain_loss", gain);
    e.set("ws1.summary.pmpm_revenue", div0(revenue, months));
    e.set("ws1.summary.pmpm_net_medical", div0(medical, months));
    e.set("ws1.summary.pmpm_nbe", div0(nbe, months));
    e.set("ws1.summary.pmpm_gain_loss", div0(gain, months));
    e.set("ws1.summary.pct_net_medical", div0(medical, revenue));
    e.set("ws1.summary.pct_nbe", div0(nbe, revenue));
    e.set("ws1.summary.pct_gain_loss", div0(gain, revenue));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::recalc;
    use crate::template::{Role, builtin_cached};
    use crate::value::{Value, Values};
    use rust_decimal_macros::dec;

    fn text(v: &mut Values, id: &str, s: &str) {
        v.set(id, Value::Text(s.to_string()));
    }

    fn run(v: &Values) -> Values {
        let layout = builtin_cached("ma-bpt-2013").unwrap();
        let r = recalc(layout, v);
        let mine: Vec<_> = r
            .stray
            .iter()
            .filter(|id| id.starts_with("ws1.") || id.starts_with("ws2."))
            .collect();
        assert!(mine.is_empty(), "engine sets non-calc ids: {mine:?}");
        r.values
    }

    #[test]
    fn region_names_follow_the_instructions_table() {
        assert_eq!(
            region_name("01"),
            "Northern New England (New Hampshire and Maine)"
        );
        assert_eq!(region_name("09"), "Florida");
        assert_eq!(region_name("17"), "Texas");
        assert_eq!(region_name("26"), "Alaska");
        assert_eq!(region_name(" 24 "), "California");
        for bad in ["", "00", "27", "abc", "-1", "1_0"] {
            assert_eq!(region_name(bad), "", "{bad}");
        }
        let mut v = Values::default();
        text(&mut v, "ws1.general.ma_region", "23");
        let out = run(&v);
        assert_eq!(
            out.text("ws1.general.region_name"),
            Some("Northwest (Idaho, Oregon, Utah, and Washington)")
        );
        // No region (a local plan): blank.
        let out = run(&Values::default());
        assert_eq!(out.get("ws1.general.region_name"), &Value::Empty);
    }

    #[test]
    fn egwp_is_y_from_plan_800() {
        assert_eq!(egwp("800"), "Y");
        assert_eq!(egwp("801"), "Y");
        assert_eq!(egwp("799"), "N");
        assert_eq!(egwp("001"), "N");
        assert_eq!(egwp("x"), "N");
        assert_eq!(egwp(""), "");
        let mut v = Values::default();
        text(&mut v, "ws1.general.plan_id", "802");
        assert_eq!(run(&v).text("ws1.general.egwp"), Some("Y"));
        text(&mut v, "ws1.general.plan_id", "012");
        assert_eq!(run(&v).text("ws1.general.egwp"), Some("N"));
    }

    #[test]
    fn de_member_months_and_risk_score() {
        // 12,000 MM at 1.012, of which 9,000 non-DE# at 0.968:
        // DE# = 3,000 MM at (1.012 × 12,000 − 0.968 × 9,000) / 3,000
        //     = (12,144 − 8,712) / 3,000 = 1.144.
        let mut v = Values::default();
        v.set_num("ws1.base_period.mm_total", dec!(12000));
        v.set_num("ws1.base_period.mm_non_de", dec!(9000));
        v.set_num("ws1.base_period.risk_total", dec!(1.012));
        v.set_num("ws1.base_period.risk_non_de", dec!(0.968));
        v.set_num("ws1.plans_in_base.mm[a]", dec!(10200));
        v.set_num("ws1.plans_in_base.mm[b]", dec!(1800));
        let out = run(&v);
        assert_eq!(out.num("ws1.base_period.mm_de"), Some(dec!(3000)));
        assert_eq!(out.num("ws1.base_period.risk_de"), Some(dec!(1.144)));
        assert_eq!(out.num("ws1.base_period.plans_total_mm"), Some(dec!(12000)));
        // No DE# members: the DE# risk score is 0, not a division by zero.
        v.set_num("ws1.base_period.mm_non_de", dec!(12000));
        v.set_num("ws1.base_period.risk_non_de", dec!(1.012));
        let out = run(&v);
        assert_eq!(out.num("ws1.base_period.mm_de"), Some(dec!(0)));
        assert_eq!(out.num("ws1.base_period.risk_de"), Some(dec!(0)));
    }

    #[test]
    fn base_period_data_cost_sharing_average_cost_and_totals() {
        let mut v = Values::default();
        // Inpatient: allowed 100.00, net 80.00, 250 admits/1,000 →
        // cost sharing 20.00, average cost 100 × 12,000 / 250 = 4,800.
        v.set_num("ws1.base.allowed_pmpm[a]", dec!(100));
        v.set_num("ws1.base.net_pmpm[a]", dec!(80));
        v.set_num("ws1.base.util_per_1000[a]", dec!(250));
        text(&mut v, "ws2.allowed.util_type[a]", "A");
        // Professional: no utilization entered → average cost 0.
        v.set_num("ws1.base.allowed_pmpm[i]", dec!(60));
        v.set_num("ws1.base.net_pmpm[i]", dec!(45));
        // Dental (non-covered) and COB (negative offset).
        v.set_num("ws1.base.allowed_pmpm[m]", dec!(5));
        v.set_num("ws1.base.net_pmpm[m]", dec!(3));
        v.set_num("ws1.base.allowed_pmpm[r]", dec!(-2));
        v.set_num("ws1.base.net_pmpm[r]", dec!(-2));
        let out = run(&v);
        assert_eq!(out.num("ws1.base.cost_sharing[a]"), Some(dec!(20)));
        assert_eq!(out.num("ws1.base.avg_cost[a]"), Some(dec!(4800)));
        assert_eq!(out.text("ws1.base.util_type[a]"), Some("A"));
        assert_eq!(out.get("ws1.base.util_type[b]"), &Value::Empty);
        assert_eq!(out.num("ws1.base.avg_cost[i]"), Some(dec!(0)));
        assert_eq!(out.num("ws1.base.cost_sharing[i]"), Some(dec!(15)));
        assert_eq!(out.num("ws1.base.cost_sharing[r]"), Some(dec!(0)));
        // s = a–r, t = a–k.
        assert_eq!(out.num("ws1.base.allowed_pmpm[s]"), Some(dec!(163)));
        assert_eq!(out.num("ws1.base.allowed_pmpm[t]"), Some(dec!(160)));
        assert_eq!(out.num("ws1.base.net_pmpm[s]"), Some(dec!(126)));
        assert_eq!(out.num("ws1.base.net_pmpm[t]"), Some(dec!(125)));
        assert_eq!(out.num("ws1.base.cost_sharing[s]"), Some(dec!(37)));
        assert_eq!(out.num("ws1.base.cost_sharing[t]"), Some(dec!(35)));
    }

    #[test]
    fn base_period_summary() {
        let mut v = Values::default();
        v.set_num("ws1.base_period.mm_total", dec!(11850));
        for (id, x) in [
            ("esrd[cms_revenue]", dec!(50000)),
            ("hospice[cms_revenue]", dec!(30000)),
            ("other[cms_revenue]", dec!(1000000)),
            ("other[premium_revenue]", dec!(120000)),
            ("esrd[net_medical]", dec!(60000)),
            ("hospice[net_medical]", dec!(35000)),
            ("other[net_medical]", dec!(865000)),
            ("esrd[member_months]", dec!(100)),
            ("hospice[member_months]", dec!(50)),
            ("nbe_marketing", dec!(20000)),
            ("nbe_direct_admin", dec!(46000)),
            ("nbe_indirect_admin", dec!(30000)),
        ] {
            v.set_num(format!("ws1.summary.{id}"), x);
        }
        let out = run(&v);
        let n = |id: &str| out.num(&format!("ws1.summary.{id}"));
        assert_eq!(n("esrd[total_revenue]"), Some(dec!(50000)));
        assert_eq!(n("other[total_revenue]"), Some(dec!(1120000)));
        assert_eq!(n("other[member_months]"), Some(dec!(11850)));
        assert_eq!(n("total[cms_revenue]"), Some(dec!(1080000)));
        assert_eq!(n("total[total_revenue]"), Some(dec!(1200000)));
        assert_eq!(n("total[net_medical]"), Some(dec!(960000)));
        assert_eq!(n("total[member_months]"), Some(dec!(12000)));
        assert_eq!(n("nbe_total"), Some(dec!(96000)));
        // 1,200,000 − 960,000 − 96,000.
        assert_eq!(n("gain_loss"), Some(dec!(144000)));
        assert_eq!(n("pmpm_revenue"), Some(dec!(100)));
        assert_eq!(n("pmpm_net_medical"), Some(dec!(80)));
        assert_eq!(n("pmpm_nbe"), Some(dec!(8)));
        assert_eq!(n("pmpm_gain_loss"), Some(dec!(12)));
        assert_eq!(n("pct_net_medical"), Some(dec!(0.8)));
        assert_eq!(n("pct_nbe"), Some(dec!(0.08)));
        assert_eq!(n("pct_gain_loss"), Some(dec!(0.12)));
        // Blank Section VI: every PMPM and percentage is 0.
        let out = run(&Values::default());
        assert_eq!(out.num("ws1.summary.pmpm_revenue"), Some(dec!(0)));
        assert_eq!(out.num("ws1.summary.pct_gain_loss"), Some(dec!(0)));
    }

    #[test]
    fn every_numeric_calc_field_of_ws1_and_ws2_is_computed() {
        let layout = builtin_cached("ma-bpt-2013").unwrap();
        let out = run(&Values::default());
        for f in layout
            .fields
            .iter()
            .filter(|f| f.sheet == "WS1" || f.sheet == "WS2")
            .filter(|f| f.role == Role::Calc && f.kind.is_numeric())
        {
            assert!(out.num(&f.id).is_some(), "{} not computed", f.id);
        }
    }
}
