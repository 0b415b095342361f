//! Rule family R: ranges (credibility, percentages, factors, star rating, MSP).
use super::{Ctx, Finding, Rule, Severity, pct, show};
use crate::value::Value;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "R001",
        name: "credibility-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, column l (p. 45)",
        doc: "**What it checks.** Each line's experience credibility (WS2 column l) is \
entered and between 0 % and 100 %; at most 99 % on a line that uses a manual rate \
(manual allowed PMPM, column k, not zero); exactly 100 % on a line that uses none.\n\n\
**Why.** \"The percentage entered must be between 0 percent and 100 percent. This \
percentage must be between 0 percent and 99 percent if the plan is using a manual \
rate in the projection. The percentage must equal 100 percent if a manual rate is \
not being used.\"\n\n**Example.** Line i credibility 100 % with a manual rate of \
$210.00 PMPM is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "R002",
        name: "credibility-guideline",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Pricing Considerations, Credibility (p. 12); Worksheet 2, column l (p. 45)",
        doc: "**What it checks.** The credibility entered on each line with projected \
costs equals the CMS guideline sqrt(base member months ÷ 24,000), capped at 100 % — or \
is one of the overrides the instructions allow: 0 % when the guideline is ≤ 20 % \
(960 or fewer member months) and 100 % when it is ≥ 90 % (19,440 or more).\n\n**Why.** \
\"If the credibility entered by the plan does not equal the CMS credibility, then \
supporting documentation must be uploaded to HPMS.\" A reviewer will ask for it. \
Overrides outside the two bands are not permitted under the CMS formula.\n\n**Example.** \
6,000 base member months give a guideline of 50 %; 75 % entered is reported, and so \
is 0 % (only allowed at ≤ 20 %).",
        blocks_finalize: false,
    },
    Rule {
        id: "R003",
        name: "percent-covered-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IIA/IIB, columns i and j (p. 56)",
        doc: "**What it checks.** The percentages of allowed costs and of cost sharing \
that are Medicare-covered (WS4 columns i and j) are entered for lines a–k and r and \
lie between 0 % and 100 %.\n\n**Why.** \"The percentage entered must be between 0 percent \
and 100 percent.\" They split each line between Medicare-covered and A/B mandatory \
supplemental benefits.\n\n**Example.** Professional line covered 104 %.",
        blocks_finalize: false,
    },
    Rule {
        id: "R004",
        name: "oon-percent-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, column r (pp. 46–48)",
        doc: "**What it checks.** The percentage of services provided out-of-network \
(WS2 column r) is entered on every line with projected allowed costs, between 0 % \
and 100 %.\n\n**Why.** \"Enter a 0 if zero percent is expected; do not leave the field \
blank to indicate 0 percent. The percentage entered must be between 0 percent and \
100 percent.\"\n\n**Example.** Line a OON % left blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "R005",
        name: "oon-expected",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 2, column r (pp. 46–48)",
        doc: "**What it checks.** An RPPO, or a plan with out-of-network cost sharing on \
WS3 (column n), projects some out-of-network services on WS2 (column r > 0 on at least \
one line).\n\n**Why.** \"If the plan has OON cost sharing PMPM on Worksheet 3, or is an \
RPPO plan type, then it is expected that the percentage of services provided \
out-of-network on Worksheet 2 will be greater than 0 percent.\"\n\n**Example.** An HMOPOS \
with $3.10 OON cost sharing PMPM and 0 % OON on every line.",
        blocks_finalize: false,
    },
    Rule {
        id: "R006",
        name: "projection-factor-required",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section IV, columns j-o (pp. 41–43)",
        doc: "**What it checks.** Every multiplicative projection factor (WS1 Sec IV \
columns j–o: utilization trend, benefit change, population change, other utilization, \
provider payment change, other unit cost) is not zero (nor negative) wherever it \
is entered, and is entered on every line a–r when the plan has base period \
experience. The factors are the template's fields marked `checks.nonzero`; when a \
blank one is reported is its `checks.required_when`.\n\n**Why.** \"Entering 1.000 would indicate 0 percent trend. Do \
not leave blank. Do not enter zero (0).\" A zero factor wipes out the line's projected \
cost.\n\n**Example.** Line c (home health) has a blank provider payment factor.",
        blocks_finalize: false,
    },
    Rule {
        id: "R007",
        name: "star-rating-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section V, line 1 (pp. 66–67); Pricing Considerations, Affordable Care Act and Quality Bonus Payment Demonstration (pp. 6–7)",
        doc: "**What it checks.** The star rating is entered (unless the contract is \
low-enrollment or new under a new parent organization: those \"received three stars for \
QBP purposes\" and are priced at 3.0 when the rating is blank; a new contract under an \
existing parent organization enters its parent's average rating) and lies between 1.0 \
and 5.0 in half-star steps.\n\n**Why.** The star rating sets the rebate percentage (73⅓ %, 71⅔ % or 66⅔ % in \
2013) and the quality bonus; an out-of-range rating makes the rebate wrong.\n\n\
**Example.** A rating of 45 (meant 4.5) is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "R008",
        name: "msp-range",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section II, line 4 (pp. 64–65)",
        doc: "**What it checks.** The Medicare secondary payer adjustment is entered \
(0 when none) and lies between 0 % and 100 %.\n\n**Why.** \"Do not leave this field blank. \
If zero percent is the projected value, then enter a '0' in this field. The value \
entered must be between 0 percent and 100 percent.\"\n\n**Example.** MSP entered as \
253 % (meant 2.53 %).",
        blocks_finalize: false,
    },
    Rule {
        id: "R009",
        name: "part-b-only-inpatient",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix C – Part B-Only Enrollees (pp. 98–99)",
        doc: "**What it checks.** A PART B ONLY plan prices no Medicare-covered \
inpatient services: WS4 line a, columns i and j, are 0 %.\n\n**Why.** \"The \
Medicare-covered proportion of inpatient services (line a) must equal zero (0) \
percent.\" Part B-only enrollees have no Part A inpatient coverage.\n\n**Example.** A \
PART B ONLY plan with line a covered at 100 %.",
        blocks_finalize: false,
    },
    Rule {
        id: "R010",
        name: "completion-factor",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 4 (p. 39)",
        doc: "**What it checks.** The completion factor entered for a plan with base \
period experience lies between 1.0 and 1.5 (a blank one is F025's).\n\n**Why.** It adjusts paid claims to \
an incurred basis: (paid + estimated unpaid) ÷ paid, so it is never below 1; with at \
least 30 days of run-out it is rarely far above 1 (the instructions' example: \
(400 + 30) ÷ 400 = 1.075).\n\n**Example.** A factor of 0.93 is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "R011",
        name: "risk-score-plausible",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 3, Worksheet 5, Section II, lines 6-7 and Section VI, column f (pp. 39, 64–65, 68); Pricing Considerations, Risk Score Definitions and Information Sources (p. 32)",
        doc: "**What it checks.** Entered risk scores (base period, projected non-DE#, \
each county) lie between 0.3 and 4.0.\n\n**Why.** Normalized CMS-HCC scores for a plan \
population sit near 1.0 (0.8–1.4 typical; a dual SNP higher). A score outside \
0.3–4.0 is almost always a keying error (e.g. 105 for 1.05).\n\n**Example.** A county \
risk score of 0.0 or 10.2.",
        blocks_finalize: false,
    },
];

fn in_unit(d: Decimal) -> bool {
    d >= Decimal::ZERO && d <= Decimal::ONE
}

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    credibility(ctx, out);
    covered(ctx, out);
    oon(ctx, out);
    factors(ctx, out);
    quality(ctx, out);
    risk(ctx, out);
}

fn credibility(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("R001/R002");
    // An invalid base member-month count gives no guideline: V002 reports
    // the cell, not 18 credibility lines computed from it.
    let mm_invalid = matches!(ctx.eff("ws1.base_period.mm_total"), Value::Invalid(_));
    let mm = ctx.num0("ws1.base_period.mm_total");
    let guide = guideline(mm);
    for k in ctx.rows("ws2.allowed") {
        let id = format!("ws2.allowed.credibility[{k}]");
        if ctx.field(&id).is_none() || matches!(ctx.eff(&id), Value::Invalid(_)) {
            continue;
        }
        let manual = !ctx.num0(&format!("ws2.allowed.man_allowed[{k}]")).is_zero();
        let exp = !ctx.num0(&format!("ws2.allowed.exp_allowed[{k}]")).is_zero();
        if !manual && !exp {
            continue;
        }
        let Some(c) = ctx.num(&id) else {
            out.push(ctx.finding(
                "R001",
                &id,
                format!("line {k} has projected costs but no credibility"),
                "(blank)",
                "0%-100%",
            ));
            continue;
        };
        if !in_unit(c) {
            out.push(ctx.finding(
                "R001",
                &id,
                "credibility must be between 0% and 100%",
                pct(c),
                "0%-100%",
            ));
            continue;
        }
        if manual && c > dec!(0.99) {
            out.push(ctx.finding(
                "R001",
                &id,
                format!("line {k} uses a manual rate, so credibility is at most 99%"),
                pct(c),
                "0%-99%",
            ));
            continue;
        }
        if !manual && c != Decimal::ONE {
            out.push(ctx.finding(
                "R001",
                &id,
                format!("line {k} uses no manual rate, so credibility must be 100%"),
                pct(c),
                "100%",
            ));
            continue;
        }
        if mm_invalid || !crate::diff::beyond(c, guide, dec!(0.00005)) {
            continue;
        }
        let msg = if c.is_zero() && guide > dec!(0.2) {
            format!(
                "0% credibility overrides the CMS guideline {} only when it is at most 20% (960 member months)",
                pct(rust_decimal::Decimal::round_dp(&guide, 4))
            )
        } else if c == Decimal::ONE && guide < dec!(0.9) {
            format!(
                "100% credibility overrides the CMS guideline {} only when it is at least 90% (19,440 member months)",
                pct(guide.round_dp(4))
            )
        } else if c.is_zero() || c == Decimal::ONE {
            continue; // a permitted override
        } else {
            format!(
                "credibility differs from the CMS guideline {}: upload supporting documentation",
                pct(guide.round_dp(4))
            )
        };
        out.push(ctx.finding("R002", &id, msg, pct(c), pct(guide.round_dp(4))));
    }
}

/// The CMS credibility guideline: min(1, sqrt(MM / 24,000)).
///
/// ```text
/// 6,000 MM → 50 %; 960 MM → 20 %; 19,440 MM → 90 %; 30,000 MM → 100 %
/// ```
pub fn guideline(mm: Decimal) -> Decimal {
    if mm <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let r = mm.checked_div(dec!(24000)).unwrap_or(Decimal::ONE);
    if r >= Decimal::ONE {
        return Decimal::ONE;
    }
    rust_decimal::MathematicalOps::sqrt(&r).unwrap_or(Decimal::ZERO)
}

fn covered(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("R003/R009");
    let part_b_only = ctx
        .text("ws1.general.enrollee_type")
        .eq_ignore_ascii_case("PART B ONLY");
    // The inpatient facility line (`[form.facts.rules] inpatient_row`).
    let inpatient = ctx.layout.facts.rules.inpatient_row.as_deref();
    // The service-category tables and their percentage-covered columns
    // (`[form.facts.rules] cost_tables`).
    for (table, columns) in &ctx.layout.facts.rules.covered {
        for k in ctx.rows(table) {
            for col in columns {
                let id = format!("{table}.{col}[{k}]");
                let Some(f) = ctx.field(&id) else { continue };
                if !f.role.is_entered() || matches!(ctx.eff(&id), Value::Invalid(_)) {
                    continue;
                }
                match ctx.num(&id) {
                    None => out.push(ctx.finding(
                        "R003",
                        &id,
                        "percentage covered is blank",
                        "(blank)",
                        "0%-100%",
                    )),
                    Some(d) if !in_unit(d) => out.push(ctx.finding(
                        "R003",
                        &id,
                        "percentage covered must be between 0% and 100%",
                        pct(d),
                        "0%-100%",
                    )),
                    Some(d) if part_b_only && Some(k.as_str()) == inpatient && !d.is_zero() => out
                        .push(ctx.finding(
                            "R009",
                            &id,
                            "a PART B ONLY plan's Medicare-covered inpatient share must be 0%",
                            pct(d),
                            "0%",
                        )),
                    _ => {}
                }
            }
        }
    }
}

fn oon(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("R004/R005");
    let mut any = false;
    let mut first = None;
    for k in ctx.rows("ws2.allowed") {
        let id = format!("ws2.allowed.oon_pct[{k}]");
        if ctx.field(&id).is_none() || matches!(ctx.eff(&id), Value::Invalid(_)) {
            continue;
        }
        first.get_or_insert(id.clone());
        let projected = !ctx
            .num0(&format!("ws2.allowed.blend_allowed[{k}]"))
            .is_zero();
        match ctx.num(&id) {
            None if projected => out.push(ctx.finding(
                "R004",
                &id,
                "enter 0 rather than leaving the OON percentage blank",
                "(blank)",
                "0%-100%",
            )),
            Some(d) if !in_unit(d) => out.push(ctx.finding(
                "R004",
                &id,
                "OON percentage must be between 0% and 100%",
                pct(d),
                "0%-100%",
            )),
            Some(d) if d > Decimal::ZERO => any = true,
            _ => {}
        }
    }
    let oon_cs = ctx.num0("ws3.cost_sharing.oon_pmpm[total]");
    if !any
        && (ctx.is_rppo() || oon_cs > Decimal::ZERO)
        && let Some(id) = first
    {
        let why = if ctx.is_rppo() {
            "an RPPO".to_string()
        } else {
            format!("a plan with {} OON cost sharing PMPM", super::money(oon_cs))
        };
        out.push(ctx.finding(
            "R005",
            &id,
            format!("{why} is expected to project some out-of-network services"),
            "0% on every line",
            "> 0% on some line",
        ));
    }
}

fn factors(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // The factors are the fields the template marks `checks.nonzero`; a
    // blank one is reported when the template's `checks.required_when`
    // condition holds (the plan has base period experience).
    let quiet = super::needs::at("");
    for f in ctx.layout.fields.iter().filter(|f| f.checks.nonzero) {
        let id = f.id.as_str();
        if !f.role.is_entered() || matches!(ctx.eff(id), Value::Invalid(_)) {
            continue;
        }
        match ctx.num(id) {
            None => {
                if let Some(n) = ctx.required_by(f) {
                    out.push(ctx.finding(
                        "R006",
                        id,
                        format!(
                            "projection factor is blank ({} base member months); enter 1.000 for no change",
                            show(n)
                        ),
                        "(blank)",
                        "a factor, 1.000 = no change",
                    ));
                }
            }
            Some(d) if d.is_zero() => out.push(ctx.finding(
                "R006",
                id,
                "projection factor is zero; enter 1.000 for no change",
                "0",
                "a non-zero factor",
            )),
            Some(d) if d < Decimal::ZERO => out.push(ctx.finding(
                "R006",
                id,
                "projection factor is negative",
                show(d),
                "a positive factor",
            )),
            _ => {}
        }
    }
    drop(quiet);
    let _needs = super::needs::at("R010");
    let cf = "ws1.base_period.completion_factor";
    if ctx.num0("ws1.base_period.mm_total") > Decimal::ZERO
        && !matches!(ctx.eff(cf), Value::Invalid(_))
    {
        // A blank factor is F025's (Section II is completed).
        match ctx.num(cf) {
            None => {}
            Some(d) if d < Decimal::ONE || d > dec!(1.5) => out.push(ctx.finding(
                "R010",
                cf,
                "completion factor is outside 1.000-1.500",
                show(d),
                "1.000-1.500",
            )),
            _ => {}
        }
    }
}

fn quality(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("R007/R008");
    let star = "ws5.quality.star_rating";
    // A low-enrollment contract and a new contract under a new parent
    // organization "received three stars for QBP purposes" and may leave the
    // rating blank; a new contract under an existing parent organization has
    // the parent's average rating, which must be entered.
    let nl = ctx.text("ws5.quality.new_low");
    let new_low = nl.eq_ignore_ascii_case("Low")
        || nl.eq_ignore_ascii_case("New contract under new parent org");
    if !matches!(ctx.eff(star), Value::Invalid(_)) {
        match ctx.num(star) {
            None if !new_low => out.push(ctx.finding(
                "R007",
                star,
                "star rating is blank (only a low-enrollment contract or a new contract under a new parent organization may leave it blank)",
                "(blank)",
                "1.0-5.0",
            )),
            Some(d)
                if d < Decimal::ONE
                    || d > dec!(5)
                    || d.checked_mul(dec!(2))
                        .is_none_or(|x| x.fract() != Decimal::ZERO) =>
            {
                out.push(ctx.finding(
                    "R007",
                    star,
                    "star rating must be 1.0-5.0 in half stars",
                    show(d),
                    "1.0-5.0",
                ))
            }
            _ => {}
        }
    }
    let msp = "ws5.bid.msp";
    if !matches!(ctx.eff(msp), Value::Invalid(_)) {
        match ctx.num(msp) {
            None => out.push(ctx.finding(
                "R008",
                msp,
                "MSP is blank; enter 0 if none",
                "(blank)",
                "0%-100%",
            )),
            Some(d) if !in_unit(d) => out.push(ctx.finding(
                "R008",
                msp,
                "MSP must be between 0% and 100%",
                pct(d),
                "0%-100%",
            )),
            _ => {}
        }
    }
}

fn risk(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("R011");
    let check = |id: &str, out: &mut Vec<Finding>| {
        if let Some(d) = ctx.num(id)
            && (d < dec!(0.3) || d > dec!(4))
        {
            out.push(ctx.finding("R011", id, "risk score outside 0.3-4.0", show(d), "0.3-4.0"));
        }
    };
    // The risk scores the template lists (`[form.facts.rules] entered_risk_scores`
    // and the county table's risk column).
    let _listed = super::needs::at("");
    let facts = &ctx.layout.facts.rules;
    for (id, when) in &facts.entered_risk_scores {
        if when.as_ref().is_none_or(|w| ctx.num0(w) > Decimal::ZERO) {
            check(id, out);
        }
    }
    if let Some(c) = &facts.counties {
        for k in ctx.county_rows() {
            check(&c.cell(&c.risk, &k), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guideline_matches_the_instructions() {
        assert_eq!(guideline(dec!(6000)), dec!(0.5));
        assert_eq!(guideline(dec!(960)).round_dp(10), dec!(0.2));
        assert_eq!(guideline(dec!(19440)).round_dp(10), dec!(0.9));
        assert_eq!(guideline(dec!(24000)), Decimal::ONE);
        assert_eq!(guideline(dec!(1000000)), Decimal::ONE);
        assert_eq!(guideline(Decimal::ZERO), Decimal::ZERO);
    }
}
