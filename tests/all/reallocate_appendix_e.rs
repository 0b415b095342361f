//! Every worked example and table of CMS Appendix E (instructions lines
//! 3155–3531), to the cent: Section I permissibility tables, Section II
//! Examples 1–7 (rules A–H, the RPPO rebate-dollar table of E, the LIPSA
//! examples of G, the first-time allocation of H), and the Section IV
//! rounding examples (a)–(g).

use bpt::reallocate::{
    Allocations, Announcement, Intention, June, Maxima, Outcome, PlanClass, Rule, Severity,
    Violation, Workbench, lipsa_targets,
};
use bpt::value::{Value, Values};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Appendix E on the shipped MA template: every figure is what its
/// WS5/WS6 formulas give.
fn wb() -> Workbench<'static> {
    let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    Workbench::new(bpt::form::cached(layout).unwrap()).unwrap()
}

/// The template's rebate percentages: 73⅓ %, 71⅔ %, 66⅔ %.
fn pct(level: usize) -> Decimal {
    wb().levels()[level].rebate_pct
}

fn reallocate(j: &June, a: &Announcement) -> bpt::reallocate::Reallocation {
    bpt::reallocate::reallocate(&wb(), j, a)
}

fn check(j: &June, r: &June, a: &Announcement) -> Vec<Violation> {
    bpt::reallocate::check(&wb(), j, r, a)
}

fn premium_rounding(j: &June, total: Decimal) -> Option<bpt::reallocate::PremiumRounding> {
    bpt::reallocate::premium_rounding(&wb(), j, total)
}

/// Lines 2–4 and 6 (everything but the Part D basic buydown).
fn other_than_part_d_basic(a: &Allocations) -> Decimal {
    a.reduce_cost_sharing + a.other_supplemental + a.part_b + a.part_d_supplemental
}

/// A local MA-PD HMO with `rebate`, of which `pd_basic` buys down the Part D
/// basic premium and the rest other A/B mandatory supplemental benefits
/// (whose revenue requirement is `ms_rr`); Part D basic premium before
/// rebates `before`.
fn mapd(rebate: Decimal, pd_basic: Decimal, ms_rr: Decimal, before: Decimal, i: Intention) -> June {
    June {
        plan_type: "HMO".into(),
        ma_pd: true,
        rebate_pct: pct(0),
        ma_rebate: rebate,
        allocations: Allocations {
            part_d_basic: pd_basic,
            other_supplemental: rebate - pd_basic,
            ..Default::default()
        },
        ms_revenue_requirement: ms_rr,
        part_d_basic_before: before,
        intention: Some(i),
        ..Default::default()
    }
    .recomputed(&wb())
}

fn errors(v: &[Violation]) -> Vec<&Violation> {
    v.iter().filter(|v| v.severity == Severity::Error).collect()
}

fn has(v: &[Violation], code: &str) -> bool {
    v.iter()
        .any(|v| v.code == code && v.severity == Severity::Error)
}

/// A resubmission: the June bid with the announced line 7a and new
/// allocations, figures recomputed.
fn resub(june: &June, before: Decimal, pd_basic: Decimal, other: Decimal) -> June {
    let mut r = june.clone();
    r.part_d_basic_before = before;
    r.allocations.part_d_basic = pd_basic;
    r.allocations.other_supplemental = other;
    r.recomputed(&wb())
}

// ------------------------------------------------------------ Section I

#[test]
fn section_i_mapd_with_rebates() {
    // Example 1 (premium below $0): required; 2 (decrease, > $0) and 3
    // (increase): permitted; premium rounding permitted in all.
    let j = mapd(dec!(50), dec!(36), dec!(20), dec!(36), Intention::Line7d);
    let r = reallocate(&j, &Announcement::part_d(dec!(34)));
    assert_eq!(r.plan_class, PlanClass::LocalMaPd);
    assert_eq!(r.outcome, Outcome::Required);
    assert!(r.premium_rounding_permitted);
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    let r = reallocate(&j, &Announcement::part_d(dec!(30)));
    assert_eq!(r.outcome, Outcome::Permitted);
    assert!(r.premium_rounding_permitted);
    let r = reallocate(&j, &Announcement::part_d(dec!(40)));
    assert_eq!(r.outcome, Outcome::Permitted);
    // RPPO: required, to reflect the published regional benchmarks.
    let mut rppo = j.clone();
    rppo.plan_type = "RPPO".into();
    let r = reallocate(&rppo, &Announcement::part_d(dec!(35)));
    assert_eq!(r.plan_class, PlanClass::Rppo);
    assert_eq!(r.outcome, Outcome::Required);
    assert!(r.premium_rounding_permitted);
    assert_eq!(r.rules[0], Rule::E);
}

#[test]
fn section_i_mapd_without_rebates() {
    let mut j = mapd(dec!(0), dec!(0), dec!(0), dec!(30), Intention::Line7d);
    j.basic_ma_premium = dec!(25);
    let r = reallocate(&j, &Announcement::part_d(dec!(31)));
    assert_eq!(r.outcome, Outcome::NotApplicable);
    assert!(r.premium_rounding_permitted);
    assert_eq!(r.options.len(), 1);
    assert_eq!(r.options[0].figures.total_plan_premium, dec!(56));
    // Local EGWP: rounding not permitted ("Permitted (excluding EGWP)").
    j.egwp = true;
    let r = reallocate(&j, &Announcement::part_d(dec!(31)));
    assert_eq!(r.plan_class, PlanClass::LocalEgwp);
    assert_eq!(r.outcome, Outcome::NotPermitted);
    assert!(!r.premium_rounding_permitted);
    // RPPO without rebates: still required.
    j.plan_type = "RPPO".into();
    let r = reallocate(&j, &Announcement::part_d(dec!(31)));
    assert_eq!(r.outcome, Outcome::Required);
    assert!(r.premium_rounding_permitted);
}

#[test]
fn section_i_ma_only() {
    let j = June {
        plan_type: "HMO".into(),
        ma_pd: false,
        ma_rebate: dec!(20),
        allocations: Allocations {
            other_supplemental: dec!(20),
            ..Default::default()
        },
        ms_revenue_requirement: dec!(81.30),
        ..Default::default()
    }
    .recomputed(&wb());
    let r = reallocate(&j, &Announcement::part_d(dec!(30)));
    assert_eq!(r.plan_class, PlanClass::LocalMaOnly);
    assert_eq!(r.outcome, Outcome::NotPermitted);
    assert!(!r.premium_rounding_permitted);
    assert!(r.options.is_empty());
    // Any change is a violation.
    let mut re = j.clone();
    re.mc_margin = dec!(-0.30);
    re.ms_revenue_requirement = dec!(81.00);
    let v = check(&j, &re.recomputed(&wb()), &Announcement::default());
    assert!(has(&v, "RR02"));
    // MA-only RPPO: required and rounding permitted.
    let mut rp = j.clone();
    rp.plan_type = "rppo".into();
    let r = reallocate(&rp, &Announcement::default());
    assert_eq!(r.outcome, Outcome::Required);
    assert!(r.premium_rounding_permitted);
    assert_eq!(r.target, None);
}

// ------------------------------------------------------------ Section II

#[test]
fn example_1_negative_premium_rule_b() {
    let j = mapd(dec!(50), dec!(36), dec!(20), dec!(36), Intention::Line7d);
    assert_eq!(j.part_d_basic_premium, dec!(0));
    let r = reallocate(&j, &Announcement::part_d(dec!(34)));
    assert_eq!(r.rules[..1], [Rule::B]);
    assert_eq!(r.target, Some(dec!(0)));
    // After release of benchmark: 7a $34, 7c $36, 7d -$2.
    assert_eq!(r.after_benchmark.part_d_basic_before, dec!(34));
    assert_eq!(r.after_benchmark.allocations.part_d_basic, dec!(36));
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(-2));
    // Only the return to the target is offered: 7c $34, 7d $0, the
    // excess $2 buys down other premiums.
    assert_eq!(r.options.len(), 1);
    let o = &r.options[0];
    assert_eq!(o.figures.part_d_basic_before, dec!(34));
    assert_eq!(o.figures.allocations.part_d_basic, dec!(34));
    assert_eq!(o.figures.part_d_basic_premium, dec!(0));
    assert_eq!(o.changes.part_d_basic, dec!(-2));
    assert_eq!(o.changes.other_supplemental, dec!(2));
    assert_eq!(o.figures.unallocated, dec!(0));
    assert!(o.returns_to_target);
    // check: leaving it is a violation, returning to $0 is not.
    let a = Announcement::part_d(dec!(34));
    let v = check(&j, &resub(&j, dec!(34), dec!(36), dec!(14)), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR05" && v.rule == Some(Rule::B))
    );
    assert!(has(&v, "RR07"));
    let ok = resub(&j, dec!(34), dec!(34), dec!(16));
    assert!(check(&j, &ok, &a).is_empty(), "{:?}", check(&j, &ok, &a));
    assert_eq!(ok, o_as_june(&j, o));
}

/// The proposal's figures as a resubmitted bid.
fn o_as_june(j: &June, o: &bpt::reallocate::Proposal) -> June {
    let mut r = j.clone();
    r.ma_rebate = o.figures.ma_rebate;
    r.allocations = o.figures.allocations;
    r.part_d_basic_before = o.figures.part_d_basic_before;
    r.ms_revenue_requirement = o.figures.ms_revenue_requirement;
    r.basic_ma_premium = o.figures.basic_ma_premium;
    r.recomputed(&wb())
}

#[test]
fn example_2_below_target_rule_c() {
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    assert_eq!(j.part_d_basic_premium, dec!(20));
    let a = Announcement::part_d(dec!(30));
    let r = reallocate(&j, &a);
    assert_eq!(r.rules, vec![Rule::C, Rule::F]);
    assert_eq!(r.outcome, Outcome::Permitted);
    assert_eq!(r.after_benchmark.part_d_basic_before, dec!(30));
    assert_eq!(r.after_benchmark.allocations.part_d_basic, dec!(15));
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(15));
    assert_eq!(r.options.len(), 2);
    let (o1, o2) = (&r.options[0], &r.options[1]);
    // Option 1: $30 / $15 / $15.
    assert_eq!(o1.figures.part_d_basic_before, dec!(30));
    assert_eq!(o1.figures.allocations.part_d_basic, dec!(15));
    assert_eq!(o1.figures.part_d_basic_premium, dec!(15));
    assert_eq!(o1.changes, Allocations::default());
    // Option 2: $30 / $10 / $20; $5 reallocated to other premiums.
    assert_eq!(o2.figures.allocations.part_d_basic, dec!(10));
    assert_eq!(o2.figures.part_d_basic_premium, dec!(20));
    assert_eq!(o2.changes.other_supplemental, dec!(5));
    assert!(o2.label.starts_with("Option 2"));
    // Both accepted; a partial return to $18 is not.
    for o in [o1, o2] {
        assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    }
    let v = check(&j, &resub(&j, dec!(30), dec!(12), dec!(28)), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR05" && v.rule == Some(Rule::C))
    );
}

#[test]
fn example_3_above_target_rule_d() {
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    let a = Announcement::part_d(dec!(40));
    let r = reallocate(&j, &a);
    assert_eq!(r.rules[0], Rule::D);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(25));
    let (o1, o2) = (&r.options[0], &r.options[1]);
    assert_eq!(o1.figures.allocations.part_d_basic, dec!(15));
    assert_eq!(o1.figures.part_d_basic_premium, dec!(25));
    assert_eq!(o2.figures.allocations.part_d_basic, dec!(20));
    assert_eq!(o2.figures.part_d_basic_premium, dec!(20));
    assert_eq!(o2.changes.other_supplemental, dec!(-5));
    for o in [o1, o2] {
        assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    }
    // $23 is a partial return unless it results from allocating all rebates.
    let v = check(&j, &resub(&j, dec!(40), dec!(17), dec!(23)), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR05" && v.rule == Some(Rule::D))
    );
    let small = mapd(dec!(17), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    let r = reallocate(&small, &a);
    let all = &r.options[1];
    assert_eq!(all.figures.allocations.part_d_basic, dec!(17));
    assert_eq!(all.figures.part_d_basic_premium, dec!(23));
    assert!(!all.returns_to_target);
    assert!(check(&small, &resub(&small, dec!(40), dec!(17), dec!(0)), &a).is_empty());
}

#[test]
fn example_4_rppo_rebate_dollars_rule_e() {
    // Total rebate $55 → $53; others $40; Part D basic $15; 7a $35 → $30.
    let mut j = mapd(dec!(55), dec!(15), dec!(50), dec!(35), Intention::Line7d);
    j.plan_type = "RPPO".into();
    let a = Announcement {
        part_d_basic_before: dec!(30),
        ma_rebate: Some(dec!(53)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert_eq!(r.outcome, Outcome::Required);
    assert_eq!(r.rules[..2], [Rule::E, Rule::C]);
    let rows = |f: &bpt::reallocate::Figures| {
        [
            f.ma_rebate,
            other_than_part_d_basic(&f.allocations),
            f.allocations.part_d_basic,
            f.total_allocated,
            f.unallocated,
            f.part_d_basic_before,
            f.part_d_basic_premium,
        ]
    };
    assert_eq!(
        rows(&r.june),
        [
            dec!(55),
            dec!(40),
            dec!(15),
            dec!(55),
            dec!(0),
            dec!(35),
            dec!(20)
        ]
    );
    assert_eq!(
        rows(&r.after_benchmark),
        [
            dec!(53),
            dec!(40),
            dec!(15),
            dec!(55),
            dec!(-2),
            dec!(30),
            dec!(15)
        ]
    );
    assert_eq!(
        rows(&r.options[0].figures),
        [
            dec!(53),
            dec!(38),
            dec!(15),
            dec!(53),
            dec!(0),
            dec!(30),
            dec!(15)
        ]
    );
    assert_eq!(
        rows(&r.options[1].figures),
        [
            dec!(53),
            dec!(43),
            dec!(10),
            dec!(53),
            dec!(0),
            dec!(30),
            dec!(20)
        ]
    );
    for o in &r.options {
        assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    }
    // Keeping the June rebate ignores the benchmark; keeping the June
    // allocations with the new rebate over-allocates $2.
    let mut stale = resub(&j, dec!(30), dec!(15), dec!(40));
    let v = check(&j, &stale, &a);
    assert!(has(&v, "RR08"));
    stale.ma_rebate = dec!(53);
    assert!(has(&check(&j, &stale.recomputed(&wb()), &a), "RR06"));
}

#[test]
fn example_4_rppo_rebate_from_regional_benchmark() {
    // The new rebate recomputed from a published standardized benchmark:
    // $700 × 1.05 = $735 plan benchmark; bid $662.73; savings $72.27;
    // × 73⅓ % = $53.00.
    let mut j = mapd(dec!(55), dec!(15), dec!(50), dec!(35), Intention::Line7d);
    j.plan_type = "RPPO".into();
    j.bid.conversion_factor = dec!(1.05);
    j.bid.plan_bid = dec!(662.73);
    j.bid.standardized_bid = dec!(631.17);
    let a = Announcement {
        part_d_basic_before: dec!(30),
        regional_benchmark: Some(dec!(700)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert_eq!(r.after_benchmark.ma_rebate, dec!(53.00));
    assert_eq!(r.after_benchmark.basic_ma_premium, dec!(0));
    assert_eq!(
        other_than_part_d_basic(&r.options[1].figures.allocations),
        dec!(43)
    );
    let v = check(&j, &resub(&j, dec!(30), dec!(15), dec!(40)), &a);
    assert!(has(&v, "RR08"));
}

#[test]
fn rule_f_exact_allocation_and_maxima() {
    let mut j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    j.allocations.other_supplemental = dec!(5);
    j.allocations.part_d_supplemental = dec!(20);
    j.part_d_supp_before = dec!(50);
    j.maxima = Maxima {
        part_b: Some(dec!(99.90)),
        ..Default::default()
    };
    let j = j.recomputed(&wb());
    let a = Announcement::part_d(dec!(35));
    let mut r = j.clone();
    // $50 Part D supplemental premium: no more than $50 of rebate.
    r.allocations.part_d_supplemental = dec!(50.10);
    r.allocations.other_supplemental = dec!(0);
    r.allocations.part_d_basic = dec!(15);
    r.ma_rebate = dec!(65.10);
    let v = check(&j, &r.recomputed(&wb()), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR07" && v.message.contains("$50.00"))
    );
    assert!(has(&v, "RR08"));
    // Part B above the CMS maximum; pennies on a one-decimal line.
    let mut r = j.clone();
    r.allocations.part_b = dec!(100);
    let v = check(&j, &r.recomputed(&wb()), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR07" && v.message.contains("$99.90"))
    );
    assert!(has(&v, "RR06"));
    let mut r = j.clone();
    r.allocations.part_d_supplemental = dec!(19.95);
    r.allocations.other_supplemental = dec!(5.05);
    let v = check(&j, &r.recomputed(&wb()), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR07" && v.message.contains("dime"))
    );
}

#[test]
fn example_5a_lipsa_below() {
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Lipsa);
    let a = Announcement {
        part_d_basic_before: dec!(30),
        lipsa: Some(dec!(18)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert!(r.rules.contains(&Rule::G));
    assert_eq!(r.target, Some(dec!(18)));
    assert_eq!(r.acceptable_targets, vec![dec!(18)]);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(15));
    let o = r
        .options
        .iter()
        .find(|o| o.target == Some(dec!(18)))
        .unwrap();
    assert_eq!(o.figures.part_d_basic_before, dec!(30));
    assert_eq!(o.figures.allocations.part_d_basic, dec!(12));
    assert_eq!(o.figures.part_d_basic_premium, dec!(18));
    assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    let v = check(&j, &resub(&j, dec!(30), dec!(13), dec!(27)), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR05" && v.rule == Some(Rule::G))
    );
}

#[test]
fn example_5b_lipsa_above() {
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Lipsa);
    let a = Announcement {
        part_d_basic_before: dec!(40),
        lipsa: Some(dec!(15)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(25));
    let o = r
        .options
        .iter()
        .find(|o| o.target == Some(dec!(15)))
        .unwrap();
    assert_eq!(o.figures.allocations.part_d_basic, dec!(25));
    assert_eq!(o.figures.part_d_basic_premium, dec!(15));
    assert_eq!(o.changes.other_supplemental, dec!(-10));
    assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    // The LIPSA unknown: only a note.
    let v = check(&j, &o_as_june(&j, o), &Announcement::part_d(dec!(40)));
    assert!(errors(&v).is_empty());
    assert!(v.iter().any(|v| v.code == "RR14"));
}

#[test]
fn example_6_first_time_allocation_rule_h() {
    let j = mapd(dec!(30), dec!(0), dec!(60), dec!(10), Intention::Line7d);
    assert_eq!(j.part_d_basic_premium, dec!(10));
    let a = Announcement::part_d(dec!(15));
    let r = reallocate(&j, &a);
    assert_eq!(r.rules[0], Rule::H);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(15));
    let (o1, o2) = (&r.options[0], &r.options[1]);
    assert_eq!(
        (
            o1.figures.part_d_basic_before,
            o1.figures.allocations.part_d_basic,
            o1.figures.part_d_basic_premium
        ),
        (dec!(15), dec!(0), dec!(15))
    );
    assert_eq!(
        (
            o2.figures.part_d_basic_before,
            o2.figures.allocations.part_d_basic,
            o2.figures.part_d_basic_premium
        ),
        (dec!(15), dec!(5), dec!(10))
    );
    for o in [o1, o2] {
        assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    }
}

#[test]
fn example_7_no_substantial_redesign() {
    // Part D basic premium net of rebates $0 → -$3: $3 must move.
    let mut j = mapd(dec!(60), dec!(30), dec!(60), dec!(30), Intention::Line7d);
    j.allocations.reduce_cost_sharing = dec!(20);
    j.allocations.other_supplemental = dec!(10);
    let j = j.recomputed(&wb());
    let a = Announcement::part_d(dec!(27));
    let r = reallocate(&j, &a);
    assert_eq!(r.outcome, Outcome::Required);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(-3));
    assert_eq!(r.options[0].changes.part_d_basic, dec!(-3));
    assert_eq!(
        r.options[0].changes.reduce_cost_sharing + r.options[0].changes.other_supplemental,
        dec!(3)
    );
    // $15 out of A/B cost sharing and $18 into an additional benefit: no.
    let mut bad = j.clone();
    bad.part_d_basic_before = dec!(27);
    bad.allocations.part_d_basic = dec!(27);
    bad.allocations.reduce_cost_sharing = dec!(5);
    bad.allocations.other_supplemental = dec!(28);
    let v = check(&j, &bad.recomputed(&wb()), &a);
    assert!(
        v.iter()
            .any(|v| v.code == "RR10" && v.message.contains("Example 7"))
    );
    // Buying down $3 of an A/B benefit: fine.
    let mut good = bad.clone();
    good.allocations.reduce_cost_sharing = dec!(20);
    good.allocations.other_supplemental = dec!(13);
    assert!(check(&j, &good.recomputed(&wb()), &a).is_empty());
    // Adding a $3 benefit and buying it down: fine; a $10 benefit: no.
    good.ms_revenue_requirement = dec!(63);
    assert!(check(&j, &good.recomputed(&wb()), &a).is_empty());
    good.ms_revenue_requirement = dec!(70);
    assert!(has(&check(&j, &good.recomputed(&wb()), &a), "RR10"));
}

#[test]
fn rule_a_already_at_target_and_intention_fixed() {
    let j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    let a = Announcement::part_d(dec!(35));
    let r = reallocate(&j, &a);
    assert_eq!(r.rules, vec![Rule::A]);
    assert_eq!(r.outcome, Outcome::NotNeeded);
    assert_eq!(r.options.len(), 1);
    let mut re = j.clone();
    re.intention = Some(Intention::Lipsa);
    let v = check(&j, &re, &a);
    assert!(v.iter().any(|v| v.code == "RR03"));
    // The Part D bid must be unchanged and 7a updated.
    let mut re = j.clone();
    re.part_d_supp_before = dec!(3);
    let v = check(&j, &re.recomputed(&wb()), &Announcement::part_d(dec!(36)));
    assert_eq!(v.iter().filter(|v| v.code == "RR04").count(), 2);
}

// ------------------------------------------------------------ Section IV

#[test]
fn rule_3_margin_limits() {
    let wb = wb();
    let limits: Vec<(&str, Decimal)> = wb
        .levels()
        .iter()
        .map(|l| (l.label.as_str(), l.margin_limit))
        .collect();
    assert_eq!(
        limits,
        [
            ("73⅓ %", dec!(0.68)),
            ("71⅔ %", dec!(0.70)),
            ("66⅔ %", dec!(0.75))
        ]
    );
    // $0.68 × 73⅓ % = $0.50, $0.70 × 71⅔ % = $0.50, $0.75 × 66⅔ % = $0.50.
    for l in wb.levels() {
        assert_eq!(
            bpt::form::eval::round(l.margin_limit * l.rebate_pct, 2),
            dec!(0.50)
        );
    }
}

fn no_ma_premium(rebate_pct: Decimal) -> June {
    // No Medicare-covered or A/B mandatory supplemental premium; Part D
    // basic premium (target) $30; $40 of rebate buys down the A/B premium.
    June {
        plan_type: "HMO".into(),
        ma_pd: true,
        rebate_pct,
        ma_rebate: dec!(40),
        allocations: Allocations {
            other_supplemental: dec!(40),
            ..Default::default()
        },
        ms_revenue_requirement: dec!(40),
        part_d_basic_before: dec!(30),
        intention: Some(Intention::Line7d),
        mc_margin: dec!(10),
        ..Default::default()
    }
    .recomputed(&wb())
}

#[test]
fn example_a_round_down_with_more_rebate() {
    let j = no_ma_premium(pct(0));
    assert_eq!(j.total_plan_premium, dec!(30));
    let r = premium_rounding(&j, dec!(30.42)).unwrap();
    assert_eq!(r.from, dec!(30.42));
    assert_eq!(r.to, dec!(30.00));
    assert_eq!(r.change, dec!(-0.42));
    assert_eq!(r.rebate_change, Some(dec!(0.42)));
    assert_eq!(r.mc_margin_change, Some(dec!(-0.57)));
    assert_eq!(r.mc_margin_limit, Some(dec!(0.68)));
    assert!(r.permitted);
    assert!(r.explanation.iter().any(|l| l.contains("Part D")));
}

#[test]
fn example_b1_round_only_to_nearest_dollar() {
    let j = no_ma_premium(pct(0));
    let r = premium_rounding(&j, dec!(32.42)).unwrap();
    assert_eq!((r.to, r.change), (dec!(32.00), dec!(-0.42)));
    assert!(r.permitted);
    // Not to $30 by a $2.42 margin change: over the $0.68 limit.
    let mut re = j.clone();
    re.part_d_basic_before = dec!(32.40);
    re.allocations.part_d_basic = dec!(2.40);
    re.allocations.other_supplemental = dec!(40);
    re.ma_rebate = dec!(42.40);
    re.mc_margin = dec!(10) - dec!(3.30);
    let v = check(
        &j,
        &re.recomputed(&wb()),
        &Announcement::part_d(dec!(32.40)),
    );
    assert!(
        v.iter()
            .any(|v| v.code == "RR09" && v.message.contains("$0.68"))
    );
    assert!(has(&v, "RR08"));
}

#[test]
fn example_b2_round_up_with_less_rebate() {
    // Target $30, total $70.00; after the benchmark Part D $28.55 and total
    // $68.55: +$0.45 of A/B premium gives $69.00.
    let j = no_ma_premium(pct(0));
    let r = premium_rounding(&j, dec!(68.55)).unwrap();
    assert_eq!((r.to, r.change), (dec!(69.00), dec!(0.45)));
    assert_eq!(r.rebate_change, Some(dec!(-0.45)));
    assert_eq!(r.mc_margin_change, Some(dec!(0.61)));
    assert!(r.permitted);
    // $70 would need $1.45: not rounding.
    assert!(premium_rounding(&j, dec!(68.55)).unwrap().to != dec!(70));
    let mut re = j.clone();
    re.mc_margin = dec!(10) + dec!(1.98);
    let v = check(&j, &re, &Announcement::part_d(dec!(30)));
    assert!(v.iter().any(|v| v.code == "RR09"));
}

#[test]
fn example_c_no_rebates() {
    let j = June {
        plan_type: "HMO".into(),
        ma_pd: true,
        basic_ma_premium: dec!(5),
        part_d_basic_before: dec!(20),
        intention: Some(Intention::Line7d),
        ..Default::default()
    }
    .recomputed(&wb());
    assert_eq!(j.total_plan_premium, dec!(25));
    let r = premium_rounding(&j, dec!(26.52)).unwrap();
    assert_eq!((r.to, r.change), (dec!(27.00), dec!(0.48)));
    assert_eq!(r.rebate_change, None);
    assert!(r.permitted);
    // Through reallocate(): rebate reallocation not applicable, the
    // post-benchmark total $26.52 rounds to $27.00.
    let re = reallocate(&j, &Announcement::part_d(dec!(21.52)));
    assert_eq!(re.outcome, Outcome::NotApplicable);
    let o = &re.options[0];
    assert_eq!(o.figures.total_plan_premium, dec!(26.52));
    let rr = o.rounding.as_ref().unwrap();
    assert_eq!((rr.to, rr.change), (dec!(27.00), dec!(0.48)));
    // A $0.50 change is not "less than $0.50".
    assert!(!premium_rounding(&j, dec!(26.50)).unwrap().permitted);
}

#[test]
fn example_d_lipsa_three_options() {
    // Part D basic premium after the benchmark $32.00; LIPSA $31.60.
    let mut j = mapd(dec!(40), dec!(10), dec!(60), dec!(40), Intention::Lipsa);
    j.allocations.reduce_cost_sharing = dec!(5);
    j.allocations.other_supplemental = dec!(25);
    let j = j.recomputed(&wb());
    let a = Announcement {
        part_d_basic_before: dec!(42),
        lipsa: Some(dec!(31.60)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(32.00));
    assert_eq!(r.acceptable_targets, vec![dec!(31.60), dec!(31.00)]);
    assert_eq!(r.options.len(), 3);
    // Option 1: keep $32.00 (full-subsidy enrollees pay $0.40).
    assert_eq!(r.options[0].figures.part_d_basic_premium, dec!(32.00));
    // Option 2: $0.40 from A/B mandatory supplemental to Part D basic.
    let o2 = &r.options[1];
    assert_eq!(o2.figures.part_d_basic_premium, dec!(31.60));
    assert_eq!(o2.changes.part_d_basic, dec!(0.40));
    assert_eq!(
        o2.changes.reduce_cost_sharing + o2.changes.other_supplemental,
        dec!(-0.40)
    );
    assert_eq!(o2.figures.ms_premium - r.june.ms_premium, dec!(0.40));
    // Option 3: $1.00, premium $31.00; forgoes $0.60 of subsidy.
    let o3 = &r.options[2];
    assert_eq!(o3.figures.part_d_basic_premium, dec!(31.00));
    assert_eq!(o3.changes.part_d_basic, dec!(1.00));
    assert_eq!(
        o3.changes.reduce_cost_sharing + o3.changes.other_supplemental,
        dec!(-1.00)
    );
    assert_eq!(o3.figures.ms_premium - r.june.ms_premium, dec!(1.00));
    assert!(o3.explanation.iter().any(|l| l.contains("$0.60")));
    for o in &r.options {
        assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
    }
    // Option 2 may offset the $0.40 by the margin; Option 3 may not.
    let mut r2 = o_as_june(&j, o2);
    r2.ms_revenue_requirement -= dec!(0.40);
    assert!(check(&j, &r2.recomputed(&wb()), &a).is_empty());
    let mut r3 = o_as_june(&j, o3);
    r3.ms_revenue_requirement -= dec!(1.00);
    let v = check(&j, &r3.recomputed(&wb()), &a);
    assert!(v.iter().any(|v| v.code == "RR13"));
}

#[test]
fn example_e_lipsa_dimes() {
    assert_eq!(
        lipsa_targets(dec!(31.76)),
        vec![dec!(31.80), dec!(31.70), dec!(31.00)]
    );
    let j = mapd(dec!(40), dec!(10), dec!(60), dec!(40), Intention::Lipsa);
    let a = Announcement {
        part_d_basic_before: dec!(42),
        lipsa: Some(dec!(31.76)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    let t: Vec<_> = r.options.iter().filter_map(|o| o.target).collect();
    assert!(t.contains(&dec!(31.70)) && t.contains(&dec!(31.80)));
    let o1 = r
        .options
        .iter()
        .find(|o| o.target == Some(dec!(31.70)))
        .unwrap();
    assert_eq!(o1.figures.allocations.part_d_basic, dec!(10.30));
    let o2 = r
        .options
        .iter()
        .find(|o| o.target == Some(dec!(31.80)))
        .unwrap();
    assert_eq!(o2.figures.allocations.part_d_basic, dec!(10.20));
    assert!(o2.explanation.iter().any(|l| l.contains("$0.04")));
    assert!(check(&j, &o_as_june(&j, o1), &a).is_empty());
    assert!(check(&j, &o_as_june(&j, o2), &a).is_empty());
    // $31.50 is neither.
    let v = check(&j, &resub(&j, dec!(42), dec!(10.50), dec!(29.50)), &a);
    assert!(has(&v, "RR05"));
}

#[test]
fn example_f_segments_round_up_a_dime() {
    // MA premiums $51, $76, $110 with a $37.90 Part D premium: totals
    // $88.90, $113.90, $147.90, each $0.10 short of a whole dollar.
    for (ma, total) in [
        (dec!(51), dec!(89)),
        (dec!(76), dec!(114)),
        (dec!(110), dec!(148)),
    ] {
        let j = June {
            plan_type: "HMO".into(),
            ma_pd: true,
            basic_ma_premium: ma,
            part_d_basic_before: dec!(37.90),
            intention: Some(Intention::Line7d),
            ..Default::default()
        }
        .recomputed(&wb());
        let r = premium_rounding(&j, j.total_plan_premium).unwrap();
        assert_eq!((r.to, r.change), (total, dec!(0.10)));
        assert!(r.permitted);
    }
}

#[test]
fn example_g_ma_only_rounds_in_june() {
    let j = June {
        plan_type: "HMO".into(),
        ma_pd: false,
        ms_revenue_requirement: dec!(61.30),
        ..Default::default()
    }
    .recomputed(&wb());
    assert_eq!(j.total_plan_premium, dec!(61.30));
    let r = premium_rounding(&j, j.total_plan_premium).unwrap();
    assert_eq!((r.to, r.change), (dec!(61.00), dec!(-0.30)));
    let re = reallocate(&j, &Announcement::default());
    assert_eq!(re.outcome, Outcome::NotPermitted);
    assert!(!re.premium_rounding_permitted);
    assert!(re.explanation.iter().any(|l| l.contains("-$0.30")));
    // After June the margin change is a violation.
    let mut late = j.clone();
    late.ms_revenue_requirement = dec!(61.00);
    late.mc_margin = dec!(-0.30);
    let v = check(&j, &late.recomputed(&wb()), &Announcement::default());
    assert!(v.iter().filter(|v| v.code == "RR02").count() >= 2);
}

// ------------------------------------------------------------ from_values

#[test]
fn june_from_values_reads_the_evaluated_bid() {
    // The June figures of a shipped bid are its WS6/WS5/WS4 cells as the
    // template's formulas give them: the workbook's own cached values.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bid =
        bpt::reader::read_bid(&root.join("sample-bids/rppo-region13-2013.xlsx")).expect("sample");
    let wb = Workbench::new(bid.form).unwrap();
    let j = June::from_values(&wb, &bid.values);
    let cached = |id: &str| bid.values.num(id).unwrap_or_default();
    assert_eq!(j.class(), PlanClass::Rppo);
    // The rebate % the template's formula gives is one of its levels; the
    // workbook caches it as a double.
    let level = wb.level(j.rebate_pct).expect("a level");
    assert!((level.rebate_pct - cached("ws5.quality.rebate_pct")).abs() < dec!(0.000000001));
    for (got, id) in [
        (j.ma_rebate, "ws6.allocation.allocated[ma_rebate]"),
        (
            j.allocations.reduce_cost_sharing,
            "ws6.allocation.allocated[reduce_cost_sharing]",
        ),
        (
            j.allocations.other_supplemental,
            "ws6.allocation.allocated[other_supplemental]",
        ),
        (j.allocations.part_b, "ws6.allocation.allocated[part_b]"),
        (
            j.allocations.part_d_basic,
            "ws6.premium.part_d_basic_rebate",
        ),
        (
            j.allocations.part_d_supplemental,
            "ws6.premium.part_d_supp_rebate",
        ),
        (
            j.ms_revenue_requirement,
            "ws6.premium.ms_revenue_requirement",
        ),
        (j.basic_ma_premium, "ws6.premium.basic_premium"),
        (j.rounded_ma_premium, "ws6.premium.rounded_ma_premium"),
        (j.part_d_basic_premium, "ws6.premium.part_d_basic_premium"),
        (j.total_plan_premium, "ws6.premium.total_plan_premium"),
        (j.mc_margin, "ws4.margin.w_o"),
        (j.bid.plan_bid, "ws5.bid.plan_bid"),
        (j.bid.savings, "ws5.savings.savings"),
    ] {
        // The workbook caches doubles (15-17 significant digits).
        assert!(
            (got - cached(id)).abs() < dec!(0.000000001),
            "{id}: {got} vs {}",
            cached(id)
        );
    }
    assert_eq!(j.ma_rebate, dec!(20.94));
    // A plan type typed "RPPO " is not RPPO to the formulas, nor here.
    let mut v = bid.values.clone();
    v.set("ws1.general.plan_type", Value::Text("RPPO ".into()));
    let spaced = June::from_values(&wb, &v);
    assert_eq!(spaced.class(), PlanClass::LocalMaPd);
    assert_eq!(spaced.ma_rebate, dec!(30.21));
    // An empty bid gives a blank June.
    assert_eq!(
        June::from_values(&wb, &Values::default()).class(),
        PlanClass::LocalMaOnly
    );
}

#[test]
fn hostile_values_do_not_panic() {
    let big = Decimal::MAX;
    let j = June {
        plan_type: "RPPO".into(),
        ma_pd: true,
        ma_rebate: big,
        allocations: Allocations {
            reduce_cost_sharing: big,
            other_supplemental: Decimal::MIN,
            part_b: big,
            part_d_basic: big,
            part_d_supplemental: big,
        },
        part_d_basic_before: Decimal::MIN,
        ms_revenue_requirement: big,
        bid: bpt::reallocate::BidFigures {
            conversion_factor: big,
            plan_bid: Decimal::MIN,
            standardized_bid: big,
            savings: big,
        },
        intention: Some(Intention::Lipsa),
        ..Default::default()
    };
    let a = Announcement {
        part_d_basic_before: big,
        lipsa: Some(Decimal::MIN),
        regional_benchmark: Some(big),
        ma_rebate: None,
    };
    let r = reallocate(&j, &a);
    assert!(!r.options.is_empty());
    let _ = check(&j, &j, &a);
    let _ = premium_rounding(&j, big);
    let _ = serde_json::to_string(&r).unwrap();
}

#[test]
fn text_report_and_apply_example_4() {
    let mut j = mapd(dec!(55), dec!(15), dec!(50), dec!(35), Intention::Line7d);
    j.plan_type = "RPPO".into();
    let a = Announcement {
        part_d_basic_before: dec!(30),
        ma_rebate: Some(dec!(53)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    let text = r.to_string();
    assert!(text.contains("Reallocation: required"));
    assert!(text.contains("Option 2"));
    let row = text
        .lines()
        .find(|l| l.starts_with("IIIB 5"))
        .unwrap()
        .split_whitespace()
        .filter(|w| w.starts_with('$'))
        .collect::<Vec<_>>();
    assert_eq!(row, ["$15.00", "$15.00", "$15.00", "$10.00"]);
    assert!(text.contains("over-allocated"));
    // apply(): the WS6 inputs of Option 2.
    let mut v = Values::default();
    r.options[1].apply(&mut v);
    assert_eq!(v.num("ws6.premium.part_d_basic_before"), Some(dec!(30)));
    assert_eq!(
        v.num("ws6.premium.part_d_basic_rebate_input"),
        Some(dec!(10))
    );
    assert_eq!(v.num("ws6.rebate_input.other_supplemental"), Some(dec!(43)));
    assert!(v.get("ws6.part_b.rebate_input").is_empty());
}

#[test]
fn medicare_covered_pricing_change_is_flagged() {
    let mut j = mapd(dec!(40), dec!(15), dec!(60), dec!(35), Intention::Line7d);
    j.bid.plan_bid = dec!(700);
    let mut r = j.clone();
    r.bid.plan_bid = dec!(690);
    let v = check(&j, &r, &Announcement::part_d(dec!(35)));
    assert!(
        v.iter()
            .any(|v| v.code == "RR17" && v.severity == Severity::Warning)
    );
    let mut ok = j.clone();
    ok.bid.plan_bid = dec!(700.30);
    ok.mc_margin = dec!(0.30);
    let v = check(&j, &ok, &Announcement::part_d(dec!(35)));
    assert!(!v.iter().any(|v| v.code == "RR17"));
}

#[test]
fn rppo_rebate_below_part_d_buydown() {
    // All $20 of rebate buys down the Part D basic premium; the regional
    // benchmark cuts the rebate to $10: the buydown cannot stay, and all of
    // the new rebate on Part D basic is an accepted partial return.
    let mut j = mapd(dec!(20), dec!(20), dec!(0), dec!(35), Intention::Line7d);
    j.plan_type = "RPPO".into();
    let a = Announcement {
        part_d_basic_before: dec!(35),
        ma_rebate: Some(dec!(10)),
        ..Default::default()
    };
    let r = reallocate(&j, &a);
    assert_eq!(r.options.len(), 1);
    let o = &r.options[0];
    assert_eq!(o.figures.allocations.part_d_basic, dec!(10));
    assert_eq!(o.figures.part_d_basic_premium, dec!(25));
    assert_eq!(o.figures.unallocated, dec!(0));
    assert!(!o.returns_to_target);
    assert!(r.explanation.iter().any(|l| l.contains("not possible")));
    assert!(check(&j, &o_as_june(&j, o), &a).is_empty());
}
