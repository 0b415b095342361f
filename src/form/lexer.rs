//! Tokens of a template formula: Excel formula syntax whose references are
//! `{id}` placeholders instead of cell addresses.

use rust_decimal::Decimal;
use std::str::FromStr;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number literal (`0.75`, `24000`, `1E-3`).
    Number(Decimal),
    /// A string literal, quotes removed and `""` unescaped.
    Str(String),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A function name (always followed by `(`), upper-cased.
    Func(String),
    /// The text inside a `{…}` placeholder, trimmed.
    Ref(String),
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `^`
    Caret,
    /// `&`
    Amp,
    /// `%`
    Percent,
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
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
}

/// Splits a formula into tokens (a leading `=` is allowed and skipped).
/// Byte offsets come with each token for messages.
pub fn tokenize(src: &str) -> Result<Vec<(usize, Tok)>, String> {
    let b = src.as_bytes();
    let mut i = 0;
    // About one token per four bytes of a template formula.
    let mut out = Vec::with_capacity(src.len() / 4 + 2);
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if i < b.len() && b[i] == b'=' {
        i += 1;
    }
    while i < b.len() {
        let c = b[i];
        let start = i;
        let simple = match c {
            b'+' => Some(Tok::Plus),
            b'-' => Some(Tok::Minus),
            b'*' => Some(Tok::Star),
            b'/' => Some(Tok::Slash),
            b'^' => Some(Tok::Caret),
            b'&' => Some(Tok::Amp),
            b'%' => Some(Tok::Percent),
            b'=' => Some(Tok::Eq),
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = simple {
            out.push((start, t));
            i += 1;
            continue;
        }
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'<' => {
                let t = match b.get(i + 1) {
                    Some(b'>') => Tok::Ne,
                    Some(b'=') => Tok::Le,
                    _ => Tok::Lt,
                };
                i += if t == Tok::Lt { 1 } else { 2 };
                out.push((start, t));
            }
            b'>' => {
                let t = if b.get(i + 1) == Some(&b'=') {
                    Tok::Ge
                } else {
                    Tok::Gt
                };
                i += if t == Tok::Gt { 1 } else { 2 };
                out.push((start, t));
            }
            b'"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    let rest = &src[i..];
                    let Some(q) = rest.find('"') else {
                        return Err(format!("unclosed string starting at {}", start + 1));
                    };
                    s.push_str(&rest[..q]);
                    i += q + 1;
                    if b.get(i) == Some(&b'"') {
                        s.push('"');
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push((start, Tok::Str(s)));
            }
            b'{' => {
                let rest = &src[i + 1..];
                let close = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` at {}", start + 1))?;
                let inner = rest[..close].trim();
                if inner.contains('{') {
                    return Err(format!("unclosed `{{` at {}", start + 1));
                }
                out.push((start, Tok::Ref(inner.to_string())));
                i += close + 2;
            }
            b'}' => return Err(format!("stray `}}` at {}", start + 1)),
            b'0'..=b'9' | b'.' => {
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    let mut j = i + 1;
                    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                        j += 1;
                    }
                    if j < b.len() && b[j].is_ascii_digit() {
                        while j < b.len() && b[j].is_ascii_digit() {
                            j += 1;
                        }
                        i = j;
                    }
                }
                let text = &src[start..i];
                let d = if text.contains(['e', 'E']) {
                    Decimal::from_scientific(text)
                } else {
                    Decimal::from_str(text)
                }
                .map_err(|_| format!("bad number `{text}` at {}", start + 1))?;
                out.push((start, Tok::Number(d)));
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                let word = &src[start..i];
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b'(') {
                    out.push((start, Tok::Func(word.to_ascii_uppercase())));
                } else if word.eq_ignore_ascii_case("TRUE") {
                    out.push((start, Tok::Bool(true)));
                } else if word.eq_ignore_ascii_case("FALSE") {
                    out.push((start, Tok::Bool(false)));
                } else {
                    return Err(format!(
                        "`{word}` at {}: a template formula names cells by `{{id}}` placeholders, \
                         not addresses or names",
                        start + 1
                    ));
                }
            }
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                return Err(format!("unexpected `{ch}` at {}", start + 1));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            toks("=IF({a.b}>=4.5,\"x \"\"y\"\"\",-1E-2)"),
            vec![
                Tok::Func("IF".into()),
                Tok::LParen,
                Tok::Ref("a.b".into()),
                Tok::Ge,
                Tok::Number(dec!(4.5)),
                Tok::Comma,
                Tok::Str("x \"y\"".into()),
                Tok::Comma,
                Tok::Minus,
                Tok::Number(dec!(0.01)),
                Tok::RParen,
            ]
        );
        assert_eq!(
            toks("{ t.c[a:k] }<>TRUE&5%"),
            vec![
                Tok::Ref("t.c[a:k]".into()),
                Tok::Ne,
                Tok::Bool(true),
                Tok::Amp,
                Tok::Number(dec!(5)),
                Tok::Percent
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for (src, msg) in [
            ("\"abc", "unclosed string"),
            ("{a.b", "unclosed `{`"),
            ("a}", "`a` at 1"),
            ("1}", "stray `}`"),
            ("$A$1", "unexpected `$`"),
            ("A1+1", "`A1` at 1"),
            ("1.2.3", "bad number"),
            ("1 ; 2", "unexpected `;`"),
            ("é", "unexpected `é`"),
        ] {
            let e = tokenize(src).unwrap_err();
            assert!(e.contains(msg), "{src}: {e}");
        }
    }
}
