//! The integration tests: one binary, one module per area (the layout ripgrep uses),
//! so the suite links once. Run one area with `cargo test --test all AREA::`, e.g.
//! `cargo test --locked --test all rules_each::`.

mod common;

mod batch;
mod calc_properties;
mod cli;
mod evaluator_examples;
mod extreme;
mod form_libreoffice;
mod form_oracle;
mod fuzz;
mod hostile;
mod hostile_outputs;
mod hostile_reader;
mod hostile_reports;
mod libreoffice_formats;
mod libreoffice_msa;
mod libreoffice_open;
mod libreoffice_recalc;
mod mapped;
mod msa;
mod new_year;
mod oracle_regenerate;
mod overlays;
mod preserve;
mod reader;
mod reallocate_appendix_e;
mod rebate_table;
mod render_libreoffice;
mod reports;
mod root_cause;
mod rules_each;
mod samples;
mod summary;
mod template_cache;
mod writer;
