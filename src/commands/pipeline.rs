//! The shared pipeline every command that looks at a bid runs: read →
//! evaluate → rules. One place builds a bid's identity, its recomputed
//! values and its findings, so the commands cannot disagree on them.

use crate::diff;
use crate::form::Recalc;
use crate::reader::{self, Bid};
use crate::report::{self, BidId, FileReport};
use crate::rules::{self, Ctx, Selection};
use crate::value::Value;
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
    // The identity fields are the template's (`[form.facts.identity]`).
    let ident = &bid.layout.facts.identity;
    BidId {
        contract: t(&ident.contract),
        plan: t(&ident.plan),
        segment: t(&ident.segment),
    }
}

/// Recomputes a bid by evaluating its template's formulas ([`crate::form`]):
/// what every command uses.
pub fn recalc_bid(bid: &Bid) -> Recalc {
    crate::form::recalc(bid.form, &bid.values)
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
    let base = crate::form::recalc(bid.form, &without).values;
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
    let figures = report::Figures::of(&bid.layout.facts, |id| ctx.text(id), |id| ctx.num(id));
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
