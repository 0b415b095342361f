//! `bpt explain`: one rule's documentation.

use super::{OK, Outcome, UNREADABLE};
use crate::rules;

/// `bpt explain ID`.
pub fn explain(id: &str) -> Outcome {
    match rules::rule(id) {
        Some(r) => Outcome::out(
            format!(
                "{} ({}) — {}{}\nsource: {}\npassage: {}\n\n{}\n",
                r.id,
                r.name,
                r.severity,
                if r.blocks_finalize {
                    ", blocks finalization"
                } else {
                    ""
                },
                r.source,
                r.passage(),
                r.doc_text()
            ),
            OK,
        ),
        None => Outcome::err(
            format!("bpt: no rule `{id}` (`bpt rules` lists them)\n"),
            UNREADABLE,
        ),
    }
}
