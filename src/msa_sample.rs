//! Sample MSA bids: plausible, internally consistent CY2013 Medical Savings
//! Account bids (template `msa-bpt-2013`, CMS instructions Appendix H) made
//! by code.
//!
//! An [`MsaProfile`] describes the plan (deductible, size, service area,
//! cost level, expenses). [`generate`] turns it into the value of every
//! input cell, then runs the recalculation so that every calculated cell
//! holds `bpt`'s own value. The claim-interval distribution of WS4 is built
//! so that its gross claims add up to the WS2 projection (rule H008) and the
//! claims over the deductible follow from the deductible, and the plan's
//! expenses leave a positive enrollee deposit: a generated bid passes every
//! H rule. Generation is deterministic: the same profile always gives the
//! same values (county variation comes from a fixed-seed generator keyed on
//! the profile name).

use crate::sample::round;
use crate::sample::{INDIANA_STATE, OHIO_STATE, Rng, State, date, put, put_text};
use crate::template::{Kind, Layout, Role};
use crate::value::{Value, Values};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::MathematicalOps;
use rust_decimal_macros::dec;

/// An MSA plan to generate a bid for.
#[derive(Debug, Clone)]
pub struct MsaProfile {
    /// File stem, e.g. `msa-2013`.
    pub name: &'static str,
    /// One-line description for the sample index.
    pub description: &'static str,
    /// Contract number (`H1234`).
    pub contract: &'static str,
    /// Plan ID (`001`).
    pub plan_id: &'static str,
    /// Segment ID (`000`).
    pub segment: &'static str,
    /// Organization name.
    pub organization: &'static str,
    /// Plan name.
    pub plan_name: &'static str,
    /// Annual deductible (at most $10,600).
    pub deductible: Decimal,
    /// Base period member months (0 for a new plan).
    pub base_mm: Decimal,
    /// Projected member months (whole service area).
    pub projected_mm: Decimal,
    /// Projected average risk score.
    pub risk: Decimal,
    /// Service area: states filled in order.
    pub states: &'static [State],
    /// Number of counties in the service area.
    pub counties: usize,
    /// Average county ratebook rate.
    pub ratebook: Decimal,
    /// Multiplier on the standard allowed-cost table.
    pub cost_level: Decimal,
    /// Non-benefit expenses PMPM (WS4 line b).
    pub nbe: Decimal,
    /// Gain/loss margin PMPM (WS4 line c).
    pub margin: Decimal,
    /// Optional supplemental packages on WS5 (0–1).
    pub osb_packages: usize,
}

/// The shipped MSA sample profiles.
pub fn profiles() -> Vec<MsaProfile> {
    let base = MsaProfile {
        name: "msa-2013",
        description: "Medicare MSA, $5,000 deductible, 30 Ohio counties, experience-rated",
        // H7890-001 is the low-enrollment MA sample: no two shipped
        // samples share a bid id.
        contract: "H7890",
        plan_id: "003",
        segment: "000",
        organization: "Buckeye Health Savings Plans, Inc.",
        plan_name: "Buckeye Medicare MSA",
        deductible: dec!(5000),
        base_mm: dec!(9600),
        projected_mm: dec!(10800),
        risk: dec!(0.965),
        states: &[OHIO_STATE],
        counties: 30,
        ratebook: dec!(805),
        cost_level: dec!(1),
        nbe: dec!(32.50),
        margin: dec!(6.75),
        osb_packages: 1,
    };
    vec![
        base.clone(),
        MsaProfile {
            name: "msa-max-deductible-2013",
            description: "Medicare MSA at the CY2013 maximum deductible ($10,600), Indiana, \
                          new plan priced on the manual rate",
            contract: "H7891",
            plan_id: "002",
            organization: "Hoosier Health Savings, Inc.",
            plan_name: "Hoosier Medicare MSA Plus",
            deductible: dec!(10600),
            base_mm: dec!(0),
            projected_mm: dec!(4200),
            risk: dec!(0.93),
            states: &[INDIANA_STATE],
            counties: 12,
            ratebook: dec!(790),
            cost_level: dec!(0.97),
            nbe: dec!(28),
            margin: dec!(0),
            osb_packages: 0,
            ..base
        },
    ]
}

/// The shipped profile with this name.
pub fn profile(name: &str) -> Option<MsaProfile> {
    profiles().into_iter().find(|p| p.name == name)
}

/// Base-period Medicare-covered allowed PMPM, utilization per 1,000,
/// utilization type and net/allowed ratio, lines a–k.
const BASE: &[(&str, Decimal, Decimal, &str, Decimal)] = &[
    ("a", dec!(262.40), dec!(275), "A", dec!(0.62)),
    ("b", dec!(38.10), dec!(1120), "D", dec!(0.58)),
    ("c", dec!(22.35), dec!(910), "V", dec!(0.55)),
    ("d", dec!(7.45), dec!(92), "T", dec!(0.50)),
    ("e", dec!(12.20), dec!(510), "O", dec!(0.45)),
    ("f", dec!(18.05), dec!(345), "V", dec!(0.48)),
    ("g", dec!(30.60), dec!(182), "P", dec!(0.52)),
    ("h", dec!(40.25), dec!(1190), "P", dec!(0.47)),
    ("i", dec!(208.70), dec!(13800), "P", dec!(0.44)),
    ("j", dec!(27.90), dec!(805), "S", dec!(0.50)),
    ("k", dec!(10.15), dec!(395), "O", dec!(0.46)),
];

/// Share of member months for claim intervals 2–20 (interval 21, the open
/// top interval, balances the total to the WS2 projection; interval 1,
/// $0–$999, takes the remaining share).
const SHARES: [Decimal; 19] = [
    dec!(0.080),
    dec!(0.070),
    dec!(0.060),
    dec!(0.055),
    dec!(0.050),
    dec!(0.045),
    dec!(0.040),
    dec!(0.035),
    dec!(0.030),
    dec!(0.026),
    dec!(0.022),
    dec!(0.019),
    dec!(0.016),
    dec!(0.014),
    dec!(0.040),
    dec!(0.025),
    dec!(0.030),
    dec!(0.012),
    dec!(0.004),
];

/// Annual average claim of the open top interval ($250,000 and over).
const TOP_AVERAGE: Decimal = dec!(300000);

/// Generates a complete MSA bid: every input, then every calculated value.
pub fn generate(p: &MsaProfile, layout: &Layout) -> Values {
    let mut rng = Rng::new(p.name);
    let mut v = prepopulated(layout);
    general(p, &mut v);
    base_period(p, &mut v);
    counties(p, &mut rng, &mut v);
    osb(p, &mut v);
    put(&mut v, "msa.ws4.summary.nbe", p.nbe);
    put(&mut v, "msa.ws4.summary.margin", p.margin);
    // The WS2 projection gives the total the claim intervals must add up to.
    let Ok(form) = crate::form::compiled(layout) else {
        return v;
    };
    let first = crate::form::recalc(&form, &v).values;
    let target = first
        .num("msa.ws2.allowed.blend_allowed[s]")
        .unwrap_or(Decimal::ZERO);
    claim_intervals(p, layout, target, &mut v);
    crate::sample::finish(layout, v)
}

/// The values CMS pre-populates (the template's `value` of `cms` fields:
/// contract year, base period dates, enrollee type, claim intervals).
fn prepopulated(layout: &Layout) -> Values {
    let mut v = Values::default();
    for f in layout.fields.iter().filter(|f| f.role == Role::Cms) {
        let Some(s) = f.value.as_deref() else {
            continue;
        };
        let val = if f.kind.is_numeric() {
            s.parse::<Decimal>().map_or(Value::Empty, Value::Number)
        } else if f.kind == Kind::Date {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or(Value::Empty, Value::Date)
        } else {
            Value::Text(s.to_string())
        };
        v.set(f.id.clone(), val);
    }
    v
}

fn general(p: &MsaProfile, v: &mut Values) {
    put_text(v, "msa.ws1.general.contract_number", p.contract);
    put_text(v, "msa.ws1.general.plan_id", p.plan_id);
    put_text(v, "msa.ws1.general.segment_id", p.segment);
    put(v, "msa.ws1.general.contract_year", dec!(2013));
    put_text(v, "msa.ws1.general.organization_name", p.organization);
    put_text(v, "msa.ws1.general.plan_name", p.plan_name);
    put_text(v, "msa.ws1.general.plan_type", "MSA");
    put(v, "msa.ws1.general.deductible", p.deductible);
    put_text(v, "msa.ws1.general.enrollee_type", "A/B");
}

fn base_period(p: &MsaProfile, v: &mut Values) {
    v.set("msa.ws1.base_period.incurred_from", date(2011, 1, 1));
    v.set("msa.ws1.base_period.incurred_to", date(2011, 12, 31));
    let experienced = p.base_mm > Decimal::ZERO;
    if experienced {
        v.set("msa.ws1.base_period.paid_through", date(2012, 2, 29));
        put(v, "msa.ws1.base_period.mm_total", p.base_mm);
        put(v, "msa.ws1.base_period.risk_total", p.risk - dec!(0.012));
        put(v, "msa.ws1.base_period.completion_factor", dec!(1.018));
        put_text(
            v,
            "msa.ws1.base_period.description",
            "2011 incurred Medicare-covered claims of the MSA plan, paid through 2/29/2012, \
             excluding ESRD members and claims within the deductible paid from MSA accounts.",
        );
    } else {
        put(v, "msa.ws1.base_period.mm_total", Decimal::ZERO);
        put_text(
            v,
            "msa.ws1.base_period.description",
            "New plan: no base period experience; projection on the manual rate.",
        );
    }
    // Credibility: the CMS guideline, to the whole percent below it.
    let guideline = (p.base_mm.max(Decimal::ZERO) / dec!(24000))
        .sqrt()
        .unwrap_or(Decimal::ZERO)
        .min(Decimal::ONE);
    let cred = (guideline * dec!(100)).floor() / dec!(100);
    for (k, allowed, util, ut, net_ratio) in BASE {
        let allowed = round(*allowed * p.cost_level, 2);
        if experienced {
            put(v, &format!("msa.ws1.base.allowed_pmpm[{k}]"), allowed);
            put(
                v,
                &format!("msa.ws1.base.net_pmpm[{k}]"),
                round(allowed * net_ratio, 2),
            );
            put(v, &format!("msa.ws1.base.util_per_1000[{k}]"), *util);
        }
        let pr = |c: &str| format!("msa.ws1.projection.{c}[{k}]");
        for (c, f) in [
            ("util_trend", dec!(1.031)),
            ("benefit_change", dec!(1.000)),
            ("population_change", dec!(1.008)),
            ("other_util", dec!(1.000)),
            ("provider_payment", dec!(1.022)),
            ("other_cost", dec!(1.000)),
        ] {
            put(v, &pr(c), f);
        }
        put(v, &pr("additive_util"), Decimal::ZERO);
        put(v, &pr("additive_pmpm"), Decimal::ZERO);
        let a = |c: &str| format!("msa.ws2.allowed.{c}[{k}]");
        put_text(v, &a("util_type"), ut);
        put(v, &a("man_util"), round(*util * dec!(1.035), 1));
        put(v, &a("man_allowed"), round(allowed * dec!(1.061), 2));
        put(v, &a("credibility"), cred);
    }
    put_text(
        v,
        "msa.ws1.description.adjustments",
        "No other utilization or unit cost factors and no additive adjustments.",
    );
    put_text(
        v,
        "msa.ws2.manual.description",
        "Manual rate: 2011 Medicare FFS Medicare-covered costs of the service area, \
         trended to 2013 and adjusted to the plan's projected risk.",
    );
}

fn counties(p: &MsaProfile, rng: &mut Rng, v: &mut Values) {
    let area: Vec<(String, &str, &str)> = p
        .states
        .iter()
        .flat_map(|(code, abbr, names)| {
            names
                .iter()
                .enumerate()
                .map(move |(i, n)| (format!("{code}{:03}", i * 10), *abbr, *n))
        })
        .take(p.counties.max(1))
        .collect();
    let n = area.len();
    let weights: Vec<Decimal> = (0..n)
        .map(|i| {
            if i == n / 2 {
                dec!(6)
            } else {
                rng.dec(dec!(0.4), dec!(2.2), 3)
            }
        })
        .collect();
    let wsum: Decimal = weights.iter().sum();
    let mut left = p.projected_mm;
    for (i, (w, (code, state, name))) in weights.iter().zip(&area).enumerate() {
        let key = i + 1;
        let mm = if i + 1 == n {
            left
        } else {
            round(p.projected_mm * *w / wsum, 0)
        };
        left -= mm;
        put_text(v, &format!("msa.ws3.county.code[{key}]"), code);
        put_text(v, &format!("msa.ws3.county.state[{key}]"), state);
        put_text(v, &format!("msa.ws3.county.county_name[{key}]"), name);
        put(v, &format!("msa.ws3.county.mm[{key}]"), mm);
        put(
            v,
            &format!("msa.ws3.county.risk[{key}]"),
            rng.dec(p.risk - dec!(0.05), p.risk + dec!(0.05), 3),
        );
        put(
            v,
            &format!("msa.ws3.county.ratebook[{key}]"),
            rng.dec(p.ratebook * dec!(0.93), p.ratebook * dec!(1.07), 2),
        );
    }
}

/// WS4 Section II: shares and average claims per interval such that the
/// gross claims (average × share ÷ 12) add up to `target`, the WS2 total.
/// Intervals 2–20 take fixed shares at a point 45 % into each interval;
/// interval 1 ($0–$999) takes an average of $420; the open top interval
/// ($250,000 and over) takes the share that brings the total to `target` at
/// an average near $300,000 (the average then corrected to the cent), and
/// interval 1 what is left of 100 %. Claims over the deductible are
/// (average − deductible) × share ÷ 12, to the cent, and 0 for intervals
/// below the deductible. A profile whose projection is below the fixed
/// intervals' claims cannot balance (the top share is then 0).
fn claim_intervals(p: &MsaProfile, layout: &Layout, target: Decimal, v: &mut Values) {
    let rows: Vec<String> = layout
        .table("msa.ws4.claims")
        .map(|t| t.row_keys().map(str::to_string).collect())
        .unwrap_or_default();
    let (Some((top, rest)), Some(first)) = (rows.split_last(), rows.first()) else {
        return;
    };
    let bound = |c: &str, k: &str| {
        layout
            .field(&format!("msa.ws4.claims.{c}[{k}]"))
            .and_then(|f| f.value.as_deref())
            .and_then(|s| s.parse::<Decimal>().ok())
    };
    let mut entries: Vec<(String, Decimal, Decimal)> = Vec::new(); // key, avg, share
    let (mut gross, mut used) = (Decimal::ZERO, Decimal::ZERO);
    for (k, share) in rest.iter().skip(1).zip(SHARES) {
        let from = bound("from", k).unwrap_or_default();
        let to = bound("to", k).unwrap_or(from + dec!(1000));
        let avg = round(from + (to - from) * dec!(0.45), 2);
        gross += avg * share / dec!(12);
        used += share;
        entries.push((k.clone(), avg, share));
    }
    let low_avg = dec!(420);
    // target = gross + low_avg × (1 − used − t) / 12 + top_avg × t / 12
    let left = (target - gross - low_avg * (Decimal::ONE - used) / dec!(12)).max(Decimal::ZERO);
    let top_share = round(left * dec!(12) / (TOP_AVERAGE - low_avg), 6);
    let first_share = Decimal::ONE - used - top_share;
    let top_avg = if top_share.is_zero() {
        TOP_AVERAGE
    } else {
        round(
            (target - gross - low_avg * first_share / dec!(12)) * dec!(12) / top_share,
            2,
        )
    };
    entries.insert(0, (first.clone(), low_avg, first_share));
    entries.push((top.clone(), top_avg, top_share));
    for (k, avg, share) in entries {
        let id = |c: &str| format!("msa.ws4.claims.{c}[{k}]");
        put(v, &id("avg_claim"), avg);
        put(v, &id("pct_mm"), share);
        let over = if bound("to", &k).is_some_and(|t| t <= p.deductible) {
            Decimal::ZERO
        } else {
            round(
                (avg - p.deductible).max(Decimal::ZERO) * share / dec!(12),
                2,
            )
        };
        put(v, &id("over_deductible"), over);
    }
}

/// One WS5 line: category, benefit, utilization type, utilization/1,000,
/// average cost, cost-sharing unit, cost-sharing utilization, average cost
/// sharing.
type OsbLine = (
    &'static str,
    &'static str,
    &'static str,
    Decimal,
    Decimal,
    &'static str,
    Decimal,
    Decimal,
);

/// One dental and vision package on WS5, as MA WS7.
fn osb(p: &MsaProfile, v: &mut Values) {
    if p.osb_packages == 0 {
        return;
    }
    put_text(
        v,
        "msa.ws5.pkg1.description",
        "Package 1: preventive dental and routine eyewear",
    );
    let lines: [OsbLine; 2] = [
        (
            "Dental (Non-covered)",
            "Two cleanings and exams a year",
            "P",
            dec!(1450),
            dec!(62),
            "Coin",
            dec!(7.49),
            dec!(0.2),
        ),
        (
            "Vision (Non-covered)",
            "Eyewear allowance $100 a year",
            "P",
            dec!(310),
            dec!(95),
            "P",
            dec!(310),
            dec!(15),
        ),
    ];
    for (j, (cat, ben, ut, util, cost, unit, cs_util, cs_avg)) in lines.iter().enumerate() {
        let k = j + 1;
        let t = "msa.ws5.pkg1.lines";
        put_text(v, &format!("{t}.category[{k}]"), cat);
        put_text(v, &format!("{t}.benefit[{k}]"), ben);
        put_text(v, &format!("{t}.util_type[{k}]"), ut);
        put(v, &format!("{t}.util[{k}]"), *util);
        put(v, &format!("{t}.avg_cost[{k}]"), *cost);
        put_text(v, &format!("{t}.cs_unit[{k}]"), unit);
        put(v, &format!("{t}.cs_util[{k}]"), *cs_util);
        put(v, &format!("{t}.cs_avg[{k}]"), *cs_avg);
    }
    put(v, "msa.ws5.pkg1.nbe", dec!(1.35));
    put(v, "msa.ws5.pkg1.gain_loss", dec!(0.40));
    put(
        v,
        "msa.ws5.pkg1.member_months",
        round(p.projected_mm * dec!(0.25), 0),
    );
    put_text(
        v,
        "msa.ws5.comments",
        "Optional package priced from the organization's 2011 dental and vision experience.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_balance_and_are_deterministic() {
        let layout = crate::template::builtin_cached("msa-bpt-2013").expect("MSA template");
        for p in profiles() {
            let a = generate(&p, layout);
            let b = generate(&p, layout);
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", p.name);
            let n = |id: &str| a.num(id).unwrap_or_else(|| panic!("{}: {id}", p.name));
            let gross = n("msa.ws4.claims.gross[total]");
            let ws2 = n("msa.ws2.allowed.blend_allowed[s]");
            assert!(
                (gross - ws2).abs() <= dec!(0.005),
                "{}: {gross} vs {ws2}",
                p.name
            );
            assert_eq!(
                n("msa.ws4.claims.pct_mm[total]"),
                Decimal::ONE,
                "{}",
                p.name
            );
            assert!(
                n("msa.ws4.summary.enrollee_deposit") > Decimal::ZERO,
                "{}",
                p.name
            );
            assert!(n("msa.ws4.claims.pct_mm[1]") > Decimal::ZERO, "{}", p.name);
            assert!(
                n("msa.ws4.claims.avg_claim[21]") >= dec!(250000),
                "{}",
                p.name
            );
        }
    }
}
