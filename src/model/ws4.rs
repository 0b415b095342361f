//! WS4 – MA projected revenue requirement PMPM.
//!
//! The grid starts two columns to the right of the instructions' letters
//! (instruction column c is Excel E); the docs below use the instructions'
//! letters, as `docs/field-ids.md` does.

use super::{GeneralEcho, SERVICE_CATEGORIES, Src, with_totals};
use crate::value::F;
use rust_decimal::Decimal;
use serde::Serialize;

/// WS4 as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ws4 {
    /// Sec I – general information (from WS1).
    pub general: GeneralEcho,
    /// Sec II risk factors shown above tables A, B and C.
    pub risk_factors: Ws4RiskFactors,
    /// Sec IIA – non-DE# beneficiaries, lines a–r and total s.
    pub non_de: Vec<NonDeLine>,
    /// Sec IIB – DE# beneficiaries, lines a–r and total s.
    pub de: Vec<DeLine>,
    /// Sec IIC – all beneficiaries, lines a–q, r ESRD, s additional benefits,
    /// t COB/subrogation and total u.
    pub all: Vec<AllLine>,
    /// Sec IIC line v – non-benefit expenses.
    pub nbe: Ws4Nbe,
    /// Sec IIC line w – gain/loss margin.
    pub margin: Ws4Margin,
    /// Sec IIC line x – total revenue requirement.
    pub revreq: Ws4RevReq,
    /// Sec IIC line y – percentages of revenue (excluding ESRD).
    pub pct: Ws4Pct,
    /// Sec III – ESRD subsidy.
    pub esrd: Ws4Esrd,
    /// Sec IV – employer bids (800-series).
    pub egwp: Ws4Egwp,
    /// Sec V – projected Medicaid data for DE# beneficiaries.
    pub medicaid: Ws4Medicaid,
}

impl Ws4 {
    pub(crate) fn read(src: &Src<'_>) -> Ws4 {
        let a_to_s = with_totals(SERVICE_CATEGORIES, &["s"]);
        let all_rows = with_totals(SERVICE_CATEGORIES, &["s", "t", "u"]);
        Ws4 {
            general: GeneralEcho::read(src, "ws4.general"),
            risk_factors: Ws4RiskFactors::read(src, "ws4"),
            non_de: NonDeLine::read_all(src, "ws4.non_de", &a_to_s),
            de: DeLine::read_all(src, "ws4.de", &a_to_s),
            all: AllLine::read_all(src, "ws4.all", &all_rows),
            nbe: Ws4Nbe::read(src, "ws4.nbe"),
            margin: Ws4Margin::read(src, "ws4.margin"),
            revreq: Ws4RevReq::read(src, "ws4.revreq"),
            pct: Ws4Pct::read(src, "ws4.pct"),
            esrd: Ws4Esrd::read(src, "ws4.esrd"),
            egwp: Ws4Egwp::read(src, "ws4.egwp"),
            medicaid: Ws4Medicaid::read(src, "ws4.medicaid"),
        }
    }
}

section! {
    /// WS4 Sec II – the risk factors of tables A, B and C (calculated from WS5).
    pub struct Ws4RiskFactors {
        /// WS4 Sec IIA – non-DE# risk factor (= WS5 Sec II line 4, non-DE#).
        non_de: F<Decimal> = "ws4.non_de.risk_factor",
        /// WS4 Sec IIB – DE# risk factor (= WS5 Sec II line 4, DE#).
        de: F<Decimal> = "ws4.de.risk_factor",
        /// WS4 Sec IIC – total risk factor (= WS5 Sec II line 4, total).
        all: F<Decimal> = "ws4.all.risk_factor",
    }
}

table_line! {
    /// WS4 Sec IIA – one service category for non-DE# beneficiaries (a–r; s total).
    pub struct NonDeLine {
        /// WS4 Sec IIA col e – allowed PMPM (calculated: WS2 col p).
        allowed: F<Decimal> = "*",
        /// WS4 Sec IIA col f – cost sharing PMPM (calculated from WS3 col o by category).
        cost_sharing: F<Decimal> = "*",
        /// WS4 Sec IIA col h – net PMPM (calculated: e − f).
        net: F<Decimal> = "*",
        /// WS4 Sec IIA col i – percentage of allowed that is Medicare-covered (a–r).
        pct_cov_allowed: F<Decimal> = "a:r",
        /// WS4 Sec IIA col j – percentage of cost sharing that is Medicare-covered (a–r).
        pct_cov_cs: F<Decimal> = "a:r",
        /// WS4 Sec IIA col k – actuarially equivalent cost-sharing factor (calculated from WS5 Sec VII; a–r).
        ae_factor: F<Decimal> = "a:r",
        /// WS4 Sec IIA col l – plan cost sharing for Medicare-covered services.
        plan_cs_covered: F<Decimal> = "*",
        /// WS4 Sec IIA col m – Medicare-covered allowed PMPM.
        mc_allowed: F<Decimal> = "*",
        /// WS4 Sec IIA col n – Medicare-covered actuarially equivalent cost sharing.
        mc_ae_cs: F<Decimal> = "*",
        /// WS4 Sec IIA col o – Medicare-covered net PMPM.
        mc_net: F<Decimal> = "*",
        /// WS4 Sec IIA col p – A/B mandatory supplemental: additional services.
        ms_additional: F<Decimal> = "*",
        /// WS4 Sec IIA col q – A/B mandatory supplemental: reduction of A/B cost sharing.
        ms_reduction: F<Decimal> = "*",
        /// WS4 Sec IIA col r – A/B mandatory supplemental: total.
        ms_total: F<Decimal> = "*",
    }
}

table_line! {
    /// WS4 Sec IIB – one service category for DE# beneficiaries (a–r; s total).
    pub struct DeLine {
        /// WS4 Sec IIB col e – plan reimbursement plus cost sharing (calculated: g + h).
        reimb_plus_cs: F<Decimal> = "*",
        /// WS4 Sec IIB col f – plan cost sharing (calculated default; the actuary may overwrite it).
        plan_cs: F<Decimal> = "*",
        /// WS4 Sec IIB col g – actual cost sharing (calculated: MIN(f, k)).
        actual_cs: F<Decimal> = "*",
        /// WS4 Sec IIB col h – plan reimbursement (calculated: WS2 col q − f).
        reimbursement: F<Decimal> = "*",
        /// WS4 Sec IIB col i – percentage of allowed that is Medicare-covered (a–r).
        pct_cov_allowed: F<Decimal> = "a:r",
        /// WS4 Sec IIB col j – percentage of cost sharing that is Medicare-covered (a–r).
        pct_cov_cs: F<Decimal> = "a:r",
        /// WS4 Sec IIB col k – Medicaid cost sharing PMPM.
        medicaid_cs: F<Decimal> = "*",
        /// WS4 Sec IIB col l – actual cost sharing for Medicare-covered services.
        actual_cs_covered: F<Decimal> = "*",
        /// WS4 Sec IIB col m – Medicare-covered allowed PMPM.
        mc_allowed: F<Decimal> = "*",
        /// WS4 Sec IIB col n – Medicaid cost sharing for Medicare-covered services.
        medicaid_cs_covered: F<Decimal> = "*",
        /// WS4 Sec IIB col o – Medicare-covered net PMPM.
        mc_net: F<Decimal> = "*",
        /// WS4 Sec IIB col p – A/B mandatory supplemental: additional services.
        ms_additional: F<Decimal> = "*",
        /// WS4 Sec IIB col q – A/B mandatory supplemental: reduction of A/B cost sharing.
        ms_reduction: F<Decimal> = "*",
        /// WS4 Sec IIB col r – A/B mandatory supplemental: total.
        ms_total: F<Decimal> = "*",
    }
}

table_line! {
    /// WS4 Sec IIC – one line for all beneficiaries (a–q; r ESRD; s additional
    /// benefits; t COB/subrogation; u total).
    pub struct AllLine {
        /// WS4 Sec IIC col h – net PMPM for total benefits.
        net: F<Decimal> = "*",
        /// WS4 Sec IIC col o – net PMPM for Medicare-covered benefits.
        mc_net: F<Decimal> = "*",
        /// WS4 Sec IIC col p – A/B mandatory supplemental: additional services.
        ms_additional: F<Decimal> = "*",
        /// WS4 Sec IIC col q – A/B mandatory supplemental: reduction of A/B cost sharing.
        ms_reduction: F<Decimal> = "*",
        /// WS4 Sec IIC col r – A/B mandatory supplemental: total.
        ms_total: F<Decimal> = "*",
    }
}

section! {
    /// WS4 Sec IIC lines v1–v5 – non-benefit expenses by column.
    pub struct Ws4Nbe {
        /// WS4 line v1 col h – marketing & sales.
        v1_h: F<Decimal>,
        /// WS4 line v1 col o – marketing & sales, Medicare-covered (calculated).
        v1_o: F<Decimal>,
        /// WS4 line v1 col r – marketing & sales, A/B mandatory supplemental (calculated).
        v1_r: F<Decimal>,
        /// WS4 line v2 col h – direct administration.
        v2_h: F<Decimal>,
        /// WS4 line v2 col o – direct administration, Medicare-covered (calculated).
        v2_o: F<Decimal>,
        /// WS4 line v2 col r – direct administration, A/B mandatory supplemental (calculated).
        v2_r: F<Decimal>,
        /// WS4 line v3 col h – indirect administration.
        v3_h: F<Decimal>,
        /// WS4 line v3 col o – indirect administration, Medicare-covered (calculated).
        v3_o: F<Decimal>,
        /// WS4 line v3 col r – indirect administration, A/B mandatory supplemental (calculated).
        v3_r: F<Decimal>,
        /// WS4 line v4 col h – net cost of private reinsurance.
        v4_h: F<Decimal>,
        /// WS4 line v4 col o – net cost of private reinsurance, Medicare-covered (calculated).
        v4_o: F<Decimal>,
        /// WS4 line v4 col r – net cost of private reinsurance, A/B mandatory supplemental (calculated).
        v4_r: F<Decimal>,
        /// WS4 line v5 col h – total non-benefit expense (calculated).
        v5_h: F<Decimal>,
        /// WS4 line v5 col o – total non-benefit expense, Medicare-covered (calculated).
        v5_o: F<Decimal>,
        /// WS4 line v5 col p – total non-benefit expense, additional services (calculated).
        v5_p: F<Decimal>,
        /// WS4 line v5 col q – total non-benefit expense, reduction of A/B cost sharing (calculated).
        v5_q: F<Decimal>,
        /// WS4 line v5 col r – total non-benefit expense, A/B mandatory supplemental (calculated).
        v5_r: F<Decimal>,
    }
}

section! {
    /// WS4 Sec IIC line w – gain/loss margin by column.
    pub struct Ws4Margin {
        /// WS4 line w col h – gain/loss margin PMPM.
        w_h: F<Decimal>,
        /// WS4 line w col o – Medicare-covered gain/loss margin (calculated; cell Q105).
        w_o: F<Decimal>,
        /// WS4 line w col p – gain/loss margin, additional services (calculated).
        w_p: F<Decimal>,
        /// WS4 line w col q – gain/loss margin, reduction of A/B cost sharing (calculated).
        w_q: F<Decimal>,
        /// WS4 line w col r – gain/loss margin, A/B mandatory supplemental (calculated).
        w_r: F<Decimal>,
    }
}

section! {
    /// WS4 Sec IIC line x – total revenue requirement by column (calculated: u + v5 + w).
    pub struct Ws4RevReq {
        /// WS4 line x col h – total revenue requirement.
        x_h: F<Decimal>,
        /// WS4 line x col o – Medicare-covered revenue requirement (the plan A/B bid before rounding).
        x_o: F<Decimal>,
        /// WS4 line x col p – revenue requirement for additional services.
        x_p: F<Decimal>,
        /// WS4 line x col q – revenue requirement for reduction of A/B cost sharing.
        x_q: F<Decimal>,
        /// WS4 line x col r – A/B mandatory supplemental revenue requirement.
        x_r: F<Decimal>,
    }
}

section! {
    /// WS4 Sec IIC line y – percentages of revenue, excluding the ESRD line (calculated).
    pub struct Ws4Pct {
        /// WS4 line y1 col h – medical expenses as a percentage of revenue.
        y1_h: F<Decimal>,
        /// WS4 line y1 col o – medical expenses, Medicare-covered.
        y1_o: F<Decimal>,
        /// WS4 line y1 col r – medical expenses, A/B mandatory supplemental.
        y1_r: F<Decimal>,
        /// WS4 line y2 col h – non-benefit expenses as a percentage of revenue.
        y2_h: F<Decimal>,
        /// WS4 line y2 col o – non-benefit expenses, Medicare-covered.
        y2_o: F<Decimal>,
        /// WS4 line y2 col r – non-benefit expenses, A/B mandatory supplemental.
        y2_r: F<Decimal>,
        /// WS4 line y3 col h – gain/loss as a percentage of revenue.
        y3_h: F<Decimal>,
        /// WS4 line y3 col o – gain/loss, Medicare-covered.
        y3_o: F<Decimal>,
        /// WS4 line y3 col r – gain/loss, A/B mandatory supplemental.
        y3_r: F<Decimal>,
    }
}

section! {
    /// WS4 Sec III – development of the projected ESRD subsidy.
    pub struct Ws4Esrd {
        /// WS4 Sec III – projected non-ESRD member months (calculated: WS5 total MM).
        non_esrd_mm: F<Decimal>,
        /// WS4 Sec III – projected ESRD member months.
        esrd_mm: F<Decimal>,
        /// WS4 Sec III basic benefits – CMS revenue per ESRD member month.
        cms_revenue: F<Decimal>,
        /// WS4 Sec III basic benefits – net medical expenses per ESRD member month.
        net_medical: F<Decimal>,
        /// WS4 Sec III basic benefits – non-benefit expenses per ESRD member month.
        nbe: F<Decimal>,
        /// WS4 Sec III basic benefits – gain/loss margin (calculated: CMS revenue × y3 col o).
        margin: F<Decimal>,
        /// WS4 Sec III basic benefits – subsidy (calculated).
        basic_subsidy: F<Decimal>,
        /// WS4 Sec III supplemental – cost of reducing cost sharing per ESRD member month.
        cs_reduction: F<Decimal>,
        /// WS4 Sec III supplemental – cost of additional benefits per ESRD member month.
        additional_benefits: F<Decimal>,
        /// WS4 Sec III supplemental – subsidy (calculated).
        supp_subsidy: F<Decimal>,
        /// WS4 Sec III – ESRD subsidy PMPM spread over all members (calculated; feeds line r).
        subsidy_pmpm: F<Decimal>,
    }
}

section! {
    /// WS4 Sec IV – for employer bid use only (800-series).
    pub struct Ws4Egwp {
        /// WS4 Sec IV line 1 – PMPM for additional (unspecified) mandatory supplemental benefits.
        additional_pmpm: F<Decimal>,
    }
}

section! {
    /// WS4 Sec V – projected Medicaid data for DE# beneficiaries (per DE# member month).
    pub struct Ws4Medicaid {
        /// WS4 Sec V – projected Medicaid revenue.
        revenue: F<Decimal>,
        /// WS4 Sec V – projected Medicaid cost.
        cost: F<Decimal>,
    }
}
