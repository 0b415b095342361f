//! The rebate-reallocation workbench of CMS Appendix E (instructions lines
//! 3155–3531; WS6 Section III lines 2342–2500; rebate allocation rules lines
//! 792–800).
//!
//! After CMS publishes the Part D national average monthly bid amount (which
//! moves the Part D basic premium before rebates, WS6 line 7a), the
//! low-income premium subsidy amounts (LIPSA) and the MA regional benchmarks,
//! some plans must, some may and some may not resubmit their June bid with
//! the MA rebate allocated differently, and some may round the total plan
//! premium to the dollar by a small change in the gain/loss margin.
//!
//! * [`reallocate`] takes the June bid ([`June`], usually
//!   [`June::from_values`]) and the [`Announcement`] and says whether
//!   reallocation is required, permitted or not permitted (Appendix E
//!   Section I), which rule (A–H of Section II) applies, and proposes the
//!   permissible new allocations and premiums ([`Proposal`]) with their
//!   premium-rounding option ([`PremiumRounding`], Section IV).
//! * [`check`] compares a June bid with its resubmission and lists every
//!   change Appendix E does not permit ([`Violation`]).
//!
//! Arithmetic is exact (`rust_decimal`); rounding is Excel's ROUND, half away
//! from zero ([`crate::form::eval::round`]). Inputs are clamped to ±10¹² so no
//! hostile value can overflow.
//!
//! ```
//! use bpt::reallocate::{reallocate, Allocations, Announcement, Intention, June, Outcome, Rule};
//! use rust_decimal_macros::dec;
//! // Appendix E Example 1: the Part D basic premium falls from $36 to $34
//! // while $36 of rebate buys it down, so $2 must move elsewhere.
//! let june = June {
//!     plan_type: "HMO".into(),
//!     ma_pd: true,
//!     ma_rebate: dec!(50),
//!     allocations: Allocations { part_d_basic: dec!(36), other_supplemental: dec!(14), ..Default::default() },
//!     part_d_basic_before: dec!(36),
//!     part_d_basic_premium: dec!(0),
//!     ms_revenue_requirement: dec!(20),
//!     intention: Some(Intention::Line7d),
//!     ..Default::default()
//! };
//! let r = reallocate(&june, &Announcement::part_d(dec!(34)));
//! assert_eq!(r.outcome, Outcome::Required);
//! assert_eq!(r.rules[0], Rule::B);
//! assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(-2));
//! let fix = &r.options[0];
//! assert_eq!(fix.figures.allocations.part_d_basic, dec!(34));
//! assert_eq!(fix.figures.part_d_basic_premium, dec!(0));
//! assert_eq!(fix.figures.unallocated, dec!(0));
//! ```

#![deny(clippy::arithmetic_side_effects)]

use crate::value::Values;
mod rules;
pub use rules::RULES;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use std::fmt;

/// Excel's ROUND to `dp` decimals (half away from zero).
fn round(d: Decimal, dp: u32) -> Decimal {
    crate::form::eval::round(d, i64::from(dp))
}

/// Largest magnitude any input may take (larger values are clamped).
const LIMIT: Decimal = dec!(1000000000000);

/// Tolerance for small changes Appendix E allows from premium rounding and
/// the proportional allocation of margin (a premium change of less than
/// $0.50, Section IV Rule 3).
const ROUNDING_CHANGE: Decimal = dec!(0.50);

fn clamp(d: Decimal) -> Decimal {
    d.clamp(-LIMIT, LIMIT)
}

fn clamp_opt(d: Option<Decimal>) -> Option<Decimal> {
    d.map(clamp)
}

// Every input is clamped to ±LIMIT (10¹²), so no sum, difference or product
// of two of them comes near the `Decimal` limit (±7.9e28): these saturating
// forms never saturate on clamped figures. They are here so that a `June` or
// `Announcement` built by hand with extreme values cannot panic either, and
// so `clippy::arithmetic_side_effects` (denied for this module) can see it.

/// `a + b`, saturating.
fn add(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_add(b)
}

/// `a − b`, saturating.
fn sub(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_sub(b)
}

/// `a × b`, saturating.
fn mul(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_mul(b)
}

/// `a ÷ b`, zero when `b` is zero, saturating when the quotient is too large.
fn div(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        a.checked_div(b)
            .unwrap_or(if a.is_sign_negative() == b.is_sign_negative() {
                Decimal::MAX
            } else {
                Decimal::MIN
            })
    }
}

/// `−a` (never overflows: `Decimal::MIN` is `−Decimal::MAX`).
fn neg(a: Decimal) -> Decimal {
    sub(Decimal::ZERO, a)
}

/// Money to the cent: what `check` compares (a difference below half a
/// cent is no change, as the form shows and HPMS reads money).
fn cents(d: Decimal) -> Decimal {
    round(d, 2)
}

/// Whether two amounts differ to the cent.
fn differ(a: Decimal, b: Decimal) -> bool {
    cents(a) != cents(b)
}

/// `$12.30`, `-$2.00`.
fn money(d: Decimal) -> String {
    let r = round(d, 2);
    if r.is_sign_negative() && !r.is_zero() {
        format!("-${:.2}", r.abs())
    } else {
        format!("${:.2}", r.abs())
    }
}

/// Round down (toward −∞) to `dp` decimals.
fn floor_dp(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::ToNegativeInfinity)
}

/// Round up (toward +∞) to `dp` decimals.
fn ceil_dp(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::ToPositiveInfinity)
}

// ---------------------------------------------------------------- inputs

/// The rebate percentage level set by the star rating (Pricing
/// Considerations, CY2013 rebate table), which fixes how far the
/// Medicare-covered margin may move when premiums are rounded (Appendix E
/// Section IV Rule 3).
///
/// ```
/// use bpt::reallocate::RebateLevel;
/// use rust_decimal_macros::dec;
/// assert_eq!(RebateLevel::Pct73.margin_limit(), dec!(0.68));
/// assert_eq!(RebateLevel::from_fraction(dec!(0.7166666667)), Some(RebateLevel::Pct71));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum RebateLevel {
    /// 73⅓ % (4.5 and 5 stars, low-enrollment contracts).
    #[serde(rename = "73 1/3 %")]
    Pct73,
    /// 71⅔ % (3.5 and 4 stars, new contracts under a new parent
    /// organization, ED PFFS).
    #[serde(rename = "71 2/3 %")]
    Pct71,
    /// 66⅔ % (fewer than 3.5 stars).
    #[default]
    #[serde(rename = "66 2/3 %")]
    Pct66,
}

impl RebateLevel {
    /// The rebate percentage as a fraction (11/15, 43/60, 2/3).
    pub fn fraction(self) -> Decimal {
        match self {
            RebateLevel::Pct73 => div(dec!(11), dec!(15)),
            RebateLevel::Pct71 => div(dec!(43), dec!(60)),
            RebateLevel::Pct66 => div(dec!(2), dec!(3)),
        }
    }

    /// The largest change of the Medicare-covered gain/loss margin (WS4
    /// Q105) permitted for premium rounding: $0.68, $0.70 or $0.75, each
    /// about a $0.50 change in rebates.
    pub fn margin_limit(self) -> Decimal {
        match self {
            RebateLevel::Pct73 => dec!(0.68),
            RebateLevel::Pct71 => dec!(0.70),
            RebateLevel::Pct66 => dec!(0.75),
        }
    }

    /// The level nearest a rebate percentage given as a fraction (0.7333…)
    /// or in percent (73.33); `None` when it is none of the three.
    pub fn from_fraction(d: Decimal) -> Option<RebateLevel> {
        let f = if d > Decimal::ONE {
            div(d, dec!(100))
        } else {
            d
        };
        [RebateLevel::Pct73, RebateLevel::Pct71, RebateLevel::Pct66]
            .into_iter()
            .find(|l| sub(l.fraction(), f).abs() < dec!(0.005))
    }

    /// `73⅓ %`.
    pub fn label(self) -> &'static str {
        match self {
            RebateLevel::Pct73 => "73⅓ %",
            RebateLevel::Pct71 => "71⅔ %",
            RebateLevel::Pct66 => "66⅔ %",
        }
    }
}

/// The plan's target Part D basic premium (WS6 Sec IIIC line 10, cell R47).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Intention {
    /// "Premium amount displayed in line 7d".
    #[serde(rename = "Premium amount displayed in line 7d")]
    Line7d,
    /// "Low-Income Premium Subsidy Amount".
    #[serde(rename = "Low-Income Premium Subsidy Amount")]
    Lipsa,
}

impl Intention {
    /// Reads the drop-down text (case and spacing are ignored).
    ///
    /// ```
    /// use bpt::reallocate::Intention;
    /// assert_eq!(Intention::parse("Low-Income Premium Subsidy Amount"), Some(Intention::Lipsa));
    /// assert_eq!(Intention::parse("Premium amount displayed in line 7d"), Some(Intention::Line7d));
    /// assert_eq!(Intention::parse(""), None);
    /// ```
    pub fn parse(s: &str) -> Option<Intention> {
        let s = s.trim().to_ascii_lowercase();
        if s.contains("low-income") || s.contains("low income") || s == "lipsa" {
            Some(Intention::Lipsa)
        } else if s.contains("7d") {
            Some(Intention::Line7d)
        } else {
            None
        }
    }
}

/// The five rebate allocations of WS6 Sec IIIB lines 2–6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Allocations {
    /// Line 2 – reduce A/B cost sharing (two decimals).
    pub reduce_cost_sharing: Decimal,
    /// Line 3 – other A/B mandatory supplemental benefits (two decimals).
    pub other_supplemental: Decimal,
    /// Line 4 – Part B premium buydown (one decimal).
    pub part_b: Decimal,
    /// Line 5 – Part D basic premium buydown (line 7c, cell R36; one decimal).
    pub part_d_basic: Decimal,
    /// Line 6 – Part D supplemental premium buydown (line 8c; one decimal).
    pub part_d_supplemental: Decimal,
}

impl Allocations {
    /// Line 7: the sum of lines 2–6.
    pub fn total(&self) -> Decimal {
        [
            self.other_supplemental,
            self.part_b,
            self.part_d_basic,
            self.part_d_supplemental,
        ]
        .into_iter()
        .fold(self.reduce_cost_sharing, add)
    }

    /// Rebate buying down the A/B mandatory supplemental premium (lines 2 + 3).
    pub fn ab(&self) -> Decimal {
        add(self.reduce_cost_sharing, self.other_supplemental)
    }

    /// Everything except the Part D basic buydown (lines 2–4 and 6).
    pub fn other_than_part_d_basic(&self) -> Decimal {
        sub(self.total(), self.part_d_basic)
    }

    /// `self − before`, line by line.
    pub fn minus(&self, before: &Allocations) -> Allocations {
        Allocations {
            reduce_cost_sharing: sub(self.reduce_cost_sharing, before.reduce_cost_sharing),
            other_supplemental: sub(self.other_supplemental, before.other_supplemental),
            part_b: sub(self.part_b, before.part_b),
            part_d_basic: sub(self.part_d_basic, before.part_d_basic),
            part_d_supplemental: sub(self.part_d_supplemental, before.part_d_supplemental),
        }
    }

    fn normalized(&self) -> Allocations {
        Allocations {
            reduce_cost_sharing: self.reduce_cost_sharing.normalize(),
            other_supplemental: self.other_supplemental.normalize(),
            part_b: self.part_b.normalize(),
            part_d_basic: self.part_d_basic.normalize(),
            part_d_supplemental: self.part_d_supplemental.normalize(),
        }
    }

    fn clamped(&self) -> Allocations {
        Allocations {
            reduce_cost_sharing: clamp(self.reduce_cost_sharing),
            other_supplemental: clamp(self.other_supplemental),
            part_b: clamp(self.part_b),
            part_d_basic: clamp(self.part_d_basic),
            part_d_supplemental: clamp(self.part_d_supplemental),
        }
    }
}

/// The maxima of WS6 Sec IIIB column 5 that do not follow from the
/// premiums (blank when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Maxima {
    /// Line 2 maximum: WS4 x_q (A/B cost-sharing reduction revenue requirement).
    pub reduce_cost_sharing: Option<Decimal>,
    /// Line 3 maximum: WS4 x_p (additional A/B benefits revenue requirement).
    pub other_supplemental: Option<Decimal>,
    /// Line 4 maximum: the Part B buydown CMS pre-populates (WS6 Sec II).
    pub part_b: Option<Decimal>,
}

/// The WS5 figures needed to recompute an RPPO's rebate from a new regional
/// benchmark and to size the margin change behind a premium rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BidFigures {
    /// WS5 Sec II line 7 – plan A/B bid (ROUND(WS4 x_o, 2)).
    pub plan_bid: Decimal,
    /// WS5 Sec II line 5 – conversion factor ((1 − MSP) × risk).
    pub conversion_factor: Decimal,
    /// WS5 Sec II line 8 – standardized A/B bid.
    pub standardized_bid: Decimal,
    /// WS5 Sec III line 1 – savings (ROUND(MAX(benchmark − bid, 0), 2)).
    pub savings: Decimal,
}

/// The June bid's figures Appendix E works with (WS1 general information,
/// WS5 savings and quality, WS6 rebate allocation and premium, WS4
/// Medicare-covered margin).
///
/// Build it directly or from a bid's values with [`June::from_values`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct June {
    /// WS1 line 7 – plan type (`RPPO` makes it a regional plan).
    pub plan_type: String,
    /// WS1 line 8 – MA-PD (true) or MA-only (false).
    pub ma_pd: bool,
    /// 800-series employer group (EGWP) plan (plan ID ≥ 800).
    pub egwp: bool,
    /// Rebate percentage level (WS5 Sec V).
    pub rebate_level: RebateLevel,
    /// WS6 Sec IIIB line 1 – MA rebate (WS5 Sec III line 2).
    pub ma_rebate: Decimal,
    /// WS6 Sec IIIB lines 2–6.
    pub allocations: Allocations,
    /// WS6 Sec IIIC line 7a – Part D basic premium prior to rebates.
    pub part_d_basic_before: Decimal,
    /// WS6 Sec IIIC line 8a – Part D supplemental premium prior to rebates.
    pub part_d_supp_before: Decimal,
    /// WS6 Sec IIIC line 1 – A/B mandatory supplemental revenue requirement (WS4 x_r).
    pub ms_revenue_requirement: Decimal,
    /// WS6 Sec IIIC line 4 – basic MA premium (WS5 Sec III line 3).
    pub basic_ma_premium: Decimal,
    /// WS6 Sec IIIC line 6 – rounded MA premium.
    pub rounded_ma_premium: Decimal,
    /// WS6 Sec IIIC line 7d (R37) – Part D basic premium net of rebates.
    pub part_d_basic_premium: Decimal,
    /// WS6 Sec IIIC line 10 (R47) – plan intention for the target premium.
    pub intention: Option<Intention>,
    /// WS4 line w column o (Q105) – Medicare-covered gain/loss margin.
    pub mc_margin: Decimal,
    /// WS6 Sec IIIC line 9 – total estimated plan premium.
    pub total_plan_premium: Decimal,
    /// Allocation maxima not implied by the premiums.
    pub maxima: Maxima,
    /// WS5 bid and savings figures.
    pub bid: BidFigures,
}

/// How Appendix E Section I classes a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanClass {
    /// Local MA-PD plan (not 800-series).
    LocalMaPd,
    /// Local 800-series (EGWP) plan, MA-PD or MA-only.
    LocalEgwp,
    /// Local MA-only plan.
    LocalMaOnly,
    /// Regional PPO (any kind, EGWPs included).
    Rppo,
}

impl fmt::Display for PlanClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlanClass::LocalMaPd => "local MA-PD plan",
            PlanClass::LocalEgwp => "local 800-series (EGWP) plan",
            PlanClass::LocalMaOnly => "local MA-only plan",
            PlanClass::Rppo => "regional PPO",
        })
    }
}

fn num0(v: &Values, id: &str) -> Decimal {
    clamp(v.num(id).unwrap_or(Decimal::ZERO))
}

fn yes(v: &Values, id: &str) -> Option<bool> {
    let t = match v.get(id) {
        crate::value::Value::Text(s) => s.trim().to_ascii_uppercase(),
        _ => return None,
    };
    match t.as_str() {
        "Y" | "YES" => Some(true),
        "N" | "NO" => Some(false),
        _ => None,
    }
}

impl June {
    /// The figures of a bid: `values` (as read) evaluated through the
    /// template's formulas ([`crate::form`]), each figure read from its
    /// field (ids of `docs/field-ids.md`): calculated cells are what the
    /// formulas give, never a second computation here. The rebate level is
    /// the one the template's rebate % (WS5 Sec V) gives. Blank or invalid
    /// numbers count as zero.
    ///
    /// ```
    /// use bpt::reallocate::{June, Intention, RebateLevel};
    /// use bpt::value::{Value, Values};
    /// use rust_decimal_macros::dec;
    /// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    /// let form = bpt::form::cached(layout).unwrap();
    /// let mut v = Values::default();
    /// v.set("ws1.general.plan_type", Value::Text("HMO".into()));
    /// v.set("ws1.general.ma_pd", Value::Text("Y".into()));
    /// v.set("ws1.general.plan_id", Value::Text("001".into()));
    /// v.set_num("ws5.quality.star_rating", dec!(4.5));
    /// v.set_num("ws6.premium.part_d_basic_before", dec!(36));
    /// v.set_num("ws6.premium.part_d_basic_rebate_input", dec!(36.04));
    /// v.set_num("ws6.rebate_input.other_supplemental", dec!(13.999));
    /// v.set("ws6.premium.plan_intention", Value::Text("Premium amount displayed in line 7d".into()));
    /// let j = June::from_values(form, &v);
    /// assert!(j.ma_pd && !j.egwp);
    /// assert_eq!(j.rebate_level, RebateLevel::Pct73);
    /// assert_eq!(j.allocations.part_d_basic, dec!(36.0));
    /// assert_eq!(j.allocations.other_supplemental, dec!(14.00));
    /// assert_eq!(j.part_d_basic_premium, dec!(0));
    /// assert_eq!(j.intention, Some(Intention::Line7d));
    /// ```
    pub fn from_values(form: &crate::form::Form, values: &Values) -> June {
        let ev = crate::form::Evaluation::from_values(form, values);
        let mut all = values.clone();
        for &id in form.order() {
            all.set(form.name(id), ev.value(id));
        }
        let v = &all;
        let text = |id: &str| -> String {
            match v.get(id) {
                crate::value::Value::Text(s) => s.trim().to_string(),
                crate::value::Value::Number(d) => d.normalize().to_string(),
                _ => String::new(),
            }
        };
        // As typed: the template's formulas do not trim it either.
        let plan_type = match v.get("ws1.general.plan_type") {
            crate::value::Value::Text(s) => s.clone(),
            _ => String::new(),
        };
        let ma_pd = yes(v, "ws1.general.ma_pd").unwrap_or(false);
        let egwp = yes(v, "ws1.general.egwp").unwrap_or_else(|| {
            text("ws1.general.plan_id")
                .parse::<u32>()
                .is_ok_and(|n| n >= 800)
        });
        let rebate_level = v
            .num("ws5.quality.rebate_pct")
            .and_then(RebateLevel::from_fraction)
            .unwrap_or_default();
        let allocations = Allocations {
            reduce_cost_sharing: num0(v, "ws6.allocation.allocated[reduce_cost_sharing]"),
            other_supplemental: num0(v, "ws6.allocation.allocated[other_supplemental]"),
            part_b: num0(v, "ws6.allocation.allocated[part_b]"),
            part_d_basic: num0(v, "ws6.premium.part_d_basic_rebate"),
            part_d_supplemental: num0(v, "ws6.premium.part_d_supp_rebate"),
        };
        let max = |line: &str| clamp_opt(v.num(&format!("ws6.allocation.maximum[{line}]")));
        let maxima = Maxima {
            reduce_cost_sharing: max("reduce_cost_sharing"),
            other_supplemental: max("other_supplemental"),
            part_b: max("part_b"),
        };
        let ma_rebate = num0(v, "ws6.allocation.allocated[ma_rebate]");
        let part_d_basic_before = num0(v, "ws6.premium.part_d_basic_before");
        let part_d_supp_before = num0(v, "ws6.premium.part_d_supp_before");
        let ms_revenue_requirement = num0(v, "ws6.premium.ms_revenue_requirement");
        let basic_ma_premium = num0(v, "ws6.premium.basic_premium");
        let rounded_ma_premium = num0(v, "ws6.premium.rounded_ma_premium");
        let part_d_basic_premium = num0(v, "ws6.premium.part_d_basic_premium");
        let total_plan_premium = num0(v, "ws6.premium.total_plan_premium");
        June {
            plan_type,
            ma_pd,
            egwp,
            rebate_level,
            ma_rebate,
            allocations,
            part_d_basic_before,
            part_d_supp_before,
            ms_revenue_requirement,
            basic_ma_premium,
            rounded_ma_premium,
            part_d_basic_premium,
            intention: Intention::parse(&text("ws6.premium.plan_intention")),
            mc_margin: num0(v, "ws4.margin.w_o"),
            total_plan_premium,
            maxima,
            bid: BidFigures {
                plan_bid: num0(v, "ws5.bid.plan_bid"),
                conversion_factor: num0(v, "ws5.bid.conversion_factor"),
                standardized_bid: num0(v, "ws5.bid.standardized_bid"),
                savings: num0(v, "ws5.savings.savings"),
            },
        }
    }

    /// Whether the plan is a regional PPO (WS1 plan type `RPPO`, compared
    /// as the template's formulas compare it: case-insensitive, not trimmed).
    pub fn is_rppo(&self) -> bool {
        self.plan_type.eq_ignore_ascii_case("RPPO")
    }

    /// Whether the plan has a Part D target premium and may allocate rebates
    /// to Part D (MA-PD and not 800-series).
    pub fn has_part_d(&self) -> bool {
        self.ma_pd && !self.egwp
    }

    /// Appendix E Section I class of the plan.
    pub fn class(&self) -> PlanClass {
        if self.is_rppo() {
            PlanClass::Rppo
        } else if self.egwp {
            PlanClass::LocalEgwp
        } else if self.ma_pd {
            PlanClass::LocalMaPd
        } else {
            PlanClass::LocalMaOnly
        }
    }

    /// Whether premium rounding is permitted during the reallocation period
    /// (Section I tables; Section IV Rules 2 and 3): RPPOs and local MA-PD
    /// plans other than EGWPs.
    pub fn premium_rounding_permitted(&self) -> bool {
        matches!(self.class(), PlanClass::Rppo | PlanClass::LocalMaPd)
    }

    /// WS6 Sec IIIC line 3: A/B mandatory supplemental premium.
    pub fn ms_premium(&self) -> Decimal {
        sub(self.ms_revenue_requirement, self.allocations.ab())
    }

    /// WS6 Sec IIIC line 8d: Part D supplemental premium net of rebates.
    pub fn part_d_supp_premium(&self) -> Decimal {
        sub(
            self.part_d_supp_before,
            self.allocations.part_d_supplemental,
        )
    }

    fn clamped(&self) -> June {
        June {
            plan_type: self.plan_type.clone(),
            ma_pd: self.ma_pd,
            egwp: self.egwp,
            rebate_level: self.rebate_level,
            ma_rebate: clamp(self.ma_rebate),
            allocations: self.allocations.clamped(),
            part_d_basic_before: clamp(self.part_d_basic_before),
            part_d_supp_before: clamp(self.part_d_supp_before),
            ms_revenue_requirement: clamp(self.ms_revenue_requirement),
            basic_ma_premium: clamp(self.basic_ma_premium),
            rounded_ma_premium: clamp(self.rounded_ma_premium),
            part_d_basic_premium: clamp(self.part_d_basic_premium),
            intention: self.intention,
            mc_margin: clamp(self.mc_margin),
            total_plan_premium: clamp(self.total_plan_premium),
            maxima: Maxima {
                reduce_cost_sharing: clamp_opt(self.maxima.reduce_cost_sharing),
                other_supplemental: clamp_opt(self.maxima.other_supplemental),
                part_b: clamp_opt(self.maxima.part_b),
            },
            bid: BidFigures {
                plan_bid: clamp(self.bid.plan_bid),
                conversion_factor: clamp(self.bid.conversion_factor),
                standardized_bid: clamp(self.bid.standardized_bid),
                savings: clamp(self.bid.savings),
            },
        }
    }
}

/// What CMS published: the Part D basic premium before rebates that the
/// national average monthly bid amount and base beneficiary premium give the
/// plan (the new line 7a), the plan's LIPSA, and for RPPOs the regional
/// benchmark or the resulting MA rebate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Announcement {
    /// The actual Part D basic premium prior to rebates (new line 7a).
    pub part_d_basic_before: Decimal,
    /// The regional low-income premium subsidy amount.
    pub lipsa: Option<Decimal>,
    /// RPPOs: the published standardized regional A/B benchmark (replaces
    /// WS5 Sec II line 2); the new rebate is recomputed from it.
    pub regional_benchmark: Option<Decimal>,
    /// RPPOs: the new MA rebate, when known directly (takes precedence over
    /// `regional_benchmark`).
    pub ma_rebate: Option<Decimal>,
}

impl Announcement {
    /// Only the new Part D basic premium before rebates.
    ///
    /// ```
    /// use bpt::reallocate::Announcement;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Announcement::part_d(dec!(34)).part_d_basic_before, dec!(34));
    /// ```
    pub fn part_d(part_d_basic_before: Decimal) -> Announcement {
        Announcement {
            part_d_basic_before,
            ..Default::default()
        }
    }

    /// What a resubmission implies about the announcement when nothing else
    /// is known: its line 7a, and for an RPPO its MA rebate. The LIPSA stays
    /// unknown.
    pub fn implied_by(resubmitted: &June) -> Announcement {
        Announcement {
            part_d_basic_before: resubmitted.part_d_basic_before,
            lipsa: None,
            regional_benchmark: None,
            ma_rebate: resubmitted.is_rppo().then_some(resubmitted.ma_rebate),
        }
    }

    fn clamped(&self) -> Announcement {
        Announcement {
            part_d_basic_before: clamp(self.part_d_basic_before),
            lipsa: clamp_opt(self.lipsa),
            regional_benchmark: clamp_opt(self.regional_benchmark),
            ma_rebate: clamp_opt(self.ma_rebate),
        }
    }
}

/// The Part D basic premiums a plan targeting the LIPSA may return to
/// (Appendix E Sections IV examples (d), (e) and V): the LIPSA rounded to
/// the nearest dime, rounded down to the dime, or rounded down to the whole
/// dollar; the first is the primary target.
///
/// ```
/// use bpt::reallocate::lipsa_targets;
/// use rust_decimal_macros::dec;
/// assert_eq!(lipsa_targets(dec!(31.76)), vec![dec!(31.80), dec!(31.70), dec!(31.00)]);
/// assert_eq!(lipsa_targets(dec!(31.60)), vec![dec!(31.60), dec!(31.00)]);
/// assert_eq!(lipsa_targets(dec!(18)), vec![dec!(18)]);
/// ```
pub fn lipsa_targets(lipsa: Decimal) -> Vec<Decimal> {
    let lipsa = clamp(lipsa);
    let mut out: Vec<Decimal> = Vec::new();
    for t in [round(lipsa, 1), floor_dp(lipsa, 1), floor_dp(lipsa, 0)] {
        let t = t.normalize();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

// ---------------------------------------------------------------- outputs

/// The rules of Appendix E Section II.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Rule {
    /// A – return to the target premium (no partial return).
    A,
    /// B – negative Part D basic premium net of rebate: reallocation required.
    B,
    /// C – below the target but not below zero: return optional.
    C,
    /// D – above the target: return optional.
    D,
    /// E – increase or decrease in RPPO total rebate dollars.
    E,
    /// F – every bid allocates exactly its total rebate.
    F,
    /// G – the target is the LIPSA.
    G,
    /// H – first-time allocation of rebate to the Part D basic premium.
    H,
}

impl Rule {
    /// The rule's heading in Appendix E Section II.
    pub fn title(self) -> &'static str {
        match self {
            Rule::A => "Return to the target premium",
            Rule::B => {
                "Negative Part D basic premium net of rebate after the Part D benchmark announcement"
            }
            Rule::C => "Part D basic premium net of rebate below the target, but not below zero",
            Rule::D => "Part D basic premium net of rebate above the target",
            Rule::E => "Increase or decrease in RPPO total rebate dollars",
            Rule::F => "Every plan bid must allocate the exact amount of the plan's total rebate",
            Rule::G => {
                "Target Part D basic premium is the low-income premium subsidy amount (LIPSA)"
            }
            Rule::H => "First-time allocation of rebate dollars to the Part D basic premium",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Whether the plan must, may or may not reallocate (Appendix E Section I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reallocation is required (negative Part D basic premium; RPPOs).
    Required,
    /// Reallocation is permitted but not required.
    Permitted,
    /// The premium is already at the target: nothing to reallocate.
    NotNeeded,
    /// The plan had no MA rebate in June: reallocation does not apply.
    NotApplicable,
    /// The plan type may not reallocate (local MA-only and local EGWPs).
    NotPermitted,
}

/// One column of an Appendix E table: the WS6 figures of a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// IIIB line 1 – total MA rebate.
    pub ma_rebate: Decimal,
    /// IIIB lines 2–6.
    pub allocations: Allocations,
    /// IIIB line 7 – total rebate allocated.
    pub total_allocated: Decimal,
    /// Line 1 − line 7 (must be zero).
    pub unallocated: Decimal,
    /// IIIC line 1 – A/B mandatory supplemental revenue requirement.
    pub ms_revenue_requirement: Decimal,
    /// IIIC line 3 – A/B mandatory supplemental premium.
    pub ms_premium: Decimal,
    /// IIIC line 4 – basic MA premium.
    pub basic_ma_premium: Decimal,
    /// IIIC line 5 – total MA premium.
    pub total_ma_premium: Decimal,
    /// IIIC line 6 – rounded MA premium (to the dime).
    pub rounded_ma_premium: Decimal,
    /// IIIC line 7a – Part D basic premium prior to rebates.
    pub part_d_basic_before: Decimal,
    /// IIIC line 7d – Part D basic premium net of rebates.
    pub part_d_basic_premium: Decimal,
    /// IIIC line 8a – Part D supplemental premium prior to rebates.
    pub part_d_supp_before: Decimal,
    /// IIIC line 8d – Part D supplemental premium net of rebates.
    pub part_d_supp_premium: Decimal,
    /// IIIC line 9 – total plan premium.
    pub total_plan_premium: Decimal,
}

impl Figures {
    /// The WS6 arithmetic of Sections IIIB and IIIC.
    fn compute(
        ma_rebate: Decimal,
        allocations: Allocations,
        ms_revenue_requirement: Decimal,
        basic_ma_premium: Decimal,
        part_d_basic_before: Decimal,
        part_d_supp_before: Decimal,
    ) -> Figures {
        let total_allocated = allocations.total();
        let ms_premium = sub(ms_revenue_requirement, allocations.ab());
        let total_ma_premium = add(ms_premium, basic_ma_premium);
        let rounded_ma_premium = round(total_ma_premium, 1);
        let part_d_basic_premium = sub(part_d_basic_before, allocations.part_d_basic);
        let part_d_supp_premium = sub(part_d_supp_before, allocations.part_d_supplemental);
        Figures {
            ma_rebate,
            allocations: allocations.normalized(),
            total_allocated,
            unallocated: sub(ma_rebate, total_allocated),
            ms_revenue_requirement,
            ms_premium,
            basic_ma_premium,
            total_ma_premium,
            rounded_ma_premium,
            part_d_basic_before,
            part_d_basic_premium,
            part_d_supp_before,
            part_d_supp_premium,
            total_plan_premium: add(
                add(rounded_ma_premium, part_d_basic_premium),
                part_d_supp_premium,
            ),
        }
        .normalized()
    }

    fn normalized(mut self) -> Figures {
        for d in [
            &mut self.ma_rebate,
            &mut self.total_allocated,
            &mut self.unallocated,
            &mut self.ms_revenue_requirement,
            &mut self.ms_premium,
            &mut self.basic_ma_premium,
            &mut self.total_ma_premium,
            &mut self.rounded_ma_premium,
            &mut self.part_d_basic_before,
            &mut self.part_d_basic_premium,
            &mut self.part_d_supp_before,
            &mut self.part_d_supp_premium,
            &mut self.total_plan_premium,
        ] {
            *d = d.normalize();
        }
        self
    }

    /// The June bid's own figures, recomputed from its inputs.
    pub fn of_june(june: &June) -> Figures {
        let j = june.clamped();
        Figures::compute(
            j.ma_rebate,
            j.allocations,
            j.ms_revenue_requirement,
            j.basic_ma_premium,
            j.part_d_basic_before,
            j.part_d_supp_before,
        )
    }
}

/// How the margin moves to round a premium to the dollar (Appendix E
/// Section IV Rule 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PremiumRounding {
    /// Total plan premium before rounding.
    pub from: Decimal,
    /// The nearest whole-dollar premium.
    pub to: Decimal,
    /// `to − from`.
    pub change: Decimal,
    /// Whether the change is permitted (less than $0.50, and for plans with
    /// rebates within the Medicare-covered margin limit).
    pub permitted: bool,
    /// Plans with rebates: the change in MA rebate dollars (−`change`).
    pub rebate_change: Option<Decimal>,
    /// The change of the Medicare-covered margin (WS4 Q105) that gives it,
    /// where it can be sized.
    pub mc_margin_change: Option<Decimal>,
    /// Plans with rebates: the Medicare-covered margin limit of the rebate level.
    pub mc_margin_limit: Option<Decimal>,
    /// How.
    pub explanation: Vec<String>,
}

/// One permissible resubmission (a column "Rebate Reallocation Option n").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// `Option 1: …`.
    pub label: String,
    /// Whether the proposal returns to (one of) the target premium(s).
    pub returns_to_target: bool,
    /// The Part D basic premium it aims at, if it returns to a target.
    pub target: Option<Decimal>,
    /// The resubmitted figures.
    pub figures: Figures,
    /// Allocation changes from the June bid.
    pub changes: Allocations,
    /// Value of A/B mandatory supplemental benefits to add (positive) or
    /// eliminate (negative) so the allocation fits the benefit.
    pub benefit_change: Decimal,
    /// Rounding the total plan premium to the dollar, when permitted and not
    /// already whole.
    pub rounding: Option<PremiumRounding>,
    /// What to do, line by line.
    pub explanation: Vec<String>,
}

/// What Appendix E says about one June bid after the announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reallocation {
    /// Section I class of the plan.
    pub plan_class: PlanClass,
    /// Required, permitted, not needed, not applicable or not permitted.
    pub outcome: Outcome,
    /// Whether premium rounding is permitted.
    pub premium_rounding_permitted: bool,
    /// The Section II rules that apply, the governing one first.
    pub rules: Vec<Rule>,
    /// The target Part D basic premium (line 7d of June, or the LIPSA
    /// rounded to the dime); `None` when not applicable or unknown.
    pub target: Option<Decimal>,
    /// Every Part D basic premium the resubmission may return to.
    pub acceptable_targets: Vec<Decimal>,
    /// The June bid ("Initial June Bid Submission").
    pub june: Figures,
    /// The June allocations with the announced figures ("After Release of
    /// Benchmark").
    pub after_benchmark: Figures,
    /// The permissible resubmissions, Option 1 first.
    pub options: Vec<Proposal>,
    /// Why, line by line.
    pub explanation: Vec<String>,
}

// ---------------------------------------------------------------- rounding

/// The Medicare-covered margin (bid) change, in cents, that moves the MA
/// rebate by exactly `rebate_change`: rebate = ROUND(savings × pct, 2), and a
/// higher bid means less savings. Smallest such change; `−change / pct`
/// rounded to the cent when the savings are unknown.
fn margin_for_rebate_change(j: &June, rebate_change: Decimal) -> Decimal {
    let pct = j.rebate_level.fraction();
    let d0 = round(div(neg(rebate_change), pct), 2);
    let s = j.bid.savings;
    if s <= Decimal::ZERO {
        return d0;
    }
    let base = round(mul(s, pct), 2);
    let mut best: Option<Decimal> = None;
    for k in -30i64..=30 {
        let d = add(d0, Decimal::new(k, 2));
        let new_rebate = round(mul(sub(s, d).max(Decimal::ZERO), pct), 2);
        if sub(new_rebate, base) == rebate_change && best.is_none_or(|b| d.abs() < b.abs()) {
            best = Some(d);
        }
    }
    best.unwrap_or(d0)
}

/// Rounding a total plan premium to the nearest dollar by a small change in
/// the gain/loss margin (Appendix E Section IV Rule 3). `None` when the
/// premium is already a whole-dollar amount.
///
/// With rebates, the margin change moves the rebate by the premium change
/// (the Medicare-covered margin within $0.68 / $0.70 / $0.75 at the
/// 73⅓ / 71⅔ / 66⅔ % levels); without rebates it moves the MA premium
/// directly. Either way the premium change must be less than $0.50, so only
/// the nearest dollar is reachable. Whether the plan may round at all is
/// [`June::premium_rounding_permitted`].
///
/// ```
/// use bpt::reallocate::{premium_rounding, June, RebateLevel};
/// use rust_decimal_macros::dec;
/// // Example (a): $30.42 rounds to $30.00 with $0.42 more rebate.
/// let june = June { ma_pd: true, ma_rebate: dec!(40), rebate_level: RebateLevel::Pct73, ..Default::default() };
/// let r = premium_rounding(&june, dec!(30.42)).unwrap();
/// assert_eq!((r.to, r.change, r.rebate_change), (dec!(30), dec!(-0.42), Some(dec!(0.42))));
/// assert_eq!(r.mc_margin_change, Some(dec!(-0.57)));
/// assert!(r.permitted);
/// ```
pub fn premium_rounding(june: &June, total: Decimal) -> Option<PremiumRounding> {
    let j = june.clamped();
    let from = clamp(total).normalize();
    let to = round(from, 0).normalize();
    let change = sub(to, from).normalize();
    if change.is_zero() {
        return None;
    }
    let small = change.abs() < ROUNDING_CHANGE;
    let verb = |d: Decimal| if d > Decimal::ZERO { "raise" } else { "lower" };
    let mut ex = vec![format!(
        "Round the total plan premium from {} to {}, a change of {}{}.",
        money(from),
        money(to),
        money(change),
        if small {
            " (less than $0.50, Section IV Rule 3)"
        } else {
            "; not permitted: the change must be less than $0.50 (Section IV Rule 3)"
        }
    )];
    if j.ma_rebate > Decimal::ZERO {
        let rebate_change = neg(change);
        let m = margin_for_rebate_change(&j, rebate_change).normalize();
        let limit = j.rebate_level.margin_limit();
        let within = m.abs() <= limit;
        ex.push(format!(
            "{} the gain/loss margin for MA benefits so the MA rebate {} by {}: the Medicare-covered margin (WS4 Q105) changes by {}, {} the {} limit at the {} rebate level.",
            if m < Decimal::ZERO { "Lower" } else { "Raise" },
            if rebate_change > Decimal::ZERO { "rises" } else { "falls" },
            money(rebate_change.abs()),
            money(m),
            if within { "within" } else { "beyond" },
            money(limit),
            j.rebate_level.label()
        ));
        ex.push(if rebate_change > Decimal::ZERO {
            format!(
                "Allocate the additional {} of rebate to buy down a premium (the A/B mandatory supplemental premium, or Part D premiums in dimes).",
                money(rebate_change)
            )
        } else {
            format!(
                "Take the {} of rebate from a premium buydown (the A/B mandatory supplemental premium rises by it).",
                money(rebate_change.abs())
            )
        });
        ex.push("The gain/loss margin for Part D benefits must not change.".into());
        Some(PremiumRounding {
            from,
            to,
            change,
            permitted: small && within,
            rebate_change: Some(rebate_change),
            mc_margin_change: Some(m),
            mc_margin_limit: Some(limit),
            explanation: ex,
        })
    } else {
        let cf = j.bid.conversion_factor;
        let mc = if j.basic_ma_premium > Decimal::ZERO && cf > Decimal::ZERO {
            ex.push(format!(
                "No rebates: {} the Medicare-covered gain/loss margin by about {} so the basic MA premium moves by {}.",
                verb(change),
                money(mul(change, cf).abs()),
                money(change.abs())
            ));
            Some(round(mul(change, cf), 2).normalize())
        } else {
            ex.push(format!(
                "No rebates: {} the gain/loss margin so the MA premium moves by {}.",
                verb(change),
                money(change.abs())
            ));
            None
        };
        ex.push("The gain/loss margin for Part D benefits must not change.".into());
        Some(PremiumRounding {
            from,
            to,
            change,
            permitted: small,
            rebate_change: None,
            mc_margin_change: mc,
            mc_margin_limit: None,
            explanation: ex,
        })
    }
}

// ---------------------------------------------------------------- reallocation

/// Allocations after moving `delta` into (positive) or out of (negative) the
/// allocations other than the Part D basic buydown.
struct Shift {
    alloc: Allocations,
    benefit_change: Decimal,
    lines: Vec<String>,
}

fn room(max: Option<Decimal>, current: Decimal) -> Option<Decimal> {
    max.map(|m| sub(m, current).max(Decimal::ZERO))
}

fn distribute(j: &June, start: Allocations, delta: Decimal, pd: bool) -> Shift {
    let mut a = start;
    let mut lines = Vec::new();
    let mut benefit_change = Decimal::ZERO;
    let zero = Decimal::ZERO;
    if delta > zero {
        let mut r = delta;
        // 1. Further buy down the A/B mandatory supplemental premium.
        let ms_premium = sub(j.ms_revenue_requirement, a.ab()).max(zero);
        let x = r.min(ms_premium);
        if x > zero {
            let to_o =
                room(j.maxima.other_supplemental, a.other_supplemental).map_or(x, |rm| x.min(rm));
            let to_c = room(j.maxima.reduce_cost_sharing, a.reduce_cost_sharing)
                .map_or(sub(x, to_o), |rm| sub(x, to_o).min(rm));
            a.other_supplemental = add(a.other_supplemental, to_o);
            a.reduce_cost_sharing = add(a.reduce_cost_sharing, to_c);
            let placed = add(to_o, to_c);
            r = sub(r, placed);
            if placed > zero {
                lines.push(format!(
                    "Further buy down the A/B mandatory supplemental premium by {} (IIIB lines 2–3).",
                    money(placed)
                ));
            }
        }
        // 2. The Part D supplemental premium, in dimes.
        if pd && r > zero {
            let rm = sub(j.part_d_supp_before.max(zero), a.part_d_supplemental).max(zero);
            let y = floor_dp(r.min(rm), 1);
            if y > zero {
                a.part_d_supplemental = add(a.part_d_supplemental, y);
                r = sub(r, y);
                lines.push(format!(
                    "Buy down the Part D supplemental premium by {} more (line 8c).",
                    money(y)
                ));
            }
        }
        // 3. The Part B premium, in dimes, up to the CMS maximum.
        if r > zero
            && let Some(rm) = room(j.maxima.part_b, a.part_b)
        {
            let y = floor_dp(r.min(rm), 1);
            if y > zero {
                a.part_b = add(a.part_b, y);
                r = sub(r, y);
                lines.push(format!(
                    "Buy down the Part B premium by {} more (IIIB line 4).",
                    money(y)
                ));
            }
        }
        // 4. Whatever is left needs new A/B mandatory supplemental benefits.
        if r > zero {
            a.other_supplemental = add(a.other_supplemental, r);
            benefit_change = r;
            lines.push(format!(
                "Add A/B mandatory supplemental benefits worth {} (reduce cost sharing or add a non-covered benefit) and buy down their premium with the {} (Section III); the A/B revenue requirement rises by the same amount.",
                money(r),
                money(r)
            ));
        }
    } else if delta < zero {
        let mut n = neg(delta);
        let take_ab = |n: &mut Decimal, have: &mut Decimal| -> Decimal {
            let t = (*n).min((*have).max(zero));
            *have = sub(*have, t);
            *n = sub(*n, t);
            t
        };
        let t = take_ab(&mut n, &mut a.other_supplemental);
        if t > zero {
            lines.push(format!(
                "Buy down {} less of the A/B mandatory supplemental premium from other A/B mandatory supplemental benefits (IIIB line 3); to keep the premium, reduce or remove non-Medicare-covered benefits worth {} instead (CY2010 Call Letter priority 1).",
                money(t),
                money(t)
            ));
        }
        let t = take_ab(&mut n, &mut a.reduce_cost_sharing);
        if t > zero {
            lines.push(format!(
                "Buy down {} less of the A/B mandatory supplemental premium from reduced A/B cost sharing (IIIB line 2); benefit cuts here come after non-covered benefits (priorities 2–3).",
                money(t)
            ));
        }
        if n > zero {
            let t = floor_dp(n.min(a.part_b.max(zero)), 1);
            a.part_b = sub(a.part_b, t);
            n = sub(n, t);
            if t > zero {
                lines.push(format!("Buy down {} less of the Part B premium.", money(t)));
            }
        }
        if pd && n > zero {
            let t = ceil_dp(n, 1).min(a.part_d_supplemental.max(zero));
            a.part_d_supplemental = sub(a.part_d_supplemental, t);
            if t > zero {
                lines.push(format!(
                    "Buy down {} less of the Part D supplemental premium (a plan whose required Part D coverage is enhanced alternative must keep that premium at zero).",
                    money(t)
                ));
            }
            if t > n {
                a.other_supplemental = add(a.other_supplemental, sub(t, n));
                lines.push(format!(
                    "Put the {} left over from whole dimes back on the A/B mandatory supplemental premium.",
                    money(sub(t, n))
                ));
                n = zero;
            } else {
                n = sub(n, t);
            }
        }
        if n > zero {
            let t = ceil_dp(n, 1).min(a.part_b.max(zero));
            if t >= n && t > zero {
                a.part_b = sub(a.part_b, t);
                a.other_supplemental = add(a.other_supplemental, sub(t, n));
                lines.push(format!(
                    "Buy down {} less of the Part B premium and put {} back on the A/B mandatory supplemental premium.",
                    money(t),
                    money(sub(t, n))
                ));
                n = zero;
            }
        }
        if n > zero {
            lines.push(format!(
                "{} of rebate could not be taken from the other allocations.",
                money(n)
            ));
        }
    }
    Shift {
        alloc: a,
        benefit_change,
        lines,
    }
}

/// RPPO: the new rebate and basic MA premium from the announcement.
fn rppo_rebate(j: &June, a: &Announcement, ex: &mut Vec<String>) -> (Decimal, Decimal) {
    if let Some(r) = a.ma_rebate {
        ex.push(format!(
            "The published regional benchmark changes the MA rebate from {} to {} (Section II E).",
            money(j.ma_rebate),
            money(r)
        ));
        let basic = match a.regional_benchmark {
            Some(b) => round(sub(j.bid.standardized_bid, b).max(Decimal::ZERO), 2),
            None => j.basic_ma_premium,
        };
        return (r, basic);
    }
    match a.regional_benchmark {
        Some(b) if j.bid.conversion_factor > Decimal::ZERO => {
            let plan_benchmark = mul(b, j.bid.conversion_factor);
            let savings = round(sub(plan_benchmark, j.bid.plan_bid).max(Decimal::ZERO), 2);
            let rebate = round(mul(savings, j.rebate_level.fraction()), 2);
            let basic = round(sub(j.bid.standardized_bid, b).max(Decimal::ZERO), 2);
            ex.push(format!(
                "New regional benchmark {} × conversion factor {} = plan benchmark {}; savings over the plan bid {} = {}; rebate at {} = {} (was {}); basic MA premium {} (Section II E).",
                money(b),
                j.bid.conversion_factor.normalize(),
                money(plan_benchmark),
                money(j.bid.plan_bid),
                money(savings),
                j.rebate_level.label(),
                money(rebate),
                money(j.ma_rebate),
                money(basic)
            ));
            (rebate, basic)
        }
        Some(_) => {
            ex.push("The conversion factor (WS5 Sec II line 5) is zero, so the new rebate cannot be computed from the regional benchmark; the June rebate is kept.".into());
            (j.ma_rebate, j.basic_ma_premium)
        }
        None => {
            ex.push("RPPOs must resubmit to reflect the published MA regional benchmark; give the new regional benchmark or rebate to size the change (the June rebate is kept here).".into());
            (j.ma_rebate, j.basic_ma_premium)
        }
    }
}

/// What Appendix E permits for a June bid once CMS has announced the Part D
/// and regional benchmarks: the outcome (Section I), the governing rules
/// (Section II A–H), the target Part D basic premium, and the permissible
/// resubmissions, each with its premium-rounding option (Section IV).
///
/// Option 1 leaves the Part D basic buydown alone (not offered when Rule B
/// requires a change); the other options return the Part D basic premium
/// to the target (for a LIPSA target: the LIPSA rounded to the dime, down
/// to the dime, or down to the dollar). Rebate freed from the Part D basic
/// premium first buys down the A/B mandatory supplemental premium, then the
/// Part D supplemental and Part B premiums, and the rest funds added A/B
/// benefits; rebate needed comes from the A/B mandatory supplemental
/// allocations (other benefits first), then Part B, then Part D
/// supplemental. These are proposals: any split among the other premiums
/// that [`check`] accepts is permitted.
///
/// ```
/// use bpt::reallocate::{reallocate, Allocations, Announcement, Intention, June, Outcome, Rule};
/// use rust_decimal_macros::dec;
/// // Example 2: premium falls below the $20 target; return is optional.
/// let june = June {
///     plan_type: "LPPO".into(), ma_pd: true, ma_rebate: dec!(40),
///     allocations: Allocations { part_d_basic: dec!(15), other_supplemental: dec!(25), ..Default::default() },
///     ms_revenue_requirement: dec!(60),
///     part_d_basic_before: dec!(35), part_d_basic_premium: dec!(20),
///     intention: Some(Intention::Line7d), ..Default::default()
/// };
/// let r = reallocate(&june, &Announcement::part_d(dec!(30)));
/// assert_eq!((r.outcome, r.rules[0]), (Outcome::Permitted, Rule::C));
/// assert_eq!(r.options[0].figures.part_d_basic_premium, dec!(15));
/// assert_eq!(r.options[1].figures.allocations.part_d_basic, dec!(10));
/// assert_eq!(r.options[1].figures.part_d_basic_premium, dec!(20));
/// ```
pub fn reallocate(june: &June, announcement: &Announcement) -> Reallocation {
    let j = june.clamped();
    let a = announcement.clamped();
    let class = j.class();
    let pd = j.has_part_d();
    let zero = Decimal::ZERO;
    let rounding_ok = j.premium_rounding_permitted();
    let june_fig = Figures::of_june(&j);
    let mut ex = Vec::new();

    let new7a = if pd {
        a.part_d_basic_before
    } else {
        j.part_d_basic_before
    };
    let (new_rebate, new_basic) = if class == PlanClass::Rppo {
        rppo_rebate(&j, &a, &mut ex)
    } else {
        (j.ma_rebate, j.basic_ma_premium)
    };
    let after = Figures::compute(
        new_rebate,
        j.allocations,
        j.ms_revenue_requirement,
        new_basic,
        new7a,
        j.part_d_supp_before,
    );
    let mut j_after = j.clone();
    j_after.ma_rebate = new_rebate;
    j_after.basic_ma_premium = new_basic;
    let rounding_of = |total: Decimal| {
        if rounding_ok {
            premium_rounding(&j_after, total)
        } else {
            None
        }
    };

    let mut result = Reallocation {
        plan_class: class,
        outcome: Outcome::NotPermitted,
        premium_rounding_permitted: rounding_ok,
        rules: Vec::new(),
        target: None,
        acceptable_targets: Vec::new(),
        june: june_fig,
        after_benchmark: after,
        options: Vec::new(),
        explanation: Vec::new(),
    };

    match class {
        PlanClass::LocalMaOnly => {
            ex.insert(0, "Local MA-only plan: rebate reallocation is not permitted; these plans are not affected by the Part D and MA regional benchmarks (Section I).".into());
            ex.push("Premium rounding is not permitted after the June submission: the June bid must already reflect the desired rounding (Section IV Rule 2).".into());
            if let Some(r) = premium_rounding(&j, june_fig.total_plan_premium) {
                ex.push(format!(
                    "A whole-dollar premium would have needed the June bid's margin changed before submission: {} to {} (a {} change; Example (g)).",
                    money(r.from),
                    money(r.to),
                    money(r.change)
                ));
            }
            result.explanation = ex;
            return result;
        }
        PlanClass::LocalEgwp => {
            ex.insert(0, "Local 800-series (EGWP) plan: the target Part D basic premium does not apply and local EGWPs do not take part in rebate reallocation or premium rounding (Section I; Section IV Rule 3).".into());
            result.explanation = ex;
            return result;
        }
        PlanClass::LocalMaPd if j.ma_rebate <= zero => {
            ex.insert(0, "Local MA-PD plan without MA rebate dollars in June: rebate reallocation does not apply; premium rounding is permitted (Section I).".into());
            ex.push(format!(
                "The Part D basic premium moves from {} to {} with the announced Part D benchmarks.",
                money(j.part_d_basic_premium),
                money(after.part_d_basic_premium)
            ));
            result.outcome = Outcome::NotApplicable;
            result.options.push(Proposal {
                label: "Option 1: no reallocation".into(),
                returns_to_target: false,
                target: None,
                figures: after,
                changes: Allocations::default(),
                benefit_change: zero,
                rounding: rounding_of(after.total_plan_premium),
                explanation: vec!["Keep the June allocations.".into()],
            });
            result.explanation = ex;
            return result;
        }
        PlanClass::Rppo => {
            ex.insert(0, "Regional PPO: resubmission is required to reflect the published MA regional benchmarks; premium rounding is permitted (Section I).".into());
        }
        PlanClass::LocalMaPd => {
            ex.insert(0, "Local MA-PD plan with MA rebate dollars in June: rebate reallocation is required when the Part D basic premium net of rebates falls below $0 and permitted otherwise; premium rounding is permitted (Section I).".into());
        }
    }

    // Target Part D basic premium.
    let c_j = j.allocations.part_d_basic;
    let d_after = after.part_d_basic_premium;
    let lipsa_target = pd && j.intention == Some(Intention::Lipsa);
    let targets: Vec<Decimal> = if !pd {
        Vec::new()
    } else if lipsa_target {
        a.lipsa.map(lipsa_targets).unwrap_or_default()
    } else {
        vec![j.part_d_basic_premium]
    };
    let target = targets.first().copied();
    result.target = target;
    result.acceptable_targets = targets.clone();
    if pd && j.intention.is_none() {
        ex.push("The plan intention (line 10, R47) is blank; the premium in line 7d is taken as the target.".into());
    }

    // Rules.
    let mut rules = Vec::new();
    if class == PlanClass::Rppo {
        rules.push(Rule::E);
    }
    let negative = pd && c_j > zero && d_after < zero;
    if pd {
        ex.push(format!(
            "Part D basic premium before rebates: {} in June, {} announced; with the June buydown of {} the premium net of rebates is {} (was {}).",
            money(j.part_d_basic_before),
            money(new7a),
            money(c_j),
            money(d_after),
            money(j.part_d_basic_premium)
        ));
        match (lipsa_target, a.lipsa) {
            (true, Some(l)) => ex.push(format!(
                "The target is the LIPSA of {}: the resubmitted premium may be {} (Sections II G, IV (d)–(e), V).",
                money(l),
                targets.iter().map(|t| money(*t)).collect::<Vec<_>>().join(", ")
            )),
            (true, None) => ex.push(if negative {
                "The target is the LIPSA, which was not given: it is needed to size the required reallocation.".into()
            } else {
                "The target is the LIPSA, which was not given: only the no-reallocation option can be sized.".into()
            }),
            _ => ex.push(format!(
                "The target is the June premium in line 7d: {}.",
                money(j.part_d_basic_premium)
            )),
        }
    }
    if negative {
        rules.push(Rule::B);
        ex.push(format!(
            "The rebate buying down the Part D basic premium ({}) exceeds the announced premium before rebates ({}): reallocation is required, and the excess must buy down other premiums (Section II B).",
            money(c_j),
            money(new7a)
        ));
    }
    if lipsa_target {
        rules.push(Rule::G);
    }
    if pd && !negative {
        if targets.contains(&d_after) {
            rules.push(Rule::A);
            ex.push("The Part D basic premium net of rebates is already at the target: no reallocation is needed (Section II A).".into());
        } else if let Some(t) = target {
            if d_after > t && c_j.is_zero() {
                rules.push(Rule::H);
                ex.push("No rebate bought down the Part D basic premium in June and the premium is now above the target: a first-time allocation may return it to the target (Section II H).".into());
            } else if !lipsa_target && d_after < t {
                rules.push(Rule::C);
                ex.push("The premium is below the target but not below zero: the plan may leave it, or return exactly to the target by moving rebate to other premiums; a partial return is not accepted (Section II C).".into());
            } else if !lipsa_target {
                rules.push(Rule::D);
                ex.push("The premium is above the target: the plan may leave it, or return exactly to the target by moving rebate from other premiums, partially only if all rebate then buys down the Part D basic premium (Section II D).".into());
            } else if d_after < t {
                ex.push("The premium is below the LIPSA: the plan may raise it to the LIPSA by moving rebate to other premiums or to newly added A/B mandatory supplemental benefits (Section II G).".into());
            } else {
                ex.push("The premium is above the LIPSA: the plan may lower it to the LIPSA by moving rebate from other premiums (Section II G).".into());
            }
        }
    }
    let changes_needed = class == PlanClass::Rppo || !rules.contains(&Rule::A);
    if changes_needed {
        rules.push(Rule::F);
    }
    result.rules = rules;
    result.outcome = if class == PlanClass::Rppo || negative {
        Outcome::Required
    } else if !changes_needed {
        Outcome::NotNeeded
    } else {
        Outcome::Permitted
    };
    if class == PlanClass::Rppo && new_rebate != j.ma_rebate {
        ex.push(format!(
            "The allocations must total the new rebate of {}: with the June allocations {} is {} (Section II F).",
            money(new_rebate),
            money(after.unallocated.abs()),
            if after.unallocated < zero {
                "over-allocated"
            } else {
                "unallocated"
            }
        ));
    }

    // Option: leave the Part D basic buydown unchanged.
    let mut options: Vec<Proposal> = Vec::new();
    if !negative {
        let shift = distribute(
            &j,
            j.allocations,
            sub(new_rebate, after.total_allocated),
            pd,
        );
        let figures = Figures::compute(
            new_rebate,
            shift.alloc,
            add(j.ms_revenue_requirement, shift.benefit_change),
            new_basic,
            new7a,
            j.part_d_supp_before,
        );
        let mut lines = Vec::new();
        if pd {
            lines.push(format!(
                "Leave the Part D basic premium net of rebates at {} (buydown {} unchanged).",
                money(d_after),
                money(c_j)
            ));
        }
        if shift.lines.is_empty() && class != PlanClass::Rppo {
            lines.push("No rebate reallocation; a resubmission is not necessary unless the premium is rounded.".into());
        }
        lines.extend(shift.lines);
        if !figures.unallocated.is_zero() {
            ex.push(format!(
                "Keeping the Part D basic buydown of {} is not possible: the new rebate of {} cannot cover it (Section II F).",
                money(c_j),
                money(new_rebate)
            ));
        } else {
            options.push(Proposal {
                label: if pd && targets.contains(&d_after) {
                    "no reallocation (already at the target)".into()
                } else {
                    "no reallocation of the Part D basic buydown".into()
                },
                returns_to_target: pd && targets.contains(&d_after),
                target: None,
                figures,
                changes: shift.alloc.minus(&j.allocations).normalized(),
                benefit_change: shift.benefit_change.normalize(),
                rounding: rounding_of(figures.total_plan_premium),
                explanation: lines,
            });
        }
    }

    // Options: return to the target.
    if pd && (new_rebate > zero || c_j > zero) {
        let hi = new7a.max(zero).min(floor_dp(new_rebate, 1)).max(zero);
        for (i, &t) in targets.iter().enumerate() {
            if !negative && d_after == t && !options.is_empty() {
                continue;
            }
            let desired = round(sub(new7a, t), 1);
            let c = desired.clamp(zero, hi);
            let mut start = j.allocations;
            start.part_d_basic = c;
            let delta = sub(sub(new_rebate, c), j.allocations.other_than_part_d_basic());
            let shift = distribute(&j, start, delta, pd);
            let figures = Figures::compute(
                new_rebate,
                shift.alloc,
                add(j.ms_revenue_requirement, shift.benefit_change),
                new_basic,
                new7a,
                j.part_d_supp_before,
            );
            let reaches = figures.part_d_basic_premium == t;
            let mut lines = vec![format!(
                "Change the Part D basic buydown (line 7c, R36) from {} to {}: line 7d = {} − {} = {}.",
                money(c_j),
                money(c),
                money(new7a),
                money(c),
                money(figures.part_d_basic_premium)
            )];
            if !reaches {
                if c == hi && desired > hi && new7a > hi {
                    lines.push(format!(
                        "All of the rebate now buys down the Part D basic premium and it is still above the target of {}: this partial return is accepted (Section II A).",
                        money(t)
                    ));
                } else if c.is_zero() && desired < zero && new7a > zero {
                    lines.push(format!(
                        "No rebate is left on the Part D basic premium and it is still below the target of {}: accepted (Section II G).",
                        money(t)
                    ));
                } else if desired > new7a.max(zero) {
                    lines.push("The rebate on the Part D basic premium cannot exceed the premium before rebates (Section II B).".into());
                } else if desired != sub(new7a, t) {
                    lines.push(format!(
                        "The announced premium before rebates is not in whole dimes, so the Part D buydown (one decimal) cannot reach {} exactly.",
                        money(t)
                    ));
                }
            }
            lines.extend(shift.lines);
            if lipsa_target && let Some(l) = a.lipsa {
                if i > 0 && t == floor_dp(l, 0) && t != round(l, 1) {
                    lines.push(format!(
                        "Rounding down to the whole dollar below the LIPSA: the A/B mandatory supplemental premium must rise by the rebate taken from it and cannot be offset by the gain/loss margin; full-subsidy enrollees' plan forgoes {} of subsidy a month (Example (d) Option 3).",
                        money(sub(l, t))
                    ));
                } else if t < l {
                    lines.push(format!(
                        "Full-subsidy enrollees pay no Part D basic premium ({} is below the LIPSA of {}).",
                        money(t),
                        money(l)
                    ));
                } else if t > l {
                    lines.push(format!(
                        "Full-subsidy enrollees pay no Part D basic premium: the {} difference from the LIPSA rounds to zero at one decimal (Example (e)).",
                        money(sub(t, l))
                    ));
                }
                if c > zero && figures.part_d_basic_premium <= zero {
                    lines.push("With a LIPSA target and rebate on the Part D basic premium, line 7d (R37) must stay above zero (WS6 line 7d).".into());
                }
            }
            if options.iter().any(|o| o.figures.allocations == shift.alloc) {
                continue;
            }
            options.push(Proposal {
                label: format!("return to the target Part D basic premium of {}", money(t)),
                returns_to_target: reaches,
                target: Some(t),
                figures,
                changes: shift.alloc.minus(&j.allocations).normalized(),
                benefit_change: shift.benefit_change.normalize(),
                rounding: rounding_of(figures.total_plan_premium),
                explanation: lines,
            });
        }
    }
    for (n, o) in options.iter_mut().enumerate() {
        o.label = format!("Option {}: {}", n.saturating_add(1), o.label);
    }
    if rounding_ok {
        ex.push("The total plan premium may be rounded to the nearest dollar by a small gain/loss margin change (less than $0.50 of premium; Section IV Rule 3).".into());
    }
    result.options = options;
    result.explanation = ex;
    result
}

impl Proposal {
    /// Writes the proposal into a bid's values as the WS6 inputs a
    /// resubmission enters: the A/B allocations (Sec II), the Part B buydown,
    /// lines 7a, 7b and 8b. Calculated cells are left to recalculation. Any
    /// `benefit_change` (added or eliminated A/B benefits) and margin change
    /// for rounding must still be priced in WS1–WS4 by the actuary, and an
    /// RPPO's new regional benchmark must reach WS5 (Sec IV) for the
    /// recalculated rebate to match `figures.ma_rebate`.
    ///
    /// ```
    /// use bpt::reallocate::{reallocate, Allocations, Announcement, Intention, June};
    /// use bpt::value::Values;
    /// use rust_decimal_macros::dec;
    /// let june = June {
    ///     plan_type: "HMO".into(), ma_pd: true, ma_rebate: dec!(40),
    ///     allocations: Allocations { part_d_basic: dec!(15), other_supplemental: dec!(25), ..Default::default() },
    ///     ms_revenue_requirement: dec!(60), part_d_basic_before: dec!(35), part_d_basic_premium: dec!(20),
    ///     intention: Some(Intention::Line7d), ..Default::default()
    /// };
    /// let r = reallocate(&june, &Announcement::part_d(dec!(30)));
    /// let mut v = Values::default();
    /// r.options[1].apply(&mut v);
    /// assert_eq!(v.num("ws6.premium.part_d_basic_before"), Some(dec!(30)));
    /// assert_eq!(v.num("ws6.premium.part_d_basic_rebate_input"), Some(dec!(10)));
    /// assert_eq!(v.num("ws6.rebate_input.other_supplemental"), Some(dec!(30)));
    /// ```
    pub fn apply(&self, values: &mut Values) {
        let f = &self.figures;
        let al = &f.allocations;
        for (id, d) in [
            (
                "ws6.rebate_input.reduce_cost_sharing",
                al.reduce_cost_sharing,
            ),
            ("ws6.rebate_input.other_supplemental", al.other_supplemental),
            ("ws6.part_b.rebate_input", al.part_b),
            ("ws6.premium.part_d_basic_before", f.part_d_basic_before),
            ("ws6.premium.part_d_basic_rebate_input", al.part_d_basic),
            (
                "ws6.premium.part_d_supp_rebate_input",
                al.part_d_supplemental,
            ),
        ] {
            let keep_blank = d.is_zero() && values.get(id).is_empty();
            if !keep_blank {
                values.set_num(id, d);
            }
        }
    }
}

fn cell(d: Decimal) -> String {
    money(d)
}

impl fmt::Display for Reallocation {
    /// A plain-text report in the layout of the Appendix E tables: one row
    /// per WS6 line, one column for June, after the benchmark, and each
    /// option; then the explanation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match self.outcome {
            Outcome::Required => "required",
            Outcome::Permitted => "permitted",
            Outcome::NotNeeded => "not needed (already at the target)",
            Outcome::NotApplicable => "not applicable (no MA rebate in June)",
            Outcome::NotPermitted => "not permitted",
        };
        writeln!(
            f,
            "Rebate reallocation (CMS Appendix E): {}",
            self.plan_class
        )?;
        writeln!(f, "Reallocation: {outcome}")?;
        writeln!(
            f,
            "Premium rounding: {}",
            if self.premium_rounding_permitted {
                "permitted"
            } else {
                "not permitted"
            }
        )?;
        if !self.rules.is_empty() {
            writeln!(f, "Rules:")?;
            for r in &self.rules {
                writeln!(f, "  {r}. {}", r.title())?;
            }
        }
        if let Some(t) = self.target {
            writeln!(f, "Target Part D basic premium: {}", money(t))?;
        }
        writeln!(f)?;
        let mut cols: Vec<(String, &Figures)> = vec![
            ("June".into(), &self.june),
            ("After benchmark".into(), &self.after_benchmark),
        ];
        for (n, o) in self.options.iter().enumerate() {
            cols.push((format!("Option {}", n.saturating_add(1)), &o.figures));
        }
        type Row = (&'static str, fn(&Figures) -> Decimal);
        let rows: [Row; 15] = [
            ("IIIB 1  Total MA rebate", |x| x.ma_rebate),
            ("IIIB 2  Reduce A/B cost sharing", |x| {
                x.allocations.reduce_cost_sharing
            }),
            ("IIIB 3  Other A/B mandatory suppl.", |x| {
                x.allocations.other_supplemental
            }),
            ("IIIB 4  Part B premium", |x| x.allocations.part_b),
            ("IIIB 5  Part D basic premium (7c)", |x| {
                x.allocations.part_d_basic
            }),
            ("IIIB 6  Part D suppl. premium (8c)", |x| {
                x.allocations.part_d_supplemental
            }),
            ("IIIB 7  Total rebate allocated", |x| x.total_allocated),
            ("        Unallocated", |x| x.unallocated),
            ("IIIC 3  A/B mandatory suppl. premium", |x| x.ms_premium),
            ("IIIC 4  Basic MA premium", |x| x.basic_ma_premium),
            ("IIIC 6  Rounded MA premium", |x| x.rounded_ma_premium),
            ("IIIC 7a Part D basic before rebates", |x| {
                x.part_d_basic_before
            }),
            ("IIIC 7d Part D basic premium", |x| x.part_d_basic_premium),
            ("IIIC 8d Part D suppl. premium", |x| x.part_d_supp_premium),
            ("IIIC 9  Total plan premium", |x| x.total_plan_premium),
        ];
        write!(f, "{:<38}", "WS6 line")?;
        for (h, _) in &cols {
            write!(f, "{h:>16}")?;
        }
        writeln!(f)?;
        for (label, get) in rows {
            write!(f, "{label:<38}")?;
            for (_, c) in &cols {
                write!(f, "{:>16}", cell(get(c)))?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        for l in &self.explanation {
            writeln!(f, "- {l}")?;
        }
        for o in &self.options {
            writeln!(f)?;
            writeln!(f, "{}", o.label)?;
            for l in &o.explanation {
                writeln!(f, "  - {l}")?;
            }
            if let Some(r) = &o.rounding {
                writeln!(
                    f,
                    "  Premium rounding ({}):",
                    if r.permitted {
                        "permitted"
                    } else {
                        "not permitted"
                    }
                )?;
                for l in &r.explanation {
                    writeln!(f, "    - {l}")?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- check

/// How serious a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Appendix E does not permit it.
    Error,
    /// CMS may ask for a resubmission (guidance, not a hard rule).
    Warning,
    /// Could not be verified from what is known.
    Note,
}

/// A change between the June bid and its resubmission that Appendix E does
/// not permit (or that could not be verified).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Stable code (`RR01` …).
    pub code: &'static str,
    /// Error, warning or note.
    pub severity: Severity,
    /// The Section II rule involved, if one is.
    pub rule: Option<Rule>,
    /// The field id of the resubmitted bid it concerns, if one.
    pub field: Option<&'static str>,
    /// What is wrong and what Appendix E requires.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{} {}", self.code, sev)?;
        if let Some(r) = self.rule {
            write!(f, " (rule {r})")?;
        }
        if let Some(id) = self.field {
            write!(f, " [{id}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

struct Out(Vec<Violation>);

impl Out {
    fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        rule: Option<Rule>,
        field: Option<&'static str>,
        message: String,
    ) {
        self.0.push(Violation {
            code,
            severity,
            rule,
            field,
            message,
        });
    }
    fn error(&mut self, code: &'static str, rule: Option<Rule>, field: &'static str, m: String) {
        self.push(code, Severity::Error, rule, Some(field), m);
    }
}

const F_7A: &str = "ws6.premium.part_d_basic_before";
const F_7C: &str = "ws6.premium.part_d_basic_rebate";
const F_7D: &str = "ws6.premium.part_d_basic_premium";
const F_8A: &str = "ws6.premium.part_d_supp_before";
const F_8C: &str = "ws6.premium.part_d_supp_rebate";
const F_R47: &str = "ws6.premium.plan_intention";
const F_REBATE: &str = "ws6.allocation.allocated[ma_rebate]";
const F_UNALLOC: &str = "ws6.allocation.unallocated";
const F_Q105: &str = "ws4.margin.w_o";
const F_RCS: &str = "ws6.allocation.allocated[reduce_cost_sharing]";
const F_OS: &str = "ws6.allocation.allocated[other_supplemental]";
const F_PB: &str = "ws6.allocation.allocated[part_b]";
const F_MSRR: &str = "ws6.premium.ms_revenue_requirement";
const F_BASIC: &str = "ws6.premium.basic_premium";
const F_ROUNDED: &str = "ws6.premium.rounded_ma_premium";
const F_TOTAL: &str = "ws6.premium.total_plan_premium";

impl June {
    /// The same bid with lines 6, 7d and 9 recomputed from the others
    /// (rounded MA premium = ROUND(line 1 − rebates + line 4, 1); 7d = 7a −
    /// 7c; total = 6 + 7d + 8d).
    ///
    /// ```
    /// use bpt::reallocate::{Allocations, June};
    /// use rust_decimal_macros::dec;
    /// let j = June {
    ///     ms_revenue_requirement: dec!(40.04), basic_ma_premium: dec!(0),
    ///     part_d_basic_before: dec!(30), part_d_supp_before: dec!(5),
    ///     allocations: Allocations { part_d_basic: dec!(10), ..Default::default() },
    ///     ..Default::default()
    /// }.recomputed();
    /// assert_eq!((j.rounded_ma_premium, j.part_d_basic_premium, j.total_plan_premium), (dec!(40.0), dec!(20), dec!(65.0)));
    /// ```
    pub fn recomputed(&self) -> June {
        let f = Figures::of_june(self);
        let mut j = self.clamped();
        j.rounded_ma_premium = f.rounded_ma_premium;
        j.part_d_basic_premium = f.part_d_basic_premium;
        j.total_plan_premium = f.total_plan_premium;
        j
    }
}

fn targets_for(j: &June, a: &Announcement) -> Vec<Decimal> {
    if !j.has_part_d() {
        Vec::new()
    } else if j.intention == Some(Intention::Lipsa) {
        a.lipsa.map(lipsa_targets).unwrap_or_default()
    } else {
        vec![j.part_d_basic_premium]
    }
}

/// Every change from the June bid to its resubmission that Appendix E does
/// not permit: a changed plan type or target intention, a plan type that
/// may not reallocate, a Part D bid that changed or a line 7a that does not
/// reflect the announcement, a Part D basic premium not returned to the
/// target (partial return), rebates not fully allocated or over a maximum,
/// a rebate that does not reflect the RPPO benchmark, a Medicare-covered
/// margin change beyond $0.68 / $0.70 / $0.75, premium changes beyond
/// rounding, A/B benefit redesign (Example 7), and inconsistent premium
/// arithmetic. Without a LIPSA (or an RPPO's benchmark) in the
/// announcement, what depends on it is reported as a [`Severity::Note`];
/// [`Announcement::implied_by`] gives an announcement when only the
/// resubmission is known.
///
/// ```
/// use bpt::reallocate::{check, Allocations, Announcement, Intention, June, Severity};
/// use rust_decimal_macros::dec;
/// // Example 2, a partial return to $18 instead of $20 is not accepted.
/// let june = June {
///     plan_type: "HMO".into(), ma_pd: true, ma_rebate: dec!(40),
///     allocations: Allocations { part_d_basic: dec!(15), other_supplemental: dec!(25), ..Default::default() },
///     ms_revenue_requirement: dec!(60), part_d_basic_before: dec!(35),
///     intention: Some(Intention::Line7d), ..Default::default()
/// }.recomputed();
/// let mut resub = june.clone();
/// resub.part_d_basic_before = dec!(30);
/// resub.allocations.part_d_basic = dec!(12);
/// resub.allocations.other_supplemental = dec!(28);
/// let v = check(&june, &resub.recomputed(), &Announcement::part_d(dec!(30)));
/// assert!(v.iter().any(|v| v.code == "RR05" && v.severity == Severity::Error));
/// resub.allocations.part_d_basic = dec!(10);
/// resub.allocations.other_supplemental = dec!(30);
/// assert!(check(&june, &resub.recomputed(), &Announcement::part_d(dec!(30))).is_empty());
/// ```
pub fn check(june: &June, resubmitted: &June, announcement: &Announcement) -> Vec<Violation> {
    let j = june.clamped();
    let r = resubmitted.clamped();
    let a = announcement.clamped();
    let zero = Decimal::ZERO;
    let mut out = Out(Vec::new());
    let class = j.class();
    let pd = j.has_part_d();

    // The bid's identity.
    if r.class() != class || r.ma_pd != j.ma_pd || r.egwp != j.egwp {
        out.error(
            "RR01",
            None,
            "ws1.general.plan_type",
            format!(
                "the resubmission is a {} (MA-PD {}, EGWP {}) but the June bid was a {} (MA-PD {}, EGWP {}): the plan may not change",
                r.class(),
                yn(r.ma_pd),
                yn(r.egwp),
                class,
                yn(j.ma_pd),
                yn(j.egwp)
            ),
        );
    }
    if r.rebate_level != j.rebate_level {
        out.error(
            "RR01",
            None,
            "ws5.quality.rebate_pct",
            format!(
                "the rebate level changed from {} to {}",
                j.rebate_level.label(),
                r.rebate_level.label()
            ),
        );
    }

    // The resubmission's own premium arithmetic (WS6 Sec IIIC).
    let f = Figures::of_june(&r);
    for (field, label, found, want) in [
        (
            F_7D,
            "line 7d",
            r.part_d_basic_premium,
            f.part_d_basic_premium,
        ),
        (
            F_ROUNDED,
            "line 6 (rounded MA premium)",
            r.rounded_ma_premium,
            f.rounded_ma_premium,
        ),
        (
            F_TOTAL,
            "line 9 (total plan premium)",
            r.total_plan_premium,
            f.total_plan_premium,
        ),
    ] {
        if differ(found, want) {
            out.error(
                "RR12",
                None,
                field,
                format!(
                    "{label} is {} but the resubmitted figures give {}",
                    money(found),
                    money(want)
                ),
            );
        }
    }

    // Plans that may not reallocate or round.
    if matches!(class, PlanClass::LocalMaOnly | PlanClass::LocalEgwp) {
        let why = if class == PlanClass::LocalMaOnly {
            "a local MA-only plan may neither reallocate rebates nor round its premium after the June submission (Section I; Section IV Rule 2)"
        } else {
            "a local 800-series (EGWP) plan does not take part in rebate reallocation or premium rounding (Section I; Section IV Rule 3)"
        };
        for (field, label, before, after) in [
            (F_REBATE, "the MA rebate", j.ma_rebate, r.ma_rebate),
            (
                F_RCS,
                "the A/B cost-sharing allocation",
                j.allocations.reduce_cost_sharing,
                r.allocations.reduce_cost_sharing,
            ),
            (
                F_OS,
                "the other A/B supplemental allocation",
                j.allocations.other_supplemental,
                r.allocations.other_supplemental,
            ),
            (
                F_PB,
                "the Part B allocation",
                j.allocations.part_b,
                r.allocations.part_b,
            ),
            (
                F_7C,
                "the Part D basic allocation",
                j.allocations.part_d_basic,
                r.allocations.part_d_basic,
            ),
            (
                F_8C,
                "the Part D supplemental allocation",
                j.allocations.part_d_supplemental,
                r.allocations.part_d_supplemental,
            ),
            (
                F_Q105,
                "the Medicare-covered margin",
                j.mc_margin,
                r.mc_margin,
            ),
            (
                F_MSRR,
                "the A/B mandatory supplemental revenue requirement",
                j.ms_revenue_requirement,
                r.ms_revenue_requirement,
            ),
            (
                F_TOTAL,
                "the total plan premium",
                j.total_plan_premium,
                r.total_plan_premium,
            ),
        ] {
            if differ(before, after) {
                out.error(
                    "RR02",
                    None,
                    field,
                    format!(
                        "{label} changed from {} to {}: {why}",
                        money(before),
                        money(after)
                    ),
                );
            }
        }
        return out.0;
    }

    // The Part D bid and the target intention.
    if pd {
        if r.intention != j.intention {
            out.error(
                "RR03",
                Some(Rule::A),
                F_R47,
                format!(
                    "the plan intention for the target Part D basic premium changed from {} to {}: the June choice may not change",
                    intention_text(j.intention),
                    intention_text(r.intention)
                ),
            );
        }
        if differ(r.part_d_basic_before, a.part_d_basic_before) {
            out.error(
                "RR04",
                None,
                F_7A,
                format!(
                    "line 7a is {} but the announced Part D basic premium before rebates is {}: the resubmission must reflect the national average monthly bid amount and base beneficiary premium",
                    money(r.part_d_basic_before),
                    money(a.part_d_basic_before)
                ),
            );
        }
        if differ(r.part_d_supp_before, j.part_d_supp_before) {
            out.error(
                "RR04",
                None,
                F_8A,
                format!(
                    "line 8a changed from {} to {}: the Part D bid must be unchanged",
                    money(j.part_d_supp_before),
                    money(r.part_d_supp_before)
                ),
            );
        }
    } else {
        for (field, v) in [
            (F_7C, r.allocations.part_d_basic),
            (F_8C, r.allocations.part_d_supplemental),
        ] {
            if !v.is_zero() {
                out.error(
                    "RR07",
                    Some(Rule::F),
                    field,
                    format!(
                        "{} of rebate is allocated to Part D, but MA-only and 800-series plans cannot allocate rebates to Part D",
                        money(v)
                    ),
                );
            }
        }
    }

    // The total rebate.
    let d_rebate = sub(cents(r.ma_rebate), cents(j.ma_rebate));
    if class == PlanClass::Rppo {
        let expected = match (a.ma_rebate, a.regional_benchmark) {
            (Some(x), _) => Some(x),
            (None, Some(_)) if j.bid.conversion_factor > zero => {
                Some(rppo_rebate(&j, &a, &mut Vec::new()).0)
            }
            _ => None,
        };
        match expected {
            Some(x) if sub(r.ma_rebate, x).abs() > ROUNDING_CHANGE => out.error(
                "RR08",
                Some(Rule::E),
                F_REBATE,
                format!(
                    "the MA rebate is {} but the published regional benchmark gives {}: RPPOs must reflect it (premium rounding may move it by no more than $0.50)",
                    money(r.ma_rebate),
                    money(x)
                ),
            ),
            Some(_) => {}
            None => out.push(
                "RR14",
                Severity::Note,
                Some(Rule::E),
                Some(F_REBATE),
                "the regional benchmark was not given, so the RPPO's new rebate could not be verified".into(),
            ),
        }
    } else if !d_rebate.is_zero() {
        if d_rebate.abs() > ROUNDING_CHANGE {
            out.error(
                "RR08",
                None,
                F_REBATE,
                format!(
                    "the MA rebate changed by {}: a local plan's rebate may change only through premium rounding, by no more than $0.50 (Section IV Rule 3)",
                    money(d_rebate)
                ),
            );
        } else if !differ(r.mc_margin, j.mc_margin) {
            out.push(
                "RR08",
                Severity::Warning,
                None,
                Some(F_REBATE),
                format!(
                    "the MA rebate changed by {} although the Medicare-covered margin did not: Medicare-covered pricing may change only through the margin and utilization tied to A/B supplemental changes",
                    money(d_rebate)
                ),
            );
        }
    }
    if class == PlanClass::LocalMaPd {
        let d_basic = sub(cents(r.basic_ma_premium), cents(j.basic_ma_premium));
        if d_basic.abs() >= ROUNDING_CHANGE {
            out.error(
                "RR16",
                None,
                F_BASIC,
                format!(
                    "the basic MA premium changed by {}: only premium rounding (less than $0.50) may change it",
                    money(d_basic)
                ),
            );
        }
    }

    // Rule F: exact allocation, within the maxima, signs and decimals.
    let unallocated = sub(r.ma_rebate, r.allocations.total());
    if !unallocated.is_zero() {
        out.error(
            "RR06",
            Some(Rule::F),
            F_UNALLOC,
            format!(
                "the allocations total {} but the MA rebate is {}: {} is {} (every bid must allocate exactly its total rebate)",
                money(r.allocations.total()),
                money(r.ma_rebate),
                money(unallocated.abs()),
                if unallocated > zero {
                    "unallocated"
                } else {
                    "over-allocated"
                }
            ),
        );
    }
    let al = &r.allocations;
    for (field, label, v, dp, max) in [
        (
            F_RCS,
            "reduce A/B cost sharing",
            al.reduce_cost_sharing,
            2,
            r.maxima
                .reduce_cost_sharing
                .or(j.maxima.reduce_cost_sharing),
        ),
        (
            F_OS,
            "other A/B mandatory supplemental benefits",
            al.other_supplemental,
            2,
            r.maxima.other_supplemental.or(j.maxima.other_supplemental),
        ),
        (
            F_PB,
            "Part B premium",
            al.part_b,
            1,
            r.maxima.part_b.or(j.maxima.part_b),
        ),
        (
            F_7C,
            "Part D basic premium",
            al.part_d_basic,
            1,
            pd.then_some(r.part_d_basic_before.max(zero)),
        ),
        (
            F_8C,
            "Part D supplemental premium",
            al.part_d_supplemental,
            1,
            pd.then_some(r.part_d_supp_before.max(zero)),
        ),
    ] {
        if v < zero {
            out.error(
                "RR07",
                Some(Rule::F),
                field,
                format!("the {label} allocation is negative ({})", money(v)),
            );
        }
        if round(v, dp) != v {
            out.error(
                "RR07",
                Some(Rule::F),
                field,
                format!(
                    "the {label} allocation {v} is not rounded to {}",
                    if dp == 1 { "the dime" } else { "the cent" }
                ),
            );
        }
        if let Some(m) = max
            && v > m
        {
            out.error(
                "RR07",
                if field == F_7C { Some(Rule::B) } else { Some(Rule::F) },
                field,
                format!(
                    "the {label} allocation {} exceeds its maximum {} (a benefit or premium cannot be bought down by more than its value)",
                    money(v),
                    money(m)
                ),
            );
        }
    }
    if pd && r.part_d_supp_premium() < zero {
        out.error(
            "RR07",
            Some(Rule::F),
            "ws6.premium.part_d_supp_premium",
            format!(
                "the Part D supplemental premium net of rebates is {}; it must not be negative",
                money(r.part_d_supp_premium())
            ),
        );
    }

    // Return to the target (rules A–D, G, H).
    let lipsa_target = pd && j.intention == Some(Intention::Lipsa);
    if pd && (j.ma_rebate > zero || class == PlanClass::Rppo) {
        let c_j = j.allocations.part_d_basic;
        let c_r = r.allocations.part_d_basic;
        let new7a = a.part_d_basic_before;
        let d_after = sub(new7a, c_j);
        let d_r = sub(r.part_d_basic_before, c_r);
        let negative = c_j > zero && d_after < zero;
        let unchanged = c_r == c_j;
        let targets = targets_for(&j, &a);
        if targets.is_empty() {
            if !unchanged {
                out.push(
                    "RR14",
                    Severity::Note,
                    Some(Rule::G),
                    Some(F_7D),
                    format!(
                        "the target is the LIPSA, which was not given: the Part D basic premium of {} could not be verified against it",
                        money(d_r)
                    ),
                );
            }
        } else {
            let top = targets.iter().copied().max().unwrap_or(zero);
            let bottom = targets.iter().copied().min().unwrap_or(zero);
            let all_rebate = c_r >= floor_dp(r.ma_rebate, 1);
            let ok = targets.contains(&d_r)
                || (unchanged && !negative)
                || (d_r > top && all_rebate)
                || (d_r < bottom && c_r.is_zero())
                || (c_r == r.part_d_basic_before.max(zero) && d_r > top);
            if !ok {
                let tl = targets
                    .iter()
                    .map(|t| money(*t))
                    .collect::<Vec<_>>()
                    .join(" or ");
                let (rule, msg) = if negative && unchanged {
                    (
                        Rule::B,
                        format!(
                            "reallocation is required: {} of rebate buys down a Part D basic premium of {} (line 7d {}); the excess must buy down other premiums so line 7d returns to {tl}",
                            money(c_r),
                            money(r.part_d_basic_before),
                            money(d_r)
                        ),
                    )
                } else {
                    let rule = if negative {
                        Rule::B
                    } else if lipsa_target {
                        Rule::G
                    } else if c_j.is_zero() && d_after > top {
                        Rule::H
                    } else if d_after < bottom {
                        Rule::C
                    } else {
                        Rule::D
                    };
                    (
                        rule,
                        format!(
                            "line 7d is {}: the Part D basic premium must return exactly to the target {tl}{}; a partial return is accepted only when all of the rebate buys down the Part D basic premium and it is still above the target",
                            money(d_r),
                            if negative {
                                String::new()
                            } else {
                                format!(
                                    " or stay at {} with the June buydown of {}",
                                    money(d_after),
                                    money(c_j)
                                )
                            }
                        ),
                    )
                };
                out.error("RR05", Some(rule), F_7D, msg);
            }
            if lipsa_target && let Some(l) = a.lipsa {
                let dollar = floor_dp(l, 0);
                if d_r == dollar
                    && d_r != round(l, 1)
                    && d_r != floor_dp(l, 1)
                    && !unchanged
                    && (r.ms_revenue_requirement != j.ms_revenue_requirement
                        || r.mc_margin != j.mc_margin)
                {
                    out.error(
                            "RR13",
                            Some(Rule::G),
                            F_MSRR,
                            format!(
                                "line 7d is rounded down to the whole dollar below the LIPSA ({}); the rebate moved to the Part D basic premium must raise the A/B mandatory supplemental premium and cannot be offset by the gain/loss margin (Example (d) Option 3)",
                                money(dollar)
                            ),
                        );
                }
            }
        }
        if lipsa_target && c_r > zero && d_r <= zero {
            out.error(
                "RR13",
                Some(Rule::G),
                F_7D,
                "with a LIPSA target and rebate on the Part D basic premium (R36 > 0), line 7d (R37) must be greater than zero".into(),
            );
        }
    }

    // Required prescription drug coverage (Section III).
    if pd && j.part_d_supp_premium() <= zero && r.part_d_supp_premium() > zero {
        out.push(
            "RR15",
            Severity::Warning,
            None,
            Some("ws6.premium.part_d_supp_premium"),
            format!(
                "the Part D supplemental premium rises from {} to {}: if this plan's required prescription drug coverage is enhanced alternative coverage, rebate must keep that premium at zero (42 CFR 423.104(f))",
                money(j.part_d_supp_premium()),
                money(r.part_d_supp_premium())
            ),
        );
    }

    // A/B mandatory supplemental benefits (Section III, Example 7).
    let d_rcs = sub(
        r.allocations.reduce_cost_sharing,
        j.allocations.reduce_cost_sharing,
    );
    let d_os = sub(
        r.allocations.other_supplemental,
        j.allocations.other_supplemental,
    );
    if (d_rcs > zero && d_os < zero) || (d_rcs < zero && d_os > zero) {
        out.error(
            "RR10",
            None,
            F_OS,
            format!(
                "rebate moves out of one A/B mandatory supplemental category and into the other (cost sharing {}, other benefits {}): changing the value of benefits by more than the rebate that must shift is a substantial redesign (Section III, Example 7)",
                signed(d_rcs),
                signed(d_os)
            ),
        );
    }
    let d_ab = add(d_rcs, d_os);
    let d_rev = sub(r.ms_revenue_requirement, j.ms_revenue_requirement);
    if d_rev.abs() >= ROUNDING_CHANGE {
        let same_dir = (d_rev > zero && d_ab > zero) || (d_rev < zero && d_ab < zero);
        if !same_dir {
            out.error(
                "RR10",
                None,
                F_MSRR,
                format!(
                    "the A/B mandatory supplemental revenue requirement changed by {} while the A/B rebate allocation changed by {}: benefits may be added or eliminated only to match the rebate that must shift (Section III)",
                    signed(d_rev),
                    signed(d_ab)
                ),
            );
        } else if d_rev.abs() > add(d_ab.abs(), ROUNDING_CHANGE) {
            out.error(
                "RR10",
                None,
                F_MSRR,
                format!(
                    "A/B mandatory supplemental benefits changed in value by {} but only {} of rebate shifted: the value of added or eliminated benefits must match the rebate shifted (Section III)",
                    signed(d_rev),
                    signed(d_ab)
                ),
            );
        }
    }
    if d_rcs < zero && r.allocations.other_supplemental > zero {
        out.push(
            "RR11",
            Severity::Warning,
            None,
            Some(F_RCS),
            format!(
                "rebate for reduced A/B cost sharing fell by {} while {} still funds non-Medicare-covered benefits: reduce or remove non-covered benefits first (CY2010 Call Letter priorities)",
                money(d_rcs.abs()),
                money(r.allocations.other_supplemental)
            ),
        );
    }

    // Medicare-covered pricing (Section III): the plan A/B bid may move
    // only with the margin (and small utilization effects of A/B changes).
    let d_bid = sub(r.bid.plan_bid, j.bid.plan_bid);
    let d_margin = sub(r.mc_margin, j.mc_margin);
    if !j.bid.plan_bid.is_zero()
        && !r.bid.plan_bid.is_zero()
        && sub(d_bid, d_margin).abs() >= ROUNDING_CHANGE
    {
        out.push(
            "RR17",
            Severity::Warning,
            None,
            Some("ws5.bid.plan_bid"),
            format!(
                "the plan A/B bid changed by {} while the Medicare-covered margin changed by {}: Medicare-covered allowed costs and non-benefit expenses may change only slightly, through utilization tied to A/B mandatory supplemental changes and proportional allocation (Section III)",
                signed(d_bid),
                signed(d_margin)
            ),
        );
    }

    // Premium rounding (Section IV Rule 3).
    let dm = sub(cents(r.mc_margin), cents(j.mc_margin));
    if !dm.is_zero() {
        let has_rebates = j.ma_rebate > zero || r.ma_rebate > zero;
        let limit = j.rebate_level.margin_limit();
        if has_rebates && dm.abs() > limit {
            out.error(
                "RR09",
                None,
                F_Q105,
                format!(
                    "the Medicare-covered margin (WS4 Q105) changed by {}; at the {} rebate level premium rounding may change it by at most {} (a $0.50 change in rebates)",
                    money(dm),
                    j.rebate_level.label(),
                    money(limit)
                ),
            );
        }
        if r.total_plan_premium != round(r.total_plan_premium, 0) {
            out.push(
                "RR09",
                Severity::Warning,
                None,
                Some(F_Q105),
                format!(
                    "the Medicare-covered margin changed by {} but the total plan premium {} is not a whole-dollar amount: the margin may change only to round the premium to the dollar",
                    money(dm),
                    money(r.total_plan_premium)
                ),
            );
        }
    }
    out.0
}

fn yn(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money(d))
    } else {
        money(d)
    }
}

fn intention_text(i: Option<Intention>) -> &'static str {
    match i {
        Some(Intention::Line7d) => "\"Premium amount displayed in line 7d\"",
        Some(Intention::Lipsa) => "\"Low-Income Premium Subsidy Amount\"",
        None => "(blank)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> June {
        June {
            plan_type: "HMO".into(),
            ma_pd: true,
            ma_rebate: dec!(50),
            allocations: Allocations {
                part_d_basic: dec!(20),
                other_supplemental: dec!(30),
                ..Default::default()
            },
            ms_revenue_requirement: dec!(30),
            part_d_basic_before: dec!(40),
            part_d_supp_before: dec!(12.30),
            intention: Some(Intention::Line7d),
            maxima: Maxima {
                part_b: Some(dec!(99.90)),
                ..Default::default()
            },
            ..Default::default()
        }
        .recomputed()
    }

    #[test]
    fn check_compares_money_to_the_cent() {
        // A local MA-only plan may not change its margin; a change below
        // half a cent is no change (it used to read "changed from $24.01
        // to $24.01").
        let j = June {
            plan_type: "HMO".into(),
            mc_margin: dec!(24.01),
            ..Default::default()
        }
        .recomputed();
        let mut r = j.clone();
        r.mc_margin = dec!(24.0149);
        assert_eq!(check(&j, &r, &Announcement::default()), Vec::new());
        r.mc_margin = dec!(24.016);
        let v = check(&j, &r, &Announcement::default());
        assert_eq!(
            v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![
                "RR02 error [ws4.margin.w_o]: the Medicare-covered margin changed from $24.01 to $24.02: a local MA-only plan may neither reallocate rebates nor round its premium after the June submission (Section I; Section IV Rule 2)"
            ]
        );
    }

    #[test]
    fn money_and_dimes() {
        assert_eq!(money(dec!(-2)), "-$2.00");
        assert_eq!(money(dec!(0.005)), "$0.01");
        assert_eq!(money(dec!(-0.001)), "$0.00");
        assert_eq!(floor_dp(dec!(31.76), 1), dec!(31.7));
        assert_eq!(ceil_dp(dec!(0.01), 1), dec!(0.1));
        assert_eq!(clamp(Decimal::MAX), LIMIT);
    }

    #[test]
    fn freed_rebate_goes_to_part_d_supp_then_part_b_then_benefits() {
        // The A/B premium is already zero: $12.30 to Part D supplemental,
        // then Part B in dimes, the rest needs added benefits.
        let j = base();
        let s = distribute(&j, j.allocations, dec!(20.05), true);
        assert_eq!(s.alloc.part_d_supplemental, dec!(12.30));
        assert_eq!(s.alloc.part_b, dec!(7.7));
        assert_eq!(s.alloc.other_supplemental, dec!(30.05));
        assert_eq!(s.benefit_change, dec!(0.05));
        assert_eq!(s.lines.len(), 3);
        // Without a Part B maximum, Part B is left alone.
        let mut k = j.clone();
        k.maxima.part_b = None;
        let s = distribute(&k, k.allocations, dec!(20), true);
        assert_eq!(s.alloc.part_b, dec!(0));
        assert_eq!(s.benefit_change, dec!(7.70));
    }

    #[test]
    fn needed_rebate_comes_from_ab_first_then_part_b_then_part_d_supp() {
        let mut j = base();
        j.allocations = Allocations {
            reduce_cost_sharing: dec!(1),
            other_supplemental: dec!(2),
            part_b: dec!(0.5),
            part_d_basic: dec!(20),
            part_d_supplemental: dec!(5),
        };
        let s = distribute(&j, j.allocations, dec!(-4.27), true);
        assert_eq!(s.alloc.other_supplemental, dec!(0.03));
        assert_eq!(s.alloc.reduce_cost_sharing, dec!(0));
        assert_eq!(s.alloc.part_b, dec!(0));
        // $0.77 left: $0.80 from Part D supplemental, $0.03 back on A/B.
        assert_eq!(s.alloc.part_d_supplemental, dec!(4.2));
        assert_eq!(s.alloc.total(), j.allocations.total() - dec!(4.27));
    }

    #[test]
    fn margin_for_rebate_change_is_exact_with_savings() {
        let mut j = base();
        j.rebate_level = RebateLevel::Pct73;
        j.bid.savings = dec!(68.18);
        // rebate = ROUND(68.18 × 11/15, 2) = 50.00
        let d = margin_for_rebate_change(&j, dec!(0.42));
        let pct = j.rebate_level.fraction();
        assert_eq!(
            round((j.bid.savings - d) * pct, 2) - round(j.bid.savings * pct, 2),
            dec!(0.42)
        );
        assert!(d < Decimal::ZERO && d.abs() <= dec!(0.58));
        assert_eq!(margin_for_rebate_change(&j, dec!(0)), dec!(0));
    }

    #[test]
    fn rebate_levels() {
        assert_eq!(
            RebateLevel::from_fraction(dec!(73.33)),
            Some(RebateLevel::Pct73)
        );
        assert_eq!(
            RebateLevel::from_fraction(dec!(0.6666666667)),
            Some(RebateLevel::Pct66)
        );
        assert_eq!(RebateLevel::from_fraction(dec!(0.5)), None);
    }

    #[test]
    fn lipsa_target_keeps_r37_positive_and_enhanced_alternative_warning() {
        let mut j = base();
        j.intention = Some(Intention::Lipsa);
        let j = j.recomputed();
        let a = Announcement {
            part_d_basic_before: dec!(20),
            lipsa: Some(dec!(0)),
            ..Default::default()
        };
        let mut r = j.clone();
        r.part_d_basic_before = dec!(20);
        r.allocations.part_d_supplemental = dec!(0);
        let v = check(&j, &r.recomputed(), &a);
        assert!(v.iter().any(|v| v.code == "RR13"));
        let mut j2 = j.clone();
        j2.allocations.part_d_supplemental = dec!(12.30);
        j2.allocations.other_supplemental = dec!(17.70);
        let j2 = j2.recomputed();
        let mut r2 = j2.clone();
        r2.part_d_basic_before = dec!(40);
        r2.allocations.part_d_supplemental = dec!(10);
        r2.allocations.other_supplemental = dec!(20);
        let v = check(&j2, &r2.recomputed(), &Announcement::part_d(dec!(40)));
        assert!(v.iter().any(|v| v.code == "RR15"));
    }

    #[test]
    fn violations_display() {
        let v = Violation {
            code: "RR05",
            severity: Severity::Error,
            rule: Some(Rule::C),
            field: Some(F_7D),
            message: "x".into(),
        };
        assert_eq!(
            v.to_string(),
            "RR05 error (rule C) [ws6.premium.part_d_basic_premium]: x"
        );
        assert_eq!(Rule::G.to_string(), "G");
        assert_eq!(serde_json::to_string(&Rule::H).unwrap(), "\"H\"");
        assert_eq!(
            serde_json::to_string(&Outcome::NotNeeded).unwrap(),
            "\"not_needed\""
        );
    }
}
