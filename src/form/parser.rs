//! The formula AST and a precedence-climbing (Pratt) parser of Excel
//! formula syntax.
//!
//! Precedence, loosest first, as Excel has it: comparisons (`= <> < <= > >=`),
//! `&`, `+ -`, `* /`, `^` (left-associative: `2^3^2` is 64), unary `-`/`+`
//! (binds tighter than `^`: `-2^2` is 4), postfix `%`.

use super::FieldId;
use super::lexer::{Tok, tokenize};
use rust_decimal::Decimal;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
    /// `&`
    Concat,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The functions a template formula may call (see `docs/evaluator.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Func {
    /// `IF(cond, then, [else])`
    If,
    /// `SUM(x, …)`
    Sum,
    /// `ROUND(x, digits)`
    Round,
    /// `SUMPRODUCT(range, …)`
    SumProduct,
    /// `SUMIF(range, criteria, [sum_range])`
    SumIf,
    /// `MAX(x, …)`
    Max,
    /// `MIN(x, …)`
    Min,
    /// `AND(x, …)`
    And,
    /// `OR(x, …)`
    Or,
    /// `VALUE(text)`
    Value,
    /// `SQRT(x)`
    Sqrt,
    /// `ISBLANK(x)`
    IsBlank,
    /// `IFERROR(x, alternative)`
    IfError,
    /// `CHOOSE(index, v1, …)`
    Choose,
}

impl Func {
    /// The function of a name (upper case), if the evaluator has it.
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "IF" => Func::If,
            "SUM" => Func::Sum,
            "ROUND" => Func::Round,
            "SUMPRODUCT" => Func::SumProduct,
            "SUMIF" => Func::SumIf,
            "MAX" => Func::Max,
            "MIN" => Func::Min,
            "AND" => Func::And,
            "OR" => Func::Or,
            "VALUE" => Func::Value,
            "SQRT" => Func::Sqrt,
            "ISBLANK" => Func::IsBlank,
            "IFERROR" => Func::IfError,
            "CHOOSE" => Func::Choose,
            _ => return None,
        })
    }

    /// The function's name.
    pub fn name(self) -> &'static str {
        match self {
            Func::If => "IF",
            Func::Sum => "SUM",
            Func::Round => "ROUND",
            Func::SumProduct => "SUMPRODUCT",
            Func::SumIf => "SUMIF",
            Func::Max => "MAX",
            Func::Min => "MIN",
            Func::And => "AND",
            Func::Or => "OR",
            Func::Value => "VALUE",
            Func::Sqrt => "SQRT",
            Func::IsBlank => "ISBLANK",
            Func::IfError => "IFERROR",
            Func::Choose => "CHOOSE",
        }
    }

    /// Fewest and most arguments.
    pub(crate) fn arity(self) -> (usize, usize) {
        match self {
            Func::If => (2, 3),
            Func::Round | Func::IfError => (2, 2),
            Func::SumIf => (2, 3),
            Func::Value | Func::Sqrt | Func::IsBlank => (1, 1),
            Func::Choose => (2, 255),
            Func::Sum | Func::SumProduct | Func::Max | Func::Min | Func::And | Func::Or => (1, 255),
        }
    }
}

/// A parsed formula over field ids.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(Decimal),
    /// A string literal.
    Text(std::sync::Arc<str>),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// A reference to one cell of the form.
    Cell(FieldId),
    /// A reference to a cell of the form's sheets that holds no field (blank).
    BlankCell,
    /// A column range: its cells in sheet order (`None`: a cell with no field).
    Range(Box<[Option<FieldId>]>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// Postfix `%`.
    Percent(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Func, Box<[Expr]>),
}

impl Expr {
    /// Every field the expression reads (cells and range members).
    pub fn refs(&self, out: &mut Vec<FieldId>) {
        match self {
            Expr::Cell(id) => out.push(*id),
            Expr::Range(r) => out.extend(r.iter().flatten()),
            Expr::Neg(e) | Expr::Percent(e) => e.refs(out),
            Expr::Binary(_, a, b) => {
                a.refs(out);
                b.refs(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.refs(out)),
            Expr::Number(_) | Expr::Text(_) | Expr::Bool(_) | Expr::BlankCell => {}
        }
    }
}

/// Parses a formula; `resolve` turns the text of each `{…}` placeholder into
/// [`Expr::Cell`], [`Expr::BlankCell`] or [`Expr::Range`].
pub fn parse(
    src: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Expr, String>,
) -> Result<Expr, String> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len() + 1,
        resolve,
    };
    let e = p.expr(0)?;
    match p.toks.get(p.pos) {
        None => Ok(e),
        Some((at, t)) => Err(format!("unexpected {} at {}", describe(t), at + 1)),
    }
}

struct Parser<'r> {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    /// 1-based position just past the formula.
    end: usize,
    resolve: &'r mut dyn FnMut(&str) -> Result<Expr, String>,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Number(d) => format!("number {d}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_string(),
        Tok::Func(f) => format!("function {f}"),
        Tok::Ref(r) => format!("`{{{r}}}`"),
        other => format!("`{}`", op_text(other)),
    }
}

fn op_text(t: &Tok) -> &'static str {
    match t {
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Caret => "^",
        Tok::Amp => "&",
        Tok::Percent => "%",
        Tok::Eq => "=",
        Tok::Ne => "<>",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        _ => "?",
    }
}

/// Binding power of an infix operator (left, right).
fn infix(t: &Tok) -> Option<(BinOp, u8, u8)> {
    Some(match t {
        Tok::Eq => (BinOp::Eq, 1, 2),
        Tok::Ne => (BinOp::Ne, 1, 2),
        Tok::Lt => (BinOp::Lt, 1, 2),
        Tok::Le => (BinOp::Le, 1, 2),
        Tok::Gt => (BinOp::Gt, 1, 2),
        Tok::Ge => (BinOp::Ge, 1, 2),
        Tok::Amp => (BinOp::Concat, 3, 4),
        Tok::Plus => (BinOp::Add, 5, 6),
        Tok::Minus => (BinOp::Sub, 5, 6),
        Tok::Star => (BinOp::Mul, 7, 8),
        Tok::Slash => (BinOp::Div, 7, 8),
        Tok::Caret => (BinOp::Pow, 9, 10),
        _ => return None,
    })
}

/// Binding power of unary minus/plus: above `^`.
const PREFIX_BP: u8 = 11;
/// Binding power of postfix `%`: above unary minus.
const POSTFIX_BP: u8 = 13;

impl Parser<'_> {
    /// The next token, taken out of the list (each is read once: the
    /// parser never steps back), so no string of it is copied.
    fn next(&mut self) -> Option<(usize, Tok)> {
        let t = self
            .toks
            .get_mut(self.pos)
            .map(|(at, t)| (*at, std::mem::replace(t, Tok::Comma)));
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, String> {
        let Some((at, t)) = self.next() else {
            return Err(format!("formula ends early at {}", self.end));
        };
        let mut lhs = match t {
            Tok::Number(d) => Expr::Number(d),
            Tok::Str(s) => Expr::Text(s.into()),
            Tok::Bool(b) => Expr::Bool(b),
            Tok::Ref(r) => (self.resolve)(&r).map_err(|e| format!("`{{{r}}}`: {e}"))?,
            Tok::Minus => Expr::Neg(Box::new(self.expr(PREFIX_BP)?)),
            Tok::Plus => self.expr(PREFIX_BP)?,
            Tok::LParen => {
                let e = self.expr(0)?;
                self.expect_close(at)?;
                e
            }
            Tok::Func(name) => self.call(&name, at)?,
            other => return Err(format!("unexpected {} at {}", describe(&other), at + 1)),
        };
        while let Some(t) = self.peek() {
            if *t == Tok::Percent {
                if POSTFIX_BP < min_bp {
                    break;
                }
                self.pos += 1;
                lhs = Expr::Percent(Box::new(lhs));
                continue;
            }
            let Some((op, l, r)) = infix(t) else { break };
            if l < min_bp {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(r)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn expect_close(&mut self, open_at: usize) -> Result<(), String> {
        match self.next() {
            Some((_, Tok::RParen)) => Ok(()),
            Some((at, t)) => Err(format!(
                "expected `)` for the `(` at {}, found {} at {}",
                open_at + 1,
                describe(&t),
                at + 1
            )),
            None => Err(format!("`(` at {} is never closed", open_at + 1)),
        }
    }

    fn call(&mut self, name: &str, at: usize) -> Result<Expr, String> {
        let f = Func::from_name(name)
            .ok_or_else(|| format!("unknown function {name} at {}", at + 1))?;
        match self.next() {
            Some((_, Tok::LParen)) => {}
            _ => return Err(format!("{name} at {} needs `(`", at + 1)),
        }
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
        } else {
            loop {
                args.push(self.expr(0)?);
                match self.next() {
                    Some((_, Tok::Comma)) => continue,
                    Some((_, Tok::RParen)) => break,
                    Some((a, t)) => {
                        return Err(format!(
                            "in {name} at {}: expected `,` or `)`, found {} at {}",
                            at + 1,
                            describe(&t),
                            a + 1
                        ));
                    }
                    None => return Err(format!("{name}( at {} is never closed", at + 1)),
                }
            }
        }
        let (lo, hi) = f.arity();
        if args.len() < lo || args.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else if hi == 255 {
                format!("at least {lo}")
            } else {
                format!("{lo} to {hi}")
            };
            return Err(format!(
                "{name} at {} takes {want} arguments, not {}",
                at + 1,
                args.len()
            ));
        }
        Ok(Expr::Call(f, args.into_boxed_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// Resolves `{xN}` to field N, `{r}` to a range of fields 0..3 with a hole.
    fn p(src: &str) -> Result<Expr, String> {
        parse(src, &mut |r: &str| {
            if r == "r" {
                Ok(Expr::Range(
                    vec![Some(FieldId(0)), None, Some(FieldId(2))].into(),
                ))
            } else if r == "blank" {
                Ok(Expr::BlankCell)
            } else {
                r.strip_prefix('x')
                    .and_then(|n| n.parse().ok())
                    .map(|n| Expr::Cell(FieldId(n)))
                    .ok_or_else(|| "no such field".to_string())
            }
        })
    }

    fn n(d: Decimal) -> Box<Expr> {
        Box::new(Expr::Number(d))
    }

    #[test]
    fn precedence_as_excel() {
        use BinOp::*;
        // -2^2 = (-2)^2
        assert_eq!(
            p("-2^2").unwrap(),
            Expr::Binary(Pow, Box::new(Expr::Neg(n(dec!(2)))), n(dec!(2)))
        );
        // 2^3^2 = (2^3)^2
        assert_eq!(
            p("2^3^2").unwrap(),
            Expr::Binary(
                Pow,
                Box::new(Expr::Binary(Pow, n(dec!(2)), n(dec!(3)))),
                n(dec!(2))
            )
        );
        // 1+2*3 = 1+(2*3); 1-2-3 = (1-2)-3
        assert_eq!(
            p("1+2*3").unwrap(),
            Expr::Binary(
                Add,
                n(dec!(1)),
                Box::new(Expr::Binary(Mul, n(dec!(2)), n(dec!(3))))
            )
        );
        assert_eq!(
            p("1-2-3").unwrap(),
            Expr::Binary(
                Sub,
                Box::new(Expr::Binary(Sub, n(dec!(1)), n(dec!(2)))),
                n(dec!(3))
            )
        );
        // "a"&1+2 = "a"&(1+2); 1&2=12 → (1&2)=12
        assert_eq!(
            p("\"a\"&1+2").unwrap(),
            Expr::Binary(
                Concat,
                Box::new(Expr::Text("a".into())),
                Box::new(Expr::Binary(Add, n(dec!(1)), n(dec!(2))))
            )
        );
        assert_eq!(
            p("1&2=12").unwrap(),
            Expr::Binary(
                Eq,
                Box::new(Expr::Binary(Concat, n(dec!(1)), n(dec!(2)))),
                n(dec!(12))
            )
        );
        // 50%^2 = (50%)^2
        assert_eq!(
            p("50%^2").unwrap(),
            Expr::Binary(Pow, Box::new(Expr::Percent(n(dec!(50)))), n(dec!(2)))
        );
        // (1+2)*3
        assert_eq!(
            p("(1+2)*3").unwrap(),
            Expr::Binary(
                Mul,
                Box::new(Expr::Binary(Add, n(dec!(1)), n(dec!(2)))),
                n(dec!(3))
            )
        );
    }

    #[test]
    fn calls_and_references() {
        let e = p("SUM({r},{x1}, {blank})").unwrap();
        let Expr::Call(Func::Sum, args) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(args.len(), 3);
        assert_eq!(args[1], Expr::Cell(FieldId(1)));
        assert_eq!(args[2], Expr::BlankCell);
        let mut refs = Vec::new();
        e.refs(&mut refs);
        assert_eq!(refs, vec![FieldId(0), FieldId(2), FieldId(1)]);
        assert!(matches!(p("if(TRUE,1)").unwrap(), Expr::Call(Func::If, _)));
    }

    #[test]
    fn errors_name_the_place() {
        for (src, msg) in [
            ("1+", "formula ends early"),
            ("(1+2", "never closed"),
            ("1+2)", "unexpected `)` at 4"),
            ("FOO(1)", "unknown function FOO at 1"),
            ("ROUND(1)", "ROUND at 1 takes 2 arguments, not 1"),
            ("IF(1,2,3,4)", "IF at 1 takes 2 to 3 arguments, not 4"),
            ("SUM(1 2)", "expected `,` or `)`"),
            ("{nope}", "`{nope}`: no such field"),
            ("1 2", "unexpected number 2 at 3"),
            ("*1", "unexpected `*` at 1"),
        ] {
            let e = p(src).unwrap_err();
            assert!(e.contains(msg), "{src}: {e}");
        }
    }
}
