//! Mutation fuzzing of the reader and the whole validate path.
//!
//! Starting from a valid sample bid, each case applies one to three random
//! mutations — bytes flipped in the package, the package truncated, or
//! (more telling) bytes, numbers and tags changed inside a worksheet's XML
//! before re-zipping — then reads the result and, when it reads, recalculates
//! and validates it. Nothing may panic, and each case must finish in bounded
//! time. The budget is `BPT_FUZZ_CASES` (default 60 in CI; run longer with
//! `BPT_FUZZ_CASES=5000 cargo test --release --test fuzz -- --nocapture`),
//! the seed `BPT_FUZZ_SEED`. A case that fails is written to
//! `target/fuzz-failures/` — move it to `tests/fuzz-regressions/`.

use crate::common::parts::{Rng, entries, zip_of};
use bpt::app::{self, ValidateOptions};
use bpt::rules::Selection;
use bpt::{reader, sample, template, writer};
use std::time::{Duration, Instant};

const TOKENS: &[&[u8]] = &[
    b"<v>",
    b"</v>",
    b"t=\"s\"",
    b"t=\"e\"",
    b"t=\"str\"",
    b"<f>",
    b"#DIV/0!",
    b"1E+308",
    b"-1E+308",
    b"NaN",
    b"99999999999999999999999",
    b"<c r=\"XFD1048576\">",
    b"&amp;",
    b"\"",
    b"<",
    b">",
    b"0",
    b"-",
    b".",
    b"r=\"A1\"",
];

fn mutate(base: &[u8], es: &[(String, Vec<u8>)], rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0 => {
            let mut b = base.to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            b
        }
        1 => base[..rng.below(base.len())].to_vec(),
        _ => {
            let mut es = es.to_vec();
            for _ in 0..1 + rng.below(3) {
                let sheets: Vec<usize> = es
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _))| {
                        n.starts_with("xl/worksheets/")
                            || n.ends_with("sharedStrings.xml")
                            || n.ends_with("workbook.xml")
                    })
                    .map(|(i, _)| i)
                    .collect();
                let k = sheets[rng.below(sheets.len())];
                let d = &mut es[k].1;
                if d.is_empty() {
                    continue;
                }
                let at = rng.below(d.len());
                match rng.below(4) {
                    0 => d[at] = b"0123456789<>/=\"-.eE#"[rng.below(20)],
                    1 => {
                        let n = rng.below(64).min(d.len() - at);
                        d.drain(at..at + n);
                    }
                    2 => {
                        let t = TOKENS[rng.below(TOKENS.len())];
                        d.splice(at..at, t.iter().copied());
                    }
                    _ => {
                        // Duplicate a chunk (repeated cells, rows, sheets).
                        let n = rng.below(200).min(d.len() - at);
                        let chunk: Vec<u8> = d[at..at + n].to_vec();
                        d.splice(at..at, chunk);
                    }
                }
            }
            zip_of(&es)
        }
    }
}

fn run_one(name: &str, bytes: &[u8]) {
    let t = Instant::now();
    if let Ok(bid) = reader::read_bid_bytes(name, bytes) {
        let opts = ValidateOptions {
            selection: Selection::default(),
            tolerance: bpt::diff::DEFAULT_TOLERANCE,
        };
        let _ = app::validate_bid(&bid, &opts);
    }
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "{name} took {:?}",
        t.elapsed()
    );
}

#[test]
fn mutated_samples_never_panic() {
    let cases: usize = std::env::var("BPT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("BPT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_b1d5);
    let layout = template::builtin("ma-bpt-2013").unwrap();
    let p = sample::profile("hmo-mapd-2013").unwrap();
    let v = sample::generate(&p, &layout);
    let base = writer::write_form(&layout, &v, &writer::WriteOptions::default()).unwrap();
    let es = entries(&base);
    let mut rng = Rng(seed | 1);
    for i in 0..cases {
        let m = mutate(&base, &es, &mut rng);
        let name = format!("case-{seed}-{i}.xlsx");
        let r = std::panic::catch_unwind(|| run_one(&name, &m));
        if r.is_err() {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(&name), &m);
            panic!(
                "case {i} (seed {seed}) panicked; saved to {}",
                dir.join(&name).display()
            );
        }
    }
}

#[test]
fn regressions_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x != "md") {
            let b = std::fs::read(&p).unwrap();
            run_one(&p.file_name().unwrap().to_string_lossy(), &b);
        }
    }
}
