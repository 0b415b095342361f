//! WS3 – MA projected cost sharing PMPM.

use super::{GeneralEcho, Src};
use crate::value::F;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS3 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws3 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II – maximum cost sharing per member per year.
    pub oop: Ws3Oop,
    /// Sec III – cost-sharing lines (`a1`, `a2`, …, `x1`–`x10`) that hold
    /// something, in row order.
    pub cost_sharing: Vec<CostSharingLine>,
    /// Sec III – the total line.
    pub cost_sharing_total: CostSharingTotal,
    /// Sec III footnotes – deductibles.
    pub footnote: Ws3Footnote,
}

impl Ws3 {
    pub(crate) fn read(src: &Src<'_>) -> Ws3 {
        const TABLE: &str = "ws3.cost_sharing";
        Ws3 {
            general: GeneralEcho::read(src, "ws3.general"),
            oop: Ws3Oop::read(src, "ws3.oop"),
            cost_sharing: src
                .open_keys(TABLE, &["total"])
                .into_iter()
                .map(|k| CostSharingLine::read(src, TABLE, &[], k))
                .collect(),
            cost_sharing_total: CostSharingTotal::read(src, TABLE, &[], "total"),
            footnote: Ws3Footnote::read(src, "ws3.footnote"),
        }
    }
}

section! {
    /// WS3 Sec II – plan-level out-of-pocket maxima.
    pub struct Ws3Oop {
        /// WS3 Sec II line 1 – is there a plan-level in-network OOP maximum (Yes/No).
        in_network: F<String>,
        /// WS3 Sec II line 1 – in-network OOP maximum amount.
        in_network_amount: F<Decimal>,
        /// WS3 Sec II line 2 – is there a plan-level out-of-network OOP maximum (Yes/No).
        out_of_network: F<String>,
        /// WS3 Sec II line 2 – out-of-network OOP maximum amount.
        out_of_network_amount: F<Decimal>,
        /// WS3 Sec II line 3 – is there a plan-level combined OOP maximum (Yes/No).
        combined: F<String>,
        /// WS3 Sec II line 3 – combined OOP maximum amount.
        combined_amount: F<Decimal>,
        /// WS3 Sec II line 4 – maximum cost-sharing description.
        description: F<String>,
    }
}

table_line! {
    /// WS3 Sec III – one cost-sharing line.
    pub struct CostSharingLine {
        /// WS3 col c – service category (CMS on the fixed lines, chosen on x1–x10).
        category: F<String> = "*",
        /// WS3 col d – service category description.
        description: F<String> = "*",
        /// WS3 col e – measurement unit code (A, D, BP, V, P, T, S, O, Coin, Ded).
        unit: F<String> = "*",
        /// WS3 col f – in-network effective plan-level deductible PMPM.
        in_deductible: F<Decimal> = "*",
        /// WS3 col g – in-network utilization per 1,000 (PMPM for Coin).
        in_util: F<Decimal> = "*",
        /// WS3 col h – in-network description of cost sharing.
        in_desc: F<String> = "*",
        /// WS3 col i – in-network average cost sharing before the OOP maximum.
        in_before_oop: F<Decimal> = "*",
        /// WS3 col j – in-network average cost sharing after the OOP maximum.
        in_after_oop: F<Decimal> = "*",
        /// WS3 col k – in-network cost sharing PMPM (calculated).
        in_pmpm: F<Decimal> = "*",
        /// WS3 col l – total in-network cost share PMPM (calculated: f + k).
        in_total: F<Decimal> = "*",
        /// WS3 col m – out-of-network description.
        oon_desc: F<String> = "*",
        /// WS3 col n – out-of-network cost sharing PMPM.
        oon_pmpm: F<Decimal> = "*",
        /// WS3 col o – grand total cost share PMPM (calculated: l + n).
        total: F<Decimal> = "*",
    }
}

table_line! {
    /// WS3 Sec III – the total line (columns f, k, l, n, o).
    pub struct CostSharingTotal {
        /// WS3 total line col f – in-network deductible PMPM.
        in_deductible: F<Decimal> = "*",
        /// WS3 total line col k – in-network cost sharing PMPM.
        in_pmpm: F<Decimal> = "*",
        /// WS3 total line col l – total in-network cost share PMPM.
        in_total: F<Decimal> = "*",
        /// WS3 total line col n – out-of-network cost sharing PMPM.
        oon_pmpm: F<Decimal> = "*",
        /// WS3 total line col o – grand total cost share PMPM.
        total: F<Decimal> = "*",
    }
}

section! {
    /// WS3 Sec III footnotes on deductibles.
    pub struct Ws3Footnote {
        /// WS3 footnote – combined deductible ("Medicare FFS" allowed).
        combined_deductible: F<String>,
        /// WS3 footnote – combined deductible applies to Part B services only (Yes/No).
        combined_ded_part_b_only: F<String>,
        /// WS3 footnote – in-network deductible.
        in_deductible: F<String>,
        /// WS3 footnote – in-network deductible applies to Part B services only (Yes/No).
        in_ded_part_b_only: F<String>,
        /// WS3 footnote – in-network deductible: impact of the OOP maximum.
        in_oop_impact: F<Decimal>,
        /// WS3 footnote – out-of-network deductible.
        oon_deductible: F<String>,
        /// WS3 footnote – out-of-network deductible applies to Part B services only (Yes/No).
        oon_ded_part_b_only: F<String>,
        /// WS3 footnote – out-of-network deductible: impact of the OOP maximum.
        oon_oop_impact: F<Decimal>,
    }
}
