#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_http::init_tracing();
    let backfill: &'static _ = Box::leak(Box::new(backfill_sentiment::Backfill::from_env().await?));
    lambda_runtime::run(lambda_runtime::service_fn(move |event| backfill.handle(event))).await
}
