//! The reallocation proposals of Appendix E Sections I, II and IV
//! ([`reallocate`]), and writing one into a bid ([`Proposal::apply`]).

use super::*;

/// Allocations after moving `delta` into (positive) or out of (negative) the
/// allocations other than the Part D basic buydown.
pub(super) struct Shift {
    pub(super) alloc: Allocations,
    pub(super) benefit_change: Decimal,
    pub(super) lines: Vec<String>,
}

pub(super) fn room(max: Option<Decimal>, current: Decimal) -> Option<Decimal> {
    max.map(|m| sub(m, current).max(Decimal::ZERO))
}

/// Moves `delta` into or out of `start` (whose A/B mandatory supplemental
/// premium, WS6 line 3, is `ms_premium`).
pub(super) fn distribute(
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
        // Moves what is left, up to `room` and in whole dimes, onto `have`.
        let give_dimes = |r: &mut Decimal, have: &mut Decimal, room: Decimal| -> Decimal {
            let y = floor_dp((*r).min(room), 1);
            if y > zero {
                *have = add(*have, y);
                *r = sub(*r, y);
            }
            y
        };
        // 2. The Part D supplemental premium, in dimes.
        if pd && r > zero {
            let rm = sub(j.part_d_supp_before.max(zero), a.part_d_supplemental).max(zero);
            let y = give_dimes(&mut r, &mut a.part_d_supplemental, rm);
            if y > zero {
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
            let y = give_dimes(&mut r, &mut a.part_b, rm);
            if y > zero {
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
pub(super) fn rppo_rebate<'f>(
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
            (id::in_reduce_cost_sharing, al.reduce_cost_sharing),
            (id::in_other_supplemental, al.other_supplemental),
            (id::in_part_b, al.part_b),
            (id::part_d_basic_before, f.part_d_basic_before),
            (id::in_part_d_basic, al.part_d_basic),
            (id::in_part_d_supp, al.part_d_supplemental),
        ] {
            let keep_blank = d.is_zero() && values.get(id).is_empty();
            if !keep_blank {
                values.set_num(id, d);
            }
        }
    }
}
