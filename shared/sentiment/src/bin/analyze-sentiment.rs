//! Batch sentiment analysis for backfills and offline evaluation.
//!
//! Reads one text per line on stdin and writes one JSON object per line on
//! stdout: `{"label","score","topics","key_phrases"}`. Every input line gives
//! exactly one output line, so results can be zipped back to their inputs:
//! an empty line is analysed as empty text (neutral) and invalid UTF-8 is
//! replaced, not rejected. A trailing "\r" (CRLF input) is ignored.

use std::io::{self, BufRead, BufWriter, ErrorKind, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("analyze-sentiment: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: impl BufRead, output: impl Write) -> io::Result<()> {
    let mut out = BufWriter::new(output);
    let mut input = input;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let analysis = cm_sentiment::analyze(&String::from_utf8_lossy(text));
        serde_json::to_writer(&mut out, &analysis).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
