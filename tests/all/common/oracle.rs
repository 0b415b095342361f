//! The committed LibreOffice oracle: every calculated cell of every shipped
//! sample (and broken twin) as LibreOffice Calc recalculated it.
//!
//! `tests/oracle/<sample>.json` (and `tests/oracle/broken/<twin>.json`) is
//! written by `cargo test --test all oracle_regenerate:: -- --ignored` (needs
//! `soffice`) and read by `tests/all/form_oracle.rs` (does not).

use bpt::diff;
use bpt::form::Form;
use bpt::template::{Kind, Layout, Role};
use bpt::value::{Value, Values};
use bpt::{reader, writer};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One cell as LibreOffice left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// Blank (or the empty text `""`).
    Blank,
    /// A number, as the exact decimal of its shortest round-trip text.
    Number(String),
    /// Text.
    Text(String),
    /// A date (ISO).
    Date(String),
    /// An error value (`#DIV/0!`) or content the field's kind does not take.
    Error(String),
}

impl Cell {
    /// The oracle form of a value read back from LibreOffice's file.
    pub fn of(v: &Value) -> Cell {
        match v {
            Value::Empty => Cell::Blank,
            Value::Number(d) => Cell::Number(d.normalize().to_string()),
            Value::Text(t) if t.is_empty() => Cell::Blank,
            Value::Text(t) => Cell::Text(t.clone()),
            Value::Date(d) => Cell::Date(d.format("%Y-%m-%d").to_string()),
            Value::Invalid(i) => Cell::Error(i.raw.clone()),
        }
    }
}

/// One sample's recalculation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Oracle {
    /// The sample file, relative to the repository (`sample-bids/x.xlsx`).
    pub sample: String,
    /// Template id.
    pub template: String,
    /// `soffice --version` of the engine that computed it.
    pub engine: String,
    /// Every calculated (`calc` and `default`) field, by id.
    pub cells: BTreeMap<String, Cell>,
}

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shipped sample and broken twin, sorted, relative to the root.
pub fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["sample-bids", "sample-bids/broken"] {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .expect("sample dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
            .map(|p| p.strip_prefix(root()).expect("under root").to_path_buf())
            .collect();
        v.sort();
        out.extend(v);
    }
    out
}

/// Where the oracle of a sample lives (`tests/oracle/broken/x.json`).
pub fn path_for(sample: &Path) -> PathBuf {
    let rel = sample.strip_prefix("sample-bids").unwrap_or(sample);
    root().join("tests/oracle").join(rel).with_extension("json")
}

/// The oracle as JSON, one cell a line (diffs of a regeneration stay readable).
pub fn to_json(o: &Oracle) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("string");
    let mut out = format!(
        "{{\n  \"sample\": {},\n  \"template\": {},\n  \"engine\": {},\n  \"cells\": {{\n",
        q(&o.sample),
        q(&o.template),
        q(&o.engine)
    );
    let n = o.cells.len();
    for (i, (id, c)) in o.cells.iter().enumerate() {
        let sep = if i + 1 == n { "" } else { "," };
        out.push_str(&format!(
            "    {}: {}{sep}\n",
            q(id),
            serde_json::to_string(c).expect("cell")
        ));
    }
    out.push_str("  }\n}\n");
    out
}

/// Reads the committed oracle of a sample.
pub fn load(sample: &Path) -> Oracle {
    let path = path_for(sample);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate: cargo test --test all oracle_regenerate:: -- --ignored)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The compiled form of a shipped template, once per test process.
pub fn form_of(layout: &Layout) -> &'static Form {
    use std::sync::OnceLock;
    static MA: OnceLock<Form> = OnceLock::new();
    static MSA: OnceLock<Form> = OnceLock::new();
    let cell = match layout.form.id.as_str() {
        "ma-bpt-2013" => &MA,
        "msa-bpt-2013" => &MSA,
        other => panic!("no form for {other}"),
    };
    cell.get_or_init(|| Form::compile(layout).expect("compile"))
}

/// Whether a value agrees with LibreOffice's: numbers of cells the
/// instructions round exactly, others within `diff::DEFAULT_TOLERANCE`
/// (LibreOffice computes in binary floating point); text exactly (not
/// trimmed); errors by their text.
pub fn agrees(layout: &Layout, id: &str, lo: &Cell, ours: &Value) -> bool {
    use std::str::FromStr;
    match (lo, ours) {
        (Cell::Blank, Value::Empty) => true,
        (Cell::Number(a), Value::Number(b)) => {
            let Ok(a) = Decimal::from_str(a) else {
                return false;
            };
            let exact = layout.field(id).and_then(diff::rounding_dp).is_some();
            let d = (a - *b).abs();
            if exact {
                d.is_zero()
            } else {
                d <= diff::DEFAULT_TOLERANCE
            }
        }
        (Cell::Text(a), Value::Text(b)) => a == b,
        (Cell::Error(a), Value::Invalid(i)) => *a == i.raw,
        (Cell::Date(a), Value::Date(b)) => *a == b.format("%Y-%m-%d").to_string(),
        _ => false,
    }
}

/// A cached value no formula of the forms produces.
const STALE: Decimal = rust_decimal_macros::dec!(-987654.25);

/// Recalculates a bid with LibreOffice: its entered values (and the
/// overwritten `default` cells in `overrides`) are written into a fresh
/// form whose calculated cells hold a deliberately wrong cached value,
/// LibreOffice recalculates on load and saves, and every calculated cell
/// is read back. Panics if one stale value survives.
pub fn libreoffice_recalc(
    layout: &Layout,
    values: &Values,
    overrides: std::collections::BTreeSet<String>,
    dir: &Path,
    stem: &str,
) -> BTreeMap<String, Cell> {
    let mut inputs = Values::default();
    for f in &layout.fields {
        let v = if f.role.is_entered() || overrides.contains(&f.id) {
            values.get(&f.id).clone()
        } else if f.role == Role::Calc {
            if f.kind.is_numeric() {
                Value::Number(STALE)
            } else if f.kind == Kind::Date {
                Value::Empty
            } else {
                Value::Text("stale".into())
            }
        } else {
            Value::Empty
        };
        inputs.set(f.id.clone(), v);
    }
    let opts = writer::WriteOptions {
        default_overrides: overrides,
        ..Default::default()
    };
    let bytes = writer::write_form(layout, &inputs, &opts).expect("write");
    let src = dir.join(format!("{stem}.xlsx"));
    std::fs::write(&src, bytes).expect("write input");
    let out = dir.join(format!("{stem}-lo"));
    let converted = super::soffice_convert(&src, &out, super::TO_XLSX).expect("LibreOffice");
    let back = reader::read_bid(&converted).expect("read LibreOffice's output");
    let mut cells = BTreeMap::new();
    for f in layout.fields.iter().filter(|f| f.role.is_calculated()) {
        let v = back.values.get(&f.id);
        assert!(
            v.as_num() != Some(STALE) && v.as_text() != Some("stale"),
            "{stem}: {} was not recalculated",
            f.id
        );
        cells.insert(f.id.clone(), Cell::of(v));
    }
    cells
}
