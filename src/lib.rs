//! `bpt` reads, recalculates, validates and writes CMS Medicare Advantage
//! Bid Pricing Tool workbooks.
//!
//! Data flows through the layers once: [`template`] (the form's layout as
//! data) → Form (formulas compiled) → reader → values → evaluator → rules → outputs.

#![warn(missing_docs)]

pub mod annotate;
pub mod app;
pub mod broken;
pub mod cellref;
pub mod commands;
pub mod config;
pub mod diff;
pub mod edit;
pub mod finalize;
pub mod form;
pub mod limits;
pub mod msa_sample;
pub mod package;
pub mod reader;
pub mod reallocate;
pub mod report;
pub mod rules;
pub mod sample;
pub mod sanitize;
pub mod summary;
pub mod template;
pub mod value;
pub mod writer;
