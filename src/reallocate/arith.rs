//! Exact, saturating arithmetic and Excel's rounding for Appendix E's figures,
//! and how they are shown (`$12.30`).

use super::*;

/// Excel's ROUND to `dp` decimals (half away from zero).
pub(super) fn round(d: Decimal, dp: u32) -> Decimal {
    crate::form::eval::round(d, i64::from(dp))
}

/// Largest magnitude any input may take (larger values are clamped).
pub(super) const LIMIT: Decimal = dec!(1000000000000);

/// Tolerance for small changes Appendix E allows from premium rounding and
/// the proportional allocation of margin (a premium change of less than
/// $0.50, Section IV Rule 3).
pub(super) const ROUNDING_CHANGE: Decimal = dec!(0.50);

pub(super) fn clamp(d: Decimal) -> Decimal {
    d.clamp(-LIMIT, LIMIT)
}

pub(super) fn clamp_opt(d: Option<Decimal>) -> Option<Decimal> {
    d.map(clamp)
}

// Every input is clamped to ±LIMIT (10¹²), so no sum, difference or product
// of two of them comes near the `Decimal` limit (±7.9e28): these saturating
// forms never saturate on clamped figures. They are here so that a `June` or
// `Announcement` built by hand with extreme values cannot panic either, and
// so `clippy::arithmetic_side_effects` (denied for this module) can see it.

/// `a + b`, saturating.
pub(super) fn add(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_add(b)
}

/// `a − b`, saturating.
pub(super) fn sub(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_sub(b)
}

/// `a × b`, saturating.
pub(super) fn mul(a: Decimal, b: Decimal) -> Decimal {
    a.saturating_mul(b)
}

/// `a ÷ b`, zero when `b` is zero, saturating when the quotient is too large.
pub(super) fn div(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        a.checked_div(b)
            .unwrap_or(if a.is_sign_negative() == b.is_sign_negative() {
                Decimal::MAX
            } else {
                Decimal::MIN
            })
    }
}

/// `−a` (never overflows: `Decimal::MIN` is `−Decimal::MAX`).
pub(super) fn neg(a: Decimal) -> Decimal {
    sub(Decimal::ZERO, a)
}

/// Money to the cent: what `check` compares (a difference below half a
/// cent is no change, as the form shows and HPMS reads money).
pub(super) fn cents(d: Decimal) -> Decimal {
    round(d, 2)
}

/// Whether two amounts differ to the cent.
pub(super) fn differ(a: Decimal, b: Decimal) -> bool {
    cents(a) != cents(b)
}

/// `$12.30`, `-$2.00`.
pub(super) fn money(d: Decimal) -> String {
    let r = round(d, 2);
    if r.is_sign_negative() && !r.is_zero() {
        format!("-${:.2}", r.abs())
    } else {
        format!("${:.2}", r.abs())
    }
}

/// Round down (toward −∞) to `dp` decimals.
pub(super) fn floor_dp(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::ToNegativeInfinity)
}

/// Round up (toward +∞) to `dp` decimals.
pub(super) fn ceil_dp(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::ToPositiveInfinity)
}
