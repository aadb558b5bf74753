//! Rolling-origin backtest of the forecaster on `date,count` CSV files.
//!
//! `cargo run --release -p cm-forecast --example backtest -- --horizon 28 --spacing 7 --origins 8 --split test FILE...`
//!
//! Origins are split so that tuning never sees what is reported: the `test` origins are
//! the last `--origins` ones, `--spacing` days apart, ending `--horizon` days before the
//! end of the series; the `dev` origins are as many, ending so that their forecast
//! windows close on or before the first test origin. Settings of the models were chosen
//! looking at `dev` only. For each origin every method forecasts from the history before
//! it (auto selects its model on that history alone), and sMAPE, MASE and the share of
//! actuals inside the 80 % interval are averaged over origins.

use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::NaiveDate;
use cm_forecast::{DailySeries, ModelChoice, ModelKind, forecast, mase_of, smape_of};

/// The shortest history an evaluation origin may have (the library's own minimum for a
/// backtest); a series that cannot give two dev and two test origins is skipped.
const MIN_TRAIN: usize = 56;

struct Opts {
    horizon: usize,
    spacing: usize,
    origins: usize,
    split: String,
    files: Vec<String>,
}

fn parse_opts() -> Result<Opts, String> {
    let mut o = Opts { horizon: 28, spacing: 7, origins: 8, split: "test".into(), files: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or(format!("{name} needs a whole number"))
        };
        match a.as_str() {
            "--horizon" => o.horizon = num("--horizon")?,
            "--spacing" => o.spacing = num("--spacing")?,
            "--origins" => o.origins = num("--origins")?,
            "--split" => {
                o.split = args.next().filter(|s| s == "dev" || s == "test").ok_or("--split is dev or test")?;
            }
            _ => o.files.push(a),
        }
    }
    if o.files.is_empty() || o.horizon == 0 || o.spacing == 0 || o.origins == 0 {
        return Err("usage: backtest --horizon H --spacing S --origins N --split dev|test FILE...".into());
    }
    Ok(o)
}

fn read(path: &str) -> Result<DailySeries, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 && line.trim().eq_ignore_ascii_case("date,count") || line.trim().is_empty() {
            continue;
        }
        let (d, c) = line.split_once(',').ok_or(format!("{path}:{}: not date,count", i + 1))?;
        let d: NaiveDate = d.trim().parse().map_err(|_| format!("{path}:{}: bad date", i + 1))?;
        let c: f64 = c.trim().parse().map_err(|_| format!("{path}:{}: bad count", i + 1))?;
        points.push((d, c));
    }
    DailySeries::from_points(&points).map_err(|e| format!("{path}: {e}"))
}

/// Up to `--origins` origins per split, as many as the series allows (the same number
/// for dev and test), at least two.
fn origins(n: usize, o: &Opts) -> Option<Vec<usize>> {
    let room = n.checked_sub(MIN_TRAIN + 2 * o.horizon)?;
    let count = (room / (2 * o.spacing) + 1).min(o.origins);
    if count < 2 {
        return None;
    }
    let last = n - o.horizon;
    let first_test = last - (count - 1) * o.spacing;
    let list: Vec<usize> = if o.split == "test" {
        (0..count).map(|k| last - k * o.spacing).collect()
    } else {
        let last_dev = first_test - o.horizon;
        (0..count).map(|k| last_dev - k * o.spacing).collect()
    };
    list.iter().all(|&x| x >= MIN_TRAIN).then_some(list)
}

#[derive(Default, Clone, Copy)]
struct Acc {
    smape: f64,
    mase: f64,
    inside: usize,
    total: usize,
    count: usize,
}

fn main() -> ExitCode {
    let o = match parse_opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let methods: Vec<(String, ModelChoice)> = ModelKind::ALL
        .iter()
        .map(|&m| (m.name().to_string(), ModelChoice::Fixed(m)))
        .chain([("auto".to_string(), ModelChoice::Auto)])
        .collect();
    println!(
        "horizon {} days, {} {} origins {} days apart (mean over origins; coverage of the 80 % interval)\n",
        o.horizon, o.origins, o.split, o.spacing
    );
    let header: Vec<String> = methods.iter().map(|(n, _)| n.clone()).collect();
    println!("| series | days | metric | {} |", header.join(" | "));
    println!("|---|---|---|{}", "---|".repeat(methods.len()));
    let mut overall: BTreeMap<String, Acc> = BTreeMap::new();
    let mut picks: BTreeMap<String, usize> = BTreeMap::new();
    for path in &o.files {
        let series = match read(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        let name = std::path::Path::new(path).file_stem().map_or(path.clone(), |s| s.to_string_lossy().into_owned());
        let Some(list) = origins(series.len(), &o) else {
            eprintln!("{name}: too short for {} {} origins at horizon {}; skipped", o.origins, o.split, o.horizon);
            continue;
        };
        eprintln!("{name}: {} {} origins", list.len(), o.split);
        let mut accs = vec![Acc::default(); methods.len()];
        for &origin in &list {
            let train = series.truncated(origin);
            let actual = &series.values()[origin..origin + o.horizon];
            for ((mname, choice), acc) in methods.iter().zip(accs.iter_mut()) {
                let f = match forecast(&train, o.horizon, *choice) {
                    Ok(f) => f,
                    Err(e) => {
                        eprintln!("{name} {mname}: {e}");
                        return ExitCode::from(1);
                    }
                };
                let points: Vec<f64> = f.points.iter().map(|p| p.forecast).collect();
                acc.smape += smape_of(actual, &points);
                acc.mase += mase_of(train.values(), actual, &points);
                acc.inside += f.points.iter().zip(actual).filter(|(p, a)| p.lower <= **a && **a <= p.upper).count();
                acc.total += actual.len();
                acc.count += 1;
                if matches!(choice, ModelChoice::Auto) {
                    *picks.entry(f.method.name()).or_default() += 1;
                }
            }
        }
        let row = |f: &dyn Fn(&Acc) -> String| accs.iter().map(f).collect::<Vec<_>>().join(" | ");
        println!("| {name} | {} | sMAPE % | {} |", series.len(), row(&|a| format!("{:.2}", a.smape / a.count as f64)));
        println!("| | | MASE | {} |", row(&|a| format!("{:.3}", a.mase / a.count as f64)));
        println!("| | | coverage | {} |", row(&|a| format!("{:.0} %", 100.0 * a.inside as f64 / a.total as f64)));
        for ((mname, _), acc) in methods.iter().zip(&accs) {
            let e = overall.entry(mname.clone()).or_default();
            e.smape += acc.smape / acc.count as f64;
            e.mase += acc.mase / acc.count as f64;
            e.inside += acc.inside;
            e.total += acc.total;
            e.count += 1;
        }
    }
    let row = |f: &dyn Fn(&Acc) -> String| {
        header.iter().map(|m| overall.get(m).map_or("-".into(), f)).collect::<Vec<_>>().join(" | ")
    };
    println!("| **mean over series** | | sMAPE % | {} |", row(&|a| format!("{:.2}", a.smape / a.count as f64)));
    println!("| | | MASE | {} |", row(&|a| format!("{:.3}", a.mase / a.count as f64)));
    println!("| | | coverage | {} |", row(&|a| format!("{:.0} %", 100.0 * a.inside as f64 / a.total as f64)));
    let picks: Vec<String> = picks.iter().map(|(m, n)| format!("{m} {n}")).collect();
    println!("\nauto chose: {}", picks.join(", "));
    ExitCode::SUCCESS
}
