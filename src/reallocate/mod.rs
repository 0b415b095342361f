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
//! let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
//! let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
//! let r = reallocate(&wb, &june, &Announcement::part_d(dec!(34)));
//! assert_eq!(r.outcome, Outcome::Required);
//! assert_eq!(r.rules[0], Rule::B);
//! assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(-2));
//! let fix = &r.options[0];
//! assert_eq!(fix.figures.allocations.part_d_basic, dec!(34));
//! assert_eq!(fix.figures.part_d_basic_premium, dec!(0));
//! assert_eq!(fix.figures.unallocated, dec!(0));
//! ```

#![deny(clippy::arithmetic_side_effects)]

use crate::form::{Evaluation, FieldId, Form, Val};
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

/// One rebate percentage level of the template (`[form.facts]
/// rebate_levels`): the rebate % the star rating gives (WS5 Sec V) and how
/// far the Medicare-covered margin may move when premiums are rounded
/// (Appendix E Section IV Rule 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebateLevel {
    /// The rebate percentage as a fraction, exactly as the template's rebate
    /// % formula gives it.
    pub rebate_pct: Decimal,
    /// `73⅓ %`.
    pub label: String,
    /// The largest change of the Medicare-covered gain/loss margin (WS4
    /// Q105) permitted for premium rounding.
    pub margin_limit: Decimal,
}

/// Every field Appendix E reads, enters or pins, declared once: resolved
/// when a [`Workbench`] is built (a template lacking one is an error naming
/// the field), and listed for `bpt template --check` ([`FIELDS`]).
macro_rules! fields {
    ($($name:ident = $id:literal,)*) => {
        /// The field ids Appendix E (`bpt reallocate`) needs.
        pub const FIELDS: &[&str] = &[$($id,)*];

        #[derive(Debug, Clone, Copy)]
        struct Ids {
            $($name: FieldId,)*
        }

        impl Ids {
            fn resolve(form: &Form) -> Result<Ids, String> {
                let need = |id: &str| {
                    form.id(id).ok_or_else(|| {
                        format!(
                            "reallocate (Appendix E) needs field `{id}`, which template {} lacks",
                            form.template
                        )
                    })
                };
                Ok(Ids { $($name: need($id)?,)* })
            }
        }
    };
}

fields! {
    plan_type = "ws1.general.plan_type",
    ma_pd = "ws1.general.ma_pd",
    egwp = "ws1.general.egwp",
    mc_margin = "ws4.margin.w_o",
    conversion_factor = "ws5.bid.conversion_factor",
    standardized_benchmark = "ws5.bid.standardized_benchmark",
    plan_benchmark = "ws5.bid.plan_benchmark",
    plan_bid = "ws5.bid.plan_bid",
    standardized_bid = "ws5.bid.standardized_bid",
    rebate_pct = "ws5.quality.rebate_pct",
    savings = "ws5.savings.savings",
    rebate = "ws5.savings.rebate",
    basic = "ws5.savings.basic_premium",
    in_part_b = "ws6.part_b.rebate_input",
    in_reduce_cost_sharing = "ws6.rebate_input.reduce_cost_sharing",
    in_other_supplemental = "ws6.rebate_input.other_supplemental",
    ma_rebate = "ws6.allocation.allocated[ma_rebate]",
    reduce_cost_sharing = "ws6.allocation.allocated[reduce_cost_sharing]",
    other_supplemental = "ws6.allocation.allocated[other_supplemental]",
    part_b = "ws6.allocation.allocated[part_b]",
    total_allocated = "ws6.allocation.allocated[total]",
    max_reduce_cost_sharing = "ws6.allocation.maximum[reduce_cost_sharing]",
    max_other_supplemental = "ws6.allocation.maximum[other_supplemental]",
    max_part_b = "ws6.allocation.maximum[part_b]",
    unallocated = "ws6.allocation.unallocated",
    ms_revenue_requirement = "ws6.premium.ms_revenue_requirement",
    ms_premium = "ws6.premium.ms_premium",
    basic_premium = "ws6.premium.basic_premium",
    total_ma_premium = "ws6.premium.total_ma_premium",
    rounded_ma_premium = "ws6.premium.rounded_ma_premium",
    part_d_basic_before = "ws6.premium.part_d_basic_before",
    in_part_d_basic = "ws6.premium.part_d_basic_rebate_input",
    part_d_basic = "ws6.premium.part_d_basic_rebate",
    part_d_basic_premium = "ws6.premium.part_d_basic_premium",
    part_d_supp_before = "ws6.premium.part_d_supp_before",
    in_part_d_supp = "ws6.premium.part_d_supp_rebate_input",
    part_d_supp = "ws6.premium.part_d_supp_rebate",
    part_d_supp_premium = "ws6.premium.part_d_supp_premium",
    total_plan_premium = "ws6.premium.total_plan_premium",
    intention = "ws6.premium.plan_intention",
}

/// The form Appendix E works on: a compiled template, the fields Appendix E
/// reads (resolved once) and the template's rebate percentage levels.
///
/// Every figure of [`reallocate`], [`check`] and [`premium_rounding`] is
/// what the template's WS5/WS6 formulas give ([`crate::form`]): a June bid's
/// figures are pinned on an [`Evaluation`] and each option, announcement or
/// margin change re-evaluates only the cells downstream of what it changes
/// ([`Evaluation::recalc_from`]). No WS6 arithmetic is written here.
///
/// ```
/// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
/// let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
/// assert_eq!(wb.levels().len(), 3);
/// assert_eq!(wb.levels()[0].label, "73⅓ %");
/// ```
#[derive(Debug, Clone)]
pub struct Workbench<'f> {
    form: &'f Form,
    ids: Ids,
    levels: Vec<RebateLevel>,
}

impl<'f> Workbench<'f> {
    /// Resolves the fields and rebate levels Appendix E needs on `form`.
    /// Errors name the missing field or the bad level.
    pub fn new(form: &'f Form) -> Result<Workbench<'f>, String> {
        let ids = Ids::resolve(form)?;
        let mut levels = Vec::new();
        for l in &form.facts().rebate_levels {
            let e = crate::form::parser::parse(&l.rebate_pct, &mut |r: &str| {
                Err(format!("`{r}`: a rebate level is a constant"))
            })
            .map_err(|e| {
                format!(
                    "template {}: rebate level `{}`: `{}`: {e}",
                    form.template, l.label, l.rebate_pct
                )
            })?;
            let Val::Num(rebate_pct) = crate::form::eval::formula(&e, &[]) else {
                return Err(format!(
                    "template {}: rebate level `{}`: `{}` is not a number",
                    form.template, l.label, l.rebate_pct
                ));
            };
            levels.push(RebateLevel {
                rebate_pct,
                label: l.label.clone(),
                margin_limit: l.margin_limit,
            });
        }
        if levels.is_empty() {
            return Err(format!(
                "reallocate (Appendix E) needs the rebate levels (`[form.facts] rebate_levels`), which template {} lacks",
                form.template
            ));
        }
        Ok(Workbench { form, ids, levels })
    }

    /// The template's rebate percentage levels, in template order.
    pub fn levels(&self) -> &[RebateLevel] {
        &self.levels
    }

    /// The level of a rebate percentage (the template's formula gives one
    /// of them exactly); `None` for any other.
    pub fn level(&self, rebate_pct: Decimal) -> Option<&RebateLevel> {
        self.levels.iter().find(|l| l.rebate_pct == rebate_pct)
    }

    /// How reports name a rebate percentage: its level's label, else the
    /// percentage.
    fn level_label(&self, rebate_pct: Decimal) -> String {
        self.level(rebate_pct).map_or_else(
            || format!("{} %", round(mul(rebate_pct, dec!(100)), 2).normalize()),
            |l| l.label.clone(),
        )
    }

    fn num(&self, ev: &Evaluation<'_>, id: FieldId) -> Decimal {
        match ev.get(id) {
            Val::Num(d) => clamp(*d).normalize(),
            _ => Decimal::ZERO,
        }
    }

    /// A June bid on the form: the figures the bid computes outside WS6's
    /// rebate allocation and premium (WS4/WS5, the A/B revenue
    /// requirement) pinned, the WS6 entries entered, and everything that
    /// reads them evaluated by the template's formulas.
    fn sheet(&self, june: &June) -> Evaluation<'f> {
        let j = june.clamped();
        let i = &self.ids;
        let mut ev = Evaluation::new(self.form);
        let n = Val::Num;
        let mut changed = Vec::new();
        for (id, d) in [
            (i.plan_bid, j.bid.plan_bid),
            (i.conversion_factor, j.bid.conversion_factor),
            (i.standardized_bid, j.bid.standardized_bid),
            (i.savings, j.bid.savings),
            (i.rebate_pct, j.rebate_pct),
            (i.rebate, j.ma_rebate),
            (i.basic, j.basic_ma_premium),
            (i.ms_revenue_requirement, j.ms_revenue_requirement),
        ] {
            ev.pin(id, n(d));
            changed.push(id);
        }
        for (id, d) in [
            (i.part_d_basic_before, j.part_d_basic_before),
            (i.part_d_supp_before, j.part_d_supp_before),
        ] {
            ev.set_entered(id, n(d));
            changed.push(id);
        }
        changed.extend(self.enter(&mut ev, &j.allocations));
        ev.recalc_from(&changed);
        ev
    }

    /// Enters allocations as a resubmission enters them (WS6 Sec II and
    /// lines 7b, 8b); returns the fields entered.
    fn enter(&self, ev: &mut Evaluation<'f>, a: &Allocations) -> [FieldId; 5] {
        let i = &self.ids;
        let f = [
            (i.in_reduce_cost_sharing, a.reduce_cost_sharing),
            (i.in_other_supplemental, a.other_supplemental),
            (i.in_part_b, a.part_b),
            (i.in_part_d_basic, a.part_d_basic),
            (i.in_part_d_supp, a.part_d_supplemental),
        ];
        for (id, d) in f {
            ev.set_entered(id, Val::Num(clamp(d)));
        }
        f.map(|(id, _)| id)
    }

    /// The WS6 figures of an evaluation.
    fn figures(&self, ev: &Evaluation<'_>) -> Figures {
        let i = &self.ids;
        let g = |id| self.num(ev, id);
        Figures {
            ma_rebate: g(i.ma_rebate),
            allocations: Allocations {
                reduce_cost_sharing: g(i.reduce_cost_sharing),
                other_supplemental: g(i.other_supplemental),
                part_b: g(i.part_b),
                part_d_basic: g(i.part_d_basic),
                part_d_supplemental: g(i.part_d_supp),
            },
            total_allocated: g(i.total_allocated),
            unallocated: g(i.unallocated),
            ms_revenue_requirement: g(i.ms_revenue_requirement),
            ms_premium: g(i.ms_premium),
            basic_ma_premium: g(i.basic_premium),
            total_ma_premium: g(i.total_ma_premium),
            rounded_ma_premium: g(i.rounded_ma_premium),
            part_d_basic_before: g(i.part_d_basic_before),
            part_d_basic_premium: g(i.part_d_basic_premium),
            part_d_supp_before: g(i.part_d_supp_before),
            part_d_supp_premium: g(i.part_d_supp_premium),
            total_plan_premium: g(i.total_plan_premium),
        }
    }

    /// The figures of `ev` with other allocations (and, for added or
    /// eliminated benefits, another A/B revenue requirement): only what
    /// reads the changed entries is re-evaluated.
    fn with(&self, ev: &Evaluation<'f>, a: &Allocations, ms_rr: Option<Decimal>) -> Figures {
        let mut ev = ev.clone();
        let mut changed = self.enter(&mut ev, a).to_vec();
        if let Some(rr) = ms_rr {
            ev.pin(self.ids.ms_revenue_requirement, Val::Num(clamp(rr)));
            changed.push(self.ids.ms_revenue_requirement);
        }
        ev.recalc_from(&changed);
        self.figures(&ev)
    }

    /// The June bid's own figures, as the template's formulas give them
    /// from its entries and the figures pinned from elsewhere in the bid.
    pub fn figures_of(&self, june: &June) -> Figures {
        self.figures(&self.sheet(june))
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
    /// Reads the drop-down text as the workbook's formulas compare text:
    /// case-insensitively and *not* trimmed (`"lipsa"` or a choice typed
    /// with a trailing space is no choice).
    ///
    /// ```
    /// use bpt::reallocate::Intention;
    /// assert_eq!(Intention::parse("Low-Income Premium Subsidy Amount"), Some(Intention::Lipsa));
    /// assert_eq!(Intention::parse("premium amount displayed in line 7D"), Some(Intention::Line7d));
    /// assert_eq!(Intention::parse("Low-Income Premium Subsidy Amount "), None);
    /// assert_eq!(Intention::parse(""), None);
    /// ```
    pub fn parse(s: &str) -> Option<Intention> {
        [Intention::Line7d, Intention::Lipsa]
            .into_iter()
            .find(|i| excel_eq(s, i.text()))
    }

    /// The drop-down text.
    pub fn text(self) -> &'static str {
        match self {
            Intention::Line7d => "Premium amount displayed in line 7d",
            Intention::Lipsa => "Low-Income Premium Subsidy Amount",
        }
    }
}

/// Whether two texts are equal as an Excel formula's `=` compares them
/// (case-insensitive, not trimmed).
fn excel_eq(a: &str, b: &str) -> bool {
    crate::form::eval::compare(&Val::text(a), &Val::text(b)) == Ok(std::cmp::Ordering::Equal)
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
    /// WS5 Sec V – rebate percentage, as a fraction (one of the template's
    /// [`Workbench::levels`]).
    pub rebate_pct: Decimal,
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

/// A Y/N cell as the workbook's formulas compare it (`="Y"`,
/// case-insensitive, not trimmed); `None` for anything else.
fn yes(v: &Val) -> Option<bool> {
    let Val::Text(t) = v else { return None };
    if excel_eq(t, "Y") {
        Some(true)
    } else if excel_eq(t, "N") {
        Some(false)
    } else {
        None
    }
}

impl June {
    /// The figures of a bid: `values` (as read) evaluated through the
    /// template's formulas ([`crate::form`]), each figure read from its
    /// field (ids of `docs/field-ids.md`, [`FIELDS`]): calculated cells are
    /// what the formulas give, never a second computation here. Blank or
    /// invalid numbers count as zero; text is read as the formulas compare
    /// it (case-insensitive, not trimmed).
    ///
    /// ```
    /// use bpt::reallocate::{June, Intention, Workbench};
    /// use bpt::value::{Value, Values};
    /// use rust_decimal_macros::dec;
    /// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    /// let wb = Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
    /// let mut v = Values::default();
    /// v.set("ws1.general.plan_type", Value::Text("HMO".into()));
    /// v.set("ws1.general.ma_pd", Value::Text("y".into()));
    /// v.set("ws1.general.plan_id", Value::Text("001".into()));
    /// v.set_num("ws5.quality.star_rating", dec!(4.5));
    /// v.set_num("ws6.premium.part_d_basic_before", dec!(36));
    /// v.set_num("ws6.premium.part_d_basic_rebate_input", dec!(36.04));
    /// v.set_num("ws6.rebate_input.other_supplemental", dec!(13.999));
    /// v.set("ws6.premium.plan_intention", Value::Text("Premium amount displayed in line 7d".into()));
    /// let j = June::from_values(&wb, &v);
    /// assert!(j.ma_pd && !j.egwp);
    /// assert_eq!(wb.level(j.rebate_pct).unwrap().label, "73⅓ %");
    /// assert_eq!(j.allocations.part_d_basic, dec!(36.0));
    /// assert_eq!(j.allocations.other_supplemental, dec!(14.00));
    /// assert_eq!(j.part_d_basic_premium, dec!(0));
    /// assert_eq!(j.intention, Some(Intention::Line7d));
    /// ```
    pub fn from_values(wb: &Workbench<'_>, values: &Values) -> June {
        let ev = Evaluation::from_values(wb.form, values);
        let i = &wb.ids;
        let g = |id| wb.num(&ev, id);
        let max = |id| match ev.get(id) {
            Val::Num(d) => Some(clamp(*d)),
            _ => None,
        };
        // As typed: the template's formulas do not trim it either.
        let plan_type = match ev.get(i.plan_type) {
            Val::Text(s) => s.to_string(),
            _ => String::new(),
        };
        let intention = match ev.get(i.intention) {
            Val::Text(s) => Intention::parse(s),
            _ => None,
        };
        June {
            plan_type,
            ma_pd: yes(ev.get(i.ma_pd)).unwrap_or(false),
            egwp: yes(ev.get(i.egwp)).unwrap_or(false),
            rebate_pct: match ev.get(i.rebate_pct) {
                Val::Num(d) => *d,
                _ => Decimal::ZERO,
            },
            ma_rebate: g(i.ma_rebate),
            allocations: Allocations {
                reduce_cost_sharing: g(i.reduce_cost_sharing),
                other_supplemental: g(i.other_supplemental),
                part_b: g(i.part_b),
                part_d_basic: g(i.part_d_basic),
                part_d_supplemental: g(i.part_d_supp),
            },
            part_d_basic_before: g(i.part_d_basic_before),
            part_d_supp_before: g(i.part_d_supp_before),
            ms_revenue_requirement: g(i.ms_revenue_requirement),
            basic_ma_premium: g(i.basic_premium),
            rounded_ma_premium: g(i.rounded_ma_premium),
            part_d_basic_premium: g(i.part_d_basic_premium),
            intention,
            mc_margin: g(i.mc_margin),
            total_plan_premium: g(i.total_plan_premium),
            maxima: Maxima {
                reduce_cost_sharing: max(i.max_reduce_cost_sharing),
                other_supplemental: max(i.max_other_supplemental),
                part_b: max(i.max_part_b),
            },
            bid: BidFigures {
                plan_bid: g(i.plan_bid),
                conversion_factor: g(i.conversion_factor),
                standardized_bid: g(i.standardized_bid),
                savings: g(i.savings),
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

    fn clamped(&self) -> June {
        June {
            plan_type: self.plan_type.clone(),
            ma_pd: self.ma_pd,
            egwp: self.egwp,
            rebate_pct: self.rebate_pct,
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
/// rebate by exactly `rebate_change`, the rebate as the template's WS5
/// formulas give it from the plan bid raised by the change (a higher bid
/// means less savings). Smallest such change; `−change / rebate %` to the
/// cent when the savings are unknown.
fn margin_for_rebate_change(wb: &Workbench<'_>, j: &June, rebate_change: Decimal) -> Decimal {
    let d0 = round(div(neg(rebate_change), j.rebate_pct), 2);
    let s = j.bid.savings;
    if s <= Decimal::ZERO {
        return d0;
    }
    let i = &wb.ids;
    let mut ev = wb.sheet(j);
    // The benchmark that gives these savings over the plan bid; the
    // savings and rebate formulas decide from here.
    ev.pin(i.plan_benchmark, Val::Num(add(j.bid.plan_bid, s)));
    ev.unpin(i.savings);
    ev.unpin(i.rebate);
    ev.recalc_from(&[i.plan_benchmark, i.savings, i.rebate]);
    let base = wb.num(&ev, i.rebate);
    let mut best: Option<Decimal> = None;
    for k in -30i64..=30 {
        let d = add(d0, Decimal::new(k, 2));
        ev.pin(i.plan_bid, Val::Num(add(j.bid.plan_bid, d)));
        ev.recalc_from(&[i.plan_bid]);
        let new_rebate = wb.num(&ev, i.rebate);
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
/// (the Medicare-covered margin within the limit of the rebate level,
/// [`RebateLevel::margin_limit`]); without rebates it moves the MA premium
/// directly. Either way the premium change must be less than $0.50, so only
/// the nearest dollar is reachable. Whether the plan may round at all is
/// [`June::premium_rounding_permitted`].
///
/// ```
/// use bpt::reallocate::{premium_rounding, June, Workbench};
/// use rust_decimal_macros::dec;
/// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
/// let wb = Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
/// // Example (a): $30.42 rounds to $30.00 with $0.42 more rebate.
/// let pct = wb.levels()[0].rebate_pct; // 73⅓ %
/// let june = June { ma_pd: true, ma_rebate: dec!(40), rebate_pct: pct, ..Default::default() };
/// let r = premium_rounding(&wb, &june, dec!(30.42)).unwrap();
/// assert_eq!((r.to, r.change, r.rebate_change), (dec!(30), dec!(-0.42), Some(dec!(0.42))));
/// assert_eq!(r.mc_margin_change, Some(dec!(-0.57)));
/// assert!(r.permitted);
/// ```
pub fn premium_rounding(
    wb: &Workbench<'_>,
    june: &June,
    total: Decimal,
) -> Option<PremiumRounding> {
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
        let m = margin_for_rebate_change(wb, &j, rebate_change).normalize();
        let limit = wb.level(j.rebate_pct).map(|l| l.margin_limit);
        let within = limit.is_some_and(|l| m.abs() <= l);
        ex.push(format!(
            "{} the gain/loss margin for MA benefits so the MA rebate {} by {}: the Medicare-covered margin (WS4 Q105) changes by {}, {} at the {} rebate level.",
            if m < Decimal::ZERO { "Lower" } else { "Raise" },
            if rebate_change > Decimal::ZERO { "rises" } else { "falls" },
            money(rebate_change.abs()),
            money(m),
            match limit {
                Some(l) => format!("{} the {} limit", if within { "within" } else { "beyond" }, money(l)),
                None => "with no known limit".into(),
            },
            wb.level_label(j.rebate_pct)
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
            mc_margin_limit: limit,
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

/// Moves `delta` into or out of `start` (whose A/B mandatory supplemental
/// premium, WS6 line 3, is `ms_premium`).
fn distribute(
    j: &June,
    start: Allocations,
    ms_premium: Decimal,
    delta: Decimal,
    pd: bool,
) -> Shift {
    let mut a = start;
    let mut lines = Vec::new();
    let mut benefit_change = Decimal::ZERO;
    let zero = Decimal::ZERO;
    if delta > zero {
        let mut r = delta;
        // 1. Further buy down the A/B mandatory supplemental premium.
        let x = r.min(ms_premium.max(zero));
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

/// RPPO: the announcement on the bid: the new rebate, or the published
/// regional benchmark from which the template's WS5 formulas give the new
/// rebate and basic MA premium. Returns the fields changed (re-evaluated).
fn rppo_rebate<'f>(
    wb: &Workbench<'f>,
    ev: &mut Evaluation<'f>,
    j: &June,
    a: &Announcement,
    ex: &mut Vec<String>,
) -> Vec<FieldId> {
    let i = &wb.ids;
    if let Some(r) = a.ma_rebate {
        ex.push(format!(
            "The published regional benchmark changes the MA rebate from {} to {} (Section II E).",
            money(j.ma_rebate),
            money(r)
        ));
        ev.pin(i.rebate, Val::Num(r));
        let mut changed = vec![i.rebate];
        if let Some(b) = a.regional_benchmark {
            ev.pin(i.standardized_benchmark, Val::Num(b));
            ev.unpin(i.basic);
            changed.extend([i.standardized_benchmark, i.basic]);
        }
        ev.recalc_from(&changed);
        return changed;
    }
    match a.regional_benchmark {
        Some(b) if j.bid.conversion_factor > Decimal::ZERO => {
            ev.pin(i.standardized_benchmark, Val::Num(b));
            for id in [i.plan_benchmark, i.savings, i.rebate, i.basic] {
                ev.unpin(id);
            }
            let changed = vec![
                i.standardized_benchmark,
                i.plan_benchmark,
                i.savings,
                i.rebate,
                i.basic,
            ];
            ev.recalc_from(&changed);
            ex.push(format!(
                "New regional benchmark {} × conversion factor {} = plan benchmark {}; savings over the plan bid {} = {}; rebate at {} = {} (was {}); basic MA premium {} (Section II E).",
                money(b),
                j.bid.conversion_factor.normalize(),
                money(wb.num(ev, i.plan_benchmark)),
                money(j.bid.plan_bid),
                money(wb.num(ev, i.savings)),
                wb.level_label(j.rebate_pct),
                money(wb.num(ev, i.rebate)),
                money(j.ma_rebate),
                money(wb.num(ev, i.basic))
            ));
            changed
        }
        Some(_) => {
            ex.push("The conversion factor (WS5 Sec II line 5) is zero, so the new rebate cannot be computed from the regional benchmark; the June rebate is kept.".into());
            Vec::new()
        }
        None => {
            ex.push("RPPOs must resubmit to reflect the published MA regional benchmark; give the new regional benchmark or rebate to size the change (the June rebate is kept here).".into());
            Vec::new()
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
/// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
/// let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
/// let r = reallocate(&wb, &june, &Announcement::part_d(dec!(30)));
/// assert_eq!((r.outcome, r.rules[0]), (Outcome::Permitted, Rule::C));
/// assert_eq!(r.options[0].figures.part_d_basic_premium, dec!(15));
/// assert_eq!(r.options[1].figures.allocations.part_d_basic, dec!(10));
/// assert_eq!(r.options[1].figures.part_d_basic_premium, dec!(20));
/// ```
pub fn reallocate(wb: &Workbench<'_>, june: &June, announcement: &Announcement) -> Reallocation {
    let j = june.clamped();
    let a = announcement.clamped();
    let class = j.class();
    let pd = j.has_part_d();
    let zero = Decimal::ZERO;
    let rounding_ok = j.premium_rounding_permitted();
    let june_sheet = wb.sheet(&j);
    let june_fig = wb.figures(&june_sheet);
    let mut ex = Vec::new();

    // The June allocations with the announced figures.
    let new7a = if pd {
        a.part_d_basic_before
    } else {
        j.part_d_basic_before
    };
    let mut after_sheet = june_sheet;
    after_sheet.set_entered(wb.ids.part_d_basic_before, Val::Num(new7a));
    after_sheet.recalc_from(&[wb.ids.part_d_basic_before]);
    if class == PlanClass::Rppo {
        rppo_rebate(wb, &mut after_sheet, &j, &a, &mut ex);
    }
    let after = wb.figures(&after_sheet);
    let (new_rebate, new_basic) = (after.ma_rebate, after.basic_ma_premium);
    let mut j_after = j.clone();
    j_after.ma_rebate = new_rebate;
    j_after.basic_ma_premium = new_basic;
    let rounding_of = |total: Decimal| {
        if rounding_ok {
            premium_rounding(wb, &j_after, total)
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
            if let Some(r) = premium_rounding(wb, &j, june_fig.total_plan_premium) {
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
        let shift = distribute(&j, j.allocations, after.ms_premium, after.unallocated, pd);
        let figures = wb.with(
            &after_sheet,
            &shift.alloc,
            Some(add(j.ms_revenue_requirement, shift.benefit_change)),
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
            let at_start = wb.with(&after_sheet, &start, None);
            let shift = distribute(&j, start, at_start.ms_premium, at_start.unallocated, pd);
            let figures = wb.with(
                &after_sheet,
                &shift.alloc,
                Some(add(j.ms_revenue_requirement, shift.benefit_change)),
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
    /// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    /// let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
    /// let r = reallocate(&wb, &june, &Announcement::part_d(dec!(30)));
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
    /// The same bid with lines 6, 7d and 9 as the template's WS6 formulas
    /// give them from the others.
    ///
    /// ```
    /// use bpt::reallocate::{Allocations, June, Workbench};
    /// use rust_decimal_macros::dec;
    /// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    /// let wb = Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
    /// let j = June {
    ///     ms_revenue_requirement: dec!(40.04), basic_ma_premium: dec!(0),
    ///     part_d_basic_before: dec!(30), part_d_supp_before: dec!(5),
    ///     allocations: Allocations { part_d_basic: dec!(10), ..Default::default() },
    ///     ..Default::default()
    /// }.recomputed(&wb);
    /// assert_eq!((j.rounded_ma_premium, j.part_d_basic_premium, j.total_plan_premium), (dec!(40), dec!(20), dec!(65)));
    /// ```
    pub fn recomputed(&self, wb: &Workbench<'_>) -> June {
        let f = wb.figures_of(self);
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
/// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
/// let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
/// let june = June {
///     plan_type: "HMO".into(), ma_pd: true, ma_rebate: dec!(40),
///     allocations: Allocations { part_d_basic: dec!(15), other_supplemental: dec!(25), ..Default::default() },
///     ms_revenue_requirement: dec!(60), part_d_basic_before: dec!(35),
///     intention: Some(Intention::Line7d), ..Default::default()
/// }.recomputed(&wb);
/// let mut resub = june.clone();
/// resub.part_d_basic_before = dec!(30);
/// resub.allocations.part_d_basic = dec!(12);
/// resub.allocations.other_supplemental = dec!(28);
/// let v = check(&wb, &june, &resub.recomputed(&wb), &Announcement::part_d(dec!(30)));
/// assert!(v.iter().any(|v| v.code == "RR05" && v.severity == Severity::Error));
/// resub.allocations.part_d_basic = dec!(10);
/// resub.allocations.other_supplemental = dec!(30);
/// assert!(check(&wb, &june, &resub.recomputed(&wb), &Announcement::part_d(dec!(30))).is_empty());
/// ```
pub fn check(
    wb: &Workbench<'_>,
    june: &June,
    resubmitted: &June,
    announcement: &Announcement,
) -> Vec<Violation> {
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
    if r.rebate_pct != j.rebate_pct {
        out.error(
            "RR01",
            None,
            "ws5.quality.rebate_pct",
            format!(
                "the rebate level changed from {} to {}",
                wb.level_label(j.rebate_pct),
                wb.level_label(r.rebate_pct)
            ),
        );
    }

    // The resubmission's own premium arithmetic (WS6 Sec IIIC).
    let f = wb.figures_of(&r);
    let jf = wb.figures_of(&j);
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
                let mut e = wb.sheet(&j);
                rppo_rebate(wb, &mut e, &j, &a, &mut Vec::new());
                Some(wb.num(&e, wb.ids.rebate))
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
    let unallocated = f.unallocated;
    if !unallocated.is_zero() {
        out.error(
            "RR06",
            Some(Rule::F),
            F_UNALLOC,
            format!(
                "the allocations total {} but the MA rebate is {}: {} is {} (every bid must allocate exactly its total rebate)",
                money(f.total_allocated),
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
    if pd && f.part_d_supp_premium < zero {
        out.error(
            "RR07",
            Some(Rule::F),
            "ws6.premium.part_d_supp_premium",
            format!(
                "the Part D supplemental premium net of rebates is {}; it must not be negative",
                money(f.part_d_supp_premium)
            ),
        );
    }

    // Return to the target (rules A–D, G, H).
    let lipsa_target = pd && j.intention == Some(Intention::Lipsa);
    if pd && (j.ma_rebate > zero || class == PlanClass::Rppo) {
        let c_j = j.allocations.part_d_basic;
        let c_r = r.allocations.part_d_basic;
        let new7a = a.part_d_basic_before;
        // Line 7d of the June allocations under the announcement, and of
        // the resubmission, as the template's formulas give them.
        let d_after = {
            let mut e = wb.sheet(&j);
            e.set_entered(wb.ids.part_d_basic_before, Val::Num(new7a));
            e.recalc_from(&[wb.ids.part_d_basic_before]);
            wb.num(&e, wb.ids.part_d_basic_premium)
        };
        let d_r = f.part_d_basic_premium;
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
    if pd && jf.part_d_supp_premium <= zero && f.part_d_supp_premium > zero {
        out.push(
            "RR15",
            Severity::Warning,
            None,
            Some("ws6.premium.part_d_supp_premium"),
            format!(
                "the Part D supplemental premium rises from {} to {}: if this plan's required prescription drug coverage is enhanced alternative coverage, rebate must keep that premium at zero (42 CFR 423.104(f))",
                money(jf.part_d_supp_premium),
                money(f.part_d_supp_premium)
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
        let level = wb.level(j.rebate_pct);
        let limit = level.map_or(Decimal::ZERO, |l| l.margin_limit);
        if has_rebates && dm.abs() > limit {
            out.error(
                "RR09",
                None,
                F_Q105,
                format!(
                    "the Medicare-covered margin (WS4 Q105) changed by {}; at the {} rebate level premium rounding may change it by at most {} (a $0.50 change in rebates)",
                    money(dm),
                    wb.level_label(j.rebate_pct),
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

    fn wb() -> Workbench<'static> {
        let layout = crate::template::builtin_cached("ma-bpt-2013").unwrap();
        Workbench::new(crate::form::cached(layout).unwrap()).unwrap()
    }

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
        .recomputed(&wb())
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
        .recomputed(&wb());
        let mut r = j.clone();
        r.mc_margin = dec!(24.0149);
        assert_eq!(check(&wb(), &j, &r, &Announcement::default()), Vec::new());
        r.mc_margin = dec!(24.016);
        let v = check(&wb(), &j, &r, &Announcement::default());
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
        let ms = wb().figures_of(&j).ms_premium;
        let s = distribute(&j, j.allocations, ms, dec!(20.05), true);
        assert_eq!(s.alloc.part_d_supplemental, dec!(12.30));
        assert_eq!(s.alloc.part_b, dec!(7.7));
        assert_eq!(s.alloc.other_supplemental, dec!(30.05));
        assert_eq!(s.benefit_change, dec!(0.05));
        assert_eq!(s.lines.len(), 3);
        // Without a Part B maximum, Part B is left alone.
        let mut k = j.clone();
        k.maxima.part_b = None;
        let s = distribute(&k, k.allocations, ms, dec!(20), true);
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
        let ms = wb().figures_of(&j).ms_premium;
        let s = distribute(&j, j.allocations, ms, dec!(-4.27), true);
        assert_eq!(s.alloc.other_supplemental, dec!(0.03));
        assert_eq!(s.alloc.reduce_cost_sharing, dec!(0));
        assert_eq!(s.alloc.part_b, dec!(0));
        // $0.77 left: $0.80 from Part D supplemental, $0.03 back on A/B.
        assert_eq!(s.alloc.part_d_supplemental, dec!(4.2));
        let total = |a: &Allocations| {
            a.reduce_cost_sharing
                + a.other_supplemental
                + a.part_b
                + a.part_d_basic
                + a.part_d_supplemental
        };
        assert_eq!(total(&s.alloc), total(&j.allocations) - dec!(4.27));
    }

    #[test]
    fn margin_for_rebate_change_is_exact_with_savings() {
        let wb = wb();
        let mut j = base();
        j.rebate_pct = wb.levels()[0].rebate_pct;
        j.bid.savings = dec!(68.18);
        // rebate = ROUND(68.18 × 73⅓ %, 2) = 50.00; 0.42 more needs a margin
        // (bid) $0.57 lower: ROUND(68.75 × 73⅓ %, 2) = 50.42.
        assert_eq!(margin_for_rebate_change(&wb, &j, dec!(0.42)), dec!(-0.57));
        assert_eq!(margin_for_rebate_change(&wb, &j, dec!(0)), dec!(0));
        assert_eq!(margin_for_rebate_change(&wb, &j, dec!(-0.50)), dec!(0.68));
    }

    #[test]
    fn rebate_levels_are_the_templates() {
        let wb = wb();
        let l: Vec<(String, Decimal)> = wb
            .levels()
            .iter()
            .map(|l| (l.label.clone(), l.margin_limit))
            .collect();
        assert_eq!(
            l,
            vec![
                ("73⅓ %".to_string(), dec!(0.68)),
                ("71⅔ %".to_string(), dec!(0.70)),
                ("66⅔ %".to_string(), dec!(0.75)),
            ]
        );
        assert_eq!(wb.levels()[0].rebate_pct, dec!(2.2) / dec!(3));
        assert_eq!(wb.level(dec!(0.5)), None);
        assert_eq!(wb.level_label(dec!(0.5)), "50 %");
    }

    #[test]
    fn a_template_without_a_field_appendix_e_needs_is_an_error_naming_it() {
        let text = crate::template::BUILTIN
            .iter()
            .find(|(k, _)| *k == "ma-bpt-2013")
            .unwrap()
            .1
            .replace(
                "id = \"ws6.premium.plan_intention\"",
                "id = \"ws6.premium.intention\"",
            );
        let layout = crate::template::Layout::from_toml(&text).unwrap();
        let form = crate::form::Form::compile(&layout).unwrap();
        assert_eq!(
            Workbench::new(&form).unwrap_err(),
            "reallocate (Appendix E) needs field `ws6.premium.plan_intention`, which template ma-bpt-2013 lacks"
        );
        let msa =
            crate::form::cached(crate::template::builtin_cached("msa-bpt-2013").unwrap()).unwrap();
        assert!(
            Workbench::new(msa)
                .unwrap_err()
                .starts_with("reallocate (Appendix E) needs field `ws1.general.plan_type`")
        );
    }

    #[test]
    fn lipsa_target_keeps_r37_positive_and_enhanced_alternative_warning() {
        let mut j = base();
        j.intention = Some(Intention::Lipsa);
        let j = j.recomputed(&wb());
        let a = Announcement {
            part_d_basic_before: dec!(20),
            lipsa: Some(dec!(0)),
            ..Default::default()
        };
        let mut r = j.clone();
        r.part_d_basic_before = dec!(20);
        r.allocations.part_d_supplemental = dec!(0);
        let v = check(&wb(), &j, &r.recomputed(&wb()), &a);
        assert!(v.iter().any(|v| v.code == "RR13"));
        let mut j2 = j.clone();
        j2.allocations.part_d_supplemental = dec!(12.30);
        j2.allocations.other_supplemental = dec!(17.70);
        let j2 = j2.recomputed(&wb());
        let mut r2 = j2.clone();
        r2.part_d_basic_before = dec!(40);
        r2.allocations.part_d_supplemental = dec!(10);
        r2.allocations.other_supplemental = dec!(20);
        let v = check(
            &wb(),
            &j2,
            &r2.recomputed(&wb()),
            &Announcement::part_d(dec!(40)),
        );
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
