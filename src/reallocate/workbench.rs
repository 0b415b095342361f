//! The form Appendix E works on ([`Workbench`]): the template's fields it
//! reads, resolved once, and its rebate percentage levels.

use super::*;

/// One rebate percentage level of the template (`[form.facts]
/// rebate_levels`): the rebate % the star rating gives (WS5 Sec V) and how
/// far the Medicare-covered margin may move when premiums are rounded
/// (Appendix E Section IV Rule 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebateLevel {
    /// The rebate percentage as a fraction, exactly as the template's rebate
    /// % formula gives it.
    pub rebate_pct: Decimal,
    /// `73⅓ %`.
    pub label: String,
    /// The largest change of the Medicare-covered gain/loss margin (WS4
    /// Q105) permitted for premium rounding.
    pub margin_limit: Decimal,
}

/// Every field Appendix E reads, enters or pins, declared once: resolved
/// when a [`Workbench`] is built (a template lacking one is an error naming
/// the field), and listed for `bpt template --check` ([`FIELDS`]).
macro_rules! fields {
    ($($name:ident = $id:literal,)*) => {
        /// The field ids Appendix E (`bpt reallocate`) needs.
        pub const FIELDS: &[&str] = &[$(id::$name,)*];

        /// Each field's id by name, for what names a field in its output
        /// (violations) or writes one (a proposal's entries).
        #[allow(non_upper_case_globals)]
        pub(super) mod id {
            $(pub(in crate::reallocate) const $name: &str = $id;)*
        }

        #[derive(Debug, Clone, Copy)]
        pub(super) struct Ids {
            $(pub(super) $name: FieldId,)*
        }

        impl Ids {
            pub(super) fn resolve(form: &Form) -> Result<Ids, String> {
                let need = |id: &str| {
                    form.id(id).ok_or_else(|| {
                        format!(
                            "reallocate (Appendix E) needs field `{id}`, which template {} lacks",
                            form.template
                        )
                    })
                };
                Ok(Ids { $($name: need(id::$name)?,)* })
            }
        }
    };
}

fields! {
    plan_type = "ws1.general.plan_type",
    ma_pd = "ws1.general.ma_pd",
    egwp = "ws1.general.egwp",
    mc_margin = "ws4.margin.w_o",
    conversion_factor = "ws5.bid.conversion_factor",
    standardized_benchmark = "ws5.bid.standardized_benchmark",
    plan_benchmark = "ws5.bid.plan_benchmark",
    plan_bid = "ws5.bid.plan_bid",
    standardized_bid = "ws5.bid.standardized_bid",
    rebate_pct = "ws5.quality.rebate_pct",
    savings = "ws5.savings.savings",
    rebate = "ws5.savings.rebate",
    basic = "ws5.savings.basic_premium",
    in_part_b = "ws6.part_b.rebate_input",
    in_reduce_cost_sharing = "ws6.rebate_input.reduce_cost_sharing",
    in_other_supplemental = "ws6.rebate_input.other_supplemental",
    ma_rebate = "ws6.allocation.allocated[ma_rebate]",
    reduce_cost_sharing = "ws6.allocation.allocated[reduce_cost_sharing]",
    other_supplemental = "ws6.allocation.allocated[other_supplemental]",
    part_b = "ws6.allocation.allocated[part_b]",
    total_allocated = "ws6.allocation.allocated[total]",
    max_reduce_cost_sharing = "ws6.allocation.maximum[reduce_cost_sharing]",
    max_other_supplemental = "ws6.allocation.maximum[other_supplemental]",
    max_part_b = "ws6.allocation.maximum[part_b]",
    unallocated = "ws6.allocation.unallocated",
    ms_revenue_requirement = "ws6.premium.ms_revenue_requirement",
    ms_premium = "ws6.premium.ms_premium",
    basic_premium = "ws6.premium.basic_premium",
    total_ma_premium = "ws6.premium.total_ma_premium",
    rounded_ma_premium = "ws6.premium.rounded_ma_premium",
    part_d_basic_before = "ws6.premium.part_d_basic_before",
    in_part_d_basic = "ws6.premium.part_d_basic_rebate_input",
    part_d_basic = "ws6.premium.part_d_basic_rebate",
    part_d_basic_premium = "ws6.premium.part_d_basic_premium",
    part_d_supp_before = "ws6.premium.part_d_supp_before",
    in_part_d_supp = "ws6.premium.part_d_supp_rebate_input",
    part_d_supp = "ws6.premium.part_d_supp_rebate",
    part_d_supp_premium = "ws6.premium.part_d_supp_premium",
    total_plan_premium = "ws6.premium.total_plan_premium",
    intention = "ws6.premium.plan_intention",
}

/// The form Appendix E works on: a compiled template, the fields Appendix E
/// reads (resolved once) and the template's rebate percentage levels.
///
/// Every figure of [`reallocate`], [`check`] and [`premium_rounding`] is
/// what the template's WS5/WS6 formulas give ([`crate::form`]): a June bid's
/// figures are pinned on an [`Evaluation`] and each option, announcement or
/// margin change re-evaluates only the cells downstream of what it changes
/// ([`Evaluation::recalc_from`]). No WS6 arithmetic is written here.
///
/// ```
/// let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
/// let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
/// assert_eq!(wb.levels().len(), 3);
/// assert_eq!(wb.levels()[0].label, "73⅓ %");
/// ```
#[derive(Debug, Clone)]
pub struct Workbench<'f> {
    pub(super) form: &'f Form,
    pub(super) ids: Ids,
    pub(super) levels: Vec<RebateLevel>,
}

impl<'f> Workbench<'f> {
    /// Resolves the fields and rebate levels Appendix E needs on `form`.
    /// Errors name the missing field or the bad level.
    pub fn new(form: &'f Form) -> Result<Workbench<'f>, String> {
        let ids = Ids::resolve(form)?;
        let mut levels = Vec::new();
        for l in &form.facts().rebate_levels {
            let e = crate::form::parser::parse(&l.rebate_pct, &mut |r: &str| {
                Err(format!("`{r}`: a rebate level is a constant"))
            })
            .map_err(|e| {
                format!(
                    "template {}: rebate level `{}`: `{}`: {e}",
                    form.template, l.label, l.rebate_pct
                )
            })?;
            let Val::Num(rebate_pct) = crate::form::eval::formula(&e, &[]) else {
                return Err(format!(
                    "template {}: rebate level `{}`: `{}` is not a number",
                    form.template, l.label, l.rebate_pct
                ));
            };
            levels.push(RebateLevel {
                rebate_pct,
                label: l.label.clone(),
                margin_limit: l.margin_limit,
            });
        }
        if levels.is_empty() {
            return Err(format!(
                "reallocate (Appendix E) needs the rebate levels (`[form.facts] rebate_levels`), which template {} lacks",
                form.template
            ));
        }
        Ok(Workbench { form, ids, levels })
    }

    /// The template's rebate percentage levels, in template order.
    pub fn levels(&self) -> &[RebateLevel] {
        &self.levels
    }

    /// The level of a rebate percentage (the template's formula gives one
    /// of them exactly); `None` for any other.
    pub fn level(&self, rebate_pct: Decimal) -> Option<&RebateLevel> {
        self.levels.iter().find(|l| l.rebate_pct == rebate_pct)
    }

    /// How reports name a rebate percentage: its level's label, else the
    /// percentage.
    pub(super) fn level_label(&self, rebate_pct: Decimal) -> String {
        self.level(rebate_pct).map_or_else(
            || format!("{} %", round(mul(rebate_pct, dec!(100)), 2).normalize()),
            |l| l.label.clone(),
        )
    }

    pub(super) fn num(&self, ev: &Evaluation<'_>, id: FieldId) -> Decimal {
        match ev.get(id) {
            Val::Num(d) => clamp(*d).normalize(),
            _ => Decimal::ZERO,
        }
    }

    /// A June bid on the form: the figures the bid computes outside WS6's
    /// rebate allocation and premium (WS4/WS5, the A/B revenue
    /// requirement) pinned, the WS6 entries entered, and everything that
    /// reads them evaluated by the template's formulas.
    pub(super) fn sheet(&self, june: &June) -> Evaluation<'f> {
        let j = june.clamped();
        let i = &self.ids;
        let mut ev = Evaluation::new(self.form);
        let n = Val::Num;
        let mut changed = Vec::new();
        for (id, d) in [
            (i.plan_bid, j.bid.plan_bid),
            (i.conversion_factor, j.bid.conversion_factor),
            (i.standardized_bid, j.bid.standardized_bid),
            (i.savings, j.bid.savings),
            (i.rebate_pct, j.rebate_pct),
            (i.rebate, j.ma_rebate),
            (i.basic, j.basic_ma_premium),
            (i.ms_revenue_requirement, j.ms_revenue_requirement),
        ] {
            ev.pin(id, n(d));
            changed.push(id);
        }
        for (id, d) in [
            (i.part_d_basic_before, j.part_d_basic_before),
            (i.part_d_supp_before, j.part_d_supp_before),
        ] {
            ev.set_entered(id, n(d));
            changed.push(id);
        }
        changed.extend(self.enter(&mut ev, &j.allocations));
        ev.recalc_from(&changed);
        ev
    }

    /// Enters allocations as a resubmission enters them (WS6 Sec II and
    /// lines 7b, 8b); returns the fields entered.
    pub(super) fn enter(&self, ev: &mut Evaluation<'f>, a: &Allocations) -> [FieldId; 5] {
        let i = &self.ids;
        let f = [
            (i.in_reduce_cost_sharing, a.reduce_cost_sharing),
            (i.in_other_supplemental, a.other_supplemental),
            (i.in_part_b, a.part_b),
            (i.in_part_d_basic, a.part_d_basic),
            (i.in_part_d_supp, a.part_d_supplemental),
        ];
        for (id, d) in f {
            ev.set_entered(id, Val::Num(clamp(d)));
        }
        f.map(|(id, _)| id)
    }

    /// The five rebate allocations of an evaluation (WS6 Sec IIIB lines
    /// 2–6, as rounded there).
    pub(super) fn allocations(&self, ev: &Evaluation<'_>) -> Allocations {
        let i = &self.ids;
        let g = |id| self.num(ev, id);
        Allocations {
            reduce_cost_sharing: g(i.reduce_cost_sharing),
            other_supplemental: g(i.other_supplemental),
            part_b: g(i.part_b),
            part_d_basic: g(i.part_d_basic),
            part_d_supplemental: g(i.part_d_supp),
        }
    }

    /// The WS6 figures of an evaluation.
    pub(super) fn figures(&self, ev: &Evaluation<'_>) -> Figures {
        let i = &self.ids;
        let g = |id| self.num(ev, id);
        Figures {
            ma_rebate: g(i.ma_rebate),
            allocations: self.allocations(ev),
            total_allocated: g(i.total_allocated),
            unallocated: g(i.unallocated),
            ms_revenue_requirement: g(i.ms_revenue_requirement),
            ms_premium: g(i.ms_premium),
            basic_ma_premium: g(i.basic_premium),
            total_ma_premium: g(i.total_ma_premium),
            rounded_ma_premium: g(i.rounded_ma_premium),
            part_d_basic_before: g(i.part_d_basic_before),
            part_d_basic_premium: g(i.part_d_basic_premium),
            part_d_supp_before: g(i.part_d_supp_before),
            part_d_supp_premium: g(i.part_d_supp_premium),
            total_plan_premium: g(i.total_plan_premium),
        }
    }

    /// The figures of `ev` with other allocations (and, for added or
    /// eliminated benefits, another A/B revenue requirement): only what
    /// reads the changed entries is re-evaluated.
    pub(super) fn with(
        &self,
        ev: &Evaluation<'f>,
        a: &Allocations,
        ms_rr: Option<Decimal>,
    ) -> Figures {
        let mut ev = ev.clone();
        let mut changed = self.enter(&mut ev, a).to_vec();
        if let Some(rr) = ms_rr {
            ev.pin(self.ids.ms_revenue_requirement, Val::Num(clamp(rr)));
            changed.push(self.ids.ms_revenue_requirement);
        }
        ev.recalc_from(&changed);
        self.figures(&ev)
    }

    /// The June bid's own figures, as the template's formulas give them
    /// from its entries and the figures pinned from elsewhere in the bid.
    pub fn figures_of(&self, june: &June) -> Figures {
        self.figures(&self.sheet(june))
    }
}
