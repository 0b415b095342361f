//! Evaluation of a formula's AST with Excel's semantics, in exact decimals.
//!
//! Every operator and function below says how it treats blanks, text,
//! booleans and errors; `docs/evaluator.md` lists the same. Arithmetic is
//! checked: a result beyond `rust_decimal`'s range is `#NUM!`, never a panic.

use super::parser::{BinOp, Expr, Func};
use super::value::{Val, XlError, parse_number};
use rust_decimal::prelude::*;
use std::cmp::Ordering;

/// The value of a whole formula: a result that is a reference to an empty
/// cell is 0 (`=A1` with `A1` empty shows 0 in Excel).
pub fn formula(e: &Expr, vals: &[Val]) -> Val {
    match eval(e, vals) {
        Val::Blank => Val::Num(Decimal::ZERO),
        v => v,
    }
}

fn cell(vals: &[Val], id: super::FieldId) -> Val {
    vals.get(id.0 as usize)
        .cloned()
        .unwrap_or(Val::Err(XlError::Ref))
}

fn slot(vals: &[Val], id: Option<super::FieldId>) -> Val {
    id.map_or(Val::Blank, |id| cell(vals, id))
}

/// The value of an expression. A reference to an empty cell is
/// [`Val::Blank`]; a range used where one value is expected is `#VALUE!`.
pub fn eval(e: &Expr, vals: &[Val]) -> Val {
    match e {
        Expr::Number(d) => Val::Num(*d),
        Expr::Text(s) => Val::Text(s.clone()),
        Expr::Bool(b) => Val::Bool(*b),
        Expr::Cell(id) => cell(vals, *id),
        Expr::BlankCell => Val::Blank,
        Expr::Range(_) => Val::Err(XlError::Value),
        Expr::Neg(x) => neg(&eval(x, vals)),
        Expr::Percent(x) => percent(&eval(x, vals)),
        Expr::Binary(op, a, b) => binary(*op, &eval(a, vals), &eval(b, vals)),
        Expr::Call(f, args) => call(*f, args, vals),
    }
}

/// Unary minus: the operand as a number ([`Val::to_num`]: blank 0, text
/// that reads as a number, else `#VALUE!`), negated.
pub fn neg(v: &Val) -> Val {
    v.to_num().map(|d| -d).into()
}

/// Postfix `%`: the operand as a number, divided by 100.
pub fn percent(v: &Val) -> Val {
    v.to_num()
        .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED).ok_or(XlError::Num))
        .into()
}

/// A binary operator on two values.
///
/// * `+ - * /`: both operands as numbers ([`Val::to_num`]); the left
///   operand's error wins over the right's; `x/0` is `#DIV/0!`; a result out
///   of range is `#NUM!`.
/// * `^`: as above; `0^0` is `#NUM!`, `0^-n` `#DIV/0!`, a negative base with
///   a fractional exponent `#NUM!`; integer exponents are exact.
/// * `&`: both operands as text ([`Val::to_text`]).
/// * `= <> < <= > >=`: see [`compare`].
pub fn binary(op: BinOp, a: &Val, b: &Val) -> Val {
    let num2 = || -> Result<(Decimal, Decimal), XlError> { Ok((a.to_num()?, b.to_num()?)) };
    match op {
        BinOp::Add => num2()
            .and_then(|(x, y)| x.checked_add(y).ok_or(XlError::Num))
            .into(),
        BinOp::Sub => num2()
            .and_then(|(x, y)| x.checked_sub(y).ok_or(XlError::Num))
            .into(),
        BinOp::Mul => num2()
            .and_then(|(x, y)| x.checked_mul(y).ok_or(XlError::Num))
            .into(),
        BinOp::Div => num2()
            .and_then(|(x, y)| {
                if y.is_zero() {
                    Err(XlError::Div0)
                } else {
                    x.checked_div(y).ok_or(XlError::Num)
                }
            })
            .into(),
        BinOp::Pow => num2().and_then(|(x, y)| pow(x, y)).into(),
        BinOp::Concat => match (a.to_text(), b.to_text()) {
            (Err(e), _) | (_, Err(e)) => Val::Err(e),
            (Ok(x), Ok(y)) => Val::text(&format!("{x}{y}")),
        },
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            match compare(a, b) {
                Err(e) => Val::Err(e),
                Ok(o) => Val::Bool(match op {
                    BinOp::Eq => o == Ordering::Equal,
                    BinOp::Ne => o != Ordering::Equal,
                    BinOp::Lt => o == Ordering::Less,
                    BinOp::Le => o != Ordering::Greater,
                    BinOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
            }
        }
    }
}

fn pow(x: Decimal, y: Decimal) -> Result<Decimal, XlError> {
    if x.is_zero() {
        return match y.cmp(&Decimal::ZERO) {
            Ordering::Equal => Err(XlError::Num),
            Ordering::Less => Err(XlError::Div0),
            Ordering::Greater => Ok(Decimal::ZERO),
        };
    }
    if y.fract().is_zero() {
        let n = y.to_i64().ok_or(XlError::Num)?;
        if n >= 0 {
            return x.checked_powi(n).ok_or(XlError::Num);
        }
        let p = x.checked_powi(n.checked_neg().ok_or(XlError::Num)?);
        return p
            .and_then(|p| Decimal::ONE.checked_div(p))
            .ok_or(XlError::Num);
    }
    if x.is_sign_negative() {
        return Err(XlError::Num);
    }
    x.checked_powd(y).ok_or(XlError::Num)
}

/// Excel's comparison of two values.
///
/// Errors propagate (left first). A blank compares as the other side's
/// empty value: 0 against a number, `""` against text, FALSE against a
/// boolean (so a blank cell `= ""` and `= 0` are both TRUE). Values of
/// different types order numbers < text < booleans, so `"5" = 5` is FALSE.
/// Text compares case-insensitively and is *not* trimmed: `"RPPO " = "RPPO"`
/// is FALSE, `"low" = "Low"` TRUE. Numbers compare exactly.
pub fn compare(a: &Val, b: &Val) -> Result<Ordering, XlError> {
    if let Some(e) = a.err().or_else(|| b.err()) {
        return Err(e);
    }
    let empty_like = |other: &Val| match other {
        Val::Text(_) => Val::text(""),
        Val::Bool(_) => Val::Bool(false),
        _ => Val::Num(Decimal::ZERO),
    };
    let (a, b) = match (a, b) {
        (Val::Blank, Val::Blank) => return Ok(Ordering::Equal),
        (Val::Blank, o) => (empty_like(o), o.clone()),
        (o, Val::Blank) => (o.clone(), empty_like(o)),
        (x, y) => (x.clone(), y.clone()),
    };
    let rank = |v: &Val| match v {
        Val::Num(_) => 0,
        Val::Text(_) => 1,
        _ => 2,
    };
    Ok(match (&a, &b) {
        (Val::Num(x), Val::Num(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) => text_cmp(x, y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        _ => rank(&a).cmp(&rank(&b)),
    })
}

/// Case-insensitive text order (each character lower-cased).
fn text_cmp(x: &str, y: &str) -> Ordering {
    x.chars()
        .flat_map(char::to_lowercase)
        .cmp(y.chars().flat_map(char::to_lowercase))
}

/// The values of the cells an argument refers to, if it is a reference
/// (`None` for other expressions).
fn referenced(e: &Expr) -> Option<&[Option<super::FieldId>]> {
    match e {
        Expr::Range(r) => Some(r),
        _ => None,
    }
}

/// Feeds every number of a SUM/MAX/MIN argument to `f`.
///
/// A reference (a cell or a range) contributes its cells that hold numbers;
/// text, booleans and blanks in it are skipped; an error in it is the
/// result. Any other argument is converted as arithmetic converts it
/// ([`Val::to_num`]: `TRUE` 1, `"3"` 3, `"x"` `#VALUE!`).
fn numbers(
    e: &Expr,
    vals: &[Val],
    f: &mut dyn FnMut(Decimal) -> Result<(), XlError>,
) -> Result<(), XlError> {
    let from_cell = |v: Val, f: &mut dyn FnMut(Decimal) -> Result<(), XlError>| match v {
        Val::Num(d) => f(d),
        Val::Err(x) => Err(x),
        _ => Ok(()),
    };
    match e {
        Expr::Range(r) => {
            for id in r.iter() {
                from_cell(slot(vals, *id), f)?;
            }
            Ok(())
        }
        Expr::Cell(id) => from_cell(cell(vals, *id), f),
        Expr::BlankCell => Ok(()),
        other => match eval(other, vals) {
            Val::Blank => Ok(()),
            v => f(v.to_num()?),
        },
    }
}

fn call(f: Func, args: &[Expr], vals: &[Val]) -> Val {
    let arg = |i: usize| eval(&args[i], vals);
    match f {
        Func::If => if_(args, vals),
        Func::IfError => match arg(0) {
            Val::Err(_) => arg(1),
            v => v,
        },
        Func::Choose => choose(args, vals),
        Func::Sum => sum(args, vals).into(),
        Func::Max => extreme(args, vals, Ordering::Greater).into(),
        Func::Min => extreme(args, vals, Ordering::Less).into(),
        Func::Round => round_fn(&arg(0), &arg(1)),
        Func::SumProduct => sumproduct(args, vals).into(),
        Func::SumIf => sumif(args, vals).into(),
        Func::And => logical(args, vals, true),
        Func::Or => logical(args, vals, false),
        Func::Value => value_fn(&arg(0)),
        Func::Sqrt => sqrt(&arg(0)),
        Func::IsBlank => Val::Bool(matches!(arg(0), Val::Blank)),
    }
}

/// `IF(cond, then, [else])`: `cond` as a condition ([`Val::to_bool`]: blank
/// FALSE, numbers TRUE unless 0, text other than TRUE/FALSE `#VALUE!`, an
/// error is the result); only the chosen branch is evaluated; no `else`
/// gives FALSE.
fn if_(args: &[Expr], vals: &[Val]) -> Val {
    match eval(&args[0], vals).to_bool() {
        Err(e) => Val::Err(e),
        Ok(true) => eval(&args[1], vals),
        Ok(false) => args.get(2).map_or(Val::Bool(false), |e| eval(e, vals)),
    }
}

/// `CHOOSE(index, v1, v2, …)`: `index` as a number, truncated; outside
/// 1..=n it is `#VALUE!`; only the chosen value is evaluated.
fn choose(args: &[Expr], vals: &[Val]) -> Val {
    let i = match eval(&args[0], vals).to_num() {
        Ok(d) => d.trunc(),
        Err(e) => return Val::Err(e),
    };
    match i.to_usize() {
        Some(i) if i >= 1 && i < args.len() => eval(&args[i], vals),
        _ => Val::Err(XlError::Value),
    }
}

/// `SUM(x, …)`: the sum of the numbers of every argument (see [`numbers`]:
/// text and blanks in referenced cells are skipped, an error anywhere is
/// the result).
fn sum(args: &[Expr], vals: &[Val]) -> Result<Decimal, XlError> {
    let mut s = Decimal::ZERO;
    for a in args {
        numbers(a, vals, &mut |d| {
            s = s.checked_add(d).ok_or(XlError::Num)?;
            Ok(())
        })?;
    }
    Ok(s)
}

/// `MAX`/`MIN`: the largest/smallest number of the arguments (as SUM takes
/// them); 0 when there is none.
fn extreme(args: &[Expr], vals: &[Val], want: Ordering) -> Result<Decimal, XlError> {
    let mut best: Option<Decimal> = None;
    for a in args {
        numbers(a, vals, &mut |d| {
            if best.is_none_or(|b| d.cmp(&b) == want) {
                best = Some(d);
            }
            Ok(())
        })?;
    }
    Ok(best.unwrap_or(Decimal::ZERO))
}

/// `ROUND(x, digits)`: `x` rounded half away from zero (Excel's rule, not
/// banker's: `ROUND(2.5,0)` is 3, `ROUND(-2.5,0)` is -3) to `digits`
/// decimals, `digits` truncated to an integer; negative `digits` round to
/// tens, hundreds…; both arguments as numbers.
pub fn round_fn(x: &Val, digits: &Val) -> Val {
    let (x, n) = match (x.to_num(), digits.to_num()) {
        (Err(e), _) | (_, Err(e)) => return Val::Err(e),
        (Ok(x), Ok(n)) => (x, n.trunc()),
    };
    Val::Num(round(
        x,
        n.to_i64().unwrap_or(if n.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        }),
    ))
}

/// Half-away-from-zero rounding to `dp` decimals (negative: to tens…).
pub fn round(x: Decimal, dp: i64) -> Decimal {
    if dp >= 0 {
        let dp = u32::try_from(dp.min(28)).unwrap_or(28);
        return x.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    }
    // 10^k for k ≤ 28 is within range; beyond, every value rounds to 0.
    let k = dp.unsigned_abs();
    if k > 28 {
        return Decimal::ZERO;
    }
    let f = Decimal::from_i128_with_scale(10i128.pow(k as u32), 0);
    let q = (x / f).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    q.checked_mul(f).unwrap_or(Decimal::ZERO)
}

/// `SUMPRODUCT(a, b, …)`: the sum over positions of the product of the
/// arguments' cells. Every argument is a range of the same length (a
/// single value counts as a one-cell range), else `#VALUE!`; cells that do
/// not hold numbers (text, blanks, booleans) count as 0; an error in any
/// cell is the result.
fn sumproduct(args: &[Expr], vals: &[Val]) -> Result<Decimal, XlError> {
    enum Arr<'a> {
        Range(&'a [Option<super::FieldId>]),
        One(Val),
    }
    let arrs: Vec<Arr<'_>> = args
        .iter()
        .map(|a| match referenced(a) {
            Some(r) => Arr::Range(r),
            None => Arr::One(eval(a, vals)),
        })
        .collect();
    let len = |a: &Arr<'_>| match a {
        Arr::Range(r) => r.len(),
        Arr::One(_) => 1,
    };
    let n = len(&arrs[0]);
    if arrs.iter().any(|a| len(a) != n) {
        return Err(XlError::Value);
    }
    let num = |v: &Val| match v {
        Val::Num(d) => Ok(*d),
        Val::Err(e) => Err(*e),
        _ => Ok(Decimal::ZERO),
    };
    // An error anywhere is the result, even where another factor is 0.
    for a in &arrs {
        match a {
            Arr::Range(r) => {
                for id in r.iter() {
                    num(&slot(vals, *id))?;
                }
            }
            Arr::One(v) => {
                num(v)?;
            }
        }
    }
    let mut s = Decimal::ZERO;
    for i in 0..n {
        let mut p = Decimal::ONE;
        for a in &arrs {
            let x = match a {
                Arr::Range(r) => num(&slot(vals, r[i]))?,
                Arr::One(v) => num(v)?,
            };
            if x.is_zero() {
                p = Decimal::ZERO;
                break;
            }
            p = p.checked_mul(x).ok_or(XlError::Num)?;
        }
        s = s.checked_add(p).ok_or(XlError::Num)?;
    }
    Ok(s)
}

/// A SUMIF criterion.
enum Criterion {
    /// Compare numbers (cells holding numbers; others never match, except
    /// under `<>`, which they always match).
    Num(BinOp, Decimal),
    /// Compare text, case-insensitively, with `*`/`?` wildcards (`~`
    /// escapes) for `=` and `<>`.
    Text(BinOp, String),
    /// `""` or `"="`: blank cells (and empty text); `"<>"`: the others.
    Blank(bool),
    /// A boolean.
    Bool(BinOp, bool),
}

fn criterion(v: &Val) -> Result<Criterion, XlError> {
    Ok(match v {
        Val::Err(e) => return Err(*e),
        Val::Num(d) => Criterion::Num(BinOp::Eq, *d),
        Val::Bool(b) => Criterion::Bool(BinOp::Eq, *b),
        Val::Blank => Criterion::Num(BinOp::Eq, Decimal::ZERO),
        Val::Text(s) => {
            let (op, rest) = [
                ("<>", BinOp::Ne),
                (">=", BinOp::Ge),
                ("<=", BinOp::Le),
                ("=", BinOp::Eq),
                (">", BinOp::Gt),
                ("<", BinOp::Lt),
            ]
            .iter()
            .find_map(|(p, op)| s.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((BinOp::Eq, s));
            if rest.is_empty() && matches!(op, BinOp::Eq | BinOp::Ne) {
                Criterion::Blank(op == BinOp::Eq)
            } else if let Some(d) = parse_number(rest) {
                Criterion::Num(op, d)
            } else if rest.eq_ignore_ascii_case("TRUE") || rest.eq_ignore_ascii_case("FALSE") {
                Criterion::Bool(op, rest.eq_ignore_ascii_case("TRUE"))
            } else {
                Criterion::Text(op, rest.to_string())
            }
        }
    })
}

fn ord_holds(op: BinOp, o: Ordering) -> bool {
    match op {
        BinOp::Eq => o == Ordering::Equal,
        BinOp::Ne => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    }
}

impl Criterion {
    fn matches(&self, v: &Val) -> bool {
        match self {
            Criterion::Blank(want) => {
                let blank = match v {
                    Val::Blank => true,
                    Val::Text(s) => s.is_empty(),
                    _ => false,
                };
                blank == *want
            }
            Criterion::Num(op, d) => match v {
                Val::Num(x) => ord_holds(*op, x.cmp(d)),
                _ => *op == BinOp::Ne,
            },
            Criterion::Bool(op, b) => match v {
                Val::Bool(x) => ord_holds(*op, x.cmp(b)),
                _ => *op == BinOp::Ne,
            },
            Criterion::Text(op, pat) => match (op, v) {
                (BinOp::Eq, Val::Text(s)) => wildcard(pat, s),
                (BinOp::Eq, _) => false,
                (BinOp::Ne, Val::Text(s)) => !wildcard(pat, s),
                (BinOp::Ne, _) => true,
                (op, Val::Text(s)) => ord_holds(*op, text_cmp(s, pat)),
                _ => false,
            },
        }
    }
}

/// Case-insensitive match of `text` against `pat` with `*` (any run),
/// `?` (any one character) and `~` (escapes the next character). Not
/// trimmed: `"Professional"` does not match `"Professional "`.
fn wildcard(pat: &str, text: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Lit(char),
        One,
        Any,
    }
    let mut ps = Vec::new();
    let mut it = pat.chars().flat_map(char::to_lowercase);
    while let Some(c) = it.next() {
        ps.push(match c {
            '*' => P::Any,
            '?' => P::One,
            '~' => P::Lit(it.next().unwrap_or('~')),
            c => P::Lit(c),
        });
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Iterative glob match with single backtrack point.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match ps.get(pi) {
            Some(P::Any) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(P::One) => {
                pi += 1;
                ti += 1;
            }
            Some(P::Lit(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    ps[pi..].iter().all(|p| *p == P::Any)
}

/// `SUMIF(range, criteria, [sum_range])`: the sum of the numbers in
/// `sum_range` (or `range`) at the positions where the cell of `range`
/// meets `criteria`.
///
/// `criteria` is a number (equal numbers), a boolean, or text: an optional
/// operator (`= <> < <= > >=`) then a number (compared with numbers), `""`
/// (blank cells), or text compared case-insensitively with `*`/`?`
/// wildcards and *not* trimmed. Text and blanks in the summed cells are
/// skipped; an error in a summed cell that matches is the result; an error
/// as `criteria` is the result. A `range` that is a single value or not a
/// range is `#VALUE!`; `sum_range` cells past its end count as blank.
fn sumif(args: &[Expr], vals: &[Val]) -> Result<Decimal, XlError> {
    let one: [Option<super::FieldId>; 1];
    let range: &[Option<super::FieldId>] = match &args[0] {
        Expr::Range(r) => r,
        Expr::Cell(id) => {
            one = [Some(*id)];
            &one
        }
        _ => return Err(XlError::Value),
    };
    let crit = criterion(&eval(&args[1], vals))?;
    let one_sum: [Option<super::FieldId>; 1];
    let sum_range: &[Option<super::FieldId>] = match args.get(2) {
        None => range,
        Some(Expr::Range(r)) => r,
        Some(Expr::Cell(id)) => {
            one_sum = [Some(*id)];
            &one_sum
        }
        Some(_) => return Err(XlError::Value),
    };
    let mut s = Decimal::ZERO;
    for (i, id) in range.iter().enumerate() {
        if !crit.matches(&slot(vals, *id)) {
            continue;
        }
        match slot(vals, sum_range.get(i).copied().flatten()) {
            Val::Num(d) => s = s.checked_add(d).ok_or(XlError::Num)?,
            Val::Err(e) => return Err(e),
            _ => {}
        }
    }
    Ok(s)
}

/// `AND`/`OR`: every argument evaluated (no short circuit: an error in
/// any argument is the result). A reference contributes its numbers (TRUE
/// unless 0) and booleans and skips text and blanks; another argument is
/// taken as a condition ([`Val::to_bool`]). No value at all is `#VALUE!`.
fn logical(args: &[Expr], vals: &[Val], all: bool) -> Val {
    let mut seen = false;
    let mut acc = all;
    let mut take = |b: bool| {
        seen = true;
        acc = if all { acc && b } else { acc || b };
    };
    for a in args {
        let cells: Vec<Val> = match a {
            Expr::Range(r) => r.iter().map(|id| slot(vals, *id)).collect(),
            Expr::Cell(id) => vec![cell(vals, *id)],
            Expr::BlankCell => Vec::new(),
            other => match eval(other, vals) {
                Val::Blank => Vec::new(),
                v => match v.to_bool() {
                    Ok(b) => {
                        take(b);
                        continue;
                    }
                    Err(e) => return Val::Err(e),
                },
            },
        };
        for v in cells {
            match v {
                Val::Num(d) => take(!d.is_zero()),
                Val::Bool(b) => take(b),
                Val::Err(e) => return Val::Err(e),
                _ => {}
            }
        }
    }
    if seen {
        Val::Bool(acc)
    } else {
        Val::Err(XlError::Value)
    }
}

/// `VALUE(text)`: text read as a number ([`parse_number`]: spaces around,
/// sign, thousands separators, `$`, `%`, exponent); a number is itself, a
/// blank 0; text that is not a number (including `""`) and booleans are
/// `#VALUE!`.
pub fn value_fn(v: &Val) -> Val {
    match v {
        Val::Blank => Val::Num(Decimal::ZERO),
        Val::Num(d) => Val::Num(*d),
        Val::Text(s) => parse_number(s).map_or(Val::Err(XlError::Value), Val::Num),
        Val::Bool(_) => Val::Err(XlError::Value),
        Val::Err(e) => Val::Err(*e),
    }
}

/// `SQRT(x)`: the square root of `x` as a number; negative `x` is `#NUM!`.
pub fn sqrt(v: &Val) -> Val {
    match v.to_num() {
        Err(e) => Val::Err(e),
        Ok(d) if d.is_sign_negative() && !d.is_zero() => Val::Err(XlError::Num),
        Ok(d) => d.sqrt().map_or(Val::Err(XlError::Num), Val::Num),
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldId;
    use super::super::parser::parse;
    use super::*;
    use rust_decimal_macros::dec;

    /// Cells: x0 = 10, x1 = "Low", x2 blank, x3 = #DIV/0!, x4 = "RPPO ",
    /// x5 = TRUE, x6 = "3", x7 = -2.5, x8 = "" (a formula's empty text).
    fn vals() -> Vec<Val> {
        vec![
            Val::Num(dec!(10)),
            Val::text("Low"),
            Val::Blank,
            Val::Err(XlError::Div0),
            Val::text("RPPO "),
            Val::Bool(true),
            Val::text("3"),
            Val::Num(dec!(-2.5)),
            Val::text(""),
        ]
    }

    /// `{xN}` is cell N; `{all}` the range x0..x8 with a hole; `{nums}` the
    /// range [x0, x7, hole]; `{cats}` [x1, x4, x8].
    fn ev(src: &str) -> Val {
        let e = parse(src, &mut |r: &str| {
            let range =
                |ids: &[Option<u32>]| Ok(Expr::Range(ids.iter().map(|i| i.map(FieldId)).collect()));
            match r {
                "all" => range(&[
                    Some(0),
                    Some(1),
                    Some(2),
                    None,
                    Some(4),
                    Some(5),
                    Some(6),
                    Some(7),
                    Some(8),
                ]),
                "nums" => range(&[Some(0), Some(7), None]),
                "cats" => range(&[Some(1), Some(4), Some(8)]),
                "vals3" => range(&[Some(0), Some(0), Some(7)]),
                "errs" => range(&[Some(0), Some(3)]),
                "blank" => Ok(Expr::BlankCell),
                _ => Ok(Expr::Cell(FieldId(r[1..].parse().unwrap()))),
            }
        })
        .unwrap();
        formula(&e, &vals())
    }

    fn num(d: Decimal) -> Val {
        Val::Num(d)
    }
    const DIV0: Val = Val::Err(XlError::Div0);
    const VALUE: Val = Val::Err(XlError::Value);
    const NUM: Val = Val::Err(XlError::Num);
    const T: Val = Val::Bool(true);
    const F: Val = Val::Bool(false);

    #[test]
    fn arithmetic_blank_is_zero_and_text_numbers_convert() {
        assert_eq!(ev("{x2}+1"), num(dec!(1)));
        assert_eq!(ev("{x6}*2"), num(dec!(6)));
        assert_eq!(ev("{x5}+1"), num(dec!(2)));
        assert_eq!(ev("{x1}+1"), VALUE);
        assert_eq!(ev("{x8}+1"), VALUE, "empty text is not 0 in arithmetic");
        assert_eq!(ev("-{x7}"), num(dec!(2.5)));
        assert_eq!(ev("-2^2"), num(dec!(4)));
        assert_eq!(ev("2^-1"), num(dec!(0.5)));
        assert_eq!(ev("0^0"), NUM);
        assert_eq!(ev("(-8)^0.5"), NUM);
        assert_eq!(ev("50%"), num(dec!(0.5)));
        assert_eq!(ev("1/3*3"), num(dec!(0.9999999999999999999999999999)));
    }

    #[test]
    fn division_by_zero_unless_guarded_and_errors_propagate() {
        assert_eq!(ev("1/0"), DIV0);
        assert_eq!(ev("1/{x2}"), DIV0);
        assert_eq!(ev("IF({x2}=0,0,1/{x2})"), num(dec!(0)));
        assert_eq!(ev("{x3}+1"), DIV0);
        assert_eq!(ev("{x1}+{x3}"), VALUE, "the left operand's error wins");
        assert_eq!(ev("{x3}&\"a\""), DIV0);
        assert_eq!(ev("{x3}=1"), DIV0);
        assert_eq!(ev("IFERROR(1/0,7)"), num(dec!(7)));
        assert_eq!(ev("IFERROR(5,7)"), num(dec!(5)));
    }

    #[test]
    fn overflow_is_num_never_a_panic() {
        let big = "79228162514264337593543950335";
        assert_eq!(ev(&format!("{big}+1")), NUM);
        assert_eq!(ev(&format!("{big}*2")), NUM);
        assert_eq!(ev(&format!("-{big}-1")), NUM);
        assert_eq!(ev(&format!("{big}/0.1")), NUM);
        assert_eq!(ev("10^100"), NUM);
        assert_eq!(ev(&format!("SUM({big},{big})")), NUM);
        assert_eq!(ev(&format!("SUMPRODUCT({big},{big})")), NUM);
        assert_eq!(ev(&format!("ROUND({big},-28)")), num(dec!(0)));
    }

    #[test]
    fn comparison_case_insensitive_not_trimmed() {
        assert_eq!(ev("{x1}=\"LOW\""), T);
        assert_eq!(ev("{x4}=\"RPPO\""), F);
        assert_eq!(ev("{x4}=\"rppo \""), T);
        assert_eq!(ev("{x2}=\"\""), T);
        assert_eq!(ev("{x2}=0"), T);
        assert_eq!(ev("{x8}=\"\""), T);
        assert_eq!(ev("{x8}=0"), F, "text is never equal to a number");
        assert_eq!(ev("{x6}=3"), F);
        assert_eq!(ev("\"a\">5"), T, "numbers sort before text");
        assert_eq!(ev("TRUE>\"z\""), T, "text sorts before booleans");
        assert_eq!(ev("\"a\"<\"B\""), T);
        assert_eq!(ev("{x0}>=10"), T);
        assert_eq!(ev("{x0}<>10"), F);
        assert_eq!(ev("{x2}=FALSE"), T);
    }

    #[test]
    fn concatenation() {
        assert_eq!(ev("\"a\"&{x0}&{x2}&{x5}"), Val::text("a10TRUE"));
        assert_eq!(ev("1.50&\"\""), Val::text("1.5"));
    }

    #[test]
    fn if_and_choose_evaluate_only_the_chosen_branch() {
        assert_eq!(ev("IF(1,2,1/0)"), num(dec!(2)));
        assert_eq!(ev("IF(0,1/0,3)"), num(dec!(3)));
        assert_eq!(ev("IF({x2},1,2)"), num(dec!(2)));
        assert_eq!(ev("IF(0,1)"), F);
        assert_eq!(ev("IF({x1},1,2)"), VALUE);
        assert_eq!(ev("IF({x3},1,2)"), DIV0);
        assert_eq!(ev("IF(1,{x2},2)"), num(dec!(0)), "a blank result shows 0");
        assert_eq!(ev("IF(1,\"\",2)"), Val::text(""));
        assert_eq!(ev("CHOOSE(2,\"a\",\"b\",1/0)"), Val::text("b"));
        assert_eq!(ev("CHOOSE(2.9,\"a\",\"b\")"), Val::text("b"));
        assert_eq!(ev("CHOOSE(0,\"a\")"), VALUE);
        assert_eq!(ev("CHOOSE(3,\"a\",\"b\")"), VALUE);
        assert_eq!(ev("CHOOSE({x1},\"a\")"), VALUE);
    }

    #[test]
    fn sum_max_min_skip_text_in_references_but_not_in_arguments() {
        assert_eq!(ev("SUM({all})"), num(dec!(7.5)));
        assert_eq!(
            ev("SUM({x6})"),
            num(dec!(0)),
            "text in a referenced cell is skipped"
        );
        assert_eq!(
            ev("SUM(\"3\",TRUE)"),
            num(dec!(4)),
            "typed arguments convert"
        );
        assert_eq!(ev("SUM(\"x\")"), VALUE);
        assert_eq!(ev("SUM({errs})"), DIV0);
        assert_eq!(ev("SUM({x2},{blank})"), num(dec!(0)));
        assert_eq!(ev("MAX({nums})"), num(dec!(10)));
        assert_eq!(ev("MIN({nums})"), num(dec!(-2.5)));
        assert_eq!(ev("MIN({nums},-3)"), num(dec!(-3)));
        assert_eq!(ev("MAX({cats})"), num(dec!(0)), "no numbers: 0");
        assert_eq!(ev("MAX(0,{x3})"), DIV0);
    }

    #[test]
    fn round_half_away_from_zero() {
        assert_eq!(ev("ROUND(2.5,0)"), num(dec!(3)));
        assert_eq!(ev("ROUND(-2.5,0)"), num(dec!(-3)));
        assert_eq!(ev("ROUND(2.345,2)"), num(dec!(2.35)));
        assert_eq!(ev("ROUND(-2.345,2)"), num(dec!(-2.35)));
        assert_eq!(ev("ROUND(1250,-2)"), num(dec!(1300)));
        assert_eq!(ev("ROUND(-1249,-2)"), num(dec!(-1200)));
        assert_eq!(ev("ROUND(1.2345,2.9)"), num(dec!(1.23)), "digits truncate");
        assert_eq!(ev("ROUND({x2},2)"), num(dec!(0)));
        assert_eq!(ev("ROUND({x1},2)"), VALUE);
        assert_eq!(ev("ROUND(1.5,40)"), num(dec!(1.5)));
    }

    #[test]
    fn sumproduct_counts_non_numbers_as_zero() {
        assert_eq!(ev("SUMPRODUCT({nums},{vals3})"), num(dec!(75)));
        assert_eq!(ev("SUMPRODUCT({nums},{cats})"), num(dec!(0)));
        assert_eq!(ev("SUMPRODUCT({nums})"), num(dec!(7.5)));
        assert_eq!(ev("SUMPRODUCT({nums},{all})"), VALUE, "lengths differ");
        assert_eq!(ev("SUMPRODUCT({errs},{errs})"), DIV0);
    }

    #[test]
    fn sumif_criteria() {
        // cats = ["Low", "RPPO ", ""], summing nums = [10, -2.5, blank].
        assert_eq!(ev("SUMIF({cats},\"low\",{nums})"), num(dec!(10)));
        assert_eq!(
            ev("SUMIF({cats},\"RPPO\",{nums})"),
            num(dec!(0)),
            "not trimmed"
        );
        assert_eq!(ev("SUMIF({cats},\"RPPO \",{nums})"), num(dec!(-2.5)));
        assert_eq!(ev("SUMIF({cats},\"R*\",{nums})"), num(dec!(-2.5)));
        assert_eq!(ev("SUMIF({cats},\"?ow\",{nums})"), num(dec!(10)));
        assert_eq!(ev("SUMIF({cats},\"<>Low\",{nums})"), num(dec!(-2.5)));
        assert_eq!(ev("SUMIF({cats},\"\",{vals3})"), num(dec!(-2.5)));
        assert_eq!(ev("SUMIF({nums},\">0\")"), num(dec!(10)));
        assert_eq!(ev("SUMIF({nums},\"<=-2.5\")"), num(dec!(-2.5)));
        assert_eq!(ev("SUMIF({nums},10)"), num(dec!(10)));
        assert_eq!(ev("SUMIF({nums},{x3})"), DIV0);
        assert_eq!(ev("SUMIF({errs},10,{errs})"), num(dec!(10)));
        assert_eq!(ev("SUMIF({nums},10,{errs})"), num(dec!(10)));
        assert_eq!(
            ev("SUMIF({vals3},-2.5,{errs})"),
            num(dec!(0)),
            "past the end: blank"
        );
        assert_eq!(ev("SUMIF(1,1)"), VALUE);
        assert!(wildcard("a~*b", "a*b"));
        assert!(!wildcard("a~*b", "axb"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a*c*e", "abcde"));
        assert!(!wildcard("a*c*e", "abcd"));
    }

    #[test]
    fn and_or() {
        assert_eq!(ev("AND(1,TRUE)"), T);
        assert_eq!(ev("AND(1,0)"), F);
        assert_eq!(ev("OR(0,{x5})"), T);
        assert_eq!(ev("AND(0,1/0)"), DIV0, "no short circuit");
        assert_eq!(ev("AND({cats})"), VALUE, "no values at all");
        assert_eq!(ev("AND({nums})"), T, "references skip blanks");
        assert_eq!(ev("OR({x1})"), VALUE);
        assert_eq!(ev("AND(\"x\")"), VALUE);
        assert_eq!(ev("OR({x2}=\"\",0)"), T);
    }

    #[test]
    fn value_sqrt_isblank() {
        assert_eq!(ev("VALUE(\" 012 \")"), num(dec!(12)));
        assert_eq!(ev("VALUE({x6})"), num(dec!(3)));
        assert_eq!(ev("VALUE({x2})"), num(dec!(0)));
        assert_eq!(ev("VALUE({x1})"), VALUE);
        assert_eq!(ev("VALUE(\"\")"), VALUE);
        assert_eq!(ev("VALUE(TRUE)"), VALUE);
        assert_eq!(ev("SQRT(16)"), num(dec!(4)));
        assert_eq!(ev("SQRT(-1)"), NUM);
        assert_eq!(ev("SQRT({x2})"), num(dec!(0)));
        assert_eq!(ev("MIN(1,SQRT(6000/24000))"), num(dec!(0.5)));
        assert_eq!(ev("ISBLANK({x2})"), T);
        assert_eq!(ev("ISBLANK({blank})"), T);
        assert_eq!(
            ev("ISBLANK({x8})"),
            F,
            "a formula's empty text is not blank"
        );
        assert_eq!(ev("ISBLANK({x0})"), F);
        assert_eq!(ev("ISBLANK(\"\")"), F);
        assert_eq!(ev("ISBLANK({x3})"), F);
    }
}
