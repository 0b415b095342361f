//! Checks read from the template's field definitions rather than written per
//! field: F022 (a choice field holds one of its `choices`) and F023 (a
//! `required` field is not blank: "Do not leave a field blank to indicate a
//! zero amount").
//!
//! They run after every other family and skip a field that already has a
//! finding, so a field with a rule of its own (the plan type's F004, the
//! margin's M015) is reported once, by the rule that says most.

use super::{Ctx, Finding, Rule, Severity};
use crate::value::Value;
use std::collections::HashSet;

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "F022",
        name: "choice-value",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, the field definitions of Worksheets 1–7 (pp. 36–79) \
that list a field's valid entries",
        doc: "**What it checks.** Every field the form offers as a dropdown holds one of \
its listed values (compared as Excel's data validation does, ignoring case): \
utilization types and WS3 measurement units, WS3 and WS7 service categories, the \
SNP type, the new/low indicator, the ISAR answer (\"Yes\"/\"No\") and the plan \
intention. The list is the template's `choices` for the field.\n\n**Why.** HPMS \
validates these entries on upload, and the form's formulas compare them as text: \
`Admit` is not a utilization type, `Y` is not the ISAR answer \"Yes\" (\"Do not \
enter 'Y' in this field; enter the entire word 'Yes'\"), and `LIPSA` is not a plan \
intention.\n\n**Example.** WS5 line 1 (use of plan-provided ISAR factors) holds \
`Y`: found `Y`, expected `Yes, No`.",
        blocks_finalize: false,
    },
    Rule {
        id: "F023",
        name: "required-field-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Data Entry (p. 35): \"Do not leave a field blank \
to indicate a zero amount\"",
        doc: "**What it checks.** Every field the template marks `required` is entered; \
a zero is entered as 0.\n\n**Why.** \"All worksheets must be completed … Do not \
leave a field blank to indicate a zero amount. If zero is the intended value, then \
enter a '0' in the cell.\" A blank is not a zero: the form's formulas may read it as \
one, but HPMS and the reviewer do not.\n\n**Example.** WS5 Sec II line 6 \
(non-DE# risk factor) blank: found (blank), expected a number.",
        blocks_finalize: false,
    },
];

/// F022 and F023 on every entered field without a finding yet.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let reported: HashSet<String> = out.iter().map(|f| f.field.clone()).collect();
    let mut found = Vec::new();
    for f in &ctx.layout.fields {
        if !f.role.is_entered() || reported.contains(&f.id) {
            continue;
        }
        let v = ctx.value(&f.id);
        if matches!(v, Value::Invalid(_)) {
            continue; // V002
        }
        if ctx.is_blank(&f.id) {
            if f.required {
                found.push(ctx.finding(
                    "F023",
                    &f.id,
                    format!("{} is blank; enter 0 if zero is meant", f.label),
                    "(blank)",
                    f.kind.expected(),
                ));
            }
            continue;
        }
        if f.choices.is_empty() {
            continue;
        }
        let s = match v {
            Value::Text(s) => s.trim().to_string(),
            Value::Number(d) => d.normalize().to_string(),
            Value::Date(d) => d.to_string(),
            _ => continue,
        };
        if !f.choices.iter().any(|c| c.eq_ignore_ascii_case(&s)) {
            found.push(ctx.finding(
                "F022",
                &f.id,
                format!("{} `{s}` is not one of the form's values", f.label),
                s,
                f.choices.join(", "),
            ));
        }
    }
    out.append(&mut found);
}
