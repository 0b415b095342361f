//! WS2: projected allowed costs PMPM (instructions lines 1345–1451;
//! credibility 336–367).
//!
//! Columns f–h project WS1 Section III with the Section IV factors, i–k are
//! the manual rate, m–o blend the two by the credibility of column l. Average
//! costs are allowed PMPM × 12,000 / utilization per 1,000 (0 when the
//! utilization is 0). Nothing is rounded.
use super::mul;
use super::ws1::{sum_rows, through_k};
use super::{Engine, div0};
use rust_decimal::{Decimal, MathematicalOps};

/// Every calculated field of the worksheet.
pub(super) fn calc(e: &mut Engine<'_>) {
    e.copy_general("ws1", "ws2");
    projection(e);
    allowed(e);
    let mm = e.input("ws1.base_period.mm_total");
    e.set("ws2.credibility.cms_guideline", cms_credibility(mm));
}

/// The CMS credibility guideline `MIN(1, SQRT(MAX(0, MM) / 24,000))`
/// (lines 336–350): full credibility at 24,000 base period member months.
pub(crate) fn cms_credibility(member_months: Decimal) -> Decimal {
    let mm = member_months.max(Decimal::ZERO);
    let ratio = mm / Decimal::from(24000);
    if ratio >= Decimal::ONE {
        return Decimal::ONE;
    }
    ratio.sqrt().unwrap_or(Decimal::ZERO).min(Decimal::ONE)
}

/// Sec II lines 1–2: projected member months and risk factors from WS5.
fn projection(e: &mut Engine<'_>) {
    for f in [
        "mm_total",
        "mm_non_de",
        "mm_de",
        "risk_total",
        "risk_non_de",
        "risk_de",
    ] {
        let v = e.get(&format!("ws5.bid.{f}"));
        e.set(&format!("ws2.projection.{f}"), v);
    }
}

/// Sec II columns f–h, j, m–o for lines a–r, and lines s and t.
fn allowed(e: &mut Engine<'_>) {
    let keys = e.rows("ws2.allowed");
    let twelve_k = Decimal::from(12000);
    for k in &keys {
        let p = |c: &str| format!("ws1.projection.{c}[{k}]");
        let a = |c: &str| format!("ws2.allowed.{c}[{k}]");
        let util_factor = [
            "util_trend",
            "benefit_change",
            "population_change",
            "other_util",
        ]
        .iter()
        .fold(Decimal::ONE, |acc, c| mul(acc, e.input(&p(c))));
        let cost_factor = ["provider_payment", "other_cost"]
            .iter()
            .fold(util_factor, |acc, c| mul(acc, e.input(&p(c))));
        let cred = e.input(&a("credibility"));
        let rest = Decimal::ONE.saturating_sub(cred);

        // Column h: projected experience allowed PMPM.
        let exp_allowed = mul(e.input(&format!("ws1.base.allowed_pmpm[{k}]")), cost_factor)
            .saturating_add(e.input(&p("additive_pmpm")));
        e.set(&a("exp_allowed"), exp_allowed);
        // Column o: blended allowed PMPM.
        let man_allowed = e.input(&a("man_allowed"));
        let blend_allowed = mul(cred, exp_allowed).saturating_add(mul(rest, man_allowed));
        e.set(&a("blend_allowed"), blend_allowed);

        if !e.has(&a("exp_util")) {
            continue; // line r has no utilization columns
        }
        // Column f: projected experience utilization per 1,000.
        let exp_util = mul(
            e.input(&format!("ws1.base.util_per_1000[{k}]")),
            util_factor,
        )
        .saturating_add(e.input(&p("additive_util")));
        e.set(&a("exp_util"), exp_util);
        // Column g: projected experience average cost.
        e.set(
            &a("exp_avg_cost"),
            div0(mul(exp_allowed, twelve_k), exp_util),
        );
        // Column j: manual average cost.
        let man_util = e.input(&a("man_util"));
        e.set(
            &a("man_avg_cost"),
            div0(mul(man_allowed, twelve_k), man_util),
        );
        // Column m: blended utilization; column n: blended average cost.
        let blend_util = mul(cred, exp_util).saturating_add(mul(rest, man_util));
        e.set(&a("blend_util"), blend_util);
        e.set(
            &a("blend_avg_cost"),
            div0(mul(blend_allowed, twelve_k), blend_util),
        );
    }
    let covered = through_k(&keys);
    for c in [
        "exp_allowed",
        "man_allowed",
        "blend_allowed",
        "non_de_allowed",
        "de_allowed",
    ] {
        let col = format!("ws2.allowed.{c}");
        let s = sum_rows(e, &col, &keys);
        e.set(&format!("{col}[s]"), s);
        let t = sum_rows(e, &col, &covered);
        e.set(&format!("{col}[t]"), t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::recalc;
    use crate::template::builtin_cached;
    use crate::value::{Value, Values};
    use rust_decimal_macros::dec;

    fn run(v: &Values) -> Values {
        recalc(builtin_cached("ma-bpt-2013").unwrap(), v).values
    }

    #[test]
    fn cms_credibility_guideline_examples() {
        // Lines 336–350: sqrt(MM / 24,000), full at 24,000; 20% at 960 MM,
        // 90% at 19,440 MM.
        let close = |a: Decimal, b: Decimal| (a - b).abs() < dec!(0.000000000001);
        assert!(close(cms_credibility(dec!(960)), dec!(0.2)));
        assert!(close(cms_credibility(dec!(19440)), dec!(0.9)));
        assert!(close(cms_credibility(dec!(6000)), dec!(0.5)));
        assert!(close(cms_credibility(dec!(13500)), dec!(0.75)));
        assert_eq!(cms_credibility(dec!(24000)), dec!(1));
        assert_eq!(cms_credibility(dec!(50000)), dec!(1));
        assert_eq!(cms_credibility(dec!(0)), dec!(0));
        assert_eq!(cms_credibility(dec!(-5)), dec!(0));
        let mut v = Values::default();
        v.set_num("ws1.base_period.mm_total", dec!(960));
        let g = run(&v).num("ws2.credibility.cms_guideline").unwrap();
        assert!(close(g, dec!(0.2)), "{g}");
    }

    fn factors(v: &mut Values, k: &str, f: [Decimal; 6]) {
        for (c, x) in [
            "util_trend",
            "benefit_change",
            "population_change",
            "other_util",
            "provider_payment",
            "other_cost",
        ]
        .iter()
        .zip(f)
        {
            v.set_num(format!("ws1.projection.{c}[{k}]"), x);
        }
    }

    #[test]
    fn projected_experience_manual_and_blend() {
        let mut v = Values::default();
        // Line a: 250 admits, 100.00 allowed; utilization trend 1.05 × 1.06 =
        // 1.113 (the instructions' example), benefit 1.02, population 0.98,
        // provider payment 1.03; additive +5 admits and −2.00 PMPM.
        v.set_num("ws1.base.util_per_1000[a]", dec!(250));
        v.set_num("ws1.base.allowed_pmpm[a]", dec!(100));
        factors(
            &mut v,
            "a",
            [
                dec!(1.113),
                dec!(1.02),
                dec!(0.98),
                dec!(1),
                dec!(1.03),
                dec!(1),
            ],
        );
        v.set_num("ws1.projection.additive_util[a]", dec!(5));
        v.set_num("ws1.projection.additive_pmpm[a]", dec!(-2));
        v.set_num("ws2.allowed.credibility[a]", dec!(1));
        // Line b: flat factors, 300 days, 50.00 experience; manual 200 days,
        // 40.00; 50% credible.
        v.set_num("ws1.base.util_per_1000[b]", dec!(300));
        v.set_num("ws1.base.allowed_pmpm[b]", dec!(50));
        factors(&mut v, "b", [Decimal::ONE; 6]);
        v.set_num("ws2.allowed.man_util[b]", dec!(200));
        v.set_num("ws2.allowed.man_allowed[b]", dec!(40));
        v.set_num("ws2.allowed.credibility[b]", dec!(0.5));
        // Line l: manual only (0% credible); line r: COB offset.
        v.set_num("ws2.allowed.man_allowed[l]", dec!(10));
        v.set_num("ws1.base.allowed_pmpm[r]", dec!(-5));
        factors(&mut v, "r", [Decimal::ONE; 6]);
        v.set_num("ws2.allowed.credibility[r]", dec!(1));
        for (k, p, q) in [("a", dec!(100), dec!(130)), ("b", dec!(44), dec!(47))] {
            v.set_num(format!("ws2.allowed.non_de_allowed[{k}]"), p);
            v.set_num(format!("ws2.allowed.de_allowed[{k}]"), q);
        }
        let out = run(&v);
        let n = |id: &str| out.num(&format!("ws2.allowed.{id}")).unwrap();
        // 250 × 1.113 × 1.02 × 0.98 + 5 = 278.1387 + 5.
        assert_eq!(n("exp_util[a]"), dec!(283.1387));
        // 100 × 1.113 × 1.02 × 0.98 × 1.03 − 2 = 114.5931444 − 2.
        assert_eq!(n("exp_allowed[a]"), dec!(112.5931444));
        assert_eq!(n("blend_allowed[a]"), dec!(112.5931444));
        assert_eq!(n("blend_util[a]"), dec!(283.1387));
        // Line b: experience 300 / 50.00 → 2,000; manual 200 / 40.00 → 2,400;
        // blend 250 / 45.00 → 45 × 12,000 / 250 = 2,160.
        assert_eq!(n("exp_util[b]"), dec!(300));
        assert_eq!(n("exp_avg_cost[b]"), dec!(2000));
        assert_eq!(n("man_avg_cost[b]"), dec!(2400));
        assert_eq!(n("blend_util[b]"), dec!(250));
        assert_eq!(n("blend_allowed[b]"), dec!(45));
        assert_eq!(n("blend_avg_cost[b]"), dec!(2160));
        assert_eq!(n("blend_allowed[l]"), dec!(10));
        assert_eq!(n("man_avg_cost[l]"), dec!(0));
        assert_eq!(n("exp_allowed[r]"), dec!(-5));
        assert_eq!(n("blend_allowed[r]"), dec!(-5));
        // Totals: s = a–r, t = a–k.
        assert_eq!(n("exp_allowed[s]"), dec!(157.5931444));
        assert_eq!(n("exp_allowed[t]"), dec!(162.5931444));
        assert_eq!(n("blend_allowed[s]"), dec!(162.5931444));
        assert_eq!(n("blend_allowed[t]"), dec!(157.5931444));
        assert_eq!(n("man_allowed[s]"), dec!(50));
        assert_eq!(n("man_allowed[t]"), dec!(40));
        assert_eq!(n("non_de_allowed[s]"), dec!(144));
        assert_eq!(n("de_allowed[t]"), dec!(177));
    }

    #[test]
    fn general_block_and_projection_come_from_ws1_and_ws5() {
        let mut v = Values::default();
        v.set("ws1.general.contract_number", Value::Text("H1234".into()));
        v.set("ws1.general.plan_type", Value::Text("LPPO".into()));
        v.set_num("ws5.bid.mm_non_de", dec!(9000));
        v.set_num("ws5.bid.risk_non_de", dec!(0.968));
        let out = run(&v);
        assert_eq!(out.text("ws2.general.contract_number"), Some("H1234"));
        assert_eq!(out.text("ws2.general.plan_type"), Some("LPPO"));
        assert_eq!(out.get("ws2.general.plan_name"), &Value::Empty);
        assert_eq!(out.num("ws2.projection.mm_non_de"), Some(dec!(9000)));
        assert_eq!(out.num("ws2.projection.risk_non_de"), Some(dec!(0.968)));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let mut v = Values::default();
        let big = Decimal::MAX;
        v.set_num("ws1.base_period.mm_total", big);
        v.set_num("ws1.base_period.mm_non_de", -big);
        v.set_num("ws1.base_period.risk_total", big);
        v.set_num("ws1.base.allowed_pmpm[a]", big);
        v.set_num("ws1.base.util_per_1000[a]", dec!(0.0000000001));
        factors(&mut v, "a", [big; 6]);
        v.set_num("ws2.allowed.credibility[a]", -big);
        v.set_num("ws2.allowed.man_util[a]", dec!(0.0000000001));
        v.set_num("ws2.allowed.man_allowed[a]", big);
        let out = run(&v);
        assert_eq!(out.num("ws2.credibility.cms_guideline"), Some(dec!(1)));
    }
}
