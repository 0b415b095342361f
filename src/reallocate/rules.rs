//! The resubmission checks of `bpt reallocate --check` (RR01–RR17) as
//! registry entries: `bpt rules` lists them and `bpt explain RR05` prints
//! one, with the Appendix E lines each comes from. They compare a June bid
//! with its resubmission, so `bpt validate` does not run them.

use crate::rules::{Rule, Severity};

/// Every resubmission check, in id order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "RR01",
        name: "resubmission-plan-changed",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section I, Rebate Reallocation Permissibility by Plan Type (p. 102)",
        doc: "**What it checks.** The resubmission is the same kind of plan as the June bid: \
its Section I class (local MA-PD, local MA-only, local 800-series EGWP or RPPO), its MA-PD \
and EGWP flags, and its rebate level (WS5 Sec V) are the June bid's.\n\n**Why.** Appendix E \
decides what a plan may change by its type in the initial June submission; the rebate \
reallocation period changes the allocation of rebates, not the plan.\n\n**Example.** A June \
HMO MA-PD resubmitted as MA-only.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR02",
        name: "reallocation-not-permitted",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section I, tables by plan type (p. 102); Section IV, Rules 2 and 3 (pp. 113–116)",
        doc: "**What it checks.** A local MA-only plan or a local 800-series (EGWP) plan changes \
none of its rebate, allocations, Medicare-covered margin (WS4 Q105), A/B mandatory \
supplemental revenue requirement or total plan premium (compared to the cent).\n\n**Why.** \
\"Not permitted; these plans are not affected by the Part D and MA regional benchmarks\"; for \
local MA-only plans \"the plan premium submitted in the initial June bid submission is \
considered the final premium\", and local EGWPs do not take part in premium rounding.\n\n\
**Example.** A PFFS MA-only plan whose margin moves from $24.01 to $24.50.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR03",
        name: "target-intention-changed",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section I (p. 102); Worksheet 6, Section IIIC, line 10 (pp. 71–75)",
        doc: "**What it checks.** The plan intention for the target Part D basic premium (WS6 \
line 10, R47) is the June bid's.\n\n**Why.** \"The target premium is communicated to CMS in \
the MA BPT in the initial June bid submission. The target may not be changed after initial \
submission.\"\n\n**Example.** June: \"Premium amount displayed in line 7d\"; resubmission: \
\"Low-Income Premium Subsidy Amount\".",
        blocks_finalize: false,
    },
    Rule {
        id: "RR04",
        name: "part-d-bid-changed",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section III, Changes Allowed to Funding of the Part D Basic and Supplemental Benefits (pp. 109–113); Section II B (pp. 103–109)",
        doc: "**What it checks.** Line 7a (Part D basic premium before rebates) is the \
announced amount and line 8a (Part D supplemental premium before rebates) is the June \
bid's, to the cent.\n\n**Why.** The resubmission reflects the national average monthly bid \
amount and base beneficiary premium; otherwise \"no modifications\" to the Part D bid are \
permitted.\n\n**Example.** Line 7a kept at the June $36.00 when $34.00 was announced.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR05",
        name: "target-not-returned",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II A–D, G, H and Examples 1–6 (pp. 103–109)",
        doc: "**What it checks.** After the announcement the Part D basic premium net of rebates \
(line 7d) either stays where the June buydown leaves it (not below zero) or returns exactly \
to the target (the June line 7d, or the LIPSA rounded to the dime, down to the dime or down \
to the dollar); a partial return is accepted only when all of the rebate buys down the Part \
D basic premium and it is still above the target.\n\n**Why.** \"CMS will not accept a partial \
return to the target premium\"; a negative premium must be reallocated (rule B).\n\n\
**Example.** Example 2: target $20, post-announcement $15; a resubmission at $18 is refused.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR06",
        name: "rebate-not-fully-allocated",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II F (pp. 103–109)",
        doc: "**What it checks.** The resubmission's allocations (WS6 Sec IIIB lines 2-6) add up \
to its MA rebate (line 1) exactly.\n\n**Why.** \"The exact amount of the plan's total rebate \
must be allocated ... MA organizations must account for all rebate dollars in a plan's \
bid.\"\n\n**Example.** Example 4: an RPPO's rebate falls from $55 to $53 and $55 is still \
allocated ($2 over-allocated).",
        blocks_finalize: false,
    },
    Rule {
        id: "RR07",
        name: "allocation-invalid",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II B, F (pp. 103–109); Section IV, Rule 1 (pp. 113–116)",
        doc: "**What it checks.** Each resubmitted allocation is not negative, is rounded as \
the system requires (Part B and Part D buydowns to the dime, A/B mandatory supplemental to \
the cent), does not exceed its maximum (the Part D basic buydown not more than line 7a), \
MA-only and 800-series plans allocate nothing to Part D, and the Part D supplemental premium \
net of rebates is not negative.\n\n**Why.** \"The amount of rebate allocated to buy down the \
Part D basic premium cannot exceed the amount of the pre-rebate premium\"; Rule 1 fixes the \
decimals.\n\n**Example.** $36.00 allocated to a Part D basic premium of $34.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR08",
        name: "rebate-changed",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II E (pp. 103–109); Section IV, Rule 3 (pp. 113–116)",
        doc: "**What it checks.** An RPPO's MA rebate reflects the published regional benchmark \
(within the $0.50 premium rounding may move it); a local plan's rebate changes only through \
premium rounding, by no more than $0.50, and (warning) only with a change of the \
Medicare-covered margin.\n\n**Why.** \"Once CMS announces the MA regional benchmarks, there may \
be an increase or decrease in the total rebate dollars in a regional plan's bid\"; rounding \
may change rebates by \"no more than $0.50\".\n\n**Example.** A local HMO whose rebate moves \
from $50.00 to $52.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR09",
        name: "margin-change-beyond-rounding",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section IV, Rule 3 (pp. 113–116); Section III, Non-Benefit Expenses and Gain/Loss Margins (pp. 109–113)",
        doc: "**What it checks.** A change of the Medicare-covered margin (WS4 Q105, to the \
cent) stays within $0.68, $0.70 or $0.75 at the 73⅓ %, 71⅔ % and 66⅔ % rebate levels, and \
(warning) comes with a whole-dollar total plan premium.\n\n**Why.** The margin may change \
only to round the premium: \"limited to a $0.68 Medicare-covered margin change, to result in \
a $0.50 change in rebates\".\n\n**Example.** At 73⅓ %, the margin moves by $0.90.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR10",
        name: "ab-benefit-redesign",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section III, Changes Allowed to Funding of the A/B Mandatory Supplemental Benefits, Example 7 (pp. 109–113)",
        doc: "**What it checks.** Rebate does not move out of one A/B mandatory supplemental \
category into the other, and the A/B mandatory supplemental revenue requirement changes only \
in the direction of, and by about the amount of, the rebate shifted.\n\n**Why.** \"The value of \
the added or eliminated A/B mandatory supplemental benefit is required to match the amount of \
rebate that must be shifted\"; Example 7 refuses moving $15 out of cost sharing to fund $12 \
of new benefits for a $3 shift.\n\n**Example.** Example 7.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR11",
        name: "call-letter-priorities",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section III, the CY2010 Call Letter guidance on benefit changes (pp. 109–113)",
        doc: "**What it checks.** Rebate for reduced A/B cost sharing falls while rebate still \
funds non-Medicare-covered benefits.\n\n**Why.** The CY2010 Call Letter asks plans to \"1. \
Reduce or remove non-Medicare covered benefits\" first; \"MAOs that do not adhere to this \
guidance may be asked to resubmit.\"\n\n**Example.** Cost-sharing rebate down $3.00 while \
$25.00 still funds vision.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR12",
        name: "premium-arithmetic",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Worksheet 6, Section IIIC, lines 6, 7 and 9 (pp. 71–75)",
        doc: "**What it checks.** The resubmission's rounded MA premium (line 6), Part D basic \
premium net of rebates (line 7d) and total plan premium (line 9) are what its other WS6 \
figures give, to the cent.\n\n**Why.** These are the form's own calculations; a resubmission \
whose cached results disagree with its inputs was edited by hand or not recalculated.\n\n\
**Example.** Line 7d left at $0.00 after line 7c moved from $36.00 to $34.00 with 7a $34.00 \
— consistent; with 7c $35.00 it must read $-1.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR13",
        name: "lipsa-rounding",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section IV, Example (d) (pp. 113–116); Worksheet 6, Section IIIC, line 7 (pp. 71–75)",
        doc: "**What it checks.** With the LIPSA as target: a Part D basic premium rounded down \
to the whole dollar below the LIPSA is paid for by a higher A/B mandatory supplemental \
premium, not offset through the margin; and with rebate on the Part D basic premium (R36 > \
0) line 7d (R37) is above zero.\n\n**Why.** Example (d) Option 3 permits the whole-dollar \
rounding only this way; the form requires R37 > 0 when R47 is the LIPSA and R36 > 0.\n\n\
**Example.** LIPSA $32.40, premium rounded to $32.00 with the margin lowered.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR14",
        name: "not-verifiable",
        severity: Severity::Info,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section II E, G (pp. 103–109)",
        doc: "**What it checks.** Notes what could not be verified because the announcement was \
not given: an RPPO's new rebate without the regional benchmark, a LIPSA target without the \
LIPSA.\n\n**Why.** Both targets come from CMS's announcement, not the bid; give \
`--regional-benchmark`, `--ma-rebate` or `--lipsa` to check them.\n\n**Example.** An RPPO \
resubmission checked without `--regional-benchmark`.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR15",
        name: "enhanced-alternative-premium",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section III, Plans Required to Include Prescription Drug Coverage (pp. 109–113)",
        doc: "**What it checks.** A Part D supplemental premium net of rebates that was zero in \
June and is positive in the resubmission.\n\n**Why.** Where the plan's required prescription \
drug coverage is enhanced alternative coverage, \"an MA-PD plan must apply rebate dollars to \
reduce to zero the beneficiary premium for the Part D supplemental benefit\" (42 CFR \
423.104(f)).\n\n**Example.** Line 8d from $0.00 to $2.30.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR16",
        name: "basic-premium-changed",
        severity: Severity::Error,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section IV, Rule 3 (pp. 113–116); Section III, Changes to Medicare-Covered (pp. 109–113)",
        doc: "**What it checks.** A local MA-PD plan's basic MA premium (WS6 Sec IIIC line 4) \
moves by less than $0.50.\n\n**Why.** Only premium rounding may change the Medicare-covered \
pricing of a local plan, and \"the MA organization may make a small change in the gain/loss \
margin resulting in a premium increase or decrease of up to $0.50\".\n\n**Example.** Basic MA \
premium from $0.00 to $3.00.",
        blocks_finalize: false,
    },
    Rule {
        id: "RR17",
        name: "medicare-covered-pricing-changed",
        severity: Severity::Warning,
        source: "MA BPT instructions CY2013, Appendix E – Rebate Reallocation and Premium Rounding, Section III, Changes to Medicare-Covered (pp. 109–113)",
        doc: "**What it checks.** The plan A/B bid (WS5 Sec II line 7) moves by about the change \
of the Medicare-covered margin and no more (within $0.50).\n\n**Why.** \"CMS will allow only \
the minor modifications specified below to the pricing of Medicare-covered benefits\": \
utilization tied to A/B mandatory supplemental changes and the proportional allocation of \
non-benefit expenses and margin.\n\n**Example.** The plan bid up $4.00 with the margin \
unchanged.",
        blocks_finalize: false,
    },
];
