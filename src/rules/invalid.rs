//! Rule family V: invalid values, and calculated cells whose submitted value
//! differs from `bpt`'s.
use super::{Ctx, Finding, Rule, Severity};
use crate::diff;
use crate::template::Role;
use crate::value::Value;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "V001",
        name: "invalid-value-in-named-field",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section III, line 3, Section VI, Section VII; Worksheet 6, Section IIIB, lines 1–7, Section IIIC, lines 6, 8d, 9 (pp. 65–66, 67, 69, 71–75)",
        doc: "**What it checks.** The fields the instructions name — the basic member \
premium (WS5 Sec III line 3), every cell of WS5 Sections VI and VII (the county \
detail and the AE cost-sharing information), the MA rebate and the rebate \
allocations (WS6 Sec IIIB lines 1–7), the rounded MA premium (WS6 Sec IIIC line 6), \
the Part D supplemental premium (line 8d) and the total plan premium (line 9) — hold \
no invalid value such as `#N/A`, `#DIV/0!`, `#REF!` or `#NAME?`.\n\n\
**Why.** \"The BPT will not finalize if there are any invalid values (such as \
“#N/A”, “#DIV/0!”, “#REF!”, “#NAME?”, etc.) in this field.\"\n\n\
**Example.** {ws5.savings.basic_premium} (basic member premium) shows `#DIV/0!` because the \
conversion factor is zero: the bid cannot be finalized.",
        blocks_finalize: true,
    },
    Rule {
        id: "V002",
        name: "invalid-value",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I (p. 36) and each worksheet's field definitions",
        doc: "**What it checks.** Every other field holds the kind of value it is for: \
a number in a money, percent, factor or member-month cell; text in a code or \
description cell; a date in a date cell. Text in a numeric cell (`\"12,5O\"`), an \
error value (`#VALUE!`), or a date where a code belongs is reported with the \
content found.\n\n\
**Why.** The form's formulas treat text in a numeric cell as an error or as zero, \
and HPMS validates the uploaded values; a value of the wrong kind silently \
changes the bid.\n\n\
**Example.** {ws1.base.net_pmpm[a]} (inpatient net PMPM) holds the text `245.1O` (letter O): \
found `245.1O`, expected a dollar amount.",
        blocks_finalize: false,
    },
    Rule {
        id: "V003",
        name: "calculated-value-mismatch",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheets 1–7, every calculated cell, with its formula as the instructions define it (pp. 36–79)",
        doc: "**What it checks.** The value each calculated cell holds in the workbook \
equals the value `bpt` recomputes from the bid's inputs, following the \
instructions line by line (see `bpt diff`). Cells the instructions round must match \
exactly; unrounded cells must match within the tolerance (default 0.000001, \
`--tolerance`), since Excel computes in binary floating point.\n\n\
**Why.** A calculated cell that disagrees means a formula was overwritten, \
deleted, or broken by an inserted row — and the bid's figures no longer follow \
from its inputs. CMS reviewers recompute these values too.\n\n\
**Example.** {ws5.bid.plan_bid} (plan A/B bid) holds 812.40 while WS4 line x column o gives \
812.43: someone typed over the formula.",
        blocks_finalize: false,
    },
    Rule {
        id: "V004",
        name: "default-formula-overridden",
        severity: Severity::Info,
        source: "MA BPT instructions CY2013, Worksheet 4, Section IIB, column f (pp. 57–63); Pricing Considerations, Dual-Eligible Beneficiaries (p. 16)",
        doc: "**What it checks.** Reports when the DE# plan cost sharing (WS4 Sec IIB \
column f) differs from its default formula (non-DE# cost sharing ÷ non-DE# allowed × \
DE# allowed).\n\n\
**Why.** \"This column contains a formula that may be overwritten by the user\" — \
allowed at the certifying actuary's discretion, but a reviewer will look for the \
support.\n\n\
**Example.** {ws4.de.plan_cs[a]} holds 31.20 where the default formula gives 29.87.",
        blocks_finalize: false,
    },
    Rule {
        id: "V005",
        name: "never-recalculated",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheets 1–7, every calculated cell, with its formula as the instructions define it (pp. 36–79)",
        doc: "**What it checks.** A workbook whose inputs are filled in holds a value in \
its calculated cells. When every calculated cell is blank — a blank form filled in \
by a tool that writes values but does not recalculate — one finding says so, \
instead of a V003 on each of the form's calculated cells.\n\n**Why.** The \
figures CMS reads (the bid, the benchmark, the rebate and the premiums) are the \
calculated cells' values: a workbook that was never recalculated shows none of \
them. Open it in Excel or LibreOffice and save it, or run `bpt recalc FILE -o \
OUT.xlsx`, which writes every calculated cell's value.\n\n**Example.** A form \
filled in by a script: 1,300 calculated cells blank, one V005.",
        blocks_finalize: true,
    },
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Only the cells that hold an invalid value (few), not every field.
    let mut invalid: Vec<(&str, &crate::value::Invalid)> = ctx
        .values
        .iter_unordered()
        .filter_map(|(id, v)| v.as_invalid().map(|i| (id, i)))
        .collect();
    invalid.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (id, inv) in invalid {
        let Some(f) = ctx.layout.field(id) else {
            continue;
        };
        {
            // V001: where the template says an invalid value blocks
            // finalization (`[form.facts.rules] finalize_invalid`).
            let rule = if ctx.layout.facts.rules.blocks_finalize(&f.id) {
                "V001"
            } else {
                "V002"
            };
            let what = if inv.raw.starts_with('#') {
                format!("{} holds the error value {}", f.label, inv.raw)
            } else {
                format!("{} holds `{}`, not {}", f.label, inv.raw, inv.expected)
            };
            out.push(ctx.finding(rule, &f.id, what, inv.raw.clone(), inv.expected.clone()));
        }
    }
    for m in diff::compare_calc(ctx.layout, ctx.values, ctx.calc, None, ctx.tolerance) {
        // Error values in calculated cells are reported once, by V001/V002.
        if m.submitted.as_invalid().is_some() {
            continue;
        }
        let mut msg = format!(
            "{} holds {} but the instructions' arithmetic gives {}",
            m.label,
            shown(&m.submitted),
            shown(&m.recomputed)
        );
        if let Some(n) = &m.note {
            msg.push_str(&format!(" ({n})"));
        }
        out.push(ctx.finding(
            "V003",
            &m.field,
            msg,
            shown(&m.submitted),
            shown(&m.recomputed),
        ));
    }
    default_overrides(ctx, out);
}

/// V004: `default` cells whose submitted number differs from the default
/// formula. The engine records what every default formula gives even where
/// the actuary's number is used.
fn default_overrides(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let defaults: Vec<_> = ctx
        .layout
        .fields
        .iter()
        .filter(|f| f.role == Role::Default && ctx.values.num(&f.id).is_some())
        .collect();
    if defaults.is_empty() {
        return;
    }
    let computed: std::collections::BTreeMap<String, rust_decimal::Decimal> = match ctx.defaults {
        Some(d) => d.clone(),
        None => {
            let mut without = ctx.values.clone();
            for f in &defaults {
                without.set(&f.id, Value::Empty);
            }
            match crate::form::compiled(ctx.layout) {
                Ok(form) => crate::form::recalc(&form, &without).defaults,
                Err(_) => return,
            }
        }
    };
    for f in defaults {
        let (Some(s), Some(d)) = (ctx.values.num(&f.id), computed.get(&f.id).copied()) else {
            continue;
        };
        if crate::diff::beyond(s, d, ctx.tolerance) {
            out.push(ctx.finding(
                "V004",
                &f.id,
                format!(
                    "{} is overwritten: {} instead of the default {}",
                    f.label,
                    s.normalize(),
                    d.round_dp(2).normalize()
                ),
                s.normalize().to_string(),
                d.round_dp(2).normalize().to_string(),
            ));
        }
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "(blank)".to_string(),
        other => other.display(),
    }
}
