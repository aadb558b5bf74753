//! Processing time of uploads by size (`cargo bench -p cm-imaging --bench process`).
//! Peak memory: the `process24` example under `/usr/bin/time -v`.

use criterion::{Criterion, criterion_group, criterion_main};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8]));
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

fn bench(c: &mut Criterion) {
    let request =
        cm_imaging::Request { sizes: vec![400, 1600], full_size: false, limits: cm_imaging::Limits::default() };
    let mut group = c.benchmark_group("process");
    group.sample_size(10);
    for (name, w, h) in [("12MP", 4000, 3000), ("24MP", 6000, 4000)] {
        let bytes = jpeg(w, h);
        group.bench_function(name, |b| b.iter(|| cm_imaging::process(&bytes, &request).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
