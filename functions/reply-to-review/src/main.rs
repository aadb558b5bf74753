#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(reply_to_review::handle).await
}
