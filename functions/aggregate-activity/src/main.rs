#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(aggregate_activity::Aggregator::from_env, aggregate_activity::handle).await
}
