//! Size limits that keep a hostile or damaged workbook from exhausting
//! memory or time.
//!
//! | limit | default | environment variable |
//! |---|---|---|
//! | input file size (read with this cap, whatever the file system reports) | 64 MiB | `BPT_MAX_FILE_BYTES` |
//! | total uncompressed size of a zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) | 512 MiB | `BPT_MAX_UNCOMPRESSED_BYTES` |
//! | entries in the zip archive | 10,000 | `BPT_MAX_ZIP_ENTRIES` |
//! | shared strings (`<si>` in `sharedStrings.xml`) | 200,000 | `BPT_MAX_SHARED_STRINGS` |
//! | total text of the shared strings | 32 MiB | `BPT_MAX_SHARED_STRING_BYTES` |
//! | cell formats (`<xf>`) and number formats (`<numFmt>`), each, in `styles.xml` | 65,536 | `BPT_MAX_STYLES` |
//! | element nesting depth of any XML part | 128 | `BPT_MAX_XML_DEPTH` |
//! | cells from A1 to the last filled cell of one `.ods` sheet (counting repeated rows and columns) | 5,000,000 | `BPT_MAX_SHEET_CELLS` |
//!
//! A real MA BPT is well under 5 MiB on disk and 50 MiB unpacked, with a
//! few thousand shared strings, a few hundred formats and XML nested fewer
//! than 20 deep. Values are numbers (suffixes `K`, `M`, `G` accepted, powers
//! of 1024: `BPT_MAX_FILE_BYTES=200M`).
//!
//! The uncompressed size is measured by inflating every entry once into a
//! counting sink that stops at the limit, so an archive that lies about its
//! sizes (a zip bomb) is caught after at most the limit's worth of work. In
//! the same pass the shared strings and styles are streamed through an XML
//! tokenizer, which measures their nesting depth and counts the shared
//! strings and their text and the formats — the counts the file declares
//! are never trusted — and every other XML part has its nesting depth
//! measured by a byte scanner, which also refuses a cell reference outside
//! A1:XFD1048576 in the attributes calamine parses as references (`r` of
//! `<c>` and `<row>`; `ref` of `<dimension>`, `<mergeCell>`, `<hyperlink>`,
//! `<f>` and `<table>`), which calamine's unchecked `u32` arithmetic would
//! overflow on. When
//! `sharedStrings.xml` declares a `uniqueCount` larger than the strings it
//! holds (which calamine would reserve memory for: 10^12 aborts the process),
//! [`check_package`] returns a copy of the package with that count set to
//! the number of strings actually there.
//!
//! ```
//! let l = bpt::limits::Limits::default();
//! assert_eq!(l.max_file_bytes, 64 * 1024 * 1024);
//! assert!(bpt::limits::check_zip(b"not a zip", &l).is_ok()); // left to the reader
//! ```

use quick_xml::events::Event;
use std::io::{BufRead, BufReader, Cursor, Read, Write};

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip-based workbook, in bytes.
    pub max_uncompressed_bytes: u64,
    /// Most entries a zip-based workbook may hold.
    pub max_zip_entries: usize,
    /// Most shared strings (`<si>`) in `sharedStrings.xml`.
    pub max_shared_strings: u64,
    /// Most bytes of text (as stored in the XML) in `sharedStrings.xml`.
    pub max_shared_string_bytes: u64,
    /// Most cell formats (`<xf>`), and separately most number formats
    /// (`<numFmt>`), in `styles.xml`.
    pub max_styles: u64,
    /// Deepest element nesting in any XML part.
    pub max_xml_depth: u64,
    /// Most cells in the box from A1 to the last filled row and column of
    /// one `.ods` sheet (calamine holds that whole box in memory).
    pub max_sheet_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_uncompressed_bytes: 512 << 20,
            max_zip_entries: 10_000,
            max_shared_strings: 200_000,
            max_shared_string_bytes: 32 << 20,
            max_styles: 65_536,
            max_xml_depth: 128,
            max_sheet_cells: 5_000_000,
        }
    }
}

/// Parses `123`, `64K`, `200M`, `1G` (powers of 1024).
///
/// ```
/// assert_eq!(bpt::limits::parse_size("200M"), Some(200 << 20));
/// assert_eq!(bpt::limits::parse_size("x"), None);
/// ```
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1u64 << 10),
        'M' => (&s[..s.len() - 1], 1 << 20),
        'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

impl Limits {
    /// The defaults, overridden by the environment variables above.
    pub fn from_env() -> Limits {
        let mut l = Limits::default();
        let get = |k: &str| std::env::var(k).ok().and_then(|v| parse_size(&v));
        if let Some(v) = get("BPT_MAX_FILE_BYTES") {
            l.max_file_bytes = v;
        }
        if let Some(v) = get("BPT_MAX_UNCOMPRESSED_BYTES") {
            l.max_uncompressed_bytes = v;
        }
        if let Some(v) = get("BPT_MAX_ZIP_ENTRIES") {
            l.max_zip_entries = usize::try_from(v).unwrap_or(usize::MAX);
        }
        if let Some(v) = get("BPT_MAX_SHARED_STRINGS") {
            l.max_shared_strings = v;
        }
        if let Some(v) = get("BPT_MAX_SHARED_STRING_BYTES") {
            l.max_shared_string_bytes = v;
        }
        if let Some(v) = get("BPT_MAX_STYLES") {
            l.max_styles = v;
        }
        if let Some(v) = get("BPT_MAX_XML_DEPTH") {
            l.max_xml_depth = v;
        }
        if let Some(v) = get("BPT_MAX_SHEET_CELLS") {
            l.max_sheet_cells = v;
        }
        l
    }
}

/// Human size: `512 MiB`.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Checks a zip-based workbook against the limits. Bytes that are not a zip
/// archive pass (the reader reports them); a zip that breaks a limit or
/// cannot be inflated is an error message. See [`check_package`].
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    check_package(bytes, limits).map(|_| ())
}

/// [`check_zip`], returning a repaired copy of the package when a count it
/// declares cannot be trusted (see the module documentation): read that
/// copy instead of `bytes`. `Ok(None)`: read `bytes` as they are.
pub fn check_package(bytes: &[u8], limits: &Limits) -> Result<Option<Vec<u8>>, String> {
    if !bytes.starts_with(b"PK") {
        return Ok(None);
    }
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => return Err(format!("damaged zip archive: {e}")),
    };
    if zip.len() > limits.max_zip_entries {
        return Err(format!(
            "the archive holds {} entries, more than the limit of {} (BPT_MAX_ZIP_ENTRIES)",
            zip.len(),
            limits.max_zip_entries
        ));
    }
    let mut total: u64 = 0;
    let mut repair: Option<(usize, u64, SstTag)> = None;
    for i in 0..zip.len() {
        let f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => return Err(format!("damaged zip entry {i}: {e}")),
        };
        let name = f
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {i}"));
        let declared = f.size();
        if total.saturating_add(declared) > limits.max_uncompressed_bytes {
            return Err(too_big(limits, &name));
        }
        let meter = Meter {
            inner: f,
            total: &mut total,
            max: limits.max_uncompressed_bytes,
            over: false,
        };
        // The buffer is zeroed before its first use: no larger than the
        // part says it is (which only sizes it), up to 64 KiB.
        let capacity = usize::try_from(declared.clamp(4 << 10, 64 << 10)).unwrap_or(64 << 10);
        let mut rd = BufReader::with_capacity(capacity, meter);
        // Tokenizing costs about as much as the reader's own parse: the
        // parts whose counts are not checked (the sheets above all) have
        // only their nesting depth measured, by a byte scanner that skips
        // text and attribute values with memchr (tokenizing the sheets of a
        // 12-county bid was 5 % of a `bpt validate`).
        let part = Part::of(&name);
        let depth_only = part == Part::OtherXml;
        let facts = if part == Part::Opaque || depth_only {
            Facts::default()
        } else {
            scan_xml(&mut rd, part, limits, &name)?
        };
        // The rest of the entry (all of it for a part that is not tokenized,
        // or after an XML syntax error, which is left to the reader to
        // report). Every other XML part has its nesting measured bytewise.
        let drained = if depth_only {
            drain_measuring_depth(&mut rd, limits, &name)
        } else {
            std::io::copy(&mut rd, &mut std::io::sink()).map(|_| ())
        };
        if rd.get_ref().over {
            return Err(too_big(limits, &name));
        }
        match drained {
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(e.to_string()),
            Err(e) => return Err(format!("damaged zip entry `{name}`: {e}")),
            Ok(()) => {}
        }
        if let Some(declared) = facts.unique_count
            && declared > facts.strings
            && let Some(tag) = facts.sst_tag
        {
            repair = Some((i, facts.strings, tag));
        }
    }
    match repair {
        None => Ok(None),
        Some((i, n, tag)) => repaired(bytes, i, n, &tag).map(Some),
    }
}

/// The `<sst>` start tag with `uniqueCount` set to `count`.
fn sst_start_tag(name: &str, others: &[(String, String)], count: u64) -> String {
    let mut t = format!("<{name}");
    for (k, v) in others {
        // A raw value holds no unescaped quote of the kind around it.
        let q = if v.contains('"') { '\'' } else { '"' };
        t.push_str(&format!(" {k}={q}{v}{q}"));
    }
    t.push_str(&format!(" uniqueCount=\"{count}\">"));
    t
}

/// The first bytes of an OLE compound file (`.xls`).
const CFB_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Rows and columns an `.xls` worksheet can have (BIFF8: 65,536 × 256).
const XLS_MAX_ROWS: u64 = 65_536;
const XLS_MAX_COLS: u64 = 256;

/// Checks the sheet dimensions an `.xls` workbook declares before the
/// reader sizes anything by them.
///
/// calamine reserves room for every cell of a sheet's `DIMENSIONS` record
/// (rows × columns) and subtracts its bounds unchecked: a record claiming
/// 4 billion rows, or a last row before the first, would abort the process
/// on allocation. This walks the BIFF records of the `Workbook` stream
/// (through the `cfb` crate) and refuses any dimensions no Excel sheet can
/// have. Files that are not compound files, or whose stream cannot be
/// found, are left to the reader and its messages.
///
/// ```
/// let l = bpt::limits::Limits::default();
/// assert!(bpt::limits::check_xls(b"PK...", &l).is_ok()); // not an .xls
/// ```
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    if !bytes.starts_with(&CFB_SIGNATURE) {
        return Ok(());
    }
    let Ok(mut cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut stream = Vec::new();
    for name in ["/Workbook", "/Book"] {
        if let Ok(s) = cfb.open_stream(name) {
            // The stream is no larger than the file, which is capped.
            if s.take(limits.max_file_bytes)
                .read_to_end(&mut stream)
                .is_err()
            {
                return Ok(());
            }
            break;
        }
    }
    let mut at = 0usize;
    while let Some(head) = stream.get(at..at.saturating_add(4)) {
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let from = at.saturating_add(4);
        let Some(data) = stream.get(from..from.saturating_add(len)) else {
            break;
        };
        if typ == 0x0200 {
            check_xls_dimensions(data)?;
        }
        at = from.saturating_add(len);
    }
    Ok(())
}

/// One `DIMENSIONS` record (MS-XLS 2.4.90): first row, last row + 1, first
/// column, last column + 1, as calamine reads them.
fn check_xls_dimensions(r: &[u8]) -> Result<(), String> {
    let u16_at = |i: usize| {
        r.get(i..i + 2)
            .map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |i: usize| {
        r.get(i..i + 4).map_or(0, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
    };
    let (rf, rl, cf, cl) = match r.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        // Left to the reader, which reports a record of the wrong length.
        _ => return Ok(()),
    };
    // calamine takes a first column past 0xFF, or after the last, as 0.
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl == 0 || cl == 0 {
        return Ok(());
    }
    if rl <= rf || rl > XLS_MAX_ROWS || cl > XLS_MAX_COLS {
        return Err(format!(
            "a sheet declares rows {} to {} and columns {} to {}, which no .xls sheet can \
             have (at most {XLS_MAX_ROWS} rows and {XLS_MAX_COLS} columns); a damaged or \
             hostile workbook. Open it in Excel and save it as .xlsx",
            rf.saturating_add(1),
            rl,
            cf.saturating_add(1),
            cl
        ));
    }
    Ok(())
}

/// The message for a part nested deeper than the limit.
fn too_deep(limits: &Limits, name: &str) -> String {
    format!(
        "`{name}` nests its XML elements more than {} deep, the limit \
         (BPT_MAX_XML_DEPTH); a damaged or hostile workbook. Raise BPT_MAX_XML_DEPTH \
         if it is genuine",
        limits.max_xml_depth
    )
}

/// Reads `rd` to its end, measuring the XML nesting depth and checking
/// the cell references as it goes; an `InvalidData` error carrying the
/// message when either is refused.
fn drain_measuring_depth<R: BufRead>(
    rd: &mut R,
    limits: &Limits,
    name: &str,
) -> std::io::Result<()> {
    let mut scan = DepthScan::default();
    loop {
        let chunk = rd.fill_buf()?;
        if chunk.is_empty() {
            return Ok(());
        }
        let n = chunk.len();
        if let Err(e) = scan.feed(chunk, limits.max_xml_depth) {
            let message = match e {
                ScanError::TooDeep => too_deep(limits, name),
                ScanError::Reference(r) => bad_reference(name, &r),
            };
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                message,
            ));
        }
        rd.consume(n);
    }
}

fn bad_reference(name: &str, reference: &str) -> String {
    format!(
        "`{name}` refers to cell `{reference}`, outside A1:XFD1048576 (the largest \
         column is XFD, the largest row 1,048,576); a damaged or hostile workbook"
    )
}

/// Why [`DepthScan`] refused a part.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScanError {
    /// The nesting passed the limit.
    TooDeep,
    /// A cell reference (its first bytes) outside Excel's grid.
    Reference(String),
}

/// The element and attribute names of the start tag being scanned, kept
/// across chunks (16 bytes each: longer names are never ones that hold
/// the references calamine parses).
#[derive(Debug, Default, Clone, Copy)]
struct TagNames {
    element: [u8; 16],
    element_len: u8,
    has_element: bool,
    name: [u8; 16],
    /// Bytes in the current name (17: longer than `name`).
    len: u8,
    /// A space, `=` or `/` ended the name: the next name byte starts a new one.
    ended: bool,
}

impl TagNames {
    fn byte(&mut self, c: u8) {
        if c.is_ascii_whitespace() || c == b'=' || c == b'/' {
            self.ended = true;
            return;
        }
        if self.ended {
            if !self.has_element {
                self.has_element = true;
                self.element = self.name;
                self.element_len = self.len;
            }
            self.len = 0;
            self.ended = false;
        }
        if let Some(slot) = self.name.get_mut(usize::from(self.len)) {
            *slot = c;
        }
        self.len = self.len.saturating_add(1).min(17);
    }

    /// Whether the attribute whose value starts here is one calamine
    /// parses as a cell reference or range, with unchecked `u32`
    /// arithmetic (a 25-digit row overflows): `r` of `<c>`/`<row>`, `ref`
    /// of `<dimension>`, `<mergeCell>`, `<hyperlink>`, `<f>` and `<table>`
    /// (local names, any prefix), in whatever part they appear.
    fn holds_reference(&self) -> bool {
        fn local(b: &[u8], len: u8) -> &[u8] {
            let n = b.get(..usize::from(len)).unwrap_or(&[]);
            n.rsplit(|&c| c == b':').next().unwrap_or(n)
        }
        if !self.has_element {
            return false;
        }
        match local(&self.name, self.len) {
            b"r" => matches!(local(&self.element, self.element_len), b"c" | b"row"),
            b"ref" => matches!(
                local(&self.element, self.element_len),
                b"dimension" | b"mergeCell" | b"hyperlink" | b"f" | b"table"
            ),
            _ => false,
        }
    }
}

/// One cell reference being read from an attribute value, byte by byte.
#[derive(Debug, Default, Clone, Copy)]
struct RefToken {
    letters: u8,
    col: u32,
    digits: bool,
    row: u64,
    text: [u8; 20],
    len: u8,
    /// Inside a quoted sheet name (`'Sheet 1'!A1`), which is skipped.
    sheet_quote: bool,
}

impl RefToken {
    fn push_text(&mut self, c: u8) {
        if let Some(slot) = self.text.get_mut(usize::from(self.len)) {
            *slot = c;
        }
        self.len = self.len.saturating_add(1).min(21);
    }

    fn byte(&mut self, c: u8) -> Result<(), ScanError> {
        if self.sheet_quote {
            self.sheet_quote = c != b'\'';
            return Ok(());
        }
        match c {
            b'A'..=b'Z' | b'a'..=b'z' => {
                if self.digits {
                    self.finish()?;
                }
                let v = u32::from(c.to_ascii_uppercase().saturating_sub(b'A')).saturating_add(1);
                self.col = self.col.saturating_mul(26).saturating_add(v);
                self.letters = self.letters.saturating_add(1);
                self.push_text(c);
            }
            b'0'..=b'9' => {
                self.digits = true;
                self.row = self
                    .row
                    .saturating_mul(10)
                    .saturating_add(u64::from(c.saturating_sub(b'0')));
                self.push_text(c);
            }
            // What came before was a sheet name.
            b'!' => *self = RefToken::default(),
            b'\'' => {
                *self = RefToken::default();
                self.sheet_quote = true;
            }
            _ => self.finish()?,
        }
        Ok(())
    }

    /// Checks the reference read so far (inside A1:XFD1048576) and starts
    /// the next.
    fn finish(&mut self) -> Result<(), ScanError> {
        let bad = self.letters > 3 || self.col > 16_384 || self.row > 1_048_576;
        if bad {
            let shown = usize::from(self.len).min(self.text.len());
            let mut r = String::from_utf8_lossy(self.text.get(..shown).unwrap_or(&[])).into_owned();
            if usize::from(self.len) > self.text.len() {
                r.push('…');
            }
            return Err(ScanError::Reference(r));
        }
        *self = RefToken::default();
        Ok(())
    }
}

/// Where [`DepthScan`] is in the markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Scan {
    /// Character data, up to the next `<`.
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// Inside a start tag: the quote of the attribute value it is in (0:
    /// none) and whether the last byte outside quotes was `/`.
    Start { quote: u8, slash: bool },
    /// Inside an end tag, a processing instruction or a declaration, up to `>`.
    ToClose { end_tag: bool },
    /// After `<!`: how many bytes of `--` (a comment) or `[CDATA[` have
    /// been seen.
    Bang { cdata: bool, matched: u8 },
    /// Inside a comment, with the dashes just seen.
    Comment { dashes: u8 },
    /// Inside a CDATA section, with the `]` just seen.
    CData { brackets: u8 },
}

/// The element nesting depth of XML fed to it in chunks of any size, and
/// the cell references calamine parses checked against Excel's grid (see
/// [`TagNames::holds_reference`]): a byte-level state machine (tags, quoted
/// attribute values, comments, CDATA, processing instructions) that never
/// allocates. Malformed XML is measured as best it can be; the reader
/// reports what is wrong with it.
#[derive(Debug, Default)]
struct DepthScan {
    depth: u64,
    state: Scan,
    /// The element and attribute the start tag is at.
    name: TagNames,
    /// Inside the value of an attribute that holds cell references.
    in_ref: bool,
    token: RefToken,
}

impl DepthScan {
    /// Feeds the next chunk; an error as soon as the depth passes `max` or
    /// a cell reference breaks the rule.
    ///
    /// Character data is skipped to the next `<`, and a start or end tag
    /// that lies wholly in the chunk is read in one go by [`Self::whole_tag`]
    /// (the attribute names followed only inside the elements that hold
    /// references); whatever else (a tag cut by the chunk's end, comments,
    /// CDATA, declarations) goes through the byte-level state machine of
    /// [`Self::step`], with the same outcome.
    fn feed(&mut self, b: &[u8], max: u64) -> Result<(), ScanError> {
        let mut i = 0;
        while i < b.len() {
            if self.state == Scan::Text {
                let Some(lt) = find(b'<', b, i) else {
                    return Ok(());
                };
                let after = lt.saturating_add(1);
                if let Some(next) = self.whole_tag(b, after, max)? {
                    i = next;
                    continue;
                }
                self.state = Scan::Open;
                i = after;
                continue;
            }
            i = self.step(b, i, max)?;
        }
        Ok(())
    }

    /// The tag that starts at `b[i]` (just after its `<`), when it is a start
    /// or end tag that ends in `b`: its effect on the depth applied and its
    /// references checked, the index after its `>`. `None`, with nothing
    /// changed, for anything else (left to [`Self::step`]).
    ///
    /// The names are those [`TagNames`] would follow byte by byte: the
    /// element is the run of name bytes just after `<` (empty when a space,
    /// `=` or `/` comes first), and a quoted value belongs to the last run of
    /// name bytes before it, once a second run has begun.
    #[inline]
    fn whole_tag(&mut self, b: &[u8], i: usize, max: u64) -> Result<Option<usize>, ScanError> {
        // Indices stay below `b.len()`, so `+ 1` cannot overflow.
        let n = b.len();
        if i >= n {
            return Ok(None);
        }
        let c0 = b[i];
        match c0 {
            b'/' => {
                let Some(gt) = find(b'>', b, i + 1) else {
                    return Ok(None);
                };
                self.depth = self.depth.saturating_sub(1);
                return Ok(Some(gt + 1));
            }
            b'?' | b'!' => return Ok(None),
            _ => {}
        }
        let depth = self.depth.saturating_add(1);
        if depth > max {
            return Err(ScanError::TooDeep);
        }
        if c0 == b'>' {
            self.depth = depth;
            return Ok(Some(i + 1));
        }
        // The element's name.
        let mut k = i;
        // The attribute holding references: none, `r` or `ref`.
        let want = if class(c0) == NAME_END {
            Want::None
        } else {
            k += 1;
            while k < n && class(b[k]) == NAME {
                k += 1;
            }
            match local_name(&b[i..k]) {
                b"c" | b"row" => Want::R,
                b"dimension" | b"mergeCell" | b"hyperlink" | b"f" | b"table" => Want::Ref,
                _ => Want::None,
            }
        };
        let gt = if want == Want::None {
            // No attribute of this element is a reference: skip the values.
            loop {
                if k >= n {
                    return Ok(None);
                }
                let c = b[k];
                match class(c) {
                    GT => break k,
                    QUOTE => match find(c, b, k + 1) {
                        Some(close) => k = close + 1,
                        None => return Ok(None),
                    },
                    _ => k += 1,
                }
            }
        } else {
            // The name the next value belongs to, whether a space, `=` or a
            // value ended it, and whether a second name has begun.
            let (mut from, mut to) = (i, k);
            let mut ended = false;
            let mut second = false;
            loop {
                if k >= n {
                    return Ok(None);
                }
                let c = b[k];
                match class(c) {
                    GT => break k,
                    QUOTE => {
                        let Some(close) = find(c, b, k + 1) else {
                            return Ok(None);
                        };
                        let named = match local_name(&b[from..to]) {
                            b"r" => want == Want::R,
                            b"ref" => want == Want::Ref,
                            _ => false,
                        };
                        if second && named {
                            let value = &b[k + 1..close];
                            if !plainly_within_grid(value) {
                                let mut token = RefToken::default();
                                for &v in value {
                                    token.byte(v)?;
                                }
                                token.finish()?;
                            }
                        }
                        ended = true;
                        k = close + 1;
                    }
                    NAME_END => {
                        ended = true;
                        k += 1;
                    }
                    _ => {
                        if ended {
                            second = true;
                            ended = false;
                            from = k;
                        }
                        k += 1;
                        while k < n && class(b[k]) == NAME {
                            k += 1;
                        }
                        to = k;
                    }
                }
            }
        };
        // `/>`: an empty element (the byte before is never the `<`).
        self.depth = if b[gt - 1] == b'/' {
            depth.saturating_sub(1)
        } else {
            depth
        };
        Ok(Some(gt + 1))
    }

    /// One step of the byte-level state machine from `b[i]`; the index it
    /// stopped at (`b.len()`: the chunk is used up).
    fn step(&mut self, b: &[u8], mut i: usize, max: u64) -> Result<usize, ScanError> {
        const CDATA: &[u8] = b"[CDATA[";
        match self.state {
            Scan::Text => match memchr::memchr(b'<', &b[i..]) {
                Some(p) => {
                    i = i.saturating_add(p).saturating_add(1);
                    self.state = Scan::Open;
                }
                None => return Ok(b.len()),
            },
            Scan::Open => {
                let c = b[i];
                i = i.saturating_add(1);
                self.state = match c {
                    b'/' => Scan::ToClose { end_tag: true },
                    b'?' => Scan::ToClose { end_tag: false },
                    b'!' => Scan::Bang {
                        cdata: false,
                        matched: 0,
                    },
                    _ => {
                        self.depth = self.depth.saturating_add(1);
                        if self.depth > max {
                            return Err(ScanError::TooDeep);
                        }
                        self.name = TagNames::default();
                        self.name.byte(c);
                        if c == b'>' {
                            Scan::Text
                        } else {
                            Scan::Start {
                                quote: 0,
                                slash: false,
                            }
                        }
                    }
                };
            }
            Scan::Start { quote: 0, slash } => {
                match memchr::memchr3(b'>', b'"', b'\'', &b[i..]) {
                    Some(p) => {
                        let at = i.saturating_add(p);
                        for &c in b.get(i..at).unwrap_or(&[]) {
                            self.name.byte(c);
                        }
                        let slash = if p > 0 {
                            b[at.saturating_sub(1)] == b'/'
                        } else {
                            slash
                        };
                        i = at.saturating_add(1);
                        self.state = match b[at] {
                            b'>' => {
                                if slash {
                                    self.depth = self.depth.saturating_sub(1);
                                }
                                Scan::Text
                            }
                            q => {
                                self.in_ref = self.name.holds_reference();
                                self.name.ended = true;
                                Scan::Start {
                                    quote: q,
                                    slash: false,
                                }
                            }
                        };
                    }
                    None => {
                        for &c in b.get(i..).unwrap_or(&[]) {
                            self.name.byte(c);
                        }
                        // b[i..] is not empty: its last byte decides.
                        let slash = b.last() == Some(&b'/');
                        self.state = Scan::Start { quote: 0, slash };
                        return Ok(b.len());
                    }
                }
            }
            Scan::Start { quote, .. } if self.in_ref => {
                let c = b[i];
                i = i.saturating_add(1);
                if c == quote {
                    self.token.finish()?;
                    self.in_ref = false;
                    self.state = Scan::Start {
                        quote: 0,
                        slash: false,
                    };
                } else {
                    self.token.byte(c)?;
                }
            }
            Scan::Start { quote, .. } => match memchr::memchr(quote, &b[i..]) {
                Some(p) => {
                    i = i.saturating_add(p).saturating_add(1);
                    self.state = Scan::Start {
                        quote: 0,
                        slash: false,
                    };
                }
                None => return Ok(b.len()),
            },
            Scan::ToClose { end_tag } => match memchr::memchr(b'>', &b[i..]) {
                Some(p) => {
                    i = i.saturating_add(p).saturating_add(1);
                    if end_tag {
                        self.depth = self.depth.saturating_sub(1);
                    }
                    self.state = Scan::Text;
                }
                None => return Ok(b.len()),
            },
            Scan::Bang { cdata, matched } => {
                let c = b[i];
                i = i.saturating_add(1);
                let pat: &[u8] = if cdata { CDATA } else { b"--" };
                let m = usize::from(matched);
                self.state = if m == 0 && (c == b'-' || c == b'[') {
                    Scan::Bang {
                        cdata: c == b'[',
                        matched: 1,
                    }
                } else if m > 0 && pat.get(m) == Some(&c) {
                    if m.saturating_add(1) == pat.len() {
                        if cdata {
                            Scan::CData { brackets: 0 }
                        } else {
                            Scan::Comment { dashes: 0 }
                        }
                    } else {
                        Scan::Bang {
                            cdata,
                            matched: matched.saturating_add(1),
                        }
                    }
                } else if c == b'>' {
                    Scan::Text
                } else {
                    Scan::ToClose { end_tag: false }
                };
            }
            Scan::Comment { dashes } => {
                let c = b[i];
                i = i.saturating_add(1);
                self.state = match c {
                    b'-' => Scan::Comment {
                        dashes: dashes.saturating_add(1).min(2),
                    },
                    b'>' if dashes >= 2 => Scan::Text,
                    _ => Scan::Comment { dashes: 0 },
                };
            }
            Scan::CData { brackets } => {
                let c = b[i];
                i = i.saturating_add(1);
                self.state = match c {
                    b']' => Scan::CData {
                        brackets: brackets.saturating_add(1).min(2),
                    },
                    b'>' if brackets >= 2 => Scan::Text,
                    _ => Scan::CData { brackets: 0 },
                };
            }
        }
        Ok(i)
    }
}

/// The attribute of an element that holds references
/// ([`TagNames::holds_reference`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    None,
    R,
    Ref,
}

/// What a byte is to [`DepthScan::whole_tag`]: part of a name, the end of
/// one (a space, `=` or `/`, as [`TagNames::byte`] has it), a quote or `>`.
const NAME: u8 = 0;
const NAME_END: u8 = 1;
const QUOTE: u8 = 2;
const GT: u8 = 3;
const CLASSES: [u8; 256] = {
    let mut t = [NAME; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_whitespace() || b == b'=' || b == b'/' {
            NAME_END
        } else if b == b'"' || b == b'\'' {
            QUOTE
        } else if b == b'>' {
            GT
        } else {
            NAME
        };
        c += 1;
    }
    t
};

#[inline]
fn class(c: u8) -> u8 {
    CLASSES[usize::from(c)]
}

/// Whether `v` is references [`RefToken`] would accept, of the plain kind
/// a sheet holds (`A1`, `B2:C3`, `$D$4`, `12`): letters then digits, split
/// by `:` or `$`, at most XFD and 1,048,576. `false` for anything else,
/// which [`RefToken`] then reads byte by byte.
#[inline(always)]
fn plainly_within_grid(v: &[u8]) -> bool {
    // No overflow: at most 3 letters (18,278) and a row checked before it
    // grows ten times.
    let (mut letters, mut col, mut row, mut digits) = (0u8, 0u32, 0u32, false);
    for &c in v {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' if !digits => {
                if letters == 3 {
                    return false;
                }
                letters += 1;
                col = col * 26 + u32::from((c | 0x20) - b'a') + 1;
            }
            b'0'..=b'9' => {
                digits = true;
                row = row * 10 + u32::from(c - b'0');
                if row > 1_048_576 {
                    return false;
                }
            }
            b':' | b'$' => {
                if col > 16_384 {
                    return false;
                }
                (letters, col, row, digits) = (0, 0, 0, false);
            }
            _ => return false,
        }
    }
    col <= 16_384
}

/// The local name of a name in a tag as [`TagNames::holds_reference`] sees
/// it: after the last `:`, and empty for a name longer than the 16 bytes it
/// keeps.
#[inline]
fn local_name(n: &[u8]) -> &[u8] {
    if n.len() > 16 {
        return &[];
    }
    n.rsplit(|&c| c == b':').next().unwrap_or(n)
}

/// The first `needle` in `b` from `from`: the next few bytes by hand (in a
/// sheet most text and values are a few bytes long, shorter than what
/// `memchr` needs to pay off), then `memchr`.
#[inline]
fn find(needle: u8, b: &[u8], from: usize) -> Option<usize> {
    let n = b.len();
    let near = n.min(from.saturating_add(16));
    let mut k = from;
    while k < near {
        if b[k] == needle {
            return Some(k);
        }
        k += 1;
    }
    if near >= n {
        return None;
    }
    memchr::memchr(needle, &b[near..]).map(|p| near + p)
}

/// Counts the bytes inflated across all entries; an error past the limit.
struct Meter<'t, R> {
    inner: R,
    total: &'t mut u64,
    max: u64,
    over: bool,
}

impl<R: Read> Read for Meter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.total = self.total.saturating_add(n as u64);
        if *self.total > self.max {
            self.over = true;
            return Err(std::io::Error::other("over the uncompressed-size limit"));
        }
        Ok(n)
    }
}

/// What kind of part an entry is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    SharedStrings,
    Styles,
    /// An OpenDocument spreadsheet's `content.xml`: its sheets.
    OdsContent,
    OtherXml,
    Opaque,
}

impl Part {
    fn of(name: &str) -> Part {
        let file = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
        if file == "sharedstrings.xml" {
            Part::SharedStrings
        } else if file == "styles.xml" {
            Part::Styles
        } else if name == "content.xml" {
            Part::OdsContent
        } else if file.ends_with(".xml") || file.ends_with(".rels") {
            Part::OtherXml
        } else {
            // Binary parts (.bin, images) and VML, which is not well-formed XML.
            Part::Opaque
        }
    }
}

/// What the scan of one XML part found.
#[derive(Debug, Default)]
struct Facts {
    /// Shared strings (`<si>`) in the part.
    strings: u64,
    /// The `uniqueCount` the `<sst>` element declares (`u64::MAX` when it
    /// is not a number `u64` holds).
    unique_count: Option<u64>,
    /// Where the `<sst>` start tag lies in the part (from, to), its name
    /// and its other attributes (raw), to write it again with a true count.
    sst_tag: Option<SstTag>,
}

/// Streams one XML part, checking the depth and counts against the limits.
/// An XML syntax error ends the scan quietly (the reader reports it).
fn scan_xml<R: BufRead>(rd: R, part: Part, limits: &Limits, name: &str) -> Result<Facts, String> {
    let mut xml = quick_xml::Reader::from_reader(rd);
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::with_capacity(1024);
    let mut facts = Facts::default();
    let (mut depth, mut text, mut xfs, mut num_fmts) = (0u64, 0u64, 0u64, 0u64);
    let mut seen_sst = false;
    let mut ods = OdsBox::default();
    let deep = |d: u64| -> Result<(), String> {
        if d > limits.max_xml_depth {
            Err(too_deep(limits, name))
        } else {
            Ok(())
        }
    };
    let count = |n: &mut u64, max: u64, what: &str, var: &str| -> Result<(), String> {
        *n += 1;
        if *n > max {
            Err(format!(
                "`{name}` holds more than {max} {what}, the limit ({var}); a damaged or \
                 hostile workbook. Raise {var} if it is genuine"
            ))
        } else {
            Ok(())
        }
    };
    loop {
        buf.clear();
        let from = xml.buffer_position();
        let ev = match xml.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) => break,
        };
        let start = match &ev {
            Event::Start(e) => {
                depth += 1;
                deep(depth)?;
                Some(e)
            }
            Event::Empty(e) => {
                deep(depth + 1)?;
                Some(e)
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if part == Part::OdsContent {
                    match e.local_name().as_ref() {
                        "table-row" => ods.end_row(limits, name)?,
                        "table" => ods = OdsBox::default(),
                        _ => {}
                    }
                }
                None
            }
            Event::Text(t) if part == Part::SharedStrings => {
                text = text.saturating_add(t.len() as u64);
                None
            }
            Event::CData(t) if part == Part::SharedStrings => {
                text = text.saturating_add(t.len() as u64);
                None
            }
            Event::GeneralRef(t) if part == Part::SharedStrings => {
                text = text.saturating_add(t.len() as u64 + 2);
                None
            }
            Event::Eof => break,
            _ => None,
        };
        if part == Part::SharedStrings && text > limits.max_shared_string_bytes {
            return Err(format!(
                "`{name}` holds more than {} of shared-string text, the limit \
                 (BPT_MAX_SHARED_STRING_BYTES); a damaged or hostile workbook. Raise \
                 BPT_MAX_SHARED_STRING_BYTES if it is genuine",
                human(limits.max_shared_string_bytes)
            ));
        }
        let Some(e) = start else { continue };
        let local = e.local_name();
        match (part, local.as_ref()) {
            (Part::SharedStrings, "si") => count(
                &mut facts.strings,
                limits.max_shared_strings,
                "shared strings",
                "BPT_MAX_SHARED_STRINGS",
            )?,
            // The first `<sst>` start tag is the one calamine takes the
            // count from.
            (Part::SharedStrings, "sst") if !seen_sst && matches!(ev, Event::Start(_)) => {
                seen_sst = true;
                let others = e
                    .html_attributes()
                    .with_checks(false)
                    .flatten()
                    .filter(|a| a.key.as_ref() != "uniqueCount")
                    .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
                    .collect();
                facts.sst_tag = Some((
                    from,
                    xml.buffer_position(),
                    e.name().as_ref().to_string(),
                    others,
                ));
                facts.unique_count = match e.try_get_attribute("uniqueCount") {
                    Ok(Some(a)) => Some(
                        a.value
                            .trim()
                            .parse::<u64>()
                            .ok()
                            // Too large even for u64 (or not a number
                            // calamine reads): treat as huge.
                            .unwrap_or(u64::MAX),
                    ),
                    _ => None,
                };
            }
            (Part::OdsContent, "table") => {
                ods = OdsBox {
                    sheet: local_attr(e, "name").unwrap_or_default(),
                    ..OdsBox::default()
                };
            }
            (Part::OdsContent, "table-row") => {
                ods.start_row(local_attr(e, "number-rows-repeated"));
                if matches!(ev, Event::Empty(_)) {
                    ods.end_row(limits, name)?;
                }
            }
            (Part::OdsContent, "table-cell" | "covered-table-cell") => {
                // A cell with a value, or any content (text, a note), is
                // filled; an empty element is a blank (perhaps styled) cell.
                let filled = matches!(ev, Event::Start(_)) || local_attr(e, "value-type").is_some();
                ods.cell(local_attr(e, "number-columns-repeated"), filled);
            }
            (Part::Styles, "xf") => count(
                &mut xfs,
                limits.max_styles,
                "cell formats (xf)",
                "BPT_MAX_STYLES",
            )?,
            (Part::Styles, "numFmt") => count(
                &mut num_fmts,
                limits.max_styles,
                "number formats (numFmt)",
                "BPT_MAX_STYLES",
            )?,
            _ => {}
        }
    }
    Ok(facts)
}

/// The value of the attribute with local name `local` (any prefix).
fn local_attr(e: &quick_xml::events::BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

/// The box from A1 to the last filled row and column of the `.ods` sheet
/// being scanned, counting repeated rows and columns as calamine expands
/// them (a 1 KB file can repeat a filled cell over 16,384 columns of 6,000
/// rows: calamine would hold 98 million cells, 6 GB).
#[derive(Debug, Default)]
struct OdsBox {
    sheet: String,
    /// Zero-based index of the current row, and how often it repeats.
    row: u64,
    repeat: u64,
    /// Zero-based index of the next cell in the current row.
    col: u64,
    row_filled: bool,
    /// The last filled row and column plus one (0: none yet).
    rows: u64,
    cols: u64,
}

impl OdsBox {
    fn times(n: Option<String>) -> u64 {
        n.and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    }

    fn start_row(&mut self, repeat: Option<String>) {
        self.repeat = Self::times(repeat);
        self.col = 0;
        self.row_filled = false;
    }

    fn cell(&mut self, repeat: Option<String>, filled: bool) {
        self.col = self.col.saturating_add(Self::times(repeat));
        if filled {
            self.cols = self.cols.max(self.col);
            self.row_filled = true;
        }
    }

    fn end_row(&mut self, limits: &Limits, name: &str) -> Result<(), String> {
        self.row = self.row.saturating_add(self.repeat);
        if self.row_filled {
            self.rows = self.rows.max(self.row);
            let cells = self.rows.saturating_mul(self.cols);
            if cells > limits.max_sheet_cells {
                return Err(format!(
                    "`{name}`: sheet `{}` has filled cells as far as row {} and column {}: \
                     {cells} cells from A1, more than the limit of {} (BPT_MAX_SHEET_CELLS), \
                     which the reader would hold in memory; a damaged or hostile workbook. \
                     Raise BPT_MAX_SHEET_CELLS if it is genuine",
                    self.sheet, self.rows, self.cols, limits.max_sheet_cells
                ));
            }
        }
        self.repeat = 1;
        self.row_filled = false;
        Ok(())
    }
}

/// A copy of the package whose entry `index` (`sharedStrings.xml`) declares
/// `uniqueCount="count"` in its `<sst>` start tag (at `tag`); every other
/// entry is copied as it is stored, without inflating it again.
type SstTag = (u64, u64, String, Vec<(String, String)>);

fn repaired(bytes: &[u8], index: usize, count: u64, tag: &SstTag) -> Result<Vec<u8>, String> {
    let damaged = |e: zip::result::ZipError| format!("damaged zip archive: {e}");
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..src.len() {
        if i == index {
            let mut f = src.by_index(i).map_err(damaged)?;
            let name = f.name().map_err(damaged)?.to_string();
            // Already inflated once within the limits.
            let mut xml = Vec::new();
            f.read_to_end(&mut xml)
                .map_err(|e| format!("damaged zip entry `{name}`: {e}"))?;
            let (from, to, tag_name, others) = tag;
            let (from, to) = (
                usize::try_from(*from).unwrap_or(usize::MAX),
                usize::try_from(*to).unwrap_or(usize::MAX),
            );
            if from > to || to > xml.len() {
                return Err(format!("damaged zip entry `{name}`"));
            }
            let mut fixed = Vec::with_capacity(xml.len() + 32);
            fixed.extend_from_slice(&xml[..from]);
            fixed.extend_from_slice(sst_start_tag(tag_name, others, count).as_bytes());
            fixed.extend_from_slice(&xml[to..]);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            out.start_file(name.as_str(), opts).map_err(damaged)?;
            out.write_all(&fixed)
                .map_err(|e| format!("cannot repair `{name}`: {e}"))?;
        } else {
            let f = src.by_index_raw(i).map_err(damaged)?;
            out.raw_copy_file(f).map_err(damaged)?;
        }
    }
    Ok(out.finish().map_err(damaged)?.into_inner())
}

fn too_big(limits: &Limits, name: &str) -> String {
    format!(
        "the workbook unpacks to more than {} (at `{name}`); a zip bomb or not a bid. \
         Raise BPT_MAX_UNCOMPRESSED_BYTES if it is genuine",
        human(limits.max_uncompressed_bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, d) in entries {
            w.start_file(*n, opts).unwrap();
            w.write_all(d).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn bomb_is_refused_and_small_zip_passes() {
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", vec![b'a'; 8 << 20])]);
        assert!(bomb.len() < 64 << 10, "compresses well: {}", bomb.len());
        let l = Limits {
            max_uncompressed_bytes: 1 << 20,
            ..Limits::default()
        };
        let e = check_zip(&bomb, &l).unwrap_err();
        assert!(e.contains("zip bomb"), "{e}");
        assert!(check_zip(&bomb, &Limits::default()).is_ok());
    }

    #[test]
    fn lying_unique_count_is_repaired_and_the_rest_copied() {
        let sst = "<?xml version=\"1.0\"?>\n<!-- uniqueCount=\"9\" -->\
                   <sst xmlns=\"m\" count='3' uniqueCount=\"1000000000000\"><si><t>a</t></si>\
                   <si><t>b</t></si></sst>";
        let z = zip_of(&[
            ("xl/workbook.xml", b"<workbook/>".to_vec()),
            ("xl/sharedStrings.xml", sst.as_bytes().to_vec()),
        ]);
        let fixed = check_package(&z, &Limits::default()).unwrap().unwrap();
        let mut a = zip::ZipArchive::new(Cursor::new(fixed)).unwrap();
        let mut x = String::new();
        a.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut x)
            .unwrap();
        assert_eq!(
            x,
            "<?xml version=\"1.0\"?>\n<!-- uniqueCount=\"9\" --><sst xmlns=\"m\" count=\"3\" \
             uniqueCount=\"2\"><si><t>a</t></si><si><t>b</t></si></sst>"
        );
        let mut w = String::new();
        a.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_string(&mut w)
            .unwrap();
        assert_eq!(w, "<workbook/>");
        // A true count needs no copy.
        let ok = zip_of(&[(
            "xl/sharedStrings.xml",
            sst.replace("1000000000000", "2").into_bytes(),
        )]);
        assert_eq!(check_package(&ok, &Limits::default()), Ok(None));
    }

    #[test]
    fn counts_and_depth_are_measured_not_declared() {
        let l = Limits {
            max_shared_strings: 2,
            max_styles: 1,
            max_xml_depth: 3,
            ..Limits::default()
        };
        let sst = |n: usize| {
            zip_of(&[(
                "xl/sharedStrings.xml",
                format!("<sst uniqueCount=\"1\">{}</sst>", "<si/>".repeat(n)).into_bytes(),
            )])
        };
        assert_eq!(check_package(&sst(2), &l), Ok(None));
        let e = check_package(&sst(3), &l).unwrap_err();
        assert!(
            e.starts_with("`xl/sharedStrings.xml` holds more than 2 shared strings"),
            "{e}"
        );
        let styles = zip_of(&[(
            "xl/styles.xml",
            b"<styleSheet><cellXfs><xf/><xf/></cellXfs></styleSheet>".to_vec(),
        )]);
        let e = check_package(&styles, &l).unwrap_err();
        assert!(
            e.starts_with("`xl/styles.xml` holds more than 1 cell formats (xf)"),
            "{e}"
        );
        let deep = |x: &str| zip_of(&[("xl/workbook.xml", x.as_bytes().to_vec())]);
        assert_eq!(check_package(&deep("<a><b><c/></b></a>"), &l), Ok(None));
        let e = check_package(&deep("<a><b><c><d/></c></b></a>"), &l).unwrap_err();
        assert!(
            e.starts_with("`xl/workbook.xml` nests its XML elements more than 3 deep"),
            "{e}"
        );
        // Not XML (VML, binary parts): only counted.
        assert_eq!(
            check_package(
                &zip_of(&[("xl/drawings/vmlDrawing1.vml", b"<a><b><c><d><e>".to_vec())]),
                &l
            ),
            Ok(None)
        );
        // Broken XML is left to the reader.
        assert_eq!(check_package(&deep("<a><b></c"), &l), Ok(None));
    }

    /// Whether [`DepthScan`] keeps `xml`, fed in chunks of `n` bytes,
    /// within a nesting limit of `max`.
    fn within(xml: &[u8], n: usize, max: u64) -> bool {
        let mut scan = DepthScan::default();
        xml.chunks(n).all(|c| scan.feed(c, max).is_ok())
    }

    #[test]
    fn the_byte_scanner_measures_depth_as_an_xml_parser_does() {
        // (xml, deepest nesting): tags, empty elements, quoted `>` and `/`,
        // comments, CDATA, processing instructions and declarations.
        let cases: &[(&str, u64)] = &[
            ("<a><b><c/></b></a>", 3),
            ("<?xml version=\"1.0\"?><a x=\"1\" y='2'><b/><b/></a>", 2),
            ("<a t=\"x>y/\"><b u='/>'></b></a>", 2),
            ("<a><!-- <b><c><d> --><e/></a>", 2),
            ("<a><![CDATA[<b><c><d>]]></a>", 1),
            ("<!DOCTYPE a><a><b/ ></a>", 2),
            ("<a><!----><b></b></a>", 2),
            (
                "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>",
                5,
            ),
        ];
        for &(xml, depth) in cases {
            // The depth is the smallest limit it passes, whatever the chunks.
            for n in [1, 2, 3, 7, xml.len()] {
                assert!(within(xml.as_bytes(), n, depth), "{xml} in chunks of {n}");
                assert!(
                    !within(xml.as_bytes(), n, depth - 1),
                    "{xml} in chunks of {n}"
                );
            }
        }
    }

    /// What [`DepthScan`] says of the references in `xml`, the same
    /// whatever the chunks it is fed in.
    fn references(xml: &str) -> Result<(), ScanError> {
        let mut first = None;
        for n in [1, 2, 3, 5, 7, 11, xml.len().max(1)] {
            let mut scan = DepthScan::default();
            let r = xml.as_bytes().chunks(n).try_for_each(|c| scan.feed(c, 128));
            match &first {
                None => first = Some(r),
                Some(f) => assert_eq!(f, &r, "{xml} in chunks of {n}"),
            }
        }
        first.unwrap()
    }

    #[test]
    fn cell_references_past_the_grid_are_refused() {
        let ok = [
            r#"<row r="1"><c r="A1" s="3"><v>1</v></c><c r="XFD1048576"/></row>"#,
            r#"<dimension ref="A1:XFD1048576"/><mergeCell ref="B2:C3"/>"#,
            r#"<hyperlink ref="A1" location="'Worksheet Number 2'!A1" r:id="rId99999999999"/>"#,
            r#"<c r='a1'/><f t="shared" ref="$B$2:$B$9" si="0"/>"#,
            r#"<c rr="AAAAAAAAAA1" sref="A99999999999"/><cell r="A1"/>"#,
            r##"<x:c x:r="B7"/><c r="'Sheet 1'!A1"/><c r="#REF!"/>"##,
            // Only the attributes calamine parses as references are checked.
            r#"<selection activeCell="ZZZZ9" sqref="A1 B2:ZZZZZZZZ"/>"#,
            r#"<worksheetSource ref="Revenue"/><location ref="A1:XFE2000000"/>"#,
            r#"<c:f r="Extraordinary1"/><cc r="ABCDEFG1"/>"#,
            // Text, comments and other attributes are not references.
            "<c r=\"A1\" t=\"s\"><v>99999999999</v><!-- <c r=\"ZZZZ9\"/> --></c>",
        ];
        for xml in ok {
            assert_eq!(references(xml), Ok(()), "{xml}");
        }
        let refused = [
            (
                r#"<row r="1"><c r="L9999999999999999999999936" s="1"/></row>"#,
                "L9999999999999999999…",
            ),
            (r#"<c r="XFE1"/>"#, "XFE1"),
            (r#"<c r="A1048577"/>"#, "A1048577"),
            (r#"<row r="1048577">"#, "1048577"),
            (r#"<mergeCell ref="A1:AAAA2"/>"#, "AAAA2"),
            (r#"<dimension ref="A1:ZZZZZZZZ"/>"#, "ZZZZZZZZ"),
            (r#"<x:c x:r="B99999999"/>"#, "B99999999"),
            (r#"<c s="1" r = 'A1B99999999'/>"#, "B99999999"),
            (r#"<table id="1" ref="A1:C4294967296"/>"#, "C4294967296"),
            (r#"<hyperlink ref="ABCDEFG1"/>"#, "ABCDEFG1"),
            (
                r#"<f t="shared" ref="A1:B99999999999" si="0"/>"#,
                "B99999999999",
            ),
        ];
        for (xml, shown) in refused {
            assert_eq!(
                references(xml),
                Err(ScanError::Reference(shown.into())),
                "{xml}"
            );
        }
    }

    /// What [`DepthScan`] makes of `xml` (the depth it ends at, or why it
    /// refused it: the scan stops there) in one chunk (its tags read whole)
    /// and one byte at a time (every byte through the state machine), with
    /// a depth limit of 6.
    fn both_ways(xml: &[u8]) -> [Result<u64, ScanError>; 2] {
        let mut whole = DepthScan::default();
        let a = whole.feed(xml, 6).map(|()| whole.depth);
        let mut bytes = DepthScan::default();
        let b = xml
            .chunks(1)
            .try_for_each(|c| bytes.feed(c, 6))
            .map(|()| bytes.depth);
        [a, b]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 4000, .. proptest::prelude::ProptestConfig::default()
        })]

        /// Tags read whole measure and refuse exactly what the byte-level
        /// state machine does, on markup made of the bytes that matter.
        #[test]
        fn whole_tags_are_read_as_the_state_machine_reads_them(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<", ">", "/", "\"", "'", "=", " ", "\t", "!", "?", "-", "[CDATA[", "]", ":",
                "c", "row", "f", "x:c", "r", "ref", "mergeCell", "dimension", "table", "hyperlink",
                "abcdefghijklmnopq", "abcdefghijklmn:r", "A1", "XFD", "XFE", "1048577", "9", "!",
                "$", "xfd1048576", "AAAA", "B2:C3", "0", "'S 1'!", "#REF!", "\u{e9}",
                "<c r=\"", "<row r='", "<f ref=\"A1:", "\"/>", "'>", "</c>", "<v>1</v>", "<!--", "-->",
            ]), 0..40)
        ) {
            let xml = parts.concat();
            let [whole, bytes] = both_ways(xml.as_bytes());
            proptest::prop_assert_eq!(&whole, &bytes, "{}", xml);
            // Tags cut by the chunks' ends, read on by the state machine.
            for n in [3, 5, 8] {
                let mut scan = DepthScan::default();
                let r = xml
                    .as_bytes()
                    .chunks(n)
                    .try_for_each(|c| scan.feed(c, 6))
                    .map(|()| scan.depth);
                proptest::prop_assert_eq!(&r, &whole, "{} in chunks of {}", xml, n);
            }
        }
    }

    /// An `.ods` package whose one sheet `S` has `rows` as its table rows.
    fn ods_with_rows(rows: &str) -> Vec<u8> {
        let content = format!(
            "<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\">\
             <office:body><office:spreadsheet><table:table table:name=\"S\">{rows}\
             </table:table></office:spreadsheet></office:body></office:document-content>"
        );
        zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
            ),
            ("content.xml", content.into_bytes()),
        ])
    }

    #[test]
    fn an_ods_sheet_whose_repeats_fill_too_many_cells_is_refused() {
        let filled = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;
        let l = Limits::default();
        // As LibreOffice saves a sheet: trailing blank rows and columns
        // repeated to the edge of the grid, which calamine drops.
        let lo = format!(
            r#"<table:table-row table:number-rows-repeated="3">{filled}<table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048573"><table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/></table:table-row>"#
        );
        assert_eq!(check_zip(&ods_with_rows(&lo), &l), Ok(()));
        // 2,000 rows of a filled cell repeated over 3,000 columns.
        let big = r#"<table:table-row table:number-rows-repeated="2000"><table:table-cell office:value-type="string" table:number-columns-repeated="3000"><text:p>x</text:p></table:table-cell></table:table-row>"#;
        assert_eq!(
            check_zip(&ods_with_rows(big), &l),
            Err(
                "`content.xml`: sheet `S` has filled cells as far as row 2000 and column 3000: \
                 6000000 cells from A1, more than the limit of 5000000 (BPT_MAX_SHEET_CELLS), \
                 which the reader would hold in memory; a damaged or hostile workbook. Raise \
                 BPT_MAX_SHEET_CELLS if it is genuine"
                    .to_string()
            )
        );
        // One filled cell far from A1, after blank repeats (an empty row
        // element counts its repeats too).
        let far = format!(
            r#"<table:table-row>{filled}</table:table-row><table:table-row table:number-rows-repeated="99998"/><table:table-row><table:table-cell table:number-columns-repeated="99"/>{filled}</table:table-row>"#
        );
        let err = check_zip(&ods_with_rows(&far), &l).unwrap_err();
        assert!(
            err.contains("as far as row 100000 and column 100: 10000000 cells"),
            "{err}"
        );
        let raised = Limits {
            max_sheet_cells: 10_000_000,
            ..l
        };
        assert_eq!(check_zip(&ods_with_rows(&far), &raised), Ok(()));
    }

    #[test]
    fn a_package_with_a_reference_past_the_grid_is_refused() {
        let sheet = br#"<worksheet><sheetData><row r="1"><c r="L9999999999999999999999936"><v>1</v></c></row></sheetData></worksheet>"#;
        let zip = zip_of(&[("xl/worksheets/sheet3.xml", sheet.to_vec())]);
        assert_eq!(
            check_zip(&zip, &Limits::default()),
            Err(
                "`xl/worksheets/sheet3.xml` refers to cell `L9999999999999999999…`, outside \
                 A1:XFD1048576 (the largest column is XFD, the largest row 1,048,576); a \
                 damaged or hostile workbook"
                    .to_string()
            )
        );
    }

    /// An `.xls` compound file whose Workbook stream holds a BOF, one
    /// `DIMENSIONS` record with `dims` and an EOF.
    fn xls_with_dimensions(dims: &[u8]) -> Vec<u8> {
        let mut stream = Vec::new();
        let mut record = |typ: u16, data: &[u8]| {
            stream.extend_from_slice(&typ.to_le_bytes());
            stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
            stream.extend_from_slice(data);
        };
        record(
            0x0809,
            &[0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        record(0x0200, dims);
        record(0x000A, &[]);
        let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        cfb.create_stream("/Workbook")
            .unwrap()
            .write_all(&stream)
            .unwrap();
        cfb.flush().unwrap();
        cfb.into_inner().into_inner()
    }

    fn biff8_dimensions(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&rf.to_le_bytes());
        d.extend_from_slice(&rl.to_le_bytes());
        d.extend_from_slice(&cf.to_le_bytes());
        d.extend_from_slice(&cl.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        d
    }

    #[test]
    fn xls_dimensions_no_sheet_can_have_are_refused() {
        let l = Limits::default();
        let check = |d: Vec<u8>| check_xls(&xls_with_dimensions(&d), &l);
        // The used range of a real sheet, and the largest sheet BIFF8 holds.
        assert_eq!(check(biff8_dimensions(0, 120, 0, 20)), Ok(()));
        assert_eq!(check(biff8_dimensions(0, 65_536, 0, 256)), Ok(()));
        // An empty sheet.
        assert_eq!(check(biff8_dimensions(0, 0, 0, 0)), Ok(()));
        // 4 billion rows (calamine would reserve rows × columns cells), a
        // last row before the first (its unchecked subtraction), too many
        // columns.
        let e = check(biff8_dimensions(0, u32::MAX, 0, 256)).unwrap_err();
        assert_eq!(
            e,
            "a sheet declares rows 1 to 4294967295 and columns 1 to 256, which no .xls sheet \
             can have (at most 65536 rows and 256 columns); a damaged or hostile workbook. \
             Open it in Excel and save it as .xlsx"
        );
        assert!(check(biff8_dimensions(10, 5, 0, 4)).is_err());
        assert!(check(biff8_dimensions(0, 10, 0, 1000)).is_err());
        // BIFF5's 10-byte record.
        assert_eq!(check(vec![0, 0, 10, 0, 0, 0, 4, 0, 0, 0]), Ok(()));
        assert!(check(vec![20, 0, 10, 0, 0, 0, 4, 0, 0, 0]).is_err());
        // Not a compound file, or no Workbook stream: left to the reader.
        assert_eq!(check_xls(b"PK\x03\x04", &l), Ok(()));
        let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        cfb.flush().unwrap();
        assert_eq!(check_xls(&cfb.into_inner().into_inner(), &l), Ok(()));
    }

    #[test]
    fn large_parts_have_their_depth_measured_too() {
        let l = Limits {
            max_xml_depth: 128,
            ..Limits::default()
        };
        // A sheet's worth of cells (over 1 MiB), then a nest 200 deep near
        // the end.
        let cell = "<c r=\"A1\" s=\"1\"><v>12</v></c>";
        let rows = cell.repeat(((1 << 20) / cell.len()) + 10);
        let sheet = |nest: usize| {
            format!(
                "<worksheet><sheetData><row>{rows}{}{}</row></sheetData></worksheet>",
                "<x>".repeat(nest),
                "</x>".repeat(nest)
            )
            .into_bytes()
        };
        let pkg = |nest| zip_of(&[("xl/worksheets/sheet1.xml", sheet(nest))]);
        assert_eq!(check_package(&pkg(100), &l), Ok(None));
        let e = check_package(&pkg(200), &l).unwrap_err();
        assert!(
            e.starts_with(
                "`xl/worksheets/sheet1.xml` nests its XML elements more than 128 deep, the limit \
                 (BPT_MAX_XML_DEPTH)"
            ),
            "{e}"
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("64K"), Some(65536));
        assert_eq!(parse_size(" 10 "), Some(10));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size(""), None);
        assert_eq!(human(512 << 20), "512 MiB");
    }
}
