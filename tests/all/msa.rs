//! The MSA BPT (template `msa-bpt-2013`, CMS instructions Appendix H):
//! workbook round trip, the enrollee-deposit arithmetic on the appendix's
//! claim-interval example, one failing and one passing workbook per H rule,
//! and the shipped MSA samples validating without errors.
//!
//! Only the MSA template is used here (the MA template is independent).

use bpt::app::{ValidateOptions, validate_bid};
use bpt::diff::DEFAULT_TOLERANCE;
use bpt::msa_sample;
use bpt::reader::read_bid_bytes;
use bpt::rules::{self, Finding, Selection, Severity};
use bpt::sample;
use bpt::template::{self, Layout, Role};
use bpt::value::{Value, Values};
use bpt::writer::{WriteOptions, write_form};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Every calculated value of `v` on the MSA template.
fn recalc(l: &'static Layout, v: &Values) -> bpt::form::Recalc {
    bpt::form::recalc(bpt::form::cached(l).expect("compile"), v)
}

fn layout() -> &'static Layout {
    template::builtin_cached("msa-bpt-2013").expect("the MSA template resolves")
}

/// The inputs (entered cells) of the first sample profile.
fn sample_inputs() -> Values {
    let l = layout();
    let full = msa_sample::generate(&msa_sample::profiles()[0], l);
    l.entered_values(&full)
}

/// Writes inputs plus recomputed values as a workbook, reads it back and
/// validates it.
fn validate(inputs: Values) -> Vec<Finding> {
    let l = layout();
    let all = sample::finish(l, inputs);
    let bytes = write_form(l, &all, &WriteOptions::default()).expect("write");
    let bid = read_bid_bytes("msa.xlsx", &bytes).expect("read back");
    assert_eq!(bid.layout.form.id, "msa-bpt-2013");
    validate_bid(
        &bid,
        &ValidateOptions {
            selection: Selection::default(),
            tolerance: DEFAULT_TOLERANCE,
        },
    )
}

fn num(v: &mut Values, id: &str, d: Decimal) {
    v.set(id, Value::Number(d));
}

fn text(v: &mut Values, id: &str, s: &str) {
    v.set(id, Value::Text(s.into()));
}

fn blank(v: &mut Values, id: &str) {
    v.set(id, Value::Empty);
}

#[test]
fn round_trip_through_a_workbook() {
    let l = layout();
    for p in msa_sample::profiles() {
        let full = msa_sample::generate(&p, l);
        let bytes = write_form(l, &full, &WriteOptions::default()).expect("write");
        let bid = read_bid_bytes("msa.xlsx", &bytes).expect("read back");
        assert_eq!(bid.layout.form.id, "msa-bpt-2013");
        assert_eq!(bid.layout.form.family, "msa");
        for f in &l.fields {
            let want = full.get(&f.id);
            let got = bid.values.get(&f.id);
            match (want, got) {
                (Value::Number(a), Value::Number(b)) if f.role.is_calculated() => assert!(
                    (*a - *b).abs() <= dec!(0.000000001),
                    "{}: {} {a} vs {b}",
                    p.name,
                    f.id
                ),
                (Value::Number(a), Value::Number(b)) => {
                    assert_eq!(a.normalize(), b.normalize(), "{}: {}", p.name, f.id)
                }
                (a, b) => assert_eq!(a, b, "{}: {}", p.name, f.id),
            }
        }
        // Recalculating what was read gives the same figures.
        let again = bpt::form::recalc(bid.form, &bid.values);
        assert_eq!(
            again.values.num("msa.ws4.summary.enrollee_deposit"),
            full.num("msa.ws4.summary.enrollee_deposit")
        );
    }
}

#[test]
fn every_calculated_field_is_computed_and_nothing_else() {
    let l = layout();
    let full = msa_sample::generate(&msa_sample::profiles()[0], l);
    let r = recalc(l, &full);
    let missing: Vec<&str> = l
        .fields
        .iter()
        .filter(|f| f.role.is_calculated())
        .filter(|f| r.values.get(&f.id).is_empty() && !f.id.starts_with("msa.ws3.county."))
        .map(|f| f.id.as_str())
        .collect();
    assert!(missing.is_empty(), "not computed: {missing:?}");
    for f in l.fields.iter().filter(|f| f.role == Role::Calc) {
        assert!(f.formula.is_some(), "{} has no formula", f.id);
    }
}

/// Appendix H lines 3735–3737: 20 % of member months expected at $11,500 a
/// year and 10 % at $4,400; here the other 70 % at $300. Deductible $5,000,
/// non-benefit expenses $20, margin $5, one county at ratebook $800 and risk
/// 1.05.
#[test]
fn enrollee_deposit_on_the_appendix_example() {
    let l = layout();
    let mut v = Values::default();
    num(&mut v, "msa.ws1.general.deductible", dec!(5000));
    let rows = l.table("msa.ws4.claims").expect("claims table");
    // The intervals containing $300, $4,400 and $11,500.
    let find = |amount: Decimal| {
        rows.row_keys()
            .find(|k| {
                let b = |c: &str| {
                    l.field(&format!("msa.ws4.claims.{c}[{k}]"))
                        .and_then(|f| f.value.as_deref())
                        .and_then(|s| s.parse::<Decimal>().ok())
                };
                b("from").is_some_and(|f| f <= amount) && b("to").is_none_or(|t| amount < t)
            })
            .expect("an interval")
            .to_string()
    };
    let (k300, k4400, k11500) = (find(dec!(300)), find(dec!(4400)), find(dec!(11500)));
    assert_eq!((k4400.as_str(), k11500.as_str()), ("5", "12"));
    for (k, avg, pct, over) in [
        (&k300, dec!(300), dec!(0.70), dec!(0)),
        (&k4400, dec!(4400), dec!(0.10), dec!(0)),
        // (11,500 − 5,000) × 20 % ÷ 12 = 108.33
        (&k11500, dec!(11500), dec!(0.20), dec!(108.33)),
    ] {
        num(&mut v, &format!("msa.ws4.claims.avg_claim[{k}]"), avg);
        num(&mut v, &format!("msa.ws4.claims.pct_mm[{k}]"), pct);
        num(
            &mut v,
            &format!("msa.ws4.claims.over_deductible[{k}]"),
            over,
        );
    }
    num(&mut v, "msa.ws4.summary.nbe", dec!(20));
    num(&mut v, "msa.ws4.summary.margin", dec!(5));
    text(&mut v, "msa.ws3.county.code[1]", "36061");
    num(&mut v, "msa.ws3.county.mm[1]", dec!(12000));
    num(&mut v, "msa.ws3.county.risk[1]", dec!(1.05));
    num(&mut v, "msa.ws3.county.ratebook[1]", dec!(800));
    let r = recalc(l, &v);
    let n = |id: &str| r.values.num(id).unwrap_or_else(|| panic!("{id}"));
    // Column f: 11,500 × 0.20 ÷ 12 = 191.67; 4,400 × 0.10 ÷ 12 = 36.67;
    // 300 × 0.70 ÷ 12 = 17.50; total 245.83.
    assert_eq!(
        n(&format!("msa.ws4.claims.gross[{k11500}]")).round_dp(2),
        dec!(191.67)
    );
    assert_eq!(
        n(&format!("msa.ws4.claims.gross[{k4400}]")).round_dp(2),
        dec!(36.67)
    );
    assert_eq!(n(&format!("msa.ws4.claims.gross[{k300}]")), dec!(17.5));
    assert_eq!(n("msa.ws4.claims.gross[total]").round_dp(2), dec!(245.83));
    assert_eq!(n("msa.ws4.claims.pct_mm[total]"), dec!(1));
    // a 108.33; d = 108.33 + 20 + 5 = 133.33; e = 800 × 1.05 = 840;
    // f = 840 − 133.33 = 706.67; h = 800.
    assert_eq!(n("msa.ws4.summary.medical"), dec!(108.33));
    assert_eq!(n("msa.ws4.summary.revenue_requirement"), dec!(133.33));
    assert_eq!(n("msa.ws4.summary.plan_benchmark"), dec!(840));
    assert_eq!(n("msa.ws4.summary.enrollee_deposit"), dec!(706.67));
    assert_eq!(n("msa.ws4.summary.standardized_benchmark"), dec!(800));
    assert_eq!(n("msa.ws4.summary.pct_medical").round_dp(4), dec!(0.8125));
    assert_eq!(n("msa.ws4.summary.pct_nbe").round_dp(4), dec!(0.15));
    assert_eq!(n("msa.ws4.summary.pct_margin").round_dp(4), dec!(0.0375));
}

#[test]
fn the_samples_validate_without_errors() {
    let l = layout();
    for p in msa_sample::profiles() {
        let full = msa_sample::generate(&p, l);
        let bytes = write_form(l, &full, &WriteOptions::default()).expect("write");
        let bid = read_bid_bytes("msa.xlsx", &bytes).expect("read back");
        let findings = validate_bid(
            &bid,
            &ValidateOptions {
                selection: Selection::default(),
                tolerance: DEFAULT_TOLERANCE,
            },
        );
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", p.name);
    }
}

#[test]
fn msa_forms_run_only_the_v_and_h_families() {
    let mut v = sample_inputs();
    text(&mut v, "msa.ws1.general.plan_type", "HMO");
    blank(&mut v, "msa.ws4.summary.nbe");
    let findings = validate(v);
    assert!(!findings.is_empty());
    for f in &findings {
        assert!(
            f.rule.starts_with('H') || f.rule.starts_with('V'),
            "{} ran on an MSA form",
            f.rule
        );
    }
    for r in rules::registry().iter().filter(|r| r.id.starts_with('H')) {
        assert!(r.doc.len() > 200, "{} needs a real doc", r.id);
        assert!(
            r.source.contains("Appendix H") && r.source.contains("p. "),
            "{} cites Appendix H and its page: {}",
            r.id,
            r.source
        );
    }
}

type Edit = fn(&mut Values);

/// For each H rule: an edit of the valid sample that breaks it, and one that
/// stays within it (often at the boundary).
fn cases() -> Vec<(&'static str, Edit, Edit)> {
    vec![
        (
            "H001",
            |v| text(v, "msa.ws1.general.plan_type", "LPPO"),
            |v| text(v, "msa.ws1.general.plan_type", "MSA"),
        ),
        (
            "H002",
            |v| num(v, "msa.ws1.general.deductible", dec!(10600.01)),
            |v| num(v, "msa.ws1.general.deductible", dec!(10600)),
        ),
        (
            "H003",
            |v| text(v, "msa.ws1.general.enrollee_type", "PART B ONLY"),
            |v| text(v, "msa.ws1.general.enrollee_type", "A/B"),
        ),
        (
            "H004",
            |v| blank(v, "msa.ws4.summary.nbe"),
            |v| num(v, "msa.ws4.summary.nbe", dec!(0)),
        ),
        (
            "H005",
            |v| blank(v, "msa.ws4.summary.margin"),
            |v| num(v, "msa.ws4.summary.margin", dec!(0)),
        ),
        (
            "H006",
            |v| {
                let p = v.num("msa.ws4.claims.pct_mm[1]").unwrap_or_default();
                num(v, "msa.ws4.claims.pct_mm[1]", p + dec!(0.01));
            },
            // Moving 1 % between two intervals keeps the sum at 100 %.
            |v| {
                let a = v.num("msa.ws4.claims.pct_mm[1]").unwrap_or_default();
                let b = v.num("msa.ws4.claims.pct_mm[2]").unwrap_or_default();
                num(v, "msa.ws4.claims.pct_mm[1]", a - dec!(0.01));
                num(v, "msa.ws4.claims.pct_mm[2]", b + dec!(0.01));
            },
        ),
        (
            "H007",
            |v| {
                let a = v.num("msa.ws4.claims.pct_mm[1]").unwrap_or_default();
                let b = v.num("msa.ws4.claims.pct_mm[2]").unwrap_or_default();
                num(v, "msa.ws4.claims.pct_mm[1]", a + b + dec!(0.05));
                num(v, "msa.ws4.claims.pct_mm[2]", dec!(-0.05));
            },
            |v| {
                let a = v.num("msa.ws4.claims.pct_mm[1]").unwrap_or_default();
                let b = v.num("msa.ws4.claims.pct_mm[2]").unwrap_or_default();
                num(v, "msa.ws4.claims.pct_mm[1]", a + b);
                num(v, "msa.ws4.claims.pct_mm[2]", dec!(0));
            },
        ),
        (
            "H008",
            |v| {
                let m = v.num("msa.ws2.allowed.man_allowed[a]").unwrap_or_default();
                num(v, "msa.ws2.allowed.man_allowed[a]", m + dec!(10));
            },
            |v| {
                // A tenth of a cent more on the manual rate stays within the cent.
                let m = v.num("msa.ws2.allowed.man_allowed[a]").unwrap_or_default();
                num(v, "msa.ws2.allowed.man_allowed[a]", m + dec!(0.001));
            },
        ),
        (
            "H009",
            |v| num(v, "msa.ws4.claims.over_deductible[2]", dec!(1)),
            |v| num(v, "msa.ws4.claims.over_deductible[2]", dec!(0)),
        ),
        (
            "H010",
            |v| num(v, "msa.ws4.claims.over_deductible[8]", dec!(100)),
            |v| num(v, "msa.ws4.claims.over_deductible[8]", dec!(0.5)),
        ),
        (
            "H011",
            |v| num(v, "msa.ws4.claims.avg_claim[5]", dec!(11500)),
            |v| num(v, "msa.ws4.claims.avg_claim[5]", dec!(4000)),
        ),
        (
            "H012",
            |v| num(v, "msa.ws4.summary.margin", dec!(1000)),
            |v| num(v, "msa.ws4.summary.margin", dec!(25)),
        ),
        (
            "H013",
            |v| blank(v, "msa.ws1.general.organization_name"),
            |v| text(v, "msa.ws1.general.organization_name", "Another Org, Inc."),
        ),
        (
            "H014",
            |v| num(v, "msa.ws2.allowed.credibility[a]", dec!(1.2)),
            |v| num(v, "msa.ws2.allowed.credibility[a]", dec!(1)),
        ),
        (
            "H015",
            |v| blank(v, "msa.ws3.county.code[1]"),
            |v| text(v, "msa.ws3.county.code[1]", "36001"),
        ),
    ]
}

#[test]
fn each_h_rule_has_a_failing_and_a_passing_workbook() {
    let base = sample_inputs();
    let h_rules: Vec<&str> = rules::registry()
        .iter()
        .filter(|r| r.id.starts_with('H'))
        .map(|r| r.id)
        .collect();
    let cases = cases();
    let covered: Vec<&str> = cases.iter().map(|c| c.0).collect();
    assert_eq!(covered, h_rules, "every H rule has a case");
    for (rule, fail, pass) in cases {
        let mut bad = base.clone();
        fail(&mut bad);
        let found = validate(bad);
        assert!(
            found.iter().any(|f| f.rule == rule),
            "{rule}: the failing workbook is not flagged; findings: {found:#?}"
        );
        let mut good = base.clone();
        pass(&mut good);
        let found = validate(good);
        let hits: Vec<_> = found.iter().filter(|f| f.rule == rule).collect();
        assert!(
            hits.is_empty(),
            "{rule}: the passing workbook is flagged: {hits:#?}"
        );
    }
}

#[test]
fn hostile_numbers_neither_panic_nor_pass() {
    let l = layout();
    let mut v = sample_inputs();
    for (id, d) in [
        ("msa.ws4.claims.pct_mm[1]", Decimal::MAX),
        ("msa.ws4.claims.pct_mm[2]", Decimal::MIN),
        ("msa.ws4.claims.avg_claim[3]", Decimal::MAX),
        ("msa.ws4.claims.to[4]", Decimal::MIN),
        ("msa.ws4.claims.over_deductible[5]", Decimal::MAX),
        ("msa.ws2.allowed.credibility[a]", Decimal::MAX),
        ("msa.ws2.allowed.man_allowed[b]", Decimal::MIN),
        ("msa.ws1.base_period.mm_total", Decimal::MAX),
        ("msa.ws1.general.deductible", Decimal::MIN),
        ("msa.ws3.county.mm[1]", Decimal::MAX),
        ("msa.ws3.county.risk[1]", Decimal::MAX),
        ("msa.ws4.summary.nbe", Decimal::MIN),
        ("msa.ws5.pkg1.nbe", Decimal::MAX),
    ] {
        num(&mut v, id, d);
    }
    let r = recalc(l, &v);
    let ctx = rules::Ctx {
        layout: l,
        values: &v,
        calc: &r.values,
        tolerance: DEFAULT_TOLERANCE,
        defaults: None,
    };
    let found = rules::check(&ctx, &Selection::default());
    for rule in ["H002", "H006", "H007", "H014"] {
        assert!(found.iter().any(|f| f.rule == rule), "{rule} not reported");
    }
}
