//! Real image files for the upload tests, built byte by byte where an encoder would
//! not write what we need (EXIF with a GPS position and an orientation, a PNG whose
//! header claims 100000² pixels), and an independent reader of JPEG segments and EXIF
//! that proves what a processed file no longer carries.

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// A `w`×`h` JPEG, left half red and right half blue as stored.
pub fn plain_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

pub fn plain_png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
    out
}

/// The GPS position the test photos carry: 17°23'6" N, 78°29'12" E (Hyderabad).
pub const GPS_LATITUDE: [(u32, u32); 3] = [(17, 1), (23, 1), (6, 1)];

/// `plain_jpeg` with an EXIF block (APP1) holding `orientation`, a camera make and a
/// GPS position, as a phone writes it.
pub fn jpeg_with_exif(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let jpeg = plain_jpeg(w, h);
    let tiff = exif_tiff(orientation);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Big-endian TIFF: IFD0 {Make, Orientation, GPSInfo → GPS IFD {LatitudeRef,
/// Latitude, LongitudeRef, Longitude}}.
fn exif_tiff(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&value);
    }
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    // Layout: header (8) | IFD0: 2 + 3×12 + 4 = 42 → 50 | make "Phone\0" (6) → 56 |
    // GPS IFD: 2 + 4×12 + 4 = 54 → 110 | latitude (24) → 134 | longitude (24) → 158.
    let (ifd0, make, gps, lat, lon) = (8u32, 50u32, 56u32, 110u32, 134u32);
    let mut t = b"MM\0\x2A".to_vec();
    t.extend_from_slice(&ifd0.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut t, 0x010F, ASCII, 6, make.to_be_bytes());
    let mut o = [0u8; 4];
    o[..2].copy_from_slice(&orientation.to_be_bytes());
    entry(&mut t, 0x0112, SHORT, 1, o);
    entry(&mut t, 0x8825, LONG, 1, gps.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(b"Phone\0");
    assert_eq!(t.len() as u32, gps);
    t.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, lat.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, lon.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in GPS_LATITUDE.into_iter().chain([(78, 1), (29, 1), (12, 1)]) {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    assert_eq!(t.len(), 158);
    t
}

/// The marker and payload of every segment before the image data (APPn, COM, ...).
pub fn jpeg_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "segment marker expected at {i}");
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            break; // start of scan: pixels follow
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        out.push((marker, jpeg[i + 4..i + 2 + len].to_vec()));
        i += 2 + len;
    }
    out
}

/// The GPS tags of a JPEG's EXIF, read from the file's own bytes: `None` without EXIF
/// or without a GPS IFD.
pub fn gps_tags(jpeg: &[u8]) -> Option<Vec<u16>> {
    let (_, app1) = jpeg_segments(jpeg).into_iter().find(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif\0\0"))?;
    let tiff = &app1[6..];
    let be = &tiff[..2] == b"MM";
    let u16_at = |o: usize| {
        if be { u16::from_be_bytes([tiff[o], tiff[o + 1]]) } else { u16::from_le_bytes([tiff[o], tiff[o + 1]]) }
    };
    let u32_at = |o: usize| {
        let b = [tiff[o], tiff[o + 1], tiff[o + 2], tiff[o + 3]];
        if be { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }
    };
    let tags_of = |ifd: usize| -> Vec<(u16, usize)> {
        (0..usize::from(u16_at(ifd))).map(|k| ifd + 2 + 12 * k).map(|e| (u16_at(e), e)).collect()
    };
    let ifd0 = u32_at(4) as usize;
    let (_, gps_entry) = tags_of(ifd0).into_iter().find(|(t, _)| *t == 0x8825)?;
    let gps = u32_at(gps_entry + 8) as usize;
    Some(tags_of(gps).into_iter().map(|(t, _)| t).collect())
}

/// A valid PNG header claiming `w`×`h` pixels with a few bytes of data: a
/// decompression bomb as a decoder first sees it.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    // zlib: one empty stored block.
    chunk(&mut out, b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A small, well-formed one-page PDF saying `text` (ASCII), with a correct
/// cross-reference table: what a browser's "save as PDF" makes, in miniature.
pub fn pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 72 720 Td ({}) Tj ET", text.replace(['(', ')', '\\'], " "));
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_files_are_what_they_claim() {
        let jpeg = super::jpeg_with_exif(64, 32, 6);
        assert_eq!(super::gps_tags(&jpeg), Some(vec![1, 2, 3, 4]));
        assert_eq!(super::gps_tags(&super::plain_jpeg(8, 8)), None);
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (64, 32));
        // PNG's CRC as the decoder checks it: the header must parse.
        let bomb = super::png_bomb(100_000, 100_000);
        let reader = image::ImageReader::new(std::io::Cursor::new(&bomb)).with_guessed_format().unwrap();
        assert_eq!(reader.into_dimensions().unwrap(), (100_000, 100_000));
    }
}
