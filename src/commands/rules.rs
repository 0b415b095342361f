//! `bpt rules`: the rule registry.

use super::{OK, Outcome};
use crate::rules;

/// `bpt rules [--json]`.
pub fn list_rules(json: bool) -> Outcome {
    // Validation rules, then the resubmission checks of `reallocate --check`.
    let mut all = rules::registry();
    all.extend(rules::resubmission_rules());
    if json {
        // Each rule with its citation (`source`) and the passage's key
        // sentence (`passage`).
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("passage".into(), r.passage().into());
                    m.insert("doc".into(), r.doc_text().into());
                }
                v
            })
            .collect();
        return Outcome::out(
            serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
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
