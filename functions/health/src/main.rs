#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_standalone(health::handle).await
}
