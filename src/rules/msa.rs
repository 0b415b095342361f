//! Rule family H: the MSA BPT (CMS instructions Appendix H, lines
//! 3673–3789).
//!
//! These rules run only on forms of the `msa` family (together with the
//! V family); the MA families F, C, R, M, A, P and D never run on an MSA bid,
//! and this family never runs on an MA bid. Field ids are those of
//! `docs/msa-field-ids.md`.
use super::{Ctx, Finding, Rule, Severity, money, show};
use crate::template::{Kind, Role};
use crate::value::Value;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The CY2013 maximum MSA deductible (Appendix H line 3699).
pub const MAX_DEDUCTIBLE: Decimal = dec!(10600);

/// How far column e may sum from 100 % (0.0001 %).
const PCT_TOLERANCE: Decimal = dec!(0.000001);

/// How far the total of column f may be from WS2 column o (half a cent).
const CLAIMS_TOLERANCE: Decimal = dec!(0.005);

/// Ids that have their own rule and are skipped by the generic H013/H014.
const OWN_RULE: &[&str] = &[
    "msa.ws1.general.plan_type",
    "msa.ws1.general.deductible",
    "msa.ws1.general.enrollee_type",
    "msa.ws4.summary.nbe",
    "msa.ws4.summary.margin",
];

/// A fraction as a percentage, without overflowing on hostile values.
fn pct(d: Decimal) -> String {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(x) => format!("{}%", show(x)),
        None => format!("{} (as a fraction)", show(d)),
    }
}

/// `|a − b|`, saturating.
fn gap(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_sub(b).abs()
}

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "H001",
        name: "msa-plan-type",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 1, Section I, line 7 (p. 123)",
        doc: "**What it checks.** The plan type on MSA Worksheet 1, Section I line 7 is \
`MSA`.\n\n\
**Why.** \"Line 7 – Plan Type: Enter MSA.\" The MSA bid form prices only Medical \
Savings Account plans; any other plan type belongs on the MA BPT.\n\n\
**Example.** {msa.ws1.general.plan_type} holds `LPPO`: found `LPPO`, expected `MSA`.",
        blocks_finalize: false,
    },
    Rule {
        id: "H002",
        name: "msa-deductible-maximum",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 1, Section I, line 8 (p. 123)",
        doc: "**What it checks.** The deductible on MSA Worksheet 1, Section I line 8 is \
entered, greater than zero, and at most $10,600.\n\n\
**Why.** \"Enter the deductible amount that each beneficiary will pay for \
Medicare-covered benefits. The maximum deductible for CY2013 for MSA plans is \
$10,600.\" An MSA is a high-deductible plan: without a deductible there is \
nothing for the enrollee deposit to fund, and WS4 column g (claims over the \
deductible) cannot be checked.\n\n\
**Example.** {msa.ws1.general.deductible} holds 11,000: found 11000.00, expected at most 10600.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "H003",
        name: "msa-enrollee-type",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 1, Section I, line 9 (p. 123)",
        doc: "**What it checks.** The enrollee type on MSA Worksheet 1, Section I line 9 \
is `A/B`.\n\n\
**Why.** \"This cell is pre-populated with “A/B”.\" MSA plans enrol only \
beneficiaries entitled to Part A and enrolled in Part B; a different value means \
the pre-populated cell was overwritten.\n\n\
**Example.** {msa.ws1.general.enrollee_type} holds `PART B ONLY`: found `PART B ONLY`, expected `A/B`.",
        blocks_finalize: false,
    },
    Rule {
        id: "H004",
        name: "msa-nbe-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section III, line b (pp. 124–125)",
        doc: "**What it checks.** The non-benefit expenses PMPM on MSA Worksheet 4, \
Section III line b is not blank.\n\n\
**Why.** \"Do not leave a field blank to indicate a zero amount. If zero is the \
intended value, enter a 0 in the cell.\" A blank cell counts as zero in the \
revenue requirement (line d) and the enrollee deposit (line f), but a reviewer \
cannot tell an intended zero from a forgotten entry.\n\n\
**Example.** {msa.ws4.summary.nbe} is blank: enter the non-benefit expense PMPM, or 0.",
        blocks_finalize: false,
    },
    Rule {
        id: "H005",
        name: "msa-margin-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section III, line c (pp. 124–125)",
        doc: "**What it checks.** The gain/loss margin PMPM on MSA Worksheet 4, \
Section III line c is not blank.\n\n\
**Why.** \"Do not leave a field blank to indicate a zero amount. If zero is the \
intended value, enter a 0 in the cell.\" The margin enters the revenue \
requirement and so the enrollee deposit; a blank is read as zero.\n\n\
**Example.** {msa.ws4.summary.margin} is blank: enter the gain/loss margin PMPM, or 0.",
        blocks_finalize: false,
    },
    Rule {
        id: "H006",
        name: "claim-interval-percent-sum",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, column e (pp. 124–125)",
        doc: "**What it checks.** Column e of MSA Worksheet 4, Section II (percentage \
of member months by claim interval) sums to 100 % (within 0.0001 %).\n\n\
**Why.** \"Allocate the total projected member months to the highest claim \
interval expected by percentage … The sum of column e must equal 100 percent.\" \
Each member month is counted once, in the highest interval of claims expected; \
a total other than 100 % loses or double-counts members and misstates gross \
claims (column f) and the plan's medical expense.\n\n\
**Example.** 20 % in the $11,000–$11,999 interval and 10 % in $4,000–$4,999 \
but nothing else: found 30%, expected 100%.",
        blocks_finalize: false,
    },
    Rule {
        id: "H007",
        name: "claim-interval-percent-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, column e (pp. 124–125)",
        doc: "**What it checks.** Every percentage of member months in column e of MSA \
Worksheet 4, Section II is between 0 % and 100 %.\n\n\
**Why.** Column e allocates the plan's member months across the claim \
intervals; a negative share, or one above 100 %, is not an allocation and \
offsets other intervals in the 100 % total (H006).\n\n\
**Example.** {msa.ws4.claims.pct_mm[5]} holds −5 %: found -5%, expected 0%–100%.",
        blocks_finalize: false,
    },
    Rule {
        id: "H008",
        name: "gross-claims-match-ws2",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, column f; MSA Worksheet 2, Section II, column o (pp. 123, 124–125)",
        doc: "**What it checks.** The total of column f of MSA Worksheet 4, Section II \
(gross claims PMPM, average claim × share of member months ÷ 12, summed over \
the intervals) equals the total Medicare-covered projected allowed cost on MSA \
Worksheet 2, column o line s, to the cent.\n\n\
**Why.** \"The sum of column f must equal the total Medicare-covered medical \
expenses shown in column o of Worksheet 2.\" The claim-interval distribution is \
the same projected cost seen per member; if the two disagree, the claims over \
the deductible (and so the plan's revenue requirement and the enrollee deposit) \
do not rest on the projection of WS2.\n\n\
**Example.** Column f totals 742.18 while {msa.ws2.allowed.blend_allowed[s]} shows 751.06: found 742.18, \
expected 751.06.",
        blocks_finalize: false,
    },
    Rule {
        id: "H009",
        name: "claims-over-deductible-entry",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, column g (pp. 124–125)",
        doc: "**What it checks.** Column g of MSA Worksheet 4, Section II (gross claims \
over the deductible PMPM) is entered on every interval with member months, and \
is zero on every interval that lies wholly below the WS1 deductible (its upper \
bound at or below the deductible).\n\n\
**Why.** \"Enter the total allowed Medicare-covered claims on a PMPM basis over \
the deductible for each claim interval expected to be paid by the MSA plan. \
Enter zero (0) for claim intervals below the deductible.\" Members whose annual \
claims stay below the deductible pay them all themselves (from the MSA \
account); the plan pays nothing for them.\n\n\
**Example.** Deductible $5,000; the $3,000–$3,999 interval shows 2.15 in column \
g: found 2.15, expected 0.",
        blocks_finalize: false,
    },
    Rule {
        id: "H010",
        name: "claims-over-deductible-exceed-gross",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, columns f and g (pp. 124–125)",
        doc: "**What it checks.** On each claim interval, the gross claims over the \
deductible (column g) are not more than the gross claims of the interval \
(column f).\n\n\
**Why.** Column g is the part of the interval's allowed Medicare-covered \
claims above the deductible — a part of column f. A larger value overstates \
the plan's medical expense (line a) and understates the enrollee deposit.\n\n\
**Example.** The $11,000–$11,999 interval: column f 191.67, column g 205.00: \
found 205.00, expected at most 191.67.",
        blocks_finalize: false,
    },
    Rule {
        id: "H011",
        name: "average-claim-outside-interval",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section II, columns c and d (pp. 124–125)",
        doc: "**What it checks.** On each claim interval that holds member months, the \
annual average claim amount (column d) lies within the interval's pre-populated \
bounds (column c: from the lower bound up to, not including, the next \
interval's).\n\n\
**Why.** Column d is \"the annual average claim amount paid in each claim \
interval\"; members are placed in the interval their annual claims fall in. An \
average outside the interval means the member months were put in the wrong row, \
which misstates the claims over the deductible.\n\n\
**Example.** The $4,000–$4,999 interval with an average claim of $11,500: found \
11500.00, expected 4000.00–4999.99.",
        blocks_finalize: false,
    },
    Rule {
        id: "H012",
        name: "enrollee-deposit-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 4, Section III, lines d–f (pp. 124–125)",
        doc: "**What it checks.** The projected monthly enrollee deposit (MSA Worksheet \
4, Section III line f = projected plan benchmark − total plan revenue \
requirement) is not negative.\n\n\
**Why.** The deposit is what Medicare pays into the enrollee's medical savings \
account: the benchmark less what the plan needs for the claims over the \
deductible, its non-benefit expenses and its margin. A negative deposit means \
the plan's revenue requirement exceeds the benchmark — an MSA cannot charge a \
premium for its Medicare-covered benefits, so the bid does not work.\n\n\
**Example.** Benchmark 812.40, revenue requirement 830.15: found -17.75, \
expected at least 0.",
        blocks_finalize: false,
    },
    Rule {
        id: "H013",
        name: "msa-required-field",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I (p. 36) as Appendix H applies it (p. 123); MSA Worksheet 4, Section II (pp. 124–125)",
        doc: "**What it checks.** The fields the MSA form requires are entered: the WS1 \
Section I identification (contract number, plan ID, segment ID, organization \
and plan names), and on each WS4 claim interval that holds member months the \
annual average claim amount (column d).\n\n\
**Why.** The MA instructions, which Appendix H follows for everything it does \
not change, require the plan's identification on WS1; the gross claims of an \
interval (column f) are average claim × member-month share, so a blank average \
claim silently drops the interval's claims.\n\n\
**Example.** {msa.ws1.general.organization_name} (organization name) is blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "H014",
        name: "msa-field-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, the field definitions as Appendix H applies them (pp. 36, 45, 67, 77)",
        doc: "**What it checks.** Every entered field of the MSA form holds what it is \
for: a code matches its pattern (contract `H1234`, plan ID `001`, county code \
`36061`), a choice is one of its listed values (utilization types, OSB units), \
and a number lies within the form's range (member months, risk factors and \
utilization not negative; credibility between 0 % and 100 %).\n\n\
**Why.** HPMS validates the uploaded values, and the form's formulas read a \
wrong code or an out-of-range number as if it were right.\n\n\
**Example.** {msa.ws2.allowed.credibility[a]} (inpatient credibility) holds 1.2: found 120%, expected \
0%–100%.",
        blocks_finalize: false,
    },
    Rule {
        id: "H015",
        name: "msa-service-area-empty",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix H, MSA Worksheet 3 (pp. 123–124); Worksheet 5, Section VI (p. 67)",
        doc: "**What it checks.** MSA Worksheet 3, Section III lists at least one county \
with projected member months, and every county row with member months has a \
county code.\n\n\
**Why.** The projected plan benchmark (WS4 line e) and the standardized \
benchmark (line h) are the member-month-weighted averages of the service area's \
ratebook; with no counties they are zero and the enrollee deposit is negative. \
A row without a code has no ratebook rate and carries no risk-adjusted rate.\n\n\
**Example.** WS3 row 17 has 12,000 member months but no county code.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    general(ctx, out);
    summary(ctx, out);
    claims(ctx, out);
    service_area(ctx, out);
    formats(ctx, out);
}

/// H001–H003.
fn general(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("H001–H003");
    let id = "msa.ws1.general.plan_type";
    let t = ctx.text(id);
    if !t.eq_ignore_ascii_case("MSA") {
        let found = if t.is_empty() { "(blank)".into() } else { t };
        out.push(ctx.finding(
            "H001",
            id,
            "The plan type of an MSA bid must be MSA",
            found,
            "MSA",
        ));
    }
    let id = "msa.ws1.general.deductible";
    match ctx.eff(id) {
        Value::Invalid(_) => {} // V002 reports it.
        v => match v.as_num() {
            None => out.push(ctx.finding(
                "H002",
                id,
                "The MSA deductible is blank",
                "(blank)",
                format!("more than 0, at most {}", money(MAX_DEDUCTIBLE)),
            )),
            Some(d) if d > MAX_DEDUCTIBLE => out.push(ctx.finding(
                "H002",
                id,
                format!(
                    "The deductible {} is above the CY2013 MSA maximum of {}",
                    money(d),
                    money(MAX_DEDUCTIBLE)
                ),
                money(d),
                format!("at most {}", money(MAX_DEDUCTIBLE)),
            )),
            Some(d) if d <= Decimal::ZERO => out.push(ctx.finding(
                "H002",
                id,
                "An MSA plan must have a deductible greater than zero",
                money(d),
                format!("more than 0, at most {}", money(MAX_DEDUCTIBLE)),
            )),
            Some(_) => {}
        },
    }
    let id = "msa.ws1.general.enrollee_type";
    let t = ctx.text(id);
    if t != "A/B" {
        let found = if t.is_empty() { "(blank)".into() } else { t };
        out.push(ctx.finding(
            "H003",
            id,
            "The enrollee type of an MSA plan is pre-populated with A/B",
            found,
            "A/B",
        ));
    }
}

/// H004, H005, H012.
fn summary(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("H004/H005/H012");
    for (rule, id, what) in [
        ("H004", "msa.ws4.summary.nbe", "Non-benefit expenses"),
        ("H005", "msa.ws4.summary.margin", "The gain/loss margin"),
    ] {
        if ctx.is_blank(id) {
            out.push(ctx.finding(
                rule,
                id,
                format!("{what} (WS4 Sec III) must not be left blank to mean zero: enter 0"),
                "(blank)",
                "a number (0 if zero is intended)",
            ));
        }
    }
    let id = "msa.ws4.summary.enrollee_deposit";
    if let Some(d) = ctx.num(id)
        && d < Decimal::ZERO
    {
        out.push(ctx.finding(
            "H012",
            id,
            format!(
                "The revenue requirement {} exceeds the projected plan benchmark {}: the enrollee deposit is negative",
                money(ctx.num0("msa.ws4.summary.revenue_requirement")),
                money(ctx.num0("msa.ws4.summary.plan_benchmark"))
            ),
            money(d),
            "at least 0.00",
        ));
    }
}

/// H006–H011 and the claim-interval part of H013.
fn claims(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("H006–H011/H013");
    let rows = ctx.rows("msa.ws4.claims");
    let deductible = ctx.num("msa.ws1.general.deductible");
    let mut pct_sum = Decimal::ZERO;
    let mut any = false;
    for k in &rows {
        let id = |c: &str| format!("msa.ws4.claims.{c}[{k}]");
        let pct_id = id("pct_mm");
        let p = ctx.num(&pct_id);
        if let Some(p) = p {
            any = true;
            pct_sum = pct_sum.saturating_add(p);
            if p < Decimal::ZERO || p > Decimal::ONE {
                out.push(ctx.finding(
                    "H007",
                    &pct_id,
                    format!(
                        "The share of member months {} is not between 0% and 100%",
                        pct(p)
                    ),
                    pct(p),
                    "0%–100%",
                ));
            }
        }
        let holds = p.is_some_and(|p| !p.is_zero());
        let avg_id = id("avg_claim");
        let over_id = id("over_deductible");
        if holds && ctx.is_blank(&avg_id) {
            out.push(ctx.finding(
                "H013",
                &avg_id,
                "The interval holds member months but no annual average claim amount",
                "(blank)",
                "the annual average claim amount",
            ));
        }
        let over = ctx.num(&over_id);
        if holds && ctx.is_blank(&over_id) {
            out.push(ctx.finding(
                "H009",
                &over_id,
                "The interval holds member months but column g is blank: enter the claims over the deductible, or 0",
                "(blank)",
                "a number (0 below the deductible)",
            ));
        }
        let to = ctx.num(&id("to"));
        if let (Some(ded), Some(to), Some(g)) = (deductible, to, over)
            && to <= ded
            && !g.is_zero()
        {
            out.push(ctx.finding(
                "H009",
                &over_id,
                format!(
                    "The interval lies below the deductible of {}: its claims over the deductible must be 0",
                    money(ded)
                ),
                money(g),
                "0.00",
            ));
        }
        let gross = ctx.num0(&id("gross"));
        if let Some(g) = over
            && g > gross.saturating_add(CLAIMS_TOLERANCE)
        {
            out.push(ctx.finding(
                "H010",
                &over_id,
                format!(
                    "Claims over the deductible {} exceed the interval's gross claims {}",
                    money(g),
                    money(gross)
                ),
                money(g),
                format!("at most {}", money(gross)),
            ));
        }
        if holds && let Some(avg) = ctx.num(&avg_id) {
            let from = ctx.num0(&id("from"));
            let outside = avg < from || to.is_some_and(|t| avg >= t);
            if outside {
                let range = match to {
                    Some(t) => format!("{}–{}", money(from), money(t.saturating_sub(dec!(0.01)))),
                    None => format!("at least {}", money(from)),
                };
                out.push(ctx.finding(
                    "H011",
                    &avg_id,
                    format!(
                        "The average claim {} is outside the interval {range}",
                        money(avg)
                    ),
                    money(avg),
                    range,
                ));
            }
        }
    }
    let anchor = "msa.ws4.claims.pct_mm[total]";
    if gap(pct_sum, Decimal::ONE) > PCT_TOLERANCE {
        let msg = if any {
            format!("Column e sums to {}, not 100%", pct(pct_sum))
        } else {
            "Column e is empty: allocate the member months to the claim intervals".to_string()
        };
        out.push(ctx.finding("H006", anchor, msg, pct(pct_sum), "100%"));
    }
    let gross_total = ctx.num0("msa.ws4.claims.gross[total]");
    let ws2_total = ctx.num0("msa.ws2.allowed.blend_allowed[s]");
    if gap(gross_total, ws2_total) > CLAIMS_TOLERANCE {
        out.push(ctx.finding(
            "H008",
            "msa.ws4.claims.gross[total]",
            format!(
                "Gross claims PMPM total {} but WS2 column o shows {} Medicare-covered allowed PMPM",
                money(gross_total),
                money(ws2_total)
            ),
            money(gross_total),
            money(ws2_total),
        ));
    }
}

/// H015.
fn service_area(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("H015");
    // The county table (`[form.facts.rules] counties`).
    let Some(c) = &ctx.layout.facts.rules.counties else {
        return;
    };
    let mut with_mm = 0usize;
    for k in ctx.rows(&c.table) {
        let mm_id = c.cell(&c.member_months, &k);
        let has_mm = ctx.num(&mm_id).is_some_and(|m| !m.is_zero());
        if !has_mm {
            continue;
        }
        with_mm = with_mm.saturating_add(1);
        let code_id = c.cell(&c.code, &k);
        if ctx.is_blank(&code_id) {
            out.push(ctx.finding(
                "H015",
                &code_id,
                "The county row has projected member months but no county code",
                "(blank)",
                "a five-digit SSA county code",
            ));
        }
    }
    if with_mm == 0 {
        out.push(ctx.finding(
            "H015",
            "msa.ws3.summary.mm",
            "No county of the service area has projected member months: the benchmark is zero",
            "0",
            "at least one county with member months",
        ));
    }
}

/// H013 (required fields of the template) and H014 (patterns, choices,
/// ranges) for every entered field without a rule of its own.
fn formats(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("H013/H014");
    for f in &ctx.layout.fields {
        if f.role != Role::Input || OWN_RULE.contains(&f.id.as_str()) {
            continue;
        }
        if f.id.starts_with("msa.ws4.claims.pct_mm[") {
            continue; // H007
        }
        let v = ctx.value(&f.id);
        if ctx.is_blank(&f.id) {
            if f.required {
                out.push(ctx.finding(
                    "H013",
                    &f.id,
                    format!("{} is required", f.label),
                    "(blank)",
                    f.kind.expected(),
                ));
            }
            continue;
        }
        match v {
            Value::Text(s) => {
                let s = s.trim();
                if f.kind == Kind::Code
                    && let Some(p) = &f.pattern
                    && !p.is_match(s)
                {
                    out.push(ctx.finding(
                        "H014",
                        &f.id,
                        format!("{} `{s}` does not have the form's format", f.label),
                        s,
                        f.pattern_src.clone().unwrap_or_default(),
                    ));
                }
                if f.kind == Kind::Choice
                    && !f.choices.is_empty()
                    && !f.choices.iter().any(|c| c.eq_ignore_ascii_case(s))
                {
                    out.push(ctx.finding(
                        "H014",
                        &f.id,
                        format!("{} `{s}` is not one of the listed values", f.label),
                        s,
                        f.choices.join(", "),
                    ));
                }
            }
            Value::Number(d) => {
                let d = *d;
                let shown = |x: Decimal| {
                    if f.kind == Kind::Percent {
                        pct(x)
                    } else {
                        show(x)
                    }
                };
                let low = f.min.is_some_and(|m| d < m);
                let high = f.max.is_some_and(|m| d > m);
                if low || high {
                    let range = match (f.min, f.max) {
                        (Some(a), Some(b)) => format!("{}–{}", shown(a), shown(b)),
                        (Some(a), None) => format!("at least {}", shown(a)),
                        (None, Some(b)) => format!("at most {}", shown(b)),
                        (None, None) => String::new(),
                    };
                    out.push(ctx.finding(
                        "H014",
                        &f.id,
                        format!("{} {} is outside the form's range", f.label, shown(d)),
                        shown(d),
                        range,
                    ));
                }
                if f.kind == Kind::Code
                    && let Some(p) = &f.pattern
                {
                    let s = d.normalize().to_string();
                    if !p.is_match(&s) {
                        out.push(ctx.finding(
                            "H014",
                            &f.id,
                            format!(
                                "{} `{s}` does not have the form's format (enter it as text)",
                                f.label
                            ),
                            s,
                            f.pattern_src.clone().unwrap_or_default(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}
