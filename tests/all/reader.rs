//! The reader against real workbooks written with rust_xlsxwriter, cells put
//! at the addresses a template gives.

use bpt::reader::{self, ReadError, Source};
use bpt::template::{self, Kind, Layout, Role};
use bpt::value::{Invalid, Value, Values};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::str::FromStr;

const MINI: &str = include_str!("../fixtures/reader-mini.toml");
const MARKER: &str = "bpt:reader-mini:v1";

fn mini() -> Layout {
    Layout::from_toml(MINI).expect("fixture template resolves")
}

/// A cell to write.
enum Put<'a> {
    Num(f64),
    Str(&'a str),
    Date(u16, u8, u8),
    Bool(bool),
    /// A formula and its cached result.
    Formula(&'a str, &'a str),
}

fn put(ws: &mut Worksheet, layout: &Layout, id: &str, p: Put<'_>) {
    let f = layout.field(id).unwrap_or_else(|| panic!("no field {id}"));
    let (r, c) = (f.cell.row, f.cell.col);
    match p {
        Put::Num(x) => ws.write_number(r, c, x).map(|_| ()),
        Put::Str(s) => ws.write_string(r, c, s).map(|_| ()),
        Put::Date(y, m, d) => {
            let fmt = Format::new().set_num_format("m/d/yyyy");
            let dt = ExcelDateTime::from_ymd(y, m, d).expect("valid date");
            ws.write_datetime_with_format(r, c, &dt, &fmt).map(|_| ())
        }
        Put::Bool(b) => ws.write_boolean(r, c, b).map(|_| ()),
        Put::Formula(f, res) => ws
            .write_formula(r, c, Formula::new(f).set_result(res))
            .map(|_| ()),
    }
    .expect("write cell");
}

/// A workbook with the mini template's sheets, the marker, and `fill`'s cells.
fn book(
    sheets: &[&str],
    marker: Option<&str>,
    fill: impl FnOnce(&mut Workbook, &Layout),
) -> Vec<u8> {
    let layout = mini();
    let mut wb = Workbook::new();
    for name in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
    }
    if let Some(m) = marker {
        wb.worksheet_from_name("Inputs")
            .expect("Inputs sheet")
            .write_string(0, 0, m)
            .expect("marker");
    }
    fill(&mut wb, &layout);
    wb.save_to_buffer().expect("save")
}

fn filled() -> Vec<u8> {
    book(&["Inputs", "Calc"], Some(MARKER), |wb, l| {
        let ws = wb.worksheet_from_name("Inputs").unwrap();
        put(ws, l, "in.text", Put::Str("Acme Health Plan "));
        put(ws, l, "in.code", Put::Str("H1234"));
        put(ws, l, "in.choice", Put::Str("LPPO"));
        put(ws, l, "in.integer", Put::Num(2013.0));
        put(ws, l, "in.decimal", Put::Num(123456789.12));
        put(ws, l, "in.factor", Put::Num(0.7333333333333333));
        put(ws, l, "in.percent", Put::Num(0.0253));
        put(ws, l, "in.money", Put::Num(1234.5));
        put(ws, l, "in.date", Put::Date(2012, 3, 31));
        put(ws, l, "in.plan_id", Put::Num(1.0));
        put(ws, l, "in.money2", Put::Str("n/a"));
        put(ws, l, "in.date_text", Put::Str("12/31/2011"));
        put(ws, l, "in.date_serial", Put::Num(40544.0));
        put(ws, l, "in.flag", Put::Bool(true));
        put(ws, l, "in.lines.amount[a]", Put::Num(0.1));
        put(ws, l, "in.lines.amount[b]", Put::Num(1e-7));
        put(ws, l, "in.lines.amount[c]", Put::Num(-2.8));
        put(ws, l, "in.lines.share[b]", Put::Str("   "));
        put(
            ws,
            l,
            "in.lines.amount[s]",
            Put::Formula("=SUM(E20:E22)", "-2.6999999"),
        );
        let ws = wb.worksheet_from_name("Calc").unwrap();
        put(
            ws,
            l,
            "calc.total",
            Put::Formula("=Inputs!E23*Inputs!D8", "-1.97999992666667"),
        );
        put(ws, l, "calc.ratio", Put::Formula("=1/0", "#DIV/0!"));
        put(ws, l, "calc.lookup", Put::Formula("=NA()", "#N/A"));
        put(
            ws,
            l,
            "calc.name",
            Put::Formula("=Inputs!D3", "Acme Health Plan "),
        );
        put(ws, l, "calc.when", Put::Formula("=Inputs!D11", "41000"));
        put(ws, l, "calc.county.code[1]", Put::Str("01001"));
        put(ws, l, "calc.county.mm[1]", Put::Num(1200.0));
        put(ws, l, "calc.county.rate[1]", Put::Num(812.45));
        put(
            ws,
            l,
            "calc.county.adjusted[1]",
            Put::Formula("=IF(B20=\"\",\"\",H20*Inputs!D8)", "595.79666666666"),
        );
        // A formula that evaluates to "" is cached as an empty string (the
        // writer's default cached result would be 0).
        ws.set_formula_result_default("");
        put(
            ws,
            l,
            "calc.county.adjusted[2]",
            Put::Formula("=IF(B21=\"\",\"\",H21*Inputs!D8)", ""),
        );
    })
}

fn read(bytes: &[u8]) -> Result<Values, ReadError> {
    reader::read_with_layout(
        Source::Bytes {
            name: "mini.xlsx",
            bytes,
        },
        &mini(),
    )
}

fn num(s: &str) -> Value {
    Value::Number(Decimal::from_str(s).unwrap())
}

fn invalid(v: &Value) -> &Invalid {
    v.as_invalid()
        .unwrap_or_else(|| panic!("expected an invalid value, got {v:?}"))
}

#[test]
fn every_kind_converts() {
    let v = read(&filled()).expect("reads");
    assert_eq!(v.get("in.text"), &Value::Text("Acme Health Plan ".into()));
    assert_eq!(v.get("in.code"), &Value::Text("H1234".into()));
    assert_eq!(v.get("in.choice"), &Value::Text("LPPO".into()));
    assert_eq!(v.get("in.integer"), &num("2013"));
    assert_eq!(v.get("in.decimal"), &num("123456789.12"));
    assert_eq!(v.get("in.factor"), &num("0.7333333333333333"));
    assert_eq!(v.get("in.percent"), &num("0.0253"));
    assert_eq!(v.get("in.money"), &num("1234.5"));
    let d = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    assert_eq!(v.get("in.date"), &d(2012, 3, 31));
    assert_eq!(v.get("in.date_text"), &d(2011, 12, 31));
    assert_eq!(v.get("in.date_serial"), &d(2011, 1, 1));
    // A plan ID typed as the number 1 stays a number (F002 says so).
    assert_eq!(v.get("in.plan_id"), &num("1"));
    assert_eq!(v.get("in.flag"), &Value::Text("TRUE".into()));
    // Table cells, the total's cached formula result, a whitespace-only cell.
    assert_eq!(v.get("in.lines.amount[a]"), &num("0.1"));
    assert_eq!(v.get("in.lines.amount[b]"), &num("0.0000001"));
    assert_eq!(v.get("in.lines.amount[c]"), &num("-2.8"));
    assert_eq!(v.get("in.lines.amount[s]"), &num("-2.6999999"));
    assert!(v.get("in.lines.share[b]").is_empty());
    assert!(v.get("in.lines.share[a]").is_empty());
    // Calculated cells on a sheet whose first used cell is F8, not A1.
    assert_eq!(v.get("calc.total"), &num("-1.97999992666667"));
    assert_eq!(v.get("calc.name"), &Value::Text("Acme Health Plan ".into()));
    assert_eq!(v.get("calc.when"), &d(2012, 4, 1));
    assert_eq!(v.get("calc.county.code[1]"), &Value::Text("01001".into()));
    assert_eq!(v.get("calc.county.mm[1]"), &num("1200"));
    assert_eq!(v.get("calc.county.rate[1]"), &num("812.45"));
    assert_eq!(v.get("calc.county.adjusted[1]"), &num("595.79666666666"));
    // A formula whose cached result is "" is blank.
    assert!(
        v.get("calc.county.adjusted[2]").is_empty(),
        "{:?}",
        v.get("calc.county.adjusted[2]")
    );
    assert!(v.get("calc.county.code[2]").is_empty());
    // The marker itself is not a field; nothing else was read.
    assert_eq!(v.len(), 27, "{:#?}", v.iter().collect::<Vec<_>>());
}

#[test]
fn text_and_errors_in_numeric_cells_are_invalid_with_their_place() {
    let v = read(&filled()).expect("reads");
    let i = invalid(v.get("in.money2"));
    assert_eq!(
        (i.sheet.as_str(), i.cell.as_str(), i.raw.as_str()),
        ("Inputs", "D13", "n/a")
    );
    assert_eq!(i.expected, "a dollar amount (number)");
    let i = invalid(v.get("calc.ratio"));
    assert_eq!(
        (i.sheet.as_str(), i.cell.as_str(), i.raw.as_str()),
        ("Calc", "F9", "#DIV/0!")
    );
    assert_eq!(i.expected, "a number");
    let i = invalid(v.get("calc.lookup"));
    assert_eq!((i.cell.as_str(), i.raw.as_str()), ("F10", "#N/A"));
    assert_eq!(
        i.to_string(),
        "Calc!F10: found `#N/A`, expected a factor (number)"
    );
}

#[test]
fn a_date_where_a_code_belongs_is_invalid() {
    let bytes = book(&["Inputs", "Calc"], Some(MARKER), |wb, l| {
        let ws = wb.worksheet_from_name("Inputs").unwrap();
        put(ws, l, "in.code", Put::Date(2012, 2, 29));
        put(ws, l, "in.money", Put::Date(2012, 2, 29));
        put(ws, l, "in.integer", Put::Num(2013.5));
        put(ws, l, "in.date", Put::Str("sometime in 2012"));
    });
    let v = read(&bytes).expect("reads");
    let i = invalid(v.get("in.code"));
    assert_eq!(
        (i.sheet.as_str(), i.cell.as_str(), i.raw.as_str()),
        ("Inputs", "D4", "2012-02-29")
    );
    assert_eq!(i.expected, "a code");
    let i = invalid(v.get("in.money"));
    assert_eq!((i.cell.as_str(), i.raw.as_str()), ("D10", "2012-02-29"));
    let i = invalid(v.get("in.integer"));
    assert_eq!(
        (i.raw.as_str(), i.expected.as_str()),
        ("2013.5", "a whole number")
    );
    let i = invalid(v.get("in.date"));
    assert_eq!(
        (i.raw.as_str(), i.expected.as_str()),
        ("sometime in 2012", "a date")
    );
}

#[test]
fn numbers_round_trip_exactly() {
    let xs = [
        (0.1, "0.1"),
        (1234.5, "1234.5"),
        (0.7333333333333333, "0.7333333333333333"),
        (1e-7, "0.0000001"),
        (123456789.12, "123456789.12"),
        (0.30000000000000004, "0.30000000000000004"),
        (-812.45, "-812.45"),
    ];
    let bytes = book(&["Inputs", "Calc"], Some(MARKER), |wb, l| {
        let ws = wb.worksheet_from_name("Calc").unwrap();
        for (i, (x, _)) in xs.iter().enumerate() {
            put(ws, l, &format!("calc.county.mm[{}]", i + 1), Put::Num(*x));
        }
    });
    let v = read(&bytes).expect("reads");
    for (i, (_, s)) in xs.iter().enumerate() {
        let got = v.num(&format!("calc.county.mm[{}]", i + 1)).unwrap();
        assert_eq!(got.to_string(), *s);
    }
}

#[test]
fn reads_from_disk_and_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = filled();
    for name in ["bid.xlsx", "bid.XLSM", "bid"] {
        let p = dir.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let v = reader::read_with_layout(Source::Path(&p), &mini()).expect(name);
        assert_eq!(v.get("in.money"), &num("1234.5"), "{name}");
    }
}

#[test]
fn a_text_file_renamed_xlsx_is_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.xlsx");
    std::fs::write(&p, "contract H1234, plan 001\n").unwrap();
    let e = reader::read_bid(&p).unwrap_err();
    assert!(matches!(e, ReadError::NotAWorkbook { .. }), "{e:?}");
    let m = e.to_string();
    assert!(m.starts_with(&p.display().to_string()), "{m}");
    assert!(m.contains("not a readable workbook"), "{m}");
    assert_eq!(e.exit_code(), 2);
    // Unknown extension: every format is tried.
    let e = reader::read_bid_bytes("notes.txt", b"just text").unwrap_err();
    assert!(matches!(e, ReadError::NotAWorkbook { .. }), "{e:?}");
    assert!(e.to_string().starts_with("notes.txt: "), "{e}");
}

#[test]
fn an_empty_file_is_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.xlsx");
    std::fs::write(&p, b"").unwrap();
    let e = reader::read_bid(&p).unwrap_err();
    assert!(matches!(e, ReadError::NotAWorkbook { .. }), "{e:?}");
    assert!(e.to_string().contains("empty (0 bytes)"), "{e}");
}

#[test]
fn a_directory_or_a_missing_path_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let e = reader::read_bid(dir.path()).unwrap_err();
    assert!(matches!(e, ReadError::NotAFile { .. }), "{e:?}");
    assert!(e.to_string().contains("is a directory"), "{e}");
    let p = dir.path().join("nope.xlsx");
    let e = reader::read_bid(&p).unwrap_err();
    assert!(matches!(e, ReadError::NotFound { .. }), "{e:?}");
    assert_eq!(e.to_string(), format!("{}: no such file", p.display()));
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn a_missing_sheet_is_named() {
    let bytes = book(&["Inputs"], Some(MARKER), |_, _| {});
    let e = read(&bytes).unwrap_err();
    match &e {
        ReadError::MissingSheet { sheet, found, .. } => {
            assert_eq!(sheet, "Calc");
            assert_eq!(found, &["Inputs".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let m = e.to_string();
    assert!(m.starts_with("mini.xlsx: sheet `Calc`"), "{m}");
    assert!(!m.contains("renamed"), "{m}");
}

#[test]
fn a_renamed_sheet_is_named_with_a_hint() {
    let bytes = book(
        &["Inputs", "Calculations", "Notes"],
        Some(MARKER),
        |_, _| {},
    );
    let e = read(&bytes).unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, ReadError::MissingSheet { .. }), "{e:?}");
    assert!(
        m.contains("sheet `Calc` of form reader-mini is missing"),
        "{m}"
    );
    assert!(
        m.contains("renamed? `Calculations`, `Notes` are not sheets of the form"),
        "{m}"
    );
}

#[test]
fn extra_sheets_are_ignored() {
    let bytes = book(
        &["Cover", "Inputs", "Calc", "Scratch"],
        Some(MARKER),
        |wb, l| {
            let ws = wb.worksheet_from_name("Inputs").unwrap();
            put(ws, l, "in.money", Put::Num(5.0));
        },
    );
    let v = read(&bytes).expect("reads");
    assert_eq!(v.get("in.money"), &num("5"));
    assert_eq!(v.len(), 1);
}

#[test]
fn a_workbook_without_marker_is_not_a_bpt_form() {
    let bytes = book(&["Inputs", "Calc"], None, |_, _| {});
    let e = read(&bytes).unwrap_err();
    assert!(matches!(e, ReadError::UnknownForm { .. }), "{e:?}");
    let m = e.to_string();
    assert!(m.contains("not a bpt bid form"), "{m}");
    assert!(m.contains("Inputs!A1 is empty"), "{m}");
    assert!(m.contains("Sheets found: `Inputs`, `Calc`"), "{m}");
    // Against the shipped templates: no WS1 sheet at all.
    let e = reader::read_bid_bytes("other.xlsx", &bytes).unwrap_err();
    assert!(matches!(e, ReadError::UnknownForm { .. }), "{e:?}");
    assert!(e.to_string().contains("there is no sheet `WS1`"), "{e}");
    // Some other text where the marker belongs.
    let bytes = book(
        &["Inputs", "Calc"],
        Some("Medicare Advantage BPT"),
        |_, _| {},
    );
    let e = read(&bytes).unwrap_err();
    assert!(
        e.to_string()
            .contains("Inputs!A1 holds `Medicare Advantage BPT`"),
        "{e}"
    );
}

#[test]
fn an_unknown_version_names_what_is_supported() {
    let bytes = book(&["Inputs", "Calc"], Some("bpt:reader-mini:v9"), |_, _| {});
    let e = read(&bytes).unwrap_err();
    match &e {
        ReadError::UnknownVersion {
            found, supported, ..
        } => {
            assert_eq!(found, "bpt:reader-mini:v9");
            assert_eq!(supported, &[MARKER.to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("Inputs!A1"), "{e}");
    // Against the shipped templates.
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("WS1")
        .unwrap()
        .write_string(0, 0, "bpt:ma-bpt-2099:v1")
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let e = reader::read_bid_bytes("future.xlsx", &bytes).unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, ReadError::UnknownVersion { .. }), "{e:?}");
    assert!(m.contains("`bpt:ma-bpt-2099:v1`"), "{m}");
    assert!(m.contains("`bpt:ma-bpt-2013:v1`"), "{m}");
}

#[test]
fn many_rows_read_quickly_enough() {
    let bytes = book(&["Inputs", "Calc"], Some(MARKER), |wb, l| {
        let ws = wb.worksheet_from_name("Calc").unwrap();
        for i in 1..=1000 {
            put(ws, l, &format!("calc.county.code[{i}]"), Put::Str("01001"));
            put(
                ws,
                l,
                &format!("calc.county.mm[{i}]"),
                Put::Num(f64::from(i)),
            );
            put(ws, l, &format!("calc.county.rate[{i}]"), Put::Num(812.45));
        }
    });
    let layout = mini();
    let v = reader::read_with_layout(
        Source::Bytes {
            name: "big.xlsx",
            bytes: &bytes,
        },
        &layout,
    )
    .expect("reads");
    assert_eq!(v.len(), 3000);
    let total: Decimal = (1..=1000)
        .map(|i| v.num(&format!("calc.county.mm[{i}]")).unwrap())
        .sum();
    assert_eq!(total, dec!(500500));
}

// ---------------------------------------------------------------------------
// Over the shipped template. These need the complete `ma-bpt-2013` template
// (all seven worksheets), which the lead merges from the template helpers.

fn builtin() -> &'static Layout {
    template::builtin_cached("ma-bpt-2013").expect("the shipped template loads")
}

/// A sample value of the right kind for every field, written at its cell.
fn sample_for(kind: Kind, i: usize) -> (Put<'static>, Value) {
    match kind {
        Kind::Text | Kind::Code | Kind::Choice => (Put::Str("X1"), Value::Text("X1".into())),
        Kind::Integer => (Put::Num(i as f64), Value::Number(Decimal::from(i))),
        Kind::Date => (
            Put::Date(2011, 12, 31),
            Value::Date(NaiveDate::from_ymd_opt(2011, 12, 31).unwrap()),
        ),
        _ => {
            let x = i as f64 + 0.25;
            (Put::Num(x), Value::Number(Decimal::from(i) + dec!(0.25)))
        }
    }
}

#[test]
fn builtin_every_field_round_trips() {
    let layout = builtin();
    let mut wb = Workbook::new();
    for s in &layout.sheets {
        wb.add_worksheet().set_name(&s.name).unwrap();
    }
    let mut expect = Values::default();
    for (i, f) in layout.fields.iter().enumerate() {
        let (p, v) = sample_for(f.kind, i);
        let ws = wb.worksheet_from_name(&f.sheet).unwrap();
        put(ws, layout, &f.id, p);
        expect.set(f.id.clone(), v);
    }
    wb.worksheet_from_name(&layout.form.marker_sheet)
        .unwrap()
        .write_string(
            layout.form.marker_cell.row,
            layout.form.marker_cell.col,
            &layout.form.marker_text,
        )
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let bid = reader::read_bid_bytes("full.xlsx", &bytes).expect("reads");
    assert_eq!(bid.layout.form.id, "ma-bpt-2013");
    assert_eq!(bid.values, expect);
    // Roles do not matter to the reader: calculated cells are read too.
    assert!(layout.fields.iter().any(|f| f.role == Role::Calc));
}

#[test]
fn read_json_groups_every_field_as_the_template_lays_it_out() {
    for (sample, template, first_section) in [
        ("hmo-mapd-2013.xlsx", "ma-bpt-2013", "ws1.general"),
        ("msa-2013.xlsx", "msa-bpt-2013", "msa.ws1.general"),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-bids")
            .join(sample);
        let o = bpt::app::read(&path, bpt::app::render::DataFormat::Json);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(doc["template"], template);
        let layout = template::builtin_cached(template).unwrap();
        let sheets = doc["sheets"].as_array().unwrap();
        let names: Vec<&str> = sheets.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            layout.sheet_names(),
            "{sample}: sheets in form order"
        );
        assert_eq!(sheets[0]["sections"][0]["id"], first_section);
        // Every field of the template exactly once, with its cell, and its
        // value as the reader read it.
        let bid = reader::read_bid(&path).unwrap();
        let mut seen = std::collections::HashSet::new();
        for s in sheets {
            let mut push = |f: &serde_json::Value| {
                let id = f["id"].as_str().unwrap().to_string();
                let field = layout.field(&id).unwrap();
                assert_eq!(f["cell"], field.cell.to_string(), "{id}");
                assert_eq!(
                    f["value"],
                    serde_json::to_value(bid.values.get(&id)).unwrap()
                );
                assert!(seen.insert(id.clone()), "{id} twice");
            };
            for sec in s["sections"].as_array().unwrap() {
                sec["fields"].as_array().unwrap().iter().for_each(&mut push);
            }
            for t in s["tables"].as_array().unwrap() {
                let table = layout.table(t["id"].as_str().unwrap()).unwrap();
                let keys: Vec<&str> = t["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["key"].as_str().unwrap())
                    .collect();
                // Data rows in the table's order, total lines after them.
                let order: Vec<&str> = table
                    .rows
                    .iter()
                    .map(|(k, _, _)| k.as_str())
                    .filter(|k| keys.contains(k))
                    .collect();
                assert_eq!(
                    keys[..order.len()],
                    order,
                    "{}: rows in the table's order",
                    table.id
                );
                for r in t["rows"].as_array().unwrap() {
                    r["cells"].as_array().unwrap().iter().for_each(&mut push);
                }
            }
        }
        assert_eq!(seen.len(), layout.fields.len(), "{sample}");
    }
    // A scalar field as it appears.
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids/hmo-mapd-2013.xlsx");
    let doc: serde_json::Value =
        serde_json::from_str(&bpt::app::read(&path, bpt::app::render::DataFormat::Json).stdout)
            .unwrap();
    assert_eq!(
        doc["sheets"][0]["sections"][0]["fields"][0],
        serde_json::json!({"id": "ws1.general.contract_number", "cell": "D5",
            "label": "Contract Number", "role": "input", "value": "H3456"})
    );
}
