#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_http::init_tracing();
    let scorer: &'static _ = Box::leak(Box::new(score_sentiment::Scorer::from_env().await?));
    lambda_runtime::run(lambda_runtime::service_fn(move |event| scorer.handle(event))).await
}
