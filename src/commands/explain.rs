//! `bpt explain`: a rule's documentation, by id (`M010`), name
//! (`de-total-tolerance`) or family (`M`: every rule of it).

use super::render::{DataFormat, TEXT_WIDTH, json_or_err, markdown_for_terminal};
use super::rules::{RULE_HEADER, family, rule_json, rule_row};
use super::{OK, Outcome, UNREADABLE};
use crate::rules::{self, Rule};

/// The rules `what` names: the rule with that id or name, or every rule of
/// the family (case-insensitive).
pub fn named(what: &str) -> Vec<&'static Rule> {
    let w = what.trim();
    let mut all = rules::registry();
    all.extend(rules::resubmission_rules());
    if let Some(r) = all
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(w) || r.name.eq_ignore_ascii_case(w))
    {
        return vec![r];
    }
    all.into_iter()
        .filter(|r| family(r.id).eq_ignore_ascii_case(w))
        .collect()
}

fn text(r: &Rule) -> String {
    format!(
        "{} ({}) — {}{}\n{}\n{}\n\n{}",
        r.id,
        r.name,
        r.severity,
        if r.blocks_finalize {
            ", blocks finalization"
        } else {
            ""
        },
        // Plain text, wrapped as the doc is (no line over TEXT_WIDTH).
        markdown_for_terminal(&format!("source: {}", r.source), TEXT_WIDTH, "").trim_end(),
        markdown_for_terminal(&format!("passage: {}", r.passage()), TEXT_WIDTH, "").trim_end(),
        markdown_for_terminal(&r.doc_text(), TEXT_WIDTH, "")
    )
}

/// `bpt explain ID|NAME|FAMILY [--format text|json|csv]`.
pub fn explain(what: &str, format: DataFormat) -> Outcome {
    let found = named(what);
    if found.is_empty() {
        return Outcome::err(
            format!("bpt: no rule, rule name or family `{what}` (`bpt rules` lists them)\n"),
            UNREADABLE,
        );
    }
    let s = match format {
        DataFormat::Json if found.len() == 1 => json_or_err(&rule_json(found[0])),
        DataFormat::Json => json_or_err(&serde_json::Value::Array(
            found.iter().map(|r| rule_json(r)).collect(),
        )),
        DataFormat::Csv => {
            let mut header = RULE_HEADER.to_vec();
            header.push("doc");
            crate::sanitize::csv(
                &header,
                found.iter().map(|r| {
                    let mut row = rule_row(r).to_vec();
                    row.push(r.doc_text());
                    row
                }),
            )
        }
        DataFormat::Text => found.iter().map(|r| text(r)).collect::<Vec<_>>().join("\n"),
    };
    Outcome::out(s, OK)
}
