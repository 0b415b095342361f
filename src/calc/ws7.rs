//! WS7.
use super::Engine;

/// Every calculated field of the worksheet.
pub(super) fn calc(_e: &mut Engine<'_>) {}
