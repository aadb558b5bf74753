#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(preview_my_pricing::handle).await
}
