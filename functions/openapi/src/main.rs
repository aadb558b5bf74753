#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(openapi::handle).await
}
