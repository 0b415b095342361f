//! The MSA BPT recalculation (template family `msa`, CMS instructions
//! Appendix H, lines 3673–3789).
//!
//! The MSA form has five worksheets. Appendix H describes only how they
//! differ from the MA BPT and sends the reader to the MA instructions for the
//! rest, so each function below names the MA lines it follows:
//!
//! | MSA | follows | what is calculated |
//! |---|---|---|
//! | WS1 | MA WS1 (997–1344), Medicare-covered lines a–k only (3705–3707) | cost sharing, average cost, totals |
//! | WS3 | MA WS5 Sec VI (2191–2281) | risk-adjusted ratebook by county; line 1 service-area averages |
//! | WS2 | MA WS2 (1345–1451), Medicare-covered only (3709–3713) | experience, manual and blended projections |
//! | WS4 | Appendix H only (3719–3783) | gross claims by interval; revenue requirement; enrollee deposit |
//! | WS5 | MA WS7 (2515–2617) | optional supplemental packages |
//!
//! Every value equals what the template's Excel formula gives: blanks count
//! as zero, divisions by zero give zero (`IF(x=0,0,…)`), and only the OSB
//! premium is rounded (to the dime, as MA WS7 column p). Arithmetic never
//! panics: sums and products saturate, divisions go through [`div0`].

use super::{Engine, add, div0, mul, sub};
use rust_decimal::Decimal;
use rust_decimal::prelude::MathematicalOps;
use rust_decimal_macros::dec;

const TWELVE: Decimal = dec!(12);
const K12: Decimal = dec!(12000);
/// Member months for full credibility (MA pricing considerations, 336–367).
const CRED_FULL_MM: Decimal = dec!(24000);

/// Recomputes every calculated field of an MSA bid, in dependency order:
/// WS1 Section I copies, the WS3 service area (its member months and risk
/// feed WS2 and WS4), WS1, WS2, WS4, WS5.
pub fn recalc(e: &mut Engine<'_>) {
    for ws in ["msa.ws2", "msa.ws3", "msa.ws4", "msa.ws5"] {
        e.copy_general("msa.ws1", ws);
    }
    ws3(e);
    ws1(e);
    ws2(e);
    ws4(e);
    ws5(e);
}

/// MSA WS1 Section III (MA WS1 lines 1203–1245): cost sharing = allowed −
/// net, average cost = allowed × 12,000 ÷ utilization, the utilization type
/// shown from WS2 column e, and line s totals.
fn ws1(e: &mut Engine<'_>) {
    let (mut net_s, mut cs_s, mut allowed_s) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for k in e.rows("msa.ws1.base") {
        let net = e.input(&format!("msa.ws1.base.net_pmpm[{k}]"));
        let allowed = e.input(&format!("msa.ws1.base.allowed_pmpm[{k}]"));
        let util = e.input(&format!("msa.ws1.base.util_per_1000[{k}]"));
        let cs = sub(allowed, net);
        e.set(&format!("msa.ws1.base.cost_sharing[{k}]"), cs);
        e.set(
            &format!("msa.ws1.base.avg_cost[{k}]"),
            div0(mul(allowed, K12), util),
        );
        let ut = e.text(&format!("msa.ws2.allowed.util_type[{k}]"));
        e.set_text(&format!("msa.ws1.base.util_type[{k}]"), ut);
        net_s = add(net_s, net);
        cs_s = add(cs_s, cs);
        allowed_s = add(allowed_s, allowed);
    }
    e.set("msa.ws1.base.net_pmpm[s]", net_s);
    e.set("msa.ws1.base.cost_sharing[s]", cs_s);
    e.set("msa.ws1.base.allowed_pmpm[s]", allowed_s);
}

/// MSA WS3 Section III (MA WS5 Sec VI, lines 2191–2281): each county's
/// risk-adjusted ratebook (ratebook × risk, blank without a county code) and
/// line 1, the member-month-weighted service-area averages: column g is the
/// standardized plan benchmark, column h the projected plan benchmark
/// (Appendix H lines 3769–3783).
fn ws3(e: &mut Engine<'_>) {
    let (mut mm_s, mut risk_s, mut rb_s, mut adj_s) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for k in e.rows("msa.ws3.county") {
        let mm = e.input(&format!("msa.ws3.county.mm[{k}]"));
        let risk = e.input(&format!("msa.ws3.county.risk[{k}]"));
        let rb = e.input(&format!("msa.ws3.county.ratebook[{k}]"));
        let id = format!("msa.ws3.county.risk_adjusted[{k}]");
        if e.text(&format!("msa.ws3.county.code[{k}]")).is_empty() {
            e.set_blank(&id);
        } else {
            e.set(&id, mul(rb, risk));
        }
        mm_s = add(mm_s, mm);
        risk_s = add(risk_s, mul(mm, risk));
        rb_s = add(rb_s, mul(mm, rb));
        adj_s = add(adj_s, mul(mul(mm, risk), rb));
    }
    e.set("msa.ws3.summary.mm", mm_s);
    e.set("msa.ws3.summary.risk", div0(risk_s, mm_s));
    e.set("msa.ws3.summary.ratebook", div0(rb_s, mm_s));
    e.set("msa.ws3.summary.risk_adjusted", div0(adj_s, mm_s));
}

/// MSA WS2 (MA WS2 lines 1365–1418): experience projected with the WS1
/// factors, manual, and their credibility blend; line s totals; the CMS
/// credibility guideline MIN(1, √(base MM ÷ 24,000)) (lines 336–367).
fn ws2(e: &mut Engine<'_>) {
    let mm = e.get("msa.ws3.summary.mm");
    let risk = e.get("msa.ws3.summary.risk");
    e.set("msa.ws2.projection.mm_total", mm);
    e.set("msa.ws2.projection.risk_total", risk);
    let (mut exp_s, mut man_s, mut blend_s) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for k in e.rows("msa.ws2.allowed") {
        let p = |c: &str| format!("msa.ws1.projection.{c}[{k}]");
        let util_factor = [
            "util_trend",
            "benefit_change",
            "population_change",
            "other_util",
        ]
        .iter()
        .fold(Decimal::ONE, |acc, c| mul(acc, e.input(&p(c))));
        let cost_factor = mul(e.input(&p("provider_payment")), e.input(&p("other_cost")));
        let base_util = e.input(&format!("msa.ws1.base.util_per_1000[{k}]"));
        let base_allowed = e.input(&format!("msa.ws1.base.allowed_pmpm[{k}]"));
        let exp_util = add(mul(base_util, util_factor), e.input(&p("additive_util")));
        let exp_allowed = add(
            mul(mul(base_allowed, util_factor), cost_factor),
            e.input(&p("additive_pmpm")),
        );
        let a = |c: &str| format!("msa.ws2.allowed.{c}[{k}]");
        let man_util = e.input(&a("man_util"));
        let man_allowed = e.input(&a("man_allowed"));
        let cred = e.input(&a("credibility"));
        let rest = sub(Decimal::ONE, cred);
        let blend_util = add(mul(cred, exp_util), mul(rest, man_util));
        let blend_allowed = add(mul(cred, exp_allowed), mul(rest, man_allowed));
        e.set(&a("exp_util"), exp_util);
        e.set(&a("exp_allowed"), exp_allowed);
        e.set(&a("exp_avg_cost"), div0(mul(exp_allowed, K12), exp_util));
        e.set(&a("man_avg_cost"), div0(mul(man_allowed, K12), man_util));
        e.set(&a("blend_util"), blend_util);
        e.set(&a("blend_allowed"), blend_allowed);
        e.set(
            &a("blend_avg_cost"),
            div0(mul(blend_allowed, K12), blend_util),
        );
        exp_s = add(exp_s, exp_allowed);
        man_s = add(man_s, man_allowed);
        blend_s = add(blend_s, blend_allowed);
    }
    e.set("msa.ws2.allowed.exp_allowed[s]", exp_s);
    e.set("msa.ws2.allowed.man_allowed[s]", man_s);
    e.set("msa.ws2.allowed.blend_allowed[s]", blend_s);
    let base_mm = e.input("msa.ws1.base_period.mm_total").max(Decimal::ZERO);
    let guideline = div0(base_mm, CRED_FULL_MM)
        .sqrt()
        .unwrap_or(Decimal::ZERO)
        .min(Decimal::ONE);
    e.set("msa.ws2.credibility.cms_guideline", guideline);
}

/// MSA WS4 (Appendix H lines 3719–3783). Section II: gross claims PMPM of
/// each claim interval = annual average claim × share of member months ÷ 12
/// (column f), and the column totals. Section III: a = total of column g;
/// d = a + b + c; e = WS3 line 1 column h; f = e − d (the monthly enrollee
/// deposit); g = a, b, c as shares of d; h = WS3 line 1 column g.
fn ws4(e: &mut Engine<'_>) {
    let risk = e.get("msa.ws3.summary.risk");
    e.set("msa.ws4.claims.risk_factor", risk);
    let (mut pct_s, mut gross_s, mut over_s) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for k in e.rows("msa.ws4.claims") {
        let avg = e.input(&format!("msa.ws4.claims.avg_claim[{k}]"));
        let pct = e.input(&format!("msa.ws4.claims.pct_mm[{k}]"));
        let over = e.input(&format!("msa.ws4.claims.over_deductible[{k}]"));
        let gross = div0(mul(avg, pct), TWELVE);
        e.set(&format!("msa.ws4.claims.gross[{k}]"), gross);
        pct_s = add(pct_s, pct);
        gross_s = add(gross_s, gross);
        over_s = add(over_s, over);
    }
    e.set("msa.ws4.claims.pct_mm[total]", pct_s);
    e.set("msa.ws4.claims.gross[total]", gross_s);
    e.set("msa.ws4.claims.over_deductible[total]", over_s);

    let medical = over_s;
    let nbe = e.input("msa.ws4.summary.nbe");
    let margin = e.input("msa.ws4.summary.margin");
    let revreq = add(add(medical, nbe), margin);
    let benchmark = e.get("msa.ws3.summary.risk_adjusted");
    e.set("msa.ws4.summary.medical", medical);
    e.set("msa.ws4.summary.revenue_requirement", revreq);
    e.set("msa.ws4.summary.plan_benchmark", benchmark);
    e.set("msa.ws4.summary.enrollee_deposit", sub(benchmark, revreq));
    e.set("msa.ws4.summary.pct_medical", div0(medical, revreq));
    e.set("msa.ws4.summary.pct_nbe", div0(nbe, revreq));
    e.set("msa.ws4.summary.pct_margin", div0(margin, revreq));
    let std = e.get("msa.ws3.summary.ratebook");
    e.set("msa.ws4.summary.standardized_benchmark", std);
}

/// MSA WS5 (MA WS7 lines 2515–2617): for each package, allowed PMPM =
/// utilization × average cost ÷ 12,000; cost sharing PMPM = utilization ×
/// average cost sharing (÷ 12,000 unless the unit is `Coin`); net = allowed −
/// cost sharing; the package's net total, and its premium ROUND(net + NBE +
/// gain/loss, 1).
fn ws5(e: &mut Engine<'_>) {
    for n in 1..=5 {
        let pkg = format!("msa.ws5.pkg{n}");
        if !e.has(&format!("{pkg}.net_total")) {
            continue;
        }
        let mut total = Decimal::ZERO;
        for k in e.rows(&format!("{pkg}.lines")) {
            let c = |col: &str| format!("{pkg}.lines.{col}[{k}]");
            let allowed = div0(mul(e.input(&c("util")), e.input(&c("avg_cost"))), K12);
            let cs_raw = mul(e.input(&c("cs_util")), e.input(&c("cs_avg")));
            let cs = if e.text(&c("cs_unit")).eq_ignore_ascii_case("Coin") {
                cs_raw
            } else {
                div0(cs_raw, K12)
            };
            let net = sub(allowed, cs);
            e.set(&c("allowed_pmpm"), allowed);
            e.set(&c("cs_pmpm"), cs);
            e.set(&c("net_pmpm"), net);
            total = add(total, net);
        }
        e.set(&format!("{pkg}.net_total"), total);
        let raw = add(
            add(total, e.input(&format!("{pkg}.nbe"))),
            e.input(&format!("{pkg}.gain_loss")),
        );
        e.set_round(&format!("{pkg}.premium"), raw, 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::calc::recalc;
    use crate::template::{Layout, builtin_cached};
    use crate::value::{Value, Values};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn layout() -> &'static Layout {
        builtin_cached("msa-bpt-2013").expect("MSA template")
    }

    fn put(v: &mut Values, id: &str, d: Decimal) {
        v.set(id, Value::Number(d));
    }

    /// Appendix H's claim-interval example (lines 3735–3737): 20 % of member
    /// months at $11,500 a year, 10 % at $4,400, the rest (70 %) at $300;
    /// deductible $5,000; one county, ratebook $800, risk 1.05.
    fn appendix_example() -> Values {
        let mut v = Values::default();
        put(&mut v, "msa.ws1.general.deductible", dec!(5000));
        // $300 is in interval 1 ($0–$999), $4,400 in 5, $11,500 in 12.
        put(&mut v, "msa.ws4.claims.avg_claim[1]", dec!(300));
        put(&mut v, "msa.ws4.claims.pct_mm[1]", dec!(0.70));
        put(&mut v, "msa.ws4.claims.over_deductible[1]", dec!(0));
        put(&mut v, "msa.ws4.claims.avg_claim[5]", dec!(4400));
        put(&mut v, "msa.ws4.claims.pct_mm[5]", dec!(0.10));
        put(&mut v, "msa.ws4.claims.over_deductible[5]", dec!(0));
        put(&mut v, "msa.ws4.claims.avg_claim[12]", dec!(11500));
        put(&mut v, "msa.ws4.claims.pct_mm[12]", dec!(0.20));
        // (11,500 − 5,000) × 20 % ÷ 12 = 108.33
        put(&mut v, "msa.ws4.claims.over_deductible[12]", dec!(108.33));
        put(&mut v, "msa.ws4.summary.nbe", dec!(20));
        put(&mut v, "msa.ws4.summary.margin", dec!(5));
        v.set("msa.ws3.county.code[1]", Value::Text("36061".into()));
        put(&mut v, "msa.ws3.county.mm[1]", dec!(12000));
        put(&mut v, "msa.ws3.county.risk[1]", dec!(1.05));
        put(&mut v, "msa.ws3.county.ratebook[1]", dec!(800));
        v
    }

    #[test]
    fn appendix_claim_interval_example() {
        let r = recalc(layout(), &appendix_example());
        assert!(r.stray.is_empty(), "{:?}", r.stray);
        let n = |id: &str| r.values.num(id).unwrap_or_else(|| panic!("{id}"));
        // 11,500 × 20 % ÷ 12 = 191.666…; 4,400 × 10 % ÷ 12 = 36.666…;
        // 300 × 70 % ÷ 12 = 17.50.
        assert_eq!(n("msa.ws4.claims.gross[12]").round_dp(4), dec!(191.6667));
        assert_eq!(n("msa.ws4.claims.gross[5]").round_dp(4), dec!(36.6667));
        assert_eq!(n("msa.ws4.claims.gross[1]"), dec!(17.5));
        assert_eq!(n("msa.ws4.claims.gross[total]").round_dp(4), dec!(245.8333));
        assert_eq!(n("msa.ws4.claims.pct_mm[total]"), dec!(1));
        // a = 108.33; d = 108.33 + 20 + 5 = 133.33; e = 800 × 1.05 = 840;
        // f = 840 − 133.33 = 706.67; h = 800.
        assert_eq!(n("msa.ws4.summary.medical"), dec!(108.33));
        assert_eq!(n("msa.ws4.summary.revenue_requirement"), dec!(133.33));
        assert_eq!(n("msa.ws4.summary.plan_benchmark"), dec!(840));
        assert_eq!(n("msa.ws4.summary.enrollee_deposit"), dec!(706.67));
        assert_eq!(n("msa.ws4.summary.standardized_benchmark"), dec!(800));
        // g: 108.33 / 133.33 = 81.25 %; 20 / 133.33 = 15.00 %; 5 / 133.33 = 3.75 %.
        assert_eq!(n("msa.ws4.summary.pct_medical").round_dp(4), dec!(0.8125));
        assert_eq!(n("msa.ws4.summary.pct_nbe").round_dp(4), dec!(0.1500));
        assert_eq!(n("msa.ws4.summary.pct_margin").round_dp(4), dec!(0.0375));
        assert_eq!(n("msa.ws4.claims.risk_factor"), dec!(1.05));
        assert_eq!(
            r.values.get("msa.ws3.county.risk_adjusted[2]"),
            &Value::Empty
        );
    }

    #[test]
    fn projection_blend_and_credibility() {
        let mut v = Values::default();
        put(&mut v, "msa.ws1.base_period.mm_total", dec!(6000));
        put(&mut v, "msa.ws1.base.allowed_pmpm[a]", dec!(250));
        put(&mut v, "msa.ws1.base.net_pmpm[a]", dec!(240));
        put(&mut v, "msa.ws1.base.util_per_1000[a]", dec!(300));
        for c in [
            "util_trend",
            "benefit_change",
            "population_change",
            "other_util",
            "other_cost",
        ] {
            put(&mut v, &format!("msa.ws1.projection.{c}[a]"), dec!(1));
        }
        put(&mut v, "msa.ws1.projection.util_trend[a]", dec!(1.02));
        put(&mut v, "msa.ws1.projection.provider_payment[a]", dec!(1.05));
        put(&mut v, "msa.ws2.allowed.man_allowed[a]", dec!(300));
        put(&mut v, "msa.ws2.allowed.man_util[a]", dec!(320));
        put(&mut v, "msa.ws2.allowed.credibility[a]", dec!(0.5));
        let r = recalc(layout(), &v);
        assert!(r.stray.is_empty(), "{:?}", r.stray);
        let n = |id: &str| r.values.num(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(n("msa.ws1.base.cost_sharing[a]"), dec!(10));
        assert_eq!(n("msa.ws1.base.avg_cost[a]"), dec!(10000));
        // 300 × 1.02 = 306; 250 × 1.02 × 1.05 = 267.75.
        assert_eq!(n("msa.ws2.allowed.exp_util[a]"), dec!(306));
        assert_eq!(n("msa.ws2.allowed.exp_allowed[a]"), dec!(267.75));
        // Blend 50/50: util 313, allowed 283.875.
        assert_eq!(n("msa.ws2.allowed.blend_util[a]"), dec!(313));
        assert_eq!(n("msa.ws2.allowed.blend_allowed[a]"), dec!(283.875));
        assert_eq!(n("msa.ws2.allowed.blend_allowed[s]"), dec!(283.875));
        assert_eq!(n("msa.ws2.allowed.man_avg_cost[a]"), dec!(11250));
        // √(6,000 / 24,000) = 0.5.
        assert_eq!(
            n("msa.ws2.credibility.cms_guideline").round_dp(10),
            dec!(0.5)
        );
    }

    #[test]
    fn osb_premium_rounds_to_the_dime_and_hostile_numbers_do_not_panic() {
        let mut v = Values::default();
        put(&mut v, "msa.ws5.pkg1.lines.util[1]", dec!(500));
        put(&mut v, "msa.ws5.pkg1.lines.avg_cost[1]", dec!(150));
        v.set("msa.ws5.pkg1.lines.cs_unit[1]", Value::Text("Coin".into()));
        put(&mut v, "msa.ws5.pkg1.lines.cs_util[1]", dec!(6.25));
        put(&mut v, "msa.ws5.pkg1.lines.cs_avg[1]", dec!(0.2));
        put(&mut v, "msa.ws5.pkg1.nbe", dec!(0.52));
        put(&mut v, "msa.ws5.pkg1.gain_loss", dec!(0.1));
        let r = recalc(layout(), &v);
        // 500 × 150 / 12,000 = 6.25; Coin: 6.25 × 0.2 = 1.25; net 5.00;
        // premium ROUND(5.00 + 0.52 + 0.10, 1) = 5.6.
        assert_eq!(r.values.num("msa.ws5.pkg1.net_total"), Some(dec!(5)));
        assert_eq!(r.values.num("msa.ws5.pkg1.premium"), Some(dec!(5.6)));
        let mut h = Values::default();
        put(&mut h, "msa.ws4.claims.avg_claim[1]", Decimal::MAX);
        put(&mut h, "msa.ws4.claims.pct_mm[1]", Decimal::MAX);
        put(&mut h, "msa.ws3.county.mm[1]", Decimal::MAX);
        put(&mut h, "msa.ws3.county.mm[2]", Decimal::MAX);
        put(&mut h, "msa.ws3.county.risk[1]", Decimal::MAX);
        put(&mut h, "msa.ws1.base_period.mm_total", Decimal::MIN);
        let _ = recalc(layout(), &h);
        put(&mut h, "msa.ws1.base_period.mm_total", Decimal::MAX);
        put(&mut h, "msa.ws5.pkg1.nbe", Decimal::MAX);
        put(&mut h, "msa.ws5.pkg1.gain_loss", Decimal::MAX);
        let r = recalc(layout(), &h);
        assert_eq!(
            r.values.num("msa.ws2.credibility.cms_guideline"),
            Some(Decimal::ONE)
        );
    }
}
