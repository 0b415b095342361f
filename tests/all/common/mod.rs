//! Shared helpers for integration tests: running LibreOffice headless to
//! open, convert and recalculate workbooks.
//!
//! Use from a test file with `mod common;`. Tests that need LibreOffice
//! start with `if !common::soffice_required() { return; }`: when `soffice`
//! is missing they fail, telling to install `libreoffice-calc-nogui` (CI
//! installs it), unless `BPT_SKIP_LIBREOFFICE=1` is set, in which case they
//! print that they skipped and pass.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one conversion may take before LibreOffice is killed.
pub const SOFFICE_TIMEOUT: Duration = Duration::from_secs(180);

/// Target for [`soffice_convert`]: PDF.
pub const TO_PDF: &str = "pdf";
/// Target for [`soffice_convert`]: an `.xlsx` written by LibreOffice, with
/// every formula recalculated.
pub const TO_XLSX: &str = "xlsx:\"Calc MS Excel 2007 XML\"";

/// The `soffice` executable on `PATH`, if any.
pub fn soffice_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
}

/// Whether a LibreOffice test should run. Panics when `soffice` is missing,
/// unless `BPT_SKIP_LIBREOFFICE=1`, in which case it prints a note and
/// returns `false`.
pub fn soffice_required() -> bool {
    if soffice_path().is_some() {
        return true;
    }
    if std::env::var("BPT_SKIP_LIBREOFFICE").as_deref() == Ok("1") {
        eprintln!("skipped: soffice is not on PATH and BPT_SKIP_LIBREOFFICE=1");
        return false;
    }
    panic!(
        "soffice (LibreOffice) is not on PATH: install libreoffice-calc-nogui \
         (CI installs it), or set BPT_SKIP_LIBREOFFICE=1 to skip LibreOffice tests"
    );
}

/// A profile that makes LibreOffice recalculate every formula when it
/// loads a file (by default it trusts the cached results of `.xlsx` files).
const REGISTRY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#;

/// `file://` URL of an absolute path (percent-encoding what needs it).
fn file_url(p: &Path) -> String {
    let mut out = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Converts `input` with LibreOffice headless into `outdir` and returns
/// the path of the converted file (`outdir/<input stem>.<extension>`).
///
/// `target` is what `soffice --convert-to` takes: `"pdf"` ([`TO_PDF`]) or
/// `xlsx:"Calc MS Excel 2007 XML"` ([`TO_XLSX`]), quoted as for a shell or
/// not; the extension is the part before `:`. Every formula is recalculated on load, so converting to
/// `.xlsx` gives LibreOffice's results as the cached values. Each call uses
/// its own throw-away LibreOffice profile, so calls may run in parallel.
/// LibreOffice is killed after [`SOFFICE_TIMEOUT`]. `outdir` must not be
/// the input's directory when the extension is the input's (LibreOffice
/// would overwrite the input).
pub fn soffice_convert(input: &Path, outdir: &Path, target: &str) -> Result<PathBuf, String> {
    let soffice = soffice_path().ok_or(
        "soffice (LibreOffice) is not on PATH: install libreoffice-calc-nogui".to_string(),
    )?;
    let input = fs::canonicalize(input).map_err(|e| format!("{}: {e}", input.display()))?;
    fs::create_dir_all(outdir).map_err(|e| format!("{}: {e}", outdir.display()))?;
    let outdir = fs::canonicalize(outdir).map_err(|e| format!("{}: {e}", outdir.display()))?;
    let ext = target.split(':').next().unwrap_or(target);
    let stem = input
        .file_stem()
        .ok_or_else(|| format!("{}: no file name", input.display()))?;
    let output = outdir.join(format!("{}.{ext}", stem.to_string_lossy()));
    if output == input {
        return Err(format!(
            "converting {} to {ext} in its own directory would overwrite it",
            input.display()
        ));
    }
    let _ = fs::remove_file(&output);

    let profile = tempfile::Builder::new()
        .prefix("bpt-soffice-profile-")
        .tempdir()
        .map_err(|e| format!("cannot make a LibreOffice profile: {e}"))?;
    let user = profile.path().join("user");
    fs::create_dir_all(&user).map_err(|e| format!("{}: {e}", user.display()))?;
    fs::write(user.join("registrymodifications.xcu"), REGISTRY)
        .map_err(|e| format!("cannot write the LibreOffice profile: {e}"))?;
    let log_path = profile.path().join("soffice.log");
    let log = fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;

    let mut cmd = Command::new(&soffice);
    cmd.arg("--headless")
        .arg("--norestore")
        .arg("--nolockcheck")
        .arg(format!(
            "-env:UserInstallation={}",
            file_url(profile.path())
        ))
        .arg("--convert-to")
        // No shell in between: quotes written for one are dropped.
        .arg(target.replace('"', ""))
        .arg("--outdir")
        .arg(&outdir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Own process group, so a timeout kills soffice.bin too, not only
        // the launcher.
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", soffice.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > SOFFICE_TIMEOUT => {
                kill_group(&mut child);
                return Err(format!(
                    "soffice did not finish converting {} within {} s; killed. Log:\n{}",
                    input.display(),
                    SOFFICE_TIMEOUT.as_secs(),
                    fs::read_to_string(&log_path).unwrap_or_default()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => {
                kill_group(&mut child);
                return Err(format!("waiting for soffice: {e}"));
            }
        }
    };
    let log_text = fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "soffice exited with {status} converting {}. Log:\n{log_text}",
            input.display()
        ));
    }
    match fs::metadata(&output) {
        Ok(m) if m.len() > 0 => Ok(output),
        Ok(_) => Err(format!(
            "soffice wrote an empty {}. Log:\n{log_text}",
            output.display()
        )),
        Err(_) => Err(format!(
            "soffice exited successfully but wrote no {}. Log:\n{log_text}",
            output.display()
        )),
    }
}

/// Kills the child and its process group (the group we gave it).
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(format!("-{}", child.id()))
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

pub mod agreement;
pub mod oracle;
pub mod parts;

/// The `bpt` binary of this build.
pub const BIN: &str = env!("CARGO_BIN_EXE_bpt");

/// Longest one run of `bpt` may take (generous: a healthy run takes about a
/// second in a debug build, on a loaded CI machine a few).
pub const BOUND: Duration = Duration::from_secs(180);

/// What one run of `bpt` did.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl From<Run> for (i32, String, String) {
    fn from(r: Run) -> Self {
        (r.code, r.out, r.err)
    }
}

/// Runs `cmd` (a `bpt` command line) and asserts what every run must do,
/// whatever its input: no panic, an exit code in {0, 1, 2}, done within
/// [`BOUND`].
pub fn run(cmd: &mut Command) -> Run {
    let t = Instant::now();
    let out = cmd.output().expect("run bpt");
    let what = format!("{:?}", cmd.get_args().collect::<Vec<_>>());
    assert!(t.elapsed() < BOUND, "{what} took {:?}", t.elapsed());
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.err.contains("panicked") && !r.out.contains("panicked"),
        "{what} panicked: {}",
        r.err
    );
    assert!(
        [0, 1, 2].contains(&r.code),
        "{what}: exit {}: {}",
        r.code,
        r.err
    );
    r
}

/// Runs `bpt ARGS` with extra environment variables.
pub fn bpt_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(BIN);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run(&mut c)
}

/// Runs `bpt ARGS` in a working directory (the current one if `None`).
pub fn bpt_in(dir: Option<&Path>, args: &[&str]) -> Run {
    let mut c = Command::new(BIN);
    c.args(args);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    run(&mut c)
}

/// Runs `bpt ARGS`.
pub fn bpt_run(args: &[&str]) -> Run {
    bpt_in(None, args)
}

/// Runs `bpt ARGS`: (exit code, stdout, stderr).
pub fn bpt(args: &[&str]) -> (i32, String, String) {
    bpt_run(args).into()
}
