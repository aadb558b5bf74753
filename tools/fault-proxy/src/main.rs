//! `fault-proxy --upstream URL [--port N] [--rules FILE]`: the proxy on its own, in front
//! of a local DynamoDB, with rules from a JSON file (see the `spec` module). Prints each
//! request as a JSON line once it is handled. Runs until killed.

use fault_proxy::{Delivery, FaultProxy};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "usage: fault-proxy --upstream http://127.0.0.1:8000 [--port 0] [--rules rules.json]";

fn main() {
    if let Err(e) = run() {
        eprintln!("fault-proxy: {e}\n{USAGE}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let (mut upstream, mut port, mut rules_file) = (None, 0u16, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--upstream" => upstream = Some(value()?),
            "--port" => port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--rules" => rules_file = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let upstream = upstream.ok_or("--upstream is required")?;
    let rules = match &rules_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            fault_proxy::spec::parse(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => Vec::new(),
    };
    let proxy = FaultProxy::start_on(SocketAddr::from(([127, 0, 0, 1], port)), &upstream).map_err(|e| e.to_string())?;
    for rule in rules {
        proxy.add(rule);
    }
    eprintln!("fault-proxy: {} → {}", proxy.url(), proxy.upstream());
    let mut printed = 0u64;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        // Print handled requests in order; a pending one (delayed) holds back those after it.
        let from = printed;
        for e in proxy.log().iter().filter(|e| e.seq >= from) {
            if e.delivery == Delivery::Pending {
                break;
            }
            let line = serde_json::json!({
                "seq": e.seq,
                "operation": e.operation,
                "injected": e.injected,
                "upstream_status": e.upstream.as_ref().map(|r| r.status),
                "upstream_error": e.upstream_error,
                "answer": match &e.delivery { Delivery::Answered(r) => Some(r.status), _ => None },
                "error": e.error_code(),
            });
            println!("{line}");
            printed = e.seq + 1;
        }
    }
}
