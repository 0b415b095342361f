//! `bpt`: the command-line shell over the `bpt` library.
//!
//! Every command's work is a library function (see `bpt::app`); this file
//! only parses arguments, prints, and exits with the command's status.

use bpt::app::{self, DiffFormat, EditFormat, Outcome, ValidateOptions};
use bpt::report::Format;
use bpt::rules::{Origin, Selection};
use clap::{Parser, Subcommand};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Reads, recalculates, validates and writes CMS Medicare Advantage Bid
/// Pricing Tool (BPT) workbooks.
///
/// Exit status: 0 success; 1 the bid has errors (validate) or differences were
/// found (diff); 2 a file could not be read or the command line was wrong.
#[derive(Parser)]
#[command(name = "bpt", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Read every workbook with this template or layout overlay (a shipped
    /// id or a .toml file), without recognising it. Overlays listed in
    /// bpt.toml `[templates] overlays` are tried by their recognition rules
    /// otherwise (docs/overlays.md).
    #[arg(long, global = true, value_name = "FILE|ID")]
    template: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Write a blank form for a contract year, list the shipped templates, or
    /// check a template file.
    ///
    /// The blank form has one sheet per worksheet (WS1…WS7), input cells
    /// unlocked and shaded, calculated cells locked and holding their Excel
    /// formulas, dropdowns for every choice field, numeric validation where
    /// the instructions give ranges, number formats, sheet protection, defined
    /// names and frozen headers.
    ///
    /// Examples:
    ///   bpt template --list
    ///   bpt template ma-bpt-2013 -o blank.xlsx
    ///   bpt template --check my-template.toml
    Template {
        /// Template id (see --list).
        id: Option<String>,
        /// Output workbook.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// List the shipped templates.
        #[arg(long)]
        list: bool,
        /// Load and resolve a template file, report the first problem.
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
        /// Print the resolved layout (every field, its cell and formula) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read a bid into typed values per worksheet.
    ///
    /// Invalid cells (text in a money cell, #DIV/0!, a date where a code
    /// belongs) are kept with their sheet, cell and raw content.
    ///
    /// Examples:
    ///   bpt read sample-bids/hmo-mapd-2013.xlsx
    ///   bpt read bid.xlsx --json > bid.json
    Read {
        /// The workbook.
        file: PathBuf,
        /// Print every field as JSON, grouped by worksheet.
        #[arg(long)]
        json: bool,
    },
    /// Recompute every calculated cell in exact decimals.
    ///
    /// Prints each calculated field's recomputed value, or with -o writes a
    /// copy of the workbook (same format: .xlsx or .xlsm) in which only the
    /// cached values of calculated cells that differ from bpt's change
    /// (formulas kept, every other part byte for byte), and lists each edit.
    ///
    /// Examples:
    ///   bpt recalc bid.xlsx
    ///   bpt recalc bid.xlsx -o recalculated.xlsx --format json
    Recalc {
        /// The workbook.
        file: PathBuf,
        /// Print JSON (field id → value; with -o, the edit list).
        #[arg(long)]
        json: bool,
        /// Write a recalculated copy here (same extension as the input).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// Format of the edit list printed with -o.
        #[arg(long, value_enum, default_value = "text")]
        format: EditFormat,
    },
    /// Compare submitted calculated values with bpt's, or two bids.
    ///
    /// With one file: lists every calculated cell whose submitted value
    /// differs from the recomputed one. Rounded cells must match exactly;
    /// unrounded cells within --tolerance (Excel computes in binary floating
    /// point). With two files: lists every field that changed (a June bid and
    /// its resubmission).
    ///
    /// Examples:
    ///   bpt diff bid.xlsx
    ///   bpt diff june.xlsx september.xlsx --format csv
    Diff {
        /// The workbook (or the older of two).
        file: PathBuf,
        /// A second workbook to compare with.
        other: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
        /// Tolerance for unrounded calculated cells.
        #[arg(long, default_value = "0.000001")]
        tolerance: Decimal,
        /// Also list calculated cells whose formula is not the template's
        /// (translated to the workbook's cells, e.g. through an overlay), or
        /// that hold a constant.
        #[arg(long)]
        formulas: bool,
    },
    /// Validate bids against every rule of the CMS instructions.
    ///
    /// A directory stands for the workbooks in it. Defaults for --select,
    /// --ignore and --tolerance come from bpt.toml (current directory or a
    /// parent) or --config.
    ///
    /// Examples:
    ///   bpt validate sample-bids/hmo-mapd-2013.xlsx
    ///   bpt validate bids/ --format json > findings.json
    ///   bpt validate bid.xlsx --ignore D --select M,A,P
    ///   bpt validate 'season/*.xlsx' --summary summary.csv
    Validate {
        /// Workbooks or directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Only these rule ids or family prefixes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Never these rule ids or family prefixes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Tolerance for unrounded calculated cells (default 0.000001).
        #[arg(long)]
        tolerance: Option<Decimal>,
        /// Config file (default: bpt.toml in this directory or a parent, up to
        /// the repository or home directory).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also write the batch summary (one row per bid) to a .csv or .json file.
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        /// Replace an existing summary file (never an input, never a
        /// symlink, FIFO or device).
        #[arg(long)]
        force: bool,
    },
    /// Finalize a bid for HPMS upload, as the CMS form does.
    ///
    /// Refuses (exit 1), listing every blocker with its rule id and cell,
    /// while any error-level finding stands. Otherwise writes OUT, a copy of
    /// the input in its format with only this changed: WS6 Section V
    /// (working-model text) removed, WS5 county rows sorted in descending
    /// order of county code, and calculated cells holding their values. It
    /// prints the record of changes and every cell edit (--record FILE
    /// writes it to a file too; .json for JSON); nothing is added to the
    /// upload copy. The input is never modified.
    ///
    /// Examples:
    ///   bpt finalize bid.xlsx -o bid-final.xlsx
    ///   bpt finalize bid.xlsx -o final/bid.xlsx --backup --record final/bid-changes.txt
    Finalize {
        /// The bid workbook (.xlsx or .xlsm).
        file: PathBuf,
        /// Where to write the finalized workbook (same extension as the input).
        #[arg(short, long)]
        output: PathBuf,
        /// Also write the record of changes to this file (JSON when it ends in .json).
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Format of the record printed.
        #[arg(long, value_enum, default_value = "text")]
        format: EditFormat,
        /// Replace OUTPUT if it exists.
        #[arg(long)]
        force: bool,
        /// Keep a timestamped copy of the input beside the output.
        #[arg(long)]
        backup: bool,
        /// Tolerance for unrounded calculated cells.
        #[arg(long, default_value = "0.000001")]
        tolerance: Decimal,
    },
    /// Rebate reallocation after the Part D national average and regional
    /// benchmarks are announced (Appendix E).
    ///
    /// With one bid: whether reallocation is permitted for the plan type,
    /// which rule (A–H) applies, and the permissible new allocations and
    /// premiums that return the plan to its target Part D basic premium
    /// (line 7d, or the LIPSA), with the premium-rounding options. `-o`
    /// writes the resubmission workbook for one option: a copy of the June
    /// file (same format) in which only that option's inputs and the cached
    /// results that follow from them change; the edits are listed.
    ///
    /// With --check: every change between the June bid and its
    /// resubmission that Appendix E does not permit (exit 1).
    ///
    /// Examples:
    ///   bpt reallocate june.xlsx --part-d-basic-premium 34.20
    ///   bpt reallocate june.xlsx --part-d-basic-premium 31.20 --lipsa 31.76 -o august.xlsx --option 2
    ///   bpt reallocate --check june.xlsx august.xlsx
    Reallocate {
        /// The June bid.
        june: PathBuf,
        /// The resubmitted bid (with --check).
        resubmitted: Option<PathBuf>,
        /// Check a resubmission against the June bid.
        #[arg(long)]
        check: bool,
        /// The announced Part D basic premium before rebates (new line 7a).
        #[arg(long, value_name = "X")]
        part_d_basic_premium: Option<Decimal>,
        /// The plan's low-income premium subsidy amount.
        #[arg(long, value_name = "Y")]
        lipsa: Option<Decimal>,
        /// RPPOs: the published standardized regional benchmark.
        #[arg(long, value_name = "Z")]
        regional_benchmark: Option<Decimal>,
        /// RPPOs: the new MA rebate, when known directly.
        #[arg(long)]
        ma_rebate: Option<Decimal>,
        /// Write the resubmission workbook for --option N.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Which option to write (1 = the first listed).
        #[arg(long, default_value_t = 1)]
        option: usize,
        /// Replace OUTPUT if it exists.
        #[arg(long)]
        force: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List every validation rule.
    Rules {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain a rule: what it checks, why, and an example.
    ///
    /// Example: bpt explain M010
    Explain {
        /// Rule id.
        id: String,
    },
    /// Write an annotated copy of a bid for review.
    ///
    /// The output is the original file plus: a first sheet "Findings"
    /// (summary, key figures, one row per finding linked to its cell); on
    /// each cell with a finding a fill by severity and a note (an existing
    /// note is kept, the findings appended). Everything else is copied byte
    /// for byte. Prints the list of edits.
    ///
    /// Example: bpt annotate bid.xlsx -o bid-annotated.xlsx
    Annotate {
        /// The workbook (.xlsx or .xlsm).
        file: PathBuf,
        /// Output workbook (never the input; same extension as the input).
        #[arg(short, long)]
        output: PathBuf,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// Format of the edit list.
        #[arg(long, value_enum, default_value = "text")]
        format: EditFormat,
    },
    /// Write sample bids made by code (deterministic).
    ///
    /// Examples:
    ///   bpt sample --list
    ///   bpt sample --all -o sample-bids/
    ///   bpt sample hmo-mapd-2013 -o /tmp/
    Sample {
        /// Sample names (see --list).
        names: Vec<String>,
        /// Every sample.
        #[arg(long)]
        all: bool,
        /// Output directory.
        #[arg(short, long, default_value = ".")]
        output: PathBuf,
        /// List the samples.
        #[arg(long)]
        list: bool,
        /// Write the broken twins (one per rule family) instead.
        #[arg(long)]
        broken: bool,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    // SIGINT/SIGTERM/SIGHUP remove the temporary file of a save in progress
    // before the process ends (see bpt::writer::save_atomic).
    if let Err(e) = bpt::writer::install_signal_cleanup() {
        eprintln!(
            "bpt: warning: cannot watch for signals ({e}); an interrupted save may leave a hidden .tmp file"
        );
    }
    let cli = Cli::parse();
    let o = match configure_templates(cli.template.as_deref()) {
        Ok(()) => run(cli.command),
        Err(e) => usage(&e),
    };
    // A closed pipe (`bpt rules | head -1`) ends the output quietly: write
    // errors are ignored and the exit status is the command's own.
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(o.stdout.as_bytes());
    let _ = std::io::stdout().lock().flush();
    let err = bpt::sanitize::visible_lines(&o.stderr);
    let _ = std::io::stderr().lock().write_all(err.as_bytes());
    ExitCode::from(u8::try_from(o.code).unwrap_or(2))
}

/// `--template` and the overlays of bpt.toml's `[templates]`, for every
/// workbook read in this process.
fn configure_templates(forced: Option<&str>) -> Result<(), String> {
    let forced = forced
        .map(|s| bpt::template::by_id_or_file(s).map_err(|e| format!("--template: {e}")))
        .transpose()?;
    let cwd = std::env::current_dir().unwrap_or_default();
    // A bpt.toml that does not load is reported by the commands that use it.
    let overlays = match bpt::config::discover(&cwd) {
        Ok(c) => c.template_overlays()?,
        Err(_) => Vec::new(),
    };
    bpt::reader::set_templates(bpt::reader::Templates {
        forced,
        overlays: Vec::leak(overlays),
    });
    Ok(())
}

/// A command-line error (exit 2), shown with visible escapes.
fn usage(msg: &str) -> Outcome {
    Outcome {
        stderr: format!("bpt: {}\n", bpt::sanitize::visible(msg)),
        code: app::UNREADABLE,
        ..Outcome::default()
    }
}

/// `--tolerance` must be ≥ 0.
fn check_tolerance(t: Decimal) -> Result<Decimal, Outcome> {
    if t.is_sign_negative() && !t.is_zero() {
        Err(usage(&format!(
            "--tolerance {t} is negative; it must be ≥ 0"
        )))
    } else {
        Ok(t)
    }
}

fn run(cmd: Command) -> Outcome {
    match cmd {
        Command::Template {
            id,
            output,
            force,
            list,
            check,
            json,
        } => app::template(app::TemplateArgs {
            id,
            output,
            force,
            list,
            check,
            json,
        }),
        Command::Read { file, json } => app::read(&file, json),
        Command::Recalc {
            file,
            json,
            output,
            force,
            format,
        } => app::recalc(
            &file,
            json || format == EditFormat::Json,
            output.as_deref(),
            force,
        ),
        Command::Finalize {
            file,
            output,
            record,
            format,
            force,
            backup,
            tolerance,
        } => match check_tolerance(tolerance) {
            Ok(t) => app::finalize(
                &file,
                &output,
                force,
                backup,
                t,
                record.as_deref(),
                format == EditFormat::Json,
            ),
            Err(o) => o,
        },
        Command::Reallocate {
            june,
            resubmitted,
            check,
            part_d_basic_premium,
            lipsa,
            regional_benchmark,
            ma_rebate,
            output,
            option,
            force,
            json,
        } => {
            let a = app::AnnouncedArgs {
                part_d_basic_premium,
                lipsa,
                regional_benchmark,
                ma_rebate,
            };
            match (check, resubmitted) {
                (true, Some(r)) => app::reallocate_check(&june, &r, &a, json),
                (true, None) => Outcome {
                    stderr: "bpt: --check needs the June bid and the resubmitted bid\n".into(),
                    code: app::UNREADABLE,
                    ..Outcome::default()
                },
                (false, Some(_)) => Outcome {
                    stderr: "bpt: two bids compare with --check\n".into(),
                    code: app::UNREADABLE,
                    ..Outcome::default()
                },
                (false, None) => app::reallocate(
                    &june,
                    &a,
                    json,
                    output.as_deref().map(|o| (o, option, force)),
                ),
            }
        }
        Command::Diff {
            file,
            other,
            format,
            tolerance,
            formulas,
        } => match (other, check_tolerance(tolerance)) {
            (_, Err(o)) => o,
            (Some(_), Ok(_)) if formulas => {
                usage("--formulas compares one workbook with its template; give one file")
            }
            (Some(o), Ok(_)) => app::diff_bids(&file, &o, format),
            (None, Ok(t)) => app::diff_calc_with(&file, format, t, formulas),
        },
        Command::Validate {
            files,
            format,
            select,
            ignore,
            tolerance,
            config,
            summary,
            force,
        } => {
            let cfg = match config {
                Some(p) => bpt::config::load(&p),
                None => std::env::current_dir()
                    .map_err(|e| e.to_string())
                    .and_then(|d| bpt::config::discover(&d)),
            };
            let cfg = match cfg {
                Ok(c) => c,
                Err(e) => return usage(&e),
            };
            let (select, ignore) = match (
                Selection::parse_entries(&select, "--select"),
                Selection::parse_entries(&ignore, "--ignore"),
            ) {
                (Ok(s), Ok(i)) => (s, i),
                (Err(e), _) | (_, Err(e)) => return usage(&e),
            };
            let tolerance = match tolerance.map(check_tolerance).transpose() {
                Ok(t) => t,
                Err(o) => return o,
            };
            let tolerance = tolerance
                .or_else(|| cfg.validate.tolerance().ok().flatten())
                .unwrap_or(bpt::diff::DEFAULT_TOLERANCE);
            // What each entry came from, for the reports.
            let select_by = match (select.is_empty(), cfg.validate.select.is_empty()) {
                (false, _) => "--select",
                (true, false) => "bpt.toml",
                (true, true) => "",
            };
            let origin = Origin {
                config: cfg.path.clone(),
                select: select_by,
                ignore: std::iter::repeat_n("bpt.toml", cfg.validate.ignore.len())
                    .chain(std::iter::repeat_n("--ignore", ignore.len()))
                    .collect(),
            };
            let opts = ValidateOptions {
                selection: Selection {
                    select: if select.is_empty() {
                        cfg.validate.select.clone()
                    } else {
                        select
                    },
                    ignore: cfg.validate.ignore.iter().cloned().chain(ignore).collect(),
                    origin,
                },
                tolerance,
            };
            app::validate(&files, format, &opts, summary.as_deref(), force)
        }
        Command::Rules { json } => app::list_rules(json),
        Command::Explain { id } => app::explain(&id),
        Command::Annotate {
            file,
            output,
            force,
            format,
        } => app::annotate(&file, &output, force, format == EditFormat::Json),
        Command::Sample {
            names,
            all,
            output,
            list,
            broken,
            force,
        } => {
            if broken {
                app::sample_broken(&output, force)
            } else {
                app::sample(&names, all, &output, list, force)
            }
        }
    }
}
