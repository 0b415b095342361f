//! `bpt validate`: every rule on every bid of a batch.

use super::batch::check_files;
use super::files::{expand, write_text_atomic};
use super::pipeline::{ValidateOptions, validate_file};
use super::{FINDINGS, OK, Outcome, UNREADABLE};
use crate::report::{self, FileReport};
use crate::rules::Severity;
use std::path::{Path, PathBuf};

/// `bpt validate FILE…`: validates every workbook (directories and glob
/// patterns expand to the workbooks they hold) in parallel. With more than
/// one file, the text report ends with the batch summary table; `summary`
/// writes that table to a `.csv` or `.json` file, under the output policy
/// of [`crate::writer::save_atomic`] (never over an input — a workbook or
/// the `bpt.toml` that was loaded —, never over an existing file without
/// `force`); it is checked before any file is validated.
pub fn validate(
    paths: &[PathBuf],
    format: report::Format,
    opts: &ValidateOptions,
    summary: Option<&Path>,
    force: bool,
) -> Outcome {
    validate_with(
        paths,
        format,
        opts,
        &ReportOptions::default(),
        summary,
        force,
    )
}

/// What `bpt validate` reports, beyond the rules it runs.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Report only findings of this severity or worse (the exit status
    /// still counts every error).
    pub min_severity: Option<Severity>,
    /// The text report is only its totals line.
    pub quiet: bool,
    /// Folders are searched in their subfolders too.
    pub recursive: bool,
}

/// [`validate`] with the report options: `--min-severity`, `--quiet`,
/// `--recursive`. A folder with subfolders that were not searched is named
/// in a note on standard error.
pub fn validate_with(
    paths: &[PathBuf],
    format: report::Format,
    opts: &ValidateOptions,
    ropts: &ReportOptions,
    summary: Option<&Path>,
    force: bool,
) -> Outcome {
    let expanded = expand(paths, ropts.recursive);
    let note = expanded.note();
    let files = expanded.files;
    if files.is_empty() {
        return Outcome {
            stdout: String::new(),
            stderr: format!("{note}bpt: no workbooks to validate\n"),
            code: UNREADABLE,
        };
    }
    // The loaded bpt.toml is an input as much as the workbooks are.
    let inputs = files
        .iter()
        .cloned()
        .chain(opts.selection.origin.config.iter().cloned());
    let guard = crate::writer::SaveGuard::new(force).protect_all(inputs);
    if let Some(path) = summary
        && let Err(e) = guard.check(path)
    {
        return Outcome::err(
            format!("bpt: not writing the summary: {e}; nothing was validated\n"),
            UNREADABLE,
        );
    }
    let mut reports = validate_files(&files, opts, true);
    let code = exit_code(&reports);
    if let Some(min) = ropts.min_severity {
        for r in &mut reports {
            r.findings.retain(|f| f.severity <= min);
        }
    }
    let config = report::RunConfig::new(&opts.selection, opts.tolerance);
    let out = if ropts.quiet && format == report::Format::Text {
        let t = report::text(&reports);
        format!("{}\n", t.lines().last().unwrap_or_default())
    } else {
        let mut out = report::render_with(&reports, format, Some(&config));
        if format == report::Format::Text && reports.len() > 1 {
            out.push('\n');
            out.push_str(&report::summary_table(&reports));
        }
        out
    };
    let mut o = Outcome::out(out, code);
    o.stderr = note;
    if let Some(path) = summary {
        let text = match path.extension().and_then(|x| x.to_str()) {
            Some(x) if x.eq_ignore_ascii_case("json") => report::summary_json(&reports),
            _ => report::summary_csv(&reports),
        };
        if let Err(e) = write_text_atomic(path, &text, &guard) {
            o.stderr
                .push_str(&format!("bpt: could not write the summary: {e}\n"));
            o.code = UNREADABLE;
        }
    }
    o
}

/// Validates many files in parallel, keeping their order ([`check_files`]:
/// bounded threads, each file isolated). Each file is read, checked and
/// dropped before its report is kept, so memory stays flat in the number
/// of files.
pub fn validate_files(
    files: &[PathBuf],
    opts: &ValidateOptions,
    progress: bool,
) -> Vec<FileReport> {
    check_files(files, progress, |p| validate_file(p, opts))
}

/// 2 when any file was unreadable, else 1 when any error finding, else 0.
pub fn exit_code(reports: &[FileReport]) -> i32 {
    if reports.iter().any(|r| r.error.is_some()) {
        UNREADABLE
    } else if reports.iter().any(|r| r.count(Severity::Error) > 0) {
        FINDINGS
    } else {
        OK
    }
}
