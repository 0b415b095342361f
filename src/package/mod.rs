//! Editing the user's own workbook package (`.xlsx`, `.xlsm`) in place.
//!
//! An output of `annotate`, `recalc -o`, `finalize` or `reallocate -o` is
//! the input file plus a described set of edits. [`Package`] opens the zip,
//! and on [`Package::save`] copies every part it did not change as raw
//! compressed bytes (no recompression, so the part is byte-identical);
//! changed parts are re-deflated. Edits inside a part are splices made
//! with a streaming XML reader (quick-xml): the bytes of the part that the
//! edit does not concern are copied through unchanged.
//!
//! What can be edited:
//! - cells ([`Package::edit_cells`]): a formula's cached result (the formula
//!   and style kept), a constant (text written inline, `t="inlineStr"`, so
//!   `sharedStrings.xml` is untouched), the style, removal; whole rows
//!   cleared;
//! - styles ([`Package::fill_style`], [`Package::add_xf`]): new fills,
//!   fonts, number formats and cell formats appended, so every existing
//!   style index keeps its meaning;
//! - notes ([`Package::add_notes`]): a comments part and its VML drawing
//!   (created, or added to: an existing note is kept and the new text
//!   appended);
//! - a new worksheet ([`Package::add_sheet_first`]) placed first in the tab
//!   order, with its `[Content_Types].xml`, `workbook.xml` and
//!   `workbook.xml.rels` entries (sheet-scoped defined names and the active
//!   tab are shifted so they keep pointing at the same sheets);
//! - `xl/calcChain.xml` dropped when formulas are removed (Excel rebuilds
//!   it; a chain naming cells without formulas makes Excel repair the file).
//!
//! ```
//! use bpt::package::{CellEdit, Content, Package, Scalar};
//! use bpt::cellref::CellRef;
//! let bytes = std::fs::read("sample-bids/hmo-mapd-2013.xlsx").unwrap();
//! let mut p = Package::open(bytes).unwrap();
//! let mut edits = std::collections::BTreeMap::new();
//! edits.insert(CellRef::parse("D17").unwrap(), CellEdit {
//!     content: Some(Content::Cached(Scalar::Number("10".into()))),
//!     style: None,
//! });
//! let applied = p.edit_cells("WS6", &edits, &[]).unwrap();
//! assert!(!applied[0].changed); // already 10
//! assert!(p.changed_parts().is_empty());
//! ```

mod drawing;
mod newsheet;
mod notes;
mod sheet;
mod styles;
mod xml;

pub use drawing::PlacedChart;
pub use newsheet::{NewCell, NewSheet};
pub use notes::NoteApplied;
pub use sheet::{Applied, CellEdit, Content, OldCell, Scalar};

use crate::cellref::CellRef;
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read, Write};
use xml::{esc, find_element, raw_attrs, splice, start_tag, tag_at};
use zip::write::SimpleFileOptions;

/// Why a package could not be opened, edited or saved.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The zip archive is damaged or unreadable.
    #[error("cannot read the workbook package: {0}")]
    Zip(String),
    /// A part the edit needs is missing.
    #[error("the workbook package has no {0}")]
    Missing(String),
    /// A part's XML could not be edited.
    #[error("{part}: {message}")]
    Xml {
        /// The part.
        part: String,
        /// What is wrong.
        message: String,
    },
    /// The workbook has no sheet of that name.
    #[error("the workbook has no sheet `{0}`")]
    NoSheet(String),
}

fn xml_err(part: &str) -> impl FnOnce(String) -> PackageError + '_ {
    move |message| PackageError::Xml {
        part: part.to_string(),
        message,
    }
}

/// One sheet of the workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    /// The tab name.
    pub name: String,
    /// The worksheet part (`xl/worksheets/sheet1.xml`).
    pub part: String,
}

const CT_WORKSHEET: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";
const REL_WORKSHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const REL_VML: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
const REL_CALC_CHAIN: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain";
const NS_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// An open workbook package (see the module docs).
pub struct Package {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    /// Original entry names, in archive order.
    names: Vec<String>,
    /// New content of changed or added parts.
    changed: BTreeMap<String, Vec<u8>>,
    /// Parts added (written after the original ones, in this order).
    added: Vec<String>,
    /// Original parts left out.
    removed: BTreeSet<String>,
    sheets: Vec<SheetInfo>,
    shared: Option<Vec<String>>,
    xf_cache: HashMap<(u32, u32), u32>,
    input_len: usize,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("parts", &self.names.len())
            .field("sheets", &self.sheets)
            .finish()
    }
}

/// A part name relative to `base_dir` resolved to a package path.
fn resolve(base_dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The rels part of `part` (`xl/worksheets/_rels/sheet1.xml.rels`).
fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

fn dir_of(part: &str) -> &str {
    part.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A relationship: (Id, Type, Target, TargetMode).
type Rel = (String, String, String, Option<String>);

fn parse_rels(x: &[u8]) -> Result<Vec<Rel>, String> {
    let mut out = Vec::new();
    let mut toks = xml::Toks::new(x);
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev
            && e.local_name().into_inner().as_bytes() == b"Relationship"
        {
            out.push((
                xml::attr(e, "Id").unwrap_or_default(),
                xml::attr(e, "Type").unwrap_or_default(),
                xml::attr(e, "Target").unwrap_or_default(),
                xml::attr(e, "TargetMode"),
            ));
        }
    }
    Ok(out)
}

/// A relationship id not used in `rels`.
fn free_rid(rels: &[Rel]) -> String {
    let max = rels
        .iter()
        .filter_map(|r| r.0.strip_prefix("rId").and_then(|n| n.parse::<u64>().ok()))
        .max()
        .unwrap_or(0);
    let mut n = max + 1;
    while rels.iter().any(|r| r.0 == format!("rId{n}")) {
        n += 1;
    }
    format!("rId{n}")
}

const EMPTY_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>";

impl Package {
    /// Opens a package from its bytes (limits of [`crate::limits`] apply).
    pub fn open(bytes: Vec<u8>) -> Result<Package, PackageError> {
        crate::limits::check_zip(&bytes, &crate::limits::Limits::from_env())
            .map_err(PackageError::Zip)?;
        let input_len = bytes.len();
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| PackageError::Zip(e.to_string()))?;
        let mut names = Vec::with_capacity(zip.len());
        for n in zip.file_names() {
            names.push(
                n.map_err(|e| PackageError::Zip(e.to_string()))?
                    .into_owned(),
            );
        }
        // file_names() is in central-directory order; keep archive order by index
        let mut names_by_index = Vec::with_capacity(zip.len());
        let mut zip = zip;
        for i in 0..zip.len() {
            let f = zip
                .by_index_raw(i)
                .map_err(|e| PackageError::Zip(e.to_string()))?;
            names_by_index.push(
                f.name()
                    .map_err(|e| PackageError::Zip(e.to_string()))?
                    .to_string(),
            );
        }
        drop(names);
        let mut p = Package {
            zip,
            names: names_by_index,
            changed: BTreeMap::new(),
            added: Vec::new(),
            removed: BTreeSet::new(),
            sheets: Vec::new(),
            shared: None,
            xf_cache: HashMap::new(),
            input_len,
        };
        p.sheets = p.read_sheets()?;
        Ok(p)
    }

    fn read_sheets(&mut self) -> Result<Vec<SheetInfo>, PackageError> {
        let wb = self.part("xl/workbook.xml")?;
        let rels = parse_rels(&self.part("xl/_rels/workbook.xml.rels")?)
            .map_err(xml_err("xl/_rels/workbook.xml.rels"))?;
        let mut out = Vec::new();
        let mut toks = xml::Toks::new(&wb);
        while let Some(t) = toks.next_tok().map_err(xml_err("xl/workbook.xml"))? {
            if let Event::Start(e) | Event::Empty(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"sheet"
            {
                let name = xml::attr(e, "name").unwrap_or_default();
                let rid = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| {
                        a.key.local_name().into_inner().as_bytes() == b"id"
                            && a.key.prefix().is_some()
                    })
                    .map(|a| a.value.to_string())
                    .unwrap_or_default();
                if let Some(r) = rels.iter().find(|r| r.0 == rid) {
                    out.push(SheetInfo {
                        name,
                        part: resolve("xl", &r.2),
                    });
                }
            }
        }
        Ok(out)
    }

    /// The workbook's sheets in tab order.
    pub fn sheets(&self) -> &[SheetInfo] {
        &self.sheets
    }

    /// Whether the package holds `name` (as it stands now).
    pub fn has_part(&self, name: &str) -> bool {
        self.changed.contains_key(name)
            || (self.names.iter().any(|n| n == name) && !self.removed.contains(name))
    }

    /// The current content of part `name`.
    pub fn part(&mut self, name: &str) -> Result<Vec<u8>, PackageError> {
        if let Some(b) = self.changed.get(name) {
            return Ok(b.clone());
        }
        if self.removed.contains(name) {
            return Err(PackageError::Missing(name.to_string()));
        }
        let mut f = self
            .zip
            .by_name(name)
            .map_err(|_| PackageError::Missing(name.to_string()))?;
        let mut v = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0).min(64 << 20));
        f.read_to_end(&mut v)
            .map_err(|e| PackageError::Zip(format!("{name}: {e}")))?;
        Ok(v)
    }

    /// Sets the content of part `name` (an original part is replaced; a
    /// new one is added).
    pub fn put(&mut self, name: &str, bytes: Vec<u8>) {
        let original = self.names.iter().any(|n| n == name);
        if !original && !self.added.iter().any(|n| n == name) {
            self.added.push(name.to_string());
        }
        self.removed.remove(name);
        self.changed.insert(name.to_string(), bytes);
    }

    /// Leaves part `name` out of the saved package.
    pub fn remove(&mut self, name: &str) {
        self.changed.remove(name);
        self.added.retain(|n| n != name);
        if self.names.iter().any(|n| n == name) {
            self.removed.insert(name.to_string());
        }
    }

    /// Every part that differs from the input (changed, added or removed),
    /// sorted. Parts not listed are byte-identical in the saved package.
    pub fn changed_parts(&mut self) -> Vec<String> {
        let mut out: BTreeSet<String> = self.removed.iter().cloned().collect();
        let names: Vec<String> = self.changed.keys().cloned().collect();
        for n in names {
            let new = self.changed.get(&n).cloned().unwrap_or_default();
            let same = self.names.contains(&n)
                && !self.removed.contains(&n)
                && self.original(&n).is_some_and(|o| o == new);
            if !same {
                out.insert(n);
            }
        }
        out.into_iter().collect()
    }

    fn original(&mut self, name: &str) -> Option<Vec<u8>> {
        let mut f = self.zip.by_name(name).ok()?;
        let mut v = Vec::new();
        f.read_to_end(&mut v).ok()?;
        Some(v)
    }

    /// Whether the workbook is macro-enabled (`.xlsm`).
    pub fn is_macro_enabled(&mut self) -> bool {
        self.part("[Content_Types].xml")
            .is_ok_and(|ct| String::from_utf8_lossy(&ct).contains("sheet.macroEnabled.main+xml"))
    }

    /// The worksheet part of sheet `name`.
    pub fn sheet_part(&self, name: &str) -> Result<String, PackageError> {
        self.sheets
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.part.clone())
            .ok_or_else(|| PackageError::NoSheet(name.to_string()))
    }

    /// Shared string `i`, from `xl/sharedStrings.xml`.
    pub fn shared_string(&mut self, i: usize) -> Option<String> {
        if self.shared.is_none() {
            self.shared = Some(self.load_shared().unwrap_or_default());
        }
        self.shared.as_ref().and_then(|s| s.get(i).cloned())
    }

    fn load_shared(&mut self) -> Result<Vec<String>, PackageError> {
        let part = self.related_part("xl/workbook.xml", "/sharedStrings")?;
        let Some(part) = part else {
            return Ok(Vec::new());
        };
        let x = self.part(&part)?;
        let mut out = Vec::new();
        let mut toks = xml::Toks::new(&x);
        while let Some(t) = toks.next_tok().map_err(xml_err(&part))? {
            if let Event::Start(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"si"
            {
                let end = toks.skip_element().map_err(xml_err(&part))?;
                out.push(xml::string_item_text(&x[t.start..end]).map_err(xml_err(&part))?);
            } else if let Event::Empty(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"si"
            {
                out.push(String::new());
            }
        }
        Ok(out)
    }

    /// The target part of `from`'s first relationship whose type ends in
    /// `type_suffix`.
    fn related_part(
        &mut self,
        from: &str,
        type_suffix: &str,
    ) -> Result<Option<String>, PackageError> {
        let rels_name = rels_of(from);
        if !self.has_part(&rels_name) {
            return Ok(None);
        }
        let rels = parse_rels(&self.part(&rels_name)?).map_err(xml_err(&rels_name))?;
        Ok(rels
            .iter()
            .find(|r| r.1.ends_with(type_suffix) && r.3.as_deref() != Some("External"))
            .map(|r| resolve(dir_of(from), &r.2)))
    }

    /// A scalar with shared strings resolved to their text.
    pub fn resolve_scalar(&mut self, s: Scalar) -> Scalar {
        match s {
            Scalar::Shared(i) => match self.shared_string(i) {
                Some(t) => Scalar::Text(t),
                None => Scalar::Shared(i),
            },
            o => o,
        }
    }

    /// Applies cell edits to sheet `sheet` (and clears every cell of the
    /// zero-based inclusive row ranges `clear_rows`, with the merged ranges
    /// and data validations that lie wholly inside them). Returns what each
    /// touched cell held, shared strings resolved. Removing a formula drops
    /// `xl/calcChain.xml`.
    pub fn edit_cells(
        &mut self,
        sheet: &str,
        edits: &BTreeMap<CellRef, CellEdit>,
        clear_rows: &[(u32, u32)],
    ) -> Result<Vec<Applied>, PackageError> {
        let part = self.sheet_part(sheet)?;
        let x = self.part(&part)?;
        let (new, mut applied) =
            sheet::edit_sheet(&x, edits, clear_rows).map_err(xml_err(&part))?;
        // A cleared row range can change the part without a cell (a merged
        // range or a validation dropped).
        if applied.iter().any(|a| a.changed) || (!clear_rows.is_empty() && new != x) {
            self.put(&part, new);
        }
        for a in &mut applied {
            if let Some(v) = a.old.value.take() {
                a.old.value = Some(self.resolve_scalar(v));
            }
        }
        let dropped_formula = applied.iter().any(|a| {
            a.changed
                && a.old.formula.is_some()
                && match edits.get(&a.cell) {
                    Some(e) => matches!(e.content, Some(Content::Value(_)) | Some(Content::Remove)),
                    None => true, // cleared row
                }
        });
        if dropped_formula {
            self.drop_calc_chain()?;
        }
        Ok(applied)
    }

    /// The style index of each of `cells` on `sheet`.
    pub fn cell_styles(
        &mut self,
        sheet: &str,
        cells: &[CellRef],
    ) -> Result<BTreeMap<CellRef, u32>, PackageError> {
        let part = self.sheet_part(sheet)?;
        let x = self.part(&part)?;
        sheet::cell_styles(&x, cells).map_err(xml_err(&part))
    }

    fn styles_part(&mut self) -> Result<String, PackageError> {
        self.related_part("xl/workbook.xml", "/styles")?
            .ok_or_else(|| PackageError::Missing("styles part".into()))
    }

    /// A cell format like `base` with a solid fill of `rgb` (`0xRRGGBB`);
    /// the same (base, colour) gives the same index.
    pub fn fill_style(&mut self, base: u32, rgb: u32) -> Result<u32, PackageError> {
        if let Some(x) = self.xf_cache.get(&(base, rgb)) {
            return Ok(*x);
        }
        let part = self.styles_part()?;
        let s = self.part(&part)?;
        let (s, fill) = styles::add_fill(&s, rgb).map_err(xml_err(&part))?;
        let (s, xf) = styles::add_xf(
            &s,
            base,
            styles::XfChange {
                fill: Some(fill),
                ..Default::default()
            },
        )
        .map_err(xml_err(&part))?;
        self.put(&part, s);
        self.xf_cache.insert((base, rgb), xf);
        Ok(xf)
    }

    /// A new cell format from format 0 with an optional bold font of
    /// `size` points, solid fill `rgb` and number format `num_fmt`.
    pub fn add_xf(
        &mut self,
        bold_size: Option<u32>,
        rgb: Option<u32>,
        num_fmt: Option<&str>,
    ) -> Result<u32, PackageError> {
        let part = self.styles_part()?;
        let mut s = self.part(&part)?;
        let mut change = styles::XfChange::default();
        if let Some(size) = bold_size {
            let (n, id) = styles::add_font(
                &s,
                &format!("<font><b/><sz val=\"{size}\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"),
            )
            .map_err(xml_err(&part))?;
            s = n;
            change.font = Some(id);
        }
        if let Some(rgb) = rgb {
            let (n, id) = styles::add_fill(&s, rgb).map_err(xml_err(&part))?;
            s = n;
            change.fill = Some(id);
        }
        if let Some(code) = num_fmt {
            let (n, id) = styles::add_num_fmt(&s, code).map_err(xml_err(&part))?;
            s = n;
            change.num_fmt = Some(id);
        }
        let (s, xf) = styles::add_xf(&s, 0, change).map_err(xml_err(&part))?;
        self.put(&part, s);
        Ok(xf)
    }

    /// A new cell format from format 0 that wraps its text, aligned to the
    /// top.
    pub fn add_wrap_xf(&mut self) -> Result<u32, PackageError> {
        let part = self.styles_part()?;
        let s = self.part(&part)?;
        let change = styles::XfChange {
            wrap: true,
            ..styles::XfChange::default()
        };
        let (s, xf) = styles::add_xf(&s, 0, change).map_err(xml_err(&part))?;
        self.put(&part, s);
        Ok(xf)
    }

    /// A cell format: a copy of `base` aligned to the top of its cell (for
    /// the other cells of a row grown to hold wrapped text); its index.
    pub fn add_top_xf(&mut self, base: u32) -> Result<u32, PackageError> {
        let part = self.styles_part()?;
        let s = self.part(&part)?;
        let change = styles::XfChange {
            top: true,
            ..styles::XfChange::default()
        };
        let (s, xf) = styles::add_xf(&s, base, change).map_err(xml_err(&part))?;
        self.put(&part, s);
        Ok(xf)
    }

    /// Drops `xl/calcChain.xml` with its relationship and content type.
    pub fn drop_calc_chain(&mut self) -> Result<(), PackageError> {
        let Some(part) = self.related_part("xl/workbook.xml", "/calcChain")? else {
            return Ok(());
        };
        let rels_name = rels_of("xl/workbook.xml");
        let rels = self.part(&rels_name)?;
        let new = remove_elements(&rels, b"Relationship", |e| {
            xml::attr(e, "Type").as_deref() == Some(REL_CALC_CHAIN)
        })
        .map_err(xml_err(&rels_name))?;
        self.put(&rels_name, new);
        let ct = self.part("[Content_Types].xml")?;
        let pn = format!("/{part}");
        let new = remove_elements(&ct, b"Override", |e| {
            xml::attr(e, "PartName").as_deref() == Some(pn.as_str())
        })
        .map_err(xml_err("[Content_Types].xml"))?;
        self.put("[Content_Types].xml", new);
        self.remove(&part);
        Ok(())
    }

    fn add_content_type_override(&mut self, part: &str, ct: &str) -> Result<(), PackageError> {
        let x = self.part("[Content_Types].xml")?;
        let item = format!(
            "<Override PartName=\"/{}\" ContentType=\"{ct}\"/>",
            esc(part)
        );
        self.put(
            "[Content_Types].xml",
            insert_before_end(&x, b"Types", &item)?,
        );
        Ok(())
    }

    fn ensure_default_content_type(&mut self, ext: &str, ct: &str) -> Result<(), PackageError> {
        let x = self.part("[Content_Types].xml")?;
        let mut present = false;
        let mut toks = xml::Toks::new(&x);
        while let Some(t) = toks.next_tok().map_err(xml_err("[Content_Types].xml"))? {
            if let Event::Start(e) | Event::Empty(e) = &t.ev
                && e.local_name().into_inner().as_bytes() == b"Default"
                && xml::attr(e, "Extension").is_some_and(|x| x.eq_ignore_ascii_case(ext))
            {
                present = true;
            }
        }
        if !present {
            let item = format!("<Default Extension=\"{ext}\" ContentType=\"{ct}\"/>");
            // Defaults come before Overrides (schema order).
            let (start, _, _, _) = find_element(&x, b"Types")
                .map_err(xml_err("[Content_Types].xml"))?
                .ok_or_else(|| PackageError::Missing("<Types>".into()))?;
            let (_, tag_end, _) = tag_at(&x, start).map_err(xml_err("[Content_Types].xml"))?;
            self.put(
                "[Content_Types].xml",
                splice(&x, tag_end, tag_end, item.as_bytes()),
            );
        }
        Ok(())
    }

    /// Adds a relationship from `from`; returns its id.
    fn add_rel(&mut self, from: &str, ty: &str, target: &str) -> Result<String, PackageError> {
        let rels_name = rels_of(from);
        let x = if self.has_part(&rels_name) {
            self.part(&rels_name)?
        } else {
            EMPTY_RELS.as_bytes().to_vec()
        };
        let rels = parse_rels(&x).map_err(xml_err(&rels_name))?;
        let id = free_rid(&rels);
        let item = format!(
            "<Relationship Id=\"{id}\" Type=\"{ty}\" Target=\"{}\"/>",
            esc(target)
        );
        let new = insert_before_end(&x, b"Relationships", &item)?;
        self.put(&rels_name, new);
        Ok(id)
    }

    /// A part name `{prefix}{n}{suffix}` not in the package.
    fn free_part(&self, prefix: &str, suffix: &str) -> String {
        let mut n = 1;
        loop {
            let name = format!("{prefix}{n}{suffix}");
            let clash = self.has_part(&name)
                || self.names.iter().any(|x| x.eq_ignore_ascii_case(&name))
                || self.added.iter().any(|x| x.eq_ignore_ascii_case(&name));
            if !clash {
                return name;
            }
            n += 1;
        }
    }

    /// `name`, or `name (2)`, `name (3)`, … if a sheet of the workbook has
    /// that name (case-insensitively): the name [`Package::add_sheet_first`]
    /// gives a sheet.
    pub fn unique_sheet_name(&self, name: &str) -> String {
        let mut out = name.to_string();
        let mut n = 2;
        while self
            .sheets
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&out))
        {
            out = format!("{name} ({n})");
            n += 1;
        }
        out
    }

    /// Adds `sheet` as a new worksheet placed first in the tab order. The
    /// name is made unique (`Findings (2)`) if taken; returns it.
    pub fn add_sheet_first(&mut self, sheet: &NewSheet) -> Result<String, PackageError> {
        let name = self.unique_sheet_name(&sheet.name);
        let part = self.free_part("xl/worksheets/sheet", ".xml");
        self.put(&part, sheet.to_xml().into_bytes());
        self.add_content_type_override(&part, CT_WORKSHEET)?;
        let target = part.strip_prefix("xl/").unwrap_or(&part).to_string();
        let rid = self.add_rel("xl/workbook.xml", REL_WORKSHEET, &target)?;
        let wb = self.part("xl/workbook.xml")?;
        let new = first_sheet_in_workbook(&wb, &name, &rid).map_err(xml_err("xl/workbook.xml"))?;
        self.put("xl/workbook.xml", new);
        self.sheets.insert(
            0,
            SheetInfo {
                name: name.clone(),
                part,
            },
        );
        Ok(name)
    }

    /// Adds notes to cells of `sheet` by `author`; an existing note on a
    /// cell is kept and the text appended after a blank line.
    pub fn add_notes(
        &mut self,
        sheet: &str,
        notes: &[(CellRef, String)],
        author: &str,
    ) -> Result<Vec<NoteApplied>, PackageError> {
        if notes.is_empty() {
            return Ok(Vec::new());
        }
        let sheet_part = self.sheet_part(sheet)?;
        let comments = self.related_part(&sheet_part, "/comments")?;
        let (comments_part, existing) = match comments {
            Some(c) => (c, true),
            None => (self.free_part("xl/comments", ".xml"), false),
        };
        let x = if existing {
            self.part(&comments_part)?
        } else {
            notes::EMPTY_COMMENTS.as_bytes().to_vec()
        };
        let (new, applied, shapes) =
            notes::add_comments(&x, notes, author).map_err(xml_err(&comments_part))?;
        self.put(&comments_part, new);
        if !existing {
            self.add_content_type_override(&comments_part, CT_COMMENTS)?;
            let target = relative_target(&sheet_part, &comments_part);
            self.add_rel(&sheet_part, REL_COMMENTS, &target)?;
        }
        // The VML drawing: the sheet's legacy drawing, or a new one.
        let vml = self.related_part(&sheet_part, "/vmlDrawing")?;
        let vml_part = match vml {
            Some(v) => v,
            None => {
                let v = self.free_part("xl/drawings/vmlDrawing", ".vml");
                let block = self.free_idmap_block()?;
                self.put(&v, notes::empty_vml(block).into_bytes());
                self.ensure_default_content_type("vml", CT_VML)?;
                let target = relative_target(&sheet_part, &v);
                let rid = self.add_rel(&sheet_part, REL_VML, &target)?;
                let sx = self.part(&sheet_part)?;
                let sx = add_legacy_drawing(&sx, &rid).map_err(xml_err(&sheet_part))?;
                self.put(&sheet_part, sx);
                v
            }
        };
        let vx = String::from_utf8_lossy(&self.part(&vml_part)?).into_owned();
        // each new box sized to its note, over the sheet's own columns and rows
        let geometry = notes::Geometry::of_sheet(&self.part(&sheet_part)?);
        let boxes: Vec<(CellRef, notes::NoteBox)> = shapes
            .iter()
            .map(|c| {
                let text = notes
                    .iter()
                    .find(|(n, _)| n == c)
                    .map_or("", |(_, t)| t.as_str());
                (*c, geometry.note_box(*c, text))
            })
            .collect();
        let vx = notes::add_shapes(&vx, &boxes).map_err(xml_err(&vml_part))?;
        self.put(&vml_part, vx.into_bytes());
        Ok(applied)
    }

    /// An `o:idmap` block number no VML drawing of the package uses.
    fn free_idmap_block(&mut self) -> Result<u32, PackageError> {
        let re = regex::Regex::new(r#"data="([0-9,]+)""#)
            .map_err(|e| PackageError::Zip(e.to_string()))?;
        let mut used = BTreeSet::new();
        let vmls: Vec<String> = self
            .names
            .iter()
            .chain(self.added.iter())
            .filter(|n| n.ends_with(".vml"))
            .cloned()
            .collect();
        for v in vmls {
            if let Ok(x) = self.part(&v) {
                let s = String::from_utf8_lossy(&x).into_owned();
                for c in re.captures_iter(&s) {
                    for n in c[1].split(',') {
                        if let Ok(n) = n.trim().parse::<u32>() {
                            used.insert(n);
                        }
                    }
                }
            }
        }
        Ok((1..).find(|n| !used.contains(n)).unwrap_or(1))
    }

    /// The package as bytes: unchanged parts copied raw, in their original
    /// order, then the added parts.
    pub fn save(mut self) -> Result<Vec<u8>, PackageError> {
        let zerr = |e: zip::result::ZipError| PackageError::Zip(e.to_string());
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(self.input_len + 4096)));
        let names = self.names.clone();
        for (i, name) in names.iter().enumerate() {
            if self.removed.contains(name) {
                continue;
            }
            if let Some(bytes) = self.changed.get(name) {
                let f = self.zip.by_index_raw(i).map_err(zerr)?;
                let mut opts = SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                if let Some(t) = f.last_modified() {
                    opts = opts.last_modified_time(t);
                }
                drop(f);
                out.start_file(name.as_str(), opts).map_err(zerr)?;
                out.write_all(bytes)
                    .map_err(|e| PackageError::Zip(e.to_string()))?;
            } else {
                let f = self.zip.by_index_raw(i).map_err(zerr)?;
                out.raw_copy_file(f).map_err(zerr)?;
            }
        }
        for name in &self.added {
            let bytes = self.changed.get(name).cloned().unwrap_or_default();
            let opts = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .last_modified_time(zip::DateTime::default());
            out.start_file(name.as_str(), opts).map_err(zerr)?;
            out.write_all(&bytes)
                .map_err(|e| PackageError::Zip(e.to_string()))?;
        }
        Ok(out.finish().map_err(zerr)?.into_inner())
    }
}

/// `to` as a target relative to the folder of `from`.
fn relative_target(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = dir_of(from).split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(to_parts.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let mut s = String::new();
    for _ in common..from_dir.len() {
        s.push_str("../");
    }
    s.push_str(&to_parts[common..].join("/"));
    s
}

/// Inserts `item` just before the end tag of the element `name`.
fn insert_before_end(x: &[u8], name: &[u8], item: &str) -> Result<Vec<u8>, PackageError> {
    let what = String::from_utf8_lossy(name).into_owned();
    let (start, _, inner_end, end) = find_element(x, name)
        .map_err(|m| PackageError::Xml {
            part: what.clone(),
            message: m,
        })?
        .ok_or_else(|| PackageError::Missing(format!("<{what}>")))?;
    if inner_end == end {
        let (tag, _, _) = tag_at(x, start).map_err(|m| PackageError::Xml {
            part: what.clone(),
            message: m,
        })?;
        let q = String::from_utf8_lossy(tag.name().into_inner().as_bytes()).into_owned();
        let open = start_tag(&q, &raw_attrs(&tag), false);
        return Ok(splice(
            x,
            start,
            end,
            format!("{open}{item}</{q}>").as_bytes(),
        ));
    }
    Ok(splice(x, inner_end, inner_end, item.as_bytes()))
}

/// Removes every element `name` for which `pred` holds.
fn remove_elements(
    x: &[u8],
    name: &[u8],
    pred: impl Fn(&quick_xml::events::BytesStart<'_>) -> bool,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(x.len());
    let mut copied = 0;
    let mut toks = xml::Toks::new(x);
    while let Some(t) = toks.next_tok()? {
        if let Event::Start(e) | Event::Empty(e) = &t.ev
            && e.local_name().into_inner().as_bytes() == name
            && pred(e)
        {
            let end = if matches!(t.ev, Event::Start(_)) {
                toks.skip_element()?
            } else {
                t.end
            };
            out.extend_from_slice(&x[copied..t.start]);
            copied = end;
        }
    }
    out.extend_from_slice(&x[copied..]);
    Ok(out)
}

/// workbook.xml with a `<sheet>` first in `<sheets>`: sheet-scoped
/// defined names (`localSheetId`) and the views' `activeTab`/`firstSheet`
/// shift by one so they keep naming the same sheets.
fn first_sheet_in_workbook(wb: &[u8], name: &str, rid: &str) -> Result<Vec<u8>, String> {
    let mut max_id = 0u64;
    let mut prefix = "r".to_string();
    let mut sheets_at = None;
    let mut toks = xml::Toks::new(wb);
    // (start, end, new tag) replacements of start tags
    let mut repl: Vec<(usize, usize, String)> = Vec::new();
    let mut saw_view = false;
    while let Some(t) = toks.next_tok()? {
        let (Event::Start(e) | Event::Empty(e)) = &t.ev else {
            continue;
        };
        let empty = matches!(t.ev, Event::Empty(_));
        let q = String::from_utf8_lossy(e.name().into_inner().as_bytes()).into_owned();
        match e.local_name().into_inner().as_bytes() {
            b"sheets" => sheets_at = Some((t.start, t.end, empty)),
            b"sheet" => {
                if let Some(id) = xml::attr(e, "sheetId").and_then(|v| v.parse::<u64>().ok()) {
                    max_id = max_id.max(id);
                }
                if let Some(a) = e.attributes().with_checks(false).flatten().find(|a| {
                    a.key.local_name().into_inner().as_bytes() == b"id" && a.key.prefix().is_some()
                }) && let Some(p) = a.key.prefix()
                {
                    prefix = String::from_utf8_lossy(p.into_inner().as_bytes()).into_owned();
                }
            }
            b"definedName" => {
                if let Some(n) = xml::attr(e, "localSheetId").and_then(|v| v.parse::<u32>().ok()) {
                    let mut attrs = raw_attrs(e);
                    xml::set_attr(&mut attrs, "localSheetId", &(n + 1).to_string());
                    repl.push((t.start, t.end, start_tag(&q, &attrs, empty)));
                }
            }
            b"workbookView" => {
                saw_view = true;
                let mut attrs = raw_attrs(e);
                let active = xml::attr(e, "activeTab")
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0);
                xml::set_attr(&mut attrs, "activeTab", &(active + 1).to_string());
                if let Some(f) = xml::attr(e, "firstSheet").and_then(|v| v.parse::<u32>().ok()) {
                    xml::set_attr(&mut attrs, "firstSheet", &(f + 1).to_string());
                }
                repl.push((t.start, t.end, start_tag(&q, &attrs, empty)));
            }
            _ => {}
        }
    }
    let _ = saw_view;
    let (s_start, s_end, s_empty) = sheets_at.ok_or("workbook.xml has no <sheets>")?;
    let ns = if prefix == "r" {
        // the usual prefix; declared locally too in case the root lacks it
        format!(" xmlns:r=\"{NS_REL}\"")
    } else {
        String::new()
    };
    let item = format!(
        "<sheet name=\"{}\" sheetId=\"{}\" {prefix}:id=\"{rid}\"{ns}/>",
        esc(name),
        max_id + 1
    );
    if s_empty {
        repl.push((s_start, s_end, format!("<sheets>{item}</sheets>")));
    } else {
        repl.push((s_end, s_end, item));
    }
    repl.sort_by_key(|r| (r.0, r.1));
    let mut out = Vec::with_capacity(wb.len() + 256);
    let mut copied = 0;
    for (s, e, with) in repl {
        out.extend_from_slice(&wb[copied..s]);
        out.extend_from_slice(with.as_bytes());
        copied = e;
    }
    out.extend_from_slice(&wb[copied..]);
    Ok(out)
}

/// Top-level worksheet children that come after `<legacyDrawing>`.
const AFTER_LEGACY_DRAWING: [&[u8]; 8] = [
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
];

/// Top-level worksheet children that come after `<drawing>`.
const AFTER_DRAWING: [&[u8]; 9] = [
    b"legacyDrawing",
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
];

/// Sheet XML with `<legacyDrawing r:id>` in its schema place.
fn add_legacy_drawing(x: &[u8], rid: &str) -> Result<Vec<u8>, String> {
    let item = format!("<legacyDrawing xmlns:r=\"{NS_REL}\" r:id=\"{rid}\"/>");
    insert_child(x, &item, &AFTER_LEGACY_DRAWING)
}

/// Sheet XML with `item` as a top-level child before the first of `later`
/// (the children the schema puts after it), else before `</worksheet>`.
fn insert_child(x: &[u8], item: &str, later: &[&[u8]]) -> Result<Vec<u8>, String> {
    let mut toks = xml::Toks::new(x);
    let mut depth = 0usize;
    while let Some(t) = toks.next_tok()? {
        match &t.ev {
            Event::Start(e) | Event::Empty(e) => {
                if depth == 1 && later.contains(&e.local_name().into_inner().as_bytes()) {
                    return Ok(splice(x, t.start, t.start, item.as_bytes()));
                }
                if matches!(t.ev, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(splice(x, t.start, t.start, item.as_bytes()));
                }
            }
            _ => {}
        }
    }
    Err("the worksheet has no end tag".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_and_relativizes_targets() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(resolve("xl", "/xl/styles.xml"), "xl/styles.xml");
        assert_eq!(
            relative_target("xl/worksheets/sheet1.xml", "xl/comments1.xml"),
            "../comments1.xml"
        );
        assert_eq!(
            relative_target("xl/worksheets/sheet1.xml", "xl/drawings/vmlDrawing1.vml"),
            "../drawings/vmlDrawing1.vml"
        );
        assert_eq!(rels_of("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
    }

    #[test]
    fn a_first_sheet_shifts_local_names_and_the_active_tab() {
        let wb = br#"<workbook xmlns:r="x"><bookViews><workbookView activeTab="2"/></bookViews><sheets><sheet name="A" sheetId="4" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">A!$A$1</definedName><definedName name="G">A!$B$2</definedName></definedNames></workbook>"#;
        let out = String::from_utf8(first_sheet_in_workbook(wb, "F & G", "rId9").unwrap()).unwrap();
        assert!(out.contains(r#"<workbookView activeTab="3"/>"#), "{out}");
        assert!(
            out.contains(r#"<sheets><sheet name="F &amp; G" sheetId="5" r:id="rId9""#),
            "{out}"
        );
        assert!(out.contains(r#"localSheetId="1">A!$A$1"#), "{out}");
        assert!(out.contains(r#"<definedName name="G">A!$B$2"#), "{out}");
    }

    #[test]
    fn legacy_drawing_goes_before_later_children() {
        let x = br#"<worksheet><sheetData/><pageMargins/><tableParts count="0"/></worksheet>"#;
        let out = String::from_utf8(add_legacy_drawing(x, "rId3").unwrap()).unwrap();
        assert!(
            out.contains(r#"<pageMargins/><legacyDrawing xmlns:r"#)
                && out.contains(r#"r:id="rId3"/><tableParts"#),
            "{out}"
        );
        let x = br#"<worksheet><sheetData/></worksheet>"#;
        let out = String::from_utf8(add_legacy_drawing(x, "rId1").unwrap()).unwrap();
        assert!(out.ends_with(r#"r:id="rId1"/></worksheet>"#), "{out}");
    }

    fn sample() -> Package {
        Package::open(std::fs::read("sample-bids/hmo-mapd-2013.xlsx").unwrap()).unwrap()
    }

    #[test]
    fn untouched_parts_are_copied_raw() {
        let bytes = std::fs::read("sample-bids/hmo-mapd-2013.xlsx").unwrap();
        let mut p = sample();
        let mut edits = BTreeMap::new();
        edits.insert(
            CellRef::parse("D16").unwrap(),
            CellEdit {
                content: Some(Content::Value(Scalar::Number("11".into()))),
                style: None,
            },
        );
        let a = p.edit_cells("WS6", &edits, &[]).unwrap();
        assert!(a[0].changed);
        assert_eq!(a[0].old.value, Some(Scalar::Number("10".into())));
        assert_eq!(
            p.changed_parts(),
            vec!["xl/worksheets/sheet6.xml".to_string()]
        );
        let out = p.save().unwrap();
        let mut a = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut b = zip::ZipArchive::new(Cursor::new(out)).unwrap();
        assert_eq!(a.len(), b.len());
        for i in 0..a.len() {
            let fa = a.by_index_raw(i).unwrap();
            let (name, crc, size) = (
                fa.name().unwrap().to_string(),
                fa.crc32(),
                fa.compressed_size(),
            );
            drop(fa);
            let fb = b.by_name(&name).unwrap();
            if name == "xl/worksheets/sheet6.xml" {
                assert_ne!(fb.crc32(), crc);
            } else {
                assert_eq!((fb.crc32(), fb.compressed_size()), (crc, size), "{name}");
            }
        }
    }

    #[test]
    fn adds_a_sheet_notes_and_fills() {
        let mut p = sample();
        let mut ns = NewSheet::new("Findings");
        ns.rows
            .push(vec![NewCell::text("hello", 0), NewCell::number("1.5", 0)]);
        let name = p.add_sheet_first(&ns).unwrap();
        assert_eq!(name, "Findings");
        assert_eq!(p.sheets()[0].name, "Findings");
        assert_eq!(p.sheets()[0].part, "xl/worksheets/sheet9.xml");
        let d5 = CellRef::parse("D5").unwrap();
        let notes = p
            .add_notes("WS1", &[(d5, "[F001] x".into())], "bpt")
            .unwrap();
        assert_eq!(notes[0].old, None);
        let base = p.cell_styles("WS1", &[d5]).unwrap()[&d5];
        let xf = p.fill_style(base, 0xF4B6B6).unwrap();
        assert_eq!(p.fill_style(base, 0xF4B6B6).unwrap(), xf);
        let mut edits = BTreeMap::new();
        edits.insert(
            d5,
            CellEdit {
                content: None,
                style: Some(xf),
            },
        );
        p.edit_cells("WS1", &edits, &[]).unwrap();
        let changed = p.changed_parts();
        assert_eq!(
            changed,
            vec![
                "[Content_Types].xml",
                "xl/_rels/workbook.xml.rels",
                "xl/comments1.xml",
                "xl/drawings/vmlDrawing1.vml",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/_rels/sheet1.xml.rels",
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet9.xml",
            ]
        );
        let out = p.save().unwrap();
        // The package reads back: the new sheet is first and the note is there.
        let mut q = Package::open(out).unwrap();
        assert_eq!(q.sheets()[0].name, "Findings");
        let c = String::from_utf8(q.part("xl/comments1.xml").unwrap()).unwrap();
        assert!(c.contains("[F001] x"), "{c}");
        let rels =
            String::from_utf8(q.part("xl/worksheets/_rels/sheet1.xml.rels").unwrap()).unwrap();
        assert!(
            rels.contains("../comments1.xml") && rels.contains("../drawings/vmlDrawing1.vml"),
            "{rels}"
        );
    }
}
