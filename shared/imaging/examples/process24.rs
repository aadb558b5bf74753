//! Processes one generated 24-megapixel JPEG (6000 × 4000) as process-upload does, and
//! prints the time taken. Run under `/usr/bin/time -v` for the peak memory, which sizes
//! the function's memory:
//!
//! ```text
//! cargo build --release -p cm-imaging --example process24
//! /usr/bin/time -v target/release/examples/process24           # a portfolio photo
//! /usr/bin/time -v target/release/examples/process24 gallery   # a gallery photo: also the full size
//! ```

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use std::time::Instant;

fn main() {
    let (w, h) = (6000, 4000);
    // A gradient with texture, so the encoder has real work (not a flat colour).
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8]));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img).unwrap();
    drop(img);
    let full_size = std::env::args().nth(1).as_deref() == Some("gallery");
    let request = cm_imaging::Request { sizes: vec![400, 1600], full_size, limits: cm_imaging::Limits::default() };
    let started = Instant::now();
    let out = cm_imaging::process(&jpeg, &request).expect("processed");
    let took = started.elapsed();
    println!(
        "24 MP JPEG ({} bytes) -> {} outputs ({} bytes) in {:.0} ms",
        jpeg.len(),
        out.outputs.len(),
        out.outputs.iter().map(|o| o.bytes.len()).sum::<usize>(),
        took.as_secs_f64() * 1000.0
    );
}
