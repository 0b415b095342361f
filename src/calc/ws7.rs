//! WS7 – MA optional supplemental benefits (instructions lines 2515–2617).
//!
//! Up to five packages of 20 lines each. Per line: allowed PMPM
//! h = f × g / 12,000; cost-sharing PMPM l = j × k when the unit (column i)
//! is coinsurance ("Coin": j is a PMPM, k a percentage), else
//! j × k / 12,000; net m = h − l. Per package: the net PMPM is the sum of
//! column m and the premium is ROUND(m + n + o, 1), to the dime.

use super::{Engine, div0};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Annual utilization per 1,000 → PMPM.
const PER_1000_PMPM: Decimal = dec!(12000);

/// Every calculated field of the worksheet.
pub(super) fn calc(e: &mut Engine<'_>) {
    e.copy_general("ws1", "ws7");
    for n in 1..=5 {
        let pkg = format!("ws7.pkg{n}");
        let premium_id = format!("{pkg}.premium");
        if !e.has(&premium_id) {
            continue;
        }
        let table = format!("{pkg}.lines");
        let mut net_total = Decimal::ZERO;
        for k in e.rows(&table) {
            let id = |col: &str| format!("{table}.{col}[{k}]");
            let allowed = div0(
                e.input(&id("util"))
                    .saturating_mul(e.input(&id("avg_cost"))),
                PER_1000_PMPM,
            );
            e.set(&id("allowed_pmpm"), allowed);
            let cs = cost_sharing_pmpm(
                &e.text(&id("cs_unit")),
                e.input(&id("cs_util")),
                e.input(&id("cs_avg")),
            );
            e.set(&id("cs_pmpm"), cs);
            let net = allowed.saturating_sub(cs);
            e.set(&id("net_pmpm"), net);
            net_total = net_total.saturating_add(net);
        }
        e.set(&format!("{pkg}.net_total"), net_total);
        let raw = net_total
            .saturating_add(e.input(&format!("{pkg}.nbe")))
            .saturating_add(e.input(&format!("{pkg}.gain_loss")));
        e.set_round(&premium_id, raw, 1);
    }
}

/// Column l: `IF(i="Coin", j*k, j*k/12000)` (Excel compares text without
/// regard to case).
fn cost_sharing_pmpm(unit: &str, util: Decimal, avg: Decimal) -> Decimal {
    let product = util.saturating_mul(avg);
    if unit.eq_ignore_ascii_case("coin") {
        product
    } else {
        div0(product, PER_1000_PMPM)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Engine;
    use super::super::ws6::tests::{layout, put, put_text};
    use crate::template::Layout;
    use crate::value::Values;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn run(layout: &Layout, v: &Values) -> (Values, Vec<String>) {
        let mut e = Engine::new(layout, v);
        super::calc(&mut e);
        (e.values().clone(), e.stray.clone())
    }

    fn n(v: &Values, id: &str) -> Decimal {
        v.num(id).unwrap_or_else(|| panic!("{id} was not computed"))
    }

    /// Package 1 "Enhanced Dental": a per-1,000 line and a coinsurance line.
    fn dental(v: &mut Values) {
        let t = "ws7.pkg1.lines";
        put_text(v, "ws7.pkg1.description", "Enhanced Dental");
        // Line 1: 500 visits/1,000 at $60 → 2.50 allowed; copay $12 on
        // 500 visits/1,000 → 0.50; net 2.00.
        put_text(v, &format!("{t}.category[1]"), "Dental (Non-covered)");
        put_text(v, &format!("{t}.util_type[1]"), "V");
        put(v, &format!("{t}.util[1]"), dec!(500));
        put(v, &format!("{t}.avg_cost[1]"), dec!(60));
        put_text(v, &format!("{t}.cs_unit[1]"), "V");
        put(v, &format!("{t}.cs_util[1]"), dec!(500));
        put(v, &format!("{t}.cs_avg[1]"), dec!(12));
        // Line 2: 120 services/1,000 at $300 → 3.00 allowed; 20 %
        // coinsurance on a 3.00 PMPM → 0.60; net 2.40.
        put_text(v, &format!("{t}.category[2]"), "Dental (Non-covered)");
        put_text(v, &format!("{t}.util_type[2]"), "S");
        put(v, &format!("{t}.util[2]"), dec!(120));
        put(v, &format!("{t}.avg_cost[2]"), dec!(300));
        put_text(v, &format!("{t}.cs_unit[2]"), "Coin");
        put(v, &format!("{t}.cs_util[2]"), dec!(3.00));
        put(v, &format!("{t}.cs_avg[2]"), dec!(0.20));
        // 4.40 + 0.55 + 0.10 = 5.05 → 5.1.
        put(v, "ws7.pkg1.nbe", dec!(0.55));
        put(v, "ws7.pkg1.gain_loss", dec!(0.10));
        put(v, "ws7.pkg1.member_months", dec!(12000));
    }

    #[test]
    fn coinsurance_versus_per_thousand_cost_sharing() {
        let layout = layout();
        let mut v = Values::default();
        dental(&mut v);
        let (out, stray) = run(&layout, &v);
        assert!(stray.is_empty(), "{stray:?}");
        let t = "ws7.pkg1.lines";
        assert_eq!(n(&out, &format!("{t}.allowed_pmpm[1]")), dec!(2.5));
        assert_eq!(n(&out, &format!("{t}.cs_pmpm[1]")), dec!(0.5));
        assert_eq!(n(&out, &format!("{t}.net_pmpm[1]")), dec!(2.0));
        assert_eq!(n(&out, &format!("{t}.allowed_pmpm[2]")), dec!(3));
        assert_eq!(n(&out, &format!("{t}.cs_pmpm[2]")), dec!(0.6));
        assert_eq!(n(&out, &format!("{t}.net_pmpm[2]")), dec!(2.4));
        // Blank lines are zero.
        assert_eq!(n(&out, &format!("{t}.net_pmpm[20]")), dec!(0));
    }

    #[test]
    fn coin_compares_without_case_and_ded_is_per_thousand() {
        let layout = layout();
        let mut v = Values::default();
        dental(&mut v);
        let t = "ws7.pkg1.lines";
        put_text(&mut v, &format!("{t}.cs_unit[2]"), "coin");
        put_text(&mut v, &format!("{t}.cs_unit[1]"), "Ded");
        let (out, _) = run(&layout, &v);
        assert_eq!(n(&out, &format!("{t}.cs_pmpm[2]")), dec!(0.6));
        assert_eq!(n(&out, &format!("{t}.cs_pmpm[1]")), dec!(0.5));
    }

    #[test]
    fn premium_is_rounded_to_the_dime() {
        let layout = layout();
        let mut v = Values::default();
        dental(&mut v);
        let (out, _) = run(&layout, &v);
        assert_eq!(n(&out, "ws7.pkg1.net_total"), dec!(4.4));
        // 4.40 + 0.55 + 0.10 = 5.05 → 5.1 (half away from zero).
        assert_eq!(n(&out, "ws7.pkg1.premium"), dec!(5.1));
        put(&mut v, "ws7.pkg1.nbe", dec!(0.54));
        let (out, _) = run(&layout, &v);
        assert_eq!(n(&out, "ws7.pkg1.premium"), dec!(5.0));
        // A package not offered has a zero premium.
        for p in 2..=5 {
            assert_eq!(n(&out, &format!("ws7.pkg{p}.premium")), dec!(0));
            assert_eq!(n(&out, &format!("ws7.pkg{p}.net_total")), dec!(0));
        }
    }

    #[test]
    fn per_thousand_pmpm_is_exact() {
        let layout = layout();
        let mut v = Values::default();
        let t = "ws7.pkg3.lines";
        // 100 × 50 / 12,000 = 0.41666…: kept exact, rounded only in p.
        put(&mut v, &format!("{t}.util[7]"), dec!(100));
        put(&mut v, &format!("{t}.avg_cost[7]"), dec!(50));
        let (out, _) = run(&layout, &v);
        let h = n(&out, &format!("{t}.allowed_pmpm[7]"));
        assert_eq!(h, dec!(5000) / dec!(12000));
        assert_eq!(n(&out, "ws7.pkg3.net_total"), h);
        assert_eq!(n(&out, "ws7.pkg3.premium"), dec!(0.4));
    }

    #[test]
    fn every_calculated_ws7_field_is_computed() {
        let layout = layout();
        let mut v = Values::default();
        dental(&mut v);
        put_text(&mut v, "ws1.general.contract_number", "H1234");
        put_text(&mut v, "ws1.general.plan_id", "001");
        put_text(&mut v, "ws1.general.segment_id", "000");
        put_text(
            &mut v,
            "ws1.general.organization_name",
            "Example Health Plan",
        );
        put_text(&mut v, "ws1.general.plan_name", "Example Gold");
        put_text(&mut v, "ws1.general.plan_type", "HMO");
        let (out, stray) = run(&layout, &v);
        assert!(stray.is_empty(), "{stray:?}");
        assert_eq!(out.text("ws7.general.plan_name"), Some("Example Gold"));
        let missing: Vec<&str> = layout
            .fields_on("WS7")
            .filter(|f| f.role.is_calculated())
            .filter(|f| out.get(&f.id).is_empty())
            .map(|f| f.id.as_str())
            .collect();
        assert!(missing.is_empty(), "not computed: {missing:?}");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let layout = layout();
        let mut v = Values::default();
        for k in 1..=20 {
            for c in ["util", "avg_cost", "cs_util", "cs_avg"] {
                put(&mut v, &format!("ws7.pkg2.lines.{c}[{k}]"), Decimal::MAX);
            }
            put_text(&mut v, &format!("ws7.pkg2.lines.cs_unit[{k}]"), "Coin");
        }
        put(&mut v, "ws7.pkg2.nbe", Decimal::MIN);
        let (out, _) = run(&layout, &v);
        assert!(out.num("ws7.pkg2.premium").is_some());
    }
}
