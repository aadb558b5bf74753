#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(score_sentiment::Scorer::from_env, |scorer, event| scorer.handle(event)).await
}
