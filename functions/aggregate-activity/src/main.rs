// The aggregator's future nests the store's transactions for sentiment, features and
// analytics deeply enough that computing its layout exceeds the default query depth
// (as in notify-booking-change and backfill-sentiment).
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(aggregate_activity::Aggregator::from_env, aggregate_activity::handle).await
}
