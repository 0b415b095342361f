//! Family facts: what the code needs to know about a form family, read from
//! the template's `[form]` (`family`) and `[form.facts]` blocks — which
//! fields identify a bid, which figures a reviewer looks at first, which
//! table finalization sorts and which rows it deletes. Rust holds only how
//! these are used; the ids are the template's.

use super::schema::{DeBlendSpec, FactsSpec, FigureSpec, LabeledFieldSpec, RuleFactsSpec};
use super::{Layout, Table};
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A form family: the closed set of forms whose rules `bpt` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// The Medicare Advantage BPT.
    Ma,
    /// The Medical Savings Account BPT (Appendix H).
    Msa,
}

impl Family {
    /// The family's name as templates write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Ma => "ma",
            Family::Msa => "msa",
        }
    }

    /// Parses a template's `family`.
    pub fn parse(s: &str) -> Result<Family, String> {
        match s {
            "ma" => Ok(Family::Ma),
            "msa" => Ok(Family::Msa),
            other => Err(format!(
                "unknown form family `{other}` (known: `ma`, `msa`)"
            )),
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Family {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Family {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// The fields that identify a bid (`[form.facts.identity]`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Identity {
    /// Contract number.
    pub contract: String,
    /// Plan id.
    pub plan: String,
    /// Segment id.
    pub segment: String,
    /// Organization name.
    pub organization: String,
    /// Plan name.
    pub plan_name: String,
    /// Plan type.
    pub plan_type: String,
}

/// Which figure of the JSON report a key figure fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFigure {
    /// `plan_bid`.
    PlanBid,
    /// `benchmark`.
    Benchmark,
    /// `rebate`.
    Rebate,
    /// `total_plan_premium`.
    TotalPlanPremium,
}

impl ReportFigure {
    fn parse(s: &str) -> Result<ReportFigure, String> {
        Ok(match s {
            "plan_bid" => ReportFigure::PlanBid,
            "benchmark" => ReportFigure::Benchmark,
            "rebate" => ReportFigure::Rebate,
            "total_plan_premium" => ReportFigure::TotalPlanPremium,
            o => {
                return Err(format!(
                    "unknown report figure `{o}` (known: plan_bid, benchmark, rebate, total_plan_premium)"
                ));
            }
        })
    }
}

/// How a figure is drawn in a waterfall chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bar {
    /// A bar from zero (a subtotal).
    Total,
    /// A floating step from the running total by the field's value (signed).
    Step,
    /// A floating step from the running total to the next total (no field).
    Difference,
}

/// One figure: a field and its label.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Field id (empty for a [`Bar::Difference`]).
    pub id: String,
    /// Label.
    pub label: String,
    /// The JSON report's figure it fills, if any.
    pub report: Option<ReportFigure>,
    /// Its bar in a waterfall chart.
    pub bar: Bar,
}

/// The table finalization sorts.
#[derive(Debug, Clone, Serialize)]
pub struct Sort {
    /// Table id.
    pub table: String,
    /// Column id.
    pub column: String,
    /// Descending (else ascending).
    pub descending: bool,
    /// What the rows are called.
    pub label: String,
}

/// Rows finalization deletes (zero-based, inclusive).
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    /// Sheet.
    pub sheet: String,
    /// First row, zero-based.
    pub first: u32,
    /// Last row, zero-based.
    pub last: u32,
    /// What the section is called.
    pub label: String,
    /// Why the rows cannot be removed in this workbook (a layout overlay
    /// whose section could not be placed safely): finalization leaves the
    /// section and says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// In a layout overlay's workbook, what of these rows is the section
    /// besides its fields (see [`Own`]); `None` on a template's own
    /// layout, whose rows are the template's.
    #[serde(skip)]
    pub own: Option<Own>,
}

/// What of a section's rows in a layout overlay's workbook is
/// demonstrably the section besides its fields (worked out by
/// `overlay::place_removals`): finalization deletes nothing else there.
#[derive(Debug, Clone, Default)]
pub struct Own {
    /// The columns the section's texts and fields take on the base
    /// template, moved as its fields moved (zero-based; text in one of
    /// them is the section's heading or text).
    pub columns: Vec<u16>,
    /// The base template's texts of the section (heading, note, line
    /// numbers), each at its cell moved as the fields moved (a line
    /// number typed there as a number is the section's too).
    pub texts: Vec<(crate::cellref::CellRef, String)>,
}

/// The family's facts, resolved against the template's fields.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Identity fields.
    pub identity: Identity,
    /// Key figures in order.
    pub key_figures: Vec<Figure>,
    /// The bid build-up, in order.
    pub build_up: Vec<Figure>,
    /// The rebate allocation, in order.
    pub rebate_allocation: Vec<Figure>,
    /// The table finalization sorts.
    pub sort: Option<Sort>,
    /// Sections finalization deletes.
    pub remove: Vec<Removed>,
    /// The rebate percentage levels (Appendix E Section IV Rule 3).
    pub rebate_levels: Vec<RebateLevel>,
    /// What particular validation rules read (`[form.facts.rules]`).
    pub rules: RuleFacts,
}

/// What particular validation rules read, resolved against the template's
/// fields (`[form.facts.rules]`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleFacts {
    /// V001: field ids, table ids and id prefixes where an invalid value
    /// blocks finalization ([`RuleFacts::blocks_finalize`]).
    pub finalize_invalid: Vec<String>,
    /// A001: each rebate allocation with its maximum.
    pub allocation_limits: Vec<AllocationLimit>,
    /// A002, A005, A006: the rebate allocation entries, each with the
    /// decimals the form rounds it to (1 or 2).
    pub rounded_inputs: Vec<(String, u32)>,
    /// A003: the Part D fields an MA-only or EGWP plan leaves zero.
    pub part_d_only: Vec<String>,
    /// M001/M002, M003, M005: the COB/subrogation line's row key.
    pub cob_row: Option<String>,
    /// R009: the inpatient facility line's row key.
    pub inpatient_row: Option<String>,
    /// R003, R009, M005: the projected service-category tables, each
    /// (table id, its net cost-sharing column).
    pub cost_tables: Vec<(String, String)>,
    /// R003, R009: each service-category table's percentage-covered
    /// columns (table id, column ids).
    pub covered: Vec<(String, Vec<String>)>,
    /// F014–F018, R011, H015: the county table.
    pub counties: Option<Counties>,
    /// R011: risk scores outside the county table, each (field id, the
    /// member months that must be above zero for it to be checked).
    pub entered_risk_scores: Vec<(String, Option<String>)>,
    /// F020, D007: the out-of-pocket maximums.
    pub oop: Option<Oop>,
    /// D005, P007: the package benefit-line columns that count.
    pub package_columns: PackageColumns,
    /// F011, F012: the contacts, each (name, phone, e-mail) field ids.
    pub contacts: Vec<(String, String, String)>,
    /// C008, D005, P007: the optional supplemental benefit packages.
    pub packages: Vec<Package>,
    /// C005: a total in dollars over member months against a PMPM.
    pub pmpm_agrees: Option<PmpmAgrees>,
    /// M003, M010, M011, M016-M018: WS2's DE# split of the projected
    /// allowed PMPMs.
    pub de_blend: Option<DeBlend>,
    /// M012: the non-benefit expense lines, each (field id, label).
    pub non_benefit_lines: Vec<(String, String)>,
    /// M012: the total non-benefit expense's field id.
    pub non_benefit_total: Option<String>,
    /// M013: the plan benchmark (field id, label).
    pub plan_benchmark: Option<(String, String)>,
    /// M014: the plan bid (field id, label).
    pub plan_bid: Option<(String, String)>,
    /// C001: each (total, non-DE#) member months pair of field ids.
    pub member_months: Vec<(String, String)>,
    /// C002: each (DE# member months, total risk, non-DE# risk) field ids.
    pub risk_scores: Vec<(String, String, String)>,
}

/// M003, M010, M011, M016-M018: WS2's projected allowed PMPMs split by
/// DE# status (`de_blend`).
#[derive(Debug, Clone, Serialize)]
pub struct DeBlend {
    /// The table's id.
    pub table: String,
    /// Its column of all enrollees.
    pub total: String,
    /// Its column of the non-DE# enrollees.
    pub non_de: String,
    /// Its column of the DE# enrollees.
    pub de: String,
    /// The projected non-DE# member months' field id.
    pub mm_non_de: String,
    /// The projected DE# member months' field id.
    pub mm_de: String,
    /// Each row's tolerance (M011).
    pub line_tolerance: Decimal,
    /// The grand total's row key, a total row of the table (M010, M016).
    pub grand_total: String,
    /// The grand total's tolerance (M010).
    pub grand_total_tolerance: Decimal,
}

impl RuleFacts {
    /// Whether an invalid value in field `id` blocks finalization (V001):
    /// the id is listed, or begins with a listed id and a dot (a table's
    /// cells `ws5.county.code[1]`, a section's fields) or a `[` (a table's
    /// cells).
    pub fn blocks_finalize(&self, id: &str) -> bool {
        self.finalize_invalid.iter().any(|e| {
            id.strip_prefix(e.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }
}

/// One rebate allocation and its maximum (A001).
#[derive(Debug, Clone, Serialize)]
pub struct AllocationLimit {
    /// The allocation's field id.
    pub allocated: String,
    /// Its maximum's field id.
    pub maximum: String,
    /// What findings call it.
    pub label: String,
}

/// The county table (F014–F018, R011, H015): its id and column ids.
#[derive(Debug, Clone, Serialize)]
pub struct Counties {
    /// Table id.
    pub table: String,
    /// County-code column.
    pub code: String,
    /// Projected member-months column.
    pub member_months: String,
    /// Risk-score column.
    pub risk: String,
}

impl Counties {
    /// The cell id of `column` on row `key`.
    pub fn cell(&self, column: &str, key: &str) -> String {
        format!("{}.{column}[{key}]", self.table)
    }
}

/// The out-of-pocket maximums (F020, D007).
#[derive(Debug, Clone, Serialize)]
pub struct Oop {
    /// The methodology description field id (D007).
    pub description: String,
    /// Each (Yes/No question, amount) field ids.
    pub maximums: Vec<(String, String)>,
}

/// The benefit-line columns of a package that count (D005, P007).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PackageColumns {
    /// Any of these entered: the package is priced (D005).
    pub priced: Vec<String>,
    /// Any of these entered: the package is offered (P007).
    pub offered: Vec<String>,
}

/// One optional supplemental benefit package (C008, D005, P007).
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    /// What findings call it (`package 1`).
    pub label: String,
    /// Description field id.
    pub description: String,
    /// Premium field id.
    pub premium: String,
    /// Projected member months field id.
    pub member_months: String,
    /// Table id of its benefit lines.
    pub lines: String,
}

/// C005: `dollars` over `member_months` agrees with `pmpm` (field ids).
#[derive(Debug, Clone, Serialize)]
pub struct PmpmAgrees {
    /// The total in dollars.
    pub dollars: String,
    /// The member months.
    pub member_months: String,
    /// The PMPM.
    pub pmpm: String,
}

/// One rebate percentage level and the margin change premium rounding may
/// make at it (`rebate_levels`).
#[derive(Debug, Clone, Serialize)]
pub struct RebateLevel {
    /// The rebate percentage as a constant formula (the consumer evaluates
    /// it with the form's evaluator).
    pub rebate_pct: String,
    /// Label (`73⅓ %`).
    pub label: String,
    /// Largest Medicare-covered margin change for premium rounding.
    pub margin_limit: Decimal,
}

impl Facts {
    /// The key figure that fills `r` in the JSON report.
    pub fn report_figure(&self, r: ReportFigure) -> Option<&str> {
        self.key_figures
            .iter()
            .find(|f| f.report == Some(r))
            .map(|f| f.id.as_str())
    }
}

/// Resolves `[form.facts]` against the placed fields: every id must be a
/// field (or, for the sort, a table and one of its columns).
pub(super) fn resolve(spec: Option<&FactsSpec>, layout: &Layout) -> Result<Facts, String> {
    let Some(spec) = spec else {
        return Ok(Facts::default());
    };
    let field = |what: &str, id: &str| -> Result<String, String> {
        if layout.field(id).is_some() {
            Ok(id.to_string())
        } else {
            Err(format!(
                "form.facts: {what} `{id}` is not a field of the template"
            ))
        }
    };
    let i = &spec.identity;
    let identity = Identity {
        contract: field("identity.contract", &i.contract)?,
        plan: field("identity.plan", &i.plan)?,
        segment: field("identity.segment", &i.segment)?,
        organization: field("identity.organization", &i.organization)?,
        plan_name: field("identity.plan_name", &i.plan_name)?,
        plan_type: field("identity.plan_type", &i.plan_type)?,
    };
    let figures = |what: &str, list: &[FigureSpec]| -> Result<Vec<Figure>, String> {
        list.iter()
            .map(|f| {
                let bar = match f.bar.as_deref() {
                    None | Some("step") => Bar::Step,
                    Some("total") => Bar::Total,
                    Some("difference") => Bar::Difference,
                    Some(o) => {
                        return Err(format!(
                            "form.facts: {what} `{}`: bar `{o}` is not `total`, `step` or `difference`",
                            f.label
                        ));
                    }
                };
                let id = match (&f.id, bar) {
                    (None, Bar::Difference) => String::new(),
                    (Some(_), Bar::Difference) => {
                        return Err(format!(
                            "form.facts: {what} `{}`: a `difference` step has no id",
                            f.label
                        ));
                    }
                    (Some(id), _) => field(what, id)?,
                    (None, _) => {
                        return Err(format!("form.facts: {what} `{}`: no id", f.label));
                    }
                };
                Ok(Figure {
                    id,
                    label: f.label.clone(),
                    report: f
                        .report
                        .as_deref()
                        .map(ReportFigure::parse)
                        .transpose()
                        .map_err(|e| format!("form.facts: {what} `{}`: {e}", f.label))?,
                    bar,
                })
            })
            .collect()
    };
    let key_figures = figures("key_figures", &spec.key_figures)?;
    let sort = match &spec.finalize.sort {
        None => None,
        Some(s) => {
            let t = layout.table(&s.table).ok_or_else(|| {
                format!(
                    "form.facts.finalize.sort: `{}` is not a table of the template",
                    s.table
                )
            })?;
            if !t.columns.iter().any(|c| c.0 == s.column) {
                return Err(format!(
                    "form.facts.finalize.sort: table `{}` has no column `{}`",
                    s.table, s.column
                ));
            }
            let descending = match s.order.as_str() {
                "descending" => true,
                "ascending" => false,
                o => {
                    return Err(format!(
                        "form.facts.finalize.sort: order `{o}` is neither `ascending` nor `descending`"
                    ));
                }
            };
            Some(Sort {
                table: s.table.clone(),
                column: s.column.clone(),
                descending,
                label: s.label.clone(),
            })
        }
    };
    let mut remove = Vec::new();
    for r in &spec.finalize.remove {
        if !layout.sheets.iter().any(|s| s.name == r.sheet) {
            return Err(format!(
                "form.facts.finalize.remove: `{}` is not a sheet of the template",
                r.sheet
            ));
        }
        if r.first_row == 0 || r.last_row < r.first_row {
            return Err(format!(
                "form.facts.finalize.remove: rows {}-{} of {} are not 1-based and in order",
                r.first_row, r.last_row, r.sheet
            ));
        }
        remove.push(Removed {
            sheet: r.sheet.clone(),
            first: r.first_row.saturating_sub(1),
            last: r.last_row.saturating_sub(1),
            label: r.label.clone(),
            refused: None,
            own: None,
        });
    }
    let mut rebate_levels = Vec::new();
    for l in &spec.rebate_levels {
        let margin_limit = Decimal::from_str(l.margin_limit.trim()).map_err(|_| {
            format!(
                "form.facts: rebate_levels `{}`: margin_limit `{}` is not a number",
                l.label, l.margin_limit
            )
        })?;
        rebate_levels.push(RebateLevel {
            rebate_pct: l.rebate_pct.clone(),
            label: l.label.clone(),
            margin_limit,
        });
    }
    let rules = resolve_rules(&spec.rules, layout)?;
    Ok(Facts {
        identity,
        rules,
        rebate_levels,
        key_figures,
        build_up: figures("build_up", &spec.build_up)?,
        rebate_allocation: figures("rebate_allocation", &spec.rebate_allocation)?,
        sort,
        remove,
    })
}

/// The table `id` a rule fact names (`what`, read by `rules`).
fn fact_table<'l>(
    layout: &'l Layout,
    what: &str,
    rules: &str,
    id: &str,
) -> Result<&'l Table, String> {
    layout.table(id).ok_or_else(|| {
        format!("form.facts.rules: {what} `{id}` (read by {rules}) is not a table of the template")
    })
}

/// The column `col` of table `t` a rule fact names (`what`, read by `rules`).
fn fact_column(t: &Table, what: &str, rules: &str, col: &str) -> Result<String, String> {
    if t.columns.iter().any(|c| c.0 == col) {
        Ok(col.to_string())
    } else {
        Err(format!(
            "form.facts.rules: {what} `{col}` (read by {rules}) is not a column of table `{}`",
            t.id
        ))
    }
}

/// Resolves `[form.facts.rules]`: every id must be a field (a table for a
/// package's lines; a field, a table or the prefix of a field's id for
/// `finalize_invalid`). Errors name the rules that read the fact.
fn resolve_rules(spec: &RuleFactsSpec, layout: &Layout) -> Result<RuleFacts, String> {
    let field = |what: String, rules: &str, id: &str| -> Result<String, String> {
        if layout.field(id).is_some() {
            Ok(id.to_string())
        } else {
            Err(format!(
                "form.facts.rules: {what} `{id}` (read by {rules}) is not a field of the template"
            ))
        }
    };
    let mut finalize_invalid = Vec::new();
    for e in &spec.finalize_invalid {
        let probe = RuleFacts {
            finalize_invalid: vec![e.clone()],
            ..RuleFacts::default()
        };
        if layout.field(e).is_none()
            && layout.table(e).is_none()
            && !layout.fields.iter().any(|f| probe.blocks_finalize(&f.id))
        {
            return Err(format!(
                "form.facts.rules: finalize_invalid `{e}` (read by V001) is neither a field, a table nor the start of a field's id"
            ));
        }
        finalize_invalid.push(e.clone());
    }
    let mut allocation_limits = Vec::new();
    for (n, a) in spec.allocation_limits.iter().enumerate() {
        let at = |k: &str| format!("allocation_limits[{n}].{k}");
        allocation_limits.push(AllocationLimit {
            allocated: field(at("allocated"), "A001", &a.allocated)?,
            maximum: field(at("maximum"), "A001", &a.maximum)?,
            label: a.label.clone(),
        });
    }
    let mut rounded_inputs = Vec::new();
    for (n, r) in spec.rounded_inputs.iter().enumerate() {
        let id = field(format!("rounded_inputs[{n}].id"), "A002, A005, A006", &r.id)?;
        if !matches!(r.decimals, 1 | 2) {
            return Err(format!(
                "form.facts.rules: rounded_inputs[{n}] `{id}`: decimals {} is neither 1 (the dime, A005) nor 2 (the cent, A006)",
                r.decimals
            ));
        }
        rounded_inputs.push((id, r.decimals));
    }
    let part_d_only = spec
        .part_d_only
        .iter()
        .enumerate()
        .map(|(n, id)| field(format!("part_d_only[{n}]"), "A003", id))
        .collect::<Result<Vec<_>, _>>()?;
    let row = |key: &str, rules: &str, k: &Option<String>| -> Result<Option<String>, String> {
        match k {
            Some(k) if !layout.tables.values().any(|t| t.row_keys().any(|r| r == k)) => {
                Err(format!(
                    "form.facts.rules: {key} `{k}` (read by {rules}) is not a row of any table of the template"
                ))
            }
            other => Ok(other.clone()),
        }
    };
    let cob_row = row("cob_row", "M001, M002, M003, M005", &spec.cob_row)?;
    let inpatient_row = row("inpatient_row", "R009", &spec.inpatient_row)?;
    let mut cost_tables = Vec::new();
    let mut covered = Vec::new();
    for (n, c) in spec.cost_tables.iter().enumerate() {
        let at = |k: &str| format!("cost_tables[{n}].{k}");
        let t = fact_table(layout, &at("table"), "R003, R009, M005", &c.table)?;
        let net = fact_column(t, &at("net"), "M005", &c.net)?;
        let columns = c
            .covered
            .iter()
            .map(|col| fact_column(t, &at("covered"), "R003, R009", col))
            .collect::<Result<Vec<_>, _>>()?;
        cost_tables.push((c.table.clone(), net));
        covered.push((c.table.clone(), columns));
    }
    let counties = match &spec.counties {
        None => None,
        Some(c) => {
            let rules = "F014–F018, R011, H015";
            let t = fact_table(layout, "counties.table", rules, &c.table)?;
            Some(Counties {
                table: c.table.clone(),
                code: fact_column(t, "counties.code", rules, &c.code)?,
                member_months: fact_column(t, "counties.member_months", rules, &c.member_months)?,
                risk: fact_column(t, "counties.risk", rules, &c.risk)?,
            })
        }
    };
    let mut entered_risk_scores = Vec::new();
    for (n, r) in spec.entered_risk_scores.iter().enumerate() {
        let id = field(format!("entered_risk_scores[{n}].id"), "R011", &r.id)?;
        let when = match &r.when {
            None => None,
            Some(w) => Some(field(format!("entered_risk_scores[{n}].when"), "R011", w)?),
        };
        entered_risk_scores.push((id, when));
    }
    let oop = match &spec.oop {
        None => None,
        Some(o) => {
            let mut maximums = Vec::new();
            for (n, m) in o.maximums.iter().enumerate() {
                let at = |k: &str| format!("oop.maximums[{n}].{k}");
                maximums.push((
                    field(at("question"), "F020, F024, D007", &m.question)?,
                    field(at("amount"), "F020", &m.amount)?,
                ));
            }
            Some(Oop {
                description: field("oop.description".into(), "D007", &o.description)?,
                maximums,
            })
        }
    };
    let mut contacts = Vec::new();
    for (n, c) in spec.contacts.iter().enumerate() {
        let at = |k: &str| format!("contacts[{n}].{k}");
        contacts.push((
            field(at("name"), "F012", &c.name)?,
            field(at("phone"), "F011", &c.phone)?,
            field(at("email"), "F012", &c.email)?,
        ));
    }
    let mut packages = Vec::new();
    for (n, p) in spec.packages.iter().enumerate() {
        let at = |k: &str| format!("packages[{n}].{k}");
        let rules = "C008, D005, P007";
        let t = fact_table(layout, &at("lines"), rules, &p.lines)?;
        if let Some(pc) = &spec.package_columns {
            for (what, list, rules) in [
                ("package_columns.priced", &pc.priced, "D005"),
                ("package_columns.offered", &pc.offered, "P007"),
            ] {
                for col in list {
                    fact_column(t, what, rules, col)?;
                }
            }
        }
        packages.push(Package {
            label: p.label.clone(),
            description: field(at("description"), rules, &p.description)?,
            premium: field(at("premium"), rules, &p.premium)?,
            member_months: field(at("member_months"), rules, &p.member_months)?,
            lines: p.lines.clone(),
        });
    }
    let package_columns = match &spec.package_columns {
        Some(pc) => PackageColumns {
            priced: pc.priced.clone(),
            offered: pc.offered.clone(),
        },
        None if !packages.is_empty() => {
            return Err(
                "form.facts.rules: packages are listed without package_columns (read by D005, P007)"
                    .to_string(),
            );
        }
        None => PackageColumns::default(),
    };
    let pmpm_agrees = match &spec.pmpm_agrees {
        None => None,
        Some(c) => {
            let at = |k: &str| format!("pmpm_agrees.{k}");
            Some(PmpmAgrees {
                dollars: field(at("dollars"), "C005", &c.dollars)?,
                member_months: field(at("member_months"), "C005", &c.member_months)?,
                pmpm: field(at("pmpm"), "C005", &c.pmpm)?,
            })
        }
    };
    let de_blend = match &spec.de_blend {
        None => None,
        Some(b) => Some(resolve_de_blend(b, layout, &field)?),
    };
    let labeled = |what: String, rules: &str, f: &LabeledFieldSpec| {
        field(what, rules, &f.id).map(|id| (id, f.label.clone()))
    };
    let mut non_benefit_lines = Vec::new();
    for (n, f) in spec.non_benefit_lines.iter().enumerate() {
        non_benefit_lines.push(labeled(format!("non_benefit_lines[{n}].id"), "M012", f)?);
    }
    let non_benefit_total = match &spec.non_benefit_total {
        None => None,
        Some(id) => Some(field("non_benefit_total".into(), "M012", id)?),
    };
    let plan_benchmark = match &spec.plan_benchmark {
        None => None,
        Some(f) => Some(labeled("plan_benchmark.id".into(), "M013", f)?),
    };
    let plan_bid = match &spec.plan_bid {
        None => None,
        Some(f) => Some(labeled("plan_bid.id".into(), "M014", f)?),
    };
    let mut member_months = Vec::new();
    for (n, m) in spec.member_months.iter().enumerate() {
        let at = |k: &str| format!("member_months[{n}].{k}");
        member_months.push((
            field(at("total"), "C001", &m.total)?,
            field(at("non_de"), "C001", &m.non_de)?,
        ));
    }
    let mut risk_scores = Vec::new();
    for (n, r) in spec.risk_scores.iter().enumerate() {
        let at = |k: &str| format!("risk_scores[{n}].{k}");
        risk_scores.push((
            field(at("mm_de"), "C002", &r.mm_de)?,
            field(at("total"), "C002", &r.total)?,
            field(at("non_de"), "C002", &r.non_de)?,
        ));
    }
    Ok(RuleFacts {
        finalize_invalid,
        allocation_limits,
        rounded_inputs,
        part_d_only,
        cob_row,
        inpatient_row,
        cost_tables,
        covered,
        counties,
        entered_risk_scores,
        oop,
        package_columns,
        contacts,
        packages,
        pmpm_agrees,
        de_blend,
        non_benefit_lines,
        non_benefit_total,
        plan_benchmark,
        plan_bid,
        member_months,
        risk_scores,
    })
}

/// Resolves `de_blend`: a table with the three columns and the total row,
/// two fields of member months, two tolerances (numbers, not negative).
fn resolve_de_blend(
    b: &DeBlendSpec,
    layout: &Layout,
    field: &dyn Fn(String, &str, &str) -> Result<String, String>,
) -> Result<DeBlend, String> {
    let all = "M003, M010, M011, M016, M017, M018";
    let t = fact_table(layout, "de_blend.table", all, &b.table)?;
    for (key, col) in [("total", &b.total), ("non_de", &b.non_de), ("de", &b.de)] {
        fact_column(t, &format!("de_blend.{key}"), all, col)?;
    }
    if !t.totals.iter().any(|r| r.0 == b.grand_total) {
        return Err(format!(
            "form.facts.rules: de_blend.grand_total `{}` (read by M010, M016) is not a total row of table `{}`",
            b.grand_total, b.table
        ));
    }
    let tolerance = |key: &str, rules: &str, s: &str| -> Result<Decimal, String> {
        match Decimal::from_str(s.trim()) {
            Ok(d) if d >= Decimal::ZERO => Ok(d),
            _ => Err(format!(
                "form.facts.rules: de_blend.{key} `{s}` (read by {rules}) is not a number at least 0"
            )),
        }
    };
    Ok(DeBlend {
        table: b.table.clone(),
        total: b.total.clone(),
        non_de: b.non_de.clone(),
        de: b.de.clone(),
        mm_non_de: field("de_blend.mm_non_de".into(), "M010, M011", &b.mm_non_de)?,
        mm_de: field("de_blend.mm_de".into(), "M010, M011", &b.mm_de)?,
        line_tolerance: tolerance("line_tolerance", "M011", &b.line_tolerance)?,
        grand_total: b.grand_total.clone(),
        grand_total_tolerance: tolerance(
            "grand_total_tolerance",
            "M010",
            &b.grand_total_tolerance,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{BUILTIN, Layout};

    fn text(id: &str) -> &'static str {
        BUILTIN.iter().find(|(k, _)| *k == id).unwrap().1
    }

    #[test]
    fn the_ma_facts_resolve() {
        let l = Layout::from_toml(text("ma-bpt-2013")).unwrap();
        assert_eq!(l.form.family, Family::Ma);
        let f = &l.facts;
        assert_eq!(f.identity.contract, "ws1.general.contract_number");
        assert_eq!(f.identity.plan_name, "ws1.general.plan_name");
        assert_eq!(f.key_figures.len(), 5);
        assert_eq!(
            f.report_figure(ReportFigure::Rebate),
            Some("ws5.savings.rebate")
        );
        let s = f.sort.as_ref().unwrap();
        assert_eq!(
            (s.table.as_str(), s.column.as_str(), s.descending),
            ("ws5.county", "code", true)
        );
        assert_eq!(f.remove.len(), 1);
        assert_eq!(
            (
                f.remove[0].sheet.as_str(),
                f.remove[0].first,
                f.remove[0].last
            ),
            ("WS6", 62, 68)
        );
        assert_eq!(f.build_up[1].bar, Bar::Difference);
        assert_eq!(f.rebate_allocation.len(), 5);
    }

    #[test]
    fn the_msa_facts_name_only_msa_fields() {
        let l = Layout::from_toml(text("msa-bpt-2013")).unwrap();
        assert_eq!(l.form.family, Family::Msa);
        let f = &l.facts;
        let ids: Vec<&str> = f
            .key_figures
            .iter()
            .chain(&f.build_up)
            .map(|k| k.id.as_str())
            .chain([f.identity.contract.as_str(), f.identity.plan_type.as_str()])
            .collect();
        assert!(ids.iter().all(|i| i.starts_with("msa.")), "{ids:?}");
        assert_eq!(f.report_figure(ReportFigure::Rebate), None);
        assert_eq!(f.sort.as_ref().unwrap().table, "msa.ws3.county");
        assert!(f.remove.is_empty());
    }

    #[test]
    fn the_rule_facts_resolve_and_name_their_rules() {
        let l = Layout::from_toml(text("ma-bpt-2013")).unwrap();
        let r = &l.facts.rules;
        assert!(r.blocks_finalize("ws5.county.code[1]"));
        assert!(r.blocks_finalize("ws5.county_summary.mm"));
        assert!(r.blocks_finalize("ws6.allocation.unallocated"));
        assert!(r.blocks_finalize("ws5.savings.basic_premium"));
        assert!(!r.blocks_finalize("ws5.savings.rebate"));
        assert!(!r.blocks_finalize("ws6.premium.part_d_basic_premium"));
        assert_eq!(r.allocation_limits.len(), 5);
        assert_eq!(r.allocation_limits[2].label, "Part B premium");
        assert_eq!(r.packages.len(), 5);
        assert_eq!(r.packages[4].member_months, "ws7.pkg5.member_months");
        assert_eq!(r.pmpm_agrees.as_ref().unwrap().pmpm, "ws1.base.net_pmpm[s]");
        assert_eq!(r.cob_row.as_deref(), Some("r"));
        assert_eq!(r.inpatient_row.as_deref(), Some("a"));
        assert_eq!(r.part_d_only.len(), 4);
        assert_eq!(r.contacts[1].1, "ws6.contact.cert_phone");
        assert_eq!(r.rounded_inputs[2], ("ws6.part_b.rebate_input".into(), 1));
        let t = text("ma-bpt-2013").replacen("cob_row = \"r\"", "cob_row = \"cob\"", 1);
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.rules: cob_row `cob` (read by M001, M002, M003, M005) is not a row of any table of the template"
        );
        assert_eq!(
            r.cost_tables,
            [
                ("ws4.non_de".to_string(), "net".to_string()),
                ("ws4.de".to_string(), "reimbursement".to_string())
            ]
        );
        let t = text("ma-bpt-2013").replacen(
            "{ table = \"ws4.de\", net = \"reimbursement\",",
            "{ table = \"ws4.de\", net = \"net\",",
            1,
        );
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.rules: cost_tables[1].net `net` (read by M005) is not a column of table `ws4.de`"
        );
        let msa = Layout::from_toml(text("msa-bpt-2013")).unwrap();
        assert!(msa.facts.rules.packages.is_empty());
        assert!(msa.facts.rules.cost_tables.is_empty());
        let t = text("ma-bpt-2013").replacen(
            "premium = \"ws7.pkg3.premium\"",
            "premium = \"ws7.pkg3.premium_total\"",
            1,
        );
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.rules: packages[2].premium `ws7.pkg3.premium_total` (read by C008, D005, P007) is not a field of the template"
        );
        let t = text("ma-bpt-2013").replacen("\"ws5.county_summary\",", "\"ws5.county_sum\",", 1);
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.rules: finalize_invalid `ws5.county_sum` (read by V001) is neither a field, a table nor the start of a field's id"
        );
        let t = text("ma-bpt-2013").replacen(
            "pmpm = \"ws1.base.net_pmpm[s]\"",
            "pmpm = \"ws1.base.net[s]\"",
            1,
        );
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.rules: pmpm_agrees.pmpm `ws1.base.net[s]` (read by C005) is not a field of the template"
        );
    }

    #[test]
    fn the_county_risk_oop_and_package_facts_resolve_and_name_their_rules() {
        let l = Layout::from_toml(text("ma-bpt-2013")).unwrap();
        let r = &l.facts.rules;
        let cols = vec!["pct_cov_allowed".to_string(), "pct_cov_cs".to_string()];
        assert_eq!(
            r.covered,
            [
                ("ws4.non_de".to_string(), cols.clone()),
                ("ws4.de".to_string(), cols)
            ]
        );
        let c = r.counties.as_ref().unwrap();
        assert_eq!(
            (
                c.table.as_str(),
                c.code.as_str(),
                c.member_months.as_str(),
                c.risk.as_str()
            ),
            ("ws5.county", "code", "mm", "risk")
        );
        assert_eq!(c.cell(&c.risk, "7"), "ws5.county.risk[7]");
        assert_eq!(
            r.entered_risk_scores,
            [
                (
                    "ws1.base_period.risk_total".to_string(),
                    Some("ws1.base_period.mm_total".to_string())
                ),
                (
                    "ws1.base_period.risk_non_de".to_string(),
                    Some("ws1.base_period.mm_total".to_string())
                ),
                ("ws5.bid.risk_non_de".to_string(), None),
            ]
        );
        let oop = r.oop.as_ref().unwrap();
        assert_eq!(oop.description, "ws3.oop.description");
        assert_eq!(
            oop.maximums[1],
            (
                "ws3.oop.out_of_network".to_string(),
                "ws3.oop.out_of_network_amount".to_string()
            )
        );
        assert_eq!(oop.maximums.len(), 3);
        assert_eq!(r.package_columns.priced, ["benefit", "util"]);
        assert_eq!(
            r.package_columns.offered,
            ["benefit", "util", "avg_cost", "category"]
        );
        let msa = Layout::from_toml(text("msa-bpt-2013")).unwrap();
        assert!(msa.facts.rules.oop.is_none());
        assert_eq!(msa.facts.rules.counties.unwrap().table, "msa.ws3.county");
        assert_eq!(
            load_error(
                "net = \"reimbursement\", covered = [\"pct_cov_allowed\", \"pct_cov_cs\"]",
                "net = \"reimbursement\", covered = [\"pct_cov_allowed\", \"pct_cs\"]"
            ),
            "cost_tables[1].covered `pct_cs` (read by R003, R009) is not a column of table `ws4.de`"
        );
        assert_eq!(
            load_error(
                "table = \"ws5.county\", code = \"code\", member_months = \"mm\"",
                "table = \"ws5.county\", code = \"code\", member_months = \"months\""
            ),
            "counties.member_months `months` (read by F014–F018, R011, H015) is not a column of table `ws5.county`"
        );
        assert_eq!(
            load_error(
                "counties = { table = \"ws5.county\"",
                "counties = { table = \"ws5.counties\""
            ),
            "counties.table `ws5.counties` (read by F014–F018, R011, H015) is not a table of the template"
        );
        assert_eq!(
            load_error(
                "{ id = \"ws5.bid.risk_non_de\" }",
                "{ id = \"ws5.bid.risk\" }"
            ),
            "entered_risk_scores[2].id `ws5.bid.risk` (read by R011) is not a field of the template"
        );
        assert_eq!(
            load_error(
                "amount = \"ws3.oop.combined_amount\"",
                "amount = \"ws3.oop.combined_amt\""
            ),
            "oop.maximums[2].amount `ws3.oop.combined_amt` (read by F020) is not a field of the template"
        );
        assert_eq!(
            load_error(
                "\"avg_cost\", \"category\"]",
                "\"avg_cost\", \"service_category\"]"
            ),
            "package_columns.offered `service_category` (read by P007) is not a column of table `ws7.pkg1.lines`"
        );
        assert_eq!(
            load_error("package_columns = {", "# package_columns = {"),
            "packages are listed without package_columns (read by D005, P007)"
        );
    }

    /// The template text with `from` (once in it) replaced by `to`, and the
    /// error it gives when it loads.
    fn load_error(from: &str, to: &str) -> String {
        let t = text("ma-bpt-2013");
        assert_eq!(
            t.matches(from).count(),
            1,
            "`{from}` is not once in the template"
        );
        Layout::from_toml(&t.replacen(from, to, 1))
            .unwrap_err()
            .to_string()
            .replacen("template ma-bpt-2013: form.facts.rules: ", "", 1)
    }

    #[test]
    fn the_de_expense_bid_and_member_month_facts_resolve_and_name_their_rules() {
        let l = Layout::from_toml(text("ma-bpt-2013")).unwrap();
        let r = &l.facts.rules;
        let b = r.de_blend.as_ref().unwrap();
        assert_eq!(
            (
                b.table.as_str(),
                b.total.as_str(),
                b.non_de.as_str(),
                b.de.as_str()
            ),
            (
                "ws2.allowed",
                "blend_allowed",
                "non_de_allowed",
                "de_allowed"
            )
        );
        assert_eq!(
            (b.mm_non_de.as_str(), b.mm_de.as_str()),
            ("ws2.projection.mm_non_de", "ws2.projection.mm_de")
        );
        assert_eq!(
            (
                b.line_tolerance,
                b.grand_total.as_str(),
                b.grand_total_tolerance
            ),
            (Decimal::new(5, 2), "s", Decimal::new(50, 2))
        );
        let lines: Vec<(&str, &str)> = r
            .non_benefit_lines
            .iter()
            .map(|(i, l)| (i.as_str(), l.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                ("ws4.nbe.v1_h", "line v1"),
                ("ws4.nbe.v2_h", "line v2"),
                ("ws4.nbe.v3_h", "line v3")
            ]
        );
        assert_eq!(r.non_benefit_total.as_deref(), Some("ws4.nbe.v5_h"));
        assert_eq!(
            r.plan_benchmark,
            Some(("ws5.bid.plan_benchmark".into(), "plan benchmark".into()))
        );
        assert_eq!(
            r.plan_bid,
            Some(("ws5.bid.plan_bid".into(), "plan A/B bid".into()))
        );
        assert_eq!(
            r.member_months,
            [
                (
                    "ws1.base_period.mm_total".to_string(),
                    "ws1.base_period.mm_non_de".to_string()
                ),
                ("ws5.bid.mm_total".into(), "ws5.bid.mm_non_de".into())
            ]
        );
        assert_eq!(r.risk_scores.len(), 2);
        assert_eq!(
            r.risk_scores[1],
            (
                "ws5.bid.mm_de".to_string(),
                "ws5.bid.risk_total".to_string(),
                "ws5.bid.risk_non_de".to_string()
            )
        );
        // The MSA form runs none of these rules and names none of them.
        let msa = Layout::from_toml(text("msa-bpt-2013")).unwrap();
        let m = &msa.facts.rules;
        assert!(m.de_blend.is_none() && m.plan_benchmark.is_none() && m.plan_bid.is_none());
        assert!(m.non_benefit_lines.is_empty() && m.non_benefit_total.is_none());
        assert!(m.member_months.is_empty() && m.risk_scores.is_empty());
        // Each id the template lacks is a load error naming the rules.
        for (from, to, want) in [
            (
                "table = \"ws2.allowed\", total",
                "table = \"ws2.allow\", total",
                "de_blend.table `ws2.allow` (read by M003, M010, M011, M016, M017, M018) is not a table of the template",
            ),
            (
                "de = \"de_allowed\", mm_non_de",
                "de = \"dual_allowed\", mm_non_de",
                "de_blend.de `dual_allowed` (read by M003, M010, M011, M016, M017, M018) is not a column of table `ws2.allowed`",
            ),
            (
                "mm_de = \"ws2.projection.mm_de\"",
                "mm_de = \"ws2.projection.de_mm\"",
                "de_blend.mm_de `ws2.projection.de_mm` (read by M010, M011) is not a field of the template",
            ),
            (
                "grand_total = \"s\"",
                "grand_total = \"a\"",
                "de_blend.grand_total `a` (read by M010, M016) is not a total row of table `ws2.allowed`",
            ),
            (
                "line_tolerance = \"0.05\"",
                "line_tolerance = \"5 cents\"",
                "de_blend.line_tolerance `5 cents` (read by M011) is not a number at least 0",
            ),
            (
                "grand_total_tolerance = \"0.50\"",
                "grand_total_tolerance = \"-0.50\"",
                "de_blend.grand_total_tolerance `-0.50` (read by M010) is not a number at least 0",
            ),
            (
                "{ id = \"ws4.nbe.v2_h\", label = \"line v2\" }",
                "{ id = \"ws4.nbe.v2\", label = \"line v2\" }",
                "non_benefit_lines[1].id `ws4.nbe.v2` (read by M012) is not a field of the template",
            ),
            (
                "non_benefit_total = \"ws4.nbe.v5_h\"",
                "non_benefit_total = \"ws4.nbe.v5\"",
                "non_benefit_total `ws4.nbe.v5` (read by M012) is not a field of the template",
            ),
            (
                "plan_benchmark = { id = \"ws5.bid.plan_benchmark\"",
                "plan_benchmark = { id = \"ws5.bid.benchmark\"",
                "plan_benchmark.id `ws5.bid.benchmark` (read by M013) is not a field of the template",
            ),
            (
                "plan_bid = { id = \"ws5.bid.plan_bid\"",
                "plan_bid = { id = \"ws5.bid.bid\"",
                "plan_bid.id `ws5.bid.bid` (read by M014) is not a field of the template",
            ),
            (
                "non_de = \"ws5.bid.mm_non_de\" }",
                "non_de = \"ws5.bid.non_de_mm\" }",
                "member_months[1].non_de `ws5.bid.non_de_mm` (read by C001) is not a field of the template",
            ),
            (
                "total = \"ws1.base_period.risk_total\"",
                "total = \"ws1.base_period.risk\"",
                "risk_scores[0].total `ws1.base_period.risk` (read by C002) is not a field of the template",
            ),
        ] {
            assert_eq!(load_error(from, to), want);
        }
        // An unknown key is a template error too.
        let e = load_error("grand_total = \"s\"", "grand = \"s\"");
        assert!(e.contains("unknown field `grand`"), "{e}");
    }

    #[test]
    fn an_unknown_family_is_a_template_error() {
        let t = text("ma-bpt-2013").replacen("family = \"ma\"", "family = \"mx\"", 1);
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: unknown form family `mx` (known: `ma`, `msa`)"
        );
    }

    #[test]
    fn a_fact_naming_no_field_is_a_template_error() {
        let t = text("ma-bpt-2013").replacen(
            "contract = \"ws1.general.contract_number\"",
            "contract = \"ws1.general.contract\"",
            1,
        );
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts: identity.contract `ws1.general.contract` is not a field of the template"
        );
        let t = text("ma-bpt-2013").replacen("column = \"code\"", "column = \"fips\"", 1);
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert_eq!(
            e,
            "template ma-bpt-2013: form.facts.finalize.sort: table `ws5.county` has no column `fips`"
        );
        let t = text("ma-bpt-2013").replacen("bar = \"difference\"", "bar = \"diff\"", 1);
        let e = Layout::from_toml(&t).unwrap_err().to_string();
        assert!(
            e.ends_with("bar `diff` is not `total`, `step` or `difference`"),
            "{e}"
        );
    }
}
