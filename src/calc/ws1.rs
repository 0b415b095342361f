//! WS1: base period experience and projection assumptions.
use super::Engine;

/// Section I display fields (region name, EGWP, the general block on WS2–WS7).
pub(super) fn general(_e: &mut Engine<'_>) {}

/// Sections II, III and VI.
pub(super) fn calc(_e: &mut Engine<'_>) {}
