#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(admin_sentiment_insights::handle).await
}
