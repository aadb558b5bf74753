//! Writes `tests/fixtures/stripe/<type>.json`: one complete event per type the platform
//! handles, as the stand-in produces them. Rerun after changing the stand-in:
//! `cargo run -p stripe-standin --bin stripe-standin-fixtures [-- <dir>]`.

use std::path::PathBuf;

use stripe_standin::raw::Raw;
use stripe_standin::scenario::{self, FIXTURE_TYPES};
use stripe_standin::{Config, StandIn};

#[tokio::main]
async fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/stripe"));
    let config = Config::default();
    let standin = StandIn::start(config.clone()).await.expect("start stand-in");
    let raw = Raw::new(&standin.base_url(), &config.api_key);
    if let Err(e) = scenario::run(&raw).await {
        eprintln!("scenario failed: {e}");
        std::process::exit(1);
    }
    std::fs::create_dir_all(&dir).expect("create fixture dir");
    let events = standin.events();
    for type_ in FIXTURE_TYPES {
        // The last one: for charge.refunded and the like it carries the most history.
        let Some(event) = events.iter().rev().find(|e| e["type"] == *type_) else {
            eprintln!("the scenario produced no {type_} event");
            std::process::exit(1);
        };
        let path = dir.join(format!("{type_}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(event).expect("json") + "\n").expect("write fixture");
        println!("wrote {}", path.display());
    }
}
