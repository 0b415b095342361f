//! WS1 – MA base period experience and projection assumptions.

use super::{SERVICE_CATEGORIES, Src, with_totals};
use crate::value::F;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS1 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws1 {
    /// Sec I – general information.
    pub general: Ws1General,
    /// Sec II – base period background information.
    pub base_period: BasePeriod,
    /// Sec II line 5 – plans/segments included in the base period data, lines a–h.
    pub plans_in_base: Vec<PlanInBaseLine>,
    /// Sec III – base period data, lines a–r and totals s, t.
    pub base: Vec<BaseLine>,
    /// Sec IV – projection assumptions, lines a–r.
    pub projection: Vec<ProjectionLine>,
    /// Sec V – description of other adjustment factors.
    pub description: Ws1Description,
    /// Sec VI lines 1–5 – base period summary by column.
    pub summary_table: Ws1SummaryTable,
    /// Sec VI lines 6–9 – base period summary on the total column.
    pub summary: Ws1Summary,
}

impl Ws1 {
    pub(crate) fn read(src: &Src<'_>) -> Ws1 {
        Ws1 {
            general: Ws1General::read(src, "ws1.general"),
            base_period: BasePeriod::read(src, "ws1.base_period"),
            plans_in_base: PlanInBaseLine::read_all(
                src,
                "ws1.plans_in_base",
                &["a", "b", "c", "d", "e", "f", "g", "h"],
            ),
            base: BaseLine::read_all(
                src,
                "ws1.base",
                &with_totals(SERVICE_CATEGORIES, &["s", "t"]),
            ),
            projection: ProjectionLine::read_all(src, "ws1.projection", SERVICE_CATEGORIES),
            description: Ws1Description::read(src, "ws1.description"),
            summary_table: Ws1SummaryTable::read(src, "ws1.summary"),
            summary: Ws1Summary::read(src, "ws1.summary"),
        }
    }
}

section! {
    /// WS1 Sec I – general information.
    pub struct Ws1General {
        /// WS1 Sec I line 1 – contract number (`H1234`).
        contract_number: F<String>,
        /// WS1 Sec I line 2 – plan ID (three digits).
        plan_id: F<String>,
        /// WS1 Sec I line 3 – segment ID.
        segment_id: F<String>,
        /// WS1 Sec I line 4 – contract year (CMS).
        contract_year: F<Decimal>,
        /// WS1 Sec I line 5 – organization name.
        organization_name: F<String>,
        /// WS1 Sec I line 6 – plan name.
        plan_name: F<String>,
        /// WS1 Sec I line 7 – plan type.
        plan_type: F<String>,
        /// WS1 Sec I line 8 – MA-PD (Y/N).
        ma_pd: F<String>,
        /// WS1 Sec I line 9 – enrollee type (A/B, PART B ONLY).
        enrollee_type: F<String>,
        /// WS1 Sec I line 10 – MA region (01–26).
        ma_region: F<String>,
        /// WS1 Sec I line 11 – actuarial swap or equivalences apply (Y/N).
        swap_equivalence: F<String>,
        /// WS1 Sec I line 12 – SNP (Y/N).
        snp: F<String>,
        /// WS1 Sec I line 13 – region name (calculated from the region number).
        region_name: F<String>,
        /// WS1 Sec I line 14 – SNP type.
        snp_type: F<String>,
        /// WS1 Sec I line 15 – EGWP (calculated: Y when the plan ID is 800 or more).
        egwp: F<String>,
    }
}

section! {
    /// WS1 Sec II – base period background information.
    pub struct BasePeriod {
        /// WS1 Sec II line 1 – incurred from (CMS, 1/1/2011).
        incurred_from: F<NaiveDate>,
        /// WS1 Sec II line 1 – incurred to (CMS, 12/31/2011).
        incurred_to: F<NaiveDate>,
        /// WS1 Sec II line 1 – paid through.
        paid_through: F<NaiveDate>,
        /// WS1 Sec II line 2 – member months, total.
        mm_total: F<Decimal>,
        /// WS1 Sec II line 2 – member months, non-DE#.
        mm_non_de: F<Decimal>,
        /// WS1 Sec II line 2 – member months, DE# (calculated: total − non-DE#).
        mm_de: F<Decimal>,
        /// WS1 Sec II line 3 – risk score, total.
        risk_total: F<Decimal>,
        /// WS1 Sec II line 3 – risk score, non-DE#.
        risk_non_de: F<Decimal>,
        /// WS1 Sec II line 3 – risk score, DE# (calculated).
        risk_de: F<Decimal>,
        /// WS1 Sec II line 4 – completion factor.
        completion_factor: F<Decimal>,
        /// WS1 Sec II line 5 – total member months of the plans listed (calculated).
        plans_total_mm: F<Decimal>,
        /// WS1 Sec II line 6 – base period description.
        description: F<String>,
    }
}

table_line! {
    /// WS1 Sec II line 5 – one plan/segment included in the base period data.
    pub struct PlanInBaseLine {
        /// WS1 Sec II line 5 – contract-plan(-segment) ID, or "All Other".
        contract_plan: F<String> = "*",
        /// WS1 Sec II line 5 – member months.
        mm: F<Decimal> = "*",
    }
}

table_line! {
    /// WS1 Sec III – one line of base period data (a–r; s total, t Medicare-covered subtotal).
    pub struct BaseLine {
        /// WS1 Sec III col d – net PMPM (lines a–r, totals s, t).
        net_pmpm: F<Decimal> = "a:r s t",
        /// WS1 Sec III col e – cost sharing PMPM (calculated: i − d; a–r, s, t).
        cost_sharing: F<Decimal> = "a:r s t",
        /// WS1 Sec III col f – utilization type (calculated from WS2 col e; a–q).
        util_type: F<String> = "a:q",
        /// WS1 Sec III col g – annual utilization per 1,000 (a–q).
        util_per_1000: F<Decimal> = "a:q",
        /// WS1 Sec III col h – average cost (calculated: i × 12,000 / g; a–q).
        avg_cost: F<Decimal> = "a:q",
        /// WS1 Sec III col i – allowed PMPM (a–r, totals s, t).
        allowed_pmpm: F<Decimal> = "a:r s t",
    }
}

table_line! {
    /// WS1 Sec IV – projection assumptions for one service category (a–r).
    pub struct ProjectionLine {
        /// WS1 Sec IV col j – utilization trend factor.
        util_trend: F<Decimal> = "a:r",
        /// WS1 Sec IV col k – benefit change factor.
        benefit_change: F<Decimal> = "a:r",
        /// WS1 Sec IV col l – population change factor.
        population_change: F<Decimal> = "a:r",
        /// WS1 Sec IV col m – other utilization adjustment factor.
        other_util: F<Decimal> = "a:r",
        /// WS1 Sec IV col n – provider payment change factor.
        provider_payment: F<Decimal> = "a:r",
        /// WS1 Sec IV col o – other unit cost adjustment factor.
        other_cost: F<Decimal> = "a:r",
        /// WS1 Sec IV col p – additive adjustment, utilization per 1,000 (a–q).
        additive_util: F<Decimal> = "a:q",
        /// WS1 Sec IV col q – additive adjustment, allowed PMPM.
        additive_pmpm: F<Decimal> = "a:r",
    }
}

section! {
    /// WS1 Sec V – description of the other adjustment factors.
    pub struct Ws1Description {
        /// WS1 Sec V – description of other utilization / unit cost adjustments and additive adjustments.
        adjustments: F<String>,
    }
}

table_line! {
    /// WS1 Sec VI – one line of the base period summary by column.
    pub struct Ws1SummaryLine {
        /// WS1 Sec VI – ESRD column.
        esrd: F<Decimal> = "*",
        /// WS1 Sec VI – hospice column.
        hospice: F<Decimal> = "*",
        /// WS1 Sec VI – other (non-ESRD, non-hospice) column; line 5 is calculated (= Sec II member months).
        other: F<Decimal> = "*",
        /// WS1 Sec VI – total column (calculated).
        total: F<Decimal> = "*",
    }
}

named_rows! {
    /// WS1 Sec VI lines 1–5.
    pub struct Ws1SummaryTable of Ws1SummaryLine {
        /// WS1 Sec VI line 1 – CMS revenue.
        cms_revenue,
        /// WS1 Sec VI line 2 – premium revenue.
        premium_revenue,
        /// WS1 Sec VI line 3 – total revenue (calculated: 1 + 2).
        total_revenue,
        /// WS1 Sec VI line 4 – net medical expenses.
        net_medical,
        /// WS1 Sec VI line 5 – member months.
        member_months,
    }
}

section! {
    /// WS1 Sec VI lines 6–9 (on the total column).
    pub struct Ws1Summary {
        /// WS1 Sec VI line 6a – revenue PMPM (line 3 / line 5).
        pmpm_revenue: F<Decimal>,
        /// WS1 Sec VI line 6b – net medical expenses PMPM.
        pmpm_net_medical: F<Decimal>,
        /// WS1 Sec VI line 6c – non-benefit expenses PMPM (7e / line 5).
        pmpm_nbe: F<Decimal>,
        /// WS1 Sec VI line 6d – gain/loss PMPM (8 / line 5).
        pmpm_gain_loss: F<Decimal>,
        /// WS1 Sec VI line 7a – non-benefit expenses: marketing & sales.
        nbe_marketing: F<Decimal>,
        /// WS1 Sec VI line 7b – non-benefit expenses: direct administration.
        nbe_direct_admin: F<Decimal>,
        /// WS1 Sec VI line 7c – non-benefit expenses: indirect administration.
        nbe_indirect_admin: F<Decimal>,
        /// WS1 Sec VI line 7d – non-benefit expenses: net cost of private reinsurance.
        nbe_reinsurance: F<Decimal>,
        /// WS1 Sec VI line 7e – total non-benefit expenses (calculated).
        nbe_total: F<Decimal>,
        /// WS1 Sec VI line 8 – gain/loss margin (calculated: 3 − 4 − 7e).
        gain_loss: F<Decimal>,
        /// WS1 Sec VI line 9a – net medical expenses as a percentage of revenue (4 / 3).
        pct_net_medical: F<Decimal>,
        /// WS1 Sec VI line 9b – non-benefit expenses as a percentage of revenue.
        pct_nbe: F<Decimal>,
        /// WS1 Sec VI line 9c – gain/loss as a percentage of revenue.
        pct_gain_loss: F<Decimal>,
    }
}
