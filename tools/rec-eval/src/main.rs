//! `cargo run --release -p rec-eval [-- --seed N --clients N --photographers-per-city N]`:
//! generate the synthetic booking history, hold out each client's last booking, and
//! print hit rate and NDCG at 10 for the hybrid ranker, its ablations and the
//! popularity baselines.

use rec_eval::{CITIES, Config, K, Method, evaluate, generate};

fn main() {
    let mut cfg = Config::demo();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || pair.get(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| usage(&pair[0]));
        match pair[0].as_str() {
            "--seed" => cfg.seed = value() as u64,
            "--clients" => cfg.clients = value(),
            "--photographers-per-city" => cfg.photographers_per_city = value(),
            other => usage(other),
        }
    }
    let history = generate(cfg);
    let report = evaluate(&history, &Method::all());
    println!(
        "seed {}: {} cities, {} photographers, {} clients, {} bookings; {} held out (each client's last of two or more); {:.1} photographers cover the place on average",
        cfg.seed,
        CITIES.len(),
        history.photographers.len(),
        history.clients.len(),
        report.bookings,
        report.queries,
        report.mean_in_area
    );
    println!();
    println!("| method | hit rate@{K} | NDCG@{K} |");
    println!("|---|---|---|");
    for s in &report.scores {
        println!("| {} | {:.3} | {:.3} |", s.method, s.hit_rate, s.ndcg);
    }
}

fn usage(arg: &str) -> ! {
    eprintln!("rec-eval: cannot read {arg}; usage: rec-eval [--seed N] [--clients N] [--photographers-per-city N]");
    std::process::exit(2)
}
