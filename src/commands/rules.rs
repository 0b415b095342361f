//! `bpt rules`: the rule registry.

use super::{OK, Outcome};
use crate::rules;

/// `bpt rules [--json]`.
pub fn list_rules(json: bool) -> Outcome {
    // Validation rules, then the resubmission checks of `reallocate --check`.
    let mut all = rules::registry();
    all.extend(rules::resubmission_rules());
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
