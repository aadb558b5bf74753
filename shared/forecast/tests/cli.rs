//! The forecast-demand binary, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_forecast-demand"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn forecast-demand");
    let mut pipe = child.stdin.take().expect("stdin");
    // The binary may exit on bad arguments before reading; a broken pipe is fine then.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    child.wait_with_output().expect("wait")
}

fn weekly_csv(days: usize, header: bool) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).expect("date");
    let mut s = if header { "date,count\n".to_string() } else { String::new() };
    for t in 0..days {
        let d = start + chrono::Days::new(t as u64);
        s.push_str(&format!("{d},{}\n", [5, 4, 4, 5, 7, 12, 10][t % 7] + (t * 7 % 3)));
    }
    s
}

#[test]
fn forecasts_the_requested_days_with_ordered_bounds() {
    let out = run(&["--horizon", "10", "--report"], &weekly_csv(200, true));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("date,forecast,lower,upper"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 10);
    // 200 days from 2025-01-06 end on 2025-07-24.
    assert_eq!(rows[0][0], "2025-07-25");
    assert_eq!(rows[9][0], "2025-08-03");
    for r in &rows {
        let v: Vec<f64> = r[1..].iter().map(|x| x.parse().expect("number")).collect();
        assert!(0.0 <= v[1] && v[1] <= v[0] && v[0] <= v[2], "{r:?}");
    }
    let stderr = String::from_utf8(out.stderr).expect("utf8");
    assert!(stderr.starts_with("model=") && stderr.contains("mase="), "{stderr}");
}

#[test]
fn header_is_optional_and_gaps_are_zero() {
    let with = run(&["--horizon", "7", "--model", "seasonal-naive"], &weekly_csv(30, true));
    let without = run(&["--horizon", "7", "--model", "seasonal-naive"], &weekly_csv(30, false));
    assert!(with.status.success() && without.status.success());
    assert_eq!(with.stdout, without.stdout);
    // The last week has one row: the six missing days are zeros, and seasonal-naive
    // repeats them.
    let gappy = "2025-01-01,3\n2025-01-08,9\n2025-01-09,2\n2025-01-15,4\n";
    let out = run(&["--horizon", "7", "--model", "seasonal-naive"], gappy);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let forecasts: Vec<String> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("forecast").to_string())
        .collect();
    assert_eq!(forecasts, ["2.000", "0.000", "0.000", "0.000", "0.000", "0.000", "4.000"]);
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_code_2() {
    let cases: &[(&[&str], &str, &str)] = &[
        (&["--horizon", "7"], "2025-01-02,1\n2025-01-01,1\n", "not in increasing order"),
        (&["--horizon", "7"], "2025-01-01,1\n2025-01-01,2\n", "more than once"),
        (&["--horizon", "7"], "2025-01-01,-3\n", "negative"),
        (&["--horizon", "7"], "2025-01-01,NaN\n", "not a finite number"),
        (&["--horizon", "7"], "2025-01-01,1\nyesterday,4\n", "line 2"),
        (&["--horizon", "7"], "2025-01-01;1\n", "expected date,count"),
        (&["--horizon", "7"], "2025-01-01,many\n", "not a number"),
        (&["--horizon", "7"], "", "no points"),
        (&["--horizon", "7"], "date,count\n", "no points"),
        (&["--horizon", "0"], "2025-01-01,1\n", "--horizon must be between"),
        (&["--horizon", "x"], "2025-01-01,1\n", "whole number"),
        (&[], "2025-01-01,1\n", "--horizon is required"),
        (&["--horizon", "7", "--model", "prophet"], "2025-01-01,1\n", "unknown model"),
        (&["--horizon", "7"], "0001-01-01,1\n9999-01-01,1\n", "more than the"),
    ];
    for (args, stdin, expected) in cases {
        let out = run(args, stdin);
        let stderr = String::from_utf8(out.stderr).expect("utf8");
        assert_eq!(out.status.code(), Some(2), "{args:?} {stdin:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{args:?} {stdin:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn every_named_model_runs() {
    for model in ["auto", "seasonal-naive", "ets", "mstl", "ridge", "ensemble"] {
        let out = run(&["--horizon", "3", "--model", model], &weekly_csv(120, false));
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).expect("utf8").lines().count(), 4, "{model}");
    }
}
