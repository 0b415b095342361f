//! Validation rules: every check the CMS instructions state, in a registry
//! with stable ids.
//!
//! Each rule has an id (`F001`), a short name, a [`Severity`], the
//! instruction line(s) it comes from, and a doc text that `bpt explain ID`
//! prints. Rules are grouped in families, one file each:
//!
//! | prefix | family |
//! |---|---|
//! | `F` | formats and required fields |
//! | `C` | consistency between fields and worksheets |
//! | `R` | ranges (credibility, percentages, factors, star rating, MSP) |
//! | `M` | money rules (cost sharing, DE# tolerances, NBE, benchmark and bid) |
//! | `A` | rebate allocation |
//! | `P` | premiums and their rounding |
//! | `V` | invalid values and recalculation mismatches |
//! | `D` | descriptions the instructions require |
//! | `H` | the MSA BPT (Appendix H): plan type, deductible, claim intervals, enrollee deposit |
//!
//! The form family of the template selects the families that run: on an MSA
//! form (`family = "msa"`) only V and H; on an MA form every family but H.
//!
//! ```
//! let r = bpt::rules::rule("M010").unwrap();
//! assert_eq!(r.severity, bpt::rules::Severity::Error);
//! ```
//!
//! Every arithmetic on a bid's numbers here is checked (`checked_*`, or
//! [`crate::diff::beyond`] for tolerances): a value near the edge of the
//! `Decimal` range (±7.9e28) gives a finding that says so, never a panic.
//! `clippy::arithmetic_side_effects` is denied for the whole family of
//! modules so that stays true.

#![deny(clippy::arithmetic_side_effects)]

use crate::template::{Field, Layout};
use crate::value::{Value, Values};
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

mod allocation;
mod consistency;
mod descriptions;
mod formats;
mod invalid;
mod money;
mod msa;
pub mod needs;
mod premium;
mod ranges;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The form would not finalize, or HPMS would reject the upload.
    Error,
    /// A reviewer will ask about it.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A rule's registry entry.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `M010`.
    pub id: &'static str,
    /// Short kebab-case name, e.g. `de-total-tolerance`.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Where the CMS instructions say so, as the document names it:
    /// worksheet, section, line and page ("MA BPT instructions CY2013,
    /// Worksheet 2, Section II, column l (p. 45)").
    pub source: &'static str,
    /// What it checks, why, and an example (Markdown).
    pub doc: &'static str,
    /// Whether a finding blocks finalization (the CMS form's own checks).
    pub blocks_finalize: bool,
}

impl Rule {
    /// The doc text with each `{field.id}` placeholder replaced by the
    /// field's cell on the shipped form that has it (`WS5!E20`), so an
    /// example can only cite a cell that exists. An id no shipped template
    /// has is left as it is (the registry's tests catch it).
    pub fn doc_text(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        let mut rest = self.doc;
        while let Some(i) = rest.find('{') {
            let (head, tail) = rest.split_at(i);
            out.push_str(head);
            match tail.find('}') {
                Some(j) => {
                    let id = tail.get(1..j).unwrap_or("");
                    match cell_of(id) {
                        Some(a) => out.push_str(&a),
                        None => out.push_str(tail.get(..=j).unwrap_or(tail)),
                    }
                    rest = tail.get(j.saturating_add(1)..).unwrap_or("");
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The key sentence of the instructions' passage the rule comes from:
    /// the first quotation (of 25 characters or more) in its doc's
    /// **Why.** paragraph, or else that paragraph's first sentence.
    /// `bpt explain` prints it under the citation ([`Rule::source`]).
    pub fn passage(&self) -> String {
        let why = self
            .doc
            .split_once("**Why.**")
            .map_or("", |(_, w)| w)
            .split("\n\n")
            .next()
            .unwrap_or("")
            .trim();
        let mut quoted = why.split('"').skip(1).step_by(2);
        if let Some(q) = quoted.find(|q| q.chars().count() >= 25) {
            return format!("\"{}\"", q.trim());
        }
        match why.find(". ") {
            Some(i) => why.get(..=i).unwrap_or(why).to_string(),
            None => why.to_string(),
        }
    }
}

/// One problem found in a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Sheet name.
    pub sheet: String,
    /// Cell (`D5`), or `""` for a bid-wide finding.
    pub cell: String,
    /// Field id.
    pub field: String,
    /// Field label.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// What is wrong.
    pub message: String,
    /// What was found.
    pub found: String,
    /// What was expected.
    pub expected: String,
}

/// Everything a rule may look at.
pub struct Ctx<'a> {
    /// The form.
    pub layout: &'a Layout,
    /// The values as submitted (inputs and calculated cells as the workbook holds them).
    pub values: &'a Values,
    /// `bpt`'s recomputed value of every calculated field.
    pub calc: &'a Values,
    /// Tolerance for unrounded calculated cells (see `bpt diff`).
    pub tolerance: Decimal,
    /// What each `default` field's formula gives ([`crate::form::Recalc::defaults`]);
    /// `None` makes V004 recalculate them itself.
    pub defaults: Option<&'a std::collections::BTreeMap<String, Decimal>>,
}

impl<'a> Ctx<'a> {
    /// The submitted value of a field.
    pub fn value(&self, id: &str) -> &Value {
        needs::read(id);
        self.values.get(id)
    }

    /// The value the bid's arithmetic rests on: `bpt`'s recomputed value for
    /// calculated fields, the submitted value for inputs.
    pub fn eff(&self, id: &str) -> &Value {
        needs::read(id);
        match self.layout.field(id) {
            Some(f) if f.role.is_calculated() => self.calc.get(id),
            _ => self.values.get(id),
        }
    }

    /// [`Ctx::eff`] as a number, `None` when blank or not a number.
    pub fn num(&self, id: &str) -> Option<Decimal> {
        self.eff(id).as_num()
    }

    /// [`Ctx::eff`] as a number, zero when blank or not a number.
    pub fn num0(&self, id: &str) -> Decimal {
        self.num(id).unwrap_or(Decimal::ZERO)
    }

    /// [`Ctx::eff`] as trimmed text (numbers as their digits); `""` when blank.
    pub fn text(&self, id: &str) -> String {
        match self.eff(id) {
            Value::Text(s) => s.trim().to_string(),
            Value::Number(d) => d.normalize().to_string(),
            _ => String::new(),
        }
    }

    /// Whether the plan is an MA-PD plan (WS1 line 8 = Y).
    pub fn is_ma_pd(&self) -> bool {
        self.text("ws1.general.ma_pd").eq_ignore_ascii_case("Y")
    }

    /// Whether the plan is an 800-series (EGWP) plan: the form's EGWP flag
    /// (WS1 line 15) is `Y`. Which plan ids are EGWP plans is the
    /// template's formula of that cell, evaluated as the workbook does.
    pub fn is_egwp(&self) -> bool {
        self.text("ws1.general.egwp").eq_ignore_ascii_case("Y")
    }

    /// The plan type code (the template's `[form.facts.identity]
    /// plan_type`: WS1 line 7).
    pub fn plan_type(&self) -> String {
        self.text(&self.layout.facts.identity.plan_type)
    }

    /// Data-row keys of a table.
    pub fn rows(&self, table: &str) -> Vec<String> {
        self.table(table)
            .map(|t| t.row_keys().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The template's table of an id.
    pub fn table(&self, id: &str) -> Option<&'a crate::template::Table> {
        needs::read(id);
        self.layout.table(id)
    }

    /// A finding on a field, located at its cell.
    pub fn finding(
        &self,
        rule: &'static str,
        id: &str,
        message: impl Into<String>,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) -> Finding {
        let (sheet, cell, label) = match self.layout.field(id) {
            Some(f) => (f.sheet.clone(), f.cell.to_string(), f.label.clone()),
            None => (String::new(), String::new(), String::new()),
        };
        let (message, found, expected) = (message.into(), found.into(), expected.into());
        Finding {
            rule,
            severity: rule_severity(rule),
            sheet,
            cell,
            field: id.to_string(),
            label,
            // Cell text quoted in a message is shortened here, once, so a
            // huge value is never copied into many findings.
            message: crate::sanitize::bound_message(message, &[&found, &expected]),
            found: crate::sanitize::bound_value(found),
            expected: crate::sanitize::bound_value(expected),
        }
    }

    /// Whether a field is blank (empty, or text of spaces only). An invalid
    /// value is not blank: V002 reports it.
    pub fn is_blank(&self, id: &str) -> bool {
        match self.eff(id) {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// Whether the plan type is RPPO.
    pub fn is_rppo(&self) -> bool {
        self.plan_type().eq_ignore_ascii_case("RPPO")
    }

    /// Whether any of `rows` of `table` has any of `columns` not blank.
    pub fn any_filled(&self, table: &str, rows: &[String], columns: &[String]) -> bool {
        rows.iter().any(|k| {
            columns
                .iter()
                .any(|c| !self.is_blank(&format!("{table}.{c}[{k}]")))
        })
    }

    /// Rows of the county table (`[form.facts.rules] counties`) that hold
    /// a county code, member months or a risk score.
    pub fn county_rows(&self) -> Vec<String> {
        let Some(c) = &self.layout.facts.rules.counties else {
            return Vec::new();
        };
        self.rows(&c.table)
            .into_iter()
            .filter(|k| {
                [&c.code, &c.member_months, &c.risk]
                    .iter()
                    .any(|col| !self.is_blank(&c.cell(col, k)))
            })
            .collect()
    }

    /// The template field for an id.
    pub fn field(&self, id: &str) -> Option<&'a Field> {
        needs::read(id);
        self.layout.field(id)
    }

    /// When a field's `checks.required_when` condition holds (the field it
    /// names holds a number above zero), that number.
    pub fn required_by(&self, f: &Field) -> Option<Decimal> {
        let w = f.checks.required_when.as_deref()?;
        self.num(w).filter(|n| *n > Decimal::ZERO)
    }
}

pub use ranges::guideline as credibility_guideline;

/// Every rule, in id order.
pub fn registry() -> Vec<&'static Rule> {
    sorted_rules().to_vec()
}

/// Every rule in id order, gathered once (a finding looks its rule up).
fn sorted_rules() -> &'static [&'static Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<&'static Rule> = [
            formats::RULES,
            consistency::RULES,
            ranges::RULES,
            money::RULES,
            allocation::RULES,
            premium::RULES,
            invalid::RULES,
            descriptions::RULES,
            msa::RULES,
        ]
        .iter()
        .flat_map(|r| r.iter())
        .collect();
        all.sort_by_key(|r| r.id);
        all
    })
}

/// The resubmission checks of Appendix E (`bpt reallocate --check`,
/// RR01–RR17): listed by `bpt rules` and explained by `bpt explain`, but
/// not run by `validate` (they compare two bids).
pub fn resubmission_rules() -> &'static [Rule] {
    crate::reallocate::RULES
}

/// Looks a rule up by id (case-insensitive): a validation rule or a
/// resubmission check.
pub fn rule(id: &str) -> Option<&'static Rule> {
    sorted_rules()
        .iter()
        .copied()
        .chain(resubmission_rules())
        .find(|r| r.id.eq_ignore_ascii_case(id))
}

fn rule_severity(id: &str) -> Severity {
    rule(id).map_or(Severity::Error, |r| r.severity)
}

/// Which rules to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these ids or prefixes (empty = all).
    pub select: Vec<String>,
    /// Never these ids or prefixes.
    pub ignore: Vec<String>,
    /// Where the entries came from, for the reports.
    pub origin: Origin,
}

/// Where a [`Selection`] came from: what the reports show as the run's
/// configuration.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The `bpt.toml` that was loaded, if any.
    pub config: Option<std::path::PathBuf>,
    /// What set `select`: `--select` or `bpt.toml` (empty when not set).
    pub select: &'static str,
    /// What set each `ignore` entry, in order (`--ignore` or `bpt.toml`);
    /// entries beyond this list came from the flags.
    pub ignore: Vec<&'static str>,
}

impl Selection {
    /// Whether a rule id is selected. Entries match an id exactly or as a
    /// prefix (`M` selects every money rule).
    pub fn wants(&self, id: &str) -> bool {
        let m = |p: &String| id.to_ascii_uppercase().starts_with(&p.to_ascii_uppercase());
        (self.select.is_empty() || self.select.iter().any(m)) && !self.ignore.iter().any(m)
    }

    /// Trims and checks the entries of `--select`, `--ignore` or a
    /// `bpt.toml` list (`what` names it in the message): each must be a rule
    /// id or a prefix of one (a family letter such as `M`, or `M01`).
    /// Entries come back trimmed and upper-case; an empty or unknown entry
    /// is an error naming it.
    pub fn parse_entries(raw: &[String], what: &str) -> Result<Vec<String>, String> {
        raw.iter()
            .map(|e| {
                let t = e.trim().to_ascii_uppercase();
                if t.is_empty() {
                    return Err(format!("{what}: an empty rule id"));
                }
                if sorted_rules().iter().any(|r| r.id.starts_with(&t)) {
                    Ok(t)
                } else {
                    Err(format!(
                        "{what}: `{}` is neither a rule id nor a rule family (`bpt rules` lists them)",
                        crate::sanitize::echo(e.trim())
                    ))
                }
            })
            .collect()
    }

    /// Every rule this selection switches off, in id order, with what did
    /// (`bpt.toml ignore \`D\``, `--select`).
    pub fn rules_off(&self) -> Vec<(&'static str, String)> {
        let m = |id: &str, p: &String| id.to_ascii_uppercase().starts_with(&p.to_ascii_uppercase());
        sorted_rules()
            .iter()
            .filter(|r| !self.wants(r.id))
            .map(|r| {
                let by = match self.ignore.iter().position(|p| m(r.id, p)) {
                    Some(i) => format!(
                        "{} `{}`",
                        match self.origin.ignore.get(i) {
                            Some(&"bpt.toml") => "bpt.toml ignore",
                            _ => "--ignore",
                        },
                        self.ignore[i]
                    ),
                    None => format!(
                        "not in {} `{}`",
                        if self.origin.select.is_empty() {
                            "--select"
                        } else if self.origin.select == "bpt.toml" {
                            "bpt.toml select"
                        } else {
                            self.origin.select
                        },
                        self.select.join(",")
                    ),
                };
                (r.id, by)
            })
            .collect()
    }
}

/// Every family's findings, unsorted and unfiltered.
fn families(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Each family names the rules its lookups serve (`needs::at`); a
    // lookup of what the template itself lists (`needs::at("")`) is no
    // need of the code.
    if ctx.layout.form.family == "msa" {
        let _needs = needs::at("");
        invalid::check(ctx, &mut out);
        msa::check(ctx, &mut out);
    } else {
        formats::check(ctx, &mut out);
        consistency::check(ctx, &mut out);
        ranges::check(ctx, &mut out);
        money::check(ctx, &mut out);
        allocation::check(ctx, &mut out);
        premium::check(ctx, &mut out);
        let _needs = needs::at("");
        invalid::check(ctx, &mut out);
        descriptions::check(ctx, &mut out);
        // Last: skips fields that already have a finding.
        formats::generic(ctx, &mut out);
    }
    let _needs = needs::at("");
    out
}

/// Runs every selected rule and returns the findings sorted by sheet order,
/// cell and rule id.
pub fn check(ctx: &Ctx<'_>, sel: &Selection) -> Vec<Finding> {
    let mut out = families(ctx);
    never_recalculated(ctx, &mut out);
    root_causes(ctx, &mut out);
    out.retain(|f| sel.wants(f.rule));
    let order: Vec<&str> = ctx.layout.sheet_names();
    let pos = |s: &str| order.iter().position(|n| *n == s).unwrap_or(usize::MAX);
    out.sort_by(|a, b| {
        (pos(&a.sheet), cell_key(&a.cell), a.rule, &a.field).cmp(&(
            pos(&b.sheet),
            cell_key(&b.cell),
            b.rule,
            &b.field,
        ))
    });
    out.dedup();
    out
}

/// V005: every calculated cell blank while inputs are entered. Replaces the
/// V003 finding of each calculated cell.
fn never_recalculated(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut calc = 0usize;
    let mut entered = false;
    for f in &ctx.layout.fields {
        if f.role.is_calculated() {
            if !ctx.value(&f.id).is_empty() {
                return;
            }
            calc = calc.saturating_add(1);
        } else if f.role.is_entered() && !ctx.value(&f.id).is_empty() {
            entered = true;
        }
    }
    if calc == 0 || !entered {
        return;
    }
    let before = out.len();
    out.retain(|f| f.rule != "V003");
    let dropped = before.saturating_sub(out.len());
    let mut f = ctx.finding(
        "V005",
        "",
        format!(
            "the workbook was never recalculated: all {calc} calculated cells are blank ({dropped} V003 findings left out); open and save it in Excel or LibreOffice, or run `bpt recalc FILE -o OUT.xlsx`"
        ),
        "(blank)",
        "calculated values",
    );
    f.sheet = ctx
        .layout
        .sheet_names()
        .first()
        .map(|s| s.to_string())
        .unwrap_or_default();
    out.push(f);
}

/// How many invalid inputs [`root_causes`] traces (each costs one more
/// evaluation of the form and of the rules).
const MAX_TRACED: usize = 8;

/// Findings computed from an invalid input. For each invalid entered field,
/// the bid is evaluated again with a stand-in value there (1, or the text
/// `bpt`); a finding (other than the input's own) that is not the same with the
/// stand-in depends on that input: it is left out, and the input's V002
/// finding says how many were, by rule. The invalid value is the root
/// cause; the rest follows from it.
fn root_causes(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let invalid: Vec<&crate::template::Field> = ctx
        .layout
        .fields
        .iter()
        .filter(|f| f.role.is_entered() && matches!(ctx.value(&f.id), Value::Invalid(_)))
        // Only inputs with a finding of their own, to carry the count.
        .filter(|f| {
            out.iter()
                .any(|x| (x.rule == "V001" || x.rule == "V002") && x.field == f.id)
        })
        .collect();
    if invalid.is_empty() || invalid.len() > MAX_TRACED {
        return;
    }
    let Ok(form) = crate::form::compiled(ctx.layout) else {
        return;
    };
    type Key = (&'static str, String, String);
    let key = |f: &Finding| -> Key { (f.rule, f.field.clone(), f.message.clone()) };
    let mut caused: std::collections::HashMap<Key, String> = std::collections::HashMap::new();
    for field in &invalid {
        let mut values = ctx.values.clone();
        let stand_in = if field.kind.is_numeric() {
            Value::Number(Decimal::ONE)
        } else {
            Value::Text("bpt".into())
        };
        values.set(field.id.clone(), stand_in);
        let calc = crate::form::Evaluation::from_values(&form, &values).calculated();
        // An error value a calculated cell shows because of the input (the
        // `#VALUE!` of a sum over it) is what the formula gives with the
        // stand-in.
        for f in &ctx.layout.fields {
            if f.role.is_calculated() && matches!(values.get(&f.id), Value::Invalid(_)) {
                values.set(f.id.clone(), calc.get(&f.id).clone());
            }
        }
        let other = Ctx {
            layout: ctx.layout,
            values: &values,
            calc: &calc,
            tolerance: ctx.tolerance,
            defaults: None,
        };
        let same: std::collections::HashSet<Key> = families(&other).iter().map(key).collect();
        for f in out.iter() {
            // The invalid inputs' own findings stay; an error value in a
            // calculated cell computed from one is a consequence.
            let own = invalid.iter().any(|i| i.id == f.field);
            if !own && !same.contains(&key(f)) {
                caused.entry(key(f)).or_insert_with(|| field.id.clone());
            }
        }
    }
    let mut left_out: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<&'static str, usize>,
    > = std::collections::BTreeMap::new();
    out.retain(|f| match caused.get(&key(f)) {
        Some(c) => {
            let n = left_out
                .entry(c.clone())
                .or_default()
                .entry(f.rule)
                .or_insert(0);
            *n = n.saturating_add(1);
            false
        }
        None => true,
    });
    for (c, by_rule) in left_out {
        let total: usize = by_rule.values().fold(0usize, |a, b| a.saturating_add(*b));
        let list: Vec<String> = by_rule
            .iter()
            .map(|(r, n)| {
                if *n == 1 {
                    r.to_string()
                } else {
                    format!("{r} ×{n}")
                }
            })
            .collect();
        if let Some(f) = out
            .iter_mut()
            .find(|f| (f.rule == "V002" || f.rule == "V001") && f.field == c)
        {
            f.message = format!(
                "{}; {total} finding(s) computed from it left out ({})",
                f.message,
                list.join(", ")
            );
        }
    }
}

/// The cell of a field id on the first shipped template that has it.
fn cell_of(id: &str) -> Option<String> {
    crate::template::BUILTIN.iter().find_map(|(name, _)| {
        crate::template::builtin_cached(name)
            .ok()?
            .field(id)
            .map(|f| f.address())
    })
}

/// A number as a reviewer reads it: no trailing zeros, at most 6 decimals.
pub(crate) fn show(d: Decimal) -> String {
    d.round_dp(6).normalize().to_string()
}

/// Money to the cent.
pub(crate) fn money(d: Decimal) -> String {
    crate::diff::fixed(d, 2)
}

/// A fraction as a percentage (0.715 → "71.5%"); a fraction too large to
/// multiply by 100 is shown as it is.
pub(crate) fn pct(d: Decimal) -> String {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(x) => format!("{}%", show(x)),
        None => format!("{} (as a fraction)", show(d)),
    }
}

fn cell_key(cell: &str) -> (u32, u16) {
    crate::cellref::CellRef::parse(cell).map_or((u32::MAX, u16::MAX), |c| (c.row, c.col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_documented() {
        let all = registry();
        let mut ids: Vec<&str> = all.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate rule ids");
        let literal = regex::Regex::new(r"WS[0-9]![A-Z]+[0-9]+").unwrap();
        for r in all {
            assert!(r.doc.len() > 80, "{} needs a real doc text", r.id);
            assert!(
                r.source.starts_with("MA BPT instructions CY2013, ")
                    && !r.source.contains("seed")
                    && (r.source.contains("p. ") || r.source.contains("pp. ")),
                "{}: the source must cite the instructions by worksheet, section and page: {}",
                r.id,
                r.source
            );
            assert!(r.passage().len() > 20, "{}: no key sentence", r.id);
            // Examples cite cells through `{field.id}`: each resolves, and
            // no hand-written `WS5!F19` is left to drift from the form.
            let doc = r.doc_text();
            assert!(
                !doc.contains('{'),
                "{}: unresolved placeholder in {doc}",
                r.id
            );
            assert!(
                !literal.is_match(r.doc),
                "{}: cite cells as {{field.id}}, not by hand: {}",
                r.id,
                r.doc
            );
            let fam = &r.id[..1];
            assert!("FCRMAPVDH".contains(fam), "{}: unknown family", r.id);
        }
    }

    #[test]
    fn resubmission_checks_are_documented_with_appendix_e() {
        let rr = resubmission_rules();
        let ids: Vec<&str> = rr.iter().map(|r| r.id).collect();
        let want: Vec<String> = (1..=17).map(|i| format!("RR{i:02}")).collect();
        assert_eq!(ids, want);
        for r in rr {
            assert!(r.doc.len() > 80, "{} needs a real doc text", r.id);
            assert!(
                r.source.starts_with("MA BPT instructions CY2013, ")
                    && !r.source.contains("seed")
                    && (r.source.contains("p. ") || r.source.contains("pp. ")),
                "{}: the source must cite the instructions by section and page: {}",
                r.id,
                r.source
            );
            assert!(!r.blocks_finalize, "{}", r.id);
        }
        assert_eq!(rule("rr05").map(|r| r.name), Some("target-not-returned"));
        // Not a validation rule: `--select RR05` is no `validate` selection.
        assert!(registry().iter().all(|r| !r.id.starts_with("RR")));
    }

    #[test]
    fn selection_by_prefix() {
        let s = Selection {
            select: vec!["m".into()],
            ignore: vec!["M010".into()],
            ..Selection::default()
        };
        assert!(s.wants("M001"));
        assert!(!s.wants("M010"));
        assert!(!s.wants("F001"));
        let off = s.rules_off();
        assert!(off.contains(&("M010", "--ignore `M010`".to_string())));
        assert!(off.contains(&("F001", "not in --select `m`".to_string())));
    }

    #[test]
    fn entries_trimmed_and_checked() {
        let ok = Selection::parse_entries(&[" F006".into(), "m".into(), "M01".into()], "--select");
        assert_eq!(ok.unwrap(), vec!["F006", "M", "M01"]);
        assert_eq!(
            Selection::parse_entries(&["X1".into()], "--ignore").unwrap_err(),
            "--ignore: `X1` is neither a rule id nor a rule family (`bpt rules` lists them)"
        );
        assert_eq!(
            Selection::parse_entries(&[" ".into()], "--select").unwrap_err(),
            "--select: an empty rule id"
        );
        assert!(Selection::parse_entries(&["F999".into()], "--select").is_err());
    }
}
