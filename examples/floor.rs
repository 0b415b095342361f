//! The floor for reading a bid workbook: a minimal process that opens each
//! file with calamine and reads every sheet's values (with `--formulas`,
//! every sheet's formulas too), and nothing else. `BENCHMARKS.md` compares
//! `bpt validate` with it, process against process, on the same files.
//!
//! ```sh
//! cargo build --release --example floor
//! target/release/examples/floor sample-bids/hmo-mapd-2013.xlsx
//! target/release/examples/floor target/bench/batch-1000     # every file in a folder
//! ```
//!
//! It prints the number of non-empty cells read (so the work cannot be
//! optimised away) and exits 0; a file calamine cannot open counts nothing.

use calamine::{Data, Reader, open_workbook_auto};
use std::path::{Path, PathBuf};

fn read(p: &Path, formulas: bool) -> usize {
    let Ok(mut wb) = open_workbook_auto(p) else {
        return 0;
    };
    let mut cells = 0;
    for name in wb.sheet_names() {
        if let Ok(r) = wb.worksheet_range(&name) {
            cells += r
                .used_cells()
                .filter(|(_, _, d)| !matches!(d, Data::Empty))
                .count();
        }
        if formulas && let Ok(r) = wb.worksheet_formula(&name) {
            cells += r.used_cells().filter(|(_, _, f)| !f.is_empty()).count();
        }
    }
    cells
}

fn main() {
    let mut formulas = false;
    let mut files: Vec<PathBuf> = Vec::new();
    for a in std::env::args_os().skip(1) {
        if a == "--formulas" {
            formulas = true;
            continue;
        }
        let p = PathBuf::from(a);
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            inside.retain(|f| f.is_file());
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p);
        }
    }
    let cells: usize = files.iter().map(|f| read(f, formulas)).sum();
    println!("{} files, {cells} cells", files.len());
}
