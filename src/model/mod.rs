//! The typed model of an MA bid: one struct per worksheet, built from
//! [`Values`] by field id (`docs/field-ids.md`).
//!
//! Every field is an [`F`]: blank, a value of the expected type, or invalid
//! content kept as found. Inputs and calculated cells are both present, so
//! the model (and `bpt read --json`) shows what the workbook holds.
//!
//! Service-category tables are `Vec`s of lines in the instructions' order,
//! each line carrying its row key (`a`…`r`, then the total lines); a column
//! that a line does not have stays blank. Tables whose rows are named
//! (WS1 Sec VI, WS6 Sec IIIA/IIIB) are structs with one field per row. The
//! open-ended tables — WS3 cost-sharing lines, WS5 counties and WS7 package
//! lines — hold only the lines that have at least one non-blank cell, in row
//! order.
//!
//! ```
//! use bpt::model::MaBid;
//! use bpt::value::{Value, Values};
//! use rust_decimal_macros::dec;
//! let mut v = Values::default();
//! v.set("ws1.general.plan_id", Value::Text("001".into()));
//! v.set("ws1.base.net_pmpm[c]", Value::Number(dec!(12.5)));
//! let bid = MaBid::from_values(&v);
//! assert_eq!(bid.ws1.general.plan_id.as_str(), "001");
//! assert_eq!(bid.ws1.base[2].key, "c");
//! assert_eq!(bid.ws1.base[2].net_pmpm.get(), Some(dec!(12.5)));
//! ```

use crate::template::Layout;
use crate::value::{F, Value, Values};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;

/// The id of a field: `prefix.field`, or the literal id given.
macro_rules! id_of {
    ($prefix:expr, $field:ident) => {
        format!("{}.{}", $prefix, stringify!($field))
    };
    ($prefix:expr, $field:ident, $id:literal) => {
        String::from($id)
    };
}

/// A struct of scalar fields whose ids are `<prefix>.<field name>` (or the
/// literal id after `=`).
macro_rules! section {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty $(= $id:literal)? ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $ty, )*
        }

        impl $name {
            /// Reads the fields; `prefix` is the id prefix (`ws1.general`).
            #[allow(unused_variables)]
            pub(crate) fn read(src: &$crate::model::Src<'_>, prefix: &str) -> Self {
                Self {
                    $( $field: src.take(&id_of!(prefix, $field $(, $id)?)), )*
                }
            }
        }
    };
}

/// One line of a table: the row key plus one field per column. Each column
/// names the rows that have it (`"a:q"`, `"a:r s t"`, `"*"` for every row);
/// on other rows it stays blank and is not read.
macro_rules! table_line {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty = $rows:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            /// Row key: the instructions' line letter or number.
            pub key: String,
            $( $(#[$fm])* pub $field: $ty, )*
        }

        impl $name {
            /// Reads the line `key` of table `table`, whose rows (data and
            /// totals) run in `order`.
            pub(crate) fn read(
                src: &$crate::model::Src<'_>,
                table: &str,
                order: &[&str],
                key: &str,
            ) -> Self {
                Self {
                    key: key.to_string(),
                    $( $field: if $crate::model::has_row($rows, order, key) {
                        src.take(&format!("{}.{}[{}]", table, stringify!($field), key))
                    } else {
                        Default::default()
                    }, )*
                }
            }

            /// Reads the lines `keys` of table `table` in order.
            #[allow(dead_code)]
            pub(crate) fn read_all(
                src: &$crate::model::Src<'_>,
                table: &str,
                keys: &[&str],
            ) -> Vec<Self> {
                keys.iter().map(|k| Self::read(src, table, keys, k)).collect()
            }
        }
    };
}

/// A table whose rows are named: one field per row, each a line struct.
macro_rules! named_rows {
    (
        $(#[$m:meta])*
        pub struct $name:ident of $line:ident {
            $( $(#[$fm:meta])* $row:ident ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $( $(#[$fm])* pub $row: $line, )*
        }

        impl $name {
            /// Row keys in order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($row)),*];

            /// Reads the rows of table `table`.
            pub(crate) fn read(src: &$crate::model::Src<'_>, table: &str) -> Self {
                Self {
                    $( $row: $line::read(src, table, Self::KEYS, stringify!($row)), )*
                }
            }
        }
    };
}

mod ws1;
mod ws2;
mod ws3;
mod ws4;
mod ws5;
mod ws6;
mod ws7;

pub use ws1::*;
pub use ws2::*;
pub use ws3::*;
pub use ws4::*;
pub use ws5::*;
pub use ws6::*;
pub use ws7::*;

/// The service-category lines a–r (WS1, WS2, WS4).
pub const SERVICE_CATEGORIES: &[&str] = &[
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
];

/// Tables with open-ended rows: only rows holding something are modelled.
const OPEN_TABLES: &[&str] = &[
    "ws3.cost_sharing",
    "ws5.county",
    "ws7.pkg1.lines",
    "ws7.pkg2.lines",
    "ws7.pkg3.lines",
    "ws7.pkg4.lines",
    "ws7.pkg5.lines",
];

/// A whole MA bid, worksheet by worksheet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MaBid {
    /// WS1 – base period experience and projection assumptions.
    pub ws1: Ws1,
    /// WS2 – projected allowed costs.
    pub ws2: Ws2,
    /// WS3 – projected cost sharing.
    pub ws3: Ws3,
    /// WS4 – projected revenue requirement.
    pub ws4: Ws4,
    /// WS5 – benchmark.
    pub ws5: Ws5,
    /// WS6 – bid summary.
    pub ws6: Ws6,
    /// WS7 – optional supplemental benefits.
    pub ws7: Ws7,
}

impl MaBid {
    /// Builds the model from values by field id.
    pub fn from_values(values: &Values) -> MaBid {
        MaBid::read(&Src::new(values, false))
    }

    /// The ids the model reads for these values, in reading order (the
    /// open-ended tables contribute the rows the values hold).
    pub fn ids_read(values: &Values) -> Vec<String> {
        let src = Src::new(values, true);
        let _ = MaBid::read(&src);
        src.into_log()
    }

    /// The ids the model reads for a workbook in which every field of
    /// `layout` is filled.
    pub fn ids_for_layout(layout: &Layout) -> Vec<String> {
        let full: Values = layout
            .fields
            .iter()
            .map(|f| (f.id.clone(), Value::Text("x".into())))
            .collect();
        MaBid::ids_read(&full)
    }

    fn read(src: &Src<'_>) -> MaBid {
        MaBid {
            ws1: Ws1::read(src),
            ws2: Ws2::read(src),
            ws3: Ws3::read(src),
            ws4: Ws4::read(src),
            ws5: Ws5::read(src),
            ws6: Ws6::read(src),
            ws7: Ws7::read(src),
        }
    }
}

section! {
    /// Sec I of WS2–WS7: the general information of WS1 repeated (calculated).
    pub struct GeneralEcho {
        /// Sec I line 1 – contract number (= WS1 Sec I line 1).
        contract_number: F<String>,
        /// Sec I line 2 – plan ID (= WS1 Sec I line 2).
        plan_id: F<String>,
        /// Sec I line 3 – segment ID (= WS1 Sec I line 3).
        segment_id: F<String>,
        /// Sec I line 5 – organization name (= WS1 Sec I line 5).
        organization_name: F<String>,
        /// Sec I line 6 – plan name (= WS1 Sec I line 6).
        plan_name: F<String>,
        /// Sec I line 7 – plan type (= WS1 Sec I line 7).
        plan_type: F<String>,
    }
}

/// Takes a typed field out of a [`Value`].
pub(crate) trait Take {
    /// Converts.
    fn take(v: &Value) -> Self;
}

impl Take for F<Decimal> {
    fn take(v: &Value) -> Self {
        F::<Decimal>::from_value(v, "a number")
    }
}

impl Take for F<String> {
    fn take(v: &Value) -> Self {
        F::<String>::from_value(v)
    }
}

impl Take for F<NaiveDate> {
    fn take(v: &Value) -> Self {
        F::<NaiveDate>::from_value(v)
    }
}

/// Where the model reads from: the values, the rows present in the
/// open-ended tables, and (for introspection) a log of the ids read.
pub(crate) struct Src<'a> {
    values: &'a Values,
    open_rows: HashMap<&'a str, Vec<&'a str>>,
    log: Option<RefCell<Vec<String>>>,
}

impl<'a> Src<'a> {
    fn new(values: &'a Values, log: bool) -> Src<'a> {
        let mut open_rows: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        for (id, _) in values.iter() {
            let Some((table, key)) = split_table_id(id) else {
                continue;
            };
            if let Some(t) = OPEN_TABLES.iter().find(|t| **t == table) {
                let keys = open_rows.entry(t).or_default();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        for keys in open_rows.values_mut() {
            keys.sort_by(|a, b| natural_key(a).cmp(&natural_key(b)));
        }
        Src {
            values,
            open_rows,
            log: log.then(|| RefCell::new(Vec::new())),
        }
    }

    fn into_log(self) -> Vec<String> {
        self.log.map(RefCell::into_inner).unwrap_or_default()
    }

    /// The typed field for an id.
    pub(crate) fn take<T: Take>(&self, id: &str) -> T {
        if let Some(log) = &self.log {
            log.borrow_mut().push(id.to_string());
        }
        T::take(self.values.get(id))
    }

    /// Rows of an open-ended table that hold something, in row order,
    /// without the keys in `except` (total lines read separately).
    pub(crate) fn open_keys(&self, table: &str, except: &[&str]) -> Vec<&'a str> {
        self.open_rows
            .get(table)
            .map(|keys| {
                keys.iter()
                    .copied()
                    .filter(|k| !except.contains(k))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `ws5.county.mm[12]` → (`ws5.county`, `12`).
fn split_table_id(id: &str) -> Option<(&str, &str)> {
    let open = id.find('[')?;
    let key = id[open + 1..].strip_suffix(']')?;
    let head = &id[..open];
    let dot = head.rfind('.')?;
    Some((&head[..dot], key))
}

/// Sort key for row keys: letters, then the number (`a2` < `a10` < `x1`;
/// `2` < `10`).
fn natural_key(k: &str) -> (&str, u64, &str) {
    let split = k.find(|c: char| c.is_ascii_digit()).unwrap_or(k.len());
    let (alpha, rest) = k.split_at(split);
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let n = rest[..end].parse().unwrap_or(0);
    (alpha, n, &rest[end..])
}

/// Whether row `key` is among `spec` (`"*"`, or keys and `from:to` ranges
/// separated by spaces, in the row order `order`).
pub(crate) fn has_row(spec: &str, order: &[&str], key: &str) -> bool {
    if spec == "*" {
        return true;
    }
    let pos = |k: &str| order.iter().position(|x| *x == k);
    spec.split_whitespace()
        .any(|tok| match tok.split_once(':') {
            Some((a, b)) => match (pos(a), pos(b), pos(key)) {
                (Some(ia), Some(ib), Some(ik)) => ia <= ik && ik <= ib,
                _ => false,
            },
            None => tok == key,
        })
}

/// `keys` followed by `more` (a row set plus its total lines).
pub(crate) fn with_totals(keys: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    keys.iter().chain(more.iter()).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn row_specs() {
        let order = with_totals(SERVICE_CATEGORIES, &["s", "t"]);
        assert!(has_row("a:q", &order, "q"));
        assert!(!has_row("a:q", &order, "r"));
        assert!(has_row("a:r t", &order, "t"));
        assert!(!has_row("a:r t", &order, "s"));
        assert!(has_row("*", &[], "x7"));
        assert!(!has_row("a:zz", &order, "b"));
    }

    #[test]
    fn natural_order_of_open_rows() {
        let mut keys = vec!["x10", "a2", "x1", "a10", "b1", "a1"];
        keys.sort_by(|a, b| natural_key(a).cmp(&natural_key(b)));
        assert_eq!(keys, ["a1", "a2", "a10", "b1", "x1", "x10"]);
        let mut keys = vec!["100", "9", "10", "1"];
        keys.sort_by(|a, b| natural_key(a).cmp(&natural_key(b)));
        assert_eq!(keys, ["1", "9", "10", "100"]);
        assert_eq!(
            split_table_id("ws7.pkg2.lines.util[12]"),
            Some(("ws7.pkg2.lines", "12"))
        );
        assert_eq!(split_table_id("ws1.general.plan_id"), None);
    }

    #[test]
    fn builds_lines_and_open_tables() {
        let mut v = Values::default();
        v.set("ws1.base.net_pmpm[s]", Value::Number(dec!(812.45)));
        v.set("ws1.base.util_per_1000[q]", Value::Number(dec!(95)));
        v.set("ws5.county.code[10]", Value::Text("01001".into()));
        v.set("ws5.county.mm[2]", Value::Number(dec!(120)));
        v.set("ws3.cost_sharing.unit[a10]", Value::Text("D".into()));
        v.set("ws3.cost_sharing.unit[a2]", Value::Text("A".into()));
        v.set("ws3.cost_sharing.total[total]", Value::Number(dec!(40.1)));
        v.set("ws6.allocation.allocated[part_b]", Value::Number(dec!(2.5)));
        v.set("ws7.pkg3.lines.util[4]", Value::Number(dec!(30)));
        v.set("ws7.pkg3.premium", Value::Number(dec!(5.1)));
        let b = MaBid::from_values(&v);
        assert_eq!(b.ws1.base.len(), 20);
        assert_eq!(b.ws1.base[18].key, "s");
        assert_eq!(b.ws1.base[18].net_pmpm.get(), Some(dec!(812.45)));
        assert_eq!(b.ws1.base[16].util_per_1000.get(), Some(dec!(95)));
        let keys: Vec<&str> = b.ws5.county.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["2", "10"]);
        assert_eq!(b.ws5.county[1].code.as_str(), "01001");
        let keys: Vec<&str> = b.ws3.cost_sharing.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["a2", "a10"]);
        assert_eq!(b.ws3.cost_sharing_total.total.get(), Some(dec!(40.1)));
        assert_eq!(b.ws6.allocation.part_b.allocated.get(), Some(dec!(2.5)));
        assert_eq!(b.ws7.packages[2].lines.len(), 1);
        assert_eq!(b.ws7.packages[2].lines[0].util.get(), Some(dec!(30)));
        assert_eq!(b.ws7.packages[2].premium.get(), Some(dec!(5.1)));
        assert!(b.ws7.packages[0].lines.is_empty());
    }

    #[test]
    fn reads_each_id_once_and_never_totals_a_column_lacks() {
        let ids = MaBid::ids_read(&Values::default());
        let mut seen = std::collections::HashSet::new();
        for id in &ids {
            assert!(seen.insert(id.as_str()), "{id} read twice");
        }
        assert!(ids.contains(&"ws1.base.net_pmpm[t]".to_string()));
        assert!(!ids.contains(&"ws1.base.util_type[r]".to_string()));
        assert!(!ids.contains(&"ws1.base.util_type[s]".to_string()));
        assert!(ids.contains(&"ws4.margin.w_o".to_string()));
        assert!(ids.contains(&"ws6.premium.plan_intention".to_string()));
    }

    #[test]
    fn json_shows_values_blanks_and_invalid_content() {
        let mut v = Values::default();
        v.set("ws1.general.contract_number", Value::Text("H1234".into()));
        v.set(
            "ws1.base_period.mm_total",
            Value::Invalid(crate::value::Invalid {
                sheet: "WS1".into(),
                cell: "D16".into(),
                raw: "#DIV/0!".into(),
                expected: "a number".into(),
                original: None,
            }),
        );
        let j = serde_json::to_value(MaBid::from_values(&v)).unwrap();
        assert_eq!(j["ws1"]["general"]["contract_number"], "H1234");
        assert!(j["ws1"]["general"]["plan_id"].is_null());
        assert_eq!(
            j["ws1"]["base_period"]["mm_total"]["invalid"]["raw"],
            "#DIV/0!"
        );
        assert_eq!(j["ws1"]["base"][0]["key"], "a");
    }
}
