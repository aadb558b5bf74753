//! `backfill-day-places`: writes the place of every located, slot-holding booking from
//! yesterday on onto its day item, so the travel-time rule (docs/bookings.md, "Travel
//! between shoots") also sees bookings made before days kept places. Run once after
//! deploying the release that added it. Idempotent and resumable. Pages through the
//! photographer accounts (the admin index) and each one's bookings by start (gsi2),
//! never a Scan. TABLE_NAME and AWS_* from the environment.

use chrono::{TimeDelta, Utc};
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
    let store = cm_admin::store_from_env().await?;
    let now = Utc::now();
    // From a day back: an earlier shoot of today still matters to today's later ones.
    let (from, to) = (now - TimeDelta::days(1), now + TimeDelta::days(HORIZON_DAYS));
    cm_admin::for_each_photographer(&store, |id| {
        let store = &store;
        async move { store.backfill_day_places(id, from, to).await.map_err(|e| e.to_string()) }
    })
    .await
}
