//! `bpt sample`: the deterministic sample bids and their broken twins.

use super::{OK, Outcome, UNREADABLE};
use crate::value::Values;
use std::path::Path;

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

/// `bpt sample --broken --list`: the broken twins, one a line (name, the
/// rule it triggers, the sample it is made from); nothing is written.
pub fn sample_broken_list() -> Outcome {
    let mut o = String::new();
    for t in crate::broken::twins() {
        o.push_str(&format!(
            "{:<34} {:<5} from {:<26} {}\n",
            t.name, t.rule, t.base, t.description
        ));
    }
    Outcome::out(o, OK)
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
         triggers the rule named and no error unrelated to the edit (where the \
         edit necessarily breaks a second rule, the edit column names it). Generated by \
         `bpt sample --broken -o sample-bids/broken/`; `tests/all/samples.rs` pins \
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
