//! `bpt template map WORKBOOK --base ID -o FILE`: proposes a layout overlay
//! for a workbook bpt does not recognise (the matching is
//! [`crate::template::map`]), prints the coverage table, and writes the
//! overlay (never over an existing file without `--force`).

use super::{FINDINGS, OK, Outcome, UNREADABLE};
use crate::template::map::{self, Confidence};
use std::path::{Path, PathBuf};

/// Arguments of `bpt template map`.
#[derive(Debug, Default)]
pub struct MapArgs {
    /// The workbook to map.
    pub workbook: PathBuf,
    /// Shipped template id to map onto (default: the shipped template that
    /// places the most fields).
    pub base: Option<String>,
    /// Where to write the overlay.
    pub output: Option<PathBuf>,
    /// Replace an existing output.
    pub force: bool,
    /// The overlay's id (default: the workbook's file stem).
    pub id: Option<String>,
    /// JSON instead of the coverage table.
    pub json: bool,
}

fn default_id(p: &Path) -> String {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let id = id.trim_matches('-').to_string();
    if id.is_empty() { "mapped".into() } else { id }
}

/// `bpt template map`.
pub fn template_map(a: &MapArgs) -> Outcome {
    let sheets = match crate::reader::raw_sheets(crate::reader::Source::Path(&a.workbook)) {
        Ok(s) => s,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    let id = a.id.clone().unwrap_or_else(|| default_id(&a.workbook));
    let bases: Vec<&str> = match &a.base {
        Some(b) => vec![b.as_str()],
        None => crate::template::BUILTIN.iter().map(|(id, _)| *id).collect(),
    };
    let mut best: Option<(&'static crate::template::Layout, map::Proposal)> = None;
    for b in bases {
        let layout = match crate::template::builtin_cached(b) {
            Ok(l) => l,
            Err(e) => return Outcome::err(format!("bpt: --base: {e}\n"), UNREADABLE),
        };
        let p = map::map(layout, &sheets, &id);
        let better = best.as_ref().is_none_or(|(_, q)| {
            let (pp, pt) = p.placed_share(|c| c.with_value);
            let (qp, qt) = q.placed_share(|c| c.with_value);
            // pp/pt > qp/qt, in integers.
            pp.saturating_mul(qt.max(1)) > qp.saturating_mul(pt.max(1))
        });
        if better {
            best = Some((layout, p));
        }
    }
    let Some((layout, proposal)) = best else {
        return Outcome::err("bpt: no shipped template to map onto\n".into(), UNREADABLE);
    };
    let shown = a.workbook.display().to_string();
    let toml = proposal.overlay_toml(layout, &shown);
    // A proposal that does not load (two fields found on one cell) is
    // still written, for the user to settle.
    let broken = crate::template::Layout::from_toml(&toml).err();
    let mut wrote = String::new();
    if let Some(out) = &a.output {
        let guard = crate::writer::SaveGuard::new(a.force).protect(a.workbook.clone());
        if let Err(e) = super::write_text_atomic(out, &toml, &guard) {
            return Outcome::err(format!("bpt: {e}\n"), UNREADABLE);
        }
        wrote = format!(
            "wrote {} (check it: bpt template --check {0}; use it: bpt validate {shown} --template {0})\n",
            out.display()
        );
    }
    let unsure = proposal
        .coverage
        .iter()
        .any(|(c, n)| matches!(c, Confidence::Ambiguous | Confidence::NotFound) && n.fields > 0);
    let code = if unsure || broken.is_some() {
        FINDINGS
    } else {
        OK
    };
    if a.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            workbook: &'a str,
            output: Option<String>,
            #[serde(flatten)]
            proposal: &'a map::Proposal,
            overlay: &'a str,
            problem: Option<String>,
        }
        let o = Out {
            workbook: &shown,
            output: a.output.as_ref().map(|p| p.display().to_string()),
            proposal: &proposal,
            overlay: &toml,
            problem: broken.as_ref().map(ToString::to_string),
        };
        return Outcome::out(
            serde_json::to_string_pretty(&o).unwrap_or_default() + "\n",
            code,
        );
    }
    let mut text = proposal.coverage_text(&shown);
    if let Some(e) = &broken {
        text.push_str(&format!(
            "the proposal does not load yet: {e}; settle it in the overlay\n"
        ));
    }
    if a.output.is_none() {
        text.push_str("(give -o FILE to write the overlay)\n");
    }
    text.push_str(&wrote);
    Outcome::out(text, code)
}
