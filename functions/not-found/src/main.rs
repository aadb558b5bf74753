#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(not_found::handle).await
}
