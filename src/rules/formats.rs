//! Rule family F: formats and required fields (WS1 Sec I, WS5 county codes,
//! WS6 contacts, utilization types).
use super::{Ctx, Finding, Rule, Severity};
use crate::value::Value;
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "F001",
        name: "contract-number-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 1 (p. 36)",
        doc: "**What it checks.** The contract number is a capital H (local plan), R \
(regional PPO) or E (employer/union direct contract PFFS) followed by four digits, \
leading zeros included.\n\n**Why.** \"The designation begins with a capital letter H, R, \
or E and includes four Arabic numerals (for example, H9999, R9999, E9999).\" The \
contract number is half of the bid's identity in HPMS.\n\n**Example.** `h123` or \
`H123` is reported; `H0123` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F002",
        name: "plan-id-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 2 (p. 36)",
        doc: "**What it checks.** The plan ID is three digits entered as text, leading \
zeros included.\n\n**Why.** \"Plan IDs contain three Arabic numerals. This field must be \
entered as a text input (that is, must include a preceding apostrophe) and must include \
any leading zeros (for example, '001).\" A plan ID typed as the number 1 loses its zeros.\n\n\
**Example.** The number `1` (shown as 1) is reported; the text `001` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F003",
        name: "segment-id-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 3 (p. 37)",
        doc: "**What it checks.** The segment ID is two or three digits entered as text, \
leading zeros included (`00` or `000` when the plan is not segmented).\n\n**Why.** \
\"This field must be entered as a text input ... and must include any leading zeros \
(for example, '01).\" Section I must be fully completed.\n\n**Example.** The number `1` \
is reported; the text `01` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F004",
        name: "plan-type-valid",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 7 (p. 37)",
        doc: "**What it checks.** The plan type is one of the codes the instructions list: \
HMO, RFB HMO, RFB HMOPOS, HMOPOS, PSO State License, RFB PSO State License, LPPO, \
RFB LPPO, RPPO, PFFS, RFB PFFS, ED PFFS, ED LPPO, CCRC.\n\n**Why.** The plan type \
decides which rules apply (RPPO benchmark, PFFS Part D exemption, rebate \
reallocation). MSA, cost and PACE plans do not use this form.\n\n**Example.** `PPO` is \
reported: enter `LPPO` (local) or `RPPO` (regional).",
        blocks_finalize: false,
    },
    Rule {
        id: "F005",
        name: "ma-region-for-rppo",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 10 (pp. 38–39)",
        doc: "**What it checks.** A regional PPO enters its MA region as two-digit text \
01–26; other plan types leave the region blank.\n\n**Why.** \"If the MA plan is a \
regional PPO ... input the region number associated with the region that the plan \
will cover\", with leading zeros. The region selects the statutory component of the \
regional benchmark.\n\n**Example.** An RPPO with a blank region, or region `7` entered \
as a number, is reported; `07` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F006",
        name: "yes-no-fields",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, lines 8, 11, 12 (pp. 38–39)",
        doc: "**What it checks.** MA-PD, swap equivalence and SNP hold `Y` or `N`.\n\n\
**Why.** All fields of Section I must be completed, and these answers decide which \
rules apply (Part D premiums, SNP type).\n\n**Example.** A blank MA-PD field, or `Yes`, \
is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F007",
        name: "enrollee-type",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, line 9 (pp. 38–39)",
        doc: "**What it checks.** The enrollee type is `A/B` or `PART B ONLY`, and an \
RPPO is `A/B`.\n\n**Why.** \"If the plan type equals 'RPPO', then the enrollee type \
must equal 'A/B'.\"\n\n**Example.** An RPPO with enrollee type `PART B ONLY` is \
reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F008",
        name: "snp-type-with-snp",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, lines 12-13 (pp. 38–39)",
        doc: "**What it checks.** A special needs plan (SNP = Y) names its SNP type \
(Institutional, Dual-Eligible, or Chronic or Disabling Condition); a plan that is not \
a SNP leaves the type blank.\n\n**Why.** The SNP type sets the plan-type grouping \
used for margin requirements and DE# review.\n\n**Example.** SNP `Y` with a blank SNP \
type is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F009",
        name: "employer-direct-plan-id",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I, lines 1, 2, 7 (pp. 36, 37); Appendix D – Medicare Advantage Products Available to Groups (p. 99)",
        doc: "**What it checks.** Employer/union direct contract plans (ED PFFS, ED LPPO) \
carry an E contract number for ED PFFS and an 800-series plan ID; an E contract \
number is used only with an employer/union direct contract plan type.\n\n**Why.** The \
contract letter E designates employer/union direct contract PFFS, and plans offered \
only to employer groups carry plan IDs of 800 or higher; a mismatch usually means a \
mistyped field.\n\n**Example.** Plan type `ED PFFS` with plan ID `001` is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F010",
        name: "general-information-required",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I (p. 36): \"All fields in Section I must be completed\"",
        doc: "**What it checks.** The organization name and plan name are filled in \
(the coded fields have rules of their own).\n\n**Why.** \"All fields in Section I must \
be completed; none can be left blank.\" The names appear in HPMS and the PBP.\n\n\
**Example.** A blank plan name is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F011",
        name: "contact-phone-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IV (pp. 75–76)",
        doc: "**What it checks.** Each contact's phone number is ten digits (entered \
as text, no punctuation).\n\n**Why.** CMS must be able to reach the plan bid contact, \
the certifying actuary and the additional actuarial contact during review.\n\n\
**Example.** `410-555-0100` or `5550100` is reported; `4105550100` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F012",
        name: "contacts-required",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IV (pp. 75–76)",
        doc: "**What it checks.** The three contacts (MA plan bid contact, MA certifying \
actuary, additional MA BPT actuarial contact) each have a name, a phone number and an \
e-mail address that looks like one, and the certifying actuary's credentials are \
given.\n\n**Why.** \"Plan sponsors must identify three persons as MA plan bid contact, \
MA certifying actuary, and additional MA BPT actuarial contact.\" The certifying \
actuary must be a Member of the American Academy of Actuaries.\n\n**Example.** A \
blank certifying actuary credentials field is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F013",
        name: "date-prepared",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IV (pp. 75–76)",
        doc: "**What it checks.** The date prepared holds a date.\n\n**Why.** \"This field \
must contain the date that the BPT was prepared. If the BPT is revised and \
resubmitted ... this field must be updated.\"\n\n**Example.** A blank date prepared, \
or the text `June`, is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F014",
        name: "county-code-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section VI, column b (p. 67)",
        doc: "**What it checks.** Each SSA state-county code is five digits entered as \
text, leading zeros included.\n\n**Why.** \"Each state-county code must be entered as \
a text input ... and must include all leading zeroes (for example, '01000).\" A code \
typed as a number drops its zero and matches no ratebook county.\n\n**Example.** \
`1000` (the number) is reported; `01000` passes.",
        blocks_finalize: false,
    },
    Rule {
        id: "F015",
        name: "county-code-out-of-area",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section VI, column b (p. 68)",
        doc: "**What it checks.** The out-of-area county code 99999 is not entered.\n\n\
**Why.** \"Do not input the out-of-area (OOA) county, '99999'. OOA enrollees are not \
represented in the benchmark calculation.\"\n\n**Example.** A county row with code \
`99999` is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F016",
        name: "county-code-duplicate",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section VI, column b (p. 67)",
        doc: "**What it checks.** No state-county code appears twice in Section VI.\n\n\
**Why.** Each county of the service area is entered once with its projected member \
months; a duplicate double-counts the county in the benchmark.\n\n**Example.** \
`05010` on rows 40 and 57 is reported on the second row.",
        blocks_finalize: false,
    },
    Rule {
        id: "F017",
        name: "county-list-gap",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section VI (p. 67)",
        doc: "**What it checks.** County rows are entered from the first row down with no \
blank row in between.\n\n**Why.** The county list is read as one block (and sorted \
by code on finalization); a blank row inside it is a sign of a deleted county whose \
member months went with it.\n\n**Example.** Rows 37-40 filled, 41 blank, 42 filled: \
row 41 is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F018",
        name: "county-row-complete",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 5, Section VI, columns b, e, f (p. 68)",
        doc: "**What it checks.** A county row with member months also has a county \
code and a risk score; a row with a risk score has a county code.\n\n**Why.** \"If \
member months are entered in a particular row of column e, then a corresponding \
county code and a risk score must be entered in columns b and f, respectively.\"\n\n\
**Example.** Row 45 has 1,200 member months and no risk score.",
        blocks_finalize: false,
    },
    Rule {
        id: "F019",
        name: "utilization-type-required",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 2, column e (p. 45); Worksheet 3, column e (pp. 52–56)",
        doc: "**What it checks.** A utilization type is entered on WS2 for every \
service category with projected allowed PMPM, and a measurement unit on WS3 for every \
line whose total in-network cost sharing (column l) is above zero.\n\n**Why.** \"If the allowed PMPM is greater than zero \
and a utilization type is not entered, the BPT results in an error.\" The same \
holds for WS3: \"in column l, if the cost sharing PMPM is greater than zero and a \
utilization type is not entered, the BPT result is an error\" (column l is the \
effective deductible of column f plus the cost sharing of column k, so a line priced \
with a deductible alone needs a unit too).\n\n**Example.** WS2 line e (DME) projects \
$12.40 PMPM with a blank column e.",
        blocks_finalize: false,
    },
    Rule {
        id: "F020",
        name: "oop-maximum-amount",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, Section II (pp. 48–49)",
        doc: "**What it checks.** Each OOP maximum question (in-network, out-of-network, \
combined) is answered Yes or No, and when the answer is Yes its amount is a number \
≥ 0.\n\n**Why.** \"When the response to the OOP maximum drop-down question is 'Yes', \
the entry in the OOP maximum amount field must be numeric and greater than or equal \
to zero.\"\n\n**Example.** In-network OOP maximum `Yes` with a blank amount.",
        blocks_finalize: false,
    },
    Rule {
        id: "F021",
        name: "plans-in-base-format",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section II, line 5 (p. 40)",
        doc: "**What it checks.** Each plan in the base period is written H9999-999 or \
H9999-999-01 (contract, plan and segment), or `All Other` on the last line.\n\n\
**Why.** \"Enter the contract number and Plan ID (in the format H9999-999) of the \
plan for the base period data. If the segment is '01' or greater, include the segment \
ID.\"\n\n**Example.** `H9999 032` is reported.",
        blocks_finalize: false,
    },
    Rule {
        id: "F022",
        name: "choice-value",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, the field definitions of Worksheets 1–7 (pp. 36–79) \
that list a field's valid entries",
        doc: "**What it checks.** Every field the form offers as a dropdown holds one of \
its listed values (compared as Excel's data validation does, ignoring case): \
utilization types and WS3 measurement units, WS3 and WS7 service categories, the \
SNP type, the new/low indicator, the ISAR answer (\"Yes\"/\"No\") and the plan \
intention. The list is the template's `choices` for the field.\n\n**Case.** `yes` \
passes for `Yes`, as it does in the forms `bpt template` writes: their dropdowns take \
the values from a cell range (the hidden `Lists` sheet), and Excel's list validation \
from a range ignores case (from a comma-separated list typed into the rule it matches \
case, which Microsoft documents as by design: office-js issue 972), as do the \
formulas that read the answers (`=` and SUMIF compare text ignoring case), so the \
form computes the same with either spelling. A workbook whose rule lists the values \
inline would refuse `yes` in Excel; F022 still accepts it.\n\n**Why.** HPMS \
validates these entries on upload, and the form's formulas compare them as text: \
`Admit` is not a utilization type, `Y` is not the ISAR answer \"Yes\" (\"Do not \
enter 'Y' in this field; enter the entire word 'Yes'\"), and `LIPSA` is not a plan \
intention.\n\n**Example.** WS5 line 1 (use of plan-provided ISAR factors) holds \
`Y`: found `Y`, expected `Yes, No`.",
        blocks_finalize: false,
    },
    Rule {
        id: "F023",
        name: "required-field-blank",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Data Entry (pp. 35–36): \"Do not leave a field blank \
to indicate a zero amount\"",
        doc: "**What it checks.** Every field the template marks `required` is entered; \
a zero is entered as 0.\n\n**Why.** \"All worksheets must be completed … Do not \
leave a field blank to indicate a zero amount. If zero is the intended value, then \
enter a '0' in the cell.\" A blank is not a zero: the form's formulas may read it as \
one, but HPMS and the reviewer do not.\n\n**Example.** WS5 Sec II line 6 \
(non-DE# risk factor) blank: found (blank), expected a number.",
        blocks_finalize: false,
    },
    Rule {
        id: "F024",
        name: "oop-maximum-by-plan-type",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 3, Section II, lines 1–3 (pp. 48–49)",
        doc: "**What it checks.** Each plan-level OOP maximum question (in-network, \
out-of-network, combined) is answered as the instructions' table requires for the \
plan type: an HMO answers Yes in-network and No out-of-network and combined; an HMO \
POS answers Yes in-network; a local or regional PPO answers Yes in-network and \
combined; a PFFS plan answers Yes combined. Where the table says \"Yes\" or \"No\", \
consistent with the PBP, either answer passes. The answers by plan type are the \
template's `checks.by_plan_type` of each question.\n\n**Why.** \"The responses to the \
plan-level OOP maximum drop-down questions are summarized below by type of plan\": \
the answers mirror Section D of the PBP, where an HMO has no out-of-network maximum \
and a PPO always has a combined one.\n\n**Example.** An HMO answering Yes to the \
combined OOP maximum ({ws3.oop.combined}): found `Yes`, expected `No`.",
        blocks_finalize: false,
    },
    Rule {
        id: "F025",
        name: "experience-sections-complete",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 1, Section I (p. 36) and Section II, line 1 (p. 39)",
        doc: "**What it checks.** A plan with base period experience (WS1 Section II \
line 2 member months above zero) completes WS1 Sections II–VI: the paid-through \
date, the risk scores, the completion factor, every line of Section III, the \
projection factors of Section IV and every entry of Section VI, with 0 where zero \
is meant. The fields are those the template marks `checks.required_when` the base \
period member months; a field with a rule of its own (the member months' C001, the \
factors' R006, the description's D001) is reported by that rule.\n\n**Why.** \
\"Sections II through VI must be completed for all plans with experience data for \
2011 regardless of the level of enrollment.\" The paid-through date is entered on \
the third line of Section II line 1 (\"Enter the 'paid through' date on the third \
line\"), and a blank is not a zero.\n\n**Example.** 120,000 base member months and a \
blank paid-through date ({ws1.base_period.paid_through}).",
        blocks_finalize: false,
    },
];

static CONTRACT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[HRE][0-9]{4}$").unwrap());
static PLAN_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{3}$").unwrap());
static SEGMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{2,3}$").unwrap());
static REGION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(0[1-9]|1[0-9]|2[0-6])$").unwrap());
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{10}$").unwrap());
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").unwrap());
static COUNTY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{5}$").unwrap());
static BASE_PLAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([HRE][0-9]{4}-[0-9]{3}(-[0-9]{2,3})?|All Other)$").unwrap());

/// The plan types the instructions list (WS1 line 7).
pub const PLAN_TYPES: &[&str] = &[
    "HMO",
    "RFB HMO",
    "RFB HMOPOS",
    "HMOPOS",
    "PSO State License",
    "RFB PSO State License",
    "LPPO",
    "RFB LPPO",
    "RPPO",
    "PFFS",
    "RFB PFFS",
    "ED PFFS",
    "ED LPPO",
    "CCRC",
];

/// Runs every rule of this family.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    general(ctx, out);
    contacts(ctx, out);
    counties(ctx, out);
    util_types(ctx, out);
    oop(ctx, out);
    oop_by_plan_type(ctx, out);
    plans_in_base(ctx, out);
}

/// Text the way it was entered: a number in a text field is reported as such.
fn entered(ctx: &Ctx<'_>, id: &str) -> (String, bool) {
    match ctx.eff(id) {
        Value::Text(s) => (s.trim().to_string(), true),
        Value::Number(d) => (d.normalize().to_string(), false),
        Value::Date(d) => (d.to_string(), false),
        _ => (String::new(), false),
    }
}

/// A coded text field: blank, number-typed and pattern mismatches.
fn code(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    rule: &'static str,
    id: &str,
    re: &Regex,
    want: &str,
) {
    if matches!(ctx.eff(id), Value::Invalid(_)) {
        return;
    }
    let (s, is_text) = entered(ctx, id);
    if s.is_empty() {
        out.push(ctx.finding(rule, id, "required field is blank", "(blank)", want));
    } else if !is_text {
        out.push(ctx.finding(
            rule,
            id,
            format!("`{s}` is entered as a number; enter it as text with its leading zeros"),
            s,
            want,
        ));
    } else if !re.is_match(&s) {
        out.push(ctx.finding(rule, id, format!("`{s}` is not {want}"), s, want));
    }
}

fn general(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F001–F010");
    code(
        ctx,
        out,
        "F001",
        "ws1.general.contract_number",
        &CONTRACT,
        "H, R or E and four digits",
    );
    code(
        ctx,
        out,
        "F002",
        "ws1.general.plan_id",
        &PLAN_ID,
        "three digits as text",
    );
    code(
        ctx,
        out,
        "F003",
        "ws1.general.segment_id",
        &SEGMENT,
        "two or three digits as text",
    );

    let pt = ctx.plan_type();
    if ctx.is_blank("ws1.general.plan_type") {
        out.push(ctx.finding(
            "F004",
            "ws1.general.plan_type",
            "plan type is blank",
            "(blank)",
            "a plan type code",
        ));
    } else if !PLAN_TYPES.iter().any(|t| t.eq_ignore_ascii_case(&pt)) {
        out.push(ctx.finding(
            "F004",
            "ws1.general.plan_type",
            format!("`{pt}` is not a plan type of the instructions"),
            pt.clone(),
            PLAN_TYPES.join(", "),
        ));
    }

    let region = "ws1.general.ma_region";
    if ctx.is_rppo() {
        code(
            ctx,
            out,
            "F005",
            region,
            &REGION,
            "an MA region 01-26 as text",
        );
    } else if !ctx.is_blank(region) && !matches!(ctx.eff(region), Value::Invalid(_)) {
        out.push(ctx.finding(
            "F005",
            region,
            format!("an MA region is entered for a {pt} plan; only RPPOs enter one"),
            entered(ctx, region).0,
            "(blank)",
        ));
    }

    for id in [
        "ws1.general.ma_pd",
        "ws1.general.swap_equivalence",
        "ws1.general.snp",
    ] {
        if matches!(ctx.eff(id), Value::Invalid(_)) {
            continue;
        }
        let s = ctx.text(id);
        if s != "Y" && s != "N" {
            let found = if s.is_empty() {
                "(blank)".to_string()
            } else {
                s
            };
            out.push(ctx.finding("F006", id, "must be Y or N", found, "Y or N"));
        }
    }

    let et = ctx.text("ws1.general.enrollee_type");
    let et_id = "ws1.general.enrollee_type";
    if !matches!(ctx.eff(et_id), Value::Invalid(_)) {
        if et != "A/B" && !et.eq_ignore_ascii_case("PART B ONLY") {
            let found = if et.is_empty() {
                "(blank)".to_string()
            } else {
                et.clone()
            };
            out.push(ctx.finding(
                "F007",
                et_id,
                "enrollee type must be A/B or PART B ONLY",
                found,
                "A/B or PART B ONLY",
            ));
        } else if ctx.is_rppo() && et != "A/B" {
            out.push(ctx.finding(
                "F007",
                et_id,
                "an RPPO's enrollee type must be A/B",
                et,
                "A/B",
            ));
        }
    }

    let snp = ctx.text("ws1.general.snp");
    let st_id = "ws1.general.snp_type";
    let st = ctx.text(st_id);
    if snp == "Y" && st.is_empty() {
        out.push(ctx.finding(
            "F008",
            st_id,
            "SNP is Y but no SNP type is chosen",
            "(blank)",
            "Institutional, Dual-Eligible, or Chronic or Disabling Condition",
        ));
    } else if snp == "N" && !st.is_empty() {
        out.push(ctx.finding(
            "F008",
            st_id,
            "a SNP type is chosen but SNP is N",
            st,
            "(blank)",
        ));
    }

    let contract = ctx.text("ws1.general.contract_number");
    let ed = pt.eq_ignore_ascii_case("ED PFFS") || pt.eq_ignore_ascii_case("ED LPPO");
    if ed && PLAN_ID.is_match(&ctx.text("ws1.general.plan_id")) && !ctx.is_egwp() {
        out.push(ctx.finding(
            "F009",
            "ws1.general.plan_id",
            format!(
                "a {pt} plan is offered only to employer groups and carries an 800-series plan ID"
            ),
            ctx.text("ws1.general.plan_id"),
            "800 or higher",
        ));
    }
    if pt.eq_ignore_ascii_case("ED PFFS")
        && CONTRACT.is_match(&contract)
        && !contract.starts_with('E')
    {
        out.push(ctx.finding(
            "F009",
            "ws1.general.contract_number",
            "an ED PFFS plan has an E contract number",
            contract.clone(),
            "E9999",
        ));
    } else if contract.starts_with('E') && CONTRACT.is_match(&contract) && !ed {
        out.push(ctx.finding(
            "F009",
            "ws1.general.contract_number",
            format!("an E contract number is for employer/union direct contract plans, not {pt}"),
            contract,
            "H or R contract, or plan type ED PFFS / ED LPPO",
        ));
    }

    for id in ["ws1.general.organization_name", "ws1.general.plan_name"] {
        if ctx.is_blank(id) {
            out.push(ctx.finding("F010", id, "required field is blank", "(blank)", "a name"));
        }
    }
}

fn contacts(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F011–F013");
    // The contacts are the template's (`[form.facts.rules] contacts`).
    for (name, phone, email) in &ctx.layout.facts.rules.contacts {
        let _listed = super::needs::at("");
        if ctx.is_blank(name) {
            out.push(ctx.finding("F012", name, "contact name is blank", "(blank)", "a name"));
        }
        if ctx.is_blank(phone) {
            out.push(ctx.finding(
                "F011",
                phone,
                "phone number is blank",
                "(blank)",
                "ten digits",
            ));
        } else if !matches!(ctx.eff(phone), Value::Invalid(_)) {
            let (s, _) = entered(ctx, phone);
            if !PHONE.is_match(&s) {
                out.push(ctx.finding(
                    "F011",
                    phone,
                    format!("`{s}` is not a ten-digit phone number"),
                    s,
                    "ten digits, e.g. 4105550100",
                ));
            }
        }
        let e = ctx.text(email);
        if !matches!(ctx.eff(email), Value::Invalid(_)) && !EMAIL.is_match(&e) {
            let found = if e.is_empty() {
                "(blank)".to_string()
            } else {
                e
            };
            out.push(ctx.finding(
                "F012",
                email,
                "e-mail address is missing or malformed",
                found,
                "name@domain",
            ));
        }
    }
    let cred = "ws6.contact.cert_credentials";
    if ctx.is_blank(cred) {
        out.push(ctx.finding(
            "F012",
            cred,
            "the certifying actuary's credentials are blank",
            "(blank)",
            "e.g. FSA, MAAA",
        ));
    }
    let date = "ws6.contact.date_prepared";
    match ctx.eff(date) {
        Value::Date(_) | Value::Invalid(_) => {}
        Value::Empty => {
            out.push(ctx.finding("F013", date, "date prepared is blank", "(blank)", "a date"))
        }
        other => out.push(ctx.finding(
            "F013",
            date,
            "date prepared is not a date",
            other.display(),
            "a date",
        )),
    }
}

fn counties(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F014–F018");
    // The county table (`[form.facts.rules] counties`).
    let Some(c) = &ctx.layout.facts.rules.counties else {
        return;
    };
    let rows = ctx.rows(&c.table);
    let filled = ctx.county_rows();
    // Where the last filled row is, found once (not once per row: the
    // county table has 1,000 rows).
    let last = filled.last().map(|l| pos(&rows, l));
    let filled: HashSet<&str> = filled.iter().map(String::as_str).collect();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (i, k) in rows.iter().enumerate() {
        let has_row = filled.contains(k.as_str());
        if !has_row {
            // A blank row before the last filled one is a gap.
            if let Some(l) = last
                && i < l
            {
                let code_id = c.cell(&c.code, k);
                out.push(ctx.finding(
                    "F017",
                    &code_id,
                    "blank county row inside the county list",
                    "(blank row)",
                    "counties entered without gaps",
                ));
            }
            continue;
        }
        let code_id = c.cell(&c.code, k);
        let blank_code = ctx.is_blank(&code_id);
        if !blank_code && !matches!(ctx.eff(&code_id), Value::Invalid(_)) {
            let (s, is_text) = entered(ctx, &code_id);
            if !is_text || !COUNTY.is_match(&s) {
                out.push(ctx.finding(
                    "F014",
                    &code_id,
                    format!("`{s}` is not a five-digit state-county code entered as text"),
                    s.clone(),
                    "five digits as text, e.g. 01000",
                ));
            }
            if s == "99999" {
                out.push(ctx.finding(
                    "F015",
                    &code_id,
                    "the out-of-area county 99999 is not entered",
                    s.clone(),
                    "a county of the service area",
                ));
            }
            let norm = format!("{s:0>5}");
            if let Some(first) = seen.get(&norm) {
                out.push(ctx.finding(
                    "F016",
                    &code_id,
                    format!("county {norm} is already entered on row {first}"),
                    norm.clone(),
                    "each county once",
                ));
            } else {
                let row = ctx
                    .field(&code_id)
                    .map(|f| f.cell.row.saturating_add(1).to_string())
                    .unwrap_or_default();
                seen.insert(norm, row);
            }
        }
        let mm = c.cell(&c.member_months, k);
        let risk = c.cell(&c.risk, k);
        if !ctx.is_blank(&mm) && (blank_code || ctx.is_blank(&risk)) {
            let missing = if blank_code {
                "county code"
            } else {
                "risk score"
            };
            let at = if blank_code { &code_id } else { &risk };
            out.push(ctx.finding(
                "F018",
                at,
                format!("member months are entered but the {missing} is blank"),
                "(blank)",
                format!("a {missing}"),
            ));
        } else if !ctx.is_blank(&risk) && blank_code {
            out.push(ctx.finding(
                "F018",
                &code_id,
                "a risk score is entered but the county code is blank",
                "(blank)",
                "a county code",
            ));
        }
    }
}

fn pos(rows: &[String], k: &str) -> usize {
    rows.iter().position(|r| r == k).unwrap_or(usize::MAX)
}

fn util_types(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F019");
    // The lines that have a utilization type are the template's (the
    // column's `rows`): COB/Subrogation (line r) has none.
    for k in ctx.rows("ws2.allowed") {
        let allowed = ctx.num0(&format!("ws2.allowed.blend_allowed[{k}]"));
        let ut = format!("ws2.allowed.util_type[{k}]");
        if allowed > rust_decimal::Decimal::ZERO && ctx.is_blank(&ut) && ctx.field(&ut).is_some() {
            out.push(ctx.finding(
                "F019",
                &ut,
                format!(
                    "line {k} projects {} allowed PMPM but has no utilization type",
                    super::money(allowed)
                ),
                "(blank)",
                "A, D, BP, V, P, T, S or O",
            ));
        }
    }
    for k in ctx.rows("ws3.cost_sharing") {
        let unit = format!("ws3.cost_sharing.unit[{k}]");
        if ctx.field(&unit).is_none() {
            continue;
        }
        // Column l: the deductible (f) plus the cost sharing (k).
        let cs = ctx.num0(&format!("ws3.cost_sharing.in_total[{k}]"));
        if cs > rust_decimal::Decimal::ZERO && ctx.is_blank(&unit) {
            out.push(ctx.finding(
                "F019",
                &unit,
                format!(
                    "cost sharing of {} PMPM is entered without a measurement unit",
                    super::money(cs)
                ),
                "(blank)",
                "a measurement unit",
            ));
        }
    }
}

fn oop(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F020");
    // The questions and amounts the template lists (`[form.facts.rules] oop`).
    let Some(oop) = &ctx.layout.facts.rules.oop else {
        return;
    };
    for (q, a) in &oop.maximums {
        if matches!(ctx.eff(q), Value::Invalid(_)) {
            continue;
        }
        let ans = ctx.text(q);
        if ans.is_empty() {
            out.push(ctx.finding(
                "F020",
                q,
                "the OOP maximum question is not answered",
                "(blank)",
                "Yes or No",
            ));
        } else if ans.eq_ignore_ascii_case("Yes") {
            match ctx.num(a) {
                Some(d) if d >= rust_decimal::Decimal::ZERO => {}
                Some(d) => out.push(ctx.finding(
                    "F020",
                    a,
                    "the OOP maximum amount is negative",
                    super::money(d),
                    "an amount ≥ 0",
                )),
                None if !matches!(ctx.eff(a), Value::Invalid(_)) => out.push(ctx.finding(
                    "F020",
                    a,
                    "the OOP maximum is Yes but no amount is entered",
                    "(blank)",
                    "the PBP amount",
                )),
                None => {}
            }
        } else if !ans.eq_ignore_ascii_case("No") {
            out.push(ctx.finding("F020", q, "must be Yes or No", ans, "Yes or No"));
        }
    }
}

/// F024: the answers the template's `checks.by_plan_type` asks of the plan
/// type. A blank or unlisted answer is F020's.
fn oop_by_plan_type(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("");
    let pt = ctx.plan_type();
    if pt.is_empty() {
        return;
    }
    for f in &ctx.layout.fields {
        let Some(want) = f.checks.for_plan_type(&pt) else {
            continue;
        };
        if !f.role.is_entered() || matches!(ctx.value(&f.id), Value::Invalid(_)) {
            continue;
        }
        let ans = ctx.text(&f.id);
        let answered = f.choices.iter().any(|c| c.eq_ignore_ascii_case(&ans));
        if answered && !ans.eq_ignore_ascii_case(want) {
            out.push(ctx.finding(
                "F024",
                &f.id,
                format!(
                    "plan type {pt} answers {want} to this OOP maximum question (the instructions' answers by plan type)"
                ),
                ans,
                want,
            ));
        }
    }
}

fn plans_in_base(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("F021");
    for k in ctx.rows("ws1.plans_in_base") {
        let id = format!("ws1.plans_in_base.contract_plan[{k}]");
        let s = ctx.text(&id);
        if !s.is_empty() && !BASE_PLAN.is_match(&s) {
            out.push(ctx.finding(
                "F021",
                &id,
                format!("`{s}` is not in the form H9999-999 or H9999-999-01"),
                s,
                "H9999-999, H9999-999-01 or All Other",
            ));
        }
    }
}

// F022, F023 and F025 are read from the template's field definitions rather than
// written per field. They run after every other family and skip a field that
// already has a finding, so a field with a rule of its own (the plan type's
// F004, the margin's M015) is reported once, by the rule that says most.
/// F022, F023 and F025 on every entered field without a finding yet.
pub(super) fn generic(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let _needs = super::needs::at("");
    let reported: HashSet<String> = out.iter().map(|f| f.field.clone()).collect();
    let mut found = Vec::new();
    for f in &ctx.layout.fields {
        if !f.role.is_entered() || reported.contains(&f.id) {
            continue;
        }
        let v = ctx.value(&f.id);
        if matches!(v, Value::Invalid(_)) {
            continue; // V002
        }
        if ctx.is_blank(&f.id) {
            if f.required {
                found.push(ctx.finding(
                    "F023",
                    &f.id,
                    format!("{} is blank; enter 0 if zero is meant", f.label),
                    "(blank)",
                    f.kind.expected(),
                ));
            } else if f.role == crate::template::Role::Input
                && let Some(n) = ctx.required_by(f)
            {
                let zero = if f.kind.is_numeric() {
                    "; enter 0 if zero is meant"
                } else {
                    ""
                };
                found.push(ctx.finding(
                    "F025",
                    &f.id,
                    format!(
                        "{} is blank: Sections II–VI are completed for a plan with base period experience ({} member months){zero}",
                        f.label,
                        super::show(n)
                    ),
                    "(blank)",
                    f.kind.expected(),
                ));
            }
            continue;
        }
        if f.choices.is_empty() {
            continue;
        }
        let s = match v {
            Value::Text(s) => s.trim().to_string(),
            Value::Number(d) => d.normalize().to_string(),
            Value::Date(d) => d.to_string(),
            _ => continue,
        };
        if !f.choices.iter().any(|c| c.eq_ignore_ascii_case(&s)) {
            found.push(ctx.finding(
                "F022",
                &f.id,
                format!("{} `{s}` is not one of the form's values", f.label),
                s,
                f.choices.join(", "),
            ));
        }
    }
    out.append(&mut found);
}
