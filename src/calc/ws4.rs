//! WS4: projected revenue requirement PMPM (instructions lines 1739–2064;
//! DE# pricing 436–478, ESRD subsidy 513–541, margin 548–600, non-benefit
//! expenses 676–720).
//!
//! Section IIA splits the non-DE# allowed costs (WS2 column p) less the plan
//! cost sharing (WS3 column o summed by service category) into a
//! Medicare-covered part at FFS actuarial-equivalent cost sharing (WS5
//! Section VII factors) and the A/B mandatory supplemental benefits; Section
//! IIB does the same for DE# members with the state Medicaid cost sharing;
//! Section IIC weights the two by projected member months (WS5), adds the ESRD
//! subsidy (Section III) and the employer additional benefits (Section IV),
//! and allocates non-benefit expenses and the gain/loss margin to the
//! supplemental benefits in proportion to their share of the net medical
//! expenses excluding the ESRD line. Line x column o is the plan A/B bid.
//!
//! Every value is the template formula's arithmetic on exact decimals:
//! blanks count as zero, `IF(x=0,0,…)` guards become [`div0`], nothing is
//! rounded, and `a*b/c` is evaluated left to right as Excel does.
use super::{Engine, div0};
use super::{add, mul, sub};
use crate::template::Role;
use rust_decimal::Decimal;

const ZERO: Decimal = Decimal::ZERO;

fn sum(xs: impl IntoIterator<Item = Decimal>) -> Decimal {
    xs.into_iter().fold(ZERO, add)
}

fn id(table: &str, col: &str, key: &str) -> String {
    format!("{table}.{col}[{key}]")
}

/// The columns of Section IIC (`ws4.all`).
const ALL_COLS: [&str; 5] = ["net", "mc_net", "ms_additional", "ms_reduction", "ms_total"];

/// Every calculated field of the worksheet.
pub(super) fn calc(e: &mut Engine<'_>) {
    e.copy_general("ws1", "ws4");
    for (field, src) in [
        ("ws4.non_de.risk_factor", "ws5.bid.risk_non_de"),
        ("ws4.de.risk_factor", "ws5.bid.risk_de"),
        ("ws4.all.risk_factor", "ws5.bid.risk_total"),
    ] {
        let v = e.get(src);
        e.set(field, v);
    }
    non_de(e);
    de(e);
    all(e);
}

/// Sets `table.col[key]` for every key and the total row `total` as the sum.
fn set_col(e: &mut Engine<'_>, table: &str, col: &str, total: &str, vals: &[(String, Decimal)]) {
    for (k, v) in vals {
        e.set(&id(table, col, k), *v);
    }
    let t = id(table, col, total);
    if e.has(&t) {
        e.set(&t, sum(vals.iter().map(|(_, v)| *v)));
    }
}

/// WS4 Sec IIA column f: `SUMIF(WS3 column c, label, WS3 column o)`. A blank
/// CMS category cell counts as its pre-populated text, as the blank form
/// holds it.
fn cost_sharing_for(e: &Engine<'_>, label: &str) -> Decimal {
    let t = super::ws3::TABLE;
    let mut s = ZERO;
    for k in e.rows(t) {
        let cat_id = id(t, "category", &k);
        let mut cat = e.text(&cat_id);
        if cat.is_empty()
            && let Some(f) = e.layout.field(&cat_id)
            && f.role == Role::Cms
        {
            cat = f.value.clone().unwrap_or_default();
        }
        if cat.to_lowercase() == label.to_lowercase() {
            s = add(s, e.get(&id(t, "total", &k)));
        }
    }
    s
}

/// Sec IIA column k: the FFS actuarial-equivalent cost-sharing factor of a
/// line (WS5 Section VII): a inpatient, b SNF, d–k Part B, others 0.
fn ae_factor(e: &Engine<'_>, key: &str) -> Decimal {
    match key {
        "a" => e.get("ws5.county_summary.ae_inpatient"),
        "b" => e.get("ws5.county_summary.ae_snf"),
        "d" | "e" | "f" | "g" | "h" | "i" | "j" | "k" => e.get("ws5.county_summary.ae_part_b"),
        _ => ZERO,
    }
}

/// The labels of a table's data rows, by key.
fn row_labels(e: &Engine<'_>, table: &str) -> Vec<(String, String)> {
    e.layout
        .table(table)
        .map(|t| {
            t.rows
                .iter()
                .map(|(k, l, _)| (k.clone(), l.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Sec IIA – non-DE# beneficiaries, lines a–r and total s.
fn non_de(e: &mut Engine<'_>) {
    const T: &str = "ws4.non_de";
    let cols = [
        "allowed",
        "cost_sharing",
        "net",
        "ae_factor",
        "plan_cs_covered",
        "mc_allowed",
        "mc_ae_cs",
        "mc_net",
        "ms_additional",
        "ms_reduction",
        "ms_total",
    ];
    let mut out: Vec<Vec<(String, Decimal)>> = vec![Vec::new(); cols.len()];
    for (k, label) in row_labels(e, T) {
        let allowed = e.get(&id("ws2.allowed", "non_de_allowed", &k));
        let cs = if k == "r" {
            ZERO
        } else {
            cost_sharing_for(e, &label)
        };
        let net = sub(allowed, cs);
        let pct_allowed = e.input(&id(T, "pct_cov_allowed", &k));
        let pct_cs = e.input(&id(T, "pct_cov_cs", &k));
        let ae = ae_factor(e, &k);
        let cs_cov = mul(cs, pct_cs);
        let mc_allowed = mul(allowed, pct_allowed);
        let mc_ae_cs = mul(ae, mc_allowed);
        let mc_net = sub(mc_allowed, mc_ae_cs);
        let ms_add = sub(sub(allowed, mc_allowed), sub(cs, cs_cov));
        let ms_red = sub(mc_ae_cs, cs_cov);
        let ms_total = add(ms_add, ms_red);
        let row = [
            allowed, cs, net, ae, cs_cov, mc_allowed, mc_ae_cs, mc_net, ms_add, ms_red, ms_total,
        ];
        for (o, v) in out.iter_mut().zip(row) {
            o.push((k.clone(), v));
        }
    }
    for (c, vals) in cols.iter().zip(&out) {
        if *c == "ae_factor" {
            for (k, v) in vals {
                e.set(&id(T, c, k), *v);
            }
        } else {
            set_col(e, T, c, "s", vals);
        }
    }
}

/// Sec IIB – DE# beneficiaries, lines a–r and total s.
fn de(e: &mut Engine<'_>) {
    const T: &str = "ws4.de";
    let cols = [
        "reimb_plus_cs",
        "plan_cs",
        "actual_cs",
        "reimbursement",
        "medicaid_cs",
        "actual_cs_covered",
        "mc_allowed",
        "medicaid_cs_covered",
        "mc_net",
        "ms_additional",
        "ms_reduction",
        "ms_total",
    ];
    let mut out: Vec<Vec<(String, Decimal)>> = vec![Vec::new(); cols.len()];
    for k in e.rows(T) {
        let de_allowed = e.get(&id("ws2.allowed", "de_allowed", &k));
        let a_allowed = e.get(&id("ws4.non_de", "allowed", &k));
        let a_cs = e.get(&id("ws4.non_de", "cost_sharing", &k));
        // Column f (default): IF(A.e=0,0,A.f/A.e) × WS2 q; the actuary may overwrite it.
        let plan_cs = e.set_default(
            &id(T, "plan_cs", &k),
            mul(div0(a_cs, a_allowed), de_allowed),
        );
        // Column g: MIN(f, k); Excel's MIN skips a blank k.
        let medicaid = e.input_opt(&id(T, "medicaid_cs", &k));
        let actual = match medicaid {
            Some(m) => plan_cs.min(m),
            None => plan_cs,
        };
        let medicaid = medicaid.unwrap_or(ZERO);
        let reimb = sub(de_allowed, plan_cs);
        let reimb_plus = add(actual, reimb);
        let pct_allowed = e.input(&id(T, "pct_cov_allowed", &k));
        let pct_cs = e.input(&id(T, "pct_cov_cs", &k));
        let actual_cov = mul(actual, pct_cs);
        let mc_allowed = mul(reimb_plus, pct_allowed);
        let medicaid_cov = mul(medicaid, pct_cs);
        let mc_net = sub(mc_allowed, medicaid_cov);
        let ms_add = sub(sub(reimb_plus, mc_allowed), sub(actual, actual_cov));
        let ms_red = sub(medicaid_cov, actual_cov);
        let ms_total = add(ms_add, ms_red);
        let row = [
            reimb_plus,
            plan_cs,
            actual,
            reimb,
            medicaid,
            actual_cov,
            mc_allowed,
            medicaid_cov,
            mc_net,
            ms_add,
            ms_red,
            ms_total,
        ];
        for (o, v) in out.iter_mut().zip(row) {
            o.push((k.clone(), v));
        }
    }
    for (c, vals) in cols.iter().zip(&out) {
        if *c == "medicaid_cs" {
            // Inputs: only the total is calculated.
            let t = id(T, c, "s");
            if e.has(&t) {
                e.set(&t, sum(vals.iter().map(|(_, v)| *v)));
            }
        } else {
            set_col(e, T, c, "s", vals);
        }
    }
}

/// Non-benefit expense or margin allocation of one line (v1–v4, w):
/// `(o, r)` with r = `IF(N=0,0,h×M/N)` and o = h − r, where M and N are the
/// MS and net totals excluding the ESRD line.
fn allocate(h: Decimal, ms_total: Decimal, net: Decimal) -> (Decimal, Decimal) {
    let r = if net.is_zero() {
        ZERO
    } else {
        div0(mul(h, ms_total), net)
    };
    (sub(h, r), r)
}

/// Split of an MS amount `r` into additional services p = `IF(T=0,0,r×P/T)`
/// and cost-sharing reduction q = r − p.
fn split_ms(r: Decimal, ms_additional: Decimal, ms_total: Decimal) -> (Decimal, Decimal) {
    let p = if ms_total.is_zero() {
        ZERO
    } else {
        div0(mul(r, ms_additional), ms_total)
    };
    (p, sub(r, p))
}

/// Whether an entered cell is blank (`ISBLANK`).
fn is_blank(e: &Engine<'_>, id: &str) -> bool {
    e.input_opt(id).is_none() && e.text(id).is_empty()
}

/// Sec IIC – all beneficiaries, lines v–y, and Sec III (ESRD subsidy).
fn all(e: &mut Engine<'_>) {
    const T: &str = "ws4.all";
    let mm_t = e.get("ws5.bid.mm_total");
    let mm_n = e.get("ws5.bid.mm_non_de");
    let mm_d = e.get("ws5.bid.mm_de");
    let weighted = |a: Decimal, b: Decimal| -> Decimal {
        if mm_t.is_zero() {
            ZERO
        } else {
            div0(add(mul(a, mm_n), mul(b, mm_d)), mm_t)
        }
    };
    let egwp = e.input("ws4.egwp.additional_pmpm");
    // Lines a–q, s, t (line r, the ESRD subsidy, comes last): one array of
    // the five columns per line.
    let mut lines: Vec<(String, [Decimal; 5])> = Vec::new();
    for k in e.rows(T) {
        let v = match k.as_str() {
            "r" => continue,
            "s" => [egwp, ZERO, egwp, ZERO, egwp],
            _ => {
                // Line t is WS4 line r (COB/subrogation) of Sections IIA/IIB.
                let src = if k == "t" { "r" } else { k.as_str() };
                let a = |c: &str| e.get(&id("ws4.non_de", c, src));
                let b = |c: &str| e.get(&id("ws4.de", c, src));
                let net = weighted(a("net"), b("reimbursement"));
                let mc = weighted(a("mc_net"), b("mc_net"));
                let add_ = weighted(a("ms_additional"), b("ms_additional"));
                let red = weighted(a("ms_reduction"), b("ms_reduction"));
                [net, mc, add_, red, add(add_, red)]
            }
        };
        lines.push((k, v));
    }
    // Totals of lines a–q, s and t: the ESRD line r is not in `lines` yet.
    let col_sum = |c: usize| sum(lines.iter().map(|(_, v)| v[c]));
    let (net_x, mc_x, add_x, mst_x) = (col_sum(0), col_sum(1), col_sum(2), col_sum(4));

    // Lines v1–v5: non-benefit expenses.
    let (mut v5_h, mut v5_o, mut v5_r) = (ZERO, ZERO, ZERO);
    for n in 1..=4 {
        let h = e.input(&format!("ws4.nbe.v{n}_h"));
        let (o, r) = allocate(h, mst_x, net_x);
        e.set(&format!("ws4.nbe.v{n}_o"), o);
        e.set(&format!("ws4.nbe.v{n}_r"), r);
        v5_h = add(v5_h, h);
        v5_o = add(v5_o, o);
        v5_r = add(v5_r, r);
    }
    let (v5_p, v5_q) = split_ms(v5_r, add_x, mst_x);
    e.set("ws4.nbe.v5_h", v5_h);
    e.set("ws4.nbe.v5_o", v5_o);
    e.set("ws4.nbe.v5_r", v5_r);
    e.set("ws4.nbe.v5_p", v5_p);
    e.set("ws4.nbe.v5_q", v5_q);

    // Line w: gain/loss margin.
    let w_h = e.input("ws4.margin.w_h");
    let (w_o, w_r) = allocate(w_h, mst_x, net_x);
    let (w_p, w_q) = split_ms(w_r, add_x, mst_x);
    e.set("ws4.margin.w_o", w_o);
    e.set("ws4.margin.w_r", w_r);
    e.set("ws4.margin.w_p", w_p);
    e.set("ws4.margin.w_q", w_q);

    // Column o of line r is 0, so x_o and y_o do not depend on the ESRD line.
    let x_o = add(add(mc_x, v5_o), w_o);
    let y3_o = div0(w_o, x_o);

    // Sec III: the ESRD subsidy (line r of columns h, p, r).
    let subsidy = esrd(e, y3_o, &lines);
    lines.push(("r".to_string(), [subsidy, ZERO, subsidy, ZERO, subsidy]));
    let mut u = [ZERO; 5];
    for (k, v) in &lines {
        for (c, col) in ALL_COLS.iter().enumerate() {
            e.set(&id(T, col, k), v[c]);
            u[c] = add(u[c], v[c]);
        }
    }
    for (c, col) in ALL_COLS.iter().enumerate() {
        e.set(&id(T, col, "u"), u[c]);
    }

    // Line x: revenue requirement; line y: percentages excluding ESRD.
    let x_h = add(add(u[0], v5_h), w_h);
    let x_p = add(add(u[2], v5_p), w_p);
    let x_q = add(add(u[3], v5_q), w_q);
    let x_r = add(add(u[4], v5_r), w_r);
    e.set("ws4.revreq.x_h", x_h);
    e.set("ws4.revreq.x_o", x_o);
    e.set("ws4.revreq.x_p", x_p);
    e.set("ws4.revreq.x_q", x_q);
    e.set("ws4.revreq.x_r", x_r);
    for (c, x, col_u, col_r, v5, w) in [
        ("h", x_h, u[0], subsidy, v5_h, w_h),
        ("o", x_o, u[1], ZERO, v5_o, w_o),
        ("r", x_r, u[4], subsidy, v5_r, w_r),
    ] {
        let d = sub(x, col_r);
        e.set(&format!("ws4.pct.y1_{c}"), div0(sub(col_u, col_r), d));
        e.set(&format!("ws4.pct.y2_{c}"), div0(v5, d));
        e.set(&format!("ws4.pct.y3_{c}"), div0(w, d));
    }
}

/// Sec III: the ESRD subsidy PMPM over all members. `lines` are the Sec IIC
/// lines other than r.
fn esrd(e: &mut Engine<'_>, y3_o: Decimal, lines: &[(String, [Decimal; 5])]) -> Decimal {
    let non_esrd_mm = e.get("ws5.bid.mm_total");
    e.set("ws4.esrd.non_esrd_mm", non_esrd_mm);
    let esrd_mm = e.input("ws4.esrd.esrd_mm");
    let revenue = e.input("ws4.esrd.cms_revenue");
    let margin = mul(revenue, y3_o);
    let basic = sub(
        add(
            add(e.input("ws4.esrd.net_medical"), e.input("ws4.esrd.nbe")),
            margin,
        ),
        revenue,
    );
    e.set("ws4.esrd.margin", margin);
    e.set("ws4.esrd.basic_subsidy", basic);
    let supp =
        if is_blank(e, "ws4.esrd.cs_reduction") && is_blank(e, "ws4.esrd.additional_benefits") {
            ZERO
        } else {
            // Non-ESRD values: lines a–q and t (neither r nor the employer line s).
            let non_esrd = |c: usize| -> Decimal {
                sum(lines
                    .iter()
                    .filter(|(k, _)| k != "s" && k != "r")
                    .map(|(_, v)| v[c]))
            };
            add(
                sub(e.input("ws4.esrd.cs_reduction"), non_esrd(3)),
                sub(e.input("ws4.esrd.additional_benefits"), non_esrd(2)),
            )
        };
    e.set("ws4.esrd.supp_subsidy", supp);
    let mm = add(esrd_mm, non_esrd_mm);
    let subsidy = if mm.is_zero() {
        ZERO
    } else {
        div0(mul(add(basic, supp), esrd_mm), mm)
    };
    e.set("ws4.esrd.subsidy_pmpm", subsidy);
    subsidy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Value, Values};
    use rust_decimal_macros::dec;

    fn layout() -> &'static crate::template::Layout {
        crate::template::builtin_cached("ma-bpt-2013").unwrap()
    }

    fn num(v: &mut Values, id: &str, d: Decimal) {
        v.set_num(id, d);
    }

    fn cs_line(v: &mut Values, k: &str, unit: &str, util: Decimal, after: Decimal) {
        v.set(
            format!("ws3.cost_sharing.unit[{k}]"),
            Value::Text(unit.into()),
        );
        num(v, &format!("ws3.cost_sharing.in_util[{k}]"), util);
        num(v, &format!("ws3.cost_sharing.in_after_oop[{k}]"), after);
    }

    /// A small bid worked by hand: lines a (Inpatient), b (SNF), i
    /// (Professional) and m (Dental); 800 non-DE# and 200 DE# member months;
    /// AE factors 0.10 inpatient, 0 SNF, 0.20 Part B.
    fn small_bid() -> Values {
        let mut v = Values::default();
        // WS3: a1 1,200 days × $100 → $10; i1 6,000 visits × $10 → $5;
        // x1 (Professional) 10 PMPM × 20 % → $2; m1 600 × $20 → $1.
        cs_line(&mut v, "a1", "D", dec!(1200), dec!(100));
        cs_line(&mut v, "i1", "V", dec!(6000), dec!(10));
        v.set(
            "ws3.cost_sharing.category[x1]",
            Value::Text("Professional".into()),
        );
        cs_line(&mut v, "x1", "Coin", dec!(10), dec!(0.2));
        cs_line(&mut v, "m1", "P", dec!(600), dec!(20));
        for (k, non_de, de) in [
            ("a", dec!(100), dec!(120)),
            ("b", dec!(16.08), dec!(16.08)),
            ("i", dec!(50), dec!(60)),
            ("m", dec!(5), dec!(6)),
        ] {
            num(&mut v, &format!("ws2.allowed.non_de_allowed[{k}]"), non_de);
            num(&mut v, &format!("ws2.allowed.de_allowed[{k}]"), de);
        }
        for k in ["a", "b", "i"] {
            for t in ["non_de", "de"] {
                num(
                    &mut v,
                    &format!("ws4.{t}.pct_cov_allowed[{k}]"),
                    Decimal::ONE,
                );
                num(&mut v, &format!("ws4.{t}.pct_cov_cs[{k}]"), Decimal::ONE);
            }
        }
        // Medicaid cost sharing: a $2, i $1; b and m blank (MIN skips them).
        num(&mut v, "ws4.de.medicaid_cs[a]", dec!(2));
        num(&mut v, "ws4.de.medicaid_cs[i]", dec!(1));
        num(&mut v, "ws4.egwp.additional_pmpm", dec!(1.44));
        num(&mut v, "ws4.nbe.v1_h", dec!(15));
        num(&mut v, "ws4.nbe.v2_h", dec!(9));
        num(&mut v, "ws4.nbe.v4_h", dec!(6));
        num(&mut v, "ws4.margin.w_h", dec!(10));
        num(&mut v, "ws4.esrd.esrd_mm", dec!(250));
        num(&mut v, "ws4.esrd.cms_revenue", dec!(5000));
        num(&mut v, "ws4.esrd.net_medical", dec!(4800));
        num(&mut v, "ws4.esrd.nbe", dec!(400));
        num(&mut v, "ws4.esrd.cs_reduction", dec!(5));
        num(&mut v, "ws4.esrd.additional_benefits", dec!(10));
        v
    }

    /// Runs WS3 and WS4 with the WS5 values the county summary would give.
    fn run(v: &Values) -> Values {
        let mut e = Engine::new(layout(), v);
        for (id, d) in [
            ("ws5.bid.mm_total", dec!(1000)),
            ("ws5.bid.mm_non_de", dec!(800)),
            ("ws5.bid.mm_de", dec!(200)),
            ("ws5.bid.risk_total", dec!(1.02)),
            ("ws5.bid.risk_non_de", dec!(0.98)),
            ("ws5.bid.risk_de", dec!(1.18)),
            ("ws5.county_summary.ae_inpatient", dec!(0.10)),
            ("ws5.county_summary.ae_snf", Decimal::ZERO),
            ("ws5.county_summary.ae_part_b", dec!(0.20)),
        ] {
            e.set(id, d);
        }
        super::super::ws3::calc(&mut e);
        calc(&mut e);
        e.values().clone()
    }

    fn check(out: &Values, expected: &[(&str, Decimal)]) {
        for (id, want) in expected {
            let got = out.num(id);
            assert_eq!(got.map(|d| d.normalize()), Some(want.normalize()), "{id}");
        }
    }

    #[test]
    fn section_ii_a_and_b_by_hand() {
        let out = run(&small_bid());
        check(
            &out,
            &[
                ("ws4.non_de.risk_factor", dec!(0.98)),
                ("ws4.de.risk_factor", dec!(1.18)),
                ("ws4.all.risk_factor", dec!(1.02)),
                // IIA line a: e 100, f 10 (WS3 a1), n = 0.10 × 100.
                ("ws4.non_de.allowed[a]", dec!(100)),
                ("ws4.non_de.cost_sharing[a]", dec!(10)),
                ("ws4.non_de.net[a]", dec!(90)),
                ("ws4.non_de.ae_factor[a]", dec!(0.10)),
                ("ws4.non_de.mc_ae_cs[a]", dec!(10)),
                ("ws4.non_de.mc_net[a]", dec!(90)),
                ("ws4.non_de.ms_total[a]", Decimal::ZERO),
                // Line i: f = i1 $5 + x1 $2 (SUMIF by category text).
                ("ws4.non_de.cost_sharing[i]", dec!(7)),
                ("ws4.non_de.ae_factor[i]", dec!(0.20)),
                ("ws4.non_de.mc_ae_cs[i]", dec!(10)),
                ("ws4.non_de.mc_net[i]", dec!(40)),
                ("ws4.non_de.ms_reduction[i]", dec!(3)),
                ("ws4.non_de.ms_total[i]", dec!(3)),
                // Line m (non-covered): everything is supplemental.
                ("ws4.non_de.ae_factor[m]", Decimal::ZERO),
                ("ws4.non_de.cost_sharing[m]", dec!(1)),
                ("ws4.non_de.ms_additional[m]", dec!(4)),
                ("ws4.non_de.cost_sharing[r]", Decimal::ZERO),
                ("ws4.non_de.allowed[s]", dec!(171.08)),
                ("ws4.non_de.cost_sharing[s]", dec!(18)),
                ("ws4.non_de.net[s]", dec!(153.08)),
                ("ws4.non_de.ms_total[s]", dec!(7)),
                // IIB line a: f = 10/100 × 120, g = MIN(12, 2).
                ("ws4.de.plan_cs[a]", dec!(12)),
                ("ws4.de.actual_cs[a]", dec!(2)),
                ("ws4.de.reimbursement[a]", dec!(108)),
                ("ws4.de.reimb_plus_cs[a]", dec!(110)),
                ("ws4.de.mc_net[a]", dec!(108)),
                ("ws4.de.ms_total[a]", Decimal::ZERO),
                // Line i: f = 7/50 × 60 = 8.4, g = MIN(8.4, 1).
                ("ws4.de.plan_cs[i]", dec!(8.4)),
                ("ws4.de.actual_cs[i]", dec!(1)),
                ("ws4.de.reimbursement[i]", dec!(51.6)),
                ("ws4.de.mc_net[i]", dec!(51.6)),
                ("ws4.de.ms_reduction[i]", Decimal::ZERO),
                // Line m: Medicaid blank, so g = f = 1/5 × 6.
                ("ws4.de.plan_cs[m]", dec!(1.2)),
                ("ws4.de.actual_cs[m]", dec!(1.2)),
                ("ws4.de.medicaid_cs_covered[m]", Decimal::ZERO),
                ("ws4.de.ms_additional[m]", dec!(4.8)),
                ("ws4.de.plan_cs[s]", dec!(21.6)),
                ("ws4.de.actual_cs[s]", dec!(4.2)),
                ("ws4.de.medicaid_cs[s]", dec!(3)),
                ("ws4.de.reimbursement[s]", dec!(180.48)),
            ],
        );
    }

    #[test]
    fn section_ii_c_allocation_and_esrd_by_hand() {
        let out = run(&small_bid());
        check(
            &out,
            &[
                // (A × 800 + B × 200) / 1,000.
                ("ws4.all.net[a]", dec!(93.6)),
                ("ws4.all.net[b]", dec!(16.08)),
                ("ws4.all.net[i]", dec!(44.72)),
                ("ws4.all.mc_net[i]", dec!(42.32)),
                ("ws4.all.ms_reduction[i]", dec!(2.4)),
                ("ws4.all.net[m]", dec!(4.16)),
                ("ws4.all.ms_additional[m]", dec!(4.16)),
                ("ws4.all.net[s]", dec!(1.44)),
                ("ws4.all.ms_total[s]", dec!(1.44)),
                ("ws4.all.mc_net[s]", Decimal::ZERO),
                ("ws4.all.net[t]", Decimal::ZERO),
                // Without ESRD: net 160, MS 8 (5 %), of which 5.6 additional (70 %).
                ("ws4.nbe.v1_r", dec!(0.75)),
                ("ws4.nbe.v1_o", dec!(14.25)),
                ("ws4.nbe.v2_r", dec!(0.45)),
                ("ws4.nbe.v3_r", Decimal::ZERO),
                ("ws4.nbe.v3_o", Decimal::ZERO),
                ("ws4.nbe.v4_o", dec!(5.7)),
                ("ws4.nbe.v5_h", dec!(30)),
                ("ws4.nbe.v5_o", dec!(28.5)),
                ("ws4.nbe.v5_r", dec!(1.5)),
                ("ws4.nbe.v5_p", dec!(1.05)),
                ("ws4.nbe.v5_q", dec!(0.45)),
                ("ws4.margin.w_r", dec!(0.5)),
                ("ws4.margin.w_o", dec!(9.5)),
                ("ws4.margin.w_p", dec!(0.35)),
                ("ws4.margin.w_q", dec!(0.15)),
                // Plan A/B bid: 152 + 28.5 + 9.5; margin 5 % of it.
                ("ws4.revreq.x_o", dec!(190)),
                ("ws4.pct.y1_o", dec!(0.8)),
                ("ws4.pct.y2_o", dec!(0.15)),
                ("ws4.pct.y3_o", dec!(0.05)),
                // ESRD: margin 5000 × 5 %, basic 4800 + 400 + 250 − 5000;
                // supplemental (5 − 2.4) + (10 − 4.16); spread over 250 of 1,250 MM.
                ("ws4.esrd.non_esrd_mm", dec!(1000)),
                ("ws4.esrd.margin", dec!(250)),
                ("ws4.esrd.basic_subsidy", dec!(450)),
                ("ws4.esrd.supp_subsidy", dec!(8.44)),
                ("ws4.esrd.subsidy_pmpm", dec!(91.688)),
                ("ws4.all.net[r]", dec!(91.688)),
                ("ws4.all.ms_additional[r]", dec!(91.688)),
                ("ws4.all.ms_total[r]", dec!(91.688)),
                ("ws4.all.mc_net[r]", Decimal::ZERO),
                ("ws4.all.ms_reduction[r]", Decimal::ZERO),
                ("ws4.all.net[u]", dec!(251.688)),
                ("ws4.all.mc_net[u]", dec!(152)),
                ("ws4.all.ms_additional[u]", dec!(97.288)),
                ("ws4.all.ms_reduction[u]", dec!(2.4)),
                ("ws4.all.ms_total[u]", dec!(99.688)),
                ("ws4.revreq.x_h", dec!(291.688)),
                ("ws4.revreq.x_p", dec!(98.688)),
                ("ws4.revreq.x_q", dec!(3)),
                ("ws4.revreq.x_r", dec!(101.688)),
                // Percentages exclude the ESRD line: h over 200, r over 10.
                ("ws4.pct.y1_h", dec!(0.8)),
                ("ws4.pct.y2_h", dec!(0.15)),
                ("ws4.pct.y3_h", dec!(0.05)),
                ("ws4.pct.y1_r", dec!(0.8)),
                ("ws4.pct.y2_r", dec!(0.15)),
                ("ws4.pct.y3_r", dec!(0.05)),
            ],
        );
    }

    #[test]
    fn de_plan_cost_sharing_default_can_be_overwritten() {
        let mut v = small_bid();
        num(&mut v, "ws4.de.plan_cs[a]", dec!(5));
        let out = run(&v);
        check(
            &out,
            &[
                ("ws4.de.plan_cs[a]", dec!(5)),
                ("ws4.de.actual_cs[a]", dec!(2)),
                ("ws4.de.reimbursement[a]", dec!(115)),
                ("ws4.de.reimb_plus_cs[a]", dec!(117)),
                ("ws4.de.plan_cs[s]", dec!(14.6)),
            ],
        );
    }

    #[test]
    fn esrd_supplemental_blank_and_zero_member_months() {
        let mut v = small_bid();
        v.set("ws4.esrd.cs_reduction", Value::Empty);
        v.set("ws4.esrd.additional_benefits", Value::Empty);
        let out = run(&v);
        // (450 + 0) × 250 / 1,250.
        check(
            &out,
            &[
                ("ws4.esrd.supp_subsidy", Decimal::ZERO),
                ("ws4.esrd.subsidy_pmpm", dec!(90)),
            ],
        );
        // One of the two entered: the other counts as 0.
        num(&mut v, "ws4.esrd.cs_reduction", dec!(5));
        check(&run(&v), &[("ws4.esrd.supp_subsidy", dec!(-1.56))]);
        // Nothing at all: every division guarded.
        let out = run(&Values::default());
        check(
            &out,
            &[
                ("ws4.esrd.subsidy_pmpm", Decimal::ZERO),
                ("ws4.pct.y1_h", Decimal::ZERO),
                ("ws4.nbe.v1_r", Decimal::ZERO),
                ("ws4.revreq.x_o", Decimal::ZERO),
            ],
        );
    }

    #[test]
    fn cms_category_text_counts_when_blank_in_values() {
        // The fixed line's category cell is blank in `Values` but the blank
        // form pre-populates it: a1 still counts for Inpatient Facility.
        let out = run(&small_bid());
        check(&out, &[("ws4.non_de.cost_sharing[a]", dec!(10))]);
        // An entered category that does not match (typo) is not counted.
        let mut v = small_bid();
        v.set(
            "ws3.cost_sharing.category[x1]",
            Value::Text("Profesional".into()),
        );
        check(&run(&v), &[("ws4.non_de.cost_sharing[i]", dec!(5))]);
        // SUMIF matches text without regard to case.
        v.set(
            "ws3.cost_sharing.category[x1]",
            Value::Text("PROFESSIONAL".into()),
        );
        check(&run(&v), &[("ws4.non_de.cost_sharing[i]", dec!(7))]);
    }

    /// The engine matches WS3 categories against the row labels of Section
    /// IIA; the template's SUMIF criteria must be those same labels, and the
    /// WS3 fixed lines must carry them.
    #[test]
    fn sumif_criteria_are_the_row_labels() {
        let l = layout();
        let labels = row_labels(&Engine::new(l, &Values::default()), "ws4.non_de");
        assert_eq!(labels.len(), 18);
        for (k, label) in labels.iter().filter(|(k, _)| k != "r") {
            let f = l.field(&id("ws4.non_de", "cost_sharing", k)).unwrap();
            let src = f.formula_src.as_deref().unwrap();
            assert!(src.contains(&format!(",\"{label}\",")), "{k}: {src}");
        }
        let ws3 = l.table(super::super::ws3::TABLE).unwrap();
        for (k, _, _) in &ws3.rows {
            let f = l
                .field(&id(super::super::ws3::TABLE, "category", k))
                .unwrap();
            if k.starts_with('x') {
                assert_eq!(f.role, Role::Input);
                assert_eq!(f.choices.len(), 17);
                continue;
            }
            assert_eq!(f.role, Role::Cms);
            let want = &labels
                .iter()
                .find(|(r, _)| k.starts_with(r.as_str()))
                .unwrap()
                .1;
            assert_eq!(f.value.as_deref(), Some(want.as_str()), "{k}");
        }
    }

    #[test]
    fn sets_every_calculated_field_and_nothing_else() {
        let l = layout();
        let v = small_bid();
        let r = crate::calc::recalc(l, &v);
        let stray: Vec<&String> = r
            .stray
            .iter()
            .filter(|s| s.starts_with("ws3.") || s.starts_with("ws4."))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
        for f in l.fields_on("WS4").filter(|f| f.role.is_calculated()) {
            if !f.id.starts_with("ws4.general.") {
                assert!(r.values.num(&f.id).is_some(), "{} not set", f.id);
            }
        }
    }

    #[test]
    fn huge_inputs_do_not_panic() {
        let mut v = small_bid();
        let big = Decimal::MAX;
        num(&mut v, "ws2.allowed.non_de_allowed[a]", big);
        num(&mut v, "ws2.allowed.de_allowed[c]", -big);
        num(&mut v, "ws4.margin.w_h", big);
        num(&mut v, "ws4.esrd.esrd_mm", big);
        num(&mut v, "ws3.cost_sharing.in_util[a2]", big);
        num(&mut v, "ws3.cost_sharing.in_after_oop[a2]", big);
        let _ = run(&v);
    }
}
