//! `bpt annotate`: an annotated copy of a bid for review.

use super::files::save_edited;
use super::pipeline::{ValidateOptions, recalc_bid};
use super::render::edited_outcome;
use super::{Outcome, UNREADABLE};
use crate::diff;
use crate::reader;
use crate::rules::{self, Ctx, Selection, Severity};
use std::path::Path;

/// `bpt annotate FILE -o OUT [--format json]`.
pub fn annotate(path: &Path, out: &Path, force: bool, json: bool) -> Outcome {
    if let Err(e) = crate::edit::check_extension(path, out) {
        return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
    }
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let opts = ValidateOptions {
        selection: Selection::default(),
        tolerance: diff::DEFAULT_TOLERANCE,
    };
    let r = recalc_bid(&bid);
    let findings = {
        let ctx = Ctx {
            layout: bid.layout,
            values: &bid.values,
            calc: &r.values,
            tolerance: opts.tolerance,
            defaults: Some(&r.defaults),
        };
        rules::check(&ctx, &opts.selection)
    };
    let ed = match crate::annotate::annotate(&bid, &r, &findings, path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
    };
    if let Err(o) = save_edited(&ed, path, out, force) {
        return o;
    }
    let e = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let w = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    edited_outcome(
        &ed,
        path,
        out,
        json,
        format!(
            "wrote {}: {} finding(s) ({e} error(s), {w} warning(s)) marked on their cells\n",
            out.display(),
            findings.len()
        ),
    )
}
