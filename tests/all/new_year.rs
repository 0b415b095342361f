//! A new contract year is a new template file, with no code change (issue
//! 14, "Done when"): the MA template copied to a hypothetical
//! `ma-bpt-2014` with its own id and marker, one formula changed (WS6 line
//! 6 rounds the MA premium to the cent instead of the dime) and one cell
//! moved (WS6 line 7a, the Part D basic premium before rebates, from R34 to
//! T34). A bid written on that form is read with `--template FILE` and
//! validated and recalculated end to end by the `bpt` binary.

use crate::common;

use bpt::template::Layout;
use bpt::value::{Value, Values};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::str::FromStr;

const MA_2013: &str = include_str!("../../templates/ma-bpt-2013.toml");

/// The 2014 template: the 2013 text with the changes of the module doc.
fn ma_2014() -> String {
    edited(&[
        ("id = \"ma-bpt-2013\"", "id = \"ma-bpt-2014\""),
        ("contract_year = 2013", "contract_year = 2014"),
        (
            "text = \"bpt:ma-bpt-2013:v1\"",
            "text = \"bpt:ma-bpt-2014:v1\"",
        ),
        (
            "formula = \"ROUND({ws6.premium.total_ma_premium},1)\"",
            "formula = \"ROUND({ws6.premium.total_ma_premium},2)\"",
        ),
        (
            "id = \"ws6.premium.part_d_basic_before\"\ncell = \"R34\"",
            "id = \"ws6.premium.part_d_basic_before\"\ncell = \"T34\"",
        ),
    ])
}

/// The MA template with edits: each `from`, once in it, replaced by `to`.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut t = MA_2013.to_string();
    for (from, to) in edits {
        assert_eq!(
            t.matches(from).count(),
            1,
            "`{from}` is not once in the template"
        );
        t = t.replacen(from, to, 1);
    }
    t
}

fn num(j: &serde_json::Value, id: &str) -> Decimal {
    let v = &j[id];
    let s = v
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string());
    Decimal::from_str(&s).unwrap_or_else(|_| panic!("{id}: {v}"))
}

#[test]
fn a_new_contract_year_is_a_template_file() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("ma-bpt-2014.toml");
    std::fs::write(&tpl, ma_2014()).unwrap();
    let tpl_s = tpl.to_str().unwrap();

    // The file checks as a template of its own.
    let (code, out, err) = common::bpt(&["template", "--check", tpl_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("ok: ma-bpt-2014 — Medicare Advantage Bid Pricing Tool 2014"),
        "{out}"
    );

    // A bid on the 2014 form: the HMO sample's entries, with a total MA
    // premium that is not a whole dime and line 7a at its new cell.
    let layout = Layout::from_toml(&ma_2014()).expect("the 2014 template loads");
    assert_eq!(
        layout
            .field("ws6.premium.part_d_basic_before")
            .unwrap()
            .cell
            .to_string(),
        "T34"
    );
    let p = bpt::sample::profile("hmo-mapd-2013").unwrap();
    let mut v: Values = layout.entered_values(&bpt::sample::generate(&p, &layout));
    v.set(
        "ws6.premium.part_d_basic_before",
        Value::Number(dec!(31.30)),
    );
    let bytes = bpt::writer::write_form(&layout, &v, &Default::default()).expect("write");
    let wb = dir.path().join("h0001-2014.xlsx");
    std::fs::write(&wb, bytes).unwrap();
    let wb_s = wb.to_str().unwrap();

    // Without the template, the 2014 marker is no form bpt knows.
    let (code, _, err) = common::bpt(&["validate", wb_s]);
    assert_eq!(code, 2, "{err}");

    // recalc: the changed formula and the moved cell.
    let (code, out, err) = common::bpt(&["recalc", wb_s, "--format", "json", "--template", tpl_s]);
    assert_eq!(code, 0, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    let total = num(&j, "ws6.premium.total_ma_premium");
    let rounded = num(&j, "ws6.premium.rounded_ma_premium");
    assert_ne!(
        total.round_dp(1),
        total.round_dp(2),
        "pick a bid whose premium is not in dimes"
    );
    assert_eq!(
        rounded,
        bpt::form::eval::round(total, 2),
        "line 6 to the cent"
    );
    // Line 7d = 7a (read at T34) − 7c (the sample's $19.20 of rebate).
    assert_eq!(num(&j, "ws6.premium.part_d_basic_premium"), dec!(12.10));
    assert_eq!(
        num(&j, "ws6.premium.total_plan_premium"),
        rounded + dec!(12.10) + num(&j, "ws6.premium.part_d_supp_premium")
    );

    // read: line 7a is the value at T34.
    let (code, out, err) = common::bpt(&["read", wb_s, "--format", "csv", "--template", tpl_s]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("ws6.premium.part_d_basic_before"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("T34") && line.contains("31.3"), "{line}");

    // recalc -o caches the 2014 formulas' results; validate then runs end
    // to end on the 2014 form and no calculated cell differs.
    let done = dir.path().join("h0001-2014-recalculated.xlsx");
    let done_s = done.to_str().unwrap();
    let (code, out, err) = common::bpt(&["recalc", wb_s, "-o", done_s, "--template", tpl_s]);
    assert_eq!(code, 0, "{out}{err}");
    let wb_s = done_s;
    let (code, out, err) =
        common::bpt(&["validate", wb_s, "--template", tpl_s, "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["files"][0]["findings"], serde_json::json!([]), "{out}");
    let (code, out, err) = common::bpt(&["diff", wb_s, "--template", tpl_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("every calculated cell matches"), "{out}");
}

#[test]
fn template_check_lists_every_id_the_code_needs_that_a_template_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("ma-bpt-2014.toml");
    let t = ma_2014()
        .replacen(
            "id = \"ws6.premium.plan_intention\"",
            "id = \"ws6.premium.intention\"",
            1,
        )
        .replacen("id = \"ws1.general.ma_pd\"", "id = \"ws1.general.mapd\"", 1)
        // Only a rule reads this one (D001).
        .replacen(
            "id = \"ws1.base_period.description\"",
            "id = \"ws1.base_period.describe\"",
            1,
        );
    std::fs::write(&tpl, t).unwrap();
    let tpl_s = tpl.to_str().unwrap();
    let (code, out, err) = common::bpt(&["template", "--check", tpl_s]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        err,
        format!(
            "bpt: {tpl_s}: template ma-bpt-2014: 5 id(s) the code needs are missing:
  reallocate (Appendix E) needs field `ws1.general.ma_pd`
  reallocate (Appendix E) needs field `ws6.premium.plan_intention`
  validation rules D001–D003/D005/D006 need field `ws1.base_period.description`
  validation rules A001–A007, F001–F010, P001–P006 need field `ws1.general.ma_pd`
  validation rules P001–P006 need field `ws6.premium.plan_intention`
"
        )
    );
}

#[test]
fn a_template_error_of_several_lines_prints_as_lines() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("bad.toml");
    // A TOML error: the parser shows the line and a caret under it.
    std::fs::write(&tpl, ma_2014().replacen("[form]\n", "[form\n", 1)).unwrap();
    let tpl_s = tpl.to_str().unwrap();
    let (code, out, err) = common::bpt(&["template", "--check", tpl_s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!err.contains("\\n"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() > 2, "{err}");
    assert!(
        lines[0].starts_with(&format!("bpt: {tpl_s}: template is not valid TOML: ")),
        "{err}"
    );
    assert!(lines.iter().any(|l| l.trim_end().ends_with('^')), "{err}");
    // The same with --template on any command.
    let (code, _, err2) = common::bpt(&["rules", "--template", tpl_s]);
    assert_eq!(code, 2, "{err2}");
    assert!(!err2.contains("\\n"), "{err2}");
    assert!(err2.lines().count() > 2, "{err2}");
}

/// The findings of `rule` on a bid of `inputs` recalculated with
/// `layout`'s formulas, as `field: message`.
fn findings_of(layout: &Layout, inputs: &Values, rule: &str) -> Vec<String> {
    let all = bpt::sample::finish(layout, inputs.clone());
    let ctx = bpt::rules::Ctx {
        layout,
        values: &all,
        calc: &all,
        tolerance: bpt::diff::DEFAULT_TOLERANCE,
        defaults: None,
    };
    bpt::rules::check(&ctx, &bpt::rules::Selection::default())
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect()
}

/// The shipped MA template, a copy of it with edits (each `from` once in
/// the template, replaced by `to`), and the `hmo-mapd-2013` sample bid on
/// the shipped one: all its values and the entered ones.
struct TemplateCopy {
    shipped: Layout,
    changed: Layout,
    full: Values,
    entered: Values,
}

impl TemplateCopy {
    fn with(edits: &[(&str, &str)]) -> TemplateCopy {
        let t = edited(edits);
        let shipped = Layout::from_toml(MA_2013).expect("the template loads");
        let changed = Layout::from_toml(&t).expect("the changed copy loads");
        let p = bpt::sample::profile("hmo-mapd-2013").unwrap();
        let full = bpt::sample::generate(&p, &shipped);
        let full = bpt::sample::finish(&shipped, shipped.entered_values(&full));
        let entered = shipped.entered_values(&full);
        TemplateCopy {
            shipped,
            changed,
            full,
            entered,
        }
    }
}

/// Which rows, cells, tolerances and labels M010-M014, C001 and C002
/// check is the template's (`[form.facts.rules]`): a copy of the template
/// with other facts makes the same bid's findings follow them.
#[test]
fn the_rules_check_what_the_template_facts_name() {
    let copy = TemplateCopy::with(&[
        ("line_tolerance = \"0.05\"", "line_tolerance = \"0.03\""),
        (
            "{ id = \"ws4.nbe.v1_h\", label = \"line v1\" },",
            "{ id = \"ws4.nbe.v1_h\", label = \"marketing and sales (line v1)\" },",
        ),
        (
            "{ id = \"ws4.nbe.v3_h\", label = \"line v3\" },",
            "{ id = \"ws4.nbe.v3_h\", label = \"line v3\" },\n  { id = \"ws4.nbe.v4_h\", label = \"line v4\" },",
        ),
        (
            "label = \"plan benchmark\" }",
            "label = \"plan A/B benchmark\" }",
        ),
        (
            "  { total = \"ws5.bid.mm_total\", non_de = \"ws5.bid.mm_non_de\" },\n",
            "",
        ),
        (
            "  { mm_de = \"ws1.base_period.mm_de\", total = \"ws1.base_period.risk_total\", non_de = \"ws1.base_period.risk_non_de\" },\n",
            "",
        ),
    ]);
    let TemplateCopy {
        shipped,
        changed,
        full,
        entered,
    } = copy;
    let get = |id: &str| full.num(id).unwrap_or_else(|| panic!("{id}"));

    // M011: WS2 line i's total 0.04 from the weighted average of its
    // non-DE# and DE# PMPMs: within the form's 0.05, not the copy's 0.03.
    let (mm_n, mm_d) = (get("ws2.projection.mm_non_de"), get("ws2.projection.mm_de"));
    let o = get("ws2.allowed.blend_allowed[i]");
    let (p_i, q_i) = (
        get("ws2.allowed.non_de_allowed[i]"),
        get("ws2.allowed.de_allowed[i]"),
    );
    let delta = o - (p_i * mm_n + q_i * mm_d) / (mm_n + mm_d) - dec!(0.04);
    let (p_i, q_i) = (p_i + delta, q_i + delta);
    let mut v = entered.clone();
    v.set("ws2.allowed.non_de_allowed[i]", Value::Number(p_i));
    v.set("ws2.allowed.de_allowed[i]", Value::Number(q_i));
    let w = (p_i * mm_n + q_i * mm_d) / (mm_n + mm_d);
    assert_eq!(findings_of(&shipped, &v, "M011"), Vec::<String>::new());
    assert_eq!(
        findings_of(&changed, &v, "M011"),
        [format!(
            "ws2.allowed.blend_allowed[i]: line i: total allowed {} is 0.04 from the DE#/non-DE# weighted average {} (limit 0.03)",
            bpt::diff::fixed(o, 2),
            bpt::diff::fixed(w, 2)
        )]
    );

    // M012: line v1 blank, v4 (reinsurance, which the form lets be
    // negative) below zero; the copy lists v4 and calls v1 otherwise.
    let mut v = entered.clone();
    v.set("ws4.nbe.v1_h", Value::Empty);
    v.set("ws4.nbe.v4_h", Value::Number(dec!(-1)));
    assert_eq!(
        findings_of(&shipped, &v, "M012"),
        ["ws4.nbe.v1_h: line v1 is blank; enter 0 if there is no such expense"]
    );
    assert_eq!(
        findings_of(&changed, &v, "M012"),
        [
            "ws4.nbe.v1_h: marketing and sales (line v1) is blank; enter 0 if there is no such expense",
            "ws4.nbe.v4_h: non-benefit expense is negative",
        ]
    );

    // M013: what the finding calls the plan benchmark.
    let mut v = entered.clone();
    v.set("ws5.bid.msp", Value::Number(dec!(1)));
    assert_eq!(
        findings_of(&shipped, &v, "M013"),
        ["ws5.bid.plan_benchmark: the plan benchmark must be greater than zero to finalize"]
    );
    assert_eq!(
        findings_of(&changed, &v, "M013"),
        ["ws5.bid.plan_benchmark: the plan A/B benchmark must be greater than zero to finalize"]
    );

    // C001: the copy checks only the base period's member months.
    let mut v = entered.clone();
    v.set("ws5.bid.mm_non_de", Value::Empty);
    assert_eq!(
        findings_of(&shipped, &v, "C001"),
        ["ws5.bid.mm_non_de: member months are blank; enter 0 if there are none"]
    );
    assert_eq!(findings_of(&changed, &v, "C001"), Vec::<String>::new());

    // C002: the copy checks only the projection's risk scores.
    let mut v = entered;
    v.set(
        "ws1.base_period.mm_non_de",
        Value::Number(get("ws1.base_period.mm_total")),
    );
    assert_eq!(
        findings_of(&shipped, &v, "C002"),
        [
            "ws1.base_period.risk_non_de: there are no DE# member months, so the non-DE# risk score must equal the total 1.012"
        ]
    );
    assert_eq!(findings_of(&changed, &v, "C002"), Vec::<String>::new());
}

/// Which risk scores R011 checks, which OOP questions F020 asks, which
/// percentages R003 reads and which package columns make D005 ask for a
/// description are the template's (`[form.facts.rules]`): a copy of the
/// template with other facts makes the same bid's findings follow them.
#[test]
fn the_county_risk_oop_and_package_facts_are_what_the_rules_check() {
    let copy = TemplateCopy::with(&[
        ("  { id = \"ws5.bid.risk_non_de\" },\n", ""),
        (
            "  { question = \"ws3.oop.combined\", amount = \"ws3.oop.combined_amount\" },\n",
            "",
        ),
        (
            "{ table = \"ws4.de\", net = \"reimbursement\", covered = [\"pct_cov_allowed\", \"pct_cov_cs\"] }",
            "{ table = \"ws4.de\", net = \"reimbursement\", covered = [\"pct_cov_allowed\"] }",
        ),
        (
            "package_columns = { priced = [\"benefit\", \"util\"]",
            "package_columns = { priced = [\"benefit\"]",
        ),
    ]);
    let TemplateCopy {
        shipped,
        changed,
        full: _,
        entered,
    } = copy;

    // R011: the projected non-DE# risk score keyed as 10.2.
    let mut v = entered.clone();
    v.set("ws5.bid.risk_non_de", Value::Number(dec!(10.2)));
    assert_eq!(
        findings_of(&shipped, &v, "R011"),
        ["ws5.bid.risk_non_de: risk score outside 0.3-4.0"]
    );
    assert_eq!(findings_of(&changed, &v, "R011"), Vec::<String>::new());

    // F020: the combined OOP question answered "Maybe".
    let mut v = entered.clone();
    v.set("ws3.oop.combined", Value::Text("Maybe".into()));
    assert_eq!(
        findings_of(&shipped, &v, "F020"),
        ["ws3.oop.combined: must be Yes or No"]
    );
    assert_eq!(findings_of(&changed, &v, "F020"), Vec::<String>::new());

    // R003: DE# line b's cost sharing covered at 150 % (line b's findings:
    // the entered values leave the non-covered lines' percentages blank).
    let mut v = entered.clone();
    v.set("ws4.de.pct_cov_cs[b]", Value::Number(dec!(1.5)));
    let line_b = |l: &Layout| -> Vec<String> {
        findings_of(l, &v, "R003")
            .into_iter()
            .filter(|f| f.contains("[b]"))
            .collect()
    };
    assert_eq!(
        line_b(&shipped),
        ["ws4.de.pct_cov_cs[b]: percentage covered must be between 0% and 100%"]
    );
    assert_eq!(line_b(&changed), Vec::<String>::new());

    // D005: package 5 has only a utilization entered and no description.
    let mut v = entered;
    let row = shipped
        .table("ws7.pkg5.lines")
        .and_then(|t| t.row_keys().next().map(str::to_string))
        .expect("package 5 has lines");
    for c in ["description", "premium"] {
        v.set(format!("ws7.pkg5.{c}"), Value::Empty);
    }
    v.set(
        format!("ws7.pkg5.lines.util[{row}]"),
        Value::Number(dec!(12)),
    );
    assert_eq!(
        findings_of(&shipped, &v, "D005"),
        ["ws7.pkg5.description: package 5 is priced but has no description"]
    );
    assert_eq!(findings_of(&changed, &v, "D005"), Vec::<String>::new());
}
