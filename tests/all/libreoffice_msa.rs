//! The MSA template's Excel formulas and the Rust engine agree on every
//! shipped MSA sample (`msa-bpt-2013`, Appendix H), recalculated by
//! LibreOffice (see `common::agreement`).

use crate::common;

use bpt::{msa_sample, template};

#[test]
fn msa_formulas_and_engine_agree_on_every_sample() {
    if !common::soffice_required() {
        return;
    }
    let layout = template::builtin("msa-bpt-2013").expect("template");
    let bids = msa_sample::profiles()
        .iter()
        .map(|p| (p.name.to_string(), msa_sample::generate(p, &layout)))
        .collect();
    common::agreement::check(&layout, bids);
}
