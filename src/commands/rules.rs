//! `bpt rules`: the rule registry, all of it or one family or severity.

use super::render::{DataFormat, json_or_err};
use super::{OK, Outcome, UNREADABLE};
use crate::rules::{self, Rule, Severity};

/// The family of a rule id: its leading letters (`M` of `M010`, `RR` of
/// `RR05`).
///
/// ```
/// assert_eq!(bpt::commands::rules::family("M010"), "M");
/// ```
pub fn family(id: &str) -> &str {
    let end = id
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(id.len());
    id.get(..end).unwrap_or(id)
}

/// Severities as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Info.
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Info => Severity::Info,
        }
    }
}

/// Which rules `bpt rules` lists.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// Only these families (`M`, `A`; case-insensitive); empty: every family.
    pub families: Vec<String>,
    /// Only this severity.
    pub severity: Option<Severity>,
}

impl RuleFilter {
    fn keeps(&self, r: &Rule) -> bool {
        (self.families.is_empty()
            || self
                .families
                .iter()
                .any(|f| family(r.id).eq_ignore_ascii_case(f.trim())))
            && self.severity.is_none_or(|s| r.severity == s)
    }
}

/// The columns of `bpt rules --format csv` (and `bpt explain --format csv`,
/// which adds `doc`).
pub(crate) const RULE_HEADER: [&str; 6] = [
    "id",
    "family",
    "name",
    "severity",
    "blocks_finalize",
    "source",
];

pub(crate) fn rule_row(r: &Rule) -> [String; 6] {
    [
        r.id.to_string(),
        family(r.id).to_string(),
        r.name.to_string(),
        r.severity.to_string(),
        r.blocks_finalize.to_string(),
        r.source.to_string(),
    ]
}

/// A rule as JSON: its registry entry with the doc's cell placeholders
/// resolved ([`Rule::doc_text`]) and the passage's key sentence
/// ([`Rule::passage`]) beside its citation (`source`).
pub(crate) fn rule_json(r: &Rule) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert("doc".into(), r.doc_text().into());
        m.insert("passage".into(), r.passage().into());
    }
    v
}

/// `bpt rules [--family F,…] [--severity S] [--format text|json|csv]`.
pub fn list_rules(filter: &RuleFilter, format: DataFormat) -> Outcome {
    // Validation rules, then the resubmission checks of `reallocate --check`.
    let mut registry = rules::registry();
    registry.extend(rules::resubmission_rules());
    let known: Vec<&str> = registry.iter().map(|r| family(r.id)).collect();
    if let Some(f) = filter
        .families
        .iter()
        .find(|f| !known.iter().any(|k| k.eq_ignore_ascii_case(f.trim())))
    {
        let mut fams = known.clone();
        fams.dedup();
        return Outcome::err(
            format!(
                "bpt: no rule family `{}` (families: {})\n",
                f.trim(),
                fams.join(", ")
            ),
            UNREADABLE,
        );
    }
    let all: Vec<&Rule> = registry.into_iter().filter(|r| filter.keeps(r)).collect();
    let s = match format {
        DataFormat::Json => json_or_err(&serde_json::Value::Array(
            all.iter().map(|r| rule_json(r)).collect(),
        )),
        DataFormat::Csv => crate::sanitize::csv(&RULE_HEADER, all.iter().map(|r| rule_row(r))),
        DataFormat::Text => {
            let mut o = String::new();
            for r in &all {
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
            o.push_str(&format!(
                "{} rule(s); `bpt explain ID` explains one\n",
                all.len()
            ));
            o
        }
    };
    Outcome::out(s, OK)
}
