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
        doc: "**What it checks.** Column m of WS3 describes the out-of-network cost \
sharing: on every line with out-of-network cost sharing PMPM (column n); on every \
line in use (any entry) of a service category the plan covers out-of-network (WS2 \
column r above 0 %), $0.00 included; and on at least one line of each such category \
with projected allowed costs. A line's category is its column c, matched to the WS2 \
line of the same service category.\n\n**Why.** \"This field must describe all \
out-of-network benefits priced in the BPT. Even if there is no cost sharing for a \
particular service category, you must enter a comment indicating the zero cost-sharing \
arrangement (that is, $0.00 copay or 0 percent coinsurance). For plans that have \
out-of-network benefits, this field must not be left blank.\"\n\n**Example.** Line i1 \
with $2.10 OON cost sharing PMPM and no description; or a PPO projecting 6 % of its \
home health services out-of-network with no line of Home Health describing them.",
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
        id: "D007",
        name: "oop-maximum-description",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, Section II, line 4 (p. 49)",
        doc: "**What it checks.** When any plan-level OOP maximum question (WS3 \
Section II lines 1–3) is answered Yes, the maximum cost-sharing description (line 4) \
is filled in.\n\n**Why.** \"In the text box provided, briefly explain the methodology \
used to reflect the impact of maximum cost sharing on the PMPM values entered in \
Section III.\" The reviewer reads it next to the OOP maximum pricing impact of the \
footnotes.\n\n**Example.** In-network OOP maximum Yes, $3,400, with a blank \
description ({ws3.oop.description}).",
        blocks_finalize: false,
    },
    Rule {
        id: "D008",
        name: "in-network-description",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, column h (pp. 52–56)",
        doc: "**What it checks.** Column h of WS3 describes the in-network cost sharing \
on every line in use (any entry on the line), and on at least one line of each \
service category with projected allowed costs on WS2, $0.00 or 0% where there is no \
cost sharing. A line's category is its column c, matched to the WS2 line of the same \
service category; an unused line of a category described elsewhere (the \
instructions' Options B and C) needs nothing.\n\n**Why.** \"Even if there is no cost \
sharing for a particular service category, you must enter a comment indicating the \
zero cost-sharing arrangement (that is, “$0.00” or “0%”). Do not leave this column \
blank.\" The description is how CMS checks the BPT against the PBP.\n\n**Example.** \
Home health projects allowed costs on WS2 with $0 cost sharing, and no WS3 line of \
Home Health says so.",
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
    let _needs = super::needs::at("D001–D003/D005/D006");
    let zero = Decimal::ZERO;
    oop_description(ctx, out);
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
    ws3_descriptions(ctx, out);
    // `None` once the sum leaves the range of exact decimals.
    let mut effective_ded = Some(zero);
    for k in ctx.rows("ws3.cost_sharing") {
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
    // The packages the template lists (`[form.facts.rules] packages`).
    for p in &ctx.layout.facts.rules.packages {
        let listed = super::needs::at("");
        let desc = p.description.as_str();
        if !ctx.is_blank(desc) {
            continue;
        }
        let (table, rows, premium) = (&p.lines, ctx.rows(&p.lines), ctx.num0(&p.premium));
        drop(listed);
        // What a priced line has (`[form.facts.rules] package_columns`).
        let priced = &ctx.layout.facts.rules.package_columns.priced;
        let has_lines = ctx.any_filled(table, &rows, priced);
        if has_lines || !premium.is_zero() {
            let _listed = super::needs::at("");
            out.push(ctx.finding(
                "D005",
                desc,
                format!("{} is priced but has no description", p.label),
                "(blank)",
                "the PBP package description",
            ));
        }
    }
}

/// D007.
fn oop_description(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("D007");
    // The description and questions the template lists (`[form.facts.rules] oop`).
    let Some(oop) = &ctx.layout.facts.rules.oop else {
        return;
    };
    let desc = oop.description.as_str();
    if !ctx.is_blank(desc) {
        return;
    }
    let yes = oop
        .maximums
        .iter()
        .map(|(q, _)| q)
        .find(|q| ctx.text(q).eq_ignore_ascii_case("Yes"));
    if let Some(q) = yes {
        let label = ctx.field(q).map_or(q.clone(), |f| f.label.clone());
        out.push(ctx.finding(
            "D007",
            desc,
            format!(
                "the methodology for maximum cost sharing is not described, though `{label}` is Yes"
            ),
            "(blank)",
            "how the OOP maximum is reflected in the Section III PMPMs",
        ));
    }
}

/// A WS3 Section III line as D004 and D008 read it.
struct Line {
    key: String,
    /// Its service category (column c): the WS3 cell, or the template's
    /// pre-populated value when the cell is blank.
    category: String,
    /// Any plan entry on the line other than its two descriptions.
    in_use: bool,
}

/// The lines of WS3 Section III, from the template's table.
fn ws3_lines(ctx: &Ctx<'_>) -> Vec<Line> {
    let table = "ws3.cost_sharing";
    let mut lines: Vec<Line> = ctx
        .rows(table)
        .into_iter()
        .map(|k| {
            let cat = format!("{table}.category[{k}]");
            let category = match ctx.text(&cat) {
                s if s.is_empty() => ctx
                    .field(&cat)
                    .and_then(|f| f.value.clone())
                    .unwrap_or_default(),
                s => s,
            };
            Line {
                key: k,
                category,
                in_use: false,
            }
        })
        .collect();
    // Every entry of the template's table: what it lists, no need.
    let _quiet = super::needs::at("");
    for f in &ctx.layout.fields {
        let Some(pos) = &f.table else { continue };
        if pos.table != table
            || pos.total
            || f.role != crate::template::Role::Input
            || pos.column == "in_desc"
            || pos.column == "oon_desc"
            || ctx.is_blank(&f.id)
        {
            continue;
        }
        if let Some(l) = lines.iter_mut().find(|l| l.key == pos.row) {
            l.in_use = true;
        }
    }
    lines
}

/// WS2's lines by service category: (label, projected allowed PMPM, OON %).
fn ws2_categories(ctx: &Ctx<'_>) -> Vec<(String, Decimal, Decimal)> {
    let Some(t) = ctx.table("ws2.allowed") else {
        return Vec::new();
    };
    t.rows
        .iter()
        .map(|(k, label, _)| {
            (
                label.clone(),
                ctx.num0(&format!("ws2.allowed.blend_allowed[{k}]")),
                ctx.num0(&format!("ws2.allowed.oon_pct[{k}]")),
            )
        })
        .collect()
}

/// D004 and D008.
fn ws3_descriptions(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("D004/D008");
    let zero = Decimal::ZERO;
    let lines = ws3_lines(ctx);
    let cats = ws2_categories(ctx);
    let of = |c: &str| cats.iter().find(|(l, _, _)| l.eq_ignore_ascii_case(c));
    let oon_covered = |c: &str| of(c).is_some_and(|(_, _, pct)| *pct > zero);
    for (col, rule) in [("in_desc", "D008"), ("oon_desc", "D004")] {
        let id = |k: &str| format!("ws3.cost_sharing.{col}[{k}]");
        let mut flagged: Vec<&str> = Vec::new();
        for l in &lines {
            let d = id(&l.key);
            if ctx.field(&d).is_none() || !ctx.is_blank(&d) {
                continue;
            }
            let message = if rule == "D004" {
                let n = ctx.num0(&format!("ws3.cost_sharing.oon_pmpm[{}]", l.key));
                if !n.is_zero() {
                    format!(
                        "out-of-network cost sharing of {} PMPM is not described",
                        super::money(n)
                    )
                } else if l.in_use && oon_covered(&l.category) {
                    format!(
                        "line {} ({}) is in use and the plan covers {} out-of-network: describe its out-of-network cost sharing, $0.00 if there is none",
                        l.key, l.category, l.category
                    )
                } else {
                    continue;
                }
            } else if l.in_use {
                format!(
                    "line {} ({}) has entries but no in-network description; enter $0.00 or 0% if there is no cost sharing",
                    l.key, l.category
                )
            } else {
                continue;
            };
            flagged.push(&l.category);
            out.push(ctx.finding(
                rule,
                &d,
                message,
                "(blank)",
                if rule == "D004" {
                    "the OON benefit, e.g. $0.00 or 30% coinsurance"
                } else {
                    "the in-network cost sharing, e.g. $0.00 or (4a) $50/visit"
                },
            ));
        }
        // Each service category priced on WS2 (covered out-of-network, for
        // column m) is described on one of its lines.
        for (cat, allowed, oon) in &cats {
            if *allowed <= zero || (rule == "D004" && *oon <= zero) {
                continue;
            }
            let mine: Vec<&Line> = lines
                .iter()
                .filter(|l| l.category.eq_ignore_ascii_case(cat))
                .collect();
            let described = mine.iter().any(|l| !ctx.is_blank(&id(&l.key)));
            if described || flagged.iter().any(|c| c.eq_ignore_ascii_case(cat)) {
                continue;
            }
            let Some(first) = mine.first() else { continue };
            let d = id(&first.key);
            if ctx.field(&d).is_none() {
                continue;
            }
            let (what, detail) = if rule == "D004" {
                (
                    "out-of-network",
                    format!("{} of its services out-of-network", pct(*oon)),
                )
            } else {
                (
                    "in-network",
                    format!("{} allowed PMPM", super::money(*allowed)),
                )
            };
            out.push(ctx.finding(
                rule,
                &d,
                format!(
                    "{cat} is priced on WS2 ({detail}) but no WS3 line describes its {what} cost sharing; enter $0.00 or 0% if there is none"
                ),
                "(blank)",
                format!("a description of {cat}'s {what} cost sharing"),
            ));
        }
    }
}
