//! `cargo bench --bench bench`: the figures in BENCHMARKS.md, measured in
//! one run on this machine.
//!
//! 1. One bid: `bpt` read + recalculate + validate versus a bare calamine
//!    open-and-read of every sheet of the same file (the floor for any
//!    reader), in this process: medians of the thread's CPU time over
//!    repeated runs, and their ratio.
//! 2. Growth with the county count (10 → 1,000 counties).
//! 3. Batches of 100 to 1,000 bids (the shipped profiles with varied
//!    inputs) written to `target/bench/batch-N` for `benches/processes.sh`.
//!
//! LibreOffice and Python (`openpyxl` + `formulas`) are timed by
//! `benches/compare.sh`, which reuses the bid this writes to
//! `target/bench/one-bid.xlsx`; `benches/processes.sh` compares `bpt
//! validate` processes with the floor program (`examples/floor.rs`) by CPU
//! time, on that bid and on the batches this writes (`target/bench/batch-N`).
//!
//! `BPT_BENCH_QUICK=1` shrinks every size (a smoke run).

use bpt::app::{self, ValidateOptions};
use bpt::rules::Selection;
use bpt::sample::{self, Profile};
use bpt::template;
use bpt::writer::{self, WriteOptions};
use calamine::{Data, Reader, open_workbook_auto};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The CPU time this thread has used (Linux: `/proc/thread-self/schedstat`,
/// nanoseconds), so the figures do not depend on what else the machine runs.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Median CPU time of `f` over `n` runs (wall time where the thread's CPU
/// time cannot be read).
fn time<F: FnMut()>(n: usize, mut f: F) -> Duration {
    f(); // warm caches
    median(
        (0..n)
            .map(|_| {
                let (c, t) = (thread_cpu(), Instant::now());
                f();
                match (c, thread_cpu()) {
                    (Some(a), Some(b)) => b.saturating_sub(a),
                    _ => t.elapsed(),
                }
            })
            .collect(),
    )
}

fn bare_read(p: &Path) -> usize {
    let mut wb = open_workbook_auto(p).expect("open");
    let mut cells = 0;
    for name in wb.sheet_names() {
        if let Ok(r) = wb.worksheet_range(&name) {
            cells += r
                .used_cells()
                .filter(|(_, _, d)| !matches!(d, Data::Empty))
                .count();
        }
    }
    cells
}

fn write(layout: &template::Layout, p: &Profile, path: &Path) {
    let v = sample::generate(p, layout);
    let b = writer::write_form(layout, &v, &WriteOptions::default()).expect("write");
    std::fs::write(path, b).expect("save");
}

/// A synthetic service area of `n` counties (10 states × 100 names).
fn wide_area(n: usize) -> &'static [sample::State] {
    let names: &'static [&'static str] = Box::leak(
        (0..100)
            .map(|i| &*Box::leak(format!("County {i:03}").into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    let states: Vec<sample::State> = (0..n.div_ceil(100).max(1))
        .map(|s| {
            let code: &'static str = Box::leak(format!("{:02}", 40 + s).into_boxed_str());
            (code, "ZZ", names)
        })
        .collect();
    Box::leak(states.into_boxed_slice())
}

fn main() {
    let quick = std::env::var("BPT_BENCH_QUICK").is_ok();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let opts = ValidateOptions {
        selection: Selection::default(),
        tolerance: bpt::diff::DEFAULT_TOLERANCE,
    };
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // 1. One bid.
    // The shipped sample, copied for benches/compare.sh.
    let one = root.join("one-bid.xlsx");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids/hmo-mapd-2013.xlsx"),
        &one,
    )
    .expect("the shipped sample bid");
    let n = if quick { 5 } else { 40 };
    let bare = time(n, || {
        std::hint::black_box(bare_read(&one));
    });
    let full = time(n, || {
        std::hint::black_box(app::validate_file(&one, &opts));
    });
    let read_only = time(n, || {
        std::hint::black_box(bpt::reader::read_bid(&one).ok());
    });
    println!(
        "\n## One bid ({} KiB)",
        std::fs::metadata(&one).unwrap().len() / 1024
    );
    println!(
        "bare calamine read of every sheet: {:>8.2} ms",
        bare.as_secs_f64() * 1e3
    );
    println!(
        "bpt read only:                     {:>8.2} ms",
        read_only.as_secs_f64() * 1e3
    );
    println!(
        "bpt read + recalc + validate:      {:>8.2} ms",
        full.as_secs_f64() * 1e3
    );
    println!(
        "ratio validate / bare read (CPU):  {:>8.2}",
        full.as_secs_f64() / bare.as_secs_f64()
    );

    // 2. County count.
    println!("\n## Growth with county count (one bid, validate)");
    println!("| counties | file KiB | validate ms |");
    println!("|---:|---:|---:|");
    let base = sample::profile("osb-many-counties-2013").unwrap();
    for counties in [10usize, 100, 300, 1000] {
        if quick && counties > 100 {
            break;
        }
        let mut p = base.clone();
        p.counties = counties;
        p.states = wide_area(counties);
        p.projected_mm = Decimal::from(counties as u64 * 1200);
        let path = root.join(format!("counties-{counties}.xlsx"));
        write(&layout, &p, &path);
        let t = time(if quick { 3 } else { 10 }, || {
            std::hint::black_box(app::validate_file(&path, &opts));
        });
        println!(
            "| {counties} | {} | {:.2} |",
            std::fs::metadata(&path).unwrap().len() / 1024,
            t.as_secs_f64() * 1e3
        );
    }

    // 3. Batches.
    let total = if quick { 40 } else { 1000 };
    let batch = root.join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    let profiles = sample::profiles();
    let t = Instant::now();
    for i in 0..total {
        let mut p = profiles[i % profiles.len()].clone();
        // Vary the inputs: size, cost level and margin.
        let k = Decimal::from(i as u64);
        p.projected_mm += k * Decimal::from(37);
        p.cost_level *= Decimal::ONE + k / Decimal::from(20_000);
        p.margin += k / Decimal::from(1000);
        write(&layout, &p, &batch.join(format!("bid-{i:04}.xlsx")));
    }
    eprintln!(
        "(generated {total} bids in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let sizes: Vec<usize> = if quick {
        vec![10, 40]
    } else {
        vec![100, 250, 500, 1000]
    };
    for size in sizes {
        let dir = root.join(format!("batch-{size}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..size {
            let f = format!("bid-{i:04}.xlsx");
            let _ = std::fs::hard_link(batch.join(&f), dir.join(&f))
                .or_else(|_| std::fs::copy(batch.join(&f), dir.join(&f)).map(|_| ()));
        }
    }
    println!(
        "\nbatches written to {}/batch-N: time them with benches/processes.sh",
        root.display()
    );
}
