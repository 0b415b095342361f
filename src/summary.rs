//! The `Bid summary` sheet of the annotated workbook: the figures a
//! reviewer looks at first and two native Excel charts.
//!
//! What it shows is the template's `[form.facts]` (data, not code):
//! `key_figures` (submitted and recomputed), `build_up` drawn as a
//! waterfall (a stacked column chart whose first series, the base, is
//! invisible: a `total` bar rises from zero, a `step` floats from the
//! running total by the field's value, a `difference` floats from the
//! running total to the next total) and `rebate_allocation` as a bar chart
//! with each use's share of the rebate. A family without a rebate
//! allocation (the MSA BPT) gets the build-up chart only.
//!
//! The chart figures are the recomputed ones (what the workbook's formulas
//! give from its inputs); the Findings sheet lists any submitted value that
//! differs. The chart parts are rust_xlsxwriter's, transplanted into the
//! user's package ([`crate::package::PlacedChart`]).

#![deny(clippy::arithmetic_side_effects)]

use crate::form::Recalc;
use crate::package::{NewCell, NewSheet, Package, PackageError, PlacedChart, Scalar};
use crate::reader::Bid;
use crate::template::facts::{Bar, Figure};
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFont, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType,
    Color,
};

/// Name of the sheet.
pub const SUMMARY_SHEET: &str = "Bid summary";

/// Colour of a total bar (`0xRRGGBB`).
const TOTAL: u32 = 0x1F4E79;
/// Colour of a step that raises the running total (light: a thin step's
/// dark label stays readable over it).
const INCREASE: u32 = 0xF4B183;
/// Colour of a step that lowers it.
const DECREASE: u32 = 0xA9D18E;
/// Label colours: on a total bar, on a step.
const ON_TOTAL: u32 = 0xFFFFFF;
const ON_STEP: u32 = 0x262626;
/// A series' bar and label colours.
type Colours = (u32, u32);
/// Colour of the rebate allocation bars.
const REBATE: u32 = 0x2E75B6;
/// Column widths (characters), from column A.
const WIDTHS: [f64; 6] = [36.0, 15.0, 15.0, 13.0, 13.0, 13.0];
const MONEY: &str = "$#,##0.00";

/// One bar of the waterfall: the amount shown in the table and the stacked
/// series (base, total, increase, decrease) the chart draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct WaterfallBar {
    label: String,
    amount: Option<Decimal>,
    base: Option<Decimal>,
    total: Option<Decimal>,
    increase: Option<Decimal>,
    decrease: Option<Decimal>,
}

/// A floating bar from `from` to `to`: stacked columns add positive and
/// negative values separately from zero, so a bar wholly above zero sits
/// on a base of its lower end, one wholly below on a base of its upper
/// end; a bar crossing zero is drawn from zero to `to`.
fn floating(bar: &mut WaterfallBar, from: Decimal, to: Decimal) {
    let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
    let (base, height) = if lo >= Decimal::ZERO {
        (lo, hi.checked_sub(lo))
    } else if hi <= Decimal::ZERO {
        (hi, lo.checked_sub(hi))
    } else {
        (Decimal::ZERO, Some(to))
    };
    bar.base = Some(base);
    if to >= from {
        bar.increase = height;
    } else {
        bar.decrease = height;
    }
}

/// The waterfall bars of `figures` with their values from `value`.
fn waterfall(figures: &[Figure], value: impl Fn(&str) -> Option<Decimal>) -> Vec<WaterfallBar> {
    let mut out = Vec::new();
    let mut running: Option<Decimal> = None;
    for (i, f) in figures.iter().enumerate() {
        let mut bar = WaterfallBar {
            label: f.label.clone(),
            ..WaterfallBar::default()
        };
        match f.bar {
            Bar::Total => {
                let v = value(&f.id);
                bar.amount = v;
                bar.total = v;
                running = v;
            }
            Bar::Step => {
                let v = value(&f.id);
                bar.amount = v;
                let to = running.zip(v).and_then(|(r, v)| r.checked_add(v));
                if let (Some(from), Some(to)) = (running, to) {
                    floating(&mut bar, from, to);
                }
                running = to;
            }
            Bar::Difference => {
                let next = figures
                    .iter()
                    .skip(i.saturating_add(1))
                    .find(|g| g.bar == Bar::Total)
                    .and_then(|g| value(&g.id));
                if let (Some(from), Some(to)) = (running, next) {
                    bar.amount = to.checked_sub(from);
                    floating(&mut bar, from, to);
                }
                running = next;
            }
        }
        out.push(bar);
    }
    out
}

fn num_cell(d: Option<Decimal>, style: u32) -> NewCell {
    match d {
        Some(d) => NewCell::number(Scalar::number(d).shown(), style),
        None => NewCell::empty(),
    }
}

fn solid(rgb: u32) -> ChartFormat {
    let mut f = ChartFormat::new();
    f.set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb)));
    f
}

/// The sheet (its styles added to `p`) and its charts, for a sheet that
/// will be named `name`.
pub fn summary_sheet(
    p: &mut Package,
    bid: &Bid,
    recalc: &Recalc,
    name: &str,
) -> Result<(NewSheet, Vec<PlacedChart>), PackageError> {
    let title = p.add_xf(Some(14), None, None)?;
    let head = p.add_xf(Some(11), Some(0xD9D9D9), None)?;
    let bold_money = p.add_xf(Some(11), None, Some(MONEY))?;
    let bold = p.add_xf(Some(11), None, None)?;
    let money = p.add_xf(None, None, Some(MONEY))?;
    let pct = p.add_xf(None, None, Some("0.0%"))?;
    let facts = &bid.layout.facts;
    let ident = &facts.identity;
    let text_of = |fid: &str| bid.values.text(fid).unwrap_or("").trim().to_string();
    // A calculated field's recomputed value; an input's own.
    let current = |fid: &str| {
        let calculated = bid
            .layout
            .field(fid)
            .is_some_and(|f| f.role.is_calculated());
        if calculated {
            recalc.values.get(fid)
        } else {
            bid.values.get(fid)
        }
    };
    let recomputed = |fid: &str| current(fid).as_num();
    let mut s = NewSheet::new(name);
    s.rows.push(vec![NewCell::text(
        format!("Bid summary — {}", crate::app::bid_id(bid).display()),
        title,
    )]);
    s.rows.push(vec![NewCell::text(
        format!(
            "{} / {} — {} {} — {}",
            text_of(&ident.organization),
            text_of(&ident.plan_name),
            bid.layout.form.title,
            bid.layout.form.contract_year,
            bid.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
        ),
        0,
    )]);
    s.rows.push(vec![NewCell::text(
        "Per member per month. The tables and charts show the figures as recomputed from the \
         workbook's inputs; the Findings sheet lists every submitted value that differs.",
        0,
    )]);
    s.rows.push(vec![]);
    s.rows.push(
        ["Key figure", "Submitted", "Recomputed"]
            .iter()
            .map(|h| NewCell::text(*h, head))
            .collect(),
    );
    for k in &facts.key_figures {
        let mut row = vec![NewCell::text(k.label.clone(), 0)];
        for v in [bid.values.get(&k.id), current(&k.id)] {
            row.push(match v.as_num() {
                Some(d) => NewCell::number(Scalar::number(d).shown(), money),
                None if v.is_empty() => NewCell::text("(blank)", 0),
                None => NewCell::text(v.display(), 0),
            });
        }
        s.rows.push(row);
    }
    let mut charts = Vec::new();
    let row_no = |s: &NewSheet| u32::try_from(s.rows.len()).unwrap_or(u32::MAX);
    // The build-up and its chart series.
    let bars = waterfall(&facts.build_up, recomputed);
    if !bars.is_empty() {
        s.rows.push(vec![]);
        s.rows.push(
            [
                "Bid build-up",
                "Amount",
                "Chart: base",
                "Total",
                "Increase",
                "Decrease",
            ]
            .iter()
            .map(|h| NewCell::text(*h, head))
            .collect(),
        );
        let first = row_no(&s);
        for b in &bars {
            s.rows.push(vec![
                NewCell::text(b.label.clone(), 0),
                num_cell(b.amount, money),
                num_cell(b.base, money),
                num_cell(b.total, money),
                num_cell(b.increase, money),
                num_cell(b.decrease, money),
            ]);
        }
        let last = row_no(&s).saturating_sub(1);
        let mut c = Chart::new(ChartType::ColumnStacked);
        c.title().set_name("Bid build-up (PMPM)");
        c.set_width(640).set_height(380);
        let series: [(u16, Option<Colours>, &str); 4] = [
            (2, None, ""),
            (3, Some((TOTAL, ON_TOTAL)), MONEY),
            (4, Some((INCREASE, ON_STEP)), "+$#,##0.00;+$#,##0.00"),
            (5, Some((DECREASE, ON_STEP)), "-$#,##0.00;-$#,##0.00"),
        ];
        for (col, colours, fmt) in series {
            let sr = c
                .add_series()
                .set_name((name, first.saturating_sub(1), col))
                .set_categories((name, first, 0, last, 0))
                .set_values((name, first, col, last, col))
                .set_gap(60);
            match colours {
                None => {
                    sr.set_format(ChartFormat::new().set_no_fill().set_no_border());
                }
                Some((rgb, label)) => {
                    sr.set_format(&mut solid(rgb)).set_data_label(
                        ChartDataLabel::new()
                            .show_value()
                            .set_num_format(fmt)
                            .set_font(ChartFont::new().set_color(Color::RGB(label)).set_bold()),
                    );
                }
            }
        }
        c.legend()
            .set_position(ChartLegendPosition::Bottom)
            .delete_entries(&[0]);
        // bars rise from zero: an axis cut above it would shorten them
        c.y_axis().set_num_format("$#,##0").set_min(0);
        charts.push(c);
    }
    // The rebate allocation, each use's share of the allocated rebate.
    if !facts.rebate_allocation.is_empty() {
        let amounts: Vec<Option<Decimal>> = facts
            .rebate_allocation
            .iter()
            .map(|f| recomputed(&f.id))
            .collect();
        let total = amounts
            .iter()
            .try_fold(Decimal::ZERO, |t, a| t.checked_add(a.unwrap_or_default()));
        s.rows.push(vec![]);
        s.rows.push(
            ["Rebate allocation", "Amount", "Share"]
                .iter()
                .map(|h| NewCell::text(*h, head))
                .collect(),
        );
        let first = row_no(&s);
        for (f, a) in facts.rebate_allocation.iter().zip(&amounts) {
            let share = match (a, total) {
                (Some(a), Some(t)) if t > Decimal::ZERO => a
                    .checked_div(t)
                    .map(|x| x.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)),
                _ => None,
            };
            s.rows.push(vec![
                NewCell::text(f.label.clone(), 0),
                num_cell(*a, money),
                num_cell(share, pct),
            ]);
        }
        let last = row_no(&s).saturating_sub(1);
        s.rows.push(vec![
            NewCell::text("Rebate allocated", bold),
            num_cell(total, bold_money),
        ]);
        let mut c = Chart::new(ChartType::Bar);
        c.title().set_name("Rebate allocation (PMPM)");
        c.set_width(480).set_height(380);
        c.add_series()
            .set_name((name, first.saturating_sub(1), 1))
            .set_categories((name, first, 0, last, 0))
            .set_values((name, first, 1, last, 1))
            .set_format(&mut solid(REBATE))
            .set_data_label(ChartDataLabel::new().show_value().set_num_format(MONEY))
            .set_gap(60);
        c.legend().set_hidden();
        // the first use at the top (a bar chart's categories run upwards)
        c.y_axis().set_reverse();
        c.x_axis().set_num_format("$#,##0").set_min(0);
        charts.push(c);
    }
    s.rows.push(vec![]);
    let at = row_no(&s);
    s.widths = WIDTHS.to_vec();
    s.print_landscape = true;
    s.one_page = true;
    // The form's paper, so the annotated workbook prints on one paper size.
    s.paper_size = crate::writer::print::PAPER_SIZE;
    let placed = charts
        .into_iter()
        .enumerate()
        .map(|(i, chart)| PlacedChart {
            row: at,
            col: 0,
            x_offset: if i == 0 { 0 } else { 660 },
            chart,
        })
        .collect();
    Ok((s, placed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn fig(id: &str, bar: Bar) -> Figure {
        Figure {
            id: id.into(),
            label: id.into(),
            report: None,
            bar,
        }
    }

    #[test]
    fn the_waterfall_floats_steps_and_differences_from_the_running_total() {
        let figs = [
            fig("allowed", Bar::Total),
            fig("", Bar::Difference),
            fig("net", Bar::Total),
            fig("nbe", Bar::Step),
            fig("margin", Bar::Step),
            fig("bid", Bar::Total),
        ];
        let v = |id: &str| match id {
            "allowed" => Some(dec!(900)),
            "net" => Some(dec!(750)),
            "nbe" => Some(dec!(80)),
            "margin" => Some(dec!(-20)),
            "bid" => Some(dec!(810)),
            _ => None,
        };
        let b = waterfall(&figs, v);
        let row = |b: &WaterfallBar| (b.amount, b.base, b.total, b.increase, b.decrease);
        assert_eq!(
            row(&b[0]),
            (Some(dec!(900)), None, Some(dec!(900)), None, None)
        );
        // cost sharing: 900 down to 750
        assert_eq!(
            row(&b[1]),
            (
                Some(dec!(-150)),
                Some(dec!(750)),
                None,
                None,
                Some(dec!(150))
            )
        );
        assert_eq!(
            row(&b[3]),
            (Some(dec!(80)), Some(dec!(750)), None, Some(dec!(80)), None)
        );
        assert_eq!(
            row(&b[4]),
            (Some(dec!(-20)), Some(dec!(810)), None, None, Some(dec!(20)))
        );
        assert_eq!(b[5].total, Some(dec!(810)));
    }

    #[test]
    fn floating_bars_below_and_across_zero() {
        let mut b = WaterfallBar::default();
        floating(&mut b, dec!(-10), dec!(-4));
        assert_eq!((b.base, b.increase), (Some(dec!(-4)), Some(dec!(-6))));
        let mut b = WaterfallBar::default();
        floating(&mut b, dec!(5), dec!(-3));
        assert_eq!((b.base, b.decrease), (Some(dec!(0)), Some(dec!(-3))));
    }

    #[test]
    fn a_missing_value_leaves_its_bars_and_the_next_steps_empty() {
        let figs = [fig("a", Bar::Total), fig("s", Bar::Step)];
        let b = waterfall(&figs, |id| (id == "s").then_some(dec!(3)));
        assert_eq!(b[1].amount, Some(dec!(3)));
        assert_eq!((b[1].base, b[1].increase), (None, None));
    }
}
