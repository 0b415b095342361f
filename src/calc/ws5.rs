//! WS5: benchmark.
use super::Engine;

/// Section VI/VII county rows and the service-area summary (row 36).
pub(super) fn county(_e: &mut Engine<'_>) {}

/// Sections II–V: benchmark, bid, savings, rebate, premium.
pub(super) fn bid(_e: &mut Engine<'_>) {}
