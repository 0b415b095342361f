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

/// Output formats of the commands that print data (`rules`, `explain`,
/// `read`, `recalc`, `diff`, `reallocate`); `validate` adds SARIF and JUnit
/// ([`crate::report::Format`]). `--json` is kept as an alias of
/// `--format json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DataFormat {
    /// For people.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// CSV: a header and one row per item (cells neutralised).
    Csv,
}

impl DataFormat {
    /// The format asked for: `--json` (the alias) wins over the default.
    pub fn or_json(self, json: bool) -> Self {
        if json { DataFormat::Json } else { self }
    }
}

/// The columns of an edit list as CSV.
const EDIT_HEADER: [&str; 7] = ["sheet", "cell", "what", "old", "new", "old_formula", "why"];

/// An edit list as CSV: one row per edit.
pub(crate) fn edits_csv(ed: &crate::edit::Edited) -> String {
    crate::sanitize::csv(
        &EDIT_HEADER,
        ed.edits.iter().map(|e| {
            [
                e.sheet.clone(),
                e.cell.clone(),
                serde_json::to_value(e.what)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                crate::sanitize::bound_value(e.old.clone()),
                crate::sanitize::bound_value(e.new.clone()),
                e.old_formula.clone().unwrap_or_default(),
                e.why.clone(),
            ]
        }),
    )
}

/// Width of the text `bpt explain` wraps to.
pub const TEXT_WIDTH: usize = 80;

/// Markdown (a rule's doc) rendered for a terminal: emphasis and code
/// markers dropped, paragraphs wrapped to `width` columns after `indent`,
/// list items as `- ` bullets, a blank line between blocks. Parsed by
/// pulldown-cmark, so nothing of the Markdown syntax is left raw.
///
/// ```
/// let s = bpt::commands::render::markdown_for_terminal("**Why.** It `matters`.", 80, "");
/// assert_eq!(s, "Why. It matters.\n");
/// ```
pub fn markdown_for_terminal(md: &str, width: usize, indent: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut blocks: Vec<(String, bool)> = Vec::new(); // (text, is a list item)
    let mut cur = String::new();
    let mut item = false;
    let flush = |cur: &mut String, item: bool, blocks: &mut Vec<(String, bool)>| {
        let t = cur.trim();
        if !t.is_empty() {
            blocks.push((t.to_string(), item));
        }
        cur.clear();
    };
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) => cur.push_str(&t),
            Event::SoftBreak | Event::HardBreak => cur.push(' '),
            Event::Start(Tag::Item) => {
                flush(&mut cur, item, &mut blocks);
                item = true;
            }
            Event::End(TagEnd::Item) => {
                flush(&mut cur, item, &mut blocks);
                item = false;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                flush(&mut cur, item, &mut blocks)
            }
            _ => {}
        }
    }
    flush(&mut cur, item, &mut blocks);
    let mut o = String::new();
    let mut prev_item = false;
    for (i, (text, is_item)) in blocks.iter().enumerate() {
        if i > 0 && !(prev_item && *is_item) {
            o.push('\n');
        }
        let (first, rest) = if *is_item {
            (format!("{indent}- "), format!("{indent}  "))
        } else {
            (indent.to_string(), indent.to_string())
        };
        let opts = textwrap::Options::new(width.max(20))
            .initial_indent(&first)
            .subsequent_indent(&rest);
        for line in textwrap::wrap(text, opts) {
            o.push_str(line.trim_end());
            o.push('\n');
        }
        prev_item = *is_item;
    }
    o
}
