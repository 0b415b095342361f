//! The template file as written by hand (TOML), before resolution.
//!
//! See `docs/template-format.md` for the format. [`super::Layout`] turns
//! these raw structures into placed, resolved fields.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole template file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    /// Identity of the form.
    pub form: FormSpec,
    /// Named row lists shared between tables.
    #[serde(default)]
    pub row_sets: BTreeMap<String, Vec<RowSpec>>,
    /// Sheets in workbook order.
    #[serde(default, rename = "sheet")]
    pub sheets: Vec<SheetSpec>,
}

/// `[form]`: what the template is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    /// Template id, e.g. `ma-bpt-2013`.
    pub id: String,
    /// Form family (`ma`, `msa`): selects the typed model, calc and rules.
    pub family: String,
    /// Human title.
    pub title: String,
    /// Contract year the form prices.
    pub contract_year: i32,
    /// Where the layout comes from.
    #[serde(default)]
    pub source: String,
    /// Version marker cell.
    pub marker: MarkerSpec,
    /// `[form.facts]`: what the code needs to know about this form family
    /// (identity fields, key figures, finalization), as field ids.
    #[serde(default)]
    pub facts: Option<FactsSpec>,
}

/// `[form.facts]`: the family's facts, by field id.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactsSpec {
    /// `[form.facts.identity]`: the fields that identify a bid.
    pub identity: IdentitySpec,
    /// The figures a reviewer looks at first, in order.
    #[serde(default)]
    pub key_figures: Vec<FigureSpec>,
    /// The bid build-up charted on the Bid summary sheet, in order.
    #[serde(default)]
    pub build_up: Vec<FigureSpec>,
    /// The rebate allocation charted on the Bid summary sheet, in order.
    #[serde(default)]
    pub rebate_allocation: Vec<FigureSpec>,
    /// `[form.facts.finalize]`: what finalization changes.
    #[serde(default)]
    pub finalize: FinalizeSpec,
    /// The rebate percentage levels of the star ratings, with the
    /// Medicare-covered margin change premium rounding may make at each
    /// (Appendix E Section IV Rule 3).
    #[serde(default)]
    pub rebate_levels: Vec<RebateLevelSpec>,
    /// `[form.facts.rules]`: the fields and groups of fields particular
    /// validation rules read.
    #[serde(default)]
    pub rules: RuleFactsSpec,
}

/// `[form.facts.rules]`: what particular validation rules read, by id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFactsSpec {
    /// V001: where an invalid value blocks finalization: each a field id, a
    /// table id (all its cells) or an id prefix (every field whose id begins
    /// with it and a dot: `ws5.county_summary`).
    #[serde(default)]
    pub finalize_invalid: Vec<String>,
    /// A001: each rebate allocation with its maximum.
    #[serde(default)]
    pub allocation_limits: Vec<AllocationLimitSpec>,
    /// A002, A005, A006: the rebate allocation entries and the decimals
    /// the form rounds each to.
    #[serde(default)]
    pub rounded_inputs: Vec<RoundedInputSpec>,
    /// A003: the Part D premiums and rebate entries an MA-only or EGWP
    /// plan leaves zero or blank.
    #[serde(default)]
    pub part_d_only: Vec<String>,
    /// M001/M002, M003, M005: the row key of the COB/subrogation line of
    /// the service categories (no cost sharing; may be negative).
    #[serde(default)]
    pub cob_row: Option<String>,
    /// R009: the row key of the inpatient facility line.
    #[serde(default)]
    pub inpatient_row: Option<String>,
    /// R003, R009, M005: the projected service-category tables (WS4's
    /// non-DE# and DE# tables) and each one's net cost-sharing column.
    #[serde(default)]
    pub cost_tables: Vec<CostTableSpec>,
    /// F014–F018, R011, H015: the county table and its code, member-month
    /// and risk-score columns.
    #[serde(default)]
    pub counties: Option<CountiesSpec>,
    /// R011: the risk scores entered outside the county table, each
    /// checked when its `when` field (if any) holds a number above zero.
    #[serde(default)]
    pub entered_risk_scores: Vec<EnteredRiskScoreSpec>,
    /// F020, D007: the out-of-pocket maximum questions, their amounts and
    /// the methodology description.
    #[serde(default)]
    pub oop: Option<OopSpec>,
    /// D005, P007: which columns of a package's benefit lines make the
    /// package priced (D005) or offered (P007).
    #[serde(default)]
    pub package_columns: Option<PackageColumnsSpec>,
    /// F011, F012: the contacts (name, phone, e-mail fields) a bid gives.
    #[serde(default)]
    pub contacts: Vec<ContactSpec>,
    /// C008, D005, P007: the optional supplemental benefit packages.
    #[serde(default)]
    pub packages: Vec<PackageSpec>,
    /// C005: a total in dollars that, over member months, must agree with a
    /// PMPM within 1 %.
    #[serde(default)]
    pub pmpm_agrees: Option<PmpmAgreesSpec>,
    /// M003, M010, M011, M016-M018: WS2's projected allowed PMPMs of all
    /// enrollees, of the non-DE# and of the DE#, with the member months
    /// that weight them and the tolerances of the weighted average.
    #[serde(default)]
    pub de_blend: Option<DeBlendSpec>,
    /// M012: the non-benefit expense lines that are entered and not
    /// negative, each with what the finding calls it.
    #[serde(default)]
    pub non_benefit_lines: Vec<LabeledFieldSpec>,
    /// M012: the total non-benefit expense, not negative.
    #[serde(default)]
    pub non_benefit_total: Option<String>,
    /// M013: the plan benchmark, greater than zero to finalize.
    #[serde(default)]
    pub plan_benchmark: Option<LabeledFieldSpec>,
    /// M014: the plan bid, greater than zero to finalize.
    #[serde(default)]
    pub plan_bid: Option<LabeledFieldSpec>,
    /// C001: each total and non-DE# member months pair.
    #[serde(default)]
    pub member_months: Vec<MemberMonthsSpec>,
    /// C002: each DE# member months with the total and non-DE# risk
    /// scores that must agree when it is zero.
    #[serde(default)]
    pub risk_scores: Vec<RiskScoresSpec>,
}

/// `de_blend` (M003, M010, M011, M016-M018): WS2's DE# split.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeBlendSpec {
    /// The table of projected allowed PMPMs.
    pub table: String,
    /// Its column for all enrollees.
    pub total: String,
    /// Its column for the non-DE# enrollees.
    pub non_de: String,
    /// Its column for the DE# enrollees.
    pub de: String,
    /// The projected non-DE# member months (a field).
    pub mm_non_de: String,
    /// The projected DE# member months (a field).
    pub mm_de: String,
    /// How far each row's total may be from the weighted average (M011),
    /// a number (`"0.05"`).
    pub line_tolerance: String,
    /// The total row of all the service categories (M010, M016).
    pub grand_total: String,
    /// How far the grand total may be from its weighted average (M010).
    pub grand_total_tolerance: String,
}

/// A field and what findings call it (`non_benefit_lines`, `plan_bid` …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabeledFieldSpec {
    /// The field's id.
    pub id: String,
    /// What findings call it (`line v1`, `plan benchmark`).
    pub label: String,
}

/// One pair of member months (`member_months`, C001).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberMonthsSpec {
    /// The total member months.
    pub total: String,
    /// The non-DE# member months, not above the total.
    pub non_de: String,
}

/// One set of risk scores (`risk_scores`, C002).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskScoresSpec {
    /// The DE# member months.
    pub mm_de: String,
    /// The total risk score.
    pub total: String,
    /// The non-DE# risk score, equal to the total without DE# members.
    pub non_de: String,
}

/// One projected service-category table (`cost_tables`: R003, R009, M005).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostTableSpec {
    /// The table's id.
    pub table: String,
    /// Its column of cost sharing net of what the plan pays, which may
    /// not be negative (M005).
    pub net: String,
    /// Its percentage-covered columns, each between 0 % and 100 % (R003;
    /// R009 reads them on the inpatient line).
    #[serde(default)]
    pub covered: Vec<String>,
}

/// The county table (`counties`: F014–F018, R011, H015).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountiesSpec {
    /// The table's id.
    pub table: String,
    /// Its county-code column.
    pub code: String,
    /// Its projected member-months column.
    pub member_months: String,
    /// Its risk-score column.
    pub risk: String,
}

/// One risk score outside the county table (`entered_risk_scores`: R011).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnteredRiskScoreSpec {
    /// The risk score's field id.
    pub id: String,
    /// A field (member months) that must hold a number above zero for the
    /// score to be checked.
    #[serde(default)]
    pub when: Option<String>,
}

/// The out-of-pocket maximums (`oop`: F020, D007).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OopSpec {
    /// The field describing how the maximums are reflected in the PMPMs
    /// (D007).
    pub description: String,
    /// Each Yes/No question with its amount.
    pub maximums: Vec<OopMaximumSpec>,
}

/// One out-of-pocket maximum question (`oop.maximums`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OopMaximumSpec {
    /// The Yes/No question's field id.
    pub question: String,
    /// The amount's field id (required when the answer is Yes).
    pub amount: String,
}

/// The benefit-line columns of a package that count (`package_columns`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageColumnsSpec {
    /// A line with any of these entered makes the package priced: it
    /// needs a description (D005).
    pub priced: Vec<String>,
    /// A line with any of these entered makes the package offered: it
    /// needs a premium and member months (P007).
    pub offered: Vec<String>,
}

/// One rebate allocation and its maximum (`allocation_limits`, A001).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationLimitSpec {
    /// The allocation's field id.
    pub allocated: String,
    /// Its maximum's field id.
    pub maximum: String,
    /// What the finding calls the allocation (`Part B premium`).
    pub label: String,
}

/// One rebate allocation entry (`rounded_inputs`: A002, A005, A006).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundedInputSpec {
    /// The entry's field id.
    pub id: String,
    /// The decimals the form rounds it to: 1 (the dime, A005) or 2 (the
    /// cent, A006).
    pub decimals: u32,
}

/// One contact (`contacts`: F011, F012), by field id.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    /// Name field.
    pub name: String,
    /// Phone field.
    pub phone: String,
    /// E-mail field.
    pub email: String,
}

/// One optional supplemental benefit package (`packages`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// What findings call it (`package 1`).
    pub label: String,
    /// Its description field.
    pub description: String,
    /// Its premium field.
    pub premium: String,
    /// Its projected member months field.
    pub member_months: String,
    /// Its table of benefit lines.
    pub lines: String,
}

/// `pmpm_agrees` (C005): `dollars` ÷ `member_months` against `pmpm`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmpmAgreesSpec {
    /// The total in dollars (WS1 Section VI's all-other net medical).
    pub dollars: String,
    /// The member months it is over (WS1 Section II's total).
    pub member_months: String,
    /// The PMPM it must agree with (WS1 Section III's total net PMPM).
    pub pmpm: String,
}

/// One rebate percentage level (`rebate_levels`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebateLevelSpec {
    /// The rebate percentage as a constant formula, exactly as the rebate %
    /// field's formula gives it (`(2*0.75+0.7)/3`).
    pub rebate_pct: String,
    /// How reports name the level (`73⅓ %`).
    pub label: String,
    /// The largest Medicare-covered margin change for premium rounding
    /// (decimal text, `0.68`).
    pub margin_limit: String,
}

/// `[form.facts.identity]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    /// Contract number (`H1234`).
    pub contract: String,
    /// Plan id (`001`).
    pub plan: String,
    /// Segment id (`000`).
    pub segment: String,
    /// Organization name.
    pub organization: String,
    /// Plan name.
    pub plan_name: String,
    /// Plan type (`HMO`, `MSA`).
    pub plan_type: String,
}

/// One figure: a field and the label reports show for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// Field id (none for a `difference` step).
    #[serde(default)]
    pub id: Option<String>,
    /// Label shown for it.
    pub label: String,
    /// The JSON report's name for it (`plan_bid`, `benchmark`, `rebate`,
    /// `total_plan_premium`), if the report carries it.
    #[serde(default)]
    pub report: Option<String>,
    /// For a waterfall chart: `total` (a bar from zero), `step` (a floating
    /// step by the field's signed value; the default) or `difference` (no
    /// field: the step from the running total to the next total).
    #[serde(default)]
    pub bar: Option<String>,
}

/// `[form.facts.finalize]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalizeSpec {
    /// The table whose rows finalization sorts.
    #[serde(default)]
    pub sort: Option<SortSpec>,
    /// Row ranges finalization deletes (`[[form.facts.finalize.remove]]`).
    #[serde(default)]
    pub remove: Vec<RemoveSpec>,
}

/// The sorted table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    /// Table id.
    pub table: String,
    /// Column id the rows are sorted by.
    pub column: String,
    /// `descending` or `ascending`.
    pub order: String,
    /// What the sorted rows are called in the record of changes.
    pub label: String,
}

/// A removed section: whole rows of one sheet (1-based, inclusive).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveSpec {
    /// Sheet.
    pub sheet: String,
    /// First row (the section heading).
    pub first_row: u32,
    /// Last row.
    pub last_row: u32,
    /// What the section is called in the record of changes.
    pub label: String,
}

/// The version marker: a cell holding a fixed text that identifies the template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkerSpec {
    /// Sheet holding the marker.
    pub sheet: String,
    /// Cell holding the marker.
    pub cell: String,
    /// Exact marker text.
    pub text: String,
}

/// One row of a table: its key (line letter) and label.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// Line key, e.g. `a`, `v1`, `cms_revenue`.
    pub key: String,
    /// Line label as the instructions word it.
    #[serde(default)]
    pub label: String,
}

/// `[[sheet]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetSpec {
    /// Sheet name (`WS1`).
    pub name: String,
    /// Title written at the top of the sheet.
    #[serde(default)]
    pub title: String,
    /// Rows frozen at the top.
    #[serde(default)]
    pub freeze_rows: u32,
    /// Columns frozen at the left.
    #[serde(default)]
    pub freeze_cols: u16,
    /// Column widths in characters, by column letter.
    #[serde(default)]
    pub widths: BTreeMap<String, f64>,
    /// The columns the sheet prints (`"A:S"`); default: the form's width.
    /// Narrows the print area to leave out columns a printout does not
    /// need (helper columns, CMS lookup data) so the rest prints larger.
    #[serde(default)]
    pub print_columns: Option<String>,
    /// Static text (headings, notes).
    #[serde(default, rename = "text")]
    pub texts: Vec<TextSpec>,
    /// Scalar fields.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldSpecRaw>,
    /// Tables.
    #[serde(default, rename = "table")]
    pub tables: Vec<TableSpec>,
}

/// `[[sheet.text]]`: a static text cell.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSpec {
    /// Cell.
    pub cell: String,
    /// Text.
    pub text: String,
    /// `title`, `section`, `header`, `label` or `note`.
    #[serde(default = "default_style")]
    pub style: String,
}

fn default_style() -> String {
    "label".to_string()
}

/// `[[sheet.field]]`: one scalar field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpecRaw {
    /// Stable id.
    pub id: String,
    /// Cell address.
    pub cell: String,
    /// Label as the instructions word it.
    pub label: String,
    /// Where the label is written (optional).
    #[serde(default)]
    pub label_cell: Option<String>,
    /// Instruction line.
    #[serde(default)]
    pub line: String,
    /// Line numbers in the instructions.
    #[serde(default)]
    pub spec: String,
    /// Value kind.
    pub kind: String,
    /// Who fills it.
    pub role: String,
    /// Regex for `code` fields.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Allowed values for `choice` fields.
    #[serde(default)]
    pub choices: Vec<String>,
    /// Numeric lower bound (decimal string).
    #[serde(default)]
    pub min: Option<String>,
    /// Numeric upper bound (decimal string).
    #[serde(default)]
    pub max: Option<String>,
    /// Number format override.
    #[serde(default)]
    pub format: Option<String>,
    /// Pre-populated value (for `cms` fields).
    #[serde(default)]
    pub value: Option<String>,
    /// Formula with `{id}` placeholders (calc/default).
    #[serde(default)]
    pub formula: Option<String>,
    /// Must not be blank.
    #[serde(default)]
    pub required: bool,
    /// What rules read beyond `required` and `choices` (`checks.*`).
    #[serde(default)]
    pub checks: ChecksSpec,
    /// Defined name.
    #[serde(default)]
    pub name: Option<String>,
    /// One-line hint.
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[sheet.table]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Table id, e.g. `ws1.base`.
    pub id: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Instruction section.
    #[serde(default)]
    pub line: String,
    /// Line numbers in the instructions.
    #[serde(default)]
    pub spec: String,
    /// Row on which the column headers are written.
    #[serde(default)]
    pub header_row: Option<u32>,
    /// Sheet row (1-based) of the first data row.
    pub first_row: u32,
    /// Row set name or inline rows.
    #[serde(default)]
    pub rows: Option<RowsSpec>,
    /// Alternative to `rows`: N numbered rows.
    #[serde(default)]
    pub row_count: Option<u32>,
    /// Column for the row keys.
    #[serde(default)]
    pub key_col: Option<String>,
    /// Column for the row labels.
    #[serde(default)]
    pub label_col: Option<String>,
    /// The column (by id) whose value identifies a row, when rows are
    /// entries rather than fixed lines (the county table: its code): two
    /// bids' rows are compared by it, not by position.
    #[serde(default)]
    pub row_identity: Option<String>,
    /// Total rows after the data rows.
    #[serde(default)]
    pub totals: Vec<TotalSpec>,
    /// Columns.
    #[serde(default, rename = "column")]
    pub columns: Vec<ColumnSpec>,
}

/// Rows of a table: a named row set or an inline list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RowsSpec {
    /// Name of a `[row_sets]` entry.
    Named(String),
    /// Inline rows.
    Inline(Vec<RowSpec>),
}

/// A total line after the data rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalSpec {
    /// Line key.
    pub key: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Blank rows before this line.
    #[serde(default)]
    pub skip: u32,
}

/// `[[sheet.table.column]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Column id within the table.
    pub id: String,
    /// Excel column letters.
    pub col: String,
    /// The instructions' letter for this column.
    #[serde(default)]
    pub letter: Option<String>,
    /// Header text.
    #[serde(default)]
    pub header: String,
    /// Value kind.
    pub kind: String,
    /// Who fills it.
    pub role: String,
    /// Data rows that have this column (`"a:r"` ranges or single keys).
    #[serde(default)]
    pub rows: Option<Vec<String>>,
    /// Formula for each data row.
    #[serde(default)]
    pub formula: Option<String>,
    /// Formulas on total rows, by key.
    #[serde(default)]
    pub totals: BTreeMap<String, String>,
    /// Per-row role overrides.
    #[serde(default)]
    pub row_roles: BTreeMap<String, String>,
    /// Per-row formula overrides.
    #[serde(default)]
    pub row_formulas: BTreeMap<String, String>,
    /// Per-row kind overrides.
    #[serde(default)]
    pub row_kinds: BTreeMap<String, String>,
    /// Per-row pre-populated values (for `cms` cells).
    #[serde(default)]
    pub row_values: BTreeMap<String, String>,
    /// Per-row `checks` (replacing the column's `checks` on that row).
    #[serde(default)]
    pub row_checks: BTreeMap<String, ChecksSpec>,
    /// Regex for `code` cells.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Allowed values for `choice` cells.
    #[serde(default)]
    pub choices: Vec<String>,
    /// Numeric lower bound.
    #[serde(default)]
    pub min: Option<String>,
    /// Numeric upper bound.
    #[serde(default)]
    pub max: Option<String>,
    /// Number format override.
    #[serde(default)]
    pub format: Option<String>,
    /// Pre-populated value for every data row (for `cms` cells).
    #[serde(default)]
    pub value: Option<String>,
    /// Defined name for the column's data range.
    #[serde(default)]
    pub name: Option<String>,
    /// One-line hint.
    #[serde(default)]
    pub note: Option<String>,
    /// What rules read of every cell of the column (`checks.*`).
    #[serde(default)]
    pub checks: ChecksSpec,
}

/// `checks = { … }` of a field or column: the form facts a validation rule
/// reads about a cell, beyond `required` and `choices`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksSpec {
    /// The value the field must hold for a plan type, by plan type code
    /// (the OOP maximum answers of WS3 Section II: rule F024).
    #[serde(default)]
    pub by_plan_type: BTreeMap<String, String>,
    /// The field must not be blank when this field (an id) holds a number
    /// above zero (WS1 Sections II–VI for a plan with base period
    /// member months: rule F025).
    #[serde(default)]
    pub required_when: Option<String>,
    /// A number entered here must not be zero ("Do not enter zero": the
    /// projection factors of WS1 Section IV, rule R006).
    #[serde(default)]
    pub nonzero: bool,
    /// The number is not zero when this field (an id) holds a number above
    /// zero, and is zero (or blank) when it holds zero or is blank (WS1
    /// Section VI totals against the base period member months: rule C005).
    #[serde(default)]
    pub nonzero_iff: Option<String>,
    /// The number is above zero when any of these fields (ids) holds a
    /// number other than zero (the projected ESRD member months when ESRD
    /// costs are priced: rule C006).
    #[serde(default)]
    pub positive_when_any: Vec<String>,
}
