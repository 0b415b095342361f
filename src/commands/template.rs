//! `bpt template`: the shipped templates, a blank form, a template check.

use super::{FINDINGS, OK, Outcome, UNREADABLE};
use std::path::PathBuf;

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

/// Every field (and fact) a part of `bpt` needs that the template lacks,
/// one line each naming the part: Appendix E's fields, then what the
/// validation rules read ([`crate::rules::needs`]).
pub fn missing_ids(l: &crate::template::Layout) -> Vec<String> {
    let mut out = Vec::new();
    if l.form.family == crate::template::facts::Family::Ma {
        for id in crate::reallocate::FIELDS {
            if l.field(id).is_none() {
                out.push(format!("reallocate (Appendix E) needs field `{id}`"));
            }
        }
        if l.facts.rebate_levels.is_empty() {
            out.push(
                "reallocate (Appendix E) needs the rebate levels (`[form.facts] rebate_levels`)"
                    .into(),
            );
        }
    }
    match crate::rules::needs::missing(l) {
        Ok(m) => out.extend(m),
        Err(e) => out.push(format!("the validation rules' needs are unknown: {e}")),
    }
    out
}

/// An error of `bpt template --check`: the path, then the message's lines
/// (a TOML error shows the template's line and a caret under it).
fn check_error(path: &std::path::Path, e: &str) -> Vec<String> {
    let mut lines = e.lines();
    let first = format!(
        "bpt: {}: {}",
        crate::sanitize::path(path),
        lines.next().unwrap_or("")
    );
    std::iter::once(first)
        .chain(lines.map(str::to_string))
        .collect()
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
    // Where finalization's removals land in this workbook, or why not.
    for r in &l.facts.remove {
        match &r.refused {
            None => o.push_str(&format!(
                "finalize removes: {} at `{}` rows {}-{}\n",
                r.label,
                r.sheet,
                r.first.saturating_add(1),
                r.last.saturating_add(1)
            )),
            Some(why) => o.push_str(&format!(
                "finalize cannot remove {}: {why} (finalize leaves it and says so)\n",
                r.label
            )),
        }
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
            Err(e) => return Outcome::err_lines(check_error(path, &e.to_string()), FINDINGS),
        };
        if !checked.collisions.is_empty() {
            let head = format!(
                "bpt: {}: template {}: {} cell(s) claimed twice:",
                crate::sanitize::path(path),
                checked.id,
                checked.collisions.len()
            );
            let lines = checked.collisions.iter().map(|c| format!("  {c}"));
            return Outcome::err_lines(std::iter::once(head).chain(lines), FINDINGS);
        }
        match checked.layout {
            Ok(l) => {
                if l.overlay.is_some() && !a.json && a.output.is_none() {
                    return Outcome::out(overlay_report(&l), OK);
                }
                let missing = missing_ids(&l);
                if !missing.is_empty() {
                    let head = format!(
                        "bpt: {}: template {}: {} id(s) the code needs are missing:",
                        crate::sanitize::path(path),
                        l.form.id,
                        missing.len(),
                    );
                    let lines = missing.into_iter().map(|m| format!("  {m}"));
                    return Outcome::err_lines(std::iter::once(head).chain(lines), FINDINGS);
                }
                l
            }
            Err(e) => return Outcome::err_lines(check_error(path, &e.to_string()), FINDINGS),
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
