//! `backfill-booked-days`: writes every slot-holding booking from yesterday on onto its
//! photographer's booked days (`BOOKED#<photographer>#<month>`), which recommendations
//! read for "free on your date" (docs/recommendations.md, "Features"). The booking
//! stream keeps them from the release that adds them on; this covers the bookings made
//! before. Run once after deploying that release. Idempotent (each booking sets its
//! own attribute) and resumable. Pages through the photographer accounts (the admin
//! index) and each one's bookings by start (gsi2), never a Scan. TABLE_NAME and AWS_*
//! from the environment.

use chrono::{TimeDelta, Utc};
use cm_accounts::account::Role;
use cm_store::{DynamoStore, UserDirectory};
use std::process::ExitCode;

/// Bookings can be made at most 730 days ahead (`cm_booking::limits::MAX_DAYS_AHEAD`).
const HORIZON_DAYS: i64 = 731;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok((photographers, days)) => {
            println!("wrote {days} booked day(s) for the bookings of {photographers} photographer account(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("backfill-booked-days: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(usize, usize), String> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let sdk = aws_config::load_from_env().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let now = Utc::now();
    let (from, to) = (now - TimeDelta::days(1), now + TimeDelta::days(HORIZON_DAYS));
    let (mut seen, mut days) = (0, 0);
    let mut after = None;
    loop {
        let page = store.list_users(Some(Role::Photographer), 100, after.as_ref()).await.map_err(|e| e.to_string())?;
        for user in &page.items {
            seen += 1;
            days += store.backfill_booked_days(user.id, from, to).await.map_err(|e| format!("{}: {e}", user.id))?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((seen, days)),
        }
    }
}
