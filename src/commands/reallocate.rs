//! `bpt reallocate`: Appendix E rebate reallocation and resubmission checks.

use super::files::save_edited;
use super::pipeline::{bid_id, default_overrides};
use super::render::{DataFormat, edits_csv, json_or_err};
use super::{FINDINGS, OK, Outcome, UNREADABLE};
use crate::reader::{self, Bid};
use rust_decimal::Decimal;
use std::path::Path;

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

/// `bpt reallocate JUNE.xlsx --part-d-basic-premium X [--lipsa Y]
/// [--regional-benchmark Z] [-o OUT --option N]`: Appendix E for one June
/// bid; with `-o`, writes the resubmission workbook for option N (default 1).
pub fn reallocate(
    june_path: &Path,
    a: &AnnouncedArgs,
    format: DataFormat,
    output: Option<(&Path, usize, bool)>,
) -> Outcome {
    let json = format == DataFormat::Json;
    use crate::reallocate::{Announcement, June};
    let bid = match reader::read_bid(june_path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let wb = match crate::reallocate::Workbench::new(bid.form) {
        Ok(w) => w,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), UNREADABLE),
    };
    let june = June::from_values(&wb, &bid.values);
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
    let r = crate::reallocate::reallocate(&wb, &june, &ann);
    let mut s = if json {
        json_or_err(&serde_json::to_value(&r).unwrap_or_default())
    } else if format == DataFormat::Csv {
        options_csv(&r)
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
        if format == DataFormat::Csv {
            return Outcome::out(edits_csv(&ed), OK);
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
    let after = crate::form::recalc(bid.form, &inputs).values;
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
    format: DataFormat,
) -> Outcome {
    use crate::reallocate::{Announcement, June, Severity as RSev};
    let json = format == DataFormat::Json;
    use crate::reallocate::Workbench;
    let read = |p: &Path| -> Result<(June, _, Workbench<'static>), Outcome> {
        let b =
            reader::read_bid(p).map_err(|e| Outcome::err(format!("bpt: {e}\n"), e.exit_code()))?;
        let wb =
            Workbench::new(b.form).map_err(|e| Outcome::err(format!("bpt: {e}\n"), UNREADABLE))?;
        Ok((June::from_values(&wb, &b.values), bid_id(&b), wb))
    };
    let (june, id1, wb) = match read(june_path) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (resub, id2, _) = match read(resub_path) {
        Ok(x) => x,
        Err(o) => return o,
    };
    // Two different bids are no resubmission of one another.
    if id1 != id2 || june.plan_type != resub.plan_type {
        return Outcome::err(
            format!(
                "bpt: {} is {} ({}) but {} is {} ({}): a resubmission is the same contract-plan-segment and plan type as its June bid\n",
                crate::sanitize::path(june_path),
                id1.display(),
                june.plan_type,
                crate::sanitize::path(resub_path),
                id2.display(),
                resub.plan_type,
            ),
            UNREADABLE,
        );
    }
    let implied = Announcement::implied_by(&resub);
    let ann = Announcement {
        part_d_basic_before: a
            .part_d_basic_premium
            .unwrap_or(implied.part_d_basic_before),
        lipsa: a.lipsa,
        regional_benchmark: a.regional_benchmark,
        ma_rebate: a.ma_rebate.or(implied.ma_rebate),
    };
    let v = crate::reallocate::check(&wb, &june, &resub, &ann);
    let errors = v.iter().filter(|x| x.severity == RSev::Error).count();
    let code = if errors > 0 { FINDINGS } else { OK };
    let s = if json {
        json_or_err(&serde_json::json!({
            "june": june_path.display().to_string(),
            "resubmitted": resub_path.display().to_string(),
            "violations": v,
        }))
    } else if format == DataFormat::Csv {
        crate::sanitize::csv(
            &["code", "severity", "rule", "field", "message"],
            v.iter().map(|x| {
                [
                    x.code.to_string(),
                    serde_json::to_value(x.severity)
                        .ok()
                        .and_then(|s| s.as_str().map(String::from))
                        .unwrap_or_default(),
                    x.rule.map(|r| r.to_string()).unwrap_or_default(),
                    x.field.unwrap_or_default().to_string(),
                    x.message.clone(),
                ]
            }),
        )
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

/// `bpt reallocate --format csv`: one row per permissible option, with its
/// allocations and premiums.
fn options_csv(r: &crate::reallocate::Reallocation) -> String {
    let m = |d: Decimal| d.normalize().to_string();
    crate::sanitize::csv(
        &[
            "option",
            "returns_to_target",
            "target",
            "reduce_cost_sharing",
            "other_supplemental",
            "part_b",
            "part_d_basic",
            "part_d_supplemental",
            "unallocated",
            "part_d_basic_premium",
            "total_plan_premium",
            "benefit_change",
        ],
        r.options.iter().map(|p| {
            let a = &p.figures.allocations;
            [
                p.label.clone(),
                p.returns_to_target.to_string(),
                p.target.map(m).unwrap_or_default(),
                m(a.reduce_cost_sharing),
                m(a.other_supplemental),
                m(a.part_b),
                m(a.part_d_basic),
                m(a.part_d_supplemental),
                m(p.figures.unallocated),
                m(p.figures.part_d_basic_premium),
                m(p.figures.total_plan_premium),
                m(p.benefit_change),
            ]
        }),
    )
}
