//! Rendering helpers shared by the commands: JSON, values in text tables
//! and CSV cells, and the edit lists of the commands that write workbooks.

use super::{OK, Outcome};
use crate::value::Value;
use std::path::Path;

pub(crate) fn json_or_err(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// A value in a text table: `(blank)`, or its display shortened with
/// visible escapes ([`crate::sanitize::echo`]).
pub(crate) fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "(blank)".into(),
        o => crate::sanitize::echo(&o.display()),
    }
}

/// A value in a CSV cell: its display, kept up to
/// [`crate::sanitize::FOUND_CHARS`] characters.
pub(crate) fn csv_value(v: &Value) -> String {
    crate::sanitize::bound_value(v.display())
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

/// What an output command prints: a headline and the edit list, or JSON.
pub(crate) fn edited_outcome(
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
