#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(update_me::handle).await
}
