//! The commands as library functions, by their first name: everything here
//! is re-exported from [`crate::commands`] (one module per command), so
//! `bpt::app::validate_bid` and `bpt::commands::validate_bid` are the same
//! function.

pub use crate::commands::*;
