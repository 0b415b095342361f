//! A compiled [`Form`] as bytes, for the cache of shipped templates
//! ([`crate::template::cache`]).
//!
//! Only what compiling costs is stored: the parsed formulas, the evaluation
//! order and each field's readers. The numbering of the fields (ids,
//! sheets, places, pre-populated values) is taken again from the layout,
//! which costs little.
//!
//! The encoding is this module's own (LEB128 numbers, one tag byte per
//! formula node), read straight into the evaluator's [`Expr`]: reading the
//! formulas back through a serde mirror of the AST and converting it node
//! by node cost a one-shot `bpt validate` a fifth of its instructions
//! (BENCHMARKS.md). Everything read back is checked as it is read: every
//! field id in range, every function called with an argument count the
//! parser allows, no formula nested deeper than [`MAX_DEPTH`] (checked
//! before descending, so no input can exhaust the stack), the order a
//! permutation of the calculated fields, every byte used. A snapshot that
//! fails a check is not used (the form is compiled instead), so nothing in
//! it can make the evaluator index out of bounds.

use super::parser::{BinOp, Expr, Func};
use super::{FieldId, Form, number};
use crate::template::Layout;
use rust_decimal::Decimal;

/// Deepest formula read back (the parser makes none deeper than this from
/// the shipped templates; a deeper one is not trusted).
const MAX_DEPTH: usize = 200;

/// The operators and functions by their code in the encoding (a variant
/// missing here is a form that is not cached, never a wrong one).
const BINOPS: [BinOp; 12] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
    BinOp::Pow,
    BinOp::Concat,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
];
const FUNCS: [Func; 14] = [
    Func::If,
    Func::Sum,
    Func::Round,
    Func::SumProduct,
    Func::SumIf,
    Func::Max,
    Func::Min,
    Func::And,
    Func::Or,
    Func::Value,
    Func::Sqrt,
    Func::IsBlank,
    Func::IfError,
    Func::Choose,
];

/// Tags of the formula nodes (0: a field with no formula).
mod tag {
    pub const NONE: u8 = 0;
    pub const NUMBER: u8 = 1;
    pub const TEXT: u8 = 2;
    pub const FALSE: u8 = 3;
    pub const TRUE: u8 = 4;
    pub const CELL: u8 = 5;
    pub const BLANK_CELL: u8 = 6;
    pub const RANGE: u8 = 7;
    pub const NEG: u8 = 8;
    pub const PERCENT: u8 = 9;
    pub const BINARY: u8 = 10;
    pub const CALL: u8 = 11;
}

/// Bytes being written.
#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, b: u8) {
        self.0.push(b);
    }

    /// A number, LEB128.
    pub(crate) fn var(&mut self, mut v: u128) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(low);
                return;
            }
            self.0.push(low | 0x80);
        }
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.var(n as u128);
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
}

/// Bytes being read: every read is `None` past the end or on a malformed
/// number.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    #[inline]
    pub(crate) fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A LEB128 number of at most 128 bits.
    #[inline]
    pub(crate) fn var(&mut self) -> Option<u128> {
        // Most numbers are one byte.
        if let Some((&b, rest)) = self.0.split_first()
            && b < 0x80
        {
            self.0 = rest;
            return Some(b.into());
        }
        self.var_long()
    }

    fn var_long(&mut self) -> Option<u128> {
        let mut v = 0u128;
        let mut shift = 0u32;
        loop {
            let b = self.u8()?;
            let bits = u128::from(b & 0x7f);
            // The last of 19 bytes holds 2 bits of the 128.
            if shift == 126 && bits > 3 {
                return None;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift > 126 {
                return None;
            }
        }
    }

    /// A LEB128 number of at most 64 bits as an index.
    #[inline(always)]
    pub(crate) fn index(&mut self) -> Option<usize> {
        if let Some((&b, rest)) = self.0.split_first()
            && b < 0x80
        {
            self.0 = rest;
            return Some(b.into());
        }
        usize::try_from(self.var_long()?).ok()
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.index()?).ok()
    }

    /// A count of items of at least one byte each: never more than the
    /// bytes left, so no count read can make a large allocation.
    #[inline]
    pub(crate) fn count(&mut self) -> Option<usize> {
        self.index().filter(|&n| n <= self.0.len())
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.count()?;
        let (b, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(b)
    }
}

fn expr(w: &mut Writer, e: &Expr) -> Option<()> {
    match e {
        Expr::Number(d) => {
            w.u8(tag::NUMBER);
            let m = d.mantissa();
            // Zigzag: small negative mantissas stay short.
            w.var(((m << 1) ^ (m >> 127)) as u128);
            w.u8(u8::try_from(d.scale()).ok()?);
        }
        Expr::Text(t) => {
            w.u8(tag::TEXT);
            w.bytes(t.as_bytes());
        }
        Expr::Bool(b) => w.u8(if *b { tag::TRUE } else { tag::FALSE }),
        Expr::Cell(id) => {
            w.u8(tag::CELL);
            w.var(id.0.into());
        }
        Expr::BlankCell => w.u8(tag::BLANK_CELL),
        Expr::Range(r) => {
            w.u8(tag::RANGE);
            w.len(r.len());
            for c in r {
                w.var(c.map_or(0, |id| u128::from(id.0) + 1));
            }
        }
        Expr::Neg(a) => {
            w.u8(tag::NEG);
            expr(w, a)?;
        }
        Expr::Percent(a) => {
            w.u8(tag::PERCENT);
            expr(w, a)?;
        }
        Expr::Binary(op, a, b) => {
            w.u8(tag::BINARY);
            w.u8(u8::try_from(BINOPS.iter().position(|o| o == op)?).ok()?);
            expr(w, a)?;
            expr(w, b)?;
        }
        Expr::Call(f, args) => {
            w.u8(tag::CALL);
            w.u8(u8::try_from(FUNCS.iter().position(|g| g == f)?).ok()?);
            w.len(args.len());
            for a in args {
                expr(w, a)?;
            }
        }
    }
    Some(())
}

/// The expression whose tag is `t` (already read), or `None` when it names
/// a field that is not one of the `n`, calls a function with a count of
/// arguments it does not take, nests deeper than [`MAX_DEPTH`] or does not
/// decode.
fn expr_of(r: &mut Reader<'_>, t: u8, n: u32, depth: usize) -> Option<Expr> {
    if depth > MAX_DEPTH {
        return None;
    }
    let id = |i: u32| (i < n).then_some(FieldId(i));
    let sub = |r: &mut Reader<'_>| next(r, n, depth + 1);
    Some(match t {
        tag::NUMBER => {
            let z = r.var()?;
            let m = ((z >> 1) as i128) ^ -((z & 1) as i128);
            Expr::Number(Decimal::try_from_i128_with_scale(m, r.u8()?.into()).ok()?)
        }
        tag::TEXT => Expr::Text(std::str::from_utf8(r.bytes()?).ok()?.into()),
        tag::FALSE => Expr::Bool(false),
        tag::TRUE => Expr::Bool(true),
        tag::CELL => Expr::Cell(id(r.u32()?)?),
        tag::BLANK_CELL => Expr::BlankCell,
        tag::RANGE => {
            let len = r.count()?;
            let mut cells = Vec::with_capacity(len);
            for _ in 0..len {
                cells.push(match r.u32()? {
                    0 => None,
                    i => Some(id(i - 1)?),
                });
            }
            Expr::Range(cells.into())
        }
        tag::NEG => Expr::Neg(Box::new(sub(r)?)),
        tag::PERCENT => Expr::Percent(Box::new(sub(r)?)),
        tag::BINARY => {
            let op = *BINOPS.get(usize::from(r.u8()?))?;
            let a = sub(r)?;
            Expr::Binary(op, Box::new(a), Box::new(sub(r)?))
        }
        tag::CALL => {
            let f = *FUNCS.get(usize::from(r.u8()?))?;
            let len = r.count()?;
            let (lo, hi) = f.arity();
            if len < lo || len > hi {
                return None;
            }
            let mut args = Vec::with_capacity(len);
            for _ in 0..len {
                args.push(sub(r)?);
            }
            Expr::Call(f, args.into())
        }
        _ => return None,
    })
}

/// The expression next in `r` (its tag first), at `depth`.
fn next(r: &mut Reader<'_>, n: u32, depth: usize) -> Option<Expr> {
    let t = r.u8()?;
    expr_of(r, t, n, depth)
}

/// The bytes of a compiled form.
pub(crate) fn encode(form: &Form) -> Option<Vec<u8>> {
    let mut w = Writer::default();
    w.len(form.len());
    for f in &form.formulas {
        match f {
            None => w.u8(tag::NONE),
            Some(e) => expr(&mut w, e)?,
        }
    }
    w.len(form.order.len());
    for id in &form.order {
        w.var(id.0.into());
    }
    for r in &form.readers {
        w.len(r.len());
        for id in r {
            w.var(id.0.into());
        }
    }
    Some(w.0)
}

/// The compiled form of `layout` from [`encode`]'s bytes, or `None` when
/// they do not decode or fail a check (see the module docs).
pub(crate) fn decode(bytes: &[u8], layout: &Layout) -> Option<Form> {
    let mut r = Reader(bytes);
    let len = layout.fields.len();
    let n = u32::try_from(len).ok()?;
    if r.u32()? != n {
        return None;
    }
    let mut formulas: Vec<Option<Expr>> = Vec::with_capacity(len);
    for _ in 0..len {
        formulas.push(match r.u8()? {
            tag::NONE => None,
            t => Some(expr_of(&mut r, t, n, 0)?),
        });
    }
    // The order: each calculated field exactly once.
    let calculated = formulas.iter().filter(|f| f.is_some()).count();
    if r.count()? != calculated {
        return None;
    }
    let mut rank = vec![u32::MAX; len];
    let mut order = Vec::with_capacity(calculated);
    for pos in 0..calculated {
        let i = r.u32()?;
        let slot = rank.get_mut(i as usize)?;
        if *slot != u32::MAX || formulas[i as usize].is_none() {
            return None;
        }
        *slot = u32::try_from(pos).ok()?;
        order.push(FieldId(i));
    }
    let mut readers = Vec::with_capacity(len);
    for _ in 0..len {
        let k = r.count()?;
        let mut v = Vec::with_capacity(k);
        for _ in 0..k {
            let i = r.u32()?;
            v.push((i < n).then_some(FieldId(i))?);
        }
        readers.push(v);
    }
    if !r.0.is_empty() {
        return None;
    }
    let numbering = number(layout).ok()?;
    Some(Form::assemble(
        layout, numbering, formulas, order, rank, readers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part of a form, to compare two.
    fn parts(f: &Form) -> String {
        let mut index: Vec<_> = f.index.iter().map(|(k, v)| (k.clone(), v.0)).collect();
        index.sort();
        format!(
            "{} {:?} {index:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
            f.template,
            f.ids,
            f.roles,
            f.kinds,
            f.sheets,
            f.places,
            f.prepopulated,
            f.formulas,
            f.order,
            f.rank,
            f.readers,
            serde_json::to_string(&f.facts).unwrap()
        )
    }

    #[test]
    fn a_shipped_form_reads_back_as_compiled() {
        for (id, _) in crate::template::BUILTIN {
            let layout = crate::template::builtin(id).unwrap();
            let form = Form::compile(&layout).unwrap();
            let bytes = encode(&form).unwrap();
            let back = decode(&bytes, &layout).unwrap();
            assert_eq!(parts(&back), parts(&form), "{id}");
        }
    }

    /// One expression's bytes read back against a form of `n` fields.
    fn one(bytes: &[u8], n: u32) -> Option<Expr> {
        let mut r = Reader(bytes);
        let e = next(&mut r, n, 0)?;
        r.0.is_empty().then_some(e)
    }

    fn bytes_of(e: &Expr) -> Vec<u8> {
        let mut w = Writer::default();
        expr(&mut w, e).unwrap();
        w.0
    }

    #[test]
    fn every_kind_of_node_reads_back() {
        use rust_decimal_macros::dec;
        let e = Expr::Call(
            Func::If,
            vec![
                Expr::Binary(
                    BinOp::Ge,
                    Box::new(Expr::Neg(Box::new(Expr::Number(dec!(-12.345))))),
                    Box::new(Expr::Percent(Box::new(Expr::Cell(FieldId(6))))),
                ),
                Expr::Range(vec![Some(FieldId(0)), None, Some(FieldId(6))].into()),
                Expr::Call(
                    Func::Choose,
                    vec![Expr::Bool(true), Expr::Text("Low ".into()), Expr::BlankCell].into(),
                ),
            ]
            .into(),
        );
        assert_eq!(one(&bytes_of(&e), 7), Some(e.clone()));
        // The same against a form of 6 fields: field 6 is out of range.
        assert_eq!(one(&bytes_of(&e), 6), None);
        let big = Expr::Number(Decimal::MAX);
        assert_eq!(one(&bytes_of(&big), 1), Some(big));
        let small = Expr::Number(Decimal::MIN);
        assert_eq!(one(&bytes_of(&small), 1), Some(small));
    }

    #[test]
    fn a_damaged_snapshot_is_refused_not_trusted() {
        let layout = crate::template::builtin("msa-bpt-2013").unwrap();
        let form = Form::compile(&layout).unwrap();
        let good = encode(&form).unwrap();
        assert!(decode(&good, &layout).is_some());
        // Cut short, or with a byte more: refused.
        assert!(decode(&good[..good.len() / 2], &layout).is_none());
        assert!(decode(&good[..good.len() - 1], &layout).is_none());
        let mut long = good.clone();
        long.push(0);
        assert!(decode(&long, &layout).is_none());
        // Another layout (more fields): refused.
        let other = crate::template::builtin("ma-bpt-2013").unwrap();
        assert!(decode(&good, &other).is_none());
        // A reference past the last field, an order with a field twice: each refused.
        let n = u32::try_from(form.len()).unwrap();
        let first = form.formulas.iter().position(Option::is_some).unwrap();
        let mut bad = form.clone();
        bad.formulas[first] = Some(Expr::Cell(FieldId(n)));
        assert!(decode(&encode(&bad).unwrap(), &layout).is_none());
        let mut bad = form.clone();
        bad.order[1] = bad.order[0];
        assert!(decode(&encode(&bad).unwrap(), &layout).is_none());
        let mut bad = form.clone();
        bad.readers[first] = vec![FieldId(n)];
        assert!(decode(&encode(&bad).unwrap(), &layout).is_none());
        // A call with too few arguments, an unknown function or tag, a
        // scale no decimal has, a number of more than 128 bits: each refused.
        let round = Expr::Call(Func::Round, vec![Expr::Bool(true)].into());
        assert_eq!(one(&bytes_of(&round), 1), None);
        assert_eq!(one(&[tag::CALL, 14, 1, tag::TRUE], 1), None);
        assert_eq!(one(&[12], 1), None);
        assert_eq!(one(&[tag::NUMBER, 2, 99], 1), None);
        assert_eq!(
            one(&[tag::NUMBER, 2, 28], 1),
            Some(Expr::Number(Decimal::new(1, 28)))
        );
        let mut huge = vec![tag::CELL];
        huge.extend([0xff; 18]);
        huge.push(0x04);
        assert_eq!(one(&huge, 1), None);
        // A count larger than the bytes left: refused before allocating.
        assert_eq!(one(&[tag::RANGE, 0xff, 0xff, 0xff, 0xff, 0x0f], 1), None);
    }

    #[test]
    fn a_formula_nested_too_deep_is_refused_without_recursing_further() {
        let mut deep = vec![tag::NEG; MAX_DEPTH];
        deep.push(tag::TRUE);
        assert!(one(&deep, 1).is_some());
        // A million levels: refused at the limit, not a stack overflow.
        let mut deeper = vec![tag::NEG; 1_000_000];
        deeper.push(tag::TRUE);
        assert_eq!(one(&deeper, 1), None);
    }
}
