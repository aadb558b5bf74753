//! `forecast-demand --horizon H [--model auto|seasonal-naive|ets|mstl|ridge|ensemble] [--report]`
//!
//! Reads CSV `date,count` on stdin (ISO dates, one row per day, increasing; missing days
//! are zero demand; the header line `date,count` is optional, so both a bare export and
//! a spreadsheet's file work) and writes CSV `date,forecast,lower,upper` on stdout, the
//! bounds an 80 % prediction interval. The forecast starts the day after the last row:
//! to forecast from a day without demand, end the input with that day and a 0. `--report` adds one line on stderr with the model
//! used and its backtest error.
//!
//! Exit codes: 0 on success; 2 on bad arguments or bad input, with one line on stderr
//! saying what and where; 1 if stdout cannot be written.

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use cm_forecast::{DailySeries, Forecast, MAX_HORIZON, ModelChoice, ModelKind, forecast};

/// More than a century of daily rows (the longest series accepted) fits in a few MB; a
/// cap on what is read keeps a wrong file piped in from taking all memory.
const MAX_INPUT_BYTES: u64 = 16 << 20;

const USAGE: &str = "usage: forecast-demand --horizon H [--model auto|seasonal-naive|ets|mstl|ridge|ensemble] [--report] < date,count CSV";

struct Args {
    horizon: usize,
    choice: ModelChoice,
    report: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut horizon = None;
    let mut choice = ModelChoice::Auto;
    let mut report = false;
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
        match name.as_str() {
            "--horizon" => {
                let v = value("--horizon")?;
                let h: usize = v.parse().map_err(|_| format!("--horizon must be a whole number of days, not {v:?}"))?;
                if h == 0 || h > MAX_HORIZON {
                    return Err(format!("--horizon must be between 1 and {MAX_HORIZON}, not {h}"));
                }
                horizon = Some(h);
            }
            "--model" => {
                let v = value("--model")?;
                choice = if v == "auto" { ModelChoice::Auto } else { ModelChoice::Fixed(v.parse::<ModelKind>()?) };
            }
            "--report" => report = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    Ok(Args { horizon: horizon.ok_or(format!("--horizon is required; {USAGE}"))?, choice, report })
}

fn parse_csv(text: &str) -> Result<DailySeries, String> {
    let mut points = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if i == 0 && line.eq_ignore_ascii_case("date,count") {
            continue;
        }
        let row = i + 1;
        let (date, count) =
            line.split_once(',').ok_or(format!("line {row}: expected date,count, got {:?}", shorten(line)))?;
        let date: NaiveDate = date
            .trim()
            .parse()
            .map_err(|_| format!("line {row}: {:?} is not a date (YYYY-MM-DD)", shorten(date.trim())))?;
        let count = count.trim();
        let count: f64 = count.parse().map_err(|_| format!("line {row}: {:?} is not a number", shorten(count)))?;
        points.push((date, count));
    }
    DailySeries::from_points(&points).map_err(|e| e.to_string())
}

/// Echoing a whole garbage line would break the one-line error.
fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

fn write_csv(out: &mut impl Write, f: &Forecast) -> io::Result<()> {
    writeln!(out, "date,forecast,lower,upper")?;
    for p in &f.points {
        writeln!(out, "{},{:.3},{:.3},{:.3}", p.date, p.forecast, p.lower, p.upper)?;
    }
    out.flush()
}

fn run() -> Result<(), (u8, String)> {
    let args = parse_args(std::env::args().skip(1)).map_err(|e| (2, e))?;
    let mut input = Vec::new();
    io::stdin()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut input)
        .map_err(|e| (2, format!("cannot read stdin: {e}")))?;
    if input.len() as u64 > MAX_INPUT_BYTES {
        return Err((2, format!("input is larger than {} MB", MAX_INPUT_BYTES >> 20)));
    }
    let text = String::from_utf8(input).map_err(|_| (2, "input is not UTF-8 text".to_string()))?;
    let series = parse_csv(&text).map_err(|e| (2, e))?;
    let f = forecast(&series, args.horizon, args.choice).map_err(|e| (2, e.to_string()))?;
    if args.report {
        let bt = match f.backtest {
            Some(b) => {
                format!("backtest mase={:.3} smape={:.2} origins={} horizon={}", b.mase, b.smape, b.origins, b.horizon)
            }
            None => "no backtest (history too short)".to_string(),
        };
        eprintln!("model={} {bt}", f.method.name());
    }
    let stdout = io::stdout();
    write_csv(&mut BufWriter::new(stdout.lock()), &f).map_err(|e| (1, format!("cannot write output: {e}")))
}

fn main() -> ExitCode {
    // Third-party model fits run behind catch_unwind inside the library, and a panic
    // there only drops that candidate; the default hook would still print it, which
    // would break the promise of one line on stderr.
    std::panic::set_hook(Box::new(|_| {}));
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, msg)) => {
            eprintln!("forecast-demand: {msg}");
            ExitCode::from(code)
        }
    }
}
