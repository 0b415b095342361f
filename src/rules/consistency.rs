//! Rule family C: consistency between fields and between worksheets.
use super::{Ctx, Finding, Rule, Severity, show};
use rust_decimal::Decimal;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "C001",
        name: "member-months-required",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 2 (p. 39); Worksheet 5, Section II, line 1 (pp. 64–65)",
        doc: "**What it checks.** The base period total and non-DE# member months (WS1 \
line 2) and the projected non-DE# member months (WS5 line 1) are entered, and the \
non-DE# member months do not exceed the total.\n\n**Why.** \"The 'member months' fields \
must not be left blank.\" The DE# subset is computed as total − non-DE#, so a non-DE# \
figure above the total gives negative DE# member months.\n\n**Example.** WS1 total \
12,000 and non-DE# 12,500: DE# would be −500.",
        blocks_finalize: false,
    },
    Rule {
        id: "C002",
        name: "risk-score-without-de",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 3 (p. 39); Worksheet 5, Section II, line 6 (pp. 64–65)",
        doc: "**What it checks.** When there are no DE# member months, the non-DE# \
risk score equals the total risk score (on WS1 for the base period and on WS5 for \
the projection).\n\n**Why.** \"If DE# members equals zero, then the non-DE# risk score \
must equal the total risk score.\" Otherwise the DE# risk score is computed from a \
population that does not exist.\n\n**Example.** WS5 DE# member months 0, total risk \
1.0200, non-DE# risk 1.0150.",
        blocks_finalize: false,
    },
    Rule {
        id: "C003",
        name: "plans-in-base-total",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 5 (p. 40)",
        doc: "**What it checks.** The member months of the plans in the base period \
(line 5) add up to the total base period member months (line 2).\n\n**Why.** \"The sum of \
the member months entered must equal the total member months reported in line 2.\"\n\n\
**Example.** Line 2 shows 60,000 and the plans in base add to 59,400.",
        blocks_finalize: false,
    },
    Rule {
        id: "C004",
        name: "plans-in-base-order",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 5 (p. 40)",
        doc: "**What it checks.** Plans in the base period are listed in descending \
order of member months, with no gaps, and `All Other` only on the last line used.\n\n\
**Why.** \"Plan IDs are to be reported in descending order of member months, such that \
the plan with the largest member months is listed first.\"\n\n**Example.** Line a \
H9999-032 with 1,000 and line b H8888-004-02 with 5,000.",
        blocks_finalize: false,
    },
    Rule {
        id: "C005",
        name: "base-period-summary-consistent",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section VI (pp. 43–45); Section II, line 5 (p. 40)",
        doc: "**What it checks.** Section VI (base period summary) agrees with Sections \
II and III: with base period member months, its revenue and net medical expenses \
are not zero, and the net medical expenses of the all-other enrollees (column 3, in \
total dollars) over the Section II member months are within 1 % of Section III's \
total net PMPM (line s, column d), which covers the same enrollees and period; \
without base period member months (no plans in base) it reports no amounts.\n\n\
**Why.** \"This section must be completed consistently with the 'Plans in Base' \
information (reported in Section II line 5) and consistently with the information \
reported in Section III.\" and \"This section must not be left blank.\"\n\n\
**Example.** 48,000 base member months with a blank Section VI; or $81,823,200 of \
all-other net medical expenses over 120,000 member months ($681.86) against a \
Section III total of $702.40.",
        blocks_finalize: false,
    },
    Rule {
        id: "C006",
        name: "esrd-member-months",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 4, Section III (p. 63); Pricing Considerations, End-Stage Renal Disease (ESRD) (p. 19)",
        doc: "**What it checks.** The projected ESRD member months (WS4 Sec III) are \
above zero when ESRD costs are priced (any ESRD revenue, medical or NBE entry). A \
blank is an error of F023: every sponsor enters them, 0 if no ESRD enrollees are \
expected.\n\n**Why.** \"All Plan sponsors must enter the projected CY ESRD member \
months. Do not leave this field blank.\" The ESRD subsidy is spread over all member \
months in proportion to ESRD member months; with none, priced ESRD costs vanish from \
the bid.\n\n**Example.** ESRD net medical $6,500 per ESRD member month with ESRD \
member months 0.",
        blocks_finalize: false,
    },
    Rule {
        id: "C007",
        name: "base-experience-present",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section III, line s (p. 41)",
        doc: "**What it checks.** When base period member months are greater than zero, \
the total allowed PMPM (line s, column i) is greater than zero.\n\n**Why.** \"Value \
should be greater than zero if base period member months are greater than zero.\"\n\n\
**Example.** 36,000 member months with no base period claims entered.",
        blocks_finalize: false,
    },
    Rule {
        id: "C008",
        name: "osb-member-months",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 7, column q (pp. 77–79); Worksheet 5, Section II, line 1 (pp. 64–65)",
        doc: "**What it checks.** The projected member months of each optional \
supplemental package (WS7 column q) do not exceed the plan's projected member \
months (WS5 line 1).\n\n**Why.** A package is bought by some of the plan's \
members; projected member months must be consistent across the worksheets, and a \
package projecting more members than the plan itself is a keying error (often an \
annual figure entered where a monthly one belongs, or another plan's figure).\n\n\
**Example.** Plan member months 48,500; package 1 projects 120,000.",
        blocks_finalize: false,
    },
    Rule {
        id: "C009",
        name: "employer-section-only-for-group-plans",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IV, line 1 (p. 63); Appendix D – Medicare Advantage Products Available to Groups (pp. 99–102)",
        doc: "**What it checks.** WS4 Section IV (PMPM for additional unspecified \
mandatory supplemental benefits) is blank or 0 unless the plan is an \
800-series employer/union-only group waiver plan or an ED PFFS plan.\n\n**Why.** \
\"This section may be used for employer/union-only group waiver plan bids \
(“800-series” Plan IDs) and employer/union direct contract private fee-for-service \
plans\"; in another plan the amount is added to the bid (line s of Section IIC) for \
benefits the PBP does not describe.\n\n**Example.** Plan 001 (an HMO) with $4.00 in \
WS4 Section IV line 1.",
        blocks_finalize: false,
    },
    Rule {
        id: "C010",
        name: "ws4-cost-sharing-equals-ws3",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 4, Section II, column f (pp. 56–57)",
        doc: "**What it checks.** When Worksheet 3 uses additional cost-sharing lines \
(x1–x10), the total plan cost sharing of Worksheet 4 (Section IIA column f, line s) \
equals Worksheet 3's total (column o), to the cent.\n\n**Why.** \"If you enter \
additional cost-sharing lines on Worksheet 3, then you must verify that the total cost \
sharing on Worksheet 4 equals the total on Worksheet 3.\" Worksheet 4 picks each line \
up by its service category's text: a line whose category is misspelled is left out.\n\n\
**Example.** WS3 line x1 category `Profesional` with $2.10 PMPM: WS4 totals $2.10 less \
than WS3.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let zero = Decimal::ZERO;
    // C001: the member months pairs (`[form.facts.rules] member_months`);
    // each one a person enters is required.
    let facts = &ctx.layout.facts.rules;
    let _listed = super::needs::at("");
    for (total, non) in &facts.member_months {
        let (total, non) = (total.as_str(), non.as_str());
        for id in [total, non] {
            if ctx.field(id).is_some_and(|f| f.role.is_entered()) && ctx.is_blank(id) {
                out.push(ctx.finding(
                    "C001",
                    id,
                    "member months are blank; enter 0 if there are none",
                    "(blank)",
                    "member months",
                ));
            }
        }
        if let (Some(t), Some(n)) = (ctx.num(total), ctx.num(non)) {
            if n > t {
                out.push(ctx.finding(
                    "C001",
                    non,
                    format!(
                        "non-DE# member months {} exceed the total {}",
                        show(n),
                        show(t)
                    ),
                    show(n),
                    format!("≤ {}", show(t)),
                ));
            }
            if n < zero {
                out.push(ctx.finding("C001", non, "member months are negative", show(n), "≥ 0"));
            }
        }
    }
    // C002: the risk scores (`risk_scores`).
    for (mm_de, total, non) in &facts.risk_scores {
        let (total, non) = (total.as_str(), non.as_str());
        if ctx.num0(mm_de).is_zero()
            && let (Some(t), Some(n)) = (ctx.num(total), ctx.num(non))
            && crate::diff::beyond(t, n, ctx.tolerance)
        {
            out.push(ctx.finding("C002", non, format!("there are no DE# member months, so the non-DE# risk score must equal the total {}", show(t)), show(n), show(t)));
        }
    }
    drop(_listed);
    // C003 / C004
    let _needs = super::needs::at("C003/C004");
    let mut listed: Vec<(String, Decimal, String)> = Vec::new();
    let rows = ctx.rows("ws1.plans_in_base");
    let mut gap_at: Option<String> = None;
    for k in &rows {
        let plan = format!("ws1.plans_in_base.contract_plan[{k}]");
        let mm = format!("ws1.plans_in_base.mm[{k}]");
        if ctx.is_blank(&plan) && ctx.is_blank(&mm) {
            if gap_at.is_none() {
                gap_at = Some(plan);
            }
            continue;
        }
        if let Some(g) = gap_at.take() {
            out.push(ctx.finding(
                "C004",
                &g,
                "blank line inside the plans in base",
                "(blank)",
                "plans listed from line a without gaps",
            ));
        }
        listed.push((k.clone(), ctx.num0(&mm), ctx.text(&plan)));
    }
    let total = ctx.num0("ws1.base_period.mm_total");
    // An invalid line 2 is V002's: no sum to compare with.
    let total_invalid = matches!(
        ctx.eff("ws1.base_period.mm_total"),
        crate::value::Value::Invalid(_)
    );
    if !listed.is_empty() && !total_invalid {
        let sum = listed
            .iter()
            .try_fold(Decimal::ZERO, |s, (_, m, _)| s.checked_add(*m));
        if sum.is_none_or(|sum| crate::diff::beyond(sum, total, ctx.tolerance))
            && let Some((last, _, _)) = listed.last()
        {
            let at = format!("ws1.plans_in_base.mm[{last}]");
            let sum = sum.map_or_else(|| "more than ±7.9e28".to_string(), show);
            out.push(ctx.finding(
                "C003",
                &at,
                format!(
                    "plans in base add to {sum} member months, line 2 shows {}",
                    show(total)
                ),
                sum,
                show(total),
            ));
        }
        for w in listed.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if a.2.eq_ignore_ascii_case("All Other") {
                out.push(ctx.finding(
                    "C004",
                    &format!("ws1.plans_in_base.contract_plan[{}]", a.0),
                    "`All Other` belongs on the last line used",
                    a.2.clone(),
                    "All Other last",
                ));
            } else if b.1 > a.1 && !b.2.eq_ignore_ascii_case("All Other") {
                out.push(ctx.finding(
                    "C004",
                    &format!("ws1.plans_in_base.mm[{}]", b.0),
                    format!(
                        "line {} has more member months ({}) than line {} ({})",
                        b.0,
                        show(b.1),
                        a.0,
                        show(a.1)
                    ),
                    show(b.1),
                    format!("≤ {}", show(a.1)),
                ));
            }
        }
    } else if total > zero && ctx.table("ws1.plans_in_base").is_some() {
        let at = format!(
            "ws1.plans_in_base.contract_plan[{}]",
            rows.first().map_or("a", |s| s.as_str())
        );
        out.push(ctx.finding(
            "C003",
            &at,
            format!(
                "{} base member months but no plan in base is listed",
                show(total)
            ),
            "(blank)",
            "the plans whose experience is in the base",
        ));
    }
    // C005 / C007
    section_vi_reported(ctx, out);
    section_vi_matches_section_iii(ctx, out);
    if total > zero {
        let _needs = super::needs::at("C007");
        let s = "ws1.base.allowed_pmpm[s]";
        if ctx.field(s).is_some() && ctx.num0(s) <= zero {
            out.push(ctx.finding(
                "C007",
                s,
                format!(
                    "{} base member months but total allowed PMPM is not above zero",
                    show(total)
                ),
                show(ctx.num0(s)),
                "> 0",
            ));
        }
    }
    // C008
    let _needs = super::needs::at("C008");
    let plan_mm = ctx.num0("ws5.bid.mm_total");
    // The packages the template lists (`[form.facts.rules] packages`).
    for p in &ctx.layout.facts.rules.packages {
        let _listed = super::needs::at("");
        let id = p.member_months.as_str();
        if let Some(m) = ctx.num(id)
            && plan_mm > zero
            && m > plan_mm
        {
            out.push(ctx.finding(
                "C008",
                id,
                format!(
                    "{} projects {} member months, more than the plan's {}",
                    p.label,
                    show(m),
                    show(plan_mm)
                ),
                show(m),
                format!("≤ {}", show(plan_mm)),
            ));
        }
    }
    employer_and_ws3_totals(ctx, out);
    // C006: the fields the template marks `checks.positive_when_any`.
    let _needs = super::needs::at("");
    for f in ctx
        .layout
        .fields
        .iter()
        .filter(|f| !f.checks.positive_when_any.is_empty())
    {
        let priced = f
            .checks
            .positive_when_any
            .iter()
            .any(|id| !ctx.num0(id).is_zero());
        // A blank is F023's (the field is required: "enter a zero (0)").
        if priced && let Some(m) = ctx.num(&f.id).filter(|m| *m <= zero) {
            out.push(ctx.finding(
                "C006",
                &f.id,
                format!(
                    "ESRD costs are priced but projected ESRD member months are {}",
                    show(m)
                ),
                show(m),
                "ESRD member months > 0",
            ));
        }
    }
}

/// C005: each field the template marks `checks.nonzero_iff` (the Section VI
/// totals) is not zero when the field it names (the base period member
/// months) is above zero, and zero when that is zero or blank. An invalid
/// base is V002's.
fn section_vi_reported(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("");
    for f in &ctx.layout.fields {
        let Some(base) = f.checks.nonzero_iff.as_deref() else {
            continue;
        };
        let total = ctx.num0(base);
        if total > Decimal::ZERO {
            if ctx.num0(&f.id).is_zero() {
                out.push(ctx.finding(
                    "C005",
                    &f.id,
                    "base member months are reported but this Section VI total is zero",
                    "0",
                    "the base period total",
                ));
            }
        } else if total.is_zero()
            && !matches!(ctx.eff(base), crate::value::Value::Invalid(_))
            && let Some(d) = ctx.num(&f.id).filter(|d| !d.is_zero())
        {
            // No base period experience: Section VI has nothing to summarize.
            out.push(ctx.finding(
                "C005",
                &f.id,
                "Section VI reports base period amounts, but Section II reports no base period member months (and so no plans in base)",
                super::money(d),
                "0 without base period experience",
            ));
        }
    }
}

/// C009 and C010.
fn employer_and_ws3_totals(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("C009/C010");
    let egwp = "ws4.egwp.additional_pmpm";
    let group = ctx.is_egwp() || ctx.plan_type().eq_ignore_ascii_case("ED PFFS");
    if let Some(d) = ctx.num(egwp)
        && !d.is_zero()
        && !group
    {
        out.push(ctx.finding(
            "C009",
            egwp,
            format!(
                "WS4 Section IV is for 800-series and ED PFFS plans only; plan {} ({}) enters {}",
                ctx.text("ws1.general.plan_id"),
                ctx.plan_type(),
                super::money(d)
            ),
            super::money(d),
            "blank or 0",
        ));
    }
    let extra = ctx
        .rows("ws3.cost_sharing")
        .into_iter()
        .filter(|k| {
            ctx.field(&format!("ws3.cost_sharing.category[{k}]"))
                .is_some_and(|f| f.role.is_entered() && f.role != crate::template::Role::Cms)
        })
        .any(|k| !ctx.is_blank(&format!("ws3.cost_sharing.category[{k}]")));
    if !extra {
        return;
    }
    let (ws4, ws3) = (
        ctx.num0("ws4.non_de.cost_sharing[s]"),
        ctx.num0("ws3.cost_sharing.total[total]"),
    );
    let gap = crate::diff::difference(ws4, ws3).map(|d| d.abs());
    if gap.is_none_or(|g| g >= rust_decimal_macros::dec!(0.005)) {
        out.push(ctx.finding(
            "C010",
            "ws4.non_de.cost_sharing[s]",
            format!(
                "WS3 uses additional lines: WS4's total cost sharing {} differs from WS3's {} (check each additional line's service category)",
                super::money(ws4),
                super::money(ws3)
            ),
            super::money(ws4),
            super::money(ws3),
        ));
    }
}

/// C005: Section VI's net medical expenses of the "all other" enrollees
/// (total dollars over the Section II member months) against Section III's
/// total net PMPM (line s, column d): the same enrollees and period.
/// The three cells are the template's (`[form.facts.rules] pmpm_agrees`).
fn section_vi_matches_section_iii(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("");
    let Some(c) = &ctx.layout.facts.rules.pmpm_agrees else {
        return;
    };
    let (vi, iii) = (c.dollars.as_str(), c.pmpm.as_str());
    let mm = ctx.num0(&c.member_months);
    if mm <= Decimal::ZERO {
        return; // no base period experience: Section VI is checked above
    }
    let (Some(dollars), Some(pmpm)) = (ctx.num(vi), ctx.num(iii)) else {
        return;
    };
    if dollars.is_zero() || pmpm <= Decimal::ZERO {
        return; // the zero total is reported above, no base claims by C007
    }
    let Some(vi_pmpm) = dollars.checked_div(mm) else {
        return;
    };
    let Some(gap) = crate::diff::difference(vi_pmpm, pmpm).map(|d| d.abs()) else {
        return;
    };
    // 1 % of Section III's PMPM: both come from the same claims, Section VI
    // in whole dollars.
    let allowed = pmpm.checked_mul(SECTION_VI_TOLERANCE).unwrap_or(pmpm);
    if gap > allowed {
        out.push(ctx.finding(
            "C005",
            vi,
            format!(
                "Section VI's all-other net medical expenses are {} PMPM over {} member months, Section III's total net PMPM is {}: more than 1% apart",
                super::money(vi_pmpm),
                show(mm),
                super::money(pmpm)
            ),
            super::money(vi_pmpm),
            format!("{} PMPM within 1%", super::money(pmpm)),
        ));
    }
}

/// How far apart (as a fraction of Section III's PMPM) C005 lets the two
/// net medical PMPMs be.
const SECTION_VI_TOLERANCE: Decimal = rust_decimal_macros::dec!(0.01);
