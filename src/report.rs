//! Validation reports: text (like a compiler's), JSON, CSV, SARIF 2.1.0 and
//! JUnit XML.
//!
//! The JSON shape (documented in the README) is
//! `{"files":[{"path":…,"bid":{"contract":…,"plan":…,"segment":…},"findings":[{"rule":…,"severity":…,"sheet":…,"cell":…,"field":…,"message":…,"found":…,"expected":…}]}]}`;
//! a file that could not be read has `"error"` instead of `"bid"` and no findings.

use crate::rules::{self, Finding, Severity};
use serde::Serialize;
use std::fmt::Write as _;

/// Which bid a report is about.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BidId {
    /// Contract number.
    pub contract: String,
    /// Plan ID.
    pub plan: String,
    /// Segment ID.
    pub segment: String,
}

impl BidId {
    /// `H1234-001-000`.
    pub fn display(&self) -> String {
        let mut s = format!("{}-{}", self.contract, self.plan);
        if !self.segment.is_empty() {
            s.push('-');
            s.push_str(&self.segment);
        }
        s
    }
}

/// The report for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// Path as given.
    pub path: String,
    /// Bid identity (absent when unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bid: Option<BidId>,
    /// Why the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The bid's key figures as `bpt` recomputes them (absent when unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<Figures>,
    /// Findings, in sheet and cell order.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// Number of findings of a severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

/// The figures a reviewer scans first, as `bpt` recomputes them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Figures {
    /// Plan type (WS1 line 7).
    pub plan_type: String,
    /// Plan A/B bid (WS5 line 7).
    pub plan_bid: Option<rust_decimal::Decimal>,
    /// Plan benchmark (WS5 line 6).
    pub benchmark: Option<rust_decimal::Decimal>,
    /// MA rebate (WS5 Sec III line 2).
    pub rebate: Option<rust_decimal::Decimal>,
    /// Total plan premium (WS6 Sec IIIC line 9).
    pub total_plan_premium: Option<rust_decimal::Decimal>,
}

const SUMMARY_HEADER: [&str; 10] = [
    "file",
    "bid",
    "plan_type",
    "plan_bid",
    "benchmark",
    "rebate",
    "total_plan_premium",
    "errors",
    "warnings",
    "status",
];

fn summary_rows(reports: &[FileReport]) -> Vec<[String; 10]> {
    let m = |d: Option<rust_decimal::Decimal>| d.map(|d| format!("{:.2}", d)).unwrap_or_default();
    reports
        .iter()
        .map(|r| {
            let f = r.figures.clone().unwrap_or_default();
            let status = match &r.error {
                Some(_) => "unreadable",
                None if r.count(Severity::Error) > 0 => "errors",
                None => "ok",
            };
            [
                r.path.clone(),
                r.bid.as_ref().map(|b| b.display()).unwrap_or_default(),
                f.plan_type,
                m(f.plan_bid),
                m(f.benchmark),
                m(f.rebate),
                m(f.total_plan_premium),
                r.count(Severity::Error).to_string(),
                r.count(Severity::Warning).to_string(),
                status.to_string(),
            ]
        })
        .collect()
}

/// The batch summary as an aligned text table: one row per bid (file,
/// contract-plan-segment, plan type, plan A/B bid, benchmark, rebate, total
/// plan premium, errors, warnings, status).
pub fn summary_table(reports: &[FileReport]) -> String {
    let rows = summary_rows(reports);
    let mut width = SUMMARY_HEADER.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut o = String::new();
    let line = |o: &mut String, cells: &[String]| {
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(c.chars().count());
            // Text columns left-aligned, numbers right-aligned.
            if (3..9).contains(&i) {
                o.push_str(&" ".repeat(pad));
                o.push_str(c);
            } else {
                o.push_str(c);
                if i + 1 < cells.len() {
                    o.push_str(&" ".repeat(pad));
                }
            }
            if i + 1 < cells.len() {
                o.push_str("  ");
            }
        }
        o.push('\n');
    };
    line(&mut o, &SUMMARY_HEADER.map(String::from));
    for r in &rows {
        line(&mut o, r);
    }
    o
}

/// The batch summary as CSV (same columns as [`summary_table`]).
pub fn summary_csv(reports: &[FileReport]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(SUMMARY_HEADER);
    for r in summary_rows(reports) {
        let _ = w.write_record(&r);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// The batch summary as a JSON array of objects keyed by the column names.
pub fn summary_json(reports: &[FileReport]) -> String {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = summary_rows(reports)
        .into_iter()
        .map(|r| {
            SUMMARY_HEADER
                .iter()
                .zip(r)
                .map(|(k, v)| {
                    let v = match *k {
                        "errors" | "warnings" => {
                            serde_json::Value::from(v.parse::<u64>().unwrap_or(0))
                        }
                        _ if v.is_empty() => serde_json::Value::Null,
                        _ => serde_json::Value::from(v),
                    };
                    (k.to_string(), v)
                })
                .collect()
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
}

/// Output formats of `bpt validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by worksheet.
    Text,
    /// One JSON document.
    Json,
    /// One row per finding.
    Csv,
    /// SARIF 2.1.0 (code-scanning tools).
    Sarif,
    /// JUnit XML (CI dashboards).
    Junit,
}

/// Renders reports in a format.
pub fn render(reports: &[FileReport], format: Format) -> String {
    match format {
        Format::Text => text(reports),
        Format::Json => json(reports),
        Format::Csv => csv(reports),
        Format::Sarif => sarif(reports),
        Format::Junit => junit(reports),
    }
}

/// The text report: per file, findings grouped by worksheet, each with rule,
/// severity, location, label, found/expected and a hint; then a summary line.
pub fn text(reports: &[FileReport]) -> String {
    let mut o = String::new();
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for r in reports {
        let who = r.bid.as_ref().map(|b| b.display()).unwrap_or_default();
        if let Some(e) = &r.error {
            let _ = writeln!(o, "{}: could not read: {e}\n", r.path);
            continue;
        }
        if r.findings.is_empty() {
            let _ = writeln!(o, "{} ({who}): no findings\n", r.path);
            continue;
        }
        let _ = writeln!(o, "{} ({who})", r.path);
        let mut sheet = "";
        for f in &r.findings {
            if f.sheet != sheet {
                sheet = &f.sheet;
                let title = if sheet.is_empty() { "bid" } else { sheet };
                let _ = writeln!(o, "\n  ── {title} ──");
            }
            let loc = if f.cell.is_empty() {
                f.sheet.clone()
            } else {
                format!("{}!{}", f.sheet, f.cell)
            };
            let _ = writeln!(o, "  {}[{}] {loc}: {}", f.severity, f.rule, f.message);
            if !f.label.is_empty() {
                let _ = writeln!(o, "     field: {} ({})", f.label, f.field);
            }
            if !f.found.is_empty() || !f.expected.is_empty() {
                let _ = writeln!(
                    o,
                    "     found: {}   expected: {}",
                    blank(&f.found),
                    blank(&f.expected)
                );
            }
            let name = rules::rule(f.rule).map_or("", |r| r.name);
            let _ = writeln!(o, "     = hint: {name} — `bpt explain {}` says why", f.rule);
        }
        let (e, w, i) = (
            r.count(Severity::Error),
            r.count(Severity::Warning),
            r.count(Severity::Info),
        );
        errors += e;
        warnings += w;
        infos += i;
        let _ = writeln!(o, "\n  {e} error(s), {w} warning(s), {i} info\n");
    }
    let unreadable = reports.iter().filter(|r| r.error.is_some()).count();
    let _ = write!(
        o,
        "{} file(s): {errors} error(s), {warnings} warning(s), {infos} info",
        reports.len()
    );
    if unreadable > 0 {
        let _ = write!(o, ", {unreadable} unreadable");
    }
    o.push('\n');
    o
}

fn blank(s: &str) -> &str {
    if s.is_empty() { "(blank)" } else { s }
}

/// The JSON report.
pub fn json(reports: &[FileReport]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        files: &'a [FileReport],
    }
    serde_json::to_string_pretty(&Doc { files: reports })
        .unwrap_or_else(|e| format!("{{\"error\":\"could not serialize the report: {e}\"}}"))
}

/// The CSV report: a header and one row per finding (or per unreadable file).
pub fn csv(reports: &[FileReport]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "path", "contract", "plan", "segment", "rule", "severity", "sheet", "cell", "field",
        "message", "found", "expected",
    ]);
    for r in reports {
        let b = r.bid.clone().unwrap_or_default();
        if let Some(e) = &r.error {
            let _ = w.write_record([&r.path, "", "", "", "", "error", "", "", "", e, "", ""]);
        }
        for f in &r.findings {
            let sev = f.severity.to_string();
            let _ = w.write_record([
                r.path.as_str(),
                &b.contract,
                &b.plan,
                &b.segment,
                f.rule,
                &sev,
                &f.sheet,
                &f.cell,
                &f.field,
                &f.message,
                &f.found,
                &f.expected,
            ]);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The SARIF 2.1.0 report.
pub fn sarif(reports: &[FileReport]) -> String {
    use serde_json::json;
    let rules: Vec<_> = rules::registry()
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.name},
                "fullDescription": {"text": r.doc},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"source": r.source, "blocksFinalize": r.blocks_finalize},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        if let Some(e) = &r.error {
            results.push(json!({
                "ruleId": "read",
                "level": "error",
                "message": {"text": e},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.path}}}],
            }));
        }
        for f in &r.findings {
            results.push(json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": format!("{} (found: {}; expected: {})", f.message, blank(&f.found), blank(&f.expected))},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": r.path}},
                    "logicalLocations": [{
                        "name": f.field,
                        "fullyQualifiedName": format!("{}!{}", f.sheet, f.cell),
                        "kind": "member",
                    }],
                }],
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "bpt",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://www.cms.gov/medicare/health-drug-plans/medicare-advantage-prescription-drug-bid-pricing-tools",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// The JUnit XML report: a test suite per file, a failing test case per
/// error or warning finding (info findings pass), one passing case when clean.
pub fn junit(reports: &[FileReport]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bpt validate\">\n",
    );
    for r in reports {
        let failures = r.count(Severity::Error) + r.count(Severity::Warning);
        let errors = usize::from(r.error.is_some());
        let tests = r.findings.len().max(1) + errors;
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
            xml(&r.path)
        );
        if let Some(e) = &r.error {
            let _ = writeln!(
                o,
                "    <testcase name=\"read\" classname=\"bpt\"><error message=\"{}\"/></testcase>",
                xml(e)
            );
        } else if r.findings.is_empty() {
            let _ = writeln!(o, "    <testcase name=\"validate\" classname=\"bpt\"/>");
        }
        for f in &r.findings {
            let name = format!("{} {}!{}", f.rule, f.sheet, f.cell);
            let _ = write!(
                o,
                "    <testcase name=\"{}\" classname=\"{}\">",
                xml(&name),
                xml(&f.sheet)
            );
            if f.severity != Severity::Info {
                let _ = write!(
                    o,
                    "<failure type=\"{}\" message=\"{}\">found: {}; expected: {}</failure>",
                    f.severity,
                    xml(&f.message),
                    xml(blank(&f.found)),
                    xml(blank(&f.expected))
                );
            }
            o.push_str("</testcase>\n");
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<FileReport> {
        vec![
            FileReport {
                figures: None,
                path: "a.xlsx".into(),
                bid: Some(BidId {
                    contract: "H1234".into(),
                    plan: "001".into(),
                    segment: "000".into(),
                }),
                error: None,
                findings: vec![Finding {
                    rule: "V003",
                    severity: Severity::Error,
                    sheet: "WS5".into(),
                    cell: "F19".into(),
                    field: "ws5.bid.plan_bid".into(),
                    label: "Plan A/B Bid".into(),
                    message: "Plan A/B Bid holds 1, \"x\" <y>".into(),
                    found: "1".into(),
                    expected: "2".into(),
                }],
            },
            FileReport {
                figures: None,
                path: "b.xlsx".into(),
                bid: None,
                error: Some("not a workbook".into()),
                findings: vec![],
            },
        ]
    }

    #[test]
    fn csv_quotes_and_counts_rows() {
        let s = csv(&sample());
        assert_eq!(s.lines().count(), 3);
        assert!(s.contains("\"Plan A/B Bid holds 1, \"\"x\"\" <y>\""));
    }

    #[test]
    fn junit_escapes() {
        let s = junit(&sample());
        assert!(s.contains("&quot;x&quot; &lt;y&gt;"));
        assert!(s.contains("errors=\"1\""));
    }

    #[test]
    fn json_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(v["files"][0]["bid"]["contract"], "H1234");
        assert_eq!(v["files"][0]["findings"][0]["rule"], "V003");
        assert_eq!(v["files"][1]["error"], "not a workbook");
    }

    #[test]
    fn sarif_is_2_1_0() {
        let v: serde_json::Value = serde_json::from_str(&sarif(&sample())).unwrap();
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"][0]["results"][0]["level"], "error");
    }

    #[test]
    fn text_groups_by_sheet() {
        let s = text(&sample());
        assert!(s.contains("── WS5 ──"));
        assert!(s.contains("error[V003] WS5!F19"));
        assert!(s.contains("b.xlsx: could not read: not a workbook"));
    }
}
