//! `stripe-standin [--port N] [--api-key sk_test_..] [--publishable-key pk_test_..]
//! [--webhook-url URL] [--webhook-secret whsec_..]... [--state-file PATH]
//! [--webhook-attempts N] [--webhook-base-delay-ms MS]`; each flag also reads
//! `STRIPE_STANDIN_<FLAG>` (secrets comma-separated). Prints `listening on http://127.0.0.1:N`.

use std::time::Duration;

use stripe_standin::{Config, StandIn};

fn env(name: &str) -> Option<String> {
    std::env::var(format!("STRIPE_STANDIN_{}", name.to_uppercase().replace('-', "_"))).ok().filter(|v| !v.is_empty())
}

fn parse() -> Result<Config, String> {
    let mut config = Config::default();
    let mut secrets: Vec<String> = vec![];
    let mut args = std::env::args().skip(1);
    let mut pairs: Vec<(String, String)> = vec![];
    for name in
        ["port", "api-key", "publishable-key", "webhook-url", "state-file", "webhook-attempts", "webhook-base-delay-ms"]
    {
        if let Some(v) = env(name) {
            pairs.push((name.into(), v));
        }
    }
    if let Some(v) = env("webhook-secret") {
        secrets.extend(v.split(',').map(str::to_string));
    }
    let mut from_flags: Vec<String> = vec![];
    while let Some(flag) = args.next() {
        let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument {flag}"))?.to_string();
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        if name == "webhook-secret" {
            from_flags.push(value);
        } else {
            pairs.push((name, value));
        }
    }
    if !from_flags.is_empty() {
        secrets = from_flags;
    }
    for (name, value) in pairs {
        match name.as_str() {
            "port" => config.port = value.parse().map_err(|_| format!("bad port {value}"))?,
            "api-key" => config.api_key = value,
            "publishable-key" => config.publishable_key = value,
            "webhook-url" => config.webhook_url = Some(value),
            "state-file" => config.state_file = Some(value.into()),
            "webhook-attempts" => {
                config.webhook_attempts = value.parse().map_err(|_| format!("bad attempts {value}"))?
            }
            "webhook-base-delay-ms" => {
                config.webhook_base_delay =
                    Duration::from_millis(value.parse().map_err(|_| format!("bad delay {value}"))?)
            }
            other => return Err(format!("unknown flag --{other}")),
        }
    }
    config.webhook_secrets = secrets;
    if config.webhook_url.is_some() && config.webhook_secrets.is_empty() {
        return Err("--webhook-url needs at least one --webhook-secret".into());
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let config = match parse() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("stripe-standin: {e}");
            std::process::exit(2);
        }
    };
    let standin = match StandIn::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stripe-standin: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", standin.base_url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
