//! The forecast of one 3-year daily series, and of 1,000 such series one after the
//! other, as the nightly job does on one core. Both 90 days ahead with model selection.
//!
//! `cargo bench -p cm-forecast --bench forecast`

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use cm_forecast::{DailySeries, ModelChoice, forecast};
use criterion::{Criterion, criterion_group, criterion_main};

/// Three years of bookings for one city and specialization: a level that differs by
/// seed, weekend peaks, a summer high, a slow trend and Poisson-like noise, from a
/// seeded generator so every run forecasts the same series.
fn synthetic(seed: u64) -> DailySeries {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let level = 5.0 + 40.0 * uniform();
    let week = [0.8, 0.7, 0.75, 0.85, 1.1, 1.6, 1.4];
    let values = (0..3 * 365)
        .map(|t| {
            let year = 1.0 + 0.35 * (std::f64::consts::TAU * (t as f64 - 80.0) / 365.25).sin();
            let mean = level * week[t % 7] * year * (1.0 + 0.0003 * t as f64);
            // Normal approximation of Poisson noise from two uniforms.
            let z = (uniform() + uniform() + uniform() - 1.5) * 2.0;
            (mean + z * mean.sqrt()).round().max(0.0)
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date");
    DailySeries::from_values(start, values).expect("synthetic series is valid")
}

fn bench(c: &mut Criterion) {
    let one = synthetic(1);
    c.bench_function("forecast 1 series (3 years, 90 days, auto)", |b| {
        b.iter(|| forecast(black_box(&one), 90, ModelChoice::Auto).expect("forecast"))
    });

    let many: Vec<DailySeries> = (0..1_000).map(synthetic).collect();
    let mut group = c.benchmark_group("nightly");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(60));
    group.bench_function("forecast 1,000 series (3 years, 90 days, auto)", |b| {
        b.iter(|| {
            many.iter().map(|s| forecast(s, 90, ModelChoice::Auto).expect("forecast").points.len()).sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
