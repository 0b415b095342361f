//! Data validations of the written form: dropdowns for choice fields,
//! number ranges for numeric fields with bounds, input messages from notes.
//!
//! Cells of one column with the same rule on consecutive rows share one
//! validation range, so a 1 000-row table adds a handful of entries, not
//! thousands.

use crate::cellref::col_name;
use crate::template::{Field, Kind, Role};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Formula, XlsxError};

/// Excel's limit on a validation list written inline, commas included.
const INLINE_LIST_LIMIT: usize = 255;
/// Excel's limit on input and error messages.
const MESSAGE_LIMIT: usize = 255;

/// What a validation allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    /// One of these strings, written inline in the validation.
    List(Vec<String>),
    /// One of the values in a range of the lists sheet (`=Lists!$A$1:$A$26`).
    ListRef(String),
    /// A whole number within the bounds.
    Whole(Option<i32>, Option<i32>),
    /// A number within the bounds; `percent` words the message in percent.
    Number {
        /// Lower bound.
        min: Option<Decimal>,
        /// Upper bound.
        max: Option<Decimal>,
        /// Whether the field shows percentages.
        percent: bool,
    },
    /// Anything (the validation only carries an input message).
    Any,
}

/// One validation: a rule and the input message shown on the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// What is allowed.
    pub rule: Rule,
    /// Input message (the field's note).
    pub message: Option<String>,
}

/// Lists too long (or with commas) to write inline, laid out one per column
/// of the hidden lists sheet; identical lists share a column.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    /// The lists in column order.
    pub columns: Vec<Vec<String>>,
}

impl Lists {
    /// The range formula of `items` on the lists sheet `sheet`, adding a column when new.
    fn range(&mut self, sheet: &str, items: &[String]) -> String {
        let i = match self.columns.iter().position(|c| c == items) {
            Some(i) => i,
            None => {
                self.columns.push(items.to_vec());
                self.columns.len() - 1
            }
        };
        let col = u16::try_from(i)
            .map(col_name)
            .unwrap_or_else(|_| "A".into());
        format!("={sheet}!${col}$1:${col}${}", items.len().max(1))
    }
}

/// Whether a list can be written inline: Excel splits inline lists on
/// commas and limits them to 255 characters.
fn fits_inline(items: &[String]) -> bool {
    let joined: usize = items
        .iter()
        .map(|s| s.encode_utf16().count() + s.matches('"').count())
        .sum::<usize>()
        + items.len().saturating_sub(1);
    joined <= INLINE_LIST_LIMIT && !items.iter().any(|s| s.contains(','))
}

/// The validation of a field, if it gets one. Calculated cells get none.
pub(crate) fn spec_for(f: &Field, lists: &mut Lists, lists_sheet: &str) -> Option<Spec> {
    if f.role == Role::Calc {
        return None;
    }
    let rule = if f.kind == Kind::Choice && !f.choices.is_empty() {
        if fits_inline(&f.choices) {
            Rule::List(f.choices.clone())
        } else {
            Rule::ListRef(lists.range(lists_sheet, &f.choices))
        }
    } else if f.kind.is_numeric() && (f.min.is_some() || f.max.is_some()) {
        whole_bounds(f).unwrap_or(Rule::Number {
            min: f.min,
            max: f.max,
            percent: f.kind == Kind::Percent,
        })
    } else if f.note.is_some() {
        Rule::Any
    } else {
        return None;
    };
    Some(Spec {
        rule,
        message: f.note.as_deref().map(|n| clip(n, MESSAGE_LIMIT)),
    })
}

/// Integer fields whose bounds are whole numbers within `i32` get a
/// whole-number rule.
fn whole_bounds(f: &Field) -> Option<Rule> {
    if f.kind != Kind::Integer {
        return None;
    }
    let conv = |d: Option<Decimal>| -> Result<Option<i32>, ()> {
        match d {
            None => Ok(None),
            Some(d) if d.fract().is_zero() => d.to_i32().map(Some).ok_or(()),
            Some(_) => Err(()),
        }
    };
    Some(Rule::Whole(conv(f.min).ok()?, conv(f.max).ok()?))
}

/// `s` cut to at most `n` UTF-16 units (what Excel counts), ending in `…`
/// when cut.
fn clip(s: &str, n: usize) -> String {
    if s.encode_utf16().count() <= n {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        if used + w > n - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn num_text(d: Decimal, percent: bool) -> String {
    if percent {
        format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
    } else {
        d.normalize().to_string()
    }
}

fn bounds_message(what: &str, min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("Enter {what} from {a} to {b}."),
        (Some(a), None) => format!("Enter {what} of at least {a}."),
        (None, Some(b)) => format!("Enter {what} of at most {b}."),
        (None, None) => format!("Enter {what}."),
    }
}

fn to_f64(d: Decimal) -> f64 {
    d.normalize().to_string().parse().unwrap_or(0.0)
}

/// Builds the rust_xlsxwriter validation.
pub(crate) fn build(spec: &Spec) -> Result<DataValidation, XlsxError> {
    let dv = DataValidation::new();
    let mut dv = match &spec.rule {
        Rule::List(items) => dv
            .allow_list_strings(items)?
            .set_error_title("Not in the list")?
            .set_error_message("Choose a value from the dropdown list.")?,
        Rule::ListRef(range) => dv
            .allow_list_formula(Formula::new(range))
            .set_error_title("Not in the list")?
            .set_error_message("Choose a value from the dropdown list.")?,
        Rule::Whole(min, max) => {
            let rule = match (min, max) {
                (Some(a), Some(b)) => DataValidationRule::Between(*a, *b),
                (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(*a),
                (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(*b),
                (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
            };
            let msg = bounds_message(
                "a whole number",
                min.map(|a| a.to_string()),
                max.map(|b| b.to_string()),
            );
            dv.allow_whole_number(rule)
                .set_error_title("Invalid number")?
                .set_error_message(clip(&msg, MESSAGE_LIMIT))?
        }
        Rule::Number { min, max, percent } => {
            let rule = match (min, max) {
                (Some(a), Some(b)) => DataValidationRule::Between(to_f64(*a), to_f64(*b)),
                (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(to_f64(*a)),
                (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(to_f64(*b)),
                (None, None) => DataValidationRule::Between(f64::MIN, f64::MAX),
            };
            let what = if *percent { "a percentage" } else { "a number" };
            let msg = bounds_message(
                what,
                min.map(|a| num_text(a, *percent)),
                max.map(|b| num_text(b, *percent)),
            );
            dv.allow_decimal_number(rule)
                .set_error_title("Invalid number")?
                .set_error_message(clip(&msg, MESSAGE_LIMIT))?
        }
        Rule::Any => dv.allow_any_value(),
    };
    if let Some(m) = &spec.message {
        dv = dv.set_input_message(m)?;
    }
    Ok(dv)
}

/// Groups `(row, col, spec)` cells into ranges: same column, consecutive
/// rows, equal spec. Returns `(first_row, last_row, col, spec)`.
pub(crate) fn group(mut cells: Vec<(u32, u16, Spec)>) -> Vec<(u32, u32, u16, Spec)> {
    cells.sort_by_key(|c| (c.1, c.0));
    let mut out: Vec<(u32, u32, u16, Spec)> = Vec::new();
    for (row, col, spec) in cells {
        if let Some(last) = out.last_mut()
            && last.2 == col
            && last.1 + 1 == row
            && last.3 == spec
        {
            last.1 = row;
            continue;
        }
        out.push((row, row, col, spec));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn inline_lists_respect_excel_limits() {
        assert!(fits_inline(&s(&["HMO", "LPPO"])));
        assert!(!fits_inline(&s(&[
            "Illinois and Wisconsin",
            "Iowa, Minnesota"
        ])));
        let long: Vec<String> = (0..40).map(|i| format!("Choice {i:02}")).collect();
        assert!(!fits_inline(&long));
        let exact = vec!["x".repeat(255)];
        assert!(fits_inline(&exact));
        assert!(!fits_inline(&[format!("{}\"", "x".repeat(254))]));
    }

    #[test]
    fn identical_lists_share_a_column() {
        let mut l = Lists::default();
        let a = s(&["a,1", "b"]);
        let b = s(&["c", "d", "e"]);
        assert_eq!(l.range("Lists", &a), "=Lists!$A$1:$A$2");
        assert_eq!(l.range("Lists", &b), "=Lists!$B$1:$B$3");
        assert_eq!(l.range("Lists", &a), "=Lists!$A$1:$A$2");
        assert_eq!(l.columns.len(), 2);
    }

    #[test]
    fn clips_long_messages() {
        let m = clip(&"é".repeat(300), 255);
        assert_eq!(m.chars().count(), 255);
        assert!(m.ends_with('…'));
        assert_eq!(clip("short", 255), "short");
    }

    #[test]
    fn groups_consecutive_cells_of_a_column() {
        let any = Spec {
            rule: Rule::Any,
            message: Some("hint".into()),
        };
        let num = Spec {
            rule: Rule::Whole(Some(0), None),
            message: None,
        };
        let g = group(vec![
            (5, 3, any.clone()),
            (4, 3, any.clone()),
            (6, 3, num.clone()),
            (7, 3, num.clone()),
            (9, 3, num.clone()),
            (4, 4, any.clone()),
        ]);
        assert_eq!(
            g,
            vec![
                (4, 5, 3, any.clone()),
                (6, 7, 3, num.clone()),
                (9, 9, 3, num),
                (4, 4, 4, any)
            ]
        );
    }
}
