//! How long sealing a price quote and opening it again take (HMAC-SHA256 over its JSON).
//! Run: `cargo bench -p cm-http --bench seal`

use cm_http::SealKey;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let key = SealKey::new(&[7u8; 64], "the bench key").expect("key");
    // The shape and size of a quote's terms.
    let terms = json!({"photographer_id": "01JD3Q7K2W9X5M8N4B6V1C0ZTA", "start": "2027-01-09T04:30:00Z",
        "duration_minutes": 120, "package_id": "basic", "event_type": "wedding",
        "price": {"amount_minor": 1_582_400, "currency": "INR"}, "expires_at": "2026-12-20T10:30:00Z"});
    let sealed = key.seal("quote/v1", &terms).expect("sealed");
    c.bench_function("seal a quote", |b| b.iter(|| key.seal("quote/v1", black_box(&terms))));
    c.bench_function("open a quote", |b| b.iter(|| key.open::<serde_json::Value>("quote/v1", black_box(&sealed))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
