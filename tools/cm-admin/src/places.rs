//! `backfill-day-places`: writes the place of every located, slot-holding booking from
//! yesterday on onto its day item, so the travel-time rule (docs/bookings.md, "Travel
//! between shoots") also sees bookings made before days kept places. Run once after
//! deploying the release that added it. Idempotent and resumable. Pages through the
//! photographer accounts (the admin index) and each one's bookings by start (gsi2),
//! never a Scan. TABLE_NAME and AWS_* from the environment.

use chrono::{TimeDelta, Utc};
use cm_accounts::account::Role;
use cm_store::{DynamoStore, UserDirectory};
use std::process::ExitCode;

/// Bookings can be made at most 730 days ahead (`cm_booking::limits::MAX_DAYS_AHEAD`).
const HORIZON_DAYS: i64 = 731;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok((photographers, places)) => {
            println!("wrote {places} place(s) for the bookings of {photographers} photographer account(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("backfill-day-places: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(usize, usize), String> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let sdk = aws_config::load_from_env().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let now = Utc::now();
    // From a day back: an earlier shoot of today still constrains today's later ones.
    let (from, to) = (now - TimeDelta::days(1), now + TimeDelta::days(HORIZON_DAYS));
    let (mut seen, mut places) = (0, 0);
    let mut after = None;
    loop {
        let page = store.list_users(Some(Role::Photographer), 100, after.as_ref()).await.map_err(|e| e.to_string())?;
        for user in &page.items {
            seen += 1;
            places += store.backfill_day_places(user.id, from, to).await.map_err(|e| format!("{}: {e}", user.id))?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((seen, places)),
        }
    }
}
