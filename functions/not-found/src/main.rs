#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(not_found::handle).await
}
