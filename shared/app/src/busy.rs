//! Busy time from a photographer's external calendars, as the booking rules take it:
//! occupied time that is not a booking (`cm_booking::Holder::ExternalBusy`). Nothing
//! else about it (not even which calendar it came from) reaches the rules, so a slot it
//! takes looks like any other taken slot.

use chrono::{DateTime, Utc};
use cm_booking::{OccupiedInterval, UtcRange};
use cm_core::UserId;
use cm_store::{BusyTimeReader, StoreError};

/// The photographer's busy time touching `[from, to)`, as occupied intervals.
pub async fn busy_intervals<S: BusyTimeReader>(
    store: &S,
    photographer: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OccupiedInterval>, StoreError> {
    let busy = store.busy_time(photographer, from, to).await?;
    Ok(busy.into_iter().filter_map(|b| UtcRange::new(b.start, b.end)).map(OccupiedInterval::external_busy).collect())
}
