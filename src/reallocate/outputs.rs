//! What Appendix E says about a bid: the rules of Section II, the outcome,
//! the WS6 figures of each option and their premium rounding.

use super::*;

/// The rules of Appendix E Section II.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Rule {
    /// A – return to the target premium (no partial return).
    A,
    /// B – negative Part D basic premium net of rebate: reallocation required.
    B,
    /// C – below the target but not below zero: return optional.
    C,
    /// D – above the target: return optional.
    D,
    /// E – increase or decrease in RPPO total rebate dollars.
    E,
    /// F – every bid allocates exactly its total rebate.
    F,
    /// G – the target is the LIPSA.
    G,
    /// H – first-time allocation of rebate to the Part D basic premium.
    H,
}

impl Rule {
    /// The rule's heading in Appendix E Section II.
    pub fn title(self) -> &'static str {
        match self {
            Rule::A => "Return to the target premium",
            Rule::B => {
                "Negative Part D basic premium net of rebate after the Part D benchmark announcement"
            }
            Rule::C => "Part D basic premium net of rebate below the target, but not below zero",
            Rule::D => "Part D basic premium net of rebate above the target",
            Rule::E => "Increase or decrease in RPPO total rebate dollars",
            Rule::F => "Every plan bid must allocate the exact amount of the plan's total rebate",
            Rule::G => {
                "Target Part D basic premium is the low-income premium subsidy amount (LIPSA)"
            }
            Rule::H => "First-time allocation of rebate dollars to the Part D basic premium",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Whether the plan must, may or may not reallocate (Appendix E Section I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reallocation is required (negative Part D basic premium; RPPOs).
    Required,
    /// Reallocation is permitted but not required.
    Permitted,
    /// The premium is already at the target: nothing to reallocate.
    NotNeeded,
    /// The plan had no MA rebate in June: reallocation does not apply.
    NotApplicable,
    /// The plan type may not reallocate (local MA-only and local EGWPs).
    NotPermitted,
}

/// One column of an Appendix E table: the WS6 figures of a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// IIIB line 1 – total MA rebate.
    pub ma_rebate: Decimal,
    /// IIIB lines 2–6.
    pub allocations: Allocations,
    /// IIIB line 7 – total rebate allocated.
    pub total_allocated: Decimal,
    /// Line 1 − line 7 (must be zero).
    pub unallocated: Decimal,
    /// IIIC line 1 – A/B mandatory supplemental revenue requirement.
    pub ms_revenue_requirement: Decimal,
    /// IIIC line 3 – A/B mandatory supplemental premium.
    pub ms_premium: Decimal,
    /// IIIC line 4 – basic MA premium.
    pub basic_ma_premium: Decimal,
    /// IIIC line 5 – total MA premium.
    pub total_ma_premium: Decimal,
    /// IIIC line 6 – rounded MA premium (to the dime).
    pub rounded_ma_premium: Decimal,
    /// IIIC line 7a – Part D basic premium prior to rebates.
    pub part_d_basic_before: Decimal,
    /// IIIC line 7d – Part D basic premium net of rebates.
    pub part_d_basic_premium: Decimal,
    /// IIIC line 8a – Part D supplemental premium prior to rebates.
    pub part_d_supp_before: Decimal,
    /// IIIC line 8d – Part D supplemental premium net of rebates.
    pub part_d_supp_premium: Decimal,
    /// IIIC line 9 – total plan premium.
    pub total_plan_premium: Decimal,
}

/// How the margin moves to round a premium to the dollar (Appendix E
/// Section IV Rule 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PremiumRounding {
    /// Total plan premium before rounding.
    pub from: Decimal,
    /// The nearest whole-dollar premium.
    pub to: Decimal,
    /// `to − from`.
    pub change: Decimal,
    /// Whether the change is permitted (less than $0.50, and for plans with
    /// rebates within the Medicare-covered margin limit).
    pub permitted: bool,
    /// Plans with rebates: the change in MA rebate dollars (−`change`).
    pub rebate_change: Option<Decimal>,
    /// The change of the Medicare-covered margin (WS4 Q105) that gives it,
    /// where it can be sized.
    pub mc_margin_change: Option<Decimal>,
    /// Plans with rebates: the Medicare-covered margin limit of the rebate level.
    pub mc_margin_limit: Option<Decimal>,
    /// How.
    pub explanation: Vec<String>,
}

/// One permissible resubmission (a column "Rebate Reallocation Option n").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// `Option 1: …`.
    pub label: String,
    /// Whether the proposal returns to (one of) the target premium(s).
    pub returns_to_target: bool,
    /// The Part D basic premium it aims at, if it returns to a target.
    pub target: Option<Decimal>,
    /// The resubmitted figures.
    pub figures: Figures,
    /// Allocation changes from the June bid.
    pub changes: Allocations,
    /// Value of A/B mandatory supplemental benefits to add (positive) or
    /// eliminate (negative) so the allocation fits the benefit.
    pub benefit_change: Decimal,
    /// Rounding the total plan premium to the dollar, when permitted and not
    /// already whole.
    pub rounding: Option<PremiumRounding>,
    /// What to do, line by line.
    pub explanation: Vec<String>,
}

/// What Appendix E says about one June bid after the announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reallocation {
    /// Section I class of the plan.
    pub plan_class: PlanClass,
    /// Required, permitted, not needed, not applicable or not permitted.
    pub outcome: Outcome,
    /// Whether premium rounding is permitted.
    pub premium_rounding_permitted: bool,
    /// The Section II rules that apply, the governing one first.
    pub rules: Vec<Rule>,
    /// The target Part D basic premium (line 7d of June, or the LIPSA
    /// rounded to the dime); `None` when not applicable or unknown.
    pub target: Option<Decimal>,
    /// Every Part D basic premium the resubmission may return to.
    pub acceptable_targets: Vec<Decimal>,
    /// The June bid ("Initial June Bid Submission").
    pub june: Figures,
    /// The June allocations with the announced figures ("After Release of
    /// Benchmark").
    pub after_benchmark: Figures,
    /// The permissible resubmissions, Option 1 first.
    pub options: Vec<Proposal>,
    /// Why, line by line.
    pub explanation: Vec<String>,
}
