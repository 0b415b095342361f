//! Rule family M: money rules (cost sharing versus allowed, DE# tolerances,
//! non-benefit expenses, benchmark and bid).
use super::{Ctx, Finding, Rule, Severity, money};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "M001",
        name: "base-cost-sharing-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section III, column e (p. 41)",
        doc: "**What it checks.** The base period cost sharing (WS1 column e = allowed \
PMPM i − net PMPM d) is not negative: net cost never exceeds allowed cost.\n\n**Why.** \
\"The values must be greater than or equal to zero.\"\n\n**Example.** Line i allowed \
$180.00, net $182.50: cost sharing −$2.50.",
        blocks_finalize: false,
    },
    Rule {
        id: "M002",
        name: "cob-cost-sharing-zero",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section III, column e, line r (p. 41)",
        doc: "**What it checks.** COB/subrogation (line r) has no cost sharing: its net \
PMPM equals its allowed PMPM.\n\n**Why.** \"Line r, COB, must equal zero.\" Recoveries \
outside the claim system carry no member cost sharing.\n\n**Example.** Line r allowed \
−$3.10 and net −$2.90.",
        blocks_finalize: false,
    },
    Rule {
        id: "M003",
        name: "projected-allowed-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, columns o, p, q and lines s, t (pp. 45, 46–48)",
        doc: "**What it checks.** Projected allowed PMPMs on WS2 — blended (column o), \
non-DE# (p) and DE# (q) — are not negative, except COB/subrogation (line r), and the \
totals (lines s and t) are not negative.\n\n**Why.** \"PMPM values in column o must be \
greater than or equal to zero, with the exception of line r (COB/Subrg.), which may be \
negative.\"\n\n**Example.** Line q (other non-covered) DE# allowed −$0.40.",
        blocks_finalize: false,
    },
    Rule {
        id: "M004",
        name: "cost-sharing-after-oop",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, columns i and j (pp. 52–56)",
        doc: "**What it checks.** On each WS3 line with an effective cost sharing after \
the OOP maximum (column j), the amount before it (column i) is entered too, and the \
amount after the deductible and OOP maximum is not above the amount before.\n\n**Why.** \
\"If a value is entered in column j, then a corresponding value must be entered in \
column i.\" The OOP maximum can only lower the effective cost sharing.\n\n**Example.** \
Line a1: $250 copay before OOP, $265 after.",
        blocks_finalize: false,
    },
    Rule {
        id: "M005",
        name: "net-medical-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IIA/IIB, column h and p (pp. 56, 57–63)",
        doc: "**What it checks.** On WS4, net PMPM (column h: allowed − cost sharing) is \
not negative, and the A/B mandatory supplemental additional benefits (column p) are \
not negative, on every line except COB (r).\n\n**Why.** \"Values must be greater than or \
equal to zero.\" A negative net means cost sharing above allowed costs: members would \
pay more than the service costs.\n\n**Example.** Non-DE# line f: allowed $14.20, cost \
sharing $15.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "M010",
        name: "de-total-tolerance",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, columns o, p, q (p. 45); Pricing Considerations, Dual-Eligible Beneficiaries (p. 16)",
        doc: "**What it checks.** The total allowed PMPM for all enrollees (WS2 line s, \
column o) is within $0.50 of the member-month weighted average of the non-DE# and DE# \
totals (columns p and q, weighted by the projected non-DE# and DE# member months).\n\n\
**Why.** \"The BPT will finalize only if the total PMPM for all enrollees is within \
$0.50 (50 cents) of the weighted average of the non-DE# and DE# PMPMs.\" This is a \
finalization blocker.\n\n**Example.** Total $812.40; non-DE# $790.00 on 9,000 member \
months and DE# $1,010.00 on 1,000: weighted $812.00, difference $0.40 — passes; at \
$813.00 the difference $1.00 is reported.",
        blocks_finalize: true,
    },
    Rule {
        id: "M011",
        name: "de-category-tolerance",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, columns o, p, q (p. 45)",
        doc: "**What it checks.** For each service category (WS2 lines a–r), the blended \
allowed PMPM (column o) is within $0.05 of the member-month weighted average of the \
non-DE# (p) and DE# (q) PMPMs.\n\n**Why.** \"For each service category, the PMPM value \
for the total population must be within $0.05 (5 cents) of the weighted average of \
the non-DE# and DE# PMPMs.\" The DE# split feeds WS4 Sec IIA/IIB.\n\n**Example.** Line i \
total $214.30 against a weighted $214.38: difference $0.08.",
        blocks_finalize: false,
    },
    Rule {
        id: "M012",
        name: "non-benefit-expense-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IIC, lines v1-v5 (pp. 57–63)",
        doc: "**What it checks.** Marketing & sales, direct administration and indirect \
administration (WS4 lines v1–v3) are entered and not negative, and total non-benefit \
expense (v5) is not negative. (Net cost of private reinsurance, v4, may be negative.)\n\n\
**Why.** \"Lines v1, v2, and v3 must be greater than or equal to zero.\" \"The value \
must be greater than or equal to zero.\"\n\n**Example.** Direct administration \
−$4.00 PMPM.",
        blocks_finalize: false,
    },
    Rule {
        id: "M013",
        name: "plan-benchmark-positive",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section II, line 6 (pp. 64–65)",
        doc: "**What it checks.** The plan benchmark (WS5 line 6 = standardized benchmark \
× conversion factor) is greater than zero.\n\n**Why.** \"The BPT finalization process \
will verify that this value must be greater than zero.\" A zero benchmark means no \
counties, no member months or no risk score.\n\n**Example.** Counties entered without \
member months: benchmark $0.00.",
        blocks_finalize: true,
    },
    Rule {
        id: "M014",
        name: "plan-bid-positive",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section II, line 7 (pp. 64–65)",
        doc: "**What it checks.** The plan A/B bid (WS5 line 7, WS4 line x column o \
rounded to cents) is greater than zero.\n\n**Why.** \"The BPT finalization process will \
verify that this value must be greater than zero.\"\n\n**Example.** WS4 left empty: \
plan bid $0.00.",
        blocks_finalize: true,
    },
    Rule {
        id: "M015",
        name: "margin-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IIC, line w (pp. 57–63); Pricing Considerations, Gain/Loss Margin (p. 20)",
        doc: "**What it checks.** The gain/loss margin (WS4 line w, column h) is entered \
(0 when the plan prices no margin), and for an 800-series (EGWP) plan it is \
positive.\n\n**Why.** The margin is a required pricing assumption reviewed against \
the organization's other plans; \"The margin for EGWPs must be positive.\"\n\n**Example.** \
An 800-series plan with a margin of −$5.00 PMPM.",
        blocks_finalize: false,
    },
    Rule {
        id: "M016",
        name: "de-costs-distinct",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Pricing Considerations, Dual-Eligible \
Beneficiaries, Worksheet 2 (p. 15); Appendix G – DE# Summary (pp. 120–122)",
        doc: "**What it checks.** When DE# projected member months are between 10 % and \
90 % (inclusive) of the total, WS2's non-DE# and DE# projected allowed costs \
(columns p and q) are distinct: their totals (line s) differ.\n\n**Why.** \"If DE# \
projected member months are between 10 percent and 90 percent inclusive of the total \
projected member months, then enter distinct DE# and non-DE# projected allowed costs \
(columns p and q).\" Only below 10 % or above 90 % may both equal the total.\n\n\
**Example.** 35 % DE# member months with columns p and q both $812.40 on line s.",
        blocks_finalize: false,
    },
    Rule {
        id: "M017",
        name: "de-costs-when-one-population-empty",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Pricing Considerations, Dual-Eligible \
Beneficiaries, Worksheet 2 (p. 16)",
        doc: "**What it checks.** When the projected member months of the DE# or of the \
non-DE# population are zero, WS2 columns p and q equal the total (column o) on every \
line, and neither is zero where the total is not.\n\n**Why.** \"If the projected member \
months for the DE# population or for the non-DE# population are equal to zero, then \
enter projected allowed costs for the non-DE# beneficiaries (column p) and for the DE# \
beneficiaries (column q) equal to the projected allowed costs for the total population \
(column o). Do not enter zero for these costs.\"\n\n**Example.** An 800-series plan with \
no DE# member months and WS2 line a column q 0.00 while column o is $310.25.",
        blocks_finalize: false,
    },
    Rule {
        id: "M018",
        name: "de-risk-consistent-with-costs",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Pricing Considerations, Dual-Eligible \
Beneficiaries, Worksheet 5 (p. 18); Appendix G – DE# Summary (pp. 120–122)",
        doc: "**What it checks.** WS5 Sec II line 4's non-DE# projected risk factor equals \
the total risk factor (line 3, to the 0.001 the form shows) when WS2's total, DE# and \
non-DE# projected allowed costs are all equal, and differs from it otherwise.\n\n\
**Why.** \"If the projected allowed costs in Worksheet 2 for the total, DE#, and \
non-DE# populations are all equal, the user must enter a projected risk factor for the \
non-DE# population equal to the projected risk factor for the total population\"; if \
they are not all equal, \"the user must enter a distinct non-DE# projected risk \
factor.\"\n\n**Example.** A D-SNP with 96 % DE# member months and equal costs whose \
non-DE# risk factor is 1.270 against a total of 1.306.",
        blocks_finalize: false,
    },
    Rule {
        id: "M019",
        name: "medicaid-cost-sharing-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Pricing Considerations, Dual-Eligible \
Beneficiaries, Worksheet 4 (p. 17)",
        doc: "**What it checks.** WS4 Sec IIB column k (Medicaid cost sharing of DE# \
beneficiaries) is entered on every service-category line, 0 where there is none.\n\n\
**Why.** \"Enter data in all cases. The cells must not be left blank.\"\n\n\
**Example.** WS4 line c (home health) column k blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "M020",
        name: "de-member-months-expected",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Pricing Considerations, Dual-Eligible \
Beneficiaries, Worksheet 5 (p. 18)",
        doc: "**What it checks.** A plan with DE# members in the base period (WS1 Sec II \
line 2) projects DE# member months (WS5 Sec II line 1).\n\n**Why.** \"CMS expects \
non-zero DE# projected member months when there are DE# members in the base period\"; \
zero is allowed only when every DE# member terminated, none is expected to enroll, and \
the certifying actuary explains why.\n\n**Example.** 1,200 DE# base member months and \
non-DE# projected member months equal to the total.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("M001–M005/M012–M015");
    dual_eligible(ctx, out);
    let zero = Decimal::ZERO;
    // The COB/subrogation line (`[form.facts.rules] cob_row`).
    let cob = ctx.layout.facts.rules.cob_row.as_deref();
    let is_cob = |k: &str| Some(k) == cob;
    for k in ctx.rows("ws1.base") {
        let id = format!("ws1.base.cost_sharing[{k}]");
        if ctx.field(&id).is_none() {
            continue;
        }
        let e = ctx.num0(&id);
        if is_cob(&k) {
            if !e.is_zero() {
                out.push(ctx.finding(
                    "M002",
                    &id,
                    "COB/subrogation has no cost sharing: net PMPM must equal allowed PMPM",
                    money(e),
                    "0.00",
                ));
            }
        } else if e < zero {
            out.push(ctx.finding(
                "M001",
                &id,
                format!("line {k}: net PMPM exceeds allowed PMPM"),
                money(e),
                "≥ 0.00",
            ));
        }
    }
    // WS2's three columns (`[form.facts.rules] de_blend`): every line,
    // the totals too.
    if let Some(b) = &ctx.layout.facts.rules.de_blend {
        let _listed = super::needs::at("");
        let keys = ctx.table(&b.table).map_or_else(Vec::new, |t| {
            t.row_keys()
                .chain(t.totals.iter().map(|r| r.0.as_str()))
                .map(str::to_string)
                .collect()
        });
        for k in keys {
            if is_cob(&k) {
                continue;
            }
            for col in [&b.total, &b.non_de, &b.de] {
                let id = format!("{}.{col}[{k}]", b.table);
                if let Some(d) = ctx.num(&id)
                    && d < zero
                {
                    out.push(ctx.finding(
                        "M003",
                        &id,
                        format!("line {k}: projected allowed PMPM is negative"),
                        money(d),
                        "≥ 0.00",
                    ));
                }
            }
        }
    }
    for k in ctx.rows("ws3.cost_sharing") {
        let (i, j) = (
            format!("ws3.cost_sharing.in_before_oop[{k}]"),
            format!("ws3.cost_sharing.in_after_oop[{k}]"),
        );
        if ctx.field(&j).is_none() {
            continue;
        }
        match (ctx.num(&i), ctx.num(&j)) {
            (None, Some(a)) if !ctx.is_blank(&j) => out.push(ctx.finding(
                "M004",
                &i,
                "an amount after the OOP maximum is entered, so the amount before it is required",
                "(blank)",
                format!("≥ {}", super::show(a)),
            )),
            (Some(b), Some(a)) if a > b => out.push(ctx.finding(
                "M004",
                &j,
                "effective cost sharing after the OOP maximum exceeds the amount before it",
                super::show(a),
                format!("≤ {}", super::show(b)),
            )),
            _ => {}
        }
    }
    // The service-category tables (`[form.facts.rules] cost_tables`).
    for (table, net_col) in &ctx.layout.facts.rules.cost_tables {
        for k in ctx.rows(table) {
            if is_cob(&k) {
                continue;
            }
            let net = format!("{table}.{net_col}[{k}]");
            for id in [net, format!("{table}.ms_additional[{k}]")] {
                if let Some(d) = ctx.num(&id)
                    && d < dec!(-0.005)
                {
                    out.push(ctx.finding(
                        "M005",
                        &id,
                        format!("line {k}: cost sharing exceeds allowed cost"),
                        money(d),
                        "≥ 0.00",
                    ));
                }
            }
        }
    }
    de_tolerance(ctx, out);
    let facts = &ctx.layout.facts.rules;
    let _listed = super::needs::at("");
    // The non-benefit expense lines (`[form.facts.rules] non_benefit_lines`).
    for (id, label) in &facts.non_benefit_lines {
        if ctx.field(id).is_none() {
            continue;
        }
        match ctx.num(id) {
            None if ctx.is_blank(id) => out.push(ctx.finding(
                "M012",
                id,
                format!("{label} is blank; enter 0 if there is no such expense"),
                "(blank)",
                "≥ 0.00",
            )),
            Some(d) if d < zero => out.push(ctx.finding(
                "M012",
                id,
                "non-benefit expense is negative",
                money(d),
                "≥ 0.00",
            )),
            _ => {}
        }
    }
    // The total (`non_benefit_total`).
    if let Some(id) = &facts.non_benefit_total
        && let Some(d) = ctx.num(id)
        && d < zero
    {
        out.push(ctx.finding(
            "M012",
            id,
            "total non-benefit expense is negative",
            money(d),
            "≥ 0.00",
        ));
    }
    // The plan benchmark and bid (`plan_benchmark`, `plan_bid`).
    let positive = [("M013", &facts.plan_benchmark), ("M014", &facts.plan_bid)];
    for (rule, (id, what)) in positive
        .into_iter()
        .filter_map(|(rule, f)| Some((rule, f.as_ref()?)))
    {
        if ctx.field(id).is_some() && ctx.num0(id) <= zero {
            out.push(ctx.finding(
                rule,
                id,
                format!("the {what} must be greater than zero to finalize"),
                money(ctx.num0(id)),
                "> 0.00",
            ));
        }
    }
    drop(_listed);
    let w = "ws4.margin.w_h";
    if ctx.field(w).is_some() {
        if ctx.is_blank(w) {
            out.push(ctx.finding(
                "M015",
                w,
                "the gain/loss margin is blank; enter 0 if none is priced",
                "(blank)",
                "a margin PMPM",
            ));
        } else if ctx.is_egwp() && ctx.num0(w) <= zero {
            out.push(ctx.finding(
                "M015",
                w,
                "an 800-series plan's gain/loss margin must be positive",
                money(ctx.num0(w)),
                "> 0.00",
            ));
        }
    }
}

/// M010/M011: WS2 column o against the MM-weighted average of p and q.
/// The table, its columns, the member months, the grand total's row and
/// the tolerances are the template's (`[form.facts.rules] de_blend`).
fn de_tolerance(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("");
    let Some(b) = &ctx.layout.facts.rules.de_blend else {
        return;
    };
    let mm_n = ctx.num0(&b.mm_non_de);
    let mm_d = ctx.num0(&b.mm_de);
    let Some(mm) = mm_n.checked_add(mm_d) else {
        return; // member months beyond ±7.9e28: R-family range findings say so
    };
    if mm <= Decimal::ZERO {
        return;
    }
    // `None` when a product leaves the range of exact decimals.
    let weighted = |p: Decimal, q: Decimal| {
        p.checked_mul(mm_n)?
            .checked_add(q.checked_mul(mm_d)?)?
            .checked_div(mm)
    };
    // Each service category (M011), then the grand total (M010); the
    // table's other totals are not checked.
    let lines = ctx
        .rows(&b.table)
        .into_iter()
        .map(|k| ("M011", k, b.line_tolerance));
    let grand = ("M010", b.grand_total.clone(), b.grand_total_tolerance);
    for (rule, k, limit) in lines.chain([grand]) {
        let o = format!("{}.{}[{k}]", b.table, b.total);
        if ctx.field(&o).is_none() {
            continue;
        }
        let total = ctx.num0(&o);
        let (p, q) = (
            ctx.num0(&format!("{}.{}[{k}]", b.table, b.non_de)),
            ctx.num0(&format!("{}.{}[{k}]", b.table, b.de)),
        );
        let Some(w) = weighted(p, q) else {
            out.push(ctx.finding(
                rule,
                &o,
                format!(
                    "line {k}: the DE#/non-DE# weighted average of {} and {} is beyond the range of exact decimals (±7.9e28), so total allowed {} cannot be checked against it",
                    money(p),
                    money(q),
                    money(total)
                ),
                money(total),
                "a weighted average within ±7.9e28",
            ));
            continue;
        };
        let diff = crate::diff::difference(total, w).map(|d| d.abs());
        if diff.is_none_or(|d| d > limit) {
            let diff = diff.map_or_else(|| "more than ±7.9e28".to_string(), money);
            out.push(ctx.finding(
                rule,
                &o,
                format!(
                    "line {k}: total allowed {} is {} from the DE#/non-DE# weighted average {} (limit {})",
                    money(total),
                    diff,
                    money(w),
                    money(limit)
                ),
                money(total),
                format!("{} ± {}", money(w), money(limit)),
            ));
        }
    }
}

/// Columns p and q equal column o (to the half cent the entries are rounded to).
const SAME_COST: Decimal = dec!(0.005);

/// Risk factors equal to the 0.001 the form shows.
const SAME_RISK: Decimal = dec!(0.0005);

fn near(a: Decimal, b: Decimal, tol: Decimal) -> bool {
    crate::diff::difference(a, b).is_some_and(|d| d.abs() <= tol)
}

/// M016–M020: the DE# rules of the pricing considerations and Appendix G.
pub(super) fn dual_eligible(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("M016–M020");
    let mm_t = ctx.num0("ws5.bid.mm_total");
    let mm_n = ctx.num0("ws5.bid.mm_non_de");
    let mm_d = ctx.num0("ws5.bid.mm_de");
    // M019: Medicaid cost sharing entered in all cases.
    for k in ctx.rows("ws4.de") {
        let id = format!("ws4.de.medicaid_cs[{k}]");
        if ctx.field(&id).is_some_and(|f| f.role.is_entered()) && ctx.is_blank(&id) {
            out.push(ctx.finding(
                "M019",
                &id,
                format!("line {k}: Medicaid cost sharing is blank; enter 0 if none"),
                "(blank)",
                "a dollar amount (0 if none)",
            ));
        }
    }
    // M020: DE# in the base period, none projected.
    let base_de = ctx.num0("ws1.base_period.mm_de");
    if base_de > Decimal::ZERO && mm_t > Decimal::ZERO && mm_d.is_zero() {
        out.push(ctx.finding(
            "M020",
            "ws5.bid.mm_non_de",
            format!(
                "the base period has {} DE# member months but none are projected (non-DE# member months equal the total); CMS expects DE# projected member months unless the actuary explains why",
                super::show(base_de)
            ),
            super::show(mm_n),
            format!("less than {}", super::show(mm_t)),
        ));
    }
    if mm_t <= Decimal::ZERO || mm_n < Decimal::ZERO || mm_d < Decimal::ZERO {
        return; // C001 and the ranges say what is wrong with the member months
    }
    // WS2's table and columns (`[form.facts.rules] de_blend`).
    let Some(b) = &ctx.layout.facts.rules.de_blend else {
        return; // none in the template: M016-M018 check nothing
    };
    let _listed = super::needs::at("");
    let (o_col, p_col, q_col) = (b.total.as_str(), b.non_de.as_str(), b.de.as_str());
    let id = |c: &str, k: &str| format!("{}.{c}[{k}]", b.table);
    let col = |c: &str, k: &str| ctx.num0(&id(c, k));
    let lines: Vec<String> = ctx
        .rows(&b.table)
        .into_iter()
        .filter(|k| ctx.field(&id(q_col, k)).is_some())
        .collect();
    let all_equal = lines.iter().all(|k| {
        let o = col(o_col, k);
        near(col(p_col, k), o, SAME_COST) && near(col(q_col, k), o, SAME_COST)
    });
    // M017: one population empty: p and q equal o, never zero.
    if mm_d.is_zero() || mm_n.is_zero() {
        for k in &lines {
            let o = col(o_col, k);
            for (c, who) in [(p_col, "non-DE#"), (q_col, "DE#")] {
                let x = col(c, k);
                if !near(x, o, SAME_COST) {
                    let why = if x.is_zero() {
                        " (do not enter zero)"
                    } else {
                        ""
                    };
                    out.push(ctx.finding(
                        "M017",
                        &id(c, k),
                        format!(
                            "line {k}: with no {} member months the {who} allowed cost must equal the total{why}",
                            if mm_d.is_zero() { "DE#" } else { "non-DE#" }
                        ),
                        money(x),
                        money(o),
                    ));
                }
            }
        }
        return;
    }
    // M016: 10 %–90 % DE#: distinct costs.
    let share = mm_d.checked_div(mm_t).unwrap_or(Decimal::ZERO);
    if (dec!(0.1)..=dec!(0.9)).contains(&share) {
        let s = &b.grand_total;
        let (p, q) = (col(p_col, s), col(q_col, s));
        if near(p, q, SAME_COST) {
            out.push(ctx.finding(
                "M016",
                &id(q_col, s),
                format!(
                    "DE# member months are {} of the total (10%-90%): enter distinct non-DE# and DE# allowed costs",
                    super::pct(share.round_dp(4))
                ),
                money(q),
                format!("different from the non-DE# {}", money(p)),
            ));
        }
    }
    drop(_listed);
    // M018: non-DE# risk equal to the total when the costs are set equal,
    // distinct otherwise.
    let rn = "ws5.bid.risk_non_de";
    let (Some(r_n), Some(r_t)) = (ctx.num(rn), ctx.num("ws5.bid.risk_total")) else {
        return; // blank: F023; invalid: V002
    };
    let same = near(r_n, r_t, SAME_RISK);
    if all_equal && !same {
        out.push(ctx.finding(
            "M018",
            rn,
            "WS2's total, DE# and non-DE# allowed costs are all equal: the non-DE# risk factor must equal the total risk factor",
            super::show(r_n),
            super::show(r_t.round_dp(3)),
        ));
    } else if !all_equal && same {
        out.push(ctx.finding(
            "M018",
            rn,
            "WS2's DE# and non-DE# allowed costs differ: enter a distinct non-DE# risk factor",
            super::show(r_n),
            format!("different from the total {}", super::show(r_t.round_dp(3))),
        ));
    }
}
