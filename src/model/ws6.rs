//! WS6 – MA bid summary.

use super::{GeneralEcho, Src};
use crate::value::F;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS6 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws6 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II – Part B premium buydown.
    pub part_b: Ws6PartB,
    /// Sec II – rebate allocation inputs.
    pub rebate_input: Ws6RebateInput,
    /// Sec IIIA lines 1–4 – plan A/B bid overview by column.
    pub overview_table: Ws6OverviewTable,
    /// Sec IIIA lines 5–8.
    pub overview: Ws6Overview,
    /// Sec IIIB lines 1–7 – rebate allocation.
    pub allocation: Ws6Allocation,
    /// Sec IIIB – unallocated rebate.
    pub allocation_summary: Ws6AllocationSummary,
    /// Sec IIIC – premium.
    pub premium: Ws6Premium,
    /// Sec IV – contact information and date prepared.
    pub contact: Ws6Contact,
    /// Sec V – working-model text (removed on finalize).
    pub working_model: Ws6WorkingModel,
}

impl Ws6 {
    pub(crate) fn read(src: &Src<'_>) -> Ws6 {
        Ws6 {
            general: GeneralEcho::read(src, "ws6.general"),
            part_b: Ws6PartB::read(src, "ws6.part_b"),
            rebate_input: Ws6RebateInput::read(src, "ws6.rebate_input"),
            overview_table: Ws6OverviewTable::read(src, "ws6.overview"),
            overview: Ws6Overview::read(src, "ws6.overview"),
            allocation: Ws6Allocation::read(src, "ws6.allocation"),
            allocation_summary: Ws6AllocationSummary::read(src, "ws6.allocation"),
            premium: Ws6Premium::read(src, "ws6.premium"),
            contact: Ws6Contact::read(src, "ws6.contact"),
            working_model: Ws6WorkingModel::read(src, "ws6.working_model"),
        }
    }
}

section! {
    /// WS6 Sec II – Part B premium buydown.
    pub struct Ws6PartB {
        /// WS6 Sec II line 1 – maximum Part B premium buydown amount, per CMS.
        max_buydown: F<Decimal>,
        /// WS6 Sec II line 1 – PMPM rebate allocation for the Part B premium.
        rebate_input: F<Decimal>,
        /// WS6 Sec II line 2 – rounded Part B rebate allocation (calculated: to the dime).
        rebate_rounded: F<Decimal>,
    }
}

section! {
    /// WS6 Sec II – rebate allocation inputs.
    pub struct Ws6RebateInput {
        /// WS6 Sec II line 1 – rebate to reduce A/B cost sharing.
        reduce_cost_sharing: F<Decimal>,
        /// WS6 Sec II line 2 – rebate for other A/B mandatory supplemental benefits.
        other_supplemental: F<Decimal>,
    }
}

table_line! {
    /// WS6 Sec IIIA – one line of the plan A/B bid overview (calculated from WS4).
    pub struct Ws6OverviewLine {
        /// WS6 Sec IIIA – plan A/B bid (WS4 col o).
        plan_ab_bid: F<Decimal> = "*",
        /// WS6 Sec IIIA – A/B mandatory supplemental: additional services (WS4 col p).
        ms_additional: F<Decimal> = "*",
        /// WS6 Sec IIIA – A/B mandatory supplemental: reduction of A/B cost sharing (WS4 col q).
        ms_reduction: F<Decimal> = "*",
        /// WS6 Sec IIIA – A/B mandatory supplemental: total (WS4 col r).
        ms_total: F<Decimal> = "*",
        /// WS6 Sec IIIA – total (WS4 col h).
        total: F<Decimal> = "*",
    }
}

named_rows! {
    /// WS6 Sec IIIA lines 1–4.
    pub struct Ws6OverviewTable of Ws6OverviewLine {
        /// WS6 Sec IIIA line 1 – net medical cost.
        net_medical,
        /// WS6 Sec IIIA line 2 – non-benefit expenses.
        nbe,
        /// WS6 Sec IIIA line 3 – gain/loss margin.
        gain_loss,
        /// WS6 Sec IIIA line 4 – total revenue requirement.
        revenue_requirement,
    }
}

section! {
    /// WS6 Sec IIIA lines 5–8 (calculated).
    pub struct Ws6Overview {
        /// WS6 Sec IIIA line 5 – standardized A/B benchmark.
        standardized_benchmark: F<Decimal>,
        /// WS6 Sec IIIA line 6 – plan A/B benchmark (regional A/B benchmark for RPPOs).
        plan_benchmark: F<Decimal>,
        /// WS6 Sec IIIA line 7 – risk factor.
        risk_factor: F<Decimal>,
        /// WS6 Sec IIIA line 8 – conversion factor.
        conversion_factor: F<Decimal>,
    }
}

table_line! {
    /// WS6 Sec IIIB – one line of the rebate allocation.
    pub struct Ws6AllocationLine {
        /// WS6 Sec IIIB – portion for medical expenses (lines 2–3).
        medical: F<Decimal> = "reduce_cost_sharing:other_supplemental",
        /// WS6 Sec IIIB – portion for non-benefit expenses (lines 2–3).
        nbe: F<Decimal> = "reduce_cost_sharing:other_supplemental",
        /// WS6 Sec IIIB – portion for gain/loss margin (lines 2–3).
        gain_loss: F<Decimal> = "reduce_cost_sharing:other_supplemental",
        /// WS6 Sec IIIB – rebate allocated (lines 1–7).
        allocated: F<Decimal> = "*",
        /// WS6 Sec IIIB – maximum allowed (lines 2–6).
        maximum: F<Decimal> = "reduce_cost_sharing:part_d_supplemental",
    }
}

named_rows! {
    /// WS6 Sec IIIB lines 1–7.
    pub struct Ws6Allocation of Ws6AllocationLine {
        /// WS6 Sec IIIB line 1 – MA rebate (WS5 Sec III line 2).
        ma_rebate,
        /// WS6 Sec IIIB line 2 – reduce A/B cost sharing.
        reduce_cost_sharing,
        /// WS6 Sec IIIB line 3 – other A/B mandatory supplemental benefits.
        other_supplemental,
        /// WS6 Sec IIIB line 4 – Part B premium buydown.
        part_b,
        /// WS6 Sec IIIB line 5 – Part D basic premium buydown.
        part_d_basic,
        /// WS6 Sec IIIB line 6 – Part D supplemental benefits.
        part_d_supplemental,
        /// WS6 Sec IIIB line 7 – total rebate allocated (lines 2–6).
        total,
    }
}

section! {
    /// WS6 Sec IIIB – the check that the whole rebate is allocated.
    pub struct Ws6AllocationSummary {
        /// WS6 Sec IIIB – unallocated rebate (calculated: line 1 − line 7).
        unallocated: F<Decimal>,
    }
}

section! {
    /// WS6 Sec IIIC – premium.
    pub struct Ws6Premium {
        /// WS6 Sec IIIC line 1 – A/B mandatory supplemental revenue requirement (WS4 line x col r).
        ms_revenue_requirement: F<Decimal>,
        /// WS6 Sec IIIC line 2 – less rebate allocations (−(IIIB line 2 + line 3)).
        less_rebates: F<Decimal>,
        /// WS6 Sec IIIC line 3 – A/B mandatory supplemental premium.
        ms_premium: F<Decimal>,
        /// WS6 Sec IIIC line 4 – basic MA premium (WS5 Sec III line 3).
        basic_premium: F<Decimal>,
        /// WS6 Sec IIIC line 5 – total MA premium (excluding optional supplemental).
        total_ma_premium: F<Decimal>,
        /// WS6 Sec IIIC line 6 – rounded MA premium (to the dime).
        rounded_ma_premium: F<Decimal>,
        /// WS6 Sec IIIC line 7a – Part D basic premium before rebates.
        part_d_basic_before: F<Decimal>,
        /// WS6 Sec IIIC line 7b – Part D basic rebate allocation as entered.
        part_d_basic_rebate_input: F<Decimal>,
        /// WS6 Sec IIIC line 7c – Part D basic rebate allocation rounded to the dime (cell R36).
        part_d_basic_rebate: F<Decimal>,
        /// WS6 Sec IIIC line 7d – Part D basic premium after rebates (cell R37).
        part_d_basic_premium: F<Decimal>,
        /// WS6 Sec IIIC line 8a – Part D supplemental premium before rebates.
        part_d_supp_before: F<Decimal>,
        /// WS6 Sec IIIC line 8b – Part D supplemental rebate allocation as entered.
        part_d_supp_rebate_input: F<Decimal>,
        /// WS6 Sec IIIC line 8c – Part D supplemental rebate allocation rounded to the dime.
        part_d_supp_rebate: F<Decimal>,
        /// WS6 Sec IIIC line 8d – Part D supplemental premium after rebates.
        part_d_supp_premium: F<Decimal>,
        /// WS6 Sec IIIC line 9 – total estimated plan premium (6 + 7d + 8d).
        total_plan_premium: F<Decimal>,
        /// WS6 Sec IIIC line 10 – plan intention for the target Part D basic premium (cell R47).
        plan_intention: F<String>,
    }
}

section! {
    /// WS6 Sec IV – contact information and date prepared.
    pub struct Ws6Contact {
        /// WS6 Sec IV – bid contact name.
        bid_name: F<String>,
        /// WS6 Sec IV – bid contact phone (ten digits).
        bid_phone: F<String>,
        /// WS6 Sec IV – bid contact email.
        bid_email: F<String>,
        /// WS6 Sec IV – certifying actuary name.
        cert_name: F<String>,
        /// WS6 Sec IV – certifying actuary phone (ten digits).
        cert_phone: F<String>,
        /// WS6 Sec IV – certifying actuary email.
        cert_email: F<String>,
        /// WS6 Sec IV – certifying actuary credentials.
        cert_credentials: F<String>,
        /// WS6 Sec IV – additional contact name.
        add_name: F<String>,
        /// WS6 Sec IV – additional contact phone (ten digits).
        add_phone: F<String>,
        /// WS6 Sec IV – additional contact email.
        add_email: F<String>,
        /// WS6 Sec IV – date prepared.
        date_prepared: F<NaiveDate>,
    }
}

section! {
    /// WS6 Sec V – working-model text box (deleted on finalize).
    pub struct Ws6WorkingModel {
        /// WS6 Sec V – working-model note 1.
        note1: F<String>,
        /// WS6 Sec V – working-model note 2.
        note2: F<String>,
        /// WS6 Sec V – working-model note 3.
        note3: F<String>,
        /// WS6 Sec V – working-model note 4.
        note4: F<String>,
        /// WS6 Sec V – working-model note 5.
        note5: F<String>,
    }
}
