//! The form compiled once from its template, and the one evaluator of its
//! formulas.
//!
//! A [`Form`] numbers every field of a [`Layout`] ([`FieldId`]), parses
//! every formula of the template *once* from its placeholder text into an
//! AST over field ids ([`parser::Expr`]), and orders the calculated fields
//! so each comes after every field it reads (a cycle is a template error
//! naming its cells). An [`Evaluation`] holds one bid's values in a `Vec`
//! indexed by field id and computes every calculated field with Excel's
//! semantics in exact decimals ([`eval`]); after a change it recomputes
//! only the fields downstream of it. String ids appear only at the edges
//! ([`Form::id`], [`Evaluation::from_values`], [`Evaluation::calculated`]).
//!
//! This module knows nothing of xlsx files, rules or the command line.
//!
//! ```
//! use bpt::form::{Form, Evaluation, Val};
//! use rust_decimal_macros::dec;
//! let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
//! let form = Form::compile(layout).unwrap();
//! let mut ev = Evaluation::new(&form);
//! ev.set_entered(form.id("ws5.quality.star_rating").unwrap(), Val::Num(dec!(4.5)));
//! ev.recalc_all();
//! assert_eq!(ev.get(form.id("ws5.quality.qbp_pct").unwrap()), &Val::Num(dec!(0.04)));
//! ```

pub mod eval;
pub mod lexer;
pub mod parser;
pub(crate) mod snapshot;
pub mod value;

pub use value::{Val, XlError};

use crate::cellref::CellRef;
use crate::template::{Field, Kind, Layout, Role};
use crate::value::{Invalid, Original, Value, Values};
use parser::Expr;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::str::FromStr;

/// A field of the form, numbered in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

impl FieldId {
    fn ix(self) -> usize {
        self.0 as usize
    }
}

/// A template compiled for evaluation.
#[derive(Clone)]
pub struct Form {
    /// Template id.
    pub template: String,
    ids: Vec<String>,
    index: FxHashMap<String, FieldId>,
    roles: Vec<Role>,
    kinds: Vec<Kind>,
    sheets: Vec<String>,
    places: Vec<(u16, CellRef)>,
    /// The value an entered field holds in the blank form (`value` in the
    /// template); `Blank` for the others.
    prepopulated: Vec<Val>,
    formulas: Vec<Option<Expr>>,
    /// Calculated fields, each after every calculated field it reads.
    order: Vec<FieldId>,
    /// Position of each field in `order` (`u32::MAX`: not calculated).
    rank: Vec<u32>,
    /// The calculated fields that read each field.
    readers: Vec<Vec<FieldId>>,
    /// The template's family facts (`[form.facts]`).
    facts: crate::template::facts::Facts,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("template", &self.template)
            .field("fields", &self.ids.len())
            .field("calculated", &self.order.len())
            .finish_non_exhaustive()
    }
}

/// Every calculated value of one bid, by string id: what the rules,
/// reports and outputs read ([`recalc`]).
#[derive(Debug, Clone, Default)]
pub struct Recalc {
    /// Every calculated field's value, by id (blank ones left out).
    pub values: Values,
    /// Unrounded values of the fields whose formula is `ROUND(x, n)`.
    pub pre_round: std::collections::BTreeMap<String, Decimal>,
    /// What each `default` field's formula gives, whether or not the
    /// actuary overwrote the cell (`bpt` reports overrides, V004).
    pub defaults: std::collections::BTreeMap<String, Decimal>,
}

/// Evaluates a bid's values (by string id) and returns every calculated
/// value by string id.
pub fn recalc(form: &Form, values: &Values) -> Recalc {
    Evaluation::from_values(form, values).recalc()
}

fn place_text(l: &Layout, f: &Field) -> String {
    let _ = l;
    format!("{} ({}!{})", f.id, f.sheet, f.cell)
}

impl Form {
    /// Compiles a resolved template: numbers its fields, parses every
    /// formula and orders the calculated fields. Errors name the field
    /// and the place in its formula, or every cell of a cycle.
    pub fn compile(layout: &Layout) -> Result<Form, String> {
        let n = layout.fields.len();
        let Numbering {
            sheets,
            sheet_ix,
            index,
            places,
            prepopulated,
        } = number(layout)?;
        let mut at: FxHashMap<(u16, CellRef), FieldId> =
            FxHashMap::with_capacity_and_hasher(n, Default::default());
        for (i, place) in places.iter().enumerate() {
            at.insert(*place, FieldId(i as u32));
        }
        // (table, row key) → sheet row, data and total rows.
        let mut rows: FxHashMap<(&str, &str), u32> = FxHashMap::default();
        let mut columns: FxHashMap<String, (&crate::template::Table, u16)> = FxHashMap::default();
        for t in layout.tables.values() {
            for r in t.rows.iter().chain(t.totals.iter()) {
                rows.entry((t.id.as_str(), r.0.as_str())).or_insert(r.2);
            }
            for (cid, col, _, _) in &t.columns {
                columns.insert(format!("{}.{}", t.id, cid), (t, *col));
            }
        }
        let cell_at = |sheet: &str, row: u32, col: u16| -> Option<FieldId> {
            let s = *sheet_ix.get(sheet)?;
            at.get(&(s, CellRef::new(row, col))).copied()
        };
        let mut formulas = Vec::with_capacity(n);
        for f in &layout.fields {
            let Some(src) = f.formula_src.as_deref().filter(|_| f.role.is_calculated()) else {
                formulas.push(None);
                continue;
            };
            let row_key = f.table.as_ref().map(|t| t.row.as_str());
            let mut resolve = |inner: &str| -> Result<Expr, String> {
                if let Some(id) = index.get(inner) {
                    return Ok(Expr::Cell(*id));
                }
                if let Some((base, spec)) = inner.strip_suffix(']').and_then(|s| s.split_once('['))
                {
                    let (t, col) = columns
                        .get(base)
                        .ok_or_else(|| format!("no table column `{base}`"))?;
                    let (r1, r2) = if spec == "*" {
                        let first = t.rows.first().ok_or("empty table")?.2;
                        let last = t.rows.last().ok_or("empty table")?.2;
                        (first, last)
                    } else if let Some((a, b)) = spec.split_once(':') {
                        let row = |k: &str| {
                            rows.get(&(t.id.as_str(), k))
                                .copied()
                                .ok_or_else(|| format!("table {} has no row `{k}`", t.id))
                        };
                        let (ra, rb) = (row(a)?, row(b)?);
                        if rb < ra {
                            return Err("range runs backwards".into());
                        }
                        (ra, rb)
                    } else {
                        return Err("no field with that id".into());
                    };
                    return Ok(Expr::Range(
                        (r1..=r2).map(|r| cell_at(&t.sheet, r, *col)).collect(),
                    ));
                }
                if let Some((t, col)) = columns.get(inner) {
                    let key = row_key.ok_or_else(|| {
                        format!("names a column; outside a table give a row, e.g. `{{{inner}[a]}}`")
                    })?;
                    let r = rows
                        .get(&(t.id.as_str(), key))
                        .copied()
                        .ok_or_else(|| format!("table {} has no row `{key}`", t.id))?;
                    return Ok(cell_at(&t.sheet, r, *col).map_or(Expr::BlankCell, Expr::Cell));
                }
                Err("no field or table column with that id".into())
            };
            let e = parser::parse(src, &mut resolve)
                .map_err(|e| format!("field {}: formula `{src}`: {e}", place_text(layout, f)))?;
            formulas.push(Some(e));
        }
        let (order, rank, readers) = order(layout, &formulas)?;
        let numbering = Numbering {
            sheets,
            sheet_ix,
            index,
            places,
            prepopulated,
        };
        Ok(Form::assemble(
            layout, numbering, formulas, order, rank, readers,
        ))
    }

    /// The form of `layout` with its numbering and parsed formulas.
    fn assemble(
        layout: &Layout,
        numbering: Numbering<'_>,
        formulas: Vec<Option<Expr>>,
        order: Vec<FieldId>,
        rank: Vec<u32>,
        readers: Vec<Vec<FieldId>>,
    ) -> Form {
        let Numbering {
            sheets,
            sheet_ix: _,
            index,
            places,
            prepopulated,
        } = numbering;
        Form {
            template: layout.form.id.clone(),
            ids: layout.fields.iter().map(|f| f.id.clone()).collect(),
            index,
            roles: layout.fields.iter().map(|f| f.role).collect(),
            kinds: layout.fields.iter().map(|f| f.kind).collect(),
            sheets,
            places,
            prepopulated,
            formulas,
            order,
            rank,
            readers,
            facts: layout.facts.clone(),
        }
    }

    /// The field of a string id.
    pub fn id(&self, id: &str) -> Option<FieldId> {
        self.index.get(id).copied()
    }

    /// The string id of a field.
    pub fn name(&self, id: FieldId) -> &str {
        &self.ids[id.ix()]
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the form has no field.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Who fills a field.
    pub fn role(&self, id: FieldId) -> Role {
        self.roles[id.ix()]
    }

    /// The parsed formula of a calculated field.
    pub fn formula(&self, id: FieldId) -> Option<&Expr> {
        self.formulas[id.ix()].as_ref()
    }

    /// The calculated fields in evaluation order.
    pub fn order(&self) -> &[FieldId] {
        &self.order
    }

    /// The template's family facts (`[form.facts]`).
    pub fn facts(&self) -> &crate::template::facts::Facts {
        &self.facts
    }

    /// `WS1!D5` of a field.
    pub fn address(&self, id: FieldId) -> String {
        let (s, c) = self.places[id.ix()];
        format!("{}!{c}", self.sheets[s as usize])
    }
}

/// The numbering of a layout's fields, what [`Form::compile`] and a form
/// read back from the cache of shipped templates share.
struct Numbering<'l> {
    sheets: Vec<String>,
    sheet_ix: FxHashMap<&'l str, u16>,
    index: FxHashMap<String, FieldId>,
    places: Vec<(u16, CellRef)>,
    prepopulated: Vec<Val>,
}

/// Numbers the fields of a layout in template order, with their sheets,
/// places and pre-populated values.
fn number(layout: &Layout) -> Result<Numbering<'_>, String> {
    let n = layout.fields.len();
    let mut sheets: Vec<String> = layout.sheets.iter().map(|s| s.name.clone()).collect();
    let mut sheet_ix: FxHashMap<&str, u16> = FxHashMap::default();
    for (i, s) in layout.sheets.iter().enumerate() {
        sheet_ix.insert(&s.name, u16::try_from(i).map_err(|_| "too many sheets")?);
    }
    let mut index = FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut places = Vec::with_capacity(n);
    let mut prepopulated = Vec::with_capacity(n);
    for (i, f) in layout.fields.iter().enumerate() {
        let id = FieldId(u32::try_from(i).map_err(|_| "too many fields")?);
        index.insert(f.id.clone(), id);
        let s = match sheet_ix.get(f.sheet.as_str()) {
            Some(s) => *s,
            None => {
                sheets.push(f.sheet.clone());
                let s = u16::try_from(sheets.len() - 1).map_err(|_| "too many sheets")?;
                sheet_ix.insert(&f.sheet, s);
                s
            }
        };
        places.push((s, f.cell));
        prepopulated.push(if f.role.is_entered() {
            template_value(f)?
        } else {
            Val::Blank
        });
    }
    Ok(Numbering {
        sheets,
        sheet_ix,
        index,
        places,
        prepopulated,
    })
}

/// The compiled form of a template that lives for the whole process (the
/// shipped templates, [`crate::template::builtin_cached`]): compiled on
/// first use, then shared.
pub fn cached(layout: &'static Layout) -> Result<&'static Form, String> {
    use std::sync::Mutex;
    static CACHE: Mutex<Vec<(usize, &'static Form)>> = Mutex::new(Vec::new());
    let key = std::ptr::from_ref(layout) as usize;
    let mut c = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, f)) = c.iter().find(|(k, _)| *k == key) {
        return Ok(f);
    }
    // A shipped template read from the cache has its compiled form there
    // too; one built from its TOML has the cache written once compiled.
    let form = match crate::template::cache::form_of(layout) {
        Some(f) => f,
        None => {
            let f = Form::compile(layout)?;
            crate::template::cache::compiled(layout, &f);
            f
        }
    };
    // One per template for the life of the process: leaked on purpose.
    let f: &'static Form = Box::leak(Box::new(form));
    c.push((key, f));
    Ok(f)
}

/// The compiled form of any layout: the shared one when `layout` is a
/// shipped template's cached layout, else compiled now.
pub fn compiled(layout: &Layout) -> Result<std::borrow::Cow<'static, Form>, String> {
    if let Ok(shipped) = crate::template::builtin_cached(&layout.form.id)
        && std::ptr::eq(shipped, layout)
    {
        return cached(shipped).map(std::borrow::Cow::Borrowed);
    }
    Form::compile(layout).map(std::borrow::Cow::Owned)
}

/// The pre-populated value of an entered field, typed by its kind.
fn template_value(f: &Field) -> Result<Val, String> {
    let Some(s) = f.value.as_deref() else {
        return Ok(Val::Blank);
    };
    let t = s.trim();
    if f.kind.is_numeric() {
        Decimal::from_str(t)
            .or_else(|_| Decimal::from_scientific(t))
            .map(Val::Num)
            .map_err(|_| format!("field {}: value `{s}` is not a number", f.id))
    } else if s.is_empty() {
        Ok(Val::Blank)
    } else {
        Ok(Val::text(s))
    }
}

type Order = (Vec<FieldId>, Vec<u32>, Vec<Vec<FieldId>>);

/// Topological order of the calculated fields (Kahn's algorithm, ties in
/// template order), each field's rank in it, and each field's readers.
fn order(layout: &Layout, formulas: &[Option<Expr>]) -> Result<Order, String> {
    let n = formulas.len();
    let mut readers: Vec<Vec<FieldId>> = vec![Vec::new(); n];
    let mut pending = vec![0u32; n];
    let mut refs = Vec::new();
    for (i, f) in formulas.iter().enumerate() {
        let Some(e) = f else { continue };
        refs.clear();
        e.refs(&mut refs);
        refs.sort_unstable();
        refs.dedup();
        for r in &refs {
            readers[r.ix()].push(FieldId(i as u32));
            if formulas[r.ix()].is_some() {
                pending[i] += 1;
            }
        }
    }
    let mut ready: std::collections::VecDeque<FieldId> = (0..n)
        .filter(|&i| formulas[i].is_some() && pending[i] == 0)
        .map(|i| FieldId(i as u32))
        .collect();
    let mut order = Vec::new();
    while let Some(id) = ready.pop_front() {
        order.push(id);
        for r in &readers[id.ix()] {
            pending[r.ix()] -= 1;
            if pending[r.ix()] == 0 {
                ready.push_back(*r);
            }
        }
    }
    let calculated = formulas.iter().filter(|f| f.is_some()).count();
    if order.len() < calculated {
        return Err(cycle_message(layout, formulas, &pending));
    }
    let mut rank = vec![u32::MAX; n];
    for (i, id) in order.iter().enumerate() {
        rank[id.ix()] = i as u32;
    }
    Ok((order, rank, readers))
}

/// Names the cells of one cycle among the fields Kahn's algorithm left.
fn cycle_message(layout: &Layout, formulas: &[Option<Expr>], pending: &[u32]) -> String {
    let stuck = |i: usize| formulas[i].is_some() && pending[i] > 0;
    let Some(start) = (0..formulas.len()).find(|&i| stuck(i)) else {
        return "formulas form a cycle".into();
    };
    // Walk from a stuck field through stuck references until one repeats.
    let mut path = vec![start];
    let mut seen = FxHashSet::default();
    seen.insert(start);
    let mut refs = Vec::new();
    loop {
        let cur = *path.last().unwrap_or(&start);
        refs.clear();
        if let Some(e) = &formulas[cur] {
            e.refs(&mut refs);
        }
        let Some(next) = refs.iter().map(|r| r.ix()).find(|&r| stuck(r)) else {
            break;
        };
        if !seen.insert(next) {
            let from = path.iter().position(|&p| p == next).unwrap_or(0);
            path.drain(..from);
            path.push(next);
            break;
        }
        path.push(next);
    }
    let names: Vec<String> = path
        .iter()
        .map(|&i| place_text(layout, &layout.fields[i]))
        .collect();
    format!("formulas form a cycle: {}", names.join(" → "))
}

/// One bid's values, evaluated.
#[derive(Debug, Clone)]
pub struct Evaluation<'f> {
    form: &'f Form,
    vals: Vec<Val>,
    /// `default` fields the actuary overwrote.
    overridden: FxHashSet<FieldId>,
    /// What each overwritten `default` field's formula gives.
    default_formula: FxHashMap<FieldId, Val>,
    /// Calculated fields held at a given value ([`Self::pin`]).
    pinned: FxHashSet<FieldId>,
}

impl<'f> Evaluation<'f> {
    /// The blank form: entered fields hold their pre-populated values,
    /// calculated fields are not computed yet (call [`Self::recalc_all`]).
    pub fn new(form: &'f Form) -> Self {
        Evaluation {
            form,
            vals: form.prepopulated.clone(),
            overridden: FxHashSet::default(),
            default_formula: FxHashMap::default(),
            pinned: FxHashSet::default(),
        }
    }

    /// Holds a field at `v` whatever its formula gives (a what-if: a figure
    /// given rather than computed, as Appendix E's options give the
    /// announced benchmark). An entered field simply takes `v`. Call
    /// [`Self::recalc_from`] with the field afterwards so what reads it
    /// follows.
    pub fn pin(&mut self, id: FieldId, v: Val) {
        if self.form.formulas[id.ix()].is_some() {
            self.pinned.insert(id);
            self.default_formula.remove(&id);
        }
        self.vals[id.ix()] = v;
    }

    /// Lets a pinned field's formula decide again (call
    /// [`Self::recalc_from`] with it afterwards).
    pub fn unpin(&mut self, id: FieldId) {
        self.pinned.remove(&id);
    }

    /// Whether a field is pinned.
    pub fn is_pinned(&self, id: FieldId) -> bool {
        self.pinned.contains(&id)
    }

    /// Enters the value of a field as a bid holds it.
    ///
    /// * `input`/`cms` fields: the value; a blank takes the field's
    ///   pre-populated value, as the blank form holds it.
    /// * `default` fields: a number overwrites the default formula (the
    ///   actuary's figure); anything else leaves the formula in charge.
    /// * `calc` fields: ignored (their formulas decide).
    ///
    /// Call [`Self::recalc_all`] or [`Self::recalc_from`] afterwards.
    pub fn set_entered(&mut self, id: FieldId, v: Val) {
        match self.form.roles[id.ix()] {
            Role::Input | Role::Cms => {
                self.vals[id.ix()] = if v == Val::Blank {
                    self.form.prepopulated[id.ix()].clone()
                } else {
                    v
                };
            }
            Role::Default => {
                if let Val::Num(_) = v {
                    self.overridden.insert(id);
                    self.vals[id.ix()] = v;
                } else {
                    self.overridden.remove(&id);
                }
            }
            Role::Calc => {}
        }
    }

    /// A bid's values by string id (the edge to the reader): numbers, text,
    /// dates (as Excel serial numbers) and invalid content (an error value
    /// such as `#DIV/0!` stays that error; other content is the text found).
    /// Ids the form lacks are ignored. Every calculated field is computed.
    pub fn from_values(form: &'f Form, values: &Values) -> Self {
        let mut ev = Evaluation::new(form);
        for (id, v) in values.iter_unordered() {
            if let Some(fid) = form.id(id) {
                ev.set_entered(fid, val_of(v));
            }
        }
        ev.recalc_all();
        ev
    }

    fn compute(&mut self, id: FieldId) {
        let Some(e) = &self.form.formulas[id.ix()] else {
            return;
        };
        if self.pinned.contains(&id) {
            return;
        }
        let v = eval::formula(e, &self.vals);
        if self.overridden.contains(&id) {
            self.default_formula.insert(id, v);
        } else {
            self.vals[id.ix()] = v;
        }
    }

    /// Computes every calculated field, in order.
    pub fn recalc_all(&mut self) {
        self.default_formula.clear();
        for &id in &self.form.order {
            self.compute(id);
        }
    }

    /// Recomputes only the calculated fields downstream of `changed` (after
    /// [`Self::set_entered`] on them), in order. Returns how many fields
    /// were recomputed.
    pub fn recalc_from(&mut self, changed: &[FieldId]) -> usize {
        let mut marked = FxHashSet::default();
        let mut stack: Vec<FieldId> = changed.to_vec();
        for c in changed {
            if self.form.rank[c.ix()] != u32::MAX {
                marked.insert(*c);
            }
        }
        // A pinned field does not change unless it is one of `changed`:
        // what reads it is recomputed only if it reads something else that
        // changed.
        while let Some(id) = stack.pop() {
            for r in &self.form.readers[id.ix()] {
                if marked.insert(*r) && !self.pinned.contains(r) {
                    stack.push(*r);
                }
            }
        }
        let mut todo: Vec<FieldId> = marked.into_iter().collect();
        todo.retain(|id| !self.pinned.contains(id));
        todo.sort_unstable_by_key(|id| self.form.rank[id.ix()]);
        for &id in &todo {
            self.compute(id);
        }
        todo.len()
    }

    /// The current value of a field.
    pub fn get(&self, id: FieldId) -> &Val {
        &self.vals[id.ix()]
    }

    /// Every field's value, indexed by field id.
    pub fn values(&self) -> &[Val] {
        &self.vals
    }

    /// What an overwritten `default` field's formula gives (`None` when the
    /// field was not overwritten: its value is the formula's).
    pub fn default_formula(&self, id: FieldId) -> Option<&Val> {
        self.default_formula.get(&id)
    }

    /// The unrounded value of a field whose formula is `ROUND(x, n)`: `x`
    /// as a number (to explain a rounding-boundary difference).
    pub fn unrounded(&self, id: FieldId) -> Option<Decimal> {
        match self.form.formula(id)? {
            Expr::Call(parser::Func::Round, args) => eval::eval(&args[0], &self.vals).to_num().ok(),
            _ => None,
        }
    }

    /// What a `default` field's formula gives, whether or not the actuary
    /// overwrote the cell (`None` for other fields).
    pub fn default_value(&self, id: FieldId) -> Option<&Val> {
        if self.form.roles[id.ix()] != Role::Default {
            return None;
        }
        self.default_formula.get(&id).or(Some(&self.vals[id.ix()]))
    }

    /// The value of a field as the rest of `bpt` holds values, and as the
    /// reader takes the cell back from a saved workbook: a number (in a
    /// `text` or `choice` field, its digits as text), text (the empty text
    /// is blank), `TRUE`/`FALSE` as text, an error as invalid content at
    /// the field's cell.
    pub fn value(&self, id: FieldId) -> Value {
        match &self.vals[id.ix()] {
            Val::Blank => Value::Empty,
            Val::Num(d) if matches!(self.form.kinds[id.ix()], Kind::Text | Kind::Choice) => {
                Value::Text(value::number_text(*d))
            }
            Val::Num(d) => Value::Number(*d),
            Val::Text(s) if s.is_empty() => Value::Empty,
            Val::Text(s) => Value::Text(s.to_string()),
            Val::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
            Val::Err(e) => {
                let (s, c) = self.form.places[id.ix()];
                Value::Invalid(Invalid {
                    sheet: self.form.sheets[s as usize].clone(),
                    cell: c.to_string(),
                    raw: e.as_str().to_string(),
                    expected: self.form.kinds[id.ix()].expected().to_string(),
                    original: None,
                })
            }
        }
    }

    /// Every calculated value by string id, with the unrounded values and
    /// the `default` formulas' results.
    pub fn recalc(&self) -> Recalc {
        let mut pre_round = std::collections::BTreeMap::new();
        let mut defaults = std::collections::BTreeMap::new();
        for &id in &self.form.order {
            if let Some(d) = self.unrounded(id) {
                pre_round.insert(self.form.name(id).to_string(), d);
            }
            if let Some(Val::Num(d)) = self.default_value(id) {
                defaults.insert(self.form.name(id).to_string(), *d);
            }
        }
        Recalc {
            values: self.calculated(),
            pre_round,
            defaults,
        }
    }

    /// Every calculated field's value by string id (blank ones left out).
    pub fn calculated(&self) -> Values {
        let mut out = Values::with_capacity(self.form.order.len());
        for &id in &self.form.order {
            let v = self.value(id);
            if !v.is_empty() {
                out.set(self.form.name(id), v);
            }
        }
        out
    }
}

/// A number read from a file as `f64`, as the exact decimal of its shortest
/// round-trip text (`#NUM!` beyond `rust_decimal`'s range).
fn f64_val(f: f64) -> Val {
    let t = f.to_string();
    Decimal::from_str(&t)
        .or_else(|_| Decimal::from_scientific(&t))
        .map_or(Val::Err(XlError::Num), Val::Num)
}

/// A value read from a bid, as a formula sees it.
pub fn val_of(v: &Value) -> Val {
    match v {
        Value::Empty => Val::Blank,
        Value::Number(d) => Val::Num(*d),
        Value::Text(s) => Val::text(s),
        Value::Date(d) => match chrono::NaiveDate::from_ymd_opt(1899, 12, 30) {
            Some(epoch) => Val::Num(Decimal::from((*d - epoch).num_days())),
            None => Val::Err(XlError::Value),
        },
        // The cell's own content when it was not text: `TRUE` in a money
        // cell is the boolean, a number in a whole-number cell the number.
        Value::Invalid(i) => match i.original {
            Some(Original::Bool(b)) => Val::Bool(b),
            Some(Original::Number(f) | Original::DateSerial(f)) => f64_val(f),
            None => XlError::parse(&i.raw).map_or_else(|| Val::text(&i.raw), Val::Err),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

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
[[sheet.field]]
id = "s1.d"
cell = "D4"
label = "D"
kind = "money"
role = "default"
formula = "{s1.x}*2"
[[sheet.field]]
id = "s1.c"
cell = "D5"
label = "C"
kind = "text"
role = "cms"
value = "Low"
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
formula = "{s1.t.v}*{s1.d}+IF({s1.c}=\"low\",1,0)"
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

    fn mini() -> Form {
        Form::compile(&Layout::from_toml(MINI).unwrap()).unwrap()
    }

    #[test]
    fn compiles_references_to_field_ids_and_orders_them() {
        let f = mini();
        let id = |s: &str| f.id(s).unwrap();
        // `{s1.t.w[*]}` spans rows a..r: w has no field on row r (blank).
        let Some(Expr::Binary(_, sum, _)) = f.formula(id("s2.y")) else {
            panic!()
        };
        assert_eq!(
            **sum,
            Expr::Call(
                parser::Func::Sum,
                vec![Expr::Range(
                    vec![Some(id("s1.t.w[a]")), Some(id("s1.t.w[b]")), None].into()
                )]
                .into()
            )
        );
        let pos = |s: &str| f.order().iter().position(|x| *x == id(s)).unwrap();
        assert!(pos("s1.d") < pos("s1.t.w[a]"));
        assert!(pos("s1.t.w[b]") < pos("s2.y"));
        assert!(pos("s1.t.v[s]") < pos("s2.y"));
        assert_eq!(f.address(id("s2.y")), "S2!B2");
    }

    #[test]
    fn evaluates_defaults_prepopulated_and_incrementally() {
        let f = mini();
        let id = |s: &str| f.id(s).unwrap();
        let mut ev = Evaluation::new(&f);
        ev.set_entered(id("s1.x"), Val::Num(dec!(3)));
        ev.set_entered(id("s1.t.v[a]"), Val::Num(dec!(1)));
        ev.set_entered(id("s1.t.v[b]"), Val::Num(dec!(2)));
        ev.set_entered(id("s1.t.v[r]"), Val::Num(dec!(4)));
        ev.recalc_all();
        // w = v*6 + 1 (the CMS cell is blank: its pre-populated "Low").
        assert_eq!(ev.get(id("s1.t.w[a]")), &Val::Num(dec!(7)));
        assert_eq!(ev.get(id("s1.t.v[s]")), &Val::Num(dec!(7)));
        assert_eq!(ev.get(id("s1.t.v[u]")), &Val::Num(dec!(3)));
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(27)));
        // The actuary overwrites the default: the formula's value is kept apart.
        ev.set_entered(id("s1.d"), Val::Num(dec!(10)));
        let n = ev.recalc_from(&[id("s1.d")]);
        assert_eq!(n, 4, "d, w[a], w[b], y");
        assert_eq!(ev.get(id("s1.d")), &Val::Num(dec!(10)));
        assert_eq!(ev.default_formula(id("s1.d")), Some(&Val::Num(dec!(6))));
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(39)));
        // Only what is downstream of r: the total s and y.
        ev.set_entered(id("s1.t.v[r]"), Val::Num(dec!(0)));
        assert_eq!(ev.recalc_from(&[id("s1.t.v[r]")]), 2);
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(35)));
        // Typed text is compared as Excel does: not trimmed.
        ev.set_entered(id("s1.c"), Val::text("Low "));
        ev.recalc_from(&[id("s1.c")]);
        assert_eq!(ev.get(id("s1.t.w[a]")), &Val::Num(dec!(10)));
        // A whole recalculation gives the same values as the incremental one.
        let mut full = ev.clone();
        full.recalc_all();
        assert_eq!(full.values(), ev.values());
        assert_eq!(full.value(id("s1.x")), Value::Number(dec!(3)));
    }

    #[test]
    fn a_pinned_field_holds_and_only_its_readers_follow() {
        let f = mini();
        let id = |s: &str| f.id(s).unwrap();
        let mut ev = Evaluation::new(&f);
        ev.set_entered(id("s1.x"), Val::Num(dec!(3)));
        ev.set_entered(id("s1.t.v[a]"), Val::Num(dec!(1)));
        ev.recalc_all();
        assert_eq!(ev.get(id("s1.t.w[a]")), &Val::Num(dec!(7)));
        // Pin the calculated total `s` (SUM of v): only y reads it.
        ev.pin(id("s1.t.v[s]"), Val::Num(dec!(100)));
        assert_eq!(ev.recalc_from(&[id("s1.t.v[s]")]), 1, "y only");
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(108)));
        // A change upstream of the pin does not move it.
        ev.set_entered(id("s1.t.v[b]"), Val::Num(dec!(2)));
        assert_eq!(ev.recalc_from(&[id("s1.t.v[b]")]), 3, "u, w[b], y; s held");
        assert_eq!(ev.get(id("s1.t.v[s]")), &Val::Num(dec!(100)));
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(120)));
        // Pinning the default `d` is the same as the actuary's figure.
        ev.pin(id("s1.d"), Val::Num(dec!(1)));
        ev.recalc_from(&[id("s1.d")]);
        assert_eq!(ev.get(id("s1.t.w[a]")), &Val::Num(dec!(2)));
        // Unpinned, the formulas decide again.
        ev.unpin(id("s1.t.v[s]"));
        ev.unpin(id("s1.d"));
        ev.recalc_from(&[id("s1.t.v[s]"), id("s1.d")]);
        assert_eq!(ev.get(id("s1.t.v[s]")), &Val::Num(dec!(3)));
        let mut full = ev.clone();
        full.recalc_all();
        assert_eq!(full.values(), ev.values());
        assert_eq!(ev.get(id("s2.y")), &Val::Num(dec!(23)));
    }

    #[test]
    fn a_cycle_is_a_template_error_naming_its_cells() {
        let bad = MINI.replace("formula = \"{s1.x}*2\"", "formula = \"{s2.y}*2\"");
        let e = Form::compile(&Layout::from_toml(&bad).unwrap()).unwrap_err();
        assert!(e.starts_with("formulas form a cycle: "), "{e}");
        for cell in ["s1.d (S1!D4)", "s2.y (S2!B2)", "s1.t.w[a] (S1!F10)"] {
            assert!(e.contains(cell), "{e}");
        }
    }

    #[test]
    fn parse_errors_name_the_field() {
        let bad = MINI.replace("{s1.x}*2", "{s1.x}*");
        let e = Form::compile(&Layout::from_toml(&bad).unwrap()).unwrap_err();
        assert_eq!(
            e,
            "field s1.d (S1!D4): formula `{s1.x}*`: formula ends early at 8"
        );
    }

    #[test]
    fn shipped_templates_compile() {
        for l in crate::template::all_builtin().unwrap() {
            let f = Form::compile(&l).unwrap();
            let calculated = l.fields.iter().filter(|f| f.role.is_calculated()).count();
            assert_eq!(f.order().len(), calculated, "{}", l.form.id);
        }
    }
}
