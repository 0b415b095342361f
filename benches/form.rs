//! `cargo bench --bench form`: the evaluator alone on one bid (the shipped
//! `hmo-mapd-2013` profile): every calculated cell of the MA form, with and
//! without the string-id edge, next to compiling the template. Figures in BENCHMARKS.md.

use bpt::form::{Evaluation, Form};
use bpt::{sample, template};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn one_bid(c: &mut Criterion) {
    let layout = template::builtin_cached("ma-bpt-2013").expect("template");
    let p = sample::profile("hmo-mapd-2013").expect("profile");
    let values = sample::generate(&p, layout);
    let form = Form::compile(layout).expect("compile");
    let mut g = c.benchmark_group("one bid (hmo-mapd-2013)");
    g.bench_function("evaluator: recalc_all (every calculated cell)", |b| {
        let mut ev = Evaluation::from_values(&form, &values);
        b.iter(|| {
            ev.recalc_all();
            black_box(ev.values().len())
        })
    });
    g.bench_function("evaluator: from string-keyed values + recalc_all", |b| {
        b.iter(|| {
            black_box(
                Evaluation::from_values(&form, black_box(&values))
                    .values()
                    .len(),
            )
        })
    });
    g.bench_function(
        "evaluator: what-if on the star rating (downstream only)",
        |b| {
            let mut ev = Evaluation::from_values(&form, &values);
            let star = form.id("ws5.quality.star_rating").expect("id");
            let mut x = 0u32;
            b.iter(|| {
                x ^= 1;
                let v = if x == 1 {
                    rust_decimal::Decimal::new(45, 1)
                } else {
                    rust_decimal::Decimal::new(35, 1)
                };
                ev.set_entered(star, bpt::form::Val::Num(v));
                black_box(ev.recalc_from(&[star]))
            })
        },
    );
    g.sample_size(10);
    g.bench_function("Form::compile (MA template, once per process)", |b| {
        b.iter(|| black_box(Form::compile(layout).expect("compile").len()))
    });
    g.finish();
}

criterion_group!(benches, one_bid);
criterion_main!(benches);
