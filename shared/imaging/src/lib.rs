//! Image processing for uploads, and nothing else: no storage, no AWS, no async.
//!
//! What an uploaded file is decides itself by its bytes (never its name or declared
//! type); the decoder runs under limits that refuse a decompression bomb from its
//! header, before any pixel buffer is allocated; the EXIF orientation is applied to the
//! pixels; and every output is re-encoded from pixels alone, so no metadata of the
//! original (GPS position, camera serial, embedded thumbnails) can survive. Only
//! `process-upload` (and the tests and benchmark) link this crate: the codecs stay out
//! of every other function.

use fast_image_resize::images::Image as ResizeImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;

/// The formats we decode. HEIC is refused: it has no pure-Rust decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
}

impl SourceFormat {
    pub fn mime(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "image/jpeg",
            SourceFormat::Png => "image/png",
            SourceFormat::WebP => "image/webp",
        }
    }
}

/// What the decoder may take on. A file over these is refused from its header alone.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest side, in pixels.
    pub max_side: u32,
    /// Width × height.
    pub max_pixels: u64,
    /// Bytes the decoder may allocate for the decoded image and its own buffers.
    pub max_alloc: u64,
}

impl Default for Limits {
    /// Room for any camera up to 60 megapixels; a 24 MP JPEG decodes to 72 MB.
    fn default() -> Limits {
        Limits { max_side: 12_000, max_pixels: 60_000_000, max_alloc: 256 * 1024 * 1024 }
    }
}

/// What to produce from an upload.
#[derive(Debug, Clone)]
pub struct Request {
    /// Display sizes: the longest side of each, never larger than the original.
    pub sizes: Vec<u32>,
    /// Also a full-resolution copy (client galleries), re-encoded without metadata.
    pub full_size: bool,
    pub limits: Limits,
}

/// One encoded output. `label` is the size (`"400"`) or `"original"`.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub label: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl Encoded {
    pub const CONTENT_TYPE: &'static str = "image/jpeg";
}

#[derive(Debug, Clone)]
pub struct Processed {
    pub format: SourceFormat,
    /// After orientation: as people see it.
    pub width: u32,
    pub height: u32,
    /// The average colour, a placeholder while the image loads.
    pub colour: [u8; 3],
    pub outputs: Vec<Encoded>,
}

impl Processed {
    pub fn colour_hex(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.colour[0], self.colour[1], self.colour[2])
    }
}

/// Why a file is not published. `code()` is what the item records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("not a JPEG, PNG or WebP image{}", .0.as_ref().map(|f| format!(" ({f})")).unwrap_or_default())]
    Unsupported(Option<String>),
    #[error("{width} × {height} pixels is more than this service accepts")]
    TooLarge { width: u32, height: u32 },
    #[error("the image could not be decoded: {0}")]
    Corrupt(String),
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Unsupported(_) => "unsupported_type",
            Rejection::TooLarge { .. } => "too_large",
            Rejection::Corrupt(_) => "corrupt",
        }
    }
}

const DISPLAY_QUALITY: u8 = 82;
const FULL_SIZE_QUALITY: u8 = 92;

/// The format by magic bytes; `None` for anything we do not decode.
pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Jpeg => Some(SourceFormat::Jpeg),
        ImageFormat::Png => Some(SourceFormat::Png),
        ImageFormat::WebP => Some(SourceFormat::WebP),
        _ => None,
    }
}

/// Names a few formats people upload by mistake, for the rejection reason.
fn describe(bytes: &[u8]) -> Option<String> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = String::from_utf8_lossy(&bytes[8..12]).to_string();
        return Some(if brand.starts_with("hei") || brand.starts_with("mif") { "HEIC".into() } else { brand });
    }
    match image::guess_format(bytes) {
        Ok(f) => Some(format!("{f:?}")),
        Err(_) if bytes.starts_with(b"%PDF") => Some("PDF".into()),
        Err(_) => None,
    }
}

pub fn process(bytes: &[u8], req: &Request) -> Result<Processed, Rejection> {
    let format = sniff(bytes).ok_or_else(|| Rejection::Unsupported(describe(bytes)))?;
    let image = decode(bytes, format, &req.limits)?;
    let rgb = flatten(image);
    let (width, height) = rgb.dimensions();
    let mut outputs = Vec::new();
    let mut colour = None;
    let mut sizes = req.sizes.clone();
    sizes.sort_unstable();
    for side in sizes {
        let (w, h) = fit(width, height, side);
        let small = if (w, h) == (width, height) { rgb.clone() } else { resize(&rgb, w, h)? };
        if colour.is_none() {
            colour = Some(mean_colour(&small));
        }
        outputs.push(Encoded { label: side.to_string(), width: w, height: h, bytes: jpeg(&small, DISPLAY_QUALITY)? });
    }
    if req.full_size {
        outputs.push(Encoded { label: "original".into(), width, height, bytes: jpeg(&rgb, FULL_SIZE_QUALITY)? });
    }
    Ok(Processed { format, width, height, colour: colour.unwrap_or_else(|| mean_colour(&rgb)), outputs })
}

/// Decodes under `limits`, checked from the header before the pixel buffer exists,
/// and turns the pixels the way the EXIF orientation says.
fn decode(bytes: &[u8], format: SourceFormat, limits: &Limits) -> Result<DynamicImage, Rejection> {
    let corrupt = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Rejection::TooLarge { width: 0, height: 0 },
        image::ImageError::Unsupported(u) => Rejection::Unsupported(Some(u.to_string())),
        other => Rejection::Corrupt(other.to_string()),
    };
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(match format {
        SourceFormat::Jpeg => ImageFormat::Jpeg,
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::WebP => ImageFormat::WebP,
    });
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    // Only limits given to the reader reach the decoder (image-rs #3081).
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => Rejection::TooLarge { width: 0, height: 0 },
        e => corrupt(e),
    })?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Rejection::Corrupt("the image has no pixels".into()));
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
        || decoder.total_bytes() > limits.max_alloc
    {
        return Err(Rejection::TooLarge { width, height });
    }
    // An unreadable orientation is no reason to refuse the picture.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// 8-bit RGB; transparency laid over white, as a page would show it.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    out
}

/// The size that fits `side` on the longest edge, never enlarging.
pub fn fit(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= side {
        return (width, height);
    }
    let scale = f64::from(side) / f64::from(longest);
    let w = ((f64::from(width) * scale).round() as u32).clamp(1, side);
    let h = ((f64::from(height) * scale).round() as u32).clamp(1, side);
    (w, h)
}

fn resize(src: &RgbImage, w: u32, h: u32) -> Result<RgbImage, Rejection> {
    let internal = |e: &dyn std::fmt::Display| Rejection::Corrupt(format!("resizing: {e}"));
    let from = fast_image_resize::images::ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut to = ResizeImage::new(w, h, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&from, &mut to, &options).map_err(|e| internal(&e))?;
    RgbImage::from_raw(w, h, to.into_vec()).ok_or_else(|| internal(&"buffer size"))
}

fn jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    // The encoder writes pixels and a JFIF header only: no EXIF, XMP or ICC profile.
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| Rejection::Corrupt(format!("encoding: {e}")))?;
    Ok(out)
}

fn mean_colour(img: &RgbImage) -> [u8; 3] {
    let mut sum = [0u64; 3];
    for p in img.pixels() {
        for c in 0..3 {
            sum[c] += u64::from(p[c]);
        }
    }
    let n = u64::from(img.width()) * u64::from(img.height());
    let avg = |c: usize| sum[c].checked_div(n).unwrap_or(0) as u8;
    [avg(0), avg(1), avg(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    fn req(sizes: &[u32]) -> Request {
        Request { sizes: sizes.to_vec(), full_size: false, limits: Limits::default() }
    }

    #[test]
    fn fit_keeps_the_aspect_and_never_enlarges() {
        assert_eq!(fit(6000, 4000, 1600), (1600, 1067));
        assert_eq!(fit(4000, 6000, 400), (267, 400));
        assert_eq!(fit(300, 200, 400), (300, 200));
        assert_eq!(fit(10_000, 1, 400), (400, 1));
    }

    #[test]
    fn display_sizes_are_jpegs_of_the_right_size() {
        let out = process(&png(900, 600), &req(&[1600, 400])).unwrap();
        assert_eq!((out.width, out.height, out.format), (900, 600, SourceFormat::Png));
        let sizes: Vec<_> = out.outputs.iter().map(|o| (o.label.as_str(), o.width, o.height)).collect();
        assert_eq!(sizes, [("400", 400, 267), ("1600", 900, 600)]);
        for o in &out.outputs {
            let decoded = image::load_from_memory(&o.bytes).unwrap();
            assert_eq!(image::guess_format(&o.bytes).unwrap(), ImageFormat::Jpeg);
            assert_eq!((decoded.width(), decoded.height()), (o.width, o.height));
        }
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let img = image::RgbaImage::from_pixel(10, 10, image::Rgba([0, 0, 0, 0]));
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
        let out = process(&bytes, &req(&[400])).unwrap();
        assert!(out.colour.iter().all(|&c| c >= 250), "{:?}", out.colour);
    }

    #[test]
    fn limits_refuse_from_the_header() {
        let limits = Limits { max_side: 500, max_pixels: 1_000_000, max_alloc: 64 << 20 };
        let r = process(&png(600, 10), &Request { sizes: vec![400], full_size: false, limits });
        assert!(matches!(r, Err(Rejection::TooLarge { .. })), "{r:?}");
        let limits = Limits { max_side: 5000, max_pixels: 100, max_alloc: 64 << 20 };
        let r = process(&png(20, 20), &Request { sizes: vec![400], full_size: false, limits });
        assert_eq!(r.unwrap_err(), Rejection::TooLarge { width: 20, height: 20 });
    }

    #[test]
    fn what_is_not_an_image_is_unsupported_and_truncated_images_are_corrupt() {
        assert_eq!(process(b"%PDF-1.7 hello", &req(&[400])).unwrap_err().code(), "unsupported_type");
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(process(heic, &req(&[400])).unwrap_err(), Rejection::Unsupported(Some("HEIC".into())));
        let bytes = png(64, 64);
        assert_eq!(process(&bytes[..bytes.len() / 2], &req(&[400])).unwrap_err().code(), "corrupt");
    }
}
