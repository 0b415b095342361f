//! The output policy (never the input, never an existing file without
//! `--force`, never a non-regular file, normal permissions, no temporary
//! file left by a signal, no backup from a refused `finalize`) and batches
//! (one bad file never stops a batch; globs do not follow directory links;
//! each file once). See RELIABILITY.md, "Outputs" and "Batches".

use crate::common::{BIN, Run, bpt_run as bpt, run};
use bpt::app;
use bpt::report::FileReport;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs bpt under a given umask (through `sh`).
fn bpt_umask(umask: &str, args: &[&str]) -> Run {
    run(Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args))
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-bids")
        .join(name)
}

/// A private copy of a shipped sample bid (its own inode).
fn copy_sample(dir: &Path, name: &str, as_name: &str) -> PathBuf {
    let p = dir.join(as_name);
    std::fs::copy(sample(name), &p).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(p: &Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// The summary CSV's rows as (file, status).
fn summary_rows(csv_path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(csv_path).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let h = rd.headers().unwrap().clone();
    let file = h.iter().position(|c| c == "file").unwrap();
    let status = h.iter().position(|c| c == "status").unwrap();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            (r[file].to_string(), r[status].to_string())
        })
        .collect()
}

// ------------------------------------------------------------ the input

#[test]
fn summary_over_the_input_is_refused_by_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let bid = copy_sample(dir.path(), "msa-2013.xlsx", "bid.xlsx");
    let original = std::fs::read(&bid).unwrap();
    let hard = dir.path().join("hard.xlsx");
    std::fs::hard_link(&bid, &hard).unwrap();
    let roundabout = dir.path().join("sub").join("..").join("bid.xlsx");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut outs = vec![bid.clone(), hard.clone(), roundabout];
    #[cfg(unix)]
    {
        let sym = dir.path().join("sym.csv");
        std::os::unix::fs::symlink(&bid, &sym).unwrap();
        outs.push(sym);
    }
    for out in &outs {
        for force in [false, true] {
            let mut args = vec!["validate", s(&bid), "--summary", s(out)];
            if force {
                args.push("--force");
            }
            let r = bpt(&args);
            assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
            assert!(
                r.err.contains("it is the input workbook") && r.err.contains("bid.xlsx"),
                "{args:?}: {}",
                r.err
            );
            assert!(r.err.contains("nothing was validated"), "{}", r.err);
            assert_eq!(std::fs::read(&bid).unwrap(), original, "{args:?}");
        }
    }
    // A directory input protects every workbook in it.
    let r = bpt(&["validate", s(dir.path()), "--summary", s(&hard), "--force"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("it is the input workbook"), "{}", r.err);
    assert_eq!(std::fs::read(&bid).unwrap(), original);
    // Workbook outputs too.
    for cmd in [
        vec!["annotate", s(&bid), "-o", s(&hard), "--force"],
        vec!["recalc", s(&bid), "-o", s(&hard), "--force"],
        vec!["finalize", s(&bid), "-o", s(&hard), "--force", "--backup"],
    ] {
        let r = bpt(&cmd);
        assert_eq!(r.code, 2, "{cmd:?}: {}{}", r.out, r.err);
        assert!(
            r.err.contains("it is the input workbook"),
            "{cmd:?}: {}",
            r.err
        );
        assert_eq!(std::fs::read(&bid).unwrap(), original, "{cmd:?}");
    }
    let mut expected = vec!["bid.xlsx", "hard.xlsx", "sub"];
    if cfg!(unix) {
        expected.push("sym.csv");
    }
    assert_eq!(names(dir.path()), expected, "no backup, no temporary file");
}

// ------------------------------------------------------ existing files

#[test]
fn summary_over_an_existing_file_needs_force_and_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let bid = copy_sample(dir.path(), "msa-2013.xlsx", "bid.xlsx");
    let out = dir.path().join("summary.csv");
    std::fs::write(&out, b"keep me").unwrap();
    let r = bpt(&["validate", s(&bid), "--summary", s(&out)]);
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("summary.csv already exists (use --force to replace it)"),
        "{}",
        r.err
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");

    #[cfg(unix)]
    set_mode(&out, 0o600);
    let r = bpt_umask(
        "022",
        &["validate", s(&bid), "--summary", s(&out), "--force"],
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let rows = summary_rows(&out);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].0.ends_with("bid.xlsx"), "{rows:?}");
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600, "a replaced file keeps its mode");
    assert_eq!(names(dir.path()), ["bid.xlsx", "summary.csv"]);
}

#[cfg(unix)]
#[test]
fn new_outputs_get_the_mode_of_a_normal_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let bid = copy_sample(dir.path(), "msa-2013.xlsx", "bid.xlsx");
    for (umask, want) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let csv = dir.path().join(format!("s{umask}.csv"));
        let json = dir.path().join(format!("s{umask}.json"));
        let rec = dir.path().join(format!("r{umask}.xlsx"));
        let blank = dir.path().join(format!("t{umask}.xlsx"));
        for args in [
            vec!["validate", s(&bid), "--summary", s(&csv)],
            vec!["validate", s(&bid), "--summary", s(&json)],
            vec!["recalc", s(&bid), "-o", s(&rec)],
            vec!["template", "msa-bpt-2013", "-o", s(&blank)],
        ] {
            let r = bpt_umask(umask, &args);
            assert_eq!(r.code, 0, "{args:?}: {}{}", r.out, r.err);
        }
        for p in [&csv, &json, &rec, &blank] {
            assert_eq!(mode(p), want, "{} under umask {umask}", p.display());
        }
    }
}

// -------------------------------------------------- non-regular files

#[cfg(unix)]
#[test]
fn force_never_replaces_a_fifo_symlink_device_or_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bid = copy_sample(d, "msa-2013.xlsx", "bid.xlsx");
    let fifo = d.join("pipe.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let target = d.join("elsewhere.csv");
    std::fs::write(&target, b"target").unwrap();
    let link = d.join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = d.join("dangling.csv");
    std::os::unix::fs::symlink(d.join("nowhere.csv"), &dangling).unwrap();
    let folder = d.join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let cases: [(&Path, &str); 5] = [
        (&fifo, "a FIFO (named pipe)"),
        (&link, "a symbolic link"),
        (&dangling, "a symbolic link"),
        (&folder, "a directory"),
        (Path::new("/dev/null"), "a device"),
    ];
    for (out, kind) in cases {
        for force in [false, true] {
            let mut args = vec!["validate", s(&bid), "--summary", s(out)];
            if force {
                args.push("--force");
            }
            let r = bpt(&args);
            assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
            assert!(
                r.err.contains(&format!(
                    "it is {kind}, not a regular file (bpt never replaces one, even with --force)"
                )),
                "{args:?}: {}",
                r.err
            );
        }
        let r = bpt(&["template", "msa-bpt-2013", "-o", s(out), "--force"]);
        assert_eq!(r.code, 2, "{}", r.err);
        assert!(r.err.contains(kind), "{}", r.err);
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"target");
    assert!(folder.is_dir());
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(
        names(d),
        [
            "bid.xlsx",
            "dangling.csv",
            "elsewhere.csv",
            "folder.csv",
            "link.csv",
            "pipe.csv"
        ]
    );
}

// ------------------------------------------------------------- backups

#[test]
fn finalize_backup_is_written_only_when_the_command_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let bid = copy_sample(src.path(), "hmo-mapd-2013.xlsx", "bid.xlsx");
    let out = dir.path().join("final.xlsx");
    std::fs::write(&out, b"an older final").unwrap();
    for _ in 0..3 {
        let r = bpt(&["finalize", s(&bid), "-o", s(&out), "--backup"]);
        assert_eq!(r.code, 2, "{}{}", r.out, r.err);
        assert!(
            r.err.contains(
                "final.xlsx already exists (use --force to replace it); nothing was written"
            ),
            "{}",
            r.err
        );
    }
    assert_eq!(names(dir.path()), ["final.xlsx"], "no backup was left");
    assert_eq!(std::fs::read(&out).unwrap(), b"an older final");

    let r = bpt(&["finalize", s(&bid), "-o", s(&out), "--backup", "--force"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let got = names(dir.path());
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1], "final.xlsx");
    assert!(bpt::app::is_bpt_backup(&got[0]), "{got:?}");
    assert!(got[0].starts_with("bid."), "{got:?}");
    assert_eq!(
        std::fs::read(dir.path().join(&got[0])).unwrap(),
        std::fs::read(&bid).unwrap(),
        "the backup is the input"
    );
    assert!(
        r.out
            .contains(&format!("backup: {}", dir.path().join(&got[0]).display()))
    );
    // A folder of finals skips the backup.
    let csv = src.path().join("s.csv");
    let r = bpt(&["validate", s(dir.path()), "--summary", s(&csv)]);
    let rows = summary_rows(&csv);
    assert_eq!(rows.len(), 1, "{rows:?}{}", r.err);
    assert!(rows[0].0.ends_with("final.xlsx"), "{rows:?}");
}

// ------------------------------------------------------------- signals

#[cfg(unix)]
fn interrupted_save_leaves_nothing(signal: &str, signo: i32) {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blank.xlsx");
    let mut child = Command::new(BIN)
        .args(["template", "msa-bpt-2013", "-o", s(&out)])
        // Test-only hook: hold the written temporary file before its rename.
        .env("BPT_TEST_PAUSE_BEFORE_RENAME", "120000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    loop {
        let tmp: Vec<String> = names(dir.path())
            .into_iter()
            .filter(|n| n.starts_with(".blank.xlsx.") && n.ends_with(".tmp"))
            .collect();
        if !tmp.is_empty() {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the temporary file never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "the signal did not end it"
    );
    assert_eq!(status.signal(), Some(signo), "{status:?}");
    assert_eq!(names(dir.path()), Vec::<String>::new(), "nothing left");
}

#[cfg(unix)]
#[test]
fn sigterm_mid_write_leaves_no_temporary_file() {
    interrupted_save_leaves_nothing("TERM", 15);
}

#[cfg(unix)]
#[test]
fn sigint_mid_write_leaves_no_temporary_file() {
    interrupted_save_leaves_nothing("INT", 2);
}

// ------------------------------------------------------------- batches

#[test]
fn a_panic_in_one_file_is_that_files_error_and_the_batch_goes_on() {
    let files: Vec<PathBuf> = (0..21)
        .map(|i| PathBuf::from(format!("f{i:02}.xlsx")))
        .collect();
    let reports = app::check_files(&files, false, |p| {
        if p == Path::new("f07.xlsx") {
            panic!("simulated bug");
        }
        FileReport {
            path: p.display().to_string(),
            bid: None,
            error: None,
            figures: None,
            findings: Vec::new(),
        }
    });
    assert_eq!(reports.len(), 21);
    for (r, f) in reports.iter().zip(&files) {
        assert_eq!(r.path, f.display().to_string(), "order kept");
        if r.path == "f07.xlsx" {
            assert_eq!(
                r.error.as_deref(),
                Some(
                    "internal error: bpt failed on this file (simulated bug); the other files \
                     were checked. This is a bug in bpt: please report it with the file"
                )
            );
        } else {
            assert_eq!(r.error, None);
        }
    }
    assert_eq!(app::exit_code(&reports), 2);
}

#[test]
fn batch_threads_are_bounded_by_cores_files_and_bpt_jobs() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(app::batch_threads(1), 1);
    assert_eq!(app::batch_threads(0), 1);
    assert_eq!(app::batch_threads(10_000), cores);
}

#[test]
fn one_bad_file_among_twenty_good_ones_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..20 {
        copy_sample(d, "msa-2013.xlsx", &format!("good-{i:02}.xlsx"));
    }
    let good = std::fs::read(sample("msa-2013.xlsx")).unwrap();
    std::fs::write(d.join("bad.xlsx"), &good[..good.len() / 2]).unwrap();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("S.csv");
    let r = bpt(&["validate", s(d), "--summary", s(&csv)]);
    assert_eq!(r.code, 2, "{}", r.err);
    let rows = summary_rows(&csv);
    assert_eq!(rows.len(), 21, "{rows:?}");
    assert_eq!(rows[0].0, d.join("bad.xlsx").display().to_string());
    assert_eq!(rows[0].1, "unreadable");
    for (f, st) in &rows[1..] {
        assert!(f.contains("good-"), "{f}");
        assert_eq!(st, "ok", "{f}");
    }
    for i in 0..20 {
        let name = format!("good-{i:02}.xlsx");
        assert_eq!(
            r.out.matches(&name).count(),
            2,
            "{name}: once in the report, once in the table\n{}",
            r.out
        );
    }
}

#[cfg(unix)]
#[test]
fn globs_do_not_follow_directory_links_and_each_file_is_checked_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("bids/sub")).unwrap();
    let a = copy_sample(&d.join("bids"), "msa-2013.xlsx", "a.xlsx");
    copy_sample(
        &d.join("bids/sub"),
        "msa-max-deductible-2013.xlsx",
        "b.xlsx",
    );
    // A loop back to the top, a second name for a.xlsx, a backup, a lock file.
    std::os::unix::fs::symlink(d.join("bids"), d.join("bids/sub/loop")).unwrap();
    std::fs::hard_link(&a, d.join("bids/sub/again.xlsx")).unwrap();
    copy_sample(
        &d.join("bids"),
        "msa-2013.xlsx",
        "a.20261201-093000.backup.xlsx",
    );
    copy_sample(&d.join("bids"), "msa-2013.xlsx", "~$a.xlsx");
    let csv = d.join("s.csv");
    let pattern = format!("{}/bids/**/*.xlsx", d.display());
    let t = Instant::now();
    let r = bpt(&[
        "validate",
        &pattern,
        s(&a),
        &format!("{}/bids/sub/../a.xlsx", d.display()),
        "--summary",
        s(&csv),
    ]);
    assert!(t.elapsed() < Duration::from_secs(60));
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let files: Vec<String> = summary_rows(&csv).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        files,
        [
            format!("{}/bids/a.xlsx", d.display()),
            format!("{}/bids/sub/b.xlsx", d.display()),
        ]
    );
    // `*` stays in one folder.
    let csv2 = d.join("s2.csv");
    let r = bpt(&[
        "validate",
        &format!("{}/bids/*.xlsx", d.display()),
        "--summary",
        s(&csv2),
    ]);
    assert_eq!(r.code, 0, "{}", r.err);
    let files: Vec<String> = summary_rows(&csv2).into_iter().map(|(f, _)| f).collect();
    assert_eq!(files, [format!("{}/bids/a.xlsx", d.display())]);
    // A pattern matching nothing is reported as such.
    let r = bpt(&["validate", &format!("{}/none/*.xlsx", d.display())]);
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
}

/// The batch run of issue 13: `BPT_BATCH_FILES` workbooks (CI: 200; the
/// documented run: 2,000), 5 % of them damaged or extreme, each a separate
/// file. Every file must be reported once and the summary be complete.
/// When `/usr/bin/time` exists the run's peak memory is printed
/// (`--nocapture`) and must stay under 1 GiB.
#[test]
fn a_large_batch_with_damaged_and_extreme_files() {
    let n: usize = std::env::var("BPT_BATCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let msa = std::fs::read(sample("msa-2013.xlsx")).unwrap();
    let msa_max = std::fs::read(sample("msa-max-deductible-2013.xlsx")).unwrap();
    let ma = std::fs::read(sample("hmo-mapd-2013.xlsx")).unwrap();
    let extreme = extreme_bid();
    let damaged: [(&str, Vec<u8>); 4] = [
        ("truncated", ma[..ma.len() / 3].to_vec()),
        (
            "not-a-zip",
            b"these are not the bytes of a workbook".to_vec(),
        ),
        ("empty", Vec::new()),
        ("junk-zip", {
            let mut b = msa.clone();
            let mid = b.len() / 2;
            b[mid..mid + 64].fill(0xAB);
            b
        }),
    ];
    let mut expect_unreadable = Vec::new();
    for i in 0..n {
        // Every 20th file is damaged or extreme (5 %).
        let (kind, bytes): (&str, &[u8]) = if i % 20 == 19 {
            match (i / 20) % 5 {
                4 => ("extreme", &extreme),
                k => (damaged[k].0, &damaged[k].1),
            }
        } else {
            match i % 10 {
                0 => ("ma", &ma),
                1 | 5 => ("msa-max", &msa_max),
                _ => ("msa", &msa),
            }
        };
        let name = format!("{i:05}-{kind}.xlsx");
        std::fs::write(d.join(&name), bytes).unwrap();
        if ["truncated", "not-a-zip", "empty"].contains(&kind) {
            expect_unreadable.push(name);
        }
    }
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("summary.csv");
    let time = Path::new("/usr/bin/time");
    let t = Instant::now();
    let r = if time.exists() {
        run(Command::new(time)
            .arg("-v")
            .arg(BIN)
            .args(["validate", s(d), "--summary", s(&csv)]))
    } else {
        bpt(&["validate", s(d), "--summary", s(&csv)])
    };
    let took = t.elapsed();
    assert_eq!(r.code, 2, "{}", &r.err[..r.err.len().min(4000)]);
    let rows = summary_rows(&csv);
    assert_eq!(rows.len(), n, "every file in the summary");
    let mut want: Vec<String> = names(d)
        .into_iter()
        .map(|f| d.join(f).display().to_string())
        .collect();
    want.sort();
    let got: Vec<String> = rows.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(got, want, "each file once, in name order");
    for (f, st) in &rows {
        let name = Path::new(f)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if expect_unreadable.contains(&name) {
            assert_eq!(st, "unreadable", "{f}");
        } else if name.contains("-msa") || name.contains("-ma.") {
            assert!(
                ["ok", "warnings", "errors"].contains(&st.as_str()),
                "{f}: {st}"
            );
        }
        assert!(
            ["ok", "warnings", "errors", "unreadable"].contains(&st.as_str()),
            "{f}: {st}"
        );
    }
    for f in &want {
        let name = Path::new(f)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(r.out.contains(&name), "{name} reported");
    }
    if let Some(line) = r
        .err
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
    {
        let kb: u64 = line.rsplit(':').next().unwrap().trim().parse().unwrap();
        println!(
            "batch of {n} files: {took:.1?}, peak RSS {} MiB ({} threads)",
            kb / 1024,
            app::batch_threads(n)
        );
        assert!(kb < 1024 * 1024, "peak memory {kb} KB");
    } else {
        println!("batch of {n} files: {took:.1?}");
    }
}

/// A valid MA bid with the largest `Decimal` in an input money cell.
fn extreme_bid() -> Vec<u8> {
    use bpt::template::Role;
    use bpt::value::Value;
    let layout = bpt::template::builtin_cached("ma-bpt-2013").unwrap();
    let mut v = bpt::sample::generate(&bpt::sample::profile("hmo-mapd-2013").unwrap(), layout);
    let id = layout
        .fields
        .iter()
        .find(|f| f.role == Role::Input && matches!(v.get(&f.id), Value::Number(_)))
        .unwrap()
        .id
        .clone();
    v.set(id, Value::Number(rust_decimal::Decimal::MAX));
    bpt::writer::write_form(layout, &v, &bpt::writer::WriteOptions::default()).unwrap()
}
