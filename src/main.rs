//! `bpt`: the command-line shell over the `bpt` library.
//!
//! Every command's work is a library function (see `bpt::app`); this file
//! only parses arguments, prints, and exits with the command's status.

use bpt::app::{self, DataFormat, EditFormat, Outcome, SeverityArg, ValidateOptions};
use bpt::report::Format;
use bpt::rules::{Origin, Selection};
use clap::{Parser, Subcommand};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

// mimalloc instead of the system allocator: a one-shot run makes some
// 300,000 small allocations reading the template cache back, and glibc's
// `malloc` was a fifth of its instructions (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    #[command(after_help = TEMPLATE_HELP)]
    Template {
        /// Template id (see --list), or `map` to map a workbook.
        id: Option<String>,
        /// With `map`: the workbook to map (`bpt template map WORKBOOK`).
        workbook: Option<PathBuf>,
        /// With `map`: the shipped template to map onto (default: the one
        /// that places the most fields).
        #[arg(long, value_name = "ID")]
        base: Option<String>,
        /// With `map`: the overlay's id (default: the workbook's name).
        #[arg(long = "id", value_name = "ID")]
        overlay_id: Option<String>,
        /// With `map`: text (the coverage table) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: EditFormat,
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
    #[command(after_help = READ_HELP)]
    Read {
        /// The workbook.
        file: PathBuf,
        /// Output format: text (a summary per worksheet), json (every field,
        /// grouped by worksheet) or csv (one row per field that holds a value).
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
        /// Same as --format json (kept as an alias).
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Recompute every calculated cell in exact decimals.
    ///
    /// Prints each calculated field's recomputed value, or with -o writes a
    /// copy of the workbook (same format: .xlsx or .xlsm) in which only the
    /// cached values of calculated cells that differ from bpt's change
    /// (formulas kept, every other part byte for byte), and lists each edit.
    #[command(after_help = RECALC_HELP)]
    Recalc {
        /// The workbook.
        file: PathBuf,
        /// Write a recalculated copy here (same extension as the input).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// Output format of the values (with -o, of the edit list).
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
        /// Same as --format json (kept as an alias).
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Compare submitted calculated values with bpt's, or two bids.
    ///
    /// With one file: lists every calculated cell whose submitted value
    /// differs from the recomputed one. Rounded cells must match exactly;
    /// unrounded cells within --tolerance (Excel computes in binary floating
    /// point). With two files: lists every field that changed (a June bid and
    /// its resubmission).
    #[command(after_help = DIFF_HELP)]
    Diff {
        /// The workbook (or the older of two).
        file: PathBuf,
        /// A second workbook to compare with.
        other: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
        /// Same as --format json (kept as an alias).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Tolerance: for unrounded calculated cells (one file), for numbers
        /// that differ by no more than it (two files).
        #[arg(long, default_value = "0.000001")]
        tolerance: Decimal,
        /// Two files: only the fields the actuary enters (not CMS-populated
        /// or calculated cells).
        #[arg(long)]
        inputs_only: bool,
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
    #[command(after_help = VALIDATE_HELP)]
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
        /// Report only findings of this severity or worse (error, warning,
        /// info); the exit status still counts every error.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        min_severity: Option<SeverityArg>,
        /// Print only the totals line of the text report (the exit status
        /// tells the rest).
        #[arg(short, long)]
        quiet: bool,
        /// Search the folders given in their subfolders too.
        #[arg(short, long)]
        recursive: bool,
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
    #[command(after_help = FINALIZE_HELP)]
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
    #[command(after_help = REALLOCATE_HELP)]
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
        /// Output format (with -o: of the edit list).
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
        /// Same as --format json (kept as an alias).
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// List the validation rules: all, or one family or severity.
    #[command(after_help = RULES_HELP)]
    Rules {
        /// Only these families (comma-separated: M,A).
        #[arg(long, value_delimiter = ',')]
        family: Vec<String>,
        /// Only rules of this severity.
        #[arg(long, value_enum)]
        severity: Option<SeverityArg>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
        /// Same as --format json (kept as an alias).
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Explain a rule: what it checks, why, and an example.
    ///
    /// Takes a rule id (M010), a rule name (de-total-tolerance) or a family
    /// (M: every rule of it).
    #[command(after_help = EXPLAIN_HELP)]
    Explain {
        /// Rule id, rule name or family.
        rule: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: DataFormat,
    },
    /// Write an annotated copy of a bid for review.
    ///
    /// The output is the original file plus: a first sheet "Findings"
    /// (summary, key figures, one row per finding linked to its cell); on
    /// each cell with a finding a fill by severity and a note (an existing
    /// note is kept, the findings appended). Everything else is copied byte
    /// for byte. Prints the list of edits.
    #[command(after_help = ANNOTATE_HELP)]
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
    #[command(after_help = SAMPLE_HELP)]
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
        /// The broken twins (one per rule family) instead: written, or with
        /// --list listed.
        #[arg(long)]
        broken: bool,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

const TEMPLATE_HELP: &str = "Examples:\n  bpt template --list\n  bpt template ma-bpt-2013 -o blank.xlsx\n  bpt template --check my-template.toml\n  bpt template map cms-bid.xlsx --base ma-bpt-2013 -o my-layout.toml\n\nExit status: 0 done (map: every field placed); 1 --check found a problem in the template, or map left fields ambiguous or not found; 2 a file could not be read or written, or the command line was wrong.";
const READ_HELP: &str = "Examples:\n  bpt read sample-bids/hmo-mapd-2013.xlsx\n  bpt read bid.xlsx --format json > bid.json\n  bpt read bid.xlsx --format csv > fields.csv\n\nExit status: 0 read; 2 the file could not be read, or the command line was wrong.";
const RECALC_HELP: &str = "Examples:\n  bpt recalc bid.xlsx\n  bpt recalc bid.xlsx --format csv > calculated.csv\n  bpt recalc bid.xlsx -o recalculated.xlsx --format json\n\nExit status: 0 done; 2 the file could not be read or written, or the command line was wrong.";
const DIFF_HELP: &str = "Examples:\n  bpt diff bid.xlsx\n  bpt diff june.xlsx september.xlsx\n  bpt diff june.xlsx september.xlsx --inputs-only --format csv\n  bpt diff june/ september/\n\nExit status: 0 no differences; 1 differences found; 2 a file could not be read, or the command line was wrong.";
const VALIDATE_HELP: &str = "Examples:\n  bpt validate sample-bids/hmo-mapd-2013.xlsx\n  bpt validate bids/ --format json > findings.json\n  bpt validate bid.xlsx --ignore D --select M,A,P\n  bpt validate bids/ --min-severity warning\n  bpt validate 'season/*.xlsx' --summary summary.csv\n\nExit status: 0 no error findings; 1 at least one error finding; 2 a file could not be read (the others are still checked), or the command line was wrong.";
const FINALIZE_HELP: &str = "Examples:\n  bpt finalize bid.xlsx -o bid-final.xlsx\n  bpt finalize bid.xlsx -o final/bid.xlsx --backup --record final/bid-changes.txt\n\nExit status: 0 finalized; 1 refused: error findings stand (nothing written), or written with a step left to you (a section of a mapped workbook that could not be removed safely: the report says which and why); 2 a file could not be read or written, or the command line was wrong.";
const REALLOCATE_HELP: &str = "Examples:\n  bpt reallocate june.xlsx --part-d-basic-premium 34.20\n  bpt reallocate june.xlsx --part-d-basic-premium 34.20 --format csv\n  bpt reallocate june.xlsx --part-d-basic-premium 31.20 --lipsa 31.76 -o august.xlsx --option 2\n  bpt reallocate --check june.xlsx august.xlsx\n\nExit status: 0 done (with --check: every change is one Appendix E permits); 1 with --check: a change Appendix E does not permit; 2 a file could not be read or written, or the command line was wrong.";
const RULES_HELP: &str = "Examples:\n  bpt rules\n  bpt rules --family M --severity error\n  bpt rules --format json\n\nExit status: 0 listed; 2 an unknown family, or the command line was wrong.";
const EXPLAIN_HELP: &str = "Examples:\n  bpt explain M010\n  bpt explain de-total-tolerance\n  bpt explain M --format json\n\nExit status: 0 explained; 2 no such rule, name or family, or the command line was wrong.";
const ANNOTATE_HELP: &str = "Example:\n  bpt annotate bid.xlsx -o bid-annotated.xlsx\n\nExit status: 0 written (findings or not); 2 a file could not be read or written, or the command line was wrong.";
const SAMPLE_HELP: &str = "Examples:\n  bpt sample --list\n  bpt sample --all -o sample-bids/\n  bpt sample hmo-mapd-2013 -o /tmp/\n  bpt sample --broken --list\n  bpt sample --broken -o sample-bids/broken/\n\nExit status: 0 written (or listed); 2 a file could not be written, or the command line was wrong.";

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
        // A template's error may span lines (a TOML error shows the line
        // and a caret): printed as lines, each with visible escapes.
        Err(e) => Outcome {
            stderr: format!("bpt: {}\n", bpt::sanitize::visible_lines(&e)),
            code: app::UNREADABLE,
            ..Outcome::default()
        },
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
            workbook,
            base,
            overlay_id,
            format,
            output,
            force,
            json,
            ..
        } if id.as_deref() == Some("map") => match workbook {
            Some(workbook) => app::template_map(&app::MapArgs {
                workbook,
                base,
                output,
                force,
                id: overlay_id,
                json: json || format == EditFormat::Json,
            }),
            None => usage("template map: give the workbook to map (bpt template map WORKBOOK)"),
        },
        Command::Template { workbook, .. } if workbook.is_some() => usage(&format!(
            "template: unexpected argument `{}` (did you mean `bpt template map`?)",
            workbook
                .map(|w| w.display().to_string())
                .unwrap_or_default()
        )),
        Command::Template {
            id,
            output,
            force,
            list,
            check,
            json,
            ..
        } => app::template(app::TemplateArgs {
            id,
            output,
            force,
            list,
            check,
            json,
        }),
        Command::Read { file, format, json } => app::read(&file, format.or_json(json)),
        Command::Recalc {
            file,
            json,
            output,
            force,
            format,
        } => app::recalc(&file, format.or_json(json), output.as_deref(), force),
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
            format,
            json,
        } => {
            let format = format.or_json(json);
            let a = app::AnnouncedArgs {
                part_d_basic_premium,
                lipsa,
                regional_benchmark,
                ma_rebate,
            };
            match (check, resubmitted) {
                (true, Some(r)) => app::reallocate_check(&june, &r, &a, format),
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
                    format,
                    output.as_deref().map(|o| (o, option, force)),
                ),
            }
        }
        Command::Diff {
            file,
            other,
            format,
            json,
            tolerance,
            inputs_only,
            formulas,
        } => {
            let format = format.or_json(json);
            match (other, check_tolerance(tolerance)) {
                (_, Err(o)) => o,
                (Some(_), Ok(_)) if formulas => {
                    usage("--formulas compares one workbook with its template; give one file")
                }
                (Some(o), Ok(t)) => app::diff_bids_with(
                    &file,
                    &o,
                    format,
                    &app::DiffOptions {
                        tolerance: t,
                        inputs_only,
                    },
                ),
                (None, Ok(_)) if inputs_only => {
                    usage("--inputs-only compares two bids: give OLD and NEW")
                }
                (None, Ok(t)) => app::diff_calc_with(&file, format, t, formulas),
            }
        }
        Command::Validate {
            files,
            format,
            select,
            ignore,
            tolerance,
            config,
            summary,
            force,
            min_severity,
            quiet,
            recursive,
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
            let report = app::ReportOptions {
                min_severity: min_severity.map(Into::into),
                quiet,
                recursive,
            };
            app::validate_with(&files, format, &opts, &report, summary.as_deref(), force)
        }
        Command::Rules {
            family,
            severity,
            format,
            json,
        } => app::list_rules(
            &app::RuleFilter {
                families: family,
                severity: severity.map(Into::into),
            },
            format.or_json(json),
        ),
        Command::Explain { rule, format } => app::explain(&rule, format),
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
            if broken && list {
                app::sample_broken_list()
            } else if broken {
                app::sample_broken(&output, force)
            } else {
                app::sample(&names, all, &output, list, force)
            }
        }
    }
}
