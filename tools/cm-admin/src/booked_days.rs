//! `backfill-booked-days`: writes every slot-holding booking from yesterday on onto its
//! photographer's booked days (`BOOKED#<photographer>#<month>`), which recommendations
//! read for "free on your date" (docs/recommendations.md, "Features"). The booking
//! stream keeps them from the release that adds them on; this covers the bookings made
//! before. Run once after deploying that release. Idempotent (each booking sets its
//! own attribute) and resumable. Pages through the photographer accounts (the admin
//! index) and each one's bookings by start (gsi2), never a Scan. TABLE_NAME and AWS_*
//! from the environment.

use chrono::{TimeDelta, Utc};
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
    let store = cm_admin::store_from_env().await?;
    let now = Utc::now();
    // From a day back: an earlier shoot of today still matters to today's later ones.
    let (from, to) = (now - TimeDelta::days(1), now + TimeDelta::days(HORIZON_DAYS));
    cm_admin::for_each_photographer(&store, |id| {
        let store = &store;
        async move { store.backfill_booked_days(id, from, to).await.map_err(|e| e.to_string()) }
    })
    .await
}
