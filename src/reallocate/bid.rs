//! The inputs: the June bid ([`June`], read from a bid's values through the
//! template's formulas) and CMS's announcement ([`Announcement`]).

use super::*;

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
pub(super) fn excel_eq(a: &str, b: &str) -> bool {
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

    pub(super) fn normalized(&self) -> Allocations {
        Allocations {
            reduce_cost_sharing: self.reduce_cost_sharing.normalize(),
            other_supplemental: self.other_supplemental.normalize(),
            part_b: self.part_b.normalize(),
            part_d_basic: self.part_d_basic.normalize(),
            part_d_supplemental: self.part_d_supplemental.normalize(),
        }
    }

    pub(super) fn clamped(&self) -> Allocations {
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
pub(super) fn yes(v: &Val) -> Option<bool> {
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
            allocations: wb.allocations(&ev),
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

    pub(super) fn clamped(&self) -> June {
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

    pub(super) fn clamped(&self) -> Announcement {
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
