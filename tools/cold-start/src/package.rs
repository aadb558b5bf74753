//! The size Lambda counts for a function: its `bootstrap` in a deflated zip.

use std::io::Write;
use std::path::Path;

/// The bytes of a zip holding `binary` as `bootstrap` (executable), deflated at the
/// default level as `cargo lambda build --output-format zip` writes it.
pub fn zipped_size(binary: &Path) -> std::io::Result<u64> {
    let bytes = std::fs::read(binary)?;
    zipped_len(&bytes)
}

pub fn zipped_len(bytes: &[u8]) -> std::io::Result<u64> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options).map_err(std::io::Error::other)?;
    zip.write_all(bytes)?;
    let out = zip.finish().map_err(std::io::Error::other)?;
    Ok(out.into_inner().len() as u64)
}

/// The clients whose calls a binary holds, told by strings only their calls carry: the JSON
/// protocols' operation targets, S3's `x-id` query, SES v2's path, Stripe's host. What
/// the linker kept is what the function's code can reach, so this shows whether a
/// function links a client it never builds.
const CLIENT_MARKERS: &[(&str, &[u8])] = &[
    ("DynamoDB", b"DynamoDB_20120810."),
    ("Secrets Manager", b"secretsmanager.GetSecretValue"),
    ("S3", b"x-id=GetObject"),
    ("SES", b"/v2/email/outbound-emails"),
    ("Comprehend", b"Comprehend_20171127."),
    ("Stripe", b"api.stripe.com"),
];

pub fn linked_clients(binary: &Path) -> std::io::Result<Vec<&'static str>> {
    let bytes = std::fs::read(binary)?;
    Ok(clients_in(&bytes))
}

fn clients_in(bytes: &[u8]) -> Vec<&'static str> {
    CLIENT_MARKERS
        .iter()
        .filter(|(_, marker)| bytes.windows(marker.len()).any(|w| w == *marker))
        .map(|(name, _)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_told_by_their_markers() {
        let bytes = b"\0\0DynamoDB_20120810.GetItem\0https://api.stripe.com/v1\0";
        assert_eq!(clients_in(bytes), vec!["DynamoDB", "Stripe"]);
        assert!(clients_in(b"secretsmanager").is_empty());
    }

    /// A real archive: it opens, holds `bootstrap` with the bytes, and repetitive input
    /// shrinks while random input does not.
    #[test]
    fn a_real_deflated_zip() {
        let repetitive = vec![b'a'; 100_000];
        let size = zipped_len(&repetitive).unwrap();
        assert!(size < 2_000, "{size}");

        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("bootstrap", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"#!/bin/sh\n").unwrap();
        let archive = zip.finish().unwrap().into_inner();
        let mut read = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
        assert_eq!(read.by_name("bootstrap").unwrap().size(), 10);

        // xorshift64: bytes deflate cannot shrink.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..50_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        assert!(zipped_len(&noise).unwrap() > 40_000);
    }
}
