//! Running a command over many files: bounded threads, each file isolated
//! so one failure cannot stop a batch.

use crate::report::FileReport;
use std::path::{Path, PathBuf};

/// How many files of a batch are worked on at once: the number of cores
/// (or `BPT_JOBS`, when set to a number ≥ 1), never more than the number of
/// files. Each worker holds one workbook at a time, so a batch's peak
/// memory is about this many workbooks' worth plus one small report per
/// file, whatever the number of files.
pub fn batch_threads(files: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = std::env::var("BPT_JOBS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&j| j >= 1)
        .unwrap_or(cores);
    jobs.min(files).max(1)
}

/// Runs `work`, turning a panic into an error message: the last line of
/// defence that keeps one file from stopping a batch. (No input is meant to
/// reach a panic; a message from here is a bug in `bpt`.)
pub fn isolated<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        format!(
            "internal error: bpt failed on this file ({what}); the other files were checked. \
             This is a bug in bpt: please report it with the file"
        )
    })
}

/// Runs `check` on every file of a batch, each isolated ([`isolated`]: a
/// panic becomes that file's error, the rest go on), on at most
/// [`batch_threads`] threads, keeping the files' order. With `progress`, a
/// progress bar is drawn on stderr (only when it is a terminal).
pub fn check_files(
    files: &[PathBuf],
    progress: bool,
    check: impl Fn(&Path) -> FileReport + Sync,
) -> Vec<FileReport> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use rayon::prelude::*;
    use std::io::IsTerminal;
    let bar = if progress && files.len() > 1 && std::io::stderr().is_terminal() {
        let b =
            ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} validating {pos}/{len} [{bar:30}] {eta} {msg}")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let one = |p: &PathBuf| {
        let r = isolated(|| check(p)).unwrap_or_else(|error| FileReport {
            path: p.display().to_string(),
            bid: None,
            error: Some(error),
            figures: None,
            findings: Vec::new(),
        });
        bar.inc(1);
        r
    };
    let reports: Vec<FileReport> = match rayon::ThreadPoolBuilder::new()
        .num_threads(batch_threads(files.len()))
        .build()
    {
        Ok(pool) => pool.install(|| files.par_iter().map(one).collect()),
        // No thread could be started: one file after the other.
        Err(_) => files.iter().map(one).collect(),
    };
    bar.finish_and_clear();
    reports
}
