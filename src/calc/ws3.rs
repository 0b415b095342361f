//! WS3: projected cost sharing PMPM (instructions lines 1452–1738).
//!
//! Section III, per cost-sharing line (the fixed lines a1–q1 and the blank
//! lines x1–x10): column k is the in-network PMPM, g × j for coinsurance
//! ("Coin") and g × j / 12,000 for every other measurement unit (a
//! utilization per 1,000 times a copay, per member per month); column l adds
//! the effective plan-level deductible f; column o adds the out-of-network
//! PMPM n. The total line sums f, k, l, n and o. Nothing is rounded.
use super::Engine;
use rust_decimal::Decimal;

/// The WS3 cost-sharing table.
pub(crate) const TABLE: &str = "ws3.cost_sharing";

/// Every calculated field of the worksheet.
pub(super) fn calc(e: &mut Engine<'_>) {
    e.copy_general("ws1", "ws3");
    cost_sharing(e);
}

/// Column k of one line: `IF(e="Coin", g×j, g×j/12000)`. Excel compares
/// text without regard to case.
pub(crate) fn in_network_pmpm(unit: &str, util: Decimal, cost_sharing: Decimal) -> Decimal {
    let product = util.saturating_mul(cost_sharing);
    if unit.eq_ignore_ascii_case("Coin") {
        product
    } else {
        product / Decimal::from(12000)
    }
}

/// Sec III columns k, l and o on every line, and the total line.
fn cost_sharing(e: &mut Engine<'_>) {
    let col = |c: &str, k: &str| format!("{TABLE}.{c}[{k}]");
    let mut sums = [Decimal::ZERO; 5];
    for k in e.rows(TABLE) {
        let unit = e.text(&col("unit", &k));
        let ded = e.input(&col("in_deductible", &k));
        let util = e.input(&col("in_util", &k));
        let after = e.input(&col("in_after_oop", &k));
        let oon = e.input(&col("oon_pmpm", &k));
        let in_pmpm = in_network_pmpm(&unit, util, after);
        let in_total = ded.saturating_add(in_pmpm);
        let total = in_total.saturating_add(oon);
        e.set(&col("in_pmpm", &k), in_pmpm);
        e.set(&col("in_total", &k), in_total);
        e.set(&col("total", &k), total);
        for (s, v) in sums.iter_mut().zip([ded, in_pmpm, in_total, oon, total]) {
            *s = s.saturating_add(v);
        }
    }
    let names = ["in_deductible", "in_pmpm", "in_total", "oon_pmpm", "total"];
    for (c, s) in names.into_iter().zip(sums) {
        if e.has(&col(c, "total")) {
            e.set(&col(c, "total"), s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Value, Values};
    use rust_decimal_macros::dec;

    fn layout() -> &'static crate::template::Layout {
        crate::template::builtin_cached("ma-bpt-2013").unwrap()
    }

    fn line(v: &mut Values, k: &str, unit: &str, util: Decimal, after: Decimal) {
        v.set(format!("{TABLE}.unit[{k}]"), Value::Text(unit.into()));
        v.set_num(format!("{TABLE}.in_util[{k}]"), util);
        v.set_num(format!("{TABLE}.in_after_oop[{k}]"), after);
    }

    #[test]
    fn coinsurance_is_pmpm_times_rate_copays_are_per_1000() {
        assert_eq!(in_network_pmpm("Coin", dec!(39.70), dec!(0.2)), dec!(7.94));
        assert_eq!(in_network_pmpm("coin", dec!(10), dec!(0.2)), dec!(2));
        // 2,000 days per 1,000 at $100 a day: 2,000 × 100 / 12,000 = $16.67.
        assert_eq!(
            in_network_pmpm("D", dec!(2000), dec!(100)).round_dp(2),
            dec!(16.67)
        );
        assert_eq!(in_network_pmpm("", dec!(1200), dec!(10)), dec!(1));
    }

    /// Instructions Example 2, option A (lines 1550–1558): PCP 5,000 × $10,
    /// specialists 2,900 × $20, MH 50 × $40 and 50 × $20 give
    /// $4.17 + $4.83 + $0.17 + $0.08 = $9.25.
    #[test]
    fn example_2_option_a() {
        let mut v = Values::default();
        line(&mut v, "i1", "V", dec!(5000), dec!(10));
        line(&mut v, "i2", "V", dec!(2900), dec!(20));
        line(&mut v, "i3", "V", dec!(50), dec!(40));
        line(&mut v, "i6", "V", dec!(50), dec!(20));
        // A coinsurance line, a deductible and out-of-network cost sharing.
        line(&mut v, "j1", "Coin", dec!(39.70), dec!(0.2));
        v.set_num(format!("{TABLE}.in_deductible[j1]"), dec!(1.25));
        v.set_num(format!("{TABLE}.oon_pmpm[j1]"), dec!(0.40));
        v.set(
            format!("{TABLE}.category[x1]"),
            Value::Text("Professional".into()),
        );
        line(&mut v, "x1", "V", dec!(120), dec!(15));
        let r = crate::calc::recalc(layout(), &v);
        let n = |id: &str| r.values.num(id).unwrap();
        let k = |key: &str| n(&format!("{TABLE}.in_pmpm[{key}]")).round_dp(2);
        assert_eq!(k("i1"), dec!(4.17));
        assert_eq!(k("i2"), dec!(4.83));
        assert_eq!(k("i3"), dec!(0.17));
        assert_eq!(k("i6"), dec!(0.08));
        // 1,000,000 / 12,000 = 83.333… exactly summed before rounding.
        let prof: Decimal = ["i1", "i2", "i3", "i6"]
            .iter()
            .map(|key| n(&format!("{TABLE}.in_pmpm[{key}]")))
            .sum();
        assert_eq!(prof.round_dp(2), dec!(9.25));
        assert_eq!(n(&format!("{TABLE}.in_pmpm[j1]")), dec!(7.94));
        assert_eq!(n(&format!("{TABLE}.in_total[j1]")), dec!(9.19));
        assert_eq!(n(&format!("{TABLE}.total[j1]")), dec!(9.59));
        assert_eq!(n(&format!("{TABLE}.total[x1]")), dec!(0.15));
        assert_eq!(n(&format!("{TABLE}.in_pmpm[a1]")), Decimal::ZERO);
        assert_eq!(n(&format!("{TABLE}.in_deductible[total]")), dec!(1.25));
        assert_eq!(n(&format!("{TABLE}.oon_pmpm[total]")), dec!(0.40));
        assert_eq!(
            n(&format!("{TABLE}.total[total]")),
            prof + dec!(9.59) + dec!(0.15)
        );
        assert_eq!(
            n(&format!("{TABLE}.in_total[total]")),
            prof + dec!(9.19) + dec!(0.15)
        );
    }

    #[test]
    fn general_block_repeats_ws1() {
        let mut v = Values::default();
        v.set("ws1.general.contract_number", Value::Text("H1234".into()));
        v.set("ws1.general.plan_id", Value::Text("001".into()));
        let r = crate::calc::recalc(layout(), &v);
        assert_eq!(r.values.text("ws3.general.contract_number"), Some("H1234"));
        assert_eq!(r.values.text("ws3.general.plan_id"), Some("001"));
        assert!(r.values.get("ws3.general.plan_name").is_empty());
    }

    #[test]
    fn sets_every_calculated_field_and_nothing_else() {
        let l = layout();
        let v = Values::default();
        let mut e = Engine::new(l, &v);
        calc(&mut e);
        assert!(e.stray.is_empty(), "{:?}", e.stray);
        let mut blank = 0;
        for f in l.fields_on("WS3").filter(|f| f.role.is_calculated()) {
            if e.values().get(&f.id).is_empty() {
                assert!(f.id.starts_with("ws3.general."), "{} not set", f.id);
                blank += 1;
            }
        }
        assert_eq!(blank, 6);
    }
}
