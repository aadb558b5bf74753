//! The batch binary: one JSON line per input line, whatever the input.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(input: &[u8]) -> (String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_analyze-sentiment"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn analyze-sentiment");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (String::from_utf8(out.stdout).expect("stdout is UTF-8"), out.status.success())
}

#[test]
fn one_json_object_per_line() {
    let (out, ok) = run(b"Great photos!\n\nThe photographer was two hours late\r\n\xff\xfe broken \xc3 utf8 :(\nlast line without newline");
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let parsed: Vec<serde_json::Value> = lines.iter().map(|l| serde_json::from_str(l).expect("valid JSON")).collect();
    for v in &parsed {
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 4);
        for k in ["label", "score", "topics", "key_phrases"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
    }
    assert_eq!(parsed[0]["label"], "positive");
    assert_eq!(parsed[1]["label"], "neutral");
    assert_eq!(parsed[1]["score"], 0.0);
    assert_eq!(parsed[2]["label"], "negative");
    assert_eq!(parsed[2]["topics"][0]["topic"], "punctuality");
    assert_eq!(parsed[3]["label"], "negative");
}

#[test]
fn empty_input_gives_no_output() {
    let (out, ok) = run(b"");
    assert!(ok);
    assert!(out.is_empty());
}

#[test]
fn key_order_matches_the_documented_format() {
    let (out, ok) = run(b"nice\n");
    assert!(ok);
    assert!(out.starts_with(r#"{"label":"positive","score":"#), "{out}");
    let topics = out.find("\"topics\"").unwrap_or(usize::MAX);
    let phrases = out.find("\"key_phrases\"").unwrap_or(0);
    assert!(topics < phrases, "{out}");
}
