//! The shared pipeline every command that looks at a bid runs: read →
//! evaluate → rules. One place builds a bid's identity, its recomputed
//! values and its findings, so the commands cannot disagree on them.

use crate::calc::{self, Recalc};
use crate::diff;
use crate::reader::{self, Bid};
use crate::report::{self, BidId, FileReport};
use crate::rules::{self, Ctx, Selection};
use crate::value::{Value, Values};
use rust_decimal::Decimal;
use std::path::Path;

/// The contract-plan-segment of a bid.
pub fn bid_id(bid: &Bid) -> BidId {
    // Kept up to `sanitize::FOUND_CHARS` characters: the id is echoed in
    // every report of the bid.
    let t = |id: &str| match bid.values.get(id) {
        Value::Text(s) => crate::sanitize::bound_value(s.trim().to_string()),
        Value::Number(d) => d.normalize().to_string(),
        _ => String::new(),
    };
    // Each form family prefixes its ids with its family (the MA form's
    // ids are unprefixed): `msa.ws1.general.contract_number`.
    let pre = if bid.layout.form.family == "ma" {
        String::new()
    } else {
        format!("{}.", bid.layout.form.family)
    };
    BidId {
        contract: t(&format!("{pre}ws1.general.contract_number")),
        plan: t(&format!("{pre}ws1.general.plan_id")),
        segment: t(&format!("{pre}ws1.general.segment_id")),
    }
}

/// The bid's key figures, by label and field id.
pub const KEY_FIGURES: &[(&str, &str)] = &[
    ("plan A/B bid", "ws5.bid.plan_bid"),
    ("plan A/B benchmark", "ws5.bid.plan_benchmark"),
    ("MA rebate", "ws5.savings.rebate"),
    ("basic member premium", "ws5.savings.basic_premium"),
    ("total plan premium", "ws6.premium.total_plan_premium"),
];

/// Recomputes a bid with the old hand-written engine (`calc`), which
/// `validate`, `annotate`, `finalize` and `reallocate` still use.
pub fn recalc_bid(bid: &Bid) -> Recalc {
    calc::recalc(bid.layout, &bid.values)
}

/// Recomputes a bid by evaluating its template's formulas ([`crate::form`]):
/// what `bpt recalc` and `bpt diff FILE` use.
pub fn evaluate_bid(bid: &Bid) -> Result<Recalc, String> {
    evaluate_values(bid.layout, &bid.values)
}

pub(crate) fn evaluate_values(
    layout: &'static crate::template::Layout,
    values: &crate::value::Values,
) -> Result<Recalc, String> {
    let form = crate::form::cached(layout)?;
    let ev = crate::form::Evaluation::from_values(form, values);
    let mut pre_round = std::collections::BTreeMap::new();
    let mut defaults = std::collections::BTreeMap::new();
    for &id in form.order() {
        if let Some(d) = ev.unrounded(id) {
            pre_round.insert(form.name(id).to_string(), d);
        }
        if let Some(crate::form::Val::Num(d)) = ev.default_value(id) {
            defaults.insert(form.name(id).to_string(), *d);
        }
    }
    Ok(Recalc {
        values: ev.calculated(),
        stray: Vec::new(),
        pre_round,
        defaults,
    })
}

/// A bid's values with every calculated cell as `bpt` recomputes it.
pub(crate) fn bid_with_calc(bid: &Bid) -> Values {
    let r = recalc_bid(bid);
    let mut v = bid.layout.entered_values(&bid.values);
    for (id, val) in r.values.iter_unordered() {
        v.set(id, val.clone());
    }
    v
}

/// The `default` fields whose submitted number differs from the default
/// formula's value (the actuary overwrote them). A difference too large for
/// an exact decimal counts as an override.
#[deny(clippy::arithmetic_side_effects)]
pub fn default_overrides(bid: &Bid) -> std::collections::BTreeSet<String> {
    let defaults: Vec<&crate::template::Field> = bid
        .layout
        .fields
        .iter()
        .filter(|f| f.role == crate::template::Role::Default && bid.values.num(&f.id).is_some())
        .collect();
    if defaults.is_empty() {
        return Default::default();
    }
    let mut without = bid.values.clone();
    for f in &defaults {
        without.set(&f.id, Value::Empty);
    }
    let base = match evaluate_values(bid.layout, &without) {
        Ok(r) => r.values,
        Err(_) => calc::recalc(bid.layout, &without).values,
    };
    defaults
        .into_iter()
        .filter(|f| match (bid.values.num(&f.id), base.num(&f.id)) {
            (Some(s), Some(d)) => diff::beyond(s, d, diff::DEFAULT_TOLERANCE),
            _ => false,
        })
        .map(|f| f.id.clone())
        .collect()
}

/// Validation options.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Rules to run.
    pub selection: Selection,
    /// Tolerance for unrounded calculated cells.
    pub tolerance: Decimal,
}

/// Validates one bid already read.
pub fn validate_bid(bid: &Bid, opts: &ValidateOptions) -> Vec<rules::Finding> {
    validate_bid_with_figures(bid, opts).0
}

/// Validates one bid and returns its findings with its key figures.
pub fn validate_bid_with_figures(
    bid: &Bid,
    opts: &ValidateOptions,
) -> (Vec<rules::Finding>, report::Figures) {
    let r = recalc_bid(bid);
    let ctx = Ctx {
        layout: bid.layout,
        values: &bid.values,
        calc: &r.values,
        tolerance: opts.tolerance,
        defaults: Some(&r.defaults),
    };
    let figures = if bid.layout.form.family == "msa" {
        report::Figures {
            plan_type: ctx.text("msa.ws1.general.plan_type"),
            plan_bid: ctx.num("msa.ws4.summary.revenue_requirement"),
            benchmark: ctx.num("msa.ws4.summary.plan_benchmark"),
            rebate: None,
            total_plan_premium: None,
        }
    } else {
        report::Figures {
            plan_type: ctx.plan_type(),
            plan_bid: ctx.num("ws5.bid.plan_bid"),
            benchmark: ctx.num("ws5.bid.plan_benchmark"),
            rebate: ctx.num("ws5.savings.rebate"),
            total_plan_premium: ctx.num("ws6.premium.total_plan_premium"),
        }
    };
    (rules::check(&ctx, &opts.selection), figures)
}

/// Validates one file into a report.
pub fn validate_file(path: &Path, opts: &ValidateOptions) -> FileReport {
    match reader::read_bid(path) {
        Ok(bid) => {
            let (findings, figures) = validate_bid_with_figures(&bid, opts);
            FileReport {
                path: path.display().to_string(),
                bid: Some(bid_id(&bid)),
                error: None,
                figures: Some(figures),
                findings,
            }
        }
        Err(e) => FileReport {
            path: path.display().to_string(),
            bid: None,
            error: Some(e.to_string()),
            figures: None,
            findings: Vec::new(),
        },
    }
}
