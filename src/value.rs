//! Cell values as `bpt` sees them: exact decimals, text, dates, or an
//! *invalid* value that keeps the raw content and where it was found.
//!
//! ```
//! use bpt::value::{Value, Values};
//! use rust_decimal_macros::dec;
//! let mut v = Values::default();
//! v.set("ws5.bid.msp", Value::Number(dec!(0.0253)));
//! assert_eq!(v.num("ws5.bid.msp"), Some(dec!(0.0253)));
//! assert!(v.get("ws5.bid.plan_bid").is_empty());
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::fmt;

/// A value that could not be taken as what the field expects.
///
/// Build one with a struct literal ending in `..Invalid::default()` when
/// there is no [`Original`] to keep.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Invalid {
    /// Sheet name.
    pub sheet: String,
    /// Cell (`D5`).
    pub cell: String,
    /// The raw content as found (`#DIV/0!`, `abc`, `2012-02-29`).
    pub raw: String,
    /// What the field expects (`a dollar amount (number)`).
    pub expected: String,
    /// The cell's content when it was not text (a number, a date-styled
    /// number, a boolean), so that a workbook written back holds the cell
    /// exactly as it was rather than [`Invalid::raw`] as text. `None`: the
    /// cell held text or an error value, which `raw` holds exactly. Not
    /// part of the JSON form.
    #[serde(skip)]
    pub original: Option<Original>,
}

/// The typed content of a cell whose value is [`Invalid`], kept bit for bit.
#[derive(Debug, Clone, Copy)]
pub enum Original {
    /// A number (`1e308`, `-1`, `2013.5` in a whole-number cell).
    Number(f64),
    /// A number shown as a date or time (date-styled): the serial in
    /// Excel's 1900 date system (`40909.5` is 2012-01-01 12:00).
    DateSerial(f64),
    /// A boolean (`TRUE` in a money cell).
    Bool(bool),
}

impl PartialEq for Original {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Original::Number(a), Original::Number(b))
            | (Original::DateSerial(a), Original::DateSerial(b)) => a.to_bits() == b.to_bits(),
            (Original::Bool(a), Original::Bool(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Original {}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{}: found `{}`, expected {}",
            self.sheet, self.cell, self.raw, self.expected
        )
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// Blank cell.
    #[default]
    Empty,
    /// A number, exact.
    Number(Decimal),
    /// Text (codes and choices included).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// Content that is not what the field expects.
    Invalid(Invalid),
}

impl Value {
    /// Whether the cell is blank.
    pub fn is_empty(&self) -> bool {
        matches!(self, Value::Empty)
    }

    /// The number, if the value is one.
    pub fn as_num(&self) -> Option<Decimal> {
        match self {
            Value::Number(d) => Some(*d),
            _ => None,
        }
    }

    /// The text, if the value is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The invalid content, if any.
    pub fn as_invalid(&self) -> Option<&Invalid> {
        match self {
            Value::Invalid(i) => Some(i),
            _ => None,
        }
    }

    /// A short display form: numbers in plain decimal notation, dates ISO.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Number(d) => d.normalize().to_string(),
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Invalid(i) => i.raw.clone(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Serialize for Value {
    /// JSON: `null`, a number written as a string of exact decimal digits
    /// (`"812.45"`), a string, `"2012-02-29"`, or `{"invalid": {...}}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Empty => s.serialize_none(),
            Value::Number(d) => s.serialize_str(&d.normalize().to_string()),
            Value::Text(t) => s.serialize_str(t),
            Value::Date(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            Value::Invalid(i) => {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("invalid", i)?;
                m.end()
            }
        }
    }
}

/// Values by field id: what a workbook holds, or what `bpt` computed.
///
/// A hash map (a form has tens of thousands of fields, looked up by id at
/// every step); [`Values::iter`] and serialization are in id order, so
/// output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    map: rustc_hash::FxHashMap<String, Value>,
}

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.map.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

static EMPTY: Value = Value::Empty;

impl Values {
    /// An empty map with room for `n` values.
    pub fn with_capacity(n: usize) -> Self {
        Values {
            map: rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// Sets a value (an `Empty` value removes the entry).
    pub fn set(&mut self, id: impl Into<String>, v: Value) {
        let id = id.into();
        if v.is_empty() {
            self.map.remove(&id);
        } else {
            self.map.insert(id, v);
        }
    }

    /// Sets a number.
    pub fn set_num(&mut self, id: impl Into<String>, d: Decimal) {
        self.set(id, Value::Number(d));
    }

    /// The value for an id (`Empty` when absent).
    pub fn get(&self, id: &str) -> &Value {
        self.map.get(id).unwrap_or(&EMPTY)
    }

    /// The number for an id, if it holds one.
    pub fn num(&self, id: &str) -> Option<Decimal> {
        self.get(id).as_num()
    }

    /// The text for an id, if it holds text.
    pub fn text(&self, id: &str) -> Option<&str> {
        self.get(id).as_text()
    }

    /// Non-empty entries in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let mut all: Vec<(&str, &Value)> = self.map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all.into_iter()
    }

    /// Non-empty entries in no particular order (faster than [`Values::iter`]).
    pub fn iter_unordered(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of non-empty entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no entry is set.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl FromIterator<(String, Value)> for Values {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(it: I) -> Self {
        let mut v = Values::default();
        for (k, x) in it {
            v.set(k, x);
        }
        v
    }
}

/// A typed field in the worksheet models: blank, a value of the expected
/// type, or invalid content kept as found. JSON: `null`, the value, or
/// `{"invalid": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(untagged)]
pub enum F<T> {
    /// Blank.
    #[default]
    Empty,
    /// A value of the expected type.
    Value(T),
    /// Content that is not of the expected type.
    Invalid {
        /// What was found and where.
        invalid: Invalid,
    },
}

impl<T: Clone> F<T> {
    /// The value, if present and valid.
    pub fn get(&self) -> Option<T> {
        match self {
            F::Value(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the field is blank.
    pub fn is_empty(&self) -> bool {
        matches!(self, F::Empty)
    }
}

impl F<Decimal> {
    /// The number, or zero when blank or invalid (for arithmetic the way
    /// Excel treats a blank cell; invalid values are reported separately).
    pub fn or_zero(&self) -> Decimal {
        self.get().unwrap_or(Decimal::ZERO)
    }

    /// Takes a number out of a [`Value`].
    pub fn from_value(v: &Value, expected: &str) -> Self {
        match v {
            Value::Empty => F::Empty,
            Value::Number(d) => F::Value(*d),
            Value::Invalid(i) => F::Invalid { invalid: i.clone() },
            other => F::Invalid {
                invalid: Invalid {
                    sheet: String::new(),
                    cell: String::new(),
                    raw: other.display(),
                    expected: expected.to_string(),
                    original: None,
                },
            },
        }
    }
}

impl F<String> {
    /// The text, or `""` when blank or invalid.
    pub fn as_str(&self) -> &str {
        match self {
            F::Value(s) => s,
            _ => "",
        }
    }

    /// Takes text out of a [`Value`]; numbers become their decimal text
    /// (a plan ID typed as the number 1 reads as `"1"`, and the rules then
    /// flag it for missing its leading zeros).
    pub fn from_value(v: &Value) -> Self {
        match v {
            Value::Empty => F::Empty,
            Value::Text(s) => F::Value(s.clone()),
            Value::Number(d) => F::Value(d.normalize().to_string()),
            Value::Date(d) => F::Value(d.format("%Y-%m-%d").to_string()),
            Value::Invalid(i) => F::Invalid { invalid: i.clone() },
        }
    }
}

impl F<NaiveDate> {
    /// Takes a date out of a [`Value`].
    pub fn from_value(v: &Value) -> Self {
        match v {
            Value::Empty => F::Empty,
            Value::Date(d) => F::Value(*d),
            Value::Invalid(i) => F::Invalid { invalid: i.clone() },
            other => F::Invalid {
                invalid: Invalid {
                    sheet: String::new(),
                    cell: String::new(),
                    raw: other.display(),
                    expected: "a date".into(),
                    original: None,
                },
            },
        }
    }
}
