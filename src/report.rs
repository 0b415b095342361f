//! Validation reports: text (like a compiler's), JSON, CSV, SARIF 2.1.0 and
//! JUnit XML.
//!
//! The JSON shape (documented in the README) is
//! `{"files":[{"path":…,"bid":{"contract":…,"plan":…,"segment":…},"findings":[{"rule":…,"severity":…,"sheet":…,"cell":…,"field":…,"message":…,"found":…,"expected":…}]}]}`;
//! a file that could not be read has `"error"` instead of `"bid"` and no findings.

// Counts and widths here are of in-memory collections; kept checked all
// the same, like every other module that renders what a file holds.
#![deny(clippy::arithmetic_side_effects)]

use crate::rules::{self, Finding, Severity};
use crate::sanitize;
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

impl Figures {
    /// The figures the template's `[form.facts]` names, read with `text`
    /// and `num` (which say how a cell is read: submitted or recomputed).
    pub fn of(
        facts: &crate::template::Facts,
        text: impl Fn(&str) -> String,
        num: impl Fn(&str) -> Option<rust_decimal::Decimal>,
    ) -> Figures {
        use crate::template::facts::ReportFigure as R;
        let get = |r| facts.report_figure(r).and_then(&num);
        Figures {
            plan_type: if facts.identity.plan_type.is_empty() {
                String::new()
            } else {
                text(&facts.identity.plan_type)
            },
            plan_bid: get(R::PlanBid),
            benchmark: get(R::Benchmark),
            rebate: get(R::Rebate),
            total_plan_premium: get(R::TotalPlanPremium),
        }
    }
}

/// What configured a validation run, as every report states it: the
/// `bpt.toml` loaded, the tolerance and each rule switched off with what
/// switched it off.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RunConfig {
    /// The `bpt.toml` loaded (`null`: none was found or given).
    pub file: Option<String>,
    /// Tolerance for unrounded calculated cells.
    pub tolerance: String,
    /// Rules switched off by the config file or the flags.
    pub rules_off: Vec<RuleOff>,
}

/// One rule switched off.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleOff {
    /// Rule id.
    pub rule: &'static str,
    /// What switched it off: `bpt.toml ignore \`D\``, `--ignore \`R011\``,
    /// `not in --select \`F006\``.
    pub by: String,
}

impl RunConfig {
    /// The configuration of a run with this selection and tolerance.
    pub fn new(sel: &rules::Selection, tolerance: rust_decimal::Decimal) -> Self {
        RunConfig {
            file: sel.origin.config.as_ref().map(|p| p.display().to_string()),
            tolerance: tolerance.normalize().to_string(),
            rules_off: sel
                .rules_off()
                .into_iter()
                .map(|(rule, by)| RuleOff { rule, by })
                .collect(),
        }
    }

    /// The text report's header lines: the config file and the rules off,
    /// grouped by what switched them off; nothing for a default run.
    pub fn text(&self) -> String {
        let mut o = String::new();
        if let Some(f) = &self.file {
            let _ = writeln!(o, "config: {}", sanitize::visible(f));
        }
        if self.tolerance != crate::diff::DEFAULT_TOLERANCE.normalize().to_string() {
            let _ = writeln!(o, "tolerance: {}", self.tolerance);
        }
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for r in &self.rules_off {
            match groups.iter_mut().find(|g| g.0 == r.by) {
                Some(g) => g.1.push(r.rule),
                None => groups.push((&r.by, vec![r.rule])),
            }
        }
        for (by, ids) in groups {
            if by.starts_with("not in") {
                let _ = writeln!(
                    o,
                    "rules off ({}): {} rule(s)",
                    sanitize::visible(by),
                    ids.len()
                );
            } else {
                let _ = writeln!(
                    o,
                    "rules off ({}): {}",
                    sanitize::visible(by),
                    ids.join(", ")
                );
            }
        }
        if !o.is_empty() {
            o.push('\n');
        }
        o
    }
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
    let m =
        |d: Option<rust_decimal::Decimal>| d.map(|d| crate::diff::fixed(d, 2)).unwrap_or_default();
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
/// plan premium, errors, warnings, status). Text from the workbooks is
/// shown with visible escapes and shortened like an echo.
pub fn summary_table(reports: &[FileReport]) -> String {
    let rows: Vec<[String; 10]> = summary_rows(reports)
        .into_iter()
        .map(|r| r.map(|c| sanitize::echo(&c)))
        .collect();
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
                if i.saturating_add(1) < cells.len() {
                    o.push_str(&" ".repeat(pad));
                }
            }
            if i.saturating_add(1) < cells.len() {
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

/// The batch summary as CSV (same columns as [`summary_table`]), cells
/// neutralised ([`sanitize::csv_cell`]).
pub fn summary_csv(reports: &[FileReport]) -> String {
    sanitize::csv(&SUMMARY_HEADER, summary_rows(reports))
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

/// Renders reports in a format (without the run's configuration).
pub fn render(reports: &[FileReport], format: Format) -> String {
    render_with(reports, format, None)
}

/// Renders reports in a format; with `config`, the text, JSON, SARIF and
/// JUnit reports also state the run's configuration ([`RunConfig`]).
pub fn render_with(reports: &[FileReport], format: Format, config: Option<&RunConfig>) -> String {
    match format {
        Format::Text => match config {
            Some(c) => c.text() + &text(reports),
            None => text(reports),
        },
        Format::Json => json_with(reports, config),
        Format::Csv => csv(reports),
        Format::Sarif => sarif_with(reports, config),
        Format::Junit => junit_with(reports, config),
    }
}

/// The text report: per file, findings grouped by worksheet, each with rule,
/// severity, location, label, found/expected and a hint (a rule found
/// [`GROUP_AT`] times or more on a sheet once, with its count, its cells and
/// the first finding); then a summary line.
/// Text from the workbook or a path is shown with visible escapes
/// ([`sanitize::visible`]); found and expected values are shortened
/// ([`sanitize::echo`]).
pub fn text(reports: &[FileReport]) -> String {
    use sanitize::visible as v;
    let mut o = String::new();
    let (mut errors, mut warnings, mut infos) = (0usize, 0usize, 0usize);
    for r in reports {
        let who = r
            .bid
            .as_ref()
            .map(|b| sanitize::echo(&b.display()))
            .unwrap_or_default();
        let path = v(&r.path);
        if let Some(e) = &r.error {
            let e = sanitize::visible(&sanitize::shorten(e, sanitize::MESSAGE_CHARS)).into_owned();
            let _ = writeln!(o, "{path}: could not read: {e}\n");
            continue;
        }
        if r.findings.is_empty() {
            let _ = writeln!(o, "{path} ({who}): no findings\n");
            continue;
        }
        let _ = writeln!(o, "{path} ({who})");
        let mut sheet = "";
        // A rule found GROUP_AT times or more on one sheet is shown once,
        // with its count and cells.
        let mut per_sheet_rule: std::collections::HashMap<(&str, &str), Vec<&Finding>> =
            std::collections::HashMap::new();
        for f in &r.findings {
            per_sheet_rule
                .entry((f.sheet.as_str(), f.rule))
                .or_default()
                .push(f);
        }
        let mut shown_groups = std::collections::HashSet::new();
        for f in &r.findings {
            if f.sheet != sheet {
                sheet = &f.sheet;
                let title = if sheet.is_empty() { "bid" } else { sheet };
                let _ = writeln!(o, "\n  ── {} ──", v(title));
            }
            let group = per_sheet_rule
                .get(&(f.sheet.as_str(), f.rule))
                .filter(|g| g.len() >= GROUP_AT);
            if let Some(g) = group {
                if shown_groups.insert((f.sheet.as_str(), f.rule)) {
                    group_text(&mut o, g);
                }
                continue;
            }
            let loc = if f.cell.is_empty() {
                v(&f.sheet).into_owned()
            } else {
                format!("{}!{}", v(&f.sheet), v(&f.cell))
            };
            let _ = writeln!(o, "  {}[{}] {loc}: {}", f.severity, f.rule, v(&f.message));
            if !f.label.is_empty() {
                let _ = writeln!(o, "     field: {} ({})", v(&f.label), v(&f.field));
            }
            if !f.found.is_empty() || !f.expected.is_empty() {
                let _ = writeln!(
                    o,
                    "     found: {}   expected: {}",
                    blank(&sanitize::echo(&f.found)),
                    blank(&sanitize::echo(&f.expected))
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
        errors = errors.saturating_add(e);
        warnings = warnings.saturating_add(w);
        infos = infos.saturating_add(i);
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

/// How many findings of one rule on one sheet the text report shows as one
/// group ("R002 ×18").
pub const GROUP_AT: usize = 3;

/// Cells listed in a group before "and N more".
const GROUP_CELLS: usize = 8;

/// A group of findings of one rule on one sheet: the rule with its count,
/// the cells, and the first finding in full.
fn group_text(o: &mut String, g: &[&Finding]) {
    use sanitize::visible as v;
    let Some(first) = g.first() else {
        return;
    };
    let cells: Vec<String> = g
        .iter()
        .take(GROUP_CELLS)
        .map(|f| v(&f.cell).into_owned())
        .collect();
    let more = g.len().saturating_sub(GROUP_CELLS);
    let _ = writeln!(
        o,
        "  {}[{}] ×{} on {}: {}{}",
        first.severity,
        first.rule,
        g.len(),
        v(if first.sheet.is_empty() {
            "bid"
        } else {
            &first.sheet
        }),
        cells.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    let loc = if first.cell.is_empty() {
        v(&first.sheet).into_owned()
    } else {
        format!("{}!{}", v(&first.sheet), v(&first.cell))
    };
    let _ = writeln!(o, "     first, {loc}: {}", v(&first.message));
    if !first.found.is_empty() || !first.expected.is_empty() {
        let _ = writeln!(
            o,
            "     found: {}   expected: {}",
            blank(&sanitize::echo(&first.found)),
            blank(&sanitize::echo(&first.expected))
        );
    }
    let name = rules::rule(first.rule).map_or("", |r| r.name);
    let _ = writeln!(
        o,
        "     = hint: {name} — `bpt explain {}` says why; --format json lists each",
        first.rule
    );
}

fn blank(s: &str) -> &str {
    if s.is_empty() { "(blank)" } else { s }
}

/// The JSON report (without the run's configuration). Values are exact, as
/// JSON strings escape every control character; `found` and `expected` are
/// kept up to [`sanitize::FOUND_CHARS`] characters.
pub fn json(reports: &[FileReport]) -> String {
    json_with(reports, None)
}

fn json_with(reports: &[FileReport], config: Option<&RunConfig>) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        config: Option<&'a RunConfig>,
        files: &'a [FileReport],
    }
    serde_json::to_string_pretty(&Doc {
        config,
        files: reports,
    })
    .unwrap_or_else(|e| format!("{{\"error\":\"could not serialize the report: {e}\"}}"))
}

/// The CSV report: a header and one row per finding (or per unreadable
/// file), written by the `csv` crate, each cell neutralised
/// ([`sanitize::csv_cell`]).
pub fn csv(reports: &[FileReport]) -> String {
    let mut rows: Vec<[String; 12]> = Vec::new();
    for r in reports {
        let b = r.bid.clone().unwrap_or_default();
        if let Some(e) = &r.error {
            rows.push([
                r.path.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "error".into(),
                String::new(),
                String::new(),
                String::new(),
                sanitize::shorten(e, sanitize::MESSAGE_CHARS).into_owned(),
                String::new(),
                String::new(),
            ]);
        }
        for f in &r.findings {
            rows.push([
                r.path.clone(),
                b.contract.clone(),
                b.plan.clone(),
                b.segment.clone(),
                f.rule.to_string(),
                f.severity.to_string(),
                f.sheet.clone(),
                f.cell.clone(),
                f.field.clone(),
                f.message.clone(),
                f.found.clone(),
                f.expected.clone(),
            ]);
        }
    }
    sanitize::csv(
        &[
            "path", "contract", "plan", "segment", "rule", "severity", "sheet", "cell", "field",
            "message", "found", "expected",
        ],
        rows,
    )
}

/// The SARIF 2.1.0 report (without the run's configuration).
pub fn sarif(reports: &[FileReport]) -> String {
    sarif_with(reports, None)
}

/// The SARIF report: `artifactLocation.uri` is the path as a URI reference
/// ([`sanitize::uri`]); message text has visible escapes and shortened
/// values. With `config`, the run's invocation lists every rule switched
/// off as a `ruleConfigurationOverrides` entry (`enabled: false`) and its
/// properties name the `bpt.toml` loaded.
fn sarif_with(reports: &[FileReport], config: Option<&RunConfig>) -> String {
    use serde_json::json;
    let rules: Vec<_> = rules::registry()
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.name},
                "fullDescription": {"text": r.doc_text()},
                "help": {"text": r.doc_text(), "markdown": r.doc_text()},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"source": r.source, "blocksFinalize": r.blocks_finalize},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        let uri = sanitize::uri(&r.path);
        if let Some(e) = &r.error {
            let e = sanitize::visible(&sanitize::shorten(e, sanitize::MESSAGE_CHARS)).into_owned();
            results.push(json!({
                "ruleId": "read",
                "level": "error",
                "message": {"text": e},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            }));
        }
        for f in &r.findings {
            results.push(json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": format!(
                    "{} (found: {}; expected: {})",
                    sanitize::visible(&f.message),
                    blank(&sanitize::echo(&f.found)),
                    blank(&sanitize::echo(&f.expected))
                )},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": uri}},
                    "logicalLocations": [{
                        "name": f.field,
                        "fullyQualifiedName": format!("{}!{}", f.sheet, f.cell),
                        "kind": "member",
                    }],
                }],
            }));
        }
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "bpt",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://www.cms.gov/medicare/health-drug-plans/medicare-advantage-prescription-drug-bid-pricing-tools",
            "rules": rules,
        }},
        "results": results,
    });
    if let Some(c) = config {
        let index = |id: &str| rules::registry().iter().position(|r| r.id == id);
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "ruleConfigurationOverrides": c.rules_off.iter().map(|o| json!({
                "descriptor": {"id": o.rule, "index": index(o.rule)},
                "configuration": {"enabled": false},
            })).collect::<Vec<_>>(),
            "properties": {
                "configFile": c.file,
                "tolerance": c.tolerance,
                "rulesOff": c.rules_off,
            },
        }]);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
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

use sanitize::xml_text as xml;

/// The JUnit XML report (without the run's configuration).
pub fn junit(reports: &[FileReport]) -> String {
    junit_with(reports, None)
}

/// The JUnit XML report: a test suite per file, a failing test case per
/// error or warning finding (info findings pass), one passing case when
/// clean. Every text goes through [`sanitize::xml_text`], so the document
/// is well-formed XML 1.0 for any input. With `config`, each suite's
/// `<properties>` name the `bpt.toml` loaded, the tolerance and the rules
/// switched off.
fn junit_with(reports: &[FileReport], config: Option<&RunConfig>) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bpt validate\">\n",
    );
    for r in reports {
        let failures = r
            .count(Severity::Error)
            .saturating_add(r.count(Severity::Warning));
        let errors = usize::from(r.error.is_some());
        let tests = r.findings.len().max(1).saturating_add(errors);
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
            xml(&r.path)
        );
        if let Some(c) = config {
            o.push_str("    <properties>\n");
            let _ = writeln!(
                o,
                "      <property name=\"bpt.config\" value=\"{}\"/>",
                xml(c.file.as_deref().unwrap_or(""))
            );
            let _ = writeln!(
                o,
                "      <property name=\"bpt.tolerance\" value=\"{}\"/>",
                xml(&c.tolerance)
            );
            let off: Vec<&str> = c.rules_off.iter().map(|x| x.rule).collect();
            let _ = writeln!(
                o,
                "      <property name=\"bpt.rules_off\" value=\"{}\"/>",
                xml(&off.join(" "))
            );
            o.push_str("    </properties>\n");
        }
        if let Some(e) = &r.error {
            let _ = writeln!(
                o,
                "    <testcase name=\"read\" classname=\"bpt\"><error message=\"{}\"/></testcase>",
                xml(&sanitize::shorten(e, sanitize::MESSAGE_CHARS))
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
                    xml(blank(&sanitize::shorten(&f.found, sanitize::ECHO_CHARS))),
                    xml(blank(&sanitize::shorten(&f.expected, sanitize::ECHO_CHARS)))
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
