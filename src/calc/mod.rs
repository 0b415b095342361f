//! The recalculation engine: every calculated cell of the form, in exact
//! decimals, following the instructions line by line.
//!
//! [`recalc`] takes the values read from a bid (inputs and CMS-populated
//! cells; calculated cells are ignored, except `default` cells the actuary
//! overwrote) and returns the value of every calculated field, keyed by field
//! id. Worksheets are computed in dependency order: the WS5 county summary
//! (member months, risk, AE factors) feeds WS2 and WS4; WS4's revenue
//! requirement feeds the WS5 bid; WS5 feeds WS6.
//!
//! Arithmetic is `rust_decimal` throughout. Rounding happens only where the
//! instructions round, with Excel's ROUND semantics ([`round`]). A blank or
//! invalid input counts as zero, as a blank cell does in Excel; the rules
//! report invalid inputs separately. A division whose divisor is zero yields
//! zero, as the template's formulas do with `IF(x=0,0,…)`.

use crate::template::{Layout, Role};
use crate::value::{Value, Values};
use rust_decimal::{Decimal, RoundingStrategy};

mod msa;
mod ws1;
mod ws2;
mod ws3;
mod ws4;
mod ws5;
pub use ws5::{qbp_pct, rebate_factor, rebate_pct};
mod ws6;
mod ws7;

/// Excel's `ROUND(x, dp)`: half away from zero.
///
/// ```
/// use bpt::calc::round;
/// use rust_decimal_macros::dec;
/// assert_eq!(round(dec!(2.345), 2), dec!(2.35));
/// assert_eq!(round(dec!(-2.345), 2), dec!(-2.35));
/// assert_eq!(round(dec!(12.25), 1), dec!(12.3));
/// ```
pub fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// The completion factor of WS1 Sec II line 4: (paid claims requiring
/// completion + estimated unpaid claims) ÷ paid claims requiring completion
/// (capitations left out). Zero when nothing was paid.
///
/// The instructions' example (seed 1166-1184): $400 of claims paid through
/// 2/28/2012 that need completion and $30 estimated unpaid give 1.075.
///
/// ```
/// use bpt::calc::completion_factor;
/// use rust_decimal_macros::dec;
/// assert_eq!(completion_factor(dec!(400), dec!(30)), dec!(1.075));
/// ```
pub fn completion_factor(paid_requiring_completion: Decimal, unpaid: Decimal) -> Decimal {
    div0(
        paid_requiring_completion.saturating_add(unpaid),
        paid_requiring_completion,
    )
}

/// The total adjustment factor from the base period to the contract period
/// that WS1 Sec IV columns j–n take: the product of the yearly factors (not
/// an annual rate).
///
/// The instructions' example (seed 1249): utilization trend of 5 % from
/// 2011 to 2012 and 6 % from 2012 to 2013 is entered as 1.113.
///
/// ```
/// use bpt::calc::total_factor;
/// use rust_decimal_macros::dec;
/// assert_eq!(total_factor(&[dec!(1.05), dec!(1.06)]), dec!(1.113));
/// ```
pub fn total_factor(yearly: &[Decimal]) -> Decimal {
    yearly.iter().fold(Decimal::ONE, |acc, f| {
        acc.checked_mul(*f).unwrap_or(Decimal::ZERO)
    })
}

/// `a / b`, or zero when `b` is zero (the template's `IF(b=0,0,a/b)`).
pub fn div0(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        a.checked_div(b).unwrap_or(Decimal::ZERO)
    }
}

/// `a + b`, saturating instead of overflowing on hostile inputs.
pub(crate) fn add(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_add(b)
}

/// `a − b`, saturating instead of overflowing on hostile inputs.
pub(crate) fn sub(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_sub(b)
}

/// `a × b`, saturating instead of overflowing on hostile inputs.
pub(crate) fn mul(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_mul(b)
}

/// The fields of WS1 Section I that every other worksheet repeats.
const GENERAL: [&str; 6] = [
    "contract_number",
    "plan_id",
    "segment_id",
    "organization_name",
    "plan_name",
    "plan_type",
];

/// Working state of one recalculation.
pub struct Engine<'a> {
    /// The form being recalculated.
    pub layout: &'a Layout,
    inputs: &'a Values,
    out: Values,
    pre_round: std::collections::BTreeMap<String, Decimal>,
    defaults: std::collections::BTreeMap<String, Decimal>,
    /// Ids the engine tried to set that the template lacks or does not
    /// calculate: always empty unless engine and template disagree.
    pub stray: Vec<String>,
}

impl<'a> Engine<'a> {
    /// Starts a recalculation of `inputs` laid out by `layout`.
    pub fn new(layout: &'a Layout, inputs: &'a Values) -> Self {
        Engine {
            layout,
            inputs,
            out: Values::default(),
            pre_round: Default::default(),
            defaults: Default::default(),
            stray: Vec::new(),
        }
    }

    /// Records `ROUND(raw, dp)` for a field the instructions round, keeping
    /// the unrounded value so `bpt diff` can tell a rounding-boundary case.
    pub fn set_round(&mut self, id: &str, raw: Decimal, dp: u32) -> Decimal {
        let r = round(raw, dp);
        self.pre_round.insert(id.to_string(), raw);
        self.set(id, r);
        r
    }

    /// An entered number (input or CMS cell); blank or invalid → 0.
    pub fn input(&self, id: &str) -> Decimal {
        self.inputs.num(id).unwrap_or(Decimal::ZERO)
    }

    /// An entered number, `None` when blank or invalid.
    pub fn input_opt(&self, id: &str) -> Option<Decimal> {
        self.inputs.num(id)
    }

    /// Entered text, trimmed; `""` when blank. Numbers read as their digits.
    pub fn text(&self, id: &str) -> String {
        match self.inputs.get(id) {
            Value::Text(s) => s.trim().to_string(),
            Value::Number(d) => d.normalize().to_string(),
            _ => String::new(),
        }
    }

    /// A value already computed in this run, else the entered value, else 0.
    pub fn get(&self, id: &str) -> Decimal {
        self.out
            .num(id)
            .or_else(|| self.inputs.num(id))
            .unwrap_or(Decimal::ZERO)
    }

    /// Computed text (or entered text) for an id.
    pub fn get_text(&self, id: &str) -> String {
        match self.out.get(id) {
            Value::Text(s) => s.clone(),
            Value::Empty => self.text(id),
            other => other.display(),
        }
    }

    fn check(&mut self, id: &str) {
        match self.layout.field(id) {
            Some(f) if f.role.is_calculated() => {}
            _ => self.stray.push(id.to_string()),
        }
    }

    /// Records a computed number.
    pub fn set(&mut self, id: &str, d: Decimal) {
        self.check(id);
        self.out.set_num(id, d);
    }

    /// Records a computed text.
    pub fn set_text(&mut self, id: &str, s: impl Into<String>) {
        self.check(id);
        let s = s.into();
        self.out.set(
            id,
            if s.is_empty() {
                Value::Empty
            } else {
                Value::Text(s)
            },
        );
    }

    /// Records that a calculated cell is blank (e.g. a county row with no code).
    pub fn set_blank(&mut self, id: &str) {
        self.check(id);
        self.out.set(id, Value::Empty);
    }

    /// For a `default` cell: the actuary's entered number if there is one,
    /// else `computed`. Records and returns the value used.
    pub fn set_default(&mut self, id: &str, computed: Decimal) -> Decimal {
        let used = match self.layout.field(id) {
            Some(f) if f.role == Role::Default => self.inputs.num(id).unwrap_or(computed),
            _ => computed,
        };
        self.defaults.insert(id.to_string(), computed);
        self.set(id, used);
        used
    }

    /// Section I of worksheet `to` (`"ws3"`, `"msa.ws2"`): each field is its
    /// field of worksheet `from` (`"ws1"`, `"msa.ws1"`), as the formula
    /// `=WS1!cell` gives it — a number stays a number, text stays text, a
    /// blank stays blank. Fields the template lacks are skipped.
    pub fn copy_general(&mut self, from: &str, to: &str) {
        for f in GENERAL {
            let id = format!("{to}.general.{f}");
            if !self.has(&id) {
                continue;
            }
            let src = format!("{from}.general.{f}");
            match self.input_opt(&src) {
                Some(d) => self.set(&id, d),
                None => {
                    let t = self.text(&src);
                    if t.is_empty() {
                        self.set_blank(&id);
                    } else {
                        self.set_text(&id, t);
                    }
                }
            }
        }
    }

    /// Data-row keys of a table in order (empty when the template lacks it).
    pub fn rows(&self, table: &str) -> Vec<String> {
        self.layout
            .table(table)
            .map(|t| t.row_keys().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Whether the template has a field with this id.
    pub fn has(&self, id: &str) -> bool {
        self.layout.field(id).is_some()
    }

    /// The computed values so far.
    pub fn values(&self) -> &Values {
        &self.out
    }
}

/// The outcome of a recalculation.
#[derive(Debug, Clone)]
pub struct Recalc {
    /// Every calculated field's value, by id.
    pub values: Values,
    /// Ids computed by the engine that the template does not calculate
    /// (a bug in one or the other; tests keep this empty).
    pub stray: Vec<String>,
    /// Unrounded values of the fields the instructions round.
    pub pre_round: std::collections::BTreeMap<String, Decimal>,
    /// What each `default` field's formula gives, whether or not the
    /// actuary overwrote the cell (`bpt` reports overrides, V004).
    pub defaults: std::collections::BTreeMap<String, Decimal>,
}

/// Recomputes every calculated field of a bid. The form family of the
/// template (`[form] family`) selects the sequence: `msa` is the MSA BPT
/// (Appendix H, module `msa`); anything else is the MA BPT.
pub fn recalc(layout: &Layout, inputs: &Values) -> Recalc {
    let mut e = Engine::new(layout, inputs);
    match layout.form.family.as_str() {
        "msa" => msa::recalc(&mut e),
        _ => {
            ws1::general(&mut e);
            ws5::county(&mut e);
            ws1::calc(&mut e);
            ws2::calc(&mut e);
            ws3::calc(&mut e);
            ws4::calc(&mut e);
            ws5::bid(&mut e);
            ws6::calc(&mut e);
            ws7::calc(&mut e);
        }
    }
    Recalc {
        values: e.out,
        stray: e.stray,
        pre_round: e.pre_round,
        defaults: e.defaults,
    }
}

#[cfg(test)]
mod general_tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn section_i_copies_keep_the_kind_of_value_on_every_worksheet() {
        let layout = crate::template::builtin_cached("ma-bpt-2013").unwrap();
        let mut v = Values::default();
        // A plan ID typed as a number: `=WS1!cell` gives the number.
        v.set_num("ws1.general.plan_id", dec!(1));
        v.set("ws1.general.plan_name", Value::Text("Plan".into()));
        let r = recalc(layout, &v);
        for ws in ["ws2", "ws3", "ws4", "ws5", "ws6", "ws7"] {
            assert_eq!(
                r.values.num(&format!("{ws}.general.plan_id")),
                Some(dec!(1)),
                "{ws}"
            );
            assert_eq!(
                r.values.text(&format!("{ws}.general.plan_name")),
                Some("Plan"),
                "{ws}"
            );
            assert!(
                r.values.get(&format!("{ws}.general.segment_id")).is_empty(),
                "{ws}"
            );
        }
        assert!(r.stray.is_empty(), "{:?}", r.stray);
    }
}
