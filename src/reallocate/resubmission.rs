//! The resubmission checks RR01–RR17: what changed from the June bid that
//! Appendix E does not permit ([`check`]).

use super::*;

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

pub(super) struct Out(pub(super) Vec<Violation>);

impl Out {
    pub(super) fn push(
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
    pub(super) fn error(
        &mut self,
        code: &'static str,
        rule: Option<Rule>,
        field: &'static str,
        m: String,
    ) {
        self.push(code, Severity::Error, rule, Some(field), m);
    }
}

pub(super) const F_7A: &str = id::part_d_basic_before;
pub(super) const F_7C: &str = id::part_d_basic;
pub(super) const F_7D: &str = id::part_d_basic_premium;
pub(super) const F_8A: &str = id::part_d_supp_before;
pub(super) const F_8C: &str = id::part_d_supp;
pub(super) const F_R47: &str = id::intention;
pub(super) const F_REBATE: &str = id::ma_rebate;
pub(super) const F_UNALLOC: &str = id::unallocated;
pub(super) const F_Q105: &str = id::mc_margin;
pub(super) const F_RCS: &str = id::reduce_cost_sharing;
pub(super) const F_OS: &str = id::other_supplemental;
pub(super) const F_PB: &str = id::part_b;
pub(super) const F_MSRR: &str = id::ms_revenue_requirement;
pub(super) const F_BASIC: &str = id::basic_premium;
pub(super) const F_ROUNDED: &str = id::rounded_ma_premium;
pub(super) const F_TOTAL: &str = id::total_plan_premium;

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

pub(super) fn targets_for(j: &June, a: &Announcement) -> Vec<Decimal> {
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
            id::plan_type,
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
            id::rebate_pct,
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
            id::part_d_supp_premium,
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
            Some(id::part_d_supp_premium),
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
            Some(id::plan_bid),
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

pub(super) fn yn(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

pub(super) fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money(d))
    } else {
        money(d)
    }
}

pub(super) fn intention_text(i: Option<Intention>) -> &'static str {
    match i {
        Some(Intention::Line7d) => "\"Premium amount displayed in line 7d\"",
        Some(Intention::Lipsa) => "\"Low-Income Premium Subsidy Amount\"",
        None => "(blank)",
    }
}
