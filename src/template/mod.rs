//! Templates: the layout of a bid form for one contract year, as data.
//!
//! A template file (see `docs/template-format.md`) is parsed into a
//! [`schema::TemplateFile`] and then resolved into a [`Layout`]: every field
//! placed on its sheet and cell, every formula's `{id}` placeholders turned
//! into cell addresses. Everything else in `bpt` works from the [`Layout`].
//!
//! ```
//! let layout = bpt::template::builtin("ma-bpt-2013").unwrap();
//! let f = layout.field("ws4.margin.w_o").unwrap();
//! assert_eq!(f.address(), "WS4!Q105");
//! ```

pub mod facts;
pub mod map;
pub mod overlay;
pub mod schema;

pub(crate) mod cache;
mod formula;

use crate::cellref::{CellRef, col_name, parse_col};
use regex::Regex;
use rust_decimal::Decimal;
use schema::{ColumnSpec, RowSpec, RowsSpec, TableSpec, TemplateFile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use facts::{Facts, Family};

/// The templates shipped inside the binary: `(id, TOML text)`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "ma-bpt-2013",
        include_str!("../../templates/ma-bpt-2013.toml"),
    ),
    (
        "msa-bpt-2013",
        include_str!("../../templates/msa-bpt-2013.toml"),
    ),
];

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Free text.
    Text,
    /// Text matching a pattern.
    Code,
    /// One of a list of values.
    Choice,
    /// Whole number.
    Integer,
    /// Any number.
    Decimal,
    /// Multiplicative factor or risk score.
    Factor,
    /// Fraction shown as a percent.
    Percent,
    /// Dollars.
    Money,
    /// Calendar date.
    Date,
}

impl Kind {
    /// Whether the kind holds a number.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Kind::Integer | Kind::Decimal | Kind::Factor | Kind::Percent | Kind::Money
        )
    }

    /// The default Excel number format.
    pub fn default_format(self) -> &'static str {
        match self {
            Kind::Text | Kind::Choice => "General",
            Kind::Code => "@",
            Kind::Integer => "#,##0",
            Kind::Decimal => "#,##0.00",
            Kind::Factor => "0.000",
            Kind::Percent => "0.00%",
            Kind::Money => "$#,##0.00",
            Kind::Date => "m/d/yyyy",
        }
    }

    /// A short description of what the kind expects, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Code => "a code",
            Kind::Choice => "one of the listed values",
            Kind::Integer => "a whole number",
            Kind::Decimal => "a number",
            Kind::Factor => "a factor (number)",
            Kind::Percent => "a percentage (number)",
            Kind::Money => "a dollar amount (number)",
            Kind::Date => "a date",
        }
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "text" => Kind::Text,
            "code" => Kind::Code,
            "choice" => Kind::Choice,
            "integer" => Kind::Integer,
            "decimal" => Kind::Decimal,
            "factor" => Kind::Factor,
            "percent" => Kind::Percent,
            "money" => Kind::Money,
            "date" => Kind::Date,
            other => return Err(format!("unknown kind `{other}`")),
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self).ok();
        write!(f, "{}", s.as_ref().and_then(|v| v.as_str()).unwrap_or("?"))
    }
}

/// Who fills a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The plan sponsor.
    Input,
    /// Pre-populated by CMS.
    Cms,
    /// Calculated by the form.
    Calc,
    /// Calculated default the actuary may overwrite.
    Default,
}

impl Role {
    /// Whether the form computes this field (calc or default).
    pub fn is_calculated(self) -> bool {
        matches!(self, Role::Calc | Role::Default)
    }

    /// Whether a person (plan or CMS) types this field.
    pub fn is_entered(self) -> bool {
        matches!(self, Role::Input | Role::Cms)
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "input" => Role::Input,
            "cms" => Role::Cms,
            "calc" => Role::Calc,
            "default" => Role::Default,
            other => return Err(format!("unknown role `{other}`")),
        })
    }
}

/// Where a table cell sits in its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TablePos {
    /// Table id.
    pub table: String,
    /// Column id.
    pub column: String,
    /// Row key.
    pub row: String,
    /// Whether the row is a total line.
    pub total: bool,
}

/// A resolved field: one cell of the form.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Stable id (`ws1.general.contract_number`, `ws1.base.net_pmpm[a]`).
    pub id: String,
    /// Sheet name.
    pub sheet: String,
    /// Cell.
    #[serde(serialize_with = "ser_cell")]
    pub cell: CellRef,
    /// Label (table cells: "row label – column header").
    pub label: String,
    /// Instruction line.
    pub line: String,
    /// Line numbers in the instructions.
    pub spec: String,
    /// Value kind.
    pub kind: Kind,
    /// Who fills it.
    pub role: Role,
    /// Pattern for codes.
    #[serde(skip)]
    pub pattern: Option<Regex>,
    /// Pattern source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_src: Option<String>,
    /// Allowed values for choices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Numeric lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// Numeric upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// Excel number format.
    pub format: String,
    /// Pre-populated value in the blank form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Formula as written in the template (with placeholders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula_src: Option<String>,
    /// Formula resolved to cell addresses (no leading `=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Must not be blank.
    pub required: bool,
    /// Defined name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Table position, for table cells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TablePos>,
    /// What validation rules read about the field (`checks.*`).
    #[serde(skip_serializing_if = "Checks::is_empty")]
    pub checks: Checks,
}

/// The form facts a validation rule reads about a field, beyond
/// [`Field::required`] and [`Field::choices`] (`checks = { … }` of a field
/// or column in the template).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checks {
    /// The value the field must hold for a plan type, by plan type code
    /// (case as written): rule F024.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_plan_type: Vec<(String, String)>,
    /// Required when this field holds a number above zero: rule F025.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_when: Option<String>,
    /// A number entered must not be zero: rule R006.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nonzero: bool,
    /// Not zero when this field holds a number above zero, zero (or blank)
    /// when it holds zero or is blank: rule C005.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonzero_iff: Option<String>,
    /// Above zero when any of these fields holds a number other than zero:
    /// rule C006.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub positive_when_any: Vec<String>,
}

impl Checks {
    /// Whether no check is set.
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }

    fn from_spec(s: &schema::ChecksSpec) -> Checks {
        Checks {
            by_plan_type: s
                .by_plan_type
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            required_when: s.required_when.clone(),
            nonzero: s.nonzero,
            nonzero_iff: s.nonzero_iff.clone(),
            positive_when_any: s.positive_when_any.clone(),
        }
    }

    /// The value [`Checks::by_plan_type`] asks of a plan type (compared
    /// ignoring case and surrounding spaces).
    pub fn for_plan_type(&self, plan_type: &str) -> Option<&str> {
        let p = plan_type.trim();
        self.by_plan_type
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(p))
            .map(|(_, v)| v.as_str())
    }
}

fn ser_cell<S: serde::Serializer>(c: &CellRef, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&c.to_string())
}

impl Field {
    /// `WS1!D5`.
    pub fn address(&self) -> String {
        format!("{}!{}", self.sheet, self.cell)
    }
}

/// A static text cell.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    /// Cell.
    #[serde(serialize_with = "ser_cell")]
    pub cell: CellRef,
    /// Text.
    pub text: String,
    /// Style name.
    pub style: String,
}

/// A resolved table: rows and columns placed on the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Table id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Instruction section.
    pub line: String,
    /// Sheet.
    pub sheet: String,
    /// Header row (zero-based).
    pub header_row: Option<u32>,
    /// Data rows: key, label, zero-based sheet row.
    pub rows: Vec<(String, String, u32)>,
    /// Total rows: key, label, zero-based sheet row.
    pub totals: Vec<(String, String, u32)>,
    /// Columns: id, zero-based column, instruction letter, header.
    pub columns: Vec<(String, u16, String, String)>,
    /// Key column.
    pub key_col: Option<u16>,
    /// Label column.
    pub label_col: Option<u16>,
    /// The column id whose value identifies a data row (rows are entries,
    /// compared between two bids by it, not by position).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_identity: Option<String>,
}

impl Table {
    /// Data row keys in order.
    pub fn row_keys(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|r| r.0.as_str())
    }
}

/// A resolved sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Frozen rows.
    pub freeze_rows: u32,
    /// Frozen columns.
    pub freeze_cols: u16,
    /// Widths by zero-based column.
    pub widths: Vec<(u16, f64)>,
    /// The zero-based columns the sheet prints (`print_columns`), when the
    /// template narrows its print area.
    pub print_columns: Option<(u16, u16)>,
    /// Static texts.
    pub texts: Vec<Text>,
    /// Table ids on this sheet.
    pub tables: Vec<String>,
}

/// What a template says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct FormInfo {
    /// Template id.
    pub id: String,
    /// Family.
    pub family: Family,
    /// Title.
    pub title: String,
    /// Contract year.
    pub contract_year: i32,
    /// Source.
    pub source: String,
    /// Marker sheet.
    pub marker_sheet: String,
    /// Marker cell.
    #[serde(serialize_with = "ser_cell")]
    pub marker_cell: CellRef,
    /// Marker text.
    pub marker_text: String,
}

impl FormInfo {
    /// The identity a template's `[form]` table gives.
    fn of(spec: &schema::FormSpec) -> Result<FormInfo, String> {
        let marker_cell = CellRef::parse(&spec.marker.cell)
            .ok_or_else(|| format!("bad marker cell `{}`", spec.marker.cell))?;
        Ok(FormInfo {
            id: spec.id.clone(),
            family: Family::parse(&spec.family)?,
            title: spec.title.clone(),
            contract_year: spec.contract_year,
            source: spec.source.clone(),
            marker_sheet: spec.marker.sheet.clone(),
            marker_cell,
            marker_text: spec.marker.text.clone(),
        })
    }
}

/// A fully resolved template.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Form identity.
    pub form: FormInfo,
    /// Sheets in order.
    pub sheets: Vec<Sheet>,
    /// Tables by id.
    pub tables: BTreeMap<String, Table>,
    /// Fields in template order.
    pub fields: Vec<Field>,
    /// For a layout overlay (`extends`): its base, sheet names, recognition
    /// rules and extra fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<overlay::OverlayInfo>,
    /// The family's facts (`[form.facts]`).
    pub facts: Facts,
    #[serde(skip)]
    index: rustc_hash::FxHashMap<String, usize>,
}

/// A problem in a template file.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The TOML could not be parsed.
    #[error("template is not valid TOML: {0}")]
    Toml(String),
    /// The template parsed but is inconsistent.
    #[error("template {template}: {message}")]
    Invalid {
        /// Template id.
        template: String,
        /// What is wrong.
        message: String,
    },
    /// No template with that id.
    #[error("no template named `{0}` (try `bpt template --list`)")]
    Unknown(String),
}

/// A template or overlay resolved with every collision collected.
#[derive(Debug)]
pub struct Checked {
    /// The template's (or overlay's) id.
    pub id: String,
    /// The layout, or the first problem other than a collision.
    pub layout: Result<Layout, TemplateError>,
    /// Every cell claimed twice (`MA Base!D5 is used twice: by … and by …`).
    pub collisions: Vec<String>,
}

/// Loads a template or overlay file from disk, once per process (the
/// layout lives as long as the process, like the shipped ones).
pub fn load_file(path: &std::path::Path) -> Result<&'static Layout, String> {
    use std::sync::Mutex;
    static LOADED: Mutex<Vec<(std::path::PathBuf, &'static Layout)>> = Mutex::new(Vec::new());
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(hit) = LOADED
        .lock()
        .ok()
        .and_then(|l| l.iter().find(|(p, _)| *p == key).map(|x| x.1))
    {
        return Ok(hit);
    }
    let shown = crate::sanitize::path(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() || meta.len() > 4 << 20 {
        return Err(format!(
            "{shown}: not a template file (a regular file of at most 4 MiB)"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let layout = Layout::from_toml(&text).map_err(|e| format!("{shown}: {e}"))?;
    let leaked: &'static Layout = Box::leak(Box::new(layout));
    if let Ok(mut l) = LOADED.lock() {
        l.push((key, leaked));
    }
    Ok(leaked)
}

/// A shipped template by id, or a template or overlay file by path.
pub fn by_id_or_file(s: &str) -> Result<&'static Layout, String> {
    if BUILTIN.iter().any(|(k, _)| *k == s) {
        return builtin_cached(s).map_err(|e| e.to_string());
    }
    let p = std::path::Path::new(s);
    if p.exists() {
        return load_file(p);
    }
    Err(format!(
        "`{}` is neither a shipped template ({}) nor a template file",
        crate::sanitize::echo(s),
        BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
    ))
}

/// The start of a template's TOML up to its first table that is not
/// `[form]` or one of its sub-tables.
pub(crate) fn form_head(text: &str) -> &str {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') && !(t.starts_with("[form]") || t.starts_with("[form.")) {
            break;
        }
        end += line.len();
    }
    &text[..end]
}

/// Loads a shipped template by id.
pub fn builtin(id: &str) -> Result<Layout, TemplateError> {
    let (_, text) = BUILTIN
        .iter()
        .find(|(k, _)| *k == id)
        .ok_or_else(|| TemplateError::Unknown(id.to_string()))?;
    Layout::from_toml(text)
}

/// The shipped templates resolved in this process, by index in [`BUILTIN`].
static BUILTIN_LAYOUTS: [std::sync::OnceLock<Result<Layout, String>>; BUILTIN.len()] =
    [const { std::sync::OnceLock::new() }; BUILTIN.len()];

/// A shipped template, parsed once per process and shared (for batch work).
///
/// It is read from the user's cache of resolved templates when that holds
/// it for this template text and this build of `bpt` ([`cache`]: resolving
/// the TOML and compiling the form was most of a one-shot `bpt validate`),
/// and resolved from the TOML otherwise.
pub fn builtin_cached(id: &str) -> Result<&'static Layout, TemplateError> {
    let i = BUILTIN
        .iter()
        .position(|(k, _)| *k == id)
        .ok_or_else(|| TemplateError::Unknown(id.to_string()))?;
    // Each template is resolved the first time it is asked for.
    let entry = BUILTIN_LAYOUTS[i].get_or_init(|| match cache::load(i) {
        Some(layout) => Ok(layout),
        None => {
            let built = Layout::from_toml(BUILTIN[i].1).map_err(|e| e.to_string());
            if built.is_ok() {
                cache::built(i);
            }
            built
        }
    });
    entry.as_ref().map_err(|e| TemplateError::Invalid {
        template: id.to_string(),
        message: e.clone(),
    })
}

/// All shipped templates, resolved.
pub fn all_builtin() -> Result<Vec<Layout>, TemplateError> {
    BUILTIN.iter().map(|(_, t)| Layout::from_toml(t)).collect()
}

impl Layout {
    /// Parses and resolves a template from TOML text: a whole template, or
    /// a layout overlay (a file with `extends = "<shipped template id>"`).
    pub fn from_toml(text: &str) -> Result<Layout, TemplateError> {
        let checked = Layout::check_toml(text)?;
        match checked.collisions.first() {
            Some(c) => Err(TemplateError::Invalid {
                template: checked.id,
                message: c.clone(),
            }),
            None => checked.layout,
        }
    }

    /// Parses and resolves a template or overlay, collecting every cell
    /// claimed twice instead of stopping at the first (for
    /// `bpt template --check`). The TOML must parse.
    pub fn check_toml(text: &str) -> Result<Checked, TemplateError> {
        let toml_err = |e: toml::de::Error| TemplateError::Toml(e.to_string());
        let (file, info) = if overlay::is_overlay(text) {
            let ov: overlay::OverlayFile = toml::from_str(text).map_err(toml_err)?;
            let (_, base_text) =
                BUILTIN
                    .iter()
                    .find(|(k, _)| *k == ov.extends)
                    .ok_or_else(|| TemplateError::Invalid {
                        template: ov.id.clone(),
                        message: format!(
                            "extends `{}`, which is not a shipped template (shipped: {})",
                            ov.extends,
                            BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
                        ),
                    })?;
            let base: TemplateFile = toml::from_str(base_text).map_err(toml_err)?;
            let (file, info) =
                overlay::apply(&base, &ov).map_err(|message| TemplateError::Invalid {
                    template: ov.id.clone(),
                    message,
                })?;
            (file, Some(info))
        } else {
            (toml::from_str(text).map_err(toml_err)?, None)
        };
        let mut collisions = Vec::new();
        let layout = Layout::resolve_collecting(&file, Some(&mut collisions)).and_then(|mut l| {
            if let Some(info) = info {
                let base = builtin_cached(&info.extends)?;
                l.overlay = Some(info);
                l.facts.remove = overlay::place_removals(base, &l);
            }
            Ok(l)
        });
        Ok(Checked {
            id: file.form.id.clone(),
            layout,
            collisions,
        })
    }

    /// Resolves a parsed template.
    pub fn resolve(file: &TemplateFile) -> Result<Layout, TemplateError> {
        Layout::resolve_collecting(file, None)
    }

    /// Resolves a parsed template; with `collect`, a cell claimed twice is
    /// recorded there and resolution goes on.
    fn resolve_collecting<'f>(
        file: &'f TemplateFile,
        mut collect: Option<&mut Vec<String>>,
    ) -> Result<Layout, TemplateError> {
        let tid = file.form.id.clone();
        let err = |message: String| TemplateError::Invalid {
            template: tid.clone(),
            message,
        };
        let form = FormInfo::of(&file.form).map_err(&err)?;
        let marker_cell = form.marker_cell;
        let mut layout = Layout {
            form,
            sheets: Vec::new(),
            tables: BTreeMap::new(),
            fields: Vec::new(),
            overlay: None,
            facts: Facts::default(),
            index: Default::default(),
        };
        // Sheet names are borrowed from `file`: no allocation per cell.
        let mut occupied: rustc_hash::FxHashMap<(&str, CellRef), String> = Default::default();
        let mut claim = |sheet: &'f str, cell: CellRef, what: &str| -> Result<(), TemplateError> {
            if let Some(prev) = occupied.get(&(sheet, cell)) {
                let m = format!("{sheet}!{cell} is used twice: by `{prev}` and by `{what}`");
                return match collect.as_deref_mut() {
                    Some(v) => {
                        v.push(m);
                        Ok(())
                    }
                    None => Err(err(m)),
                };
            }
            occupied.insert((sheet, cell), what.to_string());
            Ok(())
        };
        // An overlay's workbook carries no marker (recognition rules instead).
        if !file.form.marker.text.is_empty() {
            claim(&file.form.marker.sheet, marker_cell, "the version marker")?;
        }
        for sh in &file.sheets {
            if layout.sheets.iter().any(|s| s.name == sh.name) {
                return Err(err(format!("sheet `{}` is defined twice", sh.name)));
            }
            let print_columns = match &sh.print_columns {
                None => None,
                Some(r) => {
                    let (a, b) = r.split_once(':').unwrap_or((r.as_str(), r.as_str()));
                    match (
                        crate::cellref::parse_col(a.trim()),
                        crate::cellref::parse_col(b.trim()),
                    ) {
                        (Some(a), Some(b)) if a <= b => Some((a, b)),
                        _ => {
                            return Err(err(format!(
                                "sheet {}: print_columns `{r}` is not a column range such as \"A:S\"",
                                sh.name
                            )));
                        }
                    }
                }
            };
            let mut widths = Vec::new();
            for (c, w) in &sh.widths {
                let col = parse_col(c)
                    .ok_or_else(|| err(format!("sheet {}: bad column `{c}` in widths", sh.name)))?;
                widths.push((col, *w));
            }
            let mut texts = Vec::new();
            for t in &sh.texts {
                let cell = CellRef::parse(&t.cell)
                    .ok_or_else(|| err(format!("sheet {}: bad text cell `{}`", sh.name, t.cell)))?;
                claim(&sh.name, cell, &format!("text `{}`", t.text))?;
                texts.push(Text {
                    cell,
                    text: t.text.clone(),
                    style: t.style.clone(),
                });
            }
            for f in &sh.fields {
                let cell = CellRef::parse(&f.cell)
                    .ok_or_else(|| err(format!("field {}: bad cell `{}`", f.id, f.cell)))?;
                claim(&sh.name, cell, &f.id)?;
                if let Some(lc) = &f.label_cell {
                    let lcell = CellRef::parse(lc)
                        .ok_or_else(|| err(format!("field {}: bad label cell `{lc}`", f.id)))?;
                    claim(&sh.name, lcell, &format!("label of {}", f.id))?;
                    texts.push(Text {
                        cell: lcell,
                        text: f.label.clone(),
                        style: "label".into(),
                    });
                }
                let field = Field {
                    id: f.id.clone(),
                    sheet: sh.name.clone(),
                    cell,
                    label: f.label.clone(),
                    line: f.line.clone(),
                    spec: f.spec.clone(),
                    kind: f
                        .kind
                        .parse()
                        .map_err(|e| err(format!("field {}: {e}", f.id)))?,
                    role: f
                        .role
                        .parse()
                        .map_err(|e| err(format!("field {}: {e}", f.id)))?,
                    pattern: compile_pattern(f.pattern.as_deref())
                        .map_err(|e| err(format!("field {}: {e}", f.id)))?,
                    pattern_src: f.pattern.clone(),
                    choices: f.choices.clone(),
                    min: parse_dec(f.min.as_deref())
                        .map_err(|e| err(format!("field {}: {e}", f.id)))?,
                    max: parse_dec(f.max.as_deref())
                        .map_err(|e| err(format!("field {}: {e}", f.id)))?,
                    format: String::new(),
                    value: f.value.clone(),
                    formula_src: f.formula.clone(),
                    formula: None,
                    required: f.required,
                    name: f.name.clone(),
                    note: f.note.clone(),
                    table: None,
                    checks: Checks::from_spec(&f.checks),
                };
                let field = finish_field(field, f.format.as_deref());
                layout.push(field).map_err(err)?;
            }
            let mut table_ids = Vec::new();
            for t in &sh.tables {
                let table = place_table(file, &sh.name, t).map_err(&err)?;
                for (key, _, row) in table.rows.iter().chain(table.totals.iter()) {
                    if let Some(kc) = table.key_col {
                        claim(
                            &sh.name,
                            CellRef::new(*row, kc),
                            &format!("{} key {key}", t.id),
                        )?;
                    }
                    if let Some(lc) = table.label_col {
                        claim(
                            &sh.name,
                            CellRef::new(*row, lc),
                            &format!("{} label {key}", t.id),
                        )?;
                    }
                }
                if let Some(hr) = table.header_row {
                    for (cid, col, _, _) in &table.columns {
                        claim(
                            &sh.name,
                            CellRef::new(hr, *col),
                            &format!("{} header {cid}", t.id),
                        )?;
                    }
                }
                for c in &t.columns {
                    for field in column_fields(&sh.name, t, &table, c).map_err(&err)? {
                        claim(&sh.name, field.cell, &field.id)?;
                        layout.push(field).map_err(&err)?;
                    }
                }
                table_ids.push(t.id.clone());
                if layout.tables.insert(t.id.clone(), table).is_some() {
                    return Err(err(format!("table `{}` is defined twice", t.id)));
                }
            }
            layout.sheets.push(Sheet {
                name: sh.name.clone(),
                title: sh.title.clone(),
                freeze_rows: sh.freeze_rows,
                freeze_cols: sh.freeze_cols,
                widths,
                print_columns,
                texts,
                tables: table_ids,
            });
        }
        if !layout
            .sheets
            .iter()
            .any(|s| s.name == layout.form.marker_sheet)
        {
            return Err(err(format!(
                "marker sheet `{}` is not a sheet of the template",
                layout.form.marker_sheet
            )));
        }
        formula::resolve_all(&mut layout).map_err(&err)?;
        layout.check().map_err(&err)?;
        layout.facts = facts::resolve(file.form.facts.as_ref(), &layout).map_err(err)?;
        Ok(layout)
    }

    fn push(&mut self, field: Field) -> Result<(), String> {
        if self.index.contains_key(&field.id) {
            return Err(format!("field id `{}` is used twice", field.id));
        }
        self.index.insert(field.id.clone(), self.fields.len());
        self.fields.push(field);
        Ok(())
    }

    /// Consistency checks that every template must pass.
    fn check(&self) -> Result<(), String> {
        for f in &self.fields {
            if f.role.is_calculated() && f.formula.is_none() {
                return Err(format!("calculated field `{}` has no formula", f.id));
            }
            if f.kind == Kind::Choice && f.choices.is_empty() {
                return Err(format!("choice field `{}` lists no choices", f.id));
            }
            if f.kind == Kind::Code && f.pattern.is_none() {
                return Err(format!("code field `{}` has no pattern", f.id));
            }
            let named = [
                ("required_when", f.checks.required_when.as_slice()),
                ("nonzero_iff", f.checks.nonzero_iff.as_slice()),
                ("positive_when_any", f.checks.positive_when_any.as_slice()),
            ];
            for (key, ids) in named {
                if let Some(w) = ids.iter().find(|w| self.field(w).is_none()) {
                    return Err(format!(
                        "field `{}`: checks.{key} names `{w}`, which is not a field",
                        f.id
                    ));
                }
            }
            for (t, v) in &f.checks.by_plan_type {
                if !f.choices.is_empty() && !f.choices.contains(v) {
                    return Err(format!(
                        "field `{}`: checks.by_plan_type asks `{v}` of {t}, which is not one of its choices",
                        f.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// The values of the cells a person or CMS fills in (roles `input` and
    /// `cms`): what a bid is made of before any calculation.
    pub fn entered_values(&self, values: &crate::value::Values) -> crate::value::Values {
        let mut out = crate::value::Values::default();
        for (id, v) in values.iter_unordered() {
            if self.field(id).is_some_and(|f| f.role.is_entered()) {
                out.set(id, v.clone());
            }
        }
        out
    }

    /// The id of the form this layout is (for an overlay, its base's): two
    /// bids with the same base id compare field by field.
    pub fn base_id(&self) -> &str {
        self.overlay
            .as_ref()
            .map_or(self.form.id.as_str(), |o| o.extends.as_str())
    }

    /// Looks a field up by id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.index.get(id).map(|&i| &self.fields[i])
    }

    /// Looks a table up by id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.get(id)
    }

    /// The field at a sheet cell, if any.
    pub fn field_at(&self, sheet: &str, cell: CellRef) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.sheet == sheet && f.cell == cell)
    }

    /// Sheet names in order.
    pub fn sheet_names(&self) -> Vec<&str> {
        self.sheets.iter().map(|s| s.name.as_str()).collect()
    }

    /// Fields on one sheet.
    pub fn fields_on<'a>(&'a self, sheet: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.sheet == sheet)
    }
}

/// The parts joined into one string, allocated once.
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

fn compile_pattern(p: Option<&str>) -> Result<Option<Regex>, String> {
    p.map(|p| Regex::new(p).map_err(|e| format!("bad pattern `{p}`: {e}")))
        .transpose()
}

fn parse_dec(s: Option<&str>) -> Result<Option<Decimal>, String> {
    s.map(|s| Decimal::from_str(s).map_err(|_| format!("`{s}` is not a decimal number")))
        .transpose()
}

fn finish_field(mut f: Field, format: Option<&str>) -> Field {
    f.format = format
        .map(str::to_string)
        .unwrap_or_else(|| f.kind.default_format().to_string());
    f
}

fn table_rows(file: &TemplateFile, t: &TableSpec) -> Result<Vec<RowSpec>, String> {
    match (&t.rows, t.row_count) {
        (Some(RowsSpec::Named(name)), None) => file
            .row_sets
            .get(name)
            .cloned()
            .ok_or_else(|| format!("table {}: no row set named `{name}`", t.id)),
        (Some(RowsSpec::Inline(rows)), None) => Ok(rows.clone()),
        (None, Some(n)) => Ok((1..=n)
            .map(|i| RowSpec {
                key: i.to_string(),
                label: String::new(),
            })
            .collect()),
        _ => Err(format!(
            "table {}: give exactly one of `rows` or `row_count`",
            t.id
        )),
    }
}

fn place_table(file: &TemplateFile, sheet: &str, t: &TableSpec) -> Result<Table, String> {
    if t.first_row == 0 {
        return Err(format!("table {}: first_row is 1-based", t.id));
    }
    let rows = table_rows(file, t)?;
    let mut placed = Vec::new();
    let mut r = t.first_row - 1;
    for row in &rows {
        placed.push((row.key.clone(), row.label.clone(), r));
        r += 1;
    }
    let mut totals = Vec::new();
    for tot in &t.totals {
        r += tot.skip;
        totals.push((tot.key.clone(), tot.label.clone(), r));
        r += 1;
    }
    let mut seen = std::collections::HashSet::new();
    for (k, _, _) in placed.iter().chain(totals.iter()) {
        if !seen.insert(k.clone()) {
            return Err(format!("table {}: row key `{k}` appears twice", t.id));
        }
    }
    let key_col = t
        .key_col
        .as_deref()
        .map(|c| parse_col(c).ok_or_else(|| format!("table {}: bad key_col `{c}`", t.id)))
        .transpose()?;
    let label_col = t
        .label_col
        .as_deref()
        .map(|c| parse_col(c).ok_or_else(|| format!("table {}: bad label_col `{c}`", t.id)))
        .transpose()?;
    let mut columns = Vec::new();
    for c in &t.columns {
        let col = parse_col(&c.col)
            .ok_or_else(|| format!("table {}: column {}: bad col `{}`", t.id, c.id, c.col))?;
        let letter = c
            .letter
            .clone()
            .unwrap_or_else(|| col_name(col).to_lowercase());
        columns.push((c.id.clone(), col, letter, c.header.clone()));
    }
    if let Some(c) = &t.row_identity
        && !columns.iter().any(|col| &col.0 == c)
    {
        return Err(format!(
            "table {}: row_identity `{c}` is not one of its columns",
            t.id
        ));
    }
    let header_row = t.header_row.map(|h| h.saturating_sub(1));
    Ok(Table {
        id: t.id.clone(),
        label: t.label.clone(),
        line: t.line.clone(),
        sheet: sheet.to_string(),
        header_row,
        rows: placed,
        totals,
        columns,
        key_col,
        label_col,
        row_identity: t.row_identity.clone(),
    })
}

/// Expands `["a:k", "r"]` into keys in table order.
pub(crate) fn expand_keys(table: &Table, specs: &[String]) -> Result<Vec<String>, String> {
    let keys: Vec<&str> = table.row_keys().collect();
    let mut out = Vec::new();
    for s in specs {
        if let Some((a, b)) = s.split_once(':') {
            let ia = keys
                .iter()
                .position(|k| *k == a)
                .ok_or_else(|| format!("table {}: no row `{a}`", table.id))?;
            let ib = keys
                .iter()
                .position(|k| *k == b)
                .ok_or_else(|| format!("table {}: no row `{b}`", table.id))?;
            if ib < ia {
                return Err(format!("table {}: range `{s}` runs backwards", table.id));
            }
            out.extend(keys[ia..=ib].iter().map(|k| k.to_string()));
        } else {
            if !keys.contains(&s.as_str()) {
                return Err(format!("table {}: no row `{s}`", table.id));
            }
            out.push(s.clone());
        }
    }
    Ok(out)
}

fn column_fields(
    sheet: &str,
    spec: &TableSpec,
    table: &Table,
    c: &ColumnSpec,
) -> Result<Vec<Field>, String> {
    let ctx = |m: String| format!("table {} column {}: {m}", spec.id, c.id);
    let col = parse_col(&c.col).ok_or_else(|| ctx(format!("bad col `{}`", c.col)))?;
    let kind: Kind = c.kind.parse().map_err(ctx)?;
    let role: Role = c.role.parse().map_err(ctx)?;
    let keys = match &c.rows {
        Some(specs) => expand_keys(table, specs).map_err(ctx)?,
        None => table.row_keys().map(str::to_string).collect(),
    };
    for k in c
        .row_roles
        .keys()
        .chain(c.row_formulas.keys())
        .chain(c.row_kinds.keys())
        .chain(c.row_values.keys())
        .chain(c.row_checks.keys())
    {
        if !keys.contains(k) {
            return Err(ctx(format!(
                "override for row `{k}`, which the column does not have"
            )));
        }
    }
    for k in c.totals.keys() {
        if !table.totals.iter().any(|t| &t.0 == k) {
            return Err(ctx(format!(
                "total formula for `{k}`, which is not a total row"
            )));
        }
    }
    let pattern = compile_pattern(c.pattern.as_deref()).map_err(ctx)?;
    let min = parse_dec(c.min.as_deref()).map_err(ctx)?;
    let max = parse_dec(c.max.as_deref()).map_err(ctx)?;
    let letter = c.letter.clone().unwrap_or_else(|| c.col.to_lowercase());
    let mut out = Vec::new();
    let make = |key: &str, label: &str, row: u32, total: bool| -> Result<Field, String> {
        let role = if total {
            Role::Calc
        } else {
            match c.row_roles.get(key) {
                Some(r) => r.parse().map_err(ctx)?,
                None => role,
            }
        };
        let kind = match c.row_kinds.get(key) {
            Some(k) => k.parse().map_err(ctx)?,
            None => kind,
        };
        let formula = if total {
            c.totals.get(key).cloned()
        } else if let Some(f) = c.row_formulas.get(key) {
            Some(f.clone())
        } else if role.is_calculated() {
            c.formula.clone()
        } else {
            None
        };
        let value = c.row_values.get(key).cloned().or_else(|| c.value.clone());
        let header = if c.header.is_empty() {
            &c.id
        } else {
            &c.header
        };
        // Built by concatenation, not `format!`: this runs for each of the
        // form's ~24,000 table cells at every start of the process.
        let label = if label.is_empty() {
            concat(&[&spec.label, " line ", key, " – ", header])
        } else {
            concat(&[label, " – ", header])
        };
        let f = Field {
            id: concat(&[&spec.id, ".", &c.id, "[", key, "]"]),
            sheet: sheet.to_string(),
            cell: CellRef::new(row, col),
            label,
            line: concat(&[&spec.line, " line ", key, " col ", &letter]),
            spec: spec.spec.clone(),
            kind,
            role,
            pattern: if kind == Kind::Code {
                pattern.clone()
            } else {
                None
            },
            pattern_src: if kind == Kind::Code {
                c.pattern.clone()
            } else {
                None
            },
            choices: if kind == Kind::Choice {
                c.choices.clone()
            } else {
                Vec::new()
            },
            min,
            max,
            format: String::new(),
            value: if role == Role::Cms || role == Role::Input {
                value
            } else {
                None
            },
            formula_src: formula,
            formula: None,
            required: false,
            name: None,
            note: c.note.clone(),
            table: Some(TablePos {
                table: spec.id.clone(),
                column: c.id.clone(),
                row: key.to_string(),
                total,
            }),
            checks: if total {
                Checks::default()
            } else {
                Checks::from_spec(c.row_checks.get(key).unwrap_or(&c.checks))
            },
        };
        Ok(finish_field(f, c.format.as_deref()))
    };
    let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
    for (key, label, row) in &table.rows {
        if wanted.contains(key.as_str()) {
            out.push(make(key, label, *row, false)?);
        }
    }
    for (key, label, row) in &table.totals {
        if c.totals.contains_key(key) {
            out.push(make(key, label, *row, true)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
[form]
id = "mini"
family = "ma"
title = "Mini"
contract_year = 2013
[form.marker]
sheet = "S1"
cell = "A1"
text = "bpt:mini:v1"
[row_sets]
cats = [{ key = "a", label = "Alpha" }, { key = "b", label = "Beta" }, { key = "r", label = "COB" }]
[[sheet]]
name = "S1"
[[sheet.field]]
id = "s1.x"
cell = "D3"
label = "X"
kind = "money"
role = "input"
[[sheet.table]]
id = "s1.t"
label = "T"
line = "S1 Sec III"
first_row = 10
rows = "cats"
totals = [{ key = "s", label = "Total" }, { key = "u", label = "Sub", skip = 1 }]
[[sheet.table.column]]
id = "v"
col = "E"
kind = "money"
role = "input"
totals = { s = "SUM({s1.t.v[a:r]})", u = "SUM({s1.t.v[a:b]})" }
[[sheet.table.column]]
id = "w"
col = "F"
kind = "money"
role = "calc"
rows = ["a:b"]
formula = "{s1.t.v}*{s1.x}+{s2.y}"
[[sheet]]
name = "S2"
[[sheet.field]]
id = "s2.y"
cell = "B2"
label = "Y"
kind = "money"
role = "calc"
formula = "SUM({s1.t.w[*]})+{s1.t.v[s]}"
"#;

    #[test]
    fn resolves_placeholders() {
        let l = Layout::from_toml(MINI).unwrap();
        assert_eq!(l.field("s1.t.v[s]").unwrap().cell.to_string(), "E13");
        assert_eq!(l.field("s1.t.v[u]").unwrap().cell.to_string(), "E15");
        assert_eq!(
            l.field("s1.t.v[s]").unwrap().formula.as_deref(),
            Some("SUM($E$10:$E$12)")
        );
        assert_eq!(
            l.field("s1.t.w[b]").unwrap().formula.as_deref(),
            Some("$E$11*$D$3+S2!$B$2")
        );
        assert!(l.field("s1.t.w[r]").is_none());
        assert_eq!(
            l.field("s2.y").unwrap().formula.as_deref(),
            Some("SUM(S1!$F$10:$F$12)+S1!$E$13")
        );
        assert_eq!(l.field("s1.t.w[a]").unwrap().label, "Alpha – w");
    }

    #[test]
    fn rejects_overlaps_and_unknown_ids() {
        let bad = MINI.replace("cell = \"D3\"", "cell = \"E10\"");
        let e = Layout::from_toml(&bad).unwrap_err().to_string();
        assert!(e.contains("S1!E10 is used twice"), "{e}");
        let bad = MINI.replace("{s2.y}", "{s2.zz}");
        let e = Layout::from_toml(&bad).unwrap_err().to_string();
        assert!(e.contains("s2.zz"), "{e}");
        let bad = MINI.replace("formula = \"SUM({s1.t.w[*]})+{s1.t.v[s]}\"", "");
        let e = Layout::from_toml(&bad).unwrap_err().to_string();
        assert!(e.contains("has no formula"), "{e}");
    }
}
