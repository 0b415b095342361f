//! The rebate-reallocation workbench of CMS Appendix E (instructions lines
//! 3155–3531; WS6 Section III lines 2342–2500; rebate allocation rules lines
//! 792–800).
//!
//! After CMS publishes the Part D national average monthly bid amount (which
//! moves the Part D basic premium before rebates, WS6 line 7a), the
//! low-income premium subsidy amounts (LIPSA) and the MA regional benchmarks,
//! some plans must, some may and some may not resubmit their June bid with
//! the MA rebate allocated differently, and some may round the total plan
//! premium to the dollar by a small change in the gain/loss margin.
//!
//! * [`reallocate`] takes the June bid ([`June`], usually
//!   [`June::from_values`]) and the [`Announcement`] and says whether
//!   reallocation is required, permitted or not permitted (Appendix E
//!   Section I), which rule (A–H of Section II) applies, and proposes the
//!   permissible new allocations and premiums ([`Proposal`]) with their
//!   premium-rounding option ([`PremiumRounding`], Section IV).
//! * [`check`] compares a June bid with its resubmission and lists every
//!   change Appendix E does not permit ([`Violation`]).
//!
//! By concern: `workbench` (the form and the fields Appendix E reads,
//! resolved once), `bid` (the June bid and the announcement), `outputs`
//! (what Appendix E says: rules, outcome, figures, proposals), `propose`
//! (the reallocation options), `rounding` (premium rounding by the margin),
//! `resubmission` (the RR01–RR17 checks), `text` (the plain-text report),
//! `arith` (saturating arithmetic, rounding, money) and `rules` (the RR
//! rules' registry entries).
//!
//! Arithmetic is exact (`rust_decimal`); rounding is Excel's ROUND, half away
//! from zero ([`crate::form::eval::round`]). Inputs are clamped to ±10¹² so no
//! hostile value can overflow.
//!
//! ```
//! use bpt::reallocate::{reallocate, Allocations, Announcement, Intention, June, Outcome, Rule};
//! use rust_decimal_macros::dec;
//! // Appendix E Example 1: the Part D basic premium falls from $36 to $34
//! // while $36 of rebate buys it down, so $2 must move elsewhere.
//! let june = June {
//!     plan_type: "HMO".into(),
//!     ma_pd: true,
//!     ma_rebate: dec!(50),
//!     allocations: Allocations { part_d_basic: dec!(36), other_supplemental: dec!(14), ..Default::default() },
//!     part_d_basic_before: dec!(36),
//!     part_d_basic_premium: dec!(0),
//!     ms_revenue_requirement: dec!(20),
//!     intention: Some(Intention::Line7d),
//!     ..Default::default()
//! };
//! let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
//! let wb = bpt::reallocate::Workbench::new(bpt::form::cached(layout).unwrap()).unwrap();
//! let r = reallocate(&wb, &june, &Announcement::part_d(dec!(34)));
//! assert_eq!(r.outcome, Outcome::Required);
//! assert_eq!(r.rules[0], Rule::B);
//! assert_eq!(r.after_benchmark.part_d_basic_premium, dec!(-2));
//! let fix = &r.options[0];
//! assert_eq!(fix.figures.allocations.part_d_basic, dec!(34));
//! assert_eq!(fix.figures.part_d_basic_premium, dec!(0));
//! assert_eq!(fix.figures.unallocated, dec!(0));
//! ```

#![deny(clippy::arithmetic_side_effects)]

use crate::form::{Evaluation, FieldId, Form, Val};
use crate::value::Values;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use std::fmt;

mod arith;
mod bid;
mod outputs;
mod propose;
mod resubmission;
mod rounding;
mod rules;
#[cfg(test)]
mod tests;
mod text;
mod workbench;

use arith::*;
pub use bid::*;
pub use outputs::*;
pub use propose::*;
pub use resubmission::*;
pub use rounding::*;
pub use rules::RULES;
pub use workbench::*;
