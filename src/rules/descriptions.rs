//! Rule family D: descriptions the instructions require.
use super::{Ctx, Finding, Rule, Severity, pct};
use rust_decimal::Decimal;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "D001",
        name: "base-period-description",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 6 (p. 40)",
        doc: "**What it checks.** A plan with base period experience describes it on WS1 \
line 6 (changes in benefit plan, service area, or contract/plan/segment from the base \
period to the contract year).\n\n**Why.** \"Use the text box provided to briefly describe \
changes ...\" Reviewers read it to understand cross-walks and consolidations.\n\n\
**Example.** 60,000 base member months and a blank line 6.",
        blocks_finalize: false,
    },
    Rule {
        id: "D002",
        name: "projection-adjustments-described",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section IV, columns m, o, p, q and Section V (pp. 41–43)",
        doc: "**What it checks.** When an 'other' factor (WS1 Sec IV column m or o) is not \
1.000, or an additive adjustment (column p or q) is entered, Section V describes the \
reason.\n\n**Why.** \"Describe the reason for any adjustments in Section V if a factor \
other than 1.000 is used\" and \"Describe the reason for any additive adjustments in \
Section V.\"\n\n**Example.** Column o line i = 0.985 with Section V blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "D003",
        name: "manual-rate-description",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, line u (pp. 46–48)",
        doc: "**What it checks.** When any line's experience credibility is below 100 %, \
the manual rate description (WS2 line u) is filled in.\n\n**Why.** \"If the experience \
credibility used is less than 100 percent, then the manual rate description must not \
be left blank.\"\n\n**Example.** A new plan at 0 % credibility with line u blank.",
        blocks_finalize: false,
    },
    Rule {
        id: "D004",
        name: "oon-description",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, column m (pp. 52–56)",
        doc: "**What it checks.** Every WS3 line with out-of-network cost sharing PMPM \
(column n) describes the out-of-network benefit in column m.\n\n**Why.** \"This field must \
describe all out-of-network benefits priced in the BPT.\" The description ties the BPT \
to the PBP for CMS review.\n\n**Example.** Line i1 with $2.10 OON cost sharing PMPM and \
no description.",
        blocks_finalize: false,
    },
    Rule {
        id: "D005",
        name: "osb-package-description",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 7, package description (pp. 77–79)",
        doc: "**What it checks.** Each optional supplemental package with benefit lines or \
a premium has a package description on its first line.\n\n**Why.** \"On the first line for \
each package, enter a description of the OSB package. This description must match the \
description entered in the PBP.\"\n\n**Example.** Package 1 priced at $28.40 with no \
description.",
        blocks_finalize: false,
    },
    Rule {
        id: "D006",
        name: "deductible-footnote",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, column f and footnotes (pp. 52–56)",
        doc: "**What it checks.** When an effective in-network deductible is entered in \
WS3 column f, the actual plan-level deductible is given in the footnote.\n\n**Why.** \"If \
an effective deductible is entered in column f, then an actual deductible must be \
entered in the footnote.\"\n\n**Example.** $6.20 PMPM of effective deductible with the \
in-network deductible footnote blank.",
        blocks_finalize: false,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let zero = Decimal::ZERO;
    if ctx.num0("ws1.base_period.mm_total") > zero
        && ctx.is_blank("ws1.base_period.description")
        && ctx.field("ws1.base_period.description").is_some()
    {
        out.push(ctx.finding(
            "D001",
            "ws1.base_period.description",
            "the base period is not described",
            "(blank)",
            "a description of the base period",
        ));
    }
    let mut adjusted = None;
    for k in ctx.rows("ws1.projection") {
        if ctx.num0(&format!("ws1.base.allowed_pmpm[{k}]")).is_zero() {
            continue;
        }
        for c in ["other_util", "other_cost"] {
            if let Some(d) = ctx.num(&format!("ws1.projection.{c}[{k}]"))
                && d != Decimal::ONE
                && !d.is_zero()
            {
                adjusted.get_or_insert(format!(
                    "line {k} column {} = {}",
                    if c == "other_util" { "m" } else { "o" },
                    d.normalize()
                ));
            }
        }
        for c in ["additive_util", "additive_pmpm"] {
            if let Some(d) = ctx.num(&format!("ws1.projection.{c}[{k}]"))
                && !d.is_zero()
            {
                adjusted.get_or_insert(format!("line {k} additive adjustment {}", d.normalize()));
            }
        }
    }
    let sec5 = "ws1.description.adjustments";
    if let Some(why) = adjusted
        && ctx.is_blank(sec5)
        && ctx.field(sec5).is_some()
    {
        out.push(ctx.finding(
            "D002",
            sec5,
            format!("{why}, but Section V does not describe the adjustment"),
            "(blank)",
            "the reason for the adjustment",
        ));
    }
    let below = ctx.rows("ws2.allowed").into_iter().find_map(|k| {
        let c = ctx.num(&format!("ws2.allowed.credibility[{k}]"))?;
        (c < Decimal::ONE).then_some((k, c))
    });
    let u = "ws2.manual.description";
    if let Some((k, c)) = below
        && ctx.is_blank(u)
        && ctx.field(u).is_some()
    {
        out.push(ctx.finding(
            "D003",
            u,
            format!(
                "line {k} uses {} credibility, so the manual rate must be described",
                pct(c)
            ),
            "(blank)",
            "the manual rate approach and source",
        ));
    }
    // `None` once the sum leaves the range of exact decimals.
    let mut effective_ded = Some(zero);
    for k in ctx.rows("ws3.cost_sharing") {
        if k == "total" {
            continue;
        }
        let n = ctx.num0(&format!("ws3.cost_sharing.oon_pmpm[{k}]"));
        let m = format!("ws3.cost_sharing.oon_desc[{k}]");
        if !n.is_zero() && ctx.is_blank(&m) && ctx.field(&m).is_some() {
            out.push(ctx.finding(
                "D004",
                &m,
                format!(
                    "out-of-network cost sharing of {} PMPM is not described",
                    super::money(n)
                ),
                "(blank)",
                "the OON benefit",
            ));
        }
        let d = ctx.num0(&format!("ws3.cost_sharing.in_deductible[{k}]"));
        effective_ded = effective_ded.and_then(|e| e.checked_add(d));
    }
    let foot = "ws3.footnote.in_deductible";
    if effective_ded.is_none_or(|e| !e.is_zero()) && ctx.is_blank(foot) && ctx.field(foot).is_some()
    {
        out.push(ctx.finding(
            "D006",
            foot,
            format!(
                "{} PMPM of effective deductible is priced but the actual deductible is not given",
                effective_ded.map_or_else(|| "more than ±7.9e28".into(), super::money)
            ),
            "(blank)",
            "the plan-level deductible, e.g. $500",
        ));
    }
    for n in 1..=5 {
        let desc = format!("ws7.pkg{n}.description");
        if ctx.field(&desc).is_none() || !ctx.is_blank(&desc) {
            continue;
        }
        let table = format!("ws7.pkg{n}.lines");
        let has_lines = ctx.rows(&table).iter().any(|k| {
            !ctx.is_blank(&format!("{table}.benefit[{k}]"))
                || !ctx.is_blank(&format!("{table}.util[{k}]"))
        });
        if has_lines || !ctx.num0(&format!("ws7.pkg{n}.premium")).is_zero() {
            out.push(ctx.finding(
                "D005",
                &desc,
                format!("package {n} is priced but has no description"),
                "(blank)",
                "the PBP package description",
            ));
        }
    }
}
