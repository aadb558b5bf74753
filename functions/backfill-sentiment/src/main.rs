// The re-scoring future nests the store's retrying transaction futures deeply enough
// that checking it is `Send` exceeds the default query depth.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(backfill_sentiment::Backfill::from_env, |backfill, event| backfill.handle(event)).await
}
