//! `cargo run -p key-sim [-- --seed N --lifecycles N --top N]`: the key-distribution
//! report of docs/scaling.md, in Markdown. Exits 1 when a key is over the limit.

fn main() {
    let mut config = key_sim::Config::default();
    let mut top = 25;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--seed", Some(v)) => config.seed = v,
            ("--lifecycles", Some(v)) => config.lifecycles = u32::try_from(v).unwrap_or(u32::MAX),
            ("--top", Some(v)) => top = usize::try_from(v).unwrap_or(usize::MAX),
            _ => {
                eprintln!("usage: key-sim [--seed N] [--lifecycles N] [--top N]");
                std::process::exit(2);
            }
        }
    }
    let report = key_sim::Report::of(&config, &key_sim::simulate(&config));
    print!("{}", report.render(top));
    if !report.over_limit().is_empty() {
        std::process::exit(1);
    }
}
