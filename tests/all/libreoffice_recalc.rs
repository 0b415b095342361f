//! The MA template's Excel formulas and the Rust engine agree on every
//! shipped sample, recalculated by LibreOffice (see `common::agreement`).

use crate::common;

use bpt::{sample, template};

#[test]
fn formulas_and_engine_agree_on_every_sample() {
    if !common::soffice_required() {
        return;
    }
    let layout = template::builtin("ma-bpt-2013").expect("template");
    let bids = sample::profiles()
        .iter()
        .map(|p| (p.name.to_string(), sample::generate(p, &layout)))
        .collect();
    common::agreement::check(&layout, bids);
}
