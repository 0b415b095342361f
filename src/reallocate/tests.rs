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
