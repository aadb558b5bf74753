//! Feature dump for training the learned weights (eval/sentiment/train.py).
//!
//! Reads one text per line on stdin (as `analyze-sentiment` does: a trailing
//! "\r" is dropped, invalid UTF-8 replaced) and writes, per line, little-endian:
//! the [`cm_sentiment::DENSE`] dense features as f32, a u32 count `n`, then `n`
//! pairs of (u32 hash, f32 value). The first 8 bytes of the output are
//! `FEATURE_VERSION` and `DENSE` as u32, so a reader can check it speaks the
//! same format.

use std::io::{self, BufRead, BufWriter, ErrorKind, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sentiment-features: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut input: impl BufRead, output: impl Write) -> io::Result<()> {
    let mut out = BufWriter::new(output);
    out.write_all(&cm_sentiment::FEATURE_VERSION.to_le_bytes())?;
    out.write_all(&(cm_sentiment::DENSE as u32).to_le_bytes())?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let f = cm_sentiment::features(&String::from_utf8_lossy(text));
        for v in f.dense {
            out.write_all(&v.to_le_bytes())?;
        }
        let n = u32::try_from(f.hashed.len()).map_err(io::Error::other)?;
        out.write_all(&n.to_le_bytes())?;
        for (h, v) in f.hashed {
            out.write_all(&h.to_le_bytes())?;
            out.write_all(&v.to_le_bytes())?;
        }
    }
    out.flush()
}
