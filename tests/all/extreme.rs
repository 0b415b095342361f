//! Extreme-value fuzzing of every command.
//!
//! Starting from the shipped samples (`sample-bids/*.xlsx`, MA and MSA),
//! each case sets 1–40 numeric cells of the form — inputs, CMS cells,
//! defaults and calculated cells (their formula kept), dates among them — to
//! values across the whole `Decimal` range and beyond (±7.9e28, ±1e28,
//! ±1e20, 1e-28, -0, 1e308, huge negative date serials, random magnitudes),
//! sometimes with a date style on a number cell, by editing the worksheet
//! XML and re-zipping. Each case then runs, in process, `read` (text and
//! JSON), `validate` in every format with `--summary`, `annotate`,
//! `recalc` (text, JSON, `-o`), `finalize`, `diff` of one file (every
//! format) and of two files (both ways), `reallocate` (with the announced
//! figures it needs, sometimes extreme themselves, and `-o`) and
//! `reallocate --check` (both ways). No command may panic and every exit
//! code must be 0, 1 or 2; a panic names the case and the command.
//!
//! The budget is `BPT_EXTREME_CASES` (default 300: cases `0..300`), the
//! seed `BPT_EXTREME_SEED`, the worker threads `BPT_EXTREME_THREADS`
//! (default: the cores), an optional time budget in seconds
//! `BPT_EXTREME_SECONDS`, and the first case `BPT_EXTREME_FIRST` (default 0),
//! so a long run can be done in pieces: every case is the same whatever the
//! threads or the piece it runs in. A long run:
//!
//! ```sh
//! BPT_EXTREME_CASES=10000 BPT_EXTREME_SEED=2 cargo test --release --test all extreme::extreme_values_never_panic -- --nocapture
//! # or in pieces: BPT_EXTREME_FIRST=4000 BPT_EXTREME_CASES=10000 ...
//! ```
//!
//! A failing case is written to `target/tmp/extreme-failures/` (with the
//! command that failed in the name) — keep it in `tests/fuzz-regressions/`
//! as `extreme-<what>.xlsx`; every run replays those through every command.
//! A few cases also run through the real `bpt` binary.

use crate::common::parts::{Rng, entries, zip_of};
use bpt::app::{self, AnnouncedArgs, DiffFormat, ValidateOptions};
use bpt::report::Format;
use bpt::rules::Selection;
use bpt::template::{Kind, Role};
use rust_decimal::Decimal;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Instant;

/// Values at and past the edges of what `Decimal` (28–29 digits, scale 28)
/// and `f64` hold, and date serials far outside Excel's calendar.
const EDGES: &[&str] = &[
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7.9E+28",
    "-7.9E+28",
    "7.9228162514264E+28",
    "1E+28",
    "-1E+28",
    "9.99999999999999E+27",
    "1E+20",
    "-1E+20",
    "1E+29",
    "-1E+29",
    "1E-28",
    "-1E-28",
    "1E-29",
    "0.0000000000000000000000000001",
    "1.2345678901234568E-15",
    "-0",
    "-0.0",
    "0",
    "1E+308",
    "-1E+308",
    "1.7976931348623157E+308",
    "4.9E-324",
    "-1E+16",
    "-9.9999999999999E+15",
    "1E+16",
    "2958465",
    "2958466",
    "-1",
    "60",
    "0.5",
    "123456789012345678901234567.89",
];

fn extreme_value(rng: &mut Rng) -> String {
    if rng.chance(3) {
        // A random magnitude anywhere in 1e-28 … 1e30.
        let m = rng.next() % 10_000_000_000_000_000;
        let e = rng.below(59) as i32 - 28;
        let sign = if rng.chance(2) { "-" } else { "" };
        format!("{sign}{m}E{e:+}")
    } else {
        EDGES[rng.below(EDGES.len())].to_string()
    }
}

/// One cell a case may change.
struct Target {
    /// Index of the worksheet's entry in the package.
    entry: usize,
    cell: String,
    row: u32,
}

struct Base {
    name: String,
    bytes: Vec<u8>,
    entries: Vec<(String, Vec<u8>)>,
    /// Targets grouped by role and whether they sit in a table (see
    /// [`load_base`]).
    groups: Vec<Vec<Target>>,
    /// A `cellXfs` index whose number format is a date.
    date_style: Option<usize>,
    rppo: bool,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let k = format!(" {name}=\"");
    let i = tag.find(&k)? + k.len();
    let j = tag[i..].find('"')? + i;
    Some(&tag[i..j])
}

/// Sheet name → worksheet entry index, from workbook.xml and its rels.
fn sheet_entries(es: &[(String, Vec<u8>)]) -> Vec<(String, usize)> {
    let text = |n: &str| {
        es.iter()
            .find(|(x, _)| x == n)
            .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
            .unwrap_or_default()
    };
    let wb = text("xl/workbook.xml");
    let rels = text("xl/_rels/workbook.xml.rels");
    let mut out = Vec::new();
    for tag in wb.split("<sheet ").skip(1) {
        let tag = format!(" {}", &tag[..tag.find('>').unwrap_or(tag.len())]);
        let (Some(name), Some(rid)) = (attr(&tag, "name"), attr(&tag, "r:id")) else {
            continue;
        };
        for rel in rels.split("<Relationship ").skip(1) {
            let rel = format!(" {}", &rel[..rel.find('>').unwrap_or(rel.len())]);
            if attr(&rel, "Id") == Some(rid) {
                let target = format!("xl/{}", attr(&rel, "Target").unwrap_or_default());
                if let Some(i) = es.iter().position(|(n, _)| *n == target) {
                    out.push((name.to_string(), i));
                }
            }
        }
    }
    out
}

/// The first `cellXfs` entry whose number format is a date one.
fn date_style(es: &[(String, Vec<u8>)]) -> Option<usize> {
    let st = es.iter().find(|(n, _)| n == "xl/styles.xml")?;
    let st = String::from_utf8_lossy(&st.1);
    let mut date_fmts: Vec<String> = vec!["14".into()];
    for f in st.split("<numFmt ").skip(1) {
        let f = format!(" {}", &f[..f.find('>').unwrap_or(f.len())]);
        if attr(&f, "formatCode").is_some_and(|c| c.contains('d') && c.contains('y')) {
            date_fmts.extend(attr(&f, "numFmtId").map(str::to_string));
        }
    }
    let xfs = &st[st.find("<cellXfs")?..];
    let xfs = &xfs[..xfs.find("</cellXfs>")?];
    xfs.split("<xf ").skip(1).position(|x| {
        let x = format!(" {}", &x[..x.find('>').unwrap_or(x.len())]);
        attr(&x, "numFmtId").is_some_and(|id| date_fmts.iter().any(|d| d == id))
    })
}

fn load_base(path: &Path) -> Base {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bid = bpt::reader::read_bid_bytes(&name, &bytes).unwrap();
    let es = entries(&bytes);
    let sheets = sheet_entries(&es);
    // Groups: entered (input, CMS) single cells, entered table cells (county
    // rows and the like, which outnumber the rest), calculated (calc,
    // default) single cells, calculated table cells, dates. Each pick
    // chooses a group first, so the few hundred single cells that carry the
    // bid's key figures are hit as often as the thousands of table cells.
    let mut groups: Vec<Vec<Target>> = (0..5).map(|_| Vec::new()).collect();
    for f in &bid.layout.fields {
        let Some(&(_, entry)) = sheets.iter().find(|(n, _)| *n == f.sheet) else {
            continue;
        };
        let table = usize::from(f.table.is_some());
        let g = if f.kind == Kind::Date {
            4
        } else if !f.kind.is_numeric() {
            continue;
        } else if f.role.is_entered() {
            table
        } else {
            debug_assert!(matches!(f.role, Role::Calc | Role::Default));
            2 + table
        };
        groups[g].push(Target {
            entry,
            cell: f.cell.to_string(),
            row: f.cell.row + 1,
        });
    }
    let rppo = bid
        .values
        .text("ws1.general.plan_type")
        .is_some_and(|t| t.contains("RPPO"));
    Base {
        name,
        bytes,
        date_style: date_style(&es),
        entries: es,
        groups,
        rppo,
    }
}

/// Sets one cell of a worksheet's XML to a number, keeping its formula and
/// (unless `style` is given) its style. A cell the sheet does not hold is
/// added to its row when the row exists. Returns false when nothing changed.
fn set_cell(xml: &mut Vec<u8>, t: &Target, value: &str, style: Option<usize>) -> bool {
    let s = String::from_utf8_lossy(xml).into_owned();
    let open = format!("<c r=\"{}\"", t.cell);
    let (start, end, old_style, formula) = if let Some(start) = s.find(&open) {
        let Some(gt) = s[start..].find('>').map(|i| start + i) else {
            return false;
        };
        let tag = &s[start..gt];
        let old_style = attr(tag, "s").map(str::to_string);
        if s.as_bytes()[gt - 1] == b'/' {
            (start, gt + 1, old_style, String::new())
        } else {
            let Some(close) = s[gt..].find("</c>").map(|i| gt + i) else {
                return false;
            };
            let inner = &s[gt + 1..close];
            let formula = match (inner.find("<f"), inner.find("</f>")) {
                (Some(a), Some(b)) if a < b => inner[a..b + 4].to_string(),
                (Some(a), None) => match inner[a..].find("/>") {
                    Some(b) => inner[a..a + b + 2].to_string(),
                    None => String::new(),
                },
                _ => String::new(),
            };
            (start, close + 4, old_style, formula)
        }
    } else {
        let row = format!("<row r=\"{}\"", t.row);
        let Some(r) = s.find(&row) else {
            return false;
        };
        let Some(close) = s[r..].find("</row>").map(|i| r + i) else {
            return false;
        };
        // A self-closing row before the next `</row>`: leave it.
        if s[r..close].contains("/>") && s[r..close].find("/>") < s[r..close].find('>') {
            return false;
        }
        (close, close, None, String::new())
    };
    let style = style.map(|x| x.to_string()).or(old_style);
    let s_attr = style.map(|x| format!(" s=\"{x}\"")).unwrap_or_default();
    let cell = format!("{open}{s_attr}>{formula}<v>{value}</v></c>");
    let mut out = String::with_capacity(s.len() + cell.len());
    out.push_str(&s[..start]);
    out.push_str(&cell);
    out.push_str(&s[end..]);
    *xml = out.into_bytes();
    true
}

/// One case: 1–40 cells of `base` set to extreme values. Returns the
/// workbook and a description of what was changed.
fn mutate(base: &Base, rng: &mut Rng, dates: bool) -> (Vec<u8>, Vec<String>) {
    let mut es = base.entries.clone();
    let mut what = Vec::new();
    let n = 1 + rng.below(40);
    for _ in 0..n {
        let g = rng.below(if dates { 5 } else { 4 });
        let group = &base.groups[g];
        if group.is_empty() {
            continue;
        }
        let t = &group[rng.below(group.len())];
        let v = extreme_value(rng);
        let style = if dates && rng.chance(8) {
            base.date_style
        } else {
            None
        };
        if set_cell(&mut es[t.entry].1, t, &v, style) {
            what.push(format!(
                "{}!{}={v}{}",
                es[t.entry].0,
                t.cell,
                if style.is_some() { " (date style)" } else { "" }
            ));
        }
    }
    (zip_of(&es), what)
}

fn announced(rng: &mut Rng, rppo: bool) -> AnnouncedArgs {
    let pick = |rng: &mut Rng, normal: &str| -> Decimal {
        let v = if rng.chance(3) {
            extreme_value(rng)
        } else {
            normal.to_string()
        };
        Decimal::from_str(&v)
            .or_else(|_| Decimal::from_scientific(&v))
            .unwrap_or(Decimal::MAX)
    };
    AnnouncedArgs {
        part_d_basic_premium: Some(pick(rng, "34.20")),
        lipsa: rng.chance(2).then(|| pick(rng, "31.76")),
        regional_benchmark: rppo.then(|| pick(rng, "780.25")),
        ma_rebate: (rppo && rng.chance(3)).then(|| pick(rng, "50")),
    }
}

/// Runs every command on `case` (with `base` as the other bid of two-file
/// commands). Returns the first command that panicked or exited with a
/// status outside {0, 1, 2}.
///
/// Each case runs every command once; where a command has several output
/// formats or directions, `variant` (the case number) picks which, so a run
/// covers them all without reading every case a dozen more times. Validation
/// renders every format on every case.
fn run_all(
    case: &Path,
    base: &Path,
    out: &Path,
    a: &AnnouncedArgs,
    variant: usize,
) -> Result<(), String> {
    let opts = ValidateOptions {
        selection: Selection::default(),
        tolerance: bpt::diff::DEFAULT_TOLERANCE,
    };
    let tol = bpt::diff::DEFAULT_TOLERANCE;
    let files = [case.to_path_buf()];
    let o = |n: &str| out.join(n);
    let formats = [
        Format::Text,
        Format::Json,
        Format::Csv,
        Format::Sarif,
        Format::Junit,
    ];
    let vf = formats[variant % formats.len()];
    let df = [DiffFormat::Text, DiffFormat::Json, DiffFormat::Csv][variant % 3];
    let json = variant % 2 == 1;
    let (first, second) = if variant.is_multiple_of(2) {
        (base, case)
    } else {
        (case, base)
    };
    let summary = o(if json { "summary.json" } else { "summary.csv" });
    let cmds: Vec<(String, Box<dyn Fn() -> i32 + '_>)> = vec![
        (
            format!("read --format {df:?}"),
            Box::new(|| app::read(case, df).code),
        ),
        (
            format!("validate --format {vf:?} --summary {}", summary.display()),
            Box::new(|| app::validate(&files, vf, &opts, Some(&summary), false).code),
        ),
        (
            "validate, every format and summary".into(),
            Box::new(|| {
                let reports = app::validate_files(&files, &opts, false);
                for f in formats {
                    let _ = bpt::report::render(&reports, f);
                }
                let _ = bpt::report::summary_table(&reports);
                let _ = bpt::report::summary_csv(&reports);
                let _ = bpt::report::summary_json(&reports);
                app::exit_code(&reports)
            }),
        ),
        (
            "annotate".into(),
            Box::new(|| app::annotate(case, &o("annotated.xlsx"), true, json).code),
        ),
        (
            "recalc -o".into(),
            Box::new(|| app::recalc(case, df, Some(&o("recalc.xlsx")), true).code),
        ),
        (
            "finalize".into(),
            Box::new(|| {
                let record = o("record.txt");
                let record = json.then_some(record.as_path());
                app::finalize(case, &o("final.xlsx"), true, false, tol, record, json).code
            }),
        ),
        (
            format!("diff CASE --format {df:?}"),
            Box::new(|| app::diff_calc(case, df, tol).code),
        ),
        (
            format!(
                "diff {} --format {df:?}",
                if json { "CASE SAMPLE" } else { "SAMPLE CASE" }
            ),
            Box::new(|| app::diff_bids(first, second, df).code),
        ),
        (
            format!("reallocate --format {df:?} -o"),
            Box::new(|| app::reallocate(case, a, df, Some((&o("realloc.xlsx"), 1, true))).code),
        ),
        (
            format!(
                "reallocate --check {}",
                if json { "CASE SAMPLE" } else { "SAMPLE CASE" }
            ),
            Box::new(|| app::reallocate_check(first, second, a, df).code),
        ),
    ];
    let verbose = std::env::var("BPT_EXTREME_VERBOSE").is_ok();
    for (name, f) in &cmds {
        let t = Instant::now();
        QUIET.with(|q| q.set(true));
        let r = catch_unwind(AssertUnwindSafe(f));
        QUIET.with(|q| q.set(false));
        if verbose {
            eprintln!("  {name}: {:.1?}", t.elapsed());
        }
        match r {
            Ok(code) if (0..=2).contains(&code) => {}
            Ok(code) => return Err(format!("`{name}` exited {code}")),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                return Err(format!("`{name}` panicked: {msg}"));
            }
        }
    }
    Ok(())
}

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    v.sort();
    v
}

/// Whether cases also set date cells (huge negative serials and the like)
/// and put date styles on number cells: on, since the reader range-checks
/// serials before converting them (calamine's conversion panicked on
/// -1e16); `BPT_EXTREME_DATES=0` turns them off.
fn dates() -> bool {
    std::env::var("BPT_EXTREME_DATES").as_deref() != Ok("0")
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn save_failure(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("extreme-failures");
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join(name);
    let _ = std::fs::write(&p, bytes);
    p
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for the panics
/// `catch_unwind` catches in [`run_all`] (each is reported once, with its
/// case and command) and prints every other panic as usual.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// splitmix64: one well-mixed generator seed per case.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn extreme_values_never_panic() {
    // 300 cases in every build: `cargo test` (bpt at opt-level 1, its
    // dependencies at 2: see Cargo.toml) runs them in about two minutes on
    // 2 cores.
    let default_cases = 300;
    let cases = env_num("BPT_EXTREME_CASES", default_cases) as usize;
    let seed = env_num("BPT_EXTREME_SEED", 0xe_c7e3e);
    let dates = dates();
    let bases: Vec<Base> = samples().iter().map(|p| load_base(p)).collect();
    let dir = tempfile::tempdir().unwrap();
    let base_paths: Vec<PathBuf> = bases
        .iter()
        .map(|b| {
            let p = dir.path().join(format!("base-{}", b.name));
            std::fs::write(&p, &b.bytes).unwrap();
            p
        })
        .collect();
    let started = Instant::now();
    install_quiet_hook();
    // A time budget for long runs (`BPT_EXTREME_SECONDS`): no case starts
    // after it has passed, and the report says how many ran.
    let budget = std::env::var("BPT_EXTREME_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let threads = env_num(
        "BPT_EXTREME_THREADS",
        std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
    )
    .max(1) as usize;
    // A long run may be done in pieces: `BPT_EXTREME_FIRST` is the first
    // case index (cases are numbered from 0, each the same whatever the
    // threads or the piece), `BPT_EXTREME_CASES` the index it stops before.
    let first = env_num("BPT_EXTREME_FIRST", 0) as usize;
    let next = AtomicUsize::new(first);
    let ran = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= cases || budget.is_some_and(|b| started.elapsed() > b) {
                        break;
                    }
                    if i > 0 && i.is_multiple_of(100) {
                        eprintln!(
                            "extreme: case {i} at {:.0?}, {} failure(s) so far",
                            started.elapsed(),
                            failures.lock().unwrap().len()
                        );
                    }
                    // Each case has its own generator, so a case is the same
                    // whatever the number of threads.
                    let mut rng = Rng(splitmix(seed ^ splitmix(i as u64)) | 1);
                    let k = rng.below(bases.len());
                    let base = &bases[k];
                    let (bytes, what) = mutate(base, &mut rng, dates);
                    let a = announced(&mut rng, base.rppo);
                    let stem = base.name.trim_end_matches(".xlsx");
                    let name = format!("case-{seed}-{i}-{stem}.xlsx");
                    let case = dir.path().join(&name);
                    std::fs::write(&case, &bytes).unwrap();
                    let out = dir.path().join(format!("out-{i}"));
                    std::fs::create_dir_all(&out).unwrap();
                    if let Err(e) = run_all(&case, &base_paths[k], &out, &a, i) {
                        let saved = save_failure(&name, &bytes);
                        failures.lock().unwrap().push(format!(
                            "case {i} ({name}): {e}\n    changed: {}\n    announced: {a:?}\n    saved: {}",
                            what.join(", "),
                            saved.display()
                        ));
                    }
                    let _ = std::fs::remove_file(&case);
                    let _ = std::fs::remove_dir_all(&out);
                    ran.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    let ran = ran.into_inner();
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "extreme: {ran} of cases {first}..{cases} (seed {seed}, dates {}, {threads} thread(s)) in {:.1?}: {} failure(s)",
        if dates { "on" } else { "off" },
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every `extreme-*.xlsx` kept in tests/fuzz-regressions/ through every
/// command, with ordinary and extreme announced figures.
#[test]
fn extreme_regressions_never_panic() {
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-bids/hmo-mapd-2013.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&reg)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("extreme-") && n.ends_with(".xlsx"))
        })
        .collect();
    files.sort();
    let normal = AnnouncedArgs {
        part_d_basic_premium: Some(Decimal::new(3420, 2)),
        lipsa: Some(Decimal::new(3176, 2)),
        regional_benchmark: Some(Decimal::new(78025, 2)),
        ma_rebate: None,
    };
    let extreme = AnnouncedArgs {
        part_d_basic_premium: Some(Decimal::MAX),
        lipsa: Some(Decimal::MIN),
        regional_benchmark: Some(Decimal::MAX),
        ma_rebate: Some(Decimal::MIN),
    };
    install_quiet_hook();
    let mut failures = Vec::new();
    for f in &files {
        // Ordinary figures with the even variant (text, sample first),
        // extreme ones with the odd (JSON, case first).
        for (variant, a) in [&normal, &extreme].into_iter().enumerate() {
            if let Err(e) = run_all(f, &sample, dir.path(), a, variant) {
                failures.push(format!("{} (variant {variant}): {e}", f.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A few cases through the real binary: a panic there is exit 101 (or a
/// signal for an abort), which no test in process would see.
#[test]
fn extreme_values_through_the_binary() {
    let bin = env!("CARGO_BIN_EXE_bpt");
    let bases: Vec<Base> = samples()
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            // An MA plan, the RPPO (regional benchmark) and the MSA form.
            n.starts_with("hmo-mapd") || n.starts_with("msa-2013") || n.starts_with("rppo")
        })
        .map(|p| load_base(p))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng((env_num("BPT_EXTREME_SEED", 0xe_c7e3e) ^ 0xb1) | 1);
    for (k, base) in bases.iter().enumerate() {
        let (bytes, what) = mutate(base, &mut rng, dates());
        let case = dir.path().join(format!("case-{k}.xlsx"));
        std::fs::write(&case, &bytes).unwrap();
        let sample = dir.path().join(format!("sample-{k}.xlsx"));
        std::fs::write(&sample, &base.bytes).unwrap();
        let c = case.to_str().unwrap();
        let s = sample.to_str().unwrap();
        let o = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
        let runs: Vec<Vec<String>> = [
            vec!["read", c],
            vec!["validate", c, "--format", "sarif"],
            vec!["validate", c, "--format", "junit"],
            vec!["annotate", c, "-o", &o("a.xlsx"), "--force"],
            vec!["recalc", c, "-o", &o("r.xlsx"), "--force"],
            vec!["finalize", c, "-o", &o("f.xlsx"), "--force"],
            vec!["diff", c],
            vec!["diff", s, c, "--format", "csv"],
            vec![
                "reallocate",
                c,
                "--part-d-basic-premium",
                "79228162514264337593543950335",
                "--lipsa",
                "-79228162514264337593543950335",
                "--regional-benchmark",
                "79228162514264337593543950335",
            ],
            vec![
                "reallocate",
                "--check",
                s,
                c,
                "--part-d-basic-premium",
                "34.2",
            ],
        ]
        .iter()
        .map(|v| v.iter().map(|x| x.to_string()).collect())
        .collect();
        for args in runs {
            let r = std::process::Command::new(bin)
                .args(&args)
                .output()
                .unwrap();
            let code = r.status.code();
            if !matches!(code, Some(0..=2)) {
                let saved = save_failure(&format!("binary-{}", base.name), &bytes);
                panic!(
                    "bpt {} exited {:?} (changed: {}; saved {}):\n{}",
                    args.join(" "),
                    r.status,
                    what.join(", "),
                    saved.display(),
                    String::from_utf8_lossy(&r.stderr)
                );
            }
        }
    }
}

fn sample_bid(name: &str) -> bpt::reader::Bid {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-bids")
        .join(name);
    bpt::reader::read_bid(&p).unwrap()
}

/// A sum of member months beyond the `Decimal` range is a C003 finding that
/// says so, not a panic.
#[test]
fn sums_beyond_the_decimal_range_are_findings() {
    let opts = ValidateOptions {
        selection: Selection::default(),
        tolerance: bpt::diff::DEFAULT_TOLERANCE,
    };
    let mut bid = sample_bid("hmo-mapd-2013.xlsx");
    bid.values.set_num("ws1.plans_in_base.mm[a]", Decimal::MAX);
    bid.values.set_num("ws1.plans_in_base.mm[b]", Decimal::MAX);
    let f = app::validate_bid(&bid, &opts);
    let c003 = f.iter().find(|f| f.rule == "C003").expect("C003");
    assert!(
        c003.message
            .starts_with("plans in base add to more than ±7.9e28 member months, line 2 shows "),
        "{}",
        c003.message
    );
    assert_eq!(c003.found, "more than ±7.9e28");
}

/// Submitted and recomputed values too far apart to subtract: a mismatch
/// without an amount, and a note that says why.
#[test]
fn differences_beyond_the_decimal_range_are_mismatches() {
    let bid = sample_bid("hmo-mapd-2013.xlsx");
    let f = bid
        .layout
        .fields
        .iter()
        .find(|f| {
            f.role == Role::Calc && f.kind.is_numeric() && bpt::diff::rounding_dp(f).is_none()
        })
        .unwrap();
    let mut submitted = bid.values.clone();
    submitted.set_num(f.id.clone(), Decimal::MAX);
    let mut recomputed = bid.values.clone();
    recomputed.set_num(f.id.clone(), Decimal::MIN);
    let m = bpt::diff::compare_calc(
        bid.layout,
        &submitted,
        &recomputed,
        None,
        bpt::diff::DEFAULT_TOLERANCE,
    );
    let x = m.iter().find(|x| x.field == f.id).expect("a mismatch");
    assert_eq!(x.difference, None);
    assert_eq!(
        x.note.as_deref(),
        Some("the difference is beyond the range of exact decimals (±7.9e28)")
    );
    let changes = bpt::diff::compare_bids(bid.layout, &submitted, &recomputed);
    let c = changes.iter().find(|c| c.field == f.id).expect("a change");
    assert_eq!(c.difference, None);
}
