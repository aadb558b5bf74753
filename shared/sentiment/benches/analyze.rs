//! Per-record cost of the embedded analyzer inside the stream function.
//! Run: `cargo bench -p cm-sentiment --bench analyze`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const SHORT: &str = "The photos were stunning but he was an hour late and never answered my messages.";

fn long() -> String {
    "Asha was wonderful with our family: calm, funny and endlessly patient with the kids. \
     The light at golden hour was perfect and the colours in the gallery are gorgeous, \
     although a few shots were slightly soft and the edits took three weeks instead of one. \
     Pricing felt fair for the quality. Communication was quick and friendly throughout! 😍 "
        .repeat(6)
}

fn bench(c: &mut Criterion) {
    c.bench_function("analyze: short review (16 words)", |b| b.iter(|| cm_sentiment::analyze(black_box(SHORT))));
    let long = long();
    c.bench_function("analyze: long review (~400 words)", |b| b.iter(|| cm_sentiment::analyze(black_box(&long))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
