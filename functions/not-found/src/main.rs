#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_standalone(not_found::handle).await
}
