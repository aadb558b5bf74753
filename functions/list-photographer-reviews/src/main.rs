#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(list_photographer_reviews::handle).await
}
