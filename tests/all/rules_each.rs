//! One failing and one passing workbook for every rule of the MA form
//! families (F, C, R, M, A, P, V, D; the MSA family H is tested in
//! `tests/msa.rs`).
//!
//! Each case starts from a shipped valid sample: its entered values (inputs
//! and CMS cells) get an edit and every calculated cell is recalculated, as
//! in `bpt::broken`; cases of the V family may instead edit calculated
//! cells after the recalculation, as a user typing over a formula would.
//! The values are written to a real workbook, read back and validated. The
//! failing workbook must have a finding of the rule (on the expected field
//! where one is given); the passing one, often at the rule's boundary, must
//! have none.

use bpt::app::{ValidateOptions, validate_bid};
use bpt::diff::DEFAULT_TOLERANCE;
use bpt::reader::read_bid_bytes;
use bpt::rules::{self, Finding, Selection};
use bpt::sample;
use bpt::template::{self, Layout};
use bpt::value::{Invalid, Value, Values};
use bpt::writer::{WriteOptions, write_form};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;

/// An edit: the values to change, and the complete values of the unedited
/// sample (inputs and calculated cells) to read figures from.
type Edit = fn(&mut Values, &Values);

/// When an edit applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// To the entered values, before the recalculation.
    Inputs,
    /// To the recalculated values (calculated cells typed over).
    After,
}

/// One row of the table.
struct Case {
    rule: &'static str,
    /// The valid sample it starts from.
    base: &'static str,
    /// The field the failing workbook's finding is on (`""`: any field).
    at: &'static str,
    stage: Stage,
    /// The edit that breaks the rule.
    fail: Edit,
    /// The edit that keeps within it.
    pass: Edit,
    /// When not empty: the failing workbook's findings of the rule, exactly,
    /// as `field: message`.
    exact: &'static [&'static str],
}

impl Case {
    /// The failing workbook's findings of the rule are exactly these
    /// (`field: message`).
    fn exact(self, exact: &'static [&'static str]) -> Case {
        Case { exact, ..self }
    }
}

fn case(rule: &'static str, base: &'static str, at: &'static str, fail: Edit, pass: Edit) -> Case {
    Case {
        rule,
        base,
        at,
        stage: Stage::Inputs,
        fail,
        pass,
        exact: &[],
    }
}

fn after(rule: &'static str, base: &'static str, at: &'static str, fail: Edit, pass: Edit) -> Case {
    Case {
        stage: Stage::After,
        ..case(rule, base, at, fail, pass)
    }
}

const HMO: &str = "hmo-mapd-2013";
const POS: &str = "hmopos-oon-2013";
const RPPO: &str = "rppo-region13-2013";
const PFFS: &str = "pffs-ma-only-2013";
const EGWP: &str = "egwp-800-2013";
const DSNP: &str = "dsnp-2013";
const LOW: &str = "low-enrollment-2013";
const MANUAL: &str = "new-plan-manual-2013";
const OSB: &str = "osb-many-counties-2013";

fn text(v: &mut Values, id: &str, s: &str) {
    v.set(id, Value::Text(s.into()));
}

fn num(v: &mut Values, id: &str, d: Decimal) {
    v.set(id, Value::Number(d));
}

fn blank(v: &mut Values, id: &str) {
    v.set(id, Value::Empty);
}

/// A number of the values; panics when it is missing (a broken case).
fn get(v: &Values, id: &str) -> Decimal {
    v.num(id).unwrap_or_else(|| panic!("{id} has no number"))
}

fn add(v: &mut Values, id: &str, d: Decimal) {
    let x = get(v, id);
    num(v, id, x + d);
}

fn error_value(v: &mut Values, id: &str) {
    v.set(
        id,
        Value::Invalid(Invalid {
            sheet: String::new(),
            cell: String::new(),
            raw: "#DIV/0!".into(),
            expected: "a dollar amount".into(),
            original: None,
        }),
    );
}

/// Shifts the non-DE# and DE# allowed PMPMs of WS2 line `edit` by the same
/// amount, so that WS2 line `line`'s blended allowed PMPM (column o) ends
/// `gap` above the member-month weighted average of columns p and q.
fn de_gap(v: &mut Values, full: &Values, line: &str, edit: &str, gap: Decimal) {
    let mm_n = get(full, "ws2.projection.mm_non_de");
    let mm_d = get(full, "ws2.projection.mm_de");
    let o = get(full, &format!("ws2.allowed.blend_allowed[{line}]"));
    let p = get(full, &format!("ws2.allowed.non_de_allowed[{line}]"));
    let q = get(full, &format!("ws2.allowed.de_allowed[{line}]"));
    let w = (p * mm_n + q * mm_d) / (mm_n + mm_d);
    let delta = (o - w) - gap;
    add(v, &format!("ws2.allowed.non_de_allowed[{edit}]"), delta);
    add(v, &format!("ws2.allowed.de_allowed[{edit}]"), delta);
}

/// The service-category lines a–r of WS1, WS2 and WS4.
const LINES: [&str; 18] = [
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
];

/// Sets every WS2 column r (OON %) to zero, and line `k` to `pct`.
fn oon_only(v: &mut Values, k: &str, pct: Decimal) {
    for key in LINES {
        num(v, &format!("ws2.allowed.oon_pct[{key}]"), Decimal::ZERO);
    }
    num(v, &format!("ws2.allowed.oon_pct[{k}]"), pct);
}

/// Zeroes WS1 Section III (base period allowed and net PMPM) on every line.
fn no_base_claims(v: &mut Values) {
    for key in LINES {
        num(v, &format!("ws1.base.allowed_pmpm[{key}]"), Decimal::ZERO);
        num(v, &format!("ws1.base.net_pmpm[{key}]"), Decimal::ZERO);
    }
}

/// Marks a plan PART B ONLY, with the Medicare-covered inpatient shares of
/// WS4 line a (columns i and j, Sections IIA and IIB) set to `pct`.
fn part_b_only(v: &mut Values, pct: Decimal) {
    text(v, "ws1.general.enrollee_type", "PART B ONLY");
    for t in ["non_de", "de"] {
        for c in ["pct_cov_allowed", "pct_cov_cs"] {
            num(v, &format!("ws4.{t}.{c}[a]"), pct);
        }
    }
}

/// WS2 columns p and q equal to the total (column o), to the cent.
fn equal_costs(v: &mut Values, full: &Values) {
    for k in LINES {
        let o = get(full, &format!("ws2.allowed.blend_allowed[{k}]")).round_dp(2);
        num(v, &format!("ws2.allowed.non_de_allowed[{k}]"), o);
        num(v, &format!("ws2.allowed.de_allowed[{k}]"), o);
    }
}

/// WS3 line x1: a $2.10 PMPM of in-network cost sharing in `category`.
fn extra_line(v: &mut Values, category: &str) {
    text(v, "ws3.cost_sharing.category[x1]", category);
    text(v, "ws3.cost_sharing.description[x1]", "Extra visits");
    text(v, "ws3.cost_sharing.unit[x1]", "V");
    text(v, "ws3.cost_sharing.in_desc[x1]", "$10 copay");
    num(v, "ws3.cost_sharing.in_util[x1]", dec!(2520));
    num(v, "ws3.cost_sharing.in_before_oop[x1]", dec!(10));
    num(v, "ws3.cost_sharing.in_after_oop[x1]", dec!(10));
}

/// Blanks every calculated cell but the first `keep`, as a tool that fills
/// a blank form without recalculating leaves it.
fn blank_calculated(v: &mut Values, keep: usize) {
    let mut kept = 0;
    for f in layout().fields.iter().filter(|f| f.role.is_calculated()) {
        if kept < keep && !v.get(&f.id).is_empty() {
            kept += 1;
            continue;
        }
        blank(v, &f.id);
    }
}

const LIPSA: &str = "Low-Income Premium Subsidy Amount";

/// For each rule: a base sample, an edit that breaks the rule, and one that
/// keeps within it (at the boundary where the rule has one).
fn cases() -> Vec<Case> {
    vec![
        // ---------------------------------------------------------------- F
        case(
            "F001",
            HMO,
            "ws1.general.contract_number",
            |v, _| text(v, "ws1.general.contract_number", "H123"),
            |v, _| text(v, "ws1.general.contract_number", "H0123"),
        ),
        case(
            "F002",
            HMO,
            "ws1.general.plan_id",
            |v, _| text(v, "ws1.general.plan_id", "01"),
            |v, _| text(v, "ws1.general.plan_id", "002"),
        ),
        case(
            "F003",
            HMO,
            "ws1.general.segment_id",
            |v, _| text(v, "ws1.general.segment_id", "0001"),
            |v, _| text(v, "ws1.general.segment_id", "01"),
        ),
        case(
            "F004",
            HMO,
            "ws1.general.plan_type",
            |v, _| text(v, "ws1.general.plan_type", "PPO"),
            |v, _| text(v, "ws1.general.plan_type", "RFB HMO"),
        ),
        case(
            "F005",
            RPPO,
            "ws1.general.ma_region",
            |v, _| text(v, "ws1.general.ma_region", "27"),
            |v, _| text(v, "ws1.general.ma_region", "26"),
        ),
        case(
            "F005",
            HMO,
            "ws1.general.ma_region",
            |v, _| text(v, "ws1.general.ma_region", "13"),
            |v, _| blank(v, "ws1.general.ma_region"),
        ),
        case(
            "F006",
            HMO,
            "ws1.general.swap_equivalence",
            |v, _| text(v, "ws1.general.swap_equivalence", "Yes"),
            |v, _| text(v, "ws1.general.swap_equivalence", "Y"),
        ),
        case(
            "F007",
            RPPO,
            "ws1.general.enrollee_type",
            |v, _| text(v, "ws1.general.enrollee_type", "PART B ONLY"),
            |v, _| text(v, "ws1.general.enrollee_type", "A/B"),
        ),
        case(
            "F007",
            HMO,
            "ws1.general.enrollee_type",
            |v, _| text(v, "ws1.general.enrollee_type", "B ONLY"),
            |v, _| part_b_only(v, Decimal::ZERO),
        ),
        case(
            "F008",
            DSNP,
            "ws1.general.snp_type",
            |v, _| blank(v, "ws1.general.snp_type"),
            |v, _| text(v, "ws1.general.snp_type", "Institutional"),
        ),
        case(
            "F009",
            HMO,
            "ws1.general.plan_id",
            |v, _| text(v, "ws1.general.plan_type", "ED LPPO"),
            |v, _| {
                text(v, "ws1.general.plan_type", "ED LPPO");
                text(v, "ws1.general.plan_id", "800");
            },
        ),
        case(
            "F009",
            EGWP,
            "ws1.general.contract_number",
            |v, _| text(v, "ws1.general.plan_type", "ED PFFS"),
            |v, _| {
                text(v, "ws1.general.plan_type", "ED PFFS");
                text(v, "ws1.general.contract_number", "E3456");
            },
        ),
        case(
            "F009",
            HMO,
            "ws1.general.contract_number",
            |v, _| text(v, "ws1.general.contract_number", "E3456"),
            |v, _| text(v, "ws1.general.contract_number", "R3456"),
        ),
        case(
            "F010",
            HMO,
            "ws1.general.plan_name",
            |v, _| text(v, "ws1.general.plan_name", "   "),
            |v, _| text(v, "ws1.general.plan_name", "X"),
        ),
        case(
            "F011",
            HMO,
            "ws6.contact.bid_phone",
            |v, _| text(v, "ws6.contact.bid_phone", "614-555-0142"),
            |v, _| text(v, "ws6.contact.bid_phone", "6145550100"),
        ),
        case(
            "F012",
            HMO,
            "ws6.contact.cert_credentials",
            |v, _| blank(v, "ws6.contact.cert_credentials"),
            |v, _| text(v, "ws6.contact.cert_credentials", "MAAA"),
        ),
        case(
            "F012",
            HMO,
            "ws6.contact.add_email",
            |v, _| text(v, "ws6.contact.add_email", "praman at example"),
            |v, _| text(v, "ws6.contact.add_email", "p@x.io"),
        ),
        case(
            "F013",
            HMO,
            "ws6.contact.date_prepared",
            |v, _| blank(v, "ws6.contact.date_prepared"),
            |v, _| {
                let d = NaiveDate::from_ymd_opt(2012, 6, 4).expect("a date");
                v.set("ws6.contact.date_prepared", Value::Date(d));
            },
        ),
        case(
            "F014",
            HMO,
            "ws5.county.code[1]",
            |v, _| text(v, "ws5.county.code[1]", "3600"),
            |v, _| text(v, "ws5.county.code[1]", "36001"),
        ),
        case(
            "F015",
            HMO,
            "ws5.county.code[1]",
            |v, _| text(v, "ws5.county.code[1]", "99999"),
            |v, _| text(v, "ws5.county.code[1]", "99998"),
        ),
        case(
            "F016",
            HMO,
            "ws5.county.code[2]",
            |v, _| {
                let c = v.text("ws5.county.code[1]").unwrap_or_default().to_string();
                text(v, "ws5.county.code[2]", &c);
            },
            |v, _| text(v, "ws5.county.code[2]", "36005"),
        ),
        case(
            "F017",
            HMO,
            "ws5.county.code[5]",
            |v, _| {
                for c in ["code", "mm", "risk"] {
                    blank(v, &format!("ws5.county.{c}[5]"));
                }
            },
            // The last row emptied: the list ends earlier, without a gap.
            |v, _| {
                for c in ["code", "mm", "risk"] {
                    blank(v, &format!("ws5.county.{c}[12]"));
                }
            },
        ),
        case(
            "F018",
            HMO,
            "ws5.county.risk[3]",
            |v, _| blank(v, "ws5.county.risk[3]"),
            |v, _| num(v, "ws5.county.risk[3]", dec!(1)),
        ),
        case(
            "F018",
            HMO,
            "ws5.county.code[3]",
            |v, _| blank(v, "ws5.county.code[3]"),
            |v, _| text(v, "ws5.county.code[3]", "36021"),
        ),
        case(
            "F019",
            HMO,
            "ws2.allowed.util_type[e]",
            |v, _| blank(v, "ws2.allowed.util_type[e]"),
            // Without projected allowed costs the line needs no type.
            |v, _| {
                blank(v, "ws2.allowed.util_type[e]");
                num(v, "ws1.base.allowed_pmpm[e]", Decimal::ZERO);
                num(v, "ws1.base.net_pmpm[e]", Decimal::ZERO);
            },
        ),
        case(
            "F019",
            HMO,
            "ws3.cost_sharing.unit[d1]",
            |v, _| blank(v, "ws3.cost_sharing.unit[d1]"),
            // No cost sharing on the line: no unit needed.
            |v, _| {
                blank(v, "ws3.cost_sharing.unit[d1]");
                num(v, "ws3.cost_sharing.in_after_oop[d1]", Decimal::ZERO);
                num(v, "ws3.cost_sharing.in_before_oop[d1]", Decimal::ZERO);
            },
        ),
        // Column l: a deductible alone is cost sharing that needs a unit.
        case(
            "F019",
            HMO,
            "ws3.cost_sharing.unit[c1]",
            |v, _| num(v, "ws3.cost_sharing.in_deductible[c1]", dec!(0.01)),
            |v, _| num(v, "ws3.cost_sharing.in_deductible[c1]", Decimal::ZERO),
        )
        .exact(&["ws3.cost_sharing.unit[c1]: cost sharing of 0.01 PMPM is entered without a measurement unit"]),
        case(
            "F024",
            HMO,
            "ws3.oop.combined",
            |v, _| {
                text(v, "ws3.oop.combined", "Yes");
                num(v, "ws3.oop.combined_amount", dec!(5000));
            },
            |v, _| text(v, "ws3.oop.combined", "no"),
        )
        .exact(&["ws3.oop.combined: plan type HMO answers No to this OOP maximum question (the instructions' answers by plan type)"]),
        // An HMO POS answers either way out-of-network and combined.
        case(
            "F024",
            POS,
            "ws3.oop.in_network",
            |v, _| {
                text(v, "ws3.oop.in_network", "No");
                blank(v, "ws3.oop.in_network_amount");
            },
            |v, _| {
                text(v, "ws3.oop.combined", "No");
                blank(v, "ws3.oop.combined_amount");
            },
        )
        .exact(&["ws3.oop.in_network: plan type HMOPOS answers Yes to this OOP maximum question (the instructions' answers by plan type)"]),
        // A PFFS plan answers Yes combined; in-network either way.
        case(
            "F024",
            PFFS,
            "ws3.oop.combined",
            |v, _| {
                text(v, "ws3.oop.combined", "No");
                blank(v, "ws3.oop.combined_amount");
            },
            |v, _| {
                text(v, "ws3.oop.in_network", "No");
                blank(v, "ws3.oop.in_network_amount");
            },
        )
        .exact(&["ws3.oop.combined: plan type PFFS answers Yes to this OOP maximum question (the instructions' answers by plan type)"]),
        case(
            "F024",
            RPPO,
            "ws3.oop.combined",
            |v, _| {
                text(v, "ws3.oop.combined", "No");
                blank(v, "ws3.oop.combined_amount");
            },
            |v, _| {
                text(v, "ws3.oop.out_of_network", "Yes");
                num(v, "ws3.oop.out_of_network_amount", dec!(6700));
            },
        ),
        case(
            "F025",
            HMO,
            "ws1.base_period.paid_through",
            |v, _| blank(v, "ws1.base_period.paid_through"),
            // Entered (the sample's 3/31/2012).
            |_, _| {},
        )
        .exact(&["ws1.base_period.paid_through: Paid Through is blank: Sections II–VI are completed for a plan with base period experience (120000 member months)"]),
        case(
            "F025",
            MANUAL,
            "ws1.base_period.paid_through",
            // One base period member month is experience.
            |v, _| {
                num(v, "ws1.base_period.mm_total", Decimal::ONE);
                num(v, "ws1.base_period.mm_non_de", Decimal::ONE);
            },
            |v, _| blank(v, "ws1.base_period.paid_through"),
        ),
        case(
            "F025",
            HMO,
            "ws1.base_period.completion_factor",
            |v, _| blank(v, "ws1.base_period.completion_factor"),
            |v, _| num(v, "ws1.base_period.completion_factor", Decimal::ONE),
        )
        .exact(&["ws1.base_period.completion_factor: Completion Factor is blank: Sections II–VI are completed for a plan with base period experience (120000 member months); enter 0 if zero is meant"]),
        case(
            "F025",
            HMO,
            "ws1.base.util_per_1000[l]",
            |v, _| blank(v, "ws1.base.util_per_1000[l]"),
            |v, _| num(v, "ws1.base.util_per_1000[l]", Decimal::ZERO),
        ),
        case(
            "F025",
            HMO,
            "ws1.summary.hospice[member_months]",
            |v, _| blank(v, "ws1.summary.hospice[member_months]"),
            |v, _| num(v, "ws1.summary.hospice[member_months]", Decimal::ZERO),
        ),
        case(
            "F020",
            HMO,
            "ws3.oop.in_network_amount",
            |v, _| blank(v, "ws3.oop.in_network_amount"),
            |v, _| num(v, "ws3.oop.in_network_amount", Decimal::ZERO),
        ),
        case(
            "F020",
            HMO,
            "ws3.oop.out_of_network",
            |v, _| text(v, "ws3.oop.out_of_network", "N/A"),
            |v, _| text(v, "ws3.oop.out_of_network", "no"),
        ),
        case(
            "F021",
            HMO,
            "ws1.plans_in_base.contract_plan[a]",
            |v, _| text(v, "ws1.plans_in_base.contract_plan[a]", "H3456 001"),
            |v, _| text(v, "ws1.plans_in_base.contract_plan[a]", "H3456-001-01"),
        ),
        // ---------------------------------------------------------------- C
        case(
            "C001",
            HMO,
            "ws1.base_period.mm_non_de",
            |v, _| num(v, "ws1.base_period.mm_non_de", dec!(120001)),
            |v, _| num(v, "ws1.base_period.mm_non_de", dec!(120000)),
        ),
        case(
            "C001",
            HMO,
            "ws5.bid.mm_non_de",
            |v, _| blank(v, "ws5.bid.mm_non_de"),
            |v, _| num(v, "ws5.bid.mm_non_de", Decimal::ZERO),
        ),
        case(
            "C001",
            HMO,
            "ws5.bid.mm_non_de",
            |v, _| num(v, "ws5.bid.mm_non_de", dec!(-1)),
            |v, f| num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total")),
        ),
        case(
            "C002",
            HMO,
            "ws1.base_period.risk_non_de",
            |v, _| num(v, "ws1.base_period.mm_non_de", dec!(120000)),
            |v, _| {
                num(v, "ws1.base_period.mm_non_de", dec!(120000));
                num(v, "ws1.base_period.risk_non_de", dec!(1.012));
            },
        ),
        case(
            "C002",
            HMO,
            "ws5.bid.risk_non_de",
            |v, f| num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total")),
            |v, f| {
                num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total"));
                num(v, "ws5.bid.risk_non_de", get(f, "ws5.bid.risk_total"));
            },
        ),
        case(
            "C003",
            HMO,
            "ws1.plans_in_base.mm[b]",
            |v, _| add(v, "ws1.plans_in_base.mm[b]", dec!(-100)),
            |v, _| {
                add(v, "ws1.plans_in_base.mm[b]", dec!(-100));
                add(v, "ws1.plans_in_base.mm[a]", dec!(100));
            },
        ),
        case(
            "C004",
            HMO,
            "ws1.plans_in_base.mm[b]",
            |v, _| {
                num(v, "ws1.plans_in_base.mm[a]", dec!(59999));
                num(v, "ws1.plans_in_base.mm[b]", dec!(60001));
            },
            |v, _| {
                num(v, "ws1.plans_in_base.mm[a]", dec!(60000));
                num(v, "ws1.plans_in_base.mm[b]", dec!(60000));
            },
        ),
        case(
            "C004",
            HMO,
            "ws1.plans_in_base.contract_plan[a]",
            |v, _| text(v, "ws1.plans_in_base.contract_plan[a]", "All Other"),
            |v, _| text(v, "ws1.plans_in_base.contract_plan[b]", "All Other"),
        ),
        case(
            "C005",
            HMO,
            "ws1.summary.total[net_medical]",
            |v, _| {
                for r in ["esrd", "hospice", "other"] {
                    blank(v, &format!("ws1.summary.{r}[net_medical]"));
                }
            },
            |v, _| {
                for r in ["esrd", "other"] {
                    blank(v, &format!("ws1.summary.{r}[net_medical]"));
                }
            },
        ),
        case(
            "C005",
            HMO,
            "ws1.summary.total[total_revenue]",
            |v, _| {
                for r in ["esrd", "hospice", "other"] {
                    for c in ["cms_revenue", "premium_revenue"] {
                        blank(v, &format!("ws1.summary.{r}[{c}]"));
                    }
                }
            },
            // Premium revenue alone is revenue.
            |v, _| {
                for r in ["esrd", "hospice", "other"] {
                    blank(v, &format!("ws1.summary.{r}[cms_revenue]"));
                }
            },
        ),
        case(
            "C006",
            HMO,
            "ws4.esrd.esrd_mm",
            |v, _| num(v, "ws4.esrd.esrd_mm", Decimal::ZERO),
            |v, _| num(v, "ws4.esrd.esrd_mm", Decimal::ONE),
        )
        .exact(&["ws4.esrd.esrd_mm: ESRD costs are priced but projected ESRD member months are 0"]),
        case(
            "C006",
            HMO,
            "ws4.esrd.esrd_mm",
            |v, _| num(v, "ws4.esrd.esrd_mm", Decimal::ZERO),
            // Nothing priced for ESRD: 0 ESRD member months, as entered.
            |v, _| {
                for c in ["esrd_mm", "cms_revenue", "net_medical", "nbe"] {
                    num(v, &format!("ws4.esrd.{c}"), Decimal::ZERO);
                }
            },
        ),
        // Every sponsor enters the ESRD member months, 0 if none.
        case(
            "F023",
            HMO,
            "ws4.esrd.esrd_mm",
            |v, _| blank(v, "ws4.esrd.esrd_mm"),
            |v, _| {
                for c in ["esrd_mm", "cms_revenue", "net_medical", "nbe"] {
                    num(v, &format!("ws4.esrd.{c}"), Decimal::ZERO);
                }
            },
        )
        .exact(&["ws4.esrd.esrd_mm: ESRD CY Member Months is blank; enter 0 if zero is meant"]),
        case(
            "C005",
            HMO,
            "ws1.summary.other[net_medical]",
            // $681.86 × 1.01 × 120,000 = $82,641,432 is 1 % above Section III.
            |v, _| num(v, "ws1.summary.other[net_medical]", dec!(82641433)),
            |v, _| num(v, "ws1.summary.other[net_medical]", dec!(82641432)),
        )
        .exact(&["ws1.summary.other[net_medical]: Section VI's all-other net medical expenses are 688.68 PMPM over 120000 member months, Section III's total net PMPM is 681.86: more than 1% apart"]),
        case(
            "C005",
            HMO,
            "ws1.summary.other[net_medical]",
            |v, _| num(v, "ws1.summary.other[net_medical]", dec!(81004967)),
            |v, _| num(v, "ws1.summary.other[net_medical]", dec!(81004968)),
        ),
        // Without base period member months Section VI reports nothing.
        case(
            "C005",
            MANUAL,
            "ws1.summary.total[total_revenue]",
            |v, _| num(v, "ws1.summary.other[cms_revenue]", dec!(1)),
            |v, _| num(v, "ws1.summary.other[cms_revenue]", Decimal::ZERO),
        )
        .exact(&["ws1.summary.total[total_revenue]: Section VI reports base period amounts, but Section II reports no base period member months (and so no plans in base)"]),
        case(
            "C008",
            OSB,
            "ws7.pkg1.member_months",
            |v, c| {
                let mm = c.num("ws5.bid.mm_total").unwrap_or_default();
                num(v, "ws7.pkg1.member_months", mm + dec!(1));
            },
            // Every member buys the package: at the limit.
            |v, c| {
                let mm = c.num("ws5.bid.mm_total").unwrap_or_default();
                num(v, "ws7.pkg1.member_months", mm);
            },
        ),
        case(
            "C009",
            HMO,
            "ws4.egwp.additional_pmpm",
            |v, _| num(v, "ws4.egwp.additional_pmpm", dec!(4)),
            |v, _| num(v, "ws4.egwp.additional_pmpm", Decimal::ZERO),
        ),
        case(
            // The 800-series plan may use it.
            "C009",
            EGWP,
            "ws4.egwp.additional_pmpm",
            |v, _| text(v, "ws1.general.plan_id", "001"),
            |v, _| num(v, "ws4.egwp.additional_pmpm", dec!(4)),
        ),
        case(
            // A misspelled category leaves the line out of WS4.
            "C010",
            HMO,
            "ws4.non_de.cost_sharing[s]",
            |v, _| extra_line(v, "Profesional"),
            |v, _| extra_line(v, "Professional"),
        ),
        case(
            "C007",
            HMO,
            "ws1.base.allowed_pmpm[s]",
            |v, _| no_base_claims(v),
            |v, _| {
                no_base_claims(v);
                num(v, "ws1.base.allowed_pmpm[a]", dec!(0.01));
                num(v, "ws1.base.net_pmpm[a]", dec!(0.01));
            },
        ),
        // ---------------------------------------------------------------- R
        case(
            "R001",
            HMO,
            "ws2.allowed.credibility[a]",
            |v, _| num(v, "ws2.allowed.credibility[a]", dec!(0.99)),
            |v, _| num(v, "ws2.allowed.credibility[a]", dec!(1)),
        ),
        case(
            "R001",
            LOW,
            "ws2.allowed.credibility[b]",
            |v, _| num(v, "ws2.allowed.credibility[b]", dec!(0.991)),
            |v, _| num(v, "ws2.allowed.credibility[b]", dec!(0.99)),
        ),
        case(
            "R001",
            MANUAL,
            "ws2.allowed.credibility[c]",
            |v, _| blank(v, "ws2.allowed.credibility[c]"),
            |v, _| num(v, "ws2.allowed.credibility[c]", Decimal::ZERO),
        ),
        case(
            // 2,400 base member months: guideline sqrt(0.1) = 31.6228 %.
            "R002",
            LOW,
            "ws2.allowed.credibility[a]",
            |v, _| num(v, "ws2.allowed.credibility[a]", dec!(0.3163)),
            |v, _| num(v, "ws2.allowed.credibility[a]", dec!(0.31618)),
        ),
        case(
            // 0 % is an override allowed only up to 960 member months.
            "R002",
            LOW,
            "ws2.allowed.credibility[a]",
            |v, _| num(v, "ws2.allowed.credibility[a]", Decimal::ZERO),
            |v, _| {
                num(v, "ws1.base_period.mm_total", dec!(960));
                num(v, "ws1.base_period.mm_non_de", dec!(900));
                num(v, "ws1.plans_in_base.mm[a]", dec!(900));
                num(v, "ws1.plans_in_base.mm[b]", dec!(60));
                for k in LINES {
                    num(v, &format!("ws2.allowed.credibility[{k}]"), Decimal::ZERO);
                }
            },
        ),
        case(
            "R003",
            HMO,
            "ws4.non_de.pct_cov_allowed[b]",
            |v, _| num(v, "ws4.non_de.pct_cov_allowed[b]", dec!(1.0001)),
            |v, _| num(v, "ws4.non_de.pct_cov_allowed[a]", dec!(1)),
        ),
        case(
            "R003",
            HMO,
            "ws4.de.pct_cov_cs[i]",
            |v, _| blank(v, "ws4.de.pct_cov_cs[i]"),
            |v, _| num(v, "ws4.de.pct_cov_cs[i]", Decimal::ZERO),
        ),
        case(
            "R004",
            POS,
            "ws2.allowed.oon_pct[i]",
            |v, _| blank(v, "ws2.allowed.oon_pct[i]"),
            |v, _| num(v, "ws2.allowed.oon_pct[i]", Decimal::ZERO),
        ),
        case(
            "R004",
            POS,
            "ws2.allowed.oon_pct[i]",
            |v, _| num(v, "ws2.allowed.oon_pct[i]", dec!(1.01)),
            |v, _| num(v, "ws2.allowed.oon_pct[i]", dec!(1)),
        ),
        case(
            "R005",
            POS,
            "ws2.allowed.oon_pct[a]",
            |v, _| oon_only(v, "q", Decimal::ZERO),
            |v, _| oon_only(v, "q", dec!(0.0001)),
        ),
        case(
            "R005",
            RPPO,
            "ws2.allowed.oon_pct[a]",
            |v, _| oon_only(v, "a", Decimal::ZERO),
            |v, _| oon_only(v, "a", dec!(0.01)),
        ),
        case(
            "R006",
            HMO,
            "ws1.projection.provider_payment[c]",
            |v, _| blank(v, "ws1.projection.provider_payment[c]"),
            |v, _| num(v, "ws1.projection.provider_payment[c]", dec!(0.001)),
        ),
        case(
            "R006",
            HMO,
            "ws1.projection.util_trend[h]",
            // "Do not enter zero": on a line without base period data too.
            |v, _| {
                num(v, "ws1.projection.util_trend[h]", Decimal::ZERO);
                num(v, "ws1.base.allowed_pmpm[h]", Decimal::ZERO);
                num(v, "ws1.base.net_pmpm[h]", Decimal::ZERO);
            },
            |v, _| {
                num(v, "ws1.projection.util_trend[h]", Decimal::ONE);
                num(v, "ws1.base.allowed_pmpm[h]", Decimal::ZERO);
                num(v, "ws1.base.net_pmpm[h]", Decimal::ZERO);
            },
        )
        .exact(&["ws1.projection.util_trend[h]: projection factor is zero; enter 1.000 for no change"]),
        // With base period experience every line a–r has its factors, even
        // one without base period data; a new plan without experience
        // leaves them blank.
        case(
            "R006",
            HMO,
            "ws1.projection.other_cost[r]",
            |v, _| blank(v, "ws1.projection.other_cost[r]"),
            |v, _| num(v, "ws1.projection.other_cost[r]", Decimal::ONE),
        )
        .exact(&["ws1.projection.other_cost[r]: projection factor is blank (120000 base member months); enter 1.000 for no change"]),
        case(
            "R006",
            MANUAL,
            "ws1.projection.benefit_change[a]",
            |v, _| num(v, "ws1.projection.benefit_change[a]", Decimal::ZERO),
            |v, _| blank(v, "ws1.projection.benefit_change[a]"),
        ),
        case(
            "R007",
            HMO,
            "ws5.quality.star_rating",
            |v, _| num(v, "ws5.quality.star_rating", dec!(45)),
            |v, _| num(v, "ws5.quality.star_rating", dec!(5)),
        ),
        case(
            "R007",
            HMO,
            "ws5.quality.star_rating",
            |v, _| num(v, "ws5.quality.star_rating", dec!(4.25)),
            |v, _| num(v, "ws5.quality.star_rating", dec!(1)),
        ),
        case(
            // The existing parent's average rating must be entered; a
            // low-enrollment contract "received three stars".
            "R007",
            HMO,
            "ws5.quality.star_rating",
            |v, _| {
                blank(v, "ws5.quality.star_rating");
                text(
                    v,
                    "ws5.quality.new_low",
                    "New contract under existing parent org",
                );
            },
            |v, _| {
                blank(v, "ws5.quality.star_rating");
                text(v, "ws5.quality.new_low", "Low");
            },
        ),
        case(
            "R007",
            HMO,
            "ws5.quality.star_rating",
            |v, _| blank(v, "ws5.quality.star_rating"),
            |v, _| {
                blank(v, "ws5.quality.star_rating");
                text(
                    v,
                    "ws5.quality.new_low",
                    "New contract under new parent org",
                );
            },
        ),
        case(
            "R008",
            HMO,
            "ws5.bid.msp",
            |v, _| num(v, "ws5.bid.msp", dec!(1.0001)),
            |v, _| num(v, "ws5.bid.msp", dec!(1)),
        ),
        case(
            "R008",
            HMO,
            "ws5.bid.msp",
            |v, _| blank(v, "ws5.bid.msp"),
            |v, _| num(v, "ws5.bid.msp", Decimal::ZERO),
        ),
        case(
            "R009",
            HMO,
            "ws4.non_de.pct_cov_allowed[a]",
            |v, _| text(v, "ws1.general.enrollee_type", "PART B ONLY"),
            |v, _| part_b_only(v, Decimal::ZERO),
        ),
        case(
            "R010",
            HMO,
            "ws1.base_period.completion_factor",
            |v, _| num(v, "ws1.base_period.completion_factor", dec!(0.999)),
            |v, _| num(v, "ws1.base_period.completion_factor", dec!(1.5)),
        ),
        case(
            "R010",
            HMO,
            "ws1.base_period.completion_factor",
            |v, _| num(v, "ws1.base_period.completion_factor", dec!(1.501)),
            |v, _| num(v, "ws1.base_period.completion_factor", dec!(1)),
        ),
        case(
            "R011",
            HMO,
            "ws5.county.risk[1]",
            |v, _| num(v, "ws5.county.risk[1]", dec!(4.01)),
            |v, _| num(v, "ws5.county.risk[1]", dec!(4)),
        ),
        case(
            "R011",
            HMO,
            "ws1.base_period.risk_total",
            |v, _| num(v, "ws1.base_period.risk_total", dec!(0.29)),
            |v, _| num(v, "ws1.base_period.risk_total", dec!(0.3)),
        ),
        // ---------------------------------------------------------------- M
        case(
            "M001",
            HMO,
            "ws1.base.cost_sharing[a]",
            |v, _| {
                let a = get(v, "ws1.base.allowed_pmpm[a]");
                num(v, "ws1.base.net_pmpm[a]", a + dec!(0.01));
            },
            |v, _| {
                let a = get(v, "ws1.base.allowed_pmpm[a]");
                num(v, "ws1.base.net_pmpm[a]", a);
            },
        ),
        case(
            "M002",
            HMO,
            "ws1.base.cost_sharing[r]",
            |v, _| add(v, "ws1.base.net_pmpm[r]", dec!(0.01)),
            |v, _| {
                num(v, "ws1.base.allowed_pmpm[r]", dec!(-3.10));
                num(v, "ws1.base.net_pmpm[r]", dec!(-3.10));
            },
        ),
        case(
            "M003",
            HMO,
            "ws2.allowed.de_allowed[q]",
            |v, _| num(v, "ws2.allowed.de_allowed[q]", dec!(-0.01)),
            |v, _| num(v, "ws2.allowed.de_allowed[q]", Decimal::ZERO),
        ),
        case(
            // COB/subrogation may be negative.
            "M003",
            HMO,
            "ws2.allowed.blend_allowed[q]",
            |v, _| {
                num(v, "ws1.base.allowed_pmpm[q]", dec!(-1));
                num(v, "ws1.base.net_pmpm[q]", dec!(-1));
            },
            |v, _| {
                num(v, "ws1.base.allowed_pmpm[r]", dec!(-100));
                num(v, "ws1.base.net_pmpm[r]", dec!(-100));
            },
        ),
        case(
            "M004",
            HMO,
            "ws3.cost_sharing.in_after_oop[a1]",
            |v, _| {
                let b = get(v, "ws3.cost_sharing.in_before_oop[a1]");
                num(v, "ws3.cost_sharing.in_after_oop[a1]", b + dec!(0.01));
            },
            |v, _| {
                let b = get(v, "ws3.cost_sharing.in_before_oop[a1]");
                num(v, "ws3.cost_sharing.in_after_oop[a1]", b);
            },
        ),
        case(
            "M004",
            HMO,
            "ws3.cost_sharing.in_before_oop[i1]",
            |v, _| blank(v, "ws3.cost_sharing.in_before_oop[i1]"),
            |v, _| {
                blank(v, "ws3.cost_sharing.in_before_oop[i1]");
                blank(v, "ws3.cost_sharing.in_after_oop[i1]");
            },
        ),
        case(
            // Ambulance (line d): Medicare covers all of it, so allowed equal
            // to cost sharing leaves net and supplemental at zero.
            "M005",
            HMO,
            "ws4.non_de.net[d]",
            |v, _| num(v, "ws2.allowed.non_de_allowed[d]", Decimal::ZERO),
            |v, f| {
                let cs = get(f, "ws4.non_de.cost_sharing[d]");
                num(v, "ws2.allowed.non_de_allowed[d]", cs);
            },
        ),
        case(
            "M010",
            MANUAL,
            "ws2.allowed.blend_allowed[s]",
            |v, f| de_gap(v, f, "s", "a", dec!(0.51)),
            |v, f| de_gap(v, f, "s", "a", dec!(0.49)),
        ),
        case(
            "M010",
            LOW,
            "ws2.allowed.blend_allowed[s]",
            |v, f| de_gap(v, f, "s", "i", dec!(-0.51)),
            |v, f| de_gap(v, f, "s", "i", dec!(-0.49)),
        ),
        case(
            "M011",
            HMO,
            "ws2.allowed.blend_allowed[i]",
            |v, f| de_gap(v, f, "i", "i", dec!(0.06)),
            |v, f| de_gap(v, f, "i", "i", dec!(0.04)),
        ),
        case(
            "M011",
            POS,
            "ws2.allowed.blend_allowed[b]",
            |v, f| de_gap(v, f, "b", "b", dec!(-0.06)),
            |v, f| de_gap(v, f, "b", "b", dec!(-0.04)),
        ),
        case(
            "M012",
            HMO,
            "ws4.nbe.v2_h",
            |v, _| num(v, "ws4.nbe.v2_h", dec!(-0.01)),
            |v, _| num(v, "ws4.nbe.v2_h", Decimal::ZERO),
        ),
        case(
            "M012",
            HMO,
            "ws4.nbe.v1_h",
            |v, _| blank(v, "ws4.nbe.v1_h"),
            // Reinsurance (v4) may be negative, as long as v5 is not.
            |v, _| num(v, "ws4.nbe.v4_h", dec!(-5)),
        ),
        case(
            "M012",
            HMO,
            "ws4.nbe.v5_h",
            |v, _| num(v, "ws4.nbe.v4_h", dec!(-63.91)),
            |v, _| num(v, "ws4.nbe.v4_h", dec!(-63.90)),
        ),
        case(
            // The conversion factor (1 − MSP) × risk is zero at MSP 100 %.
            "M013",
            HMO,
            "ws5.bid.plan_benchmark",
            |v, _| num(v, "ws5.bid.msp", dec!(1)),
            |v, _| num(v, "ws5.bid.msp", dec!(0.99)),
        ),
        case(
            "M014",
            HMO,
            "ws5.bid.plan_bid",
            |v, _| num(v, "ws4.margin.w_h", dec!(-5000)),
            |v, _| num(v, "ws4.margin.w_h", Decimal::ZERO),
        ),
        case(
            "M015",
            HMO,
            "ws4.margin.w_h",
            |v, _| blank(v, "ws4.margin.w_h"),
            |v, _| num(v, "ws4.margin.w_h", Decimal::ZERO),
        ),
        case(
            "M015",
            EGWP,
            "ws4.margin.w_h",
            |v, _| num(v, "ws4.margin.w_h", Decimal::ZERO),
            |v, _| num(v, "ws4.margin.w_h", dec!(0.01)),
        ),
        // ---------------------------------------------------------------- A
        case(
            "A001",
            HMO,
            "ws6.allocation.allocated[part_b]",
            |v, f| {
                let b = get(f, "ws6.allocation.allocated[part_b]");
                num(v, "ws6.part_b.max_buydown", b - dec!(0.1));
            },
            |v, f| {
                let b = get(f, "ws6.allocation.allocated[part_b]");
                num(v, "ws6.part_b.max_buydown", b);
            },
        ),
        case(
            "A001",
            HMO,
            "ws6.allocation.allocated[other_supplemental]",
            |v, f| {
                let m = get(f, "ws6.allocation.maximum[other_supplemental]");
                num(
                    v,
                    "ws6.rebate_input.other_supplemental",
                    m.round_dp(2) + dec!(0.01),
                );
            },
            |v, f| {
                let m = get(f, "ws6.allocation.maximum[other_supplemental]");
                num(
                    v,
                    "ws6.rebate_input.other_supplemental",
                    m.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero),
                );
            },
        ),
        case(
            "A002",
            HMO,
            "ws6.rebate_input.reduce_cost_sharing",
            |v, _| num(v, "ws6.rebate_input.reduce_cost_sharing", dec!(-0.01)),
            |v, _| num(v, "ws6.rebate_input.reduce_cost_sharing", Decimal::ZERO),
        ),
        case(
            "A003",
            PFFS,
            "ws6.premium.part_d_supp_before",
            |v, _| num(v, "ws6.premium.part_d_supp_before", dec!(5)),
            |v, _| num(v, "ws6.premium.part_d_supp_before", Decimal::ZERO),
        ),
        case(
            "A003",
            EGWP,
            "ws6.premium.part_d_basic_rebate_input",
            |v, _| num(v, "ws6.premium.part_d_basic_rebate_input", dec!(0.1)),
            |v, _| blank(v, "ws6.premium.part_d_basic_rebate_input"),
        ),
        case(
            "A004",
            HMO,
            "ws6.allocation.allocated[total]",
            |v, _| add(v, "ws6.rebate_input.other_supplemental", dec!(-0.01)),
            // The cent moves to reduced cost sharing: still fully allocated.
            |v, _| {
                add(v, "ws6.rebate_input.other_supplemental", dec!(-0.01));
                add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(0.01));
            },
        ),
        case(
            "A004",
            HMO,
            "ws6.allocation.allocated[total]",
            |v, _| add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(0.005)),
            |v, _| add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(0.0049)),
        ),
        case(
            "A005",
            HMO,
            "ws6.part_b.rebate_input",
            |v, _| add(v, "ws6.part_b.rebate_input", dec!(0.05)),
            |v, _| {
                add(v, "ws6.part_b.rebate_input", dec!(0.1));
                add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(-0.1));
            },
        ),
        case(
            "A005",
            HMO,
            "ws6.premium.part_d_supp_rebate_input",
            |v, _| add(v, "ws6.premium.part_d_supp_rebate_input", dec!(-0.01)),
            |v, _| add(v, "ws6.premium.part_d_supp_rebate_input", dec!(-0.1)),
        ),
        case(
            "A006",
            HMO,
            "ws6.rebate_input.reduce_cost_sharing",
            |v, _| add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(0.001)),
            |v, _| add(v, "ws6.rebate_input.reduce_cost_sharing", dec!(0.01)),
        ),
        case(
            "A007",
            HMO,
            "ws6.premium.part_d_basic_rebate",
            |v, f| {
                let r = get(f, "ws6.premium.part_d_basic_rebate");
                num(v, "ws6.premium.part_d_basic_before", r - dec!(0.1));
            },
            |v, f| {
                let r = get(f, "ws6.premium.part_d_basic_rebate");
                num(v, "ws6.premium.part_d_basic_before", r);
            },
        ),
        // ---------------------------------------------------------------- P
        case(
            // More of the rebate to other supplemental benefits than the MA
            // premium leaves: the premium goes below zero.
            "P001",
            HMO,
            "ws6.premium.rounded_ma_premium",
            |v, f| {
                let p = get(f, "ws6.premium.total_ma_premium").round_dp(2);
                add(v, "ws6.rebate_input.other_supplemental", p + dec!(0.1));
            },
            |v, f| {
                let p = get(f, "ws6.premium.total_ma_premium").round_dp(2);
                add(v, "ws6.rebate_input.other_supplemental", p);
            },
        ),
        case(
            "P002",
            HMO,
            "ws6.premium.part_d_supp_premium",
            |v, f| {
                let r = get(f, "ws6.premium.part_d_supp_rebate");
                num(v, "ws6.premium.part_d_supp_before", r - dec!(0.1));
            },
            |v, f| {
                let r = get(f, "ws6.premium.part_d_supp_rebate");
                num(v, "ws6.premium.part_d_supp_before", r);
            },
        ),
        case(
            // Basic premium after rebates −0.10 and supplemental 0.00.
            "P002",
            HMO,
            "ws6.premium.part_d_supp_premium",
            |v, f| {
                let b = get(f, "ws6.premium.part_d_basic_rebate");
                let s = get(f, "ws6.premium.part_d_supp_rebate");
                num(v, "ws6.premium.part_d_basic_before", b - dec!(0.1));
                num(v, "ws6.premium.part_d_supp_before", s);
            },
            // Basic −0.10 offset by supplemental +0.10.
            |v, f| {
                let b = get(f, "ws6.premium.part_d_basic_rebate");
                let s = get(f, "ws6.premium.part_d_supp_rebate");
                num(v, "ws6.premium.part_d_basic_before", b - dec!(0.1));
                num(v, "ws6.premium.part_d_supp_before", s + dec!(0.1));
            },
        ),
        case(
            "P003",
            HMO,
            "ws6.premium.total_plan_premium",
            |v, f| {
                let zero_at = get(f, "ws6.premium.part_d_basic_rebate")
                    - get(f, "ws6.premium.part_d_supp_premium")
                    - get(f, "ws6.premium.rounded_ma_premium");
                num(v, "ws6.premium.part_d_basic_before", zero_at - dec!(0.1));
            },
            |v, f| {
                let zero_at = get(f, "ws6.premium.part_d_basic_rebate")
                    - get(f, "ws6.premium.part_d_supp_premium")
                    - get(f, "ws6.premium.rounded_ma_premium");
                num(v, "ws6.premium.part_d_basic_before", zero_at);
            },
        ),
        case(
            "P004",
            HMO,
            "ws6.premium.part_d_basic_premium",
            |v, f| {
                text(v, "ws6.premium.plan_intention", LIPSA);
                let r = get(f, "ws6.premium.part_d_basic_rebate");
                num(v, "ws6.premium.part_d_basic_before", r);
            },
            |v, f| {
                text(v, "ws6.premium.plan_intention", LIPSA);
                let r = get(f, "ws6.premium.part_d_basic_rebate");
                num(v, "ws6.premium.part_d_basic_before", r + dec!(0.1));
            },
        ),
        case(
            "P005",
            HMO,
            "ws6.premium.plan_intention",
            |v, _| blank(v, "ws6.premium.plan_intention"),
            |v, _| text(v, "ws6.premium.plan_intention", LIPSA),
        ),
        case(
            "P005",
            EGWP,
            "ws6.premium.plan_intention",
            |v, _| text(v, "ws6.premium.plan_intention", LIPSA),
            |v, _| text(v, "ws6.premium.plan_intention", "  "),
        ),
        case(
            "P006",
            HMO,
            "ws6.premium.part_d_basic_before",
            |v, _| num(v, "ws6.premium.part_d_basic_before", dec!(38.45)),
            |v, _| num(v, "ws6.premium.part_d_basic_before", dec!(38.5)),
        ),
        case(
            "P006",
            HMO,
            "ws6.premium.part_d_supp_before",
            |v, _| blank(v, "ws6.premium.part_d_supp_before"),
            |v, _| {
                num(v, "ws6.premium.part_d_supp_before", Decimal::ZERO);
                num(v, "ws6.premium.part_d_supp_rebate_input", Decimal::ZERO);
            },
        ),
        case(
            "P007",
            OSB,
            "ws7.pkg1.member_months",
            |v, _| blank(v, "ws7.pkg1.member_months"),
            |v, _| num(v, "ws7.pkg1.member_months", dec!(1)),
        ),
        case(
            // A package not offered: 0.05 of NBE rounds to a 0.10 premium,
            // 0.04 to none.
            "P007",
            OSB,
            "ws7.pkg4.premium",
            |v, _| num(v, "ws7.pkg4.nbe", dec!(0.05)),
            |v, _| num(v, "ws7.pkg4.nbe", dec!(0.04)),
        ),
        case(
            // An offered package whose premium rounds to zero.
            "P007",
            OSB,
            "ws7.pkg2.premium",
            |v, f| {
                let net = get(f, "ws7.pkg2.net_total");
                num(v, "ws7.pkg2.gain_loss", Decimal::ZERO);
                num(v, "ws7.pkg2.nbe", dec!(0.04) - net);
            },
            |v, f| {
                let net = get(f, "ws7.pkg2.net_total");
                num(v, "ws7.pkg2.gain_loss", Decimal::ZERO);
                num(v, "ws7.pkg2.nbe", dec!(0.05) - net);
            },
        ),
        // ---------------------------------------------------------------- V
        after(
            "V001",
            HMO,
            "ws6.premium.total_plan_premium",
            |v, _| error_value(v, "ws6.premium.total_plan_premium"),
            // An error value in a field the instructions do not name is V002.
            |v, _| error_value(v, "ws6.premium.part_d_basic_premium"),
        ),
        after(
            "V001",
            HMO,
            "ws5.county.risk[4]",
            |v, _| text(v, "ws5.county.risk[4]", "#N/A"),
            |v, _| text(v, "ws1.base_period.risk_total", "#N/A"),
        ),
        case(
            "V002",
            HMO,
            "ws1.base.net_pmpm[a]",
            |v, _| text(v, "ws1.base.net_pmpm[a]", "245.1O"),
            |v, _| num(v, "ws1.base.net_pmpm[a]", dec!(245.1)),
        ),
        case(
            "V002",
            HMO,
            "ws1.base_period.paid_through",
            |v, _| text(v, "ws1.base_period.paid_through", "March"),
            |v, _| text(v, "ws1.base_period.paid_through", "2012-04-30"),
        ),
        after(
            "V003",
            HMO,
            "ws5.bid.plan_bid",
            |v, _| add(v, "ws5.bid.plan_bid", dec!(1)),
            // An unrounded cell within the tolerance.
            |v, _| add(v, "ws2.allowed.blend_allowed[a]", dec!(0.0000009)),
        ),
        after(
            "V003",
            HMO,
            "ws5.bid.plan_bid",
            |v, _| add(v, "ws5.bid.plan_bid", dec!(0.01)),
            |v, _| add(v, "ws2.allowed.blend_allowed[a]", dec!(-0.0000009)),
        ),
        case(
            "V004",
            HMO,
            "ws4.de.plan_cs[a]",
            |v, f| {
                num(
                    v,
                    "ws4.de.plan_cs[a]",
                    get(f, "ws4.de.plan_cs[a]") + dec!(1),
                )
            },
            |v, f| {
                let d = get(f, "ws4.de.plan_cs[a]") + dec!(0.0000009);
                num(v, "ws4.de.plan_cs[a]", d);
            },
        ),
        // F022: every choice field, from the template's `choices`.
        case(
            "F022",
            HMO,
            "ws2.allowed.util_type[e]",
            |v, _| text(v, "ws2.allowed.util_type[e]", "X"),
            |v, _| text(v, "ws2.allowed.util_type[e]", "p"),
        ),
        case(
            "F022",
            HMO,
            "ws3.cost_sharing.unit[d1]",
            |v, _| text(v, "ws3.cost_sharing.unit[d1]", "Admit"),
            |v, _| text(v, "ws3.cost_sharing.unit[d1]", "Coin"),
        ),
        case(
            "F022",
            HMO,
            "ws3.cost_sharing.category[x1]",
            |v, _| text(v, "ws3.cost_sharing.category[x1]", "Profesional"),
            |v, _| text(v, "ws3.cost_sharing.category[x1]", "Professional"),
        ),
        case(
            "F022",
            OSB,
            "ws7.pkg1.lines.category[1]",
            |v, _| text(v, "ws7.pkg1.lines.category[1]", "Dentl"),
            |v, _| text(v, "ws7.pkg1.lines.category[1]", "Dental (Non-covered)"),
        ),
        case(
            "F022",
            DSNP,
            "ws1.general.snp_type",
            |v, _| text(v, "ws1.general.snp_type", "Dual"),
            |v, _| text(v, "ws1.general.snp_type", "dual-eligible"),
        ),
        case(
            "F022",
            HMO,
            "ws5.quality.new_low",
            |v, _| text(v, "ws5.quality.new_low", "New"),
            |v, _| {
                text(
                    v,
                    "ws5.quality.new_low",
                    "New contract under existing parent org",
                )
            },
        ),
        case(
            "F022",
            RPPO,
            "ws5.county_summary.use_isar",
            |v, _| text(v, "ws5.county_summary.use_isar", "Y"),
            |v, _| text(v, "ws5.county_summary.use_isar", "Yes"),
        ),
        case(
            "F022",
            HMO,
            "ws6.premium.plan_intention",
            |v, _| text(v, "ws6.premium.plan_intention", "LIPSA"),
            |v, _| text(v, "ws6.premium.plan_intention", LIPSA),
        ),
        // F023: every `required` field; a zero is entered as 0.
        case(
            "F023",
            HMO,
            "ws5.bid.risk_non_de",
            |v, _| blank(v, "ws5.bid.risk_non_de"),
            |v, _| num(v, "ws5.bid.risk_non_de", Decimal::ZERO),
        ),
        // M016-M020: the DE# rules (pricing considerations, Appendix G).
        case(
            // 12.5 % DE#: distinct non-DE# and DE# costs.
            "M016",
            HMO,
            "ws2.allowed.de_allowed[s]",
            |v, f| {
                for k in LINES {
                    let p = get(f, &format!("ws2.allowed.non_de_allowed[{k}]"));
                    num(v, &format!("ws2.allowed.de_allowed[{k}]"), p);
                }
            },
            |v, f| {
                for k in LINES {
                    let p = get(f, &format!("ws2.allowed.non_de_allowed[{k}]"));
                    num(v, &format!("ws2.allowed.de_allowed[{k}]"), p);
                }
                let q = get(f, "ws2.allowed.non_de_allowed[a]") + dec!(0.01);
                num(v, "ws2.allowed.de_allowed[a]", q);
            },
        ),
        case(
            // No DE# member months: p and q equal o.
            "M017",
            HMO,
            "ws2.allowed.de_allowed[a]",
            |v, f| {
                num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total"));
                equal_costs(v, f);
                num(v, "ws2.allowed.de_allowed[a]", Decimal::ZERO);
            },
            |v, f| {
                num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total"));
                equal_costs(v, f);
            },
        ),
        case(
            // Costs set equal: the non-DE# risk factor is the total's.
            "M018",
            DSNP,
            "ws5.bid.risk_non_de",
            |v, f| {
                let r = get(f, "ws5.bid.risk_total").round_dp(3) + dec!(0.001);
                num(v, "ws5.bid.risk_non_de", r);
            },
            |v, f| {
                let r = get(f, "ws5.bid.risk_total").round_dp(4);
                num(v, "ws5.bid.risk_non_de", r);
            },
        ),
        case(
            // Distinct costs: a distinct non-DE# risk factor.
            "M018",
            HMO,
            "ws5.bid.risk_non_de",
            |v, f| {
                let r = get(f, "ws5.bid.risk_total").round_dp(3);
                num(v, "ws5.bid.risk_non_de", r);
            },
            |v, f| {
                let r = get(f, "ws5.bid.risk_total").round_dp(3) + dec!(0.001);
                num(v, "ws5.bid.risk_non_de", r);
            },
        ),
        case(
            "M019",
            HMO,
            "ws4.de.medicaid_cs[c]",
            |v, _| blank(v, "ws4.de.medicaid_cs[c]"),
            |v, _| num(v, "ws4.de.medicaid_cs[c]", Decimal::ZERO),
        ),
        case(
            "M020",
            HMO,
            "ws5.bid.mm_non_de",
            |v, f| {
                num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total"));
                equal_costs(v, f);
            },
            |v, f| num(v, "ws5.bid.mm_non_de", get(f, "ws5.bid.mm_total") - dec!(1)),
        ),
        after(
            "V005",
            HMO,
            "",
            |v, _| blank_calculated(v, 0),
            // One cached value is enough to show it was recalculated.
            |v, _| blank_calculated(v, 1),
        ),
        // ---------------------------------------------------------------- D
        case(
            "D001",
            HMO,
            "ws1.base_period.description",
            |v, _| blank(v, "ws1.base_period.description"),
            |v, _| text(v, "ws1.base_period.description", "No change."),
        ),
        case(
            // A new plan has no base period to describe.
            "D001",
            MANUAL,
            "ws1.base_period.description",
            |v, _| {
                blank(v, "ws1.base_period.description");
                num(v, "ws1.base_period.mm_total", dec!(1));
                num(v, "ws1.base_period.mm_non_de", dec!(1));
            },
            |v, _| blank(v, "ws1.base_period.description"),
        ),
        case(
            "D002",
            HMO,
            "ws1.description.adjustments",
            |v, _| num(v, "ws1.projection.other_cost[i]", dec!(0.985)),
            |v, _| {
                num(v, "ws1.projection.other_cost[i]", dec!(0.985));
                text(
                    v,
                    "ws1.description.adjustments",
                    "Line i: 1.5 % lower professional fees under the 2013 contracts.",
                );
            },
        ),
        case(
            "D002",
            HMO,
            "ws1.description.adjustments",
            |v, _| num(v, "ws1.projection.additive_pmpm[k]", dec!(0.25)),
            |v, _| num(v, "ws1.projection.additive_pmpm[k]", Decimal::ZERO),
        ),
        case(
            "D003",
            MANUAL,
            "ws2.manual.description",
            |v, _| blank(v, "ws2.manual.description"),
            |v, _| text(v, "ws2.manual.description", "Manual rate: HMO book."),
        ),
        case(
            // One line below 100 % is enough.
            "D003",
            HMO,
            "ws2.manual.description",
            |v, _| {
                num(v, "ws2.allowed.man_allowed[p]", dec!(1.5));
                num(v, "ws2.allowed.credibility[p]", dec!(0.99));
            },
            |v, _| num(v, "ws2.allowed.credibility[p]", dec!(1)),
        ),
        case(
            "D004",
            POS,
            "ws3.cost_sharing.oon_desc[a1]",
            |v, _| blank(v, "ws3.cost_sharing.oon_desc[a1]"),
            // No OON cost sharing, and inpatient not covered out-of-network.
            |v, _| {
                blank(v, "ws3.cost_sharing.oon_desc[a1]");
                num(v, "ws3.cost_sharing.oon_pmpm[a1]", Decimal::ZERO);
                num(v, "ws2.allowed.oon_pct[a]", Decimal::ZERO);
            },
        )
        .exact(&["ws3.cost_sharing.oon_desc[a1]: out-of-network cost sharing of 0.23 PMPM is not described"]),
        // $0 OON cost sharing on a line in use of a category covered
        // out-of-network is still described.
        case(
            "D004",
            POS,
            "ws3.cost_sharing.oon_desc[a1]",
            |v, _| {
                blank(v, "ws3.cost_sharing.oon_desc[a1]");
                num(v, "ws3.cost_sharing.oon_pmpm[a1]", Decimal::ZERO);
            },
            |v, _| {
                text(v, "ws3.cost_sharing.oon_desc[a1]", "$0.00");
                num(v, "ws3.cost_sharing.oon_pmpm[a1]", Decimal::ZERO);
            },
        )
        .exact(&["ws3.cost_sharing.oon_desc[a1]: line a1 (Inpatient Facility) is in use and the plan covers Inpatient Facility out-of-network: describe its out-of-network cost sharing, $0.00 if there is none"]),
        // A category covered out-of-network with no line in use is
        // described once; one not covered out-of-network needs nothing.
        case(
            "D004",
            POS,
            "ws3.cost_sharing.oon_desc[c1]",
            |v, _| blank(v, "ws3.cost_sharing.oon_desc[c1]"),
            |v, _| {
                blank(v, "ws3.cost_sharing.oon_desc[c1]");
                num(v, "ws2.allowed.oon_pct[c]", Decimal::ZERO);
            },
        )
        .exact(&["ws3.cost_sharing.oon_desc[c1]: Home Health is priced on WS2 (6% of its services out-of-network) but no WS3 line describes its out-of-network cost sharing; enter $0.00 or 0% if there is none"]),
        // An HMO covers nothing out-of-network: no OON descriptions.
        case(
            "D004",
            HMO,
            "ws3.cost_sharing.oon_desc[c1]",
            |v, _| num(v, "ws2.allowed.oon_pct[c]", dec!(0.0001)),
            |v, _| num(v, "ws2.allowed.oon_pct[c]", Decimal::ZERO),
        )
        .exact(&["ws3.cost_sharing.oon_desc[c1]: Home Health is priced on WS2 (0.01% of its services out-of-network) but no WS3 line describes its out-of-network cost sharing; enter $0.00 or 0% if there is none"]),
        case(
            "D007",
            HMO,
            "ws3.oop.description",
            |v, _| blank(v, "ws3.oop.description"),
            // No plan-level OOP maximum: nothing to describe.
            |v, _| {
                blank(v, "ws3.oop.description");
                text(v, "ws3.oop.in_network", "No");
                blank(v, "ws3.oop.in_network_amount");
            },
        )
        .exact(&["ws3.oop.description: the methodology for maximum cost sharing is not described, though `In-Network – Is there a plan-level in-network OOP maximum?` is Yes"]),
        case(
            "D008",
            HMO,
            "ws3.cost_sharing.in_desc[c1]",
            |v, _| blank(v, "ws3.cost_sharing.in_desc[c1]"),
            // Home health not priced: nothing to describe.
            |v, _| {
                blank(v, "ws3.cost_sharing.in_desc[c1]");
                num(v, "ws1.base.allowed_pmpm[c]", Decimal::ZERO);
                num(v, "ws1.base.net_pmpm[c]", Decimal::ZERO);
            },
        )
        .exact(&["ws3.cost_sharing.in_desc[c1]: Home Health is priced on WS2 (24.08 allowed PMPM) but no WS3 line describes its in-network cost sharing; enter $0.00 or 0% if there is none"]),
        case(
            "D008",
            HMO,
            "ws3.cost_sharing.in_desc[i3]",
            // A line in use is described, even when its category is
            // described on another line.
            |v, _| text(v, "ws3.cost_sharing.unit[i3]", "V"),
            // An unused line of a category described elsewhere (Option C).
            |v, _| blank(v, "ws3.cost_sharing.in_desc[i3]"),
        )
        .exact(&["ws3.cost_sharing.in_desc[i3]: line i3 (Professional) has entries but no in-network description; enter $0.00 or 0% if there is no cost sharing"]),
        case(
            "D005",
            OSB,
            "ws7.pkg1.description",
            |v, _| blank(v, "ws7.pkg1.description"),
            |v, _| text(v, "ws7.pkg1.description", "Dental"),
        ),
        case(
            "D005",
            OSB,
            "ws7.pkg4.description",
            |v, _| num(v, "ws7.pkg4.nbe", dec!(0.05)),
            |v, _| num(v, "ws7.pkg4.nbe", dec!(0.04)),
        ),
        case(
            "D006",
            HMO,
            "ws3.footnote.in_deductible",
            |v, _| {
                num(v, "ws3.cost_sharing.in_deductible[a1]", dec!(0.01));
                blank(v, "ws3.footnote.in_deductible");
            },
            |v, _| {
                num(v, "ws3.cost_sharing.in_deductible[a1]", Decimal::ZERO);
                blank(v, "ws3.footnote.in_deductible");
            },
        ),
    ]
}

fn layout() -> &'static Layout {
    template::builtin_cached("ma-bpt-2013").expect("the MA template resolves")
}

/// A sample's entered values and its complete values.
struct Base {
    inputs: Values,
    full: Values,
}

fn base(name: &str) -> Base {
    let l = layout();
    let p = sample::profile(name).unwrap_or_else(|| panic!("no sample `{name}`"));
    let full = sample::generate(&p, l);
    let inputs = l.entered_values(&full);
    Base { inputs, full }
}

/// The findings of the workbook made from `base` by `edit`.
fn findings(b: &Base, stage: Stage, edit: Edit) -> Result<Vec<Finding>, String> {
    let l = layout();
    let mut inputs = b.inputs.clone();
    if stage == Stage::Inputs {
        edit(&mut inputs, &b.full);
    }
    let mut all = sample::finish(l, inputs);
    if stage == Stage::After {
        edit(&mut all, &b.full);
    }
    let bytes = write_form(l, &all, &WriteOptions::default()).map_err(|e| format!("write: {e}"))?;
    let bid = read_bid_bytes("case.xlsx", &bytes).map_err(|e| format!("read back: {e}"))?;
    Ok(validate_bid(
        &bid,
        &ValidateOptions {
            selection: Selection::default(),
            tolerance: DEFAULT_TOLERANCE,
        },
    ))
}

fn show(fs: &[&Finding]) -> String {
    fs.iter()
        .map(|f| format!("{} {} ({}): {}", f.rule, f.field, f.found, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks one case: what went wrong, if anything.
fn check(c: &Case, b: &Base) -> Vec<String> {
    let mut problems = Vec::new();
    let what = format!("{} on {} (expected at `{}`)", c.rule, c.base, c.at);
    match findings(b, c.stage, c.fail) {
        Err(e) => problems.push(format!("{what}: failing workbook: {e}")),
        Ok(found) => {
            let hits: Vec<&Finding> = found.iter().filter(|f| f.rule == c.rule).collect();
            if hits.is_empty() {
                let all: Vec<&Finding> = found.iter().collect();
                problems.push(format!(
                    "{what}: the failing workbook has no {} finding; it has: {}",
                    c.rule,
                    show(&all)
                ));
            } else if !c.at.is_empty() && !hits.iter().any(|f| f.field == c.at) {
                problems.push(format!(
                    "{what}: the failing workbook's {} findings are elsewhere: {}",
                    c.rule,
                    show(&hits)
                ));
            }
            if !c.exact.is_empty() {
                let got: Vec<String> = hits
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                if got != c.exact {
                    problems.push(format!(
                        "{what}: the failing workbook's {} findings are\n  {}\nnot\n  {}",
                        c.rule,
                        got.join("\n  "),
                        c.exact.join("\n  ")
                    ));
                }
            }
        }
    }
    match findings(b, c.stage, c.pass) {
        Err(e) => problems.push(format!("{what}: passing workbook: {e}")),
        Ok(found) => {
            let hits: Vec<&Finding> = found.iter().filter(|f| f.rule == c.rule).collect();
            if !hits.is_empty() {
                problems.push(format!(
                    "{what}: the passing workbook is flagged: {}",
                    show(&hits)
                ));
            }
        }
    }
    problems
}

/// The rules of the MA form families, as the registry lists them.
fn ma_rules() -> Vec<&'static str> {
    rules::registry()
        .iter()
        .map(|r| r.id)
        .filter(|id| "FCRMAPVD".contains(&id[..1]))
        .collect()
}

#[test]
fn every_ma_rule_has_a_case() {
    let table = cases();
    let covered: Vec<&str> = table.iter().map(|c| c.rule).collect();
    let missing: Vec<&str> = ma_rules()
        .into_iter()
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "rules without a case: {missing:?}");
    let unknown: Vec<&str> = covered
        .iter()
        .copied()
        .filter(|id| rules::rule(id).is_none())
        .collect();
    assert!(unknown.is_empty(), "cases of unknown rules: {unknown:?}");
}

#[test]
fn each_rule_has_a_failing_and_a_passing_workbook() {
    let table = cases();
    // Which cases to run: `RULES_EACH=F001,M010` runs only those rules.
    let only: Vec<String> = std::env::var("RULES_EACH")
        .map(|s| s.split(',').map(|x| x.trim().to_uppercase()).collect())
        .unwrap_or_default();
    let table: Vec<&Case> = table
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| o == c.rule))
        .collect();
    let mut bases: BTreeMap<&str, Base> = BTreeMap::new();
    for c in &table {
        bases.entry(c.base).or_insert_with(|| base(c.base));
    }
    // The samples themselves raise nothing, so each finding comes from its edit.
    for (name, b) in &bases {
        let found = findings(b, Stage::Inputs, |_, _| {}).expect("the sample round-trips");
        assert!(found.is_empty(), "{name}: {:#?}", found);
    }
    let problems: Vec<String> = std::thread::scope(|s| {
        let half = table.len().div_ceil(2);
        let handles: Vec<_> = table
            .chunks(half.max(1))
            .map(|chunk| {
                let bases = &bases;
                s.spawn(move || {
                    chunk
                        .iter()
                        .flat_map(|c| check(c, &bases[c.base]))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a case panicked"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} of {} cases failed:\n{}",
        problems.len(),
        table.len(),
        problems.join("\n")
    );
}
