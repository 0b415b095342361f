//! Findings carry their root cause: one invalid input is reported once, with
//! the findings computed from it counted, not repeated; a workbook that was
//! never recalculated gets one finding, not one per calculated cell.

use bpt::app::{ValidateOptions, validate_bid};
use bpt::diff::DEFAULT_TOLERANCE;
use bpt::reader::read_bid_bytes;
use bpt::rules::{Finding, Selection};
use bpt::sample;
use bpt::template::{self, Layout};
use bpt::value::{Value, Values};
use bpt::writer::{WriteOptions, write_form};

fn layout() -> &'static Layout {
    template::builtin_cached("ma-bpt-2013").unwrap()
}

fn validate(values: &Values) -> Vec<Finding> {
    let bytes = write_form(layout(), values, &WriteOptions::default()).unwrap();
    let bid = read_bid_bytes("case.xlsx", &bytes).unwrap();
    validate_bid(
        &bid,
        &ValidateOptions {
            selection: Selection::default(),
            tolerance: DEFAULT_TOLERANCE,
        },
    )
}

fn hmo() -> Values {
    sample::generate(&sample::profile("hmo-mapd-2013").unwrap(), layout())
}

fn rules(fs: &[Finding]) -> Vec<String> {
    fs.iter()
        .map(|f| format!("{} {}", f.rule, f.field))
        .collect()
}

#[test]
fn member_months_typed_as_text_are_one_finding() {
    let mut v = layout().entered_values(&hmo());
    v.set("ws1.base_period.mm_total", Value::Text("120,000".into()));
    // Cached values as the workbook's formulas give them.
    let form = bpt::form::cached(layout()).unwrap();
    let mut all = v.clone();
    for (id, val) in bpt::form::Evaluation::from_values(form, &v)
        .calculated()
        .iter_unordered()
    {
        all.set(id, val.clone());
    }
    let found = validate(&all);
    assert_eq!(
        rules(&found),
        ["V002 ws1.base_period.mm_total"],
        "{found:#?}"
    );
    assert_eq!(
        found[0].message,
        "Member Months – Total holds `120,000`, not a number; \
         1 finding(s) computed from it left out (V002)"
    );
}

#[test]
fn findings_on_cells_computed_from_an_invalid_input_are_counted_under_it() {
    // The cached values are the valid bid's: every cell computed from the
    // MSP now disagrees with `bpt`'s recalculation.
    let mut all = hmo();
    all.set("ws5.bid.msp", Value::Text("2.5 %".into()));
    let found = validate(&all);
    let msp: Vec<&Finding> = found.iter().filter(|f| f.field == "ws5.bid.msp").collect();
    assert_eq!(msp.len(), 1, "{found:#?}");
    assert_eq!(
        msp[0].message,
        "Medicare Secondary Payer (MSP) Adjustment holds `2.5 %`, not a percentage (number); \
         50 finding(s) computed from it left out (A004, V003 ×49)"
    );
    assert_eq!(rules(&found), ["V002 ws5.bid.msp"], "{found:#?}");
}

#[test]
fn a_workbook_never_recalculated_is_one_finding() {
    let inputs = layout().entered_values(&hmo());
    let found = validate(&inputs);
    assert_eq!(rules(&found), ["V005 "], "{found:#?}");
    let f = &found[0];
    assert!(
        f.message.contains("bpt recalc FILE -o OUT.xlsx"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .starts_with("the workbook was never recalculated: all ")
    );
}
