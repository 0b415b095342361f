//! The commands behind the `bpt` binary, as library functions: each takes
//! its options and returns what to print and the exit status, so the binary
//! stays a thin shell and tests can call the commands directly.
//!
//! Exit statuses: [`OK`] 0, [`FINDINGS`] 1 (the bid has errors, or a
//! comparison found differences where that is the question), [`UNREADABLE`] 2
//! (a file could not be read, or the command line was wrong).

use crate::calc::{self, Recalc};
use crate::diff::{self, Change, Mismatch};
use crate::model::MaBid;
use crate::reader::{self, Bid};
use crate::report::{self, BidId, FileReport};
use crate::rules::{self, Ctx, Selection, Severity};
use crate::value::{Value, Values};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Success.
pub const OK: i32 = 0;
/// The bid has errors (validate), or differences were found (diff).
pub const FINDINGS: i32 = 1;
/// A file could not be read, or the command line was wrong.
pub const UNREADABLE: i32 = 2;

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
    /// Exit status.
    pub code: i32,
}

impl Outcome {
    fn out(stdout: String, code: i32) -> Self {
        Outcome {
            stdout,
            stderr: String::new(),
            code,
        }
    }

    /// A one-line error: control characters in it (from a cell, a sheet
    /// name or a path) are written as visible escapes, so it stays one line.
    fn err(stderr: String, code: i32) -> Self {
        let line = stderr.strip_suffix('\n').unwrap_or(&stderr);
        Outcome {
            stdout: String::new(),
            stderr: format!("{}\n", crate::sanitize::visible(line)),
            code,
        }
    }
}

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

fn evaluate_values(
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

/// The values of an overlay's extra cells (columns and fields the user's
/// workbook has and the base form does not), by field id.
pub fn extra_values(bid: &Bid) -> std::collections::BTreeMap<String, Value> {
    let Some(ov) = &bid.layout.overlay else {
        return Default::default();
    };
    bid.layout
        .fields
        .iter()
        .filter(|f| {
            ov.extras.iter().any(|x| match x.strip_suffix("[*]") {
                Some(prefix) => {
                    f.id.strip_prefix(prefix)
                        .is_some_and(|r| r.starts_with('['))
                }
                None => &f.id == x,
            })
        })
        .filter_map(|f| {
            let v = bid.values.get(&f.id);
            (!v.is_empty()).then(|| (f.id.clone(), v.clone()))
        })
        .collect()
}

/// `bpt read FILE [--json]`.
pub fn read(path: &Path, json: bool) -> Outcome {
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    if json && bid.layout.form.family != "ma" {
        // Forms without a typed model: every field by id.
        let doc = serde_json::json!({
            "path": path.display().to_string(),
            "template": bid.layout.form.id,
            "bid": bid_id(&bid),
            "values": bid.values,
        });
        return Outcome::out(json_or_err(&doc), OK);
    }
    if json {
        let model = MaBid::from_values(&bid.values);
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            path: String,
            template: &'a str,
            bid: BidId,
            #[serde(flatten)]
            model: MaBid,
            /// An overlay's extra cells (not part of the form), by id.
            #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            extra: std::collections::BTreeMap<String, Value>,
        }
        let doc = Doc {
            path: path.display().to_string(),
            template: &bid.layout.form.id,
            bid: bid_id(&bid),
            model,
            extra: extra_values(&bid),
        };
        return match serde_json::to_string_pretty(&doc) {
            Ok(s) => Outcome::out(s + "\n", OK),
            Err(e) => Outcome::err(format!("bpt: cannot write JSON: {e}\n"), UNREADABLE),
        };
    }
    // Text from the workbook is shown shortened, with visible escapes.
    use crate::sanitize::echo;
    let mut o = String::new();
    let id = bid_id(&bid);
    o.push_str(&format!(
        "{}: {} ({} {})\n",
        crate::sanitize::path(path),
        echo(&id.display()),
        bid.layout.form.title,
        bid.layout.form.contract_year
    ));
    let pre = if bid.layout.form.family == "ma" {
        String::new()
    } else {
        format!("{}.", bid.layout.form.family)
    };
    o.push_str(&format!(
        "  {} / {}\n",
        echo(
            bid.values
                .text(&format!("{pre}ws1.general.organization_name"))
                .unwrap_or("")
        ),
        echo(
            bid.values
                .text(&format!("{pre}ws1.general.plan_name"))
                .unwrap_or("")
        )
    ));
    let extra = extra_values(&bid);
    if !extra.is_empty() {
        o.push_str(&format!(
            "  extra cells of this layout (read and reported only): {} filled\n",
            extra.len()
        ));
    }
    let mut invalid = Vec::new();
    for sheet in &bid.layout.sheets {
        let fields: Vec<_> = bid.layout.fields_on(&sheet.name).collect();
        let inputs = fields.iter().filter(|f| f.role.is_entered()).count();
        let filled = fields
            .iter()
            .filter(|f| f.role.is_entered() && !bid.values.get(&f.id).is_empty())
            .count();
        let calc = fields.iter().filter(|f| f.role.is_calculated()).count();
        o.push_str(&format!(
            "  {:<4} {:>5} of {:>5} entered cells filled, {:>5} calculated cells\n",
            sheet.name, filled, inputs, calc
        ));
        for f in fields {
            if let Value::Invalid(i) = bid.values.get(&f.id) {
                invalid.push(format!(
                    "    {} {} ({}): {}!{}: found `{}`, expected {}\n",
                    f.address(),
                    f.label,
                    f.id,
                    echo(&i.sheet),
                    echo(&i.cell),
                    echo(&i.raw),
                    i.expected
                ));
            }
        }
    }
    for (label, id) in KEY_FIGURES {
        if let Some(d) = bid.values.num(id) {
            o.push_str(&format!("  {label:<22} {}\n", d.round_dp(2)));
        }
    }
    if invalid.is_empty() {
        o.push_str("  no invalid values\n");
    } else {
        o.push_str(&format!("  {} invalid value(s):\n", invalid.len()));
        for l in invalid {
            o.push_str(&l);
        }
    }
    o.push_str("  (use --json for every field)\n");
    Outcome::out(o, OK)
}

/// The bid's key figures, by label and field id.
pub const KEY_FIGURES: &[(&str, &str)] = &[
    ("plan A/B bid", "ws5.bid.plan_bid"),
    ("plan A/B benchmark", "ws5.bid.plan_benchmark"),
    ("MA rebate", "ws5.savings.rebate"),
    ("basic member premium", "ws5.savings.basic_premium"),
    ("total plan premium", "ws6.premium.total_plan_premium"),
];

/// Output formats of `bpt diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A table for people.
    Text,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// `bpt diff FILE [--format] [--tolerance]`: submitted versus recomputed.
pub fn diff_calc(path: &Path, format: DiffFormat, tolerance: Decimal) -> Outcome {
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let r = match evaluate_bid(&bid) {
        Ok(r) => r,
        Err(e) => {
            return Outcome::err(
                format!("bpt: template {}: {e}\n", bid.layout.form.id),
                UNREADABLE,
            );
        }
    };
    let m = diff::compare_calc(
        bid.layout,
        &bid.values,
        &r.values,
        Some(&r.pre_round),
        tolerance,
    );
    let code = if m.is_empty() { OK } else { FINDINGS };
    let s = match format {
        DiffFormat::Json => json_or_err(&serde_json::json!({
            "path": path.display().to_string(),
            "tolerance": tolerance.normalize().to_string(),
            "mismatches": m,
        })),
        DiffFormat::Csv => mismatches_csv(&m),
        DiffFormat::Text => mismatches_text(path, &m, tolerance),
    };
    Outcome::out(s, code)
}

fn json_or_err(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// A value in a text table: `(blank)`, or its display shortened with
/// visible escapes ([`crate::sanitize::echo`]).
fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "(blank)".into(),
        o => crate::sanitize::echo(&o.display()),
    }
}

/// A value in a CSV cell: its display, kept up to
/// [`crate::sanitize::FOUND_CHARS`] characters.
fn csv_value(v: &Value) -> String {
    crate::sanitize::bound_value(v.display())
}

fn mismatches_text(path: &Path, m: &[Mismatch], tol: Decimal) -> String {
    use crate::sanitize::visible as v;
    let mut o = String::new();
    if m.is_empty() {
        o.push_str(&format!(
            "{}: every calculated cell matches (rounded cells exactly, others within {})\n",
            crate::sanitize::path(path),
            tol.normalize()
        ));
        return o;
    }
    o.push_str(&format!(
        "{}: {} calculated cell(s) differ from the instructions' arithmetic\n",
        crate::sanitize::path(path),
        m.len()
    ));
    for x in m {
        o.push_str(&format!(
            "  {}!{:<6} {} ({})\n      submitted {}   recomputed {}",
            v(&x.sheet),
            v(&x.cell),
            v(&x.label),
            v(&x.field),
            shown(&x.submitted),
            shown(&x.recomputed)
        ));
        if let Some(d) = x.difference {
            o.push_str(&format!("   difference {}", d.normalize()));
        }
        if let Some(dp) = x.rounded_to {
            o.push_str(&format!(
                "   (rounded to {dp} decimals: must match exactly)"
            ));
        }
        o.push('\n');
        if let Some(n) = &x.note {
            o.push_str(&format!("      note: {}\n", crate::sanitize::echo(n)));
        }
    }
    o
}

/// The columns of `bpt diff FILE --format csv`.
const MISMATCH_HEADER: [&str; 9] = [
    "field",
    "sheet",
    "cell",
    "label",
    "submitted",
    "recomputed",
    "difference",
    "rounded_to",
    "note",
];

fn mismatch_row(x: &Mismatch) -> [String; 9] {
    [
        x.field.clone(),
        x.sheet.clone(),
        x.cell.clone(),
        x.label.clone(),
        csv_value(&x.submitted),
        csv_value(&x.recomputed),
        x.difference
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
        x.rounded_to.map(|d| d.to_string()).unwrap_or_default(),
        x.note.clone().unwrap_or_default(),
    ]
}

fn mismatches_csv(m: &[Mismatch]) -> String {
    crate::sanitize::csv(&MISMATCH_HEADER, m.iter().map(mismatch_row))
}

/// `bpt diff OLD NEW`: every field that changed between two bids.
pub fn diff_bids(old: &Path, new: &Path, format: DiffFormat) -> Outcome {
    if old.is_dir() && new.is_dir() {
        return diff_dirs(old, new, format);
    }
    let a = match reader::read_bid(old) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let b = match reader::read_bid(new) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    if a.layout.form.id != b.layout.form.id {
        return Outcome::err(
            format!(
                "bpt: {} is a {} form but {} is a {} form: they cannot be compared field by field\n",
                old.display(),
                a.layout.form.id,
                new.display(),
                b.layout.form.id
            ),
            UNREADABLE,
        );
    }
    let changes = diff::compare_bids(a.layout, &a.values, &b.values);
    let code = if changes.is_empty() { OK } else { FINDINGS };
    let s = match format {
        DiffFormat::Json => json_or_err(&serde_json::json!({
            "old": old.display().to_string(),
            "new": new.display().to_string(),
            "changes": changes,
        })),
        DiffFormat::Csv => changes_csv(&changes),
        DiffFormat::Text => changes_text(old, new, &changes),
    };
    Outcome::out(s, code)
}

/// One compared pair of `diff_dirs`: bid id, old file, new file, changes.
type PairDiff = (String, PathBuf, PathBuf, Result<Vec<Change>, String>);

/// `bpt diff OLD_DIR NEW_DIR`: pairs the bids of two folders by
/// contract-plan-segment and reports what changed in each pair, and which
/// bids are only in one folder. Unreadable files are reported and skipped.
pub fn diff_dirs(old: &Path, new: &Path, format: DiffFormat) -> Outcome {
    use rayon::prelude::*;
    use std::collections::BTreeMap;
    struct Side {
        by_id: BTreeMap<String, PathBuf>,
        unreadable: Vec<String>,
    }
    let scan = |dir: &Path| {
        let files = expand_paths(&[dir.to_path_buf()]);
        let read: Vec<(PathBuf, Result<String, String>)> = files
            .par_iter()
            .map(|p| {
                let r = isolated(|| {
                    reader::read_bid(p)
                        .map(|b| bid_id(&b).display())
                        .map_err(|e| e.to_string())
                })
                .and_then(|r| r);
                (p.clone(), r)
            })
            .collect();
        let mut side = Side {
            by_id: BTreeMap::new(),
            unreadable: Vec::new(),
        };
        for (p, r) in read {
            match r {
                Ok(id) => {
                    if let Some(prev) = side.by_id.insert(id.clone(), p.clone()) {
                        side.unreadable.push(format!(
                            "{}: same bid {id} as {}; compared only the later file",
                            prev.display(),
                            p.display()
                        ));
                    }
                }
                Err(e) => side.unreadable.push(e),
            }
        }
        side
    };
    let (a, b) = (scan(old), scan(new));
    let mut pairs = Vec::new();
    let mut only_old = Vec::new();
    let mut only_new = Vec::new();
    for (id, p) in &a.by_id {
        match b.by_id.get(id) {
            Some(q) => pairs.push((id.clone(), p.clone(), q.clone())),
            None => only_old.push((id.clone(), p.clone())),
        }
    }
    for (id, q) in &b.by_id {
        if !a.by_id.contains_key(id) {
            only_new.push((id.clone(), q.clone()));
        }
    }
    let results: Vec<PairDiff> = pairs
        .into_par_iter()
        .map(|(id, p, q)| {
            let r = isolated(|| {
                let x = reader::read_bid(&p).map_err(|e| e.to_string())?;
                let y = reader::read_bid(&q).map_err(|e| e.to_string())?;
                if x.layout.form.id != y.layout.form.id {
                    return Err(format!(
                        "{} is a {} form, {} a {} form",
                        p.display(),
                        x.layout.form.id,
                        q.display(),
                        y.layout.form.id
                    ));
                }
                Ok(diff::compare_bids(x.layout, &x.values, &y.values))
            })
            .and_then(|r| r);
            (id, p, q, r)
        })
        .collect();
    let changed = results
        .iter()
        .any(|r| r.3.as_ref().is_ok_and(|c| !c.is_empty()))
        || !only_old.is_empty()
        || !only_new.is_empty();
    let broken = !a.unreadable.is_empty()
        || !b.unreadable.is_empty()
        || results.iter().any(|r| r.3.is_err());
    let code = if broken {
        UNREADABLE
    } else if changed {
        FINDINGS
    } else {
        OK
    };
    let s = match format {
        DiffFormat::Json => json_or_err(&serde_json::json!({
            "old": old.display().to_string(),
            "new": new.display().to_string(),
            "pairs": results.iter().map(|(id, p, q, r)| serde_json::json!({
                "bid": id,
                "old": p.display().to_string(),
                "new": q.display().to_string(),
                "changes": r.as_ref().ok(),
                "error": r.as_ref().err(),
            })).collect::<Vec<_>>(),
            "only_old": only_old.iter().map(|(id, p)| serde_json::json!({"bid": id, "path": p.display().to_string()})).collect::<Vec<_>>(),
            "only_new": only_new.iter().map(|(id, p)| serde_json::json!({"bid": id, "path": p.display().to_string()})).collect::<Vec<_>>(),
            "unreadable": a.unreadable.iter().chain(&b.unreadable).collect::<Vec<_>>(),
        })),
        DiffFormat::Csv => {
            // One table: the bid, then the columns of `diff OLD NEW`.
            let mut header = vec!["bid"];
            header.extend(CHANGE_HEADER);
            let rows = results.iter().flat_map(|(id, _, _, r)| {
                r.iter().flatten().map(move |c| {
                    std::iter::once(id.clone())
                        .chain(change_row(c))
                        .collect::<Vec<String>>()
                })
            });
            crate::sanitize::csv(&header, rows)
        }
        DiffFormat::Text => {
            use crate::sanitize::{echo, path, visible};
            let mut o = String::new();
            for (id, p, q, r) in &results {
                let id = echo(id);
                match r {
                    Ok(c) if c.is_empty() => o.push_str(&format!("{id}: unchanged\n")),
                    Ok(c) => {
                        o.push_str(&format!("── {id} ──\n"));
                        o.push_str(&changes_text(p, q, c));
                    }
                    Err(e) => o.push_str(&format!("{id}: could not compare: {}\n", visible(e))),
                }
            }
            for (id, p) in &only_old {
                o.push_str(&format!(
                    "{}: only in {} ({})\n",
                    echo(id),
                    path(old),
                    path(p)
                ));
            }
            for (id, q) in &only_new {
                o.push_str(&format!(
                    "{}: only in {} ({})\n",
                    echo(id),
                    path(new),
                    path(q)
                ));
            }
            for e in a.unreadable.iter().chain(&b.unreadable) {
                o.push_str(&format!("could not read: {}\n", visible(e)));
            }
            o.push_str(&format!(
                "{} pair(s) compared, {} changed, {} only in {}, {} only in {}\n",
                results.len(),
                results
                    .iter()
                    .filter(|r| r.3.as_ref().is_ok_and(|c| !c.is_empty()))
                    .count(),
                only_old.len(),
                path(old),
                only_new.len(),
                path(new)
            ));
            o
        }
    };
    Outcome::out(s, code)
}

fn changes_text(old: &Path, new: &Path, c: &[Change]) -> String {
    use crate::sanitize::visible as v;
    let mut o = format!(
        "{} → {}: {} field(s) changed\n",
        crate::sanitize::path(old),
        crate::sanitize::path(new),
        c.len()
    );
    let mut sheet = String::new();
    for x in c {
        if x.sheet != sheet {
            sheet = x.sheet.clone();
            o.push_str(&format!("  ── {} ──\n", v(&sheet)));
        }
        let role = match x.role {
            crate::template::Role::Input => "input",
            crate::template::Role::Cms => "cms",
            _ => "calc",
        };
        o.push_str(&format!(
            "  {:<6} [{role}] {} ({}): {} → {}",
            v(&x.cell),
            v(&x.label),
            v(&x.field),
            shown(&x.old),
            shown(&x.new)
        ));
        if let Some(d) = x.difference {
            o.push_str(&format!(" ({:+})", d.normalize()));
        }
        o.push('\n');
    }
    o
}

/// The columns of `bpt diff OLD NEW --format csv`.
const CHANGE_HEADER: [&str; 7] = [
    "field",
    "sheet",
    "cell",
    "label",
    "old",
    "new",
    "difference",
];

fn change_row(x: &Change) -> [String; 7] {
    [
        x.field.clone(),
        x.sheet.clone(),
        x.cell.clone(),
        x.label.clone(),
        csv_value(&x.old),
        csv_value(&x.new),
        x.difference
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
    ]
}

fn changes_csv(c: &[Change]) -> String {
    crate::sanitize::csv(&CHANGE_HEADER, c.iter().map(change_row))
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

/// How many files of a batch are worked on at once: the number of cores
/// (or `BPT_JOBS`, when set to a number ≥ 1), never more than the number of
/// files. Each worker holds one workbook at a time, so a batch's peak
/// memory is about this many workbooks' worth plus one small report per
/// file, whatever the number of files.
pub fn batch_threads(files: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = std::env::var("BPT_JOBS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&j| j >= 1)
        .unwrap_or(cores);
    jobs.min(files).max(1)
}

/// Runs `work`, turning a panic into an error message: the last line of
/// defence that keeps one file from stopping a batch. (No input is meant to
/// reach a panic; a message from here is a bug in `bpt`.)
pub fn isolated<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        format!(
            "internal error: bpt failed on this file ({what}); the other files were checked. \
             This is a bug in bpt: please report it with the file"
        )
    })
}

/// Runs `check` on every file of a batch, each isolated ([`isolated`]: a
/// panic becomes that file's error, the rest go on), on at most
/// [`batch_threads`] threads, keeping the files' order. With `progress`, a
/// progress bar is drawn on stderr (only when it is a terminal).
pub fn check_files(
    files: &[PathBuf],
    progress: bool,
    check: impl Fn(&Path) -> FileReport + Sync,
) -> Vec<FileReport> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use rayon::prelude::*;
    use std::io::IsTerminal;
    let bar = if progress && files.len() > 1 && std::io::stderr().is_terminal() {
        let b =
            ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} validating {pos}/{len} [{bar:30}] {eta} {msg}")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let one = |p: &PathBuf| {
        let r = isolated(|| check(p)).unwrap_or_else(|error| FileReport {
            path: p.display().to_string(),
            bid: None,
            error: Some(error),
            figures: None,
            findings: Vec::new(),
        });
        bar.inc(1);
        r
    };
    let reports: Vec<FileReport> = match rayon::ThreadPoolBuilder::new()
        .num_threads(batch_threads(files.len()))
        .build()
    {
        Ok(pool) => pool.install(|| files.par_iter().map(one).collect()),
        // No thread could be started: one file after the other.
        Err(_) => files.iter().map(one).collect(),
    };
    bar.finish_and_clear();
    reports
}

/// Validates many files in parallel, keeping their order ([`check_files`]:
/// bounded threads, each file isolated). Each file is read, checked and
/// dropped before its report is kept, so memory stays flat in the number
/// of files.
pub fn validate_files(
    files: &[PathBuf],
    opts: &ValidateOptions,
    progress: bool,
) -> Vec<FileReport> {
    check_files(files, progress, |p| validate_file(p, opts))
}

/// Whether a file name is one of `bpt`'s own backups
/// (`NAME.YYYYMMDD-HHMMSS.backup.EXT`, written by `finalize --backup`),
/// which folder and glob expansion skip.
///
/// ```
/// assert!(bpt::app::is_bpt_backup("bid.20261201-093000.backup.xlsx"));
/// assert!(!bpt::app::is_bpt_backup("bid.xlsx"));
/// ```
pub fn is_bpt_backup(name: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\.[0-9]{8}-[0-9]{6}(-[0-9]+)?\.backup\.[A-Za-z]+$").ok()
    });
    RE.as_ref().is_some_and(|re| re.is_match(name))
}

/// Whether a file found in a folder or by a glob is one `bpt` leaves out:
/// an Excel lock file (`~$…`) or a `bpt` backup.
fn is_skipped_name(f: &Path) -> bool {
    f.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("~$") || is_bpt_backup(n))
}

/// Whether a file found in a folder is a workbook to check: a workbook
/// extension, and not a lock file or backup.
fn is_workbook_name(f: &Path) -> bool {
    !is_skipped_name(f)
        && f.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&x.to_ascii_lowercase().as_str())
        })
}

/// The files a glob pattern names, walking from its literal leading
/// directories without following directory symlinks (so a link loop
/// cannot hang the walk or repeat files). `*`, `?` and `[…]` stay within
/// one path component and do not match a leading dot; `**` matches any
/// number of directories. `None` when the pattern is not a valid glob.
fn glob_files(pattern: &str) -> Option<Vec<PathBuf>> {
    let mut base = PathBuf::new();
    let mut rest: Vec<String> = Vec::new();
    let mut deep = false;
    for c in Path::new(pattern).components() {
        let s = c.as_os_str().to_string_lossy();
        if rest.is_empty() && !s.contains(['*', '?', '[']) {
            base.push(c);
        } else {
            deep |= s.contains("**");
            rest.push(s.into_owned());
        }
    }
    if rest.is_empty() {
        return None;
    }
    let pat = glob::Pattern::new(&rest.join("/")).ok()?;
    let opts = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let root = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base.clone()
    };
    let mut walk = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .min_depth(1);
    if !deep {
        walk = walk.max_depth(rest.len());
    }
    let mut found: Vec<PathBuf> = walk
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let t = e.file_type();
            t.is_file() || (t.is_symlink() && e.path().is_file())
        })
        .filter(|e| {
            e.path()
                .strip_prefix(&root)
                .is_ok_and(|rel| pat.matches_path_with(rel, opts))
        })
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap_or(e.path());
            base.join(rel)
        })
        .filter(|f| !is_skipped_name(f))
        .collect();
    found.sort();
    Some(found)
}

/// Expands the paths given on the command line: a directory stands for the
/// workbooks in it (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`, not
/// recursively, skipping `~$` lock files and `bpt`'s own backups), in name
/// order; a glob the shell did not expand (quoted, or on Windows) is
/// expanded without following directory symlinks. Each file appears once
/// however often and however it was named (the same device and inode on
/// Unix, the same canonical path elsewhere): the first name given is kept.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut listed = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| f.is_file() && is_workbook_name(f))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            listed.extend(found);
        } else if !p.exists()
            && let Some(pattern) = p.to_str().filter(|s| s.contains(['*', '?', '[']))
        {
            match glob_files(pattern) {
                Some(found) if !found.is_empty() => listed.extend(found),
                // Nothing matched: the pattern is reported as not found.
                _ => listed.push(p.clone()),
            }
        } else {
            listed.push(p.clone());
        }
    }
    let mut seen_files = std::collections::HashSet::new();
    let mut seen_names = std::collections::HashSet::new();
    listed
        .into_iter()
        .filter(|p| match crate::writer::file_identity(p) {
            Some(id) => seen_files.insert(id),
            None => seen_names.insert(p.clone()),
        })
        .collect()
}

/// `bpt validate FILE…`: validates every workbook (directories and glob
/// patterns expand to the workbooks they hold) in parallel. With more than
/// one file, the text report ends with the batch summary table; `summary`
/// writes that table to a `.csv` or `.json` file, under the output policy
/// of [`crate::writer::save_atomic`] (never over an input — a workbook or
/// the `bpt.toml` that was loaded —, never over an existing file without
/// `force`); it is checked before any file is validated.
pub fn validate(
    paths: &[PathBuf],
    format: report::Format,
    opts: &ValidateOptions,
    summary: Option<&Path>,
    force: bool,
) -> Outcome {
    let files = expand_paths(paths);
    if files.is_empty() {
        return Outcome::err("bpt: no workbooks to validate\n".into(), UNREADABLE);
    }
    // The loaded bpt.toml is an input as much as the workbooks are.
    let inputs = files
        .iter()
        .cloned()
        .chain(opts.selection.origin.config.iter().cloned());
    let guard = crate::writer::SaveGuard::new(force).protect_all(inputs);
    if let Some(path) = summary
        && let Err(e) = guard.check(path)
    {
        return Outcome::err(
            format!("bpt: not writing the summary: {e}; nothing was validated\n"),
            UNREADABLE,
        );
    }
    let reports = validate_files(&files, opts, true);
    let code = exit_code(&reports);
    let config = report::RunConfig::new(&opts.selection, opts.tolerance);
    let mut out = report::render_with(&reports, format, Some(&config));
    if format == report::Format::Text && reports.len() > 1 {
        out.push('\n');
        out.push_str(&report::summary_table(&reports));
    }
    let mut o = Outcome::out(out, code);
    if let Some(path) = summary {
        let text = match path.extension().and_then(|x| x.to_str()) {
            Some(x) if x.eq_ignore_ascii_case("json") => report::summary_json(&reports),
            _ => report::summary_csv(&reports),
        };
        if let Err(e) = write_text_atomic(path, &text, &guard) {
            o.stderr = format!("bpt: could not write the summary: {e}\n");
            o.code = UNREADABLE;
        }
    }
    o
}

/// Writes a text file (a summary, a report given with `-o`) under the one
/// output policy of [`crate::writer::save_atomic`].
pub fn write_text_atomic(
    path: &Path,
    text: &str,
    guard: &crate::writer::SaveGuard,
) -> Result<(), crate::writer::WriteError> {
    crate::writer::save_atomic(text.as_bytes(), path, guard)
}

/// 2 when any file was unreadable, else 1 when any error finding, else 0.
pub fn exit_code(reports: &[FileReport]) -> i32 {
    if reports.iter().any(|r| r.error.is_some()) {
        UNREADABLE
    } else if reports.iter().any(|r| r.count(Severity::Error) > 0) {
        FINDINGS
    } else {
        OK
    }
}

/// `bpt rules [--json]`.
pub fn list_rules(json: bool) -> Outcome {
    let all = rules::registry();
    if json {
        return Outcome::out(
            serde_json::to_string_pretty(&all).unwrap_or_default() + "\n",
            OK,
        );
    }
    let mut o = String::new();
    for r in all {
        o.push_str(&format!(
            "{:<5} {:<8} {}{}\n      {}\n",
            r.id,
            r.severity.to_string(),
            r.name,
            if r.blocks_finalize {
                " (blocks finalization)"
            } else {
                ""
            },
            r.source
        ));
    }
    Outcome::out(o, OK)
}

/// `bpt explain ID`.
pub fn explain(id: &str) -> Outcome {
    match rules::rule(id) {
        Some(r) => Outcome::out(
            format!(
                "{} ({}) — {}{}\nsource: {}\n\n{}\n",
                r.id,
                r.name,
                r.severity,
                if r.blocks_finalize {
                    ", blocks finalization"
                } else {
                    ""
                },
                r.source,
                r.doc
            ),
            OK,
        ),
        None => Outcome::err(
            format!("bpt: no rule `{id}` (`bpt rules` lists them)\n"),
            UNREADABLE,
        ),
    }
}

/// Arguments of `bpt template`.
#[derive(Debug, Default)]
pub struct TemplateArgs {
    /// Template id.
    pub id: Option<String>,
    /// Output workbook.
    pub output: Option<PathBuf>,
    /// Replace an existing output.
    pub force: bool,
    /// List the shipped templates.
    pub list: bool,
    /// A template file to check.
    pub check: Option<PathBuf>,
    /// Print the resolved layout as JSON.
    pub json: bool,
}

fn layout_summary(l: &crate::template::Layout) -> String {
    let calc = l.fields.iter().filter(|f| f.role.is_calculated()).count();
    let inputs = l
        .fields
        .iter()
        .filter(|f| f.role == crate::template::Role::Input)
        .count();
    format!(
        "{} — {} {} ({} sheets, {} tables, {} fields: {} input, {} calculated)",
        l.form.id,
        l.form.title,
        l.form.contract_year,
        l.sheets.len(),
        l.tables.len(),
        l.fields.len(),
        inputs,
        calc
    )
}

/// What `bpt template --check` says of a layout overlay.
fn overlay_report(l: &crate::template::Layout) -> String {
    let Some(ov) = &l.overlay else {
        return String::new();
    };
    let mut o = format!("ok: {} (overlay of {})\n", layout_summary(l), ov.extends);
    let renamed: Vec<String> = ov
        .sheets
        .iter()
        .filter(|(b, n)| b != n)
        .map(|(b, n)| format!("{b} → `{n}`"))
        .collect();
    o.push_str(&format!(
        "sheets: {}\n",
        if renamed.is_empty() {
            "names as in the base".to_string()
        } else {
            renamed.join(", ")
        }
    ));
    if !ov.extras.is_empty() {
        o.push_str(&format!(
            "extra (read and reported only): {}\n",
            ov.extras.join(", ")
        ));
    }
    if ov.recognize.is_empty() {
        o.push_str("recognised by: nothing (use it with --template)\n");
    } else {
        let rules: Vec<String> = ov
            .recognize
            .iter()
            .map(|r| match (&r.cell, &r.pattern, &r.contains) {
                (Some(c), Some(p), _) => format!("{}!{c} matches `{p}`", r.sheet),
                (Some(c), None, Some(w)) => format!("{}!{c} contains `{w}`", r.sheet),
                (None, _, Some(w)) => format!("`{}` shows `{w}`", r.sheet),
                _ => format!("sheet `{}`", r.sheet),
            })
            .collect();
        o.push_str(&format!("recognised by: {}\n", rules.join(" and ")));
    }
    if ov.unplaced.is_empty() {
        o.push_str("unplaced: none (every field's sheet or table is stated)\n");
    } else {
        o.push_str(&format!(
            "unplaced: {} field(s)/table(s) on sheets the overlay does not mention, read at the \
             base template's cells: {}\n",
            ov.unplaced.len(),
            ov.unplaced.join(", ")
        ));
    }
    o
}

/// `bpt template`.
pub fn template(a: TemplateArgs) -> Outcome {
    use crate::template::{self, Layout};
    if a.list {
        let mut o = String::new();
        for (id, text) in template::BUILTIN {
            match Layout::from_toml(text) {
                Ok(l) => o.push_str(&format!("{}\n", layout_summary(&l))),
                Err(e) => o.push_str(&format!("{id} — does not load: {e}\n")),
            }
        }
        return Outcome::out(o, OK);
    }
    let layout = if let Some(path) = &a.check {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return Outcome::err(format!("bpt: {}: {e}\n", path.display()), UNREADABLE),
        };
        let checked = match Layout::check_toml(&text) {
            Ok(c) => c,
            Err(e) => return Outcome::err(format!("bpt: {}: {e}\n", path.display()), FINDINGS),
        };
        if !checked.collisions.is_empty() {
            let mut m = format!(
                "bpt: {}: template {}: {} cell(s) claimed twice:\n",
                path.display(),
                checked.id,
                checked.collisions.len()
            );
            for c in &checked.collisions {
                m.push_str(&format!("  {c}\n"));
            }
            return Outcome::err(m, FINDINGS);
        }
        match checked.layout {
            Ok(l) => {
                if l.overlay.is_some() && !a.json && a.output.is_none() {
                    return Outcome::out(overlay_report(&l), OK);
                }
                l
            }
            Err(e) => return Outcome::err(format!("bpt: {}: {e}\n", path.display()), FINDINGS),
        }
    } else {
        let Some(id) = &a.id else {
            return Outcome::err(
                "bpt: give a template id (`bpt template --list`), or --check FILE\n".into(),
                UNREADABLE,
            );
        };
        match template::builtin(id) {
            Ok(l) => l,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        }
    };
    if a.json {
        return Outcome::out(
            serde_json::to_string_pretty(&layout).unwrap_or_default() + "\n",
            OK,
        );
    }
    let Some(out) = &a.output else {
        let mut msg = format!("ok: {}\n", layout_summary(&layout));
        if a.check.is_none() {
            msg.push_str("(give -o FILE to write the blank form)\n");
        }
        return Outcome::out(msg, OK);
    };
    let bytes = match crate::writer::write_form(
        &layout,
        &crate::value::Values::default(),
        &crate::writer::WriteOptions::default(),
    ) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
    };
    let guard = crate::writer::SaveGuard::new(a.force);
    match crate::writer::save_atomic(&bytes, out, &guard) {
        Ok(()) => Outcome::out(
            format!("wrote {} ({})\n", out.display(), layout_summary(&layout)),
            OK,
        ),
        Err(e) => Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
    }
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

/// How an output command prints its edit list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EditFormat {
    /// One line per edit.
    Text,
    /// JSON: `input`, `output`, `edits` (sheet, cell, what, old, new,
    /// old_formula, why) and `parts` (the package parts that changed).
    Json,
}

/// `bpt recalc FILE [--json] [-o OUT [--format json]]`.
pub fn recalc(path: &Path, json: bool, output: Option<&Path>, force: bool) -> Outcome {
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let r = match evaluate_bid(&bid) {
        Ok(r) => r,
        Err(e) => {
            return Outcome::err(
                format!("bpt: template {}: {e}\n", bid.layout.form.id),
                UNREADABLE,
            );
        }
    };
    if let Some(out) = output {
        if let Err(e) = crate::edit::check_extension(path, out) {
            return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
        }
        let ed = match recalc_package(&bid, &r, path) {
            Ok(x) => x,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        };
        if let Err(o) = save_edited(&ed, path, out, force) {
            return o;
        }
        let n = ed.edits.len();
        return edited_outcome(
            &ed,
            path,
            out,
            json,
            format!(
                "wrote {}: {n} calculated cell(s) whose cached value differed now hold bpt's (formulas kept)\n",
                out.display()
            ),
        );
    }
    if json {
        return Outcome::out(
            serde_json::to_string_pretty(&r.values).unwrap_or_default() + "\n",
            OK,
        );
    }
    let mut o = String::new();
    let mut sheet = "";
    for f in bid.layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let v = r.values.get(&f.id);
        if v.is_empty() {
            continue;
        }
        if f.sheet != sheet {
            sheet = &f.sheet;
            o.push_str(&format!("── {sheet} ──\n"));
        }
        o.push_str(&format!(
            "  {:<6} {:<44} {:>16}  {}\n",
            f.cell.to_string(),
            f.id,
            crate::sanitize::echo(&v.display()),
            f.label
        ));
    }
    Outcome::out(o, OK)
}

/// The input with every calculated cell's cached value set to `bpt`'s
/// (only where it differs; formulas kept; a cell whose formula the actuary
/// replaced with a constant is left alone).
pub fn recalc_package(bid: &Bid, r: &Recalc, path: &Path) -> Result<crate::edit::Edited, String> {
    use crate::package::{CellEdit, Content};
    use std::collections::BTreeMap;
    let mut p = crate::edit::open(path)?;
    let mut by_sheet: BTreeMap<&str, BTreeMap<crate::cellref::CellRef, CellEdit>> = BTreeMap::new();
    for f in bid.layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let v = r.values.get(&f.id);
        if v.is_empty() {
            continue; // bpt has no value: the workbook's stays
        }
        by_sheet.entry(f.sheet.as_str()).or_default().insert(
            f.cell,
            CellEdit {
                content: Some(Content::Cached(crate::edit::scalar(f, v))),
                style: None,
            },
        );
    }
    let mut edits = Vec::new();
    for (sheet, cells) in &by_sheet {
        let applied = p.edit_cells(sheet, cells, &[]).map_err(|e| e.to_string())?;
        for a in applied.iter().filter(|a| a.changed) {
            let new = match cells.get(&a.cell).and_then(|e| e.content.as_ref()) {
                Some(Content::Cached(v)) => v.clone(),
                _ => crate::package::Scalar::Empty,
            };
            edits.push(crate::edit::record(
                sheet,
                a,
                crate::edit::EditKind::CachedValue,
                &new,
                "recomputed by bpt",
            ));
        }
    }
    crate::edit::finish(p, edits).map_err(|e| e.to_string())
}

/// Saves an edited workbook (never over the input; `--force` to replace).
fn save_edited(
    ed: &crate::edit::Edited,
    input: &Path,
    out: &Path,
    force: bool,
) -> Result<(), Outcome> {
    let guard = crate::writer::SaveGuard::new(force).protect(input.to_path_buf());
    crate::writer::save_atomic(&ed.bytes, out, &guard)
        .map_err(|e| Outcome::err(format!("bpt: {e}\n"), UNREADABLE))
}

/// What an output command prints: a headline and the edit list, or JSON.
fn edited_outcome(
    ed: &crate::edit::Edited,
    input: &Path,
    out: &Path,
    json: bool,
    headline: String,
) -> Outcome {
    if json {
        return Outcome::out(json_or_err(&ed.json(input, out)), OK);
    }
    Outcome::out(format!("{headline}{}", ed.text()), OK)
}

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

/// `bpt sample`.
pub fn sample(names: &[String], all: bool, dir: &Path, list: bool, force: bool) -> Outcome {
    use crate::sample;
    let profiles = sample::profiles();
    if list {
        let mut o = String::new();
        for p in &profiles {
            o.push_str(&format!("{:<28} {}\n", p.name, p.description));
        }
        for p in crate::msa_sample::profiles() {
            o.push_str(&format!("{:<28} {}\n", p.name, p.description));
        }
        return Outcome::out(o, OK);
    }
    let msa = crate::msa_sample::profiles();
    let mut msa_chosen: Vec<&crate::msa_sample::MsaProfile> = Vec::new();
    let chosen: Vec<&sample::Profile> = if all {
        msa_chosen = msa.iter().collect();
        profiles.iter().collect()
    } else {
        let mut v = Vec::new();
        for n in names {
            let n = n.trim_end_matches(".xlsx");
            if let Some(m) = msa.iter().find(|p| p.name == n) {
                msa_chosen.push(m);
                continue;
            }
            match profiles.iter().find(|p| p.name == n) {
                Some(p) => v.push(p),
                None => {
                    return Outcome::err(
                        format!("bpt: no sample `{n}` (`bpt sample --list`)\n"),
                        UNREADABLE,
                    );
                }
            }
        }
        v
    };
    if chosen.is_empty() && msa_chosen.is_empty() {
        return Outcome::err(
            "bpt: name samples to write, or --all (`bpt sample --list`)\n".into(),
            UNREADABLE,
        );
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return Outcome::err(format!("bpt: {}: {e}\n", dir.display()), UNREADABLE);
    }
    let mut o = String::new();
    let mut rows = Vec::new();
    if !chosen.is_empty() {
        let layout = match crate::template::builtin_cached("ma-bpt-2013") {
            Ok(l) => l,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        };
        for p in chosen {
            let values = sample::generate(p, layout);
            match write_generated(layout, &values, dir, p.name, force) {
                Ok(line) => o.push_str(&line),
                Err(e) => return Outcome::err(e, UNREADABLE),
            }
            rows.push(sample_row(p, &values));
        }
    }
    if !msa_chosen.is_empty() {
        let layout = match crate::template::builtin_cached("msa-bpt-2013") {
            Ok(l) => l,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        };
        for p in msa_chosen {
            let values = crate::msa_sample::generate(p, layout);
            match write_generated(layout, &values, dir, p.name, force) {
                Ok(line) => o.push_str(&line),
                Err(e) => return Outcome::err(e, UNREADABLE),
            }
            let m = |id: &str| {
                values
                    .num(id)
                    .map(|d| format!("{:.2}", d))
                    .unwrap_or_default()
            };
            rows.push([
                format!("[`{0}.xlsx`]({0}.xlsx)", p.name),
                "MSA".into(),
                format!(
                    "{} (MSA BPT, Appendix H; the bid column is the revenue requirement, the premium column the monthly enrollee deposit)",
                    p.description
                ),
                m("msa.ws4.summary.revenue_requirement"),
                m("msa.ws4.summary.plan_benchmark"),
                "n/a".into(),
                m("msa.ws4.summary.enrollee_deposit"),
            ]);
        }
    }
    if all {
        let index = sample_index(&rows);
        let out = dir.join("README.md");
        let guard = crate::writer::SaveGuard::new(force);
        if let Err(e) = crate::writer::save_atomic(index.as_bytes(), &out, &guard) {
            return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
        }
        o.push_str(&format!("wrote {}\n", out.display()));
    }
    Outcome::out(o, OK)
}

/// Writes a generated bid as `DIR/NAME.xlsx`; returns the `wrote …` line.
fn write_generated(
    layout: &crate::template::Layout,
    values: &Values,
    dir: &Path,
    name: &str,
    force: bool,
) -> Result<String, String> {
    let bytes = crate::writer::write_form(layout, values, &crate::writer::WriteOptions::default())
        .map_err(|e| format!("bpt: {name}: {e}\n"))?;
    let out = dir.join(format!("{name}.xlsx"));
    let guard = crate::writer::SaveGuard::new(force);
    crate::writer::save_atomic(&bytes, &out, &guard).map_err(|e| format!("bpt: {e}\n"))?;
    Ok(format!("wrote {}\n", out.display()))
}

fn sample_row(p: &crate::sample::Profile, v: &Values) -> [String; 7] {
    let m = |id: &str| v.num(id).map(|d| format!("{:.2}", d)).unwrap_or_default();
    [
        format!("[`{0}.xlsx`]({0}.xlsx)", p.name),
        p.plan_type.to_string(),
        p.description.to_string(),
        m("ws5.bid.plan_bid"),
        m("ws5.bid.plan_benchmark"),
        m("ws5.savings.rebate"),
        m("ws6.premium.total_plan_premium"),
    ]
}

fn sample_index(rows: &[[String; 7]]) -> String {
    let mut s = String::from(
        "# Sample bids\n\n\
         Generated by `bpt sample --all -o sample-bids/` (deterministic: the same \
         command writes byte-identical files). Each is a plausible CY2013 MA bid \
         whose calculated cells hold `bpt`'s own values; each passes \
         `bpt validate` with no errors and `bpt diff` with no differences. \
         Broken twins, one per rule family, are in [`broken/`](broken/README.md).\n\n\
         | file | plan type | what it exercises | plan A/B bid | benchmark | rebate | total plan premium |\n\
         |---|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    s
}

/// `bpt sample --broken -o DIR`: the broken twins and their index.
pub fn sample_broken(dir: &Path, force: bool) -> Outcome {
    if let Err(e) = std::fs::create_dir_all(dir) {
        return Outcome::err(format!("bpt: {}: {e}\n", dir.display()), UNREADABLE);
    }
    let guard = crate::writer::SaveGuard::new(force);
    let mut o = String::new();
    let mut index = String::from(
        "# Broken sample bids\n\n\
         Each file is a valid sample from `..` with one described edit that \
         triggers the rule named and no unrelated error. Generated by \
         `bpt sample --broken -o sample-bids/broken/`; `tests/samples.rs` pins \
         each file's findings.\n\n\
         | file | rule | made from | edit |\n|---|---|---|---|\n",
    );
    for t in crate::broken::twins() {
        let (values, layout) = match crate::broken::make(&t) {
            Ok(v) => v,
            Err(e) => return Outcome::err(format!("bpt: {}: {e}\n", t.name), UNREADABLE),
        };
        match write_generated(layout, &values, dir, t.name, force) {
            Ok(line) => o.push_str(&line),
            Err(e) => return Outcome::err(e, UNREADABLE),
        }
        index.push_str(&format!(
            "| [`{0}.xlsx`]({0}.xlsx) | {1} | [`{2}.xlsx`](../{2}.xlsx) | {3} |\n",
            t.name, t.rule, t.base, t.description
        ));
    }
    let out = dir.join("README.md");
    if let Err(e) = crate::writer::save_atomic(index.as_bytes(), &out, &guard) {
        return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
    }
    o.push_str(&format!("wrote {}\n", out.display()));
    Outcome::out(o, OK)
}

/// `bpt finalize FILE -o OUT [--backup] [--force] [--record FILE] [--format json]`.
pub fn finalize(
    path: &Path,
    out: &Path,
    force: bool,
    backup: bool,
    tolerance: Decimal,
    record: Option<&Path>,
    json: bool,
) -> Outcome {
    use crate::finalize::Finalized;
    if let Err(e) = crate::edit::check_extension(path, out) {
        return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
    }
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    // Text from the workbook is shown shortened, with visible escapes.
    use crate::sanitize::{path as shown_path, visible};
    let who = crate::sanitize::echo(&bid_id(&bid).display());
    match crate::finalize::finalize(&bid, tolerance, path) {
        Err(e) => Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        Ok(Finalized::Blocked(blockers)) => {
            let mut s = format!(
                "bpt: {} ({who}) cannot be finalized: {} error(s) stand\n",
                shown_path(path),
                blockers.len()
            );
            for b in &blockers {
                let f = &b.finding;
                let loc = if f.cell.is_empty() {
                    visible(&f.sheet).into_owned()
                } else {
                    format!("{}!{}", visible(&f.sheet), visible(&f.cell))
                };
                s.push_str(&format!(
                    "  {} {loc}: {}{}\n",
                    f.rule,
                    visible(&f.message),
                    if b.cms_check {
                        " [the CMS form's finalization check]"
                    } else {
                        ""
                    }
                ));
            }
            s.push_str("nothing was written\n");
            Outcome {
                stdout: String::new(),
                stderr: s,
                code: FINDINGS,
            }
        }
        Ok(Finalized::Done {
            edited,
            changes,
            remaining,
        }) => {
            let guard = crate::writer::SaveGuard::new(force).protect(path.to_path_buf());
            // Every check before any write: a refused command leaves no
            // backup and no record.
            if let Err(e) = guard.check(out) {
                return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
            }
            if let Some(rec) = record {
                if rec == out {
                    return Outcome::err(
                        "bpt: --record must name a file other than the output\n".into(),
                        UNREADABLE,
                    );
                }
                if let Err(e) = guard.check(rec) {
                    return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
                }
            }
            let mut s = String::new();
            let backup = match backup {
                false => None,
                true => match prepare_backup(path, out) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        return Outcome::err(
                            format!("bpt: backup failed: {e}; nothing was written\n"),
                            UNREADABLE,
                        );
                    }
                },
            };
            if let Some((dest, original)) = &backup {
                let bguard = crate::writer::SaveGuard::new(false)
                    .protect(path.to_path_buf())
                    .protect(out.to_path_buf());
                if let Err(e) = crate::writer::save_atomic(original, dest, &bguard) {
                    return Outcome::err(
                        format!("bpt: backup failed: {e}; nothing was written\n"),
                        UNREADABLE,
                    );
                }
                s.push_str(&format!("backup: {}\n", shown_path(dest)));
            }
            if let Err(e) = crate::writer::save_atomic(&edited.bytes, out, &guard) {
                // Nothing was finalized: the backup made for this run goes too.
                if let Some((dest, _)) = &backup {
                    let _ = std::fs::remove_file(dest);
                }
                return Outcome::err(format!("bpt: {e}; nothing was written\n"), UNREADABLE);
            }
            s.push_str(&format!(
                "finalized {} ({who}) → {}\n",
                shown_path(path),
                shown_path(out)
            ));
            for c in &changes {
                if c.sheet.is_empty() {
                    s.push_str(&format!("  {}\n", visible(&c.what)));
                } else {
                    s.push_str(&format!("  {}: {}\n", visible(&c.sheet), visible(&c.what)));
                }
            }
            if !remaining.is_empty() {
                s.push_str(&format!(
                    "  {} warning/info finding(s) remain (bpt validate lists them)\n",
                    remaining.len()
                ));
            }
            s.push_str("edits:\n");
            s.push_str(&edited.text());
            let mut j = edited.json(path, out);
            j["changes"] = serde_json::to_value(&changes).unwrap_or_default();
            j["remaining_findings"] = serde_json::json!(remaining.len());
            let j = json_or_err(&j);
            if let Some(rec) = record {
                let is_json = rec
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let body = if is_json { j.clone() } else { s.clone() };
                let guard = crate::writer::SaveGuard::new(force)
                    .protect(path.to_path_buf())
                    .protect(out.to_path_buf());
                if let Err(e) = crate::writer::save_atomic(body.as_bytes(), rec, &guard) {
                    return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
                }
            }
            Outcome::out(if json { j } else { s }, OK)
        }
    }
}

/// Where `finalize --backup` keeps the copy of the input and the bytes to
/// copy: `STEM.YYYYMMDD-HHMMSS.backup.EXT` beside the output (folder and
/// glob expansion skip these names). Checked like every output: never an
/// existing file, never the input or the output.
fn prepare_backup(path: &Path, out: &Path) -> Result<(PathBuf, Vec<u8>), String> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let stem = path.file_stem().and_then(|x| x.to_str()).unwrap_or("bid");
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
    let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("xlsx");
    let name = format!("{stem}.{stamp}.backup.{ext}");
    let dest = dir.map_or(PathBuf::from(&name), |d| d.join(&name));
    if out.file_name() == dest.file_name() {
        return Err(format!(
            "{} is the name the backup would take",
            out.display()
        ));
    }
    crate::writer::SaveGuard::new(false)
        .protect(path.to_path_buf())
        .check(&dest)
        .map_err(|e| e.to_string())?;
    let original =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok((dest, original))
}

/// What `bpt reallocate` was told was announced.
#[derive(Debug, Clone, Default)]
pub struct AnnouncedArgs {
    /// The actual Part D basic premium before rebates (new line 7a).
    pub part_d_basic_premium: Option<Decimal>,
    /// The plan's low-income premium subsidy amount.
    pub lipsa: Option<Decimal>,
    /// RPPOs: the published standardized regional benchmark.
    pub regional_benchmark: Option<Decimal>,
    /// RPPOs: the new MA rebate, when known directly.
    pub ma_rebate: Option<Decimal>,
}

/// A bid's values with every calculated cell as `bpt` recomputes it.
fn bid_with_calc(bid: &Bid) -> Values {
    let r = recalc_bid(bid);
    let mut v = bid.layout.entered_values(&bid.values);
    for (id, val) in r.values.iter_unordered() {
        v.set(id, val.clone());
    }
    v
}

/// `bpt reallocate JUNE.xlsx --part-d-basic-premium X [--lipsa Y]
/// [--regional-benchmark Z] [-o OUT --option N]`: Appendix E for one June
/// bid; with `-o`, writes the resubmission workbook for option N (default 1).
pub fn reallocate(
    june_path: &Path,
    a: &AnnouncedArgs,
    json: bool,
    output: Option<(&Path, usize, bool)>,
) -> Outcome {
    use crate::reallocate::{Announcement, June};
    let bid = match reader::read_bid(june_path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let values = bid_with_calc(&bid);
    let june = June::from_values(&values);
    let Some(pd) = a
        .part_d_basic_premium
        .or_else(|| (!june.has_part_d()).then_some(june.part_d_basic_before))
    else {
        return Outcome::err(
            "bpt: give the announced Part D basic premium before rebates: --part-d-basic-premium X\n"
                .into(),
            UNREADABLE,
        );
    };
    let ann = Announcement {
        part_d_basic_before: pd,
        lipsa: a.lipsa,
        regional_benchmark: a.regional_benchmark,
        ma_rebate: a.ma_rebate,
    };
    let r = crate::reallocate::reallocate(&june, &ann);
    let mut s = if json {
        json_or_err(&serde_json::to_value(&r).unwrap_or_default())
    } else {
        format!(
            "{} ({})\n{r}",
            crate::sanitize::path(june_path),
            crate::sanitize::echo(&bid_id(&bid).display())
        )
    };
    if let Some((out, n, force)) = output {
        let Some(p) = r.options.get(n.saturating_sub(1)) else {
            return Outcome::err(
                format!(
                    "bpt: there is no option {n}: {} option(s) for this bid\n",
                    r.options.len()
                ),
                UNREADABLE,
            );
        };
        if let Err(e) = crate::edit::check_extension(june_path, out) {
            return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
        }
        let ed = match reallocate_package(&bid, p, june_path) {
            Ok(x) => x,
            Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
        };
        if let Err(o) = save_edited(&ed, june_path, out, force) {
            return o;
        }
        if json {
            let mut v: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
            v["written"] = ed.json(june_path, out);
            v["written"]["option"] = serde_json::json!(p.label);
            return Outcome::out(json_or_err(&v), OK);
        }
        s.push_str(&format!(
            "wrote {} ({})\n{}",
            out.display(),
            p.label,
            ed.text()
        ));
    }
    Outcome::out(s, OK)
}

/// The June bid's workbook with option `p` applied: the WS6 (and WS4/WS5)
/// entered cells the option changes get their new values, and the cached
/// results of the calculated cells that change with them are recomputed
/// (formulas kept). Nothing else changes.
pub fn reallocate_package(
    bid: &Bid,
    p: &crate::reallocate::Proposal,
    path: &Path,
) -> Result<crate::edit::Edited, String> {
    use crate::edit::{EditKind, record, scalar};
    use crate::package::{CellEdit, Content, Scalar};
    use std::collections::BTreeMap;
    let layout = bid.layout;
    let before = layout.entered_values(&bid.values);
    let mut inputs = before.clone();
    for id in default_overrides(bid) {
        inputs.set(id.clone(), bid.values.get(&id).clone());
    }
    p.apply(&mut inputs);
    let after = calc::recalc(layout, &inputs).values;
    let mut pkg = crate::edit::open(path)?;
    let mut by_sheet: BTreeMap<&str, BTreeMap<crate::cellref::CellRef, (CellEdit, &str)>> =
        BTreeMap::new();
    for f in &layout.fields {
        let edit = if f.role.is_entered() {
            let (old, new) = (before.get(&f.id), inputs.get(&f.id));
            (old != new).then(|| {
                (
                    Content::Value(scalar(f, new)),
                    "the reallocation option's new input",
                )
            })
        } else if f.role.is_calculated() && !after.get(&f.id).is_empty() {
            Some((
                Content::Cached(scalar(f, after.get(&f.id))),
                "recomputed after the reallocation",
            ))
        } else {
            None
        };
        if let Some((c, why)) = edit {
            by_sheet.entry(f.sheet.as_str()).or_default().insert(
                f.cell,
                (
                    CellEdit {
                        content: Some(c),
                        style: None,
                    },
                    why,
                ),
            );
        }
    }
    let mut edits = Vec::new();
    for (sheet, cells) in &by_sheet {
        let plain: BTreeMap<_, _> = cells.iter().map(|(c, (e, _))| (*c, e.clone())).collect();
        let applied = pkg
            .edit_cells(sheet, &plain, &[])
            .map_err(|e| e.to_string())?;
        for a in applied.iter().filter(|a| a.changed) {
            let Some((e, why)) = cells.get(&a.cell) else {
                continue;
            };
            let (kind, new) = match &e.content {
                Some(Content::Cached(v)) => (EditKind::CachedValue, v.clone()),
                Some(Content::Value(v)) => (EditKind::Value, v.clone()),
                _ => (EditKind::Value, Scalar::Empty),
            };
            edits.push(record(sheet, a, kind, &new, *why));
        }
    }
    crate::edit::finish(pkg, edits).map_err(|e| e.to_string())
}

/// `bpt reallocate --check JUNE.xlsx RESUBMITTED.xlsx`: every change that
/// Appendix E does not permit. Exit 1 when any is an error.
pub fn reallocate_check(
    june_path: &Path,
    resub_path: &Path,
    a: &AnnouncedArgs,
    json: bool,
) -> Outcome {
    use crate::reallocate::{Announcement, June, Severity as RSev};
    let read =
        |p: &Path| reader::read_bid(p).map(|b| (June::from_values(&bid_with_calc(&b)), bid_id(&b)));
    let (june, id1) = match read(june_path) {
        Ok(x) => x,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let (resub, id2) = match read(resub_path) {
        Ok(x) => x,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let implied = Announcement::implied_by(&resub);
    let ann = Announcement {
        part_d_basic_before: a
            .part_d_basic_premium
            .unwrap_or(implied.part_d_basic_before),
        lipsa: a.lipsa,
        regional_benchmark: a.regional_benchmark,
        ma_rebate: a.ma_rebate.or(implied.ma_rebate),
    };
    let v = crate::reallocate::check(&june, &resub, &ann);
    let errors = v.iter().filter(|x| x.severity == RSev::Error).count();
    let code = if errors > 0 { FINDINGS } else { OK };
    let s = if json {
        json_or_err(&serde_json::json!({
            "june": june_path.display().to_string(),
            "resubmitted": resub_path.display().to_string(),
            "violations": v,
        }))
    } else {
        let mut s = format!(
            "{} ({}) → {} ({})\n",
            crate::sanitize::path(june_path),
            crate::sanitize::echo(&id1.display()),
            crate::sanitize::path(resub_path),
            crate::sanitize::echo(&id2.display())
        );
        if v.is_empty() {
            s.push_str("every change is one Appendix E permits\n");
        }
        for x in &v {
            s.push_str(&format!("  {x}\n"));
        }
        s.push_str(&format!("{errors} change(s) Appendix E does not permit\n"));
        s
    };
    Outcome::out(s, code)
}
