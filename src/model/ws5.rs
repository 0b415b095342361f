//! WS5 – MA benchmark PMPM.

use super::{GeneralEcho, Src};
use crate::value::F;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS5 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws5 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II – benchmark and bid development.
    pub bid: Ws5Bid,
    /// Sec III – savings and basic member premium.
    pub savings: Ws5Savings,
    /// Sec IV – standardized A/B benchmark for regional plans.
    pub regional: Ws5Regional,
    /// Sec V – quality rating.
    pub quality: Ws5Quality,
    /// Sec VI lines 1–2 – ISAR choice and the service-area summary.
    pub county_summary: CountySummary,
    /// Sec VI line 3 and Sec VII – the county rows (1–1000) that hold
    /// something, in row order.
    pub county: Vec<CountyLine>,
}

impl Ws5 {
    pub(crate) fn read(src: &Src<'_>) -> Ws5 {
        const TABLE: &str = "ws5.county";
        Ws5 {
            general: GeneralEcho::read(src, "ws5.general"),
            bid: Ws5Bid::read(src, "ws5.bid"),
            savings: Ws5Savings::read(src, "ws5.savings"),
            regional: Ws5Regional::read(src, "ws5.regional"),
            quality: Ws5Quality::read(src, "ws5.quality"),
            county_summary: CountySummary::read(src, "ws5.county_summary"),
            county: src
                .open_keys(TABLE, &[])
                .into_iter()
                .map(|k| CountyLine::read(src, TABLE, &[], k))
                .collect(),
        }
    }
}

section! {
    /// WS5 Sec II – benchmark and bid development.
    pub struct Ws5Bid {
        /// WS5 Sec II line 1 – projected member months, total (calculated: county total).
        mm_total: F<Decimal>,
        /// WS5 Sec II line 1 – projected member months, non-DE#.
        mm_non_de: F<Decimal>,
        /// WS5 Sec II line 1 – projected member months, DE# (calculated).
        mm_de: F<Decimal>,
        /// WS5 Sec II line 2 – standardized A/B benchmark at a 1.000 risk score (calculated).
        standardized_benchmark: F<Decimal>,
        /// WS5 Sec II line 3 – Medicare secondary payer adjustment.
        msp: F<Decimal>,
        /// WS5 Sec II line 4 – weighted average risk factor, total (calculated).
        risk_total: F<Decimal>,
        /// WS5 Sec II line 4 – risk factor, non-DE#.
        risk_non_de: F<Decimal>,
        /// WS5 Sec II line 4 – risk factor, DE# (calculated).
        risk_de: F<Decimal>,
        /// WS5 Sec II line 5 – conversion factor (calculated: (1 − MSP) × risk).
        conversion_factor: F<Decimal>,
        /// WS5 Sec II line 6 – plan (or regional) A/B benchmark (calculated: line 2 × line 5).
        plan_benchmark: F<Decimal>,
        /// WS5 Sec II line 7 – plan A/B bid (calculated: WS4 line x col o rounded to cents).
        plan_bid: F<Decimal>,
        /// WS5 Sec II line 8 – standardized A/B bid at 1.000 (calculated: line 7 / line 5).
        standardized_bid: F<Decimal>,
    }
}

section! {
    /// WS5 Sec III – savings and basic member premium (calculated).
    pub struct Ws5Savings {
        /// WS5 Sec III line 1 – savings.
        savings: F<Decimal>,
        /// WS5 Sec III line 2 – rebate.
        rebate: F<Decimal>,
        /// WS5 Sec III line 3 – basic member premium.
        basic_premium: F<Decimal>,
    }
}

section! {
    /// WS5 Sec IV – standardized A/B benchmark, regional plans only.
    pub struct Ws5Regional {
        /// WS5 Sec IV line 1 – statutory component for the region (CMS).
        statutory_component: F<Decimal>,
        /// WS5 Sec IV line 1 – statutory weight (CMS).
        statutory_weight: F<Decimal>,
        /// WS5 Sec IV line 2 – plan bid component (cell M17; may be blank).
        plan_bid_component: F<Decimal>,
        /// WS5 Sec IV line 3 – standardized A/B benchmark (calculated).
        standardized_benchmark: F<Decimal>,
    }
}

section! {
    /// WS5 Sec V – quality rating.
    pub struct Ws5Quality {
        /// WS5 Sec V line 1 – quality bonus (star) rating, per CMS.
        star_rating: F<Decimal>,
        /// WS5 Sec V line 2 – new/low indicator, per CMS.
        new_low: F<String>,
        /// WS5 Sec V line 3 – rebate percentage (calculated).
        rebate_pct: F<Decimal>,
        /// WS5 Sec V – quality bonus percentage (calculated).
        qbp_pct: F<Decimal>,
    }
}

section! {
    /// WS5 Sec VI lines 1–2 – ISAR choice and the service-area totals and averages.
    pub struct CountySummary {
        /// WS5 Sec VI line 1 – use plan-provided ISAR factors (Yes/No).
        use_isar: F<String>,
        /// WS5 Sec VI line 2 col e – total projected member months.
        mm: F<Decimal>,
        /// WS5 Sec VI line 2 col f – average risk score.
        risk: F<Decimal>,
        /// WS5 Sec VI line 2 col h – average ratebook.
        ratebook: F<Decimal>,
        /// WS5 Sec VI line 2 col i – average risk-adjusted rate.
        risk_adjusted: F<Decimal>,
        /// WS5 Sec VI line 2 col g – average ISAR factor.
        isar_factor: F<Decimal>,
        /// WS5 Sec VI line 2 col j – average ISAR scale.
        isar_scale: F<Decimal>,
        /// WS5 Sec VI line 2 col k – average ISAR bid.
        isar_bid: F<Decimal>,
        /// WS5 Sec VI line 2 col l – average Part A rate.
        rate_part_a: F<Decimal>,
        /// WS5 Sec VI line 2 col m – average Part B rate.
        rate_part_b: F<Decimal>,
        /// WS5 Sec VII line 2 col n – average inpatient cost-sharing factor.
        ae_inpatient: F<Decimal>,
        /// WS5 Sec VII line 2 col o – average SNF cost-sharing factor.
        ae_snf: F<Decimal>,
        /// WS5 Sec VII line 2 col p – average Part B cost-sharing factor.
        ae_part_b: F<Decimal>,
        /// WS5 Sec VII line 2 col q – average FFS inpatient cost.
        ffs_inpatient: F<Decimal>,
        /// WS5 Sec VII line 2 col r – average FFS SNF cost.
        ffs_snf: F<Decimal>,
        /// WS5 Sec VII line 2 col s – average FFS Part B cost.
        ffs_part_b: F<Decimal>,
    }
}

table_line! {
    /// WS5 Sec VI line 3 and Sec VII – one county.
    pub struct CountyLine {
        /// WS5 Sec VI col b – county code (five digits).
        code: F<String> = "*",
        /// WS5 Sec VI col c – state (CMS).
        state: F<String> = "*",
        /// WS5 Sec VI col d – county name (CMS).
        county_name: F<String> = "*",
        /// WS5 Sec VI col e – projected member months.
        mm: F<Decimal> = "*",
        /// WS5 Sec VI col f – risk score.
        risk: F<Decimal> = "*",
        /// WS5 Sec VI col g – plan-provided ISAR factor.
        isar_factor: F<Decimal> = "*",
        /// WS5 Sec VI col h – ratebook rate (CMS).
        ratebook: F<Decimal> = "*",
        /// WS5 Sec VI col i – risk-adjusted rate (calculated: h × f).
        risk_adjusted: F<Decimal> = "*",
        /// WS5 Sec VI col j – ISAR scale (calculated).
        isar_scale: F<Decimal> = "*",
        /// WS5 Sec VI col k – ISAR bid (calculated: standardized bid × j).
        isar_bid: F<Decimal> = "*",
        /// WS5 Sec VI col l – Part A rate (calculated).
        rate_part_a: F<Decimal> = "*",
        /// WS5 Sec VI col m – Part B rate (calculated: k − l).
        rate_part_b: F<Decimal> = "*",
        /// WS5 Sec VII col n – original Medicare inpatient cost-sharing factor (CMS).
        ae_inpatient: F<Decimal> = "*",
        /// WS5 Sec VII col o – original Medicare SNF cost-sharing factor (CMS).
        ae_snf: F<Decimal> = "*",
        /// WS5 Sec VII col p – original Medicare Part B cost-sharing factor (CMS).
        ae_part_b: F<Decimal> = "*",
        /// WS5 Sec VII col q – FFS inpatient cost (CMS).
        ffs_inpatient: F<Decimal> = "*",
        /// WS5 Sec VII col r – FFS SNF cost (CMS).
        ffs_snf: F<Decimal> = "*",
        /// WS5 Sec VII col s – FFS Part B cost (CMS).
        ffs_part_b: F<Decimal> = "*",
        /// WS5 Sec VII col t – MSA code (CMS).
        msa_code: F<String> = "*",
        /// WS5 Sec VII col u – MSA name (CMS).
        msa_name: F<String> = "*",
        /// WS5 col V – Part A portion of the ratebook rate (CMS).
        ratebook_part_a: F<Decimal> = "*",
    }
}
