//! Rule family P: premiums and their rounding (WS6 Sec IIIC, WS7).
use super::{Ctx, Finding, Rule, Severity, money};
use rust_decimal::Decimal;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "P001",
        name: "ma-premium-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, line 6 (pp. 71–75)",
        doc: "**What it checks.** The rounded MA premium (WS6 Sec IIIC line 6, the total \
MA premium rounded to the dime) is not negative.\n\n**Why.** \"Value must be greater than \
or equal to zero.\" A negative premium means rebates were allocated beyond the A/B \
mandatory supplemental revenue requirement.\n\n**Example.** Supplemental revenue \
requirement $20.00 with $25.00 of rebate allocated to it: premium −$5.00.",
        blocks_finalize: true,
    },
    Rule {
        id: "P002",
        name: "part-d-premiums-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, lines 8a-8d (pp. 71–75)",
        doc: "**What it checks.** The Part D supplemental premium after rebates (line 8d) \
is not negative, and the Part D basic and supplemental premiums after rebates add to \
at least zero.\n\n**Why.** \"If the Part D basic premium is negative, then the Part D \
supplemental premium must offset the negative amount. That is, the sum of the Part D \
basic and supplemental premiums must be greater than or equal to zero.\" Line 8d \
\"must be greater than or equal to zero.\"\n\n**Example.** Basic −$2.10 and supplemental \
$1.50 after rebates: sum −$0.60.",
        blocks_finalize: true,
    },
    Rule {
        id: "P003",
        name: "total-plan-premium-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, line 9 (pp. 71–75)",
        doc: "**What it checks.** The total plan premium (rounded MA premium + Part D \
basic + Part D supplemental after rebates) is not negative.\n\n**Why.** \"The value must \
be greater than or equal to zero.\"\n\n**Example.** MA premium $0.00, Part D basic \
−$1.20, supplemental $0.00: total −$1.20.",
        blocks_finalize: true,
    },
    Rule {
        id: "P004",
        name: "lipsa-target-premium",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, line 7d, cells R36, R37, R47 (pp. 71–75)",
        doc: "**What it checks.** When the plan's intention for the target Part D basic \
premium (R47) is the Low-Income Premium Subsidy Amount and rebates are allocated to \
the Part D basic premium (R36 > 0), the Part D basic premium after rebates (R37) is \
greater than zero.\n\n**Why.** \"If the plan intention for the target premium (cell R47) \
equals 'Low-Income Premium Subsidy Amount' and the plan enters Part D basic rebates \
(cell R36) greater than zero, then the Part D basic premium after rebates (cell R37) \
must be greater than zero.\" A plan targeting the LIPSA cannot buy the premium down \
to zero.\n\n**Example.** R47 LIPSA, R36 $31.20, R37 $0.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "P005",
        name: "plan-intention",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, line 10, cell R47 (pp. 71–75)",
        doc: "**What it checks.** An MA-PD plan (not an 800-series plan) chooses its \
intention for the target Part D basic premium: \"Premium amount displayed in line 7d\" \
or \"Low-Income Premium Subsidy Amount\"; MA-only plans and EGWPs leave it blank.\n\n\
**Why.** \"MA-PD Plan sponsors must choose one of these two options for the target Part \
D basic premium in the initial June bid submission and cannot change the chosen target \
in a subsequent resubmission.\" It decides the rebate reallocation in August \
(Appendix E).\n\n**Example.** An HMO MA-PD with R47 blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "P006",
        name: "part-d-premium-before-rebates",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, lines 7a, 8a (pp. 71–75)",
        doc: "**What it checks.** An MA-PD plan (not 800-series) enters the Part D basic \
and supplemental premiums before rebates (lines 7a and 8a), in dimes as on the Part D \
BPT.\n\n**Why.** \"The Part D basic premium prior to rebates must be entered in the MA \
BPT, even if no MA rebates are allocated to buy down the Part D basic premium.\" The \
amounts come from the Part D bid, which rounds premiums to the dime.\n\n**Example.** \
An MA-PD plan with line 7a blank, or $31.23.",
        blocks_finalize: false,
    },
    Rule {
        id: "P007",
        name: "osb-premium",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 7, column p (pp. 77–79); Worksheet 7, package description (pp. 77–79)",
        doc: "**What it checks.** Each optional supplemental package that is offered (it \
has a description or benefit lines) has a premium greater than zero, rounded to the \
dime, and projected member months; a package not offered has no premium.\n\n**Why.** \
\"Premium values must be greater than zero if an OSB package is offered and must be \
equal to zero if an OSB package is not offered.\"\n\n**Example.** Package 2 \"Enhanced \
Dental\" with lines but a $0.00 premium.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("P001–P006");
    let zero = Decimal::ZERO;
    let num = |id: &str| ctx.num0(id);
    let r6 = "ws6.premium.rounded_ma_premium";
    if ctx.field(r6).is_some() && num(r6) < zero {
        out.push(ctx.finding(
            "P001",
            r6,
            "the rounded MA premium is negative",
            money(num(r6)),
            "≥ 0.00",
        ));
    }
    let (basic, supp) = (
        num("ws6.premium.part_d_basic_premium"),
        num("ws6.premium.part_d_supp_premium"),
    );
    if supp < zero {
        out.push(ctx.finding(
            "P002",
            "ws6.premium.part_d_supp_premium",
            "the Part D supplemental premium after rebates is negative",
            money(supp),
            "≥ 0.00",
        ));
    } else if let Some(sum) = basic.checked_add(supp)
        && sum < zero
    {
        out.push(ctx.finding(
            "P002",
            "ws6.premium.part_d_supp_premium",
            format!(
                "Part D basic {} and supplemental {} after rebates add to less than zero",
                money(basic),
                money(supp)
            ),
            money(sum),
            "≥ 0.00",
        ));
    }
    let t = "ws6.premium.total_plan_premium";
    if ctx.field(t).is_some() && num(t) < zero {
        out.push(ctx.finding(
            "P003",
            t,
            "the total plan premium is negative",
            money(num(t)),
            "≥ 0.00",
        ));
    }
    let intention = ctx.text("ws6.premium.plan_intention");
    let lipsa = intention.eq_ignore_ascii_case("Low-Income Premium Subsidy Amount");
    if lipsa && num("ws6.premium.part_d_basic_rebate") > zero && basic <= zero {
        out.push(ctx.finding("P004", "ws6.premium.part_d_basic_premium", "the target is the LIPSA and rebates buy down the Part D basic premium, so the premium after rebates (R37) must stay above zero", money(basic), "> 0.00"));
    }
    let pd = ctx.is_ma_pd() && !ctx.is_egwp();
    let r47 = "ws6.premium.plan_intention";
    if ctx.field(r47).is_some() {
        if pd && intention.is_empty() {
            out.push(ctx.finding(
                "P005",
                r47,
                "an MA-PD plan must choose its target Part D basic premium",
                "(blank)",
                "Premium amount displayed in line 7d, or Low-Income Premium Subsidy Amount",
            ));
        } else if !pd && !intention.is_empty() {
            out.push(ctx.finding(
                "P005",
                r47,
                "the target Part D premium does not apply to MA-only and 800-series plans",
                intention,
                "(blank)",
            ));
        }
    }
    if pd {
        for id in [
            "ws6.premium.part_d_basic_before",
            "ws6.premium.part_d_supp_before",
        ] {
            if ctx.field(id).is_none() {
                continue;
            }
            match ctx.num(id) {
                None if ctx.is_blank(id) => out.push(ctx.finding("P006", id, "an MA-PD plan enters the Part D premium before rebates, even when no rebate buys it down", "(blank)", "the Part D BPT premium")),
                Some(d) if crate::form::eval::round(d, 1) != d => out.push(ctx.finding("P006", id, "Part D premiums are rounded to the dime on the Part D BPT", money(d), crate::form::eval::round(d, 1).to_string())),
                _ => {}
            }
        }
    }
    osb(ctx, out);
}

fn osb(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("P007");
    // The packages the template lists (`[form.facts.rules] packages`).
    for pkg in &ctx.layout.facts.rules.packages {
        let listed = super::needs::at("");
        let (desc, prem, mm, table) = (
            pkg.description.as_str(),
            pkg.premium.as_str(),
            pkg.member_months.as_str(),
            &pkg.lines,
        );
        let (rows, described) = (ctx.rows(table), !ctx.is_blank(desc));
        let (p, months) = (ctx.num0(prem), ctx.num0(mm));
        drop(listed);
        // What an offered line has (`[form.facts.rules] package_columns`).
        let offered = &ctx.layout.facts.rules.package_columns.offered;
        let has_lines = ctx.any_filled(table, &rows, offered);
        let _listed = super::needs::at("");
        let offered = has_lines || described;
        let n = &pkg.label;
        if offered && p <= Decimal::ZERO {
            out.push(ctx.finding(
                "P007",
                prem,
                format!("{n} is offered but its premium is not above zero"),
                money(p),
                "> 0.00",
            ));
        } else if !offered && !p.is_zero() {
            out.push(ctx.finding(
                "P007",
                prem,
                format!("{n} is not offered but has a premium"),
                money(p),
                "0.00",
            ));
        }
        if offered && months <= Decimal::ZERO {
            out.push(ctx.finding(
                "P007",
                mm,
                format!("{n} is offered but has no projected member months"),
                "(blank)",
                "> 0",
            ));
        }
    }
}
