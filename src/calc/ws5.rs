//! WS5: MA benchmark PMPM (instructions lines 2065–2303; QBP % and rebate %
//! by star rating 174–205; MSP adjustment 642–667; ISAR factors 805–819).
//!
//! Two passes, because the form's chain of money runs through WS5 twice:
//!
//! * [`county`] (before WS2 and WS4): the general block, the county rows'
//!   columns i–j, the row-36 service-area summary of columns e–j and n–s, and
//!   Section II lines 1 and 4 (member months and risk factors), which WS2 and
//!   WS4 read together with the Section VII cost-sharing factors.
//! * [`bid`] (after WS4): Section II lines 2–3 and 5–8, Sections III–V, and
//!   the county columns k–m (and their row-36 averages), which need the
//!   standardized bid.
//!
//! Every formula matches the template's: blanks count as zero, county calc
//! cells are blank while the code (column b) is blank, averages are 0 when
//! their weight is 0, and only the plan bid, standardized bid, savings,
//! rebate and basic member premium are rounded (to cents). Sums over the
//! 1,000 county rows saturate instead of overflowing.
use super::{Engine, add, div0, mul, sub};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The county table (Sec VI line 3 and Sec VII), rows "1".."1000".
const COUNTY: &str = "ws5.county";
/// Row 36: totals and weighted averages of the county rows.
const SUMMARY: &str = "ws5.county_summary";

/// The new/low indicator for a low-enrollment contract.
pub const LOW: &str = "Low";
/// The new/low indicator for a new contract under a new parent organization.
pub const NEW_PARENT: &str = "New contract under new parent org";

/// CY2013 rebate factor (the post-ACA level) for a contract, from the table
/// at lines 188–195: 70 % at 4.5 stars and above, 65 % at 3.5 and 4.0, 50 %
/// at 3.0 and below — except that at 3.0 stars a low-enrollment contract gets
/// 70 %, and a new contract under a new parent organization or an
/// Employer/Union Direct Contract PFFS (plan type "ED PFFS") gets 65 %.
///
/// Star ratings are compared as the template's `IF` chain does: ≥ 4.5, ≥ 3.5,
/// then the 3.0 band is 3.0 ≤ rating < 3.5. Text compares case-insensitively,
/// as Excel's `=` does. A blank rating is 0 (below 3.0).
///
/// ```
/// use bpt::calc::rebate_factor;
/// use rust_decimal_macros::dec;
/// assert_eq!(rebate_factor(dec!(4.5), "", "HMO"), dec!(0.70));
/// assert_eq!(rebate_factor(dec!(4.0), "", "HMO"), dec!(0.65));
/// assert_eq!(rebate_factor(dec!(3.0), "", "HMO"), dec!(0.50));
/// assert_eq!(rebate_factor(dec!(3.0), "Low", "HMO"), dec!(0.70));
/// assert_eq!(rebate_factor(dec!(3.0), "", "ED PFFS"), dec!(0.65));
/// ```
pub fn rebate_factor(star_rating: Decimal, new_low: &str, plan_type: &str) -> Decimal {
    if star_rating >= dec!(4.5) {
        dec!(0.70)
    } else if star_rating >= dec!(3.5) {
        dec!(0.65)
    } else if star_rating >= dec!(3) && new_low.eq_ignore_ascii_case(LOW) {
        dec!(0.70)
    } else if star_rating >= dec!(3)
        && (new_low.eq_ignore_ascii_case(NEW_PARENT) || plan_type.eq_ignore_ascii_case("ED PFFS"))
    {
        dec!(0.65)
    } else {
        dec!(0.50)
    }
}

/// CY2013 rebate percentage (WS5 Sec V line 3): ⅔ of the pre-ACA level
/// (75 %) plus ⅓ of the [`rebate_factor`], computed as `(2 × 75 % + factor)
/// / 3` exactly as the template's formula does. 73⅓ % at 4.5–5.0 stars,
/// 71⅔ % at 3.5–4.0, 66⅔ % at 3.0 and below, with the 3.0-star exceptions:
/// low-enrollment contract 73⅓ %, new contract under a new parent
/// organization 71⅔ %, ED PFFS 71⅔ % (table at lines 188–195).
///
/// ```
/// use bpt::calc::rebate_pct;
/// use rust_decimal_macros::dec;
/// let pct = |s, nl, pt| rebate_pct(s, nl, pt).round_dp(6);
/// assert_eq!(pct(dec!(5.0), "", "HMO"), dec!(0.733333));
/// assert_eq!(pct(dec!(3.5), "", "LPPO"), dec!(0.716667));
/// assert_eq!(pct(dec!(3.0), "", "HMO"), dec!(0.666667));
/// assert_eq!(pct(dec!(2.5), "", "HMO"), dec!(0.666667));
/// // The 3.0-star exceptions.
/// assert_eq!(pct(dec!(3.0), "Low", "HMO"), dec!(0.733333));
/// assert_eq!(pct(dec!(3.0), "New contract under new parent org", "HMO"), dec!(0.716667));
/// assert_eq!(pct(dec!(3.0), "", "ED PFFS"), dec!(0.716667));
/// // Appendix E: a $0.68 change at 73⅓ % is a $0.50 change in rebates.
/// let r = bpt::calc::round(dec!(0.68) * rebate_pct(dec!(4.5), "", "HMO"), 2);
/// assert_eq!(r, dec!(0.50));
/// ```
pub fn rebate_pct(star_rating: Decimal, new_low: &str, plan_type: &str) -> Decimal {
    (dec!(2) * dec!(0.75) + rebate_factor(star_rating, new_low, plan_type)) / dec!(3)
}

/// CY2013 quality bonus payment percentage (table at lines 188–195): 5 % at
/// 5.0 stars, 4 % at 4.0–4.5, 3.5 % at 3.5, 3 % at 3.0, 0 below 3.0 (and for
/// a blank rating). The new/low indicator and plan type do not change it: a
/// low-enrollment contract and a new contract under a new parent
/// organization "received three stars for QBP purposes" (lines 180 and 184),
/// and that rating is what CMS releases and the plan enters in line 1.
///
/// ```
/// use bpt::calc::qbp_pct;
/// use rust_decimal_macros::dec;
/// assert_eq!(qbp_pct(dec!(5.0)), dec!(0.05));
/// assert_eq!(qbp_pct(dec!(4.5)), dec!(0.04));
/// assert_eq!(qbp_pct(dec!(4.0)), dec!(0.04));
/// assert_eq!(qbp_pct(dec!(3.5)), dec!(0.035));
/// assert_eq!(qbp_pct(dec!(3.0)), dec!(0.03));
/// assert_eq!(qbp_pct(dec!(2.5)), dec!(0));
/// ```
pub fn qbp_pct(star_rating: Decimal) -> Decimal {
    if star_rating >= dec!(5) {
        dec!(0.05)
    } else if star_rating >= dec!(4) {
        dec!(0.04)
    } else if star_rating >= dec!(3.5) {
        dec!(0.035)
    } else if star_rating >= dec!(3) {
        dec!(0.03)
    } else {
        Decimal::ZERO
    }
}

/// `IF(cell="",…)` on a county code: blank when the code holds nothing.
fn has_code(e: &Engine<'_>, key: &str) -> bool {
    !e.text(&format!("{COUNTY}.code[{key}]")).is_empty()
}

/// The inputs of one county row that the second pass needs again.
#[derive(Clone, Copy)]
struct Row {
    code: bool,
    mm: Decimal,
    risk: Decimal,
    isar_factor: Decimal,
    ratebook: Decimal,
}

/// Section I, the county rows' columns i–j, row 36 (columns e–j and n–s)
/// and Section II lines 1 and 4. Runs before WS2 and WS4.
pub(super) fn county(e: &mut Engine<'_>) {
    e.copy_general("ws1", "ws5");
    let keys = e.rows(COUNTY);
    let mut rows = Vec::with_capacity(keys.len());
    // Σ e, Σ e×f, Σ e×g, Σ e×h, Σ e×q…s, Σ e×q×n, e×r×o, e×s×p.
    let (mut mm, mut mm_risk, mut mm_g, mut mm_h) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut mm_ffs = [Decimal::ZERO; 3];
    let mut mm_ffs_ae = [Decimal::ZERO; 3];
    const AE: [(&str, &str); 3] = [
        ("ae_inpatient", "ffs_inpatient"),
        ("ae_snf", "ffs_snf"),
        ("ae_part_b", "ffs_part_b"),
    ];
    for k in &keys {
        let num = |c: &str| e.input(&format!("{COUNTY}.{c}[{k}]"));
        let r = Row {
            code: has_code(e, k),
            mm: num("mm"),
            risk: num("risk"),
            isar_factor: num("isar_factor"),
            ratebook: num("ratebook"),
        };
        mm = add(mm, r.mm);
        mm_risk = add(mm_risk, mul(r.mm, r.risk));
        mm_g = add(mm_g, mul(r.mm, r.isar_factor));
        mm_h = add(mm_h, mul(r.mm, r.ratebook));
        for (i, (ae, ffs)) in AE.iter().enumerate() {
            let w = mul(r.mm, num(ffs));
            mm_ffs[i] = add(mm_ffs[i], w);
            mm_ffs_ae[i] = add(mm_ffs_ae[i], mul(w, num(ae)));
        }
        rows.push(r);
    }
    let avg = |s: Decimal| div0(s, mm);
    e.set(&format!("{SUMMARY}.mm"), mm);
    let risk = avg(mm_risk);
    e.set(&format!("{SUMMARY}.risk"), risk);
    let avg_g = avg(mm_g);
    e.set(&format!("{SUMMARY}.isar_factor"), avg_g);
    let avg_h = avg(mm_h);
    e.set(&format!("{SUMMARY}.ratebook"), avg_h);
    for (i, (ae, ffs)) in AE.iter().enumerate() {
        e.set(&format!("{SUMMARY}.{ae}"), div0(mm_ffs_ae[i], mm_ffs[i]));
        e.set(&format!("{SUMMARY}.{ffs}"), avg(mm_ffs[i]));
    }

    // Columns i (h × f) and j (g or h over its row-36 average).
    let use_isar = e
        .text(&format!("{SUMMARY}.use_isar"))
        .eq_ignore_ascii_case("Yes");
    let (mut mm_i, mut mm_j) = (Decimal::ZERO, Decimal::ZERO);
    for (k, r) in keys.iter().zip(&rows) {
        let i_id = format!("{COUNTY}.risk_adjusted[{k}]");
        let j_id = format!("{COUNTY}.isar_scale[{k}]");
        if !r.code {
            e.set_blank(&i_id);
            e.set_blank(&j_id);
            continue;
        }
        let i = mul(r.ratebook, r.risk);
        let j = if use_isar {
            div0(r.isar_factor, avg_g)
        } else {
            div0(r.ratebook, avg_h)
        };
        e.set(&i_id, i);
        e.set(&j_id, j);
        mm_i = add(mm_i, mul(r.mm, i));
        mm_j = add(mm_j, mul(r.mm, j));
    }
    e.set(&format!("{SUMMARY}.risk_adjusted"), avg(mm_i));
    e.set(&format!("{SUMMARY}.isar_scale"), avg(mm_j));

    // Sec II line 1 (member months) and line 4 (risk factors).
    let mm_non_de = e.input("ws5.bid.mm_non_de");
    let mm_de = sub(mm, mm_non_de);
    e.set("ws5.bid.mm_total", mm);
    e.set("ws5.bid.mm_de", mm_de);
    let risk_non_de = e.input("ws5.bid.risk_non_de");
    e.set("ws5.bid.risk_total", risk);
    let risk_de = div0(sub(mul(risk, mm), mul(risk_non_de, mm_non_de)), mm_de);
    e.set("ws5.bid.risk_de", risk_de);
}

/// Section II lines 2–3 and 5–8, Sections III–V, county columns k–m and
/// their row-36 averages. Runs after WS4.
pub(super) fn bid(e: &mut Engine<'_>) {
    let plan_type = e.text("ws1.general.plan_type");

    // Sec V: quality rating.
    let new_low = e.text("ws5.quality.new_low");
    // A low-enrollment contract and a new contract under a new parent
    // organization "received three stars for QBP purposes" (lines 180, 184):
    // with the rating blank they are priced as 3.0, as the template does.
    let three_by_rule =
        new_low.eq_ignore_ascii_case(LOW) || new_low.eq_ignore_ascii_case(NEW_PARENT);
    let star = if three_by_rule && e.inputs.get("ws5.quality.star_rating").is_empty() {
        dec!(3)
    } else {
        e.input("ws5.quality.star_rating")
    };
    let pct = rebate_pct(star, &new_low, &plan_type);
    e.set("ws5.quality.rebate_pct", pct);
    e.set("ws5.quality.qbp_pct", qbp_pct(star));

    // Sec II lines 5, 7, 8.
    let msp = e.input("ws5.bid.msp");
    let risk = e.get("ws5.bid.risk_total");
    let cf = mul(sub(Decimal::ONE, msp), risk);
    e.set("ws5.bid.conversion_factor", cf);
    let plan_bid = e.set_round("ws5.bid.plan_bid", e.get("ws4.revreq.x_o"), 2);
    let std_bid = if cf.is_zero() {
        e.set("ws5.bid.standardized_bid", Decimal::ZERO);
        Decimal::ZERO
    } else {
        e.set_round("ws5.bid.standardized_bid", div0(plan_bid, cf), 2)
    };

    // Sec IV: the regional benchmark, weighting the statutory component and
    // the plan bid component (M17, or the standardized bid when blank).
    let w = e.input("ws5.regional.statutory_weight");
    let statutory = e.input("ws5.regional.statutory_component");
    let component = e
        .input_opt("ws5.regional.plan_bid_component")
        .unwrap_or(std_bid);
    let regional = add(mul(w, statutory), mul(sub(Decimal::ONE, w), component));
    e.set("ws5.regional.standardized_benchmark", regional);

    // Sec II lines 2 and 6.
    let std_benchmark = if plan_type.eq_ignore_ascii_case("RPPO") {
        regional
    } else {
        e.get(&format!("{SUMMARY}.ratebook"))
    };
    e.set("ws5.bid.standardized_benchmark", std_benchmark);
    let plan_benchmark = mul(std_benchmark, cf);
    e.set("ws5.bid.plan_benchmark", plan_benchmark);

    // Sec III.
    let savings = sub(plan_benchmark, plan_bid).max(Decimal::ZERO);
    let savings = e.set_round("ws5.savings.savings", savings, 2);
    e.set_round("ws5.savings.rebate", mul(savings, pct), 2);
    let premium = sub(std_bid, std_benchmark).max(Decimal::ZERO);
    e.set_round("ws5.savings.basic_premium", premium, 2);

    // County columns k (standardized bid × j), l (k × V / h), m (k − l).
    let mm = e.get(&format!("{SUMMARY}.mm"));
    let (mut mm_k, mut mm_l, mut mm_m) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for key in e.rows(COUNTY) {
        let k_id = format!("{COUNTY}.isar_bid[{key}]");
        let l_id = format!("{COUNTY}.rate_part_a[{key}]");
        let m_id = format!("{COUNTY}.rate_part_b[{key}]");
        if !has_code(e, &key) {
            e.set_blank(&k_id);
            e.set_blank(&l_id);
            e.set_blank(&m_id);
            continue;
        }
        let num = |c: &str| e.input(&format!("{COUNTY}.{c}[{key}]"));
        let (row_mm, h, v) = (num("mm"), num("ratebook"), num("ratebook_part_a"));
        let j = e.get(&format!("{COUNTY}.isar_scale[{key}]"));
        let k = mul(std_bid, j);
        let l = div0(mul(k, v), h);
        let m = sub(k, l);
        e.set(&k_id, k);
        e.set(&l_id, l);
        e.set(&m_id, m);
        mm_k = add(mm_k, mul(row_mm, k));
        mm_l = add(mm_l, mul(row_mm, l));
        mm_m = add(mm_m, mul(row_mm, m));
    }
    e.set(&format!("{SUMMARY}.isar_bid"), div0(mm_k, mm));
    e.set(&format!("{SUMMARY}.rate_part_a"), div0(mm_l, mm));
    e.set(&format!("{SUMMARY}.rate_part_b"), div0(mm_m, mm));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Value, Values};
    use rust_decimal_macros::dec;

    /// Runs WS5's two passes on `v`, with WS4 line x column o set to `x_o`
    /// (what `ws4::calc` computes between them).
    fn run(v: &Values, x_o: Decimal) -> Values {
        let layout = crate::template::builtin_cached("ma-bpt-2013").unwrap();
        let mut e = Engine::new(layout, v);
        county(&mut e);
        e.set("ws4.revreq.x_o", x_o);
        bid(&mut e);
        assert!(e.stray.is_empty(), "stray ids: {:?}", e.stray);
        e.values().clone()
    }

    fn text(v: &mut Values, id: &str, t: &str) {
        v.set(id, Value::Text(t.into()));
    }

    /// One county row: code, MM, risk, ratebook h, Part A portion V,
    /// AE factors n–p, FFS costs q–s.
    fn county_row(v: &mut Values, key: u32, code: &str, nums: [Decimal; 10]) {
        if !code.is_empty() {
            text(v, &format!("ws5.county.code[{key}]"), code);
        }
        let cols = [
            "mm",
            "risk",
            "ratebook",
            "ratebook_part_a",
            "ae_inpatient",
            "ae_snf",
            "ae_part_b",
            "ffs_inpatient",
            "ffs_snf",
            "ffs_part_b",
        ];
        for (c, d) in cols.iter().zip(nums) {
            v.set_num(format!("ws5.county.{c}[{key}]"), d);
        }
    }

    /// Two counties (6,000 and 4,000 member months), 7,000 non-DE# MM at
    /// risk 1.000, MSP 2.53 %, 4.0 stars.
    fn two_counties(plan_type: &str) -> Values {
        let mut v = Values::default();
        text(&mut v, "ws1.general.plan_type", plan_type);
        text(&mut v, "ws1.general.contract_number", "H1234");
        county_row(
            &mut v,
            1,
            "01001",
            [
                dec!(6000),
                dec!(1.000),
                dec!(800.00),
                dec!(360.00),
                dec!(0.08),
                dec!(0.15),
                dec!(0.19),
                dec!(300),
                dec!(50),
                dec!(400),
            ],
        );
        county_row(
            &mut v,
            2,
            "01003",
            [
                dec!(4000),
                dec!(1.100),
                dec!(850.00),
                dec!(380.00),
                dec!(0.07),
                dec!(0.16),
                dec!(0.18),
                dec!(320),
                dec!(60),
                dec!(420),
            ],
        );
        text(&mut v, "ws5.county_summary.use_isar", "No");
        v.set_num("ws5.bid.mm_non_de", dec!(7000));
        v.set_num("ws5.bid.risk_non_de", dec!(1.000));
        // The MSP example of lines 657–667: 1 − $9,747,000 / $10,000,000.
        v.set_num("ws5.bid.msp", dec!(1) - dec!(9747000) / dec!(10000000));
        v.set_num("ws5.quality.star_rating", dec!(4.0));
        v
    }

    fn n(out: &Values, id: &str) -> Decimal {
        out.num(id)
            .unwrap_or_else(|| panic!("{id} is not a number"))
    }

    #[test]
    fn local_plan_benchmark_bid_savings_and_rebate() {
        let v = two_counties("HMO");
        let out = run(&v, dec!(760.004));
        let n = |id: &str| n(&out, id);
        assert_eq!(out.text("ws5.general.contract_number"), Some("H1234"));
        assert_eq!(out.text("ws5.general.plan_type"), Some("HMO"));
        assert_eq!(out.get("ws5.general.plan_name"), &Value::Empty);
        // Sec II line 1: 10,000 total, 7,000 non-DE#, 3,000 DE#.
        assert_eq!(n("ws5.bid.mm_total"), dec!(10000));
        assert_eq!(n("ws5.bid.mm_de"), dec!(3000));
        // Line 4: (6,000 × 1.000 + 4,000 × 1.100) / 10,000 = 1.04; DE# =
        // (1.04 × 10,000 − 1.000 × 7,000) / 3,000 = 17/15.
        assert_eq!(n("ws5.bid.risk_total"), dec!(1.04));
        assert_eq!(n("ws5.bid.risk_de").round_dp(10), dec!(1.1333333333));
        // Line 2 (local): MM-weighted ratebook (6,000 × 800 + 4,000 × 850) / 10,000.
        assert_eq!(n("ws5.bid.standardized_benchmark"), dec!(820));
        // Line 3: the spec's 2.53 %; line 5: (1 − 0.0253) × 1.04.
        assert_eq!(v.num("ws5.bid.msp"), Some(dec!(0.0253)));
        assert_eq!(n("ws5.bid.conversion_factor"), dec!(1.013688));
        // Line 6: 820 × 1.013688; line 7: ROUND(760.004, 2);
        // line 8: ROUND(760 / 1.013688, 2) = ROUND(749.7376, 2).
        assert_eq!(n("ws5.bid.plan_benchmark"), dec!(831.22416));
        assert_eq!(n("ws5.bid.plan_bid"), dec!(760.00));
        assert_eq!(n("ws5.bid.standardized_bid"), dec!(749.74));
        // Sec III: savings ROUND(71.22416, 2); rebate at 71⅔ % (4.0 stars):
        // ROUND(71.22 × 43/60 = 51.0410, 2); no basic premium (749.74 < 820).
        assert_eq!(n("ws5.savings.savings"), dec!(71.22));
        assert_eq!(n("ws5.savings.rebate"), dec!(51.04));
        assert_eq!(n("ws5.savings.basic_premium"), dec!(0));
        assert_eq!(n("ws5.quality.rebate_pct").round_dp(6), dec!(0.716667));
        assert_eq!(n("ws5.quality.qbp_pct"), dec!(0.04));
        // Sec IV for a local plan: no statutory weight → the standardized bid.
        assert_eq!(n("ws5.regional.standardized_benchmark"), dec!(749.74));
    }

    #[test]
    fn county_rows_and_service_area_summary() {
        let out = run(&two_counties("HMO"), dec!(760));
        let n = |id: &str| n(&out, id);
        let s = |c: &str| n(&format!("ws5.county_summary.{c}"));
        let c = |c: &str, k: u32| n(&format!("ws5.county.{c}[{k}]"));
        // Column i = h × f: 800 × 1.000, 850 × 1.100.
        assert_eq!(c("risk_adjusted", 1), dec!(800));
        assert_eq!(c("risk_adjusted", 2), dec!(935));
        // Column j = h / 820 (no plan-provided ISAR).
        assert_eq!(c("isar_scale", 1).round_dp(10), dec!(0.9756097561));
        assert_eq!(c("isar_scale", 2).round_dp(10), dec!(1.0365853659));
        // Column k = 749.74 × j; l = k × V / h; m = k − l.
        assert_eq!(c("isar_bid", 1).round_dp(8), dec!(731.45365854));
        assert_eq!(c("isar_bid", 2).round_dp(8), dec!(777.16951220));
        assert_eq!(c("rate_part_a", 1).round_dp(8), dec!(329.15414634));
        assert_eq!(c("rate_part_a", 2).round_dp(8), dec!(347.44048780));
        assert_eq!(c("rate_part_b", 1).round_dp(8), dec!(402.29951220));
        assert_eq!(c("rate_part_b", 2).round_dp(8), dec!(429.72902439));
        // Row 36: total MM and MM-weighted averages.
        assert_eq!(s("mm"), dec!(10000));
        assert_eq!(s("risk"), dec!(1.04));
        assert_eq!(s("ratebook"), dec!(820));
        assert_eq!(s("risk_adjusted"), dec!(854));
        assert_eq!(s("isar_factor"), dec!(0));
        assert_eq!(s("isar_scale").round_dp(20), dec!(1));
        assert_eq!(s("isar_bid").round_dp(20), dec!(749.74));
        assert_eq!(s("rate_part_a").round_dp(8), dec!(336.46868293));
        assert_eq!(s("rate_part_b").round_dp(8), dec!(413.27131707));
        assert_eq!(s("ffs_inpatient"), dec!(308));
        assert_eq!(s("ffs_snf"), dec!(54));
        assert_eq!(s("ffs_part_b"), dec!(408));
        // AE factors weighted by MM × FFS cost: inpatient (1,800,000 × 0.08 +
        // 1,280,000 × 0.07) / 3,080,000 = 146/1925; SNF 83,400 / 540,000;
        // Part B 758,400 / 4,080,000.
        assert_eq!(s("ae_inpatient").round_dp(12), dec!(0.075844155844));
        assert_eq!(s("ae_snf").round_dp(12), dec!(0.154444444444));
        assert_eq!(s("ae_part_b").round_dp(12), dec!(0.185882352941));
        // Rows without a code are blank.
        for col in [
            "risk_adjusted",
            "isar_scale",
            "isar_bid",
            "rate_part_a",
            "rate_part_b",
        ] {
            assert_eq!(out.get(&format!("ws5.county.{col}[3]")), &Value::Empty);
            assert_eq!(out.get(&format!("ws5.county.{col}[1000]")), &Value::Empty);
        }
    }

    #[test]
    fn blank_code_rows_still_count_in_sums_like_the_formulas() {
        // SUM(e) and SUMPRODUCT(e, f) take every row; SUMPRODUCT(e, i) sees
        // "" (0) in a row without a code.
        let mut v = two_counties("HMO");
        county_row(
            &mut v,
            3,
            "",
            [
                dec!(500),
                dec!(2),
                dec!(900),
                dec!(0),
                dec!(0),
                dec!(0),
                dec!(0),
                dec!(0),
                dec!(0),
                dec!(0),
            ],
        );
        let out = run(&v, dec!(760));
        let s = |c: &str| n(&out, &format!("ws5.county_summary.{c}"));
        assert_eq!(s("mm"), dec!(10500));
        // (6,000 + 4,400 + 1,000) / 10,500.
        assert_eq!(s("risk").round_dp(12), dec!(1.085714285714));
        // (4,800,000 + 3,400,000 + 450,000) / 10,500.
        assert_eq!(s("ratebook").round_dp(12), dec!(823.809523809524));
        // (4,800,000 + 3,740,000 + 0) / 10,500.
        assert_eq!(s("risk_adjusted").round_dp(12), dec!(813.333333333333));
        assert_eq!(out.get("ws5.county.risk_adjusted[3]"), &Value::Empty);
    }

    #[test]
    fn plan_provided_isar_factors() {
        let mut v = two_counties("RPPO");
        text(&mut v, "ws5.county_summary.use_isar", "Yes");
        v.set_num("ws5.county.isar_factor[1]", dec!(1.10));
        v.set_num("ws5.county.isar_factor[2]", dec!(0.95));
        let out = run(&v, dec!(760));
        // Average g = (6,000 × 1.10 + 4,000 × 0.95) / 10,000 = 1.04.
        assert_eq!(n(&out, "ws5.county_summary.isar_factor"), dec!(1.04));
        assert_eq!(
            n(&out, "ws5.county.isar_scale[1]").round_dp(10),
            dec!(1.0576923077)
        );
        assert_eq!(
            n(&out, "ws5.county.isar_scale[2]").round_dp(10),
            dec!(0.9134615385)
        );
    }

    #[test]
    fn regional_benchmark_with_and_without_plan_bid_component() {
        // RPPO, 3.0 stars: statutory $805.40 weighted 62.4 %.
        let mut v = two_counties("RPPO");
        v.set_num("ws5.quality.star_rating", dec!(3.0));
        v.set_num("ws5.regional.statutory_component", dec!(805.40));
        v.set_num("ws5.regional.statutory_weight", dec!(0.624));
        // M17 blank: the standardized bid ROUND(850 / 1.013688, 2) = 838.52
        // is the plan bid component: 0.624 × 805.40 + 0.376 × 838.52 =
        // 502.5696 + 315.28352 = 817.85312.
        let out = run(&v, dec!(850));
        let n1 = |id: &str| n(&out, id);
        assert_eq!(n1("ws5.bid.standardized_bid"), dec!(838.52));
        assert_eq!(n1("ws5.regional.standardized_benchmark"), dec!(817.85312));
        assert_eq!(n1("ws5.bid.standardized_benchmark"), dec!(817.85312));
        // Basic member premium ROUND(838.52 − 817.85312, 2) = 20.67; the
        // benchmark 817.85312 × 1.013688 = 829.0480... is below the bid: no savings.
        assert_eq!(n1("ws5.savings.basic_premium"), dec!(20.67));
        assert_eq!(n1("ws5.savings.savings"), dec!(0));
        assert_eq!(n1("ws5.savings.rebate"), dec!(0));
        assert_eq!(n1("ws5.quality.rebate_pct").round_dp(6), dec!(0.666667));
        assert_eq!(n1("ws5.quality.qbp_pct"), dec!(0.03));

        // M17 = $790.00 (an estimate of the regional average bid):
        // 502.5696 + 0.376 × 790 = 799.6096; premium ROUND(38.9104, 2).
        v.set_num("ws5.regional.plan_bid_component", dec!(790.00));
        let out = run(&v, dec!(850));
        assert_eq!(
            n(&out, "ws5.regional.standardized_benchmark"),
            dec!(799.6096)
        );
        assert_eq!(n(&out, "ws5.savings.basic_premium"), dec!(38.91));
    }

    /// One county at $800.00, risk 1.000, no MSP (conversion factor 1): the
    /// savings are 800 − the bid.
    fn flat(star: Decimal, new_low: &str, plan_type: &str) -> Values {
        let mut v = Values::default();
        text(&mut v, "ws1.general.plan_type", plan_type);
        text(&mut v, "ws5.county.code[1]", "39035");
        v.set_num("ws5.county.mm[1]", dec!(1000));
        v.set_num("ws5.county.risk[1]", dec!(1));
        v.set_num("ws5.county.ratebook[1]", dec!(800));
        v.set_num("ws5.bid.mm_non_de", dec!(1000));
        v.set_num("ws5.bid.risk_non_de", dec!(1));
        v.set_num("ws5.bid.msp", dec!(0));
        v.set_num("ws5.quality.star_rating", star);
        if !new_low.is_empty() {
            text(&mut v, "ws5.quality.new_low", new_low);
        }
        v
    }

    fn rebate(star: Decimal, new_low: &str, plan_type: &str, bid: Decimal) -> Decimal {
        let out = run(&flat(star, new_low, plan_type), bid);
        assert_eq!(n(&out, "ws5.bid.conversion_factor"), dec!(1));
        n(&out, "ws5.savings.rebate")
    }

    #[test]
    fn appendix_e_margin_changes_give_fifty_cents_of_rebate() {
        // Lines 3480–3482: $0.68 × 73⅓ %, $0.70 × 71⅔ %, $0.75 × 66⅔ % = $0.50.
        assert_eq!(rebate(dec!(4.5), "", "HMO", dec!(799.32)), dec!(0.50));
        assert_eq!(rebate(dec!(4.0), "", "HMO", dec!(799.30)), dec!(0.50));
        assert_eq!(rebate(dec!(3.0), "", "HMO", dec!(799.25)), dec!(0.50));
        // Savings of $100: 73.33, 71.67, 66.67.
        assert_eq!(rebate(dec!(5.0), "", "HMO", dec!(700)), dec!(73.33));
        assert_eq!(rebate(dec!(3.5), "", "HMO", dec!(700)), dec!(71.67));
        assert_eq!(rebate(dec!(2.5), "", "HMO", dec!(700)), dec!(66.67));
        // A bid above the benchmark: no savings, no rebate.
        assert_eq!(rebate(dec!(5.0), "", "HMO", dec!(812.34)), dec!(0));
    }

    #[test]
    fn three_star_exceptions_to_the_rebate_percentage() {
        let bid = dec!(700); // $100 of savings
        // Low-enrollment contract: 73⅓ %.
        assert_eq!(rebate(dec!(3.0), "Low", "HMO", bid), dec!(73.33));
        // New contract under a new parent organization: 71⅔ %.
        assert_eq!(
            rebate(dec!(3.0), "New contract under new parent org", "HMO", bid),
            dec!(71.67)
        );
        // ED PFFS contract: 71⅔ %.
        assert_eq!(rebate(dec!(3.0), "", "ED PFFS", bid), dec!(71.67));
        // A new contract under an existing parent organization has no
        // exception: its (averaged) rating decides.
        assert_eq!(
            rebate(
                dec!(3.0),
                "New contract under existing parent org",
                "HMO",
                bid
            ),
            dec!(66.67)
        );
        // Plain PFFS and RFB PFFS are not ED PFFS.
        assert_eq!(rebate(dec!(3.0), "", "PFFS", bid), dec!(66.67));
        assert_eq!(rebate(dec!(3.0), "", "RFB PFFS", bid), dec!(66.67));
        // The exceptions are in the 3.0 row only: below 3.0 stars they do not
        // apply, and above it the star rating's own level stands.
        assert_eq!(rebate(dec!(2.5), "Low", "HMO", bid), dec!(66.67));
        assert_eq!(rebate(dec!(2.5), "", "ED PFFS", bid), dec!(66.67));
        assert_eq!(rebate(dec!(4.5), "", "ED PFFS", bid), dec!(73.33));
        assert_eq!(rebate(dec!(4.0), "Low", "HMO", bid), dec!(71.67));
        // Excel's "=" ignores case.
        assert_eq!(rebate(dec!(3.0), "LOW", "HMO", bid), dec!(73.33));
        assert_eq!(rebate(dec!(3.0), "", "ed pffs", bid), dec!(71.67));
    }

    #[test]
    fn rebate_and_qbp_tables_by_star_rating() {
        let pct = |s: Decimal| rebate_pct(s, "", "HMO");
        let third = |x: Decimal| (dec!(1.5) + x) / dec!(3);
        for (star, factor, qbp) in [
            (dec!(5.0), dec!(0.70), dec!(0.05)),
            (dec!(4.5), dec!(0.70), dec!(0.04)),
            (dec!(4.0), dec!(0.65), dec!(0.04)),
            (dec!(3.5), dec!(0.65), dec!(0.035)),
            (dec!(3.0), dec!(0.50), dec!(0.03)),
            (dec!(2.5), dec!(0.50), dec!(0)),
            (dec!(2.0), dec!(0.50), dec!(0)),
            (dec!(1.0), dec!(0.50), dec!(0)),
            (dec!(0), dec!(0.50), dec!(0)),
        ] {
            assert_eq!(rebate_factor(star, "", "HMO"), factor, "{star}");
            assert_eq!(pct(star), third(factor), "{star}");
            assert_eq!(qbp_pct(star), qbp, "{star}");
        }
        // ⅔ × 75 % + ⅓ × factor.
        assert_eq!(pct(dec!(5)).round_dp(10), dec!(0.7333333333));
        assert_eq!(pct(dec!(4)).round_dp(10), dec!(0.7166666667));
        assert_eq!(pct(dec!(3)).round_dp(10), dec!(0.6666666667));
    }

    #[test]
    fn empty_form_is_all_zero_and_blank() {
        let out = run(&Values::default(), Decimal::ZERO);
        for id in [
            "ws5.bid.mm_total",
            "ws5.bid.mm_de",
            "ws5.bid.risk_total",
            "ws5.bid.risk_de",
            "ws5.bid.conversion_factor",
            "ws5.bid.standardized_bid",
            "ws5.bid.plan_benchmark",
            "ws5.savings.rebate",
            "ws5.savings.basic_premium",
            "ws5.county_summary.ae_inpatient",
            "ws5.county_summary.isar_bid",
            "ws5.quality.qbp_pct",
        ] {
            assert_eq!(out.num(id), Some(Decimal::ZERO), "{id}");
        }
        assert_eq!(
            n(&out, "ws5.quality.rebate_pct").round_dp(6),
            dec!(0.666667)
        );
        assert_eq!(out.get("ws5.county.isar_bid[1]"), &Value::Empty);
    }

    #[test]
    fn full_service_area_of_1000_counties() {
        let mut v = two_counties("HMO");
        for k in 1..=1000u32 {
            let code = format!("{:05}", 1000 + k);
            let rb = Decimal::from(700 + k % 200);
            county_row(
                &mut v,
                k,
                &code,
                [
                    dec!(10),
                    dec!(1),
                    rb,
                    rb / dec!(2),
                    dec!(0.08),
                    dec!(0.15),
                    dec!(0.19),
                    dec!(300),
                    dec!(50),
                    dec!(400),
                ],
            );
        }
        let started = std::time::Instant::now();
        let out = run(&v, dec!(760));
        let elapsed = started.elapsed();
        assert_eq!(n(&out, "ws5.county_summary.mm"), dec!(10000));
        assert_eq!(n(&out, "ws5.county_summary.ae_inpatient"), dec!(0.08));
        // V = h / 2 in every row: Part A is half of each payment rate.
        assert_eq!(
            n(&out, "ws5.county.rate_part_a[1000]").round_dp(20),
            n(&out, "ws5.county.rate_part_b[1000]").round_dp(20)
        );
        assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let big = Decimal::MAX;
        let mut v = two_counties("RPPO");
        county_row(
            &mut v,
            3,
            "99999",
            [big, big, big, -big, big, big, big, big, big, big],
        );
        county_row(
            &mut v,
            4,
            "x",
            [
                -big,
                big,
                dec!(0.0000000000000000000000000001),
                big,
                -big,
                big,
                -big,
                big,
                big,
                big,
            ],
        );
        v.set_num("ws5.bid.msp", -big);
        v.set_num("ws5.bid.mm_non_de", -big);
        v.set_num("ws5.bid.risk_non_de", big);
        v.set_num("ws5.regional.statutory_weight", -big);
        v.set_num("ws5.regional.statutory_component", big);
        v.set_num("ws5.quality.star_rating", -big);
        text(&mut v, "ws5.county_summary.use_isar", "Yes");
        let out = run(&v, big);
        assert!(out.num("ws5.savings.rebate").is_some());
        let out = run(&v, -big);
        assert!(out.num("ws5.savings.basic_premium").is_some());
    }
}
