#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(reply_to_review::handle).await
}
