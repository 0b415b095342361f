//! Premium rounding by a small change in the gain/loss margin (Appendix E
//! Section IV Rule 3).

use super::*;

/// The Medicare-covered margin (bid) change, in cents, that moves the MA
/// rebate by exactly `rebate_change`, the rebate as the template's WS5
/// formulas give it from the plan bid raised by the change (a higher bid
/// means less savings). Smallest such change; `−change / rebate %` to the
/// cent when the savings are unknown.
pub(super) fn margin_for_rebate_change(
    wb: &Workbench<'_>,
    j: &June,
    rebate_change: Decimal,
) -> Decimal {
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
