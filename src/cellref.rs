//! A1-style cell references.
//!
//! ```
//! use bpt::cellref::CellRef;
//! let c = CellRef::parse("Q105").unwrap();
//! assert_eq!((c.row, c.col), (104, 16));
//! assert_eq!(c.to_string(), "Q105");
//! assert_eq!(c.absolute(), "$Q$105");
//! ```

use std::fmt;

/// A zero-based (row, column) position on a sheet, displayed as `A1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// Zero-based row (row 1 in Excel is 0).
    pub row: u32,
    /// Zero-based column (column A is 0).
    pub col: u16,
}

impl CellRef {
    /// Builds a reference from zero-based row and column.
    pub fn new(row: u32, col: u16) -> Self {
        CellRef { row, col }
    }

    /// Parses `"D5"` (case-insensitive, no `$`). Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<CellRef> {
        let s = s.trim();
        let split = s.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = s.split_at(split);
        let col = parse_col(letters)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let row: u32 = digits.parse().ok()?;
        if row == 0 || row > 1_048_576 {
            return None;
        }
        Some(CellRef { row: row - 1, col })
    }

    /// `$D$5`.
    pub fn absolute(&self) -> String {
        let mut s = String::with_capacity(10);
        self.push_absolute(&mut s);
        s
    }

    /// Appends `$D$5` to `out` (no allocation of its own: template
    /// formulas are resolved by the thousand at every start).
    pub fn push_absolute(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.push('$');
        push_col_name(self.col, out);
        out.push('$');
        let _ = write!(out, "{}", u64::from(self.row) + 1);
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", col_name(self.col), self.row + 1)
    }
}

/// Parses column letters (`"A"` → 0, `"AA"` → 26). `None` when empty or past XFD.
pub fn parse_col(letters: &str) -> Option<u16> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        let b = b.to_ascii_uppercase();
        if !b.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + u32::from(b - b'A' + 1);
    }
    if n == 0 || n > 16_384 {
        return None;
    }
    u16::try_from(n - 1).ok()
}

/// Column letters for a zero-based column (0 → `"A"`).
pub fn col_name(col: u16) -> String {
    let mut s = String::with_capacity(3);
    push_col_name(col, &mut s);
    s
}

/// Appends the column letters of `col` to `out`.
fn push_col_name(col: u16, out: &mut String) {
    let mut n = u32::from(col) + 1;
    // At most four letters (column u16::MAX is `CRXP`).
    let mut buf = [0u8; 4];
    let mut i = buf.len();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        i -= 1;
        buf[i] = b'A' + rem;
        n = (n - 1) / 26;
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_columns() {
        for c in [0u16, 25, 26, 27, 701, 702, 16_383] {
            assert_eq!(parse_col(&col_name(c)), Some(c));
        }
        assert_eq!(col_name(26), "AA");
        assert_eq!(parse_col("XFE"), None);
    }

    #[test]
    fn parses_cells() {
        assert_eq!(CellRef::parse("a1"), Some(CellRef::new(0, 0)));
        assert_eq!(CellRef::parse("R47").unwrap().to_string(), "R47");
        assert_eq!(CellRef::parse("A0"), None);
        assert_eq!(CellRef::parse("1A"), None);
        assert_eq!(CellRef::parse("A1B"), None);
        assert_eq!(CellRef::parse(""), None);
    }
}
