//! Properties of the recalculation over random valid bids: the shipped
//! profiles with their size, costs, risk, star rating and margin varied.

use bpt::sample;
use bpt::template;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(x: u32, scale: u32) -> Decimal {
    Decimal::new(i64::from(x), scale)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn allocations_rebates_premiums_and_member_months_are_consistent(
        which in 0usize..12,
        mm in 2_000u32..400_000,
        cost in 800u32..1_250,   // cost level ×1000
        risk in 800u32..1_400,   // ×1000
        star in 2u32..11,        // half stars ×2
        margin in 0u32..4_000,   // cents
    ) {
        let layout = template::builtin_cached("ma-bpt-2013").unwrap();
        let profiles = sample::profiles();
        let mut p = profiles[which % profiles.len()].clone();
        p.projected_mm = Decimal::from(mm);
        p.cost_level = d(cost, 3);
        p.risk = d(risk, 3);
        p.star = (Decimal::from(star) / dec!(2)).max(dec!(1));
        p.margin = d(margin, 2);
        let v = sample::generate(&p, layout);
        let r = bpt::form::recalc(bpt::form::cached(layout).unwrap(), &v).values;
        let n = |id: &str| r.num(id).or_else(|| v.num(id)).unwrap_or_default();
        // Member months of non-DE# and DE# add up to the total.
        prop_assert_eq!(n("ws5.bid.mm_non_de") + n("ws5.bid.mm_de"), n("ws5.bid.mm_total"));
        prop_assert_eq!(n("ws2.projection.mm_non_de") + n("ws2.projection.mm_de"), n("ws2.projection.mm_total"));
        // Rebate never exceeds savings; savings and basic premium are never both positive.
        prop_assert!(n("ws5.savings.rebate") <= n("ws5.savings.savings"));
        prop_assert!(!(n("ws5.savings.savings") > Decimal::ZERO && n("ws5.savings.basic_premium") > Decimal::ZERO));
        // Each allocated rebate line splits exactly into medical, NBE and gain/loss.
        for line in ["reduce_cost_sharing", "other_supplemental"] {
            let parts = n(&format!("ws6.allocation.medical[{line}]"))
                + n(&format!("ws6.allocation.nbe[{line}]"))
                + n(&format!("ws6.allocation.gain_loss[{line}]"));
            let total = n(&format!("ws6.allocation.allocated[{line}]"));
            prop_assert!((parts - total).abs() <= dec!(0.0000001), "{line}: {parts} vs {total}");
        }
        // The allocation lines add up to line 7, and the generator allocates it all.
        let sum: Decimal = ["reduce_cost_sharing", "other_supplemental", "part_b", "part_d_basic", "part_d_supplemental"]
            .iter()
            .map(|l| n(&format!("ws6.allocation.allocated[{l}]")))
            .sum();
        prop_assert_eq!(sum, n("ws6.allocation.allocated[total]"));
        prop_assert_eq!(n("ws6.allocation.allocated[total]"), n("ws5.savings.rebate"));
        // WS4: NBE and margin split between Medicare-covered and supplemental.
        for x in ["nbe.v5", "margin.w", "revreq.x"] {
            let o = n(&format!("ws4.{x}_o"));
            let rr = n(&format!("ws4.{x}_r"));
            let h = n(&format!("ws4.{x}_h"));
            prop_assert!((o + rr - h).abs() <= dec!(0.0000001), "{x}: {o} + {rr} != {h}");
        }
        // Premium rounding to the dime.
        let pm = n("ws6.premium.rounded_ma_premium");
        prop_assert_eq!(pm, bpt::form::eval::round(pm, 1));
    }
}
