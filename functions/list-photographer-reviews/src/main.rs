#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(list_photographer_reviews::handle).await
}
