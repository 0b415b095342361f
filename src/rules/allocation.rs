//! Rule family A: rebate allocation (WS6 Sec II and IIIB).
use super::{Ctx, Finding, Rule, Severity, money};
use rust_decimal::Decimal;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "A001",
        name: "allocation-over-maximum",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIB, column 5 (pp. 71–75); Pricing Considerations, Rebate Allocations (p. 29)",
        doc: "**What it checks.** Each rebate allocation (WS6 Sec IIIB lines 2–6: reduce \
A/B cost sharing, other A/B mandatory supplemental benefits, Part B premium, Part D \
basic, Part D supplemental) does not exceed its maximum in the fifth column; where \
the maximum is negative the allocation is zero.\n\n**Why.** \"Each rebate allocation \
cannot exceed the applicable maximum. Note that if the maximum value is negative ... \
then the rebate allocation must be zero.\"\n\n**Example.** Part B buydown $30.00 \
against a maximum of $25.70.",
        blocks_finalize: false,
    },
    Rule {
        id: "A002",
        name: "allocation-negative",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Pricing Considerations, Rebate Allocations (p. 29)",
        doc: "**What it checks.** No rebate allocation (WS6 Sec II inputs, Sec IIIC lines \
7b and 8b) is negative.\n\n**Why.** \"No rebate allocations may be negative.\" A negative \
allocation would take money from one benefit to over-allocate another.\n\n**Example.** \
Reduce A/B cost sharing −$5.00 with Part B buydown $5.00 more than the rebate.",
        blocks_finalize: false,
    },
    Rule {
        id: "A003",
        name: "part-d-allocation-not-applicable",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, lines 7-8 (pp. 71–75)",
        doc: "**What it checks.** An MA-only plan (MA-PD = N) or an 800-series EGWP \
allocates no rebate to Part D and enters no Part D premium (lines 7a, 7b, 8a, 8b \
zero or blank).\n\n**Why.** \"This field is not applicable to MA-only plans and EGWP plans, \
and it must be equal to zero.\"\n\n**Example.** A PFFS MA-only plan with $4.00 allocated \
to the Part D supplemental premium.",
        blocks_finalize: false,
    },
    Rule {
        id: "A004",
        name: "rebate-fully-allocated",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIB, line 7 (pp. 71–75); Pricing Considerations, Rebate Allocations (p. 29)",
        doc: "**What it checks.** The total rebate allocated (WS6 Sec IIIB line 7, the \
sum of the rounded allocations on lines 2–6) equals the MA rebate (line 1) to the \
penny.\n\n**Why.** \"The total rebates allocated must equal the total rebates available. \
Plans are not permitted to under- or over-allocate rebates in total.\" \"If there are \
any 'unallocated' rebates shown, including pennies, these amounts must be distributed \
among the categories available.\" This blocks finalization.\n\n**Example.** Rebate \
$61.37, allocated $61.30 (Part B $25.70 + Part D $35.60): $0.07 unallocated — put the \
pennies in reduce A/B cost sharing or other mandatory supplemental benefits, which \
round to the cent.",
        blocks_finalize: true,
    },
    Rule {
        id: "A005",
        name: "dime-allocation-not-rounded",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIB, line 1-2 (p. 71); Section IIIC, lines 7b, 8b (pp. 71–75)",
        doc: "**What it checks.** The Part B, Part D basic and Part D supplemental rebate \
allocations are entered already rounded to the dime.\n\n**Why.** \"The Part D rebate \
allocation must be rounded to one decimal. If this is not done, then the bid form will \
round these rebates to one decimal.\" The rounded figure is what counts, so an \
unrounded entry leaves pennies unallocated or over-allocated.\n\n**Example.** Part D \
basic rebate entered as $12.25 is used as $12.30.",
        blocks_finalize: false,
    },
    Rule {
        id: "A006",
        name: "cent-allocation-not-rounded",
        severity: Severity::Info,
        source: "MA BPT instructions CY2013, Pricing Considerations, Rebate Allocations (p. 29); Worksheet 6, Section IIC (p. 71)",
        doc: "**What it checks.** The reduce A/B cost sharing and other A/B mandatory \
supplemental allocations are entered in whole cents.\n\n**Why.** \"Rebate allocations \
for 'Reduce A/B Cost Sharing' and 'Other A/B Mandatory Supplemental Benefits' are \
rounded by the BPT to two decimals.\" The rounded amount is what the bid uses.\n\n\
**Example.** $10.004 is used as $10.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "A007",
        name: "part-d-basic-rebate-over-premium",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II B, F (pp. 103–109); Pricing Considerations, Rebate Allocations (p. 29)",
        doc: "**What it checks.** The rebate allocated to the Part D basic premium (R36) \
does not exceed the Part D basic premium before rebates (line 7a).\n\n**Why.** \"The \
amount of rebate allocated to buy down the Part D basic premium cannot exceed the \
amount of the pre-rebate premium.\"\n\n**Example.** Part D basic premium $31.20 with \
$35.00 of rebate allocated to it.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("A001–A007");
    let zero = Decimal::ZERO;
    // A001: the allocations and maxima the template lists
    // (`[form.facts.rules] allocation_limits`).
    for l in &ctx.layout.facts.rules.allocation_limits {
        let _listed = super::needs::at("");
        let (a, what) = (l.allocated.as_str(), l.label.as_str());
        let (alloc, max) = (ctx.num0(a), ctx.num(&l.maximum));
        if let Some(max) = max
            && alloc > zero
            && alloc > max.max(zero)
        {
            out.push(ctx.finding(
                "A001",
                a,
                format!(
                    "{what}: allocation {} exceeds the maximum {}",
                    money(alloc),
                    money(max)
                ),
                money(alloc),
                format!("≤ {}", money(max.max(zero))),
            ));
        }
    }
    // A002, A005, A006: the entries and their rounding are the template's
    // (`[form.facts.rules] rounded_inputs`).
    for (id, dp) in &ctx.layout.facts.rules.rounded_inputs {
        let _listed = super::needs::at("");
        let (id, dp) = (id.as_str(), *dp);
        let Some(d) = ctx.num(id) else { continue };
        if d < zero {
            out.push(ctx.finding(
                "A002",
                id,
                "rebate allocations may not be negative",
                money(d),
                "≥ 0.00",
            ));
        } else if crate::form::eval::round(d, i64::from(dp)) != d {
            let (rule, unit) = if dp == 1 {
                ("A005", "dime")
            } else {
                ("A006", "cent")
            };
            out.push(ctx.finding(
                rule,
                id,
                format!(
                    "entered as {}; the form rounds it to the {unit}: {}",
                    d.normalize(),
                    crate::form::eval::round(d, i64::from(dp))
                ),
                d.normalize().to_string(),
                crate::form::eval::round(d, i64::from(dp)).to_string(),
            ));
        }
    }
    if !ctx.is_ma_pd() || ctx.is_egwp() {
        let why = if ctx.is_egwp() {
            "an 800-series (EGWP) plan"
        } else {
            "an MA-only plan"
        };
        // The fields are the template's (`[form.facts.rules] part_d_only`).
        let _listed = super::needs::at("");
        for id in &ctx.layout.facts.rules.part_d_only {
            let d = ctx.num0(id);
            if !d.is_zero() {
                out.push(ctx.finding(
                    "A003",
                    id,
                    format!("Part D premiums and rebates do not apply to {why}"),
                    money(d),
                    "0 or blank",
                ));
            }
        }
    }
    let line1 = ctx.num0("ws6.allocation.allocated[ma_rebate]");
    let line7 = ctx.num0("ws6.allocation.allocated[total]");
    let unallocated = crate::diff::difference(line1, line7);
    if ctx.field("ws6.allocation.allocated[total]").is_some()
        && unallocated.is_none_or(|un| un.abs() >= rust_decimal_macros::dec!(0.005))
    {
        let msg = match unallocated {
            Some(un) if un > zero => format!(
                "{} of the {} rebate is unallocated",
                money(un),
                money(line1)
            ),
            Some(un) => format!(
                "{} more than the {} rebate is allocated",
                money(un.abs()),
                money(line1)
            ),
            None => format!(
                "{} is allocated of the {} rebate: the gap is beyond the range of exact decimals (±7.9e28)",
                money(line7),
                money(line1)
            ),
        };
        out.push(ctx.finding(
            "A004",
            "ws6.allocation.allocated[total]",
            msg,
            money(line7),
            money(line1),
        ));
    }
    let basic = ctx.num0("ws6.premium.part_d_basic_before");
    let r36 = ctx.num0("ws6.premium.part_d_basic_rebate");
    if r36 > zero && r36 > basic.max(zero) {
        out.push(ctx.finding(
            "A007",
            "ws6.premium.part_d_basic_rebate",
            format!(
                "rebate {} exceeds the Part D basic premium before rebates {}",
                money(r36),
                money(basic)
            ),
            money(r36),
            format!("≤ {}", money(basic.max(zero))),
        ));
    }
}
