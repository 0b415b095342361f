//! `bpt template map`: proposes a layout overlay for a workbook bpt does not
//! know, by finding in it what the real form shows — sheet titles, section
//! headings, line labels and line numbers, row keys and row labels, column
//! letters and column headers — and matching them against the base
//! template's own texts (the template is the one source of every text: no
//! form content lives here).
//!
//! The method, per base sheet:
//!
//! 1. **Sheets** are paired by the words their texts share.
//! 2. **Section headings** (`section` texts) are found by their words; each
//!    gives the offset expected for what follows it, which breaks ties
//!    between two places that read the same.
//! 3. **Scalar fields**: the texts left of a field on its base row (line
//!    number and label: `1` `Contract Number`) are looked for as one text
//!    (`1. Contract Number:`); the value is the first cell right of it that
//!    is not a label (certain when it fits the field's kind), or, when the
//!    cell is blank, at the offset the section's other labels have
//!    (inferred). A row of several fields (a grid) takes each column from
//!    its column header.
//! 4. **Tables**: the data rows are found by their labels or keys (every
//!    row votes for where the table starts), columns by their letter
//!    (`(d)`) and header words in the rows above; a table with neither is
//!    placed by the table sharing its rows, or by its header row (inferred).
//!    A header over a column with data that is no column of the base table
//!    becomes an `[[extra]]` column.
//! 5. **Recognition**: a version string holding the form's contract year
//!    (`MA-2013.1`) becomes a `[[recognize]]` pattern; without one, the
//!    sheet names.
//!
//! Every field gets a confidence: certain, inferred, ambiguous (candidates
//! listed) or not found. The proposal is written as an overlay (see
//! [`super::overlay`]) whose comments carry the confidences.

use super::{Field, Kind, Layout};
use crate::cellref::{CellRef, col_name};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// One cell of the workbook being mapped.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    /// A text as shown.
    Text(String),
    /// A number (or a date's serial) as plain decimal text.
    Number(String),
    /// An error value (`#DIV/0!`).
    Error(String),
}

impl RawCell {
    fn text(&self) -> &str {
        match self {
            RawCell::Text(s) | RawCell::Number(s) | RawCell::Error(s) => s,
        }
    }
}

/// One sheet of the workbook being mapped: its non-blank cells.
#[derive(Debug, Clone)]
pub struct RawSheet {
    /// Sheet name.
    pub name: String,
    /// Non-blank cells in row order.
    pub cells: Vec<(CellRef, RawCell)>,
}

/// A static text of a form as bpt writes it: sheet texts, field labels,
/// table column headers, row keys and row labels.
#[derive(Debug, Clone)]
pub struct Deco {
    /// Cell.
    pub cell: CellRef,
    /// Text.
    pub text: String,
    /// `section`, `header`, `label`, `key`, `note`, `title`.
    pub style: String,
    /// The table the text belongs to (header, key, label), if any.
    pub table: Option<String>,
}

/// The texts bpt's own form shows on a sheet of `layout`.
pub fn decoration(layout: &Layout, sheet: &str) -> Vec<Deco> {
    let mut out = Vec::new();
    let Some(sh) = layout.sheets.iter().find(|s| s.name == sheet) else {
        return out;
    };
    for t in &sh.texts {
        out.push(Deco {
            cell: t.cell,
            text: t.text.clone(),
            style: t.style.clone(),
            table: None,
        });
    }
    for tid in &sh.tables {
        let Some(t) = layout.table(tid) else { continue };
        if let Some(hr) = t.header_row {
            for (_, col, letter, header) in &t.columns {
                let text = match (letter.is_empty(), header.is_empty()) {
                    (true, _) => header.clone(),
                    (false, true) => format!("({letter})"),
                    (false, false) => format!("({letter}) {header}"),
                };
                out.push(Deco {
                    cell: CellRef::new(hr, *col),
                    text,
                    style: "header".into(),
                    table: Some(tid.clone()),
                });
            }
        }
        for (key, label, row) in t.rows.iter().chain(t.totals.iter()) {
            if let Some(kc) = t.key_col {
                out.push(Deco {
                    cell: CellRef::new(*row, kc),
                    text: key.clone(),
                    style: "key".into(),
                    table: Some(tid.clone()),
                });
            }
            if let (Some(lc), false) = (t.label_col, label.is_empty()) {
                out.push(Deco {
                    cell: CellRef::new(*row, lc),
                    text: label.clone(),
                    style: "label".into(),
                    table: Some(tid.clone()),
                });
            }
        }
    }
    out.sort_by_key(|d| (d.cell.row, d.cell.col));
    out
}

// ------------------------------------------------------------------ words

/// A text cut into a leading line marker (`1.`, `a.`, `(d)`) and words.
#[derive(Debug, Clone, Default)]
struct Toks {
    marker: Option<String>,
    /// The marker was written in parentheses (a column letter).
    paren: bool,
    /// Words after the marker.
    words: Vec<String>,
    /// Marker and words.
    all: Vec<String>,
}

fn words_of(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut cleaned = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = |j: usize| {
            j > 0
                && chars.get(j - 1).is_some_and(|p| p.is_ascii_digit())
                && chars.get(j + 1).is_some_and(|n| n.is_ascii_digit())
        };
        if c.is_alphanumeric() {
            cleaned.extend(c.to_lowercase());
        } else if c == ',' && between_digits(i) {
            // 1,000 reads as 1000.
        } else {
            cleaned.push(' ');
        }
    }
    cleaned.split_whitespace().map(str::to_string).collect()
}

fn toks(s: &str) -> Toks {
    let low = s.trim().to_lowercase();
    let mut marker = None;
    let mut paren = false;
    let mut rest: &str = &low;
    if let Some(inner) = low.strip_prefix('(') {
        if let Some(end) = inner.find(')') {
            let m = &inner[..end];
            if (1..=4).contains(&m.chars().count()) && m.chars().all(char::is_alphanumeric) {
                marker = Some(m.to_string());
                paren = true;
                rest = &inner[end + 1..];
            }
        }
    } else {
        let first = low.split_whitespace().next().unwrap_or("");
        let bare = first
            .strip_suffix('.')
            .or_else(|| first.strip_suffix(':'))
            .unwrap_or(first);
        let whole = first.len() == low.len();
        let n = bare.chars().count();
        let short = n > 0 && n <= 4 && bare.chars().all(|c| c.is_ascii_alphanumeric());
        let numbered = bare.chars().all(|c| c.is_ascii_digit()) || n == 1;
        if short && (first.ends_with('.') || (whole && numbered)) {
            marker = Some(bare.to_string());
            rest = &low[first.len()..];
        }
    }
    let words = words_of(rest);
    let mut all: Vec<String> = marker.iter().cloned().collect();
    all.extend(words.iter().cloned());
    Toks {
        marker,
        paren,
        words,
        all,
    }
}

/// The text of a row key as a table's key column shows it (`a.`, `(a)`,
/// `1`): lower case, without parentheses and a trailing full stop.
fn key_norm(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    let t = t
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(&t);
    let t = t
        .strip_suffix('.')
        .or_else(|| t.strip_suffix(':'))
        .unwrap_or(t);
    (!t.is_empty() && t.len() <= 16 && !t.contains(char::is_whitespace)).then(|| t.to_string())
}

/// Whether a word of the workbook stands for a word of the template:
/// equal, or an abbreviation of it (`util` for `utilization`, `avg` for
/// `average`: same first letter, the letters in order, at least three and
/// a third of the word).
fn word_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let sl = s.chars().count();
    let ll = l.chars().count();
    if sl < 3 || sl.saturating_mul(3) < ll || !s.chars().all(char::is_alphabetic) {
        return false;
    }
    if s.chars().next() != l.chars().next() {
        return false;
    }
    let mut it = l.chars();
    s.chars().all(|c| it.any(|x| x == c))
}

/// How alike two lists of words are, in thousandths (Dice's coefficient on
/// words matched one to one).
fn dice(a: &[String], b: &[String]) -> u32 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let mut used = vec![false; b.len()];
    let mut m = 0u32;
    for w in a {
        if let Some(i) = (0..b.len()).find(|&i| !used[i] && word_eq(w, &b[i])) {
            used[i] = true;
            m = m.saturating_add(1);
        }
    }
    let total = u32::try_from(a.len().saturating_add(b.len())).unwrap_or(u32::MAX);
    m.saturating_mul(2000) / total.max(1)
}

const LABEL_MATCH: u32 = 750;
const HEADER_MATCH: u32 = 600;

// ------------------------------------------------------------ confidences

/// How sure the map is of a field's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Its label, key, letter or header was found where it belongs.
    Certain,
    /// Placed from what is around it (a table from its header row, a blank
    /// cell at its section's offset, rows shared with another table).
    Inferred,
    /// Two or more places read the same.
    Ambiguous,
    /// Nothing of it was found.
    NotFound,
}

impl Confidence {
    /// The coverage table's wording.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Certain => "placed with certainty",
            Confidence::Inferred => "placed by inference",
            Confidence::Ambiguous => "ambiguous",
            Confidence::NotFound => "not found",
        }
    }
}

/// Where the map puts one field of the base template.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// Field id.
    pub id: String,
    /// Cell on the workbook's sheet (none when ambiguous or not found).
    pub cell: Option<String>,
    /// Confidence.
    pub confidence: Confidence,
    /// What the placement rests on.
    pub why: String,
    /// The places that read the same (ambiguous).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

/// A base sheet and the workbook's sheet it was paired with.
#[derive(Debug, Clone, Serialize)]
pub struct SheetMatch {
    /// Base sheet name.
    pub base: String,
    /// The workbook's sheet (none: not found).
    pub name: Option<String>,
    /// Share of the base sheet's words found on it, in thousandths.
    pub score: u32,
    /// Rows and columns most of its cells moved by.
    pub rows: i64,
    /// Columns.
    pub cols: i64,
}

/// A column the workbook has inside a base table and the base does not.
#[derive(Debug, Clone, Serialize)]
pub struct Extra {
    /// Table id.
    pub table: String,
    /// Column id proposed (from its header).
    pub id: String,
    /// Column letters.
    pub col: String,
    /// The header as the workbook shows it.
    pub label: String,
    /// `integer`, `decimal` or `text`, from the values.
    pub kind: String,
    /// Data rows that hold a value, as ranges of keys (`a:r`).
    pub rows: Vec<String>,
    /// Cells, for the report (`MA Base!C27:C44`).
    pub cells: String,
}

/// Counts of one coverage line.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Count {
    /// Every field of the base template.
    pub fields: usize,
    /// Fields whose proposed cell holds a value in the workbook.
    pub with_value: usize,
    /// Fields of the tables and sections where some field holds a value.
    pub in_populated: usize,
}

/// What `bpt template map` found.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// Base template id.
    pub base: String,
    /// Id given to the overlay.
    pub id: String,
    /// Sheets paired.
    pub sheets: Vec<SheetMatch>,
    /// Coverage, by confidence.
    pub coverage: BTreeMap<Confidence, Count>,
    /// Extra columns.
    pub extras: Vec<Extra>,
    /// Recognition rules proposed.
    pub recognize: Vec<super::overlay::Rule>,
    /// Every field of the base template, in template order.
    pub placements: Vec<Placement>,
    /// Table id → total line key → blank rows before it (where it differs).
    #[serde(skip)]
    skips: BTreeMap<String, BTreeMap<String, u32>>,
    /// Table id → (first row (zero-based), columns) as found.
    #[serde(skip)]
    tables: BTreeMap<String, (Option<u32>, BTreeMap<String, u16>)>,
}

// ---------------------------------------------------------------- mapping

struct FText {
    cell: CellRef,
    raw: String,
    t: Toks,
}

struct Foreign<'a> {
    at: HashMap<CellRef, &'a RawCell>,
    texts: Vec<FText>,
    keys: HashMap<String, Vec<CellRef>>,
}

impl<'a> Foreign<'a> {
    fn new(s: &'a RawSheet) -> Self {
        let mut at = HashMap::new();
        let mut texts = Vec::new();
        let mut keys: HashMap<String, Vec<CellRef>> = HashMap::new();
        for (c, v) in &s.cells {
            at.insert(*c, v);
            if let Some(k) = key_norm(v.text()) {
                keys.entry(k).or_default().push(*c);
            }
            if let RawCell::Text(t) = v {
                texts.push(FText {
                    cell: *c,
                    raw: t.clone(),
                    t: toks(t),
                });
            }
        }
        Foreign { at, texts, keys }
    }

    fn words(&self) -> HashSet<&str> {
        self.texts
            .iter()
            .flat_map(|t| t.t.words.iter().map(String::as_str))
            .collect()
    }
}

type Delta = (i64, i64);

fn shift(c: CellRef, d: Delta) -> Option<CellRef> {
    let r = i64::from(c.row).checked_add(d.0)?;
    let k = i64::from(c.col).checked_add(d.1)?;
    Some(CellRef::new(
        u32::try_from(r).ok().filter(|r| *r < 1_048_576)?,
        u16::try_from(k).ok().filter(|k| *k < 16_384)?,
    ))
}

fn delta(from: CellRef, to: CellRef) -> Delta {
    (
        i64::from(to.row) - i64::from(from.row),
        i64::from(to.col) - i64::from(from.col),
    )
}

fn dist(a: CellRef, b: Option<CellRef>) -> u64 {
    b.map_or(u64::MAX / 4, |b| {
        u64::from(a.row.abs_diff(b.row)).saturating_add(u64::from(a.col.abs_diff(b.col)))
    })
}

/// How sure a placement of `f` at `c` is: certain when the cell holds a
/// value that fits the field, else inferred from the labels alone.
fn confidence_at(sheet: &Foreign<'_>, f: &Field, c: CellRef) -> Confidence {
    if sheet.at.get(&c).is_some_and(|v| fits(f, v)) {
        Confidence::Certain
    } else {
        Confidence::Inferred
    }
}

/// Whether a cell's content can be the value of `f`.
fn fits(f: &Field, v: &RawCell) -> bool {
    match (f.kind, v) {
        (_, RawCell::Error(_)) => false,
        (Kind::Code, c) => f
            .pattern
            .as_ref()
            .is_none_or(|p| p.is_match(c.text().trim())),
        (Kind::Choice, c) => {
            let t = c.text().trim();
            f.choices.iter().any(|x| x.eq_ignore_ascii_case(t))
        }
        (Kind::Text, RawCell::Text(_)) => true,
        (Kind::Text, RawCell::Number(_)) => true,
        (Kind::Date, RawCell::Number(_)) => true,
        (Kind::Date, RawCell::Text(t)) => crate::reader::parse_date_text(t).is_some(),
        (k, RawCell::Number(_)) => k.is_numeric(),
        (k, RawCell::Text(t)) => {
            k.is_numeric()
                && t.trim()
                    .trim_start_matches('$')
                    .replace(',', "")
                    .parse::<rust_decimal::Decimal>()
                    .is_ok()
        }
    }
}

/// The choice among candidates: best score, then nearest to where it was
/// expected; `Err` lists the tie.
fn choose(mut c: Vec<(u32, u64, CellRef)>) -> Result<Option<CellRef>, Vec<CellRef>> {
    c.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    match c.as_slice() {
        [] => Ok(None),
        [a, b, ..] if a.0 == b.0 && a.1 == b.1 => Err(c
            .iter()
            .take_while(|x| x.0 == a.0 && x.1 == a.1)
            .map(|x| x.2)
            .collect()),
        [a, ..] => Ok(Some(a.2)),
    }
}

struct SheetMap<'a> {
    base: &'a Layout,
    bsheet: &'a str,
    fname: &'a str,
    f: Foreign<'a>,
    deco: Vec<Deco>,
    /// Section headings: base cell, found cell.
    sections: Vec<(CellRef, Option<CellRef>)>,
    /// Foreign texts used as labels (a value is never one).
    labels: HashSet<CellRef>,
}

impl<'a> SheetMap<'a> {
    fn section_of(&self, c: CellRef) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, (h, _)) in self.sections.iter().enumerate() {
            if h.row <= c.row && h.col <= c.col {
                let better = best.is_none_or(|b| {
                    let bh = self.sections[b].0;
                    h.row > bh.row || (h.row == bh.row && h.col > bh.col)
                });
                if better {
                    best = Some(i);
                }
            }
        }
        best
    }

    /// The offset expected at a base cell: its section heading's (or the
    /// nearest found heading's before it).
    fn expect(&self, c: CellRef) -> Delta {
        let Some(i) = self.section_of(c) else {
            return self
                .sections
                .iter()
                .find_map(|(b, f)| f.map(|f| delta(*b, f)))
                .unwrap_or((0, 0));
        };
        (0..=i)
            .rev()
            .find_map(|j| self.sections[j].1.map(|f| delta(self.sections[j].0, f)))
            .unwrap_or((0, 0))
    }

    fn find_sections(&mut self) {
        let heads: Vec<CellRef> = self
            .deco
            .iter()
            .filter(|d| d.style == "section")
            .map(|d| d.cell)
            .collect();
        let mut prev: Delta = (0, 0);
        for h in heads {
            let text = self
                .deco
                .iter()
                .find(|d| d.cell == h)
                .map(|d| toks(&d.text).all)
                .unwrap_or_default();
            let want = shift(h, prev);
            let cands: Vec<(u32, u64, CellRef)> = self
                .f
                .texts
                .iter()
                .filter_map(|t| {
                    let s = dice(&text, &t.t.all);
                    (s >= HEADER_MATCH).then(|| (s / 50, dist(t.cell, want), t.cell))
                })
                .collect();
            let found = choose(cands).ok().flatten();
            if let Some(f) = found {
                prev = delta(h, f);
                self.labels.insert(f);
            }
            self.sections.push((h, found));
        }
    }
}

/// Proposes an overlay of `base` for a workbook's sheets.
pub fn map(base: &Layout, book: &[RawSheet], id: &str) -> Proposal {
    let mut placements: Vec<Placement> = base
        .fields
        .iter()
        .map(|f| Placement {
            id: f.id.clone(),
            cell: None,
            confidence: Confidence::NotFound,
            why: format!("sheet {} not found", f.sheet),
            candidates: Vec::new(),
        })
        .collect();
    let index: HashMap<&str, usize> = base
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let mut proposal = Proposal {
        base: base.form.id.clone(),
        id: id.to_string(),
        sheets: Vec::new(),
        coverage: BTreeMap::new(),
        extras: Vec::new(),
        recognize: Vec::new(),
        placements: Vec::new(),
        skips: BTreeMap::new(),
        tables: BTreeMap::new(),
    };
    let pairs = pair_sheets(base, book);
    let mut values: HashSet<(String, CellRef)> = HashSet::new();
    for (bname, fidx, score) in &pairs {
        let Some(fi) = fidx else {
            proposal.sheets.push(SheetMatch {
                base: bname.clone(),
                name: None,
                score: *score,
                rows: 0,
                cols: 0,
            });
            continue;
        };
        let fs = &book[*fi];
        for (c, _) in &fs.cells {
            values.insert((fs.name.clone(), *c));
        }
        let mut sm = SheetMap {
            base,
            bsheet: bname,
            fname: &fs.name,
            f: Foreign::new(fs),
            deco: decoration(base, bname),
            sections: Vec::new(),
            labels: HashSet::new(),
        };
        sm.find_sections();
        map_scalars(&mut sm, &index, &mut placements);
        map_tables(&mut sm, &index, &mut placements, &mut proposal);
        settle_collisions(base, bname, &mut placements, &fs.name);
        // The sheet's offset: the one most placed fields moved by.
        let mut votes: HashMap<Delta, usize> = HashMap::new();
        for (i, f) in base.fields.iter().enumerate() {
            if f.sheet != *bname {
                continue;
            }
            if let Some(c) = placements[i].cell.as_deref().and_then(CellRef::parse) {
                *votes.entry(delta(f.cell, c)).or_default() += 1;
            }
        }
        let (rows, cols) = votes
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or((0, 0), |x| x.0);
        proposal.sheets.push(SheetMatch {
            base: bname.clone(),
            name: Some(fs.name.clone()),
            score: *score,
            rows,
            cols,
        });
        if base.form.marker_sheet == *bname {
            proposal.recognize = recognize(base, &sm, book, &pairs);
        }
    }
    // Coverage.
    let sheet_of: HashMap<&str, &str> = proposal
        .sheets
        .iter()
        .filter_map(|s| s.name.as_deref().map(|n| (s.base.as_str(), n)))
        .collect();
    let has_value = |i: usize| -> bool {
        let f = &base.fields[i];
        let Some(c) = placements[i].cell.as_deref().and_then(CellRef::parse) else {
            return false;
        };
        sheet_of
            .get(f.sheet.as_str())
            .is_some_and(|n| values.contains(&(n.to_string(), c)))
    };
    let group = |f: &Field| -> String {
        f.table.as_ref().map_or_else(
            || {
                f.id.rsplit_once('.')
                    .map_or(f.id.clone(), |x| x.0.to_string())
            },
            |t| t.table.clone(),
        )
    };
    let with_value: Vec<bool> = (0..base.fields.len()).map(has_value).collect();
    let populated: HashSet<String> = base
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| with_value[*i])
        .map(|(_, f)| group(f))
        .collect();
    for c in [
        Confidence::Certain,
        Confidence::Inferred,
        Confidence::Ambiguous,
        Confidence::NotFound,
    ] {
        proposal.coverage.insert(c, Count::default());
    }
    for (i, f) in base.fields.iter().enumerate() {
        let e = proposal
            .coverage
            .entry(placements[i].confidence)
            .or_default();
        e.fields += 1;
        if with_value[i] {
            e.with_value += 1;
        }
        if populated.contains(&group(f)) {
            e.in_populated += 1;
        }
    }
    proposal.placements = placements;
    proposal
}

/// Pairs each base sheet with the workbook's sheet whose texts share the
/// most of its words (greedy, best pair first).
fn pair_sheets(base: &Layout, book: &[RawSheet]) -> Vec<(String, Option<usize>, u32)> {
    let fwords: Vec<HashSet<String>> = book
        .iter()
        .map(|s| {
            Foreign::new(s)
                .words()
                .into_iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    let mut scores = Vec::new();
    for sh in &base.sheets {
        let mut bw: HashSet<String> = decoration(base, &sh.name)
            .iter()
            .flat_map(|d| toks(&d.text).words)
            .collect();
        bw.extend(toks(&sh.title).words);
        for (fi, fw) in fwords.iter().enumerate() {
            let common = bw.iter().filter(|w| fw.contains(*w)).count();
            let mut score =
                u32::try_from(common.saturating_mul(1000) / bw.len().max(1)).unwrap_or(0);
            if book[fi].name == sh.name {
                score = score.saturating_add(1000);
            }
            scores.push((score, sh.name.clone(), fi));
        }
    }
    scores.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut taken_b: HashMap<String, (usize, u32)> = HashMap::new();
    let mut taken_f: HashSet<usize> = HashSet::new();
    for (score, b, fi) in scores {
        if score < 300 || taken_b.contains_key(&b) || taken_f.contains(&fi) {
            continue;
        }
        taken_f.insert(fi);
        taken_b.insert(b, (fi, score));
    }
    base.sheets
        .iter()
        .map(|s| match taken_b.get(&s.name) {
            Some((fi, sc)) => (s.name.clone(), Some(*fi), *sc),
            None => (s.name.clone(), None, 0),
        })
        .collect()
}

fn set(p: &mut Placement, cell: Option<CellRef>, c: Confidence, why: String) {
    p.cell = cell.map(|c| c.to_string());
    p.confidence = c;
    p.why = why;
}

fn map_scalars(sm: &mut SheetMap<'_>, index: &HashMap<&str, usize>, pl: &mut [Placement]) {
    let base = sm.base;
    let mut rows: BTreeMap<u32, Vec<&Field>> = BTreeMap::new();
    for f in base.fields_on(sm.bsheet).filter(|f| f.table.is_none()) {
        rows.entry(f.cell.row).or_default().push(f);
    }
    let mut by_row: HashMap<u32, Vec<&Deco>> = HashMap::new();
    for d in &sm.deco {
        if d.style != "section" && d.style != "title" && d.style != "header" {
            by_row.entry(d.cell.row).or_default().push(d);
        }
    }
    // Pass 1: each row's label.
    struct Row<'f> {
        fields: Vec<&'f Field>,
        anchor: Option<CellRef>,
        found: Result<Option<CellRef>, Vec<CellRef>>,
        text: String,
        /// The label's own text (without its line number).
        label: String,
    }
    let mut found_rows = Vec::new();
    // A row's fields in groups: a field with texts between it and the
    // field before it starts a group (its label); one without joins the
    // group before it (a grid of columns under one row label).
    let mut groups: Vec<(Vec<&Field>, Vec<&Deco>)> = Vec::new();
    for (r, mut fields) in rows {
        fields.sort_by_key(|f| f.cell.col);
        let mut prev: Option<u16> = None;
        let start = groups.len();
        for f in fields {
            let mut texts: Vec<&Deco> = by_row
                .get(&r)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|d| d.cell.col < f.cell.col && prev.is_none_or(|p| d.cell.col > p))
                        .collect()
                })
                .unwrap_or_default();
            texts.sort_by_key(|d| d.cell.col);
            // The label is the text nearest left of the field, with the
            // line number just left of it (`1` `Contract Number`): texts
            // further left belong to something else on the row.
            if let Some(last) = texts.pop() {
                let number = texts.pop().filter(|d| {
                    d.cell.col.saturating_add(1) == last.cell.col && {
                        let t = toks(&d.text);
                        t.marker.is_some() && t.words.is_empty()
                    }
                });
                texts = number.into_iter().chain(std::iter::once(last)).collect();
            }
            prev = Some(f.cell.col);
            if texts.is_empty() && groups.len() > start {
                if let Some(g) = groups.last_mut() {
                    g.0.push(f);
                }
            } else {
                groups.push((vec![f], texts));
            }
        }
    }
    for (fields, texts) in groups {
        let words: Vec<String> = texts.iter().flat_map(|d| toks(&d.text).all).collect();
        let anchor = texts.last().map(|d| d.cell);
        let text = texts
            .iter()
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let found = match anchor {
            None => Ok(None),
            Some(a) => {
                let want = shift(a, sm.expect(a));
                let cands: Vec<(u32, u64, CellRef)> =
                    sm.f.texts
                        .iter()
                        .filter_map(|t| {
                            let s = dice(&words, &t.t.all);
                            (s >= LABEL_MATCH).then(|| (s / 50, dist(t.cell, want), t.cell))
                        })
                        .collect();
                choose(cands)
            }
        };
        if let Ok(Some(c)) = &found {
            sm.labels.insert(*c);
        }
        // A label found with its line number in one text (`1. Medicaid
        // Projected Revenue:`) stands where the number stands on the base
        // form, not where the label does: distances are counted from there.
        let anchor = match (&found, texts.as_slice()) {
            (Ok(Some(c)), [number, _]) => {
                let n = toks(&number.text).marker;
                let ft = sm.f.texts.iter().find(|t| t.cell == *c);
                if n.is_some() && ft.is_some_and(|t| t.t.marker == n) {
                    Some(number.cell)
                } else {
                    anchor
                }
            }
            _ => anchor,
        };
        found_rows.push(Row {
            fields,
            anchor,
            found,
            text,
            label: texts.last().map_or_else(String::new, |d| d.text.clone()),
        });
    }
    // Pass 2: values right of their labels.
    let mut offsets: HashMap<Option<usize>, HashMap<i64, usize>> = HashMap::new();
    // Blank values: (field index, label found, base anchor, label text).
    let mut blanks: Vec<(usize, CellRef, CellRef, String)> = Vec::new();
    // Values found right of their labels.
    struct Valued {
        /// Field index.
        i: usize,
        /// The label found.
        fa: CellRef,
        /// The base anchor.
        a: CellRef,
        /// The value's cell.
        c: CellRef,
        /// Its distance from the label against the base.
        o: i64,
        /// Its section.
        sec: Option<usize>,
        /// The label's text.
        text: String,
    }
    let mut valued: Vec<Valued> = Vec::new();
    for row in &found_rows {
        let grid = row.fields.len() > 1;
        for f in &row.fields {
            let Some(&i) = index.get(f.id.as_str()) else {
                continue;
            };
            let p = &mut pl[i];
            let Some(a) = row.anchor else {
                let c = shift(f.cell, sm.expect(f.cell));
                set(
                    p,
                    c,
                    Confidence::Inferred,
                    "no label on its row: at its section's offset".into(),
                );
                continue;
            };
            let fa = match &row.found {
                Ok(Some(fa)) => *fa,
                Ok(None) => {
                    set(
                        p,
                        None,
                        Confidence::NotFound,
                        format!("no text like \"{}\" on `{}`", row.text, sm.fname),
                    );
                    continue;
                }
                Err(c) => {
                    set(
                        p,
                        None,
                        Confidence::Ambiguous,
                        format!("\"{}\" is found {} times", row.text, c.len()),
                    );
                    p.candidates = c
                        .iter()
                        .filter_map(|x| shift(*x, delta(a, f.cell)))
                        .map(|x| format!("{}!{x}", sm.fname))
                        .collect();
                    continue;
                }
            };
            let want = shift(fa, delta(a, f.cell));
            if grid && let Some(h) = column_header(sm, f) {
                let ht = toks(&h.text);
                let cands: Vec<(u32, u64, CellRef)> =
                    sm.f.texts
                        .iter()
                        .filter(|t| t.cell.row < fa.row && t.cell.row.saturating_add(15) >= fa.row)
                        .filter(|t| want.is_none_or(|w| t.cell.col.abs_diff(w.col) <= 3))
                        .filter_map(|t| {
                            let s = header_score(&ht, &t.t);
                            let wc = want.map(|w| CellRef::new(fa.row, w.col));
                            (s >= HEADER_MATCH).then(|| {
                                (
                                    s / 100,
                                    dist(CellRef::new(fa.row, t.cell.col), wc)
                                        .saturating_mul(100)
                                        .saturating_add(u64::from(fa.row - t.cell.row)),
                                    t.cell,
                                )
                            })
                        })
                        .collect();
                if let Ok(Some(hc)) = choose(cands) {
                    let c = CellRef::new(fa.row, hc.col);
                    let conf = confidence_at(&sm.f, f, c);
                    set(
                        p,
                        Some(c),
                        conf,
                        format!(
                            "row of \"{}\" at {fa}, column of \"{}\" at {hc}",
                            row.text, h.text
                        ),
                    );
                    continue;
                }
            }
            if grid && let Some(c) = want {
                let c = CellRef::new(fa.row, c.col);
                let conf = confidence_at(&sm.f, f, c);
                set(
                    p,
                    Some(c),
                    conf,
                    format!("row of \"{}\" at {fa}, at the label's offset", row.text),
                );
                continue;
            }
            // The first cell right of the label that is not a label.
            let mut value = None;
            for k in 1..=16u16 {
                let c = CellRef::new(fa.row, fa.col.saturating_add(k));
                if sm.labels.contains(&c) {
                    break;
                }
                if grid && want.is_some_and(|w| c.col < w.col) {
                    continue;
                }
                if let Some(v) = sm.f.at.get(&c) {
                    value = Some((c, fits(f, v)));
                    break;
                }
            }
            match value {
                Some((c, true)) => {
                    // How far the value sits from its label, against the
                    // base: what a blank cell of the section does too.
                    let sec = sm.section_of(f.cell);
                    let o = i64::from(c.col) - i64::from(fa.col) - i64::from(f.cell.col)
                        + i64::from(a.col);
                    *offsets.entry(sec).or_default().entry(o).or_default() += 1;
                    valued.push(Valued {
                        i,
                        fa,
                        a,
                        c,
                        o,
                        sec,
                        text: row.text.clone(),
                    });
                    set(
                        p,
                        Some(c),
                        Confidence::Certain,
                        format!("value right of \"{}\" at {fa}", row.text),
                    );
                }
                Some((c, false)) => set(
                    p,
                    Some(c),
                    Confidence::Inferred,
                    format!(
                        "right of \"{}\" at {fa}; the cell does not hold {}",
                        row.text,
                        f.kind.expected()
                    ),
                ),
                None => blanks.push((i, fa, a, row.label.clone())),
            }
        }
    }
    // A blank value cell: at the distance from its label that the values
    // of its section keep; a section with no value takes the distance every
    // other section of the sheet agrees on, and where they disagree the
    // field is ambiguous (each distance a candidate), never guessed.
    let mode = |m: &HashMap<i64, usize>| {
        m.iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(o, _)| *o)
    };
    // A value further right of its label than the other values of its
    // section sit from theirs is no evidence of the field: the first value
    // within 16 cells of a blank line's label may be anything of the
    // user's (a remark typed beside the line). Its field is then the blank
    // cell at the section's distance, inferred, when more of the section's
    // values sit there, or as many and the sheet's other sections keep
    // that distance (and not the far one); otherwise it is ambiguous
    // between the two.
    for Valued {
        i,
        fa,
        a,
        c,
        o,
        sec,
        text,
    } in valued
    {
        let Some(counts) = offsets.get(&sec) else {
            continue;
        };
        let Some(best) = mode(counts).filter(|b| o > *b) else {
            continue;
        };
        let votes = |x: i64| counts.get(&x).copied().unwrap_or(0);
        let f = &base.fields[i];
        let base_off = i64::from(f.cell.col) - i64::from(a.col);
        let at = shift(fa, (0, best.saturating_add(base_off)));
        let p = &mut pl[i];
        let elsewhere: Vec<i64> = offsets
            .iter()
            .filter(|(k, _)| **k != sec)
            .filter_map(|(_, m)| mode(m))
            .collect();
        if votes(best) > votes(o) || (elsewhere.contains(&best) && !elsewhere.contains(&o)) {
            set(
                p,
                at,
                Confidence::Inferred,
                format!(
                    "blank cell right of \"{text}\" at {fa}, at its section's label offset \
                     (the value at {c} sits further from its label than the sheet's values do)"
                ),
            );
        } else {
            set(
                p,
                None,
                Confidence::Ambiguous,
                format!(
                    "value at {c} right of \"{text}\" at {fa}: as many of its section's values \
                     sit nearer their labels, and the sheet does not tell which"
                ),
            );
            p.candidates = at
                .into_iter()
                .chain([c])
                .map(|x| format!("{}!{x}", sm.fname))
                .collect();
        }
    }
    let mut sheet_offsets: Vec<i64> = offsets.values().filter_map(mode).collect();
    sheet_offsets.sort_unstable();
    sheet_offsets.dedup();
    for (i, fa, a, label) in blanks {
        let f = &base.fields[i];
        let sec = sm.section_of(f.cell);
        let base_off = i64::from(f.cell.col) - i64::from(a.col);
        let (off, how) = match offsets.get(&sec).and_then(mode) {
            Some(o) => (o, "at its section's label offset"),
            None => match sheet_offsets.as_slice() {
                [] => (
                    0,
                    "at the base form's distance from its label (no value on the sheet shows another)",
                ),
                [o] => (*o, "at the label offset of the sheet's other sections"),
                many => {
                    let p = &mut pl[i];
                    set(
                        p,
                        None,
                        Confidence::Ambiguous,
                        format!(
                            "blank cell right of \"{label}\" at {fa}; its section has no value \
                             and the sheet's other sections keep their values at different \
                             distances from their labels"
                        ),
                    );
                    p.candidates = many
                        .iter()
                        .filter_map(|o| shift(fa, (0, o.saturating_add(base_off))))
                        .map(|c| format!("{}!{c}", sm.fname))
                        .collect();
                    continue;
                }
            },
        };
        let c = shift(fa, (0, off.saturating_add(base_off)));
        set(
            &mut pl[i],
            c,
            Confidence::Inferred,
            format!("blank cell right of \"{label}\" at {fa}, {how}"),
        );
    }
}

/// How well a text of the workbook reads as a header of the template:
/// a letter-only header (`(h)`) by its letter, a worded one by its words
/// (and not at all when both carry different letters).
fn header_score(base: &Toks, f: &Toks) -> u32 {
    let same_letter = base.paren && f.paren && base.marker == f.marker;
    if base.paren && base.words.is_empty() {
        return if same_letter { 1000 } else { 0 };
    }
    if base.paren && f.paren && !same_letter {
        return 0;
    }
    let s = dice(&base.words, &f.words);
    if same_letter { s.max(800) } else { s }
}

/// The header text above a field of a grid row, in its section.
fn column_header<'d>(sm: &'d SheetMap<'_>, f: &Field) -> Option<&'d Deco> {
    let top = sm.section_of(f.cell).map_or(0, |i| sm.sections[i].0.row);
    sm.deco
        .iter()
        .filter(|d| {
            d.style == "header"
                && d.cell.col == f.cell.col
                && d.cell.row < f.cell.row
                && d.cell.row >= top
        })
        .max_by_key(|d| d.cell.row)
}

/// Column id → (column, confidence, why).
type Columns = BTreeMap<String, (u16, Confidence, String)>;

struct Found {
    start: Option<u32>,
    conf: Confidence,
    why: String,
    dc: i64,
    candidates: Vec<String>,
}

/// Where a table's data rows may start: every row label (or key) found
/// votes for the start it implies. Candidates: (start row, anchor column,
/// votes), best first; the count of rows that voted; what they are.
fn row_votes(sm: &SheetMap<'_>, t: &super::Table) -> (Vec<(u32, u16, u32)>, u32, &'static str) {
    let first_row = t.rows.first().map_or(0, |r| r.2);
    let by_label = t
        .label_col
        .filter(|_| t.rows.iter().any(|r| !r.1.is_empty()));
    if by_label.is_none() && t.key_col.is_none() {
        return (Vec::new(), 0, "labels or keys");
    }
    let mut votes: HashMap<(i64, u16), u32> = HashMap::new();
    let mut n = 0u32;
    for (key, label, row) in &t.rows {
        let off = i64::from(*row) - i64::from(first_row);
        let mut hits: Vec<CellRef> = Vec::new();
        if by_label.is_some() {
            if label.is_empty() {
                continue;
            }
            let w = toks(label).all;
            for x in &sm.f.texts {
                if dice(&w, &x.t.words) >= LABEL_MATCH {
                    hits.push(x.cell);
                }
            }
        } else if let Some(c) = sm.f.keys.get(&key.to_lowercase()) {
            hits.extend(c.iter().copied());
        }
        n = n.saturating_add(1);
        let mut mine: HashSet<(i64, u16)> = HashSet::new();
        for h in hits {
            let k = (i64::from(h.row) - off, h.col);
            if mine.insert(k) {
                *votes.entry(k).or_default() += 1;
            }
        }
    }
    let mut c: Vec<(u32, u16, u32)> = votes
        .into_iter()
        .filter(|(_, v)| v.saturating_mul(2) >= n && *v > 0)
        .filter_map(|((r, col), v)| Some((u32::try_from(r).ok()?, col, v)))
        .collect();
    c.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    (c, n, if by_label.is_some() { "labels" } else { "keys" })
}

/// The columns of a table whose data rows start on `start` (or, not
/// known, near `guess`), each by its letter and header in the rows above.
/// Returns the columns, how many were found, and the rows the headers
/// found are on.
fn find_columns(
    sm: &SheetMap<'_>,
    t: &super::Table,
    start: Option<u32>,
    guess: Option<u32>,
    dc: i64,
) -> (Columns, usize, Vec<i64>) {
    let first_row = t.rows.first().map_or(0, |r| r.2);
    let window = t
        .header_row
        .map_or(4, |h| first_row.saturating_sub(h).saturating_add(3))
        .clamp(3, 8);
    let (lo, hi) = match (start, guess) {
        (Some(s), _) => (s.saturating_sub(window), s),
        (None, Some(g)) => (
            g.saturating_sub(window.saturating_add(6)),
            g.saturating_add(6),
        ),
        (None, None) => (0, 0),
    };
    let mut cols = BTreeMap::new();
    let mut hits = 0usize;
    let mut rows = Vec::new();
    for (cid, bcol, letter, header) in &t.columns {
        let want = shift(CellRef::new(first_row, *bcol), (0, dc)).map_or(*bcol, |c| c.col);
        // With the rows found, a column sits near where the row labels put
        // it (a column inserted moves the rest by one or two).
        let inwin = |c: CellRef| {
            c.row >= lo
                && c.row < hi
                && !sm.labels.contains(&c)
                && (start.is_none() || c.col.abs_diff(want) <= 3)
        };
        let near = |c: CellRef| {
            u64::from(c.col.abs_diff(want))
                .saturating_mul(100)
                .saturating_add(u64::from(hi.saturating_sub(c.row)))
        };
        let by_letter = (!letter.is_empty())
            .then(|| {
                let l = letter.to_lowercase();
                let c: Vec<(u32, u64, CellRef)> =
                    sm.f.texts
                        .iter()
                        .filter(|x| inwin(x.cell) && x.t.paren && x.t.marker.as_deref() == Some(&l))
                        .map(|x| (1, near(x.cell), x.cell))
                        .collect();
                choose(c).ok().flatten()
            })
            .flatten();
        let hw = toks(header).words;
        let by_header = (!hw.is_empty())
            .then(|| {
                let c: Vec<(u32, u64, CellRef)> =
                    sm.f.texts
                        .iter()
                        .filter(|x| inwin(x.cell))
                        .filter_map(|x| {
                            let s = dice(&hw, &x.t.words);
                            (s >= HEADER_MATCH).then(|| (s / 100, near(x.cell), x.cell))
                        })
                        .collect();
                choose(c).ok().flatten()
            })
            .flatten();
        let entry = match (by_letter, by_header) {
            (Some(l), Some(h)) if l.col == h.col => (
                l.col,
                Confidence::Certain,
                format!("letter ({letter}) at {l}, header at {h}"),
            ),
            (Some(l), Some(h)) => (
                l.col,
                Confidence::Ambiguous,
                format!(
                    "letter ({letter}) at {l}, header \"{header}\" at {h}: columns {} and {}",
                    col_name(l.col),
                    col_name(h.col)
                ),
            ),
            (Some(l), None) => (
                l.col,
                Confidence::Certain,
                format!("letter ({letter}) at {l}"),
            ),
            (None, Some(h)) => (
                h.col,
                Confidence::Certain,
                format!("header \"{header}\" at {h}"),
            ),
            (None, None) => (
                want,
                Confidence::Inferred,
                "no letter or header: at the table's offset".into(),
            ),
        };
        // How much the columns found say for this start: a letter and a
        // header that agree, where the row labels put them, say most.
        let near_score = |c: CellRef| 3usize.saturating_sub(usize::from(c.col.abs_diff(want)));
        hits = hits
            .saturating_add(by_letter.map_or(0, near_score))
            .saturating_add(by_header.map_or(0, near_score));
        if let Some(c) = by_letter.or(by_header) {
            rows.push(i64::from(c.row));
        }
        cols.insert(cid.clone(), entry);
    }
    (cols, hits, rows)
}

fn map_tables(
    sm: &mut SheetMap<'_>,
    index: &HashMap<&str, usize>,
    pl: &mut [Placement],
    prop: &mut Proposal,
) {
    let base = sm.base;
    let tables: Vec<&super::Table> = base
        .sheets
        .iter()
        .find(|s| s.name == sm.bsheet)
        .map(|s| s.tables.iter().filter_map(|t| base.table(t)).collect())
        .unwrap_or_default();
    let mut done: HashMap<String, Found> = HashMap::new();
    // Claimed columns: (first row, last row, column).
    let mut claimed: Vec<(u32, u32, u16)> = Vec::new();
    for t in &tables {
        let first_row = t.rows.first().map_or(0, |r| r.2);
        let first_col = t.columns.iter().map(|c| c.1).min().unwrap_or(0);
        let exp = sm.expect(CellRef::new(first_row, first_col));
        let anchor_col = t
            .label_col
            .filter(|_| t.rows.iter().any(|r| !r.1.is_empty()))
            .or(t.key_col);
        let (cands, n, what) = row_votes(sm, t);
        let want = anchor_col.and_then(|ac| shift(CellRef::new(first_row, ac), exp));
        // Of the starts the most rows vote for, the one whose columns are
        // found above it; then the nearest to where it was expected.
        let best_votes = cands.first().map_or(0, |c| c.2);
        let mut ranked: Vec<(usize, u32, u64, u32, u16)> = cands
            .iter()
            .filter(|c| c.2 == best_votes)
            .take(12)
            .map(|&(r, c, v)| {
                let dc = anchor_col.map_or(exp.1, |ac| i64::from(c) - i64::from(ac));
                let (_, hits, _) = find_columns(sm, t, Some(r), None, dc);
                (hits, v, dist(CellRef::new(r, c), want), r, c)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));

        let mut found = match ranked.as_slice() {
            [] => Found {
                start: None,
                conf: Confidence::NotFound,
                why: if anchor_col.is_none() {
                    "no row labels or keys".into()
                } else {
                    format!("row {what} not found on `{}`", sm.fname)
                },
                dc: exp.1,
                candidates: Vec::new(),
            },
            [a, b, ..] if a.0 == b.0 && a.2 == b.2 => Found {
                start: None,
                conf: Confidence::Ambiguous,
                why: format!("its row {what} are found in several places"),
                dc: exp.1,
                candidates: ranked
                    .iter()
                    .filter(|x| x.0 == a.0 && x.2 == a.2)
                    .map(|x| format!("{}!{}", sm.fname, CellRef::new(x.3, x.4)))
                    .collect(),
            },
            [a, ..] => Found {
                start: Some(a.3),
                conf: if a.1.saturating_mul(10) >= n.saturating_mul(8) {
                    Confidence::Certain
                } else {
                    Confidence::Inferred
                },
                why: format!("{} of {n} row {what} from {}", a.1, CellRef::new(a.3, a.4)),
                dc: anchor_col.map_or(exp.1, |ac| i64::from(a.4) - i64::from(ac)),
                candidates: Vec::new(),
            },
        };
        if found.start.is_none() && found.conf != Confidence::Ambiguous {
            // Rows shared with a table already placed.
            if let Some((sid, s)) = tables.iter().find_map(|o| {
                let s = done.get(&o.id)?;
                (o.id != t.id
                    && o.rows.iter().map(|r| r.2).eq(t.rows.iter().map(|r| r.2))
                    && s.start.is_some())
                .then_some((o.id.clone(), s))
            }) {
                found = Found {
                    start: s.start,
                    conf: Confidence::Inferred,
                    why: format!("rows of {sid}"),
                    dc: exp.1,
                    candidates: Vec::new(),
                };
            }
        }
        if found.start.is_none() && found.conf != Confidence::Ambiguous {
            // A table right below a field placed: it moved with it.
            let above = base
                .fields_on(sm.bsheet)
                .filter(|f| {
                    f.table.is_none() && f.cell.row < first_row && f.cell.row + 3 >= first_row
                })
                .filter_map(|f| {
                    let p = &pl[*index.get(f.id.as_str())?];
                    let c = p.cell.as_deref().and_then(CellRef::parse)?;
                    matches!(p.confidence, Confidence::Certain).then_some((f, c))
                })
                .max_by_key(|(f, _)| (f.cell.row, std::cmp::Reverse(f.cell.col)));
            if let Some((f, c)) = above {
                let d = delta(f.cell, c);
                if let Some(s) = shift(CellRef::new(first_row, 0), (d.0, 0)) {
                    found = Found {
                        start: Some(s.row),
                        conf: Confidence::Inferred,
                        why: format!("below {}", f.id),
                        dc: d.1,
                        candidates: Vec::new(),
                    };
                }
            }
        }
        let guess = found
            .start
            .or_else(|| shift(CellRef::new(first_row, 0), (exp.0, 0)).map(|c| c.row));
        let (mut cols, _, mut header_rows) = find_columns(sm, t, found.start, guess, found.dc);
        // A table without row anchors: from its header row.
        if found.start.is_none()
            && found.conf != Confidence::Ambiguous
            && let (Some(hr), false) = (t.header_row, header_rows.is_empty())
        {
            header_rows.sort_unstable();
            let median = header_rows[header_rows.len() / 2];
            let s = median + i64::from(first_row) - i64::from(hr);
            if let Ok(s) = u32::try_from(s) {
                found = Found {
                    start: Some(s),
                    conf: Confidence::Inferred,
                    why: "from its header row".into(),
                    dc: found.dc,
                    candidates: Vec::new(),
                };
                cols = find_columns(sm, t, found.start, None, found.dc).0;
            }
        }
        // Totals: their label or key near where they belong.
        let mut skips: BTreeMap<String, u32> = BTreeMap::new();
        let mut total_rows: HashMap<String, i64> = HashMap::new();
        if let (Some(s), Some(last)) = (found.start, t.rows.last()) {
            let mut prev_b = last.2;
            let mut prev_f = i64::from(s) + i64::from(last.2) - i64::from(first_row);
            for (key, label, brow) in &t.totals {
                let bskip = brow.saturating_sub(prev_b).saturating_sub(1);
                let exp_r = prev_f + 1 + i64::from(bskip);
                let by_label = t.label_col.is_some() && !label.is_empty();
                let ac = if by_label { t.label_col } else { t.key_col };
                let mut at = exp_r;
                if let Some(ac) = ac {
                    let fc = i64::from(ac) + found.dc;
                    let words = toks(label).all;
                    let hit = (0..=4).map(|k| exp_r + k).find(|r| {
                        let Some(c) = u32::try_from(*r)
                            .ok()
                            .zip(u16::try_from(fc).ok())
                            .map(|(r, c)| CellRef::new(r, c))
                        else {
                            return false;
                        };
                        sm.f.at.get(&c).is_some_and(|v| {
                            if by_label {
                                dice(&words, &toks(v.text()).words) >= LABEL_MATCH
                            } else {
                                key_norm(v.text()).as_deref() == Some(&key.to_lowercase())
                            }
                        })
                    });
                    if let Some(h) = hit {
                        at = h;
                    }
                }
                let fskip = u32::try_from(at - prev_f - 1).unwrap_or(0);
                if fskip != bskip {
                    skips.insert(key.clone(), fskip);
                }
                total_rows.insert(key.clone(), at);
                prev_b = *brow;
                prev_f = at;
            }
        }
        if !skips.is_empty() {
            prop.skips.insert(t.id.clone(), skips);
        }
        // Place the table's fields.
        let row_of = |key: &str| -> Option<u32> {
            let s = found.start?;
            if let Some(i) = t.rows.iter().position(|r| r.0 == key) {
                return s.checked_add(u32::try_from(i).ok()?);
            }
            total_rows.get(key).and_then(|r| u32::try_from(*r).ok())
        };
        for f in base.fields_on(sm.bsheet) {
            let Some(pos) = f.table.as_ref().filter(|p| p.table == t.id) else {
                continue;
            };
            let Some(&i) = index.get(f.id.as_str()) else {
                continue;
            };
            let p = &mut pl[i];
            let Some((col, cconf, cwhy)) = cols.get(&pos.column) else {
                continue;
            };
            match (found.start, found.conf) {
                (None, Confidence::Ambiguous) => {
                    set(p, None, Confidence::Ambiguous, found.why.clone());
                    p.candidates = found.candidates.clone();
                }
                (None, _) => set(p, None, Confidence::NotFound, found.why.clone()),
                (Some(_), rconf) => {
                    let cell = row_of(&pos.row).map(|r| CellRef::new(r, *col));
                    let conf = rconf.max(*cconf);
                    set(
                        p,
                        cell,
                        conf,
                        format!("rows: {}; column: {cwhy}", found.why),
                    );
                }
            }
        }
        if let Some(s) = found.start {
            let last = s.saturating_add(u32::try_from(t.rows.len()).unwrap_or(0));
            for (c, _, _) in cols.values() {
                claimed.push((s, last, *c));
            }
            for bc in [t.key_col, t.label_col].into_iter().flatten() {
                if let Some(c) = shift(CellRef::new(0, bc), (0, found.dc)) {
                    claimed.push((s, last, c.col));
                }
            }
        }
        prop.tables.insert(
            t.id.clone(),
            (
                found.start,
                cols.iter().map(|(k, v)| (k.clone(), v.0)).collect(),
            ),
        );
        done.insert(t.id.clone(), found);
    }
    find_extras(sm, &tables, &done, &claimed, prop);
}

/// Extra columns: a header over numbers inside a table's rows that is no
/// column of it (nor of another table on those rows).
fn find_extras(
    sm: &SheetMap<'_>,
    tables: &[&super::Table],
    done: &HashMap<String, Found>,
    claimed: &[(u32, u32, u16)],
    prop: &mut Proposal,
) {
    for t in tables {
        let Some(found) = done.get(&t.id) else {
            continue;
        };
        if found.conf != Confidence::Certain || (t.key_col.is_none() && t.label_col.is_none()) {
            continue;
        }
        let (Some(s), Some(t_cols)) = (found.start, prop.tables.get(&t.id).map(|x| x.1.clone()))
        else {
            continue;
        };
        let (Some(&minc), Some(&maxc)) = (t_cols.values().min(), t_cols.values().max()) else {
            continue;
        };
        let first_row = t.rows.first().map_or(0, |r| r.2);
        let window = t
            .header_row
            .map_or(4, |h| first_row.saturating_sub(h).saturating_add(3))
            .clamp(3, 8);
        let last = s.saturating_add(u32::try_from(t.rows.len()).unwrap_or(0));
        let mut seen: HashSet<u16> = HashSet::new();
        for x in sm.f.texts.iter().filter(|x| {
            x.cell.row < s
                && x.cell.row >= s.saturating_sub(window)
                && !x.t.words.is_empty()
                && x.t.marker.is_none()
                && !sm.labels.contains(&x.cell)
                && x.cell.col.saturating_add(2) >= minc
                && x.cell.col <= maxc.saturating_add(1)
        }) {
            let c = x.cell.col;
            if seen.contains(&c)
                || claimed
                    .iter()
                    .any(|(a, b, k)| *k == c && *a <= last && *b >= s)
            {
                continue;
            }
            let filled: Vec<(usize, &RawCell)> = t
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, _)| {
                    let r = s.checked_add(u32::try_from(i).ok()?)?;
                    sm.f.at.get(&CellRef::new(r, c)).map(|v| (i, *v))
                })
                .collect();
            if filled.is_empty() || !filled.iter().all(|(_, v)| matches!(v, RawCell::Number(_))) {
                continue;
            }
            seen.insert(c);
            let kind = if filled
                .iter()
                .all(|(_, v)| !v.text().contains('.') && !v.text().contains('E'))
            {
                "integer"
            } else {
                "decimal"
            };
            let mut id = x.t.words.join("_");
            while t.columns.iter().any(|k| k.0 == id) {
                id.push_str("_extra");
            }
            let mut ranges: Vec<String> = Vec::new();
            let mut run: Option<(usize, usize)> = None;
            for (i, _) in &filled {
                run = match run {
                    Some((a, b)) if b + 1 == *i => Some((a, *i)),
                    Some((a, b)) => {
                        ranges.push(range_text(t, a, b));
                        Some((*i, *i))
                    }
                    None => Some((*i, *i)),
                };
            }
            if let Some((a, b)) = run {
                ranges.push(range_text(t, a, b));
            }
            let r0 = s.saturating_add(u32::try_from(filled[0].0).unwrap_or(0));
            let r1 = s.saturating_add(u32::try_from(filled[filled.len() - 1].0).unwrap_or(0));
            prop.extras.push(Extra {
                table: t.id.clone(),
                id,
                col: col_name(c),
                label: x.raw.trim().to_string(),
                kind: kind.into(),
                rows: ranges,
                cells: format!(
                    "{}!{}:{}",
                    sm.fname,
                    CellRef::new(r0, c),
                    CellRef::new(r1, c)
                ),
            });
        }
    }
}

fn range_text(t: &super::Table, a: usize, b: usize) -> String {
    let k = |i: usize| t.rows.get(i).map_or("", |r| r.0.as_str());
    if a == b {
        k(a).to_string()
    } else {
        format!("{}:{}", k(a), k(b))
    }
}

/// Two fields proposed on one cell: the one placed with certainty keeps
/// it, the others become ambiguous (the overlay would not load).
fn settle_collisions(base: &Layout, sheet: &str, pl: &mut [Placement], fname: &str) {
    let mut at: HashMap<CellRef, Vec<usize>> = HashMap::new();
    for (i, f) in base.fields.iter().enumerate() {
        if f.sheet == sheet
            && let Some(c) = pl[i].cell.as_deref().and_then(CellRef::parse)
        {
            at.entry(c).or_default().push(i);
        }
    }
    for (c, ids) in at {
        if ids.len() < 2 {
            continue;
        }
        let certain: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|i| pl[*i].confidence == Confidence::Certain)
            .collect();
        let keep = (certain.len() == 1).then(|| certain[0]);
        let names: Vec<String> = ids.iter().map(|i| base.fields[*i].id.clone()).collect();
        for i in ids {
            if Some(i) == keep {
                continue;
            }
            let others: Vec<&str> = names
                .iter()
                .filter(|n| **n != base.fields[i].id)
                .map(String::as_str)
                .collect();
            let why = format!("{fname}!{c} is also proposed for {}", others.join(", "));
            pl[i].candidates = vec![format!("{fname}!{c}")];
            set(&mut pl[i], None, Confidence::Ambiguous, why);
        }
    }
}

/// Recognition rules: a version string holding the contract year on the
/// marker sheet (`MA-2013.1` → `MA-2013.*`), else every sheet's name.
fn recognize(
    base: &Layout,
    sm: &SheetMap<'_>,
    book: &[RawSheet],
    pairs: &[(String, Option<usize>, u32)],
) -> Vec<super::overlay::Rule> {
    let year = base.form.contract_year.to_string();
    let re = regex::Regex::new(&format!(r"\b([A-Za-z]+-{year}\.)[A-Za-z0-9]+\b"));
    if let Ok(re) = re {
        for x in &sm.f.texts {
            if let Some(m) = re.captures(&x.raw).and_then(|c| c.get(1)) {
                let text = x.raw.trim();
                let whole = re.find(text).is_some_and(|f| f.start() == 0);
                let pattern = format!("{}{}*", if whole { "" } else { "*" }, m.as_str());
                return vec![super::overlay::Rule {
                    sheet: sm.fname.to_string(),
                    cell: Some(x.cell.to_string()),
                    pattern: Some(pattern),
                    contains: None,
                }];
            }
        }
    }
    pairs
        .iter()
        .filter_map(|(_, f, _)| f.map(|i| &book[i].name))
        .map(|n| super::overlay::Rule {
            sheet: n.clone(),
            cell: None,
            pattern: None,
            contains: None,
        })
        .collect()
}

// ------------------------------------------------------------ the overlay

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl Proposal {
    /// Fields placed (certain or inferred) of all fields, in hundredths of
    /// a percent, over `what` (fields, with_value, in_populated).
    pub fn placed_share(&self, what: fn(&Count) -> usize) -> (usize, usize) {
        let total: usize = self.coverage.values().map(what).sum();
        let placed: usize = [Confidence::Certain, Confidence::Inferred]
            .iter()
            .filter_map(|c| self.coverage.get(c))
            .map(what)
            .sum();
        (placed, total)
    }

    /// The overlay file, with a comment per placement.
    pub fn overlay_toml(&self, base: &Layout, workbook: &str) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# Proposed by `bpt template map` for {workbook}: check it with\n\
             # `bpt template --check` and `bpt validate --template`.\n\
             # Confidence of each placement in the comments: certain (its label,\n\
             # letter or header was found), inferred, ambiguous or not found."
        );
        for (c, n) in &self.coverage {
            let _ = writeln!(o, "#   {}: {} field(s)", c.label(), n.fields);
        }
        let _ = writeln!(o, "extends = {}", q(&self.base));
        let _ = writeln!(o, "id = {}", q(&self.id));
        let _ = writeln!(o, "\n[sheets]");
        let mut offsets: HashMap<&str, Delta> = HashMap::new();
        for s in &self.sheets {
            match &s.name {
                Some(n) if s.rows == 0 && s.cols == 0 => {
                    let _ = writeln!(o, "{} = {}", s.base, q(n));
                }
                Some(n) => {
                    let mut parts = vec![format!("name = {}", q(n))];
                    if s.rows != 0 {
                        parts.push(format!("rows = {}", s.rows));
                    }
                    if s.cols != 0 {
                        parts.push(format!("cols = {}", s.cols));
                    }
                    let _ = writeln!(o, "{} = {{ {} }}", s.base, parts.join(", "));
                }
                None => {
                    let _ = writeln!(o, "# {}: no sheet of the workbook matches", s.base);
                }
            }
            offsets.insert(&s.base, (s.rows, s.cols));
        }
        let by_id: HashMap<&str, &Placement> =
            self.placements.iter().map(|p| (p.id.as_str(), p)).collect();
        // Cells of the fields placed; a field not placed whose default
        // cell is one of them is parked on a blank cell right of (or a
        // table below) everything placed, so the overlay loads.
        let mut occupied: HashMap<&str, HashSet<CellRef>> = HashMap::new();
        let mut far: HashMap<&str, (u32, u16)> = HashMap::new();
        for f in &base.fields {
            if let Some(c) = by_id
                .get(f.id.as_str())
                .and_then(|p| p.cell.as_deref())
                .and_then(CellRef::parse)
            {
                occupied.entry(f.sheet.as_str()).or_default().insert(c);
                let e = far.entry(f.sheet.as_str()).or_insert((0, 0));
                e.0 = e.0.max(c.row);
                e.1 = e.1.max(c.col);
            }
        }
        let mut parked_rows: HashMap<&str, u32> = HashMap::new();
        let mut park_col: HashMap<&str, u32> = HashMap::new();
        let _ = writeln!(o, "\n[fields]");
        for f in base.fields.iter().filter(|f| f.table.is_none()) {
            let Some(p) = by_id.get(f.id.as_str()) else {
                continue;
            };
            let d = offsets.get(f.sheet.as_str()).copied().unwrap_or((0, 0));
            let at_offset = shift(f.cell, d).map(|c| c.to_string());
            match (&p.cell, p.confidence) {
                (Some(c), conf) if Some(c) != at_offset.as_ref() => {
                    let _ = writeln!(o, "{} = {}  # {}: {}", q(&f.id), q(c), short(conf), p.why);
                }
                (Some(_), Confidence::Certain) => {}
                (Some(_), conf) => {
                    let _ = writeln!(
                        o,
                        "# {} at the sheet's offset ({}: {})",
                        f.id,
                        short(conf),
                        p.why
                    );
                }
                (None, conf)
                    if at_offset
                        .as_deref()
                        .and_then(CellRef::parse)
                        .is_none_or(|c| {
                            occupied
                                .get(f.sheet.as_str())
                                .is_some_and(|s| s.contains(&c))
                        }) =>
                {
                    let (_, mc) = far.get(f.sheet.as_str()).copied().unwrap_or((0, 0));
                    let k = park_col.entry(f.sheet.as_str()).or_insert(0);
                    let cell = CellRef::new(*k, mc.saturating_add(3));
                    *k = k.saturating_add(1);
                    occupied.entry(f.sheet.as_str()).or_default().insert(cell);
                    let _ = writeln!(
                        o,
                        "{} = {}  # {}, parked on a blank cell (its own is taken): {}",
                        q(&f.id),
                        q(&cell.to_string()),
                        short(conf),
                        p.why
                    );
                }
                (None, conf) => {
                    let mut line = format!("# {} = ?  {}: {}", q(&f.id), short(conf), p.why);
                    if !p.candidates.is_empty() {
                        let _ = write!(line, " (candidates: {})", p.candidates.join(", "));
                    }
                    let _ = writeln!(o, "{line}");
                }
            }
        }
        for (tid, (start, cols)) in &self.tables {
            let Some(t) = base.table(tid) else { continue };
            let d = offsets.get(t.sheet.as_str()).copied().unwrap_or((0, 0));
            let first = t.rows.first().map_or(0, |r| r.2);
            let mut lines = Vec::new();
            if let Some(s) = start
                && shift(CellRef::new(first, 0), d).map(|c| c.row) != Some(*s)
            {
                lines.push(format!("first_row = {}", s.saturating_add(1)));
            }
            if start.is_none() {
                let taken = base
                    .fields
                    .iter()
                    .filter(|f| f.table.as_ref().is_some_and(|p| &p.table == tid))
                    .filter_map(|f| shift(f.cell, d))
                    .any(|c| {
                        occupied
                            .get(t.sheet.as_str())
                            .is_some_and(|s| s.contains(&c))
                    });
                if taken {
                    let (mr, _) = far.get(t.sheet.as_str()).copied().unwrap_or((0, 0));
                    let r = parked_rows
                        .entry(t.sheet.as_str())
                        .or_insert(mr.saturating_add(3));
                    lines.push(format!(
                        "first_row = {}  # parked below everything placed (its own rows are taken)",
                        r.saturating_add(1)
                    ));
                    let n = u32::try_from(
                        t.rows
                            .len()
                            .saturating_add(t.totals.len())
                            .saturating_add(2),
                    )
                    .unwrap_or(0);
                    *r = r.saturating_add(n);
                }
            }
            let moved: Vec<String> = t
                .columns
                .iter()
                .filter_map(|(cid, bc, _, _)| {
                    let c = cols.get(cid)?;
                    let at = shift(CellRef::new(0, *bc), (0, d.1)).map(|x| x.col);
                    (at != Some(*c)).then(|| format!("{cid} = {}", q(&col_name(*c))))
                })
                .collect();
            if !moved.is_empty() {
                lines.push(format!("columns = {{ {} }}", moved.join(", ")));
            }
            if let Some(sk) = self.skips.get(tid) {
                let parts: Vec<String> = sk.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                lines.push(format!("skip = {{ {} }}", parts.join(", ")));
            }
            // The table's confidence: its fields'.
            let mut counts: BTreeMap<Confidence, usize> = BTreeMap::new();
            let mut why = None;
            for f in base
                .fields
                .iter()
                .filter(|f| f.table.as_ref().is_some_and(|p| &p.table == tid))
            {
                if let Some(p) = by_id.get(f.id.as_str()) {
                    *counts.entry(p.confidence).or_default() += 1;
                    if why.is_none() {
                        why = Some(p.why.split(';').next().unwrap_or("").to_string());
                    }
                }
            }
            let summary: Vec<String> = counts
                .iter()
                .map(|(c, n)| format!("{n} {}", short(*c)))
                .collect();
            if lines.is_empty() {
                let _ = writeln!(
                    o,
                    "# table {tid} at the sheet's offset: {} ({})",
                    summary.join(", "),
                    why.unwrap_or_default()
                );
                continue;
            }
            let _ = writeln!(o, "\n[tables.{}]", q(tid));
            let _ = writeln!(o, "# {} ({})", summary.join(", "), why.unwrap_or_default());
            for l in lines {
                let _ = writeln!(o, "{l}");
            }
        }
        for x in &self.extras {
            let _ = writeln!(
                o,
                "\n[[extra]]  # a column of this workbook the base does not have: {}",
                x.cells
            );
            let _ = writeln!(o, "table = {}", q(&x.table));
            let _ = writeln!(o, "id = {}", q(&x.id));
            let _ = writeln!(o, "col = {}", q(&x.col));
            let _ = writeln!(o, "label = {}", q(&x.label));
            let _ = writeln!(o, "kind = {}", q(&x.kind));
            let rows: Vec<String> = x.rows.iter().map(|r| q(r)).collect();
            let _ = writeln!(o, "rows = [{}]", rows.join(", "));
        }
        for r in &self.recognize {
            let _ = writeln!(o, "\n[[recognize]]");
            let _ = writeln!(o, "sheet = {}", q(&r.sheet));
            if let Some(c) = &r.cell {
                let _ = writeln!(o, "cell = {}", q(c));
            }
            if let Some(p) = &r.pattern {
                let _ = writeln!(o, "pattern = {}", q(p));
            }
        }
        o
    }

    /// The coverage table and what was not placed with certainty.
    pub fn coverage_text(&self, workbook: &str) -> String {
        let mut o = String::new();
        let matched = self.sheets.iter().filter(|s| s.name.is_some()).count();
        let _ = writeln!(
            o,
            "{workbook}: mapped onto {} ({matched} of {} sheets)",
            self.base,
            self.sheets.len()
        );
        let sheets: Vec<String> = self
            .sheets
            .iter()
            .map(|s| match &s.name {
                Some(n) if s.rows == 0 && s.cols == 0 => format!("{} → `{n}`", s.base),
                Some(n) => format!("{} → `{n}` ({:+} rows, {:+} cols)", s.base, s.rows, s.cols),
                None => format!("{} → not found", s.base),
            })
            .collect();
        let _ = writeln!(o, "sheets: {}", sheets.join(", "));
        let _ = writeln!(
            o,
            "{:<24}{:>8}{:>14}{:>22}",
            "", "fields", "with a value", "in populated sections"
        );
        for (c, n) in &self.coverage {
            let _ = writeln!(
                o,
                "{:<24}{:>8}{:>14}{:>22}",
                c.label(),
                n.fields,
                n.with_value,
                n.in_populated
            );
        }
        let pct = |(p, t): (usize, usize)| -> String {
            if t == 0 {
                return "-".into();
            }
            let h = p.saturating_mul(10_000) / t;
            format!("{}.{:02}%", h / 100, h % 100)
        };
        let _ = writeln!(
            o,
            "{:<24}{:>8}{:>14}{:>22}",
            "placed",
            pct(self.placed_share(|c| c.fields)),
            pct(self.placed_share(|c| c.with_value)),
            pct(self.placed_share(|c| c.in_populated))
        );
        if self.extras.is_empty() {
            let _ = writeln!(o, "extra columns: none");
        }
        for x in &self.extras {
            let _ = writeln!(
                o,
                "extra column: {}.{} \"{}\" at {} ({})",
                x.table, x.id, x.label, x.cells, x.kind
            );
        }
        let rules: Vec<String> = self
            .recognize
            .iter()
            .map(|r| match (&r.cell, &r.pattern) {
                (Some(c), Some(p)) => format!("{}!{c} matches `{p}`", r.sheet),
                _ => format!("sheet `{}`", r.sheet),
            })
            .collect();
        let _ = writeln!(o, "recognised by: {}", rules.join(" and "));
        // Grouped: what was not certain, by table or section and reason.
        for conf in [
            Confidence::Inferred,
            Confidence::Ambiguous,
            Confidence::NotFound,
        ] {
            let mut groups: BTreeMap<(String, String), Vec<&Placement>> = BTreeMap::new();
            for p in self.placements.iter().filter(|p| p.confidence == conf) {
                // A table's cells under one line: the table and why its
                // rows are where they are.
                let (g, why) = match p.id.split_once('[') {
                    Some((col, _)) => (
                        format!("{} (table)", col.rsplit_once('.').map_or(col, |x| x.0)),
                        generic_why(p.why.split(';').next().unwrap_or("")),
                    ),
                    None => (p.id.clone(), generic_why(&p.why)),
                };
                groups.entry((g, why)).or_default().push(p);
            }
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(o, "{}:", conf.label());
            for ((g, why), ps) in groups {
                if ps.len() == 1 && !g.ends_with("(table)") {
                    let mut line = format!("  {}: {}", ps[0].id, ps[0].why);
                    if let Some(c) = &ps[0].cell {
                        let _ = write!(line, " → {c}");
                    }
                    if !ps[0].candidates.is_empty() {
                        let _ = write!(line, " (candidates: {})", ps[0].candidates.join(", "));
                    }
                    let _ = writeln!(o, "{line}");
                } else {
                    let _ = writeln!(o, "  {g} ({} fields): {why}", ps.len());
                }
            }
        }
        o
    }
}

fn short(c: Confidence) -> &'static str {
    match c {
        Confidence::Certain => "certain",
        Confidence::Inferred => "inferred",
        Confidence::Ambiguous => "ambiguous",
        Confidence::NotFound => "not found",
    }
}

/// A reason without its cells, to group many fields under one line.
fn generic_why(why: &str) -> String {
    why.split(';')
        .map(|part| {
            part.split_whitespace()
                .filter(|w| CellRef::parse(w.trim_end_matches([',', ':'])).is_none())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        toks(s).all
    }

    #[test]
    fn labels_read_like_the_templates() {
        assert_eq!(
            dice(&w("1 Contract Number"), &w("1. Contract Number:")),
            1000
        );
        assert!(
            dice(
                &w("Annualized Utilization/1,000"),
                &w("Annualized Util/1000")
            ) >= 1000
        );
        assert!(dice(&w("Average Cost"), &w("Avg Cost")) >= 1000);
        assert!(dice(&w("Net PMPM"), &w("Cost Sharing")) == 0);
        let t = toks("(d) Net PMPM");
        assert_eq!((t.marker.as_deref(), t.paren), (Some("d"), true));
        assert_eq!(toks("a.").marker.as_deref(), Some("a"));
        assert_eq!(toks("SNP").marker, None);
        assert_eq!(toks("III. Base Period Data").marker.as_deref(), Some("iii"));
        assert_eq!(key_norm("a."), Some("a".into()));
        assert_eq!(key_norm("(12)"), Some("12".into()));
        assert!(!word_eq("total", "transportation"));
    }
}
