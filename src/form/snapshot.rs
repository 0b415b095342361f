//! A compiled [`Form`] as bytes, for the cache of shipped templates
//! ([`crate::template::cache`]).
//!
//! Only what compiling costs is stored: the parsed formulas, the evaluation
//! order and each field's readers. The numbering of the fields (ids,
//! sheets, places, pre-populated values) is taken again from the layout,
//! which costs little. Everything read back is checked before it is used:
//! every field id in range, every function called with an argument count
//! the parser allows, the order a permutation of the calculated fields. A
//! snapshot that fails a check is not used (the form is compiled instead),
//! so nothing in it can make the evaluator index out of bounds.

use super::parser::{BinOp, Expr, Func};
use super::{FieldId, Form, number};
use crate::template::Layout;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An [`Expr`] as stored (decimals as mantissa and scale).
#[derive(Serialize, Deserialize)]
enum ExprSnap {
    Number(i128, u32),
    Text(String),
    Bool(bool),
    Cell(u32),
    BlankCell,
    Range(Vec<Option<u32>>),
    Neg(Box<ExprSnap>),
    Percent(Box<ExprSnap>),
    Binary(BinOp, Box<ExprSnap>, Box<ExprSnap>),
    Call(Func, Vec<ExprSnap>),
}

#[derive(Serialize, Deserialize)]
struct FormSnap {
    /// The number of fields, to check against the layout's.
    fields: u32,
    formulas: Vec<Option<ExprSnap>>,
    order: Vec<u32>,
    readers: Vec<Vec<u32>>,
}

/// Deepest formula read back (the parser makes none deeper than this from
/// the shipped templates; a deeper one is not trusted).
const MAX_DEPTH: usize = 200;

fn expr_snap(e: &Expr) -> ExprSnap {
    match e {
        Expr::Number(d) => ExprSnap::Number(d.mantissa(), d.scale()),
        Expr::Text(t) => ExprSnap::Text(t.to_string()),
        Expr::Bool(b) => ExprSnap::Bool(*b),
        Expr::Cell(id) => ExprSnap::Cell(id.0),
        Expr::BlankCell => ExprSnap::BlankCell,
        Expr::Range(r) => ExprSnap::Range(r.iter().map(|c| c.map(|id| id.0)).collect()),
        Expr::Neg(a) => ExprSnap::Neg(Box::new(expr_snap(a))),
        Expr::Percent(a) => ExprSnap::Percent(Box::new(expr_snap(a))),
        Expr::Binary(op, a, b) => {
            ExprSnap::Binary(*op, Box::new(expr_snap(a)), Box::new(expr_snap(b)))
        }
        Expr::Call(f, args) => ExprSnap::Call(*f, args.iter().map(expr_snap).collect()),
    }
}

/// The expression back, or `None` when it names a field that is not one
/// of the `n`, calls a function with a count of arguments it does not
/// take, or nests deeper than [`MAX_DEPTH`].
fn expr_of(e: ExprSnap, n: u32, depth: usize) -> Option<Expr> {
    if depth > MAX_DEPTH {
        return None;
    }
    let id = |i: u32| (i < n).then_some(FieldId(i));
    let sub = |a: Box<ExprSnap>| expr_of(*a, n, depth + 1).map(Box::new);
    Some(match e {
        ExprSnap::Number(m, s) => Expr::Number(Decimal::try_from_i128_with_scale(m, s).ok()?),
        ExprSnap::Text(t) => Expr::Text(t.into()),
        ExprSnap::Bool(b) => Expr::Bool(b),
        ExprSnap::Cell(i) => Expr::Cell(id(i)?),
        ExprSnap::BlankCell => Expr::BlankCell,
        ExprSnap::Range(r) => Expr::Range(
            r.into_iter()
                .map(|c| match c {
                    None => Some(None),
                    Some(i) => id(i).map(Some),
                })
                .collect::<Option<_>>()?,
        ),
        ExprSnap::Neg(a) => Expr::Neg(sub(a)?),
        ExprSnap::Percent(a) => Expr::Percent(sub(a)?),
        ExprSnap::Binary(op, a, b) => Expr::Binary(op, sub(a)?, sub(b)?),
        ExprSnap::Call(f, args) => {
            let (lo, hi) = f.arity();
            if args.len() < lo || args.len() > hi {
                return None;
            }
            Expr::Call(
                f,
                args.into_iter()
                    .map(|a| expr_of(a, n, depth + 1))
                    .collect::<Option<_>>()?,
            )
        }
    })
}

/// The bytes of a compiled form.
pub(crate) fn encode(form: &Form) -> Option<Vec<u8>> {
    let snap = FormSnap {
        fields: u32::try_from(form.len()).ok()?,
        formulas: form
            .formulas
            .iter()
            .map(|f| f.as_ref().map(expr_snap))
            .collect(),
        order: form.order.iter().map(|id| id.0).collect(),
        readers: form
            .readers
            .iter()
            .map(|r| r.iter().map(|id| id.0).collect())
            .collect(),
    };
    postcard::to_allocvec(&snap).ok()
}

/// The compiled form of `layout` from [`encode`]'s bytes, or `None` when
/// they do not decode or fail a check (see the module docs).
pub(crate) fn decode(bytes: &[u8], layout: &Layout) -> Option<Form> {
    let snap: FormSnap = postcard::from_bytes(bytes).ok()?;
    let numbering = number(layout).ok()?;
    let n = u32::try_from(layout.fields.len()).ok()?;
    if snap.fields != n
        || snap.formulas.len() != layout.fields.len()
        || snap.readers.len() != layout.fields.len()
    {
        return None;
    }
    let formulas: Vec<Option<Expr>> = snap
        .formulas
        .into_iter()
        .map(|f| match f {
            None => Some(None),
            Some(e) => expr_of(e, n, 0).map(Some),
        })
        .collect::<Option<_>>()?;
    // The order: each calculated field exactly once.
    let mut rank = vec![u32::MAX; formulas.len()];
    let mut order = Vec::with_capacity(snap.order.len());
    for (pos, i) in snap.order.into_iter().enumerate() {
        let slot = rank.get_mut(i as usize)?;
        if *slot != u32::MAX || formulas[i as usize].is_none() {
            return None;
        }
        *slot = u32::try_from(pos).ok()?;
        order.push(FieldId(i));
    }
    if order.len() != formulas.iter().filter(|f| f.is_some()).count() {
        return None;
    }
    let readers = snap
        .readers
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|i| (i < n).then_some(FieldId(i)))
                .collect::<Option<Vec<_>>>()
        })
        .collect::<Option<_>>()?;
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

    #[test]
    fn a_damaged_snapshot_is_refused_not_trusted() {
        let layout = crate::template::builtin("msa-bpt-2013").unwrap();
        let form = Form::compile(&layout).unwrap();
        let good = encode(&form).unwrap();
        // Cut short: does not decode.
        assert!(decode(&good[..good.len() / 2], &layout).is_none());
        // Another layout (fewer fields): refused.
        let other = crate::template::builtin("ma-bpt-2013").unwrap();
        assert!(decode(&good, &other).is_none());
        // A reference past the last field, an order with a field twice, a
        // call with too few arguments: each refused.
        let n = u32::try_from(form.len()).unwrap();
        let mut snap: FormSnap = postcard::from_bytes(&good).unwrap();
        let first = snap.formulas.iter().position(Option::is_some).unwrap();
        snap.formulas[first] = Some(ExprSnap::Cell(n));
        assert!(decode(&postcard::to_allocvec(&snap).unwrap(), &layout).is_none());
        let mut snap: FormSnap = postcard::from_bytes(&good).unwrap();
        let o = snap.order[0];
        snap.order[1] = o;
        assert!(decode(&postcard::to_allocvec(&snap).unwrap(), &layout).is_none());
        let mut snap: FormSnap = postcard::from_bytes(&good).unwrap();
        snap.formulas[first] = Some(ExprSnap::Call(Func::Round, vec![ExprSnap::Bool(true)]));
        assert!(decode(&postcard::to_allocvec(&snap).unwrap(), &layout).is_none());
        // A scale no decimal has.
        let mut snap: FormSnap = postcard::from_bytes(&good).unwrap();
        snap.formulas[first] = Some(ExprSnap::Number(1, 99));
        assert!(decode(&postcard::to_allocvec(&snap).unwrap(), &layout).is_none());
    }
}
