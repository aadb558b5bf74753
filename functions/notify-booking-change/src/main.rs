// The notifier's future nests the store's reads and retrying writes deeply enough that
// computing its layout exceeds the default query depth (as in backfill-sentiment).
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(notify_booking_change::Notifier::from_env, notify_booking_change::handle).await
}
