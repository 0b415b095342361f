//! WS7 – optional supplemental benefits.

use super::{GeneralEcho, Src};
use crate::value::F;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS7 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws7 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II – packages 1–5, in order.
    pub packages: Vec<Package>,
    /// Sec III – comments.
    pub comments: F<String>,
}

impl Ws7 {
    pub(crate) fn read(src: &Src<'_>) -> Ws7 {
        Ws7 {
            general: GeneralEcho::read(src, "ws7.general"),
            packages: (1..=5).map(|n| Package::read(src, n)).collect(),
            comments: src.take("ws7.comments"),
        }
    }
}

/// WS7 Sec II – one optional supplemental package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Package number (1–5), WS7 col b.
    pub number: u8,
    /// WS7 Sec II – the package's description and totals.
    #[serde(flatten)]
    pub summary: PackageSummary,
    /// WS7 Sec II – the package's lines (1–20) that hold something, in order.
    pub lines: Vec<PackageLine>,
}

impl Package {
    fn read(src: &Src<'_>, n: u8) -> Package {
        let prefix = format!("ws7.pkg{n}");
        let table = format!("{prefix}.lines");
        Package {
            number: n,
            summary: PackageSummary::read(src, &prefix),
            lines: src
                .open_keys(&table, &[])
                .into_iter()
                .map(|k| PackageLine::read(src, &table, &[], k))
                .collect(),
        }
    }
}

impl std::ops::Deref for Package {
    type Target = PackageSummary;
    fn deref(&self) -> &PackageSummary {
        &self.summary
    }
}

section! {
    /// WS7 Sec II – a package's description and totals.
    pub struct PackageSummary {
        /// WS7 Sec II col d, first line – package description.
        description: F<String>,
        /// WS7 Sec II col m – net PMPM of the package (calculated: sum of the lines).
        net_total: F<Decimal>,
        /// WS7 Sec II col n – non-benefit expense.
        nbe: F<Decimal>,
        /// WS7 Sec II col o – gain/loss margin.
        gain_loss: F<Decimal>,
        /// WS7 Sec II col p – premium (calculated: net + NBE + gain/loss, to the dime).
        premium: F<Decimal>,
        /// WS7 Sec II col q – projected member months.
        member_months: F<Decimal>,
    }
}

table_line! {
    /// WS7 Sec II – one line of a package.
    pub struct PackageLine {
        /// WS7 col c – service category.
        category: F<String> = "*",
        /// WS7 col d – benefit category / pricing component.
        benefit: F<String> = "*",
        /// WS7 col e – allowed medical expense: utilization type.
        util_type: F<String> = "*",
        /// WS7 col f – allowed medical expense: annual utilization per 1,000.
        util: F<Decimal> = "*",
        /// WS7 col g – allowed medical expense: average cost.
        avg_cost: F<Decimal> = "*",
        /// WS7 col h – allowed medical expense PMPM (calculated: f × g / 12,000).
        allowed_pmpm: F<Decimal> = "*",
        /// WS7 col i – enrollee cost sharing: measurement unit code.
        cs_unit: F<String> = "*",
        /// WS7 col j – enrollee cost sharing: utilization per 1,000 or PMPM.
        cs_util: F<Decimal> = "*",
        /// WS7 col k – enrollee cost sharing: average cost sharing.
        cs_avg: F<Decimal> = "*",
        /// WS7 col l – enrollee cost sharing PMPM (calculated).
        cs_pmpm: F<Decimal> = "*",
        /// WS7 col m – net PMPM (calculated: h − l).
        net_pmpm: F<Decimal> = "*",
    }
}
