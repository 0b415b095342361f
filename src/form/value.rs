//! The values a formula computes with, as Excel has them: blank, number,
//! text, boolean or an error value.

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// An Excel error value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XlError {
    /// `#DIV/0!`: a division by zero.
    Div0,
    /// `#VALUE!`: an operand of the wrong type (text where a number is needed).
    Value,
    /// `#NUM!`: a number out of range (overflow, square root of a negative).
    Num,
    /// `#N/A`: no value available.
    NA,
    /// `#REF!`: a reference to a cell that does not exist.
    Ref,
    /// `#NAME?`: an unknown name.
    Name,
    /// `#NULL!`: an empty intersection.
    Null,
}

impl XlError {
    /// The error as Excel writes it (`#DIV/0!`).
    pub fn as_str(self) -> &'static str {
        match self {
            XlError::Div0 => "#DIV/0!",
            XlError::Value => "#VALUE!",
            XlError::Num => "#NUM!",
            XlError::NA => "#N/A",
            XlError::Ref => "#REF!",
            XlError::Name => "#NAME?",
            XlError::Null => "#NULL!",
        }
    }

    /// Recognises an error literal as a cell shows it (`#DIV/0!`); LibreOffice's
    /// `Err:502`-style codes are not errors of a workbook.
    pub fn parse(s: &str) -> Option<XlError> {
        Some(match s.trim() {
            "#DIV/0!" => XlError::Div0,
            "#VALUE!" => XlError::Value,
            "#NUM!" => XlError::Num,
            "#N/A" => XlError::NA,
            "#REF!" => XlError::Ref,
            "#NAME?" => XlError::Name,
            "#NULL!" => XlError::Null,
            _ => return None,
        })
    }
}

impl fmt::Display for XlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value in a formula's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Val {
    /// An empty cell. Only a reference to an empty cell is blank; a formula
    /// whose result is a reference to an empty cell gives 0, as in Excel.
    #[default]
    Blank,
    /// A number, exact.
    Num(Decimal),
    /// Text (shared: copies are cheap).
    Text(Arc<str>),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// An error value.
    Err(XlError),
}

impl Val {
    /// Text value.
    pub fn text(s: &str) -> Val {
        Val::Text(Arc::from(s))
    }

    /// Excel's conversion to a number for arithmetic (`+ - * / ^`, unary
    /// minus, `%`, and a function's scalar argument): blank is 0, `TRUE` 1,
    /// `FALSE` 0, text that reads as a number ([`parse_number`]) that number,
    /// other text `#VALUE!`; an error is itself.
    pub fn to_num(&self) -> Result<Decimal, XlError> {
        match self {
            Val::Blank => Ok(Decimal::ZERO),
            Val::Num(d) => Ok(*d),
            Val::Bool(b) => Ok(if *b { Decimal::ONE } else { Decimal::ZERO }),
            Val::Text(s) => parse_number(s).ok_or(XlError::Value),
            Val::Err(e) => Err(*e),
        }
    }

    /// Excel's conversion to text (`&`): blank is `""`, a number its
    /// general-format digits ([`number_text`]), a boolean `TRUE`/`FALSE`;
    /// an error is itself.
    pub fn to_text(&self) -> Result<Arc<str>, XlError> {
        match self {
            Val::Blank => Ok(Arc::from("")),
            Val::Num(d) => Ok(Arc::from(number_text(*d).as_str())),
            Val::Bool(b) => Ok(Arc::from(if *b { "TRUE" } else { "FALSE" })),
            Val::Text(s) => Ok(s.clone()),
            Val::Err(e) => Err(*e),
        }
    }

    /// Excel's conversion to a condition (IF, AND, OR): blank is FALSE, a
    /// number is TRUE unless 0, text `TRUE`/`FALSE` (any case) is that
    /// boolean, other text `#VALUE!`; an error is itself.
    pub fn to_bool(&self) -> Result<bool, XlError> {
        match self {
            Val::Blank => Ok(false),
            Val::Num(d) => Ok(!d.is_zero()),
            Val::Bool(b) => Ok(*b),
            Val::Text(s) => {
                if s.eq_ignore_ascii_case("TRUE") {
                    Ok(true)
                } else if s.eq_ignore_ascii_case("FALSE") {
                    Ok(false)
                } else {
                    Err(XlError::Value)
                }
            }
            Val::Err(e) => Err(*e),
        }
    }

    /// The error, if the value is one.
    pub fn err(&self) -> Option<XlError> {
        match self {
            Val::Err(e) => Some(*e),
            _ => None,
        }
    }

    /// The number, if the value is one (no conversion).
    pub fn as_num(&self) -> Option<Decimal> {
        match self {
            Val::Num(d) => Some(*d),
            _ => None,
        }
    }
}

impl From<Result<Decimal, XlError>> for Val {
    fn from(r: Result<Decimal, XlError>) -> Val {
        match r {
            Ok(d) => Val::Num(d),
            Err(e) => Val::Err(e),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Blank => Ok(()),
            Val::Num(d) => f.write_str(&number_text(*d)),
            Val::Text(s) => f.write_str(s),
            Val::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Val::Err(e) => f.write_str(e.as_str()),
        }
    }
}

/// A number as Excel's general format writes it for `&`: plain decimal
/// digits, no trailing zeros (`1.50` → `1.5`, `-0` → `0`).
pub fn number_text(d: Decimal) -> String {
    let n = d.normalize();
    if n.is_zero() {
        "0".to_string()
    } else {
        n.to_string()
    }
}

/// Text read as a number the way Excel coerces it in arithmetic and VALUE:
/// surrounding spaces ignored, an optional sign, digits with an optional
/// decimal point and exponent (`1.5E3`), thousands separators (`1,250`), a
/// leading `$`, a trailing `%` (divides by 100). Anything else (including
/// the empty text) is not a number.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let (t, pct) = match t.strip_suffix('%') {
        Some(r) => (r.trim_end(), true),
        None => (t, false),
    };
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = t.strip_prefix('$').unwrap_or(t);
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // Thousands separators only between digit groups before the point.
    let int_end = t.find(['.', 'e', 'E']).unwrap_or(t.len());
    let (int, rest) = t.split_at(int_end);
    let digits: String = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        groups.concat()
    } else {
        int.to_string()
    };
    let body = format!("{digits}{rest}");
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    let d = if body.contains(['e', 'E']) {
        Decimal::from_scientific(&body).ok()?
    } else {
        Decimal::from_str(&body).ok()?
    };
    let d = if neg { -d } else { d };
    if pct {
        d.checked_div(Decimal::ONE_HUNDRED)
    } else {
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn numbers_from_text() {
        assert_eq!(parse_number(" 12 "), Some(dec!(12)));
        assert_eq!(parse_number("-1,250.5"), Some(dec!(-1250.5)));
        assert_eq!(parse_number("$3"), Some(dec!(3)));
        assert_eq!(parse_number("50%"), Some(dec!(0.5)));
        assert_eq!(parse_number("1.5E3"), Some(dec!(1500)));
        assert_eq!(parse_number(".5"), Some(dec!(0.5)));
        for bad in ["", " ", "abc", "1,25", "12a", "--1", "1 2", "RPPO"] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn coercions() {
        assert_eq!(Val::Blank.to_num(), Ok(dec!(0)));
        assert_eq!(Val::Bool(true).to_num(), Ok(dec!(1)));
        assert_eq!(Val::text("x").to_num(), Err(XlError::Value));
        assert_eq!(Val::Err(XlError::NA).to_num(), Err(XlError::NA));
        assert_eq!(&*Val::Num(dec!(1.50)).to_text().unwrap(), "1.5");
        assert_eq!(&*Val::Blank.to_text().unwrap(), "");
        assert_eq!(Val::text("true").to_bool(), Ok(true));
        assert_eq!(Val::text("yes").to_bool(), Err(XlError::Value));
        assert_eq!(Val::Num(dec!(-0.1)).to_bool(), Ok(true));
        assert_eq!(XlError::parse("#DIV/0!"), Some(XlError::Div0));
        assert_eq!(XlError::parse("Err:502"), None);
    }
}
