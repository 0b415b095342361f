//! WS2 – MA projected allowed costs PMPM.

use super::{GeneralEcho, SERVICE_CATEGORIES, Src, with_totals};
use crate::value::F;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS2 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws2 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II lines 1–2 – projected member months and risk factors (from WS5).
    pub projection: Ws2Projection,
    /// Sec II – projected allowed costs, lines a–r and totals s, t.
    pub allowed: Vec<AllowedLine>,
    /// Sec II col l – CMS credibility guideline.
    pub credibility: Ws2Credibility,
    /// Sec II line u – manual rate description.
    pub manual: Ws2Manual,
}

impl Ws2 {
    pub(crate) fn read(src: &Src<'_>) -> Ws2 {
        Ws2 {
            general: GeneralEcho::read(src, "ws2.general"),
            projection: Ws2Projection::read(src, "ws2.projection"),
            allowed: AllowedLine::read_all(
                src,
                "ws2.allowed",
                &with_totals(SERVICE_CATEGORIES, &["s", "t"]),
            ),
            credibility: Ws2Credibility::read(src, "ws2.credibility"),
            manual: Ws2Manual::read(src, "ws2.manual"),
        }
    }
}

section! {
    /// WS2 Sec II lines 1–2 (calculated from WS5 Sec II).
    pub struct Ws2Projection {
        /// WS2 Sec II line 1 – projected member months, total.
        mm_total: F<Decimal>,
        /// WS2 Sec II line 1 – projected member months, non-DE#.
        mm_non_de: F<Decimal>,
        /// WS2 Sec II line 1 – projected member months, DE#.
        mm_de: F<Decimal>,
        /// WS2 Sec II line 2 – projected risk factor, total.
        risk_total: F<Decimal>,
        /// WS2 Sec II line 2 – projected risk factor, non-DE#.
        risk_non_de: F<Decimal>,
        /// WS2 Sec II line 2 – projected risk factor, DE#.
        risk_de: F<Decimal>,
    }
}

table_line! {
    /// WS2 Sec II – one service category (a–r; s total, t Medicare-covered subtotal).
    pub struct AllowedLine {
        /// WS2 col e – utilization type (A, D, BP, V, P, T, S, O; a–q).
        util_type: F<String> = "a:q",
        /// WS2 col f – projected experience utilization per 1,000 (calculated; a–q).
        exp_util: F<Decimal> = "a:q",
        /// WS2 col g – projected experience average cost (calculated; a–q).
        exp_avg_cost: F<Decimal> = "a:q",
        /// WS2 col h – projected experience allowed PMPM (calculated; a–r, s, t).
        exp_allowed: F<Decimal> = "a:r s t",
        /// WS2 col i – manual utilization per 1,000 (a–q).
        man_util: F<Decimal> = "a:q",
        /// WS2 col j – manual average cost (calculated; a–q).
        man_avg_cost: F<Decimal> = "a:q",
        /// WS2 col k – manual allowed PMPM (a–r, s, t).
        man_allowed: F<Decimal> = "a:r s t",
        /// WS2 col l – experience credibility (a–r).
        credibility: F<Decimal> = "a:r",
        /// WS2 col m – blended utilization per 1,000 (calculated; a–q).
        blend_util: F<Decimal> = "a:q",
        /// WS2 col n – blended average cost (calculated; a–q).
        blend_avg_cost: F<Decimal> = "a:q",
        /// WS2 col o – blended allowed PMPM (calculated; a–r, s, t).
        blend_allowed: F<Decimal> = "a:r s t",
        /// WS2 col p – non-DE# allowed PMPM (a–r, s, t).
        non_de_allowed: F<Decimal> = "a:r s t",
        /// WS2 col q – DE# allowed PMPM (a–r, s, t).
        de_allowed: F<Decimal> = "a:r s t",
        /// WS2 col r – out-of-network utilization percentage (a–r).
        oon_pct: F<Decimal> = "a:r",
    }
}

section! {
    /// WS2 Sec II col l – the CMS credibility guideline.
    pub struct Ws2Credibility {
        /// WS2 Sec II col l – CMS credibility guideline: MIN(1, SQRT(base MM / 24,000)) (calculated).
        cms_guideline: F<Decimal>,
    }
}

section! {
    /// WS2 Sec II line u.
    pub struct Ws2Manual {
        /// WS2 Sec II line u – manual rate description.
        description: F<String>,
    }
}
