//! The commands behind the `bpt` binary, as library functions: each takes
//! its options and returns what to print and the exit status, so the binary
//! stays a thin shell and tests can call the commands directly.
//!
//! One module per command ([`read`], [`recalc`], [`diff`], [`validate`],
//! [`rules`], [`explain`], [`template`], [`annotate`], [`sample`],
//! [`finalize`], [`reallocate`], [`map`]) over shared modules: [`pipeline`] (read →
//! evaluate → rules, built once for every command), [`render`] (JSON, text
//! and CSV helpers), [`files`] (which files a folder stands for, and the
//! output policy) and [`batch`] (many files at once, each isolated).
//!
//! Exit statuses: [`OK`] 0, [`FINDINGS`] 1 (the bid has errors, or a
//! comparison found differences where that is the question), [`UNREADABLE`] 2
//! (a file could not be read, or the command line was wrong).

pub mod annotate;
pub mod batch;
pub mod diff;
pub mod explain;
pub mod files;
pub mod finalize;
pub mod map;
pub mod pipeline;
pub mod read;
pub mod reallocate;
pub mod recalc;
pub mod render;
pub mod rules;
pub mod sample;
pub mod template;
pub mod validate;

pub use annotate::annotate;
pub use batch::{batch_threads, check_files, isolated};
pub use diff::{
    DiffFormat, DiffOptions, FormulaChange, diff_bids, diff_bids_with, diff_calc, diff_calc_with,
    diff_dirs, diff_dirs_with, formula_changes,
};
pub use explain::explain;
pub use files::{Expanded, expand, expand_paths, is_bpt_backup, write_text_atomic};
pub use finalize::finalize;
pub use map::{MapArgs, template_map};
pub use pipeline::{
    ValidateOptions, bid_id, default_overrides, recalc_bid, validate_bid,
    validate_bid_with_figures, validate_file,
};
pub use read::{extra_values, read};
pub use reallocate::{AnnouncedArgs, reallocate, reallocate_check, reallocate_package};
pub use recalc::{recalc, recalc_package};
pub use render::{DataFormat, EditFormat};
pub use rules::{RuleFilter, SeverityArg, list_rules};
pub use sample::{sample, sample_broken, sample_broken_list};
pub use template::{TemplateArgs, template};
pub use validate::{ReportOptions, exit_code, validate, validate_files, validate_with};

/// Success.
pub const OK: i32 = 0;
/// The bid has errors (validate), or differences were found (diff).
pub const FINDINGS: i32 = 1;
/// A file could not be read, or the command line was wrong.
pub const UNREADABLE: i32 = 2;

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
    /// Exit status.
    pub code: i32,
}

impl Outcome {
    fn out(stdout: String, code: i32) -> Self {
        Outcome {
            stdout,
            stderr: String::new(),
            code,
        }
    }

    /// An error of several lines, one per item: control characters in an
    /// item (from a cell, a sheet name or a path) are written as visible
    /// escapes, so each stays one line; the items are printed as lines.
    fn err_lines<I: IntoIterator<Item = String>>(lines: I, code: i32) -> Self {
        let mut stderr = String::new();
        for l in lines {
            stderr.push_str(&crate::sanitize::visible(&l));
            stderr.push('\n');
        }
        Outcome {
            stdout: String::new(),
            stderr,
            code,
        }
    }

    /// A one-line error: control characters in it (from a cell, a sheet
    /// name or a path) are written as visible escapes, so it stays one line.
    fn err(stderr: String, code: i32) -> Self {
        let line = stderr.strip_suffix('\n').unwrap_or(&stderr);
        Outcome {
            stdout: String::new(),
            stderr: format!("{}\n", crate::sanitize::visible(line)),
            code,
        }
    }
}
