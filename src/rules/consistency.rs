//! Rule family: consistency.
use super::{Ctx, Finding, Rule};

/// The rules of this family.
pub(super) static RULES: &[Rule] = &[];

/// Runs every rule of this family.
pub(super) fn check(_ctx: &Ctx<'_>, _out: &mut Vec<Finding>) {}
