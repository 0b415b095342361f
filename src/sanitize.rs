//! Neutralised outputs: how text that came from a workbook or a path (cell
//! text, sheet names, file names, error messages) is made safe before `bpt`
//! prints or writes it. One module, used by every report and command.
//!
//! - [`visible`]: control characters are written as visible escapes (`\x1b`,
//!   `\n`, `\u{85}`), so no cell can send a terminal escape sequence or start
//!   a forged line (`error[F001] …`) in a text report.
//! - [`echo`]: cell text quoted in a message is shortened to
//!   [`ECHO_CHARS`] characters (`… (N more characters)`), then made visible.
//! - [`csv_cell`]: a CSV cell that a spreadsheet would take as a formula
//!   (`=`, `+`, `-`, `@`, TAB, CR first) gets a leading apostrophe `'`;
//!   plain numbers (`-12.50`, `+3`, `1E-5`, `-4%`) are left as they are.
//! - [`csv`]: every CSV `bpt` writes goes through the `csv` crate's writer.
//! - [`xml_text`]: text for XML 1.0 (JUnit): visible escapes for characters
//!   XML does not allow (C0 controls, U+FFFE, U+FFFF) and entity escapes.
//! - [`uri`]: a path as a URI reference (SARIF `artifactLocation.uri`):
//!   percent-encoded (RFC 3986), relative paths as relative references,
//!   absolute ones as `file:` URIs.
//!
//! ```
//! use bpt::sanitize;
//! assert_eq!(sanitize::visible("a\x1b[31mb\n"), "a\\x1b[31mb\\n");
//! assert_eq!(sanitize::csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
//! assert_eq!(sanitize::csv_cell("-12.50"), "-12.50");
//! assert_eq!(sanitize::uri("bids/my bid.xlsx"), "bids/my%20bid.xlsx");
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters of cell text quoted in a message (text reports, SARIF, JUnit,
/// finalize's list); the rest is replaced by `… (N more characters)`.
pub const ECHO_CHARS: usize = 80;

/// Characters of a finding's `found` and `expected` kept in the JSON and
/// CSV reports (4,096); a longer value is shortened like an echo.
pub const FOUND_CHARS: usize = 4096;

/// Characters of a finding's message (1,024): a message longer than this
/// after its quoted cell text was shortened is cut like an echo.
pub const MESSAGE_CHARS: usize = 1024;

/// Whether a character is written as an escape by [`visible`]: C0 controls
/// (TAB, LF and CR included), DEL, C1 controls, the Unicode line and
/// paragraph separators, the bidirectional overrides and isolates (which
/// reorder what a terminal shows), and the non-characters U+FFFE, U+FFFF.
fn escaped(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{fffe}' | '\u{ffff}')
}

/// Text with every control character written as a visible escape: `\t`,
/// `\n`, `\r`, `\x1b` for the other C0 controls and DEL, `\u{85}` for C1
/// controls and the other characters [`escaped`] lists. Other text, the
/// backslash included, is unchanged.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
            c if escaped(c) => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}

/// Text for standard error: [`visible`] on each line (line breaks kept).
/// The binary passes everything it writes to stderr through this, a last
/// defence for a message that was built without [`visible`].
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && escaped(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split('\n')
            .map(|l| visible(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A path as [`visible`] text (lossy for paths that are not UTF-8).
pub fn path(p: &std::path::Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// The first `max` characters of `s` and `… (N more characters)`, or `s`
/// when it is no longer than `max`. Text already shortened this way is
/// shortened again with `N` counting what was cut both times.
pub fn shorten(s: &str, max: usize) -> Cow<'_, str> {
    let (body, before) = split_marker(s);
    match body.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => {
            let more = body[at..].chars().count().saturating_add(before);
            Cow::Owned(format!("{}… ({more} more characters)", &body[..at]))
        }
    }
}

/// Text without a trailing `… (N more characters)` marker, and `N` (0 when
/// there is none).
fn split_marker(s: &str) -> (&str, usize) {
    let parsed = s.strip_suffix(" more characters)").and_then(|t| {
        let open = t.rfind("… (")?;
        let n: usize = t[open + "… (".len()..].parse().ok()?;
        Some((&s[..open], n))
    });
    parsed.unwrap_or((s, 0))
}

/// Cell text as quoted in a message or a text report: shortened to
/// [`ECHO_CHARS`], then [`visible`].
pub fn echo(s: &str) -> String {
    visible(&shorten(s, ECHO_CHARS)).into_owned()
}

/// A finding's message with the values it quotes shortened: every
/// occurrence of one of `values` (the finding's found and expected) longer
/// than [`ECHO_CHARS`] and every backtick-quoted span longer than that is
/// shortened like an echo, then the whole is cut at [`MESSAGE_CHARS`].
/// Applied when a finding is made, so a huge cell value is never copied
/// into many findings.
pub fn bound_message(s: String, values: &[&str]) -> String {
    if s.chars().count() <= ECHO_CHARS {
        return s;
    }
    let mut s = s;
    for v in values {
        if let Cow::Owned(short) = shorten(v, ECHO_CHARS)
            && s.contains(*v)
        {
            s = s.replace(*v, &short);
        }
    }
    let mut o = String::with_capacity(s.len().min(4 * MESSAGE_CHARS));
    let mut rest = s.as_str();
    while let Some(open) = rest.find('`') {
        o.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) => {
                o.push_str(&shorten(&after[..close], ECHO_CHARS));
                o.push('`');
                rest = &after[close + 1..];
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    o.push_str(rest);
    shorten(&o, MESSAGE_CHARS).into_owned()
}

/// A value kept in `found`/`expected`: shortened to [`FOUND_CHARS`].
pub fn bound_value(s: String) -> String {
    match shorten(&s, FOUND_CHARS) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

/// Whether text is a plain number a spreadsheet reads as a number (never as
/// a formula): an optional sign, digits with at most one decimal point, an
/// optional exponent and an optional `%`.
fn plain_number(s: &str) -> bool {
    let s = s.strip_suffix('%').unwrap_or(s);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut digits = 0;
    let mut points = 0;
    for c in mantissa.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => points += 1,
            _ => return false,
        }
    }
    if digits == 0 || points > 1 {
        return false;
    }
    match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// A CSV cell: [`visible`], and text that starts with a formula trigger
/// (`=`, `+`, `-`, `@`, TAB or CR) gets a leading apostrophe `'` so a
/// spreadsheet shows it as text. Plain numbers (`-12.50`, `+3`) are kept.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let trigger = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number(s);
    let v = visible(s);
    if trigger {
        Cow::Owned(format!("'{v}"))
    } else {
        v
    }
}

/// A CSV document: the header and the rows through the `csv` crate's
/// writer, every cell through [`csv_cell`].
pub fn csv<R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| csv_cell(c.as_ref()).into_owned())
            .collect();
        let _ = w.write_record(&cells);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// Text for an XML 1.0 attribute or element: characters XML does not allow
/// (and every control character) as [`visible`] escapes, then `&`, `<`,
/// `>`, `"` and `'` as entities. The result is well-formed for any input.
pub fn xml_text(s: &str) -> String {
    let v = visible(s);
    let mut o = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// Characters percent-encoded in a URI path: everything but the RFC 3986
/// unreserved characters and `/`.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A path as a URI reference: a relative path stays a relative reference
/// (`bids/my%20bid.xlsx`), an absolute one becomes a `file:` URI
/// (`file:///tmp/a%23b.xlsx`, `file:///C:/bids/a.xlsx`). Backslashes are
/// taken as separators; every other character but the unreserved ones is
/// percent-encoded (UTF-8), so `:` in a first segment cannot read as a
/// scheme.
pub fn uri(p: &str) -> String {
    let s = p.replace('\\', "/");
    let drive = {
        let b = s.as_bytes();
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
    };
    let enc = |x: &str| percent_encoding::utf8_percent_encode(x, PATH).to_string();
    if drive {
        format!("file:///{}:{}", &s[..1], enc(&s[2..]))
    } else if s.starts_with('/') {
        format!("file://{}", enc(&s))
    } else {
        enc(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_controls_only() {
        assert_eq!(visible("plain \\ text é"), "plain \\ text é");
        assert_eq!(
            visible("\x07\x1b\x7f\u{85}\u{9b}"),
            "\\x07\\x1b\\x7f\\u{85}\\u{9b}"
        );
        assert_eq!(visible("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(visible("\u{202e}x\u{fffe}"), "\\u{202e}x\\u{fffe}");
    }

    #[test]
    fn visible_lines_keeps_line_breaks() {
        assert_eq!(visible_lines("a\x1b\nb\r\n"), "a\\x1b\nb\\r\n");
        assert_eq!(visible_lines("a\nb\n"), "a\nb\n");
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("ééééé", 2), "éé… (3 more characters)");
        let long = "x".repeat(100);
        assert_eq!(
            echo(&long),
            format!("{}… (20 more characters)", "x".repeat(80))
        );
        let once = shorten(&long, 90);
        assert_eq!(shorten(&once, 80), shorten(&long, 80));
        assert_eq!(shorten(&once, 95), once);
    }

    #[test]
    fn messages_shorten_quoted_spans() {
        let m = format!("`{}` is not a phone number", "9".repeat(200));
        assert_eq!(
            bound_message(m, &[]),
            format!(
                "`{}… (120 more characters)` is not a phone number",
                "9".repeat(80)
            )
        );
        let m = "x".repeat(5000);
        assert_eq!(
            bound_message(m, &[]),
            format!("{}… (3976 more characters)", "x".repeat(1024))
        );
        assert_eq!(bound_message("a `b` c".into(), &[]), "a `b` c");
        let v = "y ".repeat(100);
        assert_eq!(
            bound_message(format!("holds 1 but gives {v}"), &["1", &v]),
            format!(
                "holds 1 but gives {}… (120 more characters)",
                "y ".repeat(40)
            )
        );
    }

    #[test]
    fn csv_cells_neutralised_numbers_kept() {
        for (i, o) in [
            ("=1+1", "'=1+1"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\\tx"),
            ("\rx", "'\\rx"),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("-1E-5", "-1E-5"),
            ("-4%", "-4%"),
            ("-", "'-"),
            ("-.", "'-."),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(i), o, "{i:?}");
        }
    }

    #[test]
    fn xml_is_well_formed_text() {
        assert_eq!(
            xml_text("<a href='x'>&\u{ffff}\u{1}"),
            "&lt;a href=&apos;x&apos;&gt;&amp;\\u{ffff}\\x01"
        );
    }

    #[test]
    fn uris() {
        assert_eq!(uri("a b/c#d?.xlsx"), "a%20b/c%23d%3F.xlsx");
        assert_eq!(uri("/tmp/é.xlsx"), "file:///tmp/%C3%A9.xlsx");
        assert_eq!(uri("C:\\bids\\a.xlsx"), "file:///C:/bids/a.xlsx");
        assert_eq!(uri("x:y.xlsx"), "x%3Ay.xlsx");
        assert_eq!(uri("../a_b-c~.xlsx"), "../a_b-c~.xlsx");
    }
}
