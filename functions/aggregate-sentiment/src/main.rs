#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(aggregate_sentiment::Aggregator::from_env, aggregate_sentiment::handle).await
}
